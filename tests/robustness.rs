//! Outside the happy path: states and times far from 1, `atol = 0`, spans that are tiny or
//! overflow, `N = 0`, budgets of zero, resets that change nothing, and the messages of the
//! failures. Each family runs every method of `Method::ALL` that it applies to.
//!
//! Reference values are closed forms: `y' = −y` gives `y0 e^{−t}`, `y' = 0` keeps `y0`,
//! `y' = 1` gives `y0 + t − t0`, the oscillator `y0' = y1, y1' = −y0` from `(1, 0)` gives
//! `(cos t, −sin t)`.

use odegen::prelude::*;

/// `y' = −y` in every component.
struct Decay;
impl<const N: usize> OdeSystem<N> for Decay {
    fn rhs(&self, _t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        for i in 0..N {
            dy[i] = -y[i];
        }
    }
}

/// `y' = c` in every component.
struct Constant(f64);
impl<const N: usize> OdeSystem<N> for Constant {
    fn rhs(&self, _t: f64, _y: &[f64; N], dy: &mut [f64; N]) {
        *dy = [self.0; N];
    }
}

/// The harmonic oscillator `y0' = y1`, `y1' = −y0`.
struct Oscillator;
impl OdeSystem<2> for Oscillator {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -y[0]];
    }
}

fn options(method: Method, rtol: f64, atol: f64) -> Options<f64, 1> {
    let o = Options::new(method).rtol(rtol).atol(atol);
    if method.is_fixed_step() {
        o.first_step(1e-3)
    } else {
        o
    }
}

