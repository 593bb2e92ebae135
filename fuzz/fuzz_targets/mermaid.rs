//! Any text as a Mermaid journey: importing never panics, every error has a
//! line; what imports analyses, and exports to Mermaid and back unchanged.
#![cfg_attr(fuzzing, no_main)]

mod common;

fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let imported = match peakend::mermaid::read(text, "fuzz") {
        Ok(i) => i,
        Err(e) => {
            assert!(e.errors().count() > 0);
            assert!(e.problems.iter().all(|p| p.line.is_some()));
            return;
        }
    };
    let n = imported.spec.touchpoints.len();
    let Ok(j) = imported.into_journey() else {
        return;
    };
    assert_eq!(j.len(), n);
    if n <= 40 {
        common::check_journey(&j);
    }
    let m = peakend::mermaid::write(&j);
    let back = peakend::mermaid::read(&m.text, "fuzz")
        .expect("an export reads back")
        .into_journey()
        .expect("an export validates");
    assert_eq!(back.len(), j.len());
    if !m.warnings.iter().any(|w| w.contains("exactly")) {
        for i in 0..j.len() {
            assert_eq!(back.touchpoint(i).emotion, j.touchpoint(i).emotion);
        }
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("mermaid", check);
}
