//! LU factorisation with partial pivoting, `P A = L U`, on fixed-size arrays.
//!
//! Doolittle's elimination in the `kji` order of LINPACK's `DGEFA` (Golub & Van Loan,
//! *Matrix Computations*, 4th ed., Algorithm 3.4.1): at step `k` the entry of largest modulus
//! in column `k` (on or below the diagonal) becomes the pivot, the rows are swapped, the
//! multipliers `l_ik = a_ik / a_kk` overwrite the column, and the trailing block is updated row
//! by row (rows are contiguous in `[[S; N]; N]`). `L` (unit diagonal, not stored) and `U`
//! share the one array. A pivot that is exactly zero or not finite makes the matrix
//! [`Singular`]: the implicit methods answer that by shrinking the step, as Hairer's `DEC`
//! reports `IER` to RADAU5.

use super::storage::{Inline, InlineMatrix, Storage};
use crate::scalar::{Real, Scalar};
use num_complex::Complex;
use num_traits::Zero;

/// The factorisation was stopped at column `column` by a pivot that is zero or not finite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Singular {
    /// The column without a usable pivot.
    pub column: usize,
}

/// The LU factors of an `N × N` matrix with the row permutation of partial pivoting.
///
/// ```
/// use ode_core::linalg::Lu;
///
/// // A x = b with A = [[0, 2], [3, 1]] (the zero forces a row swap), b = (4, 5): x = (1, 2).
/// let lu = Lu::factor([[0.0f64, 2.0], [3.0, 1.0]]).unwrap();
/// let mut x = [4.0f64, 5.0];
/// lu.solve(&mut x);
/// assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 2.0).abs() < 1e-15);
///
/// // Complex matrices too: (1 + i) x = 2i gives x = 1 + i.
/// use ode_core::num_complex::Complex64;
/// let lu = Lu::factor([[Complex64::new(1.0, 1.0)]]).unwrap();
/// let mut z = [Complex64::new(0.0, 2.0)];
/// lu.solve(&mut z);
/// assert!((z[0] - Complex64::new(1.0, 1.0)).norm() < 1e-15);
///
/// // A singular matrix is reported, not divided by.
/// assert_eq!(Lu::factor([[1.0f64, 2.0], [2.0, 4.0]]).unwrap_err().column, 1);
/// ```
#[derive(Debug, Clone)]
pub struct Lu<S: Scalar, const N: usize, W: Storage = Inline> {
    /// `U` on and above the diagonal, the multipliers of `L` below it.
    lu: W::Matrix<S, N>,
    /// `piv[k]`: the row swapped with row `k` at step `k`.
    piv: [usize; N],
    /// `1 / u_kk`: the solves multiply instead of dividing.
    inv_diag: [S; N],
}

impl<S: Scalar, const N: usize> Default for Lu<S, N> {
    fn default() -> Self {
        Self::zeroed()
    }
}

impl<S: Scalar, const N: usize> Lu<S, N> {
    /// Factors `a`.
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero or not finite.
    pub fn factor(a: [[S; N]; N]) -> Result<Self, Singular> {
        let mut lu = Lu {
            lu: InlineMatrix(a),
            piv: [0; N],
            inv_diag: [S::zero(); N],
        };
        lu.refactor()?;
        Ok(lu)
    }
}

impl<S: Scalar, const N: usize, W: Storage> Lu<S, N, W> {
    /// Storage for a factorisation in `W`, all zeros (not yet a factorisation: factor into it
    /// with [`Lu::factor_from`] or [`Lu::matrix_mut`] and [`Lu::refactor`]).
    pub fn zeroed() -> Self {
        Lu {
            lu: W::matrix(S::zero()),
            piv: [0; N],
            inv_diag: [S::zero(); N],
        }
    }

    /// Factors `a` in place of the factors held (no copy of the struct, for steppers that keep
    /// one factorisation and renew it).
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero or not finite; the factors are then unusable until
    /// the next successful call.
    pub fn factor_from(&mut self, a: &[[S; N]; N]) -> Result<(), Singular> {
        for (to, from) in self.lu.iter_mut().zip(a.iter()) {
            *to = *from;
        }
        self.refactor()
    }

    /// Gives mutable access to the matrix to be factored next with [`Lu::refactor`]: a
    /// stepper writes its iteration matrix straight into this storage.
    pub fn matrix_mut(&mut self) -> &mut [[S; N]; N] {
        &mut self.lu
    }

    /// Factors the matrix held in the storage (written there by [`Lu::matrix_mut`]).
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero or not finite.
    pub fn refactor(&mut self) -> Result<(), Singular> {
        let a: &mut [[S; N]; N] = &mut self.lu;
        for k in 0..N {
            // The pivot: the largest modulus in column k, on or below the diagonal.
            let mut p = k;
            let mut best = a[k][k].pivot_magnitude();
            for i in k + 1..N {
                let m = a[i][k].pivot_magnitude();
                if m > best {
                    best = m;
                    p = i;
                }
            }
            self.piv[k] = p;
            if best.is_zero() || !a[p][k].all_finite() {
                return Err(Singular { column: k });
            }
            if p != k {
                a.swap(p, k);
            }
            let (top, below) = a.split_at_mut(k + 1);
            let row_k = &top[k];
            let inv = S::from_real(num_traits::One::one()) / row_k[k];
            self.inv_diag[k] = inv;
            for row in below.iter_mut() {
                let l = row[k] * inv;
                row[k] = l;
                if l.is_zero() {
                    continue;
                }
                for j in k + 1..N {
                    row[j] = row[j] - l * row_k[j];
                }
            }
        }
        Ok(())
    }

