//! Step handlers: user code that sees every accepted step (Apache Commons Math's
//! `StepHandler`), and the step normaliser that turns variable steps into output at fixed
//! intervals (Commons Math's `StepNormalizer`).
//!
//! A [`StepHandler`] receives a [`StepView`] after every accepted step: the step's interval and
//! end state, and its interpolant, which it may evaluate anywhere inside the step. When an event
//! cuts a step short (a terminal event, or a reset), the view ends at the event. The drivers
//! ([`crate::run`], and `solve_ivp`'s `t_eval`, step output and dense output) are built on
//! handlers, so what a handler sees is exactly what they use.
//!
//! Handlers compose: `()` ignores the steps, `(A, B)` hands each step to `A` then `B`, and
//! `&mut H` lends a handler. [`FnHandler`] wraps a closure.

use crate::error::Error;
use crate::scalar::{Real, Scalar};
use crate::stepper::{Stats, Stepper};
use num_traits::{Float, One, Zero};

/// One accepted step as a handler sees it: `[t_start, t_end]` in the order of integration, the
/// state at its end, and its interpolant.
pub struct StepView<'a, S: Scalar, const N: usize> {
    st: &'a mut dyn Stepper<S, N>,
    t_start: S::Real,
    t_end: S::Real,
    y_end: [S; N],
    is_last: bool,
}

impl<'a, S: Scalar, const N: usize> StepView<'a, S, N> {
    /// The view of the stepper's last step up to `t_end` (where an event may have cut it), with
    /// state `y_end` there.
    pub fn new(
        st: &'a mut dyn Stepper<S, N>,
        t_end: S::Real,
        y_end: [S; N],
        is_last: bool,
    ) -> Self {
        let t_start = st.t_prev();
        StepView {
            st,
            t_start,
            t_end,
            y_end,
            is_last,
        }
    }

    /// The start of the step.
    pub fn t_start(&self) -> S::Real {
        self.t_start
    }
    /// The end of the step (an event's time if one cut it).
    pub fn t_end(&self) -> S::Real {
        self.t_end
    }
    /// The signed length `t_end − t_start`.
    pub fn h(&self) -> S::Real {
        self.t_end - self.t_start
    }
    /// The state at `t_end`.
    pub fn y_end(&self) -> &[S; N] {
        &self.y_end
    }
    /// Whether this is the integration's last step (it reached its bound, or a terminal event
    /// stopped it).
    pub fn is_last(&self) -> bool {
        self.is_last
    }
    /// The work counters so far.
    pub fn stats(&self) -> Stats {
        self.st.stats()
    }

    /// The solution at `t` in `[t_start, t_end]`, from the method's continuous extension
    /// (exactly `y_end` at `t_end`).
    ///
    /// # Errors
    /// [`Error::OutsideInterpolant`] when `t` lies outside the step (beyond a few ulps).
    pub fn eval(&mut self, t: S::Real) -> Result<[S; N], Error> {
        if t == self.t_end {
            return Ok(self.y_end);
        }
        self.check_inside(t)?;
        self.st.dense(t)
    }

    /// `Ok` when `t` lies in `[t_start, t_end]`, up to a few ulps.
    fn check_inside(&self, t: S::Real) -> Result<(), Error> {
        let (lo, hi) = if self.t_start <= self.t_end {
            (self.t_start, self.t_end)
        } else {
            (self.t_end, self.t_start)
        };
        let slack = S::Real::from_f64(4.0) * S::Real::epsilon() * lo.abs().max(hi.abs());
        if t >= lo - slack && t <= hi + slack {
            Ok(())
        } else {
            Err(Error::OutsideInterpolant {
                t: t.to_f64(),
                interval: (self.t_start.to_f64(), self.t_end.to_f64()),
            })
        }
    }

