//! Derivation tests: each dialect on expositions written from its documented format (the files
//! in `testdata/exporter/`), Envoy's listener rule on small expositions, counter resets, and
//! the real proxy dumps in `shared/fixtures/` when they are present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use meshward_exposition::{parse, Format};
use meshward_signals::exported::{
    AuthFailureReason, Direction, FailureLevel, Tls, CERTIFICATE_EARLIEST,
};
use meshward_signals::Dialect;
use proptest::prelude::*;

use super::observation::{Counted, RequestClass};
use super::series::CodeClass;
use super::*;
use AuthFailureReason::{AuthnFailed, AuthzDenied, ExtAuthzDenied, TlsHandshakeFailed};
use FailureLevel::{Connection, Request};

/// Ratios and quantiles are computed, not counted: they may differ from the hand-worked value
/// by floating-point rounding only.
const TOLERANCE: f64 = 1e-12;

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000 + seconds)
}

fn testdata(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/exporter")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn observe_text(dialect: Dialect, text: &str, settings: &TargetSettings) -> Observation {
    let exposition = parse(text, Format::Text);
    assert!(exposition.errors.is_empty(), "{:?}", exposition.errors);
    assert_eq!(
        detect_dialect(&exposition),
        Some(dialect),
        "detected dialect"
    );
    observe(dialect, &exposition, settings)
}

/// A proxy that just started (nothing counted yet), then `text` 15 seconds later.
fn derive_fresh(dialect: Dialect, text: &str) -> Derived {
    let mut state = TargetState::new(DeriveSettings::default());
    state.record(at(0), Observation::default());
    state.record(
        at(15),
        observe_text(dialect, text, &TargetSettings::default()),
    );
    state.derived()
}

fn requests(entries: &[(Direction, Tls, &str, f64)]) -> BTreeMap<(Direction, Tls, String), f64> {
    entries
        .iter()
        .map(|(d, t, c, v)| ((*d, *t, (*c).to_owned()), *v))
        .collect()
}

fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no value"));
    assert!(
        (actual - expected).abs() <= TOLERANCE,
        "{what}: {actual} != {expected}"
    );
}

fn assert_latency(derived: &Derived, expected_ms: [f64; 3]) {
    let labels: Vec<&str> = derived.latency_seconds.iter().map(|(q, _)| *q).collect();
    assert_eq!(labels, ["0.5", "0.9", "0.99"]);
    for ((q, seconds), ms) in derived.latency_seconds.iter().zip(expected_ms) {
        assert_close(Some(*seconds), ms / 1000.0, q);
    }
}

/// Linear interpolation inside a bucket, worked the way the files' comments describe.
fn within(lower: f64, upper: f64, rank: f64, below: f64, count: f64) -> f64 {
    lower + (upper - lower) * (rank - below) / (count - below)
}

// === Istio ===

#[test]
fn istio_sidecar_from_documented_format() {
    use Direction::{Inbound, Outbound};
    let derived = derive_fresh(Dialect::Istio, &testdata("istio/sidecar.txt"));

    assert_eq!(
        derived.requests_total,
        requests(&[
            (Inbound, Tls::Mutual, "2xx", 120.0),
            (Inbound, Tls::Mutual, "4xx", 11.0),
            (Inbound, Tls::Mutual, "5xx", 9.0),
            (Inbound, Tls::None, "2xx", 20.0),
            (Outbound, Tls::Mutual, "2xx", 80.0),
            (Outbound, Tls::Mutual, "5xx", 4.0),
            (Outbound, Tls::None, "2xx", 10.0),
        ])
    );
    assert_eq!(
        derived.auth_failures_total,
        BTreeMap::from([
            ((AuthzDenied, Request), 6.0),
            ((ExtAuthzDenied, Request), 3.0),
            ((AuthnFailed, Request), 2.0),
        ])
    );
    assert_close(
        derived.mtls_ratio.get(&Inbound).copied(),
        140.0 / 160.0,
        "mtls inbound",
    );
    assert_close(
        derived.mtls_ratio.get(&Outbound).copied(),
        84.0 / 94.0,
        "mtls outbound",
    );
    assert_close(
        derived.auth_failure_ratio,
        11.0 / 160.0,
        "auth failure ratio",
    );
    assert_close(derived.error_ratio, 9.0 / 160.0, "error ratio");
    assert_latency(
        &derived,
        [
            within(5.0, 10.0, 80.0, 60.0, 120.0),
            within(10.0, 25.0, 144.0, 120.0, 150.0),
            within(50.0, 100.0, 158.4, 158.0, 160.0),
        ],
    );
    let now = at(15).duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    assert_eq!(
        derived.certificate_expiry,
        BTreeMap::from([(CERTIFICATE_EARLIEST.into(), now)])
    );
}

