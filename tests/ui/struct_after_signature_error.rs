use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 1], k: f32) -> [f64; 1] {
    [-(k as f64) * y[0]]
}

fn main() {
    let _ = Decay { k: 1.0 }.jacobian_nonzeros;
    let _ = Decay::N;
}
