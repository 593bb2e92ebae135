//! A memory model fitted to customers' own ratings (`peakend fit -o`),
//! read back from its file: the weights every command then uses, where
//! they came from, and the link from memory to an outcome.

use super::{Feature, MemoryModel, PathView, Weights};
use crate::numfmt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the model file this build writes and reads.
pub const MODEL_FILE_VERSION: u32 = 1;

/// A memory model fitted by `peakend fit` (or built by an embedding
/// tool): a blend of [`Feature`]s with its provenance, how it maps to the
/// overall rating, and optionally how memory goes with an outcome.
///
/// It scores like [`Model::Weighted`](super::Model::Weighted) with its
/// weights; what it adds is said in every report ([`MemoryModel::explain`]
/// names the data it was fitted on) and the outcome link `recommend` uses.
///
/// ```
/// use peakend::FittedModel;
/// let m = FittedModel::from_json_str(r#"{"peakend_model": 1, "model": "fitted",
///   "weights": {"peak": 0.3, "end": 0.5, "mean": 0.2},
///   "fitted_on": {"log": "log.csv", "cases": 120, "accounts": 30}}"#)?;
/// assert_eq!(m.weights().get(peakend::Feature::End), 0.5);
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = peakend::Analyzer::new(m).analyze(&j);
/// assert!((a.remembered.expected - (0.3 * -8.0 + 0.5 * 2.0 + 0.2 * -3.0)).abs() < 1e-12);
/// assert!(a.remembered.explain.contains("log.csv"));
/// # Ok::<(), peakend::ModelFileError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FittedModel {
    /// Which of the compared models this is (`fitted`, `peak-end`, `mean`
    /// …): the one the fit chose, or the one asked for.
    pub chosen: String,
    weights: Weights,
    /// The overall rating as a straight line in the remembered
    /// experience, where the fit had overall ratings.
    pub calibration: Option<Calibration>,
    /// How the remembered experience goes with an outcome, where the fit
    /// had outcomes.
    pub outcome: Option<OutcomeLink>,
    /// What data the model was fitted on.
    pub provenance: Provenance,
    /// The file it was read from, as the command line names it (for the
    /// commands printed with advice: `--model FILE`).
    pub file: Option<String>,
}

/// The overall rating predicted from the remembered experience:
/// `intercept + slope × remembered`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Calibration {
    /// The overall rating at a remembered experience of 0.
    pub intercept: f64,
    /// Overall rating per point of remembered experience.
    pub slope: f64,
}

/// How an outcome goes with the remembered experience: a logistic
/// regression, `P(outcome) = 1 / (1 + exp(−(intercept + slope ×
/// remembered)))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OutcomeLink {
    /// The outcome predicted (`renewed`, `won` …).
    pub outcome: String,
    /// The logistic intercept.
    pub intercept: f64,
    /// The logistic slope per point of remembered experience.
    pub slope: f64,
    /// The slope's 95 % interval.
    pub slope_interval: [f64; 2],
    /// The share of the fit's cases with the outcome.
    pub rate: f64,
    /// What one case with the outcome is worth (the mean of the case
    /// table's `value` over them), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Cases the link was fitted on.
    pub cases: u64,
}

/// An outcome's expected change when the remembered experience changes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OutcomeEffect {
    /// The outcome's probability before.
    pub before: f64,
    /// Its change (a probability difference: 0.02 is 2 percentage
    /// points).
    pub change: f64,
    /// The change's 95 % interval, from the slope's, at the same
    /// probability before.
    pub interval: [f64; 2],
    /// The change times what the outcome is worth, where known.
    pub value: Option<f64>,
}

impl OutcomeLink {
    /// The outcome's probability at a remembered experience.
    ///
    /// ```
    /// # let link: peakend::OutcomeLink = serde_json::from_str(r#"{"outcome":"renewed",
    /// #   "intercept":0.0,"slope":0.5,"slope_interval":[0.3,0.7],"rate":0.5,"cases":100}"#).unwrap();
    /// assert_eq!(link.probability(0.0), 0.5);
    /// ```
    #[must_use]
    pub fn probability(&self, remembered: f64) -> f64 {
        logistic(self.intercept + self.slope * remembered)
    }

