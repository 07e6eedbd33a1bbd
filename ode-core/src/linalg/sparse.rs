//! Sparse LU over a structure fixed in advance: numeric factorisation and solve only, with
//! storage sized at compile time and no allocator.
//!
//! The structure ([`LuStructure`]: an elimination order and the pattern of `L + U`) comes from
//! [`super::symbolic::analyse`], which `#[ode_system]` runs at expansion time and emits as
//! constants ([`SymbolicLu`]). The factorisation is the row-by-row ("up-looking") form of
//! Gaussian elimination (Gilbert & Peierls' left-looking algorithm transposed; Davis, *Direct
//! Methods for Sparse Linear Systems*, SIAM 2006, §6.2): row `i` is scattered into a dense work
//! vector, reduced by the rows of `U` its `L` part names, in ascending order, and gathered back.
//! Every operation touches stored entries only: `O(Σ_k |L_{:,k}|·|U_{k,:}|)` work, no `N × N`
//! anything.
//!
//! **No pivoting.** The order is chosen for fill, and the factorisation keeps it (static
//! pivoting). The matrices the implicit methods factor, `c I − J` with `c = 1/(γ h)`, become
//! diagonally dominant as the step shrinks, so a method that meets a pivot smaller than working
//! precision allows (reported as [`Singular`]) retries with a smaller step and succeeds; a
//! simplified Newton iteration with inexact factors converges all the same (Hairer & Wanner,
//! *Solving ODEs II*, IV.8). A general unsymmetric matrix that needs row exchanges for
//! stability wants a pivoting solver (dense, banded, or faer's sparse LU).

use super::{Inline, Singular, Storage};
use crate::scalar::Scalar;
use num_traits::{Float, One, Zero};

/// The structure of the factors of `P A Pᵀ` (module docs), borrowed: usually constants
/// emitted by `#[ode_system]`, or [`super::symbolic::LuPattern::as_structure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LuStructure<'a> {
    /// `order[k]`: the original index eliminated `k`-th.
    pub order: &'a [u32],
    /// Row `i` (in eliminated order) holds the positions `row_start[i] .. row_start[i + 1]`.
    pub row_start: &'a [u32],
    /// The column (in eliminated order) of each position, ascending within a row.
    pub cols: &'a [u32],
    /// The position of row `i`'s diagonal: `L` to its left, `U` from it on.
    pub diag: &'a [u32],
    /// `inverse[v]`: the step at which original index `v` is eliminated (`order`'s inverse).
    pub inverse: &'a [u32],
    /// `entry[k]`: the position of the `k`-th entry of the system's [`crate::Sparsity::PATTERN`].
    pub entry: &'a [u32],
}

impl LuStructure<'_> {
    /// The number of stored entries of `L + U`.
    #[inline]
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// The position of the original entry `(i, j)`, if the structure stores it.
    pub fn position(&self, i: usize, j: usize) -> Option<usize> {
        let (pi, pj) = (
            *self.inverse.get(i)? as usize,
            *self.inverse.get(j)? as usize,
        );
        let (a, b) = (self.row_start[pi] as usize, self.row_start[pi + 1] as usize);
        self.cols[a..b]
            .binary_search(&(pj as u32))
            .ok()
            .map(|k| a + k)
    }
}

/// A system whose Jacobian's LU structure is known at compile time: `#[ode_system]` implements
/// it from the generated pattern ([`super::symbolic::analyse`] at expansion time).
pub trait SymbolicLu<const N: usize>: crate::Sparsity<N> {
    /// The number of stored entries of `L + U`: the size of [`SparseLu`]'s storage.
    const LU_NNZ: usize;
    /// The structure.
    const LU: LuStructure<'static>;
}

