//! The `solve_ivp` driver: SciPy's convenience interface over the steppers.
//!
//! [`solve_ivp`] integrates from `t0` to `t1` with one of the [`Method`]s and returns an
//! [`OdeResult`] with what SciPy's `solve_ivp` returns: the output times `t` and states `y`
//! (every step, or the requested `t_eval` points interpolated by the method's dense output),
//! the continuous solution `sol` when `dense_output` is set, the counters, `status`, `message`
//! and `success`; with [`solve_ivp_with_events`], the event occurrences `t_events` and
//! `y_events` (status [`Status::Terminated`] when a terminal event stopped the integration).
//!
//! The driver is [`crate::run`] with step handlers: the output points (every step, or the
//! `t_eval` points) and the continuous solution are collected by [`StepHandler`]s, the same
//! mechanism user code plugs into, and events by the [`EventTracker`].
//!
//! Input that cannot be integrated (non-finite `y0` or span, bad tolerances or options,
//! unsorted `t_eval`) is refused with an [`Error`]. A failure *during* the integration
//! (step size underflow, evaluation budget, non-finite right-hand side) is not an `Err`: as in
//! SciPy, the result carries the solution up to the failure, `status == Status::Failed` and a
//! `message` naming the time; [`OdeResult::into_result`] turns it into an `Err` for `?`.
//!
//! Defaults follow SciPy: `rtol = 1e-3`, `atol = 1e-6`, method `Rk45`. An `rtol` below
//! `100 ε` is raised to `100 ε` and the `message` says so.

use crate::control::{Atol, Tolerances};
use crate::dense::DenseSolution;
use crate::drive::{run_tracked, Ending};
use crate::error::Error;
use crate::events::{EventTracker, NoEvents, DEFAULT_MAX_OCCURRENCES};
use crate::explicit::{
    Dop853, Dopri5, Euler, Gill, HighamHall54, Luther, Midpoint, Rk23, Rk4, Rkf45, ThreeEighths,
    Tsit5,
};
use crate::handler::{StepHandler, StepView};
use crate::implicit::{
    AdaptiveRadau, Bdf, Radau5, RadauIIA, Rodas4, Rodas5P, Rosenbrock23, RuntimeSparseLu,
};
use crate::integrator::Settings;
use crate::linalg::Heap;
use crate::scalar::{Real, Scalar};
use crate::stepper::{Stats, Stepper};
use crate::system::{EventSet, OdeSystem};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Generates [`Method`] and what it answers from the rows of `method_table!` (`methods.rs`).
macro_rules! define_methods {
    ($( ($variant:ident, $name:literal, [$($alias:literal),*], $kind:ident, $ty:ident, $order:literal, $doc:literal) ),* $(,)?) => {
        /// The integration methods of [`solve_ivp`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[non_exhaustive]
        pub enum Method {
            $( #[doc = $doc] $variant, )*
        }

        impl Method {
            /// Every method, in the order of the enum: the one list that the documentation,
            /// the drivers' tests and the benchmarks iterate, so a new method joins them all
            /// here.
            ///
            /// ```
            /// use ode_core::Method;
            /// assert!(Method::ALL.contains(&Method::AdaptiveRadau));
            /// assert_eq!(Method::ALL.iter().filter(|m| m.is_implicit()).count(), 6);
            /// ```
            pub const ALL: [Method; [$( stringify!($variant) ),*].len()] = [$( Method::$variant ),*];

            /// The method's name as the literature (and SciPy, where it has it) writes it.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Method::$variant => $name, )*
                }
            }

            /// The names [`Method::from_str`](core::str::FromStr) accepts besides
            /// [`Method::name`] and the variant's own.
            pub const fn aliases(self) -> &'static [&'static str] {
                match self {
                    $( Method::$variant => &[stringify!($variant), $($alias),*], )*
                }
            }

            /// Whether the method takes steps of the fixed size `first_step`.
            pub const fn is_fixed_step(self) -> bool {
                match self {
                    $( Method::$variant => method_kind!(fixed? $kind), )*
                }
            }

            /// Whether the method is implicit (meant for stiff problems; it uses the
            /// Jacobian).
            pub const fn is_implicit(self) -> bool {
                match self {
                    $( Method::$variant => method_kind!(implicit? $kind), )*
                }
            }

            /// Whether the method solves nonlinear stage equations by Newton's method (Radau,
            /// BDF), rather than linear ones (the Rosenbrock methods).
            pub const fn uses_newton(self) -> bool {
                match self {
                    $( Method::$variant => method_kind!(newton? $kind), )*
                }
            }

            /// The classical order of the method (its highest, for variable-order methods).
            /// A method of order 2 (`Midpoint`, `Rosenbrock23`) is made for crude tolerances:
            /// at `rtol = 1e-10` it needs of the order of 10⁵ steps a unit of time.
            ///
            /// ```
            /// use ode_core::Method;
            /// assert_eq!(Method::Rodas5P.order(), 5);
            /// assert_eq!(Method::Dop853.order(), 8);
            /// ```
            pub const fn order(self) -> u32 {
                match self {
                    $( Method::$variant => $order, )*
                }
            }
        }
    };
}

