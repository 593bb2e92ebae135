//! Property tests of the scoring rules and the exact computation.

use super::dag_spec;
use peakend::{
    Analysis, Analyzer, Journey, JourneySpec, MemoryModel, Model, Options, TouchpointSpec, analyze,
};
use proptest::prelude::*;
use proptest::sample::subsequence;

const TOL: f64 = 1e-9;

/// Random small DAG: nodes 0..n, edges only from lower to higher index, with
/// explicit probabilities, or none (equal split).
#[derive(Debug, Clone)]
struct Dag {
    nodes: Vec<(f64, f64)>,
    edges: Vec<(usize, usize, Option<f64>)>,
}

impl Dag {
    fn spec(&self) -> JourneySpec {
        dag_spec(&self.nodes, &self.edges)
    }
    fn journey(&self) -> Journey {
        Journey::from_spec(self.spec()).expect("generated DAGs are valid")
    }
}

fn arb_dag(max_nodes: usize, half_steps: bool) -> impl Strategy<Value = Dag> {
    (1..=max_nodes)
        .prop_flat_map(move |n| {
            let pairs: Vec<(usize, usize)> = (0..n)
                .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                .collect();
            let m = pairs.len();
            (
                proptest::collection::vec((-20i32..=20, 1u32..6), n),
                subsequence(pairs, 0..=m),
                proptest::collection::vec(1u32..10, m),
                any::<bool>(),
            )
        })
        .prop_map(move |(nodes, edges, weights, explicit)| {
            let nodes: Vec<(f64, f64)> = nodes
                .into_iter()
                .map(|(e, d)| {
                    let e = if half_steps {
                        e as f64 / 2.0
                    } else {
                        (e / 2) as f64
                    };
                    (e, d as f64)
                })
                .collect();
            let mut out = Vec::new();
            for a in 0..nodes.len() {
                let mine: Vec<(usize, (usize, usize))> = edges
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.0 == a)
                    .map(|(k, e)| (k, *e))
                    .collect();
                let total: u32 = mine.iter().map(|(k, _)| weights[*k]).sum();
                for (k, (x, y)) in mine {
                    let p = explicit.then(|| weights[k] as f64 / total as f64);
                    out.push((x, y, p));
                }
            }
            Dag { nodes, edges: out }
        })
}

/// As [`arb_dag`], with real-valued emotions: mean ratings, nearly all
/// distinct — and some exactly opposite pairs, so that a negative and a
/// positive moment tie in intensity.
fn arb_real_dag(max_nodes: usize) -> impl Strategy<Value = Dag> {
    arb_dag(max_nodes, false)
        .prop_flat_map(|dag| {
            let n = dag.nodes.len();
            let value = prop_oneof![
                proptest::sample::select(vec![-7.31, 7.31, -2.75, 2.75, 9.999, -9.999, 0.0]),
                -10.0f64..10.0,
            ];
            (Just(dag), proptest::collection::vec(value, n))
        })
        .prop_map(|(mut dag, emotions)| {
            for (node, e) in dag.nodes.iter_mut().zip(emotions) {
                node.0 = e;
            }
            dag
        })
}

/// Reference implementation, written independently of the crate: enumerate
/// every path recursively straight from the spec.
struct Brute {
    expected: f64,
    visit: Vec<f64>,
    peak_share: Vec<f64>,
    end_share: Vec<f64>,
    scores: Vec<(f64, f64)>,
}

fn brute(dag: &Dag) -> Brute {
    brute_with(dag, peakend::Ties::Negative)
}

/// As [`brute`], with intensity ties between a negative and a positive
/// moment going as `ties` says.
fn brute_with(dag: &Dag, ties: peakend::Ties) -> Brute {
    let n = dag.nodes.len();
    let mut succ: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut has_in = vec![false; n];
    for &(a, b, p) in &dag.edges {
        succ[a].push((b, p.unwrap_or(f64::NAN)));
        has_in[b] = true;
    }
    for s in &mut succ {
        let k = s.len() as f64;
        for e in s.iter_mut() {
            if e.1.is_nan() {
                e.1 = 1.0 / k;
            }
        }
    }
    let entries: Vec<usize> = (0..n).filter(|&i| !has_in[i]).collect();
    let mut r = Brute {
        expected: 0.0,
        visit: vec![0.0; n],
        peak_share: vec![0.0; n],
        end_share: vec![0.0; n],
        scores: Vec::new(),
    };
    fn walk(
        dag: &Dag,
        succ: &[Vec<(usize, f64)>],
        path: &mut Vec<usize>,
        prob: f64,
        r: &mut Brute,
        ties: peakend::Ties,
    ) {
        let last = *path.last().unwrap();
        if succ[last].is_empty() {
            // Peak: most intense; tie: negative wins (or positive, as
            // `ties` says); equal: later wins.
            let mut peak = path[0];
            for &i in path.iter() {
                let (e, pe) = (dag.nodes[i].0, dag.nodes[peak].0);
                let wins_tie = match ties {
                    peakend::Ties::Negative => e <= pe,
                    peakend::Ties::Positive => e >= pe,
                };
                if e.abs() > pe.abs() || (e.abs() == pe.abs() && wins_tie) {
                    peak = i;
                }
            }
            let score = (dag.nodes[peak].0 + dag.nodes[last].0) / 2.0;
            r.expected += prob * score;
            r.peak_share[peak] += prob;
            r.end_share[last] += prob;
            for &i in path.iter() {
                r.visit[i] += prob;
            }
            r.scores.push((score, prob));
            return;
        }
        for &(w, p) in &succ[last] {
            path.push(w);
            walk(dag, succ, path, prob * p, r, ties);
            path.pop();
        }
    }
    for &s in &entries {
        walk(
            dag,
            &succ,
            &mut vec![s],
            1.0 / entries.len() as f64,
            &mut r,
            ties,
        );
    }
    r
}

fn dp(j: &Journey, model: &Model) -> Analysis {
    analyze(j, model, &Options::new().enumeration_limit(0))
}

/// The journey with an improvement (+3, capped) of the given cost on each
/// touchpoint whose cost is above 0.
fn with_costs(dag: &Dag, costs: &[u8]) -> Journey {
    let mut spec = dag.spec();
    for (t, c) in spec.touchpoints.iter_mut().zip(costs) {
        if *c > 0 {
            t.improvement = Some(peakend::ImprovementSpec {
                emotion: (t.emotion + 3.0).min(10.0),
                cost: Some(f64::from(*c)),
            });
        }
    }
    Journey::from_spec(spec).unwrap()
}

