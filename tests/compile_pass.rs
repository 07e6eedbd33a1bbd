//! Bodies the documentation of `#[ode_system]` supports must compile, under every
//! `jacobian = ...` mode, and give the right derivatives: one program per file in
//! `tests/compile_pass/`, each checking its Jacobian against hand-derived values when run.
//!
//! Each file reproduces a macro bug found while writing the Jacobian property tests
//! (`tests/jacobian.rs`), whose generated code did not compile or warned; they keep it fixed.

#[test]
fn compile_pass() {
    trybuild::TestCases::new().pass("tests/compile_pass/*.rs");
}