/// What a kind of `method_table!` row is.
macro_rules! method_kind {
    (fixed? fixed) => {
        true
    };
    (fixed? $other:ident) => {
        false
    };
    (implicit? radau) => {
        true
    };
    (implicit? bdf) => {
        true
    };
    (implicit? rosenbrock) => {
        true
    };
    (implicit? $other:ident) => {
        false
    };
    (newton? radau) => {
        true
    };
    (newton? bdf) => {
        true
    };
    (newton? $other:ident) => {
        false
    };
}

method_table!(define_methods);

impl core::fmt::Display for Method {
    /// The method's name as the literature (and SciPy, where it has it) writes it.
    ///
    /// ```
    /// assert_eq!(ode_core::Method::Dop853.to_string(), "DOP853");
    /// ```
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is none of the [`Method`]s' ([`Method::from_str`](core::str::FromStr)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMethod(pub String);

impl core::fmt::Display for UnknownMethod {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "no integration method is called {:?}; the methods are",
            self.0
        )?;
        for (i, m) in Method::ALL.iter().enumerate() {
            write!(f, "{} {}", if i == 0 { "" } else { "," }, m.name())?;
        }
        Ok(())
    }
}

impl core::str::FromStr for Method {
    type Err = UnknownMethod;

    /// The method of a name: [`Method::name`] (SciPy's `"RK45"`, `"Radau"`, `"BDF"`, …), the
    /// variant's name, or one of [`Method::aliases`], in any case.
    ///
    /// ```
    /// use ode_core::Method;
    /// assert_eq!("Radau".parse(), Ok(Method::Radau));
    /// assert_eq!("rk45".parse(), Ok(Method::Rk45));
    /// assert_eq!("ode23s".parse(), Ok(Method::Rosenbrock23));
    /// assert!("LSODA".parse::<Method>().unwrap_err().to_string().contains("Rodas5P"));
    /// ```
    fn from_str(s: &str) -> Result<Method, UnknownMethod> {
        let s = s.trim();
        Method::ALL
            .iter()
            .copied()
            .find(|m| {
                m.name().eq_ignore_ascii_case(s)
                    || m.aliases().iter().any(|a| a.eq_ignore_ascii_case(s))
            })
            .ok_or_else(|| UnknownMethod(s.to_string()))
    }
}

impl Method {
    /// The adaptive methods (explicit and implicit): those that choose their own steps.
    pub fn adaptive() -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(|m| !m.is_fixed_step())
    }

    /// The implicit methods, for stiff problems.
    pub fn implicit() -> impl Iterator<Item = Method> {
        Method::ALL.into_iter().filter(|m| m.is_implicit())
    }
}

// No two methods answer to one name.
const _: () = {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if !a[i].eq_ignore_ascii_case(&b[i]) {
                return false;
            }
            i += 1;
        }
        true
    }
    let all = Method::ALL;
    let mut i = 0;
    while i < all.len() {
        let mut j = i + 1;
        while j < all.len() {
            let (a, b) = (all[i], all[j]);
            assert!(!same(a.name(), b.name()));
            let mut k = 0;
            while k < b.aliases().len() {
                assert!(!same(a.name(), b.aliases()[k]));
                let mut l = 0;
                while l < a.aliases().len() {
                    assert!(!same(a.aliases()[l], b.aliases()[k]));
                    l += 1;
                }
                k += 1;
            }
            let mut l = 0;
            while l < a.aliases().len() {
                assert!(!same(a.aliases()[l], b.name()));
                l += 1;
            }
            j += 1;
        }
        i += 1;
    }
};

