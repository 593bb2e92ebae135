//! The remembered experience of a journey: [`Analyzer`] (a memory model,
//! options and moment thresholds, configured once), [`analyze`] and its
//! result, [`Analysis`]. This module orchestrates; the exact computation
//! over paths is the engine's.

use crate::engine::{self, Rng, Sampler};
use crate::error::Problem;
use crate::journey::{Journey, Pos, Scale};
use crate::memory::{Feature, MemoryModel, PathView};

use ordered_float::OrderedFloat;
use serde::Serialize;
use std::collections::BTreeMap;

/// Settings of an analysis, with chained setters.
///
/// ```
/// let o = peakend::Options::new().samples(20_000).seed(7);
/// assert_eq!(o.seed_in_use(), 7);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Options {
    samples: Option<usize>,
    seed: u64,
    enumeration_limit: f64,
    mean_state_limit: usize,
    level_state_limit: Option<usize>,
}

/// Default Monte Carlo seed.
pub const DEFAULT_SEED: u64 = 20_260_101;
/// Default number of Monte Carlo samples.
pub const DEFAULT_SAMPLES: usize = 20_000;
/// The most Monte Carlo samples an analysis draws ([`Options::samples`]
/// caps larger requests here, so that no setting can make an analysis run
/// for hours).
pub const MAX_SAMPLES: usize = 10_000_000;
const MIN_AUTO_SAMPLES: usize = 500;
const SAMPLING_BUDGET: f64 = 500_000.0;

impl Default for Options {
    fn default() -> Self {
        Options {
            samples: None,
            seed: DEFAULT_SEED,
            enumeration_limit: 2_000_000.0,
            mean_state_limit: 500_000,
            level_state_limit: None,
        }
    }
}

impl Options {
    /// Defaults: automatic sample count (see [`Options::samples`]), seed
    /// 20260101, enumerate paths while their total length is at most
    /// 2,000,000 touchpoint visits.
    #[must_use]
    pub fn new() -> Self {
        Options::default()
    }
    /// Number of Monte Carlo samples for figures without an exact form
    /// (1 to [`MAX_SAMPLES`]; values outside are clamped). Without it:
    /// 20,000, or fewer for very long paths so that sampling visits at most
    /// about 500,000 touchpoints (never fewer than 500 samples). The
    /// analysis reports the number used.
    #[must_use]
    pub fn samples(mut self, n: usize) -> Self {
        self.samples = Some(n.clamp(1, MAX_SAMPLES));
        self
    }

    pub(crate) fn sample_count(&self, expected_length: f64) -> usize {
        self.samples.unwrap_or_else(|| {
            let by_budget = (SAMPLING_BUDGET / expected_length.max(1.0)) as usize;
            by_budget.clamp(MIN_AUTO_SAMPLES, DEFAULT_SAMPLES)
        })
    }
    /// Seed of the Monte Carlo generator.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Enumerate paths (every figure exact) while the summed length of all
    /// paths is at most this many touchpoint visits; 0 never enumerates.
    #[must_use]
    pub fn enumeration_limit(mut self, visits: u64) -> Self {
        self.enumeration_limit = visits as f64;
        self
    }
    /// Give up the exact duration-weighted mean (and estimate it by
    /// sampling) once its dynamic programming holds more than this many
    /// (touchpoint, elapsed time) states in all; default 500,000.
    #[must_use]
    pub fn mean_state_limit(mut self, states: usize) -> Self {
        self.mean_state_limit = states;
        self
    }
    /// The budget of the maximum-type features (peak, best, worst): their
    /// exact distributions are kept (for the distribution across customers,
    /// the best and worst paths and fast what-ifs) while they hold at most
    /// this many (touchpoint, level) entries each. Past it, the shares,
    /// expected values and memory weights are still computed exactly, in
    /// memory bounded by the journey's frontier, while that reads at most
    /// 128 times as many entries (about a second per 200 million); past
    /// that too, they are estimated from sampled paths (and say so).
    /// Default: 4,000,000 plus 12 per touchpoint and transition — every
    /// journey with a few dozen distinct emotion values stays exact; with
    /// thousands of them (mean ratings) on a long, wide journey, the exact
    /// method's time grows as touchpoints × levels.
    #[must_use]
    pub fn level_state_limit(mut self, entries: usize) -> Self {
        self.level_state_limit = Some(entries);
        self
    }

    /// The budget of level-distribution entries for `j`.
    pub(crate) fn level_budget(&self, j: &Journey) -> usize {
        self.level_state_limit
            .unwrap_or_else(|| engine::default_level_budget(j))
    }
    /// The seed in use.
    #[must_use]
    pub fn seed_in_use(&self) -> u64 {
        self.seed
    }
}

/// A memory model with its analysis options and moment thresholds,
/// configured once and used for every step: [`analyze`](Analyzer::analyze)
/// a journey once, then find its [`moments`](Analyzer::moments),
/// [`simulate`](Analyzer::simulate) edits and
/// [`recommend`](Analyzer::recommend) where to invest from that same
/// analysis.
///
/// ```
/// use peakend::{Analyzer, Journey, Model, Operation, Options};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-3},{"id":"b","name":"B","emotion":-8}]}"#)?;
/// let analyzer = Analyzer::new(Model::PeakEnd).options(Options::new().seed(7));
/// let a = analyzer.analyze(&j);
/// assert_eq!(a.remembered.expected, -8.0);
/// let s = analyzer.simulate(&j, &a, &[Operation::set("b", -4.0)])?;
/// assert_eq!(s.after, -4.0);
/// let r = analyzer.recommend(&j, &a, None);
/// assert!(r.recommendations[0].lift > 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Analyzer {
    model: std::sync::Arc<dyn MemoryModel + Send + Sync>,
    options: Options,
    thresholds: Thresholds,
    resolution: Option<f64>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("model", &self.model.name())
            .field("options", &self.options)
            .field("thresholds", &self.thresholds)
            .field("resolution", &self.resolution)
            .finish()
    }
}

