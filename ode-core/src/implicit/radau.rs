//! Radau IIA with 3, 5 or 7 stages (orders 5, 9, 13): Hairer & Wanner's RADAU5 and RADAU as one
//! stepper, [`RadauIIA`], with the aliases [`Radau5`] (three stages) and [`AdaptiveRadau`] (up to
//! seven, chosen step by step).
//!
//! The three-stage method is the algorithm of *Solving ODEs II* (2nd ed.), IV.8, as RADAU5 (1996)
//! codes it; five and seven stages follow Hairer & Wanner, *Stiff differential equations solved
//! by Radau methods*, J. Comput. Appl. Math. 111 (1999) 93–111, as their code RADAU (version of
//! 2002) implements it, which integrates every stage count as RADAU5 integrates three:
//!
//! - **Simplified Newton** on the stage increments `Z = (z_1, …, z_s)`, `z_i ≈ y(t + c_i h) − y`,
//!   transformed by `T⁻¹` ([`crate::tableau::radau_iia_family`]): every iteration solves one real
//!   system with `(γ/h) I − J` and `(s − 1)/2` complex ones with `((α_k + iβ_k)/h) I − J`
//!   (eq. (8.16)); `s` evaluations of `f` an iteration, at most `7 + 5(s − 3)/2` iterations
//!   (RADAU5's `NIT` = 7 for three stages). The iteration's control is
//!   [`RadauRule`](super::newton::RadauRule): the contraction rate `Θ` (eqs. (8.9)–(8.11)), the
//!   stopping test `Θ/(1 − Θ) ‖ΔZ‖ ≤ κ Tol` (`FNEWT`), and an early shrink of the step when it
//!   would not converge in the iterations left.
//! - **Starting values** from the previous step's collocation polynomial (eq. (8.13)), zeros at
//!   the first step, after a restart and on an attempt right after an order change.
//! - **Reuse.** The Jacobian is kept after an accepted step when the last `Θ` was below
//!   `0.001`; the factorisations are kept too when the new step differs from the old by a
//!   ratio in `[1, 1.2]` (RADAU5's `THET`, `QUOT1`, `QUOT2`).
//! - **Error estimate** `err = (γ0 h)(I − γ0 h J)⁻¹ (f(t, y) + Σ e_k z_k / h)` (eq. (8.20); the
//!   paper's Section 4 for more stages), filtered through the real factorisation; on the first
//!   step and after a rejection, when it is above one, replaced by the estimate with one more
//!   evaluation of `f` (eq. (8.21)).
//! - **Tolerances**, converted because the embedded estimate has order `s` while the solution
//!   has order `2s − 1`: `rtol' = 0.1 rtol^{(s+1)/(2s)}` (RADAU5's `2/3`), `atol'_i = rtol' atol_i
//!   / rtol`, `FNEWT = max(10 u / rtol', min(0.03, rtol'^{(s−1)/(s+1)}))`; the achieved error then
//!   follows `rtol`. The error weights are `atol'_i + rtol' |y_i|` at the start of the step.
//! - **Step size**: `h_new = h · fac · err^{−1/(s+1)}`, `fac = min(0.9, 0.9 (2 NIT + 1)/(newt +
//!   2 NIT))`, ratio bounds `[0.2, 8]`, and Gustafsson's predictive controller (eq. (8.25)) after
//!   the first accepted step (skipped on the step after an order change).
//! - **Order selection** (the paper's Section 5; [`AdaptiveRadau`] only), each time the
//!   iteration matrices are refactored: with the smoothed contraction rate `Θ̄ = min(10, max(Θ,
//!   Θ̄/2))`, the order goes up (`s → s + 2`) when the last Newton iteration needed more than one
//!   step, `Θ̄ ≤ 0.002` and the step changes by a ratio in `(0.8, 1.2)`; it goes down (`s → s −
//!   2`) when `Θ̄ ≥ 0.8`, after a diverged or failed iteration, or after the Newton iteration
//!   asked to halve the step; it never goes up within ten refactorisations of a change, and a
//!   run of ten steps reusing the factors forces a new decision.
//! - **Dense output**: the collocation polynomial of degree `s` of the last step, in Newton's
//!   divided-difference form over the nodes `1, c_{s−1}, …, c_1, 0` (RADAU's `CONT`).
//!
//! Three-stage steps take RADAU5's operations, as RADAU's own three-stage routines do, so a
//! [`Radau5`] run and a three-stage [`AdaptiveRadau`] run are the same bit for bit. Starting
//! values after an order change followed by a rejection and a decision that kept the new order:
//! RADAU then reads the old step's differences with the new order's nodes (the differences
//! beyond the old degree are those of the last step taken at the higher order, zero before
//! any). This seeds the Newton iteration only, never the error control; it is kept because with
//! it a run reproduces RADAU's counters exactly (the Test Set rows in
//! `tests/stiff_references.rs`: HIRES, ROBER and VDPOL, step for step). Extrapolating each
//! polynomial with its own nodes instead measured no better: over HIRES, ROBER and both forms
//! of VDPOL at `rtol = 1e-5 … 1e-12` with two first steps each (64 runs), 11 runs differ, by
//! 0.98–1.03× in evaluations, geometric mean 1.000.
//!
//! Failures: a singular iteration matrix or a diverging Newton iteration halves the step (and
//! lowers the order); five singular matrices in a row end the integration
//! ([`Error::SingularMatrix`]); a step below the spacing of floating-point numbers at `t` is
//! [`Error::StepSizeTooSmall`] (or [`Error::NonFiniteDerivative`] when non-finite values of `f`
//! drove it there).

use super::controllers::{RadauOrderControl, RadauStepControl, Verdict};
use super::iteration::HeldJacobian;
pub(super) use super::newton::Newton;
use super::newton::{NewtonIteration, RadauRule};
use super::radau_solver::{DenseRadauLu, RadauSolver};
use crate::control::{initial_step, Tolerances};
use crate::error::Error;
use crate::integrator::{advance, Attempts, Floor, Rejected, Settings, StepState};
#[cfg(feature = "alloc")]
use crate::linalg::Heap;
use crate::linalg::Inline;
use crate::scalar::{Real, Scalar};
use crate::stepper::{Stats, Stepper};
use crate::system::{JacobianKind, OdeSystem};
use crate::tableau::radau_iia as tab;
use crate::tableau::radau_iia_family::{RadauStages, MAX_PAIRS, MAX_STAGES};
use num_complex::Complex;

