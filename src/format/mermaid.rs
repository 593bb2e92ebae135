//! Mermaid `journey` diagrams, read as Mermaid's own grammar reads them
//! (`journey.jison`): `title`, `section`, `Task: score: actor, actor`,
//! `%%` and `#` comments, `accTitle`, `accDescr` in single-line and block
//! form, blank lines and any indentation; YAML front matter and `%%{init}%%`
//! directives before `journey`; CRLF line ends.

use super::{Exported, Ids, Imported, at, linear_order, slug};
use crate::error::{InvalidJourney, Problem};
use crate::journey::Journey;
use crate::spec::{FORMAT_VERSION, JourneySpec, PersonaSpec, ScaleSpec, StageSpec, TouchpointSpec};
use std::fmt::Write;

/// Mermaid's score range and its neutral middle.
pub(crate) const MERMAID_SCALE: ScaleSpec = ScaleSpec {
    min: 1.0,
    max: 5.0,
    neutral: Some(3.0),
    ties: None,
};

/// The comment peakend's export writes when the journey's scale is not
/// Mermaid's 1 to 5: scores are then mapped, and this maps them back.
pub(crate) const SCALE_COMMENT: &str = "peakend scale:";

/// Emotion on `scale` → Mermaid score: piecewise linear, min → 1,
/// neutral → 3, max → 5.
pub(crate) fn to_score(e: f64, min: f64, max: f64, neutral: f64) -> f64 {
    if e >= neutral {
        if max == neutral {
            3.0
        } else {
            3.0 + (e - neutral) / (max - neutral) * 2.0
        }
    } else if neutral == min {
        3.0
    } else {
        3.0 - (neutral - e) / (neutral - min) * 2.0
    }
}

/// The inverse of [`to_score`], snapped to 9 decimals when within
/// rounding error of them (so that `-7` comes back as `-7`, not
/// `-7.000000000000001`).
pub(crate) fn from_score(s: f64, min: f64, max: f64, neutral: f64) -> f64 {
    let e = if s >= 3.0 {
        neutral + (s - 3.0) / 2.0 * (max - neutral)
    } else {
        neutral - (3.0 - s) / 2.0 * (neutral - min)
    };
    let r = (e * 1e9).round() / 1e9;
    if (r - e).abs() <= 1e-12 * e.abs().max(1.0) {
        r + 0.0
    } else {
        e
    }
}

struct Task {
    line: usize,
    name: String,
    score: f64,
    section: Option<usize>,
    actors: Vec<String>,
}

struct Section {
    line: usize,
    column: usize,
    name: String,
    tasks: usize,
}

/// Character column (1-based) of byte offset `b` in `line`.
fn col(line: &str, b: usize) -> usize {
    line[..b.min(line.len())].chars().count() + 1
}

/// `s` starts with `kw` (ASCII, any case); returns the rest.
fn keyword<'a>(s: &'a str, kw: &str) -> Option<&'a str> {
    let head = s.get(..kw.len())?;
    head.eq_ignore_ascii_case(kw).then(|| &s[kw.len()..])
}

/// Cut at the first of `stops`.
fn until<'a>(s: &'a str, stops: &[char]) -> &'a str {
    match s.find(|c| stops.contains(&c)) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// Read a Mermaid `journey` diagram. Sections become stages, tasks become
