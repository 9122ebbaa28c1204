//! The two halves of meshward working together, with the real thing at every step:
//!
//! ```text
//! traffic ─▶ Envoy sidecars ─▶ meshward-exporter ─▶ Prometheus ─▶ Alertmanager ─▶ webhook
//!                                                   ▲ rules from `meshward generate`
//! ```
//!
//! Two real Envoy sidecars (mutual TLS with a required client certificate, an RBAC policy,
//! ext_authz, jwt_authn, and a plaintext listener) are scraped by the real exporter binary;
//! the real `meshward generate` compiles `testdata/e2e/shop.yaml` (a strict-mTLS service with
//! an authorization budget, `mesh: meshward`) into rule files; the real Prometheus scrapes the
//! exporter, evaluates those rules every second and alerts the real Alertmanager, whose
//! webhook is a receiver in this test.
//!
//! 1. Only mutual-TLS, allowed traffic: the recording rules hold exactly the values the
//!    traffic implies (mTLS share 1, no plaintext, no denials, the server certificate's
//!    expiry) and no meshward alert is ever pending or firing.
//! 2. Plaintext, RBAC-denied, ext_authz-denied and unauthenticated requests, and a handshake
//!    without a client certificate: the recorded shares are exactly 16/20 over mutual TLS and
//!    4/20 denied; `MeshwardMtlsAdoptionLow`, `MeshwardPlaintextTraffic` and
//!    `MeshwardAuthzDenialsHigh` fire in Prometheus with exactly the spec's labels and their
//!    annotations rendered, and reach the webhook through Alertmanager.
//!
//! Why the shares are exact and not approximate: every counter's first sample in Prometheus is
//! 0 (Prometheus reads the exporter before any traffic), and all of them come from the same
//! scrapes, so `rate()` extrapolates every series of the service by the same factor and a
//! ratio of rates is a ratio of request counts.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use meshward_e2e::alertmanager::{Alertmanager, Routing};
use meshward_e2e::cargo::workspace_root;
use meshward_e2e::certs::not_after_unix;
use meshward_e2e::daemon::Daemon;
use meshward_e2e::humanize::parse_humanized;
use meshward_e2e::mesh::{Mesh, Traffic};
use meshward_e2e::prometheus::{self, Prometheus};
use meshward_e2e::webhook::Webhook;
use meshward_e2e::{cargo_bin, exporter, pause, require};
use meshward_rulegen::generate::unittest::humanize::{humanize, humanize_percentage};
use meshward_signals::exported::{self, AuthFailureReason, Direction, Tls};
use meshward_signals::rules as names;

/// The spec under test, relative to the repository root.
const SPEC: &str = "testdata/e2e/shop.yaml";
/// The spec's service, and where its sidecar runs (the exporter's target labels).
const SERVICE: &str = "checkout";
const NAMESPACE: &str = "shop";
const WORKLOAD: &str = "checkout-v1";
/// The client-side sidecar's workload: its traffic must not count for the service.
const NEIGHBOUR: &str = "frontend";
/// The spec's `labels`, which every alert must carry.
const SPEC_LABELS: [(&str, &str); 2] = [("env", "e2e"), ("team", "shop-sre")];
/// The rate window the generator picks for a 1s scrape interval (its minimum, 5m).
const WINDOW: &str = "5m";
/// Scrape and evaluation interval of the exporter and of Prometheus.
const TICK: Duration = Duration::from_secs(1);
/// The longest wait for any one step.
const PATIENCE: Duration = Duration::from_secs(30);
/// How far a recorded share may be from the exact one (floating-point rounding only).
const TOLERANCE: f64 = 1e-9;

/// Phase 1: only allowed mutual-TLS requests.
const CLEAN: Traffic = Traffic {
    allowed: 11,
    rbac_denied: 0,
    ext_authz_denied: 0,
    jwt_missing: 0,
    plaintext: 0,
    handshakes_without_cert: 0,
    ..Traffic::NONE
};

