//! Any journey, any input (issue #11): `validate` (JSON text to a checked
//! journey), `analyze` and `simulate` from 1,000 to 1,000,000 touchpoints,
//! with 5, 21 and 1,001 distinct emotion values and real-valued ones (mean
//! ratings), on layered journeys of width 100 with 4-way branches; and the
//! validation of the id patterns that once degraded the id index (a
//! counter `t0…`, a long shared prefix, reversed digits).
//!
//! Run: `cargo bench --bench scale` (the 1,000,000 sizes only with
//! `PEAKEND_BENCH_1M=1`: they take minutes). Figures and exponents go to
//! docs/performance.md.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use peakend::{Analyzer, Journey, Model, Operation};
use std::hint::black_box;
use std::time::Duration;

/// Emotion levels: 0 is real-valued.
const LEVELS: [usize; 4] = [5, 21, 1_001, 0];

fn sizes() -> Vec<usize> {
    let mut v = vec![1_000, 10_000, 100_000];
    if std::env::var_os("PEAKEND_BENCH_1M").is_some() {
        v.push(1_000_000);
    }
    v
}

fn journey_text(n: usize, levels: usize) -> String {
    let mut spec = peakend::generate::layered(n, 100, 4, 1);
    if levels != 21 {
        peakend::generate::emotion_levels(&mut spec, levels, 1);
    }
    spec.to_json()
}

fn level_name(levels: usize) -> String {
    if levels == 0 {
        "real".into()
    } else {
        format!("{levels}-levels")
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let analyzer = Analyzer::new(Model::PeakEnd);
    for n in sizes() {
        for levels in LEVELS {
            let text = journey_text(n, levels);
            let name = level_name(levels);
            g.bench_with_input(
                BenchmarkId::new(format!("{name}/validate"), n),
                &text,
                |b, t| b.iter(|| Journey::from_json_str(black_box(t)).unwrap()),
            );
            let j = Journey::from_json_str(&text).unwrap();
            g.bench_with_input(
                BenchmarkId::new(format!("{name}/analyze"), n),
                &j,
                |b, j| b.iter(|| analyzer.analyze(black_box(j))),
            );
            let a = analyzer.analyze(&j);
            let op = [Operation::set("t500", 3.0)];
            g.bench_with_input(
                BenchmarkId::new(format!("{name}/simulate"), n),
                &j,
                |b, j| b.iter(|| analyzer.simulate(black_box(j), &a, &op).unwrap()),
            );
        }
    }
    // Id patterns: the same chain of 200,000 touchpoints under three ids.
    let n = 200_000;
    for (pattern, id) in [
        (
            "counter",
            (|i: usize| format!("t{i}")) as fn(usize) -> String,
        ),
        ("shared-prefix", |i| {
            format!("customer-journey-touchpoint-{i:08}")
        }),
        ("reversed", |i| {
            format!("{i:07}").chars().rev().collect::<String>() + "r"
        }),
    ] {
        let mut spec = peakend::generate::chain(n, 1);
        let rename: std::collections::HashMap<String, String> =
            (0..n).map(|i| (format!("t{i}"), id(i))).collect();
        for t in &mut spec.touchpoints {
            t.id = rename[&t.id].clone();
        }
        for t in spec.transitions.iter_mut().flatten() {
            t.from = rename[&t.from].clone();
            t.to = rename[&t.to].clone();
        }
        let text = spec.to_json();
        g.bench_with_input(
            BenchmarkId::new(format!("ids-{pattern}/validate"), n),
            &text,
            |b, t| b.iter(|| Journey::from_json_str(black_box(t)).unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
