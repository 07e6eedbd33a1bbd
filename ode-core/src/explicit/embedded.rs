//! The generic adaptive stepper over an embedded Runge–Kutta pair.
//!
//! One attempt evaluates stages `2..s` (stage 1 is `f(t_n, y_n)`), forms `y_{n+1}` and the
//! error estimate `h Σ e_i k_i` (Hairer, Nørsett & Wanner I, II.4–II.5). For a
//! first-same-as-last pair `y_{n+1}` is the argument of the last stage, whose value is the next
//! step's first; otherwise `y_{n+1} = y_n + h Σ b_i k_i` and `f(t_{n+1}, y_{n+1})` is evaluated
//! once the step is accepted. Dense output is the pair's polynomial continuous extension
//! `y_n + h Σ_i b_i(θ) k_i`, or for a pair without one the cubic Hermite interpolant.

use super::{stages, weighted_sum};
use crate::control::Controller;
use crate::error::Error;
use crate::integrator::{Core, Settings};
use crate::scalar::{coef, Real, Scalar};
use crate::stepper::{Stats, Stepper};
use crate::system::OdeSystem;
use crate::tableau::{
    bogacki_shampine, dormand_prince, fehlberg, higham_hall, tsitouras, EmbeddedTableau,
};
use core::marker::PhantomData;
use num_traits::Zero;

/// An embedded FSAL pair: its tableau and its default step-size controller.
pub trait EmbeddedMethod<const ST: usize> {
    /// The coefficients.
    const TABLEAU: EmbeddedTableau<ST>;
    /// The controller used when the settings name none.
    fn default_controller<R: Real>() -> Controller<R> {
        Controller::integral()
    }
}

/// Bogacki & Shampine's 3(2) pair (SciPy's `RK23`), cubic Hermite dense output.
#[derive(Debug, Clone, Copy)]
pub struct BogackiShampine;
impl EmbeddedMethod<4> for BogackiShampine {
    const TABLEAU: EmbeddedTableau<4> = bogacki_shampine::BS23;
}

/// Dormand & Prince's 5(4) pair (SciPy's `RK45`, Hairer's DOPRI5), Shampine's quartic dense
/// output, Hairer's PI controller (β = 0.04).
#[derive(Debug, Clone, Copy)]
pub struct DormandPrince;
impl EmbeddedMethod<7> for DormandPrince {
    const TABLEAU: EmbeddedTableau<7> = dormand_prince::DP54;
    fn default_controller<R: Real>() -> Controller<R> {
        Controller::pi(0.04, 0.2, 10.0)
    }
}

/// Higham & Hall's 5(4) pair, cubic Hermite dense output.
#[derive(Debug, Clone, Copy)]
pub struct HighamHall;
impl EmbeddedMethod<7> for HighamHall {
    const TABLEAU: EmbeddedTableau<7> = higham_hall::HH54;
}

/// Fehlberg's 4(5) pair (not FSAL), cubic Hermite dense output.
#[derive(Debug, Clone, Copy)]
pub struct Fehlberg;
impl EmbeddedMethod<6> for Fehlberg {
    const TABLEAU: EmbeddedTableau<6> = fehlberg::RKF45;
}

/// Tsitouras' 5(4) pair with its free quartic interpolant.
#[derive(Debug, Clone, Copy)]
pub struct Tsitouras;
impl EmbeddedMethod<7> for Tsitouras {
    const TABLEAU: EmbeddedTableau<7> = tsitouras::TSIT5;
}

/// Adaptive stepper over the embedded pair `M` with `ST` stages, for a system `Sys` of `N`
/// components of type `S`. Use the aliases [`Rk23`], [`Dopri5`], [`HighamHall54`], [`Tsit5`].
#[derive(Debug, Clone)]
pub struct EmbeddedRk<Sys, S: Scalar, const N: usize, const ST: usize, M> {
    sys: Sys,
    core: Core<S, N>,
    k: [[S; N]; ST],
    _method: PhantomData<M>,
}

/// Bogacki–Shampine 3(2) (SciPy's `RK23`).
pub type Rk23<Sys, const N: usize, S = f64> = EmbeddedRk<Sys, S, N, 4, BogackiShampine>;
/// Dormand–Prince 5(4) (SciPy's `RK45`, Hairer's DOPRI5).
pub type Dopri5<Sys, const N: usize, S = f64> = EmbeddedRk<Sys, S, N, 7, DormandPrince>;
/// SciPy's name for [`Dopri5`].
pub type Rk45<Sys, const N: usize, S = f64> = Dopri5<Sys, N, S>;
/// Higham–Hall 5(4).
pub type HighamHall54<Sys, const N: usize, S = f64> = EmbeddedRk<Sys, S, N, 7, HighamHall>;
/// Runge–Kutta–Fehlberg 4(5), the propagated solution of order 4 (Fehlberg, NASA TR R-315).
pub type Rkf45<Sys, const N: usize, S = f64> = EmbeddedRk<Sys, S, N, 6, Fehlberg>;
/// Tsitouras 5(4).
pub type Tsit5<Sys, const N: usize, S = f64> = EmbeddedRk<Sys, S, N, 7, Tsitouras>;

