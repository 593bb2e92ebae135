//! Exact computations over all paths of a journey, without enumerating them
//! (dynamic programming in topological order), plus path enumeration for
//! small journeys and seeded Monte Carlo sampling for figures that have no
//! exact form.
//!
//! Everything here works in *position space* (topological positions).
// Dynamic programming over positions reads clearest with index loops.
#![allow(clippy::needless_range_loop)]

mod laplace;
mod local;
mod windowed;

pub(crate) use local::{Edit, Local, Price, Sampling};

use crate::journey::Journey;
use crate::memory::{Feature, MemoryModel, PathView, peak_rank_cmp};
use std::cmp::Ordering;

/// Sparse distributions per node: (level, mass) sorted by level, stored flat.
pub(crate) struct Sparse {
    off: Vec<usize>,
    ent: Vec<(u32, f64)>,
}

impl Sparse {
    /// No distributions (`n` empty ones).
    pub(crate) fn empty(n: usize) -> Sparse {
        Sparse {
            off: vec![0; n + 1],
            ent: Vec::new(),
        }
    }
    pub(crate) fn at(&self, p: usize) -> &[(u32, f64)] {
        &self.ent[self.off[p]..self.off[p + 1]]
    }
}

/// Levels: each position's rank and each rank's emotion value.
pub(crate) struct Levels {
    pub(crate) rank: Vec<u32>,
    pub(crate) value: Vec<f64>,
}

impl Levels {
    fn build(emotions: &[f64], cmp: impl Fn(f64, f64) -> Ordering) -> Levels {
        let mut distinct: Vec<f64> = emotions.to_vec();
        distinct.sort_unstable_by(|a, b| cmp(*a, *b));
        distinct.dedup_by(|a, b| cmp(*a, *b) == Ordering::Equal);
        let rank = emotions
            .iter()
            .map(|e| {
                distinct
                    .binary_search_by(|x| cmp(*x, *e))
                    .expect("every emotion has a level") as u32
            })
            .collect();
        Levels {
            rank,
            value: distinct,
        }
    }

    /// Ranks for the peak: intensity, negative before positive on ties.
    pub(crate) fn peak(j: &Journey) -> Levels {
        let s = j.scale();
        Levels::build(j.emotions(), |a, b| peak_rank_cmp(a, b, &s))
    }

    /// Ranks for the best moment (higher emotion ranks higher).
    pub(crate) fn best(j: &Journey) -> Levels {
        Levels::build(j.emotions(), |a, b| {
            a.partial_cmp(&b).unwrap_or(Ordering::Equal)
        })
    }

    /// Ranks for the worst moment (lower emotion ranks higher).
    pub(crate) fn worst(j: &Journey) -> Levels {
        Levels::build(j.emotions(), |a, b| {
            b.partial_cmp(&a).unwrap_or(Ordering::Equal)
        })
    }
}

/// Probability that a customer passes each position.
///
/// Complexity O(V + E).
pub(crate) fn visits(j: &Journey) -> Vec<f64> {
    let n = j.len();
    let mut v = vec![0.0; n];
    for p in 0..n {
        let mut x = j.entry_at(p);
        for &(u, pr) in j.pred_of(p) {
            x += v[u as usize] * pr;
        }
        v[p] = x;
    }
    v
}

/// Forward running-maximum distribution: F(p) is the distribution of the
/// highest rank seen on the path from its start up to and including `p`,
/// as unnormalised mass (sums to the visit probability of `p`).
///
/// Complexity O((V + E) · K) in the worst case for K levels; a node's
/// distribution only holds levels at or above its own, so it is usually far
/// smaller. `None` once the distributions hold more than `budget` entries
/// in all (many distinct emotion values on long, wide journeys: the
/// figures are then estimated instead).
pub(crate) fn forward_max(
    j: &Journey,
    rank: &[u32],
    levels: usize,
    budget: usize,
) -> Option<Sparse> {
    let n = j.len();
    let mut off = Vec::with_capacity(n + 1);
    let mut ent: Vec<(u32, f64)> = Vec::with_capacity(n);
    let mut scratch = vec![0.0f64; levels];
    let mut mark = vec![false; levels];
    let mut touched: Vec<u32> = Vec::new();
    off.push(0);
    for p in 0..n {
        let r = rank[p];
        let mut low = j.entry_at(p);
        for &(u, pr) in j.pred_of(p) {
            if pr == 0.0 {
                continue;
            }
            let u = u as usize;
            for &(l, m) in &ent[off[u]..off[u + 1]] {
                if l <= r {
                    low += m * pr;
                } else {
                    if !mark[l as usize] {
                        mark[l as usize] = true;
                        touched.push(l);
                    }
                    scratch[l as usize] += m * pr;
                }
            }
        }
        collapse(r, low, &mut touched, &mut scratch, &mut mark, &mut ent);
        off.push(ent.len());
        if ent.len() > budget {
            return None;
        }
    }
    Some(Sparse { off, ent })
}

