use odegen::prelude::*;

#[ode_system]
fn decay(t: f64) -> [f64; 1] {
    [-t]
}

fn main() {}
