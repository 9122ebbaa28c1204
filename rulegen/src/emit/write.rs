//! Writing a run's outputs all at once or not at all.
//!
//! Every file is first written and fsynced into a staging directory on the same filesystem as
//! the output directory. When the output directory does not exist yet, the staging directory
//! is renamed into place as a whole. When it does, each file is renamed over its target, the
//! previous version set aside; if any rename fails, every replaced file is put back and every
//! new one removed. Unrelated files in the output directory are never touched, and no reader
//! ever sees a partly written file.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use thiserror::Error;
use tracing::{debug, info};

use super::Outputs;

/// Why the outputs could not be written; the output directory is as it was before.
#[derive(Debug, Error)]
pub enum WriteError {
    /// An output path is absolute or climbs out of the output directory.
    #[error("refusing to write {0:?}: output paths must stay inside the output directory")]
    Escapes(PathBuf),
    /// The output path exists but is not a directory.
    #[error("{0} exists and is not a directory")]
    NotADirectory(PathBuf),
    /// Something other than a regular file stands where an output file goes.
    #[error("{0} exists and is not a regular file; move it away first")]
    NotAFile(PathBuf),
    /// A filesystem operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What we tried.
        action: &'static str,
        /// On what.
        path: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
}

fn io_error<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> WriteError + 'a {
    move |source| WriteError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// Writes every output under `out_dir`, or nothing.
pub fn write_all(out_dir: &Path, outputs: &Outputs) -> Result<(), WriteError> {
    for path in outputs.keys() {
        let inside = path.components().all(|c| matches!(c, Component::Normal(_)));
        if !inside || path.as_os_str().is_empty() {
            return Err(WriteError::Escapes(path.clone()));
        }
    }
    match fs::metadata(out_dir) {
        Ok(meta) if meta.is_dir() => replace_files(out_dir, outputs),
        Ok(_) => Err(WriteError::NotADirectory(out_dir.to_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_directory(out_dir, outputs),
        Err(e) => Err(io_error("inspect", out_dir)(e)),
    }
}

/// A staging directory removed (with everything in it) when dropped.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn new(parent: &Path, stem: &str) -> Result<Staging, WriteError> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!(".{stem}.meshward-{}-{n}", std::process::id()));
        fs::create_dir(&path).map_err(io_error("create the staging directory", &path))?;
        Ok(Staging { path })
    }

    fn fill(&self, outputs: &Outputs) -> Result<(), WriteError> {
        for (relative, text) in outputs {
            let path = self.path.join(relative);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(io_error("create", dir))?;
            }
            let mut file = File::create(&path).map_err(io_error("create", &path))?;
            file.write_all(text.as_bytes())
                .map_err(io_error("write", &path))?;
            file.sync_all().map_err(io_error("sync", &path))?;
        }
        sync_dir(&self.path)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn sync_dir(dir: &Path) -> Result<(), WriteError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error("sync", dir))
}

/// The output directory does not exist: build it beside its final place, then rename it in.
fn create_directory(out_dir: &Path, outputs: &Outputs) -> Result<(), WriteError> {
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_error("create", &parent))?;
    let stem = out_dir
        .file_name()
        .map_or_else(|| "out".to_owned(), |n| n.to_string_lossy().into_owned());
    let staging = Staging::new(&parent, &stem)?;
    staging.fill(outputs)?;
    fs::rename(&staging.path, out_dir).map_err(io_error("move the outputs to", out_dir))?;
    sync_dir(&parent)?;
    info!(out = %out_dir.display(), files = outputs.len(), "wrote a new output directory");
    Ok(())
}

/// One file swapped into place, remembered so that it can be undone.
struct Swapped {
    target: PathBuf,
    previous: Option<PathBuf>,
}

/// The output directory exists: stage inside it, then swap file by file, undoing on failure.
fn replace_files(out_dir: &Path, outputs: &Outputs) -> Result<(), WriteError> {
    for relative in outputs.keys() {
        let target = out_dir.join(relative);
        match fs::symlink_metadata(&target) {
            Ok(meta) if !meta.is_file() => return Err(WriteError::NotAFile(target)),
            _ => {}
        }
    }
    let staging = Staging::new(out_dir, "staging")?;
    staging.fill(outputs)?;
    swap_in(out_dir, &staging.path, outputs, |from, to| {
        fs::rename(from, to)
    })?;
    sync_dir(out_dir)?;
    info!(out = %out_dir.display(), files = outputs.len(), "replaced outputs");
    Ok(())
}

