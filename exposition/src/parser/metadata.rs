//! Comment lines: `# HELP`, `# TYPE`, OpenMetrics' `# UNIT` and `# EOF`, and plain comments;
//! and the per-family record of what they declared.

use std::borrow::Cow;

use super::scan::{is_blank, is_metric_char, is_metric_start};
use super::{excerpt, fault, Eof, Parser, Step};
use crate::{Format, MetricType, ParseError, ParseErrorKind};

impl<'a> Parser<'a> {
    /// Reads a line that starts with `#`.
    ///
    /// Any other comment is ignored in both formats (OpenMetrics strictly has none).
    pub(super) fn comment(&mut self) -> Step<()> {
        self.pos += 1;
        self.skip_blanks();
        let keyword = self.token();

        match (keyword, self.format) {
            ("HELP", _) => self.help_line(),
            ("TYPE", _) => self.type_line(),
            ("UNIT", Format::OpenMetrics) => self.unit_line(),
            ("EOF", Format::OpenMetrics) => self.eof_line(),
            _ => {
                self.pos = self.eol_position();
                Ok(())
            }
        }
    }

    /// `# HELP <family> <text>`; the text may be empty.
    fn help_line(&mut self) -> Step<()> {
        let (family, at) = self.family_name("HELP")?;
        self.skip_blanks();
        let end = self.eol_position();
        let text = unescape_help(&self.src[self.pos..end], self.format);
        self.pos = end;

        let column = self.column(at);
        self.declarations.help.push(Declared {
            family,
            value: text,
            line: self.line,
            column,
        });
        Ok(())
    }

    /// `# TYPE <family> <type>`.
    fn type_line(&mut self) -> Step<()> {
        let (family, at) = self.family_name("TYPE")?;
        self.skip_blanks();
        if self.at_eol() {
            return fault(self.pos, ParseErrorKind::MissingType(family.to_owned()));
        }

        let word_start = self.pos;
        let word = self.token();
        let Some(metric_type) = MetricType::from_type_word(word, self.format) else {
            let kind = ParseErrorKind::UnknownType {
                found: excerpt(word),
                format: self.format.name(),
                allowed: self.format.type_words(),
            };
            return fault(word_start, kind);
        };
        self.expect_eol()?;

        let column = self.column(at);
        let declared = Declared {
            family,
            value: metric_type,
            line: self.line,
            column,
        };
        self.declarations.types.push(declared);
        Ok(())
    }

    /// `# UNIT <family> <unit>`; a non-empty unit must end the family's name.
    fn unit_line(&mut self) -> Step<()> {
        let (family, at) = self.family_name("UNIT")?;
        self.skip_blanks();
        let unit_start = self.pos;
        let unit = self.token();
        self.expect_eol()?;

        let suffixed = family
            .strip_suffix(unit)
            .is_some_and(|stem| stem.len() > 1 && stem.ends_with('_'));
        if !unit.is_empty() && !suffixed {
            let kind = ParseErrorKind::UnitMismatch {
                family: family.to_owned(),
                unit: unit.to_owned(),
            };
            return fault(unit_start, kind);
        }

        let column = self.column(at);
        self.declarations.units.push(Declared {
            family,
            value: unit,
            line: self.line,
            column,
        });
        Ok(())
    }

    /// `# EOF`, the last line of an OpenMetrics exposition.
    fn eof_line(&mut self) -> Step<()> {
        self.expect_eol()?;
        if self.eof == Eof::NotSeen {
            self.eof = Eof::Seen;
        }
        Ok(())
    }

    /// Reads the family name of a metadata line; returns it and the byte where it starts.
    fn family_name(&mut self, keyword: &'static str) -> Step<(&'a str, usize)> {
        self.skip_blanks();
        if self.at_eol() {
            return fault(self.pos, ParseErrorKind::MissingMetricName(keyword));
        }

        let start = self.pos;
        if !self.peek().is_some_and(is_metric_start) {
            return fault(start, ParseErrorKind::InvalidMetricName(self.found()));
        }
        self.pos += 1;
        while self.peek().is_some_and(is_metric_char) {
            self.pos += 1;
        }
        if !self.at_eol() && !self.peek().is_some_and(is_blank) {
            return fault(self.pos, ParseErrorKind::InvalidMetricName(self.found()));
        }
        Ok((&self.src[start..self.pos], start))
    }
}

/// Unescapes a help text: `\\` and `\n` in both formats, `\"` in OpenMetrics.
///
/// Any other backslash is kept as written rather than failing the line: a help text carries
/// no data, and real exporters write regular expressions such as `\d` into theirs.
fn unescape_help(raw: &str, format: Format) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }

    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('\\') => text.push('\\'),
            Some('n') => text.push('\n'),
            Some('"') if format == Format::OpenMetrics => text.push('"'),
            _ => {
                text.push('\\');
                continue;
            }
        }
        chars.next();
    }
    Cow::Owned(text)
}

/// One metadata line's declaration for a family, with where it was made.
#[derive(Debug)]
struct Declared<'a, T> {
    family: &'a str,
    value: T,
    line: u32,
    column: u32,
}

/// The `# TYPE`, `# HELP` and `# UNIT` declarations read so far, in input order.
#[derive(Debug, Default)]
pub(super) struct Declarations<'a> {
    types: Vec<Declared<'a, MetricType>>,
    help: Vec<Declared<'a, Cow<'a, str>>>,
    units: Vec<Declared<'a, &'a str>>,
}

/// Metadata sorted by family name, one entry per family.
type Sorted<'a, T> = Vec<(&'a str, T)>;

impl<'a> Declarations<'a> {
    /// Sorts each kind of declaration by family and keeps the first per family, reporting
    /// every later one as a duplicate.
    pub(super) fn finish(
        self,
        errors: &mut Vec<ParseError>,
    ) -> (
        Sorted<'a, MetricType>,
        Sorted<'a, Cow<'a, str>>,
        Sorted<'a, &'a str>,
    ) {
        (
            first_per_family(self.types, "TYPE", errors),
            first_per_family(self.help, "HELP", errors),
            first_per_family(self.units, "UNIT", errors),
        )
    }
}

fn first_per_family<'a, T>(
    mut declared: Vec<Declared<'a, T>>,
    keyword: &'static str,
    errors: &mut Vec<ParseError>,
) -> Sorted<'a, T> {
    // Stable: among one family's declarations, the first in the input comes first.
    declared.sort_by(|a, b| a.family.cmp(b.family));

    let mut sorted: Sorted<'a, T> = Vec::with_capacity(declared.len());
    for entry in declared {
        if sorted
            .last()
            .is_some_and(|(family, _)| *family == entry.family)
        {
            let kind = ParseErrorKind::DuplicateMetadata {
                keyword,
                family: entry.family.to_owned(),
            };
            errors.push(ParseError {
                line: entry.line,
                column: entry.column,
                kind,
            });
            continue;
        }
        sorted.push((entry.family, entry.value));
    }
    sorted
}
