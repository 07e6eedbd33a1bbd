//! The implicit steppers on linear systems of every size: the chain `y_i' = −y_i + y_{i−1}`
//! and the method-of-lines heat equation `u_t = u_xx`, each against its exact solution.
//!
//! Shared by `tests/large_systems.rs` (a thinned list of sizes, unoptimised) and the
//! `odegen-opt-tests` crate (every size `1..=300` and a few larger, compiled with
//! `opt-level = 3`: the defect this guards against lived in optimised code only).
//!
//! The defect (fixed): from `N ≈ 80` on, `Radau5`, `AdaptiveRadau` and `Bdf` failed at `t = 0`
//! in optimised builds ("required step size 0e0", or a non-finite `f` at `t = 2.2e-308`),
//! because their constructors' frames, holding a whole stepper, got an inline stack-probe loop
//! that overwrote a live register, and the stepper started from a zero `first_step`.
#![allow(dead_code)]

use odegen::prelude::*;

/// A tridiagonal linear system with constant diagonals: `y_i' = a y_{i−1} + b y_i + c y_{i+1}`
/// (`y_{−1} = y_N = 0`). Its Jacobian comes from finite differences, as a user's would who
/// writes no Jacobian.
#[derive(Debug, Clone, Copy)]
pub struct Tridiagonal {
    pub a: f64,
    pub b: f64,
    pub c: f64,
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

/// The chain `y_i' = −y_i + y_{i−1}` from `y(0) = e_0`: `y_i(t) = e^{−t} tⁱ / i!` (the Poisson
/// probabilities; a direct solve of the triangular system by induction on `i`).
pub fn chain() -> Tridiagonal {
    Tridiagonal {
        a: 1.0,
        b: -1.0,
        c: 0.0,
    }
}

pub fn chain_exact<const N: usize>(t: f64) -> [f64; N] {
    let mut y = [0.0; N];
    let mut p = (-t).exp();
    for (i, yi) in y.iter_mut().enumerate() {
        if i > 0 {
            p *= t / i as f64;
        }
        *yi = p;
    }
    y
}

/// `u_t = u_xx` on `(0, 1)`, `u = 0` at both ends, `N` interior points `x_i = (i + 1) Δx`,
/// `Δx = 1/(N + 1)`, second differences. `sin(π x_i)` is an eigenvector of the difference
/// operator with eigenvalue `λ = −(4/Δx²) sin²(π Δx / 2)`, so the semi-discrete solution from
/// it is `sin(π x_i) e^{λ t}` exactly (LeVeque, *Finite Difference Methods for ODEs and PDEs*,
/// SIAM 2007, §2.10).
pub fn heat<const N: usize>() -> Tridiagonal {
    let dx = 1.0 / (N as f64 + 1.0);
    let k = 1.0 / (dx * dx);
    Tridiagonal {
        a: k,
        b: -2.0 * k,
        c: k,
    }
}

pub fn heat_exact<const N: usize>(t: f64) -> [f64; N] {
    let dx = 1.0 / (N as f64 + 1.0);
    let lambda = -4.0 / (dx * dx) * (0.5 * std::f64::consts::PI * dx).sin().powi(2);
    let mut u = [0.0; N];
    for (i, ui) in u.iter_mut().enumerate() {
        *ui = (std::f64::consts::PI * (i as f64 + 1.0) * dx).sin() * (lambda * t).exp();
    }
    u
}

/// The largest error of `y` against `exact`, relative to the largest exact component.
pub fn relative_error<const N: usize>(y: &[f64; N], exact: &[f64; N]) -> f64 {
    let scale = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = y
        .iter()
        .zip(exact.iter())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    err / scale
}

/// Runs the stepper `made` (or its construction error) to its bound and checks that the
/// largest error against `exact`, relative to the largest exact component, is within `bound`.
fn run_to_end<St: Stepper<f64, N>, const N: usize>(
    made: Result<St, Error>,
    exact: &[f64; N],
    bound: f64,
    what: &str,
) {
    let mut st = made.unwrap_or_else(|e| panic!("N = {N}, {what}: {e}"));
    let mut steps = 0;
    while !st.is_finished() {
        if let Err(e) = st.step() {
            panic!("N = {N}, {what}: {e} after {steps} steps");
        }
        steps += 1;
        assert!(
            steps < 100_000,
            "N = {N}, {what}: no end after {steps} steps"
        );
    }
    let err = relative_error(st.y(), exact);
    assert!(
        err <= bound,
        "N = {N}, {what}: relative error {err:e} above {bound:e}"
    );
}

/// The implicit steppers (Radau5, AdaptiveRadau, Bdf and Rodas5P, whose constructor all
/// Rosenbrock methods share) on the chain (to `t = 5`) and the heat equation (to
/// `t = 0.1`) with `N` components, each within `bound` of the exact solution (relative to its
/// largest component), with the automatic first step.
pub fn check_size<const N: usize>(rtol: f64, bound: f64) {
    let tol = Tolerances::new(rtol, 1e-4 * rtol);
    let mut e0 = [0.0; N];
    e0[0] = 1.0;
    let end = chain_exact::<N>(5.0);
    run_to_end(
        Radau5::new(chain(), 0.0, e0, 5.0, tol),
        &end,
        bound,
        "Radau5, chain",
    );
    let made = AdaptiveRadau::new(chain(), 0.0, e0, 5.0, tol);
    run_to_end(made, &end, bound, "AdaptiveRadau, chain");
    run_to_end(
        Bdf::new(chain(), 0.0, e0, 5.0, tol),
        &end,
        bound,
        "Bdf, chain",
    );
    run_to_end(
        Rodas5P::new(chain(), 0.0, e0, 5.0, tol),
        &end,
        bound,
        "Rodas5P, chain",
    );
    let (u0, end) = (heat_exact::<N>(0.0), heat_exact::<N>(0.1));
    run_to_end(
        Radau5::new(heat::<N>(), 0.0, u0, 0.1, tol),
        &end,
        bound,
        "Radau5, heat",
    );
    let made = AdaptiveRadau::new(heat::<N>(), 0.0, u0, 0.1, tol);
    run_to_end(made, &end, bound, "AdaptiveRadau, heat");
    run_to_end(
        Bdf::new(heat::<N>(), 0.0, u0, 0.1, tol),
        &end,
        bound,
        "Bdf, heat",
    );
    run_to_end(
        Rodas5P::new(heat::<N>(), 0.0, u0, 0.1, tol),
        &end,
        bound,
        "Rodas5P, heat",
    );
}

/// `$check::<N>` (`check_size` or `check_size_solve_ivp`) for each listed size, each on a thread with a stack large enough for the
/// steppers (`Radau5` holds `4·N²` reals on the stack: 7.7 MB at `N = 500`).
#[macro_export]
macro_rules! sweep_sizes {
    ($check:ident, $rtol:expr, $bound:expr; $($n:literal)*) => {{
        let mut failures = Vec::new();
        $(
            let stack = 64 * 1024 * 1024 + 6 * 8 * $n * $n * 8;
            let r = std::thread::Builder::new()
                .stack_size(stack)
                .spawn(|| $check::<$n>($rtol, $bound))
                .unwrap()
                .join();
            if let Err(e) = r {
                failures.push(format!("N = {}: {:?}", $n, e.downcast_ref::<String>()));
            }
        )*
        assert!(failures.is_empty(), "{} sizes failed: {failures:#?}", failures.len());
    }};
}

/// The same problems through `solve_ivp` with each implicit method (`Method::Radau`,
/// `AdaptiveRadau`, `Bdf`, `Rodas5P`), SciPy's route: the constructors then run inside the driver's
/// frame, where the defect showed first.
pub fn check_size_solve_ivp<const N: usize>(rtol: f64, bound: f64) {
    let mut e0 = [0.0; N];
    e0[0] = 1.0;
    let problems = [
        (chain(), e0, 5.0, chain_exact::<N>(5.0), "chain"),
        (
            heat::<N>(),
            heat_exact::<N>(0.0),
            0.1,
            heat_exact::<N>(0.1),
            "heat",
        ),
    ];
    for (sys, y0, t1, exact, name) in problems {
        for method in [
            Method::Radau,
            Method::AdaptiveRadau,
            Method::Bdf,
            Method::Rodas5P,
        ] {
            let options = Options::new(method).rtol(rtol).atol(1e-4 * rtol);
            let sol = solve_ivp(&sys, (0.0, t1), y0, options)
                .and_then(|s| s.into_result())
                .unwrap_or_else(|e| panic!("N = {N}, {method}, {name}: {e}"));
            let err = relative_error(sol.y.last().unwrap(), &exact);
            assert!(
                err <= bound,
                "N = {N}, {method}, {name}: relative error {err:e} above {bound:e}"
            );
        }
    }
}

/// The chain through `solve_ivp` with every method of `Method::ALL` (the fixed-step ones at
/// `h = 1e-3`), to `t = 0.5`, against its exact solution: meant to run on a small stack.
pub fn every_method_on_a_small_stack<const N: usize>() {
    let mut e0 = [0.0; N];
    e0[0] = 1.0;
    let exact = chain_exact::<N>(0.5);
    for method in Method::ALL {
        let mut options = Options::new(method).rtol(1e-6).atol(1e-10);
        if method.is_fixed_step() {
            options = options.first_step(1e-3);
        }
        let sol = solve_ivp(&chain(), (0.0, 0.5), e0, options)
            .and_then(|s| s.into_result())
            .unwrap_or_else(|e| panic!("N = {N}, {method}: {e}"));
        let y = sol.y.last().unwrap();
        let err = y
            .iter()
            .zip(exact.iter())
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        // Euler, the least accurate, is within 1e-3 at h = 1e-3 (its global error ≈ h/2 · |y''|).
        assert!(err < 1e-3, "N = {N}, {method}: error {err:e}");
    }
}
