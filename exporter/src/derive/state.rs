//! One target's memory across scrapes: reset-corrected totals, the window, spikes.
//!
//! **Resets.** Each counter is compared with the same proxy series in the previous scrape. An
//! increase is counted as it is; a decrease means the series restarted from zero (the proxy
//! restarted, or the stat was recreated), so its whole current value is new. A series that was
//! not in the previous scrape started from zero since then, so its whole value is new too. No
//! delta is ever negative, and the totals only grow.
//!
//! **First scrape.** The first observation of a target seeds the totals with the proxy's own
//! counts (so `meshward_requests_total` starts where the proxy's counters are) but adds nothing
//! to the window: when those requests happened is unknown, and pouring a proxy's lifetime into
//! the current window would distort every ratio and the spike baselines.
//!
//! **Window.** Every later observation adds the deltas since the previous one, stamped with its
//! time. The window's figures are the sums of the deltas stamped within `window` of the latest
//! observation.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use meshward_signals::exported::{
    AuthFailureReason, Direction, FailureLevel, SpikeSignal, Tls, CERTIFICATE_EARLIEST,
    LATENCY_QUANTILES,
};

use super::histogram::quantile;
use super::observation::{Counted, Observation, RequestClass};
use super::series::Bound;
use super::spike::{SpikeDetector, SpikeState, WindowFigures};

/// Seconds in a day, to turn Envoy's whole days until expiry into a timestamp.
const SECONDS_PER_DAY: f64 = 86_400.0;
/// Latency histograms are in milliseconds; meshward serves seconds.
const MILLISECONDS_PER_SECOND: f64 = 1_000.0;

/// How a target's observations become derived signals.
#[derive(Clone, Debug, PartialEq)]
pub struct DeriveSettings {
    /// What the ratio, quantile and spike figures look back over.
    pub window: Duration,
    /// How many past windows the spike baseline remembers (its median is the baseline).
    pub baseline_windows: usize,
    /// How many past windows the baseline needs before any spike can be active.
    pub warm_up_windows: usize,
    /// A spike is active when the current window is at least this many times the baseline.
    pub spike_factor: f64,
    /// Fewer inbound requests than this in a window: no spike, and the window is not learned.
    pub min_requests: f64,
    /// The error-ratio baseline is never taken below this share.
    pub error_ratio_floor: f64,
    /// The latency baseline is never taken below this many seconds.
    pub latency_floor_seconds: f64,
}

impl Default for DeriveSettings {
    /// A 5-minute window; a spike needs 3 × the median of the last 12 windows (an hour), at
    /// least 3 windows of history, and 100 inbound requests in the window; baselines are
    /// floored at 1 % errors and 5 ms.
    fn default() -> Self {
        DeriveSettings {
            window: Duration::from_secs(300),
            baseline_windows: 12,
            warm_up_windows: 3,
            spike_factor: 3.0,
            min_requests: 100.0,
            error_ratio_floor: 0.01,
            latency_floor_seconds: 0.005,
        }
    }
}

/// The signals derived for one target, ready to be served.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    /// Requests seen, by direction, TLS mode and status class (`"2xx"`); reset-corrected, so
    /// each value only grows.
    pub requests_total: BTreeMap<(Direction, Tls, String), f64>,
    /// Auth failures seen, by reason and by whether they refused requests or connections;
    /// reset-corrected.
    pub auth_failures_total: BTreeMap<(AuthFailureReason, FailureLevel), f64>,
    /// Share of requests over mutual TLS in the window, for the directions that had requests.
    pub mtls_ratio: BTreeMap<Direction, f64>,
    /// Request-level auth failures of inbound traffic over inbound requests in the window
    /// (capped at 1); connection-level failures never enter it. `None` when the window saw
    /// neither.
    pub auth_failure_ratio: Option<f64>,
    /// Share of inbound requests answered with a 5xx in the window; `None` without requests.
    pub error_ratio: Option<f64>,
    /// Inbound latency quantiles (`"0.5"`, `"0.9"`, `"0.99"`) in seconds over the window;
    /// empty when the window has no latency observation.
    pub latency_seconds: Vec<(&'static str, f64)>,
    /// Spike state of each signal, once the target has been observed.
    pub spikes: BTreeMap<SpikeSignal, SpikeState>,
    /// Certificate name → Unix time of expiry.
    pub certificate_expiry: BTreeMap<String, f64>,
}

