//! A boolean `let` whose value is chosen by nested `if`s. The symbolic path lowers it to a
//! selection between selections of comparisons, which the generated code must type `bool`
//! (it typed a selection `bool` only if its first branch was itself a comparison).

use odegen::prelude::*;

#[ode_system]
fn nested(_t: f64, [x, v]: [f64; 2]) -> [f64; 2] {
    let fast = if x > 0.0 {
        if v > 0.0 {
            v > 1.0
        } else {
            v < -1.0
        }
    } else {
        x < -1.0
    };
    [if fast { x * v } else { x }, v]
}

fn main() {
    let mut jac = [[0.0; 2]; 2];
    // x > 0, v > 1: fast, f0 = x v.
    Nested.jacobian(0.0, &[1.0, 2.0], &mut jac);
    assert_eq!(jac, [[2.0, 1.0], [0.0, 1.0]]);
    // x > 0, 0 < v < 1: not fast, f0 = x.
    Nested.jacobian(0.0, &[1.0, 0.5], &mut jac);
    assert_eq!(jac, [[1.0, 0.0], [0.0, 1.0]]);
}
