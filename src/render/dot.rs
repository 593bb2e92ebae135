//! The analysed journey as a Graphviz DOT graph: touchpoints coloured by
//! emotion, defining moments outlined, transitions labelled with their
//! probabilities.

use crate::analysis::Analysis;
use crate::journey::Journey;
use crate::moments::Moments;
use crate::numfmt::{percent, signed};
use std::fmt::Write;

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
/// edges with widths by share of customers, the main route (the busiest transition at each step) in bold,
/// defining moments with a double outline and their reasons, forgettable
/// ones dashed. Deterministic.
///
/// ```
/// use peakend::{analyze, render, Journey, Model, Moments, Options, Thresholds};
/// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
///   {"id":"a","name":"A","emotion":-8},{"id":"b","name":"B","emotion":2}]}"#).unwrap();
/// let a = analyze(&j, &Model::PeakEnd, &Options::new());
/// let m = Moments::find(&j, &a, &Thresholds::new());
/// let dot = render::dot(&j, &a, &m);
/// assert!(dot.starts_with("digraph "));
/// assert!(dot.contains("\"a\" -> \"b\""));
/// ```
#[must_use]
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
        .main
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
