//! Certificate expiry as Envoy (plain, or inside an Istio sidecar) reports it.
//!
//! **Per certificate**: `envoy_listener_ssl_certificate_expiration_unix_time_seconds` and its
//! cluster twin carry the certificate's name in `envoy_tls_certificate`; older Envoys and
//! Istio's tag set leave the name inside the family
//! (`envoy_listener_ssl_certificate_<name>_expiration_unix_time_seconds`). A certificate with a
//! name of its own (an SDS secret such as Istio's `default` and `ROOTCA`) is reported under that
//! name, the earliest expiry winning if it appears on several listeners or clusters. Envoy names
//! every certificate without a name `unnamed_cert_<hash>` / `unnamed_ca_cert_<hash>` with the
//! same hash, so those are told apart by where they are used:
//! `listener/<address>/<name>` or `cluster/<cluster>/<name>`.
//!
//! **Otherwise** `envoy_server_days_until_first_cert_expiring` (whole days; its no-certificate
//! sentinels ignored) gives one `earliest` entry, turned into a timestamp when recorded.

use meshward_exposition::{Exposition, Sample};
use meshward_signals::{envoy, istio};

use super::observation::Observation;

/// Where a certificate is used: the listener or cluster family prefix and its scope label names.
const SCOPES: [(&str, &str, [&str; 2]); 2] = [
    (
        envoy::LISTENER_FAMILY_PREFIX,
        "listener",
        [envoy::LISTENER_ADDRESS, istio::LISTENER_ADDRESS],
    ),
    (
        envoy::CLUSTER_FAMILY_PREFIX,
        "cluster",
        [envoy::CLUSTER_NAME, istio::CLUSTER_NAME],
    ),
];

/// Adds the certificate gauges of `exposition` to `observation`.
pub(crate) fn read(exposition: &Exposition<'_>, observation: &mut Observation) {
    for sample in &exposition.samples {
        if sample.name == envoy::SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING {
            let days = sample.value;
            let sentinel = envoy::NO_CERTIFICATE_SENTINELS.iter().any(|s| days >= *s);
            if days.is_finite() && days >= 0.0 && !sentinel {
                observation.days_until_first_cert_expiring = Some(days);
            }
            continue;
        }
        if let Some(name) = certificate_name(sample) {
            observation.certificate(name, sample.value);
        }
    }
}

/// The name meshward gives the certificate an expiry gauge describes, if `sample` is one.
fn certificate_name(sample: &Sample<'_>) -> Option<String> {
    let (scope_prefix, scope_kind, scope_labels) = SCOPES
        .iter()
        .find(|(prefix, _, _)| sample.name.starts_with(prefix))?;
    let (infix, suffix) = envoy::SSL_CERTIFICATE_EXPIRATION_PARTS;

    let tagged = sample.name == envoy::LISTENER_SSL_CERTIFICATE_EXPIRATION
        || sample.name == envoy::CLUSTER_SSL_CERTIFICATE_EXPIRATION;
    let name = if tagged {
        sample.label(envoy::TLS_CERTIFICATE)?.to_owned()
    } else {
        let rest = sample
            .name
            .strip_prefix(scope_prefix)?
            .strip_suffix(suffix)?;
        let name = rest.strip_prefix(infix.trim_start_matches('_'))?;
        if name.is_empty() {
            return None;
        }
        name.to_owned()
    };

    if !name.starts_with(envoy::UNNAMED_CERTIFICATE_PREFIX) {
        return Some(name);
    }
    let scope = scope_labels
        .iter()
        .find_map(|label| sample.label(label))
        .unwrap_or("");
    Some(format!("{scope_kind}/{scope}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshward_exposition::{parse, Format};

    fn observe(text: &str) -> Observation {
        let exposition = parse(text, Format::Text);
        let mut observation = Observation::default();
        read(&exposition, &mut observation);
        observation
    }

    #[test]
    fn unnamed_certificates_are_told_apart_by_scope() {
        let observation = observe(concat!(
            "envoy_listener_ssl_certificate_expiration_unix_time_seconds{",
            "envoy_tls_certificate=\"unnamed_cert_e3b0c442\",",
            "envoy_listener_address=\"0.0.0.0_443\"} 1800000000\n",
            "envoy_cluster_ssl_certificate_expiration_unix_time_seconds{",
            "envoy_tls_certificate=\"unnamed_cert_e3b0c442\",",
            "envoy_cluster_name=\"backend\"} 1700000000\n",
        ));
        let names: Vec<_> = observation.certificates.iter().collect();
        assert_eq!(
            names,
            [
                (
                    &"cluster/backend/unnamed_cert_e3b0c442".to_owned(),
                    &1_700_000_000.0
                ),
                (
                    &"listener/0.0.0.0_443/unnamed_cert_e3b0c442".to_owned(),
                    &1_800_000_000.0
                ),
            ]
        );
    }

    #[test]
    fn named_certificates_keep_their_name_and_earliest_expiry() {
        let observation = observe(concat!(
            "envoy_listener_ssl_certificate_expiration_unix_time_seconds{",
            "envoy_tls_certificate=\"default\",envoy_listener_address=\"a\"} 1800000000\n",
            "envoy_listener_ssl_certificate_expiration_unix_time_seconds{",
            "envoy_tls_certificate=\"default\",envoy_listener_address=\"b\"} 1700000000\n",
            "envoy_listener_ssl_certificate_ROOTCA_expiration_unix_time_seconds",
            "{listener_address=\"0.0.0.0_15006\"} 1900000000\n",
        ));
        assert_eq!(observation.certificates["default"], 1_700_000_000.0);
        assert_eq!(observation.certificates["ROOTCA"], 1_900_000_000.0);
        assert_eq!(observation.certificates.len(), 2);
    }

    #[test]
    fn days_until_first_expiry_ignores_sentinels() {
        let days = |text: &str| observe(text).days_until_first_cert_expiring;
        assert_eq!(
            days("envoy_server_days_until_first_cert_expiring{} 9\n"),
            Some(9.0)
        );
        assert_eq!(
            days("envoy_server_days_until_first_cert_expiring 4294967295\n"),
            None
        );
        assert_eq!(
            days("envoy_server_days_until_first_cert_expiring 2147483647\n"),
            None
        );
        assert_eq!(
            days("envoy_server_days_until_first_cert_expiring -1\n"),
            None
        );
    }
}
