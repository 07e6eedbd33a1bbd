use odegen::prelude::*;

const N: usize = 3;

#[ode_system]
fn decay(_t: f64, y: [f64; N]) -> [f64; N] {
    [-y[0], -y[1], -y[2]]
}

fn main() {}
