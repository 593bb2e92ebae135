//! Evidence in the CLI: what the remembered experience and each
//! recommendation rest on, and the interval from the ratings' uncertainty.

use super::{peakend, text};

#[test]
fn analyze_says_what_the_memory_rests_on_with_an_interval() {
    let out = peakend(&["analyze", "journeys/quote-to-order.json"]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    let section: String = t
        .lines()
        .skip_while(|l| *l != "Evidence")
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("evidence-text-quote-to-order", section);
    // JSON: the basis and the interval with its draws and seed.
    let out = peakend(&[
        "analyze",
        "journeys/quote-to-order.json",
        "--format",
        "json",
        "--seed",
        "7",
        "--interval-draws",
        "50",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["evidence"];
    assert_eq!(e["basis"]["assumed"], 6);
    assert_eq!(e["interval"]["draws"], 50);
    assert_eq!(e["interval"]["seed"], 7);
    assert!(e["interval"]["low"].as_f64().unwrap() < e["interval"]["high"].as_f64().unwrap());
    // No draws: no interval, and no line for it.
    let out = peakend(&[
        "analyze",
        "journeys/quote-to-order.json",
        "--interval-draws",
        "0",
    ]);
    let t = text(&out.stdout);
    assert!(t.contains("rests on 6 assumed ratings, n = 0"), "{t}");
    assert!(!t.contains("interval"), "{t}");
    let out = peakend(&[
        "analyze",
        "journeys/quote-to-order.json",
        "--interval-draws",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_journey_past_the_work_budget_gets_a_linearised_interval() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("evidence");
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.json");
    let spec = peakend::generate::chain(600, 1);
    std::fs::write(&big, spec.to_json()).unwrap();
    let out = peakend(&["analyze", big.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let i = &v["evidence"]["interval"];
    assert_eq!(i["method"], "linearised");
    assert_eq!(i["draws"], 0);
    assert!(i.get("seed").is_none());
    let out = peakend(&["analyze", big.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("[linearised from the memory weights"));
    // Fewer draws fit the budget: Monte Carlo again.
    let out = peakend(&[
        "analyze",
        big.to_str().unwrap(),
        "--format",
        "json",
        "--interval-draws",
        "100",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["evidence"]["interval"]["method"], "monte-carlo");
}

#[test]
fn recommendations_say_what_they_rest_on() {
    let out = peakend(&["recommend", "journeys/quote-to-order.json"]);
    let t = text(&out.stdout);
    assert!(t.contains("      rests on 5 assumed ratings, n = 0"), "{t}");
    let out = peakend(&[
        "recommend",
        "journeys/quote-to-order.json",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["recommendations"][0]["rests_on"];
    assert_eq!(first["assumed"], 5);
    assert_eq!(first["assumed_weight"], 1.0);
}