/// touchpoints in order (ids made from their names), scores become the
/// emotion on the scale {min 1, max 5, neutral 3} — widened, with a warning,
/// when a score lies outside it — and actors are kept, on each touchpoint
/// and as the journey's `personas` in order of first appearance. The name
/// is the diagram's `title`, else the front matter's `title`, else
/// `accTitle`, else `fallback_name`; `accDescr` becomes the description.
///
/// # Errors
/// [`InvalidJourney`] with every problem found, each at its line and
/// column: no `journey` line, a line that is neither a keyword nor a task,
/// a score that is not a number (`Hello`, empty), no tasks at all.
///
/// ```
/// let err = peakend::mermaid::read("journey\n  Make tea: Hello: Me\n", "x").unwrap_err();
/// assert_eq!(err.problems[0].line, Some(2));
/// assert!(err.problems[0].message.contains("`Hello` is not a score"));
/// ```
pub fn read(text: &str, fallback_name: &str) -> Result<Imported, InvalidJourney> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut r = Reader {
        lines: &lines,
        k: 0,
        problems: Vec::new(),
        warnings: Vec::new(),
        scale_comment: None,
        front_title: None,
        title: None,
        acc_title: None,
        acc_descr: Vec::new(),
        sections: Vec::new(),
        tasks: Vec::new(),
        current: None,
        block: None,
    };
    let Some(journey_at) = r.preamble() else {
        if r.problems.is_empty() {
            r.problems.push(at(
                lines.len().max(1),
                1,
                true,
                "no `journey` line: this is not a Mermaid journey diagram",
            ));
        }
        return Err(InvalidJourney {
            problems: r.problems,
        });
    };
    while r.k < lines.len() {
        r.line();
    }
    r.finish(journey_at)?;
    let (scale, emotions) = r.scale();
    Ok(r.build(scale, &emotions, fallback_name))
}

/// The state of one read of a Mermaid diagram.
struct Reader<'t> {
    lines: &'t [&'t str],
    /// The next line to read (0-based).
    k: usize,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    scale_comment: Option<(usize, ScaleSpec)>,
    front_title: Option<String>,
    title: Option<String>,
    acc_title: Option<String>,
    acc_descr: Vec<String>,
    sections: Vec<Section>,
    tasks: Vec<Task>,
    current: Option<usize>,
    /// Open `accDescr {` block: its line and the text so far.
    block: Option<(usize, String)>,
}

