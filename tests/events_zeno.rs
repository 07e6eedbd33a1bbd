//! Zeno behaviour: events that accumulate must end the integration with a clear error near the
//! accumulation point, never hang.
//!
//! The bouncing ball (`x' = v`, `v' = −g`, dropped from rest at `h0`; at `x = 0` falling,
//! `v ← −e v`) has, as derived in `events_bouncing_ball.rs`,
//!
//! ```text
//! t_1 = √(2 h0/g),  v_1 = g t_1,  t_{n+1} = t_n + 2 eⁿ v_1/g
//! ```
//!
//! so `t_n = t_1 + (2 v_1/g) Σ_{k=1}^{n−1} e^k = t_1 + 2 t_1 e (1 − e^{n−1})/(1 − e)`, and the
//! impacts accumulate at
//!
//! ```text
//! T∞ = lim t_n = t_1 + 2 v_1 e/(g (1 − e)) = t_1 (1 + e)/(1 − e)
//! ```
//!
//! (`3 t_1` for `e = 0.5`, `9 t_1` for `e = 0.8`). An integration asked to go past `T∞` cannot,
//! and must say so: `Error::EventsAccumulate`, `Error::TooManyEvents` or
//! `Error::StepSizeTooSmall`, at a time within 1e-6 (relative) of `T∞`.
//!
//! The second family is a sliding mode: `y' = −sign(y)` from `y = 1` reaches `y = 0` at `t = 1`
//! (`y = 1 − t`) and then chatters about zero; an event on `y` with `ResetDerivatives` sees a
//! crossing at every step from then on. Bounded by `max_events`, it must end.

use odegen::prelude::*;

const H0: f64 = 10.0;
const G: f64 = 9.81;

struct Ball;
impl OdeSystem<2> for Ball {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -G];
    }
}

/// The floor with restitution `e`.
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

fn t1() -> f64 {
    (2.0 * H0 / G).sqrt()
}

/// `T∞ = t_1 (1 + e)/(1 − e)` (module documentation).
fn t_inf(e: f64) -> f64 {
    t1() * (1.0 + e) / (1.0 - e)
}

/// `t_n = t_1 + 2 t_1 e (1 − e^{n−1})/(1 − e)`, `n ≥ 1` (module documentation).
fn t_n(e: f64, n: u32) -> f64 {
    t1() + 2.0 * t1() * e * (1.0 - e.powi(n as i32 - 1)) / (1.0 - e)
}

/// The time an error names, if it is one of the errors that may end a Zeno run.
fn zeno_time(err: &Error) -> Option<f64> {
    match *err {
        Error::EventsAccumulate { t, .. } | Error::TooManyEvents { t, .. } => Some(t),
        Error::StepSizeTooSmall { t, .. } => Some(t),
        _ => None,
    }
}

/// Integrates the ball with restitution `e` to `2 T∞` and checks the failure at `T∞`; returns
/// the relative distance of the failure time to `T∞` and the number of impacts seen.
fn zeno_run(method: Method, e: f64) -> (f64, usize) {
    let ti = t_inf(e);
    let sol = solve_ivp_with_events(
        &Ball,
        (0.0, 2.0 * ti),
        [H0, 0.0],
        Options::new(method).rtol(1e-10).atol(1e-12),
        Floor { e },
    )
    .expect("the problem is well posed: the failure is in the result, not an Err");
    let ctx = format!("{method}, e = {e}");
    assert_eq!(sol.status, Status::Failed, "{ctx}: {}", sol.message);
    assert_eq!(sol.status.code(), -1);
    assert!(!sol.success, "{ctx}");
    let err = sol.error.expect("a failed result carries its error");
    let t_fail = zeno_time(&err).unwrap_or_else(|| panic!("{ctx}: unexpected error {err:?}"));
    // The message is the error's, naming the time.
    assert_eq!(sol.message, err.to_string(), "{ctx}");
    assert!(
        sol.message.contains(&format!("t = {t_fail}")),
        "{ctx}: message {:?} does not name t = {t_fail}",
        sol.message
    );
    let rel = ((t_fail - ti) / ti).abs();
    assert!(
        rel <= 1e-6,
        "{ctx}: failed at t = {t_fail}, T∞ = {ti} (relative {rel:.1e}): {}",
        sol.message
    );
    // The solution stops there: nothing past T∞ (beyond rounding).
    let t_last = *sol.t.last().unwrap();
    assert!(
        t_last <= ti * (1.0 + 1e-9),
        "{ctx}: output up to {t_last} > T∞ = {ti}"
    );
    assert!(
        ((t_last - ti) / ti).abs() <= 1e-6,
        "{ctx}: output ends at {t_last}"
    );
    // The impacts seen are the closed-form ones, in order.
    let seen = &sol.t_events[0];
    assert!(seen.len() >= 20, "{ctx}: only {} impacts", seen.len());
    for (n, &t) in seen.iter().enumerate() {
        let exact = t_n(e, n as u32 + 1);
        assert!(
            ((t - exact) / exact).abs() <= 1e-8,
            "{ctx}: impact {} at {t}, exact {exact}",
            n + 1
        );
    }
    println!(
        "{ctx:<22} {:?} after {} impacts, t_fail = {t_fail:.17}, T∞ = {ti:.17}, relative \
         {rel:.1e} (tol 1e-6), nfev = {}",
        err,
        seen.len(),
        sol.stats.nfev
    );
    (rel, seen.len())
}

