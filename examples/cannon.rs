//! SciPy's cannon: event functions declared with the system and located by the driver.
//!
//! A cannonball fired straight up, position `x` and velocity `v`, with `x'' = −0.5`:
//!
//! ```text
//! x' = v,  v' = −0.5,   (x, v)(0) = (0, 10)
//! ```
//!
//! and two event functions, `hit_ground` (`x = 0` while falling, terminal) and `apex`
//! (`v = 0`), as in the `solve_ivp` documentation of SciPy. The exact solution
//! `x = 10 t − t²/4`, `v = 10 − t/2` puts the apex at `t = 20` with `x = 100` and the impact at
//! `t = 40` with `v = −10`.
//!
//! This example
//!
//! 1. declares the system and its events with
//!    `#[ode_system(events(hit_ground(direction = falling, terminal), apex))]` and prints the
//!    generated event metadata (`CannonEvents::NAMES`, directions, terminal counts, actions);
//! 2. solves with `solve_ivp_with_events` for every adaptive method and prints `t_events`,
//!    `y_events` and their errors against the exact values, with the work counters;
//! 3. does the same with the allocation-free `run` driver and a `StepNormalizer` that reports
//!    the height every 5 time units, without touching the heap.
//!
//! Run it with
//!
//! ```sh
//! cargo run --release --example cannon
//! ```

use odegen::prelude::*;
use std::error::Error as StdError;

/// Events are zero-crossing functions declared with the system.
#[ode_system(events(hit_ground(direction = falling, terminal), apex))]
fn cannon(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -0.5]
}
fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}

/// The number of event functions.
const M: usize = CannonEvents::NAMES.len();
const Y0: [f64; 2] = [0.0, 10.0];
/// Past the impact, so that the terminal event is what stops the integration.
const T_BOUND: f64 = 50.0;
/// The exact event times and states (SciPy's `solve_ivp` documentation).
const EXACT: [(f64, [f64; 2]); M] = [(40.0, [0.0, -10.0]), (20.0, [100.0, 0.0])];

fn main() -> Result<(), Box<dyn StdError>> {
    let events = Cannon.events();

    // 1. What the macro generated for the events.
    println!("SciPy's cannon: x'' = -0.5, (x, v)(0) = {Y0:?}");
    println!();
    println!(
        "#[ode_system(events(hit_ground(direction = falling, terminal), apex))] generated CannonEvents:"
    );
    println!(
        "{:>3} {:<11} {:<10} {:<9} action",
        "k", "NAMES[k]", "direction", "terminal"
    );
    for k in 0..M {
        println!(
            "{k:>3} {:<11} {:<10} {:<9} {:?}",
            CannonEvents::NAMES[k],
            format!("{:?}", events.direction(k)),
            format!("{:?}", events.terminal(k)),
            events.action(k),
        );
    }

    // 2. The driver locates the events.
    println!();
    println!("solve_ivp_with_events over (0, {T_BOUND}), rtol = 1e-8, atol = 1e-10:");
    println!(
        "{:<13} {:<11} {:>20} {:>9} {:>20} {:>20} {:>9} {:>6} {:>6}",
        "method", "event", "t", "t error", "x", "v", "y error", "steps", "nfev"
    );
    for method in [
        Method::Rk23,
        Method::Rk45,
        Method::Tsit5,
        Method::HighamHall54,
        Method::Dop853,
    ] {
        let sol = solve_ivp_with_events(
            &Cannon,
            (0.0, T_BOUND),
            Y0,
            Options::new(method).rtol(1e-8).atol(1e-10),
            Cannon.events(),
        )?
        .into_result()?;
        assert_eq!(sol.status, Status::Terminated);
        for (k, &(t_exact, y_exact)) in EXACT.iter().enumerate() {
            for (t, y) in sol.t_events[k].iter().zip(&sol.y_events[k]) {
                let y_err = (y[0] - y_exact[0]).abs().max((y[1] - y_exact[1]).abs());
                println!(
                    "{:<13} {:<11} {:>20.15} {:>9.1e} {:>20.15} {:>20.15} {:>9.1e} {:>6} {:>6}",
                    method.to_string(),
                    CannonEvents::NAMES[k],
                    t,
                    t - t_exact,
                    y[0],
                    y[1],
                    y_err,
                    sol.stats.n_accepted,
                    sol.stats.nfev
                );
            }
        }
    }
    println!("exact: apex at t = 20 with x = 100, hit_ground at t = 40 with v = -10.");

    // 3. The same without the heap: `run` with a step normaliser writing into an array.
    let mut heights = [(0.0, 0.0); 16];
    let mut n_heights = 0;
    let mut found = [(0usize, 0.0); 4];
    let mut n_found = 0;
    let ending = {
        let mut every_5 = StepNormalizer::new(
            5.0,
            NormalizerMode::Multiples,
            NormalizerBounds::Both,
            |t: f64, y: &[f64; 2], _last: bool| {
                if n_heights < heights.len() {
                    heights[n_heights] = (t, y[0]);
                    n_heights += 1;
                }
            },
        )?;
        let mut st = Dop853::new(Cannon, 0.0, Y0, T_BOUND, Tolerances::new(1e-10, 1e-12))?;
        run(&mut st, Cannon.events(), &mut every_5, &mut |occ| {
            if n_found < found.len() {
                found[n_found] = (occ.event, occ.t);
                n_found += 1;
            }
        })?
    };
    println!();
    println!("run(Dop853, CannonEvents, StepNormalizer every 5) ended: {ending:?}");
    for &(k, t) in &found[..n_found] {
        println!("  {} at t = {t:.15}", CannonEvents::NAMES[k]);
    }
    println!("  height every 5 time units (exact: 10 t - t²/4):");
    for &(t, x) in &heights[..n_heights] {
        println!(
            "  t = {t:>5.1}  x = {x:>20.15}  error {:.1e}",
            x - (10.0 * t - t * t / 4.0)
        );
    }
    Ok(())
}
