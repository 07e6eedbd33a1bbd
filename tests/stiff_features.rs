//! The stiff solvers, `Radau5` (`Method::Radau`), `AdaptiveRadau` and `Bdf` (`Method::Bdf`) —
//! every method of `Method::implicit()` — through every feature
//! the explicit methods offer: events (terminal, non-terminal, `ResetState` restarts), `t_eval`
//! and dense output forward and backward, step handlers, the evaluation budget, every Jacobian
//! source with exact work counters, and (BDF) complex states (Radau's: `tests/radau_scalars.rs`).
//!
//! Test problems, all with closed-form solutions:
//!
//! - [`Transient`] (linear, N = 3): `y0' = −1000 (y0 − cos t) − sin t`, `y1' = −y1`,
//!   `y2' = −100 (y2 − y0) − sin t`, from `(2, 1, 0)`: `y0 = cos t + e^{−1000 t}`,
//!   `y1 = e^{−t}`, `y2 = cos t − e^{−1000 t}/9 − 8 e^{−100 t}/9` (`u = y2 − cos t` solves
//!   `u' = −100 u + 100 e^{−1000 t}`). Stiff (eigenvalues −1000, −100, −1) with an initial
//!   layer; after it `y0 ≈ cos t`, zero at `π/2`, `3π/2`, `5π/2`.
//! - [`Nonlinear`] (N = 3): `y0' = −1000 (y0³ − cos³ t) − sin t`, `y1' = −y1²`,
//!   `y2' = −100 (y2 − y0) − sin t`, from `(1, 1, 0)`: `(cos t, 1/(1 + t), cos t − e^{−100 t})`.
//!   Its Jacobian changes along the solution, so the methods re-evaluate it.
//! - [`BackwardStiff`] (N = 2): `y0' = 1000 (y0 − cos t) − sin t`, `y1' = y1`, stiff and stable
//!   when integrated *backward* from `t = 3`: `y0 = cos t + a e^{1000 (t − 3)}`, `y1 = y1(3) e^{t − 3}`.
//! - [`Spiral`] (complex, N = 2): `z0' = λ z0`, `λ = −50 + 20i`, and
//!   `z1' = μ (z1 − e^{it}) + i e^{it}`, `μ = −1000 + 10i`: `z0 = e^{λ t}`,
//!   `z1 = e^{it} + (z1(0) − 1) e^{μ t}`.
//! - [`Ball`]: a bouncing ball (`ResetState` at every bounce), closed-form bounce times.
//!
//! Two tests guard against defects found while writing this file (each marked "Regression";
//! its comment describes the defect, since fixed).

#[path = "problems/scalar_states.rs"]
mod scalar_states;
use odegen::jacobian::{Colored, ConstantJacobian, ForwardAd, WithJacobian};
use odegen::num_complex::Complex64;
use odegen::prelude::*;
use odegen::{Scalar, Stats};
use scalar_states::{spiral_exact, Spiral, SPIRAL_JAC, SPIRAL_Z0};
use std::cell::Cell;
use std::f64::consts::PI;

/// How close an event is located at `rtol = 1e-10`: to 1e-9, but for AdaptiveRadau to 1e-8.
/// RADAU's continuous output is the collocation polynomial, of order `s` (the stage count),
/// not the method's `2s − 1`: at 5 and 7 stages the steps are long and the located times carry
/// that interpolation error (4.5e-9 measured on the kicked transient).
fn event_time_bound(method: Method) -> f64 {
    if method == Method::AdaptiveRadau {
        1e-8
    } else {
        1e-9
    }
}

fn max_abs_diff<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Largest `|a_i − b_i| / (1 + |b_i|)`.
fn max_rel_diff<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / (1.0 + y.abs()))
        .fold(0.0, f64::max)
}

// ---------------------------------------------------------------------------------------------
// Problems

/// The linear stiff problem with an initial layer (module documentation).
struct Transient;
impl OdeSystem<3> for Transient {
    fn rhs(&self, t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
        let (s, c) = t.sin_cos();
        dy[0] = -1000.0 * (y[0] - c) - s;
        dy[1] = -y[1];
        dy[2] = -100.0 * (y[2] - y[0]) - s;
    }
}
impl Jacobian<3> for Transient {
    fn jacobian(&self, _t: f64, _y: &[f64; 3], jac: &mut [[f64; 3]; 3]) {
        *jac = TRANSIENT_JAC;
    }
}
const TRANSIENT_JAC: [[f64; 3]; 3] = [[-1000.0, 0.0, 0.0], [0.0, -1.0, 0.0], [100.0, 0.0, -100.0]];
const TRANSIENT_Y0: [f64; 3] = [2.0, 1.0, 0.0];

fn transient_exact(t: f64) -> [f64; 3] {
    let fast = (-1000.0 * t).exp();
    [
        t.cos() + fast,
        (-t).exp(),
        t.cos() - fast / 9.0 - 8.0 / 9.0 * (-100.0 * t).exp(),
    ]
}

/// The nonlinear stiff problem; counts its evaluations of `f` (module documentation).
#[derive(Default)]
struct Nonlinear {
    calls: Cell<usize>,
}
impl OdeSystem<3> for Nonlinear {
    fn rhs(&self, t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
        self.calls.set(self.calls.get() + 1);
        let (s, c) = t.sin_cos();
        dy[0] = -1000.0 * (y[0] * y[0] * y[0] - c * c * c) - s;
        dy[1] = -y[1] * y[1];
        dy[2] = -100.0 * (y[2] - y[0]) - s;
    }
}
impl Jacobian<3> for Nonlinear {
    fn jacobian(&self, _t: f64, y: &[f64; 3], jac: &mut [[f64; 3]; 3]) {
        *jac = [
            [-3000.0 * y[0] * y[0], 0.0, 0.0],
            [0.0, -2.0 * y[1], 0.0],
            [100.0, 0.0, -100.0],
        ];
    }
}
/// Columns 0 and 1 share no row: two colours for three columns.
impl Sparsity<3> for Nonlinear {
    const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 1), (2, 0), (2, 2)];
    const COLORS: [usize; 3] = [0, 0, 1];
    const N_COLORS: usize = 2;
}
const NONLINEAR_Y0: [f64; 3] = [1.0, 1.0, 0.0];

fn nonlinear_exact(t: f64) -> [f64; 3] {
    [t.cos(), 1.0 / (1.0 + t), t.cos() - (-100.0 * t).exp()]
}

/// The same through the macro: its analytic Jacobian is picked up automatically.
#[ode_system]
fn nonlinear_macro(t: f64, [a, b, c]: [f64; 3]) -> [f64; 3] {
    let s = t.sin();
    let co = t.cos();
    [
        -1000.0 * (a * a * a - co * co * co) - s,
        -b * b,
        -100.0 * (c - a) - s,
    ]
}

