//! The validated [`Journey`]: a DAG of touchpoints with resolved
//! probabilities and a cached topological order.

mod persona;
pub use persona::{MAX_PERSONA_WORK, PersonaError, PersonaView};

use crate::error::{InvalidJourney, Problem, did_you_mean};
use crate::numfmt::{shown, significant};
use crate::spec::json::{locate_problems, parse_lenient};
use crate::spec::{
    FORMAT_VERSION, JourneySpec, Limits, MAX_DURATION, MAX_SCALE, ScaleSpec, Ties, TouchpointSpec,
};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::HashMap;

/// A name or id as matching sees it: letters and digits only, lowercase
/// ("Go-live!" and "go live" meet). Used where two files name the same
/// touchpoint differently (discovery onto a design, the delivery gap).
pub(crate) fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Maps keyed by the user's own names (ids, stages, personas, outcomes).
/// The standard library's hasher is keyed at random per process (SipHash
/// 1-3), so no id pattern, regular (`t0`, `t1`, …) or crafted to collide,
/// can degrade the lookups: ids are user input, and a service that embeds
/// the crate must not be slowed to a crawl by them. Nothing iterates these
/// maps, so the output does not depend on the key.
type NameMap<'a> = HashMap<&'a str, u32>;

/// First index of each name in a list (later repeats are reported by the
/// caller).
/// The path of a persona's field: a plain-name persona is the element
/// itself.
fn persona_path(p: &crate::spec::PersonaSpec, k: usize, field: &str) -> String {
    if p.role.is_none() && p.weight.is_none() {
        format!("personas[{k}]")
    } else {
        format!("personas[{k}].{field}")
    }
}

fn first_index<'a>(names: impl Iterator<Item = &'a str>) -> NameMap<'a> {
    let mut map = NameMap::new();
    for (i, n) in names.enumerate() {
        map.entry(n).or_insert(i as u32);
    }
    map
}

/// A list of names for a message: the first few, then how many more.
fn listed<'a>(names: impl Iterator<Item = &'a str>, count: usize) -> String {
    const SHOWN: usize = 10;
    let mut s = names.take(SHOWN).collect::<Vec<_>>().join(", ");
    if count > SHOWN {
        s.push_str(&format!(" and {} more", count - SHOWN));
    }
    s
}

/// "Did you mean" suggestions compare a word with every name; a file gets
/// this many comparisons in all (100 suggestions among 10,000 ids), so a
/// file with 100,000 unknown references does not cost 100,000 scans of its
/// ids.
const SUGGESTIONS: usize = 1_000_000;

/// Tolerance for probability sums.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// The resolved emotion scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scale {
    /// Lowest emotion.
    pub min: f64,
    /// Highest emotion.
    pub max: f64,
    /// Neutral point; intensity is the distance from it.
    pub neutral: f64,
    /// Which moment is the peak when a negative and a positive one are
    /// equally intense (written only when not the default `negative`).
    #[serde(skip_serializing_if = "Ties::is_default")]
    pub ties: Ties,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            min: -10.0,
            max: 10.0,
            neutral: 0.0,
            ties: Ties::Negative,
        }
    }
}

impl Scale {
    /// Intensity of an emotion: its distance from neutral.
    ///
    /// ```
    /// let s = peakend::Scale::default();
    /// assert_eq!(s.intensity(-7.0), 7.0);
    /// ```
    #[must_use]
    pub fn intensity(&self, emotion: f64) -> f64 {
        (emotion - self.neutral).abs()
    }

    /// True when `emotion` lies on the scale.
    ///
    /// ```
    /// assert!(!peakend::Scale::default().contains(11.0));
    /// ```
    #[must_use]
    pub fn contains(&self, emotion: f64) -> bool {
        emotion >= self.min && emotion <= self.max
    }
}

/// A validated journey. Only obtainable through validation
/// ([`Journey::from_spec`], [`Journey::from_json_str`], `TryFrom`), so every
/// `Journey` is a DAG with resolved probabilities that sum to 1.
///
/// Internally touchpoints are also numbered by topological position; the
/// public API speaks in *file indices* (the position in
/// `spec().touchpoints`).
#[derive(Debug, Clone)]
pub struct Journey {
    spec: JourneySpec,
    scale: Scale,
    graph: DiGraph<usize, f64>,
    /// position -> file index
    order: Vec<u32>,
    /// file index -> position
    pos: Vec<u32>,
    // Successors and predecessors by position (CSR).
    succ_off: Vec<u32>,
    succ: Vec<(u32, f64)>,
    pred_off: Vec<u32>,
    pred: Vec<(u32, f64)>,
    /// entry probability by position
    entry: Vec<f64>,
    /// emotion by position
    emotion: Vec<f64>,
    /// duration by position
    duration: Vec<f64>,
    /// file indices sorted by id (for lookups and id-ordered iteration)
    id_order: Vec<u32>,
    warnings: Vec<Problem>,
}

/// For a value that reads as a percentage (60 for 0.6): the hint to write
/// it as a probability.
fn percent_hint(p: f64) -> String {
    if p.is_finite() && (2.0..=100.0).contains(&p) {
        format!("; a percentage? write {}", significant(p / 100.0, 6))
    } else {
        String::new()
    }
}

/// A touchpoint's position in the cached topological order: the engine's
/// index space (every per-position array, `succ_of`, `entry_at`, …).
/// File indices — the public index space, the order of the file — and
/// positions meet only in [`Journey::position`] and [`Journey::file_index`],
/// so the type says which space a number is in where they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos(pub(crate) usize);

impl TryFrom<JourneySpec> for Journey {
    type Error = InvalidJourney;
    fn try_from(spec: JourneySpec) -> Result<Self, Self::Error> {
        Journey::from_spec(spec)
    }
}

