//! The cases a fit learns from: each case's features (from its rated
//! moments), its overall rating, its outcome and its group (account).

use crate::journey::Scale;
use crate::memory::{Feature, PathView};
use crate::observe::Fast;
use crate::observe::{
    CaseRow, Event, EventSink, LogError, LogOptions, read_case_rows, read_events,
};

/// The columns of a case's features: [`Feature::ALL`] in order, then
/// `length` (the case's number of events).
pub(crate) const COLUMNS: usize = 8;
/// The column of `length`.
pub(crate) const LENGTH: usize = 7;

/// Cases as a fit reads them: per case, the features of its rated
/// moments, the overall rating, the outcome, the group.
///
/// Build them from a log and a case table ([`Cases::read`]) or one by one
/// ([`Cases::push`]).
///
/// ```
/// use peakend::fit::Cases;
/// let mut cases = Cases::new();
/// cases.push(&[4.0, -6.0, 2.0], None, Some(-1.5), None, Some("acme"));
/// assert_eq!(cases.len(), 1);
/// assert_eq!(cases.feature(0, peakend::Feature::Peak), -6.0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cases {
    pub(crate) x: Vec<[f64; COLUMNS]>,
    pub(crate) y: Vec<f64>,
    /// 1 the outcome, 0 another, -1 none.
    pub(crate) outcome: Vec<i8>,
    pub(crate) group: Vec<u32>,
    groups: Fast<String, u32>,
    ungrouped: u32,
    /// The scale features are computed on.
    pub(crate) scale: Scale,
}

impl Cases {
    /// No cases, features on the journey scale −10..10.
    #[must_use]
    pub fn new() -> Self {
        Cases::default()
    }

    /// Cases.
    #[must_use]
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// One case: its rated moments' emotions in order (on the journey
    /// scale, at least one), their durations (`None`: equal), its overall
    /// rating, whether it had the outcome, and its account (`None`: a
    /// group of its own).
    ///
    /// # Panics
    /// With no emotions, or durations of another length.
    pub fn push(
        &mut self,
        emotions: &[f64],
        durations: Option<&[f64]>,
        overall: Option<f64>,
        outcome: Option<bool>,
        account: Option<&str>,
    ) {
        assert!(!emotions.is_empty(), "a case needs a rated moment");
        let ones;
        let durations = match durations {
            Some(d) => {
                assert_eq!(d.len(), emotions.len(), "one duration per moment");
                d
            }
            None => {
                ones = vec![1.0; emotions.len()];
                &ones
            }
        };
        self.push_features(
            features(emotions, durations, self.scale, emotions.len() as u32),
            overall,
            outcome,
            account,
        );
    }

    pub(crate) fn push_features(
        &mut self,
        x: [f64; COLUMNS],
        overall: Option<f64>,
        outcome: Option<bool>,
        account: Option<&str>,
    ) {
        let g = match account {
            Some(a) => {
                let next = self.groups.len() as u32;
                *self.groups.entry(a.to_string()).or_insert(next)
            }
            None => {
                self.ungrouped += 1;
                u32::MAX - (self.ungrouped - 1)
            }
        };
        self.x.push(x);
        self.y.push(overall.unwrap_or(f64::NAN));
        self.outcome.push(match outcome {
            Some(true) => 1,
            Some(false) => 0,
            None => -1,
        });
        self.group.push(g);
    }

    /// A case's feature.
    ///
    /// # Panics
    /// For a case past the end.
    #[must_use]
    pub fn feature(&self, case: usize, f: Feature) -> f64 {
        let k = Feature::ALL.iter().position(|g| *g == f).unwrap_or(0);
        self.x[case][k]
    }

    /// Distinct accounts named (cases without one count one each).
    #[must_use]
    pub fn accounts(&self) -> u64 {
        self.groups.len() as u64 + u64::from(self.ungrouped)
    }

    /// Group ids renumbered 0..G in first-seen order, and G.
    pub(crate) fn dense_groups(&self) -> (Vec<u32>, usize) {
        let mut map: Fast<u32, u32> = Fast::default();
        let dense = self
            .group
            .iter()
            .map(|g| {
                let next = map.len() as u32;
                *map.entry(*g).or_insert(next)
            })
            .collect();
        (dense, map.len())
    }
}

/// The features of one case's moments (emotions on the journey scale,
/// durations as weights) and its number of events.
pub(crate) fn features(e: &[f64], d: &[f64], scale: Scale, events: u32) -> [f64; COLUMNS] {
    let view = PathView {
        emotions: e,
        durations: d,
        scale,
    };
    let mut x = [0.0; COLUMNS];
    for (k, f) in Feature::ALL.iter().enumerate() {
        x[k] = view.feature(*f);
    }
    x[LENGTH] = f64::from(events);
    x
}

