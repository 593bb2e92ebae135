//! Resource limits for reading journeys from sources one does not trust.

use super::JourneySpec;
use crate::error::{Problem, ProblemKind};

/// Resource limits for reading a journey: the size of the input, the
/// number of touchpoints and transitions, the length of any text in it.
/// Exceeding one is a located error, before the engine allocates anything
/// in proportion to it.
///
/// The defaults are far above any journey a person draws or a desktop
/// tool exports (a 1,000,000-touchpoint journey is about 450 MB of JSON);
/// a web service that reads journeys from the public lowers them.
///
/// ```
/// use peakend::{load, Format, Limits, LoadOptions};
/// let options = LoadOptions::new().limits(Limits::new().touchpoints(1));
/// let text = r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":1},{"id":"b","name":"B","emotion":2}]}"#;
/// let e = load(text, Format::Json, &options).unwrap_err();
/// assert_eq!(e.problems[0].to_string(),
///     "1:39: touchpoints: 2 touchpoints, more than the limit of 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    input_bytes: u64,
    touchpoints: usize,
    transitions: usize,
    personas: usize,
    text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            input_bytes: 4 << 30,
            touchpoints: 20_000_000,
            transitions: 100_000_000,
            personas: 100,
            text_bytes: 1 << 20,
        }
    }
}

impl Limits {
    /// The defaults: 4 GiB of input, 20 million touchpoints, 100 million
    /// transitions, 100 personas (each is a whole analysis; buying groups
    /// hold 6 to 10 people), 1 MiB for any one text (a name, an id, a note).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// No limits at all (what [`Journey::from_json_str`](crate::Journey::from_json_str)
    /// and [`Journey::from_spec`](crate::Journey::from_spec) apply).
    #[must_use]
    pub fn none() -> Self {
        Limits {
            input_bytes: u64::MAX,
            touchpoints: usize::MAX,
            transitions: usize::MAX,
            personas: usize::MAX,
            text_bytes: usize::MAX,
        }
    }
    /// The most bytes of input read.
    #[must_use]
    pub fn input_bytes(mut self, n: u64) -> Self {
        self.input_bytes = n;
        self
    }
    /// The most touchpoints.
    #[must_use]
    pub fn touchpoints(mut self, n: usize) -> Self {
        self.touchpoints = n;
        self
    }
    /// The most transitions.
    #[must_use]
    pub fn transitions(mut self, n: usize) -> Self {
        self.transitions = n;
        self
    }
    /// The most personas (each one's journey is analysed on its own).
    #[must_use]
    pub fn personas(mut self, n: usize) -> Self {
        self.personas = n;
        self
    }
    /// The longest text (name, id, stage, note, tag, label, …), in bytes.
    #[must_use]
    pub fn text_bytes(mut self, n: usize) -> Self {
        self.text_bytes = n;
        self
    }
    /// The input-size limit in bytes.
    #[must_use]
    pub fn input_bytes_limit(&self) -> u64 {
        self.input_bytes
    }

    /// The text-length limit in bytes.
    #[must_use]
    pub fn text_bytes_limit(&self) -> usize {
        self.text_bytes
    }

    /// The problem with an input of `len` bytes, if it is too large.
    pub(crate) fn check_input(&self, len: u64) -> Option<Problem> {
        (len > self.input_bytes).then(|| {
            Problem::error(
                "",
                format!(
                    "the input is more than {} bytes, the limit for reading a journey",
                    self.input_bytes
                ),
            )
            .of_kind(ProblemKind::Invalid)
            .at(1, 1)
        })
    }

    /// Every limit the spec exceeds, each at its JSON path (counts at the
    /// list, texts at the text). Linear in the spec.
    pub(crate) fn check_spec(&self, spec: &JourneySpec) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut count = |path: &str, n: usize, limit: usize, what: &str| {
            if n > limit {
                out.push(Problem::error(
                    path,
                    format!("{n} {what}, more than the limit of {limit}"),
                ));
            }
        };
        count(
            "touchpoints",
            spec.touchpoints.len(),
            self.touchpoints,
            "touchpoints",
        );
        let transitions = spec.transitions.as_ref().map_or(0, Vec::len);
        count("transitions", transitions, self.transitions, "transitions");
        count("personas", spec.personas.len(), self.personas, "personas");
        if self.text_bytes == usize::MAX {
            return out;
        }
        let mut text = |path: &dyn Fn() -> String, s: &str| {
            if s.len() > self.text_bytes {
                out.push(Problem::error(
                    path(),
                    format!(
                        "a text of {} bytes, more than the limit of {}",
                        s.len(),
                        self.text_bytes
                    ),
                ));
            }
        };
        text(&|| "name".into(), &spec.name);
        if let Some(d) = &spec.description {
            text(&|| "description".into(), d);
        }
        for (k, s) in spec.stages.iter().enumerate() {
            text(&|| format!("stages[{k}].id"), &s.id);
            text(&|| format!("stages[{k}].name"), &s.name);
        }
        for (k, p) in spec.personas.iter().enumerate() {
            text(&|| format!("personas[{k}]"), &p.name);
            if let Some(r) = &p.role {
                text(&|| format!("personas[{k}].role"), r);
            }
        }
        for (k, o) in spec.outcomes.iter().enumerate() {
            text(&|| format!("outcomes[{k}].id"), &o.id);
            text(&|| format!("outcomes[{k}].name"), &o.name);
        }
        for (i, t) in spec.touchpoints.iter().enumerate() {
            let field = |f: &'static str| move || format!("touchpoints[{i}].{f}");
            text(&field("id"), &t.id);
            text(&field("name"), &t.name);
            for (f, v) in [
                ("stage", &t.stage),
                ("channel", &t.channel),
                ("owner", &t.owner),
                ("notes", &t.notes),
                ("outcome", &t.outcome),
            ] {
                if let Some(v) = v {
                    text(&field(f), v);
                }
            }
            for (k, v) in t.tags.iter().enumerate() {
                text(&|| format!("touchpoints[{i}].tags[{k}]"), v);
            }
            for (k, v) in t.actors.iter().enumerate() {
                text(&|| format!("touchpoints[{i}].actors[{k}]"), v);
            }
            for name in t.emotions.keys() {
                text(&|| format!("touchpoints[{i}].emotions.{name}"), name);
            }
        }
        for (k, t) in spec.transitions.iter().flatten().enumerate() {
            let field = |f: &'static str| move || format!("transitions[{k}].{f}");
            text(&field("from"), &t.from);
            text(&field("to"), &t.to);
            if let Some(l) = &t.label {
                text(&field("label"), l);
            }
        }
        out
    }
}
