//! The stiff solvers — every method of `Method::implicit()`: `Radau5` (`Method::Radau`),
//! `AdaptiveRadau` and `Bdf` (`Method::Bdf`) — meet bad input and
//! numerical failure with a clear error, never a panic or a silent wrong answer: input is
//! refused by `Radau5::new`, `Bdf::new` and `solve_ivp` alike; a failure during the
//! integration (non-finite `f`, step-size underflow, a singular iteration matrix, the
//! evaluation budget) ends it with `Status::Failed` and a message naming the time or the limit.
//!
//! Four tests guard against defects found while writing this file (each marked "Regression";
//! its comment describes the defect, since fixed).

use odegen::jacobian::{Colored, ConstantJacobian, WithJacobian};
use odegen::num_complex::Complex64;
use odegen::prelude::*;
use odegen::{Scalar, Stats};

/// `y' = −k y` for every scalar (real and complex): exact `y0 e^{−k t}`.
#[derive(Debug, Clone, Copy)]
struct Decay {
    k: f64,
}
impl<S: Scalar<Real = f64>, const N: usize> OdeSystem<N, S> for Decay {
    fn rhs(&self, _t: f64, y: &[S; N], dy: &mut [S; N]) {
        for i in 0..N {
            dy[i] = y[i] * -self.k;
        }
    }
}

fn decay() -> Decay {
    Decay { k: 0.5 }
}

fn tol() -> Tolerances<f64, 2> {
    Tolerances::new(1e-6, 1e-9)
}

/// `Radau5::new` and `Bdf::new` over `decay()` with two components.
fn new_both(
    t0: f64,
    y0: [f64; 2],
    t1: f64,
    settings: Settings<f64, 2>,
) -> [(&'static str, Result<(), Error>); 2] {
    [
        (
            "Radau5",
            Radau5::new(decay(), t0, y0, t1, settings).map(|_| ()),
        ),
        ("Bdf", Bdf::new(decay(), t0, y0, t1, settings).map(|_| ())),
    ]
}

// ---------------------------------------------------------------------------------------------
// Input

#[test]
fn non_finite_initial_state_is_refused() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for (name, r) in new_both(0.0, [1.0, bad], 1.0, tol().into()) {
            assert_eq!(r, Err(Error::NonFiniteInitialState { index: 1 }), "{name}");
        }
        for method in Method::implicit() {
            let err =
                solve_ivp(&decay(), (0.0, 1.0), [1.0, bad], Options::new(method)).unwrap_err();
            assert_eq!(err, Error::NonFiniteInitialState { index: 1 }, "{method}");
            assert!(err.to_string().contains("component 1"), "{err}");
        }
        // A complex state with one bad part.
        let z0 = [Complex64::new(1.0, 0.0), Complex64::new(0.0, bad)];
        let err = Bdf::new(decay(), 0.0, z0, 1.0, Tolerances::new(1e-6, 1e-9)).unwrap_err();
        assert_eq!(err, Error::NonFiniteInitialState { index: 1 });
        let err = solve_ivp(&decay(), (0.0, 1.0), z0, Options::new(Method::Bdf)).unwrap_err();
        assert_eq!(err, Error::NonFiniteInitialState { index: 1 });
    }
}

#[test]
fn non_finite_span_is_refused() {
    for (t0, t1) in [
        (f64::NAN, 1.0),
        (0.0, f64::INFINITY),
        (f64::NEG_INFINITY, 0.0),
        (0.0, f64::NAN),
    ] {
        for (name, r) in new_both(t0, [1.0, 2.0], t1, tol().into()) {
            assert!(
                matches!(r, Err(Error::NonFiniteSpan { .. })),
                "{name}: {r:?}"
            );
        }
        for method in Method::implicit() {
            let err = solve_ivp(&decay(), (t0, t1), [1.0, 2.0], Options::new(method)).unwrap_err();
            assert!(
                matches!(err, Error::NonFiniteSpan { .. }),
                "{method}: {err}"
            );
        }
    }
}