impl Analyzer {
    /// An analyser with this memory model, default [`Options`] and default
    /// [`Thresholds`].
    #[must_use]
    pub fn new(model: impl MemoryModel + Send + Sync + 'static) -> Self {
        Analyzer {
            model: std::sync::Arc::new(model),
            options: Options::new(),
            thresholds: Thresholds::new(),
            resolution: None,
        }
    }
    /// Use these analysis options (samples, seed, enumeration limit).
    #[must_use]
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }
    /// Use these moment thresholds.
    #[must_use]
    pub fn thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }
    /// The step ratings are given in (a whole point on most survey and
    /// Mermaid scales). Without it, `recommend` infers it from the journey:
    /// the largest of 1, 0.5, 0.25, 0.2, 0.1, 0.05 and 0.01 that every
    /// emotion is a whole multiple of, else 1 % of the scale. A modest raise
    /// is never smaller than one step.
    #[must_use]
    pub fn resolution(mut self, step: Option<f64>) -> Self {
        self.resolution = step.filter(|r| r.is_finite() && *r > 0.0);
        self
    }
    /// The rating step given with [`Analyzer::resolution`], if any.
    #[must_use]
    pub fn rating_step(&self) -> Option<f64> {
        self.resolution
    }
    /// The memory model.
    #[must_use]
    pub fn model(&self) -> &(dyn MemoryModel + Send + Sync) {
        &*self.model
    }
    /// The analysis options in use.
    #[must_use]
    pub fn analysis_options(&self) -> &Options {
        &self.options
    }
    /// The moment thresholds in use.
    #[must_use]
    pub fn moment_thresholds(&self) -> &Thresholds {
        &self.thresholds
    }
    /// Analyse a journey: see [`analyze`].
    #[must_use]
    pub fn analyze(&self, journey: &Journey) -> Analysis {
        analyze(journey, self.model(), &self.options)
    }
}

/// Thresholds of the moment rules, with chained setters. Defaults:
/// peak share 10 %, end share 10 %, pit intensity 50 % of the way from
/// neutral to the scale's minimum, missed-moment intensity 20 % of the way
/// from neutral to the nearer end of the scale, forgettable memory weight
/// 0.01.
///
/// ```
/// let t = peakend::Thresholds::new().peak_share(0.2);
/// assert_eq!(t.peak_share_threshold(), 0.2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Thresholds {
    pub(crate) peak_share: f64,
    pub(crate) end_share: f64,
    pub(crate) pit_intensity: f64,
    pub(crate) missed_intensity: f64,
    pub(crate) forgettable_weight: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            peak_share: 0.10,
            end_share: 0.10,
            pit_intensity: 0.5,
            missed_intensity: 0.2,
            forgettable_weight: 0.01,
        }
    }
}

impl Thresholds {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// A touchpoint is a `peak` moment when it is the remembered peak for
    /// at least this share of customers.
    #[must_use]
    pub fn peak_share(mut self, x: f64) -> Self {
        self.peak_share = x;
        self
    }
    /// A touchpoint is an `end` moment when at least this share of
    /// customers end there.
    #[must_use]
    pub fn end_share(mut self, x: f64) -> Self {
        self.end_share = x;
        self
    }
    /// A negative touchpoint is a `pit` when its intensity is at least this
    /// fraction of the distance from neutral to the scale's minimum.
    #[must_use]
    pub fn pit_intensity(mut self, x: f64) -> Self {
        self.pit_intensity = x;
        self
    }
    /// A transition or milestone is *missed* when its intensity is at most
    /// this fraction of the distance from neutral to the nearer scale end.
    #[must_use]
    pub fn missed_intensity(mut self, x: f64) -> Self {
        self.missed_intensity = x;
        self
    }
    /// A visited touchpoint is *forgettable* when the absolute value of its
    /// memory weight is at most this.
    #[must_use]
    pub fn forgettable_weight(mut self, x: f64) -> Self {
        self.forgettable_weight = x;
        self
    }
    /// The peak-share threshold.
    #[must_use]
    pub fn peak_share_threshold(&self) -> f64 {
        self.peak_share
    }
    /// The pit-intensity threshold.
    #[must_use]
    pub fn pit_intensity_threshold(&self) -> f64 {
        self.pit_intensity
    }
}

/// Everything peakend computes about a journey under one memory model.
/// Serializes to the documented JSON contract.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Analysis {
    /// About the journey.
    pub journey: JourneySummary,
    /// Expected remembered experience.
    pub remembered: Remembered,
    /// The duration-weighted average (what a dashboard shows), for contrast.
    pub mean: Figure,
    /// How the remembered experience spreads across customers.
    pub distribution: Distribution,
    /// Per touchpoint, in file order.
    pub touchpoints: Vec<TouchpointResult>,
    /// Path statistics and notable paths.
    pub paths: Paths,
    /// What the ends mean for the business: each outcome the journey lists
    /// with the share of customers who reach it (exact); empty when the
    /// journey lists none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<OutcomeShare>,
    /// Present when any figure is a Monte Carlo estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
    /// True when every touchpoint's `memory_weight` is exact.
    pub memory_weight_exact: bool,
    /// Validation warnings.
    pub warnings: Vec<Problem>,
}

/// One outcome and the share of customers who reach it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OutcomeShare {
    /// Outcome id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Win, loss or neutral.
    pub kind: crate::spec::OutcomeKind,
    /// Share of customers whose journey ends with it.
    pub share: f64,
    /// What one customer reaching it is worth, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// `share × value`, when the value is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_value: Option<f64>,
}

/// The share of customers reaching each outcome the journey lists: the
/// summed end shares of the ends that name it.
pub(crate) fn outcome_shares(j: &Journey, visit: &[f64]) -> Vec<OutcomeShare> {
    j.spec()
        .outcomes
        .iter()
        .map(|o| {
            let share: f64 = (0..j.len())
                .filter(|&i| j.touchpoint(i).outcome.as_deref() == Some(o.id.as_str()))
                .map(|i| {
                    let p = j.position(i).0;
                    if j.succ_of(p).is_empty() {
                        visit[p]
                    } else {
                        0.0
                    }
                })
                .sum();
            OutcomeShare {
                id: o.id.clone(),
                name: o.name.clone(),
                kind: o.kind,
                share,
                value: o.value,
                expected_value: o.value.map(|v| v * share),
            }
        })
        .collect()
}

/// About the journey analysed.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct JourneySummary {
    /// Journey name.
    pub name: String,
    /// Number of touchpoints.
    pub touchpoints: usize,
    /// Number of transitions (implied ones for a linear journey).
    pub transitions: usize,
    /// The scale.
    pub scale: Scale,
}

/// The expected remembered experience.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Remembered {
    /// Expected remembered score over all customers, on the journey's scale.
    pub expected: f64,
    /// Model name.
    pub model: String,
    /// How the model forms a score.
    pub explain: String,
    /// True when `expected` is exact; false for a Monte Carlo estimate.
    pub exact: bool,
    /// Standard error of the estimate (only when not exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_error: Option<f64>,
}

/// One figure that may be exact or estimated.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Figure {
    /// Expected value over customers.
    pub expected: f64,
    /// True when exact.
    pub exact: bool,
    /// Standard error (only when estimated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_error: Option<f64>,
}

