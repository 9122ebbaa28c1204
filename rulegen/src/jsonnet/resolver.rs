//! Import resolution confined to the spec's directory and the jpaths.

use std::path::PathBuf;

use jrsonnet_evaluator::{
    error::ErrorKind, AsPathLike, Error, FileImportResolver, ImportResolver, Result, SourcePath,
};
use jrsonnet_gcmodule::Acyclic;

/// Marks the errors of refused imports.
pub(super) const REFUSED: &str = "import refused";

/// Resolves like the `jsonnet` command (the importing file's directory, then each jpath) and
/// then refuses any file outside the allowed roots.
#[derive(Acyclic)]
pub(super) struct ConfinedResolver {
    inner: FileImportResolver,
    /// Canonical directories a resolved file must lie under.
    roots: Vec<PathBuf>,
}

impl ConfinedResolver {
    /// `roots` are canonical; `jpaths` are searched in order after the importing file's
    /// directory.
    pub(super) fn new(roots: Vec<PathBuf>, jpaths: Vec<PathBuf>) -> ConfinedResolver {
        ConfinedResolver {
            inner: FileImportResolver::new(jpaths),
            roots,
        }
    }

    fn check(
        &self,
        from: Option<&SourcePath>,
        requested: &dyn AsPathLike,
        resolved: SourcePath,
    ) -> Result<SourcePath> {
        let Some(path) = resolved.path() else {
            return Ok(resolved);
        };
        if self.roots.iter().any(|root| path.starts_with(root)) {
            return Ok(resolved);
        }
        let roots: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        let requested = requested.as_path().to_owned().to_string();
        // jrsonnet attaches no position to resolution errors, so find the import ourselves.
        let place = from
            .and_then(|from| import_location(from, &requested))
            .map(|place| format!("{place}: "))
            .unwrap_or_default();
        Err(Error::from(ErrorKind::RuntimeError(
            format!(
                "{place}{REFUSED}: {requested:?} resolves to {}, outside the spec's directory and \
                 the --jpath directories ({}); pass its directory with --jpath to allow it",
                path.display(),
                roots.join(", ")
            )
            .into(),
        )))
    }
}

impl ImportResolver for ConfinedResolver {
    fn resolve_from(&self, from: &SourcePath, path: &dyn AsPathLike) -> Result<SourcePath> {
        let resolved = self.inner.resolve_from(from, path)?;
        self.check(Some(from), path, resolved)
    }

    fn resolve_from_default(&self, path: &dyn AsPathLike) -> Result<SourcePath> {
        let resolved = self.inner.resolve_from_default(path)?;
        self.check(None, path, resolved)
    }

    fn load_file_contents(&self, resolved: &SourcePath) -> Result<Vec<u8>> {
        // The same cap as a YAML spec file, so an import cannot make us read without bound.
        if let Some(path) = resolved.path() {
            let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if len > crate::yaml::MAX_FILE_BYTES as u64 {
                return Err(Error::from(ErrorKind::RuntimeError(
                    format!(
                        "{} is larger than {} bytes; split it into smaller files",
                        path.display(),
                        crate::yaml::MAX_FILE_BYTES
                    )
                    .into(),
                )));
            }
        }
        self.inner.load_file_contents(resolved)
    }
}

/// `file:line:column` of the string literal `requested` in the importing file, the first
/// place it is quoted.
pub(super) fn import_location(from: &SourcePath, requested: &str) -> Option<String> {
    let path = from.path()?;
    let text = std::fs::read_to_string(path).ok()?;
    let offset = ['\'', '"']
        .iter()
        .filter_map(|quote| text.find(&format!("{quote}{requested}{quote}")))
        .min()?;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
    Some(format!("{}:{line}:{column}", display_path(path)))
}

/// A path as traces show it: relative to the working directory when below it.
pub(super) fn display_path(path: &std::path::Path) -> String {
    jrsonnet_evaluator::trace::PathResolver::new_cwd_fallback().resolve(path)
}
