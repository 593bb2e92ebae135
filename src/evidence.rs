//! What the remembered experience rests on: the evidence behind each
//! rating that carries memory weight, and an interval for the remembered
//! experience that reflects how uncertain those ratings are.
//!
//! **The uncertainty of a rating.** A touchpoint's emotion is the mean of
//! its ratings; its uncertainty is that mean's standard error, `sd / √n`,
//! from its `evidence` (`survey`, `interview`, `measured` with `n` and
//! `sd`; without `sd`, a quarter of the scale's range, about the spread of
//! individual ratings on a five-point scale). An `assumed` emotion (a
//! designer's estimate, the default) counts as a single rating: its
//! uncertainty is [`EvidenceOptions::assumed_sd`], a quarter of the range
//! unless set. This covers noise, not bias: the supplier's picture is
//! usually rosier than the customers' (SCIENCE.md, B2B context), which
//! only customers' own ratings can show (`peakend gap`).
//!
//! **The interval** (95 %) is Monte Carlo: each draw sets every emotion to
//! its value plus a normal error of its uncertainty (kept on the scale)
//! and computes the expected remembered experience exactly; the interval
//! is the draws' central 95 %, its bounds with standard errors from the
//! order statistics (the distribution-free interval of a quantile,
//! `R·p ± √(R·p·(1−p))`), seeded. Route probabilities are taken as given.
//! A draw costs one exact expectation, so past a work budget (draws ×
//! touchpoints, [`MAX_INTERVAL_WORK`]) the interval is linearised from the
//! memory weights instead, and says so: too narrow where an uncertain
//! rating could become the peak.

use crate::analysis::{Analysis, Analyzer};
use crate::journey::Journey;
use crate::spec::{EvidenceKind, TouchpointSpec};

/// How to compute the evidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct EvidenceOptions {
    /// Monte Carlo draws (default 200; 0 leaves the interval out).
    pub draws: usize,
    /// The seed (default [`crate::DEFAULT_SEED`]).
    pub seed: u64,
    /// The uncertainty of an assumed emotion, in the journey's units
    /// (default: a quarter of the scale's range).
    pub assumed_sd: Option<f64>,
}

/// The interval's coverage: the central 95 %.
pub const LEVEL: f64 = 0.95;
/// The standard normal quantile of 0.975 (a 95 % normal interval is
/// ± 1.96 standard deviations).
const Z95: f64 = 1.959_963_984_540_054;

/// The most draws × touchpoints a Monte Carlo interval may cost (each draw
/// is one exact expectation): 200 draws up to 500 touchpoints. Past it the
/// interval is linearised ([`IntervalMethod::Linearised`]).
pub const MAX_INTERVAL_WORK: usize = 100_000;

impl Default for EvidenceOptions {
    fn default() -> Self {
        EvidenceOptions {
            draws: 200,
            seed: crate::DEFAULT_SEED,
            assumed_sd: None,
        }
    }
}

impl EvidenceOptions {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        EvidenceOptions::default()
    }
    /// Monte Carlo draws (0: no interval).
    #[must_use]
    pub fn draws(mut self, draws: usize) -> Self {
        self.draws = draws;
        self
    }
    /// The seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// The uncertainty of an assumed emotion, in the journey's units.
    #[must_use]
    pub fn assumed_sd(mut self, sd: f64) -> Self {
        self.assumed_sd = Some(sd);
        self
    }
}

/// The ratings a figure rests on, by kind of evidence.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Basis {
    /// Touchpoints (ids, file order) customers pass, whose ratings the
    /// figure rests on (not in the JSON: it can be the whole journey).
    #[serde(skip)]
    pub touchpoints: Vec<String>,
    /// Of them, assumed (a designer's estimate, or no evidence given).
    pub assumed: usize,
    /// Of them, from surveys.
    pub survey: usize,
    /// Of them, from interviews.
    pub interview: usize,
    /// Of them, measured.
    pub measured: usize,
    /// The customers' ratings behind the others (the sum of their `n`).
    pub n: u64,
    /// The share of today's memory weight (the figure's sensitivity to each
    /// rating) that sits on assumed ratings (0..1).
    pub assumed_weight: f64,
}