/// The distribution of remembered scores across customers.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Distribution {
    /// True when computed exactly; false for a Monte Carlo estimate.
    pub exact: bool,
    /// Share of customers whose remembered score is below neutral.
    pub negative_share: f64,
    /// Standard error of `negative_share` (only when estimated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_share_standard_error: Option<f64>,
    /// 10th percentile of the remembered score.
    pub p10: f64,
    /// Median remembered score.
    pub p50: f64,
    /// 90th percentile of the remembered score.
    pub p90: f64,
    /// Lowest remembered score any customer has.
    pub min: f64,
    /// Highest remembered score any customer has.
    pub max: f64,
    /// Share of customers per remembered-score bin: the scale cut into
    /// [`HISTOGRAM_BINS`] equal bins from its minimum to its maximum, each
    /// closed below and open above (the last one closed above too). Scores
    /// outside the scale (possible with a `trend` weight) count in the
    /// nearest end bin. Exact or estimated together with the rest of the
    /// distribution.
    pub histogram: Vec<Bin>,
}

/// Number of bins in [`Distribution::histogram`].
pub const HISTOGRAM_BINS: usize = 20;

/// One bin of [`Distribution::histogram`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge (included).
    pub from: f64,
    /// Upper edge (excluded, but for the last bin).
    pub to: f64,
    /// Share of customers whose remembered score falls in the bin.
    pub share: f64,
}

/// Results for one touchpoint.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct TouchpointResult {
    /// Touchpoint id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Stage id, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Stage display name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_name: Option<String>,
    /// Emotion.
    pub emotion: f64,
    /// Probability that a customer passes this touchpoint.
    pub visit: f64,
    /// Probability that it is the customer's remembered peak (peak-end
    /// rule's peak, whatever the model).
    pub peak_share: f64,
    /// Probability that the customer's journey ends here.
    pub end_share: f64,
    /// Memory weight: the change in expected remembered experience per
    /// unit raise of this touchpoint's emotion (the derivative, away from
    /// ties). 0 means investing here moves no one's memory.
    pub memory_weight: f64,
}

/// Path statistics.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Paths {
    /// Number of distinct paths customers can take (probability > 0): an
    /// exact integer up to 2^128, beyond that a floating-point
    /// approximation, and `null` beyond 1.8e308 (see `count_log10`).
    pub count: PathCount,
    /// False when `count` is an approximation.
    pub count_exact: bool,
    /// Base-10 logarithm of the number of paths (always present).
    pub count_log10: f64,
    /// The main route: from the busiest entry, the transition carrying the
    /// most customers at each step — what the map draws thick and the
    /// exports write. Its `probability` is that of the complete path.
    pub main: PathResult,
    /// The most probable complete path.
    pub most_likely: PathResult,
    /// The path with the highest remembered score.
    pub best: PathResult,
    /// The path with the lowest remembered score.
    pub worst: PathResult,
}

/// A path count: exact, or (beyond 2^128) approximate.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum PathCount {
    /// Exact.
    Exact(u128),
    /// Approximate, as its base-10 logarithm.
    Approx {
        /// log10 of the count.
        log10: f64,
    },
}

impl Serialize for PathCount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            PathCount::Exact(n) => s.serialize_u128(n),
            PathCount::Approx { log10 } => {
                let x = 10f64.powf(log10);
                if x.is_finite() {
                    s.serialize_f64(x)
                } else {
                    s.serialize_none()
                }
            }
        }
    }
}

impl std::fmt::Display for PathCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathCount::Exact(n) => write!(f, "{n}"),
            PathCount::Approx { log10 } => write!(f, "≈10^{log10:.1}"),
        }
    }
}

/// One path with its probability and remembered score.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct PathResult {
    /// Touchpoint ids in order.
    pub touchpoints: Vec<String>,
    /// Probability that a customer takes exactly this path.
    pub probability: f64,
    /// Remembered score of this path under the model.
    pub score: f64,
    /// False when the path was picked from Monte Carlo samples (the true
    /// best or worst path may be another one).
    pub exact: bool,
}

/// How estimated figures were produced.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Estimate {
    /// Always "monte-carlo".
    pub method: String,
    /// Number of sampled paths.
    pub samples: usize,
    /// Seed of the generator (rerun with the same seed for the same bytes).
    pub seed: u64,
    /// Which figures are estimates.
    pub figures: Vec<EstimatedFigure>,
}

/// A figure of an [`Analysis`] that can be a Monte Carlo estimate; it
/// serializes as the figure's JSON path (`remembered.expected`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum EstimatedFigure {
    /// Every touchpoint's `memory_weight`.
    #[serde(rename = "touchpoints.memory_weight")]
    MemoryWeight,
    /// The expected remembered experience.
    #[serde(rename = "remembered.expected")]
    Remembered,
    /// The duration-weighted average.
    #[serde(rename = "mean.expected")]
    Mean,
    /// The distribution across customers.
    #[serde(rename = "distribution")]
    Distribution,
    /// The best path.
    #[serde(rename = "paths.best")]
    BestPath,
    /// The worst path.
    #[serde(rename = "paths.worst")]
    WorstPath,
    /// Every touchpoint's `peak_share` (many distinct emotion values on a
    /// long, wide journey: see [`Options::level_state_limit`]).
    #[serde(rename = "touchpoints.peak_share")]
    PeakShare,
}

impl EstimatedFigure {
    /// The figure's JSON path, as it serializes.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            EstimatedFigure::MemoryWeight => "touchpoints.memory_weight",
            EstimatedFigure::Remembered => "remembered.expected",
            EstimatedFigure::Mean => "mean.expected",
            EstimatedFigure::Distribution => "distribution",
            EstimatedFigure::BestPath => "paths.best",
            EstimatedFigure::WorstPath => "paths.worst",
            EstimatedFigure::PeakShare => "touchpoints.peak_share",
        }
    }
}

/// A discrete distribution of scores: score → probability mass.
#[derive(Default)]
struct Atoms(BTreeMap<OrderedFloat<f64>, f64>);

