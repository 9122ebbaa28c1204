//! The validated, defaulted spec: what the generators read.
//!
//! Loading (YAML or Jsonnet), defaulting and value checks happen before a [`Spec`] exists;
//! every field here is already in range. Each service, signal and user rule remembers the
//! [`Span`] it came from, so later stages can point their errors at the spec.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::units::{PromDuration, Ratio};

/// The source files a spec was read from; [`Span`]s index into it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// Each file's display path and full text, in the order they were given.
    pub files: Vec<SourceFile>,
}

/// One file of a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as the user gave it.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// A place in one of the spec's [`Sources`]: byte offset and length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Index into [`Sources::files`].
    pub file: usize,
    /// Byte offset of the first character.
    pub offset: usize,
    /// Length in bytes (0 for a point).
    pub len: usize,
}

/// Whose metrics the generated rules read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mesh {
    /// Istio standard metrics (`istio_requests_total`, ...).
    Istio,
    /// linkerd2-proxy metrics (`request_total`, `response_total`, ...).
    Linkerd,
    /// Plain Envoy `/stats/prometheus` series.
    Envoy,
    /// The `meshward_*` series that `meshward-exporter` derives.
    Meshward,
}

impl Mesh {
    /// Every mesh, in a stable order.
    pub const ALL: [Mesh; 4] = [Mesh::Istio, Mesh::Linkerd, Mesh::Envoy, Mesh::Meshward];

    /// The name users write in specs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mesh::Istio => "istio",
            Mesh::Linkerd => "linkerd",
            Mesh::Envoy => "envoy",
            Mesh::Meshward => "meshward",
        }
    }
}

impl fmt::Display for Mesh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mesh {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mesh::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!("unknown mesh {s:?}: expected one of istio, linkerd, envoy, meshward")
            })
    }
}

/// How urgent an alert is; the values the monitoring-mixins convention allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Page a human now.
    Critical,
    /// Open a ticket; look during working hours.
    Warning,
    /// For dashboards and inhibition only.
    Info,
}

impl Severity {
    /// The label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole spec, merged from all its files, with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The spec format version; only 1 exists.
    pub version: u32,
    /// Names rule groups, files and dashboards: a lowercase slug (`[a-z0-9-]`).
    pub name: String,
    /// The default mesh of services that name none.
    pub mesh: Mesh,
    /// Labels added to every alert, sorted by name.
    pub labels: BTreeMap<String, String>,
    /// Handlebars template of the `runbook_url` annotation: `{{alert}}`, `{{service}}`,
    /// `{{namespace}}`.
    pub runbook_url: Option<String>,
    /// How often Prometheus scrapes the series the rules read; rate windows must span at
    /// least two scrapes.
    pub scrape_interval: PromDuration,
    /// How often Prometheus evaluates the generated rules.
    pub evaluation_interval: PromDuration,
    /// The services to watch, in spec order.
    pub services: Vec<Service>,
    /// The user's own rules, validated like the generated ones.
    pub rules: Vec<UserRule>,
    /// Which labels of scraped proxy series carry a service's namespace and workload
    /// (optional in YAML; [`Selectors::default`] when absent).
    pub selectors: Selectors,
    /// The files the spec came from.
    pub sources: Sources,
}

/// Which labels identify a service's series where the proxy itself does not name the workload.
///
/// Istio's request metrics carry `destination_workload_namespace` and `destination_workload`,
/// and `meshward-exporter` writes `namespace` and `workload`: those are fixed. The native
/// series of Linkerd proxies and of Envoy (plain, or inside an Istio sidecar: certificate
/// gauges) get their namespace and workload labels from Prometheus' scrape configuration, which
/// differs between installations. In YAML:
///
/// ```yaml
/// selectors:
///   linkerd: {namespace: namespace, workload: deployment}
///   envoy: {namespace: namespace, workload: app}
///   istio: {namespace: namespace, workload: app}
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selectors {
    /// Envoy-native series of Istio sidecars (certificate gauges).
    pub istio: SelectorLabels,
    /// linkerd2-proxy series.
    pub linkerd: SelectorLabels,
    /// Plain Envoy series.
    pub envoy: SelectorLabels,
}

impl Default for Selectors {
    /// The labels the projects' own Kubernetes scrape configurations produce: linkerd-viz maps
    /// the `linkerd.io/proxy-deployment` pod label to `deployment`; Istio's and Prometheus'
    /// example pod jobs map pod labels (the `app` label) and the namespace.
    fn default() -> Self {
        let labels = |namespace: &str, workload: &str| SelectorLabels {
            namespace: namespace.to_owned(),
            workload: workload.to_owned(),
            span: None,
        };
        Selectors {
            istio: labels("namespace", "app"),
            linkerd: labels("namespace", "deployment"),
            envoy: labels("namespace", "app"),
        }
    }
}

/// The two label names that select one service's series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorLabels {
    /// The label holding the service's `namespace`.
    pub namespace: String,
    /// The label holding the service's `workload`.
    pub workload: String,
    /// Where the selector is declared; `None` for the defaults.
    pub span: Option<Span>,
}