/// What reading a log and a case table found, beyond the cases.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct ReadReport {
    /// Cases in the case table.
    pub table_cases: u64,
    /// Events in the log (counted ones).
    pub events: u64,
    /// Events with a rating.
    pub rated_events: u64,
    /// Events left out by their lifecycle (not `complete`).
    pub skipped_events: u64,
    /// Whether the log has timestamps (the mean is then
    /// duration-weighted).
    pub timed: bool,
    /// Cases in the log that the case table does not name (left out).
    pub not_in_table: u64,
    /// The first few cases of the log not in the table.
    pub not_in_table_examples: Vec<String>,
    /// Cases in the case table that the log does not have (left out), and
    /// the first few.
    pub not_in_log: u64,
    /// The first few cases not in the log.
    pub not_in_log_examples: Vec<String>,
    /// Cases of the table with an overall rating or outcome but no rated
    /// moment in the log (left out), and the first few.
    pub unrated: u64,
    /// The first few unrated cases.
    pub unrated_examples: Vec<String>,
    /// Cases with neither an overall rating nor an outcome (left out).
    pub nothing_to_learn: u64,
    /// The outcome names and how many cases had each, in first-seen order.
    pub outcomes: Vec<(String, u64)>,
    /// How the log was read, where the user should know (gzip, UTF-16,
    /// Windows-1252): [`EventSink::note`].
    pub notes: Vec<String>,
}

/// One case of the table, while the log is read.
struct Row {
    overall: Option<f64>,
    outcome: Option<u32>,
    value: Option<f64>,
    account: Option<u32>,
    line: u64,
    moments: Vec<(f64, f64)>,
    events: u32,
    last: Option<i64>,
    last_rated: bool,
    last_line: u64,
}

/// Reads events into the case table's rows.
struct Collector {
    rows: Vec<Row>,
    index: Fast<Box<str>, u32>,
    rating_scale: Option<(f64, f64)>,
    scale: Scale,
    timed: Option<(bool, u64)>,
    report: ReadReport,
    others: Fast<Box<str>, ()>,
}

impl Collector {
    fn rescale(&self, r: f64) -> Option<f64> {
        let (lo, hi) = self
            .rating_scale
            .unwrap_or((self.scale.min, self.scale.max));
        if !(r.is_finite() && r >= lo && r <= hi) {
            return None;
        }
        let s = &self.scale;
        Some(s.min + (r - lo) / (hi - lo) * (s.max - s.min))
    }
}

impl EventSink for Collector {
    fn note(&mut self, note: &str) {
        self.report.notes.push(note.to_string());
    }
    fn push(&mut self, e: &Event<'_>) -> Result<(), LogError> {
        self.report.events += 1;
        let line = Some(e.line);
        crate::observe::check_timed(&mut self.timed, e)?;
        let rating = match e.rating {
            Some(r) => {
                self.report.rated_events += 1;
                Some(self.rescale(r).ok_or_else(|| {
                    let (lo, hi) = self
                        .rating_scale
                        .unwrap_or((self.scale.min, self.scale.max));
                    LogError::new(
                        line,
                        None,
                        format!(
                            "rating {} is off the rating scale {}..{} (say the log's with --rating-scale MIN,MAX)",
                            crate::numfmt::shown(r),
                            crate::numfmt::shown(lo),
                            crate::numfmt::shown(hi)
                        ),
                    )
                })?)
            }
            None => None,
        };
        let Some(&i) = self.index.get(e.case) else {
            if !self.others.contains_key(e.case) {
                if self.report.not_in_table_examples.len() < 3 {
                    self.report.not_in_table_examples.push(e.case.to_string());
                }
                self.others.insert(e.case.into(), ());
            }
            return Ok(());
        };
        let row = &mut self.rows[i as usize];
        if let (Some(t0), Some(t)) = (row.last, e.time) {
            if t < t0 {
                return Err(crate::observe::earlier(e, row.last_line));
            }
            if row.last_rated
                && let Some(m) = row.moments.last_mut()
            {
                m.1 = (t - t0) as f64;
            }
        }
        row.events = row.events.saturating_add(1);
        row.last = e.time;
        row.last_line = e.line;
        row.last_rated = rating.is_some();
        if let Some(r) = rating {
            row.moments.push((r, f64::NAN));
        }
        Ok(())
    }

    fn skip(&mut self) {
        self.report.skipped_events += 1;
    }
}

/// The largest overall rating or value a case table may hold (sums of
/// squares stay finite far beyond any real one).
const MAX_NUMBER: f64 = 1e12;

/// How to read a log for a fit.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadOptions<'a> {
    pub(crate) log: LogOptions,
    pub(crate) rating_scale: Option<(f64, f64)>,
    pub(crate) positive: Option<&'a str>,
}

