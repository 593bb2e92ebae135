//! Where to invest: candidate actions, each *simulated* by the engine,
//! ranked by lift per cost, and a budgeted plan chosen greedily with
//! re-simulation after each pick (actions interact through the peak).
//!
//! Candidates: raise a touchpoint to its `improvement.emotion` (or, without
//! one, by a tenth of the scale's span, capped at its top: a modest,
//! plausible improvement), fill a pit to neutral, lift an ending the same
//! way, add a gentler closing touchpoint after every end (Redelmeier et al.
//! 2003), cut a negative step (not where journeys start: that is the
//! customer's trigger), send half as many customers into a pit.
//!
//! Costs: an action on a touchpoint with an `improvement.cost` costs that.
//! Every other action costs the *median* of the journey's given improvement
//! costs — a typical improvement — or [`DEFAULT_COST`] when the journey gives
//! none. Enter real costs for a ranking that means money.
//!
//! Pricing: every candidate changes the paths through one place only, so
//! its lift is priced locally from the prefix and suffix distributions one
//! analysis builds — all candidates together cost about one analysis — and
//! equals a full re-analysis of the edited journey (a property test holds
//! them to 1e-9). Models without a linear form (or with `trend`) are priced
//! by re-analysis. Where the duration-weighted mean has no exact form, its
//! part of a lift is estimated from one seeded set of sampled paths, with a
//! standard error, and [`Recommendations::estimate`] says so.
//!
//! The plan is greedy: at each step it re-prices every remaining
//! candidate on the journey as edited so far (at most [`PLAN_POOL`] of
//! them, the best by lift per cost on the original journey), takes the best
//! lift per cost that fits the budget, and uses each touchpoint at most
//! once.

use crate::analysis::{
    Analysis, Analyzer, Edit, Options, Pricer, Standing, Thresholds, analyze, exact_mean,
    expected_exact, outcome_reach,
};
use crate::journey::Journey;
use crate::memory::{MemoryModel, Model};
use crate::moments::{Forgettable, moves_no_memory};
use crate::simulate::{Operation, apply, edit_of};
use serde::Serialize;

/// The plan re-simulates at most this many candidates at each step: on a
/// journey with more, the ones with the best lift per cost on the journey
/// as it is.
pub const PLAN_POOL: usize = 64;

/// Cost of an action when the journey gives none.
pub const DEFAULT_COST: f64 = 1.0;

/// The kinds of action peakend considers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// Raise a touchpoint to its improvement emotion.
    Improve,
    /// Raise a pit to neutral.
    FillPit,
    /// Raise an ending touchpoint.
    LiftEnding,
    /// Add a gentler closing touchpoint after every end.
    AddClosing,
    /// Remove a negative step.
    CutStep,
    /// Send half as many customers into a pit.
    Reroute,
    /// Change a route as the journey's `transitions[].improvement` says (a
    /// faster quote, a better hand-over).
    ImproveRoute,
}

impl Action {
    /// Kebab-case name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Action::Improve => "improve",
            Action::FillPit => "fill-pit",
            Action::LiftEnding => "lift-ending",
            Action::AddClosing => "add-closing",
            Action::CutStep => "cut-step",
            Action::Reroute => "reroute",
            Action::ImproveRoute => "improve-route",
        }
    }
}

/// One simulated candidate.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Recommendation {
    /// What kind of action.
    pub action: Action,
    /// The touchpoint it acts on (for `add-closing`, none).
    pub touchpoint: Option<String>,
    /// Change in expected remembered experience, simulated.
    pub lift: f64,
    /// Standard error of `lift` when it is estimated (see
    /// [`Recommendations::estimate`]); `None` when exact.
    pub lift_standard_error: Option<f64>,
    /// The lift that survives whichever way a tie in intensity between a
    /// negative and a positive moment falls: ratings are whole steps on
    /// most scales, so an exact tie is an artefact of the scale. Equal to
    /// `lift` when no such tie is involved; otherwise the smaller of the
    /// two, to 1e-6. The ranking uses it.
    pub robust_lift: f64,
    /// True when the lift exists only through such a tie (`robust_lift`
    /// is 0): never ranked above an action whose lift survives.
    pub fragile: bool,
    /// Cost (see the module docs).
    pub cost: f64,
    /// True when the cost was not given in the journey but assumed (see
    /// [`Recommendations::assumed_cost`]).
    pub cost_assumed: bool,
    /// Other actions on the same touchpoint (or transition), each worse by
    /// lift per cost, best first: one entry per place in the ranking.
    pub alternatives: Vec<Alternative>,
    /// How the action moves the share of customers reaching each outcome
    /// (only outcomes it moves; empty when the journey lists none).
    pub outcome_shifts: Vec<OutcomeShift>,
    /// Why: the figures the advice rests on.
    pub rationale: Rationale,
    /// The operation that reproduces `lift` (with `simulate`).
    pub operation: Operation,
    /// The change the duration-weighted average (`mean` model) would show.
    pub mean_lift: f64,
    /// Standard error of `mean_lift` when it is estimated; `None` when
    /// exact.
    pub mean_lift_standard_error: Option<f64>,
    /// The ratings the lift rests on: those of the touchpoints on the
    /// paths through the touchpoint acted on. Computed for the
    /// first [`RESTS_ON_SHOWN`] recommendations and the plan's actions
    /// (one pass over the journey each); `None` for the others.
    pub rests_on: Option<crate::evidence::Basis>,
    /// The outcome's expected change (from the model's outcome link, at
    /// the journey's expected memory), when the model has a link.
    pub outcome_effect: Option<crate::memory::OutcomeEffect>,
}

/// A figure of the advice that is estimated by Monte Carlo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EstimatedLift {
    /// The lifts of the memory model (its mean part has no exact form).
    Lift,
    /// The lifts of the duration-weighted average.
    MeanLift,
}

