//! Journeys observed in customer data: discovery from event logs.
//!
//! An event log lists what happened to each case (a customer, an order, a
//! ticket): the case, the activity, usually a timestamp, sometimes a
//! customer's rating of that moment. [`Discoverer`] turns such events,
//! fed one at a time in the log's order, into an ordinary journey: one
//! touchpoint per activity, transitions with the observed counts and
//! probabilities, entry and end shares, and emotions from the mean rating.
//! [`read_csv_log`] reads a CSV log into it (feature `logs`).
//!
//! **Memory** is bounded by the cases, the activities and the distinct case
//! prefixes (variants), not by the events: each case keeps only where it
//! is in a prefix tree of the variants seen so far.
//!
//! **Repeats are unrolled** so the journey is a DAG: the activities are put
//! in one order (the order that keeps most observed steps going forward:
//! a weighted greedy feedback-arc-set heuristic, Eades, Lin & Smyth 1993),
//! and a case that steps back in that order — a repeated check, a second
//! call, or two activities done the other way round than most cases do
//! them — enters a new *round*: its touchpoints from there on are copies
//! named "Activity (round 2)", "(round 3)", …. Where some cases end at a
//! touchpoint and others go on, the ending cases get their own copy,
//! "Activity (ends here)" (a journey's ends have no way onward). The
//! [`DiscoveryReport`] says how many cases and events each rule changed.
//!
//! Complexity: O(events) hashing for the pass (plus the prefix tree's
//! size), O((A + T) log T) to finish for A activities and T tree nodes.
// The prefix tree is walked by node index (parents before children).
#![allow(clippy::needless_range_loop)]

#[cfg(feature = "logs")]
mod input;
#[cfg(feature = "logs")]
mod log;

#[cfg(feature = "logs")]
pub use log::{
    CaseRow, CaseTableReport, LogColumns, LogOptions, read_case_rows, read_case_table,
    read_csv_log, read_csv_log_into, read_mapping, read_pairs,
};
#[cfg(feature = "logs")]
mod xes;
#[cfg(feature = "logs")]
pub use xes::{
    looks_like_xes, read_events, read_log, read_log_into, read_xes_log, read_xes_log_into,
};
#[cfg(feature = "logs")]
mod sample;
#[cfg(feature = "logs")]
pub use sample::{LogFormat, SampleOptions, SampleReport, check_sample_span, sample_log};

use crate::journey::name_key;
use crate::spec::{
    EvidenceKind, EvidenceSpec, JourneySpec, ObservedRouteSpec, ObservedSpec, OutcomeKind,
    OutcomeSpec, ScaleSpec, StageSpec, TouchpointSpec, TransitionSpec,
};
use std::collections::{BTreeMap, HashMap};

/// The per-event maps: foldhash, seeded per process (user-supplied case
/// ids cannot be crafted to collide), several times faster than SipHash
/// for short keys; the standard (randomly seeded SipHash) without the
/// `logs` feature, where events come only one at a time from the caller.
#[cfg(feature = "logs")]
pub(crate) type Fast<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
/// The per-event maps (without the `logs` feature: the standard hasher).
#[cfg(not(feature = "logs"))]
pub(crate) type Fast<K, V> = HashMap<K, V>;

/// One event of a log, as [`Discoverer::push`] takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Event<'a> {
    /// The case (customer, order, ticket) it belongs to.
    pub case: &'a str,
    /// What happened.
    pub activity: &'a str,
    /// When, in milliseconds since 1970 (UTC); `None` keeps log order.
    pub time: Option<i64>,
    /// A customer's rating of the moment, on the log's rating scale.
    pub rating: Option<f64>,
    /// The stage, channel and owning team, where the log has them.
    pub stage: Option<&'a str>,
    /// The channel.
    pub channel: Option<&'a str>,
    /// The owning team.
    pub owner: Option<&'a str>,
    /// Where the event is in its file (1-based line), for messages.
    pub line: u64,
}

impl<'a> Event<'a> {
    /// An event with just a case and an activity.
    ///
    /// ```
    /// let e = peakend::observe::Event::new("case-1", "Register", 2);
    /// assert_eq!(e.time, None);
    /// ```
    #[must_use]
    pub fn new(case: &'a str, activity: &'a str, line: u64) -> Self {
        Event {
            case,
            activity,
            time: None,
            rating: None,
            stage: None,
            channel: None,
            owner: None,
            line,
        }
    }
    /// With a timestamp (milliseconds since 1970, UTC).
    #[must_use]
    pub fn at(mut self, time: i64) -> Self {
        self.time = Some(time);
        self
    }
    /// With a rating on the log's rating scale.
    #[must_use]
    pub fn rated(mut self, rating: f64) -> Self {
        self.rating = Some(rating);
        self
    }
}

/// Where a log reader puts the events it reads ([`read_events`]):
/// [`Discoverer`] makes a journey of them; calibration
/// (`peakend fit`) collects each case's rated moments. Extension-trait
/// style: only [`push`](EventSink::push) is required.
pub trait EventSink {
    /// Take the next counted event, in log order.
    ///
    /// # Errors
    /// Whatever the sink finds wrong with the event (a [`LogError`] at its
    /// line); reading stops there.
    fn push(&mut self, e: &Event<'_>) -> Result<(), LogError>;
    /// An event the reader left out (its lifecycle transition is not
    /// `complete`). Default: nothing.
    fn skip(&mut self) {}
    /// Something the reader did that the user should be told: the log was
    /// gzip-compressed, UTF-16, Windows-1252 (each said once). The
    /// [`Discoverer`] keeps them in [`DiscoveryReport::notes`]. Default:
    /// nothing.
    fn note(&mut self, _note: &str) {}
}

impl EventSink for Discoverer {
    fn push(&mut self, e: &Event<'_>) -> Result<(), LogError> {
        Discoverer::push(self, e)
    }
    fn skip(&mut self) {
        Discoverer::skip(self);
    }
    fn note(&mut self, note: &str) {
        self.notes.push(note.to_string());
    }
}

/// Every event of a log has a timestamp, or none does: `timed` is what
/// the first event said, and its line (named when a later one differs:
/// the first may be the odd one out).
pub(crate) fn check_timed(timed: &mut Option<(bool, u64)>, e: &Event<'_>) -> Result<(), LogError> {
    let message = match (*timed, e.time) {
        (None, t) => {
            *timed = Some((t.is_some(), e.line));
            return Ok(());
        }
        (Some((true, first)), None) => format!(
            "this event has no timestamp, and the first event (line {first}) has one: give \
             every event a timestamp, or none"
        ),
        (Some((false, first)), Some(_)) => format!(
            "this event has a timestamp, and the first event (line {first}) has none: give \
             every event a timestamp, or none"
        ),
        _ => return Ok(()),
    };
    Err(LogError::new(Some(e.line), None, message))
}

/// An event earlier than its case's previous one (on `line`).
pub(crate) fn earlier(e: &Event<'_>, line: u64) -> LogError {
    LogError::new(
        Some(e.line),
        None,
        format!(
            "case \"{}\": this event is earlier than the case's event on line {line}; \
             list each case's events in time order (sort the log by case and time)",
            e.case
        ),
    )
}

/// How to turn a log into a journey.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiscoverOptions {
    /// The journey's name.
    pub name: String,
    /// The journey's emotion scale (default −10..10).
    pub scale: ScaleSpec,
    /// The scale the log's ratings are on; `None`: ratings are taken as
    /// given on the journey's scale.
    pub rating_scale: Option<(f64, f64)>,
    /// Touchpoints fewer customers than this share pass are left out,
    /// with the cases that pass them (0: keep everything).
    pub min_share: f64,
    /// Where the log comes from (a file name), for the evidence.
    pub source: Option<String>,
    /// A designed journey to discover onto ([`DiscoverOptions::onto`]).
    pub design: Option<Design>,
}

