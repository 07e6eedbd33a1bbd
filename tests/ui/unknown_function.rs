use odegen::prelude::*;

fn foo(x: f64) -> f64 {
    x * x
}

#[ode_system]
fn decay(_t: f64, y: [f64; 1]) -> [f64; 1] {
    [foo(y[0])]
}

fn main() {}
