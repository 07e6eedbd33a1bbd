//! Large sparse stiff systems: odegen's `solve_ivp` (automatic linear solver: the sparse LU
//! over a nested-dissection order of the reported pattern, analytic Jacobian entries) against
//! SUNDIALS CVODE with KLU (a small C program, `c/cvode_sparse.c`, built here with the system's
//! `cc` against Debian's `libsundials-dev` and `libsuitesparse-dev`), SciPy's `solve_ivp`
//! BDF with `jac_sparsity` (`python/scipy_sparse.py`) and diffsol 0.18's BDF over its faer
//! sparse matrices and LU (`FaerSparseMat`, `FaerSparseLU`; the pattern found by its NaN
//! probes of the same analytic Jacobian, handed over as the product `J v`), all in the same
//! run, on
//!
//! - DifferentialEquations.jl's 2-D Brusselator (`n = 32, 64`; `N = 2 n²`) over `[0, 11.5]`,
//!   against an AdaptiveRadau reference at `rtol = atol = 1e-10`;
//! - the 1-D heat equation with `N = 10⁴` and the 2-D one on `64 × 64` points to `t = 0.01`,
//!   against their exact semi-discrete solutions.
//!
//! Every program solves the same equations from the same state (`tests/problems/*.rs` and their
//! C and Python transcriptions); the error is the largest deviation of the final state from the
//! reference, relative to the reference's largest component. Each peer runs at
//! `rtol ∈ {1e-4, 1e-6, 1e-8}`; odegen runs Radau5 at the same tolerances and Rodas5P and BDF
//! also at the half-decades between them (`3e-5`, `3e-7`, `3e-9`), and the **matched ratio**
//! of a peer run is its time over the fastest odegen run whose error is no larger. Times are medians of [`REPS`] solves, everything included (set-up, the solve; the
//! Python interpreter's start-up excluded).
//!
//! Then the sparse LU kernels alone on the Brusselator's `c I − J`: odegen's (the structure
//! computed once, numeric factorisation and solve only) against faer's sparse LU (its symbolic
//! analysis once, numeric factorisation and solve), and the peak resident memory of one solve
//! of each size (`VmHWM` of a child process running that solve only).
//!
//! ```sh
//! cargo bench -p odegen-peers --bench sparse                  # everything (about 8 minutes)
//! cargo bench -p odegen-peers --bench sparse -- --kernels     # the LU kernels only
//! cargo bench -p odegen-peers --bench sparse -- --crossover   # dense/sparse at small N, band/sparse
//! cargo bench -p odegen-peers --bench sparse -- --macro       # the #[ode_system] Brusselator
//! ```

#[path = "../../../tests/problems/bruss_macro.rs"]
mod bruss_macro;
#[path = "../../../tests/problems/brusselator2d.rs"]
mod brusselator2d;
#[path = "../../../tests/problems/heat1d.rs"]
mod heat1d;
#[path = "../../../tests/problems/heat2d.rs"]
mod heat2d;

use bruss_macro::{Bruss32, Bruss64};
use brusselator2d::Brusselator2d;
use diffsol::{
    FaerSparseLU, FaerSparseMat, OdeBuilder, OdeEquations, OdeSolverMethod, OdeSolverStopReason,
    Op, Vector,
};
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::sparse::linalg::lu::{factorize_symbolic_lu, NumericLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par};
use odegen::linalg::symbolic::factor_flops;
use odegen::linalg::{factor_in_place, solve_in_place};
use odegen::prelude::*;
use odegen::{LinearSolverKind, OdeResult, Stats};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Solves timed per configuration (the median is reported).
const REPS: usize = 3;
const RTOLS: [f64; 3] = [1e-4, 1e-6, 1e-8];
/// odegen's methods and tolerances: the peers' and, for Rodas5P and BDF, half-decades between
/// them, so that a peer's error finds an odegen run close to it.
/// odegen's runs of each case: the method, whether Bdf reuses its factors across step changes
/// (CVODE's rule, `Options::reuse_factorizations`), and the tolerances.
const ODEGEN_RUNS: [(Method, bool, &[f64]); 4] = [
    (
        Method::Rodas5P,
        false,
        &[1e-4, 3e-5, 1e-6, 3e-7, 1e-8, 3e-9],
    ),
    (Method::Bdf, false, &[1e-4, 3e-5, 1e-6, 3e-7, 1e-8, 3e-9]),
    (Method::Bdf, true, &[1e-4, 3e-5, 1e-6, 3e-7, 1e-8, 3e-9]),
    (Method::Radau, false, &RTOLS),
];

/// One solve's outcome, odegen's or a peer's.
#[derive(Debug, Clone)]
struct Run {
    who: String,
    rtol: f64,
    seconds: f64,
    steps: usize,
    nfev: usize,
    nlu: usize,
    error: f64,
}