impl Atoms {
    fn add(&mut self, score: f64, mass: f64) {
        *self.0.entry(OrderedFloat(score + 0.0)).or_insert(0.0) += mass;
    }
    fn summarize(&self, scale: &Scale, exact: bool, n: usize) -> Distribution {
        let total: f64 = self.0.values().sum();
        let negative: f64 = self
            .0
            .iter()
            .filter(|(s, _)| s.0 < scale.neutral)
            .map(|(_, m)| m)
            .sum::<f64>()
            / total;
        let q = |p: f64| {
            let mut acc = 0.0;
            for (s, m) in &self.0 {
                acc += m / total;
                if acc >= p - 1e-12 {
                    return s.0;
                }
            }
            self.0.keys().next_back().map_or(f64::NAN, |s| s.0)
        };
        Distribution {
            exact,
            negative_share: negative,
            negative_share_standard_error: (!exact)
                .then(|| (negative * (1.0 - negative) / n as f64).sqrt()),
            p10: q(0.1),
            p50: q(0.5),
            p90: q(0.9),
            min: self.0.keys().next().map_or(f64::NAN, |s| s.0),
            max: self.0.keys().next_back().map_or(f64::NAN, |s| s.0),
            histogram: self.histogram(scale, total),
        }
    }
    fn histogram(&self, scale: &Scale, total: f64) -> Vec<Bin> {
        let width = (scale.max - scale.min) / HISTOGRAM_BINS as f64;
        let mut bins: Vec<Bin> = (0..HISTOGRAM_BINS)
            .map(|k| Bin {
                from: scale.min + width * k as f64,
                to: if k + 1 == HISTOGRAM_BINS {
                    scale.max
                } else {
                    scale.min + width * (k + 1) as f64
                },
                share: 0.0,
            })
            .collect();
        for (s, m) in &self.0 {
            // The first bin whose upper edge lies above the score, else the last.
            let k = bins
                .iter()
                .position(|b| s.0 < b.to)
                .unwrap_or(HISTOGRAM_BINS - 1);
            bins[k].share += m / total;
        }
        bins
    }
}

/// Running mean and variance (Welford).
#[derive(Default)]
struct Welford {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }
    fn standard_error(&self) -> f64 {
        if self.n < 2.0 {
            return 0.0;
        }
        (self.m2 / (self.n - 1.0) / self.n).sqrt()
    }
}

/// The exact expected remembered score over all paths for a model with a
/// linear form whose features all have an exact expectation; `None`
/// otherwise. Never enumerates paths, and whatever its time, its memory
/// is the journey plus the distributions of the touchpoints still open.
///
/// Complexity O((V + E) · K) for K distinct emotion levels.
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// assert_eq!(peakend::expected_exact(&j, &peakend::Model::PeakEnd), Some(-3.0));
/// ```
///
/// # Panics
/// Never: the shares have no budget here.
pub fn expected_exact(journey: &Journey, model: &dyn MemoryModel) -> Option<f64> {
    // The shares alone, in frontier memory.
    let share = engine::top_shares(journey, &engine::Levels::peak(journey), engine::UNLIMITED)
        .expect("no budget to exceed");
    let visit = engine::visits(journey);
    linear_expectation(
        journey,
        model,
        Some(&share),
        &visit,
        (Options::default().mean_state_limit, engine::UNLIMITED),
        None,
    )
}

/// Why [`whatif_emotions`] cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WhatIfError {
    /// The model is not a blend of `peak`, `end` and `first`: simulate
    /// with [`Analyzer::simulate`] instead.
    #[error("model {0} is not a blend of peak, end and first: simulate it instead")]
    UnsupportedModel(String),
    /// A query names no touchpoint of the journey.
    #[error("unknown touchpoint \"{0}\"")]
    UnknownTouchpoint(String),
}

