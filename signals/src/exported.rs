//! The series `meshward-exporter` serves, and the label keys and values they carry.
//!
//! Every derived series carries [`NAMESPACE`], [`WORKLOAD`] and [`MESH`] from its target.
//! A ratio is only exported for a window that saw traffic, so no series is ever NaN.

/// Counter of requests seen, by [`DIRECTION`], [`TLS`] and [`CODE_CLASS`].
pub const REQUESTS_TOTAL: &str = "meshward_requests_total";
/// Gauge: share of requests over mutual TLS in the window, by [`DIRECTION`].
pub const MTLS_RATIO: &str = "meshward_mtls_ratio";
/// Counter of authentication and authorization failures, by [`REASON`] and [`LEVEL`].
///
/// Only its `level="request"` series ([`FailureLevel::Request`]) can be divided by requests:
/// the `connection` ones count refused connections, which carry no countable requests.
pub const AUTH_FAILURES_TOTAL: &str = "meshward_auth_failures_total";
/// Gauge: request-level ([`FailureLevel::Request`]) auth failures of inbound traffic over
/// inbound requests in the window.
pub const AUTH_FAILURE_RATIO: &str = "meshward_auth_failure_ratio";
/// Gauge: share of inbound requests answered with a 5xx in the window.
pub const ERROR_RATIO: &str = "meshward_error_ratio";
/// Gauge: inbound latency quantiles over the window, in seconds, by [`QUANTILE`].
pub const LATENCY_SECONDS: &str = "meshward_latency_seconds";
/// Gauge: how far the short window stands from the learned baseline, by [`SIGNAL`].
pub const SPIKE_SCORE: &str = "meshward_spike_score";
/// Gauge: 1 while a spike of [`SIGNAL`] is active, else 0.
pub const SPIKE_ACTIVE: &str = "meshward_spike_active";
/// Gauge: Unix time at which a certificate expires, by [`CERTIFICATE`].
pub const CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS: &str =
    "meshward_certificate_expiry_timestamp_seconds";

/// The exporter's own health, per target: 1 when the last scrape succeeded.
pub const UP: &str = "up";
/// Self-metric: duration of the last scrape of a target, in seconds.
pub const SCRAPE_DURATION_SECONDS: &str = "meshward_scrape_duration_seconds";
/// Self-metric: samples read in the last scrape of a target.
pub const SCRAPE_SAMPLES: &str = "meshward_scrape_samples";
/// Self-metric: counter of scrape failures and rejected lines, by [`REASON`].
pub const SCRAPE_ERRORS_TOTAL: &str = "meshward_scrape_errors_total";
/// Self-metric: counter of configuration reloads, by `result`.
pub const CONFIG_RELOADS_TOTAL: &str = "meshward_config_reloads_total";
/// Self-metric: build information, always 1, by [`VERSION`].
pub const BUILD_INFO: &str = "meshward_build_info";
/// Self-metric: 1 when the last configuration reload succeeded, else 0.
pub const CONFIG_LAST_RELOAD_SUCCESSFUL: &str = "meshward_config_last_reload_successful";
/// Self-metric: counter of file_sd files that could not be read or checked.
pub const SD_FILE_READ_ERRORS_TOTAL: &str = "meshward_sd_file_read_errors_total";

/// Label: the Kubernetes namespace (or any grouping) of the workload behind a target.
pub const NAMESPACE: &str = "namespace";
/// Label: the workload behind a target.
pub const WORKLOAD: &str = "workload";
/// Label: the [`crate::Dialect`] the target speaks.
pub const MESH: &str = "mesh";
/// Label: the scraped target's address, on self-metrics.
pub const TARGET: &str = "target";
/// Label: [`Direction`] of traffic relative to the proxy's workload.
pub const DIRECTION: &str = "direction";
/// Label: [`Tls`] mode of a request.
pub const TLS: &str = "tls";
/// Label: HTTP status class, `1xx` to `5xx`.
pub const CODE_CLASS: &str = "code_class";
/// Label: why a failure happened: an [`AuthFailureReason`] or a scrape error reason.
pub const REASON: &str = "reason";
/// Label: whether an auth failure refused a request or a connection: a [`FailureLevel`].
pub const LEVEL: &str = "level";
/// Label: a latency quantile (`0.5`, `0.9`, `0.99`).
pub const QUANTILE: &str = "quantile";
/// Label: the [`SpikeSignal`] a spike gauge describes.
pub const SIGNAL: &str = "signal";
/// Label: the name of a certificate, as the proxy reports it.
pub const CERTIFICATE: &str = "certificate";
/// Label: the [`ReloadResult`] on [`CONFIG_RELOADS_TOTAL`].
pub const RESULT: &str = "result";
/// Label: the exporter's version on [`BUILD_INFO`].
pub const VERSION: &str = "version";

/// The latency quantiles the exporter serves, as they appear in the [`QUANTILE`] label.
pub const LATENCY_QUANTILES: [&str; 3] = ["0.5", "0.9", "0.99"];

/// The [`CODE_CLASS`] value of server errors.
pub const CODE_CLASS_5XX: &str = "5xx";

