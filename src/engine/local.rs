//! Prices of local edits: the exact change in a feature's expectation when
//! one touchpoint's emotion changes, one touchpoint is cut, one branching
//! touchpoint's probabilities change, or a closing touchpoint follows the
//! ends — without re-analysing the journey.
//!
//! Every edit changes only the paths through one place, and on those paths
//! what comes before the place and what comes after it are independent
//! given the place. So the forward distributions (prefix) and backward
//! distributions (suffix) one analysis builds anyway price every edit at a
//! cost proportional to the place's neighbourhood: all of a journey's
//! candidate actions together cost about one analysis.
//!
//! The duration-weighted mean is the one feature that is not a maximum or a
//! single moment: it is priced exactly from the elapsed-time states of
//! [`super::mean_states`] and their adjoints (the mean is linear in every
//! emotion and in every branch probability), or — when those states would
//! explode — estimated from one seeded set of sampled paths, with a
//! standard error (common random numbers: every edit is priced on the same
//! paths).
// Dynamic programming over positions reads clearest with index loops.
#![allow(clippy::needless_range_loop)]

use super::{Backward, Levels, Rng, Sampler, Sparse, backward_strict, forward_max, mean_states};
use crate::journey::{Journey, Scale};
use crate::memory::{Feature, peak_rank_cmp};
use crate::spec::Ties;
use std::cell::{Cell, OnceCell};
use std::cmp::Ordering;

/// One local edit, in positions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Edit {
    /// Set the emotion at a position.
    Set { pos: usize, emotion: f64 },
    /// Cut a position: its predecessors lead to its successors (and its
    /// entry share moves to them); paths that ended there end one step
    /// earlier.
    Remove { pos: usize },
    /// New probabilities for a position's transitions, in the order of
    /// its successor list.
    Route { pos: usize, probs: Vec<f64> },
    /// A closing touchpoint (duration 1) after each of these end positions.
    Append { ends: Vec<usize>, emotion: f64 },
}

/// The order a maximum-type feature ranks emotions in.
#[derive(Debug, Clone, Copy)]
enum Order {
    Peak(Scale),
    Best,
    Worst,
}

impl Order {
    fn cmp(self, a: f64, b: f64) -> Ordering {
        match self {
            Order::Peak(scale) => peak_rank_cmp(a, b, &scale),
            Order::Best => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            Order::Worst => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        }
    }
}

/// A maximum-type feature with its prefix and suffix distributions — or,
/// where those would hold more entries than the budget allows (many
/// distinct emotion values on a long, wide journey), estimated from
/// sampled paths.
struct Extreme {
    weight: f64,
    order: Order,
    levels: Levels,
    forward: Sparse,
    backward: Backward,
    sampled: Option<SampledExtreme>,
}

impl Extreme {
    fn new(
        j: &Journey,
        weight: f64,
        order: Order,
        budget: usize,
        sampling: Option<Sampling>,
    ) -> Extreme {
        let levels = Levels::build(j.emotions(), |a, b| order.cmp(a, b));
        let k = levels.value.len();
        // Without sampling (a journey small enough to enumerate) the
        // distributions are built whatever their size.
        let budget = if sampling.is_some() {
            budget
        } else {
            super::UNLIMITED
        };
        let exact = forward_max(j, &levels.rank, k, budget).and_then(|forward| {
            let left = budget.saturating_sub(forward.ent.len());
            backward_strict(j, &levels.rank, k, left).map(|(_, b)| (forward, b))
        });
        let (forward, backward, sampled) = match (exact, sampling) {
            (Some((f, b)), _) => (f, b, None),
            (None, Some(s)) => {
                let sampled = SampledExtreme::new(j, &levels, s);
                (
                    Sparse::empty(j.len()),
                    Backward::empty(j.len()),
                    Some(sampled),
                )
            }
            (None, None) => unreachable!("unlimited without sampling"),
        };
        Extreme {
            weight,
            order,
            levels,
            forward,
            backward,
            sampled,
        }
    }

    /// The top of `other` (a level, or none) and a value `x`, by value.
    fn top_with(&self, other: u32, x: f64) -> f64 {
        if other == NONE {
            return x;
        }
        let v = self.levels.value[other as usize];
        if self.order.cmp(v, x) == Ordering::Greater {
            v
        } else {
            x
        }
    }

