//! The SVG journey map and the histogram of remembered experience.

use super::score;
use crate::analysis::Analysis;
use crate::journey::Journey;
use crate::moments::{Moments, Reason};
use crate::numfmt::{escape, num, percent, short_percent, tick_label, truncate, wrap};
use crate::personas::Personas;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt::Write;

/// Okabe–Ito colours.
const BLUE: &str = "#0072B2";
const VERMILLION: &str = "#D55E00";
const GREEN: &str = "#009E73";
const PURPLE: &str = "#CC79A7";
const GREY: &str = "#7a7a7a";
const INK: &str = "#1a1a1a";
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

const LEFT: f64 = 72.0;
const RIGHT: f64 = 200.0;
const PLOT_H: f64 = 300.0;
const MIN_WIDTH: f64 = 960.0;

/// Options of the journey map, with chained setters.
///
/// ```
/// let o = peakend::MapOptions::new().max_touchpoints(50);
/// assert_eq!(o.touchpoint_limit(), 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapOptions {
    max_touchpoints: usize,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            max_touchpoints: 200,
        }
    }
}

impl MapOptions {
    /// The defaults: at most 200 touchpoints drawn.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// Draw at most this many touchpoints (at least 2). A larger journey is
    /// collapsed: the first and last touchpoints of the main route,
    /// the defining moments (by memory weight), then the main route
    /// (evenly thinned when it is too long), then the most visited
    /// touchpoints are kept, and the map says how many were left out.
    #[must_use]
    pub fn max_touchpoints(mut self, n: usize) -> Self {
        self.max_touchpoints = n.max(2);
        self
    }
    /// The touchpoint limit.
    #[must_use]
    pub fn touchpoint_limit(&self) -> usize {
        self.max_touchpoints
    }
}

#[derive(Clone, Copy, PartialEq)]
enum LabelMode {
    /// Wrapped horizontal names under each column.
    Wrapped,
    /// Names rotated under the axis, truncated.
    Rotated,
}

/// One drawn column.
struct Column {
    /// File index.
    index: usize,
    x: f64,
    y: f64,
}

/// Kahn's algorithm preferring earlier stages, then the order of the file
/// (the designer's order), so that each stage's touchpoints sit together
/// whenever the graph allows it. Touchpoints without a stage take the
/// stage rank of their latest predecessor. Returns file indices.
fn stage_order(journey: &Journey) -> Vec<usize> {
    let n = journey.len();
    let spec = journey.spec();
    let topo: Vec<usize> = journey.topological_order().collect();
    let stage_rank: BTreeMap<&str, usize> = spec
        .stages
        .iter()
        .enumerate()
        .map(|(k, s)| (s.id.as_str(), k))
        .collect();
    let mut rank = vec![0usize; n];
    let mut indegree = vec![0usize; n];
    for &i in &topo {
        if let Some(r) = journey
            .touchpoint(i)
            .stage
            .as_deref()
            .and_then(|s| stage_rank.get(s))
        {
            rank[i] = *r;
        }
        for (s, _) in journey.successors(i) {
            indegree[s] += 1;
            if journey.touchpoint(s).stage.is_none() {
                rank[s] = rank[s].max(rank[i]);
            }
        }
    }
    let mut heap: BinaryHeap<Reverse<(usize, usize)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse((rank[i], i)))
        .collect();
    let mut out = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = heap.pop() {
        out.push(i);
        for (s, _) in journey.successors(i) {
            indegree[s] -= 1;
            if indegree[s] == 0 {
                heap.push(Reverse((rank[s], s)));
            }
        }
    }
    out
}

/// Which touchpoints to draw when there are too many: a sorted list of file
/// indices and a sentence saying what was kept.
fn select(
    journey: &Journey,
    analysis: &Analysis,
    defining: &[bool],
    main: &[usize],
    limit: usize,
) -> (Vec<bool>, Option<String>) {
    let n = journey.len();
    if n <= limit {
        return (vec![true; n], None);
    }
    let mut keep = vec![false; n];
    let mut kept = 0;
    let mut take = |i: usize, keep: &mut Vec<bool>| {
        if kept < limit && !keep[i] {
            keep[i] = true;
            kept += 1;
        }
    };
    // Where the main story starts and ends, then the defining moments that
    // weigh most in memory.
    if let (Some(&first), Some(&last)) = (main.first(), main.last()) {
        take(last, &mut keep);
        take(first, &mut keep);
    }
    let mut def: Vec<usize> = (0..n).filter(|&i| defining[i]).collect();
    def.sort_by(|&a, &b| {
        let w = |i: usize| analysis.touchpoints[i].memory_weight.abs();
        w(b).total_cmp(&w(a)).then(a.cmp(&b))
    });
    for i in def {
        take(i, &mut keep);
    }
    let room = limit.saturating_sub(keep.iter().filter(|&&k| k).count());
    let thinned = main.len() > room;
    if thinned && room > 0 {
        // Evenly spaced along the path, first and last included.
        for k in 0..room {
            let at = if room == 1 {
                main.len() - 1
            } else {
                k * (main.len() - 1) / (room - 1)
            };
            take(main[at], &mut keep);
        }
    } else {
        for &i in main {
            take(i, &mut keep);
        }
    }
    let mut rest: Vec<usize> = (0..n).filter(|&i| !keep[i]).collect();
    rest.sort_by(|&a, &b| {
        analysis.touchpoints[b]
            .visit
            .total_cmp(&analysis.touchpoints[a].visit)
            .then(a.cmp(&b))
    });
    for i in rest {
        take(i, &mut keep);
    }
    let note = format!(
        "{} touchpoints: this map shows {limit} of them (the defining moments, {}, then the most \
         visited); {} are left out",
        n,
        if thinned {
            "every so many touchpoints of the main route"
        } else {
            "the main route"
        },
        n - limit
    );
    (keep, Some(note))
}

/// Round step for about `target` ticks over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

#[derive(Clone, Copy)]
enum Shape {
    Circle,
    Triangle,
    Diamond,
}

fn shape_for(emotion: f64, neutral: f64) -> (Shape, &'static str) {
    if emotion > neutral {
        (Shape::Circle, BLUE)
    } else if emotion < neutral {
        (Shape::Triangle, VERMILLION)
    } else {
        (Shape::Diamond, GREY)
    }
}

fn shape(out: &mut String, s: Shape, x: f64, y: f64, r: f64, attrs: &str) {
    match s {
        Shape::Circle => {
            let _ = write!(
                out,
                r##"<circle cx="{}" cy="{}" r="{}" {attrs}/>"##,
                num(x),
                num(y),
                num(r)
            );
        }
        Shape::Triangle => {
            let _ = write!(
                out,
                r##"<path d="M{} {}L{} {}L{} {}Z" {attrs}/>"##,
                num(x - r * 1.2),
                num(y - r * 0.85),
                num(x + r * 1.2),
                num(y - r * 0.85),
                num(x),
                num(y + r * 1.25)
            );
        }
        Shape::Diamond => {
            let _ = write!(
                out,
                r##"<path d="M{} {}L{} {}L{} {}L{} {}Z" {attrs}/>"##,
                num(x),
                num(y - r * 1.3),
                num(x + r * 1.3),
                num(y),
                num(x),
                num(y + r * 1.3),
                num(x - r * 1.3),
                num(y)
            );
        }
    }
}

/// Approximate width of text in the map's sans-serif font.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.56
}