    /// The derivative `dy/dt` at `t` in `[t_start, t_end]`, from the method's continuous
    /// extension ([`Stepper::dense_derivative`]).
    ///
    /// # Errors
    /// [`Error::OutsideInterpolant`] when `t` lies outside the step (beyond a few ulps).
    pub fn eval_derivative(&mut self, t: S::Real) -> Result<[S; N], Error> {
        self.check_inside(t)?;
        self.st.dense_derivative(t)
    }

    /// How many coefficient vectors [`StepView::coefficients`] writes.
    pub fn terms(&self) -> usize {
        self.st.dense_terms()
    }

    /// Writes the interpolant over this view in monomial form,
    /// `y(t_start + φ (t_end − t_start)) = Σ_k out[k] φ^k`, `φ ∈ [0, 1]`, into
    /// `out[..terms()]` (the method's polynomial, rescaled when an event cut the step).
    ///
    /// # Panics
    /// If `out` is shorter than [`StepView::terms`].
    pub fn coefficients(&mut self, out: &mut [[S; N]]) {
        let terms = self.st.dense_terms();
        self.st.dense_coefficients(&mut out[..terms]);
        let full = self.st.t() - self.st.t_prev();
        if full == S::Real::zero() || self.t_end == self.st.t() {
            return;
        }
        // θ = s φ with s the fraction of the step kept.
        let s = (self.t_end - self.t_start) / full;
        let mut p = S::Real::one();
        for c in out[..terms].iter_mut() {
            for v in c.iter_mut() {
                *v = *v * p;
            }
            p = p * s;
        }
    }
}

/// User code called after every accepted step (Commons Math's `StepHandler`).
///
/// ```
/// use ode_core::{run, NoEvents, OdeSystem, Rk23, StepHandler, StepView, Stepper, Tolerances};
///
/// struct Decay;
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
/// }
/// /// The largest interpolation error at step midpoints.
/// #[derive(Default)]
/// struct MidpointError { worst: f64, steps: usize }
/// impl StepHandler<f64, 1> for MidpointError {
///     fn handle_step(&mut self, step: &mut StepView<'_, f64, 1>) {
///         let t = step.t_start() + 0.5 * step.h();
///         let y = step.eval(t).unwrap();
///         self.worst = self.worst.max((y[0] - (-t).exp()).abs());
///         self.steps += 1;
///     }
/// }
/// let mut st = Rk23::new(Decay, 0.0, [1.0], 2.0, Tolerances::new(1e-8, 1e-10))?;
/// let mut h = MidpointError::default();
/// run(&mut st, NoEvents, &mut h, &mut |_| {})?;
/// assert_eq!(h.steps, st.stats().n_accepted);
/// assert!(h.worst < 1e-7);
/// # Ok::<(), ode_core::Error>(())
/// ```
pub trait StepHandler<S: Scalar, const N: usize> {
    /// Called once before the first step with the initial point and the bound.
    fn init(&mut self, _t0: S::Real, _y0: &[S; N], _t_bound: S::Real) {}
    /// Called after every accepted step.
    fn handle_step(&mut self, step: &mut StepView<'_, S, N>);
}

impl<S: Scalar, const N: usize> StepHandler<S, N> for () {
    #[inline]
    fn handle_step(&mut self, _step: &mut StepView<'_, S, N>) {}
}

impl<S: Scalar, const N: usize, H: StepHandler<S, N> + ?Sized> StepHandler<S, N> for &mut H {
    fn init(&mut self, t0: S::Real, y0: &[S; N], t_bound: S::Real) {
        (**self).init(t0, y0, t_bound)
    }
    fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
        (**self).handle_step(step)
    }
}

impl<S: Scalar, const N: usize, A: StepHandler<S, N>, B: StepHandler<S, N>> StepHandler<S, N>
    for (A, B)
{
    fn init(&mut self, t0: S::Real, y0: &[S; N], t_bound: S::Real) {
        self.0.init(t0, y0, t_bound);
        self.1.init(t0, y0, t_bound);
    }
    fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
        self.0.handle_step(step);
        self.1.handle_step(step);
    }
}

