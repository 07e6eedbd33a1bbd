//! Radau IIA over complex and dual states: every stage count (3, 5, 7), the stepper and
//! `solve_ivp`, against closed-form solutions and central differences of whole solves.
//!
//! A complex `J` needs two complex factorisations per pair of eigenvalues of `A⁻¹`
//! (`ComplexRadauLu`), a dual state's iteration the real part of `J` only (`RealRadauLu`): a
//! wrong split of either would show as a solution off by far more than the tolerance, or as a
//! Newton iteration that no longer converges in one or two iterations on a linear problem.

#[path = "problems/scalar_states.rs"]
mod scalar_states;
use num_dual::Dual64;
use odegen::jacobian::WithJacobian;
use odegen::num_complex::Complex64 as C;
use odegen::prelude::*;
use odegen::{AdaptiveRadau, Radau5, Scalar, Stats};
use scalar_states::{spiral_exact, DualPr, Spiral, SPIRAL_Z0};

/// Runs a stepper to its bound.
fn finish<X: Scalar, const N: usize>(mut st: impl Stepper<X, N>) -> ([X; N], Stats) {
    while !st.is_finished() {
        st.step().unwrap();
    }
    (*st.y(), st.stats())
}

/// Every stage count: Radau5, and AdaptiveRadau free and held at 5 and at 7 stages.
const STAGES: [(&str, usize, usize); 4] = [
    ("Radau5", 3, 3),
    ("AdaptiveRadau", 3, 7),
    ("AdaptiveRadau 5", 5, 5),
    ("AdaptiveRadau 7", 7, 7),
];

/// Integrates `sys` from `(t0, y0)` to `t1` with the method `(min, max)` of [`STAGES`].
fn radau<X, Sys, const N: usize>(
    (_, min, max): (&str, usize, usize),
    sys: Sys,
    (t0, t1): (f64, f64),
    y0: [X; N],
    tol: Tolerances<f64, N>,
) -> ([X; N], Stats)
where
    X: Scalar<Real = f64>,
    Sys: OdeSystem<N, X>,
{
    if max == 3 {
        finish(Radau5::new(sys, t0, y0, t1, tol).unwrap())
    } else {
        finish(AdaptiveRadau::with_stages(sys, t0, y0, t1, tol, min, max).unwrap())
    }
}

// ---------------------------------------------------------------------------------------------
// Complex states

/// `z' = A z` with `A = [[a, 0], [c, b]]`: a non-normal complex matrix with a slow oscillating
/// mode `a` and a stiff oscillating one `b` (`|b| h ≫ 1` on every step taken).
struct Coupled;
const A: C = C::new(-2.0, 30.0);
const B: C = C::new(-3000.0, 500.0);
const COUPLING: C = C::new(100.0, -40.0);
impl OdeSystem<2, C> for Coupled {
    fn rhs(&self, _t: f64, z: &[C; 2], dz: &mut [C; 2]) {
        dz[0] = A * z[0];
        dz[1] = COUPLING * z[0] + B * z[1];
    }
}
impl Jacobian<2, C> for Coupled {
    fn jacobian(&self, _t: f64, _z: &[C; 2], jac: &mut [[C; 2]; 2]) {
        *jac = [[A, C::new(0.0, 0.0)], [COUPLING, B]];
    }
}

/// The exact flow of [`Coupled`]: `z1 = e^{at} z1(0)`, `z2 = e^{bt} z2(0) + c z1(0) (e^{at} −
/// e^{bt}) / (a − b)`.
fn coupled_exact(t: f64, z0: [C; 2]) -> [C; 2] {
    let (ea, eb) = ((A * t).exp(), (B * t).exp());
    [
        ea * z0[0],
        eb * z0[1] + COUPLING * z0[0] * (ea - eb) / (A - B),
    ]
}

/// The largest error relative to `1 + |exact|`.
fn rel_error<const N: usize>(z: &[C; N], exact: &[C; N]) -> f64 {
    (0..N)
        .map(|i| (z[i] - exact[i]).norm() / (1.0 + exact[i].norm()))
        .fold(0.0, f64::max)
}