/// A designed journey that discovery maps the log's activities onto: a
/// matched activity's touchpoints take the design's id and name, and, where
/// the log does not say, its emotion (with its evidence), stage, channel,
/// owner, duration, tags and improvement. An activity matches the design's
/// touchpoint it is mapped to ([`Design::map`]), else the one whose id or
/// name it is (ignoring case, spaces and punctuation).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    spec: JourneySpec,
    source: String,
    /// Activity (normalised) → designed touchpoint index, from the mapping.
    mapped: HashMap<String, usize>,
    /// The mapping's activities in its order (to report the unused ones).
    mapped_order: Vec<String>,
    /// Designed id and name (normalised) → index (the first one).
    by_key: HashMap<String, usize>,
}

impl Design {
    /// A design from a valid journey; `source` names it in the evidence of
    /// the emotions it gives (a file name).
    #[must_use]
    pub fn new(journey: &crate::Journey, source: impl Into<String>) -> Self {
        let spec = journey.spec().clone();
        let mut by_key = HashMap::new();
        for (i, t) in spec.touchpoints.iter().enumerate() {
            by_key.entry(name_key(&t.id)).or_insert(i);
        }
        for (i, t) in spec.touchpoints.iter().enumerate() {
            by_key.entry(name_key(&t.name)).or_insert(i);
        }
        Design {
            spec,
            source: source.into(),
            mapped: HashMap::new(),
            mapped_order: Vec::new(),
            by_key,
        }
    }

    /// Map a log's activity onto the designed touchpoint with this id (or,
    /// failing that, this name).
    ///
    /// # Errors
    /// The message when the design has no such touchpoint, or the activity
    /// is mapped already.
    pub fn map(&mut self, activity: &str, touchpoint: &str) -> Result<(), String> {
        let t = touchpoint.trim();
        let i = self
            .spec
            .touchpoints
            .iter()
            .position(|d| d.id == t)
            .or_else(|| self.spec.touchpoints.iter().position(|d| d.name == t))
            .ok_or_else(|| {
                let known = self.spec.touchpoints.iter().map(|d| d.id.as_str());
                format!(
                    "the design has no touchpoint \"{t}\"{}",
                    crate::error::did_you_mean(t, known)
                        .map_or(String::new(), |m| format!(" (did you mean \"{m}\"?)"))
                )
            })?;
        let a = name_key(activity);
        if self.mapped.insert(a.clone(), i).is_some() {
            return Err(format!("activity \"{}\" is mapped twice", activity.trim()));
        }
        self.mapped_order.push(activity.trim().to_string());
        Ok(())
    }

    /// The designed touchpoint an activity matches.
    fn find(&self, activity: &str) -> Option<usize> {
        let a = name_key(activity);
        self.mapped.get(&a).or_else(|| self.by_key.get(&a)).copied()
    }
}

/// What `onto` a design did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct DesignReport {
    /// Where the design came from.
    pub source: String,
    /// Names of activities in the log matched to a designed touchpoint
    /// (several names may match one).
    pub matched: usize,
    /// Touchpoints whose emotion came from the design (no ratings in the
    /// log).
    pub emotions_from_design: usize,
    /// Activities the design has no touchpoint for (neutral where
    /// unrated), in the log's order.
    pub unmatched: Vec<String>,
    /// Designed touchpoints no activity of the log matched, in the
    /// design's order.
    pub unobserved: Vec<String>,
    /// Designed touchpoints whose activities `min_share` left out.
    pub pruned: Vec<String>,
    /// Mapping rows whose activity is not in the log.
    pub unused_mappings: Vec<String>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            name: "Discovered journey".into(),
            scale: ScaleSpec {
                min: -10.0,
                max: 10.0,
                neutral: None,
                ties: None,
            },
            rating_scale: None,
            min_share: 0.0,
            source: None,
            design: None,
        }
    }
}

impl DiscoverOptions {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        DiscoverOptions::default()
    }
    /// The journey's name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// The scale of the log's ratings (rescaled to the journey's).
    #[must_use]
    pub fn rating_scale(mut self, min: f64, max: f64) -> Self {
        self.rating_scale = Some((min, max));
        self
    }
    /// Leave out touchpoints fewer than this share of customers pass.
    #[must_use]
    pub fn min_share(mut self, share: f64) -> Self {
        self.min_share = share;
        self
    }
    /// Discover onto a designed journey (see [`Design`]): the journey
    /// takes the design's scale, and matched activities its ids, names and,
    /// where the log is silent, its emotions and attributes.
    #[must_use]
    pub fn onto(mut self, design: Design) -> Self {
        self.scale = design.spec.scale.unwrap_or(self.scale);
        self.design = Some(design);
        self
    }
    /// Where the log comes from.
    #[must_use]
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// The largest magnitude a rating scale's ends may have: ratings are on a
/// human scale (1..5, 0..10, 0..100); past it the span would overflow what
/// ratings are rescaled with.
pub const MAX_RATING: f64 = 1e6;

/// Whether `min..max` is a usable rating scale: finite, `min` below `max`,
/// both within ±[`MAX_RATING`].
///
/// # Errors
/// What is wrong with it, to be shown as it is.
///
/// ```
/// assert!(peakend::observe::check_rating_scale(1.0, 5.0).is_ok());
/// assert!(peakend::observe::check_rating_scale(-1e308, 1e308).is_err());
/// ```
pub fn check_rating_scale(min: f64, max: f64) -> Result<(), String> {
    let shown = |x: f64| crate::numfmt::shown(x);
    if !(min.is_finite() && max.is_finite() && min < max) {
        return Err(format!(
            "the rating scale {}..{} is not a scale (MIN below MAX, both finite)",
            shown(min),
            shown(max)
        ));
    }
    if min.abs() > MAX_RATING || max.abs() > MAX_RATING {
        return Err(format!(
            "the rating scale {}..{} reaches past ±{}: ratings are on a human scale \
             (1..5, 0..10, 0..100)",
            shown(min),
            shown(max),
            shown(MAX_RATING)
        ));
    }
    Ok(())
}

/// A problem with a log: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", place(*line, column.as_deref()))]
#[non_exhaustive]
pub struct LogError {
    /// The line of the file (1-based), when the problem has one.
    pub line: Option<u64>,
    /// The column (by its header name), when the problem has one.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

fn place(line: Option<u64>, column: Option<&str>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("line {l}, column `{c}`: "),
        (Some(l), None) => format!("line {l}: "),
        (None, Some(c)) => format!("column `{c}`: "),
        (None, None) => String::new(),
    }
}

