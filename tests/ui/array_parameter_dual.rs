use odegen::prelude::*;

#[ode_system(jacobian = dual)]
fn chain(_t: f64, y: [f64; 2], k: [f64; 2]) -> [f64; 2] {
    [-k[0] * y[0], k[0] * y[0] - k[1] * y[1]]
}

#[ode_system]
fn sized(_t: f64, y: [f64; 2], k: [f64; M]) -> [f64; 2] {
    [-k[0] * y[0], -y[1]]
}
const M: usize = 2;

fn main() {}