#[test]
fn complex_states_reach_the_exact_solution_with_every_stage_count() {
    let z0 = [C::new(1.0, -0.5), C::new(0.0, 2.0)];
    let t1 = 1.5;
    for method in STAGES {
        for rtol in [1e-4, 1e-7, 1e-10] {
            let tol = || Tolerances::new(rtol, 1e-3 * rtol);
            // Analytic and finite-difference Jacobians over complex numbers.
            let (za, sa) = radau(method, WithJacobian(Coupled), (0.0, t1), z0, tol());
            let (zf, sf) = radau(method, Coupled, (0.0, t1), z0, tol());
            let (zs, ss) = radau(method, Spiral, (0.0, t1), SPIRAL_Z0, tol());
            let ea = rel_error(&za, &coupled_exact(t1, z0));
            let ef = rel_error(&zf, &coupled_exact(t1, z0));
            let es = rel_error(&zs, &spiral_exact(t1));
            println!(
                "{}: rtol {rtol:e}: coupled {ea:.1e} (fd {ef:.1e}), spiral {es:.1e}; {} steps, \
                 {} Newton iterations",
                method.0, sa.n_accepted, sa.n_newton_iters
            );
            // The spiral's stiff forced component is a Prothero–Robinson problem, on which
            // Radau IIA's error is not proportional to the tolerance (order reduction to the
            // stage order): split into four real components it measures 9.8e-10 with five
            // stages at 1e-10.
            for (what, e, bound) in [
                ("coupled", ea, 20.0),
                ("coupled fd", ef, 20.0),
                ("spiral", es, 60.0),
            ] {
                assert!(e < bound * rtol, "{} {what} rtol {rtol:e}: {e:e}", method.0);
            }
            // The problem is linear and its Jacobian exact: the simplified Newton iteration
            // solves it in one iteration and confirms in a second, unless the linear algebra
            // is wrong.
            let attempts = sa.n_accepted + sa.n_rejected;
            assert!(
                sa.n_newton_iters <= 2 * attempts + 2,
                "{}: {} iterations for {attempts} attempts",
                method.0,
                sa.n_newton_iters
            );
            assert_eq!(sa.n_newton_failures, 0, "{}", method.0);
            assert!(sf.njev >= 1 && ss.n_accepted > 5);
        }
    }
}

