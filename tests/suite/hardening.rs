//! The hostile battery of issue #23: each defect it found in the log
//! commands (`discover`, `sample`, `fit`, `gap`, `render` and the model
//! files), with a test that failed before its fix. Every file, FIFO,
//! device node and symbolic link is made under a temporary directory.

use super::{peakend, peakend_stdin, text};
use std::path::{Path, PathBuf};

const JOURNEY: &str = "journeys/support-escalation.json";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("hardening-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

/// Make a FIFO at `p` (`mkfifo`).
fn fifo(p: &Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap();
    assert!(st.success(), "mkfifo {}", p.display());
}

/// Make a character device node at `p` with the given major and minor
/// numbers (`mknod`): 1,3 is a null device and 1,7 a full one. Needs root,
/// which the CI machines and this one have; elsewhere `None` (the test
/// says so and checks the rest).
fn device(p: &Path, major: u32, minor: u32) -> Option<()> {
    let st = std::process::Command::new("mknod")
        .arg(p)
        .arg("c")
        .arg(major.to_string())
        .arg(minor.to_string())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    if st.success() {
        return Some(());
    }
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0");
    assert!(!root, "mknod failed as root: {}", p.display());
    eprintln!("not root: no device node at {}", p.display());
    None
}

/// Everything written into the FIFO at `p` while `f` runs. The FIFO is
/// opened at both ends before (the reader without blocking, the writer end
/// held until `f` is done), so that neither `f` nor the reading can wait
/// forever whatever `f` does: a command that replaced the FIFO instead of
/// writing into it leaves the reading empty, not hanging.
fn through_fifo<T>(p: &Path, f: impl FnOnce() -> T) -> (T, Vec<u8>) {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000; // Linux
    let mut r = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(p)
        .unwrap();
    let hold = std::fs::OpenOptions::new().write(true).open(p).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut got, mut buf) = (Vec::new(), [0u8; 65536]);
        loop {
            match r.read(&mut buf) {
                Ok(0) => return got,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                Err(e) => panic!("{e}"),
            }
        }
    });
    let t = f();
    drop(hold);
    (t, reader.join().unwrap())
}

fn is_char_device(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_char_device())
}

fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo())
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

/// A small sampled log and case table in `dir`, for the commands that
/// read one.
fn sampled(dir: &Path) -> (PathBuf, PathBuf) {
    let (log, cases) = (dir.join("log.csv"), dir.join("cases.csv"));
    let out = peakend(&[
        "sample",
        JOURNEY,
        "--cases",
        "60",
        "--accounts",
        "12",
        "-o",
        s(&log),
        "--case-table",
        s(&cases),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (log, cases)
}

/// Every command with `-o`, writing to `target`.
fn every_output(dir: &Path, target: &Path) -> Vec<Vec<String>> {
    let (log, cases) = sampled(dir);
    let t = s(target).to_string();
    let v = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
    vec![
        v(&["render", JOURNEY, "-o", &t]),
        v(&["report", JOURNEY, "-o", &t]),
        v(&["convert", JOURNEY, "--to", "mermaid", "-o", &t]),
        v(&["sample", JOURNEY, "--cases", "20", "-o", &t]),
        v(&["discover", s(&log), "-o", &t]),
        v(&[
            "fit",
            s(&log),
            "--case-table",
            s(&cases),
            "--folds",
            "2",
            "-o",
            &t,
        ]),
        v(&[
            "gap",
            "journeys/payroll-go-live-supplier.json",
            "journeys/payroll-go-live-customers.json",
            "-o",
            &t,
        ]),
    ]
}

fn run(args: &[String]) -> std::process::Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    peakend(&a)
}

#[test]
fn output_to_a_fifo_is_written_through_and_stays_a_fifo() {
    let dir = tmp();
    let pipe = dir.path().join("pipe");
    fifo(&pipe);
    for args in every_output(dir.path(), &pipe) {
        let (out, got) = through_fifo(&pipe, || run(&args));
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(!got.is_empty(), "{args:?} wrote nothing into the FIFO");
        assert!(is_fifo(&pipe), "{args:?} replaced the FIFO");
    }
}

#[test]
fn output_to_a_full_device_is_an_error_and_a_device_stays_a_device() {
    let dir = tmp();
    let (full, null) = (dir.path().join("full"), dir.path().join("null"));
    if device(&full, 1, 7).is_none() || device(&null, 1, 3).is_none() {
        return;
    }
    for args in every_output(dir.path(), &full) {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?} on a full device");
        let err = text(&out.stderr);
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(err.contains(s(&full)), "{err}");
        assert!(is_char_device(&full), "{args:?} replaced the device");
    }
    for args in every_output(dir.path(), &null) {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(is_char_device(&null), "{args:?} replaced the device");
    }
}

