use odegen::prelude::*;

#[ode_system]
fn decay(_t: f64, y: [f64; 1]) -> [f64; 1] {
    let mut x = y[0];
    while x > 1.0 {
        x /= 2.0;
    }
    [-x]
}

fn main() {}
