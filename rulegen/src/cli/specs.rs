//! Reading the specs a command names, or the built-in one, and reporting their diagnostics.

use std::path::PathBuf;

use crate::diag::{self, Diagnostic, RenderStyle};
use crate::generate::{self, Compiled};
use crate::jsonnet::JsonnetOptions;
use crate::spec::{self, model::SourceFile, model::Sources, model::Spec};

/// The repository's default mesh-security spec, used when no spec is named.
const BUILT_IN: &str = include_str!("../../../examples/mesh-security.yaml");
/// How the built-in spec is named in diagnostics and headers.
const BUILT_IN_PATH: &str = "examples/mesh-security.yaml (built in)";

/// Reads the sources of `paths`, or the built-in spec when there are none; Jsonnet specs
/// (`.jsonnet`, `.libsonnet`) are evaluated with `jsonnet`.
pub fn sources(paths: &[PathBuf], jsonnet: &JsonnetOptions) -> Result<Sources, Vec<Diagnostic>> {
    if paths.is_empty() {
        return Ok(Sources {
            files: vec![SourceFile {
                path: BUILT_IN_PATH.to_owned(),
                text: BUILT_IN.to_owned(),
            }],
        });
    }
    crate::jsonnet::read_sources(paths, jsonnet)
}

/// Loads and compiles the specs; on failure prints the diagnostics and returns `None`.
pub fn compile(paths: &[PathBuf]) -> Option<(Spec, Compiled)> {
    compile_with(paths, &JsonnetOptions::default())
}

/// [`compile`], evaluating Jsonnet specs with `jsonnet`.
pub fn compile_with(paths: &[PathBuf], jsonnet: &JsonnetOptions) -> Option<(Spec, Compiled)> {
    let sources = match sources(paths, jsonnet) {
        Ok(sources) => sources,
        Err(diagnostics) => {
            report(&Sources::default(), &diagnostics);
            return None;
        }
    };
    let spec = match spec::load_sources(&sources) {
        Ok(spec) => spec,
        Err(diagnostics) => {
            report(&sources, &diagnostics);
            return None;
        }
    };
    match generate::compile(&spec) {
        Ok(compiled) => {
            report(&spec.sources, &compiled.warnings);
            Some((spec, compiled))
        }
        Err(diagnostics) => {
            report(&spec.sources, &diagnostics);
            None
        }
    }
}

/// Prints diagnostics to stderr.
pub fn report(sources: &Sources, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let mut sorted = diagnostics.to_vec();
    diag::sort(&mut sorted);
    eprint!(
        "{}",
        diag::render_styled(sources, &sorted, RenderStyle::for_stderr())
    );
}