#[test]
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let dir = tmp();
    let real = dir.path().join("real.svg");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.svg");
    std::os::unix::fs::symlink("real.svg", &link).unwrap();
    // A chain of two links, the last one dangling: the file is made where
    // it points.
    let first = dir.path().join("first.svg");
    std::os::unix::fs::symlink("second.svg", &first).unwrap();
    std::os::unix::fs::symlink("sub/made.svg", dir.path().join("second.svg")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for (at, file) in [(&link, &real), (&first, &dir.path().join("sub/made.svg"))] {
        let out = peakend(&["render", JOURNEY, "-o", s(at)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(is_symlink(at), "the link {} was replaced", at.display());
        let got = std::fs::read_to_string(file).unwrap();
        assert!(got.starts_with("<svg"), "{}", &got[..got.len().min(40)]);
    }
    // No temporary file is left beside either target.
    for d in [dir.path(), &dir.path().join("sub")] {
        for e in std::fs::read_dir(d).unwrap() {
            let name = e.unwrap().file_name();
            assert!(!name.to_string_lossy().ends_with(".tmp"), "{name:?} left");
        }
    }
}

#[test]
fn output_onto_a_directory_is_an_error_that_leaves_it() {
    let dir = tmp();
    let out = peakend(&["render", JOURNEY, "-o", s(dir.path())]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("it is a directory"), "{err}");
    assert!(dir.path().is_dir());
}

#[test]
fn sample_refuses_one_file_for_the_log_and_the_case_table() {
    let dir = tmp();
    let same = dir.path().join("same.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("same.csv", &link).unwrap();
    for (o, c) in [(&same, &same), (&same, &link), (&link, &same)] {
        let out = peakend(&[
            "sample",
            JOURNEY,
            "--cases",
            "5",
            "-o",
            s(o),
            "--case-table",
            s(c),
        ]);
        assert_eq!(out.status.code(), Some(2), "{o:?} {c:?}");
        let err = text(&out.stderr);
        assert!(err.contains("are the same file"), "{err}");
        assert!(!same.exists(), "nothing is written");
    }
    // A null device takes both.
    let null = dir.path().join("null");
    if device(&null, 1, 3).is_some() {
        let out = peakend(&[
            "sample",
            JOURNEY,
            "--cases",
            "5",
            "-o",
            s(&null),
            "--case-table",
            s(&null),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(is_char_device(&null));
    }
}

#[test]
fn an_output_over_another_input_is_refused_through_a_symlink() {
    let dir = tmp();
    let (log, cases) = sampled(dir.path());
    let before = std::fs::read(&cases).unwrap();
    let link = dir.path().join("model.json");
    std::os::unix::fs::symlink("cases.csv", &link).unwrap();
    let out = peakend(&["fit", s(&log), "--case-table", s(&cases), "-o", s(&link)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("is the case table"));
    let out = peakend(&["discover", s(&log), "--cases", s(&cases), "-o", s(&link)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&cases).unwrap(), before);
    let out = peakend_stdin(&["gap", "-", JOURNEY, "-o", JOURNEY], "{}");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("is the customers' journey"));
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// `peakend discover` on a file of these bytes (named `name`, in `dir`),
/// with more arguments.
fn discover(dir: &Path, name: &str, bytes: &[u8], more: &[&str]) -> std::process::Output {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    let mut args = vec!["discover", s(&p)];
    args.extend_from_slice(more);
    peakend(&args)
}

fn fails(out: &std::process::Output, what: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(what), "wanted {what:?} in: {err}");
    assert!(out.stdout.is_empty(), "no partial journey");
}

fn works(out: &std::process::Output) -> (serde_json::Value, String) {
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    (serde_json::from_slice(&out.stdout).unwrap(), err)
}

const XES_HEAD: &str = "<?xml version=\"1.0\"?>\n<log>\n<trace><string key=\"concept:name\" \
                        value=\"c1\"/>\n";

#[test]
fn a_gzip_bomb_of_one_comment_text_or_cell_is_refused_not_buffered() {
    let dir = tmp();
    let big = vec![b'x'; 40 << 20];
    for (name, doc) in [
        (
            "comment.xes.gz",
            [b"<log><!--".as_slice(), &big, b"--></log>"].concat(),
        ),
        (
            "text.xes.gz",
            [b"<log>".as_slice(), &big, b"</log>"].concat(),
        ),
        (
            "tag.xes.gz",
            [
                XES_HEAD.as_bytes(),
                b"<string key=\"a\" value=\"",
                &big,
                b"\"/></trace></log>",
            ]
            .concat(),
        ),
        (
            "cell.csv.gz",
            [b"case,activity\n1,\"".as_slice(), &big, b"\"\n"].concat(),
        ),
    ] {
        let zipped = gzip(&doc);
        assert!(zipped.len() < 200_000, "{name}: {}", zipped.len());
        let out = discover(dir.path(), name, &zipped, &[]);
        fails(&out, "of more than 16777216 bytes");
    }
}

#[test]
fn an_attribute_repeated_a_million_times_is_read_once() {
    let dir = tmp();
    let mut doc = String::from(XES_HEAD);
    doc.push_str("<event><string key=\"concept:name\" value=\"First\"/>");
    for _ in 0..200_000 {
        doc.push_str("<string key=\"concept:name\" value=\"Again\"/>");
    }
    doc.push_str("</event></trace></log>");
    let (j, _) = works(&discover(
        dir.path(),
        "rep.xes.gz",
        &gzip(doc.as_bytes()),
        &[],
    ));
    assert_eq!(j["touchpoints"][0]["name"], "First");
}

#[test]
fn a_gzipped_csv_is_read_as_csv_whatever_it_is_called() {
    let dir = tmp();
    let csv = b"case,activity\n1,Order\n1,Deliver\n2,Order\n";
    for name in ["log.csv.gz", "log.xes.gz", "log.gz"] {
        let (j, err) = works(&discover(dir.path(), name, &gzip(csv), &[]));
        // Order, Deliver, and Order's copy for the case that ends there.
        assert_eq!(j["touchpoints"].as_array().unwrap().len(), 3, "{name}");
        assert!(err.contains("the log is gzip-compressed"), "{err}");
    }
}

#[test]
fn utf16_logs_are_decoded_and_said_so() {
    let dir = tmp();
    let csv = "case,activity\n1,Café\n1,Bestätigung\n";
    let mut le = vec![0xff, 0xfe];
    le.extend(csv.encode_utf16().flat_map(u16::to_le_bytes));
    let be: Vec<u8> = csv.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes) in [("le.csv", le), ("be.csv", be)] {
        let (j, err) = works(&discover(dir.path(), name, &bytes, &[]));
        assert_eq!(j["touchpoints"][0]["name"], "Café", "{name}");
        assert!(err.contains("the log is UTF-16"), "{err}");
    }
    let out = discover(dir.path(), "book.csv", b"PK\x03\x04\x14\x00\x06\x00", &[]);
    fails(&out, "Excel workbook");
}

#[test]
fn one_column_for_two_roles_is_refused() {
    let dir = tmp();
    let out = discover(
        dir.path(),
        "log.csv",
        b"id,step\n1,A\n",
        &["--case", "step", "--activity", "step"],
    );
    fails(
        &out,
        "--case step and --activity step name one column for two roles",
    );
    let xes = format!(
        "{XES_HEAD}<event><string key=\"concept:name\" value=\"A\"/></event></trace></log>"
    );
    let out = discover(
        dir.path(),
        "log.xes",
        xes.as_bytes(),
        &["--activity", "concept:name", "--stage", "Concept:Name"],
    );
    fails(&out, "name one column for two roles");
}

#[test]
fn a_header_naming_two_columns_alike_is_refused_naming_both() {
    let dir = tmp();
    let out = discover(
        dir.path(),
        "log.csv",
        b"case,activity,Activity\n1,A,B\n",
        &[],
    );
    fails(
        &out,
        "line 1: columns 2 (\"activity\") and 3 (\"Activity\") have the same name",
    );
    let t = dir.path().join("cases.csv");
    std::fs::write(&t, "case,outcome,Case\n1,won,2\n").unwrap();
    let out = discover(
        dir.path(),
        "log2.csv",
        b"case,activity\n1,A\n",
        &["--cases", s(&t)],
    );
    fails(
        &out,
        "columns 1 (\"case\") and 3 (\"Case\") have the same name",
    );
}

#[test]
fn an_xes_log_has_one_root_and_closes_it() {
    let dir = tmp();
    let body =
        format!("{XES_HEAD}<event><string key=\"concept:name\" value=\"A\"/></event></trace>");
    let out = discover(dir.path(), "cut.xes", body.as_bytes(), &[]);
    fails(&out, "the log ends without </log>");
    let two = format!("{body}</log>\n<log></log>");
    let out = discover(dir.path(), "two.xes", two.as_bytes(), &[]);
    fails(&out, "line 5: a second root element <log> after </log>");
}

#[test]
fn a_missing_timestamp_names_the_first_event() {
    let dir = tmp();
    let out = discover(
        dir.path(),
        "log.csv",
        b"case,activity,timestamp\n1,A,\n1,B,2024-01-01T10:00:00Z\n",
        &[],
    );
    fails(
        &out,
        "line 3: this event has a timestamp, and the first event (line 2) has none",
    );
}

#[test]
fn timestamps_follow_rfc_3339_to_the_end_of_9999() {
    let dir = tmp();
    let (j, _) = works(&discover(
        dir.path(),
        "late.csv",
        b"case,activity,time\n1,A,9999-12-30T23:59:59Z\n1,B,9999-12-31\n1,C,9999-12-31T23:59:59.1234567891Z\n",
        &[],
    ));
    assert_eq!(j["touchpoints"].as_array().unwrap().len(), 3);
    let out = discover(
        dir.path(),
        "offset.csv",
        b"case,activity,time\n1,A,2024-01-01T00:00:00+25:00\n",
        &[],
    );
    fails(
        &out,
        "line 2, column `time`: \"2024-01-01T00:00:00+25:00\" is not a timestamp",
    );
}

#[test]
fn separators_are_told_by_sep_lines_rows_or_the_flag() {
    let dir = tmp();
    // Excel's first line; the rows after keep their line numbers.
    let out = discover(
        dir.path(),
        "sep.csv",
        b"sep=;\ncase;activity;time\n1;A;2024-01-01\n1;B;never\n",
        &[],
    );
    fails(&out, "line 4, column `time`");
    let (j, _) = works(&discover(
        dir.path(),
        "sep2.csv",
        b"\"sep=;\"\ncase;activity\n1;A,B\n",
        &[],
    ));
    assert_eq!(j["touchpoints"][0]["name"], "A,B");
    // A semicolon log whose header has a comma and whose ratings have
    // decimal commas.
    let (j, _) = works(&discover(
        dir.path(),
        "semi.csv",
        b"case,id;activity;rating\n1;A;4,5\n1;B;2,5\n",
        &["--case", "case,id", "--rating-scale", "1,5"],
    ));
    assert_eq!(j["touchpoints"][1]["name"], "B");
    let (j, _) = works(&discover(
        dir.path(),
        "bar.csv",
        b"case|activity\n1|A;B\n",
        &["--delimiter", "|"],
    ));
    assert_eq!(j["touchpoints"][0]["name"], "A;B");
    let out = discover(
        dir.path(),
        "bad.csv",
        b"case,activity\n",
        &["--delimiter", "ab"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_windows_1252_log_is_read_as_excel_wrote_it_and_said_so() {
    let dir = tmp();
    let out = discover(
        dir.path(),
        "cp.csv",
        b"case;activit\xe9\n1;Caf\xe9\n",
        &["--activity", "activité"],
    );
    let (j, err) = works(&out);
    assert_eq!(j["touchpoints"][0]["name"], "Café");
    assert!(
        err.contains("the log is not UTF-8 (first on line 1): read as Windows-1252"),
        "{err}"
    );
}

#[test]
fn a_sample_whose_timestamps_would_pass_9999_is_refused() {
    let out = peakend(&["sample", JOURNEY, "--cases", "10", "--gap", "1e12"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("run past the year 9999"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn rating_scales_past_a_human_scale_are_refused() {
    for scale in ["-1e308,1e308", "0,1e7"] {
        for cmd in ["sample", "discover"] {
            let file = if cmd == "sample" {
                JOURNEY
            } else {
                "../shared/corpus/logs/receipt.csv"
            };
            let out = peakend(&[cmd, file, "--rating-scale", scale]);
            assert_eq!(out.status.code(), Some(2), "{cmd} {scale}");
            assert!(
                text(&out.stderr).contains("human scale"),
                "{}",
                text(&out.stderr)
            );
        }
    }
    let e = peakend::observe::read_csv_log(
        "case,activity,rating\n1,A,3\n".as_bytes(),
        &peakend::observe::LogOptions::new(),
        peakend::observe::DiscoverOptions::new().rating_scale(-1e308, 1e308),
    )
    .unwrap_err();
    assert!(e.message.contains("human scale"), "{e}");
}

#[test]
fn a_text_past_the_journey_limit_is_refused_where_it_is() {
    let dir = tmp();
    let big = "x".repeat((1 << 20) + 1);
    let out = discover(
        dir.path(),
        "long.csv",
        format!("case,activity\n1,{big}\n").as_bytes(),
        &[],
    );
    fails(
        &out,
        "line 2, column `activity`: a text of 1048577 bytes, more than the limit of 1048512 (a \
         journey's texts are at most 1048576 bytes",
    );
    let xes = format!(
        "{XES_HEAD}<event><string key=\"concept:name\" value=\"{big}\"/></event></trace></log>"
    );
    let out = discover(dir.path(), "long.xes", xes.as_bytes(), &[]);
    fails(&out, "concept:name: a text of 1048577 bytes");
}

#[test]
fn a_minimum_share_that_leaves_out_every_case_says_which_would_keep_some() {
    let log = "../shared/corpus/logs/running-example.csv";
    let out = peakend(&["discover", log, "--min-share", "0.5"]);
    fails(
        &out,
        "a minimum share of 0.5 leaves out every case: each passes some touchpoint fewer than 50% \
         of customers pass; the most a case keeps is 33.33% (a share of 0.3333 or less keeps some)",
    );
    assert!(!text(&out.stderr).contains("a bug"));
    // The share said keeps some.
    let (j, _) = works(&peakend(&["discover", log, "--min-share", "0.3333"]));
    assert!(!j["touchpoints"].as_array().unwrap().is_empty());
}

/// A cell of a random log: plain names, and names with what CSV and JSON
/// must carry (quotes, separators, line breaks, control characters, other
/// scripts).
fn cell() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        prop::sample::select(vec![
            "Order", "Call", "Fix", "Pay", "Order ", "order", "Ordér"
        ])
        .prop_map(String::from),
        "[a-c]{1,3}",
        "[ -~]{1,6}",
        "[\\PC\\t\\u{1b}\\u{7f}]{1,4}",
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Whatever a log holds, what discovery makes of it is a journey every
    /// command takes: it validates, from its JSON text, under the default
    /// limits.
    #[test]
    fn every_discovered_journey_validates_under_the_default_limits(
        rows in proptest::collection::vec(
            (0u8..6, cell(), proptest::option::of(0u32..500), proptest::option::of(1u8..=5)),
            1..60,
        ),
        timed in proptest::bool::ANY,
        rated in proptest::bool::ANY,
        min_share in proptest::sample::select(vec![0.0, 0.1, 0.3]),
    ) {
        use peakend::observe::{DiscoverOptions, LogOptions, read_csv_log};
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(["case", "activity", "time", "rating"]).unwrap();
        let mut clock = std::collections::HashMap::new();
        for (case, activity, step, rating) in &rows {
            if activity.trim().is_empty() {
                continue;
            }
            let t = clock.entry(*case).or_insert(0u64);
            *t += u64::from(step.unwrap_or(1));
            let time = if timed {
                let (h, m) = (*t / 60 % 24, *t % 60);
                format!("2024-01-{:02}T{h:02}:{m:02}:00Z", 1 + *t / 1440)
            } else {
                String::new()
            };
            let rating = if rated { rating.map_or(String::new(), |r| r.to_string()) } else { String::new() };
            csv.write_record([format!("c{case}"), activity.clone(), time, rating]).unwrap();
        }
        let bytes = csv.into_inner().unwrap();
        let found = read_csv_log(
            &bytes[..],
            &LogOptions::new(),
            DiscoverOptions::new().rating_scale(1.0, 5.0).min_share(min_share),
        );
        let Ok(found) = found else {
            // A log with no events, or a share that keeps no case: refused,
            // never a bad journey.
            let e = found.unwrap_err();
            proptest::prop_assert!(
                e.message.contains("no events") || e.message.contains("minimum share")
                    || e.message.contains("no activity") || e.message.contains("no case"),
                "{e}"
            );
            return Ok(());
        };
        let json = found.spec.to_json();
        let loaded = peakend::load(&json, peakend::Format::Json, &peakend::LoadOptions::new());
        proptest::prop_assert!(loaded.is_ok(), "{:?}\n{json}", loaded.err().map(|e| e.to_string()));
    }
}

#[test]
fn fifty_thousand_distinct_activities_are_ordered_in_n_log_n_and_flagged_as_ids() {
    // Before: a scan of every activity per pick, 55 s in a debug build;
    // now about 2 s (the speed itself: `cargo bench --bench discover`).
    let mut log = String::from("case,activity\n");
    for i in 0..50_000 {
        log.push_str(&format!("c{},a{i}\n", i / 2));
    }
    let found = peakend::observe::read_csv_log(
        log.as_bytes(),
        &peakend::observe::LogOptions::new(),
        peakend::observe::DiscoverOptions::new(),
    )
    .unwrap();
    assert_eq!(found.report.activities, 50_000);
    assert!(
        found
            .report
            .notes
            .iter()
            .any(|n| n.contains("does the activity column hold ids")),
        "{:?}",
        found.report.notes
    );
}

/// A sampled log and case table in `dir`; with `rate_all`, every event's
/// rating (the log's last column) rewritten to it.
fn fit_files(dir: &Path, rate_all: Option<&str>) -> (PathBuf, PathBuf) {
    let (log, cases) = sampled(dir);
    if let Some(r) = rate_all {
        let text = std::fs::read_to_string(&log).unwrap();
        let flat: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    format!("{l}\n")
                } else {
                    let cut = l.rfind(',').unwrap();
                    format!("{},{r}\n", &l[..cut])
                }
            })
            .collect();
        std::fs::write(&log, flat).unwrap();
    }
    (log, cases)
}

#[test]
fn a_log_whose_moments_are_rated_alike_is_refused_not_fitted_to_nan() {
    let dir = tmp();
    let (log, cases) = fit_files(dir.path(), Some("4"));
    let out = peakend(&["fit", s(&log), "--case-table", s(&cases), "--folds", "2"]);
    fails(&out, "every rated moment of the log is");
    assert!(text(&out.stderr).contains("the ratings carry no information to fit"));
}

#[test]
fn fit_positive_without_an_outcome_column_is_refused() {
    let dir = tmp();
    let (log, cases) = fit_files(dir.path(), None);
    let out = peakend(&[
        "fit",
        s(&log),
        "--case-table",
        s(&cases),
        "--positive",
        "won",
    ]);
    fails(&out, "--positive won: the case table has no outcome column");
}

#[test]
fn fit_says_when_table_and_log_name_no_case_alike_and_never_suggests_one_fold() {
    let dir = tmp();
    let (log, _) = fit_files(dir.path(), None);
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "case,overall\nT-1,4\nT-2,3\n").unwrap();
    let out = peakend(&["fit", s(&log), "--case-table", s(&other)]);
    fails(
        &out,
        "no case of the case table is in the log (the table's first: \"T-1\", \"T-2\"; the log's first: \"case-0\"",
    );
    assert!(!text(&out.stderr).contains("rating column"));
    // One account: no suggestion of --folds 1.
    let table = std::fs::read_to_string(dir.path().join("cases.csv")).unwrap();
    let mut one = String::new();
    for (i, l) in table.lines().enumerate() {
        let cells: Vec<&str> = l.split(',').collect();
        let account = if i == 0 { cells[1] } else { "acme" };
        one.push_str(&format!(
            "{},{account},{}\n",
            cells[0],
            cells[2..].join(",")
        ));
    }
    let single = dir.path().join("single.csv");
    std::fs::write(&single, one).unwrap();
    let out = peakend(&["fit", s(&log), "--case-table", s(&single)]);
    fails(
        &out,
        "all belong to one account: folds grouped by account need at least two",
    );
    assert!(!text(&out.stderr).contains("--folds 1"));
}

#[test]
fn two_inputs_on_standard_input_are_a_usage_error() {
    for args in [
        &["gap", "-", "-"][..],
        &["fit", "-", "--cases", "-"],
        &["discover", "-", "--cases", "-"],
        &["discover", "-", "--onto", JOURNEY, "--mapping", "-"],
    ] {
        let out = peakend_stdin(args, "case,activity\n1,A\n");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("both read standard input"),
            "{}",
            text(&out.stderr)
        );
    }
    // One of them on standard input is fine.
    let dir = tmp();
    let t = dir.path().join("cases.csv");
    std::fs::write(&t, "case,outcome\n1,won\n").unwrap();
    let out = peakend_stdin(&["discover", "-", "--cases", s(&t)], "case,activity\n1,A\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = dir.path().join("log.csv");
    std::fs::write(&log, "case,activity\n1,A\n").unwrap();
    let out = peakend_stdin(
        &["discover", s(&log), "--cases", "-"],
        "case,outcome\n1,won\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn model_files_with_a_bom_an_array_or_weights_past_reason_get_located_errors() {
    let dir = tmp();
    let (log, cases) = fit_files(dir.path(), None);
    let model = dir.path().join("model.json");
    let out = peakend(&[
        "fit",
        s(&log),
        "--case-table",
        s(&cases),
        "--folds",
        "2",
        "-o",
        s(&model),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let good = std::fs::read_to_string(&model).unwrap();
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, format!("\u{feff}{good}")).unwrap();
    let out = peakend(&["analyze", JOURNEY, "--model", s(&bom)]);
    assert!(
        out.status.success(),
        "a BOM is no part of the JSON: {}",
        text(&out.stderr)
    );
    let arr = dir.path().join("arr.json");
    std::fs::write(&arr, "\n  [1, 2]").unwrap();
    let out = peakend(&["analyze", JOURNEY, "--model", s(&arr)]);
    fails(&out, "line 2, column 3: a model file is a JSON object");
    let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
    v["weights"]["trend"] = serde_json::json!(1e308);
    let huge = dir.path().join("huge.json");
    std::fs::write(&huge, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let out = peakend(&["analyze", JOURNEY, "--model", s(&huge)]);
    fails(&out, "weights.trend: 1e308 is past ±1000");
    v["weights"]["trend"] = serde_json::json!(0.1);
    v["calibration"]["slope"] = serde_json::json!(1e300);
    std::fs::write(&huge, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let out = peakend(&["analyze", JOURNEY, "--model", s(&huge)]);
    fails(&out, "calibration.slope: 1e300 is past ±1000000000");
}

#[test]
fn control_characters_from_files_are_shown_escaped_in_text() {
    let dir = tmp();
    // An activity named with a terminal escape (set the window title) and
    // a cursor move: the summary, the journey's text and the errors show
    // them escaped.
    let log = dir.path().join("evil\u{1b}[2J.csv");
    std::fs::write(
        &log,
        "case,activity\n1,\"Call\u{1b}]0;owned\u{7}\"\n1,Fix\n",
    )
    .unwrap();
    let journey = dir.path().join("j.json");
    let out = peakend(&["discover", s(&log), "-o", s(&journey)]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("evil\\u{1b}[2J.csv"), "{err}");
    for cmd in ["analyze", "moments", "recommend"] {
        let out = peakend(&[cmd, s(&journey)]);
        let t = text(&out.stdout);
        assert!(out.status.success(), "{cmd}: {}", text(&out.stderr));
        assert!(
            !t.contains('\u{1b}') && !t.contains('\u{7}'),
            "{cmd}: {t:?}"
        );
    }
    let out = peakend(&["analyze", s(&journey)]);
    assert!(
        text(&out.stdout).contains("Call\\u{1b}]0;owned\\u{7}"),
        "{}",
        text(&out.stdout)
    );
    // The JSON keeps the name as it is (JSON escapes it itself).
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&journey).unwrap()).unwrap();
    assert_eq!(j["touchpoints"][0]["name"], "Call\u{1b}]0;owned\u{7}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "case,activity,time\n1,A,\"\u{1b}[31mnow\"\n").unwrap();
    let out = peakend(&["discover", s(&bad)]);
    assert!(
        !text(&out.stderr).contains('\u{1b}'),
        "{:?}",
        text(&out.stderr)
    );
}
