//! Step handlers: a handler sees every accepted step once, in order, as contiguous views whose
//! interpolants match the exact solution; events cut the views; handlers compose.

mod problems;

use odegen::prelude::*;
use odegen::Stepper;
use problems::{max_abs_diff, Decay, Oscillator};

/// Interior and end points at which every view is sampled, as fractions of the view.
const THETAS: [f64; 7] = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0];
/// Interior points only (for solutions with jumps at the view ends).
const INTERIOR: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// One view as recorded: `(t_start, t_end, is_last, n_accepted seen in the view)`.
type Record = (f64, f64, bool, usize);

/// Records every view and measures its interpolant against an exact solution.
struct Checker<F, const N: usize> {
    exact: F,
    thetas: &'static [f64],
    init: Option<(f64, [f64; N], f64)>,
    views: Vec<Record>,
    /// Largest `|eval(t) − exact(t)|` over the sampled points.
    worst_interp: f64,
    /// Largest `|Horner(coefficients, θ) − eval(t)|` relative to `1 + |y|`.
    worst_horner: f64,
    /// Largest `|y_end − exact(t_end)|`.
    worst_end: f64,
    /// Whether evaluating just outside a view failed, as it must.
    outside_rejected: bool,
}

impl<F: Fn(f64) -> [f64; N], const N: usize> Checker<F, N> {
    fn new(exact: F, thetas: &'static [f64]) -> Self {
        Checker {
            exact,
            thetas,
            init: None,
            views: Vec::new(),
            worst_interp: 0.0,
            worst_horner: 0.0,
            worst_end: 0.0,
            outside_rejected: true,
        }
    }

    /// Asserts that the views are every accepted step once, contiguous from `t0` to `t_end`,
    /// with `is_last` on the last one only.
    fn assert_covers(&self, name: &str, t0: f64, t_end: f64, n_accepted: usize) {
        let v = &self.views;
        assert_eq!(v.len(), n_accepted, "{name}: one view per accepted step");
        for (i, r) in v.iter().enumerate() {
            // The i-th view comes after the (i+1)-th accepted step.
            assert_eq!(r.3, i + 1, "{name}: view {i} saw {} accepted steps", r.3);
            assert_eq!(r.2, i + 1 == v.len(), "{name}: is_last on view {i}");
        }
        assert_eq!(v[0].0, t0, "{name}: the first view starts at t0");
        for w in v.windows(2) {
            assert_eq!(w[1].0, w[0].1, "{name}: views are contiguous");
        }
        assert_eq!(
            v.last().unwrap().1,
            t_end,
            "{name}: the last view ends at the end"
        );
        assert!(
            self.outside_rejected,
            "{name}: eval outside a view must fail"
        );
    }
}

impl<F: Fn(f64) -> [f64; N], const N: usize> StepHandler<f64, N> for Checker<F, N> {
    fn init(&mut self, t0: f64, y0: &[f64; N], t_bound: f64) {
        assert!(self.init.is_none(), "init is called once");
        self.init = Some((t0, *y0, t_bound));
    }

    fn handle_step(&mut self, step: &mut StepView<'_, f64, N>) {
        assert!(self.init.is_some(), "init comes before the first step");
        let (t0, t1) = (step.t_start(), step.t_end());
        assert_eq!(step.h(), t1 - t0);
        self.views
            .push((t0, t1, step.is_last(), step.stats().n_accepted));
        self.worst_end = self
            .worst_end
            .max(max_abs_diff(step.y_end(), &(self.exact)(t1)));
        assert_eq!(
            step.eval(t1).unwrap(),
            *step.y_end(),
            "eval(t_end) is y_end"
        );

        let mut c = [[0.0; N]; 16];
        let terms = step.terms();
        assert!((2..=16).contains(&terms), "{terms} terms");
        step.coefficients(&mut c[..terms]);
        for &theta in self.thetas {
            let t = t0 + theta * step.h();
            let y = step.eval(t).unwrap();
            self.worst_interp = self.worst_interp.max(max_abs_diff(&y, &(self.exact)(t)));
            let mut p = c[terms - 1];
            for ck in c[..terms - 1].iter().rev() {
                for i in 0..N {
                    p[i] = p[i] * theta + ck[i];
                }
            }
            for i in 0..N {
                let rel = (p[i] - y[i]).abs() / (1.0 + y[i].abs());
                self.worst_horner = self.worst_horner.max(rel);
            }
        }
        if step.h() != 0.0 {
            let beyond = step.eval(t1 + 0.01 * step.h()).is_err();
            let before = step.eval(t0 - 0.01 * step.h()).is_err();
            self.outside_rejected &= beyond && before;
        }
    }
}

