//! Writes a monitoring mixin: Jsonnet sources whose evaluation gives exactly the generated
//! rule groups and dashboards, with thresholds and Grafana settings read from `_config` so that
//! users override them the usual way.
//!
//! ```jsonnet
//! local meshSecurity = (import 'mesh-security/mixin.libsonnet') + {
//!   _config+:: { thresholds+: { shop+: { checkout+: { MeshwardMtlsAdoptionLow: '0.95' } } } },
//! };
//! meshSecurity.prometheusAlerts
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use thiserror::Error;

use super::jsonnet_text::{key, string_literal, Field, Node};
use super::rules_json::{groups_json, is_alert_group};
use crate::dashboard::json::to_pretty_json;
use crate::rulefile::{Rule, RuleFile};

/// One value of `_config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// Where under `_config`: `["thresholds", "checkout", "mtls_min_ratio"]`.
    pub path: Vec<String>,
    /// The value: for thresholds, the exact text the PromQL compares against.
    pub value: SettingValue,
    /// What it controls, printed as a comment above it.
    pub doc: String,
}

/// A setting's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingValue {
    /// A string; thresholds are strings so that PromQL gets their exact text.
    Text(String),
    /// A list of strings.
    List(Vec<String>),
}

/// A threshold inside an alert's expression that reads a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertThreshold {
    /// The rule group holding the alert (one per service).
    pub group: String,
    /// The alert name.
    pub alert: String,
    /// Labels that single out the rule among rules of the same name in the group (`severity`,
    /// `tier`, `long_window`): a rule matches when it carries each of them with that value.
    pub labels: BTreeMap<String, String>,
    /// The setting, by path.
    pub setting: Vec<String>,
    /// The number as it appears in the expression, right of a comparison: `0.99`.
    pub text: String,
}

pub use crate::dashboard::generate::{DashboardFile as MixinDashboard, Hole, HoleKind};

/// Everything a mixin is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct Mixin {
    /// The spec's name.
    pub name: String,
    /// The rule files, by name; their groups become `prometheusAlerts` (groups of alerts only)
    /// and `prometheusRules` (every other group).
    pub rule_files: BTreeMap<String, RuleFile>,
    /// The `_config` values.
    pub settings: Vec<Setting>,
    /// Thresholds in alert expressions that read settings.
    pub alert_thresholds: Vec<AlertThreshold>,
    /// The dashboards.
    pub dashboards: Vec<MixinDashboard>,
}

/// A generated expression or dashboard that does not contain what a setting should replace:
/// a bug in the generator, reported instead of writing a mixin that ignores the setting.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RenderError {
    /// The threshold text was not found right of a comparison in the alert's expression.
    #[error("alert {alert} {labels:?}: threshold {text} not found in its expression")]
    ThresholdNotFound {
        /// The alert.
        alert: String,
        /// The labels that single it out.
        labels: BTreeMap<String, String>,
        /// The text looked for.
        text: String,
    },
    /// A dashboard setting points at no leaf, or at a string that does not end with the
    /// setting's text.
    #[error("dashboard {file}: no value to replace at {at}")]
    DashboardPathNotFound {
        /// The dashboard file.
        file: String,
        /// The path.
        at: String,
    },
    /// A setting is referenced but not defined.
    #[error("setting {0} is used but not defined")]
    UnknownSetting(String),
}

/// File names of the mixin, relative to its directory.
pub const MIXIN_FILE: &str = "mixin.libsonnet";
/// The settings file.
pub const CONFIG_FILE: &str = "config.libsonnet";
/// The alerting groups.
pub const ALERTS_FILE: &str = "alerts.libsonnet";
/// The recording groups.
pub const RULES_FILE: &str = "rules.libsonnet";
/// The dashboards.
pub const DASHBOARDS_FILE: &str = "dashboards.libsonnet";
/// jsonnet-bundler's manifest, so the directory can be vendored with `jb install`.
pub const JSONNETFILE: &str = "jsonnetfile.json";

/// `$._config.a.b["c-d"]`.
pub fn config_ref(path: &[String]) -> String {
    let mut out = String::from("$._config");
    for segment in path {
        let bare = key(segment);
        if bare == *segment {
            let _ = write!(out, ".{segment}");
        } else {
            let _ = write!(out, "[{}]", string_literal(segment));
        }
    }
    out
}