/// Phase 2: with phase 1, 20 requests of which 16 over mutual TLS (80% < 90%), 4 plaintext,
/// and 4 denied (20% > 10%).
const HOSTILE: Traffic = Traffic {
    allowed: 0,
    rbac_denied: 3,
    ext_authz_denied: 1,
    jwt_missing: 1,
    plaintext: 4,
    handshakes_without_cert: 1,
    ..Traffic::NONE
};

/// Everything the test started; dropped (and so stopped) at the end of the test.
struct Stack {
    mesh: Mesh,
    exporter: Daemon,
    webhook: Webhook,
    alertmanager: Alertmanager,
    prometheus: Prometheus,
    rule_file: PathBuf,
}

#[test]
fn generated_rules_alert_through_prometheus_and_alertmanager_on_real_mesh_traffic() {
    let started = Instant::now();
    let mut binaries = Vec::new();
    for program in ["envoy", "openssl", "prometheus", "prometheus-alertmanager"] {
        match require(program) {
            Some(path) => binaries.push(path),
            None => return,
        }
    }
    let (envoy, prometheus, alertmanager) = (&binaries[0], &binaries[2], &binaries[3]);
    let meshward = cargo_bin("meshward").expect("build meshward");
    let exporter = cargo_bin("meshward-exporter").expect("build meshward-exporter");
    let built = started.elapsed();

    let dir = tempfile::tempdir().expect("temporary directory");
    let stack = Stack::start(
        dir.path(),
        envoy,
        &meshward,
        &exporter,
        prometheus,
        alertmanager,
    );
    let ran = Instant::now();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| run(&stack)));
    if let Err(failure) = outcome {
        eprintln!("{}", stack.logs());
        panic::resume_unwind(failure);
    }
    eprintln!(
        "alerting end to end: binaries ready in {built:.1?}, stack started in {:.1?}, \
         scenario ran in {:.1?}",
        ran.duration_since(started) - built,
        ran.elapsed()
    );
}

fn run(stack: &Stack) {
    stack.await_baseline();

    // --- Phase 1: every request over mutual TLS and allowed.
    stack.mesh.send(CLEAN);
    stack.await_counts(CLEAN);
    stack.await_rules_caught_up();
    stack.assert_clean_records(CLEAN);
    stack.assert_quiet_for(3 * TICK);
    eprintln!(
        "phase 1: {} requests, all over mutual TLS: recorded shares exact, no alert",
        CLEAN.inbound()
    );

    // --- Phase 2: plaintext and denied requests.
    let sending = Instant::now();
    stack.mesh.send(HOSTILE);
    let sent_in = sending.elapsed();
    // The `for` of the alerts (5s) covers the pipeline's delay (exporter scrape, Prometheus
    // scrape, evaluation: 3 ticks) only if the traffic arrives within 2 ticks; otherwise an
    // alert could fire, and be notified, on a share of partial traffic.
    assert!(
        sent_in < 2 * TICK,
        "phase 2 took {sent_in:?} to send; alerts could fire on partial traffic"
    );
    let all = CLEAN.plus(HOSTILE);
    stack.await_counts(all);
    stack.await_rules_caught_up();
    stack.assert_hostile_records(all);

    let alerts = stack.await_firing();
    let fired = sending.elapsed();
    assert_prometheus_alerts(&alerts, all);
    stack.assert_for_was_honoured();
    stack.assert_delivered(all);
    eprintln!(
        "phase 2: sent in {sent_in:.1?}; of {} requests {} over mutual TLS and {} denied, \
         exactly; three alerts firing after {fired:.1?}, all at the webhook after {:.1?}",
        all.inbound(),
        all.mutual(),
        all.denied(),
        sending.elapsed()
    );
}

// === Starting the stack ===

