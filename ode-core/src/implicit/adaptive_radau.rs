//! Radau IIA of variable order 5, 9 and 13: Hairer & Wanner's RADAU as a stepper.
//!
//! Hairer & Wanner, *Stiff differential equations solved by Radau methods*, J. Comput. Appl.
//! Math. 111 (1999) 93–111, as their code RADAU (version of 2002) implements it. Each step is
//! one of the Radau IIA methods of [`crate::tableau::radau_iia_family`] with `s = 3, 5` or `7`
//! stages (orders 5, 9, 13), integrated exactly as [`Radau5`](super::Radau5) integrates the
//! three-stage one (*Solving ODEs II*, IV.8), with these differences:
//!
//! - **Newton**: the transformed system splits into one real and `(s − 1)/2` complex
//!   `N × N` systems; at most `7 + 5(s − 3)/2` iterations (7, 12, 17); the stopping tolerance
//!   is `FNEWT = max(10 u / rtol', min(0.03, rtol'^{(s−1)/(s+1)}))`.
//! - **Tolerances**, converted per order because the embedded estimate has order `s`:
//!   `rtol' = 0.1 rtol^{(s+1)/(2s)}`, `atol'_i = rtol' atol_i / rtol` (RADAU5's `2/3` for
//!   `s = 3`); the step-size exponent is `1/(s + 1)`.
//! - **Order selection** (the paper's Section 5), each time the iteration matrices are
//!   refactored: with the smoothed contraction rate `Θ̄ = min(10, max(Θ, Θ̄/2))`, the order goes
//!   up (`s → s + 2`) when the last Newton iteration needed more than one step, `Θ̄ ≤ 0.002`
//!   and the step changes by a ratio in `(0.8, 1.2)`; it goes down (`s → s − 2`) when
//!   `Θ̄ ≥ 0.8`, after a diverged or failed iteration, or after the Newton iteration asked to
//!   halve the step; it never goes up within ten refactorisations of a change, and a run of ten
//!   steps reusing the factors forces a new decision. After a change the stages start from zero
//!   and Gustafsson's controller skips a step.
//! - **Dense output**: the collocation polynomial of degree `s` of the last step, in Newton's
//!   divided-difference form over the nodes `1, c_{s−1}, …, c_1, 0`.
//! - **Starting values**: zero on the first step and on every attempt made right after an order
//!   change; otherwise the stored divided differences evaluated with the nodes of the *next*
//!   attempt's order, as RADAU does. The two orders differ only when an order change was
//!   followed by a rejection and a decision that kept the new order: RADAU then reads the old
//!   step's differences with the new order's nodes, and the differences beyond the old degree
//!   are those of the last step taken at the higher order (zero before any). This seeds the
//!   Newton iteration only, never the error control; it is kept because with it a run
//!   reproduces RADAU's counters exactly (the Test Set rows in `tests/stiff_references.rs`:
//!   HIRES, ROBER and VDPOL, step for step). Extrapolating each polynomial with its own nodes
//!   instead measured no better: over HIRES, ROBER and both forms of VDPOL at
//!   `rtol = 1e-5 … 1e-12` with two first steps each (64 runs), 11 runs differ, by 0.98–1.03×
//!   in evaluations, geometric mean 1.000.
//!
//! Failures are those of [`Radau5`](super::Radau5): a singular matrix or a failed Newton
//! iteration halves the step (and lowers the order), five singular matrices in a row end the
//! integration.

use crate::control::Tolerances;
use crate::error::Error;
use crate::integrator::Settings;
#[cfg(feature = "alloc")]
use crate::linalg::Heap;
use crate::linalg::{Inline, Lu, RealComplexLu, Storage};
use crate::scalar::Real;
use crate::stepper::{Stats, Stepper};
use crate::system::{JacobianKind, OdeSystem};
use crate::tableau::radau_iia_family::{RadauStages, MAX_PAIRS, MAX_STAGES};
use num_complex::Complex;

// RADAU5's constants and control states, which RADAU shares (`NIT` is the three-stage
// maximum; RADAU adds `5(s − 3)/2` for more stages).
use super::newton::{NewtonIteration, RadauRule};
use super::radau::{
    error_root, first_attempt, gustafsson_quot, jacobian_at, next_attempt, radau5_differences,
    Faccon, Newton, Start, FACL, FACR, MAX_SINGULAR, NIT, SAFE,
};

/// Raise the order while the smoothed contraction rate is at most this (`VITU`)...
const VITU: f64 = 0.002;
/// ... lower it when the rate reaches this (`VITD`).
const VITD: f64 = 0.8;
/// Raise the order only when the step changes by a ratio in `(HHOD, HHOU)`.
const HHOU: f64 = 1.2;
const HHOD: f64 = 0.8;
/// Refactorisations after an order change before the order may rise again.
const CHANGE_WAIT: u32 = 10;

