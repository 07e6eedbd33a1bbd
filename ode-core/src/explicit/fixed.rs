//! Fixed-step explicit Runge–Kutta methods.
//!
//! Each step evaluates the tableau's stages and `f(t_{n+1}, y_{n+1})`, which is the first stage
//! of the next step and, with `f(t_n, y_n)`, makes the cubic Hermite interpolant between the
//! two points the dense output (third order, exact for cubics).

use super::{combine, stages};
use crate::dense::{hermite, horner};
use crate::error::Error;
use crate::integrator::Core;
use crate::scalar::Scalar;
use crate::stepper::{Stats, Stepper};
use crate::system::OdeSystem;
use crate::tableau::{fixed, ExplicitTableau};
use core::marker::PhantomData;
use num_traits::{One, Zero};

/// A fixed-step method: its tableau.
pub trait FixedMethod<const ST: usize> {
    /// The coefficients.
    const TABLEAU: ExplicitTableau<ST>;
}

macro_rules! fixed_method {
    ($(#[$doc:meta])* $marker:ident, $alias:ident, $st:literal, $tab:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $marker;
        impl FixedMethod<$st> for $marker {
            const TABLEAU: ExplicitTableau<$st> = $tab;
        }
        $(#[$doc])*
        pub type $alias<Sys, const N: usize, S = f64> = FixedRk<Sys, S, N, $st, $marker>;
    };
}

fixed_method!(
    /// Explicit Euler, order 1.
    EulerMethod, Euler, 1, fixed::EULER
);
fixed_method!(
    /// Explicit midpoint rule, order 2.
    MidpointMethod, Midpoint, 2, fixed::MIDPOINT
);
fixed_method!(
    /// The classical Runge–Kutta method, order 4.
    ClassicalRk4, Rk4, 4, fixed::RK4
);
fixed_method!(
    /// Gill's variant of the classical method, order 4.
    GillMethod, Gill, 4, fixed::GILL
);
fixed_method!(
    /// Kutta's 3/8 rule, order 4.
    ThreeEighthsMethod, ThreeEighths, 4, fixed::THREE_EIGHTHS
);
fixed_method!(
    /// Luther's seven-stage method, order 6.
    LutherMethod, Luther, 7, fixed::LUTHER
);

/// Fixed-step stepper over the tableau of `M`; use the aliases ([`Rk4`], [`Luther`], ...).
#[derive(Debug, Clone)]
pub struct FixedRk<Sys, S: Scalar, const N: usize, const ST: usize, M> {
    sys: Sys,
    core: Core<S, N>,
    k: [[S; N]; ST],
    _method: PhantomData<M>,
}

impl<Sys, S, const N: usize, const ST: usize, M> FixedRk<Sys, S, N, ST, M>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: FixedMethod<ST>,
{
    /// Starts an integration from `(t0, y0)` towards `t_bound` with steps of magnitude `h`; the
    /// last step is shortened (or stretched by at most 1 %) to land on `t_bound`.
    ///
    /// ```
    /// use ode_core::{OdeSystem, Rk4, Stepper};
    /// struct Decay;
    /// impl OdeSystem<1> for Decay {
    ///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
    /// }
    /// let mut rk = Rk4::new(Decay, 0.0, [1.0], 1.0, 0.1)?;
    /// while !rk.is_finished() { rk.step()?; }
    /// assert!((rk.y()[0] - (-1.0f64).exp()).abs() < 1e-6);
    /// assert_eq!(rk.stats().n_accepted, 10);
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    pub fn new(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        h: S::Real,
    ) -> Result<Self, Error> {
        Self::with_budget(sys, t0, y0, t_bound, h, usize::MAX)
    }

    /// As [`FixedRk::new`], spending at most `max_nfev` evaluations of `f` from the start (the
    /// evaluation at `t0` included): `max_nfev = 0` is [`Error::TooManyEvaluations`] before
    /// any evaluation, as for every adaptive method.
    ///
    /// ```
    /// use ode_core::{Error, OdeSystem, Rk4};
    /// struct Decay;
    /// impl OdeSystem<1> for Decay {
    ///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
    /// }
    /// let made = Rk4::with_budget(Decay, 0.0, [1.0], 1.0, 0.1, 0);
    /// assert!(matches!(made, Err(Error::TooManyEvaluations { limit: 0 })));
    /// ```
    pub fn with_budget(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        h: S::Real,
        max_nfev: usize,
    ) -> Result<Self, Error> {
        let core = Core::fixed(&sys, t0, y0, t_bound, h, max_nfev)?;
        Ok(FixedRk {
            sys,
            core,
            k: [[S::zero(); N]; ST],
            _method: PhantomData,
        })
    }

    /// Limits the number of right-hand-side evaluations ([`Error::TooManyEvaluations`]).
    pub fn with_max_nfev(mut self, n: usize) -> Self {
        self.core.set_max_nfev(n);
        self
    }

    /// The system being integrated.
    pub fn system(&self) -> &Sys {
        &self.sys
    }
}

impl<Sys, S, const N: usize, const ST: usize, M> Stepper<S, N> for FixedRk<Sys, S, N, ST, M>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: FixedMethod<ST>,
{
    crate::stepper::state_accessors!(core.state: S::Real, S);

    fn step(&mut self) -> Result<(), Error> {
        let tab = &M::TABLEAU;
        let Self { sys, core, k, .. } = self;
        core.advance(sys, ST, S::Real::one(), true, |tr| {
            k[0] = *tr.f;
            let mut ytmp = [S::zero(); N];
            stages(sys, tr.t, tr.h, tr.y, &tab.c, &tab.a, k, &mut ytmp, 1..ST);
            combine(tr.y, tr.h, &tab.b, k, tr.y_new);
            sys.rhs(tr.t + tr.h, tr.y_new, tr.f_new);
            S::Real::zero()
        })
    }

    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error> {
        self.core.restart(&self.sys, t, y)
    }

    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error> {
        self.core.state.check_in_step(t)?;
        let h = self.core.state.t - self.core.state.t_prev;
        if h.is_zero() {
            return Ok(self.core.state.y);
        }
        let theta = (t - self.core.state.t_prev) / h;
        let mut c = [[S::zero(); N]; 4];
        self.dense_coefficients(&mut c);
        Ok(horner(&c, theta))
    }

    fn dense_terms(&self) -> usize {
        4
    }

    fn dense_coefficients(&mut self, out: &mut [[S; N]]) {
        let c = &self.core;
        hermite(
            &c.y_prev,
            &c.state.y,
            &c.f_prev,
            &c.state.f,
            c.state.t - c.state.t_prev,
            out,
        );
    }
}
