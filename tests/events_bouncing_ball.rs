//! A bouncing ball: `ResetState` events against the closed form of the bounce times.
//!
//! A ball dropped from rest at height `h0` falls with `x' = v`, `v' = −g`. At the floor
//! (`x = 0`, falling) its velocity is reversed and scaled by the restitution `e`:
//! `v ← −e v`. Closed form:
//!
//! - first impact: `h0 − g t²/2 = 0`, so `t_1 = √(2 h0/g)`, with speed `v_1 = g t_1 = √(2 g h0)`;
//! - the n-th impact has speed `e^{n−1} v_1`, the ball leaves with `e^n v_1` and, by
//!   `x(s) = e^n v_1 s − g s²/2`, is back on the floor after `s = 2 e^n v_1/g`:
//!   `t_{n+1} = t_n + 2 e^n v_1/g`, i.e. `t_n = t_1 + 2 (v_1/g) Σ_{k=1}^{n−1} e^k`;
//! - in flight after the n-th impact, `v(t_n + s) = e^n v_1 − g s`, and the apex is at
//!   `s = e^n v_1/g` with height `(e^n v_1)²/(2g) = e^{2n} h0`.
//!
//! Every flight is a quadratic, which the methods integrate without truncation error, so the
//! bounce times are compared at a relative 1e-8 (measured errors are near rounding).

use odegen::prelude::*;

const H0: f64 = 10.0;
const G: f64 = 9.81;
const E: f64 = 0.8;
const BOUNCES: usize = 10;
const REL: f64 = 1e-8;

/// `t_1`, `v_1` and the first `n` impact times (module documentation).
fn impacts(n: usize) -> (f64, Vec<f64>) {
    let t1 = (2.0 * H0 / G).sqrt();
    let v1 = (2.0 * G * H0).sqrt();
    let mut t = vec![t1];
    for k in 1..n {
        let prev = t[k - 1];
        t.push(prev + 2.0 * E.powi(k as i32) * v1 / G);
    }
    (v1, t)
}

/// Half-way through the flight after the 10th impact: past `t_10`, before `t_11`.
fn t_end() -> f64 {
    let (v1, t) = impacts(BOUNCES);
    t[BOUNCES - 1] + E.powi(BOUNCES as i32) * v1 / G
}

/// Free fall under gravity `g`.
struct HandBall {
    g: f64,
}
impl OdeSystem<2> for HandBall {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -self.g];
    }
}
/// The floor `x = 0`, falling, reversing the velocity with restitution `e`.
struct Floor {
    e: f64,
}
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
        y[1] *= -self.e;
    }
}

/// The macro version, with `g` and `e` as parameters seen by the event and reset functions.
#[ode_system(events(floor(direction = falling, reset = bounce)))]
fn ball(_t: f64, [_x, v]: [f64; 2], g: f64, _e: f64) -> [f64; 2] {
    [v, -g]
}
fn floor(_t: f64, [x, _v]: [f64; 2], _g: f64, _e: f64) -> f64 {
    x
}
fn bounce(_t: f64, [x, v]: [f64; 2], _g: f64, e: f64) -> [f64; 2] {
    [x, -e * v]
}

/// The same with `terminal = 10`: the integration stops at the 10th impact.
#[ode_system(events(floor10(direction = falling, reset = bounce10, terminal = 10)))]
fn ball10(_t: f64, [_x, v]: [f64; 2], g: f64, _e: f64) -> [f64; 2] {
    [v, -g]
}
fn floor10(_t: f64, [x, _v]: [f64; 2], _g: f64, _e: f64) -> f64 {
    x
}
fn bounce10(_t: f64, [x, v]: [f64; 2], _g: f64, e: f64) -> [f64; 2] {
    [x, -e * v]
}

fn tight(method: Method) -> Options<f64, 2> {
    let o = Options::new(method).rtol(1e-10).atol(1e-12);
    if method.is_fixed_step() {
        o.first_step(0.01)
    } else {
        o
    }
}

