//! Deterministic JSON text: the bytes written for a dashboard are the same on every run.
//!
//! Key order comes from the model (fields declared alphabetically, maps sorted); this module
//! fixes the rest: two-space indentation and exactly one trailing newline.

use serde::Serialize;

/// Renders `value` as pretty JSON with two-space indentation and a trailing newline.
///
/// ```
/// use meshward_rulegen::dashboard::json::to_pretty_json;
/// let text = to_pretty_json(&serde_json::json!({"a": [1, 2]}));
/// assert_eq!(text, "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
/// ```
pub fn to_pretty_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising our own types to a String cannot fail: every map key is a string and no
    // type has a fallible Serialize implementation.
    let mut text = serde_json::to_string_pretty(value).expect("dashboard types serialise");
    text.push('\n');
    text
}

/// Numbers compared by value: `1`, `1.0` and `1e0` are equal.
///
/// Jsonnet has one number type and prints `1.0` as `1`; comparisons between our JSON and a
/// Jsonnet evaluation of it go through this so that the representation does not matter.
pub fn normalize_numbers(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(number) => match number.as_f64() {
            Some(float) if float.fract() == 0.0 && float.abs() < 9.0e15 => {
                Value::from(float as i64)
            }
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalize_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), normalize_numbers(item)))
                .collect(),
        ),
        _ => value.clone(),
    }
}
