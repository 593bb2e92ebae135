//! Structured journeys from `arbitrary`: validation never panics, and every
//! journey that validates analyses with its invariants intact.
#![cfg_attr(fuzzing, no_main)]

mod common;

use arbitrary::{Arbitrary, Unstructured};
use peakend::{Journey, JourneySpec, ScaleSpec, Ties, TouchpointSpec, TransitionSpec};

#[derive(Arbitrary, Debug)]
struct Input {
    scale: Option<(i8, i8, Option<i8>)>,
    nodes: Vec<(i8, Option<u8>, Option<u8>)>,
    edges: Option<Vec<(u8, u8, Option<u8>)>>,
}

fn build(input: Input) -> JourneySpec {
    let n = input.nodes.len().max(1);
    let touchpoints = input
        .nodes
        .iter()
        .enumerate()
        .map(|(i, &(e, d, entry))| {
            let mut t = TouchpointSpec::new(format!("t{i}"), format!("T{i}"), f64::from(e) / 8.0);
            t.duration = d.map(|d| f64::from(d) / 4.0);
            t.entry = entry.map(|x| f64::from(x) / 255.0);
            t
        })
        .collect();
    let mut spec = JourneySpec::linear("fuzz", touchpoints);
    spec.scale = input.scale.map(|(a, b, c)| ScaleSpec {
        min: f64::from(a),
        max: f64::from(b),
        neutral: c.map(f64::from),
        // Both tie rules, from the bytes already there (the corpus keeps
        // its meaning).
        ties: Some(if (i16::from(a) + i16::from(b)) % 2 == 0 {
            Ties::Negative
        } else {
            Ties::Positive
        }),
    });
    spec.transitions = input.edges.map(|es| {
        es.iter()
            .map(|&(a, b, p)| {
                TransitionSpec::new(
                    format!("t{}", a as usize % (n + 1)),
                    format!("t{}", b as usize % (n + 1)),
                    p.map(|p| f64::from(p) / 255.0),
                )
            })
            .collect()
    });
    spec
}

fn check(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    if let Ok(j) = Journey::from_spec(build(input)) {
        common::check_journey(&j);
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("structured", check);
}
