//! The buying centre: each persona's remembered experience of its own
//! journey, the account's memory from theirs, and advice for the account
//! (docs/personas.md).
//!
//! A B2B customer is several people: the user, the buyer, the decision
//! maker and finance live through different touchpoints and feel
//! differently about the same one. Each persona's journey is
//! [`Journey::persona`]; its figures are the whole analysis of that journey.
//! The account's memory is a rule over the personas' expected memories
//! ([`AccountRule`]), as practitioners roll respondents up to an account:
//! by averaging, or letting the decision maker's answer prevail (or, the
//! cautious reading, the worst memory).

use crate::analysis::{Analysis, Analyzer, Edit, Pricer, SampledMemory};
use crate::journey::{Journey, PersonaError, PersonaView};
use crate::recommend::Action;
use crate::simulate::{Operation, SimulateError, Simulation, apply, compare};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

/// How the account's memory is made from the personas' memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AccountRule {
    /// The weight-averaged expected memory of the personas who take part
    /// (weights from the file, default 1).
    #[default]
    Weighted,
    /// The decision maker's memory prevails (the personas whose `role` is
    /// `decision-maker`; several: their weighted average).
    DecisionMaker,
    /// The worst of the personas' expected memories.
    Min,
}

impl AccountRule {
    /// Every rule's name, as `--account` takes it.
    pub const NAMES: [&'static str; 3] = ["weighted", "decision-maker", "min"];

    /// The rule's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            AccountRule::Weighted => "weighted",
            AccountRule::DecisionMaker => "decision-maker",
            AccountRule::Min => "min",
        }
    }
}

impl fmt::Display for AccountRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule name that is none of [`AccountRule::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown account rule `{0}`: expected weighted, decision-maker or min")]
pub struct UnknownAccountRule(pub String);

impl FromStr for AccountRule {
    type Err = UnknownAccountRule;
    /// ```
    /// use peakend::AccountRule;
    /// assert_eq!("decision-maker".parse(), Ok(AccountRule::DecisionMaker));
    /// assert!("average".parse::<AccountRule>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<AccountRule, UnknownAccountRule> {
        match s {
            "weighted" => Ok(AccountRule::Weighted),
            "decision-maker" => Ok(AccountRule::DecisionMaker),
            "min" => Ok(AccountRule::Min),
            _ => Err(UnknownAccountRule(s.to_string())),
        }
    }
}

/// One persona's figures.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PersonaFigures {
    /// The persona's name.
    pub name: String,
    /// Its buying-centre role, as the file gives it.
    pub role: Option<String>,
    /// Its weight in the account's weighted memory.
    pub weight: f64,
    /// True when its role names the decision maker.
    pub decision_maker: bool,
    /// Its own journey (see [`Journey::persona`]).
    pub view: PersonaView,
    /// The analysis of its journey; `None` when it takes part in no
    /// touchpoint a customer reaches, or when its journey is too large to
    /// contract (then `estimate`).
    pub analysis: Option<Analysis>,
    /// Its remembered experience estimated from sampled paths of the
    /// journey, when its own journey is too large to contract
    /// ([`PersonaError::TooLarge`]); its `view` then has no journey.
    pub estimate: Option<SampledMemory>,
}

impl PersonaFigures {
    /// The expected remembered experience of its journey, if it has one.
    #[must_use]
    pub fn expected(&self) -> Option<f64> {
        self.analysis
            .as_ref()
            .map(|a| a.remembered.expected)
            .or_else(|| self.estimate.as_ref().map(|e| e.remembered.expected))
    }
}

/// The account's memory.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Account {
    /// The rule it was made by.
    pub rule: AccountRule,
    /// The account's expected remembered experience.
    pub expected: f64,
    /// The persona whose memory drives it: the decision maker's, the
    /// worst one's, or (weighted) the largest weighted contribution.
    pub driver: String,
    /// Each counted persona's part in `expected` (name, part; the parts
    /// sum to `expected`), in file order.
    pub parts: Vec<(String, f64)>,
}

