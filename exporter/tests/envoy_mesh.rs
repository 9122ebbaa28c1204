//! The derivation proven against a real Envoy mesh: two sidecars, traffic of known shape, and a
//! proxy restart.
//!
//! Counters must equal what the traffic implies exactly; ratios within [`RATIO_TOLERANCE`]
//! (they are exact in principle, the tolerance only absorbs floating-point rounding).

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use meshward_e2e::certs::not_after_unix;
use meshward_e2e::require;
use meshward_exporter::derive::{
    detect_dialect, observe, DeriveSettings, Derived, TargetSettings, TargetState,
    DEFAULT_INBOUND_PREFIX,
};
use meshward_exposition::{parse, Format};
use meshward_signals::exported::{
    self, AuthFailureReason, Direction, FailureLevel, SpikeSignal, Tls,
};
use meshward_signals::{envoy, Dialect};

use support::exporter::Exporter;
use support::mesh::{listener_stat_name, Mesh, Traffic, B_CLUSTER};

/// How far a derived ratio may be from the one the traffic implies.
const RATIO_TOLERANCE: f64 = 1e-9;

/// Scrapes an Envoy and reads it as plain Envoy, checking the dialect is detected as such.
fn scrape(envoy: &meshward_e2e::envoy::Envoy) -> (String, meshward_exporter::derive::Observation) {
    let body = envoy.stats().expect("scrape /stats/prometheus");
    let observation = {
        let exposition = parse(&body, Format::Text);
        assert!(
            exposition.errors.is_empty(),
            "exposition parses: {:?}",
            exposition.errors
        );
        assert_eq!(detect_dialect(&exposition), Some(Dialect::Envoy));
        observe(Dialect::Envoy, &exposition, &TargetSettings::default())
    };
    (body, observation)
}

/// Scrapes A until its latency histograms (merged on Envoy's stats flush) have caught up with
/// its request counters, so both come from the same moment.
fn scrape_settled(
    envoy: &meshward_e2e::envoy::Envoy,
    inbound: f64,
) -> meshward_exporter::derive::Observation {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (body, observation) = scrape(envoy);
        let exposition = parse(&body, Format::Text);
        let observed: f64 = exposition
            .samples
            .iter()
            .filter(|s| s.name.strip_suffix("_count") == Some(envoy::HTTP_DOWNSTREAM_RQ_TIME))
            .filter(|s| {
                s.label(envoy::HTTP_CONN_MANAGER_PREFIX)
                    .is_some_and(|p| p.starts_with(DEFAULT_INBOUND_PREFIX))
            })
            .map(|s| s.value)
            .sum();
        if observed >= inbound || Instant::now() >= deadline {
            return observation;
        }
        meshward_e2e::pause(Duration::from_millis(100));
    }
}

fn key(direction: Direction, tls: Tls, class: &str) -> (Direction, Tls, String) {
    (direction, tls, class.to_owned())
}

fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no value"));
    assert!(
        (actual - expected).abs() <= RATIO_TOLERANCE,
        "{what}: {actual} != {expected}"
    );
}

fn expected_a_requests(traffic: Traffic) -> BTreeMap<(Direction, Tls, String), f64> {
    let mut expected = BTreeMap::new();
    for (tls, class, value) in [
        (Tls::Mutual, "2xx", f64::from(traffic.mutual_2xx())),
        (Tls::Mutual, "4xx", f64::from(traffic.mutual_4xx())),
        (Tls::Mutual, "5xx", f64::from(traffic.mutual_5xx())),
        (Tls::None, "2xx", f64::from(traffic.plaintext)),
    ] {
        expected.insert(key(Direction::Inbound, tls, class), value);
    }
    // Envoy counts every class from the start; the classes no traffic reached stay at 0.
    for class in ["1xx", "3xx"] {
        expected.insert(key(Direction::Inbound, Tls::Mutual, class), 0.0);
        expected.insert(key(Direction::Inbound, Tls::None, class), 0.0);
    }
    for class in ["4xx", "5xx"] {
        expected.insert(key(Direction::Inbound, Tls::None, class), 0.0);
    }
    expected
}

/// A's failures: the HTTP filters refuse requests; handshakes fail per connection.
fn expected_a_failures(traffic: Traffic) -> BTreeMap<(AuthFailureReason, FailureLevel), f64> {
    use AuthFailureReason::{AuthnFailed, AuthzDenied, ExtAuthzDenied, TlsHandshakeFailed};
    use FailureLevel::{Connection, Request};
    BTreeMap::from([
        ((AuthzDenied, Request), f64::from(traffic.rbac_denied)),
        (
            (ExtAuthzDenied, Request),
            f64::from(traffic.ext_authz_denied),
        ),
        ((AuthnFailed, Request), f64::from(traffic.jwt_missing)),
        (
            (TlsHandshakeFailed, Connection),
            f64::from(traffic.handshake_failures()),
        ),
    ])
}

