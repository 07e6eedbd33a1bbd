//! The seam between the implicit methods and their linear algebra.
//!
//! Every implicit method solves systems with an iteration matrix `c I − J` (`c` a shift set by
//! the step: `1/(γ h)` for a Rosenbrock method) far more often than it forms one. A
//! [`LinearSolver`] owns how `J` is stored, how it is evaluated from the system, how
//! `c I − J` is factored and how a factored system is solved; the methods never see a matrix.
//! So a banded or sparse solver, or one a user brings, stores `J` in its own form
//! ([`LinearSolver::Jacobian`]) and the methods work with it unchanged.
//!
//! [`DenseLu`] is the first implementation: the stack LU of [`crate::linalg`], with `J` a
//! dense `N × N` matrix in a [`Storage`] (inline, or on the heap with `alloc`). Radau IIA's
//! real-and-complex systems have their own trait, [`RadauSolver`], with the same
//! [`Jacobian`](RadauSolver::Jacobian) and [`evaluate`](RadauSolver::evaluate) and the dense
//! [`DenseRadauLu`] first.

use crate::linalg::{Inline, Lu, RealComplexLu, Singular, Storage};
use crate::scalar::{Real, Scalar};
use crate::system::OdeSystem;
use num_complex::Complex;

/// A way of solving `(c I − J) x = b` with `J = ∂f/∂y` of an [`OdeSystem`].
pub trait LinearSolver<S: Scalar, const N: usize>: Clone + core::fmt::Debug {
    /// Where `J` lives in this solver's form.
    type Jacobian: Clone + core::fmt::Debug;

    /// A solver holding no factorisation.
    fn zeroed() -> Self;

    /// A Jacobian store with every entry zero.
    fn zero_jacobian() -> Self::Jacobian;

    /// Evaluates `J` at `(t, y)` (`f = f(t, y)`) into `jac`; returns the evaluations of `f`
    /// spent.
    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut Self::Jacobian,
    ) -> usize;

    /// Factors `shift · I − scale · J`: a Rosenbrock or Radau method's `I/(γ h) − J`
    /// (`scale = 1`), BDF's `I − c J` (`shift = 1`).
    ///
    /// # Errors
    /// [`Singular`] when the matrix is singular to working precision (or not finite).
    fn factor(&mut self, shift: S, scale: S::Real, jac: &Self::Jacobian) -> Result<(), Singular>;

    /// Overwrites `b` with `(shift · I − scale · J)⁻¹ b`, from the last successful
    /// factorisation.
    fn solve(&self, b: &mut [S; N]);
}

/// Gaussian elimination with partial pivoting on a dense `J` ([`Lu`]), with the matrices in
/// the storage `W`: `2 N²` scalars.
///
/// ```
/// use ode_core::implicit::{DenseLu, LinearSolver};
/// use ode_core::OdeSystem;
/// struct Pair;
/// impl OdeSystem<2> for Pair {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [-2.0 * y[0], y[0] - y[1]]; }
/// }
/// let mut jac = <DenseLu<f64, 2> as LinearSolver<f64, 2>>::zero_jacobian();
/// let mut lu = <DenseLu<f64, 2> as LinearSolver<f64, 2>>::zeroed();
/// <DenseLu<f64, 2>>::evaluate(&Pair, 0.0, &[1.0, 1.0], &[-2.0, 0.0], &mut jac);
/// lu.factor(1.0, 1.0, &jac).unwrap();     // I − J = [[3, 0], [−1, 2]]
/// let mut b = [3.0, 1.0];
/// lu.solve(&mut b);
/// assert!((b[0] - 1.0).abs() < 1e-6 && (b[1] - 1.0).abs() < 1e-6);
/// ```
#[derive(Debug, Clone)]
pub struct DenseLu<S: Scalar, const N: usize, W: Storage = Inline> {
    lu: Lu<S, N, W>,
}

impl<S: Scalar, const N: usize, W: Storage> LinearSolver<S, N> for DenseLu<S, N, W> {
    type Jacobian = W::Matrix<S, N>;

    fn zeroed() -> Self {
        DenseLu { lu: Lu::zeroed() }
    }

    fn zero_jacobian() -> W::Matrix<S, N> {
        W::matrix(S::zero())
    }