/// The linear solver of the implicit methods' Newton (or Rosenbrock) systems in
/// [`solve_ivp`] ([`Options::linear_solver`]); the explicit methods have none.
///
/// The sparse solver factors over the LU structure of the Jacobian's pattern — the one
/// `#[ode_system]` computed at expansion time (a nested-dissection order and the fill of `L`
/// and `U`), or the analysis of a hand-written system's
/// [`jacobian_structure`](crate::OdeSystem::jacobian_structure) run once — and takes `J`
/// from the generated non-zeros (or coloured differences) straight into its storage: a solve
/// costs `O(N + nnz(L + U))` memory and nothing of size `N × N` exists. Banded patterns go
/// through it too (their nested-dissection fill is at most the band's): on the tridiagonal
/// 1-D heat equation with `N = 10⁴` it runs Rodas5P 1.6× and BDF 1.4× faster than the band LU
/// with partial pivoting ([`crate::implicit::BandedLu`], compile-time bandwidths, on the
/// steppers; `cargo bench -p odegen-peers --bench sparse -- --crossover`).
///
/// ```
/// use ode_core::{solve_ivp, LinearSolverKind, Method, Options};
/// # use ode_core::{OdeSystem, Sparsity, system::JacobianStructure};
/// # /// A decaying chain y₀' = −y₀, yᵢ' = yᵢ₋₁ − yᵢ.
/// # struct Chain;
/// # impl OdeSystem<3> for Chain {
/// #     fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
/// #         *dy = [-y[0], y[0] - y[1], y[1] - y[2]];
/// #     }
/// #     fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
/// #         Some(JacobianStructure::of::<Self, 3>())
/// #     }
/// # }
/// # impl Sparsity<3> for Chain {
/// #     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)];
/// #     const COLORS: [usize; 3] = [0, 1, 0];
/// #     const N_COLORS: usize = 2;
/// # }
/// let options = Options::new(Method::Bdf).rtol(1e-8).atol(1e-10);
/// let sparse = solve_ivp(&Chain, (0.0, 1.0), [1.0, 0.0, 0.0],
///                        options.clone().linear_solver(LinearSolverKind::Sparse))?;
/// let dense = solve_ivp(&Chain, (0.0, 1.0), [1.0, 0.0, 0.0], options)?;
/// // Three equations: Auto keeps the dense LU.
/// assert_eq!(dense.linear_solver, Some(LinearSolverKind::Dense));
/// assert_eq!(sparse.linear_solver, Some(LinearSolverKind::Sparse));
/// // y₂(1) = e⁻¹/2.
/// let exact = 0.5 * (-1.0f64).exp();
/// assert!((sparse.y.last().unwrap()[2] - exact).abs() < 1e-7);
/// assert!((dense.y.last().unwrap()[2] - exact).abs() < 1e-7);
/// # Ok::<(), ode_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LinearSolverKind {
    /// The sparse solver when the system reports its Jacobian's pattern
    /// ([`OdeSystem::jacobian_structure`]: every `#[ode_system]` does), it has at least
    /// [`LinearSolverKind::AUTO_SPARSE_MIN_N`] equations and the pattern fills at most an
    /// eighth of `N × N` (a quarter for `L + U`, where known); the dense LU otherwise.
    #[default]
    Auto,
    /// The dense LU with partial pivoting: `J` and its factors as `N × N` matrices on the
    /// heap.
    Dense,
    /// The sparse LU over the Jacobian's pattern (module docs of
    /// [`crate::implicit::RuntimeSparseLu`]); refused with [`Error::InvalidOption`] for a
    /// system that reports no pattern, and for Radau with dual-number states.
    Sparse,
}

impl LinearSolverKind {
    /// The fewest equations for which [`LinearSolverKind::Auto`] takes the sparse LU: below
    /// it the dense LU's contiguous loops are as fast whatever the pattern. Measured on the
    /// 1-D heat equation (`cargo bench -p odegen-peers --bench sparse -- --crossover`): level
    /// at `N = 16`, the sparse LU 1.4–2.2× faster at 32 (BDF, Rodas5P; two runs), 8–14× at
    /// 128.
    pub const AUTO_SPARSE_MIN_N: usize = 32;

    /// The solver a solve of `sys` by `method` runs with when `self` is asked for: `None` for
    /// the explicit methods.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for [`LinearSolverKind::Sparse`] without a pattern, or for
    /// Radau with states that have no sparse solver (dual numbers).
    pub fn resolve<Sys, S, const N: usize>(
        self,
        sys: &Sys,
        method: Method,
    ) -> Result<Option<LinearSolverKind>, Error>
    where
        Sys: OdeSystem<N, S> + ?Sized,
        S: Scalar,
    {
        if !method.is_implicit() {
            return Ok(None);
        }
        let radau = matches!(method, Method::Radau | Method::AdaptiveRadau);
        let available = !radau || S::SPARSE_RADAU;
        let structure = sys.jacobian_structure();
        match self {
            LinearSolverKind::Dense => Ok(Some(LinearSolverKind::Dense)),
            LinearSolverKind::Sparse => {
                if structure.is_none() {
                    return Err(Error::InvalidOption {
                        what: "LinearSolverKind::Sparse needs the Jacobian's pattern: an \
                               #[ode_system] has it; a hand-written system implements Sparsity \
                               and OdeSystem::jacobian_structure",
                    });
                }
                if !available {
                    return Err(Error::InvalidOption {
                        what: "Radau's sparse solver takes real or complex states, not dual \
                               numbers: use LinearSolverKind::Dense, or Bdf or a Rosenbrock \
                               method",
                    });
                }
                Ok(Some(LinearSolverKind::Sparse))
            }
            LinearSolverKind::Auto => {
                let sparse = available
                    && N >= Self::AUTO_SPARSE_MIN_N
                    && structure.is_some_and(|s| {
                        let square = N.saturating_mul(N);
                        s.pattern.len().saturating_mul(8) <= square
                            && s.lu
                                .is_none_or(|lu| lu.cols.len().saturating_mul(4) <= square)
                    });
                Ok(Some(if sparse {
                    LinearSolverKind::Sparse
                } else {
                    LinearSolverKind::Dense
                }))
            }
        }
    }
}

