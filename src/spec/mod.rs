//! Plain serde types that mirror the journey file (format version 1).
//!
//! These are what other tools build and serialize. They carry no guarantees:
//! turn one into a [`Journey`](crate::Journey) with
//! [`Journey::from_spec`](crate::Journey::from_spec) to have it validated.
//! The format is documented in `docs/format.md`; the JSON Schema in
//! `schema/journey.schema.json` is generated from these types.

pub(crate) mod json;
mod limits;
pub(crate) mod scan;

pub use limits::Limits;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Tags that peakend recognises (free tags are allowed too).
///
/// `transition` and `milestone` mark where defining moments happen; the
/// other four are Heath & Heath's EPIC building blocks.
pub const RECOGNISED_TAGS: [&str; 6] = [
    "transition",
    "milestone",
    "elevation",
    "insight",
    "pride",
    "connection",
];

/// A whole journey file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JourneySpec {
    /// Format version; must be `1`.
    pub version: u32,
    /// Human name of the journey.
    pub name: String,
    /// Free text: who the customer is, the source of the emotions, outcomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The emotion scale; default `{min: -10, max: 10, neutral: 0}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleSpec>,
    /// Ordered stages (phases) of the journey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageSpec>,
    /// The people (personas, buying-centre roles) who take part in the
    /// journey: a name, or `{name, role?, weight?}`. When given, every
    /// touchpoint's `actors` must be listed here. Mermaid `journey` actors
    /// are imported as personas in order of first appearance. With
    /// personas, every command also reports each persona's memory and the
    /// account's (docs/personas.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<PersonaEntry>"))]
    pub personas: Vec<PersonaSpec>,
    /// What the ends mean for the business: won, lost or neither, with a
    /// value. Ends refer to them with `outcome`; the analysis reports the
    /// share of customers (and the expected value) of each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<OutcomeSpec>,
    /// The touchpoints. Without `transitions` they form a linear journey in
    /// this order.
    pub touchpoints: Vec<TouchpointSpec>,
    /// Transitions between touchpoints. Absent: a linear journey in listed
    /// order. Present (even empty): exactly these transitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Vec<TransitionSpec>>,
}

/// The emotion scale: emotion is signed valence, intensity is the distance
/// from `neutral`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScaleSpec {
    /// Lowest emotion (most negative).
    pub min: f64,
    /// Highest emotion (most positive).
    pub max: f64,
    /// The neutral point; default: halfway between `min` and `max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral: Option<f64>,
    /// Which moment is the peak when a negative and a positive one are
    /// exactly equally intense; default `negative` (see docs/ties.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ties: Option<Ties>,
}

/// The tie rule for the peak: when a negative and a positive moment are
/// exactly equally intense (a −6 and a +6), which one is the peak.
/// Ratings are steps, so such ties are common and the rule, not the
/// ratings, decides them (docs/ties.md).
///
/// ```
/// use peakend::Ties;
/// assert_eq!("positive".parse::<Ties>(), Ok(Ties::Positive));
/// assert_eq!(Ties::default(), Ties::Negative);
/// assert_eq!(Ties::Negative.other(), Ties::Positive);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// The negative moment is the peak (bad is stronger than good).
    #[default]
    Negative,
    /// The positive moment is the peak.
    Positive,
}

impl Ties {
    /// The rule's name: `negative` or `positive`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Ties::Negative => "negative",
            Ties::Positive => "positive",
        }
    }

    /// The other rule.
    #[must_use]
    pub fn other(self) -> Ties {
        match self {
            Ties::Negative => Ties::Positive,
            Ties::Positive => Ties::Negative,
        }
    }

    /// True for the default rule (`negative`).
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == Ties::Negative
    }
}

/// A tie rule that is neither `negative` nor `positive`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}`: expected negative or positive")]
pub struct ParseTiesError(pub String);

impl std::str::FromStr for Ties {
    type Err = ParseTiesError;
    fn from_str(s: &str) -> Result<Ties, ParseTiesError> {
        match s {
            "negative" => Ok(Ties::Negative),
            "positive" => Ok(Ties::Positive),
            _ => Err(ParseTiesError(s.to_string())),
        }
    }
}

