//! A moderately large sparse system in the default test run: the 1-D heat equation with
//! `N = 2000` through Rodas5P over the band LU (`O(N)` storage and work per step), against its
//! exact semi-discrete solution.

#[path = "../../tests/problems/heat1d.rs"]
mod heat1d;
use heat1d::{mode, Heat};
use odegen::implicit::BandedLu;
use odegen::prelude::*;
use odegen::Rodas5P;

#[test]
fn heat_equation_with_2000_points_over_the_band_lu() {
    const N: usize = 2000;
    let t1 = 0.05;
    let rtol = 1e-7;
    let settings = Settings::new(Tolerances::new(rtol, 1e-3 * rtol));
    let mut st = Box::new(
        Rodas5P::<_, N, f64, BandedLu<f64, N, 1, 1, 4>>::with_solver(
            Heat,
            0.0,
            mode(0.0),
            t1,
            settings,
        )
        .unwrap(),
    );
    while !st.is_finished() {
        st.step().unwrap();
    }
    let exact = mode::<N>(t1);
    let e = (0..N)
        .map(|i| (st.y()[i] - exact[i]).abs())
        .fold(0.0, f64::max);
    let s = st.stats();
    println!("N {N}: error {e:.1e}, {s:?}");
    assert!(e < 30.0 * rtol, "{e:e}");
    // Three evaluations of f per Jacobian (a dense one would cost 2000).
    assert!(
        s.nfev < 20 * (s.n_accepted + s.n_rejected) + 3 * s.njev + 10,
        "{s:?}"
    );
}