/// Append one node's distribution to `ent`: the mass collapsed onto its own
/// level `r`, then the higher levels gathered in `scratch` (in level order);
/// reset the scratch space for the next node.
fn collapse(
    r: u32,
    low: f64,
    touched: &mut Vec<u32>,
    scratch: &mut [f64],
    mark: &mut [bool],
    ent: &mut Vec<(u32, f64)>,
) {
    if low > 0.0 {
        ent.push((r, low));
    }
    touched.sort_unstable();
    for &l in touched.iter() {
        let m = std::mem::take(&mut scratch[l as usize]);
        mark[l as usize] = false;
        if m > 0.0 {
            ent.push((l, m));
        }
    }
    touched.clear();
}

/// For each position `p`: the probability, given a customer is at `p`,
/// that every touchpoint after `p` on their path ranks strictly below `p`.
///
/// Complexity as [`forward_max`].
pub(crate) fn backward_strict(
    j: &Journey,
    rank: &[u32],
    levels: usize,
    budget: usize,
) -> Option<(Vec<f64>, Backward)> {
    let n = j.len();
    // Distributions are built from the end, so store them reversed.
    let mut start = vec![0usize; n];
    let mut end = vec![0usize; n];
    let mut ent: Vec<(u32, f64)> = Vec::with_capacity(n);
    let mut strict = vec![0.0; n];
    let mut scratch = vec![0.0f64; levels];
    let mut mark = vec![false; levels];
    let mut touched: Vec<u32> = Vec::new();
    for p in (0..n).rev() {
        let r = rank[p];
        let succ = j.succ_of(p);
        start[p] = ent.len();
        if succ.is_empty() {
            strict[p] = 1.0;
            ent.push((r, 1.0));
        } else {
            let mut below = 0.0;
            let mut low = 0.0;
            for &(w, pr) in succ {
                if pr == 0.0 {
                    continue;
                }
                let w = w as usize;
                for &(l, m) in &ent[start[w]..end[w]] {
                    match l.cmp(&r) {
                        Ordering::Less => {
                            below += m * pr;
                            low += m * pr;
                        }
                        Ordering::Equal => low += m * pr,
                        Ordering::Greater => {
                            if !mark[l as usize] {
                                mark[l as usize] = true;
                                touched.push(l);
                            }
                            scratch[l as usize] += m * pr;
                        }
                    }
                }
            }
            strict[p] = below;
            collapse(r, low, &mut touched, &mut scratch, &mut mark, &mut ent);
        }
        end[p] = ent.len();
        if ent.len() > budget {
            return None;
        }
    }
    Some((strict, Backward { start, end, ent }))
}

/// Backward running-maximum distributions: B(p) is the distribution of the
/// highest rank on the rest of the path from `p` (inclusive), given a
/// customer is at `p`.
pub(crate) struct Backward {
    start: Vec<usize>,
    end: Vec<usize>,
    ent: Vec<(u32, f64)>,
}

impl Backward {
    /// No distributions (`n` empty ones).
    pub(crate) fn empty(n: usize) -> Backward {
        Backward {
            start: vec![0; n],
            end: vec![0; n],
            ent: Vec::new(),
        }
    }
    pub(crate) fn at(&self, p: usize) -> &[(u32, f64)] {
        &self.ent[self.start[p]..self.end[p]]
    }
}

/// Peak shares per position plus the forward peak distributions.
pub(crate) struct PeakInfo {
    pub(crate) levels: Levels,
    pub(crate) forward: Sparse,
    pub(crate) backward: Backward,
    pub(crate) share: Vec<f64>,
}

