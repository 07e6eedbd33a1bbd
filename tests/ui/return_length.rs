use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 3]) -> [f64; 2] {
    [-y[0], -y[1]]
}

fn main() {}
