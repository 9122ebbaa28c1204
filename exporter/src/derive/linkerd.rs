//! Linkerd: what a linkerd2-proxy's `/metrics` says about requests, TLS and authorization.
//!
//! **Requests**: `response_total`, which counts each request once, when its response ends, with
//! `direction`, `tls` and `status_code` (`request_total` has no status, so it cannot give the
//! status class). A response without an HTTP status (the stream failed inside the proxy) has
//! no status class and is skipped. A request is mutual when `tls="true"` and, inbound, the
//! client proved an identity (`client_id` is not empty, where the proxy writes that label).
//!
//! **Auth failures**: `inbound_http_authz_deny_total` → `authz_denied` at `level="request"`
//! (enters the auth failure ratio). `inbound_tcp_authz_deny_total` → `authz_denied` too, since
//! a policy refused a client, but at `level="connection"`: it counts refused *connections*,
//! which have no requests to be a share of, so it stays out of the ratio.
//!
//! **Latency**: `response_latency_ms` (time to first byte) of inbound traffic.
//!
//! **Certificate**: the identity certificate's expiry gauge under any of its names
//! (`identity_cert_expiration_timestamp_seconds` until 2024,
//! `control_identity_cert_expiration_timestamp_seconds` since; any name ending in
//! `identity_cert_expiration_timestamp_seconds` is accepted) → certificate `identity`. A proxy
//! that has no certificate yet reports 0, which is ignored.

// TODO: derive `tls_handshake_failed` for Linkerd. The proxy reports failed TLS only inside
// `inbound_tcp_errors_total{error}` and `tcp_close_total{errno}`, whose values are free-form
// and have changed between releases; no stable spelling is known to count from.

use meshward_exposition::{Exposition, Sample};
use meshward_signals::exported::{
    AuthFailureReason, Direction, FailureLevel, Tls, CERTIFICATE_IDENTITY,
};
use meshward_signals::linkerd;
use meshward_signals::prometheus::BUCKET_SUFFIX;

use super::observation::{Observation, RequestClass};
use super::series::CodeClass;

/// Reads a linkerd2-proxy exposition.
pub(crate) fn observe(exposition: &Exposition<'_>) -> Observation {
    let mut observation = Observation::default();
    let latency_bucket = format!("{}{BUCKET_SUFFIX}", linkerd::RESPONSE_LATENCY_MS);

    for sample in &exposition.samples {
        let name = sample.name;
        if name == linkerd::RESPONSE_TOTAL {
            read_response(&mut observation, sample);
        } else if name == latency_bucket {
            if direction(sample) == Some(Direction::Inbound) {
                observation.count_latency_bucket(sample);
            }
        } else if name == linkerd::INBOUND_HTTP_AUTHZ_DENY_TOTAL
            || name == linkerd::INBOUND_TCP_AUTHZ_DENY_TOTAL
        {
            let level = if name == linkerd::INBOUND_HTTP_AUTHZ_DENY_TOTAL {
                FailureLevel::Request
            } else {
                FailureLevel::Connection
            };
            observation.count_auth_failures(sample, AuthFailureReason::AuthzDenied, level, true);
        } else if name.ends_with(linkerd::IDENTITY_CERT_EXPIRATION_SUFFIX) {
            observation.certificate(CERTIFICATE_IDENTITY.to_owned(), sample.value);
        }
    }
    observation
}

fn read_response(observation: &mut Observation, sample: &Sample<'_>) {
    let Some(direction) = direction(sample) else {
        return;
    };
    let Some(code_class) = sample
        .label(linkerd::STATUS_CODE)
        .and_then(CodeClass::from_status)
    else {
        return;
    };
    let tls_true = sample.label(linkerd::TLS) == Some(linkerd::TLS_TRUE);
    let identified = direction == Direction::Outbound
        || sample
            .label(linkerd::CLIENT_ID)
            .is_none_or(|client| !client.is_empty());
    let tls = if tls_true && identified {
        Tls::Mutual
    } else {
        Tls::None
    };
    let class = RequestClass {
        direction,
        tls,
        code_class,
    };
    observation.count_requests(sample, class);
}

fn direction(sample: &Sample<'_>) -> Option<Direction> {
    match sample.label(linkerd::DIRECTION)? {
        d if d == Direction::Inbound.as_str() => Some(Direction::Inbound),
        d if d == Direction::Outbound.as_str() => Some(Direction::Outbound),
        _ => None,
    }
}