/// No limit on the entries of the level distributions.
pub(crate) const UNLIMITED: usize = usize::MAX;

/// The peak's distributions and shares, whatever their size.
pub(crate) fn peak_info(j: &Journey) -> PeakInfo {
    share_info(j, Levels::peak(j), UNLIMITED).expect("no budget to exceed")
}

/// The peak's distributions and shares, `None` past `budget` entries.
pub(crate) fn peak_info_within(j: &Journey, budget: usize) -> Option<PeakInfo> {
    share_info(j, Levels::peak(j), budget)
}

/// The default budget of level-distribution entries for one feature: a
/// small multiple of the journey (every journey with a few dozen distinct
/// emotion values stays exact), and never less than a few million entries
/// (tens of megabytes).
pub(crate) fn default_level_budget(j: &Journey) -> usize {
    4_000_000 + 12 * (j.len() + j.transition_count())
}

/// Each position's rank in the peak's order.
pub(crate) fn peak_ranks(j: &Journey) -> Vec<u32> {
    Levels::peak(j).rank
}

/// The position of a path's peak: the highest rank, the later one on ties
/// (as the exact shares count it).
pub(crate) fn peak_of(path: &[usize], rank: &[u32]) -> usize {
    let mut best = path[0];
    for &p in &path[1..] {
        if rank[p] >= rank[best] {
            best = p;
        }
    }
    best
}

/// Per position, the share of `samples` seeded paths whose peak it is.
pub(crate) fn sampled_peak_shares(j: &Journey, samples: usize, seed: u64) -> Vec<f64> {
    let rank = peak_ranks(j);
    let sampler = Sampler::new(j);
    let mut rng = Rng::new(seed);
    let mut path = Vec::new();
    let mut share = vec![0.0; j.len()];
    let w = 1.0 / samples.max(1) as f64;
    for _ in 0..samples.max(1) {
        sampler.draw(&mut rng, &mut path);
        share[peak_of(&path, &rank)] += w;
    }
    share
}

/// For levels of any order: per position, the probability that it is the
/// path's top-ranked touchpoint (ties: the later one), plus the forward
/// distributions. `None` past `budget` entries in all.
pub(crate) fn share_info(j: &Journey, levels: Levels, budget: usize) -> Option<PeakInfo> {
    let k = levels.value.len();
    let forward = forward_max(j, &levels.rank, k, budget)?;
    let left = budget.saturating_sub(forward.ent.len());
    let (strict, backward) = backward_strict(j, &levels.rank, k, left)?;
    let share = (0..j.len())
        .map(|p| {
            let r = levels.rank[p];
            let reach = forward
                .at(p)
                .first()
                .filter(|(l, _)| *l == r)
                .map_or(0.0, |&(_, m)| m);
            reach * strict[p]
        })
        .collect();
    Some(PeakInfo {
        levels,
        forward,
        backward,
        share,
    })
}

/// Per position, the exact derivative of a feature's expectation with
/// respect to that touchpoint's emotion (away from ties), where it exists
/// without enumeration: peak, best, worst, end, first (the mean's comes
/// with the mean: [`mean_with_gradient`]).
pub(crate) fn feature_gradient(
    j: &Journey,
    f: Feature,
    peak_share: Option<&[f64]>,
    visit: &[f64],
    work: usize,
) -> Option<Vec<f64>> {
    let n = j.len();
    match f {
        Feature::Peak => peak_share.map(<[f64]>::to_vec),
        Feature::Best => top_shares(j, &Levels::best(j), work),
        Feature::Worst => top_shares(j, &Levels::worst(j), work),
        Feature::End => Some(
            (0..n)
                .map(|p| {
                    if j.succ_of(p).is_empty() {
                        visit[p]
                    } else {
                        0.0
                    }
                })
                .collect(),
        ),
        Feature::First => Some((0..n).map(|p| j.entry_at(p)).collect()),
        Feature::Mean | Feature::Trend => None,
    }
}