/// Every single-touchpoint what-if at once: for each `(id, emotion)`, the
/// expected remembered experience if that one touchpoint's emotion were
/// `emotion`. Incremental, not one re-analysis per query: for a model that
/// blends `peak`, `end` and `first` (such as `peak-end`), all queries
/// together cost about one analysis.
///
/// Complexity O((V + E) · K) plus O(Q · K) for Q queries.
///
/// # Errors
/// [`WhatIfError::UnsupportedModel`] for other models (simulate those with
/// [`Analyzer::simulate`]); [`WhatIfError::UnknownTouchpoint`] for an id
/// the journey does not have.
///
/// ```
/// use peakend::{Journey, Model, whatif_emotions};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// // Filling the pit: the ending (+2) becomes the peak too.
/// assert_eq!(whatif_emotions(&j, &Model::PeakEnd, &[("a", 0.0), ("b", 5.0)]), Ok(vec![2.0, -1.5]));
/// assert!(whatif_emotions(&j, &Model::Mean, &[("a", 0.0)]).is_err());
/// ```
pub fn whatif_emotions(
    journey: &Journey,
    model: &dyn MemoryModel,
    queries: &[(&str, f64)],
) -> Result<Vec<f64>, WhatIfError> {
    let unsupported = || WhatIfError::UnsupportedModel(model.name());
    let form = model.linear_form().ok_or_else(unsupported)?;
    if form
        .iter()
        .any(|(f, w)| *w != 0.0 && !matches!(f, Feature::Peak | Feature::End | Feature::First))
    {
        return Err(unsupported());
    }
    let w = |feat: Feature| -> f64 {
        form.iter()
            .filter(|(f, _)| *f == feat)
            .map(|(_, w)| w)
            .sum()
    };
    let (wp, we, wf) = (w(Feature::Peak), w(Feature::End), w(Feature::First));
    let peak = engine::peak_info(journey);
    let visit = engine::visits(journey);
    let base = linear_expectation(
        journey,
        model,
        Some(&peak.share),
        &visit,
        (0, engine::UNLIMITED),
        None,
    )
    .ok_or_else(unsupported)?;
    let pos: Vec<(usize, f64)> = queries
        .iter()
        .map(|&(id, x)| {
            journey
                .index_of(id)
                .map(|i| (journey.position(i).0, x))
                .ok_or_else(|| WhatIfError::UnknownTouchpoint(id.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let old_peak: f64 = (0..journey.len())
        .map(|p| peak.share[p] * journey.emotions()[p])
        .sum();
    let new_peak = engine::peak_whatif(journey, &peak, &pos);
    Ok(pos
        .iter()
        .zip(new_peak)
        .map(|(&(p, x), np)| {
            let d = x - journey.emotions()[p];
            let end = if journey.succ_of(p).is_empty() {
                visit[p]
            } else {
                0.0
            };
            base + wp * (np - old_peak) + we * end * d + wf * journey.entry_at(p) * d
        })
        .collect())
}

pub(crate) use crate::engine::{Edit, Price};
use crate::spec::Ties;

/// Prices local edits (one touchpoint's emotion, a cut, one branching
/// touchpoint's probabilities, a closing after the ends) under a memory
/// model, without re-analysing: see the engine's `local` module. What it
/// returns equals a full analysis of the edited journey (to rounding),
/// except where [`Pricer::estimated`] says the mean part was sampled.
pub(crate) struct Pricer {
    local: engine::Local,
}

impl Pricer {
    /// The change in expected remembered experience the edit makes;
    /// `None` when it has no local price (then re-analyse).
    pub(crate) fn price(&self, j: &Journey, edit: &Edit) -> Option<Price> {
        self.local.price(j, edit)
    }

    /// True when prices are estimated (the mean part from sampled paths,
    /// with a standard error).
    pub(crate) fn estimated(&self) -> bool {
        self.local.estimated()
    }

    /// (samples, seed) of the sampled paths behind estimated prices.
    pub(crate) fn sampling(&self) -> Option<(usize, u64)> {
        self.local.sampling().map(|s| (s.samples, s.seed))
    }
}

impl Analyzer {
    /// A pricer for this analyser's model on `j` under a tie rule for the
    /// peak (the journey's own, or the other one for robust lifts), when
    /// the model is a
    /// blend of peak, best, worst, end, first and mean (`None` for trend and
    /// for models without a linear form). The mean is exact within the
    /// state limit (or whenever the paths are few enough to enumerate, as
    /// the analysis does), else sampled with this analyser's seed.
    pub(crate) fn pricer(&self, j: &Journey, ties: Ties) -> Option<Pricer> {
        let form = self.model.linear_form()?;
        self.pricer_for(j, &form, ties)
    }

    /// A pricer for the duration-weighted average (the dashboard's view).
    pub(crate) fn mean_pricer(&self, j: &Journey) -> Option<Pricer> {
        self.pricer_for(j, &[(Feature::Mean, 1.0)], j.scale().ties)
    }

    fn pricer_for(&self, j: &Journey, form: &[(Feature, f64)], ties: Ties) -> Option<Pricer> {
        let o = &self.options;
        let counts = engine::count_paths(j);
        let enumerable = counts.exact.is_some() && counts.steps <= o.enumeration_limit;
        let (limit, sampling) = if enumerable {
            (usize::MAX, None)
        } else {
            let samples = o.sample_count(engine::visits(j).iter().sum());
            (
                o.mean_state_limit,
                Some(engine::Sampling {
                    samples,
                    seed: o.seed,
                }),
            )
        };
        let budget = o.level_budget(j);
        engine::Local::new(j, form, ties, (limit, budget), sampling).map(|local| Pricer { local })
    }
}

/// A persona's remembered experience estimated from sampled paths of the
/// journey (for a persona whose own journey is too large to contract).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SampledMemory {
    /// Expected remembered experience of the paths that meet the persona,
    /// estimated (with its standard error), under the analyser's model.
    pub remembered: Remembered,
    /// The share of sampled paths that meet the persona.
    pub reach: f64,
    /// Paths sampled.
    pub samples: usize,
    /// The seed.
    pub seed: u64,
}

impl Analyzer {
    /// Persona `name`'s remembered experience from sampled paths (this
    /// analyser's samples and seed); `None` when no sampled path meets it.
    pub(crate) fn sampled_persona(&self, j: &Journey, name: &str) -> Option<SampledMemory> {
        let n = j.len();
        let mut take = vec![false; n];
        let mut emotions = vec![0.0; n];
        for i in 0..n {
            let p = j.position(i).0;
            take[p] = j.takes_part(i, name);
            emotions[p] = j.emotion_of(i, name);
        }
        let seed = self.options.seed_in_use();
        let samples = self
            .options
            .sample_count(engine::mean_sampled_length(j, 200, seed));
        let s = engine::sampled_subsequence_memory(
            j,
            self.model.as_ref(),
            &take,
            &emotions,
            samples,
            seed,
        )?;
        Some(SampledMemory {
            remembered: Remembered {
                expected: s.expected,
                model: self.model.name(),
                explain: self.model.explain(),
                exact: false,
                standard_error: Some(s.standard_error),
            },
            reach: s.reach,
            samples,
            seed,
        })
    }
}

/// The exact duration-weighted mean alone, when within the state limit.
pub(crate) fn exact_mean(j: &Journey, options: &Options) -> Option<f64> {
    engine::expected_mean(j, options.mean_state_limit)
}

/// Per outcome the journey lists (in its order), per position: the
/// probability that a customer at that position ends with that outcome.
pub(crate) fn outcome_reach(j: &Journey) -> Vec<Vec<f64>> {
    j.spec()
        .outcomes
        .iter()
        .map(|o| {
            let n = j.len();
            let mut reach = vec![0.0; n];
            for p in (0..n).rev() {
                let succ = j.succ_of(p);
                reach[p] = if succ.is_empty() {
                    let i = j.file_index(Pos(p));
                    if j.touchpoint(i).outcome.as_deref() == Some(o.id.as_str()) {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    succ.iter().map(|&(w, pr)| pr * reach[w as usize]).sum()
                };
            }
            reach
        })
        .collect()
}

/// The figures an action's rationale and outcome effects read from a
/// journey: by file index, the share of customers who pass each
/// touchpoint, whose peak it is and whose journey ends there.
pub(crate) struct Standing {
    pub(crate) visit: Vec<f64>,
    pub(crate) peak_share: Vec<f64>,
    pub(crate) end_share: Vec<f64>,
    pub(crate) outcomes: Vec<OutcomeShare>,
}

impl Standing {
    /// From an analysis of `j`.
    pub(crate) fn of_analysis(a: &Analysis) -> Standing {
        Standing {
            visit: a.touchpoints.iter().map(|t| t.visit).collect(),
            peak_share: a.touchpoints.iter().map(|t| t.peak_share).collect(),
            end_share: a.touchpoints.iter().map(|t| t.end_share).collect(),
            outcomes: a.outcomes.clone(),
        }
    }

    /// Straight from the journey: visits and peak shares by dynamic
    /// programming (the part of an analysis these figures need).
    pub(crate) fn of(j: &Journey, options: &Options) -> Standing {
        let visit = engine::visits(j);
        // Past the budget, the peak shares come from frontier memory, else
        // from sampled paths.
        let budget = options.level_budget(j);
        let exact = engine::peak_info_within(j, budget)
            .map(|peak| peak.share)
            .or_else(|| {
                engine::top_shares(j, &engine::Levels::peak(j), engine::work_budget(budget))
            });
        let share = match exact {
            Some(share) => share,
            None => {
                let samples = options.sample_count(visit.iter().sum());
                engine::sampled_peak_shares(j, samples, options.seed)
            }
        };
        let n = j.len();
        let by_file =
            |f: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..n).map(|i| f(j.position(i).0)).collect() };
        Standing {
            visit: by_file(&|p| visit[p]),
            peak_share: by_file(&|p| share[p]),
            end_share: by_file(&|p| {
                if j.succ_of(p).is_empty() {
                    visit[p]
                } else {
                    0.0
                }
            }),
            outcomes: outcome_shares(j, &visit),
        }
    }
}

fn linear_expectation(
    j: &Journey,
    model: &dyn MemoryModel,
    peak_share: Option<&[f64]>,
    visit: &[f64],
    (limit, work): (usize, usize),
    mean: Option<f64>,
) -> Option<f64> {
    let form = model.linear_form()?;
    let mut total = 0.0;
    for (f, w) in form {
        if w != 0.0 {
            total += w * match (f, mean) {
                (Feature::Mean, Some(m)) => m,
                _ => engine::expected_feature(j, f, peak_share, visit, limit, work)?,
            };
        }
    }
    Some(total)
}

/// Analyse a journey under a memory model: the expected remembered
/// experience over every path, its spread across customers, per-touchpoint
/// visit, peak and end shares, and the notable paths.
///
/// Figures are exact wherever possible: by enumeration when the paths are
/// few enough (see [`Options::enumeration_limit`]), otherwise by dynamic
/// programming over the DAG. What has no exact form is estimated by seeded
/// Monte Carlo, and [`Analysis::estimate`] says which figures those are.
///
/// Complexity: O((V + E) · K) for K distinct emotion levels, plus
/// O(samples × path length) when sampling.
///
/// ```
/// use peakend::{analyze, Journey, Model, Options};
/// // Kahneman et al. 1993: the longer trial ends milder and is remembered better.
/// let short = Journey::from_json_str(r#"{"version":1,"name":"short","touchpoints":[
///   {"id":"cold","name":"60 s at 14 °C","emotion":-8,"duration":1}]}"#).unwrap();
/// let long = Journey::from_json_str(r#"{"version":1,"name":"long","touchpoints":[
///   {"id":"cold","name":"60 s at 14 °C","emotion":-8,"duration":1},
///   {"id":"warmer","name":"30 s at 15 °C","emotion":-6,"duration":0.5}]}"#).unwrap();
/// let s = analyze(&short, &Model::PeakEnd, &Options::new());
/// let l = analyze(&long, &Model::PeakEnd, &Options::new());
/// assert!(l.remembered.expected > s.remembered.expected);
/// assert!(l.remembered.exact);
/// ```
///
/// # Panics
/// Never: every validated journey has a path, which the analysis relies on.
pub fn analyze(journey: &Journey, model: &dyn MemoryModel, options: &Options) -> Analysis {
    let j = journey;
    let n = j.len();
    let scale = j.scale();
    let visit = engine::visits(j);
    let counts = engine::count_paths(j);
    let enumerate = counts.exact.is_some() && counts.steps <= options.enumeration_limit;
    // Paths few enough to enumerate: every figure exact, whatever it costs.
    let c = Ctx::new(j, model, options, visit, enumerate);
    let mut buf = Buffers::default();
    let (most_likely_path, most_likely_prob) =
        engine::most_likely(j, None, None).expect("a valid journey has a path");
    let most_likely = c.path_result(&most_likely_path, most_likely_prob, true, &mut buf);
    let (main_path, main_prob) = engine::main_route(j);
    let main = c.path_result(&main_path, main_prob, true, &mut buf);
    let f = if enumerate {
        by_enumeration(&c, &mut buf)
    } else {
        by_dynamic_programming(&c, &mut buf)
    };
    let touchpoints = touchpoint_results(&c, &f);
    let estimate = (!f.estimated.is_empty()).then(|| Estimate {
        method: "monte-carlo".into(),
        samples: c.samples,
        seed: options.seed,
        figures: f.estimated,
    });
    Analysis {
        journey: JourneySummary {
            name: j.spec().name.clone(),
            touchpoints: n,
            transitions: j.transition_count(),
            scale,
        },
        remembered: Remembered {
            expected: f.remembered,
            model: model.name(),
            explain: model.explain(),
            exact: f.remembered_se.is_none(),
            standard_error: f.remembered_se,
        },
        mean: f.mean,
        distribution: f.distribution,
        touchpoints,
        outcomes: outcome_shares(j, &c.visit),
        paths: Paths {
            count: match counts.exact {
                Some(c) => PathCount::Exact(c),
                None => PathCount::Approx {
                    log10: counts.ln / std::f64::consts::LN_10,
                },
            },
            count_exact: counts.exact.is_some(),
            count_log10: match counts.exact {
                Some(c) => (c as f64).log10(),
                None => counts.ln / std::f64::consts::LN_10,
            },
            main,
            most_likely,
            best: f.best,
            worst: f.worst,
        },
        estimate,
        memory_weight_exact: f.grad_exact,
        warnings: j.warnings().to_vec(),
    }
}

/// What an analysis computes once and every part of it reads.
struct Ctx<'a> {
    j: &'a Journey,
    model: &'a dyn MemoryModel,
    form: Option<Vec<(Feature, f64)>>,
    /// Visit probability by position.
    visit: Vec<f64>,
    /// The peak's distributions and shares, when within the budget.
    peak: Option<engine::PeakInfo>,
    /// The peak's exact shares: from its distributions, else computed in
    /// frontier memory within the work budget; `None` past that (they are
    /// then counted on sampled paths).
    peak_share: Option<Vec<f64>>,
    /// The expected remembered score, when the model's linear form has an
    /// exact expectation.
    linear: Option<f64>,
    /// The exact duration-weighted average, when within the state limit.
    mean_exact: Option<f64>,
    /// Memory weights by position, when exact from the shares.
    exact_grad: Option<Vec<f64>>,
    samples: usize,
    seed: u64,
}

/// Scratch space for scoring paths.
#[derive(Default)]
struct Buffers {
    emotions: Vec<f64>,
    durations: Vec<f64>,
    gradient: Vec<f64>,
}

/// The figures that depend on how the paths are covered (enumerated, or
/// by dynamic programming and sampling).
struct Figures {
    remembered: f64,
    remembered_se: Option<f64>,
    mean: Figure,
    distribution: Distribution,
    best: PathResult,
    worst: PathResult,
    /// Memory weights by position.
    grad: Vec<f64>,
    grad_exact: bool,
    /// Peak shares by position, from sampled paths (when the peak's
    /// distributions are past their budget).
    peak_share: Option<Vec<f64>>,
    estimated: Vec<EstimatedFigure>,
}

impl<'a> Ctx<'a> {
    /// Everything exact that the figures start from.
    fn new(
        j: &'a Journey,
        model: &'a dyn MemoryModel,
        options: &Options,
        visit: Vec<f64>,
        enumerate: bool,
    ) -> Ctx<'a> {
        // Paths few enough to enumerate: every figure exact, whatever it costs.
        let budget = if enumerate {
            engine::UNLIMITED
        } else {
            options.level_budget(j)
        };
        let peak = engine::peak_info_within(j, budget);
        let work = engine::work_budget(budget);
        let peak_share = match &peak {
            Some(p) => Some(p.share.clone()),
            None => engine::top_shares(j, &engine::Levels::peak(j), work),
        };
        let form = model.linear_form();
        // Expected number of touchpoints on a path: the sum of visit probabilities.
        let samples = options.sample_count(visit.iter().sum());
        // The mean's memory weights come with the mean (one pass for both)
        // when the model weighs the mean and the paths are too many to
        // enumerate.
        let weighs_mean = form
            .as_ref()
            .is_some_and(|f| f.iter().any(|&(x, w)| x == Feature::Mean && w != 0.0));
        // Elapsed-time states are exact and cheap while few; past a small
        // multiple of the journey the Laplace form (about a hundred linear
        // passes) is faster, and as exact (1e-12).
        let states = options
            .mean_state_limit
            .min(64 + 2 * (j.len() + j.transition_count()));
        let (mean, mean_grad) = engine::mean_with_gradient(j, states, weighs_mean && !enumerate);
        let mean_exact = Some(mean);
        let linear = linear_expectation(
            j,
            model,
            peak_share.as_deref(),
            &visit,
            (options.mean_state_limit, work),
            mean_exact,
        );
        let exact_grad = exact_memory_weights(
            j,
            form.as_deref(),
            (peak_share.as_deref(), mean_grad.as_deref()),
            &visit,
            work,
        );
        Ctx {
            j,
            model,
            form,
            visit,
            peak,
            peak_share,
            linear,
            mean_exact,
            exact_grad,
            samples,
            seed: options.seed,
        }
    }

    /// One path (positions) with its probability and remembered score.
    fn path_result(&self, path: &[usize], prob: f64, exact: bool, b: &mut Buffers) -> PathResult {
        let j = self.j;
        let (score, _) = engine::score_path(j, self.model, path, &mut b.emotions, &mut b.durations);
        PathResult {
            touchpoints: path
                .iter()
                .map(|&p| j.touchpoint(j.file_index(Pos(p))).id.clone())
                .collect(),
            probability: prob,
            score,
            exact,
        }
    }

    /// Score one path; add its gradient, weighted, to `grad` when the
    /// memory weights are not exact. Returns (score, mean).
    fn score(&self, path: &[usize], weight: f64, grad: &mut [f64], b: &mut Buffers) -> (f64, f64) {
        let (score, mean) =
            engine::score_path(self.j, self.model, path, &mut b.emotions, &mut b.durations);
        if self.exact_grad.is_none() {
            path_gradient(
                self.j,
                self.model,
                self.form.as_deref(),
                &b.emotions,
                &b.durations,
                &mut b.gradient,
            );
            for (&p, g) in path.iter().zip(&b.gradient) {
                grad[p] += weight * g;
            }
        }
        (score, mean)
    }

    fn initial_grad(&self) -> Vec<f64> {
        self.exact_grad
            .clone()
            .unwrap_or_else(|| vec![0.0; self.j.len()])
    }
}

