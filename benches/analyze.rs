//! `analyze` against `validate` on large layered journeys.
//!
//! Run: `cargo bench --bench analyze`. Figures go to docs/performance.md.
use criterion::{Criterion, criterion_group, criterion_main};
use peakend::{Journey, Model, Options, analyze, report};
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
    let queries: Vec<(usize, f64)> = (0..j.len()).map(|i| (i, 0.0)).collect();
    g.bench_function("whatif-every-touchpoint", |b| {
        b.iter(|| peakend::whatif_emotions(black_box(&j), &Model::PeakEnd, &queries).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
