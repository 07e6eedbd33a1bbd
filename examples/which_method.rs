//! Which method? The measurements behind the README's guide of that name.
//!
//! Five problems, each solved through `solve_ivp` with DOP853, RK45, Radau, AdaptiveRadau and
//! BDF at `rtol = 1e-4` and `rtol = 1e-8`, and the three small stiff ones with the implicit
//! methods at `1e-10` and `1e-12`; every system is an `#[ode_system]`, so the implicit
//! methods use its analytic Jacobian. For each run the example prints the accepted and the
//! rejected steps, `nfev`, the median wall time of [`REPEATS`] solves and the error
//! `max_i |y_i − ref_i| / (atol/rtol + |ref_i|)` of the final state, as a Markdown table.
//! Then, on HIRES with Radau at `1e-8`, the same for each Jacobian source: analytic,
//! `jacobian = dual`, coloured finite differences and plain forward differences.
//!
//! The problems and their references:
//! - **Arenstorf orbit**, one period (`N = 4`, not stiff; Hairer, Nørsett & Wanner I, II.0):
//!   the orbit is periodic, so the reference is the initial state;
//! - **Robertson** to `t = 40` (`N = 3`): DETEST problem D2 (Enright & Pryce, ACM TOMS
//!   Algorithm 648);
//! - **Van der Pol**, `μ = 1000`, to `t = 2000` from `(2, 0)` (`N = 2`) and **HIRES** to
//!   `t = 321.8122` (`N = 8`): Mazzia & Magherini, *Test Set for IVP Solvers* 2.4;
//! - **Brusselator with diffusion** (`N = 40`; Hairer & Wanner II, IV.10, problem BRUSS, with
//!   the components ordered `u1, v1, u2, v2, …` so its Jacobian is banded):
//!   `u_i' = 1 + u_i² v_i − 4u_i + α(M+1)²(u_{i−1} − 2u_i + u_{i+1})`,
//!   `v_i' = 3u_i − u_i² v_i + α(M+1)²(v_{i−1} − 2v_i + v_{i+1})`, `α = 1/50`, `M = 20`,
//!   `u = 1`, `v = 3` at both ends, `u_i(0) = 1 + sin(2π i/(M+1))`, `v_i(0) = 3`, to `t = 10`.
//!   No published value exists at this resolution, so the reference is computed here, by
//!   Radau and by DOP853 at `rtol = atol = 1e-13`; their difference is printed.
//!
//! Run it with
//!
//! ```sh
//! cargo run --release --example which_method
//! ```
//!
//! (about a minute; the explicit methods need millions of steps on Van der Pol).

#[path = "../tests/problems/stiff.rs"]
mod stiff;

use odegen::prelude::*;
use std::error::Error as StdError;
use std::hint::black_box;
use std::time::Instant;
use stiff::{HIRES_T_END, HIRES_Y0, ROBERTSON_T40, VAN_DER_POL_T2000};

/// Solves per timing (the median is reported).
const REPEATS: usize = 21;
/// The two tolerances of the table.
const RTOLS: [f64; 2] = [1e-4, 1e-8];
/// The methods compared.
const METHODS: [Method; 5] = [
    Method::Dop853,
    Method::Rk45,
    Method::Radau,
    Method::AdaptiveRadau,
    Method::Bdf,
];
/// The tight tolerances of the second table, and the stiff methods it compares.
const TIGHT_RTOLS: [f64; 2] = [1e-10, 1e-12];
const STIFF_METHODS: [Method; 3] = [Method::Radau, Method::AdaptiveRadau, Method::Bdf];

/// The Arenstorf orbit (Hairer, Nørsett & Wanner I, II.0, eq. 0.1) as `(y1, y2, y1', y2')`.
#[ode_system]
fn arenstorf(_t: f64, y: [f64; 4]) -> [f64; 4] {
    let [y1, y2, v1, v2] = y;
    let mu = 0.012277471;
    let mu1 = 1.0 - mu;
    let r1 = ((y1 + mu) * (y1 + mu) + y2 * y2).sqrt();
    let r2 = ((y1 - mu1) * (y1 - mu1) + y2 * y2).sqrt();
    let d1 = r1 * r1 * r1;
    let d2 = r2 * r2 * r2;
    [
        v1,
        v2,
        y1 + 2.0 * v2 - mu1 * (y1 + mu) / d1 - mu * (y1 - mu1) / d2,
        y2 - 2.0 * v1 - mu1 * y2 / d1 - mu * y2 / d2,
    ]
}

