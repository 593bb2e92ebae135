//! The delivery gap for a reader: text, JSON and an HTML page with both
//! curves on one map (`peakend gap`).

use super::score;
use crate::gap::{AdviceCheck, Gap, Side, Verdict, View};
use crate::numfmt::{escape, fixed, percent, signed};
use std::fmt::Write;

/// A share, "0%" rather than a dash for none.
fn share(x: f64) -> String {
    if x == 0.0 { "0%".into() } else { percent(x) }
}

fn anchor_phrase(a: Option<&crate::gap::Anchor>) -> String {
    a.map_or("no touchpoint".into(), |a| {
        format!("\"{}\" for {}", a.name, percent(a.share))
    })
}

/// One view's line: its remembered experience and what it rests on.
fn view_line(label: &str, v: &View, g: &Gap) -> String {
    format!(
        "  {label:<10} {}  \"{}\": {} remember it as negative; {}",
        super::text::pad_left(&score(v.remembered, &g.scale), 5),
        v.name,
        share(v.negative_share),
        super::text::rests_on(&v.basis)
    )
}

/// What the verdict means, in a few words: for the supplier's advice,
/// whether it does anything for customers; for the customers', whether the
/// supplier's picture would see it.
fn verdict_words(v: Verdict, from: Side) -> &'static str {
    match (from, v) {
        (_, Verdict::Holds) => "holds in both views",
        (Side::Supplier, Verdict::Weaker) => "weaker for customers than you believe",
        (Side::Supplier, Verdict::Wrong) => "wrong: it does nothing for customers",
        (Side::Supplier, Verdict::DoesNotApply) => "the customers' journey has no such place",
        (Side::Customer, Verdict::Weaker) => "your view undervalues it",
        (Side::Customer, Verdict::Wrong) => "your view misses it",
        (Side::Customer, Verdict::DoesNotApply) => "your journey does not have this place",
        (_, Verdict::Refused) => "the other journey refuses the change",
    }
}

fn advice_line(a: &AdviceCheck) -> String {
    let (whose, other) = match a.from {
        Side::Supplier => ("your", "the customers' view"),
        Side::Customer => ("the customers'", "your view"),
    };
    let place = a
        .touchpoint
        .as_ref()
        .map_or(String::new(), |t| format!(" '{t}'"));
    let there = match (a.other_lift, &a.refused) {
        (Some(l), _) => format!("{} in {other}", signed(l)),
        (None, Some(why)) => format!("refused in {other} ({why})"),
        (None, None) => format!("not possible in {other}"),
    };
    let verdict = if a.verdict == Verdict::Refused {
        String::new()
    } else {
        format!(": {}", verdict_words(a.verdict, a.from))
    };
    format!(
        "  {whose} #{} {}{place}: {} in its own view, {there}{verdict}",
        a.rank,
        a.action.name(),
        signed(a.lift),
    )
}

/// The gap as a report for people.
///
/// ```
/// let s = peakend::Journey::from_json_str(r#"{"version":1,"name":"We","touchpoints":[
///   {"id":"a","name":"Go-live","emotion":8},{"id":"b","name":"Invoice","emotion":2}]}"#).unwrap();
/// let c = peakend::Journey::from_json_str(r#"{"version":1,"name":"They","touchpoints":[
///   {"id":"a","name":"Go-live","emotion":2},{"id":"b","name":"Invoice","emotion":-5}]}"#).unwrap();
/// let g = peakend::Analyzer::new(peakend::Model::PeakEnd)
///     .gap(&s, &c, &[], &peakend::GapOptions::new()).unwrap();
/// let text = peakend::render::gap_text(&g, peakend::Style::PLAIN);
/// assert!(text.contains("memory changes sign"));
/// ```
#[must_use]
pub fn gap_text(g: &Gap, st: super::text::Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}  (model {}, scale {}..{}{})",
        st.bold("Delivery gap"),
        g.model,
        g.scale.min,
        g.scale.max,
        if g.rescaled {
            "; the customers' emotions rescaled onto it"
        } else {
            ""
        }
    );
    let _ = writeln!(o, "{}", view_line("supplier", &g.supplier, g));
    let _ = writeln!(o, "{}", view_line("customers", &g.customer, g));
    let verdict = if g.difference < -0.05 {
        "customers remember it worse than the supplier believes"
    } else if g.difference > 0.05 {
        "customers remember it better than the supplier believes"
    } else {
        "the views agree on the remembered experience"
    };
    let _ = writeln!(
        o,
        "  {:<10} {}  {verdict}",
        "gap",
        super::text::pad_left(&signed(g.difference), 5)
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", st.bold("What is remembered"));
    let _ = writeln!(
        o,
        "  you believe the peak is {}; customers remember {}",
        anchor_phrase(g.supplier.peak.as_ref()),
        anchor_phrase(g.customer.peak.as_ref())
    );
    let _ = writeln!(
        o,
        "  you believe journeys end on {}; customers' end on {}",
        anchor_phrase(g.supplier.end.as_ref()),
        anchor_phrase(g.customer.end.as_ref())
    );
    let s = &g.sign;
    let how = if s.exact {
        "exact".to_string()
    } else {
        format!(
            "estimate ± {} (standard error; {} paths, seed {})",
            percent(s.standard_error.unwrap_or(0.0)),
            s.samples.unwrap_or(0),
            s.seed.unwrap_or(0)
        )
    };
    let _ = writeln!(
        o,
        "  memory changes sign for {} of customers [{how}]: positive in your view and negative in \
         theirs for {}, the other way for {}",
        share(s.share),
        share(s.rosier),
        share(s.darker)
    );
    let _ = writeln!(o);
    touchpoint_table(&mut o, g, st);
    if !g.advice.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}  (each view's first recommendations, simulated in the other)",
            st.bold("Advice in the other view")
        );
        for a in &g.advice {
            let _ = writeln!(o, "{}", advice_line(a));
        }
    }
    crate::numfmt::terminal_safe(o, st.is_color())
}

