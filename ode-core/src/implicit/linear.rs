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
//! real-and-complex systems have their own trait, [`super::RadauSolver`], with the same
//! [`Jacobian`](super::RadauSolver::Jacobian) and [`evaluate`](super::RadauSolver::evaluate).

use crate::linalg::{Inline, Lu, Singular, Storage};
use crate::scalar::Scalar;
use crate::system::OdeSystem;

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