#[test]
fn an_empty_span_returns_the_initial_point() {
    let y0 = [3.0, -1.0];
    for method in Method::implicit() {
        // As SciPy: status 0 and the initial point, without evaluating anything.
        let sol = solve_ivp(&decay(), (2.0, 2.0), y0, Options::new(method)).unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}");
        assert!(sol.success);
        assert_eq!(sol.t, vec![2.0]);
        assert_eq!(sol.y, vec![y0]);
        assert_eq!(sol.stats.n_accepted, 0);
        assert_eq!(sol.stats.nfev, 0, "{method}: nothing to evaluate");
        let with_eval = solve_ivp(
            &decay(),
            (2.0, 2.0),
            y0,
            Options::new(method).t_eval(vec![2.0]),
        )
        .unwrap();
        assert_eq!((with_eval.t, with_eval.y), (vec![2.0], vec![y0]));
        // A first step cannot exceed an empty span's length: it is not checked against it.
        let sol = solve_ivp(
            &decay(),
            (2.0, 2.0),
            y0,
            Options::new(method).first_step(0.1),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished);
    }
    // The steppers: finished at once; stepping is an error, the interpolant is the point.
    let mut radau = Radau5::new(decay(), 2.0, y0, 2.0, tol()).unwrap();
    assert!(radau.is_finished());
    assert_eq!(radau.step(), Err(Error::Finished { t: 2.0 }));
    assert_eq!(radau.dense(2.0), Ok(y0));
    assert_eq!(radau.stats().nfev, 0);
    let mut bdf = Bdf::new(decay(), 2.0, y0, 2.0, tol()).unwrap();
    assert!(bdf.is_finished());
    assert_eq!(bdf.step(), Err(Error::Finished { t: 2.0 }));
    assert_eq!(bdf.dense(2.0), Ok(y0));
    assert_eq!(bdf.stats().nfev, 0);
}

#[test]
fn negative_or_non_finite_tolerances_are_refused() {
    let cases: [(f64, f64); 7] = [
        (-1e-3, 1e-6),
        (f64::NAN, 1e-6),
        (f64::INFINITY, 1e-6),
        (1e-3, -1e-6),
        (1e-3, f64::NAN),
        (1e-3, f64::INFINITY),
        (-0.0 - 1e-300, 0.0),
    ];
    for (rtol, atol) in cases {
        for (name, r) in new_both(0.0, [1.0, 2.0], 1.0, Tolerances::new(rtol, atol).into()) {
            assert!(
                matches!(r, Err(Error::InvalidTolerance { .. })),
                "{name} rtol {rtol} atol {atol}: {r:?}"
            );
        }
        for method in Method::implicit() {
            let err = solve_ivp(
                &decay(),
                (0.0, 1.0),
                [1.0, 2.0],
                Options::new(method).rtol(rtol).atol(atol),
            )
            .unwrap_err();
            assert!(
                matches!(err, Error::InvalidTolerance { .. }),
                "{method}: {err}"
            );
            assert!(err.to_string().starts_with("invalid tolerance"), "{err}");
        }
    }
    // One bad component of a vector atol.
    for method in Method::implicit() {
        let err = solve_ivp(
            &decay(),
            (0.0, 1.0),
            [1.0, 2.0],
            Options::new(method).atol_vector([1e-6, -1e-6]),
        )
        .unwrap_err();
        assert!(matches!(err, Error::InvalidTolerance { .. }), "{err}");
    }
}

#[test]
fn zero_rtol_is_raised_to_100_eps_and_reported() {
    // rtol = 0 (and below 100 ε) is raised, as SciPy does, not refused: the run succeeds at
    // the tightest tolerance and the message says so. atol = 0 is pure relative control for
    // Bdf; the Radau methods refuse it (as RADAU5 does), and a tiny atol stands in for it.
    for method in Method::implicit() {
        let radau = matches!(method, Method::Radau | Method::AdaptiveRadau);
        let zero = if radau { 1e-300 } else { 0.0 };
        for (rtol, atol) in [(0.0, 1e-14), (1e-20, zero)] {
            let sol = solve_ivp(
                &decay(),
                (0.0, 1.0),
                [1.0, 2.0],
                Options::new(method).rtol(rtol).atol(atol),
            )
            .unwrap();
            assert!(sol.success, "{method}: {}", sol.message);
            assert!(sol.stats.rtol_raised, "{method}");
            assert!(sol.message.contains("raised"), "{}", sol.message);
            let exact = (-0.5f64).exp();
            let y = sol.y.last().unwrap();
            assert!(
                (y[0] - exact).abs() < 1e-10 && (y[1] - 2.0 * exact).abs() < 2e-10,
                "{method} rtol {rtol}: {y:?}"
            );
        }
    }
}

