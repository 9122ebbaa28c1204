use promql_parser::label::MatchOp;
use promql_parser::parser::Expr;
use proptest::prelude::*;

use super::*;

/// Quotes `value` into a selector, parses it back and returns the matcher's value.
fn round_trip(value: &str) -> String {
    let query = format!("metric{{service={}}}", quote_label_value(value));
    let expr = parser::parse(&query).unwrap_or_else(|e| panic!("{query:?}: {e}"));
    let Expr::VectorSelector(selector) = expr else {
        panic!("{query:?} is not a selector");
    };
    let matchers = &selector.matchers.matchers;
    assert_eq!(matchers.len(), 1, "{query:?} has extra matchers");
    assert_eq!(matchers[0].name, "service");
    assert!(matches!(matchers[0].op, MatchOp::Equal));
    matchers[0].value.clone()
}

#[test]
fn hostile_values_stay_values() {
    for hostile in [
        r#"a"b"#,
        r#"x"}"#,
        r#"x"} or vector(1) or up{a=""#,
        "\\",
        "\\\"",
        "line\nbreak",
        "tab\tand\rreturn",
        "{{ $labels.x }}",
        "ünïcødé ✓ 🚀",
        "\u{0}\u{7f}\u{1b}[31m",
        "",
    ] {
        assert_eq!(round_trip(hostile), hostile);
    }
}

proptest! {
    #[test]
    fn any_string_round_trips_through_a_matcher(value in any::<String>()) {
        prop_assert_eq!(round_trip(&value), value);
    }
}

#[test]
fn template_text_is_escaped() {
    assert_eq!(escape_template_text("{{{{"), "{{\"{{\"}}{{\"{{\"}}");
}

fn error_at(expr: &str) -> (String, String) {
    let error = parse(expr).unwrap_err();
    let end = (error.offset + error.len).min(expr.len());
    (expr[error.offset..end].to_owned(), error.message)
}

#[test]
fn grammar_errors_point_at_the_offending_token() {
    assert_eq!(error_at("sum(rate(x[5m])) by a").0, "a");
    assert_eq!(error_at("sum(x) > > 1").0, ">");
    assert_eq!(error_at("rate(x[5m]) foo").0, "foo");
    let (text, message) = error_at("sum(x) >");
    assert_eq!(text, "");
    assert!(message.contains("end of the expression"), "{message}");
}

#[test]
fn lexer_errors_point_at_the_offending_character() {
    assert_eq!(error_at("sum(rate(x[5m])").0, "(");
    assert_eq!(error_at("x{a=\"b}").0, "\"");
    assert_eq!(error_at("x $ y").0, "$");
}

#[test]
fn semantic_errors_point_at_the_name_they_quote() {
    let (text, message) = error_at("ratee(x[5m])");
    assert_eq!(text, "ratee");
    assert!(message.contains("ratee"), "{message}");
    assert_eq!(error_at("sum(rate(x))").0, "rate");
}

#[test]
fn valid_expressions_parse() {
    for expr in [
        "sum by (a) (rate(x[5m])) / on (a) group_left (b) sum without (c) (y) > bool 0",
        "x offset 5m @ 100",
        "max_over_time(x[1h:5m])",
        "-x ^ 2 and on () vector(1)",
        "topk(3, x)",
        "{__name__=\"x\", a!~\"b.*\",}",
    ] {
        parse(expr).unwrap_or_else(|e| panic!("{expr}: {e:?}"));
    }
}
