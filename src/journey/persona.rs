//! One persona's own journey: the touchpoints the persona takes part in,
//! along the same branches (docs/personas.md).
//!
//! Every path of the journey is lived by the persona as the subsequence of
//! the touchpoints it takes part in (a touchpoint without `actors` is
//! everybody's). The persona's journey is the DAG whose paths are exactly
//! those subsequences with the same probabilities: a transition `u → v`
//! carries the probability that, leaving `u`, the persona's next touchpoint
//! is `v`, summed over the touchpoints in between that it does not take part
//! in. Where some customers' paths go on to the persona's touchpoints and
//! others do not, the persona's experience ends at `u` for the latter: `u`
//! gets a copy that is an end (`u~end`, the same touchpoint, reached with the
//! probability of ending there). Paths on which the persona takes part in
//! nothing are left out; [`PersonaView::reach`] is their complement, and the
//! persona's journey is conditional on taking part.

use super::{Journey, Pos};
use crate::error::InvalidJourney;
use crate::spec::{JourneySpec, TouchpointSpec, TransitionSpec};
use std::collections::{BTreeMap, HashSet};

/// Most distribution entries kept while contracting a persona's journey
/// (about 16 bytes each), whatever the journey: beyond it — or beyond 8
/// per touchpoint and transition of the journey plus 100,000, whichever
/// is less — [`PersonaError::TooLarge`]. A persona's journey is as large
/// as the routes between its touchpoints: on a wide journey where it
/// skips many touchpoints it can be far denser than the journey itself.
pub const MAX_PERSONA_WORK: usize = 20_000_000;

/// One persona's view of a journey: its own journey and how often it takes
/// part at all.
#[derive(Debug, Clone)]
pub struct PersonaView {
    /// The persona's name.
    pub name: String,
    /// The probability that a customer's path includes at least one of the
    /// persona's touchpoints.
    pub reach: f64,
    /// How many of the journey's touchpoints the persona takes part in.
    pub touchpoints: usize,
    /// The persona's journey, conditional on taking part; `None` when the
    /// persona takes part in no touchpoint any customer reaches.
    pub journey: Option<Journey>,
    /// For each touchpoint of `journey` (file order), the id of the
    /// journey's touchpoint it is (a `~end` copy names its original).
    pub origin: Vec<String>,
}

/// A persona's journey that cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonaError {
    /// No persona of this name.
    #[error("unknown persona \"{name}\"{}", if listed.is_empty() { " (the journey lists no personas)".to_string() } else { format!(" (listed: {listed})") })]
    Unknown {
        /// The name asked for.
        name: String,
        /// The journey's personas, comma-separated.
        listed: String,
    },
    /// Contracting the journey would keep more entries than
    /// [`MAX_PERSONA_WORK`] allows.
    #[error(
        "the journey of persona \"{name}\" is too large to contract: the routes between its touchpoints outnumber the journey's touchpoints and transitions 8 to 1 (it skips too many on a wide journey)"
    )]
    TooLarge {
        /// The persona.
        name: String,
    },
    /// The contracted journey does not validate (a bug if it happens).
    #[error("the journey of persona \"{name}\" is invalid")]
    Invalid {
        /// The persona.
        name: String,
        /// Its problems.
        #[source]
        source: InvalidJourney,
    },
}

/// Where the persona goes next: a touchpoint position, or nowhere.
const END: u32 = u32::MAX;

type Dist = Vec<(u32, f64)>;

fn add_scaled(into: &mut Dist, from: &Dist, p: f64) {
    into.extend(from.iter().map(|&(k, q)| (k, q * p)));
}

fn merge(mut d: Dist) -> Dist {
    d.sort_unstable_by_key(|&(k, _)| k);
    let mut out: Dist = Vec::with_capacity(d.len());
    for (k, p) in d {
        match out.last_mut() {
            Some((last, q)) if *last == k => *q += p,
            _ => out.push((k, p)),
        }
    }
    out
}

impl Journey {
    /// True when persona `name` takes part in touchpoint `index` (file
    /// order): it is among the `actors`, or the touchpoint has none.
    #[must_use]
    pub fn takes_part(&self, index: usize, name: &str) -> bool {
        let t = &self.spec.touchpoints[index];
        t.actors.is_empty() || t.actors.iter().any(|a| a == name)
    }

    /// The emotion persona `name` feels at touchpoint `index` (file order):
    /// its own from `emotions`, else the touchpoint's `emotion`.
    #[must_use]
    pub fn emotion_of(&self, index: usize, name: &str) -> f64 {
        let t = &self.spec.touchpoints[index];
        t.emotions.get(name).copied().unwrap_or(t.emotion)
    }