impl LogError {
    pub(crate) fn new(line: Option<u64>, column: Option<&str>, message: impl Into<String>) -> Self {
        LogError {
            line,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }
}

/// What discovery found and changed, beyond the journey itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct DiscoveryReport {
    /// Cases in the log.
    pub cases: u64,
    /// Events in the log.
    pub events: u64,
    /// Distinct activities.
    pub activities: usize,
    /// Events with a rating.
    pub rated_events: u64,
    /// False when the log has no timestamps (events kept in file order).
    pub timestamps: bool,
    /// Cases with at least one step back in the activity order (unrolled
    /// into later rounds), and their events in rounds after the first.
    pub unrolled_cases: u64,
    /// Events placed in a round after the first.
    pub unrolled_events: u64,
    /// Cases that repeat an activity (rework, a second call), and the
    /// events that are such repeats; the other steps back are activities
    /// done in another order than most cases do them.
    pub rework_cases: u64,
    /// Events that repeat an activity of their case.
    pub repeated_events: u64,
    /// Touchpoints where some cases end and others go on: each got an
    /// "(ends here)" copy for its ending cases.
    pub split_ends: usize,
    /// Cases left out by `min_share` (they pass a rare touchpoint).
    pub pruned_cases: u64,
    /// Touchpoints left out by `min_share`.
    pub pruned_touchpoints: usize,
    /// Touchpoints without any rating (emotion neutral, evidence assumed).
    pub unrated_touchpoints: usize,
    /// Events left out because their lifecycle transition is not
    /// `complete` (a `start` or `schedule` event of an activity whose
    /// `complete` event counts): [`Discoverer::skip`].
    pub skipped_events: u64,
    /// Events merged into the visit before them: consecutive events whose
    /// log activities differ but map onto one designed touchpoint (a
    /// customer waiting while several back-office steps happen).
    pub merged_events: u64,
    /// What discovering onto a design did ([`DiscoverOptions::onto`]).
    pub design: Option<DesignReport>,
    /// Outcomes (by name) whose kind is neutral: a case table cannot say
    /// win or loss (a design naming the outcome can).
    pub neutral_outcomes: Vec<String>,
    /// How the log was read, where the user should know: gzip-compressed,
    /// UTF-16, cells read as Windows-1252 ([`EventSink::note`]).
    pub notes: Vec<String>,
}

/// The result of discovery: an ordinary journey and what was done.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Discovery {
    /// The journey, with `observed` counts and `evidence` per touchpoint.
    pub spec: JourneySpec,
    /// Counts and the changes made.
    pub report: DiscoveryReport,
}

/// A node of the prefix tree of case variants.
#[derive(Clone)]
struct Node {
    parent: u32,
    activity: u32,
    /// Cases whose prefix reaches this node.
    cases: u64,
    /// Of them, those whose last event it is.
    ends: u64,
    rating_n: u64,
    rating_sum: f64,
    rating_sq: f64,
    /// The activity occurred before in the case (rework).
    repeat: bool,
    /// Some earlier event of the case was a repeat.
    repeat_above: bool,
}

const ROOT: u32 = 0;

/// Where a case is: its prefix-tree node and its last time and line.
struct CaseState {
    node: u32,
    time: Option<i64>,
    line: u64,
    /// The names (bits by alias index) of its activity in the current
    /// visit.
    names: u64,
}

/// Per activity: its name and the values of stage, channel and owner seen.
struct Activity {
    name: String,
    /// Other names of the log that match the same designed touchpoint.
    aliases: Vec<String>,
    /// The designed touchpoint it matches.
    designed: Option<usize>,
    attrs: [BTreeMap<String, u64>; 3],
}

/// Turns events into a journey, one event at a time (see the module
/// docs).
///
/// ```
/// use peakend::observe::{Discoverer, DiscoverOptions, Event};
/// let mut d = Discoverer::new(DiscoverOptions::new().rating_scale(1.0, 5.0));
/// for (i, (case, activity, rating)) in [("c1", "Order", 4.0), ("c1", "Deliver", 2.0),
///     ("c2", "Order", 5.0), ("c2", "Deliver", 1.0)].into_iter().enumerate() {
///     d.push(&Event::new(case, activity, i as u64 + 2).rated(rating))?;
/// }
/// let found = d.finish()?;
/// assert_eq!(found.spec.touchpoints.len(), 2);
/// assert_eq!(found.spec.touchpoints[1].emotion, -7.5); // 1.5 of 1..5 on −10..10
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub struct Discoverer {
    options: DiscoverOptions,
    nodes: Vec<Node>,
    children: Fast<(u32, u32), u32>,
    /// Each case's index into `states`.
    cases: Fast<Box<str>, u32>,
    states: Vec<CaseState>,
    activities: Vec<Activity>,
    /// Log name → (activity, which of its names: 0 its first, 1.. its
    /// aliases).
    activity_ids: Fast<Box<str>, (u32, u32)>,
    /// Designed touchpoint → the activity matching it.
    by_design: HashMap<usize, u32>,
    events: u64,
    skipped: u64,
    merged: u64,
    rated: u64,
    timed: Option<(bool, u64)>,
    /// From a case table: each named case's outcome (index into
    /// `outcomes`, or `NONE`) and the table's line.
    case_outcomes: HashMap<Box<str>, (u32, u64)>,
    /// Outcome names, with the sum and count of the cases' values.
    outcomes: Vec<(String, f64, u64)>,
    /// (prefix-tree node, outcome) → cases ending there so.
    ends_by: HashMap<(u32, u32), u64>,
    /// How the log was read ([`EventSink::note`]).
    notes: Vec<String>,
}

impl Discoverer {
    /// An empty discoverer.
    #[must_use]
    pub fn new(options: DiscoverOptions) -> Self {
        Discoverer {
            options,
            nodes: vec![Node {
                parent: ROOT,
                activity: u32::MAX,
                cases: 0,
                ends: 0,
                rating_n: 0,
                rating_sum: 0.0,
                rating_sq: 0.0,
                repeat: false,
                repeat_above: false,
            }],
            children: Fast::default(),
            cases: Fast::default(),
            states: Vec::new(),
            activities: Vec::new(),
            activity_ids: Fast::default(),
            by_design: HashMap::new(),
            events: 0,
            skipped: 0,
            merged: 0,
            rated: 0,
            timed: None,
            case_outcomes: HashMap::new(),
            outcomes: Vec::new(),
            ends_by: HashMap::new(),
            notes: Vec::new(),
        }
    }

    /// What a case table says of one case: its outcome (renewed, churned,
    /// won, lost …; `None` for none) and what it was worth. Cases ending
    /// at one touchpoint with different outcomes get one end each.
    ///
    /// # Errors
    /// [`LogError`] at `line` when the table names the case twice.
    pub fn case_outcome(
        &mut self,
        case: &str,
        outcome: Option<&str>,
        value: Option<f64>,
        line: u64,
    ) -> Result<(), LogError> {
        let o = match outcome {
            None => NONE,
            Some(name) => {
                let i = match self.outcomes.iter().position(|x| x.0 == name) {
                    Some(i) => i,
                    None => {
                        self.outcomes.push((name.to_string(), 0.0, 0));
                        self.outcomes.len() - 1
                    }
                };
                if let Some(v) = value {
                    self.outcomes[i].1 += v;
                    self.outcomes[i].2 += 1;
                }
                i as u32
            }
        };
        if let Some(&(_, first)) = self.case_outcomes.get(case) {
            return Err(LogError::new(
                Some(line),
                None,
                format!("case \"{case}\" is in the case table twice (first on line {first})"),
            ));
        }
        self.case_outcomes.insert(case.into(), (o, line));
        Ok(())
    }

