//! The `/metrics` page: every family from the store, encoded by prometheus-client in the
//! Prometheus text format (0.0.4) or, when the scraper asks for it, OpenMetrics 1.0.
//!
//! Families come out sorted by name and series in a stable order (by target address, then
//! by their own labels), so two renderings of the same state are byte-identical.

pub mod families;

use std::sync::Arc;
use std::time::SystemTime;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::store::Store;
use families::{collect, Kind};

/// The formats `/metrics` can answer in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Prometheus text format 0.0.4: what `curl` and `promtool check metrics` read.
    Text,
    /// OpenMetrics 1.0 text, for scrapers that ask for it.
    OpenMetrics,
}

impl OutputFormat {
    /// The format to answer a request whose `Accept` header is `accept`.
    pub fn negotiate(accept: Option<&str>) -> OutputFormat {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => {
                OutputFormat::OpenMetrics
            }
            _ => OutputFormat::Text,
        }
    }

    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Text => prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            OutputFormat::OpenMetrics => {
                "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
        }
    }
}

/// Encodes the store as it is now.
pub fn render(store: &Arc<Store>, format: OutputFormat) -> String {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(StoreCollector {
        store: store.clone(),
    }));
    let mut out = String::new();
    let result = match format {
        OutputFormat::Text => {
            prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)
        }
        OutputFormat::OpenMetrics => prometheus_client::encoding::text::encode(&mut out, &registry),
    };
    // Writing into a String cannot fail, and our collector only fails when the writer does.
    result.expect("encoding into a String");
    out
}

/// Hands the store's families to prometheus-client at encoding time.
#[derive(Debug)]
struct StoreCollector {
    store: Arc<Store>,
}

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let families = {
            let entries = self.store.read();
            collect(&entries, &self.store.status, SystemTime::now())
        };
        for family in families {
            let (name, metric_type) = match family.kind {
                // The encoder adds the suffixes that a counter and an info family carry.
                Kind::Counter => (strip(family.name, "_total"), MetricType::Counter),
                Kind::Gauge => (family.name, MetricType::Gauge),
                Kind::Info => (strip(family.name, "_info"), MetricType::Info),
            };
            let mut metric = encoder.encode_descriptor(name, family.help, None, metric_type)?;
            for series in &family.series {
                match family.kind {
                    Kind::Info => metric.encode_info(&series.labels)?,
                    Kind::Counter => ConstCounter::new(series.value)
                        .encode(metric.encode_family(&series.labels)?)?,
                    Kind::Gauge => ConstGauge::new(series.value)
                        .encode(metric.encode_family(&series.labels)?)?,
                }
            }
        }
        Ok(())
    }
}

