//! Dashboards built from compiled specs: the invariants and the JSON Schema hold for every
//! dashboard of every spec, every panel expression parses and reads the recording rules the
//! alerts read, thresholds come from the spec, and links lead to runbooks and alert rules.

#[path = "dashboard_support.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use meshward_rulegen::dashboard::expr;
use meshward_rulegen::dashboard::generate::{dashboards, DashboardFile};
use meshward_rulegen::dashboard::json::to_pretty_json;
use meshward_rulegen::dashboard::model::{Panel, PanelKind};
use meshward_rulegen::dashboard::{invariants, schema};
use meshward_rulegen::rulefile::Rule;
use serde_json::Value;

fn shop() -> Vec<DashboardFile> {
    dashboards(&support::compile_str("shop.yaml", support::SHOP))
}

fn panel<'d>(file: &'d DashboardFile, title: &str) -> &'d Panel {
    file.dashboard
        .panels
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("{}: no panel {title:?}", file.file_name))
}

fn steps(panel: &Panel) -> Vec<(String, Option<f64>)> {
    let defaults = &panel.field_config.as_ref().unwrap().defaults;
    defaults
        .thresholds
        .steps
        .iter()
        .map(|s| (s.color.clone(), s.value))
        .collect()
}

#[test]
fn every_dashboard_of_every_spec_passes_the_invariants_and_the_schema() {
    let mut checked = 0;
    for (name, compiled) in support::specs() {
        let files = dashboards(&compiled);
        assert_eq!(files.len(), compiled.catalogue.services.len() + 1, "{name}");
        let mut uids = BTreeSet::new();
        for file in &files {
            assert_eq!(
                invariants::check(&file.dashboard),
                vec![],
                "{name}: {}",
                file.file_name
            );
            let value: Value = serde_json::from_str(&to_pretty_json(&file.dashboard)).unwrap();
            let errors: Vec<String> = schema::errors(&value)
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(errors, Vec::<String>::new(), "{name}: {}", file.file_name);
            assert_eq!(file.file_name, format!("{}.json", file.dashboard.uid));
            assert!(uids.insert(file.dashboard.uid.clone()), "duplicate uid");
            checked += 1;
        }
    }
    assert!(checked >= 3);
}

#[test]
fn panels_read_the_recorded_series_the_alerts_read() {
    let compiled = support::compile_str("shop.yaml", support::SHOP);
    let recorded: BTreeSet<String> = compiled
        .rule_files
        .values()
        .flat_map(|f| &f.groups)
        .flat_map(|g| &g.rules)
        .filter_map(|r| match r {
            Rule::Record(r) => Some(r.record.clone()),
            Rule::Alert(_) => None,
        })
        .collect();
    // Series a panel may read that no rule records: Prometheus' own alert series, and the
    // counters the auth-failures-by-reason panels read (no recording rule keeps the reason).
    let raw = [
        "ALERTS",
        meshward_signals::exported::AUTH_FAILURES_TOTAL,
        meshward_signals::istio::REQUESTS_TOTAL,
    ];
    let values = BTreeMap::from([("namespace", ".*"), ("service", ".*")]);
    let mut read = BTreeSet::new();
    for file in dashboards(&compiled) {
        for panel in &file.dashboard.panels {
            for target in &panel.targets {
                let parsed = expr::parse(&target.expr, &values)
                    .unwrap_or_else(|e| panic!("{}: {}: {e}", file.file_name, target.expr));
                for metric in expr::selected_metrics(&parsed) {
                    assert!(
                        recorded.contains(&metric) || raw.contains(&metric.as_str()),
                        "{} / {}: {metric} is neither recorded nor a known raw series",
                        file.file_name,
                        panel.title
                    );
                    read.insert(metric);
                }
            }
        }
    }
    // Every series an alert compares is on some dashboard.
    for alert in &compiled.catalogue.alerts {
        for condition in &alert.conditions {
            let parsed = expr::parse(&condition.measure, &values).unwrap();
            for metric in expr::selected_metrics(&parsed) {
                assert!(
                    read.contains(&metric),
                    "{}: {metric} is on no panel",
                    alert.alert
                );
            }
        }
    }
}

