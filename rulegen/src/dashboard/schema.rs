//! The JSON Schema of classic dashboard JSON, derived from Grafana's published TypeScript types
//! and committed in `rulegen/schema/` (its README names the package versions and how to
//! regenerate it).
//!
//! The schema catches what Grafana would silently ignore or mis-read: a misspelt key
//! (`unitt`, `gridpos`), a number written as a string, a panel without `type`. `meshward
//! check` runs it on dashboard files, and the tests run it on every generated dashboard.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value;

use crate::spec::decode::suggest;

/// The committed schema, as text.
pub const SCHEMA_JSON: &str = include_str!("../../schema/grafana-dashboard.schema.json");

/// One place where a dashboard breaks the schema.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaError {
    /// The JSON pointer of the offending value, `/panels/1/fieldConfig/defaults` (empty for
    /// the whole document).
    pub at: String,
    /// Keys that are not allowed at `at`, for a misspelt or unknown key; empty otherwise.
    pub unexpected: Vec<UnexpectedKey>,
    /// What is wrong, as the validator words it.
    pub message: String,
}

/// A key the schema does not allow where it is written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnexpectedKey {
    /// The key as written, `unitt`.
    pub name: String,
    /// The allowed key it most likely misspells, `unit`.
    pub closest: Option<String>,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The compiled schema, built on first use.
///
/// # Panics
///
/// Never in practice: the schema is compiled into the binary and the tests compile it on
/// every run, so a schema that does not compile cannot be released.
pub fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::validator_for(schema()).expect("the committed dashboard schema compiles")
    })
}

/// The committed schema, parsed on first use.
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        serde_json::from_str(SCHEMA_JSON).expect("the committed dashboard schema is JSON")
    })
}

/// Every place where `dashboard` breaks the schema, sorted by path; empty when it conforms.
///
/// ```
/// use meshward_rulegen::dashboard::schema;
/// use serde_json::json;
///
/// let errors = schema::errors(&json!({"panels": [], "schemaVersion": "39"}));
/// assert_eq!(errors[0].at, "/schemaVersion");
/// ```
pub fn errors(dashboard: &Value) -> Vec<SchemaError> {
    let mut found: Vec<SchemaError> = validator()
        .iter_errors(dashboard)
        .flat_map(|error| convert(&error))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// One validator error as schema errors.
///
/// An `anyOf`/`oneOf` that fails only because of unexpected keys in one of its alternatives
/// (a typo in a datasource reference, say) is reported as those keys, which is what the user
/// has to fix, rather than as "not valid under any of the schemas".
fn convert(error: &ValidationError<'_>) -> Vec<SchemaError> {
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(error.schema_path().as_str());
            let unexpected = unexpected
                .iter()
                .map(|name| UnexpectedKey {
                    name: name.clone(),
                    closest: suggest(name, &allowed).map(str::to_owned),
                })
                .collect();
            vec![SchemaError {
                at: error.instance_path().to_string(),
                unexpected,
                message: error.to_string(),
            }]
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let only_unexpected_keys = context
                .iter()
                .map(|branch| branch.iter().flat_map(convert).collect::<Vec<_>>())
                .filter(|branch| {
                    !branch.is_empty() && branch.iter().all(|e| !e.unexpected.is_empty())
                })
                .min_by_key(Vec::len);
            only_unexpected_keys.unwrap_or_else(|| vec![plain(error)])
        }
        _ => vec![plain(error)],
    }
}

/// The keys the subschema owning the failed `additionalProperties` keyword (at
/// `keyword_path`) declares. The committed schema has no `$ref`s, so the keyword's path is a
/// plain pointer into it.
fn allowed_keys(keyword_path: &str) -> Vec<&'static str> {
    let owner = keyword_path.rsplit_once('/').map_or("", |(owner, _)| owner);
    schema()
        .pointer(owner)
        .and_then(|subschema| subschema.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn plain(error: &ValidationError<'_>) -> SchemaError {
    SchemaError {
        at: error.instance_path().to_string(),
        unexpected: Vec::new(),
        message: error.to_string(),
    }
}

/// `dashboard` with every unexpected key renamed to the key it most likely misspells (unless
/// that key is set too) or else removed, so that the checks that read the typed model can
/// still run on a dashboard with a typo, which [`errors`] reports.
pub fn with_keys_repaired(dashboard: &Value, errors: &[SchemaError]) -> Value {
    let mut repaired = dashboard.clone();
    for error in errors {
        let Some(Value::Object(object)) = repaired.pointer_mut(&error.at) else {
            continue;
        };
        for key in &error.unexpected {
            let Some(value) = object.remove(&key.name) else {
                continue;
            };
            if let Some(closest) = &key.closest {
                object.entry(closest.clone()).or_insert(value);
            }
        }
    }
    repaired
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_committed_schema_compiles() {
        assert!(errors(&json!({"panels": [], "schemaVersion": 39})).is_empty());
    }

    #[test]
    fn the_committed_schema_has_no_references() {
        // `allowed_keys` reads keyword paths as plain pointers into the schema, which holds
        // only while the generator inlines every type.
        assert!(!SCHEMA_JSON.contains("\"$ref\""));
        assert_eq!(
            allowed_keys("/properties/panels/items/else/properties/gridPos/additionalProperties"),
            vec!["h", "static", "w", "x", "y"]
        );
    }

    #[test]
    fn unexpected_keys_are_named_with_the_key_they_misspell_and_repaired() {
        let dashboard = json!({
            "panels": [{"type": "stat", "title": "A", "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
                        "descriptionn": "typo", "banana": 1}],
            "schemaVersion": 39,
        });
        let found = errors(&dashboard);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].at, "/panels/0");
        let unexpected: Vec<(&str, Option<&str>)> = found[0]
            .unexpected
            .iter()
            .map(|k| (k.name.as_str(), k.closest.as_deref()))
            .collect();
        assert_eq!(
            unexpected,
            vec![("banana", None), ("descriptionn", Some("description"))]
        );
        let repaired = with_keys_repaired(&dashboard, &found);
        assert_eq!(repaired["panels"][0]["description"], "typo");
        assert!(repaired["panels"][0].get("descriptionn").is_none());
        assert!(repaired["panels"][0].get("banana").is_none());
        assert!(errors(&repaired).is_empty());
    }

    #[test]
    fn a_repair_never_overwrites_a_key_that_is_set() {
        let dashboard = json!({"panels": [], "schemaVersion": 39, "title": "A", "titel": "B"});
        let repaired = with_keys_repaired(&dashboard, &errors(&dashboard));
        assert_eq!(
            repaired,
            json!({"panels": [], "schemaVersion": 39, "title": "A"})
        );
    }

    #[test]
    fn a_typo_inside_an_alternative_is_reported_as_the_key() {
        let dashboard = json!({
            "annotations": {"list": [{"builtIn": 1, "enable": true, "name": "A",
                "iconColor": "red", "datasource": {"type": "grafana", "uidd": "x"}}]},
            "panels": [],
            "schemaVersion": 39,
        });
        let found = errors(&dashboard);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].at, "/annotations/list/0/datasource");
        assert_eq!(found[0].unexpected[0].name, "uidd");
        assert_eq!(found[0].unexpected[0].closest.as_deref(), Some("uid"));
        assert!(errors(&with_keys_repaired(&dashboard, &found)).is_empty());

        let found = errors(&json!({"panels": [], "schemaVersion": 39,
            "annotations": {"list": [{"name": "A", "datasource": 7}]}}));
        assert!(found.iter().all(|e| e.unexpected.is_empty()), "{found:#?}");
        assert!(!found.is_empty());
    }
}