/// Hairer's RADAU: Radau IIA with 3, 5 or 7 stages (orders 5, 9, 13), the number chosen step
/// by step from the convergence of the Newton iteration.
///
/// At tight tolerances the higher orders take far longer steps than [`Radau5`](super::Radau5)
/// (HIRES: 65 steps against 199 at `rtol = atol = 1e-10`, 72 against 409 at `1e-12`); at
/// loose ones it stays at order 5 and does what `Radau5` does.
/// [`AdaptiveRadau::with_stages`] narrows the range of stages.
///
/// ```
/// use ode_core::{AdaptiveRadau, OdeSystem, Settings, Stepper, Tolerances};
///
/// /// A stiff linear pair: y1' = -1000 (y1 - cos t), y2' = -y2.
/// struct Stiff;
/// impl OdeSystem<2> for Stiff {
///     fn rhs(&self, t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
///         *dy = [-1000.0 * (y[0] - t.cos()), -y[1]];
///     }
/// }
/// let tol = Tolerances::new(1e-12, 1e-14);
/// let mut st = AdaptiveRadau::new(Stiff, 0.0, [1.0, 1.0], 10.0, tol)?;
/// while !st.is_finished() {
///     st.step()?;
/// }
/// assert!((st.y()[1] - (-10.0f64).exp()).abs() < 1e-12);
/// // The order rose above 5 on the way.
/// assert!(st.stages() > 3);
/// # Ok::<(), ode_core::Error>(())
/// ```
///
/// # Size
/// `core::mem::size_of::<AdaptiveRadau<Sys, N>>()` is about `8·N²` reals (the Jacobian, the
/// real and complex factors for 3 stages and the complex factors of the two further pairs of 7
/// stages) plus `O(N)`: 640 kB for `N = 100` in `f64` (`tests/stepper_sizes.rs` checks it).
/// Reuse a large one in place with [`AdaptiveRadau::reset`].
#[derive(Debug, Clone)]
pub struct AdaptiveRadau<Sys, const N: usize, R: Real = f64, W: Storage = Inline> {
    sys: Sys,
    t: R,
    y: [R; N],
    f: [R; N],
    t_prev: R,
    t_bound: R,
    /// ±1.
    dir: R,
    /// The signed size of the next attempt.
    h: R,
    /// The signed size of the last accepted step (zero before the first and after a restart).
    h_old: R,
    /// The method of the next attempt.
    stages: &'static RadauStages,
    /// The fewest and most stages allowed.
    min_stages: usize,
    max_stages: usize,
    /// The method of the last accepted step, whose polynomial `cont` holds.
    dense_stages: &'static RadauStages,
    /// The divided differences `cont[k − 1] = q[x_0, …, x_k]`, `k = 1..s`, of the last step's
    /// increment polynomial over the nodes `x = (1, c_{s−1}, …, c_1, 0)` (RADAU's `CONT`).
    /// Entries past `s` keep the last higher-order step's, which the starting values may read
    /// (see the module docs).
    cont: [[R; N]; MAX_STAGES],
    jac: W::Matrix<R, N>,
    /// Whether `jac` was evaluated at the current point (RADAU's `CALJAC`).
    jac_fresh: bool,
    /// Whether `jac` holds a Jacobian at all.
    jac_valid: bool,
    /// The factors of `(γ/h) I − J` and `((α_1 + iβ_1)/h) I − J`.
    lu: RealComplexLu<R, N, W>,
    /// The factors of `((α_k + iβ_k)/h) I − J`, `k = 2, 3`.
    lu_pairs: [Lu<Complex<R>, N, W>; MAX_PAIRS - 1],
    start: Start,
    /// The user's tolerances, converted per order into `rtol1`, `atol1`.
    rtol: R,
    atol: [R; N],
    rtol1: R,
    atol1: [R; N],
    /// `1 / (atol'_i + rtol' |y_i|)`: the norms multiply instead of dividing.
    inv_scal: [R; N],
    /// The Newton iteration's stopping tolerance for the current order (`FNEWT`).
    fnewt: R,
    faccon: Faccon<R>,
    theta: R,
    /// The smoothed contraction rate of the order selection (`THETAT`).
    theta_smooth: R,
    /// Newton iterations of the last attempt (`NEWT`).
    newt_last: usize,
    /// Refactorisations since the last order change (`ICHAN`).
    since_change: u32,
    /// The last attempt failed in its Newton iteration (`UNEXP`) ...
    failed_newton: bool,
    /// ... or was cut to half or less by it (`UNEXN`).
    cut_newton: bool,
    /// The order changed at the last decision (`CHANGE`).
    changed: bool,
    first: bool,
    reject: bool,
    last: bool,
    /// The step and error of the last accepted step, for Gustafsson's controller.
    gustafsson: Option<(R, R)>,
    n_singular: u32,
    /// The validated tolerances (`rtol` raised to `100 ε` where it was below).
    user_tol: Tolerances<R, N>,
    settings: Settings<R, N>,
    stats: Stats,
    finished: bool,
}

