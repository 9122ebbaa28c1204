//! Generated expositions in the shapes plain Envoy and Istio sidecars write on
//! `/stats/prometheus`: families grouped under `# TYPE` lines, cluster stats labelled
//! `envoy_cluster_name`, histograms with Envoy's default bucket bounds, `{}` on label-less
//! server stats, and `istio_requests_total` with Istio's full label set.
//!
//! Shared by the differential tests and the benchmark (which includes this file by path).

use std::fmt::Write as _;

/// Envoy's default histogram bucket bounds (milliseconds), `+Inf` last.
pub const ENVOY_DEFAULT_BUCKETS: [&str; 20] = [
    "0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000",
    "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf",
];

/// Per-cluster counters, in the order Envoy sorts them.
const CLUSTER_COUNTERS: [&str; 12] = [
    "envoy_cluster_bind_errors",
    "envoy_cluster_upstream_cx_connect_fail",
    "envoy_cluster_upstream_cx_destroy_remote",
    "envoy_cluster_upstream_cx_rx_bytes_total",
    "envoy_cluster_upstream_cx_total",
    "envoy_cluster_upstream_cx_tx_bytes_total",
    "envoy_cluster_upstream_rq_retry",
    "envoy_cluster_upstream_rq_timeout",
    "envoy_cluster_upstream_rq_total",
    "envoy_cluster_ssl_connection_error",
    "envoy_cluster_ssl_handshake",
    "envoy_cluster_ssl_fail_verify_no_cert",
];

/// Per-cluster gauges.
const CLUSTER_GAUGES: [&str; 4] = [
    "envoy_cluster_membership_healthy",
    "envoy_cluster_membership_total",
    "envoy_cluster_upstream_cx_active",
    "envoy_cluster_upstream_rq_active",
];

/// Per-cluster histograms.
const CLUSTER_HISTOGRAMS: [&str; 2] = [
    "envoy_cluster_upstream_cx_connect_ms",
    "envoy_cluster_upstream_rq_time",
];

/// Istio's standard labels, in the order the sidecar writes them, with a value per request
/// shape (`{n}` is replaced by the shape's index).
const ISTIO_LABELS: [(&str, &str); 25] = [
    ("reporter", "destination"),
    ("source_workload", "productpage-v{n}"),
    ("source_canonical_service", "productpage"),
    ("source_canonical_revision", "v1"),
    ("source_workload_namespace", "bookinfo"),
    (
        "source_principal",
        "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
    ),
    ("source_app", "productpage"),
    ("source_version", "v1"),
    ("source_cluster", "Kubernetes"),
    ("destination_workload", "reviews-v{n}"),
    ("destination_workload_namespace", "bookinfo"),
    (
        "destination_principal",
        "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews",
    ),
    ("destination_app", "reviews"),
    ("destination_version", "v{n}"),
    ("destination_service", "reviews.bookinfo.svc.cluster.local"),
    ("destination_canonical_service", "reviews"),
    ("destination_canonical_revision", "v{n}"),
    ("destination_service_name", "reviews"),
    ("destination_service_namespace", "bookinfo"),
    ("destination_cluster", "Kubernetes"),
    ("request_protocol", "http"),
    ("response_code", "200"),
    ("grpc_response_status", ""),
    ("response_flags", "-"),
    ("connection_security_policy", "mutual_tls"),
];

/// Response codes the Istio request shapes cycle through.
const RESPONSE_CODES: [&str; 4] = ["200", "403", "503", "404"];

fn cluster_name(i: usize) -> String {
    format!(
        "outbound|{}||svc-{i}.ns-{}.svc.cluster.local",
        8000 + i % 100,
        i % 7
    )
}

/// Renders the Istio label set of request shape `n`.
fn istio_labels(n: usize) -> String {
    let mut out = String::new();
    for (i, (name, value)) in ISTIO_LABELS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let value = match *name {
            "response_code" => RESPONSE_CODES[n % RESPONSE_CODES.len()].to_owned(),
            _ => value.replace("{n}", &(n % 3 + 1).to_string()),
        };
        let value = if *name == "connection_security_policy" && n % 5 == 4 {
            "none"
        } else {
            &value
        };
        write!(out, "{name}=\"{value}\"").unwrap();
    }
    out
}

