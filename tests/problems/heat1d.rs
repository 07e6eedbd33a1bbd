//! The 1-D heat equation by central differences, with its exact semi-discrete solution (shared
//! by `tests/banded.rs` and the optimised large-`N` tests).

#![allow(dead_code)]

use odegen::implicit::RuntimeStructure;
use odegen::system::JacobianStructure;
use odegen::OdeSystem;

/// `u_t = u_xx` on `(0, 1)`, `u = 0` at both ends, by central differences on `N` interior
/// points (`h = 1/(N + 1)`): `y_i' = (y_{i−1} − 2 y_i + y_{i+1}) / h²`, tridiagonal.
pub struct Heat<const N: usize>;
impl<const N: usize> OdeSystem<N> for Heat<N> {
    fn rhs(&self, _t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        let inv_h2 = ((N + 1) * (N + 1)) as f64;
        for i in 0..N {
            let left = if i > 0 { y[i - 1] } else { 0.0 };
            let right = if i + 1 < N { y[i + 1] } else { 0.0 };
            dy[i] = (left - 2.0 * y[i] + right) * inv_h2;
        }
    }
}

/// Three eigenvectors `sin(k π x_i)` of the semi-discrete operator, `k = 1, 3` and `N/2 + 1`
/// (amplitudes 1, 0.5, 0.3), each decaying with its eigenvalue `λ_k = −4 (N + 1)² sin²(k π /
/// (2 (N + 1)))`: `y(t) = Σ a_k e^{λ_k t} sin(k π x)` exactly, a slow mode and a stiff
/// transient (`λ_{N/2+1} ≈ −2 (N + 1)²`).
pub fn mode<const N: usize>(t: f64) -> [f64; N] {
    let h = 1.0 / (N + 1) as f64;
    let pi = std::f64::consts::PI;
    let mut y = [0.0; N];
    for (k, a) in [(1usize, 1.0), (3, 0.5), (N / 2 + 1, 0.3)] {
        let kf = k as f64;
        let lambda = -4.0 / (h * h) * (kf * pi * h / 2.0).sin().powi(2);
        for (i, yi) in y.iter_mut().enumerate() {
            *yi += a * (lambda * t).exp() * (kf * pi * (i + 1) as f64 * h).sin();
        }
    }
    y
}

/// The exact Jacobian of [`Heat`], row by row, columns ascending (its pattern's order).
pub fn jacobian_entries<const N: usize>(entry: &mut dyn FnMut(usize, usize, f64)) {
    let inv_h2 = ((N + 1) * (N + 1)) as f64;
    for i in 0..N {
        for j in i.saturating_sub(1)..(i + 2).min(N) {
            entry(i, j, if i == j { -2.0 * inv_h2 } else { inv_h2 });
        }
    }
}

/// [`Heat`] reporting its tridiagonal pattern (built at run time) and handing out its exact
/// Jacobian entries in that order: what `solve_ivp`'s automatic linear solver needs to take
/// the sparse LU.
pub struct SparseHeat<const N: usize> {
    structure: RuntimeStructure,
}

impl<const N: usize> SparseHeat<N> {
    /// The system, with its pattern coloured and analysed.
    pub fn new() -> Self {
        let pattern = (0..N)
            .flat_map(|i| (i.saturating_sub(1)..(i + 2).min(N)).map(move |j| (i, j)))
            .collect();
        SparseHeat {
            structure: RuntimeStructure::from_pattern(N, pattern).unwrap(),
        }
    }
}

impl<const N: usize> OdeSystem<N> for SparseHeat<N> {
    fn rhs(&self, t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        Heat.rhs(t, y, dy)
    }

    fn newton_jacobian_entries(
        &self,
        _t: f64,
        _y: &[f64; N],
        _f: &[f64; N],
        entry: &mut dyn FnMut(usize, usize, f64),
    ) -> Option<usize> {
        jacobian_entries::<N>(entry);
        Some(0)
    }

    fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
        Some(self.structure.jacobian_structure())
    }
}
