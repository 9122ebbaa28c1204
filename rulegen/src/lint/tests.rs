use super::*;
use crate::rulefile::{AlertingRule, RecordingRule};

fn alert(name: &str, expr: &str, annotations: &[(&str, &str)]) -> Rule {
    Rule::Alert(AlertingRule {
        alert: name.into(),
        expr: expr.into(),
        labels: [("severity".to_owned(), "warning".to_owned())].into(),
        annotations: annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..AlertingRule::default()
    })
}

fn file(rules: Vec<Rule>) -> RuleFile {
    RuleFile {
        groups: vec![RuleGroup {
            name: "g".into(),
            rules,
            ..RuleGroup::default()
        }],
    }
}

fn codes(file: &RuleFile) -> Vec<&'static str> {
    lint_rule_file(file, &LintOptions::default())
        .iter()
        .map(|d| d.code)
        .collect()
}

const OK: [(&str, &str); 2] = [
    ("summary", "S."),
    ("description", "{{ $labels.service }} is bad."),
];

#[test]
fn a_good_alert_is_clean() {
    let f = file(vec![alert(
        "A",
        "sum by (service) (rate(a[5m])) / (sum by (service) (rate(b[5m])) > 0) > 0.1",
        &OK,
    )]);
    assert_eq!(codes(&f), Vec::<&str>::new());
}

#[test]
fn each_rule_is_enforced() {
    let cases: Vec<(Rule, &str)> = vec![
        (alert("A", "sum(rate(a[5m])", &OK), "promql/syntax"),
        (alert("A", "rate(a[30s]) > 0", &OK), "promql/rate-window"),
        (
            alert(
                "A",
                "sum by (service) (rate(a[5m])) / sum by (service) (rate(b[5m])) > 0",
                &OK,
            ),
            "promql/unguarded-ratio",
        ),
        (
            alert("A", "sum(rate(a[5m])) > 0", &OK),
            "template/label-not-in-result",
        ),
        (
            alert(
                "A",
                "rate(a[5m]) > 0",
                &[("summary", "S."), ("description", "{{ $label.x }}")],
            ),
            "template/unknown-variable",
        ),
        (
            alert("A", "rate(a[5m]) > 0", &[("summary", "S.")]),
            "rule/missing-annotation",
        ),
        (
            Rule::Record(RecordingRule {
                record: "bad-name".into(),
                expr: "a".into(),
                ..RecordingRule::default()
            }),
            "rule/invalid-record-name",
        ),
    ];
    for (rule, code) in cases {
        assert_eq!(codes(&file(vec![rule.clone()])), [code], "{rule:?}");
    }
}

#[test]
fn severity_is_required_and_known() {
    let mut rule = alert("A", "rate(a[5m]) > 0", &OK);
    if let Rule::Alert(a) = &mut rule {
        a.labels.insert("severity".into(), "page".into());
    }
    assert_eq!(codes(&file(vec![rule.clone()])), ["rule/severity"]);
    if let Rule::Alert(a) = &mut rule {
        a.labels.clear();
        a.labels.insert("__bad".into(), "x".into());
    }
    let mut found = codes(&file(vec![rule]));
    found.sort();
    assert_eq!(found, ["rule/invalid-label-name", "rule/severity"]);
}

#[test]
fn duplicates_are_reported() {
    let f = file(vec![
        alert("A", "rate(a[5m]) > 0", &OK),
        alert("A", "rate(b[5m]) > 0", &OK),
    ]);
    assert_eq!(codes(&f), ["rule/duplicate-alert"]);
    let record = |labels: &[(&str, &str)]| {
        Rule::Record(RecordingRule {
            record: "x:y:z".into(),
            expr: "a".into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    };
    assert_eq!(
        codes(&file(vec![record(&[]), record(&[])])),
        ["rule/duplicate-record"]
    );
    assert!(codes(&file(vec![record(&[("a", "1")]), record(&[("a", "2")])])).is_empty());
}

#[test]
fn the_rate_window_follows_the_scrape_interval() {
    let f = file(vec![alert("A", "rate(a[1m]) > 0", &OK)]);
    assert!(codes(&f).is_empty());
    let options = LintOptions {
        scrape_interval: PromDuration::from_secs(60),
        ..LintOptions::default()
    };
    let found: Vec<_> = lint_rule_file(&f, &options)
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(found, ["promql/rate-window"]);
}
