//! Memory models: how one path's moments become one remembered score.
//!
//! Built-ins ([`Model`]): `peak-end` (default), `peak-pit-end`, `mean` and
//! `weighted`. Other tools can plug in their own by implementing
//! [`MemoryModel`]; only [`MemoryModel::score`] is required. A model that
//! also states its [`linear form`](MemoryModel::linear_form) over
//! [`Feature`]s gets its expectation computed exactly over all paths
//! without enumerating them.

mod fitted;

pub use fitted::{
    Calibration, FittedModel, MODEL_FILE_VERSION, ModelFileError, OutcomeEffect, OutcomeLink,
    Provenance,
};

use crate::error::OptionsError;
use crate::journey::Scale;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The features of a path that memory models blend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Feature {
    /// The most intense moment (largest distance from neutral), sign kept.
    /// Ties: a negative moment beats an equally intense positive one (bad
    /// is stronger than good); between equal emotions, the later one.
    Peak,
    /// The most positive moment.
    Best,
    /// The most negative moment.
    Worst,
    /// The last moment.
    End,
    /// The first moment.
    First,
    /// Duration-weighted average emotion: what a satisfaction dashboard shows.
    Mean,
    /// Least-squares slope of emotion per touchpoint over the second half of
    /// the path (the last ⌈n/2⌉ touchpoints, at least 2; 0 for a single
    /// touchpoint). Not on the emotion scale.
    Trend,
}

impl Feature {
    /// All features, in a fixed order.
    pub const ALL: [Feature; 7] = [
        Feature::Peak,
        Feature::Best,
        Feature::Worst,
        Feature::End,
        Feature::First,
        Feature::Mean,
        Feature::Trend,
    ];

    /// The lowercase name used in `--weights`.
    ///
    /// ```
    /// assert_eq!(peakend::Feature::Peak.name(), "peak");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Feature::Peak => "peak",
            Feature::Best => "best",
            Feature::Worst => "worst",
            Feature::End => "end",
            Feature::First => "first",
            Feature::Mean => "mean",
            Feature::Trend => "trend",
        }
    }

    /// Parse a feature name.
    ///
    /// ```
    /// assert_eq!(peakend::Feature::parse("end"), Some(peakend::Feature::End));
    /// ```
    #[must_use]
    pub fn parse(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// One path as a model sees it: emotions and durations in path order.
#[derive(Debug, Clone, Copy)]
pub struct PathView<'a> {
    /// Emotions along the path (at least one).
    pub emotions: &'a [f64],
    /// Durations along the path (minutes, positive), same length.
    pub durations: &'a [f64],
    /// The journey's scale.
    pub scale: Scale,
}

impl PathView<'_> {
    /// Compute one feature of this path.
    ///
    /// ```
    /// use peakend::{Feature, PathView, Scale};
    /// let p = PathView { emotions: &[2.0, -6.0, 6.0, 1.0], durations: &[1.0; 4], scale: Scale::default() };
    /// assert_eq!(p.feature(Feature::Peak), -6.0); // negative wins a tie in intensity
    /// assert_eq!(p.feature(Feature::End), 1.0);
    /// assert_eq!(p.feature(Feature::Mean), 0.75);
    /// ```
    pub fn feature(&self, f: Feature) -> f64 {
        let e = self.emotions;
        match f {
            Feature::Peak => e[peak_index(e, &self.scale)],
            Feature::Best => e.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Feature::Worst => e.iter().copied().fold(f64::INFINITY, f64::min),
            Feature::End => e[e.len() - 1],
            Feature::First => e[0],
            Feature::Mean => {
                let mut num = 0.0;
                let mut den = 0.0;
                for (x, d) in e.iter().zip(self.durations) {
                    num += x * d;
                    den += d;
                }
                num / den
            }
            Feature::Trend => trend(e),
        }
    }
}

