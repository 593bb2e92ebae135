//! A journey in other tools' formats: Mermaid `journey`, spreadsheet CSV
//! and Graphviz DOT. What a format cannot carry is said, both in the output
//! (where the format has comments) and in [`Exported::warnings`].
//!
//! ```
//! use peakend::{export, Journey};
//! let j = Journey::from_json_str(r#"{"version":1,"name":"Onboarding",
//!   "scale":{"min":1,"max":5,"neutral":3},
//!   "stages":[{"id":"s","name":"Start"}], "personas":["Me"],
//!   "touchpoints":[{"id":"kick-off","name":"Kick-off","emotion":4,"stage":"s","actors":["Me"]},
//!                  {"id":"migration","name":"Migration","emotion":2,"stage":"s"}]}"#).unwrap();
//! let m = export::mermaid(&j);
//! assert_eq!(m.text, "journey\n  title Onboarding\n  section Start\n    Kick-off: 4: Me\n    Migration: 2\n");
//! assert!(m.warnings.is_empty());
//! ```

use crate::analysis::Analysis;
use crate::expect;
use crate::import::{MERMAID_SCALE, SCALE_COMMENT, from_score, to_score};
use crate::journey::Journey;
use crate::moments::Moments;
use crate::report::{percent, signed};
use std::fmt::Write;

/// An exported text and what it could not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The text in the target format, ending in a newline.
    pub text: String,
    /// What was left out or changed, one sentence each.
    pub warnings: Vec<String>,
}

/// File indices of the touchpoints to write in order: every touchpoint of
/// a linear journey, else the most likely path (with a warning).
fn linear_order(j: &Journey, warnings: &mut Vec<String>) -> (Vec<usize>, bool) {
    let (path, prob) = expect::most_likely(j, None, None).expect("a valid journey has a path");
    let path: Vec<usize> = path.into_iter().map(|p| j.file_index(p)).collect();
    let linear = path.len() == j.len() && prob == 1.0;
    if !linear {
        warnings.push(format!(
            "the journey branches: only its most likely path is written ({} of {} touchpoints, {} of customers); export to json or dot to keep every path",
            path.len(),
            j.len(),
            percent(prob)
        ));
    }
    (path, linear)
}

/// Replace characters a Mermaid field cannot hold with look-alikes.
fn mermaid_safe(s: &str, forbidden: &[char], what: &str, warnings: &mut Vec<String>) -> String {
    let out: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            ':' if forbidden.contains(&':') => '∶',
            '#' if forbidden.contains(&'#') => '＃',
            ';' if forbidden.contains(&';') => '；',
            ',' if forbidden.contains(&',') => '‚',
            c => c,
        })
        .collect();
    let out = out.trim().to_string();
    if out != s {
        warnings.push(format!(
            "{what} `{s}` is written as `{out}`: Mermaid cannot hold {}",
            "line breaks, surrounding spaces or these characters here"
        ));
    }
    out
}

/// The Mermaid score for an emotion: the emotion itself on Mermaid's own
/// scale (1 to 5, neutral 3), else mapped piecewise-linearly (min → 1,
/// neutral → 3, max → 5), choosing among the nearest doubles one that maps
/// back to exactly the same emotion.
fn score_for(e: f64, min: f64, max: f64, neutral: f64) -> (f64, bool) {
    let s = to_score(e, min, max, neutral);
    let up = |x: f64| {
        f64::from_bits(if x >= 0.0 {
            x.to_bits() + 1
        } else {
            x.to_bits() - 1
        })
    };
    let down = |x: f64| {
        f64::from_bits(if x > 0.0 {
            x.to_bits() - 1
        } else {
            x.to_bits() + 1
        })
    };
    let mut candidates = vec![s];
    let (mut a, mut b) = (s, s);
    for _ in 0..4 {
        a = up(a);
        b = down(b);
        candidates.push(a);
        candidates.push(b);
    }
    match candidates
        .into_iter()
        .find(|&c| from_score(c, min, max, neutral) == e)
    {
        Some(c) => (c, true),
        None => (s, false),
    }
}

