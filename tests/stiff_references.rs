//! The stiff solvers, `Radau5` (Hairer's RADAU5), `AdaptiveRadau` (Hairer's RADAU, "RADAU" in
//! the tables) and `Bdf` (SciPy's variable-order NDF/BDF), against published reference
//! solutions, closed forms and the Test Set's published work counters.
//!
//! - Robertson (t = 40 and t = 1e11), Van der Pol μ = 1000 and HIRES against the reference
//!   values of `/work/shared/REFERENCES.md` (the source of each value is cited where it is
//!   used), at `rtol = 1e-6` and `1e-10`, scored with the *Test Set for IVP Solvers*' mescd.
//! - A stiff linear system and the Prothero–Robinson equation against their closed forms at
//!   `t_eval` points, and the constant-Jacobian wrapper (one Jacobian for the whole run).
//! - The order of Radau IIA at constant step, and the tolerance proportionality of the
//!   methods.
//!
//! The accuracy asked of every run is "within the tolerance's order": the error, scaled as
//! the Test Set scales it, at most `10 rtol` (`mescd ≥ −log10(rtol) − 1`). The tolerances
//! bound *local* errors, so a long or strongly coupled integration may miss that; the cases
//! that do are listed next to their test ([`Known`]) with the floor they must still keep and
//! the reason, and the tables mark them. They are properties of the methods rather than of
//! this implementation: on every case here SciPy 1.17's `BDF` (the same algorithm) reaches
//! the same mescd to ±0.1 with step counts within 5 %, and SciPy's `Radau` given RADAU5's
//! converted tolerances takes step counts within 10 % of `Radau5`'s and misses the same
//! cases by about as much (the numbers are quoted at each known miss).
//!
//! Run with `--nocapture` to see the tables (method, rtol, mescd, counters, time).
#![allow(clippy::excessive_precision)]

#[path = "problems/stiff.rs"]
mod stiff;

use odegen::jacobian::ConstantJacobian;
use odegen::{
    solve_ivp, AdaptiveRadau, Bdf, Error, Method, OdeSystem, Options, Radau5, Settings, Stats,
    Stepper, Tolerances,
};
use std::fmt::Write as _;
use std::time::Instant;
use stiff::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Solver {
    Radau5,
    AdaptiveRadau,
    Bdf,
}

const SOLVERS: [Solver; 3] = [Solver::Radau5, Solver::AdaptiveRadau, Solver::Bdf];

/// The tolerances of the reference tables.
const RTOLS: [f64; 2] = [1e-6, 1e-10];

impl Solver {
    fn name(self) -> &'static str {
        match self {
            Solver::Radau5 => "Radau5",
            Solver::AdaptiveRadau => "RADAU",
            Solver::Bdf => "Bdf",
        }
    }

    fn method(self) -> Method {
        match self {
            Solver::Radau5 => Method::Radau,
            Solver::AdaptiveRadau => Method::AdaptiveRadau,
            Solver::Bdf => Method::Bdf,
        }
    }
}

/// RADAU5's conversion of the relative tolerance (module docs of `ode_core::implicit::radau`):
/// the tolerance its error estimate is actually held to.
fn radau_rtol(rtol: f64) -> f64 {
    0.1 * rtol.powf(2.0 / 3.0)
}

// ---------------------------------------------------------------------------------------------
// Running and scoring.

/// Steps a stepper to its bound; the end point and the counters.
fn finish<St: Stepper<f64, N>, const N: usize>(mut st: St) -> Result<([f64; N], Stats), Error> {
    while !st.is_finished() {
        st.step()?;
    }
    Ok((*st.y(), st.stats()))
}

/// Integrates `sys` from `(t0, y0)` to `t1` with the stepping API.
fn integrate<Sys: OdeSystem<N>, const N: usize>(
    solver: Solver,
    sys: Sys,
    t0: f64,
    y0: [f64; N],
    t1: f64,
    settings: Settings<f64, N>,
) -> Result<([f64; N], Stats), Error> {
    match solver {
        Solver::Radau5 => finish(Radau5::new(sys, t0, y0, t1, settings)?),
        Solver::AdaptiveRadau => finish(AdaptiveRadau::new(sys, t0, y0, t1, settings)?),
        Solver::Bdf => finish(Bdf::new(sys, t0, y0, t1, settings)?),
    }
}

/// `max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`: the error the Test Set's mescd scores.
fn scaled_error<const N: usize>(y: &[f64; N], reference: &[f64; N], atol_over_rtol: f64) -> f64 {
    y.iter()
        .zip(reference)
        .map(|(y, r)| (y - r).abs() / (atol_over_rtol + r.abs()))
        .fold(0.0, f64::max)
}

/// Whether a run with digits `m` and counters `stats` did the work of a reference run
/// `(mescd, steps, f, Jacobians, LU)` up to rounding: mescd within 0.05 and every counter
/// within 2 %, with one `f` more (odegen evaluates `f` at the final point, where Hairer's codes
/// return first).
fn same_work(m: f64, stats: &Stats, reference: (f64, usize, usize, usize, usize)) -> bool {
    let (rm, rs, rf, rj, rl) = reference;
    let close =
        |ours: usize, theirs: usize| (ours as f64 - theirs as f64).abs() <= 0.02 * theirs as f64;
    (m - rm).abs() <= 0.05
        && close(stats.n_accepted + stats.n_rejected, rs)
        && close(stats.nfev, rf + 1)
        && close(stats.njev, rj)
        && close(stats.nlu, rl)
}

