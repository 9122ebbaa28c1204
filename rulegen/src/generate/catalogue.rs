//! The catalogue: a machine-readable list of every recorded series and every alert of a
//! compiled spec, for dashboards, mixins and other tools that must read the same series the
//! alerts read.
//!
//! A consumer draws a panel per [`RecordEntry`] (its `selector` reads exactly that series, in
//! its `unit`) and a threshold line per [`Condition`] of each [`AlertEntry`] (plot `measure`,
//! draw `threshold`). Everything is sorted and stable; `meshward generate` also writes it as
//! `<spec>.catalogue.json`.

use std::collections::BTreeMap;

use serde::Serialize;

/// Every series and alert of one compiled spec.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Catalogue {
    /// The spec's name.
    pub spec: String,
    /// The services, in spec order.
    pub services: Vec<ServiceEntry>,
    /// The recording rules, service by service, in rule-file order.
    pub recording_rules: Vec<RecordEntry>,
    /// The alerts, service by service, in rule-file order.
    pub alerts: Vec<AlertEntry>,
}

/// What a series or alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Inbound request rate.
    Traffic,
    /// Mutual TLS adoption, and plaintext requests.
    Mtls,
    /// Authorization denials.
    Authz,
    /// The availability SLO and its error budget.
    Availability,
    /// A latency percentile.
    Latency,
    /// Spikes of the 5xx ratio.
    ErrorSpike,
    /// Spikes of a latency percentile.
    LatencySpike,
    /// Certificate expiry.
    Certificates,
}

/// The unit of a series or threshold, as a dashboard should format it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Requests per second.
    RequestsPerSecond,
    /// A share between 0 and 1.
    Ratio,
    /// Seconds (a duration).
    Seconds,
    /// Seconds since the Unix epoch (a point in time).
    UnixTimestampSeconds,
    /// A multiple of a baseline.
    Factor,
}

/// One watched service.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceEntry {
    /// The `service` label of its series and alerts.
    pub name: String,
    /// The `namespace` label of its series and alerts.
    pub namespace: String,
    /// The workload whose proxies serve it.
    pub workload: String,
    /// Whose metrics its rules read: `istio`, `linkerd`, `envoy` or `meshward`.
    pub mesh: String,
    /// The signals watched on it.
    pub signals: Vec<Signal>,
    /// The rule file holding its rules.
    pub rule_file: String,
    /// Its recording group.
    pub recording_group: String,
    /// Its alerting group.
    pub alerting_group: String,
}

/// One recording rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordEntry {
    /// The recorded metric name, `namespace_service:meshward_mtls_requests:ratio_rate5m`.
    pub record: String,
    /// The service it is about.
    pub service: String,
    /// That service's namespace.
    pub namespace: String,
    /// Every label the series carries (`namespace`, `service`, and `quantile` for latency).
    pub labels: BTreeMap<String, String>,
    /// A PromQL selector that reads exactly this series.
    pub selector: String,
    /// What it is about.
    pub signal: Signal,
    /// What it measures, in one sentence.
    pub meaning: String,
    /// Its unit.
    pub unit: Unit,
    /// The window it looks through (`5m`), if any.
    pub window: Option<String>,
}

/// One alerting rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertEntry {
    /// The alert name.
    pub alert: String,
    /// The service it is about.
    pub service: String,
    /// That service's namespace.
    pub namespace: String,
    /// What it is about.
    pub signal: Signal,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// Every label a firing alert carries besides `alertname`.
    pub labels: BTreeMap<String, String>,
    /// The rule's expression.
    pub expr: String,
    /// Its `for`, if any.
    #[serde(rename = "for")]
    pub for_: Option<String>,
    /// Its `keep_firing_for`, if any.
    pub keep_firing_for: Option<String>,
    /// The conditions that must all hold: what to plot and where to draw the line.
    pub conditions: Vec<Condition>,
    /// The static summary.
    pub summary: String,
    /// The description, a Prometheus template.
    pub description: String,
    /// The rendered runbook URL.
    pub runbook_url: String,
}

/// One condition of an alert: `measure op threshold`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Condition {
    /// A PromQL expression to plot.
    pub measure: String,
    /// `<` or `>`.
    pub op: String,
    /// The threshold as a number.
    pub threshold: f64,
    /// The threshold exactly as the rule writes it.
    pub threshold_text: String,
    /// The unit of `measure` and `threshold`.
    pub unit: Unit,
}
