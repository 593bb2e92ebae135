//! The buying centre at scale (issue #13): every persona's figures and the
//! account's advice, on generated journeys with four personas
//! (`generate::personas`), layered (wide fan-out: each persona's journey
//! is much denser than the journey) and chains with skips.
//!
//! Run: `cargo bench --bench personas`. Figures go to docs/performance.md.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use peakend::{AccountRule, Analyzer, Journey, Model, Objective};
use std::hint::black_box;
use std::time::Duration;

const SIZES: [usize; 2] = [1_000, 10_000];

fn shapes(n: usize) -> [(&'static str, Journey); 2] {
    let mut layered = peakend::generate::layered(n, 100.min(n), 4, 1);
    peakend::generate::personas(&mut layered, 4, 1);
    let mut chain = peakend::generate::chain(n, 1);
    peakend::generate::personas(&mut chain, 4, 1);
    [
        ("layered", Journey::from_spec(layered).unwrap()),
        ("chain", Journey::from_spec(chain).unwrap()),
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("personas");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let analyzer = Analyzer::new(Model::PeakEnd);
    for n in SIZES {
        for (shape, j) in shapes(n) {
            g.bench_with_input(
                BenchmarkId::new(format!("{shape}/personas"), n),
                &j,
                |b, j| b.iter(|| analyzer.personas(black_box(j), AccountRule::Weighted)),
            );
            let a = analyzer.analyze(&j);
            let p = analyzer.personas(&j, AccountRule::Weighted).unwrap();
            g.bench_with_input(
                BenchmarkId::new(format!("{shape}/account-advice"), n),
                &j,
                |b, j| {
                    b.iter(|| analyzer.account_advice(black_box(j), &a, &p, &Objective::Account))
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
