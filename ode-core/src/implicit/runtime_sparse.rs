//! The run-time sparse solvers (feature `alloc`): [`LinearSolver`] and [`RadauSolver`] over
//! the LU structure of the pattern a system reports at run time
//! ([`OdeSystem::jacobian_structure`]), for the solvers `solve_ivp` chooses by itself and for
//! hand-written systems whose structure is not a compile-time constant.
//!
//! The numeric kernel is the compile-time solvers' ([`crate::linalg::sparse`]: an up-looking
//! LU without pivoting over a fill-reducing order); the structure is the system's
//! compile-time one when it has it (`#[ode_system]`), otherwise the analysis of
//! [`crate::linalg::symbolic::analyse`] run once. Both are taken at the first Jacobian
//! evaluation and the first factorisation — the only allocations, `O(N + nnz(L + U))` —
//! and shared (an [`Arc`]) by the Jacobian and every factorisation. Nothing of size `N × N`
//! is formed, stored or zeroed, and a step allocates nothing.

use super::radau_solver::{nth_pair, solve_complex_pair, solve_real_states};
use super::{LinearSolver, RadauSolver};
use crate::error::Error;
use crate::finite_diff::{color_columns, structure_jacobian};
use crate::linalg::symbolic::{analyse, LuPattern};
use crate::linalg::Singular;
use crate::linalg::{factor_in_place, solve_in_place};
use crate::scalar::{Real, Scalar};
use crate::system::{JacobianKind, JacobianStructure, OdeSystem};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use num_complex::Complex;

/// The structure a system reported, owned: its pattern and colouring and the structure of
/// its LU factors.
#[derive(Debug)]
pub struct RuntimeStructure {
    pattern: Vec<(usize, usize)>,
    colors: Vec<usize>,
    n_colors: usize,
    lu: LuPattern,
}

impl RuntimeStructure {
    /// The structure of `sys`'s Jacobian: its own LU structure if it has one, else the
    /// analysis of its pattern.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the system reports no structure, or one that does not
    /// fit `N`.
    pub fn of<Sys: OdeSystem<N, S> + ?Sized, S: Scalar, const N: usize>(
        sys: &Sys,
    ) -> Result<Self, Error> {
        let Some(s) = sys.jacobian_structure() else {
            return Err(Error::InvalidOption {
                what: "the sparse linear solver needs the Jacobian's pattern: an #[ode_system] \
                       has it; a hand-written system implements Sparsity and \
                       OdeSystem::jacobian_structure",
            });
        };
        Self::new(N, &s)
    }

    /// The owned form of `s` for `n` equations (the LU structure analysed if `s` has none).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `s` does not fit `n`.
    pub fn new(n: usize, s: &JacobianStructure<'_>) -> Result<Self, Error> {
        let fits = s.colors.len() == n
            && s.pattern.iter().all(|&(i, j)| i < n && j < n)
            && s.lu
                .is_none_or(|lu| lu.diag.len() == n && lu.entry.len() == s.pattern.len());
        if !fits {
            return Err(Error::InvalidOption {
                what: "the Jacobian structure does not fit the system: a colour for each of the \
                       N columns, entries inside N × N and an LU structure of N rows are needed",
            });
        }
        Ok(RuntimeStructure {
            pattern: s.pattern.to_vec(),
            colors: s.colors.to_vec(),
            n_colors: s.n_colors,
            lu: match s.lu {
                Some(lu) => LuPattern::from(lu),
                None => analyse(n, s.pattern),
            },
        })
    }

