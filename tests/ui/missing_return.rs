use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 1]) {
    let _ = y;
}

fn main() {}
