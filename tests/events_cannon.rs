//! SciPy's cannon with event location, for every method of `solve_ivp`.
//!
//! The `solve_ivp` documentation of SciPy fires a cannonball straight up:
//!
//! ```text
//! x' = v,  v' = −0.5,   (x, v)(0) = (0, 10)
//! ```
//!
//! with the events `hit_ground` (`g = x`, falling, terminal) and `apex` (`g = v`). The exact
//! solution is `x(t) = 10 t − t²/4`, `v(t) = 10 − t/2`, so
//!
//! - `apex`: `v = 0` at `t = 20`, where `x = 10·20 − 20²/4 = 100`;
//! - `hit_ground`: `x = 0` (`t > 0`) at `t = 40`, where `v = 10 − 40/2 = −10`.
//!
//! The solution is a quadratic polynomial; every Runge–Kutta method of order ≥ 2 (Radau IIA
//! included) integrates it
//! without truncation error, and every dense output used here (cubic Hermite, Dormand–Prince,
//! DOP853, Tsitouras continuous extensions of order ≥ 3) reproduces it, so the event times and
//! states are exact up to rounding: they are checked to 1e-9 absolute.
//!
//! Explicit Euler (order 1) is not exact but has its own closed form on the grid
//! `t_n = n h`: `v_n = 10 − t_n/2` (Euler is exact for the linear `v`) and
//! `x_n = h Σ_{k<n} v_k = 10 t_n − t_n²/4 + h t_n/4`. Hence for Euler
//!
//! - `apex`: `v = 0` at `t = 20` (a grid point for `h = 0.1`), where `x = 100 + 5 h`;
//! - `hit_ground`: `x_n = t_n (10 − t_n/4 + h/4) = 0` at `t = 40 + h` (a grid point), where
//!   `v = 10 − (40 + h)/2 = −10 − h/2`.
//!
//! Both are again located to 1e-9 (the roots sit on grid points, where the Hermite interpolant
//! takes the grid values).

use odegen::jacobian::WithJacobian;
use odegen::prelude::*;

/// Every method `solve_ivp` offers: the one list in `ode-core`.
const METHODS: [Method; Method::ALL.len()] = Method::ALL;

/// The step of the fixed-step methods.
const H: f64 = 0.1;
const TOL: f64 = 1e-9;
const Y0: [f64; 2] = [0.0, 10.0];
const T_END: f64 = 100.0;

#[ode_system(events(hit_ground(direction = falling, terminal), apex))]
fn cannon(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -0.5]
}
fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}

/// The same system and events written by hand.
struct HandCannon;
impl OdeSystem<2> for HandCannon {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -0.5];
    }
}
impl Jacobian<2> for HandCannon {
    fn jacobian(&self, _t: f64, _y: &[f64; 2], jac: &mut [[f64; 2]; 2]) {
        *jac = [[0.0, 1.0], [0.0, 0.0]];
    }
}
struct HandEvents;
impl EventSet<2, 2> for HandEvents {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 2]) {
        *g = [y[0], y[1]];
    }
    fn direction(&self, k: usize) -> Direction {
        if k == 0 {
            Direction::Falling
        } else {
            Direction::Both
        }
    }
    fn terminal(&self, k: usize) -> Option<u32> {
        (k == 0).then_some(1)
    }
}

fn options(method: Method) -> Options<f64, 2> {
    let o = Options::new(method).rtol(1e-10).atol(1e-12);
    if method.is_fixed_step() {
        o.first_step(H)
    } else {
        o
    }
}

/// `(t_apex, x_apex, t_ground, v_ground)` in closed form (module documentation).
fn expected(method: Method) -> (f64, f64, f64, f64) {
    if method == Method::Euler {
        (20.0, 100.0 + 5.0 * H, 40.0 + H, -10.0 - 0.5 * H)
    } else {
        (20.0, 100.0, 40.0, -10.0)
    }
}