    /// The outcome's expected change when the remembered experience goes
    /// from `before` to `after`, with the interval from the slope's (the
    /// probability at `before` held).
    ///
    /// ```
    /// # let link: peakend::OutcomeLink = serde_json::from_str(r#"{"outcome":"renewed",
    /// #   "intercept":0.0,"slope":0.5,"slope_interval":[0.3,0.7],"rate":0.5,"value":1000,"cases":100}"#).unwrap();
    /// let e = link.effect(0.0, 1.0);
    /// assert!((e.change - 0.1224).abs() < 1e-4);
    /// assert!(e.interval[0] < e.change && e.change < e.interval[1]);
    /// assert!((e.value.unwrap() - 122.4).abs() < 0.1);
    /// ```
    #[must_use]
    pub fn effect(&self, before: f64, after: f64) -> OutcomeEffect {
        let p0 = self.probability(before);
        let at = |slope: f64| {
            let a = self.intercept + self.slope * before - slope * before;
            logistic(a + slope * after) - p0
        };
        let (x, y) = (at(self.slope_interval[0]), at(self.slope_interval[1]));
        let change = at(self.slope);
        OutcomeEffect {
            before: p0,
            change,
            interval: [x.min(y).min(change), x.max(y).max(change)],
            value: self.value.map(|v| change * v),
        }
    }
}

fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Where a fitted model came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Provenance {
    /// The event log's file name.
    pub log: String,
    /// The case table's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_table: Option<String>,
    /// Cases the model was fitted on.
    pub cases: u64,
    /// Accounts among them (the cross-validation's groups).
    #[serde(default)]
    pub accounts: u64,
    /// The chosen model's out-of-sample R² of the overall rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r2: Option<f64>,
    /// The chosen model's out-of-sample root mean squared error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rmse: Option<f64>,
    /// The cross-validation: folds, repeats, seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folds: Option<u32>,
    /// Repeats of the cross-validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<u32>,
    /// The seed of the folds and the bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The scale the moment ratings were read on, `[min, max]`, rescaled
    /// to the journey scale −10..10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_scale: Option<[f64; 2]>,
}

/// The model file as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    peakend_model: u32,
    model: String,
    weights: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<Calibration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<OutcomeLink>,
    fitted_on: Provenance,
}

/// A model file that does not read: the place (JSON path, line and
/// column) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", place.as_ref().map(|p| format!("{p}: ")).unwrap_or_default())]
#[non_exhaustive]
pub struct ModelFileError {
    /// Where: `line L, column C` and the JSON path, when known.
    pub place: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ModelFileError {
    fn new(place: Option<String>, message: impl Into<String>) -> Self {
        ModelFileError {
            place,
            message: message.into(),
        }
    }
}

impl FittedModel {
    /// A fitted model from its parts.
    ///
    /// ```
    /// let w: peakend::Weights = "peak=0.5,end=0.5".parse().unwrap();
    /// let m = peakend::FittedModel::new("peak-end", w, peakend::Provenance::default());
    /// assert_eq!(m.chosen, "peak-end");
    /// ```
    #[must_use]
    pub fn new(chosen: impl Into<String>, weights: Weights, provenance: Provenance) -> Self {
        FittedModel {
            chosen: chosen.into(),
            weights,
            calibration: None,
            outcome: None,
            provenance,
            file: None,
        }
    }

    /// With the file it was read from.
    #[must_use]
    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// With the calibration to the overall rating.
    #[must_use]
    pub fn calibration(mut self, c: Option<Calibration>) -> Self {
        self.calibration = c;
        self
    }

    /// With the outcome link.
    #[must_use]
    pub fn outcome(mut self, o: Option<OutcomeLink>) -> Self {
        self.outcome = o;
        self
    }