/// Factors, in place, the matrix whose entries stand at their positions of `s` in `values`
/// (zeros at the fill positions), with `work` a zeroed vector of length `N` (zeroed again on
/// return); `inv_pivot[i]` receives `1/U_ii`.
///
/// # Errors
/// [`Singular`] (`column` in eliminated order) when a pivot is zero, not finite, or below
/// `N ε` of its row's size.
pub fn factor_in_place<S: Scalar>(
    s: &LuStructure<'_>,
    values: &mut [S],
    inv_pivot: &mut [S],
    work: &mut [S],
) -> Result<(), Singular> {
    let n = s.diag.len();
    let tiny = S::Real::epsilon()
        * <S::Real as num_traits::NumCast>::from(n.max(1)).unwrap_or_else(S::Real::one);
    for i in 0..n {
        let (a, d, b) = (
            s.row_start[i] as usize,
            s.diag[i] as usize,
            s.row_start[i + 1] as usize,
        );
        let mut size = S::Real::zero();
        for p in a..b {
            let v = values[p];
            size = size + v.pivot_magnitude();
            work[s.cols[p] as usize] = v;
        }
        for p in a..d {
            let k = s.cols[p] as usize;
            let l = work[k] * inv_pivot[k];
            work[k] = l;
            if l.is_zero() {
                continue;
            }
            // Row k of U, past its diagonal (rows before i are final): its scattered head,
            // then its tail of consecutive columns as one contiguous update.
            let (kd, ke) = (s.diag[k] as usize + 1, s.row_start[k + 1] as usize);
            let t = dense_tail(s.cols, kd, ke);
            for (&j, &u) in s.cols[kd..t].iter().zip(&values[kd..t]) {
                let w = &mut work[j as usize];
                *w = *w - l * u;
            }
            if t < ke {
                let j0 = s.cols[t] as usize;
                for (w, &u) in work[j0..j0 + (ke - t)].iter_mut().zip(&values[t..ke]) {
                    *w = *w - l * u;
                }
            }
        }
        for p in a..b {
            let j = s.cols[p] as usize;
            values[p] = work[j];
            work[j] = S::zero();
        }
        let pivot = values[d];
        let m = pivot.pivot_magnitude();
        if !pivot.all_finite() || m.is_zero() || m <= tiny * size {
            for w in work.iter_mut() {
                *w = S::zero();
            }
            return Err(Singular { column: i });
        }
        inv_pivot[i] = S::from_real(S::Real::one()) / pivot;
    }
    Ok(())
}

