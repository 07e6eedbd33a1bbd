//! The compile-time sparse solvers: [`LinearSolver`] and [`RadauSolver`] over the static LU
//! structure of a system's pattern ([`SymbolicLu`], emitted by `#[ode_system]`).
//!
//! `J` lives in the positions of the factor structure (zeros at the fill), so forming
//! `c I − J` is one pass over `M` values and the factorisation ([`SparseLu`]) runs in place;
//! `J` itself comes from the system's generated non-zeros or from coloured differences
//! ([`pattern_jacobian`]). Storage is `O(N + M)` (`M = nnz(L + U)`), sized at compile time:
//! no allocator, no `N × N` anything.

use super::radau_solver::{nth_pair, solve_real_states};
use super::{LinearSolver, RadauSolver};
use crate::error::Error;
use crate::finite_diff::pattern_jacobian;
use crate::linalg::{Inline, Singular, SparseLu, Storage, SymbolicLu};
use crate::scalar::{Real, Scalar};
use crate::system::{JacobianKind, OdeSystem};
use core::marker::PhantomData;
use num_complex::Complex;

/// `J` in the positions of the LU structure of `Pat` (`M = Pat::LU_NNZ` values, zeros at the
/// fill), in the storage `W`.
pub struct SparseJacobian<S: Scalar, Pat, const M: usize, W: Storage = Inline> {
    values: W::Array<S, M>,
    pattern: PhantomData<fn() -> Pat>,
}

// By hand: the pattern type is only a marker, so neither impl asks it to be `Clone` or `Debug`.
impl<S: Scalar, Pat, const M: usize, W: Storage> Clone for SparseJacobian<S, Pat, M, W> {
    fn clone(&self) -> Self {
        SparseJacobian {
            values: self.values.clone(),
            pattern: PhantomData,
        }
    }
}

impl<S: Scalar, Pat, const M: usize, W: Storage> core::fmt::Debug for SparseJacobian<S, Pat, M, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SparseJacobian")
            .field("lu_nnz", &M)
            .finish_non_exhaustive()
    }
}

impl<S: Scalar, Pat, const M: usize, W: Storage> SparseJacobian<S, Pat, M, W> {
    /// The zero Jacobian.
    pub fn zeroed() -> Self {
        SparseJacobian {
            values: W::array(S::zero()),
            pattern: PhantomData,
        }
    }

    /// The values in the positions of the factor structure.
    pub fn values(&self) -> &[S; M] {
        &self.values
    }

    /// Entry `(i, j)` of `J` (zero outside the structure).
    pub fn get<const N: usize>(&self, i: usize, j: usize) -> S
    where
        Pat: SymbolicLu<N>,
    {
        Pat::LU.position(i, j).map_or(S::zero(), |p| self.values[p])
    }

    /// Evaluates `J` of `sys` at `(t, y)` into the structure; returns the evaluations of `f`
    /// spent.
    fn evaluate<Sys: OdeSystem<N, S> + ?Sized, const N: usize>(
        &mut self,
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
    ) -> Result<usize, Error>
    where
        Pat: SymbolicLu<N>,
    {
        let s = Pat::LU;
        let values = &mut self.values;
        pattern_jacobian::<Sys, Pat, S, N>(sys, t, y, f, |k, i, j, v| {
            let p = match s.entry.get(k) {
                Some(&p) => Some(p as usize),
                None => s.position(i, j),
            };
            match p.and_then(|p| values.get_mut(p)) {
                Some(slot) => {
                    *slot = v;
                    true
                }
                None => false,
            }
        })
    }
}

/// Gaussian elimination over the compile-time LU structure of `Pat` ([`SparseLu`]: a
/// fill-reducing order, no pivoting), `M = Pat::LU_NNZ`: `2 M + 2 N` scalars in all, in the
/// storage `W` — allocation-free large stiff systems. `#[ode_system]` systems implement
/// [`SymbolicLu`] and name `M` as the constant `LU_NNZ`.
///
/// ```
/// use ode_core::implicit::StaticSparseLu;
/// use ode_core::linalg::{LuStructure, SymbolicLu};
/// use ode_core::{OdeSystem, Rodas5P, Settings, Sparsity, Stepper, Tolerances};
/// /// A chain y₀' = −y₀, y₁' = y₀ − y₁, y₂' = y₁ − y₂ (lower bidiagonal), with the structure
/// /// `#[ode_system]` would emit for it written out: the natural order, no fill.
/// struct Chain;
/// impl OdeSystem<3> for Chain {
///     fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
///         *dy = [-y[0], y[0] - y[1], y[1] - y[2]];
///     }
/// }
/// impl Sparsity<3> for Chain {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)];
///     const COLORS: [usize; 3] = [0, 1, 0];
///     const N_COLORS: usize = 2;
/// }
/// impl SymbolicLu<3> for Chain {
///     const LU_NNZ: usize = 7; // the symmetrised pattern: U holds the mirror of L
///     const LU: LuStructure<'static> = LuStructure {
///         order: &[0, 1, 2],
///         row_start: &[0, 2, 5, 7],
///         cols: &[0, 1, 0, 1, 2, 1, 2],
///         diag: &[0, 3, 6],
///         inverse: &[0, 1, 2],
///         entry: &[0, 2, 3, 5, 6],
///     };
/// }
/// type Lu = StaticSparseLu<f64, 3, Chain, 7>;
/// let settings = Settings::new(Tolerances::new(1e-8, 1e-10));
/// let mut s = Rodas5P::<_, 3, f64, Lu>::with_solver(Chain, 0.0, [1.0, 0.0, 0.0], 1.0, settings)?;
/// while s.t() < 1.0 {
///     s.step()?;
/// }
/// // y₁(t) = t e^{−t}, y₂(t) = t²/2 e^{−t}; J by coloured differences: two evaluations.
/// assert!((s.y()[1] - (-1.0f64).exp()).abs() < 1e-7);
/// assert!((s.y()[2] - 0.5 * (-1.0f64).exp()).abs() < 1e-7);
/// # Ok::<(), ode_core::Error>(())
/// ```
pub struct StaticSparseLu<S: Scalar, const N: usize, Pat, const M: usize, W: Storage = Inline> {
    lu: SparseLu<S, N, Pat, M, W>,
}