#[test]
fn complex_states_through_solve_ivp_with_t_eval_and_dense_output() {
    let te: Vec<f64> = (0..=60).map(|i| 0.025 * i as f64).collect();
    for method in [Method::Radau, Method::AdaptiveRadau] {
        for rtol in [1e-6, 1e-11] {
            let sol = solve_ivp(
                &Spiral,
                (0.0, 1.5),
                SPIRAL_Z0,
                Options::new(method)
                    .rtol(rtol)
                    .atol(1e-3 * rtol)
                    .t_eval(te.clone())
                    .dense_output(true),
            )
            .unwrap();
            assert_eq!(sol.status, Status::Finished, "{}", sol.message);
            assert_eq!(sol.t, te);
            let at_te = sol
                .t
                .iter()
                .zip(&sol.y)
                .map(|(&t, z)| rel_error(z, &spiral_exact(t)))
                .fold(0.0, f64::max);
            // The whole interpolant, every term of it (degree 7 for seven stages).
            let dense = sol.sol.as_ref().unwrap();
            let dense_err = (0..=3000)
                .map(|i| 5e-4 * i as f64)
                .map(|t| rel_error(&dense.eval(t).unwrap(), &spiral_exact(t)))
                .fold(0.0, f64::max);
            println!("{method:?} rtol {rtol:e}: t_eval {at_te:.1e}, dense {dense_err:.1e}");
            // t_eval points come from the interpolant, whose error is of lower order than the
            // steps' (the collocation polynomial: `O(h^{s+1})` against `O(h^{2s})`).
            assert!(at_te <= dense_err, "{method:?} {rtol:e}");
            // Largest in the stiff transient of the first steps. The same problem split into
            // four real components measures 9.6e-5 and 7.2e-9 (Radau), 3.1e-7 and 7.9e-10
            // (AdaptiveRadau) at these tolerances: the method's figures, not the scalar's.
            assert!(dense_err < 2e3 * rtol, "{method:?} {rtol:e}: {dense_err:e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dual states

#[test]
fn dual_states_carry_the_parameter_derivative_with_every_stage_count() {
    let t = 3.0;
    let y0 = 2.0;
    // λ = −2: e^{λt} stays visible; λ = −40: stiff for the steps the tolerance allows.
    for lambda in [-2.0, -40.0] {
        for method in STAGES {
            for rtol in [1e-6, 1e-10] {
                let sys = DualPr(Dual64::new(lambda, 1.0));
                let (y, stats) = radau(
                    method,
                    sys,
                    (0.0, t),
                    [Dual64::from(y0)],
                    Tolerances::new(rtol, 1e-2 * rtol),
                );
                let value = t.cos() + (y0 - 1.0) * (lambda * t).exp();
                let derivative = (y0 - 1.0) * t * (lambda * t).exp();
                let (ev, ed) = ((y[0].re - value).abs(), (y[0].eps - derivative).abs());
                println!(
                    "{} λ {lambda} rtol {rtol:e}: value error {ev:.1e}, ∂y/∂λ {:.6e} error \
                     {ed:.1e}; {} steps",
                    method.0, y[0].eps, stats.n_accepted
                );
                // Stiff (λ = −40), Prothero–Robinson shows Radau IIA's order reduction: the
                // real runs of the same problem (f64) are up to 200·rtol off (seven stages at
                // 1e-10: 2.0e-8).
                let bound = if lambda < -10.0 { 500.0 } else { 10.0 };
                assert!(
                    ev < bound * rtol,
                    "{} λ {lambda} {rtol:e}: {ev:e}",
                    method.0
                );
                assert!(
                    ed < 10.0 * rtol * (1.0 + derivative.abs()),
                    "{} λ {lambda} {rtol:e}: {ed:e}",
                    method.0
                );
            }
        }
    }
}

/// Van der Pol `y1' = y2`, `y2' = μ (1 − y1²) y2 − y1` over any scalar, for `μ` dual.
struct VanDerPol<X>(X);
impl OdeSystem<2, Dual64> for VanDerPol<Dual64> {
    fn rhs(&self, _t: f64, y: &[Dual64; 2], dy: &mut [Dual64; 2]) {
        *dy = [
            y[1],
            self.0 * (Dual64::from(1.0) - y[0] * y[0]) * y[1] - y[0],
        ];
    }
}
impl OdeSystem<2> for VanDerPol<f64> {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], self.0 * (1.0 - y[0] * y[0]) * y[1] - y[0]];
    }
}

#[test]
fn dual_van_der_pol_derivative_matches_central_differences() {
    // Stiff (μ = 50) and nonlinear, with the Jacobian by finite differences over dual numbers:
    // ∂y(T)/∂μ against central differences of whole f64 solves at rtol 1e-12.
    let (mu, t1, y0) = (50.0, 20.0, [2.0, 0.0]);
    let plain = |mu: f64| {
        let tol = Tolerances::new(1e-12, 1e-12);
        finish(Radau5::new(VanDerPol(mu), 0.0, y0, t1, tol).unwrap()).0
    };
    let d = 1e-4;
    let (hi, lo) = (plain(mu + d), plain(mu - d));
    let fd = [(hi[0] - lo[0]) / (2.0 * d), (hi[1] - lo[1]) / (2.0 * d)];
    for method in STAGES {
        let sys = VanDerPol(Dual64::new(mu, 1.0));
        let tol = Tolerances::new(1e-10, 1e-10);
        let (y, stats) = radau(method, sys, (0.0, t1), y0.map(Dual64::from), tol);
        println!(
            "{}: ∂y/∂μ ({:.8e}, {:.8e}) against ({:.8e}, {:.8e}); {} steps",
            method.0, y[0].eps, y[1].eps, fd[0], fd[1], stats.n_accepted
        );
        for i in 0..2 {
            assert!(
                (y[i].eps - fd[i]).abs() < 1e-5 * (1.0 + fd[i].abs()),
                "{} component {i}: dual {} vs central difference {}",
                method.0,
                y[i].eps,
                fd[i]
            );
        }
    }
    // And through solve_ivp.
    let sol = solve_ivp(
        &VanDerPol(Dual64::new(mu, 1.0)),
        (0.0, t1),
        y0.map(Dual64::from),
        Options::new(Method::Radau).rtol(1e-10).atol(1e-10),
    )
    .unwrap();
    let y = sol.y.last().unwrap();
    assert!((y[0].eps - fd[0]).abs() < 1e-5 * (1.0 + fd[0].abs()));
}
