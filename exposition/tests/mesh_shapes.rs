//! Expositions in the shapes plain Envoy, Istio sidecars and Linkerd proxies document, built
//! by hand under `tests/data/`, parse without error into the figures they were written with.

mod common;

use meshward_exposition::{parse, Exposition, Format, MetricType, Sample};
use meshward_signals::{envoy, istio, linkerd};

fn parsed(body: &str, format: Format) -> Exposition<'_> {
    let exposition = parse(body, format);
    assert!(exposition.errors.is_empty(), "{:?}", exposition.errors);
    exposition
}

fn named<'e, 'a>(
    exposition: &'e Exposition<'a>,
    name: &'e str,
) -> impl Iterator<Item = &'e Sample<'a>> {
    exposition
        .samples
        .iter()
        .filter(move |sample| sample.name == name)
}

fn sum(samples: impl Iterator<Item = impl std::borrow::Borrow<f64>>) -> f64 {
    samples.map(|value| *value.borrow()).sum()
}

/// Bucket bounds and counts of one histogram series, checked to be cumulative and to end at
/// `+Inf` with the series' `_count`.
fn buckets(exposition: &Exposition<'_>, family: &str) -> Vec<(f64, f64)> {
    let bucket_name = format!("{family}_bucket");
    let buckets: Vec<(f64, f64)> = named(exposition, &bucket_name)
        .map(|sample| {
            (
                sample.label("le").unwrap().parse::<f64>().unwrap(),
                sample.value,
            )
        })
        .collect();
    assert!(
        buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "{buckets:?}"
    );
    assert_eq!(buckets.last().unwrap().0, f64::INFINITY);
    let count = named(exposition, &format!("{family}_count"))
        .next()
        .unwrap()
        .value;
    assert_eq!(buckets.last().unwrap().1, count);
    assert_eq!(
        exposition.family_of(&bucket_name),
        (family, MetricType::Histogram)
    );
    buckets
}

#[test]
fn plain_envoy_stats() {
    let exposition = parsed(include_str!("data/envoy.txt"), Format::Text);

    let by_class = |class: &str| {
        sum(named(&exposition, envoy::HTTP_DOWNSTREAM_RQ_XX)
            .filter(|s| s.label(envoy::RESPONSE_CODE_CLASS) == Some(class))
            .filter(|s| s.label(envoy::HTTP_CONN_MANAGER_PREFIX) == Some("inbound_https"))
            .map(|s| s.value))
    };
    assert_eq!(
        (by_class("2"), by_class("4"), by_class("5")),
        (40.0, 5.0, 2.0)
    );
    assert_eq!(
        exposition.metric_type(envoy::HTTP_DOWNSTREAM_RQ_XX),
        MetricType::Counter
    );

    let handshakes = named(&exposition, envoy::LISTENER_SSL_HANDSHAKE)
        .next()
        .unwrap();
    assert_eq!(
        handshakes.label(envoy::LISTENER_ADDRESS),
        Some("0.0.0.0_10443")
    );
    assert_eq!(handshakes.value, 47.0);
    let failures: f64 = envoy::LISTENER_SSL_FAILURES
        .iter()
        .map(|family| sum(named(&exposition, family).map(|s| s.value)))
        .sum();
    assert_eq!(failures, 7.0);
    assert_eq!(
        sum(named(&exposition, envoy::HTTP_RBAC_DENIED).map(|s| s.value)),
        5.0
    );

    // `# TYPE` with no samples under it, as `?usedonly` leaves it.
    assert_eq!(
        exposition.metric_type(envoy::CLUSTER_EXT_AUTHZ_DENIED),
        MetricType::Counter
    );
    assert_eq!(
        named(&exposition, envoy::CLUSTER_EXT_AUTHZ_DENIED).count(),
        0
    );

    // Label-less server stats written with `{}`.
    let days = named(&exposition, envoy::SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING)
        .next()
        .unwrap();
    assert!(days.labels.is_empty());
    assert_eq!(days.value, 364.0);
    let expiry = named(&exposition, envoy::LISTENER_SSL_CERTIFICATE_EXPIRATION)
        .next()
        .unwrap();
    assert_eq!(expiry.label(envoy::TLS_CERTIFICATE), Some("server_cert"));

    let rq_time = buckets(&exposition, envoy::HTTP_DOWNSTREAM_RQ_TIME);
    let bounds: Vec<f64> = rq_time.iter().map(|(le, _)| *le).collect();
    assert_eq!(
        bounds[..bounds.len() - 1],
        envoy::DEFAULT_HISTOGRAM_BUCKETS_MS
    );
}

