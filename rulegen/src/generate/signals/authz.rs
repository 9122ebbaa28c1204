//! Authorization denials: the share of inbound requests an authorization policy denied
//! (`MeshwardAuthzDenialsHigh`).

use std::collections::BTreeMap;

use meshward_signals::rules as names;

use super::{counts, part_rate, probe, ratio_of_records};
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::naming;
use crate::generate::service::{condition, AlertDef, RecordMeta, ServiceRules};
use crate::generate::template::{Humanize, Template};
use crate::generate::unittest::scenario::{Outcome, Phase, Scenario, Tls, Traffic};
use crate::generate::unittest::AlertTest;
use crate::spec::model::Authz;

/// Adds the authorization rules, alert and tests of one service.
pub fn build(rules: &mut ServiceRules<'_>, authz: &Authz) {
    let base = rules.base;
    let requests = rules.mesh.requests();
    let denied = naming::rate(names::DENIED_REQUESTS, base);
    let ratio = naming::ratio_rate(names::DENIED_REQUESTS, base);
    let total = naming::rate(names::REQUESTS, base);
    let meta = |meaning: String, unit| RecordMeta {
        signal: Signal::Authz,
        meaning,
        unit,
        window: Some(base),
    };
    rules.record(
        &denied,
        part_rate(&rules.mesh.denied_requests(), &requests, base),
        meta(
            format!("Inbound requests per second denied by authorization, over the last {base}."),
            Unit::RequestsPerSecond,
        ),
    );
    let ratio_expr = ratio_of_records(&rules.recorded(&denied), &rules.recorded(&total));
    rules.record(
        &ratio,
        ratio_expr,
        meta(
            format!("Share of inbound requests denied by authorization, over the last {base}."),
            Unit::Ratio,
        ),
    );

    let maximum = Decimal::from_ratio(authz.max_deny_ratio);
    if maximum == Decimal::whole(1) {
        rules.warn(
            "generate/alert-never-fires",
            authz.span,
            "max_deny_ratio 1",
            "authz.max_deny_ratio is 100%: no share can exceed it, so MeshwardAuthzDenialsHigh \
             is not generated"
                .to_owned(),
        );
        return;
    }
    let ratio = rules.recorded(&ratio);
    let percent = Humanize::Percentage;
    let expectation = rules.alert(AlertDef {
        name: names::ALERT_AUTHZ_DENIALS_HIGH,
        signal: Signal::Authz,
        expr: format!("{ratio} > {maximum}"),
        for_: Some(authz.for_),
        keep_firing_for: None,
        severity: authz.severity,
        labels: BTreeMap::new(),
        series_labels: BTreeMap::new(),
        summary: "Authorization policies deny too many inbound requests.".to_owned(),
        description: Template::text("")
            .value(percent)
            .lit(" of the inbound requests to ")
            .label(names::SERVICE)
            .lit(" in namespace ")
            .label(names::NAMESPACE)
            .lit(format!(
                " were denied by authorization over the last {base}; the maximum is {}.",
                percent.render(maximum.as_f64())
            )),
        conditions: vec![condition(ratio.to_string(), ">", maximum, Unit::Ratio)],
    });

    let step = rules.step();
    let at = rules.align(
        base.as_millis() + rules.longest_for.as_millis() + 2 * step.as_millis(),
        step,
    );
    let steps = at.as_millis() / step.as_millis();
    let sample = probe(maximum, true, |v| expectation.is_stable(v));
    for (share, fires) in [(sample.fire, true), (sample.silent, false)] {
        let Some(share) = share else { continue };
        let (denied, total) = counts(share);
        let traffic = Traffic::IDLE
            .with(Tls::Mutual, Outcome::Denied, denied)
            .with(Tls::Mutual, Outcome::Ok, total - denied);
        let scenario = Scenario {
            step,
            phases: vec![Phase {
                steps,
                traffic,
                latency: None,
            }],
            certificates: Vec::new(),
            quantile: None,
        };
        let exp_alerts = if fires {
            vec![expectation.firing(share.as_f64())]
        } else {
            Vec::new()
        };
        let verdict = if fires { "fires" } else { "stays silent" };
        rules.test(
            Some(format!("{}:{fires}", names::ALERT_AUTHZ_DENIALS_HIGH)),
            &format!(
                "{} {verdict} when {share} of requests are denied (maximum {maximum})",
                names::ALERT_AUTHZ_DENIALS_HIGH
            ),
            &scenario,
            vec![AlertTest {
                eval_time: at,
                alertname: names::ALERT_AUTHZ_DENIALS_HIGH.to_owned(),
                exp_alerts,
            }],
            Vec::new(),
        );
    }
}
