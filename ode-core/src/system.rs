//! What a system of ordinary differential equations offers to the integrators.
//!
//! An initial value problem `dy/dt = f(t, y)`, `y(t0) = y0`, with a state of `N` components of
//! scalar type `S` is an [`OdeSystem<N, S>`]: it writes `f(t, y)` into a caller buffer, so no
//! method allocates. Capabilities a method may exploit come as further traits, which the
//! `#[ode_system]` macro implements from the user's function:
//!
//! - [`Jacobian`]: the analytic Jacobian `J_ij = ∂f_i/∂y_j` (implicit methods' Newton
//!   iterations);
//! - [`Sparsity`]: the structural non-zeros of `J` as constants, and a column colouring
//!   (Curtis, Powell & Reid, *J. Inst. Math. Appl.* 13 (1974)) so finite differences need one
//!   evaluation per colour rather than per column;
//! - [`ParamJacobian`]: `∂f/∂p` for the `P` parameters (forward sensitivities);
//! - [`EventSet`]: `M` zero-crossing functions `g_k(t, y)` with their directions, terminal
//!   counts and actions.

use crate::scalar::Scalar;

/// A system `dy/dt = f(t, y)` with `N` state components of type `S` (default `f64`).
///
/// ```
/// use ode_core::OdeSystem;
///
/// /// Exponential decay `y' = -k y`.
/// struct Decay { k: f64 }
///
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
///         dy[0] = -self.k * y[0];
///     }
/// }
///
/// let mut dy = [0.0];
/// Decay { k: 0.5 }.rhs(0.0, &[2.0], &mut dy);
/// assert_eq!(dy, [-1.0]);
/// ```
pub trait OdeSystem<const N: usize, S: Scalar = f64> {
    /// Writes `f(t, y)` into `dy`.
    fn rhs(&self, t: S::Real, y: &[S; N], dy: &mut [S; N]);

    /// Where [`newton_jacobian`](Self::newton_jacobian) gets `∂f/∂y` from (reported by the
    /// implicit methods; [`JacobianKind::Constant`] also tells them never to re-evaluate it).
    const JACOBIAN: JacobianKind = JacobianKind::FiniteDifferences;

    /// Writes `∂f/∂y` at `(t, y)` into `jac` for the Newton iterations of the implicit methods
    /// ([`crate::Radau5`], [`crate::Bdf`]), given `f = f(t, y)`, and returns how many
    /// evaluations of `f` it spent (counted in `nfev`).
    ///
    /// The choice is automatic: systems of `#[ode_system]` answer with their analytic Jacobian
    /// (or the num-dual one of `jacobian = dual`, or coloured differences of `jacobian = fd`),
    /// at no evaluation of `f`. A hand-written system gets forward differences (`N`
    /// evaluations, [`crate::finite_diff::forward_jacobian`]) unless it says otherwise: wrap it
    /// in [`crate::jacobian::WithJacobian`] (it implements [`Jacobian`]),
    /// [`crate::jacobian::Colored`] (it implements [`Sparsity`]: one evaluation per colour),
    /// `ForwardAd` (feature `num-dual`: it is generic over dual numbers), or
    /// [`crate::jacobian::ConstantJacobian`] (a linear or frozen system).
    ///
    /// `jac` holds the previous Jacobian of the same system (zeros at first), so an
    /// implementation may write only the structural non-zeros.
    #[inline]
    fn newton_jacobian(&self, t: S::Real, y: &[S; N], f: &[S; N], jac: &mut [[S; N]; N]) -> usize {
        crate::finite_diff::forward_jacobian(self, t, y, f, jac)
    }

    /// Hands the Jacobian's structural entries `(i, j, ∂f_i/∂y_j)` at `(t, y)` to `entry`,
    /// for the linear solvers that keep `J` in a form of their own (a band, a sparse
    /// pattern) and must not build an `N × N` matrix: `Some(evaluations of f spent)`, or
    /// `None` (the default) when the system knows its Jacobian only as a dense matrix, and
    /// the solver takes differences of its own ([`crate::implicit::BandedLu`]: by bands).
    /// `#[ode_system]` systems with an analytic Jacobian answer with their generated
    /// non-zeros, in the order of [`Sparsity::PATTERN`].
    #[inline]
    fn newton_jacobian_entries(
        &self,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        entry: &mut dyn FnMut(usize, usize, S),
    ) -> Option<usize> {
        let _ = (t, y, f, entry);
        None
    }