/// An Envoy-and-Istio exposition with `clusters` upstream clusters and as many Istio request
/// shapes.
pub fn envoy_exposition(clusters: usize) -> String {
    let mut out = String::new();
    let names: Vec<String> = (0..clusters).map(cluster_name).collect();

    for family in CLUSTER_COUNTERS {
        writeln!(out, "# TYPE {family} counter").unwrap();
        for (i, name) in names.iter().enumerate() {
            writeln!(
                out,
                "{family}{{envoy_cluster_name=\"{name}\"}} {}",
                i * 37 % 1000
            )
            .unwrap();
        }
    }
    writeln!(out, "# TYPE envoy_cluster_upstream_rq_xx counter").unwrap();
    for (i, name) in names.iter().enumerate() {
        for class in ["2", "4", "5"] {
            let line =
                format!("envoy_response_code_class=\"{class}\",envoy_cluster_name=\"{name}\"");
            writeln!(
                out,
                "envoy_cluster_upstream_rq_xx{{{line}}} {}",
                i * 13 % 500
            )
            .unwrap();
        }
    }
    for family in CLUSTER_GAUGES {
        writeln!(out, "# TYPE {family} gauge").unwrap();
        for (i, name) in names.iter().enumerate() {
            writeln!(out, "{family}{{envoy_cluster_name=\"{name}\"}} {}", i % 9).unwrap();
        }
    }

    server_stats(&mut out);
    listener_stats(&mut out);

    for family in CLUSTER_HISTOGRAMS {
        writeln!(out, "# TYPE {family} histogram").unwrap();
        for (i, name) in names.iter().enumerate() {
            let labels = format!("envoy_cluster_name=\"{name}\"");
            histogram_series(&mut out, family, &labels, i);
        }
    }

    writeln!(out, "# TYPE istio_requests_total counter").unwrap();
    for n in 0..clusters {
        writeln!(
            out,
            "istio_requests_total{{{}}} {}",
            istio_labels(n),
            n * 11 + 1
        )
        .unwrap();
    }
    writeln!(out, "# TYPE istio_request_duration_milliseconds histogram").unwrap();
    for n in 0..clusters {
        histogram_series(
            &mut out,
            "istio_request_duration_milliseconds",
            &istio_labels(n),
            n,
        );
    }
    out
}

/// An exposition of about `lines` lines.
pub fn envoy_exposition_of_lines(lines: usize) -> String {
    let per_cluster = envoy_exposition(2).lines().count() - envoy_exposition(1).lines().count();
    let fixed = envoy_exposition(1).lines().count() - per_cluster;
    envoy_exposition(lines.saturating_sub(fixed).div_ceil(per_cluster).max(1))
}

/// Label-less server stats, written with `{}` as Envoy does.
fn server_stats(out: &mut String) {
    for (family, kind, value) in [
        ("envoy_server_days_until_first_cert_expiring", "gauge", "82"),
        ("envoy_server_live", "gauge", "1"),
        ("envoy_server_uptime", "gauge", "86400"),
        ("envoy_server_total_connections", "gauge", "12"),
    ] {
        writeln!(out, "# TYPE {family} {kind}\n{family}{{}} {value}").unwrap();
    }
}

/// Inbound listener TLS and HTTP connection manager stats.
fn listener_stats(out: &mut String) {
    let listener = "envoy_listener_address=\"0.0.0.0_15006\"";
    for family in [
        "envoy_listener_ssl_connection_error",
        "envoy_listener_ssl_fail_verify_no_cert",
        "envoy_listener_ssl_handshake",
        "envoy_listener_ssl_no_certificate",
    ] {
        writeln!(out, "# TYPE {family} counter\n{family}{{{listener}}} 7").unwrap();
    }
    writeln!(out, "# TYPE envoy_http_downstream_rq_xx counter").unwrap();
    for class in ["1", "2", "3", "4", "5"] {
        let labels = format!(
            "envoy_response_code_class=\"{class}\",envoy_http_conn_manager_prefix=\"inbound_http\""
        );
        writeln!(out, "envoy_http_downstream_rq_xx{{{labels}}} 3").unwrap();
    }
}

/// One histogram series: Envoy's default buckets, then `_sum` and `_count`.
fn histogram_series(out: &mut String, family: &str, labels: &str, seed: usize) {
    let mut cumulative = 0;
    for (b, le) in ENVOY_DEFAULT_BUCKETS.iter().enumerate() {
        cumulative += (seed + b) % 4;
        writeln!(out, "{family}_bucket{{{labels},le=\"{le}\"}} {cumulative}").unwrap();
    }
    writeln!(out, "{family}_sum{{{labels}}} {}.5", cumulative * 120).unwrap();
    writeln!(out, "{family}_count{{{labels}}} {cumulative}").unwrap();
}