/// The *Test Set for IVP Solvers*' "mixed error significant correct digits", as REFERENCES.md
/// quotes it: `mescd = −log10 max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`.
fn mescd<const N: usize>(y: &[f64; N], reference: &[f64; N], atol_over_rtol: f64) -> f64 {
    -scaled_error(y, reference, atol_over_rtol).log10()
}

/// The largest scaled error against `exact` at the end of every accepted step.
fn max_step_end_error<Sys: OdeSystem<N>, const N: usize>(
    solver: Solver,
    sys: Sys,
    y0: [f64; N],
    t1: f64,
    rtol: f64,
    atol: f64,
    exact: impl Fn(f64) -> [f64; N],
) -> f64 {
    fn run<St: Stepper<f64, N>, const N: usize>(
        mut st: St,
        atol_over_rtol: f64,
        exact: impl Fn(f64) -> [f64; N],
    ) -> f64 {
        let mut worst: f64 = 0.0;
        while !st.is_finished() {
            st.step().expect("step");
            worst = worst.max(scaled_error(st.y(), &exact(st.t()), atol_over_rtol));
        }
        worst
    }
    let settings = Settings::new(Tolerances::new(rtol, atol));
    match solver {
        Solver::Radau5 => run(
            Radau5::new(sys, 0.0, y0, t1, settings).expect("Radau5::new"),
            atol / rtol,
            exact,
        ),
        Solver::AdaptiveRadau => run(
            AdaptiveRadau::new(sys, 0.0, y0, t1, settings).expect("AdaptiveRadau::new"),
            atol / rtol,
            exact,
        ),
        Solver::Bdf => run(
            Bdf::new(sys, 0.0, y0, t1, settings).expect("Bdf::new"),
            atol / rtol,
            exact,
        ),
    }
}

/// Runs `solve_ivp` with `t_eval`; the largest scaled error against `exact` over the `t_eval`
/// points (interpolated by the method's dense output), and the counters.
#[allow(clippy::too_many_arguments)]
fn t_eval_error<Sys: OdeSystem<N> + ?Sized, const N: usize>(
    sys: &Sys,
    solver: Solver,
    y0: [f64; N],
    t1: f64,
    t_eval: &[f64],
    rtol: f64,
    atol: f64,
    exact: impl Fn(f64) -> [f64; N],
) -> (f64, Stats) {
    let options = Options::new(solver.method())
        .rtol(rtol)
        .atol(atol)
        .t_eval(t_eval.to_vec());
    let sol = solve_ivp(sys, (0.0, t1), y0, options).expect("solve_ivp");
    assert!(sol.success, "{}: {}", solver.name(), sol.message);
    assert_eq!(sol.t, t_eval, "{}: the t_eval points", solver.name());
    let err = sol
        .t
        .iter()
        .zip(&sol.y)
        .map(|(&t, y)| scaled_error(y, &exact(t), atol / rtol))
        .fold(0.0, f64::max);
    (err, sol.stats)
}

// ---------------------------------------------------------------------------------------------
// Tables.

/// A case measured below `mescd ≥ −log10(rtol) − 1`: the floor it must still keep (0.25 to
/// 0.65 digits below what it reached; the reason is given where it is listed).
struct Known {
    solver: Solver,
    rtol: f64,
    floor: f64,
}

/// One integration of a table.
struct Row {
    solver: Solver,
    rtol: f64,
    atol: f64,
    /// mescd, `NaN` when the integration failed.
    mescd: f64,
    stats: Stats,
    ms: f64,
    error: Option<Error>,
}

impl Row {
    fn new(solver: Solver, rtol: f64, atol: f64, err: f64, stats: Stats, ms: f64) -> Self {
        Row {
            solver,
            rtol,
            atol,
            mescd: -err.log10(),
            stats,
            ms,
            error: None,
        }
    }

    /// "Within the tolerance's order": error ≤ 10 rtol in the mescd scaling.
    fn bound(&self) -> f64 {
        -self.rtol.log10() - 1.0
    }

    /// The floor of a known miss, if this is one.
    fn known_floor(&self, known: &[Known]) -> Option<f64> {
        known
            .iter()
            .find(|k| k.solver == self.solver && k.rtol == self.rtol)
            .map(|k| k.floor)
    }
}

fn table(title: &str, rows: &[Row], known: &[Known]) -> String {
    let mut s = String::new();
    writeln!(s, "\n== {title}").unwrap();
    writeln!(
        s,
        "{:<7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>5} {:>5} {:>4} {:>7}",
        "method", "rtol", "atol", "mescd", "bound", "steps", "nfev", "njev", "nlu", "rej", "ms"
    )
    .unwrap();
    for r in rows {
        let st = r.stats;
        let note = match (&r.error, r.known_floor(known)) {
            (Some(e), _) => format!("  FAILED: {e}"),
            (None, Some(f)) if r.mescd < r.bound() => format!("  known miss (floor {f:.1})"),
            (None, Some(_)) => "  listed as a known miss but meets the bound".to_string(),
            (None, None) if r.mescd < r.bound() => "  MISS".to_string(),
            (None, None) => String::new(),
        };
        writeln!(
            s,
            "{:<7} {:>6.0e} {:>6.0e} {:>6.2} {:>6.1} {:>6} {:>7} {:>5} {:>5} {:>4} {:>7.1}{note}",
            r.solver.name(),
            r.rtol,
            r.atol,
            r.mescd,
            r.bound(),
            st.n_accepted,
            st.nfev,
            st.njev,
            st.nlu,
            st.n_rejected,
            r.ms,
        )
        .unwrap();
    }
    s
}