/// The same written once for every scalar type (`f64` and `Dual64`), for `ForwardAd`.
struct NonlinearGeneric;
impl<D: Scalar<Real = f64>> OdeSystem<3, D> for NonlinearGeneric {
    fn rhs(&self, t: f64, y: &[D; 3], dy: &mut [D; 3]) {
        let (s, c) = t.sin_cos();
        dy[0] = (y[0] * y[0] * y[0] - D::from_real(c * c * c)) * -1000.0 - D::from_real(s);
        dy[1] = -(y[1] * y[1]);
        dy[2] = (y[2] - y[0]) * -100.0 - D::from_real(s);
    }
}

/// Forward differences the methods are told cost nothing: the same Jacobian as the plain
/// hand-written system, so the difference in `nfev` is exactly what the differences cost.
struct UncountedDifferences(Nonlinear);
impl OdeSystem<3> for UncountedDifferences {
    fn rhs(&self, t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
        self.0.rhs(t, y, dy)
    }
    fn newton_jacobian(
        &self,
        t: f64,
        y: &[f64; 3],
        f: &[f64; 3],
        jac: &mut [[f64; 3]; 3],
    ) -> usize {
        odegen::finite_diff::forward_jacobian(&self.0, t, y, f, jac);
        0
    }
}

/// Stiff when integrated backward from `t = 3` (module documentation).
struct BackwardStiff;
impl OdeSystem<2> for BackwardStiff {
    fn rhs(&self, t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        let (s, c) = t.sin_cos();
        dy[0] = 1000.0 * (y[0] - c) - s;
        dy[1] = y[1];
    }
}
/// From `(cos 3 + 1, e^3)` at `t = 3`: a layer of width 1/1000 below `t = 3`.
fn backward_exact(t: f64) -> [f64; 2] {
    [t.cos() + (1000.0 * (t - 3.0)).exp(), t.exp()]
}

/// Steps `st` to its end; returns the final state and the counters.
fn integrate<S: Scalar, St: Stepper<S, N>, const N: usize>(mut st: St) -> ([S; N], Stats) {
    while !st.is_finished() {
        st.step().expect("step");
    }
    (*st.y(), st.stats())
}

// ---------------------------------------------------------------------------------------------
// Events

/// Event 0: `y0 = 0`, either way, recorded. Event 1: `y0 = 1/2` rising, terminal.
struct CosineEvents;
impl EventSet<3, 2> for CosineEvents {
    fn values(&self, _t: f64, y: &[f64; 3], g: &mut [f64; 2]) {
        *g = [y[0], y[0] - 0.5];
    }
    fn direction(&self, k: usize) -> Direction {
        if k == 0 {
            Direction::Both
        } else {
            Direction::Rising
        }
    }
    fn terminal(&self, k: usize) -> Option<u32> {
        (k == 1).then_some(1)
    }
}

#[test]
fn events_on_a_stiff_problem_are_located_at_their_analytic_times() {
    // y0 = cos t + e^{−1000 t}: zeros at π/2 (falling) and 3π/2 (rising); y0 = 1/2 falls at
    // π/3 (not counted: the event is rising only) and rises at 5π/3, where the run stops.
    let t_stop = 5.0 * PI / 3.0;
    for method in Method::implicit() {
        let sol = solve_ivp_with_events(
            &Transient,
            (0.0, 10.0),
            TRANSIENT_Y0,
            Options::new(method).rtol(1e-11).atol(1e-13),
            CosineEvents,
        )
        .unwrap();
        assert_eq!(sol.status, Status::Terminated, "{method}: {}", sol.message);
        assert!(sol.success);
        let zeros = &sol.t_events[0];
        assert_eq!(zeros.len(), 2, "{method}: {zeros:?}");
        let mut worst = 0.0f64;
        for (k, (&t, exact)) in zeros.iter().zip([PI / 2.0, 1.5 * PI]).enumerate() {
            worst = worst.max((t - exact).abs());
            assert!(
                (t - exact).abs() < 1e-9,
                "{method}: zero {k} at {t}, exact {exact}"
            );
            let y = sol.y_events[0][k];
            assert!(y[0].abs() < 1e-9, "{method}: y0 = {} at the zero", y[0]);
            assert!(
                max_abs_diff(&y, &transient_exact(exact)) < 1e-8,
                "{method}: {y:?}"
            );
        }
        assert_eq!(sol.t_events[1].len(), 1, "{method}: {:?}", sol.t_events[1]);
        let t1 = sol.t_events[1][0];
        worst = worst.max((t1 - t_stop).abs());
        assert!(
            (t1 - t_stop).abs() < 1e-9,
            "{method}: stop at {t1}, exact {t_stop}"
        );
        // The output ends at the terminal event, in the state there.
        assert_eq!(*sol.t.last().unwrap(), t1);
        let y_end = *sol.y.last().unwrap();
        assert_eq!(y_end, sol.y_events[1][0]);
        assert!((y_end[0] - 0.5).abs() < 1e-9, "{method}: {y_end:?}");
        assert!(max_abs_diff(&y_end, &transient_exact(t_stop)) < 1e-8);
        eprintln!(
            "{method}: worst event-time error {worst:.1e}, {} steps",
            sol.stats.n_accepted
        );
    }
}

/// `y0` falling through zero is kicked down by one: the stiff component gets a new initial
/// layer, and the method must restart.
struct Kick;
impl EventSet<3, 1> for Kick {
    fn values(&self, _t: f64, y: &[f64; 3], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
    fn direction(&self, _k: usize) -> Direction {
        Direction::Falling
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetState
    }
    fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 3]) {
        y[0] -= 1.0;
    }
}

/// The kicked `Transient` after the last of the `kicks` (at π/2 and 5π/2; by then the layers
/// of earlier kicks and of the start have decayed below 1e−60): with `s = t − te`,
/// `y0 = cos t − e^{−1000 s}` and `u = y2 − cos t` solves `u' = −100 u − 100 e^{−1000 s}`, so
/// `u = (e^{−1000 s} − e^{−100 s})/9`.
fn kicked_exact(t: f64, kicks: &[f64]) -> [f64; 3] {
    let Some(&te) = kicks.iter().rev().find(|&&te| te <= t) else {
        return transient_exact(t);
    };
    let s = t - te;
    let (e1000, e100) = ((-1000.0 * s).exp(), (-100.0 * s).exp());
    [t.cos() - e1000, (-t).exp(), t.cos() + (e1000 - e100) / 9.0]
}

