use odegen::prelude::*;

#[ode_system(jacobain = dual)]
fn decay(_t: f64, y: [f64; 2], k: f32) -> [f64; 2] {
    [y[0] % 2.0, -(k as f64) * y[1]]
}

fn main() {}
