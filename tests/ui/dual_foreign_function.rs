use odegen::prelude::*;

fn rate(x: f64) -> f64 {
    x * x
}

#[ode_system(jacobian = dual)]
fn decay(_t: f64, y: [f64; 1]) -> [f64; 1] {
    [-rate(y[0])]
}

fn main() {}
