//! Stiff problems: diffsol 0.18's BDF (dense nalgebra backend) as the peer of odegen's implicit
//! solvers, on three problems of the Test Set for IVP Solvers (F. Mazzia and C. Magherini,
//! release 2.4, Univ. of Bari, 2008), each integrated from `t = 0` to its final time and
//! compared with the published final state (`/work/shared/REFERENCES.md`):
//!
//! - **Robertson** to `t = 40` (reference: DETEST problem D2, Enright & Pryce, ACM TOMS Alg.
//!   648), `atol = 10⁻⁶ · rtol`;
//! - **Van der Pol** `y1' = y2`, `y2' = μ (1 − y1²) y2 − y1`, `μ = 1000`, `y0 = (2, 0)`, to
//!   `t = 2000` (Test Set `vdpol`, whose `ε = 1/μ²` scaled form this is with `t = μ τ` and the
//!   second component divided by `μ`), `atol = rtol`;
//! - **HIRES** (8 equations) to `t = 321.8122` (Test Set `hires`), `atol = 10⁻⁴ · rtol`;
//!
//! each at `rtol ∈ {1e-6, 1e-8}` ([`RTOLS`]). The error is the Test Set's `mescd` measure
//! without the logarithm, `max_i |y_i − ref_i| / (atol/rtol + |ref_i|)` ([`Problem::error`]).
//!
//! The equations are written once, as `#[ode_system]` functions (which also give odegen its
//! symbolic Jacobian); diffsol evaluates the same right-hand-side code through its closure
//! interface, with the analytic Jacobian handed over as the Jacobian-vector product `J(y) v` it
//! asks for ([`Jvp`], written by hand and checked at start-up against the generated Jacobian and
//! central differences). diffsol assembles its dense Jacobian from `N` such products (unit
//! vectors; no colouring, no finite differences).
//!
//! **diffsol's side** ([`diffsol_run`]), per solve, everything included (problem build, initial
//! state and step size, solve):
//!
//! ```text
//! OdeBuilder::<NalgebraMat<f64>>::new().rtol(rtol).atol([atol])
//!     .rhs_implicit(|x, _p, t, y| f(t, x, y), |x, _p, _t, v, y| jv(x, v, y))
//!     .init(|_p, _t, y| y.copy_from_slice(&y0), N).build()
//! problem.bdf::<NalgebraLU<f64>>()  ->  set_stop_time(t_end); step() until TstopReached
//! ```
//!
//! Its counters: `steps` = `get_statistics().number_of_steps` (accepted steps), `rejected` =
//! `number_of_error_test_failures + number_of_nonlinear_solver_fails`, `nfev` = the rhs
//! closure's `statistics().number_of_calls`, `njev` = its `number_of_matrix_evals` (each of which
//! is `N` Jacobian-vector products), `nlu` = `number_of_linear_solver_setups` (every setup is one
//! LU factorisation of `I − c J`; a setup does not always re-evaluate `J`). diffsol does not
//! count linear solves (back-substitutions) separately; it counts Newton iterations
//! (`number_of_nonlinear_solver_iterations`), not shown.
//!
//! **odegen's side** ([`try_odegen_run`]): `odegen::Radau5`, `odegen::AdaptiveRadau` (Hairer's
//! variable-order RADAU, "ARadau" in the tables) and `odegen::Bdf`, all with the
//! `#[ode_system]`'s generated Jacobian, automatic first step, everything included (stepper
//! construction, solve):
//!
//! ```text
//! Radau5::new(&sys, 0.0, y0, t_end, Settings::new(Tolerances::new(rtol, atol)))  (or Bdf::new)
//! while !st.is_finished() { st.step() }
//! ```
//!
//! with `steps` = `n_accepted`, `rejected` = `n_rejected` (error test and Newton failures),
//! `nfev`, `njev`, `nlu` from `stats()` (Radau5 and AdaptiveRadau count their real and complex
//! factorisations as one, as RADAU5's and RADAU's `NDEC`).
//!
//! **Matched accuracy.** The issue's target is a speed-up at equal or better error, and the
//! solvers' errors at the same `rtol` differ. So each odegen solver is also run over
//! [`SCAN_RTOLS`] (`1e-3` to `1e-11`, factors of about 3), and for each diffsol row the loosest
//! scanned `rtol` whose error is at most diffsol's becomes a *matched* row, timed in the same
//! interleaved run. The table also gives the loosest scanned `rtol` from which on every tighter
//! one reaches diffsol's error too ("stable"), which differs when the error is not monotone.
//!
//! Output: the Jacobian check; criterion groups `<problem>/rtol=<rtol>` (20 samples, 2 s each)
//! with diffsol, odegen at the same `rtol`, and the matched odegen rows; the table of median
//! times per solve, from 200 interleaved, individually timed solves of every row
//! ([`odegen_peers::interleaved_medians`]), with the counters, the error and the speed-up
//! `t(diffsol) / t(odegen)`; the error scan; the matched-accuracy table.
//!
//! Run with `cargo bench -p odegen-peers --bench stiff` (about 2 minutes).
//!
//! **Builds differ; runs of one build do not.** Within one build the medians repeat to 1–3 %.
//! Between builds, the code layout alone can move a solve's time by more: with the default
//! 16 codegen units, the same Radau5 HIRES solve measured 93 µs and 107 µs in two builds of
//! identical source that differed only in the crate's path (the partition into units, and so
//! what gets inlined where, follows the crate's hash). Both measured 89 µs with one unit.
//! `CARGO_PROFILE_BENCH_CODEGEN_UNITS=1 cargo bench …` removes that lottery, for diffsol
//! as for odegen; the default profile is kept here because it is what users build with.