#[test]
fn bad_step_options_are_refused() {
    let base = || Settings::new(tol());
    let cases: [(&str, Settings<f64, 2>); 9] = [
        ("first_step 0", base().first_step(0.0)),
        ("first_step < 0", base().first_step(-0.1)),
        ("first_step NaN", base().first_step(f64::NAN)),
        ("first_step ∞", base().first_step(f64::INFINITY)),
        ("first_step > span", base().first_step(1.5)),
        ("max_step 0", base().max_step(0.0)),
        ("max_step NaN", base().max_step(f64::NAN)),
        ("min_step < 0", base().min_step(-1.0)),
        ("min_step > max_step", base().min_step(0.5).max_step(0.1)),
    ];
    for (what, settings) in cases {
        // Forward and backward spans of length 1.
        for (t0, t1) in [(0.0, 1.0), (1.0, 0.0)] {
            for (name, r) in new_both(t0, [1.0, 2.0], t1, settings) {
                let Err(Error::InvalidOption { what: msg }) = r else {
                    panic!("{name} {what} ({t0} → {t1}): {r:?}")
                };
                let key = what.split(' ').next().unwrap();
                assert!(msg.contains(key), "{name} {what}: {msg}");
            }
        }
    }
    let opts: [Options<f64, 2>; 4] = [
        Options::new(Method::Radau).first_step(2.0),
        Options::new(Method::Bdf).first_step(2.0),
        Options::new(Method::Radau).max_step(-1.0),
        Options::new(Method::Bdf).min_step(2.0).max_step(1.0),
    ];
    for o in opts {
        for span in [(0.0, 1.0), (1.0, 0.0)] {
            let err = solve_ivp(&decay(), span, [1.0, 2.0], o.clone()).unwrap_err();
            assert!(matches!(err, Error::InvalidOption { .. }), "{err}");
        }
    }
    let err = solve_ivp(
        &decay(),
        (0.0, 1.0),
        [1.0, 2.0],
        Options::new(Method::Bdf).first_step(1.5),
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidOption {
            what: "first_step exceeds the length of the span"
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Failures during the integration

/// `y' = sqrt(1 − t) − y`: NaN for `t > 1`. Exact `y(t)` for `y(0) = 0` is not needed: the
/// part before the failure is compared with a reference run that stops at 0.999.
#[derive(Debug)]
struct NanAfterOne;
impl OdeSystem<1> for NanAfterOne {
    fn rhs(&self, t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = (1.0 - t).sqrt() - y[0];
    }
}
impl Jacobian<1> for NanAfterOne {
    fn jacobian(&self, _t: f64, _y: &[f64; 1], jac: &mut [[f64; 1]; 1]) {
        jac[0][0] = -1.0;
    }
}

/// Checks a run over `[0, 2]` that must fail with NaN just after `t = 1`.
fn check_nan_failure(what: &str, sol: &OdeResult<f64, 1>) {
    assert_eq!(sol.status, Status::Failed, "{what}");
    assert!(!sol.success);
    let Some(Error::NonFiniteDerivative { t }) = sol.error else {
        panic!("{what}: {:?} ({})", sol.error, sol.message)
    };
    assert!((1.0..1.01).contains(&t), "{what}: reported t = {t}");
    assert!(
        sol.message.contains("non-finite") && sol.message.contains(&format!("t = {t}")),
        "{what}: {}",
        sol.message
    );
    // The solution up to the failure is kept, close to the end, and right.
    let tl = *sol.t.last().unwrap();
    assert!(tl <= 1.0 && tl > 0.99, "{what}: last t {tl}");
    let reference = solve_ivp(
        &WithJacobian(NanAfterOne),
        (0.0, tl),
        [0.0],
        Options::new(Method::Radau).rtol(1e-10).atol(1e-12),
    )
    .unwrap();
    let (y, r) = (sol.y.last().unwrap()[0], reference.y.last().unwrap()[0]);
    assert!((y - r).abs() < 1e-4, "{what}: {y} vs {r}");
}

#[test]
fn nan_from_the_right_hand_side_fails_with_its_time() {
    for method in Method::implicit() {
        let opts = || Options::new(method).rtol(1e-6);
        let analytic = solve_ivp(&WithJacobian(NanAfterOne), (0.0, 2.0), [0.0], opts()).unwrap();
        check_nan_failure(&format!("{method} analytic"), &analytic);
        let constant = solve_ivp(
            &ConstantJacobian::new(NanAfterOne, [[-1.0]]),
            (0.0, 2.0),
            [0.0],
            opts(),
        )
        .unwrap();
        check_nan_failure(&format!("{method} constant"), &constant);
    }
    // Radau with forward differences as well (BDF: see the ignored test below).
    let fd = solve_ivp(
        &NanAfterOne,
        (0.0, 2.0),
        [0.0],
        Options::new(Method::Radau).rtol(1e-6),
    )
    .unwrap();
    check_nan_failure("Radau forward differences", &fd);
}

/// Regression: with a finite-difference Jacobian (plain or coloured), BDF evaluates `f` at the
/// predictor for a new Jacobian without checking it for NaN; the NaN Jacobian then makes every
/// iteration matrix "singular", and five of them end the run with `SingularMatrix` at the start
/// of the step (t ≈ 0.91–0.998, depending on rtol), before the step could shrink towards t = 1:
/// the wrong error, reported too early. Radau and BDF with an analytic Jacobian report
/// `NonFiniteDerivative` at t = 1 + O(ε).
#[test]
fn bdf_with_finite_differences_reports_nan_from_the_right_hand_side() {
    for rtol in [1e-6, 1e-8] {
        let sol = solve_ivp(
            &NanAfterOne,
            (0.0, 2.0),
            [0.0],
            Options::new(Method::Bdf).rtol(rtol),
        )
        .unwrap();
        check_nan_failure(&format!("BDF forward differences, rtol {rtol}"), &sol);
    }
}

#[test]
fn nan_at_the_initial_point_is_an_error() {
    for method in Method::implicit() {
        let err = solve_ivp(&NanAfterOne, (1.5, 2.0), [0.0], Options::new(method)).unwrap_err();
        assert_eq!(err, Error::NonFiniteDerivative { t: 1.5 }, "{method}");
    }
    let s = Tolerances::new(1e-6, 1e-9);
    assert_eq!(
        Radau5::new(NanAfterOne, 1.5, [0.0], 2.0, s).unwrap_err(),
        Error::NonFiniteDerivative { t: 1.5 }
    );
    assert_eq!(
        Bdf::new(NanAfterOne, 1.5, [0.0], 2.0, s).unwrap_err(),
        Error::NonFiniteDerivative { t: 1.5 }
    );
}

/// `y' = y²`, `y(0) = 1`: `1/(1 − t)` blows up at `t = 1`.
struct BlowUp;
impl OdeSystem<1> for BlowUp {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = y[0] * y[0];
    }
}

#[test]
fn step_size_underflow_fails_near_the_singularity() {
    for method in Method::implicit() {
        let sol = solve_ivp(&BlowUp, (0.0, 2.0), [1.0], Options::new(method).rtol(1e-8)).unwrap();
        assert_eq!(sol.status, Status::Failed, "{method}");
        match sol.error {
            Some(Error::StepSizeTooSmall { t, h }) => {
                // Implicit methods may step a little past the pole before giving up.
                assert!((t - 1.0).abs() < 1e-3, "{method}: t = {t}");
                assert!(h < 1e-10, "{method}: h = {h}");
                assert!(sol.message.contains(&format!("t = {t}")), "{}", sol.message);
            }
            Some(Error::NonFiniteDerivative { t }) => assert!((t - 1.0).abs() < 1e-3),
            other => panic!("{method}: {other:?}"),
        }
        // With min_step, the hard region is an error earlier, with a step below the minimum
        // (by the pole: Rodas5P, linearly implicit, crosses it in one step of 1e-4 and gives up
        // at t = 1.0001).
        let sol = solve_ivp(
            &BlowUp,
            (0.0, 2.0),
            [1.0],
            Options::new(method).min_step(1e-4),
        )
        .unwrap();
        assert!(
            matches!(sol.error, Some(Error::StepSizeTooSmall { t, h }) if h < 1e-4 && t < 1.001),
            "{method}: {:?}",
            sol.error
        );
    }
}

/// `y' = −y` (N = 1).
struct Decay1;
impl OdeSystem<1> for Decay1 {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = -y[0];
    }
}

/// Regression: Radau5 has no rule against a last step shorter than `min_step` (or than the
/// spacing of floats at `t`): when an accepted step ends just short of the bound, the step
/// forced by the bound fails with `StepSizeTooSmall` although the error control never asked
/// for it. The explicit methods (which stretch a step by up to 1 % to reach the bound) and BDF
/// (which clamps the step to the bound) integrate all of these spans.
#[test]
fn radau_reaches_the_bound_when_the_last_step_is_short() {
    // (a) With min_step: a sweep of end points; some leave a remainder below min_step
    // (e.g. t1 = 1.0703: "required step size 9.04e-4 at t = 1.0694").
    for method in [Method::Rk45, Method::Bdf, Method::Radau] {
        let mut failures = Vec::new();
        for i in 0..200 {
            let t1 = 1.0 + 0.0037 * i as f64;
            let sol = solve_ivp(
                &Decay1,
                (0.0, t1),
                [1.0],
                Options::new(method)
                    .rtol(1e-9)
                    .max_step(0.05)
                    .min_step(1e-3),
            )
            .unwrap();
            if !sol.success {
                failures.push((t1, sol.message));
            }
        }
        assert!(failures.is_empty(), "{method}: {failures:?}");
    }
    // (b) A bound two ulps past a step end: y' = 0 takes steps 0.1 then 0.8 (growth 8) and
    // stops at 0.9 with a step of 4.4e−16 left.
    struct Still;
    impl OdeSystem<1> for Still {
        fn rhs(&self, _t: f64, _y: &[f64; 1], dy: &mut [f64; 1]) {
            dy[0] = 0.0;
        }
    }
    let t1 = 0.9 + 2.0 * f64::EPSILON;
    let settings = Settings::new(Tolerances::new(1e-6, 1e-9)).first_step(0.1);
    let mut dopri = Dopri5::new(Still, 0.0, [1.0], t1, settings).unwrap();
    let mut bdf = Bdf::new(Still, 0.0, [1.0], t1, settings).unwrap();
    let mut radau = Radau5::new(Still, 0.0, [1.0], t1, settings).unwrap();
    for st in [&mut dopri as &mut dyn Stepper<f64, 1>, &mut bdf, &mut radau] {
        while !st.is_finished() {
            st.step().unwrap();
        }
        assert_eq!(st.t(), t1);
    }
}

// ---------------------------------------------------------------------------------------------
// Singular iteration matrices and failing Newton iterations

/// `Decay1` with a hand-written Jacobian that is NaN (or infinite) everywhere.
struct BadJacobian(f64);
impl OdeSystem<1> for BadJacobian {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = -y[0];
    }
}
impl Jacobian<1> for BadJacobian {
    fn jacobian(&self, _t: f64, _y: &[f64; 1], jac: &mut [[f64; 1]; 1]) {
        jac[0][0] = self.0;
    }
}