#[test]
fn accumulation_of_bounces_is_an_error_near_t_infinity() {
    let mut worst = 0.0f64;
    for e in [0.5, 0.8] {
        for method in [
            Method::Dop853,
            Method::Rk45,
            Method::Rk23,
            Method::HighamHall54,
            Method::Tsit5,
        ] {
            worst = worst.max(zeno_run(method, e).0);
        }
    }
    println!("worst relative distance of the failure to T∞: {worst:.1e} (tol 1e-6)");
}

/// The allocation-free driver gives the same error as an `Err`.
#[test]
fn run_driver_returns_the_accumulation_error() {
    let e = 0.5;
    let ti = t_inf(e);
    let mut st = Dop853::new(
        Ball,
        0.0,
        [H0, 0.0],
        2.0 * ti,
        Tolerances::new(1e-10, 1e-12),
    )
    .unwrap();
    let mut count = 0u32;
    let err = run(&mut st, Floor { e }, &mut (), &mut |o: &Occurrence<
        f64,
        2,
    >| {
        count += 1;
        assert_eq!(o.count, count);
    })
    .expect_err("the ball cannot be integrated past T∞");
    let t = zeno_time(&err).unwrap_or_else(|| panic!("unexpected error {err:?}"));
    assert!(((t - ti) / ti).abs() <= 1e-6, "{err}");
    assert!(count >= 20, "{count}");
}

/// `max_events(20)`: the 21st impact, at `t_21` of the closed form, is one too many.
#[test]
fn max_events_stops_at_the_21st_occurrence() {
    for e in [0.5, 0.8] {
        let sol = solve_ivp_with_events(
            &Ball,
            (0.0, 2.0 * t_inf(e)),
            [H0, 0.0],
            Options::new(Method::Dop853)
                .rtol(1e-10)
                .atol(1e-12)
                .max_events(20),
            Floor { e },
        )
        .unwrap();
        assert_eq!(sol.status, Status::Failed, "{}", sol.message);
        let Some(Error::TooManyEvents { limit, t }) = sol.error else {
            panic!("e = {e}: expected TooManyEvents, got {:?}", sol.error);
        };
        assert_eq!(limit, 20);
        let t21 = t_n(e, 21);
        assert!(
            ((t - t21) / t21).abs() <= 1e-8,
            "e = {e}: limit hit at {t}, t_21 = {t21}"
        );
        assert_eq!(
            sol.t_events[0].len(),
            20,
            "the 21st occurrence is not reported"
        );
        assert!(sol.message.contains("20") && sol.message.contains(&format!("{t}")));
        for (n, &tn) in sol.t_events[0].iter().enumerate() {
            let exact = t_n(e, n as u32 + 1);
            assert!(((tn - exact) / exact).abs() <= 1e-8);
        }
        // The solution ends at the 20th impact (the step holding the 21st is not kept) or at
        // the 21st, not beyond.
        let t_last = *sol.t.last().unwrap();
        assert!(
            t_last <= t * (1.0 + 1e-12),
            "output up to {t_last}, limit at {t}"
        );
        println!(
            "e = {e}: TooManyEvents {{ limit: 20, t: {t} }}, t_21 = {t21}, relative {:.1e}",
            ((t - t21) / t21).abs()
        );
    }
}

/// `y' = −sign(y)`, an event on `y` in both directions that restarts the method.
struct HandSliding;
impl OdeSystem<1> for HandSliding {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = if y[0] > 0.0 { -1.0 } else { 1.0 };
    }
}
struct Surface;
impl EventSet<1, 1> for Surface {
    fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetDerivatives
    }
}

