//! The single pass over the input: finds each line, tells samples from comments, and turns a
//! malformed line into a positioned error before moving on to the next line.
//!
//! The parser works on the input's bytes with a cursor and never goes back: every token is
//! a slice of the input, so names and escape-free label values cost no allocation. A failure
//! inside a line is a [`Fault`] (a byte offset and a kind); it becomes a [`ParseError`] with a
//! line and a character column only when it is reported, so the happy path never counts
//! characters.

mod labels;
mod metadata;
mod sample_line;
pub(crate) mod scan;
#[cfg(test)]
mod tests;

use crate::{Exposition, Format, Found, Label, ParseError, ParseErrorKind, Sample};
use metadata::Declarations;
use scan::is_blank;

/// Parses a whole exposition. See [`crate::parse`].
pub(crate) fn parse(input: &str, format: Format) -> Exposition<'_> {
    let mut parser = Parser::new(input, format);
    parser.run();
    parser.finish()
}

/// What went wrong inside one line, and at which byte of the input.
#[derive(Debug)]
struct Fault {
    at: usize,
    kind: ParseErrorKind,
}

/// The outcome of reading part of a line.
type Step<T> = Result<T, Fault>;

/// Fails the current line at byte `at`.
fn fault<T>(at: usize, kind: ParseErrorKind) -> Step<T> {
    Err(Fault { at, kind })
}

/// Where an OpenMetrics exposition stands with respect to its closing `# EOF`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eof {
    NotSeen,
    Seen,
    /// Seen, and content after it has been reported once.
    ContentAfter,
}

/// Longest excerpt of offending input quoted in an error message.
const EXCERPT_CHARS: usize = 40;

/// A guess at the bytes per sample line, to size the sample vector once for typical bodies.
const BYTES_PER_SAMPLE: usize = 96;

/// The cursor over one input and everything read so far.
struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    format: Format,
    /// Byte offset of the cursor.
    pos: usize,
    /// 1-based number of the line the cursor is on.
    line: u32,
    /// Byte offset where the current line starts.
    line_start: usize,
    samples: Vec<Sample<'a>>,
    errors: Vec<ParseError>,
    /// Scratch space for the label set being read, reused across lines.
    labels: Vec<Label<'a>>,
    /// The label names of the previous label set, by position: the likely next ones.
    known_label_names: Vec<&'a str>,
    /// The previous sample's metric name: the likely next one.
    known_metric_name: &'a str,
    declarations: Declarations<'a>,
    eof: Eof,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, format: Format) -> Self {
        Parser {
            src,
            bytes: src.as_bytes(),
            format,
            pos: 0,
            line: 1,
            line_start: 0,
            samples: Vec::with_capacity(src.len() / BYTES_PER_SAMPLE),
            errors: Vec::new(),
            labels: Vec::new(),
            known_label_names: Vec::new(),
            known_metric_name: "",
            declarations: Declarations::default(),
            eof: Eof::NotSeen,
        }
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            if let Err(fault) = self.line() {
                self.report(fault);
            }
            self.next_line();
        }

        if self.format == Format::OpenMetrics && self.eof == Eof::NotSeen {
            self.report(Fault {
                at: self.bytes.len(),
                kind: ParseErrorKind::MissingEof,
            });
        }
    }

    fn finish(mut self) -> Exposition<'a> {
        let (types, help, units) = self.declarations.finish(&mut self.errors);
        self.errors.sort_by_key(|error| (error.line, error.column));
        Exposition::new(self.samples, self.errors, types, help, units)
    }

    /// Reads the line under the cursor, leaving the cursor at its end.
    fn line(&mut self) -> Step<()> {
        self.skip_blanks();
        if self.at_eol() {
            return Ok(());
        }

        if self.eof == Eof::Seen {
            self.eof = Eof::ContentAfter;
            self.report(Fault {
                at: self.pos,
                kind: ParseErrorKind::ContentAfterEof,
            });
        }

        if self.bytes[self.pos] == b'#' {
            self.comment()
        } else {
            self.sample()
        }
    }

    /// Moves the cursor to the start of the next line, wherever it was in this one.
    fn next_line(&mut self) {
        match self.bytes[self.pos..].iter().position(|&b| b == b'\n') {
            Some(offset) => {
                self.pos += offset + 1;
                self.line = self.line.saturating_add(1);
                self.line_start = self.pos;
            }
            None => self.pos = self.bytes.len(),
        }
    }

    /// Records a fault as an error with a line and a character column.
    fn report(&mut self, fault: Fault) {
        let column = self.column(fault.at);
        self.errors.push(ParseError {
            line: self.line,
            column,
            kind: fault.kind,
        });
    }

    /// The 1-based character column of byte `at` on the current line.
    fn column(&self, at: usize) -> u32 {
        let mut at = at.clamp(self.line_start, self.bytes.len());
        while !self.src.is_char_boundary(at) {
            at -= 1;
        }
        let chars = self.src[self.line_start..at].chars().count();
        u32::try_from(chars).unwrap_or(u32::MAX - 1) + 1
    }

    // === cursor ===

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Whether byte `at` ends its line: a `\n`, a `\r\n`, or the end of the input.
    fn is_eol_at(&self, at: usize) -> bool {
        match self.bytes.get(at) {
            None | Some(b'\n') => true,
            Some(b'\r') => matches!(self.bytes.get(at + 1), None | Some(b'\n')),
            Some(_) => false,
        }
    }

    fn at_eol(&self) -> bool {
        self.is_eol_at(self.pos)
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
    }

    /// What is at byte `at`, for an error message.
    fn found_at(&self, at: usize) -> Found {
        if self.is_eol_at(at) {
            return Found::EndOfLine;
        }
        self.src
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(Found::EndOfLine, Found::Char)
    }

    fn found(&self) -> Found {
        self.found_at(self.pos)
    }

    /// Reads up to the next blank or the end of the line.
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if is_blank(b) || b == b'\n' || (b == b'\r' && self.at_eol()) {
                break;
            }
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// The byte offset where the current line's content ends (before `\r\n` or `\n`).
    fn eol_position(&self) -> usize {
        let end = match self.bytes[self.pos..].iter().position(|&b| b == b'\n') {
            Some(offset) => self.pos + offset,
            None => self.bytes.len(),
        };
        if end > self.pos && self.bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// Fails unless only blanks remain on the line.
    fn expect_eol(&mut self) -> Step<()> {
        self.skip_blanks();
        if self.at_eol() {
            return Ok(());
        }
        let rest = &self.src[self.pos..self.eol_position()];
        fault(self.pos, ParseErrorKind::TrailingText(excerpt(rest)))
    }
}

/// A short copy of offending input for an error message.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
