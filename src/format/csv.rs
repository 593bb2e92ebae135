//! Spreadsheet CSV: one row per touchpoint, in journey order, with a
//! header row.

use super::{Exported, Ids, Imported, linear_order, slug};
use crate::error::{InvalidJourney, Problem, ProblemKind, did_you_mean};
use crate::journey::Journey;
use crate::spec::{
    FORMAT_VERSION, ImprovementSpec, JourneySpec, PersonaSpec, ScaleSpec, StageSpec, TouchpointSpec,
};

/// Options of the CSV import, with chained setters.
///
/// ```
/// let o = peakend::csv::CsvOptions::new().scale("1,5,3".parse().unwrap());
/// assert_eq!(o.effective_scale().max, 5.0);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvOptions {
    scale: Option<ScaleSpec>,
}

impl CsvOptions {
    /// The defaults: the format's default scale, -10 to 10, neutral 0.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// The emotion scale the sheet's numbers are on (a [`ScaleSpec`]
    /// parses from `MIN,MAX,NEUTRAL`).
    #[must_use]
    pub fn scale(mut self, scale: ScaleSpec) -> Self {
        self.scale = Some(scale);
        self
    }
    /// The scale in use (the default when none was set).
    #[must_use]
    pub fn effective_scale(&self) -> ScaleSpec {
        self.scale.unwrap_or(ScaleSpec {
            min: -10.0,
            max: 10.0,
            neutral: Some(0.0),
            ties: None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    Name,
    Emotion,
    Stage,
    Channel,
    Owner,
    Duration,
    Tags,
    Actors,
    Notes,
    Improvement,
    Cost,
    Entry,
}

/// Header names, matched case-insensitively with spaces, `_` and `-`
/// ignored.
const HEADERS: [(&str, Col); 27] = [
    ("id", Col::Id),
    ("name", Col::Name),
    ("touchpoint", Col::Name),
    ("task", Col::Name),
    ("step", Col::Name),
    ("emotion", Col::Emotion),
    ("score", Col::Emotion),
    ("feeling", Col::Emotion),
    ("stage", Col::Stage),
    ("phase", Col::Stage),
    ("section", Col::Stage),
    ("channel", Col::Channel),
    ("owner", Col::Owner),
    ("team", Col::Owner),
    ("duration", Col::Duration),
    ("minutes", Col::Duration),
    ("tags", Col::Tags),
    ("actors", Col::Actors),
    ("actor", Col::Actors),
    ("personas", Col::Actors),
    ("persona", Col::Actors),
    ("notes", Col::Notes),
    ("description", Col::Notes),
    ("improvement", Col::Improvement),
    ("improvementemotion", Col::Improvement),
    ("cost", Col::Cost),
    ("entry", Col::Entry),
];

fn normalise(h: &str) -> String {
    h.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The separator of the header line (the first non-blank one).
fn separator(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    super::sniff_separator(header)
}

/// A number as spreadsheets write it: `-2.5`, or with a decimal comma
/// (`-2,5`).
fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let x = s.parse::<f64>().ok().or_else(|| {
        let (a, b) = s.split_once(',')?;
        let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
        let a_digits = a.strip_prefix(['-', '+']).unwrap_or(a);
        (digits(a_digits) && digits(b)).then(|| format!("{a}.{b}").parse().ok())?
    })?;
    x.is_finite().then_some(x)
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// Read a CSV sheet: one row per touchpoint in journey order, a header row
/// naming the columns (any case; `name`/`touchpoint`/`task`/`step` and
/// `emotion`/`score` are required; also `id`, `stage`, `channel`, `owner`,
/// `duration`, `tags`, `actors`, `notes`, `improvement`, `cost`, `entry`).
/// The separator (comma, semicolon or tab) is detected, and decimal commas
/// (`-2,5`) are understood. Lists (tags, actors) are comma-separated in
/// their cell. Stages are created from the stage names in order of first
/// appearance; missing ids are made from names. Columns peakend does not
/// know are kept in each touchpoint's `notes` as `Header: value`, with a
/// warning.
///
/// # Errors
/// [`InvalidJourney`] with every problem found, each with its line and
/// column name: CSV syntax, a missing required column, a value that is not
/// a number.
///
/// ```
/// let sheet = "Stage;Touchpoint;Emotion\nBuy;Signs the contract;4,5\nUse;First login;-2\n";
/// let j = peakend::csv::read(sheet, "deal", &Default::default())?.into_journey()?;
/// assert_eq!(j.touchpoint(0).emotion, 4.5);
/// assert_eq!(j.spec().stages[1].name, "Use");
/// # Ok::<(), peakend::InvalidJourney>(())
/// ```
pub fn read(text: &str, name: &str, options: &CsvOptions) -> Result<Imported, InvalidJourney> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut warnings: Vec<Problem> = Vec::new();
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let (headers, cols) = header_row(&mut reader, &mut warnings)?;
    let mut problems: Vec<Problem> = Vec::new();
    if let Some((line, column)) = unclosed_quote(text, separator(text)) {
        // The reader would take the rest of the sheet as one cell.
        return Err(InvalidJourney {
            problems: vec![
                err_at(
                    line,
                    "",
                    "this quote is never closed: the rest of the sheet would be one cell (close it, or double a quote inside a quoted cell: \"\")".into(),
                )
                .at(line, column)
                .of_kind(ProblemKind::Syntax),
            ],
        });
    }
    let (rows, given_ids) = records(&mut reader, text, &cols, &mut problems);
    let scale = options.effective_scale();
    let mut ids = Ids::default();
    for id in &given_ids {
        ids.taken.insert(id.clone());
    }
    let mut stages = Stages::default();
    let mut personas: Vec<String> = Vec::new();
    let mut seen_personas = std::collections::HashSet::new();
    let mut touchpoints = Vec::new();
    let mut lines = Vec::new();
    let mut counter = LineCounter::default();
    for r in &rows {
        let line = r.position().map_or(0, |p| counter.line_of(text, p.byte()));
        if r.iter().skip(headers.len()).any(|f| !f.trim().is_empty()) {
            warnings.push(
                Problem::warning(
                    "",
                    format!(
                        "{} cells, but the header names {}: the extra ones are kept in the notes",
                        r.len(),
                        headers.len()
                    ),
                )
                .at(line, headers.len() + 1),
            );
        }
        let Some(mut tp) = row(r, &headers, &cols, line, &mut stages, &mut problems) else {
            continue;
        };
        if tp.id.is_empty() {
            tp.id = ids.unique(slug(&tp.name, "touchpoint"));
        }
        for a in &tp.actors {
            if seen_personas.insert(a.clone()) {
                personas.push(a.clone());
            }
        }
        touchpoints.push(tp);
        lines.push(line);
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(err_at(
            1,
            "",
            "no rows under the header: nothing to score".into(),
        ));
    }
    if !problems.is_empty() {
        problems.extend(warnings);
        problems.sort_by_key(|p| p.line);
        return Err(InvalidJourney { problems });
    }
    Ok(Imported {
        spec: JourneySpec {
            version: FORMAT_VERSION,
            name: name.to_string(),
            description: None,
            scale: options.scale.map(|_| scale),
            stages: stages.list,
            personas: personas.into_iter().map(PersonaSpec::named).collect(),
            outcomes: Vec::new(),
            touchpoints,
            transitions: None,
        },
        warnings,
        lines,
    })
}

/// Where a quote opens that is never closed (line, column), reading the
/// sheet as the CSV reader does: a quote opens only at the start of a
/// cell, and inside a quoted cell `""` is a quote.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut at_cell_start = true;
    let mut open: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if open.is_some() {
            if c == b'"' {
                if b.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    open = None;
                }
            }
        } else if c == b'"' && at_cell_start {
            let column = text[line_start..i].chars().count() + 1;
            open = Some((line, column));
        }
        if c == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        at_cell_start = open.is_none() && (c == delimiter || c == b'\n' || c == b'\r');
        i += 1;
    }
    open
}

