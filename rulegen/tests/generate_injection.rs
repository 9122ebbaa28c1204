//! Hostile names through the whole generator: quotes, braces, backslashes, newlines, template
//! delimiters, YAML indicators and Unicode line separators in service, namespace, workload and
//! label values. The generated PromQL, parsed back, must match exactly those strings; the YAML,
//! parsed back, must hold exactly the model's strings; and promtool must run every test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use meshward_rulegen::emit::{self, write};
use meshward_rulegen::generate::{self, Compiled};
use meshward_rulegen::rulefile::Rule;
use meshward_rulegen::spec;
use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr};
use promql_parser::util::{walk_expr, ExprVisitor};
use serde_json::Value;

const HOSTILE: &str = r#"
version: 1
name: hostile
mesh: istio
labels: {team: "{{ $labels.x }}\"}"}
runbook_url: "https://rb.example/{{namespace}}/{{service}}/{{alert}}"
services:
  - name: "a\"b"
    namespace: "x\"}"
    workload: "back\\slash\nnew{{line}}"
    mtls: {mode: strict, min_ratio: 0.99}
    authz: {max_deny_ratio: 0.05}
    availability: {objective: 99.9%}
    latency: {threshold: 300ms}
    spikes: {errors: {}, latency: {}}
    certificates: {}
  - name: "{{ .x }}"
    namespace: "a{"
    mesh: linkerd
    mtls: {mode: permissive}
    latency: {threshold: 1s}
    certificates: {}
  - name: "y: z # c"
    namespace: "ü\u2028\t'"
    workload: "- [x] *a &b !c %d @e `f"
    mesh: meshward
    authz: {}
    latency: {percentile: 0.9, threshold: 1s}
    certificates: {}
  - name: "=~\"|\\\\.*"
    namespace: "ns\"} or vector(1) #"
    mesh: envoy
    authz: {}
    availability: {objective: 99.5%, window: 28d}
    certificates: {}
"#;

struct Hostile {
    compiled: Compiled,
    /// For each group, the service it belongs to: (name, namespace, workload).
    owners: BTreeMap<String, (String, String, String)>,
}

fn hostile() -> Hostile {
    let spec = spec::load_str("hostile.yaml", HOSTILE).unwrap_or_else(|d| panic!("{d:#?}"));
    let compiled = generate::compile(&spec).unwrap_or_else(|d| panic!("{d:#?}"));
    let mut owners = BTreeMap::new();
    for (entry, service) in compiled.catalogue.services.iter().zip(&spec.services) {
        let owner = (
            service.name.clone(),
            service.namespace.clone(),
            service.workload.clone(),
        );
        owners.insert(entry.recording_group.clone(), owner.clone());
        owners.insert(entry.alerting_group.clone(), owner);
    }
    Hostile { compiled, owners }
}

/// Every label matcher of an expression: (label, operator, value).
#[derive(Default)]
struct Matchers(Vec<(String, String, String)>);

impl ExprVisitor for Matchers {
    type Error = ();

    fn pre_visit(&mut self, expr: &Expr) -> Result<bool, ()> {
        let selector = match expr {
            Expr::VectorSelector(vs) => vs,
            Expr::MatrixSelector(ms) => &ms.vs,
            _ => return Ok(true),
        };
        for m in &selector.matchers.matchers {
            let op = match m.op {
                MatchOp::Equal => "=",
                MatchOp::NotEqual => "!=",
                MatchOp::Re(_) => "=~",
                MatchOp::NotRe(_) => "!~",
            };
            self.0
                .push((m.name.clone(), op.to_owned(), m.value.clone()));
        }
        assert!(selector.matchers.or_matchers.is_empty(), "no `or` matchers");
        Ok(true)
    }
}

fn matchers(expr: &str) -> Vec<(String, String, String)> {
    let parsed = parser::parse(expr).unwrap_or_else(|e| panic!("does not parse: {e}\n{expr}"));
    let mut visitor = Matchers::default();
    walk_expr(&mut visitor, &parsed).expect("walks");
    visitor.0
}

/// Labels whose matchers select a service, by what they carry.
const NAMESPACE_LABELS: [&str; 2] = ["destination_workload_namespace", "namespace"];
const WORKLOAD_LABELS: [&str; 4] = ["destination_workload", "app", "deployment", "workload"];
/// Labels of fixed vocabulary: their values never come from the spec.
const FIXED_LABELS: [&str; 15] = [
    "__name__",
    "reporter",
    "connection_security_policy",
    "response_code",
    "direction",
    "tls",
    "status_code",
    "reason",
    "code_class",
    "quantile",
    "envoy_http_conn_manager_prefix",
    "envoy_response_code_class",
    "le",
    "mesh",
    meshward_signals::exported::LEVEL,
];

