mod browser;
mod cli;
mod interop;
mod props;
mod snapshots;
mod validation;

use peakend::{JourneySpec, TouchpointSpec, TransitionSpec};
use std::path::PathBuf;

/// The bundled journeys, sorted by file name.
pub fn journey_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("journeys");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("journeys/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

/// A journey spec from (emotion, duration) pairs and explicit edges
/// (from, to, probability).
pub fn dag_spec(nodes: &[(f64, f64)], edges: &[(usize, usize, Option<f64>)]) -> JourneySpec {
    let mut spec = JourneySpec::linear(
        "generated",
        nodes
            .iter()
            .enumerate()
            .map(|(i, &(e, d))| {
                let mut t = TouchpointSpec::new(format!("t{i}"), format!("T{i}"), e);
                t.duration = Some(d);
                t
            })
            .collect(),
    );
    spec.transitions = Some(
        edges
            .iter()
            .map(|&(a, b, p)| TransitionSpec::new(format!("t{a}"), format!("t{b}"), p))
            .collect(),
    );
    spec
}
mod render;