/// Most Newton iterations per three-stage attempt (RADAU5's `NIT`); RADAU adds `5(s − 3)/2`.
pub(super) const NIT: usize = 7;
/// Keep the Jacobian while the contraction rate stays below this (`THET`).
pub(super) const THET: f64 = 0.001;
/// Keep the factorisations when `h_new / h` lies in `[QUOT1, QUOT2]`.
const QUOT1: f64 = 1.0;
const QUOT2: f64 = 1.2;
/// A step that would end within 1 % of the bound is stretched to land on it.
const STRETCH: f64 = 1.01;
/// A fifth singular matrix ends the integration.
const MAX_SINGULAR: u32 = 5;

/// What the next attempt starts with (RADAU5's and RADAU's labels 10, 20, 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// Evaluate the Jacobian, then factor.
    Jacobian,
    /// Factor with the Jacobian held.
    Factor,
    /// Reuse the factorisations.
    Reuse,
}

/// The `K`-stage method as a constant of the code, so that a step's coefficients fold into it.
struct Stages<const K: usize>;

impl<const K: usize> Stages<K> {
    const TABLE: &'static RadauStages = RadauStages::with_stages(K);
}

/// `self.method::<K>(args)` with `K` the number of stages of the next attempt, a constant in
/// each arm; only the counts up to the type's `S` are built.
macro_rules! by_stages {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self.stages.s {
            5 if S >= 5 => $self.$method::<5>($($arg),*),
            7 if S >= 7 => $self.$method::<7>($($arg),*),
            _ => $self.$method::<3>($($arg),*),
        }
    };
}

/// How an attempt's Newton iteration ended.
enum Attempt<R> {
    /// Converged in `newt` iterations, with the error estimate `err`.
    Converged { newt: usize, err: R },
    /// Abandoned, the step to be multiplied by the factor.
    Shrink(f64),
    /// Diverged, or did not converge in the iterations allowed.
    Failed,
}

/// RADAU5's `FACCON`, the factor `Θ / (1 − Θ)` of the Newton stopping test
/// `FACCON · ‖ΔZ‖ ≤ FNEWT`, with the power RADAU5 takes of it at the start of every iteration
/// (`FACCON = MAX(FACCON, UROUND)**0.8`) taken only when the test needs its value.
///
/// The test reads the powered value only after the first iteration: from the second on, the
/// iteration sets a fresh `Θ / (1 − Θ)` before it tests. And there the value it needs is
/// bounded below by `min(FACCON, 1)` (`x^0.8 ≥ x` on `(0, 1]`), so a first iterate that is
/// clearly not converged is recognised without the power. Powers still owed are taken in
/// order when the value is needed, so every value used is RADAU5's bit for bit; the counters
/// of `radau5_reproduces_hairers_radau5` and `adaptive_radau_reproduces_published_radau` do
/// not move. The power cost 3 % of a HIRES solve.
#[derive(Debug, Clone, Copy)]
pub(super) struct Faccon<R> {
    /// The value with the powers taken so far.
    value: R,
    /// Powers `x ↦ max(x, ε)^0.8` still owed, in order.
    owed: u32,
}

impl<R: Real> Faccon<R> {
    /// RADAU5's starting value, 1.
    pub(super) fn new() -> Self {
        Faccon {
            value: R::one(),
            owed: 0,
        }
    }

    /// The start of a Newton iteration: one more power owed.
    #[inline(always)]
    pub(super) fn start_iteration(&mut self) {
        self.owed += 1;
    }

    /// After an iterate with contraction rate `theta`: `Θ / (1 − Θ)`, no powers owed.
    #[inline(always)]
    pub(super) fn set_from(&mut self, theta: R) -> R {
        self.value = theta / (R::one() - theta);
        self.owed = 0;
        self.value
    }

    /// RADAU5's stopping test `FACCON · dyno ≤ fnewt`.
    #[inline(always)]
    pub(super) fn converged(&mut self, dyno: R, fnewt: R) -> bool {
        if self.owed > 0 {
            // A lower bound of the powered value, with a factor 1/2 against the rounding of
            // `powf`: above `fnewt` already, the test fails without the power.
            let eps = R::epsilon();
            let lower = R::from_f64(0.5) * self.value.max(eps).min(R::one());
            if lower * dyno > fnewt {
                return false;
            }
            for _ in 0..self.owed {
                self.value = self.value.max(eps).powf(R::from_f64(0.8));
            }
            self.owed = 0;
        }
        self.value * dyno <= fnewt
    }
}

/// Hairer's RADAU5 (Radau IIA, order 5) for a system of `N` components (real, complex or dual): [`RadauIIA`] with
/// three stages.
///
/// ```
/// use ode_core::{OdeSystem, Radau5, Settings, Stepper, Tolerances};
///
/// /// A stiff linear pair: y1' = -1000 (y1 - cos t), y2' = -y2.
/// struct Stiff;
/// impl OdeSystem<2> for Stiff {
///     fn rhs(&self, t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
///         *dy = [-1000.0 * (y[0] - t.cos()), -y[1]];
///     }
/// }
/// let mut st = Radau5::new(Stiff, 0.0, [1.0, 1.0], 10.0, Tolerances::new(1e-8, 1e-10))?;
/// while !st.is_finished() {
///     st.step()?;
/// }
/// assert!((st.y()[1] - (-10.0f64).exp()).abs() < 1e-9);
/// assert!(st.stats().n_accepted < 200);
/// # Ok::<(), ode_core::Error>(())
/// ```
///
/// # Size
/// `core::mem::size_of::<Radau5<Sys, N>>()` is about `4·N²` reals (the Jacobian and the real
/// and complex factors of the iteration matrices) plus `O(N)`: 320 kB for `N = 100`, 8 MB
/// for `N = 500` in `f64` (`tests/stepper_sizes.rs` checks it). A stepper lives where it is
/// put: a large one belongs in a `Box` or a `static`, built once and started again in place
/// with [`RadauIIA::reset`]; with dense linear algebra the method suits `N` up to a few hundred.
pub type Radau5<Sys, const N: usize, X = f64, W = Inline> =
    RadauIIA<Sys, N, X, 3, DenseRadauLu<X, N, W, 0>>;

/// Hairer's RADAU: Radau IIA with 3, 5 or 7 stages (orders 5, 9, 13), the number chosen step
/// by step from the convergence of the Newton iteration: [`RadauIIA`] with up to seven stages.
///
/// At tight tolerances the higher orders take far longer steps than [`Radau5`] (HIRES: 65
/// steps against 199 at `rtol = atol = 1e-10`, 72 against 409 at `1e-12`); at loose ones it
/// stays at order 5 and does what `Radau5` does, bit for bit.
/// [`RadauIIA::with_stages`] narrows the range of stages.
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
/// Reuse a large one in place with [`RadauIIA::reset`].
pub type AdaptiveRadau<Sys, const N: usize, X = f64, W = Inline> =
    RadauIIA<Sys, N, X, 7, DenseRadauLu<X, N, W, 2>>;

