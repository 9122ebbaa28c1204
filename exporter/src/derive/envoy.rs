//! Plain Envoy: what an Envoy's `/stats/prometheus` says about requests, TLS and auth.
//!
//! **Requests.** Each HTTP connection manager (HCM) counts its requests by status class in
//! `envoy_http_downstream_rq_xx`, and Envoy keeps a per-listener copy of that counter,
//! `envoy_listener_http_downstream_rq_xx{envoy_listener_address, envoy_http_conn_manager_prefix}`.
//! That copy is what links a manager to the listener that accepted its requests, so requests
//! are read from it; a manager without any per-listener copy is read from its own counter.
//! Envoy's admin manager (found through `envoy_listener_admin_http_downstream_rq_xx`) is not
//! traffic. A manager is **inbound** when its stat prefix starts with one of the target's
//! inbound prefixes, else outbound.
//!
//! **Mutual TLS**, per (listener, manager) pair, from the proxy's cumulative counters:
//!
//! 1. the listener has TLS statistics (`envoy_listener_ssl_handshake{envoy_listener_address}`
//!    exists: a TLS transport socket is configured; a listener without them is plaintext), and
//! 2. no TLS connection on the listener was ever accepted without a client certificate
//!    (`envoy_listener_ssl_no_certificate` is 0: a listener that requires and verifies client
//!    certificates rejects those handshakes instead, counting `fail_verify_no_cert`), and
//! 3. every connection the manager served was a TLS connection
//!    (`envoy_http_downstream_cx_ssl_total == envoy_http_downstream_cx_total`: no connection
//!    came in through a filter chain without TLS).
//!
//! All three ⇒ `tls="mutual"`; otherwise `tls="none"`. A listener that has mixed traffic since
//! the proxy started is conservatively `none`: its requests cannot be told apart by connection.
//! A manager without per-listener copies is mutual when (3) holds with at least one connection
//! and every TLS listener of the proxy satisfies (2).
//!
//! **Auth failures**, each with the level of what it refused:
//!
//! | family | reason | level |
//! |---|---|---|
//! | `envoy_http_*rbac_denied` (HTTP RBAC filter) | `authz_denied` | `request` |
//! | any other `envoy_*rbac_denied` (network RBAC, whatever the stat prefix, Consul's `envoy_connect_authzrbac_denied` included) | `authz_denied` | `connection` |
//! | `envoy_http_ext_authz_denied`, or, only when no manager reports it, the cluster-scoped `envoy_cluster_ext_authz_denied` (Envoy increments it for the same denials) | `ext_authz_denied` | `request` |
//! | `envoy_http_jwt_authn_denied` | `authn_failed` | `request` |
//! | the listeners' `ssl_connection_error` and `ssl_fail_verify_*` | `tls_handshake_failed` | `connection` |
//!
//! Request-level denials at inbound managers (or with no manager label) enter the auth failure
//! ratio; connection-level failures only count.
//!
//! **Latency**: `envoy_http_downstream_rq_time` (milliseconds) of the inbound managers.
//!
//! The TLS of an outbound request is that of the connection it arrived on from the application
//! (usually plaintext), not of the connection the proxy opens upstream.

// TODO: attribute mutual TLS that a client-side proxy originates towards its upstream
// clusters. Envoy's stats do not say which clusters an HTTP connection manager's routes pick,
// so requests cannot be joined to the clusters' TLS statistics; reading `/config_dump` would
// be needed.

use std::collections::{BTreeMap, BTreeSet};

use meshward_exposition::{Exposition, Sample};
use meshward_signals::envoy;
use meshward_signals::exported::{AuthFailureReason, Direction, FailureLevel, Tls};
use meshward_signals::prometheus::BUCKET_SUFFIX;

use super::certificates;
use super::observation::{Observation, RequestClass};
use super::series::{is_inbound_prefix, CodeClass};
use super::TargetSettings;

