//! The command-line flags of Jsonnet specs, shared by every command that reads specs.

use std::path::PathBuf;

use super::JsonnetOptions;

/// `--jpath`, `--ext-str` and `--ext-code`, as the `jsonnet` command spells them.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct JsonnetArgs {
    /// Directory Jsonnet specs may import from, after the spec's own directory; repeatable.
    /// Imports outside these directories are refused.
    #[arg(long = "jpath", short = 'J', value_name = "DIR")]
    pub jpath: Vec<PathBuf>,
    /// `std.extVar(NAME)` of Jsonnet specs is the string VALUE; repeatable.
    #[arg(long = "ext-str", value_name = "NAME=VALUE", value_parser = JsonnetOptions::parse_ext)]
    pub ext_str: Vec<(String, String)>,
    /// `std.extVar(NAME)` of Jsonnet specs is the value of the Jsonnet expression EXPR;
    /// repeatable.
    #[arg(long = "ext-code", value_name = "NAME=EXPR", value_parser = JsonnetOptions::parse_ext)]
    pub ext_code: Vec<(String, String)>,
}

impl JsonnetArgs {
    /// The evaluation options these flags ask for.
    pub fn options(&self) -> JsonnetOptions {
        JsonnetOptions {
            jpaths: self.jpath.clone(),
            ext_str: self.ext_str.iter().cloned().collect(),
            ext_code: self.ext_code.iter().cloned().collect(),
        }
    }
}
