//! The numbers odegen integrates.
//!
//! Time, step sizes, tolerances and error norms live in a [`Real`] field (`f64` or `f32`). The
//! state is made of [`Scalar`]s over that field: the reals themselves, complex numbers
//! (`num_complex::Complex`), and — with the `num-dual` feature — forward-mode dual numbers
//! (`num_dual::Dual`), so that integrating a system whose parameter is a dual number yields the
//! derivative of the solution with respect to that parameter.
//!
//! Explicit Runge–Kutta methods need only the ring operations, multiplication and division by
//! a real coefficient, and a modulus `|y_i|` for the mixed error norm. The implicit methods
//! solve linear systems in the scalar, and Radau IIA's transformed systems are solved
//! differently for real, complex and dual numbers: each scalar names its dense solver
//! ([`Scalar::RadauLu`]). That is all [`Scalar`] asks.

use crate::implicit::{ComplexRadauLu, RadauSolver, RealRadauLu};
use crate::linalg::Storage;
use core::fmt::Debug;
use core::ops::{Add, Div, Mul, Neg, Sub};
use num_complex::Complex;
use num_traits::Float;

/// A real field for time, step sizes and norms: `f64` or `f32`.
pub trait Real: Float + Scalar<Real = Self> + Default + core::fmt::Display + Send + Sync {
    /// Converts a method coefficient (stored as `f64`) into this type.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (for error reports).
    fn to_f64(self) -> f64;
}

/// An element of the state vector: a ring over a [`Real`] field with a modulus.
pub trait Scalar:
    Copy
    + Debug
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + num_traits::Zero
    + Mul<<Self as Scalar>::Real, Output = Self>
    + Div<<Self as Scalar>::Real, Output = Self>
    + Send
    + Sync
    + 'static
{
    /// The field of time and of tolerances.
    type Real: Real;
    /// The dense solver of Radau IIA's Newton systems for states of this type, with its
    /// matrices in the storage `W` and `P` complex shifts beyond the first (the solver behind
    /// [`crate::implicit::DenseRadauLu`]): [`RealRadauLu`] for real numbers, [`ComplexRadauLu`]
    /// for complex ones, `DualRadauLu` for dual ones.
    type RadauLu<const N: usize, W: Storage, const P: usize>: RadauSolver<Self, N>;
    /// The run-time sparse solver of Radau IIA's Newton systems for states of this type
    /// (feature `alloc`; what `solve_ivp` runs with [`LinearSolverKind::Sparse`]):
    /// [`RuntimeSparseRadauLu`](crate::implicit::RuntimeSparseRadauLu) for real numbers,
    /// [`RuntimeSparseComplexRadauLu`](crate::implicit::RuntimeSparseComplexRadauLu) for
    /// complex ones. Dual numbers have none ([`Scalar::SPARSE_RADAU`] is `false`; the type
    /// named is their dense solver, which `solve_ivp` then keeps).
    ///
    /// [`LinearSolverKind::Sparse`]: crate::LinearSolverKind::Sparse
    #[cfg(feature = "alloc")]
    type SparseRadauLu<const N: usize, const P: usize>: RadauSolver<Self, N>;
    /// Whether [`Scalar::SparseRadauLu`] is a sparse solver.
    #[cfg(feature = "alloc")]
    const SPARSE_RADAU: bool = true;
    /// Embeds a real number.
    fn from_real(r: Self::Real) -> Self;
    /// The magnitude used by the error norm: `|x|` for reals, the modulus for complex numbers,
    /// `hypot(re, eps)` for dual numbers (so that step-size control also keeps the derivative
    /// accurate, as DifferentialEquations.jl does for its dual numbers).
    fn modulus(self) -> Self::Real;
    /// A cheap magnitude for choosing pivots: `|x|` for reals, `|re| + |im|` for complex
    /// numbers (LAPACK's `CABS1`, which spares a square root per comparison).
    #[inline]
    fn pivot_magnitude(self) -> Self::Real {
        self.modulus()
    }
    /// Whether every component is finite.
    fn all_finite(self) -> bool;
}

macro_rules! real_impl {
    ($t:ty) => {
        impl Scalar for $t {
            type Real = $t;
            type RadauLu<const N: usize, W: Storage, const P: usize> = RealRadauLu<$t, N, W, P>;
            #[cfg(feature = "alloc")]
            type SparseRadauLu<const N: usize, const P: usize> =
                crate::implicit::RuntimeSparseRadauLu<$t, N, P>;
            #[inline]
            fn from_real(r: $t) -> $t {
                r
            }
            #[inline]
            fn modulus(self) -> $t {
                self.abs()
            }
            #[inline]
            fn all_finite(self) -> bool {
                <$t>::is_finite(self)
            }
        }
        impl Real for $t {
            #[inline]
            fn from_f64(x: f64) -> $t {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    };
}
real_impl!(f64);
real_impl!(f32);

impl<R: Real> Scalar for Complex<R> {
    type Real = R;
    type RadauLu<const N: usize, W: Storage, const P: usize> = ComplexRadauLu<R, N, W, P>;
    #[cfg(feature = "alloc")]
    type SparseRadauLu<const N: usize, const P: usize> =
        crate::implicit::RuntimeSparseComplexRadauLu<R, N, P>;
    #[inline]
    fn from_real(r: R) -> Self {
        Complex::new(r, R::zero())
    }
    #[inline]
    fn modulus(self) -> R {
        self.re.hypot(self.im)
    }
    #[inline]
    fn pivot_magnitude(self) -> R {
        self.re.abs() + self.im.abs()
    }
    #[inline]
    fn all_finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
}

#[cfg(feature = "num-dual")]
macro_rules! dual_impl {
    ($t:ty) => {
        impl Scalar for num_dual::Dual<$t> {
            type Real = $t;
            type RadauLu<const N: usize, W: Storage, const P: usize> =
                crate::implicit::DualRadauLu<$t, N, W, P>;
            #[cfg(feature = "alloc")]
            type SparseRadauLu<const N: usize, const P: usize> =
                crate::implicit::DualRadauLu<$t, N, crate::linalg::Heap, P>;
            #[cfg(feature = "alloc")]
            const SPARSE_RADAU: bool = false;
            #[inline]
            fn from_real(r: $t) -> Self {
                num_dual::Dual::from_re(r)
            }
            #[inline]
            fn modulus(self) -> $t {
                self.re.hypot(self.eps)
            }
            #[inline]
            fn all_finite(self) -> bool {
                self.re.is_finite() && self.eps.is_finite()
            }
        }
    };
}
#[cfg(feature = "num-dual")]
dual_impl!(f64);
#[cfg(feature = "num-dual")]
dual_impl!(f32);

/// Converts an `f64` method coefficient to the real field of `S`.
#[inline(always)]
pub(crate) fn coef<S: Scalar>(x: f64) -> S::Real {
    <S::Real as Real>::from_f64(x)
}
