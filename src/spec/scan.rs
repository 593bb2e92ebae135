//! One-pass scans of JSON text that serde_json has already accepted: the
//! line and column of many JSON paths at once, duplicate keys, and numbers
//! too small to hold. Every scan is linear in the text, whatever the number
//! of problems; nothing here recurses on the document's depth.

use crate::error::{Problem, ProblemKind};
use std::collections::HashMap;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `touchpoints[3].improvement.emotion` → its steps. Paths are the crate's
/// own (keys without `.` or `[`); an unknown field's key is taken whole.
fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            segs.push(Seg::Key(key.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                segs.push(Seg::Index(n));
            }
        }
    }
    segs
}

/// A trie of the wanted paths.
#[derive(Default)]
struct Node {
    children: HashMap<Seg, usize>,
    queries: Vec<usize>,
}

/// Byte offsets → 1-based (line, column in characters), for offsets given
/// in any order: one sweep over the text.
fn line_cols(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let b = text.as_bytes();
    let mut out = vec![(1, 1); offsets.len()];
    let (mut pos, mut line, mut col) = (0usize, 1usize, 1usize);
    for i in order {
        let to = offsets[i].min(b.len());
        while pos < to {
            if b[pos] == b'\n' {
                line += 1;
                col = 1;
            } else if b[pos] & 0xC0 != 0x80 {
                col += 1;
            }
            pos += 1;
        }
        out[i] = (line, col);
    }
    out
}

/// The 1-based line and column where the value at each path starts (for an
/// unknown field: where its value starts); `None` for a path that is not
/// in the text. One pass over the text for all paths: the walk enters only
/// the containers on some wanted path and skips every other value.
pub(crate) fn locate_all(text: &str, paths: &[&str]) -> Vec<Option<(usize, usize)>> {
    let mut nodes = vec![Node::default()];
    for (q, path) in paths.iter().enumerate() {
        let mut at = 0;
        for seg in parse_path(path) {
            let next = nodes.len();
            at = *nodes[at].children.entry(seg).or_insert(next);
            if at == next {
                nodes.push(Node::default());
            }
        }
        nodes[at].queries.push(q);
    }
    let b = text.as_bytes();
    let mut found: Vec<Option<usize>> = vec![None; paths.len()];
    // Work list of (trie node, byte offset of its value): each wanted
    // container is read once; children are visited in text order.
    let mut work = vec![(0usize, skip_ws(b, 0))];
    while let Some((node, pos)) = work.pop() {
        for &q in &nodes[node].queries {
            found[q] = Some(pos);
        }
        if nodes[node].children.is_empty() {
            continue;
        }
        let visit = |seg: Seg, at: usize, work: &mut Vec<(usize, usize)>| {
            if let Some(&child) = nodes[node].children.get(&seg) {
                work.push((child, at));
            }
        };
        let _ = for_each_member(b, pos, |member, at| match member {
            Member::Key(k) => visit(Seg::Key(k), at, &mut work),
            Member::Index(i) => visit(Seg::Index(i), at, &mut work),
        });
    }
    // Only the first occurrence of a repeated key counts, as for a reader.
    let offsets: Vec<usize> = found.iter().map(|f| f.unwrap_or(0)).collect();
    let lc = line_cols(text, &offsets);
    found.iter().zip(lc).map(|(f, lc)| f.map(|_| lc)).collect()
}

enum Member {
    Key(String),
    Index(usize),
}

/// Call `f` for each member of the object or array at `pos` with where its
/// value starts; values are skipped, not entered. Repeated keys are passed
/// once (the first). `None` if the text is not well-formed there.
fn for_each_member(b: &[u8], pos: usize, mut f: impl FnMut(Member, usize)) -> Option<()> {
    match b.get(pos)? {
        b'{' => {
            let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
            let mut p = skip_ws(b, pos + 1);
            while b.get(p) == Some(&b'"') {
                let kend = skip_string(b, p)?;
                let key = key_text(&b[p..kend])?;
                p = skip_ws(b, kend);
                if b.get(p) != Some(&b':') {
                    return None;
                }
                p = skip_ws(b, p + 1);
                let vend = skip_value(b, p)?;
                if seen.insert(key.clone()) {
                    f(Member::Key(key), p);
                }
                p = skip_ws(b, vend);
                if b.get(p) == Some(&b',') {
                    p = skip_ws(b, p + 1);
                }
            }
            Some(())
        }
        b'[' => {
            let mut p = skip_ws(b, pos + 1);
            let mut i = 0;
            while p < b.len() && b[p] != b']' {
                f(Member::Index(i), p);
                i += 1;
                p = skip_ws(b, skip_value(b, p)?);
                if b.get(p) == Some(&b',') {
                    p = skip_ws(b, p + 1);
                }
            }
            Some(())
        }
        _ => Some(()),
    }
}

