//! LU factorisation with partial pivoting of a complex `N × N` matrix kept as two real arrays.
//!
//! The same elimination as [`Lu`](super::Lu), for the complex iteration matrix
//! `((α + iβ)/h) I − J` of Radau IIA, but with the real and imaginary parts stored apart and by
//! columns, as Hairer's `DECC` / `SOLC` (*Solving ODEs II*, IV.8, and the `DECSOL` package) keep
//! them. A complex product `a · b` then becomes four real products on contiguous columns, which
//! the compiler vectorises; with interleaved `Complex<R>` entries each product needs shuffles,
//! and on the baseline x86-64 target (no `addsubpd`) it runs one scalar at a time. The pivot is
//! the entry of largest `|re| + |im|`, as in `DECC`.

use super::Singular;
use crate::scalar::Real;
use num_complex::Complex;

/// The LU factors of a complex `N × N` matrix, real and imaginary parts apart, with the row
/// permutation of partial pivoting.
///
/// ```
/// use ode_core::linalg::SplitComplexLu;
/// use ode_core::num_complex::Complex64;
///
/// // A = [[0, 1 + i], [2i, 1]] (the zero forces a row swap); x = (1, i), so b = A x = (i − 1, 3i).
/// let a = [
///     [Complex64::new(0.0, 0.0), Complex64::new(1.0, 1.0)],
///     [Complex64::new(0.0, 2.0), Complex64::new(1.0, 0.0)],
/// ];
/// let mut lu = SplitComplexLu::<f64, 2>::default();
/// lu.factor_with(|i, j| a[i][j]).unwrap();
/// let (mut re, mut im) = ([-1.0, 0.0], [1.0, 3.0]);
/// lu.solve(&mut re, &mut im);
/// assert!((re[0] - 1.0).abs() < 1e-15 && im[0].abs() < 1e-15);
/// assert!(re[1].abs() < 1e-15 && (im[1] - 1.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SplitComplexLu<R, const N: usize> {
    /// Real parts by columns (`re[j][i]` is entry `(i, j)`): `U` on and above the diagonal,
    /// the multipliers of `L` below it.
    re: [[R; N]; N],
    /// Imaginary parts, stored like `re`.
    im: [[R; N]; N],
    /// `piv[k]`: the row swapped with row `k` at step `k`.
    piv: [usize; N],
    /// `1 / u_kk`, real and imaginary parts: the solves multiply instead of dividing.
    inv_diag: [(R, R); N],
}

impl<R: Real, const N: usize> Default for SplitComplexLu<R, N> {
    fn default() -> Self {
        SplitComplexLu {
            re: [[R::zero(); N]; N],
            im: [[R::zero(); N]; N],
            piv: [0; N],
            inv_diag: [(R::zero(), R::zero()); N],
        }
    }
}

impl<R: Real, const N: usize> SplitComplexLu<R, N> {
    /// Factors the matrix whose entry `(i, j)` is `entry(i, j)`, written straight into the
    /// factorisation's storage.
    ///
    /// # Errors
    /// [`Singular`] when a pivot is zero or not finite; the factors are then unusable until
    /// the next successful call.
    pub fn factor_with(
        &mut self,
        mut entry: impl FnMut(usize, usize) -> Complex<R>,
    ) -> Result<(), Singular> {
        for j in 0..N {
            for i in 0..N {
                let e = entry(i, j);
                self.re[j][i] = e.re;
                self.im[j][i] = e.im;
            }
        }
        self.refactor()
    }

    /// Factors the matrix held in the storage.
    fn refactor(&mut self) -> Result<(), Singular> {
        let (re, im) = (&mut self.re, &mut self.im);
        for k in 0..N {
            // The pivot: the largest |re| + |im| in column k, on or below the diagonal.
            let mut p = k;
            let mut best = re[k][k].abs() + im[k][k].abs();
            for i in k + 1..N {
                let m = re[k][i].abs() + im[k][i].abs();
                if m > best {
                    best = m;
                    p = i;
                }
            }
            self.piv[k] = p;
            if best.is_zero() || !best.is_finite() {
                return Err(Singular { column: k });
            }
            if p != k {
                for j in 0..N {
                    re[j].swap(p, k);
                    im[j].swap(p, k);
                }
            }
            // 1 / u_kk = conj(u_kk) / |u_kk|², and the multipliers l_ik = a_ik / u_kk.
            let (ur, ui) = (re[k][k], im[k][k]);
            let den = ur * ur + ui * ui;
            let (vr, vi) = (ur / den, -ui / den);
            self.inv_diag[k] = (vr, vi);
            for i in k + 1..N {
                let (ar, ai) = (re[k][i], im[k][i]);
                re[k][i] = ar * vr - ai * vi;
                im[k][i] = ar * vi + ai * vr;
            }
            // The trailing block, column by column: a_ij -= l_ik u_kj.
            for j in k + 1..N {
                let (ur, ui) = (re[j][k], im[j][k]);
                if ur.is_zero() && ui.is_zero() {
                    continue;
                }
                for i in k + 1..N {
                    let (lr, li) = (re[k][i], im[k][i]);
                    re[j][i] = re[j][i] - (lr * ur - li * ui);
                    im[j][i] = im[j][i] - (lr * ui + li * ur);
                }
            }
        }
        Ok(())
    }