    /// Count an event the reader left out (its lifecycle transition is
    /// not `complete`): reported as `skipped_events`, so nothing is left
    /// out silently.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    /// Take the next event of the log.
    ///
    /// # Errors
    /// [`LogError`] at the event's line: a timestamp on some events but
    /// not others, an event earlier than its case's previous one (the log
    /// must list each case's events in time order; equal times keep file
    /// order), or a rating off the rating scale.
    pub fn push(&mut self, e: &Event<'_>) -> Result<(), LogError> {
        let line = Some(e.line);
        if self.events == 0
            && let Some((lo, hi)) = self.options.rating_scale
        {
            check_rating_scale(lo, hi).map_err(|m| LogError::new(None, None, m))?;
        }
        check_timed(&mut self.timed, e)?;
        let rating = match e.rating {
            Some(r) => Some(self.rescale(r).ok_or_else(|| {
                let (lo, hi) = self.rating_bounds();
                LogError::new(
                    line,
                    None,
                    format!(
                        "rating {} is off the rating scale {}..{}",
                        crate::numfmt::shown(r),
                        crate::numfmt::shown(lo),
                        crate::numfmt::shown(hi)
                    ),
                )
            })?),
            None => None,
        };
        let (activity, alias) = self.activity(e.activity);
        // Which of the activity's names, as a bit (names past the 64th
        // share the last bit: a repeat among them is not merged).
        let bit = 1u64 << alias.min(63);
        self.count_attributes(activity, e);
        // One lookup of the case per event.
        let index = self.cases.get(e.case).copied();
        let (from, previous, names) = match index {
            Some(i) => {
                let s = &self.states[i as usize];
                (s.node, Some((s.time, s.line)), s.names)
            }
            None => (ROOT, None, 0),
        };
        if let (Some((Some(t0), l0)), Some(t)) = (previous, e.time)
            && t < t0
        {
            return Err(earlier(e, l0));
        }
        // Another name of the activity the case is at (two log activities
        // mapped onto one designed touchpoint, one after the other): the
        // same visit. The same name again is a repeat (rework).
        let merged =
            from != ROOT && self.nodes[from as usize].activity == activity && names & bit == 0;
        let node = if merged {
            self.merged += 1;
            from
        } else {
            self.child(from, activity)
        };
        let n = &mut self.nodes[node as usize];
        if !merged {
            n.cases += 1;
        }
        if let Some(r) = rating {
            n.rating_n += 1;
            n.rating_sum += r;
            n.rating_sq += r * r;
            self.rated += 1;
        }
        let state = CaseState {
            node,
            time: e.time,
            line: e.line,
            names: if merged { names | bit } else { bit },
        };
        match index {
            Some(i) => self.states[i as usize] = state,
            None => {
                self.cases.insert(e.case.into(), self.states.len() as u32);
                self.states.push(state);
            }
        }
        self.events += 1;
        Ok(())
    }

    /// Count the event's stage, channel and owner for its activity.
    fn count_attributes(&mut self, activity: u32, e: &Event<'_>) {
        for (k, v) in [e.stage, e.channel, e.owner].into_iter().enumerate() {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                let seen = &mut self.activities[activity as usize].attrs[k];
                match seen.get_mut(v) {
                    Some(c) => *c += 1,
                    None => {
                        seen.insert(v.to_string(), 1);
                    }
                }
            }
        }
    }

    fn rating_bounds(&self) -> (f64, f64) {
        self.options
            .rating_scale
            .unwrap_or((self.options.scale.min, self.options.scale.max))
    }

    /// A rating on the journey's scale, `None` when off the rating scale.
    fn rescale(&self, r: f64) -> Option<f64> {
        let (lo, hi) = self.rating_bounds();
        if !(r.is_finite() && r >= lo && r <= hi) {
            return None;
        }
        let s = &self.options.scale;
        Some(if hi > lo {
            s.min + (r - lo) / (hi - lo) * (s.max - s.min)
        } else {
            s.neutral.unwrap_or((s.min + s.max) / 2.0)
        })
    }

    /// The activity of a log name, and which of its names it is.
    fn activity(&mut self, name: &str) -> (u32, u32) {
        if let Some(&a) = self.activity_ids.get(name) {
            return a;
        }
        // Onto a design, the activities matching one designed touchpoint
        // are one activity (under the first name seen, the others kept).
        let designed = self.options.design.as_ref().and_then(|d| d.find(name));
        if let Some(&a) = designed.and_then(|i| self.by_design.get(&i)) {
            let aliases = &mut self.activities[a as usize].aliases;
            aliases.push(name.to_string());
            let id = (a, aliases.len() as u32);
            self.activity_ids.insert(name.into(), id);
            return id;
        }
        let a = self.activities.len() as u32;
        self.activities.push(Activity {
            name: name.to_string(),
            aliases: Vec::new(),
            designed,
            attrs: Default::default(),
        });
        if let Some(i) = designed {
            self.by_design.insert(i, a);
        }
        self.activity_ids.insert(name.into(), (a, 0));
        (a, 0)
    }

    fn child(&mut self, parent: u32, activity: u32) -> u32 {
        if let Some(&c) = self.children.get(&(parent, activity)) {
            return c;
        }
        let c = self.nodes.len() as u32;
        // Once per prefix (not per event): does the activity occur earlier?
        let mut repeat = false;
        let mut up = parent;
        while up != ROOT {
            let n = &self.nodes[up as usize];
            if n.activity == activity {
                repeat = true;
                break;
            }
            up = n.parent;
        }
        let p = &self.nodes[parent as usize];
        let repeat_above = p.repeat || p.repeat_above;
        self.nodes.push(Node {
            parent,
            activity,
            cases: 0,
            ends: 0,
            rating_n: 0,
            rating_sum: 0.0,
            rating_sq: 0.0,
            repeat,
            repeat_above,
        });
        self.children.insert((parent, activity), c);
        c
    }

    /// Build the journey from everything pushed.
    ///
    /// # Errors
    /// [`LogError`] when the log had no events.
    pub fn finish(mut self) -> Result<Discovery, LogError> {
        if self.events == 0 {
            return Err(LogError::new(None, None, "the log has no events"));
        }
        if let Some((case, &(_, line))) = self
            .case_outcomes
            .iter()
            .filter(|(c, _)| !self.cases.contains_key(*c))
            .min_by_key(|(_, x)| x.1)
        {
            let missing = self
                .case_outcomes
                .keys()
                .filter(|c| !self.cases.contains_key(*c))
                .count();
            return Err(LogError::new(
                None,
                None,
                format!(
                    "the case table names {missing} case{} the log does not have, first \"{case}\" \
                     (its line {line})",
                    if missing == 1 { "" } else { "s" }
                ),
            ));
        }
        for (case, &i) in &self.cases {
            let s = &self.states[i as usize];
            self.nodes[s.node as usize].ends += 1;
            let o = self.case_outcomes.get(case).map_or(NONE, |x| x.0);
            *self.ends_by.entry((s.node, o)).or_insert(0) += 1;
        }
        let total = self.cases.len() as u64;
        drop(std::mem::take(&mut self.cases));
        drop(std::mem::take(&mut self.states));
        let (a, e) = (self.activities.len(), self.events);
        if a > 1000 && a as u64 * 2 > e {
            self.notes.push(format!(
                "{a} distinct activities in {e} events: does the activity column hold ids \
                 (a ticket or message number)? Name the one with the steps with --activity"
            ));
        }
        let order = activity_order(&self.nodes, self.activities.len());
        let share = self.options.min_share;
        if share > 0.0 {
            let (keeping, most) = largest_keeping_share(&self.nodes, &order);
            if (keeping as f64) < share * total as f64 {
                let pct = |x: f64| crate::numfmt::shown((x * 1e4).round() / 100.0);
                let most = most.floor_to_4();
                return Err(LogError::new(
                    None,
                    None,
                    format!(
                        "a minimum share of {} leaves out every case: each passes some touchpoint \
                         fewer than {}% of customers pass; the most a case keeps is {}% (a share \
                         of {} or less keeps some)",
                        crate::numfmt::shown(share),
                        pct(share),
                        pct(most),
                        crate::numfmt::shown(most)
                    ),
                ));
            }
        }
        Ok(build(&self, &order, total))
    }
}

