//! The step loop shared by every method.
//!
//! [`advance`] is the only loop, explicit and implicit methods alike. A method
//! ([`Attempts`]) proposes a step, *attempts* it (writing a candidate and its error norm, or
//! rejecting it: a Newton iteration that diverged, a singular matrix, a non-finite value),
//! has its controller type accept or reject the candidate (and choose the next step and
//! order), and moves to an accepted one. The loop checks every attempt against the method's
//! step floor ([`Floor`]: SciPy's ten ulps, or RADAU5's `0.1 |h| ≤ |t| ε`), counts accepted
//! and rejected attempts, and reports what made the step collapse (a non-finite value rather
//! than a plain underflow).
//!
//! The explicit and Rosenbrock methods share [`Core`] as well: given `(t, y, f(t, y))` and a
//! signed step `h` their attempt writes `ŷ ≈ y(t + h)` (and `f(t + h, ŷ)`) and returns its
//! error norm; [`Core::advance`] lands on the bound (stretching a step by up to 1 % rather
//! than leaving a sliver, as Hairer's codes do), enforces the evaluation budget, rejects
//! non-finite attempts and lets the [`ControlState`] (I, PI or predictive control) judge.
//! Radau IIA and Bdf implement [`Attempts`] themselves: their landing (planned after the
//! previous acceptance, or from the grid's compensated time), Jacobian reuse and controllers
//! are their published codes' own, which keeps Hairer's runs exact.

use crate::control::{initial_step, ControlState, Controller, StepControl, Tolerances};
use crate::error::Error;
use crate::scalar::{Real, Scalar};
use crate::stepper::Stats;
use crate::system::OdeSystem;
use num_traits::{Float, One, Zero};

/// Settings of an adaptive integration: tolerances, step bounds, evaluation budget and
/// controller. Built from [`Tolerances`] (`Tolerances::new(..).into()`) and refined with the
/// builder methods.
///
/// ```
/// use ode_core::{Settings, Tolerances};
/// let s: Settings<f64, 2> = Settings::new(Tolerances::new(1e-8, 1e-10))
///     .first_step(1e-4)
///     .max_step(0.5)
///     .max_nfev(100_000);
/// assert_eq!(s.tolerances().rtol(), 1e-8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "R: serde::Serialize",
        deserialize = "R: serde::Deserialize<'de> + Copy + Default"
    ))
)]
pub struct Settings<R, const N: usize> {
    pub(crate) tol: Tolerances<R, N>,
    pub(crate) first_step: Option<R>,
    pub(crate) max_step: R,
    pub(crate) min_step: R,
    pub(crate) max_nfev: usize,
    pub(crate) controller: Option<Controller<R>>,
    pub(crate) reuse_factors: bool,
}

impl<R: Real, const N: usize> Settings<R, N> {
    /// Defaults: automatic first step, no step bounds, no evaluation budget, the method's
    /// own controller.
    pub fn new(tol: Tolerances<R, N>) -> Self {
        Settings {
            tol,
            first_step: None,
            max_step: R::infinity(),
            min_step: R::zero(),
            max_nfev: usize::MAX,
            controller: None,
            reuse_factors: false,
        }
    }
    /// The size of the first step (instead of Hairer's automatic choice).
    pub fn first_step(mut self, h: R) -> Self {
        self.first_step = Some(h);
        self
    }
    /// The largest step magnitude allowed.
    pub fn max_step(mut self, h: R) -> Self {
        self.max_step = h;
        self
    }
    /// The smallest step magnitude allowed: needing a smaller one is an error
    /// ([`Error::StepSizeTooSmall`]).
    pub fn min_step(mut self, h: R) -> Self {
        self.min_step = h;
        self
    }
    /// The most right-hand-side evaluations the integration may spend.
    pub fn max_nfev(mut self, n: usize) -> Self {
        self.max_nfev = n;
        self
    }
    /// A step-size controller instead of the method's default.
    pub fn controller(mut self, c: Controller<R>) -> Self {
        self.controller = Some(c);
        self
    }
    /// [`Bdf`](crate::Bdf) only: keep the factors of `I − c J` while `c` stays within 30 % of
    /// the value they were made for (at most 20 steps, and until a Newton iteration fails with
    /// them), scaling each Newton correction by `2 / (1 + c/c̄)` — CVODE's rule (Hindmarsh et
    /// al., *ACM TOMS* 31 (2005) 363–396, §2.1; `dgmax = 0.3`, `msbp = 20`) — instead of
    /// refactoring at every change of the step or order as SciPy's `BDF` does (the default,
    /// which the tests reproduce step for step). Fewer factorisations, a few more iterations:
    /// worth it where the LU dominates, in large sparse systems.
    pub fn reuse_factorizations(mut self, on: bool) -> Self {
        self.reuse_factors = on;
        self
    }
    /// The tolerances.
    pub fn tolerances(&self) -> &Tolerances<R, N> {
        &self.tol
    }

