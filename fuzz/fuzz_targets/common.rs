//! Shared by the fuzz targets: what must hold for any journey that loads,
//! and a replay `main` so the targets build and run on stable.

use peakend::{Journey, MemoryModel, Model, Options, analyze};

/// Analyse a loaded journey under every model and check the invariants.
pub fn check_journey(j: &Journey) {
    let weighted = Model::Weighted("peak=0.4,end=0.4,mean=0.2,trend=0.1".parse().unwrap());
    for model in [Model::PeakEnd, Model::PeakPitEnd, Model::Mean, weighted] {
        let a = analyze(j, &model, &Options::new().samples(200).seed(1));
        let scale = j.scale();
        let x = a.remembered.expected;
        assert!(x.is_finite(), "{}: expected {x}", model.name());
        if model.name() != "weighted" {
            assert!(
                x >= scale.min - 1e-6 && x <= scale.max + 1e-6,
                "{}: {x} off the scale",
                model.name()
            );
        }
        let peak: f64 = a.touchpoints.iter().map(|t| t.peak_share).sum();
        let end: f64 = a.touchpoints.iter().map(|t| t.end_share).sum();
        assert!((peak - 1.0).abs() < 1e-6, "peak shares sum to {peak}");
        assert!((end - 1.0).abs() < 1e-6, "end shares sum to {end}");
        let json = peakend::render::json(&a);
        assert!(!json.is_empty());
        let _ = peakend::render::text(&a, peakend::Style::PLAIN);
    }
    // Moments, what-ifs and recommendations never panic; the incremental
    // what-if agrees with a full re-analysis.
    let a = analyze(j, &Model::PeakEnd, &Options::new().samples(200).seed(1));
    let m = peakend::Moments::find(j, &a, &peakend::Thresholds::new());
    let _ = peakend::render::moments_text(&m, peakend::Style::PLAIN);
    // Pictures: well-formed XML with one marker per drawn touchpoint.
    let svg = peakend::render::map_svg(j, &a, &m, &peakend::MapOptions::new());
    let doc = roxmltree::Document::parse(&svg).expect("the map is XML");
    let markers = doc
        .descendants()
        .filter(|n| n.attribute("data-touchpoint").is_some())
        .count();
    assert_eq!(markers, j.len().min(200));
    roxmltree::Document::parse(&peakend::render::histogram_svg(&a)).expect("the histogram is XML");
    if j.len() <= 12 {
        let queries: Vec<(&str, f64)> = j
            .spec()
            .touchpoints
            .iter()
            .map(|t| (t.id.as_str(), j.scale().neutral))
            .collect();
        let fast = peakend::whatif_emotions(j, &Model::PeakEnd, &queries).unwrap();
        for (i, (&(_, x), got)) in queries.iter().zip(&fast).enumerate() {
            let op = peakend::Operation::Set {
                id: j.touchpoint(i).id.clone(),
                emotion: x,
            };
            let edited = peakend::apply(j, &[op]).expect("setting neutral is valid");
            let full = analyze(
                &edited,
                &Model::PeakEnd,
                &Options::new().samples(200).seed(1),
            )
            .remembered
            .expected;
            assert!(
                (got - full).abs() <= 1e-9 * (1.0 + full.abs()),
                "what-if {i}: {got} vs {full}"
            );
        }
        let analyzer = peakend::Analyzer::new(Model::PeakEnd);
        let r = analyzer.recommend(j, &a, Some(3.0));
        if let Some(p) = &r.plan {
            assert!(p.cost <= 3.0 + 1e-9);
        }
        let html = peakend::render::html_report(j, &a, &m, &r, &peakend::ReportOptions::new());
        assert!(!html.contains("<script"));
    }
    check_personas(j);
    // Round trip: what loaded serializes and loads back unchanged.
    let text = j.spec().to_json();
    let back = Journey::from_json_str(&text).expect("a valid journey's JSON reloads");
    assert_eq!(back.spec(), j.spec());
}

