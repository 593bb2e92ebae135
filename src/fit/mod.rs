//! Calibration: the memory model fitted to what customers said, and
//! memory linked to outcomes.
//!
//! A company with moment ratings (transactional surveys after touchpoints)
//! and a retrospective rating per case (a renewal survey, relationship NPS)
//! can learn its own customers' memory. Per case, the features of its rated
//! moments — peak, best, worst, end, first, mean (duration-weighted by the
//! timestamps when the log has them), trend over the second half, and the
//! case's length — are set against its `overall` rating:
//!
//! - **models compared out of sample**: `mean`, `peak-end`,
//!   `peak-pit-end`, `end` and `peak` (each mapped to the rating scale by a
//!   straight line fitted on the training folds) and `fitted`, a ridge blend
//!   of every feature (its penalty chosen inside the training folds), by
//!   k-fold cross-validation with folds grouped by account (else by case),
//!   repeated with a seed; RMSE, MAE and R² (against predicting the
//!   training folds' mean) with their spread across folds;
//! - **the choice**: the fixed model with the lowest RMSE, unless the
//!   fitted blend beats it by more than one standard error (the
//!   one-standard-error rule, Hastie, Tibshirani & Friedman 2009, §7.10: a
//!   blend of seven weights must earn them);
//! - **the blend's weights** with 95 % intervals from a bootstrap over
//!   accounts, and how collinear the features are (peak-end and the mean
//!   often correlate strongly across people, Cojuharenco & Ryvkin 2008);
//! - **duration neglect**: whether the case's length adds anything;
//! - **outcomes**: with a binary outcome (renewed / churned), a logistic
//!   regression of it on the remembered experience, its out-of-sample AUC
//!   and log-loss against the outcome rate, and what each point of memory
//!   is worth in percentage points (95 % interval, cluster-robust).
//!
//! The result's [`Fit::model`] is a [`FittedModel`] every command can use.
//!
//! Complexity: one pass over the cases per repeat for every model, fold and
//! penalty (the fits need only sums of products); the bootstrap works on
//! at most 2,000 blocks of accounts; the outcome fit is O(cases) per Newton
//! step. A million cases fit in seconds.
//!
//! ```
//! use peakend::fit::{Cases, FitOptions};
//! // Customers whose overall rating is the mean of their moments, plus noise.
//! let mut cases = Cases::new();
//! for i in 0..200 {
//!     let e = [((i * 7) % 13) as f64 - 6.0, ((i * 5) % 11) as f64 - 5.0, ((i * 3) % 9) as f64 - 4.0];
//!     let noise = ((i * 37) % 10) as f64 / 20.0 - 0.25;
//!     cases.push(&e, None, Some(e.iter().sum::<f64>() / 3.0 + noise), None, None);
//! }
//! let fit = peakend::fit::fit(&cases, &FitOptions::new())?;
//! let overall = fit.overall.as_ref().unwrap();
//! assert_eq!(overall.best, "mean");
//! # Ok::<(), peakend::fit::FitError>(())
//! ```

mod cases;
mod linear;
mod logistic;

pub use cases::{Cases, ReadReport};

use crate::memory::{
    Calibration, Feature, FittedModel, MemoryModel, Model, OutcomeLink, Provenance, Weights,
};
use crate::observe::{LogError, LogOptions};
use cases::{COLUMNS, LENGTH, Positive};
use linear::{BLEND, FIXED, LAMBDAS, Predictor, WITH_LENGTH};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;

/// How to fit.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FitOptions {
    /// Folds of the cross-validation (default 5).
    pub folds: usize,
    /// Repeats of it, each with new folds (default 5).
    pub repeats: usize,
    /// The seed of the folds and the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples for the weights' intervals (default 1,000).
    pub bootstrap: usize,
    /// The scale of the log's moment ratings, rescaled to −10..10
    /// (`None`: already on it).
    pub rating_scale: Option<(f64, f64)>,
    /// The outcome to predict, among the case table's (default: the one
    /// that reads as a success: renewed, won, yes, 1 …).
    pub positive: Option<String>,
    /// Use this model rather than the one the comparison chooses (one of
    /// `mean`, `peak-end`, `peak-pit-end`, `end`, `peak`, `fitted`).
    pub choose: Option<String>,
    /// The memory model outcomes are linked with when the data have no
    /// overall ratings (default peak-end).
    pub model: Model,
    /// Which columns of the log hold what.
    pub log: LogOptions,
    /// The files, for the model's provenance.
    pub source: (String, Option<String>),
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            folds: 5,
            repeats: 5,
            seed: crate::DEFAULT_SEED,
            bootstrap: 1000,
            rating_scale: None,
            positive: None,
            choose: None,
            model: Model::PeakEnd,
            log: LogOptions::new(),
            source: ("cases".into(), None),
        }
    }
}

