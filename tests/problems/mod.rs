//! Test problems with reference solutions from closed forms or published sources, shared by the
//! integration tests, the examples and the benchmarks.
#![allow(dead_code)]
// Published references keep all their digits, more than an f64 holds.
#![allow(clippy::excessive_precision)]

use odegen::{Method, OdeSystem};

/// Every adaptive method of `solve_ivp`.
pub const ADAPTIVE: [Method; 5] = [
    Method::Rk23,
    Method::Rk45,
    Method::HighamHall54,
    Method::Tsit5,
    Method::Dop853,
];

/// `y' = −k y` componentwise (SciPy's `solve_ivp` documentation example with k = 0.5,
/// y0 = (2, 4, 8)); exact `y0 e^{−k t}`.
#[derive(Debug, Clone, Copy)]
pub struct Decay {
    pub k: f64,
}

impl<const N: usize> OdeSystem<N> for Decay {
    fn rhs(&self, _t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        for i in 0..N {
            dy[i] = -self.k * y[i];
        }
    }
}

impl Decay {
    pub fn exact<const N: usize>(&self, y0: [f64; N], t: f64) -> [f64; N] {
        y0.map(|v| v * (-self.k * t).exp())
    }
}

/// `x'' = −ω² x` as `(x, v)`; from `(x0, v0)` at `t = 0`,
/// `x = x0 cos ωt + (v0/ω) sin ωt`.
pub struct Oscillator {
    pub omega: f64,
}

impl OdeSystem<2> for Oscillator {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [y[1], -self.omega * self.omega * y[0]];
    }
}

impl Oscillator {
    pub fn exact(&self, y0: [f64; 2], t: f64) -> [f64; 2] {
        let w = self.omega;
        let (s, c) = (w * t).sin_cos();
        [y0[0] * c + y0[1] / w * s, -y0[0] * w * s + y0[1] * c]
    }
}

/// `y' = y cos t`, `y(0) = 1`: exact `exp(sin t)`. Smooth and non-autonomous, for measuring
/// orders of convergence.
pub struct ExpSin;

impl OdeSystem<1> for ExpSin {
    fn rhs(&self, t: f64, y: &[f64; 1], dy: &mut [f64; 1]) {
        dy[0] = y[0] * t.cos();
    }
}

impl ExpSin {
    pub fn exact(t: f64) -> f64 {
        t.sin().exp()
    }
}

/// Lotka–Volterra `x' = a x − b x y`, `y' = −c y + d x y`.
pub struct LotkaVolterra {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
}

impl OdeSystem<2> for LotkaVolterra {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        let [x, p] = *y;
        *dy = [self.a * x - self.b * x * p, -self.c * p + self.d * x * p];
    }
}

impl LotkaVolterra {
    /// SciPy's documentation parameters (1.5, 1, 3, 1).
    pub const SCIPY: LotkaVolterra = LotkaVolterra {
        a: 1.5,
        b: 1.0,
        c: 3.0,
        d: 1.0,
    };
    /// The first integral `d x − c ln x + b y − a ln y`, constant along solutions.
    pub fn invariant(&self, y: [f64; 2]) -> f64 {
        self.d * y[0] - self.c * y[0].ln() + self.b * y[1] - self.a * y[1].ln()
    }
}

/// Lotka–Volterra (1.5, 1, 3, 1) from (1, 1) at t = 10: high-precision Taylor series, two
/// independent runs agreeing to 25 digits (shared/REFERENCES.md, "Non-stiff").
pub const LV_Y10: [f64; 2] = [1.026344767575089319138687, 0.9096910781360416175482459];

/// The Arenstorf orbit of the restricted three-body problem (Hairer, Nørsett & Wanner I,
/// II.0, eq. 0.1), as the first-order system (y1, y2, y1', y2').
pub struct Arenstorf;

impl Arenstorf {
    pub const MU: f64 = 0.012277471;
    /// Initial state: (0.994, 0, 0, −2.00158510637908252240537862224) (HNW I, II.0).
    pub const Y0: [f64; 4] = [0.994, 0.0, 0.0, -2.00158510637908252240537862224];
    /// The period, after which the orbit returns to `Y0` (HNW I, II.0).
    pub const PERIOD: f64 = 17.0652165601579625588917206249;
}

impl OdeSystem<4> for Arenstorf {
    fn rhs(&self, _t: f64, y: &[f64; 4], dy: &mut [f64; 4]) {
        let mu = Self::MU;
        let mu1 = 1.0 - mu;
        let [y1, y2, v1, v2] = *y;
        let r1 = ((y1 + mu) * (y1 + mu) + y2 * y2).sqrt();
        let r2 = ((y1 - mu1) * (y1 - mu1) + y2 * y2).sqrt();
        let d1 = r1 * r1 * r1;
        let d2 = r2 * r2 * r2;
        dy[0] = v1;
        dy[1] = v2;
        dy[2] = y1 + 2.0 * v2 - mu1 * (y1 + mu) / d1 - mu * (y1 - mu1) / d2;
        dy[3] = y2 - 2.0 * v1 - mu1 * y2 / d1 - mu * y2 / d2;
    }
}

/// Commons Math's circle: `y0' = ω(c1 − y1)`, `y1' = ω(y0 − c0)`; the state turns around `c`
/// at angular rate ω.
pub struct Circle {
    pub omega: f64,
    pub center: [f64; 2],
}

impl OdeSystem<2> for Circle {
    fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
        *dy = [
            self.omega * (self.center[1] - y[1]),
            self.omega * (y[0] - self.center[0]),
        ];
    }
}

impl Circle {
    pub fn exact(&self, y0: [f64; 2], t: f64) -> [f64; 2] {
        let (s, c) = (self.omega * t).sin_cos();
        let [dx, dy] = [y0[0] - self.center[0], y0[1] - self.center[1]];
        [
            self.center[0] + dx * c - dy * s,
            self.center[1] + dx * s + dy * c,
        ]
    }
}

/// Largest absolute difference of two states.
pub fn max_abs_diff<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
