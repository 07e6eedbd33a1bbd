//! Dense linear algebra on the stack, for the Newton iterations of the implicit methods.
//!
//! [`Lu`] factors an `N × N` matrix `[[S; N]; N]` (`S` real or complex) by Gaussian elimination
//! with partial pivoting and solves with the factors; nothing touches the heap. The
//! factorisation lives in a struct of fixed-size arrays, so a stepper keeps it across steps
//! and refactors in place only when its iteration matrix changes.

mod lu;

pub use lu::{Lu, Singular};