impl<Sys, const N: usize, R> AdaptiveRadau<Sys, N, R>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` with 3 to 7 stages,
    /// starting with 3. Costs one evaluation of `f`, two without a `first_step`.
    ///
    /// The settings' `controller` is not used: the method has its own (see the module docs).
    pub fn new(
        sys: Sys,
        t0: R,
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<Self, Error> {
        Self::with_stages(sys, t0, y0, t_bound, settings, 3, 7)
    }

    /// As [`AdaptiveRadau::new`] with the stages limited to `min_stages ..= max_stages`
    /// (each 3, 5 or 7; RADAU's `NSMIN`, `NSMAX`); the first step uses `min_stages`.
    /// `with_stages(.., 3, 3)` is RADAU5's method, `with_stages(.., 7, 7)` a fixed order 13.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for other stage counts or `min_stages > max_stages`, and the
    /// errors of [`AdaptiveRadau::new`].
    pub fn with_stages(
        sys: Sys,
        t0: R,
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
        min_stages: usize,
        max_stages: usize,
    ) -> Result<Self, Error> {
        Self::with_stages_in(sys, t0, y0, t_bound, settings, min_stages, max_stages)
    }
}

#[cfg(feature = "alloc")]
impl<Sys, const N: usize, R> AdaptiveRadau<Sys, N, R, Heap>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    /// As [`AdaptiveRadau::new`], in a box, with each `N × N` matrix in a box of its own: as
    /// [`crate::Radau5::boxed`], what `solve_ivp` uses.
    pub fn boxed(
        sys: Sys,
        t0: R,
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        let mut st = alloc::boxed::Box::new(Self::unstarted(sys, settings.into(), 3, 7));
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }
}

impl<Sys, const N: usize, R, W> AdaptiveRadau<Sys, N, R, W>
where
    Sys: OdeSystem<N, R>,
    R: Real,
    W: Storage,
{
    /// [`AdaptiveRadau::with_stages`] with the matrices in the storage `W`.
    #[allow(clippy::too_many_arguments)]
    pub fn with_stages_in(
        sys: Sys,
        t0: R,
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
        min_stages: usize,
        max_stages: usize,
    ) -> Result<Self, Error> {
        let valid = |s: usize| matches!(s, 3 | 5 | 7);
        if !valid(min_stages) || !valid(max_stages) || min_stages > max_stages {
            return Err(Error::InvalidOption {
                what: "Radau stages must be 3, 5 or 7, with min_stages <= max_stages",
            });
        }
        // Built whole before anything else is checked, then started in place by a call
        // that is never inlined (see [`crate::Radau5::reset`] for why).
        let mut st = Self::unstarted(sys, settings.into(), min_stages, max_stages);
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }

    /// A stepper holding `sys` and `settings` that has not started: every work area zero,
    /// nothing checked. [`AdaptiveRadau::reset`] starts it.
    fn unstarted(sys: Sys, settings: Settings<R, N>, min_stages: usize, max_stages: usize) -> Self {
        let stages = RadauStages::with_stages(min_stages);
        AdaptiveRadau {
            sys,
            t: R::zero(),
            y: [R::zero(); N],
            f: [R::zero(); N],
            t_prev: R::zero(),
            t_bound: R::zero(),
            dir: R::one(),
            h: R::zero(),
            h_old: R::zero(),
            stages,
            min_stages,
            max_stages,
            dense_stages: stages,
            cont: [[R::zero(); N]; MAX_STAGES],
            jac: W::matrix(R::zero()),
            jac_fresh: false,
            jac_valid: false,
            lu: RealComplexLu::zeroed(),
            lu_pairs: core::array::from_fn(|_| Lu::zeroed()),
            start: Start::Jacobian,
            rtol: R::zero(),
            atol: [R::zero(); N],
            rtol1: R::zero(),
            atol1: [R::zero(); N],
            inv_scal: [R::zero(); N],
            fnewt: R::zero(),
            faccon: Faccon::new(),
            theta: R::zero(),
            theta_smooth: R::zero(),
            newt_last: 0,
            since_change: 0,
            failed_newton: false,
            cut_newton: false,
            changed: false,
            first: true,
            reject: false,
            last: false,
            gustafsson: None,
            n_singular: 0,
            user_tol: settings.tol,
            settings,
            stats: Stats::default(),
            finished: true,
        }
    }

    /// Starts a new integration from `(t0, y0)` towards `t_bound` in place, with the system,
    /// settings and stage limits the stepper was made with, from `min_stages`; the counters
    /// start again from zero. As [`crate::Radau5::reset`]: a stepper placed once in a
    /// `static` or a `Box` is reused without passing through the stack.
    #[inline(never)]
    pub fn reset(&mut self, t0: R, y0: [R; N], t_bound: R) -> Result<(), Error> {
        let (tol, raised) = self.settings.start_checks(t0, &y0, t_bound)?;
        super::refuse_zero_atol(&tol)?;
        for i in 0..N {
            self.atol[i] = tol.atol(i);
        }
        self.rtol = tol.rtol();
        self.user_tol = tol;
        self.stages = RadauStages::with_stages(self.min_stages);
        self.dense_stages = self.stages;
        self.t = t0;
        self.y = y0;
        self.t_prev = t0;
        self.t_bound = t_bound;
        self.dir = if t_bound < t0 { -R::one() } else { R::one() };
        self.h = R::zero();
        self.h_old = R::zero();
        self.cont = [[R::zero(); N]; MAX_STAGES];
        self.jac_fresh = false;
        self.jac_valid = false;
        self.theta = R::zero();
        self.theta_smooth = R::zero();
        self.newt_last = 0;
        self.since_change = 0;
        self.failed_newton = false;
        self.cut_newton = false;
        self.changed = false;
        self.n_singular = 0;
        self.stats = Stats {
            rtol_raised: raised,
            ..Stats::default()
        };
        self.finished = t0 == t_bound;
        self.convert_tolerances();
        if self.finished {
            return Ok(());
        }
        self.eval_start()
    }

    /// The system being integrated.
    pub fn system(&self) -> &Sys {
        &self.sys
    }

    /// Where the Newton iterations' Jacobian comes from.
    pub fn jacobian_kind(&self) -> JacobianKind {
        Sys::JACOBIAN
    }

    /// The number of stages of the next attempt (3, 5 or 7; the order is `2s − 1`).
    pub fn stages(&self) -> usize {
        self.stages.s
    }

    /// `rtol' = 0.1 rtol^{(s+1)/(2s)}`, `atol'_i = rtol' atol_i / rtol` and the Newton
    /// tolerance `FNEWT = max(10 u / rtol', min(0.03, rtol'^{(s−1)/(s+1)}))` for the current `s`.
    fn convert_tolerances(&mut self) {
        let c = |x: f64| R::from_f64(x);
        let s = self.stages.s as f64;
        self.rtol1 = c(0.1) * self.rtol.powf(c((s + 1.0) / (2.0 * s)));
        for i in 0..N {
            self.atol1[i] = self.rtol1 * self.atol[i] / self.rtol;
        }
        let newton_tol = self.rtol1.powf(c((s - 1.0) / (s + 1.0)));
        self.fnewt = (c(10.0) * R::epsilon() / self.rtol1).max(c(0.03).min(newton_tol));
    }

    /// Evaluates `f` at the current point, sets the error weights and chooses the first step:
    /// the start of an integration, or of a restart.
    fn eval_start(&mut self) -> Result<(), Error> {
        let next = first_attempt(
            &self.sys,
            (self.t, &self.y, self.t_bound, self.dir),
            &mut self.f,
            (
                self.settings.first_step,
                self.settings.max_step,
                self.stages.s as u32 + 1,
                &self.user_tol,
            ),
            (&mut self.stats, self.settings.max_nfev),
            self.jac_valid,
        )?;
        self.set_scal();
        self.h = next.h;
        self.last = next.last;
        self.start = next.start;
        self.first = true;
        self.reject = false;
        self.faccon = Faccon::new();
        // RADAU starts with Θ = 0: the first order decision sees no contraction.
        self.theta = R::zero();
        self.gustafsson = None;
        self.h_old = R::zero();
        self.jac_fresh = false;
        Ok(())
    }

    fn set_scal(&mut self) {
        for i in 0..N {
            self.inv_scal[i] = R::one() / (self.atol1[i] + self.rtol1 * self.y[i].abs());
        }
    }

    fn budget(&self, n: usize) -> Result<(), Error> {
        super::budget(&self.stats, self.settings.max_nfev, n)
    }

    /// Evaluates the Jacobian at the current point.
    fn evaluate_jacobian(&mut self) -> Result<(), Error> {
        jacobian_at(
            &self.sys,
            (self.t, &self.y, &self.f),
            &mut self.jac,
            &mut self.jac_valid,
            &mut self.stats,
            self.settings.max_nfev,
        )?;
        self.jac_fresh = true;
        Ok(())
    }

    /// The order decision taken before every factorisation (RADAU's label 20).
    fn select_order(&mut self) {
        if self.min_stages == self.max_stages {
            return;
        }
        let c = |x: f64| R::from_f64(x);
        let s = self.stages.s;
        let mut s_new = s;
        self.since_change += 1;
        let hquot = if self.h_old.is_zero() {
            R::one()
        } else {
            self.h / self.h_old
        };
        self.theta_smooth = c(10.0).min(self.theta.max(self.theta_smooth * c(0.5)));
        if self.newt_last > 1 && self.theta_smooth <= c(VITU) && hquot < c(HHOU) && hquot > c(HHOD)
        {
            s_new = self.max_stages.min(s + 2);
        }
        if self.theta_smooth >= c(VITD) || self.failed_newton || self.cut_newton {
            s_new = self.min_stages.max(s - 2);
        }
        if self.since_change <= CHANGE_WAIT {
            s_new = s_new.min(s);
        }
        self.changed = s_new != s;
        self.failed_newton = false;
        self.cut_newton = false;
        if self.changed {
            self.stages = RadauStages::with_stages(s_new);
            self.since_change = 1;
            self.convert_tolerances();
            self.set_scal();
        }
    }

    /// Factors `(γ/h) I − J` and `((α_k + iβ_k)/h) I − J` for the current method.
    fn factor(&mut self) -> bool {
        let st = self.stages;
        let h = self.h;
        let fac1 = R::from_f64(st.gamma) / h;
        let alphn = R::from_f64(st.alpha[0]) / h;
        let betan = R::from_f64(st.beta[0]) / h;
        self.stats.nlu += 1;
        let jac = &self.jac;
        let ok = self
            .lu
            .factor_with(|i, j| {
                let m = -jac[i][j];
                if i == j {
                    (fac1 + m, Complex::new(alphn + m, betan))
                } else {
                    (m, Complex::new(m, R::zero()))
                }
            })
            .is_ok();
        if !ok {
            return false;
        }
        for k in 1..st.pairs() {
            let shift = Complex::new(R::from_f64(st.alpha[k]) / h, R::from_f64(st.beta[k]) / h);
            let lu = &mut self.lu_pairs[k - 1];
            let a = lu.matrix_mut();
            for i in 0..N {
                for j in 0..N {
                    a[i][j] = Complex::new(-jac[i][j], R::zero());
                }
                a[i][i] = a[i][i] + shift;
            }
            if lu.refactor().is_err() {
                return false;
            }
        }
        true
    }

    /// `q(1 + σ) = p(1 + σ) − y`: the last step's increment polynomial continued to
    /// `t + σ h_old`, component `i`.
    fn extrapolate(&self, sigma: R, i: usize) -> R {
        self.extrapolate_with(self.dense_stages, sigma, i)
    }

    /// `cont`'s first `st.s` differences evaluated at `1 + σ` with the nodes of `st`, minus
    /// the value at 1: [`Self::extrapolate`] when `st` is the last step's method.
    #[inline]
    fn extrapolate_with(&self, ds: &RadauStages, sigma: R, i: usize) -> R {
        let s = ds.s;
        let mut val = self.cont[s - 1][i];
        for k in (1..s).rev() {
            let node_m1 = R::from_f64(ds.nodes[k] - 1.0);
            val = self.cont[k - 1][i] + (sigma - node_m1) * val;
        }
        sigma * val
    }

    /// Starting values of the Newton iteration: the stage increments `z` and their transforms
    /// `w = T⁻¹ z` of the `S`-stage method, extrapolated with its own nodes as RADAU does
    /// (module docs).
    fn starting_values<const S: usize>(
        &self,
        z: &mut [[R; N]; MAX_STAGES],
        w: &mut [[R; N]; MAX_STAGES],
    ) {
        let st = self.stages;
        debug_assert_eq!(st.s, S);
        if self.first || self.changed || self.h_old.is_zero() {
            for k in 0..S {
                z[k] = [R::zero(); N];
                w[k] = [R::zero(); N];
            }
            return;
        }
        let c = |x: f64| R::from_f64(x);
        let hquot = self.h / self.h_old;
        for k in 0..S {
            let sigma = c(st.c[k]) * hquot;
            for i in 0..N {
                z[k][i] = self.extrapolate_with(st, sigma, i);
            }
        }
        for i in 0..N {
            for k in 0..S {
                let mut acc = R::zero();
                for j in 0..S {
                    acc = acc + c(st.ti[k][j]) * z[j][i];
                }
                w[k][i] = acc;
            }
        }
    }

    /// One attempt's Newton iteration from its starting values, for the `S`-stage method.
    #[inline]
    fn attempt<const S: usize>(
        &mut self,
        z: &mut [[R; N]; MAX_STAGES],
        w: &mut [[R; N]; MAX_STAGES],
        non_finite_at: &mut Option<R>,
    ) -> Result<Newton, Error> {
        self.starting_values::<S>(z, w);
        self.newton::<S>(z, w, non_finite_at)
    }

    /// The simplified Newton iteration for the stages of the step `h` from `(t, y)`, with the
    /// current method's `S` stages as a constant (the stage loops unroll).
    fn newton<const S: usize>(
        &mut self,
        z: &mut [[R; N]; MAX_STAGES],
        w: &mut [[R; N]; MAX_STAGES],
        non_finite_at: &mut Option<R>,
    ) -> Result<Newton, Error> {
        let c = |x: f64| R::from_f64(x);
        let st = self.stages;
        debug_assert_eq!(st.s, S);
        let (s, pairs) = (S, (S - 1) / 2);
        let nit = NIT + 5 * (s - 3) / 2;
        let h = self.h;
        let fac1 = c(st.gamma) / h;
        let mut alphn = [R::zero(); MAX_PAIRS];
        let mut betan = [R::zero(); MAX_PAIRS];
        for k in 0..pairs {
            alphn[k] = c(st.alpha[k]) / h;
            betan[k] = c(st.beta[k]) / h;
        }
        let rule = RadauRule::new(&mut self.faccon, &mut self.theta, self.fnewt, nit);
        let mut it = NewtonIteration::new(rule, nit);
        let denom = R::from_f64((s * N).max(1) as f64);
        let outcome = loop {
            if let Err(failed) = it.next() {
                break failed;
            }
            super::budget(&self.stats, self.settings.max_nfev, s)?;
            // f at the stages.
            let mut fz = [[R::zero(); N]; S];
            let mut arg = [R::zero(); N];
            for k in 0..s {
                for i in 0..N {
                    arg[i] = self.y[i] + z[k][i];
                }
                self.sys.rhs(self.t + c(st.c[k]) * h, &arg, &mut fz[k]);
            }
            self.stats.nfev += s;
            // A non-finite value of f reaches the norm below through the solves (as in
            // Radau5's iteration), which test it.
            // Right-hand sides of the transformed systems: T⁻¹ F − Λ W.
            let mut r = [[R::zero(); N]; S];
            for i in 0..N {
                for (k, rk) in r.iter_mut().enumerate() {
                    let mut acc = R::zero();
                    for (j, fj) in fz.iter().enumerate() {
                        acc = acc + c(st.ti[k][j]) * fj[i];
                    }
                    rk[i] = acc;
                }
                r[0][i] = r[0][i] - w[0][i] * fac1;
                for k in 0..pairs {
                    let (re, im) = (2 * k + 1, 2 * k + 2);
                    let (s2, s3) = (-w[re][i], -w[im][i]);
                    r[re][i] = r[re][i] + s2 * alphn[k] - s3 * betan[k];
                    r[im][i] = r[im][i] + s3 * alphn[k] + s2 * betan[k];
                }
            }
            {
                let (head, rest) = r.split_at_mut(3);
                let [r0, r1, r2] = head else {
                    unreachable!("at least three stages")
                };
                self.lu.solve(r0, r1, r2);
                for k in 1..pairs {
                    let (re, im) = (2 * k - 2, 2 * k - 1);
                    let mut b = [Complex::new(R::zero(), R::zero()); N];
                    for i in 0..N {
                        b[i] = Complex::new(rest[re][i], rest[im][i]);
                    }
                    self.lu_pairs[k - 1].solve(&mut b);
                    for i in 0..N {
                        rest[re][i] = b[i].re;
                        rest[im][i] = b[i].im;
                    }
                }
            }
            self.newt_last = it.iterations() + 1;
            let mut sum = R::zero();
            for i in 0..N {
                let sc = self.inv_scal[i];
                for rk in r.iter() {
                    let d = rk[i] * sc;
                    sum = sum + d * d;
                }
            }
            let dyno = (sum / denom).sqrt();
            if !dyno.is_finite() {
                *non_finite_at = Some(self.t + h);
            }
            if let Some(stop) = it.corrected(dyno) {
                break stop;
            }
            // W += ΔW, Z = T W; T's last row is (T_s1, 1, 0, 1, 0, …).
            for i in 0..N {
                for k in 0..s {
                    w[k][i] = w[k][i] + r[k][i];
                }
                for (k, zk) in z.iter_mut().enumerate().take(s - 1) {
                    let mut acc = R::zero();
                    for (j, wj) in w.iter().enumerate().take(s) {
                        acc = acc + c(st.t[k][j]) * wj[i];
                    }
                    zk[i] = acc;
                }
                let mut last = c(st.t[s - 1][0]) * w[0][i];
                for k in 0..pairs {
                    last = last + w[2 * k + 1][i];
                }
                z[s - 1][i] = last;
            }
            if let Some(done) = it.applied(dyno) {
                break done;
            }
        };
        Ok(it.count(outcome, &mut self.stats))
    }

    /// The error estimate of the step with stage increments `z` (the paper's Section 4; the
    /// form of eqs. (8.20)–(8.21) of *Solving ODEs II*, IV.8).
    fn error_estimate(&mut self, z: &[[R; N]; MAX_STAGES]) -> Result<R, Error> {
        let c = |x: f64| R::from_f64(x);
        let st = self.stages;
        let h = self.h;
        let mut f2 = [R::zero(); N];
        let mut e = [R::zero(); N];
        for i in 0..N {
            let mut acc = R::zero();
            for (k, zk) in z.iter().enumerate().take(st.s) {
                acc = acc + c(st.dd[k]) * zk[i];
            }
            f2[i] = acc / h;
            e[i] = f2[i] + self.f[i];
        }
        self.lu.solve_real(&mut e);
        let norm = |e: &[R; N], inv_scal: &[R; N]| {
            let mut s = R::zero();
            for i in 0..N {
                let r = e[i] * inv_scal[i];
                s = s + r * r;
            }
            (s / R::from_f64(N.max(1) as f64)).sqrt().max(c(1e-10))
        };
        let mut err = norm(&e, &self.inv_scal);
        if err >= R::one() && (self.first || self.reject) {
            self.budget(1)?;
            let mut arg = [R::zero(); N];
            for i in 0..N {
                arg[i] = self.y[i] + e[i];
            }
            let mut f1 = [R::zero(); N];
            self.sys.rhs(self.t, &arg, &mut f1);
            self.stats.nfev += 1;
            for i in 0..N {
                e[i] = f1[i] + f2[i];
            }
            self.lu.solve_real(&mut e);
            err = norm(&e, &self.inv_scal);
        }
        Ok(err)
    }

    /// The divided differences of the accepted step's increment polynomial, `q(0) = 0`,
    /// `q(c_k) = z_k`, over the nodes `(1, c_{s−1}, …, c_1, 0)`, into `cont`: RADAU5's
    /// operations for three stages, RADAU's (multiplying by the reciprocal gaps) for more.
    fn store_polynomial<const S: usize>(&mut self, z: &[[R; N]; MAX_STAGES]) {
        let st = self.stages;
        debug_assert_eq!(st.s, S);
        let c = |x: f64| R::from_f64(x);
        if S == 3 {
            for i in 0..N {
                let [d1, d2, d3] = radau5_differences(z[0][i], z[1][i], z[2][i]);
                self.cont[0][i] = d1;
                self.cont[1][i] = d2;
                self.cont[2][i] = d3;
            }
        } else {
            let r = &st.recip_gaps;
            for i in 0..N {
                // d[k] = q[x_{k−1}, x_k], then the higher differences in place.
                let mut d = [R::zero(); MAX_STAGES + 1];
                d[S] = z[0][i] / c(st.c[0]);
                for k in 1..S {
                    d[k] = (z[S - k - 1][i] - z[S - k][i]) * c(r[1][k]);
                }
                for j in 2..=S {
                    for k in (j..=S).rev() {
                        d[k] = (d[k] - d[k - 1]) * c(r[j][k]);
                    }
                }
                for k in 1..=S {
                    self.cont[k - 1][i] = d[k];
                }
            }
        }
        self.dense_stages = st;
    }

    /// After a failed attempt: `h ← factor · h`, and the next attempt starts from a fresh
    /// factorisation (with the Jacobian held if it is current).
    fn retry(&mut self, factor: R) {
        self.h = self.h * factor;
        self.reject = true;
        self.last = false;
        self.stats.n_rejected += 1;
        self.start = if self.jac_fresh {
            Start::Factor
        } else {
            Start::Jacobian
        };
    }
}

