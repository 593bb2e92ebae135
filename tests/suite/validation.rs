//! Validation reports every problem with its place; huge inputs load
//! without stack overflow.

use super::dag_spec;
use peakend::{Journey, JourneySpec, Model, Options, TouchpointSpec, analyze};

fn problems(text: &str) -> Vec<String> {
    Journey::from_json_str(text)
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect()
}

#[test]
fn reports_every_semantic_problem_with_its_place() {
    let text = r#"{
  "version": 2,
  "name": "broken",
  "scale": {"min": 1, "max": 5, "neutral": 3},
  "stages": [{"id": "a", "name": "A"}],
  "touchpoints": [
    {"id": "x", "name": "X", "emotion": 6, "stage": "b"},
    {"id": "x", "name": "X again", "emotion": 2, "duration": 0},
    {"id": "y", "name": "Y", "emotion": 3, "entry": 1.5}
  ],
  "transitions": [
    {"from": "x", "to": "yy"},
    {"from": "y", "to": "x", "probability": 0.4}
  ]
}"#;
    let got = problems(text);
    let expected = [
        "2:14: version: unsupported version 2 (this peakend reads version 1)",
        "7:41: touchpoints[0].emotion: 6 is outside the scale 1..5",
        "7:53: touchpoints[0].stage: unknown stage \"b\"; did you mean \"a\"?",
        "8:12: touchpoints[1].id: duplicate id \"x\" (first used at touchpoints[0])",
        "8:62: touchpoints[1].duration: 0 is not a positive number of minutes",
        "9:53: touchpoints[2].entry: 1.5 is not a probability in [0, 1]",
        "12:25: transitions[0].to: unknown touchpoint \"yy\"; did you mean \"y\"?",
        "13:45: transitions[1].probability: probabilities of the transitions from \"y\" sum to 0.4, not 1 (transitions[1])",
        "7:5: warning: touchpoints[0]: has no duration, but 1 of 3 touchpoints have one: those without count as 1 minute, so the duration-weighted average leans on the ones given",
    ];
    assert_eq!(got, expected, "{got:#?}");
}

/// Probability sums print as people write them, and a percentage where a
/// probability belongs gets a hint (issue #10).
#[test]
fn probability_mistakes_read_as_people_wrote_them() {
    let text = r#"{"version": 1, "name": "x", "touchpoints": [
        {"id": "a", "name": "A", "emotion": 1},
        {"id": "b", "name": "B", "emotion": 2},
        {"id": "c", "name": "C", "emotion": 3},
        {"id": "d", "name": "D", "emotion": 4}],
      "transitions": [
        {"from": "a", "to": "b", "probability": 0.3},
        {"from": "a", "to": "c", "probability": 0.6},
        {"from": "b", "to": "d", "probability": 60},
        {"from": "b", "to": "c", "probability": 40}]}"#;
    let got = problems(text);
    assert!(
        got.iter().any(|p| p.contains("sum to 0.9, not 1")),
        "{got:#?}"
    );
    assert!(
        got.iter()
            .any(|p| p.contains("60 is not a probability in [0, 1]; a percentage? write 0.6")),
        "{got:#?}"
    );
    assert!(!got.iter().any(|p| p.contains("0.8999")), "{got:#?}");
}

#[test]
fn names_every_cycle() {
    let spec = dag_spec(
        &[(1.0, 1.0); 6],
        &[
            (0, 1, None),
            (1, 2, None),
            (2, 0, None),
            (3, 4, None),
            (4, 3, None),
            (4, 5, None),
        ],
    );
    let err = Journey::from_spec(spec).unwrap_err();
    let msgs: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
    assert!(msgs.contains(&"touchpoints[0]: cycle: \"t0\" -> \"t1\" -> \"t2\" -> \"t0\" (a journey must not loop back)".to_string()), "{msgs:#?}");
    assert!(
        msgs.contains(
            &"touchpoints[3]: cycle: \"t3\" -> \"t4\" -> \"t3\" (a journey must not loop back)"
                .to_string()
        ),
        "{msgs:#?}"
    );
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let got = problems("{\n  \"version\": 1,\n  \"name\": \"x\",,\n}");
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("3:15: invalid JSON: "), "{got:?}");
}