    fn price(&self, j: &Journey, edit: &Edit, items: &mut Vec<(u32, f64, f64)>) -> Price {
        match &self.sampled {
            Some(s) => s.lift(self, j, edit),
            None => Price {
                lift: self.lift(j, edit, items),
                standard_error: None,
            },
        }
    }

    /// Expected top value over the paths a prefix and a suffix
    /// distribution make (independent), with `middle` between them when
    /// given. `items` holds (level, prefix mass, suffix mass).
    fn top(
        &self,
        items: &mut [(u32, f64, f64)],
        a_none: f64,
        b_none: f64,
        middle: Option<f64>,
    ) -> f64 {
        items.sort_unstable_by_key(|x| x.0);
        let (mut ca, mut cb) = (a_none, b_none);
        let mut prev = ca * cb;
        let mut total = 0.0;
        let mut below = if middle.is_some() { prev } else { 0.0 };
        let mut k = 0;
        while k < items.len() {
            let l = items[k].0;
            while k < items.len() && items[k].0 == l {
                ca += items[k].1;
                cb += items[k].2;
                k += 1;
            }
            let c = ca * cb;
            let m = c - prev;
            prev = c;
            let v = self.levels.value[l as usize];
            match middle {
                Some(x) if self.order.cmp(v, x) != Ordering::Greater => below += m,
                _ => total += m * v,
            }
        }
        total + below * middle.unwrap_or(0.0)
    }

    /// Prefix distribution just before `p` (a_none: mass entering at `p`).
    fn prefix(&self, j: &Journey, p: usize, items: &mut Vec<(u32, f64, f64)>) -> f64 {
        for &(u, pr) in j.pred_of(p).iter().filter(|x| x.1 != 0.0) {
            items.extend(
                self.forward
                    .at(u as usize)
                    .iter()
                    .map(|&(l, m)| (l, m * pr, 0.0)),
            );
        }
        j.entry_at(p)
    }

    /// Suffix distribution just after `p` with the given transition
    /// probabilities (b_none: 1 when `p` ends the journey).
    fn suffix(
        &self,
        j: &Journey,
        p: usize,
        probs: &[f64],
        items: &mut Vec<(u32, f64, f64)>,
    ) -> f64 {
        let succ = j.succ_of(p);
        for (&(w, _), &pr) in succ.iter().zip(probs).filter(|x| *x.1 != 0.0) {
            items.extend(
                self.backward
                    .at(w as usize)
                    .iter()
                    .map(|&(l, m)| (l, 0.0, m * pr)),
            );
        }
        if succ.is_empty() { 1.0 } else { 0.0 }
    }

    fn lift(&self, j: &Journey, edit: &Edit, items: &mut Vec<(u32, f64, f64)>) -> f64 {
        items.clear();
        match edit {
            Edit::Set { pos, emotion } => {
                let p = *pos;
                let probs = probs_of(j, p);
                let a = self.prefix(j, p, items);
                let b = self.suffix(j, p, &probs, items);
                let after = self.top(items, a, b, Some(*emotion));
                let before = self.top(items, a, b, Some(j.emotions()[p]));
                after - before
            }
            Edit::Remove { pos } => {
                let p = *pos;
                let probs = probs_of(j, p);
                let a = self.prefix(j, p, items);
                let b = self.suffix(j, p, &probs, items);
                let after = self.top(items, a, b, None);
                let before = self.top(items, a, b, Some(j.emotions()[p]));
                after - before
            }
            Edit::Route { pos, probs } => {
                let p = *pos;
                let prefix = |items: &mut Vec<(u32, f64, f64)>| {
                    items.clear();
                    items.extend(self.forward.at(p).iter().map(|&(l, m)| (l, m, 0.0)));
                };
                prefix(items);
                self.suffix(j, p, probs, items);
                let after = self.top(items, 0.0, 0.0, None);
                prefix(items);
                self.suffix(j, p, &probs_of(j, p), items);
                let before = self.top(items, 0.0, 0.0, None);
                after - before
            }
            Edit::Append { ends, emotion } => {
                let mut lift = 0.0;
                for &z in ends {
                    items.clear();
                    items.extend(self.forward.at(z).iter().map(|&(l, m)| (l, m, 0.0)));
                    let after = self.top(items, 0.0, 1.0, Some(*emotion));
                    let before = self.top(items, 0.0, 1.0, None);
                    lift += after - before;
                }
                lift
            }
        }
    }
}

