//! Shared pieces of the peer benchmarks: an adapter that hands an odegen system to
//! `ode_solvers`, the outcome of one solve, a median timer, the work every implementation
//! of Hairer's codes must do (chained right-hand sides, the controller's powers), and for the
//! Jacobian benchmark dense central differences and an entrywise relative error.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use ode_solvers::{SVector, System};
use odegen::OdeSystem;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// An odegen [`OdeSystem`] seen as an `ode_solvers` [`System`] on `SVector<f64, N>`.
///
/// The adapter borrows the vectors' storage as `[f64; N]` (no copy, no check), so both
/// libraries evaluate exactly the same right-hand-side code.
pub struct Peer<'a, Sys>(pub &'a Sys);

impl<Sys: OdeSystem<N>, const N: usize> System<f64, SVector<f64, N>> for Peer<'_, Sys> {
    #[inline(always)]
    fn system(&self, t: f64, y: &SVector<f64, N>, dy: &mut SVector<f64, N>) {
        self.0.rhs(t, &y.data.0[0], &mut dy.data.0[0]);
    }
}

/// What one solve reports: work counters and the achieved error of the final state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Right-hand-side evaluations, as the solver counts them.
    pub nfev: usize,
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected steps, as the solver counts them.
    pub rejected: usize,
    /// Largest absolute deviation of the final state from the reference.
    pub error: f64,
}

/// Median wall time per call of each of `runs`, from `rounds` timed calls each after `warmup`
/// untimed ones. The calls are interleaved round-robin (one call of every closure per round),
/// so a change of machine load affects all closures alike.
pub fn interleaved_medians<O>(
    runs: &[&dyn Fn() -> O],
    warmup: usize,
    rounds: usize,
) -> Vec<Duration> {
    for run in runs {
        for _ in 0..warmup {
            black_box(run());
        }
    }
    let mut times = vec![Vec::with_capacity(rounds); runs.len()];
    for _ in 0..rounds {
        for (run, t) in runs.iter().zip(times.iter_mut()) {
            let start = Instant::now();
            black_box(run());
            t.push(start.elapsed());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_unstable();
            t[t.len() / 2]
        })
        .collect()
}

/// How [`batched_medians_per_call`] times calls too short to time one at a time.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    /// Calls of the probe that sizes the batches (run twice, timed the second time).
    pub probe: u64,
    /// Wall time one batch should take, in seconds.
    pub batch_secs: f64,
    /// Untimed batches of each run first.
    pub warmup: usize,
    /// Timed batches of each run, interleaved round-robin.
    pub rounds: usize,
}

/// Median time per call of each of `runs`, where `run(n)` performs `n` calls: each run is
/// timed in batches sized by a probe to take about `batch_secs`, the batches interleaved as in
/// [`interleaved_medians`], and the median batch time divided by the batch size.
pub fn batched_medians_per_call<O>(runs: &[&dyn Fn(u64) -> O], b: Batching) -> Vec<f64> {
    let batch_size = |run: &dyn Fn(u64) -> O| {
        black_box(run(b.probe));
        let start = Instant::now();
        black_box(run(b.probe));
        let per_call = start.elapsed().as_secs_f64() / b.probe as f64;
        ((b.batch_secs / per_call) as u64).max(1)
    };
    let batches: Vec<u64> = runs.iter().map(|r| batch_size(*r)).collect();
    let closures: Vec<Box<dyn Fn() -> O + '_>> = runs
        .iter()
        .zip(&batches)
        .map(|(r, &n)| Box::new(move || r(n)) as Box<dyn Fn() -> O>)
        .collect();
    let refs: Vec<&dyn Fn() -> O> = closures.iter().map(|c| &**c).collect();
    interleaved_medians(&refs, b.warmup, b.rounds)
        .iter()
        .zip(&batches)
        .map(|(d, &n)| d.as_secs_f64() / n as f64)
        .collect()
}

/// `n` evaluations of `sys.rhs` chained as in a Runge–Kutta step (each argument is
/// `y0 + 10⁻³ f` of the previous evaluation, so they cannot overlap): the time no integrator
/// spending `n` evaluations can go below. Returns the last argument.
pub fn rhs_chain<Sys: OdeSystem<N>, const N: usize>(sys: &Sys, y0: [f64; N], n: usize) -> [f64; N] {
    let mut y = y0;
    let mut dy = [0.0; N];
    for _ in 0..n {
        sys.rhs(0.0, &y, &mut dy);
        for ((yi, a), d) in y.iter_mut().zip(&y0).zip(&dy) {
            *yi = a + 1e-3 * d;
        }
    }
    y
}

/// `n` chained calls of `f64::powf` with a fractional exponent, as a step-size controller
/// makes them (Hairer's PI controller: two per attempted step in both libraries).
pub fn powf_chain(x0: f64, n: usize) -> f64 {
    let mut x = x0;
    for _ in 0..n {
        x = 0.5 + 0.5 * x.powf(-0.17);
    }
    x
}

/// Writes the Jacobian of `sys` at `(t, y)` into `jac` by dense central differences: `2 N`
/// evaluations of the right-hand side, `J_ij ≈ (f_i(y + h_j e_j) − f_i(y − h_j e_j)) / (2 h_j)`
/// with `h_j = ε^{1/3} max(|y_j|, 1)` (Nocedal & Wright, *Numerical Optimization*, 2nd ed.,
/// §8.1), rounded so that `y_j ± h_j` is exact.
///
/// The baseline a careful hand-written code achieves without sparsity: the state is perturbed
/// in place (no copy per column) and each column is scaled by one reciprocal, so the cost is
/// the `2 N` evaluations and `N²` multiplications.
pub fn central_jacobian<Sys: OdeSystem<N>, const N: usize>(
    sys: &Sys,
    t: f64,
    y: &[f64; N],
    jac: &mut [[f64; N]; N],
) {
    // ε^{1/3} for f64.
    const CBRT_EPS: f64 = 6.055454452393343e-6;
    let mut yv = *y;
    let (mut fp, mut fm) = ([0.0; N], [0.0; N]);
    for j in 0..N {
        let yj = y[j];
        let h = (yj + CBRT_EPS * yj.abs().max(1.0)) - yj;
        yv[j] = yj + h;
        sys.rhs(t, &yv, &mut fp);
        yv[j] = yj - h;
        sys.rhs(t, &yv, &mut fm);
        yv[j] = yj;
        let scale = 0.5 / h;
        for (row, (p, m)) in jac.iter_mut().zip(fp.iter().zip(&fm)) {
            row[j] = (p - m) * scale;
        }
    }
}

/// Largest entrywise relative deviation of the matrix `a` from the reference `r`:
/// `|a_ij − r_ij| / |r_ij|` over the non-zero entries of `r`; where `r_ij = 0`, the deviation
/// `|a_ij|` counts relative to the largest `|r_ij|` (a structural zero must stay zero).
pub fn max_rel_error<const N: usize>(a: &[[f64; N]; N], r: &[[f64; N]; N]) -> f64 {
    let scale = r.iter().flatten().fold(0.0_f64, |m, x| m.max(x.abs()));
    a.iter()
        .flatten()
        .zip(r.iter().flatten())
        .map(|(x, y)| {
            if *y == 0.0 {
                x.abs() / scale
            } else {
                (x - y).abs() / y.abs()
            }
        })
        .fold(0.0, f64::max)
}
