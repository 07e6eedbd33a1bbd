//! Robertson's chemical kinetics: why it is stiff, the Jacobian `#[ode_system]` writes for
//! it, what an explicit method pays for it, and what the implicit `Radau` and `Bdf` do with it.
//!
//! Robertson's three reactions (H. H. Robertson, "The solution of a set of reaction rate
//! equations", in *Numerical Analysis: An Introduction*, 1966), with rate constants spread over
//! nine orders of magnitude:
//!
//! ```text
//! y1' = -0.04 y1 + 1e4 y2 y3
//! y2' =  0.04 y1 - 1e4 y2 y3 - 3e7 y2²
//! y3' =                         3e7 y2²      y(0) = (1, 0, 0)
//! ```
//!
//! This example
//!
//! 1. declares the system with `#[ode_system]` from a plain function and prints what the macro
//!    generated: the analytic Jacobian at `y0` and at the reference state `y(40)`, checked
//!    against central finite differences, its sparsity pattern and column colouring;
//! 2. computes the Jacobian's eigenvalues at `t = 40` from its characteristic polynomial (one
//!    is exactly zero because `y1 + y2 + y3` is conserved) and the stiffness ratio;
//! 3. integrates to `t = 40` with the explicit methods RK23, RK45 and DOP853 and the implicit
//!    `Radau` (Hairer's RADAU5) and `Bdf` (variable-order NDF/BDF) at `rtol = 1e-6`,
//!    `atol = 1e-10`, and prints the steps, the right-hand-side, Jacobian and LU counts, the
//!    error against the published reference and the time: the explicit methods' steps are
//!    bounded by stability, not accuracy (`h|λ3|` sits on the edge of their stability
//!    interval); the implicit ones, whose stability regions contain the whole negative real
//!    axis, take steps hundreds of times longer, with the analytic Jacobian printed here.
//!
//! `examples/stiff.rs` follows the same problem to `t = 1e11` and plots it.
//!
//! The reference values at `t = 40` are those of DETEST problem D2 (W. H. Enright and
//! J. D. Pryce, "Two FORTRAN packages for assessing initial value methods", *ACM TOMS* 13 (1987),
//! Algorithm 648, unscaled form), as copied in the workspace's shared reference notes.
//!
//! Run it with
//!
//! ```sh
//! cargo run --release --example robertson
//! ```

// The published reference keeps its 16 digits.
#![allow(clippy::excessive_precision)]

use odegen::finite_diff::colored_jacobian;
use odegen::prelude::*;
use odegen::tableau::{bogacki_shampine::BS23, dop853, dormand_prince::DP54};
use std::error::Error as StdError;
use std::hint::black_box;
use std::time::Instant;

/// Robertson's stiff chemical kinetics.
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
const T_END: f64 = 40.0;
/// `y(40)`: DETEST D2 (Enright & Pryce, ACM TOMS Alg. 648), unscaled.
const Y_REF: [f64; 3] = [
    0.7158270687193941,
    9.185534764557338e-06,
    0.2841637457458413,
];
const RTOL: f64 = 1e-6;
const ATOL: f64 = 1e-10;
/// Repeats per solve for the timing (the median is reported).
const REPEATS: usize = 7;