/// The apex times after impacts 1..n, and their heights `e^{2k} h0`.
fn apexes(n: usize) -> Vec<(f64, f64)> {
    let (v1, t) = impacts(n);
    (1..=n)
        .map(|k| {
            let s = E.powi(k as i32) * v1 / G;
            (t[k - 1] + s, E.powi(2 * k as i32) * H0)
        })
        .collect()
}

/// Checks the impact times and states of a result with `n` impacts; returns the worst relative
/// error of the times.
fn check_impacts(sol: &OdeResult<f64, 2>, n: usize, ctx: &str) -> f64 {
    let (v1, exact) = impacts(n);
    assert_eq!(sol.t_events.len(), 1, "{ctx}");
    assert_eq!(sol.t_events[0].len(), n, "{ctx}: {:?}", sol.t_events[0]);
    assert_eq!(sol.y_events[0].len(), n, "{ctx}");
    let mut worst = 0.0f64;
    for (k, &te) in exact.iter().enumerate() {
        let t = sol.t_events[0][k];
        let [x, v] = sol.y_events[0][k];
        let rel = ((t - te) / te).abs();
        worst = worst.max(rel);
        assert!(rel <= REL, "{ctx}: impact {} at {t}, exact {}", k + 1, te);
        // The state before the reset: on the floor, coming down at e^{k} v_1 (k = 0 for the
        // first impact).
        let v_in = -E.powi(k as i32) * v1;
        assert!(
            x.abs() <= 1e-9 && ((v - v_in) / v_in).abs() <= REL,
            "{ctx}: impact {}: state {:?}, expected [0, {v_in}]",
            k + 1,
            [x, v]
        );
    }
    worst
}

#[test]
fn ten_bounces_hand_written_dop853() {
    let end = t_end();
    let ap = apexes(BOUNCES);
    let (v1, exact) = impacts(BOUNCES);
    // Output at every apex and just after every impact.
    let dt = 1e-3;
    let mut t_eval = Vec::new();
    for k in 0..BOUNCES {
        t_eval.push(exact[k] + dt);
        t_eval.push(ap[k].0);
    }
    let sol = solve_ivp_with_events(
        &HandBall { g: G },
        (0.0, end),
        [H0, 0.0],
        tight(Method::Dop853).t_eval(t_eval.clone()),
        Floor { e: E },
    )
    .unwrap();
    assert_eq!(sol.status, Status::Finished, "{}", sol.message);
    let worst = check_impacts(&sol, BOUNCES, "DOP853");
    assert_eq!(sol.t, t_eval);
    let mut worst_state = 0.0f64;
    for (k, &(_, apex_height)) in ap.iter().enumerate() {
        // Just after impact k+1: the ball left with e^{k+1} v_1 and was decelerated for dt.
        let v_out = E.powi(k as i32 + 1) * v1;
        let after = sol.y[2 * k];
        let x_exact = v_out * dt - G * dt * dt / 2.0;
        let v_exact = v_out - G * dt;
        // At the apex: height e^{2(k+1)} h0, at rest.
        let apex = sol.y[2 * k + 1];
        let errs = [
            (after[0] - x_exact).abs(),
            (after[1] - v_exact).abs(),
            (apex[0] - apex_height).abs(),
            apex[1].abs(),
        ];
        let w = errs.iter().copied().fold(0.0, f64::max);
        worst_state = worst_state.max(w);
        assert!(
            w <= 1e-8,
            "after impact {}: just after {after:?} (exact [{x_exact}, {v_exact}]), apex {apex:?} \
             (exact [{}, 0])",
            k + 1,
            apex_height
        );
    }
    println!(
        "DOP853 hand-written: worst relative impact-time error {worst:.1e} (tol {REL:.0e}), worst \
         state error after impacts/apexes {worst_state:.1e} (tol 1e-8), nfev = {}",
        sol.stats.nfev
    );
}

