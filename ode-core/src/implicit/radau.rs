//! Radau IIA of order 5: Hairer & Wanner's RADAU5 as a stepper.
//!
//! The algorithm of *Solving ODEs II* (2nd ed.), IV.8, as RADAU5 (1996) codes it:
//!
//! - **Simplified Newton** on the stage increments `Z = (z1, z2, z3)`, `z_i ≈ y(t + c_i h) − y`,
//!   transformed by `T⁻¹` ([`crate::tableau::radau_iia`]): every iteration solves one real
//!   system with `(γ/h) I − J` and one complex system with `((α + iβ)/h) I − J`
//!   (eq. (8.16)); three evaluations of `f` an iteration, at most 7 iterations.
//! - **Starting values** from the previous step's collocation polynomial (eq. (8.13)), zeros at
//!   the first step and after a restart.
//! - **Convergence** is monitored through the contraction rate `Θ` (eqs. (8.9)–(8.11)): the
//!   iteration stops when `η ‖ΔZ‖ ≤ κ · Tol` (`κ Tol` = RADAU5's `FNEWT`), and is abandoned
//!   early — the step shrunk by the predicted factor — when it would not converge in the
//!   iterations left.
//! - **Reuse.** The Jacobian is kept after an accepted step when the last `Θ` was below
//!   `0.001`; the factorisations are kept too when the new step differs from the old by a
//!   ratio in `[1, 1.2]` (RADAU5's `THET`, `QUOT1`, `QUOT2`).
//! - **Error estimate** `err = (γ0 h)(I − γ0 h J)⁻¹ (f(t, y) + (e1 z1 + e2 z2 + e3 z3)/h)`
//!   (eq. (8.20)), filtered through the real factorisation; on the first step and after a
//!   rejection, when it is above one, replaced by the estimate with one more evaluation of `f`
//!   (eq. (8.21)).
//! - **Step size**: `h_new = h · fac · err^{−1/4}`, `fac = min(0.9, 0.9 (2·7 + 1)/(newt + 2·7))`,
//!   ratio bounds `[0.2, 8]`, and Gustafsson's predictive controller (eq. (8.25)) after the
//!   first accepted step.
//! - **Dense output**: the cubic collocation polynomial through `y_n` and the three stages.
//!
//! As RADAU5 does, the user's tolerances are converted before use:
//! `rtol' = 0.1 rtol^{2/3}`, `atol'_i = rtol' · atol_i / rtol`, because the embedded estimate
//! is of order 3 while the solution is of order 5: the achieved error then follows `rtol`.
//! The error weights are `atol'_i + rtol' |y_i|` at the start of the step.
//!
//! Failures: a singular iteration matrix or a diverging Newton iteration halves the step;
//! five singular matrices end the integration ([`Error::SingularMatrix`]); a step below the
//! spacing of floating-point numbers at `t` is [`Error::StepSizeTooSmall`] (or
//! [`Error::NonFiniteDerivative`] when non-finite values of `f` drove it there).

pub(super) use super::newton::Newton;
use super::newton::{NewtonIteration, RadauRule};
use crate::control::{initial_step, kth_root, Tolerances};
use crate::error::Error;
use crate::integrator::Settings;
#[cfg(feature = "alloc")]
use crate::linalg::Heap;
use crate::linalg::{Inline, RealComplexLu, Storage};
use crate::scalar::Real;
use crate::stepper::{Stats, Stepper};
use crate::system::{JacobianKind, OdeSystem};
use crate::tableau::radau_iia as tab;
use num_complex::Complex;

/// Most Newton iterations per attempt (RADAU5's `NIT`).
pub(super) const NIT: usize = 7;
/// Keep the Jacobian while the contraction rate stays below this (`THET`).
pub(super) const THET: f64 = 0.001;
/// Keep the factorisations when `h_new / h` lies in `[QUOT1, QUOT2]`.
pub(super) const QUOT1: f64 = 1.0;
pub(super) const QUOT2: f64 = 1.2;
/// A step that would end within 1 % of the bound is stretched to land on it.
pub(super) const STRETCH: f64 = 1.01;
/// Safety factor of the step-size formula (`SAFE`).
pub(super) const SAFE: f64 = 0.9;
/// `h_new / h` bounds: `1/FACL ≤ h_new/h ≤ 1/FACR`.
pub(super) const FACL: f64 = 5.0;
pub(super) const FACR: f64 = 0.125;
/// A fifth singular matrix ends the integration.
pub(super) const MAX_SINGULAR: u32 = 5;

