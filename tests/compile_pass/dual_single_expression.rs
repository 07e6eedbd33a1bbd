//! `jacobian = dual` on a body that is a single expression written on one line must not warn:
//! the dual copy wrapped the body in a block of its own, `{ use ...; { [..] } }`, and rustc
//! reported `unused_braces` at the user's braces (rustfmt's layout, over several lines, hid
//! it).
#![deny(warnings)]

use odegen::prelude::*;

#[ode_system(jacobian = dual)]
fn decay(_t: f64, [x, v]: [f64; 2], k: f64) -> [f64; 2] { [-k * x, x - v] }

fn main() {
    let mut jac = [[0.0; 2]; 2];
    Decay { k: 2.0 }.jacobian(0.0, &[1.0, 1.0], &mut jac);
    assert_eq!(jac, [[-2.0, 0.0], [1.0, -1.0]]);
}