/// How an interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IntervalMethod {
    /// Seeded Monte Carlo: the central 95 % of the draws' exact remembered
    /// experiences.
    MonteCarlo,
    /// The normal approximation from the memory weights (the gradient):
    /// ± 1.96 √Σ (weightᵢ · uncertaintyᵢ)². Too narrow where an uncertain
    /// rating could become the peak; used past [`MAX_INTERVAL_WORK`].
    Linearised,
}

/// An interval for the remembered experience (95 %).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// How it was computed.
    pub method: IntervalMethod,
    /// Monte Carlo standard error of the lower bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low_standard_error: Option<f64>,
    /// Monte Carlo standard error of the upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high_standard_error: Option<f64>,
    /// Draws (0 when linearised).
    pub draws: usize,
    /// Seed (of the Monte Carlo draws).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The uncertainty given to an assumed emotion.
    pub assumed_sd: f64,
}

/// Why there is no interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
#[non_exhaustive]
pub enum NoInterval {
    /// No draws were asked for.
    NoDraws,
}

/// What the remembered experience rests on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Evidence {
    /// The ratings it rests on.
    pub basis: Basis,
    /// Its interval from the ratings' uncertainty.
    pub interval: Result<Interval, NoInterval>,
}

/// The uncertainty (standard error) of a touchpoint's emotion, in the
/// journey's units (see the module docs).
#[must_use]
pub fn emotion_uncertainty(t: &TouchpointSpec, range: f64, assumed_sd: f64) -> f64 {
    match &t.evidence {
        Some(e) if e.kind != EvidenceKind::Assumed && e.n.is_none_or(|n| n > 0) => {
            let n = e.n.unwrap_or(1).max(1) as f64;
            e.sd.unwrap_or(range / 4.0) / n.sqrt()
        }
        _ => assumed_sd,
    }
}

/// The basis of the remembered experience of analysis `a`: every
/// touchpoint customers pass (within `within`, all when `None`) — a
/// peak-type memory can come to rest on any of them if its rating is off —
/// with the share of today's memory weight on the assumed ones.
pub(crate) fn basis(j: &Journey, a: &Analysis, within: Option<&[bool]>) -> Basis {
    let mut b = Basis::default();
    let (mut all, mut assumed) = (0.0, 0.0);
    for (i, t) in a.touchpoints.iter().enumerate().take(j.len()) {
        if t.visit <= 0.0 || within.is_some_and(|m| !m[i]) {
            continue;
        }
        let spec = j.touchpoint(i);
        b.touchpoints.push(spec.id.clone());
        let w = t.memory_weight.abs();
        all += w;
        match spec.evidence.as_ref().filter(|e| e.n.is_none_or(|n| n > 0)) {
            Some(e) if e.kind != EvidenceKind::Assumed => {
                match e.kind {
                    EvidenceKind::Survey => b.survey += 1,
                    EvidenceKind::Interview => b.interview += 1,
                    _ => b.measured += 1,
                }
                b.n += e.n.unwrap_or(1);
            }
            _ => {
                b.assumed += 1;
                assumed += w;
            }
        }
    }
    b.assumed_weight = if all > 0.0 { assumed / all } else { 0.0 };
    b
}

/// What a recommendation acting on touchpoint `acted` (by id; `None`: the
/// whole journey, as a new closing) rests on: the ratings on the paths
/// through it.
pub(crate) fn rests_on(j: &Journey, a: &Analysis, acted: Option<&str>) -> Basis {
    match acted.and_then(|id| j.index_of(id)) {
        Some(i) => basis(j, a, Some(&on_paths_through(j, i))),
        None => basis(j, a, None),
    }
}

/// The touchpoints that share a path with touchpoint `index` (its
/// ancestors, its descendants and itself), by file index.
pub(crate) fn on_paths_through(j: &Journey, index: usize) -> Vec<bool> {
    let mut seen = vec![false; j.len()];
    seen[index] = true;
    let mut stack = vec![index];
    while let Some(i) = stack.pop() {
        for (k, _) in j.successors(i) {
            if !seen[k] {
                seen[k] = true;
                stack.push(k);
            }
        }
    }
    let mut up = vec![index];
    while let Some(i) = up.pop() {
        for (k, _) in j.predecessors(i) {
            if !seen[k] {
                seen[k] = true;
                up.push(k);
            }
        }
    }
    seen
}

