//! Discovery from event logs against merely reading the same CSV with the
//! `csv` crate (issue #12: discover within 2× of the plain read). The log
//! is drawn from a generated journey with `peakend sample` (interleaved
//! cases, ratings on every event).
//!
//! `cargo bench --bench discover`; `PEAKEND_BENCH_CASES` sets the number
//! of cases (default 100,000: about a million events).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use peakend::observe::{DiscoverOptions, LogOptions, SampleOptions, read_csv_log, sample_log};
use peakend::{Journey, Model};
use std::hint::black_box;
use std::time::Duration;

fn log(cases: u64) -> Vec<u8> {
    let spec = peakend::generate::layered(60, 6, 3, 1);
    let j = Journey::from_spec(spec).expect("valid");
    let mut out = Vec::new();
    sample_log(
        &j,
        &Model::PeakEnd,
        &SampleOptions::new(cases).seed(1).gap_minutes(1.0),
        &mut out,
        None,
    )
    .expect("in memory");
    out
}

fn bench(c: &mut Criterion) {
    let cases: u64 = std::env::var("PEAKEND_BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let text = log(cases);
    let events = text.iter().filter(|&&b| b == b'\n').count() as u64 - 1;
    let mut g = c.benchmark_group("discover");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(events));
    g.bench_with_input(BenchmarkId::new("csv-read", events), &text, |b, t| {
        b.iter(|| {
            let mut r = csv::Reader::from_reader(&t[..]);
            let mut rec = csv::ByteRecord::new();
            let mut n = 0u64;
            while r.read_byte_record(&mut rec).unwrap() {
                n += rec.len() as u64;
            }
            black_box(n)
        });
    });
    g.bench_with_input(BenchmarkId::new("discover", events), &text, |b, t| {
        b.iter(|| {
            read_csv_log(
                black_box(&t[..]),
                &LogOptions::new(),
                DiscoverOptions::new().rating_scale(1.0, 5.0),
            )
            .unwrap()
        });
    });
    g.finish();
    // Many distinct activities (a column of ids read as activities): the
    // activity order was quadratic in them (issue #23); growth across
    // sizes, one event per activity, two per case.
    let mut g = c.benchmark_group("discover-distinct-activities");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [10_000u64, 100_000, 1_000_000] {
        let mut t = b"case,activity\n".to_vec();
        for i in 0..n {
            t.extend_from_slice(format!("c{},a{i}\n", i / 2).as_bytes());
        }
        g.throughput(Throughput::Elements(n));
        g.bench_with_input(BenchmarkId::from_parameter(n), &t, |b, t| {
            b.iter(|| {
                read_csv_log(
                    black_box(&t[..]),
                    &LogOptions::new(),
                    DiscoverOptions::new(),
                )
                .unwrap()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
