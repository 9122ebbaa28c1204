//! `meshward check`: lint specs, rule files, PrometheusRule resources and Grafana dashboards
//! alike.
//!
//! Each path is classified by its content, not its name: a document with `groups:` is a rule
//! file, one with `kind: PrometheusRule` a custom resource, one with `panels` and
//! `schemaVersion` a dashboard, one with `version`/`name`/`services`/`rules` a spec. Jsonnet
//! files (`.jsonnet`, `.libsonnet`) are evaluated first and their value classified the same
//! way. All spec files among the paths form one spec (one main file plus fragments, as
//! `generate` reads them) and are loaded, validated and their rules linted; rule files and
//! resources are read with positions and linted with the given options; dashboards are
//! checked against Grafana's schema and meshward's invariants.

use std::path::PathBuf;

use crate::dashboard;
use crate::diag::{self, Diagnostic};
use crate::jsonnet::JsonnetOptions;
use crate::lint::{self, LintOptions};
use crate::ruleread::{self, DocumentKind};
use crate::spec::{self, model::Sources, model::Span};
use crate::yaml;

/// What `check` found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckReport {
    /// Every file read, in the order given; diagnostics index into it.
    pub sources: Sources,
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// What each file was taken for, with the number of rules linted in it.
    pub inputs: Vec<CheckedInput>,
}

/// One checked file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedInput {
    /// The path as given.
    pub path: String,
    /// What its documents were (the first document's kind for mixed files).
    pub kind: Option<DocumentKind>,
    /// How many rules were linted in it.
    pub rules: usize,
    /// How many dashboard panels were checked in it.
    pub panels: usize,
}

impl CheckReport {
    /// 0 when nothing is wrong (warnings allowed), 1 when an input is invalid.
    pub fn exit_code(&self) -> i32 {
        i32::from(diag::has_errors(&self.diagnostics))
    }

    /// The findings in the plain, deterministic style.
    pub fn render(&self) -> String {
        diag::render(&self.sources, &self.diagnostics)
    }
}

/// Checks every path and returns the findings with the sources they point into; Jsonnet files
/// are evaluated with default options (see [`check_paths_with`]).
pub fn check_paths(paths: &[PathBuf], options: &LintOptions) -> CheckReport {
    check_paths_with(paths, options, &JsonnetOptions::default())
}

/// [`check_paths`], evaluating Jsonnet files with `jsonnet` (library paths, external
/// variables).
pub fn check_paths_with(
    paths: &[PathBuf],
    options: &LintOptions,
    jsonnet: &JsonnetOptions,
) -> CheckReport {
    let mut report = CheckReport::default();
    let mut spec_files: Vec<SpecFile> = Vec::new();
    for path in paths {
        let mut input = CheckedInput {
            path: path.display().to_string(),
            kind: None,
            rules: 0,
            panels: 0,
        };
        match crate::jsonnet::read_sources(std::slice::from_ref(path), jsonnet) {
            Ok(mut sources) => {
                let index = report.sources.files.len();
                report.sources.files.push(sources.files.remove(0));
                check_file(&mut report, index, options, &mut input, &mut spec_files);
            }
            Err(diagnostics) => report.diagnostics.extend(diagnostics),
        }
        report.inputs.push(input);
    }
    if !spec_files.is_empty() {
        check_spec(&mut report, &spec_files, options);
    }
    diag::sort(&mut report.diagnostics);
    report
}

/// A spec file among the inputs: its index in the report's sources and in its inputs.
#[derive(Clone, Copy, Debug)]
struct SpecFile {
    source: usize,
    input: usize,
}

