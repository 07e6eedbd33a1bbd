//! Stiff test problems for `tests/stiff_references.rs`, `examples/which_method.rs` and the
//! peer benchmarks `stiff` and `radau5_counters`, written with `#[ode_system]` so the implicit
//! methods get analytic Jacobians generated at compile time.
//!
//! The equations, initial values and published reference solutions of Robertson, Van der Pol,
//! HIRES and OREGO are those of `/work/shared/REFERENCES.md` (which cites Enright & Pryce's DETEST
//! and Mazzia & Magherini's *Test Set for IVP Solvers* 2.4), each with its source.
#![allow(dead_code)]
// Published references keep all their digits, more than an f64 holds.
#![allow(clippy::excessive_precision)]

use odegen::ode_system;

/// Robertson's chemical kinetics (Test Set 2.4, problem ROBER; DETEST D2),
/// `y0 = (1, 0, 0)`.
#[ode_system]
pub fn robertson(_t: f64, [y1, y2, y3]: [f64; 3]) -> [f64; 3] {
    let r1 = 0.04 * y1;
    let r2 = 1e4 * y2 * y3;
    let r3 = 3e7 * y2 * y2;
    [-r1 + r2, r1 - r2 - r3, r3]
}

/// Van der Pol in the Test Set's μ-form (problem VDPOL as REFERENCES.md states it):
/// `y1' = y2`, `y2' = μ (1 − y1²) y2 − y1` (μ multiplies only the first term).
#[ode_system]
pub fn van_der_pol(_t: f64, [y1, y2]: [f64; 2], mu: f64) -> [f64; 2] {
    [y2, mu * (1.0 - y1 * y1) * y2 - y1]
}

/// HIRES (Test Set 2.4, problem HIRES), 8 equations,
/// `y0 = (1, 0, 0, 0, 0, 0, 0, 0.0057)`.
#[ode_system]
pub fn hires(_t: f64, y: [f64; 8]) -> [f64; 8] {
    let r = 280.0 * y[5] * y[7];
    [
        -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007,
        1.71 * y[0] - 8.75 * y[1],
        -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4],
        8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3],
        -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6],
        -r + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6],
        r - 1.81 * y[6],
        -r + 1.81 * y[6],
    ]
}

/// The Oregonator, Field & Noyes's model of the Belousov–Zhabotinskii reaction (Test Set 2.4,
/// problem OREGO; Hairer & Wanner, *Solving ODEs II*, IV.10), `y0 = (1, 2, 3)`, `t ∈ [0, 360]`.
#[ode_system]
pub fn orego(_t: f64, [y1, y2, y3]: [f64; 3]) -> [f64; 3] {
    [
        77.27 * (y2 + y1 * (1.0 - 8.375e-6 * y1 - y2)),
        (y3 - (1.0 + y1) * y2) / 77.27,
        0.161 * (y1 - y3),
    ]
}

/// OREGO's initial value.
pub const OREGO_Y0: [f64; 3] = [1.0, 2.0, 3.0];

/// HIRES's initial value.
pub const HIRES_Y0: [f64; 8] = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0057];

/// Prothero–Robinson: `y' = λ (y − cos t) − sin t`; from `y(0) = 1` the exact solution is
/// `cos t`, whatever the (negative, large) `λ`.
#[ode_system]
pub fn prothero_robinson(t: f64, [y]: [f64; 1], lambda: f64) -> [f64; 1] {
    [lambda * (y - t.cos()) - t.sin()]
}

/// The upper triangular linear system `y' = A y` with eigenvalues −1, −100, −10⁴
/// ([`LINEAR3_A`]); closed form in [`linear3_exact`].
#[ode_system]
pub fn linear3(_t: f64, [a, b, c]: [f64; 3]) -> [f64; 3] {
    [-a + b, -100.0 * b + 100.0 * c, -10000.0 * c]
}

/// The matrix of [`linear3`].
pub const LINEAR3_A: [[f64; 3]; 3] = [[-1.0, 1.0, 0.0], [0.0, -100.0, 100.0], [0.0, 0.0, -10000.0]];

