//! Variable-order numerical differentiation formulas (NDF/BDF, orders 1–5).
//!
//! The method of Shampine & Reichelt, "The MATLAB ODE Suite", *SIAM J. Sci. Comput.* 18
//! (1997), §2–§3, as SciPy's `BDF` implements it:
//!
//! - **Quasi-constant step size.** The solution is carried as the backward differences
//!   `D_j = ∇^j y_n` (`j = 0..k+2`) on an equally spaced grid of spacing `h`; a change of step
//!   re-interpolates them onto the new grid (`D ← (R U)ᵀ D`, §2.2, eq. (2)–(3)).
//! - **NDFs.** Klopfenstein's numerical differentiation formulas with Shampine & Reichelt's
//!   `κ = (−0.1850, −1/9, −0.0823, −0.0415, 0)`: the corrector
//!   `Σ_{j=1}^{k} γ_j ∇^j y_{n+1} − h f(t_{n+1}, y_{n+1}) − κ γ_k (y_{n+1} − y⁽⁰⁾_{n+1}) = 0`,
//!   `γ_j = Σ_{i≤j} 1/i`, with error estimate `(κ γ_k + 1/(k+1)) ‖∇^{k+1} y_{n+1}‖`.
//! - **Newton** (at most 4 iterations) on `(I − c J) Δ = c f − ψ − d`, `c = h / α_k`,
//!   stopped by the contraction-rate test of §2.3; the Jacobian is re-evaluated only when the
//!   iteration fails to converge with an old one, the factorisation only when `c` changes
//!   (step or order change) or the Jacobian is renewed.
//! - **Order selection** after `k + 1` steps of equal size: the estimates for orders
//!   `k − 1, k, k + 1` (from `∇^k`, `∇^{k+1}`, `∇^{k+2}`) each propose a step, the largest
//!   wins (§2.3).
//! - **Dense output**: the interpolating polynomial of the differences.
//! - **An exactly uniform grid.** The differences assume steps of exactly `h`. SciPy's `BDF`
//!   takes as its step the rounded `(t + h) − t`, which differs from `h` by up to an ulp of
//!   `t`; that jitter is a local error of about `|y'|·ulp(t)`, which tight tolerances cannot
//!   absorb: on Van der Pol, μ = 1000, in the jump near `t = 807` (`|y₂'| ≈ 4e4`, ulp 1.1e-13)
//!   it is 60 times `rtol = atol = 1e-12`, and SciPy's `BDF` stops there with a step-size
//!   underflow. Here the step stays `h` and the time carries its own rounding error
//!   (compensated summation with Knuth's TwoSum), so the grid's points are the exact sums
//!   `t0 + Σ h` up to a rounding of that error term, far below an ulp of `t`.
//!
//! The state may be real or complex (`S = Complex<f64>`): the differences, the Newton
//! iteration and the LU all work over `S`.
//!
//! Failures: a Newton iteration that does not converge with a fresh Jacobian, a singular
//! iteration matrix, or non-finite values of `f` halve the step; five singular matrices in a row
//! end the integration ([`Error::SingularMatrix`]); a step below ten spacings of
//! floating-point numbers at `t` (or below `min_step`) is [`Error::StepSizeTooSmall`].

use super::controllers::{BdfControl, BDF_MAX_ORDER as MAX_ORDER, NEWTON_MAXITER};
use super::iteration::IterationMatrix;
use super::linear::{DenseLu, LinearSolver};
use super::newton::{Newton, NewtonIteration, ScipyRule};
use crate::control::{initial_step, Tolerances};
use crate::error::Error;
use crate::integrator::{advance, Attempts, Floor, Rejected, Settings, StepState};
#[cfg(feature = "alloc")]
use crate::linalg::Heap;
use crate::linalg::{Inline, Storage};
use crate::scalar::{Real, Scalar};
use crate::stepper::{Stats, Stepper};
use crate::system::{JacobianKind, OdeSystem};
use core::marker::PhantomData;
use num_traits::{Float, One, Zero};

/// Shampine & Reichelt's NDF coefficients `κ_k` (k = 0..5; order 5 is the BDF).
const KAPPA: [f64; MAX_ORDER + 1] = [0.0, -0.1850, -1.0 / 9.0, -0.0823, -0.0415, 0.0];
/// A fifth singular matrix in a row ends the integration.
const MAX_SINGULAR: u32 = 5;