fn main() -> Result<(), Box<dyn StdError>> {
    println!("Robertson's chemical kinetics, y(0) = {Y0:?}, t = 0 .. {T_END}");

    // 1. What the macro generated.
    println!();
    println!(
        "#[ode_system] generated: N = {}, NNZ = {} structural non-zeros of 9",
        Robertson::N,
        Robertson::NNZ
    );
    println!("sparsity pattern (PATTERN = {:?}):", Robertson::PATTERN);
    for i in 0..3 {
        let row: Vec<&str> = (0..3)
            .map(|j| {
                if Robertson::is_structural_nonzero(i, j) {
                    "x"
                } else {
                    "."
                }
            })
            .collect();
        println!("    {}", row.join(" "));
    }
    println!(
        "column colouring (Curtis-Powell-Reid): COLORS = {:?}, N_COLORS = {}",
        Robertson::COLORS,
        Robertson::N_COLORS
    );
    println!("    rows 0 and 1 depend on every column, so no two columns may share a colour:");
    println!(
        "    finite differences would need {} pairs of evaluations, the analytic Jacobian none",
        Robertson::N_COLORS
    );

    let mut jac0 = [[0.0; 3]; 3];
    Robertson.jacobian(0.0, &Y0, &mut jac0);
    print_matrix("analytic Jacobian at y(0)", &jac0);
    let mut jac40 = [[0.0; 3]; 3];
    Robertson.jacobian(T_END, &Y_REF, &mut jac40);
    print_matrix("analytic Jacobian at the reference y(40)", &jac40);

    // The generated code against central differences grouped by the colouring (ode-core's
    // `finite_diff`, which sees only `rhs`, the pattern and the colours).
    let mut jac_fd = [[0.0; 3]; 3];
    colored_jacobian(&Robertson, T_END, &Y_REF, &mut jac_fd);
    let rel_diff = max_rel_diff(&jac40, &jac_fd);
    println!("    max relative difference to central finite differences: {rel_diff:.1e}");

    let mut nonzeros = [0.0; Robertson::NNZ];
    Robertson.jacobian_nonzeros(T_END, &Y_REF, &mut nonzeros);
    println!(
        "    jacobian_nonzeros (in PATTERN order): {}",
        fmt_vec(&nonzeros, 6)
    );

    // 2. Eigenvalues at t = 40. Mass conservation, (y1 + y2 + y3)' = 0, means every column of J
    // sums to zero: 1ᵀ J = 0, so J is singular and λ1 = 0 exactly. The characteristic polynomial
    // det(λI − J) = λ³ − tr(J) λ² + m2 λ − det(J), with m2 the sum of the principal 2×2 minors
    // and det(J) = 0, then leaves the quadratic λ² − tr(J) λ + m2 for the other two.
    let (tr, m2, det) = char_poly(&jac40);
    let disc = tr * tr - 4.0 * m2;
    println!();
    println!("Eigenvalues of J at t = 40 (characteristic polynomial λ³ − tr λ² + m2 λ − det):");
    println!(
        "    column sums of J: {:?} (mass conservation), det(J) = {det:.3e}",
        column_sums(&jac40)
    );
    println!("    tr(J) = {tr:.6e}, m2 = {m2:.6e}, discriminant tr² − 4 m2 = {disc:.6e} > 0");
    // Both roots of the quadratic: the large one by the usual formula, the small one from the
    // product of the roots (m2), which avoids the cancellation of `tr + sqrt(disc)`.
    let lambda_fast = 0.5 * (tr - disc.sqrt());
    let lambda_slow = m2 / lambda_fast;
    println!("    λ1 = 0,  λ2 = {lambda_slow:.6e},  λ3 = {lambda_fast:.6e}");
    println!(
        "    stiffness ratio |λ3 / λ2| = {:.2e}: the solution evolves on a time scale",
        lambda_fast / lambda_slow
    );
    println!(
        "    1/|λ2| = {:.0}, while an explicit method must keep h of the order of 1/|λ3| = {:.1e}",
        -1.0 / lambda_slow,
        -1.0 / lambda_fast
    );

    // 3. Integration to t = 40, explicit and implicit.
    println!();
    println!("Explicit and implicit methods to t = {T_END}, rtol = {RTOL:.0e}, atol = {ATOL:.0e}:");
    println!(
        "{:<7} {:>9} {:>9} {:>9} {:>5} {:>5} {:>11} {:>11} {:>9} {:>7} {:>10}",
        "method",
        "accepted",
        "rejected",
        "nfev",
        "njev",
        "nlu",
        "max |err|",
        "max relerr",
        "h|λ3|",
        "limit",
        "time [ms]"
    );
    // The implicit methods have no limit on the negative real axis (`None`).
    let runs = [
        (Method::Rk23, Some(stability_limit(&BS23.a, &BS23.b))),
        (Method::Rk45, Some(stability_limit(&DP54.a, &DP54.b))),
        (
            Method::Dop853,
            Some(stability_limit(&dop853::A[..dop853::N_STAGES], &dop853::B)),
        ),
        (Method::Radau, None),
        (Method::Bdf, None),
    ];
    let mut finals = Vec::new();
    for (method, limit) in runs {
        let options = || Options::new(method).rtol(RTOL).atol(ATOL);
        let sol = solve_ivp(&Robertson, (0.0, T_END), Y0, options())?.into_result()?;
        let y_end = *sol.y.last().ok_or("solve_ivp returned no states")?;
        let abs_err = (0..3)
            .map(|i| (y_end[i] - Y_REF[i]).abs())
            .fold(0.0, f64::max);
        let rel_err = (0..3)
            .map(|i| ((y_end[i] - Y_REF[i]) / Y_REF[i]).abs())
            .fold(0.0, f64::max);
        // The last full step times the fast eigenvalue there (the very last step may be cut
        // short to land on t = 40): an explicit method's step is capped where h|λ3| reaches the
        // edge of its stability region on the negative real axis.
        let k = sol.t.len() - 2;
        let h = sol.t[k] - sol.t[k - 1];
        let mut jac = [[0.0; 3]; 3];
        Robertson.jacobian(sol.t[k], &sol.y[k], &mut jac);
        let (tr, m2, _) = char_poly(&jac);
        let fast = 0.5 * (tr - (tr * tr - 4.0 * m2).sqrt());

        let mut times = Vec::with_capacity(REPEATS);
        for _ in 0..REPEATS {
            let start = Instant::now();
            let r = solve_ivp(
                &Robertson,
                black_box((0.0, T_END)),
                black_box(Y0),
                options(),
            )?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
            black_box(r);
        }
        times.sort_by(f64::total_cmp);

        println!(
            "{:<7} {:>9} {:>9} {:>9} {:>5} {:>5} {:>11.2e} {:>11.2e} {:>9.3} {:>7} {:>10.3}",
            method.to_string(),
            sol.stats.n_accepted,
            sol.stats.n_rejected,
            sol.stats.nfev,
            sol.stats.njev,
            sol.stats.nlu,
            abs_err,
            rel_err,
            h * fast.abs(),
            limit.map_or("none".to_string(), |l| format!("{l:.3}")),
            times[REPEATS / 2]
        );
        finals.push((method, y_end));
    }
    println!();
    println!("y(40) against the reference (DETEST D2):");
    println!("  {:<7} {}", "ref", fmt_vec(&Y_REF, 15));
    for (method, y) in &finals {
        println!("  {:<7} {}", method.to_string(), fmt_vec(y, 15));
        let rel: Vec<f64> = (0..3).map(|i| (y[i] - Y_REF[i]) / Y_REF[i]).collect();
        println!("  {:<7} {} (relative error)", "", fmt_vec(&rel, 2));
    }
    println!();
    println!("max relerr = max_i |y_i − y_ref,i| / |y_ref,i|: y2 ≈ 9e-6 lies below");
    println!("    atol/rtol = 1e-4, so its error is held by atol (1e-10 absolute), not rtol.");
    println!("h|λ3| = last full step times the fast eigenvalue there; limit = where the method's");
    println!(
        "    stability function leaves |R(z)| ≤ 1 on the negative real axis (from its tableau)."
    );
    println!(
        "    The explicit step sits on that limit: it is set by stability, not accuracy, hence"
    );
    println!("    tens of thousands of steps for a solution that changes on a time scale of tens.");
    println!(
        "    Radau IIA and the NDF/BDF have no such limit (h|λ3| in the thousands); they solve"
    );
    println!(
        "    Newton systems with the analytic Jacobian printed above, evaluated njev times and"
    );
    println!("    factored nlu times (BDF keeps a Jacobian over many steps, Radau rarely).");
    println!("times: median of {REPEATS} solves on this machine.");
    Ok(())
}

