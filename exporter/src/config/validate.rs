//! Checks a file as written ([`super::raw`]) and turns it into typed settings, collecting
//! every problem with its position instead of stopping at the first.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use meshward_signals::exported;
use meshward_signals::Dialect;

use super::error::Problem;
use super::raw::{
    problem_at, problem_at_location, problem_at_number, LabelMap, RawConfig, RawFileSdConfig,
    RawSpike, RawStaticConfig, Text,
};
use super::units::{format_duration, parse_duration, ByteSize};
use super::{Config, FileSdConfig, ScrapeSettings, SpikeSettings, TargetDefaults};
use crate::target::Target;

/// Default time between two scrapes of a target.
pub const DEFAULT_SCRAPE_INTERVAL: Duration = Duration::from_secs(15);
/// Default limit of one scrape, when it fits within the interval.
pub const DEFAULT_SCRAPE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default look-back of the ratio, quantile and spike gauges.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(300);
/// Default cap on a scraped body: large Envoy expositions run to a few MiB.
pub const DEFAULT_BODY_SIZE_LIMIT: ByteSize = ByteSize(50 << 20);
/// Default stat prefix of plain Envoy's inbound HTTP connection managers.
pub use crate::derive::DEFAULT_INBOUND_PREFIX;

/// Label names a user may not set: the exporter writes them itself.
const RESERVED_LABELS: [&str; 9] = [
    exported::TARGET,
    exported::MESH,
    exported::DIRECTION,
    exported::TLS,
    exported::CODE_CLASS,
    exported::REASON,
    exported::QUANTILE,
    exported::SIGNAL,
    exported::CERTIFICATE,
];

/// Meta label of a file_sd group overriding the metrics path of its targets.
pub const META_METRICS_PATH: &str = "__metrics_path__";
/// Meta label of a file_sd group naming the mesh of its targets.
pub const META_MESH: &str = "__mesh__";

/// Collects problems while reading values.
#[derive(Default)]
pub struct Checker {
    /// Every problem found so far.
    pub problems: Vec<Problem>,
}

impl Checker {
    fn note<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|problem| self.problems.push(problem)).ok()
    }
}

/// Checks a whole config file; `base` is the directory relative file_sd globs start from.
pub fn check_config(raw: RawConfig, base: &Path) -> Result<Config, Vec<Problem>> {
    let mut checker = Checker::default();
    let scrape = check_scrape_settings(&raw, &mut checker);
    let window = check_window(&raw, scrape.interval, &mut checker);

    let mut static_targets: Vec<Target> = Vec::new();
    let mut first_seen: BTreeMap<String, usize> = BTreeMap::new();
    for group in &raw.static_configs {
        for (target, text) in check_static_config(group, &mut checker) {
            let line = text.referenced.line() as usize;
            if let Some(first) = first_seen.insert(target.address.clone(), line) {
                let message = format!("target {} is listed twice", target.address);
                let hint = format!("it is already listed on line {first}");
                checker
                    .problems
                    .push(problem_at(&text, message).with_hint(hint));
                first_seen.insert(target.address.clone(), first);
                continue;
            }
            static_targets.push(target);
        }
    }

    let file_sd = raw
        .file_sd_configs
        .iter()
        .map(|c| check_file_sd(c, base, &mut checker));
    let file_sd: Vec<FileSdConfig> = file_sd.collect();
    let spike = raw
        .spike
        .as_ref()
        .map(|s| check_spike(s, &mut checker))
        .unwrap_or_default();

    if !checker.problems.is_empty() {
        return Err(checker.problems);
    }
    Ok(Config {
        scrape,
        window,
        static_targets,
        file_sd,
        spike,
    })
}

