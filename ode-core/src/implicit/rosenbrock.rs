//! Rosenbrock methods: one generic stepper over a [`RosenbrockTableau`].
//!
//! A step of a Rosenbrock method (*Solving ODEs II*, IV.7) linearises the implicit stage
//! equations of an implicit Runge–Kutta method once: every stage is one linear solve with the
//! same iteration matrix `I/(γ h) − J` and no Newton iteration is needed, so a step costs one
//! Jacobian, one LU decomposition and `s` solves. That makes the method cheap on small and
//! moderately stiff systems at moderate tolerances, where Radau's Newton iterations dominate.
//!
//! The stepper is the shared machinery plus the tableau's attempt:
//!
//! - the step loop of [`crate::integrator`] (step floor, landing on the bound, the evaluation
//!   budget, non-finite attempts), with a controller of [`crate::control`]: by default
//!   Gustafsson's predictive one with RODAS's bounds ([`Controller::predictive`]);
//! - an [`IterationMatrix`] over a [`LinearSolver`] ([`DenseLu`] by default): `J` is
//!   evaluated once per step at `(t_n, y_n)`, kept through rejected attempts, and `I/(γ h) − J`
//!   factored once per attempt;
//! - `∂f/∂t` from [`OdeSystem::newton_time_derivative`], once per step, skipped for
//!   autonomous systems ([`TimeDependence::Autonomous`]);
//! - the attempt: the stages of eq. (7.25), the solution, the error estimate, and the
//!   increments `K_i` kept for the method's dense output.
//!
//! The state may be real, complex or dual (any [`Scalar`]): the linear algebra is generic.

use super::iteration::IterationMatrix;
use super::linear::{DenseLu, LinearSolver};
use crate::control::Controller;
use crate::error::Error;
use crate::explicit::{combine, weighted_sum};
use crate::integrator::{Core, Settings};
#[cfg(feature = "alloc")]
use crate::linalg::Heap;
use crate::linalg::Inline;
use crate::scalar::Real;
use crate::scalar::{coef, Scalar};
use crate::stepper::{Stats, Stepper};
use crate::system::{OdeSystem, TimeDependence};
use crate::tableau::rosenbrock::{self as tab, RosenbrockTableau};
use core::marker::PhantomData;
use num_traits::{Float, One, Zero};

/// A Rosenbrock method: its tableau.
pub trait RosenbrockMethod<const ST: usize, const D: usize> {
    /// The coefficients.
    const TABLEAU: RosenbrockTableau<ST, D>;
}

/// Steinebach's Rodas5P, order 5(4) ([`tab::RODAS5P`]).
#[derive(Debug, Clone, Copy)]
pub struct Rodas5PMethod;
impl RosenbrockMethod<8, 4> for Rodas5PMethod {
    const TABLEAU: RosenbrockTableau<8, 4> = tab::RODAS5P;
}

/// Hairer & Wanner's RODAS, order 4(3) ([`tab::RODAS4`]).
#[derive(Debug, Clone, Copy)]
pub struct Rodas4Method;
impl RosenbrockMethod<6, 3> for Rodas4Method {
    const TABLEAU: RosenbrockTableau<6, 3> = tab::RODAS4;
}

/// Shampine & Reichelt's `ode23s`, order 2(3) ([`tab::ROSENBROCK23`]).
#[derive(Debug, Clone, Copy)]
pub struct Rosenbrock23Method;
impl RosenbrockMethod<3, 2> for Rosenbrock23Method {
    const TABLEAU: RosenbrockTableau<3, 2> = tab::ROSENBROCK23;
}

/// A Rosenbrock stepper for the method `M` (`ST` stages, dense output of degree `D`) over a
/// system of `N` components of type `S`, with the linear solver `L`. Use the aliases
/// [`Rodas5P`], [`Rodas4`] and [`Rosenbrock23`].
///
/// ```
/// use ode_core::{OdeSystem, Rodas5P, Stepper, Tolerances};
///
/// /// A stiff linear pair: y1' = -1000 (y1 - cos t), y2' = -y2.
/// struct Stiff;
/// impl OdeSystem<2> for Stiff {
///     fn rhs(&self, t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
///         *dy = [-1000.0 * (y[0] - t.cos()), -y[1]];
///     }
/// }
/// let mut st = Rodas5P::new(Stiff, 0.0, [1.0, 1.0], 10.0, Tolerances::new(1e-8, 1e-10))?;
/// while !st.is_finished() {
///     st.step()?;
/// }
/// assert!((st.y()[1] - (-10.0f64).exp()).abs() < 1e-9);
/// assert!(st.stats().n_accepted < 200);
/// # Ok::<(), ode_core::Error>(())
/// ```
///
/// # Size
/// About `2·N²` scalars (`J` and its factors, in the storage of `L`: inline by default) plus
/// `(ST + 8)·N`: 160 kB for `N = 100` in `f64`. [`Rosenbrock::boxed`] keeps the matrices on
/// the heap (what `solve_ivp` uses).
#[derive(Debug, Clone)]
pub struct Rosenbrock<
    Sys,
    S,
    const N: usize,
    const ST: usize,
    const D: usize,
    M,
    L = DenseLu<S, N, Inline>,