    /// The structure of `∂f/∂y` as the system knows it at run time: its non-zeros, their
    /// column colouring and, where it was computed ahead (by `#[ode_system]` at expansion
    /// time), the structure of its sparse LU factors. Solvers chosen at run time read it
    /// (`solve_ivp`'s [`LinearSolverKind`](crate::LinearSolverKind): whether the pattern is
    /// sparse enough for the sparse LU, and the sparse LU's structure); `None` (the default)
    /// means nothing is known, and such solvers take the Jacobian as dense.
    /// `#[ode_system]` systems answer with their [`Sparsity`] (and
    /// [`SymbolicLu`](crate::linalg::SymbolicLu)); a hand-written system that implements
    /// [`Sparsity`] answers with [`JacobianStructure::of`].
    #[inline]
    fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
        None
    }

    /// Where [`newton_time_derivative`](Self::newton_time_derivative) gets `∂f/∂t` from;
    /// [`TimeDependence::Autonomous`] tells the Rosenbrock methods to skip the term.
    const TIME_DEPENDENCE: TimeDependence = TimeDependence::FiniteDifferences;

    /// Writes `∂f/∂t` at `(t, y)` into `dfdt`, given `f = f(t, y)`, for the Rosenbrock methods
    /// ([`crate::Rodas5P`], [`crate::Rodas4`], [`crate::Rosenbrock23`]), whose stages of a
    /// non-autonomous system need it (*Solving ODEs II*, IV.7, eq. (7.4')); returns how many
    /// evaluations of `f` it spent (counted in `nfev`).
    ///
    /// Systems of `#[ode_system]` answer with `∂f/∂t` derived symbolically at compile time
    /// (nothing at all when `f` does not read `t`). A hand-written system gets a forward
    /// difference in `t` (one evaluation, [`crate::finite_diff::time_derivative`]) unless it
    /// implements [`TimeDerivative`] and is wrapped in
    /// [`crate::jacobian::WithTimeDerivative`], or is wrapped in
    /// [`crate::jacobian::Autonomous`] to say that `f` does not depend on `t`.
    #[inline]
    fn newton_time_derivative(
        &self,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        dfdt: &mut [S; N],
    ) -> usize {
        crate::finite_diff::time_derivative(self, t, y, f, dfdt)
    }
}

impl<const N: usize, S: Scalar, T: OdeSystem<N, S> + ?Sized> OdeSystem<N, S> for &T {
    const JACOBIAN: JacobianKind = T::JACOBIAN;

    #[inline(always)]
    fn rhs(&self, t: S::Real, y: &[S; N], dy: &mut [S; N]) {
        (**self).rhs(t, y, dy)
    }

    #[inline(always)]
    fn newton_jacobian(&self, t: S::Real, y: &[S; N], f: &[S; N], jac: &mut [[S; N]; N]) -> usize {
        (**self).newton_jacobian(t, y, f, jac)
    }

    #[inline(always)]
    fn newton_jacobian_entries(
        &self,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        entry: &mut dyn FnMut(usize, usize, S),
    ) -> Option<usize> {
        (**self).newton_jacobian_entries(t, y, f, entry)
    }

    #[inline(always)]
    fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
        (**self).jacobian_structure()
    }

    const TIME_DEPENDENCE: TimeDependence = T::TIME_DEPENDENCE;

    #[inline(always)]
    fn newton_time_derivative(
        &self,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        dfdt: &mut [S; N],
    ) -> usize {
        (**self).newton_time_derivative(t, y, f, dfdt)
    }
}

