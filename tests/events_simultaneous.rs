//! Several event functions with the same root.
//!
//! The tracker (module documentation of `ode_core::events`) handles the occurrences inside a
//! step in time order, ties by event index; when a terminal or resetting occurrence ends the
//! processing of the step, the occurrences at the same time (within a few ulps) are still
//! reported and later ones are dropped. These tests give several functions one root and check
//! that all are reported, in that order, at the same time to a few ulps, and that a stop or a
//! reset among them loses none and reports none twice.
//!
//! Problems (exact solutions):
//!
//! - the oscillator `x' = v`, `v' = −x`, `(x, v)(0) = (0, 1)`: `x = sin t`, root `π` in
//!   `(0, 4)`;
//! - the ramp `y' = 1`, `y(0) = 0`: `y = t`, exact for every method. Roots at `√2` come from
//!   `y² − 2`, which no double makes exactly zero, so located times are never exact ties by
//!   accident.

use odegen::prelude::*;
use std::f64::consts::{PI, SQRT_2};

#[ode_system]
fn oscillator(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}

#[ode_system]
fn ramp(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [1.0]
}

/// An event function of `(t, y)`.
type G<const N: usize> = fn(f64, &[f64; N]) -> f64;

/// `M` event functions with their settings.
struct Set<const N: usize, const M: usize> {
    g: [G<N>; M],
    terminal: [Option<u32>; M],
    action: [EventAction; M],
    direction: [Direction; M],
    reset: fn(usize, f64, &mut [f64; N]),
}

impl<const N: usize, const M: usize> Set<N, M> {
    fn new(g: [G<N>; M]) -> Self {
        Set {
            g,
            terminal: [None; M],
            action: [EventAction::Continue; M],
            direction: [Direction::Both; M],
            reset: |_, _, _| {},
        }
    }
}

impl<const N: usize, const M: usize> EventSet<N, M> for Set<N, M> {
    fn values(&self, t: f64, y: &[f64; N], g: &mut [f64; M]) {
        for (gk, f) in g.iter_mut().zip(&self.g) {
            *gk = f(t, y);
        }
    }
    fn direction(&self, k: usize) -> Direction {
        self.direction[k]
    }
    fn terminal(&self, k: usize) -> Option<u32> {
        self.terminal[k]
    }
    fn action(&self, k: usize) -> EventAction {
        self.action[k]
    }
    fn reset(&self, k: usize, t: f64, y: &mut [f64; N]) {
        (self.reset)(k, t, y)
    }
}

/// Runs `st` with `events` through the allocation-free driver: the occurrences in the order
/// they were reported, and the ending.
fn occurrences<St, E, const N: usize, const M: usize>(
    mut st: St,
    events: E,
) -> (Vec<Occurrence<f64, N>>, Ending<f64>)
where
    St: Stepper<f64, N>,
    E: EventSet<N, M>,
{
    let mut found = Vec::new();
    let ending = run(&mut st, events, &mut (), &mut |o| found.push(*o)).expect("run succeeds");
    (found, ending)
}

fn ulps(a: f64, b: f64) -> f64 {
    (a - b).abs() / (f64::EPSILON * a.abs().max(b.abs()))
}

/// `2x`, `x` and `−4x` have bit-identical roots (scaling by a power of two changes no decision
/// of Brent's method): an exact tie, reported in index order, with each function's own
/// direction.
#[test]
fn exact_ties_are_reported_in_index_order() {
    let set = || {
        Set::new([
            |_t, y: &[f64; 2]| 2.0 * y[0],
            |_t, y: &[f64; 2]| y[0],
            |_t, y: &[f64; 2]| -4.0 * y[0],
        ])
    };
    let tol = Tolerances::new(1e-10, 1e-12);
    let runs = [
        (
            "RK45",
            occurrences(
                Dopri5::new(Oscillator, 0.0, [0.0, 1.0], 4.0, tol).unwrap(),
                set(),
            ),
        ),
        (
            "DOP853",
            occurrences(
                Dop853::new(Oscillator, 0.0, [0.0, 1.0], 4.0, tol).unwrap(),
                set(),
            ),
        ),
        (
            "Tsit5",
            occurrences(
                Tsit5::new(Oscillator, 0.0, [0.0, 1.0], 4.0, tol).unwrap(),
                set(),
            ),
        ),
        (
            "RK4 h = 0.25",
            occurrences(
                Rk4::new(Oscillator, 0.0, [0.0, 1.0], 4.0, 0.25).unwrap(),
                set(),
            ),
        ),
    ];
    for (name, (found, ending)) in runs {
        assert_eq!(ending, Ending::Finished, "{name}");
        let seen: Vec<(usize, Direction)> = found.iter().map(|o| (o.event, o.direction)).collect();
        assert_eq!(
            seen,
            [
                (0, Direction::Falling),
                (1, Direction::Falling),
                (2, Direction::Rising)
            ],
            "{name}"
        );
        assert_eq!(found[0].t, found[1].t, "{name}: not an exact tie");
        assert_eq!(found[0].t, found[2].t, "{name}: not an exact tie");
        // RK4's cubic Hermite dense output with h = 0.25 is good to about 1e-4 here.
        let tol = if name.starts_with("RK4") { 1e-3 } else { 1e-9 };
        assert!((found[0].t - PI).abs() < tol, "{name}: {}", found[0].t);
        assert!(found.iter().all(|o| o.count == 1));
    }
}

