//! One dashboard per service: each signal the spec watches, read from the service's own
//! recorded series, with the spec's thresholds drawn as thresholds.

use meshward_signals::rules as names;

use super::common::{
    alert_rules_link, condition_thresholds, grafana_unit, metric_of, operations_of, service_uid,
    traffic_record, variables, Draft, DraftPanel,
};
use super::{threshold_path, DashboardFile};
use crate::dashboard::builder::PanelBuilder;
use crate::dashboard::model::Link;
use crate::generate::catalogue::{
    AlertEntry, Catalogue, Condition, RecordEntry, ServiceEntry, Signal, Unit,
};

/// What one service's dashboard is built from.
struct Scope<'c> {
    catalogue: &'c Catalogue,
    records: Vec<&'c RecordEntry>,
    alerts: Vec<&'c AlertEntry>,
}

impl<'c> Scope<'c> {
    fn record(&self, signal: Signal, metric: &str, ops_prefix: &str) -> Option<&'c RecordEntry> {
        self.records.iter().copied().find(|r| {
            r.signal == signal
                && metric_of(&r.record) == metric
                && operations_of(&r.record).starts_with(ops_prefix)
        })
    }

    fn alerts_named(&self, name: &str) -> Vec<&'c AlertEntry> {
        self.alerts
            .iter()
            .copied()
            .filter(|a| a.alert == name)
            .collect()
    }

    /// Runbook links of the alerts of `signal`, one per distinct URL.
    fn runbooks(&self, signal: Signal) -> Vec<Link> {
        let mut links: Vec<Link> = Vec::new();
        for alert in self.alerts.iter().filter(|a| a.signal == signal) {
            if alert.runbook_url.is_empty() || links.iter().any(|l| l.url == alert.runbook_url) {
                continue;
            }
            links.push(Link::external(
                &format!("Runbook: {}", alert.alert),
                &alert.runbook_url,
                &alert.summary,
                "doc",
            ));
        }
        links
    }
}

/// Adds the threshold of each `(alert, condition)` to `panel`, with holes for the mixin.
fn with_thresholds(
    scope: &Scope<'_>,
    mut panel: DraftPanel,
    conditions: &[(&AlertEntry, &Condition)],
) -> DraftPanel {
    let pairs: Vec<(&Condition, &str)> = conditions
        .iter()
        .map(|(alert, condition)| (*condition, alert.severity.as_str()))
        .collect();
    let (thresholds, positions) = condition_thresholds(&pairs);
    panel.builder = panel.builder.thresholds(thresholds);
    for ((alert, _), position) in conditions.iter().zip(positions) {
        if let Some(step) = position {
            panel.step_hole(step, threshold_path(scope.catalogue, alert));
        }
    }
    panel
}

/// The conditions of the alerts named `name` whose measure is `measure`.
fn conditions_on<'c>(
    alerts: &[&'c AlertEntry],
    measure: &str,
) -> Vec<(&'c AlertEntry, &'c Condition)> {
    alerts
        .iter()
        .flat_map(|a| a.conditions.iter().map(move |c| (*a, c)))
        .filter(|(_, c)| c.measure == measure)
        .collect()
}

/// A stat and a graph of one recorded series, both with the thresholds of `alert_name`.
fn stat_and_graph(
    scope: &Scope<'_>,
    draft: &mut Draft,
    record: &RecordEntry,
    alert_name: &str,
    title: &str,
    links: &[Link],
) {
    let conditions = conditions_on(&scope.alerts_named(alert_name), &record.selector);
    let unit = grafana_unit(record.unit);
    let description = format!(
        "{} Series `{}`; {alert_name} compares it with the threshold drawn here.",
        record.meaning, record.record
    );
    let mut stat = PanelBuilder::stat(title, &description)
        .query(&record.selector, "")
        .unit(unit)
        .decimals(2);
    let mut graph = PanelBuilder::timeseries(title, &description)
        .query(&record.selector, &format!("{{{{{}}}}}", names::SERVICE))
        .unit(unit)
        .show_thresholds();
    if record.unit == Unit::Ratio {
        graph = graph.range(Some(0.0), Some(1.0));
    }
    for link in links {
        stat = stat.link(link.clone());
        graph = graph.link(link.clone());
    }
    draft.add(
        with_thresholds(scope, DraftPanel::new(stat), &conditions),
        6,
        6,
    );
    draft.add(
        with_thresholds(scope, DraftPanel::new(graph), &conditions),
        18,
        6,
    );
}