// Published reference states keep all their digits.
#![allow(clippy::excessive_precision)]

use criterion::Criterion;
use diffsol::{
    NalgebraLU, NalgebraMat, OdeBuilder, OdeEquations, OdeSolverMethod, OdeSolverStopReason, Op,
    Vector,
};
use odegen::prelude::*;
use odegen::Jacobian;
use odegen_peers::{central_jacobian, interleaved_medians, max_rel_error};
use std::hint::black_box;
use std::time::Duration;

/// The relative tolerances every problem is solved at.
const RTOLS: [f64; 3] = [1e-4, 1e-6, 1e-8];

// The stiff problems and their published references, shared with the tests and examples.
#[path = "../../../tests/problems/stiff.rs"]
mod stiff_systems;
use stiff_systems::{
    Hires, Orego, Robertson, VanDerPol, HIRES_T_END, HIRES_Y0, OREGO_T360, OREGO_Y0,
    ROBERTSON_T1E11, ROBERTSON_T40, VAN_DER_POL_T2000,
};

/// The analytic Jacobian as diffsol takes it: its action `jv = J(y) v` (the systems are
/// autonomous). Written by hand; checked against the generated [`Jacobian`] at start-up.
trait Jvp<const N: usize> {
    fn jvp(&self, y: &[f64; N], v: &[f64; N], jv: &mut [f64; N]);
}

impl Jvp<3> for Robertson {
    #[inline]
    fn jvp(&self, y: &[f64; 3], v: &[f64; 3], jv: &mut [f64; 3]) {
        let [_, y2, y3] = *y;
        let r2 = 1.0e4 * (y3 * v[1] + y2 * v[2]);
        let r3 = 6.0e7 * y2 * v[1];
        jv[0] = -0.04 * v[0] + r2;
        jv[1] = 0.04 * v[0] - r2 - r3;
        jv[2] = r3;
    }
}

impl Jvp<3> for Orego {
    #[inline]
    fn jvp(&self, y: &[f64; 3], v: &[f64; 3], jv: &mut [f64; 3]) {
        let [y1, y2, _] = *y;
        jv[0] = 77.27 * ((1.0 - 2.0 * 8.375e-6 * y1 - y2) * v[0] + (1.0 - y1) * v[1]);
        jv[1] = (-y2 * v[0] - (1.0 + y1) * v[1] + v[2]) / 77.27;
        jv[2] = 0.161 * (v[0] - v[2]);
    }
}

impl Jvp<2> for VanDerPol {
    #[inline]
    fn jvp(&self, y: &[f64; 2], v: &[f64; 2], jv: &mut [f64; 2]) {
        let [y1, y2] = *y;
        jv[0] = v[1];
        jv[1] = (-2.0 * self.mu * y1 * y2 - 1.0) * v[0] + self.mu * (1.0 - y1 * y1) * v[1];
    }
}