/// The largest magnitude of a scale's bounds (and so of any emotion): no
/// rating scale needs more, and every sum the engine forms stays finite.
pub const MAX_SCALE: f64 = 1e9;

/// The longest touchpoint, in minutes (about 1,900 years): durations add up
/// along paths and weight emotions, and every such sum must stay finite.
pub const MAX_DURATION: f64 = 1e9;

/// A scale written as `MIN,MAX` or `MIN,MAX,NEUTRAL` that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}`: expected MIN,MAX or MIN,MAX,NEUTRAL (numbers within -1e9..1e9, MIN below MAX, NEUTRAL between them)"
)]
pub struct ParseScaleError(pub String);

impl std::str::FromStr for ScaleSpec {
    type Err = ParseScaleError;
    /// Parse `MIN,MAX` (neutral halfway) or `MIN,MAX,NEUTRAL`, as the
    /// command line's `--scale` takes it: finite numbers, MIN below MAX,
    /// NEUTRAL between them.
    ///
    /// ```
    /// let s: peakend::ScaleSpec = "1,5".parse().unwrap();
    /// assert_eq!((s.min, s.max, s.neutral), (1.0, 5.0, Some(3.0)));
    /// assert!("1,x".parse::<peakend::ScaleSpec>().is_err());
    /// assert!("1,1,1".parse::<peakend::ScaleSpec>().is_err());
    /// assert!("1,5,7".parse::<peakend::ScaleSpec>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<ScaleSpec, ParseScaleError> {
        let v: Vec<Option<f64>> = s
            .split(',')
            .map(|x| x.trim().parse().ok().filter(|x: &f64| x.is_finite()))
            .collect();
        let scale = |min: f64, max: f64, neutral: f64| {
            (min < max && (min..=max).contains(&neutral) && min.abs().max(max.abs()) <= MAX_SCALE)
                .then_some(ScaleSpec {
                    min,
                    max,
                    neutral: Some(neutral),
                    ties: None,
                })
                .ok_or_else(|| ParseScaleError(s.to_string()))
        };
        match v.as_slice() {
            [Some(min), Some(max), Some(neutral)] => scale(*min, *max, *neutral),
            [Some(min), Some(max)] => scale(*min, *max, (min + max) / 2.0),
            _ => Err(ParseScaleError(s.to_string())),
        }
    }
}

/// A stage (phase) of the journey, such as "Evaluate" or "Onboard".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    /// Identifier that touchpoints refer to.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A persona of the journey: who they are in the buying centre and how much
/// their memory counts for the account.
///
/// In the file a persona is a plain name (`"Finance"`) or an object
/// (`{"name": "Finance", "role": "buyer", "weight": 2}`); a persona with
/// neither role nor weight is written back as a plain name.
///
/// ```
/// let p: peakend::PersonaSpec = serde_json::from_str(r#""Finance""#).unwrap();
/// assert_eq!(p, peakend::PersonaSpec::named("Finance"));
/// let q: peakend::PersonaSpec =
///     serde_json::from_str(r#"{"name": "CFO", "role": "decision-maker", "weight": 2}"#).unwrap();
/// assert_eq!(q.weight(), 2.0);
/// assert!(q.is_decision_maker());
/// assert_eq!(serde_json::to_string(&p).unwrap(), r#""Finance""#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PersonaSpec {
    /// The name touchpoints' `actors` and `emotions` use.
    pub name: String,
    /// The buying-centre role: free text; `decision-maker` (or `decider`)
    /// is the one `--account decision-maker` lets prevail.
    pub role: Option<String>,
    /// How much this persona's memory counts in the account's weighted
    /// memory; default 1, never negative.
    pub weight: Option<f64>,
}

impl PersonaSpec {
    /// A persona with a name only (weight 1, no role).
    #[must_use]
    pub fn named(name: impl Into<String>) -> PersonaSpec {
        PersonaSpec {
            name: name.into(),
            role: None,
            weight: None,
        }
    }