/// Checks one result against the closed form; returns the worst error.
fn check(method: Method, sol: &OdeResult<f64, 2>, how: &str) -> f64 {
    let (t_apex, x_apex, t_ground, v_ground) = expected(method);
    let ctx = format!("{method} ({how})");
    assert_eq!(sol.status, Status::Terminated, "{ctx}: {}", sol.message);
    assert_eq!(sol.status.code(), 1, "{ctx}");
    assert!(sol.success, "{ctx}");
    assert!(sol.error.is_none(), "{ctx}");
    assert_eq!(sol.message, "A termination event occurred.", "{ctx}");
    assert_eq!(sol.t_events.len(), 2, "{ctx}");
    assert_eq!(sol.y_events.len(), 2, "{ctx}");
    assert_eq!(
        sol.t_events[0].len(),
        1,
        "{ctx}: hit_ground {:?}",
        sol.t_events
    );
    assert_eq!(sol.t_events[1].len(), 1, "{ctx}: apex {:?}", sol.t_events);
    assert_eq!(sol.y_events[0].len(), 1, "{ctx}");
    assert_eq!(sol.y_events[1].len(), 1, "{ctx}");

    let tg = sol.t_events[0][0];
    let [xg, vg] = sol.y_events[0][0];
    let ta = sol.t_events[1][0];
    let [xa, va] = sol.y_events[1][0];
    let errs = [
        (tg - t_ground).abs(),
        xg.abs(),
        (vg - v_ground).abs(),
        (ta - t_apex).abs(),
        (xa - x_apex).abs(),
        va.abs(),
    ];
    let worst = errs.iter().copied().fold(0.0, f64::max);
    assert!(
        worst <= TOL,
        "{ctx}: ground t = {tg}, y = {:?}; apex t = {ta}, y = {:?}; errors {errs:?}",
        sol.y_events[0][0],
        sol.y_events[1][0]
    );
    // The reported ground time lies past the crossing: g = x is already ≤ 0 there.
    assert!(xg <= 0.0, "{ctx}: x = {xg} at the reported impact");

    // The solution ends at the terminal event, in the event's state.
    assert_eq!(*sol.t.last().unwrap(), tg, "{ctx}");
    assert_eq!(*sol.y.last().unwrap(), sol.y_events[0][0], "{ctx}");
    assert_eq!(sol.t.len(), sol.y.len(), "{ctx}");
    assert_eq!(sol.t[0], 0.0);
    assert_eq!(sol.y[0], Y0);
    assert!(
        sol.t.windows(2).all(|w| w[0] < w[1]),
        "{ctx}: t not increasing"
    );
    assert!(
        sol.t.iter().all(|&t| t <= tg),
        "{ctx}: output past the event"
    );
    // Every output point is on the (method's) exact parabola.
    let euler_shift = if method == Method::Euler { H } else { 0.0 };
    for (&t, y) in sol.t.iter().zip(&sol.y) {
        let x = 10.0 * t - t * t / 4.0 + euler_shift * t / 4.0;
        let v = 10.0 - t / 2.0;
        assert!(
            (y[0] - x).abs() <= 1e-8 && (y[1] - v).abs() <= 1e-9,
            "{ctx}: y({t}) = {y:?}, expected [{x}, {v}]"
        );
    }
    println!(
        "{ctx:<30} t_ground = {tg:.15} t_apex = {ta:.15} worst error {worst:.1e} (tol {TOL:.0e}), \
         nfev = {}",
        sol.stats.nfev
    );
    worst
}

#[test]
fn all_methods_are_listed() {
    // A cheap guard against a method added to `Method` but forgotten here: the names are unique.
    let mut names: Vec<String> = METHODS.iter().map(|m| m.to_string()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), METHODS.len());
    assert_eq!(METHODS.iter().filter(|m| m.is_fixed_step()).count(), 6);
}

