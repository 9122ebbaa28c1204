//! YAML documents as trees that remember where every key and value came from.
//!
//! serde-saphyr parses the text (with its limits against alias bombs and deep nesting) and
//! hands us each node wrapped in its source location; we keep the tree untyped so that the
//! spec and rule-file readers can report every problem (unknown key, wrong type, bad value) at
//! the exact key or value, with a suggestion, instead of serde's first-error-wins message.
//!
//! Scalars keep the text the user wrote: `team: 007` stays `"007"`, `objective: 0.990` reads as
//! the ratio the user typed, and `name: y` stays a string rather than YAML 1.1's `true`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, MessageFormatter, Options, Spanned};

use crate::diag::Diagnostic;
use crate::spec::model::Span;

/// A YAML node and the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where: for scalars the whole scalar (quotes included); for collections their first
    /// character.
    pub span: Span,
}

/// The content of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar: null, boolean, number or string.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order (duplicates kept, so they can be reported).
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key node.
    pub key: Node,
    /// The value node.
    pub value: Node,
}

/// A scalar's resolved kind and its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// How YAML resolved the scalar.
    pub kind: ScalarKind,
    /// The string value of a string; the text as written for every other kind.
    pub text: String,
}

/// How YAML resolved a scalar (YAML 1.2 core schema, `true`/`false` only as booleans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// `null`, `~` or nothing at all.
    Null,
    /// `true` or `false`.
    Bool,
    /// An integer.
    Int,
    /// A floating-point number.
    Float,
    /// Anything else, or any quoted or block scalar.
    Str,
}

/// The largest YAML file we read: far above any spec or rule file, far below a memory problem.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

// === impl Node ===

impl Node {
    /// "a mapping", "a list", "a string", ...: what the user wrote, for type errors.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a list",
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => "nothing (null)",
                ScalarKind::Bool => "a boolean",
                ScalarKind::Int | ScalarKind::Float => "a number",
                ScalarKind::Str => "a string",
            },
        }
    }

    /// The mapping's entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The sequence's items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a non-null scalar: strings, numbers and booleans as written.
    pub fn as_text(&self) -> Option<&str> {
        self.as_scalar()
            .filter(|s| s.kind != ScalarKind::Null)
            .map(|s| s.text.as_str())
    }

    /// Whether this is a null scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.kind == ScalarKind::Null)
    }

    /// The value of `key` in a mapping (the first, if the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry of `key` in a mapping (the first, if the key is repeated).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.as_text() == Some(key))
    }

    /// The node a JSON pointer names (`/panels/2/gridPos`, RFC 6901), or when part of it does
    /// not exist the deepest node on its way; the flag tells whether the whole pointer
    /// resolved. Lets a finding about a JSON document read as YAML point at the text.
    pub fn closest_to_pointer(&self, pointer: &str) -> (&Node, bool) {
        let mut node = self;
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(_) => node.get(&segment),
                Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                Value::Scalar(_) => None,
            };
            match next {
                Some(next) => node = next,
                None => return (node, false),
            }
        }
        (node, true)
    }

    /// A span covering the whole node as far as the tree knows it: for a collection, from its
    /// first character to the end of its last scalar.
    pub fn full_span(&self) -> Span {
        let end = self.end_offset().max(self.span.offset + self.span.len);
        Span {
            file: self.span.file,
            offset: self.span.offset,
            len: end - self.span.offset,
        }
    }

    fn end_offset(&self) -> usize {
        match &self.value {
            Value::Scalar(_) => self.span.offset + self.span.len,
            Value::Seq(items) => items.last().map_or(self.span.offset, Node::end_offset),
            Value::Map(entries) => entries.last().map_or(self.span.offset, |e| {
                e.value.end_offset().max(e.key.end_offset())
            }),
        }
    }
}

impl Entry {
    /// The key's text (keys that are not scalars have none).
    pub fn key_text(&self) -> &str {
        self.key.as_text().unwrap_or("")
    }
}

// === parsing ===

// One diagnostic per file that fails to parse: the size of the error does not matter.
#[allow(clippy::result_large_err)]
/// Parses every document of a YAML stream in file `file` (an index into the caller's
/// sources). An empty stream has no documents.
pub fn parse_documents(file: usize, text: &str) -> Result<Vec<Node>, Diagnostic> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "yaml/too-large",
            format!(
                "the file is {} bytes, more than the {MAX_FILE_BYTES} bytes meshward reads",
                text.len()
            ),
        )
        .at(
            Span {
                file,
                offset: 0,
                len: 0,
            },
            "file starts here",
        ));
    }
    let raw: Vec<RawNode> = serde_saphyr::from_str_multiple_with_options(text, options())
        .map_err(|e| syntax_error(file, text, &e))?;
    Ok(raw.into_iter().map(|n| n.into_node(file, text)).collect())
}