impl FitOptions {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        FitOptions::default()
    }
    /// Folds of the cross-validation (at least 2).
    #[must_use]
    pub fn folds(mut self, k: usize) -> Self {
        self.folds = k;
        self
    }
    /// Repeats of the cross-validation (at least 1).
    #[must_use]
    pub fn repeats(mut self, r: usize) -> Self {
        self.repeats = r;
        self
    }
    /// The seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Bootstrap resamples.
    #[must_use]
    pub fn bootstrap(mut self, b: usize) -> Self {
        self.bootstrap = b;
        self
    }
    /// The log's rating scale.
    #[must_use]
    pub fn rating_scale(mut self, min: f64, max: f64) -> Self {
        self.rating_scale = Some((min, max));
        self
    }
    /// The outcome to predict.
    #[must_use]
    pub fn positive(mut self, name: impl Into<String>) -> Self {
        self.positive = Some(name.into());
        self
    }
    /// The model to use whatever the comparison says.
    #[must_use]
    pub fn choose(mut self, name: impl Into<String>) -> Self {
        self.choose = Some(name.into());
        self
    }
    /// The model to link outcomes with when there are no overall ratings.
    #[must_use]
    pub fn model(mut self, m: Model) -> Self {
        self.model = m;
        self
    }
    /// How to read the log's columns.
    #[must_use]
    pub fn log(mut self, log: LogOptions) -> Self {
        self.log = log;
        self
    }
    /// The files the cases come from (for the model's provenance).
    #[must_use]
    pub fn source(mut self, log: impl Into<String>, case_table: Option<String>) -> Self {
        self.source = (log.into(), case_table);
        self
    }
}

/// Why a fit cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// The log does not read.
    #[error("{0}")]
    Log(#[from] LogError),
    /// The case table does not read.
    #[error("{0}")]
    CaseTable(LogError),
    /// Options out of range.
    #[error("{0}")]
    Options(String),
    /// No case has both a rated moment and an overall rating or outcome.
    #[error(
        "no case has a rated moment and an overall rating or outcome: the log needs a rating column (rating, score, csat) and the case table an `overall` or `outcome` column for the same cases"
    )]
    NothingToLearn,
    /// Too few cases for the folds.
    #[error(
        "{cases} cases have rated moments and an overall rating; a fit with {folds} folds needs at least {needed} (fewer folds: --folds)"
    )]
    TooFewCases {
        /// Cases usable.
        cases: usize,
        /// Folds asked for.
        folds: usize,
        /// Cases needed.
        needed: usize,
    },
    /// Fewer accounts than folds: the folds are grouped by account.
    #[error(
        "the {cases} cases belong to {groups} accounts; {folds} folds grouped by account need at least {folds} (fewer folds: --folds {groups}, if at least 2)"
    )]
    TooFewGroups {
        /// Cases usable.
        cases: usize,
        /// Accounts among them.
        groups: usize,
        /// Folds asked for.
        folds: usize,
    },
    /// No case of the case table is in the log: the two name their cases
    /// differently.
    #[error(
        "no case of the case table is in the log (the table's first: {}; the log's first: {}): do the two name their cases alike?",
        quoted(table),
        quoted(log)
    )]
    NoCommonCases {
        /// The table's first few cases.
        table: Vec<String>,
        /// The log's first few cases.
        log: Vec<String>,
    },
    /// Every rated moment of every case is the same: the moments carry no
    /// information to weigh.
    #[error(
        "every rated moment of the log is {0} on the journey scale: the ratings carry no information to fit (the log's rating column must vary)"
    )]
    ConstantMoments(f64),
    /// All the cases belong to one account: folds grouped by account need
    /// two at least.
    #[error(
        "the {cases} cases all belong to one account: folds grouped by account need at least two (give the case table's `account` column more than one, or leave it out to fold by case)"
    )]
    OneAccount {
        /// Cases usable.
        cases: usize,
    },
    /// Every overall rating is the same.
    #[error(
        "every overall rating is {0}: there is nothing to explain (the case table's `overall` column must vary)"
    )]
    ConstantOverall(f64),
    /// Outcomes given, but which one to predict is not clear.
    #[error("{0}")]
    WhichOutcome(String),
    /// `choose` names no model compared.
    #[error("no model `{0}` to choose (one of mean, peak-end, peak-pit-end, end, peak, fitted)")]
    UnknownChoice(String),
    /// The fitted blend cannot be a memory model.
    #[error(
        "the fitted blend does not rise with the moments (its level weights sum to {0:.3}): it cannot serve as a memory model; choose a fixed one"
    )]
    BlendUnusable(f64),
}

/// Names quoted and joined, for messages ("none" when there are none).
fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A figure over the folds: its mean and its standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Spread {
    /// Mean over the folds.
    pub mean: f64,
    /// Standard deviation over the folds.
    pub sd: f64,
}

