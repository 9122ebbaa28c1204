//! Reading existing Prometheus rule files, and PrometheusRule custom resources, with the
//! position of every group, rule, expression, label and annotation.
//!
//! Accepted documents (a file may hold several, separated by `---`):
//! - a plain rule file: `groups:` at the top level, as promtool and Prometheus read it;
//! - a prometheus-operator `PrometheusRule` (`apiVersion: monitoring.coreos.com/v1`,
//!   `kind: PrometheusRule`), whose `spec.groups` has the same shape.
//!
//! Keys are checked as strictly as promtool does (unknown keys are errors), with suggestions.

use crate::diag::Diagnostic;
use crate::lint::{GroupPositions, RuleFilePositions};
use crate::rulefile::{RuleFile, RuleGroup};
use crate::spec::decode::Decoder;
use crate::spec::model::Span;
use crate::yaml::Node;

/// The API group and version of the PrometheusRule resource.
pub const PROMETHEUS_RULE_API_VERSION: &str = "monitoring.coreos.com/v1";
/// The kind of the PrometheusRule resource.
pub const PROMETHEUS_RULE_KIND: &str = "PrometheusRule";

/// What a YAML document is, judged by its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A meshward spec (or spec fragment): `version`, `name`, `services` or `rules`.
    Spec,
    /// A plain Prometheus rule file: `groups`.
    RuleFile,
    /// A `PrometheusRule` custom resource.
    PrometheusRule,
    /// Another Kubernetes object (`apiVersion` and `kind`, but not a PrometheusRule).
    OtherResource,
    /// A Grafana dashboard (JSON with `panels` and `schemaVersion`).
    Dashboard,
    /// Something else (a scalar, a list, an empty document).
    Unknown,
}

/// Classifies a document by its top-level keys.
pub fn classify(document: &Node) -> DocumentKind {
    if document.as_map().is_none() {
        return DocumentKind::Unknown;
    }
    // Before the spec test: a dashboard has a `version` of its own.
    if document.get("panels").is_some() && document.get("schemaVersion").is_some() {
        return DocumentKind::Dashboard;
    }
    let text = |key: &str| document.get(key).and_then(Node::as_text);
    if text("kind").is_some() || text("apiVersion").is_some() {
        return if text("kind") == Some(PROMETHEUS_RULE_KIND) {
            DocumentKind::PrometheusRule
        } else {
            DocumentKind::OtherResource
        };
    }
    if document.get("groups").is_some() {
        return DocumentKind::RuleFile;
    }
    if ["version", "name", "services", "rules", "mesh"]
        .iter()
        .any(|k| document.get(k).is_some())
    {
        return DocumentKind::Spec;
    }
    DocumentKind::Unknown
}

/// A rule file read from one document, with its positions.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadRuleFile {
    /// The rules.
    pub file: RuleFile,
    /// Where each part is written.
    pub positions: RuleFilePositions,
    /// Plain rule file or PrometheusRule.
    pub kind: DocumentKind,
}

/// Reads a plain rule file or PrometheusRule document (see [`classify`]).
pub fn read_document(document: &Node) -> Result<ReadRuleFile, Vec<Diagnostic>> {
    let mut decoder = Decoder::default();
    let kind = classify(document);
    let owner = Span {
        offset: document.span.offset,
        len: 0,
        ..document.span
    };
    let groups = match kind {
        DocumentKind::PrometheusRule => prometheus_rule_groups(&mut decoder, document, owner),
        _ => decoder
            .fields(document, "a rule file", owner, &["groups"])
            .and_then(|f| decoder.required(&f, "groups", "[]")),
    };
    let read = groups.and_then(|groups| read_groups(&mut decoder, groups));
    let diagnostics: Vec<Diagnostic> = decoder.diagnostics.into_iter().map(rename).collect();
    match read {
        Some((file, positions)) if diagnostics.is_empty() => Ok(ReadRuleFile {
            file,
            positions,
            kind,
        }),
        _ => Err(diagnostics),
    }
}

