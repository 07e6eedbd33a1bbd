//! The implicit steppers on the chain and heat-equation families (`tests/sweeps/large_n.rs`)
//! on unoptimised code, over a thinned list of sizes around and beyond `N ≈ 80`, where the
//! automatic first step used to fail; every size `1..=300` runs optimised in the
//! `odegen-opt-tests` crate.

#[macro_use]
mod sweeps {
    #[macro_use]
    pub mod large_n;
}
use sweeps::large_n::{check_size, check_size_solve_ivp};

/// The relative tolerance of the sweeps and the largest relative error accepted (eight times the
/// largest measured, 2.5e-6, BDF's chain; see `opt-tests`).
const RTOL: f64 = 1e-6;
const BOUND: f64 = 2e-5;

#[test]
fn thinned_sizes_start_and_reach_the_exact_solution() {
    sweep_sizes!(check_size, RTOL, BOUND; 1 2 3 4 5 7 10 16 25 40 63 79 80 81 99 100 101 128);
}

#[test]
fn solve_ivp_starts_and_reaches_the_exact_solution() {
    sweep_sizes!(check_size_solve_ivp, RTOL, BOUND; 1 2 50 80 100 120);
}

/// `solve_ivp` keeps the implicit methods' `N × N` matrices on the heap and every stepper in a
/// box: `N = 300` (Radau5's matrices alone 2.9 MB, AdaptiveRadau's 5.8 MB) integrates on a
/// thread of 2 MiB with every method; `N = 1000` runs optimised in `odegen-opt-tests`. Radau5
/// and AdaptiveRadau aborted the process from `N ≈ 100` on such a thread (stack overflow).
#[test]
fn solve_ivp_integrates_n_300_on_a_2_mib_thread_with_every_method() {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(sweeps::large_n::every_method_on_a_small_stack::<300>)
        .unwrap()
        .join()
        .unwrap();
}