impl PathView<'_> {
    /// Add `weight ×` the gradient of a feature with respect to each
    /// touchpoint's emotion (in path order) to `out`. Away from ties the
    /// extreme features move one for one with their touchpoint.
    ///
    /// ```
    /// use peakend::{Feature, PathView, Scale};
    /// let p = PathView { emotions: &[2.0, -6.0, 1.0], durations: &[1.0, 2.0, 1.0], scale: Scale::default() };
    /// let mut g = vec![0.0; 3];
    /// p.add_gradient(Feature::Mean, 1.0, &mut g);
    /// assert_eq!(g, [0.25, 0.5, 0.25]);
    /// ```
    pub fn add_gradient(&self, f: Feature, weight: f64, out: &mut [f64]) {
        let e = self.emotions;
        let n = e.len();
        let argext = |better: &dyn Fn(f64, f64) -> bool| {
            let mut k = 0;
            for i in 1..n {
                if !better(e[k], e[i]) {
                    k = i;
                }
            }
            k
        };
        match f {
            Feature::Peak => out[peak_index(e, &self.scale)] += weight,
            Feature::Best => out[argext(&|a, b| a > b)] += weight,
            Feature::Worst => out[argext(&|a, b| a < b)] += weight,
            Feature::End => out[n - 1] += weight,
            Feature::First => out[0] += weight,
            Feature::Mean => {
                let total: f64 = self.durations.iter().sum();
                for (o, d) in out.iter_mut().zip(self.durations) {
                    *o += weight * d / total;
                }
            }
            Feature::Trend => {
                if n < 2 {
                    return;
                }
                let k = n.div_ceil(2).max(2);
                let mx = (k - 1) as f64 / 2.0;
                let den: f64 = (0..k).map(|i| (i as f64 - mx).powi(2)).sum();
                for i in 0..k {
                    out[n - k + i] += weight * (i as f64 - mx) / den;
                }
            }
        }
    }
}

/// Index of the peak of a path under the scale's tie rule.
pub(crate) fn peak_index(e: &[f64], scale: &Scale) -> usize {
    let mut best = 0;
    for i in 1..e.len() {
        if peak_rank_cmp(e[i], e[best], scale) != std::cmp::Ordering::Less {
            best = i;
        }
    }
    best
}

/// Order emotions by how strongly they compete for the peak: intensity,
/// then, between a negative and a positive moment of equal intensity, the
/// scale's tie rule (negative first by default).
pub(crate) fn peak_rank_cmp(a: f64, b: f64, scale: &Scale) -> std::cmp::Ordering {
    use std::cmp::Ordering::Equal;
    let ia = (a - scale.neutral).abs();
    let ib = (b - scale.neutral).abs();
    ia.partial_cmp(&ib)
        .unwrap_or(Equal)
        .then_with(|| match scale.ties {
            // Equal intensity: the lower (negative) emotion ranks higher.
            crate::spec::Ties::Negative => b.partial_cmp(&a).unwrap_or(Equal),
            crate::spec::Ties::Positive => a.partial_cmp(&b).unwrap_or(Equal),
        })
}

fn trend(e: &[f64]) -> f64 {
    let n = e.len();
    if n < 2 {
        return 0.0;
    }
    let k = n.div_ceil(2).max(2);
    let ys = &e[n - k..];
    let mx = (k - 1) as f64 / 2.0;
    let my = ys.iter().sum::<f64>() / k as f64;
    let mut num = 0.0;
    let mut den = 0.0;
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mx;
        num += dx * (y - my);
        den += dx * dx;
    }
    num / den
}

/// A memory model: turns one path into one remembered score.
///
/// Implement [`score`](MemoryModel::score); if the score is a linear blend
/// of [`Feature`]s, also return it from
/// [`linear_form`](MemoryModel::linear_form) so the engine can compute the
/// expectation exactly without enumerating paths.
///
/// ```
/// use peakend::{MemoryModel, PathView};
/// /// Remember only the ending.
/// struct EndOnly;
/// impl MemoryModel for EndOnly {
///     fn name(&self) -> String { "end-only".into() }
///     fn score(&self, path: &PathView<'_>) -> f64 { *path.emotions.last().unwrap() }
/// }
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = peakend::analyze(&j, &EndOnly, &peakend::Options::new());
/// assert_eq!(a.remembered.expected, 2.0);
/// ```
pub trait MemoryModel {
    /// Name shown in reports.
    fn name(&self) -> String;
    /// The remembered score of one path, on the journey's scale.
    fn score(&self, path: &PathView<'_>) -> f64;
    /// The score as `Σ weight × feature`, if it is one. Default: `None`.
    fn linear_form(&self) -> Option<Vec<(Feature, f64)>> {
        None
    }
    /// One line saying how the score is formed, for reports.
    fn explain(&self) -> String {
        format!("model {}", self.name())
    }
    /// The `peakend` command-line words that select this model
    /// (`["--model", "mean"]`; empty for the default `peak-end`), so that
    /// the commands printed with advice reproduce it; `None` when the
    /// command line cannot name it. Default: `None`.
    fn flags(&self) -> Option<Vec<String>> {
        None
    }
    /// How an outcome goes with this model's memory, when the model knows
    /// (a [`FittedModel`] fitted with outcomes). Default: `None`.
    fn outcome_link(&self) -> Option<&OutcomeLink> {
        None
    }
}

/// The built-in memory models.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Model {
    /// (peak + end) / 2 — the peak-end rule (Kahneman et al. 1993).
    PeakEnd,
    /// (best + worst + end) / 3 — an engineering extension for mixed
    /// valence, not an established law.
    PeakPitEnd,
    /// Duration-weighted average — the dashboard baseline.
    Mean,
    /// A linear blend of features; weights of the level features (all but
    /// `trend`) sum to 1.
    Weighted(Weights),
    /// A blend fitted to customers' ratings (`peakend fit`), with where it
    /// came from; read with [`FittedModel::from_json_str`].
    Fitted(Box<FittedModel>),
}

