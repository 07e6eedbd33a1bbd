//! Implicit methods for stiff problems.
//!
//! - [`Radau5`]: Radau IIA of order 5, Hairer & Wanner's RADAU5 (*Solving ODEs II*, IV.8);
//! - [`AdaptiveRadau`]: Radau IIA of order 5, 9 or 13, chosen step by step, Hairer & Wanner's
//!   RADAU (J. Comput. Appl. Math. 111, 1999) — with [`Radau5`] one stepper, [`RadauIIA`],
//!   generic over its largest number of stages;
//! - [`Bdf`]: variable-order (1–5) numerical differentiation formulas with quasi-constant step
//!   size (Shampine & Reichelt, *The MATLAB ODE Suite*, 1997), SciPy's `BDF`;
//! - [`Rosenbrock`]: linearly implicit methods, one generic stepper over a tableau —
//!   [`Rodas5P`] (Steinebach 2023), [`Rodas4`] (Hairer & Wanner's RODAS) and [`Rosenbrock23`]
//!   (MATLAB's `ode23s`) — built on the shared pieces: the step loop, a controller, the
//!   [`IterationMatrix`] and the [`LinearSolver`] seam ([`DenseLu`] first).
//!
//! All run in the one step loop of every method (`integrator::advance`: a method attempts, its
//! controller judges, the loop keeps the floor and the counters), hold the one step state of
//! every stepper, take their Jacobian from
//! [`OdeSystem::newton_jacobian`](crate::OdeSystem::newton_jacobian) (analytic for
//! `#[ode_system]` systems; see [`crate::jacobian`] for the other sources) and their linear
//! algebra through a solver seam — [`LinearSolver`] for Bdf and the Rosenbrock methods (with
//! the [`IterationMatrix`] cache), [`RadauSolver`] for Radau's real-and-complex systems (real,
//! complex or dual states: each scalar names its dense solver), the stack LU of [`crate::linalg`] first ([`DenseLu`], [`DenseRadauLu`]) — count every Jacobian
//! (`njev`) and factorisation (`nlu`), and keep everything in fixed-size arrays: a step
//! allocates nothing. Radau and Bdf share one simplified-Newton control (RADAU5's and SciPy's
//! stopping rules), counting its iterations and failures (`n_newton_iters`,
//! `n_newton_failures`); their step-size and order decisions are controller types of their own
//! (RADAU5's and RADAU's, SciPy's BDF's), as the other methods' are those of [`crate::control`].

use crate::error::Error;

/// The Radau methods' check of `atol`: Hairer's RADAU5 and RADAU refuse `ATOL ≤ 0` ("TOLERANCES
/// ARE TOO SMALL"), since their Newton weights `1/(atol_i + rtol |y_i|)`, taken at the start of
/// a step, are infinite where a component is 0. So does odegen, up front and saying why.
fn refuse_zero_atol<R: crate::scalar::Real, const N: usize>(
    tol: &crate::control::Tolerances<R, N>,
) -> Result<(), Error> {
    if (0..N).any(|i| tol.atol(i) <= R::zero()) {
        return Err(Error::InvalidTolerance {
            what: "the Radau methods need atol > 0 in every component, as Hairer's RADAU5 and \
                   RADAU do (their Newton weights 1/(atol + rtol·|y|) are infinite where y = 0); \
                   give a small positive atol, or use Bdf or an explicit method for pure \
                   relative control",
        });
    }
    Ok(())
}

mod bdf;
mod controllers;
#[cfg(feature = "faer")]
mod faer;
mod iteration;
mod linear;
mod newton;
mod radau;
mod radau_solver;
mod rosenbrock;
#[cfg(feature = "alloc")]
mod runtime_sparse;
mod sparse;

pub use bdf::Bdf;
#[cfg(feature = "faer")]
pub use faer::{FaerJacobian, FaerSparseLu, FaerSparseRadauLu};
pub use iteration::IterationMatrix;
pub use linear::{BandedLu, DenseLu, LinearSolver};
pub use radau::{AdaptiveRadau, Radau5, RadauIIA};
#[cfg(feature = "num-dual")]
pub use radau_solver::DualRadauLu;
pub use radau_solver::{BandedRadauLu, ComplexRadauLu, DenseRadauLu, RadauSolver, RealRadauLu};
pub use rosenbrock::{
    Rodas4, Rodas4Method, Rodas5P, Rodas5PMethod, Rosenbrock, Rosenbrock23, Rosenbrock23Method,
    RosenbrockMethod,
};
#[cfg(feature = "alloc")]
pub use runtime_sparse::{
    RuntimeSparseComplexRadauLu, RuntimeSparseJacobian, RuntimeSparseLu, RuntimeSparseRadauLu,
    RuntimeStructure,
};
pub use sparse::{SparseJacobian, StaticSparseLu, StaticSparseRadauLu};