/// B's requests: everything sent through it, outbound, over a plaintext listener.
fn expected_b_requests(traffic: Traffic) -> BTreeMap<(Direction, Tls, String), f64> {
    let through_b = Traffic {
        direct_mutual: 0,
        plaintext: 0,
        ..traffic
    };
    let mut expected = BTreeMap::new();
    for class in ["1xx", "2xx", "3xx", "4xx", "5xx"] {
        expected.insert(key(Direction::Outbound, Tls::None, class), 0.0);
    }
    expected.insert(
        key(Direction::Outbound, Tls::None, "2xx"),
        f64::from(through_b.mutual_2xx()),
    );
    expected.insert(
        key(Direction::Outbound, Tls::None, "4xx"),
        f64::from(through_b.mutual_4xx()),
    );
    expected.insert(
        key(Direction::Outbound, Tls::None, "5xx"),
        f64::from(through_b.mutual_5xx()),
    );
    expected
}

/// The window's ratios for A, from everything sent since the first observation.
fn assert_a_ratios(derived: &Derived, traffic: Traffic) {
    let mutual = f64::from(traffic.mutual());
    let inbound = f64::from(traffic.inbound());
    assert_eq!(
        derived.mtls_ratio.keys().collect::<Vec<_>>(),
        [&Direction::Inbound]
    );
    assert_close(
        derived.mtls_ratio.get(&Direction::Inbound).copied(),
        mutual / inbound,
        "mtls",
    );
    let request_failures = f64::from(traffic.mutual_4xx());
    assert_close(
        derived.auth_failure_ratio,
        request_failures / inbound,
        "auth failure ratio",
    );
    assert_close(
        derived.error_ratio,
        f64::from(traffic.mutual_5xx()) / inbound,
        "error ratio",
    );
}

fn assert_latency(derived: &Derived) {
    let quantiles: Vec<&str> = derived.latency_seconds.iter().map(|(q, _)| *q).collect();
    assert_eq!(quantiles, ["0.5", "0.9", "0.99"]);
    let values: Vec<f64> = derived.latency_seconds.iter().map(|(_, v)| *v).collect();
    assert!(
        values.windows(2).all(|w| w[0] <= w[1]),
        "quantiles ordered: {values:?}"
    );
    // Direct responses and a loopback authorizer: well under a second, never zero or negative.
    assert!(
        values.iter().all(|v| *v > 0.0 && *v <= 1.0),
        "latency in (0, 1] s: {values:?}"
    );
}

fn assert_monotonic(before: &Derived, after: &Derived) {
    for (key, value) in &before.requests_total {
        let now = after.requests_total.get(key).copied().unwrap_or(0.0);
        assert!(
            now >= *value,
            "requests_total{key:?} went from {value} to {now}"
        );
    }
    for (key @ (reason, level), value) in &before.auth_failures_total {
        let now = after.auth_failures_total.get(key).copied().unwrap_or(0.0);
        assert!(
            now >= *value,
            "auth_failures_total{{{reason},{level}}} went from {value} to {now}"
        );
    }
}

/// Starts the two-sidecar mesh in a fresh directory, which the caller keeps for as long as the
/// mesh runs; `None` when `envoy` or `openssl` is missing outside CI (under CI=true, `require`
/// fails the test instead).
fn start_mesh() -> Option<(tempfile::TempDir, Mesh)> {
    let envoy = require("envoy")?;
    require("openssl")?;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mesh = Mesh::start(&envoy, dir.path()).expect("start the Envoy mesh");
    Some((dir, mesh))
}