/// Arenstorf's initial state and period (Hairer, Nørsett & Wanner I, II.0).
const ARENSTORF_Y0: [f64; 4] = [0.994, 0.0, 0.0, -2.001_585_106_379_082_5];
const ARENSTORF_PERIOD: f64 = 17.065_216_560_157_963;

/// The Brusselator with diffusion, `M = 20` grid points, interleaved `(u_i, v_i)`.
#[ode_system]
fn brusselator(_t: f64, y: [f64; 40]) -> [f64; 40] {
    // α (M + 1)² with α = 1/50, M = 20.
    let c = 441.0 / 50.0;
    let mut dy = [0.0; 40];
    for i in 0..20 {
        let u = y[2 * i];
        let v = y[2 * i + 1];
        let [ul, vl] = if i == 0 {
            [1.0, 3.0]
        } else {
            [y[2 * i - 2], y[2 * i - 1]]
        };
        let [ur, vr] = if i == 19 {
            [1.0, 3.0]
        } else {
            [y[2 * i + 2], y[2 * i + 3]]
        };
        dy[2 * i] = 1.0 + u * u * v - 4.0 * u + c * (ul - 2.0 * u + ur);
        dy[2 * i + 1] = 3.0 * u - u * u * v + c * (vl - 2.0 * v + vr);
    }
    dy
}

/// The Brusselator's initial state.
fn brusselator_y0() -> [f64; 40] {
    core::array::from_fn(|k| {
        let i = (k / 2 + 1) as f64;
        if k % 2 == 0 {
            1.0 + (2.0 * std::f64::consts::PI * i / 21.0).sin()
        } else {
            3.0
        }
    })
}

/// One problem of the table.
struct Problem<Sys, const N: usize> {
    name: &'static str,
    sys: Sys,
    y0: [f64; N],
    t_end: f64,
    /// `atol = atol_over_rtol · rtol`.
    atol_over_rtol: f64,
    reference: [f64; N],
}

/// One measured run.
struct Run {
    steps: usize,
    rejected: usize,
    nfev: usize,
    njev: usize,
    median_us: f64,
    err: f64,
}

/// `max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`.
fn scaled_error<const N: usize>(y: &[f64; N], reference: &[f64; N], atol_over_rtol: f64) -> f64 {
    (0..N)
        .map(|i| (y[i] - reference[i]).abs() / (atol_over_rtol + reference[i].abs()))
        .fold(0.0, f64::max)
}

/// Solves `p` with `options` [`REPEATS`] times: counters and error of the first solve, the
/// median time of all.
fn measure<Sys: OdeSystem<N>, const N: usize>(
    p: &Problem<Sys, N>,
    options: impl Fn() -> Options<f64, N>,
    atol_over_rtol: f64,
) -> Result<Run, Box<dyn StdError>> {
    let sol = solve_ivp(&p.sys, (0.0, p.t_end), p.y0, options())?.into_result()?;
    let y_end = sol.y.last().ok_or("no output")?;
    let err = scaled_error(y_end, &p.reference, atol_over_rtol);
    let mut times = Vec::with_capacity(REPEATS);
    for _ in 0..REPEATS {
        let start = Instant::now();
        let r = solve_ivp(
            &p.sys,
            black_box((0.0, p.t_end)),
            black_box(p.y0),
            options(),
        )?;
        times.push(start.elapsed().as_secs_f64() * 1e6);
        black_box(r);
    }
    times.sort_by(f64::total_cmp);
    Ok(Run {
        steps: sol.stats.n_accepted,
        rejected: sol.stats.n_rejected,
        nfev: sol.stats.nfev,
        njev: sol.stats.njev,
        median_us: times[REPEATS / 2],
        err,
    })
}

