use odegen::prelude::*;

#[ode_system]
struct Decay {
    k: f64,
}

fn main() {}
