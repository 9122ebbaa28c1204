//! The rule lint: what `meshward check` and the generator apply to every rule, ours or a
//! user's.
//!
//! Every expression is parsed with promql-parser. On top of that (codes in brackets):
//! - `[promql/syntax]` the expression parses, with the caret at the offending token;
//! - `[promql/rate-window]` `rate`, `irate` and `increase` windows span at least
//!   [`LintOptions::min_rate_scrapes`] scrape intervals (two by default), so each window holds
//!   at least two samples;
//! - `[promql/unguarded-ratio]` vector divisions are guarded against zero traffic (the rule is
//!   spelled out in [`expr`]);
//! - `[template/label-not-in-result]` alert templates print only labels that survive the
//!   expression's aggregations (see [`labels`]);
//! - `[template/*]` annotation and alert label templates are well-formed Go templates with
//!   known variables and functions (see [`template`]);
//! - `[rule/duplicate-alert]` no alert name twice with equal labels in a group; `[rule/duplicate-record]` no
//!   record name twice with equal labels in a file; `[rule/duplicate-group]` no group name
//!   twice in a file;
//! - `[rule/invalid-label-name]` label and annotation names match `[a-zA-Z_][a-zA-Z0-9_]*` and
//!   do not start with `__`; `[rule/invalid-record-name]` record names are metric names;
//!   `[rule/empty-name]` alert and group names are not empty;
//! - `[rule/severity]` alerts carry `severity: critical|warning|info`;
//! - `[rule/missing-annotation]` alerts have `summary` and `description` annotations.
//!
//! Durations (`for`, `keep_firing_for`, `interval`) are checked when a rule file is read:
//! [`RuleFile`] can only hold valid ones.

pub mod expr;
pub mod labels;
pub mod template;

use std::collections::BTreeMap;
use std::time::Duration;

use promql_parser::parser::Expr;

use crate::diag::Diagnostic;
use crate::promql;
use crate::rulefile::{Rule, RuleFile, RuleGroup};
use crate::spec::model::{Sources, Span};
use crate::spec::validate::is_label_name;
use crate::units::PromDuration;
use crate::yaml;

/// What the lint assumes about the Prometheus that evaluates the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintOptions {
    /// How often the series the rules read are scraped.
    pub scrape_interval: PromDuration,
    /// How many scrape intervals a `rate`/`irate`/`increase` window must span at least.
    pub min_rate_scrapes: u32,
}

impl Default for LintOptions {
    /// A 30s scrape interval and windows of at least two scrapes.
    fn default() -> Self {
        LintOptions {
            scrape_interval: PromDuration::from_secs(30),
            min_rate_scrapes: 2,
        }
    }
}

/// Where the parts of a rule file are written; every span is optional, so generated rule
/// files (which have no text yet) lint with [`RuleFilePositions::default`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleFilePositions {
    /// One entry per group, in file order.
    pub groups: Vec<GroupPositions>,
}

/// Where a group's parts are written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupPositions {
    /// The group's `name` value.
    pub name: Option<Span>,
    /// One entry per rule, in group order.
    pub rules: Vec<RulePositions>,
}

/// Where a rule's parts are written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RulePositions {
    /// The rule as a whole (its first key).
    pub rule: Option<Span>,
    /// The `alert` or `record` value.
    pub name: Option<Span>,
    /// The `expr` value (the whole scalar, quotes included).
    pub expr: Option<Span>,
    /// The `for` value.
    pub for_: Option<Span>,
    /// The `keep_firing_for` value.
    pub keep_firing_for: Option<Span>,
    /// Each label's key and value.
    pub labels: BTreeMap<String, KeyValueSpans>,
    /// Each annotation's key and value.
    pub annotations: BTreeMap<String, KeyValueSpans>,
}

/// Where one `key: value` pair is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyValueSpans {
    /// The key.
    pub key: Span,
    /// The value (the whole scalar).
    pub value: Span,
}

/// Lints a rule file that has no source text (generated rules): findings carry no span but
/// name the group and rule.
pub fn lint_rule_file(file: &RuleFile, options: &LintOptions) -> Vec<Diagnostic> {
    lint_located(
        file,
        &RuleFilePositions::default(),
        &Sources::default(),
        options,
    )
}