    /// The checks that start an integration of `y0` over `[t0, t_bound]`: the span and state
    /// ([`check_start`]), the step options, then the tolerances; returns the tolerances with
    /// `rtol` raised to `100 ε` where it was below, and whether it was.
    pub(crate) fn start_checks<S: Scalar<Real = R>>(
        &self,
        t0: R,
        y0: &[S; N],
        t_bound: R,
    ) -> Result<(Tolerances<R, N>, bool), Error> {
        check_start(t0, y0, t_bound)?;
        self.check_steps(t0, t_bound)?;
        self.tol.validated()
    }

    /// Checks the step options for an integration over `[t0, t_bound]`.
    pub(crate) fn check_steps(&self, t0: R, t_bound: R) -> Result<(), Error> {
        let span = (t_bound - t0).abs();
        if self.max_step.is_nan() || self.max_step <= R::zero() {
            return Err(Error::InvalidOption {
                what: "max_step must be positive",
            });
        }
        if !(self.min_step >= R::zero() && self.min_step <= self.max_step) {
            return Err(Error::InvalidOption {
                what: "min_step must be non-negative and not above max_step",
            });
        }
        if let Some(h) = self.first_step {
            if !(h > R::zero() && h.is_finite()) {
                return Err(Error::InvalidOption {
                    what: "first_step must be positive and finite",
                });
            }
            if span > R::zero() && h > span {
                return Err(Error::InvalidOption {
                    what: "first_step exceeds the length of the span",
                });
            }
        }
        Ok(())
    }
}

/// Whether `t` lies between `t_prev` and `t` (either order), up to a few units in the last
/// place.
pub(crate) fn in_step<R: Real>(t_prev: R, t_now: R, t: R) -> Result<(), Error> {
    let (lo, hi) = if t_prev <= t_now {
        (t_prev, t_now)
    } else {
        (t_now, t_prev)
    };
    let slack = R::from_f64(4.0) * R::epsilon() * lo.abs().max(hi.abs());
    if t >= lo - slack && t <= hi + slack {
        Ok(())
    } else {
        Err(Error::OutsideInterpolant {
            t: t.to_f64(),
            interval: (lo.to_f64(), hi.to_f64()),
        })
    }
}

impl<R: Real, const N: usize> From<Tolerances<R, N>> for Settings<R, N> {
    fn from(tol: Tolerances<R, N>) -> Self {
        Settings::new(tol)
    }
}

/// The state every stepper holds and answers [`Stepper`](crate::Stepper)'s accessors from
/// ([`state_accessors!`](crate::stepper::state_accessors)): the current point and its
/// derivative, the time of the previous point, the bound and the direction towards it, the
/// counters, and whether the integration has reached the bound. What a method keeps beyond it
/// (stages, differences, matrices, controller memory) is its own.
#[derive(Debug, Clone)]
pub(crate) struct StepState<S: Scalar, const N: usize> {
    pub t: S::Real,
    pub y: [S; N],
    /// `f(t, y)`, or the method's stand-in for it (Bdf: the derivative of its interpolant).
    pub f: [S; N],
    pub t_prev: S::Real,
    pub t_bound: S::Real,
    /// ±1.
    pub dir: S::Real,
    pub stats: Stats,
    pub finished: bool,
}

