//! What the overview and the service dashboards share: selectors filtered by the dashboard
//! variables, thresholds from alert conditions, stable uids, and a draft that places panels
//! and remembers their holes.

use meshward_signals::rules as names;

use super::{DashboardFile, Hole, HoleKind};
use crate::dashboard::builder::{dashboard, label_variable, DashboardMeta, PanelBuilder};
use crate::dashboard::invariants::MAX_UID_LEN;
use crate::dashboard::layout::Layout;
use crate::dashboard::model::{Link, Panel, ThresholdStep, Thresholds, Variable};
use crate::generate::catalogue::{AlertEntry, Catalogue, Condition, RecordEntry, Signal, Unit};

/// The matchers of the `namespace` and `service` variables.
pub const VARIABLE_MATCHERS: &str = "namespace=~\"$namespace\",service=~\"$service\"";

/// A `(namespace, service)` pair.
pub type ServiceKey<'a> = (&'a str, &'a str);

/// `record{namespace=~"$namespace",service=~"$service"}`.
pub fn filtered(record: &str) -> String {
    format!("{record}{{{VARIABLE_MATCHERS}}}")
}

/// `expr`, kept only for the services the variables select, through `traffic` (a record every
/// service has).
pub fn scoped(expr: &str, traffic: &str) -> String {
    format!(
        "({expr})\nand on (namespace, service)\n{}",
        filtered(traffic)
    )
}

/// The `namespace` and `service` variables, over the values of `record`.
pub fn variables(record: &str) -> Vec<Variable> {
    vec![
        crate::dashboard::builder::datasource_variable(),
        label_variable(
            names::NAMESPACE,
            "Namespace",
            record,
            "Namespaces of the services the spec watches.",
        ),
        label_variable(
            names::SERVICE,
            "Service",
            &filtered_namespace(record),
            "Services the spec watches, in the chosen namespaces.",
        ),
    ]
}

fn filtered_namespace(record: &str) -> String {
    format!("{record}{{namespace=~\"$namespace\"}}")
}

/// The metric part of a `level:metric:operations` record name.
pub fn metric_of(record: &str) -> &str {
    record.split(':').nth(1).unwrap_or(record)
}

/// The operations part of a `level:metric:operations` record name.
pub fn operations_of(record: &str) -> &str {
    record.split(':').nth(2).unwrap_or("")
}

/// Distinct record names among `records` that `keep` selects, in catalogue order.
pub fn record_names<'c>(
    records: impl IntoIterator<Item = &'c RecordEntry>,
    keep: impl Fn(&RecordEntry) -> bool,
) -> Vec<&'c str> {
    let mut seen = Vec::new();
    for record in records {
        if keep(record) && !seen.contains(&record.record.as_str()) {
            seen.push(record.record.as_str());
        }
    }
    seen
}

/// The record that counts a service's inbound requests (every service has one).
pub fn traffic_record(catalogue: &Catalogue) -> Option<&str> {
    catalogue
        .recording_rules
        .iter()
        .find(|r| r.signal == Signal::Traffic && metric_of(&r.record) == names::REQUESTS)
        .map(|r| r.record.as_str())
}

/// The Grafana unit id of a catalogue unit.
pub fn grafana_unit(unit: Unit) -> &'static str {
    match unit {
        Unit::RequestsPerSecond => "reqps",
        Unit::Ratio => "percentunit",
        Unit::Seconds => "s",
        Unit::UnixTimestampSeconds => "s",
        Unit::Factor => "short",
    }
}

/// The setting key of an alert's threshold: its name, qualified by tier or severity when the
/// service has several alerts of that name.
pub fn alert_setting_key(catalogue: &Catalogue, alert: &AlertEntry) -> String {
    let siblings = catalogue
        .alerts
        .iter()
        .filter(|a| {
            a.alert == alert.alert && a.namespace == alert.namespace && a.service == alert.service
        })
        .count();
    if siblings <= 1 {
        return alert.alert.clone();
    }
    let qualifier = match (
        alert.labels.get(names::TIER),
        alert.labels.get(names::LONG_WINDOW),
    ) {
        (Some(tier), Some(window)) => format!("{tier}_{window}"),
        (Some(tier), None) => tier.clone(),
        _ => alert.severity.clone(),
    };
    format!("{}_{qualifier}", alert.alert)
}

/// Colour of a threshold an alert of `severity` draws.
pub fn severity_color(severity: &str) -> &'static str {
    match severity {
        "critical" => "red",
        "warning" => "orange",
        _ => "yellow",
    }
}