const OSC: Oscillator = Oscillator { omega: 2.0 };
const OSC_Y0: [f64; 2] = [1.0, 0.5];

fn osc_exact(t: f64) -> [f64; 2] {
    OSC.exact(OSC_Y0, t)
}

/// Runs `st` over the oscillator with a checker; returns the checker's measurements.
fn check_oscillator<St: Stepper<f64, 2>>(name: &str, mut st: St, t1: f64) -> (f64, f64, f64) {
    let mut checker = Checker::new(osc_exact, &THETAS);
    let end = run(&mut st, NoEvents, &mut checker, &mut |_| {}).unwrap();
    assert_eq!(end, Ending::Finished);
    assert_eq!(checker.init, Some((0.0, OSC_Y0, t1)));
    checker.assert_covers(name, 0.0, t1, st.stats().n_accepted);
    assert!(checker.views.len() > 10, "{name}: a real integration");
    (
        checker.worst_interp,
        checker.worst_horner,
        checker.worst_end,
    )
}

#[test]
fn every_method_hands_every_step_once_with_accurate_interpolants() {
    let t1 = 10.0;
    let tol = || Tolerances::new(1e-10, 1e-10);
    // (name, (interpolation error, Horner-vs-eval, end-point error), bound on the interpolation
    // and end-point errors: the global error at rtol = atol = 1e-10 plus the interpolant's). The interpolants are of lower order than the steps (3 for Rk23, 4 for the 5(4)
    // pairs, 7 for DOP853, cubic Hermite for the fixed-step Rk4 with h = 0.01).
    let cases = [
        (
            "Rk23",
            check_oscillator("Rk23", Rk23::new(OSC, 0.0, OSC_Y0, t1, tol()).unwrap(), t1),
            5e-8,
        ),
        (
            "Dopri5",
            check_oscillator(
                "Dopri5",
                Dopri5::new(OSC, 0.0, OSC_Y0, t1, tol()).unwrap(),
                t1,
            ),
            5e-9,
        ),
        (
            "HighamHall54",
            check_oscillator(
                "HighamHall54",
                HighamHall54::new(OSC, 0.0, OSC_Y0, t1, tol()).unwrap(),
                t1,
            ),
            2e-8,
        ),
        (
            "Tsit5",
            check_oscillator(
                "Tsit5",
                Tsit5::new(OSC, 0.0, OSC_Y0, t1, tol()).unwrap(),
                t1,
            ),
            5e-9,
        ),
        (
            "Dop853",
            check_oscillator(
                "Dop853",
                Dop853::new(OSC, 0.0, OSC_Y0, t1, tol()).unwrap(),
                t1,
            ),
            5e-9,
        ),
        (
            "Rk4",
            check_oscillator("Rk4", Rk4::new(OSC, 0.0, OSC_Y0, t1, 0.01).unwrap(), t1),
            2e-7,
        ),
    ];
    for (name, (interp, horner, end), bound) in cases {
        eprintln!("{name:>13}: interpolation {interp:.2e}, Horner {horner:.2e}, end {end:.2e}");
        assert!(interp < bound, "{name}: interpolation error {interp:e}");
        assert!(end < bound, "{name}: end-point error {end:e}");
        assert!(
            horner < 1e-13,
            "{name}: coefficients disagree with eval: {horner:e}"
        );
    }
}

