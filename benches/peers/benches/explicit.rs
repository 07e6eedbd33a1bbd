//! odegen against the `ode_solvers` crate (0.6.2) on the same problems, in the same run.
//!
//! - **Arenstorf orbit**, one period (`t ∈ [0, Arenstorf::PERIOD]` from `Arenstorf::Y0`), with
//!   DOP853 at `rtol = atol = 1e-10`: odegen's allocation-free [`Dop853`] stepper and its
//!   `solve_ivp(Method::Dop853)` driver against `ode_solvers::Dop853`. Error: largest absolute
//!   deviation of the final state from `Y0` (the orbit is periodic).
//! - **Lotka–Volterra** `(a, b, c, d) = (1.5, 1, 3, 1)` from `(1, 1)` over `[0, 10]` with
//!   Dormand–Prince 5(4) at `rtol = 1e-6`, `atol = 1e-8`: odegen's [`Dopri5`] stepper and
//!   `solve_ivp(Method::Rk45)` against `ode_solvers::Dopri5`. Error: against `LV_Y10`.
//!
//! Both libraries run Hairer's algorithms with the same controllers (DOP853: β = 0, step
//! ratio in [0.333, 6]; DOPRI5: β = 0.04, ratio in [0.2, 10]; safety 0.9) and the same
//! right-hand-side code (the problems of `tests/problems`, handed to `ode_solvers` through the
//! zero-copy [`odegen_peers::Peer`] adapter). Both choose the first step by Hairer's `HINIT`
//! (odegen with RMS norms, `ode_solvers` as Hairer), so the step sequences, and the final
//! errors in their last digits, may differ slightly. `ode_solvers` runs
//! with its *sparse* output (its default dense output returns a wrong final state when the
//! output step is the whole interval), which records every accepted step, as odegen's
//! `solve_ivp` does. How each side counts `nfev`:
//!
//! - start-up: odegen counts 2 (`f(t0)` and the starting-step probe); `ode_solvers` counts 3
//!   (its starting-step routine evaluates `f(t0)` itself, and the loop evaluates it again);
//! - DOP853 per attempt: 11 on both sides, plus the FSAL stage only on acceptance;
//! - DOPRI5 per attempt: 6 on both sides;
//! - `ode_solvers` counts rejections only after the first accepted step (as Hairer's codes).
//!
//! Before the criterion timings one line per solver gives nfev, steps and the achieved error;
//! after them a summary gives the median time per solve of each (from its own loop of
//! interleaved, individually timed solves), the ratio `ode_solvers / this`, the time of the
//! work any implementation at odegen's counts must do (its right-hand-side evaluations, chained,
//! and the controller's two `powf` per attempt), and the verdict on the target "at equal or
//! better error, odegen at least 2× faster than `ode_solvers`".
//!
//! Run with `cargo bench -p odegen-peers` (about 30 s).

// The shared problem definitions (reference constants written to full published precision)
// are linted with the tests that own them, not here.
#[allow(clippy::all)]
#[path = "../../../tests/problems/mod.rs"]
mod problems;

use criterion::Criterion;
use ode_solvers::{OutputType, SVector};
use odegen::prelude::*;
use odegen_peers::{interleaved_medians, powf_chain, rhs_chain, Outcome, Peer};
use problems::{max_abs_diff, Arenstorf, LotkaVolterra, LV_Y10};
use std::hint::black_box;
use std::time::Duration;

/// One initial value problem with its reference final state and tolerances.
struct Problem<Sys, const N: usize> {
    sys: Sys,
    t1: f64,
    y0: [f64; N],
    reference: [f64; N],
    rtol: f64,
    atol: f64,
}

/// Runs an odegen stepper to its bound.
fn drive<St: Stepper<f64, N>, const N: usize>(mut s: St, reference: &[f64; N]) -> Outcome {
    while !s.is_finished() {
        s.step().expect("odegen step");
    }
    let st = s.stats();
    Outcome {
        nfev: st.nfev,
        accepted: st.n_accepted,
        rejected: st.n_rejected,
        error: max_abs_diff(s.y(), reference),
    }
}

fn odegen_dop853<Sys: OdeSystem<N>, const N: usize>(p: &Problem<Sys, N>) -> Outcome {
    let tol = Tolerances::new(black_box(p.rtol), black_box(p.atol));
    let s = Dop853::new(&p.sys, 0.0, black_box(p.y0), p.t1, tol).expect("odegen Dop853");
    drive(s, &p.reference)
}

fn odegen_dopri5<Sys: OdeSystem<N>, const N: usize>(p: &Problem<Sys, N>) -> Outcome {
    let tol = Tolerances::new(black_box(p.rtol), black_box(p.atol));
    let s = Dopri5::new(&p.sys, 0.0, black_box(p.y0), p.t1, tol).expect("odegen Dopri5");
    drive(s, &p.reference)
}

