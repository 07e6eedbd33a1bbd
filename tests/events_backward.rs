//! Events in backward integrations (`t1 < t0`).
//!
//! Directions refer to the order of integration (module documentation of `ode_core::events`,
//! SciPy's rule): `Rising` means `g` goes from negative to non-negative *as the integration
//! proceeds*, so backward in time. Everything else (no occurrence at `t0`, time order of the
//! occurrences, terminal counts, two roots inside one step) must hold backward as forward.
//!
//! Problems (exact solutions):
//!
//! - SciPy's cannon `x' = v`, `v' = −0.5`: `x = 10 t − t²/4`, `v = 10 − t/2`, started at
//!   `t0 = 40` from its impact state `(x, v) = (0, −10)` and integrated back to `t1 = −5`.
//!   Backward from 40, `x` first grows (`x > 0` on `(0, 40)`) and then passes through zero at
//!   `t = 0` into `x < 0`: in the order of integration `x` goes from positive to negative, a
//!   **falling** crossing, which the terminal `hit_ground(direction = falling)` stops at. The
//!   apex `v = 0` at `t = 20`: `v` runs from −10 at 40 to +10 at 0, so backward it **rises**
//!   (forward it falls). `x = 0` at `t0 = 40` is not an occurrence;
//! - the oscillator `x' = v`, `v' = −x`, `(x, v)(0) = (0, 1)`, `x = sin t`, integrated from 0
//!   back to `−10π − 0.5`: at `t = −kπ`, `x` changes from the sign of `(−1)^k` (just after in
//!   time, just before in the integration) to the opposite: **rising** backward for odd `k`,
//!   **falling** for even `k` (the reverse of the forward pattern at `+kπ`);
//! - the oscillator from `(1, 0)`, `x = cos t`, with `g = x/√(x² + v²) − cos a` (`cos t − cos a`
//!   on the exact solution), integrated back from 0: roots `−a` (falling), then pairs
//!   `−2πk + a` (rising), `−2πk − a` (falling), `2a` apart, inside one step;
//! - the ramp `y' = 1`, `y = t`, from `t0 = 4` back to 0 with fixed steps of 0.5, with
//!   `g = (y − 2.1)⁴ − e⁴`: the roots `2.1 ± e` both inside the step from 2.5 to 2.

use odegen::prelude::*;
use std::f64::consts::{PI, TAU};

#[ode_system(events(
    hit_ground(direction = falling, terminal),
    apex,
    apex_up(direction = rising),
    apex_down(direction = falling)
))]
fn cannon(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -0.5]
}
fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}
fn apex_up(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}
fn apex_down(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}

#[ode_system(events(up(direction = rising), down(direction = falling), any))]
fn oscillator(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}
fn up(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn down(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn any(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}

#[ode_system(events(third(direction = rising, terminal = 3)))]
fn osc_third(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}
fn third(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}

#[ode_system]
fn ramp(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [1.0]
}

/// `g = x/√(x² + v²) − cos a`.
struct NearCrest {
    cos_a: f64,
}

impl EventSet<2, 1> for NearCrest {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0] / y[0].hypot(y[1]) - self.cos_a;
    }
}

/// `g = (y − c)⁴ − e⁴`.
struct QuarticWell {
    c: f64,
    e: f64,
}

impl EventSet<1, 1> for QuarticWell {
    fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) {
        g[0] = (y[0] - self.c).powi(4) - self.e.powi(4);
    }
}