/// Radau IIA with up to `S` stages (3, 5 or 7; orders up to `2S − 1`) for a system of `N`
/// components of the scalar type `X` (real, complex or dual), over the linear solver `L` of its
/// transformed Newton systems ([`RadauSolver`]; the dense [`DenseRadauLu`] holds `(S − 3)/2`
/// pairs beyond the first, which the type checks, and solves them as `X` needs): the one
/// stepper behind [`Radau5`] (`S = 3`) and [`AdaptiveRadau`] (`S = 7`); see the module docs
/// for the algorithm.
///
/// ```
/// use ode_core::num_complex::Complex64 as C;
/// use ode_core::{OdeSystem, Radau5, Stepper, Tolerances};
///
/// /// A stiff oscillating mode: z' = (−1000 + 50i) z.
/// struct Mode;
/// impl OdeSystem<1, C> for Mode {
///     fn rhs(&self, _t: f64, z: &[C; 1], dz: &mut [C; 1]) {
///         dz[0] = C::new(-1000.0, 50.0) * z[0];
///     }
/// }
/// let mut st = Radau5::new(Mode, 0.0, [C::new(1.0, 0.0)], 0.01, Tolerances::new(1e-8, 1e-12))?;
/// while !st.is_finished() {
///     st.step()?;
/// }
/// let exact = (C::new(-1000.0, 50.0) * 0.01).exp();
/// assert!((st.y()[0] - exact).norm() < 1e-9);
/// # Ok::<(), ode_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RadauIIA<Sys, const N: usize, X: Scalar, const S: usize, L: RadauSolver<X, N>> {
    sys: Sys,
    state: StepState<X, N>,
    /// The signed size of the next attempt.
    h: X::Real,
    /// The signed size of the last accepted step (zero before the first and after a restart).
    h_old: X::Real,
    /// The method of the next attempt.
    stages: &'static RadauStages,
    /// The method of the last accepted step (whose polynomial `cont` holds).
    dense_stages: &'static RadauStages,
    /// The last step's collocation polynomial as divided differences (RADAU's `CONT`).
    cont: [[X; N]; S],
    /// Where the attempts of this step met a non-finite value, if they did.
    non_finite_at: Option<X::Real>,
    jac: HeldJacobian<L::Jacobian>,
    /// The factors of `(γ/h) I − J` and `((α_k + iβ_k)/h) I − J` (RADAU5's `E1`, `E2R`,
    /// `E2I`).
    lu: L,
    start: Start,
    /// The converted ones for the current number of stages.
    rtol1: X::Real,
    atol1: [X::Real; N],
    /// `1 / (atol'_i + rtol' |y_i|)`: the norms multiply instead of dividing.
    inv_scal: [X::Real; N],
    fnewt: X::Real,
    faccon: Faccon<X::Real>,
    theta: X::Real,
    /// The step-size controller (accepts, rejects, proposes the next step).
    control: RadauStepControl<X::Real>,
    /// The order controller (the range of stages, and the number for the next attempt).
    order: RadauOrderControl<X::Real>,
    last: bool,
    n_singular: u32,
    /// The validated tolerances (`rtol` raised to `100 ε` where it was below).
    user_tol: Tolerances<X::Real, N>,
    settings: Settings<X::Real, N>,
}

impl<Sys, const N: usize, X, R, const S: usize, const P: usize>
    RadauIIA<Sys, N, X, S, DenseRadauLu<X, N, Inline, P>>