/// For each query (position, new emotion): the expected *peak* over all
/// paths if that one touchpoint's emotion were the new value, every other
/// touchpoint unchanged. Only paths through the touchpoint change, and on
/// them prefix and suffix are independent given the touchpoint, so the
/// peak's distribution there is the product of the prefix and suffix
/// maximum distributions: no re-analysis.
///
/// Complexity O(Σ over queries of the predecessors' and successors'
/// distribution sizes): for one query per touchpoint, O((V + E) · K) — the
/// cost of one analysis.
pub(crate) fn peak_whatif(j: &Journey, peak: &PeakInfo, queries: &[(usize, f64)]) -> Vec<f64> {
    let scale = j.scale();
    let k = peak.levels.value.len();
    let old_total: f64 = (0..j.len()).map(|p| peak.share[p] * j.emotions()[p]).sum();
    let mut sa = vec![0.0f64; k];
    let mut sb = vec![0.0f64; k];
    let mut mark = vec![false; k];
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::with_capacity(queries.len());
    for &(p, x) in queries {
        // Prefix (before p) and suffix (after p) maximum distributions;
        // "none" is the mass of an empty prefix or suffix.
        let a_none = j.entry_at(p);
        gather(
            j.pred_of(p),
            |u| peak.forward.at(u),
            &mut sa,
            &mut mark,
            &mut touched,
        );
        let succ = j.succ_of(p);
        let b_none = if succ.is_empty() { 1.0 } else { 0.0 };
        gather(
            succ,
            |w| peak.backward.at(w),
            &mut sb,
            &mut mark,
            &mut touched,
        );
        touched.sort_unstable();
        // Expected peak over paths through p with p's emotion set to e:
        // the larger (by peak rank) of max(prefix, suffix) and e.
        let through = |e: f64| {
            let (mut ca, mut cb) = (a_none, b_none);
            let mut prev = ca * cb; // both empty-or-below: p itself is the peak
            let mut total = 0.0;
            let mut below_mass = prev;
            for &l in &touched {
                ca += sa[l as usize];
                cb += sb[l as usize];
                let c = ca * cb;
                let m = c - prev;
                prev = c;
                let v = peak.levels.value[l as usize];
                if peak_rank_cmp(v, e, &scale) == Ordering::Greater {
                    total += m * v;
                } else {
                    below_mass += m;
                }
            }
            total + below_mass * e
        };
        let before = through(j.emotions()[p]);
        let after = through(x);
        out.push(old_total - before + after);
        for &l in &touched {
            sa[l as usize] = 0.0;
            sb[l as usize] = 0.0;
            mark[l as usize] = false;
        }
        touched.clear();
    }
    out
}

/// Add the neighbours' distributions, weighted by their transition
/// probabilities, into the dense scratch `into`, noting new levels.
fn gather<'a>(
    neighbours: &[(u32, f64)],
    dist: impl Fn(usize) -> &'a [(u32, f64)],
    into: &mut [f64],
    mark: &mut [bool],
    touched: &mut Vec<u32>,
) {
    for &(v, pr) in neighbours.iter().filter(|n| n.1 != 0.0) {
        for &(l, m) in dist(v as usize) {
            if !mark[l as usize] {
                mark[l as usize] = true;
                touched.push(l);
            }
            into[l as usize] += m * pr;
        }
    }
}

/// Per position, the probability that it is the path's top-ranked
/// touchpoint by `levels` (ties: the later one), in frontier memory;
/// `None` past `work` distribution entries read.
pub(crate) fn top_shares(j: &Journey, levels: &Levels, work: usize) -> Option<Vec<f64>> {
    windowed::shares(j, &levels.rank, levels.value.len(), work)
}

/// Expected maximum (by the levels' order) over paths: Σ share · emotion.
fn expected_extreme(j: &Journey, levels: &Levels, work: usize) -> Option<f64> {
    let share = top_shares(j, levels, work)?;
    Some(share.iter().zip(j.emotions()).map(|(s, e)| s * e).sum())
}

/// Distribution entries the windowed shares may read per entry of the
/// storage budget: with the default budget, a few seconds of work at most.
const WORK_PER_STORED_ENTRY: usize = 128;

/// The work budget (distribution entries read) that goes with a budget of
/// stored entries.
pub(crate) fn work_budget(budget: usize) -> usize {
    budget.saturating_mul(WORK_PER_STORED_ENTRY)
}

