//! Test problems over complex and dual states, shared by the stiff suites.

#![allow(dead_code)]

use num_dual::Dual64;
use odegen::num_complex::Complex64 as C;
use odegen::{Jacobian, OdeSystem};

pub const LAMBDA: C = C::new(-50.0, 20.0);
pub const MU: C = C::new(-1000.0, 10.0);

/// A non-autonomous stiff complex pair: `z0' = λ z0`, `λ = −50 + 20i`, and
/// `z1' = μ (z1 − e^{it}) + i e^{it}`, `μ = −1000 + 10i`; exact `z0 = e^{λt}`,
/// `z1 = e^{it} + (z1(0) − 1) e^{μt}` ([`spiral_exact`]).
pub struct Spiral;
impl OdeSystem<2, C> for Spiral {
    fn rhs(&self, t: f64, z: &[C; 2], dz: &mut [C; 2]) {
        let e = C::new(0.0, t).exp();
        dz[0] = LAMBDA * z[0];
        dz[1] = MU * (z[1] - e) + C::i() * e;
    }
}
impl Jacobian<2, C> for Spiral {
    fn jacobian(&self, _t: f64, _z: &[C; 2], jac: &mut [[C; 2]; 2]) {
        *jac = SPIRAL_JAC;
    }
}
pub const SPIRAL_JAC: [[C; 2]; 2] = [[LAMBDA, C::new(0.0, 0.0)], [C::new(0.0, 0.0), MU]];
pub const SPIRAL_Z0: [C; 2] = [C::new(1.0, 0.0), C::new(2.0, -1.0)];

pub fn spiral_exact(t: f64) -> [C; 2] {
    [
        (LAMBDA * t).exp(),
        C::new(0.0, t).exp() + (SPIRAL_Z0[1] - 1.0) * (MU * t).exp(),
    ]
}

/// Prothero–Robinson `y' = λ (y − cos t) − sin t` with `λ` a dual number: `y = cos t + (y0 −
/// 1) e^{λt}`, so `∂y/∂λ = (y0 − 1) t e^{λt}`.
#[derive(Clone, Copy)]
pub struct DualPr(pub Dual64);
impl OdeSystem<1, Dual64> for DualPr {
    fn rhs(&self, t: f64, y: &[Dual64; 1], dy: &mut [Dual64; 1]) {
        dy[0] = self.0 * (y[0] - Dual64::from(t.cos())) - Dual64::from(t.sin());
    }
}
