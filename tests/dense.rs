//! Dense output: inside every step, across the whole span, forward and backward.

mod problems;

use odegen::prelude::*;
use odegen::{DenseSolution, Stepper};
use problems::{max_abs_diff, ExpSin, Oscillator};

/// Steps through `[0, 3]` and checks the interpolant at interior points of every step against
/// the exact solution; returns the worst error.
fn worst_dense_error<St: Stepper<f64, 1>>(mut st: St) -> f64 {
    let mut worst: f64 = 0.0;
    let mut coeffs = [[0.0; 1]; 8];
    while !st.is_finished() {
        st.step().unwrap();
        // The interpolant matches both ends of the step.
        assert!((st.dense(st.t_prev()).unwrap()[0] - step_start(&mut st)).abs() < 1e-13);
        assert!((st.dense(st.t()).unwrap()[0] - st.y()[0]).abs() < 1e-13);
        let terms = st.dense_terms();
        st.dense_coefficients(&mut coeffs[..terms]);
        for theta in [0.1, 0.25, 0.5, 0.75, 0.9] {
            let t = st.t_prev() + theta * st.h();
            let y = st.dense(t).unwrap()[0];
            worst = worst.max((y - ExpSin::exact(t)).abs());
            // The monomial form (what DenseSolution stores) agrees with dense().
            let poly: f64 = coeffs[..terms]
                .iter()
                .rev()
                .fold(0.0, |acc, c| acc * theta + c[0]);
            assert!((poly - y).abs() < 1e-13 * (1.0 + y.abs()), "{poly} vs {y}");
        }
    }
    worst
}

/// The state at the start of the last step, recovered from the monomial coefficients.
fn step_start<St: Stepper<f64, 1>>(st: &mut St) -> f64 {
    let mut c = [[0.0; 1]; 8];
    let n = st.dense_terms();
    st.dense_coefficients(&mut c[..n]);
    c[0][0]
}

#[test]
fn interpolants_are_accurate_inside_every_step() {
    let tol = |r: f64| Tolerances::new(r, r);
    // The interpolants are of lower order than the steps (3 for Rk23, 4 for Dopri5, HH54 and
    // Tsit5, 7 for Dop853), so between steps the error may exceed the local tolerance by a
    // modest factor; 50× bounds it for every method.
    let cases = [
        (
            "Rk23",
            worst_dense_error(Rk23::new(ExpSin, 0.0, [1.0], 3.0, tol(1e-8)).unwrap()),
            5e-7,
        ),
        (
            "Dopri5",
            worst_dense_error(Dopri5::new(ExpSin, 0.0, [1.0], 3.0, tol(1e-8)).unwrap()),
            5e-7,
        ),
        (
            "HighamHall54",
            worst_dense_error(HighamHall54::new(ExpSin, 0.0, [1.0], 3.0, tol(1e-8)).unwrap()),
            5e-7,
        ),
        (
            "Tsit5",
            worst_dense_error(Tsit5::new(ExpSin, 0.0, [1.0], 3.0, tol(1e-8)).unwrap()),
            5e-7,
        ),
        (
            "Dop853",
            worst_dense_error(Dop853::new(ExpSin, 0.0, [1.0], 3.0, tol(1e-11)).unwrap()),
            5e-10,
        ),
        (
            "Rk4",
            worst_dense_error(Rk4::new(ExpSin, 0.0, [1.0], 3.0, 1e-2).unwrap()),
            1e-8,
        ),
    ];
    for (name, worst, bound) in cases {
        eprintln!("{name:>13}: worst dense error {worst:.2e}");
        assert!(worst < bound, "{name}: {worst:e} ≥ {bound:e}");
    }
}

#[test]
fn dense_solution_covers_the_span_backward_too() {
    let osc = Oscillator { omega: 1.5 };
    let y0 = [0.2, 1.0];
    for method in [Method::Rk23, Method::Rk45, Method::Tsit5, Method::Dop853] {
        for (t0, t1) in [(0.0, 7.0), (7.0, 0.0)] {
            let sol = solve_ivp(
                &osc,
                (t0, t1),
                y0,
                Options::new(method)
                    .rtol(1e-10)
                    .atol(1e-12)
                    .dense_output(true),
            )
            .unwrap();
            let dense: &DenseSolution<f64, 2> = sol.sol.as_ref().unwrap();
            assert_eq!(dense.span(), Some((t0, t1)));
            for i in 0..=700 {
                let t = i as f64 / 100.0;
                let exact = osc.exact(y0, t - t0);
                let err = max_abs_diff(&dense.eval(t).unwrap(), &exact);
                assert!(err < 1e-7, "{method:?} ({t0}, {t1}) at t = {t}: {err:e}");
            }
            // Outside the integrated span there is no solution to give.
            assert!(dense.eval(-0.5).is_err());
            assert!(dense.eval(7.5).is_err());
        }
    }
}

#[test]
fn t_eval_points_come_from_dense_output() {
    // SciPy's documentation example: y' = −0.5 y, y0 = (2, 4, 8), t_eval = [0, 1, 2, 4, 10].
    let t_eval = vec![0.0, 1.0, 2.0, 4.0, 10.0];
    let y0 = [2.0, 4.0, 8.0];
    let decay = problems::Decay { k: 0.5 };
    for method in problems::ADAPTIVE {
        let sol = solve_ivp(
            &decay,
            (0.0, 10.0),
            y0,
            Options::new(method).t_eval(t_eval.clone()),
        )
        .unwrap();
        assert_eq!(sol.t, t_eval);
        assert_eq!(sol.y[0], y0);
        for (t, y) in sol.t.iter().zip(&sol.y) {
            let exact = decay.exact(y0, *t);
            for i in 0..3 {
                // Default tolerances rtol = 1e-3, atol = 1e-6, as in SciPy, whose own RK45 run
                // of this example is 0.25 % off at t = 10; the third-order Rk23 accumulates
                // more global error over the 10 time units.
                assert!(
                    (y[i] - exact[i]).abs() <= 3e-2 * exact[i].abs() + 1e-5,
                    "{method:?} t = {t}: {} vs {}",
                    y[i],
                    exact[i]
                );
            }
        }
    }
}

#[test]
fn t_eval_works_backward_and_with_fixed_steps() {
    let osc = Oscillator { omega: 1.0 };
    let t_eval: Vec<f64> = (0..=10).rev().map(|i| i as f64 * 0.3).collect();
    let sol = solve_ivp(
        &osc,
        (3.0, 0.0),
        [1.0, 0.0],
        Options::new(Method::Rk4)
            .first_step(1e-3)
            .t_eval(t_eval.clone()),
    )
    .unwrap();
    assert_eq!(sol.t, t_eval);
    for (t, y) in sol.t.iter().zip(&sol.y) {
        let exact = osc.exact([1.0, 0.0], t - 3.0);
        assert!(max_abs_diff(y, &exact) < 1e-9, "t = {t}");
    }
}
