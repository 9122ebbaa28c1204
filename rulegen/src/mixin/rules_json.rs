//! Rule files as JSON values: the shape `prometheusAlerts`/`prometheusRules` hold, and what a
//! rule file's YAML parses to.

use serde_json::{json, Map, Value};

use crate::rulefile::{Rule, RuleFile, RuleGroup};

/// A group as a JSON object: `name`, then `interval`, `labels` and `rules` when present.
pub fn group_json(group: &RuleGroup) -> Value {
    let mut object = Map::new();
    object.insert("name".to_owned(), json!(group.name));
    if let Some(interval) = group.interval {
        object.insert("interval".to_owned(), json!(interval.to_string()));
    }
    if !group.labels.is_empty() {
        object.insert("labels".to_owned(), json!(group.labels));
    }
    let rules: Vec<Value> = group.rules.iter().map(rule_json).collect();
    object.insert("rules".to_owned(), Value::Array(rules));
    Value::Object(object)
}

/// A rule as a JSON object, with only the keys Prometheus' rule format defines.
pub fn rule_json(rule: &Rule) -> Value {
    let mut object = Map::new();
    match rule {
        Rule::Record(record) => {
            object.insert("record".to_owned(), json!(record.record));
            object.insert("expr".to_owned(), json!(record.expr));
            if !record.labels.is_empty() {
                object.insert("labels".to_owned(), json!(record.labels));
            }
        }
        Rule::Alert(alert) => {
            object.insert("alert".to_owned(), json!(alert.alert));
            object.insert("expr".to_owned(), json!(alert.expr));
            if let Some(for_) = alert.for_ {
                object.insert("for".to_owned(), json!(for_.to_string()));
            }
            if let Some(keep) = alert.keep_firing_for {
                object.insert("keep_firing_for".to_owned(), json!(keep.to_string()));
            }
            if !alert.labels.is_empty() {
                object.insert("labels".to_owned(), json!(alert.labels));
            }
            if !alert.annotations.is_empty() {
                object.insert("annotations".to_owned(), json!(alert.annotations));
            }
        }
    }
    Value::Object(object)
}

/// Whether every rule of the group is an alert (an empty group counts as recording).
pub fn is_alert_group(group: &RuleGroup) -> bool {
    !group.rules.is_empty() && group.rules.iter().all(|r| matches!(r, Rule::Alert(_)))
}

/// `{groups: [...]}` of the groups of `files` that `keep` selects, files in name order.
pub fn groups_json<'a>(
    files: impl IntoIterator<Item = &'a RuleFile>,
    keep: impl Fn(&RuleGroup) -> bool,
) -> Value {
    let groups: Vec<Value> = files
        .into_iter()
        .flat_map(|file| file.groups.iter())
        .filter(|group| keep(group))
        .map(group_json)
        .collect();
    json!({ "groups": groups })
}
