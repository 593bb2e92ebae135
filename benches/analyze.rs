//! `analyze` against `validate` on large layered journeys.
//!
//! Run: `cargo bench --bench analyze`. Figures go to docs/performance.md.
use criterion::{Criterion, criterion_group, criterion_main};
use peakend::render as report;
use peakend::{Journey, Model, Moments, Options, Thresholds, analyze};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("layered-100k");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    // 100,000 touchpoints, ~400,000 transitions, 21 emotion levels.
    let text = peakend::generate::layered(100_000, 100, 4, 1).to_json();
    g.bench_function("validate", |b| {
        b.iter(|| Journey::from_json_str(black_box(&text)).unwrap())
    });
    g.bench_function("analyze", |b| {
        b.iter(|| {
            let j = Journey::from_json_str(black_box(&text)).unwrap();
            let a = analyze(&j, &Model::PeakEnd, &Options::new());
            report::json(&a)
        })
    });
    let j = Journey::from_json_str(&text).unwrap();
    g.bench_function("analyze-only", |b| {
        b.iter(|| analyze(black_box(&j), &Model::PeakEnd, &Options::new()))
    });
    // Issue #3: memory weights (inside analyze) and every single-touchpoint
    // what-if (each touchpoint set to neutral) within 2x one analyze.
    let queries: Vec<(&str, f64)> = j
        .spec()
        .touchpoints
        .iter()
        .map(|t| (t.id.as_str(), 0.0))
        .collect();
    g.bench_function("whatif-every-touchpoint", |b| {
        b.iter(|| peakend::whatif_emotions(black_box(&j), &Model::PeakEnd, &queries).unwrap())
    });
    g.finish();
}

/// Pictures and interop: the map of a 200-touchpoint journey (the legible
/// limit), the collapsed map of 100,000, and importing a 10,000-task
/// Mermaid diagram.
fn bench_render(c: &mut Criterion) {
    use peakend::render;
    let mut g = c.benchmark_group("render");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [200usize, 100_000] {
        let j = Journey::from_spec(peakend::generate::layered(n, 4.min(n), 2, 1)).unwrap();
        let a = analyze(&j, &Model::PeakEnd, &Options::new());
        let m = Moments::find(&j, &a, &Thresholds::new());
        g.bench_function(format!("map-{n}"), |b| {
            b.iter(|| render::map_svg(black_box(&j), &a, &m, &peakend::MapOptions::new()))
        });
    }
    let mut mmd = String::from("journey\n  title Big\n");
    for k in 0..10_000 {
        if k % 100 == 0 {
            mmd.push_str(&format!("  section Stage {}\n", k / 100));
        }
        mmd.push_str(&format!("    Task number {k}: {}: Me, Cat\n", 1 + k % 5));
    }
    g.bench_function("import-mermaid-10k", |b| {
        b.iter(|| {
            peakend::mermaid::read(black_box(&mmd), "big")
                .unwrap()
                .into_journey()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_render);
criterion_main!(benches);