fn odegen_solve_ivp<Sys: OdeSystem<N>, const N: usize>(
    p: &Problem<Sys, N>,
    method: Method,
) -> Outcome {
    let opts = Options::new(method)
        .rtol(black_box(p.rtol))
        .atol(black_box(p.atol));
    let sol = solve_ivp(&p.sys, (0.0, p.t1), black_box(p.y0), opts)
        .and_then(OdeResult::into_result)
        .expect("odegen solve_ivp");
    Outcome {
        nfev: sol.stats.nfev,
        accepted: sol.stats.n_accepted,
        rejected: sol.stats.n_rejected,
        error: max_abs_diff(sol.y.last().expect("final state"), &p.reference),
    }
}

fn peer_outcome<const N: usize>(
    stats: ode_solvers::dop_shared::Stats,
    y_out: &[SVector<f64, N>],
    reference: &[f64; N],
) -> Outcome {
    let y = &y_out.last().expect("ode_solvers final state").data.0[0];
    Outcome {
        nfev: stats.num_eval as usize,
        accepted: stats.accepted_steps as usize,
        rejected: stats.rejected_steps as usize,
        error: max_abs_diff(y, reference),
    }
}

fn peer_dop853<Sys: OdeSystem<N>, const N: usize>(p: &Problem<Sys, N>) -> Outcome {
    let y0 = SVector::from(black_box(p.y0));
    let (rtol, atol) = (black_box(p.rtol), black_box(p.atol));
    let mut s = ode_solvers::Dop853::new(Peer(&p.sys), 0.0, p.t1, p.t1, y0, rtol, atol);
    s.set_output(OutputType::Sparse);
    let stats = s.integrate().expect("ode_solvers Dop853");
    peer_outcome(stats, s.y_out(), &p.reference)
}

fn peer_dopri5<Sys: OdeSystem<N>, const N: usize>(p: &Problem<Sys, N>) -> Outcome {
    let y0 = SVector::from(black_box(p.y0));
    let (rtol, atol) = (black_box(p.rtol), black_box(p.atol));
    let mut s = ode_solvers::Dopri5::new(Peer(&p.sys), 0.0, p.t1, p.t1, y0, rtol, atol);
    s.set_output(OutputType::Sparse);
    let stats = s.integrate().expect("ode_solvers Dopri5");
    peer_outcome(stats, s.y_out(), &p.reference)
}

/// One row: a solver on a problem.
struct Case<'a> {
    problem: &'static str,
    solver: &'static str,
    id: &'static str,
    run: Box<dyn Fn() -> Outcome + 'a>,
}

