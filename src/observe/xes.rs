//! XES event logs (IEEE 1849-2016, the process-mining standard), plain or
//! gzip-compressed, read in one streaming pass; and [`read_log`], which
//! tells XES from CSV by the first bytes.
//!
//! A trace is a case: its `concept:name` attribute names it (or the trace
//! attribute named with `--case`). An event's attributes are found by the
//! same usual names as a CSV log's columns (`concept:name`,
//! `time:timestamp`, `org:group`, `rating`, …); a trace's attributes are
//! seen by every one of its events as `case:KEY`, the way process-mining
//! tools flatten XES into a table. Attributes nested inside attributes
//! (meta-attributes, lists, containers) and the log's globals, extensions
//! and classifiers are not read.

use super::input::{Bounded, io_message, peel, piece_limit};
use super::log::{LogColumns, LogOptions, is_complete, normalise, parse_rating, parse_time};
use super::{DiscoverOptions, Discoverer, Discovery, Event, EventSink, LogError};
use quick_xml::events::{BytesStart, Event as Xml};
use std::io::{BufRead, Read};

/// Whether the first bytes of a log are XES (XML) rather than CSV; a
/// gzip-compressed log is told by the first bytes of what it decompresses
/// to (a `.csv.gz` is CSV).
#[must_use]
pub fn looks_like_xes(head: &[u8]) -> bool {
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut inner = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(head)
            .take(4096)
            .read_to_end(&mut inner);
        return !inner.starts_with(&[0x1f, 0x8b]) && looks_like_xml(&inner);
    }
    looks_like_xml(head)
}

