use odegen::prelude::*;

// The last iteration reads past the state: found when the macro walks the iterations.
#[ode_system(loops = rolled)]
fn shift(_t: f64, y: [f64; 100]) -> [f64; 100] {
    let mut d = [0.0; 100];
    for i in 0..100 {
        d[i] = y[i + 1] - y[i];
    }
    d
}

fn main() {}
