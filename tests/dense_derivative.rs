//! Dense output gives the derivative too (Commons Math's interpolators: "both the state and its
//! derivative between the time steps"), for every method, from the stepper, the step handlers'
//! `StepView` and the stored `DenseSolution` alike.
//!
//! The problem is the oscillator `y0' = y1`, `y1' = −y0` from `(0, 1)`: `y = (sin t, cos t)`,
//! `y' = (cos t, −sin t)`. The derivative of an interpolant of order `q` is of order `q − 1`:
//! its error is the interpolant's divided by a step, so the bound is set by the solution's own
//! error on the same points: the derivative's error is held within 1000 times it (or 1e-8), for
//! every method but BDF, inside the steps and against `f(t, y)` at their ends; the largest
//! ratio measured among them is Radau5's, about 280 (its continuous output is the cubic
//! collocation polynomial, over steps of about 0.3). BDF's interpolant is the polynomial
//! through its last `q + 1` points, whose derivative inside a step carries the error of the
//! `q`-th difference: 1250 times the solution's error measured, held within 10⁴.

use odegen::prelude::*;

struct Oscillator;
impl OdeSystem<2> for Oscillator {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -y[0]];
    }
}

fn options(method: Method) -> Options<f64, 2> {
    let o = Options::new(method)
        .rtol(1e-10)
        .atol(1e-12)
        .dense_output(true);
    if method.is_fixed_step() {
        o.first_step(1e-3)
    } else {
        o
    }
}

/// How many times the solution's error the derivative's may be (module documentation).
fn ratio(method: &str) -> f64 {
    if method == "BDF" {
        1e4
    } else {
        1e3
    }
}

fn dist(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    (a[0] - b[0]).abs().max((a[1] - b[1]).abs())
}

fn exact(t: f64) -> ([f64; 2], [f64; 2]) {
    ([t.sin(), t.cos()], [t.cos(), -t.sin()])
}

/// `DenseSolution::eval_derivative` over the whole span, against the exact derivative.
#[test]
fn the_continuous_solution_gives_the_derivative_for_every_method() {
    for method in Method::ALL {
        let sol = solve_ivp(&Oscillator, (0.0, 5.0), [0.0, 1.0], options(method))
            .and_then(|s| s.into_result())
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let dense = sol.sol.as_ref().unwrap();
        let (mut err_y, mut err_d) = (0.0f64, 0.0f64);
        for k in 0..=500 {
            let t = 5.0 * k as f64 / 500.0;
            let (y, dy) = exact(t);
            err_y = err_y.max(dist(&dense.eval(t).unwrap(), &y));
            err_d = err_d.max(dist(&dense.eval_derivative(t).unwrap(), &dy));
        }
        assert!(
            err_d <= ratio(&method.to_string()) * err_y.max(1e-11),
            "{method}: derivative error {err_d:e}, solution error {err_y:e}"
        );
        assert!(dense.eval_derivative(5.5).is_err(), "{method}");
    }
}

/// `StepView::eval_derivative` inside each step, and at its end against `f(t_end, y_end)`,
/// with the allocation-free driver over each stepper type; `Stepper::dense_derivative` before
/// the first step is `f` at the start.
fn check_steps<St: Stepper<f64, 2>>(mut st: St, what: &str) -> &str {
    assert_eq!(
        st.dense_derivative(0.0).unwrap(),
        [1.0, 0.0],
        "{what}: before the first step"
    );
    let mut err_y = 0.0f64;
    let mut err_d = 0.0f64;
    let mut err_end = 0.0f64;
    let mut steps = 0;
    let mut outside_refused = true;
    let mut handler = FnHandler(|step: &mut StepView<'_, f64, 2>| {
        let (t0, t1) = (step.t_start(), step.t_end());
        for k in 1..4 {
            let t = t0 + (t1 - t0) * k as f64 / 4.0;
            let (y, dy) = exact(t);
            err_y = err_y.max(dist(&step.eval(t).unwrap(), &y));
            err_d = err_d.max(dist(&step.eval_derivative(t).unwrap(), &dy));
        }
        let y1 = *step.y_end();
        let f1 = [y1[1], -y1[0]];
        err_end = err_end.max(dist(&step.eval_derivative(t1).unwrap(), &f1));
        outside_refused &= step.eval_derivative(t1 + 2.0 * (t1 - t0)).is_err();
        steps += 1;
    });
    run(&mut st, NoEvents, &mut handler, &mut |_| {}).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(steps > 0, "{what}");
    let bound = ratio(what) * err_y.max(1e-11);
    assert!(
        err_d <= bound,
        "{what}: inside {err_d:e}, solution {err_y:e}"
    );
    assert!(
        err_end <= bound,
        "{what}: at ends {err_end:e}, solution {err_y:e}"
    );
    assert!(
        outside_refused,
        "{what}: a time outside the step was accepted"
    );
    what
}

#[test]
fn each_step_gives_the_derivative_for_every_method() {
    let (y0, t1, h) = ([0.0, 1.0], 5.0, 1e-3);
    let tol = Tolerances::new(1e-10, 1e-12);
    let s = Oscillator;
    let checked = [
        check_steps(Rk23::new(&s, 0.0, y0, t1, tol).unwrap(), "RK23"),
        check_steps(Rk45::new(&s, 0.0, y0, t1, tol).unwrap(), "RK45"),
        check_steps(Dop853::new(&s, 0.0, y0, t1, tol).unwrap(), "DOP853"),
        check_steps(
            HighamHall54::new(&s, 0.0, y0, t1, tol).unwrap(),
            "HighamHall54",
        ),
        check_steps(Tsit5::new(&s, 0.0, y0, t1, tol).unwrap(), "Tsit5"),
        check_steps(Rkf45::new(&s, 0.0, y0, t1, tol).unwrap(), "RKF45"),
        check_steps(Euler::new(&s, 0.0, y0, t1, h).unwrap(), "Euler"),
        check_steps(Midpoint::new(&s, 0.0, y0, t1, h).unwrap(), "Midpoint"),
        check_steps(Rk4::new(&s, 0.0, y0, t1, h).unwrap(), "RK4"),
        check_steps(Gill::new(&s, 0.0, y0, t1, h).unwrap(), "Gill"),
        check_steps(ThreeEighths::new(&s, 0.0, y0, t1, h).unwrap(), "3/8 rule"),
        check_steps(Luther::new(&s, 0.0, y0, t1, h).unwrap(), "Luther"),
        check_steps(Radau5::new(&s, 0.0, y0, t1, tol).unwrap(), "Radau"),
        check_steps(
            AdaptiveRadau::new(&s, 0.0, y0, t1, tol).unwrap(),
            "AdaptiveRadau",
        ),
        check_steps(Bdf::new(&s, 0.0, y0, t1, tol).unwrap(), "BDF"),
        check_steps(Rodas5P::new(&s, 0.0, y0, t1, tol).unwrap(), "Rodas5P"),
        check_steps(Rodas4::new(&s, 0.0, y0, t1, tol).unwrap(), "Rodas4"),
        check_steps(
            Rosenbrock23::new(&s, 0.0, y0, t1, tol).unwrap(),
            "Rosenbrock23",
        ),
    ];
    // One stepper per method of the table.
    let mut names: Vec<String> = Method::ALL.iter().map(|m| m.to_string()).collect();
    names.sort();
    let mut checked: Vec<String> = checked.iter().map(|s| s.to_string()).collect();
    checked.sort();
    assert_eq!(names, checked);
}