    /// Persona `name`'s own journey (see the module documentation).
    ///
    /// ```
    /// use peakend::Journey;
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"n",
    ///   "personas":["User","Finance"],
    ///   "touchpoints":[
    ///     {"id":"use","name":"Use","emotion":4,"actors":["User"]},
    ///     {"id":"bill","name":"Invoice","emotion":0,"emotions":{"Finance":-6}},
    ///     {"id":"renew","name":"Renew","emotion":2,"actors":["Finance"]}]}"#).unwrap();
    /// let f = j.persona("Finance").unwrap();
    /// let fj = f.journey.unwrap();
    /// assert_eq!(fj.len(), 2);
    /// assert_eq!(fj.touchpoint(0).emotion, -6.0);
    /// assert_eq!(f.reach, 1.0);
    /// ```
    ///
    /// # Errors
    /// [`PersonaError::Unknown`] for a name the journey does not list;
    /// [`PersonaError::TooLarge`] past [`MAX_PERSONA_WORK`].
    pub fn persona(&self, name: &str) -> Result<PersonaView, PersonaError> {
        let personas = &self.spec.personas;
        let Some(spec) = personas.iter().find(|p| p.name == name) else {
            return Err(PersonaError::Unknown {
                name: name.to_string(),
                listed: personas
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let n = self.len();
        let part: Vec<bool> = (0..n)
            .map(|p| self.takes_part(self.file_index(Pos(p)), name))
            .collect();
        let touchpoints = part.iter().filter(|&&b| b).count();
        let too_large = || PersonaError::TooLarge {
            name: name.to_string(),
        };
        // next[p]: where the persona goes next after leaving p.
        let mut next: Vec<Dist> = vec![Vec::new(); n];
        let mut work = 0usize;
        let limit = MAX_PERSONA_WORK.min(8 * (n + self.transition_count()) + 100_000);
        for p in (0..n).rev() {
            let succ = self.succ_of(p);
            let mut d: Dist = Vec::new();
            if succ.is_empty() {
                d.push((END, 1.0));
            }
            for &(s, q) in succ {
                if q <= 0.0 {
                    continue;
                }
                if part[s as usize] {
                    d.push((s, q));
                } else {
                    let from = std::mem::take(&mut next[s as usize]);
                    add_scaled(&mut d, &from, q);
                    next[s as usize] = from;
                }
            }
            let d = merge(d);
            work += d.len();
            if work > limit {
                return Err(too_large());
            }
            next[p] = d;
        }
        let mut start: Dist = Vec::new();
        for p in 0..n {
            let e = self.entry_at(p);
            if e <= 0.0 {
                continue;
            }
            if part[p] {
                start.push((p as u32, e));
            } else {
                add_scaled(&mut start, &next[p], e);
            }
        }
        let start = merge(start);
        // Exactly 1 when every path meets the persona.
        let missed: f64 = start
            .iter()
            .filter(|&&(k, _)| k == END)
            .map(|&(_, p)| p)
            .sum();
        let met: f64 = start
            .iter()
            .filter(|&&(k, _)| k != END)
            .map(|&(_, p)| p)
            .sum();
        let reach = if missed == 0.0 {
            1.0
        } else {
            (met / (met + missed)).min(1.0)
        };
        let mut view = PersonaView {
            name: name.to_string(),
            reach,
            touchpoints,
            journey: None,
            origin: Vec::new(),
        };
        if met <= 0.0 {
            return Ok(view);
        }
        let (spec, origin) = self.contracted(spec.name.as_str(), &part, &next, &start, met);
        view.origin = origin;
        view.journey = Some(
            Journey::from_spec(spec).map_err(|source| PersonaError::Invalid {
                name: name.to_string(),
                source,
            })?,
        );
        Ok(view)
    }

    /// The contracted journey's file: the persona's touchpoints in this
    /// journey's file order, each `~end` copy right after its original.
    fn contracted(
        &self,
        name: &str,
        part: &[bool],
        next: &[Dist],
        start: &Dist,
        met: f64,
    ) -> (JourneySpec, Vec<String>) {
        let n = self.len();
        let split = |p: usize| split(next, p);
        let end_share = |p: usize| split(p).0;
        let taken: HashSet<&str> = self
            .spec
            .touchpoints
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        let mut copy_id: Vec<Option<String>> = vec![None; n];
        let mut own_id: Vec<String> = vec![String::new(); n];
        let mut touchpoints = Vec::new();
        let mut origin = Vec::new();
        let mut entry_of: BTreeMap<String, f64> = BTreeMap::new();
        let start_of = |p: usize| {
            start
                .iter()
                .find(|&&(k, _)| k as usize == p)
                .map_or(0.0, |&(_, q)| (q / met).min(1.0))
        };
        for i in 0..n {
            let p = self.position(i).0;
            if !part[p] {
                continue;
            }
            let t = &self.spec.touchpoints[i];
            let q = end_share(p);
            let mut own = t.clone();
            own.emotion = self.emotion_of(i, name);
            own.emotions.clear();
            own.actors.clear();
            own.entry = None;
            own_id[p] = t.id.clone();
            let e = start_of(p);
            if q > 0.0 && q < 1.0 {
                let mut id = format!("{}~end", t.id);
                while taken.contains(id.as_str()) {
                    id.push('~');
                }
                let mut copy = own.clone();
                copy.id.clone_from(&id);
                copy.improvement = None;
                entry_of.insert(id.clone(), e * q);
                entry_of.insert(t.id.clone(), e * (1.0 - q));
                copy_id[p] = Some(id.clone());
                origin.push(t.id.clone());
                touchpoints.push(own);
                origin.push(t.id.clone());
                touchpoints.push(copy);
            } else {
                entry_of.insert(t.id.clone(), e);
                origin.push(t.id.clone());
                touchpoints.push(own);
            }
        }
        let transitions = self.contracted_transitions(part, next, &own_id, &copy_id);
        for t in &mut touchpoints {
            t.entry = Some(entry_of.get(&t.id).copied().unwrap_or(0.0));
        }
        drop_zero_entries(&mut touchpoints, &transitions);
        let s = &self.spec;
        let spec = JourneySpec {
            version: s.version,
            name: format!("{} — {name}", s.name),
            description: s.description.clone(),
            scale: s.scale,
            stages: s.stages.clone(),
            personas: Vec::new(),
            outcomes: s.outcomes.clone(),
            touchpoints,
            transitions: Some(transitions),
        };
        (spec, origin)
    }

    /// The contracted journey's transitions: from each of the persona's
    /// touchpoints to where it goes next, to a `~end` copy with the share
    /// of ending there.
    fn contracted_transitions(
        &self,
        part: &[bool],
        next: &[Dist],
        own_id: &[String],
        copy_id: &[Option<String>],
    ) -> Vec<TransitionSpec> {
        let mut transitions = Vec::new();
        let n = self.len();
        let split = |p: usize| split(next, p);
        let end_share = |p: usize| split(p).0;
        for i in 0..n {
            let p = self.position(i).0;
            if !part[p] {
                continue;
            }
            let on = split(p).1;
            if on <= 0.0 {
                continue;
            }
            for &(k, q) in &next[p] {
                if k == END {
                    continue;
                }
                let k = k as usize;
                let q = (q / on).min(1.0);
                let qk = end_share(k);
                match &copy_id[k] {
                    Some(copy) => {
                        transitions.push(edge(&own_id[p], &own_id[k], q * (1.0 - qk)));
                        transitions.push(edge(&own_id[p], copy, q * qk));
                    }
                    None => transitions.push(edge(&own_id[p], &own_id[k], q)),
                }
            }
        }
        transitions
    }
}

/// The share of leaving `p` that ends the persona's journey, and the mass
/// that goes on (the share normalised by the total, so that rounding
/// cannot push a probability past 1).
fn split(next: &[Dist], p: usize) -> (f64, f64) {
    let end: f64 = next[p]
        .iter()
        .filter(|&&(k, _)| k == END)
        .map(|&(_, q)| q)
        .sum();
    let on: f64 = next[p]
        .iter()
        .filter(|&&(k, _)| k != END)
        .map(|&(_, q)| q)
        .sum();
    let total = end + on;
    if total <= 0.0 {
        (1.0, 0.0)
    } else {
        (end / total, on)
    }
}

fn edge(from: &str, to: &str, probability: f64) -> TransitionSpec {
    TransitionSpec {
        from: from.to_string(),
        to: to.to_string(),
        probability: Some(probability),
        label: None,
        improvement: None,
        observed: None,
    }
}

/// `entry: 0` only where a touchpoint has no incoming transition (it would
/// otherwise count as an entry); elsewhere absent.
fn drop_zero_entries(touchpoints: &mut [TouchpointSpec], transitions: &[TransitionSpec]) {
    let reached: HashSet<&str> = transitions.iter().map(|t| t.to.as_str()).collect();
    for t in touchpoints {
        if t.entry == Some(0.0) && reached.contains(t.id.as_str()) {
            t.entry = None;
        }
    }
}
