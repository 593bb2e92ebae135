//! CSV event logs: columns found by their usual names (the XES names that
//! process-mining exports use, and plain ones) or named; read in one
//! streaming pass.

use super::{DiscoverOptions, Discoverer, Discovery, Event, LogError};
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
}

/// The roles a column can have, in [`LogColumns`] order.
const ROLES: [&str; 7] = [
    "case", "activity", "time", "rating", "stage", "channel", "owner",
];

impl LogColumns {
    /// Usual names per role (compared ignoring case, spaces, `_` and `-`),
    /// the first present wins: the XES names first.
    pub const USUAL: [(&'static str, &'static [&'static str]); 7] = [
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
    ];

    fn named(&self) -> [Option<&str>; 7] {
        [
            self.case.as_deref(),
            self.activity.as_deref(),
            self.time.as_deref(),
            self.rating.as_deref(),
            self.stage.as_deref(),
            self.channel.as_deref(),
            self.owner.as_deref(),
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
    /// `stage`, `channel` or `owner`.
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
            other => panic!("no column role `{other}` (one of {})", ROLES.join(", ")),
        };
        *slot = Some(name.into());
        self
    }
}

fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Each role's column index, from the header.
fn columns(header: &csv::StringRecord, named: &LogColumns) -> Result<[Option<usize>; 7], LogError> {
    let norm: Vec<String> = header.iter().map(normalise).collect();
    let mut out = [None; 7];
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

/// A rating: a number, with a decimal point or a decimal comma.
fn parse_rating(s: &str) -> Option<f64> {
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
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut first = Vec::new();
    reader
        .read_until(b'\n', &mut first)
        .map_err(|e| LogError::new(None, None, format!("cannot read the log: {e}")))?;
    let head = String::from_utf8_lossy(&first).into_owned();
    if head.trim().is_empty() {
        return Err(LogError::new(None, None, "the log is empty"));
    }
    let sep = crate::format::sniff_separator(&head);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .from_reader(std::io::Cursor::new(first).chain(reader));
    let header = csv
        .headers()
        .map_err(|e| LogError::new(Some(1), None, format!("cannot read the header: {e}")))?
        .clone();
    let at = columns(&header, &log.columns)?;
    let name = |k: usize| header.get(at[k].unwrap_or(0)).unwrap_or("").to_string();
    let mut d = Discoverer::new(options);
    let mut record = csv::ByteRecord::new();
    loop {
        let more = csv.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line());
            LogError::new(line, None, format!("cannot read the row: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let cell = |k: usize| -> Result<Option<&str>, LogError> {
            let Some(i) = at[k] else { return Ok(None) };
            let bytes = record.get(i).unwrap_or(b"");
            let s = std::str::from_utf8(bytes).map_err(|e| {
                LogError::new(
                    Some(line),
                    Some(&name(k)),
                    format!("not UTF-8 at byte {} of the cell", e.valid_up_to() + 1),
                )
            })?;
            let s = s.trim();
            Ok((!s.is_empty()).then_some(s))
        };
        let required = |k: usize| -> Result<&str, LogError> {
            cell(k)?.ok_or_else(|| {
                LogError::new(Some(line), Some(&name(k)), format!("no {}", ROLES[k]))
            })
        };
        let case = required(0)?;
        let activity = required(1)?;
        let time = match cell(2)? {
            Some(s) => Some(parse_time(s).ok_or_else(|| {
                LogError::new(
                    Some(line),
                    Some(&name(2)),
                    format!("\"{s}\" is not a timestamp (e.g. 2024-05-01T14:30:00+02:00)"),
                )
            })?),
            None => None,
        };
        let rating = match cell(3)? {
            Some(s) => Some(parse_rating(s).ok_or_else(|| {
                LogError::new(
                    Some(line),
                    Some(&name(3)),
                    format!("\"{s}\" is not a number"),
                )
            })?),
            None => None,
        };
        let event = Event {
            case,
            activity,
            time,
            rating,
            stage: cell(4)?,
            channel: cell(5)?,
            owner: cell(6)?,
            line,
        };
        d.push(&event).map_err(|mut e| {
            if e.message.starts_with("rating") {
                e.column = Some(name(3));
            }
            e
        })?;
    }
    d.finish()
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
