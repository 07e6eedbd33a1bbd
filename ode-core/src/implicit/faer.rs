//! faer's sparse LU behind the solver seams (feature `faer`): [`FaerSparseLu`] and
//! [`FaerSparseRadauLu`].
//!
//! The pattern is the system's ([`Sparsity`], a type parameter), stored by compressed columns
//! with its diagonal. faer's symbolic analysis — the COLAMD column ordering (Davis, Gilbert,
//! Larimore & Ng, *ACM TOMS* 30, 2004) and the choice between its simplicial and supernodal
//! factorisations — runs once, when the solver is made; every later factorisation is numeric
//! only, with partial pivoting by rows (so, unlike [`super::StaticSparseLu`], no assumption on
//! the matrix), into storage kept across steps. Radau's complex systems are factored as complex
//! matrices with the same symbolic analysis.
//!
//! What allocates: making the solver (the structure, the analysis, the work buffer). faer
//! sizes its numeric factors by the pivots it meets, so a refactorisation whose pivots fill in
//! more than any before may grow them (measured in the tests: none after the first on the
//! problems there).

use super::radau_solver::solve_real_states;
use super::{LinearSolver, RadauSolver};
use crate::error::Error;
use crate::finite_diff::pattern_jacobian;
use crate::linalg::Singular;
use crate::scalar::{Real, Scalar};
use crate::system::{JacobianKind, OdeSystem, Sparsity};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::marker::PhantomData;
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::sparse::linalg::lu::{factorize_symbolic_lu, LuRef, NumericLu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::traits::ComplexField;
use faer::{Conj, MatMut, Par};
use num_complex::Complex;

/// A pattern with its diagonal, by compressed columns, and where its entries went.
#[derive(Debug)]
struct Csc {
    n: usize,
    col_ptr: Vec<u32>,
    row_idx: Vec<u32>,
    /// The position of `(j, j)`.
    diag: Vec<u32>,
    /// The position of the `k`-th entry of the pattern.
    entry: Vec<u32>,
}

impl Csc {
    fn of<Pat: Sparsity<N> + ?Sized, const N: usize>() -> Csc {
        let mut cols: Vec<Vec<u32>> = (0..N).map(|j| alloc::vec![j as u32]).collect();
        for &(i, j) in Pat::PATTERN {
            if i < N && j < N {
                cols[j].push(i as u32);
            }
        }
        let (mut col_ptr, mut row_idx, mut diag) =
            (Vec::with_capacity(N + 1), Vec::new(), Vec::new());
        for (j, c) in cols.iter_mut().enumerate() {
            c.sort_unstable();
            c.dedup();
            col_ptr.push(row_idx.len() as u32);
            let d = c.binary_search(&(j as u32)).unwrap_or(0);
            diag.push((row_idx.len() + d) as u32);
            row_idx.extend_from_slice(c);
        }
        col_ptr.push(row_idx.len() as u32);
        let mut csc = Csc {
            n: N,
            col_ptr,
            row_idx,
            diag,
            entry: Vec::new(),
        };
        csc.entry = Pat::PATTERN
            .iter()
            .map(|&(i, j)| csc.position(i, j).map_or(u32::MAX, |p| p as u32))
            .collect();
        csc
    }

    fn position(&self, i: usize, j: usize) -> Option<usize> {
        if i >= self.n || j >= self.n {
            return None;
        }
        let (a, b) = (self.col_ptr[j] as usize, self.col_ptr[j + 1] as usize);
        self.row_idx[a..b]
            .binary_search(&(i as u32))
            .ok()
            .map(|k| a + k)
    }

    fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    fn symbolic(&self) -> SymbolicSparseColMatRef<'_, u32> {
        SymbolicSparseColMatRef::new_checked(self.n, self.n, &self.col_ptr, None, &self.row_idx)
    }
}

/// `J` by compressed columns of the pattern of `Pat` (with its diagonal), for the faer solvers.
pub struct FaerJacobian<S, Pat> {
    csc: Arc<Csc>,
    values: Vec<S>,
    pattern: PhantomData<fn() -> Pat>,
}

