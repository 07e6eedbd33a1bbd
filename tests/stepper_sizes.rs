//! The sizes the steppers document (`core::mem::size_of`), for a family of `N`: the implicit
//! methods hold dense `N × N` matrices (Radau5 about `4·N²` reals, AdaptiveRadau `8·N²`, Bdf
//! `2·N²`), the explicit ones `O(N)` (DOP853: its 13 stages and a few state vectors).

use odegen::prelude::*;
use odegen::Stats;
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
        within("Rodas5P", $n, size_of::<Rodas5P<Zero, $n>>(), 2, 20);
        within("Rosenbrock23", $n, size_of::<Rosenbrock23<Zero, $n>>(), 2, 20);
        within("Dop853", $n, size_of::<Dop853<Zero, $n>>(), 0, 40);
    )*};
}

#[test]
fn steppers_have_their_documented_sizes() {
    sizes!(1 2 10 50 100 200 500 1000);
}

/// A chain `y_i' = −y_i + y_{i−1}`, with the finite-difference Jacobian.
struct Chain;
impl<const N: usize> OdeSystem<N> for Chain {
    fn rhs(&self, _t: f64, y: &[f64; N], dy: &mut [f64; N]) {
        for i in 0..N {
            dy[i] = -y[i] + if i > 0 { y[i - 1] } else { 0.0 };
        }
    }
}

/// Runs `st` to its end; returns the final state and the counters.
fn run_out<St: Stepper<f64, N>, const N: usize>(mut st: St) -> ([f64; N], Stats) {
    while !st.is_finished() {
        st.step().unwrap();
    }
    (*st.y(), st.stats())
}

/// The boxed steppers (`Radau5::boxed`, ..., what `solve_ivp` uses: each `N × N` matrix on the
/// heap) take exactly the steps of the inline ones, and are `O(N)` in size themselves.
#[test]
fn boxed_steppers_step_exactly_as_the_inline_ones() {
    fn compare<const N: usize>() {
        let mut y0 = [0.0; N];
        y0[0] = 1.0;
        let tol = Tolerances::new(1e-8, 1e-12);
        let a = run_out(Radau5::new(Chain, 0.0, y0, 5.0, tol).unwrap());
        let b = run_out(Radau5::boxed(Chain, 0.0, y0, 5.0, tol).unwrap());
        assert_eq!(a, b, "Radau5, N = {N}");
        let a = run_out(AdaptiveRadau::new(Chain, 0.0, y0, 5.0, tol).unwrap());
        let b = run_out(AdaptiveRadau::boxed(Chain, 0.0, y0, 5.0, tol).unwrap());
        assert_eq!(a, b, "AdaptiveRadau, N = {N}");
        let a = run_out(Bdf::new(Chain, 0.0, y0, 5.0, tol).unwrap());
        let b = run_out(Bdf::boxed(Chain, 0.0, y0, 5.0, tol).unwrap());
        assert_eq!(a, b, "Bdf, N = {N}");
        let a = run_out(Rodas5P::new(Chain, 0.0, y0, 5.0, tol).unwrap());
        let b = run_out(Rodas5P::boxed(Chain, 0.0, y0, 5.0, tol).unwrap());
        assert_eq!(a, b, "Rodas5P, N = {N}");

        // O(N): far below the N² of the inline layout for large N.
        let boxed = size_of::<Radau5<Chain, N, f64, odegen::linalg::Heap>>();
        assert!(boxed <= 40 * N * 8 + 4096, "N = {N}: {boxed} bytes");
    }
    // The inline steppers need the room of their matrices, and unoptimised code copies them.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            compare::<1>();
            compare::<5>();
            compare::<50>();
            compare::<120>();
        })
        .unwrap()
        .join()
        .unwrap();
}