#[test]
fn parsed_matchers_equal_the_hostile_strings() {
    let Hostile { compiled, owners } = hostile();
    let hostile_values: BTreeSet<&str> = owners
        .values()
        .flat_map(|(n, ns, w)| [n.as_str(), ns.as_str(), w.as_str()])
        .collect();
    let mut checked = 0;
    for file in compiled.rule_files.values() {
        for group in &file.groups {
            let Some((name, namespace, workload)) = owners.get(&group.name) else {
                continue;
            };
            for rule in &group.rules {
                let expr = match rule {
                    Rule::Record(r) => &r.expr,
                    Rule::Alert(a) => &a.expr,
                };
                for (label, op, value) in matchers(expr) {
                    checked += 1;
                    if NAMESPACE_LABELS.contains(&label.as_str()) {
                        assert_eq!((&op[..], &value), ("=", namespace), "{label} in {expr}");
                    } else if WORKLOAD_LABELS.contains(&label.as_str()) {
                        assert_eq!((&op[..], &value), ("=", workload), "{label} in {expr}");
                    } else if label == "service" {
                        assert_eq!((&op[..], &value), ("=", name), "{label} in {expr}");
                    } else {
                        assert!(FIXED_LABELS.contains(&label.as_str()), "{label} in {expr}");
                        assert!(
                            !hostile_values.contains(value.as_str()),
                            "{value} in {expr}"
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} matchers checked");
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// A hostile name cannot add a path segment, a query, a fragment or a template action to a
/// runbook URL: each name fills exactly its own segment and decodes back to itself.
#[test]
fn runbook_urls_keep_their_shape_whatever_the_names() {
    let Hostile { compiled, owners } = hostile();
    let mut checked = 0;
    for group in compiled.rule_files.values().flat_map(|f| &f.groups) {
        let Some((name, namespace, _)) = owners.get(&group.name) else {
            continue;
        };
        for rule in &group.rules {
            let Rule::Alert(alert) = rule else {
                continue;
            };
            let url = &alert.annotations["runbook_url"];
            let path = url.strip_prefix("https://rb.example/").expect(url);
            assert!(
                path.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)),
                "{url}"
            );
            let segments: Vec<Option<String>> = path.split('/').map(percent_decode).collect();
            assert_eq!(
                segments,
                vec![
                    Some(namespace.clone()),
                    Some(name.clone()),
                    Some(alert.alert.clone())
                ],
                "{url}"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} runbook URLs checked");
}

/// The rule file parsed back by an independent YAML parser holds exactly the model's strings.
#[test]
fn yaml_parses_back_to_the_same_strings() {
    let Hostile { compiled, .. } = hostile();
    let outputs = emit::render(&compiled, &emit::Options::default()).expect("renders");
    for (name, file) in &compiled.rule_files {
        let text = &outputs[Path::new(name)];
        let parsed: Value = serde_saphyr::from_str(text).expect("the rule file is YAML");
        let groups = parsed["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), file.groups.len());
        for (group, yaml) in file.groups.iter().zip(groups) {
            assert_eq!(yaml["name"], group.name.as_str());
            let rules = yaml["rules"].as_array().expect("rules");
            for (rule, yaml) in group.rules.iter().zip(rules) {
                let (expr, labels, annotations) = match rule {
                    Rule::Record(r) => (&r.expr, &r.labels, None),
                    Rule::Alert(a) => (&a.expr, &a.labels, Some(&a.annotations)),
                };
                assert_eq!(yaml["expr"], expr.as_str());
                assert_eq!(yaml["labels"], serde_json::to_value(labels).unwrap());
                if let Some(annotations) = annotations {
                    assert_eq!(
                        yaml["annotations"],
                        serde_json::to_value(annotations).unwrap()
                    );
                }
            }
        }
    }
    for (name, tests) in &compiled.rule_tests {
        let parsed: Value =
            serde_saphyr::from_str(&outputs[Path::new(name)]).expect("the test file is YAML");
        let cases = parsed["tests"].as_array().expect("tests");
        assert_eq!(cases.len(), tests.tests.len());
        for (case, yaml) in tests.tests.iter().zip(cases) {
            assert_eq!(yaml["name"], case.name.as_str());
            for (series, yaml) in case
                .input_series
                .iter()
                .zip(yaml["input_series"].as_array().unwrap())
            {
                assert_eq!(yaml["series"], series.series.as_str());
            }
        }
    }
    let catalogue: Value = serde_json::from_str(&outputs[Path::new("hostile.catalogue.json")])
        .expect("the catalogue is JSON");
    assert_eq!(catalogue["services"][0]["name"], "a\"b");
    assert_eq!(catalogue["services"][1]["namespace"], "a{");
}

/// promtool parses every hostile rule and renders every annotation exactly as expected.
#[test]
fn promtool_runs_every_hostile_test() {
    let Some(promtool) = meshward_e2e::require("promtool") else {
        return;
    };
    let Hostile { compiled, .. } = hostile();
    let dir = tempfile::tempdir().expect("temp dir");
    let outputs = emit::render(&compiled, &emit::Options::default()).expect("renders");
    write::write_all(dir.path(), &outputs).expect("writes");
    for (command, files) in [
        ("check", compiled.rule_files.keys().collect::<Vec<_>>()),
        ("test", compiled.rule_tests.keys().collect()),
    ] {
        let output = Command::new(&promtool)
            .arg(command)
            .arg("rules")
            .args(files)
            .current_dir(dir.path())
            .output()
            .expect("promtool runs");
        assert!(
            output.status.success(),
            "promtool {command} rules:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
