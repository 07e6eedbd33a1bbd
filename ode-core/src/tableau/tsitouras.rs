//! Tsitouras' 5(4) embedded pair ("Tsit5").
//!
//! Ch. Tsitouras, "Runge–Kutta pairs of order 5(4) satisfying only the first column
//! simplifying assumption", *Comput. Math. Appl.* 62 (2011) 770–775. A seven-stage FSAL pair
//! propagating the fifth-order solution, with an embedded fourth-order error estimate and a
//! free quartic continuous extension of order 4. Imposing only the first column simplifying
//! assumption, not the row ones, left Tsitouras free to reduce the fifth-order truncation
//! error; the paper reports the pair more efficient than Dormand–Prince 5(4).
//!
//! The coefficients are irrational. The literals below are the double-precision values
//! published in SciML's OrdinaryDiffEq.jl (`lib/OrdinaryDiffEqTsit5/src/tsit_tableaus.jl`,
//! `Tsit5ConstantCacheActual` and `Tsit5Interp`), each equal to the correctly rounded value of
//! the high-precision coefficients given in the same file (`e` is the rounded difference of
//! the high-precision `b` and `b̂`), and cross-checked against diffrax
//! (`diffrax/_solver/tsit5.py`).

use super::EmbeddedTableau;

/// Tsitouras' 5(4) FSAL pair (order 5, error estimate of order 4, seven stages).
///
/// `e = b − b̂`, the difference between the fifth-order weights (the last row of `a`) and the
/// embedded fourth-order weights `b̂ = (0.0946807557658394…, …, b̂_7 = 1/66)`. This is the sign
/// of diffrax's `b_error`; OrdinaryDiffEq.jl's `btilde` is `b̂ − b = −e`.
///
/// Dense output is Tsitouras' quartic interpolant from the paper: `dense[i]` holds the
/// coefficients of `θ, θ², θ³, θ⁴` in `b_i(θ)` (OrdinaryDiffEq.jl's `r_i1, r_i2, r_i3, r_i4`).
/// It is of order 4 (local error `O(h⁵)`) and uses all seven stages, the last being
/// `f(t_{n+1}, y_{n+1})`.
pub const TSIT5: EmbeddedTableau<7> = EmbeddedTableau {
    c: [0.0, 0.161, 0.327, 0.9, 0.9800255409045097, 1.0, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.161, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [
            -0.008480655492356989,
            0.335480655492357,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            2.8971530571054935,
            -6.359448489975075,
            4.3622954328695815,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            5.325864828439257,
            -11.748883564062828,
            7.4955393428898365,
            -0.09249506636175525,
            0.0,
            0.0,
            0.0,
        ],
        [
            5.86145544294642,
            -12.92096931784711,
            8.159367898576159,
            -0.071584973281401,
            -0.028269050394068383,
            0.0,
            0.0,
        ],
        [
            0.09646076681806523,
            0.01,
            0.4798896504144996,
            1.379008574103742,
            -3.290069515436081,
            2.324710524099774,
            0.0,
        ],
    ],
    b: [
        0.09646076681806523,
        0.01,
        0.4798896504144996,
        1.379008574103742,
        -3.290069515436081,
        2.324710524099774,
        0.0,
    ],
    e: [
        0.0017800110522257714,
        0.0008164344596567469,
        -0.007880878010261995,
        0.1447110071732629,
        -0.5823571654525552,
        0.45808210592918697,
        -1.0 / 66.0,
    ],
    order: 5,
    error_order: 4,
    fsal: true,
    dense: &[
        &[
            1.0,
            -2.763706197274826,
            2.9132554618219126,
            -1.0530884977290216,
        ],
        &[0.0, 0.13169999999999998, -0.2234, 0.1017],
        &[
            0.0,
            3.9302962368947516,
            -5.941033872131505,
            2.490627285651253,
        ],
        &[
            0.0,
            -12.411077166933676,
            30.33818863028232,
            -16.548102889244902,
        ],
        &[0.0, 37.50931341651104, -88.1789048947664, 47.37952196281928],
        &[
            0.0,
            -27.896526289197286,
            65.09189467479366,
            -34.87065786149661,
        ],
        &[0.0, 1.5, -4.0, 2.5],
    ],
};

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::checks::{order_conditions, row_sums};
    use super::TSIT5;

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
            let yi = y0 + h * (0..i).map(|j| TSIT5.a[i][j] * k[j]).sum::<f64>();
            k[i] = f(t0 + TSIT5.c[i] * h, yi);
        }
        k
    }

    /// `n` fixed steps over `[0, 1]` with the propagated weights; returns the global error.
    fn global_error(n: usize) -> f64 {
        let h = 1.0 / n as f64;
        let mut y = 1.0;
        for step in 0..n {
            let k = stages(step as f64 * h, y, h);
            y += h * (0..S).map(|i| TSIT5.b[i] * k[i]).sum::<f64>();
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
                .map(|i| dense_weight(TSIT5.dense[i], theta) * k[i])
                .sum::<f64>();
        (y - exact(theta * h)).abs()
    }

    #[test]
    fn row_sums_hold() {
        // c_5 is the published coefficient rounded to double; the a_ij sum to it within ~1e-15.
        row_sums(&TSIT5.a, &TSIT5.c, 1e-14);
    }

    #[test]
    fn propagated_weights_have_order_5() {
        order_conditions(&TSIT5.a, &TSIT5.b, &TSIT5.c, 5, 1e-12);
    }

    #[test]
    fn embedded_weights_have_order_4() {
        let bhat: [f64; S] = core::array::from_fn(|i| TSIT5.b[i] - TSIT5.e[i]);
        assert!((bhat[S - 1] - 1.0 / 66.0).abs() < 1e-16, "b̂_7 = 1/66");
        order_conditions(&TSIT5.a, &bhat, &TSIT5.c, 4, 1e-12);
        // Σ e_i = 0 exactly; in double precision to a few ulps of the largest e_i, which
        // catches a mistyped digit the order conditions (tolerance 1e-12) cannot see.
        let e_sum: f64 = TSIT5.e.iter().sum();
        assert!(e_sum.abs() < 2.5e-16, "Σ e = {e_sum}");
        // Of order 4 exactly (else the estimate would be useless): Σ b̂_i c_i⁴ ≠ 1/5.
        let q: f64 = (0..S).map(|i| bhat[i] * TSIT5.c[i].powi(4)).sum();
        assert!((q - 0.2).abs() > 1e-4, "Σ b̂ c⁴ = {q}");
    }

    #[test]
    fn fsal_structure() {
        const { assert!(TSIT5.fsal) };
        assert_eq!(TSIT5.c[S - 1], 1.0);
        assert_eq!(TSIT5.a[S - 1], TSIT5.b);
        assert_eq!(TSIT5.b[S - 1], 0.0);
        assert_eq!((TSIT5.order, TSIT5.error_order), (5, 4));
    }

    #[test]
    fn dense_rows_sum_to_b() {
        assert_eq!(TSIT5.dense.len(), S);
        for (i, row) in TSIT5.dense.iter().enumerate() {
            assert_eq!(row.len(), 4, "row {i}: quartic interpolant");
            let s: f64 = row.iter().sum();
            assert!(
                (s - TSIT5.b[i]).abs() < 1e-14,
                "row {i}: Σ = {s}, b = {}",
                TSIT5.b[i]
            );
        }
    }

    #[test]
    fn dense_output_is_order_4() {
        let (e1, e2) = (dense_error(0.2, 0.5), dense_error(0.1, 0.5));
        let p = (e1 / e2).log2();
        std::eprintln!(
            "TSIT5 dense output at θ = 0.5: errors {e1:.3e}, {e2:.3e}, log2 ratio {p:.3}"
        );
        assert!(
            (4.5..6.3).contains(&p),
            "local dense-output order {p}, want ≈ 5"
        );
    }

    #[test]
    fn global_order_is_5() {
        // Tsitouras minimised the principal error term, so the next one still shows at
        // n = 10 (log2 ratio 5.28 for n = 10, 20); n = 20, 40 is in the asymptotic range
        // while the errors (~1e-11, ~1e-12) stay far above rounding.
        let (e1, e2) = (global_error(20), global_error(40));
        let p = (e1 / e2).log2();
        std::eprintln!("TSIT5 global errors n=20: {e1:.3e}, n=40: {e2:.3e}, order {p:.3}");
        assert!((p - 5.0).abs() < 0.25, "measured order {p}");
    }
}
