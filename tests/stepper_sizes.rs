//! The sizes the steppers document (`core::mem::size_of`), for a family of `N`: the implicit
//! methods hold dense `N × N` matrices (Radau5 about `4·N²` reals, AdaptiveRadau `8·N²`, Bdf
//! `2·N²`), the explicit ones `O(N)` (DOP853: its 13 stages and a few state vectors).

use odegen::prelude::*;
use std::mem::size_of;

struct Zero;
impl<const N: usize> OdeSystem<N> for Zero {
    fn rhs(&self, _t: f64, _y: &[f64; N], dy: &mut [f64; N]) {
        *dy = [0.0; N];
    }
}

/// `size_of` between `lead·N²·8` and `lead·N²·8 + per_n·N·8 + 4096` bytes.
fn within(what: &str, n: usize, size: usize, lead: usize, per_n: usize) {
    let lo = lead * n * n * 8;
    let hi = lo + per_n * n * 8 + 4096;
    assert!(
        (lo..=hi).contains(&size),
        "{what}, N = {n}: {size} bytes, documented {lo}..={hi}"
    );
}

macro_rules! sizes {
    ($($n:literal)*) => {$(
        within("Radau5", $n, size_of::<Radau5<Zero, $n>>(), 4, 40);
        within("AdaptiveRadau", $n, size_of::<AdaptiveRadau<Zero, $n>>(), 8, 80);
        within("Bdf", $n, size_of::<Bdf<Zero, $n>>(), 2, 40);
        within("Dop853", $n, size_of::<Dop853<Zero, $n>>(), 0, 40);
    )*};
}

#[test]
fn steppers_have_their_documented_sizes() {
    sizes!(1 2 10 50 100 200 500 1000);
}
