//! Every kind of malformed line yields exactly one error at an exact line and column, and the
//! well-formed lines around it are still read.

use meshward_exposition::{parse, Format, Found, ParseError, ParseErrorKind};

/// Parses `input`, asserts the single error, and returns how many samples survived.
#[track_caller]
fn assert_error(
    input: &str,
    format: Format,
    line: u32,
    column: u32,
    kind: ParseErrorKind,
) -> usize {
    let exposition = parse(input, format);
    let expected = ParseError { line, column, kind };
    assert_eq!(exposition.errors, [expected], "input: {input:?}");
    exposition.samples.len()
}

const TEXT_TIMESTAMP: &str = "an integer number of milliseconds";

#[test]
fn missing_separator_after_a_label_value() {
    let kind = ParseErrorKind::MissingLabelSeparator {
        name: "job".into(),
        found: Found::Char('1'),
    };
    assert_eq!(
        assert_error("up 1\nup{job=\"a\" 1\nup 2\n", Format::Text, 2, 12, kind),
        2
    );
}

#[test]
fn metric_name_starting_with_a_digit() {
    let kind = ParseErrorKind::InvalidMetricName(Found::Char('9'));
    assert_eq!(assert_error("ok 1\n9bad 1\n", Format::Text, 2, 1, kind), 1);
}

#[test]
fn sample_without_a_value() {
    let kind = ParseErrorKind::MissingValue("rq".into());
    assert_error("ok 1\nrq{code=\"200\"}\n", Format::Text, 2, 15, kind);
}

#[test]
fn label_value_without_closing_quote_points_at_its_opening_quote() {
    let kind = ParseErrorKind::UnterminatedLabelValue("code".into());
    assert_error("rq{code=\"200} 1\n", Format::Text, 1, 9, kind);
}

#[test]
fn unknown_escape_in_a_label_value() {
    let kind = ParseErrorKind::InvalidEscape(Found::Char('t'));
    assert_error("rq{path=\"a\\tb\"} 1\n", Format::Text, 1, 11, kind);
}

#[test]
fn duplicate_label_name_points_at_the_second_one() {
    let kind = ParseErrorKind::DuplicateLabel("a".into());
    assert_error("rq{a=\"1\",a=\"2\"} 1\n", Format::Text, 1, 10, kind);
}

#[test]
fn invalid_character_in_a_label_name() {
    let kind = ParseErrorKind::InvalidLabelName(Found::Char('-'));
    assert_error("rq{a-b=\"1\"} 1\n", Format::Text, 1, 5, kind);
}

#[test]
fn label_name_without_equals() {
    let kind = ParseErrorKind::MissingEquals {
        name: "a".into(),
        found: Found::Char('"'),
    };
    assert_error("rq{a \"1\"} 1\n", Format::Text, 1, 6, kind);
}

#[test]
fn unquoted_label_value() {
    let kind = ParseErrorKind::MissingQuote {
        name: "a".into(),
        found: Found::Char('1'),
    };
    assert_error("rq{a=1} 1\n", Format::Text, 1, 6, kind);
}

#[test]
fn label_set_still_open_at_the_end_of_the_line() {
    assert_error(
        "rq{a=\"1\"\n",
        Format::Text,
        1,
        9,
        ParseErrorKind::UnclosedLabelSet,
    );
}

#[test]
fn no_space_between_label_set_and_value() {
    let kind = ParseErrorKind::MissingSpace(Found::Char('x'));
    assert_error("rq{a=\"1\"}x 1\n", Format::Text, 1, 10, kind);
}

#[test]
fn value_that_is_not_a_number() {
    assert_error(
        "rq 12abc\n",
        Format::Text,
        1,
        4,
        ParseErrorKind::InvalidValue("12abc".into()),
    );
}

#[test]
fn fractional_timestamp_in_the_text_format() {
    let kind = ParseErrorKind::InvalidTimestamp {
        found: "17e".into(),
        expected: TEXT_TIMESTAMP,
    };
    assert_error("rq 1 17e\n", Format::Text, 1, 6, kind);
}

#[test]
fn text_after_the_timestamp() {
    assert_error(
        "rq 1 2 extra\n",
        Format::Text,
        1,
        8,
        ParseErrorKind::TrailingText("extra".into()),
    );
}