impl<S: Scalar, const N: usize, H: StepHandler<S, N>> StepHandler<S, N> for Option<H> {
    fn init(&mut self, t0: S::Real, y0: &[S; N], t_bound: S::Real) {
        if let Some(h) = self {
            h.init(t0, y0, t_bound)
        }
    }
    fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
        if let Some(h) = self {
            h.handle_step(step)
        }
    }
}

/// A closure as a step handler.
pub struct FnHandler<F>(pub F);

impl<S: Scalar, const N: usize, F: FnMut(&mut StepView<'_, S, N>)> StepHandler<S, N>
    for FnHandler<F>
{
    fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
        (self.0)(step)
    }
}

/// User code called at fixed-interval points (Commons Math's `FixedStepHandler`), through a
/// [`StepNormalizer`].
pub trait FixedStepHandler<S: Scalar, const N: usize> {
    /// Called once before the first point with the initial point and the bound.
    fn init(&mut self, _t0: S::Real, _y0: &[S; N], _t_bound: S::Real) {}
    /// Called at each output point; `is_last` on the final one.
    fn handle_point(&mut self, t: S::Real, y: &[S; N], is_last: bool);
}

impl<S: Scalar, const N: usize, F: FnMut(S::Real, &[S; N], bool)> FixedStepHandler<S, N> for F {
    fn handle_point(&mut self, t: S::Real, y: &[S; N], is_last: bool) {
        self(t, y, is_last)
    }
}

/// Where a [`StepNormalizer`] puts its grid (Commons Math's `StepNormalizerMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormalizerMode {
    /// `t0 + k h`: steps of `h` from the initial time.
    Increment,
    /// `k h`: the multiples of `h` (in the direction of integration).
    Multiples,
}

/// Which end points of the integration a [`StepNormalizer`] reports besides its grid
/// (Commons Math's `StepNormalizerBounds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormalizerBounds {
    /// Neither the initial nor the final point (unless they lie on the grid inside the span).
    Neither,
    /// The initial point, not the final one.
    First,
    /// The final point, not the initial one.
    Last,
    /// Both.
    Both,
}

impl NormalizerBounds {
    fn first(self) -> bool {
        matches!(self, NormalizerBounds::First | NormalizerBounds::Both)
    }
    fn last(self) -> bool {
        matches!(self, NormalizerBounds::Last | NormalizerBounds::Both)
    }
}

/// Turns variable steps into output at a fixed interval `h` (Commons Math's `StepNormalizer`),
/// handed to a [`FixedStepHandler`] with the values of the steps' interpolants.
///
/// Grid points strictly between the initial time `t0` and the end of the integration `t_end`
/// (the bound, or where a terminal event stopped it) are always reported. `t0` is reported when
/// the bounds include the first point; `t_end` when they include the last one, and otherwise
/// also when it is itself a grid point. The final report carries `is_last = true`: the normaliser
/// holds one point back to know which is final.
///
/// ```
/// use ode_core::{run, NoEvents, NormalizerBounds, NormalizerMode, OdeSystem, StepNormalizer,
///                Tsit5, Tolerances};
/// struct Decay;
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
/// }
/// let mut times = Vec::new();
/// let mut norm = StepNormalizer::new(0.25, NormalizerMode::Increment, NormalizerBounds::Both,
///     |t: f64, y: &[f64; 1], last: bool| {
///         assert!((y[0] - (-t).exp()).abs() < 1e-8);
///         times.push((t, last));
///     })?;
/// let mut st = Tsit5::new(Decay, 0.0, [1.0], 1.1, Tolerances::new(1e-10, 1e-12))?;
/// run(&mut st, NoEvents, &mut norm, &mut |_| {})?;
/// drop(norm);
/// assert_eq!(times, [(0.0, false), (0.25, false), (0.5, false), (0.75, false), (1.0, false),
///                    (1.1, true)]);
/// # Ok::<(), ode_core::Error>(())
/// ```
pub struct StepNormalizer<S: Scalar, const N: usize, H> {
    h: S::Real,
    mode: NormalizerMode,
    bounds: NormalizerBounds,
    handler: H,
    t0: S::Real,
    dir: S::Real,
    /// Index of the next grid point.
    k: S::Real,
    /// A point ready to report, held back until it is known whether it is the last.
    held: Option<(S::Real, [S; N])>,
}