fn check_scrape_settings(raw: &RawConfig, checker: &mut Checker) -> ScrapeSettings {
    let interval = raw
        .scrape_interval
        .as_ref()
        .and_then(|text| checker.note(positive_duration(text)))
        .unwrap_or(DEFAULT_SCRAPE_INTERVAL);

    let timeout = match &raw.scrape_timeout {
        None => DEFAULT_SCRAPE_TIMEOUT.min(interval),
        Some(text) => {
            let timeout = checker.note(positive_duration(text)).unwrap_or(interval);
            if timeout > interval {
                let message = format!(
                    "scrape_timeout {} is longer than scrape_interval {}",
                    format_duration(timeout),
                    format_duration(interval)
                );
                let hint = "a scrape must end before the next one starts: \
                            lower scrape_timeout or raise scrape_interval";
                checker
                    .problems
                    .push(problem_at(text, message).with_hint(hint));
            }
            timeout
        }
    };

    let body_size_limit = match &raw.body_size_limit {
        None => DEFAULT_BODY_SIZE_LIMIT,
        Some(text) => checker
            .note(positive_size(text))
            .unwrap_or(DEFAULT_BODY_SIZE_LIMIT),
    };
    ScrapeSettings {
        interval,
        timeout,
        body_size_limit,
    }
}

fn check_window(raw: &RawConfig, interval: Duration, checker: &mut Checker) -> Duration {
    let Some(text) = &raw.window else {
        return DEFAULT_WINDOW.max(interval * 2);
    };
    let Some(window) = checker.note(positive_duration(text)) else {
        return DEFAULT_WINDOW;
    };
    if window < interval * 2 {
        let message = format!(
            "window {} holds fewer than two scrapes at scrape_interval {}",
            format_duration(window),
            format_duration(interval)
        );
        let hint = "a rate needs two scrapes: make window at least twice scrape_interval";
        checker
            .problems
            .push(problem_at(text, message).with_hint(hint));
    }
    window
}

fn check_spike(raw: &RawSpike, checker: &mut Checker) -> SpikeSettings {
    let mut spike = SpikeSettings::default();
    if let Some(factor) = &raw.factor {
        if factor.value.is_finite() && factor.value > 1.0 {
            spike.factor = factor.value;
        } else {
            let hint = "a spike is a window that many times its baseline, e.g. 3";
            let problem = problem_at_number(factor, "spike factor must be a number above 1");
            checker.problems.push(problem.with_hint(hint));
        }
    }
    if let Some(windows) = &raw.baseline_windows {
        if windows.value >= 1 {
            spike.baseline_windows = windows.value;
        } else {
            checker.problems.push(problem_at_number(
                windows,
                "baseline_windows must be at least 1",
            ));
        }
    }
    if let Some(windows) = &raw.warm_up_windows {
        spike.warm_up_windows = windows.value;
    }
    if spike.warm_up_windows > spike.baseline_windows {
        let at = raw.warm_up_windows.as_ref().map(|w| w.referenced);
        let at = at.or(raw.baseline_windows.as_ref().map(|w| w.referenced));
        if let Some(at) = at {
            let message = format!(
                "warm_up_windows {} exceeds baseline_windows {}",
                spike.warm_up_windows, spike.baseline_windows
            );
            let hint = "the baseline never holds more windows than baseline_windows";
            checker
                .problems
                .push(problem_at_location(&at, message).with_hint(hint));
        }
    }
    for (field, name, slot) in [
        (&raw.min_requests, "min_requests", &mut spike.min_requests),
        (
            &raw.error_ratio_floor,
            "error_ratio_floor",
            &mut spike.error_ratio_floor,
        ),
    ] {
        if let Some(number) = field {
            if number.value.is_finite() && number.value >= 0.0 {
                *slot = number.value;
            } else {
                let message = format!("{name} must be a number of at least 0");
                checker.problems.push(problem_at_number(number, message));
            }
        }
    }
    if spike.error_ratio_floor > 1.0 {
        if let Some(floor) = &raw.error_ratio_floor {
            let message = "error_ratio_floor is a share: at most 1";
            checker.problems.push(problem_at_number(floor, message));
        }
    }
    if let Some(text) = &raw.latency_floor {
        if let Some(floor) = checker.note(positive_duration(text)) {
            spike.latency_floor = floor;
        }
    }
    spike
}

