//! Every malformed spec under `testdata/specs/invalid/` is rejected with the diagnostics in its
//! snapshot: a file `NN-name.yaml` is a one-file spec, a directory `NN-name/` a spec of several
//! files (read in name order).

use std::path::{Path, PathBuf};

use meshward_rulegen::diag;
use meshward_rulegen::spec::{self, model::Sources};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/specs/invalid")
}

/// The spec files of one case, with the paths shown in diagnostics relative to the repository.
fn case_files(entry: &Path) -> Vec<PathBuf> {
    if entry.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(entry)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    } else {
        vec![entry.to_path_buf()]
    }
}

fn shown(path: &Path) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let relative = path.strip_prefix(&repo).unwrap_or(path);
    relative.display().to_string()
}

#[test]
fn every_malformed_spec_is_rejected_with_its_diagnostics() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} malformed specs", cases.len());
    for case in cases {
        let files = case_files(&case);
        let mut sources = spec::read_sources(&files).unwrap();
        for file in &mut sources.files {
            file.path = shown(Path::new(&file.path));
        }
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        let diagnostics = match spec::load_sources(&sources) {
            Ok(_) => panic!("{name} was accepted"),
            Err(diagnostics) => diagnostics,
        };
        assert!(
            diagnostics
                .iter()
                .all(|d| d.span.is_some() || d.code == "spec/no-main-file"),
            "{name}: a diagnostic without a place: {diagnostics:?}"
        );
        let rendered = render(&sources, &diagnostics);
        insta::with_settings!({
            snapshot_path => "snapshots/spec_invalid",
            prepend_module_to_snapshot => false,
            description => format!("meshward's diagnostics for testdata/specs/invalid/{name}"),
        }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
}

fn render(sources: &Sources, diagnostics: &[diag::Diagnostic]) -> String {
    diag::render(sources, diagnostics)
}

#[test]
fn load_reads_the_files_it_is_given() {
    let files = case_files(&corpus().join("34-duplicate-service-across-files"));
    let errors = spec::load(&files).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "spec/duplicate-service");
    let span = errors[0].span.unwrap();
    assert_eq!(span.file, 1, "the second declaration, in the second file");
    assert_eq!(
        errors[0].related[0].span.file, 0,
        "the first declaration, in the main file"
    );
}

#[test]
fn unreadable_files_are_reported_without_panicking() {
    let missing = corpus().join("does-not-exist.yaml");
    let errors = spec::load(&[missing]).unwrap_err();
    assert_eq!(errors[0].code, "spec/unreadable-file");
    let errors = spec::load(&[corpus()]).unwrap_err();
    assert!(errors[0].message.contains("directory"), "{:?}", errors[0]);
    assert_eq!(spec::load(&[]).unwrap_err()[0].code, "spec/no-files");
}