impl Jvp<8> for Hires {
    #[inline]
    fn jvp(&self, y: &[f64; 8], v: &[f64; 8], jv: &mut [f64; 8]) {
        let (y6, y8) = (y[5], y[7]);
        let r = 280.0 * (y8 * v[5] + y6 * v[7]);
        jv[0] = -1.71 * v[0] + 0.43 * v[1] + 8.32 * v[2];
        jv[1] = 1.71 * v[0] - 8.75 * v[1];
        jv[2] = -10.03 * v[2] + 0.43 * v[3] + 0.035 * v[4];
        jv[3] = 8.32 * v[1] + 1.71 * v[2] - 1.12 * v[3];
        jv[4] = -1.745 * v[4] + 0.43 * v[5] + 0.43 * v[6];
        jv[5] = -r + 0.69 * v[3] + 1.71 * v[4] - 0.43 * v[5] + 0.69 * v[6];
        jv[6] = r - 1.81 * v[6];
        jv[7] = -r + 1.81 * v[6];
    }
}

/// One test problem: the system, its interval `[0, t_end]`, initial state, published final
/// state, and the absolute tolerance belonging to a relative one.
struct Problem<Sys, const N: usize> {
    name: &'static str,
    sys: Sys,
    t_end: f64,
    y0: [f64; N],
    reference: [f64; N],
    /// `atol = atol_per_rtol · rtol` (also the `atol/rtol` of the error measure).
    atol_per_rtol: f64,
}

impl<Sys, const N: usize> Problem<Sys, N> {
    fn atol(&self, rtol: f64) -> f64 {
        self.atol_per_rtol * rtol
    }

    /// The Test Set's `mescd` error without the logarithm:
    /// `max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`.
    fn error(&self, y: &[f64]) -> f64 {
        mescd_error(y, &self.reference, self.atol_per_rtol)
    }
}

fn mescd_error(y: &[f64], reference: &[f64], atol_per_rtol: f64) -> f64 {
    assert_eq!(y.len(), reference.len(), "final state of the wrong length");
    y.iter()
        .zip(reference)
        .map(|(y, r)| (y - r).abs() / (atol_per_rtol + r.abs()))
        .fold(0.0, f64::max)
}

/// What one solve returns: the final state and the solver's own counters.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    y_final: Vec<f64>,
    /// Accepted steps.
    steps: usize,
    /// Rejected steps (error test and Newton failures).
    rejected: usize,
    /// Right-hand-side evaluations (including start-up and any spent on Jacobians).
    nfev: usize,
    /// Jacobian evaluations.
    njev: usize,
    /// LU factorisations of the Newton matrix.
    nlu: usize,
}

/// The slice diffsol hands its closures, as the array the `#[ode_system]` code takes.
#[inline(always)]
fn arr<const N: usize>(x: &[f64]) -> &[f64; N] {
    x.try_into()
        .expect("diffsol passed a vector of the wrong length")
}

#[inline(always)]
fn arr_mut<const N: usize>(x: &mut [f64]) -> &mut [f64; N] {
    x.try_into()
        .expect("diffsol passed a vector of the wrong length")
}

/// Solves `p` with diffsol's BDF (dense nalgebra matrices and LU) at `rtol` and the problem's
/// `atol`, from building the problem to the state at `t_end`.
fn diffsol_run<Sys: OdeSystem<N> + Jvp<N>, const N: usize>(p: &Problem<Sys, N>, rtol: f64) -> Run {
    let rtol = black_box(rtol);
    let y0 = black_box(p.y0);
    let sys = &p.sys;
    let problem = OdeBuilder::<NalgebraMat<f64>>::new()
        .t0(0.0)
        .rtol(rtol)
        .atol([p.atol(rtol)])
        .rhs_implicit(
            |x, _p, t, y| sys.rhs(t, arr(x), arr_mut(y)),
            |x, _p, _t, v, y| sys.jvp(arr(x), arr(v), arr_mut(y)),
        )
        .init(|_p, _t, y| y.copy_from_slice(&y0), N)
        .build()
        .expect("diffsol: building the problem");
    let mut solver = problem
        .bdf::<NalgebraLU<f64>>()
        .expect("diffsol: creating the BDF solver");
    solver
        .set_stop_time(p.t_end)
        .expect("diffsol: setting the stop time");
    loop {
        match solver.step() {
            Ok(OdeSolverStopReason::TstopReached) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "diffsol BDF failed on {} at rtol {rtol:e}, t = {}: {e}",
                p.name,
                solver.state().t
            ),
        }
    }
    let y_final = solver.state().y.clone_as_vec();
    let st = solver.get_statistics();
    let rhs = problem.eqn.rhs().statistics();
    Run {
        y_final,
        steps: st.number_of_steps,
        rejected: st.number_of_error_test_failures + st.number_of_nonlinear_solver_fails,
        nfev: rhs.number_of_calls,
        njev: rhs.number_of_matrix_evals,
        nlu: st.number_of_linear_solver_setups,
    }
}