/// Why the account has no memory under a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// `decision-maker` but no persona's role is `decision-maker`.
    #[error(
        "no persona is the decision maker: give one `\"role\": \"decision-maker\"` in `personas`, or choose --account weighted or min"
    )]
    NoDecisionMaker,
    /// The personas the rule counts take part in no touchpoint a customer
    /// reaches (or all have weight 0).
    #[error("none of the personas the {0} rule counts takes part in the journey")]
    NobodyCounted(AccountRule),
}

/// Every persona's figures and the account's memory.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Personas {
    /// The personas, in file order.
    pub personas: Vec<PersonaFigures>,
    /// The rule the account's memory is made by.
    pub rule: AccountRule,
    /// The account's memory, or why there is none.
    pub account: Result<Account, AccountError>,
}

impl Personas {
    /// The figures of persona `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&PersonaFigures> {
        self.personas.iter().find(|p| p.name == name)
    }
}

/// The account's memory from the personas' figures by `rule`.
///
/// # Errors
/// [`AccountError`] when the rule counts nobody.
pub fn account_of(personas: &[PersonaFigures], rule: AccountRule) -> Result<Account, AccountError> {
    let memories: Vec<Memory<'_>> = personas.iter().map(Memory::of).collect();
    account_from(&memories, rule)
}

/// What the account's rule needs of a persona.
#[derive(Clone, Copy)]
struct Memory<'a> {
    name: &'a str,
    weight: f64,
    decision_maker: bool,
    expected: Option<f64>,
}

impl<'a> Memory<'a> {
    fn of(p: &'a PersonaFigures) -> Memory<'a> {
        Memory {
            name: &p.name,
            weight: p.weight,
            decision_maker: p.decision_maker,
            expected: p.expected(),
        }
    }
}

fn account_from(personas: &[Memory<'_>], rule: AccountRule) -> Result<Account, AccountError> {
    let counted: Vec<(&Memory<'_>, f64)> = personas
        .iter()
        .filter_map(|p| p.expected.map(|e| (p, e)))
        .collect();
    match rule {
        AccountRule::Min => {
            let Some(&(worst, e)) = counted.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
                return Err(AccountError::NobodyCounted(rule));
            };
            Ok(Account {
                rule,
                expected: e,
                driver: worst.name.to_string(),
                parts: vec![(worst.name.to_string(), e)],
            })
        }
        AccountRule::Weighted | AccountRule::DecisionMaker => {
            if rule == AccountRule::DecisionMaker && !personas.iter().any(|p| p.decision_maker) {
                return Err(AccountError::NoDecisionMaker);
            }
            let counted: Vec<(&Memory<'_>, f64)> = counted
                .into_iter()
                .filter(|(p, _)| rule == AccountRule::Weighted || p.decision_maker)
                .filter(|(p, _)| p.weight > 0.0)
                .collect();
            let total: f64 = counted.iter().map(|(p, _)| p.weight).sum();
            if counted.is_empty() || total <= 0.0 {
                return Err(AccountError::NobodyCounted(rule));
            }
            let parts: Vec<(String, f64)> = counted
                .iter()
                .map(|(p, e)| (p.name.to_string(), p.weight / total * e))
                .collect();
            let expected = parts.iter().map(|(_, x)| x).sum();
            let driver = parts
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.1.abs().total_cmp(&b.1.1.abs()).then(b.0.cmp(&a.0)))
                .map(|(_, (n, _))| n.clone())
                .unwrap_or_default();
            Ok(Account {
                rule,
                expected,
                driver,
                parts,
            })
        }
    }
}

/// What advice optimises: the account's memory, or one persona's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Objective {
    /// The account's memory by the rule of [`Personas::account`].
    Account,
    /// One persona's memory (by name).
    Persona(String),
}

impl Objective {
    /// Its value for personas with these memories under `rule`.
    fn of(&self, memories: &[Memory<'_>], rule: AccountRule) -> Option<f64> {
        match self {
            Objective::Account => account_from(memories, rule).ok().map(|a| a.expected),
            Objective::Persona(name) => memories.iter().find(|m| m.name == name)?.expected,
        }
    }
}

/// An action for the account: its effect on every persona.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountAction {
    /// What kind of action (as in `recommend`).
    pub action: Action,
    /// The touchpoint it acts on (none for `add-closing`).
    pub touchpoint: Option<String>,
    /// The operation, on the journey's own ids.
    pub operation: Operation,
    /// Its cost (as in `recommend`).
    pub cost: f64,
    /// True when the cost was assumed, not given.
    pub cost_assumed: bool,
    /// The change in what the advice optimises ([`AccountAdvice::objective`]).
    pub lift: f64,
    /// The lift that survives whichever way a tie in intensity between a
    /// negative and a positive moment falls (the smaller of the lifts
    /// under both tie rules, at least 0; as in `recommend`). The ranking
    /// uses it.
    pub robust_lift: f64,
    /// True when the lift exists only through such a tie.
    pub fragile: bool,
    /// The change in the account's expected memory (`None` when the
    /// account has no memory under its rule).
    pub account_lift: Option<f64>,
    /// The change in each persona's expected memory, in file order
    /// (`None`: the persona takes part neither before nor after).
    pub persona_lifts: Vec<(String, Option<f64>)>,
    /// True when it helps one persona (by more than [`TRADE_OFF`]) at
    /// another's expense (a loss of more than [`TRADE_OFF`]).
    pub trade_off: bool,
    /// Other actions on the same touchpoint (or transition, or the
    /// closing), each worse by lift per cost, best first; their own
    /// `alternatives` are empty.
    pub alternatives: Vec<AccountAction>,
}

/// Where an action acts: its touchpoint, its transition, or the ends.
fn place(op: &Operation) -> String {
    match op {
        Operation::Set { id, .. } | Operation::Shift { id, .. } | Operation::Remove { id } => {
            format!("touchpoint {id}")
        }
        Operation::Probability { from, to, .. } => format!("route {from} -> {to}"),
        Operation::Append { .. } => "closing".to_string(),
    }
}

/// Changes smaller than this (on the journey's scale) are not a persona
/// helped or hurt: below what one decimal shows.
pub const TRADE_OFF: f64 = 0.05;

/// Actions considered from each view (the journey as one customer, each
/// persona): its first this many recommendations.
pub const ACCOUNT_CANDIDATES: usize = 12;

/// Advice for the account (or one persona): every action that raises it,
/// best first.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountAdvice {
    /// What the advice optimises.
    pub objective: Objective,
    /// The account's rule.
    pub rule: AccountRule,
    /// The objective's expected memory today.
    pub before: f64,
    /// The actions that raise the objective, by lift per cost, best first.
    pub actions: Vec<AccountAction>,
    /// How many distinct actions were considered.
    pub considered: usize,
    /// How many of them were left out because simulating them for every
    /// persona would cost more than [`FULL_WORK`] (re-routings and
    /// closings on large journeys: the others are priced locally).
    pub left_out: usize,
    /// The command-line words that select the model, for the printed
    /// commands (see [`MemoryModel::flags`](crate::MemoryModel::flags)).
    pub model_flags: Option<Vec<String>>,
}