/// The journey map as a standalone SVG document: stages as labelled bands,
/// touchpoints along x in journey order (a topological order that keeps
/// stages together), emotion on y with the scale and the neutral line; the
/// main route (the busiest transition at each step) as the main curve, other branches thinner with their
/// width showing the share of customers and probabilities at branch points;
/// defining moments ringed and labelled with their reasons, forgettable
/// touchpoints faded, ends marked; the remembered experience drawn beside
/// the duration-weighted average. A journey longer than
/// [`MapOptions::max_touchpoints`] is collapsed and the map says so.
///
/// Deterministic: the same inputs give the same bytes.
///
/// Complexity O((V + E) log V).
///
/// ```
/// use peakend::{analyze, render, Journey, Model, Moments, Options, Thresholds};
/// let j = Journey::from_json_str(r##"{"version":1,"name":"A & B","touchpoints":[
///   {"id":"a","name":"<Kick-off>","emotion":3},{"id":"b","name":"Go-live","emotion":-5}]}"##).unwrap();
/// let a = analyze(&j, &Model::PeakEnd, &Options::new());
/// let m = Moments::find(&j, &a, &Thresholds::new());
/// let svg = render::map_svg(&j, &a, &m, &peakend::MapOptions::new());
/// assert!(svg.contains(">A &amp; B: journey map</title>"));
/// assert!(svg.contains("&lt;Kick-off&gt;"));
/// ```
#[must_use]
pub fn map_svg(
    journey: &Journey,
    analysis: &Analysis,
    moments: &Moments,
    options: &MapOptions,
) -> String {
    map_svg_sized(journey, analysis, moments, options).0
}

/// The journey map with one curve and one remembered bar per persona (up
/// to six of them; a note names the others): each persona's
/// own emotions at the touchpoints it takes part in, joined along its own
/// journey, in a colour with its own dash and marker shape, and its
/// remembered experience as a bar at the plot's right edge labelled with
/// its name and value.
/// The legend says which is which. Without personas, as [`map_svg`].
///
/// ```
/// use peakend::{AccountRule, Analyzer, Journey, Model, render};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"n","personas":["User","Finance"],
///   "touchpoints":[
///     {"id":"use","name":"Use","emotion":4,"actors":["User"]},
///     {"id":"bill","name":"Invoice","emotion":0,"emotions":{"Finance":-6}}]}"#).unwrap();
/// let analyzer = Analyzer::new(Model::PeakEnd);
/// let a = analyzer.analyze(&j);
/// let p = analyzer.personas(&j, AccountRule::Weighted).unwrap();
/// let svg = render::map_svg_personas(&j, &a, &analyzer.moments(&j, &a), &p, &peakend::MapOptions::new());
/// assert_eq!(svg.matches("class=\"persona\"").count(), 2);
/// assert!(svg.contains("data-persona=\"Finance\""));
/// ```
#[must_use]
pub fn map_svg_personas(
    journey: &Journey,
    analysis: &Analysis,
    moments: &Moments,
    personas: &Personas,
    options: &MapOptions,
) -> String {
    map_svg_full(journey, analysis, moments, Some(personas), options).0
}

/// The map and its width in pixels.
pub(super) fn map_svg_sized(
    journey: &Journey,
    analysis: &Analysis,
    moments: &Moments,
    options: &MapOptions,
) -> (String, f64) {
    map_svg_full(journey, analysis, moments, None, options)
}

/// The map (with the personas' lines when given) and its width in pixels.
pub(super) fn map_svg_full(
    journey: &Journey,
    analysis: &Analysis,
    moments: &Moments,
    personas: Option<&Personas>,
    options: &MapOptions,
) -> (String, f64) {
    let m = layout(journey, analysis, moments, personas, options);
    let mut s = String::new();
    map_header(&mut s, &m);
    stage_bands(&mut s, &m);
    axis(&mut s, &m);
    let probs = edges(&mut s, &m);
    memory_lines(&mut s, &m);
    persona_lines(&mut s, &m);
    let _ = writeln!(s, "<g class=\"probabilities\">\n{probs}</g>");
    let _ = writeln!(s, "<g class=\"touchpoints\">");
    for c in &m.columns {
        touchpoint(&mut s, &m, c);
    }
    s.push_str("</g>\n");
    legend(&mut s, &m);
    s.push_str("</svg>\n");
    (s, m.width)
}

/// Names longer than this are cut under rotated columns.
const ROTATED_CHARS: usize = 26;

/// Everything the map's drawing steps share: what is drawn, and where.
struct Map<'a> {
    journey: &'a Journey,
    analysis: &'a Analysis,
    moments: &'a Moments,
    scale: crate::journey::Scale,
    signed_scale: bool,
    /// Reasons of each defining moment, by file index.
    reasons: Vec<&'a [Reason]>,
    defining: Vec<bool>,
    forgettable: Vec<bool>,
    /// The main route's steps (file indices).
    main_steps: std::collections::BTreeSet<(usize, usize)>,
    /// Which touchpoints are drawn, and what the collapse left out.
    keep: Vec<bool>,
    collapse_note: Option<String>,
    columns: Vec<Column>,
    /// Column of each drawn touchpoint, by file index.
    col_of: Vec<usize>,
    colw: f64,
    mode: LabelMode,
    roomy: bool,
    plot_w: f64,
    width: f64,
    band_top: f64,
    plot_top: f64,
    plot_bottom: f64,
    /// Marker radius.
    r: f64,
    label_chars: usize,
    label_top: f64,
    legend: Vec<(&'static str, String)>,
    legend_top: f64,
    legend_rows: Vec<Vec<(f64, usize)>>,
    notes: Vec<String>,
    notes_top: f64,
    height: f64,
    /// The personas' curves and remembered lines.
    personas: Vec<PersonaLine>,
}

impl Map<'_> {
    /// The y coordinate of an emotion.
    fn y_of(&self, e: f64) -> f64 {
        self.plot_top + (self.scale.max - e) / (self.scale.max - self.scale.min) * PLOT_H
    }
}

/// The reasons of each defining moment, which touchpoints are defining and
/// which forgettable, by file index.
fn marks<'a>(journey: &Journey, moments: &'a Moments) -> (Vec<&'a [Reason]>, Vec<bool>, Vec<bool>) {
    let n = journey.len();
    let mut reasons: Vec<&[Reason]> = vec![&[]; n];
    for m in &moments.defining {
        if let Some(i) = journey.index_of(&m.id) {
            reasons[i] = &m.reasons;
        }
    }
    let defining: Vec<bool> = reasons.iter().map(|r| !r.is_empty()).collect();
    let mut forgettable = vec![false; n];
    for f in &moments.forgettable {
        if let Some(i) = journey.index_of(&f.id) {
            forgettable[i] = true;
        }
    }
    (reasons, defining, forgettable)
}

/// The height the touchpoint names take under the plot.
fn label_height(journey: &Journey, order: &[usize], mode: LabelMode) -> f64 {
    let rotated_chars = ROTATED_CHARS;
    match mode {
        LabelMode::Wrapped => 3.0 * 13.0,
        LabelMode::Rotated => {
            let longest = order
                .iter()
                .map(|&i| {
                    journey
                        .touchpoint(i)
                        .name
                        .chars()
                        .count()
                        .min(rotated_chars)
                })
                .max()
                .unwrap_or(0);
            text_width(&"x".repeat(longest), 10.5) * 0.82 + 12.0
        }
    }
}

/// One column per drawn touchpoint, in order; the column of each file
/// index (`usize::MAX` where not drawn).
fn place_columns(
    journey: &Journey,
    order: &[usize],
    colw: f64,
    y_of: impl Fn(f64) -> f64,
) -> (Vec<Column>, Vec<usize>) {
    let mut col_of = vec![usize::MAX; journey.len()];
    let columns: Vec<Column> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            col_of[i] = k;
            Column {
                index: i,
                x: LEFT + colw * (k as f64 + 0.5),
                y: y_of(journey.touchpoint(i).emotion),
            }
        })
        .collect();
    (columns, col_of)
}