#[test]
fn thresholds_and_units_come_from_the_spec() {
    let files = shop();
    let checkout = files
        .iter()
        .find(|f| f.dashboard.uid == "shop-shop-checkout")
        .unwrap();
    let payments = files
        .iter()
        .find(|f| f.dashboard.uid == "shop-pay-payments")
        .unwrap();
    let mtls = panel(checkout, "mTLS adoption");
    assert_eq!(
        steps(mtls),
        vec![("red".into(), None), ("green".into(), Some(0.99))]
    );
    assert_eq!(
        mtls.field_config.as_ref().unwrap().defaults.unit,
        "percentunit"
    );
    assert_eq!(
        steps(panel(payments, "mTLS adoption")),
        vec![("red".into(), None), ("green".into(), Some(0.9))]
    );
    let latency = panel(checkout, "Latency p0.99");
    assert_eq!(
        steps(latency),
        vec![("green".into(), None), ("orange".into(), Some(0.3))]
    );
    assert_eq!(latency.field_config.as_ref().unwrap().defaults.unit, "s");
    assert_eq!(
        steps(panel(checkout, "First certificate expires in")),
        vec![
            ("red".into(), None),
            ("orange".into(), Some(3.0 * 86_400.0)),
            ("green".into(), Some(14.0 * 86_400.0))
        ]
    );
    let denied = panel(payments, "Denied requests");
    assert_eq!(
        steps(denied),
        vec![("green".into(), None), ("orange".into(), Some(0.1))]
    );
    assert_eq!(
        panel(checkout, "Inbound requests")
            .field_config
            .as_ref()
            .unwrap()
            .defaults
            .unit,
        "reqps"
    );
}

#[test]
fn the_overview_shows_every_signal_against_its_threshold() {
    let files = shop();
    let overview = &files[0];
    assert_eq!(overview.dashboard.uid, "shop-overview");
    let mtls = panel(overview, "mTLS adoption against each service's minimum");
    let exprs: Vec<&str> = mtls.targets.iter().map(|t| t.expr.as_str()).collect();
    assert!(exprs.iter().any(|e| e.ends_with("+ 0.99")), "{exprs:#?}");
    assert!(exprs.iter().any(|e| e.ends_with("+ 0.9")), "{exprs:#?}");
    for title in [
        "Firing security alerts",
        "Auth failures by reason",
        "Auth failures by reason (Istio)",
        "Error budget left",
        "Error budget burn rate over 1h",
        "Latency against each service's ceiling",
        "5xx ratio against its baseline",
        "Latency against its baseline",
    ] {
        panel(overview, title);
    }
    let certificates = panel(overview, "Certificates closest to expiry");
    assert_eq!(certificates.kind, PanelKind::Table);
    assert!(certificates.targets[0].instant);
    let reasons = panel(overview, "Auth failures by reason");
    assert!(reasons.targets[0].expr.contains("[$__rate_interval]"));
    let by_level = format!(
        "{}, {})",
        meshward_signals::exported::REASON,
        meshward_signals::exported::LEVEL
    );
    assert!(
        reasons.targets[0].expr.contains(&by_level),
        "{}",
        reasons.targets[0].expr
    );
}

#[test]
fn dashboards_link_runbooks_alert_rules_and_each_other() {
    let files = shop();
    let checkout = files
        .iter()
        .find(|f| f.dashboard.uid == "shop-shop-checkout")
        .unwrap();
    let urls: Vec<&str> = checkout
        .dashboard
        .links
        .iter()
        .map(|l| l.url.as_str())
        .collect();
    assert!(urls.contains(&"/d/shop-overview"), "{urls:#?}");
    assert!(urls.contains(&"https://runbooks.example.com/mesh/MeshwardMtlsAdoptionLow"));
    assert!(urls
        .iter()
        .any(|u| u.starts_with("/alerting/list?search=") && u.contains("checkout")));
    let mtls = panel(checkout, "mTLS adoption");
    assert!(mtls
        .links
        .iter()
        .any(|l| l.url.ends_with("MeshwardMtlsAdoptionLow")));
    let overview_links: Vec<&str> = files[0]
        .dashboard
        .links
        .iter()
        .map(|l| l.url.as_str())
        .collect();
    assert!(overview_links.contains(&"/d/shop-shop-checkout"));
    assert!(overview_links.contains(&"/d/shop-pay-payments"));
}

#[test]
fn generation_is_deterministic() {
    let render = |files: Vec<DashboardFile>| -> Vec<String> {
        files.iter().map(|f| to_pretty_json(&f.dashboard)).collect()
    };
    assert_eq!(render(shop()), render(shop()));
}
