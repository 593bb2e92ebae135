//! XES event logs: the corpus logs written as XES here (an XML writer of
//! the test's own, independent of the library's) discover to the same
//! journeys as their CSV originals; gzip; lifecycle transitions; located
//! errors; `sample` writes XES that `discover` reads back.

use super::{peakend, peakend_stdin, text};
use peakend::JourneySpec;
use peakend::observe::{DiscoverOptions, LogOptions, read_csv_log, read_log, read_xes_log};
use std::collections::BTreeMap;
use std::io::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// A CSV log as XES: one trace per case (in order of first appearance),
/// `case:*` columns as trace attributes, the other non-empty cells as
/// event attributes (`time:timestamp` a `<date>`).
fn csv_to_xes(path: &std::path::Path) -> String {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let case = h.iter().position(|x| x == "case:concept:name").unwrap();
    let mut order: Vec<String> = Vec::new();
    let mut traces: BTreeMap<String, Vec<csv::StringRecord>> = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        let c = row[case].to_string();
        if !traces.contains_key(&c) {
            order.push(c.clone());
        }
        traces.entry(c).or_default().push(row);
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<log xes.version=\"1.0\" \
         xmlns=\"http://www.xes-standard.org/\">\n  <global scope=\"event\">\n    \
         <string key=\"concept:name\" value=\"__INVALID__\"/>\n  </global>\n  \
         <classifier name=\"Activity\" keys=\"concept:name\"/>\n",
    );
    for c in &order {
        let rows = &traces[c];
        out.push_str(&format!(
            "  <trace>\n    <string key=\"concept:name\" value=\"{}\"/>\n",
            esc(c)
        ));
        for (k, key) in h.iter().enumerate() {
            if let Some(attr) = key.strip_prefix("case:")
                && k != case
                && !rows[0][k].is_empty()
            {
                out.push_str(&format!(
                    "    <string key=\"{attr}\" value=\"{}\"/>\n",
                    esc(&rows[0][k])
                ));
            }
        }
        for row in rows {
            out.push_str("    <event>\n");
            for (k, key) in h.iter().enumerate() {
                if key.is_empty() || key.starts_with("case:") || row[k].is_empty() {
                    continue;
                }
                let tag = if key == "time:timestamp" {
                    "date"
                } else {
                    "string"
                };
                out.push_str(&format!(
                    "      <{tag} key=\"{key}\" value=\"{}\"/>\n",
                    esc(&row[k])
                ));
            }
            out.push_str("    </event>\n");
        }
        out.push_str("  </trace>\n");
    }
    out.push_str("</log>\n");
    out
}

fn gzip(text: &str) -> Vec<u8> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(text.as_bytes()).unwrap();
    z.finish().unwrap()
}

/// The spec without what names its source file.
fn plain(mut spec: JourneySpec) -> JourneySpec {
    spec.description = None;
    spec
}

#[test]
fn the_corpus_logs_as_xes_discover_to_the_journeys_of_their_csv() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/logs");
    let mut checked = 0;
    for name in ["running-example.csv", "receipt.csv"] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let options = || DiscoverOptions::new().name("log");
        let from_csv = read_csv_log(
            std::fs::File::open(&path).unwrap(),
            &LogOptions::new(),
            options(),
        )
        .unwrap();
        let xes = csv_to_xes(&path);
        let from_xes = read_xes_log(xes.as_bytes(), &LogOptions::new(), options()).unwrap();
        assert_eq!(from_xes.report, from_csv.report, "{name}");
        assert_eq!(
            plain(from_xes.spec.clone()),
            plain(from_csv.spec.clone()),
            "{name}"
        );
        // Compressed, and told apart from CSV by its first bytes.
        let zipped = gzip(&xes);
        let from_gz = read_log(&zipped[..], &LogOptions::new(), options()).unwrap();
        assert_eq!(plain(from_gz.spec), plain(from_xes.spec), "{name}");
        checked += 1;
    }
    if dir.is_dir() {
        assert_eq!(checked, 2);
    }
}