/// Lints a rule file read from `sources`, pointing findings at `positions`.
pub fn lint_located(
    file: &RuleFile,
    positions: &RuleFilePositions,
    sources: &Sources,
    options: &LintOptions,
) -> Vec<Diagnostic> {
    let mut lint = Lint {
        sources,
        options,
        diagnostics: Vec::new(),
    };
    let mut group_names: BTreeMap<&str, Option<Span>> = BTreeMap::new();
    let mut records: RecordsSeen = BTreeMap::new();
    let no_group = GroupPositions::default();
    for (index, group) in file.groups.iter().enumerate() {
        let at = positions.groups.get(index).unwrap_or(&no_group);
        match group_names.get(group.name.as_str()) {
            Some(first) => lint.push(
                Diagnostic::error(
                    "rule/duplicate-group",
                    format!("the group `{}` appears twice in this file", group.name),
                )
                .at_opt(at.name, "second group of this name")
                .with_related_opt(*first, "first group of this name")
                .with_help("Prometheus requires group names to be unique within a file"),
            ),
            None => {
                group_names.insert(&group.name, at.name);
            }
        }
        if group.name.is_empty() {
            lint.push(
                Diagnostic::error("rule/empty-name", "a rule group has an empty name")
                    .at_opt(at.name, "empty name"),
            );
        }
        lint.group(group, at, &mut records);
    }
    lint.diagnostics
}

/// Record names with their merged labels, and where each was first defined.
type RecordsSeen = BTreeMap<(String, Vec<(String, String)>), Option<Span>>;

/// The alerts of one group seen so far, by name and labels, with where each was first named.
type AlertsSeen<'a> = BTreeMap<(&'a str, Vec<(&'a str, &'a str)>), Option<Span>>;

/// Links an optional related span.
trait RelatedOpt {
    fn with_related_opt(self, span: Option<Span>, label: &str) -> Self;
}

impl RelatedOpt for Diagnostic {
    fn with_related_opt(self, span: Option<Span>, label: &str) -> Diagnostic {
        match span {
            Some(span) => self.with_related(span, label),
            None => self,
        }
    }
}

struct Lint<'a> {
    sources: &'a Sources,
    options: &'a LintOptions,
    diagnostics: Vec<Diagnostic>,
}

/// How a finding names the rule it is about.
fn rule_title(rule: &Rule) -> String {
    match rule {
        Rule::Alert(a) => format!("alert `{}`", a.alert),
        Rule::Record(r) => format!("recording rule `{}`", r.record),
    }
}

