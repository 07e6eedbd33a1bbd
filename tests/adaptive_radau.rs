//! `AdaptiveRadau` (Hairer's variable-order RADAU) on its own: the orders of its three
//! methods, the order selection, its dense output, the stage limits, and its failures. Its
//! accuracy against the published references and the Test Set's RADAU counters is in
//! `stiff_references.rs`; its allocation-free stepping in `no_alloc.rs`.
#![allow(clippy::excessive_precision)]

#[path = "problems/stiff.rs"]
mod stiff;

use odegen::{
    solve_ivp, AdaptiveRadau, Error, Method, OdeSystem, Options, Radau5, Settings, Stepper,
    Tolerances,
};
use stiff::*;

fn finish<St: Stepper<f64, N>, const N: usize>(st: &mut St) -> Result<(), Error> {
    while !st.is_finished() {
        st.step()?;
    }
    Ok(())
}

/// The end-point error of `y' = −y + sin t` on `[0, 8]` at the constant step `h` (first and
/// largest step `h`, a tolerance that accepts every step) with `s` stages.
fn constant_step_error(s: usize, h: f64) -> f64 {
    let y0 = [1.0];
    let settings = Settings::new(Tolerances::new(1e-1, 1e-1))
        .first_step(h)
        .max_step(h);
    let mut st = AdaptiveRadau::with_stages(ForcedDecay, 0.0, y0, 8.0, settings, s, s).unwrap();
    finish(&mut st).unwrap();
    assert_eq!(
        st.stats().n_rejected,
        0,
        "s = {s}, h = {h}: a rejected step"
    );
    (st.y()[0] - forced_decay_exact(1.0, 8.0)).abs()
}

#[test]
fn the_three_methods_have_orders_5_9_13() {
    // Radau IIA with s stages has order 2s − 1 at the step ends (Solving ODEs II, IV.5,
    // Theorem 5.3). Measured from the errors at h and h/2, where they stand well above
    // rounding. Order 13 is at the edge of what f64 shows: its error constant is tiny
    // ((s!)²/((2s)!(2s+1)!) ≈ 2e-16 for e^z), so halving from h = 4 (not yet asymptotic:
    // 11.5 measured) is the best pair (from h = 2 the error at h = 1, 1.4e-14, is rounding);
    // it must still stand clear of the order-9 method's.
    for (s, hs, low, high) in [
        (3, [0.5, 0.25], 4.5, 5.5),
        (5, [1.0, 0.5], 8.5, 9.5),
        (7, [4.0, 2.0], 11.0, 13.5),
    ] {
        let (e1, e2) = (constant_step_error(s, hs[0]), constant_step_error(s, hs[1]));
        let order = (e1 / e2).log2();
        println!("s = {s}: errors {e1:.3e}, {e2:.3e}, order {order:.2}");
        assert!(
            order > low && order < high,
            "s = {s}: order {order:.2}, want {}",
            2 * s - 1
        );
    }
}

/// Runs `a` and `r` to their ends and asserts the same counters and the same final state,
/// bit for bit.
fn same_run<const N: usize>(what: &str, mut a: impl Stepper<f64, N>, mut r: impl Stepper<f64, N>) {
    let (ea, er) = (finish(&mut a), finish(&mut r));
    assert_eq!(ea, er, "{what}: outcomes");
    let (sa, sr) = (a.stats(), r.stats());
    assert_eq!(sa, sr, "{what}: counters");
    let bits = |st: &dyn Fn(usize) -> f64| (0..N).map(|i| st(i).to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&|i| a.y()[i]),
        bits(&|i| r.y()[i]),
        "{what}: final state"
    );
}