fn main() {
    let arenstorf = Problem {
        sys: Arenstorf,
        t1: Arenstorf::PERIOD,
        y0: Arenstorf::Y0,
        reference: Arenstorf::Y0,
        rtol: 1e-10,
        atol: 1e-10,
    };
    let lv = Problem {
        sys: LotkaVolterra::SCIPY,
        t1: 10.0,
        y0: [1.0, 1.0],
        reference: LV_Y10,
        rtol: 1e-6,
        atol: 1e-8,
    };
    // Within each problem: odegen stepper, odegen solve_ivp, the peer (last).
    let cases = [
        Case {
            problem: "Arenstorf DOP853 rtol=atol=1e-10",
            solver: "odegen Dop853 stepper",
            id: "arenstorf_dop853/odegen_stepper",
            run: Box::new(|| odegen_dop853(&arenstorf)),
        },
        Case {
            problem: "Arenstorf DOP853 rtol=atol=1e-10",
            solver: "odegen solve_ivp(Dop853)",
            id: "arenstorf_dop853/odegen_solve_ivp",
            run: Box::new(|| odegen_solve_ivp(&arenstorf, Method::Dop853)),
        },
        Case {
            problem: "Arenstorf DOP853 rtol=atol=1e-10",
            solver: "ode_solvers Dop853",
            id: "arenstorf_dop853/ode_solvers",
            run: Box::new(|| peer_dop853(&arenstorf)),
        },
        Case {
            problem: "Lotka-Volterra DOPRI5 rtol=1e-6 atol=1e-8",
            solver: "odegen Dopri5 stepper",
            id: "lotka_volterra_dopri5/odegen_stepper",
            run: Box::new(|| odegen_dopri5(&lv)),
        },
        Case {
            problem: "Lotka-Volterra DOPRI5 rtol=1e-6 atol=1e-8",
            solver: "odegen solve_ivp(Rk45)",
            id: "lotka_volterra_dopri5/odegen_solve_ivp",
            run: Box::new(|| odegen_solve_ivp(&lv, Method::Rk45)),
        },
        Case {
            problem: "Lotka-Volterra DOPRI5 rtol=1e-6 atol=1e-8",
            solver: "ode_solvers Dopri5",
            id: "lotka_volterra_dopri5/ode_solvers",
            run: Box::new(|| peer_dopri5(&lv)),
        },
    ];

    println!("== odegen vs ode_solvers 0.6.2: work and accuracy of one solve ==");
    let outcomes: Vec<Outcome> = cases.iter().map(|c| (c.run)()).collect();
    for (c, o) in cases.iter().zip(&outcomes) {
        println!(
            "{:<42} {:<26} nfev {:>5}  accepted {:>4}  rejected {:>3}  max|error| {:.3e}",
            c.problem, c.solver, o.nfev, o.accepted, o.rejected, o.error
        );
    }
    println!();

    let mut crit = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
        .without_plots();
    for c in &cases {
        crit.bench_function(c.id, |b| b.iter(|| black_box((c.run)())));
    }
    crit.final_summary();

    // Our own medians: 200 interleaved, individually timed solves of each.
    let runs: Vec<&dyn Fn() -> Outcome> = cases.iter().map(|c| &*c.run).collect();
    let medians = interleaved_medians(&runs, 20, 200);

    println!();
    println!("== summary: median of 200 interleaved solves each ==");
    println!(
        "{:<42} {:<26} {:>12} {:>11} {:>6} {:>9} {:>11}",
        "problem", "solver", "median [us]", "peer/this", "nfev", "acc/rej", "max|error|"
    );
    for (chunk, (outs, meds)) in cases
        .chunks(3)
        .zip(outcomes.chunks(3).zip(medians.chunks(3)))
    {
        let peer = meds[2].as_secs_f64();
        for (c, (o, m)) in chunk.iter().zip(outs.iter().zip(meds)) {
            let secs = m.as_secs_f64();
            println!(
                "{:<42} {:<26} {:>12.2} {:>10.2}x {:>6} {:>9} {:>11.3e}",
                c.problem,
                c.solver,
                secs * 1e6,
                peer / secs,
                o.nfev,
                format!("{}/{}", o.accepted, o.rejected),
                o.error
            );
        }
    }

    // The work any implementation of the same algorithm at odegen's counts must do: the
    // right-hand sides, chained, and the controller's two powers per attempt.
    let work = |o: &Outcome| (o.nfev, 2 * (o.accepted + o.rejected));
    let (a_fev, a_pow) = work(&outcomes[0]);
    let (l_fev, l_pow) = work(&outcomes[3]);
    let floors: [&dyn Fn() -> f64; 4] = [
        &|| rhs_chain(&arenstorf.sys, black_box(arenstorf.y0), a_fev)[0],
        &|| powf_chain(black_box(0.3), a_pow),
        &|| rhs_chain(&lv.sys, black_box(lv.y0), l_fev)[0],
        &|| powf_chain(black_box(0.3), l_pow),
    ];
    let floor_medians = interleaved_medians(&floors, 20, 200);
    println!();
    for (i, (chunk, meds)) in cases.chunks(3).zip(medians.chunks(3)).enumerate() {
        let (fev, pows) = work(&outcomes[3 * i]);
        let rhs = floor_medians[2 * i].as_secs_f64() * 1e6;
        let pow = floor_medians[2 * i + 1].as_secs_f64() * 1e6;
        let peer = meds[2].as_secs_f64() * 1e6;
        println!(
            "{}: {fev} chained RHS evaluations take {rhs:.2} us and {pows} powf {pow:.2} us, \
             together {:.0}% of ode_solvers' {peer:.2} us; 2x needs <= {:.2} us",
            chunk[0].problem,
            100.0 * (rhs + pow) / peer,
            peer / 2.0
        );
    }
    println!();
    for (chunk, (outs, meds)) in cases
        .chunks(3)
        .zip(outcomes.chunks(3).zip(medians.chunks(3)))
    {
        let speedup = meds[2].as_secs_f64() / meds[0].as_secs_f64();
        let error_ok = outs[0].error <= outs[2].error;
        let met = speedup >= 2.0 && error_ok;
        println!(
            "{}: odegen stepper {:.2}x faster than ode_solvers, error {:.3e} vs {:.3e} ({}) \
             => target (>= 2x at equal or better error) {}",
            chunk[0].problem,
            speedup,
            outs[0].error,
            outs[2].error,
            if error_ok { "equal or better" } else { "WORSE" },
            if met { "MET" } else { "NOT MET" }
        );
    }
}