#[test]
fn a_reset_of_the_stiff_variable_restarts_the_method() {
    let kicks = [PI / 2.0, 2.5 * PI];
    // Output inside each new layer (s = 1e−4 .. 2e−2) and between the kicks.
    let mut t_eval = vec![0.5, 1.0];
    for &te in &kicks {
        for s in [1e-4, 1e-3, 5e-3, 2e-2, 0.5] {
            t_eval.push(te + s);
        }
    }
    t_eval.insert(7, 4.0);
    t_eval.push(9.0);
    // Rosenbrock23, of order 2, is for crude tolerances (MATLAB's ode23s), not this tight one.
    for method in Method::implicit().filter(|m| m.order() >= 3) {
        let sol = solve_ivp_with_events(
            &Transient,
            (0.0, 9.0),
            TRANSIENT_Y0,
            Options::new(method)
                .rtol(1e-10)
                .atol(1e-12)
                .t_eval(t_eval.clone()),
            Kick,
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
        // Two kicks, at the analytic times, in the state before the reset.
        assert_eq!(sol.t_events[0].len(), 2, "{method}: {:?}", sol.t_events[0]);
        for (k, (&t, &exact)) in sol.t_events[0].iter().zip(&kicks).enumerate() {
            assert!(
                (t - exact).abs() < event_time_bound(method),
                "{method}: kick {k} at {t}, exact {exact}"
            );
            let y = sol.y_events[0][k];
            assert!(
                y[0].abs() < 1e-9,
                "{method}: y0 = {} before the reset",
                y[0]
            );
        }
        // The integration went on after each restart, through the new layer, to the end. The
        // layer's slope is 1000, so the reference takes the kicks where they were located.
        assert_eq!(sol.t, t_eval, "{method}");
        let mut worst = 0.0f64;
        for (&t, y) in sol.t.iter().zip(&sol.y) {
            let exact = kicked_exact(t, &sol.t_events[0]);
            let e = max_abs_diff(y, &exact);
            worst = worst.max(e);
            // AdaptiveRadau's `t_eval` values carry its order-s interpolant's error (see
            // `event_time_bound`): 2.1e-8 measured.
            let bound = if method == Method::AdaptiveRadau {
                1e-7
            } else {
                2e-8
            };
            assert!(e < bound, "{method}: y({t}) = {y:?}, exact {exact:?}");
        }
        // Right after a kick y0 ≈ −1 (the kick), not the unkicked cos t ≈ 0.
        assert!(sol.y[2][0] < -0.8, "{method}: {:?}", sol.y[2]);
        eprintln!(
            "{method}: kicks at {:?}, worst state error {worst:.1e}, {} steps",
            sol.t_events[0], sol.stats.n_accepted
        );
    }
}

// ---------------------------------------------------------------------------------------------
// t_eval and dense output

#[test]
fn t_eval_forward_and_backward_match_the_exact_solution() {
    // Rosenbrock23, of order 2, is for crude tolerances (MATLAB's ode23s), not this tight one.
    for method in Method::implicit().filter(|m| m.order() >= 3) {
        for rtol in [1e-6, 1e-9] {
            fn opts<const N: usize>(method: Method, rtol: f64) -> Options<f64, N> {
                Options::new(method).rtol(rtol).atol(1e-2 * rtol)
            }
            // Forward through the initial layer: 0, 0.001, ..., 0.01, then every 0.05 to 3.
            let mut te: Vec<f64> = (0..10).map(|i| 1e-3 * i as f64).collect();
            te.extend(
                (0..=60)
                    .map(|i| 0.01 + 0.05 * i as f64)
                    .filter(|&t| t <= 3.0),
            );
            let sol = solve_ivp(
                &Transient,
                (0.0, 3.0),
                TRANSIENT_Y0,
                opts(method, rtol).t_eval(te.clone()),
            )
            .unwrap();
            assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
            assert_eq!(sol.t, te);
            let fwd = sol
                .t
                .iter()
                .zip(&sol.y)
                .map(|(&t, y)| max_rel_diff(y, &transient_exact(t)))
                .fold(0.0, f64::max);
            // Backward from 3 to 0 through BackwardStiff's layer below t = 3.
            let te_back: Vec<f64> = (0..=300).map(|i| 3.0 - 0.01 * i as f64).collect();
            let sol = solve_ivp(
                &BackwardStiff,
                (3.0, 0.0),
                backward_exact(3.0),
                opts(method, rtol).t_eval(te_back.clone()),
            )
            .unwrap();
            assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
            assert_eq!(sol.t, te_back);
            let back = sol
                .t
                .iter()
                .zip(&sol.y)
                .map(|(&t, y)| max_rel_diff(y, &backward_exact(t)))
                .fold(0.0, f64::max);
            eprintln!(
                "{method} rtol {rtol:.0e}: t_eval error forward {fwd:.1e}, backward {back:.1e}"
            );
            assert!(fwd < 30.0 * rtol, "{method} rtol {rtol}: forward {fwd}");
            assert!(back < 30.0 * rtol, "{method} rtol {rtol}: backward {back}");
        }
    }
}

#[test]
fn dense_output_is_accurate_and_continuous_at_the_steps() {
    // Rosenbrock23, of order 2, is for crude tolerances (MATLAB's ode23s), not this tight one.
    for method in Method::implicit().filter(|m| m.order() >= 3) {
        for rtol in [1e-6, 1e-9] {
            let sol = solve_ivp(
                &Transient,
                (0.0, 3.0),
                TRANSIENT_Y0,
                Options::new(method)
                    .rtol(rtol)
                    .atol(1e-2 * rtol)
                    .dense_output(true),
            )
            .unwrap();
            assert_eq!(sol.status, Status::Finished);
            let dense = sol.sol.as_ref().expect("dense output was asked for");
            assert_eq!(dense.n_segments(), sol.stats.n_accepted);
            assert_eq!(dense.span(), Some((0.0, 3.0)));
            // Many points, most of them inside steps (the layer included).
            let mut worst = 0.0f64;
            for i in 0..=3000 {
                let t = 1e-3 * i as f64;
                worst = worst.max(max_rel_diff(&dense.eval(t).unwrap(), &transient_exact(t)));
            }
            // At every step end: the left segment gives the step's end state, the right one
            // (a float later) starts from it.
            let (mut at_nodes, mut jumps) = (0.0f64, 0.0f64);
            for (k, &t) in sol.t.iter().enumerate().skip(1) {
                at_nodes = at_nodes.max(max_rel_diff(&dense.eval(t).unwrap(), &sol.y[k]));
                if k + 1 < sol.t.len() {
                    let right = dense.eval(t.next_up()).unwrap();
                    jumps = jumps.max(max_rel_diff(&right, &sol.y[k]));
                }
            }
            eprintln!(
                "{method} rtol {rtol:.0e}: {} steps, dense error {worst:.1e}, at the nodes \
                 {at_nodes:.1e}, jumps {jumps:.1e}",
                sol.stats.n_accepted
            );
            assert!(worst < 30.0 * rtol, "{method} rtol {rtol}: {worst}");
            assert!(at_nodes < 1e-14, "{method}: {at_nodes}");
            assert!(jumps < 1e-14, "{method}: {jumps}");
            assert!(dense.eval(3.0 + 1e-6).is_err() && dense.eval(-1e-6).is_err());
        }
        // Backward: the continuous solution of a backward run.
        let sol = solve_ivp(
            &BackwardStiff,
            (3.0, 0.0),
            backward_exact(3.0),
            Options::new(method)
                .rtol(1e-8)
                .atol(1e-10)
                .dense_output(true),
        )
        .unwrap();
        let dense = sol.sol.as_ref().unwrap();
        assert_eq!(dense.span(), Some((3.0, 0.0)));
        let worst = (0..=3000)
            .map(|i| {
                let t = 1e-3 * i as f64;
                max_rel_diff(&dense.eval(t).unwrap(), &backward_exact(t))
            })
            .fold(0.0, f64::max);
        eprintln!("{method} backward dense error {worst:.1e}");
        assert!(worst < 30.0 * 1e-8, "{method} backward: {worst}");
    }
}

/// Steps `st` to its end and returns `(t, st.dense(t))` at five points inside every step, and
/// the step ends.
fn stepper_samples<St: Stepper<f64, 3>>(mut st: St) -> (Vec<(f64, [f64; 3])>, Vec<f64>) {
    let mut samples = Vec::new();
    let mut ends = vec![st.t()];
    while !st.is_finished() {
        st.step().unwrap();
        for theta in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let t = st.t_prev() + theta * st.h();
            samples.push((t, st.dense(t).unwrap()));
        }
        ends.push(st.t());
    }
    (samples, ends)
}

