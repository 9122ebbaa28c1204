//! Every panel query of every generated dashboard, run against a real Prometheus that loaded
//! the generated rules and scrapes moving traffic in the meshes' own metric formats.
//!
//! The built-in spec (`examples/mesh-security.yaml`) is compiled with the library; the rule
//! files go to a Prometheus on a free loopback port with a temporary storage directory; an
//! in-test HTTP server serves a synthetic exposition whose counters grow with time. Once the
//! recording rules have produced their series, each panel's expression (variables substituted
//! as Grafana would, "All" for the namespace and service) must succeed and return data.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use meshward_e2e::cargo::workspace_root;
use meshward_e2e::prometheus::{Config, Prometheus};
use meshward_e2e::{pause, require};
use meshward_rulegen::dashboard::expr::substitute;
use meshward_rulegen::dashboard::generate::dashboards;
use meshward_rulegen::dashboard::invariants::label_values_parts;
use meshward_rulegen::dashboard::model::{Dashboard, PanelKind, VariableQuery};
use meshward_rulegen::emit;
use meshward_rulegen::generate::{compile, Compiled};
use meshward_rulegen::spec::model::{Mesh, Spec};
use meshward_rulegen::units::PromDuration;
use meshward_signals::{exported, istio};

/// The spec whose dashboards the repository ships.
const SPEC: &str = "examples/mesh-security.yaml";
/// How often Prometheus scrapes and evaluates in this test.
const TICK: Duration = Duration::from_secs(1);
/// How long to wait for each step before giving up.
const PATIENCE: Duration = Duration::from_secs(30);

fn compiled_spec() -> (Spec, Compiled) {
    let path = workspace_root().join(SPEC);
    let spec = meshward_rulegen::spec::load(&[path]).unwrap_or_else(|d| panic!("{d:#?}"));
    let compiled = compile(&spec).unwrap_or_else(|d| panic!("{d:#?}"));
    (spec, compiled)
}

// === the synthetic exposition ===

/// Per second, per service: requests by mTLS and outcome, as shares of [`RATE`].
const RATE: f64 = 20.0;
const MUTUAL_SHARE: f64 = 0.95;
const ERROR_SHARE: f64 = 0.02;
const DENIED_SHARE: f64 = 0.03;
/// Latency histogram: cumulative share of requests at or below each bound (milliseconds).
const BUCKETS_MS: [(f64, f64); 5] = [
    (50.0, 0.5),
    (100.0, 0.8),
    (250.0, 0.95),
    (500.0, 0.99),
    (1000.0, 1.0),
];
/// Certificates expire this long after the test starts.
const CERTIFICATE_LIFETIME: f64 = 10.0 * 86_400.0;

/// One series of the exposition: name, labels, and its value after `elapsed` seconds.
struct Series {
    name: String,
    labels: Vec<(String, String)>,
    value: Box<dyn Fn(f64) -> f64 + Send + Sync>,
}

fn series(
    name: &str,
    labels: &[(&str, &str)],
    value: impl Fn(f64) -> f64 + Send + Sync + 'static,
) -> Series {
    Series {
        name: name.to_owned(),
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        value: Box::new(value),
    }
}

fn counter(share: f64) -> impl Fn(f64) -> f64 + Send + Sync + 'static {
    // Not rounded: every counter is then the same multiple of elapsed time, so Prometheus'
    // rate extrapolation treats them alike and their ratios come out exact.
    move |elapsed| RATE * share * elapsed
}

/// What a meshward-exporter serves for one workload.
fn meshward_series(namespace: &str, workload: &str, started: f64) -> Vec<Series> {
    let base = [
        (exported::NAMESPACE, namespace),
        (exported::WORKLOAD, workload),
        (exported::MESH, "istio"),
    ];
    let mut out = Vec::new();
    for (tls, tls_share) in [("mutual", MUTUAL_SHARE), ("none", 1.0 - MUTUAL_SHARE)] {
        for (class, class_share) in [
            ("2xx", 1.0 - ERROR_SHARE - DENIED_SHARE),
            ("4xx", DENIED_SHARE),
            ("5xx", ERROR_SHARE),
        ] {
            let mut labels = base.to_vec();
            labels.extend([
                (exported::DIRECTION, "inbound"),
                (exported::TLS, tls),
                (exported::CODE_CLASS, class),
            ]);
            out.push(series(
                exported::REQUESTS_TOTAL,
                &labels,
                counter(tls_share * class_share),
            ));
        }
    }
    for (reason, share) in [
        ("authz_denied", DENIED_SHARE),
        ("authn_failed", 0.01),
        ("tls_handshake_failed", 0.005),
    ] {
        let mut labels = base.to_vec();
        labels.push((exported::REASON, reason));
        out.push(series(
            exported::AUTH_FAILURES_TOTAL,
            &labels,
            counter(share),
        ));
    }
    for (quantile, seconds) in [("0.5", 0.05), ("0.9", 0.2), ("0.99", 0.45)] {
        let mut labels = base.to_vec();
        labels.push((exported::QUANTILE, quantile));
        out.push(series(exported::LATENCY_SECONDS, &labels, move |_| seconds));
    }
    let mut labels = base.to_vec();
    labels.push((exported::CERTIFICATE, "default"));
    out.push(series(
        exported::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS,
        &labels,
        move |_| started + CERTIFICATE_LIFETIME,
    ));
    out
}

