//! `odegen` without default features builds for a `#![no_std]` consumer, `#[ode_system]`
//! included.
//!
//! Building the `nostd-check` crate inside this workspace's usual `cargo test` would unify its
//! features with the facade's (`std` on), so this test builds it on its own, in a separate
//! target directory, exactly as a `no_std` user would: `odegen` with `default-features = false`
//! (no `std`, no `alloc`) and its `no_std` dependencies; and for a bare-metal target, when one
//! is installed.

use std::path::Path;
use std::process::Command;

#[test]
fn nostd_consumer_builds_and_runs_its_tests_in_isolation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target").join("nostd-check");
    let out = Command::new(env!("CARGO"))
        .current_dir(root)
        .args(["test", "-p", "nostd-check", "--target-dir"])
        .arg(&target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(stdout.contains("integrates_without_std ... ok"), "{stdout}");
    assert!(
        stdout.contains("stiff_macro_system_with_events_without_std ... ok"),
        "{stdout}"
    );
    // The isolated build must not have turned on ode-core's std feature. (The macro runs the
    // symbolic sparse-LU analysis of ode-core's `alloc` at expansion time, on the host: a
    // proc-macro dependency, whose features resolver 2 keeps apart from the target's, so the
    // tree is read without proc-macro edges.)
    let tree = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "tree",
            "--offline",
            "-p",
            "nostd-check",
            "-e",
            "features,no-proc-macro",
            "-i",
            "ode-core",
        ])
        .output()
        .expect("cargo tree runs");
    let tree = String::from_utf8_lossy(&tree.stdout);
    assert!(
        tree.contains("nostd-check v"),
        "cargo tree answered: {tree}"
    );
    assert!(!tree.contains("ode-core feature \"std\""), "{tree}");
    assert!(!tree.contains("ode-core feature \"alloc\""), "{tree}");
    assert!(!tree.contains("odegen feature \"std\""), "{tree}");
    assert!(!tree.contains("odegen feature \"alloc\""), "{tree}");
}

/// A build for a bare-metal target (no operating system, no `std` at all) when the toolchain
/// has one installed; a printed note otherwise.
#[test]
fn nostd_consumer_builds_for_a_bare_metal_target_when_one_is_installed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let Some(target) = installed
        .lines()
        .map(str::trim)
        .find(|t| t.contains("-none"))
    else {
        println!(
            "note: no bare-metal target installed (rustup target list --installed: {:?}); \
             the no_std build ran for the host only",
            installed.lines().collect::<Vec<_>>()
        );
        return;
    };
    let out = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "build",
            "-p",
            "nostd-check",
            "--target",
            target,
            "--target-dir",
        ])
        .arg(root.join("target").join("nostd-bare-metal"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