/// An error at a line of the sheet, named by its column.
fn err_at(line: usize, path: &str, msg: String) -> Problem {
    let mut p = Problem::error(path, msg);
    p.line = Some(line);
    p
}

/// The line (1-based) of a byte offset; a record's position may be at
/// blank lines before it, which are skipped (the reader's own line count
/// skips blank lines).
/// Line numbers of byte offsets asked in increasing order (rows in file
/// order): each call counts only the newlines since the last one.
#[derive(Default)]
struct LineCounter {
    at: usize,
    line: usize,
}

impl LineCounter {
    /// The line of the record that starts at `byte` (a record's position
    /// may point at the line break before it).
    fn line_of(&mut self, text: &str, byte: u64) -> usize {
        let b = text.as_bytes();
        let mut to = (byte as usize).min(b.len());
        while to < b.len() && matches!(b[to], b'\n' | b'\r') {
            to += 1;
        }
        if to < self.at {
            *self = LineCounter::default();
        }
        self.line += b[self.at..to].iter().filter(|&&c| c == b'\n').count();
        self.at = to;
        self.line + 1
    }
}

/// The header row: which field each column holds. Unknown columns are
/// warned about (their values go to the notes); a field twice, or no name
/// or emotion column, is an error.
fn header_row(
    reader: &mut ::csv::Reader<&[u8]>,
    warnings: &mut Vec<Problem>,
) -> Result<(::csv::StringRecord, Vec<Option<Col>>), InvalidJourney> {
    let mut problems: Vec<Problem> = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(InvalidJourney {
                problems: vec![err_at(1, "", format!("cannot read the header row: {e}"))],
            });
        }
    };
    let known: Vec<&str> = HEADERS.iter().map(|(h, _)| *h).collect();
    let mut cols: Vec<Option<Col>> = Vec::new();
    for (k, h) in headers.iter().enumerate() {
        let n = normalise(h);
        let col = HEADERS.iter().find(|(x, _)| *x == n).map(|(_, c)| *c);
        if let Some(c) = col
            && cols.contains(&Some(c))
        {
            problems.push(err_at(
                1,
                h.trim(),
                format!("a second column for the same field (column {})", k + 1),
            ));
        }
        if col.is_none() && !h.trim().is_empty() {
            let hint = did_you_mean(&n, known.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            warnings.push({
                let mut p = Problem::warning(
                    h.trim(),
                    format!("unknown column{hint}: its values are kept in each touchpoint's notes"),
                );
                p.line = Some(1);
                p
            });
        }
        cols.push(col);
    }
    for (need, what) in [
        (Col::Name, "name (or touchpoint, task, step)"),
        (Col::Emotion, "emotion (or score)"),
    ] {
        if !cols.contains(&Some(need)) {
            problems.push(err_at(1, "", format!("no {what} column in the header row")));
        }
    }
    if !problems.is_empty() {
        return Err(InvalidJourney { problems });
    }
    Ok((headers, cols))
}

