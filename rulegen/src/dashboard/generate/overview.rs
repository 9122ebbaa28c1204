//! The mesh overview: every service of the spec side by side, filtered by the `namespace` and
//! `service` variables, each against its own threshold.
//!
//! Services may have different thresholds, and a Grafana threshold applies to a whole panel,
//! so per-service thresholds are drawn as dashed lines, one series per service, next to the
//! values they bound.

use meshward_signals::exported::{self, AuthFailureReason};
use meshward_signals::istio;
use meshward_signals::rules as names;

use super::common::{
    filtered, grafana_unit, metric_of, operations_of, record_names, scoped, service_uid,
    traffic_record, url_encode, variables, Draft, DraftPanel, VARIABLE_MATCHERS,
};
use super::{threshold_path, DashboardFile};
use crate::dashboard::builder::PanelBuilder;
use crate::dashboard::model::{FieldOverride, Link, Matcher, OverrideProperty, Thresholds};
use crate::generate::catalogue::{AlertEntry, Catalogue, RecordEntry, Signal, Unit};

/// The overview's uid: `<spec>-overview`, or a valid cut of it.
pub fn uid(spec: &str) -> String {
    let plain = format!("{spec}-overview");
    if crate::dashboard::invariants::is_valid_uid(&plain) {
        plain
    } else {
        service_uid(spec, "", "overview")
    }
}

/// The legend prefix of threshold lines; an override draws those series dashed.
const THRESHOLD_LEGEND: &str = "threshold";

/// Draws every series whose legend starts with [`THRESHOLD_LEGEND`] as a dashed line.
fn dashed_thresholds() -> FieldOverride {
    FieldOverride {
        matcher: Matcher {
            id: "byRegexp".to_owned(),
            options: format!("^{THRESHOLD_LEGEND} .*"),
        },
        properties: vec![OverrideProperty {
            id: "custom.lineStyle".to_owned(),
            value: serde_json::json!({"dash": [10, 10], "fill": "dash"}),
        }],
    }
}

/// A graph of `records` (one series per service) plus, for each service's alert named
/// `alert`, its first condition's threshold as a dashed line of that service.
fn against_thresholds(
    catalogue: &Catalogue,
    traffic: &str,
    title: &str,
    description: &str,
    records: &[&str],
    unit: Unit,
    alert: &str,
) -> DraftPanel {
    let alerts = alerts_named(catalogue, alert);
    let mut builder = PanelBuilder::timeseries(title, description).unit(grafana_unit(unit));
    if unit == Unit::Ratio {
        builder = builder.range(Some(0.0), None);
    }
    let legend = "{{namespace}}/{{service}}";
    for record in records {
        builder = builder.query(&filtered(record), legend);
    }
    let mut targets = records.len();
    let mut holes = Vec::new();
    for alert in &alerts {
        let Some(condition) = alert.conditions.first() else {
            continue;
        };
        // The threshold as a series carrying the service's labels, so that the variables
        // filter it like the values it bounds; it ends with the threshold's text.
        let expr = format!(
            "0 * ({})\n+ {}",
            scoped(&condition.measure, traffic),
            condition.threshold_text
        );
        builder = builder.query(&expr, &format!("{THRESHOLD_LEGEND} {legend}"));
        holes.push((
            targets,
            condition.threshold_text.clone(),
            threshold_path(catalogue, alert),
        ));
        targets += 1;
    }
    if !alerts.is_empty() {
        builder = builder.override_field(dashed_thresholds());
    }
    let mut panel = DraftPanel::new(builder);
    for (target, text, setting) in holes {
        panel.expr_hole(target, &text, setting);
    }
    panel
}

fn records_where<'c>(
    catalogue: &'c Catalogue,
    signal: Signal,
    metric: &str,
    ops_prefix: &str,
) -> Vec<&'c str> {
    record_names(&catalogue.recording_rules, |r: &RecordEntry| {
        r.signal == signal
            && metric_of(&r.record) == metric
            && operations_of(&r.record).starts_with(ops_prefix)
    })
}

fn alerts_named<'c>(catalogue: &'c Catalogue, name: &str) -> Vec<&'c AlertEntry> {
    catalogue
        .alerts
        .iter()
        .filter(|a| a.alert == name)
        .collect()
}

