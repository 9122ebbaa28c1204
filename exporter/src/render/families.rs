//! Every family the exporter serves: its name, type, help text, and its series from the store.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use meshward_signals::exported as names;

use crate::store::{Entry, Status};

/// The type of a family, as declared on its `# TYPE` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Only grows; `_total` names.
    Counter,
    /// Any value.
    Gauge,
    /// A constant 1 carrying labels; `_info` names.
    Info,
}

/// One series: its labels, sorted by name, and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Label names and values, sorted by name.
    pub labels: Vec<(String, String)>,
    /// The value; never NaN.
    pub value: f64,
}

/// One family with all its series.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// The exposed name.
    pub name: &'static str,
    /// Its `# HELP` text (without the final period, which the encoder adds).
    pub help: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Its series, in a stable order.
    pub series: Vec<Series>,
}

/// Help texts, one per family. Kept beside the names so README and `/metrics` agree.
const HELP: [(&str, Kind, &str); 17] = [
    (
        names::REQUESTS_TOTAL,
        Kind::Counter,
        "Requests the proxy handled, by direction, TLS mode and status class (reset-corrected)",
    ),
    (
        names::MTLS_RATIO,
        Kind::Gauge,
        "Share of requests over mutual TLS in the window, by direction",
    ),
    (
        names::AUTH_FAILURES_TOTAL,
        Kind::Counter,
        "Authentication and authorization failures, by reason and by level: refused requests \
         or refused connections (reset-corrected)",
    ),
    (
        names::AUTH_FAILURE_RATIO,
        Kind::Gauge,
        "Request-level auth failures over inbound requests in the window",
    ),
    (
        names::ERROR_RATIO,
        Kind::Gauge,
        "Share of inbound requests answered with a 5xx in the window",
    ),
    (
        names::LATENCY_SECONDS,
        Kind::Gauge,
        "Inbound request latency quantiles over the window, in seconds",
    ),
    (
        names::SPIKE_SCORE,
        Kind::Gauge,
        "Current window of a signal over its learned baseline; 0 while warming up or idle",
    ),
    (
        names::SPIKE_ACTIVE,
        Kind::Gauge,
        "1 while a spike of the signal is active, else 0",
    ),
    (
        names::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS,
        Kind::Gauge,
        "Unix time at which a certificate of the proxy expires",
    ),
    (
        names::UP,
        Kind::Gauge,
        "1 when the latest scrape of the target gave a usable exposition, else 0",
    ),
    (
        names::SCRAPE_DURATION_SECONDS,
        Kind::Gauge,
        "Duration of the latest scrape of the target, in seconds",
    ),
    (
        names::SCRAPE_SAMPLES,
        Kind::Gauge,
        "Samples read in the latest scrape of the target that got a body",
    ),
    (
        names::SCRAPE_ERRORS_TOTAL,
        Kind::Counter,
        "Failed scrapes and rejected exposition lines of the target, by reason",
    ),
    (
        names::CONFIG_RELOADS_TOTAL,
        Kind::Counter,
        "Configuration reloads, by result",
    ),
    (
        names::CONFIG_LAST_RELOAD_SUCCESSFUL,
        Kind::Gauge,
        "1 when the last configuration load or reload succeeded, else 0",
    ),
    (
        names::SD_FILE_READ_ERRORS_TOTAL,
        Kind::Counter,
        "Target files (file_sd) that could not be read or checked",
    ),
    (
        names::BUILD_INFO,
        Kind::Info,
        "Build information of meshward-exporter",
    ),
];

/// Every non-empty family, sorted by name, from `entries` and `status` as of `now`.
pub fn collect(entries: &BTreeMap<String, Entry>, status: &Status, now: SystemTime) -> Vec<Family> {
    let mut series: BTreeMap<&'static str, Vec<Series>> = BTreeMap::new();
    for entry in entries.values() {
        target_series(entry, now, &mut series);
    }
    status_series(status, &mut series);

    let mut families: Vec<Family> = HELP
        .iter()
        .filter_map(|(name, kind, help)| {
            let mut series = series.remove(name).filter(|s| !s.is_empty())?;
            series.sort_by(|a, b| a.labels.cmp(&b.labels));
            Some(Family {
                name,
                help,
                kind: *kind,
                series,
            })
        })
        .collect();
    families.sort_by_key(|family| family.name);
    families
}

/// Builds label sets that start from a target's own labels.
struct Labels<'a> {
    base: BTreeMap<&'a str, &'a str>,
}

