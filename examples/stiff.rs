//! Stiff problems: Robertson's chemical kinetics over eleven decades of time with the implicit
//! methods `Radau` (Hairer's RADAU5) and `Bdf` (variable-order NDF/BDF), against the explicit
//! RK45 and DOP853.
//!
//! ```text
//! y1' = -0.04 y1 + 1e4 y2 y3
//! y2' =  0.04 y1 - 1e4 y2 y3 - 3e7 y2²
//! y3' =                         3e7 y2²      y(0) = (1, 0, 0)
//! ```
//!
//! The rate constants span nine orders of magnitude: after a transient of ~1e-3 the fast
//! eigenvalue of the Jacobian lies between about −2e3 and −1e4 (−3.4e3 at `t = 40`, see
//! `examples/robertson.rs`), while the solution keeps changing until `t ≈ 1e10`.
//!
//! This example
//!
//! 1. solves the problem with `solve_ivp` and `Method::Radau` / `Method::Bdf` from `t = 0` to
//!    `t = 40` and to `t = 1e11`, and with `Method::Rk45` / `Method::Dop853` to `t = 40` only,
//!    all at `rtol = 1e-8`, `atol = 1e-14`, and prints a table: accepted and rejected steps,
//!    right-hand-side evaluations (`nfev`), Jacobian evaluations (`njev`), LU factorisations
//!    (`nlu`), the largest relative error of the three components against the published
//!    reference at `t = 40` and at `t = 1e11`, and the median wall time of a few solves. The
//!    explicit methods' steps are bounded by stability (RK45: `h ≲ 3.3 / |λ3|`), not accuracy:
//!    tens of thousands of steps to `t = 40` at any tolerance, and an estimated 3e14 to
//!    `t = 1e11`, so they stop at 40.
//!    The implicit methods take steps that grow with `t` (their Jacobian is the analytic one
//!    `#[ode_system]` generates);
//! 2. plots `y1`, `1e4·y2` and `y3` against `t` on a logarithmic time axis (the classic picture
//!    of Hairer & Wanner, *Solving ODEs II*, §IV.1), from Radau's dense output sampled on a
//!    log-spaced `t_eval` grid, with BDF's solution on a coarser grid as markers, on a linear
//!    and on a logarithmic `y` axis, to `target/stiff.svg`.
//!
//! Why `atol = 1e-14`: `y2` falls to 8.3e-14 at `t = 1e11` (and `y1`, tied to it by the
//! quasi-steady state `0.04 y1 ≈ 1e4 y2 y3` with `y3 ≈ 1`, to 2.1e-8); with `atol` above `y2`
//! these components are held to `atol`, not `rtol` (with `atol = 1e-12` the relative error of
//! `y1` and `y2` at `t = 1e11` is 2e-7 with Radau and 7e-5 with BDF, instead of 2e-8 and 2e-6).
//!
//! Reference values (copied in the workspace's shared reference notes):
//! - `t = 40`: DETEST problem D2 (W. H. Enright and J. D. Pryce, "Two FORTRAN packages for
//!   assessing initial value methods", *ACM TOMS* 13 (1987), Algorithm 648, unscaled form);
//! - `t = 1e11`: F. Mazzia and C. Magherini, *Test Set for IVP Solvers*, release 2.4
//!   (University of Bari, 2008), problem ROBER.
//!
//! Run it with
//!
//! ```sh
//! cargo run --release --example stiff
//! ```

// The published references keep their 16 digits.
#![allow(clippy::excessive_precision)]

use odegen::prelude::*;
use odegen::Stats;
use plotters::prelude::*;
use std::error::Error as StdError;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Robertson's stiff chemical kinetics (H. H. Robertson, 1966).
#[ode_system]
fn robertson(_t: f64, y: [f64; 3]) -> [f64; 3] {
    let [y1, y2, y3] = y;
    [
        -0.04 * y1 + 1.0e4 * y2 * y3,
        0.04 * y1 - 1.0e4 * y2 * y3 - 3.0e7 * y2 * y2,
        3.0e7 * y2 * y2,
    ]
}

const Y0: [f64; 3] = [1.0, 0.0, 0.0];
/// `y(40)`: DETEST D2 (Enright & Pryce, ACM TOMS Alg. 648), unscaled.
const Y_40: [f64; 3] = [
    0.7158270687193941,
    9.185534764557338e-06,
    0.2841637457458413,
];
/// `y(1e11)`: Test Set for IVP Solvers 2.4 (Mazzia & Magherini), problem ROBER.
const Y_1E11: [f64; 3] = [
    0.2083340149701255e-7,
    0.8333360770334713e-13,
    0.9999999791665050,
];
const RTOL: f64 = 1e-8;
/// Below `y2(1e11) = 8.3e-14`, so that every component is held to `rtol` over the whole span.
const ATOL: f64 = 1e-14;
/// Repeats per solve for the timing (the median is reported).
const REPEATS: usize = 11;
/// The plotted time axis, `[T_MIN, T_END]`, sampled at `PER_DECADE` points a decade.
const T_MIN: f64 = 1e-6;
const T_END: f64 = 1e11;
const PER_DECADE: usize = 40;
/// BDF's markers: every `BDF_EVERY`-th grid point.
const BDF_EVERY: usize = 10;

