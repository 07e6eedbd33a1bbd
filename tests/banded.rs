//! The band LU behind the linear-solver seams: the Rosenbrock methods and Bdf over `BandedLu`,
//! Radau5 and AdaptiveRadau over `BandedRadauLu`, on the 1-D heat equation, against its exact
//! semi-discrete solution and against the dense solvers.

#[path = "problems/heat1d.rs"]
mod heat1d;
use heat1d::{mode, Heat};
use odegen::implicit::{BandedLu, BandedRadauLu, DenseLu};
use odegen::linalg::Inline;
use odegen::prelude::*;
use odegen::{AdaptiveRadau, Bdf, Error, Radau5, RadauIIA, Rodas4, Rodas5P, Rosenbrock23, Stats};

fn finish<const N: usize>(mut st: impl Stepper<f64, N>) -> Result<([f64; N], Stats), Error> {
    while !st.is_finished() {
        st.step()?;
    }
    Ok((*st.y(), st.stats()))
}

type Band<const N: usize> = BandedLu<f64, N, 1, 1, 4>;
type BandRadau<const N: usize, const P: usize> = BandedRadauLu<f64, N, 1, 1, 4, P>;

fn max_err<const N: usize>(y: &[f64; N], r: &[f64; N]) -> f64 {
    (0..N).map(|i| (y[i] - r[i]).abs()).fold(0.0, f64::max)
}

#[test]
fn every_implicit_method_over_the_band_lu_solves_the_heat_equation() {
    const N: usize = 300;
    let t1 = 0.05;
    let exact = mode::<N>(t1);
    for rtol in [1e-4, 1e-6, 1e-8] {
        let settings = || Settings::new(Tolerances::new(rtol, 1e-3 * rtol));
        let runs = [
            (
                "Rodas5P",
                finish(
                    Rodas5P::<_, N, f64, Band<N>>::with_solver(
                        Heat,
                        0.0,
                        mode(0.0),
                        t1,
                        settings(),
                    )
                    .unwrap(),
                ),
            ),
            (
                "Rodas4",
                finish(
                    Rodas4::<_, N, f64, Band<N>>::with_solver(Heat, 0.0, mode(0.0), t1, settings())
                        .unwrap(),
                ),
            ),
            (
                "Radau5",
                finish(
                    RadauIIA::<_, N, f64, 3, BandRadau<N, 0>>::with_storage(
                        Heat,
                        0.0,
                        mode(0.0),
                        t1,
                        settings(),
                    )
                    .unwrap(),
                ),
            ),
            (
                "AdaptiveRadau",
                finish(
                    RadauIIA::<_, N, f64, 7, BandRadau<N, 2>>::with_storage(
                        Heat,
                        0.0,
                        mode(0.0),
                        t1,
                        settings(),
                    )
                    .unwrap(),
                ),
            ),
            (
                "Bdf",
                finish(
                    Bdf::<_, N, f64, Inline, Band<N>>::with_solver(
                        Heat,
                        0.0,
                        mode(0.0),
                        t1,
                        settings(),
                    )
                    .unwrap(),
                ),
            ),
            (
                "Rosenbrock23",
                finish(
                    Rosenbrock23::<_, N, f64, Band<N>>::with_solver(
                        Heat,
                        0.0,
                        mode(0.0),
                        t1,
                        settings(),
                    )
                    .unwrap(),
                ),
            ),
        ];
        for (name, run) in runs {
            let (y, stats) = run.unwrap();
            let e = max_err(&y, &exact);
            println!("{name} N {N} rtol {rtol:e}: error {e:.1e}, {stats:?}");
            // The mode has decayed to e^{λ t} ≈ 0.61: the error against the exact flow.
            let bound = if name == "Rosenbrock23" {
                30.0 * rtol.powf(2.0 / 3.0)
            } else {
                30.0 * rtol
            };
            assert!(e < bound, "{name} {rtol:e}: {e:e}");
            // A tridiagonal J by three evaluations of f, never N.
            assert!(stats.njev >= 1);
        }
    }
}