#[ode_system(events(surface(direction = both, action = reset_derivatives)))]
fn sliding(_t: f64, [y]: [f64; 1]) -> [f64; 1] {
    [if y > 0.0 { -1.0 } else { 1.0 }]
}
fn surface(_t: f64, [y]: [f64; 1]) -> f64 {
    y
}

fn check_sliding(sol: &OdeResult<f64, 1>, ctx: &str, limit: u64) {
    println!(
        "{ctx:<24} status {:?}, {} events, last t = {}, y = {:?}: {}",
        sol.status,
        sol.t_events[0].len(),
        sol.t.last().unwrap(),
        sol.y.last().unwrap(),
        sol.message
    );
    // The first crossing, y = 1 − t = 0 at t = 1. It is located on the interpolant of the
    // step that straddles the switch of the right-hand side (stages past y = 0 see +1), whose
    // accuracy the error estimate controls only indirectly (measured at rtol 1e-8, atol 1e-10:
    // 1.3e-10 for DOP853, 2.4e-8 for RK45); 1e-6 is a sanity bound, not an accuracy claim.
    let first = sol.t_events[0][0];
    assert!(
        (first - 1.0).abs() <= 1e-6,
        "{ctx}: first crossing at {first}"
    );
    assert_eq!(sol.status, Status::Failed, "{ctx}: {}", sol.message);
    let err = sol.error.expect("failed");
    let t = zeno_time(&err).unwrap_or_else(|| panic!("{ctx}: unexpected error {err:?}"));
    if let Error::TooManyEvents { limit: l, .. } = err {
        assert_eq!(l, limit);
        assert_eq!(sol.t_events[0].len() as u64, limit);
    }
    // The chatter does not get anywhere: it ends where it began.
    assert!((t - 1.0).abs() <= 1e-6, "{ctx}: {err}");
    assert!(
        sol.message.contains(&format!("{t}")),
        "{ctx}: {}",
        sol.message
    );
    // Whatever happened after t = 1, the state stayed on the sliding surface y = 0.
    for (&tk, y) in sol.t.iter().zip(&sol.y) {
        if tk >= first {
            assert!(y[0].abs() <= 1e-9, "{ctx}: y({tk}) = {}", y[0]);
        }
    }
}

#[test]
fn sliding_mode_chatter_ends() {
    let limit = 1000;
    for method in [
        Method::Dop853,
        Method::Rk45,
        Method::Rk23,
        Method::HighamHall54,
        Method::Tsit5,
    ] {
        let opts = Options::new(method)
            .rtol(1e-8)
            .atol(1e-10)
            .max_events(limit);
        let sol =
            solve_ivp_with_events(&HandSliding, (0.0, 3.0), [1.0], opts.clone(), Surface).unwrap();
        check_sliding(&sol, &format!("{method} hand-written"), limit);
        let sol =
            solve_ivp_with_events(&Sliding, (0.0, 3.0), [1.0], opts, Sliding.events()).unwrap();
        check_sliding(&sol, &format!("{method} macro"), limit);
    }
}

/// Without `max_events`, the chatter of a `ResetDerivatives` event should be recognised as
/// events accumulating, like the bouncing ball's: consecutive occurrences lie 4e-16 to 6e-16
/// apart at t ≈ 1, within the tracker's same-time tolerance `4 ε |t|` ≈ 8.9e-16, and the module
/// documentation counts `ResetDerivatives` among the resets ("A reset event that recurs at the
/// time of its own previous reset means the events accumulate there: EventsAccumulate").
/// Budget: 10⁶ right-hand-side evaluations (the default event limit, 10⁶ occurrences, costs
/// ~2.5e8 evaluations and over a minute in a debug build).
#[test]
fn sliding_mode_chatter_is_an_accumulation() {
    let sol = solve_ivp_with_events(
        &HandSliding,
        (0.0, 3.0),
        [1.0],
        Options::new(Method::Dop853)
            .rtol(1e-8)
            .atol(1e-10)
            .max_nfev(1_000_000),
        Surface,
    )
    .unwrap();
    let n_events = sol.t_events[0].len();
    println!(
        "{:?} after {n_events} events, nfev = {}: {}",
        sol.error, sol.stats.nfev, sol.message
    );
    assert_eq!(sol.status, Status::Failed);
    let err = sol.error.expect("failed");
    assert!(
        matches!(err, Error::EventsAccumulate { event: 0, .. }),
        "expected EventsAccumulate, got {err:?} after {n_events} events"
    );
    let t = zeno_time(&err).unwrap();
    assert!((t - 1.0).abs() <= 1e-6, "{err}");
    assert!(n_events < 100, "{n_events} occurrences before the error");
}
