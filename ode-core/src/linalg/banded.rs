//! Band matrices and their LU factorisation with partial pivoting, in `O(N·(KL + KU))` storage.
//!
//! A matrix with `KL` sub- and `KU` superdiagonals (a method-of-lines Jacobian: `KL = KU = 1`
//! for the 1-D heat equation) is stored by columns with its diagonals as rows, as LAPACK's
//! `xGBTRF` keeps it (Anderson et al., *LAPACK Users' Guide*, 3rd ed., 1999, §5.3.3): column `j`
//! holds the entries `(i, j)`, `j − KU − KL ≤ i ≤ j + KL`, at position `KU + KL + i − j`. The
//! top `KL` positions are where the row swaps of partial pivoting push `U`'s fill-in (its
//! bandwidth grows from `KU` to `KL + KU`), so the width is `B = 2 KL + KU + 1`, a type
//! parameter the type checks (stable Rust cannot compute an array length from `KL` and `KU`).
//!
//! The factorisation is LAPACK's unblocked `xGBTF2`, the solve `xGBTRS` (Golub & Van Loan,
//! *Matrix Computations*, 4th ed., Algorithm 4.3.1 with pivoting as in §4.3.5): `O(N·KL·(KL +
//! KU))` operations, `O(N·(KL + KU))` per solve.

use super::Singular;
use crate::scalar::Scalar;
use num_traits::Zero;

/// A band matrix `N × N` with `KL` sub- and `KU` superdiagonals, in the layout of the module
/// docs (`B = 2 KL + KU + 1`; the top `KL` rows of each column stay zero).
///
/// ```
/// use ode_core::linalg::BandMatrix;
/// // The tridiagonal [[2, −1, 0], [−1, 2, −1], [0, −1, 2]].
/// let mut a = BandMatrix::<f64, 3, 1, 1, 4>::zeroed();
/// for i in 0..3 {
///     a.set(i, i, 2.0);
///     if i > 0 { a.set(i, i - 1, -1.0); a.set(i - 1, i, -1.0); }
/// }
/// assert_eq!(a.get(1, 2), -1.0);
/// assert_eq!(a.get(0, 2), 0.0); // outside the band
/// ```
#[derive(Debug, Clone)]
pub struct BandMatrix<S, const N: usize, const KL: usize, const KU: usize, const B: usize> {
    /// `cols[j][KU + KL + i − j]` is entry `(i, j)`.
    cols: [[S; B]; N],
}

impl<S: Scalar, const N: usize, const KL: usize, const KU: usize, const B: usize>
    BandMatrix<S, N, KL, KU, B>
{
    const SHAPE: () = assert!(
        B == 2 * KL + KU + 1,
        "BandMatrix<S, N, KL, KU, B>: B must be 2 KL + KU + 1"
    );
    /// The position of the diagonal in a column.
    const DIAG: usize = KL + KU;

    /// The zero matrix.
    pub fn zeroed() -> Self {
        let () = Self::SHAPE;
        BandMatrix {
            cols: [[S::zero(); B]; N],
        }
    }

    /// Whether `(i, j)` lies in the band (`−KL ≤ i − j ≤ KU` above the diagonal).
    #[inline]
    pub fn in_band(i: usize, j: usize) -> bool {
        i < N && j < N && i <= j + KL && j <= i + KU
    }

    /// The rows of column `j` inside the band: `max(0, j − KU) .. min(N, j + KL + 1)`.
    #[inline]
    pub fn rows(j: usize) -> core::ops::Range<usize> {
        j.saturating_sub(KU)..(j + KL + 1).min(N)
    }

    /// Entry `(i, j)`: zero outside the band.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> S {
        if Self::in_band(i, j) {
            self.cols[j][Self::DIAG + i - j]
        } else {
            S::zero()
        }
    }

    /// Sets entry `(i, j)`, which must lie in the band (outside it the call does nothing).
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: S) {
        if Self::in_band(i, j) {
            self.cols[j][Self::DIAG + i - j] = v;
        }
    }
}

/// The LU factors of a band matrix with partial pivoting (`xGBTRF`'s layout and algorithm;
/// module docs): `L` unit lower with `KL` subdiagonals (as multipliers), `U` upper with
/// `KL + KU` superdiagonals.
///
/// ```
/// use ode_core::linalg::{BandLu, BandMatrix};
/// // [[1, 2, 0], [3, 1, 1], [0, 4, 1]]: the zero-free subdiagonal forces row swaps.
/// let mut a = BandMatrix::<f64, 3, 1, 1, 4>::zeroed();
/// for (i, j, v) in [(0, 0, 1.0), (0, 1, 2.0), (1, 0, 3.0), (1, 1, 1.0), (1, 2, 1.0), (2, 1, 4.0), (2, 2, 1.0)] {
///     a.set(i, j, v);
/// }
/// let mut lu = BandLu::zeroed();
/// lu.factor(&a).unwrap();
/// // A x = (5, 6, 9) for x = (1, 2, 1).
/// let mut b = [5.0, 6.0, 9.0];
/// lu.solve(&mut b);
/// assert!((b[0] - 1.0).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14 && (b[2] - 1.0).abs() < 1e-14);
/// ```
#[derive(Debug, Clone)]
pub struct BandLu<S, const N: usize, const KL: usize, const KU: usize, const B: usize> {
    lu: BandMatrix<S, N, KL, KU, B>,
    /// `piv[j]`: the row swapped with row `j` at step `j`.
    piv: [usize; N],
}