/// The non-blank records, and the ids they give (so that made-up ids never
/// take them); syntax errors become problems.
fn records(
    reader: &mut ::csv::Reader<&[u8]>,
    text: &str,
    cols: &[Option<Col>],
    problems: &mut Vec<Problem>,
) -> (Vec<::csv::StringRecord>, Vec<String>) {
    let mut given_ids: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for rec in reader.records() {
        match rec {
            Ok(r) => {
                if r.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                if let Some(k) = cols.iter().position(|c| *c == Some(Col::Id))
                    && let Some(id) = r.get(k).map(str::trim).filter(|s| !s.is_empty())
                {
                    given_ids.push(id.to_string());
                }
                rows.push(r);
            }
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| LineCounter::default().line_of(text, p.byte()));
                problems.push(err_at(line, "", format!("CSV syntax: {e}")));
            }
        }
    }
    (rows, given_ids)
}

/// Stages by name, in order of first appearance.
#[derive(Default)]
struct Stages {
    ids: Ids,
    list: Vec<StageSpec>,
    by_name: std::collections::HashMap<String, usize>,
}

impl Stages {
    /// The id of the stage with this name, made on first use.
    fn id(&mut self, name: &str) -> String {
        if let Some(&k) = self.by_name.get(name) {
            return self.list[k].id.clone();
        }
        let id = self.ids.unique(slug(name, "stage"));
        self.by_name.insert(name.to_string(), self.list.len());
        self.list.push(StageSpec {
            id: id.clone(),
            name: name.to_string(),
        });
        id
    }
}