/// The most touchpoints and transitions re-analysed, summed over the
/// personas' journeys, for the actions of the account's advice that cannot
/// be priced locally (re-routings and closings; about two seconds): past
/// it they are left out and counted in [`AccountAdvice::left_out`].
pub const FULL_WORK: usize = 1_000_000;

/// Why there is no advice for the objective.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AdviceError {
    /// The account has no memory under its rule.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The persona is not one of the journey's.
    #[error(transparent)]
    Persona(#[from] PersonaError),
    /// The persona takes part in no touchpoint a customer reaches.
    #[error(
        "persona \"{0}\" takes part in no touchpoint a customer reaches: it has no memory to raise"
    )]
    NoMemory(String),
    /// A persona's journey is too large to contract: its memory is only
    /// estimated, and actions cannot be priced for it.
    #[error(
        "the journey of persona \"{0}\" is too large to contract: its memory is estimated from sampled paths, and no action can be priced exactly for it"
    )]
    TooLarge(String),
}

/// A candidate action: kind, touchpoint, operation, cost, cost assumed.
type Candidate = (Action, Option<String>, Operation, f64, bool);

impl Analyzer {
    /// Every persona's figures and the account's memory by `rule`. Empty
    /// (and the account [`AccountError::NobodyCounted`]) when the journey
    /// lists no personas.
    ///
    /// ```
    /// use peakend::{AccountRule, Analyzer, Journey, Model};
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"n",
    ///   "personas":[{"name":"User","weight":1},{"name":"Finance","weight":3}],
    ///   "touchpoints":[
    ///     {"id":"use","name":"Use","emotion":4,"actors":["User"]},
    ///     {"id":"bill","name":"Invoice","emotion":0,"emotions":{"Finance":-6}}]}"#).unwrap();
    /// let a = Analyzer::new(Model::PeakEnd);
    /// let p = a.personas(&j, AccountRule::Weighted).unwrap();
    /// // The user: peak +4 (use), end 0 (the invoice); finance: -6 alone.
    /// assert_eq!(p.personas[0].expected(), Some(2.0));
    /// assert_eq!(p.personas[1].expected(), Some(-6.0));
    /// assert_eq!(p.account.unwrap().expected, (2.0 - 3.0 * 6.0) / 4.0);
    /// ```
    ///
    /// # Errors
    /// [`PersonaError`] when a persona's journey cannot be made.
    pub fn personas(&self, journey: &Journey, rule: AccountRule) -> Result<Personas, PersonaError> {
        let mut out = Vec::with_capacity(journey.spec().personas.len());
        for p in &journey.spec().personas {
            let (view, analysis, estimate) = match journey.persona(&p.name) {
                Ok(view) => {
                    let analysis = view.journey.as_ref().map(|j| self.analyze(j));
                    (view, analysis, None)
                }
                Err(PersonaError::TooLarge { .. }) => {
                    let estimate = self.sampled_persona(journey, &p.name);
                    let view = PersonaView {
                        name: p.name.clone(),
                        reach: estimate.as_ref().map_or(0.0, |e| e.reach),
                        touchpoints: (0..journey.len())
                            .filter(|&i| journey.takes_part(i, &p.name))
                            .count(),
                        journey: None,
                        origin: Vec::new(),
                    };
                    (view, None, estimate)
                }
                Err(e) => return Err(e),
            };
            out.push(PersonaFigures {
                name: p.name.clone(),
                role: p.role.clone(),
                weight: p.weight(),
                decision_maker: p.is_decision_maker(),
                view,
                analysis,
                estimate,
            });
        }
        let account = account_of(&out, rule);
        Ok(Personas {
            personas: out,
            rule,
            account,
        })
    }

