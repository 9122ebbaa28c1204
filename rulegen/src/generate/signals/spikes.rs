//! Spikes: the 5xx ratio (`MeshwardErrorSpike`) or a latency percentile
//! (`MeshwardLatencySpike`) over the base window jumping to `factor` times its baseline.
//!
//! The error baseline is the 5xx ratio over the whole baseline window. The latency baseline is
//! the average of the recorded percentile over that window, not the percentile of the window:
//! a spike holding more than 1% of a day's requests would otherwise become its own p99.

use std::collections::BTreeMap;

use meshward_signals::rules as names;

use super::availability::error_ratio;
use super::inbound_measure;
use super::latency::{percentile_name, record_quantile, shape};
use super::proof::prove;
use crate::generate::catalogue::Condition;
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::naming;
use crate::generate::service::{AlertDef, Expectation, RecordMeta, ServiceRules};
use crate::generate::template::Humanize;
use crate::generate::unittest::scenario::{Outcome, Phase, Scenario, Tls, Traffic};
use crate::generate::windows::DaysExt;
use crate::spec::model::{Service, Spike};
use crate::units::{PromDuration, Ratio};

/// How far past the threshold a firing test goes, and how far inside a silent one stays.
const MARGIN: f64 = 0.01;

/// Adds the spike rules, alerts and tests of one service.
pub fn build(rules: &mut ServiceRules<'_>, service: &Service) {
    let Some(spikes) = &service.spikes else {
        return;
    };
    if let Some(spike) = &spikes.errors {
        errors(rules, spike);
    }
    if let Some(spike) = &spikes.latency {
        let quantile = service
            .latency
            .as_ref()
            .map(|l| l.percentile)
            .unwrap_or_else(|| Ratio::from_billionths(990_000_000).unwrap_or(Ratio::ONE));
        latency(rules, spike, quantile);
    }
}

fn factor_text(factor: f64) -> String {
    format!("{factor}")
}

fn factor_condition(measure: String, factor: f64) -> Condition {
    Condition {
        measure,
        op: ">".to_owned(),
        threshold: factor,
        threshold_text: factor_text(factor),
        unit: Unit::Factor,
    }
}

fn errors(rules: &mut ServiceRules<'_>, spike: &Spike) {
    let base = rules.base;
    error_ratio(rules, base, Signal::ErrorSpike);
    error_ratio(rules, spike.baseline, Signal::ErrorSpike);
    let short = rules.recorded(&naming::ratio_rate(names::ERROR_REQUESTS, base));
    let baseline = rules.recorded(&naming::ratio_rate(names::ERROR_REQUESTS, spike.baseline));
    let factor = factor_text(spike.factor);
    let expectation = rules.alert(AlertDef {
        name: names::ALERT_ERROR_SPIKE,
        signal: Signal::ErrorSpike,
        expr: format!("{short} > {factor} * {baseline}"),
        for_: Some(spike.for_),
        keep_firing_for: None,
        severity: spike.severity,
        labels: BTreeMap::new(),
        series_labels: BTreeMap::new(),
        summary: "The share of failing inbound requests jumped far above its baseline.".to_owned(),
        description: inbound_measure("5xx ratio", Humanize::Percentage).lit(format!(
            " over the last {base}, more than {factor} times its ratio over the last {}.",
            spike.baseline.days()
        )),
        conditions: vec![factor_condition(
            format!("{short}\n/\n{baseline}"),
            spike.factor,
        )],
    });
    error_tests(rules, spike, &expectation);
}

/// How long a test spike lasts: the short window must fill, then the condition hold for `for`.
fn spike_length(rules: &ServiceRules<'_>, spike: &Spike, step: PromDuration) -> PromDuration {
    rules.align(
        rules.longest_for.as_millis().max(spike.for_.as_millis())
            + rules.base.as_millis()
            + 2 * step.as_millis(),
        step,
    )
}

/// Whether a sustained spike can fire at all in Prometheus: the shortest one that can (the base
/// window filled, then `for`) lifts its own baseline; `fits(shortest_ms)` says whether the factor
/// is still reachable. Warns when it is not.
fn reachable(
    rules: &mut ServiceRules<'_>,
    spike: &Spike,
    what: &str,
    fits: impl Fn(f64) -> bool,
) -> bool {
    let shortest = rules.base.as_millis() + spike.for_.as_millis();
    if fits(shortest as f64) {
        return true;
    }
    rules.warn(
        "generate/alert-never-fires",
        spike.span,
        "baseline",
        format!(
            "{what}: a spike lasting the {} window plus `for` ({}) lifts a {} baseline so much \
             that {}× its baseline cannot be reached; use a longer baseline",
            rules.base,
            PromDuration::from_millis(shortest).days(),
            spike.baseline.days(),
            spike.factor
        ),
    );
    false
}