impl Stack {
    fn start(
        dir: &Path,
        envoy: &Path,
        meshward: &Path,
        exporter_binary: &Path,
        prometheus: &Path,
        alertmanager: &Path,
    ) -> Stack {
        let rule_file = generate(meshward, &dir.join("rules"));
        let mesh = Mesh::start(envoy, dir).expect("start the Envoy mesh");
        let exporter = exporter::start(exporter_binary, dir, &exporter_config(&mesh))
            .expect("start meshward-exporter");
        let webhook = Webhook::start().expect("start the webhook receiver");
        let routing = Routing {
            group_by: vec![
                "alertname".to_owned(),
                names::NAMESPACE.to_owned(),
                names::SERVICE.to_owned(),
            ],
            group_wait: TICK,
            group_interval: TICK,
            webhook: webhook.url(),
        };
        let alertmanager =
            Alertmanager::start(alertmanager, dir, &routing).expect("start Alertmanager");
        let config = prometheus::Config {
            interval: TICK,
            scrape_targets: vec![("meshward-exporter".to_owned(), exporter.listen())],
            rule_files: vec![rule_file.clone()],
            alertmanagers: vec![alertmanager.listen()],
        };
        let prometheus = Prometheus::start(prometheus, dir, &config).expect("start Prometheus");
        Stack {
            mesh,
            exporter,
            webhook,
            alertmanager,
            prometheus,
            rule_file,
        }
    }

    /// The tails of every server's log.
    fn logs(&self) -> String {
        [
            self.prometheus.log_tail(),
            self.alertmanager.log_tail(),
            self.exporter.log_tail(),
        ]
        .join("\n")
    }
}

