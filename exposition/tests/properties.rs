//! Properties over generated input: no input makes the parser panic or point outside the
//! input, and every valid sample survives a render-parse round trip exactly.

mod common;

use common::{
    escape_label_value, openmetrics_sample, render_openmetrics, render_text, same_number,
    text_sample, GenSample,
};
use meshward_exposition::{parse, Exposition, Format, ParseError};
use proptest::prelude::*;

const FORMATS: [Format; 2] = [Format::Text, Format::OpenMetrics];

/// Whether `part` is a slice of `whole` (and so borrowed, not copied).
fn borrowed_from(part: &str, whole: &str) -> bool {
    let (start, end) = (
        whole.as_ptr() as usize,
        whole.as_ptr() as usize + whole.len(),
    );
    let part_start = part.as_ptr() as usize;
    part.is_empty() || (part_start >= start && part_start + part.len() <= end)
}

/// Every error points at a character of the input or just past the end of its line, and
/// every name and unescaped value is borrowed from the input.
fn assert_within_input(input: &str, exposition: &Exposition<'_>) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = input.split('\n').collect();
    for ParseError { line, column, kind } in &exposition.errors {
        prop_assert!(
            *line >= 1 && (*line as usize) <= lines.len(),
            "line {line} of {kind:?}"
        );
        let chars = lines[*line as usize - 1].chars().count();
        prop_assert!(
            *column >= 1 && (*column as usize) <= chars + 1,
            "column {column} of {kind:?}"
        );
    }
    prop_assert!(exposition
        .errors
        .windows(2)
        .all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)));

    for sample in &exposition.samples {
        prop_assert!(sample.line >= 1 && (sample.line as usize) <= lines.len());
        prop_assert!(borrowed_from(sample.name, input));
        for label in &sample.labels {
            prop_assert!(borrowed_from(label.name, input));
            if let std::borrow::Cow::Borrowed(value) = label.value {
                prop_assert!(borrowed_from(value, input));
            }
        }
    }
    Ok(())
}

/// Pieces of the grammar, so that random input reaches deep into label sets and metadata.
const FRAGMENTS: [&str; 32] = [
    "rq",
    "_total",
    "le",
    "a",
    "é",
    "🚀",
    "{",
    "}",
    "\"",
    "\\",
    "\\n",
    "\\\"",
    "=",
    ",",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "#",
    "# TYPE ",
    "# HELP ",
    "# UNIT ",
    "# EOF",
    " counter",
    " histogram",
    "1",
    "-2.5e3",
    "NaN",
    "+Inf",
    " 1700000000",
    " # {",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&FRAGMENTS[..]), 0..80)
        .prop_map(|parts| parts.concat())
}

/// A valid exposition with random bytes replaced, inserted and removed.
fn mutated() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8);
    (prop::collection::vec(text_sample(), 1..8), edits).prop_map(|(samples, edits)| {
        let mut bytes = render_text(&samples).into_bytes();
        for (index, op, byte) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = index.index(bytes.len());
            match op {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<Vec<u8>>().prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        any::<String>(),
        fragments(),
        mutated(),
    ]
}

proptest! {
    #![proptest_config(common::config(2000))]

    #[test]
    fn any_input_parses_without_panic_and_errors_point_into_it(input in any_input()) {
        for format in FORMATS {
            let exposition = parse(&input, format);
            assert_within_input(&input, &exposition)?;
        }
    }
}

/// Asserts that `parsed` holds exactly `expected`, sample by sample.
fn assert_round_trip(
    expected: &[GenSample],
    exposition: &Exposition<'_>,
    input: &str,
) -> Result<(), TestCaseError> {
    prop_assert!(
        exposition.errors.is_empty(),
        "{:?}\n{input}",
        exposition.errors
    );
    prop_assert_eq!(exposition.samples.len(), expected.len());
    for (i, (want, got)) in expected.iter().zip(&exposition.samples).enumerate() {
        prop_assert_eq!(got.name, want.name.as_str());
        let labels: Vec<(&str, &str)> = got.labels.iter().map(|l| (l.name, &*l.value)).collect();
        let wanted: Vec<(&str, &str)> = want
            .labels
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        prop_assert_eq!(labels, wanted);
        prop_assert!(
            same_number(got.value, want.value),
            "{} vs {}",
            got.value,
            want.value
        );
        prop_assert_eq!(got.timestamp_ms, want.timestamp_ms);
        prop_assert_eq!(got.line as usize, i + 1);

        match (&got.exemplar, &want.exemplar) {
            (None, None) => {}
            (Some(got), Some(want)) => {
                let got_labels: Vec<(&str, &str)> =
                    got.labels.iter().map(|l| (l.name, &*l.value)).collect();
                let wanted: Vec<(&str, &str)> = want
                    .labels
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                prop_assert_eq!(got_labels, wanted);
                prop_assert!(same_number(got.value, want.value));
                prop_assert_eq!(got.timestamp_ms, want.timestamp_ms);
            }
            (got, want) => prop_assert!(false, "exemplar {got:?} vs {want:?}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(common::config(500))]

    #[test]
    fn valid_text_samples_round_trip_exactly(
        samples in prop::collection::vec(text_sample(), 0..20),
    ) {
        let input = render_text(&samples);
        assert_round_trip(&samples, &parse(&input, Format::Text), &input)?;
    }

    #[test]
    fn valid_openmetrics_samples_round_trip_exactly(
        samples in prop::collection::vec(openmetrics_sample(), 0..20),
    ) {
        let input = render_openmetrics(&samples);
        assert_round_trip(&samples, &parse(&input, Format::OpenMetrics), &input)?;
    }

    #[test]
    fn crlf_line_ends_change_nothing(samples in prop::collection::vec(text_sample(), 0..10)) {
        let input = render_text(&samples);
        let crlf = input.replace('\n', "\r\n");
        assert_round_trip(&samples, &parse(&crlf, Format::Text), &crlf)?;
    }

    #[test]
    fn escaped_label_values_unescape_to_the_original(value in any::<String>()) {
        let input = format!("rq{{v=\"{}\"}} 1\n", escape_label_value(&value));
        let exposition = parse(&input, Format::Text);
        prop_assert!(exposition.errors.is_empty(), "{:?}", exposition.errors);
        prop_assert_eq!(exposition.samples[0].label("v"), Some(value.as_str()));
    }
}
