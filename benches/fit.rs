//! Calibration at scale (issue #14): `fit` on collected cases, 10,000 to
//! 1,000,000, in shapes that stress different parts — short cases in
//! many accounts (the bootstrap's blocks), long cases (more moments per
//! case: the features), few accounts (blocks are the accounts) — with an
//! outcome, so the logistic link runs too; and the reading of a sampled
//! log and case table.
//!
//! Run: `cargo bench --bench fit`. Figures go to docs/performance.md.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use peakend::fit::{Cases, FitOptions, fit, fit_log};
use std::hint::black_box;
use std::time::Duration;

/// A deterministic generator (SplitMix64) for the cases' ratings.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` cases of `moments` rated moments each in `accounts` accounts; the
/// overall rating is peak-end plus noise, the outcome follows it.
pub fn cases(n: usize, moments: usize, accounts: usize) -> Cases {
    let mut rng = Rng(7);
    let mut c = Cases::new();
    let mut e = vec![0.0; moments];
    let names: Vec<String> = (0..accounts).map(|a| format!("a{a}")).collect();
    for i in 0..n {
        for x in &mut e {
            *x = (rng.next() * 20.0 - 10.0).round();
        }
        let peak = e
            .iter()
            .copied()
            .fold(0.0f64, |p, x| if x.abs() >= p.abs() { x } else { p });
        let overall = (peak + e[moments - 1]) / 2.0 + rng.next() * 2.0 - 1.0;
        let renewed = rng.next() < 1.0 / (1.0 + (-overall / 3.0).exp());
        c.push(
            &e,
            None,
            Some(overall),
            Some(renewed),
            Some(&names[i % accounts]),
        );
    }
    c
}

fn bench(cr: &mut Criterion) {
    let mut g = cr.benchmark_group("fit");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let options = FitOptions::new();
    for n in [10_000, 100_000, 1_000_000] {
        for (shape, moments, accounts) in [
            ("short-many-accounts", 4, n / 5),
            ("long-cases", 20, n / 5),
            ("few-accounts", 4, 50),
        ] {
            if n == 1_000_000 && shape == "long-cases" {
                continue; // 20 M moments: measured with the CLI instead
            }
            let c = cases(n, moments, accounts);
            g.bench_with_input(BenchmarkId::new(shape, n), &c, |b, c| {
                b.iter(|| fit(black_box(c), &options).unwrap())
            });
        }
    }
    // Reading: a sampled log (CSV) and case table, then the fit.
    let j = peakend::Journey::from_json_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/journeys/support-escalation.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for n in [10_000u64, 100_000] {
        let (mut log, mut table) = (Vec::new(), Vec::new());
        peakend::observe::sample_log(
            &j,
            &peakend::Model::PeakEnd,
            &peakend::observe::SampleOptions::new(n).accounts(n / 5),
            &mut log,
            Some(&mut table),
        )
        .unwrap();
        let o = FitOptions::new().rating_scale(1.0, 5.0);
        g.bench_with_input(
            BenchmarkId::new("read-and-fit", n),
            &(log, table),
            |b, (l, t)| b.iter(|| fit_log(&l[..], &t[..], &o).unwrap()),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
