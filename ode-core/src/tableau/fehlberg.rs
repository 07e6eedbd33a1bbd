//! Fehlberg's 4(5) pair: E. Fehlberg, *Low-order classical Runge–Kutta formulas with stepsize
//! control and their application to some heat transfer problems*, NASA TR R-315 (1969),
//! Table III ("RKF45"); Hairer, Nørsett & Wanner, *Solving ODEs I*, II.4, Table 4.1.
//!
//! Six stages, not first-same-as-last: the fourth-order solution is propagated (Fehlberg's
//! design), the fifth-order one only estimates its error. It has no free continuous
//! extension; the stepper interpolates by cubic Hermite from the step's end values.

use super::EmbeddedTableau;

/// Fourth-order weights (propagated).
const B4: [f64; 6] = [
    25.0 / 216.0,
    0.0,
    1408.0 / 2565.0,
    2197.0 / 4104.0,
    -1.0 / 5.0,
    0.0,
];
/// Fifth-order weights (the error estimate's).
const B5: [f64; 6] = [
    16.0 / 135.0,
    0.0,
    6656.0 / 12825.0,
    28561.0 / 56430.0,
    -9.0 / 50.0,
    2.0 / 55.0,
];

/// The Runge–Kutta–Fehlberg 4(5) pair (not FSAL; no interpolant of its own: `dense` is empty).
pub const RKF45: EmbeddedTableau<6> = EmbeddedTableau {
    c: [0.0, 0.25, 0.375, 12.0 / 13.0, 1.0, 0.5],
    a: [
        [0.0; 6],
        [0.25, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 32.0, 9.0 / 32.0, 0.0, 0.0, 0.0, 0.0],
        [
            1932.0 / 2197.0,
            -7200.0 / 2197.0,
            7296.0 / 2197.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            439.0 / 216.0,
            -8.0,
            3680.0 / 513.0,
            -845.0 / 4104.0,
            0.0,
            0.0,
        ],
        [
            -8.0 / 27.0,
            2.0,
            -3544.0 / 2565.0,
            1859.0 / 4104.0,
            -11.0 / 40.0,
            0.0,
        ],
    ],
    b: B4,
    e: [
        B4[0] - B5[0],
        B4[1] - B5[1],
        B4[2] - B5[2],
        B4[3] - B5[3],
        B4[4] - B5[4],
        B4[5] - B5[5],
    ],
    order: 4,
    // The estimate `b4 − b5` is the fourth-order solution's error, O(h⁵).
    error_order: 4,
    fsal: false,
    dense: &[],
};

#[cfg(test)]
mod tests {
    use super::super::checks::{order_conditions, row_sums};
    use super::*;

    #[test]
    fn order_conditions_hold() {
        let t = &RKF45;
        row_sums(&t.a, &t.c, 1e-14);
        order_conditions(&t.a, &t.b, &t.c, 4, 1e-13);
        order_conditions(&t.a, &B5, &t.c, 5, 1e-13);
        // The fourth-order weights are not of order 5 (else the estimate would vanish).
        let fifth: f64 = (0..6).map(|i| B4[i] * t.c[i].powi(4)).sum();
        assert!((fifth - 0.2).abs() > 1e-4);
    }
}
