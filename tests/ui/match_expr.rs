use odegen::prelude::*;

#[ode_system]
fn switch(_t: f64, y: [f64; 1], mode: f64) -> [f64; 1] {
    let rate = match mode > 0.0 {
        true => 1.0,
        false => 2.0,
    };
    [-rate * y[0]]
}

fn main() {}
