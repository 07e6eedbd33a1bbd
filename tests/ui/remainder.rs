use odegen::prelude::*;

#[ode_system]
fn sawtooth(t: f64, y: [f64; 1]) -> [f64; 1] {
    [t % 1.0 - y[0]]
}

fn main() {}