fn check_singular(what: &str, sol: &OdeResult<f64, 1>) {
    assert_eq!(sol.status, Status::Failed, "{what}");
    assert_eq!(sol.error, Some(Error::SingularMatrix { t: 0.5 }), "{what}");
    assert!(
        sol.message.contains("singular") && sol.message.contains("t = 0.5"),
        "{what}: {}",
        sol.message
    );
    assert_eq!(sol.t, vec![0.5], "{what}: no step was taken");
    assert!(sol.stats.n_rejected >= 3, "{what}: the step was halved");
}

#[test]
fn an_iteration_matrix_singular_at_every_attempt_ends_with_singular_matrix() {
    for method in Method::implicit() {
        for bad in [f64::NAN, f64::INFINITY] {
            // A constant Jacobian (never re-evaluated) and a hand-written one (re-evaluated in
            // vain).
            let sol = solve_ivp(
                &ConstantJacobian::new(Decay1, [[bad]]),
                (0.5, 2.0),
                [1.0],
                Options::new(method),
            )
            .unwrap();
            check_singular(&format!("{method} constant {bad}"), &sol);
            let sol = solve_ivp(
                &WithJacobian(BadJacobian(bad)),
                (0.5, 2.0),
                [1.0],
                Options::new(method),
            )
            .unwrap();
            check_singular(&format!("{method} analytic {bad}"), &sol);
        }
    }
    // The steppers return the error from step().
    let s = Tolerances::new(1e-6, 1e-9);
    let mut radau = Radau5::new(WithJacobian(BadJacobian(f64::NAN)), 0.5, [1.0], 2.0, s).unwrap();
    assert_eq!(radau.step(), Err(Error::SingularMatrix { t: 0.5 }));
    let mut bdf = Bdf::new(WithJacobian(BadJacobian(f64::NAN)), 0.5, [1.0], 2.0, s).unwrap();
    assert_eq!(bdf.step(), Err(Error::SingularMatrix { t: 0.5 }));
}