/// odegen's stiff solvers, all with the `#[ode_system]`'s generated (analytic) Jacobian (and
/// `∂f/∂t`, zero for these autonomous systems, for the Rosenbrock methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// `odegen::Radau5` (Hairer's RADAU5).
    Radau5,
    /// `odegen::AdaptiveRadau` (Hairer's RADAU, orders 5/9/13).
    AdaptiveRadau,
    /// `odegen::Bdf` (variable-order NDF/BDF, SciPy's `BDF`).
    Bdf,
    /// `odegen::Rodas5P` (Steinebach's Rodas5P).
    Rodas5P,
    /// `odegen::Rodas4` (Hairer & Wanner's RODAS).
    Rodas4,
    /// `odegen::Rosenbrock23` (MATLAB's `ode23s`).
    Rosenbrock23,
}

impl Method {
    const ALL: [Method; 6] = [
        Method::Radau5,
        Method::AdaptiveRadau,
        Method::Bdf,
        Method::Rodas5P,
        Method::Rodas4,
        Method::Rosenbrock23,
    ];

    fn label(self) -> &'static str {
        match self {
            Method::Radau5 => "odegen Radau5",
            Method::AdaptiveRadau => "odegen ARadau",
            Method::Bdf => "odegen Bdf",
            Method::Rodas5P => "odegen Rodas5P",
            Method::Rodas4 => "odegen Rodas4",
            Method::Rosenbrock23 => "odegen Ros23",
        }
    }

    fn is_rosenbrock(self) -> bool {
        matches!(
            self,
            Method::Rodas5P | Method::Rodas4 | Method::Rosenbrock23
        )
    }

    /// The tightest scanned `rtol`: a second-order method at `1e-11` would take millions of
    /// steps for nothing.
    fn scan_floor(self) -> f64 {
        match self {
            Method::Rosenbrock23 => 1e-7,
            _ => 1e-11,
        }
    }
}

/// Steps `st` to its bound and collects the final state and counters.
fn finish<St: Stepper<f64, N>, const N: usize>(mut st: St) -> Result<Run, Error> {
    while !st.is_finished() {
        st.step()?;
    }
    let s = st.stats();
    Ok(Run {
        y_final: st.y().to_vec(),
        steps: s.n_accepted,
        rejected: s.n_rejected,
        nfev: s.nfev,
        njev: s.njev,
        nlu: s.nlu,
    })
}

/// Solves `p` with odegen's `method` at `rtol` and the problem's `atol` (automatic first
/// step), from constructing the stepper to the state at `t_end`.
fn try_odegen_run<Sys: OdeSystem<N>, const N: usize>(
    p: &Problem<Sys, N>,
    method: Method,
    rtol: f64,
) -> Result<Run, Error> {
    let rtol = black_box(rtol);
    let y0 = black_box(p.y0);
    let settings = Settings::new(Tolerances::new(rtol, p.atol(rtol)));
    match method {
        Method::Radau5 => finish(Radau5::new(&p.sys, 0.0, y0, p.t_end, settings)?),
        Method::AdaptiveRadau => finish(AdaptiveRadau::new(&p.sys, 0.0, y0, p.t_end, settings)?),
        Method::Bdf => finish(Bdf::new(&p.sys, 0.0, y0, p.t_end, settings)?),
        Method::Rodas5P => finish(Rodas5P::new(&p.sys, 0.0, y0, p.t_end, settings)?),
        Method::Rodas4 => finish(Rodas4::new(&p.sys, 0.0, y0, p.t_end, settings)?),
        Method::Rosenbrock23 => finish(Rosenbrock23::new(&p.sys, 0.0, y0, p.t_end, settings)?),
    }
}