/// Options of [`solve_ivp`], with SciPy's defaults.
///
/// ```
/// use ode_core::{Method, Options};
/// let o: Options<f64, 2> = Options::new(Method::Dop853)
///     .rtol(1e-10)
///     .atol(1e-12)
///     .t_eval(vec![0.0, 0.5, 1.0])
///     .dense_output(true);
/// assert_eq!(o.method(), Method::Dop853);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Options<R, const N: usize> {
    method: Method,
    rtol: R,
    atol: Atol<R, N>,
    t_eval: Option<Vec<R>>,
    dense_output: bool,
    first_step: Option<R>,
    max_step: R,
    min_step: R,
    max_nfev: usize,
    max_events: u64,
    linear_solver: LinearSolverKind,
    reuse_factorizations: bool,
}

impl<R: Real, const N: usize> Default for Options<R, N> {
    fn default() -> Self {
        Options::new(Method::Rk45)
    }
}

impl<R: Real, const N: usize> Options<R, N> {
    /// SciPy's defaults with the given method: `rtol = 1e-3`, `atol = 1e-6`, no `t_eval`, no
    /// dense output, automatic first step, unbounded step, no evaluation budget.
    pub fn new(method: Method) -> Self {
        Options {
            method,
            rtol: R::from_f64(1e-3),
            atol: Atol::Scalar(R::from_f64(1e-6)),
            t_eval: None,
            dense_output: false,
            first_step: None,
            max_step: R::infinity(),
            min_step: R::zero(),
            max_nfev: usize::MAX,
            max_events: DEFAULT_MAX_OCCURRENCES,
            linear_solver: LinearSolverKind::Auto,
            reuse_factorizations: false,
        }
    }
    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// Relative tolerance.
    pub fn rtol(mut self, rtol: R) -> Self {
        self.rtol = rtol;
        self
    }
    /// Absolute tolerance, the same for every component.
    pub fn atol(mut self, atol: R) -> Self {
        self.atol = Atol::Scalar(atol);
        self
    }
    /// Absolute tolerance per component.
    pub fn atol_vector(mut self, atol: [R; N]) -> Self {
        self.atol = Atol::Vector(atol);
        self
    }
    /// Times at which to report the solution (sorted in the direction of integration, inside
    /// the span); the solution there comes from the method's dense output.
    pub fn t_eval(mut self, t_eval: Vec<R>) -> Self {
        self.t_eval = Some(t_eval);
        self
    }
    /// Whether to return the continuous solution `sol`.
    pub fn dense_output(mut self, on: bool) -> Self {
        self.dense_output = on;
        self
    }
    /// The first step (adaptive methods), or the step (fixed-step methods, where it is
    /// required).
    pub fn first_step(mut self, h: R) -> Self {
        self.first_step = Some(h);
        self
    }
    /// The largest step allowed (adaptive methods).
    pub fn max_step(mut self, h: R) -> Self {
        self.max_step = h;
        self
    }
    /// The smallest step allowed; needing a smaller one fails the integration.
    pub fn min_step(mut self, h: R) -> Self {
        self.min_step = h;
        self
    }
    /// The most right-hand-side evaluations the integration may spend.
    pub fn max_nfev(mut self, n: usize) -> Self {
        self.max_nfev = n;
        self
    }

    /// The most event occurrences the integration may have (all events together): one more
    /// fails it with [`Error::TooManyEvents`]. Default 10⁶.
    pub fn max_events(mut self, n: u64) -> Self {
        self.max_events = n;
        self
    }

    /// The linear solver of the implicit methods (default [`LinearSolverKind::Auto`]); the
    /// one a solve ran with is [`OdeResult::linear_solver`].
    pub fn linear_solver(mut self, kind: LinearSolverKind) -> Self {
        self.linear_solver = kind;
        self
    }