impl<S: Scalar, const N: usize, const KL: usize, const KU: usize, const B: usize>
    BandLu<S, N, KL, KU, B>
{
    const DIAG: usize = KL + KU;

    /// Storage for a factorisation, all zeros.
    pub fn zeroed() -> Self {
        BandLu {
            lu: BandMatrix::zeroed(),
            piv: [0; N],
        }
    }

    /// Factors `a`.
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero or not finite.
    pub fn factor(&mut self, a: &BandMatrix<S, N, KL, KU, B>) -> Result<(), Singular> {
        self.factor_with(|i, j| a.get(i, j))
    }

    /// Factors the band matrix whose in-band entries are `entry(i, j)`, written straight into
    /// the factorisation's storage (no matrix of its own is built).
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero or not finite.
    pub fn factor_with(
        &mut self,
        mut entry: impl FnMut(usize, usize) -> S,
    ) -> Result<(), Singular> {
        let dg = Self::DIAG;
        let ab = &mut self.lu.cols;
        for (j, col) in ab.iter_mut().enumerate() {
            *col = [S::zero(); B];
            for i in BandMatrix::<S, N, KL, KU, B>::rows(j) {
                col[dg + i - j] = entry(i, j);
            }
        }
        // The last column the row swaps so far reach.
        let mut ju = 0usize;
        for j in 0..N {
            let km = KL.min(N - 1 - j);
            let mut jp = 0;
            let mut best = ab[j][dg].pivot_magnitude();
            for r in 1..=km {
                let m = ab[j][dg + r].pivot_magnitude();
                if m > best {
                    best = m;
                    jp = r;
                }
            }
            self.piv[j] = j + jp;
            if best.is_zero() || !ab[j][dg + jp].all_finite() {
                return Err(Singular { column: j });
            }
            ju = ju.max((j + KU + jp).min(N - 1));
            if jp != 0 {
                // Swap rows j and j + jp in columns j..=ju: entry (row, c) sits at dg + row − c.
                // c ≤ ju ≤ j + KL + KU keeps both positions inside the column.
                for c in j..=ju {
                    ab[c].swap(dg + j - c, dg + j + jp - c);
                }
            }
            let inv = S::from_real(num_traits::One::one()) / ab[j][dg];
            for r in 1..=km {
                ab[j][dg + r] = ab[j][dg + r] * inv;
            }
            let (head, tail) = ab.split_at_mut(j + 1);
            let lcol = &head[j];
            for (off, col) in tail.iter_mut().take(ju - j).enumerate() {
                let c = j + 1 + off;
                let u = col[dg + j - c];
                if u.is_zero() {
                    continue;
                }
                for r in 1..=km {
                    col[dg + j + r - c] = col[dg + j + r - c] - lcol[dg + r] * u;
                }
            }
        }
        Ok(())
    }

    /// Overwrites `b` with the solution `x` of `A x = b`, from the last successful
    /// factorisation.
    pub fn solve(&self, b: &mut [S; N]) {
        let dg = Self::DIAG;
        let ab = &self.lu.cols;
        // L y = P b, column by column with the swaps in order.
        for j in 0..N {
            let p = self.piv[j];
            if p != j {
                b.swap(p, j);
            }
            let bj = b[j];
            for r in 1..=KL.min(N - 1 - j) {
                b[j + r] = b[j + r] - ab[j][dg + r] * bj;
            }
        }
        // U x = y, U with KL + KU superdiagonals.
        for j in (0..N).rev() {
            let xj = b[j] / ab[j][dg];
            b[j] = xj;
            for i in j.saturating_sub(dg)..j {
                b[i] = b[i] - ab[j][dg + i - j] * xj;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Lu;
    use crate::test_rng::lcg;
    use num_complex::Complex64;

    /// A random band matrix (entries in (−1, 1), a zero diagonal now and then, where the band is not triangular, to force
    /// pivoting) as a band and as a dense matrix.
    fn random<const N: usize, const KL: usize, const KU: usize, const B: usize>(
        rng: &mut u64,
    ) -> (BandMatrix<f64, N, KL, KU, B>, [[f64; N]; N]) {
        let mut band = BandMatrix::zeroed();
        let mut dense = [[0.0; N]; N];
        for j in 0..N {
            for i in BandMatrix::<f64, N, KL, KU, B>::rows(j) {
                let v = if i == j && KL > 0 && KU > 0 && lcg(rng) < 0.3 {
                    0.0
                } else {
                    2.0 * lcg(rng) - 1.0
                };
                band.set(i, j, v);
                dense[i][j] = v;
            }
        }
        (band, dense)
    }

    fn check<const N: usize, const KL: usize, const KU: usize, const B: usize>(rng: &mut u64) {
        let mut solved = 0;
        for _ in 0..20 {
            let (band, dense) = random::<N, KL, KU, B>(rng);
            let Ok(_) = Lu::factor(dense) else {
                continue;
            };
            solved += 1;
            let mut lu = BandLu::zeroed();
            lu.factor(&band).expect("a matrix the dense LU factors");
            let x: [f64; N] = core::array::from_fn(|i| (i as f64 * 0.37).sin() + 0.5);
            let mut b = [0.0; N];
            for i in 0..N {
                for j in 0..N {
                    b[i] += dense[i][j] * x[j];
                }
            }
            let mut xb = b;
            lu.solve(&mut xb);
            // Backward stable, as the dense LU: the residual is rounding-sized against
            // ‖A‖ ‖x‖ (the forward error would grow with the condition, which random
            // triangular-heavy bands make large).
            let norm_a = dense
                .iter()
                .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
                .fold(0.0, f64::max);
            let norm_x = xb.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for i in 0..N {
                let ax: f64 = (0..N).map(|j| dense[i][j] * xb[j]).sum();
                assert!(
                    (ax - b[i]).abs() <= 1e-13 * N as f64 * norm_a * norm_x,
                    "N {N} KL {KL} KU {KU}: residual {}",
                    ax - b[i]
                );
            }
            // Made diagonally dominant (well conditioned), it returns the known solution.
            let mut dom = band.clone();
            for i in 0..N {
                let d = dom.get(i, i) + (KL + KU + 1) as f64;
                dom.set(i, i, d);
            }
            let mut b = [0.0; N];
            for i in 0..N {
                for j in 0..N {
                    b[i] += dom.get(i, j) * x[j];
                }
            }
            lu.factor(&dom).unwrap();
            lu.solve(&mut b);
            for i in 0..N {
                assert!(
                    (b[i] - x[i]).abs() < 1e-13,
                    "N {N} KL {KL} KU {KU}: {}",
                    b[i] - x[i]
                );
            }
        }
        assert!(
            solved >= 15,
            "N {N} KL {KL} KU {KU}: only {solved} nonsingular draws"
        );
    }

    #[test]
    fn agrees_with_the_dense_lu_over_a_sweep_of_shapes() {
        let mut rng = 7u64;
        check::<1, 0, 0, 1>(&mut rng);
        check::<5, 0, 0, 1>(&mut rng);
        check::<5, 1, 1, 4>(&mut rng);
        check::<8, 2, 1, 6>(&mut rng);
        check::<8, 1, 3, 6>(&mut rng);
        check::<12, 3, 3, 10>(&mut rng);
        check::<12, 11, 11, 34>(&mut rng);
        check::<30, 2, 2, 7>(&mut rng);
        check::<30, 0, 4, 5>(&mut rng);
        check::<30, 4, 0, 9>(&mut rng);
    }

    #[test]
    fn complex_band_and_singular_matrix() {
        // (2 + i) on the diagonal, 1 off it: x = (1, …, 1) from its row sums.
        let mut a = BandMatrix::<Complex64, 6, 1, 1, 4>::zeroed();
        for i in 0..6 {
            a.set(i, i, Complex64::new(2.0, 1.0));
            if i > 0 {
                a.set(i, i - 1, Complex64::new(1.0, 0.0));
                a.set(i - 1, i, Complex64::new(1.0, 0.0));
            }
        }
        let mut b: [Complex64; 6] = core::array::from_fn(|i| {
            let off = if i == 0 || i == 5 { 1.0 } else { 2.0 };
            Complex64::new(2.0 + off, 1.0)
        });
        let mut lu = BandLu::zeroed();
        lu.factor(&a).unwrap();
        lu.solve(&mut b);
        assert!(b.iter().all(|z| (z - 1.0).norm() < 1e-14), "{b:?}");
        // A zero column is singular, at that column.
        let mut z = BandMatrix::<f64, 4, 1, 1, 4>::zeroed();
        z.set(0, 0, 1.0);
        z.set(1, 0, 1.0);
        z.set(3, 3, 1.0);
        assert_eq!(BandLu::zeroed().factor(&z), Err(Singular { column: 1 }));
    }
}
