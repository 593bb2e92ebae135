//! The expected duration-weighted mean over every path without tracking
//! elapsed times: 1/T = ∫₀^∞ e^{−λT} dλ, so
//! E[S/T] = ∫₀^∞ E[S·e^{−λT}] dλ, and for each λ the expectation is one
//! linear pass over the DAG (e^{−λT} is a product of per-touchpoint
//! factors e^{−λd}). The integral, after λ = e^u, is an analytic function
//! of u integrated over the real line, where the trapezoid rule converges
//! geometrically; where λT is tiny on every path the rule's left part is
//! summed in closed form from E[S] and E[S·T]. About a hundred nodes give
//! a relative error below 1e-12 for every path duration the journey allows
//! (a unit test checks the rule against 1/T). So the cost is
//! O((V + E) · Q) with Q ≈ 100–150, whatever the number of distinct
//! elapsed times.
// Dynamic programming over positions reads clearest with index loops.
#![allow(clippy::needless_range_loop)]

use crate::journey::Journey;

/// Step of the trapezoid rule in u = ln λ.
const STEP: f64 = 0.3;

/// Where the numeric nodes start: λ₀ = EPSILON / t_max, so that λT ≤ 1e-4
/// on every path below it, and the rule's infinite left part is summed in
/// closed form from E[S] and E[S·T] (the third term is about 1e-13
/// relatively).
const EPSILON: f64 = 1e-4;

/// A rule for 1/T over T in [t_min, t_max]: numeric nodes (λ, weight) and
/// the closed-form left part, so that
/// 1/T ≈ Σ weight·e^{−λT} + c1 − c2·T with a relative error below 1e-12:
/// the trapezoid rule in u = ln λ (on a function analytic in the strip
/// |Im u| < π/2 its discretisation error is about e^{−2π·1.5/STEP}), cut
/// on the right where e^{−λT} < e^{−40} on every path.
pub(crate) struct Rule {
    pub(crate) nodes: Vec<(f64, f64)>,
    pub(crate) c1: f64,
    pub(crate) c2: f64,
}

pub(crate) fn reciprocal_rule(t_min: f64, t_max: f64) -> Rule {
    let u0 = (EPSILON / t_max).ln();
    let u1 = (40.0 / t_min).ln();
    let k = ((u1 - u0) / STEP).ceil().max(1.0) as usize;
    let nodes = (1..=k)
        .map(|i| {
            let l = (u0 + i as f64 * STEP).exp();
            (l, STEP * l)
        })
        .collect();
    // Σ_{k ≤ 0} h·g(u₀ + kh) with g(u) ≈ E[S]·e^u − E[S·T]·e^{2u}.
    let l0 = u0.exp();
    Rule {
        nodes,
        c1: STEP * l0 / (1.0 - (-STEP).exp()),
        c2: STEP * l0 * l0 / (1.0 - (-2.0 * STEP).exp()),
    }
}

/// The rule for the paths of `j`: every path lasts at least its shortest
/// touchpoint and at most all of them together.
fn rule_for(j: &Journey) -> Rule {
    let d = j.durations();
    let t_min = d.iter().copied().fold(f64::INFINITY, f64::min);
    let t_max: f64 = d.iter().sum();
    reciprocal_rule(t_min, t_max)
}

/// Per position: the probability of passing it and E[T · 1(passes it)]
/// (T the path's duration), both exact in one forward and one backward
/// pass.
fn passing(j: &Journey) -> (Vec<f64>, Vec<f64>) {
    let n = j.len();
    let d = j.durations();
    let (mut a0, mut a1, mut rest) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for p in 0..n {
        let (mut x, mut y) = (j.entry_at(p), 0.0);
        for &(u, pr) in j.pred_of(p) {
            x += pr * a0[u as usize];
            y += pr * a1[u as usize];
        }
        a0[p] = x;
        a1[p] = y + d[p] * x;
    }
    for p in (0..n).rev() {
        rest[p] = j
            .succ_of(p)
            .iter()
            .map(|&(w, pr)| pr * (d[w as usize] + rest[w as usize]))
            .sum();
    }
    let t = (0..n).map(|p| a1[p] + a0[p] * rest[p]).collect();
    (a0, t)
}

/// Per-touchpoint factors e^{−λd} for one λ: one `exp` per distinct
/// duration (journeys use a handful: minutes 1 to 30) rather than per
/// touchpoint.
struct Factors {
    /// Per position, the index of its duration in `distinct`.
    index: Vec<u32>,
    distinct: Vec<f64>,
    values: Vec<f64>,
}

