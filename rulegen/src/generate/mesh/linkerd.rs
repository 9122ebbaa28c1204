//! Linkerd: the inbound request, response and authorization counters of linkerd2-proxy, its
//! response-latency histogram and its identity certificate gauge (under every name it has had).
//!
//! A request over mutual TLS is one with `tls="true"`: the proxy verified the client's identity.
//! The namespace and workload labels come from Prometheus' scrape configuration (linkerd-viz's
//! maps them to `namespace` and `deployment`).

use meshward_signals::{linkerd, prometheus};

use super::{bucket_series, neighbour, LatencySource, Translation, Unsupported};
use crate::generate::query::{alternatives, Selector};
use crate::generate::unittest::scenario::{Certificate, InputSeries, Outcome, Scenario, Tls};
use crate::spec::model::{Mesh, SelectorLabels};

/// Status codes of test responses.
const HTTP_OK: &str = "200";
const HTTP_FORBIDDEN: &str = "403";
const HTTP_UNAVAILABLE: &str = "503";

pub struct Linkerd {
    namespace: String,
    workload: String,
    scraped: SelectorLabels,
}

impl Linkerd {
    pub fn new(namespace: String, workload: String, scraped: SelectorLabels) -> Linkerd {
        Linkerd {
            namespace,
            workload,
            scraped,
        }
    }

    fn service(&self, selector: Selector) -> Selector {
        self.workload_series(selector, &self.workload)
    }

    fn workload_series(&self, selector: Selector, workload: &str) -> Selector {
        selector
            .eq(&self.scraped.namespace, &self.namespace)
            .eq(&self.scraped.workload, workload)
    }

    fn inbound(&self, metric: &str) -> Selector {
        self.service(Selector::metric(metric).eq(linkerd::DIRECTION, linkerd::DIRECTION_INBOUND))
    }

    fn tls_labels(&self, selector: Selector, tls: Tls) -> Selector {
        match tls {
            Tls::Mutual => {
                let client = format!(
                    "frontend.{}.serviceaccount.identity.linkerd.cluster.local",
                    self.namespace
                );
                selector
                    .eq(linkerd::TLS, linkerd::TLS_TRUE)
                    .eq(linkerd::CLIENT_ID, &client)
            }
            Tls::Plaintext => selector
                .eq(linkerd::TLS, linkerd::TLS_NO_IDENTITY)
                .eq(linkerd::NO_TLS_REASON, linkerd::NO_TLS_FROM_REMOTE),
        }
    }

    fn request_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mut series = Vec::new();
        for tls in Tls::ALL {
            let requests = scenario.counter(|p| p.traffic.sum(|t, _| t == tls));
            if requests.iter().all(|&(_, inc)| inc == 0) {
                continue;
            }
            let selector = self.tls_labels(self.inbound(linkerd::REQUEST_TOTAL), tls);
            series.push(InputSeries::counter(&selector, &requests));

            for outcome in Outcome::ALL {
                let responses = scenario.counter(|p| p.traffic.get(tls, outcome));
                if responses.iter().all(|&(_, inc)| inc == 0) {
                    continue;
                }
                let (code, class) = match outcome {
                    Outcome::Ok => (HTTP_OK, linkerd::CLASSIFICATION_SUCCESS),
                    Outcome::Denied => (HTTP_FORBIDDEN, linkerd::CLASSIFICATION_SUCCESS),
                    Outcome::Error => (HTTP_UNAVAILABLE, linkerd::CLASSIFICATION_FAILURE),
                };
                let selector = self
                    .tls_labels(self.inbound(linkerd::RESPONSE_TOTAL), tls)
                    .eq(linkerd::STATUS_CODE, code)
                    .eq(linkerd::CLASSIFICATION, class);
                series.push(InputSeries::counter(&selector, &responses));
            }

            let denied = scenario.counter(|p| p.traffic.get(tls, Outcome::Denied));
            if denied.iter().any(|&(_, inc)| inc > 0) {
                let selector = self.tls_labels(
                    self.service(Selector::metric(linkerd::INBOUND_HTTP_AUTHZ_DENY_TOTAL)),
                    tls,
                );
                series.push(InputSeries::counter(&selector, &denied));
            }
        }
        if series.is_empty() {
            return series;
        }

