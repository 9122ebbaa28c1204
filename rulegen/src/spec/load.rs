//! Reading spec files into a validated [`Spec`]: files, YAML, merge, decode, validate.
//!
//! A spec may span several files. Exactly one is the *main file*: the one that sets `name`
//! (a spec given as a single file is always its main file). The main file holds the settings
//! (`version`, `name`, `mesh`, `labels`, `runbook_url`, `scrape_interval`,
//! `evaluation_interval`, `selectors`) and may hold `services` and `rules`; every other file
//! may hold only `version`, `services` and `rules`. Services and rules are concatenated in the
//! order the files were given. A service is identified by its `(namespace, name)`: declaring
//! one twice, in one file or across files, is an error that points at both declarations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{self, Diagnostic};
use crate::spec::decode::{Decoder, Fields};
use crate::spec::model::*;
use crate::spec::{user_rules, validate};
use crate::units::PromDuration;
use crate::yaml::{self, Node};

/// The only spec format version.
pub const VERSION: u32 = 1;

/// Default `scrape_interval`: Prometheus' most common setting.
pub const DEFAULT_SCRAPE_INTERVAL: PromDuration = PromDuration::from_secs(30);
/// Default `evaluation_interval`: Prometheus' default.
pub const DEFAULT_EVALUATION_INTERVAL: PromDuration = PromDuration::from_secs(60);

const MAIN_KEYS: [&str; 10] = [
    "version",
    "name",
    "mesh",
    "labels",
    "runbook_url",
    "scrape_interval",
    "evaluation_interval",
    "selectors",
    "services",
    "rules",
];
const FRAGMENT_KEYS: [&str; 3] = ["version", "services", "rules"];
const SERVICE_KEYS: [&str; 10] = [
    "name",
    "namespace",
    "workload",
    "mesh",
    "mtls",
    "authz",
    "availability",
    "latency",
    "spikes",
    "certificates",
];
const SEVERITIES: [(&str, Severity); 3] = [
    ("critical", Severity::Critical),
    ("warning", Severity::Warning),
    ("info", Severity::Info),
];
const MESHES: [(&str, Mesh); 4] = [
    ("istio", Mesh::Istio),
    ("linkerd", Mesh::Linkerd),
    ("envoy", Mesh::Envoy),
    ("meshward", Mesh::Meshward),
];

/// Reads and validates a spec from its files.
///
/// Diagnostics index files in the order of `paths`; to render them, read the same files with
/// [`read_sources`] (or call [`read_sources`] and [`load_sources`] yourself).
pub fn load(paths: &[PathBuf]) -> Result<Spec, Vec<Diagnostic>> {
    let sources = read_sources(paths)?;
    load_sources(&sources)
}

/// Reads and validates a spec held in one string; `path` names it in diagnostics.
pub fn load_str(path: &str, text: &str) -> Result<Spec, Vec<Diagnostic>> {
    load_sources(&Sources {
        files: vec![SourceFile {
            path: path.to_owned(),
            text: text.to_owned(),
        }],
    })
}

/// Reads spec files (at most [`yaml::MAX_FILE_BYTES`] each) into [`Sources`].
pub fn read_sources(paths: &[PathBuf]) -> Result<Sources, Vec<Diagnostic>> {
    read_sources_with(paths, read_source)
}

/// Reads every path with `read`, in order, reporting every file that cannot be read rather
/// than only the first; an empty list of paths is an error.
pub(crate) fn read_sources_with(
    paths: &[PathBuf],
    mut read: impl FnMut(&Path) -> Result<SourceFile, Diagnostic>,
) -> Result<Sources, Vec<Diagnostic>> {
    if paths.is_empty() {
        return Err(vec![Diagnostic::error(
            "spec/no-files",
            "no spec files were given",
        )
        .with_help("name at least one spec file, e.g. `examples/shop.yaml`")]);
    }
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    for path in paths {
        match read(path) {
            Ok(file) => sources.files.push(file),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    if diagnostics.is_empty() {
        Ok(sources)
    } else {
        Err(diagnostics)
    }
}

/// One spec file as it is, named by its path.
#[allow(
    clippy::result_large_err,
    reason = "one diagnostic per unreadable file: the size of the error does not matter"
)]
pub(crate) fn read_source(path: &Path) -> Result<SourceFile, Diagnostic> {
    Ok(SourceFile {
        path: path.display().to_string(),
        text: read_file(path)?,
    })
}