/// Memory weights exact from the shares when the model is a blend of
/// peak, best, worst, end and first; `None` otherwise (they are then
/// averaged over paths).
fn exact_memory_weights(
    j: &Journey,
    form: Option<&[(Feature, f64)]>,
    (peak_share, mean_grad): (Option<&[f64]>, Option<&[f64]>),
    visit: &[f64],
    work: usize,
) -> Option<Vec<f64>> {
    let f = form?;
    let mut g = vec![0.0; j.len()];
    for &(feat, w) in f {
        if w != 0.0 {
            let fg = match (feat, mean_grad) {
                (Feature::Mean, Some(m)) => m.to_vec(),
                (Feature::Mean, None) => return None,
                _ => engine::feature_gradient(j, feat, peak_share, visit, work)?,
            };
            for (a, b) in g.iter_mut().zip(fg) {
                *a += w * b;
            }
        }
    }
    Some(g)
}

/// Every figure exact, by enumerating the paths.
fn by_enumeration(c: &Ctx<'_>, buf: &mut Buffers) -> Figures {
    let j = c.j;
    let mut grad = c.initial_grad();
    let mut atoms = Atoms::default();
    let mut sum = 0.0;
    let mut mean_sum = 0.0;
    // (score, probability, path)
    let mut best_p: Option<(f64, f64, Vec<usize>)> = None;
    let mut worst_p: Option<(f64, f64, Vec<usize>)> = None;
    engine::enumerate(j, |path, prob| {
        let (score, mean) = c.score(path, prob, &mut grad, buf);
        sum += prob * score;
        mean_sum += prob * mean;
        atoms.add(score, prob);
        if best_p
            .as_ref()
            .is_none_or(|b| score > b.0 || (score == b.0 && prob > b.1))
        {
            best_p = Some((score, prob, path.to_vec()));
        }
        if worst_p
            .as_ref()
            .is_none_or(|b| score < b.0 || (score == b.0 && prob > b.1))
        {
            worst_p = Some((score, prob, path.to_vec()));
        }
    });
    let (_, bp, bpath) = best_p.expect("at least one path");
    let (_, wp, wpath) = worst_p.expect("at least one path");
    Figures {
        remembered: c.linear.unwrap_or(sum),
        remembered_se: None,
        mean: Figure {
            expected: c.mean_exact.unwrap_or(mean_sum),
            exact: true,
            standard_error: None,
        },
        distribution: atoms.summarize(&j.scale(), true, 0),
        best: c.path_result(&bpath, bp, true, buf),
        worst: c.path_result(&wpath, wp, true, buf),
        grad,
        grad_exact: true,
        peak_share: None,
        estimated: Vec::new(),
    }
}