impl Journey {
    /// Parse and validate journey JSON. Every problem (syntax, types,
    /// unknown fields, semantics) is reported with its JSON path, line and
    /// column.
    ///
    /// # Errors
    /// [`InvalidJourney`] with every problem found.
    ///
    /// ```
    /// let j = peakend::Journey::from_json_str(r#"{"version": 1, "name": "Demo",
    ///   "touchpoints": [{"id": "a", "name": "A", "emotion": -2},
    ///                   {"id": "b", "name": "B", "emotion": 4}]}"#).unwrap();
    /// assert_eq!(j.len(), 2);
    /// ```
    pub fn from_json_str(text: &str) -> Result<Journey, InvalidJourney> {
        Journey::from_json_str_with(text, &Limits::none())
    }

    /// [`Journey::from_json_str`] within resource limits (what `load` uses
    /// with its `LoadOptions`).
    pub(crate) fn from_json_str_with(
        text: &str,
        limits: &Limits,
    ) -> Result<Journey, InvalidJourney> {
        if let Some(p) = limits.check_input(text.len() as u64) {
            return Err(InvalidJourney { problems: vec![p] });
        }
        let (spec, mut problems) = parse_lenient(text);
        let Some(spec) = spec else {
            return Err(InvalidJourney { problems });
        };
        let mut over = limits.check_spec(&spec);
        if !over.is_empty() {
            locate_problems(text, &mut over);
            return Err(InvalidJourney { problems: over });
        }
        let locate_all = |problems: &mut [Problem]| locate_problems(text, problems);
        let result = match (Journey::from_spec(spec), problems.is_empty()) {
            (Ok(mut j), true) => {
                locate_all(&mut j.warnings);
                Ok(j)
            }
            (Ok(j), false) => {
                let mut warnings = j.warnings;
                locate_all(&mut warnings);
                problems.extend(warnings);
                Err(InvalidJourney { problems })
            }
            (Err(mut e), _) => {
                locate_all(&mut e.problems);
                // Structural problems first, then errors, then warnings.
                let (errs, warns): (Vec<Problem>, Vec<Problem>) =
                    e.problems.into_iter().partition(|p| !p.is_warning());
                problems.extend(errs);
                problems.extend(warns);
                Err(InvalidJourney { problems })
            }
        };
        result.map_err(|mut e| {
            // Errors first, each group in file order.
            e.problems.sort_by_key(|p| {
                (
                    p.is_warning(),
                    p.line.unwrap_or(usize::MAX),
                    p.column.unwrap_or(usize::MAX),
                )
            });
            e
        })
    }

    /// Validate a spec. Collects every problem before reporting; warnings
    /// (such as unreachable touchpoints) do not stop loading and are kept in
    /// [`Journey::warnings`].
    ///
    /// # Errors
    /// [`InvalidJourney`] with every problem found (errors first).
    ///
    /// Complexity: O(V + E) plus sorting of ids.
    ///
    /// ```
    /// use peakend::{Journey, JourneySpec, TouchpointSpec};
    /// let spec = JourneySpec::linear("Demo", vec![TouchpointSpec::new("a", "A", 30.0)]);
    /// let err = Journey::from_spec(spec).unwrap_err();
    /// assert_eq!(err.problems[0].to_string(),
    ///            "touchpoints[0].emotion: 30 is outside the scale -10..10");
    /// ```
    pub fn from_spec(spec: JourneySpec) -> Result<Journey, InvalidJourney> {
        Validator::new(&spec)
            .run()
            .map(|built| built.into_journey(spec))
    }

    /// The spec this journey was built from, unchanged.
    ///
    /// ```
    /// # let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"Demo","touchpoints":[{"id":"a","name":"A","emotion":1}]}"#).unwrap();
    /// assert_eq!(j.spec().name, "Demo");
    /// ```
    #[must_use]
    pub fn spec(&self) -> &JourneySpec {
        &self.spec
    }

    /// Give back the spec, unchanged.
    ///
    /// ```
    /// # let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"Demo","touchpoints":[{"id":"a","name":"A","emotion":1}]}"#).unwrap();
    /// let spec = j.into_spec();
    /// assert_eq!(spec.touchpoints[0].emotion, 1.0);
    /// ```
    #[must_use]
    pub fn into_spec(self) -> JourneySpec {
        self.spec
    }

    /// Warnings found during validation (e.g. unreachable touchpoints).
    ///
    /// ```
    /// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":1,"entry":1},{"id":"b","name":"B","emotion":2,"entry":0}],
    ///   "transitions":[]}"#).unwrap();
    /// assert!(j.warnings()[0].message.contains("unreachable"));
    /// ```
    #[must_use]
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// Put warnings of an importer before validation's own.
    pub(crate) fn prepend_warnings(&mut self, mut first: Vec<Problem>) {
        first.append(&mut self.warnings);
        self.warnings = first;
    }

    /// Number of touchpoints.
    ///
    /// ```
    /// # let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"Demo","touchpoints":[{"id":"a","name":"A","emotion":1}]}"#).unwrap();
    /// assert_eq!(j.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Always false: a valid journey has at least one touchpoint.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Number of transitions (for a linear journey, the implied ones).
    ///
    /// ```
    /// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":1},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
    /// assert_eq!(j.transition_count(), 1);
    /// ```
    #[must_use]
    pub fn transition_count(&self) -> usize {
        self.succ.len()
    }

    /// The resolved scale.
    ///
    /// ```
    /// # let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"Demo","scale":{"min":1,"max":5},"touchpoints":[{"id":"a","name":"A","emotion":4}]}"#).unwrap();
    /// assert_eq!(j.scale().neutral, 3.0);
    /// ```
    #[must_use]
    pub fn scale(&self) -> Scale {
        self.scale
    }

    /// The touchpoint at a file index.
    ///
    /// # Panics
    /// If `index >= self.len()`.
    #[must_use]
    pub fn touchpoint(&self, index: usize) -> &TouchpointSpec {
        &self.spec.touchpoints[index]
    }

