//! CSV event logs: columns found by their usual names (the XES names that
//! process-mining exports use, and plain ones) or named; read in one
//! streaming pass.

use super::input::{Bounded, io_message, peel, piece_limit};
use super::{Design, DiscoverOptions, Discoverer, Discovery, Event, EventSink, LogError};
use std::io::{BufRead, Read};

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
    /// A CSV log's separator; `None`: a first line `sep=X` (as Excel
    /// writes it) says, else the one that splits the header and the first
    /// rows alike ([`LogOptions::delimiter`]).
    pub delimiter: Option<u8>,
    /// The texts a log may hold (case, activity, stage, channel, owner:
    /// [`Limits::text_bytes`](crate::Limits::text_bytes)), so that what
    /// discovery makes of it is a journey under the same limits; and,
    /// from them, the most bytes one row or XML piece may have.
    pub limits: crate::Limits,
}

impl LogOptions {
    /// Columns found by their usual names.
    #[must_use]
    pub fn new() -> Self {
        LogOptions::default()
    }
    /// A CSV log's separator (`b','`, `b';'`, `b'\t'`, `b'|'`, …), instead
    /// of finding it.
    #[must_use]
    pub fn delimiter(mut self, d: u8) -> Self {
        self.delimiter = Some(d);
        self
    }
    /// Limits on what the log holds (the defaults: [`crate::Limits::new`]).
    #[must_use]
    pub fn limits(mut self, limits: crate::Limits) -> Self {
        self.limits = limits;
        self
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

/// The flags that name each role's column, for messages.
const FLAGS: [&str; 8] = [
    "--case",
    "--activity",
    "--time",
    "--rating",
    "--stage",
    "--channel",
    "--owner",
    "--lifecycle",
];

impl LogColumns {
    /// Refuse one column named for two roles (`--case X --activity X`):
    /// a column holds one thing.
    pub(crate) fn check_distinct(&self) -> Result<(), LogError> {
        let named = self.named();
        for i in 0..8 {
            for j in i + 1..8 {
                if let (Some(a), Some(b)) = (named[i], named[j])
                    && normalise(a) == normalise(b)
                {
                    return Err(LogError::new(
                        None,
                        None,
                        format!(
                            "{} {a} and {} {b} name one column for two roles (the {} and the \
                             {}): a column holds one of them",
                            FLAGS[i],
                            FLAGS[j],
                            LogColumns::USUAL[i].0,
                            LogColumns::USUAL[j].0
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Refuse a header that names two columns alike (compared as the roles
/// are found: ignoring case, spaces, `_` and `-`): which one is meant
/// cannot be told.
fn check_header(header: &[String], line: u64) -> Result<(), LogError> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let n = normalise(h);
        if n.is_empty() {
            continue;
        }
        if let Some(&j) = seen.get(&n) {
            return Err(LogError::new(
                Some(line),
                None,
                format!(
                    "columns {} (\"{}\") and {} (\"{}\") have the same name: rename one, \
                     so that which is meant can be told",
                    j + 1,
                    header[j],
                    i + 1,
                    h
                ),
            ));
        }
        seen.insert(n, i);
    }
    Ok(())
}

/// Each role's column index, from the header (on `line`). (The roles'
/// names were checked distinct as the log was opened.)
fn columns(
    header: &[String],
    line: u64,
    named: &LogColumns,
) -> Result<[Option<usize>; 8], LogError> {
    check_header(header, line)?;
    let norm: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let listed = || header.join(", ");
    let mut out = [None; 8];
    for (k, (role, usual)) in LogColumns::USUAL.iter().enumerate() {
        out[k] = match named.named()[k] {
            Some(name) => Some(norm.iter().position(|h| *h == normalise(name)).ok_or_else(
                || {
                    LogError::new(
                        Some(line),
                        None,
                        format!(
                            "no column named \"{name}\" for the {role} (the header has: {})",
                            listed()
                        ),
                    )
                },
            )?),
            None => usual.iter().find_map(|u| norm.iter().position(|h| h == u)),
        };
    }
    for k in [0, 1] {
        if out[k].is_none() {
            let (role, usual) = LogColumns::USUAL[k];
            return Err(LogError::new(
                Some(line),
                None,
                format!(
                    "no {role} column (looked for {}; name it with {}); the header has: {}",
                    usual.join(", "),
                    FLAGS[k],
                    listed()
                ),
            ));
        }
    }
    Ok(out)
}

/// Milliseconds since 1970 (UTC) of a timestamp: RFC 3339 exactly (any
/// year 0000..9999, any number of fraction digits, an offset within
/// ±23:59, `Z` or `-00:00` for UTC, a leap second `:60` read as the last
/// millisecond of its minute), and the shapes logs use beside it: a space
/// instead of `T`, no seconds, no offset (read as UTC), a date alone
/// (midnight UTC).
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let mut at = 0;
    let digits = |n: usize, at: &mut usize| -> Option<i64> {
        let d = b.get(*at..*at + n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *at += n;
        Some(d.iter().fold(0, |v, &c| v * 10 + i64::from(c - b'0')))
    };
    let lit = |c: &[u8], at: &mut usize| -> Option<()> {
        let ok = b.get(*at).is_some_and(|x| c.contains(x));
        ok.then(|| *at += 1)
    };
    let year = digits(4, &mut at)?;
    lit(b"-", &mut at)?;
    let month = digits(2, &mut at)?;
    lit(b"-", &mut at)?;
    let day = digits(2, &mut at)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    if at == b.len() {
        return Some(ms);
    }
    lit(b"Tt ", &mut at)?;
    let hour = digits(2, &mut at)?;
    lit(b":", &mut at)?;
    let minute = digits(2, &mut at)?;
    let (mut second, mut milli) = (0, 0);
    if lit(b":", &mut at).is_some() {
        second = digits(2, &mut at)?;
        if lit(b".", &mut at).is_some() {
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return None;
            }
            let f = &b[start..at.min(start + 3)];
            milli =
                f.iter().fold(0, |v, &c| v * 10 + i64::from(c - b'0')) * [100, 10, 1][f.len() - 1];
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if second == 60 {
        (second, milli) = (59, 999);
    }
    ms += ((hour * 60 + minute) * 60 + second) * 1000 + milli;
    if at == b.len() || lit(b"Zz", &mut at).is_some() {
        return (at == b.len()).then_some(ms);
    }
    let sign = match b.get(at) {
        Some(b'+') => -1,
        Some(b'-') => 1,
        _ => return None,
    };
    at += 1;
    let oh = digits(2, &mut at)?;
    lit(b":", &mut at)?;
    let om = digits(2, &mut at)?;
    if oh > 23 || om > 59 || at != b.len() {
        return None;
    }
    Some(ms + sign * (oh * 60 + om) * 60_000)
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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

/// A CSV file's reader: peeled (gzip, UTF-16), each row bounded.
type Csv<'r> =
    csv::Reader<std::io::Chain<std::io::Cursor<Vec<u8>>, Bounded<Box<dyn BufRead + 'r>>>>;

/// The separators a CSV log is tried with when it does not say.
const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The separator a first line `sep=X` names (Excel writes one; resaved,
/// it may be quoted or followed by more separators).
fn sep_line(line: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(line).ok()?;
    let t = text.trim().trim_start_matches('\u{feff}').trim_matches('"');
    let rest = t.get(..4).filter(|p| p.eq_ignore_ascii_case("sep="))?;
    let rest = &t[rest.len()..];
    let c = *rest.as_bytes().first()?;
    (c.is_ascii() && rest.bytes().all(|b| b == c)).then_some(c)
}

/// The separator that splits the first lines alike: of comma, semicolon,
/// tab and bar, the one under which most rows have as many cells as the
/// header (more than one), then the most cells; the header's own count
/// outside quotes on a tie ([`crate::format::sniff_separator`]). A
/// semicolon log whose header quotes a comma, or whose ratings have
/// decimal commas, is split at its semicolons.
fn pick_separator(lines: &[u8]) -> u8 {
    let score = |sep: u8| {
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(sep)
            .from_reader(lines);
        let counts: Vec<usize> = rows
            .byte_records()
            .map_while(Result::ok)
            .map(|r| r.len())
            .collect();
        match counts.first() {
            Some(&h) if h > 1 => (counts.iter().filter(|&&n| n == h).count(), h),
            _ => (0, 0),
        }
    };
    let header = lines.split(|&b| b == b'\n').next().unwrap_or_default();
    let sniffed = crate::format::sniff_separator(&String::from_utf8_lossy(header));
    SEPARATORS
        .into_iter()
        .map(|sep| (score(sep), sep == sniffed, sep))
        .max_by_key(|&((rows, cells), sniffed, sep)| {
            (
                rows,
                cells,
                sniffed,
                std::cmp::Reverse(SEPARATORS.iter().position(|&s| s == sep)),
            )
        })
        .map_or(b',', |t| t.2)
}

/// Open a CSV file: peeled ([`peel`]), the separator `delimiter`, or the
/// one a first line `sep=X` names (that line is then skipped, its line
/// number kept), or picked from the first lines ([`pick_separator`]).
/// Returns the reader and the notes of how it was peeled.
fn open<'r, R: Read + 'r>(
    reader: R,
    what: &str,
    delimiter: Option<u8>,
    piece: u64,
) -> Result<(Csv<'r>, Vec<String>), LogError> {
    let p = peel(reader, piece, what)?;
    Ok((open_peeled(p.reader, what, delimiter)?, p.notes))
}

/// [`open`] a reader already peeled.
fn open_peeled<'r>(
    mut reader: Bounded<Box<dyn BufRead + 'r>>,
    what: &str,
    delimiter: Option<u8>,
) -> Result<Csv<'r>, LogError> {
    reader.pieces("a row");
    let cannot = |e: std::io::Error| {
        LogError::new(None, None, io_message(&e, &format!("cannot read {what}")))
    };
    // The first lines, to find the separator in.
    let mut prefix = Vec::new();
    for _ in 0..20 {
        if prefix.len() >= 1 << 16 || reader.read_until(b'\n', &mut prefix).map_err(cannot)? == 0 {
            break;
        }
        reader.mark();
    }
    let first = prefix
        .iter()
        .position(|&b| b == b'\n')
        .map_or(prefix.len(), |i| i + 1);
    let said = sep_line(&prefix[..first]);
    if said.is_some() {
        // csv skips the blank line; the lines after keep their numbers.
        prefix.splice(..first, *b"\n");
    }
    if prefix.iter().all(u8::is_ascii_whitespace) {
        return Err(LogError::new(None, None, format!("{what} is empty")));
    }
    // Whole lines only (the last may be cut).
    let whole = match prefix.iter().rposition(|&b| b == b'\n') {
        Some(i) if prefix.len() >= 1 << 16 => &prefix[..=i],
        _ => &prefix[..],
    };
    let sep = delimiter.or(said).unwrap_or_else(|| pick_separator(whole));
    Ok(csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .from_reader(std::io::Cursor::new(prefix).chain(reader)))
}

/// The header of a CSV file, as text (a header that is not UTF-8 is read
/// as Windows-1252, noted), and its line.
fn header_of(csv: &mut Csv<'_>, notes: &mut Vec<String>) -> Result<(Vec<String>, u64), LogError> {
    let h = csv.byte_headers().map_err(|e| {
        LogError::new(
            e.position().map(|p| p.line()),
            None,
            format!("cannot read the header: {}", csv_message(&e)),
        )
    })?;
    let line = h.position().map_or(1, |p| p.line());
    let mut cp1252 = false;
    let header = h
        .iter()
        .map(|c| {
            let (text, was) = decoded(c);
            cp1252 |= was;
            text.into_owned()
        })
        .collect();
    if cp1252 {
        notes.push(windows_1252(line));
    }
    csv.get_mut().get_mut().1.mark();
    Ok((header, line))
}

/// The note for text read as Windows-1252, first met on `line`.
fn windows_1252(line: u64) -> String {
    format!(
        "the log is not UTF-8 (first on line {line}): read as Windows-1252, as Excel writes it; \
         save it as CSV UTF-8 to be sure"
    )
}

/// A cell as text: UTF-8, else Windows-1252 (true when so).
fn decoded(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), false),
        Err(_) => (
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0,
            true,
        ),
    }
}

/// What a csv error says, an oversize row's own message.
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io_message(io, "cannot read it"),
        _ => e.to_string(),
    }
}

/// The next row of a small table (case table, mapping) and its line;
/// `None` at the end.
fn next_row(csv: &mut Csv<'_>, row: &mut csv::StringRecord) -> Result<Option<u64>, LogError> {
    let more = csv.read_record(row).map_err(|e| {
        LogError::new(
            e.position().map(|p| p.line()),
            None,
            format!("cannot read the row: {}", csv_message(&e)),
        )
    })?;
    csv.get_mut().get_mut().1.mark();
    Ok(more.then(|| row.position().map_or(0, |p| p.line())))
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
    let piece = piece_limit(crate::Limits::new().text_bytes_limit());
    let (mut csv, mut notes) = open(reader, "the case table", None, piece)?;
    let (header, header_line) = header_of(&mut csv, &mut notes)?;
    check_header(&header, header_line)?;
    let norm: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let find = |names: &[&str]| names.iter().find_map(|u| norm.iter().position(|h| h == u));
    let Some(case) = find(LogColumns::USUAL[0].1) else {
        return Err(LogError::new(
            Some(header_line),
            None,
            format!(
                "no case column (looked for {}); the header has: {}",
                LogColumns::USUAL[0].1.join(", "),
                header.join(", ")
            ),
        ));
    };
    let outcome = find(&["outcome", "case:outcome", "result"]);
    let value = find(&["value", "case:value", "revenue"]);
    let account = find(&["account", "case:account", "customer"]);
    let overall = find(&["overall", "case:overall", "overallrating"]);
    let mut report = CaseTableReport::default();
    let mut row = csv::StringRecord::new();
    while let Some(line) = next_row(&mut csv, &mut row)? {
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
                        Some(header.get(i.unwrap_or(0)).map_or("", String::as_str)),
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
    let piece = piece_limit(crate::Limits::new().text_bytes_limit());
    let (mut csv, mut notes) = open(reader, "the mapping", None, piece)?;
    let (header, header_line) = header_of(&mut csv, &mut notes)?;
    check_header(&header, header_line)?;
    let norm: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|u| norm.iter().position(|h| *h == normalise(u)))
    };
    let (Some(a), Some(b)) = (find(left), find(right)) else {
        return Err(LogError::new(
            Some(header_line),
            None,
            format!(
                "a mapping needs a `{}` and a `{}` column; the header has: {}",
                left[0],
                right[0],
                header.join(", ")
            ),
        ));
    };
    let mut row = csv::StringRecord::new();
    while let Some(line) = next_row(&mut csv, &mut row)? {
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
    d: S,
) -> Result<S, LogError> {
    let (reader, d) = super::xes::peeled(reader, log, d)?;
    csv_rows(reader, log, d)
}

/// A CSV log's events, the log already peeled.
pub(crate) fn csv_rows<S: EventSink + Send>(
    reader: Bounded<Box<dyn BufRead + '_>>,
    log: &LogOptions,
    mut d: S,
) -> Result<S, LogError> {
    let mut csv = open_peeled(reader, "the log", log.delimiter)?;
    let mut notes = Vec::new();
    let (header, header_line) = header_of(&mut csv, &mut notes)?;
    for n in &notes {
        d.note(n);
    }
    let at = columns(&header, header_line, &log.columns)?;
    let names: [String; 8] =
        std::array::from_fn(|k| header.get(at[k].unwrap_or(0)).cloned().unwrap_or_default());
    let text_limit = cell_limit(&log.limits);
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
                for n in &batch.notes {
                    d.note(n);
                }
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
        let rows = Rows {
            at: &at,
            names: &names,
            text_limit,
        };
        let produced = rows.parse(&mut csv, &mut batch, |full| {
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
    /// How the rows were read (a cell read as Windows-1252: once).
    notes: Vec<String>,
}

impl Batch {
    const ROWS: usize = 4096;
    const BYTES: usize = 1 << 20;
    fn clear(&mut self) {
        self.text.clear();
        self.events.clear();
        self.notes.clear();
    }
    fn put(&mut self, s: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(s);
        (start, self.text.len())
    }
}

/// How the rows of a CSV log are read: each role's column, the columns'
/// names, the longest text a cell may hold.
struct Rows<'a> {
    at: &'a [Option<usize>; 8],
    names: &'a [String; 8],
    text_limit: usize,
}

impl Rows<'_> {
    /// Read and parse every row into batches, handing each full one to
    /// `hand` (which returns false when nobody takes it any more); the
    /// last, partial batch stays in `batch`.
    fn parse(
        &self,
        csv: &mut Csv<'_>,
        batch: &mut Batch,
        mut hand: impl FnMut(&mut Batch) -> bool,
    ) -> Result<(), LogError> {
        let mut record = csv::ByteRecord::new();
        let mut cp1252 = false;
        loop {
            let more = csv.read_byte_record(&mut record).map_err(|e| {
                let line = e.position().map(|p| p.line());
                LogError::new(
                    line,
                    None,
                    format!("cannot read the row: {}", csv_message(&e)),
                )
            })?;
            csv.get_mut().get_mut().1.mark();
            if !more {
                return Ok(());
            }
            if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            let parsed = self.row(&record, batch, &mut cp1252)?;
            batch.events.push(parsed);
            if (batch.events.len() >= Batch::ROWS || batch.text.len() >= Batch::BYTES)
                && !hand(batch)
            {
                return Ok(());
            }
        }
    }

    /// One row into the batch; `cp1252` is set (and noted, once) when a
    /// cell is read as Windows-1252.
    fn row(
        &self,
        record: &csv::ByteRecord,
        batch: &mut Batch,
        cp1252: &mut bool,
    ) -> Result<Parsed, LogError> {
        let (at, names) = (self.at, self.names);
        let line = record.position().map_or(0, |p| p.line());
        let mut cells: [Option<std::borrow::Cow<'_, str>>; 8] = Default::default();
        for k in 0..8 {
            let Some(i) = at[k] else { continue };
            let (text, was) = decoded(record.get(i).unwrap_or(b""));
            if was && !*cp1252 {
                *cp1252 = true;
                batch.notes.push(windows_1252(line));
            }
            if text.len() > self.text_limit {
                return Err(LogError::new(
                    Some(line),
                    Some(&names[k]),
                    format!(
                        "a text of {} bytes, more than the limit of {} (a journey's texts are \
                         at most {} bytes, and discovery may add \" (round 2)\")",
                        text.len(),
                        self.text_limit,
                        self.text_limit.saturating_add(CELL_ROOM)
                    ),
                ));
            }
            cells[k] = Some(text);
        }
        let cell = |k: usize| cells[k].as_deref().map(str::trim).filter(|s| !s.is_empty());
        let required = |k: usize| -> Result<&str, LogError> {
            cell(k).ok_or_else(|| {
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
        if cell(7).is_some_and(|l| !is_complete(l)) {
            p.skip = true;
            return Ok(p);
        }
        p.case = batch.put(required(0)?);
        p.activity = batch.put(required(1)?);
        if let Some(s) = cell(2) {
            p.time = Some(
                parse_time(s)
                    .ok_or_else(|| LogError::new(Some(line), Some(&names[2]), time_message(s)))?,
            );
        }
        if let Some(s) = cell(3) {
            p.rating = Some(parse_rating(s).ok_or_else(|| {
                LogError::new(
                    Some(line),
                    Some(&names[3]),
                    format!("\"{s}\" is not a number"),
                )
            })?);
        }
        for k in 0..3 {
            if let Some(s) = cell(4 + k) {
                p.attrs[k] = Some(batch.put(s));
            }
        }
        Ok(p)
    }
}

/// Bytes a log's text leaves for what discovery adds to a name
/// (" (round 12)", " (ends here)") within the journey's text limit.
pub(crate) const CELL_ROOM: usize = 64;

/// The longest text a log's cell or attribute may hold: the journey's
/// text limit, less [`CELL_ROOM`].
pub(crate) fn cell_limit(limits: &crate::Limits) -> usize {
    limits.text_bytes_limit().saturating_sub(CELL_ROOM)
}

/// What a timestamp that does not read gets told.
pub(crate) fn time_message(s: &str) -> String {
    format!(
        "\"{s}\" is not a timestamp (RFC 3339, e.g. 2024-05-01T14:30:00+02:00, or a date and \
         time without an offset, read as UTC)"
    )
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

    #[test]
    fn timestamps_follow_rfc_3339_over_its_whole_range() {
        let t = |s: &str| parse_time(s).unwrap_or_else(|| panic!("{s}"));
        // Against jiff where jiff can say it.
        for s in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T12:00:00.5+05:30",
            "1900-03-01T00:00:00-00:00",
            "0001-01-01T00:00:00Z",
            "2024-12-31T23:59:59.999Z",
        ] {
            let j: jiff::Timestamp = s.parse().unwrap();
            assert_eq!(t(s), j.as_millisecond(), "{s}");
        }
        assert_eq!(t("9999-12-31"), 253_402_214_400_000);
        assert_eq!(t("9999-12-31T23:59:59Z"), 253_402_300_799_000);
        assert_eq!(t("9999-12-30T23:59:59Z"), 253_402_214_399_000);
        assert_eq!(t("0000-01-01T00:00:00Z"), -62_167_219_200_000);
        // Any number of fraction digits, truncated to the millisecond.
        assert_eq!(
            t("2024-01-01T00:00:00.1234567890Z"),
            t("2024-01-01T00:00:00.123Z")
        );
        // A leap second is the last millisecond of its minute.
        assert_eq!(t("2016-12-31T23:59:60Z"), t("2016-12-31T23:59:59.999Z"));
        for bad in [
            "2024-01-01T00:00:00+25:00",
            "2024-01-01T00:00:00+24:00",
            "2024-01-01T00:00:00+01:60",
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00Zjunk",
            "24-01-01",
            "2024-1-1",
        ] {
            assert!(parse_time(bad).is_none(), "{bad}");
        }
    }
}