/// The journey as a Mermaid `journey` diagram: the title, `accDescr` from
/// the description, a section per run of touchpoints in one stage, one
/// task per touchpoint with its score and actors. On a scale other than
/// Mermaid's 1 to 5 the scores are mapped onto it and a `%% peakend scale`
/// comment lets [`crate::import::mermaid`] map them back exactly, so that
/// JSON → Mermaid → JSON keeps names, stages, emotions and actors. A
/// branching journey is written as its most likely path, with a comment and
/// a warning saying what was left out; so are fields Mermaid has no place
/// for (ids, durations, channels, …).
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-10},{"id":"b","name":"B","emotion":10,"duration":5}]}"#).unwrap();
/// let m = peakend::export::mermaid(&j);
/// assert!(m.text.contains("%% peakend scale: min -10, max 10, neutral 0"));
/// assert!(m.text.contains("A: 1\n") && m.text.contains("B: 5\n"));
/// assert!(m.warnings[0].contains("duration"));
/// ```
pub fn mermaid(j: &Journey) -> Exported {
    let spec = j.spec();
    let scale = j.scale();
    let mut warnings = Vec::new();
    let (order, linear) = linear_order(j, &mut warnings);
    let mut out = String::from("journey\n");
    let title = mermaid_safe(&spec.name, &['#', ';'], "the title", &mut warnings);
    if !title.is_empty() {
        let _ = writeln!(out, "  title {title}");
    }
    let native = scale.min == MERMAID_SCALE.min
        && scale.max == MERMAID_SCALE.max
        && Some(scale.neutral) == MERMAID_SCALE.neutral;
    if !native {
        let _ = writeln!(
            out,
            "  %% {SCALE_COMMENT} min {}, max {}, neutral {}",
            scale.min, scale.max, scale.neutral
        );
    }
    // What Mermaid cannot carry.
    let mut lost: Vec<&str> = Vec::new();
    let tps = &spec.touchpoints;
    let any = |f: &dyn Fn(&crate::spec::TouchpointSpec) -> bool| tps.iter().any(f);
    let slugged = |t: &crate::spec::TouchpointSpec| crate::import::slug_of(&t.name) != t.id;
    for (present, what) in [
        (any(&slugged), "ids"),
        (any(&|t| t.duration.is_some()), "durations"),
        (any(&|t| t.channel.is_some()), "channels"),
        (any(&|t| t.owner.is_some()), "owners"),
        (any(&|t| !t.tags.is_empty()), "tags"),
        (any(&|t| t.improvement.is_some()), "improvements"),
        (any(&|t| t.notes.is_some()), "notes"),
        (any(&|t| t.entry.is_some()), "entry probabilities"),
        (
            spec.personas
                .iter()
                .any(|p| !tps.iter().any(|t| t.actors.contains(p))),
            "personas without a task",
        ),
    ] {
        if present {
            lost.push(what);
        }
    }
    if !lost.is_empty() {
        let msg = format!(
            "Mermaid has no place for {}; export to json to keep them",
            lost.join(", ")
        );
        let _ = writeln!(out, "  %% peakend: {msg}");
        warnings.push(msg);
    }
    if !linear {
        let _ = writeln!(out, "  %% peakend: {}", warnings[0]);
    }
    if let Some(d) = &spec.description {
        let d = d.trim();
        if d.contains('\n') {
            let safe = d.replace('}', ")");
            if safe != d {
                warnings.push("`}` in the description is written as `)`: it would end Mermaid's accDescr block".into());
            }
            out.push_str("  accDescr {\n");
            for l in safe.lines() {
                let _ = writeln!(out, "    {}", l.trim_end());
            }
            out.push_str("  }\n");
        } else if !d.is_empty() {
            let _ = writeln!(out, "  accDescr: {d}");
        }
    }
    fn stage_name<'a>(spec: &'a crate::spec::JourneySpec, id: &'a str) -> &'a str {
        spec.stages
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.name.as_str())
    }
    let mut current: Option<&str> = None;
    let mut inexact = Vec::new();
    for &i in &order {
        let t = &tps[i];
        if t.stage.as_deref() != current {
            current = t.stage.as_deref();
            match current {
                Some(st) => {
                    let name = mermaid_safe(stage_name(spec, st), &[':', '#', ';'], "the stage", &mut warnings);
                    let _ = writeln!(out, "  section {name}");
                }
                None => warnings.push(format!(
                    "`{}` has no stage but follows a staged touchpoint: Mermaid puts it in the section above",
                    t.name
                )),
            }
        }
        let name = mermaid_safe(&t.name, &[':', '#', ';'], "the touchpoint", &mut warnings);
        let lower = name.to_lowercase();
        if ["title ", "section ", "acctitle", "accdescr", "%%"]
            .iter()
            .any(|k| lower.starts_with(k))
            || lower == "journey"
        {
            warnings.push(format!(
                "Mermaid reads a task named `{name}` as a keyword or comment; rename it"
            ));
        }
        let (score, exact) = score_for(t.emotion, scale.min, scale.max, scale.neutral);
        if !exact {
            inexact.push(t.name.clone());
        }
        let actors: Vec<String> = t
            .actors
            .iter()
            .map(|a| mermaid_safe(a, &[':', '#', ';', ','], "the actor", &mut warnings))
            .collect();
        if actors.is_empty() {
            let _ = writeln!(out, "    {name}: {score}");
        } else {
            let _ = writeln!(out, "    {name}: {score}: {}", actors.join(", "));
        }
    }
    if !inexact.is_empty() {
        warnings.push(format!(
            "the emotions of {} do not map onto Mermaid's scores exactly; they may differ in the last digit when read back",
            inexact.join(", ")
        ));
    }
    Exported {
        text: out,
        warnings,
    }
}