#[test]
fn type_errors_are_all_reported() {
    let got = problems(
        r#"{"version": "1", "name": 3, "touchpoints": [{"id": "a", "name": "A", "emotion": null}], "colour": 1}"#,
    );
    assert_eq!(got.len(), 4, "{got:#?}");
    assert!(
        got.iter()
            .any(|p| p.contains("colour: unknown field `colour`"))
    );
    assert!(
        got.iter()
            .any(|p| p.contains("version: invalid type: string \"1\""))
    );
    assert!(
        got.iter()
            .any(|p| p.contains("name: invalid type: integer `3`"))
    );
    assert!(
        got.iter()
            .any(|p| p.contains("touchpoints[0].emotion: invalid type: null"))
    );
}

#[test]
fn empty_and_non_object_journeys_are_errors() {
    assert_eq!(
        problems(r#"{"version": 1, "name": "x", "touchpoints": []}"#),
        ["1:44: touchpoints: the journey has no touchpoints"]
    );
    assert_eq!(
        problems("[]"),
        ["1:1: expected a journey object, found an array"]
    );
    assert_eq!(
        problems("")[0],
        "1:1: invalid JSON: EOF while parsing a value"
    );
}

#[test]
fn non_finite_numbers_from_the_library_are_rejected() {
    let spec = JourneySpec::linear(
        "x",
        vec![
            TouchpointSpec::new("a", "A", f64::NAN),
            TouchpointSpec::new("b", "B", f64::INFINITY),
        ],
    );
    let msgs: Vec<String> = Journey::from_spec(spec)
        .unwrap_err()
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        msgs,
        [
            "touchpoints[0].emotion: NaN is not a finite number",
            "touchpoints[1].emotion: inf is not a finite number"
        ]
    );
}

#[test]
fn unreachable_touchpoints_are_warnings() {
    let mut spec = dag_spec(
        &[(1.0, 1.0), (2.0, 1.0), (3.0, 1.0)],
        &[(0, 2, None), (1, 2, None)],
    );
    spec.touchpoints[0].entry = Some(1.0);
    let j = Journey::from_spec(spec).unwrap();
    assert_eq!(j.warnings().len(), 1);
    assert!(
        j.warnings()[0]
            .to_string()
            .contains("\"t1\" is unreachable")
    );
    let a = analyze(&j, &Model::PeakEnd, &Options::new());
    assert_eq!(a.touchpoints[1].visit, 0.0);
}

#[test]
fn missing_probabilities_share_the_remaining_mass() {
    let spec = dag_spec(
        &[(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 1.0)],
        &[(0, 1, Some(0.5)), (0, 2, None), (0, 3, None)],
    );
    let j = Journey::from_spec(spec).unwrap();
    let p: Vec<(usize, f64)> = j.successors(0).collect();
    assert_eq!(p, [(1, 0.5), (2, 0.25), (3, 0.25)]);
}

#[test]
fn a_million_touchpoint_chain_loads_and_analyses() {
    let n = 1_000_000;
    let tps = (0..n as u64)
        .map(|i| {
            TouchpointSpec::new(
                format!("t{i}"),
                "step",
                ((i * 7919) % 2001) as f64 / 100.0 - 10.0,
            )
        })
        .collect();
    let j = Journey::from_spec(JourneySpec::linear("long", tps)).unwrap();
    let a = analyze(&j, &Model::PeakEnd, &Options::new());
    assert!(a.remembered.exact);
    assert_eq!(a.paths.count, peakend::PathCount::Exact(1));
    let peaks: f64 = a.touchpoints.iter().map(|t| t.peak_share).sum();
    assert!((peaks - 1.0).abs() < 1e-12);
}