/// Runs `meshward generate` on the spec into `out`; returns the one rule file it wrote.
fn generate(meshward: &Path, out: &Path) -> PathBuf {
    let spec = workspace_root().join(SPEC);
    let output = Command::new(meshward)
        .arg("generate")
        .arg(&spec)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run meshward generate");
    assert!(
        output.status.success(),
        "meshward generate {} failed ({}):\n{}{}",
        spec.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut rule_files: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap_or_else(|e| panic!("meshward generate wrote no {}: {e}", out.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.ends_with(".rules.yaml")
        })
        .collect();
    assert_eq!(
        rule_files.len(),
        1,
        "one rule file from one spec: {rule_files:?}"
    );
    rule_files.remove(0)
}

fn exporter_config(mesh: &Mesh) -> String {
    format!(
        r#"scrape_interval: 1s
scrape_timeout: 1s
window: 10s
static_configs:
  - targets: ["{service}"]
    labels: {{namespace: {NAMESPACE}, workload: {WORKLOAD}}}
    mesh: envoy
  - targets: ["{neighbour}"]
    labels: {{namespace: {NAMESPACE}, workload: {NEIGHBOUR}}}
    mesh: envoy
"#,
        service = mesh.a.admin(),
        neighbour = mesh.b.admin(),
    )
}

// === Reading Prometheus ===

/// A selector of the service's raw exporter series.
fn raw(metric: &str, extra: &[(&str, &str)]) -> String {
    let mut matchers = vec![
        format!("{}=\"{NAMESPACE}\"", exported::NAMESPACE),
        format!("{}=\"{WORKLOAD}\"", exported::WORKLOAD),
    ];
    matchers.extend(extra.iter().map(|(k, v)| format!("{k}=\"{v}\"")));
    format!("{metric}{{{}}}", matchers.join(","))
}

/// A selector of one of the service's recorded series, named `namespace_service:<metric>:<op>`.
fn recorded(metric: &str, operation: &str) -> String {
    format!(
        "{}:{metric}:{operation}{{{}=\"{NAMESPACE}\",{}=\"{SERVICE}\"}}",
        names::LEVEL_SERVICE,
        names::NAMESPACE,
        names::SERVICE
    )
}

fn rate_record(metric: &str) -> String {
    recorded(metric, &format!("{}{WINDOW}", names::OP_RATE))
}

fn ratio_record(metric: &str) -> String {
    recorded(metric, &format!("{}{WINDOW}", names::OP_RATIO_RATE))
}

fn certificate_record() -> String {
    recorded(names::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS, names::OP_MIN)
}

impl Stack {
    /// Polls `check` until it returns `Ok`, or fails with its last complaint after
    /// [`PATIENCE`].
    fn wait_for<T>(&self, what: &str, mut check: impl FnMut(&Stack) -> Result<T, String>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match check(self) {
                Ok(value) => return value,
                Err(why) if Instant::now() >= deadline => {
                    panic!("gave up after {PATIENCE:?} waiting for {what}: {why}")
                }
                Err(_) => pause(Duration::from_millis(200)),
            }
        }
    }

    /// The single value of `expr`, `None` when the result is empty.
    fn value(&self, expr: &str) -> Result<Option<f64>, String> {
        let samples = self.prometheus.query(expr).map_err(|e| e.to_string())?;
        match samples.as_slice() {
            [] => Ok(None),
            [sample] => Ok(Some(sample.value)),
            _ => Err(format!("{expr} gave {} series: {samples:?}", samples.len())),
        }
    }

    /// The value of `expr`, failing the test when it is absent.
    fn present(&self, expr: &str) -> f64 {
        self.value(expr)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("{expr} has no value"))
    }

    /// The exporter is scraped, the service's counters are in Prometheus at 0, and every
    /// generated rule is loaded.
    fn await_baseline(&self) {
        let requests = exported::REQUESTS_TOTAL;
        let failures = exported::AUTH_FAILURES_TOTAL;
        self.wait_for("Prometheus to hold the service's counters", |stack| {
            let series = stack
                .prometheus
                .query(&raw(requests, &[(exported::DIRECTION, "inbound")]))
                .map_err(|e| e.to_string())?;
            let reasons = stack
                .prometheus
                .query(&raw(failures, &[]))
                .map_err(|e| e.to_string())?;
            // Both TLS modes by five status classes; four failure reasons.
            if series.len() < 10 || reasons.len() < 4 {
                return Err(format!(
                    "{} request and {} failure series so far",
                    series.len(),
                    reasons.len()
                ));
            }
            Ok(())
        });
        for expr in [
            format!("sum({})", raw(requests, &[])),
            format!("sum({})", raw(failures, &[])),
        ] {
            assert_eq!(self.present(&expr), 0.0, "{expr} before any traffic");
        }

        let rules = self.prometheus.rules().expect("GET /api/v1/rules");
        let loaded: BTreeSet<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        for name in [
            names::ALERT_MTLS_ADOPTION_LOW,
            names::ALERT_PLAINTEXT_TRAFFIC,
            names::ALERT_AUTHZ_DENIALS_HIGH,
            names::ALERT_CERTIFICATE_EXPIRING,
        ] {
            assert!(
                loaded.contains(name),
                "{name} not loaded from {}: {loaded:?}",
                self.rule_file.display()
            );
        }
    }

    /// Prometheus' raw counters equal what `traffic` implies, for the service and its
    /// neighbour.
    fn await_counts(&self, traffic: Traffic) {
        let inbound = Direction::Inbound.as_str();
        let outbound = Direction::Outbound.as_str();
        let expected: Vec<(String, u32)> = vec![
            (
                raw(exported::REQUESTS_TOTAL, &[(exported::DIRECTION, inbound)]),
                traffic.inbound(),
            ),
            (
                raw(
                    exported::REQUESTS_TOTAL,
                    &[
                        (exported::DIRECTION, inbound),
                        (exported::TLS, Tls::Mutual.as_str()),
                    ],
                ),
                traffic.mutual(),
            ),
            (
                raw(
                    exported::REQUESTS_TOTAL,
                    &[
                        (exported::DIRECTION, inbound),
                        (exported::TLS, Tls::None.as_str()),
                    ],
                ),
                traffic.plaintext,
            ),
            (
                failure_series(AuthFailureReason::AuthzDenied),
                traffic.rbac_denied,
            ),
            (
                failure_series(AuthFailureReason::ExtAuthzDenied),
                traffic.ext_authz_denied,
            ),
            (
                failure_series(AuthFailureReason::AuthnFailed),
                traffic.jwt_missing,
            ),
            (
                failure_series(AuthFailureReason::TlsHandshakeFailed),
                traffic.handshakes_without_cert,
            ),
            (
                format!(
                    "{}{{{}=\"{NEIGHBOUR}\",{}=\"{outbound}\"}}",
                    exported::REQUESTS_TOTAL,
                    exported::WORKLOAD,
                    exported::DIRECTION
                ),
                traffic.mutual(),
            ),
        ];
        self.wait_for("the exporter's counters in Prometheus", |stack| {
            for (series, count) in &expected {
                let expr = format!("sum({series})");
                let value = stack.value(&expr)?;
                if value != Some(f64::from(*count)) {
                    return Err(format!("{expr} is {value:?}, expected {count}"));
                }
            }
            Ok(())
        });
    }

    /// Waits until the recording rules have been evaluated on the latest raw samples.
    fn await_rules_caught_up(&self) {
        let latest_raw = format!("max(timestamp({}))", raw(exported::REQUESTS_TOTAL, &[]));
        let raw_at = self.present(&latest_raw);
        // One group holds every record of the service, so they are all evaluated together.
        let recorded_at = format!("timestamp({})", rate_record(names::REQUESTS));
        self.wait_for("the recording rules to catch up", |stack| {
            // A whole tick later, so the scrape at `raw_at` was surely stored when they ran.
            let at = stack.value(&recorded_at)?.unwrap_or(0.0);
            if at >= raw_at + TICK.as_secs_f64() {
                Ok(())
            } else {
                Err(format!(
                    "records evaluated at {at}, raw samples at {raw_at}"
                ))
            }
        });
    }

    /// Phase 1: the records hold exactly what mutual-TLS-only, allowed traffic implies.
    fn assert_clean_records(&self, traffic: Traffic) {
        assert_eq!(traffic.inbound(), traffic.mutual());
        let total = self.present(&rate_record(names::REQUESTS));
        assert!(total > 0.0, "inbound request rate {total}");
        for (expr, expected) in [
            (ratio_record(names::MTLS_REQUESTS), 1.0),
            (rate_record(names::PLAINTEXT_REQUESTS), 0.0),
            (rate_record(names::DENIED_REQUESTS), 0.0),
            (ratio_record(names::DENIED_REQUESTS), 0.0),
        ] {
            assert_eq!(self.present(&expr), expected, "{expr}");
        }
        assert_eq!(
            self.present(&rate_record(names::MTLS_REQUESTS)),
            total,
            "every request is over mutual TLS"
        );

        let server = not_after_unix(&self.mesh.pki.server_cert).expect("server notAfter");
        let ca = not_after_unix(&self.mesh.pki.ca).expect("CA notAfter");
        assert_eq!(
            self.present(&certificate_record()),
            server.min(ca) as f64,
            "the earliest expiry among the service's certificates"
        );

        for rule in self.prometheus.rules().expect("GET /api/v1/rules") {
            assert_eq!(
                (rule.health.as_str(), rule.last_error.as_str()),
                ("ok", ""),
                "rule {} in {}",
                rule.name,
                rule.group
            );
        }
    }

    /// No meshward alert is pending or firing now, during `hold`, or ever before.
    fn assert_quiet_for(&self, hold: Duration) {
        let until = Instant::now() + hold;
        while Instant::now() < until {
            let alerts = self.prometheus.alerts().expect("GET /api/v1/alerts");
            let meshward: Vec<_> = alerts
                .iter()
                .filter(|a| a.name().starts_with("Meshward"))
                .collect();
            assert!(meshward.is_empty(), "alerts without cause: {meshward:#?}");
            pause(Duration::from_millis(250));
        }
        let history = "count_over_time(ALERTS{alertname=~\"Meshward.+\"}[1h])";
        let ever = self.prometheus.query(history).expect("query ALERTS");
        assert!(ever.is_empty(), "an alert was active before: {ever:?}");
        let held = self.alertmanager.alerts().expect("GET /api/v2/alerts");
        assert!(held.is_empty(), "Alertmanager holds {held:?}");
        assert!(
            self.webhook.posts().is_empty(),
            "{:?}",
            self.webhook.posts()
        );
    }

    /// Phase 2: the shares are exact; the plaintext rate is what the counts imply.
    fn assert_hostile_records(&self, traffic: Traffic) {
        let inbound = f64::from(traffic.inbound());
        let mtls = f64::from(traffic.mutual()) / inbound;
        let denied = f64::from(traffic.denied()) / inbound;
        let plaintext = f64::from(traffic.plaintext) / inbound;
        let total = self.present(&rate_record(names::REQUESTS));
        assert!(total > 0.0, "inbound request rate {total}");
        for (what, actual, expected) in [
            (
                ratio_record(names::MTLS_REQUESTS),
                self.present(&ratio_record(names::MTLS_REQUESTS)),
                mtls,
            ),
            (
                ratio_record(names::DENIED_REQUESTS),
                self.present(&ratio_record(names::DENIED_REQUESTS)),
                denied,
            ),
            (
                format!("{} / total", rate_record(names::PLAINTEXT_REQUESTS)),
                self.present(&rate_record(names::PLAINTEXT_REQUESTS)) / total,
                plaintext,
            ),
            (
                format!("{} / total", rate_record(names::DENIED_REQUESTS)),
                self.present(&rate_record(names::DENIED_REQUESTS)) / total,
                denied,
            ),
        ] {
            assert!(
                (actual - expected).abs() <= TOLERANCE,
                "{what} is {actual}, the traffic implies {expected}"
            );
        }
    }

    /// Waits until exactly the three expected alerts fire, with their final values.
    fn await_firing(&self) -> Vec<prometheus::Alert> {
        let expected: BTreeSet<&str> = [
            names::ALERT_AUTHZ_DENIALS_HIGH,
            names::ALERT_MTLS_ADOPTION_LOW,
            names::ALERT_PLAINTEXT_TRAFFIC,
        ]
        .into();
        self.wait_for("the alerts to fire", |stack| {
            let alerts = stack.prometheus.alerts().map_err(|e| e.to_string())?;
            let meshward: Vec<_> = alerts
                .into_iter()
                .filter(|a| a.name().starts_with("Meshward"))
                .collect();
            let firing: BTreeSet<&str> = meshward
                .iter()
                .filter(|a| a.state == "firing")
                .map(|a| a.name())
                .collect();
            if firing != expected || meshward.len() != expected.len() {
                return Err(format!("active: {meshward:#?}"));
            }
            Ok(meshward)
        })
    }

    /// Alerts with a `for` were pending before they fired; the one without fired at once.
    fn assert_for_was_honoured(&self) {
        let pending = |alert: &str| {
            let expr = format!(
                "count_over_time(ALERTS{{alertname=\"{alert}\",alertstate=\"pending\"}}[1h])"
            );
            self.value(&expr).unwrap_or_else(|e| panic!("{e}"))
        };
        for alert in [
            names::ALERT_MTLS_ADOPTION_LOW,
            names::ALERT_AUTHZ_DENIALS_HIGH,
        ] {
            assert!(
                pending(alert).is_some_and(|n| n >= 1.0),
                "{alert} has `for: 5s` but was never pending"
            );
        }
        assert_eq!(
            pending(names::ALERT_PLAINTEXT_TRAFFIC),
            None,
            "MeshwardPlaintextTraffic has no `for`: it fires on its first evaluation"
        );
    }

    /// The webhook got each firing alert from Alertmanager, one group per alert, with the
    /// labels and annotations Prometheus sent.
    fn assert_delivered(&self, traffic: Traffic) {
        let posts = self.wait_for("the webhook to receive every alert", |stack| {
            let failures = stack.webhook.failures();
            if !failures.is_empty() {
                return Err(format!("the webhook got bad requests: {failures:?}"));
            }
            let posts = stack.webhook.posts();
            let names: BTreeSet<String> = posts
                .iter()
                .flat_map(|p| p["alerts"].as_array().cloned().unwrap_or_default())
                .filter(|a| a["status"] == "firing")
                .filter_map(|a| a["labels"]["alertname"].as_str().map(str::to_owned))
                .collect();
            if names.len() < 3 {
                return Err(format!("firing alerts received so far: {names:?}"));
            }
            Ok(posts)
        });

        let port = self.prometheus.listen().port();
        for post in &posts {
            assert_eq!(post["receiver"], "webhook", "{post:#}");
            assert_eq!(post["status"], "firing", "{post:#}");
            let alerts = post["alerts"].as_array().expect("alerts in the post");
            assert_eq!(alerts.len(), 1, "one alert per group: {post:#}");
            let alert = &alerts[0];
            let labels = prometheus::string_map(&alert["labels"]).expect("labels");
            let name = labels.get("alertname").cloned().unwrap_or_default();
            assert_eq!(
                labels,
                alert_labels(&name),
                "labels of {name} at the webhook"
            );
            let group = prometheus::string_map(&post["groupLabels"]).expect("groupLabels");
            let expected_group: BTreeMap<String, String> = [
                ("alertname", name.as_str()),
                (names::NAMESPACE, NAMESPACE),
                (names::SERVICE, SERVICE),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
            assert_eq!(group, expected_group, "{name} grouped by the route");

            let annotations = prometheus::string_map(&alert["annotations"]).expect("annotations");
            let sent_value = check_annotations(&name, &annotations, traffic);
            assert!(
                sent_value.is_none_or(|v| v > 0.0),
                "{name}: a plaintext rate must be above 0: {annotations:?}"
            );
            let source = alert["generatorURL"].as_str().unwrap_or("");
            assert!(
                source.contains(&format!(":{port}/graph")),
                "{name} comes from the test's Prometheus: {source}"
            );
        }
        let held = self.alertmanager.alerts().expect("GET /api/v2/alerts");
        let active: BTreeSet<String> = held
            .iter()
            .filter(|a| a.state == "active")
            .filter_map(|a| a.labels.get("alertname").cloned())
            .collect();
        assert_eq!(active.len(), 3, "Alertmanager holds {held:#?}");
    }
}