fn shares(a: &Analysis) -> (f64, f64) {
    (
        a.touchpoints.iter().map(|t| t.peak_share).sum(),
        a.touchpoints.iter().map(|t| t.end_share).sum(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exact_expectation_equals_brute_force(dag in arb_dag(8, false)) {
        let j = dag.journey();
        let b = brute(&dag);
        for a in [dp(&j, &Model::PeakEnd), analyze(&j, &Model::PeakEnd, &Options::new())] {
            prop_assert!((a.remembered.expected - b.expected).abs() < TOL,
                "{} vs brute {}", a.remembered.expected, b.expected);
            prop_assert!(a.remembered.exact);
            prop_assert!(a.distribution.exact);
            for (i, t) in a.touchpoints.iter().enumerate() {
                prop_assert!((t.visit - b.visit[i]).abs() < TOL);
                prop_assert!((t.peak_share - b.peak_share[i]).abs() < TOL, "peak share of {}", t.id);
                prop_assert!((t.end_share - b.end_share[i]).abs() < TOL);
            }
            let neg: f64 = b.scores.iter().filter(|s| s.0 < 0.0).map(|s| s.1).sum();
            prop_assert!((a.distribution.negative_share - neg).abs() < TOL);
            let best = b.scores.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
            let worst = b.scores.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
            prop_assert!((a.paths.best.score - best).abs() < TOL);
            prop_assert!((a.paths.worst.score - worst).abs() < TOL);
        }
    }

    /// Real-valued emotions (every value its own level, ties included):
    /// the dynamic programming, enumeration and the brute force agree under
    /// both tie rules, and no figure is estimated.
    #[test]
    fn real_valued_emotions_equal_brute_force(dag in arb_real_dag(8)) {
        for ties in [peakend::Ties::Negative, peakend::Ties::Positive] {
            let j = dag.journey().with_ties(ties);
            let b = brute_with(&dag, ties);
            // Also the shares alone, in frontier memory (what journeys past
            // the storage budget get).
            let windowed = peakend::expected_exact(&j, &Model::PeakEnd).expect("peak-end is linear");
            prop_assert!((windowed - b.expected).abs() < TOL, "{windowed} vs brute {}", b.expected);
            for a in [dp(&j, &Model::PeakEnd), analyze(&j, &Model::PeakEnd, &Options::new())] {
                prop_assert!((a.remembered.expected - b.expected).abs() < TOL,
                    "{} vs brute {}", a.remembered.expected, b.expected);
                prop_assert!(a.estimate.is_none());
                for (i, t) in a.touchpoints.iter().enumerate() {
                    prop_assert!((t.peak_share - b.peak_share[i]).abs() < TOL, "peak share of {}", t.id);
                }
                let neg: f64 = b.scores.iter().filter(|s| s.0 < 0.0).map(|s| s.1).sum();
                prop_assert!((a.distribution.negative_share - neg).abs() < TOL);
                let best = b.scores.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
                prop_assert!((a.paths.best.score - best).abs() < TOL);
            }
        }
    }

    /// The duration-weighted mean without elapsed-time states (the Laplace
    /// identity, what a journey of 100,000 touchpoints gets) equals
    /// enumeration, and so do its memory weights, under `mean` and a blend.
    #[test]
    fn the_mean_without_states_equals_enumeration(dag in arb_real_dag(8)) {
        let j = dag.journey();
        let laplace = Options::new().enumeration_limit(0).mean_state_limit(0);
        let blend = Model::Weighted("peak=0.4,end=0.4,mean=0.2".parse().unwrap());
        for model in [Model::Mean, blend] {
            let e = analyze(&j, &model, &Options::new());
            let l = analyze(&j, &model, &laplace);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + a.abs());
            prop_assert!(close(e.remembered.expected, l.remembered.expected),
                "{}: {} vs {}", model.name(), e.remembered.expected, l.remembered.expected);
            prop_assert!(l.remembered.exact && l.mean.exact);
            prop_assert!(close(e.mean.expected, l.mean.expected));
            for (x, y) in e.touchpoints.iter().zip(&l.touchpoints) {
                prop_assert!(close(x.memory_weight, y.memory_weight),
                    "{} weight of {}: {} vs {}", model.name(), x.id, x.memory_weight, y.memory_weight);
            }
            let estimated = l.estimate.as_ref().map(|x| x.figures.clone()).unwrap_or_default();
            prop_assert!(!estimated.contains(&peakend::EstimatedFigure::MemoryWeight));
        }
    }

    /// The other tie rule (`scale.ties`, `--ties positive`) is exact too:
    /// the engine, enumeration and an independent brute force agree.
    #[test]
    fn positive_ties_equal_brute_force(dag in arb_dag(8, false)) {
        let j = dag.journey().with_ties(peakend::Ties::Positive);
        let b = brute_with(&dag, peakend::Ties::Positive);
        for a in [dp(&j, &Model::PeakEnd), analyze(&j, &Model::PeakEnd, &Options::new())] {
            prop_assert!((a.remembered.expected - b.expected).abs() < TOL,
                "{} vs brute {}", a.remembered.expected, b.expected);
            for (i, t) in a.touchpoints.iter().enumerate() {
                prop_assert!((t.peak_share - b.peak_share[i]).abs() < TOL, "peak share of {}", t.id);
            }
            let neg: f64 = b.scores.iter().filter(|s| s.0 < 0.0).map(|s| s.1).sum();
            prop_assert!((a.distribution.negative_share - neg).abs() < TOL);
        }
        // The rule survives an edit and a round trip through the file.
        let back = Journey::from_json_str(&j.spec().to_json()).unwrap();
        prop_assert_eq!(back.scale().ties, peakend::Ties::Positive);
    }

    #[test]
    fn dynamic_programming_equals_enumeration_for_every_model(dag in arb_dag(7, true)) {
        let j = dag.journey();
        let models = [
            Model::PeakEnd,
            Model::PeakPitEnd,
            Model::Mean,
            Model::Weighted("peak=0.3,end=0.3,first=0.1,best=0.1,worst=0.1,mean=0.1".parse().unwrap()),
        ];
        for m in &models {
            let exact = analyze(&j, m, &Options::new());
            let by_dp = dp(&j, m);
            prop_assert!(by_dp.remembered.exact);
            prop_assert!((exact.remembered.expected - by_dp.remembered.expected).abs() < TOL, "{m:?}");
            prop_assert!((exact.mean.expected - by_dp.mean.expected).abs() < TOL);
        }
    }

    #[test]
    fn peak_and_end_shares_each_sum_to_one(dag in arb_dag(8, true)) {
        let (p, e) = shares(&dp(&dag.journey(), &Model::PeakEnd));
        prop_assert!((p - 1.0).abs() < TOL, "peak shares sum to {p}");
        prop_assert!((e - 1.0).abs() < TOL, "end shares sum to {e}");
    }

    #[test]
    fn duration_is_neglected_under_peak_end(dag in arb_dag(8, true), scale in 0.1f64..50.0) {
        let before = dp(&dag.journey(), &Model::PeakEnd).remembered.expected;
        let mut longer = dag.clone();
        for (i, n) in longer.nodes.iter_mut().enumerate() {
            n.1 *= scale * (1.0 + i as f64);
        }
        let after = dp(&longer.journey(), &Model::PeakEnd).remembered.expected;
        prop_assert!((before - after).abs() < TOL);
    }

    #[test]
    fn raising_an_emotion_never_lowers_peak_end(dag in arb_dag(8, true), pick in any::<prop::sample::Index>(), up in 0.5f64..20.0) {
        let before = dp(&dag.journey(), &Model::PeakEnd).remembered.expected;
        let mut raised = dag.clone();
        let i = pick.index(raised.nodes.len());
        raised.nodes[i].0 = (raised.nodes[i].0 + up).min(10.0);
        let after = dp(&raised.journey(), &Model::PeakEnd).remembered.expected;
        prop_assert!(after >= before - TOL, "{before} -> {after}");
    }

    #[test]
    fn every_score_lies_within_its_paths_emotion_range(dag in arb_dag(8, true)) {
        let j = dag.journey();
        for m in [Model::PeakEnd, Model::PeakPitEnd, Model::Mean] {
            let a = analyze(&j, &m, &Options::new());
            for p in [&a.paths.best, &a.paths.worst, &a.paths.most_likely, &a.paths.main] {
                let ems: Vec<f64> = p.touchpoints.iter()
                    .map(|id| j.touchpoint(j.index_of(id).unwrap()).emotion).collect();
                let lo = ems.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ems.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(p.score >= lo - TOL && p.score <= hi + TOL);
            }
            prop_assert!(a.distribution.min <= a.remembered.expected + TOL);
            prop_assert!(a.distribution.max >= a.remembered.expected - TOL);
        }
    }

    #[test]
    fn a_milder_better_ending_raises_the_score(ems in proptest::collection::vec(-10i32..=10, 1..10), frac in 0.0f64..1.0) {
        let tps: Vec<TouchpointSpec> = ems.iter().enumerate()
            .map(|(i, &e)| TouchpointSpec::new(format!("t{i}"), "t", e as f64)).collect();
        let peak = ems.iter().map(|e| e.abs()).max().unwrap() as f64;
        let end = *ems.last().unwrap() as f64;
        // A new last moment strictly milder than the peak and better than the end.
        let lo = end;
        let hi = peak;
        prop_assume!(hi > lo && peak > 0.0);
        let x = lo + (hi - lo) * (0.01 + 0.98 * frac);
        prop_assume!(x.abs() < peak && x > end);
        let before = dp(&Journey::from_spec(JourneySpec::linear("x", tps.clone())).unwrap(), &Model::PeakEnd);
        let mut more = tps;
        more.push(TouchpointSpec::new("gentle", "gentler ending", x));
        let after = dp(&Journey::from_spec(JourneySpec::linear("x", more)).unwrap(), &Model::PeakEnd);
        prop_assert!(after.remembered.expected > before.remembered.expected);
    }

    #[test]
    fn file_order_does_not_change_results(dag in arb_dag(8, true), seed in any::<u64>()) {
        let spec = dag.spec();
        let mut shuffled = spec.clone();
        // Deterministic shuffle of touchpoints and transitions.
        let mut s = seed | 1;
        let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
        for i in (1..shuffled.touchpoints.len()).rev() {
            let k = (next() % (i as u64 + 1)) as usize;
            shuffled.touchpoints.swap(i, k);
        }
        if let Some(ts) = shuffled.transitions.as_mut() {
            for i in (1..ts.len()).rev() {
                let k = (next() % (i as u64 + 1)) as usize;
                ts.swap(i, k);
            }
        }
        for m in [Model::PeakEnd, Model::PeakPitEnd, Model::Mean] {
            let a = dp(&Journey::from_spec(spec.clone()).unwrap(), &m);
            let b = dp(&Journey::from_spec(shuffled.clone()).unwrap(), &m);
            prop_assert!((a.remembered.expected - b.remembered.expected).abs() < TOL);
            prop_assert!((a.distribution.p50 - b.distribution.p50).abs() < TOL);
            prop_assert!((a.distribution.negative_share - b.distribution.negative_share).abs() < TOL);
            for t in &a.touchpoints {
                let u = b.touchpoints.iter().find(|u| u.id == t.id).unwrap();
                prop_assert!((t.peak_share - u.peak_share).abs() < TOL);
                prop_assert!((t.visit - u.visit).abs() < TOL);
            }
        }
    }

    #[test]
    fn memory_weight_is_zero_off_the_peak_and_end(dag in arb_dag(8, false)) {
        let a = dp(&dag.journey(), &Model::PeakEnd);
        for t in &a.touchpoints {
            if t.peak_share == 0.0 && t.end_share == 0.0 {
                prop_assert_eq!(t.memory_weight, 0.0, "{}", t.id);
            }
        }
        prop_assert!(a.memory_weight_exact);
    }

    #[test]
    fn memory_weight_matches_a_finite_difference(
        dag in arb_dag(7, true),
        jitter in proptest::collection::vec(0.0f64..0.4, 7),
        pick in any::<prop::sample::Index>(),
    ) {
        // Distinct emotions (no ties), so the derivative exists.
        let mut dag = dag;
        for (i, n) in dag.nodes.iter_mut().enumerate() {
            n.0 = (n.0 * 0.9 + jitter[i] + i as f64 * 0.013).clamp(-9.9, 9.9);
        }
        // No near-ties in intensity either: a step of h must not cross one
        // (a -3.8232 and a +3.8231 once did).
        for (x, a) in dag.nodes.iter().enumerate() {
            for b in &dag.nodes[x + 1..] {
                prop_assume!((a.0.abs() - b.0.abs()).abs() > 1e-3 && (a.0 - b.0).abs() > 1e-3);
            }
        }
        let weighted = Model::Weighted("peak=0.3,end=0.3,mean=0.2,first=0.1,best=0.05,worst=0.05,trend=0.5".parse().unwrap());
        for m in [Model::PeakEnd, Model::PeakPitEnd, Model::Mean, weighted] {
            let j = dag.journey();
            let a = analyze(&j, &m, &Options::new());
            prop_assert!(a.memory_weight_exact);
            let i = pick.index(dag.nodes.len());
            let h = 1e-4;
            let mut up = dag.clone();
            up.nodes[i].0 += h;
            let b = analyze(&up.journey(), &m, &Options::new());
            let fd = (b.remembered.expected - a.remembered.expected) / h;
            prop_assert!((fd - a.touchpoints[i].memory_weight).abs() < 1e-6,
                "{m:?} t{i}: finite difference {fd} vs weight {}", a.touchpoints[i].memory_weight);
        }
    }

    #[test]
    fn simulating_nothing_or_the_current_value_changes_nothing(dag in arb_dag(8, true), pick in any::<prop::sample::Index>()) {
        use peakend::{Analyzer, Operation};
        let j = dag.journey();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let a = analyzer.analyze(&j);
        let none = analyzer.simulate(&j, &a, &[]).unwrap();
        prop_assert_eq!(none.delta, 0.0);
        let i = pick.index(dag.nodes.len());
        let same = Operation::Set { id: format!("t{i}"), emotion: dag.nodes[i].0 };
        let s = analyzer.simulate(&j, &a, &[same]).unwrap();
        prop_assert_eq!(s.delta, 0.0);
        prop_assert!(s.became_defining.is_empty() && s.stopped_defining.is_empty());
    }

    #[test]
    fn a_what_if_equals_reanalysing_the_edited_journey(dag in arb_dag(8, true), pick in any::<prop::sample::Index>(), to in -10i32..=10) {
        use peakend::{Analyzer, Operation};
        let i = pick.index(dag.nodes.len());
        let op = Operation::set(format!("t{i}"), to as f64);
        let analyzer = Analyzer::new(Model::PeakEnd);
        let j = dag.journey();
        let s = analyzer.simulate(&j, &analyzer.analyze(&j), &[op]).unwrap();
        let mut edited = dag.clone();
        edited.nodes[i].0 = to as f64;
        let direct = brute(&edited).expected;
        prop_assert!((s.after - direct).abs() < TOL, "{} vs {}", s.after, direct);
    }

    #[test]
    fn removing_a_step_keeps_probabilities_whole(dag in arb_dag(8, true), pick in any::<prop::sample::Index>()) {
        use peakend::{apply, Operation, SimulateError};
        let j = dag.journey();
        let i = pick.index(dag.nodes.len());
        match apply(&j, &[Operation::Remove { id: format!("t{i}") }]) {
            Ok(edited) => {
                // Validation passed, so every touchpoint's outgoing sums to 1;
                // check it directly too, and that the entry mass is whole.
                for k in 0..edited.len() {
                    let out: f64 = edited.successors(k).map(|s| s.1).sum();
                    prop_assert!(edited.is_end(k) || (out - 1.0).abs() < 1e-9);
                }
                let entries: f64 = (0..edited.len()).map(|k| edited.entry_probability(k)).sum();
                prop_assert!((entries - 1.0).abs() < 1e-9);
                prop_assert_eq!(edited.len(), j.len() - 1);
            }
            Err(e) => {
                // Only an end with siblings, or the last touchpoint, refuses.
                prop_assert!(matches!(e, SimulateError::Stranded { .. } | SimulateError::StartIsEnd { .. }
                    | SimulateError::WouldEmpty { .. } | SimulateError::NoEntry { .. }), "{}", e);
            }
        }
    }

    /// The order of the file is not part of the journey: shuffling its
    /// touchpoints and transitions changes no moment, no recommendation and
    /// no number (to 1e-9); and every touchpoint is in at most one moment
    /// category (issue #10).
    #[test]
    fn shuffling_the_file_changes_no_moment_and_no_advice(
        dag in arb_dag(7, false),
        stages in proptest::collection::vec(0u8..3, 7),
        seed in any::<u64>(),
    ) {
        use peakend::{Analyzer, StageSpec};
        let mut spec = dag.spec();
        spec.stages = (0..3).map(|k| StageSpec { id: format!("s{k}"), name: format!("S{k}") }).collect();
        for (t, s) in spec.touchpoints.iter_mut().zip(&stages) {
            t.stage = Some(format!("s{s}"));
        }
        if spec.transitions.is_none() {
            spec.transitions = Some(Vec::new());
        }
        let mut shuffled = spec.clone();
        let mut x = seed | 1;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for i in (1..shuffled.touchpoints.len()).rev() {
            let k = next(i + 1);
            shuffled.touchpoints.swap(i, k);
        }
        let ts = shuffled.transitions.as_mut().unwrap();
        for i in (1..ts.len()).rev() {
            let k = next(i + 1);
            ts.swap(i, k);
        }
        let analyzer = Analyzer::new(Model::PeakEnd);
        let view = |spec: JourneySpec| {
            let j = Journey::from_spec(spec).unwrap();
            let a = analyzer.analyze(&j);
            let m = analyzer.moments(&j, &a);
            let r = analyzer.recommend(&j, &a, Some(3.0));
            (j, a, m, r)
        };
        let (j1, a1, m1, r1) = view(spec);
        let (_, a2, m2, r2) = view(shuffled);
        prop_assert!((a1.remembered.expected - a2.remembered.expected).abs() < 1e-9);
        prop_assert!((a1.mean.expected - a2.mean.expected).abs() < 1e-9);
        for t in &a1.touchpoints {
            let u = a2.touchpoints.iter().find(|u| u.id == t.id).unwrap();
            prop_assert!((t.visit - u.visit).abs() < 1e-9 && (t.peak_share - u.peak_share).abs() < 1e-9);
            prop_assert!((t.memory_weight - u.memory_weight).abs() < 1e-9, "{}", t.id);
        }
        let sorted = |m: &peakend::Moments| {
            let mut d: Vec<(String, Vec<peakend::Reason>)> = m.defining.iter().map(|x| (x.id.clone(), x.reasons.clone())).collect();
            let mut s: Vec<(String, Vec<peakend::Reason>)> = m.missed.iter().map(|x| (x.id.clone(), x.reasons.clone())).collect();
            let mut f: Vec<String> = m.forgettable.iter().map(|x| x.id.clone()).collect();
            d.sort();
            s.sort();
            f.sort();
            (d, s, f)
        };
        prop_assert_eq!(sorted(&m1), sorted(&m2));
        // One category per touchpoint.
        let (d, s, f) = sorted(&m1);
        let mut all: Vec<String> = d.into_iter().map(|x| x.0).chain(s.into_iter().map(|x| x.0)).chain(f).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        prop_assert_eq!(all.len(), n);
        prop_assert!(n <= j1.len());
        prop_assert_eq!(r1.recommendations.len(), r2.recommendations.len());
        for (x, y) in r1.recommendations.iter().zip(&r2.recommendations) {
            prop_assert_eq!(x.action, y.action);
            prop_assert_eq!(&x.operation, &y.operation);
            prop_assert!((x.lift - y.lift).abs() < 1e-9);
        }
        let (p1, p2) = (r1.plan.unwrap(), r2.plan.unwrap());
        prop_assert_eq!(p1.operations, p2.operations);
        prop_assert!((p1.lift - p2.lift).abs() < 1e-9);
    }

    /// Ownership partitions the touchpoints: every one in exactly one group
    /// of each list, and the peak and end shares of the groups sum to 1.
    #[test]
    fn ownership_partitions_the_journey(dag in arb_dag(7, true), owners in proptest::collection::vec(0u8..4, 7)) {
        let mut spec = dag.spec();
        for (t, o) in spec.touchpoints.iter_mut().zip(&owners) {
            t.owner = (*o > 0).then(|| format!("team {o}"));
            t.channel = Some(format!("ch {}", o % 2));
        }
        let j = Journey::from_spec(spec).unwrap();
        let a = dp(&j, &Model::PeakEnd);
        let o = peakend::Ownership::find(&j, &a);
        for list in [&o.owners, &o.channels] {
            if list.is_empty() {
                // Only the owners can be empty: when no touchpoint names one.
                prop_assert!(std::ptr::eq(list, &o.owners) && owners.iter().take(j.len()).all(|&x| x == 0));
                continue;
            }
            let mut ids: Vec<&String> = list.iter().flat_map(|g| &g.touchpoints).collect();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), j.len());
            let peak: f64 = list.iter().map(|g| g.peak_share).sum();
            let end: f64 = list.iter().map(|g| g.end_share).sum();
            prop_assert!((peak - 1.0).abs() < 1e-9 && (end - 1.0).abs() < 1e-9, "{peak} {end}");
        }
    }

    /// The main route starts at the busiest entry, takes at each step a
    /// transition that carries the most customers, and ends at an end; its
    /// probability is that of the complete path.
    #[test]
    fn the_main_route_follows_the_busiest_transitions(dag in arb_dag(8, true)) {
        let j = dag.journey();
        let a = dp(&j, &Model::PeakEnd);
        let route: Vec<usize> = a.paths.main.touchpoints.iter().map(|id| j.index_of(id).unwrap()).collect();
        let top_entry = (0..j.len()).map(|i| j.entry_probability(i)).fold(0.0, f64::max);
        prop_assert_eq!(j.entry_probability(route[0]), top_entry);
        let mut p = top_entry;
        for w in route.windows(2) {
            let succ: Vec<(usize, f64)> = j.successors(w[0]).collect();
            let best = succ.iter().map(|s| s.1).fold(0.0, f64::max);
            let taken = succ.iter().find(|s| s.0 == w[1]).unwrap().1;
            prop_assert_eq!(taken, best);
            p *= taken;
        }
        let last = *route.last().unwrap();
        prop_assert!(j.successors(last).all(|s| s.1 == 0.0));
        prop_assert!((a.paths.main.probability - p).abs() < 1e-12);
    }

    /// When every end names an outcome, the outcome shares sum to 1; and a
    /// routing action's outcome shifts sum to 0.
    #[test]
    fn outcome_shares_sum_to_one(dag in arb_dag(7, true), kinds in proptest::collection::vec(any::<bool>(), 7)) {
        use peakend::{Analyzer, OutcomeKind, OutcomeSpec};
        let j0 = dag.journey();
        let mut spec = dag.spec();
        spec.outcomes = vec![
            OutcomeSpec { id: "won".into(), name: "Won".into(), kind: OutcomeKind::Win, value: Some(3.0) },
            OutcomeSpec { id: "lost".into(), name: "Lost".into(), kind: OutcomeKind::Loss, value: None },
        ];
        for (i, t) in spec.touchpoints.iter_mut().enumerate() {
            if j0.is_end(i) {
                t.outcome = Some(if kinds[i] { "won" } else { "lost" }.into());
            }
        }
        let j = Journey::from_spec(spec).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let a = analyzer.analyze(&j);
        let total: f64 = a.outcomes.iter().map(|o| o.share).sum();
        prop_assert!((total - 1.0).abs() < 1e-9, "{total}");
        let won = &a.outcomes[0];
        prop_assert!((won.expected_value.unwrap() - 3.0 * won.share).abs() < 1e-12);
        for r in analyzer.recommend(&j, &a, None).recommendations {
            let moved: f64 = r.outcome_shifts.iter().map(|s| s.after - s.before).sum();
            prop_assert!(moved.abs() < 1e-9, "{moved}");
        }
    }

    /// One entry per place (touchpoint, transition or the new closing): the
    /// best action there, the others folded under it and never better.
    #[test]
    fn recommendations_list_each_place_once_with_its_best_action(dag in arb_dag(7, true), costs in proptest::collection::vec(0u8..5, 7)) {
        use peakend::{Analyzer, Operation};
        let j = with_costs(&dag, &costs);
        let analyzer = Analyzer::new(Model::PeakEnd);
        let r = analyzer.recommend(&j, &analyzer.analyze(&j), None);
        let place = |op: &Operation| match op {
            Operation::Probability { from, to, .. } => format!("{from}->{to}"),
            Operation::Append { .. } => "closing".to_string(),
            Operation::Set { id, .. } | Operation::Shift { id, .. } | Operation::Remove { id } => id.clone(),
            _ => unreachable!(),
        };
        let mut seen = std::collections::BTreeSet::new();
        let ratio = |lift: f64, cost: f64| if cost > 0.0 { lift / cost } else { f64::INFINITY };
        for x in &r.recommendations {
            prop_assert!(seen.insert(place(&x.operation)), "{} twice", place(&x.operation));
            for alt in &x.alternatives {
                prop_assert_eq!(place(&alt.operation), place(&x.operation));
                prop_assert!(ratio(alt.lift, alt.cost) <= ratio(x.lift, x.cost) + 1e-9);
            }
            // A cost is assumed exactly when the journey gives none for it.
            let given = x.touchpoint.as_deref().and_then(|id| j.touchpoint_by_id(id))
                .and_then(|t| t.improvement).and_then(|i| i.cost);
            let per_touchpoint = matches!(x.operation, Operation::Set { .. } | Operation::Remove { .. });
            if per_touchpoint {
                prop_assert_eq!(x.cost_assumed, given.is_none());
            }
        }
    }

    #[test]
    fn a_plan_keeps_its_budget_and_its_word(dag in arb_dag(7, false), budget in 0.0f64..6.0, costs in proptest::collection::vec(0u8..5, 7)) {
        use peakend::{apply, Analyzer};
        let j = with_costs(&dag, &costs);
        let analyzer = Analyzer::new(Model::PeakEnd);
        let r = analyzer.recommend(&j, &analyzer.analyze(&j), Some(budget));
        let plan = r.plan.unwrap();
        prop_assert!(plan.cost <= budget + 1e-9, "cost {} over budget {budget}", plan.cost);
        let edited = apply(&j, &plan.operations).unwrap();
        let after = analyze(&edited, &Model::PeakEnd, &Options::new()).remembered.expected;
        prop_assert!((after - r.before - plan.lift).abs() < 1e-9);
        let steps: f64 = plan.actions.iter().map(|a| a.lift).sum();
        prop_assert!((steps - plan.lift).abs() < 1e-9);
        // Ranked by the lift that survives a tie going the other way; a
        // fragile lift never above a robust one.
        for w in r.recommendations.windows(2) {
            let ratio = |x: &peakend::Recommendation| if x.cost > 0.0 { x.robust_lift / x.cost } else { f64::INFINITY };
            prop_assert!(ratio(&w[0]) >= ratio(&w[1]) - 1e-9, "ranking: ratios compared at 1e-9");
            prop_assert!(!w[0].fragile || w[1].fragile);
            prop_assert!(w[0].robust_lift <= w[0].lift + 1e-9);
        }
    }

    #[test]
    fn every_incremental_what_if_equals_full_reanalysis(dag in arb_dag(8, true), targets in proptest::collection::vec(-20i32..=20, 8)) {
        use peakend::whatif_emotions;
        let j = dag.journey();
        let weighted = Model::Weighted("peak=0.6,end=0.3,first=0.1".parse().unwrap());
        for m in [Model::PeakEnd, weighted] {
            let ids: Vec<String> = (0..dag.nodes.len()).map(|i| format!("t{i}")).collect();
            let queries: Vec<(&str, f64)> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), targets[i] as f64 / 2.0)).collect();
            let fast = whatif_emotions(&j, &m, &queries).unwrap();
            for (i, (&(_, x), got)) in queries.iter().zip(&fast).enumerate() {
                let mut edited = dag.clone();
                edited.nodes[i].0 = x;
                let full = analyze(&edited.journey(), &m, &Options::new().enumeration_limit(0)).remembered.expected;
                prop_assert!((got - full).abs() < 1e-9, "{m:?} t{i}={x}: incremental {got} vs full {full}");
            }
        }
        prop_assert!(whatif_emotions(&j, &Model::Mean, &[("t0", 1.0)]).is_err());
        prop_assert!(whatif_emotions(&j, &Model::PeakEnd, &[("nowhere", 1.0)]).is_err());
    }

    #[test]
    fn spec_round_trips_through_journey_and_json(dag in arb_dag(8, true)) {
        let spec = dag.spec();
        let j = Journey::from_spec(spec.clone()).unwrap();
        prop_assert_eq!(j.spec(), &spec);
        let text = spec.to_json();
        let back = Journey::from_json_str(&text).unwrap().into_spec();
        prop_assert_eq!(back, spec);
    }

    #[test]
    fn every_map_is_xml_with_a_marker_per_drawn_touchpoint(
        dag in arb_dag(8, true),
        limit in 2usize..10,
        name in "\\PC{0,12}",
    ) {
        let mut spec = dag.spec();
        spec.name = name;
        spec.touchpoints[0].name = "<&>\"'\u{1}\u{fffe}".into();
        let j = Journey::from_spec(spec).unwrap();
        let a = dp(&j, &Model::PeakEnd);
        let m = peakend::Moments::find(&j, &a, &peakend::Thresholds::new());
        let svg = peakend::render::map_svg(&j, &a, &m, &peakend::MapOptions::new().max_touchpoints(limit));
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-touchpoint")).collect();
        prop_assert_eq!(ids.len(), j.len().min(limit));
        // Every drawn touchpoint is a real one, drawn once.
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(sorted.len(), ids.len());
        prop_assert!(ids.iter().all(|id| j.index_of(id).is_some()));
        // The main route's end is always drawn.
        let last = a.paths.main.touchpoints.last().unwrap();
        prop_assert!(ids.contains(&last.as_str()));
        let hist = peakend::render::histogram_svg(&a);
        prop_assert!(roxmltree::Document::parse(&hist).is_ok());
    }

    #[test]
    fn json_to_mermaid_to_json_keeps_names_stages_emotions_and_actors(spec in arb_linear()) {
        let j = Journey::from_spec(spec.clone()).unwrap();
        let m = peakend::mermaid::write(&j);
        let back = peakend::mermaid::read(&m.text, "x").unwrap().into_journey().unwrap();
        let b = back.spec();
        prop_assert_eq!(&b.name, &spec.name);
        prop_assert_eq!(&b.personas, &spec.personas);
        prop_assert_eq!(back.scale(), j.scale());
        prop_assert_eq!(b.touchpoints.len(), spec.touchpoints.len());
        for (x, y) in spec.touchpoints.iter().zip(&b.touchpoints) {
            prop_assert_eq!(&x.name, &y.name);
            prop_assert_eq!(x.emotion, y.emotion);
            prop_assert_eq!(&x.actors, &y.actors);
            prop_assert_eq!(stage_name(&spec, x), stage_name(b, y));
        }
        prop_assert!(!m.warnings.iter().any(|w| w.contains("exactly")), "{:?}", m.warnings);
    }

    #[test]
    fn json_to_csv_to_json_keeps_every_touchpoint_field(spec in arb_linear()) {
        let j = Journey::from_spec(spec.clone()).unwrap();
        let c = peakend::csv::write(&j);
        let s = j.scale();
        let opts = peakend::csv::CsvOptions::new().scale(peakend::ScaleSpec { min: s.min, max: s.max, neutral: Some(s.neutral), ties: None });
        let back = peakend::csv::read(&c.text, &spec.name, &opts).unwrap().into_journey().unwrap();
        let b = back.spec();
        prop_assert_eq!(&b.personas, &spec.personas);
        prop_assert_eq!(b.touchpoints.len(), spec.touchpoints.len());
        for (x, y) in spec.touchpoints.iter().zip(&b.touchpoints) {
            let mut y2 = y.clone();
            y2.stage = x.stage.clone();
            prop_assert_eq!(x, &y2);
            prop_assert_eq!(stage_name(&spec, x), stage_name(b, y));
        }
    }
}

