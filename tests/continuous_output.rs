//! The continuous output model (`DenseSolution`, Commons Math's `ContinuousOutputModel`):
//! filled by a handler, evaluated anywhere in its span, appended, serialised, and the very
//! object `solve_ivp` returns as `sol`.

mod problems;

use odegen::prelude::*;
use odegen::Stepper;
use problems::{max_abs_diff, Decay, Oscillator};

const OSC: Oscillator = Oscillator { omega: 2.0 };
const Y0: [f64; 2] = [1.0, 0.5];

fn exact(t: f64) -> [f64; 2] {
    OSC.exact(Y0, t)
}

fn tol() -> Tolerances<f64, 2> {
    Tolerances::new(1e-10, 1e-10)
}

/// A DenseSolution of the oscillator from `(t0, exact(t0))` to `t1` with DOP853, filled by `run`;
/// also the number of accepted steps.
fn dense(t0: f64, t1: f64) -> (DenseSolution<f64, 2>, usize) {
    let mut st = Dop853::new(OSC, t0, exact(t0), t1, tol()).unwrap();
    let mut sol = DenseSolution::new();
    run(&mut st, NoEvents, &mut sol, &mut |_| {}).unwrap();
    (sol, st.stats().n_accepted)
}

/// The largest error against the exact solution at `n + 1` points evenly over `[a, b]`.
fn worst_error(sol: &DenseSolution<f64, 2>, a: f64, b: f64, n: usize) -> f64 {
    (0..=n)
        .map(|i| {
            let t = a + (b - a) * i as f64 / n as f64;
            max_abs_diff(&sol.eval(t).unwrap(), &exact(t))
        })
        .fold(0.0, f64::max)
}

#[test]
fn stores_every_step_and_evaluates_anywhere_in_the_span() {
    let (sol, n) = dense(0.0, 10.0);
    assert!(n > 10);
    assert_eq!(sol.n_segments(), n);
    assert_eq!(sol.span(), Some((0.0, 10.0)));
    let worst = worst_error(&sol, 0.0, 10.0, 2000);
    eprintln!("DOP853 dense solution over [0, 10]: worst error {worst:.1e} (rtol = atol = 1e-10)");
    assert!(worst < 5e-9, "{worst:e}");
    // The ends are the initial state and the final one.
    assert_eq!(sol.eval(0.0).unwrap(), Y0);
    assert!(max_abs_diff(&sol.eval(10.0).unwrap(), &exact(10.0)) < 5e-9);
    // Outside the span: errors.
    for t in [-0.1, -1e-9, 10.0 + 1e-9, 10.5, f64::NAN] {
        assert!(
            matches!(sol.eval(t), Err(Error::OutsideInterpolant { .. })),
            "eval({t}) must fail"
        );
    }
    // An empty solution has no span and evaluates nowhere.
    let empty = DenseSolution::<f64, 2>::new();
    assert_eq!(empty.span(), None);
    assert_eq!(empty.n_segments(), 0);
    assert!(empty.eval(0.0).is_err());
}

#[test]
fn filled_by_a_handler_or_by_push_step_alike() {
    // Without events the views are the steps: push_view and push_step store the same.
    let (by_handler, _) = dense(0.0, 10.0);
    let mut st = Dop853::new(OSC, 0.0, Y0, 10.0, tol()).unwrap();
    let mut by_hand = DenseSolution::new();
    while !st.is_finished() {
        st.step().unwrap();
        by_hand.push_step(&mut st);
    }
    assert_eq!(by_hand, by_handler);
}

#[test]
fn backward_solutions_evaluate_too() {
    let (sol, n) = dense(10.0, 0.0);
    assert_eq!(sol.n_segments(), n);
    assert_eq!(sol.span(), Some((10.0, 0.0)));
    let worst = worst_error(&sol, 10.0, 0.0, 2000);
    eprintln!("backward: worst error {worst:.1e}");
    assert!(worst < 5e-9, "{worst:e}");
    assert!(sol.eval(-0.1).is_err() && sol.eval(10.1).is_err());
}

#[test]
fn append_joins_consecutive_integrations() {
    // The second integration starts where the first ended, from the first's end state.
    let mut st = Dop853::new(OSC, 0.0, Y0, 4.0, tol()).unwrap();
    let mut first = DenseSolution::new();
    run(&mut st, NoEvents, &mut first, &mut |_| {}).unwrap();
    let y4 = *st.y();
    let mut st = Dop853::new(OSC, 4.0, y4, 10.0, tol()).unwrap();
    let mut second = DenseSolution::new();
    run(&mut st, NoEvents, &mut second, &mut |_| {}).unwrap();

    let mut joined = first.clone();
    joined.append(&second).unwrap();
    assert_eq!(
        joined.n_segments(),
        first.n_segments() + second.n_segments()
    );
    assert_eq!(joined.span(), Some((0.0, 10.0)));
    let worst = worst_error(&joined, 0.0, 10.0, 2000);
    eprintln!("appended: worst error {worst:.1e}");
    assert!(worst < 5e-9, "{worst:e}");
    // Each part evaluates as it did on its own.
    for i in 0..=100 {
        let t = 0.1 * i as f64;
        let part = if t <= 4.0 { &first } else { &second };
        assert_eq!(joined.eval(t).unwrap(), part.eval(t).unwrap(), "t = {t}");
    }
    // Appending to an empty solution copies.
    let mut empty = DenseSolution::new();
    empty.append(&first).unwrap();
    assert_eq!(empty, first);
    // Appending an empty solution changes nothing.
    let mut same = first.clone();
    same.append(&DenseSolution::new()).unwrap();
    assert_eq!(same, first);

    // Backward parts join backward.
    let (b1, _) = dense(10.0, 6.0);
    let (b2, _) = dense(6.0, 1.0);
    let mut back = b1.clone();
    back.append(&b2).unwrap();
    assert_eq!(back.span(), Some((10.0, 1.0)));
    assert!(worst_error(&back, 10.0, 1.0, 500) < 5e-9);
}

