use odegen::prelude::*;

#[ode_system]
fn chain(_t: f64, y: [f64; 3], n: f64) -> [f64; 3] {
    let mut dy = [0.0; 3];
    for i in 0..n as usize {
        dy[i] = -y[i];
    }
    dy
}

fn main() {}