#[test]
fn dense_output_matches_the_steppers_interpolant() {
    let tol = Tolerances::new(1e-7, 1e-9);
    let opts = |m| Options::new(m).rtol(1e-7).atol(1e-9).dense_output(true);
    let runs = [
        (
            Method::Radau,
            stepper_samples(
                Radau5::new(Nonlinear::default(), 0.0, NONLINEAR_Y0, 2.0, tol).unwrap(),
            ),
        ),
        (
            Method::Bdf,
            stepper_samples(Bdf::new(Nonlinear::default(), 0.0, NONLINEAR_Y0, 2.0, tol).unwrap()),
        ),
    ];
    for (method, (samples, ends)) in runs {
        let sol = solve_ivp(
            &Nonlinear::default(),
            (0.0, 2.0),
            NONLINEAR_Y0,
            opts(method),
        )
        .unwrap();
        // The driver takes the same steps...
        assert_eq!(sol.t, ends, "{method}");
        // ...and its continuous solution is the stepper's interpolant.
        let dense = sol.sol.unwrap();
        let mut worst = 0.0f64;
        let mut worst_exact = 0.0f64;
        for (t, y) in &samples {
            worst = worst.max(max_rel_diff(&dense.eval(*t).unwrap(), y));
            worst_exact = worst_exact.max(max_rel_diff(y, &nonlinear_exact(*t)));
        }
        eprintln!(
            "{method}: {} samples, dense vs Stepper::dense {worst:.1e}, vs exact {worst_exact:.1e}",
            samples.len()
        );
        assert!(worst < 1e-13, "{method}: {worst}");
        assert!(worst_exact < 3e-6, "{method}: {worst_exact}");
    }
}

// ---------------------------------------------------------------------------------------------
// Step handlers and the evaluation budget

/// Records every view: `(t_start, t_end, is_last, n_accepted)`, and measures the interpolant
/// against the exact solution and the monomial coefficients against `eval`.
struct Checker<F> {
    exact: F,
    init: Option<(f64, [f64; 3], f64)>,
    views: Vec<(f64, f64, bool, usize)>,
    worst_interp: f64,
    worst_horner: f64,
    outside_rejected: bool,
}

impl<F: Fn(f64) -> [f64; 3]> Checker<F> {
    fn new(exact: F) -> Self {
        Checker {
            exact,
            init: None,
            views: Vec::new(),
            worst_interp: 0.0,
            worst_horner: 0.0,
            outside_rejected: true,
        }
    }

    /// One view per accepted step, in order, contiguous from `t0` to `t_end`, `is_last` on the
    /// last only.
    fn assert_covers(&self, name: &str, t0: f64, t_end: f64, n_accepted: usize) {
        let v = &self.views;
        assert_eq!(v.len(), n_accepted, "{name}: one view per accepted step");
        for (i, r) in v.iter().enumerate() {
            assert_eq!(r.3, i + 1, "{name}: view {i} saw {} accepted steps", r.3);
            assert_eq!(r.2, i + 1 == v.len(), "{name}: is_last on view {i}");
        }
        assert_eq!(v[0].0, t0, "{name}");
        for w in v.windows(2) {
            assert_eq!(w[1].0, w[0].1, "{name}: views are contiguous");
        }
        assert_eq!(v.last().unwrap().1, t_end, "{name}");
        assert!(
            self.outside_rejected,
            "{name}: eval outside a view must fail"
        );
    }
}

impl<F: Fn(f64) -> [f64; 3]> StepHandler<f64, 3> for Checker<F> {
    fn init(&mut self, t0: f64, y0: &[f64; 3], t_bound: f64) {
        assert!(self.init.is_none());
        self.init = Some((t0, *y0, t_bound));
    }

    fn handle_step(&mut self, step: &mut StepView<'_, f64, 3>) {
        let (t0, t1) = (step.t_start(), step.t_end());
        self.views
            .push((t0, t1, step.is_last(), step.stats().n_accepted));
        assert_eq!(step.eval(t1).unwrap(), *step.y_end());
        let mut c = [[0.0; 3]; 8];
        let terms = step.terms();
        assert!((2..=8).contains(&terms), "{terms} terms");
        step.coefficients(&mut c[..terms]);
        for theta in [0.0, 0.2, 0.5, 0.8, 1.0] {
            let t = t0 + theta * step.h();
            let y = step.eval(t).unwrap();
            self.worst_interp = self.worst_interp.max(max_rel_diff(&y, &(self.exact)(t)));
            let mut p = c[terms - 1];
            for ck in c[..terms - 1].iter().rev() {
                for i in 0..3 {
                    p[i] = p[i] * theta + ck[i];
                }
            }
            self.worst_horner = self.worst_horner.max(max_rel_diff(&p, &y));
        }
        if step.h() != 0.0 {
            let beyond = step.eval(t1 + 0.01 * step.h()).is_err();
            let before = step.eval(t0 - 0.01 * step.h()).is_err();
            self.outside_rejected &= beyond && before;
        }
    }
}