impl<S: Scalar, const N: usize> StepState<S, N> {
    /// An integration from `(t0, y0)` towards `t_bound` with nothing counted yet; `f` is zero
    /// until the method evaluates it.
    pub fn started(t0: S::Real, y0: [S; N], t_bound: S::Real) -> Self {
        StepState {
            t: t0,
            y: y0,
            f: [S::zero(); N],
            t_prev: t0,
            t_bound,
            dir: if t_bound < t0 {
                -S::Real::one()
            } else {
                S::Real::one()
            },
            stats: Stats::default(),
            finished: t0 == t_bound,
        }
    }

    /// A state that has not started (every value zero, finished).
    pub fn unstarted() -> Self {
        let zero = S::Real::zero();
        StepState::started(zero, [S::zero(); N], zero)
    }

    /// `Err(TooManyEvaluations)` when `n` more evaluations of `f` would pass the budget `max_nfev`.
    #[inline]
    pub fn budget(&self, max_nfev: usize, n: usize) -> Result<(), Error> {
        if self.stats.nfev.saturating_add(n) > max_nfev {
            Err(Error::TooManyEvaluations { limit: max_nfev })
        } else {
            Ok(())
        }
    }

    /// Evaluates `f` at the current point into `f`, within the budget `max_nfev`: the start of
    /// an integration or of a restart. A non-finite value is [`Error::NonFiniteDerivative`] at
    /// `t`.
    pub fn evaluate_f<Sys: OdeSystem<N, S> + ?Sized>(
        &mut self,
        sys: &Sys,
        max_nfev: usize,
    ) -> Result<(), Error> {
        self.budget(max_nfev, 1)?;
        sys.rhs(self.t, &self.y, &mut self.f);
        self.stats.nfev += 1;
        if self.f.iter().any(|v| !v.all_finite()) {
            return Err(Error::NonFiniteDerivative { t: self.t.to_f64() });
        }
        Ok(())
    }

    /// Whether `t` lies in the last step, up to a few units in the last place.
    #[inline]
    pub fn check_in_step(&self, t: S::Real) -> Result<(), Error> {
        in_step(self.t_prev, self.t, t)
    }

    /// Moves to `(t, y)` inside the last step for a restart (an event's reset): the step is
    /// empty afterwards (`t_prev == t`); [`Error::InvalidRestart`] outside the step or for a
    /// non-finite state. Returns whether that point is the bound.
    pub fn restart_at(&mut self, t: S::Real, y: [S; N]) -> Result<bool, Error> {
        if self.check_in_step(t).is_err() || y.iter().any(|v| !v.all_finite()) {
            return Err(Error::InvalidRestart { t: t.to_f64() });
        }
        self.t = t;
        self.t_prev = t;
        self.y = y;
        self.finished = t == self.t_bound;
        Ok(self.finished)
    }
}

/// The smallest step a method attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Floor {
    /// Below ten units in the last place of `t` (at least the smallest positive number), or
    /// below the user's `min_step`, the step is not attempted (SciPy's rule).
    Ulps,
    /// RADAU5's `0.1 |h| ≤ |t| ε`, or below the user's `min_step`; a last step forced short by
    /// the bound is exempt (the error control did not ask for it).
    Radau5,
}

impl Floor {
    /// Whether a step of magnitude `h_abs` from `t` is refused (`forced`: a last step cut short
    /// by the bound).
    #[inline(always)]
    fn refuses<R: Real>(self, t: R, h_abs: R, min_step: R, forced: bool) -> bool {
        if h_abs.is_nan() {
            return true;
        }
        match self {
            Floor::Ulps => {
                let spacing = (t.abs() * R::epsilon()).max(R::min_positive_value());
                h_abs < (R::from_f64(10.0) * spacing).max(min_step)
            }
            Floor::Radau5 => {
                !forced && (R::from_f64(0.1) * h_abs <= t.abs() * R::epsilon() || h_abs < min_step)
            }
        }
    }
}

