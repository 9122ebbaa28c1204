//! The mixin evaluates to exactly the rule groups and dashboards that the rule and dashboard
//! outputs contain, with jrsonnet in-process and with the `jsonnet` command, and its `_config`
//! moves alerts and dashboards together when a user overrides a threshold.

#[path = "dashboard_support.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use meshward_rulegen::dashboard::generate::dashboards;
use meshward_rulegen::dashboard::json::{normalize_numbers, to_pretty_json};
use meshward_rulegen::emit;
use meshward_rulegen::generate::Compiled;
use meshward_rulegen::jsonnet::{evaluate, JsonnetOptions};
use meshward_rulegen::mixin::build;
use serde_json::{json, Value};

/// Writes the mixin of `compiled` and a driver that evaluates `expr` (with `m` bound to the
/// mixin) into a temporary directory.
fn mixin_dir(compiled: &Compiled, expr: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mixin = dir.path().join("mesh");
    for (path, text) in build::render(compiled).unwrap() {
        let target = mixin.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    let driver = dir.path().join("driver.jsonnet");
    std::fs::write(
        &driver,
        format!("local m = import 'mesh/mixin.libsonnet';\n{expr}\n"),
    )
    .unwrap();
    (dir, driver)
}

const EVERYTHING: &str =
    "{ alerts: m.prometheusAlerts, rules: m.prometheusRules, dashboards: m.grafanaDashboards }";

fn with_jrsonnet(driver: &Path) -> Value {
    let text = evaluate(driver, &JsonnetOptions::default())
        .unwrap_or_else(|d| panic!("{}\n{}", d.message, d.help.unwrap_or_default()));
    serde_json::from_str(&text).unwrap()
}

fn with_jsonnet_command(program: &Path, driver: &Path) -> Value {
    let output = Command::new(program).arg(driver).output().unwrap();
    assert!(
        output.status.success(),
        "jsonnet failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What the rule and dashboard outputs contain, in the shape the driver returns.
fn expected(compiled: &Compiled) -> Value {
    let outputs = emit::rules::render(compiled).unwrap();
    let mut alerts = Vec::new();
    let mut rules = Vec::new();
    for name in compiled.rule_files.keys() {
        let text = &outputs[&PathBuf::from(name)];
        let file: Value = serde_saphyr::from_str(text).unwrap();
        for group in file["groups"].as_array().unwrap() {
            let all_alerts = group["rules"]
                .as_array()
                .is_some_and(|r| !r.is_empty() && r.iter().all(|r| r.get("alert").is_some()));
            if all_alerts {
                alerts.push(group.clone());
            } else {
                rules.push(group.clone());
            }
        }
    }
    let boards: serde_json::Map<String, Value> = dashboards(compiled)
        .into_iter()
        .map(|f| {
            (
                f.file_name,
                serde_json::from_str(&to_pretty_json(&f.dashboard)).unwrap(),
            )
        })
        .collect();
    normalize_numbers(&json!({
        "alerts": {"groups": alerts},
        "rules": {"groups": rules},
        "dashboards": boards,
    }))
}

/// The first place two JSON values differ, for a readable failure.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(found) = first_difference(&here, p, q) {
                            return Some(found);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {p:?} vs {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(&format!("{path}/{i}"), p, q)),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

fn assert_same(got: &Value, want: &Value, what: &str) {
    if let Some(difference) = first_difference("", got, want) {
        panic!("{what}: evaluation differs from the outputs at {difference}");
    }
}

#[test]
fn the_mixin_evaluates_to_the_rule_and_dashboard_outputs() {
    // Debian's `jsonnet` (the C++ implementation): skipped when absent, except under CI.
    let jsonnet = meshward_e2e::require("jsonnet");
    for (name, compiled) in support::specs() {
        let (_dir, driver) = mixin_dir(&compiled, EVERYTHING);
        let want = expected(&compiled);
        assert!(
            !want["alerts"]["groups"].as_array().unwrap().is_empty(),
            "{name}"
        );
        assert_same(
            &normalize_numbers(&with_jrsonnet(&driver)),
            &want,
            &format!("{name}: jrsonnet"),
        );
        if let Some(program) = &jsonnet {
            let got = with_jsonnet_command(program, &driver);
            assert_same(
                &normalize_numbers(&got),
                &want,
                &format!("{name}: jsonnet command"),
            );
        }
    }
}

#[test]
fn the_rendered_rule_files_beside_the_mixin_are_its_evaluation() {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let files = build::render(&compiled).unwrap();
    let (_dir, driver) = mixin_dir(
        &compiled,
        "{ alerts: m.prometheusAlerts, rules: m.prometheusRules }",
    );
    let evaluated = normalize_numbers(&with_jrsonnet(&driver));
    for (file, key) in [(build::ALERTS_YAML, "alerts"), (build::RULES_YAML, "rules")] {
        let rendered: Value = serde_saphyr::from_str(&files[&PathBuf::from(file)]).unwrap();
        assert_eq!(normalize_numbers(&rendered), evaluated[key], "{file}");
    }
}

#[test]
fn overriding_a_threshold_moves_the_alert_and_the_dashboards_together() {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let overridden = "local o = m + { _config+:: {\n\
        thresholds+: { shop+: { checkout+: { MeshwardMtlsAdoptionLow: '0.95' } } },\n\
        grafana+: { refresh: '1m' },\n\
      } };\n\
      { alerts: o.prometheusAlerts, dashboards: o.grafanaDashboards }";
    let (_dir, driver) = mixin_dir(&compiled, overridden);
    let got = with_jrsonnet(&driver);

    // Alert rules carry `service` from their series, not as a rule label: find each service's
    // rule through its group.
    let expr_of = |group_part: &str| {
        got["alerts"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["name"].as_str().unwrap().contains(group_part))
            .flat_map(|g| g["rules"].as_array().unwrap())
            .find(|r| r["alert"] == "MeshwardMtlsAdoptionLow")
            .map(|r| r["expr"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert!(
        expr_of("shop/checkout:").ends_with("< 0.95"),
        "{}",
        expr_of("shop/checkout:")
    );
    assert!(
        expr_of("pay/payments:").ends_with("< 0.9"),
        "{}",
        expr_of("pay/payments:")
    );

    let boards = &got["dashboards"];
    let checkout = &boards["shop-shop-checkout.json"];
    let stat = checkout["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "mTLS adoption")
        .unwrap();
    assert_eq!(
        stat["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"],
        json!(0.95)
    );
    let overview_exprs: Vec<String> = boards["shop-overview.json"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .map(|t| t["expr"].as_str().unwrap().to_owned())
        .collect();
    assert!(overview_exprs.iter().any(|e| e.ends_with("+ 0.95")));
    assert!(!overview_exprs.iter().any(|e| e.ends_with("+ 0.99")));
    for (file, board) in boards.as_object().unwrap() {
        assert_eq!(board["refresh"], "1m", "{file}");
    }
}

#[test]
fn the_config_lists_every_threshold_with_its_spec_value() {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let (_dir, driver) = mixin_dir(&compiled, "m._config");
    let config = with_jrsonnet(&driver);
    let checkout = &config["thresholds"]["shop"]["checkout"];
    assert_eq!(checkout["MeshwardMtlsAdoptionLow"], "0.99");
    assert_eq!(checkout["MeshwardLatencyHigh"], "0.3");
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for alert in &compiled.catalogue.alerts {
        *names.entry(alert.alert.clone()).or_default() += 1;
    }
    let count: usize = config["thresholds"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ns| ns.as_object().unwrap().values())
        .map(|svc| svc.as_object().unwrap().len())
        .sum();
    assert_eq!(count, compiled.catalogue.alerts.len());
    assert_eq!(config["grafana"]["refresh"], "30s");
}

#[test]
fn hostile_names_survive_the_round_trip() {
    let spec = r#"
version: 1
name: odd
mesh: meshward
services:
  - name: "a\"b} or vector(1)"
    namespace: "if"
    mtls: {mode: strict, min_ratio: 0.99}
    latency: {percentile: 0.9, threshold: 1s}
  - name: "local"
    namespace: "$._config"
    authz: {max_deny_ratio: 0.1}
"#;
    let compiled = support::compile_str("odd.yaml", spec);
    let (_dir, driver) = mixin_dir(&compiled, EVERYTHING);
    assert_same(
        &normalize_numbers(&with_jrsonnet(&driver)),
        &expected(&compiled),
        "hostile names",
    );
    for file in dashboards(&compiled) {
        assert_eq!(
            meshward_rulegen::dashboard::invariants::check(&file.dashboard),
            vec![],
            "{}",
            file.file_name
        );
    }
}
