//! Compile-fail tests of `#[ode_system]`: one family of errors per file in `tests/ui/`, each
//! with its expected diagnostics checked in beside it as a `.stderr` file.
//!
//! Regenerate the `.stderr` files after a deliberate change of a message with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every diff.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