/// Reads a plain Envoy exposition.
pub(crate) fn observe(exposition: &Exposition<'_>, settings: &TargetSettings) -> Observation {
    let topology = Topology::read(exposition);
    let mut observation = Observation::default();
    let latency_bucket = format!("{}{BUCKET_SUFFIX}", envoy::HTTP_DOWNSTREAM_RQ_TIME);
    let inbound = |prefix: Option<&str>| {
        prefix.is_none_or(|prefix| is_inbound_prefix(prefix, &settings.inbound_prefixes))
    };

    for sample in &exposition.samples {
        let prefix = sample.label(envoy::HTTP_CONN_MANAGER_PREFIX);
        let name = sample.name;

        if name == envoy::LISTENER_HTTP_DOWNSTREAM_RQ_XX {
            let (Some(prefix), Some(listener)) = (prefix, sample.label(envoy::LISTENER_ADDRESS))
            else {
                continue;
            };
            let tls = topology.listener_tls(listener, prefix);
            count_requests(&mut observation, sample, prefix, tls, settings);
        } else if name == envoy::HTTP_DOWNSTREAM_RQ_XX {
            let Some(prefix) = prefix else { continue };
            if topology.linked.contains(prefix) || topology.is_admin(prefix) {
                continue;
            }
            let tls = topology.unlinked_tls(prefix);
            count_requests(&mut observation, sample, prefix, tls, settings);
        } else if name == latency_bucket {
            let Some(prefix) = prefix else { continue };
            if !topology.is_admin(prefix) && inbound(Some(prefix)) {
                observation.count_latency_bucket(sample);
            }
        } else if let Some((reason, level)) = failure(name, topology.manager_ext_authz) {
            observation.count_auth_failures(sample, reason, level, inbound(prefix));
        }
    }

    certificates::read(exposition, &mut observation);
    observation
}

/// The auth failure a family counts, if any, and whether it refuses requests or connections.
pub(crate) fn failure(
    family: &str,
    manager_ext_authz: bool,
) -> Option<(AuthFailureReason, FailureLevel)> {
    if family.starts_with(envoy::FAMILY_PREFIX) && family.ends_with(envoy::RBAC_DENIED_SUFFIX) {
        // Only the HTTP filter's stats live under `http.<manager>.`; a network filter's live
        // under its own stat prefix, and it decides once per connection.
        let level = if family.starts_with(envoy::HTTP_FAMILY_PREFIX) {
            FailureLevel::Request
        } else {
            FailureLevel::Connection
        };
        return Some((AuthFailureReason::AuthzDenied, level));
    }
    if family == envoy::HTTP_EXT_AUTHZ_DENIED
        || (family == envoy::CLUSTER_EXT_AUTHZ_DENIED && !manager_ext_authz)
    {
        return Some((AuthFailureReason::ExtAuthzDenied, FailureLevel::Request));
    }
    if family == envoy::HTTP_JWT_AUTHN_DENIED {
        return Some((AuthFailureReason::AuthnFailed, FailureLevel::Request));
    }
    if envoy::LISTENER_SSL_FAILURES.contains(&family) {
        return Some((
            AuthFailureReason::TlsHandshakeFailed,
            FailureLevel::Connection,
        ));
    }
    None
}

fn count_requests(
    observation: &mut Observation,
    sample: &Sample<'_>,
    prefix: &str,
    tls: Tls,
    settings: &TargetSettings,
) {
    let Some(code_class) = sample
        .label(envoy::RESPONSE_CODE_CLASS)
        .and_then(CodeClass::from_class_label)
    else {
        return;
    };
    let direction = if is_inbound_prefix(prefix, &settings.inbound_prefixes) {
        Direction::Inbound
    } else {
        Direction::Outbound
    };
    let class = RequestClass {
        direction,
        tls,
        code_class,
    };
    observation.count_requests(sample, class);
}

