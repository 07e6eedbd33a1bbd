//! A real and a complex `N × N` LU factorisation, factored and solved together.
//!
//! Radau IIA's simplified Newton iteration solves, on every iteration, one real system with
//! `(γ/h) I − J` and one complex system with `((α + iβ)/h) I − J` (Hairer & Wanner, *Solving
//! ODEs II*, IV.8). The two are independent, so one pass of each loop does both: they share
//! the loop overhead, and their chains of dependent multiply–subtracts overlap.
//!
//! Both matrices are stored by columns, the complex one with its real and imaginary parts
//! apart, as Hairer's `DEC` / `DECC` and `SOL` / `SOLC` (the `DECSOL` package) keep them.
//! Each matrix gets its own partial pivoting: the largest `|a|` for the real one, the largest
//! `|re| + |im|` for the complex one, as in `DEC` and `DECC`.
//!
//! Two more choices keep the solves short for the small `N` of a statically sized system,
//! where a triangular solve costs the latency of its dependency chain more than its
//! arithmetic:
//! - `U` is kept divided by its pivots (`U' = D⁻¹U`, the `LDU` form), and both triangular
//!   solves run row by row as dot products with the newest unknown last, so each row adds one
//!   multiply and one subtract to the chain.
//! - The factors' *profile* (the first non-zero of each row of `L`, the last of each row of
//!   `U`) is read off after factoring, and the solves skip the exact zeros outside it. The
//!   Jacobians of chemical kinetics and of method-of-lines PDEs (banded) couple few
//!   components, so most of `L` and `U` stays zero: on HIRES the solves visit 21 of the 56
//!   off-diagonal entries.
//!
//! Measured on a 2-core machine (medians of 3000 solves, alternating builds): with this type
//! instead of a separate [`Lu`](super::Lu) and complex factorisation, Radau5 solves HIRES
//! (`N = 8`, `rtol = 3.2e-7`) 8 % faster, Van der Pol (`N = 2`) 5 % and Robertson (`N = 3`)
//! 2 %; `benches/peers/benches/linalg.rs` times it against nalgebra's LU (rows `rc`).
//!
//! Only the solves use the profile. The elimination skips the columns whose `u_kj` is zero
//! but runs every row below the pivot: limiting the rows as well made the small dense and
//! near-dense cases (HIRES, Robertson) 4–8 % slower, because the loops then lose the fixed
//! trip counts the compiler unrolls them by.

use super::storage::{Inline, Storage};

/// The factors' arrays as the kernels see them, whatever their storage.
type Mat<R, const N: usize> = [[R; N]; N];
use super::Singular;
use crate::scalar::{Real, Scalar};
use num_complex::Complex;

/// The LU factors of a real matrix `A` and a complex matrix `C` of the same size, each with
/// the row permutation of its own partial pivoting.
///
/// ```
/// use ode_core::linalg::RealComplexLu;
/// use ode_core::num_complex::Complex64;
///
/// // A = [[0, 2], [3, 1]] and C = [[0, 1 + i], [2i, 1]]: the zeros force row swaps in both.
/// let a = [[0.0, 2.0], [3.0, 1.0]];
/// let c = [
///     [Complex64::new(0.0, 0.0), Complex64::new(1.0, 1.0)],
///     [Complex64::new(0.0, 2.0), Complex64::new(1.0, 0.0)],
/// ];
/// let mut lu = RealComplexLu::<f64, 2>::default();
/// lu.factor_with(|i, j| (a[i][j], c[i][j])).unwrap();
/// // A x = (4, 5) gives x = (1, 2); C z = (i − 1, 3i) gives z = (1, i).
/// let (mut x, mut re, mut im) = ([4.0f64, 5.0], [-1.0f64, 0.0], [1.0f64, 3.0]);
/// lu.solve(&mut x, &mut re, &mut im);
/// assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 2.0).abs() < 1e-15);
/// assert!((re[0] - 1.0).abs() < 1e-15 && im[0].abs() < 1e-15);
/// assert!(re[1].abs() < 1e-15 && (im[1] - 1.0).abs() < 1e-15);
/// ```
#[derive(Debug, Clone)]
pub struct RealComplexLu<R: Real, const N: usize, W: Storage = Inline> {
    /// The real factors by columns (`a[j][i]` is entry `(i, j)`): `U` on and above the
    /// diagonal, the multipliers of `L` below it.
    a: W::Matrix<R, N>,
    /// Real parts of the complex factors, stored like `a`.
    re: W::Matrix<R, N>,
    /// Imaginary parts of the complex factors, stored like `a`.
    im: W::Matrix<R, N>,
    /// `piv_a[k]`: the row swapped with row `k` at step `k` of the real elimination.
    piv_a: [usize; N],
    /// The same for the complex elimination.
    piv_c: [usize; N],
    /// `1 / u_kk` of the real factors: the solves multiply instead of dividing.
    inv_a: [R; N],
    /// `1 / u_kk` of the complex factors, real and imaginary parts.
    inv_c: [(R, R); N],
    /// `l_start[i]`: the first column where row `i` of either `L` is not zero (`i` when
    /// none is, left of the diagonal).
    l_start: [usize; N],
    /// `u_end[i]`: one past the last column where row `i` of either `U` is not zero
    /// (`i + 1` when none is, right of the diagonal).
    u_end: [usize; N],
}