/// One service and the security signals to watch on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// The service name, as the `service` label of its alerts.
    pub name: String,
    /// The namespace of its workload.
    pub namespace: String,
    /// The workload whose proxies serve it (defaults to `name`).
    pub workload: String,
    /// Whose metrics this service's rules read (defaults to the spec's mesh).
    pub mesh: Mesh,
    /// Mutual TLS adoption.
    pub mtls: Option<Mtls>,
    /// Authorization denials.
    pub authz: Option<Authz>,
    /// An availability SLO.
    pub availability: Option<Availability>,
    /// A latency ceiling.
    pub latency: Option<Latency>,
    /// Error and latency spikes against a baseline.
    pub spikes: Option<Spikes>,
    /// Certificate expiry.
    pub certificates: Option<Certificates>,
    /// Where the service is declared.
    pub span: Span,
}

/// What the declared mTLS policy promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtlsMode {
    /// Every request must be mutual TLS: a single plaintext request alerts.
    Strict,
    /// Plaintext is tolerated; only adoption below `min_ratio` alerts.
    Permissive,
}

/// Mutual TLS adoption of inbound requests.
#[derive(Clone, Debug, PartialEq)]
pub struct Mtls {
    /// The declared policy.
    pub mode: MtlsMode,
    /// The share of inbound requests over mutual TLS below which to alert.
    pub min_ratio: Ratio,
    /// How long the condition must hold.
    pub for_: PromDuration,
    /// Severity of `MeshwardMtlsAdoptionLow` (and of `MeshwardPlaintextTraffic`).
    pub severity: Severity,
    /// Where the block is declared.
    pub span: Span,
}

/// Authorization denials over inbound requests.
#[derive(Clone, Debug, PartialEq)]
pub struct Authz {
    /// The share of denied inbound requests above which to alert.
    pub max_deny_ratio: Ratio,
    /// How long the condition must hold.
    pub for_: PromDuration,
    /// Severity of `MeshwardAuthzDenialsHigh`.
    pub severity: Severity,
    /// Where the block is declared.
    pub span: Span,
}

/// An availability SLO, alerted with multiwindow multi-burn-rate alerts.
#[derive(Clone, Debug, PartialEq)]
pub struct Availability {
    /// The share of inbound requests that must not fail with a 5xx.
    pub objective: Ratio,
    /// The SLO period (`30d`, `28d`).
    pub window: PromDuration,
    /// Where the block is declared.
    pub span: Span,
}

/// A ceiling on a latency percentile of inbound requests.
#[derive(Clone, Debug, PartialEq)]
pub struct Latency {
    /// The percentile, 0 < p < 1 (`0.99`).
    pub percentile: Ratio,
    /// The latency above which to alert.
    pub threshold: PromDuration,
    /// How long the condition must hold.
    pub for_: PromDuration,
    /// Severity of `MeshwardLatencyHigh`.
    pub severity: Severity,
    /// Where the block is declared.
    pub span: Span,
}

/// Spike detection against a baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Spikes {
    /// Spikes of the 5xx ratio.
    pub errors: Option<Spike>,
    /// Spikes of the latency percentile.
    pub latency: Option<Spike>,
}

/// One spike detector: the short-window value against `factor` times its baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Spike {
    /// How many times the baseline the short window must reach (> 1).
    pub factor: f64,
    /// How far back the baseline looks (`1d`).
    pub baseline: PromDuration,
    /// How long the spike must last.
    pub for_: PromDuration,
    /// Severity of the spike alert.
    pub severity: Severity,
    /// Where the block is declared.
    pub span: Span,
}

/// Certificate expiry thresholds.
#[derive(Clone, Debug, PartialEq)]
pub struct Certificates {
    /// Warn when a certificate expires within this long.
    pub warn_before: PromDuration,
    /// Page when a certificate expires within this long (shorter than `warn_before`).
    pub critical_before: PromDuration,
    /// Where the block is declared.
    pub span: Span,
}

/// A rule the user wrote in PromQL: the escape hatch.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRule {
    /// Alert or recording rule, with its name.
    pub kind: UserRuleKind,
    /// The PromQL expression.
    pub expr: String,
    /// How long an alert's condition must hold.
    pub for_: Option<PromDuration>,
    /// How long an alert keeps firing after its condition clears.
    pub keep_firing_for: Option<PromDuration>,
    /// Labels, sorted by name.
    pub labels: BTreeMap<String, String>,
    /// Annotations of an alert, sorted by name.
    pub annotations: BTreeMap<String, String>,
    /// Where the rule is declared.
    pub span: Span,
    /// Where the expression's text starts, for PromQL error positions.
    pub expr_span: Span,
}

/// Whether a [`UserRule`] is an alert or a recording rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRuleKind {
    /// `alert: Name`.
    Alert(String),
    /// `record: level:metric:operations`.
    Record(String),
}
