//! promtool unit tests that prove every generated alert: the model of a test file, and the
//! pieces the signal builders assemble tests from.
//!
//! For each alert a builder writes a scenario in which it must fire (just past its threshold,
//! after its `for`) and one in which it must stay silent (just inside its threshold); the
//! service's mesh turns each scenario into input series in its own metric vocabulary, and the
//! expected annotations are rendered here exactly as Prometheus will render them.

pub mod histogram;
pub mod humanize;
pub mod scenario;

use std::collections::BTreeMap;

use crate::units::PromDuration;

pub use scenario::InputSeries;

/// A promtool test file (`promtool test rules <file>`).
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTestFile {
    /// The rule files under test, relative to the test file.
    pub rule_files: Vec<String>,
    /// How often the rules are evaluated.
    pub evaluation_interval: PromDuration,
    /// Every group of the rule files, recording groups first, so that alerts read the series
    /// recorded at the same evaluation.
    pub group_eval_order: Vec<String>,
    /// The test cases.
    pub tests: Vec<RuleTest>,
}

/// One test case: input series and what to expect of them.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTest {
    /// What the case shows, for promtool's failure output.
    pub name: String,
    /// Time between input samples.
    pub interval: PromDuration,
    /// The series.
    pub input_series: Vec<InputSeries>,
    /// Alerts expected at given times.
    pub alert_rule_tests: Vec<AlertTest>,
    /// Query results expected at given times.
    pub promql_expr_tests: Vec<ExprTest>,
}

/// The alerts of one name expected at one time; empty means "not firing".
#[derive(Clone, Debug, PartialEq)]
pub struct AlertTest {
    /// When.
    pub eval_time: PromDuration,
    /// Which alert.
    pub alertname: String,
    /// The firing alerts, each with its exact labels and annotations.
    pub exp_alerts: Vec<ExpectedAlert>,
}

/// One firing alert as promtool must see it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedAlert {
    /// Every label but `alertname`.
    pub exp_labels: BTreeMap<String, String>,
    /// Every annotation, rendered.
    pub exp_annotations: BTreeMap<String, String>,
}

/// The samples one query must return at one time; empty means "no series at all".
#[derive(Clone, Debug, PartialEq)]
pub struct ExprTest {
    /// The query.
    pub expr: String,
    /// When.
    pub eval_time: PromDuration,
    /// The samples, each a series and a value that promtool compares exactly.
    pub exp_samples: Vec<ExpectedSample>,
}

/// One expected sample.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedSample {
    /// The series, `metric{label="value"}`.
    pub labels: String,
    /// The value, written as promtool will parse it.
    pub value: String,
}