fn rel_err(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// `y' = −y` from `y0 = ±10^k`, `k = −300, −280, …, 300`, to `t = 1` with `atol` scaled with
/// the state (`10⁻¹⁴ |y0|`): every adaptive method reaches the same relative accuracy at every
/// scale as at scale 1. The implicit methods failed at once from `|y0| ≥ 1e20` ("Newton
/// iteration matrix repeatedly singular"): the finite-difference increment of their Jacobian,
/// `sqrt(ε |y|)`, was below the spacing of the numbers at `y`.
#[test]
fn every_scale_of_the_state_gets_the_relative_accuracy_of_scale_one() {
    let rtol = 1e-8;
    // Rosenbrock23, of order 2, is for crude tolerances (MATLAB's ode23s), not this tight one.
    for method in Method::adaptive().filter(|m| m.order() >= 3) {
        let run = |y0: f64| {
            let sol = solve_ivp(
                &Decay,
                (0.0, 1.0),
                [y0],
                options(method, rtol, 1e-14 * y0.abs()),
            )
            .and_then(|s| s.into_result())
            .unwrap_or_else(|e| panic!("{method}, y0 = {y0:e}: {e}"));
            rel_err(sol.y.last().unwrap()[0], y0 * (-1.0f64).exp())
        };
        let at_one = run(1.0);
        assert!(at_one < 100.0 * rtol, "{method}: {at_one:e} at scale 1");
        for k in (-300..=300).step_by(20) {
            for sign in [1.0, -1.0] {
                let y0 = sign * 10f64.powi(k);
                let err = run(y0);
                // The same digits: within a factor 4 of scale 1's error, or below 1e-13.
                assert!(
                    err <= (4.0 * at_one).max(1e-13),
                    "{method}, y0 = {y0:e}: relative error {err:e}, {at_one:e} at scale 1"
                );
            }
        }
    }
}

/// `y' = 0` and `y' = 1` from `t0 = 1.7e9` (a Unix time), `1e12` and `1e15`, over spans of 1,
/// and over spans of 1 to 9 units in the last place of `t0` (below the 10-ulp step floor):
/// every adaptive method integrates them, as SciPy does. The automatic first step (1e-6 for
/// `y' = 0`) was below the floor and failed at once instead of being raised to it.
#[test]
fn large_start_times_and_spans_shorter_than_the_step_floor_are_integrated() {
    for method in Method::adaptive() {
        for t0 in [1.7e9, 1e12, 1e15, -1.7e9] {
            let ulp = t0.abs() * f64::EPSILON;
            let mut ends = vec![t0 + 1.0, t0 - 1.0];
            for k in 1..10 {
                ends.push(t0 + k as f64 * ulp);
                ends.push(t0 - k as f64 * ulp);
            }
            for t1 in ends {
                for slope in [0.0, 1.0] {
                    let what = format!("{method}, y' = {slope}, ({t0:e}, {t1:?})");
                    let sol = solve_ivp(
                        &Constant(slope),
                        (t0, t1),
                        [2.0],
                        options(method, 1e-6, 1e-9),
                    )
                    .and_then(|s| s.into_result())
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(*sol.t.last().unwrap(), t1, "{what}");
                    let exact = 2.0 + slope * (t1 - t0);
                    let y = sol.y.last().unwrap()[0];
                    // The times themselves are known to an ulp of t0 only: each step's
                    // rounded length enters y' = 1 with that error.
                    let bound = 1e-6 * exact.abs() + 64.0 * ulp * slope;
                    assert!((y - exact).abs() <= bound, "{what}: y = {y}, exact {exact}");
                }
            }
        }
    }
}

/// `atol = 0` is pure relative control: a component that stays exactly 0 (`[1, 0]` decaying)
/// or starts at 0 (the oscillator `[cos t, −sin t]`) is integrated by every adaptive method but
/// the Radau ones to relative accuracy; those refuse `atol = 0` up front, as Hairer's RADAU5 and
/// RADAU do. Every method failed with a message blaming the right-hand side: the error norm
/// divided 0 by a zero scale.
#[test]
fn atol_zero_is_pure_relative_control_or_refused_up_front() {
    let rtol = 1e-8;
    for method in Method::adaptive() {
        let decay = solve_ivp(
            &Decay,
            (0.0, 2.0),
            [1.0, 0.0],
            Options::new(method).rtol(rtol).atol(0.0),
        );
        let osc = solve_ivp(
            &Oscillator,
            (0.0, 2.0),
            [1.0, 0.0],
            Options::new(method).rtol(rtol).atol(0.0),
        );
        if matches!(method, Method::Radau | Method::AdaptiveRadau) {
            for r in [decay.map(|_| ()), osc.map(|_| ())] {
                match r {
                    Err(Error::InvalidTolerance { what }) => {
                        assert!(what.contains("atol"), "{what}")
                    }
                    other => panic!("{method}: {other:?}"),
                }
            }
            continue;
        }
        let decay = decay
            .and_then(|s| s.into_result())
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let y = decay.y.last().unwrap();
        assert!(
            rel_err(y[0], (-2.0f64).exp()) < 1e3 * rtol,
            "{method}: {y:?}"
        );
        assert_eq!(y[1], 0.0, "{method}");
        let osc = osc
            .and_then(|s| s.into_result())
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let y = osc.y.last().unwrap();
        assert!(rel_err(y[0], 2.0f64.cos()) < 1e3 * rtol, "{method}: {y:?}");
        assert!(
            rel_err(y[1], -(2.0f64.sin())) < 1e3 * rtol,
            "{method}: {y:?}"
        );
    }
}

/// Spans whose length overflows, `(±f64::MAX, ∓f64::MAX)`, are input errors for every method
/// (Bdf accepted them and failed later with a singular-matrix message).
#[test]
fn an_overflowing_span_is_an_input_error_for_every_method() {
    for method in Method::ALL {
        for span in [
            (f64::MAX, -f64::MAX),
            (-f64::MAX, f64::MAX),
            (-1e308, 1e308),
        ] {
            match solve_ivp(&Decay, span, [1.0], options(method, 1e-6, 1e-9)) {
                Err(Error::NonFiniteSpan { .. }) => {}
                other => panic!("{method}, {span:?}: {:?}", other.map(|s| s.message)),
            }
        }
    }
}

/// A system of no components integrates with every method, to the end of the span, at the
/// cost of a few steps growing at the largest rate for the adaptive ones (Dop853, Radau5 and
/// AdaptiveRadau rejected hundreds of steps: their error norms divided by `N = 0`).
#[test]
fn a_system_of_no_components_integrates_with_every_method() {
    for method in Method::ALL {
        let mut o = Options::<f64, 0>::new(method).rtol(1e-6).atol(1e-9);
        if method.is_fixed_step() {
            o = o.first_step(0.25);
        }
        for span in [(0.0, 1.0), (1.0, -2.0)] {
            let sol = solve_ivp(&Decay, span, [], o.clone())
                .and_then(|s| s.into_result())
                .unwrap_or_else(|e| panic!("{method}, {span:?}: {e}"));
            assert_eq!(*sol.t.last().unwrap(), span.1, "{method}");
            assert_eq!(sol.stats.n_rejected, 0, "{method}");
            if !method.is_fixed_step() {
                // Error 0: every step grows by the controller's largest factor.
                assert!(sol.stats.n_accepted <= 20, "{method}: {:?}", sol.stats);
            }
        }
    }
}

/// Negative and NaN tolerances and a budget of no evaluation are refused alike by every
/// method, the fixed-step ones included (they accepted the tolerances silently, and spent one
/// evaluation under `max_nfev(0)`).
#[test]
fn every_method_validates_alike() {
    for method in Method::ALL {
        for (rtol, atol) in [
            (-1e-6, 1e-9),
            (f64::NAN, 1e-9),
            (1e-6, -1.0),
            (1e-6, f64::NAN),
        ] {
            match solve_ivp(&Decay, (0.0, 1.0), [1.0], options(method, rtol, atol)) {
                Err(Error::InvalidTolerance { .. }) => {}
                other => panic!("{method}, ({rtol}, {atol}): {:?}", other.map(|s| s.message)),
            }
        }
        let calls = std::cell::Cell::new(0usize);
        struct Counting<'a>(&'a std::cell::Cell<usize>);
        impl OdeSystem<1> for Counting<'_> {
            fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
                self.0.set(self.0.get() + 1);
                dy[0] = -y[0];
            }
        }
        let o = options(method, 1e-6, 1e-9).max_nfev(0);
        match solve_ivp(&Counting(&calls), (0.0, 1.0), [1.0], o) {
            Err(Error::TooManyEvaluations { limit: 0 }) => {}
            other => panic!("{method}: {:?}", other.map(|s| s.message)),
        }
        assert_eq!(calls.get(), 0, "{method} evaluated f under max_nfev(0)");
    }
}

