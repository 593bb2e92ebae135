//! The words for what the observe capabilities found (`peakend discover`).

use crate::observe::DiscoveryReport;

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What `peakend discover` found and changed, in a few lines for a
/// reader: counts, then each rule that changed cases (unrolled rounds,
/// rework, "(ends here)" copies, pruning) and how the emotions were found.
///
/// ```
/// let found = peakend::observe::read_csv_log("case,activity\n1,A\n1,B\n".as_bytes(),
///     &Default::default(), Default::default()).unwrap();
/// let text = peakend::render::discovery_text("log.csv", (2, 1), &found.report);
/// assert!(text.starts_with("log.csv: 2 touchpoints, 1 transition from 1 case and 2 events"));
/// ```
#[must_use]
pub fn discovery_text(
    shown: &str,
    (touchpoints, transitions): (usize, usize),
    r: &DiscoveryReport,
) -> String {
    let mut summary = format!(
        "{shown}: {} touchpoint{}, {} transition{} from {} case{} and {} event{} ({} activit{})",
        touchpoints,
        plural(touchpoints),
        transitions,
        plural(transitions),
        r.cases,
        plural(r.cases as usize),
        r.events,
        plural(r.events as usize),
        r.activities,
        if r.activities == 1 { "y" } else { "ies" },
    );
    for n in &r.notes {
        summary.push_str(&format!("\n  {n}"));
    }
    if r.merged_events > 0 {
        summary.push_str(&format!(
            "\n  {} event{} merged into the visit before them (consecutive activities mapped onto \
             one designed touchpoint)",
            r.merged_events,
            plural(r.merged_events as usize)
        ));
    }
    if r.skipped_events > 0 {
        summary.push_str(&format!(
            "\n  {} event{} left out: lifecycle not `complete` (a start of an activity whose \
             completion counts)",
            r.skipped_events,
            plural(r.skipped_events as usize)
        ));
    }
    if !r.timestamps {
        summary.push_str("\n  no timestamps: each case's events taken in file order");
    }
    if r.unrolled_cases > 0 {
        summary.push_str(&format!(
            "\n  {} case{} stepped back in the usual order of activities: {} event{} unrolled \
             into later rounds (\"(round 2)\", …)",
            r.unrolled_cases,
            plural(r.unrolled_cases as usize),
            r.unrolled_events,
            plural(r.unrolled_events as usize)
        ));
        summary.push_str(&format!(
            "\n  of them {} case{} with rework ({} repeated event{}); the others did activities \
             in another order than most cases",
            r.rework_cases,
            plural(r.rework_cases as usize),
            r.repeated_events,
            plural(r.repeated_events as usize)
        ));
    }
    if r.split_ends > 0 {
        summary.push_str(&format!(
            "\n  {} touchpoint{} where some cases end and others go on: an \"(ends here)\" copy each",
            r.split_ends,
            plural(r.split_ends)
        ));
    }
    if r.pruned_touchpoints > 0 {
        summary.push_str(&format!(
            "\n  --min-share left out {} touchpoint{} and the {} case{} passing them",
            r.pruned_touchpoints,
            plural(r.pruned_touchpoints),
            r.pruned_cases,
            plural(r.pruned_cases as usize)
        ));
    }
    if let Some(d) = &r.design {
        design_lines(&mut summary, d);
    }
    if !r.neutral_outcomes.is_empty() {
        summary.push_str(&format!(
            "\n  outcome{} {} of kind neutral: the log cannot say win or loss; set it in the journey",
            plural(r.neutral_outcomes.len()),
            some(&r.neutral_outcomes)
        ));
    }
    // With a design, its lines said where the unrated emotions came from.
    if r.design.is_none() && r.rated_events == 0 {
        summary.push_str("\n  no ratings: every emotion is neutral (evidence: assumed)");
    } else if r.design.is_none() && r.unrated_touchpoints > 0 {
        summary.push_str(&format!(
            "\n  {} rated event{}; {} touchpoint{} without a rating (neutral, evidence: assumed)",
            r.rated_events,
            plural(r.rated_events as usize),
            r.unrated_touchpoints,
            plural(r.unrated_touchpoints)
        ));
    }
    crate::numfmt::terminal_safe(summary, false)
}

/// Up to five names, quoted, then how many more.
fn some(names: &[String]) -> String {
    let mut out: Vec<String> = names.iter().take(5).map(|n| format!("\"{n}\"")).collect();
    if names.len() > 5 {
        out.push(format!("and {} more", names.len() - 5));
    }
    out.join(", ")
}

/// What discovering onto a design did.
fn design_lines(summary: &mut String, d: &crate::observe::DesignReport) {
    summary.push_str(&format!(
        "\n  onto {}: {} activit{} matched its touchpoints; {} touchpoint{} without ratings took \
         the design's emotion",
        d.source,
        d.matched,
        if d.matched == 1 { "y" } else { "ies" },
        d.emotions_from_design,
        plural(d.emotions_from_design)
    ));
    for (names, what) in [
        (
            &d.unmatched,
            (
                "activity not in the design (neutral where unrated)",
                "activities not in the design (neutral where unrated)",
            ),
        ),
        (
            &d.unobserved,
            (
                "designed touchpoint no activity of the log matched",
                "designed touchpoints no activity of the log matched",
            ),
        ),
        (
            &d.pruned,
            (
                "designed touchpoint left out by --min-share",
                "designed touchpoints left out by --min-share",
            ),
        ),
        (
            &d.unused_mappings,
            (
                "mapped activity not in the log",
                "mapped activities not in the log",
            ),
        ),
    ] {
        if !names.is_empty() {
            let what = if names.len() == 1 { what.0 } else { what.1 };
            summary.push_str(&format!("\n  {} {what}: {}", names.len(), some(names)));
        }
    }
}

/// What a case table held, in one line for a reader.
#[cfg(feature = "logs")]
#[must_use]
pub fn case_table_text(shown: &str, r: &crate::observe::CaseTableReport) -> String {
    let mut line = format!(
        "{shown}: {} case{}, {} with an outcome",
        r.cases,
        plural(r.cases as usize),
        r.outcomes
    );
    if r.overall > 0 {
        line.push_str(&format!(
            "; {} overall rating{} not used by discover",
            r.overall,
            plural(r.overall as usize)
        ));
    }
    if r.accounts > 0 {
        line.push_str(&format!(
            "; {} case{} with an account, not used by discover",
            r.accounts,
            plural(r.accounts as usize)
        ));
    }
    crate::numfmt::terminal_safe(line, false)
}