/// Prints the table, then checks every row: `mescd ≥ −log10(rtol) − 1`, or for a known miss
/// its floor.
fn print_and_check(title: &str, rows: &[Row], known: &[Known]) {
    println!("{}", table(title, rows, known));
    let misses: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let want = r.known_floor(known).unwrap_or(r.bound());
            let ok = r.error.is_none() && r.mescd >= want;
            (!ok).then(|| {
                format!(
                    "{} rtol {:e}: mescd {:.2} < {want:.2} ({:?})",
                    r.solver.name(),
                    r.rtol,
                    r.mescd,
                    r.error
                )
            })
        })
        .collect();
    assert!(misses.is_empty(), "{title}: {misses:#?}");
}

/// Runs every solver at every `rtol` of [`RTOLS`] (with `atol = atol_over_rtol · rtol`) from
/// `(0, y0)` to `t1` with the stepping API, and scores the end point against `reference`.
fn reference_rows<Sys: OdeSystem<N> + Copy, const N: usize>(
    sys: Sys,
    y0: [f64; N],
    t1: f64,
    reference: &[f64; N],
    atol_over_rtol: f64,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for solver in SOLVERS {
        for rtol in RTOLS {
            let atol = atol_over_rtol * rtol;
            let settings = Settings::new(Tolerances::new(rtol, atol));
            let clock = Instant::now();
            let out = integrate(solver, sys, 0.0, y0, t1, settings);
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            rows.push(match out {
                Ok((y, stats)) => Row {
                    mescd: mescd(&y, reference, atol_over_rtol),
                    ..Row::new(solver, rtol, atol, 1.0, stats, ms)
                },
                Err(e) => Row {
                    mescd: f64::NAN,
                    error: Some(e),
                    ..Row::new(solver, rtol, atol, 1.0, Stats::default(), ms)
                },
            });
        }
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// 1. Published reference solutions (in `problems/stiff.rs`).

#[test]
fn robertson_t40() {
    // atol = 1e-6 rtol: the small component y2 ~ 1e-5 is resolved.
    let rows = reference_rows(Robertson, [1.0, 0.0, 0.0], 40.0, &ROBERTSON_T40, 1e-6);
    print_and_check(
        "Robertson, t = 40 (DETEST D2), atol = 1e-6 rtol",
        &rows,
        &[],
    );
}

#[test]
fn robertson_t1e11() {
    // atol = 1e-4 rtol, as the Test Set's RADAU5 row in REFERENCES.md.
    let rows = reference_rows(Robertson, [1.0, 0.0, 0.0], 1e11, &ROBERTSON_T1E11, 1e-4);
    print_and_check(
        "Robertson, t = 1e11 (Test Set ROBER), atol = 1e-4 rtol",
        &rows,
        &[],
    );
}

#[test]
fn van_der_pol_mu_1000() {
    // Known misses. 2000 time units with two relaxation jumps a period: the local errors
    // accumulate to 25–150 rtol. Measured 8.56 (Radau5 1e-10; SciPy Radau with the converted
    // tolerance: 8.69), 4.30 and 7.83 (Bdf; SciPy BDF: 4.38 and 7.75).
    let known = [
        Known {
            solver: Solver::Radau5,
            rtol: 1e-10,
            floor: 8.0,
        },
        Known {
            solver: Solver::Bdf,
            rtol: 1e-6,
            floor: 4.0,
        },
        Known {
            solver: Solver::Bdf,
            rtol: 1e-10,
            floor: 7.5,
        },
    ];
    let rows = reference_rows(
        VanDerPol { mu: 1000.0 },
        [2.0, 0.0],
        2000.0,
        &VAN_DER_POL_T2000,
        1.0,
    );
    print_and_check(
        "Van der Pol μ = 1000, t = 2000 (Test Set VDPOL), atol = rtol",
        &rows,
        &known,
    );
}

/// In the relaxation jump near `t = 807`, `|y₂'| ≈ 4e4`: one ulp of `t` (1.1e-13) moves `y₂` by
/// 5e-9, 60 times the tolerance at `rtol = atol = 1e-12`. A BDF that takes the rounded
/// `(t + h) − t` as its step sees that jitter of the grid as local error, cuts the step, and
/// ends in a step-size underflow there (SciPy 1.17's `BDF` stops at `t = 807.08`, "Required step
/// size is less than spacing between numbers"; so did `Bdf` before it kept an exact grid). The
/// floor of 9 digits is 1000 rtol, above the 25–150 rtol that the test above shows accumulating
/// over the 2000 time units; measured 9.58.
#[test]
fn bdf_passes_the_van_der_pol_jump_at_1e_12() {
    let (y, stats) = integrate(
        Solver::Bdf,
        VanDerPol { mu: 1000.0 },
        0.0,
        [2.0, 0.0],
        2000.0,
        Settings::new(Tolerances::new(1e-12, 1e-12)),
    )
    .expect("Bdf reaches t = 2000 at rtol = atol = 1e-12");
    let m = mescd(&y, &VAN_DER_POL_T2000, 1.0);
    println!("Bdf, Van der Pol μ = 1000, rtol = atol = 1e-12: mescd {m:.2}, {stats:?}");
    assert!(m >= 9.0, "mescd {m:.2}");
}

#[test]
fn hires() {
    // Known misses at 1e-10: measured 8.88 (Radau5; SciPy Radau with the converted tolerance:
    // 9.01, just on the bound) and 8.65 (Bdf; SciPy BDF: 8.56). The Test Set's VODE run at
    // rtol = atol = 1e-10 reached 8.75 (REFERENCES.md).
    let known = [
        Known {
            solver: Solver::Radau5,
            rtol: 1e-10,
            floor: 8.5,
        },
        Known {
            solver: Solver::Bdf,
            rtol: 1e-10,
            floor: 8.0,
        },
    ];
    let rows = reference_rows(Hires, HIRES_Y0, 321.8122, &HIRES_T_END, 1e-4);
    print_and_check(
        "HIRES, t = 321.8122 (Test Set HIRES), atol = 1e-4 rtol",
        &rows,
        &known,
    );
}

#[test]
fn radau5_reproduces_hairers_radau5() {
    // The Test Set runs quoted in REFERENCES.md (rtol, atol, h0), done by Hairer's own
    // RADAU5: radau5.f, "version of July 9, 1996, latest small correction: January 18,
    // 2002", as shipped in the Assimulo 3.0 source archive on PyPI
    // (`assimulo/thirdparty/hairer/radau_decsol.f`), compiled with gfortran 12.2 -O2 and run
    // on 2026-11-21 with these problems, ITOL = 0, the analytic full Jacobian (IJAC = 1) and
    // every other WORK/IWORK entry at its default. Its counters (IWORK(14..19)) and the mescd
    // of its end state are `radau5_f`: (mescd, NSTEP, NFCN, NJAC, NDEC).
    //
    // Radau5 implements the same algorithm, so it must do the same work, up to rounding
    // (allowed: 2 % on each counter, 0.05 in mescd); it spends one f more (at the final point,
    // where RADAU5 returns first). The counters REFERENCES.md quotes as "published RADAU5"
    // (`published`) are printed beside, for comparison only: radau5.f itself does not
    // reproduce them (see `benches/peers/benches/radau5_counters.rs`).
    // VDPOL is the Test Set's `vdpolm` (μ-form, μ = 1000 on [0, 2000]), as REFERENCES.md
    // states it. The h0 are REFERENCES.md's as its header reads ("rtol = atol (= h0)"); the
    // published runs themselves used h0 = 1e-2 rtol (`adaptive_radau_reproduces_published_radau`).
    struct Run {
        name: &'static str,
        rtol: f64,
        atol: f64,
        h0: f64,
        radau5_f: (f64, usize, usize, usize, usize),
        published: (f64, usize, usize, usize, usize),
    }
    let runs = [
        Run {
            name: "HIRES",
            rtol: 1e-7,
            atol: 1e-7,
            h0: 1e-9,
            radau5_f: (6.81, 79, 684, 31, 61),
            published: (7.11, 51, 985, 22, 51),
        },
        Run {
            name: "HIRES",
            rtol: 1e-10,
            atol: 1e-10,
            h0: 1e-10,
            radau5_f: (9.36, 199, 1660, 61, 97),
            published: (10.65, 69, 1511, 29, 68),
        },
        Run {
            name: "ROBER",
            rtol: 1e-10,
            atol: 1e-14,
            h0: 1e-10,
            radau5_f: (11.73, 888, 6232, 402, 432),
            published: (11.21, 108, 3420, 92, 108),
        },
        Run {
            name: "VDPOL",
            rtol: 1e-7,
            atol: 1e-7,
            h0: 1e-7,
            radau5_f: (6.84, 503, 3932, 331, 426),
            published: (8.56, 240, 3508, 187, 238),
        },
    ];
    let mut out = String::from(
        "\n== Radau5 at the Test Set's settings: radau5.f run → ours  [published]\n\
         problem   rtol   atol     h0  mescd                  steps                 nfev                 njev             nlu\n",
    );
    let mut misses = Vec::new();
    for p in runs {
        // Radau5 with the run's settings on one problem: the mescd of the end state, the counters.
        fn run<Sys: OdeSystem<N>, const N: usize>(
            p: &Run,
            sys: Sys,
            y0: [f64; N],
            t_end: f64,
            reference: &[f64; N],
        ) -> (f64, Stats) {
            let settings = Settings::new(Tolerances::new(p.rtol, p.atol)).first_step(p.h0);
            let (y, stats) =
                integrate(Solver::Radau5, sys, 0.0, y0, t_end, settings).expect(p.name);
            (mescd(&y, reference, p.atol / p.rtol), stats)
        }
        let (m, stats) = match p.name {
            "HIRES" => run(&p, Hires, HIRES_Y0, 321.8122, &HIRES_T_END),
            "ROBER" => run(&p, Robertson, [1.0, 0.0, 0.0], 1e11, &ROBERTSON_T1E11),
            _ => run(
                &p,
                VanDerPol { mu: 1000.0 },
                [2.0, 0.0],
                2000.0,
                &VAN_DER_POL_T2000,
            ),
        };
        let steps = stats.n_accepted + stats.n_rejected;
        let (rm, rs, rf, rj, rl) = p.radau5_f;
        let (pm, ps, pf, pj, pl) = p.published;
        writeln!(
            out,
            "{:<7} {:>6.0e} {:>6.0e} {:>6.0e}  {rm:5.2} → {m:5.2} [{pm:5.2}]  {rs:4} → {steps:4} [{ps:4}]  \
             {rf:5} → {:5} [{pf:5}]  {rj:4} → {:4} [{pj:3}]  {rl:4} → {:4} [{pl:3}]",
            p.name, p.rtol, p.atol, p.h0, stats.nfev, stats.njev, stats.nlu
        )
        .unwrap();
        if !same_work(m, &stats, p.radau5_f) {
            misses.push(format!(
                "{} rtol {:e}: differs from radau5.f",
                p.name, p.rtol
            ));
        }
    }
    println!("{out}");
    assert!(misses.is_empty(), "{misses:#?}\n{out}");
}

#[test]
fn adaptive_radau_reproduces_published_radau() {
    // The "published RADAU5" rows of REFERENCES.md (Test Set 2.4 run tables) are runs of
    // Hairer's variable-order RADAU, not RADAU5 (radau5.f does not reproduce them; see
    // `radau5_reproduces_hairers_radau5`), with the first step h0 = 1e-2 rtol, as the table
    // states for its HIRES 1e-7 row (h0 = 1e-9). AdaptiveRadau implements RADAU, and at those
    // settings (rtol, atol, h0; everything else RADAU's defaults, the analytic Jacobian, the
    // problems as the Test Set's `hires.f`, `rober.f` and `vdpolm.f` state them) it must do
    // the same work to the same digits: mescd within 0.05 and every counter within 2 % (it
    // does them exactly today; one f more, at the final point, where RADAU returns first).
    // That meets issue 5, point 7 (the published digits with at most 1.2× the counts) on
    // every row.
    //
    // One more run is printed and held to a floor: HIRES 1e-10 with h0 = 1e-10, as the
    // table's header ("rtol = atol (= h0)") and issue 5 read it. It ends with 9.25 digits in
    // 65 steps, 1501 f, 27 Jacobians and 63 LUs: the end error of HIRES at this tolerance
    // depends on the path (at rtol 0.7, 0.8, …, 1.3 × 1e-10 the same code ends with 10.4,
    // 9.9, 10.0, 9.3, 9.2, 10.5, 9.2 digits), and only h0 = 1e-12 is the published path.
    struct Run {
        name: &'static str,
        rtol: f64,
        atol: f64,
        h0: f64,
        /// (mescd, steps, f, Jacobians, LU) of REFERENCES.md.
        published: (f64, usize, usize, usize, usize),
        /// `None`: must reproduce `published`; `Some(floor)`: not the published run, must keep
        /// this mescd with at most 1.2× the published counts.
        floor: Option<f64>,
    }
    let runs = [
        Run {
            name: "HIRES",
            rtol: 1e-7,
            atol: 1e-7,
            h0: 1e-9,
            published: (7.11, 51, 985, 22, 51),
            floor: None,
        },
        Run {
            name: "HIRES",
            rtol: 1e-10,
            atol: 1e-10,
            h0: 1e-12,
            published: (10.65, 69, 1511, 29, 68),
            floor: None,
        },
        Run {
            name: "HIRES",
            rtol: 1e-10,
            atol: 1e-10,
            h0: 1e-10,
            published: (10.65, 69, 1511, 29, 68),
            floor: Some(9.0),
        },
        Run {
            name: "ROBER",
            rtol: 1e-10,
            atol: 1e-14,
            h0: 1e-12,
            published: (11.21, 108, 3420, 92, 108),
            floor: None,
        },
        Run {
            name: "VDPOL",
            rtol: 1e-7,
            atol: 1e-7,
            h0: 1e-9,
            published: (8.56, 240, 3508, 187, 238),
            floor: None,
        },
    ];
    let mut out = String::from(
        "\n== AdaptiveRadau against Hairer's RADAU, Test Set settings: ours [published]\n\
         problem   rtol   atol     h0  mescd          steps       nfev            njev       nlu        orders 5/9/13\n",
    );
    let mut misses = Vec::new();
    for p in runs {
        fn run<Sys: OdeSystem<N>, const N: usize>(
            p: &Run,
            sys: Sys,
            y0: [f64; N],
            t_end: f64,
            reference: &[f64; N],
        ) -> (f64, Stats, [usize; 3]) {
            let settings = Settings::new(Tolerances::new(p.rtol, p.atol)).first_step(p.h0);
            let mut st = AdaptiveRadau::new(sys, 0.0, y0, t_end, settings).expect(p.name);
            let mut orders = [0; 3];
            while !st.is_finished() {
                let s = st.stages();
                st.step().expect(p.name);
                orders[(s - 3) / 2] += 1;
            }
            (
                mescd(st.y(), reference, p.atol / p.rtol),
                st.stats(),
                orders,
            )
        }
        let (m, stats, orders) = match p.name {
            "HIRES" => run(&p, Hires, HIRES_Y0, 321.8122, &HIRES_T_END),
            "ROBER" => run(&p, Robertson, [1.0, 0.0, 0.0], 1e11, &ROBERTSON_T1E11),
            _ => run(
                &p,
                VanDerPol { mu: 1000.0 },
                [2.0, 0.0],
                2000.0,
                &VAN_DER_POL_T2000,
            ),
        };
        let steps = stats.n_accepted + stats.n_rejected;
        let (pm, ps, pf, pj, pl) = p.published;
        writeln!(
            out,
            "{:<7} {:>6.0e} {:>6.0e} {:>6.0e}  {m:5.2} [{pm:5.2}]  {steps:4} [{ps:4}]  {:5} [{pf:5}] {:4.2}×  \
             {:4} [{pj:3}]  {:4} [{pl:3}]  {:?}{}",
            p.name,
            p.rtol,
            p.atol,
            p.h0,
            stats.nfev,
            stats.nfev as f64 / pf as f64,
            stats.njev,
            stats.nlu,
            orders,
            if p.floor.is_some() { "  (h0 = rtol)" } else { "" },
        )
        .unwrap();
        match p.floor {
            None => {
                if !same_work(m, &stats, p.published) {
                    misses.push(format!(
                        "{} rtol {:e}: does not reproduce the published run",
                        p.name, p.rtol
                    ));
                }
            }
            Some(floor) => {
                let within = |ours: usize, theirs: usize| ours as f64 <= 1.2 * theirs as f64;
                if m < floor
                    || !within(steps, ps)
                    || !within(stats.nfev, pf)
                    || !within(stats.nlu, pl)
                {
                    misses.push(format!(
                        "{} rtol {:e} h0 {:e}: below its floor",
                        p.name, p.rtol, p.h0
                    ));
                }
            }
        }
    }
    println!("{out}");
    assert!(misses.is_empty(), "{misses:#?}\n{out}");
}

// ---------------------------------------------------------------------------------------------
// 2. Closed forms.

#[test]
fn prothero_robinson_exact() {
    // y' = −1000 (y − cos t) − sin t, y(0) = 1: exact y = cos t.
    //
    // Known misses, Radau5 at the t_eval points: the stiff Prothero–Robinson problem shows
    // Radau IIA's order reduction. The step-end error is then of the order of the error
    // estimate, so it follows RADAU5's converted tolerance rtol' = 0.1 rtol^{2/3} (checked
    // below) rather than rtol, and the dense output between step ends (the collocation
    // polynomial) is coarser still: measured 3.13 and 6.63 (SciPy Radau with the converted
    // tolerance: 3.37 and 7.01).
    //
    // AdaptiveRadau misses here for the same reason, further: its dense output is the
    // collocation polynomial of degree s (order s, not 2s − 1) over steps that the higher
    // orders make longer. Measured 3.13 and 5.35.
    let known = [
        Known {
            solver: Solver::Radau5,
            rtol: 1e-6,
            floor: 2.5,
        },
        Known {
            solver: Solver::Radau5,
            rtol: 1e-10,
            floor: 6.0,
        },
        Known {
            solver: Solver::AdaptiveRadau,
            rtol: 1e-6,
            floor: 2.8,
        },
        Known {
            solver: Solver::AdaptiveRadau,
            rtol: 1e-10,
            floor: 5.0,
        },
    ];
    let sys = ProtheroRobinson { lambda: -1000.0 };
    let t_eval = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.5, 10.0];
    let mut rows = Vec::new();
    for solver in SOLVERS {
        for rtol in RTOLS {
            let clock = Instant::now();
            let (err, stats) =
                t_eval_error(
                    &sys,
                    solver,
                    [1.0],
                    10.0,
                    &t_eval,
                    rtol,
                    rtol,
                    |t| [t.cos()],
                );
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            rows.push(Row::new(solver, rtol, rtol, err, stats, ms));
        }
    }
    print_and_check(
        "Prothero–Robinson λ = −1000 on [0, 10] at t_eval, atol = rtol",
        &rows,
        &known,
    );
    // Radau5 at its step ends: within ten times the converted tolerance.
    for rtol in [1e-4, 1e-6, 1e-8, 1e-10] {
        let err = max_step_end_error(Solver::Radau5, sys, [1.0], 10.0, rtol, rtol, |t| [t.cos()]);
        println!(
            "Radau5 Prothero–Robinson rtol {rtol:e}: step-end error {err:.2e} = {:.2} rtol'",
            err / radau_rtol(rtol)
        );
        assert!(
            err <= 10.0 * radau_rtol(rtol),
            "rtol {rtol:e}: step-end error {err:e}"
        );
    }
}

/// The known misses of the linear system `y' = A y` at its `t_eval` points: the slow mode
/// e^{−t} is followed over ten time constants with 200–2000 steps, and its error accumulates
/// to 35–180 rtol. Measured 8.32 (Radau5 1e-10; SciPy Radau with the converted tolerance:
/// 8.48), 4.46 and 7.75 (Bdf; SciPy BDF: 4.44 and 7.74). AdaptiveRadau meets the bound at
/// its step ends (6.62 and 10.67 measured) and at `1e-6` between them (5.46), but not at
/// `1e-10` between them: its dense output is the collocation polynomial, of order s rather
/// than 2s − 1, over 62 long steps; measured 7.79 at the `t_eval` points.
const LINEAR3_KNOWN: [Known; 4] = [
    Known {
        solver: Solver::Radau5,
        rtol: 1e-10,
        floor: 8.0,
    },
    Known {
        solver: Solver::AdaptiveRadau,
        rtol: 1e-10,
        floor: 7.4,
    },
    Known {
        solver: Solver::Bdf,
        rtol: 1e-6,
        floor: 4.0,
    },
    Known {
        solver: Solver::Bdf,
        rtol: 1e-10,
        floor: 7.5,
    },
];

/// `t_eval` for the linear system: inside the fast transients and along the slow mode.
const LINEAR3_T_EVAL: [f64; 8] = [0.0, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 3.0, 10.0];

#[test]
fn linear_stiff_exact() {
    // y' = A y, eigenvalues −1, −100, −1e4, from (1, 1, 1): closed form `linear3_exact`.
    let y0 = [1.0, 1.0, 1.0];
    let mut rows = Vec::new();
    for solver in SOLVERS {
        for rtol in RTOLS {
            let atol = 1e-6 * rtol;
            let clock = Instant::now();
            let (err, stats) = t_eval_error(
                &Linear3,
                solver,
                y0,
                10.0,
                &LINEAR3_T_EVAL,
                rtol,
                atol,
                |t| linear3_exact(y0, t),
            );
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            rows.push(Row::new(solver, rtol, atol, err, stats, ms));
        }
    }
    print_and_check(
        "Linear y' = A y (λ = −1, −1e2, −1e4) at t_eval, atol = 1e-6 rtol",
        &rows,
        &LINEAR3_KNOWN,
    );
}

#[test]
fn constant_jacobian_is_evaluated_once() {
    // The linear system through `ConstantJacobian`, with `solve_ivp`: one Jacobian for the
    // whole run, the same accuracy against the closed form.
    let y0 = [1.0, 1.0, 1.0];
    let sys = ConstantJacobian::new(Linear3, LINEAR3_A);
    let mut rows = Vec::new();
    for solver in SOLVERS {
        for rtol in RTOLS {
            let atol = 1e-6 * rtol;
            let clock = Instant::now();
            let (err, stats) =
                t_eval_error(&sys, solver, y0, 10.0, &LINEAR3_T_EVAL, rtol, atol, |t| {
                    linear3_exact(y0, t)
                });
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            assert_eq!(stats.njev, 1, "{} rtol {rtol:e}: {stats:?}", solver.name());
            rows.push(Row::new(solver, rtol, atol, err, stats, ms));
        }
    }
    print_and_check(
        "Linear y' = A y through ConstantJacobian (njev must be 1)",
        &rows,
        &LINEAR3_KNOWN,
    );
    // Prothero–Robinson with the stepping API: the analytic Jacobian is re-evaluated by
    // Radau5 whenever its Newton iteration contracts slowly; the constant one never is, and
    // the solution stays the same.
    let pr = ProtheroRobinson { lambda: -1000.0 };
    for solver in SOLVERS {
        for rtol in RTOLS {
            let settings = Settings::new(Tolerances::new(rtol, rtol));
            let (y_a, st_a) = integrate(solver, pr, 0.0, [1.0], 10.0, settings).expect("analytic");
            let (y_c, st_c) = integrate(
                solver,
                ConstantJacobian::new(pr, [[-1000.0]]),
                0.0,
                [1.0],
                10.0,
                settings,
            )
            .expect("constant");
            println!(
                "Prothero–Robinson {} rtol {rtol:e}: njev analytic {} → constant {}",
                solver.name(),
                st_a.njev,
                st_c.njev
            );
            assert_eq!(st_c.njev, 1, "{} rtol {rtol:e}: {st_c:?}", solver.name());
            assert!(
                (y_a[0] - y_c[0]).abs() <= rtol * (1.0 + y_a[0].abs()),
                "{} rtol {rtol:e}: {} vs {}",
                solver.name(),
                y_a[0],
                y_c[0]
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Orders and tolerance proportionality.

/// Radau5 at the constant step `h` from `(0, y0)` to `t1`: a tolerance of one (`rtol' = 0.1`
/// after RADAU5's conversion) so that no step is rejected or shrunk, and `max_step = h` so
/// that none grows. The end point, the counters, and whether every step had length `h`.
///
/// Only for problems linear in `y` with a constant Jacobian: there the simplified Newton
/// iteration is exact after one iteration, so its stopping tolerance (loose at `rtol = 1`) does
/// not pollute the error. (On `y' = y cos t` the measured "order" drifts to 4.3 for that
/// reason.)
fn radau_constant_step<Sys: OdeSystem<N>, const N: usize>(
    sys: Sys,
    y0: [f64; N],
    t1: f64,
    h: f64,
) -> ([f64; N], Stats, bool) {
    let settings = Settings::new(Tolerances::new(1.0, 1.0))
        .first_step(h)
        .max_step(h);
    let mut st = Radau5::new(sys, 0.0, y0, t1, settings).expect("Radau5::new");
    let mut all_h = true;
    while !st.is_finished() {
        st.step().expect("step");
        all_h &= st.h() == h;
    }
    (*st.y(), st.stats(), all_h)
}

/// One problem of the constant-step runs: `h ↦ (error at the end, counters, all steps were h)`.
type ConstantStepRun<'a> = dyn Fn(f64) -> (f64, Stats, bool) + 'a;

#[test]
fn radau5_order_five_at_constant_step() {
    // Steps and span powers of two: t advances exactly, every step is exactly h.
    let hs = [0.5, 0.25, 0.125, 0.0625];
    let t1 = 8.0;
    let mut out = String::from("\n== Radau5 at constant step on [0, 8]: end-point error, order\n");
    let mut orders = Vec::new();
    let problems: [(&str, &ConstantStepRun<'_>); 2] = [
        ("y' = −y + sin t", &|h| {
            let (y, stats, all_h) = radau_constant_step(ForcedDecay, [1.0], t1, h);
            ((y[0] - forced_decay_exact(1.0, t1)).abs(), stats, all_h)
        }),
        ("oscillator", &|h| {
            let (y, stats, all_h) = radau_constant_step(Oscillator, [1.0, 0.0], t1, h);
            let ex = oscillator_exact([1.0, 0.0], t1);
            let err = (y[0] - ex[0]).abs().max((y[1] - ex[1]).abs());
            (err, stats, all_h)
        }),
    ];
    for (name, run) in problems {
        let mut prev: Option<f64> = None;
        for h in hs {
            let (err, stats, all_h) = run(h);
            assert!(all_h, "{name}, h = {h}: a step differed from h");
            assert_eq!(
                stats.n_accepted,
                (t1 / h) as usize,
                "{name}, h = {h}: {stats:?}"
            );
            assert_eq!(stats.n_rejected, 0, "{name}, h = {h}: {stats:?}");
            let p = prev.map_or(f64::NAN, |e| (e / err).log2());
            writeln!(
                out,
                "{name:<16} h = {h:<6} steps {:3} nfev {:4} njev {} nlu {}  error {err:9.3e}  order {p:5.2}",
                stats.n_accepted, stats.nfev, stats.njev, stats.nlu
            )
            .unwrap();
            if prev.is_some() {
                orders.push((name, h, p));
            }
            prev = Some(err);
        }
    }
    println!("{out}");
    for (name, h, p) in orders {
        assert!((4.5..=5.6).contains(&p), "{name}, h = {h}: order {p:.2}");
    }
}

#[test]
fn radau5_max_step_dividing_the_span() {
    // Ten steps of 0.1 accumulate to 0.9999999999999999, one ulp short of the bound. A method
    // that landed only when `t + h` reaches the bound (RADAU5's rule) would then ask for a
    // step of 1.1e-16 and fail with StepSizeTooSmall; every method stretches a step by up to
    // 1 % instead.
    for method in [Method::Rk45, Method::Bdf, Method::Radau] {
        let options = Options::new(method).first_step(0.1).max_step(0.1);
        let sol = solve_ivp(&ForcedDecay, (0.0, 1.0), [1.0], options).expect("solve_ivp");
        assert!(sol.success, "{method:?}: {}", sol.message);
    }
}

/// The least-squares slope of `log10 err` against `log10 rtol`.
fn slope(rtols: &[f64], errs: &[f64]) -> f64 {
    let xs: Vec<f64> = rtols.iter().map(|r| r.log10()).collect();
    let ys: Vec<f64> = errs.iter().map(|e| e.log10()).collect();
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    sxy / sxx
}

#[test]
fn tolerance_proportionality() {
    // The largest error at the step ends (the points the error control is about) over
    // [0, 10], for rtol = 1e-4 … 1e-8; atol = rtol (1e-6 rtol for the linear system).
    //
    // Expected slopes: 1 for BDF; for Radau5, whose tolerance conversion gives h ∝ rtol'^{1/4}
    // and a global error ∝ h^5, about (2/3)(5/4) = 0.83 on non-stiff components. On the stiff
    // Prothero–Robinson problem Radau5's error follows rtol' itself (order reduction, see
    // `prothero_robinson_exact`), a slope of 2/3: it is held to that, not to [0.7, 1.3].
    let rtols = [1e-4, 1e-5, 1e-6, 1e-7, 1e-8];
    let y0 = [1.0, 1.0, 1.0];
    let pr = ProtheroRobinson { lambda: -1000.0 };
    let mut out = String::from("\n== Tolerance proportionality: largest step-end error\n");
    writeln!(out, "rtol = {rtols:?}").unwrap();
    let mut failures = Vec::new();
    for solver in SOLVERS {
        let cases: [(&str, &dyn Fn(f64) -> f64); 5] = [
            ("y' = −y + sin t", &|rtol| {
                max_step_end_error(solver, ForcedDecay, [1.0], 10.0, rtol, rtol, |t| {
                    [forced_decay_exact(1.0, t)]
                })
            }),
            ("y' = y cos t", &|rtol| {
                max_step_end_error(solver, ExpSin, [1.0], 10.0, rtol, rtol, |t| [t.sin().exp()])
            }),
            ("oscillator", &|rtol| {
                max_step_end_error(solver, Oscillator, [1.0, 0.0], 10.0, rtol, rtol, |t| {
                    oscillator_exact([1.0, 0.0], t)
                })
            }),
            ("linear A y", &|rtol| {
                max_step_end_error(solver, Linear3, y0, 10.0, rtol, 1e-6 * rtol, |t| {
                    linear3_exact(y0, t)
                })
            }),
            ("Prothero–Robinson", &|rtol| {
                max_step_end_error(solver, pr, [1.0], 10.0, rtol, rtol, |t| [t.cos()])
            }),
        ];
        for (name, run) in cases {
            let errs: Vec<f64> = rtols.iter().map(|&r| run(r)).collect();
            let s = slope(&rtols, &errs);
            write!(out, "{:<7} {name:<18}", solver.name()).unwrap();
            for e in &errs {
                write!(out, " {e:8.1e}").unwrap();
            }
            writeln!(out, "  slope {s:.3}").unwrap();
            let range = if solver == Solver::Radau5 && name == "Prothero–Robinson" {
                0.55..=0.8
            } else if name == "Prothero–Robinson" {
                // BDF is far more accurate than asked at loose tolerances here (error 2e-6 at
                // rtol 1e-4, from its automatic first step on): the slope flattens to ~0.6,
                // with every error well inside its tolerance.
                0.5..=1.3
            } else {
                0.7..=1.3
            };
            if !range.contains(&s) {
                failures.push(format!(
                    "{} {name}: slope {s:.3} outside {range:?}",
                    solver.name()
                ));
            }
        }
    }
    println!("{out}");
    assert!(failures.is_empty(), "{failures:#?}");
}
