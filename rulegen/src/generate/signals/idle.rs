//! An idle service: traffic that stops. Every ratio and latency series must disappear (no NaN
//! series), the request rate must read 0, and no alert may fire.

use meshward_signals::rules as names;

use crate::generate::catalogue::Unit;
use crate::generate::service::ServiceRules;
use crate::generate::unittest::scenario::{Latency, Outcome, Phase, Scenario, Tls, Traffic};
use crate::generate::unittest::{AlertTest, ExpectedSample, ExprTest};
use crate::generate::windows::DaysExt;
use crate::units::Ratio;

/// Adds the idle test of one service, once its rules exist.
pub fn test(rules: &mut ServiceRules<'_>) {
    if rules.records.is_empty() {
        return;
    }
    let step = rules.step();
    let busy = 10;
    let at = rules.align((busy + 2) * step.as_millis() + rules.base.as_millis(), step);
    let idle = at.as_millis() / step.as_millis() - busy;
    let quantile = crate::units::Ratio::from_billionths(990_000_000).unwrap_or(Ratio::ONE);
    let busy_latency = super::latency::shape(rules, quantile, 80.0, true).map(|(s, _)| s);
    // Histogram buckets stop growing; an exporter stops serving its quantile gauge.
    let still = busy_latency.as_ref().and_then(|shape| match shape {
        Latency::Buckets(counts) => Some(Latency::Buckets(vec![0; counts.len()])),
        Latency::Quantile(_) => None,
    });
    // Clean traffic: nothing may have fired before the service went idle (burn-rate alerts
    // would keep firing for a while), so any alert after it is one on an idle service.
    let traffic = Traffic::IDLE.with(Tls::Mutual, Outcome::Ok, 100);
    let scenario = Scenario {
        step,
        phases: vec![
            Phase {
                steps: busy,
                traffic,
                latency: busy_latency,
            },
            Phase {
                steps: idle,
                traffic: Traffic::IDLE,
                latency: still,
            },
        ],
        certificates: Vec::new(),
        quantile: None,
    };

    let mut exprs = Vec::new();
    for entry in &rules.record_entries {
        // Only windows that lie wholly in the idle stretch can be asserted.
        if entry.window.as_deref() != Some(rules.base.days().to_string().as_str()) {
            continue;
        }
        let windowed = entry.record.contains(names::OP_RATIO_RATE)
            || (entry.record.contains(names::OP_QUANTILE)
                && !entry.record.contains(names::OP_AVG_OVER_TIME));
        let expected = match entry.unit {
            Unit::Ratio | Unit::Seconds if windowed => Some(Vec::new()),
            Unit::RequestsPerSecond => Some(vec![ExpectedSample {
                labels: entry.selector.clone(),
                value: "0".to_owned(),
            }]),
            _ => None,
        };
        if let Some(exp_samples) = expected {
            exprs.push(ExprTest {
                expr: entry.selector.clone(),
                eval_time: at,
                exp_samples,
            });
        }
    }
    let alerts = rules
        .alert_entries
        .iter()
        .map(|a| a.alert.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|alertname| AlertTest {
            eval_time: at,
            alertname,
            exp_alerts: Vec::new(),
        })
        .collect();
    rules.test(
        Some("idle".to_owned()),
        "after traffic stops, ratios and latencies have no series, rates read 0 and no alert fires",
        &scenario,
        alerts,
        exprs,
    );
}