#[test]
fn ten_bounces_macro_with_parameters() {
    let ball = Ball { g: G, _e: E };
    // The macro named the unused parameter `_e`, so its field is `_e`: check the event set sees
    // the value (the reset uses it).
    let sol = solve_ivp_with_events(
        &ball,
        (0.0, t_end()),
        [H0, 0.0],
        tight(Method::Dop853),
        ball.events(),
    )
    .unwrap();
    assert_eq!(sol.status, Status::Finished, "{}", sol.message);
    let worst = check_impacts(&sol, BOUNCES, "macro");
    assert_eq!(BallEvents::NAMES, ["floor"]);
    assert_eq!(ball.events().action(0), EventAction::ResetState);
    assert_eq!(ball.events().direction(0), Direction::Falling);
    assert_eq!(ball.events().terminal(0), None);
    // Same functions, same settings: the same numbers as the hand-written set.
    let hand = solve_ivp_with_events(
        &HandBall { g: G },
        (0.0, t_end()),
        [H0, 0.0],
        tight(Method::Dop853),
        Floor { e: E },
    )
    .unwrap();
    assert_eq!(sol.t_events, hand.t_events);
    assert_eq!(sol.t, hand.t);
    println!("macro: worst relative impact-time error {worst:.1e} (tol {REL:.0e})");
}

#[test]
fn terminal_at_the_tenth_bounce() {
    let ball = Ball10 { g: G, _e: E };
    assert_eq!(ball.events().terminal(0), Some(10));
    let sol = solve_ivp_with_events(
        &ball,
        (0.0, 100.0),
        [H0, 0.0],
        tight(Method::Dop853),
        ball.events(),
    )
    .unwrap();
    assert_eq!(sol.status, Status::Terminated, "{}", sol.message);
    assert_eq!(sol.message, "A termination event occurred.");
    let worst = check_impacts(&sol, BOUNCES, "terminal = 10");
    let (v1, exact) = impacts(BOUNCES);
    let t_last = *sol.t.last().unwrap();
    assert_eq!(t_last, sol.t_events[0][BOUNCES - 1]);
    assert!(((t_last - exact[BOUNCES - 1]) / exact[BOUNCES - 1]).abs() <= REL);
    // The terminal occurrence stops without its reset: the ball is on the floor, coming down.
    let y_last = *sol.y.last().unwrap();
    assert_eq!(y_last, sol.y_events[0][BOUNCES - 1]);
    let v_in = -E.powi(BOUNCES as i32 - 1) * v1;
    assert!(
        ((y_last[1] - v_in) / v_in).abs() <= REL,
        "{y_last:?} vs {v_in}"
    );
    println!("terminal = 10: stops at t = {t_last}, worst relative error {worst:.1e}");
}