    /// The touchpoint with this id.
    ///
    /// ```
    /// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":1},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
    /// assert_eq!(j.touchpoint_by_id("b").map(|t| t.emotion), Some(2.0));
    /// assert!(j.touchpoint_by_id("c").is_none());
    /// ```
    #[must_use]
    pub fn touchpoint_by_id(&self, id: &str) -> Option<&TouchpointSpec> {
        self.index_of(id).map(|i| &self.spec.touchpoints[i])
    }

    /// File index of the touchpoint with this id.
    ///
    /// ```
    /// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":1},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
    /// assert_eq!(j.index_of("b"), Some(1));
    /// assert_eq!(j.touchpoint(1).name, "B");
    /// assert_eq!(j.index_of("c"), None);
    /// ```
    #[must_use]
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.id_order
            .binary_search_by(|&i| self.spec.touchpoints[i as usize].id.as_str().cmp(id))
            .ok()
            .map(|k| self.id_order[k] as usize)
    }

    /// File indices in the cached topological order.
    ///
    /// ```
    /// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"b","name":"B","emotion":2},{"id":"a","name":"A","emotion":1}],
    ///   "transitions":[{"from":"a","to":"b"}]}"#).unwrap();
    /// assert_eq!(j.topological_order().collect::<Vec<_>>(), [1, 0]);
    /// assert_eq!(j.successors(1).collect::<Vec<_>>(), [(0, 1.0)]);
    /// assert_eq!(j.entry_probability(1), 1.0);
    /// assert!(j.is_end(0));
    /// assert_eq!(j.graph().edge_count(), 1);
    /// ```
    pub fn topological_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.order.iter().map(|&i| i as usize)
    }

    /// Successors of a touchpoint (file indices, ascending) with their
    /// resolved probabilities.
    pub fn successors(&self, index: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let p = self.pos[index] as usize;
        let mut v: Vec<(usize, f64)> = self
            .succ_of(p)
            .iter()
            .map(|&(q, pr)| (self.order[q as usize] as usize, pr))
            .collect();
        v.sort_by_key(|s| s.0);
        v.into_iter()
    }

    /// Resolved probability that a customer starts at this touchpoint.
    #[must_use]
    pub fn entry_probability(&self, index: usize) -> f64 {
        self.entry[self.pos[index] as usize]
    }

    /// True when the touchpoint has no outgoing transition.
    #[must_use]
    pub fn is_end(&self, index: usize) -> bool {
        self.succ_of(self.pos[index] as usize).is_empty()
    }

    /// The underlying petgraph DAG: node weights are file indices, edge
    /// weights resolved probabilities.
    #[must_use]
    pub fn graph(&self) -> &DiGraph<usize, f64> {
        &self.graph
    }

    // --- position-space accessors for the engine ---
    /// The same journey with another tie rule for the peak (see [`Ties`]):
    /// the rule goes into the journey's `scale`, so it stays with every
    /// edit `simulate` and `recommend` make.
    ///
    /// ```
    /// use peakend::{Journey, Model, Ties, expected_exact};
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":-6},{"id":"b","name":"B","emotion":6}]}"#).unwrap();
    /// assert_eq!(expected_exact(&j, &Model::PeakEnd), Some(0.0)); // peak -6, end +6
    /// let p = j.with_ties(Ties::Positive);
    /// assert_eq!(expected_exact(&p, &Model::PeakEnd), Some(6.0));
    /// ```
    #[must_use]
    pub fn with_ties(mut self, ties: Ties) -> Journey {
        let s = self.scale;
        self.spec.scale = Some(ScaleSpec {
            min: s.min,
            max: s.max,
            neutral: Some(s.neutral),
            ties: Some(ties),
        });
        self.scale.ties = ties;
        self
    }

    /// The same journey with one touchpoint's (file index) emotion
    /// changed. The caller has checked that the emotion is finite and on
    /// the scale; nothing else depends on emotions, so nothing is
    /// validated again.
    pub(crate) fn with_emotion(mut self, index: usize, emotion: f64) -> Journey {
        self.spec.touchpoints[index].emotion = emotion;
        let p = self.pos[index] as usize;
        self.emotion[p] = emotion;
        self
    }

    /// The same journey with touchpoint `index`'s per-persona emotions
    /// replaced; the caller has checked them (they are not in the engine's
    /// arrays: a persona's journey is made from the file).
    pub(crate) fn with_persona_emotions(
        mut self,
        index: usize,
        emotions: std::collections::BTreeMap<String, f64>,
    ) -> Journey {
        self.spec.touchpoints[index].emotions = emotions;
        self
    }

    /// The same journey with every emotion (file order) replaced; the
    /// caller has checked that they are finite and on the scale.
    pub(crate) fn with_emotions(mut self, emotions: &[f64]) -> Journey {
        for (i, &e) in emotions.iter().enumerate() {
            self.spec.touchpoints[i].emotion = e;
            let p = self.pos[i] as usize;
            self.emotion[p] = e;
        }
        self
    }

    /// Predecessors of a touchpoint (file index) with the transition
    /// probabilities into it, in file order.
    pub(crate) fn predecessors(&self, index: usize) -> Vec<(usize, f64)> {
        let p = self.pos[index] as usize;
        let mut v: Vec<(usize, f64)> = self
            .pred_of(p)
            .iter()
            .map(|&(q, pr)| (self.order[q as usize] as usize, pr))
            .collect();
        v.sort_by_key(|s| s.0);
        v
    }
    pub(crate) fn succ_of(&self, p: usize) -> &[(u32, f64)] {
        &self.succ[self.succ_off[p] as usize..self.succ_off[p + 1] as usize]
    }
    pub(crate) fn pred_of(&self, p: usize) -> &[(u32, f64)] {
        &self.pred[self.pred_off[p] as usize..self.pred_off[p + 1] as usize]
    }
    pub(crate) fn entry_at(&self, p: usize) -> f64 {
        self.entry[p]
    }
    pub(crate) fn emotions(&self) -> &[f64] {
        &self.emotion
    }
    pub(crate) fn durations(&self) -> &[f64] {
        &self.duration
    }
    /// File indices sorted by touchpoint id.
    pub(crate) fn id_order(&self) -> &[u32] {
        &self.id_order
    }
    /// The file index of the touchpoint at a topological position.
    pub(crate) fn file_index(&self, p: Pos) -> usize {
        self.order[p.0] as usize
    }
    /// The topological position of the touchpoint at a file index.
    pub(crate) fn position(&self, index: usize) -> Pos {
        Pos(self.pos[index] as usize)
    }
}

