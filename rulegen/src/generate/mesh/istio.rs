//! Istio: the standard request metrics reported by the destination's sidecar, and the
//! sidecar's Envoy certificate gauges.
//!
//! Only the server-side proxy knows whether a request arrived over mutual TLS, so every request
//! figure reads `reporter="destination"`. Authorization denials are the requests answered 403:
//! Istio's standard metrics carry no denial flag for RBAC, and the sidecar's RBAC counters carry
//! no workload label.

use meshward_signals::{envoy, istio, prometheus};

use super::Unsupported;
use super::{
    bucket_series, envoy_certificate_expiry, neighbour, request_counters, LatencySource,
    Translation,
};
use crate::generate::query::Selector;
use crate::generate::unittest::scenario::{Certificate, InputSeries, Outcome, Scenario, Tls};
use crate::spec::model::{Mesh, SelectorLabels};

/// The client workload of test traffic.
const CLIENT: &str = "frontend";
/// A sidecar's inbound listener, on test certificate gauges.
const INBOUND_LISTENER: &str = "0.0.0.0_15006";

pub struct Istio {
    namespace: String,
    workload: String,
    scraped: SelectorLabels,
}

impl Istio {
    pub fn new(namespace: String, workload: String, scraped: SelectorLabels) -> Istio {
        Istio {
            namespace,
            workload,
            scraped,
        }
    }

    // TODO: ambient mode reports L7 requests with `reporter="waypoint"`; reading it needs a
    // way to tell a waypoint's report from a sidecar's for the same request (both may exist),
    // so ambient services are not covered yet.
    fn destination(&self, metric: &str, workload: &str) -> Selector {
        Selector::metric(metric)
            .eq(istio::REPORTER, istio::REPORTER_DESTINATION)
            .eq(istio::DESTINATION_WORKLOAD_NAMESPACE, &self.namespace)
            .eq(istio::DESTINATION_WORKLOAD, workload)
    }

    fn duration_buckets(&self, reporter: &str) -> Selector {
        let name = format!(
            "{}{}",
            istio::REQUEST_DURATION_MILLISECONDS,
            prometheus::BUCKET_SUFFIX
        );
        Selector::metric(&name)
            .eq(istio::REPORTER, reporter)
            .eq(istio::DESTINATION_WORKLOAD_NAMESPACE, &self.namespace)
            .eq(istio::DESTINATION_WORKLOAD, &self.workload)
    }

    fn inbound(&self) -> Selector {
        self.destination(istio::REQUESTS_TOTAL, &self.workload)
    }

    fn scraped(&self, selector: Selector) -> Selector {
        selector
            .eq(&self.scraped.namespace, &self.namespace)
            .eq(&self.scraped.workload, &self.workload)
    }

    fn request_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mut series = request_counters(scenario, |tls, outcome| {
            let policy = match tls {
                Tls::Mutual => istio::MUTUAL_TLS,
                Tls::Plaintext => istio::CONNECTION_SECURITY_POLICY_NONE,
            };
            self.inbound()
                .eq(istio::SOURCE_WORKLOAD, CLIENT)
                .eq(istio::CONNECTION_SECURITY_POLICY, policy)
                .eq(istio::RESPONSE_CODE, response_code(outcome))
        });
        if series.is_empty() {
            return series;
        }