/// A standard normal draw (Box–Muller on the engine's seeded generator).
fn normal(rng: &mut crate::engine::Rng) -> f64 {
    let u = 1.0 - rng.next_f64();
    let v = rng.next_f64();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// The `p`-quantile of sorted values (linear between order statistics).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let x = p * (sorted.len() - 1) as f64;
    let (k, f) = (x.floor() as usize, x.fract());
    let next = sorted[(k + 1).min(sorted.len() - 1)];
    sorted[k] + f * (next - sorted[k])
}

/// The standard error of the `p`-quantile of sorted draws: half the
/// distance between the order statistics `R·p ± √(R·p·(1−p))`.
fn quantile_se(sorted: &[f64], p: f64) -> f64 {
    let r = sorted.len() as f64;
    let d = (r * p * (1.0 - p)).sqrt();
    let lo = quantile(sorted, ((r * p - d) / r).clamp(0.0, 1.0));
    let hi = quantile(sorted, ((r * p + d) / r).clamp(0.0, 1.0));
    (hi - lo) / 2.0
}

impl Analyzer {
    /// What the analysis `a` of `journey` rests on, and its interval (see
    /// the module docs).
    #[must_use]
    pub fn evidence(&self, journey: &Journey, a: &Analysis, options: &EvidenceOptions) -> Evidence {
        let basis = basis(journey, a, None);
        Evidence {
            basis,
            interval: self.interval(journey, a, options),
        }
    }

    fn interval(
        &self,
        j: &Journey,
        a: &Analysis,
        options: &EvidenceOptions,
    ) -> Result<Interval, NoInterval> {
        let n = j.len();
        if options.draws == 0 {
            return Err(NoInterval::NoDraws);
        }
        let scale = j.scale();
        let range = scale.max - scale.min;
        let assumed_sd = options.assumed_sd.unwrap_or(range / 4.0);
        let sd: Vec<f64> = (0..n)
            .map(|i| emotion_uncertainty(j.touchpoint(i), range, assumed_sd))
            .collect();
        if options.draws.saturating_mul(n) > MAX_INTERVAL_WORK {
            let var: f64 = a
                .touchpoints
                .iter()
                .zip(&sd)
                .map(|(t, s)| (t.memory_weight * s).powi(2))
                .sum();
            let x = a.remembered.expected;
            let half = Z95 * var.sqrt();
            return Ok(Interval {
                low: (x - half).max(scale.min),
                high: (x + half).min(scale.max),
                method: IntervalMethod::Linearised,
                low_standard_error: None,
                high_standard_error: None,
                draws: 0,
                seed: None,
                assumed_sd,
            });
        }
        let mut rng = crate::engine::Rng::new(options.seed);
        let mut values = Vec::with_capacity(options.draws);
        let mut emotions = vec![0.0; n];
        for _ in 0..options.draws {
            for (i, e) in emotions.iter_mut().enumerate() {
                let x = j.touchpoint(i).emotion + sd[i] * normal(&mut rng);
                *e = x.clamp(scale.min, scale.max);
            }
            let draw = j.clone().with_emotions(&emotions);
            values.push(
                crate::analysis::expected_exact(&draw, self.model())
                    .unwrap_or_else(|| self.analyze(&draw).remembered.expected),
            );
        }
        values.sort_by(f64::total_cmp);
        let tail = (1.0 - LEVEL) / 2.0;
        Ok(Interval {
            low: quantile(&values, tail),
            high: quantile(&values, 1.0 - tail),
            method: IntervalMethod::MonteCarlo,
            low_standard_error: Some(quantile_se(&values, tail)),
            high_standard_error: Some(quantile_se(&values, 1.0 - tail)),
            draws: options.draws,
            seed: Some(options.seed),
            assumed_sd,
        })
    }
}