/// One row as a touchpoint (without a made-up id yet), or `None` with its
/// problems reported.
fn row(
    r: &::csv::StringRecord,
    headers: &::csv::StringRecord,
    cols: &[Option<Col>],
    line: usize,
    stages: &mut Stages,
    problems: &mut Vec<Problem>,
) -> Option<TouchpointSpec> {
    let mut tp = TouchpointSpec::new(String::new(), String::new(), f64::NAN);
    let mut notes: Vec<String> = Vec::new();
    let mut improvement: Option<f64> = None;
    let mut cost: Option<f64> = None;
    let mut ok = true;
    for (k, field) in r.iter().enumerate() {
        let v = field.trim();
        let header = headers.get(k).unwrap_or("").trim();
        let Some(Some(col)) = cols.get(k) else {
            if !v.is_empty() {
                if header.is_empty() {
                    notes.push(v.to_string());
                } else {
                    notes.push(format!("{header}: {v}"));
                }
            }
            continue;
        };
        let mut num = |what: &str| -> Option<Option<f64>> {
            if v.is_empty() {
                return Some(None);
            }
            match number(v) {
                Some(x) => Some(Some(x)),
                None => {
                    problems.push(err_at(line, header, format!("`{v}` is not {what}")));
                    None
                }
            }
        };
        match col {
            Col::Id => tp.id = v.to_string(),
            Col::Name => tp.name = v.to_string(),
            Col::Emotion => match num("a number") {
                Some(Some(x)) => tp.emotion = x,
                Some(None) => {
                    problems.push(err_at(line, header, "no emotion".into()));
                    ok = false;
                }
                None => ok = false,
            },
            Col::Stage => {
                if !v.is_empty() {
                    tp.stage = Some(stages.id(v));
                }
            }
            Col::Channel => tp.channel = (!v.is_empty()).then(|| v.to_string()),
            Col::Owner => tp.owner = (!v.is_empty()).then(|| v.to_string()),
            Col::Duration => match num("a number of minutes") {
                Some(x) => tp.duration = x,
                None => ok = false,
            },
            Col::Tags => tp.tags = list(v),
            Col::Actors => tp.actors = list(v),
            Col::Notes => {
                if !v.is_empty() {
                    notes.insert(0, v.to_string());
                }
            }
            Col::Improvement => match num("a number") {
                Some(x) => improvement = x,
                None => ok = false,
            },
            Col::Cost => match num("a number") {
                Some(x) => cost = x,
                None => ok = false,
            },
            Col::Entry => match num("a probability") {
                Some(x) => tp.entry = x,
                None => ok = false,
            },
        }
    }
    ok &= complete(&mut tp, improvement, cost, line, problems, ok);
    if !ok {
        return None;
    }
    tp.notes = (!notes.is_empty()).then(|| notes.join("\n"));
    Some(tp)
}

/// A row's touchpoint has an emotion and a name, and an improvement where
/// it has a cost; the improvement is set. False with the problems reported.
fn complete(
    tp: &mut TouchpointSpec,
    improvement: Option<f64>,
    cost: Option<f64>,
    line: usize,
    problems: &mut Vec<Problem>,
    fields_ok: bool,
) -> bool {
    let mut ok = fields_ok;
    if tp.emotion.is_nan() && ok {
        problems.push(err_at(line, "", "no emotion".into()));
        ok = false;
    }
    if tp.name.is_empty() {
        problems.push(err_at(line, "", "a touchpoint without a name".into()));
        ok = false;
    }
    match (improvement, cost) {
        (Some(e), c) => {
            tp.improvement = Some(ImprovementSpec {
                emotion: e,
                cost: c,
            })
        }
        (None, Some(_)) => {
            problems.push(err_at(
                line,
                "cost",
                "a cost without an improvement (the emotion the change would reach)".into(),
            ));
            ok = false;
        }
        (None, None) => {}
    }
    ok
}

/// The journey as CSV, one row per touchpoint in journey order (the most
/// likely path of a branching journey, with a warning), with the columns
/// [`read`] reads: `id`, `name`, `stage` (its name), `emotion`,
/// then whichever of `duration`, `channel`, `owner`, `tags`, `actors`,
/// `improvement`, `cost`, `entry`, `notes` the journey uses. Lists are
/// comma-separated inside their cell.
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"Call, then email","emotion":-2.5,"channel":"phone"}]}"#).unwrap();
/// assert_eq!(peakend::csv::write(&j).text, "id,name,stage,emotion,channel\na,\"Call, then email\",,-2.5,phone\n");
/// ```
///
/// # Panics
/// Never: writing CSV to memory cannot fail.
#[must_use]
pub fn write(j: &Journey) -> Exported {
    write_along(j, None)
}

