//! Adaptive methods meet their tolerance on problems with exact or published solutions.

mod problems;

use odegen::prelude::*;
use problems::{
    max_abs_diff, Arenstorf, Circle, Decay, LotkaVolterra, Oscillator, ADAPTIVE, LV_Y10,
};

/// The global error of a well-conditioned non-stiff problem stays within a small multiple of
/// the local tolerance; 20× leaves room for error accumulation over many steps.
const GLOBAL_FACTOR: f64 = 20.0;

fn opts<const N: usize>(method: Method, tol: f64) -> Options<f64, N> {
    Options::new(method).rtol(tol).atol(tol)
}

#[test]
fn every_adaptive_method_meets_tolerance_on_exact_problems() {
    for method in ADAPTIVE {
        for tol in [1e-5, 1e-8, 1e-11] {
            // Exponential decay, three components with different scales.
            let decay = Decay { k: 0.5 };
            let y0 = [2.0, 4.0, 8.0];
            let sol = solve_ivp(&decay, (0.0, 10.0), y0, opts(method, tol)).unwrap();
            assert!(sol.success, "{method:?}: {}", sol.message);
            let err = max_abs_diff(sol.y.last().unwrap(), &decay.exact(y0, 10.0));
            assert!(
                err < GLOBAL_FACTOR * tol * 8.0,
                "{method:?} decay tol {tol}: {err:e}"
            );

            // Harmonic oscillator over ten periods.
            let osc = Oscillator { omega: 2.0 };
            let y0 = [1.0, 0.5];
            let t1 = 10.0 * std::f64::consts::PI;
            let sol = solve_ivp(&osc, (0.0, t1), y0, opts(method, tol)).unwrap();
            let err = max_abs_diff(sol.y.last().unwrap(), &osc.exact(y0, t1));
            assert!(
                err < GLOBAL_FACTOR * 10.0 * tol,
                "{method:?} oscillator tol {tol}: {err:e}"
            );

            // Commons Math's circle, c = (1, 1), ω = 0.1, y(0) = (0, 1), to t = 16.
            let circle = Circle {
                omega: 0.1,
                center: [1.0, 1.0],
            };
            let sol = solve_ivp(&circle, (0.0, 16.0), [0.0, 1.0], opts(method, tol)).unwrap();
            let err = max_abs_diff(sol.y.last().unwrap(), &circle.exact([0.0, 1.0], 16.0));
            assert!(
                err < GLOBAL_FACTOR * tol,
                "{method:?} circle tol {tol}: {err:e}"
            );
        }
    }
}

#[test]
fn lotka_volterra_matches_the_taylor_series_reference() {
    // Reference: (1.5, 1, 3, 1) from (1, 1) at t = 10, high-precision Taylor series
    // (shared/REFERENCES.md).
    for method in ADAPTIVE {
        let sol = solve_ivp(
            &LotkaVolterra::SCIPY,
            (0.0, 10.0),
            [1.0, 1.0],
            Options::new(method).rtol(1e-10).atol(1e-12),
        )
        .unwrap();
        let err = max_abs_diff(sol.y.last().unwrap(), &LV_Y10);
        let bound = if method == Method::Rk23 { 1e-7 } else { 1e-8 };
        assert!(err < bound, "{method:?}: {err:e}");
    }
}

#[test]
fn scipy_lotka_volterra_dense_output_keeps_the_first_integral() {
    // SciPy's documentation example: (a, b, c, d) = (1.5, 1, 3, 1), y0 = (10, 5), t in [0, 15],
    // dense output. The first integral is conserved by the exact flow, so the continuous
    // solution must keep it everywhere, not only at the steps.
    let lv = LotkaVolterra::SCIPY;
    let y0 = [10.0, 5.0];
    let h0 = lv.invariant(y0);
    for method in ADAPTIVE {
        let sol = solve_ivp(
            &lv,
            (0.0, 15.0),
            y0,
            Options::new(method)
                .rtol(1e-8)
                .atol(1e-8)
                .dense_output(true),
        )
        .unwrap();
        let dense = sol.sol.as_ref().expect("dense output requested");
        assert_eq!(dense.n_segments(), sol.stats.n_accepted);
        let mut worst: f64 = 0.0;
        for i in 0..=3000 {
            let t = 15.0 * i as f64 / 3000.0;
            let y = dense.eval(t).unwrap();
            worst = worst.max((lv.invariant(y) - h0).abs() / h0.abs());
        }
        assert!(
            worst < 1e-5,
            "{method:?}: relative drift of the invariant {worst:e}"
        );
    }
}