/// Exact parts by dynamic programming; what has no exact form by seeded
/// sampling.
fn by_dynamic_programming(c: &Ctx<'_>, buf: &mut Buffers) -> Figures {
    let j = c.j;
    let peak_end_form = c.form.as_ref().is_some_and(|f| {
        f.iter()
            .all(|(feat, w)| *w == 0.0 || matches!(feat, Feature::Peak | Feature::End))
    });
    let need_samples = c.linear.is_none()
        || c.mean_exact.is_none()
        || !peak_end_form
        || c.exact_grad.is_none()
        || c.peak.is_none();
    // Without the peak's exact shares, they are counted on the sampled
    // paths too (the peak: the most intense, the later on ties).
    let peak_rank = c.peak_share.is_none().then(|| engine::peak_ranks(j));
    let mut peak_share = peak_rank.as_ref().map(|_| vec![0.0; j.len()]);
    let mut grad = c.initial_grad();
    let mut score_m = Welford::default();
    let mut mean_m = Welford::default();
    let mut atoms = Atoms::default();
    let mut best_s: Option<(f64, Vec<usize>)> = None;
    let mut worst_s: Option<(f64, Vec<usize>)> = None;
    if need_samples {
        let sampler = Sampler::new(j);
        let mut rng = Rng::new(c.seed);
        let mut path = Vec::new();
        let w = 1.0 / c.samples as f64;
        for _ in 0..c.samples {
            sampler.draw(&mut rng, &mut path);
            let (score, mean) = c.score(&path, w, &mut grad, buf);
            if let (Some(rank), Some(share)) = (&peak_rank, &mut peak_share) {
                share[engine::peak_of(&path, rank)] += w;
            }
            score_m.push(score);
            mean_m.push(mean);
            atoms.add(score, w);
            if best_s.as_ref().is_none_or(|b| score > b.0) {
                best_s = Some((score, path.clone()));
            }
            if worst_s.as_ref().is_none_or(|b| score < b.0) {
                worst_s = Some((score, path.clone()));
            }
        }
    }
    let mut estimated = Vec::new();
    if c.exact_grad.is_none() {
        estimated.push(EstimatedFigure::MemoryWeight);
    }
    let (remembered, remembered_se) = match c.linear {
        Some(x) => (x, None),
        None => {
            estimated.push(EstimatedFigure::Remembered);
            (score_m.mean, Some(score_m.standard_error()))
        }
    };
    let mean = match c.mean_exact {
        Some(x) => Figure {
            expected: x,
            exact: true,
            standard_error: None,
        },
        None => {
            estimated.push(EstimatedFigure::Mean);
            Figure {
                expected: mean_m.mean,
                exact: false,
                standard_error: Some(mean_m.standard_error()),
            }
        }
    };
    if peak_share.is_some() {
        estimated.push(EstimatedFigure::PeakShare);
    }
    let exact_peak = c.peak.as_ref().filter(|_| peak_end_form);
    let (distribution, best, worst) = if let Some(peak) = exact_peak {
        exact_peak_end(c, peak, buf)
    } else {
        estimated.push(EstimatedFigure::Distribution);
        estimated.push(EstimatedFigure::BestPath);
        estimated.push(EstimatedFigure::WorstPath);
        let mut sampled = |s: Option<(f64, Vec<usize>)>| {
            let (_, path) = s.expect("at least one sample");
            let prob = path_probability(j, &path);
            c.path_result(&path, prob, false, buf)
        };
        let best = sampled(best_s);
        let worst = sampled(worst_s);
        (atoms.summarize(&j.scale(), false, c.samples), best, worst)
    };
    Figures {
        remembered,
        remembered_se,
        mean,
        distribution,
        best,
        worst,
        grad,
        grad_exact: c.exact_grad.is_some(),
        peak_share,
        estimated,
    }
}