#[test]
fn trace_attributes_are_case_attributes_and_the_case_may_be_named() {
    let xes = r#"<log>
  <trace>
    <string key="order" value="order-1"/>
    <string key="channel" value="Web"/>
    <event><string key="concept:name" value="Order"/><string key="org:group" value="Sales"/>
      <list key="tags"><values><string key="concept:name" value="not an activity"/></values></list>
    </event>
    <event><string key="concept:name" value="Deliver"/><string key="channel" value="Truck"/></event>
  </trace>
</log>"#;
    // `order` is not a usual case name…
    let e = read_xes_log(xes.as_bytes(), &LogOptions::new(), DiscoverOptions::new()).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("no case name"), "{e}");
    // …named, it is; the trace's channel is every event's unless the event
    // has its own; a list's values are not the event's attributes.
    let found = read_xes_log(
        xes.as_bytes(),
        &LogOptions::new().column("case", "order"),
        DiscoverOptions::new(),
    )
    .unwrap();
    let t = &found.spec.touchpoints;
    assert_eq!(
        (t[0].name.as_str(), t[1].name.as_str()),
        ("Order", "Deliver")
    );
    assert_eq!(t[0].channel.as_deref(), Some("Web"));
    assert_eq!(t[1].channel.as_deref(), Some("Truck"));
    assert_eq!(t[0].owner.as_deref(), Some("Sales"));
}