#[test]
fn arenstorf_orbit_closes_after_one_period_with_dop853() {
    // Hairer, Nørsett & Wanner I, II.0: the orbit is periodic with period PERIOD.
    let sol = solve_ivp(
        &Arenstorf,
        (0.0, Arenstorf::PERIOD),
        Arenstorf::Y0,
        Options::new(Method::Dop853).rtol(1e-10).atol(1e-10),
    )
    .unwrap();
    assert!(sol.success);
    let err = max_abs_diff(sol.y.last().unwrap(), &Arenstorf::Y0);
    assert!(err < 1e-6, "Arenstorf miss {err:e}");
}

#[test]
fn commons_math_circle_with_dop853_settings() {
    // Commons Math's DormandPrince853 test: min step 1e-8, max step 100, tolerances 1e-10.
    let circle = Circle {
        omega: 0.1,
        center: [1.0, 1.0],
    };
    let sol = solve_ivp(
        &circle,
        (0.0, 16.0),
        [0.0, 1.0],
        Options::new(Method::Dop853)
            .rtol(1e-10)
            .atol(1e-10)
            .min_step(1e-8)
            .max_step(100.0),
    )
    .unwrap();
    let err = max_abs_diff(sol.y.last().unwrap(), &circle.exact([0.0, 1.0], 16.0));
    assert!(err < 1e-9, "{err:e}");
}

#[test]
fn backward_integration_retraces_forward_integration() {
    let osc = Oscillator { omega: 1.0 };
    for method in ADAPTIVE {
        let opts = Options::new(method).rtol(1e-10).atol(1e-12);
        let sol = solve_ivp(&osc, (3.0, -2.0), [0.3, -0.7], opts.clone()).unwrap();
        assert!(sol.success);
        assert_eq!(*sol.t.last().unwrap(), -2.0);
        assert!(sol.t.windows(2).all(|w| w[1] < w[0]), "times decrease");
        // Exact solution shifted to start at t = 3.
        let exact = osc.exact([0.3, -0.7], -5.0);
        let err = max_abs_diff(sol.y.last().unwrap(), &exact);
        assert!(err < 1e-8, "{method:?} backward: {err:e}");
    }
}

#[test]
fn steps_never_pass_the_bound_and_land_on_it_exactly() {
    for method in ADAPTIVE {
        let sol = solve_ivp(&Decay { k: 1.0 }, (0.0, 0.3), [1.0], Options::new(method)).unwrap();
        assert_eq!(*sol.t.last().unwrap(), 0.3);
        assert!(sol.t.iter().all(|&t| (0.0..=0.3).contains(&t)));
    }
}

#[test]
fn max_step_bounds_every_step() {
    let sol = solve_ivp(
        &Decay { k: 0.1 },
        (0.0, 10.0),
        [1.0],
        Options::new(Method::Rk45).max_step(0.25),
    )
    .unwrap();
    assert!(sol
        .t
        .windows(2)
        .all(|w| w[1] - w[0] <= 0.25 * (1.0 + 1e-12)));
    assert!(sol.t.len() >= 41);
}

#[test]
fn first_step_is_taken_as_given() {
    let sol = solve_ivp(
        &Decay { k: 0.1 },
        (0.0, 10.0),
        [1.0],
        Options::new(Method::Rk23).first_step(1e-3),
    )
    .unwrap();
    assert!((sol.t[1] - 1e-3).abs() < 1e-18);
}

#[test]
fn tighter_tolerance_costs_more_and_is_more_accurate() {
    let osc = Oscillator { omega: 1.0 };
    for method in ADAPTIVE {
        let run = |tol: f64| {
            let s = solve_ivp(
                &osc,
                (0.0, 20.0),
                [1.0, 0.0],
                Options::new(method).rtol(tol).atol(tol),
            )
            .unwrap();
            let e = max_abs_diff(s.y.last().unwrap(), &osc.exact([1.0, 0.0], 20.0));
            (s.stats.nfev, e)
        };
        let (n1, e1) = run(1e-5);
        let (n2, e2) = run(1e-9);
        assert!(
            n2 > n1 && e2 < e1,
            "{method:?}: ({n1}, {e1:e}) vs ({n2}, {e2:e})"
        );
    }
}

#[test]
fn f32_state_integrates_to_single_precision() {
    struct DecayF32;
    impl OdeSystem<1, f32> for DecayF32 {
        fn rhs(&self, _t: f32, y: &[f32; 1], dy: &mut [f32; 1]) {
            dy[0] = -y[0];
        }
    }
    let sol = solve_ivp(
        &DecayF32,
        (0.0f32, 2.0),
        [1.0f32],
        Options::new(Method::Rk45).rtol(1e-5),
    )
    .unwrap();
    assert!((sol.y.last().unwrap()[0] - (-2.0f32).exp()).abs() < 1e-5);
}