/// Which figures of the advice are estimated, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AdviceEstimate {
    /// `monte-carlo`.
    pub method: String,
    /// Sampled paths.
    pub samples: usize,
    /// Seed of the sampling.
    pub seed: u64,
    /// The estimated figures; each recommendation gives their standard
    /// errors where it can.
    pub figures: Vec<EstimatedLift>,
}

/// The effect of an action on one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OutcomeShift {
    /// Outcome id.
    pub id: String,
    /// Outcome name.
    pub name: String,
    /// Share of customers reaching it now.
    pub before: f64,
    /// Share with the action.
    pub after: f64,
}

/// An owner's best action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OwnerAction {
    /// The owner, as the journey names it.
    pub owner: String,
    /// Rank of its best action in `recommendations` (1 = first); `None`
    /// when no action on its touchpoints lifts the memory.
    pub rank: Option<usize>,
}

/// Another action on the same place as a [`Recommendation`], ranked below
/// it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Alternative {
    /// What kind of action.
    pub action: Action,
    /// Change in expected remembered experience, simulated.
    pub lift: f64,
    /// Cost.
    pub cost: f64,
    /// True when the cost was assumed.
    pub cost_assumed: bool,
    /// The operation that reproduces `lift`.
    pub operation: Operation,
}

/// Where the cost of an action without a given cost comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
#[non_exhaustive]
pub enum AssumedCost {
    /// The median of the improvement costs the journey gives.
    Median {
        /// The median.
        value: f64,
        /// How many costs it is the median of.
        of: usize,
    },
    /// The journey gives no cost: every action costs [`DEFAULT_COST`].
    Default {
        /// [`DEFAULT_COST`].
        value: f64,
    },
}

impl AssumedCost {
    /// The assumed cost.
    #[must_use]
    pub fn value(self) -> f64 {
        match self {
            AssumedCost::Median { value, .. } | AssumedCost::Default { value } => value,
        }
    }
}

/// The figures behind a recommendation, for a renderer to put in words.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Rationale {
    /// Expected remembered experience before the action.
    pub before: f64,
    /// Expected remembered experience after it.
    pub after: f64,
    /// The touchpoint acted on, as it is before the action.
    pub touchpoint: Option<Role>,
    /// For a re-route: the name of the touchpoint customers leave from.
    pub from_name: Option<String>,
    /// For a re-route: the transition's probability before the change.
    pub from_probability: Option<f64>,
    /// For a new closing touchpoint: where journeys end now.
    pub ends: Vec<Role>,
}

/// What a touchpoint is for the customers who pass it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Role {
    /// Display name.
    pub name: String,
    /// Emotion now.
    pub emotion: f64,
    /// Share of customers for whom it is the remembered peak.
    pub peak_share: f64,
    /// Share of customers whose journey ends here.
    pub end_share: f64,
    /// Share of customers who pass it.
    pub visit: f64,
}

/// A budgeted plan.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// The picked actions, in order, with their marginal lifts.
    pub actions: Vec<Recommendation>,
    /// Total lift of the plan (re-analysis of the journey with all of it).
    pub lift: f64,
    /// Total cost (never above the budget).
    pub cost: f64,
    /// The budget.
    pub budget: f64,
    /// Expected remembered experience with the plan applied.
    pub after: f64,
    /// The operations that apply the whole plan, in order.
    pub operations: Vec<Operation>,
    /// The outcome's expected change with the whole plan, when the model
    /// has an outcome link.
    pub outcome_effect: Option<crate::memory::OutcomeEffect>,
}

/// An action the dashboard average would rank differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DashboardView {
    /// The action (as in `recommendations`).
    pub action: Action,
    /// Its touchpoint.
    pub touchpoint: Option<String>,
    /// Rank by remembered lift per cost (1 = first).
    pub memory_rank: usize,
    /// Rank by average lift per cost.
    pub mean_rank: usize,
    /// Remembered lift.
    pub lift: f64,
    /// Average lift.
    pub mean_lift: f64,
    /// Standard error of the average lift when it is estimated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_lift_standard_error: Option<f64>,
}

/// Recommendations for one journey. `render::recommendations_text` and
/// `render::recommendations_json` put them in words and in the JSON
/// contract.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Recommendations {
    /// The journey's scale (for rendering scores).
    pub scale: crate::journey::Scale,
    /// Model name.
    pub model: String,
    /// Expected remembered experience now.
    pub before: f64,
    /// The cost given to actions the journey gives no cost for.
    pub assumed_cost: AssumedCost,
    /// The step ratings are given in (given, or inferred from the
    /// journey); a modest raise is at least one step.
    pub resolution: f64,
    /// Candidates with a positive lift, best lift per cost first.
    pub recommendations: Vec<Recommendation>,
    /// The plan, when a budget was given.
    pub plan: Option<Plan>,
    /// Where not to invest: visited touchpoints whose memory weight is
    /// about 0 and where no simulated action helps.
    pub do_not_invest: Vec<Forgettable>,
    /// For each owner (team) the journey names, its best action: the
    /// highest-ranked recommendation on one of its touchpoints.
    pub by_owner: Vec<OwnerAction>,
    /// Of the three actions the dashboard average ranks first, those that
    /// memory ranks differently.
    pub dashboard_would_differ: Vec<DashboardView>,
    /// Which figures are estimated by Monte Carlo (`None`: all exact).
    pub estimate: Option<AdviceEstimate>,
    /// The command-line words that select the model (see
    /// [`MemoryModel::flags`](crate::MemoryModel::flags)), for the printed
    /// `peakend simulate` commands; `None` when it cannot be named.
    pub model_flags: Option<Vec<String>>,
    /// How an outcome goes with memory, when the model knows (a fitted
    /// model's link): each recommendation then has its
    /// [`outcome_effect`](Recommendation::outcome_effect).
    pub outcome_link: Option<crate::memory::OutcomeLink>,
}

