//! Journeys discovered from event logs: the real logs of the shared
//! corpus, counts checked against an independent count, bad logs located.

use super::{peakend, peakend_stdin, text};
use peakend::observe::{DiscoverOptions, Discovery, LogOptions, read_csv_log};
use peakend::{Journey, JourneySpec};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// (from activity, to activity) → cases; activity → starts; activity → ends.
type Counts = (
    BTreeMap<(String, String), u64>,
    BTreeMap<String, u64>,
    BTreeMap<String, u64>,
);

/// The activity a discovered touchpoint stands for (its name without the
/// round and end marks).
fn activity(name: &str) -> String {
    let s = name.strip_suffix(" (ends here)").unwrap_or(name);
    match s.rfind(" (round ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s.to_string(),
    }
}

/// Directly-follows counts, starts and ends of a discovered journey.
fn discovered_counts(spec: &JourneySpec) -> Counts {
    let act: BTreeMap<&str, String> = spec
        .touchpoints
        .iter()
        .map(|t| (t.id.as_str(), activity(&t.name)))
        .collect();
    let mut df = BTreeMap::new();
    for tr in spec.transitions.iter().flatten() {
        let c = tr
            .observed
            .expect("discovered transitions carry counts")
            .cases;
        *df.entry((act[tr.from.as_str()].clone(), act[tr.to.as_str()].clone()))
            .or_insert(0) += c;
    }
    let mut starts = BTreeMap::new();
    let mut ends = BTreeMap::new();
    for t in &spec.touchpoints {
        let o = t
            .observed
            .as_ref()
            .expect("discovered touchpoints carry counts");
        if let Some(s) = o.starts {
            *starts.entry(activity(&t.name)).or_insert(0) += s;
        }
        if let Some(e) = o.ends {
            *ends.entry(activity(&t.name)).or_insert(0) += e;
        }
    }
    (df, starts, ends)
}

/// The same counts straight from the log's rows: each case's events in
/// file order.
fn log_counts(events: &[(String, String)]) -> Counts {
    let mut by_case: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (case, act) in events {
        by_case.entry(case).or_default().push(act);
    }
    let mut df = BTreeMap::new();
    let mut starts = BTreeMap::new();
    let mut ends = BTreeMap::new();
    for acts in by_case.values() {
        for w in acts.windows(2) {
            *df.entry((w[0].to_string(), w[1].to_string())).or_insert(0) += 1;
        }
        *starts.entry(acts[0].to_string()).or_insert(0) += 1;
        *ends.entry(acts[acts.len() - 1].to_string()).or_insert(0) += 1;
    }
    (df, starts, ends)
}

/// Every touchpoint's cases = what arrives (starts + incoming) = what
/// leaves (ends + outgoing), and the probabilities are the shares.
fn assert_flows(spec: &JourneySpec) {
    let mut incoming: BTreeMap<&str, u64> = BTreeMap::new();
    let mut outgoing: BTreeMap<&str, u64> = BTreeMap::new();
    for tr in spec.transitions.iter().flatten() {
        let c = tr.observed.unwrap().cases;
        *incoming.entry(&tr.to).or_insert(0) += c;
        *outgoing.entry(&tr.from).or_insert(0) += c;
    }
    for t in &spec.touchpoints {
        let o = t.observed.as_ref().unwrap();
        let inn = o.starts.unwrap_or(0) + incoming.get(t.id.as_str()).copied().unwrap_or(0);
        let out = o.ends.unwrap_or(0) + outgoing.get(t.id.as_str()).copied().unwrap_or(0);
        assert_eq!(inn, o.cases, "{}: arriving", t.id);
        assert_eq!(out, o.cases, "{}: leaving", t.id);
        // An end has nothing onward; a touchpoint with successors no ends.
        assert!(
            o.ends.is_none() || !outgoing.contains_key(t.id.as_str()),
            "{}",
            t.id
        );
    }
    for tr in spec.transitions.iter().flatten() {
        let from = outgoing[tr.from.as_str()] as f64;
        let p = tr.probability.unwrap();
        assert!((p - tr.observed.unwrap().cases as f64 / from).abs() < 1e-12);
    }
}

