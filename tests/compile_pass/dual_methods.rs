//! `jacobian = dual` over the `f64` methods `log`, `to_degrees` and `to_radians`, which the
//! symbolic path supports: num-dual's `DualNum::log` takes an `f64` base (the copy passed a
//! `Dual64`, also for a literal base), and `Dual64` has no `to_degrees` or `to_radians`.

use odegen::prelude::*;
use std::f64::consts::{LN_10, PI};

#[ode_system(jacobian = dual)]
fn units(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    let decades = x.log(v) + v.log(10.0);
    [decades, x.to_degrees() + v.to_radians()]
}

fn main() {
    let (x, v) = (2.0_f64, 3.0_f64);
    let mut jac = [[0.0; 2]; 2];
    Units.jacobian(0.0, &[x, v], &mut jac);
    // log_v x = ln x / ln v; log_10 v = ln v / ln 10.
    let exact = [
        [1.0 / (x * v.ln()), -x.ln() / (v * v.ln().powi(2)) + 1.0 / (v * LN_10)],
        [180.0 / PI, PI / 180.0],
    ];
    for i in 0..2 {
        for j in 0..2 {
            assert!((jac[i][j] - exact[i][j]).abs() <= 1e-14 * exact[i][j].abs(), "{jac:?}");
        }
    }
}