#[derive(Debug, Clone)]
struct Candidate {
    action: Action,
    touchpoint: Option<String>,
    op: Operation,
    cost: f64,
    cost_assumed: bool,
}

/// The cost of an action without a given cost: the median of the journey's
/// improvement costs, or [`DEFAULT_COST`].
fn assumed_cost(j: &Journey) -> AssumedCost {
    let mut costs: Vec<f64> = j
        .spec()
        .touchpoints
        .iter()
        .filter_map(|t| t.improvement.and_then(|i| i.cost))
        .collect();
    if costs.is_empty() {
        return AssumedCost::Default {
            value: DEFAULT_COST,
        };
    }
    costs.sort_by(f64::total_cmp);
    let m = costs.len() / 2;
    let value = if costs.len() % 2 == 1 {
        costs[m]
    } else {
        (costs[m - 1] + costs[m]) / 2.0
    };
    AssumedCost::Median {
        value,
        of: costs.len(),
    }
}

fn candidates(j: &Journey, a: &Analysis, t: &Thresholds, resolution: f64) -> Vec<Candidate> {
    let s = j.scale();
    let step = ((s.max - s.min) / 10.0).max(resolution);
    let typical = assumed_cost(j).value();
    let mut out = Vec::new();
    let cost_of = |i: usize| match j.touchpoint(i).improvement.and_then(|imp| imp.cost) {
        Some(c) => (c, false),
        None => (typical, true),
    };
    let known_route_change = known_route_changes(j);
    let pit = |i: usize| {
        let e = j.touchpoint(i).emotion;
        e < s.neutral && s.intensity(e) >= t.pit_intensity_threshold() * (s.neutral - s.min)
    };
    for (i, r) in a.touchpoints.iter().enumerate() {
        if r.visit <= 0.0 {
            continue;
        }
        let tp = j.touchpoint(i);
        let id = Some(tp.id.clone());
        let target = tp
            .improvement
            .map_or((tp.emotion + step).min(s.max), |imp| imp.emotion);
        if target > tp.emotion {
            out.push(Candidate {
                action: if j.is_end(i) {
                    Action::LiftEnding
                } else {
                    Action::Improve
                },
                touchpoint: id.clone(),
                op: Operation::Set {
                    id: tp.id.clone(),
                    emotion: target,
                },
                cost: cost_of(i).0,
                cost_assumed: cost_of(i).1,
            });
        }
        if pit(i) && target < s.neutral {
            out.push(Candidate {
                action: Action::FillPit,
                touchpoint: id.clone(),
                op: Operation::Set {
                    id: tp.id.clone(),
                    emotion: s.neutral,
                },
                cost: cost_of(i).0,
                cost_assumed: cost_of(i).1,
            });
        }
        // Cut only service steps: where a journey starts is the customer's
        // trigger (a breakdown, a need), not a step the supplier can drop.
        // An end with an outcome is a result, not a step to cut.
        if tp.emotion < s.neutral
            && j.len() > 1
            && j.entry_probability(i) == 0.0
            && tp.outcome.is_none()
        {
            out.push(Candidate {
                action: Action::CutStep,
                touchpoint: id.clone(),
                op: Operation::Remove { id: tp.id.clone() },
                cost: cost_of(i).0,
                cost_assumed: cost_of(i).1,
            });
        }
        if pit(i) {
            reroutes(j, i, &known_route_change, typical, &mut out);
        }
    }
    route_improvements(j, typical, &mut out);
    out.push(Candidate {
        action: Action::AddClosing,
        touchpoint: None,
        op: Operation::Append {
            name: "Gentle closing touchpoint".into(),
            emotion: s.neutral + 0.2 * (s.max - s.neutral),
        },
        cost: typical,
        cost_assumed: true,
    });
    out
}

/// Which touchpoints (file indices) have a route change the journey knows.
fn known_route_changes(j: &Journey) -> Vec<bool> {
    let mut known = vec![false; j.len()];
    for t in j.spec().transitions.iter().flatten() {
        if t.improvement.is_some()
            && let Some(u) = j.index_of(&t.from)
        {
            known[u] = true;
        }
    }
    known
}

/// Send half as many customers into the pit `i`, from every branching
/// touchpoint that leads to it — except where the journey says how its
/// routes can change: that is the route action, no invented halving
/// beside it.
fn reroutes(j: &Journey, i: usize, known: &[bool], typical: f64, out: &mut Vec<Candidate>) {
    let tp = j.touchpoint(i);
    for (u, p) in j.predecessors(i) {
        if p > 0.0 && !known[u] && j.successors(u).nth(1).is_some() {
            out.push(Candidate {
                action: Action::Reroute,
                touchpoint: Some(tp.id.clone()),
                op: Operation::Probability {
                    from: j.touchpoint(u).id.clone(),
                    to: tp.id.clone(),
                    probability: p / 2.0,
                },
                cost: typical,
                cost_assumed: true,
            });
        }
    }
}

/// The route changes the journey knows (`transitions[].improvement`).
fn route_improvements(j: &Journey, typical: f64, out: &mut Vec<Candidate>) {
    for t in j.spec().transitions.iter().flatten() {
        let Some(imp) = t.improvement else { continue };
        out.push(Candidate {
            action: Action::ImproveRoute,
            touchpoint: Some(t.to.clone()),
            op: Operation::route(t.from.clone(), t.to.clone(), imp.probability),
            cost: imp.cost.unwrap_or(typical),
            cost_assumed: imp.cost.is_none(),
        });
    }
}

/// A lift: the change in expected remembered experience, with its
/// standard error when part of it is estimated from sampled paths.
#[derive(Debug, Clone, Copy)]
struct Lift {
    value: f64,
    standard_error: Option<f64>,
}