#[test]
fn macro_events_every_method() {
    let mut worst = 0.0f64;
    for method in METHODS {
        let sol =
            solve_ivp_with_events(&Cannon, (0.0, T_END), Y0, options(method), Cannon.events())
                .unwrap_or_else(|e| panic!("{method}: {e}"));
        worst = worst.max(check(method, &sol, "macro"));
    }
    println!("macro events: worst error over all methods {worst:.1e} (tol {TOL:.0e})");
}

#[test]
fn hand_written_events_every_method() {
    let mut worst = 0.0f64;
    for method in METHODS {
        let sol = solve_ivp_with_events(&HandCannon, (0.0, T_END), Y0, options(method), HandEvents)
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        worst = worst.max(check(method, &sol, "hand-written"));
    }
    println!("hand-written events: worst error over all methods {worst:.1e} (tol {TOL:.0e})");
}

/// The macro's events and the hand-written ones are the same functions with the same settings
/// and, through [`WithJacobian`], the same Jacobian (which enters a Rosenbrock method's
/// formulas, not only its convergence), so the two drivers give bit-identical results.
#[test]
fn macro_and_hand_written_agree_exactly() {
    let ev = Cannon.events();
    for k in 0..2 {
        assert_eq!(ev.direction(k), HandEvents.direction(k));
        assert_eq!(ev.terminal(k), HandEvents.terminal(k));
        assert_eq!(ev.action(k), HandEvents.action(k));
    }
    assert_eq!(CannonEvents::NAMES, ["hit_ground", "apex"]);
    for method in METHODS {
        let a = solve_ivp_with_events(&Cannon, (0.0, T_END), Y0, options(method), ev).unwrap();
        let hand = WithJacobian(HandCannon);
        let b =
            solve_ivp_with_events(&hand, (0.0, T_END), Y0, options(method), HandEvents).unwrap();
        assert_eq!(a.t_events, b.t_events, "{method}");
        assert_eq!(a.y_events, b.y_events, "{method}");
        assert_eq!(a.t, b.t, "{method}");
    }
}

/// SciPy's default tolerances (`rtol = 1e-3`, `atol = 1e-6`): the problem is still integrated
/// exactly by the adaptive methods, so the events are still located to 1e-9.
#[test]
fn default_tolerances_adaptive() {
    // The Runge–Kutta methods only: BDF, a multistep method, starts at order 1 (implicit
    // Euler), which is not exact on the quadratic; at SciPy's default rtol = 1e-3 it keeps an
    // error of that tolerance's size (1.3e-5 in the event times), checked with the stiff
    // methods' features (`tests/stiff_features.rs`), not rounding.
    let runge_kutta = |m: &Method| !m.is_fixed_step() && *m != Method::Bdf;
    for method in METHODS.into_iter().filter(runge_kutta) {
        let sol = solve_ivp_with_events(
            &Cannon,
            (0.0, T_END),
            Y0,
            Options::new(method),
            Cannon.events(),
        )
        .unwrap();
        check(method, &sol, "default tol");
    }
}

/// `t_eval` and dense output stop at the terminal event as well.
#[test]
fn t_eval_and_dense_output_stop_at_the_event() {
    let t_eval: Vec<f64> = (0..=10).map(|i| 10.0 * i as f64).collect();
    let sol = solve_ivp_with_events(
        &Cannon,
        (0.0, T_END),
        Y0,
        Options::new(Method::Dop853)
            .rtol(1e-10)
            .atol(1e-12)
            .t_eval(t_eval)
            .dense_output(true),
        Cannon.events(),
    )
    .unwrap();
    assert_eq!(sol.status, Status::Terminated);
    // 0, 10, 20, 30, 40 lie up to the impact (40 exactly, or within an ulp); 50.. do not.
    assert!(
        sol.t == vec![0.0, 10.0, 20.0, 30.0] || sol.t == vec![0.0, 10.0, 20.0, 30.0, 40.0],
        "{:?}",
        sol.t
    );
    for (&t, y) in sol.t.iter().zip(&sol.y) {
        assert!((y[0] - (10.0 * t - t * t / 4.0)).abs() < TOL, "{t}: {y:?}");
        assert!((y[1] - (10.0 - t / 2.0)).abs() < TOL, "{t}: {y:?}");
    }
    let dense = sol.sol.as_ref().expect("dense output was asked for");
    let y35 = dense.eval(35.0).unwrap();
    assert!(
        (y35[0] - (350.0 - 35.0 * 35.0 / 4.0)).abs() < TOL,
        "{y35:?}"
    );
    assert!(
        dense.eval(45.0).is_err(),
        "the continuous solution must end at the impact"
    );
}

