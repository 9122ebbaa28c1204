//! Label sets: `{name="value",...}`, with the escapes `\\`, `\"` and `\n` in values.

use std::borrow::Cow;

use super::scan::{is_blank, is_label_char, is_label_start};
use super::{fault, Parser, Step};
use crate::{Found, Label, ParseErrorKind};

impl<'a> Parser<'a> {
    /// Reads a label set from its `{` through its `}`.
    ///
    /// Blanks around names, `=` and `,` and a trailing `,` before the `}` are accepted: they
    /// change no data, and hand-written or templated expositions contain them.
    pub(super) fn label_set(&mut self) -> Step<Vec<Label<'a>>> {
        debug_assert_eq!(self.peek(), Some(b'{'));
        self.pos += 1;
        self.labels.clear();
        let mut seen = 0u64;

        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b'}') => break,
                _ if self.at_eol() => return fault(self.pos, ParseErrorKind::UnclosedLabelSet),
                _ => self.label(&mut seen)?,
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

        if self.labels.len() > LINEAR_DUPLICATE_LIMIT {
            if let Some(index) = first_duplicate(&self.labels) {
                let name = self.labels[index].name;
                let at = name.as_ptr() as usize - self.src.as_ptr() as usize;
                return fault(at, ParseErrorKind::DuplicateLabel(name.to_owned()));
            }
        }

        self.pos += 1;
        Ok(self.labels.drain(..).collect())
    }

    /// Reads one `name="value"` pair into the scratch label set.
    ///
    /// The first [`LINEAR_DUPLICATE_LIMIT`] names are checked for duplicates here: `seen` is a
    /// 64-bit filter of the names read so far, so only a likely duplicate costs a scan of the
    /// set. Larger sets are checked once they are complete.
    fn label(&mut self, seen: &mut u64) -> Step<()> {
        let start = self.pos;
        let name = self.label_name()?;

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

        if self.labels.len() < LINEAR_DUPLICATE_LIMIT {
            let bit = name_bit(name);
            if *seen & bit != 0 && self.labels.iter().any(|label| label.name == name) {
                return fault(start, ParseErrorKind::DuplicateLabel(name.to_owned()));
            }
            *seen |= bit;
        }
        self.labels.push(Label { name, value });
        Ok(())
    }

    /// Reads a label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    ///
    /// The samples of a family repeat the same names in the same order, so the name read at
    /// the same position of the previous label set is tried first: one comparison of bytes
    /// instead of a class lookup per byte. It was valid then, so it is valid now.
    fn label_name(&mut self) -> Step<&'a str> {
        let start = self.pos;
        let index = self.labels.len();
        let rest = &self.bytes[start..];

        if let Some(&known) = self.known_label_names.get(index) {
            let next = rest.get(known.len()).copied();
            if rest.starts_with(known.as_bytes()) && !next.is_some_and(is_label_char) {
                self.pos += known.len();
                return Ok(known);
            }
        }

        if !self.peek().is_some_and(is_label_start) {
            return fault(start, ParseErrorKind::InvalidLabelName(self.found()));
        }
        self.pos += 1;
        while self.peek().is_some_and(is_label_char) {
            self.pos += 1;
        }
        let name = &self.src[start..self.pos];
        match self.known_label_names.get_mut(index) {
            Some(known) => *known = name,
            None => self.known_label_names.push(name),
        }
        Ok(name)
    }

    /// Reads a quoted label value from its opening `"` through its closing `"`.
    fn label_value(&mut self, name: &str) -> Step<Cow<'a, str>> {
        let open = self.pos;
        let start = open + 1;

        let stop = find_value_stop(&self.bytes[start..]).map(|offset| start + offset);
        match stop.map(|at| (at, self.bytes[at])) {
            Some((at, b'"')) => {
                self.pos = at + 1;
                Ok(Cow::Borrowed(&self.src[start..at]))
            }
            Some((at, b'\\')) => self.escaped_label_value(name, start, at).map(Cow::Owned),
            _ => fault(
                open,
                ParseErrorKind::UnterminatedLabelValue(name.to_owned()),
            ),
        }
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

/// Label sets up to this size are checked for duplicate names label by label, in quadratic
/// time; larger ones by sorting, so that a hostile line of a million labels stays fast.
const LINEAR_DUPLICATE_LIMIT: usize = 32;

/// The index of the first label whose name an earlier label already has.
fn first_duplicate(labels: &[Label<'_>]) -> Option<usize> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_unstable_by(|&a, &b| labels[a].name.cmp(labels[b].name).then(a.cmp(&b)));
    order
        .windows(2)
        .filter(|pair| labels[pair[0]].name == labels[pair[1]].name)
        .map(|pair| pair[1])
        .min()
}

/// One of 64 bits picked from a label name's length and last two bytes. Equal names pick the
/// same bit; the 26 labels of an Istio histogram bucket fall on 25 different bits.
fn name_bit(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let last = bytes.last().copied().unwrap_or(0);
    let before_last = bytes.len().checked_sub(2).map_or(0, |i| bytes[i]);
    let mix = bytes.len() + usize::from(last) * 2 + usize::from(before_last) * 25;
    1 << (mix % 64)
}

/// Every byte of a word set to `0x01`.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// Every byte of a word set to `0x80`.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether any byte of `word` equals `byte`: the classic test for a zero byte, applied to
/// `word` with `byte` cancelled out. Exact as a yes/no answer.
fn has_byte(word: u64, byte: u8) -> bool {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS != 0
}

/// The offset of the first `"`, `\` or newline: where a label value ends or needs care.
///
/// Label values are long (SPIFFE ids, cluster names), so eight bytes are tested at a time
/// until a word holds one of the three; the exact offset is then found byte by byte.
pub(super) fn find_value_stop(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let word = u64::from_ne_bytes(chunk.try_into().expect("chunks of eight"));
        if has_byte(word, b'"') || has_byte(word, b'\\') || has_byte(word, b'\n') {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\' | b'\n'))
        .map(|p| offset + p)
}
