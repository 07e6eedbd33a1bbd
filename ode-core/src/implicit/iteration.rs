//! The iteration matrix of an implicit method and when it is renewed.
//!
//! An [`IterationMatrix`] holds `J`, the factors of `c I − J` and what they are current for:
//! the Jacobian is evaluated only when the point has moved since (or never, after the first
//! time, for a [`JacobianKind::Constant`] system), the factorisation only when the shift `c`
//! (or BDF's scale) or the Jacobian changed. The Rosenbrock methods and Bdf hold one. Every evaluation is charged to the evaluation budget first and
//! counted (`njev`, the `f` evaluations of finite differences in `nfev`), every factorisation
//! in `nlu`. The linear algebra is the [`LinearSolver`]'s.

use super::linear::LinearSolver;
use crate::error::Error;
use crate::scalar::{Real, Scalar};
use crate::stepper::Stats;
use crate::system::{JacobianKind, OdeSystem};

/// `J` in a solver's form, and what it is good for: the current point (`current`), or any
/// point at all (`valid`, which is all a [`JacobianKind::Constant`] system needs). Both
/// [`IterationMatrix`] and Radau hold their Jacobian this way.
#[derive(Debug, Clone)]
pub(crate) struct HeldJacobian<J> {
    pub jac: J,
    current: bool,
    valid: bool,
}

impl<J> HeldJacobian<J> {
    /// No Jacobian yet in the store `jac`.
    pub fn new(jac: J) -> Self {
        HeldJacobian {
            jac,
            current: false,
            valid: false,
        }
    }

    /// Whether `J` was evaluated at the current point (RADAU5's `CALJAC`).
    #[inline(always)]
    pub fn is_current(&self) -> bool {
        self.current
    }

    /// Whether a Jacobian is held at all.
    #[inline(always)]
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// The integration moved to a new point: `J` is stale unless the system's is constant.
    #[inline(always)]
    pub fn moved(&mut self, kind: JacobianKind) {
        if kind != JacobianKind::Constant {
            self.current = false;
        }
    }

    /// `J` is not taken as current at this point whatever it is (a new start).
    #[inline(always)]
    pub fn stale(&mut self) {
        self.current = false;
    }

    /// No Jacobian held (a new integration).
    #[inline(always)]
    pub fn forget(&mut self) {
        self.current = false;
        self.valid = false;
    }

    /// Makes `J` current at `(t, y)` (`f = f(t, y)`) with `evaluate`, unless it is current or
    /// constant and held: a finite-difference Jacobian is charged to the budget `max_nfev`
    /// first (`cost`, the most evaluations it may spend), the evaluations it spends go to
    /// `nfev`, and `njev` counts. Returns whether it was evaluated.
    ///
    /// # Errors
    /// [`Error::TooManyEvaluations`] when a finite-difference Jacobian would pass `max_nfev`.
    #[inline(always)]
    pub fn refresh(
        &mut self,
        kind: JacobianKind,
        cost: usize,
        stats: &mut Stats,
        max_nfev: usize,
        evaluate: impl FnOnce(&mut J) -> Result<usize, Error>,
    ) -> Result<bool, Error> {
        if self.current || (kind == JacobianKind::Constant && self.valid) {
            self.current = true;
            return Ok(false);
        }
        if cost > 0 && stats.nfev.saturating_add(cost) > max_nfev {
            return Err(Error::TooManyEvaluations { limit: max_nfev });
        }
        stats.nfev += evaluate(&mut self.jac)?;
        stats.njev += 1;
        self.current = true;
        self.valid = true;
        Ok(true)
    }
}

/// `J`, the factors of `c I − J`, and what they were computed for.
#[derive(Debug, Clone)]
pub struct IterationMatrix<S: Scalar, const N: usize, L: LinearSolver<S, N>> {
    jac: HeldJacobian<L::Jacobian>,
    solver: L,
    /// The shift and scale of the factorisation held, if it is of the current `jac`.
    factored: Option<(S, S::Real)>,
    /// Factorisations made since [`IterationMatrix::take_factorizations`] (a method adds them
    /// to its `nlu`: they happen inside attempts, where the step loop holds the counters).
    nlu: usize,
}

