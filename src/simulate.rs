//! What-if simulation: edit a journey (set or shift an emotion, append a
//! gentler ending, cut a step, re-route customers) and compare the
//! remembered experience before and after. Every figure comes from a full,
//! exact re-analysis of the edited journey.

use crate::analysis::{Analysis, Analyzer, Distribution, Edit, Thresholds};
use crate::error::{InvalidJourney, did_you_mean};
use crate::journey::Journey;
use crate::moments::{Moments, Reason};
use crate::spec::{JourneySpec, OutcomeKind, TouchpointSpec, TransitionSpec};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// One edit of a journey. Touchpoints are named by id.
///
/// ```
/// use peakend::Operation;
/// assert_eq!(Operation::set("call", -2.0).to_string(), "set \"call\" to -2");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// Set a touchpoint's emotion.
    Set {
        /// Touchpoint id.
        id: String,
        /// New emotion.
        emotion: f64,
    },
    /// Add to a touchpoint's emotion.
    Shift {
        /// Touchpoint id.
        id: String,
        /// Change (may be negative).
        delta: f64,
    },
    /// Add a closing touchpoint after every end (the gentler ending of the
    /// cold-pressor and colonoscopy studies).
    Append {
        /// Display name; the id is made from it.
        name: String,
        /// Its emotion.
        emotion: f64,
    },
    /// Cut a step: its predecessors take over its outgoing transitions,
    /// probabilities multiplied through.
    Remove {
        /// Touchpoint id.
        id: String,
    },
    /// Re-route customers: set one transition's probability; the other
    /// transitions from the same touchpoint are scaled to fill the rest.
    Probability {
        /// Source id.
        from: String,
        /// Target id.
        to: String,
        /// New probability in [0, 1].
        probability: f64,
    },
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Set { id, emotion } => write!(f, "set \"{id}\" to {emotion}"),
            Operation::Shift { id, delta } => write!(f, "shift \"{id}\" by {delta:+}"),
            Operation::Append { name, emotion } => {
                write!(f, "append \"{name}\" ({emotion}) after every end")
            }
            Operation::Remove { id } => write!(f, "remove \"{id}\""),
            Operation::Probability {
                from,
                to,
                probability,
            } => write!(f, "route {probability} of \"{from}\" to \"{to}\""),
        }
    }
}

impl Operation {
    /// Set a touchpoint's emotion.
    #[must_use]
    pub fn set(id: impl Into<String>, emotion: f64) -> Operation {
        Operation::Set {
            id: id.into(),
            emotion,
        }
    }
    /// Add to a touchpoint's emotion.
    #[must_use]
    pub fn shift(id: impl Into<String>, delta: f64) -> Operation {
        Operation::Shift {
            id: id.into(),
            delta,
        }
    }
    /// Add a closing touchpoint after every end.
    #[must_use]
    pub fn append(name: impl Into<String>, emotion: f64) -> Operation {
        Operation::Append {
            name: name.into(),
            emotion,
        }
    }
    /// Cut a step.
    #[must_use]
    pub fn remove(id: impl Into<String>) -> Operation {
        Operation::Remove { id: id.into() }
    }
    /// Re-route customers from `from` to `to` with this probability.
    #[must_use]
    pub fn route(from: impl Into<String>, to: impl Into<String>, probability: f64) -> Operation {
        Operation::Probability {
            from: from.into(),
            to: to.into(),
            probability,
        }
    }

    /// The `peakend simulate` flag that performs an operation, quoted for a
    /// POSIX shell where it needs to be, so that a pasted command works.
    pub(crate) fn flag(&self) -> String {
        let op = self;
        let quote = |s: String| crate::numfmt::shell_quote(&s);
        match op {
            Operation::Set { id, emotion } => format!("--set {}", quote(format!("{id}={emotion}"))),
            Operation::Shift { id, delta } => format!("--shift {}", quote(format!("{id}={delta}"))),
            Operation::Append { name, emotion } => {
                format!("--append {}", quote(format!("{name}={emotion}")))
            }
            Operation::Remove { id } => format!("--remove {}", quote(id.clone())),
            Operation::Probability {
                from,
                to,
                probability,
            } => format!(
                "--probability {}",
                quote(format!("{from}->{to}={probability}"))
            ),
        }
    }

