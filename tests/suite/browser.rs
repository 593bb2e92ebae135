//! The HTML report as a person sees it: every bundled journey's report is
//! opened in headless Chromium at 1280 pixels and checked for console
//! errors, network requests, a visible map with one visible marker per
//! touchpoint, the key numbers as text, and nothing wider than the page; a
//! screenshot of each is saved under `target/browser/`.
//!
//! Needs Chromium (`chromium`, `chromium-browser` or `google-chrome` on the
//! PATH, or `PEAKEND_CHROMIUM`). Without one the test is skipped with a
//! message, unless `PEAKEND_REQUIRE_BROWSER` is set (CI sets it), in which
//! case it fails.

use super::journey_files;
use std::path::{Path, PathBuf};
use std::process::Command;

const WIDTH: u32 = 1280;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PEAKEND_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Flags for a headless run on a closed network, as root, with a fresh
/// profile.
fn browser(exe: &Path, profile: &Path, height: u32) -> Command {
    let mut c = Command::new(exe);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!("--window-size={WIDTH},{height}"));
    c
}

/// Installed before anything of the report runs: records errors and
/// console messages.
const PROBE_HEAD: &str = r#"<script>
window.__problems = [];
window.addEventListener('error', function (e) { window.__problems.push('error: ' + (e.message || (e.target && e.target.outerHTML))); }, true);
['error', 'warn'].forEach(function (k) { var f = console[k]; console[k] = function () { window.__problems.push(k + ': ' + Array.prototype.join.call(arguments, ' ')); f.apply(console, arguments); }; });
</script>"#;

