//! Dense linear algebra on the stack, for the Newton iterations of the implicit methods.
//!
//! [`Lu`] factors an `N × N` matrix `[[S; N]; N]` (`S` real or complex) by Gaussian elimination
//! with partial pivoting and solves with the factors; nothing touches the heap. The
//! factorisation lives in a struct of fixed-size arrays, so a stepper keeps it across steps
//! and refactors in place only when its iteration matrix changes.
//!
//! [`RealComplexLu`] factors a real and a complex matrix together and solves both systems in
//! one pass, with the complex matrix held as separate real and imaginary parts and the zeros
//! of sparse factors skipped: Radau IIA's pair of iteration matrices.
//!
//! [`BandLu`] factors band matrices in `O(N·bandwidth)` storage, and [`SparseLu`] matrices of
//! a sparsity pattern known at compile time, over the structure [`symbolic`] computes once
//! (a fill-reducing order and the pattern of the factors).
//!
//! The dense ones keep their factors in a [`Storage`]: arrays in place ([`Inline`], the default), or
//! (feature `alloc`) one box per matrix ([`Heap`]), for systems too large for a stack.

mod banded;
mod lu;
mod real_complex;
mod sparse;
pub mod storage;
#[cfg(feature = "alloc")]
pub mod symbolic;

pub use banded::{BandLu, BandMatrix};
pub use lu::{Lu, Singular};
pub use real_complex::RealComplexLu;
pub use sparse::{factor_in_place, solve_in_place, LuStructure, SparseLu, SymbolicLu};
#[cfg(feature = "alloc")]
pub use storage::Heap;
pub use storage::{Inline, Storage};
