//! Specs written in Jsonnet (`.jsonnet`, `.libsonnet`), evaluated in-process with jrsonnet.
//!
//! Evaluation turns a Jsonnet spec into JSON text, which the spec loader then reads like any
//! YAML spec (YAML is a superset of JSON). Imports are confined: a spec may import files under
//! its own directory and under the `--jpath` directories, nothing else, so a spec cannot read
//! arbitrary files of the machine that compiles it (a CI runner, say). Errors name the file,
//! line and column, with Jsonnet's stack trace as the hint.

pub mod cli;
mod resolver;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jrsonnet_evaluator::error::ErrorKind;
use jrsonnet_evaluator::manifest::JsonFormat;
use jrsonnet_evaluator::trace::{CompactFormat, PathResolver, TraceFormat};
use jrsonnet_evaluator::{Error as JsonnetError, State};

use crate::diag::Diagnostic;
use crate::spec;
use crate::spec::model::{SourceFile, Sources};

use resolver::ConfinedResolver;

/// The file extensions that mark a spec as Jsonnet.
pub const EXTENSIONS: [&str; 2] = ["jsonnet", "libsonnet"];

/// Whether `path` names a Jsonnet file.
pub fn is_jsonnet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// How to evaluate: library paths and external variables, as the `jsonnet` command takes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonnetOptions {
    /// `--jpath`: directories searched for imports after the importing file's own directory.
    pub jpaths: Vec<PathBuf>,
    /// `--ext-str name=value`: `std.extVar(name)` is the string `value`.
    pub ext_str: BTreeMap<String, String>,
    /// `--ext-code name=expr`: `std.extVar(name)` is the value of the Jsonnet `expr`.
    pub ext_code: BTreeMap<String, String>,
}

impl JsonnetOptions {
    /// Adds an `--ext-str`/`--ext-code` argument written `name=value`.
    pub fn parse_ext(argument: &str) -> Result<(String, String), String> {
        match argument.split_once('=') {
            Some((name, value)) if is_identifier(name) => Ok((name.to_owned(), value.to_owned())),
            _ => Err(format!(
                "expected name=value with a Jsonnet identifier as name, found {argument:?}"
            )),
        }
    }
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Evaluates the Jsonnet file at `path` and returns its value as JSON text (2-space indent).
///
/// Imports resolve against the file's directory, then each jpath in order; an import that
/// resolves outside all of them (through `..`, an absolute path or a symlink) is refused, and
/// every file read is capped at the size of a YAML spec file.
// TODO: evaluation has no time or memory limit of its own (jrsonnet offers none): a spec that
// computes without end runs until it is interrupted. Specs are the user's own code, run on the
// user's machine, so this is a usability gap rather than an exposure.
#[allow(
    clippy::result_large_err,
    reason = "a Diagnostic is the error every loading stage returns, once per run"
)]
pub fn evaluate(path: &Path, options: &JsonnetOptions) -> Result<String, Diagnostic> {
    let main = path.canonicalize().map_err(|error| {
        Diagnostic::error(
            "jsonnet/read",
            format!("cannot read {}: {error}", path.display()),
        )
    })?;
    let spec_dir = main.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut roots = vec![spec_dir];
    for jpath in &options.jpaths {
        let canonical = jpath.canonicalize().map_err(|error| {
            Diagnostic::error(
                "jsonnet/jpath",
                format!("--jpath {}: {error}", jpath.display()),
            )
            .with_help("every --jpath must be an existing directory")
        })?;
        roots.push(canonical);
    }

    let resolver = ConfinedResolver::new(roots, options.jpaths.clone());
    let trace_paths = PathResolver::new_cwd_fallback();
    let stdlib = jrsonnet_stdlib::ContextInitializer::new(trace_paths.clone());
    for (name, value) in &options.ext_str {
        stdlib.add_ext_str(name.as_str().into(), value.as_str().into());
    }
    for (name, code) in &options.ext_code {
        stdlib
            .add_ext_code(name, code)
            .map_err(|error| to_diagnostic(&error, &trace_paths))?;
    }
    let mut builder = State::builder();
    builder
        .import_resolver(resolver)
        .context_initializer(stdlib);
    let state = builder.build();
    let _entered = state.enter();

    let value = state
        .import(main.as_path())
        .map_err(|error| to_diagnostic(&error, &trace_paths))?;
    let mut json = value
        .manifest(JsonFormat::cli(2))
        .map_err(|error| to_diagnostic(&error, &trace_paths))?;
    json.push('\n');
    Ok(json)
}