/// A key's text from its quoted bytes (escapes decoded).
fn key_text(quoted: &[u8]) -> Option<String> {
    let inner = &quoted[1..quoted.len() - 1];
    if inner.contains(&b'\\') {
        serde_json::from_slice(quoted).ok()
    } else {
        std::str::from_utf8(inner).ok().map(str::to_string)
    }
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// `pos` at an opening quote; returns the position after the closing quote.
fn skip_string(b: &[u8], mut pos: usize) -> Option<usize> {
    pos += 1;
    while pos < b.len() {
        match b[pos] {
            b'\\' => pos += 2,
            b'"' => return Some(pos + 1),
            _ => pos += 1,
        }
    }
    None
}

/// Skip one JSON value (iteratively, whatever its depth); returns the
/// position after it.
fn skip_value(b: &[u8], mut pos: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        let c = *b.get(pos)?;
        match c {
            b'"' => pos = skip_string(b, pos)?,
            b'{' | b'[' => {
                depth += 1;
                pos += 1;
            }
            b'}' | b']' => {
                if depth == 0 {
                    // The end of the enclosing container: a scalar ended.
                    return Some(pos);
                }
                depth -= 1;
                pos += 1;
            }
            b',' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Some(pos),
            _ => pos += 1,
        }
        if depth == 0 && matches!(c, b'"' | b'}' | b']') {
            return Some(pos);
        }
    }
}

/// A path step while scanning the whole document.
enum Frame {
    Object {
        /// Key → where it first appears (byte offset of the key).
        keys: HashMap<String, usize>,
        key: String,
    },
    Array {
        index: usize,
    },
}

