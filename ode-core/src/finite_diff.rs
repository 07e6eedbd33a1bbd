//! Jacobians by central finite differences, grouped by a column colouring.
//!
//! `J_ij ≈ (f_i(y + h_j e_j) - f_i(y - h_j e_j)) / (2 h_j)`, with error `O(h²)` from
//! truncation and `O(ε/h)` from rounding; `h_j = ε^{1/3} max(|y_j|, 1)` balances the two
//! (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §8.1). Columns of one colour of the
//! [`Sparsity`] pattern share no row, so they are perturbed together and one pair of
//! evaluations per colour recovers them all (Curtis, Powell & Reid 1974): `2 · N_COLORS`
//! evaluations instead of `2 · N`. Everything lives on the stack.
//!
//! For the Newton iterations of the implicit methods, where `f(t, y)` is already known and a
//! Jacobian need only be good enough to converge, [`forward_jacobian`] and
//! [`colored_forward_jacobian`] use forward differences with Hairer's increment
//! `δ_j = sqrt(ε · max(10⁻⁵, |y_j|))` (RADAU5's numerical Jacobian), kept above
//! `10⁻⁴ sqrt(ε) |y_j|` so that it stays representable for huge states: `N` evaluations, or one
//! per colour.

use crate::linalg::BandMatrix;
use crate::scalar::{Real, Scalar};
use crate::system::{OdeSystem, Sparsity};
use num_traits::{Float, One};

/// Hairer's forward-difference increment for a component of modulus `m`,
/// `sqrt(ε · max(10⁻⁵, m))`, and at least `10⁻⁴ sqrt(ε) m`.
///
/// Hairer's increment grows like `sqrt(m)` and so falls below the spacing of floating-point
/// numbers at `m` once `m > 1/ε` (`y + δ == y` for `|y| ≥ 1e20`: a zero column, an infinite
/// quotient, a "singular" iteration matrix). The floor keeps it a fixed relative size, about
/// 7000 units in the last place, above `m = 10⁸`, and leaves it Hairer's below, where every
/// published reproduction runs.
#[inline]
pub(crate) fn forward_step<R: Real>(m: R) -> R {
    let hairer = (R::epsilon() * m.max(R::from_f64(1e-5))).sqrt();
    hairer.max(R::from_f64(1e-4) * R::epsilon().sqrt() * m)
}

/// Writes `∂f/∂y` at `(t, y)` into `jac` by forward differences from `f = f(t, y)`, one
/// evaluation per column, and returns `N` (the evaluations spent). `S` may be real or complex
/// (the increment is real, so a holomorphic `f` gets its complex derivative).
///
/// ```
/// use ode_core::{finite_diff::forward_jacobian, OdeSystem};
///
/// struct S;
/// impl OdeSystem<2> for S {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [-y[0], y[0] * y[1]]; }
/// }
/// let (y, mut f, mut jac) = ([2.0, 3.0], [0.0; 2], [[0.0; 2]; 2]);
/// S.rhs(0.0, &y, &mut f);
/// assert_eq!(forward_jacobian(&S, 0.0, &y, &f, &mut jac), 2);
/// assert!((jac[1][0] - 3.0).abs() < 1e-7 && (jac[1][1] - 2.0).abs() < 1e-7);
/// ```
pub fn forward_jacobian<Sys, S, const N: usize>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    jac: &mut [[S; N]; N],
) -> usize
where
    Sys: OdeSystem<N, S> + ?Sized,
    S: Scalar,
{
    let mut z = *y;
    let mut fz = [S::zero(); N];
    for j in 0..N {
        let d = forward_step(y[j].modulus());
        z[j] = y[j] + S::from_real(d);
        // The increment actually applied, after rounding.
        let inv = S::from_real(S::Real::one()) / (z[j] - y[j]);
        sys.rhs(t, &z, &mut fz);
        for i in 0..N {
            jac[i][j] = (fz[i] - f[i]) * inv;
        }
        z[j] = y[j];
    }
    N
}