struct Built {
    scale: Scale,
    graph: DiGraph<usize, f64>,
    order: Vec<u32>,
    entry_by_index: Vec<f64>,
    warnings: Vec<Problem>,
}

impl Built {
    fn into_journey(self, spec: JourneySpec) -> Journey {
        let n = self.order.len();
        let mut pos = vec![0u32; n];
        for (p, &i) in self.order.iter().enumerate() {
            pos[i as usize] = p as u32;
        }
        // Successor and predecessor lists by position, built by counting.
        let csr = |key: &dyn Fn(usize, usize) -> (u32, u32)| {
            let mut off = vec![0u32; n + 1];
            for e in self.graph.raw_edges() {
                let (a, _) = key(e.source().index(), e.target().index());
                off[a as usize + 1] += 1;
            }
            for p in 0..n {
                off[p + 1] += off[p];
            }
            let mut fill = off.clone();
            let mut flat = vec![(0u32, 0.0f64); self.graph.edge_count()];
            for e in self.graph.raw_edges() {
                let (a, b) = key(e.source().index(), e.target().index());
                let slot = &mut fill[a as usize];
                flat[*slot as usize] = (b, e.weight);
                *slot += 1;
            }
            for p in 0..n {
                flat[off[p] as usize..off[p + 1] as usize].sort_unstable_by_key(|&(q, _)| q);
            }
            (off, flat)
        };
        let (succ_off, succ) = csr(&|a, b| (pos[a], pos[b]));
        let (pred_off, pred) = csr(&|a, b| (pos[b], pos[a]));
        let mut id_order: Vec<u32> = (0..n as u32).collect();
        id_order.sort_unstable_by(|&a, &b| {
            spec.touchpoints[a as usize]
                .id
                .cmp(&spec.touchpoints[b as usize].id)
        });
        let by_pos = |f: &dyn Fn(usize) -> f64| -> Vec<f64> {
            self.order.iter().map(|&i| f(i as usize)).collect()
        };
        // `+ 0.0` turns -0.0 into 0.0 so that the two are one emotion level.
        let emotion = by_pos(&|i| spec.touchpoints[i].emotion + 0.0);
        let duration = by_pos(&|i| spec.touchpoints[i].duration.unwrap_or(1.0));
        let entry = by_pos(&|i| self.entry_by_index[i]);
        Journey {
            scale: self.scale,
            graph: self.graph,
            order: self.order,
            pos,
            succ_off,
            succ,
            pred_off,
            pred,
            entry,
            emotion,
            duration,
            id_order,
            warnings: self.warnings,
            spec,
        }
    }
}

/// (from, to, explicit probability, index in `transitions`)
type Edge = (u32, u32, Option<f64>, Option<usize>);

struct Validator<'a> {
    spec: &'a JourneySpec,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
    personas: NameMap<'a>,
    /// Suggestions still to make (see [`SUGGESTIONS`]).
    suggestions: usize,
}

impl<'a> Validator<'a> {
    fn new(spec: &'a JourneySpec) -> Self {
        Validator {
            spec,
            errors: Vec::new(),
            warnings: Vec::new(),
            personas: first_index(spec.personas.iter().map(|p| p.name.as_str())),
            suggestions: SUGGESTIONS,
        }
    }

