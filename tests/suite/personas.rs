//! The buying centre (issue #13): personas in the format, each persona's
//! figures, the account's memory, its advice, per-persona commands.

use super::{peakend, text};
use serde_json::Value;

const MAINTENANCE: &str = "journeys/maintenance-contract-buying-centre.json";
const ANALYTICS: &str = "journeys/analytics-platform-buying-centre.json";

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&stdout(args)).unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = peakend(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The text and JSON of `analyze` and `recommend`, with each rule and per
/// persona, as a person and a tool read them.
#[test]
fn buying_centre_outputs_are_as_recorded() {
    for (file, one) in [(MAINTENANCE, "Finance"), (ANALYTICS, "IT admin")] {
        let stem = file
            .trim_start_matches("journeys/")
            .trim_end_matches(".json");
        insta::assert_snapshot!(
            format!("personas-analyze-{stem}"),
            stdout(&["analyze", file, "--interval-draws", "0"])
        );
        insta::assert_snapshot!(
            format!("personas-recommend-{stem}"),
            stdout(&["recommend", file])
        );
        insta::assert_snapshot!(
            format!("personas-recommend-persona-{stem}"),
            stdout(&["recommend", file, "--persona", one])
        );
        let mut both = String::new();
        for rule in ["decision-maker", "min"] {
            let v = json(&[
                "analyze",
                file,
                "--account",
                rule,
                "--interval-draws",
                "0",
                "-f",
                "json",
            ]);
            both.push_str(&serde_json::to_string_pretty(&v["account"]).unwrap());
            both.push('\n');
        }
        insta::assert_snapshot!(format!("personas-account-rules-{stem}"), both);
    }
}

/// The JSON contract: `personas` in file order with `{name, weight,
/// remembered: {expected, model, exact}}`, and `account` whose weighted
/// expected memory is the weight-average of the personas'.
#[test]
fn the_json_contract_has_personas_and_the_account() {
    let v = json(&[
        "analyze",
        MAINTENANCE,
        "-f",
        "json",
        "--interval-draws",
        "0",
    ]);
    let personas = v["personas"].as_array().unwrap();
    let names: Vec<&str> = personas
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Operator", "Plant manager", "Procurement", "Finance"]
    );
    let (mut sum, mut weights) = (0.0, 0.0);
    for p in personas {
        assert_eq!(p["remembered"]["model"], "peak-end");
        assert_eq!(p["remembered"]["exact"], true);
        let w = p["weight"].as_f64().unwrap();
        sum += w * p["remembered"]["expected"].as_f64().unwrap();
        weights += w;
    }
    assert_eq!(personas[1]["role"], "decision-maker");
    assert_eq!(personas[1]["decision_maker"], true);
    assert_eq!(personas[1]["weight"], 2.0);
    assert_eq!(v["account"]["rule"], "weighted");
    let account = v["account"]["expected"].as_f64().unwrap();
    assert!(
        (account - sum / weights).abs() < 1e-12,
        "{account} vs {}",
        sum / weights
    );
    let parts: f64 = v["account"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["part"].as_f64().unwrap())
        .sum();
    assert!((parts - account).abs() < 1e-12);
    // The decision maker's memory prevails; the worst is the least.
    let dm = json(&[
        "analyze",
        MAINTENANCE,
        "-f",
        "json",
        "--account",
        "decision-maker",
        "--interval-draws",
        "0",
    ]);
    assert_eq!(
        dm["account"]["expected"],
        personas[1]["remembered"]["expected"]
    );
    assert_eq!(dm["account"]["driver"], "Plant manager");
    let min = json(&[
        "analyze",
        MAINTENANCE,
        "-f",
        "json",
        "--account",
        "min",
        "--interval-draws",
        "0",
    ]);
    let least = personas
        .iter()
        .map(|p| p["remembered"]["expected"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(min["account"]["expected"].as_f64().unwrap(), least);
    // A journey without personas has neither field.
    let plain = json(&["analyze", "journeys/invoice-dispute.json", "-f", "json"]);
    assert!(plain.get("personas").is_none() && plain.get("account").is_none());
}

/// `--persona` works on every command; its journey is the persona's own.
#[test]
fn every_command_works_per_persona() {
    let whole = json(&["analyze", ANALYTICS, "-f", "json", "--interval-draws", "0"]);
    let admin = whole["personas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "IT admin")
        .unwrap()
        .clone();
    let own = json(&[
        "analyze",
        ANALYTICS,
        "--persona",
        "IT admin",
        "-f",
        "json",
        "--interval-draws",
        "0",
    ]);
    assert_eq!(
        own["remembered"]["expected"],
        admin["remembered"]["expected"]
    );
    assert_eq!(own["journey"]["touchpoints"], 5);
    let moments = stdout(&["moments", ANALYTICS, "--persona", "IT admin"]);
    assert!(moments.contains("Security questionnaire"), "{moments}");
    assert!(!moments.contains("First dashboard"), "{moments}");
    let svg = stdout(&["render", ANALYTICS, "--persona", "IT admin"]);
    assert_eq!(svg.matches("data-touchpoint=").count(), 5);
    let html = stdout(&["report", ANALYTICS, "--persona", "VP Operations"]);
    assert!(html.contains("VP Operations"));
    // The persona's journey as a file: valid, analysable, the same memory.
    let exported = stdout(&[
        "convert",
        ANALYTICS,
        "--persona",
        "IT admin",
        "--to",
        "json",
    ]);
    let back = peakend::Journey::from_json_str(&exported).unwrap();
    assert_eq!(back.len(), 5);
    // simulate: operations on the journey, the persona's memory compared.
    let s = json(&[
        "simulate",
        ANALYTICS,
        "--persona",
        "IT admin",
        "--set",
        "security=-1",
        "-f",
        "json",
    ]);
    assert!(
        (s["before"].as_f64().unwrap() - admin["remembered"]["expected"].as_f64().unwrap()).abs()
            < 1e-12
    );
    assert!(s["delta"].as_f64().unwrap() > 2.0);
    // Without --persona, simulate reports every persona and the account.
    let all = json(&["simulate", ANALYTICS, "--set", "security=-1", "-f", "json"]);
    let p: Vec<&Value> = all["personas"].as_array().unwrap().iter().collect();
    assert_eq!(p.len(), 3);
    assert_eq!(
        p[0]["before"], p[0]["after"],
        "the analyst never sees the questionnaire"
    );
    assert!(all["account"]["after"].as_f64() > all["account"]["before"].as_f64());
}

/// Account advice: each action's effect on every persona; an action that
/// helps one persona at another's expense is flagged.
#[test]
fn account_advice_shows_every_persona_and_flags_trade_offs() {
    let v = json(&["recommend", MAINTENANCE, "-f", "json"]);
    let advice = &v["account_advice"];
    assert_eq!(advice["objective"], "account");
    let actions = advice["actions"].as_array().unwrap();
    assert!(!actions.is_empty());
    for a in actions {
        assert_eq!(a["personas"].as_array().unwrap().len(), 4);
        assert!(a["lift"].as_f64().unwrap() > 0.0);
        let lifts: Vec<f64> = a["personas"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["lift"].as_f64())
            .collect();
        let flagged = lifts.iter().any(|&l| l > 0.05) && lifts.iter().any(|&l| l < -0.05);
        assert_eq!(a["trade_off"], flagged, "{a}");
        for alt in a["alternatives"].as_array().into_iter().flatten() {
            assert_eq!(
                alt["touchpoint"], a["touchpoint"],
                "alternatives act on the same place"
            );
        }
    }
    // Ranked by robust lift per cost.
    let ratio = |a: &Value| a["robust_lift"].as_f64().unwrap() / a["cost"].as_f64().unwrap();
    for w in actions.windows(2) {
        assert!(ratio(&w[0]) >= ratio(&w[1]) - 1e-12);
    }
    // One entry per touchpoint: the rest are its alternatives.
    let mut places: Vec<String> = actions
        .iter()
        .map(|a| {
            a["simulate"]
                .as_str()
                .unwrap()
                .split('=')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    let n = places.len();
    places.sort();
    places.dedup();
    assert_eq!(places.len(), n, "{places:?}");
    let text = stdout(&["recommend", MAINTENANCE]);
    assert!(
        text.contains("Where to invest for the account (weighted)"),
        "{text}"
    );
    assert!(text.contains("trade-off: helps"), "{text}");
}

/// Bad persona input: a clear message naming the place, exit 1.
#[test]
fn persona_errors_name_the_place() {
    let out = peakend(&["analyze", MAINTENANCE, "--persona", "CFO"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown persona \"CFO\"") && err.contains("Plant manager"),
        "{err}"
    );
    let out = peakend(&[
        "analyze",
        ANALYTICS,
        "--account",
        "decision-maker",
        "--persona",
        "Nobody",
    ]);
    assert_eq!(out.status.code(), Some(1));
    // No decision maker: the rule cannot be applied.
    let out = peakend(&[
        "analyze",
        "../shared/corpus/mermaid/01-mermaid-docs-my-working-day.mmd",
        "--account",
        "decision-maker",
    ]);
    if std::path::Path::new("../shared/corpus").is_dir() {
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("no persona is the decision maker"));
    }
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("personas");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version": 1, "name": "n",
  "personas": ["User", {"name": "Finance", "weight": -1}],
  "touchpoints": [
    {"id": "a", "name": "A", "emotion": 1, "actors": ["User"],
     "emotions": {"Finance": -3}},
    {"id": "b", "name": "B", "emotion": 1, "emotions": {"Finace": 12}}]}"#,
    )
    .unwrap();
    let out = peakend(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("personas[1].weight") && err.contains("-1 is not a weight"),
        "{err}"
    );
    assert!(
        err.contains("touchpoints[0].emotions.Finance")
            && err.contains("not among the touchpoint's actors"),
        "{err}"
    );
    assert!(
        err.contains("touchpoints[1].emotions.Finace") && err.contains("outside the scale"),
        "{err}"
    );
    assert!(
        err.contains("bad.json:2:") && err.contains("bad.json:5:"),
        "lines are named: {err}"
    );
    // Each file's problem, named (validate exits 1).
    let stderr_of = |json: &str| {
        std::fs::write(&bad, json).unwrap();
        let out = peakend(&["validate", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        text(&out.stderr)
    };
    let many: Vec<String> = (0..101).map(|k| format!("\"P{k}\"")).collect();
    let crowd = format!(
        r#"{{"version": 1, "name": "n", "personas": [{}],
  "touchpoints": [{{"id": "b", "name": "B", "emotion": 1}}]}}"#,
        many.join(", ")
    );
    for (json, wants) in [
        // More personas than the limit (each is a whole analysis).
        (
            crowd.as_str(),
            &["personas: 101 personas, more than the limit of 100"][..],
        ),
        // An unknown persona in `emotions`, with a suggestion.
        (
            r#"{"version": 1, "name": "n", "personas": ["Finance"],
  "touchpoints": [{"id": "b", "name": "B", "emotion": 1, "emotions": {"Finace": 2}}]}"#,
            &["did you mean \"Finance\""],
        ),
        // Every weight 0: no account.
        (
            r#"{"version": 1, "name": "n", "personas": [{"name": "A", "weight": 0}],
  "touchpoints": [{"id": "b", "name": "B", "emotion": 1}]}"#,
            &["every persona has weight 0"],
        ),
        // An unknown field of a persona object.
        (
            r#"{"version": 1, "name": "n", "personas": [{"name": "A", "wieght": 2}],
  "touchpoints": [{"id": "b", "name": "B", "emotion": 1}]}"#,
            &["personas[0].wieght", "did you mean `weight`"],
        ),
    ] {
        let err = stderr_of(json);
        for want in wants {
            assert!(err.contains(want), "{want}: {err}");
        }
    }
}