    /// The weights the model scores with.
    #[must_use]
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Read a model file (`peakend fit -o model.json`).
    ///
    /// # Errors
    /// [`ModelFileError`] with the place: JSON that does not read, an
    /// unknown field, a version this build does not read, an unknown
    /// feature (with a suggestion), weights that do not form a blend, a
    /// number that is not finite, an outcome link without a positive
    /// slope interval in order.
    pub fn from_json_str(text: &str) -> Result<FittedModel, ModelFileError> {
        // A byte-order mark (Windows editors write one) is no part of the
        // JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some((i, c)) = text.char_indices().find(|(_, c)| !c.is_whitespace())
            && c != '{'
        {
            let line = text[..i].matches('\n').count() + 1;
            let column = text[..i].rfind('\n').map_or(i, |n| i - n - 1) + 1;
            let what = match c {
                '[' => "an array",
                '"' => "a string",
                _ => "not an object",
            };
            return Err(ModelFileError::new(
                Some(format!("line {line}, column {column}")),
                format!(
                    "a model file is a JSON object (as `peakend fit -o` writes it); this is {what}"
                ),
            ));
        }
        Self::read(text).map_err(|mut e| {
            if let Some(path) = e.place.take() {
                let located = if path.starts_with("line ") {
                    path
                } else {
                    match crate::spec::scan::locate_all(text, &[path.as_str()])[0] {
                        Some((l, c)) => format!("line {l}, column {c}: {path}"),
                        None => path,
                    }
                };
                e.place = Some(located);
            }
            e
        })
    }

    fn read(text: &str) -> Result<FittedModel, ModelFileError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let place = format!("line {}, column {}", inner.line(), inner.column());
            let place = if path == "." {
                place
            } else {
                format!("{place}: {path}")
            };
            ModelFileError::new(Some(place), strip_position(&inner.to_string()))
        })?;
        if file.peakend_model != MODEL_FILE_VERSION {
            return Err(ModelFileError::new(
                Some("peakend_model".into()),
                format!(
                    "version {} is not one this build reads (it reads {MODEL_FILE_VERSION})",
                    file.peakend_model
                ),
            ));
        }
        let mut map = BTreeMap::new();
        for (k, w) in &file.weights {
            let f = Feature::parse(k).ok_or_else(|| {
                let names = Feature::ALL.map(Feature::name);
                let hint = crate::error::did_you_mean(k, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!(" (known: {})", names.join(", ")));
                ModelFileError::new(
                    Some(format!("weights.{k}")),
                    format!("unknown feature `{k}`{hint}"),
                )
            })?;
            if w.abs() > MAX_WEIGHT {
                return Err(ModelFileError::new(
                    Some(format!("weights.{k}")),
                    format!(
                        "{} is past ±{}: a memory weight is a share of the memory (the level \
                         weights sum to 1; trend is per step)",
                        crate::numfmt::shown(*w),
                        crate::numfmt::shown(MAX_WEIGHT)
                    ),
                ));
            }
            map.insert(f, *w);
        }
        let weights = Weights::new(map).map_err(|e| {
            ModelFileError::new(
                Some("weights".into()),
                e.to_string()
                    .trim_start_matches("bad weights: ")
                    .to_string(),
            )
        })?;
        check_figures(&file)?;
        Ok(FittedModel {
            chosen: file.model,
            weights,
            calibration: file.calibration,
            outcome: file.outcome,
            provenance: file.fitted_on,
            file: None,
        })
    }

    /// The model file's text (pretty JSON, keys in a fixed order), as
    /// [`from_json_str`](FittedModel::from_json_str) reads it back.
    ///
    /// ```
    /// let w: peakend::Weights = "peak=0.25,end=0.75".parse().unwrap();
    /// let m = peakend::FittedModel::new("fitted", w, peakend::Provenance::default());
    /// assert_eq!(peakend::FittedModel::from_json_str(&m.to_json()).unwrap(), m);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let file = File {
            peakend_model: MODEL_FILE_VERSION,
            model: self.chosen.clone(),
            weights: Feature::ALL
                .iter()
                .filter(|f| self.weights.0.contains_key(f))
                .map(|f| (f.name().to_string(), self.weights.get(*f)))
                .collect(),
            calibration: self.calibration,
            outcome: self.outcome.clone(),
            fitted_on: self.provenance.clone(),
        };
        let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Where the model came from, in words: the log (and case table), the
    /// cases and accounts, the out-of-sample R².
    #[must_use]
    pub fn source(&self) -> String {
        let p = &self.provenance;
        let files = match &p.case_table {
            Some(t) => format!("{} + {t}", p.log),
            None => p.log.clone(),
        };
        let mut s = format!(
            "peakend fit on {files}: {} cases, {} accounts",
            numfmt::thousands(p.cases),
            numfmt::thousands(p.accounts)
        );
        if let Some(r2) = p.r2 {
            s.push_str(&format!("; out-of-sample R² {}", numfmt::fixed(r2, 2)));
        }
        s
    }
}