        // The client's own report of the same requests, and a neighbour's plaintext errors:
        // counting either would change every ratio.
        let all = scenario.counter(|p| p.traffic.total());
        let source_report = Selector::metric(istio::REQUESTS_TOTAL)
            .eq(istio::REPORTER, istio::REPORTER_SOURCE)
            .eq(istio::DESTINATION_WORKLOAD_NAMESPACE, &self.namespace)
            .eq(istio::DESTINATION_WORKLOAD, &self.workload)
            .eq(istio::CONNECTION_SECURITY_POLICY, istio::UNKNOWN)
            .eq(istio::RESPONSE_CODE, istio::RESPONSE_CODE_UNAVAILABLE);
        let neighbour = self
            .destination(istio::REQUESTS_TOTAL, &neighbour(&self.workload))
            .eq(
                istio::CONNECTION_SECURITY_POLICY,
                istio::CONNECTION_SECURITY_POLICY_NONE,
            )
            .eq(istio::RESPONSE_CODE, istio::RESPONSE_CODE_UNAVAILABLE);
        series.push(InputSeries::counter(&source_report, &all));
        series.push(InputSeries::counter(&neighbour, &all));
        series
    }

    fn certificate_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let (middle, suffix) = envoy::SSL_CERTIFICATE_EXPIRATION_PARTS;
        let listener = envoy::LISTENER_FAMILY_PREFIX.trim_end_matches('_');
        let gauge = |certificate: &str| {
            self.scraped(Selector::metric(&format!(
                "{listener}{middle}{certificate}{suffix}"
            )))
            .eq(istio::LISTENER_ADDRESS, INBOUND_LISTENER)
        };
        let samples = scenario.samples();
        let mut series = Vec::new();
        for certificate in &scenario.certificates {
            match *certificate {
                Certificate::ExpiresAt(at) => {
                    // The workload certificate, and a root that outlives it.
                    let workload = gauge(istio::SDS_WORKLOAD_CERTIFICATE);
                    let root = gauge(istio::SDS_ROOT_CERTIFICATE);
                    series.push(InputSeries::gauge(&workload, &at.to_string(), samples));
                    let later = (at + 365 * 86_400).to_string();
                    series.push(InputSeries::gauge(&root, &later, samples));
                }
                Certificate::DaysLeft(days) => {
                    let selector = self.scraped(Selector::metric(
                        envoy::SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING,
                    ));
                    series.push(InputSeries::gauge(&selector, &days.to_string(), samples));
                }
            }
        }
        series
    }
}

fn response_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => istio::RESPONSE_CODE_OK,
        Outcome::Denied => istio::RESPONSE_CODE_FORBIDDEN,
        Outcome::Error => istio::RESPONSE_CODE_UNAVAILABLE,
    }
}

impl Translation for Istio {
    fn mesh(&self) -> Mesh {
        Mesh::Istio
    }

    fn requests(&self) -> Selector {
        self.inbound()
    }

    fn mtls_requests(&self) -> Result<Selector, Unsupported> {
        Ok(self
            .inbound()
            .eq(istio::CONNECTION_SECURITY_POLICY, istio::MUTUAL_TLS))
    }

    fn plaintext_requests(&self) -> Result<Selector, Unsupported> {
        Ok(self
            .inbound()
            .ne(istio::CONNECTION_SECURITY_POLICY, istio::MUTUAL_TLS))
    }

    fn denied_requests(&self) -> Selector {
        self.inbound()
            .eq(istio::RESPONSE_CODE, istio::RESPONSE_CODE_FORBIDDEN)
    }

    fn responses(&self) -> Selector {
        self.inbound()
    }

    fn error_responses(&self) -> Selector {
        self.inbound()
            .re(istio::RESPONSE_CODE, istio::RESPONSE_CODE_SERVER_ERROR_RE)
    }

    fn latency(&self) -> LatencySource {
        LatencySource::Histogram {
            buckets: self.duration_buckets(istio::REPORTER_DESTINATION),
            bounds_ms: &istio::REQUEST_DURATION_BUCKETS_MS,
        }
    }

    fn certificate_expiry(&self) -> String {
        envoy_certificate_expiry(|s| self.scraped(s))
    }

    fn has_days_gauge(&self) -> bool {
        true
    }

    fn input_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mut series = self.request_series(scenario);
        let bounds = &istio::REQUEST_DURATION_BUCKETS_MS;
        let own = self.duration_buckets(istio::REPORTER_DESTINATION);
        series.extend(bucket_series(scenario, bounds, |le| {
            own.clone().eq(prometheus::LE, le)
        }));
        // The client side's view of the same requests, slower than every bucket; it must not
        // count.
        let client = self.duration_buckets(istio::REPORTER_SOURCE);
        let slow = bucket_series(scenario, bounds, |le| client.clone().eq(prometheus::LE, le));
        series.extend(slow.into_iter().last());
        series.extend(self.certificate_series(scenario));
        series
    }
}
