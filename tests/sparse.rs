//! The compile-time sparse LU behind the linear-solver seams: the Rosenbrock methods and Bdf over
//! `StaticSparseLu`, Radau5 and AdaptiveRadau over `StaticSparseRadauLu`, with the structure
//! `#[ode_system]` computes at expansion time, on the 2-D heat equation (against its exact
//! semi-discrete solution) and the 2-D Brusselator (against the dense solvers).

#[path = "problems/grids.rs"]
mod grids;
#[path = "problems/heat2d.rs"]
mod heat2d;
use grids::{brusselator_start, Brusselator8, Heat2d10};
use heat2d::heat2d_mode;
use odegen::implicit::{
    DenseLu, FaerSparseLu, FaerSparseRadauLu, StaticSparseLu, StaticSparseRadauLu,
};
use odegen::linalg::{Heap, Inline, SymbolicLu};
use odegen::prelude::*;
use odegen::{Bdf, Error, RadauIIA, Rodas4, Rodas5P, Rosenbrock23, Sparsity, Stats};

fn finish<const N: usize>(mut st: impl Stepper<f64, N>) -> Result<([f64; N], Stats), Error> {
    while !st.is_finished() {
        st.step()?;
    }
    Ok((*st.y(), st.stats()))
}

/// A run's final state and counters, or its error.
type Run<const N: usize> = Result<([f64; N], Stats), Error>;

fn max_err<const N: usize>(y: &[f64; N], r: &[f64; N]) -> f64 {
    (0..N).map(|i| (y[i] - r[i]).abs()).fold(0.0, f64::max)
}

const HEAT_LU: usize = Heat2d10::LU_NNZ;
type HeatLu = StaticSparseLu<f64, 100, Heat2d10, HEAT_LU>;
type HeatRadau<const P: usize> = StaticSparseRadauLu<f64, 100, Heat2d10, HEAT_LU, P>;

/// Every implicit method, over the compile-time sparse solver, from the same start; `$make`
/// builds each from `(sys, t0, y0, t1, settings)`.
macro_rules! methods {
    ($n:expr, $lu:ty, $radau:ident, |$c:ident| $run:expr) => {{
        const N: usize = $n;
        let runs: [(&str, Run<N>); 6] = [
            ("Rodas5P", {
                let $c = Rodas5P::<_, N, f64, $lu>::with_solver;
                $run
            }),
            ("Rodas4", {
                let $c = Rodas4::<_, N, f64, $lu>::with_solver;
                $run
            }),
            ("Rosenbrock23", {
                let $c = Rosenbrock23::<_, N, f64, $lu>::with_solver;
                $run
            }),
            ("Bdf", {
                let $c = Bdf::<_, N, f64, Inline, $lu>::with_solver;
                $run
            }),
            ("Radau5", {
                let $c = RadauIIA::<_, N, f64, 3, $radau<0>>::with_storage;
                $run
            }),
            ("AdaptiveRadau", {
                let $c = RadauIIA::<_, N, f64, 7, $radau<2>>::with_storage;
                $run
            }),
        ];
        runs
    }};
}

#[test]
fn every_implicit_method_over_the_static_sparse_lu_solves_the_2d_heat_equation() {
    let t1 = 0.02;
    let exact = heat2d_mode::<100>(10, t1);
    for rtol in [1e-4, 1e-6, 1e-8] {
        let settings = || Settings::new(Tolerances::new(rtol, 1e-3 * rtol));
        let runs = methods!(100, HeatLu, HeatRadau, |make| finish(
            make(Heat2d10, 0.0, heat2d_mode(10, 0.0), t1, settings()).unwrap()
        ));
        for (name, run) in runs {
            let (y, stats) = run.unwrap();
            let e = max_err(&y, &exact);
            println!("{name} rtol {rtol:e}: error {e:.1e}, {stats:?}");
            let bound = if name == "Rosenbrock23" {
                30.0 * rtol.powf(2.0 / 3.0)
            } else {
                30.0 * rtol
            };
            assert!(e < bound, "{name} {rtol:e}: {e:e}");
            // The analytic entries, straight into the structure: no evaluation of f for J.
            assert!(stats.njev >= 1 && stats.nlu >= 1, "{name}");
        }
    }
}