impl<R: Real, const N: usize> Default for RealComplexLu<R, N> {
    fn default() -> Self {
        Self::zeroed()
    }
}

impl<R: Real, const N: usize, W: Storage> RealComplexLu<R, N, W> {
    /// Storage for the pair of factorisations in `W`, all zeros (factor into it with
    /// [`RealComplexLu::factor_with`]).
    pub fn zeroed() -> Self {
        RealComplexLu {
            a: W::matrix(R::zero()),
            re: W::matrix(R::zero()),
            im: W::matrix(R::zero()),
            piv_a: [0; N],
            piv_c: [0; N],
            inv_a: [R::zero(); N],
            inv_c: [(R::zero(), R::zero()); N],
            l_start: core::array::from_fn(|i| i),
            u_end: core::array::from_fn(|i| i + 1),
        }
    }
}

impl<R: Real, const N: usize, W: Storage> RealComplexLu<R, N, W> {
    /// Whether the factors' profile is read off and used: for `N ≤ 3` the triangles hold at
    /// most three entries each, too few for skipping zeros to repay the scan (measured on
    /// Robertson, `N = 3`: 4 % slower with the scan).
    const PROFILED: bool = N > 3;

    /// First column of row `i` of `L` to visit.
    fn l_start(&self, i: usize) -> usize {
        if Self::PROFILED {
            self.l_start[i]
        } else {
            0
        }
    }

    /// One past the last column of row `i` of `U` to visit.
    fn u_end(&self, i: usize) -> usize {
        if Self::PROFILED {
            self.u_end[i]
        } else {
            N
        }
    }

    /// Factors the pair whose entries `(i, j)` are `entry(i, j) = (a_ij, c_ij)`, written
    /// straight into the factorisation's storage.
    ///
    /// # Errors
    /// [`Singular`] when a pivot of either matrix is zero or not finite (the first such
    /// column); the factors are then unusable until the next successful call.
    pub fn factor_with(
        &mut self,
        mut entry: impl FnMut(usize, usize) -> (R, Complex<R>),
    ) -> Result<(), Singular> {
        for j in 0..N {
            for i in 0..N {
                let (a, c) = entry(i, j);
                self.a[j][i] = a;
                self.re[j][i] = c.re;
                self.im[j][i] = c.im;
            }
        }
        self.refactor()
    }

