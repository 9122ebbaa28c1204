//! One test group per grammar rule of the two formats.

use std::borrow::Cow;

use crate::{parse, Exposition, Format, MetricType, ParseErrorKind, Sample};

/// Parses `input` and fails the test on any error.
fn clean(input: &str, format: Format) -> Exposition<'_> {
    let exposition = parse(input, format);
    assert!(
        exposition.errors.is_empty(),
        "unexpected errors: {:?}",
        exposition.errors
    );
    exposition
}

fn only_sample<'e, 'a>(exposition: &'e Exposition<'a>) -> &'e Sample<'a> {
    assert_eq!(exposition.samples.len(), 1, "{:?}", exposition.samples);
    &exposition.samples[0]
}

fn labels<'s>(sample: &'s Sample<'_>) -> Vec<(&'s str, &'s str)> {
    sample
        .labels
        .iter()
        .map(|label| (label.name, &*label.value))
        .collect()
}

fn kinds(exposition: &Exposition<'_>) -> Vec<ParseErrorKind> {
    exposition
        .errors
        .iter()
        .map(|error| error.kind.clone())
        .collect()
}

// === metric names ===

#[test]
fn metric_names_allow_letters_digits_underscores_and_colons() {
    let exposition = clean("a 1\n_b:c_9 2\n:recorded:rule 3\n", Format::Text);
    let names: Vec<_> = exposition
        .samples
        .iter()
        .map(|sample| sample.name)
        .collect();
    assert_eq!(names, ["a", "_b:c_9", ":recorded:rule"]);
}

#[test]
fn metric_names_must_not_start_with_a_digit_or_contain_other_characters() {
    for input in [
        "9lives 1\n",
        "a-b 1\n",
        "a.b 1\n",
        "ä 1\n",
        "\"quoted\" 1\n",
    ] {
        let exposition = parse(input, Format::Text);
        assert!(exposition.samples.is_empty(), "{input:?}");
        assert!(
            matches!(
                kinds(&exposition)[..],
                [ParseErrorKind::InvalidMetricName(_)]
            ),
            "{input:?}: {:?}",
            exposition.errors
        );
    }
}

// === label sets ===

#[test]
fn a_sample_may_have_no_label_set_or_an_empty_one() {
    for input in ["up 1\n", "up{} 1\n", "up{ } 1\n"] {
        let exposition = clean(input, Format::Text);
        assert!(only_sample(&exposition).labels.is_empty(), "{input:?}");
    }
}

#[test]
fn labels_keep_their_order_and_values() {
    let exposition = clean("rq{b=\"2\",a=\"1\",c=\"\"} 1\n", Format::Text);
    assert_eq!(
        labels(only_sample(&exposition)),
        [("b", "2"), ("a", "1"), ("c", "")]
    );
}

#[test]
fn label_values_may_contain_commas_braces_equals_and_hashes() {
    let input = "rq{route=\"a,b\",path=\"/x{y}=z\",q=\"#1 # {x}\"} 1\n";
    let exposition = clean(input, Format::Text);
    assert_eq!(
        labels(only_sample(&exposition)),
        [("route", "a,b"), ("path", "/x{y}=z"), ("q", "#1 # {x}")]
    );
}

#[test]
fn label_values_unescape_backslash_quote_and_newline() {
    let input = r#"rq{v="a\\b\"c\nd",w="plain"} 1
"#;
    let exposition = clean(input, Format::Text);
    let sample = only_sample(&exposition);
    assert_eq!(labels(sample), [("v", "a\\b\"c\nd"), ("w", "plain")]);
    assert!(matches!(sample.labels[0].value, Cow::Owned(_)));
    assert!(matches!(sample.labels[1].value, Cow::Borrowed(_)));
}

#[test]
fn label_values_may_hold_any_unicode() {
    let exposition = clean("rq{who=\"Zoë 🚀 名前\"} 1\n", Format::Text);
    assert_eq!(only_sample(&exposition).label("who"), Some("Zoë 🚀 名前"));
}

#[test]
fn label_values_reject_unknown_escapes() {
    let exposition = parse("rq{v=\"a\\tb\"} 1\n", Format::Text);
    assert_eq!(
        kinds(&exposition),
        [ParseErrorKind::InvalidEscape(crate::Found::Char('t'))]
    );
}

