//! Snapshots of every file `--format mixin` writes.

#[path = "dashboard_support.rs"]
mod support;

use meshward_rulegen::mixin::build;

#[test]
fn every_mixin_file_matches_its_snapshot() {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let files = build::render(&compiled).unwrap();
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    insta::assert_snapshot!("mixin_files", names.join("\n"));
    for (path, text) in &files {
        insta::assert_snapshot!(path.display().to_string(), text);
    }
}
