//! Snapshots of the user-facing output for every bundled journey.

use super::journey_files;
use peakend::render as report;
use peakend::{Analyzer, Journey, Model, Moments, Options, Thresholds, analyze};

#[test]
fn analyze_every_journey() {
    for path in journey_files() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let j = Journey::from_json_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let a = analyze(&j, &Model::PeakEnd, &Options::new());
        insta::assert_snapshot!(
            format!("analyze-text-{name}"),
            report::text(&a, peakend::Style::PLAIN)
        );
        insta::assert_snapshot!(format!("analyze-json-{name}"), report::json(&a));
    }
}

#[test]
fn the_classic_studies_come_out_as_published() {
    let score = |f: &str| {
        let text = std::fs::read_to_string(format!("{}/journeys/{f}", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
        let j = Journey::from_json_str(&text).unwrap();
        let pe = analyze(&j, &Model::PeakEnd, &Options::new())
            .remembered
            .expected;
        let total_pain: f64 = j
            .spec()
            .touchpoints
            .iter()
            .map(|t| t.emotion * t.duration.unwrap_or(1.0))
            .sum();
        (pe, total_pain)
    };
    // Cold-pressor: the long trial has more pain but is remembered better.
    let (short, short_total) = score("cold-pressor-short.json");
    let (long, long_total) = score("cold-pressor-long.json");
    assert!(long_total < short_total && long > short);
    // Colonoscopy: patient B had more total pain but remembers it as milder.
    let (a, a_total) = score("colonoscopy-patient-a.json");
    let (b, b_total) = score("colonoscopy-patient-b.json");
    assert!(b_total < a_total && b > a);
}

#[test]
fn moments_of_every_journey() {
    for path in journey_files() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let j = Journey::from_json_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let a = analyze(&j, &Model::PeakEnd, &Options::new());
        let m = Moments::find(&j, &a, &Thresholds::new());
        insta::assert_snapshot!(
            format!("moments-text-{name}"),
            report::moments_text(&m, peakend::Style::PLAIN)
        );
        insta::assert_snapshot!(
            format!("moments-json-{name}"),
            serde_json::to_string_pretty(&m).unwrap()
        );
    }
}

#[test]
fn recommendations_for_every_journey() {
    for path in journey_files() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let j = Journey::from_json_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let analyzer = Analyzer::new(Model::PeakEnd);
        let r = analyzer.recommend(&j, &analyzer.analyze(&j), Some(20.0));
        let file = format!("journeys/{name}.json");
        insta::assert_snapshot!(
            format!("recommend-text-{name}"),
            report::recommendations_text(&r, &file, peakend::Style::PLAIN)
        );
        insta::assert_snapshot!(
            format!("recommend-json-{name}"),
            report::recommendations_json(&r).trim_end()
        );
        // Every lift is what a simulation of that one operation gives.
        for rec in &r.recommendations {
            let edited = peakend::apply(&j, std::slice::from_ref(&rec.operation)).unwrap();
            let after = analyze(&edited, &Model::PeakEnd, &Options::new())
                .remembered
                .expected;
            assert!(
                (after - r.before - rec.lift).abs() < 1e-12,
                "{name}: {}",
                report::simulate_flags(std::slice::from_ref(&rec.operation))
            );
        }
    }
}