        // What the workload itself sends, and a neighbour's plaintext failures: counting either
        // would change every ratio.
        let all = scenario.counter(|p| p.traffic.total());
        let outbound = self.tls_labels(
            self.service(Selector::metric(linkerd::RESPONSE_TOTAL))
                .eq(linkerd::DIRECTION, linkerd::DIRECTION_OUTBOUND),
            Tls::Plaintext,
        );
        let neighbour = self.tls_labels(
            self.workload_series(
                Selector::metric(linkerd::REQUEST_TOTAL)
                    .eq(linkerd::DIRECTION, linkerd::DIRECTION_INBOUND),
                &neighbour(&self.workload),
            ),
            Tls::Plaintext,
        );
        for selector in [outbound, neighbour] {
            let selector = selector.eq(linkerd::STATUS_CODE, HTTP_UNAVAILABLE);
            series.push(InputSeries::counter(&selector, &all));
        }
        series
    }

    fn certificate_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let samples = scenario.samples();
        let [current, older] = linkerd::IDENTITY_CERT_EXPIRATION;
        let mut series = Vec::new();
        for certificate in &scenario.certificates {
            if let Certificate::ExpiresAt(at) = *certificate {
                // One pod on a current proxy, one on a proxy old enough to use the older name,
                // whose certificate was issued later.
                let this = self
                    .service(Selector::metric(current))
                    .eq(prometheus::POD, "a");
                let other = self
                    .service(Selector::metric(older))
                    .eq(prometheus::POD, "b");
                series.push(InputSeries::gauge(&this, &at.to_string(), samples));
                series.push(InputSeries::gauge(
                    &other,
                    &(at + 3600).to_string(),
                    samples,
                ));
            }
        }
        series
    }
}

impl Translation for Linkerd {
    fn mesh(&self) -> Mesh {
        Mesh::Linkerd
    }

    fn requests(&self) -> Selector {
        self.inbound(linkerd::REQUEST_TOTAL)
    }

    fn mtls_requests(&self) -> Result<Selector, Unsupported> {
        Ok(self.requests().eq(linkerd::TLS, linkerd::TLS_TRUE))
    }

    fn plaintext_requests(&self) -> Result<Selector, Unsupported> {
        Ok(self.requests().ne(linkerd::TLS, linkerd::TLS_TRUE))
    }

    fn denied_requests(&self) -> Selector {
        self.service(Selector::metric(linkerd::INBOUND_HTTP_AUTHZ_DENY_TOTAL))
    }

    fn responses(&self) -> Selector {
        self.inbound(linkerd::RESPONSE_TOTAL)
    }

    fn error_responses(&self) -> Selector {
        self.responses()
            .re(linkerd::STATUS_CODE, linkerd::STATUS_CODE_SERVER_ERROR_RE)
    }

    fn latency(&self) -> LatencySource {
        let name = format!(
            "{}{}",
            linkerd::RESPONSE_LATENCY_MS,
            prometheus::BUCKET_SUFFIX
        );
        LatencySource::Histogram {
            buckets: self.inbound(&name),
            bounds_ms: &linkerd::RESPONSE_LATENCY_BUCKETS_MS,
        }
    }

    fn certificate_expiry(&self) -> String {
        let names = alternatives(&linkerd::IDENTITY_CERT_EXPIRATION);
        let gauges = self.service(Selector::matching_names(&names));
        format!("min({gauges})")
    }

    fn input_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mut series = self.request_series(scenario);
        if let LatencySource::Histogram { buckets, bounds_ms } = self.latency() {
            series.extend(bucket_series(scenario, bounds_ms, |le| {
                buckets.clone().eq(prometheus::LE, le)
            }));
        }
        series.extend(self.certificate_series(scenario));
        series
    }
}
