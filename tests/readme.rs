//! The README's first program is `examples/quickstart.rs`, word for word, so it compiles (every
//! example is built by `cargo test`) and cannot drift from the code.

#[test]
fn the_readme_shows_the_quickstart_example_verbatim() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/quickstart.rs");
    assert!(
        readme.contains(&format!("```rust\n{example}```")),
        "README.md must hold examples/quickstart.rs verbatim in a ```rust block"
    );
}
