use odegen::prelude::*;

/// Every component depends on every other: 14 400 non-zeros, past the generated-code budget.
#[ode_system]
fn all_to_all(_t: f64, y: [f64; 120]) -> [f64; 120] {
    let mut s = 0.0;
    for j in 0..120 {
        s += y[j] * y[j];
    }
    let mut dy = [0.0; 120];
    for i in 0..120 {
        dy[i] = -y[i] * s;
    }
    dy
}

fn main() {}
