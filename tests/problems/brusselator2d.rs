//! The 2-D Brusselator of DifferentialEquations.jl's tutorial on large stiff systems
//! (<https://docs.sciml.ai/DiffEqDocs/stable/tutorials/advanced_ode_example/>), written by hand
//! for any grid: `n × n` points, `N = 2 n²` equations, its analytic Jacobian handed out entry by
//! entry in the order of its pattern, and the pattern built at run time (coloured and analysed
//! once by `RuntimeStructure::from_pattern`). Shared by the optimised tests, the example and the
//! benchmarks; `tests/problems/grids.rs` holds the `#[ode_system]` form for `n = 8`.
#![allow(dead_code)]

use odegen::implicit::RuntimeStructure;
use odegen::system::JacobianStructure;
use odegen::{OdeSystem, TimeDependence};

/// Species `u` (components `i + n j`) and `v` (`n² + i + n j`) on the periodic `n × n` grid
/// `x_i = i/(n − 1)`, `y_j = j/(n − 1)` (`Δx = 1/(n − 1)`), as the tutorial writes it:
///
/// `u' = α/Δx² Δu + B + u² v − (A + 1) u + f(x, y, t)`, `v' = α/Δx² Δv + A u − u² v`,
///
/// with the forcing `f = 5` on the disc `(x − 0.3)² + (y − 0.6)² ≤ 0.1²` from `t = 1.1` on;
/// the tutorial's `A = 3.4`, `B = 1`, `α = 10`, `t ∈ [0, 11.5]`.
pub struct Brusselator2d<const N: usize> {
    n: usize,
    a: f64,
    b: f64,
    /// `α / Δx²`.
    c: f64,
    /// Whether each grid point lies in the forcing disc.
    disc: Vec<bool>,
    structure: RuntimeStructure,
}

impl<const N: usize> Brusselator2d<N> {
    /// The tutorial's system on the `n × n` grid (`N = 2 n²`, `n ≥ 3`).
    pub fn new(n: usize) -> Self {
        Self::with_parameters(n, 3.4, 1.0, 10.0)
    }

    /// The system with parameters `A`, `B`, `α`.
    pub fn with_parameters(n: usize, a: f64, b: f64, alpha: f64) -> Self {
        assert!(
            n >= 3 && N == 2 * n * n,
            "Brusselator2d<{N}>: N = 2 n², n ≥ 3"
        );
        let dx = 1.0 / (n - 1) as f64;
        let mut disc = vec![false; n * n];
        for j in 0..n {
            for i in 0..n {
                let (x, y) = (i as f64 * dx, j as f64 * dx);
                disc[i + n * j] = (x - 0.3).powi(2) + (y - 0.6).powi(2) <= 0.1 * 0.1;
            }
        }
        let pattern = (0..N).flat_map(|r| row(n, r).map(|col| (r, col))).collect();
        Brusselator2d {
            n,
            a,
            b,
            c: alpha / (dx * dx),
            disc,
            structure: RuntimeStructure::from_pattern(N, pattern).unwrap(),
        }
    }

    /// The grid size `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The Jacobian's values of row `r`, in the order of [`row`].
    fn row_values(&self, r: usize, y: &[f64; N]) -> [f64; 6] {
        let nn = self.n * self.n;
        let k = r % nn;
        let (u, v) = (y[k], y[nn + k]);
        let c = self.c;
        if r < nn {
            // ∂u'/∂(neighbours, u, v).
            [c, c, c, c, -4.0 * c + 2.0 * u * v - (self.a + 1.0), u * u]
        } else {
            // ∂v'/∂(neighbours, v, u).
            [c, c, c, c, -4.0 * c - u * u, self.a - 2.0 * u * v]
        }
    }

    /// The tutorial's initial state: `u = 22 (y (1 − y))^{3/2}`, `v = 27 (x (1 − x))^{3/2}`.
    pub fn start(&self) -> [f64; N] {
        let n = self.n;
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
}

impl<const N: usize> OdeSystem<N> for Brusselator2d<N> {
    fn rhs(&self, t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        let n = self.n;
        let nn = n * n;
        let forcing = if t >= 1.1 { 5.0 } else { 0.0 };
        for j in 0..n {
            let (jp, jm) = ((j + 1) % n, (j + n - 1) % n);
            for i in 0..n {
                let (ip, im) = ((i + 1) % n, (i + n - 1) % n);
                let k = i + n * j;
                let (u, v) = (y[k], y[nn + k]);
                let lap = |s: usize| {
                    y[s + im + n * j] + y[s + ip + n * j] + y[s + i + n * jp] + y[s + i + n * jm]
                        - 4.0 * y[s + k]
                };
                let uuv = u * u * v;
                let f = if self.disc[k] { forcing } else { 0.0 };
                dy[k] = self.c * lap(0) + self.b + uuv - (self.a + 1.0) * u + f;
                dy[nn + k] = self.c * lap(nn) + self.a * u - uuv;
            }
        }
    }

    fn newton_jacobian(
        &self,
        _t: f64,
        y: &[f64; N],
        _f: &[f64; N],
        jac: &mut [[f64; N]; N],
    ) -> usize {
        for (r, line) in jac.iter_mut().enumerate() {
            *line = [0.0; N];
            for (col, v) in row(self.n, r).into_iter().zip(self.row_values(r, y)) {
                line[col] = v;
            }
        }
        0
    }

    fn newton_jacobian_entries(
        &self,
        _t: f64,
        y: &[f64; N],
        _f: &[f64; N],
        entry: &mut dyn FnMut(usize, usize, f64),
    ) -> Option<usize> {
        for r in 0..N {
            for (col, v) in row(self.n, r).into_iter().zip(self.row_values(r, y)) {
                entry(r, col, v);
            }
        }
        Some(0)
    }

    fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
        Some(self.structure.jacobian_structure())
    }

    /// The forcing is constant but for its switch at `t = 1.1`: `∂f/∂t = 0` wherever it exists
    /// (what the tutorial's automatic differentiation gives the Rosenbrock methods too).
    const TIME_DEPENDENCE: TimeDependence = TimeDependence::Analytic;

    fn newton_time_derivative(
        &self,
        _t: f64,
        _y: &[f64; N],
        _f: &[f64; N],
        dfdt: &mut [f64; N],
    ) -> usize {
        *dfdt = [0.0; N];
        0
    }
}

/// The columns of row `r` of the `n × n` system, in the order
/// [`OdeSystem::newton_jacobian_entries`] hands them out: the four neighbours and the point of
/// the row's species, then the other species at the point.
fn row(n: usize, r: usize) -> [usize; 6] {
    let nn = n * n;
    let (species, k) = (r / nn, r % nn);
    let (i, j) = (k % n, k / n);
    let base = species * nn;
    let other = (1 - species) * nn;
    [
        base + (i + n - 1) % n + n * j,
        base + (i + 1) % n + n * j,
        base + i + n * ((j + 1) % n),
        base + i + n * ((j + n - 1) % n),
        base + k,
        other + k,
    ]
}