/// Reads spec files for [`spec::load_sources`]: YAML files as they are, Jsonnet files
/// evaluated to JSON (which the YAML loader reads as well).
///
/// An evaluated file keeps its path with ` (evaluated)` appended, so that diagnostics about
/// its content point at the JSON the loader saw rather than at lines of the Jsonnet source.
pub fn read_sources(
    paths: &[PathBuf],
    options: &JsonnetOptions,
) -> Result<Sources, Vec<Diagnostic>> {
    #[allow(
        clippy::result_large_err,
        reason = "one diagnostic per unreadable file: the size of the error does not matter"
    )]
    let read = |path: &Path| {
        if !is_jsonnet(path) {
            return spec::read_source(path);
        }
        Ok(SourceFile {
            path: format!("{} (evaluated)", path.display()),
            text: evaluate(path, options)?,
        })
    };
    spec::read_sources_with(paths, read)
}

/// Turns a jrsonnet error into a diagnostic whose message starts with `file:line:column`.
fn to_diagnostic(error: &JsonnetError, paths: &PathResolver) -> Diagnostic {
    let location = first_location(error, paths);
    let message = match (&location, error.error()) {
        (Some(location), kind) => format!("{location}: {kind}"),
        // Refusals already start with the import's position.
        (None, ErrorKind::RuntimeError(text)) if text.contains(resolver::REFUSED) => {
            text.to_string()
        }
        (None, ErrorKind::ImportFileNotFound(from, requested)) => {
            match resolver::import_location(from, &requested.to_string()) {
                Some(place) => format!("{place}: {}", error.error()),
                None => error.error().to_string(),
            }
        }
        (None, kind) => kind.to_string(),
    };
    let format = CompactFormat {
        resolver: paths.clone(),
        max_trace: 20,
        padding: 4,
    };
    let trace = format.format(error).unwrap_or_default();
    let code = match error.error() {
        ErrorKind::ImportSyntaxError { .. } => "jsonnet/syntax",
        ErrorKind::RuntimeError(text) if text.contains(resolver::REFUSED) => {
            "jsonnet/import-refused"
        }
        ErrorKind::ImportFileNotFound(..) | ErrorKind::ResolvedFileNotFound(..) => {
            "jsonnet/import-not-found"
        }
        _ => "jsonnet/evaluation",
    };
    Diagnostic::error(code, message).with_help(format!("Jsonnet trace:\n{trace}"))
}

/// `file:line:column` of the innermost place the error points at.
fn first_location(error: &JsonnetError, paths: &PathResolver) -> Option<String> {
    let display = |source: &jrsonnet_evaluator::Source| match source.source_path().path() {
        Some(path) => paths.resolve(path),
        None => source.source_path().to_string(),
    };
    if let ErrorKind::ImportSyntaxError { path, error } = error.error() {
        let offset = (error.location.1 as usize).min(path.code().len()) as u32;
        let [at] = path.map_source_locations(&[offset]);
        return Some(format!("{}:{}:{}", display(path), at.line, at.column));
    }
    error.trace().0.iter().find_map(|element| {
        let span = element.location.as_ref()?;
        let [at] = span.0.map_source_locations(&[span.1]);
        Some(format!("{}:{}:{}", display(&span.0), at.line, at.column))
    })
}