/// `y' = a` from 0 with the event `g = y − c` (rising) whose reset leaves the state as it is:
/// one occurrence for every method, for levels and slopes over several scales.
/// HighamHall54 and Tsit5 reported it twice (at 1.0000000000000016 and …033 for `a = c = 1`):
/// the restart found the same crossing again, 8 ulps away on its own interpolant.
#[test]
fn a_reset_that_changes_nothing_is_reported_once_by_every_method() {
    struct Level(f64);
    impl EventSet<1, 1> for Level {
        fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) {
            g[0] = y[0] - self.0;
        }
        fn direction(&self, _k: usize) -> Direction {
            Direction::Rising
        }
        fn action(&self, _k: usize) -> EventAction {
            EventAction::ResetState
        }
        fn reset(&self, _k: usize, _t: f64, _y: &mut [f64; 1]) {}
    }
    for method in Method::ALL {
        for a in [0.5, 1.0, 3.0, 1e3] {
            for c in [0.3, 1.0, 2.5, 10.0] {
                let t_hit = c / a;
                let o = options(method, 1e-8, 1e-10);
                let sol =
                    solve_ivp_with_events(&Constant(a), (0.0, 2.0 * t_hit), [0.0], o, Level(c))
                        .and_then(|s| s.into_result())
                        .unwrap_or_else(|e| panic!("{method}, a = {a}, c = {c}: {e}"));
                assert_eq!(
                    sol.t_events[0].len(),
                    1,
                    "{method}, a = {a}, c = {c}: {:?}",
                    sol.t_events[0]
                );
                assert!(
                    (sol.t_events[0][0] - t_hit).abs() <= 1e-9 * t_hit,
                    "{method}"
                );
            }
        }
    }
}

/// Times and steps in messages print in the shortest form that round-trips, positional near 1
/// and in exponent form far from it, never as hundreds of digits.
#[test]
fn messages_print_times_in_the_shortest_round_trip_form() {
    for (t, text) in [
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
        (1e-300, "1e-300"),
        (5e-5, "5e-5"),
        (0.25, "0.25"),
        (5.0, "5"),
        (1.7e9, "1700000000"),
        (1e20, "1e20"),
        (-3.5e100, "-3.5e100"),
    ] {
        let errors = [
            Error::NonFiniteDerivative { t },
            Error::StepSizeTooSmall { t, h: t },
            Error::SingularMatrix { t },
            Error::NonFiniteErrorNorm { t },
            Error::Finished { t },
        ];
        for e in errors {
            let m = e.to_string();
            assert!(m.contains(&format!("t = {text}")), "{m}");
            assert!(m.len() < 260, "{} characters: {m}", m.len());
            let printed: f64 = m
                .split("t = ")
                .nth(1)
                .unwrap()
                .split([' ', ',', ':'])
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(printed, t, "{m}");
        }
    }
}
