use odegen::prelude::*;

const K: i32 = 3;

#[ode_system]
fn hill(_t: f64, y: [f64; 1]) -> [f64; 1] {
    [-y[0].powi(K)]
}

fn main() {}