    /// The structure of a pattern known only at run time, `(row, column)` entries of `n`
    /// equations (in the order the system hands out its entries, for the fastest evaluation):
    /// its columns coloured ([`color_columns`]) and its LU structure analysed ([`analyse`]),
    /// once. What a hand-written system with a run-time pattern holds and reports
    /// ([`RuntimeStructure::jacobian_structure`]).
    ///
    /// ```
    /// use ode_core::implicit::RuntimeStructure;
    /// // A 5-cycle: y_i' = y_{i+1} − y_i (mod 5).
    /// let pattern = (0..5).flat_map(|i| [(i, i), (i, (i + 1) % 5)]).collect();
    /// let s = RuntimeStructure::from_pattern(5, pattern)?;
    /// let js = s.jacobian_structure();
    /// assert_eq!((js.pattern.len(), js.colors.len()), (10, 5));
    /// assert!(js.n_colors <= 3 && js.lu.is_some());
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for an entry outside `n × n` or one given twice.
    pub fn from_pattern(n: usize, pattern: Vec<(usize, usize)>) -> Result<Self, Error> {
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(i, j) in &pattern {
            if i >= n || j >= n {
                return Err(Error::InvalidOption {
                    what: "a Jacobian pattern entry lies outside N × N",
                });
            }
            rows[i].push(j);
        }
        for r in &mut rows {
            r.sort_unstable();
            let len = r.len();
            r.dedup();
            if r.len() != len {
                return Err(Error::InvalidOption {
                    what: "a Jacobian pattern entry is given twice",
                });
            }
        }
        let (colors, n_colors) = color_columns(n, &rows);
        let lu = analyse(n, &pattern);
        Ok(RuntimeStructure {
            pattern,
            colors,
            n_colors,
            lu,
        })
    }

    /// The borrowed form, with the LU structure: what a system that holds this structure
    /// returns from [`OdeSystem::jacobian_structure`] (so no solver analyses it again).
    pub fn jacobian_structure(&self) -> JacobianStructure<'_> {
        JacobianStructure {
            lu: Some(self.lu.as_structure()),
            ..self.borrowed()
        }
    }

    /// The structure of the LU factors.
    pub fn lu(&self) -> &LuPattern {
        &self.lu
    }

    fn borrowed(&self) -> JacobianStructure<'_> {
        JacobianStructure {
            pattern: &self.pattern,
            colors: &self.colors,
            n_colors: self.n_colors,
            lu: None,
        }
    }
}

/// `J` in the positions of a run-time LU structure (zeros at the fill); empty until the first
/// evaluation.
#[derive(Debug, Clone)]
pub struct RuntimeSparseJacobian<S> {
    structure: Option<Arc<RuntimeStructure>>,
    values: Vec<S>,
}

impl<S: Scalar> RuntimeSparseJacobian<S> {
    /// The structure, once evaluated.
    pub fn structure(&self) -> Option<&RuntimeStructure> {
        self.structure.as_deref()
    }

    /// Entry `(i, j)` of `J` (zero outside the structure and before the first evaluation).
    pub fn get(&self, i: usize, j: usize) -> S {
        self.structure
            .as_ref()
            .and_then(|s| s.lu.as_structure().position(i, j))
            .map_or(S::zero(), |p| self.values[p])
    }

    fn evaluate<Sys: OdeSystem<N, S> + ?Sized, const N: usize>(
        &mut self,
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
    ) -> Result<usize, Error> {
        let structure = match &self.structure {
            Some(s) => Arc::clone(s),
            None => {
                let s = Arc::new(RuntimeStructure::of(sys)?);
                self.values = vec![S::zero(); s.lu.nnz()];
                self.structure = Some(Arc::clone(&s));
                s
            }
        };
        let lu = structure.lu.as_structure();
        let values = &mut self.values;
        structure_jacobian(sys, t, y, f, &structure.borrowed(), |k, i, j, v| {
            let p = match lu.entry.get(k) {
                Some(&p) => Some(p as usize),
                None => lu.position(i, j),
            };
            match p.and_then(|p| values.get_mut(p)) {
                Some(slot) => {
                    *slot = v;
                    true
                }
                None => false,
            }
        })
    }
}

/// One numeric factorisation over a shared run-time structure.
#[derive(Debug, Clone)]
struct Factors<S> {
    structure: Option<Arc<RuntimeStructure>>,
    values: Vec<S>,
    inv_pivot: Vec<S>,
    work: Vec<S>,
}

impl<S: Scalar> Factors<S> {
    fn empty() -> Self {
        Factors {
            structure: None,
            values: Vec::new(),
            inv_pivot: Vec::new(),
            work: Vec::new(),
        }
    }

