//! The showcase: one period of the Arenstorf orbit.
//!
//! The Arenstorf orbit is a periodic solution of the restricted three-body problem (a light
//! body moving in the rotating frame of the Earth and the Moon; Hairer, Nørsett & Wanner,
//! *Solving Ordinary Differential Equations I*, II.0). Its close passes by the Moon make the
//! right-hand side change quickly there, so it is the classical test of step-size control.
//!
//! This example
//!
//! 1. solves one period with several of odegen's methods through `solve_ivp` and prints, for
//!    each, the tolerance, the accepted and rejected steps, the right-hand-side evaluations,
//!    the error of the final state (the orbit is periodic, so the exact final state is the
//!    initial one) and an indicative wall-clock time per solve;
//! 2. solves it once more with DOP853 and dense output, and plots the orbit in the (y1, y2)
//!    plane — a smooth curve sampled from the dense output, with a marker at every accepted
//!    step to show where DOP853 places its steps — to `target/arenstorf.svg`.
//!
//! Run it with
//!
//! ```sh
//! cargo run --release --example arenstorf
//! ```

// The shared problems keep their published constants to all their digits.
#[path = "../tests/problems/mod.rs"]
mod problems;

use odegen::prelude::*;
use plotters::prelude::*;
use problems::{max_abs_diff, Arenstorf};
use std::error::Error as StdError;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

/// Repeats per solve for the timing (the median is reported).
const REPEATS: usize = 21;
/// Steps per period of the fixed-step RK4 run.
const RK4_STEPS: f64 = 20_000.0;
/// Points sampled from the dense output for the plotted curve.
const SAMPLES: usize = 2000;

/// One row of the table: a method with its tolerance, or with its fixed step.
struct Run {
    method: Method,
    /// `rtol = atol` of an adaptive method; `None` for the fixed-step run.
    tol: Option<f64>,
}

impl Run {
    fn options(&self) -> Options<f64, 4> {
        let options = Options::new(self.method);
        match self.tol {
            Some(tol) => options.rtol(tol).atol(tol),
            None => options.first_step(Arenstorf::PERIOD / RK4_STEPS),
        }
    }
}

