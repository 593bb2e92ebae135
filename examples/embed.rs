//! Embedding peakend: a journey from JSON, one from Mermaid and one built
//! in code are each analysed, simulated, given recommendations and drawn —
//! using only what the crate root re-exports (and the `render` functions).
//!
//! Run it with `cargo run --example embed`.

use peakend::{
    Analyzer, Format, Journey, JourneySpec, LoadOptions, MapOptions, Model, Operation, Options,
    Style, TouchpointSpec, TransitionSpec, load, render,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. From the journey JSON format.
    let json = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/journeys/invoice-dispute.json"
    ))?;
    let from_json = load(&json, Format::Json, &LoadOptions::new())?;

    // 2. From a Mermaid `journey` diagram (scores 1 to 5).
    let mermaid = "journey\n  title Support call\n  section Call\n    Wait on hold: 1: Me\n    Agent solves it: 5: Me, Agent\n  section After\n    Survey email: 3: Me\n";
    let from_mermaid = load(
        mermaid,
        Format::Mermaid,
        &LoadOptions::new().name("support"),
    )?;

    // 3. Built in code: a branching journey.
    let spec = JourneySpec::builder("Quote to order")
        .touchpoint(TouchpointSpec::new("request", "Request a quote", 0.0))
        .touchpoint(TouchpointSpec::new("fast", "Quote the same day", 6.0))
        .touchpoint(TouchpointSpec::new("slow", "Quote after two weeks", -6.0))
        .touchpoint(TouchpointSpec::new("order", "Place the order", 2.0))
        .transition(TransitionSpec::new("request", "fast", Some(0.4)))
        .transition(TransitionSpec::new("request", "slow", Some(0.6)))
        .transition(TransitionSpec::new("fast", "order", None))
        .transition(TransitionSpec::new("slow", "order", None))
        .build();
    let in_code = Journey::from_spec(spec)?;

    let analyzer = Analyzer::new(Model::PeakEnd).options(Options::new().seed(7));
    for journey in [&from_json, &from_mermaid, &in_code] {
        // Analyse once; every later step uses this analysis.
        let analysis = analyzer.analyze(journey);
        let moments = analyzer.moments(journey, &analysis);
        let first = &journey.spec().touchpoints[0];
        let what_if = analyzer.simulate(
            journey,
            &analysis,
            &[Operation::set(first.id.clone(), journey.scale().max)],
        )?;
        let advice = analyzer.recommend(journey, &analysis, Some(10.0));
        let svg = render::map_svg(journey, &analysis, &moments, &MapOptions::new());
        println!(
            "{}: remembered {:.2} (average {:.2}); raising '{}' to the top: {:+.2}; {} recommendations, best: {}; map {} bytes",
            journey.spec().name,
            analysis.remembered.expected,
            analysis.mean.expected,
            first.name,
            what_if.delta,
            advice.recommendations.len(),
            advice
                .recommendations
                .first()
                .map(|r| render::rationale(r, &journey.scale()))
                .unwrap_or_else(|| "none".into()),
            svg.len()
        );
        assert!(svg.starts_with("<svg"));
    }
    print!(
        "{}",
        render::text(&analyzer.analyze(&in_code), Style::PLAIN)
    );
    Ok(())
}
