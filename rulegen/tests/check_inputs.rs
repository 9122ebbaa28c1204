//! The real `meshward check` on Grafana dashboards and Jsonnet specs: the committed dashboards
//! pass, broken ones fail with placed findings, and Jsonnet specs are evaluated with the same
//! `--jpath`/`--ext-str`/`--ext-code` flags as `generate` and then checked like YAML specs.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

#[path = "support/cli.rs"]
mod cli;

use cli::{code, meshward, repo, stderr, write};

/// Exit code and standard error.
fn run(args: &[&str]) -> (i32, String) {
    let output = meshward(args);
    (code(&output), stderr(&output))
}

fn committed_dashboards() -> Vec<String> {
    let mut paths: Vec<String> = fs::read_dir(repo().join("dashboards"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.strip_prefix(repo()).unwrap().display().to_string())
        .collect();
    paths.sort();
    paths
}

fn overview() -> Value {
    let text = fs::read_to_string(repo().join("dashboards/mesh-security-overview.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

// === specs ===

/// A spec's summary counts the rules `check` linted: the generated ones, user rules included,
/// not only the rules written in the spec.
#[test]
fn a_spec_counts_the_generated_rules_it_linted() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let generated = meshward(&["generate", "examples/shop.yaml", "--out", out_dir]);
    assert_eq!(code(&generated), 0, "{}", stderr(&generated));
    let rules = fs::read_to_string(out.path().join("shop.rules.yaml")).unwrap();
    let expected = rules
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            line.starts_with("- record:") || line.starts_with("- alert:")
        })
        .count();
    assert!(expected > 20, "{expected}");

    let (code, stderr) = run(&["check", "examples/shop.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(&format!("ok: 1 file(s), {expected} rule(s)")),
        "{stderr}"
    );
}

// === dashboards ===

#[test]
fn the_committed_dashboards_are_clean() {
    let paths = committed_dashboards();
    assert!(paths.len() >= 2, "{paths:?}");
    let args: Vec<&str> = ["check"]
        .into_iter()
        .chain(paths.iter().map(String::as_str))
        .collect();
    let (code, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.starts_with(&format!("ok: {} file(s), 0 rule(s), ", paths.len())),
        "{stderr}"
    );
    assert!(stderr.contains("dashboard panel(s)"), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// The indices of the first two panels of `dashboard` that set a unit (rows set none).
fn two_panels_with_units(dashboard: &Value) -> (usize, usize) {
    let with_unit: Vec<usize> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, p)| p["fieldConfig"]["defaults"]["unit"].is_string())
        .map(|(i, _)| i)
        .take(2)
        .collect();
    (with_unit[0], with_unit[1])
}

#[test]
fn a_typo_and_an_overlap_are_both_reported_where_they_are() {
    let mut dashboard = overview();
    let (a, b) = two_panels_with_units(&dashboard);
    let defaults = dashboard["panels"][a]["fieldConfig"]["defaults"]
        .as_object_mut()
        .unwrap();
    let unit = defaults.remove("unit").unwrap();
    defaults.insert("unitt".to_owned(), unit);
    let other = dashboard["panels"][b]["gridPos"].clone();
    dashboard["panels"][a]["gridPos"] = other;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    let text = serde_json::to_string_pretty(&dashboard).unwrap();
    write(&path, &text);
    let (code, stderr) = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");

    let shown = path.display().to_string();
    let typo_at = format!("/panels/{a}/fieldConfig/defaults");
    assert!(
        stderr.contains(&format!(
            "{shown}: {typo_at}: `unitt` is not a key of Grafana's"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `unit`?"), "{stderr}");
    let (line, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"unitt\""))
        .unwrap();
    assert!(
        stderr.contains(&format!("[{shown}:{}:", line + 1)),
        "the typo is placed on its line {}:\n{stderr}",
        line + 1
    );
    assert!(stderr.contains("dashboard/schema"), "{stderr}");

    // The typo does not hide the layout problem in the rest of the dashboard.
    let (first, second) = (a.min(b), a.max(b));
    assert!(stderr.contains("grid/overlap"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{shown}: /panels/{first}/gridPos: overlaps /panels/{second}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("dashboard/model"), "{stderr}");
}

#[test]
fn invariant_violations_alone_fail_the_check() {
    let mut dashboard = overview();
    dashboard["uid"] = json!("Mesh_Overview");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("uid.json");
    write(&path, &serde_json::to_string_pretty(&dashboard).unwrap());
    let (code, stderr) = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("dashboard/uid"), "{stderr}");
    assert!(!stderr.contains("dashboard/schema"), "{stderr}");
}

#[test]
fn malformed_and_foreign_dashboards() {
    let dir = tempfile::tempdir().unwrap();

    // YAML reads a trailing comma; Grafana's JSON does not.
    let trailing = dir.path().join("trailing.json");
    write(&trailing, "{\"panels\": [], \"schemaVersion\": 39,}\n");
    let (code, stderr) = run(&["check", trailing.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("dashboard/json"), "{stderr}");
    assert!(stderr.contains("trailing comma"), "{stderr}");

    // A schema-valid dashboard outside meshward's shape: its invariants are not checked, which
    // is a warning, not a failure.
    let foreign = dir.path().join("foreign.json");
    write(
        &foreign,
        "{\"panels\": [], \"schemaVersion\": 39, \"title\": \"Theirs\", \"id\": 3}\n",
    );
    let (code, stderr) = run(&["check", foreign.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("invariants were not checked"), "{stderr}");

    // A wrong type is the schema's to report.
    let mut dashboard = overview();
    dashboard["schemaVersion"] = json!("39");
    let typed = dir.path().join("typed.json");
    write(&typed, &serde_json::to_string_pretty(&dashboard).unwrap());
    let (code, stderr) = run(&["check", typed.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("/schemaVersion: \"39\" is not of type"),
        "{stderr}"
    );
}

// === Jsonnet specs ===

/// A spec that imports a service library from a `--jpath` directory and takes its name from
/// `--ext-str` and its labels from `--ext-code`.
fn jsonnet_spec(dir: &Path, service_extra: &str) -> PathBuf {
    write(
        &dir.join("lib/mesh/services.libsonnet"),
        "{ service(name, ns):: { name: name, namespace: ns, mtls: { mode: 'strict' } } }",
    );
    let spec = dir.join("specs/shop.jsonnet");
    write(
        &spec,
        &format!(
            "local lib = import 'mesh/services.libsonnet';\n\
             {{\n  version: 1,\n  name: std.extVar('name'),\n  mesh: 'istio',\n  \
             labels: std.extVar('labels'),\n  \
             services: [lib.service('checkout', 'shop') + {{ {service_extra} }}],\n}}\n"
        ),
    );
    spec
}

fn jsonnet_args<'a>(spec: &'a str, jpath: &'a str) -> Vec<&'a str> {
    vec![
        "check",
        spec,
        "-J",
        jpath,
        "--ext-str",
        "name=shop",
        "--ext-code",
        "labels={team: 'sre'}",
    ]
}

#[test]
fn a_jsonnet_spec_is_evaluated_with_the_generate_flags_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let spec = jsonnet_spec(dir.path(), "");
    let spec = spec.to_str().unwrap();
    let jpath = dir.path().join("lib");
    let jpath = jpath.to_str().unwrap();

    let (code, stderr) = run(&jsonnet_args(spec, jpath));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("ok: 1 file(s)"), "{stderr}");

    // Without the library path the import is not found; without the variable, evaluation fails.
    let (code, stderr) = run(&[
        "check",
        spec,
        "--ext-str",
        "name=shop",
        "--ext-code",
        "labels={}",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("jsonnet/import-not-found"), "{stderr}");
    let (code, stderr) = run(&["check", spec, "-J", jpath]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("jsonnet/evaluation"), "{stderr}");
    assert!(
        stderr.contains("shop.jsonnet:6:21: external variable is not defined: labels"),
        "{stderr}"
    );

    // A malformed flag is a usage error, as for generate.
    let (code, _) = run(&["check", spec, "--ext-str", "1bad=x"]);
    assert_eq!(code, 2);
}

#[test]
fn a_jsonnet_spec_gets_the_spec_diagnostics_of_a_yaml_one() {
    let dir = tempfile::tempdir().unwrap();
    let spec = jsonnet_spec(dir.path(), "authz: { max_deny_ration: 0.05 }");
    let jpath = dir.path().join("lib");
    let (code, stderr) = run(&jsonnet_args(
        spec.to_str().unwrap(),
        jpath.to_str().unwrap(),
    ));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("spec/unknown-key"), "{stderr}");
    assert!(
        stderr.contains("max_deny_ratio"),
        "the suggestion:\n{stderr}"
    );
    assert!(stderr.contains("shop.jsonnet (evaluated)"), "{stderr}");

    // A user rule whose PromQL does not parse is caught as in a YAML spec.
    let rules = dir.path().join("specs/rules.jsonnet");
    write(
        &rules,
        "{ version: 1, name: 'x', mesh: 'istio', rules: [{ alert: 'A', \
         expr: 'sum(rate(x[5m])', labels: { severity: 'warning' } }] }",
    );
    let (code, stderr) = run(&["check", rules.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("promql/syntax"), "{stderr}");
}

#[test]
fn yaml_and_jsonnet_fragments_form_one_spec() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.yaml");
    write(
        &main,
        "version: 1\nname: shop\nmesh: istio\nservices:\n  - {name: web, namespace: shop, \
         mtls: {mode: strict}}\n",
    );
    let fragment = dir.path().join("more.jsonnet");
    write(
        &fragment,
        "{ services: [{ name: 'api', namespace: 'shop', authz: { max_deny_ratio: 0.05 } }] }",
    );
    let (code, stderr) = run(&["check", main.to_str().unwrap(), fragment.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("ok: 2 file(s)"), "{stderr}");
}