#[test]
fn fixed_step_views_are_the_steps() {
    let mut st = Rk4::new(OSC, 0.0, OSC_Y0, 1.0, 0.125).unwrap();
    let mut checker = Checker::new(osc_exact, &THETAS);
    run(&mut st, NoEvents, &mut checker, &mut |_| {}).unwrap();
    checker.assert_covers("Rk4", 0.0, 1.0, 8);
    for (i, r) in checker.views.iter().enumerate() {
        assert_eq!(r.0, 0.125 * i as f64);
        assert_eq!(r.1, 0.125 * (i + 1) as f64);
    }
}

/// `y' = −y`, `y(0) = 1`: the event `y = 1/2` (at `t = ln 2`) is terminal.
struct Half;
impl EventSet<1, 1> for Half {
    fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) {
        g[0] = y[0] - 0.5;
    }
    fn terminal(&self, _k: usize) -> Option<u32> {
        Some(1)
    }
}

#[test]
fn a_terminal_event_ends_the_last_view_at_the_event() {
    let decay = Decay { k: 1.0 };
    let exact = |t: f64| decay.exact([1.0], t);
    for method in ["Dopri5", "Dop853", "Rk4"] {
        let mut checker = Checker::new(exact, &THETAS);
        let mut found = Vec::new();
        let (end, n_accepted) = match method {
            "Dopri5" => {
                let mut st =
                    Dopri5::new(decay, 0.0, [1.0], 5.0, Tolerances::new(1e-10, 1e-12)).unwrap();
                let end = run(&mut st, Half, &mut checker, &mut |o| found.push(o.t)).unwrap();
                (end, st.stats().n_accepted)
            }
            "Dop853" => {
                let mut st =
                    Dop853::new(decay, 0.0, [1.0], 5.0, Tolerances::new(1e-10, 1e-12)).unwrap();
                let end = run(&mut st, Half, &mut checker, &mut |o| found.push(o.t)).unwrap();
                (end, st.stats().n_accepted)
            }
            _ => {
                let mut st = Rk4::new(decay, 0.0, [1.0], 5.0, 0.01).unwrap();
                let end = run(&mut st, Half, &mut checker, &mut |o| found.push(o.t)).unwrap();
                (end, st.stats().n_accepted)
            }
        };
        let ln2 = std::f64::consts::LN_2;
        let Ending::Terminated { event: 0, t } = end else {
            panic!("{method}: {end:?}")
        };
        assert_eq!(found, [t], "{method}: one occurrence, reported at the stop");
        let last = *checker.views.last().unwrap();
        assert_eq!(last.1, t, "{method}: the last view ends at the event");
        assert!(last.2, "{method}: and is the last");
        // The located root is the root of the numerical solution; with these tolerances it is
        // within 1e-9 of ln 2 (the Rk4 solution with h = 0.01 too).
        assert!((t - ln2).abs() < 1e-9, "{method}: t = {t}, ln 2 = {ln2}");
        checker.assert_covers(method, 0.0, t, n_accepted);
        eprintln!(
            "{method}: event {:.1e} from ln 2, interpolation {:.1e}, Horner {:.1e}",
            (t - ln2).abs(),
            checker.worst_interp,
            checker.worst_horner
        );
        assert!(
            checker.worst_interp < 1e-9,
            "{method}: {}",
            checker.worst_interp
        );
        // The cut view's coefficients are rescaled to the view: Horner at φ agrees with eval.
        assert!(
            checker.worst_horner < 1e-13,
            "{method}: {}",
            checker.worst_horner
        );
    }
}

/// A ball dropped from 10 m (g = 9.81) bouncing with restitution 0.8; each bounce resets the
/// velocity. Not terminal.
struct Ball;
impl OdeSystem<2> for Ball {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -G];
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
const G: f64 = 9.81;

