//! Local prices against re-analysis: every lift `recommend` computes
//! without re-analysing must equal a full analysis of the edited journey,
//! and the advice — ranking, robust lifts, outcome shifts, the greedy plan —
//! must be the one re-analysis gives.

use super::{Recommendation, Recommendations, recommend};
use crate::analysis::{Analyzer, Options};
use crate::journey::Journey;
use crate::memory::Model;
use proptest::prelude::*;

const TOL: f64 = 1e-9;

/// A random small journey as JSON: whole-step emotions (so intensity ties
/// between negative and positive moments are common), durations on all,
/// some or none, random probabilities, improvements, outcomes on some ends
/// and route improvements.
fn arb_journey() -> impl Strategy<Value = Journey> {
    (2usize..=7)
        .prop_flat_map(|n| {
            let pairs: Vec<(usize, usize)> = (0..n)
                .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                .collect();
            let m = pairs.len();
            (
                proptest::collection::vec((-6i32..=6, 1u32..5, 0u32..4, 0i32..=4), n),
                proptest::sample::subsequence(pairs, 0..=m),
                proptest::collection::vec((1u32..6, 0u32..4), m),
                0u32..3,
                proptest::collection::vec(0u32..3, n),
            )
        })
        .prop_filter_map("valid journeys", |(nodes, edges, weights, durations, outcomes)| {
            let n = nodes.len();
            let mut has_out = vec![false; n];
            for &(a, _) in &edges {
                has_out[a] = true;
            }
            let tps: Vec<String> = nodes
                .iter()
                .enumerate()
                .map(|(i, &(e, d, imp, up))| {
                    let mut t = format!(r#"{{"id":"t{i}","name":"T{i}","emotion":{e}"#);
                    if durations == 2 || (durations == 1 && i % 2 == 0) {
                        t += &format!(r#","duration":{d}"#);
                    }
                    if imp == 0 && e + up <= 10 && up > 0 {
                        t += &format!(r#","improvement":{{"emotion":{},"cost":{d}}}"#, e + up);
                    }
                    if !has_out[i] && outcomes[i] > 0 {
                        t += &format!(r#","outcome":"o{}""#, outcomes[i]);
                    }
                    t + "}"
                })
                .collect();
            let mut ts = Vec::new();
            for a in 0..n {
                let mine: Vec<usize> = (0..edges.len()).filter(|&k| edges[k].0 == a).collect();
                let total: u32 = mine.iter().map(|&k| weights[k].0).sum();
                for &k in &mine {
                    let p = f64::from(weights[k].0) / f64::from(total);
                    let mut t = format!(
                        r#"{{"from":"t{a}","to":"t{}","probability":{p}"#,
                        edges[k].1
                    );
                    if weights[k].1 == 0 && mine.len() > 1 {
                        t += &format!(r#","improvement":{{"probability":{}}}"#, (p * 0.5 + 0.25).min(1.0));
                    }
                    ts.push(t + "}");
                }
            }
            let text = format!(
                r#"{{"version":1,"name":"x","outcomes":[{{"id":"o1","name":"Won","kind":"win","value":10}},{{"id":"o2","name":"Lost","kind":"loss"}}],"touchpoints":[{}],"transitions":[{}]}}"#,
                tps.join(","),
                ts.join(",")
            );
            Journey::from_json_str(&text).ok()
        })
}

fn models() -> Vec<Model> {
    vec![
        Model::PeakEnd,
        Model::PeakPitEnd,
        Model::Mean,
        Model::Weighted(
            "peak=0.3,best=0.2,worst=0.1,end=0.2,first=0.1,mean=0.1"
                .parse()
                .unwrap(),
        ),
    ]
}

fn same_rec(fast: &Recommendation, full: &Recommendation) -> Result<(), TestCaseError> {
    prop_assert_eq!(&fast.operation, &full.operation);
    prop_assert!(
        (fast.lift - full.lift).abs() < TOL,
        "lift {} vs {}",
        fast.lift,
        full.lift
    );
    prop_assert!(
        (fast.mean_lift - full.mean_lift).abs() < TOL,
        "mean lift of {:?}: {} vs {}",
        fast.operation,
        fast.mean_lift,
        full.mean_lift
    );
    prop_assert!(
        (fast.robust_lift - full.robust_lift).abs() < TOL,
        "robust lift of {:?}: {} vs {}",
        fast.operation,
        fast.robust_lift,
        full.robust_lift
    );
    prop_assert_eq!(fast.fragile, full.fragile);
    prop_assert_eq!(fast.outcome_shifts.len(), full.outcome_shifts.len());
    for (x, y) in fast.outcome_shifts.iter().zip(&full.outcome_shifts) {
        prop_assert_eq!(&x.id, &y.id);
        prop_assert!((x.after - y.after).abs() < TOL);
    }
    prop_assert!((fast.rationale.after - full.rationale.after).abs() < TOL);
    prop_assert_eq!(&fast.rationale.touchpoint, &full.rationale.touchpoint);
    Ok(())
}

fn same_advice(fast: &Recommendations, full: &Recommendations) -> Result<(), TestCaseError> {
    prop_assert_eq!(fast.recommendations.len(), full.recommendations.len());
    for (x, y) in fast.recommendations.iter().zip(&full.recommendations) {
        same_rec(x, y)?;
        prop_assert_eq!(x.alternatives.len(), y.alternatives.len());
        for (a, b) in x.alternatives.iter().zip(&y.alternatives) {
            prop_assert_eq!(&a.operation, &b.operation);
            prop_assert!((a.lift - b.lift).abs() < TOL);
        }
    }
    let (p, q) = (fast.plan.as_ref().unwrap(), full.plan.as_ref().unwrap());
    prop_assert_eq!(&p.operations, &q.operations);
    for (x, y) in p.actions.iter().zip(&q.actions) {
        same_rec(x, y)?;
    }
    prop_assert!((p.after - q.after).abs() < TOL);
    prop_assert_eq!(
        fast.dashboard_would_differ.len(),
        full.dashboard_would_differ.len()
    );
    for (x, y) in fast
        .dashboard_would_differ
        .iter()
        .zip(&full.dashboard_would_differ)
    {
        prop_assert_eq!(
            (x.action, &x.touchpoint, x.memory_rank, x.mean_rank),
            (y.action, &y.touchpoint, y.memory_rank, y.mean_rank)
        );
        prop_assert!((x.mean_lift - y.mean_lift).abs() < TOL);
    }
    prop_assert_eq!(&fast.do_not_invest, &full.do_not_invest);
    prop_assert_eq!(&fast.by_owner, &full.by_owner);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Local prices equal re-analysis, and so does all the advice built
    /// on them, under every built-in model.
    #[test]
    fn local_prices_give_the_advice_re_analysis_gives(j in arb_journey(), budget in 1u32..12) {
        for model in models() {
            let an = Analyzer::new(model);
            let a = an.analyze(&j);
            let fast = recommend(&an, &j, &a, Some(f64::from(budget)), false);
            let full = recommend(&an, &j, &a, Some(f64::from(budget)), true);
            prop_assert!(fast.estimate.is_none());
            same_advice(&fast, &full)?;
        }
    }
}

/// A layered journey (`layers` × `width`, each touchpoint linked to
/// `fan` of the next layer), emotions and durations from a fixed LCG.
fn layered(layers: usize, width: usize, fan: usize) -> Journey {
    let mut x: u64 = 11;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m
    };
    let mut tps = Vec::new();
    let mut ts = Vec::new();
    for l in 0..layers {
        for w in 0..width {
            let (e, d) = (next(21) as i64 - 10, next(30) + 1);
            tps.push(format!(
                r#"{{"id":"t{l}-{w}","name":"T","emotion":{e},"duration":{d}}}"#
            ));
            if l + 1 < layers {
                for k in 0..fan {
                    let p = 1.0 / fan as f64;
                    ts.push(format!(
                        r#"{{"from":"t{l}-{w}","to":"t{}-{}","probability":{p}}}"#,
                        l + 1,
                        (w + k) % width
                    ));
                }
            }
        }
    }
    let text = format!(
        r#"{{"version":1,"name":"x","touchpoints":[{}],"transitions":[{}]}}"#,
        tps.join(","),
        ts.join(",")
    );
    Journey::from_json_str(&text).unwrap()
}

/// Where the duration-weighted mean has no exact form, its lifts are
/// estimated from one seeded set of sampled paths: each estimate lies
/// within five standard errors of the exact figure (here computable: the
/// journey is small, only the options forbid the exact routes).
#[test]
fn sampled_mean_lifts_agree_with_the_exact_ones() {
    let j = layered(10, 6, 3);
    let exact = Analyzer::new(Model::PeakEnd);
    let sampled = Analyzer::new(Model::PeakEnd).options(
        Options::new()
            .enumeration_limit(0)
            .mean_state_limit(10)
            .samples(20_000),
    );
    let a = exact.analyze(&j);
    let x = recommend(&exact, &j, &a, None, false);
    let s = recommend(&sampled, &j, &sampled.analyze(&j), None, false);
    assert!(x.estimate.is_none());
    let est = s.estimate.as_ref().expect("the mean lifts are estimated");
    assert_eq!(est.figures, [super::EstimatedLift::MeanLift]);
    assert_eq!(x.recommendations.len(), s.recommendations.len());
    let mut checked = 0;
    for (e, m) in x.recommendations.iter().zip(&s.recommendations) {
        assert_eq!(e.operation, m.operation);
        assert!((e.lift - m.lift).abs() < TOL, "peak-end lifts stay exact");
        let se = m.mean_lift_standard_error.expect("a standard error");
        assert!(
            (e.mean_lift - m.mean_lift).abs() <= 5.0 * se + 1e-12,
            "{:?}: exact {} sampled {} ± {se}",
            e.operation,
            e.mean_lift,
            m.mean_lift
        );
        checked += 1;
    }
    assert!(checked > 10);
}

/// A chain with skips (`i` → `i + 1` 70 %, → `i + 2` 30 %), durations
/// 1..30 from a fixed LCG: elapsed times spread, the mean's states grow.
fn skipping_chain(n: usize) -> Journey {
    let mut x: u64 = 5;
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % m
    };
    let mut tps = Vec::new();
    let mut ts = Vec::new();
    for i in 0..n {
        let (e, d) = (next(21) as i64 - 10, next(30) + 1);
        tps.push(format!(
            r#"{{"id":"t{i}","name":"T","emotion":{e},"duration":{d}}}"#
        ));
        if i + 2 < n {
            ts.push(format!(
                r#"{{"from":"t{i}","to":"t{}","probability":0.7}}"#,
                i + 1
            ));
            ts.push(format!(
                r#"{{"from":"t{i}","to":"t{}","probability":0.3}}"#,
                i + 2
            ));
        } else if i + 1 < n {
            ts.push(format!(
                r#"{{"from":"t{i}","to":"t{}","probability":1}}"#,
                i + 1
            ));
        }
    }
    let text = format!(
        r#"{{"version":1,"name":"x","touchpoints":[{}],"transitions":[{}]}}"#,
        tps.join(","),
        ts.join(",")
    );
    Journey::from_json_str(&text).unwrap()
}

/// Cutting a step is the one edit the exact mean has no linear price for;
/// past a work budget of a few analyses the remaining cuts are estimated
/// from sampled paths. Exact prices equal re-analysis; estimated ones lie
/// within five standard errors of it, and say so.
#[test]
fn cuts_past_the_work_budget_are_estimated_and_say_so() {
    let j = skipping_chain(50);
    let an = Analyzer::new(Model::Mean).options(Options::new().enumeration_limit(0));
    let a = an.analyze(&j);
    assert!(a.mean.exact, "the reference is exact");
    let fast = recommend(&an, &j, &a, None, false);
    let full = recommend(&an, &j, &a, None, true);
    let by_op = |r: &Recommendations, op: &crate::simulate::Operation| {
        r.recommendations
            .iter()
            .flat_map(|x| {
                std::iter::once((&x.operation, x.lift))
                    .chain(x.alternatives.iter().map(|y| (&y.operation, y.lift)))
            })
            .find(|(o, _)| *o == op)
            .map(|(_, l)| l)
    };
    let (mut exact, mut sampled) = (0, 0);
    for x in &fast.recommendations {
        let reference = by_op(&full, &x.operation).expect("the same candidates lift memory");
        match x.lift_standard_error {
            None => {
                assert!((x.lift - reference).abs() < TOL, "{:?}", x.operation);
                exact += 1;
            }
            Some(se) => {
                assert!(
                    (x.lift - reference).abs() <= 5.0 * se + 1e-12,
                    "{:?}: {} vs {reference} ± {se}",
                    x.operation,
                    x.lift
                );
                sampled += 1;
            }
        }
    }
    assert!(exact > 0 && sampled > 0, "exact {exact}, sampled {sampled}");
    let est = fast.estimate.expect("estimated lifts are declared");
    assert!(est.figures.contains(&super::EstimatedLift::Lift));
}

/// Past the budget of level-distribution entries (many distinct emotion
/// values on a long, wide journey), the peak's figures and lifts are
/// estimated from one seeded set of sampled paths, and say so: the
/// analysis lists them, each sampled figure lies within five standard
/// errors of the exact one (here computable: only the options forbid it).
#[test]
fn peak_figures_past_the_level_budget_are_estimated_and_say_so() {
    let j = layered(10, 6, 3);
    let exact = Analyzer::new(Model::PeakEnd);
    let sampled = Analyzer::new(Model::PeakEnd).options(
        Options::new()
            .enumeration_limit(0)
            .mean_state_limit(usize::MAX)
            .level_state_limit(0)
            .samples(20_000),
    );
    let a = exact.analyze(&j);
    let b = sampled.analyze(&j);
    assert!(a.estimate.is_none());
    let figures = &b.estimate.as_ref().expect("estimated").figures;
    for f in [
        crate::EstimatedFigure::Remembered,
        crate::EstimatedFigure::PeakShare,
        crate::EstimatedFigure::Distribution,
    ] {
        assert!(figures.contains(&f), "{f:?} in {figures:?}");
    }
    let se = b.remembered.standard_error.expect("a standard error");
    assert!((a.remembered.expected - b.remembered.expected).abs() <= 5.0 * se);
    let n = 20_000.0;
    let mut total = 0.0;
    for (x, y) in a.touchpoints.iter().zip(&b.touchpoints) {
        let p = x.peak_share;
        let bound = 5.0 * (p * (1.0 - p) / n).sqrt() + 1e-12;
        assert!(
            (p - y.peak_share).abs() <= bound,
            "{}: {p} vs {}",
            x.id,
            y.peak_share
        );
        total += y.peak_share;
    }
    assert!((total - 1.0).abs() < 1e-9);
    // Lifts: the same actions, each sampled lift within five standard
    // errors of its exact price (the ranking may differ where lifts are
    // close, so actions are matched by what they do).
    let x = recommend(&exact, &j, &a, None, false);
    let s = recommend(&sampled, &j, &b, None, false);
    assert!(x.estimate.is_none());
    let est = s.estimate.as_ref().expect("the lifts are estimated");
    assert!(est.figures.contains(&super::EstimatedLift::Lift));
    let mut checked = 0;
    for m in &s.recommendations {
        let Some(e) = x
            .recommendations
            .iter()
            .find(|e| e.operation == m.operation)
        else {
            continue;
        };
        let se = m.lift_standard_error.expect("a standard error");
        assert!(
            (e.lift - m.lift).abs() <= 5.0 * se + 1e-12,
            "{:?}: exact {} sampled {} ± {se}",
            e.operation,
            e.lift,
            m.lift
        );
        checked += 1;
    }
    assert!(checked > 10, "{checked}");
}