/// Which touchpoints are drawn, where, and how the map is labelled.
fn layout<'a>(
    journey: &'a Journey,
    analysis: &'a Analysis,
    moments: &'a Moments,
    personas: Option<&Personas>,
    options: &MapOptions,
) -> Map<'a> {
    let scale = journey.scale();
    let signed_scale = scale.min < 0.0;

    let (reasons, defining, forgettable) = marks(journey, moments);
    let main: Vec<usize> = analysis
        .paths
        .main
        .touchpoints
        .iter()
        .filter_map(|id| journey.index_of(id))
        .collect();
    // The main route's steps, for O(log) lookups per edge.
    let main_steps: std::collections::BTreeSet<(usize, usize)> =
        main.windows(2).map(|w| (w[0], w[1])).collect();
    let (keep, collapse_note) =
        select(journey, analysis, &defining, &main, options.max_touchpoints);
    let order: Vec<usize> = stage_order(journey)
        .into_iter()
        .filter(|&i| keep[i])
        .collect();
    let cols = order.len();

    // Geometry.
    let mut colw = (880.0 / cols as f64).clamp(14.0, 128.0);
    if LEFT + colw * cols as f64 + RIGHT < MIN_WIDTH {
        colw = (MIN_WIDTH - LEFT - RIGHT) / cols as f64;
    }
    let mode = if colw >= 64.0 {
        LabelMode::Wrapped
    } else {
        LabelMode::Rotated
    };
    let roomy = colw >= 28.0;
    let plot_w = colw * cols as f64;
    let lines = personas.map_or_else(Vec::new, |p| persona_lines_of(journey, p, &keep));
    let width = LEFT
        + plot_w
        + RIGHT
        + if lines.is_empty() {
            0.0
        } else {
            PERSONA_LABELS
        };
    let band_top = 92.0;
    let plot_top = band_top + 30.0;
    let plot_bottom = plot_top + PLOT_H;
    let span = scale.max - scale.min;
    let y_of = |e: f64| plot_top + (scale.max - e) / span * PLOT_H;
    let r = if colw >= 20.0 { 6.5 } else { 4.5 };
    let label_chars = ((colw - 6.0) / 6.2).floor().max(3.0) as usize;
    let label_top = plot_bottom + 18.0;
    let label_h = label_height(journey, &order, mode);

    let (columns, col_of) = place_columns(journey, &order, colw, y_of);
    let main_steps_ref = &main_steps;
    let LegendLayout {
        items: legend,
        top: legend_top,
        rows: legend_rows,
    } = legend_layout(
        journey,
        &columns,
        &keep,
        main_steps_ref,
        (&defining, &forgettable),
        (analysis, width, label_top + label_h),
        &lines,
    );
    let mut notes = notes(analysis, collapse_note.as_deref(), roomy, mode);
    notes.extend(undrawn_personas(personas));
    let notes_top = legend_top + legend_rows.len() as f64 * 24.0 + 8.0;
    let height = notes_top + notes.len() as f64 * 17.0 + 12.0;
    Map {
        journey,
        analysis,
        moments,
        scale,
        signed_scale,
        reasons,
        defining,
        forgettable,
        main_steps,
        keep,
        collapse_note,
        columns,
        col_of,
        colw,
        mode,
        roomy,
        plot_w,
        width,
        band_top,
        plot_top,
        plot_bottom,
        r,
        label_chars,
        label_top,
        legend,
        legend_top,
        legend_rows,
        notes,
        notes_top,
        height,
        personas: lines,
    }
}

/// The legend (only what the map shows), laid out in rows that fit the
/// width, below the labels.
fn legend_layout(
    journey: &Journey,
    columns: &[Column],
    keep: &[bool],
    main_steps: &std::collections::BTreeSet<(usize, usize)>,
    (defining, forgettable): (&[bool], &[bool]),
    (analysis, width, above): (&Analysis, f64, f64),
    personas: &[PersonaLine],
) -> LegendLayout {
    let scale = journey.scale();
    let model = &analysis.remembered.model;
    // The legend lists what the map shows.
    let has = |f: &dyn Fn(usize) -> bool| columns.iter().any(|c| f(c.index));
    let emotion_of = |i: usize| journey.touchpoint(i).emotion;
    let any_branch = columns.iter().any(|c| {
        journey
            .successors(c.index)
            .any(|(v, _)| keep[v] && !main_steps.contains(&(c.index, v)))
    });
    let legend: Vec<(&str, String)> = [
        (
            has(&|i| emotion_of(i) > scale.neutral),
            "pos",
            "positive".to_string(),
        ),
        (
            has(&|i| emotion_of(i) < scale.neutral),
            "neg",
            "negative".into(),
        ),
        (
            has(&|i| emotion_of(i) == scale.neutral),
            "neu",
            "neutral".into(),
        ),
        (
            has(&|i| defining[i]),
            "ring",
            "defining moment (reasons beside it)".into(),
        ),
        (
            has(&|i| forgettable[i]),
            "faded",
            "forgettable: investing here moves no memory".into(),
        ),
        (true, "end", "journey ends here".into()),
        (
            true,
            "main",
            "main route (the busiest transition at each step)".to_string(),
        ),
        (
            any_branch,
            "branch",
            "other branches (width: share of customers)".into(),
        ),
        (true, "rem", format!("remembered ({model} model)")),
        (
            true,
            "avg",
            "average, duration-weighted (the dashboard view)".into(),
        ),
    ]
    .into_iter()
    .filter(|(shown, _, _)| *shown)
    .map(|(_, key, text)| (key, text))
    .chain(personas.iter().enumerate().map(|(k, p)| {
        let remembered = p.remembered.map_or_else(
            || "takes part in nothing".to_string(),
            |r| format!("remembers {}", score(r, &scale)),
        );
        (
            PERSONA_KEYS[k],
            format!("{}: its moments and memory, {remembered}", p.name),
        )
    }))
    .collect();
    let legend_top = above + 20.0;
    let mut legend_rows: Vec<Vec<(f64, usize)>> = vec![Vec::new()];
    let mut lx = LEFT;
    for (k, (_, text)) in legend.iter().enumerate() {
        let w = 30.0 + text_width(text, 12.0) + 18.0;
        if lx + w > width - 16.0 && lx > LEFT {
            legend_rows.push(Vec::new());
            lx = LEFT;
        }
        legend_rows.last_mut().expect("a row").push((lx, k));
        lx += w;
    }
    LegendLayout {
        items: legend,
        top: legend_top,
        rows: legend_rows,
    }
}

