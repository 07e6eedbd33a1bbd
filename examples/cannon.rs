//! SciPy's cannon: event functions declared with the system, located by hand for now.
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
//! `t = 40` with `v = −10` (the documentation's values; the workspace's shared reference
//! notes).
//!
//! This example
//!
//! 1. declares the system and its events with
//!    `#[ode_system(events(hit_ground(direction = falling, terminal), apex))]` and prints the
//!    generated event metadata (`CannonEvents::NAMES`, directions, terminal counts, actions);
//! 2. steps with the allocation-free `Dopri5` stepper, evaluates the generated
//!    `CannonEvents::values` at each step's ends, brackets sign changes in the declared
//!    direction, refines each by bisection on the step's dense output, and stops at the
//!    terminal event; it prints the times and states found with their errors.
//!
//! Step 2 is what the `solve_ivp` driver will do itself once event location lands in the core
//! (a later milestone); this example only shows that the generated event set carries what that
//! needs.
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

/// Whether event function values `g0 → g1` across a step cross zero in direction `dir`.
///
/// A crossing leaves one strict sign for the other or for zero: `g0 ≥ 0 > g1` falling,
/// `g0 ≤ 0 < g1` rising. A value that is exactly zero at `t0` therefore counts only once the
/// function moves off it in the declared direction (`hit_ground` is 0 at `t = 0` and rising,
/// so the launch is no impact).
fn crosses(dir: Direction, g0: f64, g1: f64) -> bool {
    let falling = g0 >= 0.0 && g1 < 0.0;
    let rising = g0 <= 0.0 && g1 > 0.0;
    match dir {
        Direction::Falling => falling,
        Direction::Rising => rising,
        Direction::Both => falling || rising,
    }
}

/// An event located inside a step.
struct Found {
    k: usize,
    t: f64,
    y: [f64; 2],
    bisections: u32,
}

fn main() -> Result<(), Box<dyn StdError>> {
    let events = Cannon.events();

    // 1. What the macro generated for the events.
    println!("SciPy's cannon: x'' = -0.5, (x, v)(0) = {Y0:?}");
    println!();
    println!("#[ode_system(events(hit_ground(direction = falling, terminal), apex))] generated CannonEvents:");
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
    let mut g = [0.0; M];
    events.values(0.0, &Y0, &mut g);
    println!("values at t = 0: {g:?}");

    // 2. Event location by hand. The `solve_ivp` driver will do this itself once event location
    // lands in the core (a later milestone); the loop below only uses the stepper's public
    // interface and the generated `EventSet`.
    let tol = Tolerances::new(1e-10, 1e-12);
    let mut rk = Dopri5::new(&Cannon, 0.0, Y0, T_BOUND, tol)?;
    println!();
    println!("Dopri5 (rtol = 1e-10, atol = 1e-12) from t = 0 towards {T_BOUND}:");
    println!(
        "{:>5} {:>12} {:>12} {:>24} {:>24}",
        "step", "t_prev", "t", "g(t_prev)", "g(t)"
    );
    let mut g_prev = g;
    let mut occurrences = [0u32; M];
    let mut found: Vec<Found> = Vec::new();
    let mut stop = false;
    let mut n_step = 0;
    while !stop && !rk.is_finished() {
        rk.step()?;
        n_step += 1;
        let (t0, t1) = (rk.t_prev(), rk.t());
        let mut g_new = [0.0; M];
        events.values(t1, rk.y(), &mut g_new);
        println!(
            "{n_step:>5} {t0:>12.6} {t1:>12.6} {:>24} {:>24}",
            format!("{:.4?}", g_prev),
            format!("{:.4?}", g_new)
        );

        // Every event whose sign changes across the step, located, then taken in time order
        // (two events may share one step, and a terminal one ends it).
        let mut in_step: Vec<Found> = Vec::new();
        for k in 0..M {
            if crosses(events.direction(k), g_prev[k], g_new[k]) {
                in_step.push(locate(&mut rk, &events, k, g_prev[k])?);
            }
        }
        in_step.sort_by(|a, b| a.t.total_cmp(&b.t));
        for event in in_step {
            let k = event.k;
            occurrences[k] += 1;
            let terminal = events.terminal(k).is_some_and(|n| occurrences[k] >= n);
            println!(
                "      -> {} in [{t0}, {t1}] at t = {:.15} after {} bisections{}",
                CannonEvents::NAMES[k],
                event.t,
                event.bisections,
                if terminal { " (terminal: stop)" } else { "" }
            );
            found.push(event);
            if terminal {
                stop = true;
                break;
            }
        }
        g_prev = g_new;
    }

    println!();
    println!(
        "The terminal event ends the integration at t = {} ({} accepted steps, nfev = {};",
        found.last().map_or(rk.t(), |e| e.t),
        rk.stats().n_accepted,
        rk.stats().nfev
    );
    println!(
        "    the stepper's last step reached t = {}, beyond it: the driver will cut the \
         solution at the event).",
        rk.t()
    );
    println!(
        "{:<11} {:>22} {:>9} {:>22} {:>22} {:>9}",
        "event", "t", "t error", "x", "v", "y error"
    );
    for e in &found {
        let (t_exact, y_exact) = EXACT[e.k];
        let y_err = (e.y[0] - y_exact[0]).abs().max((e.y[1] - y_exact[1]).abs());
        println!(
            "{:<11} {:>22.15} {:>9.1e} {:>22.15} {:>22.15} {:>9.1e}",
            CannonEvents::NAMES[e.k],
            e.t,
            e.t - t_exact,
            e.y[0],
            e.y[1],
            y_err
        );
    }
    println!("exact: apex at t = 20 with x = 100, hit_ground at t = 40 with v = -10.");
    Ok(())
}

/// Bisection for the zero of event `k` inside the last step of `rk`, on its dense output:
/// halves `[t_prev, t]` while keeping the sign of `g_k` at the left end equal to `g_left`'s,
/// down to adjacent floating-point numbers. Returns the right end, where the event has
/// happened.
fn locate<St: Stepper<f64, 2>>(
    rk: &mut St,
    events: &CannonEvents,
    k: usize,
    g_left: f64,
) -> Result<Found, odegen::Error> {
    let (mut lo, mut hi) = (rk.t_prev(), rk.t());
    let mut g = [0.0; M];
    let mut bisections = 0;
    loop {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        events.values(mid, &rk.dense(mid)?, &mut g);
        // Still on the side of the step's start: the zero is to the right.
        let same_side = if g_left > 0.0 {
            g[k] > 0.0
        } else if g_left < 0.0 {
            g[k] < 0.0
        } else {
            g[k] == 0.0
        };
        if same_side {
            lo = mid;
        } else {
            hi = mid;
        }
        bisections += 1;
    }
    Ok(Found {
        k,
        t: hi,
        y: rk.dense(hi)?,
        bisections,
    })
}