    /// A key that orders operations deterministically (used to break ties
    /// between equally good recommendations): the operation's command-line
    /// form, so that the order matches what a reader sees.
    pub(crate) fn order_key(&self) -> String {
        self.flag()
    }
}

/// An operation that cannot be applied. Every variant names the operation;
/// none depends on message text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// No touchpoint has this id.
    #[error("{operation}: unknown touchpoint \"{id}\"{}", suggestion.as_ref().map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default())]
    UnknownTouchpoint {
        /// The operation.
        operation: Operation,
        /// The id it names.
        id: String,
        /// The closest existing id, when one is close enough to be a typo.
        suggestion: Option<String>,
    },
    /// The emotion the operation asks for (or arrives at) is off the scale.
    #[error("{operation}: emotion {emotion} is outside the scale {min}..{max}{}", match operation { Operation::Shift { id, .. } => format!(" (\"{id}\" would be {emotion})"), _ => String::new() })]
    EmotionOutsideScale {
        /// The operation.
        operation: Operation,
        /// The emotion.
        emotion: f64,
        /// The scale's minimum.
        min: f64,
        /// The scale's maximum.
        max: f64,
    },
    /// A probability outside [0, 1].
    #[error("{operation}: {probability} is not a probability in [0, 1]")]
    NotAProbability {
        /// The operation.
        operation: Operation,
        /// The probability.
        probability: f64,
    },
    /// Re-routing along a transition the journey does not have.
    #[error("{operation}: there is no transition \"{from}\" -> \"{to}\"")]
    NoTransition {
        /// The operation.
        operation: Operation,
        /// Source id.
        from: String,
        /// Target id.
        to: String,
    },
    /// Re-routing the only transition from a touchpoint below 1.
    #[error(
        "{operation}: \"{from}\" -> \"{to}\" is the only transition from \"{from}\": it must keep probability 1"
    )]
    OnlyTransition {
        /// The operation.
        operation: Operation,
        /// Source id.
        from: String,
        /// Target id.
        to: String,
    },
    /// Every end is a loss: there is no end to add a closing touchpoint to.
    #[error("{operation}: every end is a loss; a closing touchpoint goes after the others only")]
    NoEndToClose {
        /// The operation.
        operation: Operation,
    },
    /// Removing the journey's only touchpoint.
    #[error("{operation}: removing the only touchpoint would empty the journey")]
    WouldEmpty {
        /// The operation.
        operation: Operation,
    },
    /// Removing a touchpoint where customers both start and end.
    #[error(
        "{operation}: customers who start at \"{id}\" also end there: removing it would leave them nowhere to go"
    )]
    StartIsEnd {
        /// The operation.
        operation: Operation,
        /// The touchpoint.
        id: String,
    },
    /// Removing an end that a branching touchpoint leads to.
    #[error(
        "{operation}: \"{id}\" is an end and \"{predecessor}\" has other branches: its customers would have nowhere to go (re-route them first)"
    )]
    Stranded {
        /// The operation.
        operation: Operation,
        /// The end to remove.
        id: String,
        /// The touchpoint whose customers would be stranded.
        predecessor: String,
    },
    /// Removing the only place customers enter.
    #[error("{operation}: removing \"{id}\" leaves no customer entering the journey")]
    NoEntry {
        /// The operation.
        operation: Operation,
        /// The touchpoint.
        id: String,
    },
    /// The edited journey does not validate; the problems are the source.
    #[error("{operation}: the edited journey is invalid")]
    Invalid {
        /// The operation.
        operation: Operation,
        /// Every problem of the edited journey.
        #[source]
        source: InvalidJourney,
    },
}

