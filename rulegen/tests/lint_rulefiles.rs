//! `meshward check` on hand-written rule files and PrometheusRule resources: findings carry
//! file, line and column.

use std::path::{Path, PathBuf};

use meshward_rulegen::check::check_paths;
use meshward_rulegen::lint::LintOptions;
use meshward_rulegen::ruleread::DocumentKind;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/specs")
        .join(name)
}

/// `code@line:column` of each finding (1-based, columns in characters).
fn located(paths: &[PathBuf]) -> (Vec<String>, i32) {
    let report = check_paths(paths, &LintOptions::default());
    let found = report
        .diagnostics
        .iter()
        .map(|d| match d.span {
            Some(span) => {
                let text = &report.sources.files[span.file].text;
                let before = &text[..span.offset];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
                format!("{}@{line}:{column}", d.code)
            }
            None => d.code.to_owned(),
        })
        .collect();
    (found, report.exit_code())
}

#[test]
fn a_plain_rule_file_is_linted_with_positions() {
    let (found, exit) = located(&[data("rulefiles/plain.yaml")]);
    assert_eq!(
        found,
        [
            "promql/rate-window@5:55",
            "promql/unguarded-ratio@5:63",
            "template/label-not-in-result@10:28",
            "rule/duplicate-alert@11:16",
            "rule/missing-annotation@11:16",
            "rule/severity@17:28",
        ]
    );
    assert_eq!(exit, 1);
}

#[test]
fn a_prometheus_rule_is_read_from_spec_groups() {
    let report = check_paths(
        &[data("rulefiles/prometheus-rule.yaml")],
        &LintOptions::default(),
    );
    assert_eq!(report.inputs[0].kind, Some(DocumentKind::OtherResource));
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            "check/skipped-document",
            "rulefile/missing-key",
            "rulefile/unknown-key"
        ]
    );
    let rendered = report.render();
    assert!(rendered.contains("did you mean `expr`?"), "{rendered}");
    assert!(
        rendered.contains("prometheus-rule.yaml:20:11"),
        "{rendered}"
    );
}

#[test]
fn duplicate_records_in_a_prometheus_rule_are_found() {
    let text = std::fs::read_to_string(data("rulefiles/prometheus-rule.yaml")).unwrap();
    let fixed = text.replace(
        "exrp: sum(rate(http_requests_total[5m]))",
        "expr: sum(rate(http_requests_total[5m]))",
    );
    let dir = std::env::temp_dir().join(format!("meshward-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rule.yaml");
    std::fs::write(&path, fixed).unwrap();
    let (found, exit) = located(&[path]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        found,
        [
            "check/skipped-document@1:1",
            "rule/duplicate-record@17:19",
            "rule/duplicate-record@20:19"
        ]
    );
    assert_eq!(exit, 1);
}

#[test]
fn a_clean_rule_file_passes() {
    let report = check_paths(&[data("rulefiles/clean.yaml")], &LintOptions::default());
    assert_eq!(report.diagnostics, []);
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.inputs[0].rules, 2);
}

#[test]
fn specs_and_rule_files_are_told_apart_by_content() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop.yaml");
    let report = check_paths(
        &[examples, data("rulefiles/clean.yaml")],
        &LintOptions::default(),
    );
    assert_eq!(report.diagnostics, [], "{}", report.render());
    assert_eq!(report.inputs[0].kind, Some(DocumentKind::Spec));
    assert_eq!(report.inputs[1].kind, Some(DocumentKind::RuleFile));
    let invalid = data("invalid/24-invalid-promql-caret.yaml");
    let report = check_paths(&[invalid], &LintOptions::default());
    assert_eq!(report.exit_code(), 1);
    assert!(
        report
            .render()
            .contains("24-invalid-promql-caret.yaml:8:72"),
        "{}",
        report.render()
    );
}
