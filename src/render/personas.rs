//! The buying centre in words and JSON: each persona's memory, the
//! account's, and advice for the account with its effect on every persona.

use super::score;
use super::text::{Style, pad_left};
use crate::analysis::{Analysis, Remembered};
use crate::journey::Scale;
use crate::numfmt::{fixed, percent, shell_quote, signed};
use crate::personas::{AccountAdvice, AccountRule, Objective, PersonaFigures, Personas};
use crate::simulate::Simulation;
use serde::Serialize;
use std::fmt::Write;

/// A touchpoint of a persona's journey with its share, by the journey's
/// own id (a `~end` copy counted with its touchpoint).
#[derive(Debug, Clone, Serialize)]
struct Place {
    id: String,
    name: String,
    share: f64,
}

/// The touchpoint of the persona's journey with the largest share of
/// `share` (peak or end), copies summed into their touchpoint.
fn top(
    p: &PersonaFigures,
    a: &Analysis,
    share: fn(&crate::analysis::TouchpointResult) -> f64,
) -> Option<Place> {
    // Copies summed into their touchpoint; the first in file order wins a
    // tie. Linear in the persona's journey.
    let mut by_origin: Vec<Place> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (t, origin) in a.touchpoints.iter().zip(&p.view.origin) {
        match at.get(origin.as_str()) {
            Some(&k) => by_origin[k].share += share(t),
            None => {
                at.insert(origin, by_origin.len());
                by_origin.push(Place {
                    id: origin.clone(),
                    name: t.name.clone(),
                    share: share(t),
                });
            }
        }
    }
    by_origin.into_iter().filter(|x| x.share > 0.0).fold(
        None,
        |best: Option<Place>, x| match best {
            Some(b) if b.share >= x.share => Some(b),
            _ => Some(x),
        },
    )
}

/// The name and share of the persona's most frequent remembered peak
/// (`peak`) or last moment, for a table.
pub(crate) fn top_place(p: &PersonaFigures, a: &Analysis, peak: bool) -> String {
    let place = if peak {
        top(p, a, |t| t.peak_share)
    } else {
        top(p, a, |t| t.end_share)
    };
    place.map_or("-".to_string(), |x| {
        format!("{} ({})", x.name, percent(x.share))
    })
}

/// One persona in the JSON contract.
#[derive(Serialize)]
pub(crate) struct PersonaJson<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'a str>,
    weight: f64,
    decision_maker: bool,
    reach: f64,
    touchpoints: usize,
    remembered: Option<&'a Remembered>,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Sampled>,
    mean: Option<f64>,
    negative_share: Option<f64>,
    peak: Option<Place>,
    end: Option<Place>,
}

/// How an estimated persona's memory was sampled.
#[derive(Serialize)]
struct Sampled {
    samples: usize,
    seed: u64,
    reason: &'static str,
}

/// The account in the JSON contract.
#[derive(Serialize)]
pub(crate) struct AccountJson<'a> {
    rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    driver: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    none: Option<String>,
}

#[derive(Serialize)]
struct Part<'a> {
    persona: &'a str,
    part: f64,
}

/// The personas and the account as the JSON contract's `personas` and
/// `account`.
pub(crate) fn personas_json(p: &Personas) -> (Vec<PersonaJson<'_>>, AccountJson<'_>) {
    let personas = p
        .personas
        .iter()
        .map(|f| PersonaJson {
            name: &f.name,
            role: f.role.as_deref(),
            weight: f.weight,
            decision_maker: f.decision_maker,
            reach: f.view.reach,
            touchpoints: f.view.touchpoints,
            remembered: f
                .analysis
                .as_ref()
                .map(|a| &a.remembered)
                .or_else(|| f.estimate.as_ref().map(|e| &e.remembered)),
            estimate: f.estimate.as_ref().map(|e| Sampled {
                samples: e.samples,
                seed: e.seed,
                reason: "its journey is too large to contract",
            }),
            mean: f.analysis.as_ref().map(|a| a.mean.expected),
            negative_share: f.analysis.as_ref().map(|a| a.distribution.negative_share),
            peak: f
                .analysis
                .as_ref()
                .and_then(|a| top(f, a, |t| t.peak_share)),
            end: f.analysis.as_ref().and_then(|a| top(f, a, |t| t.end_share)),
        })
        .collect();
    let account = match &p.account {
        Ok(a) => AccountJson {
            rule: a.rule.name(),
            expected: Some(a.expected),
            driver: Some(&a.driver),
            parts: a
                .parts
                .iter()
                .map(|(n, x)| Part {
                    persona: n,
                    part: *x,
                })
                .collect(),
            none: None,
        },
        Err(e) => AccountJson {
            rule: p.rule.name(),
            expected: None,
            driver: None,
            parts: Vec::new(),
            none: Some(e.to_string()),
        },
    };
    (personas, account)
}