/// [`try_odegen_run`], panicking on failure.
fn odegen_run<Sys: OdeSystem<N>, const N: usize>(
    p: &Problem<Sys, N>,
    method: Method,
    rtol: f64,
) -> Run {
    try_odegen_run(p, method, rtol).unwrap_or_else(|e| {
        panic!(
            "{} failed on {} at rtol {rtol:e}: {e}",
            method.label(),
            p.name
        )
    })
}

/// The error measure of a case's problem, applied to a final state.
type ErrorFn<'a> = Box<dyn Fn(&[f64]) -> f64 + 'a>;

/// One row of the tables: a solver on a problem at one tolerance.
struct Case<'a> {
    problem: &'static str,
    rtol: f64,
    /// The solver, as the tables name it.
    solver: &'static str,
    /// Whether this is the peer the other rows of its problem are compared with.
    baseline: bool,
    /// The `rtol` of the baseline row this row is compared with: its own, or for a
    /// matched-accuracy row the row whose error it matches.
    vs_rtol: f64,
    /// A matched-accuracy row (odegen at the loosest scanned `rtol` reaching the error of the
    /// row of `against` at `vs_rtol`).
    matched: bool,
    /// The solver whose row this one is compared with: diffsol, or for the Rosenbrock
    /// methods' second set of matched rows odegen's Radau5.
    against: &'static str,
    error: ErrorFn<'a>,
    run: Box<dyn Fn() -> Run + 'a>,
}

impl Case<'_> {
    /// The criterion function's name within its group `<problem>/rtol=<vs_rtol>`.
    fn bench_name(&self) -> String {
        if self.matched {
            format!(
                "{} @rtol={:e} (matched error of {})",
                self.solver, self.rtol, self.against
            )
        } else {
            self.solver.to_string()
        }
    }
}

/// The `rtol`s scanned for the matched-accuracy rows, loosest first.
const SCAN_RTOLS: [f64; 17] = [
    1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7, 1e-7, 3e-8, 1e-8, 3e-9, 1e-9, 3e-10, 1e-10,
    3e-11, 1e-11,
];

/// One odegen solver's error on one problem at each of [`SCAN_RTOLS`] (`None`: it failed).
struct Scan {
    problem: &'static str,
    method: Method,
    errors: Vec<Option<f64>>,
    /// diffsol's error at each of [`RTOLS`].
    diffsol_errors: [f64; RTOLS.len()],
}

/// The baseline of the first set of matched rows.
const DIFFSOL: &str = "diffsol Bdf";

impl Scan {
    /// The loosest scanned `rtol` whose error is at most `target`.
    fn first_reaching(&self, target: f64) -> Option<f64> {
        SCAN_RTOLS
            .iter()
            .zip(&self.errors)
            .find(|(_, e)| e.is_some_and(|e| e <= target))
            .map(|(r, _)| *r)
    }

    /// The loosest scanned `rtol` from which on every tighter scanned one also reaches `target`.
    fn stably_reaching(&self, target: f64) -> Option<f64> {
        let last_miss = self
            .errors
            .iter()
            .rposition(|e| !e.is_some_and(|e| e <= target));
        match last_miss {
            None => Some(SCAN_RTOLS[0]),
            Some(i) => SCAN_RTOLS.get(i + 1).copied(),
        }
    }
}

