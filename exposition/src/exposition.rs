//! The result of parsing one exposition: its samples, its errors, and its families' metadata.

use std::borrow::Cow;

use crate::format::FAMILY_SUFFIXES;
use crate::{MetricType, ParseError, Sample};

/// A parsed exposition.
///
/// Malformed lines do not stop the parse: each becomes one entry in [`errors`](Self::errors)
/// and the other lines' samples are all in [`samples`](Self::samples).
///
/// ```
/// use meshward_exposition::{parse, Format, MetricType};
///
/// let body = "# HELP rq Requests.\n# TYPE rq counter\nrq{code=\"200\"} 10\nrq{code=} 1\n";
/// let exposition = parse(body, Format::Text);
/// assert_eq!(exposition.samples.len(), 1);
/// assert_eq!(exposition.errors.len(), 1);
/// assert_eq!(exposition.errors[0].line, 4);
/// assert_eq!(exposition.metric_type("rq"), MetricType::Counter);
/// assert_eq!(exposition.help("rq"), Some("Requests."));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Exposition<'a> {
    /// Every well-formed sample, in input order.
    pub samples: Vec<Sample<'a>>,
    /// One error per malformed line (and per misplaced metadata line), in input order.
    pub errors: Vec<ParseError>,
    /// Declared types, sorted by family name, first declaration of each family only.
    types: Vec<(&'a str, MetricType)>,
    /// Help texts, sorted by family name, first of each family only.
    help: Vec<(&'a str, Cow<'a, str>)>,
    /// OpenMetrics units, sorted by family name, first of each family only.
    units: Vec<(&'a str, &'a str)>,
}

impl<'a> Exposition<'a> {
    /// Assembles a parse result; each metadata list must be sorted by name and duplicate-free.
    pub(crate) fn new(
        samples: Vec<Sample<'a>>,
        errors: Vec<ParseError>,
        types: Vec<(&'a str, MetricType)>,
        help: Vec<(&'a str, Cow<'a, str>)>,
        units: Vec<(&'a str, &'a str)>,
    ) -> Self {
        debug_assert!(types.windows(2).all(|w| w[0].0 < w[1].0));
        debug_assert!(help.windows(2).all(|w| w[0].0 < w[1].0));
        debug_assert!(units.windows(2).all(|w| w[0].0 < w[1].0));
        Exposition {
            samples,
            errors,
            types,
            help,
            units,
        }
    }

    /// The type declared for `family` by its `# TYPE` line; [`MetricType::Unknown`] if none.
    ///
    /// ```
    /// use meshward_exposition::{parse, Format, MetricType};
    ///
    /// let exposition = parse("# TYPE rq_time histogram\n", Format::Text);
    /// assert_eq!(exposition.metric_type("rq_time"), MetricType::Histogram);
    /// assert_eq!(exposition.metric_type("rq_time_bucket"), MetricType::Unknown);
    /// ```
    pub fn metric_type(&self, family: &str) -> MetricType {
        self.declared_type(family).unwrap_or(MetricType::Unknown)
    }

    /// The family a sample name belongs to, and that family's type.
    ///
    /// A `_bucket`, `_sum`, `_count`, `_total`, `_created`, `_gcount`, `_gsum` or `_info`
    /// suffix is stripped only when the remaining name is declared with a type that has such
    /// samples (`_bucket` for a histogram, `_total` for an OpenMetrics counter, ...). A name
    /// that is itself declared is its own family, so a Prometheus text counter called
    /// `requests_total` stays `requests_total`. Anything else is its own family of type
    /// [`MetricType::Unknown`].
    ///
    /// The result borrows from both the exposition and `sample_name`, which is always the
    /// case for the names of this exposition's own samples.
    ///
    /// ```
    /// use meshward_exposition::{parse, Format, MetricType};
    ///
    /// let body = "# TYPE rq_time histogram\n# TYPE rq_total counter\n# TYPE up gauge\n";
    /// let exposition = parse(body, Format::Text);
    /// assert_eq!(exposition.family_of("rq_time_bucket"), ("rq_time", MetricType::Histogram));
    /// assert_eq!(exposition.family_of("rq_total"), ("rq_total", MetricType::Counter));
    /// assert_eq!(exposition.family_of("up_count"), ("up_count", MetricType::Unknown));
    /// ```
    pub fn family_of<'s>(&'s self, sample_name: &'s str) -> (&'s str, MetricType) {
        if let Some(declared) = self.declared_type(sample_name) {
            return (sample_name, declared);
        }

        for suffix in FAMILY_SUFFIXES {
            let Some(family) = sample_name.strip_suffix(suffix) else {
                continue;
            };
            match self.declared_type(family) {
                Some(declared) if declared.owns_suffix(suffix) => return (family, declared),
                _ => {}
            }
        }
        (sample_name, MetricType::Unknown)
    }

    /// The unescaped text of `family`'s `# HELP` line, if it has one.
    ///
    /// ```
    /// use meshward_exposition::{parse, Format};
    ///
    /// let exposition = parse("# HELP up Whether it is up.\\nOne or zero.\n", Format::Text);
    /// assert_eq!(exposition.help("up"), Some("Whether it is up.\nOne or zero."));
    /// assert_eq!(exposition.help("down"), None);
    /// ```
    pub fn help(&self, family: &str) -> Option<&str> {
        let index = self
            .help
            .binary_search_by(|(name, _)| (*name).cmp(family))
            .ok()?;
        Some(&self.help[index].1)
    }

    /// The OpenMetrics `# UNIT` of `family`, if it declared one.
    ///
    /// ```
    /// use meshward_exposition::{parse, Format};
    ///
    /// let body = "# TYPE rq_seconds gauge\n# UNIT rq_seconds seconds\nrq_seconds 0.5\n# EOF\n";
    /// let exposition = parse(body, Format::OpenMetrics);
    /// assert_eq!(exposition.unit("rq_seconds"), Some("seconds"));
    /// ```
    pub fn unit(&self, family: &str) -> Option<&str> {
        let index = self
            .units
            .binary_search_by(|(name, _)| (*name).cmp(family))
            .ok()?;
        Some(self.units[index].1)
    }

    /// Every family with a `# TYPE` line, sorted by name, with its type.
    ///
    /// ```
    /// use meshward_exposition::{parse, Format, MetricType};
    ///
    /// let exposition = parse("# TYPE b gauge\n# TYPE a counter\n", Format::Text);
    /// let families: Vec<_> = exposition.declared_families().collect();
    /// assert_eq!(families, [("a", MetricType::Counter), ("b", MetricType::Gauge)]);
    /// ```
    pub fn declared_families(&self) -> impl Iterator<Item = (&'a str, MetricType)> + '_ {
        self.types.iter().copied()
    }

    fn declared_type(&self, family: &str) -> Option<MetricType> {
        let index = self
            .types
            .binary_search_by(|(name, _)| (*name).cmp(family))
            .ok()?;
        Some(self.types[index].1)
    }
}
