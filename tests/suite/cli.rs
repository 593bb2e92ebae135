//! The real binary: exit codes, formats, stdin, determinism, colour.

use super::{peakend, peakend_stdin, text};

#[test]
fn analyze_prints_a_report() {
    let out = peakend(&["analyze", "journeys/support-escalation.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("Remembered experience"));
    assert!(s.contains("Dashboard average"));
    assert!(!s.contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn json_output_keeps_the_contract() {
    let out = peakend(&[
        "analyze",
        "journeys/saas-trial-to-purchase.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["remembered"]["expected"].is_f64());
    assert_eq!(v["remembered"]["model"], "peak-end");
    assert_eq!(v["remembered"]["exact"], true);
    for t in v["touchpoints"].as_array().unwrap() {
        for k in ["id", "emotion", "visit", "peak_share", "end_share"] {
            assert!(!t[k].is_null(), "touchpoint field {k}");
        }
    }
    assert!(v["paths"]["count"].is_u64());
    for p in ["most_likely", "best", "worst"] {
        let path = &v["paths"][p];
        assert!(
            path["touchpoints"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x.is_string())
        );
        assert!(path["probability"].is_f64());
        assert!(path["score"].is_number());
    }
}

#[test]
fn output_is_deterministic() {
    let args = [
        "analyze",
        "journeys/tender-procurement.json",
        "--format",
        "json",
        "--model",
        "weighted",
        "--weights",
        "peak=0.4,end=0.4,mean=0.2,trend=0.5",
    ];
    let a = peakend(&args);
    let b = peakend(&args);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn color_is_opt_in_off_a_terminal() {
    let out = peakend(&[
        "analyze",
        "journeys/invoice-dispute.json",
        "--color",
        "always",
    ]);
    assert!(text(&out.stdout).contains("\x1b[31m"));
}

#[test]
fn reads_standard_input() {
    let input = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/journeys/cold-pressor-long.json"
    ))
    .unwrap();
    let out = peakend_stdin(&["analyze", "-", "--format", "json"], &input);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["remembered"]["expected"], -7.0);
}

#[test]
fn bad_input_exits_1_with_every_problem_located() {
    let input = "{\"version\": 1, \"name\": \"x\",\n \"touchpoints\": [{\"id\": \"a\", \"name\": \"A\", \"emotion\": 40, \"stgae\": \"s\"}]}";
    let out = peakend_stdin(&["analyze", "-"], input);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no partial score");
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "<stdin>:2:54: error: touchpoints[0].emotion: 40 is outside the scale -10..10"
        ),
        "{err}"
    );
    assert!(err.contains("<stdin>:2:67: error: touchpoints[0].stgae: unknown field `stgae`; did you mean `stage`?"), "{err}");
    assert!(err.contains("invalid journey (2 errors)"), "{err}");
}

#[test]
fn validate_checks_many_files() {
    let ok = peakend(&[
        "validate",
        "journeys/contract-renewal.json",
        "journeys/field-service-visit.json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(text(&ok.stdout).lines().count(), 2);
    let bad = peakend(&[
        "validate",
        "journeys/contract-renewal.json",
        "no/such/file.json",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("cannot read no/such/file.json"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(peakend(&["analyze"]).status.code(), Some(2));
    assert_eq!(
        peakend(&[
            "analyze",
            "journeys/invoice-dispute.json",
            "--model",
            "peek-end"
        ])
        .status
        .code(),
        Some(2)
    );
    let w = peakend(&[
        "analyze",
        "journeys/invoice-dispute.json",
        "--model",
        "weighted",
        "--weights",
        "peak=0.5,ned=0.5",
    ]);
    assert_eq!(w.status.code(), Some(2));
    assert!(text(&w.stderr).contains("did you mean `end`?"));
    assert_eq!(peakend(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn committed_schema_is_current() {
    let out = peakend(&["schema"]);
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/journey.schema.json"
    ))
    .unwrap();
    assert_eq!(
        text(&out.stdout),
        committed,
        "regenerate with: cargo run -- schema > schema/journey.schema.json"
    );
}

#[test]
fn monte_carlo_figures_say_so() {
    // A wide layered journey: too many paths to enumerate, and a model
    // (trend) with no exact form.
    let mut tps = Vec::new();
    let mut trs = Vec::new();
    let layers = 30;
    let width = 4;
    for l in 0..layers {
        for w in 0..width {
            let e = ((l * 7 + w * 3) % 21) - 10;
            tps.push(format!(
                r#"{{"id": "n{l}-{w}", "name": "N", "emotion": {e}, "duration": {}}}"#,
                1 + (l + w) % 4
            ));
            if l + 1 < layers {
                for v in 0..width {
                    trs.push(format!(r#"{{"from": "n{l}-{w}", "to": "n{}-{v}"}}"#, l + 1));
                }
            }
        }
    }
    let input = format!(
        r#"{{"version": 1, "name": "wide", "touchpoints": [{}], "transitions": [{}]}}"#,
        tps.join(","),
        trs.join(",")
    );
    let out = peakend_stdin(
        &[
            "analyze",
            "-",
            "--model",
            "weighted",
            "--weights",
            "peak=0.5,end=0.5,trend=1",
            "--format",
            "json",
            "--seed",
            "7",
            "--samples",
            "5000",
        ],
        &input,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["remembered"]["exact"], false);
    assert!(v["remembered"]["standard_error"].as_f64().unwrap() > 0.0);
    assert_eq!(v["estimate"]["seed"], 7);
    assert_eq!(v["estimate"]["samples"], 5000);
    let t = peakend_stdin(
        &[
            "analyze",
            "-",
            "--model",
            "weighted",
            "--weights",
            "peak=0.5,end=0.5,trend=1",
            "--seed",
            "7",
            "--samples",
            "5000",
        ],
        &input,
    );
    let s = text(&t.stdout);
    assert!(
        s.contains("Estimated by Monte Carlo (5000 sampled paths, seed 7)"),
        "{s}"
    );
    assert!(s.contains("estimate ±"), "{s}");
}

#[test]
fn moments_lists_defining_missed_and_forgettable() {
    let out = peakend(&["moments", "journeys/field-service-visit.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("Cold-room temperature alarm at night") && s.contains("peak, pit, transition"),
        "{s}"
    );
    let json = peakend(&[
        "moments",
        "journeys/field-service-visit.json",
        "--format",
        "json",
        "--peak-share",
        "0.5",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["thresholds"]["peak_share"], 0.5);
    assert!(
        v["defining"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "invoice")
    );
    // analyze carries the same moments, in text and JSON.
    let a = peakend(&[
        "analyze",
        "journeys/field-service-visit.json",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert!(v["moments"]["forgettable"].is_array());
    assert!(v["touchpoints"][0]["memory_weight"].is_number());
    assert!(
        text(&peakend(&["analyze", "journeys/field-service-visit.json"]).stdout)
            .contains("Defining moments")
    );
}

#[test]
fn simulate_applies_operations_in_order_and_rejects_bad_ones() {
    let out = peakend(&[
        "simulate",
        "journeys/cold-pressor-short.json",
        "--append",
        "30 s at 15 °C=-6",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The cold-pressor result: the longer trial with a milder end is remembered better.
    assert_eq!(
        (
            v["before"].as_f64(),
            v["after"].as_f64(),
            v["delta"].as_f64()
        ),
        (Some(-8.0), Some(-7.0), Some(1.0))
    );
    // Order matters: shift then set gives the set value; set then shift adds to it.
    let a = peakend(&[
        "simulate",
        "journeys/invoice-dispute.json",
        "--shift",
        "closed=2",
        "--set",
        "closed=4",
        "--format",
        "json",
    ]);
    let b = peakend(&[
        "simulate",
        "journeys/invoice-dispute.json",
        "--set",
        "closed=4",
        "--shift",
        "closed=2",
        "--format",
        "json",
    ]);
    let va: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let vb: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_ne!(va["after"], vb["after"]);
    assert_eq!(vb["operations"][1], "shift \"closed\" by +2");
    let bad = peakend(&[
        "simulate",
        "journeys/invoice-dispute.json",
        "--set",
        "clsoed=4",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("unknown touchpoint \"clsoed\"; did you mean \"closed\"?"),
        "{}",
        text(&bad.stderr)
    );
    let usage = peakend(&[
        "simulate",
        "journeys/invoice-dispute.json",
        "--probability",
        "a-b=0.3",
    ]);
    assert_eq!(usage.status.code(), Some(2));
}

/// Split a flag string as a POSIX shell would for our quoting ('…').
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            _ => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_recommended_lift_is_reproduced_by_simulate() {
    let file = "journeys/support-escalation.json";
    let out = peakend(&["recommend", file, "--budget", "60", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let recs = v["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty());
    for r in recs.iter().take(6) {
        for k in ["action", "touchpoint", "lift", "cost", "rationale"] {
            assert!(r.get(k).is_some(), "recommendation field {k}");
        }
        let mut args = vec!["simulate".to_string(), file.to_string()];
        args.extend(shell_words(r["simulate"].as_str().unwrap()));
        args.extend(["--format".into(), "json".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let s = peakend(&args);
        assert_eq!(s.status.code(), Some(0), "{args:?}: {}", text(&s.stderr));
        let sv: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
        assert_eq!(sv["delta"], r["lift"], "{args:?}");
    }
    let plan = &v["plan"];
    assert!(plan["cost"].as_f64().unwrap() <= 60.0);
    let mut args = vec!["simulate".to_string(), file.to_string()];
    args.extend(shell_words(plan["simulate"].as_str().unwrap()));
    args.extend(["--format".into(), "json".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let sv: serde_json::Value = serde_json::from_slice(&peakend(&args).stdout).unwrap();
    assert!((sv["delta"].as_f64().unwrap() - plan["lift"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(
        peakend(&["recommend", file, "--budget", "-1"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn render_and_report_write_files_or_stdout() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-render");
    std::fs::create_dir_all(&dir).unwrap();
    let svg_path = dir.join("map.svg");
    let _ = std::fs::remove_file(&svg_path);
    let out = peakend(&[
        "render",
        "journeys/invoice-dispute.json",
        "-o",
        svg_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let file = std::fs::read_to_string(&svg_path).unwrap();
    // Without -o the same bytes go to stdout.
    let stdout = peakend(&["render", "journeys/invoice-dispute.json"]);
    assert_eq!(text(&stdout.stdout), file);
    assert!(file.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    // The model is named on the map.
    let mean = peakend(&["render", "journeys/invoice-dispute.json", "--model", "mean"]);
    assert!(text(&mean.stdout).contains("mean model"));

    let html_path = dir.join("report.html");
    let out = peakend(&[
        "report",
        "journeys/invoice-dispute.json",
        "--budget",
        "10",
        "-o",
        html_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Plan for a budget of 10"));
    assert!(html.contains("peakend simulate journeys/invoice-dispute.json --"));
    // Deterministic.
    let again = peakend(&["report", "journeys/invoice-dispute.json", "--budget", "10"]);
    assert_eq!(text(&again.stdout), html);
}

#[test]
fn render_and_report_refuse_bad_input_and_usage() {
    let bad = peakend_stdin(
        &["render", "-"],
        r#"{"version":1,"name":"x","touchpoints":[{"id":"a","name":"A","emotion":99}]}"#,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("<stdin>:1:"),
        "{}",
        text(&bad.stderr)
    );
    assert!(bad.stdout.is_empty(), "no partial picture");
    let bad = peakend_stdin(&["report", "-"], "{");
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    for args in [
        &[
            "render",
            "journeys/invoice-dispute.json",
            "--max-touchpoints",
            "1",
        ][..],
        &["report", "journeys/invoice-dispute.json", "--budget", "-1"],
        &["report", "journeys/invoice-dispute.json", "--model", "nope"],
    ] {
        assert_eq!(peakend(args).status.code(), Some(2), "{args:?}");
    }
    let unwritable = peakend(&[
        "render",
        "journeys/invoice-dispute.json",
        "-o",
        "/nonexistent-dir/map.svg",
    ]);
    assert_eq!(unwritable.status.code(), Some(1));
    assert!(text(&unwritable.stderr).contains("cannot write /nonexistent-dir/map.svg"));
}

/// Every `peakend simulate` command that `recommend` prints runs, pasted
/// into a POSIX shell, and gives the lift printed with it (issue #10: an
/// unquoted `->` once redirected the output and exited 2). Over every
/// bundled journey and every Mermaid diagram of the shared corpus.
#[test]
fn every_printed_command_runs_in_sh_and_reproduces_its_lift() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Absolute paths, run from a scratch folder: a command that breaks
    // cannot leave a stray file in the repository.
    let mut files: Vec<String> = super::journey_files()
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let corpus = root.join("../shared/corpus/mermaid");
    if let Ok(dir) = std::fs::read_dir(&corpus) {
        let mut more: Vec<String> = dir
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "mmd"))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        more.sort();
        files.extend(more);
    }
    let scratch = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sh-commands");
    std::fs::create_dir_all(&scratch).unwrap();
    let bin = env!("CARGO_BIN_EXE_peakend");
    let mut ran = 0;
    for file in &files {
        let json = peakend(&["recommend", file, "--budget", "20", "--format", "json"]);
        if json.status.code() != Some(0) {
            // A corpus diagram that does not load has nothing to recommend.
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        // (lift, where the simulation's JSON has it)
        let mut lifts: Vec<(f64, &str)> = v["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .take(10)
            .map(|r| (r["lift"].as_f64().unwrap(), "delta"))
            .collect();
        if let Some(plan) = v.get("plan")
            && !plan["actions"].as_array().unwrap().is_empty()
        {
            lifts.push((plan["lift"].as_f64().unwrap(), "delta"));
        }
        // With personas, the account's advice follows: its lifts are the
        // account's change.
        if let Some(a) = v.get("account_advice") {
            for r in a["actions"].as_array().unwrap().iter().take(10) {
                lifts.push((r["lift"].as_f64().unwrap(), "account"));
            }
        }
        let shown = text(&peakend(&["recommend", file, "--budget", "20"]).stdout);
        let mut commands: Vec<String> = shown
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("peakend simulate "))
            .map(str::to_string)
            .collect();
        // And each persona's advice, reproduced by `simulate --persona`.
        for name in v["account_advice"]["actions"][0]["personas"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["persona"].as_str().unwrap())
        {
            let json = peakend(&["recommend", file, "--persona", name, "--format", "json"]);
            assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
            let p: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
            for r in p["actions"].as_array().unwrap().iter().take(10) {
                lifts.push((r["lift"].as_f64().unwrap(), "delta"));
            }
            let shown = text(&peakend(&["recommend", file, "--persona", name]).stdout);
            commands.extend(
                shown
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with("peakend simulate "))
                    .map(str::to_string),
            );
        }
        assert_eq!(commands.len(), lifts.len(), "{file}: {shown}");
        for (cmd, (lift, at)) in commands.iter().zip(&lifts) {
            let line = format!("'{bin}'{} --format json", &cmd["peakend".len()..]);
            let out = std::process::Command::new("sh")
                .args(["-c", &line])
                .current_dir(&scratch)
                .output()
                .expect("sh runs");
            assert_eq!(out.status.code(), Some(0), "{line}: {}", text(&out.stderr));
            let s: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{line}: {e}: {}", text(&out.stdout)));
            let delta = if *at == "account" {
                s["account"]["after"].as_f64().unwrap() - s["account"]["before"].as_f64().unwrap()
            } else {
                s["delta"].as_f64().unwrap()
            };
            assert!((delta - lift).abs() < 1e-9, "{line}: {delta} vs {lift}");
            ran += 1;
        }
    }
    // The bundled journeys alone print about 80 commands; with the corpus
    // (present beside the repository in CI) well over 100.
    let least = if corpus.is_dir() { 100 } else { 60 };
    assert!(ran > least, "only {ran} commands ran");
}

/// A journey whose biggest lever is a route change gets it as its top
/// advice, with its effect on the outcomes; the analysis reports outcome
/// shares that sum to 1; no closing goes after a lost deal (issue #10).
#[test]
fn a_route_change_with_outcomes_is_the_top_advice() {
    let file = "journeys/quote-to-order.json";
    let out = peakend(&["recommend", file, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = &v["recommendations"][0];
    assert_eq!(top["action"], "improve-route");
    assert_eq!(top["simulate"], "--probability 'rfq->fast-quote=0.8'");
    assert_eq!(top["cost_assumed"], false);
    let shifts = top["outcomes"].as_array().unwrap();
    let order = shifts.iter().find(|s| s["id"] == "order").unwrap();
    assert!(order["after"].as_f64().unwrap() > order["before"].as_f64().unwrap());
    let a: serde_json::Value =
        serde_json::from_slice(&peakend(&["analyze", file, "--format", "json"]).stdout).unwrap();
    let total: f64 = a["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["share"].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
    // The closing goes after the order only, and takes over its outcome.
    let s = peakend(&[
        "simulate",
        file,
        "--append",
        "Thank-you call=3",
        "--format",
        "json",
    ]);
    assert_eq!(s.status.code(), Some(0), "{}", text(&s.stderr));
    let edited = peakend::apply(
        &peakend::Journey::from_json_str(&std::fs::read_to_string(file).unwrap()).unwrap(),
        &[peakend::Operation::append("Thank-you call", 3.0)],
    )
    .unwrap();
    let closing = edited.touchpoint_by_id("thank-you-call").unwrap();
    assert_eq!(closing.outcome.as_deref(), Some("order"));
    let competitor = edited.index_of("competitor").unwrap();
    assert!(edited.is_end(competitor));
}

/// `--ties` changes which of two equally intense moments is the peak, is
/// named in every output, and leaves the ranking by robust lift as it was.
#[test]
fn the_tie_rule_is_an_option() {
    let journey = r#"{"version":1,"name":"Tie","touchpoints":[
      {"id":"a","name":"Kick-off","emotion":6},{"id":"b","name":"Invoice error","emotion":-6},
      {"id":"c","name":"Renewal","emotion":2}]}"#;
    let json = |args: &[&str]| -> serde_json::Value {
        let out = peakend_stdin(args, journey);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let neg = json(&["analyze", "-", "--format", "json"]);
    let pos = json(&["analyze", "-", "--format", "json", "--ties", "positive"]);
    // Peak -6 (the later of the two, negative by default) or +6; end +2.
    assert_eq!(neg["remembered"]["expected"], -2.0);
    assert_eq!(pos["remembered"]["expected"], 4.0);
    assert!(neg["journey"]["scale"].get("ties").is_none());
    assert_eq!(pos["journey"]["scale"]["ties"], "positive");
    let t = text(&peakend_stdin(&["analyze", "-", "--ties", "positive"], journey).stdout);
    assert!(t.contains("intensity ties: positive"), "{t}");
    // The advice ranks by the lift that survives either rule.
    let rn = json(&["recommend", "-", "--format", "json"]);
    let rp = json(&["recommend", "-", "--format", "json", "--ties", "positive"]);
    let robust = |r: &serde_json::Value| -> Vec<(String, f64)> {
        r["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["simulate"].as_str().unwrap().to_string(),
                    x["robust_lift"].as_f64().unwrap(),
                )
            })
            // Fragile actions (robust lift 0) appear only under the rule
            // that gives them a lift.
            .filter(|x| x.1 > 1e-9)
            .collect()
    };
    let (a, b) = (robust(&rn), robust(&rp));
    assert!(a.len() >= 2, "{a:?}");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0);
        assert!((x.1 - y.1).abs() < 1e-9, "{x:?} vs {y:?}");
    }
    // A wrong rule is a usage error naming the choices.
    let out = peakend_stdin(&["analyze", "-", "--ties", "both"], journey);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("negative"));
}

/// `--output` naming the input journey is refused (exit 2, the file
/// untouched) unless `--force`; a write that fails leaves no partial file.
#[test]
fn output_never_loses_the_input_or_leaves_a_partial_file() {
    let dir = std::env::temp_dir().join(format!("peakend-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let j = dir.join("j.json");
    let original = std::fs::read_to_string("journeys/support-escalation.json").unwrap();
    std::fs::write(&j, &original).unwrap();
    let js = j.to_str().unwrap();
    // Also through another spelling of the same path.
    let other = format!("{}/./j.json", dir.to_str().unwrap());
    for cmd in [
        vec!["render", js, "-o", js],
        vec!["report", js, "-o", other.as_str()],
        vec!["convert", js, "--to", "mermaid", "-o", js],
    ] {
        let out = peakend(&cmd);
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        assert!(
            text(&out.stderr).contains("--force"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(std::fs::read_to_string(&j).unwrap(), original, "{cmd:?}");
    }
    let out = peakend(&["convert", js, "--to", "json", "-o", js, "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A directory that does not exist: exit 1, nothing written anywhere.
    let missing = dir.join("no/such/dir/map.svg");
    let out = peakend(&["render", js, "-o", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot write"));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the journey: {left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every write error, standard output included, is exit 1 with the
/// system's message: never a panic, never exit 0.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_on_every_command() {
    for cmd in [
        vec!["schema"],
        vec!["validate", "journeys/support-escalation.json"],
        vec![
            "convert",
            "journeys/support-escalation.json",
            "--to",
            "json",
        ],
        vec!["analyze", "journeys/support-escalation.json"],
        vec![
            "recommend",
            "journeys/support-escalation.json",
            "--format",
            "json",
        ],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_peakend"))
            .args(&cmd)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd:?}: {}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(err.contains("No space left on device"), "{cmd:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// `validate` checks every file, even after one it cannot read.
#[test]
fn validate_checks_every_file() {
    let out = peakend(&[
        "validate",
        "journeys/no-such-file.json",
        "journeys/support-escalation.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no-such-file.json"));
    assert!(text(&out.stdout).contains("support-escalation.json: ok"));
}