impl Spread {
    fn of(v: &[f64]) -> Option<Spread> {
        let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = if v.len() > 1 {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Some(Spread { mean, sd })
    }
}

/// One compared model's out-of-sample figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ModelFit {
    /// `mean`, `peak-end`, `peak-pit-end`, `end`, `peak` or `fitted`.
    pub name: String,
    /// Root mean squared error of the overall rating, out of sample.
    pub rmse: Spread,
    /// Mean absolute error, out of sample.
    pub mae: Spread,
    /// R² against predicting the training folds' mean, out of sample
    /// (`None` where no test fold's ratings vary).
    pub r2: Option<Spread>,
    /// The model's weights (as `--weights` names them).
    pub weights: Vec<(Feature, f64)>,
    /// Its straight line to the overall rating, fitted on all the cases.
    pub calibration: Calibration,
}

/// How the model was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Choice {
    /// The fixed model with the lowest RMSE; the blend did not beat it by
    /// more than one standard error.
    LowestFixed,
    /// The blend beat every fixed model by more than one standard error.
    Blend,
    /// Asked for.
    Asked,
}

/// An estimate with its bootstrap 95 % interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Estimate {
    /// The estimate on all the cases.
    pub value: f64,
    /// 2.5th and 97.5th percentiles over the bootstrap resamples (`None`
    /// when too few resamples could be fitted).
    pub interval: Option<[f64; 2]>,
}

/// The fitted blend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Blend {
    /// Per feature, its weight in the memory model: the coefficients
    /// divided by the sum of the level features' (so the level weights
    /// sum to 1 and memory stays on the journey scale).
    pub weights: Vec<(Feature, Estimate)>,
    /// The overall rating per point of each feature.
    pub coefficients: Vec<(Feature, Estimate)>,
    /// The overall rating at every feature 0.
    pub intercept: Estimate,
    /// The sum of the level features' coefficients: overall rating per
    /// point of remembered experience.
    pub slope: Estimate,
    /// The ridge penalty chosen on all the cases (see docs/fit.md).
    pub lambda: f64,
    /// Resamples the intervals rest on.
    pub resamples: usize,
}

/// How collinear the blend's features are.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Collinearity {
    /// Each feature's variance inflation factor (`None`: not identified —
    /// a combination of the others in these data, or constant).
    pub vif: Vec<(Feature, Option<f64>)>,
    /// Correlation of the peak-end score with the mean across the cases.
    pub peak_end_mean: Option<f64>,
}

impl Collinearity {
    /// Whether the weights are poorly identified: some VIF above 10 (or
    /// none), or peak-end and the mean correlating above 0.8.
    #[must_use]
    pub fn warns(&self) -> bool {
        self.vif.iter().any(|(_, v)| v.is_none_or(|v| v > 10.0))
            || self.peak_end_mean.is_some_and(|r| r.abs() > 0.8)
    }
}

/// Duration neglect: what the case's length adds to the blend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LengthCheck {
    /// Overall rating per extra event in the case (with the blend's
    /// features held).
    pub coefficient: Estimate,
    /// The blend-with-length's RMSE minus the blend's, out of sample
    /// (positive: length makes the predictions worse).
    pub rmse_change: Spread,
}

/// The overall rating against the moments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OverallFit {
    /// Cases with an overall rating and rated moments.
    pub cases: u64,
    /// Accounts among them.
    pub accounts: u64,
    /// Every model compared, in the order `mean`, `peak-end`,
    /// `peak-pit-end`, `end`, `peak`, `fitted`.
    pub models: Vec<ModelFit>,
    /// Predicting the training folds' mean: RMSE and MAE.
    pub baseline: (Spread, Spread),
    /// The winner (see [`Choice`]).
    pub best: String,
    /// Why.
    pub choice: Choice,
    /// The fitted blend, with intervals.
    pub blend: Blend,
    /// Whether its weights are identified.
    pub collinearity: Collinearity,
    /// Duration neglect.
    pub length: LengthCheck,
}

/// Why an outcome link was not fitted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
#[non_exhaustive]
pub enum NoOutcome {
    /// The case table has no outcomes.
    NoOutcomes,
    /// Every case had the same outcome.
    OneClass {
        /// The outcome every case had.
        outcome: String,
        /// Cases.
        cases: u64,
    },
    /// Too few cases (or accounts) with an outcome for the folds.
    TooFew {
        /// Cases with an outcome and rated moments.
        cases: u64,
        /// Accounts among them.
        accounts: u64,
    },
}

