//! What one scrape of a proxy says, already translated into meshward's vocabulary.

use std::collections::BTreeMap;

use meshward_exposition::Sample;
use meshward_signals::exported::{AuthFailureReason, Direction, FailureLevel, Tls};
use meshward_signals::prometheus::LE;

use super::series::{series_id, Bound, CodeClass};

/// The cumulative counters and the gauges read from one scrape of one proxy.
///
/// Each counter keeps the identity of the proxy series it was read from, so that
/// [`TargetState`](super::TargetState) can compare it with the same series in the previous
/// scrape and notice when that one series was reset. What the counter counts (requests of a
/// direction, TLS mode and status class; auth failures of a reason; inbound latency
/// observations below a bound) is decided here, per scrape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// Cumulative counters by source-series identity.
    pub(crate) counters: BTreeMap<String, Reading>,
    /// Certificate name → Unix time of expiry, where the proxy names its certificates.
    pub(crate) certificates: BTreeMap<String, f64>,
    /// Envoy's whole days until the first certificate expires, sentinels removed.
    pub(crate) days_until_first_cert_expiring: Option<f64>,
}

/// One cumulative counter and what it counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reading {
    pub(crate) counts: Counted,
    pub(crate) value: f64,
}

/// What a counter counts, in meshward's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Counted {
    /// Requests of one direction, TLS mode and status class.
    Requests(RequestClass),
    /// Authentication or authorization failures of one reason, refusing requests or
    /// connections. `inbound` is whether they concern traffic the workload receives.
    AuthFailures {
        reason: AuthFailureReason,
        level: FailureLevel,
        inbound: bool,
    },
    /// Inbound requests that took at most `bound` milliseconds (a histogram bucket).
    LatencyBucket { bound: Bound },
}

impl Counted {
    /// Whether the counter adds to the numerator of the auth failure ratio: request-level
    /// failures of inbound traffic. Refused connections are no share of requests.
    pub(crate) fn in_auth_failure_ratio(self) -> bool {
        matches!(
            self,
            Counted::AuthFailures {
                level: FailureLevel::Request,
                inbound: true,
                ..
            }
        )
    }
}

/// The key of [`Derived::requests_total`](super::Derived::requests_total).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RequestClass {
    pub(crate) direction: Direction,
    pub(crate) tls: Tls,
    pub(crate) code_class: CodeClass,
}

impl Observation {
    /// Records one counter; the first reading of an identity wins, so a proxy that repeats a
    /// series (a malformed exposition) cannot make it count twice.
    pub(crate) fn count(&mut self, id: String, counts: Counted, value: f64) {
        if !value.is_finite() || value < 0.0 {
            tracing::trace!(series = %id, value, "ignoring a counter that is not a count");
            return;
        }
        self.counters.entry(id).or_insert(Reading { counts, value });
    }

    /// Records a proxy series that counts requests of one class, under the series' identity.
    pub(crate) fn count_requests(&mut self, sample: &Sample<'_>, class: RequestClass) {
        self.count(series_id(sample), Counted::Requests(class), sample.value);
    }

    /// Records a proxy series that counts auth failures, under the series' identity.
    /// `inbound` is whether they concern traffic the workload receives.
    pub(crate) fn count_auth_failures(
        &mut self,
        sample: &Sample<'_>,
        reason: AuthFailureReason,
        level: FailureLevel,
        inbound: bool,
    ) {
        let counts = Counted::AuthFailures {
            reason,
            level,
            inbound,
        };
        self.count(series_id(sample), counts, sample.value);
    }

    /// Records one bucket of an inbound latency histogram, bounded by the sample's `le`; a
    /// bucket whose bound does not parse is skipped.
    pub(crate) fn count_latency_bucket(&mut self, sample: &Sample<'_>) {
        if let Some(bound) = sample.label(LE).and_then(Bound::parse) {
            self.count(
                series_id(sample),
                Counted::LatencyBucket { bound },
                sample.value,
            );
        }
    }

    /// Records a certificate's expiry; the earliest wins when a name repeats.
    pub(crate) fn certificate(&mut self, name: String, expires_at: f64) {
        if !expires_at.is_finite() || expires_at <= 0.0 {
            return;
        }
        let entry = self.certificates.entry(name).or_insert(expires_at);
        *entry = entry.min(expires_at);
    }

    /// How many counters and gauges the scrape yielded.
    pub fn len(&self) -> usize {
        self.counters.len()
            + self.certificates.len()
            + usize::from(self.days_until_first_cert_expiring.is_some())
    }

    /// Whether the scrape yielded nothing meshward understands.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Requests counted by the proxy since it started, by direction, TLS mode and status class
    /// (`"2xx"`), summed over the proxy's series. Not reset-corrected: see
    /// [`Derived::requests_total`](super::Derived::requests_total) for that.
    pub fn requests(&self) -> BTreeMap<(Direction, Tls, String), f64> {
        let mut requests = BTreeMap::new();
        for reading in self.counters.values() {
            if let Counted::Requests(class) = reading.counts {
                let key = (
                    class.direction,
                    class.tls,
                    class.code_class.as_str().to_owned(),
                );
                *requests.entry(key).or_insert(0.0) += reading.value;
            }
        }
        requests
    }

    /// Auth failures counted by the proxy since it started, by reason and level. Not
    /// reset-corrected.
    pub fn auth_failures(&self) -> BTreeMap<(AuthFailureReason, FailureLevel), f64> {
        let mut failures = BTreeMap::new();
        for reading in self.counters.values() {
            if let Counted::AuthFailures { reason, level, .. } = reading.counts {
                *failures.entry((reason, level)).or_insert(0.0) += reading.value;
            }
        }
        failures
    }

    /// Certificate name → Unix time of expiry, for the certificates the proxy names.
    pub fn certificates(&self) -> &BTreeMap<String, f64> {
        &self.certificates
    }
}