/// An attempt, or the move to its candidate, that did not work out: the method has set the
/// smaller step of the next attempt. `cause` (a non-finite value, a singular matrix) is what
/// is reported if the step size then collapses, instead of a plain step-size underflow.
pub(crate) struct Rejected(pub Option<Error>);

/// A method as the one step loop ([`advance`]) drives it: it proposes a step, attempts it,
/// has its controller accept or reject the candidate, and moves to an accepted one. The loop
/// keeps the floor, the counters of accepted and rejected attempts, and the cause to report.
pub(crate) trait Attempts<S: Scalar, const N: usize> {
    /// What an attempt hands its controller and the move to the new point: the error norm,
    /// what else the controller reads (the Newton iterations, the order), the stages. One
    /// lives in the loop's frame for the whole step, each attempt writing into it.
    type Candidate;

    /// A blank candidate.
    fn candidate() -> Self::Candidate;

    /// The method's rule for the smallest step.
    const FLOOR: Floor;

    /// The step state.
    fn state_mut(&mut self) -> &mut StepState<S, N>;

    /// The user's smallest step.
    fn min_step(&self) -> S::Real;

    /// Prepares the first attempt of a step (bounds on the proposal).
    #[inline(always)]
    fn begin(&mut self) {}

    /// The magnitude of the next attempt's step as the floor judges it, and whether it is a
    /// last step cut short by the bound.
    fn proposal(&self) -> (S::Real, bool);

    /// The signed step of the next attempt, landed on the bound where it reaches it.
    fn land(&mut self) -> S::Real;

    /// Attempts the step `h`, writing the candidate into `candidate`, or rejects it; an error
    /// ends the integration.
    fn attempt(
        &mut self,
        candidate: &mut Self::Candidate,
        h: S::Real,
    ) -> Result<Result<(), Rejected>, Error>;

    /// The controller's verdict on a candidate: `true` accepts it; `false` rejects it, with the
    /// next attempt's step set.
    fn judge(&mut self, candidate: &mut Self::Candidate, h: S::Real) -> bool;

    /// Moves to the accepted candidate (evaluating `f` there where the attempt did not); a
    /// rejection when the new point is not finite.
    fn accept(
        &mut self,
        candidate: &Self::Candidate,
        h: S::Real,
    ) -> Result<Result<(), Rejected>, Error>;
}

/// The one step loop of every method: makes one accepted step of `m`, or fails.
///
/// Each attempt's step is checked against the method's floor ([`Floor`]) and landed on the
/// bound; the method attempts it; a candidate goes to the method's controller, and an accepted
/// one becomes the new point. A rejected attempt counts in `n_rejected`; the cause of the last
/// failed attempt (a non-finite value, a singular matrix) is reported if the step then
/// collapses below the floor.
#[inline(always)]
pub(crate) fn advance<S: Scalar, const N: usize, M: Attempts<S, N>>(
    m: &mut M,
) -> Result<(), Error> {
    let state = m.state_mut();
    if state.finished {
        return Err(Error::Finished {
            t: state.t.to_f64(),
        });
    }
    m.begin();
    let mut candidate = M::candidate();
    let mut cause: Option<Error> = None;
    loop {
        let (h_abs, forced) = m.proposal();
        let t = m.state_mut().t;
        if M::FLOOR.refuses(t, h_abs, m.min_step(), forced) {
            return Err(cause.unwrap_or(Error::StepSizeTooSmall {
                t: t.to_f64(),
                h: h_abs.to_f64(),
            }));
        }
        let h = m.land();
        let moved = match m.attempt(&mut candidate, h)? {
            Ok(()) => {
                if m.judge(&mut candidate, h) {
                    m.accept(&candidate, h)?
                } else {
                    Err(Rejected(None))
                }
            }
            Err(rejected) => Err(rejected),
        };
        match moved {
            Ok(()) => {
                m.state_mut().stats.n_accepted += 1;
                return Ok(());
            }
            Err(Rejected(c)) => {
                m.state_mut().stats.n_rejected += 1;
                if c.is_some() {
                    cause = c;
                }
            }
        }
    }
}

