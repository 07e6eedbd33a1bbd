use odegen::prelude::*;

#[ode_system]
fn oscillator(_t: f64, y: [f64; 2]) -> [f64; 2] {
    let (s, c) = y[0].sin_cos();
    [s, c]
}

fn main() {}