/// Whether text starts (after a byte-order mark and white space) with `<`.
fn looks_like_xml(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// Read an event log, CSV or XES (plain or gzip-compressed, UTF-8 or
/// UTF-16: told apart by their first bytes, whatever the file is called),
/// and discover its journey.
///
/// # Errors
/// As [`read_csv_log`](super::read_csv_log) or [`read_xes_log`].
pub fn read_log<R: Read>(
    reader: R,
    log: &LogOptions,
    options: DiscoverOptions,
) -> Result<Discovery, LogError> {
    read_log_into(reader, log, Discoverer::new(options))
}

/// [`read_log`] into a discoverer that may already know the cases'
/// outcomes ([`read_case_table`](super::read_case_table)).
///
/// # Errors
/// As [`read_log`].
pub fn read_log_into<R: Read>(
    reader: R,
    log: &LogOptions,
    d: Discoverer,
) -> Result<Discovery, LogError> {
    read_events(reader, log, d)?.finish()
}

/// Read an event log, CSV or XES (told apart as [`read_log`] does), into
/// any [`EventSink`]: each counted event in log order to
/// [`EventSink::push`], each left-out one (lifecycle not `complete`) to
/// [`EventSink::skip`]. Returns the sink.
///
/// # Errors
/// As [`read_log`], and the sink's own.
///
/// ```
/// use peakend::observe::{read_events, Event, EventSink, LogError, LogOptions};
/// #[derive(Default)]
/// struct Count(u64);
/// impl EventSink for Count {
///     fn push(&mut self, _: &Event<'_>) -> Result<(), LogError> { self.0 += 1; Ok(()) }
/// }
/// let log = "case,activity\n1,Order\n1,Deliver\n";
/// assert_eq!(read_events(log.as_bytes(), &LogOptions::new(), Count::default())?.0, 2);
/// # Ok::<(), LogError>(())
/// ```
pub fn read_events<R: Read, S: EventSink + Send>(
    reader: R,
    log: &LogOptions,
    sink: S,
) -> Result<S, LogError> {
    let (mut reader, sink) = peeled(reader, log, sink)?;
    let head = reader
        .fill_buf()
        .map_err(|e| LogError::new(None, None, io_message(&e, "cannot read the log")))?;
    if looks_like_xml(head) {
        Xes::new(log, sink).run(reader)
    } else {
        super::log::csv_rows(reader, log, sink)
    }
}

/// The log peeled ([`peel`]), what peeling did told to the sink.
pub(crate) fn peeled<'r, R: Read + 'r, S: EventSink>(
    reader: R,
    log: &LogOptions,
    mut sink: S,
) -> Result<(Bounded<Box<dyn BufRead + 'r>>, S), LogError> {
    log.columns.check_distinct()?;
    let p = peel(
        reader,
        piece_limit(log.limits.text_bytes_limit()),
        "the log",
    )?;
    for n in &p.notes {
        sink.note(n);
    }
    Ok((p.reader, sink))
}

/// Read an XES event log (plain, or gzip-compressed: told by its first
/// bytes) in one streaming pass and discover its journey. Each trace's
/// events must come in time order, as in a CSV log; events whose
/// `lifecycle:transition` is not `complete` are skipped and counted.
///
/// # Errors
/// [`LogError`] with the line: XML that does not read (or a gzip stream
/// that does not), a root element other than `<log>`, a trace without a
/// case name, an event without an activity, a timestamp or rating that
/// does not read, a rating off its scale, an event earlier than its
/// trace's previous one, an empty log.
///
/// ```
/// use peakend::observe::{read_xes_log, DiscoverOptions, LogOptions};
/// let xes = r#"<?xml version="1.0" encoding="UTF-8"?>
/// <log xes.version="1.0">
///   <trace>
///     <string key="concept:name" value="case-1"/>
///     <event><string key="concept:name" value="Order"/>
///            <date key="time:timestamp" value="2024-01-01T10:00:00+01:00"/></event>
///     <event><string key="concept:name" value="Deliver"/>
///            <date key="time:timestamp" value="2024-01-03T09:00:00+01:00"/></event>
///   </trace>
/// </log>"#;
/// let found = read_xes_log(xes.as_bytes(), &LogOptions::new(), DiscoverOptions::new())?;
/// assert_eq!(found.report.cases, 1);
/// assert_eq!(found.spec.touchpoints[1].name, "Deliver");
/// # Ok::<(), peakend::observe::LogError>(())
/// ```
pub fn read_xes_log<R: Read>(
    reader: R,
    log: &LogOptions,
    options: DiscoverOptions,
) -> Result<Discovery, LogError> {
    read_xes_log_into(reader, log, Discoverer::new(options))
}

/// [`read_xes_log`] into a discoverer that may already know the cases'
/// outcomes ([`read_case_table`](super::read_case_table)).
///
/// # Errors
/// As [`read_xes_log`]; also a case table naming cases the log does not
/// have.
pub fn read_xes_log_into<R: Read>(
    reader: R,
    log: &LogOptions,
    d: Discoverer,
) -> Result<Discovery, LogError> {
    xes_events(reader, log, d)?.finish()
}

/// An XES log's events into a sink.
fn xes_events<R: Read, S: EventSink>(reader: R, log: &LogOptions, d: S) -> Result<S, LogError> {
    let (reader, d) = peeled(reader, log, d)?;
    Xes::new(log, d).run(reader)
}

/// What an XML error says, an oversize piece's own message.
fn xml_message(e: &quick_xml::Error) -> String {
    match e {
        quick_xml::Error::Io(io) => io_message(io, "the XML does not read"),
        other => format!("the XML does not read: {other}"),
    }
}

/// An attribute: its key as written, normalised (a trace's with `case:`
/// in front), and its value.
struct Attr {
    key: std::rc::Rc<str>,
    norm: std::rc::Rc<str>,
    value: String,
}

/// Per attribute key as written (and whether on a trace): its key and
/// normalised name when some role looks for it, else `None` (skipped).
/// (One map for events' attributes, one for traces'.)
type KeyCache = [super::Fast<Box<[u8]>, Option<(std::rc::Rc<str>, std::rc::Rc<str>)>>; 2];

/// An event read from a trace whose case is not named yet.
struct Pending {
    attrs: Vec<Attr>,
    line: u64,
}

/// Where the reader is in the document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    /// Before the root element.
    Start,
    /// In `<log>`, outside traces.
    Log,
    /// In a `<trace>`, outside events.
    Trace,
    /// In an `<event>`.
    Event,
}