/// Replay: run `check` on every file named (folders: every file in them),
/// or on the committed seeds and regressions of this target.
#[allow(dead_code)]
pub fn replay(target: &str, check: fn(&[u8])) {
    let mut args: Vec<std::path::PathBuf> = std::env::args_os().skip(1).map(Into::into).collect();
    if args.is_empty() {
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        args.push(here.join("seeds").join(target));
        args.push(here.join("regressions").join(target));
    }
    let mut files = Vec::new();
    for a in args {
        if a.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(&a)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            v.sort();
            files.extend(v);
        } else if a.exists() {
            files.push(a);
        }
    }
    for f in &files {
        check(&std::fs::read(f).unwrap());
    }
    println!("{target}: replayed {} inputs, no failure", files.len());
}

/// A discovered journey: valid, analysable, and its counts add up (every
/// touchpoint's cases arrive and leave), with the log's number of events.
#[allow(dead_code)] // not every target discovers
pub fn check_discovery(found: &peakend::observe::Discovery) {
    use std::collections::HashMap;
    let spec = &found.spec;
    let j = peakend::Journey::from_spec(spec.clone()).expect("a discovered journey is valid");
    // And a journey every command takes: its JSON text loads under the
    // default limits (issue #23).
    if let Err(e) = peakend::load(
        &spec.to_json(),
        peakend::Format::Json,
        &peakend::LoadOptions::new(),
    ) {
        panic!("the discovered journey does not load: {e}");
    }
    if j.len() <= 40 {
        check_journey(&j);
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
        let o = t.observed.as_ref().expect("counts");
        let id = t.id.as_str();
        assert_eq!(
            o.starts.unwrap_or(0) + inn.get(id).copied().unwrap_or(0),
            o.cases,
            "{id}"
        );
        assert_eq!(
            o.ends.unwrap_or(0) + out.get(id).copied().unwrap_or(0),
            o.cases,
            "{id}"
        );
        events += o.cases;
    }
    assert_eq!(events, found.report.events - found.report.merged_events);
}

/// Every persona's journey is a valid journey whose figures hold their
/// invariants; the account follows its rule; the map draws each persona.
fn check_personas(j: &Journey) {
    if j.spec().personas.is_empty() {
        return;
    }
    let analyzer =
        peakend::Analyzer::new(Model::PeakEnd).options(Options::new().samples(200).seed(1));
    let Ok(p) = analyzer.personas(j, peakend::AccountRule::Weighted) else {
        // Only a journey too large to contract fails.
        return;
    };
    let scale = j.scale();
    for f in &p.personas {
        assert!(
            (0.0..=1.0).contains(&f.view.reach),
            "reach {}",
            f.view.reach
        );
        if let Some(a) = &f.analysis {
            let x = a.remembered.expected;
            assert!(
                x >= scale.min - 1e-6 && x <= scale.max + 1e-6,
                "{}: {x}",
                f.name
            );
            let peak: f64 = a.touchpoints.iter().map(|t| t.peak_share).sum();
            assert!((peak - 1.0).abs() < 1e-6, "{}: peak shares {peak}", f.name);
            let pj = f.view.journey.as_ref().expect("an analysis has a journey");
            assert_eq!(f.view.origin.len(), pj.len());
            for o in &f.view.origin {
                let i = j.index_of(o).expect("origins are the journey's ids");
                assert!(j.takes_part(i, &f.name));
            }
        }
    }
    if let Ok(a) = &p.account {
        let lo = p
            .personas
            .iter()
            .filter_map(|f| f.expected())
            .fold(f64::INFINITY, f64::min);
        let hi = p
            .personas
            .iter()
            .filter_map(|f| f.expected())
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(
            a.expected >= lo - 1e-9 && a.expected <= hi + 1e-9,
            "account {} outside {lo}..{hi}",
            a.expected
        );
    }
    let a = analyzer.analyze(j);
    let m = analyzer.moments(j, &a);
    let svg = peakend::render::map_svg_personas(j, &a, &m, &p, &peakend::MapOptions::new());
    let doc = roxmltree::Document::parse(&svg).expect("the map with personas is XML");
    let drawn = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("persona"))
        .count();
    assert_eq!(drawn, p.personas.len().min(6));
    if j.len() <= 8 {
        if let Ok(adv) = analyzer.account_advice(j, &a, &p, &peakend::Objective::Account) {
            for x in &adv.actions {
                assert!(x.lift > 0.0 && x.robust_lift <= x.lift + 1e-12);
            }
        }
    }
}
