//! Nothing but tests: `tests/` holds the suites that must run on optimised code. The workspace
//! builds this package with `opt-level = 3` even under `cargo test` (see the workspace
//! `Cargo.toml`), so the generic steppers these tests instantiate are compiled as a user's
//! release build compiles them: some defects (a register overwritten by a stack-probe
//! prologue) exist only there.
#![forbid(unsafe_code)]
