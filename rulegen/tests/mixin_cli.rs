//! The command line of the GitOps outputs: `meshward generate --format mixin|dashboards`,
//! `--check` with its unified diff and exit code, and Jsonnet specs with their flags.

#[path = "support/cli.rs"]
mod cli;
#[path = "dashboard_support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use meshward_rulegen::mixin::build;

use cli::{describe, meshward_in, write};

/// A temporary directory holding the shared spec as `shop.yaml`.
fn shop_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("shop.yaml"), support::SHOP);
    dir
}

/// `meshward generate shop.yaml --format FORMAT --out OUT EXTRA...`, run in `dir`.
fn generate_shop(dir: &Path, format: &str, out: &str, extra: &[&str]) -> Output {
    let args = [
        &["generate", "shop.yaml", "--format", format, "--out", out][..],
        extra,
    ]
    .concat();
    meshward_in(&args, dir)
}

#[test]
fn generate_writes_the_mixin_and_check_reports_drift_with_a_diff() {
    let dir = shop_dir();
    let out = generate_shop(dir.path(), "mixin", "mixin", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    let compiled = support::compile_str("shop.yaml", support::SHOP);
    for (path, expected) in build::render(&compiled).unwrap() {
        let written = std::fs::read_to_string(dir.path().join("mixin").join(&path)).unwrap();
        assert_eq!(written, expected, "{}", path.display());
    }

    let check = || generate_shop(dir.path(), "mixin", "mixin", &["--check"]);
    let clean = check();
    assert_eq!(clean.status.code(), Some(0), "{}", describe(&clean));

    let config = dir.path().join("mixin/config.libsonnet");
    let edited = std::fs::read_to_string(&config)
        .unwrap()
        .replace("\"0.99\"", "\"0.5\"");
    std::fs::write(&config, edited).unwrap();
    std::fs::remove_file(dir.path().join("mixin/rules.libsonnet")).unwrap();
    write(&dir.path().join("mixin/old.libsonnet"), "{}\n");
    let drifted = check();
    assert_eq!(drifted.status.code(), Some(1), "{}", describe(&drifted));
    let report = String::from_utf8_lossy(&drifted.stdout);
    assert!(
        report.contains("--- a/config.libsonnet\n+++ b/config.libsonnet\n"),
        "{report}"
    );
    assert!(
        report.contains("-          MeshwardMtlsAdoptionLow: \"0.5\","),
        "{report}"
    );
    assert!(
        report.contains("+          MeshwardMtlsAdoptionLow: \"0.99\","),
        "{report}"
    );
    assert!(report.contains("missing: rules.libsonnet"), "{report}");
    assert!(report.contains("stale: old.libsonnet"), "{report}");
    // --check writes nothing.
    assert!(!dir.path().join("mixin/rules.libsonnet").exists());
}

#[test]
fn generate_writes_dashboards_and_the_deliveries_asked_for() {
    let dir = shop_dir();
    let out = generate_shop(
        dir.path(),
        "dashboards",
        "boards",
        &[
            "--dashboard-delivery",
            "provisioning,configmap",
            "--dashboard-delivery",
            "grafana-operator",
            "--grafana-folder",
            "Mesh",
            "--dashboard-namespace",
            "monitoring",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let boards = dir.path().join("boards");
    for file in [
        "shop-overview.json",
        "shop-shop-checkout.json",
        "shop-pay-payments.json",
        "provisioning/shop.yaml",
        "configmaps/shop-overview.yaml",
        "grafana-operator/shop-pay-payments.yaml",
    ] {
        assert!(boards.join(file).is_file(), "{file}: {}", describe(&out));
    }
    let map = std::fs::read_to_string(boards.join("configmaps/shop-overview.yaml")).unwrap();
    assert!(map.contains("namespace: \"monitoring\""), "{map}");
    assert!(map.contains("\"grafana_folder\": \"Mesh\""), "{map}");

    let bad = generate_shop(
        dir.path(),
        "dashboards",
        "b",
        &["--dashboard-delivery", "helm"],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", describe(&bad));
}

#[test]
fn jsonnet_specs_take_jpaths_and_external_variables() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("lib/services.libsonnet"),
        "{ service(name, ns):: { name: name, namespace: ns, mtls: { mode: 'strict', min_ratio: 0.99 } } }",
    );
    write(
        &dir.path().join("specs/shop.jsonnet"),
        "local s = import 'services.libsonnet';\n\
         { version: 1, name: std.extVar('name'), mesh: 'istio',\n\
           services: [s.service('checkout', 'shop')] + std.extVar('extra') }\n",
    );
    let out = meshward_in(
        &[
            "generate",
            "specs/shop.jsonnet",
            "--jpath",
            "lib",
            "--ext-str",
            "name=shop",
            "--ext-code",
            "extra=[]",
            "--out",
            "rules",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        dir.path().join("rules/shop.rules.yaml").is_file(),
        "{}",
        describe(&out)
    );

    // Without the jpath the import is not found; pointing outside is refused, with file and line.
    write(
        &dir.path().join("specs/evil.jsonnet"),
        "{\n  a: import '../lib/services.libsonnet',\n}\n",
    );
    let refused = meshward_in(
        &["generate", "specs/evil.jsonnet", "--out", "x"],
        dir.path(),
    );
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("evil.jsonnet:2:"), "{stderr}");
    assert!(stderr.contains("import refused"), "{stderr}");
}

#[test]
fn the_repository_outputs_are_checked_through_the_command_line() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = meshward_in(
        &[
            "generate",
            "examples/mesh-security.yaml",
            "--format",
            "mixin",
            "--out",
            "mixins/mesh-security",
            "--check",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = meshward_in(
        &[
            "generate",
            "examples/mesh-security.yaml",
            "--format",
            "dashboards",
            "--dashboard-delivery",
            "provisioning,configmap,grafana-operator",
            "--out",
            "dashboards",
            "--check",
        ],
        &root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}
