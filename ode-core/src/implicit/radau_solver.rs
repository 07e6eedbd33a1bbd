//! The seam between Radau IIA and its linear algebra, and the dense solvers behind it.
//!
//! Radau IIA's transformed simplified-Newton iteration (*Solving ODEs II*, IV.8, eq. (8.16))
//! solves, with one `J`, a system with the real shift `γ` and one with each complex shift
//! `α_k + iβ_k` of `A⁻¹` (divided by the step). A [`RadauSolver`] owns how `J` is stored and how
//! those systems are factored and solved; the stepper never sees a matrix.
//!
//! How they are solved depends on the state's scalar, so each [`Scalar`] names its dense
//! solver ([`Scalar::RadauLu`]) and [`DenseRadauLu`] picks it:
//! - **real states** ([`RealRadauLu`]): a pair `(u, v)` of the transformed increments is the
//!   real and imaginary part of one complex system, `((α + iβ) I − J)(u + iv) = r_u + i r_v`,
//!   as in RADAU5;
//! - **dual states** (`DualRadauLu`, feature `num-dual`): the real factorisations of the
//!   real part of `J`, and the dual systems solved exactly with them;
//! - **complex states** ([`ComplexRadauLu`]): `J` is complex, so `u + iv` no longer separates
//!   the real 2N-dimensional system `[[αI − J, −βI], [βI, αI − J]]` of a pair; its eigenvectors
//!   do: `p = u + iv` and `q = u − iv` solve `((α ± iβ) I − J)` with the right-hand sides
//!   `r_u ± i r_v`, and `u = (p + q)/2`, `v = (p − q)/(2i)`. Two complex factorisations per
//!   pair and one for `γ`.

use super::iteration::dense_evaluations;
use crate::error::Error;
use crate::finite_diff::band_jacobian;
use crate::linalg::{BandLu, BandMatrix};
use crate::linalg::{Inline, Lu, RealComplexLu, Singular, Storage};
use crate::scalar::{Real, Scalar};
use crate::system::{JacobianKind, OdeSystem};
#[cfg(feature = "num-dual")]
use crate::tableau::radau_iia_family::MAX_STAGES;
use num_complex::Complex;

/// A way of solving Radau IIA's transformed simplified-Newton systems for states of the
/// scalar type `X`: with one `J`, the system `(γ I − J) x = b` and, for each pair of complex
/// eigenvalues of `A⁻¹`, the pair system of the shift `α_k + iβ_k` (module docs), all shifts
/// divided by the step. A banded, sparse or user solver brings its own `J` form and may factor
/// the systems as it sees fit (the dense real one factors the first pair together with the
/// real system, in one pass).
pub trait RadauSolver<X: Scalar, const N: usize>: Clone + core::fmt::Debug {
    /// Where `J` lives in this solver's form.
    type Jacobian: Clone + core::fmt::Debug;

    /// The most complex shifts it holds factored at once (3 for seven stages).
    const PAIRS: usize;

    /// A solver holding no factorisation.
    fn zeroed() -> Self;

    /// A Jacobian store with every entry zero.
    fn zero_jacobian() -> Self::Jacobian;

    /// The most evaluations of `f` [`RadauSolver::evaluate`] spends for a system whose
    /// Jacobian is of the kind `kind` (charged to the budget before it runs): `N` for finite
    /// differences, none for an analytic or constant one.
    #[inline]
    fn evaluations(kind: JacobianKind) -> usize {
        dense_evaluations(kind, N)
    }