fn corpus(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/logs")
        .join(name);
    p.exists().then_some(p)
}

/// Case and activity of every row, read here with the `csv` crate
/// independently of the library.
fn rows(path: &std::path::Path) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (c, a) = (col("case:concept:name"), col("concept:name"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (x[c].to_string(), x[a].to_string())
        })
        .collect()
}

#[test]
fn the_corpus_logs_discover_to_valid_journeys_with_the_logs_counts() {
    let mut checked = 0;
    for name in ["running-example.csv", "receipt.csv"] {
        let Some(path) = corpus(name) else { continue };
        let file = std::fs::File::open(&path).unwrap();
        let found: Discovery = read_csv_log(
            file,
            &LogOptions::new(),
            DiscoverOptions::new().source(name),
        )
        .unwrap();
        let j = Journey::from_spec(found.spec.clone()).expect("a valid journey");
        assert!(j.len() >= found.report.activities);
        let events = rows(&path);
        assert_eq!(found.report.events, events.len() as u64);
        assert_eq!(
            discovered_counts(&found.spec),
            log_counts(&events),
            "{name}"
        );
        assert_flows(&found.spec);
        // Every command takes it: the CLI writes it, `analyze` reads it.
        let out = peakend(&["discover", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let again = peakend_stdin(&["analyze", "-", "--format", "json"], &text(&out.stdout));
        assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
        checked += 1;
    }
    // The receipt log has rework and steps in both orders.
    if let Some(path) = corpus("receipt.csv") {
        let found = read_csv_log(
            std::fs::File::open(path).unwrap(),
            &LogOptions::new(),
            DiscoverOptions::new(),
        )
        .unwrap();
        let r = &found.report;
        assert_eq!((r.cases, r.events, r.activities), (1434, 8577, 27));
        assert!(r.rework_cases > 0 && r.rework_cases <= r.unrolled_cases);
        assert!(r.timestamps);
    }
    // Beside the checkout (as in CI) both logs are there: none may be skipped.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/logs");
    if dir.is_dir() {
        assert_eq!(checked, 2, "both corpus logs checked");
    }
}

fn discover(log: &str) -> Result<Discovery, peakend::observe::LogError> {
    read_csv_log(
        log.as_bytes(),
        &LogOptions::new(),
        DiscoverOptions::new().rating_scale(1.0, 5.0),
    )
}

#[test]
fn bad_logs_get_located_errors() {
    let cases = [
        (
            "activity,timestamp\nA,2024-01-01\n",
            Some(1),
            "no case column",
        ),
        ("case;when\n1;2024-01-01\n", Some(1), "no activity column"),
        (
            "case,activity,timestamp\n1,A,2024-01-01\n1,B,soon\n",
            Some(3),
            "not a timestamp",
        ),
        (
            "case,activity,rating\n1,A,4\n1,B,seven\n",
            Some(3),
            "not a number",
        ),
        (
            "case,activity,rating\n1,A,4\n1,B,9\n",
            Some(3),
            "off the rating scale 1..5",
        ),
        ("case,activity\n", None, "no events"),
        ("", None, "empty"),
        (
            "case,activity,timestamp\n1,A,2024-01-02\n1,B,2024-01-01\n",
            Some(3),
            "earlier than the case's event on line 2",
        ),
        (
            "case,activity,timestamp\n1,A,2024-01-02\n1,B,\n",
            Some(3),
            "no timestamp",
        ),
        ("case,activity\n1,A\n,B\n", Some(3), "no case"),
        // Rows are parsed on one core and discovered on the other: the
        // first problem in file order is reported, whichever finds it.
        (
            "case,activity,timestamp\n1,A,2024-01-02\n1,B,2024-01-01\n1,C,soon\n",
            Some(3),
            "earlier than the case's event on line 2",
        ),
    ];
    for (log, line, what) in cases {
        let e = discover(log).expect_err(log);
        assert_eq!(e.line, line, "{log}: {e}");
        assert!(e.to_string().contains(what), "{log}: {e}");
    }
    // Past the first batch of rows too: a bad timestamp at row 10,000
    // after an out-of-order event at row 9,000.
    let mut log = String::from("case,activity,timestamp\n");
    for i in 0..12_000 {
        let t = match i {
            8_999 => "2023-01-01".to_string(),
            10_000 => "soon".to_string(),
            _ => format!("2024-01-01T00:00:{:02}Z", (i / 100) % 60),
        };
        log.push_str(&format!("c{},A{},{t}\n", i / 100, i % 100));
    }
    let e = discover(&log).unwrap_err();
    assert_eq!(e.line, Some(9_001), "{e}");
    // The column is named where it matters.
    let e = discover("case,activity,rating\n1,A,4\n1,B,9\n").unwrap_err();
    assert_eq!(e.column.as_deref(), Some("rating"));
    // Through the CLI: exit 1, file and line in the message.
    let out = peakend_stdin(
        &["discover", "-"],
        "case,activity,timestamp\n1,A,2024-01-01\n1,B,soon\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("<stdin>: error: line 3, column `timestamp`"),
        "{}",
        text(&out.stderr)
    );
    let out = peakend(&["discover", "-", "--rating-scale", "5,1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ratings_become_emotions_with_their_evidence() {
    let log = "case,activity,rating\n1,Order,5\n1,Deliver,1\n2,Order,4\n2,Deliver,2\n3,Order,3\n";
    let found = discover(log).unwrap();
    let s = &found.spec;
    let t = |id: &str| s.touchpoints.iter().find(|t| t.id == id).unwrap();
    // Order: mean 4 on 1..5 is 5 on −10..10; 3 ratings.
    assert_eq!(t("order").emotion, 5.0);
    let ev = t("order").evidence.clone().unwrap();
    assert_eq!((ev.kind, ev.n), (peakend::EvidenceKind::Measured, Some(3)));
    // Case 3 ends at Order while the others go on: an "(ends here)" copy
    // that shares Order's ratings.
    assert_eq!(t("order-end").name, "Order (ends here)");
    assert_eq!(t("order-end").emotion, 5.0);
    assert_eq!(found.report.split_ends, 1);
    assert_eq!(t("deliver").emotion, -7.5);
    // Probabilities from the counts; entries sum to 1.
    let entries: f64 = s.touchpoints.iter().filter_map(|t| t.entry).sum();
    assert!((entries - 1.0).abs() < 1e-12);
    assert_flows(s);
}

#[test]
fn min_share_leaves_out_rare_touchpoints_and_says_how_many_cases() {
    let mut log = String::from("case,activity\n");
    for c in 0..20 {
        log.push_str(&format!("{c},Order\n"));
        if c == 7 {
            log.push_str(&format!("{c},Escalate\n"));
        }
        log.push_str(&format!("{c},Deliver\n"));
    }
    let all = discover(&log).unwrap();
    assert_eq!(all.spec.touchpoints.len(), 3);
    let some = read_csv_log(
        log.as_bytes(),
        &LogOptions::new(),
        DiscoverOptions::new().min_share(0.1),
    )
    .unwrap();
    assert_eq!(some.spec.touchpoints.len(), 2);
    assert_eq!(
        (some.report.pruned_cases, some.report.pruned_touchpoints),
        (1, 1)
    );
    assert_eq!(
        some.spec.touchpoints[0].observed.as_ref().unwrap().cases,
        19
    );
    Journey::from_spec(some.spec).unwrap();
}

/// Random logs: cases of up to 8 events over 5 activities, interleaved.
fn arb_log() -> impl Strategy<Value = Vec<(u8, u8)>> {
    proptest::collection::vec((0u8..12, 0u8..5), 1..80)
}

proptest! {
    /// Any log discovers to a valid journey whose counts are the log's
    /// directly-follows counts, with flows that add up.
    #[test]
    fn any_log_discovers_to_a_valid_journey_with_its_counts(events in arb_log()) {
        let names = ["Register", "Check", "Decide", "Pay", "Check again"];
        let rows: Vec<(String, String)> = events
            .iter()
            .map(|&(c, a)| (format!("c{c}"), names[a as usize].to_string()))
            .collect();
        let mut log = String::from("case,activity\n");
        for (c, a) in &rows {
            log.push_str(&format!("{c},{a}\n"));
        }
        let found = discover(&log).unwrap();
        let j = Journey::from_spec(found.spec.clone());
        prop_assert!(j.is_ok(), "{:?}", j.err());
        prop_assert_eq!(discovered_counts(&found.spec), log_counts(&rows));
        assert_flows(&found.spec);
    }
}

/// A random DAG journey: `n` touchpoints, edges forward only, each with a
/// weight (probabilities are the weights' shares).
fn arb_journey() -> impl Strategy<Value = Journey> {
    (2usize..7)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec((-9i32..=9, 1u32..30), n),
                proptest::collection::vec(proptest::option::of(1u32..5), n * (n - 1) / 2),
            )
        })
        .prop_map(|(nodes, weights)| {
            let n = nodes.len();
            let nodes: Vec<(f64, f64)> = nodes
                .iter()
                .map(|&(e, d)| (f64::from(e), f64::from(d)))
                .collect();
            let mut edges = Vec::new();
            let mut k = 0;
            for a in 0..n {
                let mine: Vec<(usize, u32)> = (a + 1..n)
                    .filter_map(|b| {
                        let w = weights[k];
                        k += 1;
                        w.map(|w| (b, w))
                    })
                    .collect();
                let total: u32 = mine.iter().map(|m| m.1).sum();
                for (b, w) in mine {
                    edges.push((a, b, Some(f64::from(w) / f64::from(total))));
                }
            }
            Journey::from_spec(super::dag_spec(&nodes, &edges)).expect("valid")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// discover(sample(J)) recovers J: every touchpoint customers reach,
    /// with its emotion (ratings without noise; rounding 0.001 of a rating
    /// step), and every transition's probability within five standard
    /// errors of sampling; in either log format.
    #[test]
    fn discovering_a_sampled_log_recovers_the_journey(j in arb_journey(), seed in 0u64..1000, xes in any::<bool>()) {
        use peakend::observe::{LogFormat, SampleOptions, read_log, sample_log};
        let mut log = Vec::new();
        let format = if xes { LogFormat::Xes } else { LogFormat::Csv };
        let options = SampleOptions::new(2_000).seed(seed).noise(0.0).format(format);
        sample_log(&j, &peakend::Model::PeakEnd, &options, &mut log, None).unwrap();
        let found = read_log(&log[..], &LogOptions::new(), DiscoverOptions::new().rating_scale(1.0, 5.0)).unwrap();
        prop_assert_eq!(found.report.unrolled_cases, 0);
        prop_assert_eq!(found.report.split_ends, 0);
        let spec = &found.spec;
        let by_name: BTreeMap<&str, &peakend::TouchpointSpec> =
            spec.touchpoints.iter().map(|t| (t.name.as_str(), t)).collect();
        let a = peakend::analyze(&j, &peakend::Model::PeakEnd, &peakend::Options::new());
        for (i, t) in a.touchpoints.iter().enumerate() {
            let original = j.touchpoint(i);
            match by_name.get(original.name.as_str()) {
                Some(d) => prop_assert!((d.emotion - original.emotion).abs() < 0.01,
                    "{}: {} vs {}", original.name, d.emotion, original.emotion),
                // Unseen only when rare.
                None => prop_assert!(t.visit < 0.01, "{} (visit {}) not discovered", original.name, t.visit),
            }
        }
        let id_of: BTreeMap<&str, &str> = spec.touchpoints.iter().map(|t| (t.id.as_str(), t.name.as_str())).collect();
        let mut found_p: BTreeMap<(String, String), f64> = BTreeMap::new();
        for tr in spec.transitions.iter().flatten() {
            found_p.insert((id_of[tr.from.as_str()].to_string(), id_of[tr.to.as_str()].to_string()), tr.probability.unwrap());
        }
        let name_of = |id: &str| j.touchpoint_by_id(id).unwrap().name.clone();
        for tr in j.spec().transitions.iter().flatten() {
            let (from, to) = (name_of(&tr.from), name_of(&tr.to));
            let Some(n) = by_name.get(from.as_str()).map(|t| t.observed.as_ref().unwrap().cases) else { continue };
            let p = tr.probability.unwrap();
            let got = found_p.get(&(from.clone(), to.clone())).copied().unwrap_or(0.0);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            prop_assert!((got - p).abs() <= 5.0 * se + 1e-9, "{from} -> {to}: {got} vs {p} (n = {n})");
        }
    }
}

#[test]
fn sample_writes_the_same_log_for_the_same_seed_and_discover_reads_it() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sample");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("log.csv");
    let cases = dir.join("cases.csv");
    let run = |seed: &str| {
        let out = peakend(&[
            "sample",
            "journeys/quote-to-order.json",
            "--cases",
            "300",
            "--seed",
            seed,
            "-o",
            log.to_str().unwrap(),
            "--case-table",
            cases.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (
            std::fs::read(&log).unwrap(),
            std::fs::read_to_string(&cases).unwrap(),
        )
    };
    let (a, table) = run("3");
    assert_eq!(run("3").0, a);
    assert_ne!(run("4").0, a);
    // The case table: one row per case, overall on 1..5, outcomes named.
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows[0], "case,overall,outcome,value");
    assert_eq!(rows.len(), 301);
    assert!(
        rows[1..]
            .iter()
            .all(|r| r.ends_with(",order,12000") || r.ends_with(",lost,0")),
        "{table}"
    );
    let found = read_csv_log(
        &a[..],
        &LogOptions::new(),
        DiscoverOptions::new().rating_scale(1.0, 5.0),
    )
    .unwrap();
    assert_eq!(found.report.cases, 300);
    // With the case table, the ends carry the outcomes and their values,
    // and the outcome shares are the table's.
    let mut d = peakend::observe::Discoverer::new(DiscoverOptions::new().rating_scale(1.0, 5.0));
    peakend::observe::read_case_table(table.as_bytes(), &mut d).unwrap();
    let found = peakend::observe::read_csv_log_into(&a[..], &LogOptions::new(), d).unwrap();
    let won = rows[1..]
        .iter()
        .filter(|r| r.ends_with(",order,12000"))
        .count() as u64;
    let spec = &found.spec;
    let order = spec
        .outcomes
        .iter()
        .find(|o| o.id == "order")
        .expect("the outcome");
    assert_eq!(order.value, Some(12000.0));
    let ends: u64 = spec
        .touchpoints
        .iter()
        .filter(|t| t.outcome.as_deref() == Some("order"))
        .map(|t| t.observed.as_ref().unwrap().ends.unwrap())
        .sum();
    assert_eq!(ends, won);
    Journey::from_spec(found.spec.clone()).unwrap();
    // Usage errors exit 2.
    for bad in [
        vec!["sample", "journeys/quote-to-order.json", "--cases", "0"],
        vec!["sample", "journeys/quote-to-order.json", "--noise", "-1"],
        vec![
            "sample",
            "journeys/quote-to-order.json",
            "--case-table",
            "-",
        ],
        vec![
            "sample",
            "journeys/quote-to-order.json",
            "--model",
            "weighted",
        ],
    ] {
        assert_eq!(peakend(&bad).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn case_tables_split_ends_by_outcome_and_are_checked() {
    use peakend::observe::{Discoverer, read_case_table, read_csv_log_into};
    let log = "case,activity\n1,Call\n1,Fix\n2,Call\n2,Fix\n3,Call\n3,Fix\n3,Survey\n";
    let table = "case,outcome,value,overall\n1,renewed,1200,4\n2,churned,0,2\n3,renewed,800,5\n";
    let mut d = Discoverer::new(DiscoverOptions::new());
    let r = read_case_table(table.as_bytes(), &mut d).unwrap();
    assert_eq!((r.cases, r.outcomes, r.overall), (3, 3, 3));
    let found = read_csv_log_into(log.as_bytes(), &LogOptions::new(), d).unwrap();
    let names: Vec<&str> = found
        .spec
        .touchpoints
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Call",
            "Fix",
            "Fix (ends: renewed)",
            "Fix (ends: churned)",
            "Survey"
        ]
    );
    let renewed = found
        .spec
        .outcomes
        .iter()
        .find(|o| o.id == "renewed")
        .unwrap();
    assert_eq!(renewed.value, Some(1000.0));
    let j = Journey::from_spec(found.spec.clone()).unwrap();
    let a = peakend::analyze(&j, &peakend::Model::PeakEnd, &peakend::Options::new());
    let share = |id: &str| a.outcomes.iter().find(|o| o.id == id).unwrap().share;
    assert!((share("renewed") - 2.0 / 3.0).abs() < 1e-12);
    assert_flows(&found.spec);
    // Bad tables: located.
    let bad = [
        (
            "case,outcome\n1,renewed\n1,churned\n",
            Some(3),
            "twice (first on line 2)",
        ),
        ("case,value\n1,lots\n", Some(2), "not a number"),
        ("outcome\nrenewed\n", Some(1), "no case column"),
    ];
    for (t, line, what) in bad {
        let mut d = Discoverer::new(DiscoverOptions::new());
        let e = read_case_table(t.as_bytes(), &mut d).expect_err(t);
        assert_eq!(e.line, line, "{t}: {e}");
        assert!(e.to_string().contains(what), "{t}: {e}");
    }
    let mut d = Discoverer::new(DiscoverOptions::new());
    read_case_table("case,outcome\n1,renewed\n9,churned\n".as_bytes(), &mut d).unwrap();
    let e = read_csv_log_into(log.as_bytes(), &LogOptions::new(), d).unwrap_err();
    assert!(
        e.to_string()
            .contains("names 1 case the log does not have, first \"9\" (its line 3)"),
        "{e}"
    );
}

fn quote_design() -> peakend::observe::Design {
    let text = std::fs::read_to_string("journeys/quote-to-order.json").unwrap();
    let j = Journey::from_json_str(&text).unwrap();
    peakend::observe::Design::new(&j, "quote-to-order.json")
}

#[test]
fn onto_a_design_unrated_touchpoints_take_its_emotions_ids_and_outcome_kinds() {
    // Ratings for every activity but "Negotiates delivery terms"; the
    // names differ from the design's only in case and spacing.
    let log = "case,activity,rating,stage\n\
               1,sends a request  for quote!,3,\n1,Gets a priced quote within a day,5,\n\
               1,Negotiates delivery terms,,Talks\n1,Signs the first order,4,\n\
               2,Sends a request for quote,2,\n2,Waits two weeks for a quote chases twice,1,\n\
               2,Buys from a competitor,2,\n3,Sends a request for quote,3,\n3,Unboxing video,5,\n";
    let found = read_csv_log(
        log.as_bytes(),
        &LogOptions::new(),
        DiscoverOptions::new()
            .rating_scale(1.0, 5.0)
            .onto(quote_design()),
    )
    .unwrap();
    let spec = &found.spec;
    Journey::from_spec(spec.clone()).expect("valid");
    let by_id: BTreeMap<&str, &peakend::TouchpointSpec> = spec
        .touchpoints
        .iter()
        .map(|t| (t.id.as_str(), t))
        .collect();
    // Matched: the design's ids and names; the log's activity kept in notes.
    let rfq = by_id["rfq"];
    assert_eq!(rfq.name, "Sends a request for quote");
    // Both spellings of the log are one touchpoint, and both are kept.
    assert_eq!(
        rfq.notes.as_deref(),
        Some("Activities in the log: sends a request  for quote!; Sends a request for quote")
    );
    // Rated 3, 2, 3 on 1..5: the log's mean, not the design's 0.
    assert!((rfq.emotion + 5.0 / 3.0).abs() < 1e-6, "{}", rfq.emotion);
    assert_eq!(rfq.evidence.as_ref().unwrap().n, Some(3));
    // Unrated: the design's emotion, marked as the design's assumption.
    let n = by_id["negotiate"];
    assert_eq!(n.emotion, -1.0);
    let e = n.evidence.as_ref().unwrap();
    assert_eq!(e.kind, peakend::EvidenceKind::Assumed);
    assert_eq!(e.source.as_deref(), Some("designed: quote-to-order.json"));
    // The log's stage wins over the design's; the design's channel fills in.
    let talks = spec.stages.iter().find(|s| s.name == "Talks").unwrap();
    assert_eq!(n.stage.as_deref(), Some(talks.id.as_str()));
    assert_eq!(n.channel.as_deref(), Some("video call"));
    assert_eq!(by_id["fast-quote"].stage.as_deref(), Some("quote"));
    // Ends take the design's outcomes, with their kinds.
    assert_eq!(by_id["order"].outcome.as_deref(), Some("order"));
    let kinds: BTreeMap<&str, peakend::OutcomeKind> = spec
        .outcomes
        .iter()
        .map(|o| (o.id.as_str(), o.kind))
        .collect();
    assert_eq!(kinds["order"], peakend::OutcomeKind::Win);
    assert_eq!(kinds["lost"], peakend::OutcomeKind::Loss);
    // The report names what did not match either way.
    let d = found.report.design.as_ref().unwrap();
    assert_eq!(d.matched, 7); // log names: both spellings of the request
    assert_eq!(d.emotions_from_design, 1);
    assert_eq!(d.unmatched, ["Unboxing video"]);
    assert!(d.unobserved.is_empty());
    assert!(found.report.neutral_outcomes.is_empty());
}

#[test]
fn a_mapping_matches_activities_by_another_name_and_bad_rows_are_located() {
    use peakend::observe::read_mapping;
    let mut design = quote_design();
    let rows = read_mapping(
        "activity;touchpoint\nRFQ received;rfq\nQuote sent (same day);Gets a priced quote within a day\n\
         Order;order\nNever happens;negotiate\n"
            .as_bytes(),
        &mut design,
    )
    .unwrap();
    assert_eq!(rows, 4);
    let log =
        "case,activity\n1,RFQ received\n1,Quote sent (same day)\n1,Order\n2,RFQ received\n2,Fax\n";
    let found = read_csv_log(
        log.as_bytes(),
        &LogOptions::new(),
        DiscoverOptions::new().onto(design),
    )
    .unwrap();
    let ids: Vec<&str> = found
        .spec
        .touchpoints
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    assert!(ids.contains(&"rfq") && ids.contains(&"fast-quote") && ids.contains(&"order"));
    let d = found.report.design.as_ref().unwrap();
    assert_eq!(d.unmatched, ["Fax"]);
    assert_eq!(
        d.unobserved,
        [
            "Waits two weeks for a quote, chases twice",
            "Negotiates delivery terms",
            "Buys from a competitor"
        ]
    );
    assert_eq!(d.unused_mappings, ["Never happens"]);
    // Unrated but matched: the design's emotions.
    let fast = found
        .spec
        .touchpoints
        .iter()
        .find(|t| t.id == "fast-quote")
        .unwrap();
    assert_eq!(fast.emotion, 5.0);
    // Bad rows: the line and the column, with a suggestion.
    let mut design = quote_design();
    let e = read_mapping(
        "activity,touchpoint\nA,rfq\nB,negotiat\n".as_bytes(),
        &mut design,
    )
    .unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (Some(3), Some("touchpoint")));
    assert!(e.to_string().contains("did you mean \"negotiate\""), "{e}");
    let e = read_mapping(
        "activity,touchpoint\nA,rfq\na,order\n".as_bytes(),
        &mut quote_design(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("mapped twice"), "{e}");
    let e = read_mapping("from,to\nA,rfq\n".as_bytes(), &mut quote_design()).unwrap_err();
    assert_eq!(e.line, Some(1));
    // Through the CLI: --onto and --mapping, the summary names what did not match.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("onto");
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = dir.join("mapping.csv");
    std::fs::write(&mapping, "activity,touchpoint\nRFQ received,rfq\n").unwrap();
    let out = peakend_stdin(
        &[
            "discover",
            "-",
            "--onto",
            "journeys/quote-to-order.json",
            "--mapping",
            mapping.to_str().unwrap(),
        ],
        log,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("onto quote-to-order.json: 2 activities matched its touchpoints"),
        "{err}"
    );
    assert!(err.contains("2 activities not in the design"), "{err}");
    std::fs::write(&mapping, "activity,touchpoint\nRFQ received,rqf\n").unwrap();
    let out = peakend_stdin(
        &[
            "discover",
            "-",
            "--onto",
            "journeys/quote-to-order.json",
            "--mapping",
            mapping.to_str().unwrap(),
        ],
        log,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("line 2, column `touchpoint`: the design has no touchpoint \"rqf\""),
        "{}",
        text(&out.stderr)
    );
}

/// docs/walkthrough.md, command by command, with the figures it quotes.
#[test]
fn the_walkthrough_runs_as_written() {
    let Some(log) = corpus("receipt.csv") else {
        return;
    };
    let log = log.to_str().unwrap();
    let doc = std::fs::read_to_string("docs/walkthrough.md").unwrap();
    let quoted = |out: &str| {
        for line in out.lines().filter(|l| !l.contains('…') && l.len() > 20) {
            let line = line.replace(log, "../shared/corpus/logs/receipt.csv");
            if doc.contains(line.trim()) {
                return true;
            }
        }
        false
    };
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("walkthrough");
    std::fs::create_dir_all(&dir).unwrap();
    let raw = dir.join("receipt-raw.json");
    let out = peakend(&["discover", log, "-o", raw.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr).replace(log, "../shared/corpus/logs/receipt.csv");
    for line in err.lines() {
        assert!(doc.contains(line.trim()), "not in the walkthrough: {line}");
    }
    let journey = dir.join("receipt.json");
    let out = peakend(&[
        "discover",
        log,
        "--onto",
        "docs/examples/receipt-design.json",
        "--mapping",
        "docs/examples/receipt-mapping.csv",
        "--min-share",
        "0.02",
        "-o",
        journey.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr).replace(log, "../shared/corpus/logs/receipt.csv");
    for line in err
        .lines()
        .filter(|l| !l.contains("activities not in the design"))
    {
        assert!(doc.contains(line.trim()), "not in the walkthrough: {line}");
    }
    let j = journey.to_str().unwrap();
    for (args, lines) in [
        (
            vec!["analyze", j],
            vec![
                "Remembered experience   +2.1",
                "main route    55.5% of customers  remembered  +1.5  received → checking → letter → wait-end",
                "the remembered experience rests on 16 assumed ratings, n = 0",
                "95% interval  -6.2 .. +6.5",
            ],
        ),
        (
            vec!["recommend", j],
            vec![
                "1. add-closing  lift +0.7  cost 2 (assumed)  (0.374 per unit of cost)",
                "rests on 14 assumed ratings, n = 0",
            ],
        ),
        (
            vec!["gap", "docs/examples/receipt-design.json", j],
            vec![
                "you believe the peak is \"Confirmation letter arrives\" for 93.0%; customers remember \"Confirmation letter arrives\" for 88.4%",
                "you believe journeys end on \"Waits for the decision\" for 98.0%; customers' end on \"Waits for the decision\" for 61.9%",
                "your #2 add-closing: +1.5 in its own view, +0.7 in the customers' view: weaker for customers than you believe",
            ],
        ),
    ] {
        let out = peakend(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let t = text(&out.stdout);
        for l in lines {
            assert!(t.contains(l), "{args:?}: {l}\n{t}");
            assert!(doc.contains(l), "the walkthrough should quote: {l}");
        }
        assert!(quoted(&t), "{args:?}");
    }
}
