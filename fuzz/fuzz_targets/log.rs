//! Any bytes as a CSV event log: reading never panics; an error has a
//! message (and a line when it is about a row); a log that reads gives a
//! valid journey whose counts add up (every touchpoint's cases arrive and
//! leave), with the log's number of events.
#![cfg_attr(fuzzing, no_main)]

mod common;

use peakend::observe::{DiscoverOptions, LogOptions, read_csv_log};

fn check(data: &[u8]) {
    let options = DiscoverOptions::new().rating_scale(1.0, 5.0).min_share(0.0);
    let found = match read_csv_log(data, &LogOptions::new(), options) {
        Ok(f) => f,
        Err(e) => {
            assert!(!e.message.is_empty());
            return;
        }
    };
    common::check_discovery(&found);
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("log", check);
}