/// Renames every staged file over its target with `rename`, setting the previous version
/// aside; on the first failure, undoes every earlier step.
fn swap_in(
    out_dir: &Path,
    staging: &Path,
    outputs: &Outputs,
    mut rename: impl FnMut(&Path, &Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    let backups = staging.join(".previous");
    fs::create_dir(&backups).map_err(io_error("create", &backups))?;
    let mut created_dirs = Vec::new();
    let mut swapped: Vec<Swapped> = Vec::new();
    let mut result = Ok(());
    for (i, relative) in outputs.keys().enumerate() {
        let target = out_dir.join(relative);
        if let Some(dir) = target.parent() {
            if let Err(e) = create_missing(dir, &mut created_dirs) {
                result = Err(e);
                break;
            }
        }
        let previous = if fs::symlink_metadata(&target).is_ok() {
            let backup = backups.join(i.to_string());
            if let Err(e) = rename(&target, &backup) {
                result = Err(io_error("set aside", &target)(e));
                break;
            }
            Some(backup)
        } else {
            None
        };
        let moved = rename(&staging.join(relative), &target);
        swapped.push(Swapped {
            target: target.clone(),
            previous,
        });
        if let Err(e) = moved {
            result = Err(io_error("replace", &target)(e));
            break;
        }
    }
    if let Err(error) = &result {
        undo(&swapped, &created_dirs);
        debug!(out = %out_dir.display(), %error, "undid a partial write");
    }
    result
}

fn create_missing(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), WriteError> {
    if dir.exists() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_missing(parent, created)?;
    }
    fs::create_dir(dir).map_err(io_error("create", dir))?;
    created.push(dir.to_owned());
    Ok(())
}

/// Puts every replaced file back and removes every new one, newest first.
fn undo(swapped: &[Swapped], created_dirs: &[PathBuf]) {
    for step in swapped.iter().rev() {
        match &step.previous {
            Some(backup) => {
                if fs::symlink_metadata(&step.target).is_ok_and(|m| m.is_file()) {
                    let _ = fs::remove_file(&step.target);
                }
                let _ = fs::rename(backup, &step.target);
            }
            None => {
                let _ = fs::remove_file(&step.target);
            }
        }
    }
    for dir in created_dirs.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(files: &[(&str, &str)]) -> Outputs {
        files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect()
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn creates_a_new_directory_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("nested/out");
        write_all(&out, &outputs(&[("a.yaml", "A"), ("sub/b.json", "B")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.yaml")).unwrap(), "A");
        assert_eq!(fs::read_to_string(out.join("sub/b.json")).unwrap(), "B");
        assert_eq!(listing(&root.path().join("nested")), ["out"]);
    }

    #[test]
    fn replaces_files_and_keeps_unrelated_ones() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a.yaml"), "old").unwrap();
        fs::write(root.path().join("mine.txt"), "keep").unwrap();
        write_all(root.path(), &outputs(&[("a.yaml", "new"), ("b.yaml", "B")])).unwrap();
        assert_eq!(
            fs::read_to_string(root.path().join("a.yaml")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(root.path().join("mine.txt")).unwrap(),
            "keep"
        );
        assert_eq!(listing(root.path()), ["a.yaml", "b.yaml", "mine.txt"]);
    }

    #[test]
    fn a_failed_swap_is_undone() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a.yaml"), "old").unwrap();
        fs::write(root.path().join("mine.txt"), "keep").unwrap();
        let files = outputs(&[("a.yaml", "new"), ("d/b.yaml", "B"), ("z.yaml", "Z")]);
        let staging = Staging::new(root.path(), "staging").unwrap();
        staging.fill(&files).unwrap();
        // The third file's rename fails, after a.yaml was replaced and d/ created.
        let mut renames = 0;
        let error = swap_in(root.path(), &staging.path, &files, |from, to| {
            renames += 1;
            if to.ends_with("z.yaml") {
                return Err(io::Error::other("disk full"));
            }
            fs::rename(from, to)
        })
        .unwrap_err();
        assert!(error.to_string().contains("disk full"), "{error}");
        assert_eq!(renames, 4);
        drop(staging);
        assert_eq!(
            fs::read_to_string(root.path().join("a.yaml")).unwrap(),
            "old"
        );
        assert_eq!(listing(root.path()), ["a.yaml", "mine.txt"]);
    }

    #[test]
    fn a_directory_in_the_way_of_a_file_is_refused_before_any_change() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a.yaml"), "old").unwrap();
        fs::create_dir(root.path().join("b.yaml")).unwrap();
        fs::write(root.path().join("b.yaml/inside"), "x").unwrap();
        let error =
            write_all(root.path(), &outputs(&[("a.yaml", "new"), ("b.yaml", "B")])).unwrap_err();
        assert!(matches!(error, WriteError::NotAFile(_)), "{error}");
        assert_eq!(
            fs::read_to_string(root.path().join("a.yaml")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_to_string(root.path().join("b.yaml/inside")).unwrap(),
            "x"
        );
        assert_eq!(listing(root.path()), ["a.yaml", "b.yaml"]);
    }

    #[test]
    fn paths_may_not_escape() {
        let root = tempfile::tempdir().unwrap();
        for bad in ["../x", "/etc/x", ""] {
            let error = write_all(root.path(), &outputs(&[(bad, "x")])).unwrap_err();
            assert!(matches!(error, WriteError::Escapes(_)), "{bad}: {error}");
        }
        assert!(listing(root.path()).is_empty());
    }

    #[test]
    fn a_file_in_the_way_of_the_directory_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        fs::write(&out, "not a dir").unwrap();
        let error = write_all(&out, &outputs(&[("a", "A")])).unwrap_err();
        assert!(matches!(error, WriteError::NotADirectory(_)));
    }
}
