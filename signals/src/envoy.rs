//! Series that plain Envoy exposes on its admin `/stats/prometheus` endpoint.
//!
//! Envoy turns a dotted stat such as `http.inbound_http.downstream_rq_5xx` into the series
//! `envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix="inbound_http",
//! envoy_response_code_class="5"}`: each tag it extracts becomes an `envoy_*` label and is
//! removed from the name. Counters get no `_total` suffix.

/// Counter: requests per HTTP connection manager, by [`RESPONSE_CODE_CLASS`] (`"5"`).
pub const HTTP_DOWNSTREAM_RQ_XX: &str = "envoy_http_downstream_rq_xx";
/// Counter: all requests per HTTP connection manager.
pub const HTTP_DOWNSTREAM_RQ_TOTAL: &str = "envoy_http_downstream_rq_total";
/// Histogram (milliseconds): request duration per HTTP connection manager.
pub const HTTP_DOWNSTREAM_RQ_TIME: &str = "envoy_http_downstream_rq_time";
/// Counter: requests the HTTP RBAC filter allowed.
pub const HTTP_RBAC_ALLOWED: &str = "envoy_http_rbac_allowed";
/// Counter: requests the HTTP RBAC filter denied.
pub const HTTP_RBAC_DENIED: &str = "envoy_http_rbac_denied";
/// Counter: requests the HTTP ext_authz filter denied.
pub const HTTP_EXT_AUTHZ_DENIED: &str = "envoy_http_ext_authz_denied";
/// Counter: requests the cluster-scoped ext_authz filter denied.
pub const CLUSTER_EXT_AUTHZ_DENIED: &str = "envoy_cluster_ext_authz_denied";
/// Counter: requests whose JWT failed verification.
pub const HTTP_JWT_AUTHN_DENIED: &str = "envoy_http_jwt_authn_denied";

/// Counter: successful TLS handshakes on a listener.
pub const LISTENER_SSL_HANDSHAKE: &str = "envoy_listener_ssl_handshake";
/// Counter: successful TLS handshakes in which the client sent no certificate.
pub const LISTENER_SSL_NO_CERTIFICATE: &str = "envoy_listener_ssl_no_certificate";
/// Counter: TLS errors other than failed certificate verification.
pub const LISTENER_SSL_CONNECTION_ERROR: &str = "envoy_listener_ssl_connection_error";
/// Counter: handshakes failed because a required client certificate was missing.
pub const LISTENER_SSL_FAIL_VERIFY_NO_CERT: &str = "envoy_listener_ssl_fail_verify_no_cert";
/// Counter: handshakes failed because the client certificate did not verify against the CA.
pub const LISTENER_SSL_FAIL_VERIFY_ERROR: &str = "envoy_listener_ssl_fail_verify_error";
/// Counter: handshakes failed on a subject alternative name mismatch.
pub const LISTENER_SSL_FAIL_VERIFY_SAN: &str = "envoy_listener_ssl_fail_verify_san";
/// Counter: handshakes failed on a certificate hash mismatch.
pub const LISTENER_SSL_FAIL_VERIFY_CERT_HASH: &str = "envoy_listener_ssl_fail_verify_cert_hash";
/// Counter: connections accepted by a listener.
pub const LISTENER_DOWNSTREAM_CX_TOTAL: &str = "envoy_listener_downstream_cx_total";
/// Gauge: Unix time at which a listener's certificate expires, by [`TLS_CERTIFICATE`].
pub const LISTENER_SSL_CERTIFICATE_EXPIRATION: &str =
    "envoy_listener_ssl_certificate_expiration_unix_time_seconds";
/// Gauge: Unix time at which a cluster's certificate expires, by [`TLS_CERTIFICATE`].
pub const CLUSTER_SSL_CERTIFICATE_EXPIRATION: &str =
    "envoy_cluster_ssl_certificate_expiration_unix_time_seconds";
/// Gauge: whole days until the first certificate the server manages expires.
pub const SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING: &str =
    "envoy_server_days_until_first_cert_expiring";

/// The failed-handshake counters of a listener, in a stable order.
pub const LISTENER_SSL_FAILURES: [&str; 5] = [
    LISTENER_SSL_CONNECTION_ERROR,
    LISTENER_SSL_FAIL_VERIFY_NO_CERT,
    LISTENER_SSL_FAIL_VERIFY_ERROR,
    LISTENER_SSL_FAIL_VERIFY_SAN,
    LISTENER_SSL_FAIL_VERIFY_CERT_HASH,
];

