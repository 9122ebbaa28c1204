//! Plain Prometheus rule files (`groups:`) and their promtool test files.

use std::path::PathBuf;

use super::yaml::{self, Node};
use super::{header, EmitError, Outputs};
use crate::generate::unittest::{AlertTest, ExprTest, RuleTest, RuleTestFile};
use crate::generate::windows::DaysExt;
use crate::generate::Compiled;
use crate::rulefile::{Rule, RuleFile, RuleGroup};

/// The rule files, their test files and the catalogue.
pub fn render(compiled: &Compiled) -> Result<Outputs, EmitError> {
    let mut outputs = Outputs::new();
    for (name, file) in &compiled.rule_files {
        outputs.insert(PathBuf::from(name), document(compiled, &groups_node(file)));
    }
    for (name, tests) in &compiled.rule_tests {
        outputs.insert(
            PathBuf::from(name),
            document(compiled, &test_file_node(tests)),
        );
    }
    let (name, text) = super::catalogue::render(compiled)?;
    outputs.insert(name, text);
    Ok(outputs)
}

/// The header, then the document.
pub fn document(compiled: &Compiled, node: &Node) -> String {
    format!(
        "{}{}",
        yaml::comment(&header(compiled)),
        yaml::to_string(node)
    )
}

/// `groups: [...]`, the body of a rule file and of a PrometheusRule's `spec`.
pub fn groups_node(file: &RuleFile) -> Node {
    Node::map([(
        "groups",
        Node::Seq(file.groups.iter().map(group_node).collect()),
    )])
}

fn group_node(group: &RuleGroup) -> Node {
    let mut entries = vec![("name".to_owned(), Node::str(group.name.clone()))];
    if let Some(interval) = group.interval {
        entries.push((
            "interval".to_owned(),
            Node::str(interval.days().to_string()),
        ));
    }
    if !group.labels.is_empty() {
        entries.push(("labels".to_owned(), Node::string_map(&group.labels)));
    }
    entries.push((
        "rules".to_owned(),
        Node::Seq(group.rules.iter().map(rule_node).collect()),
    ));
    Node::Map(entries)
}

fn rule_node(rule: &Rule) -> Node {
    let mut entries = Vec::new();
    match rule {
        Rule::Record(r) => {
            entries.push(("record".to_owned(), Node::str(r.record.clone())));
            entries.push(("expr".to_owned(), Node::Block(r.expr.clone())));
            if !r.labels.is_empty() {
                entries.push(("labels".to_owned(), Node::string_map(&r.labels)));
            }
        }
        Rule::Alert(a) => {
            entries.push(("alert".to_owned(), Node::str(a.alert.clone())));
            entries.push(("expr".to_owned(), Node::Block(a.expr.clone())));
            if let Some(for_) = a.for_ {
                entries.push(("for".to_owned(), Node::str(for_.days().to_string())));
            }
            if let Some(keep) = a.keep_firing_for {
                entries.push((
                    "keep_firing_for".to_owned(),
                    Node::str(keep.days().to_string()),
                ));
            }
            if !a.labels.is_empty() {
                entries.push(("labels".to_owned(), Node::string_map(&a.labels)));
            }
            if !a.annotations.is_empty() {
                entries.push(("annotations".to_owned(), Node::string_map(&a.annotations)));
            }
        }
    }
    Node::Map(entries)
}

fn test_file_node(file: &RuleTestFile) -> Node {
    Node::map([
        (
            "rule_files",
            Node::Seq(
                file.rule_files
                    .iter()
                    .map(|f| Node::str(f.clone()))
                    .collect(),
            ),
        ),
        (
            "evaluation_interval",
            Node::str(file.evaluation_interval.days().to_string()),
        ),
        (
            "group_eval_order",
            Node::Seq(
                file.group_eval_order
                    .iter()
                    .map(|g| Node::str(g.clone()))
                    .collect(),
            ),
        ),
        (
            "tests",
            Node::Seq(file.tests.iter().map(test_node).collect()),
        ),
    ])
}

fn test_node(test: &RuleTest) -> Node {
    let mut entries = vec![
        ("name".to_owned(), Node::str(test.name.clone())),
        (
            "interval".to_owned(),
            Node::str(test.interval.days().to_string()),
        ),
        (
            "input_series".to_owned(),
            Node::Seq(
                test.input_series
                    .iter()
                    .map(|s| {
                        Node::map([
                            ("series", Node::str(s.series.clone())),
                            ("values", Node::str(s.values.clone())),
                        ])
                    })
                    .collect(),
            ),
        ),
    ];
    if !test.alert_rule_tests.is_empty() {
        entries.push((
            "alert_rule_test".to_owned(),
            Node::Seq(test.alert_rule_tests.iter().map(alert_test_node).collect()),
        ));
    }
    if !test.promql_expr_tests.is_empty() {
        entries.push((
            "promql_expr_test".to_owned(),
            Node::Seq(test.promql_expr_tests.iter().map(expr_test_node).collect()),
        ));
    }
    Node::Map(entries)
}

fn alert_test_node(test: &AlertTest) -> Node {
    Node::map([
        ("eval_time", Node::str(test.eval_time.days().to_string())),
        ("alertname", Node::str(test.alertname.clone())),
        (
            "exp_alerts",
            Node::Seq(
                test.exp_alerts
                    .iter()
                    .map(|a| {
                        Node::map([
                            ("exp_labels", Node::string_map(&a.exp_labels)),
                            ("exp_annotations", Node::string_map(&a.exp_annotations)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

fn expr_test_node(test: &ExprTest) -> Node {
    Node::map([
        ("expr", Node::Block(test.expr.clone())),
        ("eval_time", Node::str(test.eval_time.days().to_string())),
        (
            "exp_samples",
            Node::Seq(
                test.exp_samples
                    .iter()
                    .map(|s| {
                        Node::map([
                            ("labels", Node::str(s.labels.clone())),
                            ("value", Node::Number(s.value.clone())),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}
