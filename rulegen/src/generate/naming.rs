//! Recording-rule names: `level:metric:operations`, composed from the shared vocabulary.
//!
//! - level `namespace_service`: the series keeps the labels `namespace` and `service`;
//!   `namespace_service_quantile` adds `quantile`.
//! - metric: `meshward_<what is measured>`, e.g. `meshward_mtls_requests`.
//! - operations, newest first, each with its window: `rate5m`, `ratio_rate1h`, `quantile5m`,
//!   `avg_over_time1d_quantile5m`, `min`, `ratio`.

use meshward_signals::rules as names;

use crate::generate::windows::DaysExt;
use crate::units::PromDuration;

/// `namespace_service:<metric>:rate<window>`.
pub fn rate(metric: &str, window: PromDuration) -> String {
    let window = window.days();
    format!(
        "{}:{metric}:{}{window}",
        names::LEVEL_SERVICE,
        names::OP_RATE
    )
}

/// `namespace_service:<metric>:ratio_rate<window>`.
pub fn ratio_rate(metric: &str, window: PromDuration) -> String {
    let window = window.days();
    format!(
        "{}:{metric}:{}{window}",
        names::LEVEL_SERVICE,
        names::OP_RATIO_RATE
    )
}

/// `namespace_service_quantile:meshward_request_duration_seconds:quantile<window>`.
pub fn latency_quantile(window: PromDuration) -> String {
    let window = window.days();
    let (level, metric) = (
        names::LEVEL_SERVICE_QUANTILE,
        names::REQUEST_DURATION_SECONDS,
    );
    format!("{level}:{metric}:{}{window}", names::OP_QUANTILE)
}

/// The average over `baseline` of [`latency_quantile`]`(window)`.
pub fn latency_quantile_baseline(window: PromDuration, baseline: PromDuration) -> String {
    let (window, baseline) = (window.days(), baseline.days());
    let (level, metric) = (
        names::LEVEL_SERVICE_QUANTILE,
        names::REQUEST_DURATION_SECONDS,
    );
    let (average, quantile) = (names::OP_AVG_OVER_TIME, names::OP_QUANTILE);
    format!("{level}:{metric}:{average}{baseline}_{quantile}{window}")
}

/// `namespace_service:meshward_certificate_expiry_timestamp_seconds:min`.
pub fn certificate_expiry() -> String {
    format!(
        "{}:{}:{}",
        names::LEVEL_SERVICE,
        names::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS,
        names::OP_MIN
    )
}

/// `namespace_service:<metric>:ratio`, for ratios without a window.
pub fn ratio(metric: &str) -> String {
    format!("{}:{metric}:{}", names::LEVEL_SERVICE, names::OP_RATIO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_print_in_days() {
        let month = PromDuration::from_secs(30 * 86_400);
        assert_eq!(
            ratio_rate(names::ERROR_REQUESTS, month),
            "namespace_service:meshward_error_requests:ratio_rate30d"
        );
    }

    #[test]
    fn names_follow_level_metric_operations() {
        let five = PromDuration::from_secs(300);
        let day = PromDuration::from_secs(86_400);
        assert_eq!(
            ratio_rate(names::MTLS_REQUESTS, five),
            "namespace_service:meshward_mtls_requests:ratio_rate5m"
        );
        assert_eq!(
            rate(names::REQUESTS, five),
            "namespace_service:meshward_requests:rate5m"
        );
        assert_eq!(
            latency_quantile(five),
            "namespace_service_quantile:meshward_request_duration_seconds:quantile5m"
        );
        assert_eq!(
            latency_quantile_baseline(five, day),
            "namespace_service_quantile:meshward_request_duration_seconds:avg_over_time1d_quantile5m"
        );
        assert_eq!(
            certificate_expiry(),
            "namespace_service:meshward_certificate_expiry_timestamp_seconds:min"
        );
        assert_eq!(
            ratio(names::AVAILABILITY_OBJECTIVE),
            "namespace_service:meshward_availability_objective:ratio"
        );
    }
}