const BRUSS_LU: usize = Brusselator8::LU_NNZ;
// Both solvers' matrices on the heap: a debug build copies a stepper through several frames
// as it builds it, and 128² entries (dense) or four factors (sparse Radau) of each would crowd
// a test thread's 2 MiB stack.
type BrussLu = StaticSparseLu<f64, 128, Brusselator8, BRUSS_LU, Heap>;
type BrussRadau<const P: usize> = StaticSparseRadauLu<f64, 128, Brusselator8, BRUSS_LU, P, Heap>;
type BrussDense = DenseLu<f64, 128, Heap>;
type BrussDenseRadau<const P: usize> = odegen::implicit::DenseRadauLu<f64, 128, Heap, P>;

type FaerBruss = FaerSparseLu<f64, 128, Brusselator8>;
type FaerBrussRadau<const P: usize> = FaerSparseRadauLu<f64, 128, Brusselator8, P>;

/// The Brusselator across the switch-on of its forcing (`t = 1.1`), sparse against dense: the
/// same Jacobians (analytic both ways), factors that round differently, so solutions that agree
/// far inside the tolerance and the same work to within a few steps.
#[test]
fn sparse_and_dense_solvers_agree_on_the_brusselator() {
    let sys = Brusselator8::new(3.4, 1.0, 10.0);
    let t1 = 1.5;
    let y0 = brusselator_start::<128>(8);
    for rtol in [1e-5, 1e-8] {
        let settings = || Settings::new(Tolerances::new(rtol, rtol)).first_step(1e-4);
        let sparse = methods!(128, BrussLu, BrussRadau, |make| finish(
            make(sys, 0.0, y0, t1, settings()).unwrap()
        ));
        let faer = methods!(128, FaerBruss, FaerBrussRadau, |make| finish(
            make(sys, 0.0, y0, t1, settings()).unwrap()
        ));
        let dense = methods!(128, BrussDense, BrussDenseRadau, |make| finish(
            make(sys, 0.0, y0, t1, settings()).unwrap()
        ));
        let both = sparse
            .into_iter()
            .chain(faer)
            .zip(dense.into_iter().chain(dense_again(sys, y0, t1, rtol)));
        for ((name, s), (_, d)) in both {
            let ((ys, ss), (yd, sd)) = (s.unwrap(), d.unwrap());
            println!("{name} rtol {rtol:e}: sparse {ss:?}\n    dense {sd:?}");
            let scale = yd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let diff = max_err(&ys, &yd) / scale;
            // Measured: the same counters in 11 of 12 runs (Rodas4 at 1e-8: 210 steps against
            // 212); differences 6e-14 … 2e-10, and 3e-9 for AdaptiveRadau at 1e-8, whose Newton
            // iterations stop once the increments fall below a fraction of the tolerance, so
            // differently rounded factors leave iterates that differ by up to that fraction.
            assert!(diff < rtol, "{name} {rtol:e}: {diff:e}");
            let steps = ss.n_accepted.abs_diff(sd.n_accepted);
            assert!(
                steps * 20 <= sd.n_accepted.max(20),
                "{name} {rtol:e}: {ss:?} {sd:?}"
            );
            assert!(ss.njev.abs_diff(sd.njev) * 20 <= sd.njev.max(20), "{name}");
        }
    }
}