impl<S: Clone, Pat> Clone for FaerJacobian<S, Pat> {
    fn clone(&self) -> Self {
        FaerJacobian {
            csc: self.csc.clone(),
            values: self.values.clone(),
            pattern: PhantomData,
        }
    }
}

impl<S, Pat> core::fmt::Debug for FaerJacobian<S, Pat> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaerJacobian")
            .field("nnz", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl<S: Scalar, Pat> FaerJacobian<S, Pat> {
    fn new<const N: usize>() -> Self
    where
        Pat: Sparsity<N>,
    {
        let csc = Arc::new(Csc::of::<Pat, N>());
        FaerJacobian {
            values: alloc::vec![S::zero(); csc.nnz()],
            csc,
            pattern: PhantomData,
        }
    }

    /// Entry `(i, j)` (zero outside the pattern).
    pub fn get(&self, i: usize, j: usize) -> S {
        self.csc
            .position(i, j)
            .map_or(S::zero(), |p| self.values[p])
    }

    fn evaluate<Sys: OdeSystem<N, S> + ?Sized, const N: usize>(
        &mut self,
        sys: &Sys,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
    ) -> Result<usize, Error>
    where
        Pat: Sparsity<N>,
    {
        let csc = &*self.csc;
        let values = &mut self.values;
        pattern_jacobian::<Sys, Pat, S, N>(sys, t, y, f, |k, i, j, v| {
            let p = match csc.entry.get(k) {
                Some(&p) if p != u32::MAX => Some(p as usize),
                _ => csc.position(i, j),
            };
            match p {
                Some(p) => {
                    values[p] = v;
                    true
                }
                None => false,
            }
        })
    }
}

/// One matrix's numeric factors over a shared symbolic analysis, with its work buffer.
struct Factors<T> {
    numeric: NumericLu<u32, T>,
    values: Vec<T>,
    stack: RefCell<MemBuffer>,
    req: StackReq,
}

impl<T: ComplexField + Copy> Factors<T> {
    fn new(symbolic: &SymbolicLu<u32>, nnz: usize, zero: T) -> Self {
        let req = StackReq::any_of(&[
            symbolic.factorize_numeric_lu_scratch::<T>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<T>(1, Par::Seq),
        ]);
        Factors {
            numeric: NumericLu::new(),
            values: alloc::vec![zero; nnz],
            stack: RefCell::new(MemBuffer::new(req)),
            req,
        }
    }

    /// Factors the matrix whose values (in the structure's positions) are already in place.
    fn factor(&mut self, csc: &Csc, symbolic: &SymbolicLu<u32>) -> Result<(), Singular> {
        let a = SparseColMatRef::new(csc.symbolic(), &self.values);
        let mut buf = self.stack.borrow_mut();
        symbolic
            .factorize_numeric_lu(
                &mut self.numeric,
                a,
                Par::Seq,
                MemStack::new(&mut buf),
                Default::default(),
            )
            .map(|_| ())
            .map_err(|_| Singular { column: 0 })
    }

    fn solve(&self, symbolic: &SymbolicLu<u32>, b: &mut [T]) {
        let n = b.len();
        let lu = LuRef::new_unchecked(symbolic, &self.numeric);
        let mut buf = self.stack.borrow_mut();
        lu.solve_in_place_with_conj(
            Conj::No,
            MatMut::from_column_major_slice_mut(b, n, 1),
            Par::Seq,
            MemStack::new(&mut buf),
        );
    }
}

impl<T: Clone> Clone for Factors<T> {
    fn clone(&self) -> Self {
        Factors {
            numeric: self.numeric.clone(),
            values: self.values.clone(),
            stack: RefCell::new(MemBuffer::new(self.req)),
            req: self.req,
        }
    }
}

/// Whether every value is finite (faer's pivoting takes NaN for a number).
fn all_finite<T: Scalar>(values: &[T]) -> Result<(), Singular> {
    match values.iter().position(|v| !v.all_finite()) {
        Some(p) => Err(Singular { column: p }),
        None => Ok(()),
    }
}

fn analyse(csc: &Csc) -> SymbolicLu<u32> {
    match factorize_symbolic_lu(csc.symbolic(), Default::default()) {
        Ok(s) => s,
        Err(e) => panic!("faer's symbolic LU ran out of memory: {e:?}"),
    }
}

/// faer's sparse LU with partial pivoting (module docs) for `(c I − J) x = b`, `J` in the
/// pattern of `Pat` (usually the system itself: an `#[ode_system]` implements [`Sparsity`]).
///
/// ```
/// use ode_core::implicit::FaerSparseLu;
/// use ode_core::{OdeSystem, Rodas5P, Settings, Sparsity, Stepper, Tolerances};
/// /// A chain y₀' = −y₀, y₁' = y₀ − y₁, y₂' = y₁ − y₂.
/// struct Chain;
/// impl OdeSystem<3> for Chain {
///     fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
///         *dy = [-y[0], y[0] - y[1], y[1] - y[2]];
///     }
/// }
/// impl Sparsity<3> for Chain {
///     const PATTERN: &'static [(usize, usize)] = &[(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)];
///     const COLORS: [usize; 3] = [0, 1, 0];
///     const N_COLORS: usize = 2;
/// }
/// let settings = Settings::new(Tolerances::new(1e-8, 1e-10));
/// let mut s = Rodas5P::<_, 3, f64, FaerSparseLu<f64, 3, Chain>>::with_solver(
///     Chain, 0.0, [1.0, 0.0, 0.0], 1.0, settings,
/// )?;
/// while s.t() < 1.0 {
///     s.step()?;
/// }
/// assert!((s.y()[2] - 0.5 * (-1.0f64).exp()).abs() < 1e-7); // y₂ = t²/2 e^{−t}
/// # Ok::<(), ode_core::Error>(())
/// ```
pub struct FaerSparseLu<S: Scalar, const N: usize, Pat> {
    csc: Arc<Csc>,
    symbolic: SymbolicLu<u32>,
    factors: Factors<S>,
    pattern: PhantomData<fn() -> Pat>,
}

impl<S: Scalar, const N: usize, Pat> Clone for FaerSparseLu<S, N, Pat> {
    fn clone(&self) -> Self {
        FaerSparseLu {
            csc: self.csc.clone(),
            symbolic: self.symbolic.clone(),
            factors: self.factors.clone(),
            pattern: PhantomData,
        }
    }
}

impl<S: Scalar, const N: usize, Pat> core::fmt::Debug for FaerSparseLu<S, N, Pat> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaerSparseLu")
            .field("n", &N)
            .field("nnz", &self.csc.nnz())
            .finish_non_exhaustive()
    }
}