/// The exact solution of [`linear3`] from `y0` at `t = 0`, by back substitution:
/// `y3 = c3 e^{−10⁴t}`; `y2 = a e^{−100t} + b e^{−10⁴t}` with `b = 100 c3/(100 − 10⁴)`,
/// `a = c2 − b`; `y1 = p e^{−t} + q e^{−100t} + r e^{−10⁴t}` with `q = a/(1 − 100)`,
/// `r = b/(1 − 10⁴)`, `p = c1 − q − r`.
pub fn linear3_exact(y0: [f64; 3], t: f64) -> [f64; 3] {
    let [c1, c2, c3] = y0;
    let (e1, e2, e3) = ((-t).exp(), (-100.0 * t).exp(), (-10000.0 * t).exp());
    let b = 100.0 * c3 / (100.0 - 10000.0);
    let a = c2 - b;
    let q = a / (1.0 - 100.0);
    let r = b / (1.0 - 10000.0);
    let p = c1 - q - r;
    [p * e1 + q * e2 + r * e3, a * e2 + b * e3, c3 * e3]
}

/// `y' = −y + sin t`, smooth and non-stiff, for measuring orders; from `y(0) = y0`,
/// `y = (y0 + 1/2) e^{−t} + (sin t − cos t)/2`.
#[ode_system]
pub fn forced_decay(t: f64, [y]: [f64; 1]) -> [f64; 1] {
    [-y + t.sin()]
}

/// The exact solution of [`forced_decay`].
pub fn forced_decay_exact(y0: f64, t: f64) -> f64 {
    (y0 + 0.5) * (-t).exp() + 0.5 * (t.sin() - t.cos())
}

/// The harmonic oscillator `x' = v`, `v' = −x`; from `(x0, v0)`,
/// `x = x0 cos t + v0 sin t`, `v = −x0 sin t + v0 cos t`.
#[ode_system]
pub fn oscillator(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    [v, -x]
}

/// The exact solution of [`oscillator`].
pub fn oscillator_exact(y0: [f64; 2], t: f64) -> [f64; 2] {
    let (s, c) = t.sin_cos();
    [y0[0] * c + y0[1] * s, -y0[0] * s + y0[1] * c]
}

/// `y' = y cos t`, exact `y = y0 e^{sin t}`: nonlinear in `t`, linear in `y`, smooth.
#[ode_system]
pub fn exp_sin(t: f64, [y]: [f64; 1]) -> [f64; 1] {
    [y * t.cos()]
}

// Published reference solutions.

/// Robertson at t = 40: Enright & Pryce, DETEST problem D2 (ACM TOMS Alg. 648, unscaled), as
/// `/work/shared/REFERENCES.md` quotes it.
pub const ROBERTSON_T40: [f64; 3] = [
    0.7158270687193941,
    9.185534764557338e-06,
    0.2841637457458413,
];

/// Robertson at t = 1e11: Mazzia & Magherini, *Test Set for IVP Solvers* 2.4, problem ROBER,
/// as `/work/shared/REFERENCES.md` quotes it.
pub const ROBERTSON_T1E11: [f64; 3] = [
    0.2083340149701255e-7,
    0.8333360770334713e-13,
    0.9999999791665050,
];

/// Van der Pol μ = 1000 at t = 2000 from (2, 0): *Test Set for IVP Solvers* 2.4, problem
/// VDPOL (`vdpolm`), as `/work/shared/REFERENCES.md` quotes it (trust it to ~1e-12 relative only).
pub const VAN_DER_POL_T2000: [f64; 2] = [0.1706167732170469e1, -0.8928097010248125e-3];

/// OREGO at t = 360: Mazzia & Magherini, *Test Set for IVP Solvers* 2.4, problem OREGO (the
/// reference solution of its `orego.f`, also quoted by the R package deTestSet).
pub const OREGO_T360: [f64; 3] = [
    0.1000814870318523e1,
    0.1228178521549917e4,
    0.1320554942846706e3,
];

/// HIRES at t = 321.8122: *Test Set for IVP Solvers* 2.4, problem HIRES, as `/work/shared/REFERENCES.md`
/// quotes it.
pub const HIRES_T_END: [f64; 8] = [
    0.7371312573325668e-3,
    0.1442485726316185e-3,
    0.5888729740967575e-4,
    0.1175651343283149e-2,
    0.2386356198831331e-2,
    0.6238968252742796e-2,
    0.2849998395185769e-2,
    0.2850001604814231e-2,
];