/// Every method but Euler (order 1, not exact for the parabolas) against the same closed form.
#[test]
fn ten_bounces_every_method() {
    let methods = [
        Method::Rk23,
        Method::Rk45,
        Method::Dop853,
        Method::HighamHall54,
        Method::Tsit5,
        Method::Midpoint,
        Method::Rk4,
        Method::Gill,
        Method::ThreeEighths,
        Method::Luther,
    ];
    let mut worst = 0.0f64;
    for method in methods {
        let sol = solve_ivp_with_events(
            &HandBall { g: G },
            (0.0, t_end()),
            [H0, 0.0],
            tight(method),
            Floor { e: E },
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        let w = check_impacts(&sol, BOUNCES, &method.to_string());
        println!(
            "{method:<14} worst relative impact-time error {w:.1e}, nfev = {}",
            sol.stats.nfev
        );
        worst = worst.max(w);
        // The end state: half-way through the flight after the 10th impact is its apex.
        let y = *sol.y.last().unwrap();
        let h10 = E.powi(2 * BOUNCES as i32) * H0;
        assert!(
            (y[0] - h10).abs() <= 1e-8 && y[1].abs() <= 1e-8,
            "{method}: end {y:?}, exact [{h10}, 0]"
        );
    }
    println!("every method: worst relative impact-time error {worst:.1e} (tol {REL:.0e})");
}

/// The allocation-free driver reports each impact once, counted 1, 2, ..., falling.
#[test]
fn run_driver_counts_the_bounces() {
    let mut st = Dop853::new(
        HandBall { g: G },
        0.0,
        [H0, 0.0],
        t_end(),
        Tolerances::new(1e-10, 1e-12),
    )
    .unwrap();
    let mut occ: Vec<Occurrence<f64, 2>> = Vec::new();
    let end = run(&mut st, Floor { e: E }, &mut (), &mut |o: &Occurrence<
        f64,
        2,
    >| {
        occ.push(*o)
    })
    .unwrap();
    assert_eq!(end, Ending::Finished);
    let (_, exact) = impacts(BOUNCES);
    assert_eq!(occ.len(), BOUNCES);
    for (k, o) in occ.iter().enumerate() {
        assert_eq!(o.event, 0);
        assert_eq!(o.count, k as u32 + 1);
        assert_eq!(o.direction, Direction::Falling);
        assert!(((o.t - exact[k]) / exact[k]).abs() <= REL);
        // ResetState reports the bracket end before the crossing: still above the floor.
        assert!(o.y[0] >= 0.0, "impact {}: x = {}", k + 1, o.y[0]);
    }
    assert_eq!(st.t(), t_end());
}

/// A reset that lands exactly on the floor (`g = 0` after the reset), followed by a flight
/// shorter than one step. Dropped from `h0 = 1` with `g = 2`: `t_1 = √(2·1/2) = 1`, `v_1 = 2`,
/// a grid point of the explicit midpoint rule with `h = 0.5`, which integrates the parabola
/// exactly, so `x(1) = 0` exactly. With `e = 0.2` the flights last `2 eⁿ v_1/g = 2·0.2ⁿ`
/// (0.4, 0.08, ...), all shorter than the step; the closed form gives
/// `t_{n+1} = t_n + 2·0.2ⁿ`: 1, 1.4, 1.48, 1.496, 1.4992.
#[test]
fn reset_at_an_exact_zero_then_a_flight_inside_one_step() {
    let exact = [1.0, 1.4, 1.48, 1.496, 1.4992];
    // Between t_5 = 1.4992 and t_6 = 1.49984.
    let sol = solve_ivp_with_events(
        &HandBall { g: 2.0 },
        (0.0, 1.4995),
        [1.0, 0.0],
        Options::new(Method::Midpoint).first_step(0.5),
        Floor { e: 0.2 },
    )
    .unwrap();
    assert_eq!(sol.status, Status::Finished, "{}", sol.message);
    // The case is exercised: the first impact is found exactly on the floor.
    assert_eq!(sol.t_events[0][0], 1.0);
    assert_eq!(sol.y_events[0][0], [0.0, -2.0]);
    assert_eq!(
        sol.t_events[0].len(),
        exact.len(),
        "impacts {:?}, exact {exact:?}",
        sol.t_events[0]
    );
    for (n, (&t, &te)) in sol.t_events[0].iter().zip(&exact).enumerate() {
        assert!(
            ((t - te) / te).abs() <= REL,
            "impact {}: {t} vs {te}",
            n + 1
        );
        // Coming down at 0.2^n v_1 = 2·0.2^n.
        let v_in = -2.0 * 0.2f64.powi(n as i32);
        assert!((sol.y_events[0][n][1] - v_in).abs() <= 1e-12);
    }
    // The ball never went through the floor.
    assert!(sol.y.iter().all(|y| y[0] >= 0.0), "{:?}", sol.y);
}