#[test]
fn istio_rbac_counters_replace_403s_as_authz_denials() {
    let derived = derive_fresh(Dialect::Istio, &testdata("istio/sidecar-rbac.txt"));
    assert_eq!(
        derived.auth_failures_total,
        BTreeMap::from([
            ((AuthzDenied, Request), 5.0),
            ((ExtAuthzDenied, Request), 3.0),
            ((AuthnFailed, Request), 2.0),
        ])
    );
    assert_close(
        derived.auth_failure_ratio,
        10.0 / 160.0,
        "auth failure ratio",
    );
}

// === Linkerd ===

#[test]
fn linkerd_proxy_from_documented_format() {
    use Direction::{Inbound, Outbound};
    let derived = derive_fresh(Dialect::Linkerd, &testdata("linkerd/proxy.txt"));

    assert_eq!(
        derived.requests_total,
        requests(&[
            (Inbound, Tls::Mutual, "2xx", 300.0),
            (Inbound, Tls::Mutual, "4xx", 4.0),
            (Inbound, Tls::Mutual, "5xx", 12.0),
            (Inbound, Tls::None, "2xx", 44.0),
            (Outbound, Tls::Mutual, "2xx", 150.0),
            (Outbound, Tls::Mutual, "5xx", 5.0),
            (Outbound, Tls::None, "2xx", 20.0),
        ])
    );
    // 4 HTTP requests and 2 TCP connections refused; only the requests enter the ratio.
    assert_eq!(
        derived.auth_failures_total,
        BTreeMap::from([
            ((AuthzDenied, Request), 4.0),
            ((AuthzDenied, Connection), 2.0)
        ])
    );
    assert_close(
        derived.auth_failure_ratio,
        4.0 / 360.0,
        "auth failure ratio",
    );
    assert_close(
        derived.mtls_ratio.get(&Inbound).copied(),
        316.0 / 360.0,
        "mtls inbound",
    );
    assert_close(
        derived.mtls_ratio.get(&Outbound).copied(),
        155.0 / 175.0,
        "mtls outbound",
    );
    assert_close(derived.error_ratio, 12.0 / 360.0, "error ratio");
    assert_latency(
        &derived,
        [
            within(1.0, 2.0, 180.0, 100.0, 200.0),
            within(5.0, 10.0, 324.0, 300.0, 340.0),
            within(30.0, 40.0, 356.4, 355.0, 358.0),
        ],
    );
    assert_eq!(
        derived.certificate_expiry,
        BTreeMap::from([("identity".into(), 1.8e9)])
    );
}

#[test]
fn linkerd_identity_certificate_under_its_older_name() {
    let derived = derive_fresh(Dialect::Linkerd, &testdata("linkerd/proxy-2023.txt"));
    assert_eq!(
        derived.certificate_expiry,
        BTreeMap::from([("identity".into(), 1_700_086_400.0)])
    );
    assert_eq!(
        derived.mtls_ratio,
        BTreeMap::from([(Direction::Inbound, 1.0)])
    );
}

// === Envoy ===