    /// The same personas under the other tie rule: each one's journey (no
    /// need to contract it again) re-analysed.
    fn with_ties(&self, base: &Personas, ties: crate::spec::Ties) -> Personas {
        let personas = base
            .personas
            .iter()
            .map(|f| {
                let mut g = f.clone();
                g.view.journey = f.view.journey.clone().map(|j| j.with_ties(ties));
                g.analysis = g.view.journey.as_ref().map(|j| self.analyze(j));
                g
            })
            .collect::<Vec<_>>();
        let account = account_of(&personas, base.rule);
        Personas {
            personas,
            rule: base.rule,
            account,
        }
    }

    /// Simulate operations on the journey as persona `name` lives it: the
    /// operations are applied to the journey (so an emotion set is set for
    /// every persona who takes part), and the persona's journey before is
    /// compared with its journey after.
    ///
    /// # Errors
    /// [`PersonaSimulateError`]: an operation that cannot be applied, an
    /// unknown persona, or one that takes part in nothing before or after.
    pub fn simulate_persona(
        &self,
        journey: &Journey,
        name: &str,
        ops: &[Operation],
    ) -> Result<Simulation, PersonaSimulateError> {
        let no_memory = || PersonaSimulateError::NoMemory(name.to_string());
        let before = journey.persona(name)?.journey.ok_or_else(no_memory)?;
        let edited = apply(journey, ops)?;
        let after = edited.persona(name)?.journey.ok_or_else(no_memory)?;
        let (a, b) = (self.analyze(&before), self.analyze(&after));
        Ok(compare(
            &before,
            &a,
            &after,
            &b,
            ops,
            self.moment_thresholds(),
        ))
    }

