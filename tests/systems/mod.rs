//! A corpus of `#[ode_system]` functions that together use every function and construct the
//! macro differentiates symbolically, each with a domain of points where the right-hand side
//! is smooth, shared by the Jacobian property tests.
//!
//! Most systems are written once inside [`twin!`], which emits the function twice: as
//! `#[ode_system]` (the symbolic Jacobian under test) and, under a second name, as
//! `#[ode_system(jacobian = dual)]`, whose Jacobian and `∂f/∂p` come from num-dual's forward
//! mode over the same body, independently of the symbolic differentiator. [`units`], whose
//! methods the dual copy rewrites most (`log`, `to_degrees`, `f64::sin(x)`), also has a
//! num-dual reference transcribed by hand, which depends on no macro at all.
//!
//! Each [`Domain`] keeps its points where every function is defined (positive arguments of
//! `ln` and `sqrt`, `|x| < 1` for `asin`, ...) and, through its `smooth` predicate, at least
//! [`GAP`] away from every branch switch and kink (`if` conditions, `abs`, `min`, `max`,
//! `signum`), where the two one-sided derivatives differ and the two methods may pick
//! different ones.
#![allow(dead_code)]
// The macro unrolls `for i in 0..N` loops over indices; iterators cannot be unrolled.
#![allow(clippy::needless_range_loop)]

use std::f64::consts;
use std::f64::consts::{E, PI};
use std::ops::Range;

use num_dual::{Dual64, DualNum};

/// The smallest distance of a sampled point to a branch switch or kink.
pub const GAP: f64 = 1e-3;

/// Where a system is sampled: a box of times, states and parameters, less the points near a
/// branch switch or kink.
pub struct Domain<const N: usize, const P: usize> {
    pub t: Range<f64>,
    pub y: [Range<f64>; N],
    pub p: [Range<f64>; P],
    /// Whether the right-hand side is smooth in a [`GAP`]-neighbourhood of `(t, y, p)`.
    pub smooth: fn(f64, &[f64; N], &[f64; P]) -> bool,
}

/// For domains without branches.
fn everywhere<const N: usize, const P: usize>(_t: f64, _y: &[f64; N], _p: &[f64; P]) -> bool {
    true
}

/// Whether `a` and `b` are at least [`GAP`] apart.
fn apart(a: f64, b: f64) -> bool {
    (a - b).abs() >= GAP
}

