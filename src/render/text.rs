//! Renderers of an [`Analysis`]: text for people, JSON for tools.

use super::score;
use crate::analysis::{Analysis, PathResult};
use crate::journey::Scale;
use crate::numfmt::{fixed, percent, shell_quote, signed, significant};
use crate::recommend::{Action, Recommendation};
use crate::simulate::Operation;
use std::fmt::Write;

/// Terminal styling: plain, or ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

impl Style {
    /// No colour.
    pub const PLAIN: Style = Style { color: false };
    /// ANSI colour.
    pub const COLOR: Style = Style { color: true };

    /// Whether colour is on.
    pub(crate) fn is_color(&self) -> bool {
        self.color
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn valence(&self, s: &str, x: f64, neutral: f64) -> String {
        if x < neutral {
            self.paint("31", s)
        } else if x > neutral {
            self.paint("32", s)
        } else {
            s.to_string()
        }
    }
}

fn fit(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        format!("{s}{}", " ".repeat(width - n))
    } else {
        let cut: String = s.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

pub(crate) fn pad_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{}{s}", " ".repeat(width.saturating_sub(n)))
}

fn show_path(p: &PathResult) -> String {
    let ids = &p.touchpoints;
    if ids.len() <= 12 {
        ids.join(" → ")
    } else {
        format!(
            "{} → … → {} ({} touchpoints)",
            ids[..5].join(" → "),
            ids[ids.len() - 4..].join(" → "),
            ids.len()
        )
    }
}

fn stage_label(t: &crate::analysis::TouchpointResult) -> Option<&str> {
    t.stage_name.as_deref().or(t.stage.as_deref())
}

fn exactness(exact: bool, se: Option<f64>) -> String {
    match (exact, se) {
        (true, _) => "exact".to_string(),
        (false, Some(se)) => format!("estimate ± {se:.3} (standard error)"),
        (false, None) => "estimate".to_string(),
    }
}

/// The analysis as a report for people: the remembered score next to the
/// dashboard average, the spread across customers, a touchpoint table and
/// the notable paths. Deterministic for a given style.
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = peakend::analyze(&j, &peakend::Model::PeakEnd, &peakend::Options::new());
/// let text = peakend::render::text(&a, peakend::Style::PLAIN);
/// assert!(text.contains("Remembered experience"));
/// ```
#[must_use]
pub fn text(a: &Analysis, st: Style) -> String {
    let mut o = String::new();
    summary(&mut o, a, st);
    remembered_moments(&mut o, a, st);
    touchpoint_table(&mut o, a, st);
    paths_and_notes(&mut o, a, st);
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// `, intensity ties: positive` when the tie rule is not the default.
pub(crate) fn tie_note(scale: &crate::journey::Scale) -> String {
    if scale.ties.is_default() {
        String::new()
    } else {
        format!(", intensity ties: {}", scale.ties.name())
    }
}

/// The journey line, remembered against average, and the spread across customers.
fn summary(o: &mut String, a: &Analysis, st: Style) {
    let scale = a.journey.scale;
    let sc = |x: f64| score(x, &scale);
    let nt = scale.neutral;
    let _ = writeln!(o, "{}", st.bold(&a.journey.name));
    let _ = writeln!(
        o,
        "{} touchpoints · {} transitions · {} path{} · scale {}..{} (neutral {}{})",
        a.journey.touchpoints,
        a.journey.transitions,
        a.paths.count,
        if matches!(a.paths.count, crate::analysis::PathCount::Exact(1)) {
            ""
        } else {
            "s"
        },
        scale.min,
        scale.max,
        scale.neutral,
        tie_note(&scale)
    );
    let _ = writeln!(o);
    let rem = a.remembered.expected;
    let mean = a.mean.expected;
    let _ = writeln!(
        o,
        "{}  {}   {}  [{}]",
        st.bold("Remembered experience"),
        st.valence(&pad_left(&sc(rem), 5), rem, nt),
        a.remembered.explain,
        exactness(a.remembered.exact, a.remembered.standard_error)
    );
    let _ = writeln!(
        o,
        "Dashboard average      {}   duration-weighted mean of every moment  [{}]",
        st.valence(&pad_left(&sc(mean), 5), mean, nt),
        exactness(a.mean.exact, a.mean.standard_error)
    );
    let gap = rem - mean;
    let verdict = if gap < -0.05 {
        "customers remember it worse than the average suggests"
    } else if gap > 0.05 {
        "customers remember it better than the average suggests"
    } else {
        "memory and average agree"
    };
    let _ = writeln!(
        o,
        "Gap                    {}   {verdict}",
        pad_left(&signed(gap), 5)
    );
    let _ = writeln!(o);
    let d = &a.distribution;
    let neg = match d.negative_share_standard_error {
        Some(se) => format!("{} (± {:.1} points)", percent(d.negative_share), se * 100.0),
        None => percent(d.negative_share),
    };
    let neg = if d.negative_share == 0.0 {
        "0%".to_string()
    } else {
        neg
    };
    let _ = writeln!(
        o,
        "Across customers       {neg} remember the journey as negative  [{}]",
        if d.exact { "exact" } else { "estimate" }
    );
    let _ = writeln!(
        o,
        "                       p10 {} · median {} · p90 {} · range {} .. {}",
        sc(d.p10),
        sc(d.p50),
        sc(d.p90),
        sc(d.min),
        sc(d.max)
    );
    let _ = writeln!(o);
    outcomes(o, a, st);
}

/// What the ends mean for the business: each outcome's share of customers.
fn outcomes(o: &mut String, a: &Analysis, st: Style) {
    if a.outcomes.is_empty() {
        return;
    }
    let _ = writeln!(o, "{}", st.bold("Outcomes"));
    let width = a
        .outcomes
        .iter()
        .map(|x| x.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    for x in &a.outcomes {
        let kind = match x.kind {
            crate::spec::OutcomeKind::Win => "win",
            crate::spec::OutcomeKind::Loss => "loss",
            crate::spec::OutcomeKind::Neutral => "neutral",
        };
        let value = x
            .expected_value
            .map(|v| format!("  expected value {}", crate::numfmt::significant(v, 6)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}  {:<7}  {} of customers{value}",
            fit(&x.name, width),
            kind,
            pad_left(&percent(x.share), 6)
        );
    }
    let _ = writeln!(o);
}

/// What customers remember as the peak and as the ending.
fn remembered_moments(o: &mut String, a: &Analysis, st: Style) {
    let scale = a.journey.scale;
    let sc = |x: f64| score(x, &scale);
    let nt = scale.neutral;
    // The moments that make the memory.
    let top = |key: &dyn Fn(&crate::analysis::TouchpointResult) -> f64| {
        let mut v: Vec<&crate::analysis::TouchpointResult> =
            a.touchpoints.iter().filter(|t| key(t) > 0.0).collect();
        v.sort_by(|x, y| key(y).total_cmp(&key(x)));
        let shown: Vec<String> = v
            .iter()
            .take(3)
            .map(|t| {
                format!(
                    "\"{}\" ({}) for {}",
                    t.name,
                    st.valence(&sc(t.emotion), t.emotion, nt),
                    percent(key(t))
                )
            })
            .collect();
        let more = v.len().saturating_sub(3);
        let mut line = shown.join(" · ");
        if more > 0 {
            let _ = write!(line, " · {more} more");
        }
        line
    };
    let _ = writeln!(o, "{}", st.bold("What customers remember"));
    let _ = writeln!(o, "  as the peak     {}", top(&|t| t.peak_share));
    let _ = writeln!(o, "  as the ending   {}", top(&|t| t.end_share));
    let _ = writeln!(o);
}

/// One row per touchpoint: emotion, visit, peak and end shares.
fn touchpoint_table(o: &mut String, a: &Analysis, st: Style) {
    let scale = a.journey.scale;
    let sc = |x: f64| score(x, &scale);
    let nt = scale.neutral;
    // Touchpoint table.
    let _ = writeln!(o, "{}", st.bold("Touchpoints"));
    let _ = writeln!(
        o,
        "{}",
        st.dim("  visit: customers who pass it · peak: for whom it is the remembered peak · end: whose journey ends there")
    );
    let idw = a
        .touchpoints
        .iter()
        .map(|t| t.id.chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 20);
    let namew = a
        .touchpoints
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    let has_stage = a.touchpoints.iter().any(|t| t.stage.is_some());
    let stagew = a
        .touchpoints
        .iter()
        .filter_map(|t| stage_label(t).map(|s| s.chars().count()))
        .max()
        .unwrap_or(5)
        .clamp(5, 16);
    let mut header = format!("  {}  {}", fit("id", idw), fit("name", namew));
    if has_stage {
        let _ = write!(header, "  {}", fit("stage", stagew));
    }
    let _ = write!(header, "  emotion   visit    peak     end");
    let _ = writeln!(o, "{}", st.bold(header.trim_end()));
    for t in &a.touchpoints {
        let mut line = format!("  {}  {}", fit(&t.id, idw), fit(&t.name, namew));
        if has_stage {
            let _ = write!(line, "  {}", fit(stage_label(t).unwrap_or(""), stagew));
        }
        let emo = pad_left(&sc(t.emotion), 7);
        let _ = write!(
            line,
            "  {}  {}  {}  {}",
            st.valence(&emo, t.emotion, nt),
            pad_left(&percent(t.visit), 6),
            pad_left(&percent(t.peak_share), 6),
            pad_left(&percent(t.end_share), 6)
        );
        let _ = writeln!(o, "{}", line.trim_end());
    }
    let _ = writeln!(o);
}

/// The notable paths, what was estimated, and the warnings.
fn paths_and_notes(o: &mut String, a: &Analysis, st: Style) {
    let scale = a.journey.scale;
    let sc = |x: f64| score(x, &scale);
    let nt = scale.neutral;
    let _ = writeln!(o, "{}", st.bold("Paths"));
    for (label, p) in [
        ("main route", &a.paths.main),
        ("most likely", &a.paths.most_likely),
        ("best", &a.paths.best),
        ("worst", &a.paths.worst),
    ] {
        let _ = writeln!(
            o,
            "  {}  {} of customers  remembered {}{}  {}",
            fit(label, 11),
            pad_left(&percent(p.probability), 6),
            st.valence(&pad_left(&sc(p.score), 5), p.score, nt),
            if p.exact { "" } else { " (best sampled)" },
            show_path(p)
        );
    }
    if let Some(e) = &a.estimate {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Estimated by Monte Carlo ({} sampled paths, seed {}): {}. All other figures are exact.",
            e.samples,
            e.seed,
            e.figures
                .iter()
                .map(|f| f.path())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !a.warnings.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", st.bold("Warnings"));
        for w in &a.warnings {
            let _ = writeln!(o, "  {w}");
        }
    }
}

/// The moments as text: defining moments with their reasons, missed
/// moments, forgettable touchpoints.
///
/// ```
/// use peakend::{analyze, render, Journey, Model, Moments, Options, Thresholds};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = analyze(&j, &Model::PeakEnd, &Options::new());
/// let m = Moments::find(&j, &a, &Thresholds::new());
/// assert!(render::moments_text(&m, peakend::Style::PLAIN).contains("peak, pit"));
/// ```
#[must_use]
pub fn moments_text(m: &crate::moments::Moments, st: Style) -> String {
    let signed = |x: f64| score(x, &m.scale);
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold("Defining moments"));
    let _ = writeln!(
        o,
        "{}",
        st.dim("  where memory is made: remembered peaks and endings, pits, transitions, milestones, EPIC moments")
    );
    if m.defining.is_empty() {
        let _ = writeln!(o, "  none");
    }
    let namew = m
        .defining
        .iter()
        .map(|x| x.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    for x in &m.defining {
        let reasons: Vec<&str> = x.reasons.iter().map(|r| r.name()).collect();
        let _ = writeln!(
            o,
            "  {}  {}  weight {:>5.2}  {}",
            fit(&x.name, namew),
            st.valence(&pad_left(&signed(x.emotion), 5), x.emotion, m.neutral),
            x.memory_weight,
            reasons.join(", ")
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", st.bold("Missed moments"));
    let _ = writeln!(
        o,
        "{}",
        st.dim(
            "  transitions and milestones near neutral: mark them, commemorate them, build a peak"
        )
    );
    if m.missed.is_empty() {
        let _ = writeln!(o, "  none");
    }
    for x in &m.missed {
        let reasons: Vec<&str> = x.reasons.iter().map(|r| r.name()).collect();
        let _ = writeln!(
            o,
            "  \"{}\" ({}) — {}, passed by {}",
            x.name,
            signed(x.emotion),
            reasons.join(" and "),
            percent(x.visit)
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", st.bold("Forgettable touchpoints"));
    let _ = writeln!(
        o,
        "{}",
        st.dim("  memory weight about 0: a small improvement here moves no one's memory (a raise big enough to make a new peak is a what-if: see `recommend`)")
    );
    if m.forgettable.is_empty() {
        let _ = writeln!(o, "  none");
    }
    for x in &m.forgettable {
        let cost = x
            .improvement_cost
            .map(|c| format!(" · planned improvement costs {c}"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  \"{}\" ({}), passed by {}{cost}",
            x.name,
            signed(x.emotion),
            percent(x.visit)
        );
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// A what-if simulation as text: the operations, the remembered experience
/// before and after, the spread across customers, and the moments that
/// changed.
///
/// ```
/// use peakend::{render, Analyzer, Journey, Model, Operation};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-3},{"id":"b","name":"B","emotion":-8}]}"#).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let s = analyzer.simulate(&j, &analyzer.analyze(&j), &[Operation::set("b", -4.0)]).unwrap();
/// assert!(render::simulation_text(&s, peakend::Style::PLAIN).contains("-8.0 → -4.0"));
/// ```
#[must_use]
pub fn simulation_text(s: &crate::simulate::Simulation, st: Style) -> String {
    let signed = |x: f64| score(x, &s.scale);
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold("What if"));
    if s.operations.is_empty() {
        let _ = writeln!(o, "  (no change)");
    }
    for op in &s.operations {
        let _ = writeln!(o, "  {op}");
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Remembered experience  {} → {}  ({} change, {})  [{}]",
        signed(s.before),
        signed(s.after),
        crate::numfmt::signed(s.delta),
        s.model,
        if s.exact { "exact" } else { "estimate" }
    );
    let _ = writeln!(
        o,
        "Dashboard average      {} → {}",
        signed(s.mean_before),
        signed(s.mean_after)
    );
    let (a, b) = (&s.distribution_before, &s.distribution_after);
    let _ = writeln!(
        o,
        "Remember it negative   {} → {}",
        percent(a.negative_share),
        percent(b.negative_share)
    );
    let _ = writeln!(
        o,
        "p10 · median · p90     {} · {} · {} → {} · {} · {}",
        signed(a.p10),
        signed(a.p50),
        signed(a.p90),
        signed(b.p10),
        signed(b.p50),
        signed(b.p90)
    );
    for (title, list) in [
        ("Became defining", &s.became_defining),
        ("Stopped being defining", &s.stopped_defining),
    ] {
        if !list.is_empty() {
            let _ = writeln!(o);
            let _ = writeln!(o, "{}", st.bold(title));
            for m in list {
                let r: Vec<&str> = m.reasons.iter().map(|r| r.name()).collect();
                let _ = writeln!(o, "  {} ({})", m.id, r.join(", "));
            }
        }
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// Recommendations as text: ranked actions with their rationale and the
/// `peakend simulate` command that reproduces each lift, the plan, where
/// not to invest, and where the dashboard average would rank differently.
/// `file` is used in the reproduce commands.
///
/// ```
/// use peakend::{render, Analyzer, Journey, Model};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":2},{"id":"b","name":"B","emotion":-8}]}"#).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let r = analyzer.recommend(&j, &analyzer.analyze(&j), None);
/// assert!(render::recommendations_text(&r, "x.json", peakend::Style::PLAIN).contains("peakend simulate x.json"));
/// ```
#[must_use]
pub fn recommendations_text(
    r: &crate::recommend::Recommendations,
    file: &str,
    st: Style,
) -> String {
    let sc = |x: f64| score(x, &r.scale);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}  (model {}, remembered now {})",
        st.bold("Where to invest"),
        r.model,
        sc(r.before)
    );
    let _ = writeln!(
        o,
        "{}",
        st.dim("  every lift is simulated: rerun the command shown to reproduce it")
    );
    if let Some(l) = &r.outcome_link {
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  → each action's expected effect on {} (the model's outcome link, fitted on {} cases; from the journey's expected memory)",
                l.outcome,
                crate::numfmt::thousands(l.cases)
            ))
        );
    }
    if r.recommendations.iter().any(|x| x.cost_assumed) {
        let _ = writeln!(o, "{}", st.dim(&format!("  {}", assumed_cost_note(r))));
    }
    if let Some(e) = &r.estimate {
        let _ = writeln!(o, "{}", st.dim(&format!("  {}", advice_estimate_note(e))));
    }
    if r.recommendations.is_empty() {
        let _ = writeln!(o, "  no candidate action lifts the remembered experience");
    }
    const SHOWN: usize = 10;
    for (k, x) in r.recommendations.iter().enumerate().take(SHOWN) {
        let _ = writeln!(o);
        let ratio = if x.cost > 0.0 {
            format!("{} per unit of cost", fixed(x.lift / x.cost, 3))
        } else {
            "free".to_string()
        };
        let _ = writeln!(
            o,
            "  {:>2}. {}  lift {}{}{}  cost {}{}  ({ratio})",
            k + 1,
            st.bold(x.action.name()),
            st.valence(&signed(x.lift), x.lift, 0.0),
            plus_minus(x.lift_standard_error),
            robustness(x),
            x.cost,
            if x.cost_assumed { " (assumed)" } else { "" }
        );
        let _ = writeln!(o, "      {}", rationale(x, &r.scale));
        if let Some(b) = &x.rests_on {
            let _ = writeln!(o, "      {}", st.dim(&rests_on(b)));
        }
        if !x.outcome_shifts.is_empty() {
            let _ = writeln!(o, "      {}", outcome_line(x));
        }
        if let (Some(e), Some(l)) = (&x.outcome_effect, &r.outcome_link) {
            let _ = writeln!(o, "      {}", outcome_effect_line(e, l));
        }
        if !x.alternatives.is_empty() {
            let _ = writeln!(o, "      {}", st.dim(&alternatives(x)));
        }
        let _ = writeln!(
            o,
            "      {}",
            st.dim(&simulate_command(
                file,
                r.model_flags.as_deref(),
                &x.operation.flag()
            ))
        );
    }
    if r.recommendations.len() > SHOWN {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  … {} more candidate actions with a smaller lift per cost (--format json lists them all)",
            r.recommendations.len() - SHOWN
        );
    }
    if let Some(p) = &r.plan {
        plan_text(&mut o, r, p, file, st);
    }
    by_owner(&mut o, r, st);
    where_not_to_invest(&mut o, r, st);
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// What a figure rests on, in a few words: "rests on 2 assumed ratings,
/// n = 0"; with rated ones, their kinds and their customers' ratings.
///
/// ```
/// let mut b = peakend::Basis::default();
/// b.assumed = 2;
/// assert_eq!(peakend::render::rests_on(&b), "rests on 2 assumed ratings, n = 0");
/// ```
#[must_use]
pub fn rests_on(b: &crate::evidence::Basis) -> String {
    let rated = b.measured + b.survey + b.interview;
    let kinds: Vec<String> = [
        (b.measured, "measured"),
        (b.survey, "survey"),
        (b.interview, "interview"),
    ]
    .iter()
    .filter(|(k, _)| *k > 0)
    .map(|(k, name)| format!("{k} {name}"))
    .collect();
    let s = |k: usize| if k == 1 { "" } else { "s" };
    match (rated, b.assumed) {
        (0, 0) => "rests on no rating".into(),
        (0, a) => format!("rests on {a} assumed rating{}, n = 0", s(a)),
        (r, 0) => format!(
            "rests on {r} rating{} ({}), n = {}",
            s(r),
            kinds.join(", "),
            crate::numfmt::thousands(b.n)
        ),
        (r, a) => format!(
            "rests on {r} rating{} ({}, n = {}) and {a} assumed ({} of the memory weight now)",
            s(r),
            kinds.join(", "),
            crate::numfmt::thousands(b.n),
            if b.assumed_weight < 0.0005 {
                "none".into()
            } else {
                crate::numfmt::short_percent(b.assumed_weight)
            }
        ),
    }
}

/// What the remembered experience rests on and its interval from the
/// ratings' uncertainty, as a section of the analysis text.
#[must_use]
pub fn evidence_text(e: &crate::evidence::Evidence, scale: &Scale, st: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold("Evidence"));
    let _ = writeln!(o, "  the remembered experience {}", rests_on(&e.basis));
    if let Ok(i) = &e.interval {
        let _ = writeln!(
            o,
            "  95% interval  {} .. {}  from the ratings' uncertainty  [{}]",
            score(i.low, scale),
            score(i.high, scale),
            interval_method(i)
        );
        // "One customer's rating" is what the default means; a chosen
        // value is just shown.
        let default = (scale.max - scale.min) / 4.0;
        let why = if (i.assumed_sd - default).abs() < 1e-12 {
            ", one customer's rating"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "  each emotion ± its standard error (sd/√n; an assumed one ± {}{why}); route \
                 probabilities as given",
                crate::numfmt::shown(i.assumed_sd)
            ))
        );
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

/// How an interval was computed, in a few words.
#[must_use]
pub(crate) fn interval_method(i: &crate::evidence::Interval) -> String {
    match i.method {
        crate::evidence::IntervalMethod::Linearised => format!(
            "linearised from the memory weights: more than {} draws × touchpoints for Monte \
             Carlo; too narrow where an uncertain rating could become the peak",
            crate::numfmt::thousands(crate::evidence::MAX_INTERVAL_WORK as u64)
        ),
        _ => format!(
            "estimate: {} draws, seed {}, bounds ± {}",
            i.draws,
            i.seed.unwrap_or_default(),
            fixed(
                i.low_standard_error
                    .unwrap_or(0.0)
                    .max(i.high_standard_error.unwrap_or(0.0)),
                2
            )
        ),
    }
}

/// Where assumed costs come from, in one sentence.
#[must_use]
pub fn assumed_cost_note(r: &crate::recommend::Recommendations) -> String {
    match r.assumed_cost {
        crate::recommend::AssumedCost::Median { value, of } => format!(
            "a cost marked (assumed) is not in the journey: it is {value}, the median of the {of} improvement cost{} the journey gives",
            if of == 1 { "" } else { "s" }
        ),
        crate::recommend::AssumedCost::Default { value } => format!(
            "the journey gives no costs: every action counts as costing {value} (assumed); add improvement costs for a ranking that means money"
        ),
    }
}

/// Whether a lift survives a tie in intensity going the other way.
#[must_use]
pub fn robustness(x: &Recommendation) -> String {
    if x.fragile {
        " (fragile: only through a tie in intensity; none if the tie goes the other way)".into()
    } else if signed(x.robust_lift) != signed(x.lift) {
        format!(" (robust {})", signed(x.robust_lift))
    } else {
        String::new()
    }
}

/// How an action moves the outcomes, on one line.
#[must_use]
pub fn outcome_line(x: &Recommendation) -> String {
    let list: Vec<String> = x
        .outcome_shifts
        .iter()
        .map(|s| format!("'{}' {} → {}", s.name, percent(s.before), percent(s.after)))
        .collect();
    format!("outcomes: {}", list.join(" · "))
}

/// The other actions on the same place, on one line.
fn alternatives(x: &Recommendation) -> String {
    let list: Vec<String> = x
        .alternatives
        .iter()
        .map(|a| {
            format!(
                "{} {} (cost {}{})",
                a.action.name(),
                signed(a.lift),
                a.cost,
                if a.cost_assumed { ", assumed" } else { "" }
            )
        })
        .collect();
    format!("also here: {}", list.join(" · "))
}

/// The budgeted plan and the command that applies it.
fn plan_text(
    o: &mut String,
    r: &crate::recommend::Recommendations,
    p: &crate::recommend::Plan,
    file: &str,
    st: Style,
) {
    let sc = |x: f64| score(x, &r.scale);
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}  budget {}: {} action{}, cost {}, lift {} ({} → {})",
        st.bold("Plan"),
        p.budget,
        p.actions.len(),
        if p.actions.len() == 1 { "" } else { "s" },
        p.cost,
        signed(p.lift),
        sc(r.before),
        sc(p.after)
    );
    for (k, x) in p.actions.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {}. {} {}  (+{} at this point, cost {}{})",
            k + 1,
            x.action.name(),
            x.touchpoint
                .as_deref()
                .unwrap_or("(new closing touchpoint)"),
            fixed(x.lift, 2),
            x.cost,
            if x.cost_assumed { ", assumed" } else { "" }
        );
    }
    if let (Some(e), Some(l)) = (&p.outcome_effect, &r.outcome_link) {
        let _ = writeln!(o, "  {}", outcome_effect_line(e, l));
    }
    if !p.actions.is_empty() {
        let _ = writeln!(
            o,
            "  {}",
            st.dim(&simulate_command(
                file,
                r.model_flags.as_deref(),
                &simulate_flags(&p.operations)
            ))
        );
    }
}

/// The model in use, on one line: "Model: remembered = fitted model …
/// (from peakend fit on log.csv + cases.csv: 800 cases …)".
///
/// ```
/// let line = peakend::render::model_line(&peakend::Model::Mean);
/// assert!(line.starts_with("Model: remembered = duration-weighted average"));
/// ```
#[must_use]
pub fn model_line(model: &dyn crate::memory::MemoryModel) -> String {
    format!("Model: {}", model.explain())
}

/// The `peakend simulate` command for a journey file, the model's flags
/// and the operations' flags, quoted for a POSIX shell.
///
/// ```
/// let words = ["--model".to_string(), "my model.json".to_string()];
/// assert_eq!(
///     peakend::render::simulate_command("a b.json", Some(&words), "--set x=1"),
///     "peakend simulate 'a b.json' --model 'my model.json' --set x=1"
/// );
/// ```
#[must_use]
pub fn simulate_command(file: &str, model_flags: Option<&[String]>, ops: &str) -> String {
    format!(
        "peakend simulate {} {ops}",
        file_and_flags(file, model_flags)
    )
}

/// A journey file and the model's flags, quoted for a POSIX shell.
pub(crate) fn file_and_flags(file: &str, model_flags: Option<&[String]>) -> String {
    let mut s = shell_quote(file);
    for w in model_flags.unwrap_or_default() {
        s.push(' ');
        s.push_str(&shell_quote(w));
    }
    s
}

/// An action's expected effect on the outcome, on one line: "→ renewed
/// +1.2 pp (95 % +0.9 to +1.5 pp), ≈ +144 per case".
#[must_use]
pub fn outcome_effect_line(
    e: &crate::memory::OutcomeEffect,
    l: &crate::memory::OutcomeLink,
) -> String {
    let pp = |x: f64| super::signed_fixed(100.0 * x, 1);
    let value = e
        .value
        .map(|v| format!(", ≈ {} per case", super::signed_amount(v)))
        .unwrap_or_default();
    format!(
        "→ {} {} pp (95 % {} to {} pp, from {}){value}",
        l.outcome,
        pp(e.change),
        pp(e.interval[0]),
        pp(e.interval[1]),
        percent(e.before)
    )
}

/// Each owner's best action, by its rank.
fn by_owner(o: &mut String, r: &crate::recommend::Recommendations, st: Style) {
    if r.by_owner.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", st.bold("Best action per owner"));
    for x in &r.by_owner {
        match x.rank {
            Some(k) => {
                let rec = &r.recommendations[k - 1];
                let _ = writeln!(
                    o,
                    "  {}: #{k} {} {}  lift {}",
                    x.owner,
                    rec.action.name(),
                    rec.touchpoint.as_deref().unwrap_or("(closing touchpoint)"),
                    signed(rec.lift)
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "  {}: no action on its touchpoints lifts the memory",
                    x.owner
                );
            }
        }
    }
}

/// Forgettable touchpoints, and where the dashboard's ranking differs.
fn where_not_to_invest(o: &mut String, r: &crate::recommend::Recommendations, st: Style) {
    let sc = |x: f64| score(x, &r.scale);
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", st.bold("Where not to invest"));
    if r.do_not_invest.is_empty() {
        let _ = writeln!(o, "  every visited touchpoint moves someone's memory");
    }
    for x in &r.do_not_invest {
        let cost = x
            .improvement_cost
            .map(|c| format!("; its planned improvement (cost {c}) would change no one's memory"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  \"{}\" ({}): neither a remembered peak nor an ending{cost}",
            x.name,
            sc(x.emotion)
        );
    }
    if !r.dashboard_would_differ.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            st.bold("What the dashboard average would do differently")
        );
        for d in &r.dashboard_would_differ {
            let _ = writeln!(
                o,
                "  it ranks {} {} #{} (average {}{}), memory ranks it #{} (remembered {})",
                d.action.name(),
                d.touchpoint.as_deref().unwrap_or("(closing touchpoint)"),
                d.mean_rank,
                signed(d.mean_lift),
                plus_minus(d.mean_lift_standard_error),
                d.memory_rank,
                signed(d.lift)
            );
        }
    }
}

