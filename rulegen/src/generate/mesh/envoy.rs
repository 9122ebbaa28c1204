//! Plain Envoy: the HTTP connection managers' request, response-class and latency series, the
//! RBAC and ext_authz denial counters, and the certificate gauges.
//!
//! Envoy counts TLS per listener handshake, not per request, so it cannot say which share of
//! requests arrived over mutual TLS: `mtls` is refused for this mesh. The admin listener's
//! connection manager (`envoy_http_conn_manager_prefix="admin"`), which Prometheus' own scrapes
//! go through, is excluded from every request figure.

use meshward_signals::{envoy, prometheus};

use super::{
    bucket_series, envoy_certificate_expiry, neighbour, LatencySource, Translation, Unsupported,
};
use crate::generate::query::{alternatives, Selector};
use crate::generate::unittest::scenario::{Certificate, InputSeries, Outcome, Scenario};
use crate::spec::model::{Mesh, SelectorLabels};

/// The connection manager of test traffic.
const INGRESS: &str = "ingress_http";

pub struct Envoy {
    namespace: String,
    workload: String,
    scraped: SelectorLabels,
}

impl Envoy {
    pub fn new(namespace: String, workload: String, scraped: SelectorLabels) -> Envoy {
        Envoy {
            namespace,
            workload,
            scraped,
        }
    }

    fn scraped(&self, selector: Selector, workload: &str) -> Selector {
        selector
            .eq(&self.scraped.namespace, &self.namespace)
            .eq(&self.scraped.workload, workload)
    }

    /// Series of the service's connection managers, the admin one excluded.
    // TODO: a sidecar-style Envoy also has outbound connection managers, whose requests count
    // here as inbound; telling them apart needs the manager's stat prefix, which differs per
    // deployment (Consul's `public_listener`, Envoy examples' `ingress_http`) and is not yet a
    // spec setting.
    fn http(&self, selector: Selector) -> Selector {
        self.scraped(selector, &self.workload).ne(
            envoy::HTTP_CONN_MANAGER_PREFIX,
            envoy::ADMIN_CONN_MANAGER_PREFIX,
        )
    }

    fn ingress(&self, metric: &str, workload: &str) -> Selector {
        self.scraped(Selector::metric(metric), workload)
            .eq(envoy::HTTP_CONN_MANAGER_PREFIX, INGRESS)
    }

    fn request_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let total = scenario.counter(|p| p.traffic.total());
        if total.iter().all(|&(_, inc)| inc == 0) {
            return Vec::new();
        }
        let by = |outcome: Outcome| scenario.counter(move |p| p.traffic.sum(|_, o| o == outcome));
        let rq_xx = |class: &str| {
            self.ingress(envoy::HTTP_DOWNSTREAM_RQ_XX, &self.workload)
                .eq(envoy::RESPONSE_CODE_CLASS, class)
        };
        let allowed = scenario.counter(|p| p.traffic.sum(|_, o| o != Outcome::Denied));
        let mut series = vec![
            InputSeries::counter(
                &self.ingress(envoy::HTTP_DOWNSTREAM_RQ_TOTAL, &self.workload),
                &total,
            ),
            InputSeries::counter(&rq_xx(envoy::RESPONSE_CODE_CLASS_SUCCESS), &by(Outcome::Ok)),
            InputSeries::counter(
                &rq_xx(envoy::RESPONSE_CODE_CLASS_CLIENT_ERROR),
                &by(Outcome::Denied),
            ),
            InputSeries::counter(
                &rq_xx(envoy::RESPONSE_CODE_CLASS_SERVER_ERROR),
                &by(Outcome::Error),
            ),
            InputSeries::counter(
                &self.ingress(envoy::HTTP_RBAC_DENIED, &self.workload),
                &by(Outcome::Denied),
            ),
            InputSeries::counter(
                &self.ingress(envoy::HTTP_RBAC_ALLOWED, &self.workload),
                &allowed,
            ),
        ];