/// The transition probabilities of a position, in successor-list order.
fn probs_of(j: &Journey, p: usize) -> Vec<f64> {
    j.succ_of(p).iter().map(|x| x.1).collect()
}

/// A priced edit: the change in expectation, and its standard error when
/// part of it is estimated from sampled paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Price {
    pub(crate) lift: f64,
    pub(crate) standard_error: Option<f64>,
}

/// The exact duration-weighted mean's states and their adjoints.
struct ExactMean {
    /// Per position: (elapsed including it, mass, mass-weighted sum of
    /// emotion × duration), sorted by elapsed time.
    forward: Vec<Vec<(f64, f64, f64)>>,
    /// Per forward state: d(result)/d(weighted sum), d(result)/d(mass).
    adjoint: Vec<Vec<(f64, f64)>>,
    /// Per position: (remaining time from it, inclusive; probability;
    /// probability-weighted sum of emotion × duration), when within limit;
    /// built on the first cut that can use it.
    backward: OnceCell<Option<StatesByPosition>>,
    limit: usize,
    value: f64,
    /// Cuts are the one edit the mean has no linear price for: each costs
    /// a pairing of prefix and suffix states. Past this many pairs in all
    /// (a few analyses' worth), the rest are estimated from sampled paths
    /// — when sampling is allowed.
    work_left: Cell<usize>,
    sampling: Option<Sampling>,
    sampled: OnceCell<SampledMean>,
    used_sampled: Cell<bool>,
}

/// Elapsed-time states per position.
type StatesByPosition = Vec<Vec<(f64, f64, f64)>>;

/// A transition probability with the states it leads from or to.
type Weighted<'s> = (f64, &'s [(f64, f64, f64)]);

fn find(states: &[(f64, f64, f64)], t: f64) -> Option<usize> {
    states.binary_search_by(|s| s.0.total_cmp(&t)).ok()
}