/// Where a Rosenbrock method's `∂f/∂t` comes from ([`OdeSystem::TIME_DEPENDENCE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TimeDependence {
    /// `f` does not depend on `t`: `∂f/∂t = 0`, never evaluated.
    Autonomous,
    /// `∂f/∂t` written by the system ([`TimeDerivative`]; symbolic for `#[ode_system]`).
    Analytic,
    /// A forward difference in `t`: one evaluation of `f`.
    FiniteDifferences,
}

/// `∂f/∂t`, the capability the Rosenbrock methods use for non-autonomous systems
/// (`#[ode_system]` generates it symbolically). A hand-written implementation is used once
/// the system is wrapped in [`crate::jacobian::WithTimeDerivative`].
pub trait TimeDerivative<const N: usize, S: Scalar = f64>: OdeSystem<N, S> {
    /// Writes `∂f_i/∂t` at `(t, y)` into `dfdt`.
    fn time_derivative(&self, t: S::Real, y: &[S; N], dfdt: &mut [S; N]);
}

/// Where an implicit method's Jacobian `∂f/∂y` comes from ([`OdeSystem::JACOBIAN`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum JacobianKind {
    /// Symbolic derivatives generated at compile time (or written by hand).
    Analytic,
    /// Forward-mode automatic differentiation with dual numbers.
    ForwardAd,
    /// Finite differences grouped by the sparsity pattern's column colouring.
    ColoredFiniteDifferences,
    /// Forward differences, one evaluation of `f` per column.
    FiniteDifferences,
    /// A constant matrix: evaluated once, never again.
    Constant,
}

/// A system that knows its Jacobian `J_ij = ∂f_i/∂y_j` analytically.
///
/// ```
/// use ode_core::{Jacobian, OdeSystem};
///
/// struct Decay;
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
/// }
/// impl Jacobian<1> for Decay {
///     fn jacobian(&self, _t: f64, _y: &[f64; 1], jac: &mut [[f64; 1]; 1]) { jac[0][0] = -1.0; }
/// }
///
/// let (mut dy, mut jac) = ([0.0], [[0.0]]);
/// Decay.rhs_and_jacobian(0.0, &[3.0], &mut dy, &mut jac);
/// assert_eq!((dy, jac), ([-3.0], [[-1.0]]));
/// ```
pub trait Jacobian<const N: usize, S: Scalar = f64>: OdeSystem<N, S> {
    /// Writes `∂f/∂y` at `(t, y)` into `jac` (row `i`, column `j`).
    fn jacobian(&self, t: S::Real, y: &[S; N], jac: &mut [[S; N]; N]);

    /// Writes `f(t, y)` and `∂f/∂y` together; implementations share common subexpressions.
    #[inline]
    fn rhs_and_jacobian(&self, t: S::Real, y: &[S; N], dy: &mut [S; N], jac: &mut [[S; N]; N]) {
        self.rhs(t, y, dy);
        self.jacobian(t, y, jac);
    }

    /// Writes `∂f/∂y` into a `jac` that already holds zeros outside the structural non-zeros
    /// (because an earlier call of [`jacobian`](Self::jacobian) filled it, say): systems with
    /// a [`Sparsity`] pattern then write only the pattern's entries, which for sparse systems
    /// saves most of the work. Implicit methods keep their Jacobian buffer across steps and use
    /// this. The default writes the whole matrix.
    #[inline]
    fn jacobian_into_zeroed(&self, t: S::Real, y: &[S; N], jac: &mut [[S; N]; N]) {
        self.jacobian(t, y, jac);
    }
}

