//! Inbound request rate: the traffic every ratio divides by, and what dashboards plot first.

use meshward_signals::rules as names;

use crate::generate::catalogue::{Signal, Unit};
use crate::generate::naming;
use crate::generate::query::sum_rate;
use crate::generate::service::{RecordMeta, ServiceRules};

/// Records `namespace_service:meshward_requests:rate<base>`.
pub fn build(rules: &mut ServiceRules<'_>) {
    let record = naming::rate(names::REQUESTS, rules.base);
    let expr = sum_rate(&rules.mesh.requests(), rules.base);
    let meaning = format!("Inbound requests per second over the last {}.", rules.base);
    rules.record(
        &record,
        expr,
        RecordMeta {
            signal: Signal::Traffic,
            meaning,
            unit: Unit::RequestsPerSecond,
            window: Some(rules.base),
        },
    );
}
