//! What can be wrong with a line of an exposition, and where it is.
//!
//! Every error carries a 1-based line and column (counted in characters, not bytes) so that a
//! user can find the offending spot in a saved scrape with any editor. The kinds are typed so
//! that callers can count failures by reason without matching on message text.

use std::fmt;

/// The character the parser met where it expected something else.
///
/// ```
/// use meshward_exposition::Found;
///
/// assert_eq!(Found::Char('-').to_string(), "'-'");
/// assert_eq!(Found::EndOfLine.to_string(), "the end of the line");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Found {
    /// An unexpected character.
    Char(char),
    /// The line ended early.
    EndOfLine,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Char(c) => write!(f, "{c:?}"),
            Found::EndOfLine => f.write_str("the end of the line"),
        }
    }
}

/// One malformed line: where it is and what is wrong with it.
///
/// The line's samples are dropped; the lines around it are still parsed.
///
/// ```
/// use meshward_exposition::{parse, Format, ParseErrorKind};
///
/// let exposition = parse("up 1\nup{job=\"a\" 1\n", Format::Text);
/// let error = &exposition.errors[0];
/// assert_eq!((error.line, error.column), (2, 12));
/// assert!(matches!(error.kind, ParseErrorKind::MissingLabelSeparator { .. }));
/// assert_eq!(
///     error.to_string(),
///     "line 2, column 12: expected ',' or '}' after the value of label `job`, found '1'"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// What is wrong with a line. Each variant is one kind of mistake.
///
/// ```
/// use meshward_exposition::ParseErrorKind;
///
/// let kind = ParseErrorKind::DuplicateLabel("code".to_owned());
/// assert_eq!(kind.to_string(), "label `code` appears twice in one label set");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// A metric name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    #[error(
        "invalid metric name: unexpected {0} (a metric name matches [a-zA-Z_:][a-zA-Z0-9_:]*)"
    )]
    InvalidMetricName(Found),
    /// A label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`.
    #[error("invalid label name: unexpected {0} (a label name matches [a-zA-Z_][a-zA-Z0-9_]*)")]
    InvalidLabelName(Found),
    /// A label name is not followed by `=`.
    #[error("expected '=' after label name `{name}`, found {found}")]
    MissingEquals {
        /// The label name.
        name: String,
        /// What came instead of `=`.
        found: Found,
    },
    /// A label value does not start with a double quote.
    #[error("expected '\"' to open the value of label `{name}`, found {found}")]
    MissingQuote {
        /// The label name.
        name: String,
        /// What came instead of `"`.
        found: Found,
    },
    /// A label value has no closing double quote on its line.
    #[error(
        "the value of label `{0}` is not closed: a '\"' is missing before the end of the line"
    )]
    UnterminatedLabelValue(String),
    /// A backslash in a label value is followed by something other than `\`, `"` or `n`.
    #[error(
        "invalid escape sequence in a label value: a backslash followed by {0}; \
         only \\\\, \\\" and \\n are allowed"
    )]
    InvalidEscape(Found),
    /// Something other than `,` or `}` follows a label value.
    #[error("expected ',' or '}}' after the value of label `{name}`, found {found}")]
    MissingLabelSeparator {
        /// The label whose value was just read.
        name: String,
        /// What came instead of `,` or `}`.
        found: Found,
    },
    /// A label set is still open at the end of the line.
    #[error("the label set is not closed: a '}}' is missing before the end of the line")]
    UnclosedLabelSet,
    /// The same label name appears twice in one label set.
    #[error("label `{0}` appears twice in one label set")]
    DuplicateLabel(String),
    /// Something other than a space follows a metric name's label set.
    #[error("expected a space after the label set, found {0}")]
    MissingSpace(Found),
    /// A sample line has no value.
    #[error("sample `{0}` has no value: expected a space and a number")]
    MissingValue(String),
    /// A sample value is not a number.
    #[error("invalid sample value `{0}`: expected a number, NaN, +Inf or -Inf")]
    InvalidValue(String),
    /// A timestamp is not in the form the format requires.
    #[error("invalid timestamp `{found}`: expected {expected}")]
    InvalidTimestamp {
        /// The text where the timestamp was expected.
        found: String,
        /// What the format requires.
        expected: &'static str,
    },
    /// A line has more text after its last field.
    #[error("unexpected text `{0}` at the end of the line")]
    TrailingText(String),
    /// An exemplar appears in the Prometheus text format, which has none.
    #[error("exemplars are only allowed in the OpenMetrics format; this is Prometheus text")]
    ExemplarNotAllowed,
    /// An exemplar does not start with ` # {`.
    #[error("invalid exemplar: expected ' # {{labels}} value', found {0}")]
    InvalidExemplar(Found),
    /// An exemplar has no value after its label set.
    #[error("exemplar has no value: expected a space and a number after its label set")]
    MissingExemplarValue,
    /// An exemplar's label names and values together are longer than OpenMetrics allows.
    #[error("exemplar labels are {0} characters long; OpenMetrics allows at most 128")]
    ExemplarLabelsTooLong(usize),
    /// A `# HELP`, `# TYPE` or `# UNIT` line names no metric.
    #[error("`# {0}` line has no metric name")]
    MissingMetricName(&'static str),
    /// A `# TYPE` line has no type.
    #[error("`# TYPE` line for `{0}` has no type")]
    MissingType(String),
    /// A `# TYPE` line names a type the format does not have.
    #[error("unknown metric type `{found}`: {format} allows {allowed}")]
    UnknownType {
        /// The type word found.
        found: String,
        /// The format being parsed.
        format: &'static str,
        /// The type words that format allows.
        allowed: &'static str,
    },
    /// A family has a second `# HELP`, `# TYPE` or `# UNIT` line.
    #[error("second `# {keyword}` line for metric family `{family}`")]
    DuplicateMetadata {
        /// `HELP`, `TYPE` or `UNIT`.
        keyword: &'static str,
        /// The metric family.
        family: String,
    },
    /// A `# UNIT` is not the suffix of its family's name, as OpenMetrics requires.
    #[error("unit `{unit}` must be the suffix of metric family `{family}` (`..._{unit}`)")]
    UnitMismatch {
        /// The metric family.
        family: String,
        /// The declared unit.
        unit: String,
    },
    /// An OpenMetrics exposition does not end with `# EOF`.
    #[error("the OpenMetrics exposition does not end with `# EOF`: it may be truncated")]
    MissingEof,
    /// An OpenMetrics exposition has content after `# EOF`.
    #[error("content after `# EOF`: an OpenMetrics exposition ends at its `# EOF` line")]
    ContentAfterEof,
}
