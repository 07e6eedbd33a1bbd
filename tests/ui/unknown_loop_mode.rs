use odegen::prelude::*;

#[ode_system(loops = sometimes)]
fn decay(_t: f64, y: [f64; 1]) -> [f64; 1] {
    [-y[0]]
}

fn main() {}
