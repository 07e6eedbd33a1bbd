//! Events that occur again after a reset of the state, and events that only a reset makes
//! possible.
//!
//! On [`EventAction::ResetState`] the tracker (module documentation of `ode_core::events`)
//! reports the occurrence at the bracket end *before* the crossing, replaces the state with
//! [`EventSet::reset`] and restarts the method there; the event functions are then watched from
//! the new state, so the event can happen again. These tests follow such sequences over many
//! resets against closed forms.
//!
//! Problems (exact solutions):
//!
//! - the sawtooth `y' = 1`, `y(0) = 0`, event `y = 1` (rising) resetting `y → 0`: `y = t − k`
//!   on `[k, k + 1)`, occurrences at `t = 1, 2, 3, …`;
//! - the counter `u' = 1`, `v' = 0`, `w' = v` from `(0, 0, 0)`, event `u = 1` resetting
//!   `u → 0`, `v → v + 1`: on `[k, k + 1)`, `v = k` and `w = k(k − 1)/2 + k (t − k)`; the events
//!   `w = 2` and `w = 7` happen at `t = 2.5` and `t = 4.25`, possible only after two and four
//!   resets;
//! - the elastic ball `x' = v`, `v' = −10` from `(5, 0)`, bounce `x = 0` (falling) resetting
//!   `v → −v`: bounces at `t = 1, 3, 5, …`, and apexes (`v = 0`, falling: `v` goes from up to
//!   down) at `t = 2, 4, …` with `x = 5`, which only a bounce makes possible (the ball starts
//!   at its apex, which is not an occurrence);
//! - the ball with restitution `r = 1/2`: bounces at `t_n = 1 + 2 Σ_{j=1}^{n−1} r^j`,
//!   accumulating at `t = 3`, where the tracker must end with an error rather than loop.

use odegen::prelude::*;

#[ode_system(events(top(direction = rising, action = reset_state, reset = restart)))]
fn sawtooth(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [1.0]
}
fn top(_t: f64, [y]: [f64; 1]) -> f64 {
    y - 1.0
}
fn restart(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [0.0]
}

/// The sawtooth with a terminal count on the reset event.
#[ode_system(events(top4(direction = rising, terminal = 4, reset = restart4)))]
fn sawtooth4(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [1.0]
}
fn top4(_t: f64, [y]: [f64; 1]) -> f64 {
    y - 1.0
}
fn restart4(_t: f64, [_y]: [f64; 1]) -> [f64; 1] {
    [0.0]
}

#[ode_system(events(
    lap(direction = rising, reset = next_lap),
    w_two(direction = rising),
    w_seven
))]
fn counter(_t: f64, [_u, v, _w]: [f64; 3]) -> [f64; 3] {
    [1.0, 0.0, v]
}
fn lap(_t: f64, [u, _v, _w]: [f64; 3]) -> f64 {
    u - 1.0
}
fn next_lap(_t: f64, [_u, v, w]: [f64; 3]) -> [f64; 3] {
    [0.0, v + 1.0, w]
}
fn w_two(_t: f64, [_u, _v, w]: [f64; 3]) -> f64 {
    w - 2.0
}
fn w_seven(_t: f64, [_u, _v, w]: [f64; 3]) -> f64 {
    w - 7.0
}

#[ode_system(events(floor(direction = falling, reset = bounce), apex(direction = falling)))]
fn ball(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -10.0]
}
fn floor(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn bounce(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [x, -v]
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}

/// The ball with restitution 1/2.
#[ode_system(events(ground(direction = falling, reset = damped_bounce)))]
fn lossy_ball(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -10.0]
}
fn ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn damped_bounce(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [x, -0.5 * v]
}

fn options<const N: usize>(method: Method) -> Options<f64, N> {
    let o = Options::new(method).rtol(1e-10).atol(1e-12);
    if method.is_fixed_step() {
        // Not a divisor of 1: the resets fall inside steps.
        o.first_step(0.3)
    } else {
        o
    }
}

