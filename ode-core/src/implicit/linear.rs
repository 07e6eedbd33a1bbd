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

use super::iteration::dense_evaluations;
use crate::error::Error;
use crate::finite_diff::band_jacobian;
use crate::linalg::{BandLu, BandMatrix, Inline, Lu, Singular, Storage};
use crate::scalar::Scalar;
use crate::system::{JacobianKind, OdeSystem};

/// A way of solving `(c I − J) x = b` with `J = ∂f/∂y` of an [`OdeSystem`].
pub trait LinearSolver<S: Scalar, const N: usize>: Clone + core::fmt::Debug {
    /// Where `J` lives in this solver's form.
    type Jacobian: Clone + core::fmt::Debug;

    /// A solver holding no factorisation.
    fn zeroed() -> Self;

    /// A Jacobian store with every entry zero.
    fn zero_jacobian() -> Self::Jacobian;

    /// The most evaluations of `f` [`LinearSolver::evaluate`] spends for a system whose
    /// Jacobian is of the kind `kind` (charged to the budget before it runs): `N` for finite
    /// differences, none for an analytic or constant one.
    #[inline]
    fn evaluations(kind: JacobianKind) -> usize {
        dense_evaluations(kind, N)
    }

    /// Evaluates `J` at `(t, y)` (`f = f(t, y)`) into `jac`; returns the evaluations of `f`
    /// spent.
    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error>;

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
/// <DenseLu<f64, 2>>::evaluate(&Pair, 0.0, &[1.0, 1.0], &[-2.0, 0.0], &mut jac).unwrap();
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
    ) -> Result<usize, Error> {
        Ok(sys.newton_jacobian(t, y, f, jac))
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

/// Gaussian elimination with partial pivoting on a band `J` with `KL` sub- and `KU`
/// superdiagonals ([`BandLu`]; `B = 2 KL + KU + 1`): `O(N·B)` storage and
/// `O(N·KL·(KL + KU))` work per factorisation, never an `N × N` matrix. For the Jacobians of
/// method-of-lines discretisations (`KL = KU = 1` for a 1-D diffusion).
///
/// `J` comes from forward differences by bands (Curtis, Powell & Reid, *J. Inst. Maths
/// Applics* 13, 1974): columns `KL + KU + 1` apart touch disjoint rows, so one evaluation of
/// `f` gives all of them, `min(N, KL + KU + 1)` evaluations in all. Each entry is bit for bit
/// the one-column difference of [`crate::finite_diff::forward_jacobian`]. A system's analytic
/// Jacobian is not used (its dense form is what this solver avoids).
///
/// ```
/// use ode_core::implicit::{BandedLu, LinearSolver};
/// use ode_core::OdeSystem;
/// /// A chain: y_i' = y_{i−1} − 2 y_i.
/// struct Chain;
/// impl OdeSystem<4> for Chain {
///     fn rhs(&self, _t: f64, y: &[f64; 4], dy: &mut [f64; 4]) {
///         for i in 0..4 { dy[i] = -2.0 * y[i] + if i > 0 { y[i - 1] } else { 0.0 }; }
///     }
/// }
/// type Band = BandedLu<f64, 4, 1, 0, 3>;
/// let (y, mut f) = ([1.0; 4], [0.0; 4]);
/// Chain.rhs(0.0, &y, &mut f);
/// let mut jac = Band::zero_jacobian();
/// assert_eq!(Band::evaluate(&Chain, 0.0, &y, &f, &mut jac)?, 2); // two bands: two evaluations
/// let mut lu = Band::zeroed();
/// lu.factor(1.0, 1.0, &jac).unwrap(); // I − J: 3 on the diagonal, −1 below
/// let mut b = [3.0, 2.0, 2.0, 2.0];
/// lu.solve(&mut b);
/// assert!(b.iter().all(|v| (v - 1.0).abs() < 1e-6));
/// # Ok::<(), ode_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BandedLu<S: Scalar, const N: usize, const KL: usize, const KU: usize, const B: usize> {
    lu: BandLu<S, N, KL, KU, B>,
}

impl<S: Scalar, const N: usize, const KL: usize, const KU: usize, const B: usize> LinearSolver<S, N>
    for BandedLu<S, N, KL, KU, B>
{
    type Jacobian = BandMatrix<S, N, KL, KU, B>;

    fn zeroed() -> Self {
        BandedLu {
            lu: BandLu::zeroed(),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        BandMatrix::zeroed()
    }

    #[inline]
    fn evaluations(_kind: JacobianKind) -> usize {
        (KL + KU + 1).min(N)
    }

    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        band_jacobian(sys, t, y, f, jac)
    }

    fn factor(&mut self, shift: S, scale: S::Real, jac: &Self::Jacobian) -> Result<(), Singular> {
        self.lu.factor_with(|i, j| {
            let m = -(jac.get(i, j) * scale);
            if i == j {
                m + shift
            } else {
                m
            }
        })
    }

    #[inline]
    fn solve(&self, b: &mut [S; N]) {
        self.lu.solve(b)
    }
}