/// The static sparsity pattern of a system's Jacobian.
///
/// `PATTERN[k] = (i, j)` lists the structural non-zeros `∂f_i/∂y_j` in row-major order;
/// `COLORS[j]` assigns every column a colour such that no two columns of one colour share a row,
/// so one evaluation of `f` per colour recovers the whole Jacobian by finite differences.
///
/// ```
/// use ode_core::Sparsity;
///
/// /// A chain `y_i' = y_{i-1} - y_i`: lower bidiagonal.
/// struct Chain;
/// impl Sparsity<3> for Chain {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)];
///     const COLORS: [usize; 3] = [0, 1, 0];
///     const N_COLORS: usize = 2;
/// }
/// assert_eq!(Chain::nnz(), 5);
/// assert!(Chain::is_structural_nonzero(2, 1));
/// assert!(!Chain::is_structural_nonzero(0, 2));
/// ```
pub trait Sparsity<const N: usize> {
    /// Structural non-zeros `(row, column)`, row-major, without duplicates.
    const PATTERN: &'static [(usize, usize)];
    /// A colour for every column; columns of one colour have disjoint row sets.
    const COLORS: [usize; N];
    /// The number of distinct colours (`max(COLORS) + 1`).
    const N_COLORS: usize;
    /// The most diagonals below the main one the pattern reaches (`max(row − col)`): the `KL`
    /// of a band solver that fits the system ([`crate::implicit::BandedLu`]).
    const LOWER_BANDWIDTH: usize = bandwidths(Self::PATTERN).0;
    /// The most diagonals above the main one the pattern reaches (`max(col − row)`): the `KU`.
    const UPPER_BANDWIDTH: usize = bandwidths(Self::PATTERN).1;

    /// The number of structural non-zeros.
    #[inline]
    fn nnz() -> usize {
        Self::PATTERN.len()
    }

    /// Whether `∂f_row/∂y_col` may be non-zero.
    #[inline]
    fn is_structural_nonzero(row: usize, col: usize) -> bool {
        Self::PATTERN.contains(&(row, col))
    }
}

/// The structure of a system's Jacobian known at run time ([`OdeSystem::jacobian_structure`]):
/// the [`Sparsity`] of the system in slices, and the structure of its sparse LU factors if it
/// was computed ahead.
///
/// ```
/// use ode_core::system::JacobianStructure;
/// use ode_core::{OdeSystem, Sparsity};
/// /// A chain y₀' = −y₀, y₁' = y₀ − y₁: lower bidiagonal.
/// struct Chain;
/// impl OdeSystem<2> for Chain {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [-y[0], y[0] - y[1]]; }
///     fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
///         Some(JacobianStructure::of::<Self, 2>())
///     }
/// }
/// impl Sparsity<2> for Chain {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1)];
///     const COLORS: [usize; 2] = [0, 1];
///     const N_COLORS: usize = 2;
/// }
/// let s = Chain.jacobian_structure().unwrap();
/// assert_eq!((s.pattern.len(), s.n_colors, s.colors), (3, 2, &[0, 1][..]));
/// assert!(s.lu.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JacobianStructure<'a> {
    /// The structural non-zeros `(row, column)` ([`Sparsity::PATTERN`]).
    pub pattern: &'a [(usize, usize)],
    /// A colour for every column ([`Sparsity::COLORS`]).
    pub colors: &'a [usize],
    /// The number of colours.
    pub n_colors: usize,
    /// The structure of the sparse LU factors under a fill-reducing order, when it was
    /// computed ahead ([`SymbolicLu::LU`](crate::linalg::SymbolicLu::LU)); otherwise a
    /// solver that needs it analyses [`pattern`](Self::pattern) itself.
    pub lu: Option<crate::linalg::LuStructure<'a>>,
}

impl JacobianStructure<'static> {
    /// The structure of a system's [`Sparsity`], without an LU structure.
    pub fn of<Pat: Sparsity<N> + ?Sized, const N: usize>() -> Self {
        JacobianStructure {
            pattern: Pat::PATTERN,
            colors: const { &Pat::COLORS },
            n_colors: Pat::N_COLORS,
            lu: None,
        }
    }

    /// The structure of a system's [`Sparsity`] with its compile-time LU structure.
    pub fn with_lu<Pat: crate::linalg::SymbolicLu<N> + ?Sized, const N: usize>() -> Self {
        JacobianStructure {
            lu: Some(Pat::LU),
            ..Self::of::<Pat, N>()
        }
    }
}

