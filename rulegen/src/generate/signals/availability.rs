//! Availability SLOs: the 5xx ratio over every window the burn-rate scheme needs, the SLO's
//! objective and remaining budget, and one `MeshwardErrorBudgetBurn` alert per window pair.

use std::collections::{BTreeMap, BTreeSet};

use meshward_signals::rules as names;

use super::proof::{steady, verdict};
use super::share::share_of_inbound;
use super::{counts, probe, ratio_of_rates};
use crate::generate::catalogue::{Signal, Unit};
use crate::generate::decimal::Decimal;
use crate::generate::naming;
use crate::generate::service::{condition, gcd, AlertDef, Expectation, RecordMeta, ServiceRules};
use crate::generate::template::Humanize;
use crate::generate::unittest::scenario::{Outcome, Phase, Scenario, Tls, Traffic};
use crate::generate::unittest::AlertTest;
use crate::generate::windows::DaysExt;
use crate::generate::windows::{burn_tiers, BurnTier};
use crate::spec::model::Availability;
use crate::units::PromDuration;

const MINUTE: u64 = 60_000;

/// Adds the SLO's rules, alerts and tests of one service.
pub fn build(rules: &mut ServiceRules<'_>, slo: &Availability) {
    let tiers = burn_tiers(slo.window, rules.base);
    let budget = Decimal::from_ratio(slo.objective.complement());
    record_ratios(rules, &tiers, slo);
    record_objective(rules, slo, budget);

    let mut alerts = Vec::new();
    for tier in &tiers {
        let threshold = budget.times(tier.factor);
        if threshold.exceeds_one() {
            rules.warn(
                "generate/alert-never-fires",
                slo.span,
                "objective",
                format!(
                    "with an objective of {} the {}× {} tier would need an error ratio of {threshold}, \
                     above 100%: that MeshwardErrorBudgetBurn alert can never fire",
                    Humanize::Percentage.render(Decimal::from_ratio(slo.objective).as_f64()),
                    tier.factor,
                    tier.tier
                ),
            );
        }
        let expectation = burn_alert(rules, slo, tier, threshold);
        alerts.push((tier.clone(), threshold, expectation));
    }
    steady_burn_tests(rules, &alerts);
    burst_test(rules, &alerts, budget);
}

/// The 5xx ratio over each window of the tiers, over the base window and over the SLO period.
fn record_ratios(rules: &mut ServiceRules<'_>, tiers: &[BurnTier], slo: &Availability) {
    let windows: BTreeSet<PromDuration> = tiers
        .iter()
        .flat_map(|t| [t.short, t.long])
        .chain([rules.base, slo.window])
        .collect();
    for window in windows {
        error_ratio(rules, window, Signal::Availability);
    }
}

/// Records the 5xx ratio over `window` (shared with error spikes).
pub fn error_ratio(rules: &mut ServiceRules<'_>, window: PromDuration, signal: Signal) {
    let record = naming::ratio_rate(names::ERROR_REQUESTS, window);
    let expr = ratio_of_rates(
        &rules.mesh.error_responses(),
        &rules.mesh.responses(),
        window,
    );
    rules.record(
        &record,
        expr,
        RecordMeta {
            signal,
            meaning: format!(
                "Share of inbound requests answered with a server error (5xx) over the last {}.",
                window.days()
            ),
            unit: Unit::Ratio,
            window: Some(window),
        },
    );
}

fn record_objective(rules: &mut ServiceRules<'_>, slo: &Availability, budget: Decimal) {
    let objective = Decimal::from_ratio(slo.objective);
    rules.record(
        &naming::ratio(names::AVAILABILITY_OBJECTIVE),
        format!("vector({objective})"),
        RecordMeta {
            signal: Signal::Availability,
            meaning: format!(
                "The availability objective: the share of inbound requests over {} that must not \
                 fail with a 5xx.",
                slo.window.days()
            ),
            unit: Unit::Ratio,
            window: Some(slo.window),
        },
    );
    if budget.is_zero() {
        return;
    }
    let period = rules.recorded(&naming::ratio_rate(names::ERROR_REQUESTS, slo.window));
    rules.record(
        &naming::ratio(names::ERROR_BUDGET_REMAINING),
        format!("1 - {period} / {budget}"),
        RecordMeta {
            signal: Signal::Availability,
            meaning: format!(
                "The share of the error budget left over the last {} (negative once overspent).",
                slo.window.days()
            ),
            unit: Unit::Ratio,
            window: Some(slo.window),
        },
    );
}