/// The journey as CSV, one row per touchpoint in journey order (the most
/// likely path of a branching journey, with a warning), with the columns
/// [`crate::import::csv`] reads: `id`, `name`, `stage` (its name), `emotion`,
/// then whichever of `duration`, `channel`, `owner`, `tags`, `actors`,
/// `improvement`, `cost`, `entry`, `notes` the journey uses. Lists are
/// comma-separated inside their cell.
///
/// ```
/// let j = peakend::Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"Call, then email","emotion":-2.5,"channel":"phone"}]}"#).unwrap();
/// assert_eq!(peakend::export::csv(&j).text, "id,name,stage,emotion,channel\na,\"Call, then email\",,-2.5,phone\n");
/// ```
pub fn csv(j: &Journey) -> Exported {
    let spec = j.spec();
    let mut warnings = Vec::new();
    let (order, _) = linear_order(j, &mut warnings);
    let scale = j.scale();
    if scale.min != -10.0 || scale.max != 10.0 || scale.neutral != 0.0 {
        warnings.push(format!(
            "CSV has no place for the scale: read the file back with --scale {},{},{}",
            scale.min, scale.max, scale.neutral
        ));
    }
    let tps = &spec.touchpoints;
    type Get = fn(&crate::spec::TouchpointSpec) -> String;
    let optional: [(&str, Get); 9] = [
        ("duration", |t| {
            t.duration.map(|x| x.to_string()).unwrap_or_default()
        }),
        ("channel", |t| t.channel.clone().unwrap_or_default()),
        ("owner", |t| t.owner.clone().unwrap_or_default()),
        ("tags", |t| t.tags.join(", ")),
        ("actors", |t| t.actors.join(", ")),
        ("improvement", |t| {
            t.improvement
                .map(|i| i.emotion.to_string())
                .unwrap_or_default()
        }),
        ("cost", |t| {
            t.improvement
                .and_then(|i| i.cost)
                .map(|c| c.to_string())
                .unwrap_or_default()
        }),
        ("entry", |t| {
            t.entry.map(|x| x.to_string()).unwrap_or_default()
        }),
        ("notes", |t| t.notes.clone().unwrap_or_default()),
    ];
    let used: Vec<&(&str, Get)> = optional
        .iter()
        .filter(|(_, get)| order.iter().any(|&i| !get(&tps[i]).is_empty()))
        .collect();
    for t in tps {
        for (what, list) in [("tag", &t.tags), ("actor", &t.actors)] {
            if list.iter().any(|x| x.contains(',')) {
                warnings.push(format!(
                    "a {what} of `{}` contains a comma; it will read back as two",
                    t.name
                ));
            }
        }
    }
    let stage_name = |id: &str| {
        spec.stages
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_string(), |s| s.name.clone())
    };
    let mut w = ::csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header = vec!["id", "name", "stage", "emotion"];
    header.extend(used.iter().map(|(h, _)| *h));
    w.write_record(&header).expect("writing to memory");
    for &i in &order {
        let t = &tps[i];
        let mut row = vec![
            t.id.clone(),
            t.name.clone(),
            t.stage.as_deref().map(stage_name).unwrap_or_default(),
            t.emotion.to_string(),
        ];
        row.extend(used.iter().map(|(_, get)| get(t)));
        w.write_record(&row).expect("writing to memory");
    }
    let text = String::from_utf8(w.into_inner().expect("writing to memory"))
        .expect("the fields are UTF-8");
    Exported { text, warnings }
}

fn dot_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Fill and text colours for an emotion: three shades of blue (positive)
/// or vermillion (negative) by intensity, grey at neutral.
fn dot_colours(e: f64, min: f64, max: f64, neutral: f64) -> (&'static str, &'static str) {
    let frac = if e > neutral {
        (e - neutral) / (max - neutral)
    } else if e < neutral {
        (neutral - e) / (neutral - min)
    } else {
        return ("#e6e6e6", "#1a1a1a");
    };
    let level = if frac < 1.0 / 3.0 {
        0
    } else if frac < 2.0 / 3.0 {
        1
    } else {
        2
    };
    if e > neutral {
        [
            ("#cfe3f2", "#1a1a1a"),
            ("#7fb4dc", "#1a1a1a"),
            ("#0072B2", "#ffffff"),
        ][level]
    } else {
        [
            ("#f7d5bf", "#1a1a1a"),
            ("#eb9a66", "#1a1a1a"),
            ("#D55E00", "#ffffff"),
        ][level]
    }
}

