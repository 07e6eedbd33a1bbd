//! The heat equation `u_t = Δu` on the unit square, `u = 0` on the boundary, by the 5-point
//! Laplacian on `n × n` interior points (`h = 1/(n + 1)`, component `i + n j` at
//! `((i + 1) h, (j + 1) h)`): its exact semi-discrete solution, and a hand-written system for
//! any `n` that reports its pattern (`grids.rs` holds the `#[ode_system]` form for `n = 10`).
#![allow(dead_code)]

use odegen::implicit::RuntimeStructure;
use odegen::system::JacobianStructure;
use odegen::OdeSystem;

/// The exact semi-discrete solution of the `n × n` heat equation from three eigenvectors
/// `sin(k π x) sin(l π y)` of the 5-point Laplacian, `(k, l) = (1, 1), (2, 3)` and
/// `(n/2 + 1, n/2)`, amplitudes 1, 0.5, 0.3: each decays with its eigenvalue
/// `λ = −4/h² (sin²(k π h/2) + sin²(l π h/2))`, the last a stiff transient.
pub fn heat2d_mode<const N: usize>(n: usize, t: f64) -> [f64; N] {
    assert_eq!(N, n * n);
    let h = 1.0 / (n + 1) as f64;
    let pi = std::f64::consts::PI;
    let mut u = [0.0; N];
    for (k, l, a) in [(1usize, 1usize, 1.0), (2, 3, 0.5), (n / 2 + 1, n / 2, 0.3)] {
        let (kf, lf) = (k as f64, l as f64);
        let lambda = -4.0 / (h * h)
            * ((kf * pi * h / 2.0).sin().powi(2) + (lf * pi * h / 2.0).sin().powi(2));
        for j in 0..n {
            for i in 0..n {
                let (x, y) = ((i + 1) as f64 * h, (j + 1) as f64 * h);
                u[i + n * j] += a * (lambda * t).exp() * (kf * pi * x).sin() * (lf * pi * y).sin();
            }
        }
    }
    u
}

/// The `n × n` heat equation (`N = n²`), its exact Jacobian handed out row by row in the
/// order of its pattern (built, coloured and analysed at run time).
pub struct SparseHeat2d<const N: usize> {
    n: usize,
    structure: RuntimeStructure,
}

impl<const N: usize> SparseHeat2d<N> {
    /// The system on `n × n` interior points (`N = n²`).
    pub fn new(n: usize) -> Self {
        assert_eq!(N, n * n);
        let pattern = (0..N)
            .flat_map(|r| neighbours(n, r).into_iter().flatten().map(move |c| (r, c)))
            .collect();
        SparseHeat2d {
            n,
            structure: RuntimeStructure::from_pattern(N, pattern).unwrap(),
        }
    }
}

/// The columns of row `r`: below, left, the point, right, above (those inside the grid).
fn neighbours(n: usize, r: usize) -> [Option<usize>; 5] {
    let (i, j) = (r % n, r / n);
    [
        (j > 0).then(|| r - n),
        (i > 0).then(|| r - 1),
        Some(r),
        (i + 1 < n).then(|| r + 1),
        (j + 1 < n).then(|| r + n),
    ]
}

impl<const N: usize> OdeSystem<N> for SparseHeat2d<N> {
    fn rhs(&self, _t: f64, u: &[f64; N], du: &mut [f64; N]) {
        let n = self.n;
        let c = ((n + 1) * (n + 1)) as f64;
        for r in 0..N {
            let (i, j) = (r % n, r / n);
            let mut s = -4.0 * u[r];
            if i > 0 {
                s += u[r - 1];
            }
            if i + 1 < n {
                s += u[r + 1];
            }
            if j > 0 {
                s += u[r - n];
            }
            if j + 1 < n {
                s += u[r + n];
            }
            du[r] = c * s;
        }
    }

    fn newton_jacobian_entries(
        &self,
        _t: f64,
        _y: &[f64; N],
        _f: &[f64; N],
        entry: &mut dyn FnMut(usize, usize, f64),
    ) -> Option<usize> {
        let c = ((self.n + 1) * (self.n + 1)) as f64;
        for r in 0..N {
            for col in neighbours(self.n, r).into_iter().flatten() {
                entry(r, col, if col == r { -4.0 * c } else { c });
            }
        }
        Some(0)
    }

    fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
        Some(self.structure.jacobian_structure())
    }
}
