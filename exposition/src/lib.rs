//! A zero-copy parser for the Prometheus text format (0.0.4) and OpenMetrics 1.0.
//!
//! [`parse`] reads a whole scrape body in one pass. Names and label values borrow from the
//! body; only a label value that contained an escape sequence is copied. A malformed line
//! never stops the parse: it becomes a [`ParseError`] with its line, column and
//! [`ParseErrorKind`], and every other line's samples are still returned.
//!
//! ```
//! use meshward_exposition::{parse, Format, MetricType};
//!
//! let body = "\
//! ## HELP envoy_cluster_upstream_rq_xx Requests by response class.
//! ## TYPE envoy_cluster_upstream_rq_xx counter
//! envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"5\",envoy_cluster_name=\"a,b\"} 3
//! envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"2\" 9
//! ";
//! let exposition = parse(body, Format::from_content_type("text/plain; version=0.0.4"));
//!
//! let sample = &exposition.samples[0];
//! assert_eq!(sample.label("envoy_cluster_name"), Some("a,b"));
//! assert_eq!(sample.value, 3.0);
//! assert_eq!(exposition.family_of(sample.name).1, MetricType::Counter);
//!
//! let error = &exposition.errors[0];
//! assert_eq!((error.line, error.column), (4, 60));
//! ```
//!
//! # What is accepted
//!
//! Strict, as the formats require: metric and label names, duplicate label names, quoted
//! label values with only the `\\`, `\"` and `\n` escapes, a value on every sample, numbers
//! (`NaN`, `+Inf`, `-Inf` included), integer millisecond timestamps in the text format and
//! float second timestamps in OpenMetrics, the `# TYPE` words of each format, one `# TYPE`,
//! `# HELP` and `# UNIT` per family, exemplars in OpenMetrics only (at most 128 characters of
//! labels), and OpenMetrics' closing `# EOF` with nothing after it.
//!
//! Lenient, because real expositions contain these and no data depends on them: blank
//! lines and CRLF line ends, blanks (spaces or tabs) at the start or end of a line, several
//! blanks between fields, blanks inside a label set, a trailing comma in a label set, unknown
//! `#` comments, unknown escape sequences in help texts (kept as written), and, in the text
//! format only, a blank between a metric name and its label set. Samples are not checked
//! against their family's type, and families are not checked for being contiguous.

#![deny(missing_docs)]

mod error;
mod exposition;
mod format;
mod parser;
mod sample;

pub use error::{Found, ParseError, ParseErrorKind};
pub use exposition::Exposition;
pub use format::{Format, MetricType};
pub use sample::{Exemplar, Label, Sample};

/// Parses an exposition body in `format`.
///
/// Never panics: any input yields an [`Exposition`] whose `samples` hold every well-formed
/// sample line and whose `errors` hold one positioned error per malformed line.
///
/// ```
/// use meshward_exposition::{parse, Format};
///
/// let body = "# TYPE rq counter\nrq_total{code=\"200\"} 10 1700000000.25\n# EOF\n";
/// let exposition = parse(body, Format::OpenMetrics);
/// assert!(exposition.errors.is_empty());
/// assert_eq!(exposition.samples[0].timestamp_ms, Some(1_700_000_000_250));
/// ```
pub fn parse(input: &str, format: Format) -> Exposition<'_> {
    parser::parse(input, format)
}
