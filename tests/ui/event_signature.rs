use odegen::prelude::*;

#[ode_system(events(apex))]
fn cannon(_t: f64, [_x, v]: [f64; 2], g: f64) -> [f64; 2] {
    [v, -g]
}
fn apex(_t: f64, [_x, v]: [f64; 2]) -> bool {
    v < 0.0
}

fn main() {}