#[test]
fn label_sets_accept_blanks_and_a_trailing_comma() {
    let exposition = clean("rq{ a = \"1\" ,\tb=\"2\", } 1\n", Format::Text);
    assert_eq!(labels(only_sample(&exposition)), [("a", "1"), ("b", "2")]);
}

#[test]
fn text_format_accepts_a_blank_between_name_and_label_set() {
    let exposition = clean("rq {a=\"1\"} 1\n", Format::Text);
    assert_eq!(labels(only_sample(&exposition)), [("a", "1")]);
    let exposition = parse("rq {a=\"1\"} 1\n# EOF\n", Format::OpenMetrics);
    assert!(matches!(
        kinds(&exposition)[..],
        [ParseErrorKind::InvalidValue(_)]
    ));
}

#[test]
fn label_names_are_checked() {
    for (input, expected) in [
        (
            "rq{1a=\"x\"} 1\n",
            ParseErrorKind::InvalidLabelName(crate::Found::Char('1')),
        ),
        (
            "rq{a-b=\"x\"} 1\n",
            ParseErrorKind::InvalidLabelName(crate::Found::Char('-')),
        ),
        (
            "rq{a:b=\"x\"} 1\n",
            ParseErrorKind::InvalidLabelName(crate::Found::Char(':')),
        ),
        (
            "rq{,} 1\n",
            ParseErrorKind::InvalidLabelName(crate::Found::Char(',')),
        ),
    ] {
        assert_eq!(kinds(&parse(input, Format::Text)), [expected], "{input:?}");
    }
}

#[test]
fn duplicate_label_names_are_rejected() {
    let exposition = parse("rq{a=\"1\",b=\"2\",a=\"3\"} 1\n", Format::Text);
    assert_eq!(
        kinds(&exposition),
        [ParseErrorKind::DuplicateLabel("a".to_owned())]
    );
}

// === values ===

#[test]
fn values_are_integers_floats_exponents_and_specials() {
    let input = "a 0\nb -1.5\nc 1e3\nd 2.5E-3\ne +7\nf .5\ng 123456789012345678\n";
    let exposition = clean(input, Format::Text);
    let values: Vec<f64> = exposition
        .samples
        .iter()
        .map(|sample| sample.value)
        .collect();
    assert_eq!(
        values,
        [
            0.0,
            -1.5,
            1000.0,
            0.0025,
            7.0,
            0.5,
            123_456_789_012_345_680.0
        ]
    );
}

#[test]
fn values_include_nan_and_infinities() {
    let exposition = clean("a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\n", Format::Text);
    let values: Vec<f64> = exposition
        .samples
        .iter()
        .map(|sample| sample.value)
        .collect();
    assert!(values[0].is_nan() && values[4].is_nan());
    assert_eq!(
        values[1..4],
        [f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY]
    );
}

#[test]
fn values_that_are_not_numbers_are_rejected() {
    for input in [
        "a one\n",
        "a 1,5\n",
        "a 0x10\n",
        "a 1_000\n",
        "a +\n",
        "a --1\n",
    ] {
        let exposition = parse(input, Format::Text);
        assert!(
            matches!(kinds(&exposition)[..], [ParseErrorKind::InvalidValue(_)]),
            "{input:?}: {:?}",
            exposition.errors
        );
    }
}

#[test]
fn a_missing_value_is_an_error() {
    for input in ["a\n", "a \n", "a{b=\"c\"}\n", "a{b=\"c\"}   \r\n"] {
        let exposition = parse(input, Format::Text);
        assert_eq!(
            kinds(&exposition),
            [ParseErrorKind::MissingValue("a".to_owned())],
            "{input:?}"
        );
    }
}

// === timestamps ===

#[test]
fn text_timestamps_are_integer_milliseconds() {
    let exposition = clean("a 1 1700000000123\nb 1 -5\nc 1\n", Format::Text);
    let stamps: Vec<_> = exposition
        .samples
        .iter()
        .map(|sample| sample.timestamp_ms)
        .collect();
    assert_eq!(stamps, [Some(1_700_000_000_123), Some(-5), None]);

    let exposition = parse("a 1 1700000000.5\n", Format::Text);
    assert!(matches!(
        kinds(&exposition)[..],
        [ParseErrorKind::InvalidTimestamp { .. }]
    ));
}

