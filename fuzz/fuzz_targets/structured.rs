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
    // Personas, from the bytes already there: on journeys with an odd
    // number of touchpoints, three personas; each touchpoint's actors from
    // its duration byte, and a persona's own emotion where the emotion
    // byte is a multiple of 3.
    if input.nodes.len() % 2 == 1 {
        spec.personas = ["A", "B", "C"].map(peakend::PersonaSpec::named).to_vec();
        for (t, &(e, d, _)) in spec.touchpoints.iter_mut().zip(&input.nodes) {
            let mask = d.map_or(0, |d| d % 8);
            t.actors = ["A", "B", "C"]
                .iter()
                .enumerate()
                .filter(|(k, _)| mask & (1 << k) != 0)
                .map(|(_, a)| (*a).to_string())
                .collect();
            let own = ["A", "B", "C"][e.unsigned_abs() as usize % 3];
            if e % 3 == 0 && (t.actors.is_empty() || t.actors.iter().any(|a| a == own)) {
                t.emotions.insert(own.to_string(), -f64::from(e) / 8.0);
            }
        }
    }
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