/// Rounding a share down to four decimals (so that the share said keeps
/// the case it is said of).
trait Floor4 {
    fn floor_to_4(self) -> f64;
}

impl Floor4 for f64 {
    fn floor_to_4(self) -> f64 {
        (self * 1e4).floor() / 1e4
    }
}

/// The share `min_share` may have and still keep some case: over the cases
/// (the prefix-tree nodes where some end), the fewest customers passing a
/// touchpoint of the case's path; that count and its share of all cases.
fn largest_keeping_share(nodes: &[Node], place: &[u32]) -> (u64, f64) {
    let round = rounds(nodes, place);
    let base = |i: usize| (round[i], place[nodes[i].activity as usize]);
    let mut passing: HashMap<(u32, u32), u64> = HashMap::new();
    for i in 1..nodes.len() {
        *passing.entry(base(i)).or_insert(0) += nodes[i].cases;
    }
    let total: u64 = nodes[1..]
        .iter()
        .filter(|n| n.parent == ROOT)
        .map(|n| n.cases)
        .sum();
    let mut fewest = vec![u64::MAX; nodes.len()];
    let mut best = 0;
    for i in 1..nodes.len() {
        let here = passing[&base(i)];
        fewest[i] = here.min(fewest[nodes[i].parent as usize]);
        if nodes[i].ends > 0 {
            best = best.max(fewest[i]);
        }
    }
    (best, best as f64 / total.max(1) as f64)
}

/// An order of the activities that keeps most observed steps going
/// forward: weighted greedy feedback arc set (Eades, Lin & Smyth 1993) —
/// sinks to the back, sources to the front, else the activity whose
/// outgoing weight most exceeds its incoming weight; ties by first
/// appearance. Returns each activity's place.
fn activity_order(nodes: &[Node], n: usize) -> Vec<u32> {
    let mut w: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for node in &nodes[1..] {
        if node.parent != ROOT {
            let a = nodes[node.parent as usize].activity;
            if a != node.activity {
                *w.entry((a, node.activity)).or_insert(0) += node.cases;
            }
        }
    }
    let mut out_w = vec![0i128; n];
    let mut in_w = vec![0i128; n];
    let mut succ: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
    for (&(a, b), &c) in &w {
        out_w[a as usize] += i128::from(c);
        in_w[b as usize] += i128::from(c);
        succ[a as usize].push((b, c));
        pred[b as usize].push((a, c));
    }
    // Three ordered sets pick each next activity in O(log n) (a scan of
    // all activities per pick was O(n²): minutes for 100,000 distinct
    // activities): the sinks and the sources by index, every activity by
    // (out − in, lowest index first).
    use std::cmp::Reverse;
    use std::collections::BTreeSet;
    let mut alive = vec![true; n];
    let mut sinks: BTreeSet<u32> = BTreeSet::new();
    let mut sources: BTreeSet<u32> = BTreeSet::new();
    let mut by_delta: BTreeSet<(i128, Reverse<u32>)> = BTreeSet::new();
    let file = |v: usize,
                sinks: &mut BTreeSet<u32>,
                sources: &mut BTreeSet<u32>,
                by_delta: &mut BTreeSet<(i128, Reverse<u32>)>,
                (out_w, in_w): (i128, i128)| {
        if out_w == 0 && in_w > 0 {
            sinks.insert(v as u32);
        }
        if in_w == 0 {
            sources.insert(v as u32);
        }
        by_delta.insert((out_w - in_w, Reverse(v as u32)));
    };
    for v in 0..n {
        file(
            v,
            &mut sinks,
            &mut sources,
            &mut by_delta,
            (out_w[v], in_w[v]),
        );
    }
    let mut front: Vec<u32> = Vec::with_capacity(n);
    let mut back: Vec<u32> = Vec::new();
    for _ in 0..n {
        let (v, to_back) = if let Some(&v) = sinks.first() {
            (v, true)
        } else if let Some(&v) = sources.first() {
            (v, false)
        } else {
            let &(_, Reverse(v)) = by_delta.last().expect("some activity is left");
            (v, false)
        };
        let vi = v as usize;
        sinks.remove(&v);
        sources.remove(&v);
        by_delta.remove(&(out_w[vi] - in_w[vi], Reverse(v)));
        alive[vi] = false;
        if to_back {
            back.push(v);
        } else {
            front.push(v);
        }
        let changes = succ[vi]
            .iter()
            .map(|&(b, c)| (b, 0, c))
            .chain(pred[vi].iter().map(|&(a, c)| (a, c, 0)));
        for (u, less_out, less_in) in changes {
            let ui = u as usize;
            if !alive[ui] {
                continue;
            }
            sinks.remove(&u);
            sources.remove(&u);
            by_delta.remove(&(out_w[ui] - in_w[ui], Reverse(u)));
            out_w[ui] -= i128::from(less_out);
            in_w[ui] -= i128::from(less_in);
            file(
                ui,
                &mut sinks,
                &mut sources,
                &mut by_delta,
                (out_w[ui], in_w[ui]),
            );
        }
    }
    front.extend(back.into_iter().rev());
    let mut place = vec![0u32; n];
    for (i, &a) in front.iter().enumerate() {
        place[a as usize] = i as u32;
    }
    place
}

/// A touchpoint of the discovered journey: an activity (by its place in
/// the order) in a round, and whether it is the copy for the cases that
/// end there. Sorting keys gives a topological order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    round: u32,
    place: u32,
    /// For a copy that only ending cases reach: their outcome (`NONE`:
    /// none given).
    end: Option<u32>,
}

/// No outcome (a case the case table does not name, or without one).
const NONE: u32 = u32::MAX;

/// What one touchpoint gathers.
#[derive(Default)]
struct Gathered {
    activity: u32,
    cases: u64,
    starts: u64,
    ends: u64,
    /// The outcome of the cases ending here (one at most: touchpoints
    /// where cases end differently are split).
    outcome: Option<u32>,
}

/// Ratings of one (activity, round), pooled over its copies.
#[derive(Default, Clone, Copy)]
struct Ratings {
    n: u64,
    sum: f64,
    sq: f64,
}