    /// Factors `diagonal · I + A` with `A`'s entry at position `p` given by `entry(p)`, over
    /// the structure of `structure` (taken, with storage for it, the first time).
    fn factor(
        &mut self,
        structure: &Arc<RuntimeStructure>,
        diagonal: S,
        mut entry: impl FnMut(usize) -> S,
    ) -> Result<(), Singular> {
        if !self
            .structure
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, structure))
        {
            let n = structure.lu.diag.len();
            self.values = vec![S::zero(); structure.lu.nnz()];
            self.inv_pivot = vec![S::zero(); n];
            self.work = vec![S::zero(); n];
            self.structure = Some(Arc::clone(structure));
        }
        let lu = structure.lu.as_structure();
        for (p, v) in self.values.iter_mut().enumerate() {
            *v = entry(p);
        }
        for &d in lu.diag {
            self.values[d as usize] = self.values[d as usize] + diagonal;
        }
        factor_in_place(&lu, &mut self.values, &mut self.inv_pivot, &mut self.work)
    }

    /// Overwrites `b` with the solution, from the last successful factorisation (nothing
    /// before the first).
    fn solve<V, const N: usize>(&self, b: &mut [V; N])
    where
        V: Copy + num_traits::Zero + core::ops::Sub<Output = V> + core::ops::Mul<S, Output = V>,
    {
        let Some(s) = &self.structure else { return };
        let mut x = [V::zero(); N];
        solve_in_place(
            &s.lu.as_structure(),
            &self.values,
            &self.inv_pivot,
            b,
            &mut x,
        );
    }
}

/// The structure a factorisation works over: the Jacobian's (evaluated before any
/// factorisation by every method).
fn structure_of<S>(jac: &RuntimeSparseJacobian<S>) -> Result<&Arc<RuntimeStructure>, Singular> {
    jac.structure.as_ref().ok_or(Singular { column: 0 })
}

/// Gaussian elimination over the LU structure of the system's run-time pattern (module docs):
/// `2 M + 2 N` scalars for `M = nnz(L + U)`, on the heap, allocated at the first evaluation
/// and factorisation. For any scalar: real, complex or dual states.
///
/// ```
/// use ode_core::implicit::RuntimeSparseLu;
/// use ode_core::system::JacobianStructure;
/// use ode_core::{Bdf, OdeSystem, Settings, Sparsity, Stepper, Tolerances};
/// /// A chain y₀' = −y₀, y₁' = y₀ − y₁, y₂' = y₁ − y₂, reporting its pattern.
/// struct Chain;
/// impl OdeSystem<3> for Chain {
///     fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
///         *dy = [-y[0], y[0] - y[1], y[1] - y[2]];
///     }
///     fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
///         Some(JacobianStructure::of::<Self, 3>())
///     }
/// }
/// impl Sparsity<3> for Chain {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)];
///     const COLORS: [usize; 3] = [0, 1, 0];
///     const N_COLORS: usize = 2;
/// }
/// let settings = Settings::new(Tolerances::new(1e-8, 1e-10));
/// let mut s = Bdf::<_, 3, f64, ode_core::linalg::Heap, RuntimeSparseLu<f64, 3>>::with_solver(
///     Chain, 0.0, [1.0, 0.0, 0.0], 1.0, settings)?;
/// while s.t() < 1.0 {
///     s.step()?;
/// }
/// // y₂(t) = t²/2 e^{−t}.
/// assert!((s.y()[2] - 0.5 * (-1.0f64).exp()).abs() < 1e-6);
/// # Ok::<(), ode_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RuntimeSparseLu<S: Scalar, const N: usize> {
    lu: Factors<S>,
}

impl<S: Scalar, const N: usize> LinearSolver<S, N> for RuntimeSparseLu<S, N> {
    type Jacobian = RuntimeSparseJacobian<S>;

    fn zeroed() -> Self {
        RuntimeSparseLu {
            lu: Factors::empty(),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        RuntimeSparseJacobian {
            structure: None,
            values: Vec::new(),
        }
    }

    #[inline]
    fn evaluations(kind: JacobianKind) -> usize {
        // The colouring is known only once the system is asked: at most N.
        super::iteration::dense_evaluations(kind, N)
    }

    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        jac.evaluate(sys, t, y, f)
    }

    fn factor(&mut self, shift: S, scale: S::Real, jac: &Self::Jacobian) -> Result<(), Singular> {
        let structure = structure_of(jac)?;
        let values = &jac.values;
        self.lu
            .factor(structure, shift, |p| -(values[p] * S::from_real(scale)))
    }

    #[inline]
    fn solve(&self, b: &mut [S; N]) {
        self.lu.solve(b)
    }
}

