//! Classical fixed-step explicit Runge–Kutta methods: forward Euler, the explicit midpoint rule,
//! the classical fourth-order method, Gill's variant, Kutta's 3/8 rule and Luther's sixth-order
//! method.
//!
//! Sources: Hairer, Nørsett & Wanner, *Solving Ordinary Differential Equations I* (2nd ed.,
//! Springer 1993), Sec. II.1 (Euler, midpoint, RK4, 3/8 rule); S. Gill, "A process
//! for the step-by-step integration of differential equations in an automatic digital computing
//! machine", Proc. Cambridge Philos. Soc. 47 (1951) 96–108; W. Kutta, "Beitrag zur
//! näherungsweisen Integration totaler Differentialgleichungen", Z. Math. Phys. 46 (1901)
//! 435–453; H. A. Luther, "An explicit sixth-order Runge-Kutta formula", Math. Comp. 22 (1968)
//! 434–436 (tableau as documented in Apache Commons Math's `LutherIntegrator`).

use super::ExplicitTableau;

/// `√2`, for Gill's coefficients.
const SQRT2: f64 = core::f64::consts::SQRT_2;

/// `√21`, for Luther's coefficients (more digits than an `f64` holds; the compiler rounds).
#[allow(clippy::excessive_precision)] // the published value, kept to full precision on purpose
const SQRT21: f64 = 4.582_575_694_955_840_006_588_047_193_728_008_488_984_456_576_767_971_9;

/// Forward Euler, order 1 (Hairer–Nørsett–Wanner I, II.1).
pub const EULER: ExplicitTableau<1> = ExplicitTableau {
    c: [0.0],
    a: [[0.0]],
    b: [1.0],
    order: 1,
};

/// The explicit midpoint rule (Runge 1895), order 2 (Hairer–Nørsett–Wanner I, II.1).
pub const MIDPOINT: ExplicitTableau<2> = ExplicitTableau {
    c: [0.0, 0.5],
    a: [[0.0, 0.0], [0.5, 0.0]],
    b: [0.0, 1.0],
    order: 2,
};

/// The classical fourth-order Runge–Kutta method (Kutta 1901; Hairer–Nørsett–Wanner I, II.1).
pub const RK4: ExplicitTableau<4> = ExplicitTableau {
    c: [0.0, 0.5, 0.5, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0],
        [0.5, 0.0, 0.0, 0.0],
        [0.0, 0.5, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
    ],
    b: [1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0],
    order: 4,
};

/// Gill's fourth-order method, a variant of [`RK4`] with coefficients involving `√2` that
/// minimises storage (S. Gill, Proc. Cambridge Philos. Soc. 47 (1951) 96–108; coefficients
/// as in Apache Commons Math's `GillIntegrator`).
pub const GILL: ExplicitTableau<4> = ExplicitTableau {
    c: [0.0, 0.5, 0.5, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0],
        [0.5, 0.0, 0.0, 0.0],
        [(SQRT2 - 1.0) / 2.0, (2.0 - SQRT2) / 2.0, 0.0, 0.0],
        [0.0, -SQRT2 / 2.0, (2.0 + SQRT2) / 2.0, 0.0],
    ],
    b: [
        1.0 / 6.0,
        (2.0 - SQRT2) / 6.0,
        (2.0 + SQRT2) / 6.0,
        1.0 / 6.0,
    ],
    order: 4,
};

/// Kutta's 3/8 rule, order 4 (W. Kutta, Z. Math. Phys. 46 (1901) 435–453;
/// Hairer–Nørsett–Wanner I, II.1).
pub const THREE_EIGHTHS: ExplicitTableau<4> = ExplicitTableau {
    c: [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0],
    a: [
        [0.0, 0.0, 0.0, 0.0],
        [1.0 / 3.0, 0.0, 0.0, 0.0],
        [-1.0 / 3.0, 1.0, 0.0, 0.0],
        [1.0, -1.0, 1.0, 0.0],
    ],
    b: [1.0 / 8.0, 3.0 / 8.0, 3.0 / 8.0, 1.0 / 8.0],
    order: 4,
};