impl<Sys, S, const N: usize, const ST: usize, M> EmbeddedRk<Sys, S, N, ST, M>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: EmbeddedMethod<ST>,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (which may lie before
    /// `t0`: backward integration). Costs two evaluations of `f` (one without `first_step`).
    ///
    /// ```
    /// use ode_core::{OdeSystem, Stepper, Tolerances, Tsit5};
    /// struct Osc;
    /// impl OdeSystem<2> for Osc {
    ///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [y[1], -y[0]]; }
    /// }
    /// // backwards from t = 0 to t = -1
    /// let mut s = Tsit5::new(Osc, 0.0, [0.0, 1.0], -1.0, Tolerances::new(1e-9, 1e-12))?;
    /// while !s.is_finished() { s.step()?; }
    /// assert!((s.y()[0] - (-1.0f64).sin()).abs() < 1e-8);
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    pub fn new(
        sys: Sys,
        t0: S::Real,
        y0: [S; N],
        t_bound: S::Real,
        settings: impl Into<Settings<S::Real, N>>,
    ) -> Result<Self, Error> {
        const {
            assert!(
                M::TABLEAU.dense.is_empty() || M::TABLEAU.dense.len() == ST,
                "a continuous extension has one row per stage"
            );
        }
        let core = Core::adaptive(
            &sys,
            t0,
            y0,
            t_bound,
            settings.into(),
            M::default_controller(),
            M::TABLEAU.order,
        )?;
        Ok(EmbeddedRk {
            sys,
            core,
            k: [[S::zero(); N]; ST],
            _method: PhantomData,
        })
    }

    /// The system being integrated.
    pub fn system(&self) -> &Sys {
        &self.sys
    }
}

impl<Sys, S, const N: usize, const ST: usize, M> Stepper<S, N> for EmbeddedRk<Sys, S, N, ST, M>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
    M: EmbeddedMethod<ST>,
{
    crate::stepper::state_accessors!(core.state: S::Real, S);

    fn step(&mut self) -> Result<(), Error> {
        let tab = &M::TABLEAU;
        let Self { sys, core, k, .. } = self;
        let k_exp = coef::<S>(f64::from(tab.error_order + 1));
        core.advance(sys, ST - 1, k_exp, tab.fsal, |tr| {
            k[0] = *tr.f;
            if tab.fsal {
                // The FSAL stage's argument is y_{n+1} itself.
                stages(sys, tr.t, tr.h, tr.y, &tab.c, &tab.a, k, tr.y_new, 1..ST);
                *tr.f_new = k[ST - 1];
            } else {
                let mut arg = [S::zero(); N];
                stages(sys, tr.t, tr.h, tr.y, &tab.c, &tab.a, k, &mut arg, 1..ST);
                super::combine(tr.y, tr.h, &tab.b, k, tr.y_new);
            }
            let mut err = [S::zero(); N];
            weighted_sum(&tab.e, k, &mut err);
            for e in err.iter_mut() {
                *e = *e * tr.h;
            }
            tr.tol.error_norm(&err, tr.y, tr.y_new)
        })
    }

    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error> {
        self.core.restart(&self.sys, t, y)
    }

    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error> {
        self.core.state.check_in_step(t)?;
        let h = self.core.state.t - self.core.state.t_prev;
        if h == S::Real::zero() {
            return Ok(self.core.state.y);
        }
        let theta = (t - self.core.state.t_prev) / h;
        if M::TABLEAU.dense.is_empty() {
            let mut c = [[S::zero(); N]; 4];
            self.dense_coefficients(&mut c);
            return Ok(crate::dense::horner(&c, theta));
        }
        let mut acc = [S::zero(); N];
        for (row, kj) in M::TABLEAU.dense.iter().zip(self.k.iter()) {
            // b_i(θ) = Σ_m P[i][m] θ^{m+1}, by Horner.
            let mut w = S::Real::zero();
            for p in row.iter().rev() {
                w = (w + coef::<S>(*p)) * theta;
            }
            for i in 0..N {
                acc[i] = acc[i] + kj[i] * w;
            }
        }
        let mut out = self.core.y_prev;
        for i in 0..N {
            out[i] = out[i] + acc[i] * h;
        }
        Ok(out)
    }

    fn dense_terms(&self) -> usize {
        match M::TABLEAU.dense.first() {
            Some(row) => row.len() + 1,
            None => 4,
        }
    }

    fn dense_coefficients(&mut self, out: &mut [[S; N]]) {
        let h = self.core.state.t - self.core.state.t_prev;
        if M::TABLEAU.dense.is_empty() {
            // Cubic Hermite through (y_n, h f_n) and (y_{n+1}, h f_{n+1}):
            // y_n + θ h f_n + θ² (3Δ − h(2 f_n + f_{n+1})) + θ³ (−2Δ + h(f_n + f_{n+1})).
            let (y0, y1, f0, f1) = (
                &self.core.y_prev,
                &self.core.state.y,
                &self.core.f_prev,
                &self.core.state.f,
            );
            let (two, three) = (coef::<S>(2.0), coef::<S>(3.0));
            for i in 0..N {
                let d = y1[i] - y0[i];
                let (g0, g1) = (f0[i] * h, f1[i] * h);
                out[0][i] = y0[i];
                out[1][i] = g0;
                out[2][i] = d * three - g0 * two - g1;
                out[3][i] = g0 + g1 - d * two;
            }
            return;
        }
        let degree = M::TABLEAU.dense[0].len();
        out[0] = self.core.y_prev;
        for m in 0..degree {
            let mut acc = [S::zero(); N];
            for (row, kj) in M::TABLEAU.dense.iter().zip(self.k.iter()) {
                let w = coef::<S>(row[m]);
                for i in 0..N {
                    acc[i] = acc[i] + kj[i] * w;
                }
            }
            for a in acc.iter_mut() {
                *a = *a * h;
            }
            out[m + 1] = acc;
        }
    }
}