/// Radau IIA's real and complex systems over the LU structure of the system's run-time
/// pattern (as [`RuntimeSparseLu`]), for real states, with `P` complex shifts beyond the first:
/// the complex systems in complex arithmetic over the same structure (`(3 + 2 P) M + O(N)`
/// reals).
#[derive(Debug, Clone)]
pub struct RuntimeSparseRadauLu<R: Real, const N: usize, const P: usize = 0> {
    real: Factors<R>,
    first: Factors<Complex<R>>,
    pairs: [Factors<Complex<R>>; P],
}

impl<R: Real, const N: usize, const P: usize> RadauSolver<R, N> for RuntimeSparseRadauLu<R, N, P> {
    type Jacobian = RuntimeSparseJacobian<R>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        RuntimeSparseRadauLu {
            real: Factors::empty(),
            first: Factors::empty(),
            pairs: core::array::from_fn(|_| Factors::empty()),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        RuntimeSparseJacobian {
            structure: None,
            values: Vec::new(),
        }
    }

    fn evaluate<Sys: OdeSystem<N, R> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[R; N],
        f: &[R; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        jac.evaluate(sys, t, y, f)
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        let structure = structure_of(jac)?;
        let values = &jac.values;
        self.real.factor(structure, gamma, |p| -values[p])?;
        let all = core::iter::once(&mut self.first).chain(self.pairs.iter_mut());
        for (lu, &shift) in all.zip(shifts) {
            lu.factor(structure, shift, |p| Complex::new(-values[p], R::zero()))?;
        }
        Ok(())
    }

    #[inline]
    fn solve_real(&self, b: &mut [R; N]) {
        self.real.solve(b)
    }

    fn solve(&self, r: &mut [[R; N]], pairs: usize) {
        solve_real_states(
            r,
            pairs,
            P + 1,
            |b| self.real.solve(b),
            |k, z| nth_pair(&self.first, &self.pairs, k).solve(z),
        );
    }
}

/// Radau IIA's systems over the LU structure of the system's run-time pattern (as
/// [`RuntimeSparseLu`]) for complex states, with `P` complex shifts beyond the first: `J` is
/// complex, so each pair system is solved through its eigenvectors with the factors of
/// `(α + iβ) I − J` and `(α − iβ) I − J`, as the dense
/// [`ComplexRadauLu`](super::ComplexRadauLu) does (`(5 + 4 P) M + O(N)` reals).
#[derive(Debug, Clone)]
pub struct RuntimeSparseComplexRadauLu<R: Real, const N: usize, const P: usize = 0> {
    real: Factors<Complex<R>>,
    first: [Factors<Complex<R>>; 2],
    pairs: [[Factors<Complex<R>>; 2]; P],
}

