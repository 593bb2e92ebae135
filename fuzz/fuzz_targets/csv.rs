//! Any text as a CSV sheet: importing never panics, every error has a line;
//! what imports analyses, and exports to CSV and back unchanged.
#![cfg_attr(fuzzing, no_main)]

mod common;

fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = peakend::csv::CsvOptions::new();
    let imported = match peakend::csv::read(text, "fuzz", &options) {
        Ok(i) => i,
        Err(e) => {
            assert!(e.errors().count() > 0);
            assert!(e.problems.iter().all(|p| p.line.is_some()));
            return;
        }
    };
    let Ok(j) = imported.into_journey() else {
        return;
    };
    if j.len() <= 40 {
        common::check_journey(&j);
    }
    let c = peakend::csv::write(&j);
    if c.warnings.iter().any(|w| w.contains("comma")) {
        return;
    }
    let back = peakend::csv::read(&c.text, "fuzz", &options)
        .expect("an export reads back")
        .into_journey()
        .expect("an export validates");
    assert_eq!(back.len(), j.len());
    for i in 0..j.len() {
        let (a, b) = (j.touchpoint(i), back.touchpoint(i));
        assert_eq!((&a.id, &a.name, a.emotion), (&b.id, &b.name, b.emotion));
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("csv", check);
}