impl ExactMean {
    fn new(j: &Journey, limit: usize, sampling: Option<Sampling>) -> Option<ExactMean> {
        let (forward, value, states) = mean_states(j, j.durations(), limit)?;
        let e = j.emotions();
        let d = j.durations();
        let n = j.len();
        let mut adjoint: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n];
        for p in (0..n).rev() {
            let succ = j.succ_of(p);
            let fp = &forward[p];
            let mut adj: Vec<(f64, f64)> = if succ.is_empty() {
                fp.iter().map(|s| (1.0 / s.0, 0.0)).collect()
            } else {
                vec![(0.0, 0.0); fp.len()]
            };
            for &(w, pr) in succ.iter().filter(|x| x.1 != 0.0) {
                let w = w as usize;
                let (fw, aw) = (&forward[w], &adjoint[w]);
                // Both lists are sorted by elapsed time: walk them together.
                let mut k = 0;
                for (i, &(t, _, _)) in fp.iter().enumerate() {
                    let target = t + d[w];
                    while fw[k].0.total_cmp(&target) == Ordering::Less {
                        k += 1;
                    }
                    debug_assert_eq!(fw[k].0, target, "a successor holds every state");
                    let (bw, bm) = aw[k];
                    adj[i].0 += pr * bw;
                    adj[i].1 += pr * (bm + e[w] * d[w] * bw);
                }
            }
            adjoint[p] = adj;
        }
        let backward = OnceCell::new();
        Some(ExactMean {
            forward,
            adjoint,
            backward,
            limit,
            value,
            work_left: Cell::new(16 * (states + n + j.transition_count())),
            sampling,
            sampled: OnceCell::new(),
            used_sampled: Cell::new(false),
        })
    }

    fn lift(&self, j: &Journey, edit: &Edit) -> Option<Price> {
        let exact = |lift: f64| Price {
            lift,
            standard_error: None,
        };
        let e = j.emotions();
        let d = j.durations();
        match edit {
            Edit::Remove { pos } => self.remove(j, *pos, edit),
            Edit::Set { pos, emotion } => {
                let p = *pos;
                let w: f64 = self.forward[p]
                    .iter()
                    .zip(&self.adjoint[p])
                    .map(|(s, a)| s.1 * a.0)
                    .sum();
                Some(exact((emotion - e[p]) * d[p] * w))
            }
            Edit::Route { pos, probs } => {
                let p = *pos;
                let mut lift = 0.0;
                for (&(w, old), &new) in j.succ_of(p).iter().zip(probs) {
                    if new == old {
                        continue;
                    }
                    let w = w as usize;
                    for &(t, m, a) in &self.forward[p] {
                        // A transition that carried no one has no states
                        // to price with.
                        let k = find(&self.forward[w], t + d[w])?;
                        let (bw, bm) = self.adjoint[w][k];
                        lift += (new - old) * (bw * (a + m * e[w] * d[w]) + bm * m);
                    }
                }
                Some(exact(lift))
            }
            Edit::Append { ends, emotion } => {
                let mut lift = 0.0;
                for &z in ends {
                    for &(t, m, a) in &self.forward[z] {
                        lift += (a + m * emotion) / (t + 1.0) - a / t;
                    }
                }
                Some(exact(lift))
            }
        }
    }

    /// Cutting a touchpoint is, for the mean, giving it no duration: priced
    /// exactly by pairing the prefix and suffix states within the work
    /// budget; past it from sampled paths, or, where the journey is small
    /// enough to enumerate, by one more pass.
    fn remove(&self, j: &Journey, v: usize, edit: &Edit) -> Option<Price> {
        let mut prefix: Vec<Weighted<'_>> = j
            .pred_of(v)
            .iter()
            .filter(|x| x.1 != 0.0)
            .map(|&(u, pr)| (pr, self.forward[u as usize].as_slice()))
            .collect();
        let start = [(0.0, j.entry_at(v), 0.0)];
        if j.entry_at(v) > 0.0 {
            prefix.push((1.0, &start));
        }
        // Pairing prefix and suffix states is exact and, where states are
        // few, cheap; the successors' forward states stand in for their
        // suffix states to judge that before building the latter.
        let before: usize = prefix.iter().map(|x| x.1.len()).sum();
        let guess: usize = j
            .succ_of(v)
            .iter()
            .map(|&(w, _)| self.forward[w as usize].len())
            .sum::<usize>()
            .max(1);
        let end = [(0.0, 1.0, 0.0)];
        let suffix: Option<Vec<Weighted<'_>>> = (before * guess <= self.work_left.get())
            .then(|| {
                self.backward
                    .get_or_init(|| backward_states(j, self.limit))
                    .as_ref()
            })
            .flatten()
            .map(|back| {
                let mut suffix: Vec<Weighted<'_>> = j
                    .succ_of(v)
                    .iter()
                    .filter(|x| x.1 != 0.0)
                    .map(|&(w, pr)| (pr, back[w as usize].as_slice()))
                    .collect();
                if j.succ_of(v).is_empty() {
                    suffix.push((1.0, &end));
                }
                suffix
            });
        let pairs = suffix.as_ref().map_or(usize::MAX, |x| {
            before * x.iter().map(|y| y.1.len()).sum::<usize>()
        });
        let lift = match suffix {
            Some(suffix) if pairs <= self.work_left.get() => {
                self.work_left.set(self.work_left.get() - pairs);
                pairwise_cut(j, v, &prefix, &suffix)
            }
            _ => {
                if let Some(s) = self.sampling {
                    self.used_sampled.set(true);
                    return self
                        .sampled
                        .get_or_init(|| SampledMean::new(j, s.samples, s.seed))
                        .lift(j, edit);
                }
                // No sampling (a journey small enough to enumerate): one
                // more pass, the cut touchpoint given no duration.
                let mut dur = j.durations().to_vec();
                dur[v] = 0.0;
                mean_states(j, &dur, usize::MAX).map_or(f64::NAN, |(_, x, _)| x) - self.value
            }
        };
        Some(Price {
            lift,
            standard_error: None,
        })
    }
}

/// The change in the expected mean when `v` is cut, from the forward
/// states before it and the backward states after it.
fn pairwise_cut(j: &Journey, v: usize, prefix: &[Weighted<'_>], suffix: &[Weighted<'_>]) -> f64 {
    let (e, d) = (j.emotions(), j.durations());
    let ed = e[v] * d[v];
    let mut lift = 0.0;
    for &(pa, fa) in prefix {
        for &(pb, fb) in suffix {
            for &(t, m, a) in fa {
                for &(r, mb, b) in fb {
                    if t + r <= 0.0 {
                        continue;
                    }
                    let s = a * mb + m * b;
                    lift += pa * pb * (s / (t + r) - (s + m * mb * ed) / (t + d[v] + r));
                }
            }
        }
    }
    lift
}

