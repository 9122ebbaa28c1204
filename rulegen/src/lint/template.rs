//! Alert templates: enough of Go's text/template to catch what makes Prometheus reject a rule
//! or print garbage.
//!
//! Checked: every `{{` has its `}}`; strings and parentheses inside actions are closed;
//! variables are `$labels`, `$externalLabels`, `$externalURL`, `$value`, `$` or declared in the
//! template (`{{ $x := ... }}`); functions are Go's or Prometheus' template functions;
//! `if`/`range`/`with`/`define`/`block` are closed by `end`. The `$labels.x` (and `.Labels.x`)
//! references are returned so the caller can check that `x` survives the expression.

use crate::spec::decode::suggest;

/// A problem in a template, at a byte range of the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateIssue {
    /// Stable code: `template/syntax`, `template/unknown-variable`, `template/unknown-function`,
    /// `template/stray-close`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// Byte offset in the template.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
    /// Whether the template still works (a warning) rather than failing to load.
    pub warning: bool,
}

/// A `$labels.name` reference, at a byte range of the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelReference {
    /// The label name.
    pub name: String,
    /// Byte offset of the reference (`$labels.name`) in the template.
    pub offset: usize,
    /// Length of the reference.
    pub len: usize,
}

/// What a template check found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateReport {
    /// Problems.
    pub issues: Vec<TemplateIssue>,
    /// Label references.
    pub labels: Vec<LabelReference>,
}

const PREDEFINED: [&str; 4] = ["labels", "externalLabels", "externalURL", "value"];

const KEYWORDS: [&str; 13] = [
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
    "nil", "true", "false",
];

/// Go's built-in template functions and the ones Prometheus adds for alert templates.
const FUNCTIONS: [&str; 46] = [
    "and",
    "or",
    "not",
    "len",
    "index",
    "slice",
    "print",
    "printf",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "html",
    "js",
    "urlquery",
    "call",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "toTime",
    "toDuration",
    "query",
    "first",
    "label",
    "value",
    "sortByLabel",
    "strvalue",
    "args",
    "tmpl",
    "safeHtml",
    "match",
    "reReplaceAll",
    "title",
    "toUpper",
    "toLower",
    "stripPort",
    "stripDomain",
    "graphLink",
    "tableLink",
    "pathPrefix",
    "externalURL",
];

const EXTRA_FUNCTIONS: [&str; 2] = ["parseDuration", "now"];

/// Checks one template (an annotation or alert label value).
pub fn check(text: &str) -> TemplateReport {
    let mut report = TemplateReport::default();
    let mut declared: Vec<String> = Vec::new();
    let mut blocks: Vec<(String, usize)> = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find("{{") {
        let open = at + found;
        check_stray_close(&text[at..open], at, &mut report);
        let Some(close) = find_action_end(text, open + 2) else {
            report.issues.push(issue(
                "template/syntax",
                "`{{` is never closed by `}}`".into(),
                Some("close the action with `}}`, e.g. `{{ $labels.service }}`".into()),
                open,
                2,
            ));
            return report;
        };
        let body_start = open + 2;
        let body = &text[body_start..close];
        action(body, body_start, &mut declared, &mut blocks, &mut report);
        at = close + 2;
    }
    check_stray_close(&text[at..], at, &mut report);
    for (keyword, offset) in blocks {
        report.issues.push(issue(
            "template/syntax",
            format!("`{{{{ {keyword} }}}}` is never closed by `{{{{ end }}}}`"),
            Some("add `{{ end }}` after the block".into()),
            offset,
            keyword.len(),
        ));
    }
    report
}

fn issue(
    code: &'static str,
    message: String,
    help: Option<String>,
    offset: usize,
    len: usize,
) -> TemplateIssue {
    TemplateIssue {
        code,
        message,
        help,
        offset,
        len,
        warning: false,
    }
}