/// The legend's entries (key, text) and their rows of (x, entry).
struct LegendLayout {
    items: Vec<(&'static str, String)>,
    top: f64,
    rows: Vec<Vec<(f64, usize)>>,
}

/// Notes under the legend: the collapse, estimates, and what to hover for.
fn notes(
    analysis: &Analysis,
    collapse_note: Option<&str>,
    roomy: bool,
    mode: LabelMode,
) -> Vec<String> {
    let rotated_chars = ROTATED_CHARS;
    let mut notes: Vec<String> = Vec::new();
    if let Some(c) = collapse_note {
        notes.push(c.to_string());
    }
    if let Some(est) = &analysis.estimate {
        let se = analysis
            .remembered
            .standard_error
            .map(|s| format!(" (remembered ± {s:.3} standard error)"))
            .unwrap_or_default();
        notes.push(format!(
            "estimated by Monte Carlo: {}{se}; {} samples, seed {}",
            est.figures
                .iter()
                .map(|f| f.path())
                .collect::<Vec<_>>()
                .join(", "),
            est.samples,
            est.seed
        ));
    }
    if !roomy {
        notes.push("branch and entry probabilities: hover a line or a marker".into());
    }
    if mode == LabelMode::Rotated {
        notes.push(format!(
            "names longer than {rotated_chars} characters are cut; hover a marker for the full name"
        ));
    }
    notes
}

/// The SVG element, its title and description, and the header lines.
fn map_header(s: &mut String, m: &Map<'_>) {
    let analysis = m.analysis;
    let spec = m.journey.spec();
    let scale = m.scale;
    let width = m.width;
    let height = m.height;
    let model = &m.analysis.remembered.model;
    let name = &spec.name;
    let rem = analysis.remembered.expected;
    let mean = analysis.mean.expected;
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="map-title map-desc" font-family="{FONT}" class="peakend-map">"##,
        w = num(width),
        h = num(height)
    );
    s.push('\n');
    let _ = writeln!(
        s,
        "<title id=\"map-title\">{}: journey map</title>",
        escape(name)
    );
    let desc = description(m);
    let _ = writeln!(s, "<desc id=\"map-desc\">{}</desc>", escape(&desc));
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(width),
        num(height)
    );

    // Header.
    let _ = writeln!(
        s,
        r##"<text x="{}" y="30" font-size="20" font-weight="700" fill="{INK}">{}</text>"##,
        num(LEFT),
        escape(&truncate(name, ((width - LEFT - 16.0) / 11.0) as usize))
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="52" font-size="13" fill="#444">What customers will remember · {} model: {}</text>"##,
        num(LEFT),
        escape(model),
        escape(&truncate(
            &analysis.remembered.explain,
            ((width - LEFT - 260.0) / 7.0).max(20.0) as usize
        ))
    );
    let gap = rem - mean;
    let gap_text = if gap.abs() < 0.05 {
        "memory matches the average".to_string()
    } else if gap < 0.0 {
        format!("memory is {:.1} below the average", -gap)
    } else {
        format!("memory is {:.1} above the average", gap)
    };
    let _ = writeln!(
        s,
        r##"<text x="{}" y="72" font-size="13" fill="{INK}"><tspan font-weight="700">Remembered {}</tspan> · average {} · {} · {} remember it as negative</text>"##,
        num(LEFT),
        score(rem, &scale),
        score(mean, &scale),
        gap_text,
        escape(&percent(analysis.distribution.negative_share))
    );
}