fn stage_name<'a>(spec: &'a JourneySpec, t: &'a TouchpointSpec) -> Option<&'a str> {
    let id = t.stage.as_deref()?;
    spec.stages
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.as_str())
}

/// Linear journeys as designers write them, with names and values that
/// Mermaid and CSV can both hold.
fn arb_linear() -> impl Strategy<Value = JourneySpec> {
    let name = "[A-Z][a-z]{0,8}( [a-z0-9]{1,6}){0,2}".prop_filter("not a keyword", |n| {
        let l = n.to_lowercase();
        !["title ", "section ", "acc", "journey"]
            .iter()
            .any(|k| l.starts_with(k))
    });
    let tp = (
        name,
        -20i32..=20,
        prop::option::of(0usize..3),
        subsequence(vec!["Me", "Cat", "Account manager"], 0..=3),
        prop::option::of(1u32..120),
        prop::option::of(prop::sample::select(vec!["web", "phone"])),
        subsequence(vec!["transition", "milestone"], 0..=2),
    );
    (
        prop::collection::vec(tp, 1..8),
        any::<bool>(),
        "[A-Z][a-z]{1,10}( [A-Za-z]{1,8}){0,3}",
    )
        .prop_map(|(tps, native, title)| {
            let stage_names = ["Discover", "Buy it", "Use"];
            let mut stages_used: Vec<usize> = Vec::new();
            let mut spec = JourneySpec::linear(
                title,
                tps.iter()
                    .enumerate()
                    .map(|(i, (name, e, stage, actors, duration, channel, tags))| {
                        let emotion = if native {
                            3.0 + f64::from(*e) / 10.0
                        } else {
                            f64::from(*e) / 2.0
                        };
                        let mut t = TouchpointSpec::new(format!("t{i}"), name.clone(), emotion);
                        // Stages only ever move forward (Mermaid sections).
                        if let Some(s) = stage {
                            let s = (*s).max(stages_used.last().copied().unwrap_or(0));
                            if !stages_used.contains(&s) {
                                stages_used.push(s);
                            }
                            t.stage = Some(format!("s{s}"));
                        } else if let Some(&last) = stages_used.last() {
                            t.stage = Some(format!("s{last}"));
                        }
                        t.actors = actors.iter().map(|a| a.to_string()).collect();
                        t.duration = duration.map(f64::from);
                        t.channel = channel.map(String::from);
                        t.tags = tags.iter().map(|a| a.to_string()).collect();
                        t
                    })
                    .collect(),
            );
            spec.stages = stages_used
                .iter()
                .map(|&s| peakend::StageSpec {
                    id: format!("s{s}"),
                    name: stage_names[s].into(),
                })
                .collect();
            for t in &spec.touchpoints {
                for a in &t.actors {
                    if !spec.personas.iter().any(|p| &p.name == a) {
                        spec.personas.push(a.clone().into());
                    }
                }
            }
            if native {
                spec.scale = Some(peakend::ScaleSpec {
                    min: 1.0,
                    max: 5.0,
                    neutral: Some(3.0),
                    ties: None,
                });
            }
            spec
        })
}