> where
    S: Scalar,
    L: LinearSolver<S, N>,
{
    sys: Sys,
    core: Core<S, N>,
    matrix: IterationMatrix<S, N, L>,
    /// `∂f/∂t` at the current point.
    dfdt: [S; N],
    /// Whether `dfdt` (and `J`) belong to the current point.
    current: bool,
    /// The increments `K_i` of the last attempt (the accepted step's, once it is accepted).
    k: [[S; N]; ST],
    _method: PhantomData<M>,
}

/// Steinebach's Rodas5P: order 5(4), 8 stages, stiffly accurate, L-stable (BIT 63, 2023).
/// DifferentialEquations.jl's recommended method for small stiff systems.
pub type Rodas5P<Sys, const N: usize, S = f64, L = DenseLu<S, N, Inline>> =
    Rosenbrock<Sys, S, N, 8, 4, Rodas5PMethod, L>;
/// Hairer & Wanner's RODAS: order 4(3), 6 stages, stiffly accurate, L-stable.
pub type Rodas4<Sys, const N: usize, S = f64, L = DenseLu<S, N, Inline>> =
    Rosenbrock<Sys, S, N, 6, 3, Rodas4Method, L>;
/// Shampine & Reichelt's `ode23s` (MATLAB): order 2(3), L-stable, for crude tolerances.
pub type Rosenbrock23<Sys, const N: usize, S = f64, L = DenseLu<S, N, Inline>> =
    Rosenbrock<Sys, S, N, 3, 2, Rosenbrock23Method, L>;

