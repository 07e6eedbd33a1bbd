//! Nothing but tests: `tests/` holds the suites that must run on optimised code. The workspace
//! builds this package with `opt-level = 3` even under `cargo test` (see the workspace
//! `Cargo.toml`), so the generic steppers these tests instantiate are compiled as a user's
//! release build compiles them: some defects (a register overwritten by a stack-probe
//! prologue) exist only there.
#![forbid(unsafe_code)]

/// Runs `f` on a thread with a 256 MiB stack, for the steps' `O(N)` temporaries of the large
/// systems (their solvers' storage is on the heap), and returns its result.
pub fn big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("the test's thread")
}

/// The largest componentwise difference of two states.
pub fn max_abs<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    (0..N).map(|i| (a[i] - b[i]).abs()).fold(0.0, f64::max)
}
