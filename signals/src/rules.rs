//! The series, alerts and alert labels that the rules `meshward` generates produce.
//!
//! Recording rules are named `level:metric:operations` (`namespace_service:meshward_mtls_requests:ratio_rate5m`):
//! the level lists the labels the series keeps, the metric says what is measured, the
//! operations say how, newest first, with their window. Dashboards and mixins read these names,
//! so they are defined once, here.

/// Level of series kept per service: labels `namespace` and `service`.
pub const LEVEL_SERVICE: &str = "namespace_service";
/// Level of latency series: labels `namespace`, `service` and `quantile`.
pub const LEVEL_SERVICE_QUANTILE: &str = "namespace_service_quantile";

/// Metric: inbound requests.
pub const REQUESTS: &str = "meshward_requests";
/// Metric: inbound requests over mutual TLS.
pub const MTLS_REQUESTS: &str = "meshward_mtls_requests";
/// Metric: inbound requests without mutual TLS.
pub const PLAINTEXT_REQUESTS: &str = "meshward_plaintext_requests";
/// Metric: inbound requests an authorization policy denied.
pub const DENIED_REQUESTS: &str = "meshward_denied_requests";
/// Metric: inbound requests answered with a server error (5xx).
pub const ERROR_REQUESTS: &str = "meshward_error_requests";
/// Metric: latency of inbound requests, in seconds.
pub const REQUEST_DURATION_SECONDS: &str = "meshward_request_duration_seconds";
/// Metric: Unix time at which a certificate of the service's proxies expires.
pub const CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS: &str =
    "meshward_certificate_expiry_timestamp_seconds";
/// Metric: the availability objective of the service's SLO.
pub const AVAILABILITY_OBJECTIVE: &str = "meshward_availability_objective";
/// Metric: the share of the SLO's error budget left over its whole window.
pub const ERROR_BUDGET_REMAINING: &str = "meshward_error_budget_remaining";

/// Operation: per-second rate over a window (followed by the window, `rate5m`).
pub const OP_RATE: &str = "rate";
/// Operation: a ratio of two rates over a window (`ratio_rate5m`).
pub const OP_RATIO_RATE: &str = "ratio_rate";
/// Operation: a quantile of the latency distribution over a window (`quantile5m`).
pub const OP_QUANTILE: &str = "quantile";
/// Operation: an average over a window of the recorded values (`avg_over_time1d`).
pub const OP_AVG_OVER_TIME: &str = "avg_over_time";
/// Operation: the smallest value across the service's proxies.
pub const OP_MIN: &str = "min";
/// Operation: a ratio that needs no window (a constant, or one derived from a ratio).
pub const OP_RATIO: &str = "ratio";

/// Alert: the share of inbound requests over mutual TLS is below the minimum.
pub const ALERT_MTLS_ADOPTION_LOW: &str = "MeshwardMtlsAdoptionLow";
/// Alert: a service whose policy is strict mutual TLS received plaintext requests.
pub const ALERT_PLAINTEXT_TRAFFIC: &str = "MeshwardPlaintextTraffic";
/// Alert: the share of inbound requests denied by authorization is above the maximum.
pub const ALERT_AUTHZ_DENIALS_HIGH: &str = "MeshwardAuthzDenialsHigh";
/// Alert: the availability SLO's error budget burns too fast (multiwindow, multi-burn-rate).
pub const ALERT_ERROR_BUDGET_BURN: &str = "MeshwardErrorBudgetBurn";
/// Alert: a latency percentile is above its ceiling.
pub const ALERT_LATENCY_HIGH: &str = "MeshwardLatencyHigh";
/// Alert: the 5xx ratio jumped to a multiple of its baseline.
pub const ALERT_ERROR_SPIKE: &str = "MeshwardErrorSpike";
/// Alert: a latency percentile jumped to a multiple of its baseline.
pub const ALERT_LATENCY_SPIKE: &str = "MeshwardLatencySpike";
/// Alert: a certificate of the service's proxies expires soon (warning and critical).
pub const ALERT_CERTIFICATE_EXPIRING: &str = "MeshwardCertificateExpiring";

/// Every alert name, in a stable order.
pub const ALERTS: [&str; 8] = [
    ALERT_MTLS_ADOPTION_LOW,
    ALERT_PLAINTEXT_TRAFFIC,
    ALERT_AUTHZ_DENIALS_HIGH,
    ALERT_ERROR_BUDGET_BURN,
    ALERT_LATENCY_HIGH,
    ALERT_ERROR_SPIKE,
    ALERT_LATENCY_SPIKE,
    ALERT_CERTIFICATE_EXPIRING,
];

/// Label: the service a series or alert is about.
pub const SERVICE: &str = "service";
/// Label: the namespace of that service (the same key the exporter writes).
pub const NAMESPACE: &str = crate::exported::NAMESPACE;
/// Label: a latency quantile, `0.99` (the same key the exporter writes).
pub const QUANTILE: &str = crate::exported::QUANTILE;
/// Label: `critical`, `warning` or `info`.
pub const SEVERITY: &str = "severity";
/// Label of burn-rate alerts: `page` or `ticket`.
pub const TIER: &str = "tier";
/// [`TIER`] value of the fast-burn alerts that page.
pub const TIER_PAGE: &str = "page";
/// [`TIER`] value of the slow-burn alerts that open a ticket.
pub const TIER_TICKET: &str = "ticket";
/// Label of burn-rate alerts: the long window of the pair, `1h`.
pub const LONG_WINDOW: &str = "long_window";
/// Label of burn-rate alerts: the short window of the pair, `5m`.
pub const SHORT_WINDOW: &str = "short_window";
/// Label of burn-rate alerts: the burn-rate factor of the pair, `14.4`.
pub const BURN_RATE: &str = "burn_rate";

/// Annotation: a static one-sentence summary.
pub const SUMMARY: &str = "summary";
/// Annotation: a templated description with the observed value.
pub const DESCRIPTION: &str = "description";
/// Annotation: where to read what to do.
pub const RUNBOOK_URL: &str = "runbook_url";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_legacy_safe() {
        for name in [
            REQUESTS,
            MTLS_REQUESTS,
            PLAINTEXT_REQUESTS,
            DENIED_REQUESTS,
            ERROR_REQUESTS,
            REQUEST_DURATION_SECONDS,
            CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS,
            AVAILABILITY_OBJECTIVE,
            ERROR_BUDGET_REMAINING,
            LEVEL_SERVICE,
            LEVEL_SERVICE_QUANTILE,
        ] {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
        }
        for alert in ALERTS {
            assert!(alert.starts_with("Meshward"), "{alert}");
            assert!(alert.bytes().all(|b| b.is_ascii_alphabetic()), "{alert}");
        }
    }
}