impl<R: Real, const N: usize, const P: usize> RadauSolver<Complex<R>, N>
    for RuntimeSparseComplexRadauLu<R, N, P>
{
    type Jacobian = RuntimeSparseJacobian<Complex<R>>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        RuntimeSparseComplexRadauLu {
            real: Factors::empty(),
            first: [Factors::empty(), Factors::empty()],
            pairs: core::array::from_fn(|_| [Factors::empty(), Factors::empty()]),
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        RuntimeSparseJacobian {
            structure: None,
            values: Vec::new(),
        }
    }

    fn evaluate<Sys: OdeSystem<N, Complex<R>> + ?Sized>(
        sys: &Sys,
        t: R,
        y: &[Complex<R>; N],
        f: &[Complex<R>; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        jac.evaluate(sys, t, y, f)
    }

    fn factor(
        &mut self,
        gamma: R,
        shifts: &[Complex<R>],
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        let structure = structure_of(jac)?;
        let values = &jac.values;
        let gamma = Complex::new(gamma, R::zero());
        self.real.factor(structure, gamma, |p| -values[p])?;
        let all = core::iter::once(&mut self.first).chain(self.pairs.iter_mut());
        for ([plus, minus], &shift) in all.zip(shifts) {
            plus.factor(structure, shift, |p| -values[p])?;
            minus.factor(structure, shift.conj(), |p| -values[p])?;
        }
        Ok(())
    }

    #[inline]
    fn solve_real(&self, b: &mut [Complex<R>; N]) {
        self.real.solve(b)
    }

    fn solve(&self, r: &mut [[Complex<R>; N]], pairs: usize) {
        let Some((r0, rest)) = r.split_first_mut() else {
            return;
        };
        self.real.solve(r0);
        let all = core::iter::once(&self.first).chain(self.pairs.iter());
        for ([plus, minus], pair) in all.zip(rest.chunks_exact_mut(2)).take(pairs) {
            let [u, v] = pair else {
                return;
            };
            solve_complex_pair(u, v, |p| plus.solve(p), |q| minus.solve(q));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sparsity;

    /// A 4-cycle y_i' = y_{i−1} − 2 y_i + y_{i+1} (periodic), reporting its pattern.
    struct Ring;
    impl OdeSystem<4> for Ring {
        fn rhs(&self, _t: f64, y: &[f64; 4], dy: &mut [f64; 4]) {
            for i in 0..4 {
                dy[i] = y[(i + 3) % 4] - 2.0 * y[i] + y[(i + 1) % 4];
            }
        }
        fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
            Some(JacobianStructure::of::<Self, 4>())
        }
    }
    impl Sparsity<4> for Ring {
        const PATTERN: &'static [(usize, usize)] = &[
            (0, 0),
            (0, 1),
            (0, 3),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 1),
            (2, 2),
            (2, 3),
            (3, 0),
            (3, 2),
            (3, 3),
        ];
        const COLORS: [usize; 4] = [0, 1, 2, 3];
        const N_COLORS: usize = 4;
    }

    /// `(c I − J) x = b` by the run-time sparse LU against the dense LU of the same matrix,
    /// for real and complex shifts; J by coloured differences.
    #[test]
    fn solves_like_the_dense_lu_for_real_and_complex_shifts() {
        let y = [1.0, 2.0, -1.0, 0.5];
        let mut f = [0.0; 4];
        Ring.rhs(0.0, &y, &mut f);
        let mut jac = <RuntimeSparseLu<f64, 4> as LinearSolver<f64, 4>>::zero_jacobian();
        let spent = RuntimeSparseLu::<f64, 4>::evaluate(&Ring, 0.0, &y, &f, &mut jac).unwrap();
        assert_eq!(spent, 4);
        // J exactly: −2 on the diagonal, 1 beside it (cyclically); the differences of a
        // linear f are exact to rounding.
        for i in 0..4 {
            for j in 0..4 {
                let exact = if i == j {
                    -2.0
                } else if (i + 1) % 4 == j || (j + 1) % 4 == i {
                    1.0
                } else {
                    0.0
                };
                assert!((jac.get(i, j) - exact).abs() < 1e-7, "({i}, {j})");
            }
        }
        let mut lu = <RuntimeSparseLu<f64, 4> as LinearSolver<f64, 4>>::zeroed();
        lu.factor(3.0, 1.0, &jac).unwrap();
        // (3 I − J) x = b with x = (1, −1, 2, 0): row i is 5 x_i − x_{i−1} − x_{i+1}.
        let x = [1.0, -1.0, 2.0, 0.0];
        let mut b: [f64; 4] =
            core::array::from_fn(|i| 5.0 * x[i] - x[(i + 3) % 4] - x[(i + 1) % 4]);
        lu.solve(&mut b);
        for i in 0..4 {
            assert!((b[i] - x[i]).abs() < 1e-6, "{b:?}");
        }
        let mut radau = <RuntimeSparseRadauLu<f64, 4> as RadauSolver<f64, 4>>::zeroed();
        let shift = Complex::new(2.0, 1.5);
        radau.factor(3.0, &[shift], &jac).unwrap();
        // The pair system (s I − J) z = r, z = x + i x/2.
        let z: [Complex<f64>; 4] = core::array::from_fn(|i| Complex::new(x[i], 0.5 * x[i]));
        let rhs: [Complex<f64>; 4] =
            core::array::from_fn(|i| (shift + 2.0) * z[i] - z[(i + 3) % 4] - z[(i + 1) % 4]);
        let mut r = [[0.0; 4]; 3];
        r[0] = core::array::from_fn(|i| 5.0 * x[i] - x[(i + 3) % 4] - x[(i + 1) % 4]);
        r[1] = rhs.map(|c| c.re);
        r[2] = rhs.map(|c| c.im);
        radau.solve(&mut r, 1);
        for i in 0..4 {
            assert!((r[0][i] - x[i]).abs() < 1e-6);
            assert!((r[1][i] - z[i].re).abs() < 1e-6 && (r[2][i] - z[i].im).abs() < 1e-6);
        }
    }

    /// The 4-cycle scaled by `c = 1 + i/2`: a complex Jacobian with the same pattern.
    struct ComplexRing;
    const C: Complex<f64> = Complex::new(1.0, 0.5);
    impl OdeSystem<4, Complex<f64>> for ComplexRing {
        fn rhs(&self, _t: f64, y: &[Complex<f64>; 4], dy: &mut [Complex<f64>; 4]) {
            for i in 0..4 {
                dy[i] = C * (y[(i + 3) % 4] - y[i] * 2.0 + y[(i + 1) % 4]);
            }
        }
        fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
            Some(JacobianStructure::of::<Ring, 4>())
        }
    }

    /// Radau's real and pair systems for complex states, checked by their residuals: the real
    /// system `(γ I − J) x = b`, and the pair system
    /// `[[α I − J, −β I], [β I, α I − J]] (u, v) = (r_u, r_v)` with a complex `J`.
    #[test]
    fn solves_the_complex_state_systems() {
        type Lu = RuntimeSparseComplexRadauLu<f64, 4>;
        let z = |re: f64, im: f64| Complex::new(re, im);
        let y = [z(1.0, 0.0); 4];
        let mut f = [z(0.0, 0.0); 4];
        ComplexRing.rhs(0.0, &y, &mut f);
        let mut jac = <Lu as RadauSolver<Complex<f64>, 4>>::zero_jacobian();
        Lu::evaluate(&ComplexRing, 0.0, &y, &f, &mut jac).unwrap();
        // J x for the exact J = c · ring.
        let apply = |x: &[Complex<f64>; 4]| -> [Complex<f64>; 4] {
            core::array::from_fn(|i| C * (x[(i + 3) % 4] - x[i] * 2.0 + x[(i + 1) % 4]))
        };
        let (gamma, shift) = (3.0, z(2.0, 1.5));
        let mut lu = <Lu as RadauSolver<Complex<f64>, 4>>::zeroed();
        lu.factor(gamma, &[shift], &jac).unwrap();
        let x = [z(1.0, -1.0), z(-1.0, 0.5), z(2.0, 0.0), z(0.0, 3.0)];
        let u = [z(0.5, 1.0), z(1.0, 0.0), z(-2.0, 1.0), z(0.0, -1.0)];
        let v = [z(1.0, 1.0), z(0.0, -2.0), z(0.5, 0.5), z(3.0, 0.0)];
        let (jx, ju, jv) = (apply(&x), apply(&u), apply(&v));
        let mut r = [[z(0.0, 0.0); 4]; 3];
        for i in 0..4 {
            r[0][i] = x[i] * gamma - jx[i];
            r[1][i] = u[i] * shift.re - ju[i] - v[i] * shift.im;
            r[2][i] = u[i] * shift.im + v[i] * shift.re - jv[i];
        }
        let mut b = r[0];
        lu.solve_real(&mut b);
        lu.solve(&mut r, 1);
        for i in 0..4 {
            assert!((b[i] - x[i]).norm() < 1e-6, "{b:?}");
            assert!((r[0][i] - x[i]).norm() < 1e-6);
            assert!((r[1][i] - u[i]).norm() < 1e-6, "{:?}", r[1]);
            assert!((r[2][i] - v[i]).norm() < 1e-6, "{:?}", r[2]);
        }
    }

    /// A system without a structure, or with one that does not fit, is a clear error.
    #[test]
    fn a_missing_or_misfit_structure_is_an_error() {
        struct Plain;
        impl OdeSystem<2> for Plain {
            fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) {
                *dy = [-y[0], -y[1]];
            }
        }
        let mut jac = <RuntimeSparseLu<f64, 2> as LinearSolver<f64, 2>>::zero_jacobian();
        let e = RuntimeSparseLu::<f64, 2>::evaluate(&Plain, 0.0, &[1.0; 2], &[-1.0; 2], &mut jac);
        assert!(matches!(e, Err(Error::InvalidOption { .. })), "{e:?}");
        let bad = JacobianStructure {
            pattern: &[(0, 0), (5, 1)],
            colors: &[0, 0],
            n_colors: 1,
            lu: None,
        };
        assert!(matches!(
            RuntimeStructure::new(2, &bad),
            Err(Error::InvalidOption { .. })
        ));
        // Factoring before any evaluation is Singular, never a panic.
        let mut lu = <RuntimeSparseLu<f64, 2> as LinearSolver<f64, 2>>::zeroed();
        assert!(lu.factor(1.0, 1.0, &jac).is_err());
    }
}
