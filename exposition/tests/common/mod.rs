//! Helpers shared by the integration tests: rendering samples in the text format, proptest
//! strategies for valid samples, and the positions an error may point at.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

pub mod shapes;

use std::fmt::Write as _;

use proptest::prelude::*;

/// A sample as the tests generate it, owning its text.
#[derive(Debug, Clone)]
pub struct GenSample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    /// Whether a label-less sample is written with `{}`.
    pub empty_braces: bool,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
    pub exemplar: Option<GenExemplar>,
    /// How the value is spelled: 0 shortest, 1 exponent, 2 with a leading `+` when positive.
    pub spelling: u8,
}

/// An OpenMetrics exemplar as the tests generate it.
#[derive(Debug, Clone)]
pub struct GenExemplar {
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
}

/// Escapes a label value for either format.
pub fn escape_label_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Writes a number as Go's `strconv.FormatFloat` readers accept it.
pub fn render_number(value: f64, spelling: u8) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    match spelling % 3 {
        0 => format!("{value:?}"),
        1 => format!("{value:e}"),
        _ if value.is_sign_positive() => format!("+{value}"),
        _ => format!("{value}"),
    }
}

fn render_labels(out: &mut String, labels: &[(String, String)], empty_braces: bool) {
    if labels.is_empty() && !empty_braces {
        return;
    }
    out.push('{');
    for (i, (name, value)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write!(out, "{name}=\"{}\"", escape_label_value(value)).unwrap();
    }
    out.push('}');
}

/// Writes what both formats share: the name, the label set and the value.
fn render_head(out: &mut String, sample: &GenSample) {
    out.push_str(&sample.name);
    render_labels(out, &sample.labels, sample.empty_braces);
    write!(out, " {}", render_number(sample.value, sample.spelling)).unwrap();
}

/// Renders samples one per line in the Prometheus text format.
pub fn render_text(samples: &[GenSample]) -> String {
    let mut out = String::new();
    for sample in samples {
        render_head(&mut out, sample);
        if let Some(ts) = sample.timestamp_ms {
            write!(out, " {ts}").unwrap();
        }
        out.push('\n');
    }
    out
}

/// Milliseconds written as OpenMetrics seconds, exactly (`1700000000123` → `1700000000.123`).
pub fn render_seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

/// Renders samples in OpenMetrics, exemplars included, ending with `# EOF`.
pub fn render_openmetrics(samples: &[GenSample]) -> String {
    let mut out = String::new();
    for sample in samples {
        render_head(&mut out, sample);
        if let Some(ts) = sample.timestamp_ms {
            write!(out, " {}", render_seconds(ts)).unwrap();
        }
        if let Some(exemplar) = &sample.exemplar {
            out.push_str(" # ");
            render_labels(&mut out, &exemplar.labels, true);
            write!(out, " {}", render_number(exemplar.value, 0)).unwrap();
            if let Some(ts) = exemplar.timestamp_ms {
                write!(out, " {}", render_seconds(ts)).unwrap();
            }
        }
        out.push('\n');
    }
    out.push_str("# EOF\n");
    out
}

pub fn metric_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_:][a-zA-Z0-9_:]{0,24}"
}

pub fn label_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,12}"
}

/// Label values full of the characters that break naive parsers, plus arbitrary Unicode.
pub fn label_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 ,{}=\"\\\\\n#./:|-]{0,16}",
        any::<String>(),
        Just(String::new()),
    ]
}

/// Distinct label names with values.
pub fn label_set(max: usize) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map(label_name(), label_value(), 0..max)
        .prop_map(|labels| labels.into_iter().collect())
}

pub fn sample_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        (0u64..1_000_000).prop_map(|n| n as f64),
    ]
}

/// A sample for the text format: any label values, timestamps over the whole `i64` range.
pub fn text_sample() -> impl Strategy<Value = GenSample> {
    (
        metric_name(),
        label_set(6),
        any::<bool>(),
        sample_value(),
        prop::option::of(any::<i64>()),
        0u8..3,
    )
        .prop_map(
            |(name, labels, empty_braces, value, timestamp_ms, spelling)| GenSample {
                name,
                labels,
                empty_braces,
                value,
                timestamp_ms,
                exemplar: None,
                spelling,
            },
        )
}

/// Timestamps that survive the trip through float seconds: up to the year 2286.
fn openmetrics_timestamp() -> impl Strategy<Value = i64> {
    -10_000_000_000_000i64..10_000_000_000_000
}

/// Exemplar labels within OpenMetrics' 128-character budget.
fn exemplar_labels() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map("[a-z_]{1,8}", "[a-z0-9 ,{}=\"\\\\\n]{0,10}", 0..4)
        .prop_map(|labels| labels.into_iter().collect())
}

/// A sample for OpenMetrics, sometimes with an exemplar.
pub fn openmetrics_sample() -> impl Strategy<Value = GenSample> {
    let exemplar = prop::option::of(
        (
            exemplar_labels(),
            sample_value(),
            prop::option::of(openmetrics_timestamp()),
        )
            .prop_map(|(labels, value, timestamp_ms)| GenExemplar {
                labels,
                value,
                timestamp_ms,
            }),
    );
    (
        metric_name(),
        label_set(6),
        any::<bool>(),
        sample_value(),
        prop::option::of(openmetrics_timestamp()),
        exemplar,
        0u8..3,
    )
        .prop_map(
            |(name, labels, empty_braces, value, timestamp_ms, exemplar, spelling)| GenSample {
                name,
                labels,
                empty_braces,
                value,
                timestamp_ms,
                exemplar,
                spelling,
            },
        )
}

/// A proptest configuration of `cases` cases. Failures are not written to a regressions file
/// (integration tests have no `lib.rs` for proptest to put one beside); the shrunk failing
/// input is printed instead.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Whether two values are the same number, NaN included.
pub fn same_number(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}