/// The inputs and outputs of one attempt.
pub(crate) struct Trial<'a, S: Scalar, const N: usize> {
    pub t: S::Real,
    pub h: S::Real,
    pub y: &'a [S; N],
    pub f: &'a [S; N],
    pub y_new: &'a mut [S; N],
    pub f_new: &'a mut [S; N],
    pub tol: &'a Tolerances<S::Real, N>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Adaptive,
    Fixed,
}

/// The state of one integration: current and previous point, the step proposal, settings,
/// controller memory and counters.
#[derive(Debug, Clone)]
pub(crate) struct Core<S: Scalar, const N: usize> {
    pub state: StepState<S, N>,
    pub y_prev: [S; N],
    pub f_prev: [S; N],
    y_new: [S; N],
    f_new: [S; N],
    h_abs: S::Real,
    tol: Tolerances<S::Real, N>,
    max_step: S::Real,
    min_step: S::Real,
    max_nfev: usize,
    ctrl: ControlState<S::Real>,
    mode: Mode,
    /// The method's order (for the automatic first step after a restart).
    order: u32,
    /// The user's first step, used again after a restart.
    first_step: Option<S::Real>,
}

pub(crate) fn check_start<S: Scalar, const N: usize>(
    t0: S::Real,
    y0: &[S; N],
    t_bound: S::Real,
) -> Result<(), Error> {
    if !(t0.is_finite() && t_bound.is_finite()) {
        return Err(Error::NonFiniteSpan {
            t0: t0.to_f64(),
            t1: t_bound.to_f64(),
        });
    }
    if !(t_bound - t0).is_finite() {
        return Err(Error::NonFiniteSpan {
            t0: t0.to_f64(),
            t1: t_bound.to_f64(),
        });
    }
    if let Some(index) = y0.iter().position(|v| !v.all_finite()) {
        return Err(Error::NonFiniteInitialState { index });
    }
    Ok(())
}

impl<S: Scalar, const N: usize> Core<S, N> {
    #[allow(clippy::too_many_arguments)]
    fn blank(
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        tol: Tolerances<S::Real, N>,
        ctrl: ControlState<S::Real>,
        mode: Mode,
    ) -> Self {
        let zero = [S::zero(); N];
        Core {
            state: StepState::started(t0, y0, t_bound),
            y_prev: y0,
            f_prev: zero,
            y_new: zero,
            f_new: zero,
            h_abs: S::Real::zero(),
            tol,
            max_step: S::Real::infinity(),
            min_step: S::Real::zero(),
            max_nfev: usize::MAX,
            ctrl,
            mode,
            order: 1,
            first_step: None,
        }
    }

    /// Evaluates `f(t0, y0)`; a non-finite value is an error at `t0`.
    fn first_eval<Sys: OdeSystem<N, S>>(&mut self, sys: &Sys) -> Result<(), Error> {
        if self.state.finished {
            return Ok(());
        }
        self.state.evaluate_f(sys, self.max_nfev)?;
        self.f_prev = self.state.f;
        Ok(())
    }