    /// Factors the pair held in the storage: the `kji` elimination of LINPACK's `DGEFA`
    /// (Golub & Van Loan, *Matrix Computations*, 4th ed., Algorithm 3.4.1) on both matrices
    /// at once.
    fn refactor(&mut self) -> Result<(), Singular> {
        let (a, re, im): (&mut Mat<R, N>, &mut Mat<R, N>, &mut Mat<R, N>) =
            (&mut self.a, &mut self.re, &mut self.im);
        for k in 0..N {
            // The pivots: the largest |a| and the largest |re| + |im| in column k, on or
            // below the diagonal.
            let (mut p, mut q) = (k, k);
            let mut best_a = a[k][k].abs();
            let mut best_c = re[k][k].abs() + im[k][k].abs();
            for i in k + 1..N {
                let m = a[k][i].abs();
                if m > best_a {
                    best_a = m;
                    p = i;
                }
                let m = re[k][i].abs() + im[k][i].abs();
                if m > best_c {
                    best_c = m;
                    q = i;
                }
            }
            if best_a.is_zero() || !best_a.is_finite() || best_c.is_zero() || !best_c.is_finite() {
                return Err(Singular { column: k });
            }
            self.piv_a[k] = p;
            self.piv_c[k] = q;
            if p != k {
                for col in a.iter_mut() {
                    col.swap(p, k);
                }
            }
            if q != k {
                for j in 0..N {
                    re[j].swap(q, k);
                    im[j].swap(q, k);
                }
            }
            // The reciprocal pivots (1 / u = conj(u) / |u|² for the complex one) and the
            // multipliers l_ik = a_ik / u_kk.
            let inv = R::one() / a[k][k];
            self.inv_a[k] = inv;
            let (ur, ui) = (re[k][k], im[k][k]);
            let den = ur * ur + ui * ui;
            let (vr, vi) = (ur / den, -ui / den);
            self.inv_c[k] = (vr, vi);
            for i in k + 1..N {
                a[k][i] = a[k][i] * inv;
                let (cr, ci) = (re[k][i], im[k][i]);
                re[k][i] = cr * vr - ci * vi;
                im[k][i] = cr * vi + ci * vr;
            }
            // The trailing blocks, column by column: a_ij -= l_ik u_kj in both matrices.
            for j in k + 1..N {
                let u = a[j][k];
                let (ur, ui) = (re[j][k], im[j][k]);
                if u.is_zero() && ur.is_zero() && ui.is_zero() {
                    continue;
                }
                for i in k + 1..N {
                    a[j][i] = a[j][i] - a[k][i] * u;
                    let (lr, li) = (re[k][i], im[k][i]);
                    re[j][i] = re[j][i] - (lr * ur - li * ui);
                    im[j][i] = im[j][i] - (lr * ui + li * ur);
                }
            }
            // Row k of U is final: keep it divided by its pivot, u'_kj = u_kj / u_kk, so the
            // back substitution has no multiplication by 1 / u_kk on its critical path.
            for j in k + 1..N {
                a[j][k] = a[j][k] * inv;
                let (ur, ui) = (re[j][k], im[j][k]);
                re[j][k] = ur * vr - ui * vi;
                im[j][k] = ur * vi + ui * vr;
            }
        }
        // The profile of the factors, for the solves to skip the zeros outside it: banded
        // and other locally coupled Jacobians keep most of L and U exactly zero. (Read off
        // only now: later row swaps move earlier multipliers.)
        if Self::PROFILED {
            let nonzero = |j: usize, i: usize| {
                !(a[j][i].is_zero() && re[j][i].is_zero() && im[j][i].is_zero())
            };
            for i in 0..N {
                self.l_start[i] = (0..i).find(|&j| nonzero(j, i)).unwrap_or(i);
                self.u_end[i] = (i + 1..N)
                    .rev()
                    .find(|&j| nonzero(j, i))
                    .map_or(i + 1, |j| j + 1);
            }
        }
        Ok(())
    }