/// A proxy with a mutual-TLS listener (`inbound_mtls` on 10.0.0.1_443) and a plaintext one.
const ENVOY: &str = r#"
# TYPE envoy_listener_ssl_handshake counter
envoy_listener_ssl_handshake{envoy_listener_address="10.0.0.1_443"} 4
# TYPE envoy_listener_ssl_no_certificate counter
envoy_listener_ssl_no_certificate{envoy_listener_address="10.0.0.1_443"} NO_CERT
# TYPE envoy_listener_ssl_fail_verify_no_cert counter
envoy_listener_ssl_fail_verify_no_cert{envoy_listener_address="10.0.0.1_443"} 3
# TYPE envoy_http_downstream_cx_total counter
envoy_http_downstream_cx_total{envoy_http_conn_manager_prefix="inbound_mtls"} 7
envoy_http_downstream_cx_total{envoy_http_conn_manager_prefix="inbound_plain"} 2
envoy_http_downstream_cx_total{envoy_http_conn_manager_prefix="admin"} 9
# TYPE envoy_http_downstream_cx_ssl_total counter
envoy_http_downstream_cx_ssl_total{envoy_http_conn_manager_prefix="inbound_mtls"} 7
envoy_http_downstream_cx_ssl_total{envoy_http_conn_manager_prefix="inbound_plain"} 0
envoy_http_downstream_cx_ssl_total{envoy_http_conn_manager_prefix="admin"} 0
# TYPE envoy_http_downstream_rq_xx counter
envoy_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="inbound_mtls"} 40
envoy_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="inbound_plain"} 10
envoy_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="admin"} 9
# TYPE envoy_listener_admin_http_downstream_rq_xx counter
envoy_listener_admin_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="admin"} 9
# TYPE envoy_listener_http_downstream_rq_xx counter
envoy_listener_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="inbound_mtls",envoy_listener_address="10.0.0.1_443"} 40
envoy_listener_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="inbound_plain",envoy_listener_address="10.0.0.1_80"} 10
# TYPE envoy_http_rbac_denied counter
envoy_http_rbac_denied{envoy_http_conn_manager_prefix="inbound_mtls"} 2
# TYPE envoy_connect_authzrbac_denied counter
envoy_connect_authzrbac_denied{local_cluster="web"} 5
# TYPE envoy_cluster_ext_authz_denied counter
envoy_cluster_ext_authz_denied{envoy_cluster_name="local_app"} 1
"#;

fn envoy_text(no_certificate: u32) -> String {
    ENVOY.replace("NO_CERT", &no_certificate.to_string())
}

fn envoy_observation(text: &str, settings: &TargetSettings) -> Observation {
    observe_text(Dialect::Envoy, text, settings)
}

#[test]
fn envoy_listener_rule_decides_mutual_tls() {
    let observation = envoy_observation(&envoy_text(0), &TargetSettings::default());
    assert_eq!(
        observation.requests(),
        requests(&[
            (Direction::Inbound, Tls::Mutual, "2xx", 40.0),
            (Direction::Inbound, Tls::None, "2xx", 10.0),
        ]),
        "admin excluded; the mTLS listener's manager is mutual, the plaintext one is not"
    );
    assert_eq!(
        observation.auth_failures(),
        BTreeMap::from([
            ((AuthzDenied, Request), 2.0),
            ((AuthzDenied, Connection), 5.0),
            ((ExtAuthzDenied, Request), 1.0),
            ((TlsHandshakeFailed, Connection), 3.0),
        ])
    );
}

#[test]
fn envoy_listener_accepting_clients_without_certificates_is_not_mutual() {
    let observation = envoy_observation(&envoy_text(1), &TargetSettings::default());
    let requests = observation.requests();
    assert_eq!(
        requests.get(&(Direction::Inbound, Tls::Mutual, "2xx".into())),
        None
    );
    assert_eq!(
        requests[&(Direction::Inbound, Tls::None, "2xx".into())],
        50.0
    );
}

#[test]
fn envoy_manager_with_plaintext_connections_is_not_mutual() {
    let text = envoy_text(0).replace(
        "envoy_http_downstream_cx_total{envoy_http_conn_manager_prefix=\"inbound_mtls\"} 7",
        "envoy_http_downstream_cx_total{envoy_http_conn_manager_prefix=\"inbound_mtls\"} 8",
    );
    let observation = envoy_observation(&text, &TargetSettings::default());
    assert_eq!(
        observation.requests()[&(Direction::Inbound, Tls::None, "2xx".into())],
        50.0
    );
}

#[test]
fn envoy_manager_without_listener_copies_falls_back_to_its_connections() {
    let text: String = envoy_text(0)
        .lines()
        .filter(|l| !l.contains("envoy_listener_http_"))
        .collect::<Vec<_>>()
        .join("\n");
    let observation = envoy_observation(&text, &TargetSettings::default());
    assert_eq!(
        observation.requests(),
        requests(&[
            (Direction::Inbound, Tls::Mutual, "2xx", 40.0),
            (Direction::Inbound, Tls::None, "2xx", 10.0),
        ])
    );
}