    /// The weight, 1 when the file gives none.
    #[must_use]
    pub fn weight(&self) -> f64 {
        self.weight.unwrap_or(1.0)
    }

    /// True when the role names the decision maker: `decision-maker`,
    /// `decision maker` or `decider`, in any case or punctuation.
    #[must_use]
    pub fn is_decision_maker(&self) -> bool {
        self.role.as_deref().is_some_and(|r| {
            let key: String = r
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            key == "decisionmaker" || key == "decider"
        })
    }
}

impl From<&str> for PersonaSpec {
    fn from(name: &str) -> PersonaSpec {
        PersonaSpec::named(name)
    }
}

impl From<String> for PersonaSpec {
    fn from(name: String) -> PersonaSpec {
        PersonaSpec::named(name)
    }
}

/// The object form of a persona, as the file writes it.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct PersonaFields {
    /// The name touchpoints' `actors` and `emotions` use.
    name: String,
    /// The buying-centre role (free text; `decision-maker` is recognised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    /// Weight in the account's memory; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight: Option<f64>,
}

/// A persona as the schema describes it: a name or an object.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PersonaEntry {
    /// Just the name.
    Name(String),
    /// Name, role and weight.
    Full(PersonaFields),
}

impl Serialize for PersonaSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.role.is_none() && self.weight.is_none() {
            s.serialize_str(&self.name)
        } else {
            PersonaFields {
                name: self.name.clone(),
                role: self.role.clone(),
                weight: self.weight,
            }
            .serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for PersonaSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PersonaSpec, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PersonaSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a persona name or an object {name, role, weight}")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PersonaSpec, E> {
                Ok(PersonaSpec::named(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                m: A,
            ) -> Result<PersonaSpec, A::Error> {
                let f =
                    PersonaFields::deserialize(serde::de::value::MapAccessDeserializer::new(m))?;
                Ok(PersonaSpec {
                    name: f.name,
                    role: f.role,
                    weight: f.weight,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One touchpoint: a moment of the journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TouchpointSpec {
    /// Unique readable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Signed emotion on the journey's scale.
    pub emotion: f64,
    /// Duration in minutes; default 1. Must be positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Id of the stage this touchpoint belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Channel, e.g. "email", "phone", "in person", "web app".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The team responsible for this touchpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free tags; recognised: transition, milestone, elevation, insight,
    /// pride, connection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Who takes part in this touchpoint (names from `personas`, when the
    /// journey lists them). Absent: every persona does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Per-persona emotions (`{"Finance": -6, "User": 2}`), for personas
    /// who feel this touchpoint differently; the others feel `emotion`.
    /// Every key is a persona who takes part in the touchpoint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub emotions: BTreeMap<String, f64>,
    /// A known improvement: the emotion it would reach and what it costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvement: Option<ImprovementSpec>,
    /// Probability that a customer starts the journey here. Touchpoints with
    /// no incoming transition are entries; those without `entry` share the
    /// remaining probability equally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<f64>,
    /// Free notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// For an end: the id of its outcome (in `outcomes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Where the emotion comes from and how sure it is; absent means
    /// assumed (a designer's estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceSpec>,
    /// What was observed here in an event log (`peakend discover`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<ObservedSpec>,
}

/// Where a touchpoint's emotion comes from, and how sure it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceSpec {
    /// How the emotion was obtained.
    pub kind: EvidenceKind,
    /// How many ratings (or interviews) it rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// Standard deviation of the single ratings, on the journey's scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Where it comes from: a survey, a study, a log file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl EvidenceSpec {
    /// Evidence of a kind, without counts.
    ///
    /// ```
    /// let e = peakend::EvidenceSpec::new(peakend::EvidenceKind::Survey);
    /// assert_eq!(e.n, None);
    /// ```
    #[must_use]
    pub fn new(kind: EvidenceKind) -> Self {
        EvidenceSpec {
            kind,
            n: None,
            sd: None,
            source: None,
        }
    }
}

/// How a touchpoint's emotion was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A designer's estimate (the default).
    Assumed,
    /// Customers' ratings from a survey.
    Survey,
    /// Interviews with customers.
    Interview,
    /// Ratings measured at the moment (transactional surveys joined to an
    /// event log).
    Measured,
}

impl EvidenceKind {
    /// The name as written in the file.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            EvidenceKind::Assumed => "assumed",
            EvidenceKind::Survey => "survey",
            EvidenceKind::Interview => "interview",
            EvidenceKind::Measured => "measured",
        }
    }
}

/// What an event log showed at a touchpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ObservedSpec {
    /// Cases (customers) that passed here.
    pub cases: u64,
    /// Of them, the cases that started here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<u64>,
    /// Of them, the cases that ended here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<u64>,
    /// The id this touchpoint's copies share (a later round, an ending
    /// copy): its id without the "-round-N" and "-end" suffixes that
    /// discovery adds; the designed touchpoint's id when discovered onto a
    /// design. `peakend gap` pairs copies through it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
}

