//! A discontinuous right-hand side with `ResetDerivatives` events.
//!
//! A 1-D vehicle starts at rest at `x = 0` and is pushed with acceleration `+1` while `x < 1`,
//! braked with `−1` once `x ≥ 1`:
//!
//! ```text
//! x' = v,  v' = a(x) = { +1 if x < 1, −1 otherwise },   (x, v)(0) = (0, 0)
//! ```
//!
//! The event `switch` (`g = x − 1`) restarts the method where `a` jumps. Exact solution,
//! piecewise quadratic: `x = t²/2`, `v = t` until `x = 1`, i.e. `t* = √2` with `v* = √2`; then
//! `x = 1 + √2 s − s²/2`, `v = √2 − s` with `s = t − t*`. It stays above 1 until
//! `s = 2√2` (`t = 3√2 ≈ 4.24`), so on `[0, 3]` there is exactly one switch, and at `t = 3`
//! (`s = 3 − √2`) the state is `x = 1 + √2 s − s²/2 ≈ 1.98528`, `v = √2 − s = 2√2 − 3`.
//!
//! The time-switched variant `a = +1` for `t < 1`, `−1` after (event `g = t − 1`) has
//! `x = t²/2`, `v = t` up to `t = 1` (`x = 1/2`, `v = 1`), then `x = 1/2 + s − s²/2`,
//! `v = 1 − s`, `s = t − 1`; at `t = 3`: `x = 1/2 + 2 − 2 = 1/2`, `v = −1`.

use odegen::prelude::*;
use std::f64::consts::SQRT_2;

#[ode_system(events(switch(direction = both, action = reset_derivatives)))]
fn thruster(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, if x < 1.0 { 1.0 } else { -1.0 }]
}
fn switch(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x - 1.0
}

#[ode_system(events(clock(direction = rising, action = reset_derivatives)))]
fn timed(t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, if t < 1.0 { 1.0 } else { -1.0 }]
}
fn clock(t: f64, [_x, _v]: [f64; 2]) -> f64 {
    t - 1.0
}

/// The state-switched thruster, hand-written.
struct HandThruster;
impl OdeSystem<2> for HandThruster {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], if y[0] < 1.0 { 1.0 } else { -1.0 }];
    }
}
struct HandSwitch;
impl EventSet<2, 1> for HandSwitch {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0] - 1.0;
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetDerivatives
    }
}

const T_END: f64 = 3.0;
const TOL: f64 = 1e-9;

/// The exact state of the state-switched thruster (module documentation).
fn exact_state_switch(t: f64) -> [f64; 2] {
    if t <= SQRT_2 {
        [t * t / 2.0, t]
    } else {
        let s = t - SQRT_2;
        [1.0 + SQRT_2 * s - s * s / 2.0, SQRT_2 - s]
    }
}

/// The exact state of the time-switched variant (module documentation).
fn exact_time_switch(t: f64) -> [f64; 2] {
    if t <= 1.0 {
        [t * t / 2.0, t]
    } else {
        let s = t - 1.0;
        [0.5 + s - s * s / 2.0, 1.0 - s]
    }
}

fn err(y: &[f64; 2], exact: [f64; 2]) -> f64 {
    (y[0] - exact[0]).abs().max((y[1] - exact[1]).abs())
}

fn tight(method: Method) -> Options<f64, 2> {
    Options::new(method).rtol(1e-12).atol(1e-14)
}

#[test]
fn exact_values_are_consistent() {
    // The closed forms join continuously at the switches and give the stated values at t = 3.
    let a = exact_state_switch(SQRT_2);
    assert!((a[0] - 1.0).abs() < 1e-15 && (a[1] - SQRT_2).abs() < 1e-15);
    let e3 = exact_state_switch(3.0);
    assert!((e3[1] - (2.0 * SQRT_2 - 3.0)).abs() < 1e-15);
    assert!(e3[0] > 1.0, "no second switch before t = 3");
    assert_eq!(exact_time_switch(3.0), [0.5, -1.0]);
}

