//! The self-contained HTML report.

use super::score;
use super::svg::{MapOptions, histogram_svg};
use super::text::{rationale, simulate_flags};
use crate::analysis::Analysis;
use crate::journey::Journey;
use crate::moments::Moments;
use crate::numfmt::{escape, fixed, percent, signed, two_decimals};
use crate::recommend::Recommendations;

use std::fmt::Write;

/// Options of the HTML report, with chained setters.
///
/// ```
/// let o = peakend::ReportOptions::new()
///     .map(peakend::MapOptions::new().max_touchpoints(80))
///     .source("journeys/x.json")
///     .recommendations_shown(5);
/// assert_eq!(o.recommendations_limit(), 5);
/// ```
#[derive(Debug, Clone)]
pub struct ReportOptions {
    map: MapOptions,
    source: Option<String>,
    shown: usize,
    evidence: Option<crate::evidence::Evidence>,
    personas: Option<crate::personas::Personas>,
    account_advice: Option<crate::personas::AccountAdvice>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            map: MapOptions::default(),
            source: None,
            shown: 10,
            evidence: None,
            personas: None,
            account_advice: None,
        }
    }
}

impl ReportOptions {
    /// The defaults: the map's defaults, 10 recommendations shown, no
    /// source file named.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Options of the embedded map.
    #[must_use]
    pub fn map(mut self, map: MapOptions) -> Self {
        self.map = map;
        self
    }
    /// The journey file as the reader would type it; the report then shows
    /// each recommendation as a complete `peakend simulate` command.
    #[must_use]
    pub fn source(mut self, file: &str) -> Self {
        self.source = Some(file.to_string());
        self
    }
    /// How many recommendations the table lists (the rest are counted).
    #[must_use]
    pub fn recommendations_shown(mut self, n: usize) -> Self {
        self.shown = n;
        self
    }
    /// What the remembered experience rests on and its interval
    /// ([`Analyzer::evidence`](crate::Analyzer::evidence)), shown with it.
    #[must_use]
    pub fn evidence(mut self, evidence: crate::evidence::Evidence) -> Self {
        self.evidence = Some(evidence);
        self
    }
    /// The personas' figures and the account's memory
    /// ([`Analyzer::personas`](crate::Analyzer::personas)): the map draws
    /// each persona's curve and memory, and a section lists them.
    #[must_use]
    pub fn personas(mut self, personas: crate::personas::Personas) -> Self {
        self.personas = Some(personas);
        self
    }
    /// Advice for the account
    /// ([`Analyzer::account_advice`](crate::Analyzer::account_advice)),
    /// listed with its effect on every persona.
    #[must_use]
    pub fn account_advice(mut self, advice: crate::personas::AccountAdvice) -> Self {
        self.account_advice = Some(advice);
        self
    }
    /// The number of recommendations listed.
    #[must_use]
    pub fn recommendations_limit(&self) -> usize {
        self.shown
    }
}

