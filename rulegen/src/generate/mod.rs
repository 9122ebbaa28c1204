//! The generator: compiles a validated [`Spec`] into rule files, the promtool tests that prove
//! every alert, and a catalogue of everything generated.
//!
//! ```text
//! Spec ──compile──▶ Compiled { rule_files, rule_tests, catalogue, warnings }
//!                      │
//!                      └──▶ emit (rules | prometheus-rule | …) ──▶ files
//! ```
//!
//! Each service gets a recording group and an alerting group. Its signals read the series of
//! its mesh through one translation per mesh ([`mesh`]); every value that reaches PromQL is
//! quoted, every value that reaches a Prometheus template is escaped, and every generated
//! expression is parsed back before it is returned.

pub mod catalogue;
pub mod decimal;
pub mod mesh;
pub mod naming;
pub mod query;
pub mod runbook;
pub mod service;
pub mod signals;
pub mod template;
pub mod unittest;
pub mod windows;

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostic;
use crate::rulefile::{Rule, RuleFile, RuleGroup};
use crate::spec::model::Spec;
use crate::spec::validate::RESERVED_LABELS;
use crate::spec::{user_rule_to_rule, user_rules_group_name};
use crate::units::PromDuration;

pub use catalogue::Catalogue;
use runbook::Runbook;
use service::ServiceRules;
pub use unittest::RuleTestFile;

/// Everything one spec compiles to.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    /// The spec's name.
    pub name: String,
    /// The spec's files, as the user named them.
    pub sources: Vec<String>,
    /// Rule files by file name (`<spec>.rules.yaml`).
    pub rule_files: BTreeMap<String, RuleFile>,
    /// promtool test files by file name (`<spec>.rules.test.yaml`); each names the rule file
    /// it tests.
    pub rule_tests: BTreeMap<String, RuleTestFile>,
    /// Every recorded series and alert, for dashboards and mixins.
    pub catalogue: Catalogue,
    /// Findings that did not stop compilation.
    pub warnings: Vec<Diagnostic>,
}

/// The rule file a spec compiles to.
pub fn rule_file_name(spec_name: &str) -> String {
    format!("{spec_name}.rules.yaml")
}

/// The promtool test file of a rule file.
pub fn test_file_name(spec_name: &str) -> String {
    format!("{spec_name}.rules.test.yaml")
}

/// The shortest evaluation interval of the generated promtool tests.
///
/// promtool evaluates every rule of the file at every step, and the burn-rate tests span the
/// 3-day window: at 1m they would take minutes. Alerting semantics do not depend on the step
/// (an alert fires at the first evaluation after its `for`), so tests evaluate every 15m.
pub const TEST_EVALUATION: PromDuration = PromDuration::from_secs(15 * 60);

/// Compiles `spec`; on failure returns every error found (never just the first).
pub fn compile(spec: &Spec) -> Result<Compiled, Vec<Diagnostic>> {
    let runbook = Runbook::new(spec.runbook_url.as_deref()).map_err(|d| vec![*d])?;
    let base = windows::base_window(spec.scrape_interval);
    let test_evaluation = spec.evaluation_interval.max(TEST_EVALUATION);
    let rule_file = rule_file_name(&spec.name);
    let mut errors = spec_label_conflicts(spec);
    errors.extend(duplicate_services(spec));
    let mut warnings = Vec::new();

    let mut catalogue = Catalogue {
        spec: spec.name.clone(),
        ..Default::default()
    };
    let mut group_names = BTreeSet::new();
    let mut recording_groups = Vec::new();
    let mut alerting_groups = Vec::new();
    let mut tests = Vec::new();
    for service in &spec.services {
        let mut rules = ServiceRules::new(spec, service, base, test_evaluation, &runbook);
        signals::traffic::build(&mut rules);
        if let Some(mtls) = &service.mtls {
            signals::mtls::build(&mut rules, mtls);
        }
        if let Some(authz) = &service.authz {
            signals::authz::build(&mut rules, authz);
        }
        if let Some(slo) = &service.availability {
            signals::availability::build(&mut rules, slo);
        }
        if let Some(latency) = &service.latency {
            signals::latency::build(&mut rules, latency);
        }
        signals::spikes::build(&mut rules, service);
        if let Some(certificates) = &service.certificates {
            signals::certificates::build(&mut rules, certificates);
        }
        signals::idle::test(&mut rules);

        let group = |kind: &str| {
            format!(
                "meshward:{}:{}/{}:{kind}",
                spec.name, service.namespace, service.name
            )
        };
        let recording = unique(&mut group_names, group("recording"));
        let alerting = unique(&mut group_names, group("alerts"));
        catalogue.services.push(catalogue::ServiceEntry {
            name: service.name.clone(),
            namespace: service.namespace.clone(),
            workload: service.workload.clone(),
            mesh: service.mesh.to_string(),
            signals: rules.signals.iter().copied().collect(),
            rule_file: rule_file.clone(),
            recording_group: recording.clone(),
            alerting_group: alerting.clone(),
        });
        catalogue.recording_rules.append(&mut rules.record_entries);
        catalogue.alerts.append(&mut rules.alert_entries);
        errors.append(&mut rules.errors);
        warnings.append(&mut rules.warnings);
        tests.append(&mut rules.tests);
        recording_groups.push(group_of(
            recording,
            spec,
            rules.records.into_iter().map(Rule::Record),
        ));
        alerting_groups.push(group_of(
            alerting,
            spec,
            rules.alerts.into_iter().map(Rule::Alert),
        ));
    }

    let mut groups: Vec<RuleGroup> = recording_groups
        .into_iter()
        .chain(alerting_groups)
        .collect();
    let mut user_group = None;
    if !spec.rules.is_empty() {
        let name = unique(&mut group_names, user_rules_group_name(&spec.name));
        user_group = Some(name.clone());
        groups.push(group_of(
            name,
            spec,
            spec.rules.iter().map(user_rule_to_rule),
        ));
    }
    groups.retain(|g| !g.rules.is_empty());
    errors.extend(unparsable(&groups, user_group.as_deref()));
    if !errors.is_empty() {
        return Err(errors);
    }

    let test_file = RuleTestFile {
        rule_files: vec![rule_file.clone()],
        evaluation_interval: test_evaluation,
        group_eval_order: groups.iter().map(|g| g.name.clone()).collect(),
        tests: unittest::merge_cases(tests),
    };
    Ok(Compiled {
        name: spec.name.clone(),
        sources: spec.sources.files.iter().map(|f| f.path.clone()).collect(),
        rule_files: BTreeMap::from([(rule_file, RuleFile { groups })]),
        rule_tests: BTreeMap::from([(test_file_name(&spec.name), test_file)]),
        catalogue,
        warnings,
    })
}