/// What the positive outcome is among the names seen.
pub(crate) enum Positive {
    /// Index into the outcome names.
    Is(u32),
    /// No outcomes in the table.
    None,
    /// Not decided: the names, and whether `--positive` named none of them.
    Undecided(Vec<String>, Option<String>),
}

/// Words that name the outcome to predict (compared ignoring case).
const POSITIVE: [&str; 17] = [
    "renewed",
    "renew",
    "renewal",
    "retained",
    "kept",
    "stayed",
    "won",
    "win",
    "yes",
    "true",
    "1",
    "success",
    "converted",
    "returned",
    "repurchased",
    "expanded",
    "closed-won",
];

/// Words that name the outcome not to predict.
const NEGATIVE: [&str; 16] = [
    "churned",
    "churn",
    "lost",
    "loss",
    "no",
    "false",
    "0",
    "cancelled",
    "canceled",
    "failed",
    "closed-lost",
    "left",
    "declined",
    "rejected",
    "lapsed",
    "not renewed",
];

/// The outcome to predict among `names`: `positive` if given, else the one
/// name among them that reads as a success (renewed, won, yes, 1 …), else,
/// of two names, the one that is not a failure (churned, lost, no, 0 …).
pub(crate) fn positive_of(names: &[String], positive: Option<&str>) -> Positive {
    if let (true, Some(p)) = (names.is_empty(), positive) {
        return Positive::Undecided(Vec::new(), Some(p.to_string()));
    }
    if names.is_empty() {
        return Positive::None;
    }
    if let Some(p) = positive {
        return match names.iter().position(|n| n == p) {
            Some(i) => Positive::Is(i as u32),
            None => Positive::Undecided(names.to_vec(), Some(p.to_string())),
        };
    }
    let hits: Vec<usize> = (0..names.len())
        .filter(|&i| POSITIVE.contains(&names[i].trim().to_lowercase().as_str()))
        .collect();
    let negative = |i: usize| NEGATIVE.contains(&names[i].trim().to_lowercase().as_str());
    match (&hits[..], names.len()) {
        ([i], _) => Positive::Is(*i as u32),
        ([], 2) if negative(0) != negative(1) => Positive::Is(u32::from(negative(0))),
        _ => Positive::Undecided(names.to_vec(), None),
    }
}

/// Read a case table and then a log into cases.
pub(crate) fn read<R1: std::io::Read, R2: std::io::Read>(
    log: R1,
    table: R2,
    options: &ReadOptions<'_>,
) -> Result<Read, super::FitError> {
    let mut index: Fast<Box<str>, u32> = Fast::default();
    let mut rows: Vec<Row> = Vec::new();
    let mut outcomes: Vec<String> = Vec::new();
    let mut accounts: Fast<String, u32> = Fast::default();
    let mut account_names: Vec<String> = Vec::new();
    let table_report = read_case_rows(table, |row: &CaseRow<'_>| {
        if let Some(&first) = index.get(row.case) {
            return Err(LogError::new(
                Some(row.line),
                None,
                format!(
                    "case \"{}\" is in the case table twice (first on line {})",
                    row.case, rows[first as usize].line
                ),
            ));
        }
        for (what, x) in [("overall rating", row.overall), ("value", row.value)] {
            if let Some(x) = x.filter(|x| x.abs() > MAX_NUMBER) {
                return Err(LogError::new(
                    Some(row.line),
                    None,
                    format!(
                        "{what} {} is beyond ±{MAX_NUMBER:e}: not a rating or an amount",
                        crate::numfmt::shown(x)
                    ),
                ));
            }
        }
        let outcome = row
            .outcome
            .map(|o| match outcomes.iter().position(|x| x == o) {
                Some(i) => i as u32,
                None => {
                    outcomes.push(o.to_string());
                    outcomes.len() as u32 - 1
                }
            });
        let account = row.account.map(|a| match accounts.get(a) {
            Some(&i) => i,
            None => {
                account_names.push(a.to_string());
                accounts.insert(a.to_string(), account_names.len() as u32 - 1);
                account_names.len() as u32 - 1
            }
        });
        index.insert(row.case.into(), rows.len() as u32);
        rows.push(Row {
            overall: row.overall,
            outcome,
            value: row.value,
            account,
            line: row.line,
            moments: Vec::new(),
            events: 0,
            last: None,
            last_rated: false,
            last_line: 0,
        });
        Ok(())
    })
    .map_err(super::FitError::CaseTable)?;
    let collector = Collector {
        rows,
        index,
        rating_scale: options.rating_scale,
        scale: Scale::default(),
        timed: None,
        report: ReadReport {
            table_cases: table_report.cases,
            ..ReadReport::default()
        },
        others: Fast::default(),
    };
    let c = read_events(log, &options.log, collector)?;
    let positive = positive_of(&outcomes, options.positive);
    let read = assemble(c, &account_names, outcomes, positive);
    let r = &read.report;
    if r.table_cases > 0 && r.not_in_log == r.table_cases && r.not_in_table > 0 {
        return Err(super::FitError::NoCommonCases {
            table: r.not_in_log_examples.clone(),
            log: r.not_in_table_examples.clone(),
        });
    }
    Ok(read)
}