impl<S: Scalar, const N: usize, H: FixedStepHandler<S, N>> StepNormalizer<S, N, H> {
    /// A normaliser with interval `h > 0`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `h` is not positive and finite.
    pub fn new(
        h: S::Real,
        mode: NormalizerMode,
        bounds: NormalizerBounds,
        handler: H,
    ) -> Result<Self, Error> {
        if !(h > S::Real::zero() && h.is_finite()) {
            return Err(Error::InvalidOption {
                what: "the normaliser's interval must be positive and finite",
            });
        }
        Ok(StepNormalizer {
            h,
            mode,
            bounds,
            handler,
            t0: S::Real::zero(),
            dir: S::Real::one(),
            k: S::Real::zero(),
            held: None,
        })
    }

    /// The wrapped handler.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// Gives the wrapped handler back.
    pub fn into_handler(self) -> H {
        self.handler
    }

    /// The `k`-th grid point.
    fn grid(&self, k: S::Real) -> S::Real {
        match self.mode {
            NormalizerMode::Increment => self.t0 + self.dir * k * self.h,
            NormalizerMode::Multiples => self.dir * k * self.h,
        }
    }

    fn emit(&mut self, t: S::Real, y: [S; N]) {
        if let Some((tp, yp)) = self.held.replace((t, y)) {
            self.handler.handle_point(tp, &yp, false);
        }
    }
}

impl<S: Scalar, const N: usize, H: FixedStepHandler<S, N>> StepHandler<S, N>
    for StepNormalizer<S, N, H>
{
    fn init(&mut self, t0: S::Real, y0: &[S; N], t_bound: S::Real) {
        self.handler.init(t0, y0, t_bound);
        self.t0 = t0;
        self.dir = if t_bound < t0 {
            -S::Real::one()
        } else {
            S::Real::one()
        };
        self.held = None;
        if t_bound == t0 {
            // An empty span: no step will come; its one point is both first and last.
            if self.bounds.first() || self.bounds.last() {
                self.handler.handle_point(t0, y0, true);
            }
            return;
        }
        // The first grid point strictly after t0.
        self.k = match self.mode {
            NormalizerMode::Increment => S::Real::one(),
            NormalizerMode::Multiples => {
                let k = (self.dir * t0 / self.h).floor() + S::Real::one();
                // Rounding may put k·h at t0 itself.
                if self.dir * (self.grid(k) - t0) <= S::Real::zero() {
                    k + S::Real::one()
                } else {
                    k
                }
            }
        };
        if self.bounds.first() {
            self.emit(t0, *y0);
        }
    }

    fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
        let t_end = step.t_end();
        loop {
            let tk = self.grid(self.k);
            let before_end = self.dir * (t_end - tk) > S::Real::zero();
            let at_end = tk == t_end;
            if !(before_end || at_end) {
                break;
            }
            if at_end && step.is_last() {
                // The final point: reported below, once.
                break;
            }
            if let Ok(y) = step.eval(tk) {
                self.emit(tk, y);
            }
            self.k = self.k + S::Real::one();
        }
        if step.is_last() {
            let on_grid = self.grid(self.k) == t_end;
            if self.bounds.last() || on_grid {
                let y = *step.y_end();
                self.emit(t_end, y);
            }
            if let Some((t, y)) = self.held.take() {
                self.handler.handle_point(t, &y, true);
            }
        }
    }
}