/// Builds the overview of `catalogue`.
pub fn build(catalogue: &Catalogue) -> DashboardFile {
    let traffic = traffic_record(catalogue)
        .unwrap_or(names::REQUESTS)
        .to_owned();
    let mut draft = Draft::default();

    at_a_glance(catalogue, &traffic, &mut draft);
    mtls(catalogue, &traffic, &mut draft);
    auth(catalogue, &traffic, &mut draft);
    budget(catalogue, &mut draft);
    latency(catalogue, &traffic, &mut draft);
    spikes(catalogue, &traffic, &mut draft);
    certificates(catalogue, &mut draft);

    let uid = uid(&catalogue.spec);
    let title = format!("Mesh security: {}", catalogue.spec);
    let description = format!(
        "Security signals of every service of spec {}: mTLS adoption, authorization denials, \
         error budgets, latency, spikes and certificate expiry, each against its alert's \
         threshold.",
        catalogue.spec
    );
    let mut links = vec![Link::external(
        "Alert rules",
        &format!("/alerting/list?search={}", url_encode("Meshward")),
        "meshward's alerts in Grafana's alert list",
        "bolt",
    )];
    for service in &catalogue.services {
        links.push(Link::dashboard(
            &format!("{} ({})", service.name, service.namespace),
            &service_uid(&catalogue.spec, &service.namespace, &service.name),
            &format!(
                "Dashboard of service {} in {}",
                service.name, service.namespace
            ),
        ));
    }
    draft.into_file(
        &catalogue.spec,
        &uid,
        &title,
        &description,
        variables(&traffic),
        links,
    )
}

/// One step in the text colour: for figures whose good and bad differ by service.
fn neutral() -> Thresholds {
    Thresholds::absolute("text", &[])
}

fn at_a_glance(catalogue: &Catalogue, traffic: &str, draft: &mut Draft) {
    draft.row("At a glance");
    let firing = PanelBuilder::stat(
        "Firing security alerts",
        "meshward alerts firing now for the chosen services.",
    )
    .query(
        &format!(
            "count(ALERTS{{alertname=~\"Meshward.*\",alertstate=\"firing\",{VARIABLE_MATCHERS}}}) \
             or vector(0)"
        ),
        "",
    )
    .unit("none")
    .thresholds(Thresholds::absolute("green", &[(1.0, "red")]));
    draft.add(DraftPanel::new(firing), 6, 4);
    let services = PanelBuilder::stat(
        "Services with traffic",
        "Chosen services whose proxies reported inbound requests.",
    )
    .query(&format!("count({}) or vector(0)", filtered(traffic)), "")
    .unit("none")
    .thresholds(neutral());
    draft.add(DraftPanel::new(services), 6, 4);
    let mtls = records_where(
        catalogue,
        Signal::Mtls,
        names::MTLS_REQUESTS,
        names::OP_RATIO_RATE,
    );
    if let Some(record) = mtls.first() {
        let lowest = PanelBuilder::stat(
            "Lowest mTLS adoption",
            "The smallest share of inbound requests over mutual TLS among the chosen services.",
        )
        .query(&format!("min({})", filtered(record)), "")
        .unit("percentunit")
        .decimals(2)
        .thresholds(neutral());
        draft.add(DraftPanel::new(lowest), 6, 4);
    }
    let rate = PanelBuilder::stat(
        "Inbound requests",
        "Inbound requests per second to the chosen services.",
    )
    .query(&format!("sum({})", filtered(traffic)), "")
    .unit("reqps")
    .thresholds(neutral());
    draft.add(DraftPanel::new(rate), 6, 4);
}

fn mtls(catalogue: &Catalogue, traffic: &str, draft: &mut Draft) {
    let ratios = records_where(
        catalogue,
        Signal::Mtls,
        names::MTLS_REQUESTS,
        names::OP_RATIO_RATE,
    );
    if ratios.is_empty() {
        return;
    }
    draft.row("Mutual TLS");
    draft.add(
        against_thresholds(
            catalogue,
            traffic,
            "mTLS adoption against each service's minimum",
            "Share of inbound requests over mutual TLS per service; the dashed line of the same \
             service is its minimum, below which MeshwardMtlsAdoptionLow fires.",
            &ratios,
            Unit::Ratio,
            names::ALERT_MTLS_ADOPTION_LOW,
        ),
        14,
        8,
    );
    let plaintext = records_where(
        catalogue,
        Signal::Mtls,
        names::PLAINTEXT_REQUESTS,
        names::OP_RATE,
    );
    let mut panel = PanelBuilder::timeseries(
        "Plaintext requests",
        "Inbound requests without mutual TLS per second; for a service whose policy is strict \
         any of them fires MeshwardPlaintextTraffic.",
    )
    .unit("reqps")
    .no_value("no plaintext requests");
    for record in &plaintext {
        panel = panel.query(&filtered(record), "{{namespace}}/{{service}}");
    }
    if !plaintext.is_empty() {
        draft.add(DraftPanel::new(panel), 10, 8);
    }
}

