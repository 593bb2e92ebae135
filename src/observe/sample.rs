//! Synthetic customers: an event log (and a case table) drawn from a
//! journey — a test oracle for discovery and a way to try the pipeline.

use crate::engine::{Rng, Sampler};
use crate::journey::Journey;
use crate::memory::MemoryModel;
use std::collections::{BinaryHeap, HashMap};
use std::io::Write;

/// How to draw synthetic customers.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SampleOptions {
    /// How many cases (customers).
    pub cases: u64,
    /// The seed: the same seed draws the same log.
    pub seed: u64,
    /// The rating scale of the log (default 1..5).
    pub rating_scale: (f64, f64),
    /// Standard deviation of the noise added to every rating, in rating
    /// units (default 0.5); ratings are then kept on the rating scale.
    pub noise: f64,
    /// The share of events that carry a rating (default 1).
    pub rated: f64,
    /// When the first case starts, in milliseconds since 1970 (default
    /// 2026-01-01T00:00:00Z).
    pub start: i64,
    /// Minutes between the starts of consecutive cases (default 60): cases
    /// overlap and their events interleave in the log, as in real logs.
    pub gap_minutes: f64,
    /// The log's format (default CSV).
    pub format: LogFormat,
    /// Accounts the cases belong to (default none): each case is drawn
    /// into one of this many accounts, named in the case table's
    /// `account` column.
    pub accounts: Option<u64>,
}

/// The format of a written event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LogFormat {
    /// CSV with XES column names, cases interleaved in time order.
    #[default]
    Csv,
    /// XES (IEEE 1849): one `<trace>` per case, in the order the cases
    /// start.
    Xes,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            cases: 1_000,
            seed: crate::DEFAULT_SEED,
            rating_scale: (1.0, 5.0),
            noise: 0.5,
            rated: 1.0,
            start: 1_767_225_600_000,
            gap_minutes: 60.0,
            format: LogFormat::Csv,
            accounts: None,
        }
    }
}

impl SampleOptions {
    /// `cases` customers with the other defaults.
    #[must_use]
    pub fn new(cases: u64) -> Self {
        SampleOptions {
            cases,
            ..SampleOptions::default()
        }
    }
    /// The seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// The noise on every rating (standard deviation, rating units).
    #[must_use]
    pub fn noise(mut self, sd: f64) -> Self {
        self.noise = sd;
        self
    }
    /// The share of events that carry a rating.
    #[must_use]
    pub fn rated(mut self, share: f64) -> Self {
        self.rated = share;
        self
    }
    /// Minutes between the starts of consecutive cases.
    #[must_use]
    pub fn gap_minutes(mut self, minutes: f64) -> Self {
        self.gap_minutes = minutes;
        self
    }
    /// The log's format.
    #[must_use]
    pub fn format(mut self, format: LogFormat) -> Self {
        self.format = format;
        self
    }
    /// The rating scale of the log.
    #[must_use]
    pub fn rating_scale(mut self, min: f64, max: f64) -> Self {
        self.rating_scale = (min, max);
        self
    }
    /// Draw the cases into this many accounts (the case table's
    /// `account`).
    #[must_use]
    pub fn accounts(mut self, accounts: u64) -> Self {
        self.accounts = Some(accounts);
        self
    }
}

/// What was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SampleReport {
    /// Cases written.
    pub cases: u64,
    /// Events written.
    pub events: u64,
}

