//! A compiled spec as a monitoring mixin: its rule groups, its dashboards, and a `_config`
//! holding every alert threshold and the Grafana settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use meshward_signals::rules as names;

use super::render::{self, AlertThreshold, Mixin, RenderError, Setting, SettingValue};
use super::rules_json::is_alert_group;
use crate::dashboard::generate::{self as dashboards, threshold_path, GRAFANA_SETTINGS};
use crate::emit;
use crate::generate::Compiled;
use crate::rulefile::RuleFile;

/// The mixin's rendered rule files, beside its sources, as mixtool would write them.
pub const ALERTS_YAML: &str = "prometheus_alerts.yaml";
/// The rendered recording rules.
pub const RULES_YAML: &str = "prometheus_rules.yaml";

/// Labels that single out one alert rule among those of the same name in its group.
const DISTINGUISHING_LABELS: [&str; 3] = [names::SEVERITY, names::TIER, names::LONG_WINDOW];

/// The mixin of `compiled`.
pub fn mixin(compiled: &Compiled) -> Mixin {
    let catalogue = &compiled.catalogue;
    let mut settings: Vec<Setting> = dashboards::threshold_settings(catalogue)
        .into_iter()
        .map(|(path, (text, doc))| Setting {
            path,
            value: SettingValue::Text(text),
            doc,
        })
        .collect();
    let files = dashboards::dashboards(compiled);
    for (name, doc) in GRAFANA_SETTINGS {
        let value = match name {
            "refresh" => files.first().map(|f| f.dashboard.refresh.clone()),
            _ => files.first().map(|f| f.dashboard.timezone.clone()),
        };
        settings.push(Setting {
            path: vec!["grafana".to_owned(), name.to_owned()],
            value: SettingValue::Text(value.unwrap_or_default()),
            doc: doc.to_owned(),
        });
    }
    let alert_thresholds = catalogue
        .alerts
        .iter()
        .filter_map(|alert| {
            let condition = alert.conditions.first()?;
            let labels = DISTINGUISHING_LABELS
                .iter()
                .filter_map(|key| Some(((*key).to_owned(), alert.labels.get(*key)?.clone())))
                .collect();
            let group = catalogue
                .services
                .iter()
                .find(|s| s.namespace == alert.namespace && s.name == alert.service)?
                .alerting_group
                .clone();
            Some(AlertThreshold {
                group,
                alert: alert.alert.clone(),
                labels,
                setting: threshold_path(catalogue, alert),
                text: condition.threshold_text.clone(),
            })
        })
        .collect();
    Mixin {
        name: compiled.name.clone(),
        rule_files: compiled.rule_files.clone(),
        settings,
        alert_thresholds,
        dashboards: files,
    }
}

/// Every file of `--format mixin`: the Jsonnet sources and the rendered rule files.
pub fn render(compiled: &Compiled) -> Result<BTreeMap<PathBuf, String>, RenderError> {
    let header = emit::header(compiled);
    let mut files = render::render(&mixin(compiled), &header)?;
    let groups = |alerts: bool| RuleFile {
        groups: compiled
            .rule_files
            .values()
            .flat_map(|file| file.groups.iter())
            .filter(|group| is_alert_group(group) == alerts)
            .cloned()
            .collect(),
    };
    for (name, alerts) in [(ALERTS_YAML, true), (RULES_YAML, false)] {
        let node = emit::rules::groups_node(&groups(alerts));
        files.insert(PathBuf::from(name), emit::rules::document(compiled, &node));
    }
    Ok(files)
}