impl Factors {
    fn new(d: &[f64]) -> Factors {
        let mut distinct: Vec<f64> = d.to_vec();
        distinct.sort_unstable_by(f64::total_cmp);
        distinct.dedup();
        let index = d
            .iter()
            .map(|x| {
                distinct
                    .binary_search_by(|y| y.total_cmp(x))
                    .expect("every duration is listed") as u32
            })
            .collect();
        let values = vec![0.0; distinct.len()];
        Factors {
            index,
            distinct,
            values,
        }
    }

    fn set(&mut self, lambda: f64) {
        for (v, &x) in self.values.iter_mut().zip(&self.distinct) {
            *v = (-lambda * x).exp();
        }
    }

    fn at(&self, p: usize) -> f64 {
        self.values[self.index[p] as usize]
    }
}

/// The expected duration-weighted mean over all paths.
pub(crate) fn mean(j: &Journey) -> f64 {
    let n = j.len();
    let (e, d) = (j.emotions(), j.durations());
    let mut factor = Factors::new(d);
    // a: Σ prob·Π e^{−λd} over prefixes to p (inclusive);
    // s: the same weighted by the prefix's Σ e·d.
    let mut a = vec![0.0; n];
    let mut s = vec![0.0; n];
    let rule = rule_for(j);
    let (pass, pass_t) = passing(j);
    let mut total: f64 = (0..n)
        .map(|p| e[p] * d[p] * (rule.c1 * pass[p] - rule.c2 * pass_t[p]))
        .sum();
    for &(lambda, weight) in &rule.nodes {
        factor.set(lambda);
        let mut f = 0.0;
        for p in 0..n {
            let w = factor.at(p);
            let (mut x, mut y) = (j.entry_at(p), 0.0);
            for &(u, pr) in j.pred_of(p) {
                x += pr * a[u as usize];
                y += pr * s[u as usize];
            }
            a[p] = w * x;
            s[p] = w * y + e[p] * d[p] * a[p];
            if j.succ_of(p).is_empty() {
                f += s[p];
            }
        }
        total += weight * f;
    }
    total
}

/// The expected mean and, per position, its derivative with respect to
/// the position's emotion: d · E[1(on the path) / T]. One forward and one
/// backward pass per quadrature node.
pub(crate) fn mean_and_gradient(j: &Journey) -> (f64, Vec<f64>) {
    let n = j.len();
    let (e, d) = (j.emotions(), j.durations());
    let mut a = vec![0.0; n];
    let mut s = vec![0.0; n];
    // b: Σ prob·Π e^{−λd} over suffixes after p (exclusive).
    let mut b = vec![0.0; n];
    let mut inclusive = vec![0.0; n];
    let mut factor = Factors::new(d);
    let rule = rule_for(j);
    let (pass, pass_t) = passing(j);
    let mut grad: Vec<f64> = (0..n)
        .map(|p| d[p] * (rule.c1 * pass[p] - rule.c2 * pass_t[p]))
        .collect();
    let mut total: f64 = (0..n).map(|p| e[p] * grad[p]).sum();
    for &(lambda, weight) in &rule.nodes {
        factor.set(lambda);
        let mut f = 0.0;
        for p in 0..n {
            let (mut x, mut y) = (j.entry_at(p), 0.0);
            for &(u, pr) in j.pred_of(p) {
                x += pr * a[u as usize];
                y += pr * s[u as usize];
            }
            let w = factor.at(p);
            a[p] = w * x;
            s[p] = w * y + e[p] * d[p] * a[p];
            if j.succ_of(p).is_empty() {
                f += s[p];
            }
        }
        total += weight * f;
        for p in (0..n).rev() {
            let succ = j.succ_of(p);
            b[p] = if succ.is_empty() {
                1.0
            } else {
                succ.iter().map(|&(w, pr)| pr * inclusive[w as usize]).sum()
            };
            inclusive[p] = factor.at(p) * b[p];
            grad[p] += weight * d[p] * a[p] * b[p];
        }
    }
    (total, grad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_gives_reciprocals_to_1e12() {
        for (t_min, t_max) in [
            (1.0, 30.0),
            (0.5, 3e6),
            (1.0, 2e16),
            (1e-3, 1.0),
            (7.0, 7.0),
        ] {
            let rule = reciprocal_rule(t_min, t_max);
            assert!(rule.nodes.len() < 250, "{} nodes", rule.nodes.len());
            let mut t = t_min;
            while t <= t_max {
                let got: f64 = rule
                    .nodes
                    .iter()
                    .map(|&(l, w)| w * (-l * t).exp())
                    .sum::<f64>()
                    + rule.c1
                    - rule.c2 * t;
                assert!((got * t - 1.0).abs() < 1e-12, "T = {t}: {}", got * t);
                t *= 1.37;
            }
        }
    }
}