fn auth(catalogue: &Catalogue, traffic: &str, draft: &mut Draft) {
    let ratios = records_where(
        catalogue,
        Signal::Authz,
        names::DENIED_REQUESTS,
        names::OP_RATIO_RATE,
    );
    let exporter = catalogue.services.iter().any(|s| s.mesh == "meshward");
    let istio_mesh = catalogue.services.iter().any(|s| s.mesh == "istio");
    if ratios.is_empty() && !exporter && !istio_mesh {
        return;
    }
    draft.row("Authentication and authorization");
    if !ratios.is_empty() {
        draft.add(
            against_thresholds(
                catalogue,
                traffic,
                "Denied share of inbound requests",
                "Share of inbound requests an authorization policy denied, per service; the \
                 dashed line is the maximum above which MeshwardAuthzDenialsHigh fires.",
                &ratios,
                Unit::Ratio,
                names::ALERT_AUTHZ_DENIALS_HIGH,
            ),
            12,
            8,
        );
    }
    let mut reasons = Vec::new();
    if exporter {
        reasons.push(exporter_reasons());
    }
    if istio_mesh {
        reasons.push(istio_reasons());
    }
    if reasons.is_empty() {
        let denied = records_where(
            catalogue,
            Signal::Authz,
            names::DENIED_REQUESTS,
            names::OP_RATE,
        );
        let mut panel = PanelBuilder::timeseries(
            "Denied requests by service",
            "Inbound requests per second an authorization policy denied; this mesh's metrics \
             do not tell failures apart by reason.",
        )
        .unit("reqps");
        for record in &denied {
            panel = panel.query(&filtered(record), "{{namespace}}/{{service}}");
        }
        if !denied.is_empty() {
            reasons.push(panel);
        }
    }
    let width = if ratios.is_empty() { 24 } else { 12 };
    for panel in reasons {
        draft.add(DraftPanel::new(panel), width, 8);
    }
}

/// Failures by reason as meshward-exporter counts them. Both levels are shown, apart: a
/// refused connection and a refused request are different events, and adding them up would
/// hide which one a policy is doing.
fn exporter_reasons() -> PanelBuilder {
    let expr = format!(
        "sum by ({ns}, {wl}, {reason}, {level}) (rate({metric}{{{ns}=~\"$namespace\"}}[$__rate_interval]))",
        ns = exported::NAMESPACE,
        wl = exported::WORKLOAD,
        reason = exported::REASON,
        level = exported::LEVEL,
        metric = exported::AUTH_FAILURES_TOTAL,
    );
    PanelBuilder::timeseries(
        "Auth failures by reason",
        "Authentication and authorization failures per second as meshward-exporter counts \
         them: policy denials, external authorizer denials, failed JWT checks and failed TLS \
         handshakes, each either refusing a request or a whole connection (network RBAC, TCP \
         authorization, handshakes).",
    )
    .query(&expr, "{{workload}} {{reason}} ({{level}})")
    .unit("ops")
}

/// Failures by reason read from Istio's standard metrics: 401 is a failed authentication, 403
/// a policy denial, and the `UAEX` response flag a denial by the external authorizer.
fn istio_reasons() -> PanelBuilder {
    let rate = format!(
        "rate({metric}{{{reporter}=\"{destination}\",{ns}=~\"$namespace\",{code}=~\"{unauthorized}|{forbidden}\"}}[$__rate_interval])",
        metric = istio::REQUESTS_TOTAL,
        reporter = istio::REPORTER,
        destination = istio::REPORTER_DESTINATION,
        ns = istio::DESTINATION_WORKLOAD_NAMESPACE,
        code = istio::RESPONSE_CODE,
        unauthorized = istio::RESPONSE_CODE_UNAUTHORIZED,
        forbidden = istio::RESPONSE_CODE_FORBIDDEN,
    );
    let mut labelled = rate;
    for (reason, label, value) in [
        (
            AuthFailureReason::AuthnFailed,
            istio::RESPONSE_CODE,
            istio::RESPONSE_CODE_UNAUTHORIZED,
        ),
        (
            AuthFailureReason::AuthzDenied,
            istio::RESPONSE_CODE,
            istio::RESPONSE_CODE_FORBIDDEN,
        ),
        (
            AuthFailureReason::ExtAuthzDenied,
            istio::RESPONSE_FLAGS,
            istio::FLAG_EXT_AUTHZ_DENIED,
        ),
    ] {
        labelled = format!(
            "label_replace(\n  {labelled},\n  \"{}\", \"{}\", \"{label}\", \"{value}\"\n)",
            exported::REASON,
            reason.as_str()
        );
    }
    let expr = format!(
        "sum by ({ns}, {wl}, {reason}) (\n{labelled}\n)",
        ns = istio::DESTINATION_WORKLOAD_NAMESPACE,
        wl = istio::DESTINATION_WORKLOAD,
        reason = exported::REASON,
    );
    PanelBuilder::timeseries(
        "Auth failures by reason (Istio)",
        "Inbound requests per second that failed authentication (401), were denied by an \
         authorization policy (403) or by the external authorizer (response flag UAEX), from \
         the destination sidecars' standard metrics.",
    )
    .query(&expr, "{{destination_workload}} {{reason}}")
    .unit("reqps")
}