/// What the rule means, in a few words.
pub(crate) fn rule_words(rule: AccountRule) -> &'static str {
    match rule {
        AccountRule::Weighted => "the personas' memories averaged by their weights",
        AccountRule::DecisionMaker => "the decision maker's memory prevails",
        AccountRule::Min => "the worst of the personas' memories",
    }
}

/// The personas and the account as text: a table of who takes part, what
/// each remembers and where its peak and end fall, then the account's
/// memory, its rule and the persona who drives it.
///
/// ```
/// use peakend::{AccountRule, Analyzer, Journey, Model, render, Style};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"n",
///   "personas":["User",{"name":"Finance","role":"decision-maker"}],
///   "touchpoints":[
///     {"id":"use","name":"Use","emotion":4,"actors":["User"]},
///     {"id":"bill","name":"Invoice","emotion":0,"emotions":{"Finance":-6}}]}"#).unwrap();
/// let p = Analyzer::new(Model::PeakEnd).personas(&j, AccountRule::DecisionMaker).unwrap();
/// let text = render::personas_text(&p, &j.scale(), Style::PLAIN);
/// assert!(text.contains("driven by Finance"));
/// ```
#[must_use]
pub fn personas_text(p: &Personas, scale: &Scale, st: Style) -> String {
    let sc = |x: f64| score(x, scale);
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold("Personas"));
    let width = name_width(p);
    let _ = writeln!(
        o,
        "  {}  {}  {}  {}  {}  peak · end (share of its paths)",
        pad_right("persona", width),
        pad_right("role", 14),
        pad_left("weight", 6),
        pad_left("takes part", 10),
        pad_left("remembered", 10),
    );
    for f in &p.personas {
        let role = f.role.as_deref().unwrap_or("-");
        let reach = if f.view.reach >= 1.0 - 1e-12 {
            "always".to_string()
        } else {
            percent(f.view.reach)
        };
        let rest = match &f.analysis {
            Some(a) => {
                let place = |x: Option<Place>| {
                    x.map_or("-".to_string(), |x| {
                        format!("{} {}", pad_right(&x.name, 32).trim_end(), percent(x.share))
                    })
                };
                format!(
                    "  {}  {} · {}",
                    pad_left(&sc(a.remembered.expected), 10),
                    place(top(f, a, |t| t.peak_share)),
                    place(top(f, a, |t| t.end_share)),
                )
            }
            None => match &f.estimate {
                Some(e) => format!(
                    "  {}  estimated from {} sampled paths (± {} standard error, seed {}): its journey is too large to contract",
                    pad_left(&format!("≈{}", sc(e.remembered.expected)), 10),
                    e.samples,
                    fixed(e.remembered.standard_error.unwrap_or(0.0), 3),
                    e.seed
                ),
                None => "  takes part in no touchpoint a customer reaches".to_string(),
            },
        };
        let _ = writeln!(
            o,
            "  {}  {}  {}  {}{rest}",
            pad_right(&f.name, width),
            pad_right(role, 14),
            pad_left(&significant_weight(f.weight), 6),
            pad_left(&reach, 10),
        );
    }
    match &p.account {
        Ok(a) => {
            let estimated = p.personas.iter().any(|f| f.estimate.is_some());
            let _ = writeln!(
                o,
                "  account ({}: {}): remembered {}, driven by {}{}",
                a.rule.name(),
                rule_words(a.rule),
                st.bold(&format!(
                    "{}{}",
                    if estimated { "≈" } else { "" },
                    sc(a.expected)
                )),
                a.driver,
                if estimated {
                    " (estimated: some personas' memories are sampled)"
                } else {
                    ""
                }
            );
        }
        Err(e) => {
            let _ = writeln!(o, "  account: no memory: {e}");
        }
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// The width of the persona column: the longest name, 7 to 24 characters.
fn name_width(p: &Personas) -> usize {
    p.personas
        .iter()
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(7, 24)
}

fn pad_right(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n > width {
        let cut: String = s.chars().take(width - 1).collect();
        format!("{cut}…")
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

fn significant_weight(w: f64) -> String {
    crate::numfmt::significant(w, 3)
}

/// Each persona's and the account's memory before and after a simulation,
/// as lines for `peakend simulate` when the journey has personas.
///
/// ```
/// use peakend::{AccountRule, Analyzer, Journey, Model, Operation, render, apply};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"n","personas":["User","Finance"],
///   "touchpoints":[
///     {"id":"use","name":"Use","emotion":4,"actors":["User"]},
///     {"id":"bill","name":"Invoice","emotion":-6,"actors":["Finance"]}]}"#).unwrap();
/// let a = Analyzer::new(Model::PeakEnd);
/// let before = a.personas(&j, AccountRule::Weighted).unwrap();
/// let edited = apply(&j, &[Operation::set("bill", 0.0)]).unwrap();
/// let after = a.personas(&edited, AccountRule::Weighted).unwrap();
/// let text = render::persona_changes_text(&before, &after, &j.scale());
/// assert!(text.contains("Finance  -6.0 → 0.0 (+6.0)"));
/// ```
#[must_use]
pub fn persona_changes_text(before: &Personas, after: &Personas, scale: &Scale) -> String {
    let sc = |x: f64| score(x, scale);
    let change = |b: Option<f64>, a: Option<f64>| match (b, a) {
        (Some(b), Some(a)) => format!("{} → {} ({})", sc(b), sc(a), signed(a - b)),
        (Some(b), None) => format!("{} → takes part in nothing", sc(b)),
        (None, Some(a)) => format!("takes part in nothing → {}", sc(a)),
        (None, None) => "takes part in nothing".to_string(),
    };
    let width = name_width(before);
    let mut o = String::from("\nPersonas\n");
    for (b, a) in before.personas.iter().zip(&after.personas) {
        let _ = writeln!(
            o,
            "  {}  {}",
            pad_right(&b.name, width),
            change(b.expected(), a.expected())
        );
    }
    match (&before.account, &after.account) {
        (Ok(b), Ok(a)) => {
            let _ = writeln!(
                o,
                "  account ({}): {}, driven by {}",
                b.rule.name(),
                change(Some(b.expected), Some(a.expected)),
                a.driver
            );
        }
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(o, "  account: no memory: {e}");
        }
    }
    crate::numfmt::terminal_safe(o, false)
}

/// The simulation for one persona (`simulate --persona`), headed by who
/// it is for.
#[must_use]
pub fn persona_simulation_text(s: &Simulation, name: &str, st: Style) -> String {
    let head = st.bold(&format!("As {name} lives it"));
    let head = crate::numfmt::terminal_safe(head, st.is_color());
    format!("{head}\n{}", super::text::simulation_text(s, st))
}

/// The `peakend simulate` flags that reproduce an action of the advice:
/// with `--persona NAME` when the advice is for one persona.
pub(crate) fn advice_flags(adv: &AccountAdvice, op: &crate::simulate::Operation) -> String {
    match &adv.objective {
        Objective::Persona(name) => format!("--persona {} {}", shell_quote(name), op.flag()),
        Objective::Account => op.flag(),
    }
}

/// The command that reproduces an action of the advice.
fn command(file: &str, adv: &AccountAdvice, op: &crate::simulate::Operation) -> String {
    format!(
        "peakend simulate {} {}",
        super::text::file_and_flags(file, adv.model_flags.as_deref()),
        advice_flags(adv, op)
    )
}

/// How many account actions the text shows.
const SHOWN: usize = 10;

/// Advice for the account (or one persona) as text: each action with its
/// lift, its effect on every persona and on the account, a flag when it
/// helps one persona at another's expense, and the command that
/// reproduces it.
#[must_use]
pub fn account_advice_text(adv: &AccountAdvice, file: &str, scale: &Scale, st: Style) -> String {
    let sc = |x: f64| score(x, scale);
    let mut o = String::new();
    let title = match &adv.objective {
        Objective::Persona(name) => format!("Where to invest for {name}"),
        Objective::Account => format!("Where to invest for the account ({})", adv.rule.name()),
    };
    let _ = writeln!(
        o,
        "{}  (remembered now {})",
        st.bold(&title),
        sc(adv.before)
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim(&format!(
            "  {} actions from the advice for the whole journey and for each persona, each simulated for every persona",
            adv.considered
        ))
    );
    if adv.left_out > 0 {
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  {} re-routings or closings left out: simulating them for every persona would re-analyse more than {} touchpoints and transitions",
                adv.left_out,
                crate::personas::FULL_WORK
            ))
        );
    }
    if adv.actions.is_empty() {
        let _ = writeln!(o, "  no action considered lifts it");
    }
    for (k, x) in adv.actions.iter().enumerate().take(SHOWN) {
        action_text(&mut o, (k, x), adv, file, st);
    }
    if adv.actions.len() > SHOWN {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  … {} more actions with a smaller lift per cost (--format json lists them all)",
            adv.actions.len() - SHOWN
        );
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// One account action as text (see [`account_advice_text`]).
fn action_text(
    o: &mut String,
    (k, x): (usize, &crate::personas::AccountAction),
    adv: &AccountAdvice,
    file: &str,
    st: Style,
) {
    let ratio = if x.cost > 0.0 {
        format!("{} per unit of cost", fixed(x.robust_lift / x.cost, 3))
    } else {
        "free".to_string()
    };
    let on = x
        .touchpoint
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let robust = if x.fragile {
        " (fragile: only through a tie in intensity; none if the tie goes the other way)"
            .to_string()
    } else if signed(x.robust_lift) == signed(x.lift) {
        String::new()
    } else {
        format!(" (robust {})", signed(x.robust_lift))
    };
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {:>2}. {}{on}  lift {}{robust}  cost {}{}  ({ratio})",
        k + 1,
        st.bold(x.action.name()),
        signed(x.lift),
        x.cost,
        if x.cost_assumed { " (assumed)" } else { "" }
    );
    let mut effects: Vec<String> = x
        .persona_lifts
        .iter()
        .map(|(n, l)| match l {
            Some(l) => format!("{n} {}", signed(*l)),
            None => format!("{n} -"),
        })
        .collect();
    if let Some(a) = x.account_lift {
        effects.push(format!("account {}", signed(a)));
    }
    let _ = writeln!(o, "      {}", effects.join(", "));
    if x.trade_off {
        let _ = writeln!(o, "      {}", st.bold(&trade_off_words(x)));
    }
    if !x.alternatives.is_empty() {
        let alts: Vec<String> = x
            .alternatives
            .iter()
            .map(|a| {
                format!(
                    "{} {} (lift {}, cost {}{})",
                    a.action.name(),
                    a.operation.flag(),
                    signed(a.lift),
                    a.cost,
                    if a.trade_off {
                        format!("; {}", trade_off_words(a))
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "      {}",
            st.dim(&format!("also here: {}", alts.join("; ")))
        );
    }
    let _ = writeln!(o, "      {}", st.dim(&command(file, adv, &x.operation)));
}

/// "trade-off: helps A at the expense of B".
pub(crate) fn trade_off_words(x: &crate::personas::AccountAction) -> String {
    let winners: Vec<&str> = named(x, |l| l > crate::personas::TRADE_OFF);
    let losers: Vec<&str> = named(x, |l| l < -crate::personas::TRADE_OFF);
    format!(
        "trade-off: helps {} at the expense of {}",
        winners.join(", "),
        losers.join(", ")
    )
}

fn named(x: &crate::personas::AccountAction, keep: impl Fn(f64) -> bool) -> Vec<&str> {
    x.persona_lifts
        .iter()
        .filter(|(_, l)| l.is_some_and(&keep))
        .map(|(n, _)| n.as_str())
        .collect()
}

/// One account action in the JSON contract.
#[derive(Serialize)]
pub(crate) struct AccountActionJson<'a> {
    action: crate::recommend::Action,
    touchpoint: Option<&'a str>,
    lift: f64,
    robust_lift: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fragile: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_lift: Option<f64>,
    personas: Vec<PersonaLift<'a>>,
    trade_off: bool,
    cost: f64,
    cost_assumed: bool,
    simulate: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alternatives: Vec<AccountActionJson<'a>>,
}

#[derive(Serialize)]
struct PersonaLift<'a> {
    persona: &'a str,
    lift: Option<f64>,
}