/// Writes the band `J` at `(t, y)` into `jac`: the system's own entries where it hands them out
/// ([`OdeSystem::newton_jacobian_entries`], an `#[ode_system]`'s analytic non-zeros), else
/// [`band_forward_jacobian`]. Returns the evaluations of `f` spent.
///
/// # Errors
/// [`crate::Error::InvalidOption`] when the system hands out a non-zero entry outside the
/// band `KL`, `KU`: the band does not fit the system (found at the first Jacobian).
pub fn band_jacobian<Sys, S, const N: usize, const KL: usize, const KU: usize, const B: usize>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    jac: &mut BandMatrix<S, N, KL, KU, B>,
) -> Result<usize, crate::Error>
where
    Sys: OdeSystem<N, S> + ?Sized,
    S: Scalar,
{
    let mut outside = None;
    let spent = sys.newton_jacobian_entries(t, y, f, &mut |i, j, v| {
        if BandMatrix::<S, N, KL, KU, B>::in_band(i, j) {
            jac.set(i, j, v);
        } else if !v.is_zero() && outside.is_none() {
            outside = Some((i, j));
        }
    });
    if outside.is_some() {
        return Err(crate::Error::InvalidOption {
            what: "the system's Jacobian has non-zeros outside the band of the linear solver \
                   (BandedLu / BandedRadauLu): give it wider KL and KU",
        });
    }
    Ok(match spent {
        Some(n) => n,
        None => band_forward_jacobian(sys, t, y, f, jac),
    })
}

/// Writes the band `J` at `(t, y)` into `jac` by forward differences from `f = f(t, y)`,
/// columns `KL + KU + 1` apart perturbed together (Curtis, Powell & Reid 1974), and returns the
/// evaluations spent, `min(N, KL + KU + 1)`. Each entry is bit for bit the one-column
/// difference of [`forward_jacobian`] when `f` is banded as declared.
pub fn band_forward_jacobian<
    Sys,
    S,
    const N: usize,
    const KL: usize,
    const KU: usize,
    const B: usize,
>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    jac: &mut BandMatrix<S, N, KL, KU, B>,
) -> usize
where
    Sys: OdeSystem<N, S> + ?Sized,
    S: Scalar,
{
    let groups = (KL + KU + 1).min(N);
    let mut z = *y;
    let mut fz = [S::zero(); N];
    for g in 0..groups {
        for j in (g..N).step_by(groups) {
            z[j] = y[j] + S::from_real(forward_step(y[j].modulus()));
        }
        sys.rhs(t, &z, &mut fz);
        for j in (g..N).step_by(groups) {
            // The increment actually applied, after rounding.
            let inv = S::from_real(S::Real::one()) / (z[j] - y[j]);
            for i in BandMatrix::<S, N, KL, KU, B>::rows(j) {
                jac.set(i, j, (fz[i] - f[i]) * inv);
            }
            z[j] = y[j];
        }
    }
    groups
}

/// Hands `J` at `(t, y)` (`f = f(t, y)`), entry by entry, to `put(k, i, j, v)` for a solver
/// that keeps `J` in a sparse form of its own, with `k` the entry's index in
/// `Pat::PATTERN` (`usize::MAX` for an entry the system hands out of that order): the system's
/// own entries ([`OdeSystem::newton_jacobian_entries`]) when it has them, else forward
/// differences by the colouring of `Pat` (Curtis, Powell & Reid 1974: `Pat::N_COLORS`
/// evaluations, each entry bit for bit [`forward_jacobian`]'s). `put` returns whether it could
/// store the entry. Returns the evaluations of `f` spent. Nothing of size `N × N` is formed.
///
/// # Errors
/// [`crate::Error::InvalidOption`] when the system hands out a non-zero entry `put` cannot
/// store: the pattern does not fit the system.
pub fn pattern_jacobian<Sys, Pat, S, const N: usize>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    put: impl FnMut(usize, usize, usize, S) -> bool,
) -> Result<usize, crate::Error>
where
    Sys: OdeSystem<N, S> + ?Sized,
    Pat: Sparsity<N> + ?Sized,
    S: Scalar,
{
    structure_jacobian(sys, t, y, f, &crate::JacobianStructure::of::<Pat, N>(), put)
}

