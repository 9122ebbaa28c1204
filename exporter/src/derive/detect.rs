//! Which dialect a proxy speaks, judged from the names of the series it exposes.
//!
//! - **Istio** when any series is one of Istio's own (`istio_*`), or Envoy's series carry
//!   Istio's tag names (`cluster_name` where plain Envoy writes `envoy_cluster_name`). Checked
//!   first: an Istio sidecar exposes Envoy's series too.
//! - **Linkerd** when the proxy exposes `proxy_build_info`, an identity certificate expiry gauge,
//!   an `inbound_*_authz_*` counter, or `request_total`/`response_total` labelled with `tls`.
//! - **Envoy** when any series starts with `envoy_`.
//! - Otherwise unknown (`None`): the target's `mesh` must then be configured.

use meshward_exposition::{Exposition, Sample};
use meshward_signals::{envoy, istio, linkerd, Dialect};

/// The dialect `exposition` is written in, or `None` when it looks like no mesh proxy.
pub fn detect_dialect(exposition: &Exposition<'_>) -> Option<Dialect> {
    let mut linkerd_seen = false;
    let mut envoy_seen = false;
    for sample in &exposition.samples {
        if is_istio(sample) {
            return Some(Dialect::Istio);
        }
        linkerd_seen |= is_linkerd(sample);
        envoy_seen |= sample.name.starts_with(envoy::FAMILY_PREFIX);
    }
    if linkerd_seen {
        Some(Dialect::Linkerd)
    } else if envoy_seen {
        Some(Dialect::Envoy)
    } else {
        None
    }
}

fn is_istio(sample: &Sample<'_>) -> bool {
    sample.name.starts_with(istio::FAMILY_PREFIX)
        || (sample.name.starts_with(envoy::CLUSTER_FAMILY_PREFIX)
            && sample.label(istio::CLUSTER_NAME).is_some()
            && sample.label(envoy::CLUSTER_NAME).is_none())
}

fn is_linkerd(sample: &Sample<'_>) -> bool {
    let name = sample.name;
    name == linkerd::PROXY_BUILD_INFO
        || name.ends_with(linkerd::IDENTITY_CERT_EXPIRATION_SUFFIX)
        || name == linkerd::INBOUND_HTTP_AUTHZ_ALLOW_TOTAL
        || name == linkerd::INBOUND_HTTP_AUTHZ_DENY_TOTAL
        || name == linkerd::INBOUND_TCP_AUTHZ_DENY_TOTAL
        || ((name == linkerd::REQUEST_TOTAL || name == linkerd::RESPONSE_TOTAL)
            && sample.label(linkerd::TLS).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshward_exposition::{parse, Format};

    fn detect(text: &str) -> Option<Dialect> {
        detect_dialect(&parse(text, Format::Text))
    }

    #[test]
    fn detects_each_dialect() {
        let envoy = "envoy_server_uptime{} 5\n";
        let istio = "envoy_server_uptime 5\nistio_requests_total{reporter=\"source\"} 1\n";
        let istio_tags = "envoy_cluster_upstream_rq{cluster_name=\"xds-grpc\"} 1\n";
        let linkerd = "request_total{direction=\"inbound\",tls=\"true\"} 3\n";
        let linkerd_cert = "control_identity_cert_expiration_timestamp_seconds 1.7e9\n";
        assert_eq!(detect(envoy), Some(Dialect::Envoy));
        assert_eq!(detect(istio), Some(Dialect::Istio));
        assert_eq!(detect(istio_tags), Some(Dialect::Istio));
        assert_eq!(detect(linkerd), Some(Dialect::Linkerd));
        assert_eq!(detect(linkerd_cert), Some(Dialect::Linkerd));
        assert_eq!(
            detect("process_cpu_seconds_total 1\nrequest_total 4\n"),
            None
        );
        assert_eq!(detect(""), None);
    }
}