/// Weights of a `weighted` model. Parse them from `peak=0.4,end=0.4,mean=0.2`
/// (`FromStr`), or build them from a map with [`Weights::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Weights(BTreeMap<Feature, f64>);

impl Weights {
    fn parse_list(s: &str) -> Result<Weights, OptionsError> {
        let mut map = BTreeMap::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| {
                OptionsError::BadWeights(format!("`{part}` is not FEATURE=WEIGHT"))
            })?;
            let k = k.trim();
            let f = Feature::parse(k).ok_or_else(|| {
                let names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
                let hint = crate::error::did_you_mean(k, names.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!(" (known: {})", names.join(", ")));
                OptionsError::BadWeights(format!("unknown feature `{k}`{hint}"))
            })?;
            let w: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|w: &f64| w.is_finite())
                .ok_or_else(|| {
                    OptionsError::BadWeights(format!(
                        "`{}` is not a number (in `{part}`)",
                        v.trim()
                    ))
                })?;
            if map.insert(f, w).is_some() {
                return Err(OptionsError::BadWeights(format!("`{k}` is given twice")));
            }
        }
        Weights::new(map)
    }

    /// Weights from a map.
    ///
    /// # Errors
    /// If empty or the level weights (all but `trend`) do not sum to 1
    /// (±1e-9), so that the score stays on the journey's scale.
    pub fn new(map: BTreeMap<Feature, f64>) -> Result<Weights, OptionsError> {
        if map.is_empty() {
            return Err(OptionsError::BadWeights("no weights given".into()));
        }
        if let Some((f, w)) = map.iter().find(|(_, w)| !w.is_finite()) {
            return Err(OptionsError::BadWeights(format!(
                "`{}` has weight {w}",
                f.name()
            )));
        }
        let level: f64 = map
            .iter()
            .filter(|(f, _)| **f != Feature::Trend)
            .map(|(_, w)| w)
            .sum();
        if (level - 1.0).abs() > 1e-9 {
            return Err(OptionsError::BadWeights(format!(
                "weights of peak, best, worst, end, first and mean must sum to 1 so the score stays on the journey's scale; they sum to {level}"
            )));
        }
        Ok(Weights(map))
    }

    /// The weight of a feature (0 when absent).
    #[must_use]
    pub fn get(&self, f: Feature) -> f64 {
        self.0.get(&f).copied().unwrap_or(0.0)
    }

    /// Non-zero weights in feature order.
    pub fn iter(&self) -> impl Iterator<Item = (Feature, f64)> + '_ {
        self.0
            .iter()
            .map(|(f, w)| (*f, *w))
            .filter(|(_, w)| *w != 0.0)
    }
}

impl std::str::FromStr for Weights {
    type Err = OptionsError;
    /// Parse `peak=0.4,end=0.4,mean=0.2`.
    ///
    /// # Errors
    /// [`OptionsError::BadWeights`]: unknown feature, bad number, a feature
    /// given twice, or level weights (all but `trend`) that do not sum to 1.
    ///
    /// ```
    /// let w: peakend::Weights = "peak=0.4,end=0.4,mean=0.2".parse().unwrap();
    /// assert_eq!(w.get(peakend::Feature::Mean), 0.2);
    /// assert!("peak=0.5".parse::<peakend::Weights>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Weights, OptionsError> {
        Weights::parse_list(s)
    }
}