/// The allocation-free driver: occurrences in order with direction and count, and the ending.
#[test]
fn run_driver_reports_occurrences() {
    for hand in [false, true] {
        let mut st = Dop853::new(&Cannon, 0.0, Y0, T_END, Tolerances::new(1e-10, 1e-12)).unwrap();
        let mut occ: Vec<Occurrence<f64, 2>> = Vec::new();
        let end = if hand {
            run(&mut st, HandEvents, &mut (), &mut |o: &Occurrence<
                f64,
                2,
            >| {
                occ.push(*o)
            })
        } else {
            run(&mut st, Cannon.events(), &mut (), &mut |o: &Occurrence<
                f64,
                2,
            >| {
                occ.push(*o)
            })
        }
        .unwrap();
        let Ending::Terminated { event, t } = end else {
            panic!("expected a terminal ending, got {end:?}");
        };
        assert_eq!(event, 0);
        assert!((t - 40.0).abs() <= TOL, "{t}");
        assert_eq!(occ.len(), 2, "{occ:?}");
        // apex first (t = 20, v falls through zero), then the ground.
        assert_eq!(occ[0].event, 1);
        assert_eq!(occ[0].direction, Direction::Falling);
        assert_eq!(occ[0].count, 1);
        assert!((occ[0].t - 20.0).abs() <= TOL);
        assert!((occ[0].y[0] - 100.0).abs() <= TOL && occ[0].y[1].abs() <= TOL);
        assert_eq!(occ[1].event, 0);
        assert_eq!(occ[1].direction, Direction::Falling);
        assert_eq!(occ[1].count, 1);
        assert_eq!(occ[1].t, t);
        assert!(occ[1].y[0].abs() <= TOL && (occ[1].y[1] + 10.0).abs() <= TOL);
    }
}

/// Without the terminal flag (a hand-written set) the ball goes on through the ground to the
/// bound `t = 100`, where `x(100) = 1000 − 10000/4 = −1500` and `v(100) = 10 − 50 = −40`; both
/// events are still recorded once each.
#[test]
fn non_terminal_ground_reaches_the_bound() {
    struct NonTerminal;
    impl EventSet<2, 2> for NonTerminal {
        fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 2]) {
            *g = [y[0], y[1]];
        }
        fn direction(&self, k: usize) -> Direction {
            if k == 0 {
                Direction::Falling
            } else {
                Direction::Both
            }
        }
    }
    for method in METHODS.into_iter().filter(|&m| m != Method::Euler) {
        let sol =
            solve_ivp_with_events(&Cannon, (0.0, T_END), Y0, options(method), NonTerminal).unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        assert_eq!(*sol.t.last().unwrap(), T_END, "{method}");
        let y = *sol.y.last().unwrap();
        assert!(
            (y[0] + 1500.0).abs() < 1e-8 && (y[1] + 40.0).abs() < TOL,
            "{method}: {y:?}"
        );
        assert_eq!(sol.t_events[0].len(), 1, "{method}");
        assert_eq!(sol.t_events[1].len(), 1, "{method}");
        assert!((sol.t_events[0][0] - 40.0).abs() <= TOL, "{method}");
        assert!((sol.t_events[1][0] - 20.0).abs() <= TOL, "{method}");
    }
}
