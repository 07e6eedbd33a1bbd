//! `#[ode_system]` at PDE scale, its loops kept rolled: the 1-D heat equation with `N = 2000`
//! (against its exact semi-discrete solution, through every linear solver `solve_ivp` offers and
//! the compile-time sparse LU), and DifferentialEquations.jl's 2-D Brusselator on 32 × 32 and
//! 64 × 64 grids (`N = 2048`, `8192`; its generated Jacobian against the hand-written one of
//! `problems/brusselator2d.rs` entry by entry, and solves over the forcing's switch-on against
//! the hand-written system's). Before loops stayed rolled, the 2000-point heat equation alone
//! took rustc 28.6 s and 747 MB to compile and the 64² Brusselator was past the macro's budget.

#[path = "../../tests/problems/bruss_macro.rs"]
mod bruss_macro;
#[path = "../../tests/problems/brusselator2d.rs"]
mod brusselator2d;
#[path = "../../tests/problems/heat1d.rs"]
mod heat1d;

use std::collections::HashMap;

use bruss_macro::{Bruss32, Bruss64};
use brusselator2d::Brusselator2d;
use heat1d::mode;
use odegen::implicit::StaticSparseLu;
use odegen::linalg::Heap;
use odegen::prelude::*;
use odegen::{ode_system, LinearSolverKind, Rodas5P};
use odegen_opt_tests::{big_stack, max_abs};

/// `u_t = u_xx` on 2000 interior points, `h = 1/2001`, zero boundary values.
#[ode_system]
fn heat2000(_t: f64, y: [f64; 2000]) -> [f64; 2000] {
    let mut d = [0.0; 2000];
    for i in 0..2000 {
        let left = if i > 0 { y[i - 1] } else { 0.0 };
        let right = if i < 1999 { y[i + 1] } else { 0.0 };
        d[i] = (left - 2.0 * y[i] + right) * 4004001.0;
    }
    d
}

#[test]
fn heat_2000_through_every_linear_solver_against_the_exact_solution() {
    big_stack(|| {
        const N: usize = 2000;
        // The generated pattern is the tridiagonal one, row-major.
        assert_eq!(Heat2000::NNZ, 3 * N - 2);
        let t1 = 0.01;
        let exact = mode::<N>(t1);
        for kind in [
            LinearSolverKind::Auto,
            LinearSolverKind::Sparse,
            LinearSolverKind::Dense,
        ] {
            for method in [Method::Rodas5P, Method::Bdf, Method::Radau] {
                // The dense LU of 2000² is slow: one method is enough to show it agrees.
                if kind == LinearSolverKind::Dense && method != Method::Bdf {
                    continue;
                }
                let rtol = 1e-6;
                let options = Options::new(method)
                    .rtol(rtol)
                    .atol(1e-3 * rtol)
                    .linear_solver(kind);
                let sol = solve_ivp(&Heat2000, (0.0, t1), mode(0.0), options).unwrap();
                let e = max_abs(sol.y.last().unwrap(), &exact);
                println!("{method} {kind:?}: error {e:.1e}, {:?}", sol.stats);
                assert!(e < 30.0 * rtol, "{method} {kind:?}: {e:e}");
                if kind == LinearSolverKind::Auto {
                    assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
                }
            }
        }
        // The compile-time sparse LU: the stepper allocation-free but for its boxed storage.
        type Lu = StaticSparseLu<f64, N, Heat2000, { Heat2000::LU_NNZ }, Heap>;
        let rtol = 1e-6;
        let mut st = Rodas5P::<_, N, f64, Lu>::with_solver(
            Heat2000,
            0.0,
            mode(0.0),
            t1,
            Settings::new(Tolerances::new(rtol, 1e-3 * rtol)),
        )
        .unwrap();
        while !st.is_finished() {
            st.step().unwrap();
        }
        let e = max_abs(st.y(), &exact);
        println!(
            "Rodas5P over StaticSparseLu: error {e:.1e}, {:?}",
            st.stats()
        );
        assert!(e < 30.0 * rtol, "{e:e}");
    });
}