    /// Evaluates `J` at `(t, y)` (`f = f(t, y)`) into `jac`; returns the evaluations of `f`
    /// spent.
    fn evaluate<Sys: OdeSystem<N, X> + ?Sized>(
        sys: &Sys,
        t: X::Real,
        y: &[X; N],
        f: &[X; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error>;

    /// Factors `γ I − J` and the systems of the shifts `s_k` of `shifts` (at most
    /// [`Self::PAIRS`]).
    ///
    /// # Errors
    /// [`Singular`] when a matrix is singular to working precision (or not finite).
    fn factor(
        &mut self,
        gamma: X::Real,
        shifts: &[Complex<X::Real>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular>;

    /// Overwrites `b` with `(γ I − J)⁻¹ b`.
    fn solve_real(&self, b: &mut [X; N]);

    /// Solves, in place, the real system in `r[0]` and the pair system of shift `k` in
    /// `(r[2k + 1], r[2k + 2])`, for each of the `pairs` shifts.
    fn solve(&self, r: &mut [[X; N]], pairs: usize);
}

/// The dense [`RadauSolver`] for states of the scalar type `X`, with its matrices in the
/// storage `W` and `P` complex shifts beyond the first: the scalar's own choice
/// ([`Scalar::RadauLu`]): [`RealRadauLu`] for real numbers, [`ComplexRadauLu`] for complex
/// ones, `DualRadauLu` for dual ones.
#[derive(Debug, Clone)]
pub struct DenseRadauLu<X: Scalar, const N: usize, W: Storage = Inline, const P: usize = 0> {
    inner: X::RadauLu<N, W, P>,
}

impl<X: Scalar, const N: usize, W: Storage, const P: usize> RadauSolver<X, N>
    for DenseRadauLu<X, N, W, P>
{
    type Jacobian = <X::RadauLu<N, W, P> as RadauSolver<X, N>>::Jacobian;
    const PAIRS: usize = <X::RadauLu<N, W, P> as RadauSolver<X, N>>::PAIRS;

    #[inline(always)]
    fn evaluations(kind: JacobianKind) -> usize {
        X::RadauLu::<N, W, P>::evaluations(kind)
    }

    fn zeroed() -> Self {
        DenseRadauLu {
            inner: RadauSolver::zeroed(),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        X::RadauLu::<N, W, P>::zero_jacobian()
    }

    #[inline(always)]
    fn evaluate<Sys: OdeSystem<N, X> + ?Sized>(
        sys: &Sys,
        t: X::Real,
        y: &[X; N],
        f: &[X; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        X::RadauLu::<N, W, P>::evaluate(sys, t, y, f, jac)
    }

    #[inline(always)]
    fn factor(
        &mut self,
        gamma: X::Real,
        shifts: &[Complex<X::Real>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        self.inner.factor(gamma, shifts, jac)
    }

    #[inline(always)]
    fn solve_real(&self, b: &mut [X; N]) {
        self.inner.solve_real(b)
    }

    #[inline(always)]
    fn solve(&self, r: &mut [[X; N]], pairs: usize) {
        self.inner.solve(r, pairs)
    }
}

/// The dense [`RadauSolver`] for real states: the real and the first complex system factored
/// together ([`RealComplexLu`], one pass over `J`), and `P` further complex ones ([`Lu`]), with
/// the matrices in the storage `W`: `(4 + 2P)·N²` reals beside `J`.
#[derive(Debug, Clone)]
pub struct RealRadauLu<R: Real, const N: usize, W: Storage = Inline, const P: usize = 0> {
    lu: RealComplexLu<R, N, W>,
    pairs: [Lu<Complex<R>, N, W>; P],
}

impl<R: Real, const N: usize, W: Storage, const P: usize> RealRadauLu<R, N, W, P> {
    /// Factors the systems of `J` with the entries `jac(i, j)`.
    fn factor_entries(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: impl Fn(usize, usize) -> R,
    ) -> Result<(), Singular> {
        let first = shifts[0];
        self.lu.factor_with(|i, j| {
            let m = -jac(i, j);
            if i == j {
                (gamma + m, Complex::new(first.re + m, first.im))
            } else {
                (m, Complex::new(m, R::zero()))
            }
        })?;
        for (lu, &shift) in self.pairs.iter_mut().zip(&shifts[1..]) {
            let a = lu.matrix_mut();
            for i in 0..N {
                for j in 0..N {
                    a[i][j] = Complex::new(-jac(i, j), R::zero());
                }
                a[i][i] = a[i][i] + shift;
            }
            lu.refactor()?;
        }
        Ok(())
    }

    /// [`RadauSolver::solve`] with the real factors, for right-hand sides of any scalar type
    /// over `R` (each real component alike).
    #[inline(always)]
    fn solve_each<V: Scalar<Real = R>>(&self, r: &mut [[V; N]], pairs: usize) {
        let (head, rest) = r.split_at_mut(3);
        let [r0, r1, r2] = head else {
            return;
        };
        self.lu.solve(r0, r1, r2);
        for (lu, pair) in self
            .pairs
            .iter()
            .zip(rest.chunks_exact_mut(2))
            .take(pairs.saturating_sub(1))
        {
            let [re, im] = pair else {
                return;
            };
            lu.solve_parts(re, im);
        }
    }
}

impl<R: Real, const N: usize, W: Storage, const P: usize> RadauSolver<R, N>
    for RealRadauLu<R, N, W, P>
{
    type Jacobian = W::Matrix<R, N>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        RealRadauLu {
            lu: RealComplexLu::zeroed(),
            pairs: core::array::from_fn(|_| Lu::zeroed()),
        }
    }

    fn zero_jacobian() -> W::Matrix<R, N> {
        W::matrix(R::zero())
    }

    #[inline]
    fn evaluate<Sys: OdeSystem<N, R> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[R; N],
        f: &[R; N],
        jac: &mut W::Matrix<R, N>,
    ) -> Result<usize, Error> {
        Ok(sys.newton_jacobian(t, y, f, jac))
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &W::Matrix<R, N>,
    ) -> Result<(), Singular> {
        self.factor_entries(gamma, shifts, |i, j| jac[i][j])
    }

    #[inline]
    fn solve_real(&self, b: &mut [R; N]) {
        self.lu.solve_real(b)
    }

    #[inline(always)]
    fn solve(&self, r: &mut [[R; N]], pairs: usize) {
        self.solve_each(r, pairs)
    }
}

/// The dense [`RadauSolver`] for dual states `y = a + ε b` (feature `num-dual`): the real
/// factorisations of [`RealRadauLu`] from the real part `J_a` of `J = J_a + ε J_b`, and the
/// dual systems solved exactly with them: `(M − ε J_b)⁻¹ (c + ε d)` is `x = M⁻¹ c` and `M⁻¹
/// (d + J_b x)`, at one more real solve and one product with `J_b` (skipped when `J_b` is
/// zero). So the iteration is Newton's for the dual system, and the `ε` part converges with
/// the real part: with the real part of `J` alone it would lag one iteration behind, and a
/// linear problem's single iteration would leave it unconverged.
#[cfg(feature = "num-dual")]
#[derive(Debug, Clone)]
pub struct DualRadauLu<R: Real, const N: usize, W: Storage = Inline, const P: usize = 0> {
    lu: RealRadauLu<R, N, W, P>,
    /// `J_b`, the `ε` part of the factored `J`.
    j_eps: W::Matrix<R, N>,
    /// Whether `J_b` has a non-zero entry.
    coupled: bool,
}

#[cfg(feature = "num-dual")]
impl<R: Real, const N: usize, W: Storage, const P: usize> DualRadauLu<R, N, W, P> {
    /// `J_b x` into `out`, with `x` the real parts of `v` (the first solves' real solution):
    /// the right-hand side of the second solve, whose solution corrects the `ε` part.
    fn coupling(&self, v: &[num_dual::Dual<R>; N], out: &mut [R; N]) {
        let j: &[[R; N]; N] = &self.j_eps;
        for i in 0..N {
            let mut acc = R::zero();
            for k in 0..N {
                acc = acc + j[i][k] * v[k].re;
            }
            out[i] = acc;
        }
    }
}

#[cfg(feature = "num-dual")]
impl<R: Real, const N: usize, W: Storage, const P: usize> RadauSolver<num_dual::Dual<R>, N>
    for DualRadauLu<R, N, W, P>
where
    num_dual::Dual<R>: Scalar<Real = R>,
{
    type Jacobian = W::Matrix<num_dual::Dual<R>, N>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        DualRadauLu {
            lu: RealRadauLu::zeroed(),
            j_eps: W::matrix(R::zero()),
            coupled: false,
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        W::matrix(num_dual::Dual::new(R::zero(), R::zero()))
    }

    #[inline]
    fn evaluate<Sys: OdeSystem<N, num_dual::Dual<R>> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[num_dual::Dual<R>; N],
        f: &[num_dual::Dual<R>; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        Ok(sys.newton_jacobian(t, y, f, jac))
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        self.coupled = false;
        for i in 0..N {
            for j in 0..N {
                let b = jac[i][j].eps;
                self.j_eps[i][j] = b;
                self.coupled |= !b.is_zero();
            }
        }
        self.lu.factor_entries(gamma, shifts, |i, j| jac[i][j].re)
    }

    fn solve_real(&self, b: &mut [num_dual::Dual<R>; N]) {
        self.lu.lu.solve_real(b);
        if self.coupled {
            let mut d = [R::zero(); N];
            self.coupling(b, &mut d);
            self.lu.lu.solve_real(&mut d);
            for (bi, di) in b.iter_mut().zip(d) {
                bi.eps = bi.eps + di;
            }
        }
    }

    fn solve(&self, r: &mut [[num_dual::Dual<R>; N]], pairs: usize) {
        self.lu.solve_each(r, pairs);
        if self.coupled {
            let mut d = [[R::zero(); N]; MAX_STAGES];
            let d = &mut d[..r.len()];
            for (dk, rk) in d.iter_mut().zip(r.iter()) {
                self.coupling(rk, dk);
            }
            self.lu.solve_each(d, pairs);
            for (rk, dk) in r.iter_mut().zip(d.iter()) {
                for (x, &c) in rk.iter_mut().zip(dk) {
                    x.eps = x.eps + c;
                }
            }
        }
    }
}

/// The dense [`RadauSolver`] for complex states: `J` complex, one complex factorisation of
/// `γ I − J` and two of each pair, `(α ± iβ) I − J` (module docs), each a [`Lu`] in the
/// storage `W`: `(6 + 4P)·N²` reals beside `J`.
#[derive(Debug, Clone)]
pub struct ComplexRadauLu<R: Real, const N: usize, W: Storage = Inline, const P: usize = 0> {
    real: Lu<Complex<R>, N, W>,
    /// `(α_1 + iβ_1) I − J` and `(α_1 − iβ_1) I − J`.
    first: [Lu<Complex<R>, N, W>; 2],
    /// The same for the further pairs.
    pairs: [[Lu<Complex<R>, N, W>; 2]; P],
}

/// Factors `shift · I − J` into `lu`.
fn factor_shifted<R: Real, const N: usize, W: Storage>(
    lu: &mut Lu<Complex<R>, N, W>,
    shift: Complex<R>,
    jac: &[[Complex<R>; N]; N],
) -> Result<(), Singular> {
    let a = lu.matrix_mut();
    for i in 0..N {
        for j in 0..N {
            a[i][j] = -jac[i][j];
        }
        a[i][i] = a[i][i] + shift;
    }
    lu.refactor()
}

/// Solves the pair system `(u, v)` of a complex `J` in place, given the solves with the
/// factors of `(α + iβ) I − J` (`plus`) and `(α − iβ) I − J` (`minus`) (module docs): every
/// complex-state solver's, dense or sparse.
pub(crate) fn solve_complex_pair<R: Real, const N: usize>(
    u: &mut [Complex<R>; N],
    v: &mut [Complex<R>; N],
    plus: impl FnOnce(&mut [Complex<R>; N]),
    minus: impl FnOnce(&mut [Complex<R>; N]),
) {
    let i_times = |z: Complex<R>| Complex::new(-z.im, z.re);
    let mut p = [Complex::new(R::zero(), R::zero()); N];
    let mut q = p;
    for k in 0..N {
        p[k] = u[k] + i_times(v[k]);
        q[k] = u[k] - i_times(v[k]);
    }
    plus(&mut p);
    minus(&mut q);
    let half = R::from_f64(0.5);
    for k in 0..N {
        u[k] = (p[k] + q[k]) * half;
        // (p − q) / (2i) = −i (p − q) / 2.
        let d = p[k] - q[k];
        v[k] = Complex::new(d.im, -d.re) * half;
    }
}

/// The `k`-th of the complex factorisations a solver holds as `first` and `rest` (the first
/// pair's, then those of the pairs beyond it).
#[inline]
pub(crate) fn nth_pair<'a, T>(first: &'a T, rest: &'a [T], k: usize) -> &'a T {
    match k.checked_sub(1) {
        None => first,
        Some(i) => &rest[i],
    }
}

/// [`RadauSolver::solve`] for real states: the real system in `r[0]` by `real`, and each of
/// the first `pairs` (at most `available`) pair systems `(u, v)` as the complex system of
/// `u + i v` by `complex(k, z)` (module docs): every real-state solver's but the dense one
/// (which factors the first pair with the real system).
pub(crate) fn solve_real_states<R: Real, const N: usize>(
    r: &mut [[R; N]],
    pairs: usize,
    available: usize,
    real: impl FnOnce(&mut [R; N]),
    mut complex: impl FnMut(usize, &mut [Complex<R>; N]),
) {
    let Some((r0, rest)) = r.split_first_mut() else {
        return;
    };
    real(r0);
    for (k, pair) in rest
        .chunks_exact_mut(2)
        .take(pairs.min(available))
        .enumerate()
    {
        let [re, im] = pair else {
            return;
        };
        let mut z: [Complex<R>; N] = core::array::from_fn(|i| Complex::new(re[i], im[i]));
        complex(k, &mut z);
        for i in 0..N {
            (re[i], im[i]) = (z[i].re, z[i].im);
        }
    }
}

impl<R: Real, const N: usize, W: Storage, const P: usize> RadauSolver<Complex<R>, N>
    for ComplexRadauLu<R, N, W, P>
{
    type Jacobian = W::Matrix<Complex<R>, N>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        ComplexRadauLu {
            real: Lu::zeroed(),
            first: core::array::from_fn(|_| Lu::zeroed()),
            pairs: core::array::from_fn(|_| core::array::from_fn(|_| Lu::zeroed())),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        W::matrix(Complex::new(R::zero(), R::zero()))
    }

    #[inline]
    fn evaluate<Sys: OdeSystem<N, Complex<R>> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[Complex<R>; N],
        f: &[Complex<R>; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        Ok(sys.newton_jacobian(t, y, f, jac))
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        factor_shifted(&mut self.real, Complex::new(gamma, R::zero()), jac)?;
        let all = core::iter::once(&mut self.first).chain(self.pairs.iter_mut());
        for (pair, &shift) in all.zip(shifts) {
            factor_shifted(&mut pair[0], shift, jac)?;
            factor_shifted(&mut pair[1], shift.conj(), jac)?;
        }
        Ok(())
    }

    fn solve_real(&self, b: &mut [Complex<R>; N]) {
        self.real.solve(b)
    }

    fn solve(&self, r: &mut [[Complex<R>; N]], pairs: usize) {
        let Some((r0, rest)) = r.split_first_mut() else {
            return;
        };
        self.real.solve(r0);
        let all = core::iter::once(&self.first).chain(self.pairs.iter());
        for (lus, pair) in all.zip(rest.chunks_exact_mut(2)).take(pairs) {
            let [u, v] = pair else {
                return;
            };
            let [plus, minus] = lus;
            solve_complex_pair(u, v, |p| plus.solve(p), |q| minus.solve(q));
        }
    }
}

/// The band [`RadauSolver`] for real states: `γ I − J` and each complex shift's `s I − J`
/// factored as band matrices ([`BandLu`], real and complex; `B = 2 KL + KU + 1`), `J` by
/// banded forward differences (`KL + KU + 1` evaluations of `f`): `O(N·B)` storage for each
/// of the `2 + P` factorisations, never an `N × N` matrix. `P` counts the pairs beyond the
/// first, as [`RealRadauLu`]'s.
#[derive(Debug, Clone)]
pub struct BandedRadauLu<
    R: Real,
    const N: usize,
    const KL: usize,
    const KU: usize,
    const B: usize,
    const P: usize = 0,
> {
    real: BandLu<R, N, KL, KU, B>,
    first: BandLu<Complex<R>, N, KL, KU, B>,
    pairs: [BandLu<Complex<R>, N, KL, KU, B>; P],
}

impl<R: Real, const N: usize, const KL: usize, const KU: usize, const B: usize, const P: usize>
    RadauSolver<R, N> for BandedRadauLu<R, N, KL, KU, B, P>
{
    type Jacobian = BandMatrix<R, N, KL, KU, B>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        BandedRadauLu {
            real: BandLu::zeroed(),
            first: BandLu::zeroed(),
            pairs: core::array::from_fn(|_| BandLu::zeroed()),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        BandMatrix::zeroed()
    }

    #[inline]
    fn evaluations(_kind: JacobianKind) -> usize {
        (KL + KU + 1).min(N)
    }

    fn evaluate<Sys: OdeSystem<N, R> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[R; N],
        f: &[R; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        band_jacobian(sys, t, y, f, jac)
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        self.real.factor_with(|i, j| {
            let m = -jac.get(i, j);
            if i == j {
                gamma + m
            } else {
                m
            }
        })?;
        let all = core::iter::once(&mut self.first).chain(self.pairs.iter_mut());
        for (lu, &shift) in all.zip(shifts) {
            lu.factor_with(|i, j| {
                let m = Complex::new(-jac.get(i, j), R::zero());
                if i == j {
                    m + shift
                } else {
                    m
                }
            })?;
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