struct Xes<S> {
    /// Per role (as [`LogColumns::USUAL`]), the names to look for,
    /// normalised, in order.
    names: Vec<Vec<String>>,
    keys: KeyCache,
    d: S,
    at: In,
    /// Depth of the element being read, and that of the current trace or
    /// event (attributes are its direct children).
    depth: usize,
    holder: usize,
    line: u64,
    trace_line: u64,
    trace: Vec<Attr>,
    event: Vec<Attr>,
    event_line: u64,
    /// The current trace's case, and the rank of the name it was found
    /// under (an earlier name wins).
    case: Option<String>,
    case_rank: usize,
    pending: Vec<Pending>,
    /// The longest value an attribute may have.
    text_limit: usize,
}

/// The most events of a trace held until its case name comes (XES writers
/// put a trace's attributes first; a trace of more waits is refused).
const MAX_PENDING: usize = 100_000;

/// Keep an attribute unless one of the same name came first (the first
/// counts): an element repeating an attribute cannot grow without bound.
fn push_new(attrs: &mut Vec<Attr>, a: Attr) {
    if !attrs.iter().any(|b| b.norm == a.norm) {
        attrs.push(a);
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<S: EventSink> Xes<S> {
    fn new(log: &LogOptions, d: S) -> Self {
        let named = log.columns.named();
        let names = LogColumns::USUAL
            .iter()
            .enumerate()
            .map(|(k, (_, usual))| match named[k] {
                // A trace attribute is `case:KEY`: `--case concept:name`
                // names the trace's own `concept:name`.
                Some(n) if k == 0 => vec![normalise(n), format!("case:{}", normalise(n))],
                Some(n) => vec![normalise(n)],
                None => usual.iter().map(|u| (*u).to_string()).collect(),
            })
            .collect();
        Xes {
            names,
            keys: KeyCache::default(),
            d,
            at: In::Start,
            depth: 0,
            holder: 0,
            line: 1,
            trace_line: 0,
            trace: Vec::new(),
            event: Vec::new(),
            event_line: 0,
            case: None,
            case_rank: usize::MAX,
            pending: Vec::new(),
            text_limit: super::log::cell_limit(&log.limits),
        }
    }

    fn run<R: BufRead>(mut self, mut reader: Bounded<R>) -> Result<S, LogError> {
        reader.pieces("an XML element, text or comment");
        let mut xml = quick_xml::Reader::from_reader(reader);
        xml.config_mut().check_end_names = true;
        let mut buf = Vec::new();
        let mut closed = false;
        loop {
            let here = self.line;
            let ev = xml
                .read_event_into(&mut buf)
                .map_err(|e| LogError::new(Some(here), None, xml_message(&e)))?;
            xml.get_mut().mark();
            let raw: &[u8] = match &ev {
                Xml::Start(e) | Xml::Empty(e) => e,
                Xml::Text(t) => t,
                Xml::CData(t) => t,
                Xml::Comment(t) => t,
                Xml::Decl(t) => t,
                Xml::PI(t) => t,
                Xml::DocType(t) => t,
                _ => &[],
            };
            self.line += newlines(raw);
            if let Xml::Start(e) | Xml::Empty(e) = &ev
                && closed
            {
                return Err(LogError::new(
                    Some(here),
                    None,
                    format!(
                        "a second root element <{}> after </log>: an XES file holds one log",
                        String::from_utf8_lossy(e.local_name().as_ref())
                    ),
                ));
            }
            match ev {
                Xml::Start(e) => {
                    self.depth += 1;
                    self.open(&e, here)?;
                }
                Xml::Empty(e) => {
                    self.depth += 1;
                    self.open(&e, here)?;
                    self.close()?;
                    self.depth -= 1;
                }
                Xml::End(_) => {
                    self.close()?;
                    self.depth -= 1;
                    closed = self.depth == 0;
                }
                Xml::Eof if self.depth > 0 => {
                    return Err(LogError::new(
                        Some(self.line),
                        None,
                        "the log ends without </log>: is the file cut short?",
                    ));
                }
                Xml::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if self.at == In::Start {
            return Err(LogError::new(
                None,
                None,
                "the log is empty (no <log> element)",
            ));
        }
        Ok(self.d)
    }

    /// An element opens at `line`.
    fn open(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), LogError> {
        let name = e.local_name();
        let name = name.as_ref();
        match self.at {
            In::Start => {
                if name != b"log" {
                    return Err(LogError::new(
                        Some(line),
                        None,
                        format!(
                            "not an XES log: the root element is <{}>, not <log>",
                            String::from_utf8_lossy(name)
                        ),
                    ));
                }
                self.at = In::Log;
            }
            In::Log if self.depth == 2 && name == b"trace" => {
                self.at = In::Trace;
                self.holder = self.depth;
                self.trace_line = line;
                self.trace.clear();
                self.case = None;
                self.case_rank = usize::MAX;
            }
            In::Log if self.depth == 2 && name == b"event" => {
                return Err(LogError::new(
                    Some(line),
                    None,
                    "an <event> outside any <trace> (XES puts each event in its case's trace)",
                ));
            }
            In::Trace if self.depth == self.holder + 1 && name == b"event" => {
                self.at = In::Event;
                self.holder = self.depth;
                self.event.clear();
                self.event_line = line;
            }
            In::Trace | In::Event if self.depth == self.holder + 1 => {
                let of_trace = self.at == In::Trace;
                if let Some(a) = attribute(e, line, of_trace, &self.names, &mut self.keys)? {
                    if a.value.len() > self.text_limit {
                        return Err(LogError::new(
                            Some(line),
                            None,
                            format!(
                                "{}: a text of {} bytes, more than the limit of {} (a journey's \
                                 texts are at most {} bytes, and discovery may add \
                                 \" (round 2)\")",
                                a.key,
                                a.value.len(),
                                self.text_limit,
                                self.text_limit.saturating_add(super::log::CELL_ROOM)
                            ),
                        ));
                    }
                    if self.at == In::Trace {
                        let rank = self.names[0].iter().position(|n| n.as_str() == &*a.norm);
                        if let Some(rank) = rank.filter(|&r| r < self.case_rank) {
                            self.case = Some(a.value.trim().to_string());
                            self.case_rank = rank;
                        }
                        push_new(&mut self.trace, a);
                    } else {
                        push_new(&mut self.event, a);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The element at the current depth closes.
    fn close(&mut self) -> Result<(), LogError> {
        match self.at {
            In::Event if self.depth == self.holder => {
                self.at = In::Trace;
                self.holder -= 1;
                let attrs = std::mem::take(&mut self.event);
                let line = self.event_line;
                if self.case.is_some() {
                    self.push(&attrs, line)?;
                } else if self.pending.len() >= MAX_PENDING {
                    return Err(LogError::new(
                        Some(self.trace_line),
                        None,
                        format!(
                            "this trace's case name comes after {MAX_PENDING} of its events: \
                             put a trace's attributes before its events, as XES writers do"
                        ),
                    ));
                } else {
                    self.pending.push(Pending { attrs, line });
                }
            }
            In::Trace if self.depth == self.holder => {
                self.at = In::Log;
                let pending = std::mem::take(&mut self.pending);
                if !pending.is_empty() && self.case.is_none() {
                    return Err(LogError::new(
                        Some(self.trace_line),
                        None,
                        format!(
                            "this trace has no case name (a trace attribute {})",
                            self.names[0]
                                .iter()
                                .map(|n| n.strip_prefix("case:").unwrap_or(n))
                                .collect::<Vec<_>>()
                                .join(" or ")
                        ),
                    ));
                }
                for p in &pending {
                    self.push(&p.attrs, p.line)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn push(&mut self, attrs: &[Attr], line: u64) -> Result<(), LogError> {
        let Xes {
            names,
            trace,
            d,
            case,
            ..
        } = self;
        // The value of a role for the event: the first of its names among
        // the event's attributes or its trace's (`case:KEY`).
        let find = |k: usize| -> Option<&Attr> {
            names[k].iter().find_map(|n| {
                attrs
                    .iter()
                    .chain(trace.iter())
                    .find(|a| &*a.norm == n.as_str())
            })
        };
        if find(7).is_some_and(|a| !is_complete(&a.value)) {
            d.skip();
            return Ok(());
        }
        let case = case.as_deref().unwrap_or_default();
        let Some(activity) = find(1).filter(|a| !a.value.trim().is_empty()) else {
            return Err(LogError::new(
                Some(line),
                None,
                format!(
                    "this event has no activity (an attribute {})",
                    names[1].join(" or ")
                ),
            ));
        };
        let time = match find(2) {
            Some(a) => Some(parse_time(&a.value).ok_or_else(|| {
                LogError::new(
                    Some(line),
                    None,
                    format!("{} {}", a.key, super::log::time_message(&a.value)),
                )
            })?),
            None => None,
        };
        let rating = match find(3) {
            Some(a) => Some(parse_rating(&a.value).ok_or_else(|| {
                LogError::new(
                    Some(line),
                    None,
                    format!("{} \"{}\" is not a number", a.key, a.value),
                )
            })?),
            None => None,
        };
        let text = |k: usize| find(k).map(|a| a.value.trim()).filter(|s| !s.is_empty());
        let event = Event {
            case,
            activity: activity.value.trim(),
            time,
            rating,
            stage: text(4),
            channel: text(5),
            owner: text(6),
            line,
        };
        let rating_key = find(3).map(|a| &*a.key);
        d.push(&event).map_err(|mut e| {
            if let (true, Some(key)) = (e.message.starts_with("rating"), rating_key) {
                e.message = format!("{key}: {}", e.message);
            }
            e
        })
    }
}

/// An attribute element (`<string key=… value=…/>`, `<date>`, `<int>`,
/// `<float>`, `<boolean>`, `<id>`): its key and value; `None` for a list or
/// container (no value of its own), an element that is no attribute, or
/// a key no role looks for (decided once per distinct key).
fn attribute(
    e: &BytesStart<'_>,
    line: u64,
    of_trace: bool,
    names: &[Vec<String>],
    keys: &mut KeyCache,
) -> Result<Option<Attr>, LogError> {
    if !matches!(
        e.local_name().as_ref(),
        b"string" | b"date" | b"int" | b"float" | b"boolean" | b"id"
    ) {
        return Ok(None);
    }
    let bad = |err: &dyn std::fmt::Display| {
        LogError::new(Some(line), None, format!("the XML does not read: {err}"))
    };
    let (mut key, mut value) = (None, None);
    for a in e.attributes() {
        let a = a.map_err(|err| bad(&err))?;
        match a.key.local_name().as_ref() {
            b"key" => key = Some(a),
            b"value" => value = Some(a),
            _ => {}
        }
    }
    let (Some(key), Some(value)) = (key, value) else {
        return Ok(None);
    };
    let cache = &mut keys[usize::from(of_trace)];
    let known = match cache.get(key.value.as_ref()) {
        Some(k) => k.clone(),
        None => {
            let written = key.unescape_value().map_err(|err| bad(&err))?;
            let norm = normalise(&written);
            let norm = if of_trace {
                format!("case:{norm}")
            } else {
                norm
            };
            let wanted = names.iter().flatten().any(|n| *n == norm);
            let k = wanted.then(|| (written.as_ref().into(), norm.into()));
            cache.insert(key.value.as_ref().into(), k.clone());
            k
        }
    };
    let Some((key, norm)) = known else {
        return Ok(None);
    };
    let value = value
        .unescape_value()
        .map_err(|err| bad(&err))?
        .into_owned();
    Ok(Some(Attr { key, norm, value }))
}
