//! Any bytes as the small CSV tables beside a log: a case table, a mapping
//! of activities onto a design, a supplier/customer mapping for `gap`.
//! Reading never panics; an error has a message; what reads is usable
//! (a discoverer with the case table, a design with the mapping, the pairs
//! given to `gap`).
#![cfg_attr(fuzzing, no_main)]

mod common;

use peakend::observe::{
    Design, DiscoverOptions, Discoverer, read_case_table, read_mapping, read_pairs,
};

const DESIGN: &str = r#"{"version":1,"name":"d","touchpoints":[
  {"id":"a","name":"Order","emotion":4},{"id":"b","name":"Deliver","emotion":-6}]}"#;

fn check(data: &[u8]) {
    let mut d = Discoverer::new(DiscoverOptions::new());
    if let Err(e) = read_case_table(data, &mut d) {
        assert!(!e.message.is_empty());
    }
    let j = peakend::Journey::from_json_str(DESIGN).unwrap();
    let mut design = Design::new(&j, "d.json");
    match read_mapping(data, &mut design) {
        Ok(_) => {
            let log = "case,activity\n1,Order\n1,Deliver\n";
            let found = peakend::observe::read_csv_log(
                log.as_bytes(),
                &Default::default(),
                DiscoverOptions::new().onto(design),
            )
            .expect("a log onto any mapped design discovers");
            common::check_discovery(&found);
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
    if let Ok(pairs) = read_pairs(data, &["supplier"], &["customer"]) {
        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(a, b, _)| (a, b)).collect();
        let analyzer = peakend::Analyzer::new(peakend::Model::PeakEnd);
        if let Err(e) = analyzer.gap(&j, &j, &pairs, &peakend::GapOptions::new()) {
            assert!(!e.to_string().is_empty());
        }
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("tables", check);
}
