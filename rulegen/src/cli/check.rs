//! `meshward check`: lint specs, rule files, PrometheusRule resources and Grafana dashboards.

use std::path::PathBuf;

use crate::check::check_paths_with;
use crate::diag::{self, RenderStyle};
use crate::lint::LintOptions;
use crate::units::PromDuration;

use super::{EXIT_INVALID, EXIT_OK};

const EXAMPLES: &str = "\
Examples:
  meshward check examples/shop.yaml
  meshward check shop.yaml shop-payments.yaml       # one spec in two files
  meshward check rules/*.yaml k8s/prometheusrule.yaml --scrape-interval 1m
  meshward check dashboards/*.json
  meshward check shop.jsonnet -J vendor --ext-str env=prod

Spec files (YAML, or Jsonnet evaluated first) are validated and their rules linted; rule files
and PrometheusRule resources are linted: PromQL syntax, rate windows, zero-traffic guards,
template labels, duplicates, names. Grafana dashboards (JSON with `panels` and
`schemaVersion`) are checked against Grafana's dashboard schema (misspelt keys, wrong types)
and meshward's invariants (overlapping panels, uids, variables, units, panel queries).
Exit codes: 0 clean (warnings allowed), 1 an input is invalid, 2 usage error.";

#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Specs (YAML or Jsonnet), rule files, PrometheusRule resources and dashboards.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// How often Prometheus scrapes the series the rules read (for rate-window checks).
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    scrape_interval: PromDuration,
    /// How many scrape intervals a rate window must span at least.
    #[arg(long, value_name = "N", default_value_t = 2)]
    min_rate_scrapes: u32,
    #[command(flatten)]
    jsonnet: crate::jsonnet::cli::JsonnetArgs,
}

/// Runs `meshward check`.
pub fn run(args: Args) -> u8 {
    let options = LintOptions {
        scrape_interval: args.scrape_interval,
        min_rate_scrapes: args.min_rate_scrapes,
    };
    let report = check_paths_with(&args.paths, &options, &args.jsonnet.options());
    if !report.diagnostics.is_empty() {
        eprint!(
            "{}",
            diag::render_styled(
                &report.sources,
                &report.diagnostics,
                RenderStyle::for_stderr()
            )
        );
    }
    let rules: usize = report.inputs.iter().map(|i| i.rules).sum();
    let panels: usize = report.inputs.iter().map(|i| i.panels).sum();
    if report.exit_code() == 0 {
        let panels = if panels > 0 {
            format!(", {panels} dashboard panel(s)")
        } else {
            String::new()
        };
        eprintln!(
            "ok: {} file(s), {rules} rule(s){panels}",
            report.inputs.len()
        );
        EXIT_OK
    } else {
        EXIT_INVALID
    }
}
