//! Seeded generator of large layered journeys, for benchmarks and tests.

use crate::engine::Rng;
use crate::spec::{JourneySpec, TouchpointSpec, TransitionSpec};

/// A layered journey: `touchpoints` touchpoints in layers of `width`, each
/// touchpoint (but the last layer's) linked to `out_degree` distinct
/// touchpoints of the next layer with random probabilities; integer emotions
/// on the 21-level scale -10..10, durations 1..30 minutes. The same
/// arguments always give the same journey.
///
/// ```
/// let spec = peakend::generate::layered(1_000, 50, 4, 7);
/// assert_eq!(spec.touchpoints.len(), 1_000);
/// assert!(peakend::Journey::from_spec(spec).is_ok());
/// ```
#[must_use]
pub fn layered(touchpoints: usize, width: usize, out_degree: usize, seed: u64) -> JourneySpec {
    let width = width.max(1);
    let mut rng = Rng::new(seed);
    let mut below = |n: usize| ((rng.next_f64() * n as f64) as usize).min(n - 1);
    let mut tps = Vec::with_capacity(touchpoints);
    for i in 0..touchpoints {
        let mut t = TouchpointSpec::new(
            format!("t{i}"),
            format!("Touchpoint {i}"),
            below(21) as f64 - 10.0,
        );
        t.duration = Some(1.0 + below(30) as f64);
        tps.push(t);
    }
    let mut transitions = Vec::with_capacity(touchpoints * out_degree);
    let layers = touchpoints.div_ceil(width);
    for l in 0..layers.saturating_sub(1) {
        let next_start = (l + 1) * width;
        let next_len = width.min(touchpoints - next_start);
        let k = out_degree.clamp(1, next_len);
        for i in l * width..next_start {
            // k distinct targets, random weights, probabilities summing to 1.
            let mut targets: Vec<usize> = Vec::with_capacity(k);
            while targets.len() < k {
                let t = next_start + below(next_len);
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
            let weights: Vec<usize> = (0..k).map(|_| 1 + below(9)).collect();
            let total: usize = weights.iter().sum();
            for (n, (&t, &w)) in targets.iter().zip(&weights).enumerate() {
                // The last one takes what is left, so every sum is exactly 1.
                let p = if n + 1 == k {
                    None
                } else {
                    Some(w as f64 / total as f64)
                };
                transitions.push(TransitionSpec::new(format!("t{i}"), format!("t{t}"), p));
            }
        }
    }
    let mut spec = JourneySpec::linear(
        format!("layered {touchpoints}x{out_degree} (seed {seed})"),
        tps,
    );
    spec.transitions = Some(transitions);
    spec
}

/// A long chain with skips: touchpoint `i` leads to `i + 1` (70 %) and
/// skips to `i + 2` (30 %); integer emotions on −10..10 and durations
/// 1..30 minutes as in [`layered`]. Paths multiply (a Fibonacci number of
/// them) and their elapsed times spread, so the duration-weighted mean has
/// no exact form beyond a few hundred touchpoints.
///
/// ```
/// let spec = peakend::generate::chain(1_000, 7);
/// assert_eq!(spec.touchpoints.len(), 1_000);
/// assert!(peakend::Journey::from_spec(spec).is_ok());
/// ```
#[must_use]
pub fn chain(touchpoints: usize, seed: u64) -> JourneySpec {
    let mut spec = layered(touchpoints, 1, 1, seed);
    let mut transitions = Vec::with_capacity(2 * touchpoints);
    for i in 0..touchpoints.saturating_sub(1) {
        if i + 2 < touchpoints {
            transitions.push(TransitionSpec::new(
                format!("t{i}"),
                format!("t{}", i + 1),
                Some(0.7),
            ));
            transitions.push(TransitionSpec::new(
                format!("t{i}"),
                format!("t{}", i + 2),
                None,
            ));
        } else {
            transitions.push(TransitionSpec::new(
                format!("t{i}"),
                format!("t{}", i + 1),
                None,
            ));
        }
    }
    spec.name = format!("chain {touchpoints} with skips (seed {seed})");
    spec.transitions = Some(transitions);
    spec
}

/// Redraw every emotion (seeded): `levels` evenly spaced values from −10 to
/// 10 (21 gives the whole numbers; at least 2), or with `levels` 0 real
/// values, uniform on −10..10 (what mean ratings look like: nearly every
/// value distinct). For measuring how the engine grows with the number of
/// distinct emotion values.
///
/// ```
/// let mut spec = peakend::generate::layered(1_000, 50, 4, 7);
/// peakend::generate::emotion_levels(&mut spec, 0, 7);
/// let distinct: std::collections::BTreeSet<u64> =
///     spec.touchpoints.iter().map(|t| t.emotion.to_bits()).collect();
/// assert!(distinct.len() > 990);
/// assert!(peakend::Journey::from_spec(spec).is_ok());
/// ```
pub fn emotion_levels(spec: &mut JourneySpec, levels: usize, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x5EED_1E7E);
    for t in &mut spec.touchpoints {
        let u = rng.next_f64();
        t.emotion = if levels == 0 {
            -10.0 + 20.0 * u
        } else {
            let n = levels.max(2);
            let k = ((u * n as f64) as usize).min(n - 1);
            -10.0 + 20.0 * k as f64 / (n - 1) as f64
        };
    }
}

/// Give a generated journey `k` personas (`P1`…`Pk`, the first the
/// decision maker with weight 2): each touchpoint is everybody's one time
/// in five, otherwise each persona takes part with probability one half
/// (at least one does), and a persona who takes part feels it its own way
/// one time in four (the emotion moved by up to ±4, kept on the scale).
/// For measuring the buying centre at scale.
///
/// ```
/// let mut spec = peakend::generate::layered(1_000, 50, 4, 7);
/// peakend::generate::personas(&mut spec, 4, 7);
/// let j = peakend::Journey::from_spec(spec).unwrap();
/// assert_eq!(j.spec().personas.len(), 4);
/// assert!(j.persona("P2").unwrap().touchpoints > 300);
/// ```
pub fn personas(spec: &mut JourneySpec, k: usize, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x9E25_0A5E);
    let names: Vec<String> = (1..=k).map(|p| format!("P{p}")).collect();
    spec.personas = names
        .iter()
        .enumerate()
        .map(|(p, n)| crate::spec::PersonaSpec {
            name: n.clone(),
            role: (p == 0).then(|| "decision-maker".to_string()),
            weight: (p == 0).then_some(2.0),
        })
        .collect();
    for t in &mut spec.touchpoints {
        t.actors.clear();
        t.emotions.clear();
        if k == 0 || rng.next_f64() < 0.2 {
            continue;
        }
        for n in &names {
            if rng.next_f64() < 0.5 {
                t.actors.push(n.clone());
            }
        }
        if t.actors.is_empty() {
            t.actors
                .push(names[(rng.next_f64() * k as f64) as usize % k].clone());
        }
        for n in &t.actors {
            if rng.next_f64() < 0.25 {
                let e = (t.emotion + (rng.next_f64() * 8.0 - 4.0).round()).clamp(-10.0, 10.0);
                t.emotions.insert(n.clone(), e);
            }
        }
    }
}