fn failure_series(reason: AuthFailureReason) -> String {
    raw(
        exported::AUTH_FAILURES_TOTAL,
        &[(exported::REASON, reason.as_str())],
    )
}

// === What the alerts must say ===

/// Every label an alert of the service must carry, and nothing else.
fn alert_labels(alert: &str) -> BTreeMap<String, String> {
    let severity = if alert == names::ALERT_AUTHZ_DENIALS_HIGH {
        "warning"
    } else {
        "critical"
    };
    let mut labels: BTreeMap<String, String> = SPEC_LABELS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    for (key, value) in [
        ("alertname", alert),
        (names::SEVERITY, severity),
        (names::SERVICE, SERVICE),
        (names::NAMESPACE, NAMESPACE),
    ] {
        labels.insert(key.to_owned(), value.to_owned());
    }
    labels
}

fn runbook_url(alert: &str) -> String {
    format!("https://runbooks.example.com/mesh/{NAMESPACE}/{alert}?service={SERVICE}")
}

/// Checks the three annotations of `alert` against what the spec and `traffic` imply.
///
/// The shares are exact, so those descriptions are compared whole. The plaintext rate
/// depends on when the samples were taken; its description must be the template's text
/// around a number written as Prometheus' `humanize` writes it, whose value is returned.
fn check_annotations(
    alert: &str,
    annotations: &BTreeMap<String, String>,
    traffic: Traffic,
) -> Option<f64> {
    let inbound = f64::from(traffic.inbound());
    let get = |key: &str| {
        annotations
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{alert} has no {key}: {annotations:?}"))
    };
    assert_eq!(
        annotations.keys().collect::<Vec<_>>(),
        [names::DESCRIPTION, names::RUNBOOK_URL, names::SUMMARY],
        "{alert}"
    );
    assert_eq!(get(names::RUNBOOK_URL), runbook_url(alert), "{alert}");
    let description = get(names::DESCRIPTION);
    match alert {
        names::ALERT_MTLS_ADOPTION_LOW => {
            let share = humanize_percentage(f64::from(traffic.mutual()) / inbound);
            assert_eq!(share, "80%");
            assert_eq!(
                get(names::SUMMARY),
                "Too few inbound requests use mutual TLS."
            );
            assert_eq!(
                description,
                format!(
                    "Only {share} of the inbound requests to {SERVICE} in namespace {NAMESPACE} \
                     used mutual TLS over the last {WINDOW}; the minimum is 90%."
                )
            );
            None
        }
        names::ALERT_AUTHZ_DENIALS_HIGH => {
            let share = humanize_percentage(f64::from(traffic.denied()) / inbound);
            assert_eq!(share, "20%");
            assert_eq!(
                get(names::SUMMARY),
                "Authorization policies deny too many inbound requests."
            );
            assert_eq!(
                description,
                format!(
                    "{share} of the inbound requests to {SERVICE} in namespace {NAMESPACE} were \
                     denied by authorization over the last {WINDOW}; the maximum is 10%."
                )
            );
            None
        }
        names::ALERT_PLAINTEXT_TRAFFIC => {
            assert_eq!(
                get(names::SUMMARY),
                "A service whose policy is strict mutual TLS received plaintext requests."
            );
            let before = format!(
                "{SERVICE} in namespace {NAMESPACE} is declared strict mutual TLS but received "
            );
            let after = format!(
                " plaintext requests per second over the last {WINDOW}: the policy and the \
                 traffic disagree."
            );
            let number = description
                .strip_prefix(&before)
                .and_then(|rest| rest.strip_suffix(&after))
                .unwrap_or_else(|| panic!("{alert}: unexpected description {description:?}"));
            let value = parse_humanized(number)
                .unwrap_or_else(|| panic!("{alert}: {number:?} is not a humanized number"));
            assert_eq!(
                humanize(value),
                number,
                "{alert}: {number:?} is humanize's form"
            );
            Some(value)
        }
        other => panic!("unexpected alert {other}"),
    }
}