/// On a whole-step scale a 1 and a 5 are equally intense; a lift that
/// exists only through the tie rule is fragile (issue #10: "raise 'Do
/// work' from 1 to 1.4 lifts memory from 3.0 to 5.0").
#[test]
fn a_lift_that_exists_only_through_a_tie_is_fragile() {
    use peakend::Analyzer;
    let j = Journey::from_json_str(
        r#"{"version":1,"name":"My working day","scale":{"min":1,"max":5,"neutral":3},
        "touchpoints":[{"id":"tea","name":"Make tea","emotion":5},
                       {"id":"work","name":"Do work","emotion":1},
                       {"id":"sit","name":"Sit down","emotion":5}]}"#,
    )
    .unwrap();
    let analyzer = Analyzer::new(Model::PeakEnd);
    let r = analyzer.recommend(&j, &analyzer.analyze(&j), None);
    let on_work: Vec<_> = r
        .recommendations
        .iter()
        .filter(|x| x.touchpoint.as_deref() == Some("work"))
        .collect();
    assert!(!on_work.is_empty());
    assert!(
        on_work
            .iter()
            .all(|x| x.fragile && x.robust_lift == 0.0 && x.lift > 1.0)
    );
    // Without the tie (a 2 instead of the 1) nothing is fragile.
    let j = Journey::from_json_str(
        r#"{"version":1,"name":"x","scale":{"min":1,"max":5,"neutral":3},
        "touchpoints":[{"id":"tea","name":"Make tea","emotion":5},
                       {"id":"work","name":"Do work","emotion":2},
                       {"id":"sit","name":"Sit down","emotion":4}]}"#,
    )
    .unwrap();
    let r = analyzer.recommend(&j, &analyzer.analyze(&j), None);
    assert!(
        r.recommendations
            .iter()
            .all(|x| !x.fragile && x.robust_lift == x.lift)
    );
}

