//! The promtool tests that prove one alert: when a test looks, the steady traffic it sees, and
//! the fire-or-stay-silent case itself.

use crate::generate::service::{Expectation, ServiceRules};
use crate::generate::unittest::scenario::{Phase, Scenario, Traffic};
use crate::generate::unittest::AlertTest;
use crate::units::PromDuration;

/// When a test of a steady condition looks: the base window filled, the longest `for` held,
/// two more samples, aligned to samples and evaluations.
pub fn settled_at(rules: &ServiceRules<'_>, step: PromDuration) -> PromDuration {
    rules.align(
        rules.base.as_millis() + rules.longest_for.as_millis() + 2 * step.as_millis(),
        step,
    )
}

/// One phase of `steps` samples of the same `traffic` from time zero, without latency or
/// certificates.
pub fn steady(step: PromDuration, steps: u64, traffic: Traffic) -> Scenario {
    Scenario {
        step,
        phases: vec![Phase {
            steps,
            traffic,
            latency: None,
        }],
        certificates: Vec::new(),
        quantile: None,
    }
}

/// The word a test name uses for what the alert does.
pub fn verdict(fires: bool) -> &'static str {
    if fires {
        "fires"
    } else {
        "stays silent"
    }
}

/// Adds the test that `expectation`'s alert fires with `value` at `at` under `scenario` (or,
/// when `fires` is false, that it stays silent). Its name is the alert, the verdict and `when`;
/// its merge key is the alert and the verdict, so the same case of several services merges.
pub fn prove(
    rules: &mut ServiceRules<'_>,
    expectation: &Expectation,
    fires: bool,
    value: f64,
    at: PromDuration,
    scenario: &Scenario,
    when: &str,
) {
    let alert = expectation.alertname;
    let exp_alerts = if fires {
        vec![expectation.firing(value)]
    } else {
        Vec::new()
    };
    rules.test(
        Some(format!("{alert}:{fires}")),
        &format!("{alert} {} {when}", verdict(fires)),
        scenario,
        vec![AlertTest {
            eval_time: at,
            alertname: alert.to_owned(),
            exp_alerts,
        }],
        Vec::new(),
    );
}
