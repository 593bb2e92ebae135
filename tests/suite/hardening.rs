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