/// The outcome against the remembered experience.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OutcomeFit {
    /// The link (what `-o` writes).
    pub link: OutcomeLink,
    /// The memory model the remembered experience is computed with.
    pub memory: String,
    /// Cases with an outcome and rated moments.
    pub cases: u64,
    /// Out-of-sample area under the ROC curve (`None` when no test fold
    /// held both outcomes).
    pub auc: Option<Spread>,
    /// Out-of-sample log-loss.
    pub log_loss: Spread,
    /// The log-loss of predicting the training folds' outcome rate.
    pub baseline_log_loss: Spread,
    /// The average change of the outcome's probability per point of
    /// remembered experience.
    pub per_point: f64,
    /// Its 95 % interval (cluster-robust by account).
    pub per_point_interval: [f64; 2],
}

/// What a fit found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Fit {
    /// Cases used (an overall rating or an outcome, and rated moments).
    pub cases: u64,
    /// Accounts among them.
    pub accounts: u64,
    /// Folds of the cross-validation.
    pub folds: usize,
    /// Repeats.
    pub repeats: usize,
    /// The seed.
    pub seed: u64,
    /// What reading the log and case table found (when read from files).
    pub read: Option<ReadReport>,
    /// The overall rating against the moments (`None` without overall
    /// ratings).
    pub overall: Option<OverallFit>,
    /// The outcome link, or why there is none.
    pub outcome: Result<OutcomeFit, NoOutcome>,
    /// The model to use: the chosen one's weights, its calibration, the
    /// outcome link, the provenance.
    #[serde(skip)]
    pub model: FittedModel,
}

/// Read a log (CSV or XES) and a case table and fit.
///
/// # Errors
/// [`FitError`]: the log or case table does not read (with line and
/// column), and everything [`fit`] refuses.
pub fn fit_log<R1: Read, R2: Read>(
    log: R1,
    case_table: R2,
    options: &FitOptions,
) -> Result<Fit, FitError> {
    let cases::Read {
        cases,
        report,
        outcomes,
        positive,
        values,
    } = cases::read(
        log,
        case_table,
        &cases::ReadOptions {
            log: options.log.clone(),
            rating_scale: options.rating_scale,
            positive: options.positive.as_deref(),
        },
    )?;
    let (positive_name, value) = match positive {
        Positive::Is(i) => (Some(outcomes[i as usize].clone()), values[i as usize]),
        Positive::None => (None, None),
        Positive::Undecided(names, asked) => {
            return Err(FitError::WhichOutcome(match asked {
                Some(a) if names.is_empty() => format!(
                    "--positive {a}: the case table has no outcome column (outcome, case:outcome, result): there is no outcome to predict"
                ),
                Some(a) => format!(
                    "--positive {a}: the case table's outcomes are {}",
                    names.join(", ")
                ),
                None => format!(
                    "the case table's outcomes are {}: say which one to predict with --positive NAME",
                    names.join(", ")
                ),
            }));
        }
    };
    let mut f = fit_named(&cases, options, positive_name.as_deref(), value)?;
    f.read = Some(report);
    Ok(f)
}

/// Fit cases already collected ([`Cases::push`]); the outcome is called
/// `outcome` (see [`fit_log`] for names and values from a case table).
///
/// # Errors
/// [`FitError`]: nothing to learn, too few cases or accounts for the
/// folds, constant overall ratings, a `choose` that names no model.
pub fn fit(cases: &Cases, options: &FitOptions) -> Result<Fit, FitError> {
    fit_named(cases, options, Some("outcome"), None)
}

