//! What every generated dashboard must satisfy to import and provision cleanly, checked
//! without a Grafana server.
//!
//! The rules come from what Grafana refuses on save (uid characters and length, empty
//! titles), what makes a dashboard portable (a `datasource` variable instead of `__inputs`,
//! which file provisioning leaves unresolved), and what makes it correct on screen (no
//! overlapping panels, known units, sorted thresholds, expressions that parse).

use std::collections::{BTreeMap, BTreeSet};

use super::expr;
use super::layout::GRID_COLUMNS;
use super::model::{
    Dashboard, DataSourceRef, Panel, PanelKind, VariableKind, VariableQuery, DATASOURCE_VAR,
    PROMETHEUS,
};
use super::units;
use crate::diag::Diagnostic;
use crate::spec::model::Span;

/// The `schemaVersion` meshward emits.
///
/// 39 is what Grafana 10.4 and 11.x write; Grafana 12 and 13 migrate it forward on load
/// (to 41 and 42), while a dashboard at 41 or 42 would not load cleanly into Grafana 10 or 11.
/// So 39 is the newest version every supported Grafana (10.x to 13.x) reads as current or
/// migrates from.
pub const SCHEMA_VERSION: u32 = 39;

/// Longest uid Grafana accepts.
pub const MAX_UID_LEN: usize = 40;

/// Template variables every meshward dashboard offers besides `datasource`.
///
/// The recording rules the panels read keep exactly the labels `namespace` and `service`
/// (level `namespace_service`), so those are what a dashboard can filter by; a `workload`
/// variable would filter nothing. A service's workload is named in its dashboard instead.
pub const REQUIRED_QUERY_VARIABLES: [&str; 2] = ["namespace", "service"];

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// Where: a JSON-pointer-like path, `/panels/3/targets/0`.
    pub at: String,
    /// Which rule, `panel/description`.
    pub rule: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]: {}", self.at, self.rule, self.message)
    }
}

/// Checks every invariant; an empty result means the dashboard passes.
pub fn check(dashboard: &Dashboard) -> Vec<Violation> {
    let mut found = Vec::new();
    check_identity(dashboard, &mut found);
    check_variables(dashboard, &mut found);

    let variables: BTreeSet<&str> = dashboard
        .templating
        .list
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    let mut all = Vec::new();
    for (index, panel) in dashboard.panels.iter().enumerate() {
        all.push((format!("/panels/{index}"), panel));
        for (nested, child) in panel.panels.iter().flatten().enumerate() {
            all.push((format!("/panels/{index}/panels/{nested}"), child));
        }
    }
    check_grid(&all, &mut found);
    for (at, panel) in &all {
        check_panel(at, panel, &variables, &mut found);
    }
    found.sort();
    found
}

/// Parses dashboard JSON with the typed model (unknown keys such as `__inputs` are errors),
/// then checks it.
pub fn check_json(text: &str) -> Result<Vec<Violation>, serde_json::Error> {
    let dashboard: Dashboard = serde_json::from_str(text)?;
    Ok(check(&dashboard))
}

/// Checks dashboard JSON text: the typed model (unknown keys are errors), then every
/// invariant, as diagnostics that name the file and the JSON path.
pub fn check_file(path: &str, text: &str) -> Vec<Diagnostic> {
    match check_json(text) {
        Err(error) => vec![Diagnostic::error(
            "dashboard/model",
            format!(
                "{path}:{}:{}: not a dashboard meshward can check: {error}",
                error.line(),
                error.column()
            ),
        )
        .with_help(
            "meshward checks the classic dashboard JSON it generates; unknown keys such as \
             __inputs are refused",
        )],
        Ok(violations) => to_diagnostics(path, violations, |_| None),
    }
}

/// Violations as error diagnostics whose message names the file and the JSON path, placed at
/// `locate(json_path)` when the caller can find that path in the file's text.
pub fn to_diagnostics(
    path: &str,
    violations: Vec<Violation>,
    locate: impl Fn(&str) -> Option<Span>,
) -> Vec<Diagnostic> {
    violations
        .into_iter()
        .map(|v| {
            Diagnostic::error(v.rule, format!("{path}: {}: {}", v.at, v.message))
                .at_opt(locate(&v.at), v.at.clone())
        })
        .collect()
}

fn violation(
    found: &mut Vec<Violation>,
    at: impl Into<String>,
    rule: &'static str,
    message: String,
) {
    found.push(Violation {
        at: at.into(),
        rule,
        message,
    });
}