    /// Overwrites `b` with the solution `x` of `A x = b`, and `(c_re, c_im)` with the real
    /// and imaginary parts of the solution `z` of `C z = c`.
    ///
    /// The right-hand sides may be of any scalar type `V` over `R` (a dual number, for one):
    /// the real factors act on each of its components alike.
    pub fn solve<V: Scalar<Real = R>>(&self, b: &mut [V; N], c_re: &mut [V; N], c_im: &mut [V; N]) {
        let (a, re, im): (&Mat<R, N>, &Mat<R, N>, &Mat<R, N>) = (&self.a, &self.re, &self.im);
        let (mut x, mut zr, mut zi) = (*b, *c_re, *c_im);
        for k in 0..N {
            let (p, q) = (self.piv_a[k], self.piv_c[k]);
            if p != k {
                x.swap(p, k);
            }
            if q != k {
                zr.swap(q, k);
                zi.swap(q, k);
            }
        }
        // L y = P b row by row: y_i = b_i − Σ_{j<i} l_ij y_j, the newest y_{i−1} last, so
        // the sum over the older ones overlaps the computation of y_{i−1}; zeros left of the
        // profile skipped.
        for i in 1..N {
            let (mut s, mut sr, mut si) = (x[i], zr[i], zi[i]);
            for j in self.l_start(i)..i {
                s = s - x[j] * a[j][i];
                let (lr, li) = (re[j][i], im[j][i]);
                let (yr, yi) = (zr[j], zi[j]);
                sr = sr - (yr * lr - yi * li);
                si = si - (yi * lr + yr * li);
            }
            (x[i], zr[i], zi[i]) = (s, sr, si);
        }
        // U x = y as D⁻¹U x = D⁻¹y (U' = D⁻¹U has a unit diagonal): first the scaling, all
        // independent, then x_i = y'_i − Σ_{j>i} u'_ij x_j, the newest x_{i+1} last.
        for i in 0..N {
            x[i] = x[i] * self.inv_a[i];
            let (vr, vi) = self.inv_c[i];
            let (yr, yi) = (zr[i], zi[i]);
            zr[i] = yr * vr - yi * vi;
            zi[i] = yr * vi + yi * vr;
        }
        for i in (0..N.saturating_sub(1)).rev() {
            let (mut s, mut sr, mut si) = (x[i], zr[i], zi[i]);
            for j in (i + 1..self.u_end(i)).rev() {
                s = s - x[j] * a[j][i];
                let (ur, ui) = (re[j][i], im[j][i]);
                let (xr, xi) = (zr[j], zi[j]);
                sr = sr - (xr * ur - xi * ui);
                si = si - (xi * ur + xr * ui);
            }
            (x[i], zr[i], zi[i]) = (s, sr, si);
        }
        (*b, *c_re, *c_im) = (x, zr, zi);
    }