/// Text that is not an operation (see [`Operation::parse_set`] and its
/// siblings).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseOperationError {
    /// Not of the form the operation takes.
    #[error("expected {0}")]
    Form(&'static str),
    /// A value that is not a finite number.
    #[error("`{text}` is not a number ({what})")]
    NotANumber {
        /// The text.
        text: String,
        /// What it should be.
        what: &'static str,
    },
    /// `--append` without a name.
    #[error("the appended touchpoint needs a name")]
    MissingName,
    /// A probability outside 0..1.
    #[error("`{0}` is not a probability in [0, 1]")]
    NotAProbability(String),
}

fn num(s: &str, what: &'static str) -> Result<f64, ParseOperationError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ParseOperationError::NotANumber {
            text: s.trim().to_string(),
            what,
        })
}

impl Operation {
    /// Parse `ID=EMOTION` (`--set`).
    ///
    /// # Errors
    /// [`ParseOperationError`] when the text is not of that form.
    ///
    /// ```
    /// let op = peakend::Operation::parse_set("call=-2").unwrap();
    /// assert_eq!(op.to_string(), "set \"call\" to -2");
    /// ```
    pub fn parse_set(s: &str) -> Result<Operation, ParseOperationError> {
        let (id, v) = s
            .rsplit_once('=')
            .ok_or(ParseOperationError::Form("ID=EMOTION"))?;
        Ok(Operation::Set {
            id: id.trim().into(),
            emotion: num(v, "emotion")?,
        })
    }
    /// Parse `ID=DELTA` (`--shift`).
    ///
    /// # Errors
    /// [`ParseOperationError`] when the text is not of that form.
    pub fn parse_shift(s: &str) -> Result<Operation, ParseOperationError> {
        let (id, v) = s
            .rsplit_once('=')
            .ok_or(ParseOperationError::Form("ID=DELTA"))?;
        Ok(Operation::Shift {
            id: id.trim().into(),
            delta: num(v, "delta")?,
        })
    }
    /// Parse `NAME=EMOTION` (`--append`).
    ///
    /// # Errors
    /// [`ParseOperationError`] when the text is not of that form.
    pub fn parse_append(s: &str) -> Result<Operation, ParseOperationError> {
        let (name, v) = s
            .rsplit_once('=')
            .ok_or(ParseOperationError::Form("NAME=EMOTION"))?;
        if name.trim().is_empty() {
            return Err(ParseOperationError::MissingName);
        }
        Ok(Operation::Append {
            name: name.trim().into(),
            emotion: num(v, "emotion")?,
        })
    }
    /// Parse `FROM->TO=P` (`--probability`).
    ///
    /// # Errors
    /// [`ParseOperationError`] when the text is not of that form.
    ///
    /// ```
    /// let op = peakend::Operation::parse_probability("l2->engineering=0.2").unwrap();
    /// assert_eq!(op.to_string(), "route 0.2 of \"l2\" to \"engineering\"");
    /// ```
    pub fn parse_probability(s: &str) -> Result<Operation, ParseOperationError> {
        let (edge, v) = s
            .rsplit_once('=')
            .ok_or(ParseOperationError::Form("FROM->TO=P"))?;
        let (from, to) = edge
            .split_once("->")
            .ok_or(ParseOperationError::Form("FROM->TO=P"))?;
        Ok(Operation::Probability {
            from: from.trim().into(),
            to: to.trim().into(),
            probability: Some(num(v, "probability")?)
                .filter(|p| (0.0..=1.0).contains(p))
                .ok_or_else(|| ParseOperationError::NotAProbability(v.trim().to_string()))?,
        })
    }
}

/// A touchpoint that became, or stopped being, a defining moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MomentChange {
    /// Touchpoint id.
    pub id: String,
    /// Reasons after (for `became`) or before (for `stopped`).
    pub reasons: Vec<Reason>,
}