/// Exact expected value of a feature over all paths, where one exists
/// without enumeration. `Mean` is exact when the number of distinct
/// elapsed-time states stays under `mean_state_limit`; `Trend` never is;
/// `Peak` needs the peak's shares (`None` when they are not exact), and
/// `Best` and `Worst` their own within `work` entries read.
pub(crate) fn expected_feature(
    j: &Journey,
    f: Feature,
    peak_share: Option<&[f64]>,
    visit: &[f64],
    mean_state_limit: usize,
    work: usize,
) -> Option<f64> {
    let n = j.len();
    let e = j.emotions();
    match f {
        Feature::Peak => peak_share.map(|share| (0..n).map(|p| share[p] * e[p]).sum()),
        Feature::End => Some(
            (0..n)
                .filter(|&p| j.succ_of(p).is_empty())
                .map(|p| visit[p] * e[p])
                .sum(),
        ),
        Feature::First => Some((0..n).map(|p| j.entry_at(p) * e[p]).sum()),
        Feature::Best => expected_extreme(j, &Levels::best(j), work),
        Feature::Worst => expected_extreme(j, &Levels::worst(j), work),
        Feature::Mean => expected_mean(j, mean_state_limit),
        Feature::Trend => None,
    }
}

/// The expected mean (as [`expected_mean`]) and, when `gradient`, its
/// derivative per position by the Laplace identity — computed together.
pub(crate) fn mean_with_gradient(
    j: &Journey,
    limit: usize,
    gradient: bool,
) -> (f64, Option<Vec<f64>>) {
    if gradient {
        let (laplace, grad) = laplace::mean_and_gradient(j);
        let states = mean_states(j, j.durations(), limit).map(|(_, x, _)| x);
        (states.unwrap_or(laplace), Some(grad))
    } else {
        let x = expected_mean(j, limit).expect("always some");
        (x, None)
    }
}

const MEAN_STATES_PER_TOUCHPOINT: usize = 4_096;

/// Exact expected duration-weighted mean over paths: by dynamic
/// programming over (position, elapsed time) while at most `limit` states
/// arise (O(S log S) for S states), else by the Laplace identity
/// 1/T = ∫ e^{−λT} dλ (O((V + E) · Q), Q ≈ 200–300 quadrature nodes,
/// relative error below 1e-13). Always `Some`.
pub(crate) fn expected_mean(j: &Journey, limit: usize) -> Option<f64> {
    Some(match mean_states(j, j.durations(), limit) {
        Some((_, x, _)) => x,
        // Too many elapsed times: the Laplace identity, O((V + E) · Q).
        None => laplace::mean(j),
    })
}

/// The states of [`expected_mean`] with the given durations: per position,
/// (elapsed time including it, mass, mass-weighted sum of emotion ×
/// duration) sorted by elapsed time; the expected mean; the number of
/// states. `None` beyond `limit` states in all (or beyond
/// 4,096 at one touchpoint while `limit` is finite).
pub(crate) type MeanStates = (Vec<Vec<(f64, f64, f64)>>, f64, usize);

/// See [`MeanStates`].
pub(crate) fn mean_states(j: &Journey, d: &[f64], limit: usize) -> Option<MeanStates> {
    let n = j.len();
    let e = j.emotions();
    // (elapsed, mass, mass-weighted sum of emotion×duration)
    let mut states: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); n];
    let mut total = 0usize;
    let mut result = 0.0;
    let mut buf: Vec<(f64, f64, f64)> = Vec::new();
    for p in 0..n {
        buf.clear();
        if j.entry_at(p) > 0.0 {
            buf.push((0.0, j.entry_at(p), 0.0));
        }
        for &(u, pr) in j.pred_of(p) {
            if pr == 0.0 {
                continue;
            }
            for &(t, m, w) in &states[u as usize] {
                buf.push((t, m * pr, w * pr));
            }
        }
        buf.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64, f64)> = Vec::new();
        for &(t, m, w) in &buf {
            let t2 = t + d[p];
            let w2 = w + m * e[p] * d[p];
            match merged.last_mut() {
                Some(last) if last.0 == t2 => {
                    last.1 += m;
                    last.2 += w2;
                }
                _ => merged.push((t2, m, w2)),
            }
        }
        total += merged.len();
        // Elapsed times multiply along branches; when one touchpoint alone
        // holds this many, the total will not stay small: give up early.
        if total > limit || (limit != usize::MAX && merged.len() > MEAN_STATES_PER_TOUCHPOINT) {
            return None;
        }
        if j.succ_of(p).is_empty() {
            for &(t, _, w) in &merged {
                result += w / t;
            }
        }
        states[p] = merged;
    }
    Some((states, result, total))
}