fn positive_duration(text: &Text) -> Result<Duration, Problem> {
    let duration = parse_duration(&text.value).map_err(|e| problem_at(text, e.to_string()))?;
    if duration.is_zero() {
        return Err(problem_at(text, "must be longer than zero"));
    }
    Ok(duration)
}

fn positive_size(text: &Text) -> Result<ByteSize, Problem> {
    let size = ByteSize::parse(&text.value).map_err(|e| problem_at(text, e.to_string()))?;
    if size.0 == 0 {
        let hint = "every scrape needs a cap, so that a runaway target cannot exhaust memory";
        return Err(problem_at(text, "must be larger than zero").with_hint(hint));
    }
    Ok(size)
}

/// The targets of one static config, each with the text it came from.
fn check_static_config(raw: &RawStaticConfig, checker: &mut Checker) -> Vec<(Target, Text)> {
    let defaults = check_defaults(
        raw.mesh.as_ref(),
        raw.metrics_path.as_ref(),
        raw.scheme.as_ref(),
        raw.inbound_prefixes.as_deref(),
        checker,
    );
    let labels = check_labels(&raw.labels, false, checker);

    let mut targets = Vec::new();
    for text in &raw.targets {
        if let Some(address) = checker.note(check_address(text)) {
            let target = defaults.target(address, labels.clone());
            targets.push((target, text.clone()));
        }
    }
    targets
}

fn check_file_sd(raw: &RawFileSdConfig, base: &Path, checker: &mut Checker) -> FileSdConfig {
    let defaults = check_defaults(
        raw.mesh.as_ref(),
        raw.metrics_path.as_ref(),
        raw.scheme.as_ref(),
        raw.inbound_prefixes.as_deref(),
        checker,
    );
    let mut patterns = Vec::new();
    for text in &raw.files {
        if let Some(pattern) = checker.note(check_pattern(text, base)) {
            patterns.push(pattern);
        }
    }
    FileSdConfig { patterns, defaults }
}

fn check_pattern(text: &Text, base: &Path) -> Result<String, Problem> {
    let extension_ok = [".json", ".yml", ".yaml"]
        .iter()
        .any(|ext| text.value.ends_with(ext));
    if !extension_ok {
        let message = format!(
            "file pattern {:?} must end in .json, .yml or .yaml",
            text.value
        );
        let hint = "the extension tells how the files are read, e.g. targets/*.json";
        return Err(problem_at(text, message).with_hint(hint));
    }
    let path = base.join(&text.value);
    let pattern = path.to_string_lossy().into_owned();
    glob::Pattern::new(&pattern)
        .map_err(|e| problem_at(text, format!("invalid file pattern {:?}: {e}", text.value)))?;
    Ok(pattern)
}

/// Checks the per-target settings shared by a static config or a file_sd config.
pub fn check_defaults(
    mesh: Option<&Text>,
    metrics_path: Option<&Text>,
    scheme: Option<&Text>,
    inbound_prefixes: Option<&[Text]>,
    checker: &mut Checker,
) -> TargetDefaults {
    let dialect = mesh.and_then(|text| checker.note(check_mesh(text)));
    let metrics_path = metrics_path.and_then(|text| checker.note(check_metrics_path(text)));
    if let Some(text) = scheme {
        checker.note(check_scheme(text));
    }

    let mut prefixes = Vec::new();
    for text in inbound_prefixes.unwrap_or_default() {
        if text.value.is_empty() {
            checker
                .problems
                .push(problem_at(text, "an inbound prefix must not be empty"));
        } else {
            prefixes.push(text.value.clone());
        }
    }
    if inbound_prefixes.is_none() {
        prefixes.push(DEFAULT_INBOUND_PREFIX.to_owned());
    }
    TargetDefaults {
        dialect,
        metrics_path,
        inbound_prefixes: prefixes,
    }
}