#[test]
fn append_refuses_what_does_not_continue() {
    let (first, _) = dense(0.0, 4.0);
    let cases = [
        ("a gap", dense(4.5, 10.0).0),
        ("an overlap", dense(3.0, 10.0).0),
        ("the same span again", dense(0.0, 4.0).0),
        ("the other direction", dense(4.0, 2.0).0),
    ];
    for (what, other) in cases {
        let mut joined = first.clone();
        let r = joined.append(&other);
        assert!(
            matches!(r, Err(Error::InvalidOption { .. })),
            "{what}: {r:?}"
        );
        assert_eq!(
            joined, first,
            "{what}: a refused append leaves the solution as it was"
        );
    }
}

#[test]
fn serde_round_trip_is_exact() {
    let (sol, _) = dense(0.0, 10.0);
    let json = serde_json::to_string(&sol).unwrap();
    let back: DenseSolution<f64, 2> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sol);
    for i in 0..=1000 {
        let t = 0.01 * i as f64;
        assert_eq!(back.eval(t).unwrap(), sol.eval(t).unwrap());
    }
    // An empty one too.
    let empty = DenseSolution::<f64, 2>::new();
    let back: DenseSolution<f64, 2> =
        serde_json::from_str(&serde_json::to_string(&empty).unwrap()).unwrap();
    assert_eq!(back, empty);
}

#[test]
fn tampered_json_is_refused() {
    let (sol, _) = dense(0.0, 3.0);
    let good = serde_json::to_value(&sol).unwrap();
    // Sanity: the untouched value deserialises.
    assert!(serde_json::from_value::<DenseSolution<f64, 2>>(good.clone()).is_ok());
    let n_off = good["offsets"].as_array().unwrap().len();
    assert!(n_off > 3);

    type Tamper = fn(&mut serde_json::Value);
    let cases: [(&str, Tamper); 8] = [
        ("n = 3", |v| v["n"] = 3.into()),
        ("n = 1", |v| v["n"] = 1.into()),
        ("offsets not increasing", |v| {
            let o = v["offsets"].as_array_mut().unwrap();
            o[2] = o[1].clone();
        }),
        ("offsets not starting at 0", |v| {
            v["offsets"][0] = 1.into();
        }),
        ("one offset too many", |v| {
            let o = v["offsets"].as_array_mut().unwrap();
            let last = o.last().unwrap().as_u64().unwrap();
            o.push((last + 1).into());
        }),
        ("one bound missing", |v| {
            v["bounds"].as_array_mut().unwrap().pop();
        }),
        ("one coefficient missing", |v| {
            v["coeffs"].as_array_mut().unwrap().pop();
        }),
        ("one state's coefficients missing", |v| {
            let c = v["coeffs"].as_array_mut().unwrap();
            c.pop();
            c.pop();
        }),
    ];
    for (what, tamper) in cases {
        let mut v = good.clone();
        tamper(&mut v);
        let r = serde_json::from_value::<DenseSolution<f64, 2>>(v);
        assert!(r.is_err(), "{what}: accepted");
    }
    // The wrong state size on the Rust side is refused as well.
    assert!(serde_json::from_value::<DenseSolution<f64, 1>>(good.clone()).is_err());
    assert!(serde_json::from_value::<DenseSolution<f64, 4>>(good).is_err());
}

