//! Diagnostics: what is wrong, where in which file, and what to do about it.
//!
//! Every stage (spec loading, generation, lint) reports problems as [`Diagnostic`]s that point
//! into the [`Sources`] the user gave us. [`render`] turns them into the report a person reads:
//! the file, line and column, the offending line with a caret under the offending text, and a
//! hint. Rendering is deterministic (no colour, fixed width) unless a caller asks for colour
//! with [`RenderStyle`], so snapshots of it are stable.

use std::fmt;
use std::io::IsTerminal;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::spec::model::{Sources, Span};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The input is invalid; nothing is written and the exit code is 1.
    Error,
    /// Suspicious but usable.
    Warning,
}

/// One finding about a spec or rule file.
///
/// Build one with [`Diagnostic::error`] or [`Diagnostic::warning`] and the `with_*`/[`at`]
/// methods rather than a struct literal, so that fields added later do not break callers:
///
/// ```
/// use meshward_rulegen::diag::Diagnostic;
/// use meshward_rulegen::spec::model::Span;
///
/// let d = Diagnostic::error("spec/invalid-ratio", "`min_ratio` must lie between 0 and 1")
///     .at(Span { file: 0, offset: 40, len: 4 }, "not a ratio")
///     .with_help("write a share such as 0.99 or 99%");
/// assert_eq!(d.code, "spec/invalid-ratio");
/// ```
///
/// [`at`]: Diagnostic::at
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
    /// Other places that explain the finding, such as the first declaration of a duplicate.
    pub related: Vec<Related>,
}

/// A secondary place a [`Diagnostic`] refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there, `first declared here`.
    pub label: String,
}

// === impl Diagnostic ===

impl Diagnostic {
    /// An error without a place yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Level::Error, code, message)
    }

    /// A warning without a place yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Level::Warning, code, message)
    }

    fn new(level: Level, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level,
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// Points the diagnostic at `span`, with `label` printed under the caret.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.span = Some(span);
        self.label = label.into();
        self
    }

    /// Points the diagnostic at `span` when there is one.
    pub fn at_opt(self, span: Option<Span>, label: impl Into<String>) -> Diagnostic {
        match span {
            Some(span) => self.at(span, label),
            None => self,
        }
    }

    /// Adds a hint: what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary place, such as the first declaration of a duplicate.
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }

    /// Whether this diagnostic makes the input invalid.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// Whether any of `diagnostics` is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// Sorts diagnostics into reading order: by file and position, placeless ones first, then by
/// code and message so equal positions still sort the same way on every run.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.span.map(|s| (s.file, s.offset, s.len));
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
}

// === rendering ===

/// How [`render_styled`] draws diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderStyle {
    /// ANSI colours and bold text.
    pub color: bool,
    /// Wrap text at this many columns.
    pub width: usize,
}

impl RenderStyle {
    /// No colour, 100 columns: the deterministic style of snapshots and pipes.
    pub const PLAIN: RenderStyle = RenderStyle {
        color: false,
        width: 100,
    };

    /// The style for standard error: colour only on a terminal and only when `NO_COLOR` is
    /// unset or empty.
    pub fn for_stderr() -> RenderStyle {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        RenderStyle {
            color: std::io::stderr().is_terminal() && !no_color,
            width: 100,
        }
    }
}

/// Renders diagnostics in the plain, deterministic style ([`RenderStyle::PLAIN`]).
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    render_styled(sources, diagnostics, RenderStyle::PLAIN)
}

/// Renders diagnostics one after another, each with its file, line, column, the offending
/// source line, a caret under the offending text and the hint.
pub fn render_styled(sources: &Sources, diagnostics: &[Diagnostic], style: RenderStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .without_syntax_highlighting();
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(sources, diagnostic);
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String only fails if a Display impl fails; fall back to the
            // bare message so the user still learns what is wrong.
            out.push_str(&format!("{}: {}\n", diagnostic.code, diagnostic.message));
        }
    }
    out
}

/// A [`Diagnostic`] in the shape miette renders: one source file, its labels, and related
/// reports for places in other files.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<Source<'a>>,
    labels: Vec<LabeledSpan>,
    others: Vec<RelatedReport<'a>>,
}

/// A related place in another file, rendered as a nested note.
struct RelatedReport<'a> {
    source: Source<'a>,
    label: LabeledSpan,
}

/// A spec or rule file as miette reads it: named, with its text.
struct Source<'a> {
    path: &'a str,
    text: &'a str,
}

