//! Proof that `odegen` builds and integrates without `std` and without an allocator, with
//! `#[ode_system]` systems and their events, explicit and implicit methods alike.
//!
//! This crate is `#![no_std]` and depends on `odegen` with default features off; the test
//! `tests/no_std.rs` of the workspace root builds it on its own, so that no other member's
//! features leak in, and also for a bare-metal target when one is installed.
#![no_std]
#![forbid(unsafe_code)]

use odegen::prelude::*;
use odegen::{Error, EventSet};

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

/// A ball dropped from 10 m under `g = 9.81`, bouncing with restitution 0.8.
pub struct Ball;

impl OdeSystem<2> for Ball {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -9.81];
    }
}

/// The floor: `x = 0` falling, the velocity reversed and scaled by 0.8, terminal at the
/// `bounces`-th occurrence.
pub struct Floor {
    /// The occurrence that stops the integration.
    pub bounces: u32,
}

impl EventSet<2, 1> for Floor {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
    fn direction(&self, _k: usize) -> Direction {
        Direction::Falling
    }
    fn terminal(&self, _k: usize) -> Option<u32> {
        Some(self.bounces)
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetState
    }
    fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 2]) {
        y[1] *= -0.8;
    }
}

/// Bounces the ball with the allocation-free driver until the third bounce, writing the bounce
/// times into an array and the height every 0.5 s into another through a step normaliser.
/// Returns the bounce times and how many heights were written.
pub fn bounce_times() -> Result<([f64; 3], usize), Error> {
    let mut times = [0.0; 3];
    let mut heights = [0.0; 32];
    let mut n_heights = 0;
    let mut st = Dop853::new(Ball, 0.0, [10.0, 0.0], 100.0, Tolerances::new(1e-10, 1e-12))?;
    let ending = {
        let mut every_half = StepNormalizer::new(
            0.5,
            NormalizerMode::Increment,
            NormalizerBounds::Both,
            |_t: f64, y: &[f64; 2], _last: bool| {
                if n_heights < heights.len() {
                    heights[n_heights] = y[0];
                    n_heights += 1;
                }
            },
        )?;
        run(&mut st, Floor { bounces: 3 }, &mut every_half, &mut |occ| {
            times[occ.count as usize - 1] = occ.t;
        })?
    };
    match ending {
        Ending::Terminated { .. } => Ok((times, n_heights)),
        Ending::Finished => Err(Error::InvalidOption {
            what: "the ball should have bounced three times",
        }),
    }
}

/// The stiffness of [`prothero_robinson`].
pub const LAMBDA: f64 = 1.0e3;

/// Prothero and Robinson's stiff test equation (A. Prothero, A. Robinson, *Math. Comp.* 28
/// (1974) 145–162), `y' = −λ (y − sin t) + cos t`, exact `y = sin t` from `y(0) = 0`, with a
/// decaying companion `z' = −z`; the event `y = 0` falling (at `t = π`) ends the integration.
/// Its body calls `sin` and `cos`, which `no_std` gets through `libm`.
#[ode_system(events(descent(direction = falling, terminal)))]
pub fn prothero_robinson(t: f64, [y, z]: [f64; 2]) -> [f64; 2] {
    [-LAMBDA * (y - t.sin()) + t.cos(), -z]
}
/// `y`: zero at `t = kπ`.
pub fn descent(_t: f64, [y, _z]: [f64; 2]) -> f64 {
    y
}

/// Integrates [`prothero_robinson`] from `(0, 1)` with `stepper` until its event, with the
/// allocation-free driver; returns the event time and the number of accepted steps.
fn until_descent<St: Stepper<f64, 2>>(mut st: St) -> Result<(f64, usize), Error> {
    let mut t_event = f64::NAN;
    let ending = run(&mut st, ProtheroRobinson.events(), &mut (), &mut |occ| {
        t_event = occ.t
    })?;
    match ending {
        Ending::Terminated { .. } => Ok((t_event, st.stats().n_accepted)),
        Ending::Finished => Err(Error::InvalidOption {
            what: "the descent event should have ended the integration",
        }),
    }
}

