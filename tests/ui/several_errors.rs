use odegen::prelude::*;

fn foo(x: f64) -> f64 {
    x
}

#[ode_system]
fn bad(_t: f64, y: [f64; 2]) -> [f64; 2] {
    let a = foo(y[0]);
    let b = y[1] % 2.0;
    [a, b.frobnicate()]
}

fn main() {}