/// Mermaid diagrams of the shared corpus with several actors give every
/// actor its own figures: an actor's journey is the tasks it is named in.
#[test]
fn corpus_diagrams_with_several_actors_have_per_persona_figures() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/mermaid");
    if !corpus.is_dir() {
        return;
    }
    let file = |prefix: &str| {
        std::fs::read_dir(&corpus)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    // 01: "Do work: 1: Me, Cat" is all the cat takes part in.
    let v = json(&[
        "analyze",
        &file("01-"),
        "-f",
        "json",
        "--interval-draws",
        "0",
    ]);
    let p = v["personas"].as_array().unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(p[1]["name"], "Cat");
    assert_eq!(p[1]["touchpoints"], 1);
    assert_eq!(p[1]["remembered"]["expected"], 1.0);
    assert_eq!(p[0]["touchpoints"], 5);
    // 02 and 03: several actors each, every one with a memory and the
    // account their average.
    for prefix in ["02-", "03-"] {
        let v = json(&[
            "analyze",
            &file(prefix),
            "-f",
            "json",
            "--interval-draws",
            "0",
        ]);
        let p = v["personas"].as_array().unwrap();
        assert!(p.len() >= 3, "{prefix}: {}", p.len());
        let mean: f64 = p
            .iter()
            .map(|x| x["remembered"]["expected"].as_f64().unwrap())
            .sum::<f64>()
            / p.len() as f64;
        assert!((v["account"]["expected"].as_f64().unwrap() - mean).abs() < 1e-12);
        for x in p {
            let t = x["touchpoints"].as_u64().unwrap();
            assert!(t >= 1);
            let alone = json(&[
                "analyze",
                &file(prefix),
                "--persona",
                x["name"].as_str().unwrap(),
                "-f",
                "json",
                "--interval-draws",
                "0",
            ]);
            assert_eq!(alone["journey"]["touchpoints"].as_u64().unwrap(), t);
            assert_eq!(alone["remembered"], x["remembered"]);
        }
    }
}

