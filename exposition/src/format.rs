//! The two exposition formats, and the metric types their `# TYPE` lines declare.

use std::fmt;

/// Which exposition format a body is written in.
///
/// ```
/// use meshward_exposition::Format;
///
/// let format = Format::from_content_type("application/openmetrics-text; version=1.0.0");
/// assert_eq!(format, Format::OpenMetrics);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4 (`text/plain; version=0.0.4`).
    #[default]
    Text,
    /// OpenMetrics 1.0 text (`application/openmetrics-text`).
    OpenMetrics,
}

/// The media type that selects [`Format::OpenMetrics`].
const OPENMETRICS_MEDIA_TYPE: &str = "application/openmetrics-text";

impl Format {
    /// Picks the format from an HTTP `Content-Type` header value.
    ///
    /// `application/openmetrics-text` (any parameters, any case) is OpenMetrics; anything else,
    /// including an empty or missing header, is read as the Prometheus text format.
    ///
    /// ```
    /// use meshward_exposition::Format;
    ///
    /// assert_eq!(Format::from_content_type("text/plain; version=0.0.4"), Format::Text);
    /// assert_eq!(Format::from_content_type("Application/OpenMetrics-Text"), Format::OpenMetrics);
    /// assert_eq!(Format::from_content_type(""), Format::Text);
    /// ```
    pub fn from_content_type(content_type: &str) -> Format {
        let media_type = content_type.split(';').next().unwrap_or_default().trim();
        if media_type.eq_ignore_ascii_case(OPENMETRICS_MEDIA_TYPE) {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }

    /// The format's name as used in messages.
    ///
    /// ```
    /// use meshward_exposition::Format;
    ///
    /// assert_eq!(Format::Text.name(), "Prometheus text 0.0.4");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "Prometheus text 0.0.4",
            Format::OpenMetrics => "OpenMetrics 1.0",
        }
    }

    /// The `# TYPE` words this format allows, for messages.
    pub(crate) fn type_words(self) -> &'static str {
        match self {
            Format::Text => "counter, gauge, histogram, summary, untyped",
            Format::OpenMetrics => {
                "counter, gauge, histogram, gaugehistogram, stateset, info, summary, unknown"
            }
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of a metric family, as its `# TYPE` line declares it.
///
/// ```
/// use meshward_exposition::{parse, Format, MetricType};
///
/// let exposition = parse("# TYPE rq counter\nrq 3\n", Format::Text);
/// assert_eq!(exposition.metric_type("rq"), MetricType::Counter);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricType {
    /// A monotonically increasing count.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Cumulative buckets (`_bucket{le=..}`), `_sum` and `_count`.
    Histogram,
    /// OpenMetrics: a histogram of a gauge (`_bucket`, `_gsum`, `_gcount`).
    GaugeHistogram,
    /// Quantiles (`{quantile=..}`), `_sum` and `_count`.
    Summary,
    /// OpenMetrics: constant information carried in labels (`_info`).
    Info,
    /// OpenMetrics: a set of boolean states.
    StateSet,
    /// Undeclared, `untyped` (text) or `unknown` (OpenMetrics).
    Unknown,
}

/// Sample-name suffixes that can belong to a family of some type.
pub(crate) const FAMILY_SUFFIXES: [&str; 8] = [
    "_bucket", "_gcount", "_count", "_gsum", "_sum", "_total", "_created", "_info",
];

impl MetricType {
    /// The word a `# TYPE` line uses for this type in OpenMetrics.
    ///
    /// ```
    /// use meshward_exposition::MetricType;
    ///
    /// assert_eq!(MetricType::GaugeHistogram.as_str(), "gaugehistogram");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// Reads a `# TYPE` word; `None` when `format` has no such type.
    pub(crate) fn from_type_word(word: &str, format: Format) -> Option<MetricType> {
        let common = match word {
            "counter" => Some(MetricType::Counter),
            "gauge" => Some(MetricType::Gauge),
            "histogram" => Some(MetricType::Histogram),
            "summary" => Some(MetricType::Summary),
            _ => None,
        };
        common.or(match (format, word) {
            (Format::Text, "untyped") => Some(MetricType::Unknown),
            (Format::OpenMetrics, "gaugehistogram") => Some(MetricType::GaugeHistogram),
            (Format::OpenMetrics, "stateset") => Some(MetricType::StateSet),
            (Format::OpenMetrics, "info") => Some(MetricType::Info),
            (Format::OpenMetrics, "unknown") => Some(MetricType::Unknown),
            _ => None,
        })
    }

    /// Whether a sample named `<family><suffix>` belongs to a family of this type.
    ///
    /// ```
    /// use meshward_exposition::MetricType;
    ///
    /// assert!(MetricType::Histogram.owns_suffix("_bucket"));
    /// assert!(!MetricType::Gauge.owns_suffix("_total"));
    /// ```
    pub fn owns_suffix(self, suffix: &str) -> bool {
        let suffixes: &[&str] = match self {
            MetricType::Counter => &["_total", "_created"],
            MetricType::Histogram => &["_bucket", "_sum", "_count", "_created"],
            MetricType::GaugeHistogram => &["_bucket", "_gsum", "_gcount"],
            MetricType::Summary => &["_sum", "_count", "_created"],
            MetricType::Info => &["_info"],
            MetricType::Gauge | MetricType::StateSet | MetricType::Unknown => &[],
        };
        suffixes.contains(&suffix)
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