impl<S, const N: usize, Pat> LinearSolver<S, N> for FaerSparseLu<S, N, Pat>
where
    S: Scalar + ComplexField,
    Pat: Sparsity<N>,
{
    type Jacobian = FaerJacobian<S, Pat>;

    fn zeroed() -> Self {
        let csc = Arc::new(Csc::of::<Pat, N>());
        let symbolic = analyse(&csc);
        FaerSparseLu {
            factors: Factors::new(&symbolic, csc.nnz(), S::zero()),
            csc,
            symbolic,
            pattern: PhantomData,
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        FaerJacobian::new::<N>()
    }

    #[inline]
    fn evaluations(_kind: JacobianKind) -> usize {
        Pat::N_COLORS.min(N)
    }

    fn evaluate<Sys: OdeSystem<N, S> + ?Sized>(
        sys: &Sys,
        t: <S as Scalar>::Real,
        y: &[S; N],
        f: &[S; N],
        jac: &mut Self::Jacobian,
    ) -> Result<usize, Error> {
        jac.evaluate(sys, t, y, f)
    }

    fn factor(
        &mut self,
        shift: S,
        scale: <S as Scalar>::Real,
        jac: &Self::Jacobian,
    ) -> Result<(), Singular> {
        for (v, &j) in self.factors.values.iter_mut().zip(&jac.values) {
            *v = -(j * scale);
        }
        for &d in &self.csc.diag {
            let v = &mut self.factors.values[d as usize];
            *v += shift;
        }
        all_finite(&self.factors.values)?;
        self.factors.factor(&self.csc, &self.symbolic)
    }

    fn solve(&self, b: &mut [S; N]) {
        self.factors.solve(&self.symbolic, b)
    }
}

/// Radau IIA's real and complex systems by faer's sparse LU (as [`FaerSparseLu`]), for real
/// states, with `P` complex shifts beyond the first: one symbolic analysis for all of them.
pub struct FaerSparseRadauLu<R: Real, const N: usize, Pat, const P: usize = 0> {
    csc: Arc<Csc>,
    symbolic: SymbolicLu<u32>,
    real: Factors<R>,
    /// The first shift's and then the `P` others'.
    complex: Vec<Factors<Complex<R>>>,
    pattern: PhantomData<fn() -> Pat>,
}

impl<R: Real, const N: usize, Pat, const P: usize> Clone for FaerSparseRadauLu<R, N, Pat, P> {
    fn clone(&self) -> Self {
        FaerSparseRadauLu {
            csc: self.csc.clone(),
            symbolic: self.symbolic.clone(),
            real: self.real.clone(),
            complex: self.complex.clone(),
            pattern: PhantomData,
        }
    }
}

impl<R: Real, const N: usize, Pat, const P: usize> core::fmt::Debug
    for FaerSparseRadauLu<R, N, Pat, P>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaerSparseRadauLu")
            .field("n", &N)
            .field("nnz", &self.csc.nnz())
            .field("pairs", &(P + 1))
            .finish_non_exhaustive()
    }
}