/// The method's name as the README writes it.
fn name(method: Method) -> &'static str {
    match method {
        Method::Dop853 => "DOP853",
        Method::Rk45 => "RK45",
        Method::Radau => "Radau",
        Method::AdaptiveRadau => "AdaptiveRadau",
        Method::Bdf => "BDF",
        _ => "other",
    }
}

/// A time in µs, printed as µs or ms.
fn time(us: f64) -> String {
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

/// An integer with thin spaces between thousands, as the README writes them.
fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (k, ch) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// Prints the table rows of one problem: one line per method, each tolerance.
fn rows<Sys: OdeSystem<N>, const N: usize>(
    p: &Problem<Sys, N>,
    methods: &[Method],
    rtols: &[f64],
) -> Result<(), Box<dyn StdError>> {
    for (k, &method) in methods.iter().enumerate() {
        let label = if k == 0 { p.name } else { "" };
        let mut line = format!("| {label} | {} |", name(method));
        for &rtol in rtols {
            let atol = p.atol_over_rtol * rtol;
            match measure(
                p,
                || Options::new(method).rtol(rtol).atol(atol),
                p.atol_over_rtol,
            ) {
                Ok(run) => {
                    line += &format!(
                        " {} | {} | {} | {} | {:.0e} |",
                        count(run.steps),
                        count(run.rejected),
                        count(run.nfev),
                        time(run.median_us),
                        run.err
                    )
                }
                // A failure is a result too: the table says so, and the next method runs.
                Err(e) => line += &format!(" failed: {e} | | | | |"),
            }
        }
        println!("{line}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn StdError>> {
    // The Brusselator's reference, by two methods of different kinds.
    let bruss_y0 = brusselator_y0();
    let tight = |method| Options::new(method).rtol(1e-13).atol(1e-13);
    let by_radau = solve_ivp(&Brusselator, (0.0, 10.0), bruss_y0, tight(Method::Radau))?
        .into_result()?
        .y
        .last()
        .copied()
        .ok_or("no output")?;
    let by_dop853 = solve_ivp(&Brusselator, (0.0, 10.0), bruss_y0, tight(Method::Dop853))?
        .into_result()?
        .y
        .last()
        .copied()
        .ok_or("no output")?;
    let agreement = (0..40)
        .map(|i| (by_radau[i] - by_dop853[i]).abs())
        .fold(0.0, f64::max);
    println!(
        "Brusselator reference: Radau and DOP853 at rtol = atol = 1e-13 agree to {agreement:.1e}"
    );
    println!(
        "times: medians of {REPEATS} solves of solve_ivp; err = max_i |y_i - ref_i| / (atol/rtol + |ref_i|)"
    );
    println!();
    println!(
        "| problem | method | rtol 1e-4: steps | rej | nfev | time | err | rtol 1e-8: steps | rej | nfev | time | err |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    rows(
        &Problem {
            name: "Arenstorf orbit, one period (N = 4, not stiff; atol = rtol)",
            sys: Arenstorf,
            y0: ARENSTORF_Y0,
            t_end: ARENSTORF_PERIOD,
            atol_over_rtol: 1.0,
            reference: ARENSTORF_Y0,
        },
        &METHODS,
        &RTOLS,
    )?;
    let robertson = Problem {
        name: "Robertson, t = 40 (N = 3; atol = 1e-6·rtol)",
        sys: stiff::Robertson,
        y0: [1.0, 0.0, 0.0],
        t_end: 40.0,
        atol_over_rtol: 1e-6,
        reference: ROBERTSON_T40,
    };
    rows(&robertson, &METHODS, &RTOLS)?;
    let van_der_pol = Problem {
        name: "Van der Pol, μ = 1000, t = 2000 (N = 2; atol = rtol)",
        sys: stiff::VanDerPol { mu: 1000.0 },
        y0: [2.0, 0.0],
        t_end: 2000.0,
        atol_over_rtol: 1.0,
        reference: VAN_DER_POL_T2000,
    };
    rows(&van_der_pol, &METHODS, &RTOLS)?;
    let hires = Problem {
        name: "HIRES, t = 321.8122 (N = 8; atol = 1e-4·rtol)",
        sys: stiff::Hires,
        y0: HIRES_Y0,
        t_end: 321.8122,
        atol_over_rtol: 1e-4,
        reference: HIRES_T_END,
    };
    rows(&hires, &METHODS, &RTOLS)?;
    rows(
        &Problem {
            name: "Brusselator with diffusion, t = 10 (N = 40, banded; atol = rtol)",
            sys: Brusselator,
            y0: bruss_y0,
            t_end: 10.0,
            atol_over_rtol: 1.0,
            reference: by_radau,
        },
        &METHODS,
        &RTOLS,
    )?;

    println!();
    println!("Tight tolerances: the stiff methods");
    println!(
        "| problem | method | rtol 1e-10: steps | rej | nfev | time | err | rtol 1e-12: steps | rej | nfev | time | err |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    rows(&robertson, &STIFF_METHODS, &TIGHT_RTOLS)?;
    rows(&van_der_pol, &STIFF_METHODS, &TIGHT_RTOLS)?;
    rows(&hires, &STIFF_METHODS, &TIGHT_RTOLS)?;

    println!();
    println!("Jacobian sources: HIRES, Radau, rtol = 1e-8, atol = 1e-12");
    println!("| Jacobian | njev | nfev | time | err |");
    println!("|---|--:|--:|--:|--:|");
    source_row("analytic (`#[ode_system]`)", &hires, stiff::Hires)?;
    source_row("`jacobian = dual`", &hires, HiresDual)?;
    source_row(
        "coloured differences (`jacobian::Colored`)",
        &hires,
        odegen::jacobian::Colored(stiff::Hires),
    )?;
    source_row("forward differences (plain `OdeSystem`)", &hires, HiresFd)?;
    Ok(())
}

/// HIRES once more with `jacobian = dual`: forward-mode AD over a generic copy of the
/// function (so the body is written out again; it is `stiff::hires`).
#[ode_system(jacobian = dual)]
fn hires_dual(_t: f64, y: [f64; 8]) -> [f64; 8] {
    let [y1, y2, y3, y4, y5, y6, y7, y8] = y;
    [
        -1.71 * y1 + 0.43 * y2 + 8.32 * y3 + 0.0007,
        1.71 * y1 - 8.75 * y2,
        -10.03 * y3 + 0.43 * y4 + 0.035 * y5,
        8.32 * y2 + 1.71 * y3 - 1.12 * y4,
        -1.745 * y5 + 0.43 * y6 + 0.43 * y7,
        -280.0 * y6 * y8 + 0.69 * y4 + 1.71 * y5 - 0.43 * y6 + 0.69 * y7,
        280.0 * y6 * y8 - 1.81 * y7,
        -280.0 * y6 * y8 + 1.81 * y7,
    ]
}

/// HIRES as a plain `OdeSystem` (no Jacobian, no pattern): forward differences, one
/// evaluation of `f` per column.
struct HiresFd;

impl OdeSystem<8> for HiresFd {
    fn rhs(&self, t: f64, y: &[f64; 8], dy: &mut [f64; 8]) {
        stiff::Hires.rhs(t, y, dy);
    }
}

/// One row of the Jacobian-source table.
fn source_row<Sys: OdeSystem<8>>(
    label: &str,
    hires: &Problem<stiff::Hires, 8>,
    sys: Sys,
) -> Result<(), Box<dyn StdError>> {
    let p = Problem {
        name: hires.name,
        sys,
        y0: hires.y0,
        t_end: hires.t_end,
        atol_over_rtol: hires.atol_over_rtol,
        reference: hires.reference,
    };
    let options = || Options::new(Method::Radau).rtol(1e-8).atol(1e-12);
    let run = measure(&p, options, p.atol_over_rtol)?;
    println!(
        "| {label} | {} | {} | {} | {:.0e} |",
        run.njev,
        count(run.nfev),
        time(run.median_us),
        run.err
    );
    Ok(())
}
