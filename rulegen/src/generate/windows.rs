//! The windows rules look through: the base rate window, and the multiwindow multi-burn-rate
//! table of the SRE workbook scaled to an SLO's period.

use crate::generate::decimal::Decimal;
use crate::spec::model::Severity;
use crate::units::PromDuration;

const MINUTE: u64 = 60_000;

/// A duration printed with days as the largest unit (`30d`, `2d19h12m`, `300ms`), as users
/// write SLO windows and baselines; Prometheus reads it the same as its canonical `4w2d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Days(pub PromDuration);

impl std::fmt::Display for Days {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0.as_millis();
        if rest == 0 {
            return f.write_str("0s");
        }
        for (unit, scale) in [
            ("d", DAY),
            ("h", HOUR),
            ("m", MINUTE),
            ("s", 1000),
            ("ms", 1),
        ] {
            if rest >= scale {
                write!(f, "{}{unit}", rest / scale)?;
                rest %= scale;
            }
        }
        Ok(())
    }
}

/// [`Days`] as a method.
pub trait DaysExt {
    /// The duration printed with days as the largest unit.
    fn days(self) -> Days;
}

impl DaysExt for PromDuration {
    fn days(self) -> Days {
        Days(self)
    }
}
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// The period the workbook's burn-rate table was written for.
const REFERENCE_PERIOD: u64 = 30 * DAY;

/// The shortest window a rate may use: five minutes, or four scrape intervals when scrapes are
/// slower (a rate needs at least two samples; four leave room for a missed scrape).
pub fn base_window(scrape_interval: PromDuration) -> PromDuration {
    let four_scrapes = round_up_to_minute(scrape_interval.as_millis().saturating_mul(4));
    PromDuration::from_millis(four_scrapes.max(5 * MINUTE))
}

/// One pair of windows of the burn-rate scheme, and the alert it drives.
#[derive(Clone, Debug, PartialEq)]
pub struct BurnTier {
    /// `page` or `ticket`.
    pub tier: &'static str,
    /// How many times faster than sustainable the budget burns.
    pub factor: Decimal,
    /// The long window: the burn is real.
    pub long: PromDuration,
    /// The short window: the burn is still going on.
    pub short: PromDuration,
    /// How long both must hold before the alert fires.
    pub for_: PromDuration,
    /// How long the alert keeps firing once the short window recovers.
    pub keep_firing_for: PromDuration,
    /// `critical` for pages, `warning` for tickets.
    pub severity: Severity,
}

/// The four window pairs for an SLO over `period`, fastest first.
///
/// The workbook's table is for 30 days: 14.4× over 1h and 5m, 6× over 6h and 30m (page), 3× over
/// 1d and 2h, 1× over 3d and 6h (ticket). Every window scales with the period, so each pair
/// still fires once the same share of the budget (2%, 5%, 10%, 10%) is spent; windows are
/// rounded to whole minutes and never shorter than `base`. `for` is half the short window and
/// `keep_firing_for` the short window, so a pair neither fires on one evaluation nor flaps
/// while its short window recovers.
pub fn burn_tiers(period: PromDuration, base: PromDuration) -> [BurnTier; 4] {
    use meshward_signals::rules::{TIER_PAGE, TIER_TICKET};
    let tier = |tier, factor, long: u64, short: u64, severity| {
        let short = scale(short, period, base);
        let long = scale(long, period, base).max(short);
        let half = (short.as_millis() / 2 / MINUTE * MINUTE).max(MINUTE);
        BurnTier {
            tier,
            factor,
            long,
            short,
            for_: PromDuration::from_millis(half),
            keep_firing_for: short,
            severity,
        }
    };
    [
        tier(
            TIER_PAGE,
            Decimal::new(144, 1),
            HOUR,
            5 * MINUTE,
            Severity::Critical,
        ),
        tier(
            TIER_PAGE,
            Decimal::whole(6),
            6 * HOUR,
            30 * MINUTE,
            Severity::Critical,
        ),
        tier(
            TIER_TICKET,
            Decimal::whole(3),
            DAY,
            2 * HOUR,
            Severity::Warning,
        ),
        tier(
            TIER_TICKET,
            Decimal::whole(1),
            3 * DAY,
            6 * HOUR,
            Severity::Warning,
        ),
    ]
}

fn scale(reference: u64, period: PromDuration, base: PromDuration) -> PromDuration {
    let exact = u128::from(reference) * u128::from(period.as_millis());
    let reference_period = u128::from(REFERENCE_PERIOD);
    let minutes = (exact + reference_period * u128::from(MINUTE) / 2)
        / (reference_period * u128::from(MINUTE));
    let millis = u64::try_from(minutes).unwrap_or(u64::MAX / MINUTE) * MINUTE;
    PromDuration::from_millis(millis.max(base.as_millis()))
}

fn round_up_to_minute(millis: u64) -> u64 {
    millis.div_ceil(MINUTE).saturating_mul(MINUTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> PromDuration {
        text.parse().unwrap()
    }

    fn table(period: &str) -> Vec<String> {
        burn_tiers(d(period), d("5m"))
            .iter()
            .map(|t| {
                format!(
                    "{} {}x {}/{} for {} keep {}",
                    t.tier, t.factor, t.long, t.short, t.for_, t.keep_firing_for
                )
            })
            .collect()
    }

    #[test]
    fn thirty_days_is_the_workbook_table() {
        assert_eq!(
            table("30d"),
            [
                "page 14.4x 1h/5m for 2m keep 5m",
                "page 6x 6h/30m for 15m keep 30m",
                "ticket 3x 1d/2h for 1h keep 2h",
                "ticket 1x 3d/6h for 3h keep 6h",
            ]
        );
    }

    #[test]
    fn other_periods_scale_every_window() {
        assert_eq!(
            table("28d"),
            [
                "page 14.4x 56m/5m for 2m keep 5m",
                "page 6x 5h36m/28m for 14m keep 28m",
                "ticket 3x 22h24m/1h52m for 56m keep 1h52m",
                "ticket 1x 2d19h12m/5h36m for 2h48m keep 5h36m",
            ]
        );
        // Short periods never go below the base window.
        assert_eq!(table("7d")[0], "page 14.4x 14m/5m for 2m keep 5m");
    }

    #[test]
    fn days_are_the_largest_unit() {
        assert_eq!(d("30d").days().to_string(), "30d");
        assert_eq!(d("2w").days().to_string(), "14d");
        assert_eq!(d("1h30m").days().to_string(), "1h30m");
        assert_eq!(d("300ms").days().to_string(), "300ms");
        assert_eq!(d("0s").days().to_string(), "0s");
    }

    #[test]
    fn base_window_covers_four_scrapes() {
        assert_eq!(base_window(d("30s")), d("5m"));
        assert_eq!(base_window(d("1m")), d("5m"));
        assert_eq!(base_window(d("2m")), d("8m"));
        assert_eq!(base_window(d("1m30s")), d("6m"));
    }
}