/// Reads one file as UTF-8 text, refusing directories and oversized files.
// One diagnostic per unreadable file: the size of the error does not matter.
#[allow(clippy::result_large_err)]
fn read_file(path: &Path) -> Result<String, Diagnostic> {
    let shown = path.display();
    let unreadable = |reason: String, help: &str| {
        Diagnostic::error(
            "spec/unreadable-file",
            format!("cannot read `{shown}`: {reason}"),
        )
        .with_help(help.to_owned())
    };
    let metadata = std::fs::metadata(path)
        .map_err(|e| unreadable(e.to_string(), "check the path and its permissions"))?;
    if metadata.is_dir() {
        return Err(unreadable(
            "it is a directory".into(),
            "name the YAML files inside it",
        ));
    }
    if metadata.len() > yaml::MAX_FILE_BYTES as u64 {
        return Err(unreadable(
            format!("it is larger than {} bytes", yaml::MAX_FILE_BYTES),
            "split it into smaller files",
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| unreadable(e.to_string(), "check the path and its permissions"))?;
    String::from_utf8(bytes).map_err(|e| {
        unreadable(
            format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })
}

/// Validates a spec from already-read sources: YAML files, or JSON (for instance the output of
/// a Jsonnet evaluation), which YAML reads as well.
pub fn load_sources(sources: &Sources) -> Result<Spec, Vec<Diagnostic>> {
    let mut decoder = Decoder::default();
    let mut documents = Vec::new();
    for (index, file) in sources.files.iter().enumerate() {
        match yaml::parse_document(index, &file.text) {
            Ok(node) => documents.push(node),
            Err(diagnostic) => decoder.push(diagnostic),
        }
    }
    if !decoder.diagnostics.is_empty() {
        return Err(finish(decoder.diagnostics));
    }
    let spec = decode_spec(&mut decoder, sources, &documents);
    if let Some((spec, located)) = &spec {
        let lint = user_rules::lint(spec, located);
        decoder.diagnostics.extend(lint);
    }
    match spec.map(|(spec, _)| spec) {
        Some(spec) if !diag::has_errors(&decoder.diagnostics) => Ok(spec),
        _ => Err(finish(decoder.diagnostics)),
    }
}

fn finish(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diag::sort(&mut diagnostics);
    diagnostics.dedup();
    diagnostics
}

/// Decodes the merged spec and its rules' positions; `None` when any part failed (the decoder
/// holds why).
fn decode_spec(
    decoder: &mut Decoder,
    sources: &Sources,
    documents: &[Node],
) -> Option<(Spec, Vec<user_rules::Located>)> {
    let main = main_file(decoder, documents)?;
    let mut services = Vec::new();
    let mut rules = Vec::new();
    let mut settings = None;
    for (index, document) in documents.iter().enumerate() {
        let owner = Span {
            file: index,
            offset: 0,
            len: 0,
        };
        let (what, allowed): (&str, &[&str]) = if index == main {
            ("the spec", &MAIN_KEYS)
        } else {
            // Main-file keys are reported by `reject_main_only_keys` with a better message.
            ("a spec fragment (a file without `name`)", &MAIN_KEYS)
        };
        if document.is_null() {
            decoder.push(
                Diagnostic::error("spec/empty-file", "this spec file is empty")
                    .at(owner, "empty file")
                    .with_help("start the spec with `version: 1` and `name: <slug>`"),
            );
            continue;
        }
        if index != main {
            reject_main_only_keys(decoder, document);
        }
        let Some(fields) = decoder.fields(document, what, owner, allowed) else {
            continue;
        };
        if let Some(version) = fields.get("version") {
            check_version(decoder, version);
        } else if index == main {
            decoder.required(&fields, "version", "1");
        }
        if index == main {
            settings = decode_settings(decoder, &fields, &sources.files[index].text);
        }
        if let Some(node) = fields.get("services") {
            if let Some(items) = decoder.list(node, "`services`") {
                services.extend(items.iter().map(|item| (item, index)));
            }
        }
        if let Some(node) = fields.get("rules") {
            if let Some(items) = decoder.list(node, "`rules`") {
                rules.extend(items.iter());
            }
        }
    }
    // Services and rules are decoded even when the settings failed, so that one run reports
    // every problem.
    let default_mesh = settings.as_ref().map_or(Mesh::Istio, |s| s.mesh);
    let services = decode_services(decoder, &services, default_mesh);
    let rules: Vec<user_rules::Located> = rules
        .into_iter()
        .filter_map(|item| user_rules::decode(decoder, item))
        .collect();
    let (settings, services) = (settings?, services?);
    if services.is_empty() && rules.is_empty() && decoder.diagnostics.is_empty() {
        decoder.push(
            Diagnostic::error(
                "spec/nothing-to-watch",
                "the spec declares no services and no rules, so there is nothing to generate",
            )
            .at(settings.name_span, "this spec")
            .with_help("add a `services:` list with at least one service"),
        );
    }
    if !decoder.diagnostics.is_empty() {
        return None;
    }
    let spec = Spec {
        version: VERSION,
        name: settings.name,
        mesh: settings.mesh,
        labels: settings.labels,
        runbook_url: settings.runbook_url,
        scrape_interval: settings.scrape_interval,
        evaluation_interval: settings.evaluation_interval,
        services,
        rules: rules.iter().map(|l| l.rule.clone()).collect(),
        selectors: settings.selectors,
        sources: sources.clone(),
    };
    Some((spec, rules))
}

/// Picks the main file: the only file, or the one file that sets `name`.
fn main_file(decoder: &mut Decoder, documents: &[Node]) -> Option<usize> {
    if documents.len() == 1 {
        return Some(0);
    }
    let named: Vec<(usize, &yaml::Entry)> = documents
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.entry("name").map(|e| (i, e)))
        .collect();
    match named.as_slice() {
        [(index, _)] => Some(*index),
        [] => {
            decoder.push(
                Diagnostic::error(
                    "spec/no-main-file",
                    format!(
                        "none of the {} spec files sets `name`, so none is the main file",
                        documents.len()
                    ),
                )
                .with_help(
                    "exactly one file must set `version`, `name` and `mesh`; the others may \
                     only add `services` and `rules`",
                ),
            );
            None
        }
        [(_, first), rest @ ..] => {
            for (_, again) in rest {
                decoder.push(
                    Diagnostic::error(
                        "spec/several-main-files",
                        "more than one spec file sets `name`",
                    )
                    .at(again.key.span, "second main file")
                    .with_related(first.key.span, "first main file")
                    .with_help("keep `name` and the other settings in one file"),
                );
            }
            None
        }
    }
}

/// Explains why a fragment may not set a main-file setting, instead of a bare "unknown key".
fn reject_main_only_keys(decoder: &mut Decoder, document: &Node) {
    for entry in document.as_map().unwrap_or_default() {
        let key = entry.key_text();
        if MAIN_KEYS.contains(&key) && !FRAGMENT_KEYS.contains(&key) {
            decoder.push(
                Diagnostic::error(
                    "spec/main-only-key",
                    format!(
                        "`{key}` may only be set in the main spec file (the one that sets `name`)"
                    ),
                )
                .at(entry.key.span, "not allowed in a fragment")
                .with_help(format!("move `{key}` to the main file")),
            );
        }
    }
}

fn check_version(decoder: &mut Decoder, node: &Node) {
    let Some(text) = decoder.string(node, "`version`") else {
        return;
    };
    if text != VERSION.to_string() {
        decoder.push(
            Diagnostic::error(
                "spec/unsupported-version",
                format!(
                    "spec version `{text}` is not supported; this meshward reads version {VERSION}"
                ),
            )
            .at(node.span, "unsupported version")
            .with_help(format!("write `version: {VERSION}`")),
        );
    }
}

/// The main file's settings.
struct Settings {
    name: String,
    name_span: Span,
    mesh: Mesh,
    labels: BTreeMap<String, String>,
    runbook_url: Option<String>,
    scrape_interval: PromDuration,
    evaluation_interval: PromDuration,
    selectors: Selectors,
}

fn decode_settings(decoder: &mut Decoder, fields: &Fields<'_>, source: &str) -> Option<Settings> {
    let name_node = decoder.required(fields, "name", "shop");
    let name = name_node.and_then(|n| decoder.string(n, "`name`"));
    if let (Some(name), Some(node)) = (&name, name_node) {
        if !validate::is_slug(name) {
            decoder.push(
                Diagnostic::error(
                    "spec/invalid-name",
                    format!("`name` must be a lowercase slug, found `{name}`"),
                )
                .at(node.span, "not a slug")
                .with_help("use lowercase letters, digits and inner dashes, at most 63 characters (`shop-prod`)"),
            );
        }
    }
    let mesh = decoder
        .required(fields, "mesh", "istio")
        .and_then(|n| decoder.choice(n, "`mesh`", &MESHES));
    let labels = match fields.get("labels") {
        Some(node) => labels(decoder, node, "`labels`", &validate::RESERVED_LABELS),
        None => Some(BTreeMap::new()),
    };
    let runbook_url = fields.get("runbook_url").and_then(|node| {
        let template = decoder.string(node, "`runbook_url`")?;
        validate::check_runbook_template(&mut decoder.diagnostics, &template, node, source);
        Some(template)
    });
    let scrape_interval = optional(
        fields.get("scrape_interval"),
        DEFAULT_SCRAPE_INTERVAL,
        |n| decoder.positive_duration(n, "`scrape_interval`"),
    );
    let evaluation_interval = optional(
        fields.get("evaluation_interval"),
        DEFAULT_EVALUATION_INTERVAL,
        |n| decoder.positive_duration(n, "`evaluation_interval`"),
    );
    let selectors = match fields.entry("selectors") {
        Some(entry) => decode_selectors(decoder, entry),
        None => Some(Selectors::default()),
    };
    Some(Settings {
        name: name?,
        name_span: name_node?.span,
        mesh: mesh?,
        labels: labels?,
        runbook_url,
        scrape_interval: scrape_interval?,
        evaluation_interval: evaluation_interval?,
        selectors: selectors?,
    })
}

/// The value read by `read` when `node` is present, else `default`.
fn optional<T>(
    node: Option<&Node>,
    default: T,
    read: impl FnOnce(&Node) -> Option<T>,
) -> Option<T> {
    match node {
        Some(node) => read(node),
        None => Some(default),
    }
}

/// A `labels` mapping: valid, unreserved names and non-empty values.
pub(crate) fn labels(
    decoder: &mut Decoder,
    node: &Node,
    what: &str,
    reserved: &[&str],
) -> Option<BTreeMap<String, String>> {
    let entries = decoder.string_map(node, what)?;
    let mut labels = BTreeMap::new();
    let mut ok = true;
    for (name, name_span, value, value_span) in entries {
        ok &= validate::check_label_name(&mut decoder.diagnostics, &name, name_span, reserved);
        if value.is_empty() {
            decoder.push(
                Diagnostic::error(
                    "spec/invalid-label-value",
                    format!("the label `{name}` has an empty value"),
                )
                .at(value_span, "empty value")
                .with_help("Prometheus treats an empty label as an absent one; remove the label or give it a value"),
            );
            ok = false;
        }
        labels.insert(name, value);
    }
    ok.then_some(labels)
}

fn decode_selectors(decoder: &mut Decoder, entry: &yaml::Entry) -> Option<Selectors> {
    let fields = decoder.fields(
        &entry.value,
        "`selectors`",
        entry.key.span,
        &["istio", "linkerd", "envoy"],
    )?;
    let defaults = Selectors::default();
    let mut one = |key: &str, default: SelectorLabels| -> Option<SelectorLabels> {
        let Some(entry) = fields.entry(key) else {
            return Some(default);
        };
        let what = format!("`selectors.{key}`");
        let labels = decoder.fields(
            &entry.value,
            &what,
            entry.key.span,
            &["namespace", "workload"],
        )?;
        let mut label = |name: &str, default: String| -> Option<String> {
            let Some(node) = labels.get(name) else {
                return Some(default);
            };
            let value = decoder.string(node, &format!("`{name}` in {what}"))?;
            validate::check_label_name(&mut decoder.diagnostics, &value, node.span, &[])
                .then_some(value)
        };
        let namespace = label("namespace", default.namespace);
        let workload = label("workload", default.workload);
        Some(SelectorLabels {
            namespace: namespace?,
            workload: workload?,
            span: Some(entry.key.span),
        })
    };
    let istio = one("istio", defaults.istio);
    let linkerd = one("linkerd", defaults.linkerd);
    let envoy = one("envoy", defaults.envoy);
    Some(Selectors {
        istio: istio?,
        linkerd: linkerd?,
        envoy: envoy?,
    })
}

fn decode_services(
    decoder: &mut Decoder,
    items: &[(&Node, usize)],
    default_mesh: Mesh,
) -> Option<Vec<Service>> {
    let mut services = Vec::new();
    let mut seen: BTreeMap<(String, String), Span> = BTreeMap::new();
    let mut ok = true;
    for (item, _) in items {
        let Some((service, name_span)) = decode_service(decoder, item, default_mesh) else {
            ok = false;
            continue;
        };
        let key = (service.namespace.clone(), service.name.clone());
        if let Some(first) = seen.get(&key) {
            decoder.push(
                Diagnostic::error(
                    "spec/duplicate-service",
                    format!(
                        "the service `{}` in namespace `{}` is declared twice",
                        service.name, service.namespace
                    ),
                )
                .at(name_span, "declared again here")
                .with_related(*first, "first declared here")
                .with_help("merge the two declarations into one"),
            );
            ok = false;
            continue;
        }
        seen.insert(key, name_span);
        services.push(service);
    }
    ok.then_some(services)
}

/// One service, and the span of its `name` value (for duplicate reports).
/// Refuses `.` and `..`: the runbook URL template may place a service's name and namespace in
/// a path, where these two, even percent-encoded, are read as "this" and "parent" segments and
/// would change which page the URL names. No Kubernetes object can be named so either.
fn not_a_dot_segment(
    decoder: &mut Decoder,
    node: &Node,
    text: String,
    what: &str,
) -> Option<String> {
    if text != "." && text != ".." {
        return Some(text);
    }
    decoder.push(
        Diagnostic::error("spec/dot-name", format!("{what} cannot be `{text}`"))
            .at(node.span, "a relative path segment")
            .with_help("name the service and namespace as they are named in the mesh"),
    );
    None
}

fn decode_service(
    decoder: &mut Decoder,
    item: &Node,
    default_mesh: Mesh,
) -> Option<(Service, Span)> {
    let fields = decoder.fields(item, "a service", item.span, &SERVICE_KEYS)?;
    let name_node = decoder.required(&fields, "name", "checkout");
    let name = name_node
        .and_then(|n| decoder.non_empty_string(n, "the service `name`"))
        .and_then(|text| not_a_dot_segment(decoder, name_node?, text, "the service `name`"));
    let what = |block: &str| match &name {
        Some(name) => format!("`{block}` of service `{name}`"),
        None => format!("`{block}`"),
    };
    let namespace_node = decoder.required(&fields, "namespace", "shop");
    let namespace = namespace_node
        .and_then(|n| decoder.non_empty_string(n, "the service `namespace`"))
        .and_then(|text| {
            not_a_dot_segment(decoder, namespace_node?, text, "the service `namespace`")
        });
    let workload = match fields.get("workload") {
        Some(node) => decoder.non_empty_string(node, "the service `workload`"),
        None => name.clone(),
    };
    let mesh = optional(fields.get("mesh"), default_mesh, |n| {
        decoder.choice(n, "`mesh`", &MESHES)
    });
    let mtls = block(decoder, &fields, "mtls", &what("mtls"), decode_mtls);
    let authz = block(decoder, &fields, "authz", &what("authz"), decode_authz);
    let availability = block(
        decoder,
        &fields,
        "availability",
        &what("availability"),
        decode_availability,
    );
    let latency = block(
        decoder,
        &fields,
        "latency",
        &what("latency"),
        decode_latency,
    );
    let spikes = block(decoder, &fields, "spikes", &what("spikes"), decode_spikes);
    let certificates = block(
        decoder,
        &fields,
        "certificates",
        &what("certificates"),
        decode_certificates,
    );
    let service = Service {
        name: name?,
        namespace: namespace?,
        workload: workload?,
        mesh: mesh?,
        mtls: mtls?,
        authz: authz?,
        availability: availability?,
        latency: latency?,
        spikes: spikes?,
        certificates: certificates?,
        span: item.span,
    };
    Some((service, name_node?.span))
}

/// An optional signal block: `Some(None)` when absent, `None` when present but invalid.
fn block<'n, T>(
    decoder: &mut Decoder,
    fields: &Fields<'n>,
    key: &str,
    what: &str,
    decode: impl FnOnce(&mut Decoder, &Fields<'n>, Span) -> Option<T>,
) -> Option<Option<T>> {
    let Some(entry) = fields.entry(key) else {
        return Some(None);
    };
    let allowed = block_keys(key);
    let inner = decoder.fields(&entry.value, what, entry.key.span, allowed)?;
    decode(decoder, &inner, entry.key.span).map(Some)
}

fn block_keys(key: &str) -> &'static [&'static str] {
    match key {
        "mtls" => &["mode", "min_ratio", "for", "severity"],
        "authz" => &["max_deny_ratio", "for", "severity"],
        "availability" => &["objective", "window"],
        "latency" => &["percentile", "threshold", "for", "severity"],
        "spikes" => &["errors", "latency"],
        "spike" => &["factor", "baseline", "for", "severity"],
        "certificates" => &["warn_before", "critical_before"],
        _ => &[],
    }
}

fn for_and_severity(
    decoder: &mut Decoder,
    fields: &Fields<'_>,
    default_for: PromDuration,
    default_severity: Severity,
) -> (Option<PromDuration>, Option<Severity>) {
    let what = &fields.what;
    let for_ = optional(fields.get("for"), default_for, |n| {
        decoder.duration(n, &format!("`for` in {what}"))
    });
    let severity = optional(fields.get("severity"), default_severity, |n| {
        decoder.choice(n, &format!("`severity` in {what}"), &SEVERITIES)
    });
    (for_, severity)
}

/// Default `for` of threshold alerts.
const DEFAULT_FOR: PromDuration = PromDuration::from_secs(10 * 60);

fn decode_mtls(decoder: &mut Decoder, fields: &Fields<'_>, span: Span) -> Option<Mtls> {
    let what = fields.what.clone();
    let mode = optional(fields.get("mode"), MtlsMode::Permissive, |n| {
        decoder.choice(
            n,
            &format!("`mode` in {what}"),
            &[
                ("strict", MtlsMode::Strict),
                ("permissive", MtlsMode::Permissive),
            ],
        )
    });
    let min_ratio = optional(fields.get("min_ratio"), default_min_mtls_ratio(), |n| {
        decoder.open_ratio(n, &format!("`min_ratio` in {what}"))
    });
    let (for_, severity) = for_and_severity(decoder, fields, DEFAULT_FOR, Severity::Critical);
    Some(Mtls {
        mode: mode?,
        min_ratio: min_ratio?,
        for_: for_?,
        severity: severity?,
        span,
    })
}

fn default_min_mtls_ratio() -> crate::units::Ratio {
    crate::units::Ratio::from_billionths(990_000_000).unwrap_or(crate::units::Ratio::ONE)
}

fn decode_authz(decoder: &mut Decoder, fields: &Fields<'_>, span: Span) -> Option<Authz> {
    let what = fields.what.clone();
    let default =
        crate::units::Ratio::from_billionths(50_000_000).unwrap_or(crate::units::Ratio::ZERO);
    let max_deny_ratio = optional(fields.get("max_deny_ratio"), default, |n| {
        decoder.open_ratio(n, &format!("`max_deny_ratio` in {what}"))
    });
    let (for_, severity) = for_and_severity(
        decoder,
        fields,
        PromDuration::from_secs(5 * 60),
        Severity::Warning,
    );
    Some(Authz {
        max_deny_ratio: max_deny_ratio?,
        for_: for_?,
        severity: severity?,
        span,
    })
}

/// The shortest SLO period: the slowest burn-rate window pair of the SRE workbook spans 3 days
/// of a 30-day period; periods shorter than a day leave the windows meaningless.
const MIN_SLO_WINDOW: PromDuration = PromDuration::from_secs(24 * 3600);

fn decode_availability(
    decoder: &mut Decoder,
    fields: &Fields<'_>,
    span: Span,
) -> Option<Availability> {
    let what = fields.what.clone();
    let objective = decoder
        .required(fields, "objective", "99.9%")
        .and_then(|n| decoder.open_ratio(n, &format!("`objective` in {what}")));
    let window_node = fields.get("window");
    let window = optional(window_node, PromDuration::from_secs(30 * 24 * 3600), |n| {
        decoder.duration(n, &format!("`window` in {what}"))
    });
    if let (Some(window), Some(node)) = (window, window_node) {
        if window < MIN_SLO_WINDOW {
            decoder.push(
                Diagnostic::error(
                    "spec/out-of-range",
                    format!("`window` in {what} must be at least 1d, found {window}"),
                )
                .at(node.span, "too short")
                .with_help("SLO periods are usually 28d or 30d"),
            );
            return None;
        }
    }
    Some(Availability {
        objective: objective?,
        window: window?,
        span,
    })
}

fn decode_latency(decoder: &mut Decoder, fields: &Fields<'_>, span: Span) -> Option<Latency> {
    let what = fields.what.clone();
    let default =
        crate::units::Ratio::from_billionths(990_000_000).unwrap_or(crate::units::Ratio::ONE);
    let percentile = optional(fields.get("percentile"), default, |n| {
        decoder.open_ratio(n, &format!("`percentile` in {what}"))
    });
    let threshold = decoder
        .required(fields, "threshold", "300ms")
        .and_then(|n| decoder.positive_duration(n, &format!("`threshold` in {what}")));
    let (for_, severity) = for_and_severity(decoder, fields, DEFAULT_FOR, Severity::Warning);
    Some(Latency {
        percentile: percentile?,
        threshold: threshold?,
        for_: for_?,
        severity: severity?,
        span,
    })
}

fn decode_spikes(decoder: &mut Decoder, fields: &Fields<'_>, _span: Span) -> Option<Spikes> {
    let mut one = |key: &str, default_factor: f64| -> Option<Option<Spike>> {
        let Some(entry) = fields.entry(key) else {
            return Some(None);
        };
        let what = format!(
            "`spikes.{key}`{}",
            fields.what.strip_prefix("`spikes`").unwrap_or("")
        );
        let inner = decoder.fields(&entry.value, &what, entry.key.span, block_keys("spike"))?;
        decode_spike(decoder, &inner, entry.key.span, default_factor).map(Some)
    };
    let errors = one("errors", 3.0);
    let latency = one("latency", 2.0);
    Some(Spikes {
        errors: errors?,
        latency: latency?,
    })
}

fn decode_spike(
    decoder: &mut Decoder,
    fields: &Fields<'_>,
    span: Span,
    default_factor: f64,
) -> Option<Spike> {
    let what = fields.what.clone();
    let factor_node = fields.get("factor");
    let factor = optional(factor_node, default_factor, |n| {
        decoder.number(n, &format!("`factor` in {what}"))
    });
    if let (Some(factor), Some(node)) = (factor, factor_node) {
        if factor <= 1.0 {
            decoder.push(
                Diagnostic::error(
                    "spec/out-of-range",
                    format!("`factor` in {what} must be greater than 1, found {factor}"),
                )
                .at(node.span, "not above 1")
                .with_help("a spike is the short-window value at least `factor` times its baseline, e.g. 3"),
            );
            return None;
        }
    }
    let baseline = optional(
        fields.get("baseline"),
        PromDuration::from_secs(24 * 3600),
        |n| decoder.positive_duration(n, &format!("`baseline` in {what}")),
    );
    let (for_, severity) = for_and_severity(decoder, fields, DEFAULT_FOR, Severity::Warning);
    Some(Spike {
        factor: factor?,
        baseline: baseline?,
        for_: for_?,
        severity: severity?,
        span,
    })
}

fn decode_certificates(
    decoder: &mut Decoder,
    fields: &Fields<'_>,
    span: Span,
) -> Option<Certificates> {
    let what = fields.what.clone();
    let warn_node = fields.get("warn_before");
    let critical_node = fields.get("critical_before");
    let warn_before = optional(warn_node, PromDuration::from_secs(14 * 24 * 3600), |n| {
        decoder.positive_duration(n, &format!("`warn_before` in {what}"))
    });
    let critical_before = optional(critical_node, PromDuration::from_secs(3 * 24 * 3600), |n| {
        decoder.positive_duration(n, &format!("`critical_before` in {what}"))
    });
    let (warn_before, critical_before) = (warn_before?, critical_before?);
    if critical_before >= warn_before {
        let diagnostic = Diagnostic::error(
            "spec/threshold-order",
            format!(
                "`critical_before` ({critical_before}) in {what} must be shorter than `warn_before` ({warn_before})"
            ),
        )
        .with_help("the warning comes first: e.g. warn_before: 14d, critical_before: 3d");
        let diagnostic = match (critical_node, warn_node) {
            (Some(c), Some(w)) => diagnostic
                .at(c.span, "not shorter")
                .with_related(w.span, "than this"),
            (Some(c), None) => diagnostic.at(c.span, "not shorter than the default 14d"),
            (None, Some(w)) => diagnostic.at(w.span, "not longer than the default 3d"),
            (None, None) => diagnostic.at(span, "here"),
        };
        decoder.push(diagnostic);
        return None;
    }
    Some(Certificates {
        warn_before,
        critical_before,
        span,
    })
}
