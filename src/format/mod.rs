//! Journey files in every format peakend reads and writes: its own JSON
//! (`docs/format.md`), Mermaid `journey` diagrams and spreadsheet CSV.
//!
//! [`load`] reads any of them into a validated [`Journey`]; each format's
//! module reads ([`mermaid::read`], [`csv::read`]) into an [`Imported`]
//! spec that remembers the source line of every touchpoint, so that
//! validation problems point at the line the designer wrote, and writes
//! ([`mermaid::write`], [`csv::write`]) with an [`Exported`] text that says
//! what the format could not carry.
//!
//! ```
//! # #[cfg(feature = "mermaid")] {
//! use peakend::{Format, LoadOptions};
//! let text = "journey\n  title Onboarding\n  section Start\n    Kick-off: 4: Me, CSM\n    Data migration: 2: Me\n";
//! let j = peakend::load(text, Format::Mermaid, &LoadOptions::new())?;
//! assert_eq!(j.spec().name, "Onboarding");
//! assert_eq!(j.spec().personas, ["Me", "CSM"].map(peakend::PersonaSpec::named));
//! assert_eq!(j.touchpoint_by_id("data-migration").unwrap().emotion, 2.0);
//! # }
//! # Ok::<(), peakend::InvalidJourney>(())
//! ```

#[cfg(feature = "csv")]
pub mod csv;
#[cfg(feature = "mermaid")]
pub mod mermaid;

#[cfg(feature = "csv")]
use self::csv::CsvOptions;
use crate::engine;
use crate::error::{InvalidJourney, Problem, ProblemKind};
use crate::journey::{Journey, Pos};
use crate::numfmt::percent;
use crate::spec::{JourneySpec, Limits};

/// The formats peakend reads and writes.
///
/// ```
/// use peakend::Format;
/// assert_eq!("json".parse::<Format>(), Ok(Format::Json));
/// assert!("yaml".parse::<Format>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The journey JSON format (`docs/format.md`).
    Json,
    /// A Mermaid `journey` diagram.
    #[cfg(feature = "mermaid")]
    Mermaid,
    /// One row per touchpoint, with a header row.
    #[cfg(feature = "csv")]
    Csv,
}

/// A format name that is not one of peakend's (see [`Format`]'s `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (known: {known})", known = Format::NAMES.join(", "))]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            #[cfg(feature = "mermaid")]
            "mermaid" | "mmd" => Ok(Format::Mermaid),
            #[cfg(feature = "csv")]
            "csv" | "tsv" => Ok(Format::Csv),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

impl Format {
    /// The names [`Format`]'s `FromStr` accepts (besides the aliases `mmd`
    /// and `tsv`).
    pub const NAMES: &[&str] = &[
        "json",
        #[cfg(feature = "mermaid")]
        "mermaid",
        #[cfg(feature = "csv")]
        "csv",
    ];

    /// The format a file name's extension suggests: `.mmd`/`.mermaid` for
    /// Mermaid, `.csv`/`.tsv` for CSV, anything else JSON.
    ///
    /// ```
    /// use peakend::Format;
    /// # #[cfg(all(feature = "mermaid", feature = "csv"))] {
    /// assert_eq!(Format::from_path("a/b.MMD"), Format::Mermaid);
    /// assert_eq!(Format::from_path("x.csv"), Format::Csv);
    /// # }
    /// assert_eq!(Format::from_path("-"), Format::Json);
    /// ```
    #[must_use]
    pub fn from_path(path: &str) -> Format {
        let ext = std::path::Path::new(path)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            #[cfg(feature = "mermaid")]
            "mmd" | "mermaid" => Format::Mermaid,
            #[cfg(feature = "csv")]
            "csv" | "tsv" => Format::Csv,
            _ => Format::Json,
        }
    }
}

impl Format {
    /// The format a text looks like, for input without a file name
    /// (standard input): JSON when it starts with `{`, Mermaid when its
    /// first line is `journey`, front matter (`---`) or a `%%` comment,
    /// CSV otherwise (when that format is built in), else JSON.
    ///
    /// ```
    /// use peakend::Format;
    /// assert_eq!(Format::sniff("  {\"version\": 1}"), Format::Json);
    /// # #[cfg(all(feature = "mermaid", feature = "csv"))] {
    /// assert_eq!(Format::sniff("journey\n  title Day\n"), Format::Mermaid);
    /// assert_eq!(Format::sniff("name,emotion\nA,1\n"), Format::Csv);
    /// # }
    /// ```
    #[must_use]
    pub fn sniff(text: &str) -> Format {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        if first.starts_with('{') || first.starts_with('[') {
            return Format::Json;
        }
        #[cfg(feature = "mermaid")]
        if first == "---"
            || first.starts_with("%%")
            || first
                .strip_prefix("journey")
                .is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace))
        {
            return Format::Mermaid;
        }
        #[cfg(feature = "csv")]
        if !first.is_empty() {
            return Format::Csv;
        }
        Format::Json
    }
}