    /// The closest of `candidates` to `word`, while the suggestion budget
    /// lasts: each suggestion costs one unit per candidate.
    fn suggest<'c>(
        &mut self,
        word: &str,
        candidates: impl ExactSizeIterator<Item = &'c str>,
    ) -> Option<&'c str> {
        let cost = candidates.len().max(1);
        if self.suggestions < cost {
            return None;
        }
        self.suggestions -= cost;
        did_you_mean(word, candidates)
    }

    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(Problem::error(path, msg));
    }

    fn run(mut self) -> Result<Built, InvalidJourney> {
        let spec = self.spec;
        if spec.version != FORMAT_VERSION {
            self.err(
                "version",
                format!(
                    "unsupported version {} (this peakend reads version {FORMAT_VERSION})",
                    spec.version
                ),
            );
        }
        let scale = self.check_scale();
        let stage_ids = self.check_stages();
        self.check_personas();
        self.check_weights();
        if spec.touchpoints.is_empty() {
            self.err("touchpoints", "the journey has no touchpoints");
        }
        let ids = self.check_touchpoints(scale, &stage_ids);
        let n = spec.touchpoints.len();
        let mut graph: DiGraph<usize, f64> = DiGraph::with_capacity(n, n);
        for i in 0..n {
            graph.add_node(i);
        }
        // Edges as (from, to, explicit probability, transition index).
        let mut edges: Vec<Edge> = Vec::new();
        match &spec.transitions {
            None => {
                for i in 1..n {
                    edges.push(((i - 1) as u32, i as u32, Some(1.0), None));
                }
            }
            Some(ts) => {
                for (k, t) in ts.iter().enumerate() {
                    let from = self.resolve_ref(&ids, &t.from, k, "from");
                    let to = self.resolve_ref(&ids, &t.to, k, "to");
                    if let Some(p) = t.probability
                        && !(p.is_finite() && (0.0..=1.0).contains(&p))
                    {
                        self.err(
                            format!("transitions[{k}].probability"),
                            format!(
                                "{} is not a probability in [0, 1]{}",
                                shown(p),
                                percent_hint(p)
                            ),
                        );
                    }
                    let (Some(a), Some(b)) = (from, to) else {
                        continue;
                    };
                    if a == b {
                        self.err(
                            format!("transitions[{k}]"),
                            format!("cycle: \"{}\" leads to itself", t.from),
                        );
                        continue;
                    }
                    edges.push((a, b, t.probability, Some(k)));
                }
            }
        }
        let edges = self.drop_duplicates(edges);
        let resolved = self.resolve_probabilities(n, &edges);
        for (&(a, b, _, _), &p) in edges.iter().zip(&resolved) {
            graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), p);
        }
        let order = match petgraph::algo::toposort(&graph, None) {
            Ok(order) => order.into_iter().map(|x| x.index() as u32).collect(),
            Err(_) => {
                self.report_cycles(&graph);
                Vec::new()
            }
        };
        let entry_by_index = self.resolve_entries(&graph);
        self.check_outcomes(&graph);
        if !self.errors.is_empty() {
            let mut problems = self.errors;
            problems.extend(self.warnings);
            return Err(InvalidJourney { problems });
        }
        self.warn_unreachable(&graph, &order, &entry_by_index);
        Ok(Built {
            scale,
            graph,
            order,
            entry_by_index,
            warnings: self.warnings,
        })
    }

    fn check_scale(&mut self) -> Scale {
        let Some(s) = self.spec.scale else {
            return Scale::default();
        };
        let neutral = s.neutral.unwrap_or((s.min + s.max) / 2.0);
        let mut ok = true;
        for (name, v) in [("min", s.min), ("max", s.max), ("neutral", neutral)] {
            if !v.is_finite() {
                self.err(
                    format!("scale.{name}"),
                    format!("{} is not a finite number", shown(v)),
                );
                ok = false;
            }
        }
        for (name, v) in [("min", s.min), ("max", s.max)] {
            if ok && v.abs() > MAX_SCALE {
                self.err(
                    format!("scale.{name}"),
                    format!(
                        "{} is beyond what peakend holds (a scale within -1e9..1e9; ratings never need more)",
                        shown(v)
                    ),
                );
                ok = false;
            }
        }
        if ok && s.min >= s.max {
            self.err(
                "scale",
                format!(
                    "min ({}) must be below max ({})",
                    shown(s.min),
                    shown(s.max)
                ),
            );
        } else if ok && !(s.min..=s.max).contains(&neutral) {
            self.err(
                "scale.neutral",
                format!(
                    "{} is outside the scale {}..{}",
                    shown(neutral),
                    shown(s.min),
                    shown(s.max)
                ),
            );
        }
        Scale {
            min: s.min,
            max: s.max,
            neutral,
            ties: s.ties.unwrap_or_default(),
        }
    }

    fn check_stages(&mut self) -> NameMap<'a> {
        let seen = first_index(self.spec.stages.iter().map(|s| s.id.as_str()));
        for (k, st) in self.spec.stages.iter().enumerate() {
            if st.id.trim().is_empty() {
                self.err(format!("stages[{k}].id"), "empty id");
            } else if let Some(&first) = seen.get(st.id.as_str())
                && first as usize != k
            {
                self.err(
                    format!("stages[{k}].id"),
                    format!(
                        "duplicate stage id \"{}\" (first used at stages[{first}])",
                        st.id
                    ),
                );
            }
        }
        seen
    }

    /// Outcomes: unique ids, finite values; an `outcome` names one of them
    /// and sits on an end; a route improvement is a probability on a
    /// transition that has siblings to rescale.
    fn check_outcomes(&mut self, graph: &DiGraph<usize, f64>) {
        let spec = self.spec;
        let outcome_ids = first_index(spec.outcomes.iter().map(|o| o.id.as_str()));
        for (k, o) in spec.outcomes.iter().enumerate() {
            if o.id.trim().is_empty() {
                self.err(format!("outcomes[{k}].id"), "empty outcome id");
            } else if let Some(&first) = outcome_ids.get(o.id.as_str())
                && first as usize != k
            {
                self.err(
                    format!("outcomes[{k}].id"),
                    format!(
                        "duplicate outcome id \"{}\" (first used at outcomes[{first}])",
                        o.id
                    ),
                );
            }
            if let Some(v) = o.value
                && !v.is_finite()
            {
                self.err(
                    format!("outcomes[{k}].value"),
                    format!("{} is not a finite number", shown(v)),
                );
            }
        }
        for (i, t) in spec.touchpoints.iter().enumerate() {
            let Some(id) = &t.outcome else { continue };
            if !outcome_ids.contains_key(id.as_str()) {
                let msg = match self.suggest(id, spec.outcomes.iter().map(|o| o.id.as_str())) {
                    Some(s) => format!("unknown outcome \"{id}\"; did you mean \"{s}\"?"),
                    None if spec.outcomes.is_empty() => {
                        format!("unknown outcome \"{id}\" (the journey lists no `outcomes`)")
                    }
                    None => format!("unknown outcome \"{id}\""),
                };
                self.err(format!("touchpoints[{i}].outcome"), msg);
            } else if graph
                .neighbors_directed(NodeIndex::new(i), petgraph::Direction::Outgoing)
                .next()
                .is_some()
            {
                self.err(
                    format!("touchpoints[{i}].outcome"),
                    "customers go on from here: an outcome belongs to an end",
                );
            }
        }
        for (k, t) in spec.transitions.iter().flatten().enumerate() {
            let Some(imp) = t.improvement else { continue };
            let p = imp.probability;
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                self.err(
                    format!("transitions[{k}].improvement.probability"),
                    format!(
                        "{} is not a probability in [0, 1]{}",
                        shown(p),
                        percent_hint(p)
                    ),
                );
            }
            if let Some(c) = imp.cost
                && !(c.is_finite() && c >= 0.0)
            {
                self.err(
                    format!("transitions[{k}].improvement.cost"),
                    format!("{} is not a cost (finite, 0 or more)", shown(c)),
                );
            }
            let siblings = spec
                .transitions
                .iter()
                .flatten()
                .filter(|u| u.from == t.from)
                .count();
            if siblings < 2 {
                self.err(
                    format!("transitions[{k}].improvement"),
                    format!(
                        "the only transition from \"{}\" cannot change its probability: a route improvement needs another route to take customers from",
                        t.from
                    ),
                );
            }
        }
    }

    fn check_personas(&mut self) {
        let personas = &self.spec.personas;
        for (k, p) in personas.iter().enumerate() {
            if p.name.trim().is_empty() {
                self.err(persona_path(p, k, "name"), "empty persona name");
            } else if let Some(&first) = self.personas.get(p.name.as_str())
                && first as usize != k
            {
                self.err(
                    persona_path(p, k, "name"),
                    format!(
                        "duplicate persona \"{}\" (first listed at personas[{first}])",
                        p.name
                    ),
                );
            }
            if let Some(w) = p.weight
                && !(w.is_finite() && w >= 0.0)
            {
                self.err(
                    format!("personas[{k}].weight"),
                    format!("{} is not a weight (a number, 0 or more)", shown(w)),
                );
            }
        }
    }

    /// Every persona weighted 0 leaves the account's weighted memory
    /// nobody to count.
    fn check_weights(&mut self) {
        let personas = &self.spec.personas;
        if !personas.is_empty() && personas.iter().all(|p| p.weight == Some(0.0)) {
            self.err(
                "personas",
                "every persona has weight 0: give at least one a weight above 0 (the account's memory is their weighted average)",
            );
        }
    }

    fn check_actors(&mut self, i: usize, actors: &'a [String]) {
        let personas = &self.spec.personas;
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (k, a) in actors.iter().enumerate() {
            let at = format!("touchpoints[{i}].actors[{k}]");
            if a.trim().is_empty() {
                self.err(at, "empty actor name");
            } else if !seen.insert(a.as_str()) {
                self.err(at, format!("\"{a}\" is listed twice"));
            } else if !personas.is_empty() && !self.personas.contains_key(a.as_str()) {
                let msg = self.unknown_persona(a);
                self.err(at, msg);
            }
        }
    }

    fn unknown_persona(&mut self, name: &str) -> String {
        let personas = &self.spec.personas;
        match self.suggest(name, personas.iter().map(|p| p.name.as_str())) {
            Some(s) => format!("unknown persona \"{name}\"; did you mean \"{s}\"?"),
            None if personas.is_empty() => {
                format!("unknown persona \"{name}\": the journey lists no `personas`")
            }
            None => format!(
                "unknown persona \"{name}\" (listed: {})",
                listed(personas.iter().map(|p| p.name.as_str()), personas.len())
            ),
        }
    }

    /// Per-persona emotions: each key a listed persona who takes part,
    /// each value on the scale.
    fn check_emotions(&mut self, i: usize, scale: Scale, scale_ok: bool) {
        let t = &self.spec.touchpoints[i];
        for (name, &e) in &t.emotions {
            let at = format!("touchpoints[{i}].emotions.{name}");
            if !e.is_finite() {
                self.err(at, format!("{} is not a finite number", shown(e)));
                continue;
            } else if scale_ok && !scale.contains(e) {
                self.err(
                    at,
                    format!(
                        "{} is outside the scale {}..{}",
                        shown(e),
                        shown(scale.min),
                        shown(scale.max)
                    ),
                );
                continue;
            }
            if !self.personas.contains_key(name.as_str()) {
                let msg = self.unknown_persona(name);
                self.err(at, msg);
            } else if !t.actors.is_empty() && !t.actors.iter().any(|a| a == name) {
                self.err(
                    at,
                    format!(
                        "\"{name}\" has an emotion here but is not among the touchpoint's actors ({})",
                        listed(t.actors.iter().map(String::as_str), t.actors.len())
                    ),
                );
            }
        }
    }

    fn check_touchpoints(&mut self, scale: Scale, stage_ids: &NameMap<'a>) -> NameMap<'a> {
        let mut ids: NameMap<'a> = NameMap::new();
        ids.reserve(self.spec.touchpoints.len());
        let scale_ok = scale.min.is_finite() && scale.max.is_finite() && scale.min < scale.max;
        let range = format!("{}..{}", shown(scale.min), shown(scale.max));
        for (i, t) in self.spec.touchpoints.iter().enumerate() {
            let at = |f: &str| format!("touchpoints[{i}].{f}");
            if t.id.trim().is_empty() {
                self.err(at("id"), "empty id");
            } else if let Some(&first) = ids.get(t.id.as_str()) {
                self.err(
                    at("id"),
                    format!(
                        "duplicate id \"{}\" (first used at touchpoints[{first}])",
                        t.id
                    ),
                );
            } else {
                ids.insert(&t.id, i as u32);
            }
            let emotion_check = |this: &mut Self, field: &str, e: f64| {
                if !e.is_finite() {
                    this.err(at(field), format!("{} is not a finite number", shown(e)));
                } else if scale_ok && !scale.contains(e) {
                    this.err(
                        at(field),
                        format!("{} is outside the scale {range}", shown(e)),
                    );
                }
            };
            emotion_check(self, "emotion", t.emotion);
            self.check_actors(i, &t.actors);
            self.check_emotions(i, scale, scale_ok);
            if let Some(d) = t.duration
                && !(d.is_finite() && d > 0.0)
            {
                self.err(
                    at("duration"),
                    format!("{} is not a positive number of minutes", shown(d)),
                );
            } else if let Some(d) = t.duration
                && d > MAX_DURATION
            {
                self.err(
                    at("duration"),
                    format!(
                        "{} minutes is longer than peakend holds (at most 1e9 minutes, about 1,900 years)",
                        shown(d)
                    ),
                );
            }
            if let Some(st) = &t.stage
                && !stage_ids.contains_key(st.as_str())
            {
                let stages = &self.spec.stages;
                let msg = if stages.is_empty() {
                    format!("unknown stage \"{st}\": the journey declares no `stages`")
                } else {
                    match self.suggest(st, stages.iter().map(|s| s.id.as_str())) {
                        Some(s) => format!("unknown stage \"{st}\"; did you mean \"{s}\"?"),
                        None => format!(
                            "unknown stage \"{st}\" (declared: {})",
                            listed(stages.iter().map(|s| s.id.as_str()), stages.len())
                        ),
                    }
                };
                self.err(at("stage"), msg);
            }
            if let Some(e) = t.entry
                && !(e.is_finite() && (0.0..=1.0).contains(&e))
            {
                self.err(
                    at("entry"),
                    format!(
                        "{} is not a probability in [0, 1]{}",
                        shown(e),
                        percent_hint(e)
                    ),
                );
            }
            if let Some(imp) = t.improvement {
                emotion_check(self, "improvement.emotion", imp.emotion);
                if let Some(c) = imp.cost
                    && !(c.is_finite() && c >= 0.0)
                {
                    self.err(
                        at("improvement.cost"),
                        format!("{} is not a cost (finite, 0 or more)", shown(c)),
                    );
                }
            }
            self.check_evidence(i, t, scale, scale_ok);
        }
        self.warn_partial_durations();
        ids
    }

    /// A touchpoint's evidence and observed counts.
    fn check_evidence(&mut self, i: usize, t: &TouchpointSpec, scale: Scale, scale_ok: bool) {
        let at = |f: &str| format!("touchpoints[{i}].{f}");
        if let Some(sd) = t.evidence.as_ref().and_then(|e| e.sd)
            && !(sd.is_finite() && sd >= 0.0 && (!scale_ok || sd <= scale.max - scale.min))
        {
            self.err(
                at("evidence.sd"),
                format!(
                    "{} is not a standard deviation on the scale (0 to {})",
                    shown(sd),
                    shown(scale.max - scale.min)
                ),
            );
        }
        if let Some(o) = &t.observed
            && (o.starts.is_some_and(|x| x > o.cases) || o.ends.is_some_and(|x| x > o.cases))
        {
            self.err(
                at("observed"),
                format!(
                    "more cases start or end here than pass here ({} cases)",
                    o.cases
                ),
            );
        }
    }

    /// Durations for some touchpoints but not all: the others count as 1
    /// minute, which lets a long given step dominate the average.
    fn warn_partial_durations(&mut self) {
        let tps = &self.spec.touchpoints;
        let given = tps.iter().filter(|t| t.duration.is_some()).count();
        if given == 0 || given == tps.len() {
            return;
        }
        let first = tps
            .iter()
            .position(|t| t.duration.is_none())
            .expect("some touchpoint has no duration");
        self.warnings.push(Problem::warning(
            format!("touchpoints[{first}]"),
            format!(
                "has no duration, but {given} of {} touchpoints have one: those without count as 1 minute, so the duration-weighted average leans on the ones given",
                tps.len()
            ),
        ));
    }

    fn resolve_ref(&mut self, ids: &NameMap<'_>, id: &str, k: usize, field: &str) -> Option<u32> {
        if let Some(&i) = ids.get(id) {
            return Some(i);
        }
        let spec = self.spec;
        let hint = self
            .suggest(id, spec.touchpoints.iter().map(|t| t.id.as_str()))
            .map(|s| format!("; did you mean \"{s}\"?"))
            .unwrap_or_default();
        self.err(
            format!("transitions[{k}].{field}"),
            format!("unknown touchpoint \"{id}\"{hint}"),
        );
        None
    }

    /// Report and drop repeated (from, to) pairs, keeping the first.
    fn drop_duplicates(&mut self, mut edges: Vec<Edge>) -> Vec<Edge> {
        let mut order: Vec<usize> = (0..edges.len()).collect();
        order.sort_unstable_by_key(|&e| (edges[e].0, edges[e].1, e));
        let mut dup = vec![false; edges.len()];
        let mut found = Vec::new();
        let mut run_start = 0;
        for w in 1..order.len() {
            let (prev, e) = (&edges[order[w - 1]], &edges[order[w]]);
            if (prev.0, prev.1) == (e.0, e.1) {
                dup[order[w]] = true;
                found.push((e.3, edges[order[run_start]].3, e.0, e.1));
            } else {
                run_start = w;
            }
        }
        found.sort_unstable();
        for (k, first, a, b) in found {
            let name = |i: u32| &self.spec.touchpoints[i as usize].id;
            let msg = format!(
                "duplicate transition \"{}\" -> \"{}\" (first at transitions[{}])",
                name(a),
                name(b),
                first.unwrap_or(0)
            );
            self.err(format!("transitions[{}]", k.unwrap_or(0)), msg);
        }
        let mut i = 0;
        edges.retain(|_| {
            i += 1;
            !dup[i - 1]
        });
        edges
    }

    /// Give every edge its probability: missing ones share what the
    /// explicit ones of the same source leave.
    fn resolve_probabilities(&mut self, n: usize, edges: &[Edge]) -> Vec<f64> {
        let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (e, &(a, ..)) in edges.iter().enumerate() {
            by_source[a as usize].push(e);
        }
        let mut out = vec![0.0; edges.len()];
        for (src, list) in by_source.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let valid = |p: f64| p.is_finite() && (0.0..=1.0).contains(&p);
            if list.iter().any(|&e| edges[e].2.is_some_and(|p| !valid(p))) {
                continue; // already reported
            }
            let explicit: f64 = list.iter().filter_map(|&e| edges[e].2).sum();
            let missing = list.iter().filter(|&&e| edges[e].2.is_none()).count();
            let id = &self.spec.touchpoints[src].id;
            let places = || {
                list.iter()
                    .filter_map(|&e| edges[e].3.map(|k| format!("transitions[{k}]")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let first_path = || {
                edges[list[0]]
                    .3
                    .map(|k| format!("transitions[{k}].probability"))
                    .unwrap_or_default()
            };
            if missing == 0 {
                if (explicit - 1.0).abs() > PROBABILITY_TOLERANCE {
                    self.err(
                        first_path(),
                        format!(
                            "probabilities of the transitions from \"{id}\" sum to {}, not 1 ({})",
                            significant(explicit, 6),
                            places()
                        ),
                    );
                }
            } else if explicit > 1.0 + PROBABILITY_TOLERANCE {
                self.err(
                    first_path(),
                    format!(
                        "probabilities of the transitions from \"{id}\" already sum to {} before the {missing} without one ({})",
                        significant(explicit, 6),
                        places()
                    ),
                );
            } else if explicit >= 1.0 - PROBABILITY_TOLERANCE {
                self.warnings.push(Problem::warning(
                    first_path(),
                    format!(
                        "transitions from \"{id}\" without a probability get none: the others already sum to 1 ({})",
                        places()
                    ),
                ));
            }
            let share = ((1.0 - explicit).max(0.0)) / missing.max(1) as f64;
            for &e in list {
                out[e] = edges[e].2.unwrap_or(share);
            }
        }
        out
    }

    fn report_cycles(&mut self, graph: &DiGraph<usize, f64>) {
        let sccs = petgraph::algo::kosaraju_scc(graph);
        let mut cycles: Vec<Vec<usize>> = Vec::new();
        for scc in sccs.into_iter().filter(|c| c.len() > 1) {
            let members: std::collections::BTreeSet<usize> =
                scc.iter().map(|x| x.index()).collect();
            // Walk inside the component from its first member until a node repeats.
            let start = *members.iter().next().expect("non-empty component");
            let mut walk = vec![start];
            let mut at_step: HashMap<usize, usize> = HashMap::from([(start, 0)]);
            let mut cur = start;
            let cycle = loop {
                let next = graph
                    .neighbors(NodeIndex::new(cur))
                    .map(|x| x.index())
                    .filter(|x| members.contains(x))
                    .min()
                    .expect("a strongly connected component has an edge inside");
                if let Some(&s) = at_step.get(&next) {
                    let mut c = walk[s..].to_vec();
                    c.push(next);
                    break c;
                }
                at_step.insert(next, walk.len());
                walk.push(next);
                cur = next;
            };
            cycles.push(cycle);
        }
        cycles.sort();
        for c in cycles {
            let show = |i: &usize| format!("\"{}\"", self.spec.touchpoints[*i].id);
            let names: Vec<String> = if c.len() <= 12 {
                c.iter().map(show).collect()
            } else {
                let mut v: Vec<String> = c[..5].iter().map(show).collect();
                v.push(format!("… {} more …", c.len() - 9));
                v.extend(c[c.len() - 4..].iter().map(show));
                v
            };
            let path = format!("touchpoints[{}]", c[0]);
            self.err(
                path,
                format!(
                    "cycle: {} (a journey must not loop back)",
                    names.join(" -> ")
                ),
            );
        }
    }

    fn resolve_entries(&mut self, graph: &DiGraph<usize, f64>) -> Vec<f64> {
        let n = self.spec.touchpoints.len();
        let mut entry = vec![0.0; n];
        let mut explicit = 0.0;
        let mut implicit = Vec::new();
        let mut bad = false;
        for (i, t) in self.spec.touchpoints.iter().enumerate() {
            match t.entry {
                Some(e) if e.is_finite() && (0.0..=1.0).contains(&e) => {
                    entry[i] = e;
                    explicit += e;
                }
                Some(_) => bad = true,
                None => {
                    let has_incoming = graph
                        .neighbors_directed(NodeIndex::new(i), petgraph::Direction::Incoming)
                        .next()
                        .is_some();
                    if !has_incoming {
                        implicit.push(i);
                    }
                }
            }
        }
        if bad || n == 0 {
            return entry;
        }
        let first_explicit = self
            .spec
            .touchpoints
            .iter()
            .position(|t| t.entry.is_some())
            .map(|i| format!("touchpoints[{i}].entry"))
            .unwrap_or_else(|| "touchpoints".to_string());
        if implicit.is_empty() {
            if (explicit - 1.0).abs() > PROBABILITY_TOLERANCE {
                self.err(
                    first_explicit,
                    format!(
                        "entry probabilities sum to {}, not 1",
                        significant(explicit, 6)
                    ),
                );
            }
        } else if explicit > 1.0 + PROBABILITY_TOLERANCE {
            self.err(
                first_explicit,
                format!(
                    "entry probabilities already sum to {} before the {} entries without one",
                    significant(explicit, 6),
                    implicit.len()
                ),
            );
        } else {
            let share = (1.0 - explicit).max(0.0) / implicit.len() as f64;
            for i in implicit {
                entry[i] = share;
            }
        }
        entry
    }

    fn warn_unreachable(&mut self, graph: &DiGraph<usize, f64>, order: &[u32], entry: &[f64]) {
        let mut reached = vec![false; entry.len()];
        for &i in order {
            let i = i as usize;
            if entry[i] > 0.0 {
                reached[i] = true;
            }
            if reached[i] {
                for e in graph.edges(NodeIndex::new(i)) {
                    if *e.weight() > 0.0 {
                        reached[petgraph::visit::EdgeRef::target(&e).index()] = true;
                    }
                }
            }
        }
        for (i, r) in reached.iter().enumerate() {
            if !r {
                self.warnings.push(Problem::warning(
                    format!("touchpoints[{i}]"),
                    format!(
                        "\"{}\" is unreachable: no customer gets there (no entry probability and no transition with a probability above 0)",
                        self.spec.touchpoints[i].id
                    ),
                ));
            }
        }
    }
}
