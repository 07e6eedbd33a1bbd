//! Proof that `ode-core` builds and integrates without `std` and without an allocator.
//!
//! This crate is `#![no_std]` and depends on `ode-core` with default features off; the test
//! `tests/no_std.rs` of the workspace root builds it on its own, so that no other member's
//! features leak in.
#![no_std]
#![forbid(unsafe_code)]

use ode_core::{Dop853, Error, OdeSystem, Stepper, Tolerances};

/// The harmonic oscillator `x'' = −x`.
pub struct Oscillator;

impl OdeSystem<2> for Oscillator {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -y[0]];
    }
}

/// Integrates the oscillator from `(0, 1)` over `[0, t_end]` with DOP853 and returns
/// `x(t_end)` (exactly `sin t_end`) and the number of steps.
pub fn oscillator_position(t_end: f64) -> Result<(f64, usize), Error> {
    let mut rk = Dop853::new(
        Oscillator,
        0.0,
        [0.0, 1.0],
        t_end,
        Tolerances::new(1e-10, 1e-12),
    )?;
    while !rk.is_finished() {
        rk.step()?;
    }
    Ok((rk.y()[0], rk.stats().n_accepted))
}

#[cfg(test)]
mod tests {
    extern crate std;

    #[test]
    fn integrates_without_std() {
        let (x, steps) = super::oscillator_position(3.0).unwrap();
        assert!(
            (x - std::primitive::f64::sin(3.0)).abs() < 1e-9,
            "x(3) = {x}"
        );
        assert!(steps > 1);
    }
}