/// Different functions vanishing where the numerical `x` vanishes (`x`, `x (1 + v²)`,
/// `sinh x`, `x³ + x`): their located roots differ by rounding only. All are reported, in time
/// order with ties by index, within a few ulps of each other.
#[test]
fn same_root_with_different_rounding_is_reported_by_all() {
    // Rosenbrock23, of order 2, is for crude tolerances (MATLAB's ode23s), not this tight one.
    for method in Method::adaptive().filter(|m| m.order() >= 3) {
        let sol = solve_ivp_with_events(
            &Oscillator,
            (0.0, 4.0),
            [0.0, 1.0],
            Options::new(method).rtol(1e-10).atol(1e-12),
            Set::new([
                |_t, y: &[f64; 2]| y[0],
                |_t, y: &[f64; 2]| y[0] * (1.0 + y[1] * y[1]),
                |_t, y: &[f64; 2]| y[0].sinh(),
                |_t, y: &[f64; 2]| y[0] * y[0] * y[0] + y[0],
            ]),
        )
        .unwrap();
        let times: Vec<f64> = sol
            .t_events
            .iter()
            .map(|te| {
                assert_eq!(te.len(), 1, "{method}: {:?}", sol.t_events);
                te[0]
            })
            .collect();
        // RKF45 propagates its fourth-order solution (no local extrapolation) and locates
        // roots on a cubic Hermite interpolant: 3.5e-9 measured.
        let bound = if method == Method::Rkf45 { 1e-8 } else { 1e-9 };
        for &t in &times {
            assert!((t - PI).abs() < bound, "{method}: {t}");
            assert!(ulps(t, times[0]) <= 8.0, "{method}: {times:?}");
        }
    }
    // The order of the reports: by time, then by index.
    let (found, _) = occurrences(
        Dop853::new(
            Oscillator,
            0.0,
            [0.0, 1.0],
            4.0,
            Tolerances::new(1e-10, 1e-12),
        )
        .unwrap(),
        Set::new([
            |_t, y: &[f64; 2]| y[0],
            |_t, y: &[f64; 2]| y[0] * (1.0 + y[1] * y[1]),
            |_t, y: &[f64; 2]| y[0].sinh(),
            |_t, y: &[f64; 2]| y[0] * y[0] * y[0] + y[0],
        ]),
    );
    assert_eq!(found.len(), 4);
    for w in found.windows(2) {
        assert!(
            w[0].t < w[1].t || (w[0].t == w[1].t && w[0].event < w[1].event),
            "out of order: {:?}",
            found.iter().map(|o| (o.event, o.t)).collect::<Vec<_>>()
        );
    }
}

/// The ramp's events `y² − 2`, `2 (y² − 2)` and `t² − 2`, all with the root `√2`, and
/// `y − 1.7` whose root lies later in the same step (RK4 with h = 2: one step `[0, 2]`).
/// Whichever of the first three is terminal, all three are reported before the integration
/// stops at `√2`, and the later one is not.
#[test]
fn terminal_and_continuing_events_at_one_root_are_all_reported() {
    let g: [G<1>; 4] = [
        |_t, y| y[0] * y[0] - 2.0,
        |_t, y| 2.0 * (y[0] * y[0] - 2.0),
        |t, _y| t * t - 2.0,
        |_t, y| y[0] - 1.7,
    ];
    for stop_index in 0..3 {
        for how in ["terminal", "Stop action"] {
            let mut set = Set::new(g);
            if how == "terminal" {
                set.terminal[stop_index] = Some(1);
            } else {
                set.action[stop_index] = EventAction::Stop;
            }
            let (found, ending) = occurrences(Rk4::new(Ramp, 0.0, [0.0], 4.0, 2.0).unwrap(), set);
            let what = format!("{how} at index {stop_index}");
            let seen: Vec<usize> = found.iter().map(|o| o.event).collect();
            let mut want = vec![0, 1, 2];
            // Ties in index order; the located times may differ by an ulp, then time order
            // decides.
            want.sort_by(|&a, &b| {
                let (ta, tb) = (
                    found.iter().find(|o| o.event == a).map_or(0.0, |o| o.t),
                    found.iter().find(|o| o.event == b).map_or(0.0, |o| o.t),
                );
                ta.total_cmp(&tb).then(a.cmp(&b))
            });
            assert_eq!(seen, want, "{what}");
            for o in &found {
                assert!(
                    ulps(o.t, SQRT_2) <= 4.0,
                    "{what}: event {} at {}",
                    o.event,
                    o.t
                );
                assert_eq!(o.direction, Direction::Rising);
            }
            match ending {
                Ending::Terminated { event, t } => {
                    assert_eq!(event, stop_index, "{what}");
                    assert!(ulps(t, SQRT_2) <= 4.0, "{what}");
                }
                Ending::Finished => panic!("{what}: not stopped"),
            }
        }
    }
    // Through solve_ivp, with an adaptive method.
    let mut set = Set::new(g);
    set.terminal[1] = Some(1);
    let sol =
        solve_ivp_with_events(&Ramp, (0.0, 4.0), [0.0], Options::new(Method::Dop853), set).unwrap();
    assert_eq!(sol.status, Status::Terminated);
    assert_eq!(
        sol.t_events.iter().map(Vec::len).collect::<Vec<_>>(),
        [1, 1, 1, 0]
    );
    for te in &sol.t_events[..3] {
        assert!(ulps(te[0], SQRT_2) <= 4.0, "{te:?}");
    }
    assert!(ulps(*sol.t.last().unwrap(), SQRT_2) <= 4.0);
}