/// What the exposition says about listeners and the managers they serve.
#[derive(Debug, Default)]
struct Topology<'a> {
    /// Listeners with TLS statistics → TLS connections accepted without a client certificate.
    tls_listeners: BTreeMap<&'a str, f64>,
    /// Manager prefix → (connections, TLS connections).
    connections: BTreeMap<&'a str, (Option<f64>, Option<f64>)>,
    /// Managers with at least one per-listener copy of their request counters.
    linked: BTreeSet<&'a str>,
    /// Managers of the admin listener.
    admin: BTreeSet<&'a str>,
    /// Whether any manager reports ext_authz denials itself.
    manager_ext_authz: bool,
}

impl<'a> Topology<'a> {
    fn read(exposition: &'a Exposition<'a>) -> Topology<'a> {
        let mut topology = Topology::default();
        for sample in &exposition.samples {
            let listener = sample.label(envoy::LISTENER_ADDRESS);
            let prefix = sample.label(envoy::HTTP_CONN_MANAGER_PREFIX);
            match (sample.name, listener, prefix) {
                (envoy::LISTENER_SSL_HANDSHAKE, Some(listener), _) => {
                    topology.tls_listeners.entry(listener).or_insert(0.0);
                }
                (envoy::LISTENER_SSL_NO_CERTIFICATE, Some(listener), _) => {
                    *topology.tls_listeners.entry(listener).or_insert(0.0) += sample.value;
                }
                (envoy::HTTP_DOWNSTREAM_CX_TOTAL, _, Some(prefix)) => {
                    topology.connections.entry(prefix).or_default().0 = Some(sample.value);
                }
                (envoy::HTTP_DOWNSTREAM_CX_SSL_TOTAL, _, Some(prefix)) => {
                    topology.connections.entry(prefix).or_default().1 = Some(sample.value);
                }
                (envoy::LISTENER_HTTP_DOWNSTREAM_RQ_XX, Some(_), Some(prefix)) => {
                    topology.linked.insert(prefix);
                }
                (envoy::LISTENER_ADMIN_HTTP_DOWNSTREAM_RQ_XX, _, Some(prefix)) => {
                    topology.admin.insert(prefix);
                }
                (envoy::HTTP_EXT_AUTHZ_DENIED, _, _) => topology.manager_ext_authz = true,
                _ => {}
            }
        }
        topology
    }

    fn is_admin(&self, prefix: &str) -> bool {
        prefix == envoy::ADMIN_CONN_MANAGER_PREFIX || self.admin.contains(prefix)
    }

    /// Whether every connection the manager served was TLS; `None` when Envoy did not say.
    fn all_connections_tls(&self, prefix: &str) -> Option<(bool, f64)> {
        match self.connections.get(prefix) {
            Some((Some(all), Some(tls))) => Some((tls >= all, *all)),
            _ => None,
        }
    }

    /// TLS mode of a manager's requests on `listener`.
    fn listener_tls(&self, listener: &str, prefix: &str) -> Tls {
        let client_certs_always = self
            .tls_listeners
            .get(listener)
            .is_some_and(|none| *none == 0.0);
        let only_tls = self
            .all_connections_tls(prefix)
            .is_none_or(|(only_tls, _)| only_tls);
        if client_certs_always && only_tls {
            Tls::Mutual
        } else {
            Tls::None
        }
    }

    /// TLS mode of a manager Envoy reports no per-listener copy for.
    fn unlinked_tls(&self, prefix: &str) -> Tls {
        let only_tls = matches!(self.all_connections_tls(prefix), Some((true, all)) if all > 0.0);
        let client_certs_always = !self.tls_listeners.is_empty()
            && self
                .tls_listeners
                .values()
                .all(|without_certificate| *without_certificate == 0.0);
        if only_tls && client_certs_always {
            Tls::Mutual
        } else {
            Tls::None
        }
    }
}
