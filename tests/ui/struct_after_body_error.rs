use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 1], k: f64) -> [f64; 1] {
    [-k * y[0] % 2.0]
}

fn main() {
    let mut jac = [[0.0; 1]; 1];
    Decay { k: 1.0 }.jacobian(0.0, &[1.0], &mut jac);
    let _ = Decay::PATTERN;
}
