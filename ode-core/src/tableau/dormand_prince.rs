//! The Dormand–Prince 5(4) pair: J. R. Dormand and P. J. Prince, "A family of embedded
//! Runge-Kutta formulae", J. Comput. Appl. Math. 6 (1980) 19–26, with Shampine's quartic
//! continuous extension: L. F. Shampine, "Some practical Runge-Kutta formulas", Math. Comp. 46
//! (1986) 135–150.
//!
//! A seven-stage FSAL pair (SciPy's `RK45`, MATLAB's `ode45`, `DOPRI5`): the fifth-order
//! solution is propagated (local extrapolation) and the fourth-order one estimates the error.

use super::EmbeddedTableau;

/// Fifth-order weights `b`; the seventh (FSAL) stage has weight zero.
const B: [f64; 7] = [
    35.0 / 384.0,
    0.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
    0.0,
];

/// Shampine's quartic dense output: row `i` holds the coefficients of `θ, θ², θ³, θ⁴` in
/// `b_i(θ)` (SciPy's `RK45.P`, the choice of Shampine 1986 also used by Hairer's `DOPRI5`).
const P: [[f64; 4]; 7] = [
    [
        1.0,
        -8048581381.0 / 2820520608.0,
        8663915743.0 / 2820520608.0,
        -12715105075.0 / 11282082432.0,
    ],
    [0.0, 0.0, 0.0, 0.0],
    [
        0.0,
        131558114200.0 / 32700410799.0,
        -68118460800.0 / 10900136933.0,
        87487479700.0 / 32700410799.0,
    ],
    [
        0.0,
        -1754552775.0 / 470086768.0,
        14199869525.0 / 1410260304.0,
        -10690763975.0 / 1880347072.0,
    ],
    [
        0.0,
        127303824393.0 / 49829197408.0,
        -318862633887.0 / 49829197408.0,
        701980252875.0 / 199316789632.0,
    ],
    [
        0.0,
        -282668133.0 / 205662961.0,
        2019193451.0 / 616988883.0,
        -1453857185.0 / 822651844.0,
    ],
    [
        0.0,
        40617522.0 / 29380423.0,
        -110615467.0 / 29380423.0,
        69997945.0 / 29380423.0,
    ],
];