fn touchpoint_table(o: &mut String, g: &Gap, st: super::text::Style) {
    let _ = writeln!(
        o,
        "{}  (customers − supplier, the largest difference first)",
        st.bold("Touchpoints")
    );
    let width = g
        .touchpoints
        .iter()
        .map(|t| (t.name.chars().count() + if t.copies > 0 { 12 } else { 0 }).min(40))
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        o,
        "  {:<width$}  supplier  customers  difference  peak: you → customers  evidence",
        "name"
    );
    for t in &g.touchpoints {
        let evidence = if t.customer_n > 0 {
            format!("{} n = {}", t.customer_evidence.name(), t.customer_n)
        } else {
            "assumed".into()
        };
        let _ = writeln!(
            o,
            "  {:<width$}  {:>8}  {:>9}  {:>10}  {:>8} → {:<10}  {evidence}",
            crate::numfmt::truncate(
                &if t.copies > 0 {
                    format!(
                        "{} (+{} cop{})",
                        t.name,
                        t.copies,
                        if t.copies == 1 { "y" } else { "ies" }
                    )
                } else {
                    t.name.clone()
                },
                40
            ),
            score(t.supplier_emotion, &g.scale),
            score(t.customer_emotion, &g.scale),
            signed(t.difference),
            share(t.supplier_peak_share),
            share(t.customer_peak_share)
        );
    }
    for (label, names) in [
        ("only in your journey", &g.only_supplier),
        ("only in the customers'", &g.only_customer),
    ] {
        if !names.is_empty() {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            let _ = writeln!(o, "  {label}: {}", quoted.join(", "));
        }
    }
}

/// The gap as JSON (the library's `Gap`, with every figure).
#[must_use]
pub fn gap_json(g: &Gap) -> String {
    super::pretty_json(g)
}