    /// Advice for the account (or one persona): the first
    /// [`ACCOUNT_CANDIDATES`] actions `recommend` finds for the journey as
    /// one customer, and the actions on each persona's
    /// [`ACCOUNT_CANDIDATES`] most remembered touchpoints, each simulated
    /// for every persona; those that raise the objective, by robust lift
    /// per cost, one entry per place (the others its alternatives). `base`
    /// is `self.personas(journey, rule)`.
    ///
    /// An action on a persona's journey is taken to the journey's own ids
    /// (a `~end` copy is its touchpoint); a re-routing between touchpoints
    /// the journey does not link directly is not an action on the journey
    /// and is left out. A new emotion for a touchpoint that personas feel
    /// differently becomes the same step for each of them (`--shift`).
    ///
    /// An emotion or a cut is priced on each persona's journey without
    /// re-analysis; a re-routing or a closing is applied and every persona
    /// re-analysed, while [`FULL_WORK`] lasts (the rest are counted in
    /// [`AccountAdvice::left_out`]). Complexity: about two analyses per
    /// persona plus those re-analyses.
    ///
    /// # Errors
    /// [`AdviceError`] when the objective has no memory, or a persona's
    /// journey is too large to contract ([`AdviceError::TooLarge`]).
    pub fn account_advice(
        &self,
        journey: &Journey,
        analysis: &Analysis,
        base: &Personas,
        objective: &Objective,
    ) -> Result<AccountAdvice, AdviceError> {
        let rule = base.rule;
        let before = match objective {
            Objective::Account => base.account.as_ref().map_err(Clone::clone)?.expected,
            Objective::Persona(name) => {
                let p = base.get(name).ok_or_else(|| PersonaError::Unknown {
                    name: name.clone(),
                    listed: base
                        .personas
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
                p.expected()
                    .ok_or_else(|| AdviceError::NoMemory(name.clone()))?
            }
        };
        if let Some(p) = base.personas.iter().find(|p| p.estimate.is_some()) {
            return Err(AdviceError::TooLarge(p.name.clone()));
        }
        let candidates = self.candidates(journey, analysis, base);
        let considered = candidates.len();
        // The same journey under the other tie rule, for the robust lifts;
        // each persona's journey priced locally under both.
        let flipped = journey.clone().with_ties(journey.scale().ties.other());
        let flipped_base = self.with_ties(base, journey.scale().ties.other());
        let views = [
            Views::new(self, journey, base),
            Views::new(self, &flipped, &flipped_base),
        ];
        let mut budget = FULL_WORK;
        let mut actions = Vec::new();
        let mut left_out = 0;
        for c in candidates {
            let now = match self.after(&views[0], &c.2, &mut budget) {
                Ok(now) => now,
                Err(Skip::Budget) => {
                    left_out += 1;
                    continue;
                }
                Err(Skip::NotApplicable) => continue,
            };
            let Some(x) = evaluate(&views[0], rule, objective, before, c, &now) else {
                continue;
            };
            let other = self
                .after(&views[1], &x.operation, &mut budget)
                .ok()
                .and_then(|after| {
                    let m = views[1].memories_after(&after);
                    Some(objective.of(&m, rule)? - objective.of(&views[1].memories(), rule)?)
                });
            let mut x = x;
            if let Some(other) = other {
                x.robust_lift = x.lift.min(other).max(0.0);
                x.fragile = x.robust_lift <= 1e-9;
            }
            actions.push(x);
        }
        let ratio = |x: &AccountAction| x.robust_lift / x.cost.max(1e-12);
        actions.sort_by(|a, b| {
            ratio(b)
                .total_cmp(&ratio(a))
                .then(b.robust_lift.total_cmp(&a.robust_lift))
                .then(b.lift.total_cmp(&a.lift))
                .then_with(|| a.operation.to_string().cmp(&b.operation.to_string()))
        });
        // One entry per place: the others on it become its alternatives.
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut kept: Vec<AccountAction> = Vec::new();
        for x in actions {
            match first.get(&place(&x.operation)) {
                Some(&k) => kept[k].alternatives.push(x),
                None => {
                    first.insert(place(&x.operation), kept.len());
                    kept.push(x);
                }
            }
        }
        let actions = kept;
        Ok(AccountAdvice {
            objective: objective.clone(),
            rule,
            before,
            actions,
            considered,
            left_out,
            model_flags: self.model().flags(),
        })
    }

    /// The distinct actions the views' own advice proposes, on the
    /// journey's ids, in the order found.
    fn candidates(
        &self,
        journey: &Journey,
        analysis: &Analysis,
        base: &Personas,
    ) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut offer = |c: Candidate| {
            if seen.insert(c.2.to_string()) {
                out.push(c);
            }
        };
        let whole = self.recommend(journey, analysis, None);
        // An assumed cost is the journey's, whichever view proposed it.
        let typical = whole.assumed_cost.value();
        for r in whole.recommendations.iter().take(ACCOUNT_CANDIDATES) {
            if let Some(op) = as_step(journey, &r.operation, None) {
                offer((r.action, r.touchpoint.clone(), op, r.cost, r.cost_assumed));
            }
        }
        for p in &base.personas {
            let (Some(pj), Some(pa)) = (&p.view.journey, &p.analysis) else {
                continue;
            };
            let origin: HashMap<&str, &str> = pj
                .spec()
                .touchpoints
                .iter()
                .zip(&p.view.origin)
                .map(|(t, o)| (t.id.as_str(), o.as_str()))
                .collect();
            for (action, touchpoint, operation, cost, assumed) in
                crate::recommend::unpriced_candidates(self, pj, pa, ACCOUNT_CANDIDATES)
            {
                if let Some(op) = on_journey(journey, &operation, &origin)
                    .and_then(|op| as_step(journey, &op, Some(&p.name)))
                {
                    let tp = touchpoint
                        .as_deref()
                        .map(|t| origin.get(t).map_or(t, |o| o).to_string());
                    let cost = if assumed { typical } else { cost };
                    // The kind as the journey sees it: an end of the
                    // persona's journey need not be one of the journey's.
                    let action = match (action, &op) {
                        (
                            Action::Improve | Action::LiftEnding,
                            Operation::Set { id, .. } | Operation::Shift { id, .. },
                        ) => match journey.index_of(id) {
                            Some(i) if journey.is_end(i) => Action::LiftEnding,
                            _ => Action::Improve,
                        },
                        (a, _) => a,
                    };
                    offer((action, tp, op, cost, assumed));
                }
            }
        }
        out
    }

    /// Every persona's expected memory after the operation (file order;
    /// `None` for a persona that takes part in nothing): from local prices
    /// on its journey where the operation is an emotion or a cut, else by
    /// applying it and re-analysing every persona, while `budget` lasts.
    fn after(
        &self,
        views: &Views<'_>,
        op: &Operation,
        budget: &mut usize,
    ) -> Result<Vec<Option<f64>>, Skip> {
        let locally = matches!(
            op,
            Operation::Set { .. } | Operation::Shift { .. } | Operation::Remove { .. }
        );
        if locally && !applicable(views.journey, op) {
            return Err(Skip::NotApplicable);
        }
        let local: Option<Vec<Option<f64>>> = views
            .personas
            .iter()
            .zip(&views.priced)
            .map(|(p, priced)| {
                let Some(e) = p.expected() else {
                    return Some(None);
                };
                local_lift(views.journey, &p.name, op, priced.as_ref()).map(|l| Some(e + l))
            })
            .collect();
        if let Some(local) = local.filter(|_| locally) {
            return Ok(local);
        }
        let work: usize = views
            .personas
            .iter()
            .filter_map(|p| {
                p.view
                    .journey
                    .as_ref()
                    .map(|j| j.len() + j.transition_count())
            })
            .sum::<usize>()
            .max(1);
        if work > *budget {
            return Err(Skip::Budget);
        }
        *budget -= work;
        let edited =
            apply(views.journey, std::slice::from_ref(op)).map_err(|_| Skip::NotApplicable)?;
        let after = self
            .personas(&edited, views.rule)
            .map_err(|_| Skip::NotApplicable)?;
        Ok(after
            .personas
            .iter()
            .map(PersonaFigures::expected)
            .collect())
    }
}

/// Why an action is not evaluated.
enum Skip {
    /// It cannot be applied to the journey.
    NotApplicable,
    /// Re-analysing every persona for it is past [`FULL_WORK`].
    Budget,
}

/// Whether an emotion or a cut applies to the journey, checked as
/// `recommend` checks its own (without building the edited journey; every
/// persona's own emotion stays on the scale). Other operations are checked
/// by applying them, within the work budget.
fn applicable(journey: &Journey, op: &Operation) -> bool {
    match op {
        Operation::Set { .. } | Operation::Remove { .. } => {
            crate::simulate::edit_of(journey, op).is_some()
        }
        Operation::Shift { id, delta } => {
            crate::simulate::edit_of(journey, op).is_some()
                && journey.touchpoint_by_id(id).is_some_and(|t| {
                    t.emotions
                        .values()
                        .all(|e| journey.scale().contains(e + delta))
                })
        }
        _ => false,
    }
}

/// The personas of one journey with a local pricer on each one's journey
/// and where each of the journey's touchpoints is in it.
struct Views<'a> {
    journey: &'a Journey,
    personas: &'a [PersonaFigures],
    rule: AccountRule,
    priced: Vec<Option<Priced<'a>>>,
}