/// The memory of one target across scrapes.
#[derive(Clone, Debug)]
pub struct TargetState {
    settings: DeriveSettings,
    /// Raw cumulative values of the previous observation; `None` before the first.
    previous: Option<BTreeMap<String, f64>>,
    requests_total: BTreeMap<RequestClass, f64>,
    auth_failures_total: BTreeMap<(AuthFailureReason, FailureLevel), f64>,
    window: VecDeque<Increment>,
    certificates: BTreeMap<String, f64>,
    spikes: SpikeDetector,
}

/// What happened between two observations.
#[derive(Clone, Debug, Default)]
struct Increment {
    at: Option<SystemTime>,
    requests: BTreeMap<RequestClass, f64>,
    ratio_failures: f64,
    latency_buckets: BTreeMap<Bound, f64>,
}

impl Increment {
    fn add(&mut self, counts: Counted, delta: f64) {
        match counts {
            Counted::Requests(class) => *self.requests.entry(class).or_insert(0.0) += delta,
            Counted::AuthFailures { .. } if counts.in_auth_failure_ratio() => {
                self.ratio_failures += delta
            }
            Counted::AuthFailures { .. } => {}
            Counted::LatencyBucket { bound } => {
                *self.latency_buckets.entry(bound).or_insert(0.0) += delta
            }
        }
    }

    fn merge(&mut self, other: &Increment) {
        for (class, value) in &other.requests {
            *self.requests.entry(*class).or_insert(0.0) += value;
        }
        self.ratio_failures += other.ratio_failures;
        for (bound, value) in &other.latency_buckets {
            *self.latency_buckets.entry(*bound).or_insert(0.0) += value;
        }
    }

    fn inbound_requests(&self) -> (f64, f64) {
        let mut all = 0.0;
        let mut server_errors = 0.0;
        for (class, value) in &self.requests {
            if class.direction == Direction::Inbound {
                all += value;
                if class.code_class.is_server_error() {
                    server_errors += value;
                }
            }
        }
        (all, server_errors)
    }

    fn error_ratio(&self) -> Option<f64> {
        let (all, server_errors) = self.inbound_requests();
        (all > 0.0).then(|| server_errors / all)
    }

    fn latency_seconds(&self, q: f64) -> Option<f64> {
        quantile(q, &self.latency_buckets).map(|ms| ms / MILLISECONDS_PER_SECOND)
    }
}

impl TargetState {
    /// A target not yet observed.
    pub fn new(settings: DeriveSettings) -> TargetState {
        TargetState {
            settings,
            previous: None,
            requests_total: BTreeMap::new(),
            auth_failures_total: BTreeMap::new(),
            window: VecDeque::new(),
            certificates: BTreeMap::new(),
            spikes: SpikeDetector::default(),
        }
    }

    /// The settings this state derives with.
    pub fn settings(&self) -> &DeriveSettings {
        &self.settings
    }