/// Path counts: exact while they fit in u128, and as f64 always; plus the
/// total number of touchpoint visits summed over all paths (as f64), which
/// is the cost of enumerating them.
pub(crate) struct Counts {
    pub(crate) exact: Option<u128>,
    /// Natural log of the count (exact or not).
    pub(crate) ln: f64,
    pub(crate) steps: f64,
}

/// ln(e^a + e^b) without overflow.
fn ln_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

pub(crate) fn count_paths(j: &Journey) -> Counts {
    let n = j.len();
    let mut fc = vec![0u128; n];
    let mut ff = vec![0f64; n];
    let mut lf = vec![f64::NEG_INFINITY; n];
    let mut overflow = false;
    for p in 0..n {
        let mut c: u128 = u128::from(j.entry_at(p) > 0.0);
        let mut cf = f64::from(u8::from(j.entry_at(p) > 0.0));
        let mut lc = if j.entry_at(p) > 0.0 {
            0.0
        } else {
            f64::NEG_INFINITY
        };
        for &(u, pr) in j.pred_of(p) {
            if pr > 0.0 {
                match c.checked_add(fc[u as usize]) {
                    Some(x) => c = x,
                    None => overflow = true,
                }
                cf += ff[u as usize];
                lc = ln_add(lc, lf[u as usize]);
            }
        }
        fc[p] = c;
        ff[p] = cf;
        lf[p] = lc;
    }
    let mut bf = vec![0f64; n];
    let mut steps = 0.0;
    let mut exact: u128 = 0;
    let mut ln = f64::NEG_INFINITY;
    for p in (0..n).rev() {
        let succ = j.succ_of(p);
        let mut b = 0.0;
        if succ.is_empty() {
            b = 1.0;
            match exact.checked_add(fc[p]) {
                Some(x) => exact = x,
                None => overflow = true,
            }
            ln = ln_add(ln, lf[p]);
        }
        for &(w, pr) in succ {
            if pr > 0.0 {
                b += bf[w as usize];
            }
        }
        bf[p] = b;
        steps += ff[p] * b;
    }
    Counts {
        exact: (!overflow).then_some(exact),
        ln,
        steps,
    }
}

/// The main route: from the entry most customers use, follow at each
/// touchpoint the transition that carries the most of its customers (ties
/// to the smaller id, so the order of the file does not matter). Returns
/// positions and the probability of that complete path.
///
/// Complexity O(V + E).
pub(crate) fn main_route(j: &Journey) -> (Vec<usize>, f64) {
    let id = |p: usize| {
        j.touchpoint(j.file_index(crate::journey::Pos(p)))
            .id
            .as_str()
    };
    let better = |a: (usize, f64), b: (usize, f64)| a.1 > b.1 || (a.1 == b.1 && id(a.0) < id(b.0));
    let mut start: Option<(usize, f64)> = None;
    for p in 0..j.len() {
        let e = j.entry_at(p);
        if e > 0.0 && start.is_none_or(|s| better((p, e), s)) {
            start = Some((p, e));
        }
    }
    let (mut p, mut prob) = start.expect("a valid journey has an entry");
    let mut path = vec![p];
    loop {
        let mut next: Option<(usize, f64)> = None;
        for &(v, pr) in j.succ_of(p) {
            if pr > 0.0 && next.is_none_or(|n| better((v as usize, pr), n)) {
                next = Some((v as usize, pr));
            }
        }
        let Some((v, pr)) = next else { break };
        prob *= pr;
        path.push(v);
        p = v;
    }
    (path, prob)
}

