//! # odegen
//!
//! Initial value problems `dy/dt = f(t, y)`, `y(t0) = y0` for statically sized systems:
//! explicit Runge–Kutta methods (fixed step, and adaptive RK23, RK45, Higham–Hall 5(4), Tsit5,
//! DOP853) and implicit methods for stiff problems ([`Radau5`], Hairer's RADAU5;
//! [`AdaptiveRadau`], Hairer's variable-order RADAU; [`Bdf`], variable-order NDF/BDF; the
//! Rosenbrock methods [`Rodas5P`], [`Rodas4`] and [`Rosenbrock23`]) that step without heap allocation, and a [`solve_ivp`] driver with
//! SciPy's semantics.
//!
//! ```
//! use odegen::prelude::*;
//!
//! /// The Lotka–Volterra equations of SciPy's documentation.
//! struct LotkaVolterra { a: f64, b: f64, c: f64, d: f64 }
//! impl OdeSystem<2> for LotkaVolterra {
//!     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
//!         let [x, p] = *y;
//!         *dy = [self.a * x - self.b * x * p, -self.c * p + self.d * x * p];
//!     }
//! }
//!
//! let lv = LotkaVolterra { a: 1.5, b: 1.0, c: 3.0, d: 1.0 };
//! let sol = solve_ivp(&lv, (0.0, 15.0), [10.0, 5.0],
//!                     Options::new(Method::Rk45).rtol(1e-8).dense_output(true))?;
//! assert!(sol.success);
//! let mid = sol.sol.as_ref().unwrap().eval(7.5)?;
//! assert!(mid[0] > 0.0 && mid[1] > 0.0);
//! # Ok::<(), odegen::Error>(())
//! ```
//!
//! ## Stiff problems
//!
//! `Method::Radau`, `Method::AdaptiveRadau`, `Method::Bdf`, `Method::Rodas5P`,
//! `Method::Rodas4` and `Method::Rosenbrock23` in [`solve_ivp`], or the [`Radau5`],
//! [`AdaptiveRadau`], [`Bdf`], [`Rodas5P`], [`Rodas4`] and [`Rosenbrock23`] steppers. The
//! Rosenbrock methods also take `∂f/∂t` from [`OdeSystem::newton_time_derivative`]: symbolic
//! for [`ode_system`](macro@ode_system) systems, a forward difference in `t` otherwise.
//! They take the Jacobian from [`OdeSystem::newton_jacobian`]: the analytic one for
//! [`ode_system`](macro@ode_system) systems, forward differences for hand-written ones unless
//! wrapped ([`jacobian`] lists the sources and their costs). The README's "Which method?"
//! compares them with the explicit methods on measured problems.
//!
//! ```
//! use odegen::prelude::*;
//!
//! /// Van der Pol's oscillator: stiff for large μ.
//! #[ode_system]
//! fn van_der_pol(_t: f64, [x, v]: [f64; 2], mu: f64) -> [f64; 2] {
//!     [v, mu * (1.0 - x * x) * v - x]
//! }
//! let vdp = VanDerPol { mu: 1000.0 };
//!
//! let sol = solve_ivp(&vdp, (0.0, 2000.0), [2.0, 0.0],
//!                     Options::new(Method::Radau).rtol(1e-6).atol(1e-6))?
//!     .into_result()?;
//! // Van der Pol μ = 1000 at t = 2000 (Test Set for IVP Solvers 2.4, problem VDPOL).
//! let y = sol.y.last().unwrap();
//! assert!((y[0] - 1.706167732170469).abs() < 1e-4);
//! assert!(sol.stats.n_accepted < 1000 && sol.stats.njev > 0 && sol.stats.nlu > 0);
//!
//! // Allocation-free stepping, as with the explicit methods.
//! let mut bdf = Bdf::new(&vdp, 0.0, [2.0, 0.0], 2000.0,
//!                        Settings::new(Tolerances::new(1e-6, 1e-6)))?;
//! while !bdf.is_finished() {
//!     bdf.step()?;
//! }
//! assert!((bdf.y()[0] - 1.706167732170469).abs() < 1e-3);
//! # Ok::<(), odegen::Error>(())
//! ```
//!
//! The crate re-exports [`ode_core`] (the integrators).
//!
//! ## Without `std`
//!
//! With `default-features = false` the crate is `#![no_std]` and needs no allocator:
//! `#[ode_system]` systems, their events and every stepper (`Dop853`, `Radau5`, `Bdf`, ...)
//! work on bare metal; the feature `alloc` adds [`solve_ivp`] and the continuous solution, and
//! `std` (the default) dual numbers. The generated code calls the elementary functions
//! through `num_traits::Float` (by `libm` without `std`), and the prelude brings that trait
//! into scope anonymously, so a system's body may write `x.sin()` in a `#![no_std]` crate too.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use ode_core::*;

