use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 2]) -> Vec<f64> {
    vec![-y[0], -y[1]]
}

fn main() {}