/// What an Istio sidecar serves for one destination workload: standard request metrics and
/// the Envoy certificate gauge, with the pod labels the spec's selectors name.
fn istio_series(spec: &Spec, namespace: &str, workload: &str, started: f64) -> Vec<Series> {
    let dest = [
        (istio::REPORTER, istio::REPORTER_DESTINATION),
        (istio::DESTINATION_WORKLOAD_NAMESPACE, namespace),
        (istio::DESTINATION_WORKLOAD, workload),
    ];
    let mut out = Vec::new();
    for (policy, tls_share) in [
        (istio::MUTUAL_TLS, MUTUAL_SHARE),
        ("none", 1.0 - MUTUAL_SHARE),
    ] {
        for (code, share) in [
            ("200", 1.0 - ERROR_SHARE - DENIED_SHARE),
            ("403", DENIED_SHARE),
            ("503", ERROR_SHARE),
        ] {
            let mut labels = dest.to_vec();
            labels.extend([
                (istio::CONNECTION_SECURITY_POLICY, policy),
                (istio::RESPONSE_CODE, code),
            ]);
            out.push(series(
                istio::REQUESTS_TOTAL,
                &labels,
                counter(tls_share * share),
            ));
        }
    }
    let bucket = format!("{}_bucket", istio::REQUEST_DURATION_MILLISECONDS);
    for (bound, share) in BUCKETS_MS
        .iter()
        .map(|(b, s)| (b.to_string(), *s))
        .chain([("+Inf".to_owned(), 1.0)])
    {
        let mut labels = dest.to_vec();
        labels.push(("le", &bound));
        out.push(series(&bucket, &labels, counter(share)));
    }
    let scraped = &spec.selectors.istio;
    out.push(series(
        "envoy_listener_ssl_certificate_expiration_unix_time_seconds",
        &[
            ("envoy_listener_address", "0.0.0.0_15006"),
            (&scraped.namespace, namespace),
            (&scraped.workload, workload),
        ],
        move |_| started + CERTIFICATE_LIFETIME,
    ));
    out
}

fn exposition(all: &[Series], elapsed: f64) -> String {
    let mut text = String::new();
    for s in all {
        let labels: Vec<String> = s
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        text.push_str(&format!(
            "{}{{{}}} {}\n",
            s.name,
            labels.join(","),
            (s.value)(elapsed)
        ));
    }
    text
}

/// Serves the exposition on a loopback port until `stop` is set.
fn serve(all: Vec<Series>, stop: Arc<AtomicBool>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let start = Instant::now();
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request);
                    let body = exposition(&all, start.elapsed().as_secs_f64());
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                Err(_) => pause(Duration::from_millis(20)),
            }
        }
    });
    addr
}

// === Prometheus ===

