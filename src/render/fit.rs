//! Calibration in words and as JSON: the models compared out of sample,
//! the choice, the fitted blend's weights with intervals, collinearity,
//! duration neglect, the outcome link, what was left out.

use super::signed_fixed;
use super::text::Style;
use crate::fit::{Choice, Fit, NoOutcome, OutcomeFit, OverallFit, ReadReport, Spread};
use crate::memory::Feature;
use crate::numfmt::{fixed, significant, thousands};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// A figure with `decimals` places, or "—" where it cannot be computed.
fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        fixed(x, decimals)
    } else {
        "—".into()
    }
}

fn pm(s: Spread, decimals: usize) -> String {
    format!("{} ± {}", fixed(s.mean, decimals), fixed(s.sd, decimals))
}

fn interval(i: Option<[f64; 2]>, decimals: usize) -> String {
    match i {
        Some([a, b]) => format!("{} … {}", fixed(a, decimals), fixed(b, decimals)),
        None => "—".into(),
    }
}

/// A probability change in percentage points: `+4.2 pp`.
fn pp(x: f64) -> String {
    format!("{} pp", signed_fixed(100.0 * x, 1))
}

/// A fit as text: what the cases were, the models out of sample, the
/// choice and its line to the overall rating, the blend's weights with
/// intervals (and a warning when they are not identified), duration
/// neglect, the outcome link, what was left out.
///
/// ```
/// use peakend::fit::{Cases, FitOptions};
/// let mut cases = Cases::new();
/// for i in 0..60 {
///     let e = [(i % 7) as f64 - 3.0, (i % 5) as f64 - 2.0];
///     cases.push(&e, None, Some((e[0] + e[1]) / 2.0 + (i % 3) as f64 / 10.0), None, None);
/// }
/// let fit = peakend::fit::fit(&cases, &FitOptions::new().bootstrap(50))?;
/// let text = peakend::render::fit_text(&fit, peakend::Style::PLAIN);
/// assert!(text.contains("Out of sample"));
/// # Ok::<(), peakend::fit::FitError>(())
/// ```
#[must_use]
pub fn fit_text(fit: &Fit, st: Style) -> String {
    let mut o = String::new();
    let p = &fit.model.provenance;
    let files = match &p.case_table {
        Some(t) => format!("{} + {t}", p.log),
        None => p.log.clone(),
    };
    let _ = writeln!(o, "{}  {files}", st.bold("Calibration"));
    let _ = writeln!(
        o,
        "  {} cases with rated moments, {} accounts; {}-fold cross-validation grouped by account, repeated {} time{} (seed {})",
        thousands(fit.cases),
        thousands(fit.accounts),
        fit.folds,
        fit.repeats,
        if fit.repeats == 1 { "" } else { "s" },
        fit.seed
    );
    if let Some(r) = &fit.read {
        let _ = writeln!(
            o,
            "  {}",
            st.dim(if r.timed {
                "the mean is weighted by how long each moment lasted (the log's timestamps)"
            } else {
                "the log has no timestamps: every moment weighs the same in the mean"
            })
        );
    }
    match &fit.overall {
        Some(ov) => overall_text(&mut o, fit, ov, st),
        None => {
            let _ = writeln!(
                o,
                "\n  The case table has no overall ratings: no model comparison; outcomes are linked with {}.",
                fit.model.chosen
            );
        }
    }
    outcome_text(&mut o, &fit.outcome, st);
    if let Some(r) = &fit.read {
        left_out_text(&mut o, r);
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

fn overall_text(o: &mut String, fit: &Fit, ov: &OverallFit, st: Style) {
    let folds = fit.folds * fit.repeats;
    let _ = writeln!(
        o,
        "\n{}  (the overall rating of {} cases; mean ± sd over {folds} test folds)",
        st.bold("Out of sample"),
        thousands(ov.cases)
    );
    let _ = writeln!(
        o,
        "  {:<14} {:>15} {:>15} {:>13}",
        "model", "RMSE", "MAE", "R²"
    );
    for m in &ov.models {
        let mark = if m.name == ov.best {
            "  ← chosen"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "  {:<14} {:>15} {:>15} {:>13}{mark}",
            m.name,
            pm(m.rmse, 3),
            pm(m.mae, 3),
            m.r2.map_or("—".into(), |r| pm(r, 2))
        );
    }
    let _ = writeln!(
        o,
        "  {}",
        st.dim(&format!(
            "predicting the training folds' mean: RMSE {}, MAE {}; R² is measured against it",
            fixed(ov.baseline.0.mean, 3),
            fixed(ov.baseline.1.mean, 3)
        ))
    );
    let chosen = ov.models.iter().find(|m| m.name == ov.best);
    let why = match ov.choice {
        Choice::LowestFixed => {
            "the lowest RMSE of the fixed models; the fitted blend does not beat it by more than one standard error"
        }
        Choice::Blend => "the fitted blend beats every fixed model by more than one standard error",
        Choice::Asked => "asked for with --use",
    };
    let _ = writeln!(o, "\n{} {} — {why}", st.bold("Chosen:"), ov.best);
    if let Some(m) = chosen {
        let _ = writeln!(
            o,
            "  overall rating ≈ {} {} {} × remembered experience  (remembered on the journey scale −10..10)",
            significant(m.calibration.intercept, 3),
            if m.calibration.slope < 0.0 {
                "−"
            } else {
                "+"
            },
            significant(m.calibration.slope.abs(), 3)
        );
    }
    blend_text(o, ov, st);
    let l = &ov.length;
    let holds = l
        .coefficient
        .interval
        .is_some_and(|[a, b]| a <= 0.0 && 0.0 <= b)
        || l.rmse_change.mean >= 0.0;
    let _ = writeln!(
        o,
        "\n{}  each extra event in a case goes with {} on the overall rating (95 % {}); adding length to the blend changes the out-of-sample RMSE by {}: {}",
        st.bold("Duration neglect"),
        signed_fixed(l.coefficient.value, 3),
        interval(l.coefficient.interval, 3),
        signed_fixed(l.rmse_change.mean, 4),
        if holds {
            "the case's length adds nothing the moments do not say (duration neglect holds)"
        } else {
            "length predicts the overall rating beyond the rated moments here (unrated moments, or duration itself, may carry it)"
        }
    );
}

fn blend_text(o: &mut String, ov: &OverallFit, st: Style) {
    let b = &ov.blend;
    let _ = writeln!(
        o,
        "\n{}  (ridge penalty {}; 95 % intervals from {} bootstrap resamples of accounts)",
        st.bold("Fitted blend"),
        significant(b.lambda, 2),
        thousands(b.resamples as u64)
    );
    let _ = writeln!(
        o,
        "  {:<8} {:>7} {:>17}   {:>12} {:>17}   {:>5}",
        "feature", "weight", "95 % interval", "per point", "95 % interval", "VIF"
    );
    for ((f, w), (_, c)) in b.weights.iter().zip(&b.coefficients) {
        let vif = ov
            .collinearity
            .vif
            .iter()
            .find(|(g, _)| g == f)
            .and_then(|(_, v)| *v);
        let _ = writeln!(
            o,
            "  {:<8} {:>7} {:>17}   {:>12} {:>17}   {:>5}",
            f.name(),
            num(w.value, 3),
            interval(w.interval, 3),
            num(c.value, 4),
            interval(c.interval, 4),
            vif.map_or("∞".into(), |v| significant(v, 2))
        );
    }
    let _ = writeln!(
        o,
        "  {}",
        st.dim(&format!(
            "weights: each feature's share of the memory (level weights sum to 1; trend is per step); per point: overall rating per point of the feature; slope {} (95 % {})",
            num(b.slope.value, 4),
            interval(b.slope.interval, 4)
        ))
    );
    let c = &ov.collinearity;
    if c.warns() {
        let mut why = Vec::new();
        if let Some(r) = c.peak_end_mean.filter(|r| r.abs() > 0.8) {
            why.push(format!(
                "peak-end and the mean correlate r = {} across these cases",
                fixed(r, 2)
            ));
        }
        let loose: Vec<&str> = c
            .vif
            .iter()
            .filter(|(_, v)| v.is_none_or(|v| v > 10.0))
            .map(|(f, _)| f.name())
            .collect();
        if !loose.is_empty() {
            why.push(format!(
                "{} {} nearly a combination of the others (VIF above 10)",
                loose.join(", "),
                if loose.len() == 1 { "is" } else { "are" }
            ));
        }
        let _ = writeln!(
            o,
            "  {} {}: the blend can move weight between these features with little change in fit, so single weights are not identified (Cojuharenco & Ryvkin 2008). Read the out-of-sample comparison and the intervals, not the point weights.",
            st.bold("Warning:"),
            why.join("; ")
        );
    }
}

fn outcome_text(o: &mut String, outcome: &Result<OutcomeFit, NoOutcome>, st: Style) {
    match outcome {
        Ok(f) => {
            let name = &f.link.outcome;
            let _ = writeln!(
                o,
                "\n{}  {name}: {} cases, {} {name}",
                st.bold("Outcome"),
                thousands(f.cases),
                crate::numfmt::percent(f.link.rate)
            );
            let _ = writeln!(
                o,
                "  out of sample: AUC {}; log-loss {} against {} predicting the {name} rate",
                f.auc
                    .map_or("— (no test fold held both outcomes)".into(), |a| pm(a, 2)),
                pm(f.log_loss, 3),
                pm(f.baseline_log_loss, 3)
            );
            let [a, b] = f.per_point_interval;
            let _ = writeln!(
                o,
                "  each +1 of remembered experience ({}) goes with {} {name} (95 % CI {} to {}, robust to accounts)",
                f.memory,
                pp(f.per_point),
                pp(a),
                pp(b)
            );
            if let Some(v) = f.link.value {
                let _ = writeln!(
                    o,
                    "  a case with outcome {name} is worth {} on average (the case table's value): +1 remembered ≈ {} per case",
                    super::amount(v),
                    super::signed_amount(f.per_point * v)
                );
            }
            let _ = writeln!(
                o,
                "  {}",
                st.dim("an association in these data, not a proof that memory causes the outcome")
            );
        }
        Err(NoOutcome::NoOutcomes) => {}
        Err(NoOutcome::OneClass { outcome, cases }) => {
            let _ = writeln!(
                o,
                "\n{}  not fitted: every one of the {} cases with an outcome is {outcome}; a link needs both outcomes",
                st.bold("Outcome"),
                thousands(*cases)
            );
        }
        Err(NoOutcome::TooFew { cases, accounts }) => {
            let _ = writeln!(
                o,
                "\n{}  not fitted: {} cases in {} accounts have an outcome, too few for the folds",
                st.bold("Outcome"),
                thousands(*cases),
                thousands(*accounts)
            );
        }
    }
}

fn left_out_text(o: &mut String, r: &ReadReport) {
    let none: &[String] = &[];
    let rows: [(u64, &str, &str, &[String]); 5] = [
        (
            r.unrated,
            "case",
            "of the table with no rated moment in the log",
            &r.unrated_examples,
        ),
        (
            r.not_in_log,
            "case",
            "of the table not in the log",
            &r.not_in_log_examples,
        ),
        (
            r.nothing_to_learn,
            "case",
            "of the table with neither an overall rating nor an outcome",
            none,
        ),
        (r.not_in_table, "case", "of the log not in the table", none),
        (
            r.skipped_events,
            "event",
            "whose lifecycle is not complete",
            none,
        ),
    ];
    let parts: Vec<String> = rows
        .iter()
        .filter(|row| row.0 > 0)
        .map(|&(n, noun, what, examples)| {
            let first = if examples.is_empty() {
                String::new()
            } else {
                format!(" (first: {})", examples.join(", "))
            };
            let s = if n == 1 { "" } else { "s" };
            format!("{} {noun}{s} {what}{first}", thousands(n))
        })
        .collect();
    if !parts.is_empty() {
        let _ = writeln!(o, "\nLeft out: {}.", parts.join("; "));
    }
    for n in &r.notes {
        let _ = writeln!(o, "Note: {n}.");
    }
}

fn spread(s: Spread) -> Value {
    json!({"mean": s.mean, "sd": s.sd})
}

fn features<T>(v: &[(Feature, T)], f: impl Fn(&T) -> Value) -> Value {
    let mut m = Map::new();
    for (k, x) in v {
        m.insert(k.name().to_string(), f(x));
    }
    Value::Object(m)
}

/// A fit as JSON (the contract of `peakend fit --format json`): `cases`,
/// `accounts`, `folds`, `repeats`, `seed`; `models` (`name`, `rmse`,
/// `mae`, `r2` — out-of-sample means — with `rmse_sd`, `mae_sd`, `r2_sd`,
/// `weights`, `calibration`); `baseline`; `best`; `choice`; `weights` (the
/// fitted blend, features named as in `--weights`) with
/// `weight_intervals`; `blend` (coefficients, intercept, slope, penalty,
/// resamples); `collinearity`; `length`; `outcome` (or `outcome_not_fitted`);
/// `read` (what was left out); `model` (the model file `-o` writes).
/// Without overall ratings, `models` is empty and `best` and `weights` are
/// null. No NaN anywhere: a figure that cannot be computed is null.
///
/// ```
/// use peakend::fit::{Cases, FitOptions};
/// let mut cases = Cases::new();
/// for i in 0..60 {
///     let e = [(i % 7) as f64 - 3.0, (i % 5) as f64 - 2.0];
///     cases.push(&e, None, Some(e[1] + (i % 3) as f64 / 10.0), None, None);
/// }
/// let fit = peakend::fit::fit(&cases, &FitOptions::new().bootstrap(50))?;
/// let v: serde_json::Value = serde_json::from_str(&peakend::render::fit_json(&fit)).unwrap();
/// assert_eq!(v["best"], "end");
/// assert_eq!(v["models"].as_array().unwrap().len(), 6);
/// # Ok::<(), peakend::fit::FitError>(())
/// ```
#[must_use]
pub fn fit_json(fit: &Fit) -> String {
    let mut top = Map::new();
    top.insert("cases".into(), json!(fit.cases));
    top.insert("accounts".into(), json!(fit.accounts));
    top.insert("folds".into(), json!(fit.folds));
    top.insert("repeats".into(), json!(fit.repeats));
    top.insert("seed".into(), json!(fit.seed));
    match &fit.overall {
        Some(ov) => overall_json(&mut top, ov),
        None => {
            top.insert("models".into(), json!([]));
            top.insert("best".into(), Value::Null);
            top.insert("weights".into(), Value::Null);
        }
    }
    match &fit.outcome {
        Ok(f) => {
            top.insert(
                "outcome".into(),
                json!({
                    "outcome": f.link.outcome,
                    "memory": f.memory,
                    "cases": f.cases,
                    "rate": f.link.rate,
                    "auc": f.auc.map(spread),
                    "log_loss": spread(f.log_loss),
                    "baseline_log_loss": spread(f.baseline_log_loss),
                    "per_point": f.per_point,
                    "per_point_interval": f.per_point_interval,
                    "intercept": f.link.intercept,
                    "slope": f.link.slope,
                    "slope_interval": f.link.slope_interval,
                    "value": f.link.value,
                }),
            );
        }
        Err(NoOutcome::NoOutcomes) => {
            top.insert("outcome".into(), Value::Null);
        }
        Err(e) => {
            top.insert("outcome".into(), Value::Null);
            top.insert(
                "outcome_not_fitted".into(),
                serde_json::to_value(e).unwrap_or(Value::Null),
            );
        }
    }
    if let Some(r) = &fit.read {
        top.insert(
            "read".into(),
            serde_json::to_value(r).unwrap_or(Value::Null),
        );
    }
    top.insert(
        "model".into(),
        serde_json::from_str(&fit.model.to_json()).unwrap_or(Value::Null),
    );
    let mut s = serde_json::to_string_pretty(&Value::Object(top)).unwrap_or_default();
    s.push('\n');
    s
}

fn overall_json(top: &mut Map<String, Value>, ov: &OverallFit) {
    let models: Vec<Value> = ov
        .models
        .iter()
        .map(|m| {
            json!({
                "name": m.name,
                "rmse": m.rmse.mean,
                "rmse_sd": m.rmse.sd,
                "mae": m.mae.mean,
                "mae_sd": m.mae.sd,
                "r2": m.r2.map(|r| r.mean),
                "r2_sd": m.r2.map(|r| r.sd),
                "weights": features(&m.weights, |w| json!(w)),
                "calibration": {"intercept": m.calibration.intercept, "slope": m.calibration.slope},
            })
        })
        .collect();
    top.insert("models".into(), Value::Array(models));
    top.insert(
        "baseline".into(),
        json!({"rmse": ov.baseline.0.mean, "mae": ov.baseline.1.mean}),
    );
    top.insert("best".into(), json!(ov.best));
    top.insert(
        "choice".into(),
        serde_json::to_value(ov.choice).unwrap_or(Value::Null),
    );
    let b = &ov.blend;
    top.insert("weights".into(), features(&b.weights, |e| finite(e.value)));
    top.insert(
        "weight_intervals".into(),
        features(&b.weights, |e| json!(e.interval)),
    );
    top.insert(
        "blend".into(),
        json!({
            "coefficients": features(&b.coefficients, |e| finite(e.value)),
            "coefficient_intervals": features(&b.coefficients, |e| json!(e.interval)),
            "intercept": finite(b.intercept.value),
            "intercept_interval": b.intercept.interval,
            "slope": finite(b.slope.value),
            "slope_interval": b.slope.interval,
            "lambda": b.lambda,
            "resamples": b.resamples,
        }),
    );
    let c = &ov.collinearity;
    top.insert(
        "collinearity".into(),
        json!({
            "vif": features(&c.vif, |v| json!(v)),
            "peak_end_mean": c.peak_end_mean,
            "warning": c.warns(),
        }),
    );
    top.insert(
        "length".into(),
        json!({
            "coefficient": finite(ov.length.coefficient.value),
            "interval": ov.length.coefficient.interval,
            "rmse_change": ov.length.rmse_change.mean,
            "rmse_change_sd": ov.length.rmse_change.sd,
        }),
    );
}

/// A number, or null where it is not finite.
fn finite(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}
