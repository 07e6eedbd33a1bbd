use odegen::prelude::*;

/// Every component depends on every other: 360 000 structural non-zeros, past the pattern
/// budget that holds in every Jacobian mode.
#[ode_system(jacobian = fd)]
fn all_to_all(_t: f64, y: [f64; 600]) -> [f64; 600] {
    let mut s = 0.0;
    for j in 0..600 {
        s += y[j] * y[j];
    }
    let mut dy = [0.0; 600];
    for i in 0..600 {
        dy[i] = -y[i] * s;
    }
    dy
}

fn main() {}