/// Backward elapsed-time states: per position, the remaining time from it
/// (inclusive), its probability, and the probability-weighted sum of
/// emotion × duration. `None` beyond `limit` states.
fn backward_states(j: &Journey, limit: usize) -> Option<StatesByPosition> {
    let n = j.len();
    let e = j.emotions();
    let d = j.durations();
    let mut states: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new(); n];
    let mut total = 0usize;
    let mut buf: Vec<(f64, f64, f64)> = Vec::new();
    for p in (0..n).rev() {
        buf.clear();
        let succ = j.succ_of(p);
        if succ.is_empty() {
            buf.push((0.0, 1.0, 0.0));
        }
        for &(w, pr) in succ.iter().filter(|x| x.1 != 0.0) {
            buf.extend(
                states[w as usize]
                    .iter()
                    .map(|&(r, m, b)| (r, m * pr, b * pr)),
            );
        }
        buf.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64, f64)> = Vec::new();
        for &(r, m, b) in &buf {
            let r2 = r + d[p];
            let b2 = b + m * e[p] * d[p];
            match merged.last_mut() {
                Some(last) if last.0 == r2 => {
                    last.1 += m;
                    last.2 += b2;
                }
                _ => merged.push((r2, m, b2)),
            }
        }
        total += merged.len();
        if total > limit {
            return None;
        }
        states[p] = merged;
    }
    Some(states)
}

/// The duration-weighted mean estimated from sampled paths: per place,
/// sums (and sums of squares) of what each kind of edit changes on a path.
struct SampledMean {
    samples: usize,
    /// Per position: Σ d/T and Σ (d/T)² over paths through it.
    set: Vec<(f64, f64)>,
    /// Per position: Σ δ and Σ δ² of the change in a path's mean when the
    /// position is cut.
    cut: Vec<(f64, f64)>,
    /// Per end position: Σ α, Σ β, Σ α², Σ αβ, Σ β² where a closing
    /// emotion c changes a path's mean by α + c·β.
    close: Vec<[f64; 5]>,
    /// Per transition (flat, successor-list order): Σ f and Σ f² of the
    /// path mean f over paths taking it.
    edge: Vec<(f64, f64)>,
    edge_off: Vec<usize>,
}

impl SampledMean {
    fn new(j: &Journey, samples: usize, seed: u64) -> SampledMean {
        let n = j.len();
        let e = j.emotions();
        let d = j.durations();
        let mut edge_off = Vec::with_capacity(n + 1);
        edge_off.push(0);
        for p in 0..n {
            edge_off.push(edge_off[p] + j.succ_of(p).len());
        }
        let mut s = SampledMean {
            samples: samples.max(2),
            set: vec![(0.0, 0.0); n],
            cut: vec![(0.0, 0.0); n],
            close: vec![[0.0; 5]; n],
            edge: vec![(0.0, 0.0); edge_off[n]],
            edge_off,
        };
        let sampler = Sampler::new(j);
        let mut rng = Rng::new(seed);
        let mut path = Vec::new();
        for _ in 0..s.samples {
            sampler.draw(&mut rng, &mut path);
            let (mut sum, mut time) = (0.0, 0.0);
            for &p in &path {
                sum += e[p] * d[p];
                time += d[p];
            }
            let f = sum / time;
            for (k, &p) in path.iter().enumerate() {
                let x = d[p] / time;
                s.set[p].0 += x;
                s.set[p].1 += x * x;
                if time - d[p] > 0.0 {
                    let delta = (sum - e[p] * d[p]) / (time - d[p]) - f;
                    s.cut[p].0 += delta;
                    s.cut[p].1 += delta * delta;
                }
                if let Some(&w) = path.get(k + 1) {
                    let i = j
                        .succ_of(p)
                        .iter()
                        .position(|x| x.0 as usize == w)
                        .expect("a sampled step is a transition");
                    let slot = &mut s.edge[s.edge_off[p] + i];
                    slot.0 += f;
                    slot.1 += f * f;
                }
            }
            let z = *path.last().expect("a path has a touchpoint");
            let alpha = sum / (time + 1.0) - f;
            let beta = 1.0 / (time + 1.0);
            let c = &mut s.close[z];
            for (k, x) in [alpha, beta, alpha * alpha, alpha * beta, beta * beta]
                .into_iter()
                .enumerate()
            {
                c[k] += x;
            }
        }
        s
    }