/// What the picture shows, in words (the SVG description).
fn description(m: &Map<'_>) -> String {
    let journey = m.journey;
    let analysis = m.analysis;
    let moments = m.moments;
    let n = m.journey.len();
    let scale = m.scale;
    let collapse_note = &m.collapse_note;
    let model = &m.analysis.remembered.model;
    let rem = m.analysis.remembered.expected;
    let mean = m.analysis.mean.expected;
    let mut desc = format!(
        "{} touchpoints. Customers will remember {} on average ({} model); the duration-weighted \
         average is {}. {} remember the journey as negative.",
        n,
        score(rem, &scale),
        model,
        score(mean, &scale),
        percent(analysis.distribution.negative_share)
    );
    if !moments.defining.is_empty() {
        let list: Vec<String> = moments
            .defining
            .iter()
            .map(|m| {
                let rs: Vec<&str> = m.reasons.iter().map(|r| r.name()).collect();
                format!("{} ({})", m.name, rs.join(", "))
            })
            .collect();
        let _ = write!(desc, " Defining moments: {}.", list.join("; "));
    }
    let names = |ids: &[String]| {
        ids.iter()
            .filter_map(|id| journey.touchpoint_by_id(id))
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let _ = write!(
        desc,
        " Main route (the busiest transition at each step): {}.",
        names(&analysis.paths.main.touchpoints)
    );
    if analysis.paths.main.touchpoints != analysis.paths.most_likely.touchpoints {
        let _ = write!(
            desc,
            " The most likely complete path ({} of customers) differs: {}.",
            percent(analysis.paths.most_likely.probability),
            names(&analysis.paths.most_likely.touchpoints)
        );
    }
    if let Some(c) = &collapse_note {
        let _ = write!(desc, " {c}.");
    }
    desc
}

/// Stage bands: maximal runs of columns in the same stage.
fn stage_bands(s: &mut String, m: &Map<'_>) {
    let journey = m.journey;
    let spec = m.journey.spec();
    let columns = &m.columns;
    let cols = m.columns.len();
    let colw = m.colw;
    let band_top = m.band_top;
    let plot_bottom = m.plot_bottom;
    let stage_names: BTreeMap<&str, &str> = spec
        .stages
        .iter()
        .map(|st| (st.id.as_str(), st.name.as_str()))
        .collect();
    let mut k = 0;
    let mut band = 0;
    while k < cols {
        let st = journey.touchpoint(columns[k].index).stage.as_deref();
        let mut e = k + 1;
        while e < cols && journey.touchpoint(columns[e].index).stage.as_deref() == st {
            e += 1;
        }
        if let Some(st) = st {
            let x0 = LEFT + colw * k as f64;
            let bw = colw * (e - k) as f64;
            let label = stage_names.get(st).copied().unwrap_or(st);
            let fill = if band % 2 == 0 { "#f2f2f2" } else { "#e4e4e4" };
            band += 1;
            let _ = writeln!(
                s,
                r##"<g class="stage"><title>Stage: {}</title><rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"/><text x="{}" y="{}" font-size="12" font-weight="600" fill="#333" text-anchor="middle">{}</text></g>"##,
                escape(label),
                num(x0),
                num(band_top),
                num(bw),
                num(plot_bottom - band_top),
                num(x0 + bw / 2.0),
                num(band_top + 18.0),
                escape(&truncate(label, ((bw - 8.0) / 7.0).max(1.0) as usize))
            );
        }
        k = e;
    }
}

/// The emotion axis, its ticks and the neutral line.
fn axis(s: &mut String, m: &Map<'_>) {
    let scale = m.scale;
    let signed_scale = m.signed_scale;
    let plot_w = m.plot_w;
    let plot_top = m.plot_top;
    let plot_bottom = m.plot_bottom;
    let span = m.scale.max - m.scale.min;
    let y_of = |e: f64| m.y_of(e);
    let step = nice_step(span, 8.0);
    let mut t = (scale.min / step).ceil() * step;
    let mut ticks = String::new();
    while t <= scale.max + 1e-9 {
        let y = y_of(t);
        let _ = write!(
            ticks,
            r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#d0d0d0" stroke-width="0.75"/><text x="{}" y="{}" font-size="11" fill="#444" text-anchor="end">{}</text>"##,
            num(LEFT),
            num(LEFT + plot_w),
            num(LEFT - 8.0),
            num(y + 4.0),
            tick_label(t, signed_scale),
            y = num(y)
        );
        t += step;
    }
    let _ = writeln!(s, "<g class=\"axis\">{ticks}</g>");
    let yn = y_of(scale.neutral);
    let _ = writeln!(
        s,
        r##"<g class="neutral"><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"/><text x="{}" y="{}" font-size="10" fill="#444" text-anchor="end">neutral</text></g>"##,
        num(LEFT),
        num(LEFT + plot_w),
        num(LEFT - 8.0),
        num(yn + 15.0),
        y = num(yn)
    );
    let _ = writeln!(
        s,
        r##"<text transform="translate(18 {}) rotate(-90)" font-size="12" fill="#444" text-anchor="middle">emotion</text>"##,
        num(plot_top + PLOT_H / 2.0)
    );
    let _ = writeln!(
        s,
        r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#888" stroke-width="1"/>"##,
        num(plot_top),
        num(plot_bottom),
        x = num(LEFT)
    );
}

/// Edges, branches first and the main route on top; the probability labels, to draw later.
fn edges(s: &mut String, m: &Map<'_>) -> String {
    let journey = m.journey;
    let tps = &m.analysis.touchpoints;
    let main_steps = &m.main_steps;
    let keep = &m.keep;
    let columns = &m.columns;
    let col_of = &m.col_of;
    let roomy = m.roomy;
    let mut branches = String::new();
    let mut main_edges = String::new();
    let mut probs = String::new();
    for c in columns {
        let u = c.index;
        let succ: Vec<(usize, f64)> = journey.successors(u).collect();
        let branching = succ.len() > 1;
        for &(v, p) in &succ {
            if !keep[v] {
                continue;
            }
            let d = &columns[col_of[v]];
            let flow = tps[u].visit * p;
            let is_main = main_steps.contains(&(u, v));
            let mid = (d.x - c.x) / 2.0;
            let path = format!(
                "M{} {}C{} {} {} {} {} {}",
                num(c.x),
                num(c.y),
                num(c.x + mid),
                num(c.y),
                num(d.x - mid),
                num(d.y),
                num(d.x),
                num(d.y)
            );
            let title = format!(
                "{} → {}: {} of those at {} ({} of all customers)",
                journey.touchpoint(u).name,
                journey.touchpoint(v).name,
                percent(p),
                journey.touchpoint(u).name,
                percent(flow)
            );
            let w = 0.75 + 7.0 * flow;
            let (target, stroke, width, opacity) = if is_main {
                (&mut main_edges, INK, w.max(2.5), "1")
            } else {
                (&mut branches, "#9a9a9a", w, "0.85")
            };
            let _ = writeln!(
                target,
                r##"<path class="edge" d="{path}" fill="none" stroke="{stroke}" stroke-width="{}" stroke-opacity="{opacity}" stroke-linecap="round"><title>{}</title></path>"##,
                num(width),
                escape(&title)
            );
            if branching && roomy {
                let t = 0.32;
                let px = c.x + (d.x - c.x) * t;
                let py = c.y + (d.y - c.y) * t - 5.0;
                let _ = writeln!(
                    probs,
                    r##"<text x="{}" y="{}" font-size="10" fill="#333" text-anchor="middle" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                    num(px),
                    num(py),
                    short_percent(p)
                );
            }
        }
    }
    let _ = writeln!(s, "<g class=\"branches\">\n{branches}</g>");
    let _ = writeln!(s, "<g class=\"main-path\">\n{main_edges}</g>");

    probs
}

/// The remembered and average lines, labelled in the right margin.
fn memory_lines(s: &mut String, m: &Map<'_>) {
    let analysis = m.analysis;
    let scale = m.scale;
    let plot_w = m.plot_w;
    let model = &m.analysis.remembered.model;
    let rem = m.analysis.remembered.expected;
    let mean = m.analysis.mean.expected;
    let y_of = |e: f64| m.y_of(e);
    let yr = y_of(rem.clamp(scale.min, scale.max));
    let ym = y_of(mean.clamp(scale.min, scale.max));
    let (mut lr, mut lm) = (yr, ym);
    if (lr - lm).abs() < 34.0 {
        let mid = (lr + lm) / 2.0;
        let (a, b) = if rem >= mean {
            (-17.0, 17.0)
        } else {
            (17.0, -17.0)
        };
        lr = mid + a;
        lm = mid + b;
    }
    let right = LEFT + plot_w;
    let rem_note = match analysis.remembered.standard_error {
        Some(se) => format!("{model} · estimate ±{se:.2}"),
        None => format!("{model} model"),
    };
    let _ = writeln!(
        s,
        r##"<g class="remembered"><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{PURPLE}" stroke-width="3"/><path d="M{} {y}L{} {}" stroke="{PURPLE}" stroke-width="1.5" fill="none"/><text x="{}" y="{}" font-size="13" font-weight="700" fill="{INK}">Remembered {}</text><text x="{}" y="{}" font-size="11" fill="#444">{}</text></g>"##,
        num(LEFT),
        num(right),
        num(right),
        num(right + 10.0),
        num(lr),
        num(right + 14.0),
        num(lr + 1.0),
        score(rem, &scale),
        num(right + 14.0),
        num(lr + 14.0),
        escape(&rem_note),
        y = num(yr)
    );
    let _ = writeln!(
        s,
        r##"<g class="average"><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{GREEN}" stroke-width="2.5" stroke-dasharray="7 4"/><path d="M{} {y}L{} {}" stroke="{GREEN}" stroke-width="1.5" fill="none"/><text x="{}" y="{}" font-size="13" font-weight="700" fill="{INK}">Average {}</text><text x="{}" y="{}" font-size="11" fill="#444">duration-weighted</text></g>"##,
        num(LEFT),
        num(right),
        num(right),
        num(right + 10.0),
        num(lm),
        num(right + 14.0),
        num(lm + 1.0),
        score(mean, &scale),
        num(right + 14.0),
        num(lm + 14.0),
        y = num(ym)
    );
}

/// One touchpoint: its marker, ring, end bar, entry share, reasons and name.
fn touchpoint(s: &mut String, m: &Map<'_>, c: &Column) {
    let journey = m.journey;
    let scale = m.scale;
    let reasons = &m.reasons;
    let defining = &m.defining;
    let forgettable = &m.forgettable;
    let mode = m.mode;
    let roomy = m.roomy;
    let plot_top = m.plot_top;
    let plot_bottom = m.plot_bottom;
    let r = m.r;
    let i = c.index;
    let tp = journey.touchpoint(i);
    let (sh, colour) = shape_for(tp.emotion, scale.neutral);
    let faded = forgettable[i];
    let entry = journey.entry_probability(i);
    let tip = tooltip(m, i);
    let class = if defining[i] {
        "touchpoint defining"
    } else if faded {
        "touchpoint forgettable"
    } else {
        "touchpoint"
    };
    let _ = write!(
        s,
        r##"<g class="{class}" data-touchpoint="{}"><title>{}</title>"##,
        escape(&tp.id),
        escape(&tip)
    );
    if defining[i] {
        let _ = write!(
            s,
            r##"<circle cx="{}" cy="{}" r="{}" fill="none" stroke="{INK}" stroke-width="2.25"/>"##,
            num(c.x),
            num(c.y),
            num(r + 4.5)
        );
    }
    let attrs = if faded {
        format!(
            r##"class="marker" fill="#ffffff" stroke="{colour}" stroke-width="1.5" opacity="0.55""##
        )
    } else {
        format!(r##"class="marker" fill="{colour}" stroke="#ffffff" stroke-width="1""##)
    };
    shape(s, sh, c.x, c.y, r, &attrs);
    if journey.is_end(i) {
        let ex = c.x + r + 6.0;
        let _ = write!(
            s,
            r##"<line class="end" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{INK}" stroke-width="2.5"/>"##,
            num(c.y - 10.0),
            num(c.y + 10.0),
            x = num(ex)
        );
    }
    if roomy && entry > 0.0 && entry < 1.0 {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="9.5" fill="#444" text-anchor="middle" stroke="#ffffff" stroke-width="3" paint-order="stroke">start {}</text>"##,
            num(c.x),
            num(c.y + r + 24.0),
            short_percent(entry)
        );
    }
    if defining[i] {
        reason_label(s, reasons[i], c, r, mode, plot_top, plot_bottom);
    }
    name_label(s, m, c, faded);
    s.push_str("</g>\n");
}

/// A touchpoint's tooltip: every figure about it.
fn tooltip(m: &Map<'_>, i: usize) -> String {
    let journey = m.journey;
    let tp = journey.touchpoint(i);
    let res = &m.analysis.touchpoints[i];
    let signed_scale = m.signed_scale;
    let reasons = &m.reasons;
    let defining = &m.defining;
    let faded = m.forgettable[i];
    let mut tip = format!(
        "{} — emotion {}; visited by {}",
        tp.name,
        tick_label(tp.emotion, signed_scale),
        percent(res.visit)
    );
    if !tp.actors.is_empty() {
        let _ = write!(tip, "; with {}", tp.actors.join(", "));
    }
    if res.peak_share > 0.0 {
        let _ = write!(tip, "; remembered peak for {}", percent(res.peak_share));
    }
    if res.end_share > 0.0 {
        let _ = write!(tip, "; last moment for {}", percent(res.end_share));
    }
    let _ = write!(tip, "; memory weight {:.3}", res.memory_weight);
    let entry = journey.entry_probability(i);
    if entry > 0.0 && entry < 1.0 {
        let _ = write!(tip, "; {} of customers start here", percent(entry));
    }
    if defining[i] {
        let rs: Vec<&str> = reasons[i].iter().map(|r| r.name()).collect();
        let _ = write!(tip, "; defining moment: {}", rs.join(", "));
    }
    if faded {
        tip.push_str("; forgettable");
    }
    tip
}

/// The touchpoint's name under the plot: wrapped, or rotated and cut.
fn name_label(s: &mut String, m: &Map<'_>, c: &Column, faded: bool) {
    let tp = m.journey.touchpoint(c.index);
    let label_chars = m.label_chars;
    let label_top = m.label_top;
    let rotated_chars = ROTATED_CHARS;
    let fill = if faded { "#8a8a8a" } else { INK };
    let style = if faded {
        r##" font-style="italic""##
    } else {
        ""
    };
    match m.mode {
        LabelMode::Wrapped => {
            let lines = wrap(&tp.name, label_chars, 3);
            let _ = write!(
                s,
                r##"<text class="name" x="{}" y="{}" font-size="11" fill="{fill}" text-anchor="middle"{style}>"##,
                num(c.x),
                num(label_top)
            );
            for (k, line) in lines.iter().enumerate() {
                let _ = write!(
                    s,
                    r##"<tspan x="{}" dy="{}">{}</tspan>"##,
                    num(c.x),
                    if k == 0 { "0" } else { "13" },
                    escape(line)
                );
            }
            s.push_str("</text>");
        }
        LabelMode::Rotated => {
            let _ = write!(
                s,
                r##"<text class="name" x="{x}" y="{y}" font-size="10.5" fill="{fill}" text-anchor="end" transform="rotate(-55 {x} {y})"{style}>{}</text>"##,
                escape(&truncate(&tp.name, rotated_chars)),
                x = num(c.x + 3.0),
                y = num(label_top - 6.0)
            );
        }
    }
}

/// The legend rows and the notes.
fn legend(s: &mut String, m: &Map<'_>) {
    let legend = &m.legend;
    let legend_rows = &m.legend_rows;
    let notes = &m.notes;
    let legend_top = m.legend_top;
    let notes_top = m.notes_top;
    let _ = writeln!(s, "<g class=\"legend\" font-size=\"12\" fill=\"{INK}\">");
    for (row, items) in legend_rows.iter().enumerate() {
        let y = legend_top + row as f64 * 24.0;
        for &(x, k) in items {
            let (key, text) = &legend[k];
            let cx = x + 10.0;
            match *key {
                "pos" => shape(s, Shape::Circle, cx, y, 6.0, &format!(r##"fill="{BLUE}""##)),
                "neg" => shape(
                    s,
                    Shape::Triangle,
                    cx,
                    y,
                    6.0,
                    &format!(r##"fill="{VERMILLION}""##),
                ),
                "neu" => shape(
                    s,
                    Shape::Diamond,
                    cx,
                    y,
                    6.0,
                    &format!(r##"fill="{GREY}""##),
                ),
                "ring" => {
                    let _ = write!(
                        s,
                        r##"<circle cx="{}" cy="{}" r="10" fill="none" stroke="{INK}" stroke-width="2.25"/>"##,
                        num(cx),
                        num(y)
                    );
                }
                "faded" => shape(
                    s,
                    Shape::Circle,
                    cx,
                    y,
                    6.0,
                    &format!(
                        r##"fill="#ffffff" stroke="{BLUE}" stroke-width="1.5" opacity="0.55""##
                    ),
                ),
                k if PERSONA_KEYS.contains(&k) => persona_key(s, k, x, y),
                "end" => {
                    let _ = write!(
                        s,
                        r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{INK}" stroke-width="2.5"/>"##,
                        num(y - 9.0),
                        num(y + 9.0),
                        x = num(cx)
                    );
                }
                _ => {
                    let (stroke, w, dash) = match *key {
                        "main" => (INK, 3.0, ""),
                        "branch" => ("#9a9a9a", 1.5, ""),
                        "rem" => (PURPLE, 3.0, ""),
                        _ => (GREEN, 2.5, r##" stroke-dasharray="7 4""##),
                    };
                    let _ = write!(
                        s,
                        r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="{w}"{dash}/>"##,
                        num(x),
                        num(x + 22.0),
                        y = num(y)
                    );
                }
            }
            let _ = write!(
                s,
                r##"<text x="{}" y="{}">{}</text>"##,
                num(x + 30.0),
                num(y + 4.0),
                escape(text)
            );
        }
        s.push('\n');
    }
    s.push_str("</g>\n");
    for (k, note) in notes.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text class="note" x="{}" y="{}" font-size="11.5" fill="#444">{}</text>"##,
            num(LEFT),
            num(notes_top + k as f64 * 17.0 + 4.0),
            escape(note)
        );
    }
}

/// A note on the personas past [`PERSONA_STYLES`], which are not drawn.
fn undrawn_personas(personas: Option<&Personas>) -> Option<String> {
    let n = personas?.personas.len();
    (n > PERSONA_STYLES.len()).then(|| {
        format!(
            "{} more personas are not drawn: peakend render --persona NAME draws one alone",
            n - PERSONA_STYLES.len()
        )
    })
}

/// Room at the right of the map for the personas' labels.
const PERSONA_LABELS: f64 = 170.0;

/// How a persona is drawn: a colour (Okabe–Ito, not those of the emotion
/// markers and the memory lines), a dash and a marker shape, so that no
/// persona is told by colour alone.
struct PersonaStyle {
    colour: &'static str,
    dash: &'static str,
    marker: PersonaMarker,
}

#[derive(Clone, Copy)]
enum PersonaMarker {
    Square,
    Cross,
    Plus,
    TriangleUp,
    Bar,
    Ring,
}

/// The styles of the first personas; more are not drawn (a note says so).
const PERSONA_STYLES: [PersonaStyle; 6] = [
    PersonaStyle {
        colour: "#E69F00",
        dash: "",
        marker: PersonaMarker::Square,
    },
    PersonaStyle {
        colour: "#56B4E9",
        dash: "6 3",
        marker: PersonaMarker::Cross,
    },
    PersonaStyle {
        colour: "#8a7300",
        dash: "2 3",
        marker: PersonaMarker::Plus,
    },
    PersonaStyle {
        colour: "#E69F00",
        dash: "9 3 2 3",
        marker: PersonaMarker::TriangleUp,
    },
    PersonaStyle {
        colour: "#56B4E9",
        dash: "1 2",
        marker: PersonaMarker::Bar,
    },
    PersonaStyle {
        colour: "#8a7300",
        dash: "10 4",
        marker: PersonaMarker::Ring,
    },
];

/// Legend keys of the personas, by style.
const PERSONA_KEYS: [&str; 6] = ["p0", "p1", "p2", "p3", "p4", "p5"];

fn dash(d: &str) -> String {
    if d.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{d}\"")
    }
}

/// One persona as the map draws it.
struct PersonaLine {
    name: String,
    role: Option<String>,
    remembered: Option<f64>,
    /// (file index, the persona's emotion) of each drawn touchpoint it
    /// takes part in.
    points: Vec<(usize, f64)>,
    /// Its journey's transitions between drawn touchpoints (file indices).
    steps: Vec<(usize, usize)>,
}

/// The first [`PERSONA_STYLES`] personas' lines.
fn persona_lines_of(journey: &Journey, personas: &Personas, keep: &[bool]) -> Vec<PersonaLine> {
    personas
        .personas
        .iter()
        .take(PERSONA_STYLES.len())
        .map(|p| {
            let points = (0..journey.len())
                .filter(|&i| keep[i] && journey.takes_part(i, &p.name))
                .map(|i| (i, journey.emotion_of(i, &p.name)))
                .collect();
            let mut steps: Vec<(usize, usize)> = Vec::new();
            if let Some(pj) = &p.view.journey {
                let original = |k: usize| journey.index_of(&p.view.origin[k]);
                for u in 0..pj.len() {
                    for (v, _) in pj.successors(u) {
                        if let (Some(a), Some(b)) = (original(u), original(v))
                            && a != b
                            && keep[a]
                            && keep[b]
                        {
                            steps.push((a, b));
                        }
                    }
                }
            }
            steps.sort_unstable();
            steps.dedup();
            PersonaLine {
                name: p.name.clone(),
                role: p.role.clone(),
                remembered: p.expected(),
                points,
                steps,
            }
        })
        .collect()
}

/// A persona's legend key: its line, dash and marker.
fn persona_key(s: &mut String, key: &str, x: f64, y: f64) {
    let n = PERSONA_KEYS.iter().position(|p| *p == key).unwrap_or(0);
    let st = &PERSONA_STYLES[n];
    let _ = write!(
        s,
        r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="2"{}/>"##,
        num(x),
        num(x + 22.0),
        st.colour,
        dash(st.dash),
        y = num(y)
    );
    persona_marker(s, st.marker, x + 10.0, y, 4.5, st.colour);
}

fn persona_marker(s: &mut String, marker: PersonaMarker, x: f64, y: f64, r: f64, colour: &str) {
    let (x0, x1, y0, y1) = (num(x - r), num(x + r), num(y - r), num(y + r));
    let (cx, cy) = (num(x), num(y));
    let stroke = format!(r##"stroke="{colour}" stroke-width="2""##);
    let _ = match marker {
        PersonaMarker::Square => write!(
            s,
            r##"<rect x="{x0}" y="{y0}" width="{}" height="{}" fill="#ffffff" {stroke}/>"##,
            num(2.0 * r),
            num(2.0 * r)
        ),
        PersonaMarker::Cross => write!(
            s,
            r##"<path d="M{x0} {y0}L{x1} {y1}M{x0} {y1}L{x1} {y0}" {stroke}/>"##
        ),
        PersonaMarker::Plus => write!(
            s,
            r##"<path d="M{x0} {cy}L{x1} {cy}M{cx} {y0}L{cx} {y1}" {stroke}/>"##
        ),
        PersonaMarker::TriangleUp => write!(
            s,
            r##"<path d="M{cx} {y0}L{x1} {y1}L{x0} {y1}Z" fill="#ffffff" {stroke}/>"##
        ),
        PersonaMarker::Bar => write!(
            s,
            r##"<path d="M{x0} {y0}L{x1} {y0}M{x0} {y1}L{x1} {y1}" {stroke}/>"##
        ),
        PersonaMarker::Ring => write!(
            s,
            r##"<circle cx="{cx}" cy="{cy}" r="{}" fill="#ffffff" {stroke}/>"##,
            num(r)
        ),
    };
}

/// Each persona's curve (its emotions along its own journey), markers, and
/// its remembered experience as a short bar at the right edge of the plot
/// with its name and value beside the map; labels kept apart.
fn persona_lines(s: &mut String, m: &Map<'_>) {
    if m.personas.is_empty() {
        return;
    }
    let right = LEFT + m.plot_w;
    let label_x = right + RIGHT - 16.0;
    // Label positions: the lines' heights, pushed apart to 15 px.
    let mut order: Vec<(f64, usize)> = m
        .personas
        .iter()
        .enumerate()
        .filter_map(|(k, p)| {
            p.remembered
                .map(|r| (m.y_of(r.clamp(m.scale.min, m.scale.max)), k))
        })
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut label_y = vec![0.0; m.personas.len()];
    let mut last = f64::NEG_INFINITY;
    for &(y, k) in &order {
        let y = y.max(last + 15.0);
        label_y[k] = y;
        last = y;
    }
    let _ = writeln!(s, "<g class=\"personas\">");
    // Each persona a little to the side of the others, so that its
    // markers show where they coincide.
    let spread = (m.colw / 4.0).min(12.0) / m.personas.len().max(1) as f64;
    let half = (m.personas.len() as f64 - 1.0) / 2.0;
    for (k, p) in m.personas.iter().enumerate() {
        let st = &PERSONA_STYLES[k];
        let dx = (k as f64 - half) * spread;
        let xy = |i: usize| {
            let c = &m.columns[m.col_of[i]];
            (c.x + dx, m.y_of(m.journey.emotion_of(i, &p.name)))
        };
        let _ = write!(
            s,
            r##"<g class="persona" data-persona="{}"><title>{}</title>"##,
            escape(&p.name),
            escape(&match (&p.role, p.remembered) {
                (Some(role), Some(r)) =>
                    format!("{} ({role}): remembers {}", p.name, score(r, &m.scale)),
                (None, Some(r)) => format!("{}: remembers {}", p.name, score(r, &m.scale)),
                (_, None) => format!("{}: takes part in nothing a customer reaches", p.name),
            })
        );
        for &(a, b) in &p.steps {
            let ((x1, y1), (x2, y2)) = (xy(a), xy(b));
            let _ = write!(
                s,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.75" opacity="0.85"{}/>"##,
                num(x1),
                num(y1),
                num(x2),
                num(y2),
                st.colour,
                dash(st.dash)
            );
        }
        for &(i, _) in &p.points {
            let (x, y) = xy(i);
            persona_marker(s, st.marker, x, y, 4.0, st.colour);
        }
        if let Some(r) = p.remembered {
            let y = m.y_of(r.clamp(m.scale.min, m.scale.max));
            let _ = write!(
                s,
                r##"<line class="persona-remembered" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="2.5"{}/><path d="M{} {y}L{} {}" stroke="{}" stroke-width="1" fill="none"/><text x="{}" y="{}" font-size="11.5" fill="{INK}">{} {}</text>"##,
                num(right - 44.0),
                num(right),
                st.colour,
                dash(st.dash),
                num(right),
                num(label_x - 4.0),
                num(label_y[k]),
                st.colour,
                num(label_x),
                num(label_y[k] + 4.0),
                escape(&truncate(&p.name, 16)),
                score(r, &m.scale),
                y = num(y)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");
}

/// A percentage without decimals unless it needs them: `60%`, `2.5%`.
/// The reasons of a defining moment beside its marker: stacked above or
/// below it, or rotated when columns are narrow.
fn reason_label(
    s: &mut String,
    reasons: &[Reason],
    c: &Column,
    r: f64,
    mode: LabelMode,
    plot_top: f64,
    plot_bottom: f64,
) {
    let names: Vec<String> = reasons.iter().map(|r| r.name().to_uppercase()).collect();
    let upper_half = c.y < (plot_top + plot_bottom) / 2.0;
    match mode {
        LabelMode::Wrapped => {
            let lines = names.len() as f64;
            // Below a marker in the upper half, above one in the lower half.
            let first = if upper_half {
                c.y + r + 20.0
            } else {
                c.y - r - 10.0 - (lines - 1.0) * 12.0
            };
            let _ = write!(
                s,
                r##"<text class="reasons" x="{}" y="{}" font-size="10" font-weight="700" fill="{INK}" text-anchor="middle" stroke="#ffffff" stroke-width="3" paint-order="stroke">"##,
                num(c.x),
                num(first)
            );
            for (k, n) in names.iter().enumerate() {
                let _ = write!(
                    s,
                    r##"<tspan x="{}" dy="{}">{}</tspan>"##,
                    num(c.x),
                    if k == 0 { "0" } else { "12" },
                    n
                );
            }
            s.push_str("</text>");
        }
        LabelMode::Rotated => {
            let text = names.join("·");
            let (y, angle, anchor) = if upper_half {
                (c.y + r + 8.0, 90, "start")
            } else {
                (c.y - r - 8.0, -90, "start")
            };
            let _ = write!(
                s,
                r##"<text class="reasons" x="{x}" y="{y}" font-size="9.5" font-weight="700" fill="{INK}" text-anchor="{anchor}" dy="3" transform="rotate({angle} {x} {y})" stroke="#ffffff" stroke-width="3" paint-order="stroke">{text}</text>"##,
                x = num(c.x),
                y = num(y)
            );
        }
    }
}

/// The distribution of remembered experience across customers as an SVG
/// bar chart over the scale ([`crate::analysis::Distribution::histogram`]),
/// negative bins as hatched vermillion and positive ones as blue, with the
/// expected remembered score and the duration-weighted average marked.
///
/// ```
/// use peakend::{analyze, render, Journey, Model, Options};
/// let j = Journey::from_json_str(r##"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"##).unwrap();
/// let a = analyze(&j, &Model::PeakEnd, &Options::new());
/// let svg = render::histogram_svg(&a);
/// assert_eq!(svg.matches("class=\"bar\"").count(), 20);
/// assert!(svg.contains("100%"));
/// ```
pub fn histogram_svg(analysis: &Analysis) -> String {
    let bins = &analysis.distribution.histogram;
    let scale = analysis.journey.scale;
    let (w, h) = (760.0, 300.0);
    let (left, right, top, bottom) = (56.0, 24.0, 30.0, 56.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let max_share = bins.iter().map(|b| b.share).fold(0.0, f64::max).max(1e-12);
    let y_top = nice_step(max_share, 4.0) * (max_share / nice_step(max_share, 4.0)).ceil();
    let exact = if analysis.distribution.exact {
        "exact"
    } else {
        "Monte Carlo estimate"
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="hist-title hist-desc" font-family="{FONT}" class="peakend-histogram">"##
    );
    let _ = writeln!(
        s,
        "<title id=\"hist-title\">How customers remember {}</title>",
        escape(&analysis.journey.name)
    );
    let _ = writeln!(
        s,
        "<desc id=\"hist-desc\">Share of customers by remembered score ({exact}): {} remember the journey as negative; median {}, 10th percentile {}, 90th percentile {}.</desc>",
        escape(&percent(analysis.distribution.negative_share)),
        score(analysis.distribution.p50, &scale),
        score(analysis.distribution.p10, &scale),
        score(analysis.distribution.p90, &scale)
    );
    s.push_str(r##"<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#D55E00"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>"##);
    s.push('\n');
    let _ = writeln!(s, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    let f = HistFrame {
        h,
        left,
        top,
        pw,
        ph,
        min: scale.min,
        max: scale.max,
        y_top,
    };
    histogram_bars(&mut s, analysis, &f);
    histogram_axis(&mut s, analysis, &f);
    histogram_marks(&mut s, analysis, &f);
    s.push_str("</svg>\n");
    s
}

/// The share grid and one bar per bin, negative bins hatched.
fn histogram_bars(s: &mut String, analysis: &Analysis, f: &HistFrame) {
    let bins = &analysis.distribution.histogram;
    let scale = analysis.journey.scale;
    let signed_scale = analysis.journey.scale.min < 0.0;
    let left = f.left;
    let top = f.top;
    let pw = f.pw;
    let ph = f.ph;
    let y_of = |share: f64| f.y_of(share);
    let y_top = f.y_top;
    // Horizontal grid with share labels.
    let step = nice_step(y_top, 4.0);
    let mut t = 0.0;
    while t <= y_top + 1e-12 {
        let y = y_of(t);
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#d0d0d0" stroke-width="0.75"/><text x="{}" y="{}" font-size="11" fill="#444" text-anchor="end">{}</text>"##,
            num(left),
            num(left + pw),
            num(left - 6.0),
            num(y + 4.0),
            short_percent(t),
            y = num(y)
        );
        t += step;
    }
    let bw = pw / bins.len() as f64;
    for (k, b) in bins.iter().enumerate() {
        let x = left + bw * k as f64;
        let y = y_of(b.share);
        let centre = (b.from + b.to) / 2.0;
        let fill = if centre < scale.neutral {
            "url(#hatch)"
        } else {
            BLUE
        };
        let _ = write!(
            s,
            r##"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{fill}"><title>{} to {}: {} of customers</title></rect>"##,
            num(x + 1.0),
            num(y),
            num(bw - 2.0),
            num(top + ph - y),
            tick_label(b.from, signed_scale),
            tick_label(b.to, signed_scale),
            escape(&percent(b.share))
        );
        if b.share >= 0.005 {
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" font-size="10" fill="{INK}" text-anchor="middle">{}</text>"##,
                num(x + bw / 2.0),
                num(y - 4.0),
                short_percent((b.share * 100.0).round() / 100.0)
            );
        }
        s.push('\n');
    }
}

/// The scale along the bottom, with its caption.
fn histogram_axis(s: &mut String, analysis: &Analysis, f: &HistFrame) {
    let scale = analysis.journey.scale;
    let signed_scale = analysis.journey.scale.min < 0.0;
    let h = f.h;
    let left = f.left;
    let top = f.top;
    let pw = f.pw;
    let ph = f.ph;
    let span = analysis.journey.scale.max - analysis.journey.scale.min;
    let x_of = |v: f64| f.x_of(v);
    let exact = if analysis.distribution.exact {
        "exact"
    } else {
        "Monte Carlo estimate"
    };
    // x axis: scale ticks.
    let xstep = nice_step(span, 10.0);
    let mut v = (scale.min / xstep).ceil() * xstep;
    while v <= scale.max + 1e-9 {
        let x = x_of(v);
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#888"/><text x="{x}" y="{}" font-size="11" fill="#444" text-anchor="middle">{}</text>"##,
            num(top + ph),
            num(top + ph + 5.0),
            num(top + ph + 18.0),
            tick_label(v, signed_scale),
            x = num(x)
        );
        v += xstep;
    }
    let _ = writeln!(
        s,
        r##"<text x="{}" y="{}" font-size="12" fill="#444" text-anchor="middle">remembered score ({}; left of neutral: negative, hatched)</text>"##,
        num(left + pw / 2.0),
        num(h - 10.0),
        exact
    );
}

/// The expected remembered score and the average, as labelled lines.
fn histogram_marks(s: &mut String, analysis: &Analysis, f: &HistFrame) {
    let scale = analysis.journey.scale;
    let top = f.top;
    let ph = f.ph;
    let x_of = |v: f64| f.x_of(v);
    // Expected remembered score and the average.
    let rem = analysis.remembered.expected;
    let mean = analysis.mean.expected;
    let xr = x_of(rem);
    let xm = x_of(mean);
    let (ar, am) = if xr <= xm {
        ("end", "start")
    } else {
        ("start", "end")
    };
    let (dr, dm) = if xr <= xm { (-4.0, 4.0) } else { (4.0, -4.0) };
    let _ = writeln!(
        s,
        r##"<g class="remembered"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{PURPLE}" stroke-width="3"/><text x="{}" y="{}" font-size="12" font-weight="700" fill="{INK}" text-anchor="{ar}">remembered {}</text></g>"##,
        num(top - 4.0),
        num(top + ph),
        num(xr + dr),
        num(top - 8.0),
        score(rem, &scale),
        x = num(xr)
    );
    let _ = writeln!(
        s,
        r##"<g class="average"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{GREEN}" stroke-width="2.5" stroke-dasharray="7 4"/><text x="{}" y="{}" font-size="12" fill="{INK}" text-anchor="{am}">average {}</text></g>"##,
        num(top + 6.0),
        num(top + ph),
        num(xm + dm),
        num(top + 18.0),
        score(mean, &scale),
        x = num(xm)
    );
}

/// The histogram's drawing frame: size, margins, plot area and scales.
struct HistFrame {
    h: f64,
    left: f64,
    top: f64,
    pw: f64,
    ph: f64,
    min: f64,
    max: f64,
    y_top: f64,
}

impl HistFrame {
    fn x_of(&self, v: f64) -> f64 {
        self.left + (v.clamp(self.min, self.max) - self.min) / (self.max - self.min) * self.pw
    }
    fn y_of(&self, share: f64) -> f64 {
        self.top + self.ph - share / self.y_top * self.ph
    }
}
