//! `Options::reuse_factorizations` / `Settings::reuse_factorizations`: BDF keeps the factors of
//! `I − c J` while `c` stays within 30 % of theirs (CVODE's rule), scaling the Newton
//! corrections by `2 / (1 + c/c̄)`. The solutions keep the tolerance's accuracy against exact
//! solutions, with fewer factorisations; the default (no reuse) is SciPy's BDF, which
//! `tests/stiff_references.rs` checks step for step.

#[path = "problems/brusselator2d.rs"]
mod brusselator2d;
#[path = "problems/heat1d.rs"]
mod heat1d;

use brusselator2d::Brusselator2d;
use heat1d::{mode, Heat};
use odegen::prelude::*;
use odegen::LinearSolverKind;

fn max_abs<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    (0..N).map(|i| (a[i] - b[i]).abs()).fold(0.0, f64::max)
}

/// The 1-D heat equation (`N = 64`, a slow mode and a stiff transient) against its exact
/// semi-discrete solution, over four tolerances: both forms within the tolerance, the reusing
/// one with fewer factorisations in all.
#[test]
fn reuse_keeps_the_accuracy_of_bdf_with_fewer_factorizations() {
    const N: usize = 64;
    let t1 = 0.1;
    let exact = mode::<N>(t1);
    let (mut lu_default, mut lu_reuse) = (0, 0);
    for rtol in [1e-4, 1e-6, 1e-8, 1e-10] {
        let run = |reuse| {
            let options = Options::new(Method::Bdf)
                .rtol(rtol)
                .atol(1e-3 * rtol)
                .reuse_factorizations(reuse);
            solve_ivp(&Heat::<N>, (0.0, t1), mode(0.0), options).unwrap()
        };
        let (a, b) = (run(false), run(true));
        let (ea, eb) = (
            max_abs(a.y.last().unwrap(), &exact),
            max_abs(b.y.last().unwrap(), &exact),
        );
        println!(
            "rtol {rtol:e}: default error {ea:.1e} ({} LU, {} steps), reuse {eb:.1e} ({} LU, {} steps)",
            a.stats.nlu, a.stats.n_accepted, b.stats.nlu, b.stats.n_accepted
        );
        assert!(ea < 30.0 * rtol && eb < 30.0 * rtol, "{ea:e} {eb:e}");
        assert!(b.stats.nlu <= a.stats.nlu, "{:?} {:?}", a.stats, b.stats);
        lu_default += a.stats.nlu;
        lu_reuse += b.stats.nlu;
    }
    assert!(lu_reuse < lu_default, "{lu_reuse} vs {lu_default}");
}

/// The 16 × 16 Brusselator through the automatic sparse LU across its forcing's switch-on: the
/// reusing BDF agrees with the default one to the tolerance's order.
#[test]
fn reuse_on_the_brusselator_through_the_sparse_lu() {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            const N: usize = 512;
            let sys = Brusselator2d::<N>::new(16);
            let y0 = sys.start();
            let rtol = 1e-6;
            let run = |reuse| {
                let options = Options::new(Method::Bdf)
                    .rtol(rtol)
                    .atol(rtol)
                    .reuse_factorizations(reuse);
                solve_ivp(&sys, (0.0, 1.5), y0, options).unwrap()
            };
            let (a, b) = (run(false), run(true));
            assert_eq!(b.linear_solver, Some(LinearSolverKind::Sparse));
            let diff = max_abs(a.y.last().unwrap(), b.y.last().unwrap());
            println!("{diff:.1e}: {:?} vs {:?}", a.stats, b.stats);
            assert!(diff < 30.0 * rtol, "{diff:e}");
            assert!(b.stats.nlu < a.stats.nlu, "{:?} {:?}", a.stats, b.stats);
        })
        .unwrap()
        .join()
        .unwrap();
}