fn burn_alert(
    rules: &mut ServiceRules<'_>,
    slo: &Availability,
    tier: &BurnTier,
    threshold: Decimal,
) -> Expectation {
    let long = rules.recorded(&naming::ratio_rate(names::ERROR_REQUESTS, tier.long));
    let short = rules.recorded(&naming::ratio_rate(names::ERROR_REQUESTS, tier.short));
    let objective = Decimal::from_ratio(slo.objective);
    let percent = Humanize::Percentage;
    let lasts = PromDuration::from_millis(
        (u128::from(slo.window.as_millis()) * 10
            / tier.factor.units_at(1).unwrap_or(10).max(1)
            / u128::from(MINUTE)
            * u128::from(MINUTE)) as u64,
    );
    let summary = match tier.tier {
        names::TIER_PAGE => "An availability SLO's error budget is burning fast.",
        _ => "An availability SLO's error budget is burning steadily.",
    };
    rules.alert(AlertDef {
        name: names::ALERT_ERROR_BUDGET_BURN,
        signal: Signal::Availability,
        expr: format!("{long} > {threshold}\nand\n{short} > {threshold}"),
        for_: Some(tier.for_),
        keep_firing_for: Some(tier.keep_firing_for),
        severity: tier.severity,
        labels: BTreeMap::from([
            (names::TIER.to_owned(), tier.tier.to_owned()),
            (names::LONG_WINDOW.to_owned(), tier.long.days().to_string()),
            (
                names::SHORT_WINDOW.to_owned(),
                tier.short.days().to_string(),
            ),
            (names::BURN_RATE.to_owned(), tier.factor.to_string()),
        ]),
        series_labels: BTreeMap::new(),
        summary: summary.to_owned(),
        description: share_of_inbound("").lit(format!(
            " failed with a 5xx over the last {} (and over the last {}): more than {} times \
                 the {} that a {} objective over {} allows. At this rate the whole budget lasts \
                 {}.",
            tier.long.days(),
            tier.short.days(),
            tier.factor,
            percent.render(Decimal::from_ratio(slo.objective.complement()).as_f64()),
            percent.render(objective.as_f64()),
            slo.window.days(),
            lasts.days()
        )),
        conditions: vec![
            condition(long.to_string(), ">", threshold, Unit::Ratio),
            condition(short.to_string(), ">", threshold, Unit::Ratio),
        ],
    })
}

/// One step of `total` requests of which `errors` fail with a 5xx.
pub fn failing(errors: u64, total: u64) -> Traffic {
    Traffic::IDLE
        .with(Tls::Mutual, Outcome::Error, errors)
        .with(Tls::Mutual, Outcome::Ok, total - errors)
}

