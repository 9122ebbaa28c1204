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
    /// Cases with the same key, step and times may be merged into one (not written out).
    pub merge_key: Option<String>,
}

impl RuleTest {
    /// Whether `other` can join this case: same key, same step, no shared series.
    pub fn can_merge(&self, other: &RuleTest) -> bool {
        let times = |t: &RuleTest| {
            let mut times: Vec<_> = t.alert_rule_tests.iter().map(|a| a.eval_time).collect();
            times.extend(t.promql_expr_tests.iter().map(|e| e.eval_time));
            times.sort();
            times.dedup();
            times
        };
        self.merge_key.is_some()
            && self.merge_key == other.merge_key
            && self.interval == other.interval
            && times(self) == times(other)
            && !other
                .input_series
                .iter()
                .any(|s| self.input_series.iter().any(|mine| mine.series == s.series))
    }

    /// Adds `other`'s series and expectations to this case.
    pub fn merge(&mut self, other: RuleTest) {
        self.name = format!("{} | {}", self.name, other.name);
        self.input_series.extend(other.input_series);
        for test in other.alert_rule_tests {
            match self
                .alert_rule_tests
                .iter_mut()
                .find(|t| t.eval_time == test.eval_time && t.alertname == test.alertname)
            {
                Some(mine) => mine.exp_alerts.extend(test.exp_alerts),
                None => self.alert_rule_tests.push(test),
            }
        }
        self.promql_expr_tests.extend(other.promql_expr_tests);
    }
}

/// Merges cases that [`RuleTest::can_merge`], keeping the order of first appearance.
pub fn merge_cases(tests: Vec<RuleTest>) -> Vec<RuleTest> {
    let mut merged: Vec<RuleTest> = Vec::new();
    for test in tests {
        match merged.iter_mut().find(|m| m.can_merge(&test)) {
            Some(mine) => mine.merge(test),
            None => merged.push(test),
        }
    }
    merged
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