/// The Dormand–Prince 5(4) FSAL pair (J. Comput. Appl. Math. 6 (1980) 19–26), coefficients as
/// in SciPy's `scipy/integrate/_ivp/rk.py` (`RK45`).
///
/// `e = b − b̂` with the fourth-order weights
/// `b̂ = (5179/57600, 0, 7571/16695, 393/640, −92097/339200, 187/2100, 1/40)`, i.e.
/// `e = (71/57600, 0, −71/16695, 71/1920, −17253/339200, 22/525, −1/40)`; SciPy's `RK45.E`
/// holds `b̂ − b`, the same vector negated. Dense output: Shampine's quartic interpolant
/// (Math. Comp. 46 (1986) 135–150), of order 4.
pub const DP54: EmbeddedTableau<7> = EmbeddedTableau {
    c: [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0],
    a: [
        [0.0; 7],
        [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0, 0.0],
        [
            19372.0 / 6561.0,
            -25360.0 / 2187.0,
            64448.0 / 6561.0,
            -212.0 / 729.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
            0.0,
            0.0,
        ],
        [B[0], B[1], B[2], B[3], B[4], B[5], 0.0],
    ],
    b: B,
    e: [
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
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
    use super::*;

    #[test]
    fn order_conditions_hold() {
        let t = &DP54;
        row_sums(&t.a, &t.c, 1e-14);
        order_conditions(&t.a, &t.b, &t.c, t.order.min(5), 1e-13);
        let b_hat: [f64; 7] = core::array::from_fn(|i| t.b[i] - t.e[i]);
        order_conditions(&t.a, &b_hat, &t.c, t.error_order, 1e-13);
        // The embedded formula must not be of order 5 (else the estimate would be useless).
        let fifth: f64 = (0..7).map(|i| b_hat[i] * t.c[i].powi(4)).sum();
        assert!((fifth - 0.2).abs() > 1e-4);
    }

    #[test]
    fn error_weights_match_b_minus_b_hat() {
        let b_hat = [
            5179.0 / 57600.0,
            0.0,
            7571.0 / 16695.0,
            393.0 / 640.0,
            -92097.0 / 339200.0,
            187.0 / 2100.0,
            1.0 / 40.0,
        ];
        for (i, ((e, b), bh)) in DP54.e.iter().zip(DP54.b).zip(b_hat).enumerate() {
            let d = e - (b - bh);
            assert!(d.abs() < 1e-16, "e[{i}] off by {d:e}");
        }
    }

    #[test]
    fn fsal() {
        const { assert!(DP54.fsal) };
        assert_eq!(DP54.c[6], 1.0);
        assert_eq!(DP54.a[6], DP54.b);
    }

    #[test]
    fn dense_at_one_is_b() {
        assert_eq!(DP54.dense.len(), 7);
        for i in 0..7 {
            assert_eq!(DP54.dense[i].len(), 4);
            let s: f64 = DP54.dense[i].iter().sum();
            assert!((s - DP54.b[i]).abs() < 1e-15, "row {i}: Σ = {s}");
        }
    }

    /// `y' = y cos t`, `y(0) = 1`, solution `exp(sin t)`.
    fn f(t: f64, y: f64) -> f64 {
        y * t.cos()
    }

    /// One step of size `h` from `(0, 1)`: the stages `k_i`.
    fn stages(h: f64) -> [f64; 7] {
        let t = &DP54;
        let mut k = [0.0; 7];
        for i in 0..7 {
            let yi = 1.0 + h * (0..i).map(|j| t.a[i][j] * k[j]).sum::<f64>();
            k[i] = f(t.c[i] * h, yi);
        }
        k
    }

    /// The dense value `y_0 + h Σ b_i(θ) k_i` after one step of size `h` from `(0, 1)`.
    fn dense_value(h: f64, theta: f64) -> f64 {
        let k = stages(h);
        let mut y = 1.0;
        for (i, row) in DP54.dense.iter().enumerate() {
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
            let y1 = 1.0 + h * (0..7).map(|i| DP54.b[i] * k[i]).sum::<f64>();
            assert!((dense_value(h, 1.0) - y1).abs() < 1e-15);
        }
    }

    #[test]
    fn dense_local_order() {
        let err = |h: f64| (dense_value(h, 0.5) - (0.5 * h).sin().exp()).abs();
        let (e1, e2) = (err(0.2), err(0.1));
        let p = (e1 / e2).log2();
        std::eprintln!(
            "DP54 dense θ=0.5: err(h=0.2) {e1:.3e}, err(h=0.1) {e2:.3e}, log2 ratio {p:.3}"
        );
        // Quartic continuous extension of order 4: local error O(h^5).
        assert!((4.6..6.2).contains(&p), "local order {p}");
    }

    #[test]
    fn measured_order() {
        let t = &DP54;
        let err = |n: usize| {
            let h = 1.0 / n as f64;
            let mut y = 1.0;
            for step in 0..n {
                let t0 = step as f64 * h;
                let mut k = [0.0; 7];
                for i in 0..7 {
                    let yi = y + h * (0..i).map(|j| t.a[i][j] * k[j]).sum::<f64>();
                    k[i] = f(t0 + t.c[i] * h, yi);
                }
                y += h * (0..7).map(|i| t.b[i] * k[i]).sum::<f64>();
            }
            (y - 1.0f64.sin().exp()).abs()
        };
        let (e1, e2) = (err(10), err(20));
        let p = (e1 / e2).log2();
        std::eprintln!("DP54: n = 10: err {e1:.3e}, 2n: err {e2:.3e}, measured order {p:.3}");
        assert!((p - 5.0).abs() < 0.2, "measured order {p}");
    }
}