#[test]
fn derivation_matches_the_traffic_sent_through_a_real_envoy_mesh() {
    let Some((_dir, mut mesh)) = start_mesh() else {
        return;
    };
    let mut a = TargetState::new(DeriveSettings::default());
    let mut b = TargetState::new(DeriveSettings::default());

    // Baseline scrapes: the window starts here.
    a.record(SystemTime::now(), scrape(&mesh.a).1);
    b.record(SystemTime::now(), scrape(&mesh.b).1);

    let first = Traffic {
        allowed: 6,
        rbac_denied: 3,
        ext_authz_denied: 2,
        jwt_missing: 2,
        server_errors: 2,
        direct_mutual: 1,
        plaintext: 4,
        handshakes_without_cert: 2,
        handshakes_foreign_cert: 1,
    };
    mesh.send(first);

    let observed_a = scrape_settled(&mesh.a, f64::from(first.inbound()));
    assert_eq!(
        observed_a.requests(),
        expected_a_requests(first),
        "A's counters as read"
    );
    a.record(SystemTime::now(), observed_a);
    b.record(SystemTime::now(), scrape(&mesh.b).1);

    // --- A, the server side.
    let derived_a = a.derived();
    assert_eq!(derived_a.requests_total, expected_a_requests(first));
    assert_eq!(derived_a.auth_failures_total, expected_a_failures(first));
    assert_a_ratios(&derived_a, first);
    assert_latency(&derived_a);
    for signal in [SpikeSignal::Errors, SpikeSignal::Latency] {
        let state = derived_a.spikes[&signal];
        assert!(
            !state.active && state.score == 0.0,
            "no spike while warming up: {state:?}"
        );
    }

    let listener = listener_stat_name(mesh.a_mtls);
    let certificates: Vec<(&str, f64)> = derived_a
        .certificate_expiry
        .iter()
        .map(|(name, at)| (name.as_str(), *at))
        .collect();
    let server = not_after_unix(&mesh.pki.server_cert).expect("server notAfter") as f64;
    let ca = not_after_unix(&mesh.pki.ca).expect("CA notAfter") as f64;
    assert_eq!(certificates.len(), 2, "{certificates:?}");
    for (name, at) in &certificates {
        let prefix = format!("listener/{listener}/unnamed_");
        assert!(name.starts_with(&prefix), "{name} names A's mTLS listener");
        let expected = if name.contains("_ca_cert_") {
            ca
        } else {
            server
        };
        assert_eq!(*at, expected, "{name}");
    }

    // --- B, the client side: its requests arrive over plaintext from the application, so
    // they are outbound and not mutual by the listener rule, whatever B does upstream.
    let derived_b = b.derived();
    assert_eq!(derived_b.requests_total, expected_b_requests(first));
    assert!(derived_b.auth_failures_total.is_empty());
    assert_eq!(
        derived_b.mtls_ratio,
        BTreeMap::from([(Direction::Outbound, 0.0)])
    );
    assert_eq!(
        (derived_b.error_ratio, derived_b.auth_failure_ratio),
        (None, None),
        "no inbound"
    );
    assert!(
        derived_b.latency_seconds.is_empty(),
        "B serves no inbound requests"
    );
    let client = not_after_unix(&mesh.pki.client_cert).expect("client notAfter") as f64;
    for (name, at) in &derived_b.certificate_expiry {
        assert!(
            name.starts_with(&format!("cluster/{B_CLUSTER}/unnamed_")),
            "{name}"
        );
        assert_eq!(
            *at,
            if name.contains("_ca_cert_") {
                ca
            } else {
                client
            },
            "{name}"
        );
    }
    assert_eq!(derived_b.certificate_expiry.len(), 2);

    // --- Restart A: its counters start again from zero.
    mesh.a.restart().expect("restart sidecar A");
    let (_, restarted) = scrape(&mesh.a);
    let reread = restarted.requests();
    let mutual_2xx = key(Direction::Inbound, Tls::Mutual, "2xx");
    assert!(
        reread[&mutual_2xx] < f64::from(first.mutual_2xx()),
        "A really restarted: {reread:?}"
    );
    a.record(SystemTime::now(), restarted);
    let at_restart = a.derived();
    assert_monotonic(&derived_a, &at_restart);
    assert_eq!(
        at_restart.requests_total,
        expected_a_requests(first),
        "a reset adds nothing"
    );
    assert_a_ratios(&at_restart, first);

    // B's pooled connections to the old A are gone; wait until B reaches the new A.
    mesh.wait_until_b_reaches_a();
    let probe = Traffic {
        allowed: 1,
        ..Traffic::default()
    };

    let second = Traffic {
        allowed: 3,
        rbac_denied: 1,
        plaintext: 2,
        handshakes_without_cert: 1,
        ..Traffic::default()
    };
    mesh.send(second);
    let after_restart = second.plus(probe);
    let all = first.plus(after_restart);

    a.record(
        SystemTime::now(),
        scrape_settled(&mesh.a, f64::from(after_restart.inbound())),
    );
    let derived = a.derived();
    assert_monotonic(&at_restart, &derived);
    assert_eq!(derived.requests_total, expected_a_requests(all));
    assert_eq!(derived.auth_failures_total, expected_a_failures(all));
    assert_a_ratios(&derived, all);
    assert_latency(&derived);
}

