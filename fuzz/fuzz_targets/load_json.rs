//! Any bytes: loading never panics; whatever loads must analyse.
#![cfg_attr(fuzzing, no_main)]

mod common;

fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match peakend::Journey::from_json_str(text) {
        Ok(j) => common::check_journey(&j),
        Err(e) => {
            assert!(e.errors().count() > 0 || !e.problems.is_empty());
            for p in &e.problems {
                assert!(!p.message.is_empty());
            }
        }
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("load_json", check);
}
