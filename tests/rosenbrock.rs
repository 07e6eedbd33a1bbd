//! The Rosenbrock methods `Rodas5P`, `Rodas4` and `Rosenbrock23`: their orders, the order
//! reduction on Prothero–Robinson, the `∂f/∂t` term, published reference solutions (Robertson,
//! HIRES, Van der Pol μ = 1000, OREGO), complex and dual states, and their counters.
//!
//! Run with `--nocapture` to see the tables.
#![allow(clippy::excessive_precision)]

#[path = "problems/scalar_states.rs"]
mod scalar_states;
#[path = "problems/stiff.rs"]
mod stiff;

use num_complex::Complex64;
use num_dual::Dual64;
use odegen::jacobian::{Autonomous, WithJacobian};
use odegen::{
    ode_system, Error, Jacobian, OdeSystem, Rodas4, Rodas5P, Rosenbrock23, Scalar, Settings, Stats,
    Stepper, TimeDependence, TimeDerivative, Tolerances,
};
use scalar_states::DualPr;
use stiff::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Rodas5P,
    Rodas4,
    Rosenbrock23,
}

const METHODS: [Method; 3] = [Method::Rodas5P, Method::Rodas4, Method::Rosenbrock23];

impl Method {
    fn order(self) -> f64 {
        match self {
            Method::Rodas5P => 5.0,
            Method::Rodas4 => 4.0,
            Method::Rosenbrock23 => 2.0,
        }
    }

    /// The tolerances a method is meant for: Rosenbrock23 is a low-order method for crude
    /// tolerances, the Rodas methods for moderate ones.
    fn rtols(self) -> &'static [f64] {
        match self {
            Method::Rosenbrock23 => &[1e-3, 1e-4],
            _ => &[1e-4, 1e-6, 1e-8],
        }
    }
}

fn finish<S: Scalar, St: Stepper<S, N>, const N: usize>(
    mut st: St,
) -> Result<([S; N], Stats), Error> {
    while !st.is_finished() {
        st.step()?;
    }
    Ok((*st.y(), st.stats()))
}

fn integrate<Sys: OdeSystem<N, S>, S: Scalar<Real = f64>, const N: usize>(
    method: Method,
    sys: Sys,
    (t0, t1): (f64, f64),
    y0: [S; N],
    settings: Settings<f64, N>,
) -> Result<([S; N], Stats), Error> {
    match method {
        Method::Rodas5P => finish(Rodas5P::new(sys, t0, y0, t1, settings)?),
        Method::Rodas4 => finish(Rodas4::new(sys, t0, y0, t1, settings)?),
        Method::Rosenbrock23 => finish(Rosenbrock23::new(sys, t0, y0, t1, settings)?),
    }
}

/// Constant steps `h = (t1 − t0)/n`: a step bound of `h`, a first step of `h`, and tolerances
/// no step of these smooth problems comes near.
fn constant_steps<const N: usize>(t0: f64, t1: f64, n: usize) -> Settings<f64, N> {
    let h = (t1 - t0) / n as f64;
    Settings::new(Tolerances::new(1e3, 1e3))
        .first_step(h)
        .max_step(h)
}

// ---------------------------------------------------------------------------------------------
// Orders.

/// `y' = −2 t y²`, exact `y = 1/(1 + t²)`: nonlinear in `y` and in `t`.
#[ode_system]
fn rational(t: f64, [y]: [f64; 1]) -> [f64; 1] {
    [-2.0 * t * y * y]
}

/// A nonlinear autonomous pair with a closed form: `u' = −u², v' = u v`, from `(1, 1)`,
/// `u = 1/(1 + t)`, `v = 1 + t`.
#[ode_system]
fn quadratic_pair(_t: f64, [u, v]: [f64; 2]) -> [f64; 2] {
    [-u * u, u * v]
}

/// The slope of `log2` error between `n` and `2n` steps.
fn order_between(e1: f64, e2: f64) -> f64 {
    (e1 / e2).log2()
}

