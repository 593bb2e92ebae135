//! Exact top-rank shares (the peak's, the best and the worst moment's)
//! with memory bounded by the journey's frontier, for journeys whose level
//! distributions are too large to keep (many distinct emotion values on
//! long, wide journeys).
//!
//! The same dynamic programming as [`super::forward_max`] and
//! [`super::backward_strict`] — per touchpoint, the distribution of the
//! highest level seen so far — but a distribution is dropped as soon as the
//! last touchpoint that reads it is done, so memory is the distributions of
//! the touchpoints still "open" (for a layered journey: about two layers),
//! not all of them. Time is unchanged: the entries read, which grow as
//! touchpoints × distinct levels on long, wide journeys; a work budget
//! (entries read) stops it early, projected from the share of touchpoints
//! done, so a hopeless run gives up after a small part of its budget.
//!
//! A bounded variant that keeps only each distribution's highest `cap`
//! levels and pools the rest (every share then bracketed) was measured and
//! left out: on a layered journey of width 100 with real-valued emotions it
//! needs `cap` ≈ 4,096 for a bracket of ±0.0023 at 10,000 touchpoints —
//! the work of the exact run — and a bracket of ±0.14 at 100,000 still
//! costs 25 s (docs/performance.md, issue #11).
// Dynamic programming over positions reads clearest with index loops.
#![allow(clippy::needless_range_loop)]

use crate::journey::Journey;
use std::cmp::Ordering;

/// Scratch space for gathering neighbours' distributions by level.
struct Scratch {
    mass: Vec<f64>,
    mark: Vec<bool>,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(levels: usize) -> Scratch {
        Scratch {
            mass: vec![0.0; levels],
            mark: vec![false; levels],
            touched: Vec::new(),
        }
    }
    fn add(&mut self, l: u32, m: f64) {
        let i = l as usize;
        if !self.mark[i] {
            self.mark[i] = true;
            self.touched.push(l);
        }
        self.mass[i] += m;
    }
    /// The distribution: `own` at level `r` (when positive), then the
    /// gathered higher levels in order. Resets the scratch space.
    fn finish(&mut self, r: u32, own: f64) -> Vec<(u32, f64)> {
        let mut ent = Vec::with_capacity(self.touched.len() + 1);
        if own > 0.0 {
            ent.push((r, own));
        }
        self.touched.sort_unstable();
        for &l in &self.touched {
            let i = l as usize;
            let m = std::mem::take(&mut self.mass[i]);
            self.mark[i] = false;
            if m > 0.0 {
                ent.push((l, m));
            }
        }
        self.touched.clear();
        ent
    }
}

/// True when the work so far, `read` entries after `done` of `steps`
/// steps, projects past `work`: beyond a small allowance up front, the
/// entries read are extrapolated linearly over the steps left (work that
/// grows faster than the steps — many levels on a long, wide journey — is
/// stopped after about (work / total)² of its total).
fn hopeless(read: usize, work: usize, done: usize, steps: usize) -> bool {
    read > work || (read > work / 64 && read as u128 * steps as u128 > work as u128 * done as u128)
}