/// A standard normal draw (Box–Muller on the engine's seeded generator,
/// so a seed means the same log on every platform).
fn normal(rng: &mut Rng) -> f64 {
    let u = 1.0 - rng.next_f64(); // (0, 1]
    let v = rng.next_f64();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Whether every timestamp a sample of `j` would write is one: the last
/// case starts `gap × (cases − 1)` after the first and lasts at most every
/// touchpoint's duration, and all of it must fall within the years
/// 0000..9999 that RFC 3339 timestamps can say.
///
/// # Errors
/// What would go past, and what to change.
///
/// ```
/// use peakend::observe::{check_sample_span, SampleOptions};
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":1}]}"#).unwrap();
/// assert!(check_sample_span(&j, &SampleOptions::new(1000)).is_ok());
/// assert!(check_sample_span(&j, &SampleOptions::new(1000).gap_minutes(1e12)).is_err());
/// ```
pub fn check_sample_span(j: &Journey, options: &SampleOptions) -> Result<(), String> {
    let longest: f64 = j
        .durations()
        .iter()
        .map(|d| (d * 60_000.0).round().max(1.0))
        .sum();
    let cases = options.cases.saturating_sub(1) as f64;
    let gap = options.gap_minutes * 60_000.0;
    let start = options.start as f64;
    let last = start + gap * cases + longest;
    let (lo, hi) = (
        // 0000-01-01T00:00:00Z: RFC 3339 has no earlier year.
        -62_167_219_200_000.0,
        jiff::Timestamp::MAX.as_millisecond() as f64,
    );
    if !(gap.is_finite() && gap >= 0.0) {
        return Err(format!(
            "the gap between cases, {} minutes, is not a length of time",
            crate::numfmt::shown(options.gap_minutes)
        ));
    }
    if !(start >= lo && last.is_finite() && last <= hi) {
        return Err(format!(
            "{} cases {} minutes apart, each up to {} minutes long, run past the year 9999, \
             the last a timestamp can say: a smaller gap or fewer cases",
            options.cases,
            crate::numfmt::shown(options.gap_minutes),
            crate::numfmt::shown(longest / 60_000.0)
        ));
    }
    Ok(())
}

fn timestamp(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}

/// Escape text for an XML attribute value: as XML content, and line
/// breaks and tabs as references (an attribute value would read them as
/// spaces).
fn xml(s: &str) -> String {
    crate::numfmt::escape(s)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// Quote a CSV cell when it needs it.
fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// Per position, the activity name a touchpoint gets in the log: its name,
/// or its id where names repeat.
fn activity_names(j: &Journey) -> Vec<&str> {
    let n = j.len();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for i in 0..n {
        *seen.entry(j.touchpoint(i).name.as_str()).or_insert(0) += 1;
    }
    (0..n)
        .map(|p| {
            let t = j.touchpoint(j.file_index(crate::journey::Pos(p)));
            if seen[t.name.as_str()] > 1 {
                t.id.as_str()
            } else {
                t.name.as_str()
            }
        })
        .collect()
}

/// The outcome (id) and its value, as the case table writes them, of the
/// end a path reaches.
fn outcome_cells(j: &Journey, path: &[usize]) -> String {
    let end = j.touchpoint(j.file_index(crate::journey::Pos(path[path.len() - 1])));
    let outcome = end.outcome.as_deref().unwrap_or("");
    let value = j
        .spec()
        .outcomes
        .iter()
        .find(|o| o.id == outcome)
        .and_then(|o| o.value)
        .map_or(String::new(), |v| v.to_string());
    format!(",{},{value}", cell(outcome))
}

/// What both log formats draw the same way: each case's moments as the
/// customer felt them (the touchpoint's emotion plus noise), which of them
/// are rated, and the case table's row — the ground-truth model applied to
/// the felt moments, plus the same noise.
struct Drawn<'a> {
    j: &'a Journey,
    model: &'a dyn MemoryModel,
    options: &'a SampleOptions,
    outcomes: bool,
    em: Vec<f64>,
    du: Vec<f64>,
}

/// One case as drawn: per step its rating (`None`: not rated), and its
/// case table row.
struct Case {
    ratings: Vec<Option<f64>>,
    row: String,
}

impl<'a> Drawn<'a> {
    fn new(j: &'a Journey, model: &'a dyn MemoryModel, options: &'a SampleOptions) -> Self {
        Drawn {
            j,
            model,
            options,
            outcomes: !j.spec().outcomes.is_empty(),
            em: Vec::new(),
            du: Vec::new(),
        }
    }

    /// An emotion as a rating on the log's scale, plus the noise, kept on
    /// the scale (to 0.001).
    fn rating(&self, emotion: f64, rng: &mut Rng) -> f64 {
        let scale = self.j.scale();
        let (a, b) = self.options.rating_scale;
        let x = a + (emotion - scale.min) / (scale.max - scale.min) * (b - a);
        let y = x + self.options.noise * normal(rng);
        (y.clamp(a, b) * 1000.0).round() / 1000.0
    }

    /// A rating back on the journey's scale.
    fn felt(&self, rating: f64) -> f64 {
        let scale = self.j.scale();
        let (a, b) = self.options.rating_scale;
        scale.min + (rating - a) / (b - a) * (scale.max - scale.min)
    }

    fn table_header(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            w,
            "case{},overall{}",
            if self.options.accounts.is_some() {
                ",account"
            } else {
                ""
            },
            if self.outcomes { ",outcome,value" } else { "" }
        )
    }

    /// Draw a case on its path: each moment felt (and whether rated), the
    /// overall rating from the felt moments by the ground-truth model,
    /// and the account. The same draws whether or not a case table is
    /// written.
    fn case(&mut self, case: u64, path: &[usize], rng: &mut Rng) -> Case {
        let mut ratings = Vec::with_capacity(path.len());
        self.em.clear();
        self.du.clear();
        for &p in path {
            let rated = self.options.rated >= 1.0 || rng.next_f64() < self.options.rated;
            let r = self.rating(self.j.emotions()[p], rng);
            self.em.push(self.felt(r));
            self.du.push(self.j.durations()[p]);
            ratings.push(rated.then_some(r));
        }
        let view = crate::memory::PathView {
            emotions: &self.em,
            durations: &self.du,
            scale: self.j.scale(),
        };
        let score = self.model.score(&view);
        let overall = self.rating(score, rng);
        let account = self
            .options
            .accounts
            .map(|k| format!(",account-{}", rng.below(k.max(1) as usize)))
            .unwrap_or_default();
        let outcome = if self.outcomes {
            outcome_cells(self.j, path)
        } else {
            String::new()
        };
        Case {
            ratings,
            row: format!("case-{case}{account},{overall}{outcome}"),
        }
    }
}