// ---- Evidence: what the remembered experience rests on, and its interval.

/// Evidence for touchpoint `i` from a code: 0 none, 1 assumed, 2 survey
/// (n, sd), 3 measured (n, no sd), 4 interview with n = 0.
fn with_evidence(mut spec: JourneySpec, codes: &[(u8, u64)]) -> JourneySpec {
    use peakend::{EvidenceKind, EvidenceSpec};
    for (t, &(code, n)) in spec.touchpoints.iter_mut().zip(codes) {
        t.evidence = match code {
            0 => None,
            1 => Some(EvidenceSpec::new(EvidenceKind::Assumed)),
            2 => {
                let mut e = EvidenceSpec::new(EvidenceKind::Survey);
                e.n = Some(n);
                e.sd = Some(1.5);
                Some(e)
            }
            3 => {
                let mut e = EvidenceSpec::new(EvidenceKind::Measured);
                e.n = Some(n);
                Some(e)
            }
            _ => {
                let mut e = EvidenceSpec::new(EvidenceKind::Interview);
                e.n = Some(0);
                Some(e)
            }
        };
    }
    spec
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The interval lies on the scale, low ≤ high, the same seed gives the
    /// same interval, and the basis counts every touchpoint customers pass
    /// once, by its kind of evidence.
    #[test]
    fn evidence_is_counted_once_and_its_interval_is_ordered_and_seeded(
        dag in arb_real_dag(7),
        codes in proptest::collection::vec((0u8..5, 1u64..500), 7),
        seed in 0u64..1000,
    ) {
        let j = Journey::from_spec(with_evidence(dag.spec(), &codes)).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let a = analyzer.analyze(&j);
        let options = peakend::EvidenceOptions::new().draws(60).seed(seed);
        let e = analyzer.evidence(&j, &a, &options);
        let i = e.interval.as_ref().unwrap();
        prop_assert!(i.low <= i.high);
        prop_assert!(i.low >= -10.0 && i.high <= 10.0);
        prop_assert!(i.low_standard_error.unwrap() >= 0.0 && i.high_standard_error.unwrap() >= 0.0);
        prop_assert_eq!(&analyzer.evidence(&j, &a, &options), &e);
        let b = &e.basis;
        let passed = a.touchpoints.iter().filter(|t| t.visit > 0.0).count();
        prop_assert_eq!(b.touchpoints.len(), passed);
        prop_assert_eq!(b.assumed + b.survey + b.interview + b.measured, passed);
        // Codes 0, 1 and 4 (n = 0) are assumed.
        let assumed = a.touchpoints.iter().zip(&codes)
            .filter(|(t, c)| t.visit > 0.0 && matches!(c.0, 0 | 1 | 4)).count();
        prop_assert_eq!(b.assumed, assumed);
        prop_assert!((0.0..=1.0).contains(&b.assumed_weight));
        // Every shown recommendation rests on part of the journey's basis.
        let r = analyzer.recommend(&j, &a, None);
        for x in r.recommendations.iter().filter_map(|x| x.rests_on.as_ref()) {
            prop_assert!(x.assumed <= b.assumed && x.n <= b.n);
            prop_assert!(x.touchpoints.iter().all(|id| b.touchpoints.contains(id)));
        }
    }

    /// Ratings known to a millionth of a point leave no room: the interval
    /// is the remembered experience itself.
    #[test]
    fn certain_ratings_give_an_interval_of_the_remembered_experience(dag in arb_real_dag(7)) {
        let codes = vec![(3u8, 1_000_000_000_000u64); dag.nodes.len()];
        let j = Journey::from_spec(with_evidence(dag.spec(), &codes)).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let a = analyzer.analyze(&j);
        let e = analyzer.evidence(&j, &a, &peakend::EvidenceOptions::new().draws(20));
        let i = e.interval.unwrap();
        // sd = range/4 = 5 over √1e12: 5e-6 per rating; a tie in intensity
        // may flip, moving the score by up to twice the smallest gap.
        let x = a.remembered.expected;
        let tol = 1e-4;
        prop_assert!(i.low >= x - tol && i.high <= x + tol || has_opposite_pair(&dag),
            "{} .. {} around {}", i.low, i.high, x);
    }
}

