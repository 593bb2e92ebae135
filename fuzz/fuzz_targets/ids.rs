//! Journeys with adversarial ids and sizes: counters, long shared prefixes,
//! reversed digits, ids that differ in their last byte or only in case,
//! repeats, very long ids, unknown references — and up to a few thousand
//! touchpoints. Validation never panics; every id is found again; a journey
//! that loads keeps its invariants; limits are located errors.
#![cfg_attr(fuzzing, no_main)]

mod common;

use arbitrary::{Arbitrary, Unstructured};
use peakend::{Format, Journey, JourneySpec, Limits, LoadOptions, TouchpointSpec, TransitionSpec};

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Pattern {
    Counter,
    SharedPrefix,
    Reversed,
    LastByte,
    Case,
    Long,
    Unicode,
}

#[derive(Arbitrary, Debug)]
struct Input {
    pattern: Pattern,
    /// Touchpoints: up to 4,096.
    size: u16,
    /// Emotions as raw bits (real values, repeats, both signs).
    emotions: Vec<u16>,
    /// Extra transitions: (from, to) by index; an index past the end
    /// names an id nobody has.
    extra: Vec<(u16, u16)>,
    /// Repeat one id (a duplicate).
    repeat: Option<u16>,
    /// A small input limit to check too.
    limit: u8,
}

fn id(pattern: Pattern, i: usize) -> String {
    match pattern {
        Pattern::Counter => format!("t{i}"),
        Pattern::SharedPrefix => format!("customer-journey-touchpoint-{i:08}"),
        Pattern::Reversed => format!("{i:07}").chars().rev().collect::<String>() + "r",
        Pattern::LastByte => {
            format!("{}{}", "x".repeat(40), char::from(b'!' + (i % 90) as u8)) + &"y".repeat(i / 90)
        }
        Pattern::Case => {
            // Case-folded repeats: "a", "A", "aa", "aA", … are all distinct ids.
            (0..=(i + 1).ilog2().max(1))
                .map(|b| if i >> b & 1 == 1 { 'A' } else { 'a' })
                .collect::<String>()
                + &i.to_string()
        }
        Pattern::Long => format!("{}{i}", "id".repeat(300)),
        Pattern::Unicode => format!("τ{i}ü"),
    }
}

fn build(input: &Input) -> JourneySpec {
    let n = usize::from(input.size % 4096).max(1);
    let e = |i: usize| {
        let raw = input
            .emotions
            .get(i % input.emotions.len().max(1))
            .copied()
            .unwrap_or(0);
        (f64::from(raw) / 65535.0) * 20.0 - 10.0
    };
    let mut tps: Vec<TouchpointSpec> = (0..n)
        .map(|i| TouchpointSpec::new(id(input.pattern, i), format!("T{i}"), e(i)))
        .collect();
    if let Some(r) = input.repeat {
        let k = usize::from(r) % n;
        let other = (k + 1) % n;
        tps[other].id = tps[k].id.clone();
    }
    let mut spec = JourneySpec::linear("ids", tps);
    let mut ts: Vec<TransitionSpec> = (1..n)
        .map(|i| TransitionSpec::new(id(input.pattern, i - 1), id(input.pattern, i), None))
        .collect();
    for &(a, b) in input.extra.iter().take(256) {
        let (a, b) = (usize::from(a) % (n + 2), usize::from(b) % (n + 2));
        ts.push(TransitionSpec::new(
            id(input.pattern, a),
            id(input.pattern, b),
            None,
        ));
    }
    spec.transitions = Some(ts);
    spec
}

fn check(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let spec = build(&input);
    let text = spec.to_json();
    match Journey::from_json_str(&text) {
        Ok(j) => {
            for (i, t) in j.spec().touchpoints.iter().enumerate() {
                assert_eq!(j.index_of(&t.id), Some(i), "id {} found again", t.id);
            }
            if j.len() <= 512 {
                common::check_journey(&j);
            }
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            for p in e.errors() {
                assert!(p.line.is_some(), "every problem located: {p}");
            }
        }
    }
    // A small input limit: refused at 1:1, whatever the journey.
    let limit = u64::from(input.limit);
    let options = LoadOptions::new().limits(Limits::new().input_bytes(limit));
    if (text.len() as u64) > limit {
        let e = peakend::load(&text, Format::Json, &options).unwrap_err();
        assert_eq!(
            (e.problems[0].line, e.problems[0].column),
            (Some(1), Some(1))
        );
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("ids", check);
}