/// How candidates are priced on one journey: locally, where the model is
/// a blend of features with local prices (exact; a mean part that has no
/// exact form is sampled once, with its standard error), otherwise by
/// applying the action and re-analysing the edited journey.
struct Prices<'a> {
    analyzer: &'a Analyzer,
    journey: &'a Journey,
    /// Expected remembered experience of `journey`.
    base: f64,
    model: Option<Pricer>,
    /// Built on first use: only actions that lift memory need it.
    mean: std::cell::OnceCell<Option<Pricer>>,
    full: bool,
    /// The duration-weighted average of `journey`, for re-analysis.
    mean_base: std::cell::OnceCell<f64>,
}

impl<'a> Prices<'a> {
    /// `full`: price every candidate by re-analysis (what the local prices
    /// must equal; tests compare the two).
    fn new(analyzer: &'a Analyzer, journey: &'a Journey, base: f64, full: bool) -> Prices<'a> {
        let model = if full {
            None
        } else {
            analyzer.pricer(journey, journey.scale().ties)
        };
        Prices {
            analyzer,
            journey,
            base,
            model,
            mean: std::cell::OnceCell::new(),
            full,
            mean_base: std::cell::OnceCell::new(),
        }
    }

    fn mean_pricer(&self) -> Option<&Pricer> {
        // Under the mean model the model's own prices are the average's.
        let is_mean = self.analyzer.model().linear_form().is_some_and(|f| {
            f.iter()
                .all(|(feat, w)| *w == 0.0 || (*feat == crate::memory::Feature::Mean && *w == 1.0))
        });
        if is_mean && self.model.is_some() {
            return self.model.as_ref();
        }
        self.mean
            .get_or_init(|| {
                (!self.full)
                    .then(|| self.analyzer.mean_pricer(self.journey))
                    .flatten()
            })
            .as_ref()
    }

    /// The action's lift, `None` when the journey refuses it.
    fn lift(&self, op: &Operation) -> Option<Lift> {
        let edit = edit_of(self.journey, op)?;
        if let Some(p) = self
            .model
            .as_ref()
            .and_then(|m| m.price(self.journey, &edit))
        {
            return Some(Lift {
                value: p.lift,
                standard_error: p.standard_error,
            });
        }
        let o = self.analyzer.analysis_options();
        let edited = apply(self.journey, std::slice::from_ref(op)).ok()?;
        Some(Lift {
            value: expected(&edited, self.analyzer.model(), o) - self.base,
            standard_error: None,
        })
    }

    /// The change the duration-weighted average would show.
    fn mean_lift(&self, op: &Operation) -> Lift {
        let none = Lift {
            value: 0.0,
            standard_error: None,
        };
        let Some(edit) = edit_of(self.journey, op) else {
            return none;
        };
        if let Some(p) = self
            .mean_pricer()
            .and_then(|m| m.price(self.journey, &edit))
        {
            return Lift {
                value: p.lift,
                standard_error: p.standard_error,
            };
        }
        let o = self.analyzer.analysis_options();
        let mean_base = *self
            .mean_base
            .get_or_init(|| expected(self.journey, &Model::Mean, o));
        apply(self.journey, std::slice::from_ref(op)).map_or(none, |edited| Lift {
            value: expected(&edited, &Model::Mean, o) - mean_base,
            standard_error: None,
        })
    }

    /// True when the model's lifts are estimated rather than exact.
    fn lifts_estimated(&self, a: &Analysis) -> bool {
        self.model
            .as_ref()
            .map_or(!a.remembered.exact, Pricer::estimated)
    }

    /// True when the average's lifts are estimated rather than exact.
    fn mean_lifts_estimated(&self, a: &Analysis) -> bool {
        self.mean_pricer().map_or(!a.mean.exact, Pricer::estimated)
    }
}

/// The expected remembered experience alone: exact by dynamic programming
/// when the model allows (the same figure `analyze` reports), otherwise
/// from a full analysis.
fn expected(j: &Journey, model: &dyn MemoryModel, o: &Options) -> f64 {
    expected_exact(j, model).unwrap_or_else(|| analyze(j, model, o).remembered.expected)
}

/// How an action moves the outcome shares: only a route change can (a cut
/// keeps every path's end or moves it to an end without outcome; a
/// closing takes over its end's outcome; an emotion moves no one).
fn outcome_shifts(
    j: &Journey,
    st: &Standing,
    reach: &[Vec<f64>],
    op: &Operation,
) -> Vec<OutcomeShift> {
    let Some(Edit::Route { pos, probs }) =
        (!st.outcomes.is_empty()).then(|| edit_of(j, op)).flatten()
    else {
        return Vec::new();
    };
    let u = j.file_index(crate::journey::Pos(pos));
    st.outcomes
        .iter()
        .zip(reach)
        .filter_map(|(b, r)| {
            let delta: f64 = j
                .succ_of(pos)
                .iter()
                .zip(&probs)
                .map(|(&(w, old), &new)| (new - old) * r[w as usize])
                .sum::<f64>()
                * st.visit[u];
            (delta.abs() > 1e-12).then(|| OutcomeShift {
                id: b.id.clone(),
                name: b.name.clone(),
                before: b.share,
                after: b.share + delta,
            })
        })
        .collect()
}

fn role(j: &Journey, st: &Standing, i: usize) -> Role {
    Role {
        name: j.touchpoint(i).name.clone(),
        emotion: j.touchpoint(i).emotion,
        peak_share: st.peak_share[i],
        end_share: st.end_share[i],
        visit: st.visit[i],
    }
}

fn rationale(j: &Journey, st: &Standing, before: f64, c: &Candidate, lift: f64) -> Rationale {
    let idx = c.touchpoint.as_deref().and_then(|id| j.index_of(id));
    let from_name = match &c.op {
        Operation::Probability { from, .. } => Some(
            j.index_of(from)
                .map(|u| j.touchpoint(u).name.clone())
                .unwrap_or_default(),
        ),
        _ => None,
    };
    let from_probability = match &c.op {
        Operation::Probability { from, to, .. } => j.index_of(from).and_then(|u| {
            j.successors(u)
                .find(|&(v, _)| j.touchpoint(v).id == *to)
                .map(|(_, p)| p)
        }),
        _ => None,
    };
    let ends = match &c.op {
        Operation::Append { .. } => (0..j.len())
            .filter(|&i| st.end_share[i] > 0.0)
            .map(|i| role(j, st, i))
            .collect(),
        _ => Vec::new(),
    };
    Rationale {
        before,
        after: before + lift,
        touchpoint: idx.map(|i| role(j, st, i)),
        from_name,
        from_probability,
        ends,
    }
}