#[test]
fn istio_sidecar_stats() {
    let exposition = parsed(include_str!("data/istio.txt"), Format::Text);

    let destination: Vec<&Sample<'_>> = named(&exposition, istio::REQUESTS_TOTAL)
        .filter(|s| s.label(istio::REPORTER) == Some(istio::REPORTER_DESTINATION))
        .collect();
    assert_eq!(destination.len(), 5);
    for sample in &destination {
        assert_eq!(sample.labels.len(), 25, "Istio's full label set");
    }
    let total = sum(destination.iter().map(|s| s.value));
    let mutual = sum(destination
        .iter()
        .filter(|s| s.label(istio::CONNECTION_SECURITY_POLICY) == Some(istio::MUTUAL_TLS))
        .map(|s| s.value));
    assert_eq!((mutual, total), (121.0, 130.0));

    // Envoy joins several response flags with a comma.
    let flags: Vec<&str> = destination
        .iter()
        .filter_map(|s| s.label(istio::RESPONSE_FLAGS))
        .collect();
    assert!(flags.contains(&"UF,URX"), "{flags:?}");
    assert!(flags.contains(&istio::FLAG_EXT_AUTHZ_DENIED));

    let duration = buckets(&exposition, istio::REQUEST_DURATION_MILLISECONDS);
    assert_eq!(duration.len(), 20);
    assert_eq!(
        exposition
            .family_of("istio_request_duration_milliseconds_sum")
            .1,
        MetricType::Histogram
    );

    // Istio's own stat tags: no `envoy_` prefix on labels, `2xx` classes, the HCM prefix in
    // the RBAC family's name.
    let xds = named(&exposition, "envoy_cluster_upstream_rq")
        .next()
        .unwrap();
    assert_eq!(xds.label(istio::CLUSTER_NAME), Some("xds-grpc"));
    assert_eq!(xds.label("response_code_class"), Some("2xx"));
    let rbac = exposition
        .samples
        .iter()
        .find(|s| s.name.ends_with(istio::RBAC_FAMILY_SUFFIX));
    assert_eq!(
        rbac.unwrap().label("authz_dry_run_result"),
        Some(istio::AUTHZ_DENIED)
    );

    assert_eq!(
        exposition.help("istio_agent_pilot_xds"),
        Some("Connected xDS streams.")
    );
    let days = named(&exposition, envoy::SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING)
        .next()
        .unwrap();
    assert_eq!(days.value, 0.0);
}

#[test]
fn linkerd_proxy_metrics() {
    let exposition = parsed(include_str!("data/linkerd.txt"), Format::Text);

    let inbound = |tls: &str| {
        sum(named(&exposition, linkerd::REQUEST_TOTAL)
            .filter(|s| s.label(linkerd::DIRECTION) == Some(linkerd::DIRECTION_INBOUND))
            .filter(|s| s.label(linkerd::TLS) == Some(tls))
            .map(|s| s.value))
    };
    assert_eq!(
        (
            inbound(linkerd::TLS_TRUE),
            inbound(linkerd::TLS_NO_IDENTITY)
        ),
        (1042.0, 17.0)
    );

    let plaintext = named(&exposition, linkerd::REQUEST_TOTAL)
        .find(|s| s.label(linkerd::TLS) == Some(linkerd::TLS_NO_IDENTITY))
        .unwrap();
    assert_eq!(
        plaintext.label(linkerd::NO_TLS_REASON),
        Some(linkerd::NO_TLS_FROM_REMOTE)
    );

    let failures = sum(named(&exposition, linkerd::RESPONSE_TOTAL)
        .filter(|s| s.label(linkerd::CLASSIFICATION) == Some(linkerd::CLASSIFICATION_FAILURE))
        .map(|s| s.value));
    assert_eq!(failures, 39.0);
    assert_eq!(
        sum(named(&exposition, linkerd::INBOUND_HTTP_AUTHZ_DENY_TOTAL).map(|s| s.value)),
        17.0
    );
    assert_eq!(
        sum(named(&exposition, linkerd::INBOUND_TCP_AUTHZ_DENY_TOTAL).map(|s| s.value)),
        3.0
    );

    let latency = buckets(&exposition, linkerd::RESPONSE_LATENCY_MS);
    let bounds: Vec<f64> = latency.iter().map(|(le, _)| *le).collect();
    assert_eq!(
        bounds[..bounds.len() - 1],
        linkerd::RESPONSE_LATENCY_BUCKETS_MS
    );

    let expiry = exposition
        .samples
        .iter()
        .find(|s| s.name.ends_with(linkerd::IDENTITY_CERT_EXPIRATION_SUFFIX))
        .unwrap();
    assert_eq!(expiry.value, 1_767_312_000.0);
}

#[test]
fn linkerd_proxy_metrics_in_openmetrics() {
    let body = include_str!("data/linkerd-openmetrics.txt");
    let exposition = parsed(
        body,
        Format::from_content_type("application/openmetrics-text"),
    );

    let refreshes: Vec<&Sample<'_>> = exposition
        .samples
        .iter()
        .filter(|s| {
            exposition.family_of(s.name) == ("control_identity_cert_refreshes", MetricType::Counter)
        })
        .collect();
    assert_eq!(refreshes.len(), 2);
    assert_eq!(refreshes[1].label("result"), Some("error"));

    let expiry = "control_identity_cert_expiration_timestamp_seconds";
    assert_eq!(exposition.unit(expiry), Some("seconds"));
    assert_eq!(exposition.family_of(expiry), (expiry, MetricType::Gauge));

    let info = named(&exposition, "rustls_info_info").next().unwrap();
    assert_eq!(
        exposition.family_of(info.name),
        ("rustls_info", MetricType::Info)
    );
    assert_eq!(info.label("tls_kx_groups"), Some("X25519,secp256r1"));
}

#[test]
fn the_generated_shapes_use_envoys_documented_buckets() {
    let bounds: Vec<f64> = common::shapes::ENVOY_DEFAULT_BUCKETS[..19]
        .iter()
        .map(|le| le.parse().unwrap())
        .collect();
    assert_eq!(bounds, envoy::DEFAULT_HISTOGRAM_BUCKETS_MS);

    let body = common::shapes::envoy_exposition_of_lines(5_000);
    let lines = body.lines().count();
    assert!((5_000..5_400).contains(&lines), "{lines}");
    let exposition = parsed(&body, Format::Text);
    let requests = named(&exposition, istio::REQUESTS_TOTAL).next().unwrap();
    assert_eq!(requests.labels.len(), 25);
}