#[test]
fn envoy_inbound_prefixes_are_configurable() {
    let settings = TargetSettings {
        dialect: None,
        inbound_prefixes: vec!["inbound_mtls".into()],
    };
    let observation = envoy_observation(&envoy_text(0), &settings);
    assert_eq!(
        observation.requests(),
        requests(&[
            (Direction::Inbound, Tls::Mutual, "2xx", 40.0),
            (Direction::Outbound, Tls::None, "2xx", 10.0),
        ])
    );
}

#[test]
fn envoy_network_rbac_and_handshakes_stay_out_of_the_ratio() {
    let mut state = TargetState::new(DeriveSettings::default());
    state.record(at(0), Observation::default());
    state.record(
        at(15),
        envoy_observation(&envoy_text(0), &TargetSettings::default()),
    );
    let derived = state.derived();
    // HTTP RBAC (2) and cluster ext_authz (1) over 50 inbound requests; Consul's network RBAC
    // (5 connections) and the 3 failed handshakes only count.
    assert_close(derived.auth_failure_ratio, 3.0 / 50.0, "auth failure ratio");
    assert_eq!(derived.auth_failures_total[&(AuthzDenied, Request)], 2.0);
    assert_eq!(derived.auth_failures_total[&(AuthzDenied, Connection)], 5.0);
}

/// An Envoy with an HTTP RBAC filter and a network RBAC filter in front of the same workload,
/// `rbac` HTTP denials and `refused` connection denials so far.
fn envoy_two_rbac_filters(requests: u64, http_denied: u64, refused: u64) -> Observation {
    let text = format!(
        "envoy_http_downstream_rq_xx{{envoy_response_code_class=\"2\",\
         envoy_http_conn_manager_prefix=\"inbound_http\"}} {ok}\n\
         envoy_http_downstream_rq_xx{{envoy_response_code_class=\"4\",\
         envoy_http_conn_manager_prefix=\"inbound_http\"}} {http_denied}\n\
         envoy_http_rbac_denied{{envoy_http_conn_manager_prefix=\"inbound_http\"}} {http_denied}\n\
         envoy_tcp_inbound_rbac_denied {refused}\n",
        ok = requests - http_denied,
    );
    envoy_observation(&text, &TargetSettings::default())
}

/// A Linkerd proxy that refused `http_denied` requests and `refused` TCP connections.
fn linkerd_two_authz_denials(requests: u64, http_denied: u64, refused: u64) -> Observation {
    let text = format!(
        "response_total{{direction=\"inbound\",tls=\"true\",status_code=\"200\"}} {ok}\n\
         response_total{{direction=\"inbound\",tls=\"true\",status_code=\"403\"}} \
         {http_denied}\n\
         inbound_http_authz_deny_total{{srv_name=\"web\"}} {http_denied}\n\
         inbound_tcp_authz_deny_total{{srv_name=\"web\"}} {refused}\n",
        ok = requests - http_denied,
    );
    observe_text(Dialect::Linkerd, &text, &TargetSettings::default())
}

#[test]
fn refused_connections_are_connection_level_and_outside_the_ratio() {
    type Observe = fn(u64, u64, u64) -> Observation;
    let proxies: [(&str, Observe); 2] = [
        ("envoy network RBAC", envoy_two_rbac_filters),
        ("linkerd TCP authz", linkerd_two_authz_denials),
    ];
    for (proxy, observe) in proxies {
        let mut state = TargetState::new(DeriveSettings::default());
        state.record(at(0), observe(100, 2, 10));
        // In the window: 40 requests, 4 of them denied, and 300 refused connections, far more
        // than there were requests.
        state.record(at(15), observe(140, 6, 310));
        let derived = state.derived();

        assert_eq!(
            derived.auth_failures_total,
            BTreeMap::from([
                ((AuthzDenied, Request), 6.0),
                ((AuthzDenied, Connection), 310.0)
            ]),
            "{proxy}"
        );
        assert_close(
            derived.auth_failure_ratio,
            4.0 / 40.0,
            &format!("{proxy}: auth failure ratio"),
        );
        for (reason, level) in derived.auth_failures_total.keys() {
            assert!(reason.levels().contains(level), "{proxy}: {reason} {level}");
        }
    }
}