/// `gap` and `sample` per persona: both files seen as the persona lives
/// them; customers sampled along the persona's own journey.
#[test]
fn gap_and_sample_work_per_persona() {
    let v = json(&[
        "gap",
        MAINTENANCE,
        MAINTENANCE,
        "--persona",
        "Finance",
        "-f",
        "json",
    ]);
    let own = json(&[
        "analyze",
        MAINTENANCE,
        "--persona",
        "Finance",
        "-f",
        "json",
        "--interval-draws",
        "0",
    ]);
    assert_eq!(v["difference"], 0.0);
    assert_eq!(
        v["customer"]["remembered"], own["remembered"]["expected"],
        "{v}"
    );
    let out = peakend(&[
        "gap",
        MAINTENANCE,
        "journeys/invoice-dispute.json",
        "--persona",
        "Finance",
    ]);
    assert_eq!(out.status.code(), Some(1), "a persona of both files");
    let log = stdout(&[
        "sample",
        ANALYTICS,
        "--persona",
        "IT admin",
        "--cases",
        "50",
    ]);
    assert!(log.contains("Security questionnaire"));
    assert!(
        !log.contains("First dashboard"),
        "the IT admin never sees the dashboards"
    );
}

/// The report's personas section and the map's persona lines, as recorded
/// (the rest of the report is the usual one, snapshotted elsewhere).
#[test]
fn report_personas_section_is_as_recorded() {
    let html = stdout(&["report", MAINTENANCE]);
    let start = html
        .find("<section id=\"personas\">")
        .expect("a personas section");
    let end = start + html[start..].find("</section>").unwrap() + "</section>".len();
    insta::assert_snapshot!("personas-report-section", &html[start..end]);
    let svg = stdout(&["render", MAINTENANCE]);
    let lines: String = svg
        .lines()
        .filter(|l| l.contains("class=\"persona\""))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(lines.matches("class=\"persona\"").count(), 4);
    insta::assert_snapshot!("personas-map-lines", lines);
}
