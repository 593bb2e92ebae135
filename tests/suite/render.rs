//! The SVG map, the histogram and the HTML report: well-formed, complete,
//! escaped, deterministic, and snapshotted for every bundled journey.

use super::journey_files;
use peakend::render;
use peakend::{
    Analyzer, Journey, JourneySpec, Model, Moments, Options, Thresholds, TouchpointSpec, analyze,
};
use peakend::{MapOptions, ReportOptions};

fn load(path: &std::path::Path) -> Journey {
    Journey::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn map(j: &Journey, options: &MapOptions) -> String {
    let a = analyze(j, &Model::PeakEnd, &Options::new());
    let m = Moments::find(j, &a, &Thresholds::new());
    render::map_svg(j, &a, &m, options)
}

/// Parse as XML; return the document's text for further checks.
fn parse(svg: &str, what: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what}: not XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{what}");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    // Accessible: a title and a description, referenced by aria-labelledby.
    let first: Vec<&str> = root
        .children()
        .filter(|n| n.is_element())
        .take(2)
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(first, ["title", "desc"], "{what}");
    assert_eq!(root.attribute("role"), Some("img"));
    // Markers: one group per drawn touchpoint, each with a tooltip.
    let markers: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("data-touchpoint").is_some())
        .collect();
    for m in &markers {
        assert!(
            m.children().any(|c| c.tag_name().name() == "title"),
            "{what}: marker without a tooltip"
        );
    }
    markers.len()
}

#[test]
fn every_journey_map_is_xml_with_one_marker_per_touchpoint() {
    for path in journey_files() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let j = load(&path);
        let svg = map(&j, &MapOptions::new());
        assert_eq!(parse(&svg, &name), j.len(), "{name}");
        // Byte-stable.
        assert_eq!(svg, map(&j, &MapOptions::new()), "{name}");
        insta::assert_snapshot!(format!("map-{name}"), svg);
        let a = analyze(&j, &Model::PeakEnd, &Options::new());
        let hist = render::histogram_svg(&a);
        roxmltree::Document::parse(&hist).unwrap_or_else(|e| panic!("{name}: histogram: {e}"));
        assert_eq!(hist.matches("class=\"bar\"").count(), 20);
    }
}

#[test]
fn the_histogram_holds_every_customer() {
    for path in journey_files() {
        let j = load(&path);
        let a = analyze(&j, &Model::PeakEnd, &Options::new());
        let total: f64 = a.distribution.histogram.iter().map(|b| b.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "{}: {total}", path.display());
        let negative: f64 = a
            .distribution
            .histogram
            .iter()
            .filter(|b| b.to <= a.journey.scale.neutral)
            .map(|b| b.share)
            .sum();
        // Bins are aligned on neutral for the bundled scales, so the bins
        // left of neutral hold exactly the negative share.
        assert!(
            (negative - a.distribution.negative_share).abs() < 1e-9,
            "{}",
            path.display()
        );
    }
}

fn hostile_spec(n: usize, name_len: usize) -> JourneySpec {
    let tps = (0..n)
        .map(|i| {
            let mut t = TouchpointSpec::new(
                format!("t{i}<&>\"'"),
                format!(
                    "<script>alert({i})</script> & \"quoted\" 'single' {}",
                    "w".repeat(name_len)
                ),
                ((i * 7) % 21) as f64 - 10.0,
            );
            t.stage = Some(if i < n / 2 { "a&b" } else { "<c>" }.into());
            t
        })
        .collect();
    let mut spec = JourneySpec::linear("A <journey> & \"more\"", tps);
    spec.stages = vec![
        peakend::StageSpec {
            id: "a&b".into(),
            name: "Stage <one> & two".into(),
        },
        peakend::StageSpec {
            id: "<c>".into(),
            name: "Stage \"three\"".into(),
        },
    ];
    spec
}

#[test]
fn every_text_is_escaped() {
    let j = Journey::from_spec(hostile_spec(6, 80)).unwrap();
    let svg = map(&j, &MapOptions::new());
    assert_eq!(parse(&svg, "hostile"), 6);
    assert!(!svg.contains("<script"));
    let a = analyze(&j, &Model::PeakEnd, &Options::new());
    let m = Moments::find(&j, &a, &Thresholds::new());
    let r = Analyzer::new(Model::PeakEnd).recommend(&j, &a, None);
    let html = render::html_report(&j, &a, &m, &r, &ReportOptions::new().source("x <y>.json"));
    assert!(!html.contains("<script"));
    assert!(html.contains("A &lt;journey&gt; &amp; &quot;more&quot;"));
    assert!(html.contains("x &lt;y&gt;.json"));
}

