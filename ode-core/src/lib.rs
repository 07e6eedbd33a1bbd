//! # ode-core
//!
//! The integrators of odegen: explicit Runge–Kutta and implicit stiff methods over statically sized systems
//! `dy/dt = f(t, y)`, `y ∈ S^N`, that step without touching the heap.
//!
//! - [`system`]: the [`OdeSystem`] trait and the capabilities the `#[ode_system]` macro and
//!   the stiff solvers build on ([`Jacobian`], [`Sparsity`], [`ParamJacobian`], [`EventSet`]);
//! - [`scalar`]: the state may be `f64`, `f32`, complex or (feature `num-dual`) dual numbers;
//! - [`tableau`]: Butcher tableaux as constant data;
//! - [`explicit`]: the explicit steppers; [`implicit`]: the stiff solvers [`Radau5`] and
//!   [`Bdf`], with their Jacobian sources ([`jacobian`]) and stack LU ([`linalg`]);
//! - [`control`]: error norm, initial step and controllers;
//! - [`finite_diff`]: Jacobians by central differences grouped by a column colouring;
//! - [`events`]: zero crossings located on the dense output, with their actions;
//!   [`handler`]: step handlers and the step normaliser; [`run`]: the allocation-free driver;
//! - [`dense`]: continuous output; [`solve`] (feature `alloc`): the `solve_ivp` driver.
//!
//! Without default features the crate is `#![no_std]` and needs no allocator.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Kernels loop over state components by index: `for i in 0..N { out[i] = y[i] + h * k[i] }`
// reads like the formula it implements, which iterator chains over several arrays do not.
#![allow(clippy::needless_range_loop)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[macro_use]
mod methods;
pub mod control;
pub mod dense;
mod drive;
pub mod error;
pub mod events;
pub mod explicit;
pub mod finite_diff;
pub mod handler;
pub mod implicit;
mod integrator;
pub mod jacobian;
pub mod linalg;
pub mod scalar;
#[cfg(feature = "alloc")]
pub mod solve;
pub mod stepper;
pub mod system;
pub mod tableau;
#[cfg(test)]
mod test_rng;

pub use control::{Atol, Controller, Tolerances};
#[cfg(feature = "alloc")]
pub use dense::DenseSolution;
pub use drive::{run, run_tracked, Ending};
pub use error::Error;
pub use events::{EventOutcome, EventTracker, NoEvents, Occurrence};
// Every stepper of the method table, and the families and names beside it.
method_table!(reexport_methods);
pub use explicit::{EmbeddedRk, FixedRk, Rk45};
pub use handler::{
    FixedStepHandler, FnHandler, NormalizerBounds, NormalizerMode, StepHandler, StepNormalizer,
    StepView,
};
pub use implicit::{RadauIIA, Rosenbrock};
pub use integrator::Settings;
pub use scalar::{Real, Scalar};
#[cfg(feature = "alloc")]
pub use solve::{
    solve_ivp, solve_ivp_with_events, LinearSolverKind, Method, OdeResult, Options, Status,
};
pub use stepper::{Stats, Stepper};
pub use system::{
    Direction, EventAction, EventSet, Jacobian, JacobianKind, JacobianStructure, OdeSystem,
    ParamJacobian, Sparsity, TimeDependence, TimeDerivative,
};

pub use num_complex;
#[cfg(feature = "num-dual")]
pub use num_dual;
/// `num_traits`, whose `Float` gives `f64` its elementary functions without `std` (by `libm`).
pub use num_traits;