/// Emits `fn $name` with `#[ode_system]` and the same function as `fn $dual` with
/// `#[ode_system(jacobian = dual)]`; the structs are `CamelCase` of each name.
macro_rules! twin {
    (
        $(#[doc = $doc:literal])*
        fn $name:ident / $dual:ident ( $($args:tt)* ) -> [f64; $n:tt] { $($body:tt)* }
    ) => {
        $(#[doc = $doc])*
        #[odegen::ode_system]
        pub fn $name($($args)*) -> [f64; $n] { $($body)* }

        #[doc = concat!("[`", stringify!($name), "`] with its derivatives by num-dual.")]
        #[odegen::ode_system(jacobian = dual)]
        pub fn $dual($($args)*) -> [f64; $n] { $($body)* }
    };
}

twin! {
    /// Robertson's chemical kinetics `A → B` (k1), `2B → B + C` (k2), `B + C → A + C` (k3):
    /// H. H. Robertson, "The solution of a set of reaction rate equations", in *Numerical
    /// Analysis: an Introduction*, Academic Press (1966) 178–182; Hairer & Wanner, *Solving
    /// Ordinary Differential Equations II*, §IV.1.
    fn robertson / robertson_ad(
        _t: f64,
        [y1, y2, y3]: [f64; 3],
        k1: f64,
        k2: f64,
        k3: f64,
    ) -> [f64; 3] {
        let r1 = k1 * y1;
        let r2 = k2 * y2.powi(2);
        let r3 = k3 * y2 * y3;
        [-r1 + r3, r1 - r2 - r3, r2]
    }
}

/// Around the classic rate constants 0.04, 3·10⁷, 10⁴, with `y2` at its quasi-steady scale.
pub fn robertson_domain() -> Domain<3, 3> {
    Domain {
        t: 0.0..1e5,
        y: [0.5..1.0, 1e-6..4e-5, 0.0..0.5],
        p: [0.01..0.1, 1e7..1e8, 1e3..1e5],
        smooth: everywhere,
    }
}

twin! {
    /// The Lotka–Volterra predator–prey equations with four parameters.
    fn lotka_volterra / lotka_volterra_ad(
        _t: f64,
        [x, y]: [f64; 2],
        a: f64,
        b: f64,
        c: f64,
        d: f64,
    ) -> [f64; 2] {
        [a * x - b * x * y, -c * y + d * x * y]
    }
}

pub fn lotka_volterra_domain() -> Domain<2, 4> {
    Domain {
        t: 0.0..15.0,
        y: [0.1..10.0, 0.1..10.0],
        p: [0.1..3.0, 0.1..3.0, 0.1..3.0, 0.1..3.0],
        smooth: everywhere,
    }
}

twin! {
    /// The damped pendulum `θ'' = -(g/l) sin θ - c θ'`.
    fn pendulum / pendulum_ad(
        _t: f64,
        [theta, omega]: [f64; 2],
        g: f64,
        l: f64,
        c: f64,
    ) -> [f64; 2] {
        let restoring = -(g / l) * theta.sin();
        [omega, restoring - c * omega]
    }
}

pub fn pendulum_domain() -> Domain<2, 3> {
    Domain {
        t: 0.0..10.0,
        y: [-3.0..3.0, -5.0..5.0],
        p: [1.0..20.0, 0.1..5.0, 0.0..1.0],
        smooth: everywhere,
    }
}

twin! {
    /// The restricted three-body problem of the Arenstorf orbits, `y = (y1, y2, y1', y2')`,
    /// with the mass ratio `mu` of the moon: Hairer, Nørsett & Wanner, *Solving Ordinary
    /// Differential Equations I*, §II.0, eq. (0.1).
    fn arenstorf / arenstorf_ad(_t: f64, y: [f64; 4], mu: f64) -> [f64; 4] {
        let mu_earth = 1.0 - mu;
        let d1 = ((y[0] + mu).powi(2) + y[1].powi(2)).powf(1.5);
        let d2 = (y[0] - mu_earth).hypot(y[1]).powi(3);
        [
            y[2],
            y[3],
            y[0] + 2.0 * y[3] - mu_earth * (y[0] + mu) / d1 - mu * (y[0] - mu_earth) / d2,
            y[1] - 2.0 * y[2] - mu_earth * y[1] / d1 - mu * y[1] / d2,
        ]
    }
}

/// `y2 ≥ 0.1` keeps the points away from the two bodies on the `y1` axis.
pub fn arenstorf_domain() -> Domain<4, 1> {
    Domain {
        t: 0.0..17.0,
        y: [-1.5..1.5, 0.1..1.5, -2.0..2.0, -2.0..2.0],
        p: [0.005..0.05],
        smooth: everywhere,
    }
}

twin! {
    /// Kepler's two-body problem in astronomical units and years, `GM = 4π² m` for a central
    /// mass of `m` solar masses.
    fn kepler / kepler_ad(_t: f64, [x, y, vx, vy]: [f64; 4], m: f64) -> [f64; 4] {
        let gm = 4.0 * PI * PI * m;
        let r2 = x * x + y * y;
        let r3 = r2 * r2.sqrt();
        let [ax, ay] = [-gm * x / r3, -gm * y / r3];
        [vx, vy, ax, ay]
    }
}

pub fn kepler_domain() -> Domain<4, 1> {
    Domain {
        t: 0.0..2.0,
        y: [-2.0..2.0, 0.3..2.0, -10.0..10.0, -10.0..10.0],
        p: [0.5..2.0],
        smooth: everywhere,
    }
}

twin! {
    /// Smoluchowski coagulation of clusters of 1 to 20 monomers (`c[i]` holds size `i + 1`),
    /// kernel `K(m, n) = kc + ka (m + n)`, monomer source `s` and removal at rate
    /// `kd / size`; pairs that would outgrow 20 leave the system.
    fn coagulation / coagulation_ad(
        _t: f64,
        c: [f64; 20],
        kc: f64,
        ka: f64,
        s: f64,
        kd: f64,
    ) -> [f64; 20] {
        let mut dc = [0.0; 20];
        for i in 0..20 {
            for j in i..20 {
                let kernel = kc + ka * ((i + j + 2) as f64);
                let mut rate = kernel * c[i] * c[j];
                if i == j {
                    // Unordered pairs of one species.
                    rate *= 0.5;
                }
                dc[i] -= rate;
                dc[j] -= rate;
                if i + j + 1 < 20 {
                    dc[i + j + 1] += rate;
                }
            }
        }
        dc[0] += s;
        for i in 0..20 {
            dc[i] -= kd * c[i] / ((i + 1) as f64);
        }
        dc
    }
}

pub fn coagulation_domain() -> Domain<20, 4> {
    Domain {
        t: 0.0..10.0,
        y: core::array::from_fn(|_| 1e-3..1.0),
        p: [0.1..2.0, 0.0..1.0, 0.0..1.0, 0.0..0.5],
        smooth: everywhere,
    }
}

twin! {
    /// Lorenz-96 on a ring of five, `x_j' = ((x_{j+1} - x_{j-2}) x_{j-1} - x_j + F) / τ`, in
    /// unrolled loops with index arithmetic modulo 5.
    fn lorenz96 / lorenz96_ad(_t: f64, x: [f64; 5], forcing: f64, tau: f64) -> [f64; 5] {
        let mut advection = [0.0; 5];
        for j in 0..5 {
            advection[j] = x[(j + 1) % 5] - x[(j + 3) % 5];
            advection[j] *= x[(j + 4) % 5];
        }
        let mut dx = [0.0; 5];
        for j in 0..=4 {
            dx[j] = advection[j] - x[j] + forcing;
            dx[j] /= tau;
        }
        dx
    }
}

pub fn lorenz96_domain() -> Domain<5, 2> {
    Domain {
        t: 0.0..10.0,
        y: core::array::from_fn(|_| -10.0..10.0),
        p: [0.0..10.0, 0.5..2.0],
        smooth: everywhere,
    }
}

twin! {
    /// A block on a belt: friction that switches with the velocity `v` and the belt's load
    /// `w`, a spring that stiffens or softens past `|x| = 1`, and a clipped, sign-dependent
    /// coupling.
    fn friction / friction_ad(_t: f64, [x, v, w]: [f64; 3], mu: f64, h: f64) -> [f64; 3] {
        let sliding = v > 0.5 && w <= 1.0;
        let drag = if sliding {
            mu * v * v
        } else if v < -0.5 || w > 1.5 {
            -mu * v.abs()
        } else if !sliding && x < 0.0 {
            mu * v * x
        } else {
            mu * v
        };
        let mut spring = -x;
        if x > 1.0 {
            spring = -x.powi(3);
        } else if x < -1.0 {
            spring -= h * (x + 1.0);
        }
        // Two steps: clippy would have `x.max(-0.5).min(0.5)` be `clamp`, which the macro
        // does not differentiate.
        let floor = x.max(-0.5);
        let clip = floor.min(0.5) + w.signum() * v.min(w) + v.max(w);
        [v, spring - drag, clip - w]
    }
}

fn friction_smooth(_t: f64, &[x, v, w]: &[f64; 3], _p: &[f64; 2]) -> bool {
    let switches = [
        (v, 0.5),
        (v, -0.5),
        (v, 0.0),
        (w, 1.0),
        (w, 1.5),
        (w, 0.0),
        (w, v),
        (x, 0.0),
        (x, 1.0),
        (x, -1.0),
        (x, 0.5),
        (x, -0.5),
    ];
    switches.iter().all(|&(a, b)| apart(a, b))
}

pub fn friction_domain() -> Domain<3, 2> {
    Domain {
        t: 0.0..10.0,
        y: [-2.0..2.0, -1.5..1.5, -0.5..2.5],
        p: [0.0..2.0, 0.0..3.0],
        smooth: friction_smooth,
    }
}

twin! {
    /// Exponentials, logarithms, hyperbolic functions, `cbrt` and `recip` (not a model).
    fn exponentials / exponentials_ad(_t: f64, [a, b, c, d]: [f64; 4], p: f64, q: f64) -> [f64; 4] {
        let e = (-a * p).exp() + b.exp2() - c.exp_m1();
        let l = a.ln() + b.ln_1p() * q - c.log10() + d.log2();
        let h = a.sinh() * b.cosh() + c.tanh();
        let r = (b - 2.0).cbrt() + d.recip();
        [e - l, l * h, h - r, r * e]
    }
}

/// `cbrt` has an infinite derivative at 0: `b` stays 0.05 away from 2.
fn exponentials_smooth(_t: f64, y: &[f64; 4], _p: &[f64; 2]) -> bool {
    (y[1] - 2.0).abs() >= 0.05
}

pub fn exponentials_domain() -> Domain<4, 2> {
    Domain {
        t: 0.0..1.0,
        y: [0.1..2.0, 0.1..3.0, 0.1..2.0, 0.3..3.0],
        p: [0.1..2.0, -1.0..1.0],
        smooth: exponentials_smooth,
    }
}

twin! {
    /// Trigonometric and inverse trigonometric functions, `mul_add`, and `powf` with
    /// variable exponents (not a model).
    fn trigonometry / trigonometry_ad(_t: f64, [x, y, z]: [f64; 3], w: f64) -> [f64; 3] {
        let s = x.tan() + y.asin() * z.acos();
        let a = (x * y).atan() + y.atan2(x) - z.cos();
        let m = x.mul_add(w, y.powf(z)) + z.powf(w);
        [s * a, a - m, m.atan()]
    }
}

/// num-dual differentiates `atan2(y, x)` as `atan(y / x)`, which is singular at `x = 0` (the
/// derivative is not): the reference needs `x ≠ 0`.
fn trigonometry_smooth(_t: f64, y: &[f64; 3], _p: &[f64; 1]) -> bool {
    apart(y[0], 0.0)
}

/// `tan` finite, `asin`/`acos` inside (-1, 1), positive bases of `powf`, and `y > 0` keeps
/// `atan2` off its branch cut.
///
/// num-dual computes `z.powf(w)` as `exp(w ln z)`, a few ulps from `f64::powf`; a last output
/// `g(m)` with `g'(m) = 0` somewhere (`sin`) would turn that into any relative difference
/// near the zero, so the last output is `atan(m)`, whose derivative has none.
pub fn trigonometry_domain() -> Domain<3, 1> {
    Domain {
        t: 0.0..1.0,
        y: [-1.2..1.2, 0.05..0.95, 0.05..0.95],
        p: [-2.0..2.0],
        smooth: trigonometry_smooth,
    }
}

twin! {
    /// Block expressions, shadowing, an array-valued `if` destructured, an `if` without
    /// `else` on array elements inside a loop, negative exponents, and `max`/`min`/`hypot`
    /// against constants (not a model).
    fn scopes / scopes_ad(t: f64, y: [f64; 3], k: f64) -> [f64; 3] {
        let mut dy = [0.0; 3];
        for i in 0..3 {
            dy[i] = y[i] * k;
            if y[i] > 0.5 {
                dy[i] *= 2.0;
            }
        }
        let b = {
            let a = y[0] * 2.0;
            let a = a + y[1];
            a * a
        };
        let [p, q] = if y[2] > 0.3 { [y[0], y[1] * k] } else { [y[1], y[0]] };
        let mut s = 0.0;
        if t > 1.0 {
            let y0 = y[0].powi(-2);
            s = y0;
        } else {
            s -= y[2].powf(-0.5);
        }
        let ramp = (y[1] - 0.2).max(0.0) + (y[0] * y[1]).min(0.3);
        dy[0] += b + p * q;
        dy[1] += s + ramp;
        dy[2] -= (y[2] * y[0]).hypot(0.0) - y[1].exp() + y[0] * t;
        dy
    }
}

fn scopes_smooth(t: f64, y: &[f64; 3], _p: &[f64; 1]) -> bool {
    let switches = [
        (y[0], 0.5),
        (y[1], 0.5),
        (y[2], 0.5),
        (y[2], 0.3),
        (t, 1.0),
        (y[1], 0.2),
        (y[0] * y[1], 0.3),
    ];
    switches.iter().all(|&(a, b)| apart(a, b))
}

/// Positive states keep `powi(-2)`, `powf(-0.5)` and the kink of `hypot(·, 0)` at bay.
pub fn scopes_domain() -> Domain<3, 1> {
    Domain {
        t: 0.0..2.0,
        y: [0.05..1.0, 0.05..1.0, 0.05..1.0],
        p: [-2.0..2.0],
        smooth: scopes_smooth,
    }
}

twin! {
    /// Nested `if`s that swap and update several `let mut` locals, a condition chosen by
    /// nested `if`s, and branches inside nested loops, one condition on the state and one on
    /// the loop index (not a model).
    fn nested_branches / nested_branches_ad(_t: f64, [x, v, w]: [f64; 3], k: f64) -> [f64; 3] {
        let fast = if x > 0.5 {
            if v > 0.5 {
                w > 0.3
            } else {
                w < 0.7
            }
        } else {
            v > 0.4
        };
        let gain = if fast { k * w } else { w * w };
        let mut a = x;
        let mut b = v;
        if x > 0.5 {
            if v > 0.5 {
                a *= v;
                b += k;
            } else {
                let swap = a;
                a = b;
                b = swap * w;
            }
        } else if w < 0.2 {
            a -= w;
        }
        let start = [x, v, w];
        let mut acc = [x, v, w];
        for i in 0..3 {
            for j in 0..=i {
                if start[j] > 0.4 || i == 2 {
                    acc[i] += acc[j] * k;
                } else {
                    acc[i] /= 1.5 + acc[j];
                }
            }
        }
        [a * b + acc[0], acc[1] - a, acc[2] * b + gain]
    }
}

fn nested_branches_smooth(_t: f64, &[x, v, w]: &[f64; 3], _p: &[f64; 1]) -> bool {
    let switches = [
        (x, 0.5),
        (v, 0.5),
        (w, 0.2),
        (w, 0.3),
        (w, 0.7),
        (x, 0.4),
        (v, 0.4),
        (w, 0.4),
    ];
    switches.iter().all(|&(a, b)| apart(a, b))
}

pub fn nested_branches_domain() -> Domain<3, 1> {
    Domain {
        t: 0.0..1.0,
        y: [0.0..1.0, 0.0..1.0, 0.0..1.0],
        p: [-1.0..1.0],
        smooth: nested_branches_smooth,
    }
}

/// The gain of [`units`].
pub const GAIN: f64 = 0.75;

twin! {
    /// Degrees, radians, logarithms in a variable and a constant base, and the call syntax
    /// `f64::sin(x)` (not a model). Besides its twin, [`units_reference`] transcribes it.
    fn units / units_ad(_t: f64, [x, v, w]: [f64; 3], k: f64) -> [f64; 3] {
        let heading = x.to_degrees();
        let tilt = (v * 45.0).to_radians();
        let decades = v.log(w) + w.log(10.0) * k;
        let wave = f64::sin(tilt) * f64::hypot(heading / 90.0, GAIN);
        [
            wave - k * decades,
            f64::max(x, v) * f64::EPSILON.sqrt() + f64::exp(-w),
            heading / 360.0 - f64::atan2(v, w),
        ]
    }
}

/// [`units`] transcribed by hand over `Dual64`, with `to_degrees` as `x · 180/π`,
/// `to_radians` as `x · π/180`, `log(b)` as `ln / ln b` (as `std` computes them).
pub fn units_reference(_t: Dual64, [x, v, w]: [Dual64; 3], k: Dual64) -> [Dual64; 3] {
    let heading = x * (180.0 / PI);
    let tilt = v * 45.0 * (PI / 180.0);
    let decades = v.ln() / w.ln() + w.ln() / 10f64.ln() * k;
    let scaled = heading / 90.0;
    let wave = tilt.sin() * (scaled * scaled + GAIN * GAIN).sqrt();
    let larger = if x.re >= v.re { x } else { v };
    [
        wave - k * decades,
        larger * f64::EPSILON.sqrt() + (-w).exp(),
        heading / 360.0 - v.atan2(w),
    ]
}

/// `log(w)` needs `w > 0`, `w ≠ 1`; `max(x, v)` has a kink at `x = v`.
fn units_smooth(_t: f64, &[x, v, _w]: &[f64; 3], _p: &[f64; 1]) -> bool {
    apart(x, v)
}

pub fn units_domain() -> Domain<3, 1> {
    Domain {
        t: 0.0..1.0,
        y: [-3.0..3.0, 0.2..2.0, 1.5..4.0],
        p: [-2.0..2.0],
        smooth: units_smooth,
    }
}

twin! {
    /// The Van der Pol oscillator.
    fn van_der_pol / van_der_pol_ad(_t: f64, [x, v]: [f64; 2], mu: f64) -> [f64; 2] {
        [v, mu * (1.0 - x * x) * v - x]
    }
}

pub fn van_der_pol_domain() -> Domain<2, 1> {
    Domain {
        t: 0.0..10.0,
        y: [-3.0..3.0, -3.0..3.0],
        p: [0.1..100.0],
        smooth: everywhere,
    }
}

twin! {
    /// The forced Duffing oscillator `x'' + δ x' + α x + β x³ = γ cos ωt`: time-dependent,
    /// so `∂f/∂ω = -γ t sin ωt`.
    fn duffing / duffing_ad(
        t: f64,
        [x, v]: [f64; 2],
        delta: f64,
        alpha: f64,
        beta: f64,
        gamma: f64,
        omega: f64,
    ) -> [f64; 2] {
        [v, -delta * v - alpha * x - beta * x.powi(3) + gamma * (omega * t).cos()]
    }
}

pub fn duffing_domain() -> Domain<2, 5> {
    Domain {
        t: 0.0..10.0,
        y: [-2.0..2.0, -2.0..2.0],
        p: [0.0..1.0, -2.0..2.0, 0.0..2.0, 0.0..1.0, 0.5..2.0],
        smooth: everywhere,
    }
}

/// `s` of the Oregonator.
pub const OREGONATOR_S: f64 = 77.27;
/// `w` of the Oregonator.
pub const OREGONATOR_W: f64 = 0.161;
/// `q` of the Oregonator.
pub const OREGONATOR_Q: f64 = 8.375e-6;

twin! {
    /// The Oregonator of Field and Noyes (the Belousov–Zhabotinsky reaction) with its
    /// constants as items of the crate, no parameters: Hairer & Wanner, *Solving Ordinary
    /// Differential Equations II*, §IV.1.
    fn oregonator / oregonator_ad(_t: f64, [y1, y2, y3]: [f64; 3]) -> [f64; 3] {
        [
            OREGONATOR_S * (y2 + y1 * (1.0 - OREGONATOR_Q * y1 - y2)),
            (y3 - (1.0 + y1) * y2) / OREGONATOR_S,
            OREGONATOR_W * (y1 - y3),
        ]
    }
}

pub fn oregonator_domain() -> Domain<3, 0> {
    Domain {
        t: 0.0..360.0,
        y: [1.0..1e5, 0.1..2e3, 1.0..3e4],
        p: [],
        smooth: everywhere,
    }
}

/// The stiffness factor of [`tuned_oscillator`].
pub const STIFFNESS: f64 = 2.5;

twin! {
    /// A forced oscillator written with every kind of constant: `PI` and `E` imported,
    /// `consts::LN_2`, `std::f64::consts::FRAC_PI_4`, `f64::EPSILON`, a constant of the
    /// crate, and float literals with and without exponent or suffix (not a model).
    fn tuned_oscillator / tuned_oscillator_ad(t: f64, [x, v]: [f64; 2], k: f64) -> [f64; 2] {
        let omega = 2f64 * PI * k;
        let phase = std::f64::consts::FRAC_PI_4 + consts::LN_2 * E;
        let softening = f64::EPSILON * 1e3;
        let restoring = STIFFNESS * omega.powi(2) * x.sin();
        [v, -restoring + 3_f64 * (t + phase).cos() - (v * v + softening).sqrt()]
    }
}

pub fn tuned_oscillator_domain() -> Domain<2, 1> {
    Domain {
        t: 0.0..10.0,
        y: [-3.0..3.0, -3.0..3.0],
        p: [0.1..2.0],
        smooth: everywhere,
    }
}
