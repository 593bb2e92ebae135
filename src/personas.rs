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

use crate::analysis::{Analysis, Analyzer};
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
    /// touchpoint a customer reaches.
    pub analysis: Option<Analysis>,
}

impl PersonaFigures {
    /// The expected remembered experience of its journey, if it has one.
    #[must_use]
    pub fn expected(&self) -> Option<f64> {
        self.analysis.as_ref().map(|a| a.remembered.expected)
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
    let counted: Vec<(&PersonaFigures, f64)> = personas
        .iter()
        .filter_map(|p| p.expected().map(|e| (p, e)))
        .collect();
    match rule {
        AccountRule::Min => {
            let Some(&(worst, e)) = counted.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
                return Err(AccountError::NobodyCounted(rule));
            };
            Ok(Account {
                rule,
                expected: e,
                driver: worst.name.clone(),
                parts: vec![(worst.name.clone(), e)],
            })
        }
        AccountRule::Weighted | AccountRule::DecisionMaker => {
            if rule == AccountRule::DecisionMaker && !personas.iter().any(|p| p.decision_maker) {
                return Err(AccountError::NoDecisionMaker);
            }
            let counted: Vec<(&PersonaFigures, f64)> = counted
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
                .map(|(p, e)| (p.name.clone(), p.weight / total * e))
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
    fn of(&self, p: &Personas) -> Option<f64> {
        match self {
            Objective::Account => p.account.as_ref().ok().map(|a| a.expected),
            Objective::Persona(name) => p.get(name).and_then(PersonaFigures::expected),
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
    /// How many distinct actions were simulated.
    pub considered: usize,
}

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
            let view = journey.persona(&p.name)?;
            let analysis = view.journey.as_ref().map(|j| self.analyze(j));
            out.push(PersonaFigures {
                name: p.name.clone(),
                role: p.role.clone(),
                weight: p.weight(),
                decision_maker: p.is_decision_maker(),
                view,
                analysis,
            });
        }
        let account = account_of(&out, rule);
        Ok(Personas {
            personas: out,
            rule,
            account,
        })
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
    /// one customer and for each persona's own journey, each applied to
    /// the journey and simulated for every persona; those that raise the
    /// objective, by lift per cost. `base` is `self.personas(journey, rule)`.
    ///
    /// An action on a persona's journey is taken to the journey's own ids
    /// (a `~end` copy is its touchpoint); a re-routing between touchpoints
    /// the journey does not link directly is not an action on the journey
    /// and is left out. A new emotion for a touchpoint that personas feel
    /// differently becomes the same step for each of them (`--shift`).
    ///
    /// Complexity: at most `ACCOUNT_CANDIDATES × (personas + 1)` actions,
    /// each one analysis per persona.
    ///
    /// # Errors
    /// [`AdviceError`] when the objective has no memory.
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
        let candidates = self.candidates(journey, analysis, base);
        let considered = candidates.len();
        // The same journey under the other tie rule, for the robust lifts.
        let flipped = journey.clone().with_ties(journey.scale().ties.other());
        let flipped_base = self.personas(&flipped, rule)?;
        let flipped_before = objective.of(&flipped_base);
        let mut actions: Vec<AccountAction> = candidates
            .into_iter()
            .filter_map(|c| {
                let mut x = self.evaluate(journey, base, rule, objective, before, c)?;
                let other = apply(&flipped, std::slice::from_ref(&x.operation))
                    .ok()
                    .and_then(|e| self.personas(&e, rule).ok())
                    .and_then(|p| Some(objective.of(&p)? - flipped_before?));
                if let Some(other) = other {
                    x.robust_lift = x.lift.min(other).max(0.0);
                    x.fragile = x.robust_lift <= 1e-9;
                }
                Some(x)
            })
            .collect();
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
            let advice = self.recommend(pj, pa, None);
            for r in advice.recommendations.iter().take(ACCOUNT_CANDIDATES) {
                if let Some(op) = on_journey(journey, &r.operation, &origin)
                    .and_then(|op| as_step(journey, &op, Some(&p.name)))
                {
                    let tp = r
                        .touchpoint
                        .as_deref()
                        .map(|t| origin.get(t).map_or(t, |o| o).to_string());
                    let cost = if r.cost_assumed { typical } else { r.cost };
                    // The kind as the journey sees it: an end of the
                    // persona's journey need not be one of the journey's.
                    let action = match (r.action, &op) {
                        (
                            Action::Improve | Action::LiftEnding,
                            Operation::Set { id, .. } | Operation::Shift { id, .. },
                        ) => match journey.index_of(id) {
                            Some(i) if journey.is_end(i) => Action::LiftEnding,
                            _ => Action::Improve,
                        },
                        (a, _) => a,
                    };
                    offer((action, tp, op, cost, r.cost_assumed));
                }
            }
        }
        out
    }

    /// One candidate applied to the journey and simulated for every
    /// persona; `None` when it cannot be applied or does not raise the
    /// objective.
    fn evaluate(
        &self,
        journey: &Journey,
        base: &Personas,
        rule: AccountRule,
        objective: &Objective,
        before: f64,
        (action, touchpoint, operation, cost, cost_assumed): Candidate,
    ) -> Option<AccountAction> {
        let edited = apply(journey, std::slice::from_ref(&operation)).ok()?;
        let after = self.personas(&edited, rule).ok()?;
        let lift = objective.of(&after)? - before;
        if lift <= 1e-9 {
            return None;
        }
        let account_lift = match (&base.account, &after.account) {
            (Ok(b), Ok(a)) => Some(a.expected - b.expected),
            _ => None,
        };
        let persona_lifts: Vec<(String, Option<f64>)> = base
            .personas
            .iter()
            .zip(&after.personas)
            .map(|(b, a)| {
                let l = match (b.expected(), a.expected()) {
                    (Some(x), Some(y)) => Some(y - x),
                    _ => None,
                };
                (b.name.clone(), l)
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
