//! `peakend gap`: the bundled supplier/customer pair, text, JSON, HTML,
//! mappings, errors; sampling where paths are too many to enumerate.

use super::{peakend, text};

const SUPPLIER: &str = "journeys/payroll-go-live-supplier.json";
const CUSTOMERS: &str = "journeys/payroll-go-live-customers.json";

#[test]
fn the_bundled_pair_shows_the_gap_in_text_json_and_html() {
    let out = peakend(&["gap", SUPPLIER, CUSTOMERS]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("gap-text-payroll-go-live", text(&out.stdout));
    let out = peakend(&["gap", SUPPLIER, CUSTOMERS, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("gap-json-payroll-go-live", v);
    // The story the pair tells: the team believes Go-live is everyone's
    // peak; customers remember the migration, and the team's advice to
    // polish Go-live does nothing for them.
    assert_eq!(v["supplier"]["peak"]["id"], "go-live");
    assert_eq!(v["customer"]["peak"]["id"], "migration");
    assert_eq!(v["only_customer"][0], "Payroll errors corrected by hand");
    let wrong = v["advice"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["from"] == "supplier" && a["verdict"] == "wrong")
        .expect("some of the supplier's advice is wrong for customers");
    assert_eq!(wrong["touchpoint"], "Go-live");
    // HTML: both curves, one marker per touchpoint of each view.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gap");
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("gap.html");
    let out = peakend(&[
        "gap",
        SUPPLIER,
        CUSTOMERS,
        "-f",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page.find("<svg").unwrap();
    let end = page.find("</svg>").unwrap() + 6;
    let svg = roxmltree::Document::parse(&page[start..end]).expect("well-formed SVG");
    let count = |view: &str| {
        svg.descendants()
            .filter(|n| n.attribute("data-view") == Some(view))
            .count()
    };
    assert_eq!((count("supplier"), count("customers")), (7, 8));
    assert_eq!(
        svg.descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count(),
        2
    );
    assert!(page.contains("memory changes sign for 70.0% of customers"));
}

#[test]
fn a_mapping_pairs_touchpoints_by_other_names_and_errors_are_located() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gap");
    std::fs::create_dir_all(&dir).unwrap();
    let ours = dir.join("ours.json");
    std::fs::write(
        &ours,
        r#"{"version":1,"name":"Ours","touchpoints":[
          {"id":"start","name":"Kick-off","emotion":6},
          {"id":"live","name":"Launch day","emotion":9},
          {"id":"bill","name":"Invoice","emotion":3}]}"#,
    )
    .unwrap();
    let mapping = dir.join("mapping.csv");
    std::fs::write(
        &mapping,
        "supplier,customer\nKick-off,kickoff\nlive,Go-live\nbill,first-invoice\n",
    )
    .unwrap();
    let out = peakend(&[
        "gap",
        ours.to_str().unwrap(),
        CUSTOMERS,
        "--mapping",
        mapping.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pairs: Vec<(String, String)> = v["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["supplier_id"].as_str().unwrap().to_string(),
                t["customer_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 3);
    assert!(pairs.contains(&("live".into(), "go-live".into())));
    assert_eq!(v["only_customer"].as_array().unwrap().len(), 5);
    // Without the mapping nothing pairs: a clear error, exit 1.
    let out = peakend(&["gap", ours.to_str().unwrap(), CUSTOMERS]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no touchpoint in common"),
        "{}",
        text(&out.stderr)
    );
    // A mapping naming what is not there: the touchpoint and a suggestion.
    std::fs::write(&mapping, "supplier,customer\nlive,go-lve\n").unwrap();
    let out = peakend(&[
        "gap",
        ours.to_str().unwrap(),
        CUSTOMERS,
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "the customer journey has no touchpoint \"go-lve\" (did you mean \"go-live\"?)"
        ),
        "{err}"
    );
    assert!(err.contains("mapping.csv: error: line 2: "), "{err}");
    std::fs::write(&mapping, "ours,theirs\nlive,go-live\n").unwrap();
    let out = peakend(&[
        "gap",
        ours.to_str().unwrap(),
        CUSTOMERS,
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("line 1: a mapping needs a `supplier` and a `customer` column")
    );
}

#[test]
fn too_many_paths_are_sampled_with_a_standard_error_and_seed() {
    let spec = peakend::generate::layered(400, 20, 4, 3);
    let c = peakend::Journey::from_spec(spec.clone()).unwrap();
    let mut ours = spec;
    for t in &mut ours.touchpoints {
        t.emotion = (t.emotion + 4.0).min(10.0);
    }
    let s = peakend::Journey::from_spec(ours).unwrap();
    let analyzer = peakend::Analyzer::new(peakend::Model::PeakEnd);
    let options = peakend::GapOptions::new().seed(11).samples(4_000);
    let g = analyzer.gap(&s, &c, &[], &options).unwrap();
    assert!(!g.sign.exact);
    assert_eq!((g.sign.samples, g.sign.seed), (Some(4_000), Some(11)));
    let se = g.sign.standard_error.unwrap();
    assert!(se > 0.0 && se < 0.01, "{se}");
    // Raising every emotion only makes the supplier's picture rosier.
    assert_eq!(g.sign.darker, 0.0);
    assert!(g.sign.rosier > 0.0);
    assert_eq!(analyzer.gap(&s, &c, &[], &options).unwrap(), g);
    let text = peakend::render::gap_text(&g, peakend::Style::PLAIN);
    assert!(
        text.contains("(standard error; 4000 paths, seed 11)"),
        "{text}"
    );
}