/// Whether two touchpoints have exactly opposite emotions (a tie in
/// intensity that any noise decides).
fn has_opposite_pair(dag: &Dag) -> bool {
    dag.nodes
        .iter()
        .any(|a| a.0 != 0.0 && dag.nodes.iter().any(|b| b.0 == -a.0))
}

/// One touchpoint measured with standard error s: its remembered
/// experience is its emotion, so the 95 % interval is e ± 1.96·s.
#[test]
fn one_measured_touchpoint_has_the_normal_interval() {
    let j = Journey::from_json_str(
        r#"{"version":1,"name":"x","touchpoints":[{"id":"a","name":"A","emotion":2,
        "evidence":{"kind":"survey","n":25,"sd":5}}]}"#,
    )
    .unwrap();
    let analyzer = Analyzer::new(Model::PeakEnd);
    let a = analyzer.analyze(&j);
    let e = analyzer.evidence(&j, &a, &peakend::EvidenceOptions::new().draws(20_000));
    let i = e.interval.unwrap();
    // s = 5/√25 = 1: 2 ± 1.96, each bound within a few standard errors.
    let (lo_se, hi_se) = (
        i.low_standard_error.unwrap(),
        i.high_standard_error.unwrap(),
    );
    assert!((i.low - 0.04).abs() < 4.0 * lo_se, "{i:?}");
    assert!((i.high - 3.96).abs() < 4.0 * hi_se, "{i:?}");
    assert!(lo_se < 0.05);
    // Linearised (past the budget) it is the same normal interval exactly:
    // one touchpoint's weight is 1.
    let e = analyzer.evidence(&j, &a, &peakend::EvidenceOptions::new().draws(200_000));
    let i = e.interval.unwrap();
    assert_eq!(i.method, peakend::IntervalMethod::Linearised);
    assert!(
        (i.low - (2.0 - 1.959_963_984_540_054)).abs() < 1e-12,
        "{i:?}"
    );
    assert_eq!((e.basis.survey, e.basis.n), (1, 25));
}

