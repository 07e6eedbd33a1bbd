//! Butcher tableaux of explicit Runge–Kutta methods, as constant data.
//!
//! An explicit `s`-stage method advances `y_n` by one step `h` as
//!
//! ```text
//! k_i     = f(t_n + c_i h, y_n + h Σ_{j<i} a_ij k_j),   i = 1..s
//! y_{n+1} = y_n + h Σ_i b_i k_i
//! ```
//!
//! An embedded pair adds weights `e_i = b_i − b̂_i` of a second formula of lower order, so that
//! `err = h Σ_i e_i k_i` estimates the local error of the lower-order result (Hairer, Nørsett &
//! Wanner, *Solving ODEs I*, II.4). A pair is *FSAL* (first same as last) when its last stage is
//! evaluated at `(t_n + h, y_{n+1})`: that stage is then the first stage of the next step.
//!
//! Continuous extensions are stored as polynomial weights
//! `b_i(θ) = Σ_k P[i][k] θ^{k+1}`, with `y(t_n + θh) ≈ y_n + h Σ_i b_i(θ) k_i` for `θ ∈ [0, 1]`
//! (the layout SciPy's `RungeKutta.P` uses).
//!
//! One file per family, each citing the paper its coefficients come from. DOP853, whose error
//! estimate and dense output do not fit this shape, has its own constants in [`dop853`]; the
//! implicit Radau IIA method its constants and the transformation of its matrix in
//! [`radau_iia`].

pub mod bogacki_shampine;
pub mod dop853;
pub mod dormand_prince;
pub mod fehlberg;
pub mod fixed;
pub mod higham_hall;
pub mod radau_iia;
pub mod radau_iia_family;
pub mod rosenbrock;
pub mod tsitouras;

/// A fixed-step explicit Runge–Kutta method with `S` stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExplicitTableau<const S: usize> {
    /// Nodes `c_i`.
    pub c: [f64; S],
    /// Stage coupling `a_ij`, zero on and above the diagonal.
    pub a: [[f64; S]; S],
    /// Weights `b_i` of the propagated solution.
    pub b: [f64; S],
    /// Classical order of the method.
    pub order: u32,
}

/// An embedded explicit Runge–Kutta pair with `S` stages and a continuous extension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmbeddedTableau<const S: usize> {
    /// Nodes `c_i`.
    pub c: [f64; S],
    /// Stage coupling `a_ij`, zero on and above the diagonal.
    pub a: [[f64; S]; S],
    /// Weights `b_i` of the propagated (higher-order) solution.
    pub b: [f64; S],
    /// Error weights `e_i = b_i − b̂_i`: the local error estimate is `h Σ e_i k_i`.
    pub e: [f64; S],
    /// Order of the propagated solution.
    pub order: u32,
    /// Order of the embedded solution; the step-size exponent is `1 / (error_order + 1)`.
    pub error_order: u32,
    /// Whether the last stage is `f(t_n + h, y_{n+1})` (first same as last).
    pub fsal: bool,
    /// Continuous extension: `dense[i][k]` is the coefficient of `θ^{k+1}` in `b_i(θ)`;
    /// `dense.len() == S`, every row of the same length (the interpolant's degree). Empty for
    /// a pair without one: the stepper then interpolates by cubic Hermite from `y_n`, `f_n`,
    /// `y_{n+1}`, `f_{n+1}`.
    pub dense: &'static [&'static [f64]],
}

/// Weights of the cubic Hermite interpolant of an FSAL pair, in the layout of
/// [`EmbeddedTableau::dense`]: it matches `y_n`, `y_{n+1}`, `f_n = k_1` and `f_{n+1} = k_s`,
/// so `b_i(θ) = b_i (3θ² − 2θ³) + δ_{i1} (θ − 2θ² + θ³) + δ_{is} (θ³ − θ²)`.
pub const fn hermite_weights<const S: usize>(b: &[f64; S]) -> [[f64; 3]; S] {
    let mut p = [[0.0; 3]; S];
    let mut i = 0;
    while i < S {
        let first = if i == 0 { 1.0 } else { 0.0 };
        let last = if i == S - 1 { 1.0 } else { 0.0 };
        p[i] = [
            first,
            3.0 * b[i] - 2.0 * first - last,
            -2.0 * b[i] + first + last,
        ];
        i += 1;
    }
    p
}