/// Warn about what a CSV file cannot hold of the personas.
fn lost_persona_fields(spec: &JourneySpec, warnings: &mut Vec<String>) {
    if spec.touchpoints.iter().any(|t| !t.emotions.is_empty()) {
        warnings
            .push("CSV has no place for per-persona emotions; export to json to keep them".into());
    }
    if spec
        .personas
        .iter()
        .any(|p| p.role.is_some() || p.weight.is_some())
    {
        warnings.push(
            "CSV has no place for persona roles and weights; export to json to keep them".into(),
        );
    }
}

/// As [`write`], along a given path (touchpoint ids) instead of the main
/// route when the journey branches.
///
/// # Panics
/// Never: writing CSV to memory cannot fail.
#[must_use]
pub fn write_along(j: &Journey, along: Option<&[String]>) -> Exported {
    let spec = j.spec();
    let mut warnings = Vec::new();
    let (order, _) = linear_order(j, along, &mut warnings);
    lost_persona_fields(spec, &mut warnings);
    let scale = j.scale();
    if scale.min != -10.0 || scale.max != 10.0 || scale.neutral != 0.0 {
        warnings.push(format!(
            "CSV has no place for the scale: read the file back with --scale {},{},{}",
            scale.min, scale.max, scale.neutral
        ));
    }
    let tps = &spec.touchpoints;
    type Get = fn(&crate::spec::TouchpointSpec) -> String;
    let optional: [(&str, Get); 9] = [
        ("duration", |t| {
            t.duration.map(|x| x.to_string()).unwrap_or_default()
        }),
        ("channel", |t| t.channel.clone().unwrap_or_default()),
        ("owner", |t| t.owner.clone().unwrap_or_default()),
        ("tags", |t| t.tags.join(", ")),
        ("actors", |t| t.actors.join(", ")),
        ("improvement", |t| {
            t.improvement
                .map(|i| i.emotion.to_string())
                .unwrap_or_default()
        }),
        ("cost", |t| {
            t.improvement
                .and_then(|i| i.cost)
                .map(|c| c.to_string())
                .unwrap_or_default()
        }),
        ("entry", |t| {
            t.entry.map(|x| x.to_string()).unwrap_or_default()
        }),
        ("notes", |t| t.notes.clone().unwrap_or_default()),
    ];
    let used: Vec<&(&str, Get)> = optional
        .iter()
        .filter(|(_, get)| order.iter().any(|&i| !get(&tps[i]).is_empty()))
        .collect();
    for t in tps {
        for (what, list) in [("tag", &t.tags), ("actor", &t.actors)] {
            if list.iter().any(|x| x.contains(',')) {
                warnings.push(format!(
                    "a {what} of `{}` contains a comma; it will read back as two",
                    t.name
                ));
            }
        }
    }
    let stage_name = |id: &str| {
        spec.stages
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_string(), |s| s.name.clone())
    };
    let mut w = ::csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header = vec!["id", "name", "stage", "emotion"];
    header.extend(used.iter().map(|(h, _)| *h));
    w.write_record(&header).expect("writing to memory");
    for &i in &order {
        let t = &tps[i];
        let mut row = vec![
            t.id.clone(),
            t.name.clone(),
            t.stage.as_deref().map(stage_name).unwrap_or_default(),
            t.emotion.to_string(),
        ];
        row.extend(used.iter().map(|(_, get)| get(t)));
        w.write_record(&row).expect("writing to memory");
    }
    let text = String::from_utf8(w.into_inner().expect("writing to memory"))
        .expect("the fields are UTF-8");
    Exported { text, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_decimal_commas() {
        assert_eq!(separator("a;b;c\n1,5;2;3"), b';');
        assert_eq!(separator("\"a;b\",c\n"), b',');
        assert_eq!(separator("a\tb\n"), b'\t');
        assert_eq!(number("-2,5"), Some(-2.5));
        assert_eq!(number("1e1"), Some(10.0));
        assert_eq!(number("1,234,5"), None);
        assert_eq!(number("NaN"), None);
    }
}