    /// Overwrites `b` with the solution `x` of `A x = b`.
    pub fn solve(&self, b: &mut [S; N]) {
        let a: &[[S; N]; N] = &self.lu;
        // P b, then L y = P b (unit lower triangular), then U x = y.
        for k in 0..N {
            let p = self.piv[k];
            if p != k {
                b.swap(p, k);
            }
        }
        // Column by column (LAPACK's `xGETRS` order): each update of `b` below (or above) the
        // diagonal is independent of the others, so the additions do not form one long
        // dependency chain as a row-by-row running sum would (measured 1.1–1.7× faster for
        // N ≥ 8 in `benches/peers/benches/linalg.rs`).
        for j in 0..N {
            let bj = b[j];
            for i in j + 1..N {
                b[i] = b[i] - a[i][j] * bj;
            }
        }
        // U x = y.
        for j in (0..N).rev() {
            let xj = b[j] * self.inv_diag[j];
            b[j] = xj;
            for i in 0..j {
                b[i] = b[i] - a[i][j] * xj;
            }
        }
    }
}

impl<R: Real, const N: usize, W: Storage> Lu<Complex<R>, N, W> {
    /// [`Lu::solve`] for a complex matrix and a right-hand side given by its real and
    /// imaginary parts `(re, im)`, each a vector of a scalar type `V` over `R` (a real or a
    /// dual number): the same operations, part by part.
    pub fn solve_parts<V: Scalar<Real = R>>(&self, re: &mut [V; N], im: &mut [V; N]) {
        let a: &[[Complex<R>; N]; N] = &self.lu;
        for k in 0..N {
            let p = self.piv[k];
            if p != k {
                re.swap(p, k);
                im.swap(p, k);
            }
        }
        for j in 0..N {
            let (br, bi) = (re[j], im[j]);
            for i in j + 1..N {
                let l = a[i][j];
                re[i] = re[i] - (br * l.re - bi * l.im);
                im[i] = im[i] - (bi * l.re + br * l.im);
            }
        }
        for j in (0..N).rev() {
            let d = self.inv_diag[j];
            let (xr, xi) = (re[j] * d.re - im[j] * d.im, re[j] * d.im + im[j] * d.re);
            re[j] = xr;
            im[j] = xi;
            for i in 0..j {
                let u = a[i][j];
                re[i] = re[i] - (xr * u.re - xi * u.im);
                im[i] = im[i] - (xi * u.re + xr * u.im);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_complex::Complex64;

    /// `A x` for checking residuals.
    fn mul<S: Scalar, const N: usize>(a: &[[S; N]; N], x: &[S; N]) -> [S; N] {
        let mut out = [S::zero(); N];
        for i in 0..N {
            for j in 0..N {
                out[i] = out[i] + a[i][j] * x[j];
            }
        }
        out
    }

    #[test]
    fn solves_a_pivoting_real_system_to_rounding() {
        // Hilbert-like but well conditioned: a_ij = 1 / (i + j + 1) + 4 δ_ij, with a zero
        // leading entry to force a swap.
        let mut a = [[0.0; 5]; 5];
        for i in 0..5 {
            for j in 0..5 {
                a[i][j] = 1.0 / (i + j + 1) as f64 + if i == j { 4.0 } else { 0.0 };
            }
        }
        a[0][0] = 0.0;
        let x_true = [1.0, -2.0, 3.0, -4.0, 5.0];
        let mut b = mul(&a, &x_true);
        Lu::factor(a).unwrap().solve(&mut b);
        for i in 0..5 {
            assert!((b[i] - x_true[i]).abs() < 1e-13, "{b:?}");
        }
    }

    #[test]
    fn solves_a_complex_system_to_rounding() {
        let c = Complex64::new;
        let a = [
            [c(0.0, 0.0), c(2.0, -1.0), c(1.0, 0.5)],
            [c(3.0, 1.0), c(-1.0, 0.0), c(0.0, 2.0)],
            [c(1.0, -1.0), c(0.5, 0.5), c(4.0, 0.0)],
        ];
        let x_true = [c(1.0, 1.0), c(-2.0, 0.5), c(0.0, -3.0)];
        let mut b = mul(&a, &x_true);
        let mut lu = Lu::default();
        lu.factor_from(&a).unwrap();
        lu.solve(&mut b);
        for i in 0..3 {
            assert!((b[i] - x_true[i]).norm() < 1e-14, "{b:?}");
        }
    }

    #[test]
    fn reports_singular_and_non_finite_pivots() {
        assert_eq!(
            Lu::factor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]])
                .unwrap_err()
                .column,
            1
        );
        assert_eq!(
            Lu::factor([[f64::NAN, 0.0], [0.0, 1.0]])
                .unwrap_err()
                .column,
            0
        );
        assert!(Lu::<f64, 0>::factor([]).is_ok());
    }
}