#[test]
fn a_reset_of_connection_denials_leaves_request_denials_alone() {
    let mut state = TargetState::new(DeriveSettings::default());
    state.record(at(0), envoy_two_rbac_filters(100, 2, 10));
    // The network filter's stats were recreated (a listener update): its series restarts.
    state.record(at(15), envoy_two_rbac_filters(140, 6, 3));
    let derived = state.derived();
    assert_eq!(derived.auth_failures_total[&(AuthzDenied, Request)], 6.0);
    assert_eq!(
        derived.auth_failures_total[&(AuthzDenied, Connection)],
        13.0
    );
    assert_close(derived.auth_failure_ratio, 4.0 / 40.0, "auth failure ratio");
}

#[test]
fn envoy_cluster_ext_authz_only_when_managers_do_not_report_it() {
    let text = format!(
        "{}# TYPE envoy_http_ext_authz_denied counter\n{}\n",
        envoy_text(0),
        "envoy_http_ext_authz_denied{envoy_http_conn_manager_prefix=\"inbound_mtls\"} 1"
    );
    let observation = envoy_observation(&text, &TargetSettings::default());
    assert_eq!(observation.auth_failures()[&(ExtAuthzDenied, Request)], 1.0);
}

// === Windows and resets ===

fn linkerd_inbound(ok: u64, failed: u64) -> Observation {
    let text = format!(
        "response_total{{direction=\"inbound\",tls=\"true\",status_code=\"200\"}} {ok}\n\
         response_total{{direction=\"inbound\",tls=\"no_identity\",status_code=\"503\"}} {failed}\n"
    );
    observe_text(Dialect::Linkerd, &text, &TargetSettings::default())
}

#[test]
fn first_observation_seeds_totals_but_not_the_window() {
    let mut state = TargetState::new(DeriveSettings::default());
    state.record(at(0), linkerd_inbound(1000, 10));
    let derived = state.derived();
    assert_eq!(
        derived.requests_total[&(Direction::Inbound, Tls::Mutual, "2xx".into())],
        1000.0
    );
    assert_eq!(derived.error_ratio, None, "no window yet");
    assert!(derived.mtls_ratio.is_empty());
    assert_eq!(derived.auth_failure_ratio, None);
}

#[test]
fn reset_mid_window_counts_from_zero_and_never_goes_negative() {
    let mut state = TargetState::new(DeriveSettings::default());
    state.record(at(0), linkerd_inbound(100, 10));
    state.record(at(15), linkerd_inbound(130, 10)); // +30 ok
    state.record(at(30), linkerd_inbound(5, 1)); // restart: 5 ok, 1 failed since
    state.record(at(45), linkerd_inbound(25, 1)); // +20 ok

    let derived = state.derived();
    let ok = &(Direction::Inbound, Tls::Mutual, "2xx".to_owned());
    let failed = &(Direction::Inbound, Tls::None, "5xx".to_owned());
    assert_eq!(derived.requests_total[ok], 100.0 + 30.0 + 5.0 + 20.0);
    assert_eq!(derived.requests_total[failed], 10.0 + 1.0);
    assert_close(derived.error_ratio, 1.0 / 56.0, "window error ratio");
    assert_close(
        derived.mtls_ratio.get(&Direction::Inbound).copied(),
        55.0 / 56.0,
        "mtls",
    );
}

#[test]
fn window_forgets_old_increments_and_idle_window_has_no_ratios() {
    let settings = DeriveSettings {
        window: Duration::from_secs(60),
        ..DeriveSettings::default()
    };
    let mut state = TargetState::new(settings);
    state.record(at(0), linkerd_inbound(0, 0));
    state.record(at(15), linkerd_inbound(10, 10));
    state.record(at(90), linkerd_inbound(30, 10));
    assert_close(state.derived().error_ratio, 0.0, "only the last 60 s count");

    state.record(at(200), linkerd_inbound(30, 10));
    let derived = state.derived();
    assert_eq!(
        (derived.error_ratio, derived.auth_failure_ratio),
        (None, None)
    );
    assert!(derived.mtls_ratio.is_empty() && derived.latency_seconds.is_empty());
    assert_eq!(
        derived.requests_total.values().sum::<f64>(),
        40.0,
        "totals stay"
    );
}

#[test]
fn series_appearing_after_the_first_scrape_count_from_zero() {
    let mut state = TargetState::new(DeriveSettings::default());
    state.record(
        at(0),
        observe_text(
            Dialect::Linkerd,
            "proxy_build_info 1\n",
            &TargetSettings::default(),
        ),
    );
    state.record(at(15), linkerd_inbound(7, 3));
    let derived = state.derived();
    assert_eq!(derived.requests_total.values().sum::<f64>(), 10.0);
    assert_close(derived.error_ratio, 0.3, "error ratio");
}

