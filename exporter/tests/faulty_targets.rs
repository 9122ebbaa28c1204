//! Unreachable, slow, oversized, garbage and failing targets are each reported on their own
//! `up` and error counters, while a healthy target beside them keeps being derived; and the
//! whole `/metrics` page passes `promtool check metrics`.

mod harness;

use harness::proxies::{Behaviour, Proxies};
use harness::{promtool_check, value, Exporter};
use meshward_signals::exported::{
    ScrapeErrorReason, AUTH_FAILURES_TOTAL, CODE_CLASS, DIRECTION, LEVEL, MESH, REASON,
    REQUESTS_TOTAL, SCRAPE_ERRORS_TOTAL, SCRAPE_SAMPLES, TARGET, TLS, UP,
};

/// A linkerd2-proxy exposition in the documented format: 10 inbound requests answered 200
/// and 2 answered 503, all over mutual TLS.
const LINKERD: &str = "\
# HELP request_total Total count of HTTP requests.
# TYPE request_total counter
request_total{direction=\"inbound\",authority=\"web.shop.svc:8080\",target_addr=\"10.0.0.7:8080\",tls=\"true\",client_id=\"web.shop.serviceaccount.identity.linkerd.cluster.local\"} 12
# HELP response_total Total count of HTTP responses.
# TYPE response_total counter
response_total{direction=\"inbound\",authority=\"web.shop.svc:8080\",target_addr=\"10.0.0.7:8080\",tls=\"true\",client_id=\"web.shop.serviceaccount.identity.linkerd.cluster.local\",status_code=\"200\",classification=\"success\",error=\"\"} 10
response_total{direction=\"inbound\",authority=\"web.shop.svc:8080\",target_addr=\"10.0.0.7:8080\",tls=\"true\",client_id=\"web.shop.serviceaccount.identity.linkerd.cluster.local\",status_code=\"503\",classification=\"failure\",error=\"\"} 2
";

/// An Istio sidecar exposition in the documented format: 20 inbound requests over mutual TLS
/// answered 200, and 5 plaintext ones refused with 403 by an authorization policy.
const ISTIO: &str = "\
# TYPE istio_requests_total counter
istio_requests_total{reporter=\"destination\",source_workload=\"web\",source_workload_namespace=\"shop\",destination_workload=\"checkout\",destination_workload_namespace=\"shop\",connection_security_policy=\"mutual_tls\",response_code=\"200\",response_flags=\"-\"} 20
istio_requests_total{reporter=\"destination\",source_workload=\"unknown\",source_workload_namespace=\"unknown\",destination_workload=\"checkout\",destination_workload_namespace=\"shop\",connection_security_policy=\"none\",response_code=\"403\",response_flags=\"-\"} 5
";

/// Bytes that are not HTTP: a fixed xorshift sequence, so every run sends the same ones.
fn garbage() -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn each_faulty_target_is_reported_on_its_own_while_the_healthy_one_keeps_working() {
    let proxies = Proxies::new();
    let targets = [
        (
            "healthy",
            proxies.start(Behaviour::Healthy(LINKERD.to_owned())),
            None,
        ),
        (
            "istio",
            proxies.start(Behaviour::Healthy(ISTIO.to_owned())),
            None,
        ),
        (
            "unreachable",
            meshward_e2e::free_addr(),
            Some(ScrapeErrorReason::Connect),
        ),
        (
            "slow",
            proxies.start(Behaviour::Stall),
            Some(ScrapeErrorReason::Timeout),
        ),
        (
            "oversized",
            proxies.start(Behaviour::Oversized(1 << 20)),
            Some(ScrapeErrorReason::BodyTooLarge),
        ),
        (
            "garbage",
            proxies.start(Behaviour::Garbage(garbage())),
            Some(ScrapeErrorReason::Http),
        ),
        (
            "html",
            proxies.start(Behaviour::Html),
            Some(ScrapeErrorReason::Parse),
        ),
        (
            "failing",
            proxies.start(Behaviour::Status(503)),
            Some(ScrapeErrorReason::HttpStatus),
        ),
    ];

    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from(
        "scrape_interval: 1s\nscrape_timeout: 800ms\nwindow: 5s\nbody_size_limit: 64KiB\n\
         static_configs:\n",
    );
    for (workload, addr, _) in &targets {
        config.push_str(&format!(
            "  - targets: [\"{addr}\"]\n    labels: {{namespace: faults, workload: {workload}}}\n"
        ));
    }
    let config_path = dir.path().join("config.yaml");
    std::fs::write(&config_path, config).unwrap();

    let mut exporter = Exporter::start(&config_path);
    let all_reported = exporter.wait_for("every target to be reported", |e| {
        let metrics = e.metrics();
        targets.iter().all(|(_, addr, failure)| {
            let addr = addr.to_string();
            let up = value(&metrics, UP, &[(TARGET, &addr)]);
            match failure {
                None => up == Some(1.0),
                Some(reason) => {
                    let labels = [(TARGET, addr.as_str()), (REASON, reason.as_str())];
                    up == Some(0.0) && value(&metrics, SCRAPE_ERRORS_TOTAL, &labels) >= Some(1.0)
                }
            }
        })
    });
    let metrics = exporter.metrics();
    assert!(
        all_reported,
        "not every target was reported:\n{metrics}\nlog:\n{}",
        exporter.log()
    );

    // Each faulty target is counted under its own reason only.
    for (workload, addr, failure) in &targets {
        let addr = addr.to_string();
        for reason in ScrapeErrorReason::ALL {
            let count = value(
                &metrics,
                SCRAPE_ERRORS_TOTAL,
                &[(TARGET, &addr), (REASON, reason.as_str())],
            );
            let expected_some = Some(*reason) == *failure;
            assert_eq!(
                count.unwrap() >= 1.0,
                expected_some,
                "{workload}: {reason} = {count:?}"
            );
        }
    }

    // The healthy target is derived as its exposition says.
    let healthy = targets[0].1.to_string();
    let requests = |class: &str| {
        let labels = [
            (TARGET, healthy.as_str()),
            (MESH, "linkerd"),
            (DIRECTION, "inbound"),
            (TLS, "mutual"),
            (CODE_CLASS, class),
        ];
        value(&metrics, REQUESTS_TOTAL, &labels)
    };
    assert_eq!(requests("2xx"), Some(10.0));
    assert_eq!(requests("5xx"), Some(2.0));
    assert_eq!(
        value(&metrics, SCRAPE_SAMPLES, &[(TARGET, &healthy)]),
        Some(3.0)
    );

    let istio = targets[1].1.to_string();
    let requests = |tls: &str, class: &str| {
        let labels = [
            (TARGET, istio.as_str()),
            (MESH, "istio"),
            (DIRECTION, "inbound"),
            (TLS, tls),
            (CODE_CLASS, class),
        ];
        value(&metrics, REQUESTS_TOTAL, &labels)
    };
    assert_eq!(requests("mutual", "2xx"), Some(20.0));
    assert_eq!(requests("none", "4xx"), Some(5.0));
    let denied = [
        (TARGET, istio.as_str()),
        (REASON, "authz_denied"),
        (LEVEL, "request"),
    ];
    assert_eq!(value(&metrics, AUTH_FAILURES_TOTAL, &denied), Some(5.0));

    // Faulty targets have no derived series.
    for (_, addr, failure) in &targets[2..] {
        assert!(failure.is_some());
        let addr = addr.to_string();
        assert!(value(&metrics, REQUESTS_TOTAL, &[(TARGET, &addr)]).is_none());
    }

    if let Some((clean, report)) = promtool_check(&metrics) {
        assert!(
            clean,
            "promtool check metrics reported:\n{report}\n{metrics}"
        );
    }

    let landing = exporter.get("/");
    assert_eq!(landing.status, 200);
    for (workload, addr, _) in &targets {
        assert!(
            landing
                .body
                .contains(&format!("http://{addr}/stats/prometheus")),
            "{workload}"
        );
    }
    assert_eq!(exporter.get("/-/healthy").status, 200);
    assert_eq!(exporter.get("/nowhere").status, 404);

    let status = exporter.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}
