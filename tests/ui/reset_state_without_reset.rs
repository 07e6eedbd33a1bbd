use odegen::prelude::*;

#[ode_system(events(hit_ground(action = reset_state)))]
fn ball(_t: f64, [_x, v]: [f64; 2]) -> [f64; 2] {
    [v, -9.81]
}
fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}

fn main() {}