/// The rule files, every group evaluated every [`TICK`] instead of the spec's interval, so the
/// test does not wait a minute for the first evaluation.
fn fast_rule_files(compiled: &Compiled, dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for (name, file) in &compiled.rule_files {
        let mut file = file.clone();
        for group in &mut file.groups {
            group.interval = Some(PromDuration::from_millis(TICK.as_millis() as u64));
        }
        let path = dir.join(name);
        let text = emit::rules::document(compiled, &emit::rules::groups_node(&file));
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    paths
}

/// Runs an instant query; `Ok(series)` on success.
fn query(prometheus: &Prometheus, expr: &str) -> Result<usize, String> {
    prometheus
        .query(expr)
        .map(|samples| samples.len())
        .map_err(|e| e.to_string())
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Runs a range query over the last `span` seconds at a one-second step, as a time series
/// panel does; the number of series with points on success.
fn query_range(prometheus: &Prometheus, expr: &str, span: f64) -> Result<usize, String> {
    let end = now();
    let series = prometheus
        .query_range(expr, end - span, end, Duration::from_secs(1))
        .map_err(|e| e.to_string())?;
    Ok(series.iter().filter(|s| !s.points.is_empty()).count())
}

/// What Grafana asks Prometheus for a `label_values(selector, label)` variable: the label's
/// values on the series the selector matches; the number of values on success.
fn label_values(prometheus: &Prometheus, selector: &str, label: &str) -> Result<usize, String> {
    prometheus
        .label_values(label, selector, now() - 600.0)
        .map(|values| values.len())
        .map_err(|e| e.to_string())
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !ready() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        pause(Duration::from_millis(250));
    }
}

// === the test ===

/// The panel expression as Grafana would send it with "All" chosen for every variable.
fn as_grafana_sends(expr: &str, dashboard: &Dashboard) -> String {
    let mut values = BTreeMap::new();
    for variable in &dashboard.templating.list {
        if let Some(all) = &variable.all_value {
            values.insert(variable.name.as_str(), all.as_str());
        }
    }
    substitute(expr, &values)
}

#[test]
fn every_panel_query_runs_against_prometheus_and_returns_data() {
    let Some(program) = require("prometheus") else {
        return;
    };
    let (spec, compiled) = compiled_spec();
    let started = now();
    let mut all = Vec::new();
    for service in &spec.services {
        match service.mesh {
            Mesh::Meshward => all.extend(meshward_series(
                &service.namespace,
                &service.workload,
                started,
            )),
            Mesh::Istio => all.extend(istio_series(
                &spec,
                &service.namespace,
                &service.workload,
                started,
            )),
            other => panic!("the synthetic exposition has no {other} series yet: extend this test"),
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let target = serve(all, stop.clone());
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        interval: TICK,
        scrape_targets: vec![("mesh".to_owned(), target)],
        rule_files: fast_rule_files(&compiled, dir.path()),
        alertmanagers: Vec::new(),
    };
    let prometheus = Prometheus::start(&program, dir.path(), &config).expect("start prometheus");

    wait_for("three scrapes of the target", || {
        query(&prometheus, "count_over_time(up{job=\"mesh\"}[1m]) >= 3").is_ok_and(|n| n > 0)
    });
    // Every recording rule of every service has produced a series.
    let records: Vec<String> = compiled
        .catalogue
        .recording_rules
        .iter()
        .map(|r| r.selector.clone())
        .collect();
    wait_for("every recorded series", || {
        records
            .iter()
            .all(|selector| query(&prometheus, selector).is_ok_and(|n| n > 0))
    });
    // Give ratios built on ratios one more evaluation.
    pause(TICK * 2);

    let mut failures = Vec::new();
    let mut ran = 0;
    for file in dashboards(&compiled) {
        for variable in &file.dashboard.templating.list {
            let VariableQuery::Prometheus(query) = &variable.query else {
                continue;
            };
            let (selector, label) = label_values_parts(&query.query).expect("label_values");
            let selector = as_grafana_sends(selector, &file.dashboard);
            ran += 1;
            let what = format!("{} / variable {}", file.file_name, variable.name);
            match label_values(&prometheus, &selector, label) {
                Err(error) => failures.push(format!("{what}: query failed: {error}")),
                Ok(0) => failures.push(format!("{what}: no values for {selector}")),
                Ok(_) => {}
            }
        }
        for panel in &file.dashboard.panels {
            for target in &panel.targets {
                let expr = as_grafana_sends(&target.expr, &file.dashboard);
                let result = if panel.kind == PanelKind::Table || target.instant {
                    query(&prometheus, &expr)
                } else {
                    query_range(&prometheus, &expr, 20.0)
                };
                ran += 1;
                let what = format!("{} / {} / {}", file.file_name, panel.title, target.ref_id);
                match result {
                    Err(error) => failures.push(format!("{what}: query failed: {error}\n  {expr}")),
                    Ok(0) => failures.push(format!("{what}: no data\n  {expr}")),
                    Ok(_) => {}
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    assert!(
        failures.is_empty(),
        "{} of {ran} panel and variable queries failed:\n{}\nPrometheus log:\n{}",
        failures.len(),
        failures.join("\n"),
        prometheus.log_tail()
    );
    assert!(ran > 20, "only {ran} queries");
    eprintln!("{ran} panel and variable queries succeeded with data");

    // The numbers are the traffic's: the mTLS share is what the exposition sends.
    let mtls = prometheus
        .query("min(namespace_service:meshward_mtls_requests:ratio_rate5m)")
        .unwrap();
    let value = mtls[0].value;
    assert!((value - MUTUAL_SHARE).abs() < 0.005, "mTLS share {value}");
}
