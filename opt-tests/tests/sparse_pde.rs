//! Large sparse systems through `solve_ivp` and its automatic linear solver (the sparse LU over
//! a nested-dissection order of the run-time pattern): the 1-D heat equation with `N = 10⁴`
//! and the 2-D heat equation on a 64 × 64 grid against their exact semi-discrete solutions,
//! and DifferentialEquations.jl's 2-D Brusselator,
//! `n = 16` (sparse against dense) and `n = 32` (`N = 2048`, every implicit method over the
//! tutorial's span against a tight reference). Optimised: the debug build would take minutes.

#[path = "../../tests/problems/brusselator2d.rs"]
mod brusselator2d;
#[path = "../../tests/problems/heat1d.rs"]
mod heat1d;
#[path = "../../tests/problems/heat2d.rs"]
mod heat2d;
use brusselator2d::Brusselator2d;
use heat1d::{mode, SparseHeat};
use heat2d::{heat2d_mode, SparseHeat2d};
use odegen::prelude::*;
use odegen::LinearSolverKind;
use odegen_opt_tests::{big_stack, max_abs};

#[test]
fn heat_equation_with_ten_thousand_points_through_the_automatic_sparse_lu() {
    big_stack(|| {
        const N: usize = 10_000;
        let sys = SparseHeat::<N>::new();
        let t1 = 0.01;
        let exact = mode::<N>(t1);
        for method in [Method::Rodas5P, Method::Bdf, Method::Radau] {
            let rtol = 1e-6;
            let options = Options::new(method).rtol(rtol).atol(1e-3 * rtol);
            let sol = solve_ivp(&sys, (0.0, t1), mode(0.0), options).unwrap();
            assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
            let e = max_abs(sol.y.last().unwrap(), &exact);
            println!("{method} N = {N}: error {e:.1e}, {:?}", sol.stats);
            assert!(e < 30.0 * rtol, "{method}: {e:e}");
            // The analytic entries: no evaluation of f for a Jacobian.
            assert!(
                sol.stats.nfev < 20 * sol.stats.n_accepted + 40,
                "{:?}",
                sol.stats
            );
        }
    });
}

#[test]
fn heat_equation_on_a_64_by_64_grid_through_the_automatic_sparse_lu() {
    big_stack(|| {
        const N: usize = 4096;
        let sys = SparseHeat2d::<N>::new(64);
        let t1 = 0.01;
        let exact = heat2d_mode::<N>(64, t1);
        for method in [Method::Rodas5P, Method::Bdf, Method::AdaptiveRadau] {
            let rtol = 1e-6;
            let options = Options::new(method).rtol(rtol).atol(1e-3 * rtol);
            let sol = solve_ivp(&sys, (0.0, t1), heat2d_mode(64, 0.0), options).unwrap();
            assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
            let e = max_abs(sol.y.last().unwrap(), &exact);
            println!("{method} 64 × 64: error {e:.1e}, {:?}", sol.stats);
            assert!(e < 30.0 * rtol, "{method}: {e:e}");
        }
    });
}

#[test]
fn brusselator_16_sparse_and_dense_agree() {
    big_stack(|| {
        const N: usize = 512;
        let sys = Brusselator2d::<N>::new(16);
        let y0 = sys.start();
        let rtol = 1e-6;
        for method in [Method::Rodas5P, Method::Bdf, Method::Radau] {
            let run = |kind| {
                let options = Options::new(method)
                    .rtol(rtol)
                    .atol(rtol)
                    .linear_solver(kind);
                solve_ivp(&sys, (0.0, 1.5), y0, options).unwrap()
            };
            let (d, s) = (run(LinearSolverKind::Dense), run(LinearSolverKind::Sparse));
            let diff = max_abs(d.y.last().unwrap(), s.y.last().unwrap());
            println!(
                "{method}: {diff:.1e}\n  sparse {:?}\n  dense  {:?}",
                s.stats, d.stats
            );
            assert!(diff < rtol, "{method}: {diff:e}");
        }
    });
}

#[test]
fn brusselator_32_every_implicit_method_against_a_tight_reference() {
    big_stack(|| {
        const N: usize = 2048;
        let sys = Brusselator2d::<N>::new(32);
        let y0 = sys.start();
        let span = (0.0, 11.5);
        let tight = |method, tol| {
            let options = Options::new(method).rtol(tol).atol(tol);
            *solve_ivp(&sys, span, y0, options)
                .unwrap()
                .y
                .last()
                .unwrap()
        };
        // Two methods of different families at tight tolerances agree: the reference is the
        // problem's, not a method's.
        let reference = tight(Method::AdaptiveRadau, 1e-10);
        let check = tight(Method::Radau, 1e-9);
        let scale = reference.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let agree = max_abs(&reference, &check) / scale;
        println!("reference: Radau at 1e-9 within {agree:.1e}");
        assert!(agree < 1e-6, "{agree:e}");
        for method in Method::implicit() {
            let rtol = 1e-6;
            let options = Options::new(method).rtol(rtol).atol(rtol);
            let sol = solve_ivp(&sys, span, y0, options).unwrap();
            assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
            let e = max_abs(sol.y.last().unwrap(), &reference) / scale;
            println!("{method}: error {e:.1e}, {:?}", sol.stats);
            // The oscillation the forcing starts amplifies the local errors: measured
            // 1e-5 … 4e-4 for the methods of order ≥ 3 and 1.6e-3 for Rosenbrock23.
            let bound = if method == Method::Rosenbrock23 {
                1e4 * rtol
            } else {
                2e3 * rtol
            };
            assert!(e < bound, "{method}: {e:e}");
        }
    });
}