/// ` ± 0.012` for an estimated figure, nothing for an exact one.
pub(crate) fn plus_minus(se: Option<f64>) -> String {
    se.map(|s| format!(" ± {}", significant(s, 2)))
        .unwrap_or_default()
}

/// Which figures of the advice are Monte Carlo estimates, and how they
/// were sampled.
#[must_use]
pub(crate) fn advice_estimate_note(e: &crate::recommend::AdviceEstimate) -> String {
    let what: Vec<&str> = e
        .figures
        .iter()
        .map(|f| match f {
            crate::recommend::EstimatedLift::Lift => "the lifts",
            crate::recommend::EstimatedLift::MeanLift => "the dashboard average's lifts",
        })
        .collect();
    format!(
        "estimated by Monte Carlo ({} sampled paths, seed {}): {}; ± is one standard error",
        e.samples,
        e.seed,
        what.join(" and ")
    )
}

/// The `peakend simulate` flags that apply these operations in order,
/// each quoted for a POSIX shell where it needs to be.
///
/// ```
/// use peakend::{render, Operation};
/// let ops = [Operation::append("Thank-you call", 2.0), Operation::remove("wait")];
/// assert_eq!(render::simulate_flags(&ops), "--append 'Thank-you call=2' --remove wait");
/// ```
#[must_use]
pub fn simulate_flags(operations: &[Operation]) -> String {
    operations
        .iter()
        .map(Operation::flag)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One sentence that says why a recommendation helps, from its figures.
///
/// ```
/// use peakend::{render, Analyzer, Journey, Model};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":2},{"id":"b","name":"B","emotion":-8}]}"#).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let r = analyzer.recommend(&j, &analyzer.analyze(&j), None);
/// assert!(render::rationale(&r.recommendations[0], &j.scale()).contains("lifts the expected remembered experience"));
/// ```
#[must_use]
pub fn rationale(r: &Recommendation, scale: &Scale) -> String {
    let why = &r.rationale;
    let signed = |x: f64| score(x, scale);
    let effect = format!(
        "lifts the expected remembered experience from {} to {}",
        signed(why.before),
        signed(why.after)
    );
    let role = |t: &crate::recommend::Role| {
        let mut parts = Vec::new();
        if t.peak_share > 0.0 {
            parts.push(format!(
                "the remembered peak for {} of customers",
                percent(t.peak_share)
            ));
        }
        if t.end_share > 0.0 {
            parts.push(format!("the ending for {}", percent(t.end_share)));
        }
        if parts.is_empty() {
            parts.push(format!("passed by {} of customers", percent(t.visit)));
        }
        parts.join(" and ")
    };
    let name = |t: &crate::recommend::Role| format!("'{}' ({})", t.name, signed(t.emotion));
    match (&r.operation, &why.touchpoint) {
        (Operation::Set { emotion, .. }, Some(t)) => {
            let verb = match r.action {
                Action::FillPit => "Fill the pit",
                Action::LiftEnding => "Lift the ending",
                _ => "Improve",
            };
            format!(
                "{verb} {}: it is {}; raising it to {} {effect}",
                name(t),
                role(t),
                signed(*emotion)
            )
        }
        (Operation::Remove { .. }, Some(t)) => {
            format!(
                "Cut the step {}: it is {}; removing it {effect}",
                name(t),
                role(t)
            )
        }
        (Operation::Probability { probability, .. }, Some(t))
            if r.action == Action::ImproveRoute =>
        {
            format!(
                "Change the route from '{}' to {} ({} instead of {} of them): it is {}; this {effect}",
                why.from_name.as_deref().unwrap_or_default(),
                name(t),
                percent(*probability),
                percent(why.from_probability.unwrap_or(0.0)),
                role(t)
            )
        }
        (Operation::Probability { probability, .. }, Some(t)) => format!(
            "Send fewer customers from '{}' into the pit {} ({} instead of {} of them): it is {}; this {effect}",
            why.from_name.as_deref().unwrap_or_default(),
            name(t),
            percent(*probability),
            percent(probability * 2.0),
            role(t)
        ),
        (Operation::Append { emotion, .. }, _) => closing_sentence(*emotion, &why.ends, &effect),
        _ => effect,
    }
}

/// The sentence for a new closing touchpoint: where journeys end now.
fn closing_sentence(emotion: f64, ends_now: &[crate::recommend::Role], effect: &str) -> String {
    // The most common ends by name (by name among equals: never by
    // the order of the file); the rest summed.
    const NAMED: usize = 5;
    let share = |k: usize| (ends_now[k].end_share * 1e9).round();
    let mut order: Vec<usize> = (0..ends_now.len()).collect();
    order.sort_by(|&a, &b| {
        share(b)
            .total_cmp(&share(a))
            .then_with(|| ends_now[a].name.cmp(&ends_now[b].name))
    });
    let mut ends: Vec<String> = order
        .iter()
        .take(NAMED)
        .map(|&k| {
            let t = &ends_now[k];
            format!(
                "'{}' ({}) for {}",
                t.name,
                signed(t.emotion),
                percent(t.end_share)
            )
        })
        .collect();
    if order.len() > NAMED {
        let rest: f64 = order[NAMED..].iter().map(|&k| ends_now[k].end_share).sum();
        ends.push(format!(
            "{} other ends for {}",
            order.len() - NAMED,
            percent(rest)
        ));
    }
    format!(
        "Add a short, gentler closing touchpoint ({}) after every end — journeys now end on {}; it {effect}",
        signed(emotion),
        ends.join(", ")
    )
}

/// Who owns the memory, as text: by owner, stage and channel, the share of
/// customers whose remembered peak and whose ending fall there and the
/// summed memory weight. Empty when the journey names no owner, stage or
/// channel.
///
/// ```
/// use peakend::{analyze, render, Journey, Model, Options, Ownership, Style};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8,"owner":"Billing"},{"id":"b","name":"B","emotion":2,"owner":"Support"}]}"#).unwrap();
/// let o = Ownership::find(&j, &analyze(&j, &Model::PeakEnd, &Options::new()));
/// assert!(render::ownership_text(&o, Style::PLAIN).contains("Billing"));
/// ```
#[must_use]
pub fn ownership_text(o: &crate::ownership::Ownership, st: Style) -> String {
    let mut out = String::new();
    for (title, list) in [
        ("Who owns the memory: by owner", &o.owners),
        ("By stage", &o.stages),
        ("By channel", &o.channels),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", st.bold(title));
        let width = list
            .iter()
            .map(|g| group_label(g).chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 32);
        let _ = writeln!(
            out,
            "{}",
            st.dim(&format!(
                "  {}  peak for  ending for  weight  touchpoints",
                fit("", width)
            ))
        );
        for g in list {
            let _ = writeln!(
                out,
                "  {}  {}  {}  {:>6.2}  {}",
                fit(&group_label(g), width),
                pad_left(&percent(g.peak_share), 8),
                pad_left(&percent(g.end_share), 10),
                g.memory_weight + 0.0,
                g.touchpoints.len()
            );
        }
    }
    crate::numfmt::terminal_safe(out, st.is_color())
}

fn group_label(g: &crate::ownership::Group) -> String {
    g.label
        .clone()
        .unwrap_or_else(|| "(none named)".to_string())
}
