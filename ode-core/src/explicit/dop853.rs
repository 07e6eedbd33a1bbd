//! DOP853: Dormand & Prince's explicit 8th-order method as coded by Hairer (*Solving ODEs I*,
//! II.10; `dop853.f`).
//!
//! Twelve stages give the 8th-order result; the FSAL stage `f(t + h, y_{n+1})` completes the
//! step. The error estimate combines an embedded 5th-order and a 3rd-order difference,
//! `‖err‖ = s5 / sqrt(N (s5 + 0.01 s3))` with `s_q = Σ_i (err_q,i / sc_i)²`, which behaves like
//! `h^8` and is controlled with exponent 1/8. The 7th-order dense output needs three more stages;
//! they are evaluated only when dense output of a step is asked for, and counted in `nfev`.

use super::{combine, stages, weighted_sum};
use crate::control::{weighted, Controller};
use crate::error::Error;
use crate::integrator::{Core, Settings};
use crate::scalar::{coef, Real, Scalar};
use crate::stepper::{Stats, Stepper};
use crate::system::OdeSystem;
use crate::tableau::dop853::{A, B, C, D, E3, E5, N_STAGES, N_STAGES_EXTENDED};
use num_traits::{Float, One, Zero};

/// Hairer's DOP853: adaptive explicit Runge–Kutta of order 8 with 7th-order dense output.
///
/// The default controller is Hairer's (`β = 0`, step ratio within `[0.333, 6]`).
///
/// ```
/// use ode_core::{Dop853, OdeSystem, Stepper, Tolerances};
/// struct Osc;
/// impl OdeSystem<2> for Osc {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [y[1], -y[0]]; }
/// }
/// let mut rk = Dop853::new(&Osc, 0.0, [0.0, 1.0], 10.0, Tolerances::new(1e-10, 1e-12))?;
/// while !rk.is_finished() {
///     rk.step()?;
///     let t = rk.t_prev() + 0.5 * rk.h();
///     assert!((rk.dense(t)?[0] - t.sin()).abs() < 1e-8);
/// }
/// assert!((rk.y()[0] - 10f64.sin()).abs() < 1e-9);
/// # Ok::<(), ode_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Dop853<Sys, const N: usize, S: Scalar = f64> {
    sys: Sys,
    core: Core<S, N>,
    /// Stages 0..12 of the step, the FSAL stage 12, the dense-output stages 13..16.
    k: [[S; N]; N_STAGES_EXTENDED],
    /// Hairer's `rcont1..rcont8` of the last step, valid when `dense_ready`.
    rcont: [[S; N]; 8],
    dense_ready: bool,
}

impl<Sys, const N: usize, S> Dop853<Sys, N, S>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
{
    /// Starts an integration of `sys` from `(t0, y0)` towards `t_bound` (forward or backward).
    pub fn new(
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
            Controller::pi(0.0, 0.333, 6.0),
            8,
        )?;
        Ok(Dop853 {
            sys,
            core,
            k: [[S::zero(); N]; N_STAGES_EXTENDED],
            rcont: [[S::zero(); N]; 8],
            dense_ready: false,
        })
    }

    /// The system being integrated.
    pub fn system(&self) -> &Sys {
        &self.sys
    }

    /// Evaluates the three extra stages and Hairer's `rcont` vectors of the last step.
    fn prepare_dense(&mut self) {
        if self.dense_ready {
            return;
        }
        let c = &self.core;
        let h = c.state.t - c.state.t_prev;
        let mut ytmp = [S::zero(); N];
        stages(
            &self.sys,
            c.state.t_prev,
            h,
            &c.y_prev,
            &C,
            &A,
            &mut self.k,
            &mut ytmp,
            N_STAGES + 1..N_STAGES_EXTENDED,
        );
        self.core.state.stats.nfev += N_STAGES_EXTENDED - N_STAGES - 1;
        let c = &self.core;
        let r = &mut self.rcont;
        for i in 0..N {
            let delta = c.state.y[i] - c.y_prev[i];
            let bspl = self.k[0][i] * h - delta;
            r[0][i] = c.y_prev[i];
            r[1][i] = delta;
            r[2][i] = bspl;
            r[3][i] = delta - self.k[N_STAGES][i] * h - bspl;
        }
        for (m, d) in D.iter().enumerate() {
            let mut acc = [S::zero(); N];
            weighted_sum(d, &self.k, &mut acc);
            for i in 0..N {
                r[4 + m][i] = acc[i] * h;
            }
        }
        self.dense_ready = true;
    }
}

