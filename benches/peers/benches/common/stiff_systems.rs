//! The stiff test problems the peer benchmarks share, as `#[ode_system]`s (their analytic
//! Jacobians are generated at compile time). Included by `stiff.rs` and `radau5_counters.rs`.

use odegen::prelude::*;

/// Robertson's chemical kinetics (H. H. Robertson, 1966; Test Set `rober`).
#[ode_system]
pub fn robertson(_t: f64, y: [f64; 3]) -> [f64; 3] {
    let [y1, y2, y3] = y;
    [
        -0.04 * y1 + 1.0e4 * y2 * y3,
        0.04 * y1 - 1.0e4 * y2 * y3 - 3.0e7 * y2 * y2,
        3.0e7 * y2 * y2,
    ]
}

/// Van der Pol's oscillator in the μ-form of REFERENCES: `y1' = y2`,
/// `y2' = μ (1 − y1²) y2 − y1`.
#[ode_system]
pub fn van_der_pol(_t: f64, y: [f64; 2], mu: f64) -> [f64; 2] {
    let [y1, y2] = y;
    [y2, mu * (1.0 - y1 * y1) * y2 - y1]
}

/// HIRES (Hairer & Wanner II, §IV.10; Test Set `hires`).
#[ode_system]
pub fn hires(_t: f64, y: [f64; 8]) -> [f64; 8] {
    let [y1, y2, y3, y4, y5, y6, y7, y8] = y;
    [
        -1.71 * y1 + 0.43 * y2 + 8.32 * y3 + 0.0007,
        1.71 * y1 - 8.75 * y2,
        -10.03 * y3 + 0.43 * y4 + 0.035 * y5,
        8.32 * y2 + 1.71 * y3 - 1.12 * y4,
        -1.745 * y5 + 0.43 * y6 + 0.43 * y7,
        -280.0 * y6 * y8 + 0.69 * y4 + 1.71 * y5 - 0.43 * y6 + 0.69 * y7,
        280.0 * y6 * y8 - 1.81 * y7,
        -280.0 * y6 * y8 + 1.81 * y7,
    ]
}
