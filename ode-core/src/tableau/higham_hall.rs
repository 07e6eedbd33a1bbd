//! The Higham–Hall 5(4) embedded pair.
//!
//! D. J. Higham and G. Hall, "Embedded Runge–Kutta formulae with stable equilibrium states",
//! *J. Comput. Appl. Math.* 29 (1990) 25–33. A seven-stage FSAL pair propagating the
//! fifth-order solution (local extrapolation), whose error estimate comes from an embedded
//! fourth-order formula. Its coefficients were chosen so that, when the step size is limited
//! by stability rather than accuracy, the step-size control has a stable equilibrium instead
//! of the oscillating step sizes many 5(4) pairs show there.
//!
//! The coefficients are those of the paper, as also held by Apache Commons Math's
//! `HighamHall54Integrator` (`STATIC_C`, `STATIC_A`, `STATIC_B`, `STATIC_E`).

use super::EmbeddedTableau;

/// Weights `b_i` of the fifth-order solution; also the last row of `a` (FSAL).
const B: [f64; 7] = [
    1.0 / 12.0,
    0.0,
    27.0 / 32.0,
    -4.0 / 3.0,
    125.0 / 96.0,
    5.0 / 48.0,
    0.0,
];

/// Quartic continuous extension of [`HH54`]: row `i` holds the coefficients of θ, θ², θ³, θ⁴
/// in `b_i(θ)` (the interpolant of Apache Commons Math's `HighamHall54StepInterpolator`;
/// `b_2(θ) = b_7(θ) = 0`).
const P: [[f64; 4]; 7] = [
    [1.0, -15.0 / 4.0, 16.0 / 3.0, -5.0 / 2.0],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 459.0 / 32.0, -243.0 / 8.0, 135.0 / 8.0],
    [0.0, -22.0, 152.0 / 3.0, -30.0],
    [0.0, 375.0 / 32.0, -625.0 / 24.0, 125.0 / 8.0],
    [0.0, -5.0 / 16.0, 5.0 / 12.0, 0.0],
    [0.0, 0.0, 0.0, 0.0],
];