    #[inline]
    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut W::Matrix<S, N>,
    ) -> usize {
        sys.newton_jacobian(t, y, f, jac)
    }

    #[inline]
    fn factor(&mut self, shift: S, scale: S::Real, jac: &W::Matrix<S, N>) -> Result<(), Singular> {
        let m = self.lu.matrix_mut();
        for i in 0..N {
            for j in 0..N {
                m[i][j] = -(jac[i][j] * scale);
            }
            m[i][i] = m[i][i] + shift;
        }
        self.lu.refactor()
    }

    #[inline]
    fn solve(&self, b: &mut [S; N]) {
        self.lu.solve(b)
    }
}

/// A way of solving Radau IIA's transformed simplified-Newton systems (*Solving ODEs II*,
/// IV.8, eq. (8.16)): with one real `J`, the real system `(γ I − J) x = b` and, for each pair
/// of complex eigenvalues of `A⁻¹`, the complex system `((α_k + iβ_k) I − J) u = v`, all
/// shifts divided by the step. The methods never see a matrix here either: a banded, sparse or
/// user solver brings its own `J` form and may factor the real and complex systems as it sees
/// fit (the dense one factors the first pair together with the real system, in one pass).
pub trait RadauSolver<R: Real, const N: usize>: Clone + core::fmt::Debug {
    /// Where `J` lives in this solver's form.
    type Jacobian: Clone + core::fmt::Debug;

    /// The most complex shifts it holds factored at once (3 for seven stages).
    const PAIRS: usize;

    /// A solver holding no factorisation.
    fn zeroed() -> Self;

    /// A Jacobian store with every entry zero.
    fn zero_jacobian() -> Self::Jacobian;

    /// Evaluates `J` at `(t, y)` (`f = f(t, y)`) into `jac`; returns the evaluations of `f`
    /// spent.
    fn evaluate<Sys: OdeSystem<N, R> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[R; N],
        f: &[R; N],
        jac: &mut Self::Jacobian,
    ) -> usize;

    /// Factors `γ I − J` and `s_k I − J` for the shifts `s_k` of `shifts` (at most
    /// [`Self::PAIRS`]).
    ///
    /// # Errors
    /// [`Singular`] when a matrix is singular to working precision (or not finite).
    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular>;

    /// Overwrites `b` with `(γ I − J)⁻¹ b`.
    fn solve_real(&self, b: &mut [R; N]);

    /// Solves, in place, the real system in `r[0]` and the complex system of shift `k` in
    /// `(r[2k + 1], r[2k + 2])` (real and imaginary parts), for each of the `pairs` shifts.
    fn solve(&self, r: &mut [[R; N]], pairs: usize);
}

/// The dense [`RadauSolver`]: the real and the first complex system factored together
/// ([`RealComplexLu`], one pass over `J`), and `P` further complex ones ([`Lu`]), with the
/// matrices in the storage `W`: `(4 + 2P)·N²` reals beside `J`.
#[derive(Debug, Clone)]
pub struct DenseRadauLu<R: Real, const N: usize, W: Storage = Inline, const P: usize = 0> {
    lu: RealComplexLu<R, N, W>,
    pairs: [Lu<Complex<R>, N, W>; P],
}

impl<R: Real, const N: usize, W: Storage, const P: usize> RadauSolver<R, N>
    for DenseRadauLu<R, N, W, P>
{
    type Jacobian = W::Matrix<R, N>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        DenseRadauLu {
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
    ) -> usize {
        sys.newton_jacobian(t, y, f, jac)
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &W::Matrix<R, N>,
    ) -> Result<(), Singular> {
        let first = shifts[0];
        self.lu.factor_with(|i, j| {
            let m = -jac[i][j];
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
                    a[i][j] = Complex::new(-jac[i][j], R::zero());
                }
                a[i][i] = a[i][i] + shift;
            }
            lu.refactor()?;
        }
        Ok(())
    }

    #[inline]
    fn solve_real(&self, b: &mut [R; N]) {
        self.lu.solve_real(b)
    }

    #[inline(always)]
    fn solve(&self, r: &mut [[R; N]], pairs: usize) {
        let (head, rest) = r.split_at_mut(3);
        let [r0, r1, r2] = head else {
            return;
        };
        self.lu.solve(r0, r1, r2);
        for (k, lu) in self.pairs.iter().enumerate().take(pairs.saturating_sub(1)) {
            let (re, im) = (2 * k, 2 * k + 1);
            let mut b = [Complex::new(R::zero(), R::zero()); N];
            for i in 0..N {
                b[i] = Complex::new(rest[re][i], rest[im][i]);
            }
            lu.solve(&mut b);
            for i in 0..N {
                rest[re][i] = b[i].re;
                rest[im][i] = b[i].im;
            }
        }
    }
}