fn check_stray_close(text: &str, base: usize, report: &mut TemplateReport) {
    if let Some(position) = text.find("}}") {
        report.issues.push(TemplateIssue {
            warning: true,
            ..issue(
                "template/stray-close",
                "`}}` without a matching `{{`: it is printed literally".into(),
                Some("if this was meant as an action, open it with `{{`".into()),
                base + position,
                2,
            )
        });
    }
}

/// The offset of the `}}` that ends the action whose body starts at `from`, skipping strings.
fn find_action_end(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i + 1 < bytes.len() + 1 && i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_quoted(bytes, i, b'"')?,
            b'`' => i = skip_quoted(bytes, i, b'`')?,
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The index just past the closing `quote` of a string starting at `start`.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn action(
    body: &str,
    base: usize,
    declared: &mut Vec<String>,
    blocks: &mut Vec<(String, usize)>,
    report: &mut TemplateReport,
) {
    let trimmed_start = body.len() - body.trim_start_matches(['-', ' ', '\t', '\n', '\r']).len();
    let inner = body.trim_start_matches(['-', ' ', '\t', '\n', '\r']);
    if inner.starts_with("/*") {
        return;
    }
    let mut depth: i32 = 0;
    let mut first_word = true;
    let bytes = body.as_bytes();
    let mut i = trimmed_start;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' | b'`' => {
                match skip_quoted(bytes, i, c) {
                    Some(end) => i = end,
                    None => {
                        report.issues.push(issue(
                            "template/syntax",
                            "unterminated string in template action".into(),
                            None,
                            base + i,
                            1,
                        ));
                        return;
                    }
                }
                first_word = false;
            }
            b'(' => {
                depth += 1;
                i += 1;
                first_word = true;
            }
            b')' => {
                depth -= 1;
                if depth < 0 {
                    report.issues.push(issue(
                        "template/syntax",
                        "unexpected `)` in template action".into(),
                        None,
                        base + i,
                        1,
                    ));
                    return;
                }
                i += 1;
            }
            b'|' => {
                i += 1;
                first_word = true;
            }
            b'$' => {
                let end = word_end(bytes, i + 1);
                let name = &body[i + 1..end];
                let chain_end = field_chain_end(bytes, end);
                let declares = body[chain_end..].trim_start().starts_with(":=")
                    || body[chain_end..].trim_start().starts_with(',');
                if declares {
                    declared.push(name.to_owned());
                } else if !name.is_empty()
                    && !PREDEFINED.contains(&name)
                    && !declared.iter().any(|d| d == name)
                {
                    let candidates: Vec<&str> = PREDEFINED
                        .iter()
                        .copied()
                        .chain(declared.iter().map(String::as_str))
                        .collect();
                    let help = match suggest(name, &candidates) {
                        Some(near) => format!("did you mean `${near}`?"),
                        None => "alert templates know `$labels`, `$externalLabels`, `$externalURL` and `$value`".into(),
                    };
                    report.issues.push(issue(
                        "template/unknown-variable",
                        format!("undefined variable `${name}` in template"),
                        Some(help),
                        base + i,
                        end - i,
                    ));
                }
                if name == "labels" {
                    push_label_reference(body, base, i, end, chain_end, report);
                }
                i = chain_end;
                first_word = false;
            }
            b'.' => {
                let end = field_chain_end(bytes, i);
                let chain = &body[i..end];
                if let Some(label) = chain.strip_prefix(".Labels.") {
                    let label = label.split('.').next().unwrap_or("");
                    if !label.is_empty() {
                        report.labels.push(LabelReference {
                            name: label.to_owned(),
                            offset: base + i,
                            len: ".Labels.".len() + label.len(),
                        });
                    }
                }
                i = end.max(i + 1);
                first_word = false;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = word_end(bytes, i);
                let word = &body[i..end];
                identifier(word, base + i, first_word, blocks, report);
                i = field_chain_end(bytes, end);
                first_word = false;
            }
            _ => i += 1,
        }
    }
    if depth > 0 {
        report.issues.push(issue(
            "template/syntax",
            "unclosed `(` in template action".into(),
            None,
            base + body.rfind('(').unwrap_or(0),
            1,
        ));
    }
}

fn push_label_reference(
    body: &str,
    base: usize,
    dollar: usize,
    name_end: usize,
    chain_end: usize,
    report: &mut TemplateReport,
) {
    let rest = &body[name_end..chain_end];
    if let Some(label) = rest.strip_prefix('.') {
        let label = label.split('.').next().unwrap_or("");
        if !label.is_empty() {
            report.labels.push(LabelReference {
                name: label.to_owned(),
                offset: base + dollar,
                len: name_end - dollar + 1 + label.len(),
            });
        }
    }
}

fn identifier(
    word: &str,
    offset: usize,
    first_word: bool,
    blocks: &mut Vec<(String, usize)>,
    report: &mut TemplateReport,
) {
    match word {
        "if" | "range" | "with" | "define" | "block" if first_word => {
            blocks.push((word.to_owned(), offset));
            return;
        }
        "end" if first_word => {
            if blocks.pop().is_none() {
                report.issues.push(issue(
                    "template/syntax",
                    "`{{ end }}` without an opening `if`, `range` or `with`".into(),
                    None,
                    offset,
                    word.len(),
                ));
            }
            return;
        }
        "else" if first_word => {
            if blocks.is_empty() {
                report.issues.push(issue(
                    "template/syntax",
                    "`{{ else }}` outside an `if`, `range` or `with`".into(),
                    None,
                    offset,
                    word.len(),
                ));
            }
            return;
        }
        _ => {}
    }
    if KEYWORDS.contains(&word) || FUNCTIONS.contains(&word) || EXTRA_FUNCTIONS.contains(&word) {
        return;
    }
    if word.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return;
    }
    let candidates: Vec<&str> = FUNCTIONS
        .iter()
        .chain(EXTRA_FUNCTIONS.iter())
        .copied()
        .collect();
    let help = match suggest(word, &candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "Prometheus alert templates offer Go's functions plus humanize, humanizePercentage, humanizeDuration, title, toUpper, ...".into(),
    };
    report.issues.push(issue(
        "template/unknown-function",
        format!("function `{word}` is not defined in alert templates"),
        Some(help),
        offset,
        word.len(),
    ));
}

fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    i
}

/// The end of a `.a.b.c` chain starting at `from` (which may or may not be a `.`).
fn field_chain_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() && bytes[i] == b'.' {
        i = word_end(bytes, i + 1);
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        check(text).issues.iter().map(|i| i.code).collect()
    }

    #[test]
    fn valid_templates_pass_and_report_labels() {
        let report = check(
            "{{ $labels.service }} in {{ .Labels.namespace }} at {{ $value | humanizePercentage }} \
             {{ if gt $value 0.5 }}high{{ else }}low{{ end }} {{ range $i, $x := query \"up\" }}{{ $x }}{{ end }}",
        );
        assert!(report.issues.is_empty(), "{:?}", report.issues);
        let names: Vec<&str> = report.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["service", "namespace"]);
    }

    #[test]
    fn typos_and_imbalance_are_caught() {
        assert_eq!(codes("{{ $label.x }}"), ["template/unknown-variable"]);
        assert_eq!(codes("{{ $labels.x }"), ["template/syntax"]);
        assert_eq!(
            codes("{{ $value | humanise }}"),
            ["template/unknown-function"]
        );
        assert_eq!(codes("{{ if $value }}x"), ["template/syntax"]);
        assert_eq!(codes("{{ end }}"), ["template/syntax"]);
        assert_eq!(codes("{{ printf \"%s }}"), ["template/syntax"]);
        assert_eq!(codes("x }}"), ["template/stray-close"]);
    }

    #[test]
    fn positions_point_into_the_template() {
        let text = "svc {{ $label.x }}";
        let issue = &check(text).issues[0];
        assert_eq!(&text[issue.offset..issue.offset + issue.len], "$label");
    }
}
