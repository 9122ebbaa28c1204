//! Diagnostics: what is wrong, where in which file, and what to do about it.

use crate::spec::model::Span;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The input is invalid; nothing is written and the exit code is 1.
    Error,
    /// Suspicious but usable.
    Warning,
}

/// One finding about a spec or rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// A stable short code, `spec/unknown-key`, `promql/rate-window`.
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where; `None` for problems that belong to no place (a missing file).
    pub span: Option<Span>,
    /// The text under the caret, `unknown key`.
    pub label: String,
    /// What to do about it.
    pub help: Option<String>,
}