impl<Sys, S, const N: usize, const ST: usize, const D: usize, M> Rosenbrock<Sys, S, N, ST, D, M>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: RosenbrockMethod<ST, D>,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (before `t0` for a
    /// backward integration), with the dense stack LU ([`DenseLu`], matrices inline). Costs
    /// one evaluation of `f`, two without a `first_step` (Hairer's automatic choice with the
    /// method's order). Without a controller in the settings, the step is chosen by
    /// [`Controller::predictive`], as RODAS does.
    pub fn new(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<Self, Error> {
        Self::with_solver(sys, t0, y0, t_bound, settings)
    }
}

impl<Sys, S, const N: usize, const ST: usize, const D: usize, M, L>
    Rosenbrock<Sys, S, N, ST, D, M, L>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: RosenbrockMethod<ST, D>,
    L: LinearSolver<S, N>,
{
    /// As [`Rosenbrock::new`], with the linear solver `L` (named by the type:
    /// `Rodas5P::<_, N, f64, DenseLu<f64, N, Heap>>::with_solver(..)`).
    pub fn with_solver(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<Self, Error> {
        let core = Core::adaptive(
            &sys,
            t0,
            y0,
            t_bound,
            settings.into(),
            Controller::predictive(),
            M::TABLEAU.order,
        )?;
        Ok(Rosenbrock {
            sys,
            core,
            matrix: IterationMatrix::new(),
            dfdt: [S::zero(); N],
            current: false,
            k: [[S::zero(); N]; ST],
            _method: PhantomData,
        })
    }

    /// As [`Rosenbrock::with_solver`], in a box (what `solve_ivp` uses with a sparse solver).
    #[cfg(feature = "alloc")]
    pub fn boxed_with_solver(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<alloc::boxed::Box<Self>, Error> {
        Self::with_solver(sys, t0, y0, t_bound, settings).map(alloc::boxed::Box::new)
    }

    /// The system being integrated.
    pub fn system(&self) -> &Sys {
        &self.sys
    }
}

#[cfg(feature = "alloc")]
impl<Sys, S, const N: usize, const ST: usize, const D: usize, M>
    Rosenbrock<Sys, S, N, ST, D, M, DenseLu<S, N, Heap>>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: RosenbrockMethod<ST, D>,
{
    /// As [`Rosenbrock::new`], in a box, with `J` and its factors in boxes of their own: a
    /// large system starts on any thread.
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

impl<Sys, S, const N: usize, const ST: usize, const D: usize, M, L> Stepper<S, N>
    for Rosenbrock<Sys, S, N, ST, D, M, L>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: RosenbrockMethod<ST, D>,
    L: LinearSolver<S, N>,
{
    crate::stepper::state_accessors!(core.state: S::Real, S);

    fn step(&mut self) -> Result<(), Error> {
        if self.core.state.finished {
            return Err(Error::Finished {
                t: self.core.state.t.to_f64(),
            });
        }
        let max_nfev = self.core.max_nfev();
        let Self {
            sys,
            core,
            matrix,
            dfdt,
            current,
            k,
            ..
        } = self;
        // J and ∂f/∂t at (t_n, y_n): once per step, through every attempt.
        if !*current {
            matrix.jacobian(
                sys,
                (core.state.t, &core.state.y, &core.state.f),
                &mut core.state.stats,
                max_nfev,
            )?;
            match Sys::TIME_DEPENDENCE {
                TimeDependence::Autonomous => *dfdt = [S::zero(); N],
                dependence => {
                    // A forward difference, and a backward one where that is not finite.
                    if dependence == TimeDependence::FiniteDifferences
                        && core.state.stats.nfev.saturating_add(2) > max_nfev
                    {
                        return Err(Error::TooManyEvaluations { limit: max_nfev });
                    }
                    core.state.stats.nfev += sys.newton_time_derivative(
                        core.state.t,
                        &core.state.y,
                        &core.state.f,
                        dfdt,
                    );
                }
            }
            *current = true;
        }
        let tab = &M::TABLEAU;
        let autonomous = Sys::TIME_DEPENDENCE == TimeDependence::Autonomous;
        let exponent = coef::<S>(f64::from(tab.error_exponent));
        let outcome = core.advance_fallible(sys, ST - 1, exponent, tab.fsal, |tr| {
            let h = tr.h;
            let shift = S::from_real((h * coef::<S>(tab.gamma)).recip());
            matrix.factor(shift, S::Real::one(), tr.t)?;
            let (one, inv_h) = (S::Real::one(), h.recip());
            let mut arg = *tr.y;
            let mut fi = *tr.f;
            let mut rhs = [S::zero(); N];
            for i in 0..ST {
                if i > 0 {
                    // y_n + Σ a_ij K_j, then f there.
                    combine(tr.y, one, &tab.a[i][..i], k, &mut arg);
                    sys.rhs(tr.t + coef::<S>(tab.c[i]) * h, &arg, &mut fi);
                }
                // f_i + Σ (C_ij / h) K_j + h d_i ∂f/∂t.
                combine(&fi, inv_h, &tab.coupling[i][..i], k, &mut rhs);
                if !autonomous && tab.d[i] != 0.0 {
                    let d = coef::<S>(tab.d[i]) * h;
                    for n in 0..N {
                        rhs[n] = rhs[n] + dfdt[n] * d;
                    }
                }
                matrix.solve(&mut rhs);
                k[i] = rhs;
            }
            if tab.fsal {
                // The last stage was evaluated at (t + h, y_{n+1}).
                *tr.y_new = arg;
                *tr.f_new = fi;
            } else {
                combine(tr.y, one, &tab.b, k, tr.y_new);
            }
            let mut err = [S::zero(); N];
            weighted_sum(&tab.e, k, &mut err);
            Ok(tr.tol.error_norm(&err, tr.y, tr.y_new))
        });
        // The factorisations made inside the attempts, where the loop held the counters.
        core.state.stats.nlu += matrix.take_factorizations();
        outcome?;
        self.matrix.moved::<Sys>();
        self.current = false;
        Ok(())
    }

    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error> {
        self.core.restart(&self.sys, t, y)?;
        self.matrix.moved::<Sys>();
        self.current = false;
        Ok(())
    }

    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error> {
        self.core.state.check_in_step(t)?;
        let h = self.core.state.t - self.core.state.t_prev;
        if h == S::Real::zero() {
            return Ok(self.core.state.y);
        }
        let theta = (t - self.core.state.t_prev) / h;
        let mut c = [[S::zero(); N]; crate::dense::MAX_DENSE_TERMS];
        let terms = D + 1;
        self.dense_coefficients(&mut c[..terms]);
        Ok(crate::dense::horner(&c[..terms], theta))
    }

    fn dense_terms(&self) -> usize {
        D + 1
    }

    fn dense_coefficients(&mut self, out: &mut [[S; N]]) {
        out[0] = self.core.y_prev;
        if self.core.state.t == self.core.state.t_prev {
            out[0] = self.core.state.y;
            for o in out.iter_mut().take(D + 1).skip(1) {
                *o = [S::zero(); N];
            }
            return;
        }
        for p in 0..D {
            let mut acc = [S::zero(); N];
            for (j, kj) in self.k.iter().enumerate() {
                let q = M::TABLEAU.dense[p][j];
                if q != 0.0 {
                    let q = coef::<S>(q);
                    for n in 0..N {
                        acc[n] = acc[n] + kj[n] * q;
                    }
                }
            }
            out[p + 1] = acc;
        }
    }
}
