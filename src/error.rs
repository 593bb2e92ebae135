//! Error and problem types.

use serde::Serialize;
use std::fmt;

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The journey cannot be analysed.
    Error,
    /// The journey loads, but something is probably not what was meant.
    Warning,
}

/// What kind of problem a [`Problem`] is, for tools that act on problems
/// without reading their messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// The text is not in the format at all (JSON syntax, a line a Mermaid
    /// or CSV reader cannot read).
    Syntax,
    /// A field the format does not have (typos are errors, not ignored).
    UnknownField,
    /// A field the format requires is missing.
    MissingField,
    /// A value of the wrong type (a string where a number belongs, …).
    WrongType,
    /// A value of the right type that is not valid: off the scale, an
    /// unknown reference, a cycle, probabilities that do not add up.
    Invalid,
    /// A warning: the journey loads, but something is probably not what
    /// was meant, or an import had to change something.
    Suspicious,
}

/// One problem found in a journey, with its place.
///
/// `path` is a JSON location such as `touchpoints[3].emotion` (empty for the
/// whole document); `line` and `column` (1-based) are filled in when the
/// journey was read from text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// JSON location, e.g. `transitions[7].to`.
    pub path: String,
    /// Line in the source text (1-based), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column in the source text (1-based), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What is wrong, lowercase, no trailing full stop.
    pub message: String,
}

impl Problem {
    /// An error at `path`.
    ///
    /// ```
    /// let p = peakend::Problem::error("touchpoints[0].emotion", "too high");
    /// assert_eq!(p.to_string(), "touchpoints[0].emotion: too high");
    /// ```
    #[must_use]
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            kind: ProblemKind::Invalid,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A warning at `path`.
    ///
    /// ```
    /// let p = peakend::Problem::warning("touchpoints[2]", "unreachable");
    /// assert!(p.is_warning());
    /// ```
    #[must_use]
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            kind: ProblemKind::Suspicious,
            ..Problem::error(path, message)
        }
    }

    /// The same problem, of another kind.
    ///
    /// ```
    /// use peakend::{Problem, ProblemKind};
    /// let p = Problem::error("touchpoints[0].mood", "unknown field `mood`").of_kind(ProblemKind::UnknownField);
    /// assert_eq!(p.kind, ProblemKind::UnknownField);
    /// ```
    #[must_use]
    pub fn of_kind(mut self, kind: ProblemKind) -> Self {
        self.kind = kind;
        self
    }

    /// The same problem at a line and column of the source (1-based).
    #[must_use]
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// True for warnings.
    ///
    /// ```
    /// assert!(!peakend::Problem::error("", "x").is_warning());
    /// ```
    #[must_use]
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    /// The problem as a compiler-style line for a named source:
    /// `FILE:LINE:COLUMN: error: PATH: MESSAGE` (parts without a value left
    /// out).
    ///
    /// ```
    /// let mut p = peakend::Problem::error("touchpoints[0].emotion", "too high");
    /// p.line = Some(4);
    /// p.column = Some(18);
    /// assert_eq!(p.located("j.json"), "j.json:4:18: error: touchpoints[0].emotion: too high");
    /// ```
    #[must_use]
    pub fn located(&self, source: &str) -> String {
        let kind = if self.is_warning() {
            "warning"
        } else {
            "error"
        };
        let place = match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{l}:{c}: "),
            (Some(l), None) => format!("{l}: "),
            _ => " ".to_string(),
        };
        let path = if self.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.path)
        };
        format!("{source}:{place}{kind}: {path}{}", self.message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "{l}:{c}: ")?;
        }
        if self.is_warning() {
            f.write_str("warning: ")?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// How many problems `InvalidJourney`'s `Display` lists before it counts
/// the rest (`problems` itself holds all of them).
pub(crate) const SHOWN_PROBLEMS: usize = 100;

/// A journey that could not be loaded: every problem found, errors first.
/// Its `Display` lists the first 100 problems and counts the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidJourney {
    /// All problems (errors and warnings), errors first, each in file order.
    pub problems: Vec<Problem>,
}

impl InvalidJourney {
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| !p.is_warning())
    }
}

impl fmt::Display for InvalidJourney {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        write!(
            f,
            "invalid journey: {n} error{}",
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.problems.iter().take(SHOWN_PROBLEMS) {
            write!(f, "\n  {p}")?;
        }
        if self.problems.len() > SHOWN_PROBLEMS {
            write!(
                f,
                "\n  ... and {} more not shown",
                self.problems.len() - SHOWN_PROBLEMS
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidJourney {}

/// Errors of the analysis options (model, weights, simulation settings).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptionsError {
    /// An unknown memory model name.
    #[error("unknown model `{0}` (known: peak-end, peak-pit-end, mean, weighted)")]
    UnknownModel(String),
    /// Weights that cannot be parsed or do not form a blend.
    #[error("bad weights: {0}")]
    BadWeights(String),
    /// The `weighted` model named without its weights.
    #[error("the weighted model needs weights, e.g. peak=0.4,end=0.4,mean=0.2")]
    MissingWeights,
}

/// Words longer than this get no "did you mean".
const MAX_SUGGESTED_LEN: usize = 64;

/// Suggest the candidate closest to `word`, if any is close enough to be a
/// plausible typo (case ignored; at most a third of the length, 1 to 3
/// edits). Linear in the candidates, with no allocation per candidate.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Suggestions are for typos of names: a long word has none, so that
    // hostile input cannot make the edit distance expensive.
    let w: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    if w.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let mut c: Vec<char> = Vec::new();
    let mut rows = [Vec::new(), Vec::new(), Vec::new()];
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        // At most 3 edits apart: lengths within 3 (a cheap test first).
        if cand.len() > 4 * (w.len() + 3) {
            continue;
        }
        c.clear();
        if cand.is_ascii() {
            c.extend(cand.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            c.extend(cand.chars().flat_map(char::to_lowercase));
        }
        if c.len().abs_diff(w.len()) > 3 {
            continue;
        }
        let limit = (c.len().max(w.len()) / 3).clamp(1, 3);
        let d = edit_distance(&w, &c, &mut rows);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance counting an adjacent transposition as one edit
/// (optimal string alignment), so `stgae` is one step from `stage`; three
/// rows of working space, reused.
fn edit_distance(a: &[char], b: &[char], rows: &mut [Vec<usize>; 3]) -> usize {
    let w = b.len() + 1;
    for r in rows.iter_mut() {
        r.clear();
        r.resize(w, 0);
    }
    // rows[0]: i-2, rows[1]: i-1, rows[2]: i.
    for (j, x) in rows[1].iter_mut().enumerate() {
        *x = j;
    }
    for i in 1..=a.len() {
        rows[2][0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[1][j] + 1)
                .min(rows[2][j - 1] + 1)
                .min(rows[1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[0][j - 2] + 1);
            }
            rows[2][j] = v;
        }
        rows.rotate_left(1);
    }
    rows[1][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let c = ["emotion", "duration", "stage"];
        assert_eq!(did_you_mean("emotoin", c), Some("emotion"));
        assert_eq!(did_you_mean("Stage", c), Some("stage"));
        assert_eq!(did_you_mean("colour", c), None);
    }
}
