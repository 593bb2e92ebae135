//! Every number and short text format peakend shows, in one place
//! (crate-private): scores, shares, coordinates, truncation, wrapping and
//! XML escaping. The renderers use it, and so do the format writers'
//! warnings and the importers' problem messages, which is why it sits at
//! the bottom of the crate rather than inside `render`.

// Most helpers serve the renderers; an engine-only build uses few of them.
#![cfg_attr(not(feature = "render"), allow(dead_code))]

/// Escape text for XML and HTML content and attribute values.
///
pub(crate) fn escape(s: &str) -> String {
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

/// Text for a terminal, whatever the files it quotes hold: control
/// characters (C0 but tab and line feed, DEL, C1) shown as `\u{1b}`, so a
/// name cannot move the cursor, clear the screen or retitle the window;
/// with `sgr` (colour on), the colour codes `ESC [ digits ; m` are kept.
pub(crate) fn terminal_safe(s: String, sgr: bool) -> String {
    let bad =
        |c: char| (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c);
    if !s.chars().any(bad) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && sgr {
            let tail = &rest[1..];
            if let Some(body) = tail.strip_prefix('[') {
                let n = body
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || *b == b';')
                    .count();
                if body.as_bytes().get(n) == Some(&b'm') {
                    out.push_str(&rest[..n + 3]);
                    rest = &rest[n + 3..];
                    continue;
                }
            }
        }
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `x` rounded to `decimals` places, a figure within 1e-9 (relative) of a
/// half rounding away from zero: the exact figure 0.3805 prints as 0.381
/// whichever side of it floating-point sums in different orders land.
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    let y = x * k;
    let y = y + y.signum() * 1e-9 * y.abs().max(1.0);
    y.round() / k + 0.0
}

/// `x` with exactly `decimals` places (see [`round_to`]).
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    format!("{:.*}", decimals, round_to(x, decimals as i32))
}

/// A remembered or average score with one decimal: signed (`+1.5`) on a
/// scale that goes below zero (`signed_scale`), plain (`3.5`) on one that
/// does not (such as Mermaid's 1 to 5).
pub(crate) fn score(x: f64, signed_scale: bool) -> String {
    if signed_scale { signed(x) } else { fixed(x, 1) }
}