/// The account advice in the JSON contract (`recommend --format json`'s
/// `account_advice`, or the whole output with `--persona`).
#[derive(Serialize)]
pub(crate) struct AccountAdviceJson<'a> {
    objective: String,
    rule: &'static str,
    before: f64,
    considered: usize,
    left_out: usize,
    actions: Vec<AccountActionJson<'a>>,
}

fn action_json<'a>(
    adv: &AccountAdvice,
    x: &'a crate::personas::AccountAction,
) -> AccountActionJson<'a> {
    AccountActionJson {
        action: x.action,
        touchpoint: x.touchpoint.as_deref(),
        lift: x.lift,
        robust_lift: x.robust_lift,
        fragile: x.fragile,
        account_lift: x.account_lift,
        personas: x
            .persona_lifts
            .iter()
            .map(|(n, l)| PersonaLift {
                persona: n,
                lift: *l,
            })
            .collect(),
        trade_off: x.trade_off,
        cost: x.cost,
        cost_assumed: x.cost_assumed,
        simulate: advice_flags(adv, &x.operation),
        alternatives: x.alternatives.iter().map(|a| action_json(adv, a)).collect(),
    }
}

pub(crate) fn account_advice_value(adv: &AccountAdvice) -> AccountAdviceJson<'_> {
    AccountAdviceJson {
        objective: match &adv.objective {
            Objective::Persona(n) => n.clone(),
            Objective::Account => "account".to_string(),
        },
        rule: adv.rule.name(),
        before: adv.before,
        considered: adv.considered,
        left_out: adv.left_out,
        actions: adv.actions.iter().map(|x| action_json(adv, x)).collect(),
    }
}

