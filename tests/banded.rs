//! The band LU behind the linear-solver seams: the Rosenbrock methods and Bdf over `BandedLu`,
//! Radau5 and AdaptiveRadau over `BandedRadauLu`, on the 1-D heat equation, against its exact
//! semi-discrete solution and against the dense solvers.

#[path = "problems/heat1d.rs"]
mod heat1d;
use heat1d::{mode, Heat};
use odegen::implicit::{BandedLu, BandedRadauLu, DenseLu};
use odegen::linalg::Inline;
use odegen::prelude::*;
use odegen::{
    AdaptiveRadau, Bdf, Error, Radau5, RadauIIA, Rodas4, Rodas5P, Rosenbrock23, Sparsity, Stats,
};

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
        // Each method's constructor over the band, run from the same start.
        macro_rules! run {
            ($make:expr) => {
                finish($make(Heat, 0.0, mode(0.0), t1, settings()).unwrap())
            };
        }
        let runs = [
            ("Rodas5P", run!(Rodas5P::<_, N, f64, Band<N>>::with_solver)),
            ("Rodas4", run!(Rodas4::<_, N, f64, Band<N>>::with_solver)),
            (
                "Radau5",
                run!(RadauIIA::<_, N, f64, 3, BandRadau<N, 0>>::with_storage),
            ),
            (
                "AdaptiveRadau",
                run!(RadauIIA::<_, N, f64, 7, BandRadau<N, 2>>::with_storage),
            ),
            ("Bdf", run!(Bdf::<_, N, f64, Inline, Band<N>>::with_solver)),
            (
                "Rosenbrock23",
                run!(Rosenbrock23::<_, N, f64, Band<N>>::with_solver),
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

/// The heat equation of [`Heat`] that also hands out its Jacobian's entries (analytic), so the
/// band solvers take them instead of differences, and knows its dense Jacobian for the dense
/// ones.
struct HeatEntries<const N: usize>;
impl<const N: usize> OdeSystem<N> for HeatEntries<N> {
    const JACOBIAN: odegen::JacobianKind = odegen::JacobianKind::Analytic;
    fn rhs(&self, t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        Heat.rhs(t, y, dy)
    }
    fn newton_jacobian(
        &self,
        _t: f64,
        _y: &[f64; N],
        _f: &[f64; N],
        jac: &mut [[f64; N]; N],
    ) -> usize {
        let inv_h2 = ((N + 1) * (N + 1)) as f64;
        for (i, row) in jac.iter_mut().enumerate() {
            *row = [0.0; N];
            row[i] = -2.0 * inv_h2;
            if i > 0 {
                row[i - 1] = inv_h2;
            }
            if i + 1 < N {
                row[i + 1] = inv_h2;
            }
        }
        0
    }
    fn newton_jacobian_entries(
        &self,
        _t: f64,
        _y: &[f64; N],
        _f: &[f64; N],
        entry: &mut dyn FnMut(usize, usize, f64),
    ) -> Option<usize> {
        heat1d::jacobian_entries::<N>(entry);
        Some(0)
    }
}

#[test]
fn the_band_solvers_take_a_systems_own_entries_at_no_evaluation() {
    const N: usize = 40;
    let t1 = 0.1;
    let rtol = 1e-7;
    let settings = || Settings::new(Tolerances::new(rtol, 1e-3 * rtol)).first_step(1e-5);
    let y0 = mode::<N>(0.0);
    let runs = [
        (
            "Rodas5P",
            finish(
                Rodas5P::<_, N, f64, Band<N>>::with_solver(HeatEntries, 0.0, y0, t1, settings())
                    .unwrap(),
            ),
            finish(Rodas5P::new(HeatEntries, 0.0, y0, t1, settings()).unwrap()),
        ),
        (
            "Bdf",
            finish(
                Bdf::<_, N, f64, Inline, Band<N>>::with_solver(
                    HeatEntries,
                    0.0,
                    y0,
                    t1,
                    settings(),
                )
                .unwrap(),
            ),
            finish(Bdf::new(HeatEntries, 0.0, y0, t1, settings()).unwrap()),
        ),
        (
            "Radau5",
            finish(
                RadauIIA::<_, N, f64, 3, BandRadau<N, 0>>::with_storage(
                    HeatEntries,
                    0.0,
                    y0,
                    t1,
                    settings(),
                )
                .unwrap(),
            ),
            finish(Radau5::new(HeatEntries, 0.0, y0, t1, settings()).unwrap()),
        ),
    ];
    for (name, band, dense) in runs {
        let ((yb, sb), (yd, sd)) = (band.unwrap(), dense.unwrap());
        println!("{name}: band {sb:?}\n    dense {sd:?}");
        assert_eq!(sb.njev, sd.njev, "{name}");
        if name == "Radau5" {
            // Its Newton counts follow the LUs' rounding (one step more or less): every
            // evaluation is f(t0), three per Newton iteration and one per accepted step,
            // none for the Jacobian.
            assert_eq!(sb.nfev, 1 + 3 * sb.n_newton_iters + sb.n_accepted, "{name}");
        } else {
            // The same exact J both ways: the same work, evaluation for evaluation.
            assert_eq!(sb.nfev, sd.nfev, "{name}");
        }
        // Radau5's step more or less moves the result within the tolerance; the others take
        // the same steps.
        let scale = yd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let agree = if name == "Radau5" { rtol } else { 1e-2 * rtol };
        assert!(
            max_err(&yb, &yd) < agree * scale,
            "{name}: {:e}",
            max_err(&yb, &yd)
        );
        assert!(max_err(&yb, &mode::<N>(t1)) < 30.0 * rtol, "{name}");
    }
}

/// A system whose Jacobian reaches beyond a tridiagonal band: `y_0' = −y_0 + y_3`.
struct Wide;
impl OdeSystem<4> for Wide {
    const JACOBIAN: odegen::JacobianKind = odegen::JacobianKind::Analytic;
    fn rhs(&self, _t: f64, y: &[f64; 4], dy: &mut [f64; 4]) {
        *dy = [-y[0] + y[3], -y[1], -y[2], -y[3]];
    }
    fn newton_jacobian_entries(
        &self,
        _t: f64,
        _y: &[f64; 4],
        _f: &[f64; 4],
        entry: &mut dyn FnMut(usize, usize, f64),
    ) -> Option<usize> {
        for i in 0..4 {
            entry(i, i, -1.0);
        }
        entry(0, 3, 1.0);
        Some(0)
    }
}

#[test]
fn a_band_too_narrow_for_the_systems_entries_is_a_clear_error() {
    let st = Rodas5P::<_, 4, f64, BandedLu<f64, 4, 1, 1, 4>>::with_solver(
        Wide,
        0.0,
        [1.0; 4],
        1.0,
        Tolerances::new(1e-6, 1e-9),
    )
    .unwrap();
    let Err(Error::InvalidOption { what }) = finish(st) else {
        panic!("a band too narrow must be refused");
    };
    assert!(what.contains("outside the band"), "{what}");
    // Wide enough (KU = 3), it runs: y_3 = e^{−t}, y_0 = (1 + t) e^{−t}.
    let st = Rodas5P::<_, 4, f64, BandedLu<f64, 4, 1, 3, 6>>::with_solver(
        Wide,
        0.0,
        [1.0; 4],
        1.0,
        Tolerances::new(1e-8, 1e-10),
    )
    .unwrap();
    let (y, s) = finish(st).unwrap();
    assert!((y[0] - 2.0 * (-1.0f64).exp()).abs() < 1e-7, "{y:?}");
    // No differences were taken: f only for the stages.
    assert!(s.njev >= 1);
}

/// An `#[ode_system]` chain: its generated analytic entries reach the band solver.
#[odegen::ode_system]
fn chain(_t: f64, y: [f64; 6], k: f64) -> [f64; 6] {
    let mut dy = [0.0; 6];
    dy[0] = -k * y[0];
    for i in 1..6 {
        dy[i] = k * y[i - 1] - k * y[i];
    }
    dy
}

#[test]
fn an_ode_system_hands_its_generated_entries_to_the_band_solver() {
    let sys = Chain::new(50.0);
    let settings = || Settings::new(Tolerances::new(1e-8, 1e-10)).first_step(1e-5);
    let y0 = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    // The band from the generated pattern, at compile time: one subdiagonal, no superdiagonal.
    const KL: usize = <Chain as Sparsity<6>>::LOWER_BANDWIDTH;
    const KU: usize = <Chain as Sparsity<6>>::UPPER_BANDWIDTH;
    assert_eq!((KL, KU), (1, 0));
    let (yb, sb) = finish(
        Rodas5P::<_, 6, f64, BandedLu<f64, 6, KL, KU, { 2 * KL + KU + 1 }>>::with_solver(
            sys,
            0.0,
            y0,
            0.2,
            settings(),
        )
        .unwrap(),
    )
    .unwrap();
    let (yd, sd) = finish(Rodas5P::new(sys, 0.0, y0, 0.2, settings()).unwrap()).unwrap();
    assert_eq!(sb.nfev, sd.nfev, "analytic both ways: {sb:?} {sd:?}");
    // The chain's exact solution: y_i = (k t)^i / i! e^{−k t}.
    let kt: f64 = 50.0 * 0.2;
    let mut fact = 1.0;
    for i in 0..6 {
        if i > 0 {
            fact *= i as f64;
        }
        let exact = kt.powi(i as i32) / fact * (-kt).exp();
        assert!((yb[i] - exact).abs() < 1e-7, "{i}: {} vs {exact}", yb[i]);
        assert!((yb[i] - yd[i]).abs() < 1e-9, "{i}");
    }
}