/// `Decay1` whose Jacobian is `j0` at `t = 0` and right (−1) elsewhere.
struct OddJacobianAtStart {
    j0: f64,
}
impl OdeSystem<1> for OddJacobianAtStart {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = -y[0];
    }
}
impl Jacobian<1> for OddJacobianAtStart {
    fn jacobian(&self, t: f64, _y: &[f64; 1], jac: &mut [[f64; 1]; 1]) {
        jac[0][0] = if t == 0.0 { self.j0 } else { -1.0 };
    }
}

/// Steps once and returns the stepper's state after it, then runs it to the end and checks
/// the answer.
fn first_step_then_finish<St: Stepper<f64, 1>>(name: &str, mut st: St, tol: f64) -> (f64, Stats) {
    st.step().unwrap();
    let after_first = (st.t(), st.stats());
    while !st.is_finished() {
        st.step().unwrap();
    }
    let e = (st.y()[0] - (-1.0f64).exp()).abs();
    assert!(e < tol, "{name}: error {e}");
    after_first
}

#[test]
fn an_exactly_singular_iteration_matrix_is_recovered_from() {
    let h0 = 0.01;
    let settings = |rtol| Settings::new(Tolerances::new(rtol, 1e-9)).first_step(h0);
    // Radau: (γ/h) I − J is exactly zero for J = γ/h0 at the first attempt (h = h0): the step
    // is halved and the run goes on. With the right Jacobian the first step is h0.
    let gamma = odegen::tableau::radau_iia::GAMMA;
    assert_eq!(gamma / h0 - gamma / h0, 0.0);
    let (t_ref, s_ref) = first_step_then_finish(
        "Radau reference",
        Radau5::new(
            WithJacobian(OddJacobianAtStart { j0: -1.0 }),
            0.0,
            [1.0],
            1.0,
            settings(1e-6),
        )
        .unwrap(),
        1e-6,
    );
    assert_eq!((t_ref, s_ref.n_rejected), (h0, 0));
    let (t, s) = first_step_then_finish(
        "Radau singular",
        Radau5::new(
            WithJacobian(OddJacobianAtStart { j0: gamma / h0 }),
            0.0,
            [1.0],
            1.0,
            settings(1e-6),
        )
        .unwrap(),
        1e-6,
    );
    assert!(t < h0 && s.n_rejected >= 1, "Radau: t = {t}, {s:?}");
    // A wrong constant Jacobian, singular at the first attempt: recovered from as well (the
    // frozen wrong matrix makes Newton slow for the whole run, but it converges).
    let (t, s) = first_step_then_finish(
        "Radau singular constant",
        Radau5::new(
            ConstantJacobian::new(Decay1, [[gamma / h0]]),
            0.0,
            [1.0],
            1.0,
            settings(1e-6),
        )
        .unwrap(),
        1e-6,
    );
    assert!(
        t < h0 && s.n_rejected >= 1,
        "Radau constant: t = {t}, {s:?}"
    );

    // BDF: I − (h/α₁) J is exactly zero for J = α₁/h at the first attempt (α₁ = 1.185, NDF1),
    // checked here in the arithmetic the method does.
    let c = h0 / ((1.0 - -0.1850) * 1.0);
    let j_sing = 1.0 / c;
    assert_eq!(
        -(j_sing * c) + 1.0,
        0.0,
        "the matrix must be exactly singular"
    );
    let (t_ref, s_ref) = first_step_then_finish(
        "BDF reference",
        Bdf::new(
            WithJacobian(OddJacobianAtStart { j0: -1.0 }),
            0.0,
            [1.0],
            1.0,
            settings(1e-3),
        )
        .unwrap(),
        1e-3,
    );
    assert_eq!((t_ref, s_ref.n_rejected, s_ref.njev), (h0, 0, 1));
    // A Jacobian that can be re-evaluated is: the second one (at the predictor) is right, and
    // the step goes through at full size.
    let (t, s) = first_step_then_finish(
        "BDF singular",
        Bdf::new(
            WithJacobian(OddJacobianAtStart { j0: j_sing }),
            0.0,
            [1.0],
            1.0,
            settings(1e-3),
        )
        .unwrap(),
        1e-3,
    );
    assert_eq!((t, s.njev), (h0, 2), "BDF: {s:?}");
    // A constant one cannot be: the step is halved.
    let (t, s) = first_step_then_finish(
        "BDF singular constant",
        Bdf::new(
            ConstantJacobian::new(Decay1, [[j_sing]]),
            0.0,
            [1.0],
            1.0,
            settings(1e-3),
        )
        .unwrap(),
        1e-3,
    );
    assert!(
        t < h0 && s.n_rejected >= 1 && s.njev == 1,
        "BDF constant: t = {t}, {s:?}"
    );
}