fn prometheus_rule_groups<'n>(
    decoder: &mut Decoder,
    document: &'n Node,
    owner: Span,
) -> Option<&'n Node> {
    let fields = decoder.fields(
        document,
        "a PrometheusRule",
        owner,
        &["apiVersion", "kind", "metadata", "spec"],
    )?;
    if let Some(api) = fields.get("apiVersion") {
        if api.as_text() != Some(PROMETHEUS_RULE_API_VERSION) {
            decoder.push(
                Diagnostic::error(
                    "rulefile/api-version",
                    format!("a PrometheusRule has apiVersion `{PROMETHEUS_RULE_API_VERSION}`"),
                )
                .at(api.span, "unexpected apiVersion"),
            );
        }
    }
    let spec_entry = fields.entry("spec");
    let spec = decoder.required(&fields, "spec", "{groups: []}")?;
    let owner = spec_entry.map_or(owner, |e| e.key.span);
    let spec_fields = decoder.fields(spec, "`spec` of a PrometheusRule", owner, &["groups"])?;
    decoder.required(&spec_fields, "groups", "[]")
}

fn read_groups(decoder: &mut Decoder, groups: &Node) -> Option<(RuleFile, RuleFilePositions)> {
    let items = decoder.list(groups, "`groups`")?;
    let mut file = RuleFile::default();
    let mut positions = RuleFilePositions::default();
    let mut ok = true;
    for item in items {
        match read_group(decoder, item) {
            Some((group, at)) => {
                file.groups.push(group);
                positions.groups.push(at);
            }
            None => ok = false,
        }
    }
    ok.then_some((file, positions))
}

const GROUP_KEYS: [&str; 7] = [
    "name",
    "interval",
    "query_offset",
    "limit",
    "labels",
    "rules",
    "partial_response_strategy",
];

// The struct update keeps this compiling when defaulted fields are added to `RuleGroup`.
#[allow(clippy::needless_update)]
fn read_group(decoder: &mut Decoder, item: &Node) -> Option<(RuleGroup, GroupPositions)> {
    let fields = decoder.fields(item, "a rule group", item.span, &GROUP_KEYS)?;
    let name_node = decoder.required(&fields, "name", "my-rules");
    let name = name_node.and_then(|n| decoder.string(n, "the group `name`"));
    let interval = match fields.get("interval") {
        Some(node) => decoder.duration(node, "the group `interval`").map(Some),
        None => Some(None),
    };
    if let Some(node) = fields.get("query_offset") {
        decoder.duration(node, "the group `query_offset`");
    }
    if let Some(node) = fields.get("limit") {
        if node.as_text().and_then(|t| t.parse::<u64>().ok()).is_none() {
            decoder.wrong_type(node, "the group `limit`", "a whole number");
        }
    }
    let labels = match fields.get("labels") {
        Some(node) => decoder
            .string_map(node, "the group `labels`")
            .map(|entries| entries.into_iter().map(|(k, _, v, _)| (k, v)).collect()),
        None => Some(Default::default()),
    };
    let mut rules = Vec::new();
    let mut rule_positions = Vec::new();
    let mut ok = true;
    if let Some(node) = fields.get("rules") {
        for rule in decoder.list(node, "`rules`").unwrap_or_default() {
            match crate::spec::user_rules_decode(decoder, rule) {
                Some((rule, at)) => {
                    rules.push(rule);
                    rule_positions.push(at);
                }
                None => ok = false,
            }
        }
    }
    let group = RuleGroup {
        name: name?,
        interval: interval?,
        labels: labels?,
        rules,
        ..RuleGroup::default()
    };
    let at = GroupPositions {
        name: name_node.map(|n| n.span),
        rules: rule_positions,
    };
    ok.then_some((group, at))
}

/// Rule-file problems carry `rulefile/` codes rather than the spec's.
fn rename(mut diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.code = match diagnostic.code {
        "spec/unknown-key" => "rulefile/unknown-key",
        "spec/duplicate-key" => "rulefile/duplicate-key",
        "spec/missing-key" => "rulefile/missing-key",
        "spec/wrong-type" => "rulefile/wrong-type",
        "spec/empty-value" => "rulefile/empty-value",
        "spec/invalid-duration" => "rulefile/invalid-duration",
        "spec/rule-kind" => "rulefile/rule-kind",
        "spec/record-with-alert-key" => "rulefile/record-with-alert-key",
        other => other,
    };
    diagnostic.message = diagnostic.message.replace("a spec", "a rule file");
    diagnostic
}