impl<R, const N: usize, Pat, const P: usize> RadauSolver<R, N> for FaerSparseRadauLu<R, N, Pat, P>
where
    R: Real + ComplexField,
    Complex<R>: ComplexField,
    Pat: Sparsity<N>,
{
    type Jacobian = FaerJacobian<R, Pat>;
    const PAIRS: usize = P + 1;

    fn zeroed() -> Self {
        let csc = Arc::new(Csc::of::<Pat, N>());
        let symbolic = analyse(&csc);
        let nnz = csc.nnz();
        let zero = Complex::new(R::zero(), R::zero());
        FaerSparseRadauLu {
            real: Factors::new(&symbolic, nnz, R::zero()),
            complex: (0..=P)
                .map(|_| Factors::new(&symbolic, nnz, zero))
                .collect(),
            csc,
            symbolic,
            pattern: PhantomData,
        }
    }

    fn zero_jacobian() -> Self::Jacobian {
        FaerJacobian::new::<N>()
    }

    #[inline]
    fn evaluations(_kind: JacobianKind) -> usize {
        Pat::N_COLORS.min(N)
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
        all_finite(&jac.values)?;
        for (v, &j) in self.real.values.iter_mut().zip(&jac.values) {
            *v = -j;
        }
        for &d in &self.csc.diag {
            self.real.values[d as usize] += gamma;
        }
        self.real.factor(&self.csc, &self.symbolic)?;
        for (lu, &shift) in self.complex.iter_mut().zip(shifts) {
            for (v, &j) in lu.values.iter_mut().zip(&jac.values) {
                *v = Complex::new(-j, R::zero());
            }
            for &d in &self.csc.diag {
                lu.values[d as usize] += shift;
            }
            lu.factor(&self.csc, &self.symbolic)?;
        }
        Ok(())
    }

    fn solve_real(&self, b: &mut [R; N]) {
        self.real.solve(&self.symbolic, b)
    }

    fn solve(&self, r: &mut [[R; N]], pairs: usize) {
        let real = |b: &mut [R; N]| self.real.solve(&self.symbolic, b);
        solve_real_states(r, pairs, self.complex.len(), real, |k, z| {
            self.complex[k].solve(&self.symbolic, z)
        });
    }
}
