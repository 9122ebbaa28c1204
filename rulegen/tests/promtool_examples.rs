//! The real `promtool check rules` and `promtool test rules` on what every example spec
//! generates, and on the default spec translated to every mesh: every alert must fire just past
//! its threshold and stay silent just inside it, in each mesh's own metric vocabulary.

use std::path::{Path, PathBuf};
use std::process::Command;

use meshward_rulegen::emit::{self, write, Format};
use meshward_rulegen::generate::{self, Compiled};
use meshward_rulegen::spec::{self, model::SourceFile, model::Sources};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn compile_text(
    path: &str,
    text: &str,
) -> Result<Compiled, Vec<meshward_rulegen::diag::Diagnostic>> {
    let sources = Sources {
        files: vec![SourceFile {
            path: path.to_owned(),
            text: text.to_owned(),
        }],
    };
    let spec = spec::load_sources(&sources).unwrap_or_else(|d| panic!("{path}: {d:#?}"));
    generate::compile(&spec)
}

fn example(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).expect("example exists")
}

fn promtool(dir: &Path, args: &[&str]) {
    let promtool = meshward_e2e::require("promtool").expect("promtool");
    let output = Command::new(promtool)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("promtool runs");
    assert!(
        output.status.success(),
        "promtool {args:?} failed in {}:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Generates both formats into a temporary directory and runs promtool on them: `check rules`
/// on the rule file and on the PrometheusRule's `spec`, `test rules` on the tests.
fn prove(compiled: &Compiled) -> usize {
    if meshward_e2e::require("promtool").is_none() {
        return 0;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let rules = emit::render(compiled, &emit::Options::default()).expect("renders");
    write::write_all(&out, &rules).expect("writes");

    // The custom resource's spec is a rule file once unwrapped, as the operator reads it.
    let options = emit::Options {
        format: Format::PrometheusRule,
        ..Default::default()
    };
    let resource = emit::render(compiled, &options).expect("renders");
    let (name, text) = resource
        .iter()
        .find(|(p, _)| p.to_string_lossy().ends_with(".prometheusrule.yaml"))
        .expect("a resource");
    let parsed: serde_json::Value = serde_saphyr::from_str(text).expect("the resource is YAML");
    assert_eq!(parsed["apiVersion"], "monitoring.coreos.com/v1", "{name:?}");
    assert_eq!(parsed["kind"], "PrometheusRule");
    let unwrapped = serde_json::to_string(&parsed["spec"]).expect("json");
    std::fs::write(out.join("unwrapped.json"), unwrapped).expect("write");

    for file in compiled.rule_files.keys() {
        promtool(&out, &["check", "rules", file]);
    }
    promtool(&out, &["check", "rules", "unwrapped.json"]);
    for file in compiled.rule_tests.keys() {
        promtool(&out, &["test", "rules", file]);
    }
    compiled.rule_tests.values().map(|t| t.tests.len()).sum()
}

fn prove_example(path: &str) {
    let compiled = compile_text(path, &example(path)).unwrap_or_else(|d| panic!("{path}: {d:#?}"));
    let cases = prove(&compiled);
    eprintln!("{path}: {cases} promtool test cases pass");
}

#[test]
fn shop_on_istio() {
    prove_example("examples/shop.yaml");
}

#[test]
fn shop_on_linkerd() {
    prove_example("examples/shop-linkerd.yaml");
}

#[test]
fn shop_on_envoy() {
    prove_example("examples/shop-envoy.yaml");
}

#[test]
fn shop_on_the_exporters_metrics() {
    prove_example("examples/shop-meshward.yaml");
}

#[test]
fn the_default_spec() {
    prove_example("examples/mesh-security.yaml");
}

/// The default spec with every service on `mesh`.
fn default_spec_on(mesh: &str, without_mtls: bool) -> String {
    example("examples/mesh-security.yaml")
        .lines()
        .filter(|line| !(without_mtls && line.trim_start().starts_with("mtls:")))
        .map(|line| match line {
            "mesh: istio" => format!("mesh: {mesh}"),
            "name: mesh-security" => format!("name: mesh-security-{mesh}"),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_default_spec_on_linkerd() {
    let compiled = compile_text("linkerd.yaml", &default_spec_on("linkerd", false)).unwrap();
    prove(&compiled);
}

#[test]
fn the_default_spec_on_the_exporters_metrics() {
    // The exporter serves p50, p90 and p99, which the default spec's percentiles are.
    let compiled = compile_text("meshward.yaml", &default_spec_on("meshward", false)).unwrap();
    prove(&compiled);
}

#[test]
fn the_default_spec_on_envoy_without_mtls() {
    let compiled = compile_text("envoy.yaml", &default_spec_on("envoy", true)).unwrap();
    prove(&compiled);
}

/// The generated tests can fail: a threshold moved by one digit, or a selector that reads the
/// wrong series, makes promtool report failures.
#[test]
fn the_tests_catch_wrong_rules() {
    let Some(promtool) = meshward_e2e::require("promtool") else {
        return;
    };
    let text = "version: 1\nname: mutant\nmesh: linkerd\nservices:\n  - name: web\n    \
                namespace: shop\n    mtls: {mode: strict, min_ratio: 0.99}\n    \
                authz: {max_deny_ratio: 0.05}\n";
    let compiled = compile_text("mutant.yaml", text).unwrap();
    let outputs = emit::render(&compiled, &emit::Options::default()).expect("renders");
    let rules = &outputs[Path::new("mutant.rules.yaml")];
    for (original, mutant) in [
        ("} < 0.99", "} < 0.98"),
        ("} > 0.05", "} > 0.06"),
        (",tls=\"true\"}", ",tls!=\"true\"}"),
        (
            "inbound_http_authz_deny_total{",
            "inbound_http_authz_allow_total{",
        ),
    ] {
        assert!(rules.contains(original), "{original} not in the rules");
        let dir = tempfile::tempdir().expect("temp dir");
        write::write_all(dir.path(), &outputs).expect("writes");
        std::fs::write(
            dir.path().join("mutant.rules.yaml"),
            rules.replace(original, mutant),
        )
        .expect("mutates");
        let output = Command::new(&promtool)
            .args(["test", "rules", "mutant.rules.test.yaml"])
            .current_dir(dir.path())
            .output()
            .expect("promtool runs");
        assert!(
            !output.status.success(),
            "promtool passed with {original:?} changed to {mutant:?}"
        );
    }
}

/// On the exporter's metrics, denied requests are the `level="request"` failures only: the
/// generated tests feed refused connections that outnumber all requests, so rules that counted
/// them would fire `MeshwardAuthzDenialsHigh` where it must stay silent.
#[test]
fn refused_connections_never_count_as_denied_requests() {
    use meshward_signals::exported::{self, AuthFailureReason, FailureLevel};
    use meshward_signals::rules::ALERT_AUTHZ_DENIALS_HIGH;

    let Some(promtool) = meshward_e2e::require("promtool") else {
        return;
    };
    let text = "version: 1\nname: refused\nmesh: meshward\nservices:\n  - name: web\n    \
                namespace: shop\n    authz: {max_deny_ratio: 0.05}\n";
    let compiled = compile_text("refused.yaml", text).unwrap();
    let outputs = emit::render(&compiled, &emit::Options::default()).expect("renders");
    let rules = &outputs[Path::new("refused.rules.yaml")];
    let tests = &outputs[Path::new("refused.rules.test.yaml")];

    let request_level = format!(",{}=\"{}\"", exported::LEVEL, FailureLevel::Request);
    let refused = format!(
        "{}=\"{}\",{}=\"{}\"",
        exported::REASON,
        AuthFailureReason::AuthzDenied,
        exported::LEVEL,
        FailureLevel::Connection
    );
    assert!(rules.contains(&request_level), "{rules}");
    // The test file is YAML with double-quoted strings: the series' quotes are escaped.
    assert!(
        tests.replace("\\\"", "\"").contains(&refused),
        "no refused connections in\n{tests}"
    );

    let run = |rules: &str| {
        let dir = tempfile::tempdir().expect("temp dir");
        write::write_all(dir.path(), &outputs).expect("writes");
        std::fs::write(dir.path().join("refused.rules.yaml"), rules).expect("writes the rules");
        Command::new(&promtool)
            .args(["test", "rules", "refused.rules.test.yaml"])
            .current_dir(dir.path())
            .output()
            .expect("promtool runs")
    };
    let passed = run(rules);
    assert!(
        passed.status.success(),
        "{}",
        String::from_utf8_lossy(&passed.stdout)
    );

    // The same rules without the level matcher divide refused connections by requests too.
    let counting_connections = run(&rules.replace(&request_level, ""));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&counting_connections.stdout),
        String::from_utf8_lossy(&counting_connections.stderr)
    );
    assert!(
        !counting_connections.status.success(),
        "promtool passed with connection-level denials counted"
    );
    assert!(report.contains(ALERT_AUTHZ_DENIALS_HIGH), "{report}");
}
