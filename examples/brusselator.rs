//! A large sparse stiff system: the 2-D Brusselator of DifferentialEquations.jl's tutorial on
//! large stiff systems (<https://docs.sciml.ai/DiffEqDocs/stable/tutorials/advanced_ode_example/>),
//! two species on an `n × n` periodic grid, `N = 2 n²` equations:
//!
//! ```text
//! u' = α/Δx² Δu + B + u² v − (A + 1) u + f(x, y, t)
//! v' = α/Δx² Δv + A u − u² v          A = 3.4, B = 1, α = 10, t ∈ [0, 11.5]
//! ```
//!
//! with the forcing `f = 5` switched on at `t = 1.1` on a disc around `(0.3, 0.6)`.
//!
//! The system (`tests/problems/brusselator2d.rs`) reports its Jacobian's pattern — six
//! non-zeros a row — so `solve_ivp`'s automatic linear solver takes the sparse LU over a
//! nested-dissection order: `J` goes from the analytic entries straight into the factors'
//! storage, and nothing of size `N × N` exists (a dense `J` for `n = 64` alone would be
//! 512 MiB). The example solves it with every implicit method at `rtol = 1e-6`, compares each
//! with a tight AdaptiveRadau reference (`rtol = 1e-10`), prints the work and the median wall
//! time of three solves, and draws the final `u` field to `target/brusselator_u.svg`.
//! The tutorial's anchor: Rodas5 with KLU takes about 0.5 s for `n = 32` on its authors'
//! machine (at its default tolerances, `reltol = 1e-3`, `abstol = 1e-6`; see the last row).
//!
//! ```sh
//! cargo run --release --example brusselator          # n = 32 (N = 2048)
//! cargo run --release --example brusselator -- 64    # n = 64 (N = 8192)
//! ```

#[path = "../tests/problems/brusselator2d.rs"]
mod brusselator2d;

use brusselator2d::Brusselator2d;
use odegen::prelude::*;
use odegen::{LinearSolverKind, OdeResult};
use plotters::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

fn run<const N: usize>(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let sys = Brusselator2d::<N>::new(n);
    let y0 = sys.start();
    let span = (0.0, 11.5);
    let structure = sys
        .jacobian_structure()
        .expect("the system reports its pattern");
    let lu_nnz = structure.lu.map_or(0, |lu| lu.nnz());
    println!(
        "2-D Brusselator, n = {n}: N = {N}, {} non-zeros in J, {lu_nnz} in L + U \
         ({:.2} % of N²), {} colours",
        structure.pattern.len(),
        100.0 * lu_nnz as f64 / (N * N) as f64,
        structure.n_colors
    );

    let solve = |method: Method, rtol: f64, atol: f64| -> Result<(f64, OdeResult<f64, N>), Error> {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let start = Instant::now();
            let options = Options::new(method).rtol(rtol).atol(atol);
            let sol = solve_ivp(&sys, span, y0, options)?.into_result()?;
            times.push(start.elapsed().as_secs_f64());
            last = Some(sol);
        }
        times.sort_by(f64::total_cmp);
        Ok((times[1], last.expect("three solves")))
    };

    let start = Instant::now();
    let reference = solve_ivp(
        &sys,
        span,
        y0,
        Options::new(Method::AdaptiveRadau).rtol(1e-10).atol(1e-10),
    )?
    .into_result()?;
    let y_ref = *reference.y.last().expect("the end point");
    println!(
        "reference: AdaptiveRadau, rtol = atol = 1e-10, {} steps, {:.2} s\n",
        reference.stats.n_accepted,
        start.elapsed().as_secs_f64()
    );
    let scale = y_ref.iter().fold(0.0f64, |m, v| m.max(v.abs()));

    println!(
        "{:<14} {:>6} {:>7} {:>7} {:>6} {:>6} {:>9} {:>10} {:>8}",
        "method", "rtol", "steps", "nfev", "njev", "nlu", "error", "time", "solver"
    );
    let mut runs: Vec<(Method, f64, f64)> = Method::implicit().map(|m| (m, 1e-6, 1e-6)).collect();
    // The tutorial's setting: DifferentialEquations.jl's default tolerances.
    runs.push((Method::Rodas5P, 1e-3, 1e-6));
    let mut last_u = None;
    for (method, rtol, atol) in runs {
        let (time, sol) = solve(method, rtol, atol)?;
        let y = sol.y.last().expect("the end point");
        let error = (0..N).map(|i| (y[i] - y_ref[i]).abs()).fold(0.0, f64::max) / scale;
        println!(
            "{:<14} {:>6.0e} {:>7} {:>7} {:>6} {:>6} {:>9.1e} {:>8.1} ms {:>8}",
            method.name(),
            rtol,
            sol.stats.n_accepted,
            sol.stats.nfev,
            sol.stats.njev,
            sol.stats.nlu,
            error,
            1e3 * time,
            format!("{:?}", sol.linear_solver.unwrap_or(LinearSolverKind::Auto)),
        );
        // The oscillation the forcing starts amplifies the local errors (1e-5 … 2e-3 here).
        if error > 1e4 * rtol {
            return Err(format!("{method}: error {error:e} at rtol {rtol:e}").into());
        }
        if method == Method::Rodas5P && last_u.is_none() {
            last_u = Some(*y);
        }
    }

    let u = last_u.unwrap_or(y_ref);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("brusselator_u.svg");
    draw(&path, n, &u[..n * n])?;
    println!("\nthe final u field: {}", path.display());
    Ok(())
}

/// Draws the `n × n` field `u` (component `i + n j` at `x_i`, `y_j`) as a heat map.
fn draw(path: &PathBuf, n: usize, u: &[f64]) -> Result<(), Box<dyn std::error::Error>> {
    let (lo, hi) = u
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let root = SVGBackend::new(path, (640, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Brusselator u at t = 11.5 (n = {n}; {lo:.2} … {hi:.2})"),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    let d = 1.0 / n as f64;
    chart.draw_series((0..n * n).map(|k| {
        let (i, j) = (k % n, k / n);
        let s = if hi > lo {
            (u[k] - lo) / (hi - lo)
        } else {
            0.5
        };
        // Dark blue to yellow.
        let mix = |a: f64, b: f64| (a + (b - a) * s).round() as u8;
        let colour = RGBColor(mix(40.0, 250.0), mix(20.0, 230.0), mix(120.0, 30.0));
        let (x, y) = (i as f64 * d, j as f64 * d);
        Rectangle::new([(x, y), (x + d, y + d)], colour.filled())
    }))?;
    root.present()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(32), |a| a.parse())?;
    // Stack for the O(N) temporaries of the steps; the solvers' storage is on the heap.
    let worker = std::thread::Builder::new().stack_size(64 << 20);
    let handle = worker.spawn(move || -> Result<(), String> {
        match n {
            32 => run::<2048>(32),
            64 => run::<8192>(64),
            16 => run::<512>(16),
            _ => Err("n must be 16, 32 or 64 (N is a compile-time size)".into()),
        }
        .map_err(|e| e.to_string())
    })?;
    handle.join().map_err(|_| "the solve panicked")??;
    Ok(())
}
