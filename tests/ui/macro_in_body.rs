use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 1]) -> [f64; 1] {
    println!("{}", y[0]);
    [-y[0]]
}

fn main() {}