impl<S: Scalar, const N: usize, L: LinearSolver<S, N>> IterationMatrix<S, N, L> {
    /// No Jacobian, no factorisation.
    pub fn new() -> Self {
        IterationMatrix {
            jac: HeldJacobian::new(L::zero_jacobian()),
            solver: L::zeroed(),
            factored: None,
            nlu: 0,
        }
    }

    /// The factorisations made since the last call, for the method's `nlu`.
    #[inline]
    pub fn take_factorizations(&mut self) -> usize {
        core::mem::take(&mut self.nlu)
    }

    /// The integration moved to a new point (an accepted step, a restart): the Jacobian is
    /// stale unless the system's is constant.
    #[inline]
    pub fn moved<Sys: OdeSystem<N, S> + ?Sized>(&mut self) {
        self.jac.moved(Sys::JACOBIAN);
    }

    /// Makes `J` current at `(t, y)` (`f = f(t, y)`), evaluating it if it is not.
    ///
    /// # Errors
    /// [`Error::TooManyEvaluations`] when a finite-difference Jacobian would pass `max_nfev`.
    #[inline]
    pub fn jacobian<Sys: OdeSystem<N, S> + ?Sized>(
        &mut self,
        sys: &Sys,
        (t, y, f): (S::Real, &[S; N], &[S; N]),
        stats: &mut Stats,
        max_nfev: usize,
    ) -> Result<(), Error> {
        let evaluate = |jac: &mut L::Jacobian| L::evaluate(sys, t, y, f, jac);
        if self.jac.refresh(
            Sys::JACOBIAN,
            L::evaluations(Sys::JACOBIAN),
            stats,
            max_nfev,
            evaluate,
        )? {
            self.factored = None;
        }
        Ok(())
    }

    /// Makes the factorisation of `shift · I − scale · J` current: a Rosenbrock method's
    /// `I/(γh) − J` (`scale = 1`), BDF's `I − c J` (`shift = 1`).
    ///
    /// # Errors
    /// [`Error::SingularMatrix`] (at `t`) when the matrix is singular.
    #[inline]
    pub fn factor(&mut self, shift: S, scale: S::Real, t: S::Real) -> Result<(), Error> {
        if self.factored == Some((shift, scale)) {
            return Ok(());
        }
        self.nlu += 1;
        self.factored = None;
        self.solver
            .factor(shift, scale, &self.jac.jac)
            .map_err(|_| Error::SingularMatrix { t: t.to_f64() })?;
        self.factored = Some((shift, scale));
        Ok(())
    }

    /// The shift and scale of the factorisation held, if it is of the current `J`.
    #[inline]
    pub fn factored(&self) -> Option<(S, S::Real)> {
        self.factored
    }

    /// Forgets the Jacobian and the factorisation (a new integration).
    #[inline]
    pub fn forget(&mut self) {
        self.jac.forget();
        self.factored = None;
    }

    /// `b ← (shift · I − J)⁻¹ b` with the factorisation made last.
    #[inline]
    pub fn solve(&self, b: &mut [S; N]) {
        self.solver.solve(b)
    }
}

impl<S: Scalar, const N: usize, L: LinearSolver<S, N>> Default for IterationMatrix<S, N, L> {
    fn default() -> Self {
        Self::new()
    }
}

/// The most evaluations of `f` a dense Jacobian of the kind `kind` spends: `N` for finite
/// differences (fewer when coloured), none otherwise.
pub(crate) const fn dense_evaluations(kind: JacobianKind, n: usize) -> usize {
    match kind {
        JacobianKind::FiniteDifferences | JacobianKind::ColoredFiniteDifferences => n,
        _ => 0,
    }
}