fn main() -> Result<(), Box<dyn StdError>> {
    let span = (0.0, Arenstorf::PERIOD);
    let runs = [
        Run {
            method: Method::Rk23,
            tol: Some(1e-6),
        },
        Run {
            method: Method::Rk45,
            tol: Some(1e-6),
        },
        Run {
            method: Method::Rk45,
            tol: Some(1e-9),
        },
        Run {
            method: Method::Tsit5,
            tol: Some(1e-9),
        },
        Run {
            method: Method::Dop853,
            tol: Some(1e-9),
        },
        Run {
            method: Method::Dop853,
            tol: Some(1e-12),
        },
        Run {
            method: Method::Rk4,
            tol: None,
        },
    ];

    println!(
        "Arenstorf orbit, one period (t = 0 .. {})",
        Arenstorf::PERIOD
    );
    println!();
    println!(
        "{:<8} {:>12} {:>9} {:>9} {:>8} {:>10} {:>10}",
        "method", "rtol=atol", "accepted", "rejected", "nfev", "error", "time [µs]"
    );
    for run in &runs {
        let sol = solve_ivp(&Arenstorf, span, Arenstorf::Y0, run.options())?.into_result()?;
        // The exact solution returns to Y0 after one period. With the constants rounded to f64
        // the exact miss is itself ~1e-11 (in the velocities; shared reference notes), which is
        // therefore the floor of this error measure.
        let y_end = sol.y.last().ok_or("solve_ivp returned no states")?;
        let error = max_abs_diff(y_end, &Arenstorf::Y0);

        let mut times = Vec::with_capacity(REPEATS);
        for _ in 0..REPEATS {
            let start = Instant::now();
            let r = solve_ivp(
                &Arenstorf,
                black_box(span),
                black_box(Arenstorf::Y0),
                run.options(),
            )?;
            times.push(start.elapsed().as_secs_f64() * 1e6);
            black_box(r);
        }
        times.sort_by(f64::total_cmp);
        let median = times[REPEATS / 2];

        let tol = match run.tol {
            Some(tol) => format!("{tol:.0e}"),
            None => format!("h=P/{RK4_STEPS}"),
        };
        println!(
            "{:<8} {:>12} {:>9} {:>9} {:>8} {:>10.2e} {:>10.0}",
            format!("{:?}", run.method),
            tol,
            sol.stats.n_accepted,
            sol.stats.n_rejected,
            sol.stats.nfev,
            error,
            median
        );
    }
    println!();
    println!(
        "error = max |y(PERIOD) - Y0| over the 4 components; times are indicative \
         (median of {REPEATS} solves on this machine)."
    );

    // The plot: DOP853 with dense output.
    let sol = solve_ivp(
        &Arenstorf,
        span,
        Arenstorf::Y0,
        Options::new(Method::Dop853)
            .rtol(1e-10)
            .atol(1e-10)
            .dense_output(true),
    )?
    .into_result()?;
    let dense = sol.sol.as_ref().expect("dense_output(true) returns `sol`");
    let curve = (0..SAMPLES)
        .map(|i| {
            let t = Arenstorf::PERIOD * i as f64 / (SAMPLES - 1) as f64;
            dense.eval(t).map(|y| (y[0], y[1]))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let steps: Vec<(f64, f64)> = sol.y.iter().map(|y| (y[0], y[1])).collect();

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("arenstorf.svg");
    plot(&path, &curve, &steps)?;
    println!();
    println!(
        "DOP853 (rtol = atol = 1e-10, {} accepted steps) orbit plotted to {}",
        sol.stats.n_accepted,
        path.display()
    );
    Ok(())
}

/// Draws the orbit `curve`, the step points `steps`, the Earth and the Moon to an SVG file.
fn plot(
    path: &std::path::Path,
    curve: &[(f64, f64)],
    steps: &[(f64, f64)],
) -> Result<(), Box<dyn StdError>> {
    const WIDTH: u32 = 900;
    const HEIGHT: u32 = 800;
    // The plotting area left by the margins, the caption (~30 px) and the label areas below,
    // used to give both axes the same scale so that the orbit is not distorted.
    const PLOT_W: f64 = (WIDTH - 2 * 20 - 70) as f64;
    const PLOT_H: f64 = (HEIGHT - 2 * 20 - 50 - 30) as f64;

    let mu = Arenstorf::MU;
    let (earth, moon) = ((-mu, 0.0), (1.0 - mu, 0.0));

    // Data bounds (orbit, Earth and Moon) with a margin, widened to equal scales.
    let pts = curve.iter().chain([&earth, &moon]);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let pad = 0.05 * (x1 - x0).max(y1 - y0);
    (x0, x1, y0, y1) = (x0 - pad, x1 + pad, y0 - pad, y1 + pad);
    let scale = ((x1 - x0) / PLOT_W).max((y1 - y0) / PLOT_H);
    let (cx, cy) = (0.5 * (x0 + x1), 0.5 * (y0 + y1));
    let (hw, hh) = (0.5 * scale * PLOT_W, 0.5 * scale * PLOT_H);

    let root = SVGBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Arenstorf orbit, one period (DOP853, rtol = atol = 1e-10)",
            ("sans-serif", 24),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d((cx - hw)..(cx + hw), (cy - hh)..(cy + hh))?;
    chart
        .configure_mesh()
        .x_desc("y1")
        .y_desc("y2")
        .axis_desc_style(("sans-serif", 20))
        .label_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;

    let body = |(x, y): (f64, f64), name: &'static str, radius: i32, color: RGBColor| {
        EmptyElement::at((x, y))
            + Circle::new((0, 0), radius, color.filled())
            + Circle::new((0, 0), radius, BLACK.stroke_width(1))
            + Text::new(name, (radius + 4, -radius - 18), ("sans-serif", 18))
    };
    chart.draw_series([
        body(earth, "Earth", 9, RGBColor(44, 160, 44)),
        body(moon, "Moon", 5, RGBColor(150, 150, 150)),
    ])?;

    let orbit_style = RGBColor(31, 119, 180).stroke_width(2);
    let step_style = RGBColor(214, 39, 40).filled();
    chart
        .draw_series(LineSeries::new(curve.iter().copied(), orbit_style))?
        .label(format!("dense output ({} samples)", curve.len()))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], orbit_style));
    chart
        .draw_series(steps.iter().map(|&p| Circle::new(p, 3, step_style)))?
        .label(format!("accepted steps ({})", steps.len() - 1))
        .legend(move |(x, y)| Circle::new((x + 10, y), 3, step_style));

    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;
    root.present()?;
    Ok(())
}
