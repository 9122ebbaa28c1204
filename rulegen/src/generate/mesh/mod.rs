//! One translation per mesh: which series measure each signal of a service, and which series
//! the service's proxies would expose in a test scenario.
//!
//! Every selector names the service by its namespace and workload. Istio's request metrics
//! carry those as `destination_workload_namespace` / `destination_workload` and the
//! exporter's series as `namespace` / `workload`; the native series of Linkerd and Envoy get
//! theirs from Prometheus' scrape configuration, named by the spec's
//! [`Selectors`](crate::spec::model::Selectors).

mod envoy;
mod istio;
mod linkerd;
mod meshward;

use crate::generate::query::Selector;
use crate::generate::unittest::scenario::{InputSeries, Outcome, Scenario, Tls};
use crate::spec::model::{Mesh, Service, Spec};

/// Why a mesh's metrics cannot measure a signal, and what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// Why not, in one clause.
    pub reason: String,
    /// What the user can do instead.
    pub alternative: String,
}

/// Where a mesh's latency comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum LatencySource {
    /// A classic histogram in milliseconds.
    Histogram {
        /// The `_bucket` series.
        buckets: Selector,
        /// The default bucket bounds, in milliseconds (used to build test data).
        bounds_ms: &'static [f64],
    },
    /// Precomputed quantile gauges in seconds, one series per `quantile` label value.
    Quantiles {
        /// The gauge series, without the quantile matcher.
        gauge: Selector,
        /// The quantiles available, as label values.
        quantiles: &'static [&'static str],
    },
}

/// The series a mesh exposes for one service.
pub trait Translation {
    /// Which mesh this is.
    fn mesh(&self) -> Mesh;

    /// Inbound requests (a counter).
    fn requests(&self) -> Selector;

    /// Inbound requests over mutual TLS (a counter).
    fn mtls_requests(&self) -> Result<Selector, Unsupported>;

    /// Inbound requests without mutual TLS (a counter).
    fn plaintext_requests(&self) -> Result<Selector, Unsupported>;

    /// Inbound requests an authorization policy denied (a counter).
    fn denied_requests(&self) -> Selector;

    /// Inbound responses, the denominator of the error ratio (a counter).
    fn responses(&self) -> Selector;

    /// Inbound responses with a server error (a counter).
    fn error_responses(&self) -> Selector;

    /// The latency distribution of inbound requests.
    fn latency(&self) -> LatencySource;

    /// An expression: the Unix time at which the service's first certificate expires.
    fn certificate_expiry(&self) -> String;

    /// Whether the mesh also has Envoy's whole-days certificate gauge as a fallback.
    fn has_days_gauge(&self) -> bool {
        false
    }

    /// The series this service's proxies (and a few unrelated neighbours, which the selectors
    /// must ignore) would expose in `scenario`.
    fn input_series(&self, scenario: &Scenario) -> Vec<InputSeries>;
}

/// The translation of `service`'s mesh.
pub fn for_service(spec: &Spec, service: &Service) -> Box<dyn Translation> {
    let namespace = service.namespace.clone();
    let workload = service.workload.clone();
    match service.mesh {
        Mesh::Istio => Box::new(istio::Istio::new(
            namespace,
            workload,
            spec.selectors.istio.clone(),
        )),
        Mesh::Linkerd => Box::new(linkerd::Linkerd::new(
            namespace,
            workload,
            spec.selectors.linkerd.clone(),
        )),
        Mesh::Envoy => Box::new(envoy::Envoy::new(
            namespace,
            workload,
            spec.selectors.envoy.clone(),
        )),
        Mesh::Meshward => Box::new(meshward::Meshward::new(namespace, workload)),
    }
}

/// A workload name that differs from `workload`, for neighbours the selectors must ignore.
fn neighbour(workload: &str) -> String {
    format!("{workload}-neighbour")
}

/// `le` label values as Envoy and Linkerd print them: `0.5`, `1`, `3600000`.
fn le(bound: f64) -> String {
    format!("{bound}")
}

/// One request counter per kind of request the scenario sends (its TLS and outcome), named by
/// `series`; kinds it never sends get no series.
fn request_counters(
    scenario: &Scenario,
    series: impl Fn(Tls, Outcome) -> Selector,
) -> Vec<InputSeries> {
    let mut counters = Vec::new();
    for tls in Tls::ALL {
        for outcome in Outcome::ALL {
            let phases = scenario.counter(|p| p.traffic.get(tls, outcome));
            if phases.iter().all(|&(_, inc)| inc == 0) {
                continue;
            }
            counters.push(InputSeries::counter(&series(tls, outcome), &phases));
        }
    }
    counters
}

/// The per-phase `_bucket` counters of a histogram, one series per bound and `+Inf`.
fn bucket_series(
    scenario: &Scenario,
    bounds_ms: &[f64],
    series: impl Fn(&str) -> Selector,
) -> Vec<InputSeries> {
    use crate::generate::unittest::scenario::Latency;
    use meshward_signals::prometheus::LE_INF;

    if scenario.phases.iter().all(|p| p.latency.is_none()) {
        return Vec::new();
    }
    let labels = bounds_ms.iter().map(|&b| le(b)).chain([LE_INF.to_owned()]);
    labels
        .enumerate()
        .map(|(i, le)| {
            let phases = scenario.counter(|phase| match &phase.latency {
                Some(Latency::Buckets(cumulative)) => cumulative[i],
                _ => 0,
            });
            InputSeries::counter(&series(&le), &phases)
        })
        .collect()
}

/// The expiry expression of Envoy's per-certificate gauges, in either naming: with the
/// certificate name extracted into a label (plain Envoy) or left inside the metric name
/// (Istio's tag set), falling back to the whole-days gauge (less its "no certificate"
/// sentinels) when no per-certificate gauge is exposed.
fn envoy_certificate_expiry(scope: impl Fn(Selector) -> Selector) -> String {
    use meshward_signals::envoy;

    let family = |prefix: &str| prefix.trim_end_matches('_').to_owned();
    let (middle, suffix) = envoy::SSL_CERTIFICATE_EXPIRATION_PARTS;
    let name_regex = format!(
        "({}|{}){middle}(.+{suffix}|{})",
        family(envoy::LISTENER_FAMILY_PREFIX),
        family(envoy::CLUSTER_FAMILY_PREFIX),
        suffix.trim_start_matches('_')
    );
    let per_certificate = scope(Selector::matching_names(&name_regex));
    let days = scope(Selector::metric(
        envoy::SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING,
    ));
    let sentinel = envoy::NO_CERTIFICATE_SENTINELS
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    format!(
        "min({per_certificate})\nor\n(time() + 86400 * min({days} < {sentinel}))",
        sentinel = sentinel as u64
    )
}