    /// An adaptive integration from `(t0, y0)` towards `t_bound`, for a method of order `order`.
    pub fn adaptive<Sys: OdeSystem<N, S>>(
        sys: &Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: Settings<S::Real, N>,
        default_controller: Controller<S::Real>,
        order: u32,
    ) -> Result<Self, Error> {
        check_start(t0, &y0, t_bound)?;
        let (tol, raised) = settings.tol.validated()?;
        let ctrl = ControlState::new(settings.controller.unwrap_or(default_controller))?;
        settings.check_steps(t0, t_bound)?;
        let mut core = Core::blank(t0, y0, t_bound, tol, ctrl, Mode::Adaptive);
        core.max_step = settings.max_step;
        core.min_step = settings.min_step;
        core.max_nfev = settings.max_nfev;
        core.state.stats.rtol_raised = raised;
        core.first_eval(sys)?;
        if core.state.finished {
            return Ok(core);
        }
        core.order = order;
        core.first_step = settings.first_step;
        core.choose_first_step(sys)?;
        Ok(core)
    }

    /// Sets the step proposal for the first step from the current point: the user's
    /// `first_step`, or Hairer's automatic choice (one evaluation of `f`).
    fn choose_first_step<Sys: OdeSystem<N, S>>(&mut self, sys: &Sys) -> Result<(), Error> {
        let span = (self.state.t_bound - self.state.t).abs();
        let max_abs = self.max_step.min(span);
        self.h_abs = match self.first_step {
            Some(h) => h.min(max_abs),
            None => {
                if self.state.stats.nfev + 1 > self.max_nfev {
                    return Err(Error::TooManyEvaluations {
                        limit: self.max_nfev,
                    });
                }
                self.state.stats.nfev += 1;
                initial_step(
                    |t, y, out| sys.rhs(t, y, out),
                    self.state.t,
                    &self.state.y,
                    &self.state.f,
                    self.state.dir,
                    self.order,
                    &self.tol,
                    max_abs,
                )
            }
        };
        Ok(())
    }

    /// Restarts the integration at `(t, y)`, a point inside the last step (an event's reset):
    /// `f` is evaluated afresh, the controller forgets its history, and an adaptive method
    /// chooses a new first step as at the start; a fixed-step method keeps its step. The last
    /// step's interpolant is gone afterwards (the step is now empty, `t_prev == t`).
    pub fn restart<Sys: OdeSystem<N, S>>(
        &mut self,
        sys: &Sys,
        t: S::Real,
        y: [S; N],
    ) -> Result<(), Error> {
        let finished = self.state.restart_at(t, y)?;
        self.y_prev = y;
        if finished {
            self.f_prev = self.state.f;
            return Ok(());
        }
        self.state.evaluate_f(sys, self.max_nfev)?;
        self.f_prev = self.state.f;
        self.ctrl = self.ctrl.forgotten();
        if self.mode == Mode::Adaptive {
            self.choose_first_step(sys)?;
        }
        Ok(())
    }

    /// A fixed-step integration with step magnitude `h` (the last step is shortened to land on
    /// the bound) and an evaluation budget of `max_nfev`.
    pub fn fixed<Sys: OdeSystem<N, S>>(
        sys: &Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        h: S::Real,
        max_nfev: usize,
    ) -> Result<Self, Error> {
        check_start(t0, &y0, t_bound)?;
        if !(h > S::Real::zero() && h.is_finite()) {
            return Err(Error::InvalidOption {
                what: "the fixed step must be positive and finite",
            });
        }
        let one = S::Real::one();
        let tol = Tolerances::new(one, one);
        let ctrl = ControlState::new(Controller::integral())?;
        let mut core = Core::blank(t0, y0, t_bound, tol, ctrl, Mode::Fixed);
        core.h_abs = h;
        core.max_nfev = max_nfev;
        core.first_eval(sys)?;
        Ok(core)
    }

    /// The evaluation budget.
    #[inline]
    pub fn max_nfev(&self) -> usize {
        self.max_nfev
    }

    /// Sets the evaluation budget (fixed-step methods).
    pub fn set_max_nfev(&mut self, n: usize) {
        self.max_nfev = n;
    }