#[test]
fn three_stages_are_radau5() {
    // Radau5 and AdaptiveRadau are one stepper (`RadauIIA`), and its three-stage steps take
    // RADAU5's operations, as RADAU's own three-stage routines do: with the stages held at 3,
    // AdaptiveRadau is Radau5 bit for bit, at every tolerance and on every problem; and so is
    // AdaptiveRadau at loose tolerances, where its order never rises.
    fn with<const N: usize>(rtol: f64) -> Settings<f64, N> {
        Settings::new(Tolerances::new(rtol, rtol)).first_step(1e-6)
    }
    for rtol in [1e-3, 1e-5, 1e-7, 1e-9, 1e-11] {
        let settings = || with(rtol);
        same_run(
            &format!("HIRES {rtol:e}"),
            AdaptiveRadau::with_stages(Hires, 0.0, HIRES_Y0, 321.8122, settings(), 3, 3).unwrap(),
            Radau5::new(Hires, 0.0, HIRES_Y0, 321.8122, settings()).unwrap(),
        );
        let vdp = VanDerPol { mu: 1000.0 };
        same_run(
            &format!("VDPOL {rtol:e}"),
            AdaptiveRadau::with_stages(vdp, 0.0, [2.0, 0.0], 2000.0, with(rtol), 3, 3).unwrap(),
            Radau5::new(vdp, 0.0, [2.0, 0.0], 2000.0, with(rtol)).unwrap(),
        );
        same_run(
            &format!("OREGO {rtol:e}"),
            AdaptiveRadau::with_stages(Orego, 0.0, OREGO_Y0, 360.0, with(rtol), 3, 3).unwrap(),
            Radau5::new(Orego, 0.0, OREGO_Y0, 360.0, with(rtol)).unwrap(),
        );
    }
    // HIRES at 1e-3: RADAU's order selection keeps three stages all the way.
    same_run(
        "HIRES 1e-3, variable order",
        AdaptiveRadau::new(Hires, 0.0, HIRES_Y0, 321.8122, with(1e-3)).unwrap(),
        Radau5::new(Hires, 0.0, HIRES_Y0, 321.8122, with(1e-3)).unwrap(),
    );
}

#[test]
fn the_order_follows_the_tolerance() {
    // Loose: the Newton iteration converges slowly relative to the tolerance and order 5 is
    // kept; tight: fast convergence raises the order to 13, and the run is much shorter than
    // Radau5's.
    let count = |rtol: f64| {
        let tol = Tolerances::new(rtol, rtol);
        let mut st = AdaptiveRadau::new(Hires, 0.0, HIRES_Y0, 321.8122, tol).unwrap();
        let mut top = 3;
        while !st.is_finished() {
            st.step().unwrap();
            top = top.max(st.stages());
        }
        (top, st.stats().n_accepted)
    };
    let (top_loose, _) = count(1e-3);
    assert_eq!(top_loose, 3, "rtol 1e-3 left order 5");
    let (top_tight, steps) = count(1e-12);
    assert!(top_tight >= 5, "rtol 1e-12 stayed at order 5");
    let mut r = Radau5::new(
        Hires,
        0.0,
        HIRES_Y0,
        321.8122,
        Tolerances::new(1e-12, 1e-12),
    )
    .unwrap();
    finish(&mut r).unwrap();
    println!(
        "HIRES rtol 1e-12: {steps} steps, up to {top_tight} stages; Radau5 {}",
        r.stats().n_accepted
    );
    assert!(3 * steps < r.stats().n_accepted);
}

#[test]
fn dense_output_is_the_collocation_polynomial() {
    // y' = −y + sin t at rtol 1e-10 with every stage count: the power-basis coefficients agree
    // with `dense`, the polynomial passes through both step ends, and between them it is
    // accurate to the order of the collocation polynomial (degree s).
    for s in [3, 5, 7] {
        let tol = Tolerances::new(1e-10, 1e-12);
        let mut st = AdaptiveRadau::with_stages(ForcedDecay, 0.0, [1.0], 8.0, tol, s, s).unwrap();
        let mut worst: f64 = 0.0;
        while !st.is_finished() {
            let y_start = st.y()[0];
            st.step().unwrap();
            let (t0, t1) = (st.t_prev(), st.t());
            assert_eq!(st.dense_terms(), s + 1);
            let mut coef = [[0.0]; 8];
            st.dense_coefficients(&mut coef);
            let at = |th: f64| (0..=s).rev().fold(0.0, |acc, k| acc * th + coef[k][0]);
            assert!((at(0.0) - y_start).abs() < 1e-13, "s = {s}: p(0)");
            assert!((at(1.0) - st.y()[0]).abs() < 1e-13, "s = {s}: p(1)");
            for th in [0.1, 0.35, 0.5, 0.8] {
                let t = t0 + th * (t1 - t0);
                let y = st.dense(t).unwrap()[0];
                assert!((y - at(th)).abs() < 1e-13, "s = {s}: dense vs coefficients");
                worst = worst.max((y - forced_decay_exact(1.0, t)).abs());
            }
        }
        println!("s = {s}: dense output error {worst:.2e}");
        assert!(worst < 3e-8, "s = {s}: dense output error {worst:e}");
    }
}

