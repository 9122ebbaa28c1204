//! Byte classes and the number grammars: what a name, a value and a timestamp may look like.
//!
//! Everything here works on bytes of one line and allocates nothing.

/// Bytes that may start a metric name: `[a-zA-Z_:]`.
const METRIC_START: u8 = 1;
/// Bytes that may continue a metric name: `[a-zA-Z0-9_:]`.
const METRIC_CHAR: u8 = 2;
/// Bytes that may start a label name: `[a-zA-Z_]`.
const LABEL_START: u8 = 4;
/// Bytes that may continue a label name: `[a-zA-Z0-9_]`.
const LABEL_CHAR: u8 = 8;

/// One lookup per byte instead of a chain of range comparisons in the hottest loops.
static CLASSES: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        let letter = b.is_ascii_alphabetic() || b == b'_';
        let digit = b.is_ascii_digit();
        let mut class = 0;
        if letter || b == b':' {
            class |= METRIC_START | METRIC_CHAR;
        }
        if digit {
            class |= METRIC_CHAR | LABEL_CHAR;
        }
        if letter {
            class |= LABEL_START | LABEL_CHAR;
        }
        table[byte] = class;
        byte += 1;
    }
    table
}

/// Whether `b` may start a metric name.
#[inline]
pub(super) fn is_metric_start(b: u8) -> bool {
    CLASSES[usize::from(b)] & METRIC_START != 0
}

/// Whether `b` may continue a metric name.
#[inline]
pub(super) fn is_metric_char(b: u8) -> bool {
    CLASSES[usize::from(b)] & METRIC_CHAR != 0
}

/// Whether `b` may start a label name.
#[inline]
pub(super) fn is_label_start(b: u8) -> bool {
    CLASSES[usize::from(b)] & LABEL_START != 0
}

/// Whether `b` may continue a label name.
#[inline]
pub(super) fn is_label_char(b: u8) -> bool {
    CLASSES[usize::from(b)] & LABEL_CHAR != 0
}

/// Whether `b` separates tokens: a space or a tab.
#[inline]
pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The longest run of decimal digits whose value an `f64` holds exactly (< 2^53).
const EXACT_DIGITS: usize = 15;

/// Reads a sample value: a decimal or exponent float, `NaN`, `+Inf`, `-Inf` (case-insensitive,
/// as Go's `ParseFloat` reads them).
///
/// Plain integers, by far the most common values a proxy writes, skip the float parser.
pub(crate) fn parse_value(token: &str) -> Option<f64> {
    let bytes = token.as_bytes();
    if !bytes.is_empty() && bytes.len() <= EXACT_DIGITS && bytes.iter().all(u8::is_ascii_digit) {
        let integer = bytes
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        // Exact: fewer than 16 digits is below 2^53.
        #[allow(clippy::cast_precision_loss)]
        return Some(integer as f64);
    }
    parse_float(token)
}

/// Reads a float. Rust's grammar for decimals matches Go's `ParseFloat`, including `inf`,
/// `infinity` and `nan` in any case; only Go's hexadecimal floats are not read.
fn parse_float(token: &str) -> Option<f64> {
    // TODO: Go also reads hexadecimal floats (`0x1p-3`), so the text format allows them; they
    // are rejected here because Rust's parser has no such form and no proxy writes them.
    token.parse::<f64>().ok()
}

/// Reads a Prometheus text timestamp: an integer number of milliseconds.
pub(crate) fn parse_text_timestamp(token: &str) -> Option<i64> {
    token.parse::<i64>().ok()
}

/// Milliseconds beyond which an `i64` cannot hold the value.
const MS_LIMIT: f64 = 9_223_372_036_854_775_807.0;

/// Reads an OpenMetrics timestamp, a float number of seconds, as whole milliseconds
/// (rounded to the nearest).
pub(crate) fn parse_openmetrics_timestamp(token: &str) -> Option<i64> {
    let seconds = parse_float(token)?;
    let ms = (seconds * 1000.0).round();
    if !(-MS_LIMIT..MS_LIMIT).contains(&ms) {
        return None;
    }
    // In range by the check above.
    #[allow(clippy::cast_possible_truncation)]
    Some(ms as i64)
}