impl Lint<'_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The file span of bytes `offset..offset + len` of the scalar `value` written at `span`.
    fn inner_span(
        &self,
        span: Option<Span>,
        value: &str,
        offset: usize,
        len: usize,
    ) -> Option<Span> {
        let span = span?;
        let Some(file) = self.sources.files.get(span.file) else {
            return Some(span);
        };
        let start = yaml::source_offset(&file.text, span, value, offset);
        let end = yaml::source_offset(&file.text, span, value, offset + len);
        Some(Span {
            file: span.file,
            offset: start,
            len: end.saturating_sub(start),
        })
    }

    fn group(&mut self, group: &RuleGroup, at: &GroupPositions, records: &mut RecordsSeen) {
        let mut alerts: AlertsSeen = BTreeMap::new();
        for name in group.labels.keys() {
            self.label_name(name, None, &format!("group `{}`", group.name), "label");
        }
        let no_rule = RulePositions::default();
        for (index, rule) in group.rules.iter().enumerate() {
            let at = at.rules.get(index).unwrap_or(&no_rule);
            match rule {
                Rule::Alert(alert) => {
                    // Tiers of one alert (page and ticket) share a name but not their labels.
                    let labels: Vec<(&str, &str)> = alert
                        .labels
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    let key = (alert.alert.as_str(), labels);
                    if let Some(first) = alerts.get(&key) {
                        self.push(
                            Diagnostic::error(
                                "rule/duplicate-alert",
                                format!(
                                    "the alert `{}` appears twice in group `{}` with the same labels",
                                    alert.alert, group.name
                                ),
                            )
                            .at_opt(at.name, "second alert of this name")
                            .with_related_opt(*first, "first alert of this name")
                            .with_help("give each alert of a group its own name, or merge the two"),
                        );
                    } else {
                        alerts.insert(key, at.name);
                    }
                }
                Rule::Record(record) => {
                    let mut labels: Vec<(String, String)> = group
                        .labels
                        .iter()
                        .chain(&record.labels)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    labels.sort();
                    labels.dedup_by(|a, b| a.0 == b.0);
                    let key = (record.record.clone(), labels);
                    if let Some(first) = records.get(&key) {
                        self.push(
                            Diagnostic::error(
                                "rule/duplicate-record",
                                format!(
                                    "the recording rule `{}` is defined twice with the same labels",
                                    record.record
                                ),
                            )
                            .at_opt(at.name, "second definition")
                            .with_related_opt(*first, "first definition")
                            .with_help("two rules writing the same series overwrite each other; remove one or give them different labels"),
                        );
                    } else {
                        records.insert(key, at.name);
                    }
                }
            }
            self.rule(rule, at, &group.name);
        }
    }

    fn rule(&mut self, rule: &Rule, at: &RulePositions, group: &str) {
        let title = rule_title(rule);
        let (expr_text, labels) = match rule {
            Rule::Alert(a) => (&a.expr, &a.labels),
            Rule::Record(r) => (&r.expr, &r.labels),
        };
        self.names(rule, at, &title, group);
        for name in labels.keys() {
            self.label_name(name, at.labels.get(name).map(|s| s.key), &title, "label");
        }
        let parsed = self.expression(expr_text, at.expr, &title, group);
        if let Rule::Alert(alert) = rule {
            self.alert_conventions(alert, at, &title);
            for (name, value) in &alert.annotations {
                self.label_name(
                    name,
                    at.annotations.get(name).map(|s| s.key),
                    &title,
                    "annotation",
                );
                let span = at.annotations.get(name).map(|s| s.value);
                self.template(
                    value,
                    span,
                    &title,
                    &format!("annotation `{name}`"),
                    parsed.as_ref(),
                );
            }
            for (name, value) in &alert.labels {
                let span = at.labels.get(name).map(|s| s.value);
                self.template(
                    value,
                    span,
                    &title,
                    &format!("label `{name}`"),
                    parsed.as_ref(),
                );
            }
        }
    }

    fn names(&mut self, rule: &Rule, at: &RulePositions, title: &str, group: &str) {
        match rule {
            Rule::Alert(alert) if alert.alert.is_empty() => self.push(
                Diagnostic::error("rule/empty-name", format!("an alert in group `{group}` has an empty name"))
                    .at_opt(at.name.or(at.rule), "empty name"),
            ),
            Rule::Record(record) if !is_metric_name(&record.record) => self.push(
                Diagnostic::error(
                    "rule/invalid-record-name",
                    format!("{title}: `{}` is not a valid metric name", record.record),
                )
                .at_opt(at.name, "invalid metric name")
                .with_help("metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; recording rules follow level:metric:operations"),
            ),
            _ => {}
        }
    }

    fn label_name(&mut self, name: &str, span: Option<Span>, title: &str, what: &str) {
        if is_label_name(name) {
            return;
        }
        self.push(
            Diagnostic::error(
                "rule/invalid-label-name",
                format!("{title}: `{name}` is not a valid {what} name"),
            )
            .at_opt(span, format!("invalid {what} name"))
            .with_help(format!(
                "{what} names match [a-zA-Z_][a-zA-Z0-9_]* and do not start with `__`"
            )),
        );
    }

    fn expression(
        &mut self,
        text: &str,
        span: Option<Span>,
        title: &str,
        group: &str,
    ) -> Option<Expr> {
        let parsed = match promql::parse(text) {
            Ok(parsed) => parsed,
            Err(error) => {
                let at = self.inner_span(span, text, error.offset, error.len);
                self.push(
                    Diagnostic::error(
                        "promql/syntax",
                        format!(
                            "{title} in group `{group}`: invalid PromQL: {}",
                            error.message
                        ),
                    )
                    .at_opt(at, "here")
                    .with_help("see https://prometheus.io/docs/prometheus/latest/querying/basics/"),
                );
                return None;
            }
        };
        let (ranges, divisions) = expr::token_positions(text);
        let minimum =
            self.options.scrape_interval.as_millis() * u64::from(self.options.min_rate_scrapes);
        for short in expr::short_windows(&parsed, Duration::from_millis(minimum)) {
            let at = ranges
                .get(short.range_index)
                .and_then(|&(offset, len)| self.inner_span(span, text, offset, len))
                .or(span);
            let minimum = PromDuration::from_millis(minimum);
            self.push(
                Diagnostic::error(
                    "promql/rate-window",
                    format!(
                        "{title}: the {} window {} is shorter than {} scrape intervals ({minimum})",
                        short.function,
                        PromDuration::from_millis(short.window.as_millis() as u64),
                        self.options.min_rate_scrapes,
                    ),
                )
                .at_opt(at, format!("at least {minimum}"))
                .with_help(format!(
                    "a {} needs two samples in its window; with a {} scrape interval use [{minimum}] or longer",
                    short.function, self.options.scrape_interval
                )),
            );
        }
        for division in expr::unguarded_divisions(&parsed) {
            let at = divisions
                .get(division.division_index)
                .and_then(|&(offset, len)| self.inner_span(span, text, offset, len))
                .or(span);
            self.push(
                Diagnostic::error(
                    "promql/unguarded-ratio",
                    format!("{title}: this division is not guarded against a zero denominator"),
                )
                .at_opt(at, "denominator may be 0")
                .with_help(
                    "without traffic the ratio is NaN or Inf; filter the denominator \
                     (`/ (sum(...) > 0)`), use `clamp_min(..., 1e-9)`, or append `and on (...) <denominator> > 0`",
                ),
            );
        }
        Some(parsed)
    }

    fn alert_conventions(
        &mut self,
        alert: &crate::rulefile::AlertingRule,
        at: &RulePositions,
        title: &str,
    ) {
        match alert.labels.get("severity") {
            None => self.push(
                Diagnostic::error("rule/severity", format!("{title} has no `severity` label"))
                    .at_opt(at.name, "no severity")
                    .with_help("add `labels: {severity: critical|warning|info}`"),
            ),
            Some(severity) if !["critical", "warning", "info"].contains(&severity.as_str()) => {
                let span = at.labels.get("severity").map(|s| s.value);
                self.push(
                    Diagnostic::error(
                        "rule/severity",
                        format!("{title}: severity `{severity}` is not one of critical, warning, info"),
                    )
                    .at_opt(span, "unknown severity")
                    .with_help("Alertmanager routes and the mixin convention use critical, warning and info"),
                );
            }
            Some(_) => {}
        }
        for required in ["summary", "description"] {
            if !alert.annotations.contains_key(required) {
                self.push(
                    Diagnostic::error(
                        "rule/missing-annotation",
                        format!("{title} has no `{required}` annotation"),
                    )
                    .at_opt(at.name, format!("no {required}"))
                    .with_help("alerts carry a one-line `summary` and a templated `description`"),
                );
            }
        }
    }

    fn template(
        &mut self,
        text: &str,
        span: Option<Span>,
        title: &str,
        what: &str,
        parsed: Option<&Expr>,
    ) {
        let report = template::check(text);
        for issue in report.issues {
            let at = self.inner_span(span, text, issue.offset, issue.len);
            let diagnostic = if issue.warning {
                Diagnostic::warning(issue.code, format!("{title}, {what}: {}", issue.message))
            } else {
                Diagnostic::error(issue.code, format!("{title}, {what}: {}", issue.message))
            };
            let diagnostic = diagnostic.at_opt(at, "here");
            self.push(match issue.help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            });
        }
        let Some(parsed) = parsed else {
            return;
        };
        let result = labels::result_labels(parsed);
        for reference in report.labels {
            if result.contains(&reference.name) {
                continue;
            }
            let at = self.inner_span(span, text, reference.offset, reference.len);
            self.push(
                Diagnostic::error(
                    "template/label-not-in-result",
                    format!(
                        "{title}, {what}: the label `{}` does not survive the expression, so the template prints nothing",
                        reference.name
                    ),
                )
                .at_opt(at, "not in the result")
                .with_help(format!(
                    "keep the label in every aggregation (`sum by (..., {}) (...)`) or remove it from the template",
                    reference.name
                )),
            );
        }
    }
}

/// Whether `name` is a legacy-safe metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

#[cfg(test)]
mod tests;