/// Turns an annotated function into a statically sized system with an analytic Jacobian.
///
/// ```
/// use odegen::prelude::*;
///
/// /// Arguments after the state are parameters: they become the struct's fields.
/// #[ode_system]
/// fn lotka_volterra(_t: f64, [x, y]: [f64; 2], a: f64, b: f64, c: f64, d: f64) -> [f64; 2] {
///     [a * x - b * x * y, -c * y + d * x * y]
/// }
///
/// let lv = LotkaVolterra { a: 1.5, b: 1.0, c: 3.0, d: 1.0 };
/// let mut jac = [[0.0; 2]; 2];
/// lv.jacobian(0.0, &[10.0, 5.0], &mut jac);
/// assert_eq!(jac, [[1.5 - 5.0, -10.0], [5.0, -3.0 + 10.0]]);
/// assert_eq!(LotkaVolterra::PATTERN, &[(0, 0), (0, 1), (1, 0), (1, 1)]);
/// // The original function stays callable.
/// assert_eq!(lotka_volterra(0.0, [1.0, 1.0], 1.5, 1.0, 3.0, 1.0), [0.5, -2.0]);
/// ```
///
/// # Signature
/// `fn name(t: f64, y: [f64; N], p1: f64, ...) -> [f64; N]` with a literal `N`. The state is a
/// name (`y`, read as `y[i]`) or an array pattern (`[x, v]`); the arguments after it are
/// parameters, each `f64` or an array `k: [f64; M]` with a literal `M` (read as `k[i]`; a
/// field `k: [f64; M]` of the struct, its elements named `k[0]`, … in `PARAMS` and one column
/// each of `∂f/∂p`). The macro keeps the function and adds, in the same module:
///
/// - `struct Name` (`snake_case` → `CamelCase`) with the parameters as `pub` fields, the
///   function's doc comments and visibility; `Name::new(...)`, `params()`, `from_params(...)`,
///   and the constants `N`, `PARAMS` (names) and `NNZ`;
/// - [`OdeSystem<N>`] (the right-hand side calls the function);
/// - [`Jacobian<N>`]: `jacobian` and the fused `rhs_and_jacobian`, generated from a hash-consed
///   expression graph (constants folded, structural zeros removed, common subexpressions
///   computed once), and `jacobian_nonzeros` (the non-zeros only, in pattern order);
/// - [`Sparsity<N>`]: `PATTERN` (row-major `(row, column)` non-zeros), and a Curtis–Powell–Reid
///   colouring `COLORS`, `N_COLORS` of the columns;
/// - [`ParamJacobian<N, P>`]: `∂f/∂p`, for sensitivities;
/// - with `events(...)`, `NameEvents` implementing [`EventSet<N, M>`] (see below).
///
/// # What the body may contain
/// `let` bindings (also `let [a, b] = ...`), `y[i]` with `i` known at expansion time,
/// `+ - * /`, unary minus, float and integer literals, `f64` constants (`PI`, `E`, ...,
/// `f64::EPSILON`) and constants of your own written in capitals, also constant arrays read
/// with indices known at expansion time (`RATES[i]`, `K[i][j]`), the methods `powi` (exponent
/// known at expansion time), `powf`, `sqrt`, `cbrt`, `exp`, `exp2`, `exp_m1`, `ln`, `ln_1p`,
/// `log`, `log10`, `log2`, `sin`, `cos`, `tan`, `asin`, `acos`, `atan`, `atan2`, `sinh`, `cosh`,
/// `tanh`, `abs`, `signum`, `min`, `max`, `hypot`, `recip`, `mul_add`, `to_degrees`,
/// `to_radians` (also as `f64::sin(x)`), `if`/`else` over comparisons and `&&`, `||`, `!`
/// (each branch is differentiated; the pattern is the union), and `for` loops over ranges with
/// literal bounds, with `let mut` locals and local arrays updated by `=`, `+=`,
/// `-=`, `*=`, `/=`; loop indices work in index arithmetic (`y[j + 1]`, `(j + 1) % 3`) and as
/// numbers (`(j + 1) as f64`).
///
/// # Loops at PDE scale
/// In systems of 64 components or more (`loops = auto`, the default), a loop whose body writes
/// the returned array at indices computed from loop indices (`d[i * n + j] = …`, `d[i] += …`)
/// **stays a loop** in the generated Jacobian, `∂f/∂p` and `∂f/∂t`: its body is lowered and
/// differentiated once with the index symbolic, conditions on indices (`if i > 0`) split the
/// range into runs (`0..1`, `1..n`) each emitted as a loop, and the pattern, the colouring and
/// the position of every derivative in the pattern are computed at expansion time by walking the
/// iterations with integer arithmetic (out-of-bounds indices are reported there, with the
/// iteration). The generated code then grows with the number of loops, not with `N`: the 64 × 64
/// two-species Brusselator (`N = 8192`) expands in 0.75 s and builds, release, in about 5 s and
/// 0.5 GB. Bodies that cannot stay rolled are unrolled under the budget below: a local carried
/// from one iteration to the next (`s += y[i]` into an `s` declared before the loop; short such
/// loops are unrolled inside a rolled body), the output array read back after a loop wrote it,
/// or written under a condition on the state. `loops = rolled` makes that an error naming the
/// reason; `loops = unrolled` always unrolls (one statement per non-zero, fastest for small
/// systems).
///
/// ```
/// use odegen::prelude::*;
///
/// /// The heat equation on 500 points; zero boundary values.
/// #[ode_system(loops = rolled)]
/// fn heat(_t: f64, u: [f64; 500]) -> [f64; 500] {
///     let mut d = [0.0; 500];
///     for i in 0..500 {
///         let left = if i > 0 { u[i - 1] } else { 0.0 };
///         let right = if i < 499 { u[i + 1] } else { 0.0 };
///         d[i] = (left - 2.0 * u[i] + right) * 251001.0;
///     }
///     d
/// }
/// assert_eq!(Heat::NNZ, 3 * 500 - 2);
/// assert_eq!(Heat::N_COLORS, 3);
/// let mut v = [0.0; Heat::NNZ];
/// Heat.jacobian_nonzeros(0.0, &[1.0; 500], &mut v);
/// assert_eq!(&v[..5], &[-502002.0, 251001.0, 251001.0, -502002.0, 251001.0]);
/// ```
///
/// ```
/// use odegen::prelude::*;
///
/// /// A linear chain of first-order reactions A₀ → A₁ → … with rate `k`.
/// #[ode_system]
/// fn chain(_t: f64, y: [f64; 4], k: f64) -> [f64; 4] {
///     let mut dy = [0.0; 4];
///     for i in 0..4 {
///         if i < 3 { dy[i] -= k * y[i]; }
///         if i > 0 { dy[i] += k * y[i - 1]; }
///     }
///     dy
/// }
/// assert_eq!(Chain::NNZ, 6);
/// assert_eq!(Chain::N_COLORS, 2);
/// let mut dfdk = [[0.0; 1]; 4];
/// Chain { k: 2.0 }.param_jacobian(0.0, &[1.0, 2.0, 3.0, 4.0], &mut dfdk);
/// assert_eq!(dfdk, [[-1.0], [1.0 - 2.0], [2.0 - 3.0], [3.0]]);
/// ```
///
/// Anything else is a compile error at its span that names the construct and the way out.
///
/// # Budget
/// The macro measures what it would generate before it generates it: more than 40 000
/// non-zeros plus expression nodes of the analytic Jacobian (a dense system of about 110
/// components; a dense 300-component system took rustc 5.6 min and 14 GB), or more than
/// 250 000 structural non-zeros in any mode, is a compile error at the function's name that
/// names the way out (`jacobian = fd`, or a plain `impl OdeSystem`), in seconds.
///
/// # Options
/// - `jacobian = dual`: the Jacobian and `∂f/∂p` by forward-mode automatic differentiation
///   with num-dual, over a copy of the function in which `f64` is `Dual64` (functions it calls
///   must accept `Dual64`); one pass per column. Needs the default feature `std`.
/// - `jacobian = fd`: central finite differences, one pair of evaluations per colour.
/// - `loops = auto | rolled | unrolled`: see [Loops at PDE scale](#loops-at-pde-scale).
///
/// In both, the sparsity pattern comes from the symbolic analysis if the body allows it and is
/// dense otherwise; unsupported code is then no error.
///
/// # Events
/// `#[ode_system(events(hit_ground(direction = falling, terminal), apex))]` declares event
/// functions defined beside the system, taking the time and the state and either all the
/// system's parameters or none (`fn apex(t: f64, y: [f64; N]) -> f64`), with an `f64`
/// result. Per event:
/// `direction = rising | falling | both` (default both), `terminal` (stop at the first
/// occurrence) or `terminal = n`, `action = continue | stop | reset_state |
/// reset_derivatives`, `reset = f` with `fn f(t, y) -> [f64; N]` or `fn f(t, y, params...)
/// -> [f64; N]` (implies
/// `reset_state`).
///
/// ```
/// use odegen::prelude::*;
///
/// #[ode_system(events(hit_ground(direction = falling, terminal), apex))]
/// fn cannon(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] { [v, -0.5] }
/// fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 { x }
/// fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 { v }
///
/// let events = Cannon.events();
/// let mut g = [0.0; 2];
/// events.values(0.0, &[3.0, -1.0], &mut g);
/// assert_eq!(g, [3.0, -1.0]);
/// assert_eq!(events.direction(0), Direction::Falling);
/// assert_eq!(events.terminal(0), Some(1));
/// assert_eq!(CannonEvents::NAMES, ["hit_ground", "apex"]);
///
/// // The driver locates them on the dense output (see `ode_core::events`).
/// let sol = solve_ivp_with_events(&Cannon, (0.0, 100.0), [0.0, 10.0],
///                                 Options::new(Method::Dop853).rtol(1e-10), events)?;
/// assert_eq!(sol.status, Status::Terminated);
/// assert!((sol.t_events[0][0] - 40.0).abs() < 1e-12);
/// assert!((sol.y_events[1][0][0] - 100.0).abs() < 1e-9);
/// # Ok::<(), odegen::Error>(())
/// ```
pub use ode_macros::ode_system;

