//! The method-of-lines heat equation and a linear chain, of growing size, with the implicit
//! methods through `solve_ivp`: how work and time grow with `N` for dense linear algebra.
//!
//! ```text
//! u_t = u_xx on (0, 1), u(0) = u(1) = 0, u(x, 0) = sin(π x)      (N interior points)
//! y_i' = −y_i + y_{i−1},  y(0) = e_0                              (a chain of N reactions)
//! ```
//!
//! With `Δx = 1/(N + 1)` and second differences, `sin(π x_i)` is an eigenvector of the
//! semi-discrete operator with eigenvalue `λ = −(4/Δx²) sin²(π Δx/2)`, so the exact solution of
//! the ODE system is `sin(π x_i) e^{λ t}` (LeVeque, *Finite Difference Methods for Ordinary and
//! Partial Differential Equations*, SIAM 2007, §2.10); the chain's is `y_i = e^{−t} tⁱ/i!`.
//! The stiffness ratio of the heat equation grows like `N²` (`|λ_max| ≈ 4 (N + 1)²`).
//!
//! Neither system gives a Jacobian, so the methods take it by forward differences (`N`
//! evaluations of `f`); `#[ode_system]` would give an analytic one. Each solve runs on a thread
//! with a stack large enough for the dense `N × N` work areas (see the README's "Which
//! method?" for the sizes). Every solve must reach the exact solution to `1e-4` relative
//! error; the example exits with an error otherwise — it is also the release-build check of the
//! automatic first step at these sizes (`tests/large_systems.rs` runs it).
//!
//! ```sh
//! cargo run --release --example heat_equation
//! ```

use odegen::prelude::*;
use std::time::Instant;

/// `y_i' = a y_{i−1} + b y_i + c y_{i+1}` with `y_{−1} = y_N = 0`.
struct Tridiagonal {
    a: f64,
    b: f64,
    c: f64,
}

impl<const N: usize> OdeSystem<N> for Tridiagonal {
    fn rhs(&self, _t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        for i in 0..N {
            let left = if i > 0 { y[i - 1] } else { 0.0 };
            let right = if i + 1 < N { y[i + 1] } else { 0.0 };
            dy[i] = self.a * left + self.b * y[i] + self.c * right;
        }
    }
}

/// One row of the table: the problem, its exact solution at the end, and the solve.
fn solve<const N: usize>(
    name: &str,
    sys: &Tridiagonal,
    y0: [f64; N],
    t1: f64,
    exact: [f64; N],
) -> Result<(), String> {
    for method in Method::implicit() {
        let options = Options::new(method).rtol(1e-6).atol(1e-10);
        let start = Instant::now();
        let sol = solve_ivp(sys, (0.0, t1), y0, options)
            .and_then(|s| s.into_result())
            .map_err(|e| format!("{name}, N = {N}, {method}: {e}"))?;
        let time = start.elapsed();
        let y = sol.y.last().unwrap();
        let scale = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let err = y
            .iter()
            .zip(exact.iter())
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()))
            / scale;
        let s = &sol.stats;
        println!(
            "| {name} | {N} | {method} | {} | {} | {} | {} | {} | {err:.1e} | {:.2} ms |",
            s.n_accepted,
            s.n_rejected,
            s.nfev,
            s.njev,
            s.nlu,
            time.as_secs_f64() * 1e3
        );
        if err.is_nan() || err > 1e-4 {
            return Err(format!("{name}, N = {N}, {method}: relative error {err:e}"));
        }
    }
    Ok(())
}

fn sizes<const N: usize>() -> Result<(), String> {
    let dx = 1.0 / (N as f64 + 1.0);
    let k = 1.0 / (dx * dx);
    let heat = Tridiagonal {
        a: k,
        b: -2.0 * k,
        c: k,
    };
    let lambda = -4.0 * k * (0.5 * std::f64::consts::PI * dx).sin().powi(2);
    let u0: [f64; N] =
        std::array::from_fn(|i| (std::f64::consts::PI * (i as f64 + 1.0) * dx).sin());
    let t1 = 0.1;
    let u1 = u0.map(|u| u * (lambda * t1).exp());
    solve("heat", &heat, u0, t1, u1)?;

    let chain = Tridiagonal {
        a: 1.0,
        b: -1.0,
        c: 0.0,
    };
    let mut e0 = [0.0; N];
    e0[0] = 1.0;
    let t1 = 5.0;
    let mut p = (-t1).exp();
    let exact: [f64; N] = std::array::from_fn(|i| {
        if i > 0 {
            p *= t1 / i as f64;
        }
        p
    });
    solve("chain", &chain, e0, t1, exact)
}

/// Runs `sizes::<N>` on a thread with room for the steppers (`Radau5` holds `4·N²` reals on
/// the stack, `AdaptiveRadau` about twice as many).
fn on_big_stack<const N: usize>() -> Result<(), String> {
    let stack = 64 * 1024 * 1024 + 24 * N * N * 8;
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(sizes::<N>)
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| format!("N = {N}: the solve panicked"))?
}

fn main() -> Result<(), String> {
    println!("| problem | N | method | steps | rej | nfev | njev | nlu | error | time |");
    println!("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|");
    on_big_stack::<50>()?;
    on_big_stack::<80>()?;
    on_big_stack::<100>()?;
    on_big_stack::<200>()?;
    on_big_stack::<300>()?;
    on_big_stack::<500>()?;
    Ok(())
}
