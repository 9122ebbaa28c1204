//! The dashboards of a compiled spec: a mesh overview and one dashboard per service, built
//! from the generator's catalogue so that every panel reads the series the alerts read and
//! draws the thresholds the alerts compare against.
//!
//! Besides each dashboard, the builders note its *holes*: the leaves that hold a spec
//! threshold or a Grafana setting. The mixin writer turns those into `_config` references, so a
//! mixin user who overrides a threshold moves the alert and the line on the dashboard together.

mod common;
mod overview;
mod service;

use std::collections::BTreeMap;

use super::model::Dashboard;
use crate::generate::catalogue::{AlertEntry, Catalogue};
use crate::generate::Compiled;

pub use common::{alert_setting_key, service_uid, ServiceKey};

/// A dashboard and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardFile {
    /// File name, `<uid>.json`; also its key in the mixin's `grafanaDashboards`.
    pub file_name: String,
    /// The dashboard.
    pub dashboard: Dashboard,
    /// Leaves that hold a setting.
    pub holes: Vec<Hole>,
}

/// A leaf of a dashboard that holds the value of a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hole {
    /// JSON path in the dashboard: `["panels", "3", "fieldConfig", ...]`.
    pub at: Vec<String>,
    /// The setting's path under `_config`.
    pub setting: Vec<String>,
    /// How the leaf holds it.
    pub kind: HoleKind,
}

/// How a dashboard leaf holds a setting's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoleKind {
    /// As a number (a threshold step).
    Number,
    /// As the whole string (`refresh`).
    Text,
    /// As the end of a string (a threshold line's query ends with the threshold).
    Suffix(String),
}

/// Path under `_config` of the Grafana settings every dashboard reads.
pub const GRAFANA_SETTINGS: [(&str, &str); 2] = [
    ("refresh", "How often Grafana reloads the dashboards."),
    (
        "timezone",
        "The dashboards' time zone: browser, utc or an IANA zone name.",
    ),
];

/// Builds every dashboard of `compiled`: the overview first, then one per service in spec
/// order.
pub fn dashboards(compiled: &Compiled) -> Vec<DashboardFile> {
    let catalogue = &compiled.catalogue;
    let mut files = vec![overview::build(catalogue)];
    for (index, service) in catalogue.services.iter().enumerate() {
        files.push(service::build(catalogue, index, service));
    }
    for file in &mut files {
        for (name, _) in GRAFANA_SETTINGS {
            file.holes.push(Hole {
                at: vec![name.to_owned()],
                setting: vec!["grafana".to_owned(), name.to_owned()],
                kind: HoleKind::Text,
            });
        }
    }
    files
}

/// The thresholds of every alert, keyed by their `_config` path, with a comment each.
pub fn threshold_settings(catalogue: &Catalogue) -> BTreeMap<Vec<String>, (String, String)> {
    let mut settings = BTreeMap::new();
    for alert in &catalogue.alerts {
        let Some(condition) = alert.conditions.first() else {
            continue;
        };
        let doc = format!(
            "{} ({}): fires when the measure is {} this. {}",
            alert.alert,
            qualifiers(alert),
            condition.op,
            alert.summary
        );
        settings.insert(
            threshold_path(catalogue, alert),
            (condition.threshold_text.clone(), doc),
        );
    }
    settings
}

/// `severity`, plus `tier` for burn-rate alerts.
fn qualifiers(alert: &AlertEntry) -> String {
    match alert.labels.get(meshward_signals::rules::TIER) {
        Some(tier) => format!("{}, {tier} tier", alert.severity),
        None => alert.severity.clone(),
    }
}

/// `["thresholds", <namespace>, <service>, <alert key>]`.
pub fn threshold_path(catalogue: &Catalogue, alert: &AlertEntry) -> Vec<String> {
    vec![
        "thresholds".to_owned(),
        alert.namespace.clone(),
        alert.service.clone(),
        alert_setting_key(catalogue, alert),
    ]
}
