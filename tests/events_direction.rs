//! Direction filters and terminal counts.
//!
//! `Direction::Rising` keeps the crossings where `g` goes from negative to non-negative in the
//! order of integration, `Falling` the opposite ones, `Both` all (module documentation of
//! `ode_core::events`); `terminal = n` stops at the `n`-th occurrence *that passes the filter*.
//!
//! Problem: the oscillator `x' = v`, `v' = −x`, `(x, v)(0) = (0, 1)`, `x = sin t`, with the
//! event `g = x`. Its roots after `t0` are `kπ`, `k = 1, 2, …`: falling for odd `k`
//! (`cos kπ = −1`), rising for even `k`. The root at `t0 = 0` itself is not an occurrence.

use odegen::prelude::*;
use std::f64::consts::PI;

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

#[ode_system(events(second(terminal = 2)))]
fn osc_both2(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}
fn second(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}

#[ode_system(events(second_up(direction = rising, terminal = 2), passing))]
fn osc_rising2(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}
fn second_up(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn passing(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}

#[ode_system(events(second_down(direction = falling, terminal = 2)))]
fn osc_falling2(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}
fn second_down(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}

const Y0: [f64; 2] = [0.0, 1.0];
/// Ten roots: `π, …, 10π`.
const T1: f64 = 10.0 * PI + 0.5;

/// Methods with options that resolve `sin t` over `[0, 10π]` to well below `1e-9`, and the
/// tolerance on the event times for each.
fn methods() -> Vec<(Method, Options<f64, 2>, f64)> {
    vec![
        (
            Method::Rk23,
            Options::new(Method::Rk23).rtol(1e-12).atol(1e-14),
            1e-9,
        ),
        (
            Method::Rk45,
            Options::new(Method::Rk45).rtol(1e-11).atol(1e-13),
            1e-9,
        ),
        (
            Method::Dop853,
            Options::new(Method::Dop853).rtol(1e-12).atol(1e-14),
            1e-9,
        ),
        (
            Method::HighamHall54,
            Options::new(Method::HighamHall54).rtol(1e-11).atol(1e-13),
            1e-9,
        ),
        (
            Method::Tsit5,
            Options::new(Method::Tsit5).rtol(1e-11).atol(1e-13),
            1e-9,
        ),
        // RK4 with a cubic Hermite dense output: error O(h⁴) ≈ 1e-11 with h = 0.005.
        (
            Method::Rk4,
            Options::new(Method::Rk4).first_step(0.005),
            1e-9,
        ),
        (
            Method::Luther,
            Options::new(Method::Luther).first_step(0.01),
            1e-9,
        ),
    ]
}

/// `up` finds `2π, 4π, …, 10π`, `down` finds `π, 3π, …, 9π`, `any` all ten.
#[test]
fn rising_falling_and_both_on_sine() {
    let mut worst: f64 = 0.0;
    for (method, options, tol) in methods() {
        let sol = solve_ivp_with_events(&Oscillator, (0.0, T1), Y0, options, Oscillator.events())
            .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let expected: [Vec<f64>; 3] = [
            (1..=5).map(|k| (2 * k) as f64 * PI).collect(),
            (1..=5).map(|k| (2 * k - 1) as f64 * PI).collect(),
            (1..=10).map(|k| k as f64 * PI).collect(),
        ];
        for (e, (got, want)) in sol.t_events.iter().zip(&expected).enumerate() {
            assert_eq!(got.len(), want.len(), "{method}, event {e}: {got:?}");
            for (t, x) in got.iter().zip(want) {
                let err = (t - x).abs();
                worst = worst.max(err);
                assert!(err < tol, "{method}, event {e}: {t} vs {x}");
            }
        }
        // At each rising root v = cos(2kπ) = 1, at each falling one v = −1.
        for y in &sol.y_events[0] {
            assert!((y[1] - 1.0).abs() < 1e-8, "{method}: v = {}", y[1]);
        }
        for y in &sol.y_events[1] {
            assert!((y[1] + 1.0).abs() < 1e-8, "{method}: v = {}", y[1]);
        }
    }
    println!("direction filters: worst root error {worst:e}");
}

/// The occurrences through `run`: directions alternate (falling at odd `k`), the counts run
/// 1, 2, … per event, and the three functions (identical) report each root in index order,
/// those that pass their filter only.
#[test]
fn occurrence_directions_and_counts() {
    let mut st = Dop853::new(Oscillator, 0.0, Y0, T1, Tolerances::new(1e-12, 1e-14)).unwrap();
    let mut seen = Vec::new();
    let ending = run(&mut st, Oscillator.events(), &mut (), &mut |o| {
        seen.push(*o)
    })
    .unwrap();
    assert_eq!(ending, Ending::Finished);
    let mut expected = Vec::new();
    let mut counts = [0u32; 3];
    for k in 1..=10 {
        let dir = if k % 2 == 1 {
            Direction::Falling
        } else {
            Direction::Rising
        };
        let passing = if dir == Direction::Rising { 0 } else { 1 };
        for e in [passing, 2] {
            counts[e] += 1;
            expected.push((e, k as f64 * PI, dir, counts[e]));
        }
    }
    assert_eq!(seen.len(), expected.len(), "{seen:?}");
    for (o, (e, t, dir, count)) in seen.iter().zip(expected) {
        assert_eq!(o.event, e, "at {t}");
        assert!((o.t - t).abs() < 1e-9, "event {e}: {} vs {t}", o.t);
        assert_eq!(o.direction, dir, "event {e} at {t}");
        assert_eq!(o.count, count, "event {e} at {t}");
    }
    assert_eq!(counts, [5, 5, 10]);
}

/// `terminal = 2` counts the occurrences that pass the direction filter: both ways it stops
/// at `2π`; rising only at `4π` (the second rising root), falling only at `3π`.
#[test]
fn terminal_two_stops_at_the_second_occurrence() {
    for (method, options, tol) in methods() {
        let both =
            solve_ivp_with_events(&OscBoth2, (0.0, T1), Y0, options.clone(), OscBoth2.events())
                .unwrap();
        assert_eq!(both.status, Status::Terminated, "{method}");
        assert_eq!(both.t_events[0].len(), 2, "{method}: {:?}", both.t_events);
        assert!((both.t_events[0][0] - PI).abs() < tol, "{method}");
        assert!((both.t_events[0][1] - 2.0 * PI).abs() < tol, "{method}");
        assert_eq!(*both.t.last().unwrap(), both.t_events[0][1], "{method}");

        let rising = solve_ivp_with_events(
            &OscRising2,
            (0.0, T1),
            Y0,
            options.clone(),
            OscRising2.events(),
        )
        .unwrap();
        assert_eq!(rising.status, Status::Terminated, "{method}");
        assert_eq!(
            rising.t_events[0].len(),
            2,
            "{method}: {:?}",
            rising.t_events
        );
        assert!((rising.t_events[0][0] - 2.0 * PI).abs() < tol, "{method}");
        assert!((rising.t_events[0][1] - 4.0 * PI).abs() < tol, "{method}");
        // The unfiltered companion saw π, 2π, 3π and 4π (the last at the stop).
        assert_eq!(
            rising.t_events[1].len(),
            4,
            "{method}: {:?}",
            rising.t_events
        );
        assert!(
            (*rising.t.last().unwrap() - 4.0 * PI).abs() < tol,
            "{method}"
        );

        let falling =
            solve_ivp_with_events(&OscFalling2, (0.0, T1), Y0, options, OscFalling2.events())
                .unwrap();
        assert_eq!(falling.status, Status::Terminated, "{method}");
        assert_eq!(falling.t_events[0].len(), 2, "{method}");
        assert!((falling.t_events[0][0] - PI).abs() < tol, "{method}");
        assert!((falling.t_events[0][1] - 3.0 * PI).abs() < tol, "{method}");
        let y_end = falling.y.last().unwrap();
        // At 3π: x = 0, v = cos 3π = −1.
        assert!(
            y_end[0].abs() < 1e-8 && (y_end[1] + 1.0).abs() < 1e-8,
            "{method}: {y_end:?}"
        );
    }
}

/// The ending of `run` names the terminal event and its time.
#[test]
fn run_reports_the_terminal_event() {
    let mut st = Tsit5::new(OscRising2, 0.0, Y0, T1, Tolerances::new(1e-11, 1e-13)).unwrap();
    let mut seen = Vec::new();
    let ending = run(&mut st, OscRising2.events(), &mut (), &mut |o| {
        seen.push(*o)
    })
    .unwrap();
    let Ending::Terminated { event, t } = ending else {
        panic!("not terminated: {ending:?}")
    };
    assert_eq!(event, 0);
    assert!((t - 4.0 * PI).abs() < 1e-9, "{t}");
    let last = seen.iter().rfind(|o| o.event == 0).unwrap();
    assert_eq!(
        (last.count, last.direction, last.t),
        (2, Direction::Rising, t)
    );
}
