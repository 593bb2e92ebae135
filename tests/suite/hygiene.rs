//! The crate keeps its promises about itself: the declared `rust-version`
//! is what the dependency tree needs, and the modules import one way
//! (ARCHITECTURE.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|x| x.parse().unwrap_or(0)).collect()
}

/// `rust-version` equals the highest one among the packages the library
/// and the binary depend on (normal dependencies, all features).
#[test]
fn rust_version_is_what_the_dependency_tree_needs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Offline first (fast, no network); a fresh machine may not hold the
    // packages of other platforms yet, which `cargo metadata` reads too.
    let metadata = |offline: bool| {
        let mut args = vec!["metadata", "--format-version", "1", "--all-features"];
        if offline {
            args.push("--offline");
        }
        std::process::Command::new(&cargo)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs")
    };
    let mut out = metadata(true);
    if !out.status.success() {
        out = metadata(false);
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: BTreeMap<&str, &serde_json::Value> = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: BTreeMap<&str, &serde_json::Value> = m["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = m["resolve"]["root"].as_str().unwrap();
    // Walk normal (non-dev, non-build) dependencies from the root.
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes[id]["deps"].as_array().unwrap() {
            let normal = d["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].is_null());
            if normal {
                stack.push(d["pkg"].as_str().unwrap());
            }
        }
    }
    let highest = seen
        .iter()
        .filter(|&&id| id != root)
        .filter_map(|id| {
            let p = packages[id];
            p["rust_version"]
                .as_str()
                .map(|v| (version_key(v), p["name"].as_str().unwrap(), v))
        })
        .max()
        .expect("some dependency declares a rust-version");
    let ours = packages[root]["rust_version"].as_str().unwrap();
    assert_eq!(
        version_key(ours),
        version_key(highest.2),
        "Cargo.toml says rust-version {ours}, but {} needs {}",
        highest.1,
        highest.2
    );
}

/// The layers, lowest first. A module may import from its own layer's
/// lower entries and from any lower layer, never from a higher one.
const LAYERS: &[&[&str]] = &[
    &["error", "numfmt"],
    &["spec"],
    &["journey"],
    &["memory"],
    &["engine"],
    &["analysis"],
    &["moments", "ownership", "evidence"],
    &["simulate"],
    &["recommend"],
    &["gap", "personas"],
    &["format", "generate", "observe"],
    &["fit"],
    &["render"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| {
            panic!("module `{module}` is in no layer: add it to ARCHITECTURE.md and LAYERS")
        })
}

/// `crate::X` imports of every library file, by top-level module.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if ["lib", "main", "cli"].contains(&top.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for (k, _) in text.match_indices("crate::") {
                let name: String = text[k + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // Modules are lowercase (`crate::Journey` in a doc link is a type).
                if name.starts_with(|c: char| c.is_ascii_lowercase()) && name != top {
                    out.entry(top.clone()).or_default().insert(name);
                }
            }
            // `super::` inside a module's own folder stays inside it.
        }
    }
    out
}

#[test]
fn imports_run_one_way() {
    let mut wrong = Vec::new();
    for (module, deps) in imports() {
        let (lm, pos) = {
            let l = layer_of(&module);
            (l, LAYERS[l].iter().position(|m| *m == module).unwrap())
        };
        for d in deps {
            let ld = layer_of(&d);
            let dpos = LAYERS[ld].iter().position(|m| *m == d).unwrap();
            if ld > lm || (ld == lm && dpos >= pos) {
                wrong.push(format!("{module} imports {d}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers: {wrong:?}");
}

/// main.rs only starts the command line.
#[test]
fn main_is_a_few_lines() {
    let main =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).unwrap();
    assert!(main.lines().count() <= 60);
}
