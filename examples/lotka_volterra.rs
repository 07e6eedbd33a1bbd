//! Lotka–Volterra predator–prey equations from a plain function, with parameter sensitivities.
//!
//! ```text
//! x' = a x − b x y        (prey)
//! y' = −c y + d x y       (predators)
//! ```
//!
//! with SciPy's `solve_ivp` documentation setting: `(a, b, c, d) = (1.5, 1, 3, 1)`,
//! `(x, y)(0) = (10, 5)`, `t ∈ [0, 15]`.
//!
//! This example
//!
//! 1. declares the system with `#[ode_system]`, the parameters becoming the struct's fields,
//!    and prints the generated parameter Jacobian `∂f/∂p` and Jacobian `∂f/∂y` at the initial
//!    point;
//! 2. checks the generated system against a published reference — the same equations from
//!    `(1, 1)` at `t = 10`, computed by a high-precision Taylor series (two independent runs
//!    agreeing to 25 digits; the workspace's shared reference notes);
//! 3. solves SciPy's problem with DOP853 and dense output, prints the solution at a few times
//!    and the drift of the first integral `d x − c ln x + b y − a ln y` (constant along exact
//!    solutions), and plots `x(t)`, `y(t)` and the phase portrait to
//!    `target/lotka_volterra.svg`;
//! 4. computes the forward sensitivities `S = ∂y(t)/∂p` by integrating the variational
//!    equations `S' = (∂f/∂y) S + ∂f/∂p`, `S(0) = 0`, built from the two generated Jacobians,
//!    and checks `S(15)` against central finite differences of whole solves at `p ± h`.
//!
//! Run it with
//!
//! ```sh
//! cargo run --release --example lotka_volterra
//! ```

// The published reference keeps its 25 digits.
#![allow(clippy::excessive_precision)]

use odegen::prelude::*;
use plotters::prelude::*;
use std::error::Error as StdError;
use std::path::{Path, PathBuf};

/// Arguments after the state are parameters: they become the struct's fields.
#[ode_system]
fn lotka_volterra(_t: f64, [x, y]: [f64; 2], a: f64, b: f64, c: f64, d: f64) -> [f64; 2] {
    [a * x - b * x * y, -c * y + d * x * y]
}

/// SciPy's documentation parameters.
const LV: LotkaVolterra = LotkaVolterra::new(1.5, 1.0, 3.0, 1.0);
const Y0: [f64; 2] = [10.0, 5.0];
const T_END: f64 = 15.0;
/// (1.5, 1, 3, 1) from (1, 1) at t = 10: high-precision Taylor series (shared reference notes).
const TAYLOR_Y10: [f64; 2] = [1.026344767575089319138687, 0.9096910781360416175482459];
/// Number of parameters, and the size of the state with its sensitivities.
const P: usize = 4;
const NS: usize = 2 + 2 * P;
/// Points sampled from the dense output for the plot.
const SAMPLES: usize = 1500;

/// The variational system of `LotkaVolterra` for all four parameters: the state
/// `z = (x, y, S[:, 0], ..., S[:, 3])`, where column `k` of `S = ∂(x, y)/∂p_k` obeys
/// `S_k' = J S_k + ∂f/∂p_k` with `J = ∂f/∂(x, y)` — both from the generated code.
struct Sensitivities(LotkaVolterra);

impl OdeSystem<NS> for Sensitivities {
    fn rhs(&self, t: f64, z: &[f64; NS], dz: &mut [f64; NS]) {
        let y = [z[0], z[1]];
        let (mut f, mut jac, mut dfdp) = ([0.0; 2], [[0.0; 2]; 2], [[0.0; P]; 2]);
        self.0.rhs_and_jacobian(t, &y, &mut f, &mut jac);
        self.0.param_jacobian(t, &y, &mut dfdp);
        dz[..2].copy_from_slice(&f);
        for k in 0..P {
            let s = [z[2 + 2 * k], z[3 + 2 * k]];
            for i in 0..2 {
                dz[2 + 2 * k + i] = jac[i][0] * s[0] + jac[i][1] * s[1] + dfdp[i][k];
            }
        }
    }
}