/// Classifies and checks the documents of source `index`, the input about to be pushed.
fn check_file(
    report: &mut CheckReport,
    index: usize,
    options: &LintOptions,
    input: &mut CheckedInput,
    spec_files: &mut Vec<SpecFile>,
) {
    let documents = match yaml::parse_documents(index, &report.sources.files[index].text) {
        Ok(documents) => documents,
        Err(diagnostic) => {
            report.diagnostics.push(diagnostic);
            return;
        }
    };
    for document in &documents {
        let kind = ruleread::classify(document);
        input.kind.get_or_insert(kind);
        match kind {
            DocumentKind::Spec => {
                if documents.len() > 1 {
                    report.diagnostics.push(
                        Diagnostic::error("check/multi-document-spec", "a spec file holds one YAML document")
                            .at(document.span, "spec document")
                            .with_help("split the documents into separate files"),
                    );
                } else {
                    spec_files.push(SpecFile {
                        source: index,
                        input: report.inputs.len(),
                    });
                }
            }
            DocumentKind::RuleFile | DocumentKind::PrometheusRule => {
                match ruleread::read_document(document) {
                    Ok(read) => {
                        input.rules += read.file.groups.iter().map(|g| g.rules.len()).sum::<usize>();
                        report.diagnostics.extend(lint::lint_located(
                            &read.file,
                            &read.positions,
                            &report.sources,
                            options,
                        ));
                    }
                    Err(diagnostics) => report.diagnostics.extend(diagnostics),
                }
            }
            DocumentKind::Dashboard => {
                if documents.len() > 1 {
                    report.diagnostics.push(
                        Diagnostic::error(
                            "check/multi-document-dashboard",
                            "a dashboard file holds one JSON document",
                        )
                        .at(document.span, "dashboard document"),
                    );
                } else {
                    let file = &report.sources.files[index];
                    let found = dashboard::lint::lint_file(&file.path, &file.text, document);
                    input.panels += found.panels;
                    report.diagnostics.extend(found.diagnostics);
                }
            }
            DocumentKind::OtherResource => report.diagnostics.push(
                Diagnostic::warning("check/skipped-document", "skipped a Kubernetes object that is not a PrometheusRule")
                    .at(document.span, "not a PrometheusRule"),
            ),
            DocumentKind::Unknown => report.diagnostics.push(
                Diagnostic::error(
                    "check/unknown-document",
                    "this document is neither a meshward spec, a rule file, a PrometheusRule nor a \
                     Grafana dashboard",
                )
                .at(document.span, "unrecognised document")
                .with_help(
                    "rule files start with `groups:`, specs with `version: 1`, resources with \
                     `apiVersion:`, dashboards have `panels` and `schemaVersion`",
                ),
            ),
        }
    }
}

/// Loads the spec files together as one spec; diagnostics are re-indexed into the report's
/// sources.
fn check_spec(report: &mut CheckReport, files: &[SpecFile], options: &LintOptions) {
    let sources = Sources {
        files: files
            .iter()
            .map(|f| report.sources.files[f.source].clone())
            .collect(),
    };
    let remap = |span: Span| Span {
        file: files.get(span.file).map_or(span.file, |f| f.source),
        ..span
    };
    match spec::load_sources(&sources) {
        Ok(spec) => {
            report.inputs[files[0].input].rules += lint_generated(report, &spec, options, &remap);
        }
        Err(diagnostics) => {
            report
                .diagnostics
                .extend(diagnostics.into_iter().map(|mut d| {
                    d.span = d.span.map(remap);
                    for related in &mut d.related {
                        related.span = remap(related.span);
                    }
                    d
                }));
        }
    }
}

/// Compiles the spec and lints every generated rule file (the user's own rules included) with
/// the spec's scrape interval, returning how many rules were linted. Generated files have no
/// text yet, so findings name the file, group and rule instead of a position.
fn lint_generated(
    report: &mut CheckReport,
    spec: &spec::model::Spec,
    options: &LintOptions,
    remap: &dyn Fn(Span) -> Span,
) -> usize {
    let reindex = |mut d: Diagnostic| {
        d.span = d.span.map(remap);
        for related in &mut d.related {
            related.span = remap(related.span);
        }
        d
    };
    let compiled = match crate::generate::compile(spec) {
        Ok(compiled) => compiled,
        Err(diagnostics) => {
            report
                .diagnostics
                .extend(diagnostics.into_iter().map(reindex));
            return 0;
        }
    };
    report
        .diagnostics
        .extend(compiled.warnings.into_iter().map(reindex));
    let options = LintOptions {
        scrape_interval: spec.scrape_interval,
        ..options.clone()
    };
    let mut linted = 0;
    for (name, file) in &compiled.rule_files {
        linted += file
            .groups
            .iter()
            .map(|group| group.rules.len())
            .sum::<usize>();
        for mut diagnostic in lint::lint_rule_file(file, &options) {
            diagnostic.message = format!("generated `{name}`: {}", diagnostic.message);
            report.diagnostics.push(diagnostic);
        }
    }
    linted
}