impl Reader<'_> {
    fn skip_comment(&mut self) {
        self.k = skip_comment(
            self.lines,
            self.k,
            &mut self.warnings,
            &mut self.scale_comment,
            &mut self.problems,
        );
    }

    /// Before `journey`: blank lines, front matter, comments, directives.
    /// The index of the `journey` line, if there is one.
    fn preamble(&mut self) -> Option<usize> {
        let lines = self.lines;
        let mut seen_content = false;
        while self.k < lines.len() {
            let k = self.k;
            let t = lines[k].trim();
            if t.is_empty() {
                self.k += 1;
            } else if t == "---" && !seen_content {
                if !self.front_matter() {
                    return None;
                }
                seen_content = true;
            } else if t.starts_with("%%") {
                seen_content = true;
                self.skip_comment();
            } else if t.starts_with('#') {
                self.k += 1;
            } else {
                let rest = keyword(t, "journey");
                if rest.is_some_and(|r| r.trim().is_empty() || r.trim_start().starts_with("%%")) {
                    self.k += 1;
                    return Some(k);
                }
                self.problems.push(at(
                    k + 1,
                    col(lines[k], lines[k].len() - lines[k].trim_start().len()),
                    true,
                    format!(
                        "expected `journey` (a Mermaid journey diagram starts with it), found `{}`",
                        crate::numfmt::truncate(t, 40)
                    ),
                ));
                return None;
            }
        }
        None
    }

    /// YAML front matter from the `---` at line `k`: only `title` matters
    /// to a journey. False when it is never closed.
    fn front_matter(&mut self) -> bool {
        let lines = self.lines;
        let mut k = self.k;
        let problems = &mut self.problems;
        let warnings = &mut self.warnings;
        let front_title = &mut self.front_title;
        // YAML front matter: only `title` matters to a journey.
        let start = k;
        k += 1;
        let indent = |l: &str| l.len() - l.trim_start().len();
        let body: Vec<(usize, &str)> = (k..lines.len())
            .take_while(|&i| lines[i].trim() != "---")
            .map(|i| (i, lines[i]))
            .collect();
        k += body.len();
        if k >= lines.len() {
            problems.push(at(
                start + 1,
                1,
                true,
                "front matter opened with `---` is never closed",
            ));
            return false;
        }
        k += 1;
        let top = body
            .iter()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(_, l)| indent(l))
            .min()
            .unwrap_or(0);
        for (i, l) in &body {
            if indent(l) != top || l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            let (key, value) = l.trim().split_once(':').unwrap_or((l.trim(), ""));
            if key.trim() == "title" {
                let v = value.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(v);
                *front_title = Some(v.to_string());
            } else {
                warnings.push(at(
                    i + 1,
                    indent(l) + 1,
                    false,
                    format!(
                        "front matter `{}` is Mermaid rendering configuration; peakend leaves it out",
                        key.trim()
                    ),
                ));
            }
        }
        self.k = k;
        true
    }

    /// Read one line after `journey`.
    fn line(&mut self) {
        let lines = self.lines;
        let k = self.k;
        let line = lines[k];
        let n = k + 1;
        let mut rest: &str = line;
        let mut offset = 0usize;
        if let Some((start, mut acc)) = self.block.take() {
            match line.find('}') {
                Some(i) => {
                    acc.push('\n');
                    acc.push_str(&line[..i]);
                    self.acc_descr.push(dedent(&acc));
                    offset = i + 1;
                    rest = &line[i + 1..];
                }
                None => {
                    acc.push('\n');
                    acc.push_str(line);
                    self.block = Some((start, acc));
                    self.k += 1;
                    return;
                }
            }
        }
        let t = rest.trim_start();
        let c0 = offset + (rest.len() - t.len());
        let t = t.trim_end();
        if t.is_empty() || t.starts_with('#') {
            self.k += 1;
            return;
        }
        if t.starts_with("%%") {
            self.skip_comment();
            return;
        }
        self.k += 1;
        if !self.accessibility(t, n, c0) {
            self.statement(line, t, n, c0);
        }
    }

    /// `accTitle` and `accDescr` (one line or a block); true when `t` was one.
    fn accessibility(&mut self, t: &str, n: usize, c0: usize) -> bool {
        if let Some(r) = keyword(t, "accTitle")
            && let Some(v) = r.trim_start().strip_prefix(':')
        {
            self.acc_title = Some(v.trim().to_string());
            return true;
        }
        if let Some(r) = keyword(t, "accDescr") {
            let r = r.trim_start();
            if let Some(v) = r.strip_prefix(':') {
                self.acc_descr.push(v.trim().to_string());
                return true;
            }
            if let Some(v) = r.strip_prefix('{') {
                match v.find('}') {
                    Some(i) => {
                        self.acc_descr.push(v[..i].trim().to_string());
                        let after = v[i + 1..].trim();
                        if !after.is_empty() {
                            self.problems.push(at(
                                n,
                                c0 + 1,
                                true,
                                "put the statement after a one-line `accDescr { … }` on its own line",
                            ));
                        }
                    }
                    None => self.block = Some((n, v.to_string())),
                }
                return true;
            }
        }
        false
    }

    /// `title`, `section`, a second `journey`, or a task.
    fn statement(&mut self, line: &str, t: &str, n: usize, c0: usize) {
        if let Some(r) = keyword(t, "title")
            && r.starts_with(char::is_whitespace)
        {
            self.title = Some(until(r, &['#', ';']).trim().to_string());
            return;
        }
        if let Some(r) = keyword(t, "section")
            && (r.is_empty() || r.starts_with(char::is_whitespace))
        {
            let name = until(r, &['#', ';']);
            if let Some(i) = name.find(':') {
                self.problems.push(at(
                    n,
                    col(line, c0 + "section".len() + i),
                    true,
                    "a section name cannot contain `:` (Mermaid reads the rest as a task's score)",
                ));
                return;
            }
            self.sections.push(Section {
                line: n,
                column: col(line, c0),
                name: name.trim().to_string(),
                tasks: 0,
            });
            self.current = Some(self.sections.len() - 1);
            return;
        }
        if keyword(t, "journey").is_some_and(|r| r.trim().is_empty()) {
            self.problems
                .push(at(n, col(line, c0), true, "a second `journey` line"));
            return;
        }
        self.task(line, t, n, c0);
    }

    /// A task: `name: score[: actors]`, up to a `#` comment or `;`.
    fn task(&mut self, line: &str, t: &str, n: usize, c0: usize) {
        let stmt = until(t, &['#', ';']);
        let Some((name, data)) = stmt.split_once(':') else {
            self.problems.push(at(
                n,
                col(line, c0),
                true,
                format!(
                    "`{}` is neither a keyword nor a task (`Task name: score: actor, actor`)",
                    crate::numfmt::truncate(stmt.trim(), 40)
                ),
            ));
            return;
        };
        let name = name.trim();
        if name.is_empty() {
            self.problems
                .push(at(n, col(line, c0), true, "a task without a name"));
            return;
        }
        let data_at = c0 + stmt.len() - data.len();
        let mut pieces = data.split(':');
        let raw_score = pieces.next().unwrap_or("");
        let actors_raw = pieces.next();
        let extra: Vec<&str> = pieces.collect();
        if !extra.is_empty() {
            self.warnings.push(at(
                n,
                col(line, data_at),
                false,
                format!(
                    "text after the third `:` (`{}`) is left out, as Mermaid does",
                    extra.join(":").trim()
                ),
            ));
        }
        let s = raw_score.trim();
        let score_col = col(
            line,
            data_at + raw_score.len() - raw_score.trim_start().len(),
        );
        let score = match s.parse::<f64>() {
            _ if s.is_empty() => {
                self.problems.push(at(
                    n,
                    score_col,
                    true,
                    format!("task `{name}` has no score (a number, usually 1 to 5)"),
                ));
                return;
            }
            Ok(x) if x.is_finite() && x.abs() <= crate::spec::MAX_SCALE => x,
            Ok(x) if x.is_finite() => {
                self.problems.push(at(
                    n,
                    score_col,
                    true,
                    format!("`{s}` is not a score on any rating scale (peakend holds scores within -1e9..1e9)"),
                ));
                return;
            }
            _ => {
                self.problems.push(at(
                    n,
                    score_col,
                    true,
                    format!(
                        "`{s}` is not a score (a number, usually 1 to 5); Mermaid would draw it as NaN"
                    ),
                ));
                return;
            }
        };
        let mut actors: Vec<String> = Vec::new();
        for a in actors_raw.unwrap_or("").split(',') {
            let a = a.trim();
            if a.is_empty() {
                continue;
            }
            if actors.iter().any(|x| x == a) {
                self.warnings.push(at(
                    n,
                    score_col,
                    false,
                    format!("actor `{a}` is listed twice; kept once"),
                ));
                continue;
            }
            actors.push(a.to_string());
        }
        if let Some(c) = self.current {
            self.sections[c].tasks += 1;
        }
        self.tasks.push(Task {
            line: n,
            name: name.to_string(),
            score,
            section: self.current,
            actors,
        });
    }

    /// What is wrong with the diagram as a whole; every problem, sorted,
    /// when there is one.
    fn finish(&mut self, journey_at: usize) -> Result<(), InvalidJourney> {
        if let Some((start, _)) = self.block.take() {
            self.problems
                .push(at(start, 1, true, "`accDescr {` is never closed with `}`"));
        }
        for s in self.sections.iter().filter(|s| s.tasks == 0) {
            self.warnings.push(at(
                s.line,
                s.column,
                false,
                format!("section `{}` has no tasks; it is left out", s.name),
            ));
        }
        if self.tasks.is_empty() && self.problems.is_empty() {
            self.problems.push(at(
                journey_at + 1,
                1,
                true,
                "the diagram has no tasks (`Task name: score: actors`), so there is nothing to score",
            ));
        }
        if !self.problems.is_empty() {
            let mut problems = std::mem::take(&mut self.problems);
            problems.append(&mut self.warnings);
            problems.sort_by_key(|p| (p.line, p.column));
            return Err(InvalidJourney { problems });
        }
        Ok(())
    }

    /// The scale: Mermaid's 1..5, or what peakend's export recorded;
    /// widened to hold every score. With each task's emotion on it.
    fn scale(&mut self) -> (ScaleSpec, Vec<f64>) {
        // The scale: Mermaid's 1..5, or what peakend's export recorded; widened
        // to hold every score.
        let mut scale = match self.scale_comment {
            Some((_, s)) => s,
            None => MERMAID_SCALE,
        };
        let mapped = self.scale_comment.is_some();
        let emotions: Vec<f64> = self
            .tasks
            .iter()
            .map(|t| {
                if mapped {
                    from_score(t.score, scale.min, scale.max, scale.neutral.unwrap_or(3.0))
                } else {
                    t.score
                }
            })
            .collect();
        let lo = emotions.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = emotions.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if lo < scale.min || hi > scale.max {
            let outside: Vec<String> = self
                .tasks
                .iter()
                .zip(&emotions)
                .filter(|(_, e)| **e < scale.min || **e > scale.max)
                .map(|(t, _)| format!("{} on line {}", crate::numfmt::shortest(t.score), t.line))
                .collect();
            let first = self
                .tasks
                .iter()
                .zip(&emotions)
                .find(|(_, e)| **e < scale.min || **e > scale.max)
                .map_or(1, |(t, _)| t.line);
            scale.min = scale.min.min(lo);
            scale.max = scale.max.max(hi);
            self.warnings.push(at(
                first,
                1,
                false,
                format!(
                    "score{} outside {} to {} ({}): the scale is widened to {} to {}",
                    if outside.len() == 1 { "" } else { "s" },
                    crate::numfmt::shortest(if mapped { scale.min } else { 1.0 }),
                    crate::numfmt::shortest(if mapped { scale.max } else { 5.0 }),
                    outside.join(", "),
                    crate::numfmt::shortest(scale.min),
                    crate::numfmt::shortest(scale.max)
                ),
            ));
        }
        (scale, emotions)
    }

    /// The spec: stages from sections, touchpoints from tasks, personas
    /// from actors, the name and description.
    fn build(mut self, scale: ScaleSpec, emotions: &[f64], fallback_name: &str) -> Imported {
        let mut stage_ids = Ids::default();
        let mut stages: Vec<StageSpec> = Vec::new();
        let mut section_stage: Vec<Option<usize>> = vec![None; self.sections.len()];
        for (i, s) in self.sections.iter().enumerate() {
            if s.tasks == 0 {
                continue;
            }
            // Sections of the same name are one stage.
            let k = match stages.iter().position(|st| st.name == s.name) {
                Some(k) => k,
                None => {
                    stages.push(StageSpec {
                        id: stage_ids.unique(slug(&s.name, "section")),
                        name: s.name.clone(),
                    });
                    stages.len() - 1
                }
            };
            section_stage[i] = Some(k);
        }
        let mut ids = Ids::default();
        let mut personas: Vec<String> = Vec::new();
        let mut seen_personas = std::collections::HashSet::new();
        let mut touchpoints = Vec::with_capacity(self.tasks.len());
        for (t, &e) in self.tasks.iter().zip(emotions) {
            let mut tp = TouchpointSpec::new(ids.unique(slug(&t.name, "task")), t.name.clone(), e);
            tp.stage = t
                .section
                .and_then(|s| section_stage[s])
                .map(|k| stages[k].id.clone());
            for a in &t.actors {
                if seen_personas.insert(a.as_str()) {
                    personas.push(a.clone());
                }
            }
            tp.actors = t.actors.clone();
            touchpoints.push(tp);
        }
        let name = self
            .title
            .clone()
            .filter(|t| !t.is_empty())
            .or(self.front_title.filter(|t| !t.is_empty()))
            .or(self.acc_title.clone().filter(|t| !t.is_empty()))
            .unwrap_or_else(|| fallback_name.to_string());
        let mut description: Vec<String> = Vec::new();
        if let Some(a) = self.acc_title.filter(|a| !a.is_empty() && *a != name) {
            description.push(a);
        }
        description.extend(self.acc_descr.into_iter().filter(|d| !d.is_empty()));
        self.warnings.sort_by_key(|p| (p.line, p.column));
        Imported {
            lines: self.tasks.iter().map(|t| t.line).collect(),
            spec: JourneySpec {
                version: FORMAT_VERSION,
                name,
                description: (!description.is_empty()).then(|| description.join("\n\n")),
                scale: Some(scale),
                stages,
                personas: personas.into_iter().map(PersonaSpec::named).collect(),
                outcomes: Vec::new(),
                touchpoints,
                transitions: None,
            },
            warnings: self.warnings,
        }
    }
}