    /// Mean and standard error of a per-path change from its sum and sum
    /// of squares over the samples.
    fn estimate(&self, sum: f64, sum_sq: f64) -> Price {
        let n = self.samples as f64;
        let mean = sum / n;
        let var = ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0);
        Price {
            lift: mean,
            standard_error: Some((var / n).sqrt()),
        }
    }

    fn lift(&self, j: &Journey, edit: &Edit) -> Option<Price> {
        let e = j.emotions();
        Some(match edit {
            Edit::Set { pos, emotion } => {
                let x = emotion - e[*pos];
                let (s1, s2) = self.set[*pos];
                self.estimate(x * s1, x * x * s2)
            }
            Edit::Remove { pos } => self.estimate(self.cut[*pos].0, self.cut[*pos].1),
            Edit::Append { ends, emotion } => {
                let c = *emotion;
                let (mut s1, mut s2) = (0.0, 0.0);
                for &z in ends {
                    let [a, b, aa, ab, bb] = self.close[z];
                    s1 += a + c * b;
                    s2 += aa + 2.0 * c * ab + c * c * bb;
                }
                self.estimate(s1, s2)
            }
            Edit::Route { pos, probs } => {
                let (mut s1, mut s2) = (0.0, 0.0);
                for (k, (&(_, old), &new)) in j.succ_of(*pos).iter().zip(probs).enumerate() {
                    if new == old {
                        continue;
                    }
                    // Importance weights need the old route to carry someone.
                    if old == 0.0 {
                        return None;
                    }
                    let r = new / old - 1.0;
                    let (f1, f2) = self.edge[self.edge_off[*pos] + k];
                    s1 += r * f1;
                    s2 += r * r * f2;
                }
                self.estimate(s1, s2)
            }
        })
    }
}

/// No level: the rest of a path is empty.
const NONE: u32 = u32::MAX;

/// A maximum-type feature estimated from sampled paths (common random
/// numbers: the same paths as every other sampled price): per place, what
/// the rest of each sampled path through it holds.
struct SampledExtreme {
    samples: usize,
    /// Per position: for each sampled path through it, the top level of
    /// the rest of the path ([`NONE`] when there is no rest).
    others: Vec<Vec<u32>>,
    /// Per end position: the top level of each sampled path ending there.
    tops: Vec<Vec<u32>>,
    /// Per transition (flat, successor-list order): Σ f and Σ f² of the
    /// path's top value f over paths taking it.
    edge: Vec<(f64, f64)>,
    edge_off: Vec<usize>,
}

/// The higher of two levels, either of which may be [`NONE`].
fn top_level(a: u32, b: u32) -> u32 {
    match (a, b) {
        (NONE, x) | (x, NONE) => x,
        (a, b) => a.max(b),
    }
}

impl SampledExtreme {
    fn new(j: &Journey, levels: &Levels, s: Sampling) -> SampledExtreme {
        let n = j.len();
        let mut edge_off = Vec::with_capacity(n + 1);
        edge_off.push(0);
        for p in 0..n {
            edge_off.push(edge_off[p] + j.succ_of(p).len());
        }
        let mut x = SampledExtreme {
            samples: s.samples.max(2),
            others: vec![Vec::new(); n],
            tops: vec![Vec::new(); n],
            edge: vec![(0.0, 0.0); edge_off[n]],
            edge_off,
        };
        let sampler = Sampler::new(j);
        let mut rng = Rng::new(s.seed);
        let (mut path, mut suffix) = (Vec::new(), Vec::new());
        for _ in 0..x.samples {
            sampler.draw(&mut rng, &mut path);
            // Suffix tops (exclusive), then a forward walk with the prefix top.
            suffix.clear();
            suffix.resize(path.len(), NONE);
            for k in (0..path.len().saturating_sub(1)).rev() {
                suffix[k] = top_level(suffix[k + 1], levels.rank[path[k + 1]]);
            }
            let whole = top_level(suffix[0], levels.rank[path[0]]);
            let f = levels.value[whole as usize];
            let mut prefix = NONE;
            for (k, &p) in path.iter().enumerate() {
                x.others[p].push(top_level(prefix, suffix[k]));
                prefix = top_level(prefix, levels.rank[p]);
                if let Some(&w) = path.get(k + 1) {
                    let i = j
                        .succ_of(p)
                        .iter()
                        .position(|y| y.0 as usize == w)
                        .expect("a sampled step is a transition");
                    let slot = &mut x.edge[x.edge_off[p] + i];
                    slot.0 += f;
                    slot.1 += f * f;
                }
            }
            x.tops[*path.last().expect("a path has a touchpoint")].push(whole);
        }
        x
    }

