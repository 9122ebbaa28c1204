//! Label sets: `{name="value",...}`, with the escapes `\\`, `\"` and `\n` in values.

use std::borrow::Cow;

use super::scan::{is_blank, is_label_char, is_label_start};
use super::{fault, Parser, Step};
use crate::{Found, Label, ParseErrorKind};

impl<'a> Parser<'a> {
    /// Reads a label set from its `{` through its `}`.
    ///
    /// Blanks around names, `=` and `,` and a trailing `,` before the `}` are accepted, as
    /// Prometheus' own text parser accepts them.
    pub(super) fn label_set(&mut self) -> Step<Vec<Label<'a>>> {
        debug_assert_eq!(self.peek(), Some(b'{'));
        self.pos += 1;
        self.labels.clear();

        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b'}') => break,
                _ if self.at_eol() => return fault(self.pos, ParseErrorKind::UnclosedLabelSet),
                _ => self.label()?,
            }

            self.skip_blanks();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => break,
                _ if self.at_eol() => return fault(self.pos, ParseErrorKind::UnclosedLabelSet),
                _ => {
                    let name = self.labels.last().map_or("", |label| label.name).to_owned();
                    let found = self.found();
                    return fault(
                        self.pos,
                        ParseErrorKind::MissingLabelSeparator { name, found },
                    );
                }
            }
        }

        self.pos += 1;
        Ok(self.labels.drain(..).collect())
    }

    /// Reads one `name="value"` pair into the scratch label set.
    fn label(&mut self) -> Step<()> {
        let start = self.pos;
        if !self.peek().is_some_and(is_label_start) {
            return fault(start, ParseErrorKind::InvalidLabelName(self.found()));
        }
        self.pos += 1;
        while self.peek().is_some_and(is_label_char) {
            self.pos += 1;
        }
        let name = &self.src[start..self.pos];

        match self.peek() {
            Some(b'=') => {}
            Some(b) if is_blank(b) => self.skip_blanks(),
            _ if self.at_eol() => {}
            Some(_) | None => {
                return fault(self.pos, ParseErrorKind::InvalidLabelName(self.found()))
            }
        }
        if self.peek() != Some(b'=') {
            let found = self.found();
            return fault(
                self.pos,
                ParseErrorKind::MissingEquals {
                    name: name.to_owned(),
                    found,
                },
            );
        }
        self.pos += 1;

        self.skip_blanks();
        if self.peek() != Some(b'"') {
            let found = self.found();
            return fault(
                self.pos,
                ParseErrorKind::MissingQuote {
                    name: name.to_owned(),
                    found,
                },
            );
        }
        let value = self.label_value(name)?;

        if self.labels.iter().any(|label| label.name == name) {
            return fault(start, ParseErrorKind::DuplicateLabel(name.to_owned()));
        }
        self.labels.push(Label { name, value });
        Ok(())
    }

    /// Reads a quoted label value from its opening `"` through its closing `"`.
    fn label_value(&mut self, name: &str) -> Step<Cow<'a, str>> {
        let open = self.pos;
        let start = open + 1;

        for (offset, &b) in self.bytes[start..].iter().enumerate() {
            let at = start + offset;
            match b {
                b'"' => {
                    self.pos = at + 1;
                    return Ok(Cow::Borrowed(&self.src[start..at]));
                }
                b'\\' => return self.escaped_label_value(name, start, at).map(Cow::Owned),
                b'\n' => break,
                _ => {}
            }
        }
        fault(
            open,
            ParseErrorKind::UnterminatedLabelValue(name.to_owned()),
        )
    }

    /// Finishes a label value that has an escape sequence at byte `escape`.
    fn escaped_label_value(&mut self, name: &str, start: usize, escape: usize) -> Step<String> {
        let mut value = String::with_capacity(escape - start + 16);
        value.push_str(&self.src[start..escape]);

        let mut at = escape;
        let mut run_start = escape;
        while let Some(&b) = self.bytes.get(at) {
            match b {
                b'"' => {
                    value.push_str(&self.src[run_start..at]);
                    self.pos = at + 1;
                    return Ok(value);
                }
                b'\\' => {
                    value.push_str(&self.src[run_start..at]);
                    let unescaped = match self.bytes.get(at + 1) {
                        Some(b'\\') => '\\',
                        Some(b'"') => '"',
                        Some(b'n') => '\n',
                        _ => return fault(at, ParseErrorKind::InvalidEscape(self.escaped(at))),
                    };
                    value.push(unescaped);
                    at += 2;
                    run_start = at;
                }
                b'\n' => break,
                _ => at += 1,
            }
        }
        let open = start - 1;
        fault(
            open,
            ParseErrorKind::UnterminatedLabelValue(name.to_owned()),
        )
    }

    /// What follows the backslash at byte `backslash`.
    fn escaped(&self, backslash: usize) -> Found {
        match self.bytes.get(backslash + 1) {
            None | Some(b'\n') => Found::EndOfLine,
            Some(_) => self.src[backslash + 1..]
                .chars()
                .next()
                .map_or(Found::EndOfLine, Found::Char),
        }
    }
}