    /// Overwrites `(b_re, b_im)` with the real and imaginary parts of the solution `x` of
    /// `A x = b`.
    pub fn solve(&self, b_re: &mut [R; N], b_im: &mut [R; N]) {
        let (re, im) = (&self.re, &self.im);
        for k in 0..N {
            let p = self.piv[k];
            if p != k {
                b_re.swap(p, k);
                b_im.swap(p, k);
            }
        }
        // L y = P b, then U x = y, column by column down contiguous memory.
        for j in 0..N {
            let (br, bi) = (b_re[j], b_im[j]);
            for i in j + 1..N {
                let (lr, li) = (re[j][i], im[j][i]);
                b_re[i] = b_re[i] - (lr * br - li * bi);
                b_im[i] = b_im[i] - (lr * bi + li * br);
            }
        }
        for j in (0..N).rev() {
            let (vr, vi) = self.inv_diag[j];
            let (yr, yi) = (b_re[j], b_im[j]);
            let (xr, xi) = (yr * vr - yi * vi, yr * vi + yi * vr);
            b_re[j] = xr;
            b_im[j] = xi;
            for i in 0..j {
                let (ur, ui) = (re[j][i], im[j][i]);
                b_re[i] = b_re[i] - (ur * xr - ui * xi);
                b_im[i] = b_im[i] - (ur * xi + ui * xr);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Lu;
    use num_complex::Complex64;

    /// `A x` for checking residuals.
    fn mul<const N: usize>(a: &[[Complex64; N]; N], x: &[Complex64; N]) -> [Complex64; N] {
        let mut out = [Complex64::new(0.0, 0.0); N];
        for i in 0..N {
            for j in 0..N {
                out[i] += a[i][j] * x[j];
            }
        }
        out
    }

    /// A Radau-like iteration matrix `(α + iβ) I − J` with a `J` whose first row pivots away.
    fn radau_like<const N: usize>() -> [[Complex64; N]; N] {
        let mut a = [[Complex64::new(0.0, 0.0); N]; N];
        for i in 0..N {
            for j in 0..N {
                let jij = ((i * 7 + j * 3) % 11) as f64 - 5.0 + if i == j { -40.0 } else { 0.0 };
                a[i][j] = -Complex64::new(jij, 0.0);
            }
            a[i][i] += Complex64::new(2.68, 3.05);
        }
        a[0][0] = Complex64::new(0.0, 0.0);
        a
    }

    fn solve_split<const N: usize>(a: &[[Complex64; N]; N], b: &[Complex64; N]) -> [Complex64; N] {
        let mut lu = SplitComplexLu::<f64, N>::default();
        lu.factor_with(|i, j| a[i][j]).unwrap();
        let mut re: [f64; N] = core::array::from_fn(|i| b[i].re);
        let mut im: [f64; N] = core::array::from_fn(|i| b[i].im);
        lu.solve(&mut re, &mut im);
        core::array::from_fn(|i| Complex64::new(re[i], im[i]))
    }

    #[test]
    fn solves_a_pivoting_complex_system_to_rounding() {
        let a = radau_like::<8>();
        let x_true: [Complex64; 8] =
            core::array::from_fn(|i| Complex64::new(i as f64 - 3.5, 1.0 / (i + 1) as f64));
        let x = solve_split(&a, &mul(&a, &x_true));
        for i in 0..8 {
            assert!((x[i] - x_true[i]).norm() < 1e-13, "{x:?}");
        }
    }

    #[test]
    fn agrees_with_the_interleaved_complex_lu() {
        // Same pivots (|re| + |im|), same elimination: the solutions agree to rounding.
        let a = radau_like::<5>();
        let b: [Complex64; 5] = core::array::from_fn(|i| Complex64::new(1.0, -(i as f64)));
        let x = solve_split(&a, &b);
        let mut y = b;
        Lu::factor(a).unwrap().solve(&mut y);
        for i in 0..5 {
            assert!(
                (x[i] - y[i]).norm() < 1e-14 * y[i].norm().max(1.0),
                "{x:?} {y:?}"
            );
        }
    }

    #[test]
    fn refactoring_replaces_the_previous_factors() {
        let mut lu = SplitComplexLu::<f64, 2>::default();
        lu.factor_with(|i, j| Complex64::new(if i == j { 2.0 } else { 0.0 }, 0.0))
            .unwrap();
        lu.factor_with(|i, j| Complex64::new(0.0, if i == j { 1.0 } else { 0.0 }))
            .unwrap();
        // i x = 1 ⇒ x = −i.
        let (mut re, mut im) = ([1.0, 1.0], [0.0, 0.0]);
        lu.solve(&mut re, &mut im);
        assert_eq!((re, im), ([0.0, 0.0], [-1.0, -1.0]));
    }

    #[test]
    fn reports_singular_and_non_finite_pivots() {
        let c = Complex64::new;
        let singular = [[c(1.0, 1.0), c(2.0, 2.0)], [c(2.0, 2.0), c(4.0, 4.0)]];
        let mut lu = SplitComplexLu::<f64, 2>::default();
        assert_eq!(lu.factor_with(|i, j| singular[i][j]).unwrap_err().column, 1);
        let nan = [[c(f64::NAN, 0.0), c(0.0, 0.0)], [c(0.0, 0.0), c(1.0, 0.0)]];
        assert_eq!(lu.factor_with(|i, j| nan[i][j]).unwrap_err().column, 0);
        let inf = [
            [c(1.0, 0.0), c(0.0, 0.0)],
            [c(0.0, 0.0), c(0.0, f64::INFINITY)],
        ];
        assert_eq!(lu.factor_with(|i, j| inf[i][j]).unwrap_err().column, 1);
    }
}