fn main() -> Result<(), Box<dyn StdError>> {
    println!(
        "Lotka-Volterra, (a, b, c, d) = {:?}, (x, y)(0) = {Y0:?}, t = 0 .. {T_END}",
        LV.params()
    );

    // 1. The generated derivatives at the initial point.
    println!();
    println!(
        "#[ode_system] generated: parameters PARAMS = {:?}, NNZ = {}, PATTERN = {:?}",
        LotkaVolterra::PARAMS,
        LotkaVolterra::NNZ,
        LotkaVolterra::PATTERN
    );
    let mut dfdp = [[0.0; P]; 2];
    LV.param_jacobian(0.0, &Y0, &mut dfdp);
    println!("∂f/∂p at (10, 5)   (columns a, b, c, d; exact: [[x, −xy, 0, 0], [0, 0, −y, xy]]):");
    for row in &dfdp {
        println!("    {row:>7?}");
    }
    let mut jac = [[0.0; 2]; 2];
    LV.jacobian(0.0, &Y0, &mut jac);
    println!("∂f/∂y at (10, 5)   (exact: [[a − b y, −b x], [d y, −c + d x]]):");
    for row in &jac {
        println!("    {row:>7?}");
    }

    // 2. The generated right-hand side against the published reference.
    let check = solve_ivp(
        &LV,
        (0.0, 10.0),
        [1.0, 1.0],
        Options::new(Method::Dop853).rtol(1e-12).atol(1e-12),
    )?
    .into_result()?;
    let y10 = check.y.last().ok_or("solve_ivp returned no states")?;
    println!();
    println!(
        "Check: from (1, 1) to t = 10 with DOP853 (rtol = atol = 1e-12), max |y − y_ref| = {:.1e}",
        max_abs_diff(y10, &TAYLOR_Y10)
    );
    println!("    against a high-precision Taylor series reference {TAYLOR_Y10:?}");

    // 3. SciPy's problem, with dense output.
    let (rtol, atol) = (1e-10, 1e-12);
    let sol = solve_ivp(
        &LV,
        (0.0, T_END),
        Y0,
        Options::new(Method::Dop853)
            .rtol(rtol)
            .atol(atol)
            .dense_output(true),
    )?
    .into_result()?;
    let dense = sol.sol.as_ref().expect("dense_output(true) returns `sol`");
    println!();
    println!(
        "DOP853, rtol = {rtol:.0e}, atol = {atol:.0e}: {} accepted and {} rejected steps, \
         nfev = {}",
        sol.stats.n_accepted, sol.stats.n_rejected, sol.stats.nfev
    );
    let h0 = invariant(&LV, Y0);
    println!(
        "{:>6} {:>20} {:>20} {:>12}",
        "t", "x (prey)", "y (predators)", "H(t) − H(0)"
    );
    let mut drift: f64 = 0.0;
    for i in 0..=10 {
        let t = T_END * i as f64 / 10.0;
        let y = dense.eval(t)?;
        let dh = invariant(&LV, y) - h0;
        drift = drift.max(dh.abs());
        println!("{t:>6.1} {:>20.14} {:>20.14} {dh:>12.1e}", y[0], y[1]);
    }
    println!(
        "H = d x − c ln x + b y − a ln y is a first integral; its drift measures the \
         global error (H(0) = {h0:.6})."
    );

    // The plot, sampled from the dense output.
    let curve = (0..SAMPLES)
        .map(|i| {
            let t = T_END * i as f64 / (SAMPLES - 1) as f64;
            dense.eval(t).map(|y| (t, y))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("lotka_volterra.svg");
    plot(&path, &curve, &sol.t, &sol.y)?;

    // 4. Forward sensitivities.
    let mut z0 = [0.0; NS];
    z0[..2].copy_from_slice(&Y0);
    let sens = solve_ivp(
        &Sensitivities(LV),
        (0.0, T_END),
        z0,
        Options::new(Method::Dop853).rtol(1e-12).atol(1e-12),
    )?
    .into_result()?;
    let z = sens.y.last().ok_or("solve_ivp returned no states")?;
    println!();
    println!(
        "Sensitivities ∂(x, y)(15)/∂p: variational equations (DOP853, rtol = atol = 1e-12, \
         nfev = {}) against central differences of solves at p ± h (h = 1e-5 |p|, same tolerances):",
        sens.stats.nfev
    );
    println!(
        "{:>3} {:>16} {:>16} {:>16} {:>16} {:>10}",
        "p", "∂x/∂p var.", "∂x/∂p fd", "∂y/∂p var.", "∂y/∂p fd", "rel diff"
    );
    for k in 0..P {
        let var = [z[2 + 2 * k], z[3 + 2 * k]];
        let fd = finite_difference(k)?;
        let rel = (0..2)
            .map(|i| (var[i] - fd[i]).abs() / var[i].abs().max(1.0))
            .fold(0.0, f64::max);
        println!(
            "{:>3} {:>16.8e} {:>16.8e} {:>16.8e} {:>16.8e} {:>10.1e}",
            LotkaVolterra::PARAMS[k],
            var[0],
            fd[0],
            var[1],
            fd[1],
            rel
        );
    }

    println!();
    println!(
        "Plot (x(t), y(t) and the phase portrait) written to {}",
        path.display()
    );
    Ok(())
}

/// `∂y(15)/∂p_k` by central differences of two solves with `p_k ± h`, `h = 1e-5 |p_k|`:
/// truncation error `O(h²)`, plus the solver's error divided by `h`.
fn finite_difference(k: usize) -> Result<[f64; 2], Box<dyn StdError>> {
    let end = |sign: f64| -> Result<[f64; 2], Box<dyn StdError>> {
        let mut p = LV.params();
        p[k] += sign * 1e-5 * p[k].abs();
        let sol = solve_ivp(
            &LotkaVolterra::from_params(p),
            (0.0, T_END),
            Y0,
            Options::new(Method::Dop853).rtol(1e-12).atol(1e-12),
        )?
        .into_result()?;
        Ok(*sol.y.last().ok_or("solve_ivp returned no states")?)
    };
    let h = 1e-5 * LV.params()[k].abs();
    let (plus, minus) = (end(1.0)?, end(-1.0)?);
    Ok([0, 1].map(|i| (plus[i] - minus[i]) / (2.0 * h)))
}

/// The first integral `d x − c ln x + b y − a ln y`.
fn invariant(lv: &LotkaVolterra, [x, y]: [f64; 2]) -> f64 {
    lv.d * x - lv.c * x.ln() + lv.b * y - lv.a * y.ln()
}

fn max_abs_diff(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    (a[0] - b[0]).abs().max((a[1] - b[1]).abs())
}

/// Two panels: `x(t)`, `y(t)` with the accepted steps marked, and the phase portrait.
fn plot(
    path: &Path,
    curve: &[(f64, [f64; 2])],
    t_steps: &[f64],
    y_steps: &[[f64; 2]],
) -> Result<(), Box<dyn StdError>> {
    let root = SVGBackend::new(path, (1300, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "Lotka-Volterra, (a, b, c, d) = (1.5, 1, 3, 1), (x, y)(0) = (10, 5) — DOP853, dense output",
        ("sans-serif", 22),
    )?;
    let (left, right) = root.split_horizontally(800);
    let prey = RGBColor(31, 119, 180);
    let predators = RGBColor(214, 39, 40);
    let y_max = curve
        .iter()
        .flat_map(|(_, y)| *y)
        .fold(0.0, f64::max)
        .ceil();

    let mut chart = ChartBuilder::on(&left)
        .caption("populations (dots: accepted steps)", ("sans-serif", 18))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(55)
        // Headroom for the legend above the peaks.
        .build_cartesian_2d(0.0..T_END, 0.0..(y_max + 2.5))?;
    chart
        .configure_mesh()
        .x_desc("t")
        .y_desc("population")
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    for (i, (name, color)) in [("x (prey)", prey), ("y (predators)", predators)]
        .into_iter()
        .enumerate()
    {
        let style = color.stroke_width(2);
        chart
            .draw_series(LineSeries::new(
                curve.iter().map(|(t, y)| (*t, y[i])),
                style,
            ))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        chart.draw_series(
            t_steps
                .iter()
                .zip(y_steps)
                .map(|(&t, y)| Circle::new((t, y[i]), 2, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 16))
        .draw()?;

    let mut phase = ChartBuilder::on(&right)
        .caption("phase portrait", ("sans-serif", 18))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..y_max, 0.0..y_max)?;
    phase
        .configure_mesh()
        .x_desc("x (prey)")
        .y_desc("y (predators)")
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    phase.draw_series(LineSeries::new(
        curve.iter().map(|(_, y)| (y[0], y[1])),
        BLACK.stroke_width(2),
    ))?;
    phase.draw_series([EmptyElement::at((Y0[0], Y0[1]))
        + Circle::new((0, 0), 5, prey.filled())
        + Text::new("t = 0", (8, -4), ("sans-serif", 16))])?;
    root.present()?;
    Ok(())
}