/// The dense runs once more, to pair with the faer ones.
fn dense_again(
    sys: Brusselator8,
    y0: [f64; 128],
    t1: f64,
    rtol: f64,
) -> [(&'static str, Run<128>); 6] {
    let settings = || Settings::new(Tolerances::new(rtol, rtol)).first_step(1e-4);
    methods!(128, BrussDense, BrussDenseRadau, |make| finish(
        make(sys, 0.0, y0, t1, settings()).unwrap()
    ))
}

/// The structure is what the issue promises: `O(N + nnz(L + U))` storage, nothing `N × N`.
#[test]
fn the_sparse_solvers_store_the_structure_only() {
    use core::mem::size_of;
    // Heat: 460 non-zeros, 1490 entries in L + U under nested dissection (dense: 10 000).
    assert_eq!(<Heat2d10 as Sparsity<100>>::PATTERN.len(), 460);
    const { assert!(HEAT_LU < 1600) };
    assert_eq!(<Heat2d10 as SymbolicLu<100>>::LU.nnz(), HEAT_LU);
    // The factors, the inverse pivots and the work vector; then J in the same positions.
    assert_eq!(size_of::<HeatLu>(), 8 * (HEAT_LU + 2 * 100));
    let dense = size_of::<Rodas5P<Heat2d10, 100>>();
    let sparse = size_of::<Rodas5P<Heat2d10, 100, f64, HeatLu>>();
    println!("Rodas5P N = 100: dense {dense} B, sparse {sparse} B");
    assert!(sparse * 4 < dense, "{sparse} {dense}");
    // Brusselator: the reaction couples u_k with v_k, 64 places apart, and the periodic
    // wrap reaches 56: a band solver needs 64 + 64 diagonals, half the matrix.
    assert_eq!(<Brusselator8 as Sparsity<128>>::LOWER_BANDWIDTH, 64);
    assert_eq!(<Brusselator8 as Sparsity<128>>::UPPER_BANDWIDTH, 64);
    const { assert!(BRUSS_LU * 3 < 128 * 128) };
}

/// A ring: y_i' = y_{i+1} − y_i, with the wrap-around entry (99, 0) that Heat2d10's pattern
/// lacks.
#[odegen::ode_system]
fn ring(_t: f64, y: [f64; 100]) -> [f64; 100] {
    let mut d = [0.0; 100];
    for i in 0..100 {
        d[i] = y[(i + 1) % 100] - y[i];
    }
    d
}

#[test]
fn a_structure_that_does_not_hold_the_systems_entries_is_a_clear_error() {
    let st = Rodas5P::<_, 100, f64, HeatLu>::with_solver(
        Ring,
        0.0,
        [1.0; 100],
        1.0,
        Settings::new(Tolerances::new(1e-6, 1e-8)),
    )
    .unwrap();
    let Err(Error::InvalidOption { what }) = finish(st) else {
        panic!("the entries outside the pattern must be refused");
    };
    assert!(what.contains("sparsity pattern"), "{what}");
}

/// `jacobian = fd`: coloured differences straight into the structure, one evaluation per
/// colour, entry for entry the dense solver's coloured differences.
#[odegen::ode_system(jacobian = fd)]
fn heat2d10_fd(_t: f64, u: [f64; 100]) -> [f64; 100] {
    let mut d = [0.0; 100];
    for i in 0..10 {
        for j in 0..10 {
            let mut s = -4.0 * u[i + 10 * j];
            if i > 0 {
                s += u[i - 1 + 10 * j];
            }
            if i < 9 {
                s += u[i + 1 + 10 * j];
            }
            if j > 0 {
                s += u[i + 10 * (j - 1)];
            }
            if j < 9 {
                s += u[i + 10 * (j + 1)];
            }
            d[i + 10 * j] = 121.0 * s;
        }
    }
    d
}

#[test]
fn coloured_differences_fill_the_structure_at_one_evaluation_per_colour() {
    const LU: usize = Heat2d10Fd::LU_NNZ;
    let colours = <Heat2d10Fd as Sparsity<100>>::N_COLORS;
    let t1 = 0.02;
    let settings = || Settings::new(Tolerances::new(1e-6, 1e-9));
    let (ys, ss) = finish(
        Rodas5P::<_, 100, f64, StaticSparseLu<f64, 100, Heat2d10Fd, LU>>::with_solver(
            Heat2d10Fd,
            0.0,
            heat2d_mode(10, 0.0),
            t1,
            settings(),
        )
        .unwrap(),
    )
    .unwrap();
    let (yd, sd) =
        finish(Rodas5P::new(Heat2d10Fd, 0.0, heat2d_mode(10, 0.0), t1, settings()).unwrap())
            .unwrap();
    println!("colours {colours}: sparse {ss:?}\n    dense {sd:?}");
    assert_eq!(ss.nfev, sd.nfev, "the same coloured evaluations");
    assert_eq!(ss.njev, sd.njev);
    assert!(max_err(&ys, &yd) < 1e-9);
    assert!(max_err(&ys, &heat2d_mode::<100>(10, t1)) < 3e-5);
    // The same run with the analytic entries: the coloured differences cost `colours`
    // evaluations per Jacobian, and the forward difference in t one more (`jacobian = fd`
    // generates no ∂f/∂t; the analytic system knows it is autonomous).
    let (_, sa) = finish(
        Rodas5P::<_, 100, f64, HeatLu>::with_solver(
            Heat2d10,
            0.0,
            heat2d_mode(10, 0.0),
            t1,
            settings(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!((sa.n_accepted, sa.njev), (ss.n_accepted, ss.njev), "{sa:?}");
    assert_eq!(ss.nfev - sa.nfev, (colours + 1) * ss.njev, "{sa:?}");
}