/// One row of the table.
struct Row {
    method: Method,
    t_end: f64,
    stats: Stats,
    err_40: f64,
    err_end: Option<f64>,
    median_us: f64,
}

fn main() -> Result<(), Box<dyn StdError>> {
    println!("Robertson's problem, y(0) = {Y0:?}, rtol = {RTOL:.0e}, atol = {ATOL:.0e}");
    println!();

    let mut rows = Vec::new();
    for (method, t_end) in [
        (Method::Radau, 40.0),
        (Method::Bdf, 40.0),
        (Method::Rk45, 40.0),
        (Method::Dop853, 40.0),
        (Method::Radau, T_END),
        (Method::Bdf, T_END),
    ] {
        rows.push(measure(method, t_end)?);
    }

    println!(
        "{:<7} {:>7} {:>9} {:>6} {:>8} {:>6} {:>6} {:>10} {:>10} {:>10}",
        "method",
        "t_end",
        "accepted",
        "rej.",
        "nfev",
        "njev",
        "nlu",
        "err t=40",
        "err t=1e11",
        "time [µs]"
    );
    for r in &rows {
        println!(
            "{:<7} {:>7} {:>9} {:>6} {:>8} {:>6} {:>6} {:>10.1e} {:>10} {:>10.1}",
            r.method.to_string(),
            if r.t_end == 40.0 { "40" } else { "1e11" },
            r.stats.n_accepted,
            r.stats.n_rejected,
            r.stats.nfev,
            r.stats.njev,
            r.stats.nlu,
            r.err_40,
            r.err_end.map_or("-".to_string(), |e| format!("{e:.1e}")),
            r.median_us
        );
    }
    println!();
    println!("err = max_i |y_i - ref_i| / |ref_i| (relative, all three components; y(40) of the");
    println!("    runs to 1e11 is their dense output). References: DETEST D2 (t = 40), Test Set");
    println!("    for IVP Solvers 2.4 ROBER (t = 1e11). Times: median of {REPEATS} solves.");

    // What the explicit methods would need for the whole span: the fast eigenvalue at the end,
    // λ3 ≈ tr J (the other two are ~0 and ~-4e-12), and RK45's stability interval, ~3.3.
    let mut jac = [[0.0; 3]; 3];
    Robertson.jacobian(T_END, &Y_1E11, &mut jac);
    let lambda = jac[0][0] + jac[1][1] + jac[2][2];
    let rk45 = rows
        .iter()
        .find(|r| r.method == Method::Rk45)
        .ok_or("no RK45 row")?;
    println!(
        "RK45's {} steps to t = 40 sit at its stability limit h|λ3| ≈ 3.3; at t = 1e11",
        rk45.stats.n_accepted
    );
    println!(
        "    λ3 ≈ {lambda:.2e}, so reaching t = 1e11 would take some {:.0e} steps: explicit",
        T_END * lambda.abs() / 3.3
    );
    println!("    methods stop at t = 40.");

    // The plot: Radau on a log-spaced grid, BDF on every BDF_EVERY-th point of it.
    let decades = (T_END / T_MIN).log10().round() as usize;
    let grid: Vec<f64> = (0..=decades * PER_DECADE)
        .map(|k| T_MIN * 10f64.powf(k as f64 / PER_DECADE as f64))
        .collect();
    let coarse: Vec<f64> = grid.iter().copied().step_by(BDF_EVERY).collect();
    let radau = solve_ivp(
        &Robertson,
        (0.0, T_END),
        Y0,
        options(Method::Radau).t_eval(grid),
    )?
    .into_result()?;
    let bdf = solve_ivp(
        &Robertson,
        (0.0, T_END),
        Y0,
        options(Method::Bdf).t_eval(coarse),
    )?
    .into_result()?;
    let steps = solve_ivp(&Robertson, (0.0, T_END), Y0, options(Method::Radau))?.into_result()?;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("stiff.svg");
    plot(&path, &radau, &bdf, &steps.t)?;
    println!();
    println!(
        "y1, 1e4·y2, y3 over log t (Radau at {} points, BDF at {}) plotted to {}",
        radau.t.len(),
        bdf.t.len(),
        path.display()
    );
    Ok(())
}

fn options(method: Method) -> Options<f64, 3> {
    Options::new(method).rtol(RTOL).atol(ATOL)
}

