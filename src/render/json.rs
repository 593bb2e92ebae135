//! JSON for tools: every result as pretty JSON (the documented contract),
//! deterministic, with a trailing newline.

use super::pretty_json;
use crate::analysis::Analysis;
use crate::moments::Moments;
use crate::ownership::Ownership;

use crate::recommend::{Action, DashboardView, Recommendation, Recommendations};
use serde::Serialize;

/// The analysis as pretty JSON (the documented contract), with a trailing
/// newline. Deterministic: the same analysis gives the same bytes.
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = peakend::analyze(&j, &peakend::Model::PeakEnd, &peakend::Options::new());
/// let v: serde_json::Value = serde_json::from_str(&peakend::render::json(&a)).unwrap();
/// assert_eq!(v["remembered"]["expected"], -3.0);
/// ```
#[must_use]
pub fn json(analysis: &Analysis) -> String {
    pretty_json(analysis)
}

/// The analysis, its moments and who owns them as one JSON document (the
/// contract of `peakend analyze --format json`): every field of [`json`]
/// plus `moments`, `owners`, `stages` and `channels`, and with
/// [`Analyzer::evidence`](crate::Analyzer::evidence) `evidence` (`basis`,
/// and `interval` or `no_interval`), and with
/// [`Analyzer::personas`](crate::Analyzer::personas) (a journey with
/// personas) `personas` (each `{name, role, weight, decision_maker, reach,
/// touchpoints, remembered, mean, negative_share, peak, end}`, in file
/// order) and `account` (`{rule, expected, driver, parts}`, or `{rule,
/// none}` with the reason there is no account memory).
///
/// ```
/// use peakend::{render, Analyzer, EvidenceOptions, Journey, Model};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8,"owner":"Billing"},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let a = analyzer.analyze(&j);
/// let (m, o) = (analyzer.moments(&j, &a), analyzer.ownership(&j, &a));
/// let e = analyzer.evidence(&j, &a, &EvidenceOptions::new());
/// let v: serde_json::Value =
///     serde_json::from_str(&render::analysis_json(&a, &m, &o, Some(&e), None)).unwrap();
/// assert_eq!(v["moments"]["defining"][0]["id"], "a");
/// assert_eq!(v["evidence"]["basis"]["assumed"], 2);
/// assert_eq!(v["owners"][0]["name"], "Billing");
/// assert_eq!(v["remembered"]["expected"], -3.0);
/// ```
#[must_use]
pub fn analysis_json(
    analysis: &Analysis,
    moments: &Moments,
    ownership: &Ownership,
    evidence: Option<&crate::evidence::Evidence>,
    personas: Option<&crate::personas::Personas>,
) -> String {
    #[derive(serde::Serialize)]
    struct Full<'a> {
        #[serde(flatten)]
        analysis: &'a Analysis,
        moments: &'a Moments,
        #[serde(flatten)]
        ownership: &'a Ownership,
        #[serde(skip_serializing_if = "Option::is_none")]
        evidence: Option<EvidenceJson<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        personas: Option<Vec<super::personas::PersonaJson<'a>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        account: Option<super::personas::AccountJson<'a>>,
    }
    let (personas, account) = match personas.filter(|p| !p.personas.is_empty()) {
        Some(p) => {
            let (a, b) = super::personas::personas_json(p);
            (Some(a), Some(b))
        }
        None => (None, None),
    };
    pretty_json(&Full {
        analysis,
        moments,
        ownership,
        personas,
        account,
        evidence: evidence.map(|e| EvidenceJson {
            basis: &e.basis,
            interval: e.interval.as_ref().ok(),
            no_interval: e.interval.as_ref().err(),
        }),
    })
}

/// The evidence in the JSON contract: the basis, and the interval or why
/// there is none.
#[derive(Serialize)]
struct EvidenceJson<'a> {
    basis: &'a crate::evidence::Basis,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<&'a crate::evidence::Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_interval: Option<&'a crate::evidence::NoInterval>,
}

/// One recommendation in the JSON contract.
#[derive(Serialize)]
struct Rec<'a> {
    action: Action,
    touchpoint: &'a Option<String>,
    lift: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    lift_standard_error: Option<f64>,
    robust_lift: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fragile: bool,
    cost: f64,
    cost_assumed: bool,
    rationale: String,
    simulate: String,
    mean_lift: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_lift_standard_error: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alternatives: Vec<Alt>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    outcomes: &'a [crate::recommend::OutcomeShift],
    #[serde(skip_serializing_if = "Option::is_none")]
    rests_on: &'a Option<crate::evidence::Basis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome_effect: &'a Option<crate::memory::OutcomeEffect>,
}
/// The default model (or one the command line cannot name): no
/// `model_flags` in the JSON.
#[allow(clippy::ref_option)]
fn no_flags(f: &&Option<Vec<String>>) -> bool {
    f.as_ref().is_none_or(Vec::is_empty)
}