/// The rows of one problem: per tolerance, diffsol first (the baseline), then odegen's at the
/// same tolerance, then each odegen solver at the loosest scanned `rtol` at which its error is
/// at most diffsol's. Returns the scans.
fn cases<'a, Sys: OdeSystem<N> + Jvp<N>, const N: usize>(
    p: &'a Problem<Sys, N>,
    out: &mut Vec<Case<'a>>,
) -> Vec<Scan> {
    let diffsol_errors = RTOLS.map(|rtol| p.error(&diffsol_run(p, rtol).y_final));
    let scans: Vec<Scan> = Method::ALL
        .iter()
        .map(|&method| Scan {
            problem: p.name,
            method,
            errors: SCAN_RTOLS
                .iter()
                .map(|&rtol| {
                    (rtol >= method.scan_floor())
                        .then(|| try_odegen_run(p, method, rtol).ok())
                        .flatten()
                        .map(|r| p.error(&r.y_final))
                })
                .collect(),
            diffsol_errors,
        })
        .collect();
    for (k, rtol) in RTOLS.into_iter().enumerate() {
        out.push(Case {
            problem: p.name,
            rtol,
            solver: DIFFSOL,
            baseline: true,
            vs_rtol: rtol,
            matched: false,
            against: DIFFSOL,
            error: Box::new(|y| p.error(y)),
            run: Box::new(move || diffsol_run(p, rtol)),
        });
        for method in Method::ALL {
            out.push(Case {
                problem: p.name,
                rtol,
                solver: method.label(),
                baseline: false,
                vs_rtol: rtol,
                matched: false,
                against: DIFFSOL,
                error: Box::new(|y| p.error(y)),
                run: Box::new(move || odegen_run(p, method, rtol)),
            });
        }
        for scan in &scans {
            let method = scan.method;
            if let Some(matched) = scan.first_reaching(diffsol_errors[k]) {
                out.push(Case {
                    problem: p.name,
                    rtol: matched,
                    solver: method.label(),
                    baseline: false,
                    vs_rtol: rtol,
                    matched: true,
                    against: DIFFSOL,
                    error: Box::new(|y| p.error(y)),
                    run: Box::new(move || odegen_run(p, method, matched)),
                });
            }
        }
        // The Rosenbrock methods at the error of odegen's Radau5 at this rtol.
        let radau_error = p.error(&odegen_run(p, Method::Radau5, rtol).y_final);
        for scan in scans.iter().filter(|s| s.method.is_rosenbrock()) {
            let method = scan.method;
            if let Some(matched) = scan.first_reaching(radau_error) {
                out.push(Case {
                    problem: p.name,
                    rtol: matched,
                    solver: method.label(),
                    baseline: false,
                    vs_rtol: rtol,
                    matched: true,
                    against: Method::Radau5.label(),
                    error: Box::new(|y| p.error(y)),
                    run: Box::new(move || odegen_run(p, method, matched)),
                });
            }
        }
    }
    scans
}

/// The hand-written `J v` (assembled column by column from unit vectors, as diffsol does)
/// against the `#[ode_system]` Jacobian and against central differences, at `y0` and at the
/// reference state. Returns the largest entrywise relative deviations.
fn check_jvp<Sys: Jacobian<N> + Jvp<N>, const N: usize>(p: &Problem<Sys, N>) -> (f64, f64) {
    let (mut vs_generated, mut vs_fd) = (0.0_f64, 0.0_f64);
    for y in [p.y0, p.reference] {
        let mut from_jvp = [[0.0; N]; N];
        let (mut e, mut col) = ([0.0; N], [0.0; N]);
        for j in 0..N {
            e[j] = 1.0;
            p.sys.jvp(&y, &e, &mut col);
            e[j] = 0.0;
            for (row, c) in from_jvp.iter_mut().zip(&col) {
                row[j] = *c;
            }
        }
        let (mut generated, mut fd) = ([[0.0; N]; N], [[0.0; N]; N]);
        p.sys.jacobian(0.0, &y, &mut generated);
        central_jacobian(&p.sys, 0.0, &y, &mut fd);
        vs_generated = vs_generated.max(max_rel_error(&from_jvp, &generated));
        vs_fd = vs_fd.max(max_rel_error(&fd, &from_jvp));
    }
    (vs_generated, vs_fd)
}

/// The speed-up `t(baseline) / t(row)` of row `i` over the diffsol row it is compared with.
fn speedup(cases: &[Case], medians: &[Duration], i: usize) -> Option<f64> {
    let c = &cases[i];
    if c.baseline {
        return None;
    }
    cases
        .iter()
        .position(|b| {
            !b.matched && b.solver == c.against && b.problem == c.problem && b.rtol == c.vs_rtol
        })
        .map(|b| medians[b].as_secs_f64() / medians[i].as_secs_f64())
}