/// Threshold steps for conditions of one measure, each `(condition, severity)`: below a `<`
/// threshold is bad, above a `>` threshold is bad. Returns the steps and, for each condition,
/// the index of the step holding its threshold (so the mixin can read it from `_config`).
///
/// A `>` threshold of 0 is left out: Grafana colours from a value upwards, so it would paint
/// the healthy 0 as failing.
pub fn condition_thresholds(conditions: &[(&Condition, &str)]) -> (Thresholds, Vec<Option<usize>>) {
    let below_is_bad = conditions.iter().any(|(c, _)| c.op == "<");
    let mut marks: Vec<(f64, &str, usize)> = Vec::new();
    for (index, (condition, severity)) in conditions.iter().enumerate() {
        if condition.op == ">" && condition.threshold == 0.0 {
            continue;
        }
        marks.push((condition.threshold, severity_color(severity), index));
    }
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    marks.dedup_by(|a, b| a.0 == b.0);

    let mut steps = Vec::new();
    let mut positions = vec![None; conditions.len()];
    if below_is_bad {
        // Worst colour at the bottom; each threshold upwards hands over to the next colour,
        // and the highest threshold to green.
        let base = marks.first().map_or("green", |m| m.1);
        steps.push(ThresholdStep {
            color: base.to_owned(),
            value: None,
        });
        for (i, (value, _, index)) in marks.iter().enumerate() {
            let color = marks.get(i + 1).map_or("green", |next| next.1);
            positions[*index] = Some(steps.len());
            steps.push(ThresholdStep {
                color: color.to_owned(),
                value: Some(*value),
            });
        }
    } else {
        steps.push(ThresholdStep {
            color: "green".to_owned(),
            value: None,
        });
        for (value, color, index) in &marks {
            positions[*index] = Some(steps.len());
            steps.push(ThresholdStep {
                color: (*color).to_owned(),
                value: Some(*value),
            });
        }
    }
    (
        Thresholds {
            mode: "absolute".to_owned(),
            steps,
        },
        positions,
    )
}

/// A dashboard uid for a service: `<spec>-<namespace>-<service>` made of `[a-z0-9-]`, cut to 40
/// characters with a hash of the full name when it is longer (or when cleaning it changed it,
/// so that `a_b` and `a.b` cannot collide).
pub fn service_uid(spec: &str, namespace: &str, service: &str) -> String {
    let raw = format!("{spec}-{namespace}-{service}");
    let clean = slug(&raw);
    let starts_well = clean.starts_with(|c: char| c.is_ascii_lowercase());
    if clean == raw && clean.len() <= MAX_UID_LEN && starts_well {
        return clean;
    }
    let hash = format!("{:08x}", fnv1a(raw.as_bytes()) as u32);
    let prefix = if starts_well { "" } else { "d-" };
    let room = MAX_UID_LEN - hash.len() - 1 - prefix.len();
    let head: String = clean.chars().take(room).collect();
    format!("{prefix}{}-{hash}", head.trim_end_matches('-'))
}

/// Lowercase `[a-z0-9-]`, runs of other characters folded into one `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// 64-bit FNV-1a: a stable hash (std's hashers may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Percent-encodes a URL query value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Grafana's alert list, searched for the rules of one service.
pub fn alert_rules_link(namespace: &str, service: &str) -> Link {
    let search = format!(
        "label:{}={service} label:{}={namespace}",
        names::SERVICE,
        names::NAMESPACE
    );
    Link::external(
        "Alert rules",
        &format!("/alerting/list?search={}", url_encode(&search)),
        "This service's meshward alerts in Grafana's alert list",
        "bolt",
    )
}

/// A panel with the holes it carries, relative to the panel.
pub struct DraftPanel {
    /// The panel.
    pub builder: PanelBuilder,
    /// Holes, with paths relative to the panel.
    pub holes: Vec<Hole>,
}

impl DraftPanel {
    /// A panel without holes.
    pub fn new(builder: PanelBuilder) -> DraftPanel {
        DraftPanel {
            builder,
            holes: Vec::new(),
        }
    }

    /// Marks threshold step `step` as holding `setting` as a number.
    pub fn step_hole(&mut self, step: usize, setting: Vec<String>) {
        self.holes.push(Hole {
            at: [
                "fieldConfig",
                "defaults",
                "thresholds",
                "steps",
                &step.to_string(),
                "value",
            ]
            .map(str::to_owned)
            .to_vec(),
            setting,
            kind: HoleKind::Number,
        });
    }

