//! Write a seeded layered journey as JSON to stdout.
//!
//! `cargo run --release --example generate -- TOUCHPOINTS [WIDTH] [OUT_DEGREE] [SEED] > big.json`
fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("whole numbers"))
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let width = args.get(1).copied().unwrap_or(100);
    let out = args.get(2).copied().unwrap_or(4);
    let seed = args.get(3).copied().unwrap_or(1) as u64;
    print!(
        "{}",
        peakend::generate::layered(n, width, out, seed).to_json()
    );
}