#[test]
fn long_names_are_cut_legibly() {
    let j = Journey::from_spec(hostile_spec(5, 300)).unwrap();
    let svg = map(&j, &MapOptions::new());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    for t in doc.descendants().filter(|n| n.has_class("name")) {
        let lines: Vec<String> = t
            .descendants()
            .filter(|n| n.is_text())
            .map(|n| n.text().unwrap().to_string())
            .collect();
        assert!(lines.len() <= 3, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 24), "{lines:?}");
        assert!(lines.last().unwrap().ends_with('…'), "{lines:?}");
    }
    // The full name stays available in the tooltip.
    assert!(svg.contains(&"w".repeat(300)));
}

trait HasClass {
    fn has_class(&self, c: &str) -> bool;
}

impl HasClass for roxmltree::Node<'_, '_> {
    fn has_class(&self, c: &str) -> bool {
        self.attribute("class")
            .is_some_and(|v| v.split_whitespace().any(|x| x == c))
    }
}

#[test]
fn big_journeys_collapse_and_say_so() {
    let spec = peakend::generate::layered(450, 6, 3, 7);
    let j = Journey::from_spec(spec).unwrap();
    let svg = map(&j, &MapOptions::new());
    assert_eq!(parse(&svg, "450"), 200);
    assert!(svg.contains("450 touchpoints: this map shows 200 of them"));
    // Every defining moment is kept.
    let a = analyze(&j, &Model::PeakEnd, &Options::new());
    let m = Moments::find(&j, &a, &Thresholds::new());
    for d in &m.defining {
        assert!(
            svg.contains(&format!("data-touchpoint=\"{}\"", d.id)),
            "{}",
            d.id
        );
    }
    // A long chain keeps an evenly thinned main route, ends included.
    let chain = JourneySpec::linear(
        "chain",
        (0..1000)
            .map(|i| TouchpointSpec::new(format!("c{i}"), format!("C{i}"), (i % 5) as f64))
            .collect(),
    );
    let j = Journey::from_spec(chain).unwrap();
    let svg = map(&j, &MapOptions::new().max_touchpoints(50));
    assert_eq!(parse(&svg, "chain"), 50);
    assert!(svg.contains("data-touchpoint=\"c0\""));
    assert!(svg.contains("data-touchpoint=\"c999\""));
    assert!(svg.contains("every so many touchpoints of the main route"));
}

#[test]
fn the_report_is_self_contained() {
    for path in journey_files() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let j = load(&path);
        let a = analyze(&j, &Model::PeakEnd, &Options::new());
        let m = Moments::find(&j, &a, &Thresholds::new());
        let r = Analyzer::new(Model::PeakEnd).recommend(&j, &a, None);
        let html = render::html_report(&j, &a, &m, &r, &ReportOptions::new());
        for banned in [
            "<script",
            "<link",
            "src=",
            "href=",
            "@import",
            "url(http",
            "@font-face",
        ] {
            assert!(!html.contains(banned), "{name}: {banned}");
        }
        // The only address is the SVG namespace.
        assert_eq!(
            html.matches("http").count(),
            html.matches("http://www.w3.org/2000/svg").count(),
            "{name}"
        );
        assert!(html.contains("@media print"));
        if name == "support-escalation" {
            insta::assert_snapshot!("report-html-support-escalation", html);
        }
    }
}

#[test]
fn the_readme_map_is_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let j = load(&std::path::Path::new(root).join("journeys/saas-trial-to-purchase.json"));
    let want = map(&j, &MapOptions::new());
    let have = std::fs::read_to_string(format!("{root}/docs/saas-trial-to-purchase.svg"))
        .unwrap_or_default();
    assert!(
        have == want,
        "docs/saas-trial-to-purchase.svg is stale: regenerate it with\n  \
         cargo run --release -- render journeys/saas-trial-to-purchase.json -o docs/saas-trial-to-purchase.svg"
    );
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    assert!(readme.contains("docs/saas-trial-to-purchase.svg"));
}

/// A share below 0.05 % prints as "<0.1%": it must reach the markup
/// escaped (it once broke the histogram's XML).
#[test]
fn tiny_shares_are_escaped_in_the_histogram_and_the_report() {
    let j = Journey::from_json_str(
        r#"{"version":1,"name":"tiny","touchpoints":[
          {"id":"a","name":"A","emotion":0},
          {"id":"b","name":"B","emotion":-0.5},
          {"id":"c","name":"C","emotion":-6}],
        "transitions":[{"from":"a","to":"b","probability":0.0004},
                       {"from":"a","to":"c","probability":0.9996}]}"#,
    )
    .unwrap();
    let a = analyze(&j, &Model::PeakEnd, &Options::new());
    let hist = render::histogram_svg(&a);
    parse(&hist, "histogram");
    assert!(hist.contains("&lt;0.1%"), "{hist}");
    let m = Moments::find(&j, &a, &Thresholds::new());
    let r = Analyzer::new(Model::PeakEnd).recommend(&j, &a, None);
    let html = render::html_report(&j, &a, &m, &r, &ReportOptions::new());
    assert!(!html.contains("<0.1%"));
}