/// Runs a stepper over `Transient` on `[0, 3]` with a checker, without and with the terminal
/// event `y0 = 1/2` rising (at 5π/3 > 3: it must not fire) and, on `[0, 6]`, with it firing.
fn check_handlers<St: Stepper<f64, 3>>(name: &str, make: impl Fn(f64) -> St) {
    let mut st = make(3.0);
    let mut checker = Checker::new(transient_exact);
    let end = run(&mut st, NoEvents, &mut checker, &mut |_| {}).unwrap();
    assert_eq!(end, Ending::Finished);
    assert_eq!(checker.init, Some((0.0, TRANSIENT_Y0, 3.0)));
    checker.assert_covers(name, 0.0, 3.0, st.stats().n_accepted);
    assert!(checker.views.len() > 10, "{name}: a real integration");
    eprintln!(
        "{name}: {} views, interpolation {:.1e}, Horner {:.1e}",
        checker.views.len(),
        checker.worst_interp,
        checker.worst_horner
    );
    assert!(
        checker.worst_interp < 3e-6,
        "{name}: {}",
        checker.worst_interp
    );
    assert!(
        checker.worst_horner < 1e-13,
        "{name}: {}",
        checker.worst_horner
    );

    // A terminal event cuts the last view at the event.
    let t_stop = 5.0 * PI / 3.0;
    let mut st = make(6.0);
    let mut checker = Checker::new(transient_exact);
    let mut seen = Vec::new();
    let end = run(&mut st, CosineEvents, &mut checker, &mut |o| {
        seen.push((o.event, o.t))
    })
    .unwrap();
    let Ending::Terminated { event: 1, t } = end else {
        panic!("{name}: {end:?}")
    };
    assert!((t - t_stop).abs() < 1e-6, "{name}: {t}");
    assert_eq!(seen.len(), 3, "{name}: {seen:?}");
    assert_eq!(seen[2], (1, t));
    checker.assert_covers(name, 0.0, t, st.stats().n_accepted);
    assert!(
        checker.worst_interp < 3e-6,
        "{name}: {}",
        checker.worst_interp
    );
    assert!(
        checker.worst_horner < 1e-13,
        "{name}: {}",
        checker.worst_horner
    );
}

#[test]
fn step_handlers_see_every_implicit_step_once() {
    let tol = || Tolerances::new(1e-7, 1e-9);
    check_handlers("Radau5", |t1| {
        Radau5::new(Transient, 0.0, TRANSIENT_Y0, t1, tol()).unwrap()
    });
    check_handlers("Bdf", |t1| {
        Bdf::new(Transient, 0.0, TRANSIENT_Y0, t1, tol()).unwrap()
    });
}

#[test]
fn the_evaluation_budget_fails_the_run_with_its_limit() {
    let budget = 150;
    for method in Method::implicit() {
        // solve_ivp: status Failed, the limit in the message, the budget respected.
        let sol = solve_ivp(
            &Transient,
            (0.0, 100.0),
            TRANSIENT_Y0,
            Options::new(method)
                .rtol(1e-10)
                .atol(1e-12)
                .max_nfev(budget),
        )
        .unwrap();
        assert_eq!(sol.status, Status::Failed, "{method}");
        assert_eq!(sol.status.code(), -1);
        assert!(!sol.success);
        assert_eq!(sol.error, Some(Error::TooManyEvaluations { limit: budget }));
        assert!(sol.message.contains("150"), "{method}: {}", sol.message);
        assert!(sol.stats.nfev <= budget, "{method}: {}", sol.stats.nfev);
        // The most an attempt needs next is a Newton iteration (3 for Radau) and f at the new
        // point, or a forward-difference Jacobian (N = 3) and f at the predictor (BDF), or a
        // Rosenbrock method's stages (s − 1), f at the new point and a forward difference in t.
        let most = match method {
            Method::Rodas5P => 9,
            Method::Rodas4 => 7,
            _ => 4,
        };
        assert!(
            sol.stats.nfev + most + 1 > budget,
            "{method}: stopped at {}",
            sol.stats.nfev
        );
        assert!(sol.t.len() > 1 && *sol.t.last().unwrap() < 100.0);
        assert!(sol.into_result().is_err());
    }
    // run with a handler: the error comes back, the handler saw every step before it.
    let settings = || Settings::new(Tolerances::new(1e-10, 1e-12)).max_nfev(budget);
    budget_run(
        "Radau5",
        Radau5::new(Transient, 0.0, TRANSIENT_Y0, 100.0, settings()).unwrap(),
        budget,
    );
    budget_run(
        "Bdf",
        Bdf::new(Transient, 0.0, TRANSIENT_Y0, 100.0, settings()).unwrap(),
        budget,
    );
}

