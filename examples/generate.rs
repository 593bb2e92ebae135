//! Write a seeded journey as JSON to stdout: a layered one, or a long
//! chain with skips.
//!
//! `cargo run --release --example generate -- TOUCHPOINTS [WIDTH] [OUT_DEGREE] [SEED] > big.json`
//! `cargo run --release --example generate -- chain TOUCHPOINTS [SEED] > chain.json`
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
    if chain {
        let seed = args.get(1).copied().unwrap_or(1) as u64;
        print!("{}", peakend::generate::chain(n, seed).to_json());
        return;
    }
    let width = args.get(1).copied().unwrap_or(100);
    let out = args.get(2).copied().unwrap_or(4);
    let seed = args.get(3).copied().unwrap_or(1) as u64;
    print!(
        "{}",
        peakend::generate::layered(n, width, out, seed).to_json()
    );
}
