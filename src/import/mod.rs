//! Journeys from other tools: Mermaid `journey` diagrams and spreadsheet
//! CSV. Each importer gives an [`Imported`] spec with the source line of
//! every touchpoint, so that validation problems point at the line the
//! designer wrote; [`Imported::into_journey`] validates it.
//!
//! ```
//! let text = "journey\n  title Onboarding\n  section Start\n    Kick-off: 4: Me, CSM\n    Data migration: 2: Me\n";
//! let imported = peakend::import::mermaid(text, "fallback")?;
//! let j = imported.into_journey()?;
//! assert_eq!(j.spec().name, "Onboarding");
//! assert_eq!(j.spec().personas, ["Me", "CSM"]);
//! assert_eq!(j.touchpoint(1).emotion, 2.0);
//! # Ok::<(), peakend::InvalidJourney>(())
//! ```

mod csv;
mod mermaid;

pub use self::csv::{CsvOptions, csv};
pub use self::mermaid::mermaid;
pub(crate) use self::mermaid::{MERMAID_SCALE, SCALE_COMMENT, from_score, to_score};

/// The id the importers make from a touchpoint name (before making it
/// unique).
pub(crate) fn slug_of(name: &str) -> String {
    slug(name, "task")
}

use crate::error::{InvalidJourney, Problem};
use crate::journey::Journey;
use crate::spec::JourneySpec;

/// The formats peakend reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The journey JSON format (`docs/format.md`).
    Json,
    /// A Mermaid `journey` diagram.
    Mermaid,
    /// One row per touchpoint, with a header row.
    Csv,
}

impl Format {
    /// The format a file name's extension suggests: `.mmd`/`.mermaid` for
    /// Mermaid, `.csv`/`.tsv` for CSV, anything else JSON.
    ///
    /// ```
    /// use peakend::import::Format;
    /// assert_eq!(Format::from_path("a/b.MMD"), Format::Mermaid);
    /// assert_eq!(Format::from_path("x.csv"), Format::Csv);
    /// assert_eq!(Format::from_path("-"), Format::Json);
    /// ```
    pub fn from_path(path: &str) -> Format {
        let ext = std::path::Path::new(path)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "mmd" | "mermaid" => Format::Mermaid,
            "csv" | "tsv" => Format::Csv,
            _ => Format::Json,
        }
    }
}

/// An imported journey spec, not yet validated.
#[derive(Debug, Clone, PartialEq)]
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
    /// let i = peakend::import::mermaid("journey\n  A: 5\n", "x").unwrap();
    /// assert_eq!(i.into_journey().unwrap().len(), 1);
    /// ```
    pub fn into_journey(self) -> Result<Journey, InvalidJourney> {
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
        match Journey::from_spec(self.spec) {
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

/// Hands out unique ids: `make-tea`, `make-tea-2`, …
#[derive(Default)]
struct Ids(std::collections::BTreeSet<String>);

impl Ids {
    fn unique(&mut self, base: String) -> String {
        let mut id = base.clone();
        let mut k = 2;
        while self.0.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        self.0.insert(id.clone());
        id
    }
}

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

#[cfg(test)]
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