#[test]
fn openmetrics_timestamps_are_seconds_converted_to_milliseconds() {
    let input = "a 1 1700000000.123\nb 1 1700000000\nc 1 1.5e3\nd 1 -0.001\n# EOF\n";
    let exposition = clean(input, Format::OpenMetrics);
    let stamps: Vec<_> = exposition
        .samples
        .iter()
        .map(|sample| sample.timestamp_ms)
        .collect();
    assert_eq!(
        stamps,
        [
            Some(1_700_000_000_123),
            Some(1_700_000_000_000),
            Some(1_500_000),
            Some(-1)
        ]
    );

    let exposition = parse("a 1 NaN\nb 1 1e300\n# EOF\n", Format::OpenMetrics);
    assert_eq!(exposition.errors.len(), 2, "{:?}", exposition.errors);
}

#[test]
fn text_after_the_timestamp_is_an_error() {
    let exposition = parse("a 1 2 3\n", Format::Text);
    assert_eq!(
        kinds(&exposition),
        [ParseErrorKind::TrailingText("3".to_owned())]
    );
}

// === exemplars ===

#[test]
fn openmetrics_exemplars_have_labels_a_value_and_an_optional_timestamp() {
    let input = "\
# TYPE rq counter
rq_total 10 # {trace_id=\"abc\",span=\"1\"} 0.5 1700000000.001
rq_created 1700000000
# TYPE lat histogram
lat_bucket{le=\"0.1\"} 3 # {} 0.05
lat_bucket{le=\"+Inf\"} 4
# EOF
";
    let exposition = clean(input, Format::OpenMetrics);
    let exemplar = exposition.samples[0].exemplar.as_ref().expect("exemplar");
    assert_eq!(exemplar.labels.len(), 2);
    assert_eq!(exemplar.labels[0].value, "abc");
    assert_eq!(exemplar.value, 0.5);
    assert_eq!(exemplar.timestamp_ms, Some(1_700_000_000_001));

    let bare = exposition.samples[2].exemplar.as_ref().expect("exemplar");
    assert!(bare.labels.is_empty());
    assert_eq!(bare.timestamp_ms, None);
    assert!(exposition.samples[1].exemplar.is_none());
}

#[test]
fn exemplars_are_errors_in_the_text_format() {
    let exposition = parse("rq_total 10 # {trace_id=\"abc\"} 1\n", Format::Text);
    assert_eq!(kinds(&exposition), [ParseErrorKind::ExemplarNotAllowed]);
}

#[test]
fn exemplar_labels_are_limited_to_128_characters() {
    let fits = format!("a_total 1 # {{t=\"{}\"}} 1\n# EOF\n", "x".repeat(127));
    assert!(parse(&fits, Format::OpenMetrics).errors.is_empty());
    let long = format!("a_total 1 # {{t=\"{}\"}} 1\n# EOF\n", "x".repeat(128));
    assert_eq!(
        kinds(&parse(&long, Format::OpenMetrics)),
        [ParseErrorKind::ExemplarLabelsTooLong(129)]
    );
}

#[test]
fn malformed_exemplars_are_errors() {
    for input in [
        "a_total 1 #{t=\"x\"} 1\n# EOF\n",
        "a_total 1 # t=\"x\" 1\n# EOF\n",
        "a_total 1 # {t=\"x\"}\n# EOF\n",
        "a_total 1 # {t=\"x\"}1\n# EOF\n",
        "a_total 1 # {t=\"x\"} 1 2 3\n# EOF\n",
    ] {
        let exposition = parse(input, Format::OpenMetrics);
        assert_eq!(
            exposition.errors.len(),
            1,
            "{input:?}: {:?}",
            exposition.errors
        );
        assert!(exposition.samples.is_empty());
    }
}

// === metadata ===

#[test]
fn help_and_type_lines_describe_families() {
    let input = "\
# HELP rq_time Request time.\\nIn ms, with \\\\.
# TYPE rq_time histogram
# TYPE never_seen counter
# HELP empty
# just a comment
#
";
    let exposition = clean(input, Format::Text);
    assert!(exposition.samples.is_empty());
    assert_eq!(
        exposition.help("rq_time"),
        Some("Request time.\nIn ms, with \\.")
    );
    assert_eq!(exposition.help("empty"), Some(""));
    assert_eq!(exposition.metric_type("rq_time"), MetricType::Histogram);
    assert_eq!(exposition.metric_type("never_seen"), MetricType::Counter);
    assert_eq!(exposition.metric_type("undeclared"), MetricType::Unknown);
}

#[test]
fn help_keeps_unknown_escapes_as_written() {
    let exposition = clean("# HELP re Matches \\d+ and \\\"x\\\".\n", Format::Text);
    assert_eq!(exposition.help("re"), Some("Matches \\d+ and \\\"x\\\"."));
    let exposition = clean("# HELP re Says \\\"x\\\".\n# EOF\n", Format::OpenMetrics);
    assert_eq!(exposition.help("re"), Some("Says \"x\"."));
}

#[test]
fn type_words_depend_on_the_format() {
    let text = clean("# TYPE a untyped\n", Format::Text);
    assert_eq!(text.metric_type("a"), MetricType::Unknown);
    let exposition = parse("# TYPE a gaugehistogram\n", Format::Text);
    assert!(matches!(
        kinds(&exposition)[..],
        [ParseErrorKind::UnknownType { .. }]
    ));

    let input = "\
# TYPE a gaugehistogram
# TYPE b stateset
# TYPE c info
# TYPE d unknown
# EOF
";
    let om = clean(input, Format::OpenMetrics);
    assert_eq!(om.metric_type("a"), MetricType::GaugeHistogram);
    assert_eq!(om.metric_type("b"), MetricType::StateSet);
    assert_eq!(om.metric_type("c"), MetricType::Info);
    assert_eq!(om.metric_type("d"), MetricType::Unknown);
    let exposition = parse("# TYPE a untyped\n# EOF\n", Format::OpenMetrics);
    assert!(matches!(
        kinds(&exposition)[..],
        [ParseErrorKind::UnknownType { .. }]
    ));
}

#[test]
fn a_second_type_or_help_line_for_a_family_is_an_error_and_the_first_wins() {
    let input = "# TYPE a counter\n# HELP a One.\n# TYPE a gauge\n# HELP a Two.\n";
    let exposition = parse(input, Format::Text);
    assert_eq!(exposition.metric_type("a"), MetricType::Counter);
    assert_eq!(exposition.help("a"), Some("One."));
    let lines: Vec<_> = exposition.errors.iter().map(|error| error.line).collect();
    assert_eq!(lines, [3, 4]);
}

#[test]
fn openmetrics_units_must_suffix_the_family() {
    let input = "# TYPE rq_seconds gauge\n# UNIT rq_seconds seconds\n# UNIT x \n# EOF\n";
    let exposition = clean(input, Format::OpenMetrics);
    assert_eq!(exposition.unit("rq_seconds"), Some("seconds"));
    assert_eq!(exposition.unit("x"), Some(""));

    for input in [
        "# UNIT rq_bytes seconds\n# EOF\n",
        "# UNIT seconds seconds\n# EOF\n",
    ] {
        let exposition = parse(input, Format::OpenMetrics);
        assert!(matches!(
            kinds(&exposition)[..],
            [ParseErrorKind::UnitMismatch { .. }]
        ));
    }
    // The text format has no UNIT line: it is a comment there.
    assert!(parse("# UNIT rq_bytes seconds\n", Format::Text)
        .errors
        .is_empty());
}

#[test]
fn metadata_lines_need_a_valid_family_name() {
    for (input, expected) in [
        ("# TYPE\n", ParseErrorKind::MissingMetricName("TYPE")),
        ("# HELP   \n", ParseErrorKind::MissingMetricName("HELP")),
        (
            "# TYPE 1a counter\n",
            ParseErrorKind::InvalidMetricName(crate::Found::Char('1')),
        ),
        (
            "# TYPE a.b counter\n",
            ParseErrorKind::InvalidMetricName(crate::Found::Char('.')),
        ),
        ("# TYPE a\n", ParseErrorKind::MissingType("a".to_owned())),
        (
            "# TYPE a counter x\n",
            ParseErrorKind::TrailingText("x".to_owned()),
        ),
    ] {
        assert_eq!(kinds(&parse(input, Format::Text)), [expected], "{input:?}");
    }
}

// === # EOF ===

#[test]
fn openmetrics_requires_a_final_eof() {
    let exposition = parse("a 1\n", Format::OpenMetrics);
    assert_eq!(kinds(&exposition), [ParseErrorKind::MissingEof]);
    assert_eq!(
        (exposition.errors[0].line, exposition.errors[0].column),
        (2, 1)
    );
    assert_eq!(
        exposition.samples.len(),
        1,
        "samples before the truncation are kept"
    );

    assert!(parse("a 1\n# EOF", Format::OpenMetrics).errors.is_empty());
    assert!(parse("a 1\r\n# EOF\r\n", Format::OpenMetrics)
        .errors
        .is_empty());
}

#[test]
fn content_after_eof_is_reported_once_and_still_read() {
    let exposition = parse("a 1\n# EOF\nb 2\nc 3\n# EOF\n", Format::OpenMetrics);
    assert_eq!(kinds(&exposition), [ParseErrorKind::ContentAfterEof]);
    assert_eq!(exposition.errors[0].line, 3);
    assert_eq!(exposition.samples.len(), 3);
}

#[test]
fn eof_is_a_plain_comment_in_the_text_format() {
    let exposition = clean("a 1\n# EOF\nb 2\n", Format::Text);
    assert_eq!(exposition.samples.len(), 2);
}

// === lines ===

#[test]
fn blank_lines_crlf_and_surrounding_blanks_are_accepted() {
    let input = "\r\n  \n\ta 1 \r\n\n  b{x=\"y\"}\t2\t5\r\nc 3";
    let exposition = clean(input, Format::Text);
    let seen: Vec<_> = exposition
        .samples
        .iter()
        .map(|sample| (sample.name, sample.value, sample.timestamp_ms, sample.line))
        .collect();
    assert_eq!(
        seen,
        [
            ("a", 1.0, None, 3),
            ("b", 2.0, Some(5), 5),
            ("c", 3.0, None, 6)
        ]
    );
}

#[test]
fn a_malformed_line_does_not_stop_the_parse() {
    let input = "a 1\nb{ 2\nc 3\nd{x=\"1\"} four\ne 5\n";
    let exposition = parse(input, Format::Text);
    let names: Vec<_> = exposition
        .samples
        .iter()
        .map(|sample| sample.name)
        .collect();
    assert_eq!(names, ["a", "c", "e"]);
    let lines: Vec<_> = exposition.errors.iter().map(|error| error.line).collect();
    assert_eq!(lines, [2, 4]);
}

#[test]
fn an_empty_input_has_nothing_in_text_and_misses_eof_in_openmetrics() {
    let text = clean("", Format::Text);
    assert!(text.samples.is_empty());
    let om = parse("", Format::OpenMetrics);
    assert_eq!(kinds(&om), [ParseErrorKind::MissingEof]);
    assert_eq!((om.errors[0].line, om.errors[0].column), (1, 1));
}

#[test]
fn error_columns_count_characters_not_bytes() {
    let exposition = parse("a{x=\"é🚀\",y=\"z\" 1\n", Format::Text);
    assert_eq!(exposition.errors[0].column, 16);
}

// === families ===

#[test]
fn family_of_strips_only_suffixes_the_declared_type_owns() {
    let input = "\
# TYPE h histogram
# TYPE s summary
# TYPE c counter
# TYPE g gauge
# TYPE gh gaugehistogram
# TYPE i info
# TYPE st stateset
# EOF
";
    let exposition = clean(input, Format::OpenMetrics);
    let cases = [
        ("h_bucket", ("h", MetricType::Histogram)),
        ("h_sum", ("h", MetricType::Histogram)),
        ("h_count", ("h", MetricType::Histogram)),
        ("h_created", ("h", MetricType::Histogram)),
        ("h_total", ("h_total", MetricType::Unknown)),
        ("s", ("s", MetricType::Summary)),
        ("s_sum", ("s", MetricType::Summary)),
        ("s_count", ("s", MetricType::Summary)),
        ("s_bucket", ("s_bucket", MetricType::Unknown)),
        ("c_total", ("c", MetricType::Counter)),
        ("c_created", ("c", MetricType::Counter)),
        ("c_count", ("c_count", MetricType::Unknown)),
        ("g", ("g", MetricType::Gauge)),
        ("g_total", ("g_total", MetricType::Unknown)),
        ("gh_bucket", ("gh", MetricType::GaugeHistogram)),
        ("gh_gsum", ("gh", MetricType::GaugeHistogram)),
        ("gh_gcount", ("gh", MetricType::GaugeHistogram)),
        ("gh_sum", ("gh_sum", MetricType::Unknown)),
        ("i_info", ("i", MetricType::Info)),
        ("st", ("st", MetricType::StateSet)),
        ("nobody_bucket", ("nobody_bucket", MetricType::Unknown)),
    ];
    for (sample_name, expected) in cases {
        assert_eq!(exposition.family_of(sample_name), expected, "{sample_name}");
    }
}

#[test]
fn a_declared_name_is_its_own_family_even_with_a_suffix() {
    let exposition = clean(
        "# TYPE rq_total counter\n# TYPE rq_time histogram\n",
        Format::Text,
    );
    assert_eq!(
        exposition.family_of("rq_total"),
        ("rq_total", MetricType::Counter)
    );
    assert_eq!(
        exposition.family_of("rq_time_count"),
        ("rq_time", MetricType::Histogram)
    );
}

// === fast paths ===

#[test]
fn value_scan_finds_the_first_stop_byte_at_every_offset() {
    for len in 0..40 {
        for stop in [b'"', b'\\', b'\n'] {
            for at in 0..len {
                let mut bytes = vec![b'x'; len];
                bytes[at] = stop;
                if at + 1 < len {
                    bytes[len - 1] = b'"';
                }
                assert_eq!(
                    super::labels::find_value_stop(&bytes),
                    Some(at),
                    "{len} {at}"
                );
            }
        }
        assert_eq!(super::labels::find_value_stop(&vec![b'x'; len]), None);
    }
    // Bytes that differ from a stop byte only in the high bit are not stops.
    assert_eq!(
        super::labels::find_value_stop(&[0xa2, 0xdc, 0x8a, 0xe2, 0x80, 0x9c, 1, 2, b'"']),
        Some(8)
    );
}

#[test]
fn names_remembered_from_the_previous_line_are_checked_like_new_ones() {
    let input = "\
rq{code=\"1\",class=\"2\"} 1
rq{code_x=\"1\",class=\"2\"} 2
rq{code=\"1\",class-x=\"2\"} 3
rq{code=\"1\",code=\"2\"} 4
rq_total{code=\"1\"} 5
rq-x 6
rq 7
";
    let exposition = parse(input, Format::Text);
    let seen: Vec<_> = exposition
        .samples
        .iter()
        .map(|sample| {
            (
                sample.name,
                labels(sample)
                    .iter()
                    .map(|(n, _)| n.to_string())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("rq", vec!["code".to_owned(), "class".to_owned()]),
            ("rq", vec!["code_x".to_owned(), "class".to_owned()]),
            ("rq_total", vec!["code".to_owned()]),
            ("rq", vec![]),
        ]
    );
    assert_eq!(
        kinds(&exposition),
        [
            ParseErrorKind::InvalidLabelName(crate::Found::Char('-')),
            ParseErrorKind::DuplicateLabel("code".to_owned()),
            ParseErrorKind::InvalidMetricName(crate::Found::Char('-')),
        ]
    );
}

#[test]
fn large_label_sets_are_checked_for_duplicates_too() {
    let names: Vec<String> = (0..20_000).map(|i| format!("l{i}")).collect();
    let set: Vec<String> = names.iter().map(|name| format!("{name}=\"v\"")).collect();
    let input = format!("rq{{{}}} 1\n", set.join(","));
    let exposition = clean(&input, Format::Text);
    assert_eq!(only_sample(&exposition).labels.len(), 20_000);

    // `l40` again at the 15 000th label; `l7` again later still.
    let mut set = set;
    set[15_000] = "l40=\"again\"".to_owned();
    set[19_000] = "l7=\"again\"".to_owned();
    let input = format!("rq{{{}}} 1\n", set.join(","));
    let exposition = parse(&input, Format::Text);
    assert_eq!(
        kinds(&exposition),
        [ParseErrorKind::DuplicateLabel("l40".to_owned())]
    );
    let column = input.find("l40=\"again\"").unwrap() + 1;
    assert_eq!(exposition.errors[0].column as usize, column);
}