impl<Sys, const N: usize, R, W: Storage> Stepper<R, N> for AdaptiveRadau<Sys, N, R, W>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    super::implicit_accessors!(R, R);

    #[inline]
    fn f(&self) -> &[R; N] {
        &self.f
    }

    fn step(&mut self) -> Result<(), Error> {
        if self.finished {
            return Err(Error::Finished { t: self.t.to_f64() });
        }
        let c = |x: f64| R::from_f64(x);
        let mut non_finite_at: Option<R> = None;
        let mut z = [[R::zero(); N]; MAX_STAGES];
        let mut w = [[R::zero(); N]; MAX_STAGES];
        // RADAU's label 30: a long run on kept factors at less than the top order forces a
        // new order decision.
        if self.start == Start::Reuse && self.min_stages < self.max_stages {
            self.since_change += 1;
            if self.since_change >= CHANGE_WAIT && self.stages.s < self.max_stages {
                self.start = Start::Factor;
            }
        }
        loop {
            let h_abs = self.h.abs();
            let spacing = self.t.abs() * R::epsilon();
            let forced = self.last && h_abs > R::zero();
            if h_abs.is_nan()
                || (!forced && (c(0.1) * h_abs <= spacing || h_abs < self.settings.min_step))
            {
                return Err(match non_finite_at {
                    Some(t) => Error::NonFiniteDerivative { t: t.to_f64() },
                    None => Error::StepSizeTooSmall {
                        t: self.t.to_f64(),
                        h: h_abs.to_f64(),
                    },
                });
            }
            if self.start == Start::Jacobian {
                self.evaluate_jacobian()?;
            }
            if self.start != Start::Reuse {
                self.select_order();
                if !self.factor() {
                    self.failed_newton = true;
                    self.n_singular += 1;
                    if self.n_singular >= MAX_SINGULAR {
                        return Err(Error::SingularMatrix { t: self.t.to_f64() });
                    }
                    self.retry(c(0.5));
                    continue;
                }
            }
            let outcome = match self.stages.s {
                3 => self.attempt::<3>(&mut z, &mut w, &mut non_finite_at)?,
                5 => self.attempt::<5>(&mut z, &mut w, &mut non_finite_at)?,
                _ => self.attempt::<7>(&mut z, &mut w, &mut non_finite_at)?,
            };
            let newt = match outcome {
                Newton::Converged(n) => n,
                Newton::Shrink(f) => {
                    if f <= 0.5 {
                        self.cut_newton = true;
                    }
                    self.retry(c(f));
                    continue;
                }
                Newton::Failed => {
                    self.failed_newton = true;
                    self.retry(c(0.5));
                    continue;
                }
            };
            let err = self.error_estimate(&z)?;
            if !err.is_finite() {
                non_finite_at = Some(self.t + self.h);
                self.retry(c(0.5));
                continue;
            }
            let s = self.stages.s;
            let nit = NIT + 5 * (s - 3) / 2;
            let fac = c(SAFE)
                .min(c(SAFE * (1.0 + 2.0 * nit as f64)) / R::from_f64((newt + 2 * nit) as f64));
            let mut quot = c(FACR).max(c(FACL).min(error_root(err, s) / fac));
            let mut h_new = self.h / quot;
            if err >= R::one() {
                if self.first {
                    self.retry(c(0.1));
                } else {
                    let r = h_new / self.h;
                    self.retry(r);
                }
                continue;
            }
            let mut y_new = self.y;
            for i in 0..N {
                y_new[i] = y_new[i] + z[s - 1][i];
            }
            let t_new = if self.last {
                self.t_bound
            } else {
                self.t + self.h
            };
            self.budget(1)?;
            let mut f_new = [R::zero(); N];
            self.sys.rhs(t_new, &y_new, &mut f_new);
            self.stats.nfev += 1;
            if f_new.iter().any(|v| !v.is_finite()) || y_new.iter().any(|v| !v.is_finite()) {
                non_finite_at = Some(t_new);
                self.retry(c(0.5));
                continue;
            }
            // Gustafsson's predictive controller, skipped on the step after an order change.
            if !self.changed {
                if let Some(previous) = self.gustafsson {
                    quot = gustafsson_quot(quot, previous, self.h, err, s);
                    h_new = self.h / quot;
                }
                self.gustafsson = Some((self.h, err.max(c(1e-2))));
            }
            self.first = false;
            self.n_singular = 0;
            self.stats.n_accepted += 1;
            match s {
                3 => self.store_polynomial::<3>(&z),
                5 => self.store_polynomial::<5>(&z),
                _ => self.store_polynomial::<7>(&z),
            }
            self.t_prev = self.t;
            self.t = t_new;
            self.y = y_new;
            self.f = f_new;
            self.h_old = self.h;
            self.jac_fresh = Sys::JACOBIAN == JacobianKind::Constant;
            self.set_scal();
            if self.last {
                self.finished = true;
                return Ok(());
            }
            let next = next_attempt(
                (self.t, self.t_bound, self.dir),
                self.h,
                h_new,
                self.reject,
                self.theta,
                self.settings.max_step,
                Sys::JACOBIAN == JacobianKind::Constant,
            );
            self.reject = false;
            self.h = next.h;
            self.last = next.last;
            self.start = next.start;
            return Ok(());
        }
    }

    fn dense(&mut self, t: R) -> Result<[R; N], Error> {
        self.check_in_step(t)?;
        if self.h_old.is_zero() {
            return Ok(self.y);
        }
        let sigma = (t - self.t) / self.h_old;
        let mut out = self.y;
        for (i, o) in out.iter_mut().enumerate() {
            *o = *o + self.extrapolate(sigma, i);
        }
        Ok(out)
    }

    fn dense_terms(&self) -> usize {
        self.dense_stages.s + 1
    }

    fn dense_coefficients(&mut self, out: &mut [[R; N]]) {
        // p(θ) = y + q(θ), q in Newton form over x = (1, c_{s−1}, …, c_1, 0); expanded into
        // powers of θ by Horner's rule on coefficient vectors.
        let ds = self.dense_stages;
        let s = ds.s;
        let terms = s + 1;
        for o in out.iter_mut().take(terms) {
            *o = [R::zero(); N];
        }
        if self.h_old.is_zero() {
            out[0] = self.y;
            return;
        }
        let node = |k: usize| R::from_f64(ds.nodes[k]);
        for i in 0..N {
            // poly(θ) = cont[s−1]; then poly ← poly·(θ − x_k) + cont[k−1], k = s−1..1;
            // finally q = poly·(θ − x_0).
            let mut p = [R::zero(); MAX_STAGES + 1];
            p[0] = self.cont[s - 1][i];
            let mut deg = 0;
            for k in (0..s).rev() {
                // Multiply by (θ − x_k).
                let xk = node(k);
                deg += 1;
                for d in (1..=deg).rev() {
                    p[d] = p[d - 1] - xk * p[d];
                }
                p[0] = -xk * p[0];
                if k > 0 {
                    p[0] = p[0] + self.cont[k - 1][i];
                }
            }
            for (d, o) in out.iter_mut().enumerate().take(terms) {
                o[i] = p[d];
            }
            out[0][i] = out[0][i] + self.y[i];
        }
    }

    fn restart(&mut self, t: R, y: [R; N]) -> Result<(), Error> {
        if self.check_in_step(t).is_err() || y.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidRestart { t: t.to_f64() });
        }
        self.t = t;
        self.t_prev = t;
        self.y = y;
        self.finished = t == self.t_bound;
        self.h_old = R::zero();
        // A restart is a new integration: no stale differences.
        self.cont = [[R::zero(); N]; MAX_STAGES];
        if self.finished {
            return Ok(());
        }
        self.eval_start()
    }
}

impl<Sys, const N: usize, R: Real, W: Storage> AdaptiveRadau<Sys, N, R, W> {
    fn check_in_step(&self, t: R) -> Result<(), Error> {
        crate::integrator::in_step(self.t_prev, self.t, t)
    }
}