/// A persona's journey, its pricer, and its touchpoints by the journey's
/// ids (a touchpoint and its `~end` copy).
struct Priced<'a> {
    journey: &'a Journey,
    pricer: Pricer,
    at: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Views<'a> {
    fn new(analyzer: &Analyzer, journey: &'a Journey, p: &'a Personas) -> Views<'a> {
        let priced = p
            .personas
            .iter()
            .map(|f| {
                let pj = f.view.journey.as_ref()?;
                let pricer = analyzer.pricer(pj, pj.scale().ties)?;
                if pricer.estimated() {
                    return None;
                }
                let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
                for (k, o) in f.view.origin.iter().enumerate() {
                    at.entry(o.as_str()).or_default().push(k);
                }
                Some(Priced {
                    journey: pj,
                    pricer,
                    at,
                })
            })
            .collect();
        Views {
            journey,
            personas: &p.personas,
            rule: p.rule,
            priced,
        }
    }

    fn memories(&self) -> Vec<Memory<'a>> {
        self.personas.iter().map(Memory::of).collect()
    }

    fn memories_after(&self, after: &[Option<f64>]) -> Vec<Memory<'a>> {
        self.personas
            .iter()
            .zip(after)
            .map(|(p, &e)| Memory {
                expected: e,
                ..Memory::of(p)
            })
            .collect()
    }
}