impl fmt::Display for Weights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .iter()
            .map(|(k, w)| format!("{}={w}", k.name()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl Model {
    /// The names of the built-in models, as [`Model`]'s `FromStr` takes
    /// them (`weighted` needs its weights: build [`Model::Weighted`]).
    pub const NAMES: [&str; 4] = ["peak-end", "peak-pit-end", "mean", "weighted"];

    fn terms(&self) -> Vec<(Feature, f64)> {
        match self {
            Model::PeakEnd => vec![(Feature::Peak, 0.5), (Feature::End, 0.5)],
            Model::PeakPitEnd => vec![
                (Feature::Best, 1.0 / 3.0),
                (Feature::Worst, 1.0 / 3.0),
                (Feature::End, 1.0 / 3.0),
            ],
            Model::Mean => vec![(Feature::Mean, 1.0)],
            Model::Weighted(w) => w.iter().collect(),
            Model::Fitted(m) => m.weights().iter().collect(),
        }
    }
}

impl std::str::FromStr for Model {
    type Err = OptionsError;
    /// A built-in model by name: `peak-end`, `peak-pit-end` or `mean`.
    ///
    /// # Errors
    /// [`OptionsError::UnknownModel`] for another name, and
    /// [`OptionsError::MissingWeights`] for `weighted` (its weights are
    /// part of the model: build [`Model::Weighted`]).
    ///
    /// ```
    /// use peakend::Model;
    /// assert_eq!("peak-end".parse::<Model>(), Ok(Model::PeakEnd));
    /// assert!("peak-start".parse::<Model>().is_err());
    /// let w: peakend::Weights = "peak=0.4,end=0.4,mean=0.2".parse().unwrap();
    /// assert_eq!(Model::Weighted(w).to_string(), "weighted");
    /// ```
    fn from_str(name: &str) -> Result<Model, OptionsError> {
        match name {
            "peak-end" => Ok(Model::PeakEnd),
            "peak-pit-end" => Ok(Model::PeakPitEnd),
            "mean" => Ok(Model::Mean),
            "weighted" => Err(OptionsError::MissingWeights),
            other => Err(OptionsError::UnknownModel(other.to_string())),
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl MemoryModel for Model {
    fn name(&self) -> String {
        match self {
            Model::PeakEnd => "peak-end".into(),
            Model::PeakPitEnd => "peak-pit-end".into(),
            Model::Mean => "mean".into(),
            Model::Weighted(_) => "weighted".into(),
            Model::Fitted(m) => m.name(),
        }
    }

    fn score(&self, path: &PathView<'_>) -> f64 {
        match self {
            // Written out so that (P + E) / 2 is exactly what the docs say.
            Model::PeakEnd => (path.feature(Feature::Peak) + path.feature(Feature::End)) / 2.0,
            Model::PeakPitEnd => {
                (path.feature(Feature::Best)
                    + path.feature(Feature::Worst)
                    + path.feature(Feature::End))
                    / 3.0
            }
            _ => self.terms().iter().map(|&(f, w)| w * path.feature(f)).sum(),
        }
    }

    fn linear_form(&self) -> Option<Vec<(Feature, f64)>> {
        Some(self.terms())
    }

    fn explain(&self) -> String {
        match self {
            Model::PeakEnd => "remembered = (most intense moment + last moment) / 2".into(),
            Model::PeakPitEnd => {
                "remembered = (best moment + worst moment + last moment) / 3".into()
            }
            Model::Mean => "remembered = duration-weighted average (the dashboard view)".into(),
            Model::Weighted(w) => format!("remembered = weighted blend {w}"),
            Model::Fitted(m) => m.explain(),
        }
    }

    fn flags(&self) -> Option<Vec<String>> {
        let words = |w: &[&str]| Some(w.iter().map(|s| (*s).to_string()).collect());
        match self {
            Model::PeakEnd => Some(Vec::new()),
            Model::PeakPitEnd => words(&["--model", "peak-pit-end"]),
            Model::Mean => words(&["--model", "mean"]),
            Model::Weighted(w) => words(&["--model", "weighted", "--weights", &w.to_string()]),
            Model::Fitted(m) => m.flags(),
        }
    }

    fn outcome_link(&self) -> Option<&OutcomeLink> {
        match self {
            Model::Fitted(m) => m.outcome_link(),
            _ => None,
        }
    }
}