// === The same proof through the real exporter binary ===

/// A traffic mix for the binary: everything but direct TLS clients, which the test above covers.
const BINARY_TRAFFIC: Traffic = Traffic {
    allowed: 5,
    rbac_denied: 2,
    ext_authz_denied: 1,
    jwt_missing: 1,
    server_errors: 3,
    direct_mutual: 0,
    plaintext: 3,
    handshakes_without_cert: 1,
    handshakes_foreign_cert: 1,
};

/// What the exporter serves for one workload, in the derivation's terms.
#[derive(Debug, Default, PartialEq)]
struct Served {
    requests: BTreeMap<(Direction, Tls, String), f64>,
    failures: BTreeMap<(AuthFailureReason, FailureLevel), f64>,
    mtls_ratio: BTreeMap<Direction, f64>,
    auth_failure_ratio: Option<f64>,
    error_ratio: Option<f64>,
    latency: Vec<(String, f64)>,
    certificates: BTreeMap<String, f64>,
}

fn label<'a>(labels: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    labels
        .get(name)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {name} in {labels:?}"))
}

fn direction(value: &str) -> Direction {
    *Direction::ALL
        .iter()
        .find(|d| d.as_str() == value)
        .expect("a known direction")
}

fn served(exporter: &Exporter, workload: &str) -> Served {
    let mut served = Served::default();
    for (labels, value) in exporter.series(exported::REQUESTS_TOTAL, workload) {
        let tls = *Tls::ALL
            .iter()
            .find(|t| t.as_str() == label(&labels, exported::TLS))
            .unwrap();
        let key = (
            direction(label(&labels, exported::DIRECTION)),
            tls,
            label(&labels, exported::CODE_CLASS).to_owned(),
        );
        served.requests.insert(key, value);
    }
    for (labels, value) in exporter.series(exported::AUTH_FAILURES_TOTAL, workload) {
        let reason = label(&labels, exported::REASON);
        let reason = *AuthFailureReason::ALL
            .iter()
            .find(|r| r.as_str() == reason)
            .unwrap();
        let level = label(&labels, exported::LEVEL);
        let level = *FailureLevel::ALL
            .iter()
            .find(|l| l.as_str() == level)
            .unwrap();
        served.failures.insert((reason, level), value);
    }
    for (labels, value) in exporter.series(exported::MTLS_RATIO, workload) {
        served
            .mtls_ratio
            .insert(direction(label(&labels, exported::DIRECTION)), value);
    }
    served.auth_failure_ratio = exporter
        .series(exported::AUTH_FAILURE_RATIO, workload)
        .first()
        .map(|(_, v)| *v);
    served.error_ratio = exporter
        .series(exported::ERROR_RATIO, workload)
        .first()
        .map(|(_, v)| *v);
    for (labels, value) in exporter.series(exported::LATENCY_SECONDS, workload) {
        served
            .latency
            .push((label(&labels, exported::QUANTILE).to_owned(), value));
    }
    served.latency.sort_by(|a, b| a.0.cmp(&b.0));
    for (labels, value) in exporter.series(exported::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS, workload)
    {
        served
            .certificates
            .insert(label(&labels, exported::CERTIFICATE).to_owned(), value);
    }
    served
}

/// Polls the exporter until `done` holds for A's and B's served values, checking on every poll
/// that no served total went down; returns the last values.
fn poll_until(
    exporter: &Exporter,
    previous: &mut Option<(Served, Served)>,
    done: impl Fn(&Served, &Served) -> bool,
) -> (Served, Served) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (a, b) = (served(exporter, "a"), served(exporter, "b"));
        if let Some((before_a, before_b)) = previous.as_ref() {
            for (before, now) in [(before_a, &a), (before_b, &b)] {
                for (key, value) in &before.requests {
                    let current = now.requests.get(key).copied().unwrap_or(*value);
                    assert!(
                        current >= *value,
                        "served requests{key:?}: {value} → {current}"
                    );
                }
                for (key, value) in &before.failures {
                    let current = now.failures.get(key).copied().unwrap_or(*value);
                    assert!(
                        current >= *value,
                        "served failures{key:?}: {value} → {current}"
                    );
                }
            }
        }
        for ratio in a
            .mtls_ratio
            .values()
            .chain(&a.auth_failure_ratio)
            .chain(&a.error_ratio)
        {
            assert!(
                (0.0..=1.0).contains(ratio),
                "served ratio {ratio} out of [0, 1]"
            );
        }
        if done(&a, &b) || Instant::now() >= deadline {
            *previous = Some((served(exporter, "a"), served(exporter, "b")));
            return (a, b);
        }
        *previous = Some((a, b));
        meshward_e2e::pause(Duration::from_millis(200));
    }
}

