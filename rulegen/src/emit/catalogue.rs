//! The catalogue as JSON: `<spec>.catalogue.json`.

use std::path::PathBuf;

use serde::Serialize;

use super::{header, EmitError};
use crate::generate::{Catalogue, Compiled};

#[derive(Serialize)]
struct File<'a> {
    comment: String,
    sources: &'a [String],
    #[serde(flatten)]
    catalogue: &'a Catalogue,
}

/// The catalogue file's name and text (pretty JSON, keys in declaration order, maps sorted).
pub fn render(compiled: &Compiled) -> Result<(PathBuf, String), EmitError> {
    let file = File {
        comment: header(compiled),
        sources: &compiled.sources,
        catalogue: &compiled.catalogue,
    };
    let mut text =
        serde_json::to_string_pretty(&file).map_err(|e| EmitError::Catalogue(e.to_string()))?;
    text.push('\n');
    Ok((
        PathBuf::from(format!("{}.catalogue.json", compiled.name)),
        text,
    ))
}
