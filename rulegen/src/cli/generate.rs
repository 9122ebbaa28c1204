//! `meshward generate`: specs in, rule files (or a PrometheusRule), promtool tests and a
//! catalogue out, written all at once or not at all.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ValueEnum;
use tracing::info;

use super::{specs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::emit::{self, write, Format, Metadata};
use crate::generate::Compiled;
use crate::lint::{self, LintOptions};
use crate::spec::model::Spec;

const EXAMPLES: &str = "\
Examples:
  # The built-in mesh-security spec (examples/mesh-security.yaml), as plain rule files
  meshward generate --out rules/

  # A spec in several files, for the prometheus-operator
  meshward generate shop.yaml shop-payments.yaml --out k8s/ --format prometheus-rule \\
      --rule-name shop-mesh --rule-namespace monitoring \\
      --rule-labels release=kube-prometheus-stack

  # Grafana dashboards with their provisioning file, sidecar ConfigMaps and operator resources
  meshward generate shop.yaml --out dashboards/ --format dashboards \\
      --dashboard-delivery provisioning,configmap,grafana-operator

  # A monitoring mixin; in CI, fail with a diff when the committed one is stale
  meshward generate shop.yaml --out mixins/shop --format mixin
  meshward generate shop.yaml --out mixins/shop --format mixin --check

  # A Jsonnet spec
  meshward generate shop.jsonnet -J vendor --ext-str env=prod --out rules/

Writes <spec>.rules.yaml and <spec>.rules.test.yaml (rules), or <spec>.prometheusrule.yaml
(prometheus-rule), and <spec>.catalogue.json; <uid>.json per dashboard (dashboards); or
mixin.libsonnet, config.libsonnet and their parts (mixin). Files already in --out that meshward
does not write are left alone. On any error nothing is written. With --check nothing is
written either: the files in --out are compared with what the spec produces, every difference
is printed as a unified diff, and the exit code is 1 if any.";

/// Output formats on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Plain rule files (`groups:`), their promtool tests and the catalogue.
    Rules,
    /// A prometheus-operator PrometheusRule resource and the catalogue.
    PrometheusRule,
    /// Grafana dashboards (JSON), and the delivery files --dashboard-delivery asks for.
    Dashboards,
    /// A monitoring mixin: mixin.libsonnet, config.libsonnet and rendered rule files.
    Mixin,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Rules => Format::Rules,
            FormatArg::PrometheusRule => Format::PrometheusRule,
            FormatArg::Dashboards => Format::Dashboards,
            FormatArg::Mixin => Format::Mixin,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Spec files (YAML or Jsonnet), together one spec; the built-in spec when none.
    #[arg(value_name = "SPEC")]
    specs: Vec<PathBuf>,
    /// Directory to write into (created if missing).
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value_t = FormatArg::Rules)]
    format: FormatArg,
    /// `metadata.name` of the PrometheusRule (default: meshward-<spec name>).
    #[arg(long, value_name = "NAME")]
    rule_name: Option<String>,
    /// `metadata.namespace` of the PrometheusRule (default: none, the namespace of kubectl).
    #[arg(long, value_name = "NAMESPACE")]
    rule_namespace: Option<String>,
    /// `metadata.labels` of the PrometheusRule, so the operator's ruleSelector picks it up;
    /// repeat or separate with commas.
    #[arg(long, value_name = "KEY=VALUE", value_delimiter = ',', value_parser = parse_label)]
    rule_labels: Vec<(String, String)>,
    /// Write nothing; exit 1 with a unified diff when the files in --out differ from what
    /// the spec produces (for CI).
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    dashboards: crate::dashboard::emit::DashboardArgs,
    #[command(flatten)]
    jsonnet: crate::jsonnet::cli::JsonnetArgs,
}

fn parse_label(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, found {text:?}"))?;
    Ok((key.trim().to_owned(), value.trim().to_owned()))
}

/// Runs `meshward generate`.
pub fn run(args: Args) -> u8 {
    let Some((spec, compiled)) = specs::compile_with(&args.specs, &args.jsonnet.options()) else {
        return EXIT_INVALID;
    };
    if !lint_generated(&spec, &compiled) {
        return EXIT_INVALID;
    }
    let options = emit::Options {
        format: args.format.into(),
        resource: Metadata {
            name: args.rule_name,
            namespace: args.rule_namespace,
            labels: args.rule_labels.into_iter().collect::<BTreeMap<_, _>>(),
        },
        dashboards: args.dashboards.deliveries(),
    };
    let outputs = match emit::render(&compiled, &options) {
        Ok(outputs) => outputs,
        Err(error @ emit::EmitError::Metadata(_)) => {
            eprintln!("error: {error}");
            return EXIT_USAGE;
        }
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_INVALID;
        }
    };
    if args.check {
        return match crate::mixin::drift::print_check(&args.out, &outputs) {
            Ok(true) => EXIT_OK,
            Ok(false) => EXIT_INVALID,
            Err(error) => {
                eprintln!("error: cannot compare with {}: {error}", args.out.display());
                EXIT_INVALID
            }
        };
    }
    if let Err(error) = write::write_all(&args.out, &outputs) {
        eprintln!("error: nothing was written: {error}");
        return EXIT_INVALID;
    }
    info!(out = %args.out.display(), files = outputs.len(), format = %options.format, "generated");
    for path in outputs.keys() {
        eprintln!("wrote {}", args.out.join(path).display());
    }
    EXIT_OK
}

/// Lints the generated rules as `check` would lint hand-written ones; an error here is a bug in
/// the generator, reported instead of written.
fn lint_generated(spec: &Spec, compiled: &Compiled) -> bool {
    let options = LintOptions {
        scrape_interval: spec.scrape_interval,
        ..LintOptions::default()
    };
    let mut clean = true;
    for (name, file) in &compiled.rule_files {
        let findings = lint::lint_rule_file(file, &options);
        for finding in &findings {
            let kind = if finding.is_error() {
                "error"
            } else {
                "warning"
            };
            eprintln!("{kind}: {name}: {} [{}]", finding.message, finding.code);
        }
        clean &= !crate::diag::has_errors(&findings);
    }
    clean
}
