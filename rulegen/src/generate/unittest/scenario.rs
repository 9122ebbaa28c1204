//! What a test feeds Prometheus, in the mesh's terms: inbound traffic by TLS and outcome,
//! a latency distribution and certificate gauges, over consecutive phases.
//!
//! A scenario says *what happened*; each mesh's translation writes the series its proxies
//! would have exposed for it, in its own metric names and labels.

use std::fmt::Write as _;

use crate::generate::query::Selector;
use crate::units::PromDuration;

/// Whether a request arrived over mutual TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tls {
    /// Both peers proved an identity.
    Mutual,
    /// Plaintext, or TLS without a client identity.
    Plaintext,
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Served (2xx).
    Ok,
    /// Refused by an authorization policy (403).
    Denied,
    /// Failed with a server error (503).
    Error,
}

impl Tls {
    /// Both values.
    pub const ALL: [Tls; 2] = [Tls::Mutual, Tls::Plaintext];
}

impl Outcome {
    /// Every value.
    pub const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Denied, Outcome::Error];
}

/// Requests per sampling step, by TLS and outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    counts: [[u64; 3]; 2],
}

impl Traffic {
    /// No requests.
    pub const IDLE: Traffic = Traffic {
        counts: [[0; 3]; 2],
    };

    /// Adds `count` requests per step of one kind.
    pub fn with(mut self, tls: Tls, outcome: Outcome, count: u64) -> Traffic {
        self.counts[tls as usize][outcome as usize] += count;
        self
    }

    /// Requests per step of one kind.
    pub fn get(&self, tls: Tls, outcome: Outcome) -> u64 {
        self.counts[tls as usize][outcome as usize]
    }

    /// Requests per step over every kind that `keep` accepts.
    pub fn sum(&self, keep: impl Fn(Tls, Outcome) -> bool) -> u64 {
        Tls::ALL
            .iter()
            .flat_map(|&t| Outcome::ALL.iter().map(move |&o| (t, o)))
            .filter(|&(t, o)| keep(t, o))
            .map(|(t, o)| self.get(t, o))
            .sum()
    }

    /// All requests per step.
    pub fn total(&self) -> u64 {
        self.sum(|_, _| true)
    }
}

/// The latency of one phase.
#[derive(Clone, Debug, PartialEq)]
pub enum Latency {
    /// Observations per step, cumulative per bucket bound of the mesh's layout, then `+Inf`.
    Buckets(Vec<u64>),
    /// A precomputed quantile, in seconds (the exporter's gauges).
    Quantile(f64),
}

/// A stretch of time with steady traffic.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    /// How many sampling steps it lasts.
    pub steps: u64,
    /// Requests per step.
    pub traffic: Traffic,
    /// The latency distribution, when the test needs one.
    pub latency: Option<Latency>,
}

/// A certificate gauge, constant over the whole test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certificate {
    /// A certificate that expires at this Unix time (seconds).
    ExpiresAt(u64),
    /// Envoy's coarse `days_until_first_cert_expiring` gauge with this value.
    DaysLeft(u64),
}

/// Everything a test's input series describe.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Time between samples.
    pub step: PromDuration,
    /// Consecutive phases from time zero.
    pub phases: Vec<Phase>,
    /// Certificate gauges of the service's proxies.
    pub certificates: Vec<Certificate>,
    /// The quantile label of precomputed latency gauges (`0.99`).
    pub quantile: Option<String>,
}

impl Scenario {
    /// How many samples each series has (one at time zero, then one per step).
    pub fn samples(&self) -> u64 {
        1 + self.phases.iter().map(|p| p.steps).sum::<u64>()
    }

    /// Per-phase increments of a counter that grows by `per_step(phase)` every step.
    pub fn counter(&self, per_step: impl Fn(&Phase) -> u64) -> Vec<(u64, u64)> {
        self.phases.iter().map(|p| (p.steps, per_step(p))).collect()
    }
}

/// One input series of a promtool test: a selector and its values in expanding notation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSeries {
    /// The series, `metric{label="value"}`.
    pub series: String,
    /// The values, `0+10x30 300+20x10`.
    pub values: String,
}

impl InputSeries {
    /// A counter starting at zero that grows by `increment` per step for `steps` steps, phase
    /// after phase.
    pub fn counter(series: &Selector, phases: &[(u64, u64)]) -> InputSeries {
        let mut values = String::new();
        let mut current: u64 = 0;
        for (i, &(steps, increment)) in phases.iter().enumerate() {
            if steps == 0 {
                continue;
            }
            if !values.is_empty() {
                values.push(' ');
            }
            if i == 0 || values.is_empty() {
                // The first phase also writes the sample at time zero.
                let _ = write!(values, "{current}+{increment}x{steps}");
            } else {
                let first = current + increment;
                let _ = write!(values, "{first}+{increment}x{}", steps - 1);
            }
            current += increment * steps;
        }
        InputSeries {
            series: series.to_string(),
            values,
        }
    }

    /// A gauge holding `value` for `samples` samples.
    pub fn gauge(series: &Selector, value: &str, samples: u64) -> InputSeries {
        InputSeries {
            series: series.to_string(),
            values: format!("{value}+0x{}", samples.saturating_sub(1)),
        }
    }

    /// A gauge holding one value per phase; `None` leaves the phase's samples missing, so
    /// the series goes stale as an exporter's would when it stops serving it.
    pub fn gauge_phases(series: &Selector, phases: &[(u64, Option<String>)]) -> InputSeries {
        let mut parts = Vec::new();
        let mut first = true;
        for (steps, value) in phases {
            if *steps == 0 {
                continue;
            }
            // The first phase also writes the sample at time zero.
            let samples = if first { steps + 1 } else { *steps };
            first = false;
            parts.push(match value {
                Some(value) => format!("{value}+0x{}", samples - 1),
                None => format!("_x{samples}"),
            });
        }
        InputSeries {
            series: series.to_string(),
            values: parts.join(" "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_continue_across_phases() {
        let s = Selector::metric("x_total");
        let series = InputSeries::counter(&s, &[(3, 10), (2, 100)]);
        // 0 10 20 30 | 130 230
        assert_eq!(series.values, "0+10x3 130+100x1");
        assert_eq!(InputSeries::counter(&s, &[(4, 0)]).values, "0+0x4");
    }

    #[test]
    fn gauges_fill_every_sample() {
        let s = Selector::metric("g");
        assert_eq!(InputSeries::gauge(&s, "5", 4).values, "5+0x3");
        let phased = InputSeries::gauge_phases(&s, &[(3, Some("1".into())), (2, Some("2".into()))]);
        // 1 1 1 1 | 2 2
        assert_eq!(phased.values, "1+0x3 2+0x1");
        let stale = InputSeries::gauge_phases(&s, &[(3, Some("1".into())), (2, None)]);
        assert_eq!(stale.values, "1+0x3 _x2");
    }

    #[test]
    fn traffic_sums_by_kind() {
        let t = Traffic::IDLE.with(Tls::Mutual, Outcome::Ok, 90).with(
            Tls::Plaintext,
            Outcome::Error,
            10,
        );
        assert_eq!(t.total(), 100);
        assert_eq!(t.sum(|tls, _| tls == Tls::Mutual), 90);
    }
}