#[test]
fn backward_integration_retraces_the_forward_one() {
    // The oscillator x'' = −x from t = 0 to 10 and back, at rtol 1e-11.
    let tol = || Tolerances::new(1e-11, 1e-13);
    let y0 = [1.0, 0.0];
    let mut fwd = AdaptiveRadau::new(Oscillator, 0.0, y0, 10.0, tol()).unwrap();
    finish(&mut fwd).unwrap();
    let exact = oscillator_exact(y0, 10.0);
    assert!((fwd.y()[0] - exact[0]).abs() < 1e-9);
    let mut back = AdaptiveRadau::new(Oscillator, 10.0, *fwd.y(), 0.0, tol()).unwrap();
    finish(&mut back).unwrap();
    assert!((back.y()[0] - 1.0).abs() < 1e-9 && back.y()[1].abs() < 1e-9);
}

#[test]
fn solve_ivp_runs_it_with_t_eval_and_dense_output() {
    let t_eval: Vec<f64> = (0..=10).map(|k| k as f64).collect();
    let options = Options::new(Method::AdaptiveRadau)
        .rtol(1e-10)
        .atol(1e-12)
        .t_eval(t_eval.clone())
        .dense_output(true);
    let sol = solve_ivp(&ForcedDecay, (0.0, 10.0), [1.0], options).unwrap();
    assert!(sol.success, "{}", sol.message);
    assert_eq!(sol.t, t_eval);
    for (t, y) in sol.t.iter().zip(&sol.y) {
        assert!((y[0] - forced_decay_exact(1.0, *t)).abs() < 1e-8, "t = {t}");
    }
    let dense = sol.sol.as_ref().unwrap();
    let y = dense.eval(4.321).unwrap();
    assert!((y[0] - forced_decay_exact(1.0, 4.321)).abs() < 1e-8);
    assert_eq!(Method::AdaptiveRadau.to_string(), "AdaptiveRadau");
    assert!(Method::AdaptiveRadau.is_implicit());
}

#[test]
fn bad_stage_limits_are_rejected() {
    let tol = || Tolerances::new(1e-6, 1e-8);
    for (lo, hi) in [(1, 7), (3, 9), (4, 5), (7, 5), (5, 6)] {
        let r = AdaptiveRadau::with_stages(ForcedDecay, 0.0, [1.0], 1.0, tol(), lo, hi);
        assert!(
            matches!(r, Err(Error::InvalidOption { .. })),
            "({lo}, {hi}) accepted"
        );
    }
    assert!(AdaptiveRadau::with_stages(ForcedDecay, 0.0, [1.0], 1.0, tol(), 5, 7).is_ok());
    // Radau5 is the same stepper with room for three stages only: more is refused, not
    // overrun; three to three is its own method.
    for (lo, hi) in [(3, 5), (5, 5), (3, 7), (7, 7)] {
        let r = Radau5::with_stages(ForcedDecay, 0.0, [1.0], 1.0, tol(), lo, hi);
        assert!(
            matches!(r, Err(Error::InvalidOption { .. })),
            "Radau5 ({lo}, {hi}) accepted"
        );
    }
    let mut st = Radau5::with_stages(ForcedDecay, 0.0, [1.0], 1.0, tol(), 3, 3).unwrap();
    assert_eq!(st.stages(), 3);
    finish(&mut st).unwrap();
    assert!((st.y()[0] - forced_decay_exact(1.0, 1.0)).abs() < 1e-6);
}

/// `y' = y²` from y(0) = 1 blows up at t = 1.
struct BlowUp;
impl OdeSystem<1> for BlowUp {
    fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = y[0] * y[0];
    }
}

/// The right-hand side turns NaN past t = 0.5.
struct NanAfterHalf;
impl OdeSystem<1> for NanAfterHalf {
    fn rhs(&self, t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = if t > 0.5 { f64::NAN } else { -y[0] };
    }
}