/// The mixin's files, relative path to content.
pub fn render(mixin: &Mixin, header: &str) -> Result<BTreeMap<PathBuf, String>, RenderError> {
    let defined: Vec<&Vec<String>> = mixin.settings.iter().map(|s| &s.path).collect();
    let check = |path: &Vec<String>| {
        if defined.contains(&path) {
            Ok(())
        } else {
            Err(RenderError::UnknownSetting(path.join(".")))
        }
    };
    for threshold in &mixin.alert_thresholds {
        check(&threshold.setting)?;
    }
    for dashboard in &mixin.dashboards {
        for hole in &dashboard.holes {
            check(&hole.setting)?;
        }
    }

    let comment = header
        .lines()
        .map(|line| format!("// {line}").trim_end().to_owned() + "\n")
        .collect::<String>();
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from(MIXIN_FILE),
        format!("{comment}{}", mixin_text()),
    );
    files.insert(
        PathBuf::from(CONFIG_FILE),
        format!("{comment}{}", config_text(mixin)),
    );
    files.insert(
        PathBuf::from(ALERTS_FILE),
        format!("{comment}{}", groups_text(mixin, true)?),
    );
    files.insert(
        PathBuf::from(RULES_FILE),
        format!("{comment}{}", groups_text(mixin, false)?),
    );
    files.insert(
        PathBuf::from(DASHBOARDS_FILE),
        format!("{comment}{}", dashboards_text(mixin)?),
    );
    files.insert(
        PathBuf::from(JSONNETFILE),
        "{\n  \"dependencies\": [],\n  \"legacyImports\": true,\n  \"version\": 1\n}\n".to_owned(),
    );
    Ok(files)
}

fn mixin_text() -> String {
    format!(
        "//\n// The mixin: `prometheusAlerts`, `prometheusRules` and `grafanaDashboards`, with every\n\
         // threshold and Grafana setting in `_config` ({CONFIG_FILE}).\n\
         (import '{CONFIG_FILE}') +\n(import '{ALERTS_FILE}') +\n(import '{RULES_FILE}') +\n\
         (import '{DASHBOARDS_FILE}')\n"
    )
}

/// A tree of settings for printing `config.libsonnet`.
#[derive(Default)]
struct Tree<'a> {
    leaves: BTreeMap<&'a str, &'a Setting>,
    branches: BTreeMap<&'a str, Tree<'a>>,
}

fn config_text(mixin: &Mixin) -> String {
    let mut tree = Tree::default();
    for setting in &mixin.settings {
        let (last, parents) = setting.path.split_last().expect("settings have a path");
        let mut node = &mut tree;
        for parent in parents {
            node = node.branches.entry(parent.as_str()).or_default();
        }
        node.leaves.insert(last.as_str(), setting);
    }
    let mut out = String::from(
        "//\n// Settings of the mixin. Override them the usual way, for example:\n\
         //   (import 'mixin.libsonnet') +\n\
         //   { _config+:: { thresholds+: { <namespace>+: { <service>+: { <alert>: '0.95' } } } } }\n\
         // Thresholds are strings: the exact text the alert expressions compare against.\n\
         {\n  _config+:: ",
    );
    write_tree(&mut out, &tree, 2);
    out.push_str(",\n}\n");
    out
}

fn write_tree(out: &mut String, tree: &Tree<'_>, indent: usize) {
    let pad = "  ".repeat(indent);
    out.push_str("{\n");
    for (name, setting) in &tree.leaves {
        for line in setting.doc.lines() {
            let _ = writeln!(out, "{pad}// {line}");
        }
        let value = match &setting.value {
            SettingValue::Text(text) => string_literal(text),
            SettingValue::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| string_literal(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let _ = writeln!(out, "{pad}{}: {value},", key(name));
    }
    for (name, branch) in &tree.branches {
        let _ = write!(out, "{pad}{}: ", key(name));
        write_tree(out, branch, indent + 1);
        out.push_str(",\n");
    }
    out.push_str(&"  ".repeat(indent - 1));
    out.push('}');
}

/// Splits `expr` around each `text` that stands right of a comparison operator.
fn split_at_threshold<'e>(expr: &'e str, text: &str) -> Vec<&'e str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut search = 0;
    while let Some(found) = expr[search..].find(text) {
        let at = search + found;
        let end = at + text.len();
        let before = expr[..at].trim_end();
        let after = expr[end..].chars().next();
        let compared = before.ends_with(['<', '>', '='])
            && !expr[..at].ends_with(|c: char| c.is_ascii_digit() || c == '.');
        let whole = !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        if compared && whole {
            parts.push(&expr[start..at]);
            start = end;
        }
        search = end;
    }
    parts.push(&expr[start..]);
    parts
}