/// The generated Jacobian equals the hand-written one entry by entry (pattern included) at
/// states on both sides of the forcing's switch-on.
fn jacobians_agree<const N: usize, S: Sparsity<N> + OdeSystem<N>>(
    sys: &S,
    values: impl Fn(f64, &[f64; N]) -> Vec<f64>,
    n: usize,
) {
    let hand = Brusselator2d::<N>::new(n);
    let mut y = hand.start();
    for (k, v) in y.iter_mut().enumerate() {
        *v += 0.01 * (k as f64).sin();
    }
    for t in [0.5, 2.0] {
        let generated = values(t, &y);
        assert_eq!(generated.len(), S::PATTERN.len());
        let at: HashMap<(usize, usize), f64> = S::PATTERN.iter().copied().zip(generated).collect();
        let (mut f, mut g) = ([0.0; N], [0.0; N]);
        hand.rhs(t, &y, &mut f);
        sys.rhs(t, &y, &mut g);
        let scale = f.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        assert!(max_abs(&f, &g) <= 1e-13 * scale);
        let mut count = 0;
        hand.newton_jacobian_entries(t, &y, &f, &mut |i, j, v| {
            count += 1;
            let w = at[&(i, j)];
            assert!(
                (w - v).abs() <= 1e-12 * v.abs().max(1.0),
                "({i}, {j}): {w} vs {v}"
            );
        });
        assert_eq!(count, S::PATTERN.len());
    }
}

#[test]
fn brusselator_32_generated_jacobian_and_solves_agree_with_the_hand_written_system() {
    big_stack(|| {
        const N: usize = 2048;
        let sys = Bruss32::new(3.4, 1.0, 10.0);
        jacobians_agree::<N, _>(
            &sys,
            |t, y| {
                let mut v = Box::new([0.0; Bruss32::NNZ]);
                sys.jacobian_nonzeros(t, y, &mut v);
                v.to_vec()
            },
            32,
        );
        // Across the switch-on at t = 1.1, through solve_ivp's automatic sparse LU, against
        // the hand-written system through the same method.
        let hand = Brusselator2d::<N>::new(32);
        let y0 = hand.start();
        let rtol = 1e-6;
        for method in [Method::Rodas5P, Method::Bdf, Method::Radau] {
            let options = || Options::new(method).rtol(rtol).atol(rtol);
            let a = solve_ivp(&sys, (0.0, 1.5), y0, options()).unwrap();
            let b = solve_ivp(&hand, (0.0, 1.5), y0, options()).unwrap();
            assert_eq!(a.linear_solver, Some(LinearSolverKind::Sparse));
            let diff = max_abs(a.y.last().unwrap(), b.y.last().unwrap());
            println!("{method}: {diff:.1e}, {:?} vs {:?}", a.stats, b.stats);
            assert!(diff < 10.0 * rtol, "{method}: {diff:e}");
        }
    });
}

#[test]
fn brusselator_64_generated_jacobian_and_compile_time_lu_solve() {
    big_stack(|| {
        const N: usize = 8192;
        let sys = Bruss64::new(3.4, 1.0, 10.0);
        jacobians_agree::<N, _>(
            &sys,
            |t, y| {
                let mut v = Box::new([0.0; Bruss64::NNZ]);
                sys.jacobian_nonzeros(t, y, &mut v);
                v.to_vec()
            },
            64,
        );
        // A short stretch through the compile-time sparse LU (nested-dissection order and fill
        // computed by the macro), against the hand-written system through the run-time one.
        let hand = Brusselator2d::<N>::new(64);
        let y0 = hand.start();
        let rtol = 1e-6;
        type Lu = StaticSparseLu<f64, N, Bruss64, { Bruss64::LU_NNZ }, Heap>;
        let mut st = Rodas5P::<_, N, f64, Lu>::with_solver(
            sys,
            0.0,
            y0,
            0.05,
            Settings::new(Tolerances::new(rtol, rtol)),
        )
        .unwrap();
        while !st.is_finished() {
            st.step().unwrap();
        }
        let options = Options::new(Method::Rodas5P).rtol(rtol).atol(rtol);
        let b = solve_ivp(&hand, (0.0, 0.05), y0, options).unwrap();
        let diff = max_abs(st.y(), b.y.last().unwrap());
        println!("64²: {diff:.1e}, {:?} vs {:?}", st.stats(), b.stats);
        assert!(diff < 10.0 * rtol, "{diff:e}");
    });
}
