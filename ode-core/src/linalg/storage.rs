//! Where the dense `N × N` work areas of the implicit methods live.
//!
//! A Jacobian and its factors hold `N²` scalars each: 8 MB for `N = 1000` in `f64`. In the
//! allocation-free steppers they are arrays inside the stepper ([`Inline`]), so the stepper is
//! as large as they are and lives wherever its owner puts it. With the feature `alloc`,
//! [`Heap`] keeps each of them in a box of its own, allocated once when the stepper is made
//! (`vec!` fills it row by row, so a matrix never passes through the stack), and the stepper
//! itself is `O(N)`: what `solve_ivp` uses, so that a large system runs on any thread.
//! Both give the code that uses them a `&[[T; N]; N]`, with every size known at compile time.

use core::fmt::Debug;
use core::ops::{Deref, DerefMut};

/// A kind of storage for `N × N` matrices: [`Inline`] arrays or (feature `alloc`) [`Heap`]
/// boxes.
pub trait Storage: Copy + Debug + Default + PartialEq + 'static {
    /// An `N × N` matrix of `T` in this storage.
    type Matrix<T: Copy + Debug, const N: usize>: Deref<Target = [[T; N]; N]>
        + DerefMut
        + Clone
        + Debug;

    /// A matrix with every entry `zero`.
    fn matrix<T: Copy + Debug, const N: usize>(zero: T) -> Self::Matrix<T, N>;

    /// An array of `M` values of `T` in this storage (a sparse factor's entries).
    type Array<T: Copy + Debug, const M: usize>: Deref<Target = [T; M]> + DerefMut + Clone + Debug;

    /// An array with every entry `zero`.
    fn array<T: Copy + Debug, const M: usize>(zero: T) -> Self::Array<T, M>;
}

/// `M` values held in place ([`Inline`] storage).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InlineArray<T, const M: usize>(pub [T; M]);

impl<T, const M: usize> Deref for InlineArray<T, M> {
    type Target = [T; M];
    #[inline(always)]
    fn deref(&self) -> &[T; M] {
        &self.0
    }
}

impl<T, const M: usize> DerefMut for InlineArray<T, M> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T; M] {
        &mut self.0
    }
}

/// Matrices as arrays inside their owner: no allocation, `no_std`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inline;

/// An `N × N` array held in place ([`Inline`] storage).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InlineMatrix<T, const N: usize>(pub [[T; N]; N]);

impl<T, const N: usize> Deref for InlineMatrix<T, N> {
    type Target = [[T; N]; N];
    #[inline(always)]
    fn deref(&self) -> &[[T; N]; N] {
        &self.0
    }
}

impl<T, const N: usize> DerefMut for InlineMatrix<T, N> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [[T; N]; N] {
        &mut self.0
    }
}

impl Storage for Inline {
    type Matrix<T: Copy + Debug, const N: usize> = InlineMatrix<T, N>;

    #[inline]
    fn matrix<T: Copy + Debug, const N: usize>(zero: T) -> InlineMatrix<T, N> {
        InlineMatrix([[zero; N]; N])
    }

    type Array<T: Copy + Debug, const M: usize> = InlineArray<T, M>;

    #[inline]
    fn array<T: Copy + Debug, const M: usize>(zero: T) -> InlineArray<T, M> {
        InlineArray([zero; M])
    }
}

/// Matrices in boxes of their own, allocated once when their owner is made (feature `alloc`).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Heap;

#[cfg(feature = "alloc")]
impl Storage for Heap {
    type Matrix<T: Copy + Debug, const N: usize> = alloc::boxed::Box<[[T; N]; N]>;

    fn matrix<T: Copy + Debug, const N: usize>(zero: T) -> alloc::boxed::Box<[[T; N]; N]> {
        let rows: alloc::boxed::Box<[[T; N]]> = alloc::vec![[zero; N]; N].into_boxed_slice();
        match rows.try_into() {
            Ok(m) => m,
            Err(_) => unreachable!("vec! made exactly N rows"),
        }
    }

    type Array<T: Copy + Debug, const M: usize> = alloc::boxed::Box<[T; M]>;

    fn array<T: Copy + Debug, const M: usize>(zero: T) -> alloc::boxed::Box<[T; M]> {
        let all: alloc::boxed::Box<[T]> = alloc::vec![zero; M].into_boxed_slice();
        match all.try_into() {
            Ok(a) => a,
            Err(_) => unreachable!("vec! made exactly M values"),
        }
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn both_storages_give_zeroed_matrices_of_the_size_asked() {
        let a = Inline::matrix::<f64, 3>(0.0);
        let b = Heap::matrix::<f64, 3>(0.0);
        assert_eq!(*a, [[0.0; 3]; 3]);
        assert_eq!(*b, [[0.0; 3]; 3]);
        // A heap matrix far larger than a thread's stack.
        let big = Heap::matrix::<f64, 2000>(1.0);
        assert_eq!(big[1999][1999], 1.0);
        assert_eq!(core::mem::size_of_val(&big), core::mem::size_of::<usize>());
    }
}
