use odegen::prelude::*;

// A running sum over the output: each row depends on the previous one's final value, which a
// rolled loop cannot express; `loops = rolled` says why.
#[ode_system(loops = rolled)]
fn readback(_t: f64, y: [f64; 100]) -> [f64; 100] {
    let mut d = [0.0; 100];
    for i in 0..100 {
        d[i] = -y[i];
    }
    for i in 1..100 {
        d[i] += d[i - 1];
    }
    d
}

fn main() {}