fn counter_observation(values: &[f64]) -> Observation {
    let mut observation = Observation::default();
    for (index, value) in values.iter().enumerate() {
        let class = RequestClass {
            direction: Direction::Inbound,
            tls: if index % 2 == 0 {
                Tls::Mutual
            } else {
                Tls::None
            },
            code_class: CodeClass::from_status(if index < 2 { "200" } else { "503" }).unwrap(),
        };
        observation.count(format!("series{index}"), Counted::Requests(class), *value);
    }
    observation
}

proptest! {
    /// Whatever the proxy's counters do, the totals never decrease, the window never holds a
    /// negative count, and the totals equal the first values plus every increase, where a
    /// decrease counts as a restart from zero.
    #[test]
    fn totals_stay_monotonic_across_random_resets(
        steps in prop::collection::vec(
            (prop::collection::vec(0u32..1_000, 4), prop::collection::vec(any::<bool>(), 4)),
            1..40,
        )
    ) {
        let mut state = TargetState::new(DeriveSettings::default());
        let mut raw = [0.0_f64; 4];
        let mut expected = [0.0_f64; 4];
        let mut previous_totals: Option<BTreeMap<_, f64>> = None;

        for (step, (increments, resets)) in steps.iter().enumerate() {
            for series in 0..4 {
                let before = raw[series];
                raw[series] = if resets[series] { f64::from(increments[series] / 7) }
                    else { before + f64::from(increments[series]) };
                expected[series] += if step == 0 { raw[series] }
                    else if raw[series] >= before { raw[series] - before }
                    else { raw[series] };
            }
            state.record(at(15 * step as u64), counter_observation(&raw));
            let derived = state.derived();

            if let Some(previous) = &previous_totals {
                for (key, value) in previous {
                    prop_assert!(derived.requests_total[key] >= *value);
                }
            }
            let total: f64 = derived.requests_total.values().sum();
            prop_assert_eq!(total, expected.iter().sum::<f64>());
            for ratio in derived.mtls_ratio.values().chain(derived.error_ratio.iter()) {
                prop_assert!((0.0..=1.0).contains(ratio), "ratio {}", ratio);
            }
            previous_totals = Some(derived.requests_total.clone());
        }
    }
}

// === Real dumps from shared/fixtures (never committed; skipped when absent) ===

fn fixture(name: &str) -> Option<String> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("skipping: {} is not present", path.display());
            None
        }
    }
}

#[test]
fn real_dumps_are_detected_and_read() {
    if let Some(text) = fixture("linkerd-proxy.txt") {
        let exposition = parse(&text, Format::Text);
        assert_eq!(detect_dialect(&exposition), Some(Dialect::Linkerd));
        let observation = observe(Dialect::Linkerd, &exposition, &TargetSettings::default());
        assert_eq!(observation.certificates()["identity"], 1_651_053_543.0);
        assert!(observation
            .requests()
            .keys()
            .any(|(d, t, _)| *d == Direction::Inbound && *t == Tls::None));
    }
    if let Some(text) = fixture("consul-dataplane-envoy.txt") {
        let exposition = parse(&text, Format::Text);
        assert_eq!(detect_dialect(&exposition), Some(Dialect::Envoy));
        let observation = observe(Dialect::Envoy, &exposition, &TargetSettings::default());
        let failures = observation.auth_failures();
        // Consul authorizes with a network RBAC filter: connections, not requests.
        assert!(
            failures.contains_key(&(AuthzDenied, Connection)),
            "{failures:?}"
        );
        assert!(
            !failures.contains_key(&(AuthzDenied, Request)),
            "{failures:?}"
        );
        assert!(
            failures.contains_key(&(TlsHandshakeFailed, Connection)),
            "{failures:?}"
        );
    }
    if let Some(text) = fixture("plain-envoy.txt") {
        let exposition = parse(&text, Format::Text);
        assert_eq!(detect_dialect(&exposition), Some(Dialect::Envoy));
        let observation = observe(Dialect::Envoy, &exposition, &TargetSettings::default());
        assert!(observation.certificates().is_empty());
    }
}