/// Ten teeth: occurrences at `t = 1, …, 10` with `y = 1` there, and `y(10.5) = 0.5`.
#[test]
fn sawtooth_resets_ten_times() {
    let mut worst: f64 = 0.0;
    for method in Method::ALL {
        let sol = solve_ivp_with_events(
            &Sawtooth,
            (0.0, 10.5),
            [0.0],
            options(method),
            Sawtooth.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let te = &sol.t_events[0];
        assert_eq!(te.len(), 10, "{method}: {te:?}");
        for (k, (t, y)) in te.iter().zip(&sol.y_events[0]).enumerate() {
            let err = (t - (k + 1) as f64).abs();
            worst = worst.max(err);
            assert!(err < 1e-9, "{method}: tooth {} at {t}", k + 1);
            assert!(
                (y[0] - 1.0).abs() < 1e-9,
                "{method}: y = {} at the reset",
                y[0]
            );
        }
        assert_eq!(*sol.t.last().unwrap(), 10.5);
        assert!((sol.y.last().unwrap()[0] - 0.5).abs() < 1e-9, "{method}");
        // Between resets the output never goes past the top.
        assert!(sol.y.iter().all(|y| y[0] <= 1.0 + 1e-12), "{method}");
    }
    println!("sawtooth: worst occurrence time error {worst:e}");
}

/// The same through the allocation-free driver: counts 1, 2, …, 10, all rising, each reported
/// time at or before the crossing (the reset restarts on the side it came from).
#[test]
fn sawtooth_occurrences_count_up() {
    let mut st = Dop853::new(Sawtooth, 0.0, [0.0], 10.5, Tolerances::new(1e-10, 1e-12)).unwrap();
    let mut seen = Vec::new();
    let ending = run(&mut st, Sawtooth.events(), &mut (), &mut |o| seen.push(*o)).unwrap();
    assert_eq!(ending, Ending::Finished);
    assert_eq!(seen.len(), 10);
    for (k, o) in seen.iter().enumerate() {
        assert_eq!(o.count as usize, k + 1);
        assert_eq!(o.direction, Direction::Rising);
        assert_eq!(o.event, 0);
        assert!((o.t - (k + 1) as f64).abs() < 1e-9);
        assert!(o.y[0] <= 1.0, "y = {} is past the crossing", o.y[0]);
    }
}

/// `terminal = 4` on the reset event: three resets, then the fourth occurrence stops the
/// integration at `t = 4` with the state not reset (`y = 1`).
#[test]
fn reset_event_with_terminal_count() {
    for method in Method::ALL {
        let sol = solve_ivp_with_events(
            &Sawtooth4,
            (0.0, 10.0),
            [0.0],
            options(method),
            Sawtooth4.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Terminated, "{method}: {}", sol.message);
        let te = &sol.t_events[0];
        assert_eq!(te.len(), 4, "{method}: {te:?}");
        for (k, t) in te.iter().enumerate() {
            assert!((t - (k + 1) as f64).abs() < 1e-9, "{method}: {te:?}");
        }
        assert_eq!(*sol.t.last().unwrap(), te[3], "{method}");
        assert!((sol.y.last().unwrap()[0] - 1.0).abs() < 1e-9, "{method}");
    }
}

/// `w = 2` at `t = 2.5` and `w = 7` at `t = 4.25`, each once, and the lap at `1, …, 5`; the
/// end state at `5.5` is `(0.5, 5, 12.5)`.
#[test]
fn events_that_only_resets_make_possible() {
    for method in Method::ALL {
        let sol = solve_ivp_with_events(
            &Counter,
            (0.0, 5.5),
            [0.0; 3],
            options(method),
            Counter.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let laps = &sol.t_events[0];
        assert_eq!(laps.len(), 5, "{method}: {laps:?}");
        for (k, t) in laps.iter().enumerate() {
            assert!((t - (k + 1) as f64).abs() < 1e-9, "{method}: laps {laps:?}");
        }
        assert_eq!(sol.t_events[1].len(), 1, "{method}: {:?}", sol.t_events[1]);
        assert!((sol.t_events[1][0] - 2.5).abs() < 1e-9, "{method}");
        assert_eq!(sol.t_events[2].len(), 1, "{method}: {:?}", sol.t_events[2]);
        assert!((sol.t_events[2][0] - 4.25).abs() < 1e-9, "{method}");
        // v counts the resets at the w events: 2 and 4.
        assert!((sol.y_events[1][0][1] - 2.0).abs() < 1e-12, "{method}");
        assert!((sol.y_events[2][0][1] - 4.0).abs() < 1e-12, "{method}");
        let end = sol.y.last().unwrap();
        for (got, want) in end.iter().zip([0.5, 5.0, 12.5]) {
            assert!((got - want).abs() < 1e-8, "{method}: end state {end:?}");
        }
    }
}

/// Ten elastic bounces at `t = 2k − 1` and nine apexes at `t = 2k` with `x = 5` in between.
/// `x` is quadratic in `t`, which the methods of order ≥ 2 and their dense outputs reproduce
/// exactly, so the times are checked to `1e-9` for those (Euler, exact only for linear
/// solutions, is left out).
#[test]
fn elastic_ball_bounces_and_apexes() {
    let mut worst: f64 = 0.0;
    for method in Method::ALL.into_iter().filter(|&m| m != Method::Euler) {
        let sol = solve_ivp_with_events(
            &Ball,
            (0.0, 19.5),
            [5.0, 0.0],
            options(method),
            Ball.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let (bounces, apexes) = (&sol.t_events[0], &sol.t_events[1]);
        assert_eq!(bounces.len(), 10, "{method}: {bounces:?}");
        assert_eq!(apexes.len(), 9, "{method}: {apexes:?}");
        for (k, (t, y)) in bounces.iter().zip(&sol.y_events[0]).enumerate() {
            let err = (t - (2 * k + 1) as f64).abs();
            worst = worst.max(err);
            assert!(err < 1e-9, "{method}: bounce {k} at {t}");
            // Reported before the reset: falling at 10 m/s.
            assert!((y[1] + 10.0).abs() < 1e-8, "{method}: v = {}", y[1]);
            assert!(y[0].abs() < 1e-8, "{method}: x = {}", y[0]);
        }
        for (k, (t, y)) in apexes.iter().zip(&sol.y_events[1]).enumerate() {
            let err = (t - (2 * k + 2) as f64).abs();
            worst = worst.max(err);
            assert!(err < 1e-9, "{method}: apex {k} at {t}");
            assert!(
                (y[0] - 5.0).abs() < 1e-8,
                "{method}: x = {} at the apex",
                y[0]
            );
        }
        // The ball never goes below the floor or above its start.
        assert!(
            sol.y.iter().all(|y| y[0] >= -1e-9 && y[0] <= 5.0 + 1e-9),
            "{method}"
        );
    }
    println!("elastic ball: worst occurrence time error {worst:e}");
}

/// Restitution 1/2: the bounces follow the closed form until they accumulate at `t = 3`,
/// where the integration must fail with a clear error instead of looping: `EventsAccumulate`
/// or `TooManyEvents` from the tracker, or `StepSizeTooSmall` when the flights get shorter
/// than the method can step first.
#[test]
fn damped_ball_bounces_accumulate_with_an_error() {
    for method in [Method::Rk45, Method::Dop853, Method::Tsit5] {
        let sol = solve_ivp_with_events(
            &LossyBall,
            (0.0, 10.0),
            [5.0, 0.0],
            options(method).max_events(10_000),
            LossyBall.events(),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Failed, "{method}: {}", sol.message);
        assert!(
            matches!(
                sol.error,
                Some(
                    Error::EventsAccumulate { event: 0, .. }
                        | Error::TooManyEvents { .. }
                        | Error::StepSizeTooSmall { .. }
                )
            ),
            "{method}: {:?}",
            sol.error
        );
        let te = &sol.t_events[0];
        assert!(te.len() >= 10, "{method}: only {} bounces", te.len());
        let mut exact = 1.0;
        let mut flight = 1.0;
        for (n, t) in te.iter().take(10).enumerate() {
            assert!(
                (t - exact).abs() < 1e-9,
                "{method}: bounce {n} at {t}, not {exact}"
            );
            // The next flight lasts 2 r^(n+1) (launch speed 10 r^(n+1) under g = 10).
            flight *= 0.5;
            exact += 2.0 * flight;
        }
        assert!(te.iter().all(|&t| t <= 3.0 + 1e-9), "{method}: {te:?}");
        assert!(*sol.t.last().unwrap() <= 3.0 + 1e-9, "{method}");
        println!(
            "{method}: {} bounces, then {:?}",
            te.len(),
            sol.error.as_ref().unwrap()
        );
    }
}
