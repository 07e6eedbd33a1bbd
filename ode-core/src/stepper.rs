//! The allocation-free stepping interface every method implements.
//!
//! A stepper owns the state of one integration: it advances by exactly one accepted step per
//! call to [`Stepper::step`], never past the bound it was built with, and afterwards can
//! interpolate anywhere inside that step. Everything it needs lives in fixed-size arrays, so the
//! whole interface works without `alloc`.

use crate::error::Error;
use crate::scalar::{Real, Scalar};
use num_traits::{One, Zero};

/// The [`Stepper`] accessors every stepper answers from its
/// [`StepState`](crate::integrator::StepState): `state_accessors!(core.state: S::Real, S)`
/// names the path to the state and the real and scalar types.
macro_rules! state_accessors {
    ($($state:ident).+ : $real:ty, $scalar:ty) => {
        #[inline]
        fn t(&self) -> $real {
            self.$($state).+.t
        }
        #[inline]
        fn y(&self) -> &[$scalar; N] {
            &self.$($state).+.y
        }
        #[inline]
        fn f(&self) -> &[$scalar; N] {
            &self.$($state).+.f
        }
        #[inline]
        fn t_prev(&self) -> $real {
            self.$($state).+.t_prev
        }
        #[inline]
        fn t_bound(&self) -> $real {
            self.$($state).+.t_bound
        }
        #[inline]
        fn is_finished(&self) -> bool {
            self.$($state).+.finished
        }
        #[inline]
        fn stats(&self) -> Stats {
            self.$($state).+.stats
        }
    };
}
pub(crate) use state_accessors;

/// Work counters of an integration. Every number is counted, not estimated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stats {
    /// Evaluations of the right-hand side (including those of the initial step selection and
    /// of dense-output stages).
    pub nfev: usize,
    /// Evaluations of the Jacobian.
    pub njev: usize,
    /// LU decompositions.
    pub nlu: usize,
    /// Accepted steps.
    pub n_accepted: usize,
    /// Rejected steps (error too large, or non-finite values in the attempt).
    pub n_rejected: usize,
    /// Newton iterations of the implicit methods that solve nonlinear stage equations (Radau,
    /// BDF): CVODE's `nni`. Zero for the explicit and the Rosenbrock methods.
    pub n_newton_iters: usize,
    /// Newton iterations that did not converge (diverged, too slow, or hit non-finite
    /// values): CVODE's `ncfn`.
    pub n_newton_failures: usize,
    /// Whether `rtol` was below `100 ε` and was raised to it.
    pub rtol_raised: bool,
}

impl Stats {
    /// Attempted steps: accepted plus rejected.
    #[inline]
    pub fn n_steps(&self) -> usize {
        self.n_accepted + self.n_rejected
    }
}

