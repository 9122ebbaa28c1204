//! The same spec against every mesh: which series each translation reads, and the error when a
//! mesh's metrics cannot measure a signal.

use meshward_rulegen::diag::{self, Level};
use meshward_rulegen::generate::{self, Compiled};
use meshward_rulegen::rulefile::Rule;
use meshward_rulegen::spec;

fn spec_for(mesh: &str, extra: &str) -> String {
    format!(
        "version: 1\nname: m\nmesh: {mesh}\nservices:\n  - name: web\n    namespace: shop\n    \
         workload: web-v2\n    authz: {{}}\n    availability: {{objective: 99.9%}}\n    \
         latency: {{threshold: 250ms}}\n    certificates: {{}}\n{extra}"
    )
}

fn compile(text: &str) -> Result<Compiled, (String, Vec<diag::Diagnostic>)> {
    let spec = spec::load_str("m.yaml", text).unwrap_or_else(|d| panic!("{d:#?}"));
    generate::compile(&spec).map_err(|d| (diag::render(&spec.sources, &d), d))
}

fn exprs(compiled: &Compiled) -> String {
    compiled
        .rule_files
        .values()
        .flat_map(|f| &f.groups)
        .flat_map(|g| &g.rules)
        .map(|r| match r {
            Rule::Record(r) => r.expr.clone(),
            Rule::Alert(a) => a.expr.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_mesh_reads_its_own_series() {
    for (mesh, expected) in [
        (
            "istio",
            &[
                r#"istio_requests_total{reporter="destination",destination_workload_namespace="shop",destination_workload="web-v2",response_code="403"}"#,
                r#"istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="shop",destination_workload="web-v2"}"#,
                r#"envoy_server_days_until_first_cert_expiring{namespace="shop",app="web-v2"}"#,
            ][..],
        ),
        (
            "linkerd",
            &[
                r#"inbound_http_authz_deny_total{namespace="shop",deployment="web-v2"}"#,
                r#"response_total{direction="inbound",namespace="shop",deployment="web-v2",status_code=~"5.."}"#,
                r#"response_latency_ms_bucket{direction="inbound",namespace="shop",deployment="web-v2"}"#,
                r#"{__name__=~"control_identity_cert_expiration_timestamp_seconds|identity_cert_expiration_timestamp_seconds",namespace="shop",deployment="web-v2"}"#,
            ][..],
        ),
        (
            "envoy",
            &[
                r#"{__name__=~"envoy_http_rbac_denied|envoy_http_ext_authz_denied",namespace="shop",app="web-v2",envoy_http_conn_manager_prefix!="admin"}"#,
                r#"envoy_http_downstream_rq_xx{namespace="shop",app="web-v2",envoy_http_conn_manager_prefix!="admin",envoy_response_code_class="5"}"#,
                r#"envoy_http_downstream_rq_time_bucket{namespace="shop",app="web-v2",envoy_http_conn_manager_prefix!="admin"}"#,
            ][..],
        ),
        (
            "meshward",
            &[
                r#"meshward_auth_failures_total{namespace="shop",workload="web-v2",reason=~"authz_denied|ext_authz_denied",level="request"}"#,
                r#"meshward_requests_total{namespace="shop",workload="web-v2",direction="inbound",code_class="5xx"}"#,
                r#"meshward_latency_seconds{namespace="shop",workload="web-v2",quantile="0.99"}"#,
                r#"min(meshward_certificate_expiry_timestamp_seconds{namespace="shop",workload="web-v2"})"#,
            ][..],
        ),
    ] {
        let compiled = compile(&spec_for(mesh, "")).unwrap_or_else(|(text, _)| panic!("{text}"));
        let all = exprs(&compiled);
        for selector in expected {
            assert!(all.contains(selector), "{mesh}: {selector} not in\n{all}");
        }
    }
}

#[test]
fn selector_labels_come_from_the_spec() {
    let text = "version: 1\nname: m\nmesh: linkerd\nselectors:\n  linkerd: {namespace: k8s_ns, \
                workload: statefulset}\nservices:\n  - name: web\n    namespace: shop\n    \
                workload: web-v2\n    mtls: {}\n";
    let compiled = compile(text).unwrap_or_else(|(rendered, _)| panic!("{rendered}"));
    let all = exprs(&compiled);
    let expected =
        r#"request_total{direction="inbound",k8s_ns="shop",statefulset="web-v2",tls="true"}"#;
    assert!(all.contains(expected), "{all}");
}

#[test]
fn envoy_cannot_measure_request_level_mtls() {
    let text = spec_for("envoy", "    mtls: {mode: strict}\n");
    let (rendered, diagnostics) = compile(&text).expect_err("mtls on envoy is refused");
    assert_eq!(diagnostics.len(), 1, "{rendered}");
    let d = &diagnostics[0];
    assert_eq!(
        (d.level, d.code),
        (Level::Error, "generate/unsupported-signal")
    );
    let span = d.span.expect("points at the spec");
    assert!(text[span.offset..].starts_with("mtls"), "{rendered}");
    assert!(
        d.message.contains("`mtls`") && d.message.contains("envoy"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap_or("").contains("mesh: meshward"));
    insta::assert_snapshot!(rendered);
}

#[test]
fn the_exporter_serves_three_quantiles_only() {
    let text = spec_for("meshward", "").replace(
        "latency: {threshold: 250ms}",
        "latency: {percentile: 0.95, threshold: 250ms}",
    );
    let (rendered, diagnostics) = compile(&text).expect_err("p95 is refused");
    assert_eq!(
        diagnostics[0].code, "generate/unsupported-signal",
        "{rendered}"
    );
    assert!(rendered.contains("0.5, 0.9, 0.99"), "{rendered}");
}
