//! The series `meshward-exporter` derives from any proxy: requests by direction, TLS and status
//! class, authorization failures by reason and level, latency quantiles and certificate expiry,
//! each labelled with the target's `namespace` and `workload`.
//!
//! Denied requests are the `level="request"` failures only: the exporter also counts refused
//! connections (network RBAC, Linkerd's TCP authorization, failed handshakes), which are no
//! share of requests and could push the denied share above 100 %.

use meshward_signals::exported::{self, AuthFailureReason, Direction, FailureLevel};
use meshward_signals::Dialect;

use super::{neighbour, request_counters, LatencySource, Translation, Unsupported};
use crate::generate::query::{alternatives, Selector};
use crate::generate::unittest::scenario::{
    Certificate, InputSeries, Latency, Outcome, Scenario, Tls,
};
use crate::spec::model::Mesh;

/// The authorization reasons that count as denials (authentication failures do not).
const DENIALS: [AuthFailureReason; 2] = [
    AuthFailureReason::AuthzDenied,
    AuthFailureReason::ExtAuthzDenied,
];

pub struct Meshward {
    namespace: String,
    workload: String,
}

impl Meshward {
    pub fn new(namespace: String, workload: String) -> Meshward {
        Meshward {
            namespace,
            workload,
        }
    }

    fn target(&self, metric: &str, workload: &str) -> Selector {
        Selector::metric(metric)
            .eq(exported::NAMESPACE, &self.namespace)
            .eq(exported::WORKLOAD, workload)
    }

    fn service(&self, metric: &str) -> Selector {
        self.target(metric, &self.workload)
    }

    fn inbound(&self) -> Selector {
        self.service(exported::REQUESTS_TOTAL)
            .eq(exported::DIRECTION, Direction::Inbound.as_str())
    }

    fn request_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mesh = Dialect::Istio.as_str();
        let mut series = request_counters(scenario, |tls, outcome| {
            self.service(exported::REQUESTS_TOTAL)
                .eq(exported::MESH, mesh)
                .eq(exported::DIRECTION, Direction::Inbound.as_str())
                .eq(exported::TLS, tls_value(tls).as_str())
                .eq(exported::CODE_CLASS, code_class(outcome))
        });
        let denied = scenario.counter(|p| p.traffic.sum(|_, o| o == Outcome::Denied));
        if denied.iter().any(|&(_, inc)| inc > 0) {
            let selector = self
                .failures(AuthFailureReason::AuthzDenied, FailureLevel::Request)
                .eq(exported::MESH, mesh);
            series.push(InputSeries::counter(&selector, &denied));
        }
        if series.is_empty() {
            return series;
        }

        // What the workload sends, a neighbour's plaintext errors, failed handshakes and
        // connections a policy refused (not requests): counting any of them would change a
        // ratio. The refused connections outnumber all requests, so a denied share that
        // counted them would exceed 100 % and the denial alert's silent test would fire.
        let all = scenario.counter(|p| p.traffic.total());
        let refused: Vec<(u64, u64)> = all
            .iter()
            .map(|&(steps, inc)| (steps, 2 * inc + 1))
            .collect();
        let outbound = self
            .service(exported::REQUESTS_TOTAL)
            .eq(exported::DIRECTION, Direction::Outbound.as_str())
            .eq(exported::TLS, exported::Tls::None.as_str())
            .eq(exported::CODE_CLASS, exported::CODE_CLASS_5XX);
        let neighbour = self
            .target(exported::REQUESTS_TOTAL, &neighbour(&self.workload))
            .eq(exported::DIRECTION, Direction::Inbound.as_str())
            .eq(exported::TLS, exported::Tls::None.as_str())
            .eq(exported::CODE_CLASS, exported::CODE_CLASS_5XX);
        let handshakes = self.failures(
            AuthFailureReason::TlsHandshakeFailed,
            FailureLevel::Connection,
        );
        for selector in [outbound, neighbour, handshakes] {
            series.push(InputSeries::counter(&selector, &all));
        }
        let refused_connections =
            self.failures(AuthFailureReason::AuthzDenied, FailureLevel::Connection);
        series.push(InputSeries::counter(&refused_connections, &refused));
        series
    }

    fn failures(&self, reason: AuthFailureReason, level: FailureLevel) -> Selector {
        self.service(exported::AUTH_FAILURES_TOTAL)
            .eq(exported::REASON, reason.as_str())
            .eq(exported::LEVEL, level.as_str())
    }

    fn latency_series(&self, scenario: &Scenario, quantile: &str) -> Vec<InputSeries> {
        if scenario.phases.iter().all(|p| p.latency.is_none()) {
            return Vec::new();
        }
        let phases: Vec<(u64, Option<String>)> = scenario
            .phases
            .iter()
            .map(|p| match &p.latency {
                Some(Latency::Quantile(seconds)) => (p.steps, Some(format!("{seconds}"))),
                _ => (p.steps, None),
            })
            .collect();
        let selector = self
            .service(exported::LATENCY_SECONDS)
            .eq(exported::QUANTILE, quantile);
        vec![InputSeries::gauge_phases(&selector, &phases)]
    }
}