/// Skip a `%%` comment or a `%%{ … }%%` directive (which may span lines)
/// starting at line `k`; returns the next line. Directives are Mermaid
/// rendering configuration: warned about and left out. peakend's own scale
/// comment is read.
fn skip_comment(
    lines: &[&str],
    k: usize,
    warnings: &mut Vec<Problem>,
    scale: &mut Option<(usize, ScaleSpec)>,
    problems: &mut Vec<Problem>,
) -> usize {
    let t = lines[k].trim();
    let column = lines[k].len() - lines[k].trim_start().len() + 1;
    if t.starts_with("%%{") {
        let mut e = k;
        while e < lines.len() && !lines[e].contains("}%%") {
            e += 1;
        }
        warnings.push(at(
            k + 1,
            column,
            false,
            "a `%%{…}%%` directive is Mermaid rendering configuration; peakend leaves it out",
        ));
        return (e + 1).min(lines.len()).max(k + 1);
    }
    if let Some(r) = t[2..].trim().strip_prefix(SCALE_COMMENT) {
        match parse_scale(r) {
            Some(s) => *scale = Some((k + 1, s)),
            None => problems.push(at(
                k + 1,
                column,
                true,
                format!(
                    "`%% {SCALE_COMMENT}` expects `min X, max Y, neutral Z` with min < neutral < max or at an end"
                ),
            )),
        }
    }
    k + 1
}

