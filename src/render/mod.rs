//! Pictures of an analysed journey: an SVG journey map, an SVG histogram of
//! remembered experience, and a self-contained HTML report that puts them
//! together with the defining moments and the recommendations.
//!
//! Every renderer is deterministic: the same inputs give the same bytes. All
//! text from the journey file is XML-escaped. Colours come from the
//! Okabe–Ito palette (safe for the common colour-vision deficiencies) and
//! nothing is told by colour alone: emotion sign is also a shape, defining
//! moments carry a ring and their reasons as text, forgettable touchpoints
//! are hollow and faded, and every figure is labelled with its value.
//!
//! ```
//! use peakend::{analyze, moments, render, Journey, Model, Options};
//! let j = Journey::from_json_str(r#"{"version":1,"name":"Onboarding","touchpoints":[
//!   {"id":"a","name":"Kick-off","emotion":3},{"id":"b","name":"Data migration","emotion":-6},
//!   {"id":"c","name":"Go-live","emotion":5}]}"#).unwrap();
//! let a = analyze(&j, &Model::PeakEnd, &Options::new());
//! let m = moments::find(&j, &a, &moments::Thresholds::new());
//! let svg = render::map_svg(&j, &a, &m, &render::MapOptions::new());
//! assert!(svg.starts_with("<svg"));
//! assert_eq!(svg.matches("data-touchpoint=").count(), 3);
//! ```

mod html;
mod svg;

pub use html::{ReportOptions, html_report};
pub use svg::{MapOptions, histogram_svg, map_svg};

/// Escape text for XML and HTML content and attribute values.
///
/// ```
/// assert_eq!(peakend::render::escape(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters and U+FFFE/U+FFFF are not allowed in XML 1.0.
            c if ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{fffe}' | '\u{ffff}') =>
            {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

/// A remembered or average score with one decimal: signed (`+1.5`) on a
/// scale that goes below zero, plain (`3.5`) on one that does not (such as
/// Mermaid's 1 to 5).
///
/// ```
/// let s = peakend::Scale { min: 1.0, max: 5.0, neutral: 3.0 };
/// assert_eq!(peakend::render::score(2.0, &s), "2.0");
/// assert_eq!(peakend::render::score(2.0, &peakend::Scale::default()), "+2.0");
/// ```
pub fn score(x: f64, scale: &crate::journey::Scale) -> String {
    if scale.min < 0.0 {
        crate::report::signed(x)
    } else {
        format!("{:.1}", (x * 10.0).round() / 10.0 + 0.0)
    }
}

/// A coordinate with one decimal, never `-0.0`.
fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else if r == r.trunc() {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Cut `s` to at most `width` characters, ending in `…` when cut.
pub(crate) fn truncate(s: &str, width: usize) -> String {
    let width = width.max(1);
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(width - 1).collect();
        cut = cut.trim_end().to_string();
        cut.push('…');
        cut
    }
}

/// Wrap `s` into at most `lines` lines of at most `width` characters,
/// breaking at spaces where it can; the last line ends in `…` when the
/// text does not fit.
fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    let width = width.max(2);
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let mut word: String = word.to_string();
        loop {
            let cur_len = cur.chars().count();
            let w_len = word.chars().count();
            if cur_len == 0 && w_len <= width {
                cur = word;
                break;
            } else if cur_len > 0 && cur_len + 1 + w_len <= width {
                cur.push(' ');
                cur.push_str(&word);
                break;
            } else if cur_len > 0 {
                out.push(std::mem::take(&mut cur));
            } else {
                // A word longer than a line: break it.
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                out.push(head);
                if word.is_empty() {
                    break;
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if out.len() > lines {
        let rest = out[lines - 1..].join(" ");
        out.truncate(lines - 1);
        out.push(truncate(&rest, width));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_marks_what_is_cut() {
        assert_eq!(wrap("Opens a ticket", 8, 3), ["Opens a", "ticket"]);
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one two three four five", 5, 2), ["one", "two…"]);
        assert_eq!(wrap("", 5, 2), Vec::<String>::new());
    }

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(-3.04), "-3");
    }
}
