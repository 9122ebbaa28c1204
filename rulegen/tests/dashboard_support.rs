//! Shared by the dashboard and mixin tests, which include it; as a test target of its own it
//! only checks that its spec compiles.

#![allow(dead_code)]

use std::path::PathBuf;

use meshward_rulegen::generate::{compile, Compiled};

/// A spec with two services on two meshes, between them every signal.
pub const SHOP: &str = r#"
version: 1
name: shop
mesh: istio
labels: {team: shop-sre}
runbook_url: "https://runbooks.example.com/mesh/{{alert}}"
services:
  - name: checkout
    namespace: shop
    workload: checkout-v1
    mtls:          {mode: strict, min_ratio: 0.99, for: 10m, severity: critical}
    authz:         {max_deny_ratio: 0.05, for: 5m}
    availability:  {objective: 99.9%, window: 30d}
    latency:       {percentile: 0.99, threshold: 300ms, for: 10m}
    spikes:        {errors: {factor: 3, baseline: 1d}, latency: {factor: 2, baseline: 1d}}
    certificates:  {warn_before: 14d, critical_before: 3d}
  - name: payments
    namespace: pay
    mesh: meshward
    mtls:          {mode: permissive, min_ratio: 0.9}
    authz:         {max_deny_ratio: 0.1}
    latency:       {percentile: 0.9, threshold: 1s}
    certificates:  {warn_before: 7d, critical_before: 1d}
"#;

/// Compiles a spec given as text, panicking with the diagnostics.
pub fn compile_str(name: &str, text: &str) -> Compiled {
    let spec = meshward_rulegen::spec::load_str(name, text).unwrap_or_else(|d| panic!("{d:#?}"));
    compile(&spec).unwrap_or_else(|d| panic!("{d:#?}"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every spec the tests run against: [`SHOP`] and the YAML examples of the repository that
/// compile (an example that shows a rejected spec is the generator's tests' business).
pub fn specs() -> Vec<(String, Compiled)> {
    let mut specs = vec![("shop.yaml".to_owned(), compile_str("shop.yaml", SHOP))];
    let examples = repo_root().join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&examples)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    for path in paths {
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let compiled = meshward_rulegen::spec::load(std::slice::from_ref(&path))
            .ok()
            .and_then(|spec| compile(&spec).ok());
        match compiled {
            Some(compiled) => specs.push((path.display().to_string(), compiled)),
            None => eprintln!("not a compiling spec, left out: {}", path.display()),
        }
    }
    specs
}

#[test]
fn the_shared_spec_compiles() {
    assert_eq!(compile_str("shop.yaml", SHOP).catalogue.services.len(), 2);
}