/// An alternative in the JSON contract.
#[derive(Serialize)]
struct Alt {
    action: Action,
    lift: f64,
    cost: f64,
    cost_assumed: bool,
    simulate: String,
}

/// Recommendations as the JSON contract of `peakend recommend --format
/// json`: each recommendation with its `rationale` in words and the
/// `simulate` flags that reproduce it; the plan likewise.
///
/// ```
/// use peakend::{render, Analyzer, Journey, Model};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":2},{"id":"b","name":"B","emotion":-8}]}"#).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let r = analyzer.recommend(&j, &analyzer.analyze(&j), Some(1.0));
/// let v: serde_json::Value = serde_json::from_str(&render::recommendations_json(&r)).unwrap();
/// assert!(v["recommendations"][0]["simulate"].as_str().unwrap().starts_with("--"));
/// assert_eq!(v["plan"]["budget"], 1.0);
/// ```
#[must_use]
pub fn recommendations_json(r: &Recommendations) -> String {
    recommendations_json_with(r, None)
}

/// As [`recommendations_json`], with the account's advice as
/// `account_advice` when given (`recommend --format json` on a journey
/// with personas).
#[must_use]
pub fn recommendations_json_with(
    r: &Recommendations,
    account: Option<&crate::personas::AccountAdvice>,
) -> String {
    #[derive(Serialize)]
    struct Plan<'a> {
        actions: Vec<Rec<'a>>,
        lift: f64,
        cost: f64,
        budget: f64,
        after: f64,
        simulate: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        outcome_effect: &'a Option<crate::memory::OutcomeEffect>,
    }
    #[derive(Serialize)]
    struct All<'a> {
        model: &'a str,
        #[serde(skip_serializing_if = "no_flags")]
        model_flags: &'a Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        outcome_link: &'a Option<crate::memory::OutcomeLink>,
        before: f64,
        assumed_cost: crate::recommend::AssumedCost,
        resolution: f64,
        recommendations: Vec<Rec<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<Plan<'a>>,
        do_not_invest: &'a [crate::moments::Forgettable],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        by_owner: &'a [crate::recommend::OwnerAction],
        dashboard_would_differ: &'a [DashboardView],
        #[serde(skip_serializing_if = "Option::is_none")]
        estimate: &'a Option<crate::recommend::AdviceEstimate>,
        #[serde(skip_serializing_if = "Option::is_none")]
        account_advice: Option<super::personas::AccountAdviceJson<'a>>,
    }
    fn rec<'a>(x: &'a Recommendation, scale: &crate::journey::Scale) -> Rec<'a> {
        Rec {
            action: x.action,
            touchpoint: &x.touchpoint,
            lift: x.lift,
            lift_standard_error: x.lift_standard_error,
            robust_lift: x.robust_lift,
            fragile: x.fragile,
            cost: x.cost,
            cost_assumed: x.cost_assumed,
            rationale: super::text::rationale(x, scale),
            simulate: x.operation.flag(),
            mean_lift: x.mean_lift,
            mean_lift_standard_error: x.mean_lift_standard_error,
            outcomes: &x.outcome_shifts,
            rests_on: &x.rests_on,
            outcome_effect: &x.outcome_effect,
            alternatives: x
                .alternatives
                .iter()
                .map(|a| Alt {
                    action: a.action,
                    lift: a.lift,
                    cost: a.cost,
                    cost_assumed: a.cost_assumed,
                    simulate: a.operation.flag(),
                })
                .collect(),
        }
    }
    let rec = |x| rec(x, &r.scale);
    pretty_json(&All {
        model: &r.model,
        model_flags: &r.model_flags,
        outcome_link: &r.outcome_link,
        before: r.before,
        assumed_cost: r.assumed_cost,
        resolution: r.resolution,
        recommendations: r.recommendations.iter().map(rec).collect(),
        plan: r.plan.as_ref().map(|p| Plan {
            actions: p.actions.iter().map(rec).collect(),
            lift: p.lift,
            cost: p.cost,
            budget: p.budget,
            after: p.after,
            simulate: super::text::simulate_flags(&p.operations),
            outcome_effect: &p.outcome_effect,
        }),
        do_not_invest: &r.do_not_invest,
        by_owner: &r.by_owner,
        dashboard_would_differ: &r.dashboard_would_differ,
        estimate: &r.estimate,
        account_advice: account.map(super::personas::account_advice_value),
    })
}