#[test]
fn solve_ivp_sol_is_what_a_dense_solution_handler_collects() {
    let (rtol, atol) = (1e-9, 1e-11);
    let t_eval: Vec<f64> = (0..=40).map(|i| 0.25 * i as f64).collect();
    let res = solve_ivp(
        &OSC,
        (0.0, 10.0),
        Y0,
        Options::new(Method::Dop853)
            .rtol(rtol)
            .atol(atol)
            .t_eval(t_eval.clone())
            .dense_output(true),
    )
    .unwrap();
    assert!(res.success);
    let sol = res.sol.as_ref().unwrap();

    // The same stepper with the same settings, driven by `run` into a DenseSolution.
    let mut st = Dop853::new(&OSC, 0.0, Y0, 10.0, Tolerances::new(rtol, atol)).unwrap();
    let mut mine = DenseSolution::new();
    run(&mut st, NoEvents, &mut mine, &mut |_| {}).unwrap();
    assert_eq!(st.stats(), res.stats);
    assert_eq!(*sol, mine, "solve_ivp's sol is the handler's DenseSolution");

    // t_eval output: exactly the requested times, the values the continuous solution gives
    // (the step's own interpolant vs its monomial form: equal to rounding).
    assert_eq!(res.t, t_eval);
    let mut worst_vs_sol: f64 = 0.0;
    let mut worst_vs_exact: f64 = 0.0;
    for (t, y) in res.t.iter().zip(&res.y) {
        worst_vs_sol = worst_vs_sol.max(max_abs_diff(y, &sol.eval(*t).unwrap()));
        worst_vs_exact = worst_vs_exact.max(max_abs_diff(y, &exact(*t)));
    }
    eprintln!("t_eval vs sol.eval: {worst_vs_sol:.1e}; vs exact: {worst_vs_exact:.1e}");
    assert!(worst_vs_sol < 1e-14, "{worst_vs_sol:e}");
    assert!(worst_vs_exact < 2e-8, "{worst_vs_exact:e}");
}

/// A ball dropped from 10 m bouncing with restitution 0.8 (velocity reset at each bounce).
struct Ball;
impl OdeSystem<2> for Ball {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -9.81];
    }
}
struct Floor;
impl EventSet<2, 1> for Floor {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
    fn direction(&self, _k: usize) -> Direction {
        Direction::Falling
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetState
    }
    fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 2]) {
        y[1] *= -0.8;
    }
}

#[test]
fn with_resets_too_solve_ivp_sol_is_the_handlers() {
    let res = solve_ivp_with_events(
        &Ball,
        (0.0, 5.0),
        [10.0, 0.0],
        Options::new(Method::Rk45)
            .rtol(1e-10)
            .atol(1e-12)
            .dense_output(true),
        Floor,
    )
    .unwrap();
    assert!(res.success);
    assert_eq!(res.t_events[0].len(), 2);
    let sol = res.sol.as_ref().unwrap();

    let mut st = Dopri5::new(&Ball, 0.0, [10.0, 0.0], 5.0, Tolerances::new(1e-10, 1e-12)).unwrap();
    let mut mine = DenseSolution::new();
    let mut bounces = Vec::new();
    run(&mut st, Floor, &mut mine, &mut |o| bounces.push(o.t)).unwrap();
    assert_eq!(bounces, res.t_events[0]);
    assert_eq!(*sol, mine);

    // The solution is cut at the bounces: just after one, the velocity points up.
    let t1 = (20.0f64 / 9.81).sqrt();
    let tb = res.t_events[0][0];
    assert!((tb - t1).abs() < 1e-9);
    let before = sol.eval(tb - 1e-6).unwrap();
    let after = sol.eval(tb + 1e-6).unwrap();
    assert!(before[1] < 0.0 && after[1] > 0.0, "{before:?} {after:?}");
    assert!((after[1] - 0.8 * 9.81 * t1).abs() < 1e-4, "{after:?}");
    // Exact in each flight: e.g. half-way through the first one.
    let t = tb + 0.8 * t1;
    let v = 0.8 * 9.81 * t1;
    let s = t - tb;
    let y = sol.eval(t).unwrap();
    assert!((y[0] - (v * s - 0.5 * 9.81 * s * s)).abs() < 1e-8, "{y:?}");
}

#[test]
fn a_decay_solution_round_trips_through_solve_ivp_with_every_method() {
    // Each adaptive method's sol, rebuilt with `run`, is the same object.
    let decay = Decay { k: 0.5 };
    let y0 = [2.0, 4.0, 8.0];
    let t = (0.0, 10.0);
    let opts = |m| Options::new(m).rtol(1e-8).atol(1e-10).dense_output(true);
    let tolr = || Tolerances::new(1e-8, 1e-10);
    macro_rules! same {
        ($method:expr, $ty:ident) => {{
            let res = solve_ivp(&decay, t, y0, opts($method)).unwrap();
            let mut st = $ty::new(&decay, t.0, y0, t.1, tolr()).unwrap();
            let mut mine = DenseSolution::new();
            run(&mut st, NoEvents, &mut mine, &mut |_| {}).unwrap();
            assert_eq!(res.sol.as_ref(), Some(&mine), "{}", $method);
            let worst = (0..=200)
                .map(|i| {
                    let t = 0.05 * i as f64;
                    max_abs_diff(&mine.eval(t).unwrap(), &decay.exact(y0, t))
                })
                .fold(0.0, f64::max);
            eprintln!("{:>13}: worst error {worst:.1e}", $method.to_string());
            assert!(worst < 2e-7, "{}: {worst:e}", $method);
        }};
    }
    same!(Method::Rk23, Rk23);
    same!(Method::Rk45, Dopri5);
    same!(Method::HighamHall54, HighamHall54);
    same!(Method::Tsit5, Tsit5);
    same!(Method::Dop853, Dop853);
}