/// Runs `st` through the allocation-free driver: occurrences, accepted step ends (`t0` first)
/// and the ending.
fn collect<St, E, const N: usize, const M: usize>(
    mut st: St,
    events: E,
) -> (Vec<Occurrence<f64, N>>, Vec<f64>, Ending<f64>)
where
    St: Stepper<f64, N>,
    E: EventSet<N, M>,
{
    let mut found = Vec::new();
    let mut steps = vec![st.t()];
    let ending = run(
        &mut st,
        events,
        &mut FnHandler(|s: &mut StepView<'_, f64, N>| steps.push(s.t_end())),
        &mut |o| found.push(*o),
    )
    .expect("run succeeds");
    (found, steps, ending)
}

/// The cannon backward from its impact: the apex at 20 (rising backward), the ground at 0
/// (falling backward, terminal), nothing at `t0 = 40`.
#[test]
fn cannon_backward_from_impact() {
    let mut runs: Vec<(Method, Options<f64, 2>)> = Method::adaptive()
        .map(|m| (m, Options::new(m).rtol(1e-10).atol(1e-12)))
        .collect();
    runs.push((Method::Rk4, Options::new(Method::Rk4).first_step(0.3)));
    runs.push((Method::Luther, Options::new(Method::Luther).first_step(1.1)));
    let mut worst: f64 = 0.0;
    for (method, options) in runs {
        let sol = solve_ivp_with_events(
            &Cannon,
            (40.0, -5.0),
            [0.0, -10.0],
            options,
            Cannon.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Terminated, "{method}: {}", sol.message);
        let te = &sol.t_events;
        assert_eq!(te[0].len(), 1, "{method}: ground {:?}", te[0]);
        assert!(te[0][0].abs() < 1e-9, "{method}: ground at {}", te[0][0]);
        assert_eq!(te[1].len(), 1, "{method}: apex {:?}", te[1]);
        assert!(
            (te[1][0] - 20.0).abs() < 1e-9,
            "{method}: apex at {}",
            te[1][0]
        );
        assert_eq!(te[2], te[1], "{method}: the apex is rising backward");
        assert!(
            te[3].is_empty(),
            "{method}: no falling apex backward: {:?}",
            te[3]
        );
        worst = worst.max(te[0][0].abs()).max((te[1][0] - 20.0).abs());
        let apex_state = sol.y_events[1][0];
        assert!(
            (apex_state[0] - 100.0).abs() < 1e-8,
            "{method}: {apex_state:?}"
        );
        // Stopped at the ground with the launch speed.
        assert_eq!(*sol.t.last().unwrap(), te[0][0], "{method}");
        let y_end = sol.y.last().unwrap();
        assert!(
            y_end[0].abs() < 1e-8 && (y_end[1] - 10.0).abs() < 1e-8,
            "{method}: {y_end:?}"
        );
        // Output in the order of integration.
        assert!(sol.t.windows(2).all(|w| w[1] < w[0]), "{method}");
    }
    println!("cannon backward: worst event time error {worst:e}");
}

/// The same through `run`: the occurrences carry the directions of the backward order.
#[test]
fn cannon_backward_occurrence_directions() {
    let st = Dop853::new(
        Cannon,
        40.0,
        [0.0, -10.0],
        -5.0,
        Tolerances::new(1e-10, 1e-12),
    )
    .unwrap();
    let (found, _, ending) = collect(st, Cannon.events());
    let seen: Vec<(usize, Direction)> = found.iter().map(|o| (o.event, o.direction)).collect();
    assert_eq!(
        seen,
        [
            (1, Direction::Rising),
            (2, Direction::Rising),
            (0, Direction::Falling)
        ]
    );
    assert!(matches!(ending, Ending::Terminated { event: 0, t } if t.abs() < 1e-9));
}

/// `sin t` backward to `−10π − 0.5`: `up` (rising) at `−π, −3π, …, −9π`, `down` at
/// `−2π, …, −10π`, `any` at all ten, in decreasing time.
#[test]
fn oscillator_backward_directions() {
    let t1 = -(10.0 * PI + 0.5);
    let mut worst: f64 = 0.0;
    let mut runs: Vec<(Method, Options<f64, 2>)> = vec![
        (
            Method::Rk23,
            Options::new(Method::Rk23).rtol(1e-12).atol(1e-14),
        ),
        (
            Method::Rk45,
            Options::new(Method::Rk45).rtol(1e-11).atol(1e-13),
        ),
        (
            Method::Dop853,
            Options::new(Method::Dop853).rtol(1e-12).atol(1e-14),
        ),
        (
            Method::Tsit5,
            Options::new(Method::Tsit5).rtol(1e-11).atol(1e-13),
        ),
    ];
    runs.push((Method::Rk4, Options::new(Method::Rk4).first_step(0.005)));
    for (method, options) in runs {
        let sol = solve_ivp_with_events(
            &Oscillator,
            (0.0, t1),
            [0.0, 1.0],
            options,
            Oscillator.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let expected: [Vec<f64>; 3] = [
            (1..=5).map(|k| -((2 * k - 1) as f64) * PI).collect(),
            (1..=5).map(|k| -((2 * k) as f64) * PI).collect(),
            (1..=10).map(|k| -(k as f64) * PI).collect(),
        ];
        for (e, (got, want)) in sol.t_events.iter().zip(&expected).enumerate() {
            assert_eq!(got.len(), want.len(), "{method}, event {e}: {got:?}");
            for (t, x) in got.iter().zip(want) {
                let err = (t - x).abs();
                worst = worst.max(err);
                assert!(err < 1e-9, "{method}, event {e}: {t} vs {x}");
            }
        }
    }
    println!("oscillator backward: worst root error {worst:e}");

    let st = Dop853::new(
        Oscillator,
        0.0,
        [0.0, 1.0],
        t1,
        Tolerances::new(1e-12, 1e-14),
    )
    .unwrap();
    let (found, _, _) = collect(st, Oscillator.events());
    let any: Vec<&Occurrence<f64, 2>> = found.iter().filter(|o| o.event == 2).collect();
    assert_eq!(any.len(), 10);
    for (i, o) in any.iter().enumerate() {
        let k = i + 1;
        let dir = if k % 2 == 1 {
            Direction::Rising
        } else {
            Direction::Falling
        };
        assert_eq!(o.direction, dir, "at −{k}π");
        assert_eq!(o.count as usize, k);
        // v = cos(−kπ) = (−1)^k.
        let v = if k % 2 == 1 { -1.0 } else { 1.0 };
        assert!((o.y[1] - v).abs() < 1e-9, "v = {} at −{k}π", o.y[1]);
    }
}

/// `terminal = 3` on the rising crossings backward: `−π`, `−3π`, `−5π`, stop at `−5π`.
#[test]
fn oscillator_backward_terminal_count() {
    // Rosenbrock23, of order 2, is for crude tolerances (MATLAB's ode23s), not 1e-12.
    for method in Method::adaptive().filter(|m| m.order() >= 3) {
        let sol = solve_ivp_with_events(
            &OscThird,
            (0.0, -20.0),
            [0.0, 1.0],
            Options::new(method).rtol(1e-12).atol(1e-14),
            OscThird.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Terminated, "{method}");
        let te = &sol.t_events[0];
        assert_eq!(te.len(), 3, "{method}: {te:?}");
        for (t, k) in te.iter().zip([1.0, 3.0, 5.0]) {
            assert!((t + k * PI).abs() < 1e-9, "{method}: {te:?}");
        }
        assert_eq!(*sol.t.last().unwrap(), te[2], "{method}");
    }
}

/// Two roots inside one backward step, on the ramp with fixed steps: `2.1 ± e` inside the
/// step from 2.5 to 2, found in the backward order (`2.1 + e` first).
#[test]
fn two_roots_inside_one_backward_fixed_step() {
    let (c, e) = (2.1, 0.05);
    let mut missed = Vec::new();
    for method in [Method::Euler, Method::Rk4, Method::Luther] {
        let sol = solve_ivp_with_events(
            &Ramp,
            (4.0, 0.0),
            [4.0],
            Options::new(method).first_step(0.5),
            QuarticWell { c, e },
        )
        .unwrap();
        assert!(
            sol.t.contains(&2.5) && sol.t.contains(&2.0),
            "{method}: {:?}",
            sol.t
        );
        let found = &sol.t_events[0];
        if found.len() != 2 {
            missed.push(format!("{method}: {found:?}"));
            continue;
        }
        assert!((found[0] - (c + e)).abs() < 1e-12, "{method}: {found:?}");
        assert!((found[1] - (c - e)).abs() < 1e-12, "{method}: {found:?}");
    }
    // Forward, the same step holds the same pair and both are found (the control).
    let forward = solve_ivp_with_events(
        &Ramp,
        (0.0, 4.0),
        [0.0],
        Options::new(Method::Rk4).first_step(0.5),
        QuarticWell { c, e },
    )
    .unwrap();
    assert_eq!(forward.t_events[0].len(), 2);
    assert!(
        missed.is_empty(),
        "pair 2.1 ± {e} missed backward: {missed:?}"
    );
}

/// The oscillator's pairs `−2πk ± a` backward, each inside one step of an adaptive method
/// (chosen from the steps of a run without events, as in `events_close_roots.rs`): all found,
/// with their directions in the backward order.
#[test]
fn oscillator_pairs_inside_one_backward_step() {
    let t1 = -(3.0 * TAU + 1.0);
    let make = || {
        Dop853::new(
            Oscillator,
            0.0,
            [1.0, 0.0],
            t1,
            Tolerances::new(1e-12, 1e-14),
        )
        .unwrap()
    };
    let (_, plain, _) = collect(make(), NoEvents);
    let mut a = f64::INFINITY;
    for k in 1..=3 {
        let c = -(k as f64) * TAU;
        let i = plain
            .windows(2)
            .position(|w| w[1] < c && c < w[0])
            .expect("−2πk is not a step end");
        a = a.min(0.5 * (plain[i] - c).min(c - plain[i + 1]));
    }
    assert!(a > 1e-4, "a step end lies too close to −2πk (a = {a})");
    let (found, steps, _) = collect(make(), NearCrest { cos_a: a.cos() });
    assert_eq!(steps, plain);
    let mut expected = vec![(-a, Direction::Falling)];
    for k in 1..=3 {
        let c = -(k as f64) * TAU;
        expected.push((c + a, Direction::Rising));
        expected.push((c - a, Direction::Falling));
    }
    let seen: Vec<(f64, Direction)> = found.iter().map(|o| (o.t, o.direction)).collect();
    assert_eq!(seen.len(), expected.len(), "a = {a}: found {seen:?}");
    for ((t, dir), (te, de)) in seen.iter().zip(&expected) {
        assert!((t - te).abs() < 1e-9, "{t} vs {te}");
        assert_eq!(dir, de, "at {te}");
    }
}