/// `γ_k = Σ_{i=1}^{k} 1/i`.
const fn gamma(k: usize) -> f64 {
    let mut s = 0.0;
    let mut i = 1;
    while i <= k {
        s += 1.0 / i as f64;
        i += 1;
    }
    s
}

/// `α_k = (1 − κ_k) γ_k`.
fn alpha(k: usize) -> f64 {
    (1.0 - KAPPA[k]) * gamma(k)
}

/// The error constant `κ_k γ_k + 1/(k + 1)`.
fn error_const(k: usize) -> f64 {
    KAPPA[k] * gamma(k) + 1.0 / (k + 1) as f64
}

/// Shampine & Reichelt's matrix `R(ρ)` of order `k`: `R_ij = Π_{m=1}^{i} (m − 1 − ρ j)/m`,
/// `R_0j = 1` (§2.2, eq. (2)).
fn compute_r<R: Real>(order: usize, factor: R) -> [[R; MAX_ORDER + 1]; MAX_ORDER + 1] {
    let mut r = [[R::zero(); MAX_ORDER + 1]; MAX_ORDER + 1];
    for j in 0..=order {
        r[0][j] = R::one();
    }
    for i in 1..=order {
        let fi = R::from_f64(i as f64);
        for j in 1..=order {
            let m = (fi - R::one() - factor * R::from_f64(j as f64)) / fi;
            r[i][j] = r[i - 1][j] * m;
        }
    }
    r
}

/// `R(1)`, the same for every step change: its entries do not depend on the order (which only
/// selects the leading block), so it is computed once, at compile time.
const U: [[f64; MAX_ORDER + 1]; MAX_ORDER + 1] = {
    let mut r = [[0.0; MAX_ORDER + 1]; MAX_ORDER + 1];
    let mut j = 0;
    while j <= MAX_ORDER {
        r[0][j] = 1.0;
        j += 1;
    }
    let mut i = 1;
    while i <= MAX_ORDER {
        let mut j = 1;
        while j <= MAX_ORDER {
            r[i][j] = r[i - 1][j] * ((i as f64 - 1.0 - j as f64) / i as f64);
            j += 1;
        }
        i += 1;
    }
    r
};

/// `(s, e)` with `s = fl(a + b)` and `s + e = a + b` exactly (Knuth's TwoSum, *The Art of
/// Computer Programming* 2, §4.2.2, Theorem B; no assumption on the sizes of `a` and `b`).
fn two_sum<R: Real>(a: R, b: R) -> (R, R) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Re-expresses the differences `D_0..D_k` for a step `factor` times the current one.
fn change_d<S: Scalar, const N: usize>(
    d: &mut [[S; N]; MAX_ORDER + 3],
    order: usize,
    factor: S::Real,
) {
    let r = compute_r(order, factor);
    let u = U;
    let mut ru = [[S::Real::zero(); MAX_ORDER + 1]; MAX_ORDER + 1];
    for i in 0..=order {
        for j in 0..=order {
            let mut s = S::Real::zero();
            for k in 0..=order {
                s = s + r[i][k] * S::Real::from_f64(u[k][j]);
            }
            ru[i][j] = s;
        }
    }
    let mut old = [[S::zero(); N]; MAX_ORDER + 1];
    old.copy_from_slice(&d[..=MAX_ORDER]);
    for j in 0..=order {
        let mut acc = [S::zero(); N];
        for k in 0..=order {
            let w = ru[k][j];
            if w.is_zero() {
                continue;
            }
            for i in 0..N {
                acc[i] = acc[i] + old[k][i] * w;
            }
        }
        d[j] = acc;
    }
}

/// Variable-order NDF/BDF (SciPy's `BDF`, MATLAB's `ode15s`) for `N` components of type `S`
/// (real or complex).
///
/// ```
/// use ode_core::{Bdf, OdeSystem, Stepper, Tolerances};
///
/// /// Robertson's chemical kinetics (stiff).
/// struct Robertson;
/// impl OdeSystem<3> for Robertson {
///     fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
///         let r2 = 3e7 * y[1] * y[1];
///         dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
///         dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - r2;
///         dy[2] = r2;
///     }
/// }
/// let mut st = Bdf::new(Robertson, 0.0, [1.0, 0.0, 0.0], 40.0,
///                       Tolerances::new(1e-6, 1e-10))?;
/// while !st.is_finished() {
///     st.step()?;
/// }
/// // DETEST D2 reference at t = 40: y1 = 0.7158270687193941.
/// assert!((st.y()[0] - 0.7158270687193941).abs() < 1e-5);
/// assert!(st.stats().n_accepted < 300);
/// # Ok::<(), ode_core::Error>(())
/// ```
///
/// # Size
/// `core::mem::size_of::<Bdf<Sys, N, S>>()` is about `2·N²` scalars (the Jacobian and the
/// factors of `I − c J`) plus `O(N)`: 160 kB for `N = 100` in `f64` (`tests/stepper_sizes.rs`
/// checks it). Reuse a large one in place with [`Bdf::reset`].
#[derive(Debug, Clone)]
pub struct Bdf<
    Sys,
    const N: usize,
    S: Scalar = f64,
    W: Storage = Inline,
    L: LinearSolver<S, N> = DenseLu<S, N, W>,