/// Warns that `alert` has no promtool test when the tests' coarser evaluation cannot fit one.
fn untested_unless(
    rules: &mut ServiceRules<'_>,
    spike: &Spike,
    alert: &str,
    length: PromDuration,
    testable: bool,
) -> bool {
    if !testable {
        rules.warn(
            "generate/untested-alert",
            spike.span,
            "baseline",
            format!(
                "{alert} has no promtool test: at the tests' {} evaluation a test spike lasts \
                 {}, too long against a {} baseline",
                rules.evaluation.days(),
                length.days(),
                spike.baseline.days()
            ),
        );
    }
    testable
}

/// A steady baseline error ratio, then a spike; the spike itself lifts the baseline, which the
/// threshold accounts for.
fn error_tests(rules: &mut ServiceRules<'_>, spike: &Spike, expectation: &Expectation) {
    let step = rules.step();
    let window = spike.baseline.as_millis() as f64;
    let length = spike_length(rules, spike, step);
    let burst = length.as_millis() as f64;
    let testable = window > spike.factor * burst * (1.0 + MARGIN)
        && spike.baseline.as_millis().is_multiple_of(rules.unit(step));
    if !reachable(rules, spike, "spikes.errors", |shortest| {
        window > spike.factor * shortest
    }) || !untested_unless(rules, spike, names::ALERT_ERROR_SPIKE, length, testable)
    {
        return;
    }
    let mut digits = 2;
    while spike.factor * 10f64.powi(-digits) * 2.0 > 0.5 {
        digits += 1;
    }
    let normal = Decimal::new(1, digits as u32);
    let threshold =
        spike.factor * normal.as_f64() * (window - burst) / (window - spike.factor * burst);
    for fires in [true, false] {
        let target = threshold * if fires { 1.0 + MARGIN } else { 1.0 - MARGIN };
        let scale = 10f64.powi(digits + 3);
        let units = if fires {
            (target * scale).ceil()
        } else {
            (target * scale).floor()
        } as u128;
        let Some(ratio) = (0..9)
            .map(|k| Decimal::new(units + k, (digits + 3) as u32))
            .find(|r| expectation.is_stable(r.as_f64()))
            .filter(|r| !r.exceeds_one())
        else {
            continue;
        };
        let scale = ratio.fraction_digits().max(normal.fraction_digits());
        let total = 10u64.pow(scale);
        let count = |r: Decimal| r.units_at(scale).unwrap_or(0) as u64;
        let phase = |steps, errors| Phase {
            steps,
            traffic: Traffic::IDLE
                .with(Tls::Mutual, Outcome::Error, errors)
                .with(Tls::Mutual, Outcome::Ok, total - errors),
            latency: None,
        };
        let scenario = Scenario {
            step,
            phases: vec![
                phase(spike.baseline.as_millis() / step.as_millis(), count(normal)),
                phase(length.as_millis() / step.as_millis(), count(ratio)),
            ],
            certificates: Vec::new(),
            quantile: None,
        };
        let when = format!("when the 5xx ratio jumps from {normal} to {ratio} for {length}");
        let at = PromDuration::from_millis(spike.baseline.as_millis() + length.as_millis());
        prove(
            rules,
            expectation,
            fires,
            ratio.as_f64(),
            at,
            &scenario,
            &when,
        );
    }
}