/// Label: the stat prefix of an HTTP connection manager.
pub const HTTP_CONN_MANAGER_PREFIX: &str = "envoy_http_conn_manager_prefix";
/// Label: the address (or stat prefix) of a listener, `0.0.0.0_10000`.
pub const LISTENER_ADDRESS: &str = "envoy_listener_address";
/// Label: HTTP status class as a single digit, `"5"`.
pub const RESPONSE_CODE_CLASS: &str = "envoy_response_code_class";
/// Label: the name of a certificate on the expiration gauges.
pub const TLS_CERTIFICATE: &str = "envoy_tls_certificate";

/// Values of `server.days_until_first_cert_expiring` that mean "no certificate at all".
pub const NO_CERTIFICATE_SENTINELS: [f64; 2] = [4_294_967_295.0, 2_147_483_647.0];

/// Counter: per-listener copy of [`HTTP_DOWNSTREAM_RQ_XX`], by [`LISTENER_ADDRESS`],
/// [`HTTP_CONN_MANAGER_PREFIX`] and [`RESPONSE_CODE_CLASS`]: it links a connection manager to
/// the listener that served its requests.
pub const LISTENER_HTTP_DOWNSTREAM_RQ_XX: &str = "envoy_listener_http_downstream_rq_xx";
/// Counter: the admin listener's copy of [`HTTP_DOWNSTREAM_RQ_XX`]; names the admin manager.
pub const LISTENER_ADMIN_HTTP_DOWNSTREAM_RQ_XX: &str = "envoy_listener_admin_http_downstream_rq_xx";
/// The stat prefix of Envoy's own admin HTTP connection manager.
pub const ADMIN_CONN_MANAGER_PREFIX: &str = "admin";
/// Counter: connections an HTTP connection manager served.
pub const HTTP_DOWNSTREAM_CX_TOTAL: &str = "envoy_http_downstream_cx_total";
/// Counter: connections an HTTP connection manager served over a TLS transport socket.
pub const HTTP_DOWNSTREAM_CX_SSL_TOTAL: &str = "envoy_http_downstream_cx_ssl_total";
/// Label: the name of an upstream cluster.
pub const CLUSTER_NAME: &str = "envoy_cluster_name";
/// Prefix of every series Envoy names itself (custom stat namespaces such as Istio's have none).
pub const FAMILY_PREFIX: &str = "envoy_";
/// Prefix of the families of HTTP connection managers and their filters.
pub const HTTP_FAMILY_PREFIX: &str = "envoy_http_";
/// Suffix of the RBAC filters' denial counters, HTTP and network alike, whatever their stat
/// prefix: `envoy_http_rbac_denied`, `envoy_rbac_denied`, `envoy_connect_authzrbac_denied`.
pub const RBAC_DENIED_SUFFIX: &str = "rbac_denied";
/// The family prefix and suffix of per-certificate expiry gauges whose certificate name was not
/// extracted into [`TLS_CERTIFICATE`] (older Envoy, or Istio's tag set): the name sits between.
pub const SSL_CERTIFICATE_EXPIRATION_PARTS: (&str, &str) =
    ("_ssl_certificate_", "_expiration_unix_time_seconds");
/// Prefix Envoy gives the name of a certificate that has no name of its own (not from SDS).
/// Every such certificate gets the same name, so it is told apart by the listener or cluster.
pub const UNNAMED_CERTIFICATE_PREFIX: &str = "unnamed_";
/// Prefix of the listener-scoped series (downstream TLS statistics live under it).
pub const LISTENER_FAMILY_PREFIX: &str = "envoy_listener_";
/// Prefix of the cluster-scoped series (upstream TLS statistics live under it).
pub const CLUSTER_FAMILY_PREFIX: &str = "envoy_cluster_";

/// [`RESPONSE_CODE_CLASS`] value of successful responses (2xx).
pub const RESPONSE_CODE_CLASS_SUCCESS: &str = "2";
/// [`RESPONSE_CODE_CLASS`] value of client errors (4xx), where denials land.
pub const RESPONSE_CODE_CLASS_CLIENT_ERROR: &str = "4";
/// [`RESPONSE_CODE_CLASS`] value of server errors (5xx).
pub const RESPONSE_CODE_CLASS_SERVER_ERROR: &str = "5";
/// Upper bounds, in milliseconds, of Envoy's default histogram buckets (also Istio's, unless a
/// pod overrides them); `+Inf` follows the last.
pub const DEFAULT_HISTOGRAM_BUCKETS_MS: [f64; 19] = [
    0.5,
    1.0,
    5.0,
    10.0,
    25.0,
    50.0,
    100.0,
    250.0,
    500.0,
    1_000.0,
    2_500.0,
    5_000.0,
    10_000.0,
    30_000.0,
    60_000.0,
    300_000.0,
    600_000.0,
    1_800_000.0,
    3_600_000.0,
];