fn groups_text(mixin: &Mixin, alerts: bool) -> Result<String, RenderError> {
    let value = groups_json(mixin.rule_files.values(), |group| {
        is_alert_group(group) == alerts
    });
    let mut node = Node::from_json(&value);
    if alerts {
        let groups = mixin
            .rule_files
            .values()
            .flat_map(|file| file.groups.iter())
            .filter(|group| is_alert_group(group));
        let mut applied = std::collections::BTreeSet::new();
        for (group_index, group) in groups.enumerate() {
            for (rule_index, rule) in group.rules.iter().enumerate() {
                let Rule::Alert(alert) = rule else { continue };
                let thresholds: Vec<(usize, &AlertThreshold)> = mixin
                    .alert_thresholds
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| {
                        t.group == group.name
                            && t.alert == alert.alert
                            && t.labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v))
                    })
                    .collect();
                if thresholds.is_empty() {
                    continue;
                }
                applied.extend(thresholds.iter().map(|(index, _)| *index));
                let mut code = vec![alert.expr.clone()];
                for (_, threshold) in &thresholds {
                    let mut replaced = false;
                    let mut next = Vec::new();
                    for piece in code {
                        if piece.starts_with("$._config") {
                            next.push(piece);
                            continue;
                        }
                        let parts = split_at_threshold(&piece, &threshold.text);
                        replaced |= parts.len() > 1;
                        for (i, part) in parts.iter().enumerate() {
                            if i > 0 {
                                next.push(config_ref(&threshold.setting));
                            }
                            next.push((*part).to_owned());
                        }
                    }
                    if !replaced {
                        return Err(RenderError::ThresholdNotFound {
                            alert: alert.alert.clone(),
                            labels: threshold.labels.clone(),
                            text: threshold.text.clone(),
                        });
                    }
                    code = next;
                }
                let joined = code
                    .iter()
                    .filter(|piece| !piece.is_empty())
                    .map(|piece| {
                        if piece.starts_with("$._config") {
                            piece.clone()
                        } else {
                            string_literal(piece)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" + ");
                let path = [
                    "groups",
                    &group_index.to_string(),
                    "rules",
                    &rule_index.to_string(),
                ];
                if let Some(expr) = node.at_mut(&path).and_then(|rule| rule.field_mut("expr")) {
                    *expr = Node::Code(joined);
                }
            }
        }
        // A threshold that matched no rule would leave its setting without effect.
        let unused = (0..mixin.alert_thresholds.len()).find(|i| !applied.contains(i));
        if let Some(unused) = unused.map(|i| &mixin.alert_thresholds[i]) {
            return Err(RenderError::ThresholdNotFound {
                alert: unused.alert.clone(),
                labels: unused.labels.clone(),
                text: unused.text.clone(),
            });
        }
    }
    let field = if alerts {
        "prometheusAlerts"
    } else {
        "prometheusRules"
    };
    let Node::Object(fields) = node else {
        unreachable!("groups_json returns an object")
    };
    let inner = Node::Object(
        fields
            .into_iter()
            .map(|f| Field::plus(&f.key, f.value))
            .collect(),
    );
    let top = Node::Object(vec![Field::hidden_plus(field, inner)]);
    Ok(format!(
        "//\n// {}\n{}\n",
        group_kind(alerts),
        top.render(0)
    ))
}

fn group_kind(alerts: bool) -> &'static str {
    if alerts {
        "Alerting rules: every group whose rules are all alerts."
    } else {
        "Recording rules: the series alerts and dashboards read."
    }
}

fn dashboards_text(mixin: &Mixin) -> Result<String, RenderError> {
    let mut fields = Vec::new();
    for dashboard in &mixin.dashboards {
        let value: serde_json::Value = serde_json::from_str(&to_pretty_json(&dashboard.dashboard))
            .expect("our own JSON parses");
        let mut node = Node::from_json(&value);
        for hole in &dashboard.holes {
            let at: Vec<&str> = hole.at.iter().map(String::as_str).collect();
            let missing = || RenderError::DashboardPathNotFound {
                file: dashboard.file_name.clone(),
                at: hole.at.join("/"),
            };
            let leaf = node.at_mut(&at).ok_or_else(missing)?;
            let reference = config_ref(&hole.setting);
            let code = match &hole.kind {
                HoleKind::Number => format!("std.parseJson({reference})"),
                HoleKind::Text => reference,
                HoleKind::Suffix(suffix) => {
                    let Node::Str(text) = &*leaf else {
                        return Err(missing());
                    };
                    let prefix = text.strip_suffix(suffix.as_str()).ok_or_else(missing)?;
                    format!("{} + {reference}", string_literal(prefix))
                }
            };
            *leaf = Node::Code(code);
        }
        fields.push(Field::new(&dashboard.file_name, node));
    }
    let top = Node::Object(vec![Field::hidden_plus(
        "grafanaDashboards",
        Node::Object(fields),
    )]);
    Ok(format!(
        "//\n// Grafana dashboards, keyed by file name.\n{}\n",
        top.render(0)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_found_only_right_of_comparisons() {
        assert_eq!(
            split_at_threshold("a{q=\"0.99\"} < 0.99 and b > 10.99 and c >= 0.99", "0.99"),
            vec!["a{q=\"0.99\"} < ", " and b > 10.99 and c >= ", ""]
        );
        assert_eq!(split_at_threshold("a > 0.995", "0.99"), vec!["a > 0.995"]);
        assert_eq!(split_at_threshold("a > 0.99e1", "0.99"), vec!["a > 0.99e1"]);
    }

    #[test]
    fn config_references_quote_odd_keys() {
        let path = ["thresholds", "a\"b", "mtls_min_ratio"].map(str::to_owned);
        assert_eq!(
            config_ref(&path),
            "$._config.thresholds[\"a\\\"b\"].mtls_min_ratio"
        );
    }
}
