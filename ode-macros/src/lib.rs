//! The `#[ode_system]` attribute macro arrives with the macro issue; this crate reserves its place in the workspace.