/// The state switch, every adaptive method at rtol 1e-12, atol 1e-14: one event at `t* = √2`
/// in state `(1, √2)`, end state at `t = 3` within 1e-9.
#[test]
fn state_switch_end_state_every_adaptive_method() {
    let mut worst = 0.0f64;
    for method in Method::adaptive() {
        let sol = solve_ivp_with_events(
            &Thruster,
            (0.0, T_END),
            [0.0, 0.0],
            tight(method),
            Thruster.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        assert_eq!(*sol.t.last().unwrap(), T_END);
        assert_eq!(sol.t_events[0].len(), 1, "{method}: {:?}", sol.t_events);
        let ts = sol.t_events[0][0];
        let ys = sol.y_events[0][0];
        let e_end = err(sol.y.last().unwrap(), exact_state_switch(T_END));
        let e_ev = (ts - SQRT_2).abs().max(err(&ys, [1.0, SQRT_2]));
        println!(
            "{method:<13} switch at {ts:.16} (error {:.1e}), event state error {e_ev:.1e}, end \
             error {e_end:.1e} (tol {TOL:.0e}), nfev = {}",
            ts - SQRT_2,
            sol.stats.nfev
        );
        assert!(e_ev <= TOL, "{method}: event at {ts}, {ys:?}");
        assert!(e_end <= TOL, "{method}: end {:?}", sol.y.last());
        // The reported time is past the crossing: x ≥ 1 there.
        assert!(ys[0] >= 1.0, "{method}: x = {} at the switch", ys[0]);
        // Every output point is on the exact solution.
        for (&t, y) in sol.t.iter().zip(&sol.y) {
            assert!(
                err(y, exact_state_switch(t)) <= TOL,
                "{method}: y({t}) = {y:?}"
            );
        }
        worst = worst.max(e_end).max(e_ev);
    }
    println!("state switch: worst error {worst:.1e} (tol {TOL:.0e})");
}

/// The time switch, every adaptive method: the event at `t = 1` exactly (g = t − 1 is exact),
/// end state `(1/2, −1)` within 1e-9.
#[test]
fn time_switch_end_state_every_adaptive_method() {
    let mut worst = 0.0f64;
    for method in Method::adaptive() {
        let sol = solve_ivp_with_events(
            &Timed,
            (0.0, T_END),
            [0.0, 0.0],
            tight(method),
            Timed.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        assert_eq!(sol.t_events[0].len(), 1, "{method}");
        let ts = sol.t_events[0][0];
        assert!((ts - 1.0).abs() <= 4.0 * f64::EPSILON, "{method}: {ts}");
        let e_ev = err(&sol.y_events[0][0], [0.5, 1.0]);
        let e_end = err(sol.y.last().unwrap(), [0.5, -1.0]);
        println!(
            "{method:<13} switch at {ts}, event state error {e_ev:.1e}, end error {e_end:.1e} \
             (tol {TOL:.0e}), nfev = {}",
            sol.stats.nfev
        );
        assert!(e_ev <= TOL && e_end <= TOL, "{method}");
        for (&t, y) in sol.t.iter().zip(&sol.y) {
            assert!(
                err(y, exact_time_switch(t)) <= TOL,
                "{method}: y({t}) = {y:?}"
            );
        }
        worst = worst.max(e_end).max(e_ev);
    }
    println!("time switch: worst error {worst:.1e} (tol {TOL:.0e})");
}

/// DOP853: the event pays off. Without it (plain `solve_ivp` over the discontinuity, same
/// tolerances) the end error is larger and the evaluations more, at both tolerances tried.
/// (Measured: rtol 1e-10 — 3.3e-11 with 558 evaluations against 6.1e-9 with 649; rtol 1e-12 —
/// 4.1e-12 with 744 against 3.9e-11 with 859. Only the orderings are asserted.)
#[test]
fn dop853_event_beats_plain_integration() {
    for rtol in [1e-10, 1e-12] {
        let opts = Options::new(Method::Dop853).rtol(rtol).atol(rtol * 1e-2);
        let with = solve_ivp_with_events(
            &Thruster,
            (0.0, T_END),
            [0.0, 0.0],
            opts.clone(),
            Thruster.events(),
        )
        .unwrap();
        let plain = solve_ivp(&Thruster, (0.0, T_END), [0.0, 0.0], opts).unwrap();
        let exact = exact_state_switch(T_END);
        let (e_with, e_plain) = (
            err(with.y.last().unwrap(), exact),
            err(plain.y.last().unwrap(), exact),
        );
        println!(
            "rtol {rtol:.0e}: with the event error {e_with:.1e}, nfev {} ({} rejected); plain \
             error {e_plain:.1e}, nfev {} ({} rejected)",
            with.stats.nfev, with.stats.n_rejected, plain.stats.nfev, plain.stats.n_rejected
        );
        assert!(e_with < e_plain, "rtol {rtol}: {e_with} vs {e_plain}");
        assert!(with.stats.nfev < plain.stats.nfev, "rtol {rtol}");
        assert!(
            plain.stats.n_rejected > 0,
            "the plain run must fight the discontinuity"
        );
    }
}

/// The hand-written set through the allocation-free driver: one rising occurrence at `√2`.
#[test]
fn run_driver_hand_written() {
    let mut st = Dop853::new(
        HandThruster,
        0.0,
        [0.0, 0.0],
        T_END,
        Tolerances::new(1e-12, 1e-14),
    )
    .unwrap();
    let mut occ: Vec<Occurrence<f64, 2>> = Vec::new();
    let end = run(&mut st, HandSwitch, &mut (), &mut |o: &Occurrence<
        f64,
        2,
    >| { occ.push(*o) })
    .unwrap();
    assert_eq!(end, Ending::Finished);
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].direction, Direction::Rising);
    assert_eq!(occ[0].count, 1);
    assert!((occ[0].t - SQRT_2).abs() <= TOL);
    assert_eq!(st.t(), T_END);
    let e = err(st.y(), exact_state_switch(T_END));
    assert!(e <= TOL, "{:?}: {e:.1e}", st.y());
}
