//! Explicit Runge–Kutta methods.
//!
//! - [`EmbeddedRk`]: one generic adaptive stepper over an embedded pair ([`Rk23`], [`Dopri5`],
//!   [`HighamHall54`], [`Tsit5`], FSAL, with their polynomial continuous extensions; [`Rkf45`],
//!   not FSAL, with cubic Hermite dense output);
//! - [`Dop853`]: Hairer's 8(5,3) code, whose combined error estimate and 7th-order dense output
//!   need their own stepper;
//! - [`FixedRk`]: fixed-step methods ([`Euler`], [`Midpoint`], [`Rk4`], [`Gill`],
//!   [`ThreeEighths`], [`Luther`]) with cubic Hermite dense output.
//!
//! Every stepper keeps all stage vectors in one struct of fixed-size arrays: nothing allocates.

pub use dop853::Dop853;
pub use embedded::{
    BogackiShampine, Dopri5, DormandPrince, EmbeddedMethod, EmbeddedRk, Fehlberg, HighamHall,
    HighamHall54, Rk23, Rk45, Rkf45, Tsit5, Tsitouras,
};
pub use fixed::{
    ClassicalRk4, Euler, EulerMethod, FixedMethod, FixedRk, Gill, GillMethod, Luther, LutherMethod,
    Midpoint, MidpointMethod, Rk4, ThreeEighths, ThreeEighthsMethod,
};

use crate::scalar::{coef, Scalar};

mod dop853;
mod embedded;
mod fixed;

/// `out = y + h Σ_{j<upto} w_j k_j`, skipping zero weights.
#[inline(always)]
pub(crate) fn combine<S: Scalar, const N: usize, const M: usize>(
    y: &[S; N],
    h: S::Real,
    w: &[f64],
    k: &[[S; N]; M],
    out: &mut [S; N],
) {
    // acc = Σ (h w_j) k_j, oldest stage first: the products with earlier stages are formed
    // while the newest stage is still being evaluated, so only one multiply-add and the final
    // addition wait for it.
    let mut acc = [S::zero(); N];
    for (wj, kj) in w.iter().zip(k.iter()) {
        if *wj == 0.0 {
            continue;
        }
        let c = coef::<S>(*wj) * h;
        for i in 0..N {
            acc[i] = acc[i] + kj[i] * c;
        }
    }
    for i in 0..N {
        out[i] = y[i] + acc[i];
    }
}

/// `acc += Σ_j w_j k_j` over the first `w.len()` stages, skipping zero weights.
#[inline(always)]
pub(crate) fn weighted_sum<S: Scalar, const N: usize, const M: usize>(
    w: &[f64],
    k: &[[S; N]; M],
    acc: &mut [S; N],
) {
    for (wj, kj) in w.iter().zip(k.iter()) {
        if *wj == 0.0 {
            continue;
        }
        let c = coef::<S>(*wj);
        for i in 0..N {
            acc[i] = acc[i] + kj[i] * c;
        }
    }
}

/// Evaluates the stages `1..stages` of an explicit method whose stage 0 already holds
/// `f(t, y)`: `k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j)`. `ytmp` ends holding the last
/// stage's argument.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn stages<S: Scalar, const N: usize, const M: usize>(
    sys: &impl crate::OdeSystem<N, S>,
    t: S::Real,
    h: S::Real,
    y: &[S; N],
    c: &[f64],
    a: &[[f64; M]],
    k: &mut [[S; N]; M],
    ytmp: &mut [S; N],
    range: core::ops::Range<usize>,
) {
    for i in range {
        combine(y, h, &a[i][..i], k, ytmp);
        let (_, rest) = k.split_at_mut(i);
        sys.rhs(t + coef::<S>(c[i]) * h, ytmp, &mut rest[0]);
    }
}
