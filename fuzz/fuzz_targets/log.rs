//! Any bytes as a CSV event log: reading never panics; an error has a
//! message (and a line when it is about a row); a log that reads gives a
//! valid journey whose counts add up (every touchpoint's cases arrive and
//! leave), with the log's number of events.
#![cfg_attr(fuzzing, no_main)]

mod common;

use peakend::observe::{DiscoverOptions, LogOptions, read_csv_log};
use std::collections::HashMap;

fn check(data: &[u8]) {
    let options = DiscoverOptions::new().rating_scale(1.0, 5.0).min_share(0.0);
    let found = match read_csv_log(data, &LogOptions::new(), options) {
        Ok(f) => f,
        Err(e) => {
            assert!(!e.message.is_empty());
            return;
        }
    };
    let spec = &found.spec;
    let j = peakend::Journey::from_spec(spec.clone()).expect("a discovered journey is valid");
    if j.len() <= 40 {
        common::check_journey(&j);
    }
    let mut inn: HashMap<&str, u64> = HashMap::new();
    let mut out: HashMap<&str, u64> = HashMap::new();
    for tr in spec.transitions.iter().flatten() {
        let c = tr.observed.expect("counts").cases;
        *inn.entry(&tr.to).or_insert(0) += c;
        *out.entry(&tr.from).or_insert(0) += c;
    }
    let mut events = 0;
    for t in &spec.touchpoints {
        let o = t.observed.expect("counts");
        let id = t.id.as_str();
        assert_eq!(o.starts.unwrap_or(0) + inn.get(id).copied().unwrap_or(0), o.cases, "{id}");
        assert_eq!(o.ends.unwrap_or(0) + out.get(id).copied().unwrap_or(0), o.cases, "{id}");
        events += o.cases;
    }
    assert_eq!(events, found.report.events);
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("log", check);
}