/// Reads a `mesh` value.
pub fn check_mesh(text: &Text) -> Result<Dialect, Problem> {
    text.value.parse::<Dialect>().map_err(|e| {
        let hint = "leave `mesh` out to detect it from the exposition";
        problem_at(text, e.to_string()).with_hint(hint)
    })
}

/// Reads a `metrics_path`: an absolute path, optionally with a query.
pub fn check_metrics_path(text: &Text) -> Result<String, Problem> {
    let valid = text.value.starts_with('/')
        && text.value.parse::<http::uri::PathAndQuery>().is_ok()
        && !text.value.contains('#');
    if !valid {
        let message = format!("invalid metrics_path {:?}", text.value);
        let hint = "write an absolute path such as /stats/prometheus, optionally with ?query";
        return Err(problem_at(text, message).with_hint(hint));
    }
    Ok(text.value.clone())
}

fn check_scheme(text: &Text) -> Result<(), Problem> {
    match text.value.as_str() {
        "http" => Ok(()),
        // TODO: scraping over TLS needs a TLS client and settings for CA, client
        // certificate and server name; proxies' admin ports serve plain HTTP, so it waits.
        "https" => Err(problem_at(text, "scheme https is not supported yet")
            .with_hint("scrape the proxy's plain-HTTP admin or stats port")),
        other => Err(problem_at(text, format!("unknown scheme {other:?}"))
            .with_hint("the only scheme is http")),
    }
}

/// Reads a `host:port` target.
pub fn check_address(text: &Text) -> Result<String, Problem> {
    let value = text.value.as_str();
    if value.contains("://") || value.contains('/') {
        let message = format!("target {value:?} is not host:port");
        let hint = "write only host:port; set the path with metrics_path";
        return Err(problem_at(text, message).with_hint(hint));
    }
    let invalid = || {
        let message = format!("target {value:?} is not host:port");
        problem_at(text, message).with_hint("e.g. 10.0.0.7:15090 or [::1]:15090")
    };
    let (host, port) = value.rsplit_once(':').ok_or_else(invalid)?;
    let port: u16 = port.parse().map_err(|_| invalid())?;
    if port == 0 || !valid_host(host) {
        return Err(invalid());
    }
    Ok(value.to_owned())
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<std::net::Ipv6Addr>().is_ok();
    }
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    !host.is_empty()
        && host.split('.').all(|part| {
            !part.is_empty()
                && !part.starts_with('-')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Reads labels; with `meta`, names starting with `__` are allowed (file_sd meta labels).
pub fn check_labels(
    labels: &LabelMap,
    meta: bool,
    checker: &mut Checker,
) -> BTreeMap<String, String> {
    let mut checked = BTreeMap::new();
    for (name, value) in &labels.0 {
        let problem = label_name_problem(&name.value, meta);
        if let Some(problem) = problem {
            checker.problems.push(problem.relocate(name));
            continue;
        }
        checked.insert(name.value.clone(), value.value.clone());
    }
    checked
}

/// Why a label name is refused, as a problem to be placed on the name.
fn label_name_problem(name: &str, meta: bool) -> Option<LabelProblem> {
    let mut bytes = name.bytes();
    let valid = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return Some(LabelProblem {
            message: format!("invalid label name {name:?}"),
            hint: "a label name is letters, digits and _, not starting with a digit".into(),
        });
    }
    if name.starts_with("__") && !meta {
        return Some(LabelProblem {
            message: format!("label name {name:?} is reserved"),
            hint: "names starting with __ are for internal use".into(),
        });
    }
    if RESERVED_LABELS.contains(&name) {
        return Some(LabelProblem {
            message: format!("label name {name:?} is reserved"),
            hint: "the exporter sets this label itself on the series it serves".into(),
        });
    }
    None
}

struct LabelProblem {
    message: String,
    hint: String,
}

impl LabelProblem {
    fn relocate(self, name: &Text) -> Problem {
        problem_at(name, self.message).with_hint(self.hint)
    }
}