/// How [`load`] reads a journey: the name to give a journey whose source
/// has none, and the CSV settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoadOptions {
    name: String,
    #[cfg(feature = "csv")]
    csv: CsvOptions,
    limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            name: "journey".into(),
            #[cfg(feature = "csv")]
            csv: CsvOptions::new(),
            limits: Limits::new(),
        }
    }
}

impl LoadOptions {
    /// Defaults: name `journey`, CSV on the scale -10..10 (neutral 0).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// The journey's name when the source gives none (Mermaid without a
    /// `title`, every CSV sheet): usually the file's stem.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// The CSV settings (the emotion scale of the sheet).
    #[cfg(feature = "csv")]
    #[must_use]
    pub fn csv(mut self, csv: CsvOptions) -> Self {
        self.csv = csv;
        self
    }
    /// Resource limits (default [`Limits::new`]): input size, touchpoints,
    /// transitions, text length. Exceeding one is an error.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// The resource limits in use.
    #[must_use]
    pub fn limits_in_use(&self) -> &Limits {
        &self.limits
    }
}

/// Read a journey in any format and validate it. Problems carry the line
/// and column of the source; an import's warnings come first among the
/// journey's [`Journey::warnings`].
///
/// # Errors
/// [`InvalidJourney`] with every problem found.
///
/// ```
/// use peakend::{load, Format, LoadOptions};
/// let j = load(r#"{"version":1,"name":"x","touchpoints":[{"id":"a","name":"A","emotion":1}]}"#,
///              Format::Json, &LoadOptions::new())?;
/// assert_eq!(j.len(), 1);
/// let e = load("{", Format::Json, &LoadOptions::new()).unwrap_err();
/// assert_eq!(e.problems[0].line, Some(1));
/// # Ok::<(), peakend::InvalidJourney>(())
/// ```
#[cfg_attr(
    not(any(feature = "mermaid", feature = "csv")),
    allow(unreachable_code, unused_variables)
)]
pub fn load(text: &str, format: Format, options: &LoadOptions) -> Result<Journey, InvalidJourney> {
    // Only used by some formats.
    let _ = &options.name;
    let limits = &options.limits;
    if format == Format::Json {
        return Journey::from_json_str_with(text, limits);
    }
    if let Some(p) = limits.check_input(text.len() as u64) {
        return Err(InvalidJourney { problems: vec![p] });
    }
    let imported: Imported = match format {
        Format::Json => unreachable!("read above"),
        #[cfg(feature = "mermaid")]
        Format::Mermaid => mermaid::read(text, &options.name)?,
        #[cfg(feature = "csv")]
        Format::Csv => csv::read(text, &options.name, &options.csv)?,
    };
    imported.into_journey_within(limits)
}

/// Read a journey from bytes: UTF-8 (a leading byte-order mark is
/// skipped). A CSV sheet that is not UTF-8 is read as Windows-1252 — what
/// Excel writes on Windows — with a warning that says so; in the other
/// formats the first byte that is not UTF-8 is an error at its line and
/// column.
///
/// # Errors
/// [`InvalidJourney`] with every problem found.
///
/// ```
/// use peakend::{load_bytes, Format, LoadOptions};
/// let e = load_bytes(b"{\"version\": 1, \"name\": \"caf\xe9\"}", Format::Json, &LoadOptions::new()).unwrap_err();
/// assert_eq!((e.problems[0].line, e.problems[0].column), (Some(1), Some(28)));
/// # #[cfg(feature = "csv")] {
/// let j = load_bytes(b"name,emotion\nCaf\xe9,2\n", Format::Csv, &LoadOptions::new()).unwrap();
/// assert_eq!(j.spec().touchpoints[0].name, "Café");
/// assert!(j.warnings()[0].message.contains("Windows-1252"));
/// # }
/// ```
pub fn load_bytes(
    bytes: &[u8],
    format: Format,
    options: &LoadOptions,
) -> Result<Journey, InvalidJourney> {
    if let Some(p) = options.limits.check_input(bytes.len() as u64) {
        return Err(InvalidJourney { problems: vec![p] });
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let e = match std::str::from_utf8(bytes) {
        Ok(text) => return load(text, format, options),
        Err(e) => e,
    };
    let at = e.valid_up_to();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&bytes[line_start..at])
        .chars()
        .count()
        + 1;
    let located = |p: Problem| p.of_kind(ProblemKind::Syntax).at(line, column);
    let byte = bytes[at];
    #[cfg(feature = "csv")]
    if format == Format::Csv {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
        let mut imported = csv::read(&text, &options.name, &options.csv)?;
        imported.warnings.insert(
            0,
            located(Problem::warning(
                "",
                format!(
                    "the sheet is not UTF-8 (byte 0x{byte:02x}): read as Windows-1252, as Excel writes it; save it as CSV UTF-8 to be sure"
                ),
            )),
        );
        return imported.into_journey();
    }
    Err(InvalidJourney {
        problems: vec![located(Problem::error(
            "",
            format!("the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"),
        ))],
    })
}

