//! `meshward check` on a Grafana dashboard file: Grafana's JSON Schema first, then meshward's
//! invariants, each finding placed on the JSON it is about.
//!
//! A misspelt key is reported by the schema and then left out, so that one typo does not
//! hide the layout and query problems the invariants find in the rest of the dashboard. A
//! dashboard that conforms to the schema but uses parts of Grafana's format meshward's typed
//! model does not cover gets a warning that its invariants were not checked, not an error.

use serde_json::Value;

use super::model::Dashboard;
use super::{invariants, schema};
use crate::diag::Diagnostic;
use crate::spec::model::Span;
use crate::yaml::Node;

/// What checking one dashboard file found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DashboardLint {
    /// Every finding, schema errors first.
    pub diagnostics: Vec<Diagnostic>,
    /// How many panels (rows and nested panels included) the invariants checked; 0 when the
    /// typed model could not read the dashboard.
    pub panels: usize,
}

/// Checks the dashboard in `text`, named `path` in messages; `document` is the same text read
/// as YAML, whose positions place each finding.
pub fn lint_file(path: &str, text: &str, document: &Node) -> DashboardLint {
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            let diagnostic =
                Diagnostic::error("dashboard/json", format!("{path}: not JSON: {error}"))
                    .at_opt(line_column_span(document.span.file, text, &error), "here")
                    .with_help("Grafana reads dashboard files as JSON only");
            return DashboardLint {
                diagnostics: vec![diagnostic],
                panels: 0,
            };
        }
    };

    let schema_errors = schema::errors(&value);
    let mut lint = DashboardLint {
        diagnostics: schema_errors
            .iter()
            .flat_map(|error| schema_diagnostics(path, error, document))
            .collect(),
        panels: 0,
    };

    let readable = schema::with_keys_repaired(&value, &schema_errors);
    match serde_json::from_value::<Dashboard>(readable) {
        Ok(dashboard) => {
            lint.panels = dashboard
                .panels
                .iter()
                .map(|p| 1 + p.panels.as_ref().map_or(0, Vec::len))
                .sum();
            let locate = |pointer: &str| Some(document.closest_to_pointer(pointer).0.span);
            lint.diagnostics.extend(invariants::to_diagnostics(
                path,
                invariants::check(&dashboard),
                locate,
            ));
        }
        Err(error) => lint.diagnostics.push(
            Diagnostic::warning(
                "dashboard/model",
                format!("{path}: meshward's invariants were not checked: {error}"),
            )
            .with_help(
                "the layout, variable and query invariants are checked on dashboards in the \
                 shape meshward generates; the schema checks above apply to any dashboard",
            ),
        ),
    }
    lint
}

/// A schema error placed on the value at its JSON path (or the nearest enclosing value that
/// exists, for a missing key); an unexpected key gets a diagnostic of its own, on the key.
fn schema_diagnostics(path: &str, error: &schema::SchemaError, document: &Node) -> Vec<Diagnostic> {
    let (node, _) = document.closest_to_pointer(&error.at);
    let shown_at = if error.at.is_empty() { "/" } else { &error.at };
    if error.unexpected.is_empty() {
        let message = format!("{path}: {shown_at}: {}", error.message);
        return vec![Diagnostic::error("dashboard/schema", message).at(node.span, "here")];
    }
    error
        .unexpected
        .iter()
        .map(|key| {
            let span = node
                .entry(&key.name)
                .map_or(node.span, |entry| entry.key.span);
            let message = format!(
                "{path}: {shown_at}: `{}` is not a key of Grafana's dashboard schema here",
                key.name
            );
            let (label, hint) = match &key.closest {
                Some(closest) => (
                    format!("did you mean `{closest}`?"),
                    format!("rename it to `{closest}`; "),
                ),
                None => ("unknown key".to_owned(), String::new()),
            };
            Diagnostic::error("dashboard/schema", message)
                .at(span, label)
                .with_help(format!(
                    "{hint}Grafana ignores keys its dashboard types do not define (the schema \
                     is rulegen/schema/grafana-dashboard.schema.json)"
                ))
        })
        .collect()
}

/// The place a JSON syntax error names, as a one-byte span.
fn line_column_span(file: usize, text: &str, error: &serde_json::Error) -> Option<Span> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(error.line().checked_sub(1)?)
        .map(str::len)
        .sum();
    let offset = (line_start + error.column().saturating_sub(1)).min(text.len());
    Some(Span {
        file,
        offset,
        len: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::json::to_pretty_json;
    use crate::generate::compile;
    use crate::yaml;

    fn first_dashboard() -> String {
        let spec = crate::spec::load_str(
            "s.yaml",
            "version: 1\nname: s\nmesh: istio\nservices:\n  - {name: web, namespace: shop, \
             mtls: {mode: strict}}\n",
        )
        .unwrap();
        let compiled = compile(&spec).unwrap();
        to_pretty_json(&crate::dashboard::generate::dashboards(&compiled)[0].dashboard)
    }

    fn lint(text: &str) -> DashboardLint {
        lint_file("d.json", text, &yaml::parse_document(0, text).unwrap())
    }

    #[test]
    fn a_generated_dashboard_is_clean() {
        let found = lint(&first_dashboard());
        assert_eq!(found.diagnostics, vec![]);
        assert!(found.panels > 3, "{}", found.panels);
    }

    #[test]
    fn a_typo_is_placed_on_the_key_and_the_rest_is_still_checked() {
        let text = first_dashboard().replacen(
            "\n  \"uid\": \"",
            "\n  \"uidd\": \"x\",\n  \"uid\": \"X",
            1,
        );
        let found = lint(&text);
        let codes: Vec<&str> = found.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec!["dashboard/schema", "dashboard/uid"],
            "{found:#?}"
        );
        let typo = found.diagnostics[0].span.unwrap();
        assert_eq!(&text[typo.offset..][..typo.len], "\"uidd\"");
        let uid = found.diagnostics[1].span.unwrap();
        assert!(text[uid.offset..].starts_with("\"X"), "{uid:?}");
    }

    #[test]
    fn json_errors_and_foreign_shapes() {
        let found = lint("{\"panels\": [], \"schemaVersion\": 39,}");
        assert_eq!(found.diagnostics[0].code, "dashboard/json");
        assert_eq!(found.diagnostics[0].span.unwrap().offset, 35);

        let found = lint("{\"panels\": [], \"schemaVersion\": 39, \"title\": \"Theirs\"}");
        assert_eq!(found.diagnostics.len(), 1, "{found:#?}");
        assert_eq!(found.diagnostics[0].code, "dashboard/model");
        assert!(!found.diagnostics[0].is_error());
    }
}