/// The prefix tree folded into touchpoints and routes.
struct Folded {
    gathered: BTreeMap<Key, Gathered>,
    routes: BTreeMap<(Key, Key), u64>,
    ratings: HashMap<(u32, u32), Ratings>,
    kept_total: u64,
    pruned_cases: u64,
    pruned_touchpoints: usize,
    unrolled: (u64, u64),
    rework: (u64, u64),
    split_ends: usize,
}

/// Each prefix-tree node's round: a step back in the order (or a repeat)
/// starts a new one.
fn rounds(nodes: &[Node], place: &[u32]) -> Vec<u32> {
    let mut round = vec![0u32; nodes.len()];
    for (i, n) in nodes.iter().enumerate().skip(1) {
        if n.parent != ROOT {
            let p = &nodes[n.parent as usize];
            let back = place[n.activity as usize] <= place[p.activity as usize];
            round[i] = round[n.parent as usize] + u32::from(back);
        }
    }
    round
}

/// What `min_share` leaves out: per node, whether its touchpoint is rare,
/// whether a rare one comes before it, and how many of its cases pass a
/// rare one at or after it; and the number of rare touchpoints.
struct Pruning {
    rare: Vec<bool>,
    rare_above: Vec<bool>,
    excluded: Vec<u64>,
    touchpoints: usize,
}

fn pruning(nodes: &[Node], base: &[(u32, u32)], min_share: f64) -> Pruning {
    let t = nodes.len();
    // Cases passing each (activity, round): a case passes one at most once.
    let mut passing: HashMap<(u32, u32), u64> = HashMap::new();
    for (n, b) in nodes.iter().zip(base).skip(1) {
        *passing.entry(*b).or_insert(0) += n.cases;
    }
    let total: u64 = nodes[1..]
        .iter()
        .filter(|n| n.parent == ROOT)
        .map(|n| n.cases)
        .sum();
    let min = min_share * total as f64;
    let is_rare = |b: &(u32, u32)| (passing[b] as f64) < min;
    let rare: Vec<bool> = (0..t).map(|i| i > 0 && is_rare(&base[i])).collect();
    // Top-down: a rare ancestor; bottom-up: cases passing a rare one later.
    let mut rare_above = vec![false; t];
    for i in 1..t {
        let p = nodes[i].parent as usize;
        rare_above[i] = p != ROOT as usize && (rare_above[p] || rare[p]);
    }
    let mut below = vec![0u64; t];
    let mut excluded = vec![0u64; t];
    for i in (1..t).rev() {
        excluded[i] = if rare[i] { nodes[i].cases } else { below[i] };
        below[nodes[i].parent as usize] += excluded[i];
    }
    Pruning {
        rare,
        rare_above,
        excluded,
        touchpoints: passing.keys().filter(|b| is_rare(b)).count(),
    }
}

/// The touchpoints (activity, round) whose kept cases leave in more than
/// one way: some go on and some end, or they end with different outcomes.
/// `ways(i)` is, for node i, whether kept cases go on and the outcomes of
/// those that end there.
fn split_ends(
    base: &[(u32, u32)],
    ways: impl Fn(usize) -> (bool, Vec<u32>),
) -> std::collections::HashSet<(u32, u32)> {
    let mut seen: HashMap<(u32, u32), std::collections::BTreeSet<Option<u32>>> = HashMap::new();
    for (i, b) in base.iter().enumerate().skip(1) {
        let (goes_on, ends) = ways(i);
        let w = seen.entry(*b).or_default();
        if goes_on {
            w.insert(None);
        }
        w.extend(ends.into_iter().map(Some));
    }
    seen.into_iter()
        .filter(|(_, w)| w.len() > 1)
        .map(|(b, _)| b)
        .collect()
}

impl Folded {
    /// Count `here` kept cases at `n` (in `round`, its parent in
    /// `parent_round`) among the repeated and unrolled ones.
    fn count_changes(&mut self, n: &Node, here: u64, (round, parent_round): (u32, Option<u32>)) {
        if n.repeat {
            self.rework.1 += here;
            if !n.repeat_above {
                self.rework.0 += here;
            }
        }
        if round > 0 {
            self.unrolled.1 += here;
            if parent_round == Some(0) {
                self.unrolled.0 += here;
            }
        }
    }
}

/// Per prefix-tree node whose ending cases are kept, those cases by
/// outcome, in outcome order.
fn ends_by_node(d: &Discoverer, kept: impl Fn(usize) -> bool) -> HashMap<u32, Vec<(u32, u64)>> {
    let mut ends_of: HashMap<u32, Vec<(u32, u64)>> = HashMap::new();
    for (&(node, o), &c) in &d.ends_by {
        if kept(node as usize) {
            ends_of.entry(node).or_default().push((o, c));
        }
    }
    for v in ends_of.values_mut() {
        v.sort_unstable();
    }
    ends_of
}

fn fold(d: &Discoverer, place: &[u32]) -> Folded {
    let nodes = &d.nodes;
    let t = nodes.len();
    let round = rounds(nodes, place);
    let base: Vec<(u32, u32)> = (0..t)
        .map(|i| {
            let a = nodes[i].activity;
            (round[i], if i == 0 { 0 } else { place[a as usize] })
        })
        .collect();
    let pr = pruning(nodes, &base, d.options.min_share);
    let kept = |i: usize| {
        if pr.rare_above[i] {
            0
        } else {
            nodes[i].cases - pr.excluded[i]
        }
    };
    let kept_ends = |i: usize| {
        if pr.rare_above[i] || pr.rare[i] {
            0
        } else {
            nodes[i].ends
        }
    };
    let ends_of = ends_by_node(d, |i| kept_ends(i) > 0);
    // Where kept cases go on and end, or end with different outcomes: a
    // copy for each way of ending.
    let split = split_ends(&base, |i| {
        let outcomes: Vec<u32> = ends_of
            .get(&(i as u32))
            .map_or(Vec::new(), |v| v.iter().map(|x| x.0).collect());
        (kept(i) > kept_ends(i), outcomes)
    });
    let key = |i: usize, end: Option<u32>| {
        let (round, place) = base[i];
        Key {
            round,
            place,
            end: end.filter(|_| split.contains(&(round, place))),
        }
    };
    let mut f = Folded {
        gathered: BTreeMap::new(),
        routes: BTreeMap::new(),
        ratings: HashMap::new(),
        kept_total: 0,
        pruned_cases: 0,
        pruned_touchpoints: pr.touchpoints,
        unrolled: (0, 0),
        rework: (0, 0),
        split_ends: split.len(),
    };
    for i in 1..t {
        let n = &nodes[i];
        let here = kept(i);
        if n.parent == ROOT {
            f.kept_total += here;
            f.pruned_cases += n.cases - here;
        }
        if here == 0 {
            continue;
        }
        let parent_round = (n.parent != ROOT).then(|| round[n.parent as usize]);
        f.count_changes(n, here, (round[i], parent_round));
        let r = f.ratings.entry(base[i]).or_default();
        r.n += n.rating_n;
        r.sum += n.rating_sum;
        r.sq += n.rating_sq;
        let ending = kept_ends(i);
        let mut ways = vec![(None, here - ending)];
        if let Some(v) = ends_of.get(&(i as u32)) {
            ways.extend(v.iter().map(|&(o, c)| (Some(o), c)));
        }
        for (end, count) in ways {
            if count == 0 {
                continue;
            }
            let k = key(i, end);
            let g = f.gathered.entry(k).or_default();
            g.activity = n.activity;
            g.cases += count;
            if n.parent == ROOT {
                g.starts += count;
            }
            if let Some(o) = end {
                g.ends += count;
                g.outcome = Some(o);
            }
            if n.parent != ROOT {
                *f.routes
                    .entry((key(n.parent as usize, None), k))
                    .or_insert(0) += count;
            }
        }
    }
    f
}

