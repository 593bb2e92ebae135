//! Any bytes as an XES event log (plain or gzip): reading never panics; an
//! error has a message; a log that reads gives a valid journey whose counts
//! add up, with the log's number of events. Also through `read_log`, which
//! must tell the log's format from its first bytes and agree.
#![cfg_attr(fuzzing, no_main)]

mod common;

use peakend::observe::{DiscoverOptions, LogOptions, looks_like_xes, read_log, read_xes_log};

fn check(data: &[u8]) {
    let options = || DiscoverOptions::new().rating_scale(1.0, 5.0).min_share(0.0);
    let found = read_xes_log(data, &LogOptions::new(), options());
    if looks_like_xes(data) {
        let again = read_log(data, &LogOptions::new(), options());
        assert_eq!(
            found.as_ref().map(|f| &f.spec),
            again.as_ref().map(|f| &f.spec)
        );
    }
    match found {
        Ok(f) => common::check_discovery(&f),
        Err(e) => assert!(!e.message.is_empty()),
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("xes", check);
}