impl<S: Scalar, const N: usize, Pat, const M: usize, W: Storage> core::fmt::Debug
    for StaticSparseLu<S, N, Pat, M, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StaticSparseLu")
            .field("lu", &self.lu)
            .finish()
    }
}

impl<S: Scalar, const N: usize, Pat, const M: usize, W: Storage> Clone
    for StaticSparseLu<S, N, Pat, M, W>
{
    fn clone(&self) -> Self {
        StaticSparseLu {
            lu: self.lu.clone(),
        }
    }
}

impl<S: Scalar, const N: usize, Pat: SymbolicLu<N>, const M: usize, W: Storage> LinearSolver<S, N>
    for StaticSparseLu<S, N, Pat, M, W>
{
    type Jacobian = SparseJacobian<S, Pat, M, W>;

    fn zeroed() -> Self {
        StaticSparseLu {
            lu: SparseLu::zeroed(),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        SparseJacobian::zeroed()
    }

    #[inline]
    fn evaluations(_kind: JacobianKind) -> usize {
        Pat::N_COLORS.min(N)
    }

    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        jac.evaluate(sys, t, y, f)
    }

    fn factor(&mut self, shift: S, scale: S::Real, jac: &Self::Jacobian) -> Result<(), Singular> {
        let values = jac.values();
        self.lu.factor_positions(shift, |p| -(values[p] * scale))
    }

    #[inline]
    fn solve(&self, b: &mut [S; N]) {
        self.lu.solve(b)
    }
}

/// Radau IIA's real and complex systems over the compile-time LU structure of `Pat` (as
/// [`StaticSparseLu`]), for real states, with `P` complex shifts beyond the first:
/// `(3 + 2 P) M + O(N)` reals.
pub struct StaticSparseRadauLu<
    R: Real,
    const N: usize,
    Pat,
    const M: usize,
    const P: usize = 0,
    W: Storage = Inline,
> {
    real: SparseLu<R, N, Pat, M, W>,
    first: SparseLu<Complex<R>, N, Pat, M, W>,
    pairs: [SparseLu<Complex<R>, N, Pat, M, W>; P],
}

impl<R: Real, const N: usize, Pat, const M: usize, const P: usize, W: Storage> core::fmt::Debug
    for StaticSparseRadauLu<R, N, Pat, M, P, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StaticSparseRadauLu")
            .field("real", &self.real)
            .field("pairs", &(P + 1))
            .finish_non_exhaustive()
    }
}

impl<R: Real, const N: usize, Pat, const M: usize, const P: usize, W: Storage> Clone
    for StaticSparseRadauLu<R, N, Pat, M, P, W>
{
    fn clone(&self) -> Self {
        StaticSparseRadauLu {
            real: self.real.clone(),
            first: self.first.clone(),
            pairs: self.pairs.clone(),
        }
    }
}

impl<R: Real, const N: usize, Pat: SymbolicLu<N>, const M: usize, const P: usize, W: Storage>
    RadauSolver<R, N> for StaticSparseRadauLu<R, N, Pat, M, P, W>
{
    type Jacobian = SparseJacobian<R, Pat, M, W>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        StaticSparseRadauLu {
            real: SparseLu::zeroed(),
            first: SparseLu::zeroed(),
            pairs: core::array::from_fn(|_| SparseLu::zeroed()),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        SparseJacobian::zeroed()
    }

    #[inline]
    fn evaluations(_kind: JacobianKind) -> usize {
        Pat::N_COLORS.min(N)
    }

    fn evaluate<Sys: OdeSystem<N, R> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[R; N],
        f: &[R; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        jac.evaluate(sys, t, y, f)
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        let values = jac.values();
        self.real.factor_positions(gamma, |p| -values[p])?;
        let all = core::iter::once(&mut self.first).chain(self.pairs.iter_mut());
        for (lu, &shift) in all.zip(shifts) {
            lu.factor_positions(shift, |p| Complex::new(-values[p], R::zero()))?;
        }
        Ok(())
    }

    #[inline]
    fn solve_real(&self, b: &mut [R; N]) {
        self.real.solve(b)
    }

    fn solve(&self, r: &mut [[R; N]], pairs: usize) {
        solve_real_states(
            r,
            pairs,
            P + 1,
            |b| self.real.solve(b),
            |k, z| nth_pair(&self.first, &self.pairs, k).solve(z),
        );
    }
}
