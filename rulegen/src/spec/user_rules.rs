//! The spec's `rules:` escape hatch: the user's own alerting and recording rules, decoded with
//! positions and put through the same lint as generated and hand-written rule files.

use crate::diag::Diagnostic;
use crate::lint::{
    self, GroupPositions, KeyValueSpans, LintOptions, RuleFilePositions, RulePositions,
};
use crate::rulefile::{AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup};
use crate::spec::decode::Decoder;
use crate::spec::model::{Spec, UserRule, UserRuleKind};
use crate::yaml::Node;

const RULE_KEYS: [&str; 7] = [
    "alert",
    "record",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];

/// A decoded user rule and where its parts are written.
#[derive(Debug)]
pub(crate) struct Located {
    /// The rule.
    pub rule: UserRule,
    /// Its positions, for the lint.
    pub positions: RulePositions,
}

/// Decodes one item of `rules:`.
pub(crate) fn decode(decoder: &mut Decoder, item: &Node) -> Option<Located> {
    let fields = decoder.fields(item, "a rule", item.span, &RULE_KEYS)?;
    let mut positions = RulePositions {
        rule: Some(item.span),
        ..RulePositions::default()
    };
    let kind = match (fields.entry("alert"), fields.entry("record")) {
        (Some(alert), None) => {
            positions.name = Some(alert.value.span);
            decoder
                .non_empty_string(&alert.value, "`alert`")
                .map(UserRuleKind::Alert)
        }
        (None, Some(record)) => {
            positions.name = Some(record.value.span);
            decoder
                .non_empty_string(&record.value, "`record`")
                .map(UserRuleKind::Record)
        }
        (Some(alert), Some(record)) => {
            decoder.push(
                Diagnostic::error("spec/rule-kind", "a rule sets both `alert` and `record`")
                    .at(record.key.span, "second kind")
                    .with_related(alert.key.span, "first kind")
                    .with_help("a rule is either an alert or a recording rule; split it in two"),
            );
            None
        }
        (None, None) => {
            decoder.push(
                Diagnostic::error("spec/rule-kind", "a rule sets neither `alert` nor `record`")
                    .at(item.span, "rule without a name")
                    .with_help("start the rule with `alert: SomeName` or `record: level:metric:operations`"),
            );
            None
        }
    };
    if matches!(kind, Some(UserRuleKind::Record(_))) {
        for key in ["for", "keep_firing_for", "annotations"] {
            if let Some(entry) = fields.entry(key) {
                decoder.push(
                    Diagnostic::error(
                        "spec/record-with-alert-key",
                        format!("a recording rule cannot have `{key}`; only alerts can"),
                    )
                    .at(entry.key.span, "alert-only key")
                    .with_help(format!("remove `{key}`, or make the rule an `alert`")),
                );
            }
        }
    }
    let expr_node = decoder.required(&fields, "expr", "'sum(rate(x[5m])) > 0'");
    let expr = expr_node.and_then(|n| decoder.non_empty_string(n, "`expr`"));
    positions.expr = expr_node.map(|n| n.span);
    let for_ = fields.get("for").map(|n| {
        positions.for_ = Some(n.span);
        decoder.duration(n, "`for`")
    });
    let keep_firing_for = fields.get("keep_firing_for").map(|n| {
        positions.keep_firing_for = Some(n.span);
        decoder.duration(n, "`keep_firing_for`")
    });
    let labels = string_map(
        decoder,
        fields.get("labels"),
        "`labels` of the rule",
        &mut positions.labels,
    );
    let annotations = string_map(
        decoder,
        fields.get("annotations"),
        "`annotations` of the rule",
        &mut positions.annotations,
    );
    let rule = UserRule {
        kind: kind?,
        expr: expr?,
        for_: for_.map_or(Some(None), |d| d.map(Some))?,
        keep_firing_for: keep_firing_for.map_or(Some(None), |d| d.map(Some))?,
        labels: labels?,
        annotations: annotations?,
        span: item.span,
        expr_span: expr_node?.span,
    };
    Some(Located { rule, positions })
}

fn string_map(
    decoder: &mut Decoder,
    node: Option<&Node>,
    what: &str,
    spans: &mut std::collections::BTreeMap<String, KeyValueSpans>,
) -> Option<std::collections::BTreeMap<String, String>> {
    let Some(node) = node else {
        return Some(Default::default());
    };
    let entries = decoder.string_map(node, what)?;
    let mut map = std::collections::BTreeMap::new();
    for (key, key_span, value, value_span) in entries {
        spans.insert(
            key.clone(),
            KeyValueSpans {
                key: key_span,
                value: value_span,
            },
        );
        map.insert(key, value);
    }
    Some(map)
}

/// The name of the rule group the spec's own rules are generated into.
pub fn group_name(spec_name: &str) -> String {
    format!("{spec_name}-user-rules")
}

/// Lints the spec's rules as one rule group, with positions in the spec.
pub(crate) fn lint(spec: &Spec, located: &[Located]) -> Vec<Diagnostic> {
    if located.is_empty() {
        return Vec::new();
    }
    let file = RuleFile {
        groups: vec![RuleGroup {
            name: group_name(&spec.name),
            rules: located.iter().map(|l| to_rule(&l.rule)).collect(),
            ..RuleGroup::default()
        }],
    };
    let positions = RuleFilePositions {
        groups: vec![GroupPositions {
            name: None,
            rules: located.iter().map(|l| l.positions.clone()).collect(),
        }],
    };
    let options = LintOptions {
        scrape_interval: spec.scrape_interval,
        ..LintOptions::default()
    };
    lint::lint_located(&file, &positions, &spec.sources, &options)
}

/// The rule file form of a user rule.
// The struct updates keep this compiling when defaulted fields (such as spans) are added.
#[allow(clippy::needless_update)]
pub fn to_rule(rule: &UserRule) -> Rule {
    match &rule.kind {
        UserRuleKind::Alert(name) => Rule::Alert(AlertingRule {
            alert: name.clone(),
            expr: rule.expr.clone(),
            for_: rule.for_,
            keep_firing_for: rule.keep_firing_for,
            labels: rule.labels.clone(),
            annotations: rule.annotations.clone(),
            ..AlertingRule::default()
        }),
        UserRuleKind::Record(name) => Rule::Record(RecordingRule {
            record: name.clone(),
            expr: rule.expr.clone(),
            labels: rule.labels.clone(),
            ..RecordingRule::default()
        }),
    }
}