/// Advice for the account as pretty JSON.
#[must_use]
pub fn account_advice_json(adv: &AccountAdvice) -> String {
    super::pretty_json(&account_advice_value(adv))
}

/// The personas and the account as pretty JSON: `{"personas": […],
/// "account": {…}}`.
#[must_use]
pub fn personas_json_text(p: &Personas) -> String {
    #[derive(Serialize)]
    struct Both<'a> {
        personas: Vec<PersonaJson<'a>>,
        account: AccountJson<'a>,
    }
    let (personas, account) = personas_json(p);
    super::pretty_json(&Both { personas, account })
}

/// The personas' change in the JSON of `simulate`.
#[derive(Serialize)]
pub(crate) struct PersonaChange<'a> {
    persona: &'a str,
    before: Option<f64>,
    after: Option<f64>,
}

/// The simulation as JSON (the contract of `peakend simulate --format
/// json`), with each persona's and the account's memory before and after
/// when the journey has personas: `personas: [{persona, before, after}]`
/// and `account: {rule, before, after, driver} | null`.
#[must_use]
pub fn simulation_json(s: &Simulation, changes: Option<(&Personas, &Personas)>) -> String {
    #[derive(Serialize)]
    struct Account<'a> {
        rule: &'static str,
        before: f64,
        after: f64,
        driver: &'a str,
    }
    #[derive(Serialize)]
    struct Full<'a> {
        #[serde(flatten)]
        simulation: &'a Simulation,
        #[serde(skip_serializing_if = "Option::is_none")]
        personas: Option<Vec<PersonaChange<'a>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        account: Option<Option<Account<'a>>>,
    }
    let personas = changes.map(|(before, after)| {
        before
            .personas
            .iter()
            .zip(&after.personas)
            .map(|(b, a)| PersonaChange {
                persona: &b.name,
                before: b.expected(),
                after: a.expected(),
            })
            .collect()
    });
    let account = changes.map(|(before, after)| match (&before.account, &after.account) {
        (Ok(b), Ok(a)) => Some(Account {
            rule: b.rule.name(),
            before: b.expected,
            after: a.expected,
            driver: &a.driver,
        }),
        _ => None,
    });
    super::pretty_json(&Full {
        simulation: s,
        personas,
        account,
    })
}
