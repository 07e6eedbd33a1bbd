//! Method-of-lines systems on 2-D grids, written with `#[ode_system]` (so their pattern, its
//! colouring and its compile-time LU structure are generated): the Brusselator of
//! DifferentialEquations.jl's tutorial and the heat equation on the unit square (its exact
//! semi-discrete solution is `heat2d::heat2d_mode`).
#![allow(dead_code)]

use odegen::ode_system;

/// The 2-D Brusselator as DifferentialEquations.jl's tutorial on large stiff systems writes it
/// (<https://docs.sciml.ai/DiffEqDocs/stable/tutorials/advanced_ode_example/>): species `u`
/// (components `i + n j`) and `v` (`n² + i + n j`) on an `n × n` periodic grid of the unit
/// square (`x_i = i/(n − 1)`, `Δx = 1/(n − 1)`), `A = 3.4`, `B = 1`, `α = 10`:
///
/// `u' = α/Δx² Δu + B + u² v − (A + 1) u + f(x, y, t)`, `v' = α/Δx² Δv + A u − u² v`,
///
/// with the forcing `f = 5` on the disc `(x − 0.3)² + (y − 0.6)² ≤ 0.1²` from `t = 1.1` on.
/// Here `n = 8` (`N = 128`).
#[ode_system]
pub fn brusselator8(t: f64, uv: [f64; 128], a: f64, b: f64, alpha: f64) -> [f64; 128] {
    let mut d = [0.0; 128];
    let dx = 1.0 / 7.0;
    let c = alpha / (dx * dx);
    for i in 0..8 {
        for j in 0..8 {
            let ip = (i + 1) % 8;
            let im = (i + 7) % 8;
            let jp = (j + 1) % 8;
            let jm = (j + 7) % 8;
            let x = i as f64 * dx;
            let y = j as f64 * dx;
            let disc = if (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) <= 0.01 {
                1.0
            } else {
                0.0
            };
            let forcing = if t >= 1.1 { 5.0 * disc } else { 0.0 };
            let u = uv[i + 8 * j];
            let v = uv[64 + i + 8 * j];
            let lap_u = uv[im + 8 * j] + uv[ip + 8 * j] + uv[i + 8 * jp] + uv[i + 8 * jm] - 4.0 * u;
            let lap_v = uv[64 + im + 8 * j]
                + uv[64 + ip + 8 * j]
                + uv[64 + i + 8 * jp]
                + uv[64 + i + 8 * jm]
                - 4.0 * v;
            d[i + 8 * j] = c * lap_u + b + u * u * v - (a + 1.0) * u + forcing;
            d[64 + i + 8 * j] = c * lap_v + a * u - u * u * v;
        }
    }
    d
}

/// The tutorial's initial state: `u = 22 (y (1 − y))^{3/2}`, `v = 27 (x (1 − x))^{3/2}`.
pub fn brusselator_start<const N: usize>(n: usize) -> [f64; N] {
    assert_eq!(N, 2 * n * n);
    let mut s = [0.0; N];
    for j in 0..n {
        for i in 0..n {
            let x = i as f64 / (n - 1) as f64;
            let y = j as f64 / (n - 1) as f64;
            s[i + n * j] = 22.0 * (y * (1.0 - y)).powf(1.5);
            s[n * n + i + n * j] = 27.0 * (x * (1.0 - x)).powf(1.5);
        }
    }
    s
}

/// The heat equation `u_t = Δu` on the unit square, `u = 0` on the boundary, by the 5-point
/// Laplacian on `10 × 10` interior points (`h = 1/11`, component `i + 10 j` at
/// `(x, y) = ((i + 1) h, (j + 1) h)`).
#[ode_system]
pub fn heat2d10(_t: f64, u: [f64; 100]) -> [f64; 100] {
    let mut d = [0.0; 100];
    let c = 121.0;
    for i in 0..10 {
        for j in 0..10 {
            let mut s = -4.0 * u[i + 10 * j];
            if i > 0 {
                s += u[i - 1 + 10 * j];
            }
            if i < 9 {
                s += u[i + 1 + 10 * j];
            }
            if j > 0 {
                s += u[i + 10 * (j - 1)];
            }
            if j < 9 {
                s += u[i + 10 * (j + 1)];
            }
            d[i + 10 * j] = c * s;
        }
    }
    d
}
