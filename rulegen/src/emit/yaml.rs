//! A YAML writer whose every byte we decide: block style, two-space indentation, maps in the
//! order given (callers sort them), and scalars that cannot be misread.
//!
//! A string is written plain only when it is unmistakably a string (letters, digits and a few
//! punctuation marks, not a YAML keyword, not number-like unless a Prometheus duration); anything
//! else is double-quoted with escapes. Expressions are literal block scalars (`|-`) when every
//! line survives that form byte for byte, else double-quoted.

use std::fmt::Write as _;

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A string.
    Str(String),
    /// A string best read as a block of lines (PromQL).
    Block(String),
    /// A number, written as given (callers pass a valid YAML number).
    Number(String),
    /// A list.
    Seq(Vec<Node>),
    /// A map, in the order given.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A string node.
    pub fn str(text: impl Into<String>) -> Node {
        Node::Str(text.into())
    }

    /// A map node from `(key, value)` pairs.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A map of strings, in the iterator's order (pass a `BTreeMap` for sorted keys).
    pub fn string_map<'a>(entries: impl IntoIterator<Item = (&'a String, &'a String)>) -> Node {
        Node::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.clone(), Node::str(v.clone())))
                .collect(),
        )
    }
}

/// The document for `node`, ending in a newline.
pub fn to_string(node: &Node) -> String {
    let mut out = String::new();
    match node {
        Node::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0),
        Node::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// A `# ...` comment line per line of `text`, with control characters made visible so that no
/// text can end the comment early.
pub fn comment(text: &str) -> String {
    text.lines()
        .map(|line| {
            let visible: String = line
                .chars()
                .map(|c| {
                    if c.is_control() || is_break(c) {
                        c.escape_unicode().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            format!("# {visible}\n")
        })
        .collect()
}

fn write_map(out: &mut String, entries: &[(String, Node)], indent: usize) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&scalar(key));
        out.push(':');
        write_value(out, value, indent);
    }
}

fn write_seq(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Node::Map(entries) if !entries.is_empty() => write_map(out, entries, indent + 2),
            Node::Seq(inner) if !inner.is_empty() => {
                out.truncate(out.len() - 1);
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            Node::Block(text) if block_safe(text) => {
                out.truncate(out.len() - 1);
                write_block(out, text, indent + 2);
            }
            other => {
                out.push_str(&inline(other).unwrap_or_default());
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:`.
fn write_value(out: &mut String, value: &Node, indent: usize) {
    match value {
        Node::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            write_map(out, entries, indent + 2);
        }
        Node::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent + 2);
        }
        Node::Block(text) if block_safe(text) => write_block(out, text, indent + 2),
        other => {
            out.push(' ');
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
}

fn write_block(out: &mut String, text: &str, indent: usize) {
    out.push_str(" |-\n");
    for line in text.split('\n') {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// The one-line form of a scalar or an empty collection.
fn inline(node: &Node) -> Option<String> {
    match node {
        Node::Str(text) | Node::Block(text) => Some(scalar(text)),
        Node::Number(text) => Some(text.clone()),
        Node::Seq(items) if items.is_empty() => Some("[]".to_owned()),
        Node::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
        _ => None,
    }
}

/// Whether `text` survives a `|-` block scalar byte for byte.
fn block_safe(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with([' ', '\n'])
        && !text.ends_with('\n')
        && text.split('\n').all(|line| !line.ends_with([' ', '\t']))
        && !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || is_break(c))
}

/// A string, plain when safe, else double-quoted.
pub fn scalar(text: &str) -> String {
    if plain_safe(text) {
        text.to_owned()
    } else {
        double_quoted(text)
    }
}

/// Words YAML 1.1 or 1.2 resolves to something other than a string.
const KEYWORDS: [&str; 12] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", "inf",
];

fn plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_./:-+ ".contains(c);
    let starts_well = first.is_ascii_alphabetic() || first == '_' || first == '/';
    let number_like = first.is_ascii_digit() && !is_duration(text);
    (starts_well || (first.is_ascii_digit() && !number_like))
        && text.chars().all(allowed)
        && !text.ends_with([' ', ':'])
        && !text.contains(": ")
        && !text.contains("  ")
        && !KEYWORDS.contains(&text.to_ascii_lowercase().as_str())
}

/// `5m`, `1h30m`, `300ms`: a Prometheus duration, which YAML reads as a string.
fn is_duration(text: &str) -> bool {
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        match unit {
            Some(unit) => rest = &rest[unit.len()..],
            None => return false,
        }
    }
    !text.is_empty()
}

fn is_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `text` as a YAML double-quoted scalar.
pub fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() || is_break(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_plain_only_when_unmistakable() {
        for plain in [
            "shop",
            "MeshwardPlaintextTraffic",
            "5m",
            "1h30m",
            "a:b:c",
            "team-a",
            "two words",
        ] {
            assert_eq!(scalar(plain), plain);
        }
        for (text, quoted) in [
            ("", r#""""#),
            ("yes", r#""yes""#),
            ("0.99", r#""0.99""#),
            ("2xx", r#""2xx""#),
            ("a: b", r#""a: b""#),
            ("a\"b", r#""a\"b""#),
            ("x\"}", r#""x\"}""#),
            ("back\\slash", r#""back\\slash""#),
            ("line\nbreak", r#""line\nbreak""#),
            ("{{ $value }}", r#""{{ $value }}""#),
            ("-x", r#""-x""#),
            ("\u{7}\u{85}", r#""\x07\u0085""#),
        ] {
            assert_eq!(scalar(text), quoted, "{text:?}");
        }
    }

    #[test]
    fn documents_nest_maps_and_lists() {
        let doc = Node::map([(
            "groups",
            Node::Seq(vec![Node::map([
                ("name", Node::str("g")),
                (
                    "rules",
                    Node::Seq(vec![Node::map([
                        ("record", Node::str("a:b:rate5m")),
                        ("expr", Node::Block("sum(x)\n/\n(sum(y) > 0)".into())),
                        ("labels", Node::map([("service", Node::str("a\"b"))])),
                    ])]),
                ),
                ("empty", Node::Seq(vec![])),
            ])]),
        )]);
        assert_eq!(
            to_string(&doc),
            "groups:\n  - name: g\n    rules:\n      - record: a:b:rate5m\n        expr: |-\n          sum(x)\n          /\n          (sum(y) > 0)\n        labels:\n          service: \"a\\\"b\"\n    empty: []\n"
        );
    }

    #[test]
    fn unsafe_blocks_fall_back_to_quotes() {
        let doc = Node::map([("expr", Node::Block("trailing \nspace".into()))]);
        assert_eq!(to_string(&doc), "expr: \"trailing \\nspace\"\n");
        let doc = Node::map([("expr", Node::Block("up == 0".into()))]);
        assert_eq!(to_string(&doc), "expr: |-\n  up == 0\n");
    }

    #[test]
    fn comments_cannot_be_broken_out_of() {
        assert_eq!(comment("from a\u{2028}b.yaml"), "# from a\\u{2028}b.yaml\n");
        assert_eq!(comment("one\ntwo"), "# one\n# two\n");
    }
}
