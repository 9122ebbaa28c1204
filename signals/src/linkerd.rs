//! Metrics a linkerd2-proxy exposes on its admin port.

/// Counter: requests, by `direction` and `tls`.
pub const REQUEST_TOTAL: &str = "request_total";
/// Counter: responses, by `direction`, `tls`, `status_code` and `classification`.
pub const RESPONSE_TOTAL: &str = "response_total";
/// Histogram (milliseconds): time to first byte of the response.
pub const RESPONSE_LATENCY_MS: &str = "response_latency_ms";
/// Counter: inbound HTTP requests an authorization policy denied.
pub const INBOUND_HTTP_AUTHZ_DENY_TOTAL: &str = "inbound_http_authz_deny_total";
/// Counter: inbound HTTP requests an authorization policy allowed.
pub const INBOUND_HTTP_AUTHZ_ALLOW_TOTAL: &str = "inbound_http_authz_allow_total";
/// Counter: inbound TCP connections an authorization policy denied.
pub const INBOUND_TCP_AUTHZ_DENY_TOTAL: &str = "inbound_tcp_authz_deny_total";

/// Gauge: Unix time at which the proxy's identity certificate expires, under every name it
/// has had: current proxies first, then the 2020–2024 spelling.
pub const IDENTITY_CERT_EXPIRATION: [&str; 2] = [
    "control_identity_cert_expiration_timestamp_seconds",
    "identity_cert_expiration_timestamp_seconds",
];
/// Label: `inbound` or `outbound`.
pub const DIRECTION: &str = "direction";
/// Label: `true`, `no_identity`, `disabled` or `opaque`.
pub const TLS: &str = "tls";
/// [`TLS`] value of a connection with a verified peer identity.
pub const TLS_TRUE: &str = "true";
/// Label: why a connection is not over TLS.
pub const NO_TLS_REASON: &str = "no_tls_reason";
/// Label: `success` or `failure`.
pub const CLASSIFICATION: &str = "classification";
/// [`CLASSIFICATION`] value of a failed response.
pub const CLASSIFICATION_FAILURE: &str = "failure";
/// Label: the HTTP status code.
pub const STATUS_CODE: &str = "status_code";

/// Suffix shared by every name the identity certificate expiry gauge has had, so a future
/// registry prefix is recognised too.
pub const IDENTITY_CERT_EXPIRATION_SUFFIX: &str = "identity_cert_expiration_timestamp_seconds";
/// Label on inbound series: the identity the client proved over TLS (`""` when it proved none).
pub const CLIENT_ID: &str = "client_id";
/// Counter: inbound HTTP requests no route matched (only on proxies with route-based policy).
pub const INBOUND_HTTP_ROUTE_NOT_FOUND_TOTAL: &str = "inbound_http_route_not_found_total";
/// Gauge: the proxy's build information; present on every linkerd2-proxy.
pub const PROXY_BUILD_INFO: &str = "proxy_build_info";

/// [`DIRECTION`] value of traffic the proxy's workload receives.
pub const DIRECTION_INBOUND: &str = "inbound";
/// [`TLS`] value of a request that arrived without a peer identity (see [`NO_TLS_REASON`]).
pub const TLS_NO_IDENTITY: &str = "no_identity";
/// [`NO_TLS_REASON`] value when the remote peer did not use TLS.
pub const NO_TLS_FROM_REMOTE: &str = "no_tls_from_remote";
/// [`CLASSIFICATION`] value of a successful response.
pub const CLASSIFICATION_SUCCESS: &str = "success";
/// Regex over [`STATUS_CODE`] matching server errors.
pub const STATUS_CODE_SERVER_ERROR_RE: &str = "5..";
/// Upper bounds, in milliseconds, of the buckets of [`RESPONSE_LATENCY_MS`]; `+Inf` follows.
pub const RESPONSE_LATENCY_BUCKETS_MS: [f64; 25] = [
    1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 100.0, 200.0, 300.0, 400.0, 500.0,
    1_000.0, 2_000.0, 3_000.0, 4_000.0, 5_000.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0,
];
/// [`DIRECTION`] value of traffic the proxy's workload sends.
pub const DIRECTION_OUTBOUND: &str = "outbound";
