//! Parsing speed of `meshward_exposition::parse` against `prometheus_parse::Scrape::parse`,
//! side by side on the same inputs: generated Envoy/Istio expositions of about 5 000 and
//! 50 000 lines, and the real proxy dumps in `../shared/fixtures` when that directory exists.
//!
//! `scripts/bench` runs this and prints MB/s, lines/s and the ratio of the two parsers. Each
//! input is announced on stdout as `input <name> bytes=<n> lines=<n>` for that script.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

#[path = "../tests/common/shapes.rs"]
#[allow(dead_code)]
mod shapes;

/// A named exposition body.
struct Input {
    name: String,
    body: String,
}

fn inputs() -> Vec<Input> {
    let mut inputs = vec![
        Input {
            name: "envoy-5k".into(),
            body: shapes::envoy_exposition_of_lines(5_000),
        },
        Input {
            name: "envoy-50k".into(),
            body: shapes::envoy_exposition_of_lines(50_000),
        },
    ];

    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    match std::fs::read_dir(&fixtures) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
                .collect();
            paths.sort();
            for path in paths {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                match std::fs::read_to_string(&path) {
                    Ok(body) => inputs.push(Input {
                        name: format!("fixture-{stem}"),
                        body,
                    }),
                    Err(error) => eprintln!("note: skipping {}: {error}", path.display()),
                }
            }
        }
        Err(_) => eprintln!(
            "note: {} is absent; benchmarking generated input only",
            fixtures.display()
        ),
    }
    inputs
}

fn parsers(c: &mut Criterion) {
    for input in inputs() {
        let lines = input.body.lines().count();
        println!(
            "input {} bytes={} lines={lines}",
            input.name,
            input.body.len()
        );

        let mut group = c.benchmark_group(format!("parse_{}", input.name));
        // One timing per sample: the oracle needs a tenth of a second for the largest input.
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Bytes(input.body.len() as u64));

        group.bench_function("meshward", |b| {
            b.iter(|| {
                let exposition = meshward_exposition::parse(
                    black_box(&input.body),
                    meshward_exposition::Format::Text,
                );
                black_box(exposition.samples.len() + exposition.errors.len())
            })
        });
        group.bench_function("prometheus-parse", |b| {
            b.iter(|| {
                let lines = black_box(&input.body)
                    .lines()
                    .map(|line| Ok(line.to_owned()));
                let scrape = prometheus_parse::Scrape::parse(lines).expect("reading from memory");
                black_box(scrape.samples.len())
            })
        });
        group.finish();
    }
}

fn config() -> Criterion {
    // Five inputs, two parsers: about a minute of measuring on two cores.
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = parsers
}
criterion_main!(benches);