fn tls_value(tls: Tls) -> exported::Tls {
    match tls {
        Tls::Mutual => exported::Tls::Mutual,
        Tls::Plaintext => exported::Tls::None,
    }
}

fn code_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => exported::CODE_CLASS_2XX,
        Outcome::Denied => exported::CODE_CLASS_4XX,
        Outcome::Error => exported::CODE_CLASS_5XX,
    }
}

impl Translation for Meshward {
    fn mesh(&self) -> Mesh {
        Mesh::Meshward
    }

    fn requests(&self) -> Selector {
        self.inbound()
    }

    fn mtls_requests(&self) -> Result<Selector, Unsupported> {
        Ok(self
            .inbound()
            .eq(exported::TLS, exported::Tls::Mutual.as_str()))
    }

    fn plaintext_requests(&self) -> Result<Selector, Unsupported> {
        Ok(self
            .inbound()
            .ne(exported::TLS, exported::Tls::Mutual.as_str()))
    }

    // TODO: select inbound denials only. `meshward_auth_failures_total` has no `direction`
    // label, so an Envoy whose outbound connection manager runs an HTTP RBAC or ext_authz
    // filter adds those request-level denials to the numerator of an inbound share; the
    // exporter's own ratio excludes them, but the label would be needed to do so here.
    fn denied_requests(&self) -> Selector {
        let reasons: Vec<&str> = DENIALS.iter().map(|r| r.as_str()).collect();
        self.service(exported::AUTH_FAILURES_TOTAL)
            .re(exported::REASON, &alternatives(&reasons))
            .eq(exported::LEVEL, FailureLevel::Request.as_str())
    }

    fn responses(&self) -> Selector {
        self.inbound()
    }

    fn error_responses(&self) -> Selector {
        self.inbound()
            .eq(exported::CODE_CLASS, exported::CODE_CLASS_5XX)
    }

    fn latency(&self) -> LatencySource {
        LatencySource::Quantiles {
            gauge: self.service(exported::LATENCY_SECONDS),
            quantiles: &exported::LATENCY_QUANTILES,
        }
    }

    fn certificate_expiry(&self) -> String {
        let gauges = self.service(exported::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS);
        format!("min({gauges})")
    }

    fn input_series(&self, scenario: &Scenario) -> Vec<InputSeries> {
        let mut series = self.request_series(scenario);
        let quantile = scenario
            .quantile
            .as_deref()
            .unwrap_or(exported::LATENCY_QUANTILES[2]);
        series.extend(self.latency_series(scenario, quantile));
        let samples = scenario.samples();
        for certificate in &scenario.certificates {
            if let Certificate::ExpiresAt(at) = *certificate {
                let selector = self
                    .service(exported::CERTIFICATE_EXPIRY_TIMESTAMP_SECONDS)
                    .eq(exported::CERTIFICATE, exported::CERTIFICATE_IDENTITY);
                series.push(InputSeries::gauge(&selector, &at.to_string(), samples));
            }
        }
        series
    }
}