    /// `Method::Bdf` only: CVODE's reuse of the iteration matrix's factors across changes of
    /// the step (see [`Settings::reuse_factorizations`]); off by default, as SciPy.
    pub fn reuse_factorizations(mut self, on: bool) -> Self {
        self.reuse_factorizations = on;
        self
    }

    fn settings(&self) -> Settings<R, N> {
        let tol = match self.atol {
            Atol::Scalar(a) => Tolerances::new(self.rtol, a),
            Atol::Vector(v) => Tolerances::new(self.rtol, R::zero()).with_atol_vector(v),
        };
        let mut s = Settings::new(tol)
            .max_step(self.max_step)
            .min_step(self.min_step)
            .max_nfev(self.max_nfev)
            .reuse_factorizations(self.reuse_factorizations);
        if let Some(h) = self.first_step {
            s = s.first_step(h);
        }
        s
    }
}

/// How an integration ended (SciPy's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Status {
    /// `-1`: the integration failed; `message` says where and why.
    Failed,
    /// `0`: the end of the span was reached.
    Finished,
    /// `1`: a terminal event stopped the integration.
    Terminated,
}

impl Status {
    /// SciPy's integer code: -1, 0 or 1.
    pub fn code(self) -> i32 {
        match self {
            Status::Failed => -1,
            Status::Finished => 0,
            Status::Terminated => 1,
        }
    }
}

/// What [`solve_ivp`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct OdeResult<S: Scalar, const N: usize> {
    /// Output times: every accepted step's end (and `t0`), or the `t_eval` points reached.
    pub t: Vec<S::Real>,
    /// The solution at each of `t`.
    pub y: Vec<[S; N]>,
    /// The continuous solution over the integrated span, when `dense_output` was set.
    pub sol: Option<DenseSolution<S, N>>,
    /// Work counters (`nfev`, `njev`, `nlu`, accepted and rejected steps).
    pub stats: Stats,
    /// For each event function, the times of its occurrences (empty without events).
    pub t_events: Vec<Vec<S::Real>>,
    /// For each event function, the states at its occurrences (before any reset).
    pub y_events: Vec<Vec<[S; N]>>,
    /// How the integration ended.
    pub status: Status,
    /// A human-readable account of the ending.
    pub message: String,
    /// `status != Failed`.
    pub success: bool,
    /// The failure, when `status == Failed`.
    pub error: Option<Error>,
    /// The linear solver the implicit method ran with ([`Options::linear_solver`], with
    /// [`LinearSolverKind::Auto`] resolved); `None` for the explicit methods.
    pub linear_solver: Option<LinearSolverKind>,
}

impl<S: Scalar, const N: usize> OdeResult<S, N> {
    /// The time series of component `i`.
    pub fn component(&self, i: usize) -> Vec<S> {
        self.y.iter().map(|y| y[i]).collect()
    }

    /// `Ok(self)` when the integration succeeded, otherwise the error that stopped it.
    pub fn into_result(self) -> Result<Self, Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

impl<S: Scalar + core::fmt::Display, const N: usize> OdeResult<S, N> {
    /// Writes `t` and `y` as CSV: a header `t,y0,y1,…`, then one row per output point, each
    /// number in the shortest form that reads back to the same value.
    ///
    /// ```
    /// use ode_core::{solve_ivp, Method, OdeSystem, Options};
    /// struct Decay;
    /// impl OdeSystem<2> for Decay {
    ///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [-y[0], -2.0 * y[1]]; }
    /// }
    /// let sol = solve_ivp(&Decay, (0.0, 1.0), [1.0, 1.0],
    ///                     Options::new(Method::Dop853).t_eval(vec![0.0, 0.5, 1.0]))?;
    /// let mut csv = String::new();
    /// sol.write_csv(&mut csv).unwrap();
    /// let lines: Vec<&str> = csv.lines().collect();
    /// assert_eq!(lines[0], "t,y0,y1");
    /// assert_eq!(lines.len(), 4);
    /// assert!(lines[1].starts_with("0,1,1"));
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    pub fn write_csv<W: core::fmt::Write>(&self, out: &mut W) -> core::fmt::Result {
        out.write_str("t")?;
        for i in 0..N {
            write!(out, ",y{i}")?;
        }
        out.write_char('\n')?;
        for (t, y) in self.t.iter().zip(self.y.iter()) {
            write!(out, "{t}")?;
            for v in y {
                write!(out, ",{v}")?;
            }
            out.write_char('\n')?;
        }
        Ok(())
    }

