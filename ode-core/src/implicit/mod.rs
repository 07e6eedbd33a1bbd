//! Implicit methods for stiff problems.
//!
//! - [`Radau5`]: Radau IIA of order 5, Hairer & Wanner's RADAU5 (*Solving ODEs II*, IV.8);
//! - [`Bdf`]: variable-order (1–5) numerical differentiation formulas with quasi-constant step
//!   size (Shampine & Reichelt, *The MATLAB ODE Suite*, 1997), SciPy's `BDF`.
//!
//! Both take their Jacobian from [`OdeSystem::newton_jacobian`](crate::OdeSystem::newton_jacobian)
//! (analytic for `#[ode_system]` systems; see [`crate::jacobian`] for the other sources),
//! factor their iteration matrices with the stack LU of [`crate::linalg`], count every
//! Jacobian (`njev`) and factorisation (`nlu`), and keep everything in fixed-size arrays:
//! a step allocates nothing.

mod bdf;
mod radau;

pub use bdf::Bdf;
pub use radau::Radau5;