/// Runs after load: what a person would see, written into the DOM for
/// `--dump-dom`.
const PROBE_BODY: &str = r#"<script>
window.addEventListener('load', function () {
  var vw = window.innerWidth;
  function visible(el) {
    var r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity || '1') > 0;
  }
  var svg = document.querySelector('#map svg');
  var box = svg ? svg.getBoundingClientRect() : null;
  var markers = Array.prototype.slice.call(document.querySelectorAll('#map [data-touchpoint]'));
  var scroller = svg ? svg.parentElement : null;
  var sbox = scroller ? scroller.getBoundingClientRect() : null;
  var shown = markers.filter(function (m) {
    var r = m.querySelector('.marker').getBoundingClientRect();
    return r.width > 0 && r.height > 0 && box && r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  });
  var wide = [];
  document.querySelectorAll('main, main *').forEach(function (el) {
    if (scroller && scroller.contains(el) && el !== scroller) return;
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5) wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  });
  var figures = {};
  document.querySelectorAll('[data-figure]').forEach(function (el) { figures[el.getAttribute('data-figure')] = el.innerText; });
  var check = {
    viewport: vw,
    scroll_width: document.documentElement.scrollWidth,
    map_visible: !!svg && visible(svg),
    map_width: box ? box.width : 0,
    map_scrolls: !!scroller && scroller.scrollWidth > scroller.clientWidth + 1,
    scroller_right: sbox ? sbox.right : 0,
    markers: markers.length,
    markers_visible: shown.length,
    histogram_visible: !!document.querySelector('#distribution svg') && visible(document.querySelector('#distribution svg')),
    persona_lines: document.querySelectorAll('#map g.persona').length,
    persona_lines_visible: Array.prototype.filter.call(document.querySelectorAll('#map g.persona'), function (g) { var r = g.getBoundingClientRect(); return r.width > 0 && r.height > 0 && box && r.left >= box.left - 1 && r.right <= box.right + 1; }).length,
    persona_rows: Array.prototype.map.call(document.querySelectorAll('tr.persona'), function (r) { return r.innerText; }),
    account_actions: document.querySelectorAll('tr.account-action').length,
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    problems: window.__problems,
    too_wide: wide.slice(0, 5),
    figures: figures,
    text: document.body.innerText
  };
  document.body.setAttribute('data-check', JSON.stringify(check));
});
</script>"#;

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn reports_look_right_in_chromium() {
    let Some(exe) = chromium() else {
        if std::env::var_os("PEAKEND_REQUIRE_BROWSER").is_some() {
            panic!("Chromium is required (PEAKEND_REQUIRE_BROWSER is set) but was not found");
        }
        eprintln!(
            "skipped: no Chromium found (install the Debian package `chromium`, or set PEAKEND_CHROMIUM)"
        );
        return;
    };
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&out).unwrap();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failures = Vec::new();
    for path in journey_files() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let html_path = out.join(format!("{name}.html"));
        // The real binary writes the report.
        let st = Command::new(env!("CARGO_BIN_EXE_peakend"))
            .arg("report")
            .arg(&path)
            .arg("-o")
            .arg(&html_path)
            .status()
            .unwrap();
        assert!(st.success(), "{name}: peakend report failed");
        let html = std::fs::read_to_string(&html_path).unwrap();
        let probed = html
            .replacen("<head>", &format!("<head>{PROBE_HEAD}"), 1)
            .replacen("</body>", &format!("{PROBE_BODY}</body>"), 1);
        let probe_path = tmp.join(format!("{name}.probe.html"));
        std::fs::write(&probe_path, probed).unwrap();
        let url = format!("file://{}", probe_path.display());

        let profile = tmp.join(format!("profile-{name}"));
        let _ = std::fs::remove_dir_all(&profile);
        let run = browser(&exe, &profile, 900)
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        let Some(start) = dom.find("data-check=\"") else {
            panic!("{name}: the page did not finish loading\n{stderr}");
        };
        let rest = &dom[start + 12..];
        let check: serde_json::Value =
            serde_json::from_str(&unescape_attr(&rest[..rest.find('"').unwrap()])).unwrap();

        // Expected figures, from the analysis the report is built on.
        let analysis = Command::new(env!("CARGO_BIN_EXE_peakend"))
            .args(["analyze", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        let a: serde_json::Value = serde_json::from_slice(&analysis.stdout).unwrap();
        let sc = &a["journey"]["scale"];
        let scale = peakend::Scale {
            min: sc["min"].as_f64().unwrap(),
            max: sc["max"].as_f64().unwrap(),
            neutral: sc["neutral"].as_f64().unwrap(),
            ties: peakend::Ties::default(),
        };
        let remembered = score(a["remembered"]["expected"].as_f64().unwrap(), &scale);
        let average = score(a["mean"]["expected"].as_f64().unwrap(), &scale);
        let negative = percent(a["distribution"]["negative_share"].as_f64().unwrap());
        let n = a["journey"]["touchpoints"].as_u64().unwrap();

        let mut fail = |what: String| failures.push(format!("{name}: {what}"));
        let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
        if !console.is_empty() {
            fail(format!("console messages: {console:?}"));
        }
        if check["problems"].as_array().is_none_or(|p| !p.is_empty()) {
            fail(format!("errors on the page: {}", check["problems"]));
        }
        if check["resources"].as_array().is_none_or(|r| !r.is_empty()) {
            fail(format!("fetched resources: {}", check["resources"]));
        }
        if check["viewport"] != WIDTH {
            fail(format!("viewport {}", check["viewport"]));
        }
        if check["scroll_width"].as_u64() > Some(WIDTH as u64) {
            fail(format!("page is {} px wide", check["scroll_width"]));
        }
        if !check["too_wide"].as_array().is_some_and(|v| v.is_empty()) {
            fail(format!(
                "elements past the right edge: {}",
                check["too_wide"]
            ));
        }
        if check["scroller_right"].as_f64() > Some(WIDTH as f64) {
            fail("the map's box overflows".into());
        }
        if check["map_visible"] != true || check["histogram_visible"] != true {
            fail("map or histogram not visible".into());
        }
        if check["markers"].as_u64() != Some(n) || check["markers_visible"].as_u64() != Some(n) {
            fail(format!(
                "{n} touchpoints, {} markers, {} visible",
                check["markers"], check["markers_visible"]
            ));
        }
        // The bundled journeys are small: their maps fit the page.
        if check["map_scrolls"] != false {
            fail("the map needs scrolling".into());
        }
        let figures = &check["figures"];
        for (key, want) in [
            ("remembered", &remembered),
            ("average", &average),
            ("negative", &negative),
        ] {
            if figures[key].as_str() != Some(want.as_str()) {
                fail(format!("{key}: shows {}, expected {want}", figures[key]));
            }
        }
        let text = check["text"].as_str().unwrap_or_default();
        for want in [
            "Summary",
            "Journey map",
            "How customers remember it",
            "Defining moments",
            "Where to invest",
            "Where not to invest",
        ] {
            if !text.contains(want) {
                fail(format!("no {want:?} on the page"));
            }
        }

        // With personas: a line per persona on the map, a row per persona
        // with its remembered experience, the account and its advice.
        if let Some(personas) = a["personas"].as_array() {
            let drawn = personas.len().min(6) as u64;
            if check["persona_lines"].as_u64() != Some(drawn)
                || check["persona_lines_visible"].as_u64() != Some(drawn)
            {
                fail(format!(
                    "{drawn} personas, {} lines, {} visible",
                    check["persona_lines"], check["persona_lines_visible"]
                ));
            }
            let rows = check["persona_rows"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if rows.len() != personas.len() {
                fail(format!(
                    "{} persona rows for {} personas",
                    rows.len(),
                    personas.len()
                ));
            }
            for (row, p) in rows.iter().zip(personas) {
                let row = row.as_str().unwrap_or_default();
                let want = score(p["remembered"]["expected"].as_f64().unwrap(), &scale);
                if !row.contains(p["name"].as_str().unwrap()) || !row.contains(&want) {
                    fail(format!(
                        "persona row {row:?}: expected {} and {want}",
                        p["name"]
                    ));
                }
            }
            let account = score(a["account"]["expected"].as_f64().unwrap(), &scale);
            if !text.contains(&format!("The account remembers {account}")) {
                fail(format!("no account memory {account} on the page"));
            }
            if check["account_actions"].as_u64().unwrap_or(0) == 0 {
                fail("no advice for the account".into());
            }
            for p in personas.iter().take(6) {
                let name = p["name"].as_str().unwrap();
                if !text.contains(&format!("{name}: its moments and memory")) {
                    // The legend is SVG text: innerText of the body has it.
                    fail(format!("no legend entry for {name}"));
                }
            }
        }

        // A screenshot of the whole report, for people to look at.
        let shot = out.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&shot);
        let profile = tmp.join(format!("profile-shot-{name}"));
        let _ = std::fs::remove_dir_all(&profile);
        let st = browser(&exe, &profile, 2400)
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", html_path.display()))
            .output()
            .unwrap();
        let png = std::fs::read(&shot).unwrap_or_default();
        if !st.status.success() || !png.starts_with(b"\x89PNG") || png.len() < 10_000 {
            fail(format!("no screenshot ({} bytes)", png.len()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The report's score format: one decimal, signed on a scale that goes
/// below zero (as documented in docs/format.md).
fn score(x: f64, scale: &peakend::Scale) -> String {
    // Halves away from zero, also when the arithmetic lands a hair short
    // of one (2.35 computed as 2.3499999999999996 shows +2.4).
    let y = x * 10.0;
    let r = (y + y.signum() * 1e-9 * y.abs().max(1.0)).round() / 10.0 + 0.0;
    if scale.min < 0.0 && r != 0.0 {
        format!("{r:+.1}")
    } else {
        format!("{r:.1}")
    }
}

/// The report's share format: one decimal, "-" for none.
fn percent(p: f64) -> String {
    if p == 0.0 {
        "-".to_string()
    } else if p < 0.0005 {
        "<0.1%".to_string()
    } else {
        format!("{:.1}%", p * 100.0)
    }
}
