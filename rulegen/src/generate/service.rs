//! The rules, tests and catalogue entries of one service, as the signal builders add them.

use std::collections::{BTreeMap, BTreeSet};

use meshward_signals::rules as names;

use crate::diag::Diagnostic;
use crate::generate::catalogue::{AlertEntry, Condition, RecordEntry, Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::mesh::{self, Translation, Unsupported};
use crate::generate::query::Selector;
use crate::generate::runbook::Runbook;
use crate::generate::template::{escape_literal, Template};
use crate::generate::unittest::scenario::Scenario;
use crate::generate::unittest::{AlertTest, ExpectedAlert, ExprTest, RuleTest};
use crate::generate::windows::DaysExt;
use crate::rulefile::{AlertingRule, RecordingRule};
use crate::spec::model::{Service, Severity, Span, Spec};
use crate::units::PromDuration;

/// What a recorded series means, for the catalogue.
pub struct RecordMeta {
    /// What it is about.
    pub signal: Signal,
    /// What it measures, in one sentence.
    pub meaning: String,
    /// Its unit.
    pub unit: Unit,
    /// The window it looks through.
    pub window: Option<PromDuration>,
}

/// An alert to add.
pub struct AlertDef {
    /// Its name, from the shared vocabulary.
    pub name: &'static str,
    /// What it is about.
    pub signal: Signal,
    /// The condition.
    pub expr: String,
    /// How long the condition must hold.
    pub for_: Option<PromDuration>,
    /// How long the alert outlives its condition.
    pub keep_firing_for: Option<PromDuration>,
    /// Its severity.
    pub severity: Severity,
    /// Labels of this alert beyond `severity` and the spec's.
    pub labels: BTreeMap<String, String>,
    /// Labels the expression's series carry beyond `namespace` and `service`.
    pub series_labels: BTreeMap<String, String>,
    /// A static sentence.
    pub summary: String,
    /// The templated description.
    pub description: Template,
    /// What a dashboard plots, and the line it draws.
    pub conditions: Vec<Condition>,
}

/// How an alert of one service looks when it fires, for tests.
#[derive(Clone, Debug)]
pub struct Expectation {
    /// The alert name.
    pub alertname: &'static str,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, Template>,
}

impl Expectation {
    /// The alert as promtool reports it when its value is `value`.
    pub fn firing(&self, value: f64) -> ExpectedAlert {
        ExpectedAlert {
            exp_labels: self.labels.clone(),
            exp_annotations: self
                .annotations
                .iter()
                .map(|(k, t)| (k.clone(), t.render(&self.labels, value)))
                .collect(),
        }
    }

    /// The humanizers the annotations apply to the value.
    pub fn humanizers(&self) -> Vec<crate::generate::template::Humanize> {
        self.annotations
            .values()
            .flat_map(|t| t.humanizers())
            .collect()
    }

    /// Whether every annotation renders `value` the same under float rounding.
    pub fn is_stable(&self, value: f64) -> bool {
        self.humanizers()
            .iter()
            .all(|h| crate::generate::unittest::humanize::is_stable(h.renderer(), value))
    }
}

/// One service's rules in the making.
pub struct ServiceRules<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// The service.
    pub service: &'a Service,
    /// Its mesh's series.
    pub mesh: Box<dyn Translation>,
    /// The base rate window.
    pub base: PromDuration,
    /// How often promtool evaluates the rules in tests.
    pub evaluation: PromDuration,
    /// The longest `for` of any alert of the spec: steady-state tests of every service last
    /// long enough for it, so that equal tests of several services can share one test case.
    pub longest_for: PromDuration,
    /// The longest `for` of any burn-rate alert of the spec.
    pub longest_burn_for: PromDuration,
    runbook: &'a Runbook,
    /// Recording rules, in evaluation order.
    pub records: Vec<RecordingRule>,
    /// Alerting rules.
    pub alerts: Vec<AlertingRule>,
    /// promtool tests.
    pub tests: Vec<RuleTest>,
    /// Catalogue entries of the records.
    pub record_entries: Vec<RecordEntry>,
    /// Catalogue entries of the alerts.
    pub alert_entries: Vec<AlertEntry>,
    /// The signals watched.
    pub signals: BTreeSet<Signal>,
    /// Errors: the spec cannot be compiled.
    pub errors: Vec<Diagnostic>,
    /// Warnings: compiled, but something will not work as the user may think.
    pub warnings: Vec<Diagnostic>,
    record_names: BTreeSet<String>,
}