/// [`pattern_jacobian`] over a structure known at run time ([`crate::JacobianStructure`]: its
/// pattern, colours and number of colours).
///
/// # Errors
/// As [`pattern_jacobian`].
pub fn structure_jacobian<Sys, S, const N: usize>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    structure: &crate::JacobianStructure<'_>,
    mut put: impl FnMut(usize, usize, usize, S) -> bool,
) -> Result<usize, crate::Error>
where
    Sys: OdeSystem<N, S> + ?Sized,
    S: Scalar,
{
    let (pattern, colors) = (structure.pattern, structure.colors);
    let (mut k, mut outside) = (0usize, false);
    let spent = sys.newton_jacobian_entries(t, y, f, &mut |i, j, v| {
        let index = if pattern.get(k) == Some(&(i, j)) {
            k
        } else {
            usize::MAX
        };
        k += 1;
        if !put(index, i, j, v) && !v.is_zero() {
            outside = true;
        }
    });
    if outside {
        return Err(crate::Error::InvalidOption {
            what: "the system's Jacobian has non-zeros outside the sparsity pattern of the \
                   linear solver: give the solver the system's own pattern",
        });
    }
    if let Some(n) = spent {
        return Ok(n);
    }
    if colors.len() != N || pattern.iter().any(|&(i, j)| i >= N || j >= N) {
        return Err(crate::Error::InvalidOption {
            what: "the Jacobian structure does not fit the system: a colour for each of the N \
                   columns and entries inside N × N are needed",
        });
    }
    let mut inv = [S::zero(); N];
    let mut z = *y;
    let mut fz = [S::zero(); N];
    for color in 0..structure.n_colors {
        for j in 0..N {
            if colors[j] == color {
                z[j] = y[j] + S::from_real(forward_step(y[j].modulus()));
                inv[j] = S::from_real(S::Real::one()) / (z[j] - y[j]);
            }
        }
        sys.rhs(t, &z, &mut fz);
        for (k, &(i, j)) in pattern.iter().enumerate() {
            if colors[j] == color {
                put(k, i, j, (fz[i] - f[i]) * inv[j]);
            }
        }
        for j in 0..N {
            if colors[j] == color {
                z[j] = y[j];
            }
        }
    }
    Ok(structure.n_colors)
}

/// Writes `∂f/∂t` at `(t, y)` into `dfdt` by a forward difference from `f = f(t, y)` and
/// returns the evaluations spent: Hairer's RODAS (`AUTNMS = .FALSE.`), with the increment
/// `δ = sqrt(ε · max(10⁻⁵, |t|))` (the increment of the Jacobians above), taken as the representable difference
/// `(t + δ) − t`. Where `f(t + δ, y)` is not finite (`t` just before a point where `f` stops
/// being defined, `sqrt(1 − t)` at `t = 1 − 10⁻⁹`, say), the backward difference from
/// `t − δ` is taken instead (2 evaluations in all).
///
/// ```
/// use ode_core::{finite_diff::time_derivative, OdeSystem};
/// struct Forced;
/// impl OdeSystem<1> for Forced {
///     fn rhs(&self, t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0] + t * t; }
/// }
/// let (y, mut f, mut dfdt) = ([1.0], [0.0], [0.0]);
/// Forced.rhs(3.0, &y, &mut f);
/// assert_eq!(time_derivative(&Forced, 3.0, &y, &f, &mut dfdt), 1);
/// assert!((dfdt[0] - 6.0).abs() < 1e-6);
/// ```
pub fn time_derivative<Sys, S, const N: usize>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    dfdt: &mut [S; N],
) -> usize
where
    Sys: OdeSystem<N, S> + ?Sized,
    S: Scalar,
{
    let step = forward_step(t.abs());
    let forward = (t + step) - t;
    sys.rhs(t + forward, y, dfdt);
    let mut spent = 1;
    let mut delta = forward;
    if !dfdt.iter().all(|v| v.all_finite()) {
        delta = (t - step) - t;
        sys.rhs(t + delta, y, dfdt);
        spent = 2;
    }
    let inv = S::from_real(S::Real::one() / delta);
    for i in 0..N {
        dfdt[i] = (dfdt[i] - f[i]) * inv;
    }
    spent
}