fn budget(catalogue: &Catalogue, draft: &mut Draft) {
    let remaining = records_where(
        catalogue,
        Signal::Availability,
        names::ERROR_BUDGET_REMAINING,
        "",
    );
    let objectives = records_where(
        catalogue,
        Signal::Availability,
        names::AVAILABILITY_OBJECTIVE,
        "",
    );
    if remaining.is_empty() && objectives.is_empty() {
        return;
    }
    draft.row("Error budget");
    let mut left = PanelBuilder::timeseries(
        "Error budget left",
        "Share of each service's error budget left over its SLO window; below zero the budget \
         is spent.",
    )
    .unit("percentunit")
    .thresholds(Thresholds::absolute(
        "red",
        &[(0.0, "orange"), (0.25, "green")],
    ))
    .show_thresholds();
    for record in &remaining {
        left = left.query(&filtered(record), "{{namespace}}/{{service}}");
    }
    if !remaining.is_empty() {
        draft.add(DraftPanel::new(left), 12, 8);
    }

    // Burn rate over the long window of the fastest (paging) tier: errors / allowed errors.
    let burns = alerts_named(catalogue, names::ALERT_ERROR_BUDGET_BURN);
    let page = burns
        .iter()
        .find(|a| a.labels.get(names::TIER).map(String::as_str) == Some(names::TIER_PAGE))
        .or(burns.first());
    let (Some(page), Some(objective)) = (page, objectives.first()) else {
        return;
    };
    let Some(window) = page.labels.get(names::LONG_WINDOW) else {
        return;
    };
    let errors = records_where(catalogue, Signal::Availability, names::ERROR_REQUESTS, "")
        .into_iter()
        .find(|r| operations_of(r).ends_with(window.as_str()));
    let Some(errors) = errors else {
        return;
    };
    let mut factors: Vec<(f64, String)> = burns
        .iter()
        .filter_map(|a| {
            let factor = a.labels.get(names::BURN_RATE)?.parse::<f64>().ok()?;
            Some((factor, a.severity.clone()))
        })
        .collect();
    factors.sort_by(|a, b| a.0.total_cmp(&b.0));
    factors.dedup_by(|a, b| a.0 == b.0);
    let steps: Vec<(f64, &str)> = factors
        .iter()
        .map(|(factor, severity)| (*factor, super::common::severity_color(severity)))
        .collect();
    let panel = PanelBuilder::timeseries(
        &format!("Error budget burn rate over {window}"),
        &format!(
            "How many times faster than the SLO allows each service spends its error budget, \
             over {window}. The lines are the burn rates of the alert tiers (1 spends the \
             budget exactly over the SLO window)."
        ),
    )
    .query(
        &format!(
            "{}\n/ on (namespace, service)\n(1 - {})",
            filtered(errors),
            filtered(objective)
        ),
        "{{namespace}}/{{service}}",
    )
    .unit("short")
    .thresholds(Thresholds::absolute("green", &steps))
    .show_thresholds();
    draft.add(DraftPanel::new(panel), 12, 8);
}

fn latency(catalogue: &Catalogue, traffic: &str, draft: &mut Draft) {
    let quantiles = records_where(
        catalogue,
        Signal::Latency,
        names::REQUEST_DURATION_SECONDS,
        names::OP_QUANTILE,
    );
    if quantiles.is_empty() {
        return;
    }
    draft.row("Latency");
    let panel = against_thresholds(
        catalogue,
        traffic,
        "Latency against each service's ceiling",
        "The latency percentile each service's spec watches; the dashed line of the same \
         service is its ceiling, above which MeshwardLatencyHigh fires.",
        &quantiles,
        Unit::Seconds,
        names::ALERT_LATENCY_HIGH,
    );
    draft.add(panel, 24, 8);
}