fn group_of(name: String, spec: &Spec, rules: impl Iterator<Item = Rule>) -> RuleGroup {
    RuleGroup {
        name,
        interval: Some(spec.evaluation_interval),
        rules: rules.collect(),
        ..Default::default()
    }
}

/// `name`, or `name #2`, `name #3`… if taken (hostile names can collide once joined).
fn unique(taken: &mut BTreeSet<String>, name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name} #{n}");
        n += 1;
    }
    candidate
}

fn spec_label_conflicts(spec: &Spec) -> Vec<Diagnostic> {
    spec.labels
        .keys()
        .filter(|k| RESERVED_LABELS.contains(&k.as_str()))
        .map(|k| {
            let message =
                format!("the spec's labels set {k:?}, which meshward sets on its alerts itself");
            Diagnostic::error("generate/reserved-label", message).with_help(format!(
                "rename it; reserved: {}",
                RESERVED_LABELS.join(", ")
            ))
        })
        .collect()
}

fn duplicate_services(spec: &Spec) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    spec.services
        .iter()
        .filter(|s| !seen.insert((s.namespace.clone(), s.name.clone())))
        .map(|s| {
            let message = format!(
                "service {:?} in namespace {:?} is declared twice; its series and alerts would \
                 collide",
                s.name, s.namespace
            );
            Diagnostic::error("generate/duplicate-service", message)
                .at(s.span, "declared again here")
                .with_help("merge the two declarations, or give one another name")
        })
        .collect()
}

/// Generated expressions that do not parse: a bug in meshward, reported rather than written.
/// (The user's own rules are the spec front-end's to lint, with positions in the spec.)
fn unparsable(groups: &[RuleGroup], user_group: Option<&str>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for group in groups
        .iter()
        .filter(|g| Some(g.name.as_str()) != user_group)
    {
        for rule in &group.rules {
            let (name, expr) = match rule {
                Rule::Record(r) => (&r.record, &r.expr),
                Rule::Alert(a) => (&a.alert, &a.expr),
            };
            if let Err(error) = promql_parser::parser::parse(expr) {
                let message = format!(
                    "meshward generated an expression for {name} in group {:?} that does not \
                     parse ({error}): {expr}",
                    group.name
                );
                problems.push(
                    Diagnostic::error("generate/internal", message)
                        .with_help("this is a bug in meshward; please report it"),
                );
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshward_signals::rules as names;

    const SPEC: &str = "version: 1\nname: s\nmesh: istio\nservices:\n  - {name: web, namespace: \
                        shop, latency: {percentile: 0.99, threshold: 300ms}}\n";

    #[test]
    fn the_latency_alert_reads_series_labelled_with_their_quantile() {
        let compiled = compile(&crate::spec::load_str("s.yaml", SPEC).unwrap()).unwrap();
        let alert = compiled
            .catalogue
            .alerts
            .iter()
            .find(|a| a.alert == names::ALERT_LATENCY_HIGH)
            .unwrap();
        let read_with_quantile = compiled
            .catalogue
            .recording_rules
            .iter()
            .any(|r| alert.expr.contains(&r.record) && r.labels.contains_key(names::QUANTILE));
        assert!(read_with_quantile, "{}", alert.expr);
    }

    #[test]
    fn spec_labels_may_not_overwrite_what_the_alerts_carry() {
        for label in RESERVED_LABELS {
            // The loader refuses these; a spec built in code reaches the generator.
            let text = format!("{SPEC}labels: {{{label}: x}}\n");
            let loaded = crate::spec::load_str("s.yaml", &text).unwrap_err();
            assert!(
                loaded
                    .iter()
                    .any(|d| d.code == "spec/reserved-label" || d.code == "spec/invalid-label-name"),
                "{label}: {loaded:?}"
            );

            let mut spec = crate::spec::load_str("s.yaml", SPEC).unwrap();
            spec.labels.insert(label.to_owned(), "x".to_owned());
            let errors = compile(&spec).map(|_| ()).unwrap_err();
            assert_eq!(errors[0].code, "generate/reserved-label", "{label}");
        }
    }
}