/// `min -10, max 10, neutral 0`.
fn parse_scale(s: &str) -> Option<ScaleSpec> {
    let mut min = None;
    let mut max = None;
    let mut neutral = None;
    for part in s.split(',') {
        let (k, v) = part.trim().split_once(' ')?;
        let v: f64 = v
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && v.abs() <= crate::spec::MAX_SCALE)?;
        match k {
            "min" => min = Some(v),
            "max" => max = Some(v),
            "neutral" => neutral = Some(v),
            _ => return None,
        }
    }
    let (min, max, neutral) = (min?, max?, neutral?);
    (min < max && (min..=max).contains(&neutral)).then_some(ScaleSpec {
        min,
        max,
        neutral: Some(neutral),
        ties: None,
    })
}

/// Remove the common indentation of a block's lines; trim blank edges.
fn dedent(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Replace characters a Mermaid field cannot hold with look-alikes.
fn mermaid_safe(s: &str, forbidden: &[char], what: &str, warnings: &mut Vec<String>) -> String {
    let out: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            ':' if forbidden.contains(&':') => '∶',
            '#' if forbidden.contains(&'#') => '＃',
            ';' if forbidden.contains(&';') => '；',
            ',' if forbidden.contains(&',') => '‚',
            c => c,
        })
        .collect();
    let out = out.trim().to_string();
    if out != s {
        warnings.push(format!(
            "{what} `{s}` is written as `{out}`: Mermaid cannot hold {}",
            "line breaks, surrounding spaces or these characters here"
        ));
    }
    out
}

