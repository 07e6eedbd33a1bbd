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

/// The relative tolerance of the sweeps and the largest relative error accepted (measured at
/// most 2.5e-6 over every size and method, BDF's chain; see `opt-tests`).
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