/// What the next attempt starts with (RADAU5's and RADAU's labels 10, 20, 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// Evaluate the Jacobian, then factor.
    Jacobian,
    /// Factor with the Jacobian held.
    Factor,
    /// Reuse the factorisations.
    Reuse,
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

/// Hairer's RADAU5 (Radau IIA, order 5) for a system of `N` real components.
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
/// with [`Radau5::reset`]; with dense linear algebra the method suits `N` up to a few hundred.
#[derive(Debug, Clone)]
pub struct Radau5<Sys, const N: usize, R: Real = f64, W: Storage = Inline> {
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
    /// The collocation polynomial of the last step (RADAU5's `CONT(N+1..4N)`).
    cont: [[R; N]; 3],
    jac: W::Matrix<R, N>,
    /// Whether `jac` was evaluated at the current point (RADAU5's `CALJAC`).
    jac_fresh: bool,
    /// Whether `jac` holds a Jacobian at all.
    jac_valid: bool,
    /// The factors of `(γ/h) I − J` and `((α + iβ)/h) I − J` (RADAU5's `E1` and `E2R`, `E2I`).
    lu: RealComplexLu<R, N, W>,
    start: Start,
    rtol: R,
    atol: [R; N],
    /// `1 / (atol'_i + rtol' |y_i|)`: the norms multiply instead of dividing.
    inv_scal: [R; N],
    fnewt: R,
    faccon: Faccon<R>,
    theta: R,
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

impl<Sys, const N: usize, R> Radau5<Sys, N, R>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (before `t0` for a
    /// backward integration). Costs one evaluation of `f`, two without a `first_step` (the
    /// automatic choice of *Solving ODEs I*, II.4, with the exponent `1/4` of the order-3
    /// error estimate, as SciPy's `Radau`).
    ///
    /// The settings' `controller` is not used: the method has its own (see the module docs).
    pub fn new(
        sys: Sys,
        t0: R,
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<Self, Error> {
        Self::with_storage(sys, t0, y0, t_bound, settings)
    }
}

#[cfg(feature = "alloc")]
impl<Sys, const N: usize, R> Radau5<Sys, N, R, Heap>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    /// As [`Radau5::new`], in a box, with each `N × N` matrix in a box of its own: nothing of
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
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        let mut st = alloc::boxed::Box::new(Self::unstarted(sys, settings.into()));
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }
}