/// Bounce times: `t1 = √(2·10/g)`, then each flight lasts 0.8 times the one before, the first
/// `2 t1 · 0.8`.
fn bounce_times() -> [f64; 3] {
    let t1 = (20.0 / G).sqrt();
    [t1, t1 + 1.6 * t1, t1 + 1.6 * t1 + 1.28 * t1]
}

/// The exact bouncing ball (away from the bounces themselves).
fn ball_exact(t: f64) -> [f64; 2] {
    let tb = bounce_times();
    let t1 = tb[0];
    if t < t1 {
        return [10.0 - 0.5 * G * t * t, -G * t];
    }
    let (tk, v) = if t < tb[1] {
        (tb[0], 0.8 * G * t1)
    } else if t < tb[2] {
        (tb[1], 0.64 * G * t1)
    } else {
        (tb[2], 0.512 * G * t1)
    };
    let s = t - tk;
    [v * s - 0.5 * G * s * s, v - G * s]
}

#[test]
fn a_reset_cuts_the_view_and_the_next_starts_there() {
    let t_end = 5.0; // two bounces: 1.428 and 3.713
    let mut checker = Checker::new(ball_exact, &INTERIOR);
    // Also keep each view's state at both of its ends.
    let mut ends: Vec<(f64, [f64; 2], f64, [f64; 2])> = Vec::new();
    let mut ends_handler = FnHandler(|v: &mut StepView<'_, f64, 2>| {
        let t0 = v.t_start();
        let y0 = v.eval(t0).unwrap();
        ends.push((t0, y0, v.t_end(), *v.y_end()));
    });
    let mut st = Dop853::new(Ball, 0.0, [10.0, 0.0], t_end, Tolerances::new(1e-10, 1e-12)).unwrap();
    let mut bounces = Vec::new();
    let end = run(
        &mut st,
        Floor,
        &mut (&mut checker, &mut ends_handler),
        &mut |o| bounces.push((o.t, o.y)),
    )
    .unwrap();
    assert_eq!(end, Ending::Finished);
    checker.assert_covers("ball", 0.0, t_end, st.stats().n_accepted);
    let exact = bounce_times();
    assert_eq!(bounces.len(), 2);
    for (k, &(tb, yb)) in bounces.iter().enumerate() {
        assert!(
            (tb - exact[k]).abs() < 1e-9,
            "bounce {k}: {tb} vs {}",
            exact[k]
        );
        // A view ends exactly at the bounce, with the state before the reset...
        let i = ends
            .iter()
            .position(|e| e.2 == tb)
            .unwrap_or_else(|| panic!("no view ends at bounce {k} ({tb})"));
        let (_, _, _, y_cut) = ends[i];
        assert_eq!(y_cut, yb, "the cut view ends in the occurrence's state");
        assert!(y_cut[0].abs() < 1e-9 && y_cut[1] < 0.0, "{y_cut:?}");
        // ...and the next view starts there, from the reset state.
        let (t_next, y_next, _, _) = ends[i + 1];
        assert_eq!(t_next, tb);
        assert!(
            (y_next[1] + 0.8 * y_cut[1]).abs() < 1e-12,
            "{y_next:?} {y_cut:?}"
        );
        assert!(!checker.views[i].2, "a cut view is not the last");
    }
    eprintln!(
        "ball: interpolation {:.1e}, Horner {:.1e}, end {:.1e}",
        checker.worst_interp, checker.worst_horner, checker.worst_end
    );
    assert!(checker.worst_interp < 1e-11, "{}", checker.worst_interp);
    assert!(checker.worst_horner < 1e-13, "{}", checker.worst_horner);
}

