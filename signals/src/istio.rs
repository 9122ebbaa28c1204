//! Istio's standard metrics, as an Istio sidecar exposes them.
//!
//! Only the destination (server-side) proxy knows whether a request arrived over mutual TLS,
//! so security figures read [`REPORTER`]`="destination"`.

/// Counter: HTTP and gRPC requests.
pub const REQUESTS_TOTAL: &str = "istio_requests_total";
/// Histogram (milliseconds): request duration.
pub const REQUEST_DURATION_MILLISECONDS: &str = "istio_request_duration_milliseconds";

/// Label: which proxy reported the request: `source`, `destination` or `waypoint`.
pub const REPORTER: &str = "reporter";
/// [`REPORTER`] value of the server-side proxy.
pub const REPORTER_DESTINATION: &str = "destination";
/// [`REPORTER`] value of the client-side proxy.
pub const REPORTER_SOURCE: &str = "source";
/// Label: `mutual_tls`, `none`, or `unknown` (client side).
pub const CONNECTION_SECURITY_POLICY: &str = "connection_security_policy";
/// [`CONNECTION_SECURITY_POLICY`] value of a request over mutual TLS.
pub const MUTUAL_TLS: &str = "mutual_tls";
/// Label: the HTTP status code, `"403"`.
pub const RESPONSE_CODE: &str = "response_code";
/// Label: Envoy's response flags (`-`, `UAEX`, `UF`, ...).
pub const RESPONSE_FLAGS: &str = "response_flags";
/// [`RESPONSE_FLAGS`] value of a request that the external authorizer denied.
pub const FLAG_EXT_AUTHZ_DENIED: &str = "UAEX";
/// Label: the workload that served the request.
pub const DESTINATION_WORKLOAD: &str = "destination_workload";
/// Label: the namespace of the workload that served the request.
pub const DESTINATION_WORKLOAD_NAMESPACE: &str = "destination_workload_namespace";
/// Label: the workload that sent the request.
pub const SOURCE_WORKLOAD: &str = "source_workload";
/// Label: the namespace of the workload that sent the request.
pub const SOURCE_WORKLOAD_NAMESPACE: &str = "source_workload_namespace";
/// Label, on Istio-tagged Envoy RBAC counters: `allowed` or `denied`.
pub const AUTHZ_ENFORCE_RESULT: &str = "authz_enforce_result";