fn path_of(stack: &[Frame]) -> String {
    let mut s = String::new();
    for f in stack {
        match f {
            Frame::Object { key, .. } => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(key);
            }
            Frame::Array { index } => {
                s.push('[');
                s.push_str(&index.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// What the whole-document scan looks for.
#[derive(Clone, Copy)]
pub(crate) struct Checks {
    /// Keys repeated in one object (a reader keeps only one of them).
    pub(crate) duplicate_keys: bool,
    /// Numbers with digits that are not all zero which read as 0 (below
    /// about 1e-308 a double holds nothing).
    pub(crate) underflow: bool,
}

/// A problem found by [`check`]: its path, where it is, where the first of
/// a repeated key is, and what is wrong.
type Found = (String, usize, Option<usize>, String);

/// Scan the whole document once for what `checks` asks; each problem with
/// its JSON path, line and column. The text must be JSON that serde_json
/// accepted (on anything else the scan stops where it cannot go on).
pub(crate) fn check(text: &str, checks: Checks) -> Vec<Problem> {
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    let mut pos = skip_ws(b, 0);
    // Expecting a value at `pos` (after a key's colon, an array's comma, or
    // at the top); containers push a frame, scalars are read whole.
    while let Some(&c) = b.get(pos) {
        match c {
            b'{' => {
                stack.push(Frame::Object {
                    keys: HashMap::new(),
                    key: String::new(),
                });
                pos = skip_ws(b, pos + 1);
            }
            b'[' => {
                pos = skip_ws(b, pos + 1);
                if b.get(pos) == Some(&b']') {
                    pos = skip_ws(b, pos + 1);
                } else {
                    stack.push(Frame::Array { index: 0 });
                    continue;
                }
            }
            _ => {
                let Some(end) = skip_value(b, pos) else { break };
                if checks.underflow
                    && (c == b'-' || c.is_ascii_digit())
                    && reads_as_zero(&text[pos..end])
                {
                    found.push((
                        path_of(&stack),
                        pos,
                        None,
                        format!(
                            "{} is too small to hold (it would read as 0); write 0 if that is meant",
                            &text[pos..end]
                        ),
                    ));
                }
                pos = skip_ws(b, end);
            }
        }
        match next_value(b, pos, &mut stack, checks, &mut found) {
            Some(p) => pos = p,
            None => break,
        }
    }
    placed(text, found)
}

/// After a value (or an opening brace): close containers and move to the
/// next value, reading the key before it; `None` at the end of the
/// document.
fn next_value(
    b: &[u8],
    mut pos: usize,
    stack: &mut Vec<Frame>,
    checks: Checks,
    found: &mut Vec<Found>,
) -> Option<usize> {
    loop {
        match (stack.last_mut(), b.get(pos)) {
            (Some(Frame::Object { keys, key }), Some(b'"')) => {
                // A key (first of the object, or after a comma).
                let kend = skip_string(b, pos)?;
                let k = key_text(&b[pos..kend])?;
                let mut first = None;
                if checks.duplicate_keys {
                    match keys.entry(k.clone()) {
                        std::collections::hash_map::Entry::Occupied(e) => first = Some(*e.get()),
                        std::collections::hash_map::Entry::Vacant(v) => {
                            v.insert(pos);
                        }
                    }
                }
                key.clone_from(&k);
                if first.is_some() {
                    let message = format!("key `{k}` appears twice in one object");
                    found.push((path_of(stack), pos, first, message));
                }
                pos = skip_ws(b, kend);
                if b.get(pos) != Some(&b':') {
                    return None;
                }
                return Some(skip_ws(b, pos + 1));
            }
            (Some(_), Some(b',')) => {
                pos = skip_ws(b, pos + 1);
                if let Some(Frame::Array { index }) = stack.last_mut() {
                    *index += 1;
                    return Some(pos);
                }
            }
            (Some(_), Some(b'}' | b']')) => {
                stack.pop();
                pos = skip_ws(b, pos + 1);
            }
            _ => return None,
        }
    }
}

/// The problems found, with their lines and columns.
fn placed(text: &str, found: Vec<Found>) -> Vec<Problem> {
    let mut offsets: Vec<usize> = Vec::with_capacity(found.len() * 2);
    for f in &found {
        offsets.push(f.1);
        offsets.push(f.2.unwrap_or(0));
    }
    let lc = line_cols(text, &offsets);
    found
        .into_iter()
        .enumerate()
        .map(|(i, (path, _, first, message))| {
            let (line, column) = lc[2 * i];
            let message = match first {
                Some(_) => {
                    let (l, c) = lc[2 * i + 1];
                    format!("{message} (first at {l}:{c}); a reader would keep only one of them")
                }
                None => message,
            };
            Problem::error(path, message)
                .of_kind(ProblemKind::Invalid)
                .at(line, column)
        })
        .collect()
}

/// A JSON number whose digits are not all zero but that reads as 0.
fn reads_as_zero(token: &str) -> bool {
    let mantissa = token
        .split(['e', 'E'])
        .next()
        .unwrap_or(token)
        .trim_start_matches('-');
    mantissa.bytes().any(|d| matches!(d, b'1'..=b'9')) && token.parse::<f64>() == Ok(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_values_in_one_pass() {
        let text = r#"{"a": [1, {"b": "x,]"}, {"c": [true, null]}], "d": 12}"#;
        let got = locate_all(text, &["d", "a[2].c[1]", "a[5]", "", "a[1].b", "a[0]"]);
        assert_eq!(
            got,
            [
                Some((1, 52)),
                Some((1, 38)),
                None,
                Some((1, 1)),
                Some((1, 17)),
                Some((1, 8))
            ]
        );
    }

    #[test]
    fn columns_count_characters_and_repeated_keys_use_the_first() {
        let text = "{\"n\": \"é\",\n \"x\": {\"k\": 1, \"k\": 2}, \"é\": 3}";
        assert_eq!(
            locate_all(text, &["x.k", "é"]),
            [Some((2, 13)), Some((2, 30))]
        );
    }

    #[test]
    fn finds_duplicate_keys_and_tiny_numbers_with_their_places() {
        let text = "{\"t\": [{\"id\": \"a\", \"e\": 1},\n {\"id\": \"b\", \"e\": 1e-400, \"e\": 2}],\n \"t\": 0.0e5}";
        let all = Checks {
            duplicate_keys: true,
            underflow: true,
        };
        let shown: Vec<String> = check(text, all).iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "2:19: t[1].e: 1e-400 is too small to hold (it would read as 0); write 0 if that is meant",
                "2:27: t[1].e: key `e` appears twice in one object (first at 2:14); a reader would keep only one of them",
                "3:2: t: key `t` appears twice in one object (first at 1:2); a reader would keep only one of them",
            ]
        );
    }

    #[test]
    fn deep_documents_do_not_recurse() {
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            check(
                &deep,
                Checks {
                    duplicate_keys: true,
                    underflow: true
                }
            )
            .is_empty()
        );
        let mut path = String::new();
        for _ in 0..50 {
            path.push_str("[0]");
        }
        assert_eq!(locate_all(&deep, &[&path]), [Some((1, 51))]);
    }
}