/// The journey as a Graphviz DOT digraph: stages as clusters, touchpoints
/// coloured by emotion (shades of blue above neutral, vermillion below,
/// grey at neutral; the value is in the label too), probabilities on the
/// edges with widths by share of customers, the most likely path in bold,
/// defining moments with a double outline and their reasons, forgettable
/// ones dashed. Deterministic.
///
/// ```
/// use peakend::{analyze, export, moments, Journey, Model, Options};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = analyze(&j, &Model::PeakEnd, &Options::new());
/// let m = moments::find(&j, &a, &moments::Thresholds::new());
/// let dot = export::dot(&j, &a, &m);
/// assert!(dot.starts_with("digraph "));
/// assert!(dot.contains("\"a\" -> \"b\""));
/// ```
pub fn dot(j: &Journey, a: &Analysis, moments: &Moments) -> String {
    let spec = j.spec();
    let scale = j.scale();
    let mut o = String::new();
    let _ = writeln!(o, "digraph {} {{", dot_str(&spec.name));
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label={}];",
        dot_str(&format!(
            "{}\nremembered {} ({} model) · average {} · {} remember it as negative",
            spec.name,
            signed(a.remembered.expected),
            a.remembered.model,
            signed(a.mean.expected),
            percent(a.distribution.negative_share)
        ))
    );
    o.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    o.push_str("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#7a7a7a\"];\n");
    let defining: std::collections::BTreeMap<&str, Vec<&str>> = moments
        .defining
        .iter()
        .map(|m| (m.id.as_str(), m.reasons.iter().map(|r| r.name()).collect()))
        .collect();
    let forgettable: std::collections::BTreeSet<&str> =
        moments.forgettable.iter().map(|f| f.id.as_str()).collect();
    let node = |o: &mut String, i: usize, indent: &str| {
        let t = &spec.touchpoints[i];
        let (fill, font) = dot_colours(t.emotion, scale.min, scale.max, scale.neutral);
        let mut attrs = format!(
            "label={}, fillcolor=\"{fill}\", fontcolor=\"{font}\"",
            dot_str(&format!("{}\n{}", t.name, signed(t.emotion)))
        );
        if let Some(rs) = defining.get(t.id.as_str()) {
            let _ = write!(
                attrs,
                ", penwidth=2.5, peripheries=2, color=\"#1a1a1a\", xlabel={}",
                dot_str(&rs.join(" · ").to_uppercase())
            );
        } else if forgettable.contains(t.id.as_str()) {
            attrs.push_str(", style=\"rounded,filled,dashed\", color=\"#7a7a7a\"");
        }
        let _ = writeln!(o, "{indent}{} [{attrs}];", dot_str(&t.id));
    };
    // Stages as clusters, in the order they are declared.
    for (k, st) in spec.stages.iter().enumerate() {
        let members: Vec<usize> = (0..j.len())
            .filter(|&i| spec.touchpoints[i].stage.as_deref() == Some(st.id.as_str()))
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "  subgraph {} {{\n    label={}; style=filled; color=\"#f2f2f2\";",
            dot_str(&format!("cluster_{k}")),
            dot_str(&st.name)
        );
        for i in members {
            node(&mut o, i, "    ");
        }
        o.push_str("  }\n");
    }
    for i in (0..j.len()).filter(|&i| spec.touchpoints[i].stage.is_none()) {
        node(&mut o, i, "  ");
    }
    let main: std::collections::BTreeSet<(&str, &str)> = a
        .paths
        .most_likely
        .touchpoints
        .windows(2)
        .map(|w| (w[0].as_str(), w[1].as_str()))
        .collect();
    for i in j.topological_order() {
        let succ: Vec<(usize, f64)> = j.successors(i).collect();
        let from = &spec.touchpoints[i].id;
        for &(v, p) in &succ {
            let to = &spec.touchpoints[v].id;
            let flow = a.touchpoints[i].visit * p;
            let on_main = main.contains(&(from.as_str(), to.as_str()));
            let mut attrs = format!("penwidth={:.2}", 0.75 + 5.0 * flow);
            if succ.len() > 1 {
                let _ = write!(attrs, ", label={}", dot_str(&percent(p)));
            }
            if on_main {
                attrs.push_str(", color=\"#1a1a1a\", style=bold");
            }
            let _ = writeln!(o, "  {} -> {} [{attrs}];", dot_str(from), dot_str(to));
        }
    }
    o.push_str("}\n");
    o
}
