//! Defining moments (Heath & Heath, *The Power of Moments*, 2017) computed
//! from an [`Analysis`]: where memory is made (peaks, pits, the ending,
//! transitions, milestones), where a peak could be built but is not
//! (missed moments), and where investment moves no one's memory
//! (forgettable touchpoints).

use crate::analysis::{Analysis, Analyzer, Thresholds};
use crate::journey::Journey;
use serde::Serialize;

/// Why a touchpoint is a defining moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Reason {
    /// The remembered peak for a material share of customers.
    Peak,
    /// Where a material share of journeys end.
    End,
    /// Negative and among the most intense moments.
    Pit,
    /// Where customers enter, where the stage changes along a transition,
    /// or tagged `transition`.
    Transition,
    /// Tagged `milestone`.
    Milestone,
    /// EPIC: tagged `elevation`.
    Elevation,
    /// EPIC: tagged `insight`.
    Insight,
    /// EPIC: tagged `pride`.
    Pride,
    /// EPIC: tagged `connection`.
    Connection,
}

impl Reason {
    /// Lowercase name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Reason::Peak => "peak",
            Reason::End => "end",
            Reason::Pit => "pit",
            Reason::Transition => "transition",
            Reason::Milestone => "milestone",
            Reason::Elevation => "elevation",
            Reason::Insight => "insight",
            Reason::Pride => "pride",
            Reason::Connection => "connection",
        }
    }
}

/// A touchpoint with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Moment {
    /// Touchpoint id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Emotion.
    pub emotion: f64,
    /// Every reason that applies, in a fixed order.
    pub reasons: Vec<Reason>,
    /// Share of customers for whom it is the remembered peak.
    pub peak_share: f64,
    /// Share of customers whose journey ends here.
    pub end_share: f64,
    /// Memory weight (see [`TouchpointResult`](crate::analysis::TouchpointResult)).
    pub memory_weight: f64,
}

/// A transition or milestone near neutral: a peak could be built here.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Missed {
    /// Touchpoint id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Emotion.
    pub emotion: f64,
    /// `transition` or `milestone` (or both).
    pub reasons: Vec<Reason>,
    /// Share of customers who pass it.
    pub visit: f64,
}

/// A visited touchpoint whose memory weight is about zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Forgettable {
    /// Touchpoint id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Emotion.
    pub emotion: f64,
    /// Share of customers who pass it.
    pub visit: f64,
    /// Memory weight.
    pub memory_weight: f64,
    /// Cost of its known improvement, if the journey gives one: money that
    /// would move no one's memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub improvement_cost: Option<f64>,
}

/// Defining, missed and forgettable moments of a journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Moments {
    /// Touchpoints with at least one reason, in file order.
    pub defining: Vec<Moment>,
    /// Transitions and milestones near neutral.
    pub missed: Vec<Missed>,
    /// Visited touchpoints with memory weight ≈ 0.
    pub forgettable: Vec<Forgettable>,
    /// The thresholds used.
    pub thresholds: Thresholds,
    /// The journey's neutral point (for rendering).
    #[serde(skip)]
    pub neutral: f64,
    /// The journey's scale (for rendering scores).
    #[serde(skip)]
    pub scale: crate::journey::Scale,
}

impl Analyzer {
    /// The defining, missed and forgettable moments of an analysed journey
    /// under this analyser's thresholds: see [`Moments::find`].
    #[must_use]
    pub fn moments(&self, journey: &Journey, analysis: &Analysis) -> Moments {
        Moments::find(journey, analysis, self.moment_thresholds())
    }
}

