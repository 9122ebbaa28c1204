//! PromQL as meshward writes and reads it: safe quoting of spec values, and parsing with
//! errors that say where in the expression the problem is.
//!
//! Escaping contract: any string from a spec that lands inside a PromQL string literal goes
//! through [`quote_label_value`], and any that lands in the literal text of an alert annotation
//! goes through [`escape_template_text`]. A service called `a"b`, `x"}` or `{{ .Foo }}` then
//! stays a value and can never change what a query selects or what a template runs.

mod locate;

use promql_parser::parser::{self, Expr};

/// Quotes `value` as a PromQL double-quoted string literal, quotes included.
///
/// Backslash, double quote, newline, carriage return and tab get their short escapes; every
/// other control character becomes a `\u` escape with four hex digits, which both Prometheus
/// and promql-parser read back to the same character. Everything else, all of Unicode included,
/// stays as it is.
///
/// ```
/// use meshward_rulegen::promql::quote_label_value;
///
/// assert_eq!(quote_label_value(r#"x"}"#), r#""x\"}""#);
/// let query = format!("up{{service={}}}", quote_label_value("a\\b\n"));
/// assert_eq!(query, r#"up{service="a\\b\n"}"#);
/// ```
pub fn quote_label_value(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Escapes `text` for the literal part of a Prometheus alert template (annotation or label
/// value), so that Prometheus prints it verbatim instead of running `{{ ... }}` actions in it.
///
/// Only `{{` starts an action in Go's text/template; each is replaced by an action that prints
/// the two braces (`{{"{{"}}`).
///
/// ```
/// use meshward_rulegen::promql::escape_template_text;
///
/// assert_eq!(escape_template_text("svc {{ .x }}"), r#"svc {{"{{"}} .x }}"#);
/// assert_eq!(escape_template_text("plain"), "plain");
/// ```
pub fn escape_template_text(text: &str) -> String {
    text.replace("{{", "{{\"{{\"}}")
}

/// A PromQL expression that does not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromqlError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the offending text in the expression.
    pub offset: usize,
    /// Its length in bytes (the whole expression when no better place is known).
    pub len: usize,
}

/// Parses `expr` with promql-parser; on failure, finds the offending token.
///
/// promql-parser reports grammar errors without a position, so the position comes from our
/// own pass over its tokens (see the `locate` module): the first token that cannot continue a
/// valid expression, the first character the lexer rejects, or the name a semantic error
/// quotes (`unknown function with name 'ratee'`). When none applies the whole expression is
/// blamed.
pub fn parse(expr: &str) -> Result<Expr, PromqlError> {
    parser::parse(expr).map_err(|message| locate::locate(expr, &message))
}

#[cfg(test)]
mod tests;