/// Whether `uid` is a uid Grafana 10–13 and the grafana-operator all accept.
pub fn is_valid_uid(uid: &str) -> bool {
    uid.len() <= MAX_UID_LEN
        && uid.starts_with(|c: char| c.is_ascii_lowercase())
        && uid
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_identity(dashboard: &Dashboard, found: &mut Vec<Violation>) {
    if !is_valid_uid(&dashboard.uid) {
        violation(
            found,
            "/uid",
            "dashboard/uid",
            format!(
                "uid {:?} must be 1 to {MAX_UID_LEN} characters of [a-z0-9-] starting with a letter",
                dashboard.uid
            ),
        );
    }
    if dashboard.title.trim().is_empty() {
        violation(
            found,
            "/title",
            "dashboard/title",
            "the title is empty".to_owned(),
        );
    }
    if dashboard.schema_version != SCHEMA_VERSION {
        violation(
            found,
            "/schemaVersion",
            "dashboard/schema-version",
            format!(
                "schemaVersion is {}, expected {SCHEMA_VERSION}",
                dashboard.schema_version
            ),
        );
    }
}

fn is_prometheus_variable_ref(source: Option<&DataSourceRef>) -> bool {
    source == Some(&DataSourceRef::prometheus())
}

fn check_variables(dashboard: &Dashboard, found: &mut Vec<Violation>) {
    let list = &dashboard.templating.list;
    let mut seen = BTreeSet::new();
    for (index, variable) in list.iter().enumerate() {
        if !seen.insert(variable.name.as_str()) {
            violation(
                found,
                format!("/templating/list/{index}"),
                "variable/unique",
                format!("variable {:?} is defined twice", variable.name),
            );
        }
        if variable.kind == VariableKind::Query {
            if let VariableQuery::Prometheus(query) = &variable.query {
                if let Err(error) = check_label_values(&query.query) {
                    violation(
                        found,
                        format!("/templating/list/{index}/query"),
                        "variable/query",
                        format!("variable {:?}: {error}", variable.name),
                    );
                }
            }
            if !is_prometheus_variable_ref(variable.datasource.as_ref()) {
                violation(
                    found,
                    format!("/templating/list/{index}/datasource"),
                    "variable/datasource",
                    format!(
                        "variable {:?} must query ${{{DATASOURCE_VAR}}}",
                        variable.name
                    ),
                );
            }
            if variable.refresh != 2 {
                violation(
                    found,
                    format!("/templating/list/{index}/refresh"),
                    "variable/refresh",
                    format!(
                        "variable {:?} must refresh on time-range change (2)",
                        variable.name
                    ),
                );
            }
        }
    }
    let datasource = list.iter().find(|v| v.name == DATASOURCE_VAR);
    let is_prometheus_picker = datasource.is_some_and(|v| {
        v.kind == VariableKind::Datasource
            && v.query == VariableQuery::Plugin(PROMETHEUS.to_owned())
    });
    if !is_prometheus_picker {
        violation(
            found,
            "/templating/list",
            "variable/datasource-picker",
            format!(
                "a variable {DATASOURCE_VAR:?} of type datasource listing prometheus is required"
            ),
        );
    }
    for name in REQUIRED_QUERY_VARIABLES {
        if !list
            .iter()
            .any(|v| v.name == name && v.kind == VariableKind::Query)
        {
            violation(
                found,
                "/templating/list",
                "variable/required",
                format!("a query variable {name:?} is required"),
            );
        }
    }
}

fn check_grid(all: &[(String, &Panel)], found: &mut Vec<Violation>) {
    let mut ids = BTreeMap::new();
    for (at, panel) in all {
        let pos = panel.grid_pos;
        if pos.w == 0 || pos.h == 0 || pos.x + pos.w > GRID_COLUMNS {
            violation(
                found,
                format!("{at}/gridPos"),
                "grid/bounds",
                format!(
                    "x {} + w {} must stay within 24 columns, w and h at least 1",
                    pos.x, pos.w
                ),
            );
        }
        if let Some(first) = ids.insert(panel.id, at.clone()) {
            violation(
                found,
                format!("{at}/id"),
                "panel/unique-id",
                format!("id {} is also used by {first}", panel.id),
            );
        }
    }
    for (i, (at, a)) in all.iter().enumerate() {
        for (other_at, b) in &all[i + 1..] {
            if a.grid_pos.overlaps(&b.grid_pos) {
                violation(
                    found,
                    format!("{at}/gridPos"),
                    "grid/overlap",
                    format!("overlaps {other_at}"),
                );
            }
        }
    }
}

fn check_panel(at: &str, panel: &Panel, variables: &BTreeSet<&str>, found: &mut Vec<Violation>) {
    if panel.title.trim().is_empty() {
        violation(
            found,
            format!("{at}/title"),
            "panel/title",
            "the title is empty".to_owned(),
        );
    }
    if panel.kind == PanelKind::Row {
        return;
    }
    if panel
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        violation(
            found,
            format!("{at}/description"),
            "panel/description",
            format!("panel {:?} has no description", panel.title),
        );
    }
    if !is_prometheus_variable_ref(panel.datasource.as_ref()) {
        violation(
            found,
            format!("{at}/datasource"),
            "panel/datasource",
            "the datasource must be {\"type\":\"prometheus\",\"uid\":\"${datasource}\"}".to_owned(),
        );
    }
    check_field_config(at, panel, found);
    check_targets(at, panel, variables, found);
}

