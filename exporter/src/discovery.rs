//! File-based target discovery (`file_sd_configs`): target groups in JSON or YAML files,
//! in Prometheus' file_sd format, re-read whenever their content changes.
//!
//! The files are polled, not watched: on every refresh (the exporter refreshes once per
//! `scrape_interval`) the globs are expanded again and each matching file is read and
//! compared with what was read before. A file that fails to read or check keeps the targets
//! it had before, so a half-written file never drops targets.

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::config::raw::{from_yaml, RawTargetGroup};
use crate::config::validate::{
    check_address, check_labels, check_mesh, check_metrics_path, Checker, META_MESH,
    META_METRICS_PATH,
};
use crate::config::{FileError, FileSdConfig, TargetDefaults};
use crate::target::Target;

/// The targets read from file_sd files, kept between refreshes.
#[derive(Debug, Default)]
pub struct FileDiscovery {
    /// Per `(file_sd config index, file)`: what was read last.
    files: BTreeMap<(usize, PathBuf), FileState>,
}

#[derive(Debug)]
struct FileState {
    /// Hash of the content and settings last read, good or bad.
    fingerprint: u64,
    /// Targets of the last content that checked out.
    targets: Vec<Target>,
}

/// What one refresh found.
#[derive(Debug, Default)]
pub struct Refresh {
    /// Whether the set of discovered targets may have changed.
    pub changed: bool,
    /// Files that failed to read or check in this refresh (each reported once per content).
    pub errors: Vec<FileError>,
}

impl FileDiscovery {
    /// Expands the globs of `configs`, reads files that are new or changed, and forgets
    /// files no longer matched.
    pub fn refresh(&mut self, configs: &[FileSdConfig]) -> Refresh {
        let mut refresh = Refresh::default();
        let mut seen = Vec::new();
        for (index, config) in configs.iter().enumerate() {
            for path in matching_files(config, &mut refresh.errors) {
                self.read_file(index, &path, &config.defaults, &mut refresh);
                seen.push((index, path));
            }
        }

        let before = self.files.len();
        self.files.retain(|key, _| seen.contains(key));
        refresh.changed |= self.files.len() != before;
        refresh
    }

    /// Every discovered target, in the order of configs and file names.
    pub fn targets(&self) -> Vec<Target> {
        self.files
            .values()
            .flat_map(|state| state.targets.iter().cloned())
            .collect()
    }

    fn read_file(
        &mut self,
        index: usize,
        path: &Path,
        defaults: &TargetDefaults,
        out: &mut Refresh,
    ) {
        let key = (index, path.to_path_buf());
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                // The file vanished between the glob and the read, or is unreadable: keep
                // what it gave before, and report it once.
                let fingerprint = fingerprint(&format!("unreadable: {error}"), defaults);
                if self.files.get(&key).map(|s| s.fingerprint) != Some(fingerprint) {
                    out.errors.push(FileError::unreadable(path, &error));
                    let targets = self
                        .files
                        .remove(&key)
                        .map(|s| s.targets)
                        .unwrap_or_default();
                    self.files.insert(
                        key,
                        FileState {
                            fingerprint,
                            targets,
                        },
                    );
                }
                return;
            }
        };

        let fingerprint = fingerprint(&text, defaults);
        if self.files.get(&key).map(|s| s.fingerprint) == Some(fingerprint) {
            return;
        }
        let previous = self
            .files
            .remove(&key)
            .map(|s| s.targets)
            .unwrap_or_default();
        let targets = match read_groups(path, &text, defaults) {
            Ok(targets) => {
                out.changed |= targets != previous;
                targets
            }
            Err(error) => {
                out.errors.push(error);
                previous
            }
        };
        self.files.insert(
            key,
            FileState {
                fingerprint,
                targets,
            },
        );
    }
}

/// The files matching the patterns of `config`, sorted, each once.
fn matching_files(config: &FileSdConfig, errors: &mut Vec<FileError>) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for pattern in &config.patterns {
        let Ok(entries) = glob::glob(pattern) else {
            // Patterns were checked when the config was read.
            continue;
        };
        for entry in entries {
            match entry {
                Ok(path) if path.is_file() => paths.push(path),
                Ok(_) => {}
                Err(error) => {
                    let path = error.path().to_path_buf();
                    errors.push(FileError::unreadable(&path, error.error()));
                }
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

fn fingerprint(text: &str, defaults: &TargetDefaults) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    format!("{defaults:?}").hash(&mut hasher);
    hasher.finish()
}

/// Reads the target groups of one file; any problem rejects the whole file.
pub fn read_groups(
    path: &Path,
    text: &str,
    defaults: &TargetDefaults,
) -> Result<Vec<Target>, FileError> {
    let groups: Vec<RawTargetGroup> = if text.trim().is_empty() {
        Vec::new()
    } else {
        from_yaml(text).map_err(|problem| FileError::new(path, text, vec![problem]))?
    };

    let mut checker = Checker::default();
    let mut targets = Vec::new();
    for group in &groups {
        targets.extend(read_group(group, defaults, &mut checker));
    }
    if !checker.problems.is_empty() {
        return Err(FileError::new(path, text, checker.problems));
    }
    Ok(targets)
}

fn read_group(
    group: &RawTargetGroup,
    defaults: &TargetDefaults,
    checker: &mut Checker,
) -> Vec<Target> {
    let mut labels = check_labels(&group.labels, true, checker);
    let mut defaults = defaults.clone();
    for (name, value) in &group.labels.0 {
        let result = match name.value.as_str() {
            META_MESH => check_mesh(value).map(|dialect| defaults.dialect = Some(dialect)),
            META_METRICS_PATH => check_metrics_path(value).map(|p| defaults.metrics_path = Some(p)),
            _ => Ok(()),
        };
        if let Err(problem) = result {
            checker.problems.push(problem);
        }
    }
    labels.retain(|name, _| !name.starts_with("__"));

    let mut targets = Vec::new();
    for text in &group.targets {
        match check_address(text) {
            Ok(address) => targets.push(defaults.target(address, labels.clone())),
            Err(problem) => checker.problems.push(problem),
        }
    }
    targets
}
