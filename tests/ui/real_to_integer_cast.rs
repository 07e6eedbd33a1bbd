use odegen::prelude::*;

#[ode_system]
fn hill(_t: f64, y: [f64; 1], n: f64) -> [f64; 1] {
    let k = n as i32;
    [-y[0].powi(k)]
}

fn main() {}