/// Higham & Hall's 5(4) FSAL pair (order 5, error estimate of order 4, seven stages).
///
/// `e = b − b̂`, where `b̂ = (2/15, 0, 27/80, −2/15, 25/48, 1/24, 1/10)` are the weights of the
/// embedded fourth-order formula; these `e` are Commons Math's `STATIC_E`.
///
/// Dense output is the quartic extension built from stages 1–6 that Apache Commons Math's
/// `HighamHall54StepInterpolator` uses (e.g. `b_1(θ) = θ − 15/4 θ² + 16/3 θ³ − 5/2 θ⁴`), of
/// order 4: its local error is `O(h⁵)`. (The cubic Hermite interpolant, also possible for this
/// FSAL pair, is of order 3 and measured about 60 times less accurate at `h = 0.1`.)
pub const HH54: EmbeddedTableau<7> = EmbeddedTableau {
    c: [0.0, 2.0 / 9.0, 1.0 / 3.0, 1.0 / 2.0, 3.0 / 5.0, 1.0, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [2.0 / 9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0 / 12.0, 1.0 / 4.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [1.0 / 8.0, 0.0, 3.0 / 8.0, 0.0, 0.0, 0.0, 0.0],
        [
            91.0 / 500.0,
            -27.0 / 100.0,
            78.0 / 125.0,
            8.0 / 125.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            -11.0 / 20.0,
            27.0 / 20.0,
            12.0 / 5.0,
            -36.0 / 5.0,
            5.0,
            0.0,
            0.0,
        ],
        [B[0], B[1], B[2], B[3], B[4], B[5], 0.0],
    ],
    b: B,
    e: [
        -1.0 / 20.0,
        0.0,
        81.0 / 160.0,
        -6.0 / 5.0,
        25.0 / 32.0,
        1.0 / 16.0,
        -1.0 / 10.0,
    ],
    order: 5,
    error_order: 4,
    fsal: true,
    dense: &[&P[0], &P[1], &P[2], &P[3], &P[4], &P[5], &P[6]],
};

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::checks::{order_conditions, row_sums};
    use super::HH54;

    const S: usize = 7;

    /// `y' = y cos t`, `y(0) = 1`: exact solution `exp(sin t)`.
    fn f(t: f64, y: f64) -> f64 {
        y * t.cos()
    }

    fn exact(t: f64) -> f64 {
        t.sin().exp()
    }

    /// The stages `k_i` of one step of size `h` from `(t0, y0)`.
    fn stages(t0: f64, y0: f64, h: f64) -> [f64; S] {
        let mut k = [0.0; S];
        for i in 0..S {
            let yi = y0 + h * (0..i).map(|j| HH54.a[i][j] * k[j]).sum::<f64>();
            k[i] = f(t0 + HH54.c[i] * h, yi);
        }
        k
    }

    /// `n` fixed steps over `[0, 1]` with the propagated weights; returns the global error.
    fn global_error(n: usize) -> f64 {
        let h = 1.0 / n as f64;
        let mut y = 1.0;
        for step in 0..n {
            let k = stages(step as f64 * h, y, h);
            y += h * (0..S).map(|i| HH54.b[i] * k[i]).sum::<f64>();
        }
        (y - exact(1.0)).abs()
    }

    /// `b_i(θ) = Σ_k dense[i][k] θ^{k+1}`.
    fn dense_weight(row: &[f64], theta: f64) -> f64 {
        row.iter().rev().fold(0.0, |acc, &p| (acc + p) * theta)
    }

    /// Error of the dense output at `θ` after one step of size `h` from `t = 0`.
    fn dense_error(h: f64, theta: f64) -> f64 {
        let k = stages(0.0, 1.0, h);
        let y = 1.0
            + h * (0..S)
                .map(|i| dense_weight(HH54.dense[i], theta) * k[i])
                .sum::<f64>();
        (y - exact(theta * h)).abs()
    }

    #[test]
    fn row_sums_hold() {
        row_sums(&HH54.a, &HH54.c, 1e-14);
    }

    #[test]
    fn propagated_weights_have_order_5() {
        order_conditions(&HH54.a, &HH54.b, &HH54.c, 5, 1e-12);
    }

    #[test]
    fn embedded_weights_have_order_4() {
        let bhat: [f64; S] = core::array::from_fn(|i| HH54.b[i] - HH54.e[i]);
        order_conditions(&HH54.a, &bhat, &HH54.c, 4, 1e-12);
        // Σ e_i = 0 exactly; in double precision to a few ulps of the largest e_i, which
        // catches a mistyped digit the order conditions (tolerance 1e-12) cannot see.
        let e_sum: f64 = HH54.e.iter().sum();
        assert!(e_sum.abs() < 2.5e-16, "Σ e = {e_sum}");
        // Of order 4 exactly (else the estimate would be useless): Σ b̂_i c_i⁴ ≠ 1/5.
        let q: f64 = (0..S).map(|i| bhat[i] * HH54.c[i].powi(4)).sum();
        assert!((q - 0.2).abs() > 1e-3, "Σ b̂ c⁴ = {q}");
    }

    #[test]
    fn fsal_structure() {
        const { assert!(HH54.fsal) };
        assert_eq!(HH54.c[S - 1], 1.0);
        assert_eq!(HH54.a[S - 1], HH54.b);
        assert_eq!(HH54.b[S - 1], 0.0);
        assert_eq!((HH54.order, HH54.error_order), (5, 4));
    }

    #[test]
    fn dense_rows_sum_to_b() {
        assert_eq!(HH54.dense.len(), S);
        for (i, row) in HH54.dense.iter().enumerate() {
            assert_eq!(row.len(), 4, "row {i}: quartic interpolant");
            let s: f64 = row.iter().sum();
            assert!(
                (s - HH54.b[i]).abs() < 1e-14,
                "row {i}: Σ = {s}, b = {}",
                HH54.b[i]
            );
        }
    }

    #[test]
    fn dense_output_is_order_4() {
        let (e1, e2) = (dense_error(0.2, 0.5), dense_error(0.1, 0.5));
        let p = (e1 / e2).log2();
        std::eprintln!(
            "HH54 dense output at θ = 0.5: errors {e1:.3e}, {e2:.3e}, log2 ratio {p:.3}"
        );
        assert!(
            (4.5..5.6).contains(&p),
            "local dense-output order {p}, want ≈ 5"
        );
    }

    #[test]
    fn global_order_is_5() {
        let (e1, e2) = (global_error(10), global_error(20));
        let p = (e1 / e2).log2();
        std::eprintln!("HH54 global errors n=10: {e1:.3e}, n=20: {e2:.3e}, order {p:.3}");
        assert!((p - 5.0).abs() < 0.25, "measured order {p}");
    }
}