/// A graph of one alert's conditions (measure and threshold), when the measure is not a plain
/// recorded series (spike factors, burn rates).
fn condition_graph(
    scope: &Scope<'_>,
    draft: &mut Draft,
    alert: &AlertEntry,
    title: &str,
    description: &str,
    links: &[Link],
) {
    let mut builder = PanelBuilder::timeseries(title, description).show_thresholds();
    let mut seen: Vec<&str> = Vec::new();
    for condition in &alert.conditions {
        if seen.contains(&condition.measure.as_str()) {
            continue;
        }
        seen.push(&condition.measure);
        builder = builder
            .query(&condition.measure, &format!("{{{{{}}}}}", names::SERVICE))
            .unit(grafana_unit(condition.unit));
    }
    for link in links {
        builder = builder.link(link.clone());
    }
    let conditions: Vec<(&AlertEntry, &Condition)> = alert
        .conditions
        .iter()
        .take(1)
        .map(|c| (alert, c))
        .collect();
    draft.add(
        with_thresholds(scope, DraftPanel::new(builder), &conditions),
        12,
        7,
    );
}

/// The dashboard of `service`.
pub fn build(catalogue: &Catalogue, index: usize, service: &ServiceEntry) -> DashboardFile {
    let _ = index;
    let ns = service.namespace.as_str();
    let name = service.name.as_str();
    let scope = Scope {
        catalogue,
        records: catalogue
            .recording_rules
            .iter()
            .filter(|r| r.namespace == ns && r.service == name)
            .collect(),
        alerts: catalogue
            .alerts
            .iter()
            .filter(|a| a.namespace == ns && a.service == name)
            .collect(),
    };
    let mut draft = Draft::default();

    if let Some(traffic) = scope.record(Signal::Traffic, names::REQUESTS, names::OP_RATE) {
        draft.row("Traffic");
        let panel = PanelBuilder::timeseries("Inbound requests", &traffic.meaning)
            .query(&traffic.selector, &format!("{{{{{}}}}}", names::SERVICE))
            .unit("reqps");
        draft.add(DraftPanel::new(panel), 24, 6);
    }

    mtls(&scope, &mut draft);
    authz(&scope, &mut draft);
    availability(&scope, &mut draft);
    latency(&scope, &mut draft);
    spikes(&scope, &mut draft);
    certificates(&scope, &mut draft);

    let uid = service_uid(&catalogue.spec, ns, name);
    let title = format!("Mesh security: {name} ({ns})");
    let description = format!(
        "Security signals of service {name} in namespace {ns} (workload {}, {} metrics), read \
         from the recording rules its alerts read, with the spec's thresholds.",
        service.workload, service.mesh
    );
    let mut links = vec![
        Link::dashboard(
            "Overview",
            &super::overview::uid(&catalogue.spec),
            "Every service of the spec",
        ),
        alert_rules_link(ns, name),
    ];
    for signal in &service.signals {
        for link in scope.runbooks(*signal) {
            if !links.iter().any(|l| l.url == link.url) {
                links.push(link);
            }
        }
    }
    let variable_source = traffic_record(catalogue).unwrap_or(names::REQUESTS);
    draft.into_file(
        &catalogue.spec,
        &uid,
        &title,
        &description,
        variables(variable_source),
        links,
    )
}

fn mtls(scope: &Scope<'_>, draft: &mut Draft) {
    let Some(ratio) = scope.record(Signal::Mtls, names::MTLS_REQUESTS, names::OP_RATIO_RATE) else {
        return;
    };
    draft.row("Mutual TLS");
    let links = scope.runbooks(Signal::Mtls);
    stat_and_graph(
        scope,
        draft,
        ratio,
        names::ALERT_MTLS_ADOPTION_LOW,
        "mTLS adoption",
        &links,
    );
    if let Some(plaintext) = scope.record(Signal::Mtls, names::PLAINTEXT_REQUESTS, names::OP_RATE) {
        let conditions = conditions_on(
            &scope.alerts_named(names::ALERT_PLAINTEXT_TRAFFIC),
            &plaintext.selector,
        );
        let description = format!(
            "{} A service whose policy is strict mTLS must show none: any makes {} fire.",
            plaintext.meaning,
            names::ALERT_PLAINTEXT_TRAFFIC
        );
        let panel = PanelBuilder::timeseries("Plaintext requests", &description)
            .query(&plaintext.selector, &format!("{{{{{}}}}}", names::SERVICE))
            .unit("reqps")
            .no_value("no plaintext requests");
        draft.add(
            with_thresholds(scope, DraftPanel::new(panel), &conditions),
            24,
            6,
        );
    }
}

fn authz(scope: &Scope<'_>, draft: &mut Draft) {
    let Some(ratio) = scope.record(Signal::Authz, names::DENIED_REQUESTS, names::OP_RATIO_RATE)
    else {
        return;
    };
    draft.row("Authorization");
    let links = scope.runbooks(Signal::Authz);
    stat_and_graph(
        scope,
        draft,
        ratio,
        names::ALERT_AUTHZ_DENIALS_HIGH,
        "Denied requests",
        &links,
    );
    if let Some(rate) = scope.record(Signal::Authz, names::DENIED_REQUESTS, names::OP_RATE) {
        let panel = PanelBuilder::timeseries("Denied requests per second", &rate.meaning)
            .query(&rate.selector, &format!("{{{{{}}}}}", names::SERVICE))
            .unit("reqps");
        draft.add(DraftPanel::new(panel), 24, 6);
    }
}