/// Write a journey in a format along one path (touchpoint ids, such as an
/// [`Analysis`](crate::Analysis)'s `paths.best.touchpoints`): what Mermaid
/// and CSV write of a branching journey. JSON keeps everything anyway.
///
/// ```
/// # #[cfg(feature = "csv")] {
/// use peakend::{save_along, Format, Journey};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":1},{"id":"b","name":"B","emotion":2},{"id":"c","name":"C","emotion":3}],
///   "transitions":[{"from":"a","to":"b","probability":0.7},{"from":"a","to":"c","probability":0.3}]}"#).unwrap();
/// let out = save_along(&j, Format::Csv, &["a".to_string(), "c".to_string()]);
/// assert_eq!(out.text, "id,name,stage,emotion\na,A,,1\nc,C,,3\n");
/// assert!(out.warnings[0].contains("30.0% of customers"));
/// # }
/// ```
#[must_use]
pub fn save_along(journey: &Journey, format: Format, path: &[String]) -> Exported {
    // JSON, the one format of an engine-only build, keeps every path.
    #[cfg(not(any(feature = "mermaid", feature = "csv")))]
    let _ = path;
    match format {
        Format::Json => save(journey, format),
        #[cfg(feature = "mermaid")]
        Format::Mermaid => mermaid::write_along(journey, Some(path)),
        #[cfg(feature = "csv")]
        Format::Csv => csv::write_along(journey, Some(path)),
    }
}

/// Write a journey in a format. JSON keeps everything; the other formats
/// say in [`Exported::warnings`] what they could not carry.
///
/// ```
/// use peakend::{save, Format};
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[{"id":"a","name":"A","emotion":1}]}"#)?;
/// let out = save(&j, Format::Json);
/// assert!(out.text.starts_with('{') && out.warnings.is_empty());
/// # Ok::<(), peakend::InvalidJourney>(())
/// ```
#[must_use]
pub fn save(journey: &Journey, format: Format) -> Exported {
    match format {
        Format::Json => Exported {
            text: journey.spec().to_json(),
            warnings: Vec::new(),
        },
        #[cfg(feature = "mermaid")]
        Format::Mermaid => mermaid::write(journey),
        #[cfg(feature = "csv")]
        Format::Csv => csv::write(journey),
    }
}

/// An imported journey spec, not yet validated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Imported {
    /// The spec built from the source.
    pub spec: JourneySpec,
    /// What the import changed or could not carry over (with source lines).
    pub warnings: Vec<Problem>,
    /// Source line (1-based) of each touchpoint.
    pub lines: Vec<usize>,
}

impl Imported {
    /// Validate the spec. Problems about a touchpoint get the line it came
    /// from; the import's warnings come before validation's.
    ///
    /// # Errors
    /// [`InvalidJourney`] with every problem found.
    ///
    /// ```
    /// let i = peakend::mermaid::read("journey\n  A: 5\n", "x").unwrap();
    /// assert_eq!(i.into_journey().unwrap().len(), 1);
    /// ```
    pub fn into_journey(self) -> Result<Journey, InvalidJourney> {
        self.into_journey_within(&Limits::none())
    }