/// Counts steps and records init.
#[derive(Default)]
struct Counter {
    init: Option<(f64, f64, f64)>,
    steps: usize,
    ends: Vec<f64>,
}
impl StepHandler<f64, 1> for Counter {
    fn init(&mut self, t0: f64, y0: &[f64; 1], t_bound: f64) {
        self.init = Some((t0, y0[0], t_bound));
    }
    fn handle_step(&mut self, step: &mut StepView<'_, f64, 1>) {
        self.steps += 1;
        self.ends.push(step.t_end());
    }
}

#[test]
fn handlers_compose() {
    let decay = Decay { k: 1.0 };
    let mut a = Counter::default();
    let mut b = Counter::default();
    let mut absent: Option<Counter> = None;
    let mut present = Some(Counter::default());
    let mut closure_steps = 0;
    let mut st = Tsit5::new(decay, 0.0, [1.0], 3.0, Tolerances::new(1e-9, 1e-12)).unwrap();
    {
        let mut composed = (
            &mut a,
            (
                (&mut b, ()),
                (
                    (&mut absent, &mut present),
                    FnHandler(|_: &mut StepView<'_, f64, 1>| closure_steps += 1),
                ),
            ),
        );
        run(&mut st, NoEvents, &mut composed, &mut |_| {}).unwrap();
    }
    let n = st.stats().n_accepted;
    assert!(n > 5);
    let present = present.unwrap();
    for c in [&a, &b, &present] {
        assert_eq!(c.init, Some((0.0, 1.0, 3.0)));
        assert_eq!(c.steps, n);
        assert_eq!(c.ends, a.ends);
    }
    assert_eq!(closure_steps, n);
    assert!(absent.is_none());
    assert_eq!(*a.ends.last().unwrap(), 3.0);
    // A handler behind `dyn` works too.
    let mut dynamic = Counter::default();
    let mut st = Tsit5::new(decay, 0.0, [1.0], 3.0, Tolerances::new(1e-9, 1e-12)).unwrap();
    let h: &mut dyn StepHandler<f64, 1> = &mut dynamic;
    run(&mut st, NoEvents, h, &mut |_| {}).unwrap();
    assert_eq!(dynamic.ends, a.ends);
}

/// Runs `st` (from 2 back to −1 on `y' = −y`) with a checker and checks the backward views.
fn check_backward<St: Stepper<f64, 1>>(name: &str, mut st: St) {
    let decay = Decay { k: 1.0 };
    let exact = |t: f64| decay.exact([1.0], t);
    let y2 = exact(2.0);
    let mut checker = Checker::new(exact, &THETAS);
    run(&mut st, NoEvents, &mut checker, &mut |_| {}).unwrap();
    assert_eq!(checker.init, Some((2.0, y2, -1.0)));
    checker.assert_covers(name, 2.0, -1.0, st.stats().n_accepted);
    for r in &checker.views {
        assert!(r.1 < r.0, "{name}: views run backward: {r:?}");
    }
    eprintln!(
        "{name} backward: interpolation {:.1e}, Horner {:.1e}, end {:.1e}",
        checker.worst_interp, checker.worst_horner, checker.worst_end
    );
    // |y| ≤ e over [−1, 2].
    assert!(
        checker.worst_interp < 2e-9,
        "{name}: {}",
        checker.worst_interp
    );
    assert!(checker.worst_end < 2e-9, "{name}: {}", checker.worst_end);
    assert!(
        checker.worst_horner < 1e-13,
        "{name}: {}",
        checker.worst_horner
    );
}

#[test]
fn backward_integration_hands_backward_views() {
    let decay = Decay { k: 1.0 };
    let y2 = decay.exact([1.0], 2.0);
    let tol = || Tolerances::new(1e-10, 1e-12);
    check_backward("Dopri5", Dopri5::new(decay, 2.0, y2, -1.0, tol()).unwrap());
    check_backward("Dop853", Dop853::new(decay, 2.0, y2, -1.0, tol()).unwrap());
    check_backward("Rk4", Rk4::new(decay, 2.0, y2, -1.0, 0.01).unwrap());
}