    /// Overwrites `b` with the solution `x` of the real system `A x = b` alone (Radau5's
    /// error estimate needs only the real factors).
    pub fn solve_real<V: Scalar<Real = R>>(&self, b: &mut [V; N]) {
        let a: &[[R; N]; N] = &self.a;
        let mut x = *b;
        for k in 0..N {
            let p = self.piv_a[k];
            if p != k {
                x.swap(p, k);
            }
        }
        for i in 1..N {
            let mut s = x[i];
            for j in self.l_start(i)..i {
                s = s - x[j] * a[j][i];
            }
            x[i] = s;
        }
        for i in 0..N {
            x[i] = x[i] * self.inv_a[i];
        }
        for i in (0..N.saturating_sub(1)).rev() {
            let mut s = x[i];
            for j in (i + 1..self.u_end(i)).rev() {
                s = s - x[j] * a[j][i];
            }
            x[i] = s;
        }
        *b = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Lu;
    use crate::test_rng::lcg;
    use num_complex::Complex64;

    /// `A x` for checking residuals.
    fn mul<S: crate::scalar::Scalar, const N: usize>(a: &[[S; N]; N], x: &[S; N]) -> [S; N] {
        let mut out = [S::zero(); N];
        for i in 0..N {
            for j in 0..N {
                out[i] = out[i] + a[i][j] * x[j];
            }
        }
        out
    }

    /// Radau-like iteration matrices `γ I − J` and `(α + iβ) I − J` with a `J` whose first row
    /// pivots away.
    fn radau_like<const N: usize>() -> ([[f64; N]; N], [[Complex64; N]; N]) {
        let mut a = [[0.0; N]; N];
        let mut c = [[Complex64::new(0.0, 0.0); N]; N];
        for i in 0..N {
            for j in 0..N {
                let jij = ((i * 7 + j * 3) % 11) as f64 - 5.0 + if i == j { -40.0 } else { 0.0 };
                a[i][j] = -jij;
                c[i][j] = -Complex64::new(jij, 0.0);
            }
            a[i][i] += 3.64;
            c[i][i] += Complex64::new(2.68, 3.05);
        }
        a[0][0] = 0.0;
        c[0][0] = Complex64::new(0.0, 0.0);
        (a, c)
    }

    fn solve_pair<const N: usize>(
        a: &[[f64; N]; N],
        c: &[[Complex64; N]; N],
        b: &[f64; N],
        d: &[Complex64; N],
    ) -> ([f64; N], [Complex64; N]) {
        let mut lu = RealComplexLu::<f64, N>::default();
        lu.factor_with(|i, j| (a[i][j], c[i][j])).unwrap();
        let mut x = *b;
        let mut re: [f64; N] = core::array::from_fn(|i| d[i].re);
        let mut im: [f64; N] = core::array::from_fn(|i| d[i].im);
        lu.solve(&mut x, &mut re, &mut im);
        let mut real_only = *b;
        lu.solve_real(&mut real_only);
        assert_eq!(x, real_only, "solve and solve_real agree exactly");
        (x, core::array::from_fn(|i| Complex64::new(re[i], im[i])))
    }

    #[test]
    fn solves_both_pivoting_systems_to_rounding() {
        let (a, c) = radau_like::<8>();
        let x_true: [f64; 8] = core::array::from_fn(|i| 2.0 - i as f64 / 3.0);
        let z_true: [Complex64; 8] =
            core::array::from_fn(|i| Complex64::new(i as f64 - 3.5, 1.0 / (i + 1) as f64));
        let (x, z) = solve_pair(&a, &c, &mul(&a, &x_true), &mul(&c, &z_true));
        for i in 0..8 {
            assert!((x[i] - x_true[i]).abs() < 1e-13, "{x:?}");
            assert!((z[i] - z_true[i]).norm() < 1e-13, "{z:?}");
        }
    }

    #[test]
    fn agrees_with_the_separate_lus() {
        // Same pivots, same elimination as `Lu` on each matrix: the solutions agree to rounding.
        let (a, c) = radau_like::<5>();
        let b: [f64; 5] = core::array::from_fn(|i| 1.0 + i as f64);
        let d: [Complex64; 5] = core::array::from_fn(|i| Complex64::new(1.0, -(i as f64)));
        let (x, z) = solve_pair(&a, &c, &b, &d);
        let (mut x_ref, mut z_ref) = (b, d);
        Lu::factor(a).unwrap().solve(&mut x_ref);
        Lu::factor(c).unwrap().solve(&mut z_ref);
        for i in 0..5 {
            assert!((x[i] - x_ref[i]).abs() < 1e-14 * x_ref[i].abs().max(1.0));
            assert!((z[i] - z_ref[i]).norm() < 1e-14 * z_ref[i].norm().max(1.0));
        }
    }

    #[test]
    fn sparse_pivoting_pairs_solve_like_the_dense_lu() {
        // Sparse matrices of every density, with small diagonals so that the pivoting swaps
        // rows: the profile read off the final factors must leave out only exact zeros, also
        // after later swaps have moved earlier multipliers. Checked against the dense `Lu`.
        let mut state = 7u64;
        let (mut swapped_and_sparse, mut solved) = (0, 0);
        for trial in 0..300 {
            let density = 0.1 + 0.8 * (trial % 10) as f64 / 9.0;
            let mut a = [[0.0; 7]; 7];
            let mut c = [[Complex64::new(0.0, 0.0); 7]; 7];
            for i in 0..7 {
                for j in 0..7 {
                    if i == j || lcg(&mut state) < density {
                        let v = 4.0 * lcg(&mut state) - 2.0;
                        a[i][j] = if i == j { 0.01 * v + 0.05 } else { v };
                        c[i][j] = Complex64::new(a[i][j], if i == j { 0.02 } else { 0.0 });
                    }
                }
            }
            let (Ok(a_ref), Ok(c_ref)) = (Lu::factor(a), Lu::factor(c)) else {
                continue;
            };
            let b: [f64; 7] = core::array::from_fn(|i| 1.0 + i as f64);
            let d: [Complex64; 7] = core::array::from_fn(|i| Complex64::new(i as f64, 1.0));
            let (x, z) = solve_pair(&a, &c, &b, &d);
            let mut lu = RealComplexLu::<f64, 7>::default();
            lu.factor_with(|i, j| (a[i][j], c[i][j])).unwrap();
            let swapped = (0..7).any(|k| lu.piv_a[k] != k || lu.piv_c[k] != k);
            let sparse = (0..7).any(|i| lu.l_start[i] > 0 || lu.u_end[i] < 7);
            swapped_and_sparse += usize::from(swapped && sparse);
            solved += 1;
            let (mut x_ref, mut z_ref) = (b, d);
            a_ref.solve(&mut x_ref);
            c_ref.solve(&mut z_ref);
            let scale = x_ref.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            let cscale = z_ref.iter().fold(1.0f64, |m, v| m.max(v.norm()));
            for i in 0..7 {
                assert!(
                    (x[i] - x_ref[i]).abs() < 1e-10 * scale,
                    "trial {trial}: {x:?} {x_ref:?}"
                );
                assert!(
                    (z[i] - z_ref[i]).norm() < 1e-10 * cscale,
                    "trial {trial}: {z:?} {z_ref:?}"
                );
            }
        }
        // The cases the test is for did occur.
        assert!(
            solved > 250 && swapped_and_sparse > 50,
            "{solved} {swapped_and_sparse}"
        );
    }

    #[test]
    fn pivots_each_matrix_on_its_own() {
        // A needs a swap at column 0, C does not: a shared permutation would get one wrong.
        let a = [[0.0, 1.0], [1.0, 0.0]];
        let c = [
            [Complex64::new(0.0, 2.0), Complex64::new(0.0, 0.0)],
            [Complex64::new(0.0, 0.0), Complex64::new(1.0, 0.0)],
        ];
        // A x = (3, 4) ⇒ x = (4, 3); C z = (2, 5) ⇒ z = (−i, 5).
        let (x, z) = solve_pair(
            &a,
            &c,
            &[3.0, 4.0],
            &[Complex64::new(2.0, 0.0), Complex64::new(5.0, 0.0)],
        );
        assert_eq!(x, [4.0, 3.0]);
        assert_eq!(z, [Complex64::new(0.0, -1.0), Complex64::new(5.0, 0.0)]);
    }

    #[test]
    fn refactoring_replaces_the_previous_factors() {
        let mut lu = RealComplexLu::<f64, 2>::default();
        let diag = |v: f64, w: Complex64| {
            move |i: usize, j: usize| {
                if i == j {
                    (v, w)
                } else {
                    (0.0, Complex64::new(0.0, 0.0))
                }
            }
        };
        lu.factor_with(diag(2.0, Complex64::new(2.0, 0.0))).unwrap();
        lu.factor_with(diag(4.0, Complex64::new(0.0, 1.0))).unwrap();
        // 4 x = 1 ⇒ x = 1/4; i z = 1 ⇒ z = −i.
        let (mut x, mut re, mut im) = ([1.0, 1.0], [1.0, 1.0], [0.0, 0.0]);
        lu.solve(&mut x, &mut re, &mut im);
        assert_eq!((x, re, im), ([0.25, 0.25], [0.0, 0.0], [-1.0, -1.0]));
    }

    #[test]
    fn reports_singular_and_non_finite_pivots_of_either_matrix() {
        let c = Complex64::new;
        let regular = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
        let mut lu = RealComplexLu::<f64, 2>::default();
        // Singular real matrix, regular complex one.
        let singular = [[1.0, 2.0], [2.0, 4.0]];
        let err = lu
            .factor_with(|i, j| (singular[i][j], c(regular(i, j), 0.0)))
            .unwrap_err();
        assert_eq!(err.column, 1);
        // Regular real matrix, singular complex one.
        let singular = [[c(1.0, 1.0), c(2.0, 2.0)], [c(2.0, 2.0), c(4.0, 4.0)]];
        let err = lu
            .factor_with(|i, j| (regular(i, j), singular[i][j]))
            .unwrap_err();
        assert_eq!(err.column, 1);
        // Not finite.
        let err = lu
            .factor_with(|i, j| {
                (
                    if i + j == 0 { f64::NAN } else { regular(i, j) },
                    c(regular(i, j), 0.0),
                )
            })
            .unwrap_err();
        assert_eq!(err.column, 0);
        let err = lu
            .factor_with(|i, j| {
                (
                    regular(i, j),
                    c(regular(i, j), if i + j == 2 { f64::INFINITY } else { 0.0 }),
                )
            })
            .unwrap_err();
        assert_eq!(err.column, 1);
    }
}