impl Analyzer {
    /// Where to invest, from the journey's own analysis (`analysis`, from
    /// this analyser): simulate every candidate action, rank them by lift
    /// per cost, plan within the budget (when one is given), and list
    /// where not to invest.
    ///
    /// Complexity: about one analysis for all candidates (O(V) of them,
    /// each priced from its neighbourhood's distributions), plus about one
    /// analysis per plan step.
    ///
    /// ```
    /// use peakend::{Analyzer, Journey, Model};
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"A","emotion":2},{"id":"b","name":"B","emotion":-8,"improvement":{"emotion":-2,"cost":5}},
    ///   {"id":"c","name":"C","emotion":1}]}"#).unwrap();
    /// let analyzer = Analyzer::new(Model::PeakEnd);
    /// let r = analyzer.recommend(&j, &analyzer.analyze(&j), Some(5.0));
    /// assert!(r.recommendations[0].lift > 0.0);
    /// let plan = r.plan.unwrap();
    /// assert!(plan.cost <= 5.0);
    /// ```
    #[must_use]
    pub fn recommend(
        &self,
        journey: &Journey,
        analysis: &Analysis,
        budget: Option<f64>,
    ) -> Recommendations {
        recommend(self, journey, analysis, budget, false)
    }
}

/// The actions `recommend` would consider (unpriced) on the `places`
/// touchpoints most of the journey's memory rests on (by peak share, end
/// share and memory weight), and the closing: candidates for advice that
/// prices them elsewhere (the account's, on every persona). Each is (kind,
/// touchpoint, operation, cost, cost assumed).
pub(crate) fn unpriced_candidates(
    analyzer: &Analyzer,
    journey: &Journey,
    a: &Analysis,
    places: usize,
) -> Vec<(Action, Option<String>, Operation, f64, bool)> {
    let resolution = analyzer
        .rating_step()
        .unwrap_or_else(|| inferred_resolution(journey));
    let mut weight: Vec<(f64, usize)> = a
        .touchpoints
        .iter()
        .enumerate()
        .map(|(i, t)| (t.peak_share + t.end_share + t.memory_weight.abs(), i))
        .collect();
    weight.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let top: std::collections::HashSet<&str> = weight
        .iter()
        .take(places)
        .filter(|w| w.0 > 0.0)
        .map(|&(_, i)| a.touchpoints[i].id.as_str())
        .collect();
    candidates(journey, a, analyzer.moment_thresholds(), resolution)
        .into_iter()
        .filter(|c| c.touchpoint.as_deref().is_none_or(|t| top.contains(t)))
        .map(|c| (c.action, c.touchpoint, c.op, c.cost, c.cost_assumed))
        .collect()
}

/// How many of the first recommendations say what they rest on
/// ([`Recommendation::rests_on`]).
pub const RESTS_ON_SHOWN: usize = 20;

/// See [`Analyzer::recommend`]. `full`: price every candidate by
/// re-analysis of the edited journey instead of locally (tests check that
/// both give the same advice).
fn recommend(
    analyzer: &Analyzer,
    journey: &Journey,
    a: &Analysis,
    budget: Option<f64>,
    full: bool,
) -> Recommendations {
    let thresholds = analyzer.moment_thresholds();
    let base = a.remembered.expected;
    let resolution = analyzer
        .rating_step()
        .unwrap_or_else(|| inferred_resolution(journey));
    let prices = Prices::new(analyzer, journey, base, full);
    let standing = Standing::of_analysis(a);
    let reach = if a.outcomes.is_empty() {
        Vec::new()
    } else {
        outcome_reach(journey)
    };
    // Every candidate with its lift (`None`: the journey as it is refuses
    // it; it may apply once the plan has edited the journey).
    let priced: Vec<(Candidate, Option<Lift>)> = candidates(journey, a, thresholds, resolution)
        .into_iter()
        .map(|c| {
            let l = prices.lift(&c.op);
            (c, l)
        })
        .collect();
    let mut recs: Vec<Recommendation> = Vec::new();
    for (c, lift) in &priced {
        let Some(lift) = lift else { continue };
        if lift.value <= 1e-12 {
            continue;
        }
        // The dashboard's view of the same action (only for actions that
        // move memory: that is where the contrast matters).
        let mean = prices.mean_lift(&c.op);
        recs.push(Recommendation {
            action: c.action,
            touchpoint: c.touchpoint.clone(),
            lift: lift.value,
            lift_standard_error: lift.standard_error,
            robust_lift: lift.value,
            fragile: false,
            cost: c.cost,
            cost_assumed: c.cost_assumed,
            alternatives: Vec::new(),
            outcome_shifts: outcome_shifts(journey, &standing, &reach, &c.op),
            rationale: rationale(journey, &standing, base, c, lift.value),
            operation: c.op.clone(),
            mean_lift: mean.value,
            mean_lift_standard_error: mean.standard_error,
            rests_on: None,
            outcome_effect: None,
        });
    }
    robust_lifts(analyzer, journey, &prices, &mut recs);
    let estimate = advice_estimate(&prices, a);
    let ratio = |lift: f64, cost: f64| settled(per_cost(lift, cost));
    let keys: Vec<String> = recs.iter().map(|r| r.operation.order_key()).collect();
    let mut order: Vec<usize> = (0..recs.len()).collect();
    order.sort_by(|&x, &y| {
        ratio(recs[y].robust_lift, recs[y].cost)
            .total_cmp(&ratio(recs[x].robust_lift, recs[x].cost))
            .then(ratio(recs[y].lift, recs[y].cost).total_cmp(&ratio(recs[x].lift, recs[x].cost)))
            .then(settled(recs[y].lift).total_cmp(&settled(recs[x].lift)))
            .then(keys[x].cmp(&keys[y]))
    });
    let mut slots: Vec<Option<Recommendation>> = recs.into_iter().map(Some).collect();
    let ranked: Vec<(String, Recommendation)> = order
        .iter()
        .map(|&k| (keys[k].clone(), slots[k].take().expect("each index once")))
        .collect();
    let (keys, mut recs) = fold_by_place(ranked);
    for x in recs.iter_mut().take(RESTS_ON_SHOWN) {
        x.rests_on = Some(crate::evidence::rests_on(
            journey,
            a,
            x.touchpoint.as_deref(),
        ));
    }
    let dashboard_would_differ = dashboard_view(&keys, &recs);
    let plan = budget.map(|b| plan(analyzer, journey, a, b, best_of(priced), &prices));
    // Memory weight about 0 (whatever moment category the touchpoint is
    // in: a pit that always comes after a deeper one moves no memory
    // either) *and* no simulated action on it helps.
    let helped: std::collections::BTreeSet<&str> = recs
        .iter()
        .filter(|r| r.lift > 1e-9)
        .filter_map(|r| r.touchpoint.as_deref())
        .collect();
    let do_not_invest = no_memory_moves(journey, a, thresholds)
        .into_iter()
        .filter(|f| !helped.contains(f.id.as_str()))
        .collect();
    let by_owner = best_per_owner(journey, &recs);
    let mut plan = plan;
    let link = outcome_effects(analyzer, base, &mut recs, plan.as_mut());
    Recommendations {
        model_flags: analyzer.model().flags(),
        outcome_link: link,
        by_owner,
        scale: journey.scale(),
        model: analyzer.model().name(),
        before: base,
        assumed_cost: assumed_cost(journey),
        resolution,
        recommendations: recs,
        plan,
        do_not_invest,
        dashboard_would_differ,
        estimate,
    }
}

