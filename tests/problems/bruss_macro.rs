//! DifferentialEquations.jl's 2-D Brusselator written with `#[ode_system]` for the 32 × 32 and
//! 64 × 64 grids (`N = 2048`, `8192`), its loops kept rolled: the form of
//! `tests/problems/grids.rs` (`n = 8`) at the sizes of the benchmarks. Shared by the optimised
//! tests and the sparse benchmark, which compare it with the hand-written
//! `problems/brusselator2d.rs`.
#![allow(dead_code)]

use odegen::ode_system;

/// The Brusselator of `tests/problems/grids.rs` on an `n × n` grid.
macro_rules! brusselator {
    ($name:ident, $n:literal, $nn:literal, $big:literal, $m:literal) => {
        #[ode_system]
        pub fn $name(t: f64, uv: [f64; $big], a: f64, b: f64, alpha: f64) -> [f64; $big] {
            let mut d = [0.0; $big];
            let dx = 1.0 / $m;
            let c = alpha / (dx * dx);
            for i in 0..$n {
                for j in 0..$n {
                    let ip = (i + 1) % $n;
                    let im = (i + $n - 1) % $n;
                    let jp = (j + 1) % $n;
                    let jm = (j + $n - 1) % $n;
                    let x = i as f64 * dx;
                    let y = j as f64 * dx;
                    let disc = if (x - 0.3) * (x - 0.3) + (y - 0.6) * (y - 0.6) <= 0.01 {
                        1.0
                    } else {
                        0.0
                    };
                    let forcing = if t >= 1.1 { 5.0 * disc } else { 0.0 };
                    let u = uv[i + $n * j];
                    let v = uv[$nn + i + $n * j];
                    let lap_u =
                        uv[im + $n * j] + uv[ip + $n * j] + uv[i + $n * jp] + uv[i + $n * jm]
                            - 4.0 * u;
                    let lap_v = uv[$nn + im + $n * j]
                        + uv[$nn + ip + $n * j]
                        + uv[$nn + i + $n * jp]
                        + uv[$nn + i + $n * jm]
                        - 4.0 * v;
                    d[i + $n * j] = c * lap_u + b + u * u * v - (a + 1.0) * u + forcing;
                    d[$nn + i + $n * j] = c * lap_v + a * u - u * u * v;
                }
            }
            d
        }
    };
}
brusselator!(bruss32, 32, 1024, 2048, 31.0);
brusselator!(bruss64, 64, 4096, 8192, 63.0);