#[allow(clippy::result_large_err)]
/// Parses a stream that must hold exactly one document; an empty stream is a null node.
pub fn parse_document(file: usize, text: &str) -> Result<Node, Diagnostic> {
    let mut documents = parse_documents(file, text)?;
    match documents.len() {
        0 => Ok(Node {
            value: Value::Scalar(Scalar {
                kind: ScalarKind::Null,
                text: String::new(),
            }),
            span: Span {
                file,
                offset: 0,
                len: 0,
            },
        }),
        1 => Ok(documents.remove(0)),
        _ => Err(Diagnostic::error(
            "yaml/multiple-documents",
            "this file holds several YAML documents where one is expected",
        )
        .at(documents[1].span, "second document")
        .with_help("split the documents into separate files")),
    }
}

fn options() -> Options {
    let mut options = Options::default();
    // We report duplicates ourselves, pointing at both keys.
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.underscored_numbers_as_strings = true;
    options.with_snippet = false;
    options
}

fn syntax_error(file: usize, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
    let bare = error.without_snippet();
    let message = serde_saphyr::DefaultMessageFormatter.format_message(bare);
    let message: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let offset = bare
        .location()
        .map_or(0, |location| match location.span().byte_offset() {
            Some(offset) => (offset as usize).min(text.len()),
            None => offset_of_line_column(text, location.line(), location.column()),
        });
    Diagnostic::error("yaml/syntax", format!("invalid YAML: {message}"))
        .at(
            Span {
                file,
                offset,
                len: 0,
            },
            "here",
        )
        .with_help("fix the YAML syntax; a YAML linter or `python3 -m yaml` shows the same place")
}

/// The byte offset of a 1-based line and 1-based character column.
fn offset_of_line_column(text: &str, line: u64, column: u64) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let rest = &text[line_start.min(text.len())..];
    let within: usize = rest
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf8)
        .sum();
    (line_start + within).min(text.len())
}

/// The tree exactly as serde-saphyr hands it over, before spans are made file-relative.
struct RawNode {
    kind: RawKind,
    offset: usize,
    len: usize,
}

enum RawKind {
    Null,
    Bool(bool),
    Int,
    Float,
    Str(String),
    Seq(Vec<RawNode>),
    Map(Vec<(RawNode, RawNode)>),
}

impl RawNode {
    fn into_node(self, file: usize, text: &str) -> Node {
        let span = Span {
            file,
            offset: self.offset.min(text.len()),
            len: self.len.min(text.len().saturating_sub(self.offset)),
        };
        let written = || {
            text.get(span.offset..span.offset + span.len)
                .unwrap_or("")
                .to_owned()
        };
        let scalar = |kind, text| Value::Scalar(Scalar { kind, text });
        let value = match self.kind {
            RawKind::Null => scalar(ScalarKind::Null, written()),
            RawKind::Bool(b) => scalar(ScalarKind::Bool, b.to_string()),
            RawKind::Int => scalar(ScalarKind::Int, written()),
            RawKind::Float => scalar(ScalarKind::Float, written()),
            RawKind::Str(s) => scalar(ScalarKind::Str, s),
            RawKind::Seq(items) => {
                Value::Seq(items.into_iter().map(|n| n.into_node(file, text)).collect())
            }
            RawKind::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Entry {
                        key: k.into_node(file, text),
                        value: v.into_node(file, text),
                    })
                    .collect(),
            ),
        };
        Node { value, span }
    }
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned: Spanned<RawKind> = Spanned::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        Ok(RawNode {
            kind: spanned.value,
            offset: span.byte_offset().unwrap_or(0) as usize,
            len: span.byte_len().unwrap_or(0) as usize,
        })
    }
}