fn spikes(catalogue: &Catalogue, traffic: &str, draft: &mut Draft) {
    let kinds = [
        (
            names::ALERT_ERROR_SPIKE,
            "5xx ratio against its baseline",
            "How many times its baseline each service's short-window 5xx ratio is; the dashed \
             line of the same service is the factor above which MeshwardErrorSpike fires.",
        ),
        (
            names::ALERT_LATENCY_SPIKE,
            "Latency against its baseline",
            "How many times its baseline each service's short-window latency is; the dashed \
             line of the same service is the factor above which MeshwardLatencySpike fires.",
        ),
    ];
    let present: Vec<_> = kinds
        .iter()
        .filter(|(alert, _, _)| !alerts_named(catalogue, alert).is_empty())
        .collect();
    if present.is_empty() {
        return;
    }
    draft.row("Spikes");
    let width = 24 / present.len() as u32;
    for (alert, title, description) in present {
        let alerts = alerts_named(catalogue, alert);
        let mut builder = PanelBuilder::timeseries(title, description).unit("short");
        let mut holes = Vec::new();
        for alert in &alerts {
            let Some(condition) = alert.conditions.first() else {
                continue;
            };
            builder = builder.query(
                &scoped(&condition.measure, traffic),
                "{{namespace}}/{{service}}",
            );
        }
        let mut target = alerts.len();
        for alert in &alerts {
            let Some(condition) = alert.conditions.first() else {
                continue;
            };
            let expr = format!(
                "0 * ({})\n+ {}",
                scoped(&condition.measure, traffic),
                condition.threshold_text
            );
            builder = builder.query(
                &expr,
                &format!("{THRESHOLD_LEGEND} {{{{namespace}}}}/{{{{service}}}}"),
            );
            holes.push((
                target,
                condition.threshold_text.clone(),
                threshold_path(catalogue, alert),
            ));
            target += 1;
        }
        let mut panel = DraftPanel::new(builder.override_field(dashed_thresholds()));
        for (target, text, setting) in holes {
            panel.expr_hole(target, &text, setting);
        }
        draft.add(panel, width, 8);
    }
}

fn certificates(catalogue: &Catalogue, draft: &mut Draft) {
    let expiries = record_names(&catalogue.recording_rules, |r: &RecordEntry| {
        r.signal == Signal::Certificates && r.unit == Unit::UnixTimestampSeconds
    });
    let Some(record) = expiries.first() else {
        return;
    };
    draft.row("Certificates");
    // One colour scale for all services: the largest warning and critical lead times of any
    // service, so no service that alerts shows green.
    let lead = |severity: &str| {
        alerts_named(catalogue, names::ALERT_CERTIFICATE_EXPIRING)
            .iter()
            .filter(|a| a.severity == severity)
            .filter_map(|a| a.conditions.first().map(|c| c.threshold))
            .fold(None, |max: Option<f64>, t| {
                Some(max.map_or(t, |m| m.max(t)))
            })
    };
    let mut steps = Vec::new();
    if let Some(critical) = lead("critical") {
        steps.push((critical, "orange"));
    }
    if let Some(warning) = lead("warning") {
        if steps.last().is_none_or(|(v, _)| *v < warning) {
            steps.push((warning, "green"));
        }
    }
    let panel = PanelBuilder::table(
        "Certificates closest to expiry",
        "Time left until the first certificate of each service's proxies expires, soonest \
         first. Red: within the longest critical lead time of any service; orange: within the \
         longest warning lead time.",
        "Expires in",
        false,
    )
    .query(&format!("sort(\n  {}\n  - time()\n)", filtered(record)), "")
    .unit("s")
    .thresholds(Thresholds::absolute(
        if steps.is_empty() { "green" } else { "red" },
        &steps,
    ))
    .override_field(FieldOverride {
        matcher: Matcher {
            id: "byName".to_owned(),
            options: "Value".to_owned(),
        },
        properties: vec![
            OverrideProperty {
                id: "displayName".to_owned(),
                value: serde_json::json!("Expires in"),
            },
            OverrideProperty {
                id: "custom.cellOptions".to_owned(),
                value: serde_json::json!({"type": "color-background"}),
            },
        ],
    })
    .transform(
        "organize",
        serde_json::json!({
            "excludeByName": {"Time": true, "__name__": true},
            "indexByName": {"namespace": 0, "service": 1, "Value": 2},
            "renameByName": {"namespace": "Namespace", "service": "Service"}
        }),
    );
    draft.add(DraftPanel::new(panel), 24, 8);
}
