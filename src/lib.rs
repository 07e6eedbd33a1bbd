//! # odegen
//!
//! Initial value problems `dy/dt = f(t, y)`, `y(t0) = y0` for statically sized systems:
//! explicit Runge–Kutta methods (fixed step, and adaptive RK23, RK45, Higham–Hall 5(4), Tsit5,
//! DOP853) that step without heap allocation, and a [`solve_ivp`] driver with SciPy's
//! semantics.
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
//! The crate re-exports [`ode_core`] (the integrators, `no_std` without default features).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use ode_core::*;

/// The names most programs need.
pub mod prelude {
    pub use ode_core::{
        solve_ivp, Dop853, Dopri5, Error, Euler, Gill, HighamHall54, Luther, Method, Midpoint,
        OdeResult, OdeSystem, Options, Rk23, Rk4, Rk45, Settings, Status, Stepper, ThreeEighths,
        Tolerances, Tsit5,
    };
}
