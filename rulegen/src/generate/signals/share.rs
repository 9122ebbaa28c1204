//! Alerts on the share of a service's inbound requests crossing a fixed bound (authorization
//! denials above a maximum, mutual TLS below a minimum), with the tests that prove them.

use std::collections::BTreeMap;

use meshward_signals::rules as names;

use super::proof::{prove, settled_at, steady};
use super::{counts, probe};
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::query::Selector;
use crate::generate::service::{condition, AlertDef, ServiceRules};
use crate::generate::template::{Humanize, Template};
use crate::generate::unittest::scenario::Traffic;
use crate::spec::model::Severity;
use crate::units::PromDuration;

/// Which side of its bound a share must stay on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// The alert fires above it.
    Maximum,
    /// The alert fires below it.
    Minimum,
}

impl Bound {
    /// The PromQL comparison under which the alert fires.
    fn op(self) -> &'static str {
        match self {
            Bound::Maximum => ">",
            Bound::Minimum => "<",
        }
    }

    /// The bound's name in descriptions and test names.
    fn word(self) -> &'static str {
        match self {
            Bound::Maximum => "maximum",
            Bound::Minimum => "minimum",
        }
    }

    /// How a description opens: a share below a minimum reads "Only 80% of …".
    fn lead(self) -> &'static str {
        match self {
            Bound::Maximum => "",
            Bound::Minimum => "Only ",
        }
    }
}

/// The opening of a description that names the share of a service's inbound requests:
/// `{lead}{value as a percentage} of the inbound requests to {service} in namespace {ns}`.
pub fn share_of_inbound(lead: &str) -> Template {
    Template::text(lead)
        .value(Humanize::Percentage)
        .lit(" of the inbound requests to ")
        .label(names::SERVICE)
        .lit(" in namespace ")
        .label(names::NAMESPACE)
}

/// An alert on a recorded share of inbound requests crossing `bound`, and its tests.
pub struct ShareAlert<'a> {
    /// The alert name.
    pub name: &'static str,
    /// The signal it belongs to.
    pub signal: Signal,
    /// The recorded share.
    pub ratio: &'a Selector,
    /// Which side of `threshold` is healthy.
    pub bound: Bound,
    /// The bound itself.
    pub threshold: Decimal,
    /// How long the share must stay past the bound.
    pub for_: PromDuration,
    /// The alert's severity.
    pub severity: Severity,
    /// The summary annotation.
    pub summary: &'static str,
    /// What the requests counted in the share did, in the past tense ("used mutual TLS").
    pub did: &'static str,
    /// The same in the present tense, for test names ("use mutual TLS").
    pub do_: &'static str,
    /// The traffic of one step where `part` of `whole` requests are counted in the share.
    pub traffic: fn(u64, u64) -> Traffic,
}

impl ShareAlert<'_> {
    /// Adds the alert, then a test at a share just past the bound (it fires) and one just
    /// inside it (it stays silent), each with a steady share from time zero.
    pub fn build(&self, rules: &mut ServiceRules<'_>) {
        let base = rules.base;
        let (threshold, word, op) = (self.threshold, self.bound.word(), self.bound.op());
        let expectation = rules.alert(AlertDef {
            name: self.name,
            signal: self.signal,
            expr: format!("{} {op} {threshold}", self.ratio),
            for_: Some(self.for_),
            keep_firing_for: None,
            severity: self.severity,
            labels: BTreeMap::new(),
            series_labels: BTreeMap::new(),
            summary: self.summary.to_owned(),
            description: share_of_inbound(self.bound.lead()).lit(format!(
                " {} over the last {base}; the {word} is {}.",
                self.did,
                Humanize::Percentage.render(threshold.as_f64())
            )),
            conditions: vec![condition(
                self.ratio.to_string(),
                op,
                threshold,
                Unit::Ratio,
            )],
        });

        let step = rules.step();
        let at = settled_at(rules, step);
        let steps = at.as_millis() / step.as_millis();
        let fires_above = self.bound == Bound::Maximum;
        let sample = probe(threshold, fires_above, |v| expectation.is_stable(v));
        for (share, fires) in [(sample.fire, true), (sample.silent, false)] {
            let Some(share) = share else { continue };
            let (part, whole) = counts(share);
            let scenario = steady(step, steps, (self.traffic)(part, whole));
            let when = format!("when {share} of requests {} ({word} {threshold})", self.do_);
            prove(
                rules,
                &expectation,
                fires,
                share.as_f64(),
                at,
                &scenario,
                &when,
            );
        }
    }
}