/// Before and after one set of edits.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Simulation {
    /// The journey's scale (for rendering scores).
    #[serde(skip)]
    pub scale: crate::journey::Scale,
    /// The operations, as text.
    pub operations: Vec<String>,
    /// Model name.
    pub model: String,
    /// Expected remembered experience before.
    pub before: f64,
    /// Expected remembered experience after.
    pub after: f64,
    /// `after - before`.
    pub delta: f64,
    /// True when both figures are exact.
    pub exact: bool,
    /// Spread across customers before.
    pub distribution_before: Distribution,
    /// Spread across customers after.
    pub distribution_after: Distribution,
    /// Dashboard average before and after.
    pub mean_before: f64,
    /// Dashboard average after.
    pub mean_after: f64,
    /// Touchpoints that became defining moments (or gained reasons).
    pub became_defining: Vec<MomentChange>,
    /// Touchpoints that stopped being defining moments (or lost reasons).
    pub stopped_defining: Vec<MomentChange>,
}

/// The journey with all transitions, probabilities and entry
/// probabilities written out, so that edits can work on them.
fn explicit(j: &Journey) -> JourneySpec {
    let mut spec = j.spec().clone();
    // Keep the labels the user gave.
    let labels: std::collections::HashMap<(&str, &str), &str> = j
        .spec()
        .transitions
        .iter()
        .flatten()
        .filter_map(|t| Some(((t.from.as_str(), t.to.as_str()), t.label.as_deref()?)))
        .collect();
    let mut ts = Vec::with_capacity(j.transition_count());
    let mut has_incoming = vec![false; j.len()];
    for i in 0..j.len() {
        for (w, p) in j.successors(i) {
            has_incoming[w] = true;
            let (from, to) = (&j.touchpoint(i).id, &j.touchpoint(w).id);
            let mut t = TransitionSpec::new(from.clone(), to.clone(), Some(p));
            t.label = labels
                .get(&(from.as_str(), to.as_str()))
                .map(|l| l.to_string());
            ts.push(t);
        }
    }
    for (i, tp) in spec.touchpoints.iter_mut().enumerate() {
        let e = j.entry_probability(i);
        tp.entry = if e > 0.0 || !has_incoming[i] {
            Some(e)
        } else {
            None
        };
    }
    spec.transitions = Some(ts);
    spec
}

fn unknown(j: &Journey, op: &Operation, id: &str) -> SimulateError {
    let ids: Vec<&str> = j.spec().touchpoints.iter().map(|t| t.id.as_str()).collect();
    SimulateError::UnknownTouchpoint {
        operation: op.clone(),
        id: id.to_string(),
        suggestion: did_you_mean(id, ids).map(str::to_string),
    }
}

fn check_emotion(j: &Journey, op: &Operation, e: f64) -> Result<(), SimulateError> {
    let s = j.scale();
    if !e.is_finite() || !s.contains(e) {
        return Err(SimulateError::EmotionOutsideScale {
            operation: op.clone(),
            emotion: e,
            min: s.min,
            max: s.max,
        });
    }
    Ok(())
}

/// What one operation makes of a journey: a new emotion for one touchpoint
/// (the structure is unchanged, so nothing needs validating again), or a
/// new file to validate.
enum Applied {
    /// A touchpoint's emotion, and its per-persona emotions when it has any.
    Emotion(usize, f64, Option<BTreeMap<String, f64>>),
    Spec(Box<JourneySpec>),
}