/// Declares a closed set of label values with their exact spelling.
macro_rules! label_values {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $value:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in a stable order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The exact label value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

label_values! {
    /// Values of [`DIRECTION`].
    Direction {
        /// Traffic the proxy's workload receives.
        Inbound => "inbound",
        /// Traffic the proxy's workload sends.
        Outbound => "outbound",
    }
}

label_values! {
    /// Values of [`TLS`].
    Tls {
        /// Both peers presented certificates.
        Mutual => "mutual",
        /// Plaintext, or TLS without a client identity.
        None => "none",
    }
}

label_values! {
    /// Values of [`REASON`] on [`AUTH_FAILURES_TOTAL`].
    AuthFailureReason {
        /// An authorization policy (Envoy RBAC, Linkerd authz) denied the request.
        AuthzDenied => "authz_denied",
        /// An external authorization service denied the request.
        ExtAuthzDenied => "ext_authz_denied",
        /// Authentication (JWT) of the request failed.
        AuthnFailed => "authn_failed",
        /// A TLS handshake failed (client certificate missing or rejected, protocol error).
        TlsHandshakeFailed => "tls_handshake_failed",
    }
}

impl AuthFailureReason {
    /// The levels a failure of this reason can be counted at. An authorization policy can
    /// refuse either (HTTP RBAC a request, network RBAC a connection); external authorization
    /// and JWT checks are HTTP filters; a handshake fails before any request exists.
    pub const fn levels(self) -> &'static [FailureLevel] {
        match self {
            AuthFailureReason::AuthzDenied => &[FailureLevel::Request, FailureLevel::Connection],
            AuthFailureReason::ExtAuthzDenied | AuthFailureReason::AuthnFailed => {
                &[FailureLevel::Request]
            }
            AuthFailureReason::TlsHandshakeFailed => &[FailureLevel::Connection],
        }
    }
}

label_values! {
    /// Values of [`LEVEL`] on [`AUTH_FAILURES_TOTAL`]: what the failure refused.
    ///
    /// A refused connection carries no request the proxy counted (or an unknown number of
    /// them), so only request-level failures are a share of requests: dividing
    /// connection-level ones by requests can exceed 100 %.
    FailureLevel {
        /// A request was refused: Envoy's HTTP RBAC, ext_authz and jwt_authn filters, Istio's
        /// 401, 403 and `UAEX` responses, Linkerd's `inbound_http_authz_deny_total`. These
        /// enter [`AUTH_FAILURE_RATIO`].
        Request => "request",
        /// A connection was refused before any request: failed TLS handshakes, Envoy's
        /// network RBAC filters, Linkerd's `inbound_tcp_authz_deny_total`. Only counted.
        Connection => "connection",
    }
}

label_values! {
    /// Values of [`SIGNAL`].
    SpikeSignal {
        /// The inbound 5xx ratio.
        Errors => "errors",
        /// The inbound p99 latency.
        Latency => "latency",
    }
}

label_values! {
    /// Values of [`REASON`] on [`SCRAPE_ERRORS_TOTAL`].
    ScrapeErrorReason {
        /// The target refused or failed the TCP connection.
        Connect => "connect",
        /// Connecting or reading took longer than `scrape_timeout`.
        Timeout => "timeout",
        /// The target's answer was not valid HTTP.
        Http => "http",
        /// The target answered with an HTTP status other than 200.
        HttpStatus => "http_status",
        /// The body was larger than `body_size_limit`; reading stopped at the limit.
        BodyTooLarge => "body_too_large",
        /// A line of the exposition was malformed (counted per line; other lines are used).
        Parse => "parse",
        /// No mesh was configured and none could be recognised in the exposition.
        DialectUnknown => "dialect_unknown",
    }
}

label_values! {
    /// Values of [`RESULT`] on [`CONFIG_RELOADS_TOTAL`].
    ReloadResult {
        /// The new configuration was applied.
        Success => "success",
        /// The new configuration was rejected; the previous one keeps running.
        Failure => "failure",
    }
}

/// [`CERTIFICATE`] value when a proxy tells only when its first certificate expires
/// (Envoy's `server.days_until_first_cert_expiring`), not which certificate that is.
pub const CERTIFICATE_EARLIEST: &str = "earliest";
/// [`CERTIFICATE`] value of a Linkerd proxy's own identity certificate.
pub const CERTIFICATE_IDENTITY: &str = "identity";

/// The [`CODE_CLASS`] value of successful responses.
pub const CODE_CLASS_2XX: &str = "2xx";
/// The [`CODE_CLASS`] value of client errors, where denials land.
pub const CODE_CLASS_4XX: &str = "4xx";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_authorization_denials_happen_at_both_levels() {
        let at = |level| -> Vec<_> {
            AuthFailureReason::ALL
                .iter()
                .filter(|r| r.levels().contains(&level))
                .copied()
                .collect()
        };
        assert_eq!(
            at(FailureLevel::Request),
            [
                AuthFailureReason::AuthzDenied,
                AuthFailureReason::ExtAuthzDenied,
                AuthFailureReason::AuthnFailed,
            ]
        );
        assert_eq!(
            at(FailureLevel::Connection),
            [
                AuthFailureReason::AuthzDenied,
                AuthFailureReason::TlsHandshakeFailed,
            ]
        );
        assert_eq!(
            (
                FailureLevel::Request.as_str(),
                FailureLevel::Connection.as_str()
            ),
            ("request", "connection")
        );
    }

    #[test]
    fn names_are_legacy_safe() {
        let names = [
            REQUESTS_TOTAL,
            MTLS_RATIO,
            AUTH_FAILURES_TOTAL,
            AUTH_FAILURE_RATIO,
            ERROR_RATIO,
            LATENCY_SECONDS,
            SPIKE_SCORE,
            SPIKE_ACTIVE,
            CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS,
        ];
        for name in names {
            assert!(name.starts_with("meshward_"), "{name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
    }
}