> {
    sys: Sys,
    /// Its `f` is `f(t0, y0)` before the first step and after a restart, afterwards the
    /// derivative of the interpolating polynomial at `t`, `(1/h) Σ_j ∇^j y_n / j` (BDF
    /// evaluates `f` only at Newton iterates, never at the accepted point): what
    /// [`Stepper::f`] returns.
    state: StepState<S, N>,
    /// The rounding error of `t`: the grid's exact time is `t + t_err`.
    t_err: S::Real,
    h_abs: S::Real,
    /// Backward differences `∇^j y_n`, `j = 0..=MAX_ORDER + 2`.
    d: [[S; N]; MAX_ORDER + 3],
    order: usize,
    /// The step-size and order controller.
    control: BdfControl,
    /// `J` and the factors of `I − c J`, refactored when `c` or `J` changes.
    matrix: IterationMatrix<S, N, L>,
    _storage: PhantomData<W>,
    newton_tol: S::Real,
    tol: Tolerances<S::Real, N>,
    settings: Settings<S::Real, N>,
    n_singular: u32,
    /// Whether the Jacobian held is `J` at this step's predictor (or constant).
    current_jac: bool,
    /// Where the attempts of this step met a non-finite value, if they did.
    non_finite_at: Option<S::Real>,
    /// The end of the attempted step, with the rounding error of its sum.
    t_new: (S::Real, S::Real),
    /// Accepted steps since the factors were made ([`Settings::reuse_factorizations`]).
    lu_age: usize,
}

/// CVODE's bounds for reusing the factors of `I − c J` ([`Settings::reuse_factorizations`]):
/// refactor when `|c/c̄ − 1|` exceeds `DGMAX` or after `MSBP` steps.
const DGMAX: f64 = 0.3;
const MSBP: usize = 20;