impl<Sys, const N: usize, S> Stepper<S, N> for Dop853<Sys, N, S>
where
    Sys: OdeSystem<N, S>,
    S: Scalar,
{
    crate::stepper::state_accessors!(core.state: S::Real, S);

    fn step(&mut self) -> Result<(), Error> {
        self.dense_ready = false;
        let Self { sys, core, k, .. } = self;
        const {
            assert!(E3[N_STAGES] == 0.0 && E5[N_STAGES] == 0.0);
        }
        // Eleven new stages per attempt; the FSAL stage f(t + h, y_new), which the error
        // estimate does not use (E3[12] = E5[12] = 0), only once the step is accepted.
        core.advance(sys, N_STAGES - 1, coef::<S>(8.0), false, |tr| {
            k[0] = *tr.f;
            let mut ytmp = [S::zero(); N];
            stages(sys, tr.t, tr.h, tr.y, &C, &A, k, &mut ytmp, 1..N_STAGES);
            combine(tr.y, tr.h, &B, k, tr.y_new);
            let mut e5 = [S::zero(); N];
            let mut e3 = [S::zero(); N];
            weighted_sum(&E5, k, &mut e5);
            weighted_sum(&E3, k, &mut e3);
            let mut s5 = S::Real::zero();
            let mut s3 = S::Real::zero();
            for i in 0..N {
                let m = tr.y[i].modulus().max(tr.y_new[i].modulus());
                let sc = tr.tol.atol(i) + tr.tol.rtol() * m;
                // An exact component counts zero even where its scale is zero (`atol = 0`).
                let a = weighted(e5[i].modulus(), sc);
                let b = weighted(e3[i].modulus(), sc);
                s5 = s5 + a * a;
                s3 = s3 + b * b;
            }
            let mut deno = s5 + coef::<S>(0.01) * s3;
            if deno <= S::Real::zero() {
                deno = S::Real::one();
            }
            // `N = 0`: no component, no error.
            tr.h.abs() * s5 / (deno * S::Real::from_f64(N.max(1) as f64)).sqrt()
        })?;
        self.k[N_STAGES] = self.core.state.f;
        Ok(())
    }

    fn restart(&mut self, t: S::Real, y: [S; N]) -> Result<(), Error> {
        self.dense_ready = false;
        self.core.restart(&self.sys, t, y)
    }

    fn dense(&mut self, t: S::Real) -> Result<[S; N], Error> {
        self.core.state.check_in_step(t)?;
        let h = self.core.state.t - self.core.state.t_prev;
        if h == S::Real::zero() {
            return Ok(self.core.state.y);
        }
        self.prepare_dense();
        let s = (t - self.core.state.t_prev) / h;
        let s1 = S::Real::one() - s;
        let r = &self.rcont;
        let mut out = [S::zero(); N];
        for i in 0..N {
            let conpar = r[4][i] + (r[5][i] + (r[6][i] + r[7][i] * s) * s1) * s;
            out[i] = r[0][i] + (r[1][i] + (r[2][i] + (r[3][i] + conpar * s1) * s) * s1) * s;
        }
        Ok(out)
    }

    fn dense_terms(&self) -> usize {
        8
    }

    fn dense_coefficients(&mut self, out: &mut [[S; N]]) {
        self.prepare_dense();
        // Expand r1 + θ(r2 + (1−θ)(r3 + θ(r4 + (1−θ)(r5 + θ(r6 + (1−θ)(r7 + θ r8)))))) from
        // the inside out: p ← r_m + θ p for even m, p ← r_m + (1 − θ) p for odd m (0-based).
        let p = &mut out[..8];
        p[0] = self.rcont[7];
        for (deg, m) in (0..7).rev().enumerate() {
            if m % 2 == 0 {
                for d in (0..=deg).rev() {
                    p[d + 1] = p[d];
                }
                p[0] = [S::zero(); N];
            } else {
                let top = p[deg];
                for i in 0..N {
                    p[deg + 1][i] = -top[i];
                }
                for d in (1..=deg).rev() {
                    let lower = p[d - 1];
                    for i in 0..N {
                        p[d][i] = p[d][i] - lower[i];
                    }
                }
            }
            for i in 0..N {
                p[0][i] = p[0][i] + self.rcont[m][i];
            }
        }
    }
}