/// `y' = −1000 y (1 + y²)` from `y(0) = 10`: Lipschitz constant 3·10⁵ at the start;
/// `y² = c e^{−2000 t}/(1 − c e^{−2000 t})`, `c = 100/101`, below 1e−300 at `t = 1`.
struct Violent;
impl OdeSystem<1> for Violent {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = -1000.0 * y[0] * (1.0 + y[0] * y[0]);
    }
}
impl Jacobian<1> for Violent {
    fn jacobian(&self, _t: f64, y: &[f64; 1], jac: &mut [[f64; 1]; 1]) {
        jac[0][0] = -1000.0 * (1.0 + 3.0 * y[0] * y[0]);
    }
}

fn violent_exact(t: f64) -> f64 {
    let c = 100.0 / 101.0 * (-2000.0 * t).exp();
    (c / (1.0 - c)).sqrt()
}

#[test]
fn a_diverging_newton_iteration_shrinks_the_step_and_never_panics() {
    for method in Method::implicit() {
        let opts = || Options::new(method).rtol(1e-6).atol(1e-9);
        let right = solve_ivp(&WithJacobian(Violent), (0.0, 1.0), [10.0], opts()).unwrap();
        assert!(right.success, "{method}: {}", right.message);
        // Wrong constant Jacobians: zero (a fixed-point iteration) and the wrong sign. Newton
        // diverges until the step is small enough, and the run still succeeds.
        for j in [0.0, 1000.0] {
            let sol = solve_ivp(
                &ConstantJacobian::new(Violent, [[j]]),
                (0.0, 1.0),
                [10.0],
                opts(),
            )
            .unwrap();
            assert_eq!(
                sol.status,
                Status::Finished,
                "{method} J = {j}: {}",
                sol.message
            );
            assert_eq!(sol.stats.njev, 1);
            // Newton's divergence shows as rejected steps; a Rosenbrock method has no Newton
            // iteration, and with J = 0 it is an explicit method: more, shorter steps instead
            // (measured: Rodas4 10 460 against 183, Rosenbrock23, accuracy-bound already,
            // 1 233 against 484).
            if method.uses_newton() {
                assert!(
                    sol.stats.n_rejected > 10 * (right.stats.n_rejected + 1),
                    "{method} J = {j}: {:?} vs {:?}",
                    sol.stats,
                    right.stats
                );
                // The failures are counted as CVODE counts them (`ncfn`).
                assert!(
                    sol.stats.n_newton_failures > 10 * (right.stats.n_newton_failures + 1),
                    "{method} J = {j}: {:?} vs {:?}",
                    sol.stats,
                    right.stats
                );
            } else {
                assert!(
                    sol.stats.n_steps() > 2 * right.stats.n_steps(),
                    "{method} J = {j}: {:?} vs {:?}",
                    sol.stats,
                    right.stats
                );
            }
            // Accurate along the way (where y is above atol's order).
            for (&t, y) in sol.t.iter().zip(&sol.y) {
                let e = (y[0] - violent_exact(t)).abs();
                assert!(
                    e < 1e-4 * (1.0 + violent_exact(t)),
                    "{method} J = {j}: y({t}) = {}",
                    y[0]
                );
            }
            assert!(sol.y.last().unwrap()[0].abs() < 1e-8);
        }
        // Hopelessly wrong: the step shrinks to ~1e−6 and the budget runs out, with a clear
        // error rather than a panic or a hang.
        let sol = solve_ivp(
            &ConstantJacobian::new(Violent, [[1e6]]),
            (0.0, 1.0),
            [10.0],
            opts().max_nfev(20_000),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Failed, "{method}");
        assert_eq!(sol.error, Some(Error::TooManyEvaluations { limit: 20_000 }));
        assert!(sol.message.contains("20000"), "{}", sol.message);
        assert!(sol.y.iter().all(|y| y[0].is_finite()));
    }
}