impl<'a> Labels<'a> {
    fn with(&self, extra: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
        let mut labels = self.base.clone();
        labels.extend(extra.iter().copied());
        labels
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

fn push(
    out: &mut BTreeMap<&'static str, Vec<Series>>,
    name: &'static str,
    labels: Vec<(String, String)>,
    value: f64,
) {
    if value.is_finite() {
        out.entry(name).or_default().push(Series { labels, value });
    }
}

fn target_series(entry: &Entry, now: SystemTime, out: &mut BTreeMap<&'static str, Vec<Series>>) {
    let target = &entry.target;
    let report = &entry.report;
    let mut base: BTreeMap<&str, &str> = target
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    base.insert(names::TARGET, &target.address);
    let own = Labels { base };

    if let Some(up) = report.up {
        push(out, names::UP, own.with(&[]), if up { 1.0 } else { 0.0 });
    }
    if let Some(seconds) = report.duration_seconds {
        push(out, names::SCRAPE_DURATION_SECONDS, own.with(&[]), seconds);
    }
    if let Some(samples) = report.samples {
        push(out, names::SCRAPE_SAMPLES, own.with(&[]), samples as f64);
    }
    for (reason, count) in &report.errors {
        let labels = own.with(&[(names::REASON, reason.as_str())]);
        push(out, names::SCRAPE_ERRORS_TOTAL, labels, *count as f64);
    }

    let (Some(derived), Some(dialect)) = (&report.derived, report.dialect) else {
        return;
    };
    let mut base = own.base.clone();
    base.insert(names::MESH, dialect.as_str());
    let mesh = Labels { base };

    for ((direction, tls, code_class), value) in &derived.requests_total {
        let labels = mesh.with(&[
            (names::DIRECTION, direction.as_str()),
            (names::TLS, tls.as_str()),
            (names::CODE_CLASS, code_class.as_str()),
        ]);
        push(out, names::REQUESTS_TOTAL, labels, *value);
    }
    for ((reason, level), value) in &derived.auth_failures_total {
        let labels = mesh.with(&[
            (names::REASON, reason.as_str()),
            (names::LEVEL, level.as_str()),
        ]);
        push(out, names::AUTH_FAILURES_TOTAL, labels, *value);
    }
    for (certificate, expiry) in &derived.certificate_expiry {
        let labels = mesh.with(&[(names::CERTIFICATE, certificate.as_str())]);
        push(
            out,
            names::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS,
            labels,
            *expiry,
        );
    }

    if !window_is_current(report.last_success, entry.window, now) {
        return;
    }
    for (direction, ratio) in &derived.mtls_ratio {
        push(
            out,
            names::MTLS_RATIO,
            mesh.with(&[(names::DIRECTION, direction.as_str())]),
            *ratio,
        );
    }
    if let Some(ratio) = derived.auth_failure_ratio {
        push(out, names::AUTH_FAILURE_RATIO, mesh.with(&[]), ratio);
    }
    if let Some(ratio) = derived.error_ratio {
        push(out, names::ERROR_RATIO, mesh.with(&[]), ratio);
    }
    for (quantile, seconds) in &derived.latency_seconds {
        push(
            out,
            names::LATENCY_SECONDS,
            mesh.with(&[(names::QUANTILE, quantile)]),
            *seconds,
        );
    }
    for (signal, state) in &derived.spikes {
        let labels = mesh.with(&[(names::SIGNAL, signal.as_str())]);
        push(out, names::SPIKE_SCORE, labels.clone(), state.score);
        push(
            out,
            names::SPIKE_ACTIVE,
            labels,
            if state.active { 1.0 } else { 0.0 },
        );
    }
}

/// Whether the window gauges still describe the present: a target that has not been read
/// for a whole window has no current window, so its ratios, quantiles and spikes are
/// withdrawn (its counters and certificate expiry stay).
fn window_is_current(last_success: Option<SystemTime>, window: Duration, now: SystemTime) -> bool {
    last_success.is_some_and(|at| now.duration_since(at).unwrap_or_default() <= window)
}

fn status_series(status: &Status, out: &mut BTreeMap<&'static str, Vec<Series>>) {
    use meshward_signals::exported::ReloadResult;

    for result in ReloadResult::ALL {
        let labels = vec![(names::RESULT.to_owned(), result.as_str().to_owned())];
        push(
            out,
            names::CONFIG_RELOADS_TOTAL,
            labels,
            status.reloads(*result).get() as f64,
        );
    }
    let last = status.last_reload_successful.get() as f64;
    push(out, names::CONFIG_LAST_RELOAD_SUCCESSFUL, Vec::new(), last);
    push(
        out,
        names::SD_FILE_READ_ERRORS_TOTAL,
        Vec::new(),
        status.sd_file_read_errors.get() as f64,
    );
    let version = vec![(
        names::VERSION.to_owned(),
        env!("CARGO_PKG_VERSION").to_owned(),
    )];
    push(out, names::BUILD_INFO, version, 1.0);
}
