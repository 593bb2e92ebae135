//! CSV event logs: columns found by their usual names (the XES names that
//! process-mining exports use, and plain ones) or named; read in one
//! streaming pass.

use super::{Design, DiscoverOptions, Discoverer, Discovery, Event, EventSink, LogError};
use std::io::{BufRead, BufReader, Read};

/// Which columns of a CSV event log hold what. A column left `None` is
/// looked for under its usual names (see [`LogColumns::USUAL`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogColumns {
    /// The case (customer, order, ticket).
    pub case: Option<String>,
    /// The activity.
    pub activity: Option<String>,
    /// The timestamp.
    pub time: Option<String>,
    /// A customer's rating of the moment.
    pub rating: Option<String>,
    /// The stage.
    pub stage: Option<String>,
    /// The channel.
    pub channel: Option<String>,
    /// The owning team.
    pub owner: Option<String>,
    /// The lifecycle transition (`start`, `complete`, …): where a log has
    /// one, only `complete` events count (the others are counted as
    /// skipped).
    pub lifecycle: Option<String>,
}

impl LogColumns {
    /// Usual names per role (compared ignoring case, spaces, `_` and `-`),
    /// the first present wins: the XES names first.
    pub const USUAL: [(&'static str, &'static [&'static str]); 8] = [
        ("case", &["case:concept:name", "case", "caseid", "case:id"]),
        (
            "activity",
            &[
                "concept:name",
                "activity",
                "activityname",
                "event",
                "eventname",
                "task",
            ],
        ),
        (
            "time",
            &["time:timestamp", "timestamp", "time", "datetime", "date"],
        ),
        ("rating", &["rating", "score", "csat"]),
        ("stage", &["stage", "phase"]),
        ("channel", &["channel", "case:channel"]),
        ("owner", &["owner", "team", "org:group", "group"]),
        ("lifecycle", &["lifecycle:transition", "lifecycle"]),
    ];

    pub(crate) fn named(&self) -> [Option<&str>; 8] {
        [
            self.case.as_deref(),
            self.activity.as_deref(),
            self.time.as_deref(),
            self.rating.as_deref(),
            self.stage.as_deref(),
            self.channel.as_deref(),
            self.owner.as_deref(),
            self.lifecycle.as_deref(),
        ]
    }
}

/// How to read an event log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogOptions {
    /// Which columns hold what.
    pub columns: LogColumns,
}

impl LogOptions {
    /// Columns found by their usual names.
    #[must_use]
    pub fn new() -> Self {
        LogOptions::default()
    }
    /// Name the column of one role: `case`, `activity`, `time`, `rating`,
    /// `stage`, `channel`, `owner` or `lifecycle`.
    ///
    /// # Panics
    /// On a role not in that list (a programming error).
    #[must_use]
    pub fn column(mut self, role: &str, name: impl Into<String>) -> Self {
        let c = &mut self.columns;
        let slot = match role {
            "case" => &mut c.case,
            "activity" => &mut c.activity,
            "time" => &mut c.time,
            "rating" => &mut c.rating,
            "stage" => &mut c.stage,
            "channel" => &mut c.channel,
            "owner" => &mut c.owner,
            "lifecycle" => &mut c.lifecycle,
            other => panic!(
                "no column role `{other}` (one of {})",
                LogColumns::USUAL.map(|u| u.0).join(", ")
            ),
        };
        *slot = Some(name.into());
        self
    }
}

pub(crate) fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Each role's column index, from the header.
fn columns(header: &csv::StringRecord, named: &LogColumns) -> Result<[Option<usize>; 8], LogError> {
    let norm: Vec<String> = header.iter().map(normalise).collect();
    let mut out = [None; 8];
    for (k, (role, usual)) in LogColumns::USUAL.iter().enumerate() {
        out[k] = match named.named()[k] {
            Some(name) => Some(norm.iter().position(|h| *h == normalise(name)).ok_or_else(
                || {
                    LogError::new(
                        Some(1),
                        None,
                        format!(
                            "no column named \"{name}\" for the {role} (the header has: {})",
                            header.iter().collect::<Vec<_>>().join(", ")
                        ),
                    )
                },
            )?),
            None => usual.iter().find_map(|u| norm.iter().position(|h| h == u)),
        };
    }
    for (k, flag) in [(0, "--case"), (1, "--activity")] {
        if out[k].is_none() {
            let (role, usual) = LogColumns::USUAL[k];
            return Err(LogError::new(
                Some(1),
                None,
                format!(
                    "no {role} column (looked for {}; name it with {flag}); the header has: {}",
                    usual.join(", "),
                    header.iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

/// Milliseconds since 1970 (UTC) of a timestamp: RFC 3339 / ISO 8601 with
/// an offset (a space instead of `T` too), or a civil date-time or date
/// without one (read as UTC).
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    let civil = s.parse::<jiff::civil::DateTime>().ok().or_else(|| {
        s.parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    })?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

/// Whether a lifecycle transition is the one that counts: `complete`
/// (XES's standard lifecycle model; any case).
pub(crate) fn is_complete(transition: &str) -> bool {
    transition.trim().eq_ignore_ascii_case("complete")
}

/// A rating: a number, with a decimal point or a decimal comma.
pub(crate) fn parse_rating(s: &str) -> Option<f64> {
    let s = s.trim();
    s.parse::<f64>()
        .ok()
        .or_else(|| s.replace(',', ".").parse::<f64>().ok())
        .filter(|x| x.is_finite())
}

/// Read a CSV event log in one streaming pass and discover its journey.
/// The separator (comma, semicolon, tab) is found from the header line; a
/// byte-order mark is skipped; the events of each case must come in time
/// order (the log may interleave cases).
///
/// # Errors
/// [`LogError`] with the line (and the column, by its header name): no
/// case or activity column, an empty case or activity, a timestamp or
/// rating that does not read, a rating off its scale, an event earlier
/// than its case's previous one, text that is not UTF-8, an empty log.
///
/// ```
/// use peakend::observe::{read_csv_log, DiscoverOptions, LogOptions};
/// let log = "case,activity,timestamp\n1,Order,2024-01-01 10:00\n1,Deliver,2024-01-03 09:00\n";
/// let found = read_csv_log(log.as_bytes(), &LogOptions::new(), DiscoverOptions::new())?;
/// assert_eq!(found.report.cases, 1);
/// assert_eq!(found.spec.touchpoints[0].name, "Order");
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub fn read_csv_log<R: Read>(
    reader: R,
    log: &LogOptions,
    options: DiscoverOptions,
) -> Result<Discovery, LogError> {
    read_csv_log_into(reader, log, Discoverer::new(options))
}

/// Open a CSV file's rows: the header and a reader, the separator sniffed
/// from the header line.
fn open<R: Read>(reader: R, what: &str) -> Result<csv::Reader<impl Read>, LogError> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut first = Vec::new();
    reader
        .read_until(b'\n', &mut first)
        .map_err(|e| LogError::new(None, None, format!("cannot read {what}: {e}")))?;
    let head = String::from_utf8_lossy(&first).into_owned();
    if head.trim().is_empty() {
        return Err(LogError::new(None, None, format!("{what} is empty")));
    }
    let sep = crate::format::sniff_separator(&head);
    Ok(csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .from_reader(std::io::Cursor::new(first).chain(reader)))
}

/// A row of a small table (case table, mapping) and its line, or where
/// it does not read.
fn checked(
    row: Result<csv::StringRecord, csv::Error>,
) -> Result<(csv::StringRecord, u64), LogError> {
    let row = row.map_err(|e| {
        LogError::new(
            e.position().map(|p| p.line()),
            None,
            format!("cannot read the row: {e}"),
        )
    })?;
    let line = row.position().map_or(0, |p| p.line());
    Ok((row, line))
}

/// What a case table held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CaseTableReport {
    /// Cases named.
    pub cases: u64,
    /// Of them, those with an outcome.
    pub outcomes: u64,
    /// Of them, those with an overall (retrospective) rating — not used by
    /// discovery (calibration, `peakend fit`, reads them).
    pub overall: u64,
    /// Of them, those with an account.
    pub accounts: u64,
}

/// Read a case table (CSV: `case`, and any of `outcome`, `value`,
/// `account`, `overall`) into a discoverer before its log: each case's
/// outcome ends its journey there (one end per outcome where cases end
/// differently), and the outcome's value is the mean of its cases' values.
///
/// # Errors
/// [`LogError`] with the line and column: no case column, a case named
/// twice, a value or overall rating that is not a number.
///
/// ```
/// use peakend::observe::{read_case_table, read_csv_log_into, Discoverer, DiscoverOptions, LogOptions};
/// let mut d = Discoverer::new(DiscoverOptions::new());
/// read_case_table("case,outcome,value\n1,renewed,1200\n2,churned,0\n".as_bytes(), &mut d)?;
/// let log = "case,activity\n1,Call\n1,Fix\n2,Call\n2,Fix\n";
/// let found = read_csv_log_into(log.as_bytes(), &LogOptions::new(), d)?;
/// assert_eq!(found.spec.outcomes.len(), 2);
/// assert_eq!(found.spec.touchpoints[1].name, "Fix (ends: renewed)");
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub fn read_case_table<R: Read>(
    reader: R,
    d: &mut Discoverer,
) -> Result<CaseTableReport, LogError> {
    read_case_rows(reader, |row| {
        d.case_outcome(row.case, row.outcome, row.value, row.line)
    })
}

/// One row of a case table, as [`read_case_rows`] hands it on (empty cells
/// are `None`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct CaseRow<'a> {
    /// The case.
    pub case: &'a str,
    /// Its outcome (renewed, churned, won, lost …).
    pub outcome: Option<&'a str>,
    /// What the case was worth.
    pub value: Option<f64>,
    /// The account (customer company) it belongs to.
    pub account: Option<&'a str>,
    /// The customer's overall (retrospective) rating of the experience.
    pub overall: Option<f64>,
    /// Its line in the file.
    pub line: u64,
}

/// Read a case table (CSV: `case`, and any of `outcome`, `value`,
/// `account`, `overall`, found by their usual names) row by row, each to
/// `f`. [`read_case_table`] reads one into a discoverer; calibration
/// (`peakend fit`) reads the overall ratings and accounts.
///
/// # Errors
/// [`LogError`] with the line and column: no case column, a value or
/// overall rating that is not a number, and whatever `f` returns.
///
/// ```
/// let mut overall = Vec::new();
/// peakend::observe::read_case_rows("case,account,overall\n1,acme,4\n2,acme,\n".as_bytes(), |row| {
///     overall.push((row.case.to_string(), row.account.map(str::to_string), row.overall));
///     Ok(())
/// })?;
/// assert_eq!(overall[0], ("1".into(), Some("acme".into()), Some(4.0)));
/// assert_eq!(overall[1].2, None);
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub fn read_case_rows<R: Read>(
    reader: R,
    mut f: impl FnMut(&CaseRow<'_>) -> Result<(), LogError>,
) -> Result<CaseTableReport, LogError> {
    let mut csv = open(reader, "the case table")?;
    let header = csv
        .headers()
        .map_err(|e| LogError::new(Some(1), None, format!("cannot read the header: {e}")))?
        .clone();
    let norm: Vec<String> = header.iter().map(normalise).collect();
    let find = |names: &[&str]| names.iter().find_map(|u| norm.iter().position(|h| h == u));
    let Some(case) = find(LogColumns::USUAL[0].1) else {
        return Err(LogError::new(
            Some(1),
            None,
            format!(
                "no case column (looked for {}); the header has: {}",
                LogColumns::USUAL[0].1.join(", "),
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let outcome = find(&["outcome", "case:outcome", "result"]);
    let value = find(&["value", "case:value", "revenue"]);
    let account = find(&["account", "case:account", "customer"]);
    let overall = find(&["overall", "case:overall", "overallrating"]);
    let mut report = CaseTableReport::default();
    for row in csv.records() {
        let (row, line) = checked(row)?;
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let number = |i: Option<usize>| -> Result<Option<f64>, LogError> {
            match get(i) {
                None => Ok(None),
                Some(s) => parse_rating(s).map(Some).ok_or_else(|| {
                    LogError::new(
                        Some(line),
                        Some(header.get(i.unwrap_or(0)).unwrap_or("")),
                        format!("\"{s}\" is not a number"),
                    )
                }),
            }
        };
        let Some(id) = get(Some(case)) else {
            if row.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(LogError::new(Some(line), Some(&header[case]), "no case"));
        };
        let row = CaseRow {
            case: id,
            outcome: get(outcome),
            value: number(value)?,
            account: get(account),
            overall: number(overall)?,
            line,
        };
        report.overall += u64::from(row.overall.is_some());
        report.accounts += u64::from(row.account.is_some());
        report.outcomes += u64::from(row.outcome.is_some());
        report.cases += 1;
        f(&row)?;
    }
    Ok(report)
}

/// Read a mapping of a log's activities onto a design's touchpoints (CSV:
/// an `activity` column and a `touchpoint` column naming the designed
/// touchpoint by id or name) into the design; returns the rows read.
///
/// # Errors
/// [`LogError`] with the line and column: a missing column, an empty cell,
/// a touchpoint the design does not have, an activity mapped twice.
///
/// ```
/// use peakend::observe::{read_mapping, Design};
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"quote","name":"Gets a quote","emotion":4}]}"#).unwrap();
/// let mut design = Design::new(&j, "designed.json");
/// assert_eq!(read_mapping("activity,touchpoint\nSend offer,quote\n".as_bytes(), &mut design)?, 1);
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub fn read_mapping<R: Read>(reader: R, design: &mut Design) -> Result<usize, LogError> {
    let activity = [
        "activity",
        "concept:name",
        "activityname",
        "event",
        "eventname",
        "task",
    ];
    let mut rows = 0;
    pairs(
        reader,
        (&activity, &["touchpoint", "id", "design", "designed"]),
        |a, t, line, column| {
            rows += 1;
            design
                .map(&a, &t)
                .map_err(|m| LogError::new(Some(line), Some(column), m))
        },
    )?;
    Ok(rows)
}

/// Read the pairs of a two-column mapping (CSV with a header): the first
/// column whose header is one of `left`, the first one of `right`; e.g.
/// `supplier,customer` for `peakend gap`. Returns (left, right, line).
///
/// # Errors
/// [`LogError`] with the line and column: a column missing, an empty cell.
///
/// ```
/// let pairs = peakend::observe::read_pairs("supplier,customer\ngo-live,launch\n".as_bytes(),
///     &["supplier"], &["customer"])?;
/// assert_eq!(pairs, [("go-live".to_string(), "launch".to_string(), 2)]);
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub fn read_pairs<R: Read>(
    reader: R,
    left: &[&str],
    right: &[&str],
) -> Result<Vec<(String, String, u64)>, LogError> {
    let mut out = Vec::new();
    pairs(reader, (left, right), |a, b, line, _| {
        out.push((a, b, line));
        Ok(())
    })?;
    Ok(out)
}

/// Each row of a two-column mapping, in file order, to `f` (left, right,
/// line, the right column's header name).
fn pairs<R: Read>(
    reader: R,
    (left, right): (&[&str], &[&str]),
    mut f: impl FnMut(String, String, u64, &str) -> Result<(), LogError>,
) -> Result<(), LogError> {
    let mut csv = open(reader, "the mapping")?;
    let header = csv
        .headers()
        .map_err(|e| LogError::new(Some(1), None, format!("cannot read the header: {e}")))?
        .clone();
    let norm: Vec<String> = header.iter().map(normalise).collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|u| norm.iter().position(|h| *h == normalise(u)))
    };
    let (Some(a), Some(b)) = (find(left), find(right)) else {
        return Err(LogError::new(
            Some(1),
            None,
            format!(
                "a mapping needs a `{}` and a `{}` column; the header has: {}",
                left[0],
                right[0],
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    for row in csv.records() {
        let (row, line) = checked(row)?;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| {
            let c = row.get(i).unwrap_or("").trim();
            if c.is_empty() {
                Err(LogError::new(Some(line), Some(&header[i]), "empty"))
            } else {
                Ok(c.to_string())
            }
        };
        f(cell(a)?, cell(b)?, line, &header[b])?;
    }
    Ok(())
}

/// [`read_csv_log`] into a discoverer that may already know the cases'
/// outcomes ([`read_case_table`]).
///
/// # Errors
/// As [`read_csv_log`]; also a case table naming cases the log does not
/// have.
pub fn read_csv_log_into<R: Read>(
    reader: R,
    log: &LogOptions,
    d: Discoverer,
) -> Result<Discovery, LogError> {
    csv_events(reader, log, d)?.finish()
}

/// A CSV log's events into a sink, parsed on this thread and pushed on
/// another.
pub(crate) fn csv_events<R: Read, S: EventSink + Send>(
    reader: R,
    log: &LogOptions,
    mut d: S,
) -> Result<S, LogError> {
    let mut csv = open(reader, "the log")?;
    let header = csv
        .headers()
        .map_err(|e| LogError::new(Some(1), None, format!("cannot read the header: {e}")))?
        .clone();
    let at = columns(&header, &log.columns)?;
    let names: [String; 8] =
        std::array::from_fn(|k| header.get(at[k].unwrap_or(0)).unwrap_or("").to_string());
    // Both cores: this thread reads and parses the rows into batches, the
    // other feeds them to the discoverer, in order (the first problem in
    // file order is the one reported, whichever thread finds it).
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Result<Batch, LogError>>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        let rating_column = names[3].clone();
        let consumer = scope.spawn(move || -> Result<S, LogError> {
            for message in full_rx {
                let batch = message?;
                for p in &batch.events {
                    if p.skip {
                        d.skip();
                        continue;
                    }
                    let text = |r: (usize, usize)| &batch.text[r.0..r.1];
                    let event = Event {
                        case: text(p.case),
                        activity: text(p.activity),
                        time: p.time,
                        rating: p.rating,
                        stage: p.attrs[0].map(text),
                        channel: p.attrs[1].map(text),
                        owner: p.attrs[2].map(text),
                        line: p.line,
                    };
                    d.push(&event).map_err(|mut e| {
                        if e.message.starts_with("rating") {
                            e.column = Some(rating_column.clone());
                        }
                        e
                    })?;
                }
                // The parser may take the buffers back (it may be done).
                let _ = empty_tx.send(batch);
            }
            Ok(d)
        });
        let mut batch = Batch::default();
        let produced = parse_rows(&mut csv, &at, &names, &mut batch, |full| {
            if full_tx.send(Ok(std::mem::take(full))).is_err() {
                return false;
            }
            *full = empty_rx.try_recv().unwrap_or_default();
            full.clear();
            true
        });
        // The rows before a problem go first: the discoverer may find an
        // earlier one among them.
        if full_tx.send(Ok(batch)).is_ok()
            && let Err(e) = produced
        {
            let _ = full_tx.send(Err(e));
        }
        drop(full_tx);
        // A panic there is a bug: it carries on here, as it would have
        // on one thread.
        consumer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// One parsed row: byte ranges into its batch's text, and the parsed
/// values.
#[derive(Clone, Copy)]
struct Parsed {
    case: (usize, usize),
    activity: (usize, usize),
    attrs: [Option<(usize, usize)>; 3],
    time: Option<i64>,
    rating: Option<f64>,
    line: u64,
    /// A lifecycle event that does not count.
    skip: bool,
}

/// Rows on their way from the parser to the discoverer.
#[derive(Default)]
struct Batch {
    text: String,
    events: Vec<Parsed>,
}

impl Batch {
    const ROWS: usize = 4096;
    const BYTES: usize = 1 << 20;
    fn clear(&mut self) {
        self.text.clear();
        self.events.clear();
    }
    fn put(&mut self, s: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(s);
        (start, self.text.len())
    }
}

/// Read and parse every row into batches, handing each full one to
/// `hand` (which returns false when nobody takes it any more); the last,
/// partial batch stays in `batch`.
fn parse_rows<R: Read>(
    csv: &mut csv::Reader<R>,
    at: &[Option<usize>; 8],
    names: &[String; 8],
    batch: &mut Batch,
    mut hand: impl FnMut(&mut Batch) -> bool,
) -> Result<(), LogError> {
    let mut record = csv::ByteRecord::new();
    loop {
        let more = csv.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line());
            LogError::new(line, None, format!("cannot read the row: {e}"))
        })?;
        if !more {
            return Ok(());
        }
        if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let parsed = parse_row(&record, at, names, batch)?;
        batch.events.push(parsed);
        if (batch.events.len() >= Batch::ROWS || batch.text.len() >= Batch::BYTES) && !hand(batch) {
            return Ok(());
        }
    }
}

/// One row into the batch.
fn parse_row(
    record: &csv::ByteRecord,
    at: &[Option<usize>; 8],
    names: &[String; 8],
    batch: &mut Batch,
) -> Result<Parsed, LogError> {
    let line = record.position().map_or(0, |p| p.line());
    let cell = |k: usize| -> Result<Option<&str>, LogError> {
        let Some(i) = at[k] else { return Ok(None) };
        let bytes = record.get(i).unwrap_or(b"");
        let s = std::str::from_utf8(bytes).map_err(|e| {
            LogError::new(
                Some(line),
                Some(&names[k]),
                format!("not UTF-8 at byte {} of the cell", e.valid_up_to() + 1),
            )
        })?;
        let s = s.trim();
        Ok((!s.is_empty()).then_some(s))
    };
    let required = |k: usize| -> Result<&str, LogError> {
        cell(k)?.ok_or_else(|| {
            LogError::new(
                Some(line),
                Some(&names[k]),
                format!("no {}", LogColumns::USUAL[k].0),
            )
        })
    };
    let mut p = Parsed {
        case: (0, 0),
        activity: (0, 0),
        attrs: [None; 3],
        time: None,
        rating: None,
        line,
        skip: false,
    };
    if cell(7)?.is_some_and(|l| !is_complete(l)) {
        p.skip = true;
        return Ok(p);
    }
    p.case = batch.put(required(0)?);
    p.activity = batch.put(required(1)?);
    if let Some(s) = cell(2)? {
        p.time = Some(parse_time(s).ok_or_else(|| {
            LogError::new(
                Some(line),
                Some(&names[2]),
                format!("\"{s}\" is not a timestamp (e.g. 2024-05-01T14:30:00+02:00)"),
            )
        })?);
    }
    if let Some(s) = cell(3)? {
        p.rating = Some(parse_rating(s).ok_or_else(|| {
            LogError::new(
                Some(line),
                Some(&names[3]),
                format!("\"{s}\" is not a number"),
            )
        })?);
    }
    for k in 0..3 {
        if let Some(s) = cell(4 + k)? {
            p.attrs[k] = Some(batch.put(s));
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_of_the_usual_shapes() {
        let t = |s: &str| parse_time(s).unwrap_or_else(|| panic!("{s}"));
        let utc = t("2011-10-11T11:45:40Z");
        assert_eq!(t("2011-10-11 13:45:40+02:00"), utc);
        assert_eq!(t("2011-10-11 13:45:40.000000+02:00"), utc);
        assert_eq!(t("2011-10-11T11:45:40"), utc);
        assert_eq!(t("2011-10-11 11:45:40"), utc);
        assert_eq!(t("2011-10-11"), utc - (11 * 3600 + 45 * 60 + 40) * 1000);
        assert!(parse_time("yesterday").is_none());
    }
}