fn budget_run<St: Stepper<f64, 3>>(name: &str, mut st: St, budget: usize) {
    let mut steps = 0;
    let r = run(
        &mut st,
        NoEvents,
        &mut FnHandler(|_: &mut StepView<'_, f64, 3>| steps += 1),
        &mut |_| {},
    );
    assert_eq!(
        r,
        Err(Error::TooManyEvaluations { limit: budget }),
        "{name}"
    );
    assert_eq!(steps, st.stats().n_accepted, "{name}");
    assert!(steps > 0 && st.stats().nfev <= budget, "{name}");
    let message = r.unwrap_err().to_string();
    assert!(message.contains(&format!("limit of {budget}")), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Jacobian sources

/// What one integration of `Nonlinear` over `[0, 3]` gave.
struct Outcome {
    kind: JacobianKind,
    y: [f64; 3],
    stats: Stats,
    /// Evaluations of `f` the system itself counted (`None` where it cannot count them).
    calls: Option<usize>,
}

fn outcome_radau<Sys: OdeSystem<3>>(sys: Sys, calls: impl Fn(&Sys) -> Option<usize>) -> Outcome {
    let mut st = Radau5::new(sys, 0.0, NONLINEAR_Y0, 3.0, Tolerances::new(1e-8, 1e-10)).unwrap();
    let kind = st.jacobian_kind();
    while !st.is_finished() {
        st.step().unwrap();
    }
    Outcome {
        kind,
        y: *st.y(),
        stats: st.stats(),
        calls: calls(st.system()),
    }
}

fn outcome_bdf<Sys: OdeSystem<3>>(sys: Sys, calls: impl Fn(&Sys) -> Option<usize>) -> Outcome {
    let mut st = Bdf::new(sys, 0.0, NONLINEAR_Y0, 3.0, Tolerances::new(1e-8, 1e-10)).unwrap();
    let kind = st.jacobian_kind();
    while !st.is_finished() {
        st.step().unwrap();
    }
    Outcome {
        kind,
        y: *st.y(),
        stats: st.stats(),
        calls: calls(st.system()),
    }
}

/// The six sources for one method (`outcome` is `outcome_radau` or `outcome_bdf`, given as
/// a macro because it is generic over the system).
macro_rules! sources {
    ($outcome:ident) => {
        [
            ("#[ode_system]", $outcome(NonlinearMacro, |_| None)),
            (
                "forward differences",
                $outcome(Nonlinear::default(), |s| Some(s.calls.get())),
            ),
            (
                "uncounted differences",
                $outcome(UncountedDifferences(Nonlinear::default()), |_| None),
            ),
            (
                "WithJacobian",
                $outcome(WithJacobian(Nonlinear::default()), |s| {
                    Some(s.0.calls.get())
                }),
            ),
            (
                "Colored",
                $outcome(Colored(Nonlinear::default()), |s| Some(s.0.calls.get())),
            ),
            ("ForwardAd", $outcome(ForwardAd(NonlinearGeneric), |_| None)),
            (
                "ConstantJacobian (frozen at y0)",
                $outcome(
                    ConstantJacobian::new(
                        Nonlinear::default(),
                        [[-3000.0, 0.0, 0.0], [0.0, -2.0, 0.0], [100.0, 0.0, -100.0]],
                    ),
                    |s| Some(s.sys.calls.get()),
                ),
            ),
        ]
    };
}

#[test]
fn every_jacobian_source_gives_the_same_answer_with_exact_counters() {
    let exact = nonlinear_exact(3.0);
    for (method, outcomes) in [
        (Method::Radau, sources!(outcome_radau)),
        (Method::Bdf, sources!(outcome_bdf)),
    ] {
        for (name, o) in &outcomes {
            eprintln!(
                "{method} {name:>32}: {:?} error {:.1e}, {:?}",
                o.kind,
                max_abs_diff(&o.y, &exact),
                o.stats
            );
            assert!(
                max_abs_diff(&o.y, &exact) < 1e-6,
                "{method} {name}: {:?}",
                o.y
            );
            assert!(o.stats.njev >= 1, "{method} {name}");
            // Every evaluation the system saw is counted, none twice.
            if let Some(calls) = o.calls {
                assert_eq!(calls, o.stats.nfev, "{method} {name}: calls vs nfev");
            }
        }
        let [(_, mac), (_, fd), (_, free), (_, with), (_, col), (_, ad), (_, frozen)] = &outcomes;
        // (a) The macro's analytic Jacobian is chosen without being asked for, and is the
        // hand-written one: the same run, step for step.
        assert_eq!(mac.kind, JacobianKind::Analytic);
        assert_eq!(with.kind, JacobianKind::Analytic);
        assert_eq!(mac.stats, with.stats, "{method}");
        // The two Jacobians agree to rounding, not bit for bit (the macro shares common
        // subexpressions), so the Newton iterates may differ in the last places.
        let d = max_abs_diff(&mac.y, &with.y);
        assert!(d < 1e-12, "{method}: {d:e}");
        // The Jacobian changes along the solution and is re-evaluated.
        assert!(mac.stats.njev >= 2, "{method}: {:?}", mac.stats);
        // (b) Forward differences: N = 3 evaluations per Jacobian, exactly: the same run with
        // the same matrices declared free costs 3 njev evaluations less.
        assert_eq!(fd.kind, JacobianKind::FiniteDifferences);
        assert!(fd.stats.nfev >= 3 * fd.stats.njev);
        assert_eq!(fd.stats.njev, free.stats.njev, "{method}");
        assert_eq!(
            fd.stats.nfev,
            free.stats.nfev + 3 * fd.stats.njev,
            "{method}"
        );
        assert_eq!(
            Stats {
                nfev: free.stats.nfev,
                ..fd.stats
            },
            free.stats,
            "{method}"
        );
        assert_eq!(fd.y, free.y);
        // (d) Coloured differences: the same matrices (columns 0 and 1 touch disjoint rows),
        // two evaluations per Jacobian instead of three.
        assert_eq!(col.kind, JacobianKind::ColoredFiniteDifferences);
        assert_eq!(col.stats.njev, fd.stats.njev, "{method}");
        assert_eq!(col.stats.nfev + fd.stats.njev, fd.stats.nfev, "{method}");
        assert!(col.stats.nfev < fd.stats.nfev);
        assert_eq!(col.y, fd.y);
        // (f) Forward-mode AD: exact derivatives at no evaluation of f.
        assert_eq!(ad.kind, JacobianKind::ForwardAd);
        assert_eq!(ad.stats.njev, mac.stats.njev, "{method}");
        assert_eq!(ad.stats.nfev, mac.stats.nfev, "{method}");
        assert!(max_abs_diff(&ad.y, &mac.y) < 1e-12, "{method}");
        // (e) A frozen Jacobian is taken once and never again, and still converges.
        assert_eq!(frozen.kind, JacobianKind::Constant);
        assert_eq!(frozen.stats.njev, 1, "{method}");
        // Differences cost more than analytic derivatives.
        assert!(fd.stats.nfev > mac.stats.nfev);
    }
}

#[test]
fn a_constant_jacobian_of_a_linear_system_is_evaluated_once() {
    let exact = transient_exact(5.0);
    for method in Method::implicit() {
        let sys = ConstantJacobian::new(Transient, TRANSIENT_JAC);
        // Through solve_ivp, with a restart (a reset event) in between: still one Jacobian.
        let sol = solve_ivp_with_events(
            &sys,
            (0.0, 5.0),
            TRANSIENT_Y0,
            Options::new(method).rtol(1e-8).atol(1e-10),
            Kick,
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}");
        assert_eq!(sol.t_events[0].len(), 1);
        assert_eq!(sol.stats.njev, 1, "{method}: {:?}", sol.stats);
        let y = *sol.y.last().unwrap();
        assert!(
            max_abs_diff(&y, &kicked_exact(5.0, &[PI / 2.0])) < 1e-6,
            "{method}: {y:?}"
        );
        // The same answer as the analytic Jacobian, step for step.
        let analytic = solve_ivp(
            &WithJacobian(Transient),
            (0.0, 5.0),
            TRANSIENT_Y0,
            Options::new(method).rtol(1e-8).atol(1e-10),
        )
        .unwrap();
        let constant = solve_ivp(
            &sys,
            (0.0, 5.0),
            TRANSIENT_Y0,
            Options::new(method).rtol(1e-8).atol(1e-10),
        )
        .unwrap();
        assert_eq!(constant.stats.njev, 1);
        assert!(analytic.stats.njev >= 1);
        let (ya, yc) = (analytic.y.last().unwrap(), constant.y.last().unwrap());
        assert!(max_abs_diff(ya, &exact) < 1e-6 && max_abs_diff(yc, &exact) < 1e-6);
        assert!(max_abs_diff(ya, yc) < 1e-9, "{method}: {ya:?} {yc:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Complex states

type C = Complex64;
fn complex_error(z: &[C; 2], t: f64) -> f64 {
    let e = spiral_exact(t);
    ((z[0] - e[0]).norm() / (1.0 + e[0].norm())).max((z[1] - e[1]).norm() / (1.0 + e[1].norm()))
}

#[test]
fn bdf_integrates_complex_states() {
    let rtol = 1e-8;
    // The stepper, with each Jacobian source over complex numbers.
    let tol = || Tolerances::new(rtol, 1e-2 * rtol);
    let fd = integrate(Bdf::new(Spiral, 0.0, SPIRAL_Z0, 1.0, tol()).unwrap());
    let an = integrate(Bdf::new(WithJacobian(Spiral), 0.0, SPIRAL_Z0, 1.0, tol()).unwrap());
    let cst = integrate(
        Bdf::new(
            ConstantJacobian::new(Spiral, SPIRAL_JAC),
            0.0,
            SPIRAL_Z0,
            1.0,
            tol(),
        )
        .unwrap(),
    );
    for (name, (z, stats)) in [("FD", fd), ("analytic", an), ("constant", cst)] {
        let e = complex_error(&z, 1.0);
        eprintln!("complex BDF {name}: error {e:.1e}, {stats:?}");
        assert!(e < 30.0 * rtol, "{name}: {e}");
        assert!(stats.njev >= 1 && stats.n_accepted > 10);
        if name == "FD" {
            assert!(stats.nfev >= 2 * stats.njev);
        }
    }
    assert_eq!(cst.1.njev, 1);
    assert_eq!(an.1.nfev, cst.1.nfev, "same matrices, same run");
    // solve_ivp: t_eval and dense output over complex states.
    let te: Vec<f64> = (0..=100).map(|i| 0.01 * i as f64).collect();
    let sol = solve_ivp(
        &Spiral,
        (0.0, 1.0),
        SPIRAL_Z0,
        Options::new(Method::Bdf)
            .rtol(rtol)
            .atol(1e-2 * rtol)
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
        .map(|(&t, z)| complex_error(z, t))
        .fold(0.0, f64::max);
    let dense = sol.sol.as_ref().unwrap();
    let dense_err = (0..=2000)
        .map(|i| 5e-4 * i as f64)
        .map(|t| complex_error(&dense.eval(t).unwrap(), t))
        .fold(0.0, f64::max);
    eprintln!("complex BDF: t_eval error {at_te:.1e}, dense error {dense_err:.1e}");
    assert!(at_te < 30.0 * rtol, "{at_te}");
    assert!(dense_err < 30.0 * rtol, "{dense_err}");
}

/// `z' = i ω z`: a pure rotation, neutral in both directions: exact `z0 e^{iωt}`.
struct Rotation;
impl OdeSystem<1, C> for Rotation {
    fn rhs(&self, _t: f64, z: &[C; 1], dz: &mut [C; 1]) {
        dz[0] = C::new(0.0, 3.0) * z[0];
    }
}

#[test]
fn bdf_integrates_complex_states_backward() {
    let z_at = |t: f64| [C::new(0.0, 3.0 * t).exp()];
    let sol = solve_ivp(
        &Rotation,
        (2.0, -1.0),
        z_at(2.0),
        Options::new(Method::Bdf).rtol(1e-9).atol(1e-12),
    )
    .unwrap();
    assert_eq!(sol.status, Status::Finished);
    assert_eq!(*sol.t.last().unwrap(), -1.0);
    assert!(sol.t.windows(2).all(|w| w[1] < w[0]));
    let e = (sol.y.last().unwrap()[0] - z_at(-1.0)[0]).norm();
    eprintln!(
        "complex BDF backward rotation: error {e:.1e}, {:?}",
        sol.stats
    );
    assert!(e < 1e-7, "{e}");
}

// ---------------------------------------------------------------------------------------------
// Backward integration

/// `y0 = 0`, either way.
struct Zero0;
impl EventSet<2, 1> for Zero0 {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
}

fn check_backward<St: Stepper<f64, 2>>(name: &str, mut st: St) {
    let mut prev = st.t();
    while !st.is_finished() {
        st.step().unwrap();
        assert!(st.h() < 0.0 && st.t() < prev, "{name}: a backward step");
        assert_eq!(st.t_prev(), prev);
        // The interpolant inside the backward step.
        let mid = st.t_prev() + 0.5 * st.h();
        let e = max_rel_diff(&st.dense(mid).unwrap(), &backward_exact(mid));
        assert!(e < 1e-6, "{name}: dense at {mid}: {e}");
        prev = st.t();
    }
    assert_eq!(st.t(), 0.0);
    let e = max_rel_diff(st.y(), &backward_exact(0.0));
    eprintln!("{name} backward: error at 0 {e:.1e}, {:?}", st.stats());
    assert!(e < 3e-7, "{name}: {e}");
    assert!(st.stats().n_accepted > 5);
}

#[test]
fn backward_integration_of_a_problem_stiff_backward() {
    let tol = || Tolerances::new(1e-8, 1e-10);
    check_backward(
        "Radau5",
        Radau5::new(BackwardStiff, 3.0, backward_exact(3.0), 0.0, tol()).unwrap(),
    );
    check_backward(
        "Bdf",
        Bdf::new(BackwardStiff, 3.0, backward_exact(3.0), 0.0, tol()).unwrap(),
    );
    // With an event on the way: y0 = cos t + e^{1000 (t − 3)} starts at cos 3 + 1 > 0 and
    // falls through zero inside the layer (at t_layer ≈ 3 − 1.0e−5, found by Newton's method),
    // then rises through it again at π/2: both located backward to their analytic times.
    let mut t_layer = 3.0f64;
    for _ in 0..50 {
        let e = (1000.0 * (t_layer - 3.0)).exp();
        t_layer -= (t_layer.cos() + e) / (-t_layer.sin() + 1000.0 * e);
    }
    assert!((t_layer - 3.0).abs() < 2e-5 && backward_exact(t_layer)[0].abs() < 1e-12);
    for method in Method::implicit() {
        let sol = solve_ivp_with_events(
            &BackwardStiff,
            (3.0, 0.0),
            backward_exact(3.0),
            Options::new(method).rtol(1e-10).atol(1e-12),
            Zero0,
        )
        .unwrap();
        assert_eq!(sol.status, Status::Finished, "{method}");
        assert_eq!(sol.t_events[0].len(), 2, "{method}: {:?}", sol.t_events[0]);
        for (&t, exact) in sol.t_events[0].iter().zip([t_layer, PI / 2.0]) {
            assert!(
                (t - exact).abs() < event_time_bound(method),
                "{method}: {t} vs {exact}"
            );
        }
        assert_eq!(*sol.t.last().unwrap(), 0.0);
        assert!(sol.t.windows(2).all(|w| w[1] < w[0]), "{method}");
    }
}

/// A ball dropped from 10 m (g = 9.81) bouncing with restitution 0.8 (not stiff, but every
/// bounce restarts the method from a reset state).
struct Ball;
impl OdeSystem<2> for Ball {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -9.81];
    }
}
/// The floor: `x = 0` falling, `v ← −0.8 v`.
struct Floor;
impl EventSet<2, 1> for Floor {
    fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) {
        g[0] = y[0];
    }
    fn direction(&self, _k: usize) -> Direction {
        Direction::Falling
    }
    fn action(&self, _k: usize) -> EventAction {
        EventAction::ResetState
    }
    fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 2]) {
        y[1] *= -0.8;
    }
}

/// The first `n` bounce times: `t1 = √(2·10/g)`, each flight 0.8 times the one before, the
/// first `1.6 t1`.
fn bounce_times(n: usize) -> Vec<f64> {
    let t1 = (20.0f64 / 9.81).sqrt();
    let mut t = vec![t1];
    let mut flight = 1.6 * t1;
    for _ in 1..n {
        t.push(t.last().unwrap() + flight);
        flight *= 0.8;
    }
    t
}

/// The ball's height between bounces.
fn ball_height(t: f64, bounces: &[f64]) -> f64 {
    let t1 = bounces[0];
    match bounces.iter().rposition(|&tb| tb <= t) {
        None => 10.0 - 0.5 * 9.81 * t * t,
        Some(k) => {
            let v = 0.8f64.powi(k as i32 + 1) * 9.81 * t1;
            let s = t - bounces[k];
            v * s - 0.5 * 9.81 * s * s
        }
    }
}

fn check_bouncing_ball(method: Method, rtol: f64, atol: f64, max_nfev: usize) {
    let exact = bounce_times(5);
    let t_end = 0.5 * (exact[3] + exact[4]);
    let te: Vec<f64> = (0..=40).map(|i| t_end * i as f64 / 40.0).collect();
    let sol = solve_ivp_with_events(
        &Ball,
        (0.0, t_end),
        [10.0, 0.0],
        Options::new(method)
            .rtol(rtol)
            .atol(atol)
            .t_eval(te.clone())
            .max_nfev(max_nfev),
        Floor,
    )
    .unwrap();
    assert_eq!(sol.status, Status::Finished, "{method}: {}", sol.message);
    assert_eq!(sol.t_events[0].len(), 4, "{method}: {:?}", sol.t_events[0]);
    for (k, (&t, &e)) in sol.t_events[0].iter().zip(&exact).enumerate() {
        assert!(
            (t - e).abs() < 1e-8,
            "{method}: bounce {k} at {t}, exact {e}"
        );
        assert!(sol.y_events[0][k][0].abs() < 1e-9 && sol.y_events[0][k][1] < 0.0);
    }
    // The integration went on after every restart: the heights in between are right.
    assert_eq!(sol.t, te);
    for (&t, y) in sol.t.iter().zip(&sol.y) {
        let h = ball_height(t, &sol.t_events[0]);
        assert!(
            (y[0] - h).abs() < 1e-7,
            "{method}: x({t}) = {}, exact {h}",
            y[0]
        );
    }
}

#[test]
fn a_bouncing_ball_restarts_after_every_bounce() {
    for method in Method::implicit() {
        check_bouncing_ball(method, 1e-10, 1e-10, usize::MAX);
    }
    check_bouncing_ball(Method::Radau, 1e-10, 1e-12, usize::MAX);
}

/// Regression (was a hang): with `atol = 1e-12`, BDF's automatic first step after the first bounce
/// (t ≈ 1.43, where x = 0 and x' = 11.2) is ~3e−15, below its floor `10 |t| ε`. The floor is
/// recomputed from the new `t` at every step, so a step at the floor is always below the next
/// one: it is raised to it again, which rescales the differences and resets the count of equal
/// steps, so the step can never grow. The run would need ~10¹⁵ steps (an endless loop in
/// practice; here cut by `max_nfev`). SciPy's floor, `10 · (nextafter(t) − t)`, is constant
/// between powers of two and does not trap the step.
#[test]
fn bdf_bouncing_ball_with_a_tight_atol_finishes() {
    check_bouncing_ball(Method::Bdf, 1e-10, 1e-12, 200_000);
}

/// SciPy's `select_initial_step` for an error estimator of order `order`:
/// `h = min(100 h0, (0.01 / max(d1, d2))^{1/(order + 1)})`, with `h0 = 0.01 d0/d1`.
fn scipy_initial_step(
    f: impl Fn(f64, f64) -> f64,
    y0: f64,
    rtol: f64,
    atol: f64,
    order: i32,
) -> f64 {
    let scale = atol + y0.abs() * rtol;
    let f0 = f(0.0, y0);
    let (d0, d1) = ((y0 / scale).abs(), (f0 / scale).abs());
    let h0 = 0.01 * d0 / d1;
    let f1 = f(h0, y0 + h0 * f0);
    let d2 = ((f1 - f0) / scale).abs() / h0;
    (100.0 * h0).min((0.01 / d1.max(d2)).powf(1.0 / (order as f64 + 1.0)))
}

/// Regression: the documentation says the automatic first step is SciPy's (order 1 for BDF, 3 for
/// Radau), but `initial_step` takes the root `1/order` (Hairer's convention, where the explicit
/// methods pass their order: 5 for RK45, 8 for DOP853, matching SciPy's estimator orders 4 and
/// 7 plus one), and the implicit methods pass SciPy's estimator orders 1 and 3: BDF's first
/// step is the square of SciPy's (here 1e−8 instead of 1e−4; for the ball of
/// `bdf_bouncing_ball_with_a_tight_atol_finishes`, 1.4e−15 instead of 3.8e−8), Radau's the
/// 4/3 power (2.2e−3 instead of 1e−2).
#[test]
fn the_automatic_first_step_is_scipys() {
    struct Decay1;
    impl OdeSystem<1> for Decay1 {
        fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
            dy[0] = -y[0];
        }
    }
    let (rtol, atol) = (1e-6, 1e-9);
    let f = |_t: f64, y: f64| -y;
    let mut bdf = Bdf::new(Decay1, 0.0, [1.0], 1.0, Tolerances::new(rtol, atol)).unwrap();
    let mut radau = Radau5::new(Decay1, 0.0, [1.0], 1.0, Tolerances::new(rtol, atol)).unwrap();
    bdf.step().unwrap();
    radau.step().unwrap();
    // Both first steps are accepted (no rejection), so h() is the automatic choice.
    assert_eq!(bdf.stats().n_rejected + radau.stats().n_rejected, 0);
    let (h_bdf, h_radau) = (
        scipy_initial_step(f, 1.0, rtol, atol, 1),
        scipy_initial_step(f, 1.0, rtol, atol, 3),
    );
    assert!(
        (bdf.h() - h_bdf).abs() < 1e-9 * h_bdf,
        "BDF: {:e}, SciPy {h_bdf:e}",
        bdf.h()
    );
    assert!(
        (radau.h() - h_radau).abs() < 1e-9 * h_radau,
        "Radau: {:e}, SciPy {h_radau:e}",
        radau.h()
    );
}

/// The Newton counters (CVODE's `nni` and `ncfn`): every attempt that reaches the iteration
/// makes at least one and at most the cap of iterations (7 for Radau5, up to 17 for
/// AdaptiveRadau, 4 for BDF), an attempt whose iteration failed is rejected or retried with a
/// fresh Jacobian, and the methods without a Newton iteration (the
/// Rosenbrock and explicit ones) count none.
#[test]
fn newton_iterations_and_failures_are_counted() {
    for method in Method::adaptive() {
        for rtol in [1e-4, 1e-8] {
            let sol = solve_ivp(
                &Transient,
                (0.0, 3.0),
                TRANSIENT_Y0,
                Options::new(method).rtol(rtol).atol(1e-2 * rtol),
            )
            .unwrap();
            let s = sol.stats;
            if method.uses_newton() {
                let cap = if method == Method::Bdf { 4 } else { 17 };
                assert!(
                    s.n_newton_iters >= s.n_accepted && s.n_newton_iters <= cap * s.n_steps(),
                    "{method} {rtol:e}: {s:?}"
                );
                // A failed iteration rejects the attempt, or (BDF, with a stale Jacobian) is
                // retried with a fresh one.
                assert!(
                    s.n_newton_failures <= s.n_rejected + s.njev,
                    "{method} {rtol:e}: {s:?}"
                );
            } else {
                assert_eq!((s.n_newton_iters, s.n_newton_failures), (0, 0), "{method}");
            }
        }
    }
}