/// Most likely path by log-probability (Viterbi), optionally restricted to
/// positions with rank ≤ `max_rank` that pass at least one position of rank
/// exactly `max_rank` and end at `end`. Ties go to the lower position.
/// Returns positions and the path's probability.
///
/// Complexity O(V + E).
pub(crate) fn most_likely(
    j: &Journey,
    constraint: Option<(&[u32], u32)>,
    end: Option<usize>,
) -> Option<(Vec<usize>, f64)> {
    let n = j.len();
    const NONE: u32 = u32::MAX;
    // state 0: has not touched the required level; 1: has (or no constraint).
    let mut lp = vec![[f64::NEG_INFINITY; 2]; n];
    let mut back = vec![[(NONE, 0u8); 2]; n];
    for p in 0..n {
        let (allowed, hit) = match constraint {
            Some((rank, r)) => (rank[p] <= r, rank[p] == r),
            None => (true, true),
        };
        if !allowed {
            continue;
        }
        let to = |s: usize| usize::from(hit || s == 1);
        let ent = j.entry_at(p);
        if ent > 0.0 {
            let s = to(0);
            if ent.ln() > lp[p][s] {
                lp[p][s] = ent.ln();
                back[p][s] = (NONE, 0);
            }
        }
        for &(u, pr) in j.pred_of(p) {
            if pr <= 0.0 {
                continue;
            }
            for s in 0..2 {
                let v = lp[u as usize][s] + pr.ln();
                let ns = to(s);
                if v > lp[p][ns] {
                    lp[p][ns] = v;
                    back[p][ns] = (u, s as u8);
                }
            }
        }
    }
    let last = match end {
        Some(e) => e,
        None => {
            let mut best: Option<usize> = None;
            for p in 0..n {
                if j.succ_of(p).is_empty()
                    && lp[p][1] > f64::NEG_INFINITY
                    && best.is_none_or(|b| lp[p][1] > lp[b][1])
                {
                    best = Some(p);
                }
            }
            best?
        }
    };
    if lp[last][1] == f64::NEG_INFINITY {
        return None;
    }
    let mut path = vec![last];
    let (mut p, mut s) = (last, 1usize);
    loop {
        let (u, us) = back[p][s];
        if u == NONE {
            break;
        }
        p = u as usize;
        s = us as usize;
        path.push(p);
    }
    path.reverse();
    Some((path, lp[last][1].exp()))
}

