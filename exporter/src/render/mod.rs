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
