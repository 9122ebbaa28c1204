//! A target: one proxy endpoint to scrape, with the labels its series carry.

use std::collections::BTreeMap;

use meshward_signals::Dialect;

/// One proxy endpoint, as the configuration or a file_sd file describes it.
///
/// Two targets are the same target when every field is equal; a reload that leaves a target
/// equal keeps its scrape schedule and its derived state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// `host:port`; unique among the targets of a configuration.
    pub address: String,
    /// Path and query scraped, e.g. `/stats/prometheus`.
    pub metrics_path: String,
    /// Labels every series of the target carries (`namespace`, `workload`, ...).
    pub labels: BTreeMap<String, String>,
    /// The configured mesh; `None` detects it from the exposition.
    pub dialect: Option<Dialect>,
    /// Stat prefixes of plain Envoy's inbound HTTP connection managers.
    pub inbound_prefixes: Vec<String>,
}

impl Target {
    /// The path a proxy of `dialect` serves its metrics on: Linkerd's admin `/metrics`,
    /// else Envoy's `/stats/prometheus` (Istio sidecars serve the same).
    pub fn default_metrics_path(dialect: Option<Dialect>) -> &'static str {
        match dialect {
            Some(Dialect::Linkerd) => "/metrics",
            _ => "/stats/prometheus",
        }
    }

    /// The URL scraped, for logs and the landing page.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.address, self.metrics_path)
    }
}