impl<'de> Deserialize<'de> for RawKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawKind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawKind, E> {
        Ok(RawKind::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<RawKind, E> {
        Ok(RawKind::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawKind, D::Error> {
        RawKind::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawKind, E> {
        Ok(RawKind::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawKind, E> {
        Ok(RawKind::Int)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawKind, E> {
        Ok(RawKind::Int)
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<RawKind, E> {
        Ok(RawKind::Int)
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<RawKind, E> {
        Ok(RawKind::Int)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawKind, E> {
        Ok(RawKind::Float)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKind, E> {
        Ok(RawKind::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<RawKind, E> {
        Ok(RawKind::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RawKind, E> {
        Ok(RawKind::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawKind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawNode>()? {
            items.push(item);
        }
        Ok(RawKind::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<RawNode>()? {
            let value = map.next_value::<RawNode>()?;
            entries.push((key, value));
        }
        Ok(RawKind::Map(entries))
    }
}

// === positions inside scalars ===

/// Maps a byte offset into a scalar's string value back to a byte offset in the file.
///
/// Quoting, escapes, block indentation and line folding make the value differ from the text
/// written; this aligns the two greedily, character by character (a whitespace character in
/// the value matches any whitespace in the source, so folded lines and block indentation line
/// up). Exact for plain, single-quoted, literal-block and simply-escaped double-quoted scalars;
/// for exotic escapes (`\t`, `\u00e9`) positions after the escape may drift, but never leave the
/// scalar.
pub fn source_offset(source: &str, scalar: Span, value: &str, value_offset: usize) -> usize {
    let start = scalar.offset.min(source.len());
    let end = (scalar.offset + scalar.len).min(source.len()).max(start);
    let raw = source.get(start..end).unwrap_or("");
    let mut position = 0;
    for (offset, c) in value.char_indices() {
        let found = raw[position..]
            .char_indices()
            .find(|&(_, s)| s == c || (c.is_whitespace() && s.is_whitespace()));
        if offset >= value_offset {
            return start + found.map_or(position, |(at, _)| position + at);
        }
        if let Some((at, s)) = found {
            position += at + s.len_utf8();
        }
    }
    start + position
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        parse_document(0, text).unwrap()
    }

    #[test]
    fn scalars_keep_the_text_as_written() {
        let node = doc("a: 007\nb: 0.990\nc: y\nd: true\ne:\nf: \"q\\\"x\"\n");
        let text = |k: &str| node.get(k).unwrap().as_scalar().unwrap().clone();
        assert_eq!(text("a").text, "007");
        assert_eq!(text("b").text, "0.990");
        assert_eq!(text("b").kind, ScalarKind::Float);
        assert_eq!(text("c").text, "y");
        assert_eq!(text("c").kind, ScalarKind::Str);
        assert_eq!(text("d").kind, ScalarKind::Bool);
        assert_eq!(text("e").kind, ScalarKind::Null);
        assert_eq!(text("f").text, "q\"x");
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let source = "top:\n  inner: value\n";
        let node = doc(source);
        let inner = node.get("top").unwrap().entry("inner").unwrap();
        assert_eq!(
            &source[inner.key.span.offset..][..inner.key.span.len],
            "inner"
        );
        assert_eq!(
            &source[inner.value.span.offset..][..inner.value.span.len],
            "value"
        );
    }

    #[test]
    fn json_pointers_find_nodes_of_a_json_document() {
        let source = "{\n  \"panels\": [\n    {\"a/b\": {\"w\": 6}}\n  ]\n}\n";
        let node = doc(source);
        let text = |n: &Node| &source[n.span.offset..][..n.span.len];

        let (found, exact) = node.closest_to_pointer("/panels/0/a~1b/w");
        assert!(exact);
        assert_eq!(text(found), "6");

        let (found, exact) = node.closest_to_pointer("/panels/0/a~1b/h");
        assert!(!exact);
        assert_eq!(found.get("w").map(text), Some("6"));

        let (found, exact) = node.closest_to_pointer("/panels/7");
        assert!(!exact);
        assert!(found.as_seq().is_some());
        assert!(node.closest_to_pointer("").1);
    }

    #[test]
    fn duplicate_keys_are_kept_for_the_caller_to_report() {
        let node = doc("a: 1\na: 2\n");
        assert_eq!(node.as_map().unwrap().len(), 2);
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let error = parse_document(0, "a: [1\nb: 2\n").unwrap_err();
        assert_eq!(error.code, "yaml/syntax");
        assert!(error.span.is_some());
    }

    #[test]
    fn multiple_documents_are_read_in_order() {
        let docs = parse_documents(0, "a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[1].get("b").is_some());
        assert_eq!(
            parse_document(0, "a: 1\n---\nb: 2\n").unwrap_err().code,
            "yaml/multiple-documents"
        );
    }

    #[test]
    fn offsets_inside_scalars_map_back_to_the_file() {
        for (source, needle) in [
            ("e: 'sum(x) > o''k'\n", "k"),
            ("e: \"a\\\"b + zz\"\n", "zz"),
            ("e: |\n  sum(\n    rate(zz[5m])\n  )\n", "zz"),
            ("e: >\n  sum(\n  rate(zz[5m]))\n", "zz"),
            ("e: sum(\n  rate(zz[5m]))\n", "zz"),
        ] {
            let node = doc(source);
            let value = node.get("e").unwrap();
            let text = value.as_text().unwrap();
            let at = text.find(needle).unwrap();
            let mapped = source_offset(source, value.span, text, at);
            assert_eq!(&source[mapped..][..needle.len()], needle, "{source:?}");
        }
    }
}