    /// [`Imported::into_journey`], refusing a spec beyond `limits`.
    pub(crate) fn into_journey_within(self, limits: &Limits) -> Result<Journey, InvalidJourney> {
        let lines = self.lines;
        let locate = |p: &mut Problem| {
            if p.line.is_none()
                && let Some(rest) = p.path.strip_prefix("touchpoints[")
                && let Some(i) = rest.split(']').next().and_then(|i| i.parse::<usize>().ok())
                && let Some(&l) = lines.get(i)
            {
                p.line = Some(l);
                p.column = Some(1);
            }
        };
        let over = limits.check_spec(&self.spec);
        let built = if over.is_empty() {
            Journey::from_spec(self.spec)
        } else {
            Err(InvalidJourney { problems: over })
        };
        match built {
            Ok(mut j) => {
                j.prepend_warnings(self.warnings);
                Ok(j)
            }
            Err(mut e) => {
                for p in &mut e.problems {
                    locate(p);
                }
                let mut problems = self.warnings;
                problems.append(&mut e.problems);
                Err(InvalidJourney { problems })
            }
        }
    }
}

/// An exported text and what it could not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exported {
    /// The text in the target format, ending in a newline.
    pub text: String,
    /// What was left out or changed, one sentence each.
    pub warnings: Vec<String>,
}

/// File indices of the touchpoints to write in order: every touchpoint of
/// a linear journey; else the given path (ids), or the main route — the
/// busiest transition at each step — with a warning saying what is left
/// out.
#[cfg_attr(not(any(feature = "mermaid", feature = "csv")), allow(dead_code))]
fn linear_order(
    j: &Journey,
    along: Option<&[String]>,
    warnings: &mut Vec<String>,
) -> (Vec<usize>, bool) {
    let (path, prob) = engine::main_route(j);
    let route: Vec<usize> = path.into_iter().map(|p| j.file_index(Pos(p))).collect();
    let linear = route.len() == j.len() && prob == 1.0;
    if linear {
        return (route, true);
    }
    let (order, what) = match along {
        Some(ids) => (
            ids.iter().filter_map(|id| j.index_of(id)).collect(),
            "the path asked for",
        ),
        None => (
            route,
            "its main route (the busiest transition at each step)",
        ),
    };
    let share = path_share(j, &order);
    warnings.push(format!(
        "the journey branches: only {what} is written ({} of {} touchpoints, {} of customers end to end); export to json or dot to keep every path",
        order.len(),
        j.len(),
        percent(share)
    ));
    (order, false)
}

/// The share of customers who take exactly this path (file indices).
fn path_share(j: &Journey, path: &[usize]) -> f64 {
    let Some(&first) = path.first() else {
        return 0.0;
    };
    let mut p = j.entry_probability(first);
    for w in path.windows(2) {
        p *= j
            .successors(w[0])
            .find(|s| s.0 == w[1])
            .map_or(0.0, |s| s.1);
    }
    p
}

#[cfg(any(feature = "mermaid", feature = "csv"))]
/// A readable id from a name: lowercase letters and digits, other runs of
/// characters as one `-`; `fallback` when nothing is left.
fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

#[cfg(any(feature = "mermaid", feature = "csv"))]
/// Hands out unique ids: `make-tea`, `make-tea-2`, … Each base remembers
/// the next number to try, so 20,000 rows with one name cost 20,000 steps,
/// not 200 million.
#[derive(Default)]
struct Ids {
    taken: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

#[cfg(any(feature = "mermaid", feature = "csv"))]
impl Ids {
    fn unique(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let k = self.next.entry(base.clone()).or_insert(2);
        loop {
            let id = format!("{base}-{k}");
            *k += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

#[cfg(feature = "mermaid")]
/// A problem at a line and column of the source.
fn at(line: usize, column: usize, severity_error: bool, message: impl Into<String>) -> Problem {
    let mut p = if severity_error {
        Problem::error("", message)
    } else {
        Problem::warning("", message)
    };
    p.line = Some(line);
    p.column = Some(column);
    p
}

#[cfg(all(test, any(feature = "mermaid", feature = "csv")))]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_and_unique() {
        assert_eq!(slug("Make tea!", "t"), "make-tea");
        assert_eq!(slug("🍵", "task"), "task");
        assert_eq!(slug("Émission — prête", "t"), "émission-prête");
        let mut ids = Ids::default();
        assert_eq!(ids.unique("a".into()), "a");
        assert_eq!(ids.unique("a".into()), "a-2");
        assert_eq!(ids.unique("a-2".into()), "a-2-2");
    }
}

/// The separator of a CSV header line: comma, semicolon or tab, whichever
/// occurs most outside quotes (comma on a tie). Journeys and event logs
/// are sniffed alike.
#[cfg(any(feature = "csv", feature = "logs"))]
pub(crate) fn sniff_separator(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}
