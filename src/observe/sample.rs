//! Synthetic customers: an event log (and a case table) drawn from a
//! journey — a test oracle for discovery and a way to try the pipeline.

use crate::engine::{self, Rng, Sampler};
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

/// What both log formats draw the same way: noisy ratings on the log's
/// scale, and the case table's rows.
struct Drawn<'a> {
    j: &'a Journey,
    model: &'a dyn MemoryModel,
    options: &'a SampleOptions,
    outcomes: bool,
    em: Vec<f64>,
    du: Vec<f64>,
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

    fn table_header(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            w,
            "case,overall{}",
            if self.outcomes { ",outcome,value" } else { "" }
        )
    }

    /// The case table's row of a case: its remembered score as a noisy
    /// rating, and its outcome.
    fn table_row(
        &mut self,
        w: &mut dyn Write,
        case: u64,
        path: &[usize],
        rng: &mut Rng,
    ) -> std::io::Result<()> {
        let (score, _) = engine::score_path(self.j, self.model, path, &mut self.em, &mut self.du);
        let overall = self.rating(score, rng);
        write!(w, "case-{case},{overall}")?;
        if self.outcomes {
            write!(w, "{}", outcome_cells(self.j, path))?;
        }
        writeln!(w)
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
/// `cases_out`, also a case table (`case`, `overall` — the model's
/// remembered score on the rating scale plus the same noise — and
/// `outcome` and its `value` when the journey names outcomes). Activities are the
/// touchpoints' names (their ids when names repeat). A touchpoint takes its
/// `duration` in minutes before the next one starts.
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
/// The writers' I/O errors.
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
    let mut active: HashMap<u64, (Vec<usize>, usize, i64)> = HashMap::new();
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
            if let Some(w) = cases_out.as_deref_mut() {
                drawn.table_row(w, case, &path, &mut rng)?;
            }
            active.insert(case, (path.clone(), 0, start));
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
        let (p, step) = {
            let s = &active[&case];
            (s.0[s.1], s.1)
        };
        let rating = if options.rated >= 1.0 || rng.next_f64() < options.rated {
            drawn.rating(j.emotions()[p], &mut rng).to_string()
        } else {
            String::new()
        };
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
        if let Some(w) = cases_out.as_deref_mut() {
            drawn.table_row(w, case, &path, &mut rng)?;
        }
        writeln!(
            log,
            "  <trace>\n    <string key=\"concept:name\" value=\"case-{case}\"/>"
        )?;
        let mut time = options.start + gap * case as i64;
        for &p in &path {
            write!(
                log,
                "    <event>\n      <string key=\"concept:name\" value=\"{}\"/>\n      \
                 <date key=\"time:timestamp\" value=\"{}\"/>\n",
                xml(names[p]),
                timestamp(time)
            )?;
            if options.rated >= 1.0 || rng.next_f64() < options.rated {
                let r = drawn.rating(j.emotions()[p], &mut rng);
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