impl<'a> Report<'a> {
    fn new(sources: &'a Sources, diagnostic: &'a Diagnostic) -> Report<'a> {
        let file_of = |span: &Span| sources.files.get(span.file);
        let source = diagnostic
            .span
            .as_ref()
            .and_then(file_of)
            .map(|file| Source::new(&file.path, &file.text));
        let mut labels = Vec::new();
        if let Some(span) = diagnostic.span.filter(|s| file_of(s).is_some()) {
            let text = &sources.files[span.file].text;
            labels.push(LabeledSpan::new_primary_with_span(
                non_empty(&diagnostic.label),
                clamp(span, text),
            ));
        }
        let mut others = Vec::new();
        for related in &diagnostic.related {
            let Some(file) = file_of(&related.span) else {
                continue;
            };
            let label = LabeledSpan::new_with_span(
                non_empty(&related.label),
                clamp(related.span, &file.text),
            );
            match diagnostic.span {
                Some(primary) if primary.file == related.span.file => labels.push(label),
                _ => others.push(RelatedReport {
                    source: Source::new(&file.path, &file.text),
                    label,
                }),
            }
        }
        Report {
            diagnostic,
            source,
            labels,
            others,
        }
    }
}

impl<'a> Source<'a> {
    fn new(path: &'a str, text: &'a str) -> Source<'a> {
        Source { path, text }
    }
}

fn non_empty(label: &str) -> Option<String> {
    (!label.is_empty()).then(|| label.to_owned())
}

/// Keeps a span inside its text and on character boundaries, so a stale or generated span can
/// never make rendering panic.
fn clamp(span: Span, text: &str) -> SourceSpan {
    let mut start = span.offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span
        .offset
        .saturating_add(span.len)
        .min(text.len())
        .max(start);
    while !text.is_char_boundary(end) {
        end += 1;
    }
    SourceSpan::from((start, end - start))
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty()).then(|| Box::new(self.labels.iter().cloned()) as Box<_>)
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        (!self.others.is_empty())
            .then(|| Box::new(self.others.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<_>)
    }
}

impl fmt::Debug for RelatedReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RelatedReport")
    }
}

impl fmt::Display for RelatedReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label.label().unwrap_or("see also"))
    }
}

impl std::error::Error for RelatedReport<'_> {}

impl miette::Diagnostic for RelatedReport<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.path.to_owned(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::model::SourceFile;

    fn sources() -> Sources {
        Sources {
            files: vec![
                SourceFile {
                    path: "a.yaml".into(),
                    text: "version: 1\nname: shop\n".into(),
                },
                SourceFile {
                    path: "b.yaml".into(),
                    text: "services:\n  - name: x\n".into(),
                },
            ],
        }
    }

    #[test]
    fn renders_file_line_column_caret_and_help() {
        let d = Diagnostic::error("spec/invalid-name", "bad name")
            .at(
                Span {
                    file: 0,
                    offset: 17,
                    len: 4,
                },
                "not a slug",
            )
            .with_help("use lowercase");
        let text = render(&sources(), &[d]);
        assert!(text.contains("spec/invalid-name"), "{text}");
        assert!(text.contains("[a.yaml:2:7]"), "{text}");
        assert!(text.contains("──┬─"), "{text}");
        assert!(text.contains("help: use lowercase"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour in plain style: {text}");
    }

    #[test]
    fn related_places_in_other_files_render_too() {
        let d = Diagnostic::error("spec/duplicate-service", "dup")
            .at(
                Span {
                    file: 1,
                    offset: 20,
                    len: 1,
                },
                "again",
            )
            .with_related(
                Span {
                    file: 0,
                    offset: 17,
                    len: 4,
                },
                "first here",
            );
        let text = render(&sources(), &[d]);
        assert!(text.contains("[b.yaml:2:11]"), "{text}");
        assert!(text.contains("[a.yaml:2:7]"), "{text}");
    }

    #[test]
    fn spans_out_of_range_or_inside_characters_do_not_panic() {
        let sources = Sources {
            files: vec![SourceFile {
                path: "u.yaml".into(),
                text: "name: é\n".into(),
            }],
        };
        for (offset, len) in [(7, 1), (100, 5), (6, 100)] {
            let d = Diagnostic::error("x/y", "m").at(
                Span {
                    file: 0,
                    offset,
                    len,
                },
                "here",
            );
            let _ = render(&sources, &[d]);
        }
        let placeless = Diagnostic::error("x/y", "no place");
        assert!(render(&sources, &[placeless]).contains("no place"));
    }
}