/// Writes `∂f/∂y` by forward differences grouped by `Sys`'s column colouring: one evaluation
/// per colour; returns `N_COLORS` (the evaluations spent). Entries outside the pattern are left
/// as they are (zeros in a buffer that only this function writes).
///
/// ```
/// use ode_core::{finite_diff::colored_forward_jacobian, OdeSystem, Sparsity};
///
/// /// `y0' = -y0`, `y1' = -2 y1`: diagonal, one colour.
/// struct D;
/// impl OdeSystem<2> for D {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [-y[0], -2.0 * y[1]]; }
/// }
/// impl Sparsity<2> for D {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 1)];
///     const COLORS: [usize; 2] = [0, 0];
///     const N_COLORS: usize = 1;
/// }
/// let (y, mut f, mut jac) = ([1.0, 1.0], [0.0; 2], [[0.0; 2]; 2]);
/// D.rhs(0.0, &y, &mut f);
/// assert_eq!(colored_forward_jacobian(&D, 0.0, &y, &f, &mut jac), 1);
/// assert!((jac[0][0] + 1.0).abs() < 1e-7 && (jac[1][1] + 2.0).abs() < 1e-7);
/// assert_eq!(jac[0][1], 0.0);
/// ```
pub fn colored_forward_jacobian<Sys, S, const N: usize>(
    sys: &Sys,
    t: S::Real,
    y: &[S; N],
    f: &[S; N],
    jac: &mut [[S; N]; N],
) -> usize
where
    Sys: OdeSystem<N, S> + Sparsity<N> + ?Sized,
    S: Scalar,
{
    let mut inv = [S::zero(); N];
    let mut z = *y;
    let mut fz = [S::zero(); N];
    for color in 0..Sys::N_COLORS {
        for j in 0..N {
            if Sys::COLORS[j] == color {
                let d = forward_step(y[j].modulus());
                z[j] = y[j] + S::from_real(d);
                inv[j] = S::from_real(S::Real::one()) / (z[j] - y[j]);
            }
        }
        sys.rhs(t, &z, &mut fz);
        for &(i, j) in Sys::PATTERN {
            if Sys::COLORS[j] == color {
                jac[i][j] = (fz[i] - f[i]) * inv[j];
            }
        }
        for j in 0..N {
            if Sys::COLORS[j] == color {
                z[j] = y[j];
            }
        }
    }
    Sys::N_COLORS
}

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

#[cfg(feature = "alloc")]
/// A Curtis–Powell–Reid colouring of the columns of the pattern whose row `i` holds the
/// columns `rows[i]` (feature `alloc`): a colour for each column such that no row has two
/// columns of one colour, so that one evaluation of `f` with a colour's columns perturbed
/// recovers them all (Curtis, Powell & Reid, *J. Inst. Math. Appl.* 13, 1974). Returns the
/// colours and their number. Greedy, in largest-degree-first order (Welsh & Powell 1967):
/// exact on banded and block patterns. `#[ode_system]` colours its patterns with it; a
/// hand-written system with a run-time pattern can too.
///
/// ```
/// use ode_core::finite_diff::color_columns;
/// // Tridiagonal: three colours, i mod 3.
/// let rows: Vec<Vec<usize>> =
///     (0..6).map(|i: usize| (i.saturating_sub(1)..(i + 2).min(6)).collect()).collect();
/// let (colors, n) = color_columns(6, &rows);
/// assert_eq!(n, 3);
/// assert!(rows.iter().all(|r| r.iter().all(|&j| r.iter().all(|&k| j == k || colors[j] != colors[k]))));
/// ```
///
/// The neighbours of a column are never stored: colouring column `j` marks the colours of the
/// columns in each of its rows, which costs `Σ_i len_i²` over the rows, linear in the
/// non-zeros for banded patterns. A full pattern is recognised and coloured `0..n` outright.
pub fn color_columns(n: usize, rows: &[alloc::vec::Vec<usize>]) -> (alloc::vec::Vec<usize>, usize) {
    use alloc::{vec, vec::Vec};
    let nnz: usize = rows.iter().map(Vec::len).sum();
    if n > 0 && nnz == n * n {
        return ((0..n).collect(), n);
    }
    let mut col_rows: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, cols) in rows.iter().enumerate() {
        for &j in cols {
            col_rows[j].push(i);
        }
    }
    // The degree bound Σ over a column's rows of their lengths orders the columns (exact up
    // to columns met in several rows), without forming the intersection graph.
    let weight: Vec<usize> = col_rows
        .iter()
        .map(|rs| rs.iter().map(|&i| rows[i].len()).sum())
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&j| (core::cmp::Reverse(weight[j]), j));
    let mut colors = vec![usize::MAX; n];
    let mut n_colors = 0;
    // `mark[c] == j + 1`: colour c is taken by a neighbour of column j.
    let mut mark: Vec<usize> = vec![0; n + 1];
    for &j in &order {
        for &i in &col_rows[j] {
            for &k in &rows[i] {
                if k != j && colors[k] != usize::MAX {
                    mark[colors[k]] = j + 1;
                }
            }
        }
        let c = (0..=n_colors)
            .find(|&c| mark[c] != j + 1)
            .unwrap_or(n_colors);
        colors[j] = c;
        n_colors = n_colors.max(c + 1);
    }
    // Columns without non-zeros take colour 0 (they need no evaluation but must be coloured).
    (colors, n_colors.max(usize::from(n > 0)))
}
