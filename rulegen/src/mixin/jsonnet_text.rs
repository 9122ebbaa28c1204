//! Jsonnet source text for JSON-like values with holes: places where the mixin reads its
//! `_config` instead of a literal.
//!
//! A [`Node`] tree is built from the JSON the generator produced, a few leaves are swapped for
//! [`Node::Code`], and the tree is printed as Jsonnet with two-space indentation and keys in
//! their given order. Strings are printed as JSON string literals, which Jsonnet reads
//! unchanged, so a leaf left alone evaluates to exactly the value it came from.

use std::fmt::Write as _;

/// A Jsonnet value: JSON, plus raw code.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `null`, `true`, `false` or a number, printed as given.
    Literal(String),
    /// A string, printed as a JSON string literal.
    Str(String),
    /// Jsonnet code printed verbatim, `$._config.refresh`.
    Code(String),
    /// An array.
    Array(Vec<Node>),
    /// An object; `hidden` fields use `::`.
    Object(Vec<Field>),
}

/// A field of a [`Node::Object`].
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The key.
    pub key: String,
    /// `::` instead of `:`.
    pub hidden: bool,
    /// `+:` (or `+::`): merge into the inherited value.
    pub plus: bool,
    /// The value.
    pub value: Node,
}

impl Field {
    /// A plain `key: value` field.
    pub fn new(key: &str, value: Node) -> Field {
        Field {
            key: key.to_owned(),
            hidden: false,
            plus: false,
            value,
        }
    }

    /// A `key+:: value` field, the mixin convention for its top-level fields.
    pub fn hidden_plus(key: &str, value: Node) -> Field {
        Field {
            key: key.to_owned(),
            hidden: true,
            plus: true,
            value,
        }
    }

    /// A `key+: value` field.
    pub fn plus(key: &str, value: Node) -> Field {
        Field {
            key: key.to_owned(),
            hidden: false,
            plus: true,
            value,
        }
    }
}

impl Node {
    /// Converts JSON into a tree without holes.
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value;
        match value {
            Value::Null => Node::Literal("null".to_owned()),
            Value::Bool(b) => Node::Literal(b.to_string()),
            Value::Number(n) => Node::Literal(n.to_string()),
            Value::String(s) => Node::Str(s.clone()),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(key, value)| Field::new(key, Node::from_json(value)))
                    .collect(),
            ),
        }
    }

    /// The field `key` of an object, for swapping in a hole.
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Object(fields) => fields
                .iter_mut()
                .find(|f| f.key == key)
                .map(|f| &mut f.value),
            _ => None,
        }
    }

    /// The item `index` of an array.
    pub fn item_mut(&mut self, index: usize) -> Option<&mut Node> {
        match self {
            Node::Array(items) => items.get_mut(index),
            _ => None,
        }
    }

    /// The node at a path of object keys and array indices (`["panels", "3", "title"]`).
    pub fn at_mut(&mut self, path: &[&str]) -> Option<&mut Node> {
        let mut node = self;
        for step in path {
            node = match step.parse::<usize>() {
                Ok(index) if matches!(node, Node::Array(_)) => node.item_mut(index)?,
                _ => node.field_mut(step)?,
            };
        }
        Some(node)
    }

    /// Prints the tree as Jsonnet, nested at `indent` levels.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, indent);
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent + 1);
        let close = "  ".repeat(indent);
        match self {
            Node::Literal(text) | Node::Code(text) => out.push_str(text),
            Node::Str(text) => out.push_str(&string_literal(text)),
            Node::Array(items) if items.is_empty() => out.push_str("[]"),
            Node::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Node::Array(items) => {
                out.push_str("[\n");
                for item in items {
                    out.push_str(&pad);
                    item.write(out, indent + 1);
                    out.push_str(",\n");
                }
                out.push_str(&close);
                out.push(']');
            }
            Node::Object(fields) => {
                out.push_str("{\n");
                for field in fields {
                    let colon = match (field.plus, field.hidden) {
                        (false, false) => ":",
                        (false, true) => "::",
                        (true, false) => "+:",
                        (true, true) => "+::",
                    };
                    let _ = write!(out, "{pad}{}{colon} ", key(&field.key));
                    field.value.write(out, indent + 1);
                    out.push_str(",\n");
                }
                out.push_str(&close);
                out.push('}');
            }
        }
    }
}

/// A Jsonnet string literal holding exactly `text`: JSON's double-quoted syntax.
pub fn string_literal(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// Jsonnet's reserved words, which cannot be bare field names.
const KEYWORDS: [&str; 18] = [
    "assert",
    "else",
    "error",
    "false",
    "for",
    "function",
    "if",
    "import",
    "importstr",
    "importbin",
    "in",
    "local",
    "null",
    "tailstrict",
    "then",
    "self",
    "super",
    "true",
];

/// A field name: bare when it is an identifier, quoted otherwise.
pub fn key(name: &str) -> String {
    let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !KEYWORDS.contains(&name);
    if identifier {
        name.to_owned()
    } else {
        string_literal(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_json_as_jsonnet_with_holes() {
        let mut node = Node::from_json(&serde_json::json!({
            "a": [1, "x\"y"], "if": {}, "b-c": null, "d": 0.5
        }));
        *node.at_mut(&["d"]).unwrap() = Node::Code("$._config.d".to_owned());
        assert_eq!(
            node.render(0),
            "{\n  a: [\n    1,\n    \"x\\\"y\",\n  ],\n  \"b-c\": null,\n  d: $._config.d,\n  \"if\": {},\n}"
        );
    }
}