fn fit_named(
    cases: &Cases,
    options: &FitOptions,
    outcome_name: Option<&str>,
    value: Option<f64>,
) -> Result<Fit, FitError> {
    check(options)?;
    let rows_y: Vec<usize> = (0..cases.len())
        .filter(|&i| cases.y[i].is_finite())
        .collect();
    let rows_o: Vec<usize> = (0..cases.len())
        .filter(|&i| cases.outcome[i] >= 0)
        .collect();
    if rows_y.is_empty() && rows_o.is_empty() {
        return Err(FitError::NothingToLearn);
    }
    let (group, groups) = cases.dense_groups();
    let mut rated = vec![false; groups];
    for &i in &rows_y {
        rated[group[i] as usize] = true;
    }
    let folds = linear::assign_folds(&rated, options.folds, options.repeats, options.seed);
    let ctx = Ctx {
        cases,
        options,
        group: &group,
        groups,
        folds: &folds,
    };
    let (overall, blends) = if rows_y.is_empty() {
        (None, Vec::new())
    } else {
        let (o, b) = ctx.overall(&rows_y)?;
        (Some(o), b)
    };
    // The memory each case's outcome is set against: the chosen model's.
    let (memory_name, weights, cv_memory) = ctx.memory(overall.as_ref(), blends)?;
    let outcome = match outcome_name {
        Some(name) if !rows_o.is_empty() => {
            ctx.outcome(&rows_o, (name, value), (&memory_name, &weights, &cv_memory))
        }
        _ => Err(NoOutcome::NoOutcomes),
    };
    let used: Vec<bool> = (0..cases.len())
        .map(|i| cases.y[i].is_finite() || cases.outcome[i] >= 0)
        .collect();
    let mut seen = std::collections::HashSet::new();
    for i in 0..cases.len() {
        if used[i] {
            seen.insert(group[i]);
        }
    }
    let provenance = Provenance {
        log: options.source.0.clone(),
        case_table: options.source.1.clone(),
        cases: used.iter().filter(|u| **u).count() as u64,
        accounts: seen.len() as u64,
        r2: overall.as_ref().and_then(|o| {
            o.models
                .iter()
                .find(|m| m.name == o.best)
                .and_then(|m| m.r2.map(|r| r.mean))
        }),
        rmse: overall
            .as_ref()
            .and_then(|o| o.models.iter().find(|m| m.name == o.best))
            .map(|m| m.rmse.mean),
        folds: Some(options.folds as u32),
        repeats: Some(options.repeats as u32),
        seed: Some(options.seed),
        rating_scale: options.rating_scale.map(|(a, b)| [a, b]),
    };
    let calibration = overall.as_ref().and_then(|o| {
        o.models
            .iter()
            .find(|m| m.name == o.best)
            .map(|m| m.calibration)
    });
    let model = FittedModel::new(memory_name, weights, provenance)
        .calibration(calibration)
        .outcome(outcome.as_ref().ok().map(|o| o.link.clone()));
    Ok(Fit {
        cases: model.provenance.cases,
        accounts: model.provenance.accounts,
        folds: options.folds,
        repeats: options.repeats,
        seed: options.seed,
        read: None,
        overall,
        outcome,
        model,
    })
}

/// Options out of range, a `choose` that names no model.
fn check(options: &FitOptions) -> Result<(), FitError> {
    if options.folds < 2 || options.folds > 100 {
        return Err(FitError::Options(format!(
            "--folds {} is not 2 to 100",
            options.folds
        )));
    }
    if options.repeats < 1 || options.repeats > 100 {
        return Err(FitError::Options(format!(
            "--repeats {} is not 1 to 100",
            options.repeats
        )));
    }
    if options.bootstrap > 100_000 {
        return Err(FitError::Options(format!(
            "--bootstrap {} is more than 100000",
            options.bootstrap
        )));
    }
    if let Some(c) = &options.choose
        && !(c == "fitted" || FIXED.iter().any(|(n, _)| n == c))
    {
        return Err(FitError::UnknownChoice(c.clone()));
    }
    Ok(())
}

/// What the parts of a fit share.
struct Ctx<'a> {
    cases: &'a Cases,
    options: &'a FitOptions,
    group: &'a [u32],
    groups: usize,
    folds: &'a [Vec<u8>],
}

/// Per repeat and fold, the memory model's feature vector trained without
/// the fold (`None`: the same in every fold).
type CvMemory = Option<Vec<Vec<[f64; COLUMNS]>>>;

