//! From a fetched body to an observation recorded in the target's derived state.

use std::borrow::Cow;
use std::time::SystemTime;

use meshward_exposition::{parse, Format};
use meshward_signals::Dialect;

use crate::derive::{detect_dialect, observe, DeriveSettings, TargetSettings, TargetState};
use crate::target::Target;

/// A line of the body that could not be read; the other lines were used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedLine {
    /// 1-based line number in the body.
    pub line: u32,
    /// 1-based column where reading failed.
    pub column: u32,
    /// What was wrong.
    pub message: String,
}

/// What processing one body found.
#[derive(Debug)]
pub struct Processed {
    /// Samples read.
    pub samples: usize,
    /// Lines that could not be read, in body order.
    pub rejected: Vec<RejectedLine>,
    /// The dialect the body was read in; `None` when it is neither configured nor recognised.
    pub dialect: Option<Dialect>,
}

impl Processed {
    /// Whether the body gave nothing usable: lines were rejected and no sample was read.
    pub fn unreadable(&self) -> bool {
        self.samples == 0 && !self.rejected.is_empty()
    }
}

/// A target's memory across scrapes: its derived state and the dialect it speaks.
#[derive(Debug)]
pub struct Session {
    settings: TargetSettings,
    derive: DeriveSettings,
    state: TargetState,
    /// The dialect last recognised, kept when a later scrape is not recognisable.
    detected: Option<Dialect>,
}

impl Session {
    /// A fresh session for `target`, deriving over `derive.window`.
    pub fn new(target: &Target, derive: DeriveSettings) -> Session {
        let settings = TargetSettings {
            dialect: target.dialect,
            inbound_prefixes: target.inbound_prefixes.clone(),
        };
        let state = TargetState::new(derive.clone());
        Session {
            settings,
            derive,
            state,
            detected: None,
        }
    }

    /// The derived signals so far.
    pub fn derived(&self) -> crate::derive::Derived {
        self.state.derived()
    }

    /// Reads `body` (served with `content_type`) and records what it says, stamped `at`.
    pub fn process(
        &mut self,
        body: &[u8],
        content_type: Option<&str>,
        at: SystemTime,
    ) -> Processed {
        let format = content_type
            .map(Format::from_content_type)
            .unwrap_or(Format::Text);
        let (text, mut rejected) = readable_text(body);
        let exposition = parse(&text, format);
        rejected.extend(exposition.errors.iter().map(|error| RejectedLine {
            line: error.line,
            column: error.column,
            message: error.kind.to_string(),
        }));
        rejected.sort_by_key(|r| (r.line, r.column));

        let mut processed = Processed {
            samples: exposition.samples.len(),
            rejected,
            dialect: None,
        };
        if processed.unreadable() {
            return processed;
        }

        processed.dialect = self.dialect_of(&exposition);
        if let Some(dialect) = processed.dialect {
            let observation = observe(dialect, &exposition, &self.settings);
            self.state.record(at, observation);
        }
        processed
    }

    /// The configured dialect, else the one recognised in `exposition`, else the one last
    /// recognised. When the recognised dialect changes, what was learned in the old one is
    /// dropped: its series mean something else.
    fn dialect_of(&mut self, exposition: &meshward_exposition::Exposition<'_>) -> Option<Dialect> {
        if let Some(dialect) = self.settings.dialect {
            return Some(dialect);
        }
        let recognised = detect_dialect(exposition);
        if let Some(dialect) = recognised {
            if self.detected.is_some_and(|previous| previous != dialect) {
                self.state = TargetState::new(self.derive.clone());
            }
            self.detected = Some(dialect);
        }
        self.detected
    }
}

/// The body as text. Lines that are not UTF-8 are blanked (keeping the line numbers of the
/// others) and reported as rejected, so one bad byte costs one line rather than the scrape.
fn readable_text(body: &[u8]) -> (Cow<'_, str>, Vec<RejectedLine>) {
    if let Ok(text) = std::str::from_utf8(body) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut text = String::with_capacity(body.len());
    let mut rejected = Vec::new();
    for (index, line) in body.split(|b| *b == b'\n').enumerate() {
        if index > 0 {
            text.push('\n');
        }
        match std::str::from_utf8(line) {
            Ok(line) => text.push_str(line),
            Err(error) => rejected.push(RejectedLine {
                line: index as u32 + 1,
                column: error.valid_up_to() as u32 + 1,
                message: "the line is not valid UTF-8".to_owned(),
            }),
        }
    }
    (Cow::Owned(text), rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_text_is_borrowed_whole() {
        let (text, rejected) = readable_text(b"a 1\nb 2\n");
        assert!(matches!(text, Cow::Borrowed("a 1\nb 2\n")));
        assert!(rejected.is_empty());
    }

    #[test]
    fn invalid_utf8_blanks_only_its_line() {
        let (text, rejected) = readable_text(b"a 1\nb\xff 2\nc 3");
        assert_eq!(text, "a 1\n\nc 3");
        assert_eq!(
            rejected,
            vec![RejectedLine {
                line: 2,
                column: 2,
                message: "the line is not valid UTF-8".into()
            }]
        );
    }
}