/// The Mermaid score for an emotion: the emotion itself on Mermaid's own
/// scale (1 to 5, neutral 3), else mapped piecewise-linearly (min → 1,
/// neutral → 3, max → 5), choosing among the nearest doubles one that maps
/// back to exactly the same emotion.
fn score_for(e: f64, min: f64, max: f64, neutral: f64) -> (f64, bool) {
    let s = to_score(e, min, max, neutral);
    let up = |x: f64| {
        f64::from_bits(if x >= 0.0 {
            x.to_bits() + 1
        } else {
            x.to_bits() - 1
        })
    };
    let down = |x: f64| {
        f64::from_bits(if x > 0.0 {
            x.to_bits() - 1
        } else {
            x.to_bits() + 1
        })
    };
    let mut candidates = vec![s];
    let (mut a, mut b) = (s, s);
    for _ in 0..4 {
        a = up(a);
        b = down(b);
        candidates.push(a);
        candidates.push(b);
    }
    match candidates
        .into_iter()
        .find(|&c| from_score(c, min, max, neutral) == e)
    {
        Some(c) => (c, true),
        None => (s, false),
    }
}

/// The journey as a Mermaid `journey` diagram: the title, `accDescr` from
/// the description, a section per run of touchpoints in one stage, one
/// task per touchpoint with its score and actors. On a scale other than
/// Mermaid's 1 to 5 the scores are mapped onto it and a `%% peakend scale`
/// comment lets [`read`] map them back exactly, so that
/// JSON → Mermaid → JSON keeps names, stages, emotions and actors. A
/// branching journey is written as its main route (or the path given to
/// [`write_along`]), with a comment and
/// a warning saying what was left out; so are fields Mermaid has no place
/// for (ids, durations, channels, …).
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-10},{"id":"b","name":"B","emotion":10,"duration":5}]}"#).unwrap();
/// let m = peakend::mermaid::write(&j);
/// assert!(m.text.contains("%% peakend scale: min -10, max 10, neutral 0"));
/// assert!(m.text.contains("A: 1\n") && m.text.contains("B: 5\n"));
/// assert!(m.warnings[0].contains("duration"));
/// ```
#[must_use]
pub fn write(j: &Journey) -> Exported {
    write_along(j, None)
}

