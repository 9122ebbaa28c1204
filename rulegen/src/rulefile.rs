//! Prometheus rule files: the shape promtool, Prometheus and the operator read.
//!
//! Generated rules and rules read back for `meshward check` share these types, so the lint
//! judges both the same way.

use std::collections::BTreeMap;

use crate::units::PromDuration;

/// A rule file: `groups:` at the top level.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleFile {
    /// The groups, in file order.
    pub groups: Vec<RuleGroup>,
}

/// A group of rules evaluated in order at one interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleGroup {
    /// Unique within the file.
    pub name: String,
    /// Evaluation interval; Prometheus' global one when absent.
    pub interval: Option<PromDuration>,
    /// Labels added to every rule of the group (Prometheus 3).
    pub labels: BTreeMap<String, String>,
    /// The rules, in evaluation order.
    pub rules: Vec<Rule>,
}

/// One rule of a group.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `record:`
    Record(RecordingRule),
    /// `alert:`
    Alert(AlertingRule),
}

/// A recording rule: stores an expression's result under a new metric name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordingRule {
    /// The metric name, `level:metric:operations`.
    pub record: String,
    /// The PromQL expression.
    pub expr: String,
    /// Labels added to the result.
    pub labels: BTreeMap<String, String>,
}

/// An alerting rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertingRule {
    /// The alert name.
    pub alert: String,
    /// The PromQL condition; every series it returns is an alert.
    pub expr: String,
    /// How long the condition must hold before the alert fires.
    pub for_: Option<PromDuration>,
    /// How long the alert keeps firing after the condition clears.
    pub keep_firing_for: Option<PromDuration>,
    /// Labels added to the alert, sorted.
    pub labels: BTreeMap<String, String>,
    /// Annotations (Go templates), sorted.
    pub annotations: BTreeMap<String, String>,
}