fn apply_one(j: &Journey, op: &Operation) -> Result<Applied, SimulateError> {
    let spec = |r: Result<JourneySpec, SimulateError>| r.map(|s| Applied::Spec(Box::new(s)));
    match op {
        Operation::Set { id, emotion } => apply_set(j, op, id, *emotion),
        Operation::Shift { id, delta } => {
            let i = j.index_of(id).ok_or_else(|| unknown(j, op, id))?;
            let t = j.touchpoint(i);
            let e = t.emotion + delta;
            check_emotion(j, op, e)?;
            // Every persona's own emotion moves by the same step.
            let mut own = BTreeMap::new();
            for (name, &x) in &t.emotions {
                check_emotion(j, op, x + delta)?;
                own.insert(name.clone(), x + delta);
            }
            Ok(Applied::Emotion(i, e, (!own.is_empty()).then_some(own)))
        }
        Operation::Append { name, emotion } => spec(apply_append(j, op, name, *emotion)),
        Operation::Remove { id } => spec(apply_remove(j, op, id)),
        Operation::Probability {
            from,
            to,
            probability,
        } => spec(apply_route(j, op, from, to, *probability)),
    }
}

fn apply_set(
    j: &Journey,
    op: &Operation,
    id: &str,
    emotion: f64,
) -> Result<Applied, SimulateError> {
    let i = j.index_of(id).ok_or_else(|| unknown(j, op, id))?;
    check_emotion(j, op, emotion)?;
    // Setting an emotion sets it for every persona who takes part.
    let own = (!j.touchpoint(i).emotions.is_empty()).then(BTreeMap::new);
    Ok(Applied::Emotion(i, emotion, own))
}

