//! `jacobian = dual` over the call syntax `f64::sin(x)`, `f64::max(a, b)`, which the symbolic
//! path supports: the dual copy left the path `f64::` in place and passed it a `Dual64`.

use odegen::prelude::*;

#[ode_system(jacobian = dual)]
fn calls(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    let s = f64::sin(x);
    [s * v, f64::max(x, v)]
}

fn main() {
    let (x, v) = (0.5_f64, 2.0_f64);
    let mut jac = [[0.0; 2]; 2];
    Calls.jacobian(0.0, &[x, v], &mut jac);
    assert_eq!(jac, [[x.cos() * v, x.sin()], [0.0, 1.0]]);
}