where
    Sys: OdeSystem<N, X>,
    X: Scalar<Real = R>,
    R: Real,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (before `t0` for a
    /// backward integration) with 3 to `S` stages, starting with 3. Costs one evaluation of
    /// `f`, two without a `first_step` (the automatic choice of *Solving ODEs I*, II.4, with the
    /// exponent `1/4` of the order-3 error estimate, as SciPy's `Radau`).
    ///
    /// The settings' `controller` is not used: the method has its own (see the module docs).
    pub fn new(
        sys: Sys,
        t0: R,
        y0: [X; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<Self, Error> {
        Self::with_stages_in(sys, t0, y0, t_bound, settings, 3, S)
    }

    /// As [`RadauIIA::new`] with the stages limited to `min_stages ..= max_stages` (each 3, 5
    /// or 7, at most `S`; RADAU's `NSMIN`, `NSMAX`); the first step uses `min_stages`.
    /// `with_stages(.., 3, 3)` is RADAU5's method, `with_stages(.., 7, 7)` a fixed order 13.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for other stage counts or `min_stages > max_stages`, and the
    /// errors of [`RadauIIA::new`].
    pub fn with_stages(
        sys: Sys,
        t0: R,
        y0: [X; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
        min_stages: usize,
        max_stages: usize,
    ) -> Result<Self, Error> {
        Self::with_stages_in(sys, t0, y0, t_bound, settings, min_stages, max_stages)
    }
}

#[cfg(feature = "alloc")]
impl<Sys, const N: usize, X, R, const S: usize, const P: usize>
    RadauIIA<Sys, N, X, S, DenseRadauLu<X, N, Heap, P>>
where
    Sys: OdeSystem<N, X>,
    X: Scalar<Real = R>,
    R: Real,
{
    /// As [`RadauIIA::new`], in a box, with each `N × N` matrix in a box of its own: nothing of
    /// size `N²` passes through the stack, so a large system starts on any thread (what
    /// `solve_ivp` uses).
    ///
    /// ```
    /// use ode_core::{OdeSystem, Radau5, Stepper, Tolerances};
    /// struct Chain;
    /// impl OdeSystem<1000> for Chain {
    ///     fn rhs(&self, _t: f64, y: &[f64; 1000], dy: &mut [f64; 1000]) {
    ///         for i in 0..1000 { dy[i] = -y[i] + if i > 0 { y[i - 1] } else { 0.0 }; }
    ///     }
    /// }
    /// let mut y0 = [0.0; 1000];
    /// y0[0] = 1.0;
    /// // 32 MB of matrices, on the heap.
    /// let st = Radau5::boxed(Chain, 0.0, y0, 1.0, Tolerances::new(1e-6, 1e-9))?;
    /// assert!(core::mem::size_of_val(&*st) < 200_000);
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    pub fn boxed(
        sys: Sys,
        t0: R,
        y0: [X; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        Self::boxed_with_solver(sys, t0, y0, t_bound, settings)
    }
}

impl<Sys, const N: usize, X, R, const S: usize, L> RadauIIA<Sys, N, X, S, L>
where
    Sys: OdeSystem<N, X>,
    X: Scalar<Real = R>,
    R: Real,
    L: RadauSolver<X, N>,
{
    /// `S` is 3, 5 or 7 and the solver holds its `(S − 1)/2` complex pairs.
    const SHAPE: () = assert!(
        (S == 3 || S == 5 || S == 7) && S <= MAX_STAGES && L::PAIRS >= (S - 1) / 2,
        "RadauIIA<.., S, L>: S must be 3, 5 or 7 and L must hold (S - 1) / 2 complex pairs"
    );

    /// As [`RadauIIA::new`], with the linear solver `L`: [`DenseRadauLu`] with its matrices in
    /// the storage `W` ([`Inline`] or, feature `alloc`, [`crate::linalg::Heap`]), or one of
    /// the user's.
    pub fn with_storage(
        sys: Sys,
        t0: R,
        y0: [X; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<Self, Error> {
        Self::with_stages_in(sys, t0, y0, t_bound, settings, 3, S)
    }

    /// [`RadauIIA::with_stages`] with the linear solver `L`.
    #[allow(clippy::too_many_arguments)]
    pub fn with_stages_in(
        sys: Sys,
        t0: R,
        y0: [X; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
        min_stages: usize,
        max_stages: usize,
    ) -> Result<Self, Error> {
        let valid = |s: usize| matches!(s, 3 | 5 | 7) && s <= S;
        if !valid(min_stages) || !valid(max_stages) || min_stages > max_stages {
            return Err(Error::InvalidOption {
                what: "Radau stages must be 3, 5 or 7 (3 for Radau5), with min_stages <= \
                       max_stages",
            });
        }
        // Built whole before anything else is checked, then started in place by a call that
        // is never inlined: see [`RadauIIA::reset`] for why.
        let mut st = Self::unstarted(sys, settings.into(), min_stages, max_stages);
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }

    /// As [`RadauIIA::with_storage`] (3 to `S` stages), built in a box (what `solve_ivp`
    /// uses with a sparse solver).
    #[cfg(feature = "alloc")]
    pub fn boxed_with_solver(
        sys: Sys,
        t0: R,
        y0: [X; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        let mut st = alloc::boxed::Box::new(Self::unstarted(sys, settings.into(), 3, S));
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }

    /// A stepper holding `sys` and `settings` that has not started: every work area zero,
    /// nothing checked. [`RadauIIA::reset`] starts it.
    fn unstarted(sys: Sys, settings: Settings<R, N>, min_stages: usize, max_stages: usize) -> Self {
        let () = Self::SHAPE;
        let stages = RadauStages::with_stages(min_stages);
        RadauIIA {
            sys,
            state: StepState::unstarted(),
            h: R::zero(),
            h_old: R::zero(),
            stages,
            dense_stages: stages,
            cont: [[X::zero(); N]; S],
            non_finite_at: None,
            jac: HeldJacobian::new(L::zero_jacobian()),
            lu: L::zeroed(),
            start: Start::Jacobian,
            rtol1: R::zero(),
            atol1: [R::zero(); N],
            inv_scal: [R::zero(); N],
            fnewt: R::zero(),
            faccon: Faccon::new(),
            theta: R::zero(),
            control: RadauStepControl::new(),
            order: RadauOrderControl::new(min_stages, max_stages),
            last: false,
            n_singular: 0,
            user_tol: settings.tol,
            settings,
        }
    }

    /// Starts a new integration from `(t0, y0)` towards `t_bound` in place, with the system,
    /// settings and stage limits the stepper was made with, from `min_stages`; the counters
    /// start again from zero. A stepper placed once in a `static` or a `Box` is reused this way
    /// without passing through the stack (a `Radau5` holds `4·N²` reals: 8 MB for `N = 500` in
    /// `f64`).
    ///
    /// This is also how [`RadauIIA::new`] starts, and why it is never inlined: a function whose
    /// frame holds a whole stepper (more than 32 KiB) gets an inline stack-probe loop that
    /// LLVM's x86-64 back end writes with `r11` as its scratch register; where shrink-wrapping
    /// placed that prologue after the checks of the input, a check's value still live in `r11`
    /// was overwritten, and the stepper started from a corrupted `first_step` (a zero step:
    /// "required step size 0e0 at t = 0" from `N ≈ 80` on, in optimised builds only). Here
    /// the checks run in a frame of their own, after the caller's frame is set up.
    ///
    /// ```
    /// use ode_core::{OdeSystem, Radau5, Stepper, Tolerances};
    /// struct Decay;
    /// impl OdeSystem<1> for Decay {
    ///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
    /// }
    /// let mut st = Box::new(Radau5::new(Decay, 0.0, [1.0], 1.0, Tolerances::new(1e-8, 1e-10))?);
    /// for y0 in [1.0, 2.0, 3.0] {
    ///     st.reset(0.0, [y0], 1.0)?;
    ///     while !st.is_finished() { st.step()?; }
    ///     assert!((st.y()[0] - y0 * (-1.0f64).exp()).abs() < 1e-8 * y0);
    /// }
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    #[inline(never)]
    pub fn reset(&mut self, t0: R, y0: [X; N], t_bound: R) -> Result<(), Error> {
        let (tol, raised) = self.settings.start_checks(t0, &y0, t_bound)?;
        super::refuse_zero_atol(&tol)?;
        self.user_tol = tol;
        self.stages = RadauStages::with_stages(self.order.min_stages);
        self.dense_stages = self.stages;
        self.state = StepState::started(t0, y0, t_bound);
        self.state.stats.rtol_raised = raised;
        self.h = R::zero();
        self.h_old = R::zero();
        self.cont = [[X::zero(); N]; S];
        self.jac.forget();
        self.order = RadauOrderControl::new(self.order.min_stages, self.order.max_stages);
        self.n_singular = 0;
        self.convert_tolerances();
        if self.state.finished {
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

    /// The linear solver of the Newton systems, with its last factorisation.
    pub fn linear_solver(&self) -> &L {
        &self.lu
    }

    /// The number of stages of the next attempt (3, 5 or 7; the order is `2s − 1`).
    pub fn stages(&self) -> usize {
        self.stages.s
    }

    /// The method of the next attempt: a constant when the type has three stages only.
    #[inline(always)]
    fn method(&self) -> &'static RadauStages {
        if S == 3 {
            Stages::<3>::TABLE
        } else {
            self.stages
        }
    }

    /// `rtol' = 0.1 rtol^{(s+1)/(2s)}`, `atol'_i = rtol' atol_i / rtol` and the Newton
    /// tolerance `FNEWT = max(10 u / rtol', min(0.03, rtol'^{(s−1)/(s+1)}))` for the current `s`
    /// (RADAU5's square root for `s = 3`).
    fn convert_tolerances(&mut self) {
        let c = |x: f64| R::from_f64(x);
        let s = self.stages.s as f64;
        let tol = &self.user_tol;
        self.rtol1 = c(0.1) * tol.rtol().powf(c((s + 1.0) / (2.0 * s)));
        for i in 0..N {
            self.atol1[i] = self.rtol1 * tol.atol(i) / tol.rtol();
        }
        let newton_tol = if self.stages.s == 3 {
            self.rtol1.sqrt()
        } else {
            self.rtol1.powf(c((s - 1.0) / (s + 1.0)))
        };
        self.fnewt = (c(10.0) * R::epsilon() / self.rtol1).max(c(0.03).min(newton_tol));
    }

    /// Evaluates `f` at the current point, sets the error weights and chooses the first step —
    /// the user's `first_step` or, at one more evaluation, [`initial_step`]'s estimate, capped by
    /// `max_step` and the span: the start of an integration, or of a restart. It starts with a
    /// Jacobian, or with a factorisation when a constant Jacobian is already held.
    fn eval_start(&mut self) -> Result<(), Error> {
        self.state.evaluate_f(&self.sys, self.settings.max_nfev)?;
        let max_abs = self
            .settings
            .max_step
            .min((self.state.t_bound - self.state.t).abs());
        let h_abs = match self.settings.first_step {
            Some(h) => h.min(max_abs),
            None => {
                self.budget(1)?;
                self.state.stats.nfev += 1;
                let order = self.stages.s as u32 + 1;
                let sys = &self.sys;
                let (t, dir) = (self.state.t, self.state.dir);
                let f = |t, y: &[X; N], out: &mut [X; N]| sys.rhs(t, y, out);
                initial_step(
                    f,
                    t,
                    &self.state.y,
                    &self.state.f,
                    dir,
                    order,
                    &self.user_tol,
                    max_abs,
                )
            }
        }
        // As SciPy: a first step below the step floor (`0.1 |h| ≤ |t| ε`, RADAU5's test) is
        // raised above it, with a margin, so that an automatic first step of 1e-6 at
        // t = 1.7e9 does not fail at once; a span shorter than that is one step to the bound.
        .max(step_floor(self.state.t));
        self.start = if Sys::JACOBIAN == JacobianKind::Constant && self.jac.is_valid() {
            Start::Factor
        } else {
            Start::Jacobian
        };
        self.h = self.state.dir * h_abs;
        self.last = self.state.dir
            * (self.state.t + self.h * R::from_f64(STRETCH) - self.state.t_bound)
            >= R::zero();
        if self.last {
            self.h = self.state.t_bound - self.state.t;
        }
        self.set_scal();
        self.control = RadauStepControl::new();
        self.faccon = Faccon::new();
        // RADAU5 starts with Θ = THET, RADAU with 0 (only RADAU's first order decision reads
        // it: every Newton iteration starts from THET).
        self.theta = if S == 3 { R::from_f64(THET) } else { R::zero() };
        self.h_old = R::zero();
        self.jac.stale();
        Ok(())
    }

    fn set_scal(&mut self) {
        for i in 0..N {
            self.inv_scal[i] = R::one() / (self.atol1[i] + self.rtol1 * self.state.y[i].modulus());
        }
    }

    fn budget(&self, n: usize) -> Result<(), Error> {
        self.state.budget(self.settings.max_nfev, n)
    }

    /// Evaluates the Jacobian at the current point: a constant Jacobian held is kept; finite
    /// differences are charged to the evaluation budget first (at most `N` evaluations, one per
    /// colour for coloured ones); `njev` and `nfev` count.
    fn evaluate_jacobian(&mut self) -> Result<(), Error> {
        let (t, y, f) = (self.state.t, &self.state.y, &self.state.f);
        let sys = &self.sys;
        let evaluate = |jac: &mut L::Jacobian| L::evaluate(sys, t, y, f, jac);
        let max_nfev = self.settings.max_nfev;
        self.jac.refresh(
            Sys::JACOBIAN,
            L::evaluations(Sys::JACOBIAN),
            &mut self.state.stats,
            max_nfev,
            evaluate,
        )?;
        Ok(())
    }

    /// The order decision taken before every factorisation (RADAU's label 20): on a change,
    /// the new method and its tolerances.
    fn select_order(&mut self) {
        if S == 3 {
            return;
        }
        let s = self.stages.s;
        let s_new = self.order.decide(s, self.theta, self.h, self.h_old);
        if self.order.changed {
            self.stages = RadauStages::with_stages(s_new);
            self.convert_tolerances();
            self.set_scal();
        }
    }

    /// Factors `(γ/h) I − J` and `((α_k + iβ_k)/h) I − J` for the current method.
    fn factor(&mut self) -> bool {
        let st = self.method();
        let h = self.h;
        let mut shifts = [Complex::new(R::zero(), R::zero()); MAX_PAIRS];
        for (k, shift) in shifts.iter_mut().enumerate().take(st.pairs()) {
            *shift = Complex::new(R::from_f64(st.alpha[k]) / h, R::from_f64(st.beta[k]) / h);
        }
        self.state.stats.nlu += 1;
        let gamma = R::from_f64(st.gamma) / h;
        self.lu
            .factor(gamma, &shifts[..st.pairs()], &self.jac.jac)
            .is_ok()
    }

    /// `cont`'s first `ds.s` differences evaluated at `1 + σ` with the nodes of `ds`, minus
    /// the value at 1: the last step's increment polynomial continued to `t + σ h_old`,
    /// component `i`, when `ds` is the last step's method (RADAU5's operations for 3 stages).
    #[inline(always)]
    fn extrapolate_with(cont: &[[X; N]; S], ds: &RadauStages, sigma: R, i: usize) -> X {
        let s = ds.s;
        let mut val = cont[s - 1][i];
        for k in (1..s).rev() {
            let node_m1 = R::from_f64(ds.nodes[k] - 1.0);
            val = cont[k - 1][i] + val * (sigma - node_m1);
        }
        val * sigma
    }

    /// Starting values of the Newton iteration: the stage increments `z` and their transforms
    /// `w = T⁻¹ z` of the `K`-stage method, extrapolated with its own nodes as RADAU does
    /// (module docs).
    fn starting_values<const K: usize>(&self, z: &mut [[X; N]; S], w: &mut [[X; N]; S]) {
        let st = Stages::<K>::TABLE;
        debug_assert_eq!(self.stages.s, K);
        if self.control.first || self.order.changed || self.h_old.is_zero() {
            for k in 0..K {
                z[k] = [X::zero(); N];
                w[k] = [X::zero(); N];
            }
            return;
        }
        let c = |x: f64| R::from_f64(x);
        let hquot = self.h / self.h_old;
        for k in 0..K {
            let sigma = c(st.c[k]) * hquot;
            for i in 0..N {
                z[k][i] = Self::extrapolate_with(&self.cont, st, sigma, i);
            }
        }
        for i in 0..N {
            for k in 0..K {
                let mut acc = z[0][i] * c(st.ti[k][0]);
                for j in 1..K {
                    acc = acc + z[j][i] * c(st.ti[k][j]);
                }
                w[k][i] = acc;
            }
        }
    }

    /// One attempt with the `K`-stage method: the Newton iteration from its starting values
    /// and, when it converged, its iterations and the error estimate; otherwise what it
    /// asks. `K` is a constant, and so are the method's coefficients: the stage loops unroll
    /// and the coefficients fold into the code.
    #[inline]
    fn attempt_stages<const K: usize>(
        &mut self,
        z: &mut [[X; N]; S],
        w: &mut [[X; N]; S],
    ) -> Result<Attempt<R>, Error> {
        self.starting_values::<K>(z, w);
        Ok(match self.newton::<K>(z, w)? {
            Newton::Converged(newt) => Attempt::Converged {
                newt,
                err: self.error_estimate::<K>(z)?,
            },
            Newton::Shrink(f) => Attempt::Shrink(f),
            Newton::Failed => Attempt::Failed,
        })
    }

    /// The simplified Newton iteration for the stages of the step `h` from `(t, y)`, with the
    /// current method's `K` stages as a constant (the stage loops unroll).
    fn newton<const K: usize>(
        &mut self,
        z: &mut [[X; N]; S],
        w: &mut [[X; N]; S],
    ) -> Result<Newton, Error> {
        let c = |x: f64| R::from_f64(x);
        let st = Stages::<K>::TABLE;
        debug_assert_eq!(self.stages.s, K);
        let pairs = (K - 1) / 2;
        let nit = NIT + 5 * (K - 3) / 2;
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
        let denom = R::from_f64((K * N).max(1) as f64);
        let outcome = loop {
            if let Err(failed) = it.next() {
                break failed;
            }
            self.state.budget(self.settings.max_nfev, K)?;
            // f at the stages.
            let mut fz = [[X::zero(); N]; K];
            let mut arg = [X::zero(); N];
            for k in 0..K {
                for i in 0..N {
                    arg[i] = self.state.y[i] + z[k][i];
                }
                self.sys
                    .rhs(self.state.t + c(st.c[k]) * h, &arg, &mut fz[k]);
            }
            self.state.stats.nfev += K;
            // A non-finite value of f needs no test here: it reaches every component of the
            // solves that depend on it, and so the norm below.
            // Right-hand sides of the transformed systems, T⁻¹ F − Λ W, solved in place.
            let mut r = [[X::zero(); N]; K];
            for i in 0..N {
                for (k, rk) in r.iter_mut().enumerate() {
                    let mut acc = fz[0][i] * c(st.ti[k][0]);
                    for (j, fj) in fz.iter().enumerate().skip(1) {
                        acc = acc + fj[i] * c(st.ti[k][j]);
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
            self.lu.solve(&mut r, pairs);
            self.order.iterated(it.iterations() + 1);
            let mut sum = R::zero();
            for i in 0..N {
                let sc = self.inv_scal[i];
                for rk in r.iter() {
                    let d = rk[i].modulus() * sc;
                    sum = sum + d * d;
                }
            }
            let dyno = (sum / denom).sqrt();
            if !dyno.is_finite() {
                self.non_finite_at = Some(self.state.t + h);
            }
            if let Some(stop) = it.corrected(dyno) {
                break stop;
            }
            // W += ΔW, Z = T W; T's last row is (T_s1, 1, 0, 1, 0, …).
            for i in 0..N {
                for k in 0..K {
                    w[k][i] = w[k][i] + r[k][i];
                }
                for (k, zk) in z.iter_mut().enumerate().take(K - 1) {
                    let mut acc = w[0][i] * c(st.t[k][0]);
                    for (j, wj) in w.iter().enumerate().take(K).skip(1) {
                        acc = acc + wj[i] * c(st.t[k][j]);
                    }
                    zk[i] = acc;
                }
                let mut last = w[0][i] * c(st.t[K - 1][0]);
                for k in 0..pairs {
                    last = last + w[2 * k + 1][i];
                }
                z[K - 1][i] = last;
            }
            if let Some(done) = it.applied(dyno) {
                break done;
            }
        };
        Ok(it.count(outcome, &mut self.state.stats))
    }

    /// The error estimate of the step with stage increments `z` (eqs. (8.20)–(8.21) of *Solving
    /// ODEs II*, IV.8; the paper's Section 4), with RADAU5's operations for three stages.
    fn error_estimate<const K: usize>(&mut self, z: &[[X; N]; S]) -> Result<R, Error> {
        let c = |x: f64| R::from_f64(x);
        let st = Stages::<K>::TABLE;
        let h = self.h;
        let mut f2 = [X::zero(); N];
        let mut e = [X::zero(); N];
        let (hee1, hee2, hee3) = (c(tab::DD1) / h, c(tab::DD2) / h, c(tab::DD3) / h);
        for i in 0..N {
            f2[i] = if K == 3 {
                z[0][i] * hee1 + z[1][i] * hee2 + z[2][i] * hee3
            } else {
                let mut acc = X::zero();
                for (k, zk) in z.iter().enumerate().take(K) {
                    acc = acc + zk[i] * c(st.dd[k]);
                }
                acc / h
            };
            e[i] = f2[i] + self.state.f[i];
        }
        self.lu.solve_real(&mut e);
        let norm = |e: &[X; N], inv_scal: &[R; N]| {
            let mut s = R::zero();
            for i in 0..N {
                let r = e[i].modulus() * inv_scal[i];
                s = s + r * r;
            }
            (s / R::from_f64(N.max(1) as f64)).sqrt().max(c(1e-10))
        };
        let mut err = norm(&e, &self.inv_scal);
        if err >= R::one() && (self.control.first || self.control.reject) {
            self.budget(1)?;
            let mut arg = [X::zero(); N];
            for i in 0..N {
                arg[i] = self.state.y[i] + e[i];
            }
            let mut f1 = [X::zero(); N];
            self.sys.rhs(self.state.t, &arg, &mut f1);
            self.state.stats.nfev += 1;
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
    /// operations for three stages (its `CONT`, eq. (8.25) in Newton form), RADAU's
    /// (multiplying by the reciprocal gaps) for more.
    #[inline(always)]
    fn store_polynomial<const K: usize>(&mut self, z: &[[X; N]; S]) {
        let st = Stages::<K>::TABLE;
        let s = K;
        let c = |x: f64| R::from_f64(x);
        if K == 3 {
            for i in 0..N {
                let (z1, z2, z3) = (z[0][i], z[1][i], z[2][i]);
                let d1 = (z2 - z3) / c(tab::C2M1);
                let ak = (z1 - z2) / c(tab::C1MC2);
                let acont3 = (ak - z1 / c(tab::C1)) / c(tab::C2);
                let d2 = (ak - d1) / c(tab::C1M1);
                self.cont[0][i] = d1;
                self.cont[1][i] = d2;
                self.cont[2][i] = d2 - acont3;
            }
        } else {
            let r = &st.recip_gaps;
            for i in 0..N {
                // d[k] = q[x_{k−1}, x_k], then the higher differences in place.
                let mut d = [X::zero(); MAX_STAGES + 1];
                d[s] = z[0][i] / c(st.c[0]);
                for k in 1..s {
                    d[k] = (z[s - k - 1][i] - z[s - k][i]) * c(r[1][k]);
                }
                for j in 2..=s {
                    for k in (j..=s).rev() {
                        d[k] = (d[k] - d[k - 1]) * c(r[j][k]);
                    }
                }
                for k in 1..=s {
                    self.cont[k - 1][i] = d[k];
                }
            }
        }
        self.dense_stages = st;
    }

    /// After a failed attempt: `h ← factor · h`, and the next attempt starts from a fresh
    /// factorisation (with the Jacobian held if it is current); the rejection, with the
    /// non-finite value met, if any.
    fn retry(&mut self, factor: R) -> Rejected {
        self.h = self.h * factor;
        self.control.rejected();
        self.last = false;
        self.start = if self.jac.is_current() {
            Start::Factor
        } else {
            Start::Jacobian
        };
        Rejected(
            self.non_finite_at
                .map(|t| Error::NonFiniteDerivative { t: t.to_f64() }),
        )
    }

    /// The next attempt after an accepted step `h` ending at `t`, from the proposal `h_new`:
    /// capped by `max_step` and the rest of the span, and by `|h|` after a rejection; a step
    /// that reaches the bound, or comes within 1 % of it, lands on it (RADAU5 only lands when it
    /// reaches it; the 1 % keeps a sliver of a few ulps, left by rounding when steps of
    /// `max_step` divide the span, from ever being attempted). The Jacobian is kept when the
    /// last contraction rate was at most `THET`, the factorisations too when `h_new / h ∈
    /// [QUOT1, QUOT2]` (then `h` stays).
    #[inline(always)]
    fn plan_next(&mut self, h_new: R) {
        let c = |x: f64| R::from_f64(x);
        let (t, dir, h) = (self.state.t, self.state.dir, self.h);
        let h_max = self.settings.max_step.min((self.state.t_bound - t).abs());
        // A proposal below the step floor at the new `t` is raised above it (see `eval_start`).
        let mut h_new = dir * h_new.abs().min(h_max).max(step_floor(t));
        if self.control.reject {
            h_new = dir * h_new.abs().min(h.abs());
        }
        self.control.reject = false;
        let keep_jac = self.theta <= c(THET);
        self.start = if keep_jac || Sys::JACOBIAN == JacobianKind::Constant {
            Start::Factor
        } else {
            Start::Jacobian
        };
        self.last = dir * (t + h_new * c(STRETCH) - self.state.t_bound) >= R::zero();
        let qt = h_new / h;
        self.h = if self.last {
            self.state.t_bound - t
        } else if keep_jac && qt >= c(QUOT1) && qt <= c(QUOT2) {
            self.start = Start::Reuse;
            h
        } else {
            h_new
        };
    }
}

impl<Sys, const N: usize, X, R, const S: usize, L> Stepper<X, N> for RadauIIA<Sys, N, X, S, L>
where
    Sys: OdeSystem<N, X>,
    X: Scalar<Real = R>,
    R: Real,
    L: RadauSolver<X, N>,
{
    crate::stepper::state_accessors!(state: R, X);

    fn step(&mut self) -> Result<(), Error> {
        advance(self)
    }

    fn dense(&mut self, t: R) -> Result<[X; N], Error> {
        self.state.check_in_step(t)?;
        if self.h_old.is_zero() {
            return Ok(self.state.y);
        }
        let sigma = (t - self.state.t) / self.h_old;
        let mut out = self.state.y;
        for (i, o) in out.iter_mut().enumerate() {
            *o = *o + Self::extrapolate_with(&self.cont, self.dense_stages, sigma, i);
        }
        Ok(out)
    }

    fn dense_terms(&self) -> usize {
        self.dense_stages.s + 1
    }

    fn dense_coefficients(&mut self, out: &mut [[X; N]]) {
        // p(θ) = y + q(θ), q in Newton form over x = (1, c_{s−1}, …, c_1, 0); expanded into
        // powers of θ by Horner's rule on coefficient vectors.
        let ds = self.dense_stages;
        let s = ds.s;
        let terms = s + 1;
        for o in out.iter_mut().take(terms) {
            *o = [X::zero(); N];
        }
        if self.h_old.is_zero() {
            out[0] = self.state.y;
            return;
        }
        let node = |k: usize| R::from_f64(ds.nodes[k]);
        for i in 0..N {
            // poly(θ) = cont[s−1]; then poly ← poly·(θ − x_k) + cont[k−1], k = s−1..1;
            // finally q = poly·(θ − x_0).
            let mut p = [X::zero(); MAX_STAGES + 1];
            p[0] = self.cont[s - 1][i];
            let mut deg = 0;
            for k in (0..s).rev() {
                // Multiply by (θ − x_k).
                let xk = node(k);
                deg += 1;
                for d in (1..=deg).rev() {
                    p[d] = p[d - 1] - p[d] * xk;
                }
                p[0] = -(p[0] * xk);
                if k > 0 {
                    p[0] = p[0] + self.cont[k - 1][i];
                }
            }
            for (d, o) in out.iter_mut().enumerate().take(terms) {
                o[i] = p[d];
            }
            out[0][i] = out[0][i] + self.state.y[i];
        }
    }

    fn restart(&mut self, t: R, y: [X; N]) -> Result<(), Error> {
        let finished = self.state.restart_at(t, y)?;
        self.h_old = R::zero();
        // A restart is a new integration: no stale differences.
        self.cont = [[X::zero(); N]; S];
        if finished {
            return Ok(());
        }
        self.eval_start()
    }
}

/// A converged attempt: its stage increments, and what the step-size controller reads.
pub(crate) struct Converged<X: Scalar, const N: usize, const S: usize, R> {
    /// The stage increments `z_k ≈ y(t + c_k h) − y`, and their transforms `T⁻¹ Z`.
    z: [[X; N]; S],
    w: [[X; N]; S],
    /// Newton iterations.
    newt: usize,
    /// The error estimate.
    err: R,
    /// The step ratio the controller computed (RADAU5's `QUOT`).
    quot: R,
}

/// Radau IIA in the one step loop: RADAU5's floor, a last step planned after the previous
/// acceptance (RADAU5's `LAST`), the Jacobian and factorisations reused as the last step
/// decided ([`Start`]), and RADAU5's controller.
impl<Sys, const N: usize, X, R, const S: usize, L> Attempts<X, N> for RadauIIA<Sys, N, X, S, L>
where
    Sys: OdeSystem<N, X>,
    X: Scalar<Real = R>,
    R: Real,
    L: RadauSolver<X, N>,
{
    type Candidate = Converged<X, N, S, R>;
    const FLOOR: Floor = Floor::Radau5;

    #[inline(always)]
    fn candidate() -> Converged<X, N, S, R> {
        Converged {
            z: [[X::zero(); N]; S],
            w: [[X::zero(); N]; S],
            newt: 0,
            err: R::zero(),
            quot: R::zero(),
        }
    }

    #[inline(always)]
    fn state_mut(&mut self) -> &mut StepState<X, N> {
        &mut self.state
    }

    #[inline(always)]
    fn min_step(&self) -> R {
        self.settings.min_step
    }

    /// RADAU's label 30: a long run on kept factors at less than the top order forces a new
    /// order decision.
    #[inline(always)]
    fn begin(&mut self) {
        self.non_finite_at = None;
        if S > 3 && self.start == Start::Reuse && self.order.reusing(self.stages.s) {
            self.start = Start::Factor;
        }
    }

    #[inline(always)]
    fn proposal(&self) -> (R, bool) {
        let h_abs = self.h.abs();
        (h_abs, self.last && h_abs > R::zero())
    }

    #[inline(always)]
    fn land(&mut self) -> R {
        self.h
    }

    #[inline(always)]
    fn attempt(
        &mut self,
        c: &mut Converged<X, N, S, R>,
        _h: R,
    ) -> Result<Result<(), Rejected>, Error> {
        let half = R::from_f64(0.5);
        if self.start == Start::Jacobian {
            self.evaluate_jacobian()?;
        }
        if self.start != Start::Reuse {
            self.select_order();
            if !self.factor() {
                self.order.newton_failed();
                self.n_singular += 1;
                if self.n_singular >= MAX_SINGULAR {
                    return Err(Error::SingularMatrix {
                        t: self.state.t.to_f64(),
                    });
                }
                return Ok(Err(self.retry(half)));
            }
        }
        // From here on a failure refactors (RADAU5 jumps to 10 or 20, never to 30). The
        // stage count is a constant in each arm; only those up to `S` are built.
        Ok(match by_stages!(self.attempt_stages(&mut c.z, &mut c.w))? {
            Attempt::Converged { newt, err } if err.is_finite() => {
                (c.newt, c.err) = (newt, err);
                Ok(())
            }
            Attempt::Converged { .. } => {
                self.non_finite_at = Some(self.state.t + self.h);
                Err(self.retry(half))
            }
            Attempt::Shrink(f) => {
                self.order.newton_shrunk(f);
                Err(self.retry(R::from_f64(f)))
            }
            Attempt::Failed => {
                self.order.newton_failed();
                Err(self.retry(half))
            }
        })
    }

    #[inline(always)]
    fn judge(&mut self, c: &mut Converged<X, N, S, R>, _h: R) -> bool {
        let s = self.method().s;
        let nit = NIT + 5 * (s - 3) / 2;
        match self.control.judge(c.err, self.h, c.newt, nit, s) {
            Verdict::Accept { quot } => {
                c.quot = quot;
                true
            }
            Verdict::Reject { factor } => {
                // The rejection is the loop's to report.
                let _ = self.retry(factor);
                false
            }
        }
    }

    /// The new point and its derivative, then the bookkeeping and the plan of the next step.
    #[inline(always)]
    fn accept(&mut self, c: &Converged<X, N, S, R>, _h: R) -> Result<Result<(), Rejected>, Error> {
        let s = self.method().s;
        let mut y_new = self.state.y;
        for i in 0..N {
            y_new[i] = y_new[i] + c.z[s - 1][i];
        }
        let t_new = if self.last {
            self.state.t_bound
        } else {
            self.state.t + self.h
        };
        self.budget(1)?;
        let mut f_new = [X::zero(); N];
        self.sys.rhs(t_new, &y_new, &mut f_new);
        self.state.stats.nfev += 1;
        if f_new.iter().any(|v| !v.all_finite()) || y_new.iter().any(|v| !v.all_finite()) {
            self.non_finite_at = Some(t_new);
            return Ok(Err(self.retry(R::from_f64(0.5))));
        }
        let h_new = self
            .control
            .accepted(self.h, c.err, c.quot, s, self.order.changed);
        self.n_singular = 0;
        by_stages!(self.store_polynomial(&c.z));
        self.state.t_prev = self.state.t;
        self.state.t = t_new;
        self.state.y = y_new;
        self.state.f = f_new;
        self.h_old = self.h;
        self.jac.moved(Sys::JACOBIAN);
        self.set_scal();
        if self.last {
            self.state.finished = true;
        } else {
            self.plan_next(h_new);
        }
        Ok(Ok(()))
    }
}

/// Twenty times `|t| ε`: twice the smallest step RADAU5's test `0.1 |h| > |t| ε` admits at `t`.
fn step_floor<R: Real>(t: R) -> R {
    R::from_f64(20.0) * t.abs() * R::epsilon()
}