impl<'a> ServiceRules<'a> {
    /// Starts on `service`.
    pub fn new(
        spec: &'a Spec,
        service: &'a Service,
        base: PromDuration,
        evaluation: PromDuration,
        runbook: &'a Runbook,
    ) -> ServiceRules<'a> {
        let (longest_for, longest_burn_for) = longest_fors(spec, base);
        ServiceRules {
            spec,
            service,
            mesh: mesh::for_service(spec, service),
            base,
            evaluation,
            longest_for,
            longest_burn_for,
            runbook,
            records: Vec::new(),
            alerts: Vec::new(),
            tests: Vec::new(),
            record_entries: Vec::new(),
            alert_entries: Vec::new(),
            signals: BTreeSet::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            record_names: BTreeSet::new(),
        }
    }

    /// The labels every series of this service carries.
    pub fn service_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (names::NAMESPACE.to_owned(), self.service.namespace.clone()),
            (names::SERVICE.to_owned(), self.service.name.clone()),
        ])
    }

    /// A selector reading this service's copy of a recorded series.
    pub fn recorded(&self, record: &str) -> Selector {
        Selector::metric(record)
            .eq(names::NAMESPACE, &self.service.namespace)
            .eq(names::SERVICE, &self.service.name)
    }

    /// Adds a recording rule once; later calls with the same name are ignored.
    pub fn record(&mut self, record: &str, expr: String, meta: RecordMeta) {
        self.record_with(record, expr, BTreeMap::new(), meta);
    }

    /// Adds a recording rule whose series carries `extra` labels too.
    // The struct updates keep this compiling when defaulted fields (such as spans) are added.
    #[allow(clippy::needless_update)]
    pub fn record_with(
        &mut self,
        record: &str,
        expr: String,
        extra: BTreeMap<String, String>,
        meta: RecordMeta,
    ) {
        if !self.record_names.insert(record.to_owned()) {
            return;
        }
        let mut labels = self.service_labels();
        labels.extend(extra.clone());
        let mut selector = self.recorded(record);
        for (name, value) in &extra {
            selector = selector.eq(name, value);
        }
        self.signals.insert(meta.signal);
        self.record_entries.push(RecordEntry {
            record: record.to_owned(),
            service: self.service.name.clone(),
            namespace: self.service.namespace.clone(),
            labels: labels.clone(),
            selector: selector.to_string(),
            signal: meta.signal,
            meaning: meta.meaning,
            unit: meta.unit,
            window: meta.window.map(|w| w.days().to_string()),
        });
        self.records.push(RecordingRule {
            record: record.to_owned(),
            expr,
            labels,
            ..Default::default()
        });
    }

    /// Adds an alerting rule; returns how it looks when it fires.
    // The struct updates keep this compiling when defaulted fields (such as spans) are added.
    #[allow(clippy::needless_update)]
    pub fn alert(&mut self, def: AlertDef) -> Expectation {
        let runbook = self
            .runbook
            .url(def.name, &self.service.name, &self.service.namespace)
            .unwrap_or_else(|diagnostic| {
                if !self.errors.iter().any(|d| d.code == diagnostic.code) {
                    self.errors.push(*diagnostic);
                }
                String::new()
            });

        // The service's own labels are set on the rule too (not only on the series it reads),
        // so that two services' alerts are two rules with different labels, not duplicates.
        let mut literal = self.service_labels();
        literal.insert(names::SEVERITY.to_owned(), def.severity.as_str().to_owned());
        literal.extend(self.spec.labels.clone());
        literal.extend(def.labels.clone());
        let mut expected_labels = self.service_labels();
        expected_labels.extend(def.series_labels.clone());
        expected_labels.extend(literal.clone());

        let annotations = BTreeMap::from([
            (
                names::SUMMARY.to_owned(),
                Template::text(def.summary.clone()),
            ),
            (names::DESCRIPTION.to_owned(), def.description.clone()),
            (
                names::RUNBOOK_URL.to_owned(),
                Template::text(runbook.clone()),
            ),
        ]);
        self.signals.insert(def.signal);
        self.alert_entries.push(AlertEntry {
            alert: def.name.to_owned(),
            service: self.service.name.clone(),
            namespace: self.service.namespace.clone(),
            signal: def.signal,
            severity: def.severity.as_str().to_owned(),
            labels: expected_labels.clone(),
            expr: def.expr.clone(),
            for_: def.for_.map(|d| d.days().to_string()),
            keep_firing_for: def.keep_firing_for.map(|d| d.days().to_string()),
            conditions: def.conditions,
            summary: def.summary,
            description: def.description.go_text(),
            runbook_url: runbook,
        });
        self.alerts.push(AlertingRule {
            alert: def.name.to_owned(),
            expr: def.expr,
            for_: def.for_,
            keep_firing_for: def.keep_firing_for,
            labels: literal
                .iter()
                .map(|(k, v)| (k.clone(), escape_literal(v)))
                .collect(),
            annotations: annotations
                .iter()
                .map(|(k, t)| (k.clone(), t.go_text()))
                .collect(),
            ..Default::default()
        });
        Expectation {
            alertname: def.name,
            labels: expected_labels,
            annotations,
        }
    }

    /// Rejects a signal this service's mesh cannot measure.
    pub fn unsupported(&mut self, signal: &str, span: Span, why: Unsupported) {
        let message = format!(
            "`{signal}` cannot be computed for service {:?} from {} metrics: {}",
            self.service.name,
            self.mesh.mesh(),
            why.reason
        );
        self.errors.push(
            Diagnostic::error("generate/unsupported-signal", message)
                .at(
                    span,
                    format!("{signal} is not available on {}", self.mesh.mesh()),
                )
                .with_help(why.alternative),
        );
    }

    /// Records a warning about a signal.
    pub fn warn(&mut self, code: &'static str, span: Span, label: &str, message: String) {
        self.warnings
            .push(Diagnostic::warning(code, message).at(span, label));
    }

    /// Records an error about a signal.
    pub fn error(&mut self, code: &'static str, span: Span, label: &str, message: String) {
        self.errors
            .push(Diagnostic::error(code, message).at(span, label));
    }

    /// A test case of this service. Cases with the same `merge_key` (and the same step and
    /// times) from several services become one case with all their series and expectations.
    pub fn test(
        &mut self,
        merge_key: Option<String>,
        what: &str,
        scenario: &Scenario,
        alerts: Vec<AlertTest>,
        exprs: Vec<ExprTest>,
    ) {
        self.tests.push(RuleTest {
            name: format!(
                "{}/{} ({}): {what}",
                self.service.namespace,
                self.service.name,
                self.mesh.mesh()
            ),
            interval: scenario.step,
            input_series: self.mesh.input_series(scenario),
            alert_rule_tests: alerts,
            promql_expr_tests: exprs,
            merge_key,
        });
    }

    /// The sampling step of tests: a fifth of the base window (a minute by default), so every
    /// rate window holds at least five samples.
    pub fn step(&self) -> PromDuration {
        PromDuration::from_millis((self.base.as_millis() / 5).max(1000))
    }

    /// The first time a whole number of samples and evaluations after `at` plus one more
    /// evaluation, so that a test looks at a settled state rather than at a boundary.
    pub fn align(&self, at: u64, step: PromDuration) -> PromDuration {
        let unit = self.unit(step);
        let at = at + self.evaluation.as_millis();
        PromDuration::from_millis(at.div_ceil(unit) * unit)
    }

    /// The smallest time that is both a whole number of samples and of evaluations.
    pub fn unit(&self, step: PromDuration) -> u64 {
        lcm(step.as_millis().max(1), self.evaluation.as_millis().max(1))
    }
}

