//! Event and reset functions of an `#[ode_system]` take the time and the state, and the
//! system's parameters or none of them: both forms, side by side, in one system.
//!
//! The cannon `x'' = −g` from `x = 0` with speed `v0`: apex at `t = v0/g` with height
//! `v0²/(2g)`, back on the ground at `t = 2 v0/g`; a reset at height `h` that reverses nothing
//! (it keeps the state) is reported once, rising.

use odegen::prelude::*;

#[ode_system(events(
    hit_ground(direction = falling, terminal),
    apex,
    height(direction = rising, reset = keep)
))]
fn cannon(_t: f64, [_x, v]: [f64; 2], g: f64, h: f64) -> [f64; 2] {
    // `h` only places the third event.
    [v, -g + 0.0 * h]
}
/// The state only.
fn hit_ground(_t: f64, [x, _v]: [f64; 2]) -> f64 {
    x
}
/// With the parameters, unused.
fn apex(_t: f64, [_x, v]: [f64; 2], _g: f64, _h: f64) -> f64 {
    v
}
/// With the parameters, one used.
fn height(_t: f64, [x, _v]: [f64; 2], _g: f64, h: f64) -> f64 {
    x - h
}
/// A reset of the state-only form.
fn keep(_t: f64, y: [f64; 2]) -> [f64; 2] {
    y
}

#[test]
fn event_functions_with_and_without_the_parameters() {
    for (g, v0, h) in [(0.5, 10.0, 30.0), (9.81, 20.0, 5.0), (1.0, 1.0, 0.25)] {
        let sys = Cannon { g, h };
        for method in Method::adaptive() {
            let o = Options::new(method).rtol(1e-10).atol(1e-12);
            let sol = solve_ivp_with_events(&sys, (0.0, 10.0 * v0 / g), [0.0, v0], o, sys.events())
                .and_then(|s| s.into_result())
                .unwrap_or_else(|e| panic!("{method}, g = {g}: {e}"));
            let ground = 2.0 * v0 / g;
            assert_eq!(sol.t_events[0].len(), 1, "{method}");
            assert!(
                (sol.t_events[0][0] - ground).abs() < 1e-7 * ground,
                "{method}"
            );
            assert_eq!(sol.t_events[1].len(), 1, "{method}");
            assert!(
                (sol.t_events[1][0] - v0 / g).abs() < 1e-7 * ground,
                "{method}"
            );
            // x = h rising: v0 t − g t²/2 = h, the earlier root.
            let t_h = (v0 - (v0 * v0 - 2.0 * g * h).sqrt()) / g;
            assert_eq!(sol.t_events[2].len(), 1, "{method}: {:?}", sol.t_events[2]);
            assert!((sol.t_events[2][0] - t_h).abs() < 1e-7 * ground, "{method}");
        }
    }
}