#[test]
fn exemplar_in_the_text_format() {
    let input = "rq_total 1 # {t=\"x\"} 2\n";
    assert_error(
        input,
        Format::Text,
        1,
        12,
        ParseErrorKind::ExemplarNotAllowed,
    );
}

#[test]
fn misspelled_type() {
    let kind = ParseErrorKind::UnknownType {
        found: "countr".into(),
        format: "Prometheus text 0.0.4",
        allowed: "counter, gauge, histogram, summary, untyped",
    };
    assert_error("# TYPE rq countr\nrq 1\n", Format::Text, 1, 11, kind);
}

#[test]
fn second_type_line_for_a_family() {
    let kind = ParseErrorKind::DuplicateMetadata {
        keyword: "TYPE",
        family: "rq".into(),
    };
    assert_error(
        "# TYPE rq counter\n# TYPE rq gauge\n",
        Format::Text,
        2,
        8,
        kind,
    );
}

#[test]
fn help_line_without_a_metric_name() {
    assert_error(
        "# HELP\n",
        Format::Text,
        1,
        7,
        ParseErrorKind::MissingMetricName("HELP"),
    );
}

#[test]
fn openmetrics_without_eof() {
    let samples = assert_error(
        "rq_total 1\n",
        Format::OpenMetrics,
        2,
        1,
        ParseErrorKind::MissingEof,
    );
    assert_eq!(samples, 1);
}

#[test]
fn openmetrics_content_after_eof() {
    let input = "a 1\n# EOF\nb 2\n";
    assert_error(
        input,
        Format::OpenMetrics,
        3,
        1,
        ParseErrorKind::ContentAfterEof,
    );
}

#[test]
fn openmetrics_exemplar_without_value() {
    let input = "rq_total 1 # {t=\"x\"}\n# EOF\n";
    assert_error(
        input,
        Format::OpenMetrics,
        1,
        21,
        ParseErrorKind::MissingExemplarValue,
    );
}

#[test]
fn openmetrics_exemplar_with_too_long_labels_points_at_its_label_set() {
    let input = format!(
        "rq_total 1 # {{trace_id=\"{}\"}} 2\n# EOF\n",
        "f".repeat(121)
    );
    assert_error(
        &input,
        Format::OpenMetrics,
        1,
        14,
        ParseErrorKind::ExemplarLabelsTooLong(129),
    );
}

#[test]
fn openmetrics_timestamp_that_is_not_a_number() {
    let kind = ParseErrorKind::InvalidTimestamp {
        found: "soon".into(),
        expected: "a number of seconds",
    };
    assert_error("rq 1 soon\n# EOF\n", Format::OpenMetrics, 1, 6, kind);
}

#[test]
fn lines_are_counted_across_crlf_line_ends() {
    let input = "a 1\r\nb{x=\"1\",} 2\r\nc{ 3\r\nd 4\r\n";
    let kind = ParseErrorKind::InvalidLabelName(Found::Char('3'));
    assert_eq!(assert_error(input, Format::Text, 3, 4, kind), 3);
}

#[test]
fn columns_count_characters_not_bytes() {
    let kind = ParseErrorKind::TrailingText("x".into());
    assert_error("rq{who=\"Zoë\"} 1 2 x\n", Format::Text, 1, 19, kind);
}

#[test]
fn messages_say_where_and_what() {
    let exposition = parse("ok 1\nrq{code=\"200\"}\n", Format::Text);
    assert_eq!(
        exposition.errors[0].to_string(),
        "line 2, column 15: sample `rq` has no value: expected a space and a number"
    );
    let exposition = parse("rq{path=\"a\\tb\"} 1\n", Format::Text);
    assert_eq!(
        exposition.errors[0].to_string(),
        "line 1, column 11: invalid escape sequence in a label value: a backslash followed by \
         't'; only \\\\, \\\" and \\n are allowed"
    );
}

#[test]
fn every_malformed_line_is_reported_in_order() {
    let input = "a 1\nb{ 1\nc 1\nd one\n# TYPE e bogus\nf 1\n";
    let exposition = parse(input, Format::Text);
    let lines: Vec<u32> = exposition.errors.iter().map(|error| error.line).collect();
    assert_eq!(lines, [2, 4, 5]);
    let names: Vec<&str> = exposition
        .samples
        .iter()
        .map(|sample| sample.name)
        .collect();
    assert_eq!(names, ["a", "c", "f"]);
}