/// For a blend of peak and end: the exact joint distribution of (peak
/// level, end) from the forward peak distributions at the ends, and the
/// most likely path to the best and the worst of its atoms.
fn exact_peak_end(
    c: &Ctx<'_>,
    peak: &engine::PeakInfo,
    buf: &mut Buffers,
) -> (Distribution, PathResult, PathResult) {
    let j = c.j;
    let scale = j.scale();
    let e = j.emotions();
    let mut exact_atoms = Atoms::default();
    let mut best_key: Option<(f64, f64, u32, usize)> = None;
    let mut worst_key: Option<(f64, f64, u32, usize)> = None;
    for p in (0..j.len()).filter(|&p| j.succ_of(p).is_empty()) {
        for &(l, m) in peak.forward.at(p) {
            // The model's own score of the two moments that matter, so
            // exact and per-path figures agree to the last bit.
            let s = c.model.score(&PathView {
                emotions: &[peak.levels.value[l as usize], e[p]],
                durations: &[1.0, 1.0],
                scale,
            });
            exact_atoms.add(s, m);
            if best_key.is_none_or(|b| s > b.0 || (s == b.0 && m > b.1)) {
                best_key = Some((s, m, l, p));
            }
            if worst_key.is_none_or(|b| s < b.0 || (s == b.0 && m > b.1)) {
                worst_key = Some((s, m, l, p));
            }
        }
    }
    let mut pick = |key: Option<(f64, f64, u32, usize)>| {
        let (_, _, l, p) = key.expect("at least one path");
        let (path, prob) = engine::most_likely(j, Some((&peak.levels.rank, l)), Some(p))
            .expect("an atom with mass has a path");
        c.path_result(&path, prob, true, buf)
    };
    let best = pick(best_key);
    let worst = pick(worst_key);
    (exact_atoms.summarize(&scale, true, 0), best, worst)
}

/// Per touchpoint, in file order.
fn touchpoint_results(c: &Ctx<'_>, f: &Figures) -> Vec<TouchpointResult> {
    let grad = &f.grad;
    let j = c.j;
    (0..j.len())
        .map(|i| {
            let p = j.position(i).0;
            let t = j.touchpoint(i);
            TouchpointResult {
                id: t.id.clone(),
                name: t.name.clone(),
                stage: t.stage.clone(),
                stage_name: t.stage.as_ref().and_then(|id| {
                    j.spec()
                        .stages
                        .iter()
                        .find(|s| &s.id == id)
                        .map(|s| s.name.clone())
                }),
                emotion: t.emotion,
                visit: c.visit[p],
                peak_share: match (&c.peak_share, &f.peak_share) {
                    (Some(exact), _) => exact[p],
                    (None, Some(sampled)) => sampled[p],
                    (None, None) => unreachable!("shares are sampled when not exact"),
                },
                memory_weight: grad[p] + 0.0,
                end_share: if j.succ_of(p).is_empty() {
                    c.visit[p]
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// The gradient of one path's score with respect to each of its
/// touchpoints' emotions: from the model's linear form, or by finite
/// differences for a model without one.
fn path_gradient(
    j: &Journey,
    model: &dyn MemoryModel,
    form: Option<&[(Feature, f64)]>,
    em: &[f64],
    du: &[f64],
    out: &mut Vec<f64>,
) {
    out.clear();
    out.resize(em.len(), 0.0);
    let view = PathView {
        emotions: em,
        durations: du,
        scale: j.scale(),
    };
    match form {
        Some(form) => {
            for &(f, w) in form {
                view.add_gradient(f, w, out);
            }
        }
        None => {
            let base = model.score(&view);
            let mut bumped = em.to_vec();
            const H: f64 = 1e-6;
            for i in 0..em.len() {
                bumped[i] += H;
                let v = PathView {
                    emotions: &bumped,
                    ..view
                };
                out[i] = (model.score(&v) - base) / H;
                bumped[i] = em[i];
            }
        }
    }
}

fn path_probability(j: &Journey, path: &[usize]) -> f64 {
    let mut p = j.entry_at(path[0]);
    for w in path.windows(2) {
        p *= j
            .succ_of(w[0])
            .iter()
            .find(|s| s.0 as usize == w[1])
            .map_or(0.0, |s| s.1);
    }
    p
}
