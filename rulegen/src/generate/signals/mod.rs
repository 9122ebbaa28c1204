//! One builder per signal of a service: its recording rules, its alerts, the promtool tests
//! that prove them, and its catalogue entries.

pub mod authz;
pub mod availability;
pub mod certificates;
pub mod idle;
pub mod latency;
pub mod mtls;
pub mod proof;
pub mod share;
pub mod spikes;
pub mod traffic;

use meshward_signals::rules as names;

use crate::generate::decimal::Decimal;
use crate::generate::query::{sum_rate, Selector};
use crate::generate::template::{Humanize, Template};
use crate::units::PromDuration;

/// The opening of a description that states a measure of a service's inbound requests:
/// `The {measure} of inbound requests to {service} in namespace {ns} is {value}`.
pub fn inbound_measure(measure: &str, how: Humanize) -> Template {
    Template::text(format!("The {measure} of inbound requests to "))
        .label(names::SERVICE)
        .lit(" in namespace ")
        .label(names::NAMESPACE)
        .lit(" is ")
        .value(how)
}

/// Test values on both sides of a threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probe {
    /// A value just past the threshold (the alert fires); `None` if none exists in `[0, 1]`.
    pub fire: Option<Decimal>,
    /// A value just inside it (the alert stays silent).
    pub silent: Option<Decimal>,
}

/// Ratios one digit finer than `threshold` on either side, skipping values whose annotation
/// would render differently under float rounding.
///
/// `fires_above` says whether the alert fires above the threshold (`>`) or below it (`<`).
pub fn probe(threshold: Decimal, fires_above: bool, stable: impl Fn(f64) -> bool) -> Probe {
    let nudge = Decimal::new(1, threshold.fraction_digits() + 1);
    let one = Decimal::whole(1);
    let step = |k: u64| Decimal::whole(k).times(nudge);
    let up = |k| Some(threshold.plus(step(k))).filter(|v| *v <= one);
    let down = |k| threshold.checked_sub(step(k));
    let pick = |candidate: &dyn Fn(u64) -> Option<Decimal>| {
        (1..=9).filter_map(candidate).find(|v| stable(v.as_f64()))
    };
    let (fire, silent) = if fires_above {
        let silent = pick(&down).or(Some(threshold).filter(|t| t.is_zero()));
        (pick(&up), silent)
    } else {
        let silent = pick(&up).or(Some(threshold).filter(|t| *t == one));
        (pick(&down), silent)
    };
    Probe { fire, silent }
}

/// Per-step counts `(part, whole)` whose ratio is exactly `ratio`.
pub fn counts(ratio: Decimal) -> (u64, u64) {
    let scale = ratio.fraction_digits().max(2);
    let whole = 10u128.pow(scale);
    let part = ratio.units_at(scale).unwrap_or(0);
    (part as u64, whole as u64)
}

/// `sum(rate(part[w])) or 0 * sum(rate(whole[w]))`: a rate that is zero, not absent, when the
/// service has traffic but none of this kind, and absent when the service has none at all.
pub fn part_rate(part: &Selector, whole: &Selector, window: PromDuration) -> String {
    format!(
        "{}\nor\n0 * {}",
        sum_rate(part, window),
        sum_rate(whole, window)
    )
}

/// `part / whole` over raw counters, guarded: no series (rather than NaN) without traffic.
pub fn ratio_of_rates(part: &Selector, whole: &Selector, window: PromDuration) -> String {
    format!(
        "(\n  {}\n  or\n  0 * {}\n)\n/\n({} > 0)",
        sum_rate(part, window),
        sum_rate(whole, window),
        sum_rate(whole, window)
    )
}

/// `part / whole` over two recorded series, guarded the same way.
pub fn ratio_of_records(part: &Selector, whole: &Selector) -> String {
    format!("{part}\n/\n({whole} > 0)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        let ratio: crate::units::Ratio = text.parse().unwrap();
        Decimal::from_ratio(ratio)
    }

    #[test]
    fn probes_straddle_the_threshold() {
        let p = probe(d("0.99"), false, |_| true);
        assert_eq!(p.fire.unwrap().to_string(), "0.989");
        assert_eq!(p.silent.unwrap().to_string(), "0.991");
        let p = probe(d("0.05"), true, |_| true);
        assert_eq!(p.fire.unwrap().to_string(), "0.051");
        assert_eq!(p.silent.unwrap().to_string(), "0.049");
    }

    #[test]
    fn probes_at_the_edges() {
        let p = probe(d("1"), false, |_| true);
        assert_eq!(p.fire.unwrap().to_string(), "0.9");
        assert_eq!(p.silent.unwrap().to_string(), "1");
        let p = probe(d("1"), true, |_| true);
        assert_eq!(p.fire, None);
        let p = probe(d("0"), true, |_| true);
        assert_eq!(p.fire.unwrap().to_string(), "0.1");
        assert_eq!(p.silent.unwrap().to_string(), "0");
    }

    #[test]
    fn unstable_values_are_skipped() {
        let p = probe(d("0.5"), true, |v| (v - 0.51).abs() > 1e-9);
        assert_eq!(p.fire.unwrap().to_string(), "0.52");
    }

    #[test]
    fn counts_are_exact() {
        assert_eq!(counts(d("0.989")), (989, 1000));
        assert_eq!(counts(d("0.5")), (50, 100));
        assert_eq!(counts(d("1")), (100, 100));
    }
}