/// A coordinate with one decimal, never `-0.0`.
pub(crate) fn num(x: f64) -> String {
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
pub(crate) fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    let width = width.max(2);
    let lines = lines.max(1);
    // Only the start of a long text can show: wrap that much (linear in
    // what is shown, whatever the length of the name) and mark the cut.
    let limit = width.saturating_mul(lines.saturating_add(1));
    let (s, cut) = match s.char_indices().nth(limit) {
        Some((i, _)) => (&s[..i], true),
        None => (s, false),
    };
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for mut word in s.split_whitespace() {
        let mut w_len = word.chars().count();
        loop {
            if cur_len == 0 && w_len <= width {
                cur.push_str(word);
                cur_len = w_len;
                break;
            } else if cur_len > 0 && cur_len + 1 + w_len <= width {
                cur.push(' ');
                cur.push_str(word);
                cur_len += 1 + w_len;
                break;
            } else if cur_len > 0 {
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            } else {
                // A word longer than a line: break it.
                let split = word
                    .char_indices()
                    .nth(width)
                    .map_or(word.len(), |(i, _)| i);
                out.push(word[..split].to_string());
                word = &word[split..];
                w_len -= width;
                if word.is_empty() {
                    break;
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if out.len() > lines || (cut && !out.is_empty()) {
        let keep = (lines - 1).min(out.len() - 1);
        let rest = out[keep..].join(" ");
        out.truncate(keep);
        out.push(if cut && rest.chars().count() < width {
            format!("{rest}…")
        } else if cut {
            truncate(&format!("{rest}……"), width)
        } else {
            truncate(&rest, width)
        });
    }
    out
}

/// Format a signed score with one decimal (`+1.5`, `-3.0`, `0.0`).
///
pub(crate) fn signed(x: f64) -> String {
    let r = round_to(x, 1);
    if r == 0.0 {
        "0.0".to_string()
    } else {
        format!("{r:+.1}")
    }
}

/// Format a probability as a percentage with one decimal.
///
pub(crate) fn percent(p: f64) -> String {
    if p == 0.0 {
        "-".to_string()
    } else if p < 0.0005 {
        "<0.1%".to_string()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}

/// A share as a whole percentage when it is one (`25%`), else with one
/// decimal (`12.5%`): for labels on pictures.
pub(crate) fn short_percent(p: f64) -> String {
    let x = p * 100.0;
    if (x - x.round()).abs() < 0.05 {
        format!("{}%", x.round() as i64)
    } else {
        format!("{x:.1}%")
    }
}

/// A scale tick: integers without decimals, others with one; a `+` on
/// positive values of a scale that goes below zero.
pub(crate) fn tick_label(x: f64, signed_scale: bool) -> String {
    let s = if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{:.1}", x)
    };
    if signed_scale && x > 0.0 {
        format!("+{s}")
    } else {
        s
    }
}

/// A number with at most `digits` significant digits, as short as it
/// reads (`0.9` for 0.8999999999999999, `1234570` for 1234567.8).
pub(crate) fn significant(x: f64, digits: usize) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{}", x + 0.0);
    }
    let rounded: f64 = format!("{:.*e}", digits.saturating_sub(1), x)
        .parse()
        .unwrap_or(x);
    format!("{rounded}")
}

/// The shortest text that reads back as the same number, integers
/// without a decimal point (`3`, `2.5`, `1e300`).
#[cfg_attr(not(feature = "mermaid"), allow(dead_code))]
pub(crate) fn shortest(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A number as the user wrote it, short at any magnitude: `0.3`, `12`,
/// `1e307`, `-2.5e-12` (never hundreds of digits).
pub(crate) fn shown(x: f64) -> String {
    if x != 0.0 && x.is_finite() && (x.abs() >= 1e15 || x.abs() < 1e-9) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// At most two decimals, trailing zeros dropped (`1.5`, `0.33`, `2`).
pub(crate) fn two_decimals(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        let s = format!("{x:.2}");
        s.trim_end_matches('0').to_string()
    }
}

/// A word as a POSIX shell reads it back unchanged: bare when it holds
/// only characters no shell treats specially, else in single quotes (a
/// single quote inside written as `'\''`).
pub(crate) fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_.=/,:+@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A count with thousands separators: 2910 → "2,910".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2910), "2,910");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_marks_what_is_cut() {
        assert_eq!(wrap("Opens a ticket", 8, 3), ["Opens a", "ticket"]);
        assert_eq!(wrap("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("one two three four five", 5, 2), ["one", "two…"]);
        assert_eq!(wrap("", 5, 2), Vec::<String>::new());
        // Long names: only what shows is wrapped, and the cut is marked.
        let long = "word ".repeat(2_000_000);
        assert_eq!(wrap(&long, 9, 2), ["word word", "word wor…"]);
        let one = "x".repeat(10_000_000);
        assert_eq!(wrap(&one, 4, 2), ["xxxx", "xxx…"]);
        assert_eq!(wrap("ab cd", 4, 1), ["ab…"]);
    }

    #[test]
    fn scores_shares_and_escapes() {
        assert_eq!(signed(1.25), "+1.3");
        assert_eq!(signed(-0.01), "0.0");
        assert_eq!(percent(0.3816), "38.2%");
        assert_eq!(percent(0.0), "-");
        assert_eq!(percent(0.0001), "<0.1%");
        assert_eq!(score(2.0, false), "2.0");
        assert_eq!(score(2.0, true), "+2.0");
        assert_eq!(escape(r#"<a & "b">"#), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(shortest(3.0), "3");
        assert_eq!(significant(0.8999999999999999, 6), "0.9");
        assert_eq!(significant(1.0000000000000002, 6), "1");
        assert_eq!(significant(0.123456789, 6), "0.123457");
        assert_eq!(two_decimals(1.0 / 3.0), "0.33");
    }

    #[test]
    fn shell_words_are_quoted_when_a_shell_would_read_them_otherwise() {
        assert_eq!(shell_quote("call=0.3"), "call=0.3");
        assert_eq!(shell_quote("call->ticket=0.3"), "'call->ticket=0.3'");
        assert_eq!(shell_quote("Thank-you call=2"), "'Thank-you call=2'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("a;b"), "'a;b'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("émission"), "émission");
    }

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(-3.04), "-3");
    }
}