fn availability(scope: &Scope<'_>, draft: &mut Draft) {
    let remaining = scope.record(Signal::Availability, names::ERROR_BUDGET_REMAINING, "");
    let burns = scope.alerts_named(names::ALERT_ERROR_BUDGET_BURN);
    if remaining.is_none() && burns.is_empty() {
        return;
    }
    draft.row("Availability");
    let links = scope.runbooks(Signal::Availability);
    if let Some(remaining) = remaining {
        let mut panel = PanelBuilder::gauge("Error budget left", &remaining.meaning)
            .query(&remaining.selector, "")
            .unit("percentunit")
            .range(Some(0.0), Some(1.0))
            .thresholds(crate::dashboard::model::Thresholds::absolute(
                "red",
                &[(0.0, "orange"), (0.25, "green")],
            ));
        for link in &links {
            panel = panel.link(link.clone());
        }
        draft.add(DraftPanel::new(panel), 6, 7);
        let mut errors = PanelBuilder::timeseries(
            "Error ratio by window",
            "Share of inbound requests answered with a 5xx, over each window the burn-rate \
             alerts compare.",
        )
        .unit("percentunit");
        let windows: Vec<&RecordEntry> = scope
            .records
            .iter()
            .copied()
            .filter(|r| {
                r.signal == Signal::Availability && metric_of(&r.record) == names::ERROR_REQUESTS
            })
            .collect();
        for record in &windows {
            let window = record.window.as_deref().unwrap_or("");
            errors = errors.query(&record.selector, &format!("errors over {window}"));
        }
        if !windows.is_empty() {
            draft.add(DraftPanel::new(errors), 18, 7);
        }
    }
    for burn in burns {
        let tier = burn.labels.get(names::TIER).map_or("", String::as_str);
        let windows = match (
            burn.labels.get(names::LONG_WINDOW),
            burn.labels.get(names::SHORT_WINDOW),
        ) {
            (Some(long), Some(short)) => format!(" ({long} and {short})"),
            _ => String::new(),
        };
        let title = format!("Burn-rate alert, {tier} tier{windows}");
        let description = format!(
            "The 5xx ratio over both windows of the {tier} tier; {} fires ({}) when both are \
             above the line. {}",
            burn.alert, burn.severity, burn.summary
        );
        condition_graph(scope, draft, burn, &title, &description, &links);
    }
}

fn latency(scope: &Scope<'_>, draft: &mut Draft) {
    let Some(quantile) = scope.records.iter().copied().find(|r| {
        r.signal == Signal::Latency && operations_of(&r.record).starts_with(names::OP_QUANTILE)
    }) else {
        return;
    };
    draft.row("Latency");
    let links = scope.runbooks(Signal::Latency);
    let q = quantile
        .labels
        .get(names::QUANTILE)
        .map_or("", String::as_str);
    stat_and_graph(
        scope,
        draft,
        quantile,
        names::ALERT_LATENCY_HIGH,
        &format!("Latency p{q}"),
        &links,
    );
}

fn spikes(scope: &Scope<'_>, draft: &mut Draft) {
    let alerts: Vec<&AlertEntry> = scope
        .alerts
        .iter()
        .copied()
        .filter(|a| a.alert == names::ALERT_ERROR_SPIKE || a.alert == names::ALERT_LATENCY_SPIKE)
        .collect();
    if alerts.is_empty() {
        return;
    }
    draft.row("Spikes");
    for alert in alerts {
        let (title, signal) = if alert.alert == names::ALERT_ERROR_SPIKE {
            ("5xx ratio against its baseline", Signal::ErrorSpike)
        } else {
            ("Latency against its baseline", Signal::LatencySpike)
        };
        let description = format!(
            "How many times its baseline the short-window value is; {} fires above the line. {}",
            alert.alert, alert.summary
        );
        condition_graph(
            scope,
            draft,
            alert,
            title,
            &description,
            &scope.runbooks(signal),
        );
    }
}

fn certificates(scope: &Scope<'_>, draft: &mut Draft) {
    let alerts = scope.alerts_named(names::ALERT_CERTIFICATE_EXPIRING);
    let Some(first) = alerts.first().and_then(|a| a.conditions.first()) else {
        return;
    };
    draft.row("Certificates");
    let conditions = conditions_on(&alerts, &first.measure);
    let mut panel = PanelBuilder::stat(
        "First certificate expires in",
        "Time left until the first certificate of the service's proxies expires; \
         MeshwardCertificateExpiring warns and then pages as it shrinks past the lines.",
    )
    .query(&first.measure, "")
    .unit("s");
    for link in scope.runbooks(Signal::Certificates) {
        panel = panel.link(link);
    }
    draft.add(
        with_thresholds(scope, DraftPanel::new(panel), &conditions),
        8,
        5,
    );
}
