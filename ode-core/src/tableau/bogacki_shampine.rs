//! The Bogacki–Shampine 3(2) pair: P. Bogacki and L. F. Shampine, "A 3(2) pair of Runge-Kutta
//! formulas", Appl. Math. Lett. 2 (1989) 321–325.
//!
//! A four-stage FSAL pair (SciPy's `RK23`, MATLAB's `ode23`): the third-order solution is
//! propagated, the second-order one only estimates the error, and the dense output is the cubic
//! Hermite interpolant through `y_n`, `y_{n+1}` and their derivatives.

use super::{hermite_weights, EmbeddedTableau};

/// Third-order weights `b`; the fourth (FSAL) stage has weight zero.
const B: [f64; 4] = [2.0 / 9.0, 1.0 / 3.0, 4.0 / 9.0, 0.0];

/// Cubic Hermite dense-output weights (equal to SciPy's `RK23.P`).
const P: [[f64; 3]; 4] = hermite_weights(&B);

/// The Bogacki–Shampine 3(2) FSAL pair (Appl. Math. Lett. 2 (1989) 321–325), as in SciPy's
/// `scipy/integrate/_ivp/rk.py` (`RK23`).
///
/// `e = b − b̂` with the second-order weights `b̂ = (7/24, 1/4, 1/3, 1/8)`; SciPy's `RK23.E`
/// holds `b̂ − b`, the same vector negated. Dense output: cubic Hermite interpolation.
pub const BS23: EmbeddedTableau<4> = EmbeddedTableau {
    c: [0.0, 0.5, 0.75, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0],
        [0.5, 0.0, 0.0, 0.0],
        [0.0, 0.75, 0.0, 0.0],
        [B[0], B[1], B[2], 0.0],
    ],
    b: B,
    e: [
        B[0] - 7.0 / 24.0,
        B[1] - 1.0 / 4.0,
        B[2] - 1.0 / 3.0,
        B[3] - 1.0 / 8.0,
    ],
    order: 3,
    error_order: 2,
    fsal: true,
    dense: &[&P[0], &P[1], &P[2], &P[3]],
};

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::checks::{order_conditions, row_sums};
    use super::*;

    #[test]
    fn order_conditions_hold() {
        let t = &BS23;
        row_sums(&t.a, &t.c, 1e-14);
        order_conditions(&t.a, &t.b, &t.c, t.order.min(5), 1e-13);
        let b_hat: [f64; 4] = core::array::from_fn(|i| t.b[i] - t.e[i]);
        order_conditions(&t.a, &b_hat, &t.c, t.error_order, 1e-13);
        // The embedded formula must not be of order 3 (else the estimate would be useless).
        let third: f64 = (0..4).map(|i| b_hat[i] * t.c[i] * t.c[i]).sum();
        assert!((third - 1.0 / 3.0).abs() > 1e-3);
    }

    #[test]
    fn error_weights_match_scipy() {
        // SciPy's RK23.E = b̂ − b.
        let scipy_e = [5.0 / 72.0, -1.0 / 12.0, -1.0 / 9.0, 1.0 / 8.0];
        for (i, (e, se)) in BS23.e.iter().zip(scipy_e).enumerate() {
            assert!((e + se).abs() < 1e-16, "e[{i}]");
        }
    }

    #[test]
    fn fsal() {
        const { assert!(BS23.fsal) };
        assert_eq!(BS23.c[3], 1.0);
        assert_eq!(BS23.a[3], BS23.b);
    }

    #[test]
    fn dense_matches_scipy() {
        let scipy_p: [[f64; 3]; 4] = [
            [1.0, -4.0 / 3.0, 5.0 / 9.0],
            [0.0, 1.0, -2.0 / 3.0],
            [0.0, 4.0 / 3.0, -8.0 / 9.0],
            [0.0, -1.0, 1.0],
        ];
        assert_eq!(BS23.dense.len(), 4);
        for (i, (row, want)) in BS23.dense.iter().zip(scipy_p).enumerate() {
            assert_eq!(row.len(), 3);
            for (k, (got, want)) in row.iter().zip(want).enumerate() {
                assert!((got - want).abs() < 1e-15, "dense[{i}][{k}] = {got}");
            }
        }
    }

    #[test]
    fn dense_at_one_is_b() {
        for i in 0..4 {
            let s: f64 = BS23.dense[i].iter().sum();
            assert!((s - BS23.b[i]).abs() < 1e-15, "row {i}: Σ = {s}");
        }
    }

    /// `y' = y cos t`, `y(0) = 1`, solution `exp(sin t)`.
    fn f(t: f64, y: f64) -> f64 {
        y * t.cos()
    }

    /// One step of size `h` from `(0, 1)`: the stages `k_i`.
    fn stages(h: f64) -> [f64; 4] {
        let t = &BS23;
        let mut k = [0.0; 4];
        for i in 0..4 {
            let yi = 1.0 + h * (0..i).map(|j| t.a[i][j] * k[j]).sum::<f64>();
            k[i] = f(t.c[i] * h, yi);
        }
        k
    }

    /// The dense value `y_0 + h Σ b_i(θ) k_i` after one step of size `h` from `(0, 1)`.
    fn dense_value(h: f64, theta: f64) -> f64 {
        let k = stages(h);
        let mut y = 1.0;
        for (i, row) in BS23.dense.iter().enumerate() {
            let bi: f64 = row
                .iter()
                .enumerate()
                .map(|(p, d)| d * theta.powi(p as i32 + 1))
                .sum();
            y += h * bi * k[i];
        }
        y
    }

    #[test]
    fn dense_consistent_at_theta_one() {
        for h in [0.2, 0.1] {
            let k = stages(h);
            let y1 = 1.0 + h * (0..4).map(|i| BS23.b[i] * k[i]).sum::<f64>();
            assert!((dense_value(h, 1.0) - y1).abs() < 1e-15);
        }
    }

    #[test]
    fn dense_local_order() {
        let err = |h: f64| (dense_value(h, 0.5) - (0.5 * h).sin().exp()).abs();
        let (e1, e2) = (err(0.1), err(0.05));
        let p = (e1 / e2).log2();
        std::eprintln!(
            "BS23 dense θ=0.5: err(h=0.1) {e1:.3e}, err(h=0.05) {e2:.3e}, log2 ratio {p:.3}"
        );
        // Cubic Hermite interpolation: local error O(h^4).
        assert!((3.5..4.6).contains(&p), "local order {p}");
    }

    #[test]
    fn measured_order() {
        let t = &BS23;
        let err = |n: usize| {
            let h = 1.0 / n as f64;
            let mut y = 1.0;
            for step in 0..n {
                let t0 = step as f64 * h;
                let mut k = [0.0; 4];
                for i in 0..4 {
                    let yi = y + h * (0..i).map(|j| t.a[i][j] * k[j]).sum::<f64>();
                    k[i] = f(t0 + t.c[i] * h, yi);
                }
                y += h * (0..4).map(|i| t.b[i] * k[i]).sum::<f64>();
            }
            (y - 1.0f64.sin().exp()).abs()
        };
        let (e1, e2) = (err(20), err(40));
        let p = (e1 / e2).log2();
        std::eprintln!("BS23: n = 20: err {e1:.3e}, 2n: err {e2:.3e}, measured order {p:.3}");
        assert!((p - 3.0).abs() < 0.2, "measured order {p}");
    }
}