    /// Marks the expression of target `target` as ending with `text`, the value of `setting`.
    pub fn expr_hole(&mut self, target: usize, text: &str, setting: Vec<String>) {
        self.holes.push(Hole {
            at: ["targets", &target.to_string(), "expr"]
                .map(str::to_owned)
                .to_vec(),
            setting,
            kind: HoleKind::Suffix(text.to_owned()),
        });
    }
}

/// Panels placed so far, and the holes of the dashboard.
#[derive(Default)]
pub struct Draft {
    layout: Layout,
    holes: Vec<Hole>,
}

impl Draft {
    /// Starts a section.
    pub fn row(&mut self, title: &str) {
        self.layout.row(title);
    }

    /// Places a panel and keeps its holes.
    pub fn add(&mut self, panel: DraftPanel, w: u32, h: u32) {
        let index = self.layout.len().to_string();
        for mut hole in panel.holes {
            hole.at.splice(0..0, ["panels".to_owned(), index.clone()]);
            self.holes.push(hole);
        }
        self.layout.add(panel.builder.build(), w, h);
    }

    /// The panels and holes.
    pub fn finish(self) -> (Vec<Panel>, Vec<Hole>) {
        (self.layout.finish(), self.holes)
    }

    /// The finished dashboard of spec `spec`, written to `<uid>.json` and tagged with the
    /// product, the topic and the spec.
    pub fn into_file(
        self,
        spec: &str,
        uid: &str,
        title: &str,
        description: &str,
        variables: Vec<Variable>,
        links: Vec<Link>,
    ) -> DashboardFile {
        let (panels, holes) = self.finish();
        let tags = ["meshward", "mesh-security", spec];
        let meta = DashboardMeta {
            uid,
            title,
            description,
            tags: &tags,
        };
        DashboardFile {
            file_name: format!("{uid}.json"),
            dashboard: dashboard(&meta, variables, links, panels),
            holes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_valid_stable_and_distinct() {
        assert_eq!(
            service_uid("shop", "prod", "checkout"),
            "shop-prod-checkout"
        );
        let odd = service_uid("shop", "prod", "a\"b}");
        let other = service_uid("shop", "prod", "a\"b{");
        assert!(crate::dashboard::invariants::is_valid_uid(&odd), "{odd}");
        assert_ne!(odd, other);
        let long = service_uid(
            "mesh-security",
            "payments-and-billing",
            "checkout-frontend-v2",
        );
        assert!(
            long.len() <= 40 && crate::dashboard::invariants::is_valid_uid(&long),
            "{long}"
        );
        assert_eq!(
            long,
            service_uid(
                "mesh-security",
                "payments-and-billing",
                "checkout-frontend-v2"
            )
        );
        assert!(crate::dashboard::invariants::is_valid_uid(&service_uid(
            "9", "x", "y"
        )));
    }

    #[test]
    fn thresholds_colour_the_failing_side() {
        let low = Condition {
            measure: "m".into(),
            op: "<".into(),
            threshold: 0.99,
            threshold_text: "0.99".into(),
            unit: Unit::Ratio,
        };
        let (thresholds, at) = condition_thresholds(&[(&low, "critical")]);
        let colours: Vec<_> = thresholds
            .steps
            .iter()
            .map(|s| (s.color.as_str(), s.value))
            .collect();
        assert_eq!(colours, vec![("red", None), ("green", Some(0.99))]);
        assert_eq!(at, vec![Some(1)]);

        let mut warn = low.clone();
        warn.threshold = 1_209_600.0;
        let mut crit = low.clone();
        crit.threshold = 259_200.0;
        let (thresholds, at) = condition_thresholds(&[(&warn, "warning"), (&crit, "critical")]);
        let colours: Vec<_> = thresholds
            .steps
            .iter()
            .map(|s| (s.color.as_str(), s.value))
            .collect();
        assert_eq!(
            colours,
            vec![
                ("red", None),
                ("orange", Some(259_200.0)),
                ("green", Some(1_209_600.0))
            ]
        );
        assert_eq!(at, vec![Some(2), Some(1)]);

        let mut high = low.clone();
        high.op = ">".into();
        high.threshold = 0.0;
        let (thresholds, at) = condition_thresholds(&[(&high, "critical")]);
        assert_eq!(thresholds.steps.len(), 1);
        assert_eq!(at, vec![None]);
    }
}