/// The longest `for` of the spec's alerts, and of its burn-rate alerts.
fn longest_fors(spec: &Spec, base: PromDuration) -> (PromDuration, PromDuration) {
    let mut longest = PromDuration::from_millis(0);
    let mut burn = PromDuration::from_millis(0);
    for service in &spec.services {
        let spikes = service.spikes.iter().flat_map(|s| [&s.errors, &s.latency]);
        let fors = [
            service.mtls.as_ref().map(|m| m.for_),
            service.authz.as_ref().map(|a| a.for_),
            service.latency.as_ref().map(|l| l.for_),
        ]
        .into_iter()
        .chain(spikes.map(|s| s.as_ref().map(|s| s.for_)));
        longest = fors.flatten().fold(longest, PromDuration::max);
        if let Some(slo) = &service.availability {
            let tiers = crate::generate::windows::burn_tiers(slo.window, base);
            burn = tiers.iter().map(|t| t.for_).fold(burn, PromDuration::max);
        }
    }
    (longest, burn)
}

/// The greatest common divisor.
pub fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The least common multiple.
pub fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

/// A condition for the catalogue.
pub fn condition(measure: String, op: &str, threshold: Decimal, unit: Unit) -> Condition {
    Condition {
        measure,
        op: op.to_owned(),
        threshold: threshold.as_f64(),
        threshold_text: threshold.to_string(),
        unit,
    }
}