/// The first position `q` of `p..e` from which the columns `cols[q..e]` are consecutive
/// integers (`e` for an empty range). Nested dissection numbers each separator consecutively
/// and its rows of `U` fill in, so the rows that cost the most end in such a run: updating it
/// as one slice lets the compiler vectorise it. The property holds on a suffix (the columns
/// ascend strictly), so a binary search finds it.
#[inline]
fn dense_tail(cols: &[u32], p: usize, e: usize) -> usize {
    if p >= e {
        return e;
    }
    let last = cols[e - 1] as usize;
    let (mut lo, mut hi) = (p, e - 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if last - cols[mid] as usize == e - 1 - mid {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Overwrites `b` with `A⁻¹ b` from factors made by [`factor_in_place`]; `x` is a work vector
/// of length `N`.
pub fn solve_in_place<S: Scalar, V>(
    s: &LuStructure<'_>,
    values: &[S],
    inv_pivot: &[S],
    b: &mut [V],
    x: &mut [V],
) where
    V: Copy + core::ops::Sub<Output = V> + core::ops::Mul<S, Output = V>,
{
    let n = s.diag.len();
    for k in 0..n {
        x[k] = b[s.order[k] as usize];
    }
    for i in 0..n {
        let (a, d) = (s.row_start[i] as usize, s.diag[i] as usize);
        let mut acc = x[i];
        for (&j, &l) in s.cols[a..d].iter().zip(&values[a..d]) {
            acc = acc - x[j as usize] * l;
        }
        x[i] = acc;
    }
    for i in (0..n).rev() {
        let (d, e) = (s.diag[i] as usize + 1, s.row_start[i + 1] as usize);
        let mut acc = x[i];
        for (&j, &u) in s.cols[d..e].iter().zip(&values[d..e]) {
            acc = acc - x[j as usize] * u;
        }
        x[i] = acc * inv_pivot[i];
    }
    for k in 0..n {
        b[s.order[k] as usize] = x[k];
    }
}

/// The LU factors of a matrix with the compile-time structure of `Pat` ([`SymbolicLu`]),
/// `M = Pat::LU_NNZ` stored entries (module docs): `(M + 2 N)` scalars, no allocation; the
/// `M` entries in the storage `W` (in place, or in a box of their own with [`super::Heap`]).
///
/// ```
/// use ode_core::linalg::{LuStructure, SparseLu, SymbolicLu};
/// use ode_core::Sparsity;
/// /// The pattern of [[4, 1, 0], [1, 4, 1], [0, 1, 4]], with its structure written out: the
/// /// natural order, no fill.
/// struct Tri;
/// impl Sparsity<3> for Tri {
///     const PATTERN: &'static [(usize, usize)] =
///         &[(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)];
///     const COLORS: [usize; 3] = [0, 1, 2];
///     const N_COLORS: usize = 3;
/// }
/// impl SymbolicLu<3> for Tri {
///     const LU_NNZ: usize = 7;
///     const LU: LuStructure<'static> = LuStructure {
///         order: &[0, 1, 2],
///         row_start: &[0, 2, 5, 7],
///         cols: &[0, 1, 0, 1, 2, 1, 2],
///         diag: &[0, 3, 6],
///         inverse: &[0, 1, 2],
///         entry: &[0, 1, 2, 3, 4, 5, 6],
///     };
/// }
/// let mut lu = SparseLu::<f64, 3, Tri, 7>::zeroed();
/// let a = [4.0, 1.0, 1.0, 4.0, 1.0, 1.0, 4.0];
/// lu.factor_with(|k| a[k]).unwrap();
/// let mut b = [5.0, 6.0, 5.0]; // A (1, 1, 1)
/// lu.solve(&mut b);
/// assert!(b.iter().all(|v| (v - 1.0).abs() < 1e-14));
/// ```
pub struct SparseLu<S: Scalar, const N: usize, Pat, const M: usize, W: Storage = Inline> {
    values: W::Array<S, M>,
    inv_pivot: [S; N],
    work: [S; N],
    pattern: core::marker::PhantomData<fn() -> Pat>,
}

// By hand: the pattern type is only a marker, so neither impl asks it to be `Clone` or `Debug`.
impl<S: Scalar, const N: usize, Pat, const M: usize, W: Storage> Clone
    for SparseLu<S, N, Pat, M, W>
{
    fn clone(&self) -> Self {
        SparseLu {
            values: self.values.clone(),
            inv_pivot: self.inv_pivot,
            work: self.work,
            pattern: core::marker::PhantomData,
        }
    }
}

impl<S: Scalar, const N: usize, Pat, const M: usize, W: Storage> core::fmt::Debug
    for SparseLu<S, N, Pat, M, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SparseLu")
            .field("n", &N)
            .field("lu_nnz", &M)
            .finish_non_exhaustive()
    }
}

impl<S: Scalar, const N: usize, Pat: SymbolicLu<N>, const M: usize, W: Storage>
    SparseLu<S, N, Pat, M, W>
{
    const SHAPE: () = assert!(
        M == Pat::LU_NNZ,
        "SparseLu<S, N, Pat, M>: M must be Pat::LU_NNZ"
    );

    /// Storage for a factorisation, all zeros.
    pub fn zeroed() -> Self {
        let () = Self::SHAPE;
        SparseLu {
            values: W::array(S::zero()),
            inv_pivot: [S::zero(); N],
            work: [S::zero(); N],
            pattern: core::marker::PhantomData,
        }
    }

    /// Factors the matrix whose `k`-th structural entry (`Pat::PATTERN[k]`) is `entry(k)`,
    /// plus `diagonal` on the diagonal (written straight into the factor storage).
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero, not finite or negligible (module docs).
    pub fn factor_shifted(
        &mut self,
        diagonal: S,
        mut entry: impl FnMut(usize) -> S,
    ) -> Result<(), Singular> {
        let s = Pat::LU;
        for v in self.values.iter_mut() {
            *v = S::zero();
        }
        for (k, &p) in s.entry.iter().enumerate() {
            if let Some(v) = self.values.get_mut(p as usize) {
                *v = entry(k);
            }
        }
        for &d in s.diag {
            self.values[d as usize] = self.values[d as usize] + diagonal;
        }
        factor_in_place(
            &s,
            &mut self.values[..],
            &mut self.inv_pivot,
            &mut self.work,
        )
    }

    /// Factors the matrix whose entry at position `p` of the factor structure is `entry(p)`
    /// (zero at the fill positions: a matrix kept in the structure's positions), plus
    /// `diagonal` on the diagonal.
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero, not finite or negligible (module docs).
    pub fn factor_positions(
        &mut self,
        diagonal: S,
        mut entry: impl FnMut(usize) -> S,
    ) -> Result<(), Singular> {
        let s = Pat::LU;
        for (p, v) in self.values.iter_mut().enumerate() {
            *v = entry(p);
        }
        for &d in s.diag {
            self.values[d as usize] = self.values[d as usize] + diagonal;
        }
        factor_in_place(
            &s,
            &mut self.values[..],
            &mut self.inv_pivot,
            &mut self.work,
        )
    }

    /// Factors the matrix whose `k`-th structural entry is `entry(k)`.
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero, not finite or negligible (module docs).
    pub fn factor_with(&mut self, entry: impl FnMut(usize) -> S) -> Result<(), Singular> {
        self.factor_shifted(S::zero(), entry)
    }

    /// Overwrites `b` with `A⁻¹ b` from the last successful factorisation.
    pub fn solve(&self, b: &mut [S; N]) {
        let mut x = [S::zero(); N];
        solve_in_place(&Pat::LU, &self.values[..], &self.inv_pivot, b, &mut x);
    }

    /// Overwrites `b` (of another scalar `V`: a real right-hand side with complex factors, a
    /// dual one with real factors) with `A⁻¹ b`.
    pub fn solve_as<V>(&self, b: &mut [V; N])
    where
        V: Copy + Zero + core::ops::Sub<Output = V> + core::ops::Mul<S, Output = V>,
    {
        let mut x = [V::zero(); N];
        solve_in_place(&Pat::LU, &self.values[..], &self.inv_pivot, b, &mut x);
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use crate::linalg::symbolic::analyse;
    use alloc::vec;

    /// Without pivoting, a zero or negligible pivot is a clear `Singular`, never a silent
    /// wrong answer, and the work vector is left zeroed for the next factorisation.
    #[test]
    fn zero_and_negligible_pivots_are_singular() {
        let p = [(0, 1), (1, 0), (0, 0), (1, 1)];
        let lu = analyse(2, &p);
        let s = lu.as_structure();
        for (a00, singular) in [(0.0, true), (1e-20, true), (f64::NAN, true), (0.5, false)] {
            let mut values = vec![0.0; lu.nnz()];
            for (k, v) in [1.0, 1.0, a00, 0.0].into_iter().enumerate() {
                values[lu.entry[k] as usize] = v;
            }
            let (mut inv, mut work) = (vec![0.0; 2], vec![0.0; 2]);
            let r = factor_in_place(&s, &mut values, &mut inv, &mut work);
            assert_eq!(r.is_err(), singular, "a00 = {a00}");
            assert!(work.iter().all(|&w| w == 0.0));
            if !singular {
                // [[0.5, 1], [1, 0]] (1, 1) = (1.5, 1).
                let (mut b, mut x) = ([1.5, 1.0], [0.0; 2]);
                solve_in_place(&s, &values, &inv, &mut b, &mut x);
                assert!((b[0] - 1.0).abs() < 1e-15 && (b[1] - 1.0).abs() < 1e-15);
            }
        }
    }

    /// Complex factors solve real and complex right-hand sides alike.
    #[test]
    fn complex_factors() {
        use num_complex::Complex64;
        let p = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 0)];
        let lu = analyse(3, &p);
        let s = lu.as_structure();
        let a = [
            Complex64::new(2.0, 1.0),
            Complex64::new(1.0, 0.0),
            Complex64::new(0.0, 1.0),
            Complex64::new(3.0, 0.0),
            Complex64::new(1.0, -1.0),
            Complex64::new(0.5, 0.0),
        ];
        let mut values = vec![Complex64::new(0.0, 0.0); lu.nnz()];
        for (k, v) in a.into_iter().enumerate() {
            values[lu.entry[k] as usize] = v;
        }
        let (mut inv, mut work) = (
            vec![Complex64::new(0.0, 0.0); 3],
            vec![Complex64::new(0.0, 0.0); 3],
        );
        factor_in_place(&s, &mut values, &mut inv, &mut work).unwrap();
        // A x for x = (1, i, 1 + i).
        let x = [
            Complex64::new(1.0, 0.0),
            Complex64::new(0.0, 1.0),
            Complex64::new(1.0, 1.0),
        ];
        let mut b = [
            a[0] * x[0] + a[1] * x[1],
            a[2] * x[0] + a[3] * x[1],
            a[5] * x[0] + a[4] * x[2],
        ];
        let mut w = [Complex64::new(0.0, 0.0); 3];
        solve_in_place(&s, &values, &inv, &mut b, &mut w);
        for i in 0..3 {
            assert!((b[i] - x[i]).norm() < 1e-14, "{i}: {}", b[i]);
        }
    }
}
