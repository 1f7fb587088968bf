//! The customer's shape: one binary per operation, each a few lines over `shared`, and the
//! local router of `cargo lambda watch` covering every function.

use shared::ops::Operation;
use std::path::Path;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root")
}

#[test]
fn every_operation_is_its_own_binary_with_a_main_of_at_most_25_lines() {
    for op in Operation::ALL {
        let main = workspace_root().join("functions").join(op.name()).join("src/main.rs");
        let text = std::fs::read_to_string(&main).unwrap_or_else(|e| panic!("{}: {e}", main.display()));
        assert!(text.lines().count() <= 25, "{} has {} lines", main.display(), text.lines().count());
        let variant = format!("{op:?}");
        assert!(text.contains(&format!("Operation::{variant})")), "{} serves Operation::{variant}", main.display());
    }
    let dirs = std::fs::read_dir(workspace_root().join("functions")).expect("functions/").count();
    assert_eq!(dirs, Operation::ALL.len(), "no function folder without an operation");
}

#[test]
fn the_local_router_sends_every_function_some_route() {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("Cargo.toml");
    let router = manifest.split("[workspace.metadata.lambda.watch.router]").nth(1).expect("a watch router table");
    for op in Operation::ALL {
        assert!(router.contains(&format!("\"{}\"", op.name())), "{} has no local route", op.name());
    }
}
