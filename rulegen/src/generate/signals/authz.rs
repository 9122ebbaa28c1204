//! Authorization denials: the share of inbound requests an authorization policy denied
//! (`MeshwardAuthzDenialsHigh`).

use meshward_signals::rules as names;

use super::share::{Bound, ShareAlert};
use super::{part_rate, ratio_of_records};
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::naming;
use crate::generate::service::{RecordMeta, ServiceRules};
use crate::generate::unittest::scenario::{Outcome, Tls, Traffic};
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
    ShareAlert {
        name: names::ALERT_AUTHZ_DENIALS_HIGH,
        signal: Signal::Authz,
        ratio: &ratio,
        bound: Bound::Maximum,
        threshold: maximum,
        for_: authz.for_,
        severity: authz.severity,
        summary: "Authorization policies deny too many inbound requests.",
        did: "were denied by authorization",
        do_: "are denied",
        traffic: |denied, total| {
            Traffic::IDLE
                .with(Tls::Mutual, Outcome::Denied, denied)
                .with(Tls::Mutual, Outcome::Ok, total - denied)
        },
    }
    .build(rules);
}