/// Each action's (and the plan's) expected effect on the outcome, when the
/// model has an outcome link; the link.
fn outcome_effects(
    analyzer: &Analyzer,
    base: f64,
    recs: &mut [Recommendation],
    plan: Option<&mut Plan>,
) -> Option<crate::memory::OutcomeLink> {
    let l = analyzer.model().outcome_link()?;
    for x in recs.iter_mut() {
        x.outcome_effect = Some(l.effect(base, base + x.lift));
    }
    if let Some(p) = plan {
        p.outcome_effect = Some(l.effect(base, p.after));
        // Each action's marginal change, from where the plan is.
        let mut at = base;
        for x in &mut p.actions {
            x.outcome_effect = Some(l.effect(at, at + x.lift));
            at += x.lift;
        }
    }
    Some(l.clone())
}

/// Which of the advice's figures are estimated, with the sampling that
/// estimated them.
fn advice_estimate(prices: &Prices<'_>, a: &Analysis) -> Option<AdviceEstimate> {
    let mut figures = Vec::new();
    if prices.lifts_estimated(a) {
        figures.push(EstimatedLift::Lift);
    }
    if prices.mean_lifts_estimated(a) {
        figures.push(EstimatedLift::MeanLift);
    }
    // Local prices sample with the analysis' options; re-analysis samples
    // as the analysis did.
    let (samples, seed) = [prices.model.as_ref(), prices.mean_pricer()]
        .into_iter()
        .flatten()
        .find_map(Pricer::sampling)
        .or_else(|| a.estimate.as_ref().map(|e| (e.samples, e.seed)))?;
    (!figures.is_empty()).then(|| AdviceEstimate {
        method: "monte-carlo".into(),
        samples,
        seed,
        figures,
    })
}

/// The dashboard's view: rank the same actions by the average's lift;
/// of its first three, those memory ranks differently.
fn dashboard_view(keys: &[String], recs: &[Recommendation]) -> Vec<DashboardView> {
    let ratio = |lift: f64, cost: f64| settled(per_cost(lift, cost));
    let mut by_mean: Vec<usize> = (0..recs.len()).collect();
    by_mean.sort_by(|&x, &y| {
        ratio(recs[y].mean_lift, recs[y].cost)
            .total_cmp(&ratio(recs[x].mean_lift, recs[x].cost))
            .then(keys[x].cmp(&keys[y]))
    });
    by_mean
        .iter()
        .enumerate()
        .take(3)
        .filter(|&(mean_rank, &k)| k != mean_rank)
        .map(|(mean_rank, &k)| DashboardView {
            action: recs[k].action,
            touchpoint: recs[k].touchpoint.clone(),
            memory_rank: k + 1,
            mean_rank: mean_rank + 1,
            lift: recs[k].lift,
            mean_lift: recs[k].mean_lift,
            mean_lift_standard_error: recs[k].mean_lift_standard_error,
        })
        .collect()
}

/// Each owner's best-ranked action, owners in the order of the file.
fn best_per_owner(journey: &Journey, recs: &[Recommendation]) -> Vec<OwnerAction> {
    use std::collections::BTreeMap;
    // Each owner's first (best-ranked) recommendation, in one pass.
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, r) in recs.iter().enumerate() {
        if let Some(o) = r
            .touchpoint
            .as_deref()
            .and_then(|id| journey.touchpoint_by_id(id))
            .and_then(|t| t.owner.as_deref())
        {
            first.entry(o).or_insert(k + 1);
        }
    }
    let mut seen: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    journey
        .spec()
        .touchpoints
        .iter()
        .filter_map(|t| t.owner.as_deref())
        .filter(|o| seen.insert(o))
        .map(|o| OwnerAction {
            owner: o.to_string(),
            rank: first.get(o).copied(),
        })
        .collect()
}

