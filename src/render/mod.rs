//! Everything a person or a tool reads: text reports (with optional ANSI
//! colour), JSON, an SVG journey map, an SVG histogram of remembered
//! experience, a self-contained HTML report, and Graphviz DOT.
//!
//! This is the only layer that writes sentences or formats numbers for
//! people; the capabilities below it return data. Every renderer is
//! deterministic: the same inputs give the same bytes. All text from the
//! journey file is XML-escaped. Colours come from the Okabe–Ito palette
//! (safe for the common colour-vision deficiencies) and nothing is told by
//! colour alone: emotion sign is also a shape, defining moments carry a
//! ring and their reasons as text, forgettable touchpoints are hollow and
//! faded, and every figure is labelled with its value.
//!
//! ```
//! use peakend::{analyze, render, Journey, Model, Moments, Options, Thresholds};
//! let j = Journey::from_json_str(r#"{"version":1,"name":"Onboarding","touchpoints":[
//!   {"id":"a","name":"Kick-off","emotion":3},{"id":"b","name":"Data migration","emotion":-6},
//!   {"id":"c","name":"Go-live","emotion":5}]}"#).unwrap();
//! let a = analyze(&j, &Model::PeakEnd, &Options::new());
//! let m = Moments::find(&j, &a, &Thresholds::new());
//! let svg = render::map_svg(&j, &a, &m, &peakend::MapOptions::new());
//! assert!(svg.starts_with("<svg"));
//! assert_eq!(svg.matches("data-touchpoint=").count(), 3);
//! ```

mod dot;
#[cfg(feature = "fit")]
mod fit;
mod gap;
pub(crate) mod html;
mod json;
mod observe;
mod personas;
pub(crate) mod svg;
pub(crate) mod text;

pub use dot::dot;

/// Any of peakend's results as pretty JSON with a trailing newline.
///
/// ```
/// assert_eq!(peakend::render::pretty_json(&[1, 2]), "[\n  1,\n  2\n]\n");
/// ```
///
/// # Panics
/// When `value`'s `Serialize` implementation fails; peakend's own results never do.
pub fn pretty_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("peakend's results always serialize");
    s.push('\n');
    s
}

/// Text made safe for a terminal, whatever the files it quotes hold:
/// control characters (C0 but tab and line feed, DEL, C1) shown as
/// `\u{1b}`, so that a name cannot move the cursor, clear the screen or
/// retitle the window; with `colour`, the colour codes (`ESC [ … m`) kept.
/// Every text renderer here applies it; the CLI does to its messages.
///
/// ```
/// let t = peakend::render::terminal_safe("Call\u{1b}]0;owned\u{7}".into(), false);
/// assert_eq!(t, "Call\\u{1b}]0;owned\\u{7}");
/// ```
#[must_use]
pub fn terminal_safe(text: String, colour: bool) -> String {
    crate::numfmt::terminal_safe(text, colour)
}
#[cfg(feature = "fit")]
pub use fit::{fit_json, fit_text};
pub use gap::{gap_html, gap_json, gap_text};
#[cfg(feature = "logs")]
pub use observe::case_table_text;
pub use observe::discovery_text;
pub use personas::{
    account_advice_json, account_advice_text, persona_changes_text, persona_simulation_text,
    personas_json_text, personas_text, simulation_json,
};

/// A sum of money or value: whole units with thousands separators from
/// 100 up, else three significant digits; negative with a minus sign.
pub(crate) fn amount(v: f64) -> String {
    if v.abs() >= 100.0 && v.abs() < 1e15 {
        let t = crate::numfmt::thousands(v.abs().round() as u64);
        if v < 0.0 { format!("−{t}") } else { t }
    } else {
        crate::numfmt::significant(v, 3)
    }
}

/// An amount with its sign always shown: `+3,310`, `−12`.
pub(crate) fn signed_amount(v: f64) -> String {
    if v < 0.0 {
        amount(v)
    } else {
        format!("+{}", amount(v))
    }
}

/// A figure with `decimals` places and its sign always shown (`+0.020`).
pub(crate) fn signed_fixed(x: f64, decimals: usize) -> String {
    let s = crate::numfmt::fixed(x, decimals);
    if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// A score as the journey's scale shows it: see `numfmt::score`.
pub(crate) fn score(x: f64, scale: &crate::journey::Scale) -> String {
    crate::numfmt::score(x, scale.min < 0.0)
}
pub use html::html_report;
pub use json::{analysis_json, json};
pub use json::{recommendations_json, recommendations_json_with};
pub use svg::{histogram_svg, map_svg, map_svg_personas};
pub use text::{
    assumed_cost_note, evidence_text, model_line, moments_text, outcome_effect_line,
    ownership_text, rationale, recommendations_text, rests_on, simulate_command, simulate_flags,
    simulation_text, text,
};