/// Enumerate every path with positive probability, depth first in position
/// order, calling `f(positions, probability)`. Iterative: no recursion.
pub(crate) fn enumerate(j: &Journey, mut f: impl FnMut(&[usize], f64)) {
    let n = j.len();
    let mut path: Vec<usize> = Vec::new();
    let mut probs: Vec<f64> = Vec::new();
    let mut next: Vec<usize> = Vec::new();
    for s in 0..n {
        let pe = j.entry_at(s);
        if pe <= 0.0 {
            continue;
        }
        path.push(s);
        probs.push(pe);
        next.push(0);
        while let Some(&p) = path.last() {
            let succ = j.succ_of(p);
            if succ.is_empty() {
                f(&path, *probs.last().expect("same length"));
            }
            let k = next.last_mut().expect("same length");
            while *k < succ.len() && succ[*k].1 <= 0.0 {
                *k += 1;
            }
            if *k < succ.len() {
                let (w, pr) = succ[*k];
                *k += 1;
                let base = *probs.last().expect("same length");
                path.push(w as usize);
                probs.push(base * pr);
                next.push(0);
            } else {
                path.pop();
                probs.pop();
                next.pop();
            }
        }
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the
/// same stream on every platform and every version of this crate.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` at least 1), by multiply-shift.
    #[cfg_attr(not(any(feature = "fit", feature = "logs")), allow(dead_code))]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// Uniform in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Sample paths at random by their probabilities. Choices are laid out in
/// touchpoint-id order, so the same seed draws the same paths whatever the
/// order of the file.
pub(crate) struct Sampler {
    entries: Vec<(usize, f64)>,
    /// Per position: cumulative (successor, probability) in id order.
    off: Vec<usize>,
    cum: Vec<(usize, f64)>,
}

impl Sampler {
    pub(crate) fn new(j: &Journey) -> Self {
        // Rank of each position's id in id order.
        let mut id_rank = vec![0u32; j.len()];
        for (r, &i) in j.id_order().iter().enumerate() {
            id_rank[j.position(i as usize).0] = r as u32;
        }
        let cumulate = |mut items: Vec<(usize, f64)>| {
            items.sort_unstable_by_key(|a| id_rank[a.0]);
            let mut acc = 0.0;
            items
                .into_iter()
                .map(|(p, pr)| {
                    acc += pr;
                    (p, acc)
                })
                .collect::<Vec<_>>()
        };
        let entries = cumulate(
            (0..j.len())
                .filter(|&p| j.entry_at(p) > 0.0)
                .map(|p| (p, j.entry_at(p)))
                .collect(),
        );
        let mut off = vec![0];
        let mut cum = Vec::with_capacity(j.transition_count());
        for p in 0..j.len() {
            cum.extend(cumulate(
                j.succ_of(p)
                    .iter()
                    .filter(|s| s.1 > 0.0)
                    .map(|&(w, pr)| (w as usize, pr))
                    .collect(),
            ));
            off.push(cum.len());
        }
        Sampler { entries, off, cum }
    }

    /// Draw one path into `out` (positions).
    pub(crate) fn draw(&self, rng: &mut Rng, out: &mut Vec<usize>) {
        out.clear();
        let pick = |u: f64, cum: &[(usize, f64)]| -> usize {
            let total = cum.last().map_or(0.0, |c| c.1);
            let x = u * total;
            let i = cum.partition_point(|c| c.1 <= x);
            cum[i.min(cum.len() - 1)].0
        };
        let mut p = pick(rng.next_f64(), &self.entries);
        out.push(p);
        loop {
            let choices = &self.cum[self.off[p]..self.off[p + 1]];
            if choices.is_empty() {
                return;
            }
            p = pick(rng.next_f64(), choices);
            out.push(p);
        }
    }
}

/// Score one path (positions) with a model.
pub(crate) fn score_path(
    j: &Journey,
    model: &dyn MemoryModel,
    path: &[usize],
    em: &mut Vec<f64>,
    du: &mut Vec<f64>,
) -> (f64, f64) {
    em.clear();
    du.clear();
    for &p in path {
        em.push(j.emotions()[p]);
        du.push(j.durations()[p]);
    }
    let view = PathView {
        emotions: em,
        durations: du,
        scale: j.scale(),
    };
    (model.score(&view), view.feature(Feature::Mean))
}

/// A persona's memory by sampling the journey's paths: the mean score of
/// the subsequences of touchpoints it takes part in (`take`, by position,
/// with its own emotions), over the sampled paths that meet it; with its
/// standard error and the share of paths that meet it. `None` when no
/// sampled path does.
pub(crate) fn sampled_subsequence_memory(
    j: &Journey,
    model: &dyn MemoryModel,
    take: &[bool],
    emotions: &[f64],
    samples: usize,
    seed: u64,
) -> Option<SampledSubsequence> {
    let sampler = Sampler::new(j);
    let mut rng = Rng::new(seed);
    let mut path = Vec::new();
    let (mut em, mut du) = (Vec::new(), Vec::new());
    let (mut n, mut sum, mut sq) = (0usize, 0.0, 0.0);
    for _ in 0..samples.max(1) {
        sampler.draw(&mut rng, &mut path);
        em.clear();
        du.clear();
        for &p in &path {
            if take[p] {
                em.push(emotions[p]);
                du.push(j.durations()[p]);
            }
        }
        if em.is_empty() {
            continue;
        }
        let x = model.score(&PathView {
            emotions: &em,
            durations: &du,
            scale: j.scale(),
        });
        n += 1;
        sum += x;
        sq += x * x;
    }
    if n == 0 {
        return None;
    }
    let mean = sum / n as f64;
    let var = if n > 1 {
        ((sq - sum * mean) / (n - 1) as f64).max(0.0)
    } else {
        0.0
    };
    Some(SampledSubsequence {
        expected: mean,
        standard_error: (var / n as f64).sqrt(),
        reach: n as f64 / samples.max(1) as f64,
    })
}

/// What [`sampled_subsequence_memory`] finds.
pub(crate) struct SampledSubsequence {
    pub(crate) expected: f64,
    pub(crate) standard_error: f64,
    pub(crate) reach: f64,
}

/// The mean length of `draws` sampled paths (for sizing a sample).
pub(crate) fn mean_sampled_length(j: &Journey, draws: usize, seed: u64) -> f64 {
    let sampler = Sampler::new(j);
    let mut rng = Rng::new(seed);
    let mut path = Vec::new();
    let mut total = 0usize;
    for _ in 0..draws.max(1) {
        sampler.draw(&mut rng, &mut path);
        total += path.len();
    }
    total as f64 / draws.max(1) as f64
}
