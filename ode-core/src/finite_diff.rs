//! Jacobians by central finite differences, grouped by a column colouring.
//!
//! `J_ij ≈ (f_i(y + h_j e_j) - f_i(y - h_j e_j)) / (2 h_j)`, with error `O(h²)` from
//! truncation and `O(ε/h)` from rounding; `h_j = ε^{1/3} max(|y_j|, 1)` balances the two
//! (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §8.1). Columns of one colour of the
//! [`Sparsity`] pattern share no row, so they are perturbed together and one pair of
//! evaluations per colour recovers them all (Curtis, Powell & Reid 1974): `2 · N_COLORS`
//! evaluations instead of `2 · N`. Everything lives on the stack.

use crate::system::{OdeSystem, Sparsity};

/// The step for component value `x`: `ε^{1/3} max(|x|, 1)`, rounded so that `x ± h` is exact.
#[inline]
fn step(x: f64) -> f64 {
    // ε^{1/3} for f64.
    const CBRT_EPS: f64 = 6.055454452393343e-6;
    let h = CBRT_EPS * x.abs().max(1.0);
    (x + h) - x
}

/// Writes the Jacobian of `sys` at `(t, y)` into `jac` by central differences, one pair of
/// right-hand-side evaluations per colour of `Sys`'s [`Sparsity`] pattern. Entries outside
/// the pattern are set to zero.
///
/// ```
/// use ode_core::{finite_diff::colored_jacobian, OdeSystem, Sparsity};
///
/// /// `y0' = -y0`, `y1' = y0 y1`: lower triangular, two colours.
/// struct S;
/// impl OdeSystem<2> for S {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [-y[0], y[0] * y[1]]; }
/// }
/// impl Sparsity<2> for S {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1)];
///     const COLORS: [usize; 2] = [0, 1];
///     const N_COLORS: usize = 2;
/// }
/// let mut jac = [[0.0; 2]; 2];
/// colored_jacobian(&S, 0.0, &[2.0, 3.0], &mut jac);
/// assert!((jac[1][0] - 3.0).abs() < 1e-9 && (jac[1][1] - 2.0).abs() < 1e-9);
/// assert_eq!(jac[0][1], 0.0);
/// ```
pub fn colored_jacobian<Sys, const N: usize>(
    sys: &Sys,
    t: f64,
    y: &[f64; N],
    jac: &mut [[f64; N]; N],
) where
    Sys: OdeSystem<N> + Sparsity<N>,
{
    *jac = [[0.0; N]; N];
    let (mut h, mut inv_2h) = ([0.0; N], [0.0; N]);
    for j in 0..N {
        h[j] = step(y[j]);
        inv_2h[j] = 0.5 / h[j];
    }
    let (mut fp, mut fm) = ([0.0; N], [0.0; N]);
    // One work vector, perturbed in place and restored after each colour.
    let mut z = *y;
    for color in 0..Sys::N_COLORS {
        for j in 0..N {
            if Sys::COLORS[j] == color {
                z[j] = y[j] + h[j];
            }
        }
        sys.rhs(t, &z, &mut fp);
        for j in 0..N {
            if Sys::COLORS[j] == color {
                z[j] = y[j] - h[j];
            }
        }
        sys.rhs(t, &z, &mut fm);
        for j in 0..N {
            if Sys::COLORS[j] == color {
                z[j] = y[j];
            }
        }
        for &(i, j) in Sys::PATTERN {
            if Sys::COLORS[j] == color {
                jac[i][j] = (fp[i] - fm[i]) * inv_2h[j];
            }
        }
    }
}

/// Writes `∂f/∂p` by central differences: `rhs_at(p, dy)` evaluates the right-hand side with
/// parameters `p`; one pair of evaluations per parameter.
///
/// ```
/// use ode_core::finite_diff::param_jacobian;
///
/// // f(p) = [p0 p1, p1²] at p = (2, 3): ∂f/∂p = [[3, 2], [0, 6]].
/// let mut d = [[0.0; 2]; 2];
/// param_jacobian(&[2.0, 3.0], |p, dy| *dy = [p[0] * p[1], p[1] * p[1]], &mut d);
/// assert!((d[0][0] - 3.0).abs() < 1e-9 && (d[1][1] - 6.0).abs() < 1e-9);
/// ```
pub fn param_jacobian<const N: usize, const P: usize>(
    p: &[f64; P],
    mut rhs_at: impl FnMut(&[f64; P], &mut [f64; N]),
    dfdp: &mut [[f64; P]; N],
) {
    let (mut fp, mut fm) = ([0.0; N], [0.0; N]);
    for k in 0..P {
        let h = step(p[k]);
        let (mut pp, mut pm) = (*p, *p);
        pp[k] += h;
        pm[k] -= h;
        rhs_at(&pp, &mut fp);
        rhs_at(&pm, &mut fm);
        for i in 0..N {
            dfdp[i][k] = (fp[i] - fm[i]) / (2.0 * h);
        }
    }
}