/// The lower and upper bandwidths of a pattern of `(row, column)` entries, at compile time.
///
/// ```
/// // A tridiagonal 3 × 3 pattern with one more entry two places right of the diagonal.
/// let p = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 1), (2, 2)];
/// assert_eq!(ode_core::system::bandwidths(&p), (1, 2));
/// ```
pub const fn bandwidths(pattern: &[(usize, usize)]) -> (usize, usize) {
    let (mut lower, mut upper) = (0, 0);
    let mut k = 0;
    while k < pattern.len() {
        let (i, j) = pattern[k];
        if i > j && i - j > lower {
            lower = i - j;
        }
        if j > i && j - i > upper {
            upper = j - i;
        }
        k += 1;
    }
    (lower, upper)
}

/// A system with `P` parameters `p` that knows `∂f/∂p` analytically (forward sensitivities).
///
/// ```
/// use ode_core::{OdeSystem, ParamJacobian};
///
/// struct Decay { k: f64 }
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -self.k * y[0]; }
/// }
/// impl ParamJacobian<1, 1> for Decay {
///     fn param_jacobian(&self, _t: f64, y: &[f64; 1], dfdp: &mut [[f64; 1]; 1]) {
///         dfdp[0][0] = -y[0];
///     }
/// }
/// let mut d = [[0.0]];
/// Decay { k: 2.0 }.param_jacobian(0.0, &[3.0], &mut d);
/// assert_eq!(d, [[-3.0]]);
/// ```
pub trait ParamJacobian<const N: usize, const P: usize, S: Scalar = f64>: OdeSystem<N, S> {
    /// Writes `∂f_i/∂p_k` at `(t, y)` into `dfdp[i][k]`.
    fn param_jacobian(&self, t: S::Real, y: &[S; N], dfdp: &mut [[S; P]; N]);
}

/// Which sign changes of an event function count as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Direction {
    /// From negative to positive.
    Rising,
    /// From positive to negative.
    Falling,
    /// Either way.
    #[default]
    Both,
}

/// What happens when an event occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EventAction {
    /// Record the event and go on integrating.
    #[default]
    Continue,
    /// Record the event and stop the integration there.
    Stop,
    /// Replace the state by [`EventSet::reset`] and restart the method.
    ResetState,
    /// Restart the method with fresh derivatives (the right-hand side is discontinuous there).
    ResetDerivatives,
}

/// `M` zero-crossing functions `g_k(t, y)` of a system with `N` components.
///
/// Terminal events stop the integration after `terminal(k)` occurrences; the other settings
/// default to "any direction, never terminal, continue".
///
/// ```
/// use ode_core::{Direction, EventSet};
///
/// /// The ground (`x = 0`, falling, stops at the first hit) and the apex (`v = 0`).
/// struct CannonEvents;
/// impl EventSet<2, 2> for CannonEvents {
///     fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 2]) { *g = [y[0], y[1]]; }
///     fn direction(&self, k: usize) -> Direction {
///         if k == 0 { Direction::Falling } else { Direction::Both }
///     }
///     fn terminal(&self, k: usize) -> Option<u32> { (k == 0).then_some(1) }
/// }
/// let mut g = [0.0; 2];
/// CannonEvents.values(0.0, &[3.0, -1.0], &mut g);
/// assert_eq!(g, [3.0, -1.0]);
/// assert_eq!(CannonEvents.terminal(0), Some(1));
/// ```
pub trait EventSet<const N: usize, const M: usize, S: Scalar = f64> {
    /// Writes the values of all event functions at `(t, y)` into `g`.
    fn values(&self, t: S::Real, y: &[S; N], g: &mut [S::Real; M]);

    /// The direction of crossing that counts for event `k`.
    #[inline]
    fn direction(&self, _k: usize) -> Direction {
        Direction::Both
    }

    /// `Some(n)`: the integration stops at the `n`-th occurrence of event `k`.
    #[inline]
    fn terminal(&self, _k: usize) -> Option<u32> {
        None
    }

    /// What happens at a (non-terminal) occurrence of event `k`.
    #[inline]
    fn action(&self, _k: usize) -> EventAction {
        EventAction::Continue
    }

    /// For [`EventAction::ResetState`]: maps the state at event `k` to the state the
    /// integration restarts from. The default leaves it unchanged.
    #[inline]
    fn reset(&self, _k: usize, _t: S::Real, _y: &mut [S; N]) {}
}
