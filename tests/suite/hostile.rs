//! Inputs that once hung, crawled, were silently accepted or poorly
//! reported (issue #11), each small enough to run in a moment. The speed
//! itself is measured in `benches/`; here every input must finish and be
//! reported as it should.

use super::{peakend, peakend_stdin, text};
use peakend::{Format, Journey, LoadOptions, MemoryModel as _, load, load_bytes};
use std::fmt::Write as _;

fn problems(text: &str) -> Vec<String> {
    Journey::from_json_str(text)
        .unwrap_err()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A JSON journey of `n` touchpoints in a chain, ids from `id`.
fn chain(n: usize, id: impl Fn(usize) -> String, emotion: impl Fn(usize) -> f64) -> String {
    let mut s = String::from("{\"version\": 1, \"name\": \"J\", \"touchpoints\": [\n");
    for i in 0..n {
        let _ = write!(
            s,
            "{}{{\"id\": \"{}\", \"name\": \"T{i}\", \"emotion\": {}}}",
            if i == 0 { "" } else { ",\n" },
            id(i),
            emotion(i)
        );
    }
    s.push_str("\n]}");
    s
}

#[test]
fn twenty_thousand_problems_are_each_located_and_the_print_is_capped() {
    // Emotions recorded 0..100 without a scale: one problem per touchpoint.
    let n = 20_000;
    let doc = chain(n, |i| format!("t{i}"), |i| (i % 101) as f64);
    let got = problems(&doc);
    let off = (0..n).filter(|i| i % 101 > 10).count();
    assert_eq!(got.len(), off);
    assert_eq!(
        got[0],
        "13:41: touchpoints[11].emotion: 11 is outside the scale -10..10"
    );
    // Each on its own line: touchpoint k is on line k + 2.
    for p in &got {
        let k: usize = p
            .split("touchpoints[")
            .nth(1)
            .unwrap()
            .split(']')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(p.starts_with(&format!("{}:", k + 2)), "{p}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.json");
    std::fs::write(&path, &doc).unwrap();
    let out = peakend(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(
        err.lines().count(),
        102,
        "100 problems, the rest counted, the total"
    );
    assert!(err.contains(&format!("... and {} more problems not shown", off - 100)));
    assert!(err.contains(&format!("invalid journey ({off} errors)")));
    let e = Journey::from_json_str(&doc).unwrap_err().to_string();
    assert!(
        e.ends_with(&format!("... and {} more not shown", off - 100)),
        "{e}"
    );
}

#[test]
fn unknown_references_by_the_ten_thousand_are_reported_with_few_suggestions() {
    let n = 10_000;
    let mut doc = chain(n, |i| format!("t{i}"), |_| 1.0);
    doc.truncate(doc.len() - 1);
    doc.push_str(", \"transitions\": [");
    for i in 0..n {
        let _ = write!(
            doc,
            "{}{{\"from\": \"t{i}\", \"to\": \"u{i}\"}}",
            if i == 0 { "" } else { "," }
        );
    }
    doc.push_str("]}");
    let got = problems(&doc);
    assert_eq!(got.len(), n);
    assert!(got[0].ends_with("unknown touchpoint \"u0\"; did you mean \"t0\"?"));
    // Suggestions are on a budget of comparisons; every problem is still there.
    let suggested = got.iter().filter(|p| p.contains("did you mean")).count();
    assert!((1..=100).contains(&suggested), "{suggested}");
    assert!(got[n - 1].ends_with("unknown touchpoint \"u9999\""));
}

#[test]
fn many_small_cycles_are_each_reported() {
    let n = 20_000;
    let mut doc = String::from("{\"version\": 1, \"name\": \"J\", \"touchpoints\": [");
    for c in 0..n {
        let _ = write!(
            doc,
            "{}{{\"id\": \"a{c}\", \"name\": \"A\", \"emotion\": 1}}, {{\"id\": \"b{c}\", \"name\": \"B\", \"emotion\": 2}}",
            if c == 0 { "" } else { "," }
        );
    }
    doc.push_str("], \"transitions\": [");
    for c in 0..n {
        let _ = write!(
            doc,
            "{}{{\"from\": \"a{c}\", \"to\": \"b{c}\"}}, {{\"from\": \"b{c}\", \"to\": \"a{c}\"}}",
            if c == 0 { "" } else { "," }
        );
    }
    doc.push_str("]}");
    let got = problems(&doc);
    assert_eq!(got.iter().filter(|p| p.contains("cycle:")).count(), n);
}

#[test]
fn regular_and_prefix_sharing_ids_validate_to_the_same_journey() {
    // Ids that a hash of the first bytes would put in one bucket: a long
    // shared prefix, and plain counters. The keyed hasher makes both as
    // fast as random ids (see benches/scale.rs); here they must give the
    // same journey.
    let n = 100_000;
    let plain = Journey::from_json_str(&chain(n, |i| format!("t{i}"), |i| (i % 7) as f64)).unwrap();
    let prefixed = Journey::from_json_str(&chain(
        n,
        |i| format!("{}{i:07}", "customer-journey-touchpoint-"),
        |i| (i % 7) as f64,
    ))
    .unwrap();
    let reversed = Journey::from_json_str(&chain(
        n,
        |i| format!("{i:07}").chars().rev().collect::<String>() + "r",
        |i| (i % 7) as f64,
    ))
    .unwrap();
    for j in [&prefixed, &reversed] {
        assert_eq!(j.len(), n);
        assert_eq!(j.transition_count(), plain.transition_count());
    }
    assert_eq!(
        prefixed.index_of("customer-journey-touchpoint-0012345"),
        Some(12_345)
    );
}

#[test]
fn a_repeated_json_key_is_an_error_at_both_places() {
    let doc = "{\"version\": 1, \"name\": \"J\", \"touchpoints\": [\n  {\"id\": \"a\", \"name\": \"A\", \"emotion\": 1, \"emotion\": 3}]}";
    assert_eq!(
        problems(doc),
        [
            "2:42: touchpoints[0].emotion: key `emotion` appears twice in one object (first at 2:28); a reader would keep only one of them"
        ]
    );
    let top = "{\"version\": 1, \"name\": \"J\", \"name\": \"K\", \"touchpoints\": [{\"id\": \"a\", \"name\": \"A\", \"emotion\": 1}]}";
    let got = problems(top);
    assert!(
        got[0].starts_with("1:29: name: key `name` appears twice in one object (first at 1:16)"),
        "{got:?}"
    );
}

#[test]
fn a_number_too_small_to_hold_is_an_error_not_a_zero() {
    let doc = "{\"version\": 1, \"name\": \"J\", \"touchpoints\": [{\"id\": \"a\", \"name\": \"A\", \"emotion\": 1e-400}]}";
    assert_eq!(
        problems(doc),
        [
            "1:81: touchpoints[0].emotion: 1e-400 is too small to hold (it would read as 0); write 0 if that is meant"
        ]
    );
    // Zero written with an exponent, and small numbers a double holds, are fine.
    for ok in ["0e-5", "0.0E-400", "1e-300", "-2.5e-3"] {
        let d = doc.replace("1e-400", ok);
        assert!(Journey::from_json_str(&d).is_ok(), "{ok}");
    }
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_json() {
    let doc = "\u{feff}{\"version\": 1, \"name\": \"J\", \"touchpoints\": [{\"id\": \"a\", \"name\": \"A\", \"emotion\": 11}]}";
    // Columns are those an editor shows (the mark is invisible).
    assert_eq!(
        problems(doc),
        ["1:81: touchpoints[0].emotion: 11 is outside the scale -10..10"]
    );
    assert!(Journey::from_json_str(&doc.replace("11", "1")).is_ok());
    let bytes = doc.replace("11", "1").into_bytes();
    assert!(load_bytes(&bytes, Format::Json, &LoadOptions::new()).is_ok());
    let out = peakend_stdin(&["validate", "-"], &doc.replace("11", "1"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn invalid_utf8_is_located() {
    let e = load_bytes(
        b"{\"version\": 1,\n \"name\": \"caf\xe9\"}",
        Format::Json,
        &LoadOptions::new(),
    )
    .unwrap_err();
    let p = &e.problems[0];
    assert_eq!((p.line, p.column), (Some(2), Some(14)));
    assert!(p.message.contains("byte 0xe9"), "{}", p.message);
}

#[test]
fn csv_extra_cells_warn_and_an_unclosed_quote_is_located() {
    let sheet = "name,emotion\nA,1,extra\nB,2\n";
    let j = load(sheet, Format::Csv, &LoadOptions::new()).unwrap();
    let w: Vec<String> = j.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        ["2:3: warning: 3 cells, but the header names 2: the extra ones are kept in the notes"]
    );
    assert_eq!(j.touchpoint(0).notes.as_deref(), Some("extra"));
    let e = load(
        "name,emotion\n\"A,1\nB,2\n",
        Format::Csv,
        &LoadOptions::new(),
    )
    .unwrap_err();
    assert_eq!(e.problems.len(), 1);
    let p = &e.problems[0];
    assert_eq!((p.line, p.column), (Some(2), Some(1)));
    assert!(
        p.message.starts_with("this quote is never closed"),
        "{}",
        p.message
    );
    // Quotes that close, doubled quotes and line breaks in cells are fine.
    let ok = "name,emotion,notes\n\"A \"\"x\"\", y\",1,\"two\nlines\"\nB,2,\n";
    let j = load(ok, Format::Csv, &LoadOptions::new()).unwrap();
    assert_eq!(j.touchpoint(0).name, "A \"x\", y");
}

#[test]
fn rows_that_repeat_a_name_get_numbered_ids() {
    let n = 20_000;
    let mut sheet = String::from("name,emotion\n");
    let mut mermaid = String::from("journey\n  title T\n  section S\n");
    for i in 0..n {
        let _ = writeln!(sheet, "Call,{}", i % 5);
        let _ = writeln!(mermaid, "    Call: {}: Me", 1 + i % 5);
    }
    for (text, format) in [(sheet, Format::Csv), (mermaid, Format::Mermaid)] {
        let j = load(&text, format, &LoadOptions::new()).unwrap();
        assert_eq!(j.len(), n);
        assert_eq!(j.touchpoint(0).id, "call");
        assert_eq!(j.touchpoint(1).id, "call-2");
        assert_eq!(j.touchpoint(n - 1).id, format!("call-{n}"));
    }
}

#[test]
fn numeric_flags_reject_what_is_not_a_number_in_range() {
    let j = "journeys/quote-to-order.json";
    for args in [
        vec!["--peak-share", "NaN"],
        vec!["--peak-share", "inf"],
        vec!["--end-share", "1.5"],
        vec!["--pit-intensity", "-0.1"],
        vec!["--missed-intensity", "nan"],
        vec!["--forgettable-weight", "-inf"],
        vec!["--samples", "0"],
        vec!["--samples", "99999999999"],
        vec!["--resolution", "0"],
        vec!["--resolution", "NaN"],
    ] {
        let mut all = vec!["analyze", j];
        all.extend(&args);
        let out = peakend(&all);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    for args in [
        vec!["recommend", j, "--budget", "NaN"],
        vec!["recommend", j, "--budget", "-1"],
        vec!["simulate", j, "--set", "request=inf"],
        vec!["simulate", j, "--probability", "request->quote=2"],
        vec![
            "validate",
            "journeys/quote-to-order.json",
            "--scale",
            "1,1,1",
        ],
        vec!["analyze", "-", "--input-format", "csv", "--scale", "1,5,9"],
        vec![
            "analyze",
            "-",
            "--input-format",
            "csv",
            "--scale",
            "-1e300,1",
        ],
    ] {
        let out = peakend_stdin(&args, "name,emotion\nA,1\n");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn the_three_fuzz_findings_are_errors_or_well_formed() {
    // 1. Durations whose sum overflows: refused, with readable numbers.
    let huge = r#"{"version": 1, "name": "J", "touchpoints": [{"id": "a", "name": "A", "emotion": -5, "duration": 1e+307}, {"id": "b", "name": "B", "emotion": 5, "duration": 5e+307}]}"#;
    let got = problems(huge);
    assert_eq!(got.len(), 2);
    assert!(got[0].contains("touchpoints[0].duration: 1e307 minutes is longer than peakend holds"));
    // 2. A branch of probability 1e-300: every picture is well-formed XML.
    let tiny = r#"{"version":1,"name":"J","touchpoints":[{"id":"t0","name":"T0","emotion":1},{"id":"t1","name":"T1","emotion":9},{"id":"t2","name":"T2","emotion":-9}],"transitions":[{"from":"t0","to":"t1","probability":1e-300},{"from":"t0","to":"t2","probability":1.0}]}"#;
    let out = peakend_stdin(&["render", "-"], tiny);
    assert_eq!(out.status.code(), Some(0));
    roxmltree::Document::parse(&text(&out.stdout)).expect("the map is XML");
    let report = text(&peakend_stdin(&["report", "-"], tiny).stdout);
    let mut svgs = 0;
    for part in report.split("<svg").skip(1) {
        let svg = format!("<svg{}</svg>", part.split("</svg>").next().unwrap());
        roxmltree::Document::parse(&svg).expect("each picture of the report is XML");
        svgs += 1;
    }
    assert!(svgs >= 2);
    // 3. A Mermaid score of 1e308: refused at its place, no 309-digit number.
    let m = "journey\n  title My working day\n  section Go to work\n    Make tea: 1e308: Me\n    Go upstairs: 3: Me\n";
    let e = load(m, Format::Mermaid, &LoadOptions::new()).unwrap_err();
    let p = &e.problems[0];
    assert_eq!((p.line, p.column), (Some(4), Some(15)));
    assert!(
        p.message
            .contains("`1e308` is not a score on any rating scale")
    );
    let s = r#"{"version": 1, "name": "J", "scale": {"min": -1e300, "max": 10}, "touchpoints": [{"id": "a", "name": "A", "emotion": 1}]}"#;
    assert!(problems(s)[0].contains("scale.min: -1e300 is beyond what peakend holds"));
}

#[test]
fn a_name_of_megabytes_is_drawn_cut() {
    // 1,000,000 bytes: within the default limit of 1 MiB for one text.
    let name = "word ".repeat(200_000);
    let doc = format!(
        r#"{{"version": 1, "name": "J", "touchpoints": [{{"id": "a", "name": "{name}", "emotion": 1}}, {{"id": "b", "name": "B", "emotion": -3}}]}}"#
    );
    let out = peakend_stdin(&["render", "-"], &doc);
    assert_eq!(out.status.code(), Some(0));
    let svg = text(&out.stdout);
    roxmltree::Document::parse(&svg).expect("XML");
    assert!(svg.contains("word wor…</tspan>"), "the label is cut");
    // Past the limit: a located error.
    let doc = doc.replace(&name, &"x".repeat((1 << 20) + 1));
    let out = peakend_stdin(&["render", "-"], &doc);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "<stdin>:1:65: error: touchpoints[0].name: a text of 1048577 bytes, more than the limit of 1048576"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn limits_are_located_errors_for_every_format() {
    use peakend::Limits;
    let doc = chain(5, |i| format!("t{i}"), |_| 1.0);
    let limited = |l: Limits| LoadOptions::new().limits(l);
    let e = load(&doc, Format::Json, &limited(Limits::new().input_bytes(100))).unwrap_err();
    assert_eq!(
        e.problems[0].to_string(),
        "1:1: the input is more than 100 bytes, the limit for reading a journey"
    );
    let e = load(&doc, Format::Json, &limited(Limits::new().touchpoints(4))).unwrap_err();
    assert_eq!(
        e.problems[0].to_string(),
        "1:44: touchpoints: 5 touchpoints, more than the limit of 4"
    );
    let e = load(&doc, Format::Json, &limited(Limits::new().text_bytes(1))).unwrap_err();
    let shown: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 10, "{shown:?}");
    assert_eq!(
        shown[1],
        "2:22: touchpoints[0].name: a text of 2 bytes, more than the limit of 1"
    );
    let two = "{\"version\": 1, \"name\": \"J\", \"touchpoints\": [{\"id\": \"a\", \"name\": \"A\", \"emotion\": 1}, {\"id\": \"b\", \"name\": \"B\", \"emotion\": 1}], \"transitions\": [{\"from\": \"a\", \"to\": \"b\"}]}";
    let e = load(two, Format::Json, &limited(Limits::new().transitions(0))).unwrap_err();
    assert!(
        e.problems[0]
            .to_string()
            .ends_with("transitions: 1 transitions, more than the limit of 0")
    );
    let sheet = "name,emotion
A,1
B,2
C,3
";
    let e = load(sheet, Format::Csv, &limited(Limits::new().touchpoints(2))).unwrap_err();
    assert!(
        e.problems[0]
            .to_string()
            .contains("3 touchpoints, more than the limit of 2")
    );
    let e = load_bytes(
        sheet.as_bytes(),
        Format::Csv,
        &limited(Limits::new().input_bytes(8)),
    )
    .unwrap_err();
    assert!(e.problems[0].message.contains("more than 8 bytes"));
    let m = "journey
  section S
    Work: 3: Me, Alexandra
";
    let e = load(m, Format::Mermaid, &limited(Limits::new().text_bytes(8))).unwrap_err();
    let p = e
        .problems
        .iter()
        .find(|p| p.path == "touchpoints[0].actors[1]")
        .expect("the actor is named");
    assert_eq!(p.line, Some(3), "{p}");
    assert!(p.message.contains("a text of 9 bytes"), "{p}");
}

/// Real-valued emotions past the budget of stored distributions: the
/// shares, expected memory and memory weights are still exact (computed
/// in frontier memory) and equal the stored method's; only what needs
/// the stored distributions (the spread across customers, the best and
/// worst paths) is estimated, and says so.
#[test]
fn real_valued_emotions_past_the_storage_budget_stay_exact() {
    let mut spec = peakend::generate::layered(1_000, 20, 3, 7);
    peakend::generate::emotion_levels(&mut spec, 0, 7);
    let j = Journey::from_spec(spec).expect("valid");
    for model in [peakend::Model::PeakEnd, peakend::Model::PeakPitEnd] {
        let stored = peakend::analyze(&j, &model, &peakend::Options::new());
        let windowed = peakend::analyze(
            &j,
            &model,
            &peakend::Options::new().level_state_limit(50_000),
        );
        assert!(
            stored
                .estimate
                .as_ref()
                .is_none_or(|e| !e.figures.contains(&peakend::EstimatedFigure::Remembered))
        );
        assert!(windowed.remembered.exact, "{}", model.name());
        assert!((stored.remembered.expected - windowed.remembered.expected).abs() < 1e-12);
        let figures = &windowed
            .estimate
            .as_ref()
            .expect("the spread is estimated")
            .figures;
        for f in [
            peakend::EstimatedFigure::Remembered,
            peakend::EstimatedFigure::PeakShare,
            peakend::EstimatedFigure::MemoryWeight,
        ] {
            assert!(
                !figures.contains(&f),
                "{f:?} estimated under {}",
                model.name()
            );
        }
        for (x, y) in stored.touchpoints.iter().zip(&windowed.touchpoints) {
            assert_eq!(x.peak_share, y.peak_share, "{}", x.id);
            assert!(
                (x.memory_weight - y.memory_weight).abs() < 1e-12,
                "{}",
                x.id
            );
        }
    }
}