impl Moments {
    /// Find the defining, missed and forgettable moments of an analysed
    /// journey. Each touchpoint is in one category at most: a remembered
    /// peak, end or pit, or an EPIC-tagged moment, is defining; otherwise a
    /// transition (an entry, or a touchpoint reached from another stage) or
    /// milestone near neutral is missed, one further from neutral defining;
    /// otherwise a visited touchpoint whose memory weight is about 0 is
    /// forgettable.
    ///
    /// Complexity O(V + E).
    ///
    /// ```
    /// use peakend::{analyze, Journey, Model, Moments, Options, Reason, Thresholds};
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":1},
    ///   {"id":"c","name":"C","emotion":3,"tags":["milestone"]}]}"#).unwrap();
    /// let a = analyze(&j, &Model::PeakEnd, &Options::new());
    /// let m = Moments::find(&j, &a, &Thresholds::new());
    /// // The entry is a transition too.
    /// assert_eq!(m.defining[0].reasons, [Reason::Peak, Reason::Pit, Reason::Transition]);
    /// assert_eq!(m.forgettable[0].id, "b");
    /// ```
    #[must_use]
    pub fn find(journey: &Journey, analysis: &Analysis, t: &Thresholds) -> Moments {
        let scale = journey.scale();
        let spec = journey.spec();
        let transition = transitions(journey);
        let mut defining = Vec::new();
        let mut missed = Vec::new();
        let mut forgettable = Vec::new();
        let reach = (scale.max - scale.neutral).min(scale.neutral - scale.min);
        for (i, (tp, r)) in spec
            .touchpoints
            .iter()
            .zip(&analysis.touchpoints)
            .enumerate()
        {
            let reasons = reasons(tp, r, transition[i], &scale, t);
            let intensity = scale.intensity(tp.emotion);
            // One category per touchpoint (docs/format.md, "Moments"):
            // memory (peak, end, pit) or a designed EPIC moment is defining;
            // a transition or milestone near neutral is missed; one further
            // from neutral is defining; a visited touchpoint that moves no
            // memory is forgettable.
            let remembered_or_designed = reasons
                .iter()
                .any(|r| !matches!(r, Reason::Transition | Reason::Milestone));
            let near_neutral = intensity <= t.missed_intensity * reach;
            if !remembered_or_designed && !reasons.is_empty() && near_neutral && r.visit > 0.0 {
                missed.push(Missed {
                    id: tp.id.clone(),
                    name: tp.name.clone(),
                    emotion: tp.emotion,
                    reasons,
                    visit: r.visit,
                });
            } else if !reasons.is_empty() {
                defining.push(Moment {
                    id: tp.id.clone(),
                    name: tp.name.clone(),
                    emotion: tp.emotion,
                    reasons,
                    peak_share: r.peak_share,
                    end_share: r.end_share,
                    memory_weight: r.memory_weight,
                });
            } else if moves_no_memory(r, t) {
                forgettable.push(Forgettable::of(tp, r));
            }
        }
        Moments {
            defining,
            missed,
            forgettable,
            thresholds: *t,
            neutral: scale.neutral,
            scale,
        }
    }
}

/// Which touchpoints are transitions, by file index: where customers enter
/// the journey, and where a touchpoint's stage differs from the stage of a
/// touchpoint leading to it — read from the graph, so the order of the
/// file does not matter.
fn transitions(journey: &Journey) -> Vec<bool> {
    let spec = journey.spec();
    let mut out = vec![false; journey.len()];
    for (i, o) in out.iter_mut().enumerate() {
        if journey.entry_probability(i) > 0.0 {
            *o = true;
        }
    }
    for u in 0..journey.len() {
        for (v, _) in journey.successors(u) {
            if spec.touchpoints[u].stage != spec.touchpoints[v].stage {
                out[v] = true;
            }
        }
    }
    out
}

/// Every reason a touchpoint is a moment, in a fixed order.
fn reasons(
    tp: &crate::spec::TouchpointSpec,
    r: &crate::analysis::TouchpointResult,
    transition: bool,
    scale: &crate::journey::Scale,
    t: &Thresholds,
) -> Vec<Reason> {
    let has = |tag: &str| tp.tags.iter().any(|x| x == tag);
    let mut reasons = Vec::new();
    if r.peak_share > 0.0 && r.peak_share >= t.peak_share {
        reasons.push(Reason::Peak);
    }
    if r.end_share > 0.0 && r.end_share >= t.end_share {
        reasons.push(Reason::End);
    }
    if tp.emotion < scale.neutral
        && scale.intensity(tp.emotion) >= t.pit_intensity * (scale.neutral - scale.min)
        && r.visit > 0.0
    {
        reasons.push(Reason::Pit);
    }
    if transition || has("transition") {
        reasons.push(Reason::Transition);
    }
    if has("milestone") {
        reasons.push(Reason::Milestone);
    }
    for (tag, reason) in [
        ("elevation", Reason::Elevation),
        ("insight", Reason::Insight),
        ("pride", Reason::Pride),
        ("connection", Reason::Connection),
    ] {
        if has(tag) {
            reasons.push(reason);
        }
    }
    reasons
}

/// A visited touchpoint whose memory weight is about 0: a small change
/// there moves no one's memory.
pub(crate) fn moves_no_memory(r: &crate::analysis::TouchpointResult, t: &Thresholds) -> bool {
    r.visit > 0.0 && r.memory_weight.abs() <= t.forgettable_weight
}

impl Forgettable {
    /// The entry for a touchpoint and its result.
    pub(crate) fn of(
        tp: &crate::spec::TouchpointSpec,
        r: &crate::analysis::TouchpointResult,
    ) -> Self {
        Forgettable {
            id: tp.id.clone(),
            name: tp.name.clone(),
            emotion: tp.emotion,
            visit: r.visit,
            memory_weight: r.memory_weight,
            improvement_cost: tp.improvement.map(|imp| imp.cost.unwrap_or(1.0)),
        }
    }
}