    /// Writes the event occurrences as CSV: a header `event,t,y0,y1,…`, then one row per
    /// occurrence (event by event, each in time order), the state before any reset.
    pub fn write_events_csv<W: core::fmt::Write>(&self, out: &mut W) -> core::fmt::Result {
        out.write_str("event,t")?;
        for i in 0..N {
            write!(out, ",y{i}")?;
        }
        out.write_char('\n')?;
        for (k, (ts, ys)) in self.t_events.iter().zip(self.y_events.iter()).enumerate() {
            for (t, y) in ts.iter().zip(ys.iter()) {
                write!(out, "{k},{t}")?;
                for v in y {
                    write!(out, ",{v}")?;
                }
                out.write_char('\n')?;
            }
        }
        Ok(())
    }
}

/// A short account: status and message, the span covered and the output points, the counters,
/// the final state (its first eight components) and the events.
///
/// ```
/// use ode_core::{solve_ivp, Method, OdeSystem, Options};
/// struct Decay;
/// impl OdeSystem<1> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
/// }
/// let sol = solve_ivp(&Decay, (0.0, 1.0), [1.0], Options::new(Method::Rk45))?;
/// let text = sol.to_string();
/// assert!(text.starts_with("Finished (status 0)"), "{text}");
/// assert!(text.contains("nfev"), "{text}");
/// # Ok::<(), ode_core::Error>(())
/// ```
impl<S: Scalar + core::fmt::Display, const N: usize> core::fmt::Display for OdeResult<S, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(
            f,
            "{:?} (status {}): {}",
            self.status,
            self.status.code(),
            self.message
        )?;
        let st = &self.stats;
        if let (Some(t0), Some(t1)) = (self.t.first(), self.t.last()) {
            writeln!(f, "t from {t0} to {t1}, {} output points", self.t.len())?;
        }
        writeln!(
            f,
            "{} steps accepted, {} rejected; nfev {}, njev {}, nlu {}",
            st.n_accepted, st.n_rejected, st.nfev, st.njev, st.nlu
        )?;
        if let (Some(t), Some(y)) = (self.t.last(), self.y.last()) {
            write!(f, "y({t}) = [")?;
            for (i, v) in y.iter().take(8).enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            if N > 8 {
                write!(f, ", … ({N} components)")?;
            }
            f.write_str("]")?;
        }
        if !self.t_events.is_empty() {
            f.write_str("\nevents:")?;
            for (k, ts) in self.t_events.iter().enumerate() {
                write!(f, " {k}: {}", ts.len())?;
            }
        }
        Ok(())
    }
}

/// Solves `dy/dt = f(t, y)`, `y(t0) = y0` over `span = (t0, t1)` (SciPy's `solve_ivp`).
///
/// `t1 < t0` integrates backward; `t1 == t0` returns the initial point.
///
/// ```
/// use ode_core::{solve_ivp, Method, OdeSystem, Options, Status};
///
/// /// SciPy's documentation example: y' = -0.5 y.
/// struct Decay;
/// impl OdeSystem<3> for Decay {
///     fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
///         for i in 0..3 { dy[i] = -0.5 * y[i]; }
///     }
/// }
/// let sol = solve_ivp(&Decay, (0.0, 10.0), [2.0, 4.0, 8.0],
///                     Options::new(Method::Rk45).t_eval(vec![0.0, 1.0, 2.0, 4.0, 10.0]))?;
/// assert_eq!(sol.status, Status::Finished);
/// assert_eq!(sol.t, vec![0.0, 1.0, 2.0, 4.0, 10.0]);
/// assert!((sol.y[4][0] - 2.0 * (-5.0f64).exp()).abs() < 1e-3);
/// # Ok::<(), ode_core::Error>(())
/// ```
pub fn solve_ivp<Sys, S, const N: usize>(
    system: &Sys,
    span: (S::Real, S::Real),
    y0: [S; N],
    options: Options<S::Real, N>,
) -> Result<OdeResult<S, N>, Error>
where
    Sys: OdeSystem<N, S> + ?Sized,
    S: Scalar,
{
    solve_ivp_with_events(system, span, y0, options, NoEvents)
}