/// For each tier, a steady error ratio just above its threshold (it and every slower tier
/// fire) and just below it (only slower tiers fire; none below the slowest).
fn steady_burn_tests(rules: &mut ServiceRules<'_>, alerts: &[(BurnTier, Decimal, Expectation)]) {
    let step = rules.step();
    let longest_for = rules.longest_burn_for.as_millis();
    let at = rules.align(step.as_millis() * 3 + longest_for, step);
    let steps = at.as_millis() / step.as_millis();

    for (index, (tier, threshold, expectation)) in alerts.iter().enumerate() {
        if threshold.exceeds_one() {
            continue;
        }
        let sample = probe(*threshold, true, |v| expectation.is_stable(v));
        for (ratio, fires) in [(sample.fire, true), (sample.silent, false)] {
            let Some(ratio) = ratio else { continue };
            let (errors, total) = counts(ratio);
            let scenario = steady(step, steps, failing(errors, total));
            let exp_alerts = alerts
                .iter()
                .filter(|(_, t, _)| *t < ratio)
                .map(|(_, _, e)| e.firing(ratio.as_f64()))
                .collect();
            rules.test(
                Some(format!(
                    "{}:{index}:{fires}",
                    names::ALERT_ERROR_BUDGET_BURN
                )),
                &format!(
                    "{} {} {}/{} {} at a steady error ratio of {ratio} ({}× threshold {threshold})",
                    names::ALERT_ERROR_BUDGET_BURN,
                    tier.tier,
                    tier.long.days(),
                    tier.short.days(),
                    verdict(fires),
                    tier.factor
                ),
                &scenario,
                vec![AlertTest {
                    eval_time: at,
                    alertname: names::ALERT_ERROR_BUDGET_BURN.to_owned(),
                    exp_alerts,
                }],
                Vec::new(),
            );
        }
    }
}

/// Three clean periods of the slowest tier's long window, then a burst at 8× the budget
/// rate lasting the second tier's long window: only that 6× pair may page. The short windows
/// of the slower tiers see the burst, their long windows do not, so they stay silent; the
/// 14.4× tier's threshold is above the burst.
fn burst_test(
    rules: &mut ServiceRules<'_>,
    alerts: &[(BurnTier, Decimal, Expectation)],
    budget: Decimal,
) {
    let [_, (second, second_threshold, expectation), (third, _, _), (fourth, _, _)] = alerts else {
        return;
    };
    let ratio = budget.times(Decimal::whole(8));
    if ratio.exceeds_one() || budget.is_zero() || !expectation.is_stable(ratio.as_f64()) {
        return;
    }
    // Samples every half short window of the 6× pair (so its short window always holds two),
    // at a step that divides the clean stretch; the test ends on a sample and an evaluation.
    let clean = fourth.long.as_millis();
    let half_short = second.short.as_millis() / MINUTE / 2;
    let minutes = gcd(clean / MINUTE, half_short);
    if minutes == 0 || clean % MINUTE != 0 {
        return;
    }
    let step = PromDuration::from_millis(minutes * MINUTE);
    let unit = rules.unit(step);
    let end = (clean + second.long.as_millis() + second.short.as_millis()).div_ceil(unit) * unit;
    let burst = end - clean;
    // The burst must stay below the slower tiers' thresholds over their long windows.
    let share = |window: PromDuration| burst as f64 / window.as_millis() as f64;
    if 8.0 * share(third.long) >= 3.0 * 0.9 || 8.0 * share(fourth.long) >= 0.9 {
        return;
    }

    let (errors, total) = counts(ratio);
    let phases = vec![
        Phase {
            steps: clean / step.as_millis(),
            traffic: Traffic::IDLE.with(Tls::Mutual, Outcome::Ok, total),
            latency: None,
        },
        Phase {
            steps: burst / step.as_millis(),
            traffic: failing(errors, total),
            latency: None,
        },
    ];
    let scenario = Scenario {
        step,
        phases,
        certificates: Vec::new(),
        quantile: None,
    };
    let _ = second_threshold;
    rules.test(
        Some(format!("{}:burst", names::ALERT_ERROR_BUDGET_BURN)),
        &format!(
            "{} pages only through the {} pair when errors burst at 8× the budget rate for {} \
             after {} clean",
            names::ALERT_ERROR_BUDGET_BURN,
            format_args!("{}/{}", second.long.days(), second.short.days()),
            PromDuration::from_millis(burst).days(),
            fourth.long.days()
        ),
        &scenario,
        vec![AlertTest {
            eval_time: PromDuration::from_millis(end),
            alertname: names::ALERT_ERROR_BUDGET_BURN.to_owned(),
            exp_alerts: vec![expectation.firing(ratio.as_f64())],
        }],
        Vec::new(),
    );
}