/// A run over the band LU against the same run over the dense one.
fn compare<const N: usize>(
    what: &str,
    rtol: f64,
    band: Result<([f64; N], Stats), Error>,
    dense: Result<([f64; N], Stats), Error>,
) {
    let ((yb, sb), (yd, sd)) = (band.unwrap(), dense.unwrap());
    println!("{what} rtol {rtol:e}: band {sb:?}\n    dense {sd:?}");
    // The band differences are the dense ones bit for bit (checked: every entry of J); the
    // two LUs round differently (2e-16 relative per solve), which the error control passes on
    // to the steps: the solutions agree far inside the tolerance.
    let scale = yd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let d = max_err(&yb, &yd) / scale;
    assert!(d < 1e-2 * rtol, "{what} {rtol:e}: {d:e}");
    assert_eq!(sb.n_accepted, sd.n_accepted, "{what} {rtol:e}");
    assert_eq!(sb.njev, sd.njev, "{what} {rtol:e}");
    // Each finite-difference Jacobian costs 3 evaluations on the band, N densely.
    assert_eq!(sd.nfev - sb.nfev, sd.njev * (N - 3), "{what} {rtol:e}");
}

#[test]
fn band_and_dense_solvers_agree_and_the_band_spends_three_evaluations_per_jacobian() {
    const N: usize = 40;
    let t1 = 0.1;
    for rtol in [1e-5, 1e-8] {
        let settings = || Settings::new(Tolerances::new(rtol, 1e-3 * rtol)).first_step(1e-5);
        let y0 = mode::<N>(0.0);
        compare(
            "Rodas5P",
            rtol,
            finish(
                Rodas5P::<_, N, f64, Band<N>>::with_solver(Heat, 0.0, y0, t1, settings()).unwrap(),
            ),
            finish(
                Rodas5P::<_, N, f64, DenseLu<f64, N>>::with_solver(Heat, 0.0, y0, t1, settings())
                    .unwrap(),
            ),
        );
        compare(
            "Radau5",
            rtol,
            finish(
                RadauIIA::<_, N, f64, 3, BandRadau<N, 0>>::with_storage(
                    Heat,
                    0.0,
                    y0,
                    t1,
                    settings(),
                )
                .unwrap(),
            ),
            finish(Radau5::new(Heat, 0.0, y0, t1, settings()).unwrap()),
        );
        compare(
            "AdaptiveRadau",
            rtol,
            finish(
                RadauIIA::<_, N, f64, 7, BandRadau<N, 2>>::with_storage(
                    Heat,
                    0.0,
                    y0,
                    t1,
                    settings(),
                )
                .unwrap(),
            ),
            finish(AdaptiveRadau::new(Heat, 0.0, y0, t1, settings()).unwrap()),
        );
        compare(
            "Bdf",
            rtol,
            finish(
                Bdf::<_, N, f64, Inline, Band<N>>::with_solver(Heat, 0.0, y0, t1, settings())
                    .unwrap(),
            ),
            finish(Bdf::new(Heat, 0.0, y0, t1, settings()).unwrap()),
        );
    }
}

#[test]
fn the_band_jacobian_is_charged_to_the_budget() {
    const N: usize = 200;
    // Rodas5P spends 2 evaluations at the start (f and the automatic first step) and 3 for
    // its first Jacobian: a budget of 4 stops it before that Jacobian, with the budget's error.
    let settings = Settings::new(Tolerances::new(1e-6, 1e-9)).max_nfev(4);
    let st =
        Rodas5P::<_, N, f64, Band<N>>::with_solver(Heat, 0.0, mode(0.0), 0.1, settings).unwrap();
    assert!(matches!(
        finish(st),
        Err(Error::TooManyEvaluations { limit: 4 })
    ));
}