#[test]
fn exporter_binary_serves_what_the_mesh_traffic_implies() {
    let Some((dir, mut mesh)) = start_mesh() else {
        return;
    };
    let config = format!(
        r#"scrape_interval: 1s
scrape_timeout: 1s
window: 5m
static_configs:
  - targets: ["{a}"]
    labels: {{namespace: mesh-test, workload: a}}
    mesh: envoy
    metrics_path: /stats/prometheus
  - targets: ["{b}"]
    labels: {{namespace: mesh-test, workload: b}}
    metrics_path: /stats/prometheus
"#,
        a = mesh.a.admin(),
        b = mesh.b.admin(),
    );
    let exporter = Exporter::start(dir.path(), &config);

    // Both targets scraped once: the window starts there.
    let mut previous = None;
    let (a, b) = poll_until(&exporter, &mut previous, |a, b| {
        !a.requests.is_empty() && !b.requests.is_empty()
    });
    assert_eq!(
        a.requests,
        expected_a_requests(Traffic::default()),
        "A before any traffic"
    );
    assert_eq!(
        b.requests,
        expected_b_requests(Traffic::default()),
        "B, detected as Envoy"
    );

    let first = BINARY_TRAFFIC;
    mesh.send(first);
    let (a, b) = poll_until(&exporter, &mut previous, |a, b| {
        a.requests == expected_a_requests(first)
            && a.failures == expected_a_failures(first)
            && b.requests == expected_b_requests(first)
            && a.latency.len() == 3
    });
    assert_eq!(a.requests, expected_a_requests(first));
    assert_eq!(a.failures, expected_a_failures(first));
    assert_eq!(b.requests, expected_b_requests(first));
    assert_served_ratios(&a, first);
    assert_eq!(b.mtls_ratio, BTreeMap::from([(Direction::Outbound, 0.0)]));
    assert_eq!(
        (b.auth_failure_ratio, b.error_ratio),
        (None, None),
        "B has no inbound traffic"
    );
    let quantiles: Vec<&str> = a.latency.iter().map(|(q, _)| q.as_str()).collect();
    assert_eq!(quantiles, ["0.5", "0.9", "0.99"]);
    assert!(
        a.latency.iter().all(|(_, v)| *v > 0.0 && *v <= 1.0),
        "{:?}",
        a.latency
    );
    let server = not_after_unix(&mesh.pki.server_cert).expect("server notAfter") as f64;
    let listener = listener_stat_name(mesh.a_mtls);
    assert!(
        a.certificates.iter().any(|(name, at)| name
            .starts_with(&format!("listener/{listener}/unnamed_cert_"))
            && *at == server),
        "{:?}",
        a.certificates
    );

    // Restart A; the exporter sees its counters fall back to zero.
    mesh.a.restart().expect("restart sidecar A");
    mesh.wait_until_b_reaches_a();
    let second = Traffic {
        allowed: 2,
        server_errors: 1,
        plaintext: 1,
        ..Traffic::default()
    };
    mesh.send(second);
    let all = first.plus(second).plus(Traffic {
        allowed: 1,
        ..Traffic::default()
    });

    let (a, _) = poll_until(&exporter, &mut previous, |a, _| {
        a.requests == expected_a_requests(all) && a.failures == expected_a_failures(all)
    });
    assert_eq!(
        a.requests,
        expected_a_requests(all),
        "reset-corrected totals after the restart"
    );
    assert_eq!(a.failures, expected_a_failures(all));
    assert_served_ratios(&a, all);
}

fn assert_served_ratios(a: &Served, traffic: Traffic) {
    let inbound = f64::from(traffic.inbound());
    let mutual = f64::from(traffic.mutual());
    assert_close(
        a.mtls_ratio.get(&Direction::Inbound).copied(),
        mutual / inbound,
        "served mtls",
    );
    assert_close(
        a.auth_failure_ratio,
        f64::from(traffic.mutual_4xx()) / inbound,
        "served auth ratio",
    );
    assert_close(
        a.error_ratio,
        f64::from(traffic.mutual_5xx()) / inbound,
        "served error ratio",
    );
}