/// A readable id: lowercase letters and digits, words joined by `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("step");
    }
    out
}

/// The most frequent value (ties: the first in alphabetical order).
fn most_common(values: &BTreeMap<String, u64>) -> Option<String> {
    let mut best: Option<(&String, u64)> = None;
    for (v, &c) in values {
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((v, c));
        }
    }
    best.map(|(v, _)| v.clone())
}

/// A touchpoint's emotion and evidence from its ratings (neutral and
/// assumed without any); `true` when unrated.
fn emotion_of(r: Ratings, scale: &ScaleSpec, source: Option<&String>) -> (f64, EvidenceSpec, bool) {
    if r.n == 0 {
        let mut e = EvidenceSpec::new(EvidenceKind::Assumed);
        e.n = Some(0);
        e.source = Some("no ratings in the log: neutral".into());
        return (
            scale.neutral.unwrap_or((scale.min + scale.max) / 2.0),
            e,
            true,
        );
    }
    let mean = r.sum / r.n as f64;
    let var = if r.n > 1 {
        ((r.sq - r.sum * mean) / (r.n - 1) as f64).max(0.0)
    } else {
        0.0
    };
    let mut e = EvidenceSpec::new(EvidenceKind::Measured);
    e.n = Some(r.n);
    e.sd = (r.n > 1).then(|| var.sqrt().min(scale.max - scale.min));
    e.source = source.cloned();
    // To 1e-9: a mean of rescaled ratings reads -4, not -3.999999999999999.
    let mean = (mean * 1e9).round() / 1e9;
    (mean.clamp(scale.min, scale.max), e, false)
}

/// A unique readable id and the name of a touchpoint, from its activity's
/// (or the design's touchpoint's) id and name.
fn label(
    (mut id, mut name): (String, String),
    k: Key,
    outcomes: &[(String, f64, u64)],
    used: &mut HashMap<String, u32>,
) -> (String, String) {
    if k.round > 0 {
        id = format!("{id}-round-{}", k.round + 1);
        name = format!("{name} (round {})", k.round + 1);
    }
    match k.end {
        Some(NONE) => {
            id.push_str("-end");
            name.push_str(" (ends here)");
        }
        Some(o) => {
            let outcome = &outcomes[o as usize].0;
            id = format!("{id}-end-{}", slug(outcome));
            name = format!("{name} (ends: {outcome})");
        }
        None => {}
    }
    let seen = used.entry(id.clone()).or_insert(0);
    *seen += 1;
    if *seen > 1 {
        id = format!("{id}-{seen}");
    }
    (id, name)
}

/// Outcomes onto a design: a case table's outcome that the design names
/// (by id or name) takes the design's id, kind and (where the cases had
/// none) value; the design's outcomes that ends took from the design are
/// added.
fn adopt_outcomes(spec: &mut JourneySpec, design: &JourneySpec) {
    let mut renamed: HashMap<String, String> = HashMap::new();
    let mut taken: std::collections::HashSet<String> =
        spec.outcomes.iter().map(|o| o.id.clone()).collect();
    for o in &mut spec.outcomes {
        if let Some(d) = design
            .outcomes
            .iter()
            .find(|d| name_key(&d.id) == name_key(&o.id) || name_key(&d.name) == name_key(&o.name))
            .filter(|d| d.id == o.id || taken.insert(d.id.clone()))
        {
            renamed.insert(o.id.clone(), d.id.clone());
            o.id.clone_from(&d.id);
            o.name.clone_from(&d.name);
            o.kind = d.kind;
            if o.value.is_none() {
                o.value = d.value;
            }
        }
    }
    for t in &mut spec.touchpoints {
        if let Some(new) = t.outcome.as_ref().and_then(|o| renamed.get(o)) {
            t.outcome = Some(new.clone());
        }
    }
    for d in &design.outcomes {
        let used = spec
            .touchpoints
            .iter()
            .any(|t| t.outcome.as_deref() == Some(d.id.as_str()));
        if used && !spec.outcomes.iter().any(|o| o.id == d.id) {
            spec.outcomes.push(d.clone());
        }
    }
}

/// The transitions, with counts and the shares as probabilities.
fn transitions(f: &Folded, ids: &HashMap<Key, String>) -> Vec<TransitionSpec> {
    let mut going: HashMap<Key, u64> = HashMap::new();
    for (&(a, _), &c) in &f.routes {
        *going.entry(a).or_insert(0) += c;
    }
    f.routes
        .iter()
        .map(|(&(a, b), &c)| {
            let mut tr = TransitionSpec::new(
                ids[&a].clone(),
                ids[&b].clone(),
                Some(c as f64 / going[&a] as f64),
            );
            tr.observed = Some(ObservedRouteSpec { cases: c });
            tr
        })
        .collect()
}

/// Ids of the outcomes: their slugs, numbered where two slugs meet.
fn outcome_ids(outcomes: &[(String, f64, u64)]) -> Vec<String> {
    let mut taken: HashMap<String, u32> = HashMap::new();
    outcomes
        .iter()
        .map(|(name, _, _)| {
            let id = slug(name);
            let n = taken.entry(id.clone()).or_insert(0);
            *n += 1;
            if *n > 1 { format!("{id}-{n}") } else { id }
        })
        .collect()
}

/// What a matched touchpoint takes from the design: duration, tags,
/// improvement, stage, channel and owner (the log's own win later), and a
/// note of the log's names where they differ from the design's.
fn take_design(t: &mut TouchpointSpec, activity: &Activity, dt: &TouchpointSpec) {
    let names: Vec<&str> = std::iter::once(activity.name.as_str())
        .chain(activity.aliases.iter().map(String::as_str))
        .collect();
    if names != [dt.name.as_str()] {
        t.notes = Some(format!(
            "{} in the log: {}",
            if names.len() == 1 {
                "Activity"
            } else {
                "Activities"
            },
            names.join("; ")
        ));
    }
    t.duration = dt.duration;
    t.tags.clone_from(&dt.tags);
    t.improvement.clone_from(&dt.improvement);
    t.stage.clone_from(&dt.stage);
    t.channel.clone_from(&dt.channel);
    t.owner.clone_from(&dt.owner);
}

/// The log's stage (declared in `stages` if new), channel and owner: the
/// most common value of the activity's events, over the design's.
fn take_log_attributes(t: &mut TouchpointSpec, activity: &Activity, stages: &mut Vec<StageSpec>) {
    if let Some(stage) = most_common(&activity.attrs[0]) {
        let sid = match stages
            .iter()
            .find(|s| s.name == stage || s.id == slug(&stage))
        {
            Some(s) => s.id.clone(),
            None => {
                let sid = slug(&stage);
                stages.push(StageSpec {
                    id: sid.clone(),
                    name: stage,
                });
                sid
            }
        };
        t.stage = Some(sid);
    }
    if let Some(c) = most_common(&activity.attrs[1]) {
        t.channel = Some(c);
    }
    if let Some(o) = most_common(&activity.attrs[2]) {
        t.owner = Some(o);
    }
}