impl<Sys, const N: usize, S> Bdf<Sys, N, S>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (before `t0` for a
    /// backward integration). Costs one evaluation of `f` and one Jacobian, one more
    /// evaluation without a `first_step` (the automatic choice of *Solving ODEs I*, II.4, with
    /// the exponent `1/2` of the order-1 error estimate, as SciPy).
    ///
    /// The settings' `controller` is not used: the method has its own (see the module docs).
    pub fn new(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<Self, Error> {
        Self::with_storage(sys, t0, y0, t_bound, settings)
    }
}

#[cfg(feature = "alloc")]
impl<Sys, const N: usize, S> Bdf<Sys, N, S, Heap>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
{
    /// As [`Bdf::new`], in a box, with each `N × N` matrix in a box of its own: as
    /// [`crate::Radau5::boxed`], what `solve_ivp` uses.
    pub fn boxed(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        Self::boxed_with_solver(sys, t0, y0, t_bound, settings)
    }
}

impl<Sys, const N: usize, S, W> Bdf<Sys, N, S, W>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    W: Storage,
{
    /// As [`Bdf::new`], with the matrices in the storage `W`.
    ///
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (before `t0` for a
    /// backward integration). Costs one evaluation of `f` and one Jacobian, one more
    /// evaluation without a `first_step` (the automatic choice of *Solving ODEs I*, II.4, with
    /// the exponent `1/2` of the order-1 error estimate, as SciPy).
    ///
    /// The settings' `controller` is not used: the method has its own (see the module docs).
    pub fn with_storage(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<Self, Error> {
        Self::with_solver(sys, t0, y0, t_bound, settings)
    }
}

impl<Sys, const N: usize, S, W, L> Bdf<Sys, N, S, W, L>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    W: Storage,
    L: LinearSolver<S, N>,
{
    /// As [`Bdf::new`], over the linear solver `L` of its Newton systems `(I − c J) x = b`
    /// (named by the type: the band LU, `Bdf::<_, N, f64, Inline, BandedLu<f64, N, 1, 1,
    /// 4>>::with_solver(..)`, for a tridiagonal `J`).
    pub fn with_solver(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<Self, Error> {
        // Built whole before anything is checked, then started in place by a call that is
        // never inlined (see [`crate::Radau5::reset`] for why).
        let mut st = Self::unstarted(sys, settings.into());
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }

    /// As [`Bdf::with_solver`], built in a box (what `solve_ivp` uses with a sparse solver).
    #[cfg(feature = "alloc")]
    pub fn boxed_with_solver(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        let mut st = alloc::boxed::Box::new(Self::unstarted(sys, settings.into()));
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }

    /// A stepper holding `sys` and `settings` that has not started: every work area zero,
    /// nothing checked. [`Bdf::reset`] starts it.
    fn unstarted(sys: Sys, settings: Settings<S::Real, N>) -> Self {
        Bdf {
            _storage: PhantomData,
            sys,
            state: StepState::unstarted(),
            t_err: S::Real::zero(),
            h_abs: S::Real::zero(),
            d: [[S::zero(); N]; MAX_ORDER + 3],
            order: 1,
            control: BdfControl::new(),
            matrix: IterationMatrix::new(),
            newton_tol: S::Real::zero(),
            tol: settings.tol,
            settings,
            n_singular: 0,
            current_jac: false,
            non_finite_at: None,
            t_new: (S::Real::zero(), S::Real::zero()),
            lu_age: 0,
        }
    }

    /// Starts a new integration from `(t0, y0)` towards `t_bound` in place, with the system
    /// and settings the stepper was made with; the counters start again from zero. As
    /// [`crate::Radau5::reset`]: a stepper placed once in a `static` or a `Box` is reused
    /// without passing through the stack (a `Bdf` holds `2·N²` scalars).
    #[inline(never)]
    pub fn reset(&mut self, t0: S::Real, y0: [S; N], t_bound: S::Real) -> Result<(), Error> {
        let (tol, raised) = self.settings.start_checks(t0, &y0, t_bound)?;
        let rtol = tol.rtol();
        let r = |x: f64| S::Real::from_f64(x);
        self.newton_tol = (r(10.0) * S::Real::epsilon() / rtol).max(r(0.03).min(rtol.sqrt()));
        self.tol = tol;
        self.state = StepState::started(t0, y0, t_bound);
        self.state.stats.rtol_raised = raised;
        self.t_err = S::Real::zero();
        self.n_singular = 0;
        self.matrix.forget();
        if self.state.finished {
            return Ok(());
        }
        self.start()
    }

    /// The system being integrated.
    pub fn system(&self) -> &Sys {
        &self.sys
    }

    /// Where the Newton iterations' Jacobian comes from.
    pub fn jacobian_kind(&self) -> JacobianKind {
        Sys::JACOBIAN
    }

    /// The order the next step will use.
    pub fn order(&self) -> usize {
        self.order
    }

    fn budget(&self, n: usize) -> Result<(), Error> {
        self.state.budget(self.settings.max_nfev, n)
    }

    /// `f`, the Jacobian and the first step at the current point: the start of an integration
    /// or of a restart.
    fn start(&mut self) -> Result<(), Error> {
        self.state.evaluate_f(&self.sys, self.settings.max_nfev)?;
        let span = (self.state.t_bound - self.state.t).abs();
        let max_abs = self.settings.max_step.min(span);
        self.h_abs = match self.settings.first_step {
            Some(h) => h.min(max_abs),
            None => {
                self.budget(1)?;
                self.state.stats.nfev += 1;
                let sys = &self.sys;
                initial_step(
                    |t, y, out| sys.rhs(t, y, out),
                    self.state.t,
                    &self.state.y,
                    &self.state.f,
                    self.state.dir,
                    2,
                    &self.tol,
                    max_abs,
                )
            }
        };
        let f = self.state.f;
        self.evaluate_jacobian(self.state.t, &self.state.y.clone(), Some(&f))?;
        self.d = [[S::zero(); N]; MAX_ORDER + 3];
        self.d[0] = self.state.y;
        let h = self.h_abs * self.state.dir;
        for i in 0..N {
            self.d[1][i] = self.state.f[i] * h;
        }
        self.order = 1;
        self.control.changed();
        Ok(())
    }

    /// Evaluates the Jacobian at `(t, y)` (kept, for a constant one); `f` is `f(t, y)` when
    /// known (finite differences need it; it is evaluated otherwise, and counted). `false` when
    /// that `f` is not finite.
    fn evaluate_jacobian(
        &mut self,
        t: S::Real,
        y: &[S; N],
        f: Option<&[S; N]>,
    ) -> Result<bool, Error> {
        self.matrix.moved::<Sys>();
        let needs_f = matches!(
            Sys::JACOBIAN,
            JacobianKind::FiniteDifferences | JacobianKind::ColoredFiniteDifferences
        );
        let mut f_here = [S::zero(); N];
        match f {
            Some(f) => f_here = *f,
            None if needs_f => {
                self.budget(1)?;
                self.sys.rhs(t, y, &mut f_here);
                self.state.stats.nfev += 1;
                if f_here.iter().any(|v| !v.all_finite()) {
                    // No difference quotient from a non-finite f: the caller shrinks the step.
                    return Ok(false);
                }
            }
            None => {}
        }
        let max_nfev = self.settings.max_nfev;
        self.matrix
            .jacobian(&self.sys, (t, y, &f_here), &mut self.state.stats, max_nfev)?;
        Ok(true)
    }

    /// Factors `I − c J` (unless it is factored already).
    fn factor(&mut self, c: S::Real, t: S::Real) -> Result<(), Error> {
        let done = self.matrix.factor(S::from_real(S::Real::one()), c, t);
        self.state.stats.nlu += self.matrix.take_factorizations();
        done
    }

    /// The Newton iteration for `y_{n+1}` (SciPy's `solve_bdf_system`): returns whether it
    /// converged, the iterations used, and leaves the iterate in `y` and the correction
    /// `d = y − y_predict` in `d`.
    /// `correction` scales each solve: `1` with the factors of `I − c J`, CVODE's
    /// `2 / (1 + c/c̄)` with those of `I − c̄ J` ([`Settings::reuse_factorizations`]).
    #[allow(clippy::too_many_arguments)]
    fn newton(
        &mut self,
        t_new: S::Real,
        y_predict: &[S; N],
        (c, correction): (S::Real, S::Real),
        psi: &[S; N],
        y: &mut [S; N],
        d: &mut [S; N],
        non_finite_at: &mut Option<S::Real>,
    ) -> Result<(bool, usize), Error> {
        *y = *y_predict;
        *d = [S::zero(); N];
        let mut it = NewtonIteration::new(
            ScipyRule::new(self.newton_tol, NEWTON_MAXITER),
            NEWTON_MAXITER,
        );
        let mut f = [S::zero(); N];
        let outcome = loop {
            if let Err(failed) = it.next() {
                break failed;
            }
            self.budget(1)?;
            self.sys.rhs(t_new, y, &mut f);
            self.state.stats.nfev += 1;
            if f.iter().any(|v| !v.all_finite()) {
                *non_finite_at = Some(t_new);
                break it.corrected(S::Real::nan()).unwrap_or(Newton::Failed);
            }
            let mut dy = [S::zero(); N];
            for i in 0..N {
                dy[i] = f[i] * c - psi[i] - d[i];
            }
            self.matrix.solve(&mut dy);
            if correction != S::Real::one() {
                for v in dy.iter_mut() {
                    *v = *v * S::from_real(correction);
                }
            }
            let dy_norm = self.tol.norm(&dy, y_predict);
            if !dy_norm.is_finite() {
                *non_finite_at = Some(t_new);
            }
            if let Some(stop) = it.corrected(dy_norm) {
                break stop;
            }
            for i in 0..N {
                y[i] = y[i] + dy[i];
                d[i] = d[i] + dy[i];
            }
            if let Some(done) = it.applied(dy_norm) {
                break done;
            }
        };
        let converged = matches!(
            it.count(outcome, &mut self.state.stats),
            Newton::Converged(_)
        );
        Ok((converged, it.iterations()))
    }

    /// Rescales the differences for a step `factor` times the current one.
    fn rescale(&mut self, factor: S::Real) {
        change_d(&mut self.d, self.order, factor);
        self.control.changed();
    }

    /// The step of the dense output and of the differences (signed).
    fn h(&self) -> S::Real {
        self.h_abs * self.state.dir
    }
}

impl<Sys, const N: usize, S, W: Storage, L> Stepper<S, N> for Bdf<Sys, N, S, W, L>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    L: LinearSolver<S, N>,
{
    crate::stepper::state_accessors!(state: S::Real, S);

    fn step(&mut self) -> Result<(), Error> {
        advance(self)
    }

    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error> {
        self.state.check_in_step(t)?;
        if self.state.t_prev == self.state.t {
            return Ok(self.state.y);
        }
        let h = self.h();
        let mut out = self.d[0];
        let mut p = S::Real::one();
        for j in 1..=self.order {
            let m = S::Real::from_f64((j - 1) as f64);
            p = p * (t - (self.state.t - m * h)) / (S::Real::from_f64(j as f64) * h);
            for i in 0..N {
                out[i] = out[i] + self.d[j][i] * p;
            }
        }
        Ok(out)
    }

    fn dense_terms(&self) -> usize {
        self.order + 1
    }

    fn dense_coefficients(&mut self, out: &mut [[S; N]]) {
        let k = self.order;
        for o in out.iter_mut().take(k + 1) {
            *o = [S::zero(); N];
        }
        if self.state.t_prev == self.state.t {
            out[0] = self.state.y;
            return;
        }
        // x_m = a_m + b_m θ, θ ∈ [0, 1] over [t_prev, t]; P_j = Π_{m<j} x_m in monomials.
        let h = self.h();
        let big_h = self.state.t - self.state.t_prev;
        let mut p = [S::Real::zero(); MAX_ORDER + 2];
        p[0] = S::Real::one();
        out[0] = self.d[0];
        for j in 1..=k {
            let m = S::Real::from_f64((j - 1) as f64);
            let den = S::Real::from_f64(j as f64) * h;
            let (a, b) = ((m * h - big_h) / den, big_h / den);
            // p ← p · (a + b θ)
            for q in (0..=j).rev() {
                let lower = if q > 0 { p[q - 1] } else { S::Real::zero() };
                p[q] = p[q] * a + lower * b;
            }
            for q in 0..=j {
                if p[q].is_zero() {
                    continue;
                }
                for i in 0..N {
                    out[q][i] = out[q][i] + self.d[j][i] * p[q];
                }
            }
        }
    }

    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error> {
        let finished = self.state.restart_at(t, y)?;
        self.t_err = S::Real::zero();
        if finished {
            return Ok(());
        }
        self.start()
    }
}

/// A converged attempt of [`Bdf`].
pub(crate) struct BdfCandidate<S: Scalar, const N: usize> {
    y_new: [S; N],
    /// The Newton correction `y_new − y_predict`.
    d: [S; N],
    /// The error norm and SciPy's safety factor from the iterations.
    error_norm: S::Real,
    safety: S::Real,
}

/// Bdf in the one step loop: SciPy's floor, the last step landed from the grid's exact time,
/// every change of step rescaling the differences.
impl<Sys, const N: usize, S, W: Storage, L> Attempts<S, N> for Bdf<Sys, N, S, W, L>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    L: LinearSolver<S, N>,
{
    type Candidate = BdfCandidate<S, N>;
    const FLOOR: Floor = Floor::Ulps;

    #[inline(always)]
    fn candidate() -> BdfCandidate<S, N> {
        BdfCandidate {
            y_new: [S::zero(); N],
            d: [S::zero(); N],
            error_norm: S::Real::zero(),
            safety: S::Real::zero(),
        }
    }

    #[inline(always)]
    fn state_mut(&mut self) -> &mut StepState<S, N> {
        &mut self.state
    }

    #[inline(always)]
    fn min_step(&self) -> S::Real {
        self.settings.min_step
    }

    /// The step bounded by `max_step`, and raised above the floor.
    fn begin(&mut self) {
        let r = |x: f64| S::Real::from_f64(x);
        let t = self.state.t;
        let spacing = (t.abs() * S::Real::epsilon()).max(S::Real::min_positive_value());
        let min_step = (r(10.0) * spacing).max(self.settings.min_step);
        if self.h_abs > self.settings.max_step {
            let factor = self.settings.max_step / self.h_abs;
            self.rescale(factor);
            self.h_abs = self.settings.max_step;
        } else if self.h_abs < min_step {
            // Raised with a margin over the spacing of floating-point numbers, which grows
            // with t: raised exactly to the floor, the step would fall below the next step's
            // floor again, be raised again, and never grow (the differences are rescaled and
            // the order selection restarted each time).
            let target = (r(20.0) * spacing).max(self.settings.min_step);
            let factor = target / self.h_abs;
            self.rescale(factor);
            self.h_abs = target;
        }
        self.current_jac = Sys::JACOBIAN == JacobianKind::Constant;
        self.non_finite_at = None;
    }

    #[inline(always)]
    fn proposal(&self) -> (S::Real, bool) {
        (self.h_abs, false)
    }

    /// A step that passes the bound is the last one, from the grid's exact time to the bound.
    fn land(&mut self) -> S::Real {
        let t = self.state.t;
        let (t_new, t_new_err) = two_sum(t, self.h_abs * self.state.dir + self.t_err);
        self.t_new = (t_new, t_new_err);
        if self.state.dir * (t_new - self.state.t_bound) > S::Real::zero() {
            let to_bound = ((self.state.t_bound - t) - self.t_err).abs();
            self.rescale(to_bound / self.h_abs);
            self.h_abs = to_bound;
            self.t_new = (self.state.t_bound, S::Real::zero());
        }
        self.h_abs * self.state.dir
    }

    fn attempt(
        &mut self,
        cand: &mut BdfCandidate<S, N>,
        h: S::Real,
    ) -> Result<Result<(), Rejected>, Error> {
        let r = |x: f64| S::Real::from_f64(x);
        let t = self.state.t;
        let t_new = self.t_new.0;
        let order = self.order;
        let mut y_predict = [S::zero(); N];
        for j in 0..=order {
            for i in 0..N {
                y_predict[i] = y_predict[i] + self.d[j][i];
            }
        }
        let alpha_k = r(alpha(order));
        let mut psi = [S::zero(); N];
        for j in 1..=order {
            let g = r(gamma(j)) / alpha_k;
            for i in 0..N {
                psi[i] = psi[i] + self.d[j][i] * g;
            }
        }
        let c = h / alpha_k;
        let BdfCandidate { y_new, d, .. } = cand;
        *y_new = [S::zero(); N];
        *d = [S::zero(); N];
        let mut non_finite_at = self.non_finite_at;
        let mut n_iter = 0usize;
        let mut refactor = false;
        let converged = loop {
            // CVODE's reuse: the factors of `I − c̄ J` stand in for those of `I − c J`.
            let reused = match self.matrix.factored() {
                Some((_, c_bar))
                    if self.settings.reuse_factors
                        && !refactor
                        && self.lu_age < MSBP
                        && c_bar != c
                        && (c / c_bar - S::Real::one()).abs() <= r(DGMAX) =>
                {
                    Some(r(2.0) / (S::Real::one() + c / c_bar))
                }
                _ => None,
            };
            if reused.is_none() && self.factor(c, t).is_err() {
                // A singular iteration matrix: as a failed Newton iteration.
                self.n_singular += 1;
                if self.n_singular >= MAX_SINGULAR {
                    return Err(Error::SingularMatrix { t: t.to_f64() });
                }
                if !self.current_jac {
                    self.current_jac = true;
                    if !self.evaluate_jacobian(t_new, &y_predict, None)? {
                        non_finite_at = Some(t_new);
                        break false;
                    }
                    continue;
                }
                break false;
            }
            if reused.is_none() {
                self.lu_age = 0;
            }
            let correction = reused.unwrap_or_else(S::Real::one);
            let (ok, it) = self.newton(
                t_new,
                &y_predict,
                (c, correction),
                &psi,
                y_new,
                d,
                &mut non_finite_at,
            )?;
            n_iter = it;
            if ok {
                break true;
            }
            if reused.is_some() {
                // The old factors did not do: refactor at this c before anything else.
                refactor = true;
                continue;
            }
            if self.current_jac {
                break false;
            }
            self.current_jac = true;
            if !self.evaluate_jacobian(t_new, &y_predict, None)? {
                non_finite_at = Some(t_new);
                break false;
            }
        };
        self.non_finite_at = non_finite_at;
        if !converged {
            self.h_abs = self.h_abs * r(0.5);
            self.rescale(r(0.5));
            let cause = non_finite_at.map(|t| Error::NonFiniteDerivative { t: t.to_f64() });
            return Ok(Err(Rejected(cause)));
        }
        self.n_singular = 0;
        let safety = BdfControl::safety(n_iter);
        let ec = r(error_const(order));
        let mut err = [S::zero(); N];
        for i in 0..N {
            err[i] = d[i] * ec;
        }
        cand.error_norm = self.tol.norm(&err, &cand.y_new);
        cand.safety = safety;
        Ok(Ok(()))
    }

    fn judge(&mut self, c: &mut BdfCandidate<S, N>, _h: S::Real) -> bool {
        match BdfControl::reject_factor(c.error_norm, self.order, c.safety) {
            Some(factor) => {
                self.h_abs = self.h_abs * factor;
                // The iteration matrix changes with c, so it is refactored.
                self.rescale(factor);
                false
            }
            None => true,
        }
    }

    /// The new point, the differences, the order and step decision, and the derivative of the
    /// interpolant there.
    fn accept(
        &mut self,
        c: &BdfCandidate<S, N>,
        _h: S::Real,
    ) -> Result<Result<(), Rejected>, Error> {
        let r = |x: f64| S::Real::from_f64(x);
        let (t_new, t_new_err) = self.t_new;
        let order = self.order;
        let (y_new, d) = (&c.y_new, &c.d);
        self.state.t_prev = self.state.t;
        self.state.t = t_new;
        self.t_err = t_new_err;
        self.lu_age += 1;
        self.state.y = *y_new;
        self.state.finished = t_new == self.state.t_bound;
        // D_{k+2} = d − D_{k+1}, D_{k+1} = d, D_i += D_{i+1} (i = k..0).
        for i in 0..N {
            self.d[order + 2][i] = d[i] - self.d[order + 1][i];
            self.d[order + 1][i] = d[i];
        }
        for j in (0..=order).rev() {
            for i in 0..N {
                self.d[j][i] = self.d[j][i] + self.d[j + 1][i];
            }
        }
        if self.control.accepted(order) {
            let scale_norm = |v: &[S; N], c: f64| {
                let mut e = [S::zero(); N];
                for i in 0..N {
                    e[i] = v[i] * r(c);
                }
                self.tol.norm(&e, y_new)
            };
            let error_m = if order > 1 {
                scale_norm(&self.d[order], error_const(order - 1))
            } else {
                S::Real::infinity()
            };
            let error_p = if order < MAX_ORDER {
                scale_norm(&self.d[order + 2], error_const(order + 1))
            } else {
                S::Real::infinity()
            };
            let (new_order, factor) =
                self.control
                    .decide(order, [error_m, c.error_norm, error_p], c.safety);
            self.order = new_order;
            self.h_abs = self.h_abs * factor;
            change_d(&mut self.d, self.order, factor);
        }
        // The derivative of the interpolant at t: (1/h) Σ_j ∇^j y / j.
        let h = self.h();
        let mut fdot = [S::zero(); N];
        for j in 1..=self.order {
            let w = S::Real::one() / (r(j as f64) * h);
            for i in 0..N {
                fdot[i] = fdot[i] + self.d[j][i] * w;
            }
        }
        self.state.f = fdot;
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_are_shampine_and_reichelts() {
        // γ_k and the NDF error constants of Shampine & Reichelt (1997), Table 1 and §2.1:
        // α_5 = γ_5 (BDF5), error constant of BDF1 1/2, of NDF1 −0.1850 + 1/2.
        assert!((gamma(3) - 11.0 / 6.0).abs() < 1e-15);
        assert!((alpha(5) - gamma(5)).abs() < 1e-15);
        assert!((error_const(1) - 0.315).abs() < 1e-15);
        assert!((error_const(5) - 1.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn two_sum_keeps_what_rounding_drops() {
        // 1 + 2⁻⁶⁰ rounds to 1; the error term holds the 2⁻⁶⁰, in either order of the terms.
        let tiny = 2f64.powi(-60);
        assert_eq!(two_sum(1.0, tiny), (1.0, tiny));
        assert_eq!(two_sum(tiny, 1.0), (1.0, tiny));
        // A step of 1e-11 at t = 807 (ulp 1.1e-13): s + e is the exact sum, so that
        // (s − t) + e recovers the step to the last bit.
        let (t, h) = (807.0818299500875, 1e-11);
        let (s, e) = two_sum(t, h);
        assert_ne!(s - t, h);
        assert_eq!((s - t) + e, h);
    }

    #[test]
    fn the_constant_u_is_r_of_one() {
        let r = compute_r::<f64>(MAX_ORDER, 1.0);
        assert_eq!(r, super::U);
    }

    #[test]
    fn changing_the_step_reinterpolates_the_differences() {
        // y = t² sampled at t_n = 0 with spacing 1: D0 = 0, D1 = ∇y = 0 − 1 = −1,
        // D2 = ∇²y = 2. Halving the spacing: ∇y = 0 − 1/4, ∇² = 2/4.
        let mut d = [[0.0f64; 1]; MAX_ORDER + 3];
        d[0] = [0.0];
        d[1] = [-1.0];
        d[2] = [2.0];
        change_d(&mut d, 2, 0.5);
        assert!((d[0][0]).abs() < 1e-15);
        assert!((d[1][0] + 0.25).abs() < 1e-15, "{d:?}");
        assert!((d[2][0] - 0.5).abs() < 1e-15, "{d:?}");
    }
}