fn apply_append(
    j: &Journey,
    op: &Operation,
    name: &str,
    emotion: f64,
) -> Result<JourneySpec, SimulateError> {
    check_emotion(j, op, emotion)?;
    let base: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let base = if base.is_empty() {
        "appended".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    let mut k = 2;
    while j.index_of(&id).is_some() {
        id = format!("{base}-{k}");
        k += 1;
    }
    let ends = closable_ends(j);
    if ends.is_empty() {
        return Err(SimulateError::NoEndToClose {
            operation: op.clone(),
        });
    }
    let with_outcomes = ends.iter().any(|&i| j.touchpoint(i).outcome.is_some());
    if j.spec().transitions.is_none() && !with_outcomes {
        let mut spec = j.spec().clone();
        spec.touchpoints
            .push(TouchpointSpec::new(id, name.to_string(), emotion));
        return Ok(spec);
    }
    let mut spec = explicit(j);
    if !with_outcomes {
        // One closing touchpoint that every end leads to.
        spec.touchpoints
            .push(TouchpointSpec::new(id.clone(), name.to_string(), emotion));
        let ts = spec.transitions.as_mut().expect("explicit");
        for e in ends {
            ts.push(TransitionSpec::new(
                j.touchpoint(e).id.clone(),
                id.clone(),
                Some(1.0),
            ));
        }
        return Ok(spec);
    }
    // Ends carry outcomes: one closing per end, which takes over its outcome.
    let mut k = 2;
    for (n, e) in ends.into_iter().enumerate() {
        let mut cid = id.clone();
        if n > 0 {
            while j.index_of(&cid).is_some() || spec.touchpoints.iter().any(|t| t.id == cid) {
                cid = format!("{base}-{k}");
                k += 1;
            }
        }
        let mut t = TouchpointSpec::new(cid.clone(), name.to_string(), emotion);
        t.outcome = spec.touchpoints[e].outcome.take();
        spec.touchpoints.push(t);
        spec.transitions
            .as_mut()
            .expect("explicit")
            .push(TransitionSpec::new(
                j.touchpoint(e).id.clone(),
                cid,
                Some(1.0),
            ));
    }
    Ok(spec)
}

/// The ends (file indices) a closing touchpoint follows: never a loss —
/// a gentler goodbye to a lost customer is not the colonoscopy's milder
/// ending.
fn closable_ends(j: &Journey) -> Vec<usize> {
    let is_loss = |i: usize| {
        j.touchpoint(i).outcome.as_deref().is_some_and(|o| {
            j.spec()
                .outcomes
                .iter()
                .any(|x| x.id == o && x.kind == OutcomeKind::Loss)
        })
    };
    (0..j.len())
        .filter(|&i| j.is_end(i) && !is_loss(i))
        .collect()
}

/// The operation as a local edit in positions, for pricing without
/// re-analysis; `None` exactly when [`apply`] would refuse it. Costs
/// O(neighbourhood), not a copy of the journey.
pub(crate) fn edit_of(j: &Journey, op: &Operation) -> Option<Edit> {
    let s = j.scale();
    let in_scale = |e: f64| e.is_finite() && s.contains(e);
    let pos = |id: &str| j.index_of(id).map(|i| j.position(i).0);
    match op {
        Operation::Set { id, emotion } => {
            let p = pos(id)?;
            in_scale(*emotion).then_some(Edit::Set {
                pos: p,
                emotion: *emotion,
            })
        }
        Operation::Shift { id, delta } => {
            let p = pos(id)?;
            let e = j.emotions()[p] + delta;
            in_scale(e).then_some(Edit::Set { pos: p, emotion: e })
        }
        Operation::Append { emotion, .. } => {
            let ends: Vec<usize> = closable_ends(j)
                .into_iter()
                .map(|i| j.position(i).0)
                .collect();
            (in_scale(*emotion) && !ends.is_empty()).then_some(Edit::Append {
                ends,
                emotion: *emotion,
            })
        }
        Operation::Remove { id } => {
            let v = pos(id)?;
            if j.len() == 1 {
                return None;
            }
            let out = j.succ_of(v);
            let entry = j.entry_at(v);
            if j.spec().transitions.is_some() {
                if out.is_empty() && entry > 0.0 {
                    return None;
                }
                // An end whose predecessor leads elsewhere too would strand
                // that predecessor's customers.
                if out.is_empty()
                    && j.pred_of(v)
                        .iter()
                        .any(|&(u, p)| p > 0.0 && j.succ_of(u as usize).len() > 1)
                {
                    return None;
                }
                let other_entry = (0..j.len()).any(|p| p != v && j.entry_at(p) > 0.0);
                let moved = entry > 0.0 && out.iter().any(|&(_, pw)| entry * pw > 0.0);
                if !other_entry && !moved {
                    return None;
                }
            }
            Some(Edit::Remove { pos: v })
        }
        Operation::Probability {
            from,
            to,
            probability,
        } => {
            let a = pos(from)?;
            let b = pos(to)?;
            if !(0.0..=1.0).contains(probability) {
                return None;
            }
            let succ = j.succ_of(a);
            let k = succ.iter().position(|&(w, _)| w as usize == b)?;
            if succ.len() == 1 && *probability != 1.0 {
                return None;
            }
            let old = succ[k].1;
            let rest = 1.0 - old;
            let siblings = (succ.len() - 1) as f64;
            let probs = succ
                .iter()
                .enumerate()
                .map(|(i, &(_, p))| {
                    if i == k {
                        *probability
                    } else if rest > 0.0 {
                        p * (1.0 - probability) / rest
                    } else {
                        (1.0 - probability) / siblings
                    }
                })
                .collect();
            Some(Edit::Route { pos: a, probs })
        }
    }
}

fn apply_remove(j: &Journey, op: &Operation, id: &str) -> Result<JourneySpec, SimulateError> {
    let v = j.index_of(id).ok_or_else(|| unknown(j, op, id))?;
    if j.len() == 1 {
        return Err(SimulateError::WouldEmpty {
            operation: op.clone(),
        });
    }
    if j.spec().transitions.is_none() {
        let mut spec = j.spec().clone();
        spec.touchpoints.remove(v);
        return Ok(spec);
    }
    let mut spec = explicit(j);
    let ts = spec.transitions.take().expect("explicit");
    let out: Vec<(String, f64)> = ts
        .iter()
        .filter(|t| t.from == id)
        .map(|t| (t.to.to_string(), t.probability.unwrap_or(0.0)))
        .collect();
    let preds: Vec<(String, f64)> = ts
        .iter()
        .filter(|t| t.to == id)
        .map(|t| (t.from.to_string(), t.probability.unwrap_or(0.0)))
        .collect();
    if out.is_empty() && j.entry_probability(v) > 0.0 {
        return Err(SimulateError::StartIsEnd {
            operation: op.clone(),
            id: id.to_string(),
        });
    }
    if out.is_empty() {
        for (u, p) in &preds {
            let others = ts.iter().any(|t| &t.from == u && t.to != id);
            if others && *p > 0.0 {
                return Err(SimulateError::Stranded {
                    operation: op.clone(),
                    id: id.to_string(),
                    predecessor: u.clone(),
                });
            }
        }
    }
    let mut next: Vec<TransitionSpec> = ts
        .into_iter()
        .filter(|t| t.from != id && t.to != id)
        .collect();
    for (u, pu) in &preds {
        for (w, pw) in &out {
            match next.iter_mut().find(|t| &t.from == u && &t.to == w) {
                Some(t) => t.probability = Some(t.probability.unwrap_or(0.0) + pu * pw),
                None => next.push(TransitionSpec::new(u.clone(), w.clone(), Some(pu * pw))),
            }
        }
    }
    let entry_v = j.entry_probability(v);
    if entry_v > 0.0 {
        for (w, pw) in &out {
            let t = spec
                .touchpoints
                .iter_mut()
                .find(|t| &t.id == w)
                .expect("successor exists");
            t.entry = Some(t.entry.unwrap_or(0.0) + entry_v * pw);
        }
    }
    spec.touchpoints.remove(v);
    if spec
        .touchpoints
        .iter()
        .all(|t| t.entry.unwrap_or(0.0) == 0.0)
    {
        return Err(SimulateError::NoEntry {
            operation: op.clone(),
            id: id.to_string(),
        });
    }
    spec.transitions = Some(next);
    Ok(spec)
}

fn apply_route(
    j: &Journey,
    op: &Operation,
    from: &str,
    to: &str,
    probability: f64,
) -> Result<JourneySpec, SimulateError> {
    let a = j.index_of(from).ok_or_else(|| unknown(j, op, from))?;
    j.index_of(to).ok_or_else(|| unknown(j, op, to))?;
    if !(0.0..=1.0).contains(&probability) {
        return Err(SimulateError::NotAProbability {
            operation: op.clone(),
            probability,
        });
    }
    let mut spec = explicit(j);
    let ts = spec.transitions.as_mut().expect("explicit");
    let Some(k) = ts.iter().position(|t| t.from == from && t.to == to) else {
        return Err(SimulateError::NoTransition {
            operation: op.clone(),
            from: from.to_string(),
            to: to.to_string(),
        });
    };
    let old = ts[k].probability.unwrap_or(0.0);
    let siblings: Vec<usize> = (0..ts.len())
        .filter(|&i| i != k && ts[i].from == j.touchpoint(a).id)
        .collect();
    if siblings.is_empty() && probability != 1.0 {
        return Err(SimulateError::OnlyTransition {
            operation: op.clone(),
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let rest = 1.0 - old;
    for &i in &siblings {
        let p = ts[i].probability.unwrap_or(0.0);
        ts[i].probability = Some(if rest > 0.0 {
            p * (1.0 - probability) / rest
        } else {
            (1.0 - probability) / siblings.len() as f64
        });
    }
    ts[k].probability = Some(probability);
    Ok(spec)
}

/// Apply the operations in order and return the edited, validated journey.
///
/// # Errors
/// [`SimulateError`] naming the operation and what is wrong (unknown id,
/// emotion outside the scale, a removal that would empty the journey, …).
///
/// ```
/// use peakend::{apply, Journey, Operation};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let edited = apply(&j, &[Operation::Remove { id: "b".into() }]).unwrap();
/// assert_eq!(edited.len(), 1);
/// assert!(apply(&edited, &[Operation::Remove { id: "a".into() }]).is_err());
/// ```
pub fn apply(journey: &Journey, ops: &[Operation]) -> Result<Journey, SimulateError> {
    let mut cur: Option<Journey> = None;
    for op in ops {
        let base = cur.as_ref().unwrap_or(journey);
        cur = Some(match apply_one(base, op)? {
            Applied::Emotion(i, e, own) => {
                let j = cur
                    .take()
                    .unwrap_or_else(|| journey.clone())
                    .with_emotion(i, e);
                match own {
                    Some(own) => j.with_persona_emotions(i, own),
                    None => j,
                }
            }
            Applied::Spec(spec) => {
                Journey::from_spec(*spec).map_err(|source| SimulateError::Invalid {
                    operation: op.clone(),
                    source,
                })?
            }
        });
    }
    Ok(cur.unwrap_or_else(|| journey.clone()))
}

fn changes(a: &Moments, b: &Moments) -> Vec<MomentChange> {
    // By id: linear in the moments (a journey of 100,000 touchpoints can
    // have tens of thousands of them).
    let before_by_id: std::collections::HashMap<&str, &crate::moments::Moment> =
        a.defining.iter().map(|x| (x.id.as_str(), x)).collect();
    b.defining
        .iter()
        .filter_map(|m| {
            let before = before_by_id.get(m.id.as_str()).copied();
            let gained: Vec<Reason> = m
                .reasons
                .iter()
                .copied()
                .filter(|r| before.is_none_or(|x| !x.reasons.contains(r)))
                .collect();
            (!gained.is_empty()).then(|| MomentChange {
                id: m.id.clone(),
                reasons: gained,
            })
        })
        .collect()
}

impl Analyzer {
    /// Simulate the operations: apply them to the journey, analyse the
    /// edited journey with this analyser, and report the change in
    /// remembered experience (from `analysis`, the journey's own) and which
    /// touchpoints became or stopped being defining moments.
    ///
    /// # Errors
    /// As [`apply`].
    ///
    /// ```
    /// use peakend::{Analyzer, Journey, Model, Operation};
    /// // Redelmeier et al. 2003: a short, milder ending lowers remembered pain.
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":-3},{"id":"b","name":"B","emotion":-8}]}"#).unwrap();
    /// let analyzer = Analyzer::new(Model::PeakEnd);
    /// let a = analyzer.analyze(&j);
    /// let s = analyzer.simulate(&j, &a, &[Operation::append("Gentle end", -2.0)]).unwrap();
    /// assert_eq!((s.before, s.after, s.delta), (-8.0, -5.0, 3.0));
    /// ```
    pub fn simulate(
        &self,
        journey: &Journey,
        analysis: &Analysis,
        ops: &[Operation],
    ) -> Result<Simulation, SimulateError> {
        let edited = apply(journey, ops)?;
        let b = self.analyze(&edited);
        Ok(compare(
            journey,
            analysis,
            &edited,
            &b,
            ops,
            self.moment_thresholds(),
        ))
    }
}

pub(crate) fn compare(
    ja: &Journey,
    a: &Analysis,
    jb: &Journey,
    b: &Analysis,
    ops: &[Operation],
    t: &Thresholds,
) -> Simulation {
    let ma = Moments::find(ja, a, t);
    let mb = Moments::find(jb, b, t);
    Simulation {
        scale: ja.scale(),
        operations: ops.iter().map(|o| o.to_string()).collect(),
        model: a.remembered.model.clone(),
        before: a.remembered.expected,
        after: b.remembered.expected,
        delta: b.remembered.expected - a.remembered.expected,
        exact: a.remembered.exact && b.remembered.exact,
        distribution_before: a.distribution.clone(),
        distribution_after: b.distribution.clone(),
        mean_before: a.mean.expected,
        mean_after: b.mean.expected,
        became_defining: changes(&ma, &mb),
        stopped_defining: changes(&mb, &ma),
    }
}