/// What reading a log and a case table gives: the cases, what was left
/// out, the outcome names, which one is predicted, each one's mean value.
pub(crate) struct Read {
    pub(crate) cases: Cases,
    pub(crate) report: ReadReport,
    pub(crate) outcomes: Vec<String>,
    pub(crate) positive: Positive,
    pub(crate) values: Vec<Option<f64>>,
}

/// The collected rows as cases (in the table's order), what was left out,
/// and each outcome's mean value.
fn assemble(c: Collector, accounts: &[String], outcomes: Vec<String>, positive: Positive) -> Read {
    let mut report = c.report;
    report.timed = c.timed.is_some_and(|t| t.0);
    report.not_in_table = c.others.len() as u64;
    let mut names: Vec<&str> = vec![""; c.index.len()];
    for (name, &i) in &c.index {
        names[i as usize] = name;
    }
    let mut cases = Cases::new();
    let mut counts = vec![0u64; outcomes.len()];
    let mut values = vec![(0.0, 0u64); outcomes.len()];
    let mut durations = Vec::new();
    let mut emotions = Vec::new();
    for (i, row) in c.rows.into_iter().enumerate() {
        let learn = row.overall.is_some() || row.outcome.is_some();
        if !learn {
            report.nothing_to_learn += 1;
            continue;
        }
        if row.events == 0 {
            report.not_in_log += 1;
            if report.not_in_log_examples.len() < 3 {
                report.not_in_log_examples.push(names[i].to_string());
            }
            continue;
        }
        if row.moments.is_empty() {
            report.unrated += 1;
            if report.unrated_examples.len() < 3 {
                report.unrated_examples.push(names[i].to_string());
            }
            continue;
        }
        emotions.clear();
        durations.clear();
        emotions.extend(row.moments.iter().map(|m| m.0));
        durations.extend(row.moments.iter().map(|m| m.1));
        durations_of(&mut durations);
        let outcome = match (&positive, row.outcome) {
            (Positive::Is(p), Some(o)) => Some(o == *p),
            _ => None,
        };
        if let Some(o) = row.outcome {
            counts[o as usize] += 1;
            if let Some(v) = row.value {
                values[o as usize].0 += v;
                values[o as usize].1 += 1;
            }
        }
        cases.push_features(
            features(&emotions, &durations, cases.scale, row.events),
            row.overall,
            outcome,
            row.account.map(|a| accounts[a as usize].as_str()),
        );
    }
    report.outcomes = outcomes.iter().cloned().zip(counts).collect();
    let values = values
        .iter()
        .map(|&(s, n)| (n > 0).then(|| s / n as f64))
        .collect();
    Read {
        cases,
        report,
        outcomes,
        positive,
        values,
    }
}

/// Durations of a case's moments from the times to the next event (`NaN`
/// where unknown: untimed, or the last event): the last takes the mean of
/// the others; untimed moments, or all of zero length, weigh the same.
fn durations_of(d: &mut [f64]) {
    let known: Vec<f64> = d.iter().copied().filter(|x| x.is_finite()).collect();
    let total: f64 = known.iter().sum();
    if known.is_empty() || total <= 0.0 {
        d.fill(1.0);
        return;
    }
    let fill = total / known.len() as f64;
    for x in d.iter_mut() {
        if !x.is_finite() {
            *x = fill;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_moment_lasts_as_long_as_the_others_on_average() {
        let mut d = [60_000.0, 180_000.0, f64::NAN];
        durations_of(&mut d);
        assert_eq!(d, [60_000.0, 180_000.0, 120_000.0]);
        let mut d = [f64::NAN, f64::NAN];
        durations_of(&mut d);
        assert_eq!(d, [1.0, 1.0]);
        let mut d = [0.0, f64::NAN];
        durations_of(&mut d);
        assert_eq!(d, [1.0, 1.0]);
    }

    #[test]
    fn a_success_word_is_the_outcome_to_predict() {
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert!(matches!(
            positive_of(&names(&["churned", "Renewed"]), None),
            Positive::Is(1)
        ));
        assert!(matches!(
            positive_of(&names(&["a", "b"]), None),
            Positive::Undecided(_, None)
        ));
        assert!(matches!(
            positive_of(&names(&["a", "b"]), Some("b")),
            Positive::Is(1)
        ));
        assert!(matches!(positive_of(&[], None), Positive::None));
        assert!(matches!(
            positive_of(&names(&["order", "lost"]), None),
            Positive::Is(0)
        ));
    }
}
