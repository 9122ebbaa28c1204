//! Sample lines: `name{labels} value [timestamp] [# {labels} value [timestamp]]`.

use super::scan::{
    is_blank, is_metric_char, is_metric_start, parse_openmetrics_timestamp, parse_text_timestamp,
    parse_value,
};
use super::{excerpt, fault, Parser, Step};
use crate::{Exemplar, Format, Label, ParseErrorKind, Sample};

/// OpenMetrics' limit on an exemplar's label names and values together, in characters.
const EXEMPLAR_LABEL_CHARS: usize = 128;

impl<'a> Parser<'a> {
    /// Reads a sample line from its first character.
    // TODO: a sample is not checked against its family's declared type (an OpenMetrics
    // counter sample without `_total`, a bucket without `le`), nor are a family's samples
    // checked to be contiguous. Prometheus rejects some of these; keeping the data and
    // leaving the judgement to the caller is the safer default until a caller needs more.
    pub(super) fn sample(&mut self) -> Step<()> {
        let line = self.line;
        let name = self.metric_name()?;
        let labels = self.sample_labels(name)?;
        let value = self.value(name)?;
        let timestamp_ms = self.timestamp()?;
        let exemplar = self.exemplar()?;
        self.expect_eol()?;

        self.samples.push(Sample {
            name,
            labels,
            value,
            timestamp_ms,
            exemplar,
            line,
        });
        Ok(())
    }

    /// Reads a sample's metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    ///
    /// Consecutive samples often share a name (a histogram's buckets, a family's series), so
    /// the previous sample's name is tried first, as for label names.
    fn metric_name(&mut self) -> Step<&'a str> {
        let start = self.pos;
        let known = self.known_metric_name;
        let rest = &self.bytes[start..];
        let next = rest.get(known.len()).copied();
        if !known.is_empty()
            && rest.starts_with(known.as_bytes())
            && !next.is_some_and(is_metric_char)
        {
            self.pos += known.len();
            return Ok(known);
        }

        // TODO: quoted UTF-8 names (`{"http.requests", code="200"}`, Prometheus 3 and
        // OpenMetrics 2) are reported as invalid names; neither format read here has them.
        if !self.peek().is_some_and(is_metric_start) {
            return fault(start, ParseErrorKind::InvalidMetricName(self.found()));
        }
        self.pos += 1;
        while self.peek().is_some_and(is_metric_char) {
            self.pos += 1;
        }
        self.known_metric_name = &self.src[start..self.pos];
        Ok(self.known_metric_name)
    }

    /// Reads the label set after a sample's name, if there is one.
    fn sample_labels(&mut self, name: &str) -> Step<Vec<Label<'a>>> {
        match self.peek() {
            Some(b'{') => return self.label_set(),
            _ if self.at_eol() => {
                return fault(self.pos, ParseErrorKind::MissingValue(name.to_owned()))
            }
            Some(b) if is_blank(b) => {}
            Some(_) | None => {
                return fault(self.pos, ParseErrorKind::InvalidMetricName(self.found()))
            }
        }

        // The text format lets a blank separate the name from its label set.
        if self.format == Format::Text {
            let name_end = self.pos;
            self.skip_blanks();
            if self.peek() == Some(b'{') {
                return self.label_set();
            }
            self.pos = name_end;
        }
        Ok(Vec::new())
    }

    /// Reads the blank-separated sample value.
    fn value(&mut self, name: &str) -> Step<f64> {
        if self.at_eol() {
            return fault(self.pos, ParseErrorKind::MissingValue(name.to_owned()));
        }
        if !self.peek().is_some_and(is_blank) {
            return fault(self.pos, ParseErrorKind::MissingSpace(self.found()));
        }
        self.skip_blanks();
        if self.at_eol() {
            return fault(self.pos, ParseErrorKind::MissingValue(name.to_owned()));
        }
        self.number()
    }

    /// Reads a value token.
    fn number(&mut self) -> Step<f64> {
        let start = self.pos;
        let token = self.token();
        match parse_value(token) {
            Some(value) => Ok(value),
            None => fault(start, ParseErrorKind::InvalidValue(excerpt(token))),
        }
    }

    /// Reads the optional timestamp after a value, in the format's unit, as milliseconds.
    fn timestamp(&mut self) -> Step<Option<i64>> {
        self.skip_blanks();
        if self.at_eol() || self.peek() == Some(b'#') {
            return Ok(None);
        }

        let start = self.pos;
        let token = self.token();
        let (parsed, expected) = match self.format {
            Format::Text => (
                parse_text_timestamp(token),
                "an integer number of milliseconds",
            ),
            Format::OpenMetrics => (parse_openmetrics_timestamp(token), "a number of seconds"),
        };
        match parsed {
            Some(ms) => Ok(Some(ms)),
            None => fault(
                start,
                ParseErrorKind::InvalidTimestamp {
                    found: excerpt(token),
                    expected,
                },
            ),
        }
    }

    /// Reads the optional OpenMetrics exemplar: ` # {labels} value [timestamp]`.
    fn exemplar(&mut self) -> Step<Option<Exemplar<'a>>> {
        self.skip_blanks();
        if self.peek() != Some(b'#') {
            return Ok(None);
        }
        if self.format == Format::Text {
            return fault(self.pos, ParseErrorKind::ExemplarNotAllowed);
        }

        self.pos += 1;
        if !self.peek().is_some_and(is_blank) {
            return fault(self.pos, ParseErrorKind::InvalidExemplar(self.found()));
        }
        self.skip_blanks();
        if self.peek() != Some(b'{') {
            return fault(self.pos, ParseErrorKind::InvalidExemplar(self.found()));
        }

        let brace = self.pos;
        let labels = self.label_set()?;
        let chars: usize = labels
            .iter()
            .map(|label| label.name.len() + label.value.chars().count())
            .sum();
        if chars > EXEMPLAR_LABEL_CHARS {
            return fault(brace, ParseErrorKind::ExemplarLabelsTooLong(chars));
        }

        if self.at_eol() {
            return fault(self.pos, ParseErrorKind::MissingExemplarValue);
        }
        if !self.peek().is_some_and(is_blank) {
            return fault(self.pos, ParseErrorKind::MissingSpace(self.found()));
        }
        self.skip_blanks();
        if self.at_eol() {
            return fault(self.pos, ParseErrorKind::MissingExemplarValue);
        }
        let value = self.number()?;
        let timestamp_ms = self.timestamp()?;
        Ok(Some(Exemplar {
            labels,
            value,
            timestamp_ms,
        }))
    }
}