/// What matching onto the design did.
fn design_report(
    d: &Discoverer,
    ds: &Design,
    reached: &[bool],
    emotions_from_design: usize,
) -> DesignReport {
    let keys: std::collections::HashSet<String> = d
        .activities
        .iter()
        .flat_map(|a| std::iter::once(&a.name).chain(&a.aliases))
        .map(|a| name_key(a))
        .collect();
    DesignReport {
        source: ds.source.clone(),
        matched: d
            .activities
            .iter()
            .map(|a| usize::from(a.designed.is_some()) + a.aliases.len())
            .sum(),
        emotions_from_design,
        unmatched: d
            .activities
            .iter()
            .filter(|a| a.designed.is_none())
            .map(|a| a.name.clone())
            .collect(),
        unobserved: ds
            .spec
            .touchpoints
            .iter()
            .enumerate()
            .filter(|(i, _)| !d.by_design.contains_key(i))
            .map(|(_, t)| t.name.clone())
            .collect(),
        pruned: ds
            .spec
            .touchpoints
            .iter()
            .enumerate()
            .filter(|(i, _)| d.by_design.contains_key(i) && !reached[*i])
            .map(|(_, t)| t.name.clone())
            .collect(),
        unused_mappings: ds
            .mapped_order
            .iter()
            .filter(|a| !keys.contains(&name_key(a)))
            .cloned()
            .collect(),
    }
}

/// The journey from its touchpoints: outcomes (onto the design's), scale,
/// stages, transitions, a description; and the outcomes left neutral.
fn assemble(
    d: &Discoverer,
    touchpoints: Vec<TouchpointSpec>,
    stages: Vec<StageSpec>,
    outcome_ids: &[String],
    (f, ids, total): (&Folded, &HashMap<Key, String>, u64),
) -> (JourneySpec, Vec<String>) {
    let design = d.options.design.as_ref();
    let mut spec = JourneySpec::linear(d.options.name.clone(), touchpoints);
    spec.outcomes = d
        .outcomes
        .iter()
        .zip(outcome_ids)
        .map(|((name, sum, n), id)| OutcomeSpec {
            id: id.clone(),
            name: name.clone(),
            kind: OutcomeKind::Neutral,
            value: (*n > 0).then(|| sum / *n as f64),
        })
        .collect();
    if let Some(ds) = design {
        adopt_outcomes(&mut spec, &ds.spec);
    }
    let neutral_outcomes = spec
        .outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Neutral)
        .map(|o| o.name.clone())
        .collect();
    spec.scale = Some(d.options.scale);
    spec.stages = stages;
    spec.transitions = Some(transitions(f, ids));
    spec.description = Some(format!(
        "Discovered from {}{} cases and {} events.",
        d.options
            .source
            .as_ref()
            .map_or(String::new(), |s| format!("{s}: ")),
        total,
        d.events
    ));
    (spec, neutral_outcomes)
}

fn build(d: &Discoverer, place: &[u32], total: u64) -> Discovery {
    let f = fold(d, place);
    let scale = &d.options.scale;
    let mut used: HashMap<String, u32> = HashMap::new();
    let mut ids: HashMap<Key, String> = HashMap::new();
    let mut stages: Vec<StageSpec> = Vec::new();
    let mut touchpoints = Vec::with_capacity(f.gathered.len());
    let mut unrated = 0;
    let outcome_ids = outcome_ids(&d.outcomes);
    let design = d.options.design.as_ref();
    let matches: Vec<Option<usize>> = d.activities.iter().map(|a| a.designed).collect();
    if let Some(ds) = design {
        stages.extend(ds.spec.stages.iter().cloned());
    }
    let mut from_design = 0;
    let mut reached = vec![false; design.map_or(0, |ds| ds.spec.touchpoints.len())];
    for (&k, g) in &f.gathered {
        let activity = &d.activities[g.activity as usize];
        let designed =
            matches[g.activity as usize].and_then(|i| design.map(|ds| &ds.spec.touchpoints[i]));
        let base = designed.map_or_else(
            || (slug(&activity.name), activity.name.clone()),
            |t| (t.id.clone(), t.name.clone()),
        );
        let base_id = base.0.clone();
        let (id, name) = label(base, k, &d.outcomes, &mut used);
        ids.insert(k, id.clone());
        let r = f
            .ratings
            .get(&(k.round, k.place))
            .copied()
            .unwrap_or_default();
        let (mut emotion, mut evidence, no_rating) =
            emotion_of(r, scale, d.options.source.as_ref());
        unrated += usize::from(no_rating);
        if let (Some(t), Some(ds)) = (designed, design) {
            if let Some(i) = matches[g.activity as usize] {
                reached[i] = true;
            }
            if no_rating {
                from_design += 1;
                emotion = t.emotion;
                evidence = t.evidence.clone().unwrap_or_else(|| {
                    let mut e = EvidenceSpec::new(EvidenceKind::Assumed);
                    e.source = Some(format!("designed: {}", ds.source));
                    e
                });
            }
        }
        let mut t = TouchpointSpec::new(id, name, emotion);
        t.evidence = Some(evidence);
        if let Some(dt) = designed {
            take_design(&mut t, activity, dt);
        }
        t.observed = Some(ObservedSpec {
            cases: g.cases,
            starts: (g.starts > 0).then_some(g.starts),
            ends: (g.ends > 0).then_some(g.ends),
            base: (k.round > 0 || k.end.is_some()).then(|| base_id.clone()),
        });
        if g.starts > 0 {
            t.entry = Some(g.starts as f64 / f.kept_total as f64);
        }
        if let Some(o) = g.outcome.filter(|&o| o != NONE && g.ends == g.cases) {
            t.outcome = Some(outcome_ids[o as usize].clone());
        } else if let Some(o) = designed
            .and_then(|dt| dt.outcome.clone())
            .filter(|_| g.ends > 0 && g.ends == g.cases)
        {
            // An end the log gives no outcome: the design's.
            t.outcome = Some(o);
        }
        take_log_attributes(&mut t, activity, &mut stages);
        touchpoints.push(t);
    }
    let design_report = design.map(|ds| design_report(d, ds, &reached, from_design));
    let (spec, neutral_outcomes) =
        assemble(d, touchpoints, stages, &outcome_ids, (&f, &ids, total));
    Discovery {
        spec,
        report: DiscoveryReport {
            cases: total,
            events: d.events,
            skipped_events: d.skipped,
            merged_events: d.merged,
            activities: d.activities.len(),
            rated_events: d.rated,
            timestamps: d.timed.is_some_and(|t| t.0),
            unrolled_cases: f.unrolled.0,
            unrolled_events: f.unrolled.1,
            rework_cases: f.rework.0,
            repeated_events: f.rework.1,
            split_ends: f.split_ends,
            pruned_cases: f.pruned_cases,
            pruned_touchpoints: f.pruned_touchpoints,
            unrated_touchpoints: unrated,
            design: design_report,
            neutral_outcomes,
            notes: d.notes.clone(),
        },
    }
}