/// Per position, the probability that it is the path's top-ranked
/// touchpoint (ties: the later one) — the shares of
/// [`super::share_info`], computed in frontier memory. `None` once the
/// entries read exceed `work` (or are projected to).
///
/// Complexity O((V + E) · K) for distributions of K entries; memory
/// O(V + open touchpoints · K).
pub(crate) fn shares(j: &Journey, rank: &[u32], levels: usize, work: usize) -> Option<Vec<f64>> {
    let n = j.len();
    let steps = 2 * n;
    let mut read = 0usize;
    let mut scratch = Scratch::new(levels);
    // Forward: per position, the mass reaching it with nothing ranked above
    // it before (ties collapse onto the later touchpoint).
    let mut reach = vec![0.0; n];
    let mut dist: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    let mut open: Vec<u32> = (0..n).map(|p| j.succ_of(p).len() as u32).collect();
    for p in 0..n {
        let r = rank[p];
        let mut low = j.entry_at(p);
        for &(u, pr) in j.pred_of(p) {
            let u = u as usize;
            if pr != 0.0 {
                read += dist[u].len() + 1;
                for &(l, m) in &dist[u] {
                    if l <= r {
                        low += m * pr;
                    } else {
                        scratch.add(l, m * pr);
                    }
                }
            }
            open[u] -= 1;
            if open[u] == 0 {
                dist[u] = Vec::new();
            }
        }
        if hopeless(read, work, p + 1, steps) {
            return None;
        }
        reach[p] = low;
        let d = scratch.finish(r, low);
        if !j.succ_of(p).is_empty() {
            dist[p] = d;
        }
    }
    // Backward: per position, the probability that everything after it on
    // the path ranks strictly below it.
    let mut share = vec![0.0; n];
    let mut open: Vec<u32> = (0..n).map(|p| j.pred_of(p).len() as u32).collect();
    for p in (0..n).rev() {
        let r = rank[p];
        let succ = j.succ_of(p);
        if succ.is_empty() {
            share[p] = reach[p];
            if !j.pred_of(p).is_empty() {
                dist[p] = vec![(r, 1.0)];
            }
            continue;
        }
        let mut below = 0.0;
        let mut low = 0.0;
        for &(w, pr) in succ {
            let w = w as usize;
            if pr != 0.0 {
                read += dist[w].len() + 1;
                for &(l, m) in &dist[w] {
                    match l.cmp(&r) {
                        Ordering::Less => {
                            below += m * pr;
                            low += m * pr;
                        }
                        Ordering::Equal => low += m * pr,
                        Ordering::Greater => scratch.add(l, m * pr),
                    }
                }
            }
            open[w] -= 1;
            if open[w] == 0 {
                dist[w] = Vec::new();
            }
        }
        if hopeless(read, work, 2 * n - p, steps) {
            return None;
        }
        share[p] = reach[p] * below;
        let d = scratch.finish(r, low);
        if !j.pred_of(p).is_empty() {
            dist[p] = d;
        }
    }
    Some(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Levels, UNLIMITED, share_info};

    /// Layers of `width` touchpoints, each linked to up to three of the
    /// next layer; emotions real-valued (`levels` 0) or on `levels` steps.
    fn journey(n: usize, width: usize, levels: usize, seed: u64) -> Journey {
        let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut next = move || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut tps = Vec::new();
        let mut trs = Vec::new();
        for i in 0..n {
            let u = next() * 20.0 - 10.0;
            let e = if levels == 0 {
                u
            } else {
                let step = 20.0 / (levels - 1).max(1) as f64;
                ((u + 10.0) / step).round() * step - 10.0
            };
            tps.push(format!(r#"{{"id":"t{i}","name":"T{i}","emotion":{e}}}"#));
            let layer_end = (i / width + 1) * width;
            if layer_end < n {
                let mut to: Vec<usize> = (0..3)
                    .map(|_| layer_end + (next() * width as f64) as usize)
                    .filter(|&t| t < n)
                    .collect();
                to.sort_unstable();
                to.dedup();
                let pr = 1.0 / to.len().max(1) as f64;
                for t in to {
                    trs.push(format!(
                        r#"{{"from":"t{i}","to":"t{t}","probability":{pr}}}"#
                    ));
                }
            }
        }
        let text = format!(
            r#"{{"version":1,"name":"w","touchpoints":[{}],"transitions":[{}]}}"#,
            tps.join(","),
            trs.join(",")
        );
        Journey::from_json_str(&text).expect("a valid journey")
    }

    #[test]
    fn equals_the_stored_shares_bit_for_bit() {
        for (n, width, levels, seed) in [
            (60, 4, 0, 1),
            (300, 10, 0, 2),
            (300, 10, 5, 3),
            (1, 1, 0, 4),
        ] {
            let j = journey(n, width, levels, seed);
            for lv in [Levels::peak(&j), Levels::best(&j), Levels::worst(&j)] {
                let k = lv.value.len();
                let got = shares(&j, &lv.rank, k, UNLIMITED).expect("no budget");
                let want = share_info(&j, lv, UNLIMITED).expect("no budget").share;
                assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn a_hopeless_run_stops_early() {
        let j = journey(3_000, 30, 0, 5);
        let lv = Levels::peak(&j);
        let all = shares(&j, &lv.rank, lv.value.len(), UNLIMITED);
        assert!(all.is_some());
        assert!(shares(&j, &lv.rank, lv.value.len(), 1_000).is_none());
    }
}