    fn estimate(&self, sum: f64, sum_sq: f64) -> Price {
        let n = self.samples as f64;
        let var = ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0);
        Price {
            lift: sum / n,
            standard_error: Some((var / n).sqrt()),
        }
    }

    fn lift(&self, x: &Extreme, j: &Journey, edit: &Edit) -> Price {
        let e = j.emotions();
        let (mut s1, mut s2) = (0.0, 0.0);
        let mut add = |d: f64| {
            s1 += d;
            s2 += d * d;
        };
        match edit {
            Edit::Set { pos, emotion } => {
                for &o in &self.others[*pos] {
                    add(x.top_with(o, *emotion) - x.top_with(o, e[*pos]));
                }
            }
            Edit::Remove { pos } => {
                for &o in &self.others[*pos] {
                    let rest = if o == NONE {
                        0.0
                    } else {
                        x.levels.value[o as usize]
                    };
                    add(rest - x.top_with(o, e[*pos]));
                }
            }
            Edit::Append { ends, emotion } => {
                for &z in ends {
                    for &t in &self.tops[z] {
                        add(x.top_with(t, *emotion) - x.levels.value[t as usize]);
                    }
                }
            }
            Edit::Route { pos, probs } => {
                // Importance weights: paths through a route weigh new/old.
                for (k, (&(_, old), &new)) in j.succ_of(*pos).iter().zip(probs).enumerate() {
                    if new == old || old == 0.0 {
                        continue;
                    }
                    let r = new / old - 1.0;
                    let (f1, f2) = self.edge[self.edge_off[*pos] + k];
                    s1 += r * f1;
                    s2 += r * r * f2;
                }
            }
        }
        self.estimate(s1, s2)
    }
}

enum MeanPart {
    Exact(ExactMean),
    Sampled(SampledMean),
}

/// Seeded sampling for the mean when it has no exact form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sampling {
    pub(crate) samples: usize,
    pub(crate) seed: u64,
}

/// Prices local edits under a linear blend of features.
pub(crate) struct Local {
    extremes: Vec<Extreme>,
    end: f64,
    first: f64,
    /// E[emotion at the end | at position].
    end_after: Vec<f64>,
    visit: Vec<f64>,
    mean: Option<(f64, MeanPart)>,
    sampling: Option<Sampling>,
}

impl Local {
    /// `None` when the blend holds a feature with no local price (trend),
    /// or the mean has no exact form and `sampling` is `None`.
    pub(crate) fn new(
        j: &Journey,
        form: &[(Feature, f64)],
        ties: Ties,
        (mean_limit, level_budget): (usize, usize),
        sampling: Option<Sampling>,
    ) -> Option<Local> {
        let weight = |feat: Feature| -> f64 {
            form.iter()
                .filter(|(f, _)| *f == feat)
                .map(|(_, w)| w)
                .sum()
        };
        if weight(Feature::Trend) != 0.0 {
            return None;
        }
        let scale = Scale { ties, ..j.scale() };
        let mut extremes = Vec::new();
        for (feat, order) in [
            (Feature::Peak, Order::Peak(scale)),
            (Feature::Best, Order::Best),
            (Feature::Worst, Order::Worst),
        ] {
            let w = weight(feat);
            if w != 0.0 {
                extremes.push(Extreme::new(j, w, order, level_budget, sampling));
            }
        }
        let mean = match weight(Feature::Mean) {
            0.0 => None,
            w => Some((
                w,
                match ExactMean::new(j, mean_limit, sampling) {
                    Some(x) => MeanPart::Exact(x),
                    None => {
                        let s = sampling?;
                        MeanPart::Sampled(SampledMean::new(j, s.samples, s.seed))
                    }
                },
            )),
        };
        let n = j.len();
        let e = j.emotions();
        let mut end_after = vec![0.0; n];
        for p in (0..n).rev() {
            let succ = j.succ_of(p);
            end_after[p] = if succ.is_empty() {
                e[p]
            } else {
                succ.iter().map(|&(w, pr)| pr * end_after[w as usize]).sum()
            };
        }
        Some(Local {
            extremes,
            end: weight(Feature::End),
            first: weight(Feature::First),
            end_after,
            visit: super::visits(j),
            mean,
            sampling,
        })
    }