/// As [`write`], along a given path (touchpoint ids) instead of the main
/// route when the journey branches.
#[must_use]
pub fn write_along(j: &Journey, along: Option<&[String]>) -> Exported {
    let spec = j.spec();
    let scale = j.scale();
    let mut warnings = Vec::new();
    let (order, linear) = linear_order(j, along, &mut warnings);
    let mut out = String::from("journey\n");
    let title = mermaid_safe(&spec.name, &['#', ';'], "the title", &mut warnings);
    if !title.is_empty() {
        let _ = writeln!(out, "  title {title}");
    }
    let native = scale.min == MERMAID_SCALE.min
        && scale.max == MERMAID_SCALE.max
        && Some(scale.neutral) == MERMAID_SCALE.neutral;
    if !native {
        let _ = writeln!(
            out,
            "  %% {SCALE_COMMENT} min {}, max {}, neutral {}",
            scale.min, scale.max, scale.neutral
        );
    }
    lost_fields(&mut out, spec, &mut warnings);
    if !linear {
        let _ = writeln!(out, "  %% peakend: {}", warnings[0]);
    }
    description(&mut out, spec, &mut warnings);
    let inexact = tasks(&mut out, j, &order, &mut warnings);
    if !inexact.is_empty() {
        warnings.push(format!(
            "the emotions of {} do not map onto Mermaid's scores exactly; they may differ in the last digit when read back",
            inexact.join(", ")
        ));
    }
    Exported {
        text: out,
        warnings,
    }
}

/// Say (in a comment and a warning) which fields Mermaid has no place for.
fn lost_fields(out: &mut String, spec: &crate::spec::JourneySpec, warnings: &mut Vec<String>) {
    let mut lost: Vec<&str> = Vec::new();
    let tps = &spec.touchpoints;
    let any = |f: &dyn Fn(&crate::spec::TouchpointSpec) -> bool| tps.iter().any(f);
    let slugged = |t: &crate::spec::TouchpointSpec| super::slug(&t.name, "task") != t.id;
    for (present, what) in [
        (any(&slugged), "ids"),
        (any(&|t| t.duration.is_some()), "durations"),
        (any(&|t| t.channel.is_some()), "channels"),
        (any(&|t| t.owner.is_some()), "owners"),
        (any(&|t| !t.tags.is_empty()), "tags"),
        (any(&|t| t.improvement.is_some()), "improvements"),
        (any(&|t| t.notes.is_some()), "notes"),
        (any(&|t| t.entry.is_some()), "entry probabilities"),
        (
            {
                let acting: std::collections::HashSet<&str> = tps
                    .iter()
                    .flat_map(|t| t.actors.iter().map(String::as_str))
                    .collect();
                spec.personas
                    .iter()
                    .any(|p| !acting.contains(p.name.as_str()))
            },
            "personas without a task",
        ),
        (any(&|t| !t.emotions.is_empty()), "per-persona emotions"),
        (
            spec.personas
                .iter()
                .any(|p| p.role.is_some() || p.weight.is_some()),
            "persona roles and weights",
        ),
    ] {
        if present {
            lost.push(what);
        }
    }
    if !lost.is_empty() {
        let msg = format!(
            "Mermaid has no place for {}; export to json to keep them",
            lost.join(", ")
        );
        let _ = writeln!(out, "  %% peakend: {msg}");
        warnings.push(msg);
    }
}