/// `[a, b, ...]` in scientific notation with `digits` digits after the point.
fn fmt_vec(v: &[f64], digits: usize) -> String {
    let parts: Vec<String> = v.iter().map(|x| format!("{x:.digits$e}")).collect();
    format!("[{}]", parts.join(", "))
}

fn print_matrix(title: &str, m: &[[f64; 3]; 3]) {
    println!("{title}:");
    for row in m {
        // `+ 0.0` prints the generated code's −0.0 (e.g. `-1e4 * y3` at y3 = 0) as 0.
        let [a, b, c] = row.map(|x| x + 0.0);
        println!("    [{a:>14.6e} {b:>14.6e} {c:>14.6e}]");
    }
}

/// The largest difference relative to `max(|a_ij|, 1)`.
fn max_rel_diff(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> f64 {
    let mut d: f64 = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            d = d.max((a[i][j] - b[i][j]).abs() / a[i][j].abs().max(1.0));
        }
    }
    d
}

fn column_sums(m: &[[f64; 3]; 3]) -> [f64; 3] {
    [0, 1, 2].map(|j| m[0][j] + m[1][j] + m[2][j])
}

/// The coefficients of `det(λI − A) = λ³ − tr λ² + m2 λ − det`: `(tr, m2, det)`.
fn char_poly(a: &[[f64; 3]; 3]) -> (f64, f64, f64) {
    let tr = a[0][0] + a[1][1] + a[2][2];
    let minor = |i: usize, j: usize| a[i][i] * a[j][j] - a[i][j] * a[j][i];
    let m2 = minor(0, 1) + minor(0, 2) + minor(1, 2);
    let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    (tr, m2, det)
}

/// The stability function `R(z) = 1 + z bᵀ (I − zA)⁻¹ 1` of an explicit method with
/// strictly lower triangular `a` and weights `b` (one step of `y' = λy` from `y = 1`, with
/// `z = hλ`: the stages follow one after the other).
fn stability_function<const K: usize>(a: &[[f64; K]], b: &[f64], z: f64) -> f64 {
    let mut g = [0.0; K];
    for i in 0..b.len() {
        g[i] = 1.0 + z * (0..i).map(|j| a[i][j] * g[j]).sum::<f64>();
    }
    1.0 + z * b.iter().zip(&g).map(|(bi, gi)| bi * gi).sum::<f64>()
}

/// The first `x > 0` with `|R(−x)| = 1`: a scan in steps of 0.01, refined by bisection.
fn stability_limit<const K: usize>(a: &[[f64; K]], b: &[f64]) -> f64 {
    let unstable = |x: f64| stability_function(a, b, -x).abs() > 1.0;
    let mut hi = 0.01;
    while !unstable(hi) {
        hi += 0.01;
    }
    let mut lo = hi - 0.01;
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if unstable(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}