/// One integration in progress, advanced one accepted step at a time.
///
/// ```
/// use ode_core::{Dopri5, OdeSystem, Stepper, Tolerances};
///
/// struct Decay;
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
/// }
///
/// let mut rk = Dopri5::new(&Decay, 0.0, [1.0], 2.0, Tolerances::new(1e-8, 1e-10))?;
/// while !rk.is_finished() {
///     rk.step()?;
///     let mid = rk.dense(rk.t_prev() + 0.5 * rk.h())?;
///     let t_mid = rk.t_prev() + 0.5 * rk.h();
///     assert!((mid[0] - (-t_mid).exp()).abs() < 1e-7);
/// }
/// assert_eq!(rk.t(), 2.0);
/// assert!((rk.y()[0] - (-2.0f64).exp()).abs() < 1e-8);
/// # Ok::<(), ode_core::Error>(())
/// ```
pub trait Stepper<S: Scalar, const N: usize> {
    /// The current time.
    fn t(&self) -> S::Real;
    /// The current state.
    fn y(&self) -> &[S; N];
    /// `f(t(), y())`, the derivative at the current point.
    fn f(&self) -> &[S; N];
    /// The time at the start of the last accepted step (`t()` before the first step).
    fn t_prev(&self) -> S::Real;
    /// The signed length of the last accepted step, `t() − t_prev()`.
    fn h(&self) -> S::Real {
        self.t() - self.t_prev()
    }
    /// The bound the integration runs to.
    fn t_bound(&self) -> S::Real;
    /// Whether `t()` has reached the bound.
    fn is_finished(&self) -> bool;
    /// Makes one accepted step (retrying rejected attempts inside).
    fn step(&mut self) -> Result<(), Error>;
    /// The solution at `t` inside the last step, from the method's continuous extension.
    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error>;
    /// How many coefficient vectors [`Stepper::dense_coefficients`] writes (degree + 1).
    fn dense_terms(&self) -> usize;
    /// Writes the last step's interpolant in monomial form,
    /// `y(t_prev + θ h) = Σ_k out[k] θ^k` for `θ ∈ [0, 1]`, into `out[..dense_terms()]`.
    ///
    /// # Panics
    /// If `out` is shorter than [`Stepper::dense_terms`] (a caller's programming error).
    fn dense_coefficients(&mut self, out: &mut [[S; N]]);
    /// The derivative `dy/dt` at `t` inside the last step: the derivative of the method's
    /// continuous extension ([`Stepper::dense_coefficients`]), `(1/h) Σ_k k c_k θ^{k−1}`;
    /// before the first step (or right after a restart) `f` at the current point.
    ///
    /// ```
    /// use ode_core::{Dop853, OdeSystem, Stepper, Tolerances};
    /// struct Oscillator;
    /// impl OdeSystem<2> for Oscillator {
    ///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [y[1], -y[0]]; }
    /// }
    /// let mut rk = Dop853::new(Oscillator, 0.0, [0.0, 1.0], 5.0, Tolerances::new(1e-10, 1e-12))?;
    /// rk.step()?;
    /// let t = 0.5 * (rk.t_prev() + rk.t());
    /// let dy = rk.dense_derivative(t)?;     // (cos t, −sin t)
    /// assert!((dy[0] - t.cos()).abs() < 1e-8 && (dy[1] + t.sin()).abs() < 1e-8);
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::OutsideInterpolant`] when `t` lies outside the last step.
    fn dense_derivative(&mut self, t: S::Real) -> Result<[S; N], Error> {
        // The coefficients first: the frame's buffer is in use before anything can return.
        let mut c = [[S::zero(); N]; crate::dense::MAX_DENSE_TERMS];
        let terms = self.dense_terms().min(crate::dense::MAX_DENSE_TERMS);
        self.dense_coefficients(&mut c[..terms]);
        let (t0, t1) = (self.t_prev(), self.t());
        if crate::integrator::in_step(t0, t1, t).is_err() {
            return Err(Error::OutsideInterpolant {
                t: t.to_f64(),
                interval: (t0.to_f64(), t1.to_f64()),
            });
        }
        let h = t1 - t0;
        if h == S::Real::zero() {
            return Ok(*self.f());
        }
        let mut d = crate::dense::horner_derivative(&c[..terms], (t - t0) / h);
        let inv = S::from_real(S::Real::one() / h);
        for v in d.iter_mut() {
            *v = *v * inv;
        }
        Ok(d)
    }
    /// Work counters so far.
    fn stats(&self) -> Stats;
    /// Restarts the integration at `(t, y)` with `t` inside the last step: what an event's
    /// reset does. `f` is evaluated afresh there, the step-size controller forgets its history
    /// and an adaptive method chooses a new first step, as at the start; the counters go on.
    /// Afterwards the last step is empty (`t_prev() == t()`), so there is nothing to
    /// interpolate until the next step.
    ///
    /// # Errors
    /// [`Error::InvalidRestart`] when `t` lies outside the last step or `y` is not finite; the
    /// errors of evaluating `f` (non-finite values, the evaluation budget).
    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error>;
}

/// A boxed stepper steps as the stepper in it: what `solve_ivp` drives, so that a large one
/// lives on the heap.
#[cfg(feature = "alloc")]
impl<S: Scalar, const N: usize, St: Stepper<S, N> + ?Sized> Stepper<S, N>
    for alloc::boxed::Box<St>
{
    #[inline]
    fn t(&self) -> S::Real {
        (**self).t()
    }
    #[inline]
    fn y(&self) -> &[S; N] {
        (**self).y()
    }
    #[inline]
    fn f(&self) -> &[S; N] {
        (**self).f()
    }
    #[inline]
    fn t_prev(&self) -> S::Real {
        (**self).t_prev()
    }
    #[inline]
    fn h(&self) -> S::Real {
        (**self).h()
    }
    #[inline]
    fn t_bound(&self) -> S::Real {
        (**self).t_bound()
    }
    #[inline]
    fn is_finished(&self) -> bool {
        (**self).is_finished()
    }
    #[inline]
    fn step(&mut self) -> Result<(), Error> {
        (**self).step()
    }
    #[inline]
    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error> {
        (**self).dense(t)
    }
    #[inline]
    fn dense_terms(&self) -> usize {
        (**self).dense_terms()
    }
    #[inline]
    fn dense_coefficients(&mut self, out: &mut [[S; N]]) {
        (**self).dense_coefficients(out)
    }
    #[inline]
    fn dense_derivative(&mut self, t: S::Real) -> Result<[S; N], Error> {
        (**self).dense_derivative(t)
    }
    #[inline]
    fn stats(&self) -> Stats {
        (**self).stats()
    }
    #[inline]
    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error> {
        (**self).restart(t, y)
    }
}