// ---- The delivery gap.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A journey against itself: no gap, no one's memory changes sign, and
    /// every piece of advice holds with the same lift.
    #[test]
    fn a_journey_has_no_gap_with_itself(dag in arb_real_dag(7)) {
        let j = dag.journey();
        let g = Analyzer::new(Model::PeakEnd).gap(&j, &j, &[], &peakend::GapOptions::new()).unwrap();
        prop_assert!(g.difference.abs() < TOL);
        prop_assert!(g.sign.exact);
        prop_assert_eq!(g.sign.share, 0.0);
        prop_assert!(g.only_supplier.is_empty() && g.only_customer.is_empty());
        prop_assert_eq!(g.touchpoints.len(), j.len());
        for t in &g.touchpoints {
            prop_assert_eq!(t.difference, 0.0);
            prop_assert_eq!(&t.supplier_id, &t.customer_id);
        }
        for a in &g.advice {
            prop_assert_eq!(a.verdict, peakend::Verdict::Holds, "{:?}", a);
            prop_assert!((a.other_lift.unwrap() - a.lift).abs() < 1e-9);
        }
    }

    /// Memory changes sign exactly as counted path by path by the
    /// reference enumeration: the same routes, the supplier's emotions
    /// against the customers'.
    #[test]
    fn memory_changes_sign_as_counted_path_by_path(
        dag in arb_real_dag(7),
        believed in proptest::collection::vec(-10i32..=10, 7),
    ) {
        let mut ours = dag.clone();
        for (node, e) in ours.nodes.iter_mut().zip(&believed) {
            node.0 = f64::from(*e);
        }
        let g = Analyzer::new(Model::PeakEnd)
            .gap(&ours.journey(), &dag.journey(), &[], &peakend::GapOptions::new())
            .unwrap();
        let (theirs, mine) = (brute(&dag), brute(&ours));
        let (mut rosier, mut darker) = (0.0, 0.0);
        for (&(c, p), &(s, _)) in theirs.scores.iter().zip(&mine.scores) {
            if s > 0.0 && c < 0.0 {
                rosier += p;
            } else if s < 0.0 && c > 0.0 {
                darker += p;
            }
        }
        prop_assert!((g.sign.rosier - rosier).abs() < TOL, "{} vs {}", g.sign.rosier, rosier);
        prop_assert!((g.sign.darker - darker).abs() < TOL);
        prop_assert!((g.difference - (theirs.expected - mine.expected)).abs() < TOL);
    }
}

/// A journey with `k` personas from a DAG: `masks[i]` says who takes part
/// in touchpoint `i` (bit `p` for persona `p`; 0: no `actors`, everybody),
/// `own[i]` a persona's own emotion there (persona, emotion), when it
/// takes part.
fn with_personas(dag: &Dag, k: usize, masks: &[u8], own: &[(u8, i8)]) -> JourneySpec {
    let mut spec = dag.spec();
    spec.personas = (0..k).map(|p| format!("P{p}").into()).collect();
    for (i, t) in spec.touchpoints.iter_mut().enumerate() {
        let mask = masks[i] & ((1u8 << k) - 1);
        t.actors = (0..k)
            .filter(|p| mask & (1 << p) != 0)
            .map(|p| format!("P{p}"))
            .collect();
        let (p, e) = own[i];
        let p = usize::from(p) % k;
        if mask == 0 || mask & (1 << p) != 0 {
            t.emotions.insert(format!("P{p}"), f64::from(e) / 2.0);
        }
    }
    spec
}

/// Reference for one persona, independent of the crate: every path of
/// the journey enumerated, the persona's subsequence of it, its peak-end
/// memory and duration-weighted mean; (expected memory, expected mean,
/// share of paths where the persona takes part).
fn brute_persona(spec: &JourneySpec, name: &str) -> (f64, f64, f64) {
    let n = spec.touchpoints.len();
    let idx = |id: &str| spec.touchpoints.iter().position(|t| t.id == id).unwrap();
    let mut succ: Vec<Vec<(usize, Option<f64>)>> = vec![Vec::new(); n];
    let mut has_in = vec![false; n];
    for t in spec.transitions.iter().flatten() {
        succ[idx(&t.from)].push((idx(&t.to), t.probability));
        has_in[idx(&t.to)] = true;
    }
    let takes = |i: usize| {
        let t = &spec.touchpoints[i];
        t.actors.is_empty() || t.actors.iter().any(|a| a == name)
    };
    let feel = |i: usize| {
        let t = &spec.touchpoints[i];
        t.emotions.get(name).copied().unwrap_or(t.emotion)
    };
    let entries: Vec<usize> = (0..n).filter(|&i| !has_in[i]).collect();
    let (mut memory, mut mean, mut reach) = (0.0, 0.0, 0.0);
    let mut stack: Vec<(Vec<usize>, f64)> = entries
        .iter()
        .map(|&s| (vec![s], 1.0 / entries.len() as f64))
        .collect();
    while let Some((path, prob)) = stack.pop() {
        let last = *path.last().unwrap();
        if succ[last].is_empty() {
            let mine: Vec<usize> = path.iter().copied().filter(|&i| takes(i)).collect();
            if mine.is_empty() {
                continue;
            }
            let mut peak = mine[0];
            for &i in &mine {
                let (e, pe) = (feel(i), feel(peak));
                if e.abs() > pe.abs() || (e.abs() == pe.abs() && e <= pe) {
                    peak = i;
                }
            }
            let end = *mine.last().unwrap();
            memory += prob * (feel(peak) + feel(end)) / 2.0;
            let d = |i: usize| spec.touchpoints[i].duration.unwrap_or(1.0);
            let total: f64 = mine.iter().map(|&i| d(i)).sum();
            mean += prob * mine.iter().map(|&i| feel(i) * d(i)).sum::<f64>() / total;
            reach += prob;
            continue;
        }
        let k = succ[last].len() as f64;
        for &(w, p) in &succ[last] {
            let mut next = path.clone();
            next.push(w);
            stack.push((next, prob * p.unwrap_or(1.0 / k)));
        }
    }
    if reach > 0.0 {
        (memory / reach, mean / reach, reach)
    } else {
        (0.0, 0.0, 0.0)
    }
}