/// A self-contained HTML page: both curves on one map (the customers'
/// touchpoints in their journey's order; the supplier's emotion drawn
/// where the supplier has the touchpoint), then the text report's tables.
#[must_use]
pub fn gap_html(g: &Gap, customer: &crate::Journey) -> String {
    let mut h = String::new();
    let title = format!("Delivery gap: {}", escape(&g.supplier.name));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>\nbody {{ \
         margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1a1a1a; }}\nmain {{ max-width: \
         1180px; margin: 0 auto; padding: 24px 28px 48px; }}\nsvg {{ max-width: 100%; height: auto; }}\n\
         pre {{ white-space: pre-wrap; font: 13px/1.45 ui-monospace, monospace; }}\n.note {{ color: \
         #555; }}\n</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n"
    );
    let _ = writeln!(
        h,
        "<p>Remembered experience: <b>{}</b> in the supplier's view, <b>{}</b> in the customers' \
         (gap {}); memory changes sign for {} of customers.</p>",
        score(g.supplier.remembered, &g.scale),
        score(g.customer.remembered, &g.scale),
        signed(g.difference),
        percent(g.sign.share)
    );
    h.push_str(&curves_svg(g, customer));
    let _ = writeln!(
        h,
        "<pre>{}</pre>",
        escape(&gap_text(g, super::text::Style::PLAIN))
    );
    let _ = writeln!(
        h,
        "<p class=\"note\">Made by peakend {}. Remembered experience follows the most intense moment \
         and the end (Kahneman et al. 1993; Alaybek et al. 2022); suppliers' pictures are usually \
         rosier than their customers' (80 % of suppliers believe they deliver a superior experience; \
         8 % of customers agree).</p>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    h
}

/// Both curves: x = the customers' touchpoints in their journey's order,
/// y = emotion on the supplier's scale.
fn curves_svg(g: &Gap, customer: &crate::Journey) -> String {
    let order: Vec<usize> = customer.topological_order().collect();
    let n = order.len().max(1);
    let (w, top, plot) = (140.0 * n as f64 + 120.0, 40.0, 320.0);
    let (lo, hi) = (g.scale.min, g.scale.max);
    let y = |e: f64| top + (hi - e) / (hi - lo) * plot;
    let x = |k: usize| 80.0 + 140.0 * k as f64;
    let by_customer: std::collections::HashMap<&str, &crate::gap::Paired> = g
        .touchpoints
        .iter()
        .map(|t| (t.customer_id.as_str(), t))
        .collect();
    let onto = crate::gap::Rescale::new(customer.scale(), g.scale);
    let rescale = |e: f64| onto.point(e);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" \
         aria-label=\"Emotion per touchpoint in the supplier's view (dashed) and the customers' \
         (solid)\" font-family=\"system-ui, sans-serif\" font-size=\"12\">",
        fixed(w, 0),
        fixed(top + plot + 110.0, 0)
    );
    let _ = writeln!(
        s,
        "<line x1=\"60\" x2=\"{}\" y1=\"{y0}\" y2=\"{y0}\" stroke=\"#999\"/>",
        fixed(w - 20.0, 0),
        y0 = fixed(y(g.scale.neutral), 1)
    );
    for v in [hi, g.scale.neutral, lo] {
        let _ = writeln!(
            s,
            "<text x=\"52\" y=\"{}\" text-anchor=\"end\" fill=\"#555\">{}</text>",
            fixed(y(v) + 4.0, 1),
            crate::numfmt::tick_label(v, lo < 0.0)
        );
    }
    let mut supplier_pts = Vec::new();
    let mut customer_pts = Vec::new();
    let mut marks = String::new();
    for (k, &i) in order.iter().enumerate() {
        let t = customer.touchpoint(i);
        let ce = rescale(t.emotion);
        customer_pts.push(format!("{},{}", fixed(x(k), 1), fixed(y(ce), 1)));
        let _ = writeln!(
            marks,
            "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"#0072B2\" data-view=\"customers\" data-touchpoint=\"{}\"><title>customers: {} {}</title></circle>",
            fixed(x(k), 1),
            fixed(y(ce), 1),
            escape(&t.id),
            escape(&t.name),
            score(ce, &g.scale)
        );
        if let Some(p) = by_customer.get(t.id.as_str()) {
            supplier_pts.push(format!(
                "{},{}",
                fixed(x(k), 1),
                fixed(y(p.supplier_emotion), 1)
            ));
            let _ = writeln!(
                marks,
                "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"#fff\" stroke=\"#B34700\" stroke-width=\"2\" data-view=\"supplier\" data-touchpoint=\"{}\"><title>supplier: {} {}</title></rect>",
                fixed(x(k) - 5.0, 1),
                fixed(y(p.supplier_emotion) - 5.0, 1),
                escape(&p.supplier_id),
                escape(&t.name),
                score(p.supplier_emotion, &g.scale)
            );
        }
        let label = crate::numfmt::truncate(&t.name, 20);
        let _ = writeln!(
            marks,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            fixed(x(k), 1),
            fixed(top + plot + 30.0, 1),
            escape(&label)
        );
    }
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#B34700\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
        supplier_pts.join(" ")
    );
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2.5\"/>",
        customer_pts.join(" ")
    );
    s.push_str(&marks);
    let _ = writeln!(
        s,
        "<text x=\"60\" y=\"{}\">dashed, squares: the supplier's view (remembered {}) · solid, dots: the customers' (remembered {})</text>",
        fixed(top + plot + 70.0, 1),
        score(g.supplier.remembered, &g.scale),
        score(g.customer.remembered, &g.scale)
    );
    s.push_str("</svg>\n");
    s
}