/// The step ratings are given in: the largest of 1, 0.5, 0.25, 0.2, 0.1,
/// 0.05 and 0.01 that every emotion (and improvement emotion) is a whole
/// multiple of, else 1 % of the scale.
pub(crate) fn inferred_resolution(j: &Journey) -> f64 {
    let values: Vec<f64> = j
        .spec()
        .touchpoints
        .iter()
        .flat_map(|t| std::iter::once(t.emotion).chain(t.improvement.map(|i| i.emotion)))
        .collect();
    [1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01]
        .into_iter()
        .find(|r| {
            values.iter().all(|v| {
                let k = v / r;
                (k - k.round()).abs() < 1e-9
            })
        })
        .unwrap_or_else(|| (j.scale().max - j.scale().min) / 100.0)
}

/// Visited touchpoints whose memory weight is about 0: a small change there
/// moves no one's memory.
fn no_memory_moves(j: &Journey, a: &Analysis, t: &Thresholds) -> Vec<Forgettable> {
    a.touchpoints
        .iter()
        .enumerate()
        .filter(|(_, r)| moves_no_memory(r, t))
        .map(|(i, r)| Forgettable::of(j.touchpoint(i), r))
        .collect()
}

/// Intensities (as bits) of the negative and of the positive emotions.
fn intensities(emotions: &[f64], neutral: f64) -> [std::collections::BTreeSet<u64>; 2] {
    let mut out = [
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    ];
    for &e in emotions {
        if e != neutral {
            out[usize::from(e > neutral)].insert((e - neutral).abs().to_bits());
        }
    }
    out
}

/// Each recommendation's lift under the other tie rule (see [`Ties`]),
/// where a tie in intensity between a negative and a positive moment is
/// involved before or after the action: the smaller of the two lifts is
/// the one that survives. Ratings lie on steps, so moving each within half
/// a step reorders moments only where they are exactly equally intense:
/// the two tie rules are the two ways those perturbations can fall. Only
/// journeys with such ties pay for the second pricing.
///
/// [`Ties`]: crate::Ties
fn robust_lifts(
    analyzer: &Analyzer,
    j: &Journey,
    prices: &Prices<'_>,
    recs: &mut [Recommendation],
) {
    let neutral = j.scale().neutral;
    let [neg, pos] = intensities(j.emotions(), neutral);
    let base_tie = neg.intersection(&pos).next().is_some();
    // Without a tie in the journey, only a new emotion can make one: cuts
    // and re-routes never do, and need no second pricing.
    let involved = |r: &Recommendation| {
        base_tie || {
            let new = match &r.operation {
                Operation::Set { emotion, .. } | Operation::Append { emotion, .. } => *emotion,
                Operation::Shift { id, delta } => j
                    .touchpoint_by_id(id)
                    .map_or(f64::NAN, |t| t.emotion + delta),
                _ => return false,
            };
            let bits = (new - neutral).abs().to_bits();
            (new < neutral && pos.contains(&bits)) || (new > neutral && neg.contains(&bits))
        }
    };
    if !recs.iter().any(&involved) {
        return;
    }
    let settle = |r: &mut Recommendation, other: f64| {
        if (other - r.lift).abs() > 1e-9 {
            r.robust_lift = r.lift.min(other).max(0.0);
            r.fragile = r.robust_lift <= 1e-9;
        }
    };
    if prices.model.is_some() {
        // Local prices under the other tie rule: exact.
        let Some(other) = analyzer.pricer(j, j.scale().ties.other()) else {
            return;
        };
        for r in recs.iter_mut().filter(|r| involved(r)) {
            if let Some(p) = edit_of(j, &r.operation).and_then(|e| other.price(j, &e)) {
                settle(r, p.lift);
            }
        }
        return;
    }
    // Re-analysis under the other rule, which the edited journeys keep.
    let other = j.scale().ties.other();
    let (model, o) = (analyzer.model(), analyzer.analysis_options());
    let flipped = j.clone().with_ties(other);
    let base = expected(&flipped, model, o);
    for r in recs.iter_mut().filter(|r| involved(r)) {
        if let Ok(edited) = apply(&flipped, std::slice::from_ref(&r.operation)) {
            settle(r, expected(&edited, model, o) - base);
        }
    }
}

/// Lift per unit of cost; a free action ranks above any other.
fn per_cost(lift: f64, cost: f64) -> f64 {
    if cost > 0.0 {
        lift / cost
    } else {
        f64::INFINITY
    }
}

/// A figure rounded to 1e-9 (relative to 1) for ranking: two lifts that
/// differ only by the order floating-point sums were taken in (which
/// follows the order of the file) rank as equal, so the order of the file
/// never changes the advice.
fn settled(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e9).round() / 1e9
    } else {
        x
    }
}

/// Where an action acts: a touchpoint, a transition (re-routes), or after
/// every end (a new closing touchpoint).
fn place(op: &Operation) -> String {
    match op {
        Operation::Probability { from, to, .. } => format!("route {from} -> {to}"),
        Operation::Append { .. } => "closing".into(),
        Operation::Set { id, .. } | Operation::Shift { id, .. } | Operation::Remove { id } => {
            format!("touchpoint {id}")
        }
    }
}

/// One entry per place, in ranking order: the best action on each place,
/// the others folded under it as alternatives. Returns the entries with
/// their order keys.
fn fold_by_place(ranked: Vec<(String, Recommendation)>) -> (Vec<String>, Vec<Recommendation>) {
    let mut keys: Vec<String> = Vec::new();
    let mut out: Vec<Recommendation> = Vec::new();
    let mut at: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for (key, r) in ranked {
        match at.get(&place(&r.operation)) {
            Some(&k) => out[k].alternatives.push(Alternative {
                action: r.action,
                lift: r.lift,
                cost: r.cost,
                cost_assumed: r.cost_assumed,
                operation: r.operation,
            }),
            None => {
                at.insert(place(&r.operation), out.len());
                keys.push(key);
                out.push(r);
            }
        }
    }
    (keys, out)
}

