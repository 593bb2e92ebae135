//! Write a seeded journey as JSON to stdout: a layered one, or a long
//! chain with skips.
//!
//! `cargo run --release --example generate -- TOUCHPOINTS [WIDTH] [OUT_DEGREE] [SEED] [LEVELS] > big.json`
//! `cargo run --release --example generate -- chain TOUCHPOINTS [SEED] [LEVELS] > chain.json`
//!
//! LEVELS: the number of distinct emotion values (evenly spaced on
//! −10..10; 0 = real-valued); default 21 (the whole numbers).
//! `PERSONAS=K` in the environment gives the journey K personas
//! (`peakend::generate::personas`).
fn main() {
    let mut raw: Vec<String> = std::env::args().skip(1).collect();
    let chain = raw.first().is_some_and(|a| a == "chain");
    if chain {
        raw.remove(0);
    }
    let args: Vec<usize> = raw
        .iter()
        .map(|a| a.parse().expect("whole numbers"))
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let (mut spec, seed, levels) = if chain {
        let seed = args.get(1).copied().unwrap_or(1) as u64;
        (
            peakend::generate::chain(n, seed),
            seed,
            args.get(2).copied(),
        )
    } else {
        let width = args.get(1).copied().unwrap_or(100);
        let out = args.get(2).copied().unwrap_or(4);
        let seed = args.get(3).copied().unwrap_or(1) as u64;
        let spec = peakend::generate::layered(n, width, out, seed);
        (spec, seed, args.get(4).copied())
    };
    if let Some(levels) = levels.filter(|&l| l != 21) {
        peakend::generate::emotion_levels(&mut spec, levels, seed);
    }
    if let Some(k) = std::env::var("PERSONAS").ok().and_then(|k| k.parse().ok()) {
        peakend::generate::personas(&mut spec, k, seed);
    }
    print!("{}", spec.to_json());
}