/// Luther's seven-stage sixth-order method, with nodes at the Gauss–Lobatto points
/// `(7 ± √21)/14` (H. A. Luther, "An explicit sixth-order Runge-Kutta formula", Math. Comp. 22
/// (1968) 434–436; coefficients as in Apache Commons Math,
/// `org/apache/commons/math3/ode/nonstiff/LutherIntegrator.java`).
pub const LUTHER: ExplicitTableau<7> = ExplicitTableau {
    c: [
        0.0,
        1.0,
        0.5,
        2.0 / 3.0,
        (7.0 - SQRT21) / 14.0,
        (7.0 + SQRT21) / 14.0,
        1.0,
    ],
    a: [
        [0.0; 7],
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 8.0, 1.0 / 8.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [8.0 / 27.0, 2.0 / 27.0, 8.0 / 27.0, 0.0, 0.0, 0.0, 0.0],
        [
            (-21.0 + 9.0 * SQRT21) / 392.0,
            (-56.0 + 8.0 * SQRT21) / 392.0,
            (336.0 - 48.0 * SQRT21) / 392.0,
            (-63.0 + 3.0 * SQRT21) / 392.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            (-1155.0 - 255.0 * SQRT21) / 1960.0,
            (-280.0 - 40.0 * SQRT21) / 1960.0,
            (-320.0 * SQRT21) / 1960.0,
            (63.0 + 363.0 * SQRT21) / 1960.0,
            (2352.0 + 392.0 * SQRT21) / 1960.0,
            0.0,
            0.0,
        ],
        [
            (330.0 + 105.0 * SQRT21) / 180.0,
            120.0 / 180.0,
            (-200.0 + 280.0 * SQRT21) / 180.0,
            (126.0 - 189.0 * SQRT21) / 180.0,
            (-686.0 - 126.0 * SQRT21) / 180.0,
            (490.0 - 70.0 * SQRT21) / 180.0,
            0.0,
        ],
    ],
    b: [
        1.0 / 20.0,
        0.0,
        16.0 / 45.0,
        0.0,
        49.0 / 180.0,
        49.0 / 180.0,
        1.0 / 20.0,
    ],
    order: 6,
};

#[cfg(test)]
mod tests {
    extern crate std;

    use super::super::checks::{order_conditions, row_sums};
    use super::*;

    fn check<const S: usize>(t: &ExplicitTableau<S>) {
        row_sums(&t.a, &t.c, 1e-14);
        order_conditions(&t.a, &t.b, &t.c, t.order.min(5), 1e-13);
    }

    #[test]
    fn euler() {
        check(&EULER);
    }

    #[test]
    fn midpoint() {
        check(&MIDPOINT);
    }

    #[test]
    fn rk4() {
        check(&RK4);
    }

    #[test]
    fn gill() {
        check(&GILL);
        // Spot values against the decimal expansions of Gill's coefficients.
        assert!((GILL.a[2][0] - 0.207_106_781_186_547_5).abs() < 1e-16);
        assert!((GILL.a[3][2] - 1.707_106_781_186_547_5).abs() < 1e-15);
        assert!((GILL.b[1] - 0.097_631_072_937_817_5).abs() < 1e-16);
    }

    #[test]
    fn three_eighths() {
        check(&THREE_EIGHTHS);
    }

    #[test]
    fn luther() {
        check(&LUTHER);
        assert!((SQRT21 * SQRT21 - 21.0).abs() < 1e-14);
    }

    /// `y' = y cos t`, `y(0) = 1`, solution `exp(sin t)`.
    fn f(t: f64, y: f64) -> f64 {
        y * t.cos()
    }

    /// Error at `t = 1` of `n` fixed steps of `tab` on `y' = y cos t`.
    fn global_error<const S: usize>(tab: &ExplicitTableau<S>, n: usize) -> f64 {
        let h = 1.0 / n as f64;
        let mut y = 1.0;
        for step in 0..n {
            let t = step as f64 * h;
            let mut k = [0.0; S];
            for i in 0..S {
                let yi = y + h * (0..i).map(|j| tab.a[i][j] * k[j]).sum::<f64>();
                k[i] = f(t + tab.c[i] * h, yi);
            }
            y += h * (0..S).map(|i| tab.b[i] * k[i]).sum::<f64>();
        }
        (y - 1.0f64.sin().exp()).abs()
    }

    /// Asserts `log2(err_n / err_2n)` is within ±0.2 of the tableau's order.
    fn measured_order<const S: usize>(name: &str, tab: &ExplicitTableau<S>, n: usize) {
        let (e1, e2) = (global_error(tab, n), global_error(tab, 2 * n));
        assert!(e2 > 1e-12, "{name}: errors too small to measure ({e2:e})");
        let p = (e1 / e2).log2();
        std::eprintln!("{name}: n = {n}: err {e1:.3e}, 2n: err {e2:.3e}, measured order {p:.3}");
        assert!(
            (p - tab.order as f64).abs() < 0.2,
            "{name}: measured order {p}, expected {}",
            tab.order
        );
    }

    #[test]
    fn measured_orders() {
        measured_order("EULER", &EULER, 200);
        measured_order("MIDPOINT", &MIDPOINT, 50);
        measured_order("RK4", &RK4, 10);
        // On a scalar linear problem Gill and RK4 give the same result up to rounding (their
        // weights agree on every product of stage values when c_2 = c_3); the order conditions
        // above are what tell them apart.
        measured_order("GILL", &GILL, 10);
        measured_order("THREE_EIGHTHS", &THREE_EIGHTHS, 40);
        measured_order("LUTHER", &LUTHER, 10);
    }
}