#[test]
fn classical_orders_at_constant_step() {
    // Each method's global error at t = 2 with n and 2n constant steps; the measured order
    // must be its classical order within ±0.2. The step counts keep every error far above
    // rounding (at least 1e-11) and in the asymptotic range. Measured (n → 2n):
    // Rodas5P 4.97, 4.83, 5.03 (n = 32); Rodas4 4.14, 3.96, 3.87 (n = 64), which reaches 4
    // slowly (3.69 from n = 32); Rosenbrock23 2.00, 2.00, 2.00 (n = 256).
    println!("\nmethod        problem          n     error(n)  error(2n)  order");
    for method in METHODS {
        let n = match method {
            Method::Rodas5P => 32,
            Method::Rodas4 => 64,
            Method::Rosenbrock23 => 256,
        };
        let mut orders = Vec::new();
        let errs = |n: usize| {
            let (y, _) = integrate(
                method,
                Rational,
                (0.0, 2.0),
                [1.0],
                constant_steps(0.0, 2.0, n),
            )
            .unwrap();
            let a = (y[0] - 1.0 / 5.0).abs();
            let (y, _) = integrate(
                method,
                QuadraticPair,
                (0.0, 2.0),
                [1.0, 1.0],
                constant_steps(0.0, 2.0, n),
            )
            .unwrap();
            let b = (y[0] - 1.0 / 3.0).abs().max((y[1] - 3.0).abs() / 3.0);
            let (y, _) = integrate(
                method,
                ExpSin,
                (0.0, 2.0),
                [1.0],
                constant_steps(0.0, 2.0, n),
            )
            .unwrap();
            let c = (y[0] - 2f64.sin().exp()).abs();
            [a, b, c]
        };
        let (e1, e2) = (errs(n), errs(2 * n));
        for (k, name) in ["y' = -2ty²", "u' = -u², v' = uv", "y' = y cos t"]
            .iter()
            .enumerate()
        {
            let p = order_between(e1[k], e2[k]);
            println!(
                "{:<13} {:<16} {:>4} {:>10.2e} {:>10.2e} {:>6.2}",
                format!("{method:?}"),
                name,
                n,
                e1[k],
                e2[k],
                p
            );
            assert!(
                e2[k] > 1e-11,
                "{method:?} {name}: error {:e} too near rounding",
                e2[k]
            );
            orders.push(p);
        }
        for p in orders {
            assert!(
                (p - method.order()).abs() <= 0.2,
                "{method:?}: order {p:.2}"
            );
        }
    }
}