/// What the code `#[ode_system]` generates refers to; not a public interface.
#[doc(hidden)]
pub mod __private {
    pub use ode_core;
    #[cfg(feature = "std")]
    pub use ode_core::num_dual::{Dual64, DualNum};
    pub use ode_core::num_traits::Float;

    /// Methods of `f64` that num-dual's `Dual64` lacks, for the `jacobian = dual` copy.
    #[cfg(feature = "std")]
    pub trait DualExt: Sized {
        /// `f64::max`: the larger value, with its derivative.
        fn max(self, other: Self) -> Self;
        /// `f64::min`: the smaller value, with its derivative.
        fn min(self, other: Self) -> Self;
        /// `f64::hypot`: `√(a² + b²)` without overflow.
        fn hypot(self, other: Self) -> Self;
        /// `f64::abs`, derivative `sign(x)`.
        fn abs(self) -> Self;
        /// `f64::signum`, derivative zero.
        fn signum(self) -> Self;
        /// `f64::to_degrees`.
        fn to_degrees(self) -> Self;
        /// `f64::to_radians`.
        fn to_radians(self) -> Self;
    }

    #[cfg(feature = "std")]
    impl DualExt for Dual64 {
        fn max(self, other: Self) -> Self {
            if self.re >= other.re {
                self
            } else {
                other
            }
        }
        fn min(self, other: Self) -> Self {
            if self.re <= other.re {
                self
            } else {
                other
            }
        }
        fn hypot(self, other: Self) -> Self {
            let h = self.re.hypot(other.re);
            Dual64::new(h, (self.re * self.eps + other.re * other.eps) / h)
        }
        fn abs(self) -> Self {
            if self.re.is_sign_negative() {
                Dual64::new(-self.re, -self.eps)
            } else {
                self
            }
        }
        fn signum(self) -> Self {
            Dual64::new(self.re.signum(), 0.0)
        }
        fn to_degrees(self) -> Self {
            self * (180.0 / core::f64::consts::PI)
        }
        fn to_radians(self) -> Self {
            self * (core::f64::consts::PI / 180.0)
        }
    }
}

/// The names most programs need.
pub mod prelude {
    pub use ode_core::num_traits::Float as _;
    pub use ode_core::{
        run, AdaptiveRadau, Bdf, Direction, Dop853, Dopri5, Ending, Error, Euler, EventAction,
        EventOutcome, EventSet, EventTracker, FixedStepHandler, FnHandler, Gill, HighamHall54,
        Jacobian, JacobianKind, Luther, Midpoint, NoEvents, NormalizerBounds, NormalizerMode,
        Occurrence, OdeSystem, ParamJacobian, Radau5, Rk23, Rk4, Rk45, Rkf45, Rodas4, Rodas5P,
        Rosenbrock23, Settings, Sparsity, StepHandler, StepNormalizer, StepView, Stepper,
        ThreeEighths, TimeDerivative, Tolerances, Tsit5,
    };
    #[cfg(feature = "alloc")]
    pub use ode_core::{
        solve_ivp, solve_ivp_with_events, DenseSolution, Method, OdeResult, Options, Status,
    };
    pub use ode_macros::ode_system;
}