    /// Takes in the observation of a scrape that finished at `at`.
    pub fn record(&mut self, at: SystemTime, observation: Observation) {
        let first = self.previous.is_none();
        let previous = self.previous.take().unwrap_or_default();
        let mut increment = Increment {
            at: Some(at),
            ..Increment::default()
        };
        let mut resets = 0_usize;

        for (id, reading) in &observation.counters {
            let delta = match previous.get(id) {
                Some(&before) if reading.value >= before => reading.value - before,
                Some(_) => {
                    resets += 1;
                    reading.value
                }
                None => reading.value,
            };
            self.add_to_totals(reading.counts, delta);
            if !first {
                increment.add(reading.counts, delta);
            }
        }
        if resets > 0 {
            tracing::debug!(resets, "counters went down: counted as restarted from zero");
        }

        self.previous = Some(
            observation
                .counters
                .iter()
                .map(|(id, reading)| (id.clone(), reading.value))
                .collect(),
        );
        self.certificates = certificate_expiry(at, &observation);
        self.window.push_back(increment);
        self.prune(at);

        let sums = self.window_sums();
        let figures = WindowFigures {
            inbound_requests: sums.inbound_requests().0,
            error_ratio: sums.error_ratio(),
            latency_p99: sums.latency_seconds(0.99),
        };
        self.spikes.update(at, figures, &self.settings);
    }

    /// The signals as of the latest observation.
    pub fn derived(&self) -> Derived {
        let sums = self.window_sums();

        let requests_total = self
            .requests_total
            .iter()
            .map(|(class, value)| {
                (
                    (
                        class.direction,
                        class.tls,
                        class.code_class.as_str().to_owned(),
                    ),
                    *value,
                )
            })
            .collect();

        let mut per_direction: BTreeMap<Direction, (f64, f64)> = BTreeMap::new();
        for (class, value) in &sums.requests {
            let (mutual, all) = per_direction.entry(class.direction).or_default();
            *all += value;
            if class.tls == Tls::Mutual {
                *mutual += value;
            }
        }
        let mtls_ratio = per_direction
            .into_iter()
            .filter(|(_, (_, all))| *all > 0.0)
            .map(|(direction, (mutual, all))| (direction, mutual / all))
            .collect();

        let (inbound, _) = sums.inbound_requests();
        let failures = sums.ratio_failures;
        let denominator = inbound.max(failures);
        let auth_failure_ratio = (denominator > 0.0).then(|| failures / denominator);

        let latency_seconds = LATENCY_QUANTILES
            .iter()
            .filter_map(|label| {
                let q: f64 = label.parse().ok()?;
                Some((*label, sums.latency_seconds(q)?))
            })
            .collect();

        Derived {
            requests_total,
            auth_failures_total: self.auth_failures_total.clone(),
            mtls_ratio,
            auth_failure_ratio,
            error_ratio: sums.error_ratio(),
            latency_seconds,
            spikes: self.spikes.states(),
            certificate_expiry: self.certificates.clone(),
        }
    }

    fn add_to_totals(&mut self, counts: Counted, delta: f64) {
        match counts {
            Counted::Requests(class) => *self.requests_total.entry(class).or_insert(0.0) += delta,
            Counted::AuthFailures { reason, level, .. } => {
                *self
                    .auth_failures_total
                    .entry((reason, level))
                    .or_insert(0.0) += delta
            }
            Counted::LatencyBucket { .. } => {}
        }
    }

    /// Drops increments older than the window, measured back from `now`.
    fn prune(&mut self, now: SystemTime) {
        let horizon = now.checked_sub(self.settings.window).unwrap_or(UNIX_EPOCH);
        self.window
            .retain(|increment| increment.at.is_some_and(|at| at > horizon));
    }

    fn window_sums(&self) -> Increment {
        let mut sums = Increment::default();
        for increment in &self.window {
            sums.merge(increment);
        }
        sums
    }
}

/// Certificate expiries of one observation: the ones the proxy names, else one `earliest`
/// entry from Envoy's whole days until the first certificate expires, counted from `at`.
fn certificate_expiry(at: SystemTime, observation: &Observation) -> BTreeMap<String, f64> {
    if !observation.certificates.is_empty() {
        return observation.certificates.clone();
    }
    let Some(days) = observation.days_until_first_cert_expiring else {
        return BTreeMap::new();
    };
    let now = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    BTreeMap::from([(
        CERTIFICATE_EARLIEST.to_owned(),
        now + days * SECONDS_PER_DAY,
    )])
}