/// The change in persona `name`'s expected memory that `op` on the journey
/// makes, priced on the persona's journey without re-analysis: an
/// emotion, or a cut, of a touchpoint the persona takes part in (its copy
/// too: the paths through each are disjoint, so their prices add); 0 for
/// one it does not take part in (its journey is the same). `None` where
/// that does not hold (re-routings, closings, a cut of where it starts).
fn local_lift(
    journey: &Journey,
    name: &str,
    op: &Operation,
    priced: Option<&Priced<'_>>,
) -> Option<f64> {
    let (id, edit): (&str, Box<dyn Fn(usize) -> Edit>) = match op {
        Operation::Set { id, emotion } => {
            let e = *emotion;
            (id, Box::new(move |pos| Edit::Set { pos, emotion: e }))
        }
        Operation::Shift { id, delta } => {
            let i = journey.index_of(id)?;
            let e = journey.emotion_of(i, name) + delta;
            (id, Box::new(move |pos| Edit::Set { pos, emotion: e }))
        }
        Operation::Remove { id } => (id, Box::new(|pos| Edit::Remove { pos })),
        _ => return None,
    };
    let i = journey.index_of(id)?;
    if !journey.takes_part(i, name) {
        return Some(0.0);
    }
    let priced = priced?;
    let at = priced.at.get(id)?;
    let pj = priced.journey;
    if matches!(op, Operation::Remove { .. })
        && (at.len() >= pj.len() || at.iter().any(|&k| pj.entry_probability(k) > 0.0))
    {
        return None;
    }
    let mut lift = 0.0;
    for &k in at {
        let price = priced.pricer.price(pj, &edit(pj.position(k).0))?;
        if price.standard_error.is_some() {
            return None;
        }
        lift += price.lift;
    }
    Some(lift)
}