fn strip<'a>(name: &'a str, suffix: &str) -> &'a str {
    name.strip_suffix(suffix).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use meshward_signals::exported::{AuthFailureReason, Direction, FailureLevel, Tls};
    use meshward_signals::Dialect;

    use super::*;
    use crate::derive::Derived;
    use crate::target::Target;

    fn store_with(derived: Derived, last_success: Option<SystemTime>) -> Arc<Store> {
        let store = Arc::new(Store::default());
        let target = Target {
            address: "10.0.0.7:15090".into(),
            metrics_path: "/stats/prometheus".into(),
            labels: BTreeMap::from([("namespace".into(), "shop".into())]),
            dialect: Some(Dialect::Istio),
            inbound_prefixes: vec!["inbound".into()],
        };
        store.insert(target, 1, Duration::from_secs(60));
        store.update("10.0.0.7:15090", 1, |report| {
            report.up = Some(true);
            report.dialect = Some(Dialect::Istio);
            report.derived = Some(derived);
            report.last_success = last_success;
        });
        store
    }

    fn traffic() -> Derived {
        let mut derived = Derived::default();
        derived
            .requests_total
            .insert((Direction::Inbound, Tls::Mutual, "2xx".into()), 40.0);
        derived.mtls_ratio.insert(Direction::Inbound, 1.0);
        derived.error_ratio = Some(0.0);
        derived
    }

    #[test]
    fn a_window_without_traffic_serves_no_ratio() {
        let store = store_with(Derived::default(), Some(SystemTime::now()));
        let page = render(&store, OutputFormat::Text);
        assert!(!page.contains("_ratio{"), "{page}");
        assert!(!page.contains("NaN"), "{page}");
        assert!(
            page.contains("up{namespace=\"shop\",target=\"10.0.0.7:15090\"} 1.0\n"),
            "{page}"
        );
    }

    #[test]
    fn ratios_carry_the_target_labels_and_mesh() {
        let store = store_with(traffic(), Some(SystemTime::now()));
        let page = render(&store, OutputFormat::Text);
        assert!(
            page.contains(
                "meshward_mtls_ratio{direction=\"inbound\",mesh=\"istio\",namespace=\"shop\",\
                 target=\"10.0.0.7:15090\"} 1.0\n"
            ),
            "{page}"
        );
        assert!(
            page.contains("# TYPE meshward_requests_total counter\n"),
            "{page}"
        );
    }

    #[test]
    fn auth_failures_carry_their_reason_and_level() {
        let mut derived = traffic();
        derived.auth_failures_total.extend([
            ((AuthFailureReason::AuthzDenied, FailureLevel::Request), 2.0),
            (
                (AuthFailureReason::AuthzDenied, FailureLevel::Connection),
                5.0,
            ),
        ]);
        let page = render(
            &store_with(derived, Some(SystemTime::now())),
            OutputFormat::Text,
        );
        for (level, value) in [("connection", "5.0"), ("request", "2.0")] {
            let line = format!(
                "meshward_auth_failures_total{{level=\"{level}\",mesh=\"istio\",\
                 namespace=\"shop\",reason=\"authz_denied\",target=\"10.0.0.7:15090\"}} \
                 {value}\n"
            );
            assert!(page.contains(&line), "{line} not in\n{page}");
        }
    }

    #[test]
    fn a_target_unread_for_a_whole_window_keeps_only_counters() {
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        let page = render(&store_with(traffic(), Some(long_ago)), OutputFormat::Text);
        assert!(!page.contains("meshward_mtls_ratio"), "{page}");
        assert!(!page.contains("meshward_error_ratio"), "{page}");
        assert!(page.contains("meshward_requests_total{"), "{page}");
    }

    #[test]
    fn output_is_sorted_and_stable() {
        let store = store_with(traffic(), Some(SystemTime::now()));
        let first = render(&store, OutputFormat::Text);
        assert_eq!(first, render(&store, OutputFormat::Text));
        let names: Vec<&str> = first
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE "))
            .map(|line| line.split(' ').next().unwrap())
            .collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn series_are_sorted_by_labels() {
        let page = render(&Arc::new(Store::default()), OutputFormat::Text);
        let failure = page.find("{result=\"failure\"}").unwrap();
        assert!(
            failure < page.find("{result=\"success\"}").unwrap(),
            "{page}"
        );
    }

    #[test]
    fn openmetrics_is_served_only_when_asked_for() {
        let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
        assert_eq!(
            OutputFormat::negotiate(Some(accept)),
            OutputFormat::OpenMetrics
        );
        assert_eq!(OutputFormat::negotiate(Some("*/*")), OutputFormat::Text);
        assert_eq!(OutputFormat::negotiate(None), OutputFormat::Text);

        let store = store_with(traffic(), Some(SystemTime::now()));
        let page = render(&store, OutputFormat::OpenMetrics);
        assert!(page.ends_with("# EOF\n"), "{page}");
        assert!(
            page.contains("# TYPE meshward_requests counter\n"),
            "{page}"
        );
        assert!(page.contains("# TYPE meshward_build info\n"), "{page}");
    }
}