// ---------------------------------------------------------------------------------------------
// The evaluation budget with every Jacobian source

/// `Decay1`-like system of three components with a sparse Jacobian (one colour).
struct Diagonal;
impl OdeSystem<3> for Diagonal {
    fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
        *dy = [-1000.0 * y[0], -y[1], -10.0 * y[2] * y[2]];
    }
}
impl Jacobian<3> for Diagonal {
    fn jacobian(&self, _t: f64, y: &[f64; 3], jac: &mut [[f64; 3]; 3]) {
        *jac = [
            [-1000.0, 0.0, 0.0],
            [0.0, -1.0, 0.0],
            [0.0, 0.0, -20.0 * y[2]],
        ];
    }
}
impl Sparsity<3> for Diagonal {
    const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 1), (2, 2)];
    const COLORS: [usize; 3] = [0, 0, 0];
    const N_COLORS: usize = 1;
}

/// For every budget in `1..=60`: construction fails with `TooManyEvaluations`, or the run
/// ends with it (or finishes) having spent at most the budget. Returns the violations.
fn budget_violations<Sys: OdeSystem<3>>(sys: &Sys, method: Method) -> Vec<(usize, usize)> {
    let mut bad = Vec::new();
    for budget in 1..=60 {
        match solve_ivp(
            sys,
            (0.0, 5.0),
            [1.0, 1.0, 1.0],
            Options::new(method).rtol(1e-8).max_nfev(budget),
        ) {
            Err(e) => assert_eq!(e, Error::TooManyEvaluations { limit: budget }),
            Ok(sol) => {
                if sol.stats.nfev > budget {
                    bad.push((budget, sol.stats.nfev));
                }
                if sol.status == Status::Failed {
                    assert_eq!(sol.error, Some(Error::TooManyEvaluations { limit: budget }));
                    assert!(sol.message.contains(&budget.to_string()));
                }
            }
        }
    }
    bad
}

#[test]
fn the_budget_holds_for_every_jacobian_source() {
    for method in Method::implicit() {
        assert_eq!(budget_violations(&Diagonal, method), [], "{method} FD");
        assert_eq!(
            budget_violations(&WithJacobian(Diagonal), method),
            [],
            "{method} analytic"
        );
    }
    assert_eq!(
        budget_violations(&Colored(Diagonal), Method::Bdf),
        [],
        "BDF coloured"
    );
}

