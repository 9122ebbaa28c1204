//! Certificate expiry: the first certificate of the service's proxies to expire
//! (`MeshwardCertificateExpiring`, `warning` within `warn_before`, `critical` within
//! `critical_before`; both fire inside the critical range, for Alertmanager to inhibit).

use std::collections::BTreeMap;

use meshward_signals::rules as names;

use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::naming;
use crate::generate::service::{condition, AlertDef, Expectation, RecordMeta, ServiceRules};
use crate::generate::template::{Humanize, Template};
use crate::generate::unittest::scenario::{Certificate, Phase, Scenario, Traffic};
use crate::generate::unittest::AlertTest;
use crate::generate::windows::DaysExt;
use crate::spec::model::{Certificates, Severity};
use crate::units::PromDuration;

/// Envoy's gauge value for "no certificate", which must never alert.
const NO_CERTIFICATE: u64 = 4_294_967_295;

/// Adds the certificate rule, alerts and tests of one service.
pub fn build(rules: &mut ServiceRules<'_>, certificates: &Certificates) {
    let record = naming::certificate_expiry();
    rules.record(
        &record,
        rules.mesh.certificate_expiry(),
        RecordMeta {
            signal: Signal::Certificates,
            meaning: "When the first certificate of the service's proxies expires, as a Unix \
                      time."
                .to_owned(),
            unit: Unit::UnixTimestampSeconds,
            window: None,
        },
    );
    let expiry = rules.recorded(&record);
    let measure = format!("{expiry} - time()");
    let mut alerts = Vec::new();
    for (severity, before) in [
        (Severity::Warning, certificates.warn_before),
        (Severity::Critical, certificates.critical_before),
    ] {
        let seconds = Decimal::whole(before.as_millis() / 1000);
        let expectation = rules.alert(AlertDef {
            name: names::ALERT_CERTIFICATE_EXPIRING,
            signal: Signal::Certificates,
            expr: format!("{measure} < {seconds}"),
            for_: None,
            keep_firing_for: None,
            severity,
            labels: BTreeMap::new(),
            series_labels: BTreeMap::new(),
            summary: "A certificate of the service's proxies expires soon.".to_owned(),
            description: Template::text("A certificate of the proxies of ")
                .label(names::SERVICE)
                .lit(" in namespace ")
                .label(names::NAMESPACE)
                .lit(" expires in ")
                .value(Humanize::Duration)
                .lit(format!(" (alerting {severity} within {}).", before.days())),
            conditions: vec![condition(measure.clone(), "<", seconds, Unit::Seconds)],
        });
        alerts.push((before, expectation));
    }
    tests(rules, &alerts);
}

fn tests(rules: &mut ServiceRules<'_>, alerts: &[(PromDuration, Expectation)]) {
    let step = rules.step();
    let at = rules.align(2 * step.as_millis(), step);
    let now = at.as_millis() / 1000;
    let minute = 60;

    let mut cases: Vec<(String, Certificate, i64)> = Vec::new();
    for (before, _) in alerts {
        let limit = before.as_millis() / 1000;
        for (word, left) in [
            ("inside", limit.saturating_sub(minute)),
            ("outside", limit + minute),
        ] {
            cases.push((
                format!(
                    "a certificate expiring in {} ({word} {})",
                    humanized(left),
                    before.days()
                ),
                Certificate::ExpiresAt(now + left),
                left as i64,
            ));
        }
    }
    if rules.mesh.has_days_gauge() {
        let critical = alerts.last().map_or(0, |(b, _)| b.as_millis() / 1000);
        let days = critical.saturating_sub(1) / 86_400;
        cases.push((
            format!("only Envoy's whole-days gauge at {days} day(s)"),
            Certificate::DaysLeft(days),
            (days * 86_400) as i64,
        ));
        cases.push((
            "only Envoy's whole-days gauge at its no-certificate sentinel".to_owned(),
            Certificate::DaysLeft(NO_CERTIFICATE),
            i64::MAX,
        ));
    }

    for (index, (what, certificate, left)) in cases.into_iter().enumerate() {
        let exp_alerts: Vec<_> = alerts
            .iter()
            .filter(|(before, _)| left < (before.as_millis() / 1000) as i64)
            .map(|(_, expectation)| expectation.firing(left as f64))
            .collect();
        let verdict = match exp_alerts.len() {
            0 => "stays silent".to_owned(),
            n => format!("fires {n} alert(s)"),
        };
        let scenario = Scenario {
            step,
            phases: vec![Phase {
                steps: at.as_millis() / step.as_millis(),
                traffic: Traffic::IDLE,
                latency: None,
            }],
            certificates: vec![certificate],
            quantile: None,
        };
        rules.test(
            Some(format!("{}:{index}", names::ALERT_CERTIFICATE_EXPIRING)),
            &format!("{} {verdict} on {what}", names::ALERT_CERTIFICATE_EXPIRING),
            &scenario,
            vec![AlertTest {
                eval_time: at,
                alertname: names::ALERT_CERTIFICATE_EXPIRING.to_owned(),
                exp_alerts,
            }],
            Vec::new(),
        );
    }
}

fn humanized(seconds: u64) -> String {
    Humanize::Duration.render(seconds as f64)
}