impl<Sys, const N: usize, R, W> Radau5<Sys, N, R, W>
where
    Sys: OdeSystem<N, R>,
    R: Real,
    W: Storage,
{
    /// As [`Radau5::new`], with the matrices in the storage `W` ([`Inline`] or, feature
    /// `alloc`, [`crate::linalg::Heap`]).
    ///
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (before `t0` for a
    /// backward integration). Costs one evaluation of `f`, two without a `first_step` (the
    /// automatic choice of *Solving ODEs I*, II.4, with the exponent `1/4` of the order-3
    /// error estimate, as SciPy's `Radau`).
    ///
    /// The settings' `controller` is not used: the method has its own (see the module docs).
    pub fn with_storage(
        sys: Sys,
        t0: R,
        y0: [R; N],
        t_bound: R,
        settings: impl Into<Settings<R, N>>,
    ) -> Result<Self, Error> {
        // Built whole before anything is checked, then started in place by a call that is
        // never inlined: see [`Radau5::reset`] for why.
        let mut st = Self::unstarted(sys, settings.into());
        st.reset(t0, y0, t_bound)?;
        Ok(st)
    }

    /// A stepper holding `sys` and `settings` that has not started: every work area zero,
    /// nothing checked. [`Radau5::reset`] starts it.
    fn unstarted(sys: Sys, settings: Settings<R, N>) -> Self {
        Radau5 {
            sys,
            t: R::zero(),
            y: [R::zero(); N],
            f: [R::zero(); N],
            t_prev: R::zero(),
            t_bound: R::zero(),
            dir: R::one(),
            h: R::zero(),
            h_old: R::zero(),
            cont: [[R::zero(); N]; 3],
            jac: W::matrix(R::zero()),
            jac_fresh: false,
            jac_valid: false,
            lu: RealComplexLu::zeroed(),
            start: Start::Jacobian,
            rtol: R::zero(),
            atol: [R::zero(); N],
            inv_scal: [R::zero(); N],
            fnewt: R::zero(),
            faccon: Faccon::new(),
            theta: R::from_f64(THET),
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

    /// Starts a new integration from `(t0, y0)` towards `t_bound` in place, with the system
    /// and settings the stepper was made with: the counters start again from zero. A stepper
    /// placed once in a `static` or a `Box` is reused this way without passing through the
    /// stack (a `Radau5` holds `4·N²` reals: 8 MB for `N = 500` in `f64`).
    ///
    /// This is also how [`Radau5::new`] starts, and why it is never inlined: a function whose
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
    pub fn reset(&mut self, t0: R, y0: [R; N], t_bound: R) -> Result<(), Error> {
        let (tol, raised) = self.settings.start_checks(t0, &y0, t_bound)?;
        super::refuse_zero_atol(&tol)?;
        // RADAU5's conversion of the tolerances.
        let rtol = tol.rtol();
        let rtol_t = R::from_f64(0.1) * rtol.powf(R::from_f64(2.0 / 3.0));
        for i in 0..N {
            self.atol[i] = rtol_t * tol.atol(i) / rtol;
        }
        let eps = R::epsilon();
        self.fnewt = (R::from_f64(10.0) * eps / rtol_t).max(R::from_f64(0.03).min(rtol_t.sqrt()));
        self.rtol = rtol_t;
        self.user_tol = tol;
        self.t = t0;
        self.y = y0;
        self.t_prev = t0;
        self.t_bound = t_bound;
        self.dir = if t_bound < t0 { -R::one() } else { R::one() };
        self.h = R::zero();
        self.h_old = R::zero();
        self.cont = [[R::zero(); N]; 3];
        self.jac_fresh = false;
        self.jac_valid = false;
        self.n_singular = 0;
        self.stats = Stats {
            rtol_raised: raised,
            ..Stats::default()
        };
        self.finished = t0 == t_bound;
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
                4,
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
        self.theta = R::from_f64(THET);
        self.gustafsson = None;
        self.h_old = R::zero();
        self.jac_fresh = false;
        Ok(())
    }

    fn set_scal(&mut self) {
        for i in 0..N {
            self.inv_scal[i] = R::one() / (self.atol[i] + self.rtol * self.y[i].abs());
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

    /// Factors `(γ/h) I − J` and `((α + iβ)/h) I − J`.
    fn factor(&mut self) -> bool {
        let h = self.h;
        let fac1 = R::from_f64(tab::GAMMA) / h;
        let alphn = R::from_f64(tab::ALPHA) / h;
        let betan = R::from_f64(tab::BETA) / h;
        self.stats.nlu += 1;
        let jac = &self.jac;
        self.lu
            .factor_with(|i, j| {
                let m = -jac[i][j];
                if i == j {
                    (fac1 + m, Complex::new(alphn + m, betan))
                } else {
                    (m, Complex::new(m, R::zero()))
                }
            })
            .is_ok()
    }

    /// Starting values of the Newton iteration: the stage increments `z` and their transforms
    /// `w = T⁻¹ z`.
    fn starting_values(&self, z: &mut [[R; N]; 3], w: &mut [[R; N]; 3]) {
        if self.first || self.h_old.is_zero() {
            *z = [[R::zero(); N]; 3];
            *w = [[R::zero(); N]; 3];
            return;
        }
        let c = |x: f64| R::from_f64(x);
        let c3q = self.h / self.h_old;
        let c1q = c(tab::C1) * c3q;
        let c2q = c(tab::C2) * c3q;
        let (c1m1, c2m1) = (c(tab::C1M1), c(tab::C2M1));
        for i in 0..N {
            let (ak1, ak2, ak3) = (self.cont[0][i], self.cont[1][i], self.cont[2][i]);
            let z1 = c1q * (ak1 + (c1q - c2m1) * (ak2 + (c1q - c1m1) * ak3));
            let z2 = c2q * (ak1 + (c2q - c2m1) * (ak2 + (c2q - c1m1) * ak3));
            let z3 = c3q * (ak1 + (c3q - c2m1) * (ak2 + (c3q - c1m1) * ak3));
            z[0][i] = z1;
            z[1][i] = z2;
            z[2][i] = z3;
            for k in 0..3 {
                w[k][i] = c(tab::TI[k][0]) * z1 + c(tab::TI[k][1]) * z2 + c(tab::TI[k][2]) * z3;
            }
        }
    }

    /// The simplified Newton iteration for the stages of the step `h` from `(t, y)`.
    fn newton(
        &mut self,
        z: &mut [[R; N]; 3],
        w: &mut [[R; N]; 3],
        non_finite_at: &mut Option<R>,
    ) -> Result<Newton, Error> {
        let c = |x: f64| R::from_f64(x);
        let h = self.h;
        let fac1 = c(tab::GAMMA) / h;
        let alphn = c(tab::ALPHA) / h;
        let betan = c(tab::BETA) / h;
        let nodes = [c(tab::C1), c(tab::C2), R::one()];
        let rule = RadauRule::new(&mut self.faccon, &mut self.theta, self.fnewt, NIT);
        let mut it = NewtonIteration::new(rule, NIT);
        let denom = R::from_f64((3 * N).max(1) as f64);
        let outcome = loop {
            if let Err(failed) = it.next() {
                break failed;
            }
            super::budget(&self.stats, self.settings.max_nfev, 3)?;
            // f at the three stages.
            let mut fz = [[R::zero(); N]; 3];
            let mut arg = [R::zero(); N];
            for k in 0..3 {
                for i in 0..N {
                    arg[i] = self.y[i] + z[k][i];
                }
                self.sys.rhs(self.t + nodes[k] * h, &arg, &mut fz[k]);
            }
            self.stats.nfev += 3;
            // A non-finite value of f needs no test here: it reaches every component of the
            // solve that depends on it, and so the norm below.
            // Right-hand sides of the transformed systems, solved in place.
            let mut r1 = [R::zero(); N];
            let mut r2 = [R::zero(); N];
            let mut r3 = [R::zero(); N];
            for i in 0..N {
                let (a1, a2, a3) = (fz[0][i], fz[1][i], fz[2][i]);
                let t1 = c(tab::TI[0][0]) * a1 + c(tab::TI[0][1]) * a2 + c(tab::TI[0][2]) * a3;
                let t2 = c(tab::TI[1][0]) * a1 + c(tab::TI[1][1]) * a2 + c(tab::TI[1][2]) * a3;
                let t3 = c(tab::TI[2][0]) * a1 + c(tab::TI[2][1]) * a2 + c(tab::TI[2][2]) * a3;
                let (s2, s3) = (-w[1][i], -w[2][i]);
                r1[i] = t1 - w[0][i] * fac1;
                r2[i] = t2 + s2 * alphn - s3 * betan;
                r3[i] = t3 + s3 * alphn + s2 * betan;
            }
            self.lu.solve(&mut r1, &mut r2, &mut r3);
            let mut sum = R::zero();
            for i in 0..N {
                let s = self.inv_scal[i];
                let (d1, d2, d3) = (r1[i] * s, r2[i] * s, r3[i] * s);
                sum = sum + d1 * d1 + d2 * d2 + d3 * d3;
            }
            let dyno = (sum / denom).sqrt();
            if !dyno.is_finite() {
                *non_finite_at = Some(self.t + h);
            }
            if let Some(stop) = it.corrected(dyno) {
                break stop;
            }
            for i in 0..N {
                let f1 = w[0][i] + r1[i];
                let f2 = w[1][i] + r2[i];
                let f3 = w[2][i] + r3[i];
                w[0][i] = f1;
                w[1][i] = f2;
                w[2][i] = f3;
                z[0][i] = c(tab::T[0][0]) * f1 + c(tab::T[0][1]) * f2 + c(tab::T[0][2]) * f3;
                z[1][i] = c(tab::T[1][0]) * f1 + c(tab::T[1][1]) * f2 + c(tab::T[1][2]) * f3;
                z[2][i] = c(tab::T[2][0]) * f1 + f2;
            }
            if let Some(done) = it.applied(dyno) {
                break done;
            }
        };
        Ok(it.count(outcome, &mut self.stats))
    }

    /// The error estimate of the step with stage increments `z` (eqs. (8.20)–(8.21)).
    fn error_estimate(&mut self, z: &[[R; N]; 3]) -> Result<R, Error> {
        let c = |x: f64| R::from_f64(x);
        let h = self.h;
        let (hee1, hee2, hee3) = (c(tab::DD1) / h, c(tab::DD2) / h, c(tab::DD3) / h);
        let mut f2 = [R::zero(); N];
        let mut e = [R::zero(); N];
        for i in 0..N {
            f2[i] = hee1 * z[0][i] + hee2 * z[1][i] + hee3 * z[2][i];
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

impl<Sys, const N: usize, R, W: Storage> Stepper<R, N> for Radau5<Sys, N, R, W>
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
        let mut z = [[R::zero(); N]; 3];
        let mut w = [[R::zero(); N]; 3];
        loop {
            // The smallest step: RADAU5's `0.1 |h| ≤ |t| uround`, and the user's bound.
            let h_abs = self.h.abs();
            let spacing = self.t.abs() * R::epsilon();
            // A last step forced short by the bound is exempt: the error control did not ask
            // for it.
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
            if self.start != Start::Reuse && !self.factor() {
                self.n_singular += 1;
                if self.n_singular >= MAX_SINGULAR {
                    return Err(Error::SingularMatrix { t: self.t.to_f64() });
                }
                self.retry(c(0.5));
                continue;
            }
            // From here on a failure refactors (RADAU5 jumps to 10 or 20, never to 30).
            self.starting_values(&mut z, &mut w);
            let newt = match self.newton(&mut z, &mut w, &mut non_finite_at)? {
                Newton::Converged(n) => n,
                Newton::Shrink(f) => {
                    self.retry(c(f));
                    continue;
                }
                Newton::Failed => {
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
            let fac = c(SAFE)
                .min(c(SAFE * (1.0 + 2.0 * NIT as f64)) / R::from_f64((newt + 2 * NIT) as f64));
            let mut quot = c(FACR).max(c(FACL).min(error_root(err, 3) / fac));
            let mut h_new = self.h / quot;
            if err >= R::one() {
                // Rejected.
                if self.first {
                    self.retry(c(0.1));
                } else {
                    let r = h_new / self.h;
                    self.retry(r);
                }
                continue;
            }
            // Accepted: the new point, its derivative, then the bookkeeping.
            let mut y_new = self.y;
            for i in 0..N {
                y_new[i] = y_new[i] + z[2][i];
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
            // Gustafsson's predictive controller (eq. (8.25)).
            if let Some(previous) = self.gustafsson {
                quot = gustafsson_quot(quot, previous, self.h, err, 3);
                h_new = self.h / quot;
            }
            self.gustafsson = Some((self.h, err.max(c(1e-2))));
            self.first = false;
            self.n_singular = 0;
            self.stats.n_accepted += 1;
            for i in 0..N {
                let [d1, d2, d3] = radau5_differences(z[0][i], z[1][i], z[2][i]);
                self.cont[0][i] = d1;
                self.cont[1][i] = d2;
                self.cont[2][i] = d3;
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
        let c = |x: f64| R::from_f64(x);
        let s = (t - self.t) / self.h_old;
        let (c1m1, c2m1) = (c(tab::C1M1), c(tab::C2M1));
        let mut out = self.y;
        for i in 0..N {
            out[i] = out[i]
                + s * (self.cont[0][i]
                    + (s - c2m1) * (self.cont[1][i] + (s - c1m1) * self.cont[2][i]));
        }
        Ok(out)
    }

    fn dense_terms(&self) -> usize {
        4
    }

    fn dense_coefficients(&mut self, out: &mut [[R; N]]) {
        // y + s(k1 + (s − a)(k2 + (s − b) k3)) with s = θ − 1, a = c2 − 1, b = c1 − 1,
        // multiplied out: q0 + q1 s + q2 s² + q3 s³, then shifted to θ.
        let c = |x: f64| R::from_f64(x);
        let (a, b) = (c(tab::C2M1), c(tab::C1M1));
        let [k1, k2, k3] = if self.h_old.is_zero() {
            [[R::zero(); N]; 3]
        } else {
            self.cont
        };
        let (two, three) = (c(2.0), c(3.0));
        for i in 0..N {
            let q0 = self.y[i];
            let q1 = k1[i] - a * k2[i] + a * b * k3[i];
            let q2 = k2[i] - (a + b) * k3[i];
            let q3 = k3[i];
            out[0][i] = q0 - q1 + q2 - q3;
            out[1][i] = q1 - two * q2 + three * q3;
            out[2][i] = q2 - three * q3;
            out[3][i] = q3;
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
        if self.finished {
            return Ok(());
        }
        self.eval_start()
    }
}

/// Twenty times `|t| ε`: twice the smallest step RADAU5's test `0.1 |h| > |t| ε` admits at `t`.
fn step_floor<R: Real>(t: R) -> R {
    R::from_f64(20.0) * t.abs() * R::epsilon()
}

/// The first attempt of a Radau integration, or of a restart, from `(t, y)`, as RADAU5 and
/// RADAU start: evaluates `f = f(t, y)` (an error if not finite) and takes the user's first
/// step or, at one more evaluation, [`initial_step`]'s estimate with its `order` argument,
/// capped by `max_step` and the span; a step that
/// (nearly) reaches `t_bound` lands on it. It starts with a Jacobian, or with a factorisation
/// when a constant Jacobian is already held.
pub(super) fn first_attempt<Sys, const N: usize, R>(
    sys: &Sys,
    (t, y, t_bound, dir): (R, &[R; N], R, R),
    f: &mut [R; N],
    (first_step, max_step, order, tol): (Option<R>, R, u32, &Tolerances<R, N>),
    (stats, max_nfev): (&mut Stats, usize),
    jac_valid: bool,
) -> Result<NextAttempt<R>, Error>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    super::budget(stats, max_nfev, 1)?;
    sys.rhs(t, y, f);
    stats.nfev += 1;
    if f.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFiniteDerivative { t: t.to_f64() });
    }
    let max_abs = max_step.min((t_bound - t).abs());
    let h_abs = match first_step {
        Some(h) => h.min(max_abs),
        None => {
            super::budget(stats, max_nfev, 1)?;
            stats.nfev += 1;
            initial_step(
                |t, y, out| sys.rhs(t, y, out),
                t,
                y,
                f,
                dir,
                order,
                tol,
                max_abs,
            )
        }
    }
    // As SciPy: a first step below the step floor (`0.1 |h| ≤ |t| ε`, RADAU5's test) is raised
    // above it, with a margin, so that an automatic first step of 1e-6 at t = 1.7e9 does not
    // fail at once; a span shorter than that is one step to the bound.
    .max(step_floor(t));
    let start = if Sys::JACOBIAN == JacobianKind::Constant && jac_valid {
        Start::Factor
    } else {
        Start::Jacobian
    };
    let h = dir * h_abs;
    if dir * (t + h * R::from_f64(STRETCH) - t_bound) >= R::zero() {
        return Ok(NextAttempt {
            h: t_bound - t,
            last: true,
            start,
        });
    }
    Ok(NextAttempt {
        h,
        last: false,
        start,
    })
}

/// The divided differences `q[1, c_2]`, `q[1, c_2, c_1]`, `q[1, c_2, c_1, 0]` of the cubic `q`
/// with `q(0) = 0`, `q(c_k) = z_k` (`c_3 = 1`), in RADAU5's operation order (its `CONT`, eq.
/// (8.25) of *Solving ODEs II*, IV.8, in Newton form): the dense output of a three-stage step.
#[inline]
pub(super) fn radau5_differences<R: Real>(z1: R, z2: R, z3: R) -> [R; 3] {
    let c = |x: f64| R::from_f64(x);
    let d1 = (z2 - z3) / c(tab::C2M1);
    let ak = (z1 - z2) / c(tab::C1MC2);
    let acont3 = (ak - z1 / c(tab::C1)) / c(tab::C2);
    let d2 = (ak - d1) / c(tab::C1M1);
    [d1, d2, d2 - acont3]
}

/// Evaluates the Jacobian at `(t, y)` (`f = f(t, y)`) into `jac` for RADAU5 and RADAU alike:
/// a constant Jacobian held is kept; finite differences are charged to the evaluation budget
/// first (at most `N` evaluations, one per colour for coloured ones); `njev` and `nfev` count.
#[inline]
pub(super) fn jacobian_at<Sys, const N: usize, R>(
    sys: &Sys,
    (t, y, f): (R, &[R; N], &[R; N]),
    jac: &mut [[R; N]; N],
    jac_valid: &mut bool,
    stats: &mut Stats,
    max_nfev: usize,
) -> Result<(), Error>
where
    Sys: OdeSystem<N, R>,
    R: Real,
{
    if Sys::JACOBIAN == JacobianKind::Constant && *jac_valid {
        return Ok(());
    }
    if matches!(
        Sys::JACOBIAN,
        JacobianKind::FiniteDifferences | JacobianKind::ColoredFiniteDifferences
    ) {
        super::budget(stats, max_nfev, N)?;
    }
    stats.nfev += sys.newton_jacobian(t, y, f, jac);
    stats.njev += 1;
    *jac_valid = true;
    Ok(())
}

/// `x^{1/(s+1)}`, the root of an `s`-stage error estimate (of order `s`) in the step-size
/// formulas ([`kth_root`]: square roots for `s = 3` and `7`).
#[inline(always)]
pub(super) fn error_root<R: Real>(x: R, s: usize) -> R {
    kth_root(x, R::from_f64(s as f64 + 1.0))
}

/// Gustafsson's predictive controller (*Solving ODEs II*, IV.8, eq. (8.25)), as RADAU5 and
/// RADAU apply it after an accepted step: with the step `h_acc` and error `err_acc` of the
/// previous accepted step, the divisor `quot` of the step (`h_new = h / quot`) becomes the
/// larger of its own and the predictive one.
#[inline(always)]
pub(super) fn gustafsson_quot<R: Real>(
    quot: R,
    (h_acc, err_acc): (R, R),
    h: R,
    err: R,
    s: usize,
) -> R {
    let c = |x: f64| R::from_f64(x);
    let facgus = (h_acc / h) * error_root(err * err / err_acc, s) / c(SAFE);
    quot.max(c(FACR).max(c(FACL).min(facgus)))
}

/// The next attempt after an accepted step, as RADAU5 and RADAU choose it.
pub(super) struct NextAttempt<R> {
    /// Its signed step.
    pub(super) h: R,
    /// Whether it lands on the bound.
    pub(super) last: bool,
    /// What it starts with.
    pub(super) start: Start,
}

/// From the proposed `h_new` after an accepted step `h` ending at `t`: `h_new` is capped by
/// `max_step` and the rest of the span, and by `|h|` after a rejection; a step that reaches
/// the bound, or comes within 1 % of it, lands on it (RADAU5 only lands when it reaches it;
/// the 1 % keeps a sliver of a few ulps, left by rounding when steps of `max_step` divide the
/// span, from ever being attempted). The Jacobian is kept when the last contraction rate was
/// at most `THET`, the factorisations too when `h_new / h ∈ [QUOT1, QUOT2]` (then `h` stays).
#[inline(always)]
pub(super) fn next_attempt<R: Real>(
    (t, t_bound, dir): (R, R, R),
    h: R,
    h_new: R,
    reject: bool,
    theta: R,
    max_step: R,
    constant_jacobian: bool,
) -> NextAttempt<R> {
    let c = |x: f64| R::from_f64(x);
    let h_max = max_step.min((t_bound - t).abs());
    // A proposal below the step floor at the new `t` is raised above it (see `first_attempt`).
    let mut h_new = dir * h_new.abs().min(h_max).max(step_floor(t));
    if reject {
        h_new = dir * h_new.abs().min(h.abs());
    }
    let keep_jac = theta <= c(THET);
    let refactor = if keep_jac || constant_jacobian {
        Start::Factor
    } else {
        Start::Jacobian
    };
    if dir * (t + h_new * c(STRETCH) - t_bound) >= R::zero() {
        return NextAttempt {
            h: t_bound - t,
            last: true,
            start: refactor,
        };
    }
    let qt = h_new / h;
    if keep_jac && qt >= c(QUOT1) && qt <= c(QUOT2) {
        return NextAttempt {
            h,
            last: false,
            start: Start::Reuse,
        };
    }
    NextAttempt {
        h: h_new,
        last: false,
        start: refactor,
    }
}

impl<Sys, const N: usize, R: Real, W: Storage> Radau5<Sys, N, R, W> {
    fn check_in_step(&self, t: R) -> Result<(), Error> {
        crate::integrator::in_step(self.t_prev, self.t, t)
    }
}

#[cfg(test)]
mod tests {
    use super::Faccon;
    use crate::test_rng::lcg;

    /// RADAU5's own bookkeeping: the power taken at the start of every iteration.
    struct Eager(f64);

    #[test]
    fn the_lazy_power_gives_radau5s_test_bit_for_bit() {
        // Random Newton histories: iterations that start, test after their first iterate,
        // and go on (setting Θ / (1 − Θ)) or stop; the decisions and the values read must be
        // those of the eager power, including after iterations that stop before any value is
        // set (several powers owed) and with Θ / (1 − Θ) above 1.
        let mut state = 11u64;
        let (mut owed_twice, mut powered_tests, mut skipped_tests) = (0, 0, 0);
        for _ in 0..200 {
            let (mut lazy, mut eager) = (Faccon::<f64>::new(), Eager(1.0));
            let fnewt = 1e-4 * (1.0 + 100.0 * lcg(&mut state));
            for _ in 0..50 {
                lazy.start_iteration();
                eager.0 = eager.0.max(f64::EPSILON).powf(0.8);
                owed_twice += usize::from(lazy.owed >= 2);
                // The first iterate's test.
                let dyno = fnewt * 10f64.powf(4.0 * lcg(&mut state) - 2.0);
                let before = lazy.owed;
                let converged = lazy.converged(dyno, fnewt);
                assert_eq!(converged, eager.0 * dyno <= fnewt);
                if lazy.owed == 0 && before > 0 {
                    powered_tests += 1;
                    assert_eq!(lazy.value.to_bits(), eager.0.to_bits());
                } else if before > 0 {
                    skipped_tests += 1;
                }
                if converged {
                    continue;
                }
                match (4.0 * lcg(&mut state)) as u32 {
                    // Stopped without a contraction rate (diverged, non-finite): owed stays.
                    0 => {}
                    // Θ measured at the second iterate, then a test with it.
                    _ => {
                        let theta = 0.95 * lcg(&mut state);
                        let v = lazy.set_from(theta);
                        eager.0 = theta / (1.0 - theta);
                        assert_eq!(v.to_bits(), eager.0.to_bits());
                        let dyno = fnewt * 10f64.powf(2.0 * lcg(&mut state) - 1.0);
                        assert_eq!(lazy.converged(dyno, fnewt), eager.0 * dyno <= fnewt);
                    }
                }
            }
        }
        // The cases the test is for did occur.
        assert!(
            owed_twice > 100 && powered_tests > 100 && skipped_tests > 100,
            "{owed_twice} {powered_tests} {skipped_tests}"
        );
    }
}
