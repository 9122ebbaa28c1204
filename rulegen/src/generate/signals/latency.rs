//! Latency: a percentile of inbound request latency against a ceiling (`MeshwardLatencyHigh`).

use std::collections::BTreeMap;

use meshward_signals::rules as names;

use super::inbound_measure;
use super::proof::{prove, settled_at};
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::mesh::{LatencySource, Unsupported};
use crate::generate::naming;
use crate::generate::query::Selector;
use crate::generate::service::{condition, AlertDef, Expectation, RecordMeta, ServiceRules};
use crate::generate::template::Humanize;
use crate::generate::unittest::histogram;
use crate::generate::unittest::scenario::{Latency as Shape, Phase, Scenario, Traffic};
use crate::spec::model::{Latency, Span};
use crate::units::Ratio;

/// Records the `quantile` of latency over the base window; returns the selector reading it, or
/// `None` (with an error recorded) when the mesh cannot provide that quantile.
pub fn record_quantile(
    rules: &mut ServiceRules<'_>,
    quantile: Ratio,
    signal: Signal,
    span: Span,
    what: &str,
) -> Option<Selector> {
    let base = rules.base;
    let expr = match rules.mesh.latency() {
        LatencySource::Histogram { buckets, .. } => format!(
            "histogram_quantile({quantile}, sum by (le) (rate({buckets}[{base}]))) / 1000 >= 0"
        ),
        LatencySource::Quantiles { gauge, quantiles } => {
            let label = quantile.to_string();
            if !quantiles.contains(&label.as_str()) {
                let mesh = rules.mesh.mesh();
                rules.unsupported(
                    what,
                    span,
                    Unsupported {
                        reason: format!(
                            "meshward-exporter serves the latency quantiles {} only, not {label}",
                            quantiles.join(", ")
                        ),
                        alternative: format!(
                            "use one of {} as the percentile, or read the proxies' own histograms \
                             with `mesh: istio`, `linkerd` or `envoy` instead of `{mesh}`",
                            quantiles.join(", ")
                        ),
                    },
                );
                return None;
            }
            let gauge = gauge.eq(names::QUANTILE, &label);
            format!("max(avg_over_time({gauge}[{base}])) >= 0")
        }
    };
    let record = naming::latency_quantile(base);
    let extra = BTreeMap::from([(names::QUANTILE.to_owned(), quantile.to_string())]);
    rules.record_with(
        &record,
        expr,
        extra,
        RecordMeta {
            signal,
            meaning: format!(
                "The {} latency of inbound requests over the last {base}, in seconds.",
                percentile_name(quantile)
            ),
            unit: Unit::Seconds,
            window: Some(base),
        },
    );
    Some(
        rules
            .recorded(&record)
            .eq(names::QUANTILE, &quantile.to_string()),
    )
}

/// `p99`, `p99.9`.
pub fn percentile_name(quantile: Ratio) -> String {
    format!(
        "p{}",
        Decimal::from_ratio(quantile).times(Decimal::whole(100))
    )
}

/// Adds the latency rule, alert and tests of one service.
pub fn build(rules: &mut ServiceRules<'_>, latency: &Latency) {
    let Some(measured) = record_quantile(
        rules,
        latency.percentile,
        Signal::Latency,
        latency.span,
        "latency",
    ) else {
        return;
    };
    let ceiling = Decimal::new(u128::from(latency.threshold.as_millis()), 3);
    let base = rules.base;
    let name = percentile_name(latency.percentile);
    let expectation = rules.alert(AlertDef {
        name: names::ALERT_LATENCY_HIGH,
        signal: Signal::Latency,
        expr: format!("{measured} > {ceiling}"),
        for_: Some(latency.for_),
        keep_firing_for: None,
        severity: latency.severity,
        labels: BTreeMap::new(),
        series_labels: BTreeMap::from([(
            names::QUANTILE.to_owned(),
            latency.percentile.to_string(),
        )]),
        summary: "Inbound requests are slower than their latency ceiling.".to_owned(),
        description: inbound_measure(&format!("{name} latency"), Humanize::Duration).lit(format!(
            " over the last {base}; the ceiling is {}.",
            latency.threshold
        )),
        conditions: vec![condition(measured.to_string(), ">", ceiling, Unit::Seconds)],
    });
    tests(rules, latency, &expectation);
}

/// Per-step latency whose quantile lands at least at (or at most at) `target_ms`, and the
/// value in seconds Prometheus will compute.
pub fn shape(
    rules: &ServiceRules<'_>,
    quantile: Ratio,
    target_ms: f64,
    above: bool,
) -> Option<(Shape, f64)> {
    match rules.mesh.latency() {
        LatencySource::Histogram { bounds_ms, .. } => {
            let design = histogram::design(bounds_ms, quantile, target_ms, above)?;
            Some((Shape::Buckets(design.cumulative), design.value / 1000.0))
        }
        LatencySource::Quantiles { .. } => {
            let micros = if above {
                (target_ms * 1000.0).ceil()
            } else {
                (target_ms * 1000.0).floor()
            };
            let seconds = Decimal::new(micros as u128, 6).as_f64();
            Some((Shape::Quantile(seconds), seconds))
        }
    }
}

/// The bucket range a mesh's histogram can resolve, for error messages.
fn resolvable(rules: &ServiceRules<'_>) -> String {
    match rules.mesh.latency() {
        LatencySource::Histogram { bounds_ms, .. } => format!(
            "between {}ms and {}ms",
            bounds_ms.first().copied().unwrap_or(0.0),
            bounds_ms.last().copied().unwrap_or(0.0)
        ),
        LatencySource::Quantiles { .. } => "at any value".to_owned(),
    }
}

fn tests(rules: &mut ServiceRules<'_>, latency: &Latency, expectation: &Expectation) {
    let ceiling_ms = latency.threshold.as_millis() as f64;
    let step = rules.step();
    let at = settled_at(rules, step);
    for fires in [true, false] {
        let found = (1..=9).find_map(|k| {
            let offset = 0.01 * k as f64;
            let target = ceiling_ms * if fires { 1.0 + offset } else { 1.0 - offset };
            let (shape, seconds) = shape(rules, latency.percentile, target, fires)?;
            let past = if fires {
                seconds * 1000.0 > ceiling_ms * 1.001
            } else {
                seconds * 1000.0 < ceiling_ms * 0.999
            };
            (past && expectation.is_stable(seconds)).then_some((shape, seconds))
        });
        let Some((shape, seconds)) = found else {
            let resolves = resolvable(rules);
            rules.error(
                "generate/latency-unresolvable",
                latency.span,
                "threshold",
                format!(
                    "latency.threshold {} cannot be measured from {}'s latency histogram, which \
                     resolves latencies {resolves}: histogram_quantile cannot tell values on \
                     either side of it apart",
                    latency.threshold,
                    rules.mesh.mesh()
                ),
            );
            return;
        };
        let scenario = Scenario {
            step,
            phases: vec![Phase {
                steps: at.as_millis() / step.as_millis(),
                traffic: Traffic::IDLE,
                latency: Some(shape),
            }],
            certificates: Vec::new(),
            quantile: Some(latency.percentile.to_string()),
        };
        let when = format!(
            "at a {} of {} (ceiling {})",
            percentile_name(latency.percentile),
            Humanize::Duration.render(seconds),
            latency.threshold
        );
        prove(rules, expectation, fires, seconds, at, &scenario, &when);
    }
}