/// The largest relative error of the three components.
fn rel_err(y: &[f64; 3], reference: &[f64; 3]) -> f64 {
    (0..3)
        .map(|i| ((y[i] - reference[i]) / reference[i]).abs())
        .fold(0.0, f64::max)
}

/// Solves `(0, t_end)` with `method`: the counters, the errors and the median time.
fn measure(method: Method, t_end: f64) -> Result<Row, Box<dyn StdError>> {
    // Runs to 1e11 also report y(40), from their dense output through `t_eval`; `t_eval`
    // changes the output, not the steps.
    let t_eval = if t_end > 40.0 {
        vec![40.0, t_end]
    } else {
        vec![t_end]
    };
    let sol =
        solve_ivp(&Robertson, (0.0, t_end), Y0, options(method).t_eval(t_eval))?.into_result()?;
    let err_40 = rel_err(&sol.y[0], &Y_40);
    let err_end = (t_end > 40.0).then(|| rel_err(&sol.y[1], &Y_1E11));

    let mut times = Vec::with_capacity(REPEATS);
    for _ in 0..REPEATS {
        let start = Instant::now();
        let r = solve_ivp(
            &Robertson,
            black_box((0.0, t_end)),
            black_box(Y0),
            options(method),
        )?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        black_box(r);
    }
    times.sort_by(f64::total_cmp);
    Ok(Row {
        method,
        t_end,
        stats: sol.stats,
        err_40,
        err_end,
        median_us: times[REPEATS / 2],
    })
}

/// Two panels over log t: the classic picture (linear y) and the same on a log y axis.
fn plot(
    path: &Path,
    radau: &OdeResult<f64, 3>,
    bdf: &OdeResult<f64, 3>,
    radau_steps: &[f64],
) -> Result<(), Box<dyn StdError>> {
    // y2 is scaled by 1e4 to share the axis with y1 and y3.
    const SCALE: [f64; 3] = [1.0, 1e4, 1.0];
    const NAMES: [&str; 3] = ["y1", "1e4 · y2", "y3"];
    const COLORS: [RGBColor; 3] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
    ];
    const Y_LOG_MIN: f64 = 1e-10;

    let root = SVGBackend::new(path, (1000, 1100)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "Robertson's problem: Radau (lines) and BDF (circles), rtol = 1e-8, atol = 1e-14",
        ("sans-serif", 22),
    )?;
    let (top, bottom) = root.split_vertically(530);
    let t_label = |t: &f64| format!("{t:.0e}");

    // The classic picture: linear y, with Radau's accepted steps as ticks along the bottom.
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!(
                "linear y; ticks below zero: Radau's {} accepted steps to t = 1e11",
                radau_steps.len() - 1
            ),
            ("sans-serif", 18),
        )
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d((T_MIN..T_END).log_scale(), -0.09..1.05)?;
    chart
        .configure_mesh()
        .x_desc("t")
        .x_label_formatter(&t_label)
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for i in 0..3 {
        let style = COLORS[i].stroke_width(2);
        chart
            .draw_series(LineSeries::new(
                radau
                    .t
                    .iter()
                    .zip(&radau.y)
                    .map(|(&t, y)| (t, SCALE[i] * y[i])),
                style,
            ))?
            .label(NAMES[i])
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        chart.draw_series(
            bdf.t
                .iter()
                .zip(&bdf.y)
                .map(|(&t, y)| Circle::new((t, SCALE[i] * y[i]), 4, COLORS[i].stroke_width(1))),
        )?;
    }
    chart.draw_series(radau_steps.iter().filter(|&&t| t >= T_MIN).map(|&t| {
        PathElement::new(
            [(t, -0.08), (t, -0.03)],
            RGBColor(90, 90, 90).stroke_width(1),
        )
    }))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;

    // Log y: the decay of y1 and y2 over the last decades.
    let mut chart = ChartBuilder::on(&bottom)
        .caption("logarithmic y", ("sans-serif", 18))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d((T_MIN..T_END).log_scale(), (Y_LOG_MIN..2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("t")
        .x_label_formatter(&t_label)
        .y_label_formatter(&t_label)
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    // Points below the axis (y3 at the very start) are left out.
    let visible = |v: f64| v >= Y_LOG_MIN;
    for i in 0..3 {
        let style = COLORS[i].stroke_width(2);
        chart
            .draw_series(LineSeries::new(
                radau
                    .t
                    .iter()
                    .zip(&radau.y)
                    .map(|(&t, y)| (t, SCALE[i] * y[i]))
                    .filter(|&(_, v)| visible(v)),
                style,
            ))?
            .label(NAMES[i])
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        chart.draw_series(
            bdf.t
                .iter()
                .zip(&bdf.y)
                .map(|(&t, y)| (t, SCALE[i] * y[i]))
                .filter(|&(_, v)| visible(v))
                .map(|p| Circle::new(p, 4, COLORS[i].stroke_width(1))),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerMiddle)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;
    root.present()?;
    Ok(())
}
