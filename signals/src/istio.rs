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

/// Prefix of Istio's standard metrics (its custom stat namespace has no `envoy_` prefix).
pub const FAMILY_PREFIX: &str = "istio_";
/// [`REPORTER`] value of an ambient-mode waypoint, which enforces policy for the destination.
pub const REPORTER_WAYPOINT: &str = "waypoint";
/// Label: the SPIFFE identity of the workload that served the request, or [`UNKNOWN`].
pub const DESTINATION_PRINCIPAL: &str = "destination_principal";
/// Value Istio writes where it does not know a label's value.
pub const UNKNOWN: &str = "unknown";
/// [`RESPONSE_CODE`] of a request an authorization policy refused.
pub const RESPONSE_CODE_FORBIDDEN: &str = "403";
/// [`RESPONSE_CODE`] of a request whose credentials (a JWT) failed authentication.
pub const RESPONSE_CODE_UNAUTHORIZED: &str = "401";
/// [`AUTHZ_ENFORCE_RESULT`] value of a request the RBAC filter denied.
pub const AUTHZ_DENIED: &str = "denied";
/// Suffix of the Istio-tagged Envoy RBAC counters (`envoy_http_rbac`,
/// `envoy_http_inbound_0_0_0_0_80_rbac`), whose result is in [`AUTHZ_ENFORCE_RESULT`].
pub const RBAC_FAMILY_SUFFIX: &str = "rbac";
/// Label Istio's tag set uses for a cluster name, where plain Envoy says `envoy_cluster_name`.
pub const CLUSTER_NAME: &str = "cluster_name";
/// Label Istio's tag set uses for a listener address, where plain Envoy says
/// `envoy_listener_address`.
pub const LISTENER_ADDRESS: &str = "listener_address";

/// [`CONNECTION_SECURITY_POLICY`] value of a request the destination received without mutual
/// TLS.
pub const CONNECTION_SECURITY_POLICY_NONE: &str = "none";
/// Regex over [`RESPONSE_CODE`] matching server errors.
pub const RESPONSE_CODE_SERVER_ERROR_RE: &str = "5..";
/// [`RESPONSE_CODE`] of a successful request.
pub const RESPONSE_CODE_OK: &str = "200";
/// [`RESPONSE_CODE`] of a request that failed with a server error.
pub const RESPONSE_CODE_UNAVAILABLE: &str = "503";
/// Upper bounds, in milliseconds, of the buckets of [`REQUEST_DURATION_MILLISECONDS`] (Envoy's
/// defaults, unless a pod overrides them with `sidecar.istio.io/statsHistogramBuckets`).
pub const REQUEST_DURATION_BUCKETS_MS: [f64; 19] = crate::envoy::DEFAULT_HISTOGRAM_BUCKETS_MS;
/// The SDS secret name of a workload's own certificate.
pub const SDS_WORKLOAD_CERTIFICATE: &str = "default";
/// The SDS secret name of the mesh's root certificate.
pub const SDS_ROOT_CERTIFICATE: &str = "ROOTCA";
