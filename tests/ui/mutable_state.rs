use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, mut y: [f64; 2]) -> [f64; 2] {
    y[0] = 0.0;
    [-y[0], -y[1]]
}

fn main() {}