/// The event time of [`prothero_robinson`] (exactly `π`) with DOP853, Radau5, BDF and Rodas5P
/// (which needs the system's symbolic `∂f/∂t`), and each method's number of accepted steps.
pub fn descent_times() -> Result<[(f64, usize); 4], Error> {
    let tol = Tolerances::new(1e-8, 1e-10);
    let (t0, y0, t1) = (0.0, [0.0, 1.0], 10.0);
    Ok([
        until_descent(Dop853::new(ProtheroRobinson, t0, y0, t1, tol)?)?,
        until_descent(Radau5::new(ProtheroRobinson, t0, y0, t1, tol)?)?,
        until_descent(Bdf::new(ProtheroRobinson, t0, y0, t1, tol)?)?,
        until_descent(Rodas5P::new(ProtheroRobinson, t0, y0, t1, tol)?)?,
    ])
}

/// The heat equation `u_t = u_xx` on 64 interior points (`h = 1/65`, zero boundary values),
/// its loop kept rolled in the generated Jacobian.
#[ode_system(loops = rolled)]
pub fn heat64(_t: f64, u: [f64; 64]) -> [f64; 64] {
    let mut d = [0.0; 64];
    for i in 0..64 {
        let left = if i > 0 { u[i - 1] } else { 0.0 };
        let right = if i < 63 { u[i + 1] } else { 0.0 };
        d[i] = (left - 2.0 * u[i] + right) * 4225.0;
    }
    d
}

/// Integrates [`heat64`] from `u0` to `t1` with Rodas5P over the compile-time sparse LU (the
/// factors' structure generated by the macro): no allocator anywhere.
pub fn heat_rolled(u0: [f64; 64], t1: f64) -> Result<[f64; 64], Error> {
    type Lu = odegen::implicit::StaticSparseLu<f64, 64, Heat64, { Heat64::LU_NNZ }>;
    let settings = Settings::new(Tolerances::new(1e-8, 1e-10));
    let mut st = Rodas5P::<_, 64, f64, Lu>::with_solver(Heat64, 0.0, u0, t1, settings)?;
    while !st.is_finished() {
        st.step()?;
    }
    Ok(*st.y())
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

    /// Bounce times against the closed form `t_1 = √(2h/g)`, each flight after a bounce
    /// `2 e^n v_1/g` long, `v_1 = g t_1`.
    #[test]
    fn bounces_without_std() {
        let (times, n_heights) = super::bounce_times().unwrap();
        let t1 = std::primitive::f64::sqrt(20.0 / 9.81);
        let exact = [t1, t1 + 1.6 * t1, t1 + 1.6 * t1 + 1.28 * t1];
        for (t, e) in times.iter().zip(exact) {
            assert!((t - e).abs() < 1e-9, "{t} vs {e}");
        }
        // 0, 0.5, ..., 5.5 before the third bounce at t = 3.88 t_1 ≈ 5.54, then the bounce itself.
        assert_eq!(n_heights, 13);
    }

    /// The event at `t = π` with an explicit and two implicit methods; the implicit ones take
    /// far fewer steps on this stiff problem.
    #[test]
    fn stiff_macro_system_with_events_without_std() {
        let [dop853, radau5, bdf, rodas5p] = super::descent_times().unwrap();
        for (t, _) in [dop853, radau5, bdf, rodas5p] {
            assert!((t - core::f64::consts::PI).abs() < 1e-6, "t = {t}");
        }
        assert!(radau5.1 * 10 < dop853.1, "{radau5:?} {dop853:?}");
        assert!(bdf.1 * 3 < dop853.1, "{bdf:?} {dop853:?}");
        assert!(rodas5p.1 * 10 < dop853.1, "{rodas5p:?} {dop853:?}");
    }

    /// The slowest mode `sin(π x_i)` decays with the semi-discrete eigenvalue
    /// `λ = −4 (N + 1)² sin²(π / (2 (N + 1)))` exactly.
    #[test]
    fn rolled_macro_system_over_the_compile_time_sparse_lu_without_std() {
        use std::primitive::f64 as F;
        let h = 1.0 / 65.0;
        let pi = core::f64::consts::PI;
        let u0: [f64; 64] = core::array::from_fn(|i| F::sin(pi * (i + 1) as f64 * h));
        let lambda = -4.0 / (h * h) * F::powi(F::sin(pi * h / 2.0), 2);
        let t1 = 0.01;
        let u = super::heat_rolled(u0, t1).unwrap();
        for (ui, u0i) in u.iter().zip(u0) {
            let exact = u0i * F::exp(lambda * t1);
            assert!((ui - exact).abs() < 1e-7, "{ui} vs {exact}");
        }
    }
}
