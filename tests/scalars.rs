//! The explicit methods integrate any `Scalar`: f64, f32, complex and dual numbers.

use num_complex::Complex64;
use num_dual::Dual64;
use odegen::prelude::*;

/// `y' = i ω y`: exact `y0 e^{i ω t}`.
struct Rotation {
    omega: f64,
}

impl OdeSystem<2, Complex64> for Rotation {
    fn rhs(&self, _t: f64, y: &[Complex64; 2], dy: &mut [Complex64; 2]) {
        let iw = Complex64::new(0.0, self.omega);
        dy[0] = iw * y[0];
        dy[1] = -iw * y[1];
    }
}

#[test]
fn complex_rotation_is_solved_to_tolerance() {
    let sys = Rotation { omega: 3.0 };
    let y0 = [Complex64::new(1.0, 0.0), Complex64::new(0.5, -0.5)];
    let t1 = 5.0;
    let exact = [
        y0[0] * Complex64::new(0.0, 3.0 * t1).exp(),
        y0[1] * Complex64::new(0.0, -3.0 * t1).exp(),
    ];
    for method in [
        Method::Rk23,
        Method::Rk45,
        Method::HighamHall54,
        Method::Tsit5,
        Method::Dop853,
    ] {
        let sol = solve_ivp(
            &sys,
            (0.0, t1),
            y0,
            Options::new(method)
                .rtol(1e-9)
                .atol(1e-12)
                .dense_output(true),
        )
        .unwrap();
        let y = sol.y.last().unwrap();
        let err = (y[0] - exact[0]).norm().max((y[1] - exact[1]).norm());
        assert!(err < 1e-7, "{method:?}: {err:e}");
        // The modulus is conserved by the exact flow; dense output keeps it too.
        let mid = sol.sol.as_ref().unwrap().eval(2.345).unwrap();
        assert!((mid[0].norm() - 1.0).abs() < 1e-7, "{method:?}");
    }
    // A fixed-step method, through the stepping API.
    let mut rk = Luther::new(&sys, 0.0, y0, t1, 1e-2).unwrap();
    while !rk.is_finished() {
        rk.step().unwrap();
    }
    assert!((rk.y()[0] - exact[0]).norm() < 1e-9);
}

/// `y' = −k y` with a dual-number rate: integrating with `k = k0 + ε` carries
/// `∂y/∂k` in the dual part.
struct DualDecay {
    k: Dual64,
}

impl OdeSystem<1, Dual64> for DualDecay {
    fn rhs(&self, _t: f64, y: &[Dual64; 1], dy: &mut [Dual64; 1]) {
        dy[0] = -self.k * y[0];
    }
}

/// The pendulum `θ'' = −(g/L) sin θ` with a dual length, checked by finite differences of
/// the plain f64 solution.
struct Pendulum<S> {
    g_over_l: S,
}

impl OdeSystem<2, Dual64> for Pendulum<Dual64> {
    fn rhs(&self, _t: f64, y: &[Dual64; 2], dy: &mut [Dual64; 2]) {
        use num_dual::DualNum;
        *dy = [y[1], -self.g_over_l * y[0].sin()];
    }
}

impl OdeSystem<2> for Pendulum<f64> {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -self.g_over_l * y[0].sin()];
    }
}

#[test]
fn dual_numbers_give_the_parameter_derivative_of_the_final_state() {
    // y(T) = y0 e^{−kT}, so ∂y(T)/∂k = −T y0 e^{−kT}.
    let (k0, y0, t1) = (0.7, 2.0, 3.0);
    let sys = DualDecay {
        k: Dual64::new(k0, 1.0),
    };
    for method in [Method::Rk45, Method::Tsit5, Method::Dop853] {
        let sol = solve_ivp(
            &sys,
            (0.0, t1),
            [Dual64::from_re(y0)],
            Options::new(method).rtol(1e-10).atol(1e-12),
        )
        .unwrap();
        let y = sol.y.last().unwrap()[0];
        let exact = y0 * (-k0 * t1).exp();
        assert!((y.re - exact).abs() < 1e-9, "{method:?}: value {}", y.re);
        let d_exact = -t1 * exact;
        assert!(
            (y.eps - d_exact).abs() < 1e-8,
            "{method:?}: derivative {} vs {d_exact}",
            y.eps
        );
    }
}

#[test]
fn dual_pendulum_derivative_matches_central_differences() {
    let (w, t1, y0) = (2.0, 4.0, [1.0, 0.0]);
    let tight = |m: Method| Options::new(m).rtol(1e-12).atol(1e-12);
    let plain = |w: f64| {
        solve_ivp(
            &Pendulum { g_over_l: w },
            (0.0, t1),
            y0,
            tight(Method::Dop853),
        )
        .unwrap()
        .y
        .last()
        .copied()
        .unwrap()
    };
    let d = 1e-5;
    let (hi, lo) = (plain(w + d), plain(w - d));
    let fd = [(hi[0] - lo[0]) / (2.0 * d), (hi[1] - lo[1]) / (2.0 * d)];
    let dual = solve_ivp(
        &Pendulum {
            g_over_l: Dual64::new(w, 1.0),
        },
        (0.0, t1),
        y0.map(Dual64::from_re),
        tight(Method::Dop853),
    )
    .unwrap();
    let y = dual.y.last().unwrap();
    for i in 0..2 {
        assert!(
            (y[i].eps - fd[i]).abs() < 1e-6 * (1.0 + fd[i].abs()),
            "component {i}: dual {} vs central difference {}",
            y[i].eps,
            fd[i]
        );
    }
}