/// The plan's next pick among `pool` within what is left of the budget:
/// the best lift per cost, then the best lift, then the first in the
/// reader's order; with its lift and its index in the pool.
fn best_pick(
    pool: &[(String, Candidate)],
    prices: &Prices<'_>,
    left: f64,
) -> Option<(Lift, usize)> {
    let mut best: Option<(f64, f64, Lift, usize)> = None;
    for (k, (key, c)) in pool.iter().enumerate() {
        if c.cost > left + 1e-12 {
            continue;
        }
        let Some(lift) = prices.lift(&c.op) else {
            continue;
        };
        if lift.value <= 1e-12 {
            continue;
        }
        let r = settled(per_cost(lift.value, c.cost));
        let sl = settled(lift.value);
        if best.is_none_or(|(br, bl, _, bk)| {
            r > br || (r == br && (sl > bl || (sl == bl && *key < pool[bk].0)))
        }) {
            best = Some((r, sl, lift, k));
        }
    }
    best.map(|(_, _, lift, k)| (lift, k))
}

fn plan(
    analyzer: &Analyzer,
    journey: &Journey,
    a0: &Analysis,
    budget: f64,
    pool: Vec<Candidate>,
    first: &Prices<'_>,
) -> Plan {
    let model = analyzer.model();
    let options = analyzer.analysis_options();
    let base = a0.remembered.expected;
    // Candidates come from the journey as it is; each is used at most once,
    // and at most one action per touchpoint (the plan never edits a
    // touchpoint it added or changed already).
    let mut ops: Vec<Operation> = Vec::new();
    let mut picked: Vec<Recommendation> = Vec::new();
    let mut spent = 0.0;
    let mut cur = journey.clone();
    let mut cur_score = base;
    let mut pool: Vec<(String, Candidate)> =
        pool.into_iter().map(|c| (c.op.order_key(), c)).collect();
    // The average of the journey as edited so far, when exact: a pick's
    // average lift is then one pass, not a pricer.
    let mut mean_now = a0.mean.exact.then_some(a0.mean.expected);
    loop {
        // Each step prices the remaining candidates on the journey as
        // edited so far (the first on the journey as it is).
        let owned;
        let prices = if ops.is_empty() {
            first
        } else {
            owned = Prices::new(analyzer, &cur, cur_score, first.full);
            &owned
        };
        let Some((lift, k)) = best_pick(&pool, prices, budget - spent) else {
            break;
        };
        let (_, c) = pool.swap_remove(k);
        pool.retain(|x| x.1.touchpoint.is_none() || x.1.touchpoint != c.touchpoint);
        if c.action == Action::AddClosing {
            pool.retain(|x| x.1.action != Action::AddClosing);
        }
        let standing = if ops.is_empty() {
            Standing::of_analysis(a0)
        } else {
            Standing::of(&cur, analyzer.analysis_options())
        };
        let reach = if standing.outcomes.is_empty() {
            Vec::new()
        } else {
            outcome_reach(&cur)
        };
        let next = apply(&cur, std::slice::from_ref(&c.op)).expect("priced, so it applies");
        let mean_next = mean_now.and_then(|_| exact_mean(&next, options));
        let mean = match (mean_now, mean_next) {
            (Some(now), Some(after)) => Lift {
                value: after - now,
                standard_error: None,
            },
            _ => prices.mean_lift(&c.op),
        };
        mean_now = mean_next;
        picked.push(Recommendation {
            action: c.action,
            touchpoint: c.touchpoint.clone(),
            lift: lift.value,
            lift_standard_error: lift.standard_error,
            robust_lift: lift.value,
            fragile: false,
            cost: c.cost,
            cost_assumed: c.cost_assumed,
            alternatives: Vec::new(),
            outcome_shifts: outcome_shifts(&cur, &standing, &reach, &c.op),
            rationale: rationale(&cur, &standing, cur_score, &c, lift.value),
            operation: c.op.clone(),
            mean_lift: mean.value,
            mean_lift_standard_error: mean.standard_error,
            rests_on: Some(crate::evidence::rests_on(
                journey,
                a0,
                c.touchpoint.as_deref(),
            )),
            outcome_effect: None,
        });
        spent += c.cost;
        ops.push(c.op);
        cur = next;
        cur_score += lift.value;
    }
    // The plan's lift is a fresh analysis of the journey with all of it.
    let after = expected(&cur, model, options);
    Plan {
        actions: picked,
        lift: after - base,
        cost: spent,
        budget,
        after,
        operations: ops,
        outcome_effect: None,
    }
}

/// The plan's pool: every candidate, or on a journey with more than
/// [`PLAN_POOL`] of them the most promising by their lift per cost on the
/// journey as it is (one the journey refuses as it is, last).
fn best_of(priced: Vec<(Candidate, Option<Lift>)>) -> Vec<Candidate> {
    let scored: Vec<(f64, Candidate)> = priced
        .into_iter()
        .map(|(c, l)| {
            let lift = l.map_or(f64::NEG_INFINITY, |l| l.value);
            (settled(per_cost(lift, c.cost)), c)
        })
        .collect();
    if scored.len() > PLAN_POOL {
        let keys: Vec<String> = scored.iter().map(|x| x.1.op.order_key()).collect();
        let mut order: Vec<usize> = (0..scored.len()).collect();
        order.sort_by(|&x, &y| {
            scored[y]
                .0
                .total_cmp(&scored[x].0)
                .then_with(|| keys[x].cmp(&keys[y]))
        });
        order.truncate(PLAN_POOL);
        let mut slots: Vec<Option<Candidate>> = scored.into_iter().map(|x| Some(x.1)).collect();
        return order
            .into_iter()
            .map(|k| slots[k].take().expect("each index once"))
            .collect();
    }
    scored.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests;
