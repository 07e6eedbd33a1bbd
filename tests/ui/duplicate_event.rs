use odegen::prelude::*;

#[ode_system(events(apex, apex))]
fn cannon(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -9.81]
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> f64 {
    v
}

fn main() {}
