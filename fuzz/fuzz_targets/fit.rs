//! Any bytes as calibration's inputs: a model file (`--model FILE`), and a
//! case table and an event log (split at the first `\n--\n`) for `fit`.
//! Nothing panics; an error has a message; a model that reads writes back
//! the same and scores any journey with finite figures; a fit that is made
//! has finite figures only (no NaN in its text or JSON) and a model file
//! that reads back.
#![cfg_attr(fuzzing, no_main)]

mod common;

use peakend::fit::{FitOptions, fit_log};
use peakend::{FittedModel, Journey, Model};

const JOURNEY: &str = r#"{"version":1,"name":"j","touchpoints":[
  {"id":"a","name":"Order","emotion":4},{"id":"b","name":"Wait","emotion":-6},
  {"id":"c","name":"Deliver","emotion":2}]}"#;

fn check_model(text: &str) {
    match FittedModel::from_json_str(text) {
        Ok(m) => {
            let back = FittedModel::from_json_str(&m.to_json()).expect("a written model reads back");
            assert_eq!(back, m);
            let j = Journey::from_json_str(JOURNEY).unwrap();
            let a = peakend::Analyzer::new(Model::Fitted(Box::new(m.clone()))).analyze(&j);
            assert!(a.remembered.expected.is_finite());
            if let Some(link) = &m.outcome {
                let e = link.effect(0.0, 1.0);
                assert!(e.change.is_finite() && (0.0..=1.0).contains(&e.before));
            }
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
}

fn check_fit(table: &[u8], log: &[u8]) {
    let options = FitOptions::new().folds(2).repeats(1).bootstrap(20).rating_scale(1.0, 5.0);
    match fit_log(log, table, &options) {
        Ok(fit) => {
            let json = peakend::render::fit_json(&fit);
            let v: serde_json::Value = serde_json::from_str(&json).expect("fit JSON parses");
            assert!(!json.contains("NaN") && !json.contains("inf"));
            assert!(v["cases"].as_u64().is_some());
            let text = peakend::render::fit_text(&fit, peakend::Style::PLAIN);
            assert!(!text.contains("NaN"), "{text}");
            let back = FittedModel::from_json_str(&fit.model.to_json()).expect("the model reads back");
            assert_eq!(back, fit.model);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_model(text);
    }
    let split = data.windows(4).position(|w| w == b"\n--\n");
    let (table, log) = match split {
        Some(k) => (&data[..k + 1], &data[k + 4..]),
        None => (data, &b"case,activity,rating\n1,A,3\n"[..]),
    };
    check_fit(table, log);
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));

#[cfg(not(fuzzing))]
fn main() {
    common::replay("fit", check);
}