/// [`solve_ivp`] with event functions (SciPy's `events` argument): their occurrences are
/// located on the dense output to a few ulps ([`crate::events`]) and returned in `t_events`
/// and `y_events`; terminal events stop the integration with [`Status::Terminated`], resets
/// restart the method.
///
/// ```
/// use ode_core::{solve_ivp_with_events, Direction, EventSet, Method, OdeSystem, Options, Status};
///
/// /// SciPy's cannon: x'' = -0.5 from x = 0 with speed 10.
/// struct Cannon;
/// impl OdeSystem<2> for Cannon {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [y[1], -0.5]; }
/// }
/// /// `hit_ground` (x = 0, falling, terminal) and `apex` (v = 0).
/// struct Events;
/// impl EventSet<2, 2> for Events {
///     fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 2]) { *g = [y[0], y[1]]; }
///     fn direction(&self, k: usize) -> Direction {
///         if k == 0 { Direction::Falling } else { Direction::Both }
///     }
///     fn terminal(&self, k: usize) -> Option<u32> { (k == 0).then_some(1) }
/// }
/// let sol = solve_ivp_with_events(&Cannon, (0.0, 100.0), [0.0, 10.0],
///                                 Options::new(Method::Rk45), Events)?;
/// assert_eq!(sol.status, Status::Terminated);
/// assert!((sol.t_events[0][0] - 40.0).abs() < 1e-9);
/// assert!((sol.t_events[1][0] - 20.0).abs() < 1e-9);
/// assert!((sol.y_events[1][0][0] - 100.0).abs() < 1e-9);
/// assert_eq!(*sol.t.last().unwrap(), sol.t_events[0][0]);
/// # Ok::<(), ode_core::Error>(())
/// ```
pub fn solve_ivp_with_events<Sys, E, S, const N: usize, const M: usize>(
    system: &Sys,
    span: (S::Real, S::Real),
    y0: [S; N],
    options: Options<S::Real, N>,
    events: E,
) -> Result<OdeResult<S, N>, Error>
where
    Sys: OdeSystem<N, S> + ?Sized,
    E: EventSet<N, M, S>,
    S: Scalar,
{
    let (t0, t1) = span;
    check_t_eval(options.t_eval.as_deref(), t0, t1)?;
    let fixed_h = || -> Result<S::Real, Error> {
        options.first_step.ok_or(Error::InvalidOption {
            what: "fixed-step methods need first_step (their step size)",
        })
    };
    let settings = options.settings();
    // Every method validates alike: the fixed-step methods, which use no tolerance, refuse
    // the same bad tolerances as the adaptive ones.
    settings.tolerances().validated()?;
    let solver = options.linear_solver.resolve(system, options.method)?;
    // Every stepper runs in a box (allocated once per solve), so that only its `O(N)` state
    // passes through the stack, once.
    macro_rules! adaptive {
        ($ty:ident) => {
            drive(
                boxed(|| $ty::new(system, t0, y0, t1, settings))?,
                events,
                &options,
            )?
        };
    }
    macro_rules! fixed {
        ($ty:ident) => {
            drive(
                boxed(|| $ty::with_budget(system, t0, y0, t1, fixed_h()?, options.max_nfev))?,
                events,
                &options,
            )?
        };
    }
    macro_rules! arm {
        (adaptive, $ty:ident) => {
            adaptive!($ty)
        };
        (fixed, $ty:ident) => {
            fixed!($ty)
        };
        // The implicit methods (`bdf`, `radau`, `rosenbrock`) keep their N × N matrices on the
        // heap, one box each, and the stepper in a box: a large system needs no large stack;
        // with the sparse solver, its O(nnz(L + U)) storage.
        ($implicit:ident, $ty:ident) => {
            if solver == Some(LinearSolverKind::Sparse) {
                drive(
                    <sparse_stepper!($implicit, $ty)>::boxed_with_solver(
                        system, t0, y0, t1, settings,
                    )?,
                    events,
                    &options,
                )?
            } else {
                drive($ty::boxed(system, t0, y0, t1, settings)?, events, &options)?
            }
        };
    }
    // Each implicit method's stepper over the run-time sparse solver.
    macro_rules! sparse_stepper {
        (bdf, $ty:ident) => {
            $ty<&Sys, N, S, Heap, RuntimeSparseLu<S, N>>
        };
        (rosenbrock, $ty:ident) => {
            $ty<&Sys, N, S, RuntimeSparseLu<S, N>>
        };
        (radau, Radau5) => {
            RadauIIA<&Sys, N, S, 3, S::SparseRadauLu<N, 0>>
        };
        (radau, AdaptiveRadau) => {
            RadauIIA<&Sys, N, S, 7, S::SparseRadauLu<N, 2>>
        };
    }

    macro_rules! dispatch {
        ($( ($variant:ident, $name:literal, [$($alias:literal),*], $kind:ident, $ty:ident, $order:literal, $doc:literal) ),* $(,)?) => {
            match options.method {
                $( Method::$variant => arm!($kind, $ty), )*
            }
        };
    }
    let mut result = method_table!(dispatch);
    result.linear_solver = solver;
    Ok(result)
}

/// The stepper `make` builds, moved into a box: in a frame of its own (never inlined), so
/// that the driver's frame holds no stepper of any method.
#[inline(never)]
fn boxed<St>(make: impl FnOnce() -> Result<St, Error>) -> Result<alloc::boxed::Box<St>, Error> {
    make().map(alloc::boxed::Box::new)
}

