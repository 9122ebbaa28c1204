//! Samples as they appear on the wire: a name, labels, a value, and optional extras.
//!
//! Everything borrows from the parsed input; only a label value that contained an escape
//! sequence owns its unescaped text.

use std::borrow::Cow;

/// One label of a sample or an exemplar.
///
/// ```
/// use meshward_exposition::{parse, Format};
/// use std::borrow::Cow;
///
/// let exposition = parse("rq{path=\"/a\\\"b\"} 1\n", Format::Text);
/// let label = &exposition.samples[0].labels[0];
/// assert_eq!(label.name, "path");
/// assert_eq!(label.value, "/a\"b");
/// assert!(matches!(label.value, Cow::Owned(_)), "unescaped values own their text");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label<'a> {
    /// The label name, borrowed from the input.
    pub name: &'a str,
    /// The unescaped value: borrowed unless the value contained an escape sequence.
    pub value: Cow<'a, str>,
}

/// An OpenMetrics exemplar: a sample of one traced event attached to a counter or bucket.
///
/// ```
/// use meshward_exposition::{parse, Format};
///
/// let body = "# TYPE rq counter\nrq_total 5 # {trace_id=\"4bf9\"} 1 1700000000.5\n# EOF\n";
/// let exposition = parse(body, Format::OpenMetrics);
/// let exemplar = exposition.samples[0].exemplar.as_ref().unwrap();
/// assert_eq!(exemplar.labels[0].value, "4bf9");
/// assert_eq!(exemplar.value, 1.0);
/// assert_eq!(exemplar.timestamp_ms, Some(1_700_000_000_500));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar<'a> {
    /// The exemplar's labels (often a trace id); may be empty.
    pub labels: Vec<Label<'a>>,
    /// The observed value.
    pub value: f64,
    /// When it was observed, in milliseconds since the Unix epoch.
    pub timestamp_ms: Option<i64>,
}

/// One sample line.
///
/// ```
/// use meshward_exposition::{parse, Format};
///
/// let exposition = parse("\nenvoy_server_uptime{} 42 1700000000000\n", Format::Text);
/// let sample = &exposition.samples[0];
/// assert_eq!(sample.name, "envoy_server_uptime");
/// assert!(sample.labels.is_empty());
/// assert_eq!(sample.value, 42.0);
/// assert_eq!(sample.timestamp_ms, Some(1_700_000_000_000));
/// assert_eq!(sample.line, 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// The sample's metric name, including any `_bucket`/`_sum`/... suffix.
    pub name: &'a str,
    /// The labels in the order they were written.
    pub labels: Vec<Label<'a>>,
    /// The value; may be NaN or infinite.
    pub value: f64,
    /// The timestamp in milliseconds since the Unix epoch, when the line had one.
    pub timestamp_ms: Option<i64>,
    /// The OpenMetrics exemplar, when the line had one.
    pub exemplar: Option<Exemplar<'a>>,
    /// The 1-based line the sample was read from.
    pub line: u32,
}

impl<'a> Sample<'a> {
    /// The value of the label called `name`, if the sample has it.
    ///
    /// ```
    /// use meshward_exposition::{parse, Format};
    ///
    /// let body = "istio_requests_total{reporter=\"destination\",response_code=\"403\"} 7\n";
    /// let exposition = parse(body, Format::Text);
    /// assert_eq!(exposition.samples[0].label("response_code"), Some("403"));
    /// assert_eq!(exposition.samples[0].label("response_flags"), None);
    /// ```
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|label| label.name == name)
            .map(|label| &*label.value)
    }
}