/// What an event log showed on a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ObservedRouteSpec {
    /// Cases that went from `from` straight on to `to`.
    pub cases: u64,
}

/// A known improvement of a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ImprovementSpec {
    /// The emotion the touchpoint would reach.
    pub emotion: f64,
    /// What the improvement costs, in any unit used consistently within the
    /// journey (money, person-days); default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// A transition: customers at `from` go on to `to` with `probability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionSpec {
    /// Id of the touchpoint the customer leaves.
    pub from: String,
    /// Id of the touchpoint the customer reaches.
    pub to: String,
    /// Probability in [0, 1]. Transitions of the same `from` without a
    /// probability share the remaining mass equally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Free label, e.g. "trial expires".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A known change of the route: the probability a change (a faster
    /// quote, a better hand-over) would give this transition, and its
    /// cost; the other transitions from `from` rescale to fill the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvement: Option<RouteImprovementSpec>,
    /// What an event log showed on this transition (`peakend discover`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<ObservedRouteSpec>,
}

/// A known change of a route (see [`TransitionSpec::improvement`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RouteImprovementSpec {
    /// The probability the transition would have.
    pub probability: f64,
    /// What the change costs (the unit of the journey's other costs);
    /// assumed like other costs when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

/// What an end means for the business.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeSpec {
    /// Identifier that ends refer to.
    pub id: String,
    /// Display name, e.g. "Signs the order".
    pub name: String,
    /// Won, lost or neither.
    pub kind: OutcomeKind,
    /// What one customer reaching it is worth (any unit, used
    /// consistently); the analysis reports the expected value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// The kind of an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    /// A win: the sale, the renewal.
    Win,
    /// A loss: the lost deal, the churn. No closing touchpoint is proposed
    /// after it.
    Loss,
    /// Neither.
    Neutral,
}

impl TouchpointSpec {
    /// A touchpoint with just an id, a name and an emotion.
    ///
    /// ```
    /// let t = peakend::TouchpointSpec::new("call", "Support call", -4.0);
    /// assert_eq!(t.duration, None);
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>, emotion: f64) -> Self {
        TouchpointSpec {
            id: id.into(),
            name: name.into(),
            emotion,
            duration: None,
            stage: None,
            channel: None,
            owner: None,
            tags: Vec::new(),
            actors: Vec::new(),
            emotions: BTreeMap::new(),
            improvement: None,
            entry: None,
            notes: None,
            outcome: None,
            evidence: None,
            observed: None,
        }
    }
}

impl TransitionSpec {
    /// A transition with an optional probability.
    ///
    /// ```
    /// let t = peakend::TransitionSpec::new("a", "b", Some(0.3));
    /// assert_eq!(t.to, "b");
    /// ```
    pub fn new(from: impl Into<String>, to: impl Into<String>, probability: Option<f64>) -> Self {
        TransitionSpec {
            from: from.into(),
            to: to.into(),
            probability,
            label: None,
            improvement: None,
            observed: None,
        }
    }
}

