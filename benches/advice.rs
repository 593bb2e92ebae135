//! Advice as fast as the analysis it rests on (issue #10): `recommend` and
//! `report` against one `analyze`, from 100 to 100,000 touchpoints, on two
//! shapes — layered journeys of width 100 with 4-way branches (wide
//! fan-out) and long chains with skips. Durations make the dashboard mean
//! a Monte Carlo estimate on both beyond a few hundred touchpoints.
//!
//! Run: `cargo bench --bench advice`. Figures and the growth exponent go
//! to docs/performance.md.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use peakend::render;
use peakend::{Analyzer, Journey, MapOptions, Model, ReportOptions};
use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];

fn shapes(n: usize) -> [(&'static str, Journey); 2] {
    let layered = Journey::from_spec(peakend::generate::layered(n, 100.min(n), 4, 1)).unwrap();
    let chain = Journey::from_spec(peakend::generate::chain(n, 1)).unwrap();
    [("layered", layered), ("chain", chain)]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("advice");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let analyzer = Analyzer::new(Model::PeakEnd);
    for n in SIZES {
        for (shape, j) in shapes(n) {
            g.bench_with_input(
                BenchmarkId::new(format!("{shape}/analyze"), n),
                &j,
                |b, j| b.iter(|| analyzer.analyze(black_box(j))),
            );
            g.bench_with_input(
                BenchmarkId::new(format!("{shape}/recommend"), n),
                &j,
                |b, j| {
                    b.iter(|| {
                        let a = analyzer.analyze(black_box(j));
                        analyzer.recommend(j, &a, None)
                    })
                },
            );
            g.bench_with_input(
                BenchmarkId::new(format!("{shape}/recommend-budget-5"), n),
                &j,
                |b, j| {
                    b.iter(|| {
                        let a = analyzer.analyze(black_box(j));
                        analyzer.recommend(j, &a, Some(5.0))
                    })
                },
            );
            g.bench_with_input(
                BenchmarkId::new(format!("{shape}/report"), n),
                &j,
                |b, j| {
                    b.iter(|| {
                        let a = analyzer.analyze(black_box(j));
                        let m = analyzer.moments(j, &a);
                        let r = analyzer.recommend(j, &a, None);
                        let o = ReportOptions::new().map(MapOptions::new());
                        render::html_report(j, &a, &m, &r, &o)
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