/// A terminal event and one that is not, with the same root but where the non-terminal one
/// has the lower index, plus a third later in the step: the non-terminal one is reported
/// first, then the terminal one stops. Repeated for every fixed-step method (h = 2, all
/// exact on the ramp).
#[test]
fn continuing_event_before_terminal_one_at_same_root() {
    for method in [
        Method::Euler,
        Method::Midpoint,
        Method::Rk4,
        Method::Gill,
        Method::ThreeEighths,
        Method::Luther,
    ] {
        let mut set = Set::new([
            |_t, y: &[f64; 1]| 2.0 - y[0] * y[0],
            |_t, y: &[f64; 1]| y[0] * y[0] - 2.0,
            |_t, y: &[f64; 1]| y[0] - 1.7,
        ]);
        set.terminal[1] = Some(1);
        let sol = solve_ivp_with_events(
            &Ramp,
            (0.0, 4.0),
            [0.0],
            Options::new(method).first_step(2.0),
            set,
        )
        .unwrap();
        assert_eq!(sol.status, Status::Terminated, "{method}");
        assert_eq!(sol.t_events[0].len(), 1, "{method}: {:?}", sol.t_events);
        assert_eq!(sol.t_events[1].len(), 1, "{method}: {:?}", sol.t_events);
        assert!(sol.t_events[2].is_empty(), "{method}: {:?}", sol.t_events);
        assert_eq!(sol.t_events[0][0], sol.t_events[1][0], "{method}");
        assert!(ulps(sol.t_events[0][0], SQRT_2) <= 4.0, "{method}");
    }
}

/// A resetting event and a continuing one with the same root: the ramp `y' = 1` with
/// `g₀ = y² − 2` (rising, reset `y → 0`) and `g₁ = t² − 2`, which depends on time only and
/// so crosses zero exactly once, at `√2`. The reset event recurs at `k√2`; `g₁` must be
/// reported once. (The reset restarts the integration at the bracket end *before* the
/// crossing, where `g₁` has not changed sign yet.)
#[test]
fn continuing_event_at_the_root_of_a_reset_is_reported_once() {
    let mut twice = Vec::new();
    for method in [Method::Rk4, Method::Dop853, Method::Rk45] {
        let mut set = Set::new([
            |_t, y: &[f64; 1]| y[0] * y[0] - 2.0,
            |t, _y: &[f64; 1]| t * t - 2.0,
        ]);
        set.action[0] = EventAction::ResetState;
        set.direction[0] = Direction::Rising;
        set.reset = |_, _, y| y[0] = 0.0;
        let mut options = Options::new(method).rtol(1e-10).atol(1e-12);
        if method.is_fixed_step() {
            options = options.first_step(0.25);
        }
        let sol = solve_ivp_with_events(&Ramp, (0.0, 3.5 * SQRT_2), [0.0], options, set).unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let resets = &sol.t_events[0];
        assert_eq!(resets.len(), 3, "{method}: {resets:?}");
        for (k, t) in resets.iter().enumerate() {
            assert!(
                (t - (k + 1) as f64 * SQRT_2).abs() < 1e-12,
                "{method}: {resets:?}"
            );
        }
        assert!(!sol.t_events[1].is_empty(), "{method}: t² − 2 not reported");
        for t in &sol.t_events[1] {
            assert!(ulps(*t, SQRT_2) <= 4.0, "{method}: {:?}", sol.t_events[1]);
        }
        if sol.t_events[1].len() != 1 {
            twice.push(format!("{method}: {:?}", sol.t_events[1]));
        }
    }
    assert!(
        twice.is_empty(),
        "t² − 2 crosses zero once but was reported more often: {twice:?}"
    );
}