        // Prometheus' own scrapes through the admin listener, and a neighbour's server errors:
        // counting either would change every ratio.
        let admin = self
            .scraped(
                Selector::metric(envoy::HTTP_DOWNSTREAM_RQ_XX),
                &self.workload,
            )
            .eq(
                envoy::HTTP_CONN_MANAGER_PREFIX,
                envoy::ADMIN_CONN_MANAGER_PREFIX,
            )
            .eq(
                envoy::RESPONSE_CODE_CLASS,
                envoy::RESPONSE_CODE_CLASS_SERVER_ERROR,
            );
        let neighbour = self
            .ingress(envoy::HTTP_DOWNSTREAM_RQ_XX, &neighbour(&self.workload))
            .eq(
                envoy::RESPONSE_CODE_CLASS,
                envoy::RESPONSE_CODE_CLASS_SERVER_ERROR,
            );
        series.push(InputSeries::counter(&admin, &total));
        series.push(InputSeries::counter(&neighbour, &total));
        series
    }

    fn certificate_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let samples = scenario.samples();
        let mut series = Vec::new();
        for certificate in &scenario.certificates {
            match *certificate {
                Certificate::ExpiresAt(at) => {
                    // The listener's server certificate, and an upstream client certificate
                    // that outlives it.
                    let server = self
                        .scraped(
                            Selector::metric(envoy::LISTENER_SSL_CERTIFICATE_EXPIRATION),
                            &self.workload,
                        )
                        .eq(envoy::TLS_CERTIFICATE, "server")
                        .eq(envoy::LISTENER_ADDRESS, "0.0.0.0_10000");
                    let client = self
                        .scraped(
                            Selector::metric(envoy::CLUSTER_SSL_CERTIFICATE_EXPIRATION),
                            &self.workload,
                        )
                        .eq(envoy::TLS_CERTIFICATE, "client")
                        .eq(envoy::CLUSTER_NAME, "backend");
                    series.push(InputSeries::gauge(&server, &at.to_string(), samples));
                    let later = (at + 30 * 86_400).to_string();
                    series.push(InputSeries::gauge(&client, &later, samples));
                }
                Certificate::DaysLeft(days) => {
                    let selector = self.scraped(
                        Selector::metric(envoy::SERVER_DAYS_UNTIL_FIRST_CERT_EXPIRING),
                        &self.workload,
                    );
                    series.push(InputSeries::gauge(&selector, &days.to_string(), samples));
                }
            }
        }
        series
    }
}

impl Translation for Envoy {
    fn mesh(&self) -> Mesh {
        Mesh::Envoy
    }

    fn requests(&self) -> Selector {
        self.http(Selector::metric(envoy::HTTP_DOWNSTREAM_RQ_TOTAL))
    }

    fn mtls_requests(&self) -> Result<Selector, Unsupported> {
        Err(request_level_tls())
    }

    fn plaintext_requests(&self) -> Result<Selector, Unsupported> {
        Err(request_level_tls())
    }

    fn denied_requests(&self) -> Selector {
        let names = alternatives(&[envoy::HTTP_RBAC_DENIED, envoy::HTTP_EXT_AUTHZ_DENIED]);
        self.http(Selector::matching_names(&names))
    }

    fn responses(&self) -> Selector {
        self.http(Selector::metric(envoy::HTTP_DOWNSTREAM_RQ_XX))
    }

    fn error_responses(&self) -> Selector {
        self.responses().eq(
            envoy::RESPONSE_CODE_CLASS,
            envoy::RESPONSE_CODE_CLASS_SERVER_ERROR,
        )
    }

    fn latency(&self) -> LatencySource {
        let name = format!(
            "{}{}",
            envoy::HTTP_DOWNSTREAM_RQ_TIME,
            prometheus::BUCKET_SUFFIX
        );
        LatencySource::Histogram {
            buckets: self.http(Selector::metric(&name)),
            bounds_ms: &envoy::DEFAULT_HISTOGRAM_BUCKETS_MS,
        }
    }

    fn certificate_expiry(&self) -> String {
        envoy_certificate_expiry(|s| self.scraped(s, &self.workload))
    }

    fn has_days_gauge(&self) -> bool {
        true
    }

    fn input_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mut series = self.request_series(scenario);
        let name = format!(
            "{}{}",
            envoy::HTTP_DOWNSTREAM_RQ_TIME,
            prometheus::BUCKET_SUFFIX
        );
        let ingress = self.ingress(&name, &self.workload);
        series.extend(bucket_series(
            scenario,
            &envoy::DEFAULT_HISTOGRAM_BUCKETS_MS,
            |le| ingress.clone().eq(prometheus::LE, le),
        ));
        series.extend(self.certificate_series(scenario));
        series
    }
}

fn request_level_tls() -> Unsupported {
    Unsupported {
        reason: "plain Envoy counts TLS handshakes per listener, not requests, so its metrics \
                 cannot tell which requests arrived over mutual TLS"
            .to_owned(),
        alternative: "scrape the proxies with meshward-exporter and set `mesh: meshward` on this \
                      service (or on the spec), or remove `mtls` from it"
            .to_owned(),
    }
}
