//! Typed reading of spanned YAML nodes, collecting every problem as a positioned diagnostic.
//!
//! Each reader returns `None` after recording a diagnostic, so one pass over a spec reports
//! all of its problems: unknown keys (with the key the user probably meant), wrong types,
//! missing keys, duplicate keys, and values that do not parse.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::diag::Diagnostic;
use crate::spec::model::Span;
use crate::units::{PromDuration, Ratio};
use crate::yaml::{Entry, Node, ScalarKind};

/// Collects diagnostics while a spec is decoded.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    /// Everything found so far, in discovery order.
    pub diagnostics: Vec<Diagnostic>,
}

/// A mapping whose keys have been checked against the keys its place allows.
#[derive(Debug)]
pub(crate) struct Fields<'n> {
    /// The mapping's name in messages: `` `mtls` ``, `the service`, `the spec`.
    pub what: String,
    /// Where to point when a required key is missing: the key that owns the mapping.
    pub owner: Span,
    entries: BTreeMap<&'n str, &'n Entry>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.get(key).map(|e| &e.value)
    }

    /// The entry of `key`, if present.
    pub fn entry(&self, key: &str) -> Option<&'n Entry> {
        self.entries.get(key).copied()
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn one_of(candidates: &[&str]) -> String {
    let quoted: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    quoted.join(", ")
}