/// Prints one row per same-tolerance case: median time per solve, counters, error, and for
/// every row but the baseline the speed-up over the baseline of its problem and tolerance.
fn print_table(cases: &[Case], runs: &[Run], medians: &[Duration]) {
    println!(
        "{:<12} {:>6} {:<16} {:>12} {:>6} {:>5} {:>6} {:>5} {:>5} {:>10} {:>9}",
        "problem",
        "rtol",
        "solver",
        "median [us]",
        "steps",
        "rej",
        "nfev",
        "njev",
        "nlu",
        "error",
        "speed-up"
    );
    for (i, c) in cases.iter().enumerate().filter(|(_, c)| !c.matched) {
        let (r, m) = (&runs[i], medians[i]);
        let speedup = match speedup(cases, medians, i) {
            Some(s) => format!("{s:.2}x"),
            None => "-".to_string(),
        };
        println!(
            "{:<12} {:>6.0e} {:<16} {:>12.1} {:>6} {:>5} {:>6} {:>5} {:>5} {:>10.3e} {:>9}",
            c.problem,
            c.rtol,
            c.solver,
            m.as_secs_f64() * 1e6,
            r.steps,
            r.rejected,
            r.nfev,
            r.njev,
            r.nlu,
            (c.error)(&r.y_final),
            speedup
        );
    }
}

/// Prints each odegen solver's error over [`SCAN_RTOLS`] (one column per problem and solver),
/// under diffsol's errors at [`RTOLS`].
fn print_scans(scans: &[Scan]) {
    print!("{:<16}", "rtol");
    for s in scans {
        print!(" {:>22}", format!("{} {:?}", s.problem, s.method));
    }
    println!();
    for (k, rtol) in RTOLS.iter().enumerate() {
        print!("{:<16}", format!("diffsol @{rtol:.0e}"));
        for s in scans {
            print!(" {:>22.3e}", s.diffsol_errors[k]);
        }
        println!();
    }
    for (j, rtol) in SCAN_RTOLS.iter().enumerate() {
        print!("{:<16}", format!("odegen @{rtol:.0e}"));
        for s in scans {
            match s.errors[j] {
                Some(e) => print!(" {e:>22.3e}"),
                None => print!(" {:>22}", "failed"),
            }
        }
        println!();
    }
}

/// Prints the matched-accuracy rows: per problem and tolerance of the `against` solver, each
/// of `methods` at the loosest scanned `rtol` with an error at most the `against` row's, and
/// the speed-up.
fn print_matched(
    cases: &[Case],
    runs: &[Run],
    medians: &[Duration],
    scans: &[Scan],
    against: &str,
    methods: &[Method],
) {
    println!(
        "{:<10} {:>8} {:>10} {:>10} | {:<14} {:>7} {:>7} {:>10} {:>10} {:>5} {:>4} {:>6} {:>4} {:>4} | {:>8}",
        "problem",
        against,
        "us",
        "error",
        "odegen",
        "@rtol",
        "stable",
        "us",
        "error",
        "steps",
        "rej",
        "nfev",
        "njev",
        "nlu",
        "speed-up"
    );
    for (b, base) in cases
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.matched && c.solver == against)
    {
        let base_err = (base.error)(&runs[b].y_final);
        for &method in methods {
            let row = cases.iter().position(|c| {
                c.matched
                    && c.against == against
                    && c.problem == base.problem
                    && c.vs_rtol == base.rtol
                    && c.solver == method.label()
            });
            let stable = scans
                .iter()
                .find(|s| s.problem == base.problem && s.method == method)
                .and_then(|s| s.stably_reaching(base_err))
                .map_or("-".to_string(), |r| format!("{r:.0e}"));
            print!(
                "{:<10} {:>8.0e} {:>10.1} {:>10.3e} | {:<14} ",
                base.problem,
                base.rtol,
                medians[b].as_secs_f64() * 1e6,
                base_err,
                method.label(),
            );
            match row {
                Some(i) => {
                    let (c, r) = (&cases[i], &runs[i]);
                    println!(
                        "{:>7.0e} {:>7} {:>10.1} {:>10.3e} {:>5} {:>4} {:>6} {:>4} {:>4} | {:>7.2}x",
                        c.rtol,
                        stable,
                        medians[i].as_secs_f64() * 1e6,
                        (c.error)(&r.y_final),
                        r.steps,
                        r.rejected,
                        r.nfev,
                        r.njev,
                        r.nlu,
                        speedup(cases, medians, i).unwrap_or(f64::NAN)
                    );
                }
                None => println!(
                    "not reached down to rtol {:.0e}",
                    SCAN_RTOLS[SCAN_RTOLS.len() - 1]
                ),
            }
        }
    }
}

