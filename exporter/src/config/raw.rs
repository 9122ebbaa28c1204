//! The shape of the YAML files as written, with the position of every value we check.
//!
//! These types only mirror the text; [`super::validate`] turns them into a checked
//! [`super::Config`].

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::{Location, Spanned};

use super::error::Problem;

/// A string value and where it was written.
pub type Text = Spanned<String>;

/// The top level of `--config.file`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub scrape_interval: Option<Text>,
    pub scrape_timeout: Option<Text>,
    pub window: Option<Text>,
    pub body_size_limit: Option<Text>,
    #[serde(default)]
    pub static_configs: Vec<RawStaticConfig>,
    #[serde(default)]
    pub file_sd_configs: Vec<RawFileSdConfig>,
    pub spike: Option<RawSpike>,
}

/// The `spike` block: how spikes are told from noise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpike {
    pub factor: Option<Spanned<f64>>,
    pub baseline_windows: Option<Spanned<u32>>,
    pub warm_up_windows: Option<Spanned<u32>>,
    pub min_requests: Option<Spanned<f64>>,
    pub error_ratio_floor: Option<Spanned<f64>>,
    pub latency_floor: Option<Text>,
}

/// One entry of `static_configs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStaticConfig {
    pub targets: Vec<Text>,
    #[serde(default)]
    pub labels: LabelMap,
    pub mesh: Option<Text>,
    pub metrics_path: Option<Text>,
    pub scheme: Option<Text>,
    pub inbound_prefixes: Option<Vec<Text>>,
}

/// One entry of `file_sd_configs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFileSdConfig {
    pub files: Vec<Text>,
    pub mesh: Option<Text>,
    pub metrics_path: Option<Text>,
    pub scheme: Option<Text>,
    pub inbound_prefixes: Option<Vec<Text>>,
}

/// One target group of a file_sd file (JSON or YAML, same shape).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargetGroup {
    pub targets: Vec<Text>,
    #[serde(default)]
    pub labels: LabelMap,
}

/// A mapping of label names to values that keeps the position of both.
#[derive(Debug, Default)]
pub struct LabelMap(pub Vec<(Text, Text)>);

impl<'de> Deserialize<'de> for LabelMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(LabelMapVisitor)
    }
}

struct LabelMapVisitor;

impl<'de> Visitor<'de> for LabelMapVisitor {
    type Value = LabelMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of label names to values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LabelMap, A::Error> {
        let mut labels = Vec::new();
        while let Some(name) = map.next_key::<Text>()? {
            let value = map.next_value::<Text>()?;
            labels.push((name, value));
        }
        Ok(LabelMap(labels))
    }
}

/// The problem at a value's position, underlining the whole value.
pub fn problem_at(text: &Text, message: impl Into<String>) -> Problem {
    problem_at_location(&text.referenced, message)
}

/// The problem at a numeric value's position.
pub fn problem_at_number<T>(number: &Spanned<T>, message: impl Into<String>) -> Problem {
    problem_at_location(&number.referenced, message)
}

/// The problem at a location, underlining its span.
pub fn problem_at_location(location: &Location, message: impl Into<String>) -> Problem {
    let width = location.span().len().max(1) as u32;
    Problem::at(
        location.line() as u32,
        location.column() as u32,
        width,
        message,
    )
}

/// Reads `text` as YAML (JSON is read the same way), turning a syntax or shape error into a
/// positioned problem whose message speaks of keys and lists rather than Rust types.
pub fn from_yaml<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, Problem> {
    serde_saphyr::from_str(text).map_err(|error| yaml_problem(&error))
}

fn yaml_problem(error: &serde_saphyr::Error) -> Problem {
    let options = serde_saphyr::render_options! {
        formatter: &serde_saphyr::UserMessageFormatter,
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let rendered = error.render_with_options(options);
    let (line, column, width) = error
        .location()
        .map(|l| (l.line() as u32, l.column() as u32, 1))
        .unwrap_or((1, 1, 1));
    let message = strip_position(&rendered, line, column);

    if let Some((key, expected)) = unknown_field(message) {
        let width = key.chars().count() as u32;
        let problem = Problem::at(line, column, width, format!("unknown key `{key}`"));
        return match closest(key, &expected) {
            Some(known) => problem.with_hint(format!("did you mean `{known}`?")),
            None => problem.with_hint(format!("known keys here: {}", expected.join(", "))),
        };
    }
    Problem::at(line, column, width, plain_words(message))
}

/// Drops the ` at line L, column C` that the YAML reader appends to its messages.
fn strip_position(message: &str, line: u32, column: u32) -> &str {
    let suffix = format!(" at line {line}, column {column}");
    message.strip_suffix(&suffix).unwrap_or(message)
}

/// The unknown key and the known ones, from "unknown field `k`, expected one of a, b".
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected = rest
        .trim_start_matches(", ")
        .trim_start_matches("expected one of ")
        .trim_start_matches("expected ");
    let expected = expected
        .split(", ")
        .map(|name| name.trim_matches('`'))
        .filter(|name| !name.is_empty())
        .collect();
    Some((key, expected))
}

/// The known key most like `key`, when one is close enough to be a likely typo.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (strsim::jaro_winkler(key, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The YAML reader's terms for shapes, in the words of a config file.
fn plain_words(message: &str) -> String {
    message
        .replace("missing field", "missing key")
        .replace("expected sequence start", "expected a list")
        .replace("expected mapping start", "expected a mapping")
        .replace("expected string scalar", "expected a single value")
        .replace("invalid floating point", "expected a number")
        .replace("invalid u32", "expected a whole number")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(yaml: &str) -> Problem {
        from_yaml::<RawConfig>(yaml).unwrap_err()
    }

    #[test]
    fn unknown_keys_suggest_the_closest_known_key() {
        let p = problem("scrape_intervl: 5s\n");
        assert_eq!((p.line, p.column, p.width), (1, 1, 14));
        assert_eq!(p.message, "unknown key `scrape_intervl`");
        assert_eq!(p.hint.as_deref(), Some("did you mean `scrape_interval`?"));
    }

    #[test]
    fn unknown_keys_without_a_close_match_list_the_known_ones() {
        let p = problem("static_configs:\n  - targets: []\n    zzz: 1\n");
        assert_eq!((p.line, p.column), (3, 5));
        let hint = p.hint.unwrap();
        assert!(
            hint.starts_with("known keys here: targets, labels, mesh"),
            "{hint}"
        );
    }

    #[test]
    fn shape_errors_speak_of_lists() {
        let p = problem("static_configs: 3\n");
        assert_eq!(
            (p.line, p.column, p.message.as_str()),
            (1, 17, "expected a list")
        );
    }

    #[test]
    fn labels_keep_their_positions() {
        let raw: RawConfig =
            from_yaml("static_configs:\n  - targets: ['a:1']\n    labels: {x: y}\n").unwrap();
        let (name, value) = &raw.static_configs[0].labels.0[0];
        assert_eq!(
            (
                name.value.as_str(),
                name.referenced.line(),
                name.referenced.column()
            ),
            ("x", 3, 14)
        );
        assert_eq!((value.value.as_str(), value.referenced.column()), ("y", 17));
    }
}