fn check_field_config(at: &str, panel: &Panel, found: &mut Vec<Violation>) {
    let Some(config) = &panel.field_config else {
        violation(
            found,
            format!("{at}/fieldConfig"),
            "panel/unit",
            "no fieldConfig".to_owned(),
        );
        return;
    };
    let defaults = &config.defaults;
    if !units::is_allowed(&defaults.unit) {
        violation(
            found,
            format!("{at}/fieldConfig/defaults/unit"),
            "panel/unit",
            format!("unit {:?} is not a verified Grafana unit id", defaults.unit),
        );
    }
    let steps = &defaults.thresholds.steps;
    if steps.first().is_none_or(|s| s.value.is_some()) {
        violation(
            found,
            format!("{at}/fieldConfig/defaults/thresholds/steps/0"),
            "thresholds/base",
            "the first threshold step must have value null".to_owned(),
        );
    }
    let values: Vec<f64> = steps.iter().skip(1).filter_map(|s| s.value).collect();
    if values.len() + 1 != steps.len() || values.windows(2).any(|pair| pair[0] >= pair[1]) {
        violation(
            found,
            format!("{at}/fieldConfig/defaults/thresholds/steps"),
            "thresholds/sorted",
            format!("threshold values after the first must ascend strictly, found {values:?}"),
        );
    }
}

fn check_targets(at: &str, panel: &Panel, variables: &BTreeSet<&str>, found: &mut Vec<Violation>) {
    if panel.targets.is_empty() {
        violation(
            found,
            format!("{at}/targets"),
            "panel/targets",
            "no targets".to_owned(),
        );
    }
    let mut ref_ids = BTreeSet::new();
    let values: BTreeMap<&str, &str> = variables.iter().map(|name| (*name, *name)).collect();
    for (index, target) in panel.targets.iter().enumerate() {
        let target_at = format!("{at}/targets/{index}");
        if !ref_ids.insert(target.ref_id.as_str()) {
            violation(
                found,
                format!("{target_at}/refId"),
                "target/unique-ref-id",
                format!("refId {:?} is used twice in the panel", target.ref_id),
            );
        }
        if target.datasource != DataSourceRef::prometheus() {
            violation(
                found,
                format!("{target_at}/datasource"),
                "target/datasource",
                "the datasource must be the ${datasource} variable".to_owned(),
            );
        }
        if panel.kind == PanelKind::Table && (target.format != "table" || !target.instant) {
            violation(
                found,
                format!("{target_at}/format"),
                "target/table",
                "table targets must be instant queries in table format".to_owned(),
            );
        }
        for name in referenced_variables(&target.expr) {
            if !variables.contains(name.as_str()) && !name.starts_with("__") {
                violation(
                    found,
                    format!("{target_at}/expr"),
                    "target/variable",
                    format!("${name} is not a template variable of this dashboard"),
                );
            }
        }
        match expr::fixed_rate_windows(&target.expr, &values) {
            Err(error) => violation(
                found,
                format!("{target_at}/expr"),
                "target/promql",
                format!("does not parse after variable substitution: {error}"),
            ),
            Ok(fixed) if !fixed.is_empty() => violation(
                found,
                format!("{target_at}/expr"),
                "target/rate-interval",
                format!(
                    "use [$__rate_interval] instead of fixed windows: {}",
                    fixed.join(", ")
                ),
            ),
            Ok(_) => {}
        }
    }
}

/// Splits `label_values(<selector>, <label>)` into its selector and label name.
pub fn label_values_parts(query: &str) -> Option<(&str, &str)> {
    let inner = query
        .trim()
        .strip_prefix("label_values(")?
        .strip_suffix(')')?;
    let (selector, label) = inner.rsplit_once(',')?;
    Some((selector.trim(), label.trim()))
}

/// A `label_values(selector, label)` query whose selector parses as PromQL (variables
/// substituted) and whose label is a valid label name.
fn check_label_values(query: &str) -> Result<(), String> {
    let (selector, label) = label_values_parts(query)
        .ok_or_else(|| format!("expected label_values(<selector>, <label>), found {query:?}"))?;
    let valid_label = label.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid_label {
        return Err(format!("{label:?} is not a label name"));
    }
    let names: Vec<String> = referenced_variables(selector);
    let values: BTreeMap<&str, &str> = names.iter().map(|n| (n.as_str(), n.as_str())).collect();
    expr::parse(selector, &values)
        .map(|_| ())
        .map_err(|error| format!("the selector does not parse: {error}"))
}

/// Names of the `$var` / `${var}` references in an expression.
pub fn referenced_variables(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(dollar) = rest.find('$') {
        let after = &rest[dollar + 1..];
        let body = after.strip_prefix('{').unwrap_or(after);
        let len = body
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if len > 0 {
            names.push(body[..len].to_owned());
        }
        rest = after;
    }
    names
}