/// A problem: its name for the peers, its size argument, the span's end, `atol` as a multiple
/// of `rtol`.
struct Case {
    name: &'static str,
    peer_problem: &'static str,
    size: usize,
    t1: f64,
    atol_per_rtol: f64,
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// The median of `reps` timings of `f`, in seconds.
fn median_time(reps: usize, f: &mut dyn FnMut()) -> f64 {
    median(
        (0..reps)
            .map(|_| {
                let s = Instant::now();
                f();
                s.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn rel_error(y: &[f64], reference: &[f64]) -> f64 {
    let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let e = y
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    e / scale
}

/// odegen's runs of a case: [`ODEGEN_RUNS`].
fn odegen_runs<Sys: OdeSystem<N>, const N: usize>(
    sys: &Sys,
    y0: [f64; N],
    case: &Case,
    reference: &[f64],
) -> Vec<Run> {
    let mut runs = Vec::new();
    for (method, reuse, rtols) in ODEGEN_RUNS {
        for &rtol in rtols {
            let options = Options::new(method)
                .rtol(rtol)
                .atol(case.atol_per_rtol * rtol)
                .reuse_factorizations(reuse);
            let mut times = Vec::new();
            let mut last: Option<OdeResult<f64, N>> = None;
            for _ in 0..REPS {
                let start = Instant::now();
                let sol = solve_ivp(sys, (0.0, case.t1), y0, options.clone())
                    .and_then(|s| s.into_result())
                    .unwrap_or_else(|e| panic!("{} {method} {rtol:e}: {e}", case.name));
                times.push(start.elapsed().as_secs_f64());
                last = Some(sol);
            }
            let sol = last.expect("REPS > 0");
            assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
            let s: Stats = sol.stats;
            runs.push(Run {
                who: if reuse {
                    format!("odegen {} (reuse)", method.name())
                } else {
                    format!("odegen {}", method.name())
                },
                rtol,
                seconds: median(times),
                steps: s.n_accepted,
                nfev: s.nfev,
                nlu: s.nlu,
                error: rel_error(sol.y.last().expect("end"), reference),
            });
        }
    }
    runs
}

/// Builds the CVODE peer into `dir`; `None` (with the reason printed) where SUNDIALS or KLU is
/// missing.
fn build_cvode(dir: &Path) -> Option<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("c/cvode_sparse.c");
    let exe = dir.join("cvode_sparse");
    let out = Command::new("cc")
        .args(["-O3", "-march=native", "-I/usr/include/suitesparse"])
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .args([
            "-lsundials_cvode",
            "-lsundials_nvecserial",
            "-lsundials_sunlinsolklu",
            "-lsundials_sunmatrixsparse",
            "-lklu",
            "-lm",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        println!(
            "CVODE+KLU peer skipped (apt install libsundials-dev libsuitesparse-dev): {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("")
        );
        return None;
    }
    Some(exe)
}

/// Runs a peer program (`cmd` with the case's arguments) and reads its report.
fn peer_run(
    who: &str,
    cmd: &mut Command,
    case: &Case,
    rtol: f64,
    reference: &[f64],
) -> Option<Run> {
    let out = cmd
        .arg(case.peer_problem)
        .arg(case.size.to_string())
        .arg(format!("{rtol:e}"))
        .arg(format!("{:e}", case.atol_per_rtol * rtol))
        .arg(case.t1.to_string())
        .arg(REPS.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        println!(
            "{who} failed on {} at {rtol:e}: {}",
            case.name,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let head: Vec<f64> = lines
        .next()?
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let y: Vec<f64> = lines.filter_map(|l| l.trim().parse().ok()).collect();
    assert_eq!(y.len(), reference.len(), "{who}: the final state");
    Some(Run {
        who: who.to_string(),
        rtol,
        seconds: head[0],
        steps: head[1] as usize,
        nfev: head[2] as usize,
        nlu: head[4] as usize,
        error: rel_error(&y, reference),
    })
}

fn report(case: &Case, n_eq: usize, lu_nnz: usize, ours: &[Run], peers: &[Run]) {
    println!(
        "\n{} (N = {n_eq}, nnz(L + U) = {lu_nnz}): median of {REPS} solves",
        case.name
    );
    println!(
        "  {:<22} {:>6} {:>7} {:>7} {:>6} {:>9} {:>10} {:>11} {:>9}",
        "solver", "rtol", "steps", "nfev", "nlu", "error", "time", "time/step", "matched"
    );
    for r in ours.iter().chain(peers) {
        let matched = if r.who.starts_with("odegen") {
            String::new()
        } else {
            ours.iter()
                .filter(|o| o.error <= r.error)
                .map(|o| o.seconds)
                .min_by(f64::total_cmp)
                .map_or("-".into(), |best| format!("{:.1}×", r.seconds / best))
        };
        println!(
            "  {:<22} {:>6.0e} {:>7} {:>7} {:>6} {:>9.1e} {:>8.1} ms {:>8.3} ms {:>9}",
            r.who,
            r.rtol,
            r.steps,
            r.nfev,
            r.nlu,
            r.error,
            1e3 * r.seconds,
            1e3 * r.seconds / r.steps.max(1) as f64,
            matched
        );
    }
}

/// diffsol's BDF over faer's sparse LU: `J v` from the system's analytic entries (only its
/// structural non-zeros, so diffsol's NaN probes find the pattern exactly).
fn diffsol_runs<Sys: OdeSystem<N>, const N: usize>(
    sys: &Sys,
    y0: [f64; N],
    case: &Case,
    reference: &[f64],
) -> Vec<Run> {
    let arr = |x: &[f64]| -> [f64; N] { x.try_into().expect("length N") };
    let mut runs = Vec::new();
    for rtol in RTOLS {
        let mut times = Vec::new();
        let mut last = None;
        let mut failed = false;
        for _ in 0..REPS {
            let start = Instant::now();
            let problem = OdeBuilder::<FaerSparseMat<f64>>::new()
                .t0(0.0)
                .rtol(rtol)
                .atol([case.atol_per_rtol * rtol])
                .rhs_implicit(
                    |x, _p, t, y| {
                        let mut dy = [0.0; N];
                        sys.rhs(t, &arr(x), &mut dy);
                        y.copy_from_slice(&dy);
                    },
                    |x, _p, t, v, y| {
                        y.iter_mut().for_each(|w| *w = 0.0);
                        sys.newton_jacobian_entries(t, &arr(x), &[0.0; N], &mut |i, j, a| {
                            y[i] += a * v[j]
                        });
                    },
                )
                .init(|_p, _t, y| y.copy_from_slice(&y0), N)
                .build()
                .expect("diffsol: building the problem");
            let mut solver = problem
                .bdf::<FaerSparseLU<f64>>()
                .expect("diffsol: creating the BDF solver");
            solver.set_stop_time(case.t1).expect("diffsol: stop time");
            loop {
                match solver.step() {
                    Ok(OdeSolverStopReason::TstopReached) => break,
                    Ok(_) => {}
                    Err(e) => {
                        println!("diffsol BDF failed on {} at rtol {rtol:e}: {e}", case.name);
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                break;
            }
            times.push(start.elapsed().as_secs_f64());
            let st = solver.get_statistics();
            let rhs = problem.eqn.rhs().statistics();
            last = Some((
                solver.state().y.clone_as_vec(),
                st.number_of_steps,
                rhs.number_of_calls,
                st.number_of_linear_solver_setups,
            ));
        }
        let Some((y, steps, nfev, nlu)) = last else {
            continue;
        };
        runs.push(Run {
            who: "diffsol BDF faer sparse".into(),
            rtol,
            seconds: median(times),
            steps,
            nfev,
            nlu,
            error: rel_error(&y, reference),
        });
    }
    runs
}

fn peers(case: &Case, cvode: Option<&Path>, reference: &[f64]) -> Vec<Run> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/scipy_sparse.py");
    let mut runs = Vec::new();
    for rtol in RTOLS {
        if let Some(exe) = cvode {
            runs.extend(peer_run(
                "CVODE+KLU",
                &mut Command::new(exe),
                case,
                rtol,
                reference,
            ));
        }
        let mut py = Command::new("python3");
        py.arg(&script);
        runs.extend(peer_run(
            "SciPy BDF jac_sparsity",
            &mut py,
            case,
            rtol,
            reference,
        ));
    }
    runs
}

/// Times odegen's sparse LU kernel and faer's on `c I − J(y0)` of `sys`.
fn lu_kernels<Sys: OdeSystem<N>, const N: usize>(name: &str, sys: &Sys, y: &[f64; N]) {
    let js = sys.jacobian_structure().expect("a pattern");
    let lu = odegen::linalg::symbolic::analyse(N, js.pattern);
    let st = lu.as_structure();
    let mut entries = Vec::new();
    sys.newton_jacobian_entries(0.0, y, &[0.0; N], &mut |i, j, v| entries.push((i, j, v)));
    let c = 1e3;
    // c I − J in the positions of a structure.
    let shifted = |st: &odegen::linalg::LuStructure<'_>| {
        let mut values = vec![0.0; st.nnz()];
        for &(i, j, v) in &entries {
            values[st.position(i, j).expect("in the structure")] -= v;
        }
        for &d in st.diag {
            values[d as usize] += c;
        }
        values
    };
    let base = shifted(&st);
    let (mut values, mut inv, mut work) = (base.clone(), vec![0.0; N], vec![0.0; N]);
    let time = |f: &mut dyn FnMut()| median_time(31, f);
    let ours_factor = time(&mut || {
        values.copy_from_slice(&base);
        factor_in_place(&st, &mut values, &mut inv, &mut work).expect("regular");
    });
    let (mut b, mut x) = (vec![1.0; N], vec![0.0; N]);
    let ours_solve = time(&mut || solve_in_place(&st, &values, &inv, &mut b, &mut x));

    let mut cols: Vec<Vec<(u32, f64)>> = vec![Vec::new(); N];
    for &(i, j, v) in &entries {
        cols[j].push((i as u32, if i == j { c - v } else { -v }));
    }
    let (mut col_ptr, mut row_idx, mut vals) = (vec![0u32], Vec::new(), Vec::new());
    for col in &mut cols {
        col.sort_by_key(|e| e.0);
        for &(r, v) in col.iter() {
            row_idx.push(r);
            vals.push(v);
        }
        col_ptr.push(row_idx.len() as u32);
    }
    let sym = SymbolicSparseColMatRef::new_checked(N, N, &col_ptr, None, &row_idx);
    let symbolic = factorize_symbolic_lu(sym, Default::default()).expect("faer symbolic");
    let req = StackReq::any_of(&[
        symbolic.factorize_numeric_lu_scratch::<f64>(Par::Seq, Default::default()),
        symbolic.solve_in_place_scratch::<f64>(1, Par::Seq),
    ]);
    let mut buf = MemBuffer::new(req);
    let mut numeric = NumericLu::<u32, f64>::new();
    let a = SparseColMatRef::new(sym, &vals);
    let faer_factor = time(&mut || {
        symbolic
            .factorize_numeric_lu(
                &mut numeric,
                a,
                Par::Seq,
                MemStack::new(&mut buf),
                Default::default(),
            )
            .expect("faer numeric");
    });
    let mut bb = vec![1.0; N];
    let faer_solve = {
        let lu = symbolic
            .factorize_numeric_lu(
                &mut numeric,
                a,
                Par::Seq,
                MemStack::new(&mut buf),
                Default::default(),
            )
            .expect("faer numeric");
        let mut solve_buf = MemBuffer::new(req);
        time(&mut || {
            lu.solve_in_place_with_conj(
                Conj::No,
                MatMut::from_column_major_slice_mut(&mut bb, N, 1),
                Par::Seq,
                MemStack::new(&mut solve_buf),
            )
        })
    };
    // odegen's kernel under faer's approximate minimum degree ordering of A + Aᵀ, for the
    // ordering's share of the difference.
    let mut perm = vec![0u32; N];
    let mut perm_inv = vec![0u32; N];
    let nnz_upper = row_idx.len();
    let mut amd_buf = MemBuffer::new(
        faer::sparse::linalg::amd::order_maybe_unsorted_scratch::<u32>(N, nnz_upper),
    );
    faer::sparse::linalg::amd::order_maybe_unsorted(
        &mut perm,
        &mut perm_inv,
        sym,
        Default::default(),
        MemStack::new(&mut amd_buf),
    )
    .expect("AMD");
    let amd = odegen::linalg::symbolic::analyse_in_order(
        N,
        js.pattern,
        perm.iter().map(|&v| v as usize).collect(),
    )
    .expect("a permutation");
    let amd_st = amd.as_structure();
    let amd_base = shifted(&amd_st);
    let mut amd_values = amd_base.clone();
    let amd_factor = time(&mut || {
        amd_values.copy_from_slice(&amd_base);
        factor_in_place(&amd_st, &mut amd_values, &mut inv, &mut work).expect("regular");
    });
    radau_pair(name, js.pattern, &entries, &lu, &time);
    println!(
        "  {name:<24} AMD order: nnz(L+U) {:>8}  {:>6.1} Mflop, factor {:>8.3} ms",
        amd.nnz(),
        factor_flops(&amd) as f64 * 2e-6,
        1e3 * amd_factor
    );
    println!(
        "  {name:<24} nnz(L+U) {:>8}  {:>6.1} Mflop | factor: odegen {:>8.3} ms, faer {:>8.3} ms \
         ({:.2}×) | solve: odegen {:>6.3} ms, faer {:>6.3} ms ({:.2}×)",
        lu.nnz(),
        factor_flops(&lu) as f64 * 2e-6,
        1e3 * ours_factor,
        1e3 * faer_factor,
        ours_factor / faer_factor,
        1e3 * ours_solve,
        1e3 * faer_solve,
        ours_solve / faer_solve,
    );
}

/// Radau IIA's complex pair system `((α + iβ) I − J) z = r` two ways (issue 19's "complex
/// sparse LU or the real 2N form — measure"): the complex LU over `J`'s structure, as
/// `RuntimeSparseRadauLu` and `StaticSparseRadauLu` solve it, against the real `2N × 2N` form
/// `[[αI − J, −βI], [βI, αI − J]]` with the two parts of each component interleaved (so its
/// pattern is `J`'s with 2 × 2 blocks) under its own nested-dissection order.
fn radau_pair(
    name: &str,
    pattern: &[(usize, usize)],
    entries: &[(usize, usize, f64)],
    lu: &odegen::linalg::symbolic::LuPattern,
    time: &dyn Fn(&mut dyn FnMut()) -> f64,
) {
    use odegen::num_complex::Complex64;
    let n = lu.diag.len();
    // Radau5's pair shift, scaled as `c I − J` is above.
    let (alpha, beta) = (1e3 * 2.681_082_873_627_752, 1e3 * 3.050_430_199_247_41);
    let st = lu.as_structure();
    let mut base = vec![Complex64::new(0.0, 0.0); st.nnz()];
    for &(i, j, v) in entries {
        base[st.position(i, j).expect("in the structure")] -= v;
    }
    for &d in st.diag {
        base[d as usize] += Complex64::new(alpha, beta);
    }
    let (mut values, mut inv, mut work) = (
        base.clone(),
        vec![Complex64::new(0.0, 0.0); n],
        vec![Complex64::new(0.0, 0.0); n],
    );
    let complex_factor = time(&mut || {
        values.copy_from_slice(&base);
        factor_in_place(&st, &mut values, &mut inv, &mut work).expect("regular");
    });
    let (mut b, mut x) = (
        vec![Complex64::new(1.0, 1.0); n],
        vec![Complex64::new(0.0, 0.0); n],
    );
    let complex_solve = time(&mut || solve_in_place(&st, &values, &inv, &mut b, &mut x));

    let mut pattern2 = Vec::with_capacity(2 * pattern.len() + 4 * n);
    for &(i, j) in pattern {
        pattern2.push((2 * i, 2 * j));
        pattern2.push((2 * i + 1, 2 * j + 1));
    }
    for i in 0..n {
        for (a, b) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            pattern2.push((2 * i + a, 2 * i + b));
        }
    }
    pattern2.sort_unstable();
    pattern2.dedup();
    let lu2 = odegen::linalg::symbolic::analyse(2 * n, &pattern2);
    let st2 = lu2.as_structure();
    let mut base2 = vec![0.0; st2.nnz()];
    for &(i, j, v) in entries {
        base2[st2.position(2 * i, 2 * j).expect("in the structure")] -= v;
        base2[st2
            .position(2 * i + 1, 2 * j + 1)
            .expect("in the structure")] -= v;
    }
    for i in 0..n {
        base2[st2.position(2 * i, 2 * i).expect("diagonal")] += alpha;
        base2[st2.position(2 * i + 1, 2 * i + 1).expect("diagonal")] += alpha;
        base2[st2.position(2 * i, 2 * i + 1).expect("coupling")] -= beta;
        base2[st2.position(2 * i + 1, 2 * i).expect("coupling")] += beta;
    }
    let (mut values2, mut inv2, mut work2) = (base2.clone(), vec![0.0; 2 * n], vec![0.0; 2 * n]);
    let real_factor = time(&mut || {
        values2.copy_from_slice(&base2);
        factor_in_place(&st2, &mut values2, &mut inv2, &mut work2).expect("regular");
    });
    let (mut b2, mut x2) = (vec![1.0; 2 * n], vec![0.0; 2 * n]);
    let real_solve = time(&mut || solve_in_place(&st2, &values2, &inv2, &mut b2, &mut x2));
    println!(
        "  {name:<24} Radau pair: complex LU nnz {:>8} ({} reals), factor {:>8.3} ms, solve \
         {:>6.3} ms | real 2N form nnz {:>8}, factor {:>8.3} ms ({:.2}×), solve {:>6.3} ms \
         ({:.2}×)",
        lu.nnz(),
        2 * lu.nnz(),
        1e3 * complex_factor,
        1e3 * complex_solve,
        lu2.nnz(),
        1e3 * real_factor,
        real_factor / complex_factor,
        1e3 * real_solve,
        real_solve / complex_solve,
    );
}

/// The `#[ode_system]` Brusselator (loops kept rolled: the Jacobian written through the
/// expansion-time position table) against the hand-written one (`--macro` runs only this): the
/// Jacobian's evaluation alone, and whole solves through `solve_ivp`'s automatic sparse LU.
fn macro_against_hand_written() {
    println!("\n#[ode_system] Brusselator (rolled loops) against the hand-written one:");
    fn one<M: OdeSystem<N>, const N: usize>(
        name: &str,
        generated: &M,
        values: &dyn Fn(&[f64; N]),
        n: usize,
    ) {
        let hand = Brusselator2d::<N>::new(n);
        let y = hand.start();
        let time = |f: &mut dyn FnMut()| median_time(101, f);
        let ours = time(&mut || values(&y));
        let mut sink = 0.0;
        let theirs = time(&mut || {
            hand.newton_jacobian_entries(1.5, &y, &y, &mut |_, _, v| sink += v);
        });
        println!(
            "  {name:<20} Jacobian: generated {:>8.1} µs, hand-written {:>8.1} µs ({:.2}×) [{sink:.0}]",
            1e6 * ours,
            1e6 * theirs,
            ours / theirs
        );
        for method in [Method::Rodas5P, Method::Bdf, Method::Radau] {
            let options = || Options::new(method).rtol(1e-6).atol(1e-6);
            let solve_time = |f: &dyn Fn() -> Stats| {
                let mut t = Vec::new();
                let mut stats = None;
                for _ in 0..5 {
                    let s = Instant::now();
                    stats = Some(f());
                    t.push(s.elapsed().as_secs_f64());
                }
                (median(t), stats.expect("five runs"))
            };
            let (a, sa) = solve_time(&|| {
                solve_ivp(generated, (0.0, 11.5), y, options())
                    .expect("solves")
                    .stats
            });
            let (b, sb) = solve_time(&|| {
                solve_ivp(&hand, (0.0, 11.5), y, options())
                    .expect("solves")
                    .stats
            });
            println!(
                "  {name:<20} {method:<8} generated {:>8.1} ms, hand-written {:>8.1} ms ({:.2}×), \
                 same steps: {}",
                1e3 * a,
                1e3 * b,
                a / b,
                sa == sb
            );
        }
    }
    let b32 = Bruss32::new(3.4, 1.0, 10.0);
    one(
        "Brusselator 32 × 32",
        &b32,
        &|y| {
            let mut v = Box::new([0.0; Bruss32::NNZ]);
            b32.jacobian_nonzeros(1.5, y, &mut v);
            std::hint::black_box(&v);
        },
        32,
    );
    let b64 = Bruss64::new(3.4, 1.0, 10.0);
    one(
        "Brusselator 64 × 64",
        &b64,
        &|y| {
            let mut v = Box::new([0.0; Bruss64::NNZ]);
            b64.jacobian_nonzeros(1.5, y, &mut v);
            std::hint::black_box(&v);
        },
        64,
    );
}

/// The peak resident set of this process, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The child's part of the memory measurement: one Rodas5P solve of `what`, then its peak RSS.
fn rss_child(what: &str) {
    let (n_eq, lu_nnz) = match what {
        "bruss16" => one_solve(&Brusselator2d::<512>::new(16), 11.5),
        "bruss32" => one_solve(&Brusselator2d::<2048>::new(32), 11.5),
        "bruss64" => one_solve(&Brusselator2d::<8192>::new(64), 11.5),
        "heat1d1000" => one_solve(&heat1d::SparseHeat::<1000>::new(), 0.01),
        "heat1d10000" => one_solve(&heat1d::SparseHeat::<10000>::new(), 0.01),
        "heat1d100000" => one_solve(&heat1d::SparseHeat::<100000>::new(), 0.01),
        _ => panic!("unknown {what}"),
    };
    println!("{n_eq} {lu_nnz} {:.1}", peak_rss_mib().unwrap_or(f64::NAN));
}

fn one_solve<Sys: OdeSystem<N> + Starts<N>, const N: usize>(sys: &Sys, t1: f64) -> (usize, usize) {
    let options = Options::new(Method::Rodas5P).rtol(1e-6).atol(1e-6);
    let sol = solve_ivp(sys, (0.0, t1), sys.start(), options).expect("solves");
    assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
    let lu = sys
        .jacobian_structure()
        .and_then(|s| s.lu)
        .map_or(0, |l| l.nnz());
    (N, lu)
}

/// The initial state of a benchmark problem.
trait Starts<const N: usize> {
    fn start(&self) -> [f64; N];
}
impl<const N: usize> Starts<N> for Brusselator2d<N> {
    fn start(&self) -> [f64; N] {
        Brusselator2d::start(self)
    }
}
impl<const N: usize> Starts<N> for heat1d::SparseHeat<N> {
    fn start(&self) -> [f64; N] {
        heat1d::mode(0.0)
    }
}

fn memory() {
    println!("\nPeak resident memory of one Rodas5P solve (rtol = 1e-6), a process each:");
    println!(
        "  {:<14} {:>8} {:>11} {:>10} {:>16}",
        "problem", "N", "nnz(L+U)", "peak RSS", "dense J would be"
    );
    let exe = std::env::current_exe().expect("this benchmark");
    for what in [
        "bruss16",
        "bruss32",
        "bruss64",
        "heat1d1000",
        "heat1d10000",
        "heat1d100000",
    ] {
        let out = Command::new(&exe)
            .args(["--rss", what])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().last() else {
            println!(
                "  {what}: no report ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            continue;
        };
        let w: Vec<f64> = line
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        if w.len() != 3 {
            println!("  {what}: {line}");
            continue;
        }
        println!(
            "  {what:<14} {:>8} {:>11} {:>7.1} MiB {:>12.1} MiB",
            w[0],
            w[1],
            w[2],
            w[0] * w[0] * 8.0 / (1 << 20) as f64
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Every solve on a thread with room for the steps' O(N) temporaries.
    let big = std::thread::Builder::new().stack_size(256 << 20);
    if let Some(i) = args.iter().position(|a| a == "--rss") {
        let what = args[i + 1].clone();
        big.spawn(move || rss_child(&what))
            .expect("thread")
            .join()
            .expect("solve");
        return;
    }
    let only = |flag: &str| args.iter().any(|a| a == flag);
    let (kernels_only, crossover_only) = (only("--kernels"), only("--crossover"));
    let macro_only = only("--macro");
    big.spawn(move || {
        if macro_only {
            return macro_against_hand_written();
        }
        if crossover_only {
            crossover();
            return band_against_sparse();
        }
        if !kernels_only {
            run_all();
        }
        kernels();
        if !kernels_only {
            crossover();
            band_against_sparse();
            macro_against_hand_written();
            memory();
        }
    })
    .expect("thread")
    .join()
    .expect("benchmark");
}

fn run_all() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/peers");
    std::fs::create_dir_all(&dir).expect("target dir");
    let cvode = build_cvode(&dir);
    let lu_nnz = |s: Option<odegen::system::JacobianStructure<'_>>| {
        s.and_then(|s| s.lu).map_or(0, |l| l.nnz())
    };

    fn bruss<const N: usize>(n: usize, cvode: Option<&Path>) {
        let sys = Brusselator2d::<N>::new(n);
        let y0 = sys.start();
        let start = Instant::now();
        let reference = solve_ivp(
            &sys,
            (0.0, 11.5),
            y0,
            Options::new(Method::AdaptiveRadau).rtol(1e-10).atol(1e-10),
        )
        .expect("reference");
        let reference = reference.y.last().expect("end").to_vec();
        println!(
            "\nBrusselator n = {n}: reference (AdaptiveRadau, 1e-10) in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        let case = Case {
            name: if n == 32 {
                "Brusselator 32 × 32"
            } else {
                "Brusselator 64 × 64"
            },
            peer_problem: "bruss",
            size: n,
            t1: 11.5,
            atol_per_rtol: 1.0,
        };
        let ours = odegen_runs(&sys, y0, &case, &reference);
        let mut theirs = peers(&case, cvode, &reference);
        theirs.extend(diffsol_runs(&sys, y0, &case, &reference));
        let lu = sys
            .jacobian_structure()
            .and_then(|s| s.lu)
            .map_or(0, |l| l.nnz());
        report(&case, N, lu, &ours, &theirs);
    }
    bruss::<2048>(32, cvode.as_deref());
    bruss::<8192>(64, cvode.as_deref());

    {
        const N: usize = 10_000;
        let sys = heat1d::SparseHeat::<N>::new();
        let case = Case {
            name: "heat 1-D, N = 10⁴",
            peer_problem: "heat1d",
            size: N,
            t1: 0.01,
            atol_per_rtol: 1e-3,
        };
        let exact = heat1d::mode::<N>(case.t1).to_vec();
        let ours = odegen_runs(&sys, heat1d::mode(0.0), &case, &exact);
        let mut theirs = peers(&case, cvode.as_deref(), &exact);
        theirs.extend(diffsol_runs(&sys, heat1d::mode(0.0), &case, &exact));
        report(&case, N, lu_nnz(sys.jacobian_structure()), &ours, &theirs);
    }
    {
        const N: usize = 4096;
        let sys = heat2d::SparseHeat2d::<N>::new(64);
        let case = Case {
            name: "heat 2-D, 64 × 64",
            peer_problem: "heat2d",
            size: 64,
            t1: 0.01,
            atol_per_rtol: 1e-3,
        };
        let exact = heat2d::heat2d_mode::<N>(64, case.t1).to_vec();
        let ours = odegen_runs(&sys, heat2d::heat2d_mode(64, 0.0), &case, &exact);
        let mut theirs = peers(&case, cvode.as_deref(), &exact);
        theirs.extend(diffsol_runs(
            &sys,
            heat2d::heat2d_mode(64, 0.0),
            &case,
            &exact,
        ));
        report(&case, N, lu_nnz(sys.jacobian_structure()), &ours, &theirs);
    }
}

/// The dense against the sparse LU through `solve_ivp` on the 1-D heat equation of growing
/// `N`: where `LinearSolverKind::Auto` should switch (`--crossover` runs only this).
fn crossover() {
    println!("\nDense against sparse LU, 1-D heat equation to t = 0.01 (rtol 1e-6), median of 7:");
    println!(
        "  {:>5} {:>14} {:>14} {:>8} {:>14} {:>14} {:>8}",
        "N", "BDF dense", "BDF sparse", "ratio", "Rodas5P dense", "Rodas5P sparse", "ratio"
    );
    fn row<const N: usize>() {
        let sys = heat1d::SparseHeat::<N>::new();
        let time = |method, kind| {
            let options = Options::new(method)
                .rtol(1e-6)
                .atol(1e-9)
                .linear_solver(kind);
            median(
                (0..7)
                    .map(|_| {
                        let s = Instant::now();
                        let sol = solve_ivp(&sys, (0.0, 0.01), heat1d::mode(0.0), options.clone())
                            .expect("solves");
                        std::hint::black_box(sol);
                        s.elapsed().as_secs_f64()
                    })
                    .collect(),
            )
        };
        let (bd, bs) = (
            time(Method::Bdf, LinearSolverKind::Dense),
            time(Method::Bdf, LinearSolverKind::Sparse),
        );
        let (rd, rs) = (
            time(Method::Rodas5P, LinearSolverKind::Dense),
            time(Method::Rodas5P, LinearSolverKind::Sparse),
        );
        println!(
            "  {N:>5} {:>11.3} ms {:>11.3} ms {:>7.2}× {:>11.3} ms {:>11.3} ms {:>7.2}×",
            1e3 * bd,
            1e3 * bs,
            bd / bs,
            1e3 * rd,
            1e3 * rs,
            rd / rs
        );
    }
    row::<8>();
    row::<16>();
    row::<24>();
    row::<32>();
    row::<48>();
    row::<64>();
    row::<128>();
}

/// The band LU against the run-time sparse LU on the steppers (what `solve_ivp` runs for a
/// banded pattern): Rodas5P and BDF on the 1-D heat equation, `N = 10⁴`, to `t = 0.01` at
/// `rtol = 1e-6` (the band LU's `J` by 3 evaluations of `f`, the sparse LU's from the entries).
fn band_against_sparse() {
    use odegen::implicit::{BandedLu, RuntimeSparseLu};
    use odegen::linalg::Heap;
    use odegen::{Bdf, Rodas5P};
    const N: usize = 10_000;
    type Band = BandedLu<f64, N, 1, 1, 4>;
    // Leaked, so that the steppers borrowing it are `'static` trait objects.
    let sys: &'static heat1d::SparseHeat<N> = Box::leak(Box::new(heat1d::SparseHeat::new()));
    let settings = || Settings::new(Tolerances::new(1e-6, 1e-9));
    let exact = heat1d::mode::<N>(0.01);
    let finish = |mut st: Box<dyn Stepper<f64, N>>| {
        while !st.is_finished() {
            st.step().expect("steps");
        }
        max_abs_diff(st.y(), &exact)
    };
    let time = |make: &MakeStepper<'_, N>| {
        let mut e = 0.0;
        let t = median(
            (0..7)
                .map(|_| {
                    let s = Instant::now();
                    e = finish(make());
                    s.elapsed().as_secs_f64()
                })
                .collect(),
        );
        (t, e)
    };
    let y0 = heat1d::mode::<N>(0.0);
    let runs: [(&str, &MakeStepper<'_, N>); 4] = [
        ("Rodas5P band", &|| {
            Rodas5P::<_, N, f64, Band>::boxed_with_solver(sys, 0.0, y0, 0.01, settings()).unwrap()
        }),
        ("Rodas5P sparse", &|| {
            Rodas5P::<_, N, f64, RuntimeSparseLu<f64, N>>::boxed_with_solver(
                sys,
                0.0,
                y0,
                0.01,
                settings(),
            )
            .unwrap()
        }),
        ("BDF band", &|| {
            Bdf::<_, N, f64, Heap, Band>::boxed_with_solver(sys, 0.0, y0, 0.01, settings()).unwrap()
        }),
        ("BDF sparse", &|| {
            Bdf::<_, N, f64, Heap, RuntimeSparseLu<f64, N>>::boxed_with_solver(
                sys,
                0.0,
                y0,
                0.01,
                settings(),
            )
            .unwrap()
        }),
    ];
    println!("\nBand against sparse LU on the steppers, 1-D heat N = 10⁴, rtol 1e-6, median of 7:");
    for (name, make) in runs {
        let (t, e) = time(make);
        println!("  {name:<16} {:>8.2} ms  error {e:.1e}", 1e3 * t);
    }
}

/// A stepper, built afresh for each timed run.
type MakeStepper<'a, const N: usize> = dyn Fn() -> Box<dyn Stepper<f64, N>> + 'a;

fn max_abs_diff<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    (0..N).map(|i| (a[i] - b[i]).abs()).fold(0.0, f64::max)
}

/// The sparse LU kernels alone (`--kernels` runs only these).
fn kernels() {
    println!("\nSparse LU kernels on c I − J (c = 1e3), median of 31:");
    let b16 = Brusselator2d::<512>::new(16);
    lu_kernels("Brusselator 16 × 16", &b16, &b16.start());
    let b32 = Brusselator2d::<2048>::new(32);
    lu_kernels("Brusselator 32 × 32", &b32, &b32.start());
    let b64 = Brusselator2d::<8192>::new(64);
    lu_kernels("Brusselator 64 × 64", &b64, &b64.start());
    let h2 = heat2d::SparseHeat2d::<4096>::new(64);
    lu_kernels("heat 2-D 64 × 64", &h2, &heat2d::heat2d_mode(64, 0.0));
}