/// serde_json's message without its " at line L column C" (the place says
/// it).
fn strip_position(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

impl MemoryModel for FittedModel {
    fn name(&self) -> String {
        "fitted".into()
    }

    fn score(&self, path: &PathView<'_>) -> f64 {
        self.weights.iter().map(|(f, w)| w * path.feature(f)).sum()
    }

    fn linear_form(&self) -> Option<Vec<(Feature, f64)>> {
        Some(self.weights.iter().collect())
    }

    fn flags(&self) -> Option<Vec<String>> {
        self.file
            .as_ref()
            .map(|f| vec!["--model".to_string(), f.clone()])
    }

    fn outcome_link(&self) -> Option<&OutcomeLink> {
        self.outcome.as_ref()
    }

    fn explain(&self) -> String {
        let blend: Vec<String> = self
            .weights
            .iter()
            .map(|(f, w)| format!("{}={}", f.name(), numfmt::significant(w, 3)))
            .collect();
        format!(
            "remembered = fitted model `{}`: {} (from {})",
            self.chosen,
            blend.join(","),
            self.source()
        )
    }
}

/// The largest memory weight a model file may hold (the level
/// weights are shares summing to 1; far past that, scores overflow).
const MAX_WEIGHT: f64 = 1000.0;
/// The largest calibration or outcome figure (ratings are within
/// ±1e6, `observe::MAX_RATING`).
const MAX_FIGURE: f64 = 1e9;

/// The calibration's and the outcome link's figures: finite, within
/// ±[`MAX_FIGURE`], the interval holding the slope, the rate a share.
fn check_figures(file: &File) -> Result<(), ModelFileError> {
    let finite = |place: &str, x: f64| {
        if !x.is_finite() {
            return Err(ModelFileError::new(
                Some(place.into()),
                "not a finite number",
            ));
        }
        if x.abs() > MAX_FIGURE {
            return Err(ModelFileError::new(
                Some(place.into()),
                format!(
                    "{} is past ±{}: no rating scale reaches that far",
                    crate::numfmt::shown(x),
                    crate::numfmt::shown(MAX_FIGURE)
                ),
            ));
        }
        Ok(())
    };
    if let Some(c) = &file.calibration {
        finite("calibration.intercept", c.intercept)?;
        finite("calibration.slope", c.slope)?;
    }
    if let Some(o) = &file.outcome {
        finite("outcome.intercept", o.intercept)?;
        finite("outcome.slope", o.slope)?;
        let [lo, hi] = o.slope_interval;
        if !(lo.is_finite() && hi.is_finite() && lo <= o.slope && o.slope <= hi) {
            return Err(ModelFileError::new(
                Some("outcome.slope_interval".into()),
                "the interval must hold the slope: [low, high] with low ≤ slope ≤ high",
            ));
        }
        if !(0.0..=1.0).contains(&o.rate) {
            return Err(ModelFileError::new(
                Some("outcome.rate".into()),
                "a share between 0 and 1",
            ));
        }
        if let Some(v) = o.value {
            finite("outcome.value", v)?;
        }
    }
    Ok(())
}