#[test]
fn failures_are_reported_not_panicked() {
    let tol = || Tolerances::new(1e-8, 1e-10);
    let mut st = AdaptiveRadau::new(BlowUp, 0.0, [1.0], 2.0, tol()).unwrap();
    let err = finish(&mut st).unwrap_err();
    assert!(
        matches!(err, Error::StepSizeTooSmall { t, .. } if (t - 1.0).abs() < 1e-3),
        "{err}"
    );
    let mut st = AdaptiveRadau::new(NanAfterHalf, 0.0, [1.0], 2.0, tol()).unwrap();
    let err = finish(&mut st).unwrap_err();
    assert!(
        matches!(err, Error::NonFiniteDerivative { t } if t > 0.5 && t < 0.6),
        "{err}"
    );
    let settings = Settings::new(Tolerances::new(1e-8, 1e-10)).max_nfev(200);
    let mut st = AdaptiveRadau::new(Hires, 0.0, HIRES_Y0, 321.8122, settings).unwrap();
    assert!(matches!(
        finish(&mut st).unwrap_err(),
        Error::TooManyEvaluations { limit: 200 }
    ));
    assert!(st.stats().nfev <= 200);
    assert!(matches!(
        AdaptiveRadau::new(ForcedDecay, 0.0, [f64::NAN], 1.0, tol()),
        Err(Error::NonFiniteInitialState { .. })
    ));
}

/// A user's linear solver for Radau: the dense one, counting what it is asked to do.
#[derive(Debug, Clone)]
struct Counting<const N: usize> {
    inner: odegen::implicit::DenseRadauLu<f64, N, odegen::linalg::Inline, 0>,
    factors: usize,
    solves: core::cell::Cell<usize>,
}

impl<const N: usize> odegen::implicit::RadauSolver<f64, N> for Counting<N> {
    type Jacobian = [[f64; N]; N];
    const PAIRS: usize = 1;
    fn zeroed() -> Self {
        Counting {
            inner: odegen::implicit::RadauSolver::zeroed(),
            factors: 0,
            solves: core::cell::Cell::new(0),
        }
    }
    fn zero_jacobian() -> Self::Jacobian {
        [[0.0; N]; N]
    }
    fn evaluate<Sys: OdeSystem<N, f64> + ?Sized>(
        sys: &Sys,
        t: f64,
        y: &[f64; N],
        f: &[f64; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        Ok(sys.newton_jacobian(t, y, f, jac))
    }
    fn factor(
        &mut self,
        gamma: f64,
        shifts: &[odegen::num_complex::Complex<f64>],
        jac: &Self::Jacobian,
    ) -> Result<(), odegen::linalg::Singular> {
        self.factors += 1;
        // The user keeps J as a plain array; the dense solver takes its own form.
        let mut m = <odegen::linalg::Inline as odegen::linalg::Storage>::matrix(0.0);
        *m = *jac;
        self.inner.factor(gamma, shifts, &m)
    }
    fn solve_real(&self, b: &mut [f64; N]) {
        self.inner.solve_real(b)
    }
    fn solve(&self, r: &mut [[f64; N]], pairs: usize) {
        self.solves.set(self.solves.get() + 1);
        self.inner.solve(r, pairs)
    }
}

#[test]
fn radau_runs_over_a_users_linear_solver() {
    // The stepper sees its linear algebra only through `RadauSolver`: over a user's solver
    // (here the dense one behind a counter) it takes the same steps to the same bits, and
    // asks for one factorisation per LU it counts and one solve per Newton iteration.
    for rtol in [1e-4, 1e-7, 1e-10] {
        let settings = || Settings::new(Tolerances::new(rtol, rtol)).first_step(1e-6);
        let mut own = odegen::RadauIIA::<_, 8, f64, 3, Counting<8>>::with_storage(
            Hires,
            0.0,
            HIRES_Y0,
            321.8122,
            settings(),
        )
        .unwrap();
        let mut dense = Radau5::new(Hires, 0.0, HIRES_Y0, 321.8122, settings()).unwrap();
        finish(&mut own).unwrap();
        finish(&mut dense).unwrap();
        assert_eq!(own.stats(), dense.stats(), "rtol {rtol}");
        for i in 0..8 {
            assert_eq!(own.y()[i].to_bits(), dense.y()[i].to_bits(), "rtol {rtol}");
        }
        let solver = own.linear_solver();
        assert_eq!(solver.factors, own.stats().nlu);
        assert_eq!(solver.solves.get(), own.stats().n_newton_iters);
    }
}
