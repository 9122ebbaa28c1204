//! Mutual TLS: the share of inbound requests over mutual TLS (`MeshwardMtlsAdoptionLow`) and,
//! for services whose declared policy is strict, any plaintext request at all
//! (`MeshwardPlaintextTraffic`: policy and observed traffic disagree).

use std::collections::BTreeMap;

use meshward_signals::rules as names;

use super::proof::{prove, steady};
use super::share::{Bound, ShareAlert};
use super::{part_rate, ratio_of_records};
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::naming;
use crate::generate::service::{condition, AlertDef, RecordMeta, ServiceRules};
use crate::generate::template::{Humanize, Template};
use crate::generate::unittest::scenario::{Outcome, Tls, Traffic};
use crate::spec::model::{Mtls, MtlsMode};

/// Adds the mTLS rules, alerts and tests of one service.
pub fn build(rules: &mut ServiceRules<'_>, mtls: &Mtls) {
    let (mtls_requests, plaintext_requests) =
        match (rules.mesh.mtls_requests(), rules.mesh.plaintext_requests()) {
            (Ok(m), Ok(p)) => (m, p),
            (Err(why), _) | (_, Err(why)) => return rules.unsupported("mtls", mtls.span, why),
        };
    let base = rules.base;
    let requests = rules.mesh.requests();
    let total = naming::rate(names::REQUESTS, base);
    let mutual = naming::rate(names::MTLS_REQUESTS, base);
    let plaintext = naming::rate(names::PLAINTEXT_REQUESTS, base);
    let ratio = naming::ratio_rate(names::MTLS_REQUESTS, base);

    let meta = |meaning: String, unit| RecordMeta {
        signal: Signal::Mtls,
        meaning,
        unit,
        window: Some(base),
    };
    rules.record(
        &mutual,
        part_rate(&mtls_requests, &requests, base),
        meta(
            format!("Inbound requests per second over mutual TLS, over the last {base}."),
            Unit::RequestsPerSecond,
        ),
    );
    rules.record(
        &plaintext,
        part_rate(&plaintext_requests, &requests, base),
        meta(
            format!("Inbound requests per second without mutual TLS, over the last {base}."),
            Unit::RequestsPerSecond,
        ),
    );
    let ratio_expr = ratio_of_records(&rules.recorded(&mutual), &rules.recorded(&total));
    rules.record(
        &ratio,
        ratio_expr,
        meta(
            format!("Share of inbound requests over mutual TLS, over the last {base}."),
            Unit::Ratio,
        ),
    );

    let minimum = Decimal::from_ratio(mtls.min_ratio);
    if minimum.is_zero() {
        rules.warn(
            "generate/alert-never-fires",
            mtls.span,
            "min_ratio 0",
            "mtls.min_ratio is 0: no share can be below it, so MeshwardMtlsAdoptionLow is not \
             generated"
                .to_owned(),
        );
    } else {
        adoption_low(rules, mtls, minimum);
    }
    if mtls.mode == MtlsMode::Strict {
        plaintext_traffic(rules, mtls);
    }
}

fn adoption_low(rules: &mut ServiceRules<'_>, mtls: &Mtls, minimum: Decimal) {
    let ratio = rules.recorded(&naming::ratio_rate(names::MTLS_REQUESTS, rules.base));
    ShareAlert {
        name: names::ALERT_MTLS_ADOPTION_LOW,
        signal: Signal::Mtls,
        ratio: &ratio,
        bound: Bound::Minimum,
        threshold: minimum,
        for_: mtls.for_,
        severity: mtls.severity,
        summary: "Too few inbound requests use mutual TLS.",
        did: "used mutual TLS",
        do_: "use mutual TLS",
        traffic: |mutual, total| {
            Traffic::IDLE.with(Tls::Mutual, Outcome::Ok, mutual).with(
                Tls::Plaintext,
                Outcome::Ok,
                total - mutual,
            )
        },
    }
    .build(rules);
}

fn plaintext_traffic(rules: &mut ServiceRules<'_>, mtls: &Mtls) {
    let base = rules.base;
    let plaintext = rules.recorded(&naming::rate(names::PLAINTEXT_REQUESTS, base));
    let expectation = rules.alert(AlertDef {
        name: names::ALERT_PLAINTEXT_TRAFFIC,
        signal: Signal::Mtls,
        expr: format!("{plaintext} > 0"),
        for_: None,
        keep_firing_for: None,
        severity: mtls.severity,
        labels: BTreeMap::new(),
        series_labels: BTreeMap::new(),
        summary: "A service whose policy is strict mutual TLS received plaintext requests."
            .to_owned(),
        description: Template::text("")
            .label(names::SERVICE)
            .lit(" in namespace ")
            .label(names::NAMESPACE)
            .lit(" is declared strict mutual TLS but received ")
            .value(Humanize::Number)
            .lit(format!(
                " plaintext requests per second over the last {base}: the policy and the \
                 traffic disagree."
            )),
        conditions: vec![condition(
            plaintext.to_string(),
            ">",
            Decimal::whole(0),
            Unit::RequestsPerSecond,
        )],
    });

    let step = rules.step();
    let at = rules.align(base.as_millis() + 2 * step.as_millis(), step);
    let steps = at.as_millis() / step.as_millis();
    let per_second = |count: u64| count as f64 / step.as_secs_f64();
    let leaked = (1..=9)
        .find(|&n| expectation.is_stable(per_second(n)))
        .unwrap_or(1);
    for (plain, fires) in [(leaked, true), (0, false)] {
        let traffic = Traffic::IDLE.with(Tls::Mutual, Outcome::Ok, 100).with(
            Tls::Plaintext,
            Outcome::Ok,
            plain,
        );
        let when = if fires {
            format!("on {plain} plaintext request(s) per {step}")
        } else {
            "while every request uses mutual TLS".to_owned()
        };
        let scenario = steady(step, steps, traffic);
        prove(
            rules,
            &expectation,
            fires,
            per_second(plain),
            at,
            &scenario,
            &when,
        );
    }
}