/// `t_eval` must be finite, inside the span and strictly monotone in the direction of
/// integration.
fn check_t_eval<R: Real>(t_eval: Option<&[R]>, t0: R, t1: R) -> Result<(), Error> {
    let Some(te) = t_eval else { return Ok(()) };
    let (lo, hi) = if t0 <= t1 { (t0, t1) } else { (t1, t0) };
    let forward = t1 >= t0;
    for (i, &t) in te.iter().enumerate() {
        if !(t >= lo && t <= hi) {
            return Err(Error::InvalidTEval {
                t: t.to_f64(),
                what: "outside the span",
            });
        }
        if i > 0 {
            let prev = te[i - 1];
            let ordered = if forward { t > prev } else { t < prev };
            if !ordered {
                return Err(Error::InvalidTEval {
                    t: t.to_f64(),
                    what: "not strictly sorted in the direction of integration",
                });
            }
        }
    }
    Ok(())
}

/// The output points of [`solve_ivp`] as a step handler: every step's end, or the `t_eval`
/// points from the steps' interpolants.
struct Output<'a, S: Scalar, const N: usize> {
    t_eval: Option<&'a [S::Real]>,
    next: usize,
    forward: bool,
    t: Vec<S::Real>,
    y: Vec<[S; N]>,
    error: Option<Error>,
}

impl<S: Scalar, const N: usize> StepHandler<S, N> for Output<'_, S, N> {
    fn init(&mut self, t0: S::Real, y0: &[S; N], t_bound: S::Real) {
        self.forward = t_bound >= t0;
        match self.t_eval {
            None => {
                self.t.push(t0);
                self.y.push(*y0);
            }
            Some(te) => {
                while self.next < te.len() && te[self.next] == t0 {
                    self.t.push(t0);
                    self.y.push(*y0);
                    self.next += 1;
                }
            }
        }
    }

    fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
        let t_end = step.t_end();
        match self.t_eval {
            None => {
                if self.t.last() != Some(&t_end) {
                    self.t.push(t_end);
                    self.y.push(*step.y_end());
                }
            }
            Some(te) => {
                while self.next < te.len() {
                    let tk = te[self.next];
                    let reached = if self.forward {
                        tk <= t_end
                    } else {
                        tk >= t_end
                    };
                    if !reached {
                        break;
                    }
                    match step.eval(tk) {
                        Ok(yk) => {
                            self.t.push(tk);
                            self.y.push(yk);
                        }
                        Err(e) => {
                            self.error.get_or_insert(e);
                        }
                    }
                    self.next += 1;
                }
            }
        }
    }
}

/// Runs a stepper to its bound or a terminal event, collecting output as the options ask.
fn drive<S, E, St, const N: usize, const M: usize>(
    mut st: St,
    events: E,
    options: &Options<S::Real, N>,
) -> Result<OdeResult<S, N>, Error>
where
    S: Scalar,
    E: EventSet<N, M, S>,
    St: Stepper<S, N>,
{
    let mut tracker = EventTracker::new(events, &st)?.max_occurrences(options.max_events);
    let mut output = Output {
        t_eval: options.t_eval.as_deref(),
        next: 0,
        forward: true,
        t: Vec::new(),
        y: Vec::new(),
        error: None,
    };
    let mut sol = options.dense_output.then(DenseSolution::new);
    let mut t_events: Vec<Vec<S::Real>> = (0..M).map(|_| Vec::new()).collect();
    let mut y_events: Vec<Vec<[S; N]>> = (0..M).map(|_| Vec::new()).collect();
    let ran = run_tracked(
        &mut st,
        &mut tracker,
        &mut (&mut output, &mut sol),
        &mut |occ| {
            t_events[occ.event].push(occ.t);
            y_events[occ.event].push(occ.y);
        },
    );
    let ran = match (ran, output.error) {
        (Ok(_), Some(e)) => Err(e),
        (r, _) => r,
    };
    let stats = st.stats();
    let (status, mut message, error) = match ran {
        Ok(Ending::Finished) => (
            Status::Finished,
            "The solver successfully reached the end of the integration interval.".to_string(),
            None,
        ),
        Ok(Ending::Terminated { .. }) => (
            Status::Terminated,
            "A termination event occurred.".to_string(),
            None,
        ),
        Err(e) => (Status::Failed, e.to_string(), Some(e)),
    };
    if stats.rtol_raised {
        message.push_str(" (rtol was below 100·ε and was raised to 100·ε.)");
    }
    Ok(OdeResult {
        t: output.t,
        y: output.y,
        sol,
        stats,
        t_events,
        y_events,
        status,
        message,
        success: status != Status::Failed,
        error,
        linear_solver: None,
    })
}