impl JourneySpec {
    /// A linear journey (no transitions) of the given touchpoints on the
    /// default scale.
    ///
    /// ```
    /// use peakend::{JourneySpec, TouchpointSpec};
    /// let spec = JourneySpec::linear("Demo", vec![TouchpointSpec::new("a", "A", 3.0)]);
    /// assert_eq!(spec.version, 1);
    /// ```
    pub fn linear(name: impl Into<String>, touchpoints: Vec<TouchpointSpec>) -> Self {
        JourneySpec {
            version: FORMAT_VERSION,
            name: name.into(),
            description: None,
            scale: None,
            stages: Vec::new(),
            personas: Vec::new(),
            outcomes: Vec::new(),
            touchpoints,
            transitions: None,
        }
    }

    /// Start a journey in code: touchpoints, transitions, stages and a scale
    /// added one by one. With no transition added it is linear.
    ///
    /// ```
    /// use peakend::{Journey, JourneySpec, TouchpointSpec, TransitionSpec};
    /// let spec = JourneySpec::builder("Quote")
    ///     .touchpoint(TouchpointSpec::new("ask", "Ask for a quote", 0.0))
    ///     .touchpoint(TouchpointSpec::new("fast", "Quote today", 6.0))
    ///     .touchpoint(TouchpointSpec::new("slow", "Quote in two weeks", -6.0))
    ///     .transition(TransitionSpec::new("ask", "fast", Some(0.4)))
    ///     .transition(TransitionSpec::new("ask", "slow", Some(0.6)))
    ///     .build();
    /// let j = Journey::from_spec(spec)?;
    /// assert_eq!(j.transition_count(), 2);
    /// # Ok::<(), peakend::InvalidJourney>(())
    /// ```
    pub fn builder(name: impl Into<String>) -> JourneyBuilder {
        JourneyBuilder {
            spec: JourneySpec::linear(name, Vec::new()),
        }
    }

    /// Serialize as pretty JSON (two-space indent, trailing newline).
    ///
    /// ```
    /// use peakend::{JourneySpec, TouchpointSpec};
    /// let spec = JourneySpec::linear("Demo", vec![TouchpointSpec::new("a", "A", 3.0)]);
    /// assert!(spec.to_json().contains("\"emotion\": 3.0"));
    /// ```
    ///
    /// # Panics
    /// Never: the spec types always serialize.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("spec types always serialize");
        s.push('\n');
        s
    }
}

/// Builds a [`JourneySpec`] in code (see [`JourneySpec::builder`]); the
/// result is validated by [`Journey::from_spec`](crate::Journey::from_spec).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct JourneyBuilder {
    spec: JourneySpec,
}

impl JourneyBuilder {
    /// Add a touchpoint (in journey order for a linear journey).
    pub fn touchpoint(mut self, touchpoint: TouchpointSpec) -> Self {
        self.spec.touchpoints.push(touchpoint);
        self
    }
    /// Add a transition; from the first one on, the journey has exactly the
    /// transitions added.
    pub fn transition(mut self, transition: TransitionSpec) -> Self {
        self.spec
            .transitions
            .get_or_insert_with(Vec::new)
            .push(transition);
        self
    }
    /// Add a stage.
    pub fn stage(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.spec.stages.push(StageSpec {
            id: id.into(),
            name: name.into(),
        });
        self
    }
    /// Use this emotion scale instead of -10..10.
    pub fn scale(mut self, scale: ScaleSpec) -> Self {
        self.spec.scale = Some(scale);
        self
    }
    /// Describe the journey.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.spec.description = Some(text.into());
        self
    }
    /// The spec, ready for validation.
    #[must_use]
    pub fn build(self) -> JourneySpec {
        self.spec
    }
}

/// The JSON Schema of the journey format, as pretty JSON.
///
/// ```
/// let schema = peakend::json_schema();
/// assert!(schema.contains("touchpoints"));
/// ```
///
/// # Panics
/// Never: the schema always serializes.
#[cfg(feature = "schema")]
#[must_use]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(JourneySpec);
    let mut s = serde_json::to_string_pretty(&schema).expect("schema serializes");
    s.push('\n');
    s
}