    /// Makes one accepted step. `cost` is the number of `f` evaluations one attempt spends,
    /// `k` the exponent of the error estimate. When the attempt leaves `f(t + h, ŷ)` to the
    /// loop (`f_new_in_attempt == false`, for methods whose error estimate does not use it),
    /// it is evaluated only once the step is accepted, as Hairer's DOP853 does.
    #[inline(always)]
    pub fn advance<Sys: OdeSystem<N, S>>(
        &mut self,
        sys: &Sys,
        cost: usize,
        k: S::Real,
        f_new_in_attempt: bool,
        mut attempt: impl FnMut(Trial<'_, S, N>) -> S::Real,
    ) -> Result<(), Error> {
        self.advance_fallible(sys, cost, k, f_new_in_attempt, |trial| Ok(attempt(trial)))
    }

    /// [`Core::advance`] for an attempt that may fail: a singular iteration matrix
    /// ([`Error::SingularMatrix`]) rejects the attempt and halves the step, as Hairer's RODAS
    /// does, and the fifth in a row ends the integration; any other error ends it at once.
    #[inline(always)]
    pub fn advance_fallible<Sys: OdeSystem<N, S>>(
        &mut self,
        sys: &Sys,
        cost: usize,
        k: S::Real,
        f_new_in_attempt: bool,
        attempt: impl FnMut(Trial<'_, S, N>) -> Result<S::Real, Error>,
    ) -> Result<(), Error> {
        let h_abs = self.h_abs;
        advance(&mut CoreAttempt {
            core: self,
            sys,
            cost,
            k,
            f_new_in_attempt,
            attempt,
            h_abs,
            next: h_abs,
            t_new: S::Real::zero(),
            singular: 0,
        })
    }
}

/// [`Core`] with a method's attempt, as the step loop drives it.
struct CoreAttempt<'a, S: Scalar, const N: usize, Sys, F> {
    core: &'a mut Core<S, N>,
    sys: &'a Sys,
    /// Evaluations of `f` an attempt spends.
    cost: usize,
    /// The exponent of the error estimate.
    k: S::Real,
    /// Whether the attempt evaluates `f(t + h, ŷ)` (or the loop does, once accepted).
    f_new_in_attempt: bool,
    attempt: F,
    /// The magnitude of the next attempt's step.
    h_abs: S::Real,
    /// The controller's proposal after an accepted step.
    next: S::Real,
    /// The end of the attempted step.
    t_new: S::Real,
    /// Singular matrices in a row.
    singular: u32,
}

impl<S, const N: usize, Sys, F> Attempts<S, N> for CoreAttempt<'_, S, N, Sys, F>
where
    S: Scalar,
    Sys: OdeSystem<N, S>,
    F: FnMut(Trial<'_, S, N>) -> Result<S::Real, Error>,
{
    type Candidate = S::Real;
    const FLOOR: Floor = Floor::Ulps;

    #[inline(always)]
    fn candidate() -> S::Real {
        S::Real::zero()
    }

    #[inline(always)]
    fn state_mut(&mut self) -> &mut StepState<S, N> {
        &mut self.core.state
    }

    #[inline(always)]
    fn min_step(&self) -> S::Real {
        self.core.min_step
    }

    /// As SciPy: a proposal below ten units in the last place of `t` (an automatic first step
    /// of 1e-6 at t = 1.7e9, say) is raised to that floor, and only an attempt that error
    /// control shrinks below it fails. A span shorter than the floor is one step to the bound.
    #[inline(always)]
    fn begin(&mut self) {
        let core = &*self.core;
        let spacing = (core.state.t.abs() * S::Real::epsilon()).max(S::Real::min_positive_value());
        let ulps = S::Real::from_f64(10.0) * spacing;
        self.h_abs = core.h_abs.min(core.max_step);
        if core.mode == Mode::Adaptive && self.h_abs < ulps {
            self.h_abs = ulps;
        }
    }

    #[inline(always)]
    fn proposal(&self) -> (S::Real, bool) {
        (self.h_abs, false)
    }

    /// Lands on the bound when the step reaches it or comes within 1 % of it.
    #[inline(always)]
    fn land(&mut self) -> S::Real {
        let st = &self.core.state;
        let mut t_new = st.t + st.dir * self.h_abs;
        if st.dir * (st.t + st.dir * self.h_abs * S::Real::from_f64(1.01) - st.t_bound)
            >= S::Real::zero()
        {
            t_new = st.t_bound;
        }
        self.t_new = t_new;
        t_new - st.t
    }

    #[inline(always)]
    fn attempt(
        &mut self,
        err_out: &mut S::Real,
        h: S::Real,
    ) -> Result<Result<(), Rejected>, Error> {
        let core = &mut *self.core;
        if core.state.stats.nfev.saturating_add(self.cost) > core.max_nfev {
            return Err(Error::TooManyEvaluations {
                limit: core.max_nfev,
            });
        }
        core.state.stats.nfev += self.cost;
        let t_new = self.t_new;
        let err = match (self.attempt)(Trial {
            t: core.state.t,
            h,
            y: &core.state.y,
            f: &core.state.f,
            y_new: &mut core.y_new,
            f_new: &mut core.f_new,
            tol: &core.tol,
        }) {
            Ok(err) => err,
            Err(e @ Error::SingularMatrix { .. }) => {
                self.singular += 1;
                if self.singular >= 5 {
                    return Err(e);
                }
                core.ctrl.reject();
                self.h_abs = S::Real::from_f64(0.5) * h.abs();
                return Ok(Err(Rejected(Some(e))));
            }
            Err(e) => return Err(e),
        };
        let mut finite = core.y_new.iter().all(|v| v.all_finite());
        if self.f_new_in_attempt {
            finite = finite && core.f_new.iter().all(|v| v.all_finite());
        }
        if !finite || err.is_nan() {
            let cause = if finite {
                // The values are finite but their weighted norm is not.
                Error::NonFiniteErrorNorm { t: t_new.to_f64() }
            } else {
                Error::NonFiniteDerivative { t: t_new.to_f64() }
            };
            if core.mode == Mode::Fixed {
                core.state.stats.n_rejected += 1;
                return Err(cause);
            }
            self.h_abs = core.ctrl.shrink(h.abs());
            return Ok(Err(Rejected(Some(cause))));
        }
        *err_out = err;
        Ok(Ok(()))
    }

    #[inline(always)]
    fn judge(&mut self, err: &mut S::Real, h: S::Real) -> bool {
        let core = &mut *self.core;
        match core.mode {
            Mode::Fixed => {
                self.next = core.h_abs;
                true
            }
            Mode::Adaptive => {
                let verdict = core.ctrl.judge(*err, h.abs(), self.k);
                if verdict.accept {
                    self.next = verdict.h_abs;
                } else {
                    self.h_abs = verdict.h_abs;
                }
                verdict.accept
            }
        }
    }

    #[inline(always)]
    fn accept(&mut self, _err: &S::Real, h: S::Real) -> Result<Result<(), Rejected>, Error> {
        let core = &mut *self.core;
        let t_new = self.t_new;
        if !self.f_new_in_attempt {
            if core.state.stats.nfev >= core.max_nfev {
                return Err(Error::TooManyEvaluations {
                    limit: core.max_nfev,
                });
            }
            self.sys.rhs(t_new, &core.y_new, &mut core.f_new);
            core.state.stats.nfev += 1;
            if !core.f_new.iter().all(|v| v.all_finite()) {
                self.h_abs = core.ctrl.shrink(h.abs());
                let cause = Error::NonFiniteDerivative { t: t_new.to_f64() };
                return Ok(Err(Rejected(Some(cause))));
            }
        }
        let st = &mut core.state;
        st.t_prev = st.t;
        st.t = t_new;
        core::mem::swap(&mut core.y_prev, &mut st.y);
        core::mem::swap(&mut st.y, &mut core.y_new);
        core::mem::swap(&mut core.f_prev, &mut st.f);
        core::mem::swap(&mut st.f, &mut core.f_new);
        core.h_abs = self.next;
        st.finished = t_new == st.t_bound;
        Ok(Ok(()))
    }
}