#[test]
fn order_reduction_on_prothero_robinson() {
    // y' = λ (y − cos t) − sin t, y = cos t, λ = −1e6, at constant steps with h λ from −1e5
    // to −2.5e4: the stiff regime in which Rosenbrock methods suffer order reduction
    // (Hairer & Wanner II, IV.15; Steinebach constructed Rodas5P, as Rodas4P before it, to
    // satisfy additional conditions for this problem). Measured, errors at n = 100, 200, 400
    // steps over [0, 10] and the orders between them:
    //
    //   Rodas5P       5.7e-12  7.0e-13  8.7e-14   3.02  3.01
    //   Rodas4        1.4e-9   7.6e-10  4.0e-10   0.84  0.92
    //   Rosenbrock23  6.1e-4   1.5e-4   3.8e-5    1.99  1.99
    //
    // Rodas5P drops from order 5 to 3 but stays 200–5000 times more accurate than Rodas4,
    // which falls to order 1; Rosenbrock23 keeps its order 2. The checks are those findings.
    let sys = ProtheroRobinson { lambda: -1e6 };
    let errs = |method: Method, n: usize| {
        let (y, _) = integrate(
            method,
            sys,
            (0.0, 10.0),
            [1.0],
            constant_steps(0.0, 10.0, n),
        )
        .unwrap();
        (y[0] - 10f64.cos()).abs()
    };
    println!("\nProthero–Robinson λ = −1e6 on [0, 10], constant steps");
    println!("method          n=100     n=200     n=400   order(100→200) order(200→400)");
    let mut measured = Vec::new();
    for method in METHODS {
        let e: Vec<f64> = [100, 200, 400].iter().map(|&n| errs(method, n)).collect();
        let (p1, p2) = (order_between(e[0], e[1]), order_between(e[1], e[2]));
        println!(
            "{:<13} {:>9.2e} {:>9.2e} {:>9.2e} {:>10.2} {:>14.2}",
            format!("{method:?}"),
            e[0],
            e[1],
            e[2],
            p1,
            p2
        );
        measured.push((method, e, p1.min(p2)));
    }
    let get = |m: Method| measured.iter().find(|r| r.0 == m).unwrap();
    let (r5, r4, r23) = (
        get(Method::Rodas5P),
        get(Method::Rodas4),
        get(Method::Rosenbrock23),
    );
    assert!((r5.2 - 3.0).abs() <= 0.2, "Rodas5P order {:.2}", r5.2);
    assert!(r4.2 < 1.2, "Rodas4 shows no order reduction: {:.2}", r4.2);
    assert!(
        (r23.2 - 2.0).abs() <= 0.2,
        "Rosenbrock23 order {:.2}",
        r23.2
    );
    for k in 0..3 {
        assert!(
            100.0 * r5.1[k] < r4.1[k],
            "Rodas5P not far more accurate than Rodas4 ({k})"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The ∂f/∂t term.

/// Prothero–Robinson written by hand: no `∂f/∂t` of its own (a forward difference in `t` by
/// default), with its analytic Jacobian.
#[derive(Clone, Copy)]
struct HandPr(f64);
impl OdeSystem<1> for HandPr {
    fn rhs(&self, t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = self.0 * (y[0] - t.cos()) - t.sin();
    }
}
impl Jacobian<1> for HandPr {
    fn jacobian(&self, _t: f64, _y: &[f64; 1], jac: &mut [[f64; 1]; 1]) {
        jac[0][0] = self.0;
    }
}

#[test]
fn a_non_autonomous_stiff_problem_needs_the_time_derivative() {
    // Prothero–Robinson with λ = −1e5 at rtol = atol = 1e-6. With ∂f/∂t (the macro's symbolic
    // one, or a forward difference for the hand-written system) every method meets the
    // tolerance's order; declared autonomous (`Autonomous` drops the term), the stages miss
    // h d_i ∂f/∂t = O(h λ) and the methods lose their accuracy or drown in rejected steps.
    assert_eq!(
        <ProtheroRobinson as OdeSystem<1>>::TIME_DEPENDENCE,
        TimeDependence::Analytic
    );
    assert_eq!(
        <WithJacobian<HandPr> as OdeSystem<1>>::TIME_DEPENDENCE,
        TimeDependence::FiniteDifferences
    );
    assert_eq!(
        <Robertson as OdeSystem<3>>::TIME_DEPENDENCE,
        TimeDependence::Autonomous
    );
    let lambda = -1e5;
    println!("\nProthero–Robinson λ = −1e5, rtol = atol = 1e-6, t ∈ [0, 10]");
    for method in METHODS {
        let settings = Settings::new(Tolerances::new(1e-6, 1e-6));
        let exact = 10f64.cos();
        let (y_sym, s_sym) = integrate(
            method,
            ProtheroRobinson { lambda },
            (0.0, 10.0),
            [1.0],
            settings,
        )
        .unwrap();
        let (y_fd, s_fd) = integrate(
            method,
            WithJacobian(HandPr(lambda)),
            (0.0, 10.0),
            [1.0],
            settings,
        )
        .unwrap();
        let wrong = integrate(
            method,
            Autonomous(WithJacobian(HandPr(lambda))),
            (0.0, 10.0),
            [1.0],
            settings.max_nfev(200_000),
        );
        let (e_sym, e_fd) = ((y_sym[0] - exact).abs(), (y_fd[0] - exact).abs());
        println!(
            "{method:?}: symbolic ∂f/∂t error {e_sym:.1e} ({} steps), forward difference \
             {e_fd:.1e} ({} steps, {} more f), without the term: {}",
            s_sym.n_steps(),
            s_fd.n_steps(),
            s_fd.nfev as i64 - s_sym.nfev as i64,
            match &wrong {
                Ok((y, s)) => format!("error {:.1e} ({} steps)", (y[0] - exact).abs(), s.n_steps()),
                Err(e) => format!("failed: {e}"),
            }
        );
        assert!(
            e_sym < 1e-5 && e_fd < 1e-5,
            "{method:?}: {e_sym:e} {e_fd:e}"
        );
        // The symbolic ∂f/∂t costs nothing, the forward difference one evaluation per step
        // (counted as in `counters_are_one_jacobian_per_step_and_one_lu_per_attempt`).
        let (stages, per_accepted) = stage_counts(method);
        for (s, per_step) in [(s_sym, 0), (s_fd, 1)] {
            assert_eq!(
                s.nfev,
                2 + (stages - 1) * s.n_steps() + (per_accepted + per_step) * s.n_accepted,
                "{method:?}: {s:?}"
            );
        }
        let degraded = match wrong {
            Ok((y, s)) => (y[0] - exact).abs() > 100.0 * e_sym || s.n_steps() > 5 * s_sym.n_steps(),
            Err(_) => true,
        };
        assert!(degraded, "{method:?}: dropping ∂f/∂t changed nothing");
    }
}

// ---------------------------------------------------------------------------------------------
// Published reference solutions.

/// `max_i |y_i − ref_i| / (atol/rtol + |ref_i|)`, scored as the Test Set's mescd.
fn mescd<const N: usize>(y: &[f64; N], reference: &[f64; N], atol_over_rtol: f64) -> f64 {
    -y.iter()
        .zip(reference)
        .map(|(y, r)| (y - r).abs() / (atol_over_rtol + r.abs()))
        .fold(0.0, f64::max)
        .log10()
}

/// A case below `mescd ≥ −log10(rtol) − 1` with the floor it must still keep.
struct Known {
    method: Method,
    rtol: f64,
    floor: f64,
}

fn reference_table<Sys: OdeSystem<N> + Copy, const N: usize>(
    title: &str,
    sys: Sys,
    y0: [f64; N],
    t1: f64,
    reference: &[f64; N],
    atol_over_rtol: f64,
    known: &[Known],
) {
    println!("\n== {title}");
    println!("method         rtol   mescd  bound  steps   nfev  njev   nlu  rej");
    let mut misses = Vec::new();
    for method in METHODS {
        for &rtol in method.rtols() {
            let settings = Settings::new(Tolerances::new(rtol, atol_over_rtol * rtol));
            let bound = -rtol.log10() - 1.0;
            let floor = known
                .iter()
                .find(|k| k.method == method && k.rtol == rtol)
                .map_or(bound, |k| k.floor);
            match integrate(method, sys, (0.0, t1), y0, settings) {
                Ok((y, s)) => {
                    let m = mescd(&y, reference, atol_over_rtol);
                    println!(
                        "{:<13} {:>5.0e} {:>6.2} {:>6.1} {:>6} {:>6} {:>5} {:>5} {:>4}{}",
                        format!("{method:?}"),
                        rtol,
                        m,
                        bound,
                        s.n_accepted,
                        s.nfev,
                        s.njev,
                        s.nlu,
                        s.n_rejected,
                        if m < bound {
                            format!("  below the bound (floor {floor:.1})")
                        } else {
                            String::new()
                        }
                    );
                    if m.is_nan() || m < floor {
                        misses.push(format!("{method:?} {rtol:e}: mescd {m:.2} < {floor:.2}"));
                    }
                }
                Err(e) => misses.push(format!("{method:?} {rtol:e}: {e}")),
            }
        }
    }
    assert!(misses.is_empty(), "{title}: {misses:#?}");
}

#[test]
fn robertson_to_1e11() {
    reference_table(
        "Robertson, t = 1e11 (Test Set ROBER), atol = 1e-4 rtol",
        Robertson,
        [1.0, 0.0, 0.0],
        1e11,
        &ROBERTSON_T1E11,
        1e-4,
        &[],
    );
}

#[test]
fn hires_reference() {
    reference_table(
        "HIRES, t = 321.8122 (Test Set HIRES), atol = 1e-4 rtol",
        Hires,
        HIRES_Y0,
        321.8122,
        &HIRES_T_END,
        1e-4,
        &[],
    );
}

#[test]
fn van_der_pol_mu_1000_reference() {
    reference_table(
        "Van der Pol μ = 1000, t = 2000 (Test Set VDPOL), atol = rtol",
        VanDerPol { mu: 1000.0 },
        [2.0, 0.0],
        2000.0,
        &VAN_DER_POL_T2000,
        1.0,
        // Known miss: Rosenbrock23 at 1e-4 (2.77 measured), the global error of a
        // second-order method over two relaxation jumps a period (Radau5 and Bdf miss this
        // bound too, at 1e-10 and 1e-6: `tests/stiff_references.rs`).
        &[Known {
            method: Method::Rosenbrock23,
            rtol: 1e-4,
            floor: 2.5,
        }],
    );
}

#[test]
fn orego_reference() {
    reference_table(
        "OREGO, t = 360 (Test Set OREGO), atol = rtol",
        Orego,
        OREGO_Y0,
        360.0,
        &OREGO_T360,
        1.0,
        // Known misses: Rosenbrock23's global error over OREGO's 360 time units of relaxation
        // oscillations, at order 2 (0.98 and 1.74 measured; the error falls by 0.76 digits a
        // decade of rtol, the rtol^{2/3} of a second-order method whose estimate is of
        // order 3).
        &[
            Known {
                method: Method::Rosenbrock23,
                rtol: 1e-3,
                floor: 0.7,
            },
            Known {
                method: Method::Rosenbrock23,
                rtol: 1e-4,
                floor: 1.5,
            },
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// States that are not real.

/// `y' = A y` with `A = [[−1000 + 10 i, 0], [1, −1 + 2 i]]`, a stiff complex system whose
/// hand-written Jacobian is `A`; exact solution by diagonalisation.
#[derive(Clone, Copy)]
struct ComplexLinear;
const A11: Complex64 = Complex64::new(-1000.0, 10.0);
const A22: Complex64 = Complex64::new(-1.0, 2.0);
impl OdeSystem<2, Complex64> for ComplexLinear {
    fn rhs(&self, _t: f64, y: &[Complex64; 2], dy: &mut [Complex64; 2]) {
        *dy = [A11 * y[0], y[0] + A22 * y[1]];
    }
}
impl Jacobian<2, Complex64> for ComplexLinear {
    fn jacobian(&self, _t: f64, _y: &[Complex64; 2], jac: &mut [[Complex64; 2]; 2]) {
        *jac = [
            [A11, Complex64::new(0.0, 0.0)],
            [Complex64::new(1.0, 0.0), A22],
        ];
    }
}

#[test]
fn complex_states() {
    // y1 = e^{a t}, y2 = e^{b t} (1 − 1/(a − b)) + e^{a t}/(a − b) from y0 = (1, 1).
    let t = 2.0;
    let exact = [
        (A11 * t).exp(),
        (A22 * t).exp() * (1.0 - 1.0 / (A11 - A22)) + (A11 * t).exp() / (A11 - A22),
    ];
    let one = Complex64::new(1.0, 0.0);
    for method in METHODS {
        for &rtol in method.rtols() {
            let (y, s) = integrate(
                method,
                WithJacobian(ComplexLinear),
                (0.0, t),
                [one, one],
                Settings::new(Tolerances::new(rtol, rtol)),
            )
            .unwrap();
            let err = (y[1] - exact[1]).norm().max((y[0] - exact[0]).norm());
            println!(
                "complex, {method:?} rtol {rtol:e}: error {err:.1e}, {} steps",
                s.n_steps()
            );
            // Rosenbrock23's global error grows like rtol^{2/3} (4.9e-3 and 1.1e-3 measured).
            let bound = if method == Method::Rosenbrock23 {
                30.0
            } else {
                10.0
            } * rtol;
            assert!(err < bound, "{method:?} {rtol:e}: {err:e}");
        }
    }
}

#[test]
fn dual_states_carry_the_parameter_derivative() {
    // λ = −2 (not stiff, so e^{λ t} stays visible): y = cos t + e^{λ t},
    // ∂y/∂λ = t e^{λ t}; at t = 3 both are O(1e-3), checked to 1e-6 relative to the size of
    // the solution.
    let lambda = -2.0;
    let t = 3.0;
    for method in [Method::Rodas5P, Method::Rodas4] {
        let sys = DualPr(Dual64::new(lambda, 1.0));
        let (y, _) = integrate(
            method,
            sys,
            (0.0, t),
            [Dual64::from(2.0)],
            Settings::new(Tolerances::new(1e-10, 1e-12)),
        )
        .unwrap();
        let value = t.cos() + (lambda * t).exp();
        let derivative = t * (lambda * t).exp();
        println!(
            "dual, {method:?}: y {:.3e} (error {:.1e}), ∂y/∂λ {:.6e} (error {:.1e})",
            y[0].re,
            (y[0].re - value).abs(),
            y[0].eps,
            (y[0].eps - derivative).abs()
        );
        assert!((y[0].re - value).abs() < 1e-8, "{method:?}");
        assert!(
            (y[0].eps - derivative).abs() < 1e-6 * derivative.abs().max(1e-3),
            "{method:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Counters.

/// A method's stages, and the evaluations an accepted step adds for `f` at the new point (none
/// for Rosenbrock23, whose last stage is evaluated there).
fn stage_counts(method: Method) -> (usize, usize) {
    match method {
        Method::Rodas5P => (8, 1),
        Method::Rodas4 => (6, 1),
        Method::Rosenbrock23 => (3, 0),
    }
}

#[test]
fn counters_are_one_jacobian_per_step_and_one_lu_per_attempt() {
    // With an analytic Jacobian and an autonomous system: one Jacobian per accepted step (at
    // its start, kept through its rejected attempts), one LU per attempt, `s − 1` evaluations
    // per attempt (stage 1 is f(t_n, y_n)), plus one per accepted step for the new point
    // (Rodas; Rosenbrock23's last stage is that point), plus two at the start (f(t0, y0) and the
    // automatic first step's).
    for method in METHODS {
        for &rtol in method.rtols() {
            let (_, s) = integrate(
                method,
                VanDerPol { mu: 1000.0 },
                (0.0, 2000.0),
                [2.0, 0.0],
                Settings::new(Tolerances::new(rtol, rtol)),
            )
            .unwrap();
            let (stages, per_accepted) = stage_counts(method);
            assert!(
                s.n_rejected > 0,
                "{method:?} {rtol:e}: no rejection exercised"
            );
            assert_eq!(s.njev, s.n_accepted, "{method:?} {rtol:e}: {s:?}");
            assert_eq!(s.nlu, s.n_steps(), "{method:?} {rtol:e}: {s:?}");
            assert_eq!(
                s.nfev,
                2 + (stages - 1) * s.n_steps() + per_accepted * s.n_accepted,
                "{method:?} {rtol:e}: {s:?}"
            );
        }
    }
}

#[test]
fn the_macro_derives_the_time_derivative_symbolically() {
    // Prothero–Robinson: ∂/∂t [λ (y − cos t) − sin t] = λ sin t − cos t; exp_sin:
    // ∂/∂t [y cos t] = −y sin t. Exact to rounding at every t and y of a sweep.
    for k in 0..50 {
        let t = -5.0 + 0.23 * k as f64;
        let y = 0.7 - 0.05 * k as f64;
        for lambda in [-1.0, -1e3, -1e6] {
            let mut d = [0.0];
            ProtheroRobinson { lambda }.time_derivative(t, &[y], &mut d);
            let exact = lambda * t.sin() - t.cos();
            assert!(
                (d[0] - exact).abs() <= 1e-15 * (1.0 + exact.abs()),
                "{t} {lambda}"
            );
        }
        let mut d = [0.0];
        ExpSin.time_derivative(t, &[y], &mut d);
        assert!((d[0] + y * t.sin()).abs() <= 1e-15, "{t}");
    }
    assert_eq!(
        <ExpSin as OdeSystem<1>>::TIME_DEPENDENCE,
        TimeDependence::Analytic
    );
    assert_eq!(
        <Hires as OdeSystem<8>>::TIME_DEPENDENCE,
        TimeDependence::Autonomous
    );
}