/// One case in progress: its path, where it is, and when.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Next {
    /// Time of its next event (negated: the heap pops the earliest).
    time: std::cmp::Reverse<i64>,
    case: std::cmp::Reverse<u64>,
}

/// Draw `options.cases` customers from the journey and write their events
/// as an event log: with [`LogFormat::Xes`] one trace per case (its
/// `concept:name`, and per event `concept:name`, `time:timestamp`,
/// `rating`), otherwise a CSV event log (`case:concept:name`, `concept:name`,
/// `time:timestamp`, `rating`), cases interleaved in time order; with
/// `cases_out`, also a case table (`case`; `account` with
/// [`SampleOptions::accounts`]; `overall`; and `outcome` and its `value`
/// when the journey names outcomes). Activities are the touchpoints'
/// names (their ids when names repeat). A touchpoint takes its `duration`
/// in minutes before the next one starts.
///
/// Each moment is *felt* as the touchpoint's emotion plus the noise (kept
/// on the rating scale); its rating, when it is rated, is that felt value.
/// The overall rating is `model` — the ground truth — applied to every
/// felt moment of the case (rated or not), on the rating scale, plus the
/// same noise: so `peakend fit` can recover the model from the log.
///
/// Memory is the cases in progress at one time, not the log.
///
/// ```
/// use peakend::observe::{sample_log, read_csv_log, DiscoverOptions, LogOptions, SampleOptions};
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"Order","emotion":4},{"id":"b","name":"Deliver","emotion":-6}]}"#).unwrap();
/// let mut log = Vec::new();
/// sample_log(&j, &peakend::Model::PeakEnd, &SampleOptions::new(50).noise(0.0), &mut log, None)?;
/// let found = read_csv_log(&log[..], &LogOptions::new(), DiscoverOptions::new().rating_scale(1.0, 5.0))
///     .unwrap();
/// assert_eq!(found.spec.touchpoints[1].emotion, -6.0);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// The writers' I/O errors; an `InvalidInput` error, before anything is
/// written, when the log's timestamps would run past what a timestamp can
/// say ([`check_sample_span`]).
///
/// # Panics
/// Never: every event popped belongs to a case in progress.
pub fn sample_log(
    j: &Journey,
    model: &dyn MemoryModel,
    options: &SampleOptions,
    log: &mut dyn Write,
    mut cases_out: Option<&mut dyn Write>,
) -> std::io::Result<SampleReport> {
    check_sample_span(j, options)
        .map_err(|m| std::io::Error::new(std::io::ErrorKind::InvalidInput, m))?;
    if options.format == LogFormat::Xes {
        return sample_xes(j, model, options, log, cases_out);
    }
    let names = activity_names(j);
    let mut drawn = Drawn::new(j, model, options);
    let sampler = Sampler::new(j);
    let mut rng = Rng::new(options.seed);
    writeln!(log, "case:concept:name,concept:name,time:timestamp,rating")?;
    if let Some(w) = cases_out.as_deref_mut() {
        drawn.table_header(w)?;
    }
    let gap = (options.gap_minutes * 60_000.0).round() as i64;
    // Per case in progress: its path, its step, its time, its ratings.
    type InProgress = (Vec<usize>, usize, i64, Vec<Option<f64>>);
    let mut active: HashMap<u64, InProgress> = HashMap::new();
    let mut heap: BinaryHeap<Next> = BinaryHeap::new();
    let mut next_case = 0u64;
    let mut events = 0u64;
    let mut path = Vec::new();
    loop {
        // Start every case due before the earliest event in progress.
        let start = options.start + gap * next_case as i64;
        let due = heap.peek().map(|x| x.time.0);
        if next_case < options.cases && due.is_none_or(|t| start <= t) {
            sampler.draw(&mut rng, &mut path);
            let case = next_case;
            next_case += 1;
            let drawn_case = drawn.case(case, &path, &mut rng);
            if let Some(w) = cases_out.as_deref_mut() {
                writeln!(w, "{}", drawn_case.row)?;
            }
            active.insert(case, (path.clone(), 0, start, drawn_case.ratings));
            heap.push(Next {
                time: std::cmp::Reverse(start),
                case: std::cmp::Reverse(case),
            });
            continue;
        }
        let Some(Next { time, case }) = heap.pop() else {
            break;
        };
        let (case, time) = (case.0, time.0);
        let (p, step, rating) = {
            let s = &active[&case];
            (s.0[s.1], s.1, s.3[s.1])
        };
        let rating = rating.map_or_else(String::new, |r| r.to_string());
        writeln!(
            log,
            "case-{case},{},{},{rating}",
            cell(names[p]),
            timestamp(time)
        )?;
        events += 1;
        let minutes = j.durations()[p];
        let s = active.get_mut(&case).expect("in progress");
        if step + 1 < s.0.len() {
            s.1 += 1;
            s.2 = time + (minutes * 60_000.0).round().max(1.0) as i64;
            heap.push(Next {
                time: std::cmp::Reverse(s.2),
                case: std::cmp::Reverse(case),
            });
        } else {
            active.remove(&case);
        }
    }
    Ok(SampleReport {
        cases: options.cases,
        events,
    })
}