#[cfg(test)]
pub(crate) mod checks {
    //! Order conditions, used by every tableau file's tests: a wrong coefficient breaks one.

    /// `Σ_j a_ij = c_i` for every row.
    pub fn row_sums<const S: usize>(a: &[[f64; S]; S], c: &[f64; S], tol: f64) {
        for i in 0..S {
            let s: f64 = a[i].iter().sum();
            assert!((s - c[i]).abs() < tol, "row {i}: Σa = {s}, c = {}", c[i]);
            for j in i..S {
                assert_eq!(a[i][j], 0.0, "a[{i}][{j}] must be zero (explicit method)");
            }
        }
    }

    /// The order conditions of orders 1 to `min(order, 5)` for weights `b` (Butcher trees).
    pub fn order_conditions<const S: usize>(
        a: &[[f64; S]; S],
        b: &[f64; S],
        c: &[f64; S],
        order: u32,
        tol: f64,
    ) {
        let dot = |u: &[f64; S], v: &[f64; S]| -> f64 { (0..S).map(|i| u[i] * v[i]).sum() };
        let mul =
            |u: &[f64; S], v: &[f64; S]| -> [f64; S] { core::array::from_fn(|i| u[i] * v[i]) };
        let av = |v: &[f64; S]| -> [f64; S] {
            core::array::from_fn(|i| (0..S).map(|j| a[i][j] * v[j]).sum())
        };
        let ones = [1.0; S];
        let c2 = mul(c, c);
        let c3 = mul(&c2, c);
        let mut conds: alloc_free::Conds = alloc_free::Conds::default();
        conds.push(1, dot(b, &ones), 1.0);
        conds.push(2, dot(b, c), 0.5);
        conds.push(3, dot(b, &c2), 1.0 / 3.0);
        conds.push(3, dot(b, &av(c)), 1.0 / 6.0);
        conds.push(4, dot(b, &c3), 0.25);
        conds.push(4, dot(b, &mul(c, &av(c))), 1.0 / 8.0);
        conds.push(4, dot(b, &av(&c2)), 1.0 / 12.0);
        conds.push(4, dot(b, &av(&av(c))), 1.0 / 24.0);
        conds.push(5, dot(b, &mul(&c3, c)), 0.2);
        conds.push(5, dot(b, &mul(&c2, &av(c))), 0.1);
        conds.push(5, dot(b, &mul(&av(c), &av(c))), 1.0 / 20.0);
        conds.push(5, dot(b, &mul(c, &av(&c2))), 1.0 / 15.0);
        conds.push(5, dot(b, &mul(c, &av(&av(c)))), 1.0 / 30.0);
        conds.push(5, dot(b, &av(&c3)), 1.0 / 20.0);
        conds.push(5, dot(b, &av(&mul(c, &av(c)))), 1.0 / 40.0);
        conds.push(5, dot(b, &av(&av(&c2))), 1.0 / 60.0);
        conds.push(5, dot(b, &av(&av(&av(c)))), 1.0 / 120.0);
        for (p, got, want) in conds.iter() {
            if p <= order {
                assert!(
                    (got - want).abs() < tol,
                    "order-{p} condition: got {got}, want {want}"
                );
            }
        }
    }

    mod alloc_free {
        /// A fixed list of (order, value, expected) triples.
        #[derive(Default)]
        pub struct Conds {
            items: [(u32, f64, f64); 17],
            len: usize,
        }
        impl Conds {
            pub fn push(&mut self, p: u32, got: f64, want: f64) {
                self.items[self.len] = (p, got, want);
                self.len += 1;
            }
            pub fn iter(&self) -> impl Iterator<Item = (u32, f64, f64)> + '_ {
                self.items[..self.len].iter().copied()
            }
        }
    }
}
