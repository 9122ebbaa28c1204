//! Istio sidecars: Istio's standard metrics, plus the Envoy stats Istio leaves exposed.
//!
//! **Requests**: `istio_requests_total`. `reporter="destination"` (or an ambient `waypoint`,
//! which enforces policy for the destination) is **inbound**; `reporter="source"` is
//! **outbound**. Inbound requests are mutual when `connection_security_policy="mutual_tls"`.
//! The client side never fills that label (it reads `unknown`), so an outbound request is
//! counted mutual when the source proxy learned a peer identity, i.e. `destination_principal`
//! is set and not `unknown`: Istio only knows the destination's principal from its certificate.
//! Requests without an HTTP status (`response_code="0"`) have no status class and are skipped.
//!
//! **Auth failures** among inbound requests, all `level="request"`: `response_flags`
//! containing `UAEX` → `ext_authz_denied`; `response_code="401"` → `authn_failed`
//! (RequestAuthentication rejects a bad JWT with 401); `response_code="403"` → `authz_denied`,
//! unless the sidecar exposes the Istio-tagged Envoy RBAC counters
//! (`envoy_http_*rbac{authz_enforce_result}`, kept by Istio's default stats inclusion list),
//! which then count `authz_denied` exactly, without the application's own 403s. RBAC counters
//! of network filters (`envoy_*rbac` outside `envoy_http_`) count refused connections:
//! `authz_denied` at `level="connection"`, outside the ratio. Listener handshake failures are
//! read as for plain Envoy (`tls_handshake_failed`, `level="connection"`) when a stats
//! inclusion setting exposes them.
//!
//! **Latency**: `istio_request_duration_milliseconds` as the destination reports it.

// TODO: without the RBAC counters, a 403 or 401 the application itself returns is counted as
// an auth failure: `istio_requests_total` does not say which filter produced a response.

use meshward_exposition::{Exposition, Sample};
use meshward_signals::envoy;
use meshward_signals::exported::{AuthFailureReason, Direction, FailureLevel, Tls};
use meshward_signals::istio;
use meshward_signals::prometheus::BUCKET_SUFFIX;

use super::certificates;
use super::observation::{Counted, Observation, RequestClass};
use super::series::{series_id, CodeClass};

/// Series-identity prefixes that keep a request counter and the failure it also is apart.
const AS_REQUESTS: &str = "requests:";
const AS_FAILURES: &str = "failures:";

/// Reads an Istio sidecar's exposition.
pub(crate) fn observe(exposition: &Exposition<'_>) -> Observation {
    let mut observation = Observation::default();
    let latency_bucket = format!("{}{BUCKET_SUFFIX}", istio::REQUEST_DURATION_MILLISECONDS);
    let rbac_counters = exposition.samples.iter().any(|s| is_http_rbac(s.name));

    for sample in &exposition.samples {
        let name = sample.name;
        if name == istio::REQUESTS_TOTAL {
            read_request(&mut observation, sample, rbac_counters);
        } else if name == latency_bucket {
            if direction(sample) == Some(Direction::Inbound) {
                observation.count_latency_bucket(sample);
            }
        } else if is_rbac(name) {
            if sample.label(istio::AUTHZ_ENFORCE_RESULT) != Some(istio::AUTHZ_DENIED) {
                continue;
            }
            let level = if is_http_rbac(name) {
                FailureLevel::Request
            } else {
                FailureLevel::Connection
            };
            // A sidecar enforces authorization policies on what its workload receives.
            observation.count_auth_failures(sample, AuthFailureReason::AuthzDenied, level, true);
        } else if envoy::LISTENER_SSL_FAILURES.contains(&name) {
            let reason = AuthFailureReason::TlsHandshakeFailed;
            observation.count_auth_failures(sample, reason, FailureLevel::Connection, true);
        }
    }

    certificates::read(exposition, &mut observation);
    observation
}

fn read_request(observation: &mut Observation, sample: &Sample<'_>, rbac_counters: bool) {
    let Some(direction) = direction(sample) else {
        return;
    };
    let Some(code) = sample.label(istio::RESPONSE_CODE) else {
        return;
    };
    let Some(code_class) = CodeClass::from_status(code) else {
        return;
    };
    let id = series_id(sample);

    let tls = match direction {
        Direction::Inbound => {
            sample.label(istio::CONNECTION_SECURITY_POLICY) == Some(istio::MUTUAL_TLS)
        }
        Direction::Outbound => sample
            .label(istio::DESTINATION_PRINCIPAL)
            .is_some_and(|principal| !principal.is_empty() && principal != istio::UNKNOWN),
    };
    let tls = if tls { Tls::Mutual } else { Tls::None };
    let class = RequestClass {
        direction,
        tls,
        code_class,
    };
    observation.count(
        format!("{AS_REQUESTS}{id}"),
        Counted::Requests(class),
        sample.value,
    );

    if direction != Direction::Inbound {
        return;
    }
    let ext_authz = sample.label(istio::RESPONSE_FLAGS).is_some_and(|flags| {
        flags
            .split(',')
            .any(|flag| flag.trim() == istio::FLAG_EXT_AUTHZ_DENIED)
    });
    let reason = if ext_authz {
        Some(AuthFailureReason::ExtAuthzDenied)
    } else if code == istio::RESPONSE_CODE_UNAUTHORIZED {
        Some(AuthFailureReason::AuthnFailed)
    } else if code == istio::RESPONSE_CODE_FORBIDDEN && !rbac_counters {
        Some(AuthFailureReason::AuthzDenied)
    } else {
        None
    };
    if let Some(reason) = reason {
        let counts = Counted::AuthFailures {
            reason,
            level: FailureLevel::Request,
            inbound: true,
        };
        observation.count(format!("{AS_FAILURES}{id}"), counts, sample.value);
    }
}

fn direction(sample: &Sample<'_>) -> Option<Direction> {
    match sample.label(istio::REPORTER)? {
        istio::REPORTER_DESTINATION | istio::REPORTER_WAYPOINT => Some(Direction::Inbound),
        istio::REPORTER_SOURCE => Some(Direction::Outbound),
        _ => None,
    }
}

/// An Istio-tagged Envoy RBAC counter: `envoy_…rbac` with the result in a label.
fn is_rbac(family: &str) -> bool {
    family.starts_with(envoy::FAMILY_PREFIX) && family.ends_with(istio::RBAC_FAMILY_SUFFIX)
}

/// An Istio-tagged RBAC counter of an HTTP filter (request-level).
fn is_http_rbac(family: &str) -> bool {
    is_rbac(family) && family.starts_with(envoy::HTTP_FAMILY_PREFIX)
}
