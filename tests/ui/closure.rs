use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 2], k: f64) -> [f64; 2] {
    let rate = |x: f64| k * x;
    [-rate(y[0]), rate(y[0])]
}

fn main() {}