fn latency(rules: &mut ServiceRules<'_>, spike: &Spike, quantile: Ratio) {
    let Some(short) = record_quantile(
        rules,
        quantile,
        Signal::LatencySpike,
        spike.span,
        "spikes.latency",
    ) else {
        return;
    };
    let base = rules.base;
    let record = naming::latency_quantile_baseline(base, spike.baseline);
    let name = percentile_name(quantile);
    rules.record_with(
        &record,
        format!("avg_over_time({short}[{}])", spike.baseline.days()),
        BTreeMap::from([(names::QUANTILE.to_owned(), quantile.to_string())]),
        RecordMeta {
            signal: Signal::LatencySpike,
            meaning: format!(
                "The {name} latency over {base}, averaged over the last {}, in seconds.",
                spike.baseline.days()
            ),
            unit: Unit::Seconds,
            window: Some(spike.baseline),
        },
    );
    let baseline = rules
        .recorded(&record)
        .eq(names::QUANTILE, &quantile.to_string());
    let factor = factor_text(spike.factor);
    let expectation = rules.alert(AlertDef {
        name: names::ALERT_LATENCY_SPIKE,
        signal: Signal::LatencySpike,
        expr: format!("{short} > {factor} * {baseline}"),
        for_: Some(spike.for_),
        keep_firing_for: None,
        severity: spike.severity,
        labels: BTreeMap::new(),
        series_labels: BTreeMap::from([(names::QUANTILE.to_owned(), quantile.to_string())]),
        summary: "Inbound latency jumped far above its baseline.".to_owned(),
        description: inbound_measure(&format!("{name} latency"), Humanize::Duration).lit(format!(
            " over the last {base}, more than {factor} times its average over the last {}.",
            spike.baseline.days()
        )),
        conditions: vec![factor_condition(
            format!("{short}\n/\n{baseline}"),
            spike.factor,
        )],
    });
    latency_tests(rules, spike, quantile, &expectation);
}

/// A steady latency, then a spike. The baseline averages one recorded value per evaluation;
/// at most the evaluations since the spike began see spike values, which bounds how far the
/// spike lifts its own baseline.
fn latency_tests(
    rules: &mut ServiceRules<'_>,
    spike: &Spike,
    quantile: Ratio,
    expectation: &Expectation,
) {
    let step = rules.step();
    let length = spike_length(rules, spike, step);
    let evaluation = rules.evaluation.as_millis().max(1) as f64;
    let samples = spike.baseline.as_millis() as f64 / evaluation + 1.0;
    let lifted = length.as_millis() as f64 / evaluation + 1.0;
    let lift = spike.factor * (1.0 + MARGIN);
    let normal = shape(rules, quantile, 80.0, true);
    let testable = samples > lift * lifted
        && spike.baseline.as_millis().is_multiple_of(rules.unit(step))
        && normal.is_some();
    let every = rules.spec.evaluation_interval.as_millis().max(1) as f64;
    let baseline = spike.baseline.as_millis() as f64;
    if !reachable(rules, spike, "spikes.latency", |shortest| {
        baseline / every + 1.0 > spike.factor * (shortest / every + 1.0)
    }) || !untested_unless(rules, spike, names::ALERT_LATENCY_SPIKE, length, testable)
    {
        return;
    }
    let Some((normal_shape, normal_seconds)) = normal else {
        return;
    };
    let normal_ms = normal_seconds * 1000.0;
    let firing_ms = lift * normal_ms * (samples - lifted) / (samples - lift * lifted);
    for fires in [true, false] {
        let target = if fires {
            firing_ms
        } else {
            spike.factor * normal_ms * (1.0 - MARGIN)
        };
        let found = (0..9).find_map(|k| {
            let nudged = target * (1.0 + if fires { 0.002 } else { -0.002 } * k as f64);
            let (shape, seconds) = shape(rules, quantile, nudged, fires)?;
            expectation.is_stable(seconds).then_some((shape, seconds))
        });
        let Some((spike_shape, seconds)) = found else {
            rules.warn(
                "generate/untested-alert",
                spike.span,
                "factor",
                format!(
                    "spikes.latency: {}× a {} baseline lies outside what {}'s latency buckets can \
                     show, so MeshwardLatencySpike has no {} test",
                    spike.factor,
                    Humanize::Duration.render(normal_seconds),
                    rules.mesh.mesh(),
                    if fires { "firing" } else { "silent" }
                ),
            );
            continue;
        };
        let phase = |steps, shape| Phase {
            steps,
            traffic: Traffic::IDLE,
            latency: Some(shape),
        };
        let scenario = Scenario {
            step,
            phases: vec![
                phase(
                    spike.baseline.as_millis() / step.as_millis(),
                    normal_shape.clone(),
                ),
                phase(length.as_millis() / step.as_millis(), spike_shape),
            ],
            certificates: Vec::new(),
            quantile: Some(quantile.to_string()),
        };
        let when = format!(
            "when the {} latency jumps from {} to {} for {length}",
            percentile_name(quantile),
            Humanize::Duration.render(normal_seconds),
            Humanize::Duration.render(seconds)
        );
        let at = PromDuration::from_millis(spike.baseline.as_millis() + length.as_millis());
        prove(rules, expectation, fires, seconds, at, &scenario, &when);
    }
}