fn main() {
    let robertson = Problem {
        name: "Robertson",
        sys: Robertson,
        t_end: 40.0,
        y0: [1.0, 0.0, 0.0],
        // DETEST D2 (Enright & Pryce, ACM TOMS Alg. 648), unscaled.
        reference: ROBERTSON_T40,
        atol_per_rtol: 1e-6,
    };
    let van_der_pol = Problem {
        name: "VanDerPol",
        sys: VanDerPol { mu: 1000.0 },
        t_end: 2000.0,
        y0: [2.0, 0.0],
        // Test Set 2.4, `vdpol` (its scaled second component divided by μ).
        reference: VAN_DER_POL_T2000,
        atol_per_rtol: 1.0,
    };
    let rober = Problem {
        name: "ROBER",
        sys: Robertson,
        t_end: 1e11,
        y0: [1.0, 0.0, 0.0],
        // Test Set 2.4, `rober`.
        reference: ROBERTSON_T1E11,
        atol_per_rtol: 1e-4,
    };
    let orego = Problem {
        name: "OREGO",
        sys: Orego,
        t_end: 360.0,
        y0: OREGO_Y0,
        // Test Set 2.4, `orego`.
        reference: OREGO_T360,
        atol_per_rtol: 1.0,
    };
    let hires = Problem {
        name: "HIRES",
        sys: Hires,
        t_end: 321.8122,
        y0: HIRES_Y0,
        // Test Set 2.4, `hires`.
        reference: HIRES_T_END,
        atol_per_rtol: 1e-4,
    };

    println!(
        "== analytic J v (diffsol's Jacobian) vs the #[ode_system] Jacobian and central FD =="
    );
    for (name, (generated, fd)) in [
        (robertson.name, check_jvp(&robertson)),
        (van_der_pol.name, check_jvp(&van_der_pol)),
        (hires.name, check_jvp(&hires)),
        (orego.name, check_jvp(&orego)),
    ] {
        println!(
            "{name:<12} max rel. deviation: vs generated {generated:.1e}, vs central FD {fd:.1e}"
        );
        assert!(
            generated < 1e-14,
            "{name}: hand-written J v disagrees with the generated Jacobian"
        );
    }
    println!();

    let mut all = Vec::new();
    let mut scans = cases(&robertson, &mut all);
    scans.extend(cases(&van_der_pol, &mut all));
    scans.extend(cases(&hires, &mut all));
    scans.extend(cases(&rober, &mut all));
    scans.extend(cases(&orego, &mut all));

    // One solve of each first, so that a failing solver stops the run before the timings.
    let runs: Vec<Run> = all.iter().map(|c| (c.run)()).collect();

    let mut crit = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args()
        .without_plots();
    let mut start = 0;
    while start < all.len() {
        let (problem, rtol) = (all[start].problem, all[start].vs_rtol);
        let end = start
            + all[start..]
                .iter()
                .take_while(|c| c.problem == problem && c.vs_rtol == rtol)
                .count();
        let mut group = crit.benchmark_group(format!("{problem}/rtol={rtol:e}"));
        for c in &all[start..end] {
            group.bench_function(c.bench_name(), |b| b.iter(|| black_box((c.run)())));
        }
        group.finish();
        start = end;
    }
    crit.final_summary();

    let fns: Vec<&dyn Fn() -> Run> = all.iter().map(|c| &*c.run).collect();
    let medians = interleaved_medians(&fns, 10, 200);
    println!();
    println!("== median of 200 interleaved solves each; error = max_i |y_i - ref_i| / (atol/rtol + |ref_i|) ==");
    print_table(&all, &runs, &medians);
    println!();
    println!("== error scan: odegen's error at each rtol (same error measure; atol = atol/rtol of the problem times rtol) ==");
    print_scans(&scans);
    println!();
    println!("== matched accuracy: odegen at the loosest scanned rtol with error <= diffsol's (stable: loosest from which all tighter scanned rtols also reach it); times from the same interleaved run ==");
    print_matched(&all, &runs, &medians, &scans, DIFFSOL, &Method::ALL);
    println!();
    println!("== matched accuracy, the Rosenbrock methods against odegen's Radau5: each at the loosest scanned rtol with error <= Radau5's at the rtol of the row ==");
    let rosenbrock: Vec<Method> = Method::ALL
        .into_iter()
        .filter(|m| m.is_rosenbrock())
        .collect();
    print_matched(
        &all,
        &runs,
        &medians,
        &scans,
        Method::Radau5.label(),
        &rosenbrock,
    );
}
