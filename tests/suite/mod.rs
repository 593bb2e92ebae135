mod browser;
mod cli;
mod evidence;
mod fit;
mod gap;
mod hardening;
mod hostile;
mod hygiene;
mod interop;
mod observe;
mod personas;
mod props;
mod snapshots;
mod validation;
mod xes;

use peakend::{JourneySpec, TouchpointSpec, TransitionSpec};
use std::io::Write;
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

/// Run the real binary from the repository root.
pub fn peakend(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_peakend"))
        .args(args)
        .env_remove("NO_COLOR")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs")
}

/// Run the real binary with `input` on standard input.
pub fn peakend_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_peakend"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary runs");
    // A command that fails before reading its input closes the pipe: that
    // is its answer, not a failure of the test.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}