proptest! {
    /// Each persona's exact figures are those of the brute-force
    /// enumeration: every path, the persona's touchpoints of it, its own
    /// emotions; conditional on taking part, whose share is `reach`.
    #[test]
    fn persona_figures_equal_the_enumeration(
        dag in arb_dag(7, true),
        k in 1usize..=3,
        masks in proptest::collection::vec(0u8..8, 7),
        own in proptest::collection::vec((0u8..3, -20i8..=20), 7),
    ) {
        let spec = with_personas(&dag, k, &masks, &own);
        let j = Journey::from_spec(spec.clone()).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let p = analyzer.personas(&j, peakend::AccountRule::Weighted).unwrap();
        prop_assert_eq!(p.personas.len(), k);
        for f in &p.personas {
            let (memory, mean, reach) = brute_persona(&spec, &f.name);
            prop_assert!((f.view.reach - reach).abs() < TOL, "{}: reach {} vs {}", f.name, f.view.reach, reach);
            match &f.analysis {
                None => prop_assert!(reach < TOL),
                Some(a) => {
                    prop_assert!(a.remembered.exact);
                    prop_assert!((a.remembered.expected - memory).abs() < 1e-7,
                        "{}: {} vs {}", f.name, a.remembered.expected, memory);
                    prop_assert!((a.mean.expected - mean).abs() < 1e-7,
                        "{}: mean {} vs {}", f.name, a.mean.expected, mean);
                }
            }
        }
    }

    /// A journey whose personas all share every touchpoint and emotion
    /// gives each persona the journey's own figures.
    #[test]
    fn personas_who_share_everything_have_the_journeys_figures(
        dag in arb_real_dag(7),
        k in 1usize..=3,
    ) {
        let mut spec = dag.spec();
        spec.personas = (0..k).map(|p| format!("P{p}").into()).collect();
        let j = Journey::from_spec(spec).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let whole = analyzer.analyze(&j);
        let p = analyzer.personas(&j, peakend::AccountRule::Weighted).unwrap();
        for f in &p.personas {
            prop_assert_eq!(f.view.reach, 1.0);
            let a = f.analysis.as_ref().unwrap();
            prop_assert!((a.remembered.expected - whole.remembered.expected).abs() < TOL);
            prop_assert!((a.mean.expected - whole.mean.expected).abs() < TOL);
            prop_assert!((a.distribution.negative_share - whole.distribution.negative_share).abs() < TOL);
            prop_assert_eq!(a.touchpoints.len(), whole.touchpoints.len());
            for (x, y) in a.touchpoints.iter().zip(&whole.touchpoints) {
                prop_assert_eq!(&x.id, &y.id);
                prop_assert!((x.peak_share - y.peak_share).abs() < TOL);
                prop_assert!((x.end_share - y.end_share).abs() < TOL);
                prop_assert!((x.visit - y.visit).abs() < TOL);
            }
        }
        let account = p.account.unwrap();
        prop_assert!((account.expected - whole.remembered.expected).abs() < TOL);
    }

    /// Weights that put everything on one persona give that persona's
    /// memory as the account's; so does making it the decision maker; the
    /// worst memory is the least of the personas'.
    #[test]
    fn the_account_follows_its_rule(
        dag in arb_dag(6, true),
        masks in proptest::collection::vec(0u8..8, 6),
        own in proptest::collection::vec((0u8..3, -20i8..=20), 6),
        chosen in 0usize..3,
    ) {
        let mut spec = with_personas(&dag, 3, &masks, &own);
        for (p, persona) in spec.personas.iter_mut().enumerate() {
            persona.weight = Some(if p == chosen { 1.0 } else { 0.0 });
            if p == chosen {
                persona.role = Some("decision-maker".into());
            }
        }
        let j = Journey::from_spec(spec).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let expected = |rule| analyzer.personas(&j, rule).unwrap();
        let weighted = expected(peakend::AccountRule::Weighted);
        let theirs = weighted.personas[chosen].expected();
        match theirs {
            Some(e) => {
                let a = weighted.account.as_ref().unwrap();
                prop_assert!((a.expected - e).abs() < TOL);
                prop_assert_eq!(&a.driver, &format!("P{chosen}"));
                let d = expected(peakend::AccountRule::DecisionMaker);
                prop_assert!((d.account.unwrap().expected - e).abs() < TOL);
            }
            None => prop_assert!(weighted.account.is_err()),
        }
        let min = expected(peakend::AccountRule::Min);
        let least = min.personas.iter().filter_map(peakend::PersonaFigures::expected).fold(f64::INFINITY, f64::min);
        match min.account {
            Ok(a) => prop_assert_eq!(a.expected, least),
            Err(_) => prop_assert!(least.is_infinite()),
        }
    }
}

proptest! {
    /// Every action of the account's advice has the lift a full
    /// re-analysis of every persona gives (the advice prices emotions and
    /// cuts locally on each persona's journey, copies included).
    #[test]
    fn account_advice_lifts_equal_full_reanalysis(
        dag in arb_dag(6, false),
        masks in proptest::collection::vec(0u8..8, 6),
        own in proptest::collection::vec((0u8..3, -20i8..=20), 6),
    ) {
        let spec = with_personas(&dag, 3, &masks, &own);
        let j = Journey::from_spec(spec).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let a = analyzer.analyze(&j);
        let base = analyzer.personas(&j, peakend::AccountRule::Weighted).unwrap();
        let Ok(advice) = analyzer.account_advice(&j, &a, &base, &peakend::Objective::Account) else {
            return Ok(());
        };
        let before = base.account.as_ref().unwrap().expected;
        let all = advice.actions.iter().flat_map(|x| std::iter::once(x).chain(&x.alternatives));
        for x in all {
            let edited = peakend::apply(&j, std::slice::from_ref(&x.operation)).unwrap();
            let after = analyzer.personas(&edited, peakend::AccountRule::Weighted).unwrap();
            let full = after.account.as_ref().unwrap().expected - before;
            prop_assert!((full - x.lift).abs() < 1e-9, "{}: {} vs {}", x.operation, x.lift, full);
            for ((name, lift), (b, f)) in x.persona_lifts.iter().zip(base.personas.iter().zip(&after.personas)) {
                if let (Some(l), Some(e0), Some(e1)) = (lift, b.expected(), f.expected()) {
                    prop_assert!((l - (e1 - e0)).abs() < 1e-9, "{} {}: {} vs {}", x.operation, name, l, e1 - e0);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A fitted model scores every path as the weighted model with its
    /// weights (so every figure is exact), and its file reads back the same.
    #[test]
    fn a_fitted_model_is_its_weights(
        dag in arb_real_dag(7),
        raw in proptest::collection::vec(0u32..10, 6),
        trend in -5i32..=5,
    ) {
        let total: u32 = raw.iter().sum();
        prop_assume!(total > 0);
        let names = ["peak", "best", "worst", "end", "first", "mean"];
        let mut list: Vec<String> = raw
            .iter()
            .zip(names)
            .filter(|(w, _)| **w > 0)
            .map(|(w, n)| format!("{n}={}", f64::from(*w) / f64::from(total)))
            .collect();
        list.push(format!("trend={}", f64::from(trend) / 10.0));
        let weights: peakend::Weights = list.join(",").parse().unwrap();
        let fitted = peakend::FittedModel::new("fitted", weights.clone(), peakend::Provenance::default());
        let back = peakend::FittedModel::from_json_str(&fitted.to_json()).unwrap();
        prop_assert_eq!(&back, &fitted);
        let j = dag.journey();
        let a = analyze(&j, &back, &Options::new());
        let b = analyze(&j, &Model::Weighted(weights), &Options::new());
        prop_assert!((a.remembered.expected - b.remembered.expected).abs() < TOL);
        prop_assert!((a.distribution.p50 - b.distribution.p50).abs() < TOL);
        for (x, y) in a.touchpoints.iter().zip(&b.touchpoints) {
            prop_assert!((x.memory_weight - y.memory_weight).abs() < TOL);
        }
    }
}