/// Regression: Radau5 checks the budget before a forward-difference Jacobian (`N` evaluations)
/// but not before a coloured one (`N_COLORS` evaluations, also `#[ode_system(jacobian = fd)]`
/// systems): with `max_nfev = 2`, `nfev` ends at 3 (f, the initial-step probe, then one colour).
#[test]
fn radau_coloured_differences_respect_the_budget() {
    assert_eq!(
        budget_violations(&Colored(Diagonal), Method::Radau),
        [],
        "(budget, nfev)"
    );
}

// ---------------------------------------------------------------------------------------------
// Misuse of the steppers

fn check_misuse<St: Stepper<f64, 2>>(name: &str, mut st: St) {
    // Before the first step the interpolant is the initial point only.
    assert_eq!(st.dense(0.0), Ok([1.0, 2.0]), "{name}");
    assert!(matches!(
        st.dense(0.5),
        Err(Error::OutsideInterpolant { .. })
    ));
    st.step().unwrap();
    let (t_prev, t) = (st.t_prev(), st.t());
    // Outside the last step.
    for bad in [t + 0.1, t_prev - 0.1, f64::NAN] {
        let r = st.dense(bad);
        assert!(
            matches!(r, Err(Error::OutsideInterpolant { .. })),
            "{name}: dense({bad}) = {r:?}"
        );
    }
    // Restarts outside the step or from a non-finite state are refused, without harm.
    let mid = 0.5 * (t_prev + t);
    let y_mid = st.dense(mid).unwrap();
    assert_eq!(
        st.restart(t + 0.1, y_mid),
        Err(Error::InvalidRestart { t: t + 0.1 }),
        "{name}"
    );
    assert_eq!(
        st.restart(mid, [f64::NAN, 1.0]),
        Err(Error::InvalidRestart { t: mid }),
        "{name}"
    );
    // The message names the time in a form that reads back to it.
    let m = Error::InvalidRestart { t: mid }.to_string();
    let printed: f64 = m
        .split("t = ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or(f64::NAN);
    assert_eq!(printed, mid, "{m}");
    assert_eq!(st.t(), t);
    // A valid restart inside the step goes on from there, to the right answer.
    st.restart(mid, y_mid).unwrap();
    assert_eq!((st.t(), st.t_prev(), *st.y()), (mid, mid, y_mid));
    assert_eq!(st.dense(mid), Ok(y_mid));
    while !st.is_finished() {
        st.step().unwrap();
    }
    let exact = [(-0.5f64).exp(), 2.0 * (-0.5f64).exp()];
    assert!(
        (st.y()[0] - exact[0]).abs() < 1e-5 && (st.y()[1] - exact[1]).abs() < 1e-5,
        "{name}: {:?}",
        st.y()
    );
    // Stepping past the end.
    assert_eq!(st.step(), Err(Error::Finished { t: 1.0 }), "{name}");
    assert!(Error::Finished { t: 1.0 }.to_string().contains("t = 1"));
}

#[test]
fn stepper_misuse_is_an_error() {
    check_misuse(
        "Radau5",
        Radau5::new(decay(), 0.0, [1.0, 2.0], 1.0, tol()).unwrap(),
    );
    check_misuse(
        "Bdf",
        Bdf::new(decay(), 0.0, [1.0, 2.0], 1.0, tol()).unwrap(),
    );
}

/// Regression (was a hang): BDF's smallest step is `10 |t| ε`, recomputed from the current `t` before
/// every step. A step at that floor is below the next step's floor (which grew with `t`), so
/// it is raised to it again, which rescales the differences and resets the count of equal
/// steps that order and step-size selection wait for: the step never grows. Here, from
/// `t0 = 1` with a (legal) first step of 1e−15, BDF is still at `t = 1 + 2.2e−11` after 10⁴
/// steps of 2.2e−15 (the same from `t0 = 0` finishes in 43 steps). `solve_ivp` meets this after
/// a reset when the automatic first step is tiny (see stiff_features'
/// `bdf_bouncing_ball_with_a_tight_atol_finishes`) and then loops practically forever.
#[test]
fn bdf_steps_grow_from_a_tiny_first_step() {
    for t0 in [0.0, 1.0, 1.5] {
        let mut st = Bdf::new(
            Decay1,
            t0,
            [1.0],
            t0 + 0.5,
            Settings::new(Tolerances::new(1e-6, 1e-9)).first_step(1e-15),
        )
        .unwrap();
        let mut steps = 0;
        while !st.is_finished() && steps < 10_000 {
            st.step().unwrap();
            steps += 1;
        }
        assert!(
            st.is_finished(),
            "t0 = {t0}: after {steps} steps t − t0 = {:e}, h = {:e}",
            st.t() - t0,
            st.h()
        );
    }
}