    /// True when prices are estimated (the mean or a maximum-type feature
    /// from sampled paths).
    pub(crate) fn estimated(&self) -> bool {
        if self.extremes.iter().any(|x| x.sampled.is_some()) {
            return true;
        }
        match &self.mean {
            Some((_, MeanPart::Sampled(_))) => true,
            Some((_, MeanPart::Exact(m))) => m.used_sampled.get(),
            None => false,
        }
    }

    /// The sampling estimated prices use (when any are estimated).
    pub(crate) fn sampling(&self) -> Option<Sampling> {
        self.sampling.filter(|_| self.estimated())
    }

    /// The change in the blend's expectation the edit makes; `None` when
    /// it cannot be priced locally (a sampled mean cannot price a route
    /// that carried no one).
    pub(crate) fn price(&self, j: &Journey, edit: &Edit) -> Option<Price> {
        let mut items = Vec::new();
        let mut lift = 0.0;
        // Sampled parts come from the same paths; their standard errors add
        // (an upper bound when several combine, exact for one).
        let mut standard_error: Option<f64> = None;
        let mut add = |w: f64, p: Price| {
            lift += w * p.lift;
            if let Some(se) = p.standard_error {
                *standard_error.get_or_insert(0.0) += se * w.abs();
            }
        };
        for x in &self.extremes {
            add(x.weight, x.price(j, edit, &mut items));
        }
        match &self.mean {
            Some((w, MeanPart::Exact(m))) => add(*w, m.lift(j, edit)?),
            Some((w, MeanPart::Sampled(m))) => add(*w, m.lift(j, edit)?),
            None => {}
        }
        lift += self.end * self.end_lift(j, edit) + self.first * first_lift(j, edit);
        Some(Price {
            lift,
            standard_error,
        })
    }

    fn end_lift(&self, j: &Journey, edit: &Edit) -> f64 {
        let e = j.emotions();
        match edit {
            Edit::Set { pos, emotion } => {
                if j.succ_of(*pos).is_empty() {
                    self.visit[*pos] * (emotion - e[*pos])
                } else {
                    0.0
                }
            }
            Edit::Remove { pos } => {
                let v = *pos;
                if !j.succ_of(v).is_empty() {
                    return 0.0;
                }
                // Paths that ended here end at the predecessor.
                j.pred_of(v)
                    .iter()
                    .map(|&(u, pr)| self.visit[u as usize] * pr * (e[u as usize] - e[v]))
                    .sum()
            }
            Edit::Route { pos, probs } => {
                let p = *pos;
                self.visit[p]
                    * j.succ_of(p)
                        .iter()
                        .zip(probs)
                        .map(|(&(w, old), &new)| (new - old) * self.end_after[w as usize])
                        .sum::<f64>()
            }
            Edit::Append { ends, emotion } => {
                ends.iter().map(|&z| self.visit[z] * (emotion - e[z])).sum()
            }
        }
    }
}

fn first_lift(j: &Journey, edit: &Edit) -> f64 {
    let e = j.emotions();
    match edit {
        Edit::Set { pos, emotion } => j.entry_at(*pos) * (emotion - e[*pos]),
        // Customers who started here start at its successors.
        Edit::Remove { pos } => {
            let v = *pos;
            j.entry_at(v)
                * j.succ_of(v)
                    .iter()
                    .map(|&(w, pr)| pr * (e[w as usize] - e[v]))
                    .sum::<f64>()
        }
        Edit::Route { .. } | Edit::Append { .. } => 0.0,
    }
}