impl Decoder {
    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// A type error: `what` should have been `expected`.
    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.push(
            Diagnostic::error(
                "spec/wrong-type",
                format!("{what} must be {expected}, found {}", node.kind_name()),
            )
            .at(node.span, format!("expected {expected}")),
        );
    }

    /// Checks that `node` is a mapping whose keys are all `allowed`, each at most once.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        owner: Span,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut fields = Fields {
            what: what.to_owned(),
            owner,
            entries: BTreeMap::new(),
        };
        for entry in entries {
            let Some(key) = entry.key.as_text() else {
                self.wrong_type(&entry.key, &format!("a key of {what}"), "a string");
                continue;
            };
            if !allowed.contains(&key) {
                let mut diagnostic =
                    Diagnostic::error("spec/unknown-key", format!("unknown key `{key}` in {what}"))
                        .at(entry.key.span, "unknown key");
                diagnostic = match suggest(key, allowed) {
                    Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
                    None => diagnostic.with_help(format!("{what} accepts {}", one_of(allowed))),
                };
                self.push(diagnostic);
                continue;
            }
            if let Some(first) = fields.entries.get(key) {
                self.push(
                    Diagnostic::error(
                        "spec/duplicate-key",
                        format!("`{key}` appears twice in {what}"),
                    )
                    .at(entry.key.span, "set again here")
                    .with_related(first.key.span, "first set here")
                    .with_help("remove one of them; YAML keeps only one value per key"),
                );
                continue;
            }
            fields.entries.insert(key, entry);
        }
        Some(fields)
    }

    /// The value of a key that must be present.
    pub fn required<'n>(
        &mut self,
        fields: &Fields<'n>,
        key: &str,
        example: &str,
    ) -> Option<&'n Node> {
        let value = fields.get(key);
        if value.is_none() {
            self.push(
                Diagnostic::error(
                    "spec/missing-key",
                    format!("{} is missing the required key `{key}`", fields.what),
                )
                .at(fields.owner, format!("`{key}` missing"))
                .with_help(format!("add `{key}: {example}`")),
            );
        }
        value
    }

    /// A string scalar (numbers and booleans are read as the text written).
    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node.as_text() {
            Some(text) => Some(text.to_owned()),
            None => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    /// A string that must not be empty.
    pub fn non_empty_string(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = self.string(node, what)?;
        if text.is_empty() {
            self.push(
                Diagnostic::error("spec/empty-value", format!("{what} must not be empty"))
                    .at(node.span, "empty"),
            );
            return None;
        }
        Some(text)
    }

    /// A sequence's items.
    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match node.as_seq() {
            Some(items) => Some(items),
            None => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    /// A ratio: `0.99` or `99%`.
    pub fn ratio(&mut self, node: &Node, what: &str) -> Option<Ratio> {
        let text = self.scalar_text(node, what, "a ratio such as 0.99 or 99%")?;
        match Ratio::from_str(&text) {
            Ok(ratio) => Some(ratio),
            Err(error) => {
                self.push(
                    Diagnostic::error("spec/invalid-ratio", format!("{what}: {error}"))
                        .at(node.span, "not a ratio")
                        .with_help("write a share between 0 and 1, such as 0.99, or a percentage such as 99.9%"),
                );
                None
            }
        }
    }

    /// A ratio strictly between 0 and 1.
    pub fn open_ratio(&mut self, node: &Node, what: &str) -> Option<Ratio> {
        let ratio = self.ratio(node, what)?;
        if ratio == Ratio::ZERO || ratio == Ratio::ONE {
            self.push(
                Diagnostic::error(
                    "spec/out-of-range",
                    format!("{what} must lie strictly between 0 and 1, found {ratio}"),
                )
                .at(node.span, "out of range")
                .with_help("0 and 1 (0% and 100%) make the alert always or never fire"),
            );
            return None;
        }
        Some(ratio)
    }

    /// A Prometheus duration: `30s`, `5m`, `1h30m`.
    pub fn duration(&mut self, node: &Node, what: &str) -> Option<PromDuration> {
        let text = self.scalar_text(node, what, "a duration such as 5m")?;
        match PromDuration::from_str(&text) {
            Ok(duration) => Some(duration),
            Err(error) => {
                let mut diagnostic =
                    Diagnostic::error("spec/invalid-duration", format!("{what}: {error}"))
                        .at(node.span, "not a Prometheus duration");
                let node_is_number = node
                    .as_scalar()
                    .is_some_and(|s| matches!(s.kind, ScalarKind::Int | ScalarKind::Float));
                diagnostic = if node_is_number {
                    diagnostic.with_help(format!("add a unit: `{text}s`, `{text}m` or `{text}h`"))
                } else {
                    diagnostic.with_help(
                        "combine whole numbers with units, largest first: 90s, 1h30m, 7d",
                    )
                };
                self.push(diagnostic);
                None
            }
        }
    }

    /// A duration that must be longer than zero.
    pub fn positive_duration(&mut self, node: &Node, what: &str) -> Option<PromDuration> {
        let duration = self.duration(node, what)?;
        if duration.is_zero() {
            self.push(
                Diagnostic::error(
                    "spec/out-of-range",
                    format!("{what} must be longer than 0s"),
                )
                .at(node.span, "zero"),
            );
            return None;
        }
        Some(duration)
    }

    /// A finite number.
    pub fn number(&mut self, node: &Node, what: &str) -> Option<f64> {
        let text = self.scalar_text(node, what, "a number")?;
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.push(
                    Diagnostic::error(
                        "spec/invalid-number",
                        format!("{what} must be a number, found {text:?}"),
                    )
                    .at(node.span, "not a number"),
                );
                None
            }
        }
    }

    /// One of a fixed set of words (`critical`, `warning`, `info`).
    pub fn choice<T: Copy>(&mut self, node: &Node, what: &str, choices: &[(&str, T)]) -> Option<T> {
        let text = self.scalar_text(node, what, "a string")?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let mut diagnostic = Diagnostic::error(
            "spec/invalid-value",
            format!("{what} must be one of {}, found `{text}`", one_of(&names)),
        )
        .at(node.span, "unknown value");
        if let Some(near) = suggest(&text, &names) {
            diagnostic = diagnostic.with_help(format!("did you mean `{near}`?"));
        }
        self.push(diagnostic);
        None
    }

    /// The text of a scalar, with a type error for collections and null.
    fn scalar_text(&mut self, node: &Node, what: &str, expected: &str) -> Option<String> {
        match node.as_text() {
            Some(text) => Some(text.to_owned()),
            None => {
                self.wrong_type(node, what, expected);
                None
            }
        }
    }

    /// A mapping of strings to strings (labels, annotations), with key spans.
    pub fn string_map(
        &mut self,
        node: &Node,
        what: &str,
    ) -> Option<Vec<(String, Span, String, Span)>> {
        let Some(entries) = node.as_map() else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut out = Vec::new();
        for entry in entries {
            let Some(key) = self.string(&entry.key, &format!("a key of {what}")) else {
                continue;
            };
            if let Some(first) = seen.get(&key) {
                self.push(
                    Diagnostic::error(
                        "spec/duplicate-key",
                        format!("`{key}` appears twice in {what}"),
                    )
                    .at(entry.key.span, "set again here")
                    .with_related(*first, "first set here"),
                );
                continue;
            }
            seen.insert(key.clone(), entry.key.span);
            let Some(value) = self.string(&entry.value, &format!("`{key}` in {what}")) else {
                continue;
            };
            out.push((key, entry.key.span, value, entry.value.span));
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_and_nothing_else() {
        let keys = ["mode", "min_ratio", "for", "severity"];
        assert_eq!(suggest("min_ration", &keys), Some("min_ratio"));
        assert_eq!(suggest("severty", &keys), Some("severity"));
        assert_eq!(suggest("banana", &keys), None);
    }
}