impl Ctx<'_> {
    fn distinct_groups(&self, rows: &[usize]) -> usize {
        let mut seen = vec![false; self.groups];
        let mut n = 0;
        for &i in rows {
            let g = self.group[i] as usize;
            if !seen[g] {
                seen[g] = true;
                n += 1;
            }
        }
        n
    }

    /// The overall rating against the moments.
    fn overall(&self, rows: &[usize]) -> Result<(OverallFit, Vec<Vec<Predictor>>), FitError> {
        let k = self.options.folds;
        let needed = (2 * k).max(10);
        if rows.len() < needed {
            return Err(FitError::TooFewCases {
                cases: rows.len(),
                folds: k,
                needed,
            });
        }
        let groups = self.distinct_groups(rows);
        if groups < 2 {
            return Err(FitError::OneAccount { cases: rows.len() });
        }
        if groups < k {
            return Err(FitError::TooFewGroups {
                cases: rows.len(),
                groups,
                folds: k,
            });
        }
        let y0 = self.cases.y[rows[0]];
        if rows.iter().all(|&i| self.cases.y[i] == y0) {
            return Err(FitError::ConstantOverall(y0));
        }
        // The memory features (peak, end, mean, …) all the same in every
        // case: the moments were rated alike throughout.
        let x0 = self.cases.x[rows[0]];
        if rows.iter().all(|&i| {
            Feature::ALL
                .iter()
                .enumerate()
                .all(|(k, _)| self.cases.x[i][k] == x0[k])
        }) {
            return Err(FitError::ConstantMoments(x0[0]));
        }
        let cv = linear::cross_validate(self.cases, rows, self.group, self.folds, k);
        let full = linear::gram(self.cases, rows);
        let mut models: Vec<ModelFit> = FIXED
            .iter()
            .zip(&cv.scores)
            .map(|((name, terms), s)| {
                let c = linear::blend(terms);
                let p = linear::fit_fixed(&full, &c);
                let k = c.iter().zip(&p.beta).find(|(c, _)| **c != 0.0);
                model_fit(
                    name,
                    s,
                    terms.to_vec(),
                    Calibration {
                        intercept: p.intercept,
                        slope: k.map_or(0.0, |(c, b)| b / c),
                    },
                )
            })
            .collect();
        let (blend, length) = self.blend(rows, &full);
        let weights: Vec<(Feature, f64)> =
            blend.weights.iter().map(|(f, e)| (*f, e.value)).collect();
        models.push(model_fit(
            "fitted",
            &cv.scores[FIXED.len()],
            weights,
            Calibration {
                intercept: blend.intercept.value,
                slope: blend.slope.value,
            },
        ));
        let (best, choice) = self.choose(&models, &cv.scores);
        let (vif, peak_end_mean) = linear::collinearity(&full);
        let change: Vec<f64> = cv.scores[FIXED.len() + 1]
            .rmse
            .iter()
            .zip(&cv.scores[FIXED.len()].rmse)
            .map(|(a, b)| a - b)
            .collect();
        let length = LengthCheck {
            coefficient: length,
            rmse_change: Spread::of(&change).unwrap_or(Spread { mean: 0.0, sd: 0.0 }),
        };
        let fit = OverallFit {
            cases: rows.len() as u64,
            accounts: groups as u64,
            models,
            baseline: (
                Spread::of(&cv.baseline.rmse).unwrap_or(Spread { mean: 0.0, sd: 0.0 }),
                Spread::of(&cv.baseline.mae).unwrap_or(Spread { mean: 0.0, sd: 0.0 }),
            ),
            best,
            choice,
            blend,
            collinearity: Collinearity {
                vif: BLEND.iter().map(|&k| Feature::ALL[k]).zip(vif).collect(),
                peak_end_mean,
            },
            length,
        };
        Ok((fit, cv.blends))
    }

    /// The winner: the asked-for model, else the fixed model with the
    /// lowest RMSE unless the blend beats it by more than one standard
    /// error of their paired difference over the folds.
    fn choose(&self, models: &[ModelFit], scores: &[linear::Scores]) -> (String, Choice) {
        if let Some(c) = &self.options.choose {
            return (c.clone(), Choice::Asked);
        }
        let (mut best, mut low) = (0, f64::INFINITY);
        for (m, fit) in models.iter().enumerate().take(FIXED.len()) {
            if fit.rmse.mean < low - 1e-12 {
                best = m;
                low = fit.rmse.mean;
            }
        }
        let diff: Vec<f64> = scores[best]
            .rmse
            .iter()
            .zip(&scores[FIXED.len()].rmse)
            .map(|(a, b)| a - b)
            .collect();
        let usable = models[FIXED.len()].calibration.slope > 0.0;
        if let Some(d) = Spread::of(&diff) {
            let se = d.sd / (self.options.folds as f64).sqrt();
            if usable && d.mean > se && d.mean > 0.0 {
                return ("fitted".into(), Choice::Blend);
            }
        }
        (models[best].name.clone(), Choice::LowestFixed)
    }

    /// The blend on all the cases, its penalty chosen by the first
    /// repeat's folds, and its bootstrap intervals.
    fn blend(&self, rows: &[usize], full: &linear::Gram) -> (Blend, Estimate) {
        let grams = linear::fold_grams(
            self.cases,
            rows,
            self.group,
            &self.folds[0],
            self.options.folds,
        );
        let refs: Vec<&linear::Gram> = grams.iter().collect();
        let l = linear::choose_lambda(full, &refs, &BLEND);
        let lw = linear::choose_lambda(full, &refs, &WITH_LENGTH);
        let p = linear::fit_ridge(full, &BLEND, LAMBDAS[l]).unwrap_or_default();
        let pw = linear::fit_ridge(full, &WITH_LENGTH, LAMBDAS[lw]).unwrap_or_default();
        let samples = linear::bootstrap(
            self.cases,
            rows,
            self.group,
            self.groups,
            (self.options.bootstrap, 2000, self.options.seed),
            (LAMBDAS[l], LAMBDAS[lw]),
        );
        let interval = |f: &dyn Fn(&Predictor) -> Option<f64>, which: usize| {
            let mut v: Vec<f64> = samples
                .iter()
                .filter_map(|s| f(if which == 0 { &s.0 } else { &s.1 }))
                .filter(|x| x.is_finite())
                .collect();
            if v.len() < 20 {
                return None;
            }
            v.sort_by(f64::total_cmp);
            Some([quantile(&v, 0.025), quantile(&v, 0.975)])
        };
        let slope = |p: &Predictor| -> f64 { p.beta[..6].iter().sum() };
        let est = |value: f64, f: &dyn Fn(&Predictor) -> Option<f64>, which: usize| Estimate {
            value,
            interval: interval(f, which),
        };
        let s = slope(&p);
        let blend = Blend {
            weights: BLEND
                .iter()
                .map(|&k| {
                    let f = Feature::ALL[k];
                    (
                        f,
                        est(
                            if s != 0.0 { p.beta[k] / s } else { f64::NAN },
                            &|q: &Predictor| {
                                let s = slope(q);
                                (s != 0.0).then(|| q.beta[k] / s)
                            },
                            0,
                        ),
                    )
                })
                .collect(),
            coefficients: BLEND
                .iter()
                .map(|&k| {
                    (
                        Feature::ALL[k],
                        est(p.beta[k], &|q: &Predictor| Some(q.beta[k]), 0),
                    )
                })
                .collect(),
            intercept: est(p.intercept, &|q: &Predictor| Some(q.intercept), 0),
            slope: est(s, &|q: &Predictor| Some(slope(q)), 0),
            lambda: LAMBDAS[l],
            resamples: samples.len(),
        };
        let length = est(pw.beta[LENGTH], &|q: &Predictor| Some(q.beta[LENGTH]), 1);
        (blend, length)
    }

    /// The memory model outcomes are linked with, its weights, and the
    /// per-fold weights when it is the fitted blend (trained without the
    /// fold).
    fn memory(
        &self,
        overall: Option<&OverallFit>,
        blends: Vec<Vec<Predictor>>,
    ) -> Result<(String, Weights, CvMemory), FitError> {
        let Some(o) = overall else {
            let name = self.options.model.name();
            let w = self
                .options
                .model
                .linear_form()
                .map(|t| Weights::new(t.into_iter().collect::<BTreeMap<_, _>>()))
                .and_then(Result::ok)
                .unwrap_or_else(|| {
                    Weights::new(BTreeMap::from([(Feature::Peak, 0.5), (Feature::End, 0.5)]))
                        .expect("peak-end")
                });
            return Ok((name, w, None));
        };
        let m = o
            .models
            .iter()
            .find(|m| m.name == o.best)
            .expect("the best is among the models");
        if m.name == "fitted" && (o.blend.slope.value.is_nan() || o.blend.slope.value <= 0.0) {
            return Err(FitError::BlendUnusable(o.blend.slope.value));
        }
        let map: BTreeMap<Feature, f64> = m
            .weights
            .iter()
            .copied()
            .filter(|(_, w)| *w != 0.0)
            .collect();
        let w = Weights::new(map).map_err(|_| FitError::BlendUnusable(o.blend.slope.value))?;
        if m.name != "fitted" {
            return Ok((m.name.clone(), w, None));
        }
        let whole = vector(&w);
        let per_fold = blends
            .iter()
            .map(|repeat| {
                repeat
                    .iter()
                    .map(|p| {
                        let s: f64 = p.beta[..6].iter().sum();
                        if s > 0.0 {
                            let mut c = [0.0; COLUMNS];
                            for &k in &BLEND {
                                c[k] = p.beta[k] / s;
                            }
                            c
                        } else {
                            whole
                        }
                    })
                    .collect()
            })
            .collect();
        Ok((m.name.clone(), w, Some(per_fold)))
    }

    /// Each case's memory under a feature vector.
    fn memory_of(&self, c: &[f64; COLUMNS]) -> Vec<f64> {
        self.cases
            .x
            .iter()
            .map(|x| x.iter().zip(c).map(|(a, b)| a * b).sum())
            .collect()
    }

    /// The outcome link out of sample: per fold of every repeat, its AUC
    /// (where the fold holds both outcomes), log-loss, and the log-loss of
    /// the training folds' rate. Each fold's fit starts from `start` (the
    /// fit on all cases); the folds are shared among the cores and their
    /// figures gathered in fold order.
    fn outcome_cv(
        &self,
        rows: &[usize],
        (y, m): (&[u8], &[f64]),
        cv: &CvMemory,
        start: logistic::Logit,
    ) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let k = self.options.folds;
        let jobs: Vec<(usize, usize)> = (0..self.folds.len())
            .flat_map(|r| (0..k).map(move |f| (r, f)))
            .collect();
        let fold = |(r, f): (usize, usize)| -> Option<(Option<f64>, f64, f64)> {
            let gf = &self.folds[r];
            let fold_m;
            let m = match cv {
                Some(per) => {
                    fold_m = self.memory_of(&per[r][f]);
                    &fold_m[..]
                }
                None => m,
            };
            let (test, train): (Vec<usize>, Vec<usize>) = rows
                .iter()
                .partition(|&&i| gf[self.group[i] as usize] as usize == f);
            if test.is_empty() {
                return None;
            }
            let rate = train.iter().filter(|&&i| y[i] == 1).count() as f64 / train.len() as f64;
            let l = logistic::fit(m, y, &train, Some(start))?;
            let mut scored: Vec<(f64, u8)> = test
                .iter()
                .map(|&i| (logistic::sigma(l.c0 + l.c1 * m[i]), y[i]))
                .collect();
            let n = test.len() as f64;
            let loss = scored
                .iter()
                .map(|&(p, y)| logistic::log_loss(p, y))
                .sum::<f64>()
                / n;
            let base = test
                .iter()
                .map(|&i| logistic::log_loss(rate, y[i]))
                .sum::<f64>()
                / n;
            Some((logistic::auc(&mut scored), loss, base))
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, 8)
            .min(jobs.len().max(1));
        let mut done: Vec<Option<(Option<f64>, f64, f64)>> = vec![None; jobs.len()];
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (jobs, fold) = (&jobs, &fold);
                    scope.spawn(move || {
                        (t..jobs.len())
                            .step_by(threads)
                            .map(|j| (j, fold(jobs[j])))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                for (j, r) in h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                    done[j] = r;
                }
            }
        });
        let (mut aucs, mut losses, mut base) = (Vec::new(), Vec::new(), Vec::new());
        for (auc, loss, b) in done.into_iter().flatten() {
            aucs.extend(auc);
            losses.push(loss);
            base.push(b);
        }
        (aucs, losses, base)
    }

    /// The outcome link: out of sample over the folds, then on all cases
    /// with cluster-robust intervals.
    fn outcome(
        &self,
        rows: &[usize],
        (name, value): (&str, Option<f64>),
        (memory_name, weights, cv): (&str, &Weights, &CvMemory),
    ) -> Result<OutcomeFit, NoOutcome> {
        let cases = self.cases;
        let y: Vec<u8> = cases.outcome.iter().map(|&o| u8::from(o == 1)).collect();
        let pos = rows.iter().filter(|&&i| y[i] == 1).count();
        if pos == 0 || pos == rows.len() {
            return Err(NoOutcome::OneClass {
                outcome: if pos == 0 {
                    format!("not {name}")
                } else {
                    name.to_string()
                },
                cases: rows.len() as u64,
            });
        }
        let k = self.options.folds;
        let groups = self.distinct_groups(rows);
        if rows.len() < (2 * k).max(10) || groups < k {
            return Err(NoOutcome::TooFew {
                cases: rows.len() as u64,
                accounts: groups as u64,
            });
        }
        let m = self.memory_of(&vector(weights));
        let l = logistic::fit(&m, &y, rows, None).ok_or(NoOutcome::OneClass {
            outcome: name.to_string(),
            cases: rows.len() as u64,
        })?;
        let (aucs, losses, base) = self.outcome_cv(rows, (&y, &m), cv, l);
        let z = logistic::z95();
        let cov = logistic::robust_covariance(l, (&m, &y), rows, self.group, self.groups)
            .unwrap_or_else(nalgebra::Matrix2::zeros);
        let se1 = cov[(1, 1)].max(0.0).sqrt();
        let (effect, se) = logistic::per_point(l, &m, rows, &cov);
        let zero = Spread { mean: 0.0, sd: 0.0 };
        Ok(OutcomeFit {
            link: OutcomeLink {
                outcome: name.to_string(),
                intercept: l.c0,
                slope: l.c1,
                slope_interval: [l.c1 - z * se1, l.c1 + z * se1],
                rate: pos as f64 / rows.len() as f64,
                value,
                cases: rows.len() as u64,
            },
            memory: memory_name.to_string(),
            cases: rows.len() as u64,
            auc: Spread::of(&aucs),
            log_loss: Spread::of(&losses).unwrap_or(zero),
            baseline_log_loss: Spread::of(&base).unwrap_or(zero),
            per_point: effect,
            per_point_interval: [effect - z * se, effect + z * se],
        })
    }
}

/// A blend's weights as a feature vector.
fn vector(w: &Weights) -> [f64; COLUMNS] {
    let mut c = [0.0; COLUMNS];
    for (f, x) in w.iter() {
        c[Feature::ALL.iter().position(|g| *g == f).unwrap_or(0)] = x;
    }
    c
}

fn model_fit(
    name: &str,
    s: &linear::Scores,
    weights: Vec<(Feature, f64)>,
    calibration: Calibration,
) -> ModelFit {
    let zero = Spread { mean: 0.0, sd: 0.0 };
    ModelFit {
        name: name.to_string(),
        rmse: Spread::of(&s.rmse).unwrap_or(zero),
        mae: Spread::of(&s.mae).unwrap_or(zero),
        r2: Spread::of(&s.r2),
        weights,
        calibration,
    }
}

/// The `q` quantile of sorted values (linear between order statistics).
fn quantile(v: &[f64], q: f64) -> f64 {
    let h = q * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}