/// The description as `accDescr`, on one line or as a block.
fn description(out: &mut String, spec: &crate::spec::JourneySpec, warnings: &mut Vec<String>) {
    if let Some(d) = &spec.description {
        let d = d.trim();
        if d.contains('\n') {
            let safe = d.replace('}', ")");
            if safe != d {
                warnings.push("`}` in the description is written as `)`: it would end Mermaid's accDescr block".into());
            }
            out.push_str("  accDescr {\n");
            for l in safe.lines() {
                let _ = writeln!(out, "    {}", l.trim_end());
            }
            out.push_str("  }\n");
        } else if !d.is_empty() {
            let _ = writeln!(out, "  accDescr: {d}");
        }
    }
}

/// Sections and tasks in journey order; the names of touchpoints whose
/// emotion has no exact Mermaid score.
fn tasks(
    out: &mut String,
    j: &Journey,
    order: &[usize],
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let spec = j.spec();
    let scale = j.scale();
    let tps = &spec.touchpoints;
    fn stage_name<'a>(spec: &'a crate::spec::JourneySpec, id: &'a str) -> &'a str {
        spec.stages
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.name.as_str())
    }
    let mut current: Option<&str> = None;
    let mut inexact = Vec::new();
    for &i in order {
        let t = &tps[i];
        if t.stage.as_deref() != current {
            current = t.stage.as_deref();
            match current {
                Some(st) => {
                    let name = mermaid_safe(stage_name(spec, st), &[':', '#', ';'], "the stage", warnings);
                    let _ = writeln!(out, "  section {name}");
                }
                None => warnings.push(format!(
                    "`{}` has no stage but follows a staged touchpoint: Mermaid puts it in the section above",
                    t.name
                )),
            }
        }
        let name = mermaid_safe(&t.name, &[':', '#', ';'], "the touchpoint", warnings);
        let lower = name.to_lowercase();
        if ["title ", "section ", "acctitle", "accdescr", "%%"]
            .iter()
            .any(|k| lower.starts_with(k))
            || lower == "journey"
        {
            warnings.push(format!(
                "Mermaid reads a task named `{name}` as a keyword or comment; rename it"
            ));
        }
        let (score, exact) = score_for(t.emotion, scale.min, scale.max, scale.neutral);
        if !exact {
            inexact.push(t.name.clone());
        }
        let actors: Vec<String> = t
            .actors
            .iter()
            .map(|a| mermaid_safe(a, &[':', '#', ';', ','], "the actor", warnings))
            .collect();
        if actors.is_empty() {
            let _ = writeln!(out, "    {name}: {score}");
        } else {
            let _ = writeln!(out, "    {name}: {score}: {}", actors.join(", "));
        }
    }
    inexact
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_mapping_is_piecewise_and_invertible() {
        assert_eq!(to_score(-10.0, -10.0, 10.0, 0.0), 1.0);
        assert_eq!(to_score(0.0, -10.0, 10.0, 0.0), 3.0);
        assert_eq!(to_score(10.0, -10.0, 10.0, 0.0), 5.0);
        assert_eq!(to_score(4.0, 1.0, 5.0, 3.0), 4.0);
        assert_eq!(from_score(1.0, 0.0, 10.0, 2.0), 0.0);
        assert_eq!(from_score(2.0, 0.0, 10.0, 2.0), 1.0);
        assert_eq!(from_score(5.0, 0.0, 10.0, 2.0), 10.0);
    }

    #[test]
    fn block_descriptions_glue_to_the_next_statement_as_in_mermaid() {
        let i = read(
            "journey\naccDescr {\n    A user journey for\n    family shopping\n  }title Shop\nsection S\n  Buy: 4: Me\n",
            "x",
        )
        .unwrap();
        assert_eq!(i.spec.name, "Shop");
        assert_eq!(
            i.spec.description.as_deref(),
            Some("A user journey for\nfamily shopping")
        );
    }
}