/// A candidate's figures from every persona's expected memory after it;
/// `None` when it does not raise the objective.
fn evaluate(
    views: &Views<'_>,
    rule: AccountRule,
    objective: &Objective,
    before: f64,
    (action, touchpoint, operation, cost, cost_assumed): Candidate,
    after: &[Option<f64>],
) -> Option<AccountAction> {
    let now = views.memories();
    let then = views.memories_after(after);
    let lift = objective.of(&then, rule)? - before;
    if lift <= 1e-9 {
        return None;
    }
    let account_lift = match (account_from(&now, rule), account_from(&then, rule)) {
        (Ok(b), Ok(a)) => Some(a.expected - b.expected),
        _ => None,
    };
    let persona_lifts: Vec<(String, Option<f64>)> = now
        .iter()
        .zip(&then)
        .map(|(b, a)| {
            let l = match (b.expected, a.expected) {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            };
            (b.name.to_string(), l)
        })
        .collect();
    let lifts = || persona_lifts.iter().filter_map(|(_, l)| *l);
    let trade_off = lifts().any(|l| l > TRADE_OFF) && lifts().any(|l| l < -TRADE_OFF);
    Some(AccountAction {
        action,
        touchpoint,
        operation,
        cost,
        cost_assumed,
        lift,
        robust_lift: lift,
        fragile: false,
        account_lift,
        persona_lifts,
        trade_off,
        alternatives: Vec::new(),
    })
}

/// A simulation for one persona that cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonaSimulateError {
    /// An operation cannot be applied to the journey.
    #[error(transparent)]
    Simulate(#[from] SimulateError),
    /// The persona's journey cannot be made.
    #[error(transparent)]
    Persona(#[from] PersonaError),
    /// The persona takes part in no touchpoint a customer reaches (before
    /// or after the operations).
    #[error("persona \"{0}\" takes part in no touchpoint a customer reaches")]
    NoMemory(String),
}

/// A new emotion for a touchpoint that personas feel differently, as the
/// same step for every one of them: the view (`persona`, or the journey's
/// own `emotion`) asked for `emotion`, so every persona's emotion moves by
/// that much (less where one would leave the scale). Raising the invoice
/// from Finance's −6 to −2 does not make it −2 for the user who liked it.
/// `None` when no step is left.
fn as_step(journey: &Journey, op: &Operation, persona: Option<&str>) -> Option<Operation> {
    let Operation::Set { id, emotion } = op else {
        return Some(op.clone());
    };
    let i = journey.index_of(id)?;
    let t = journey.touchpoint(i);
    if t.emotions.is_empty() {
        return Some(op.clone());
    }
    let from = persona.map_or(t.emotion, |p| journey.emotion_of(i, p));
    let s = journey.scale();
    let felt = t
        .emotions
        .values()
        .copied()
        .chain(std::iter::once(t.emotion));
    let mut delta = emotion - from;
    for e in felt {
        delta = if delta > 0.0 {
            delta.min(s.max - e)
        } else {
            delta.max(s.min - e)
        };
    }
    (delta.abs() > 1e-12).then(|| Operation::Shift {
        id: id.clone(),
        delta,
    })
}

/// An operation on a persona's journey as an operation on the journey:
/// ids taken to their originals; a re-routing only where the journey has
/// that transition.
fn on_journey(
    journey: &Journey,
    op: &Operation,
    origin: &HashMap<&str, &str>,
) -> Option<Operation> {
    let id = |x: &str| -> Option<String> { origin.get(x).map(|o| (*o).to_string()) };
    Some(match op {
        Operation::Set { id: x, emotion } => Operation::Set {
            id: id(x)?,
            emotion: *emotion,
        },
        Operation::Shift { id: x, delta } => Operation::Shift {
            id: id(x)?,
            delta: *delta,
        },
        Operation::Remove { id: x } => Operation::Remove { id: id(x)? },
        Operation::Append { .. } => op.clone(),
        Operation::Probability {
            from,
            to,
            probability,
        } => {
            let (from, to) = (id(from)?, id(to)?);
            let i = journey.index_of(&from)?;
            let k = journey.index_of(&to)?;
            journey.successors(i).any(|(s, _)| s == k).then_some(())?;
            Operation::Probability {
                from,
                to,
                probability: *probability,
            }
        }
    })
}