const CSS: &str = r##"
:root { --ink: #1a1a1a; --muted: #555; --line: #d8d8d8; --blue: #0072B2; --red: #B34700; --purple: #8E3B73; --green: #00735A; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
p { margin: 6px 0; }
.lede { color: var(--muted); margin: 0 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 16px 0 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 30px; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 13px; color: var(--muted); }
.card.remembered { border-left: 6px solid #CC79A7; }
.card.average { border-left: 6px dashed #009E73; }
.headline { font-size: 17px; margin: 12px 0; }
figure { margin: 12px 0; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--line); border-radius: 6px; }
.scroll svg { display: block; }
.fit svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
table.personas td:first-child, table.personas td:nth-child(2) { overflow-wrap: normal; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pos { color: var(--blue); }
.neg { color: var(--red); }
.tag { display: inline-block; border: 1px solid var(--ink); border-radius: 3px; padding: 0 5px; margin: 1px 2px 1px 0; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .02em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; background: #f4f4f4; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.note { color: var(--muted); font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, .card, tr { break-inside: avoid; }
  .scroll { overflow: visible; border: none; }
  .scroll svg { max-width: 100%; height: auto; }
  code { background: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"##;

/// Maps up to this wide are scaled to the page (at 1280 px, at most to
/// about 75 %); wider ones scroll in their own box.
const FIT_WIDTH: f64 = 1500.0;

fn valence(x: f64, neutral: f64) -> &'static str {
    if x < neutral {
        "neg"
    } else if x > neutral {
        "pos"
    } else {
        ""
    }
}

/// One self-contained HTML page (no scripts, no network, no external fonts)
/// with the summary (remembered against the average, the share remembering
/// the journey negatively), the journey map, the histogram of remembered
/// experience, the defining and missed moments, the recommendations with
/// their simulated lifts and the plan, and where not to invest. Prints
/// cleanly (print CSS, A4 landscape) and fits a 1280-pixel laptop screen.
///
/// Deterministic: the same inputs give the same bytes (no date is written).
///
/// ```
/// use peakend::{render, Analyzer, Journey, Model};
/// let j = Journey::from_json_str(r##"{"version":1,"name":"Onboarding","touchpoints":[
///   {"id":"a","name":"Kick-off","emotion":3},{"id":"b","name":"Data migration","emotion":-6},
///   {"id":"c","name":"Go-live","emotion":5}]}"##).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let a = analyzer.analyze(&j);
/// let m = analyzer.moments(&j, &a);
/// let r = analyzer.recommend(&j, &a, None);
/// let html = render::html_report(&j, &a, &m, &r, &peakend::ReportOptions::new());
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(!html.contains("<script"));
/// assert!(html.contains("Data migration"));
/// ```
#[must_use]
pub fn html_report(
    journey: &Journey,
    analysis: &Analysis,
    moments: &Moments,
    recommendations: &Recommendations,
    options: &ReportOptions,
) -> String {
    let a = analysis;
    let scale = journey.scale();
    let neutral = scale.neutral;
    let name = escape(&journey.spec().name);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"peakend {}\">\n\
         <title>{name} — what customers will remember</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(h, "<h1>{name}</h1>");
    let paths = match a.paths.count {
        crate::analysis::PathCount::Exact(c) => {
            format!("{c} path{}", if c == 1 { "" } else { "s" })
        }
        crate::analysis::PathCount::Approx { log10 } => format!("about 10^{log10:.1} paths"),
    };
    let _ = writeln!(
        h,
        "<p class=\"lede\">What customers will remember · {} touchpoints · {} transitions · {paths} · scale {} to {} (neutral {}{}) · model <b>{}</b>: {}</p>",
        a.journey.touchpoints,
        a.journey.transitions,
        two_decimals(scale.min),
        two_decimals(scale.max),
        two_decimals(neutral),
        escape(&super::text::tie_note(&scale)),
        escape(&a.remembered.model),
        escape(&a.remembered.explain)
    );

    let page = Page {
        journey,
        analysis,
        moments,
        recommendations,
        options,
    };
    summary_section(&mut h, &page);
    map_section(&mut h, &page);
    personas_section(&mut h, &page);
    distribution_section(&mut h, &page);
    moments_section(&mut h, &page);
    owners_section(&mut h, &page);
    invest_section(&mut h, &page);
    not_invest_section(&mut h, &page);

    let _ = writeln!(
        h,
        "<footer>Made by peakend {}. Remembered experience follows the most intense moment and the end, and nearly ignores duration (Kahneman et al. 1993; Redelmeier &amp; Kahneman 1996; Alaybek et al. 2022). Defining moments after Heath &amp; Heath, <i>The Power of Moments</i> (2017).</footer>",
        env!("CARGO_PKG_VERSION")
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// What a recommendation rests on, as a note after its rationale.
fn rests_on_html(x: &crate::recommend::Recommendation) -> String {
    x.rests_on.as_ref().map_or(String::new(), |b| {
        format!(
            " <span class=\"note\">({})</span>",
            escape(&super::text::rests_on(b))
        )
    })
}

/// A recommendation's expected effect on the outcome, when the model has
/// an outcome link.
fn outcome_html(x: &crate::recommend::Recommendation, r: &Recommendations) -> String {
    match (&x.outcome_effect, &r.outcome_link) {
        (Some(e), Some(l)) => format!(
            "<br><span class=\"outcome-effect\">{}</span>",
            escape(&super::text::outcome_effect_line(e, l))
        ),
        _ => String::new(),
    }
}

/// The remembered card's small print: exact or estimated, and with
/// evidence its interval and what it rests on.
fn remembered_sub(p: &Page<'_>) -> String {
    let a = p.analysis;
    let scale = p.journey.scale();
    let mut rem_sub = match a.remembered.standard_error {
        Some(se) => format!("Monte Carlo estimate ± {se:.3} (standard error)"),
        None => "exact, over every path".into(),
    };
    if let Some(e) = &p.options.evidence {
        if let Ok(i) = &e.interval {
            rem_sub.push_str(&format!(
                "; 95% interval {} .. {} from the ratings' uncertainty ({})",
                score(i.low, &scale),
                score(i.high, &scale),
                super::text::interval_method(i)
            ));
        }
        rem_sub.push_str(&format!("; {}", super::text::rests_on(&e.basis)));
    }
    rem_sub
}

/// The summary cards, the headline and what was estimated.
fn summary_section(h: &mut String, p: &Page<'_>) {
    let a = p.analysis;
    let moments = p.moments;
    let recommendations = p.recommendations;
    let scale = p.journey.scale();
    let neutral = p.journey.scale().neutral;
    let rem = p.analysis.remembered.expected;
    let mean = p.analysis.mean.expected;
    let gap = p.analysis.remembered.expected - p.analysis.mean.expected;
    // Summary.
    let rem_sub = remembered_sub(p);
    let mean_sub = match a.mean.standard_error {
        Some(se) => format!("Monte Carlo estimate ± {se:.3} (standard error)"),
        None => "duration-weighted, what a dashboard shows".into(),
    };
    let neg_sub = match a.distribution.negative_share_standard_error {
        Some(se) => format!("estimate ± {} (standard error)", percent(se)),
        None => "remembered score below neutral".into(),
    };
    let _ = writeln!(
        h,
        "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">"
    );
    let card = |h: &mut String,
                class: &str,
                label: &str,
                value: String,
                vclass: &str,
                sub: &str| {
        let _ = writeln!(
            h,
            "<div class=\"card {class}\"><div class=\"label\">{label}</div><div class=\"value {vclass}\" data-figure=\"{class}\">{value}</div><div class=\"sub\">{sub}</div></div>",
            sub = escape(sub)
        );
    };
    card(
        h,
        "remembered",
        "Remembered experience",
        score(rem, &scale),
        valence(rem, neutral),
        &rem_sub,
    );
    card(
        h,
        "average",
        "Average experience",
        score(mean, &scale),
        valence(mean, neutral),
        &mean_sub,
    );
    card(
        h,
        "gap",
        "Gap: memory − average",
        signed(gap),
        valence(gap, 0.0),
        if gap < -0.05 {
            "customers remember it worse than the dashboard says"
        } else if gap > 0.05 {
            "customers remember it better than the dashboard says"
        } else {
            "memory matches the average"
        },
    );
    card(
        h,
        "negative",
        "Remember it as negative",
        escape(&percent(a.distribution.negative_share)),
        "",
        &neg_sub,
    );
    h.push_str("</div>\n");
    let headline = headline(
        a,
        moments,
        recommendations,
        p.options.account_advice.as_ref(),
    );
    let _ = writeln!(h, "<p class=\"headline\">{}</p>", headline);
    if let Some(est) = &a.estimate {
        let _ = writeln!(
            h,
            "<p class=\"note\">Estimated by Monte Carlo ({} samples, seed {}): {}. Every other figure is exact.</p>",
            est.samples,
            est.seed,
            escape(
                &est.figures
                    .iter()
                    .map(|f| f.path())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
    }
    h.push_str("</section>\n");
}

/// The journey map, fitted to the page or in a scrolling box.
fn map_section(h: &mut String, p: &Page<'_>) {
    let a = p.analysis;
    let journey = p.journey;
    let moments = p.moments;
    let options = p.options;
    // The map: scaled to the page when that keeps its text legible,
    // otherwise in its own horizontally scrolling box.
    let (map, map_width) =
        super::svg::map_svg_full(journey, a, moments, options.personas.as_ref(), &options.map);
    let personas = if options
        .personas
        .as_ref()
        .is_some_and(|p| !p.personas.is_empty())
    {
        " Each persona has its own curve (its emotions at the touchpoints it takes part in, along its own journey; colour, dash and marker shape in the legend) and its remembered experience as a short bar at the right edge, labelled."
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<section id=\"map\"><h2>Journey map</h2><figure><div class=\"{}\">{map}</div><figcaption>Touchpoints in journey order, emotion on the vertical axis. The thick line is the main route, the transition most customers take at each step ({}); thinner lines are the other branches, their width the share of customers who take them. Ringed touchpoints are defining moments; faded, hollow ones are forgettable. The solid purple line is what customers remember, the dashed green one the duration-weighted average.{personas} Hover any marker for its figures.</figcaption></figure></section>",
        if map_width <= FIT_WIDTH {
            "fit"
        } else {
            "scroll"
        },
        escape(&route_note(a))
    );
}

/// The histogram of remembered scores.
fn distribution_section(h: &mut String, p: &Page<'_>) {
    let a = p.analysis;
    let scale = p.journey.scale();
    // Histogram.
    let d = &a.distribution;
    let _ = writeln!(
        h,
        "<section id=\"distribution\"><h2>How customers remember it</h2><figure><div class=\"fit\">{}</div><figcaption>Share of customers by remembered score ({}). Median {}, 10th percentile {}, 90th percentile {}, range {} to {}.</figcaption></figure></section>",
        histogram_svg(a),
        if d.exact {
            "exact over every path"
        } else {
            "Monte Carlo estimate"
        },
        score(d.p50, &scale),
        score(d.p10, &scale),
        score(d.p90, &scale),
        score(d.min, &scale),
        score(d.max, &scale)
    );
}

/// Defining and missed moments.
fn moments_section(h: &mut String, p: &Page<'_>) {
    let moments = p.moments;
    let scale = p.journey.scale();
    let neutral = p.journey.scale().neutral;
    // Defining moments.
    h.push_str("<section id=\"moments\"><h2>Defining moments</h2>\n");
    if moments.defining.is_empty() {
        h.push_str("<p>No touchpoint is a defining moment under the current thresholds.</p>\n");
    } else {
        h.push_str("<p class=\"note\">Where memory is made: remembered peaks and pits, endings, transitions and milestones, and EPIC moments (elevation, insight, pride, connection). Memory weight: how much the remembered experience moves per point of emotion here.</p>\n");
        h.push_str("<table><thead><tr><th>Touchpoint</th><th>Why it defines the memory</th><th class=\"num\">Emotion</th><th class=\"num\">Remembered peak for</th><th class=\"num\">Last moment for</th><th class=\"num\">Memory weight</th></tr></thead><tbody>\n");
        for m in &moments.defining {
            let tags: String = m
                .reasons
                .iter()
                .map(|r| format!("<span class=\"tag\">{}</span>", r.name()))
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{tags}</td><td class=\"num {}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td></tr>",
                escape(&m.name),
                valence(m.emotion, neutral),
                score(m.emotion, &scale),
                escape(&percent(m.peak_share)),
                escape(&percent(m.end_share)),
                m.memory_weight
            );
        }
        h.push_str("</tbody></table>\n");
    }
    if !moments.missed.is_empty() {
        h.push_str("<h3>Missed moments</h3><p class=\"note\">Transitions and milestones that pass near neutral: places where a peak could be built.</p><ul>\n");
        for m in &moments.missed {
            let rs: Vec<&str> = m.reasons.iter().map(|r| r.name()).collect();
            let _ = writeln!(
                h,
                "<li>{} ({}; {}): passed by {}</li>",
                escape(&m.name),
                score(m.emotion, &scale),
                rs.join(", "),
                escape(&percent(m.visit))
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

/// Ranked actions with the commands that reproduce them, and the plan.
fn invest_section(h: &mut String, p: &Page<'_>) {
    if let Some(adv) = &p.options.account_advice
        && let crate::personas::Objective::Persona(name) = &adv.objective
    {
        persona_invest_section(h, p, adv, name);
        return;
    }
    let recommendations = p.recommendations;
    let options = p.options;
    let scale = p.journey.scale();
    // Recommendations.
    let r = recommendations;
    let _ = writeln!(
        h,
        "<section id=\"invest\"><h2>Where to invest</h2><p class=\"note\">Every lift is simulated on the whole journey ({} model, remembered now {}); the command under each action reproduces it.</p>",
        escape(&r.model),
        score(r.before, &scale)
    );
    if r.recommendations.iter().any(|x| x.cost_assumed) {
        let _ = writeln!(
            h,
            "<p class=\"note\">Costs: {}.</p>",
            escape(&super::text::assumed_cost_note(r))
        );
    }
    if let Some(e) = &r.estimate {
        let _ = writeln!(
            h,
            "<p class=\"note\">Monte Carlo: {}.</p>",
            escape(&super::text::advice_estimate_note(e))
        );
    }
    let file = super::text::file_and_flags(
        options.source.as_deref().unwrap_or("JOURNEY"),
        r.model_flags.as_deref(),
    );
    if r.recommendations.is_empty() {
        h.push_str("<p>No candidate action lifts the remembered experience.</p>\n");
    } else {
        h.push_str("<table><thead><tr><th class=\"num\">#</th><th>Action</th><th class=\"num\">Lift</th><th class=\"num\">Cost</th><th class=\"num\">Lift per cost</th><th class=\"num\">Average would show</th></tr></thead><tbody>\n");
        for (k, x) in r.recommendations.iter().enumerate().take(options.shown) {
            let per = if x.cost > 0.0 {
                fixed(x.lift / x.cost, 3)
            } else {
                "free".into()
            };
            let _ = writeln!(
                h,
                "<tr class=\"recommendation\"><td class=\"num\">{}</td><td><b>{}</b> — {}{}{}<br><code>peakend simulate {} {}</code></td><td class=\"num pos\">{}{}{}</td><td class=\"num\">{}</td><td class=\"num\">{per}</td><td class=\"num\">{}</td></tr>",
                k + 1,
                x.action.name(),
                escape(&rationale(x, &scale)),
                rests_on_html(x) + &outcome_html(x, r),
                alternatives_html(x),
                escape(&file),
                escape(&x.operation.flag()),
                signed(x.lift),
                super::text::plus_minus(x.lift_standard_error),
                escape(&super::text::robustness(x)),
                cost_cell(x.cost, x.cost_assumed),
                signed(x.mean_lift) + &super::text::plus_minus(x.mean_lift_standard_error)
            );
        }
        h.push_str("</tbody></table>\n");
        if r.recommendations.len() > options.shown {
            let _ = writeln!(
                h,
                "<p class=\"note\">{} more candidate actions with a smaller lift per cost: <code>peakend recommend {} --format json</code> lists them all.</p>",
                r.recommendations.len() - options.shown,
                escape(&file)
            );
        }
    }
    if let Some(p) = &r.plan {
        plan_html(h, r, p, &file);
    }
    dashboard_differs(h, r);
    h.push_str("</section>\n");
}

/// The buying centre: each persona's memory, the account's, and the
/// advice for the account with its effect on every persona.
fn personas_section(h: &mut String, p: &Page<'_>) {
    let Some(personas) = p
        .options
        .personas
        .as_ref()
        .filter(|x| !x.personas.is_empty())
    else {
        return;
    };
    let scale = p.journey.scale();
    h.push_str("<section id=\"personas\"><h2>Personas and the account</h2><p class=\"note\">Each persona's journey is the touchpoints it takes part in, along the same branches, with its own emotions; its figures are exact over every path.</p>\n");
    h.push_str("<table class=\"personas\"><thead><tr><th>Persona</th><th>Role</th><th class=\"num\">Weight</th><th class=\"num\">Takes part</th><th class=\"num\">Touchpoints</th><th class=\"num\">Remembered</th><th>Remembered peak</th><th>Last moment</th></tr></thead><tbody>\n");
    for f in &personas.personas {
        let (remembered, peak, end) = match &f.analysis {
            Some(a) => (
                format!(
                    "<span class=\"{}\">{}</span>",
                    valence(a.remembered.expected, scale.neutral),
                    score(a.remembered.expected, &scale)
                ),
                super::personas::top_place(f, a, true),
                super::personas::top_place(f, a, false),
            ),
            None => match &f.estimate {
                Some(e) => (
                    format!(
                        "≈{} ± {}",
                        score(e.remembered.expected, &scale),
                        fixed(e.remembered.standard_error.unwrap_or(0.0), 3)
                    ),
                    format!(
                        "estimated from {} sampled paths (seed {}): its journey is too large to contract",
                        e.samples, e.seed
                    ),
                    String::new(),
                ),
                None => (
                    "-".into(),
                    "takes part in no touchpoint a customer reaches".into(),
                    String::new(),
                ),
            },
        };
        let _ = writeln!(
            h,
            "<tr class=\"persona\"><td><b>{}</b></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{remembered}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.name),
            escape(f.role.as_deref().unwrap_or("-")),
            two_decimals(f.weight),
            percent(f.view.reach),
            f.view.touchpoints,
            escape(&peak),
            escape(&end)
        );
    }
    h.push_str("</tbody></table>\n");
    match &personas.account {
        Ok(a) => {
            let _ = writeln!(
                h,
                "<p class=\"account\">The account remembers <b>{}{}</b> ({}: {}); driven by <b>{}</b>.</p>",
                if personas.personas.iter().any(|f| f.estimate.is_some()) {
                    "≈"
                } else {
                    ""
                },
                score(a.expected, &scale),
                escape(a.rule.name()),
                escape(super::personas::rule_words(a.rule)),
                escape(&a.driver)
            );
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"account\">The account has no memory: {}.</p>",
                escape(&e.to_string())
            );
        }
    }
    if let Some(adv) = &p.options.account_advice {
        let _ = writeln!(
            h,
            "<h3>Where to invest for the account</h3><p class=\"note\">{} actions from the advice for the whole journey and for each persona, each simulated for every persona; ranked by the account's lift per cost (the lift that survives a tie in intensity going either way).</p>",
            adv.considered
        );
        account_advice_table(h, p, adv);
    }
    h.push_str("</section>\n");
}

/// The account's advice: each action, its effect on every persona and on
/// the account, trade-offs named.
fn account_advice_table(h: &mut String, p: &Page<'_>, adv: &crate::personas::AccountAdvice) {
    let file = super::text::file_and_flags(
        p.options.source.as_deref().unwrap_or("JOURNEY"),
        adv.model_flags.as_deref(),
    );
    let Some(first) = adv.actions.first() else {
        h.push_str("<p>No action considered lifts it.</p>\n");
        return;
    };
    h.push_str("<table class=\"account-advice\"><thead><tr><th class=\"num\">#</th><th>Action</th><th class=\"num\">Lift</th>");
    for (name, _) in &first.persona_lifts {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(name));
    }
    h.push_str("<th class=\"num\">Account</th><th class=\"num\">Cost</th></tr></thead><tbody>\n");
    for (k, x) in adv.actions.iter().enumerate().take(p.options.shown) {
        let trade = if x.trade_off {
            format!(
                " <span class=\"tag\">{}</span>",
                escape(&super::personas::trade_off_words(x))
            )
        } else {
            String::new()
        };
        let _ = write!(
            h,
            "<tr class=\"account-action\"><td class=\"num\">{}</td><td><b>{}</b> {}{trade}<br><code>peakend simulate {} {}</code></td><td class=\"num pos\"><b>{}</b>{}</td>",
            k + 1,
            x.action.name(),
            escape(place_name(x.touchpoint.as_deref())),
            escape(&file),
            escape(&super::personas::advice_flags(adv, &x.operation)),
            signed(x.lift),
            if x.fragile {
                " (fragile)".to_string()
            } else if signed(x.robust_lift) == signed(x.lift) {
                String::new()
            } else {
                format!(" (robust {})", signed(x.robust_lift))
            }
        );
        for (_, l) in &x.persona_lifts {
            let cell = l.map_or("-".to_string(), signed);
            let class = l.map_or("", |l| valence(l, 0.0));
            let _ = write!(h, "<td class=\"num {class}\">{cell}</td>");
        }
        let _ = writeln!(
            h,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            x.account_lift.map_or("-".to_string(), signed),
            cost_cell(x.cost, x.cost_assumed)
        );
    }
    h.push_str("</tbody></table>\n");
}

/// Where to invest for one persona (`report --persona`): actions on the
/// journey itself, simulated for every persona.
fn persona_invest_section(
    h: &mut String,
    p: &Page<'_>,
    adv: &crate::personas::AccountAdvice,
    name: &str,
) {
    let _ = writeln!(
        h,
        "<section id=\"invest\"><h2>Where to invest for {}</h2><p class=\"note\">Actions on the journey itself, simulated for {} (remembered now {}) and for every other persona; the command under each action reproduces the lift.</p>",
        escape(name),
        escape(name),
        score(adv.before, &p.journey.scale())
    );
    account_advice_table(h, p, adv);
    h.push_str("</section>\n");
}

/// The budgeted plan: its actions, lift and the command for all of them.
fn plan_html(h: &mut String, r: &Recommendations, p: &crate::recommend::Plan, file: &str) {
    let scale = r.scale;
    let _ = writeln!(
        h,
        "<h3>Plan for a budget of {}</h3><p>{} action{}, cost {}, lift <b>{}</b> (remembered {} → {}).</p><ol>",
        two_decimals(p.budget),
        p.actions.len(),
        if p.actions.len() == 1 { "" } else { "s" },
        two_decimals(p.cost),
        signed(p.lift),
        score(r.before, &scale),
        score(p.after, &scale)
    );
    for x in &p.actions {
        let _ = writeln!(
            h,
            "<li>{} {} (+{} at this point, cost {})</li>",
            x.action.name(),
            escape(place_name(x.touchpoint.as_deref())),
            fixed(x.lift, 2),
            two_decimals(x.cost)
        );
    }
    h.push_str("</ol>\n");
    if !p.actions.is_empty() {
        let _ = writeln!(
            h,
            "<p><code>peakend simulate {} {}</code></p>",
            escape(file),
            escape(&simulate_flags(&p.operations))
        );
    }
}

/// Where the dashboard average would rank actions differently.
fn dashboard_differs(h: &mut String, r: &Recommendations) {
    if !r.dashboard_would_differ.is_empty() {
        h.push_str("<h3>What the dashboard average would do differently</h3><ul>\n");
        for d in &r.dashboard_would_differ {
            let _ = writeln!(
                h,
                "<li>It ranks <b>{} {}</b> #{} (average {}{}); memory ranks it #{} (remembered {}).</li>",
                d.action.name(),
                escape(d.touchpoint.as_deref().unwrap_or("(closing touchpoint)")),
                d.mean_rank,
                signed(d.mean_lift),
                super::text::plus_minus(d.mean_lift_standard_error),
                d.memory_rank,
                signed(d.lift)
            );
        }
        h.push_str("</ul>\n");
    }
}

/// Where not to invest.
fn not_invest_section(h: &mut String, p: &Page<'_>) {
    let r = p.recommendations;
    let scale = p.journey.scale();
    // Where not to invest.
    h.push_str("<section id=\"not-invest\"><h2>Where not to invest</h2>\n");
    if r.do_not_invest.is_empty() {
        h.push_str("<p>Every visited touchpoint moves someone's memory.</p>\n");
    } else {
        h.push_str("<p class=\"note\">Neither a remembered peak nor an ending for anyone, and no simulated action on them helps: improving them changes no one's memory.</p><ul>\n");
        for x in &r.do_not_invest {
            let cost = x
                .improvement_cost
                .map(|c| {
                    format!(
                        "; its planned improvement (cost {}) would change no one's memory",
                        two_decimals(c)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<li>{} ({}){}</li>",
                escape(&x.name),
                score(x.emotion, &scale),
                escape(&cost)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

/// A cost, marked when it was assumed.
fn cost_cell(cost: f64, assumed: bool) -> String {
    if assumed {
        format!(
            "{} <span class=\"assumed\">(assumed)</span>",
            two_decimals(cost)
        )
    } else {
        two_decimals(cost)
    }
}

/// The other actions on the same place, as a short line.
fn alternatives_html(x: &crate::recommend::Recommendation) -> String {
    let outcomes = if x.outcome_shifts.is_empty() {
        String::new()
    } else {
        format!(
            "<br><span class=\"note\">{}</span>",
            escape(&super::text::outcome_line(x))
        )
    };
    if x.alternatives.is_empty() {
        return outcomes;
    }
    let list: Vec<String> = x
        .alternatives
        .iter()
        .map(|a| {
            format!(
                "{} {} (cost {})",
                a.action.name(),
                signed(a.lift),
                cost_cell(a.cost, a.cost_assumed)
            )
        })
        .collect();
    format!(
        "{outcomes}<br><span class=\"note\">Also here: {}</span>",
        list.join(" · ")
    )
}

/// Who owns the memory: a table per owner (and per stage), with each
/// owner's best action.
fn owners_section(h: &mut String, p: &Page<'_>) {
    let o = crate::ownership::Ownership::find(p.journey, p.analysis);
    if o.owners.is_empty() && o.stages.is_empty() {
        return;
    }
    h.push_str("<section id=\"owners\"><h2>Who owns the memory</h2><p class=\"note\">Share of customers whose remembered peak and whose ending fall to each team and stage, and how much memory moves with a raise there (summed memory weight).</p>\n");
    let r = p.recommendations;
    for (title, list, owners) in [("Team", &o.owners, true), ("Stage", &o.stages, false)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            h,
            "<table class=\"owners\"><thead><tr><th>{title}</th><th class=\"num\">Peak for</th><th class=\"num\">Ending for</th><th class=\"num\">Memory weight</th>{}</tr></thead><tbody>",
            if owners { "<th>Best action</th>" } else { "" }
        );
        for g in list {
            let best = if owners {
                let action = r
                    .by_owner
                    .iter()
                    .find(|x| Some(&x.owner) == g.name.as_ref())
                    .and_then(|x| x.rank)
                    .map_or("—".to_string(), |k| {
                        let rec = &r.recommendations[k - 1];
                        format!(
                            "#{k} {} {} ({})",
                            rec.action.name(),
                            escape(rec.touchpoint.as_deref().unwrap_or("closing")),
                            signed(rec.lift)
                        )
                    });
                format!("<td>{action}</td>")
            } else {
                String::new()
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}</td>{best}</tr>",
                escape(g.label.as_deref().unwrap_or("(none named)")),
                escape(&percent(g.peak_share)),
                escape(&percent(g.end_share)),
                g.memory_weight + 0.0
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

/// What an action acts on, for a list: its touchpoint, or the new closing.
fn place_name(touchpoint: Option<&str>) -> &str {
    touchpoint.unwrap_or("(new closing touchpoint)")
}

/// How the main route relates to the most likely complete path.
fn route_note(a: &Analysis) -> String {
    if a.paths.main.touchpoints == a.paths.most_likely.touchpoints {
        format!(
            "it is also the most likely complete path, {} of customers",
            percent(a.paths.main.probability)
        )
    } else {
        format!(
            "{} of customers take it end to end; the most likely complete path, {} of them, differs",
            percent(a.paths.main.probability),
            percent(a.paths.most_likely.probability)
        )
    }
}

/// What one report page is made of.
struct Page<'a> {
    journey: &'a Journey,
    analysis: &'a Analysis,
    moments: &'a Moments,
    recommendations: &'a Recommendations,
    options: &'a ReportOptions,
}

/// One sentence a designer can read first.
fn headline(
    a: &Analysis,
    moments: &Moments,
    r: &Recommendations,
    persona_advice: Option<&crate::personas::AccountAdvice>,
) -> String {
    let rem = a.remembered.expected;
    let mean = a.mean.expected;
    let mut s = format!(
        "Customers will remember this journey at <b>{}</b>, ",
        score(rem, &a.journey.scale)
    );
    if (rem - mean).abs() < 0.05 {
        s.push_str("the same as the average suggests");
    } else {
        let _ = write!(
            s,
            "{} than the {} the average suggests",
            if rem < mean { "worse" } else { "better" },
            score(mean, &a.journey.scale)
        );
    }
    let peaks: Vec<String> = moments
        .defining
        .iter()
        .filter(|m| {
            m.reasons.iter().any(|r| {
                matches!(
                    r,
                    crate::moments::Reason::Peak | crate::moments::Reason::End
                )
            })
        })
        .map(|m| format!("“{}”", escape(&m.name)))
        .collect();
    if !peaks.is_empty() {
        let _ = write!(s, "; the memory is made at {}", peaks.join(", "));
    }
    s.push('.');
    if let Some(adv) =
        persona_advice.filter(|x| matches!(x.objective, crate::personas::Objective::Persona(_)))
    {
        if let Some(x) = adv.actions.first() {
            let _ = write!(
                s,
                " Best value: <b>{}</b> {}, lift {} for cost {}.",
                x.action.name(),
                escape(place_name(x.touchpoint.as_deref())),
                signed(x.lift),
                two_decimals(x.cost)
            );
        }
    } else if let Some(x) = r.recommendations.first() {
        let target = x
            .touchpoint
            .as_deref()
            .and_then(|id| a.touchpoints.iter().find(|t| t.id == id))
            .map(|t| format!(" “{}”", escape(&t.name)))
            .unwrap_or_default();
        let _ = write!(
            s,
            " Best value: <b>{}</b>{target}, lift {} for cost {}.",
            x.action.name(),
            signed(x.lift),
            two_decimals(x.cost)
        );
    }
    s
}