/// [`sample_log`] in XES: each case's trace written whole when it starts
/// (its path is drawn then; its events follow one another by the
/// touchpoints' durations).
fn sample_xes(
    j: &Journey,
    model: &dyn MemoryModel,
    options: &SampleOptions,
    log: &mut dyn Write,
    mut cases_out: Option<&mut dyn Write>,
) -> std::io::Result<SampleReport> {
    let names = activity_names(j);
    let mut drawn = Drawn::new(j, model, options);
    let sampler = Sampler::new(j);
    let mut rng = Rng::new(options.seed);
    writeln!(log, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        log,
        r#"<log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">"#
    )?;
    for (name, prefix) in [("Concept", "concept"), ("Time", "time")] {
        writeln!(
            log,
            r#"  <extension name="{name}" prefix="{prefix}" uri="http://www.xes-standard.org/{prefix}.xesext"/>"#
        )?;
    }
    writeln!(
        log,
        r#"  <string key="concept:name" value="{}"/>"#,
        xml(&j.spec().name)
    )?;
    if let Some(w) = cases_out.as_deref_mut() {
        drawn.table_header(w)?;
    }
    let gap = (options.gap_minutes * 60_000.0).round() as i64;
    let mut path = Vec::new();
    let mut events = 0u64;
    for case in 0..options.cases {
        sampler.draw(&mut rng, &mut path);
        let drawn_case = drawn.case(case, &path, &mut rng);
        if let Some(w) = cases_out.as_deref_mut() {
            writeln!(w, "{}", drawn_case.row)?;
        }
        writeln!(
            log,
            "  <trace>\n    <string key=\"concept:name\" value=\"case-{case}\"/>"
        )?;
        let mut time = options.start + gap * case as i64;
        for (&p, rating) in path.iter().zip(&drawn_case.ratings) {
            write!(
                log,
                "    <event>\n      <string key=\"concept:name\" value=\"{}\"/>\n      \
                 <date key=\"time:timestamp\" value=\"{}\"/>\n",
                xml(names[p]),
                timestamp(time)
            )?;
            if let Some(r) = rating {
                writeln!(log, "      <float key=\"rating\" value=\"{r}\"/>")?;
            }
            writeln!(log, "    </event>")?;
            events += 1;
            time += (j.durations()[p] * 60_000.0).round().max(1.0) as i64;
        }
        writeln!(log, "  </trace>")?;
    }
    writeln!(log, "</log>")?;
    Ok(SampleReport {
        cases: options.cases,
        events,
    })
}
