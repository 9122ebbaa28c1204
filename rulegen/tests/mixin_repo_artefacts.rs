//! The repository's `mixins/mesh-security/` and `dashboards/` are exactly what the built-in
//! spec (`examples/mesh-security.yaml`) produces: the check `meshward generate --check` runs.
//!
//! To refresh them after a change:
//!
//! ```text
//! meshward generate examples/mesh-security.yaml --format mixin --out mixins/mesh-security
//! meshward generate examples/mesh-security.yaml --format dashboards \
//!     --dashboard-delivery provisioning,configmap,grafana-operator --out dashboards
//! ```
//!
//! or run this test with `MESHWARD_UPDATE_ARTEFACTS=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use meshward_rulegen::dashboard::deliver::DeliveryOptions;
use meshward_rulegen::dashboard::emit::{self as dashboard_emit, Delivery};
use meshward_rulegen::generate::{compile, Compiled};
use meshward_rulegen::mixin::{build, drift};
use meshward_rulegen::spec::model::{SourceFile, Sources};

const SPEC: &str = "examples/mesh-security.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The spec compiled as `meshward generate examples/mesh-security.yaml` run from the
/// repository root compiles it (the path in the headers is the one given).
fn compiled() -> Compiled {
    let text = std::fs::read_to_string(root().join(SPEC)).unwrap();
    let sources = Sources {
        files: vec![SourceFile {
            path: SPEC.to_owned(),
            text,
        }],
    };
    let spec = meshward_rulegen::spec::load_sources(&sources).unwrap_or_else(|d| panic!("{d:#?}"));
    compile(&spec).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn check(dir: &Path, expected: &BTreeMap<PathBuf, String>) {
    if std::env::var_os("MESHWARD_UPDATE_ARTEFACTS").is_some() {
        for (path, text) in expected {
            let target = dir.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, text).unwrap();
        }
    }
    let drifts = drift::compare(dir, expected).unwrap();
    let report: Vec<String> = drifts.iter().map(ToString::to_string).collect();
    assert!(
        drifts.is_empty(),
        "{} is out of date (see this file's header to regenerate it):\n{}",
        dir.display(),
        report.join("\n")
    );
}

#[test]
fn the_committed_mixin_is_current() {
    let expected = build::render(&compiled()).unwrap();
    check(&root().join("mixins/mesh-security"), &expected);
}

#[test]
fn the_committed_dashboards_are_current() {
    let compiled = compiled();
    let deliveries: BTreeSet<Delivery> = Delivery::ALL.into_iter().collect();
    let options = DeliveryOptions::for_spec(&compiled.name);
    let expected = dashboard_emit::render(&compiled, &deliveries, &options);
    check(&root().join("dashboards"), &expected);
}

#[test]
fn promtool_accepts_the_committed_rule_files() {
    let Some(promtool) = meshward_e2e::require("promtool") else {
        return;
    };
    let dir = root().join("mixins/mesh-security");
    let output = std::process::Command::new(promtool)
        .args(["check", "rules"])
        .arg(dir.join(build::ALERTS_YAML))
        .arg(dir.join(build::RULES_YAML))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