#[test]
fn only_complete_lifecycle_events_count_and_the_others_are_reported() {
    let csv = "case,activity,lifecycle:transition,timestamp\n\
               1,Call,start,2024-01-01T10:00:00Z\n1,Call,complete,2024-01-01T10:05:00Z\n\
               1,Fix,START,2024-01-01T11:00:00Z\n1,Fix,Complete,2024-01-01T12:00:00Z\n";
    let found = read_log(csv.as_bytes(), &LogOptions::new(), DiscoverOptions::new()).unwrap();
    assert_eq!(found.report.events, 2);
    assert_eq!(found.report.skipped_events, 2);
    assert_eq!(found.report.repeated_events, 0);
    let xes = r#"<log><trace><string key="concept:name" value="1"/>
<event><string key="concept:name" value="Call"/><string key="lifecycle:transition" value="start"/></event>
<event><string key="concept:name" value="Call"/><string key="lifecycle:transition" value="complete"/></event>
</trace></log>"#;
    let found = read_log(xes.as_bytes(), &LogOptions::new(), DiscoverOptions::new()).unwrap();
    assert_eq!((found.report.events, found.report.skipped_events), (1, 1));
    let out = peakend_stdin(&["discover", "-"], csv);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("2 events left out: lifecycle not `complete`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_xes_logs_get_located_errors() {
    let head =
        "<?xml version=\"1.0\"?>\n<log>\n<trace>\n<string key=\"concept:name\" value=\"c1\"/>\n";
    let cases = [
        (
            format!("{head}<event>\n</trace></log>"),
            Some(6),
            "does not read",
        ),
        ("<html>\n</html>".to_string(), Some(1), "not an XES log"),
        (
            "<log>\n<event/>\n</log>".to_string(),
            Some(2),
            "outside any <trace>",
        ),
        (
            format!(
                "{head}<event>\n<string key=\"org:group\" value=\"x\"/>\n</event></trace></log>"
            ),
            Some(5),
            "no activity",
        ),
        (
            format!(
                "{head}<event><string key=\"concept:name\" value=\"A\"/>\n\
                 <date key=\"time:timestamp\" value=\"soon\"/></event></trace></log>"
            ),
            Some(5),
            "time:timestamp \"soon\" is not a timestamp",
        ),
        (
            format!(
                "{head}<event><string key=\"concept:name\" value=\"A\"/>\
                 <float key=\"rating\" value=\"9\"/></event></trace></log>"
            ),
            Some(5),
            "rating: rating 9 is off the rating scale 1..5",
        ),
        (
            format!(
                "{head}<event><string key=\"concept:name\" value=\"A\"/>\
                 <string key=\"rating\" value=\"high\"/></event></trace></log>"
            ),
            Some(5),
            "rating \"high\" is not a number",
        ),
        ("<log>\n</log>\n".to_string(), None, "no events"),
        (
            "<?xml version=\"1.0\"?>\n".to_string(),
            None,
            "no <log> element",
        ),
        (
            format!(
                "{head}<event><string key=\"concept:name\" value=\"A\"/>\
                 <date key=\"time:timestamp\" value=\"2024-01-02\"/></event>\n\
                 <event><string key=\"concept:name\" value=\"B\"/>\
                 <date key=\"time:timestamp\" value=\"2024-01-01\"/></event></trace></log>"
            ),
            Some(6),
            "earlier than the case's event on line 5",
        ),
    ];
    for (log, line, what) in &cases {
        let e = read_xes_log(
            log.as_bytes(),
            &LogOptions::new(),
            DiscoverOptions::new().rating_scale(1.0, 5.0),
        )
        .expect_err(log);
        assert_eq!(e.line, *line, "{log}: {e}");
        assert!(e.to_string().contains(what), "{log}: {e}");
    }
    // A broken gzip stream is an error, not a panic or a partial journey.
    let mut zipped = gzip(&format!(
        "{head}<event><string key=\"concept:name\" value=\"A\"/></event></trace></log>"
    ));
    zipped.truncate(zipped.len() / 2);
    let e = read_log(&zipped[..], &LogOptions::new(), DiscoverOptions::new()).unwrap_err();
    assert!(e.to_string().contains("does not read"), "{e}");
    // Through the CLI: exit 1, the file and the line.
    let out = peakend_stdin(&["discover", "-"], &cases[3].0);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("<stdin>: error: line 5: this event has no activity"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sample_writes_xes_that_discover_reads_back() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sample-xes");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |out: &std::path::Path| {
        let o = peakend(&[
            "sample",
            "journeys/quote-to-order.json",
            "--cases",
            "400",
            "--noise",
            "0",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        std::fs::read(out).unwrap()
    };
    let plain_log = run(&dir.join("log.xes"));
    assert!(plain_log.starts_with(b"<?xml"));
    // The same seed, the same bytes; `.gz` compresses the same log.
    assert_eq!(run(&dir.join("log.xes")), plain_log);
    let zipped = run(&dir.join("log.xes.gz"));
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&zipped[..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, plain_log);
    // A well-formed XML document, read by an XML parser of its own.
    let doc = roxmltree::Document::parse(std::str::from_utf8(&plain_log).unwrap()).unwrap();
    assert_eq!(
        doc.root_element()
            .children()
            .filter(|n| n.has_tag_name("trace"))
            .count(),
        400
    );
    let out = peakend(&[
        "discover",
        dir.join("log.xes.gz").to_str().unwrap(),
        "--rating-scale",
        "1,5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let found: JourneySpec = serde_json::from_slice(&out.stdout).unwrap();
    let designed = peakend::Journey::from_json_str(
        &std::fs::read_to_string("journeys/quote-to-order.json").unwrap(),
    )
    .unwrap();
    for t in &found.touchpoints {
        let d = designed
            .spec()
            .touchpoints
            .iter()
            .find(|d| d.name == t.name)
            .unwrap_or_else(|| panic!("{} is not in the journey", t.name));
        assert!((t.emotion - d.emotion).abs() < 0.01, "{}", t.name);
    }
    assert!(text(&out.stderr).contains("from 400 cases"));
}

/// `peakend sample | peakend discover -` through a shell pipe, in both
/// formats: standard input is told CSV from XES by its first bytes.
#[test]
fn sample_piped_into_discover_round_trips() {
    let bin = env!("CARGO_BIN_EXE_peakend");
    for format in ["csv", "xes"] {
        let script = format!(
            "'{bin}' sample journeys/quote-to-order.json --cases 800 --noise 0 --format {format} \
             | '{bin}' discover - --rating-scale 1,5"
        );
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let found: JourneySpec = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(found.touchpoints.len(), 6, "{format}");
        let err = text(&out.stderr);
        assert!(
            err.contains("<stdin>: 6 touchpoints, 7 transitions from 800 cases"),
            "{err}"
        );
    }
}