#[test]
fn a_long_cycle_is_reported_without_stack_overflow() {
    let n = 200_000;
    let nodes = vec![(0.0, 1.0); n];
    let mut edges: Vec<(usize, usize, Option<f64>)> = (1..n).map(|i| (i - 1, i, None)).collect();
    edges.push((n - 1, 0, None));
    let err = Journey::from_spec(dag_spec(&nodes, &edges)).unwrap_err();
    let msg = err.problems[0].to_string();
    assert!(msg.contains("cycle: \"t0\" -> \"t1\""), "{msg}");
    assert!(msg.len() < 300, "cycle messages stay readable: {msg}");
}

#[test]
fn sixty_binary_branch_points_are_exact() {
    // 60 diamonds in a row: 2^60 paths.
    let mut nodes = vec![(0.0, 1.0)];
    let mut edges = Vec::new();
    for k in 0..60 {
        let base = nodes.len() - 1;
        nodes.push((((k * 3) % 19) as f64 - 9.0, 1.0));
        nodes.push((((k * 5) % 17) as f64 - 8.0, 2.0));
        nodes.push((((k * 7) % 13) as f64 - 6.0, 1.0));
        edges.push((base, base + 1, Some(0.3)));
        edges.push((base, base + 2, Some(0.7)));
        edges.push((base + 1, base + 3, None));
        edges.push((base + 2, base + 3, None));
    }
    let j = Journey::from_spec(dag_spec(&nodes, &edges)).unwrap();
    let a = analyze(&j, &Model::PeakEnd, &Options::new());
    assert_eq!(a.paths.count, peakend::PathCount::Exact(1u128 << 60));
    assert!(a.remembered.exact && a.distribution.exact && a.mean.exact);
    assert!(a.estimate.is_none());
}

/// Outcomes and route improvements are checked like every other field
/// (issue #10).
#[test]
fn outcomes_and_route_improvements_are_checked() {
    let text = r#"{"version": 1, "name": "x",
      "outcomes": [{"id": "won", "name": "Won", "kind": "win", "value": 10},
                   {"id": "won", "name": "Again", "kind": "loss"}],
      "touchpoints": [
        {"id": "a", "name": "A", "emotion": 1, "outcome": "won"},
        {"id": "b", "name": "B", "emotion": 2, "outcome": "wno"},
        {"id": "c", "name": "C", "emotion": 3}],
      "transitions": [
        {"from": "a", "to": "b", "improvement": {"probability": 60}},
        {"from": "b", "to": "c"}]}"#;
    let got = problems(text);
    let has = |s: &str| got.iter().any(|p| p.contains(s));
    assert!(
        has("outcomes[1].id: duplicate outcome id \"won\""),
        "{got:#?}"
    );
    assert!(
        has("touchpoints[0].outcome: customers go on from here: an outcome belongs to an end"),
        "{got:#?}"
    );
    assert!(
        has("touchpoints[1].outcome: unknown outcome \"wno\"; did you mean \"won\"?"),
        "{got:#?}"
    );
    assert!(
        has(
            "transitions[0].improvement.probability: 60 is not a probability in [0, 1]; a percentage? write 0.6"
        ),
        "{got:#?}"
    );
    assert!(
        has(
            "transitions[0].improvement: the only transition from \"a\" cannot change its probability"
        ),
        "{got:#?}"
    );
    let kind = Journey::from_json_str(
        r#"{"version":1,"name":"x","outcomes":[{"id":"o","name":"O","kind":"won"}],
           "touchpoints":[{"id":"a","name":"A","emotion":1,"outcome":"o"}]}"#,
    )
    .unwrap_err();
    assert!(
        kind.problems[0].to_string().contains("outcomes[0].kind"),
        "{kind}"
    );
}