/// Prometheus' alerts: exact labels; annotations rendered from each alert's own value.
fn assert_prometheus_alerts(alerts: &[prometheus::Alert], traffic: Traffic) {
    let inbound = f64::from(traffic.inbound());
    for alert in alerts {
        let name = alert.name();
        assert_eq!(alert.labels, alert_labels(name), "labels of {name}");
        check_annotations(name, &alert.annotations, traffic);
        match name {
            names::ALERT_MTLS_ADOPTION_LOW => assert!(
                (alert.value - f64::from(traffic.mutual()) / inbound).abs() <= TOLERANCE,
                "{name} value {}",
                alert.value_text
            ),
            names::ALERT_AUTHZ_DENIALS_HIGH => assert!(
                (alert.value - f64::from(traffic.denied()) / inbound).abs() <= TOLERANCE,
                "{name} value {}",
                alert.value_text
            ),
            _ => {
                assert!(alert.value > 0.0, "{name} value {}", alert.value_text);
                let description = alert.annotations.get(names::DESCRIPTION);
                assert_eq!(
                    description.and_then(|d| humanized_number_in(d)),
                    Some(humanize(alert.value)),
                    "{name}: the description renders the alert's value {}",
                    alert.value_text
                );
            }
        }
    }
}

/// The number in the plaintext alert's description.
fn humanized_number_in(description: &str) -> Option<String> {
    let (_, rest) = description.split_once(" but received ")?;
    let (number, _) = rest.split_once(' ')?;
    Some(number.to_owned())
}

#[test]
fn finds_the_number_in_a_plaintext_description() {
    assert_eq!(
        humanized_number_in("checkout ... but received 13.33m plaintext requests"),
        Some("13.33m".to_owned())
    );
    assert_eq!(humanized_number_in("checkout received nothing"), None);
}
