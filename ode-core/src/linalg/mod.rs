//! Dense linear algebra on the stack, for the Newton iterations of the implicit methods.
//!
//! [`Lu`] factors an `N × N` matrix `[[S; N]; N]` (`S` real or complex) by Gaussian elimination
//! with partial pivoting and solves with the factors; nothing touches the heap. The
//! factorisation lives in a struct of fixed-size arrays, so a stepper keeps it across steps
//! and refactors in place only when its iteration matrix changes.
//!
//! [`SplitComplexLu`] does the same for a complex matrix held as separate real and imaginary
//! parts, the form in which Radau IIA's complex iteration matrix is factored fastest.

mod lu;
mod split_complex;

pub use lu::{Lu, Singular};
pub use split_complex::SplitComplexLu;
