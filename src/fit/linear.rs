//! The overall rating against the moments' features: fixed models mapped
//! by a straight line, and a ridge blend, compared by grouped, repeated
//! k-fold cross-validation; the blend's weights with bootstrap intervals.
//!
//! Every fit needs only sums of products (a Gram matrix of
//! `(1, features, overall)`), so each fold's, each block's and the whole
//! data's are summed once and a training set is a difference of sums: one
//! pass over the cases per repeat, whatever the number of folds, penalties
//! and resamples.

// Small dense matrices, walked by index.
#![allow(clippy::needless_range_loop)]

use super::cases::{COLUMNS, Cases, LENGTH};
use crate::engine::Rng;
use crate::memory::Feature;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Columns of the Gram: 1, the features, the overall rating.
pub(crate) const Z: usize = COLUMNS + 2;
const Y: usize = Z - 1;

/// Sums of products of `(1, features, overall)`: upper triangle, row by
/// row.
#[derive(Clone, Copy)]
pub(crate) struct Gram([[f64; Z]; Z]);

impl Default for Gram {
    fn default() -> Self {
        Gram([[0.0; Z]; Z])
    }
}

impl Gram {
    fn add_case(&mut self, x: &[f64; COLUMNS], y: f64) {
        let mut z = [0.0; Z];
        z[0] = 1.0;
        z[1..=COLUMNS].copy_from_slice(x);
        z[Y] = y;
        for i in 0..Z {
            let zi = z[i];
            let row = &mut self.0[i];
            for j in i..Z {
                row[j] += zi * z[j];
            }
        }
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        if i <= j { self.0[i][j] } else { self.0[j][i] }
    }
    fn plus(&self, o: &Gram, sign: f64) -> Gram {
        let mut g = *self;
        for i in 0..Z {
            for j in i..Z {
                g.0[i][j] += sign * o.0[i][j];
            }
        }
        g
    }
    fn add_scaled(&mut self, o: &Gram, k: f64) {
        for i in 0..Z {
            for j in i..Z {
                self.0[i][j] += k * o.0[i][j];
            }
        }
    }
    fn n(&self) -> f64 {
        self.0[0][0]
    }
    /// Mean and variance of a column (1-based: a feature `k` is `k + 1`).
    fn moments(&self, c: usize) -> (f64, f64) {
        let n = self.n();
        let m = self.at(0, c) / n;
        (m, (self.at(c, c) / n - m * m).max(0.0))
    }
    /// Squared error of a predictor over these cases.
    fn sse(&self, p: &Predictor) -> f64 {
        let mut w = [0.0; Z];
        w[0] = -p.intercept;
        for k in 0..COLUMNS {
            w[k + 1] = -p.beta[k];
        }
        w[Y] = 1.0;
        let mut s = 0.0;
        for i in 0..Z {
            for j in 0..Z {
                s += w[i] * self.at(i, j) * w[j];
            }
        }
        s.max(0.0)
    }
}

/// A straight-line prediction of the overall rating from the features.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Predictor {
    pub(crate) intercept: f64,
    pub(crate) beta: [f64; COLUMNS],
}

impl Predictor {
    fn predict(&self, x: &[f64; COLUMNS]) -> f64 {
        let mut s = self.intercept;
        for k in 0..COLUMNS {
            s += self.beta[k] * x[k];
        }
        s
    }
}

/// The fixed models compared, by name: their blends of the features.
pub(crate) const FIXED: [(&str, &[(Feature, f64)]); 5] = [
    ("mean", &[(Feature::Mean, 1.0)]),
    ("peak-end", &[(Feature::Peak, 0.5), (Feature::End, 0.5)]),
    (
        "peak-pit-end",
        &[
            (Feature::Best, 1.0 / 3.0),
            (Feature::Worst, 1.0 / 3.0),
            (Feature::End, 1.0 / 3.0),
        ],
    ),
    ("end", &[(Feature::End, 1.0)]),
    ("peak", &[(Feature::Peak, 1.0)]),
];

/// The fitted blend's columns: every feature of `--weights`.
pub(crate) const BLEND: [usize; 7] = [0, 1, 2, 3, 4, 5, 6];
/// The blend with `length`: the duration-neglect check.
pub(crate) const WITH_LENGTH: [usize; 8] = [0, 1, 2, 3, 4, 5, 6, LENGTH];

/// Penalties tried for the blend (times n × each feature's variance: ridge
/// on standardised features, the intercept free).
pub(crate) const LAMBDAS: [f64; 10] = [0.0, 1e-4, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0];

/// A fixed model's feature vector.
pub(crate) fn blend(terms: &[(Feature, f64)]) -> [f64; COLUMNS] {
    let mut c = [0.0; COLUMNS];
    for (f, w) in terms {
        let k = Feature::ALL.iter().position(|g| g == f).unwrap_or(0);
        c[k] += w;
    }
    c
}

/// The best straight line `a + b × (c · x)`.
pub(crate) fn fit_fixed(g: &Gram, c: &[f64; COLUMNS]) -> Predictor {
    let n = g.n();
    let (mut ss, mut s2, mut sy) = (0.0, 0.0, 0.0);
    for i in 0..COLUMNS {
        ss += c[i] * g.at(0, i + 1);
        sy += c[i] * g.at(i + 1, Y);
        for j in 0..COLUMNS {
            s2 += c[i] * c[j] * g.at(i + 1, j + 1);
        }
    }
    let ybar = g.at(0, Y) / n;
    let sbar = ss / n;
    let var = s2 / n - sbar * sbar;
    let cov = sy / n - sbar * ybar;
    let b = if var > 1e-12 * (1.0 + sbar * sbar) {
        cov / var
    } else {
        0.0
    };
    let mut beta = [0.0; COLUMNS];
    for k in 0..COLUMNS {
        beta[k] = b * c[k];
    }
    Predictor {
        intercept: ybar - b * sbar,
        beta,
    }
}

/// Ridge on `columns` with penalty `lambda` (see [`LAMBDAS`]); columns
/// without variance get no weight. `None` when the system is singular
/// (only without a penalty).
pub(crate) fn fit_ridge(g: &Gram, columns: &[usize], lambda: f64) -> Option<Predictor> {
    let n = g.n();
    let used: Vec<usize> = columns
        .iter()
        .copied()
        .filter(|&k| {
            let (m, v) = g.moments(k + 1);
            v > 1e-12 * (1.0 + m * m)
        })
        .collect();
    let d = used.len() + 1;
    let idx: Vec<usize> = std::iter::once(0)
        .chain(used.iter().map(|k| k + 1))
        .collect();
    let mut a = DMatrix::from_fn(d, d, |i, j| g.at(idx[i], idx[j]));
    let rhs = DVector::from_fn(d, |i, _| g.at(idx[i], Y));
    for (i, &k) in used.iter().enumerate() {
        let (_, v) = g.moments(k + 1);
        a[(i + 1, i + 1)] += lambda * n * v;
    }
    let b = a.cholesky()?.solve(&rhs);
    if !b.iter().all(|x| x.is_finite()) {
        return None;
    }
    let mut p = Predictor {
        intercept: b[0],
        beta: [0.0; COLUMNS],
    };
    for (i, &k) in used.iter().enumerate() {
        p.beta[k] = b[i + 1];
    }
    Some(p)
}

/// The penalty with the least squared error over `folds` (each fold's
/// cases predicted from the others within `total`); ties go to the larger
/// penalty.
pub(crate) fn choose_lambda(total: &Gram, folds: &[&Gram], columns: &[usize]) -> usize {
    let mut best = (f64::INFINITY, LAMBDAS.len() - 1);
    for (l, &lambda) in LAMBDAS.iter().enumerate().rev() {
        let mut sse = 0.0;
        for g in folds {
            let train = total.plus(g, -1.0);
            match fit_ridge(&train, columns, lambda) {
                Some(p) => sse += g.sse(&p),
                None => {
                    sse = f64::INFINITY;
                    break;
                }
            }
        }
        if sse < best.0 * (1.0 - 1e-12) {
            best = (sse, l);
        }
    }
    best.1
}

/// Out-of-sample figures of one model over every fold of every repeat.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scores {
    pub(crate) rmse: Vec<f64>,
    pub(crate) mae: Vec<f64>,
    /// Per fold; `NaN` where the fold's ratings do not vary.
    pub(crate) r2: Vec<f64>,
}

/// The cross-validation's result.
pub(crate) struct Cv {
    /// Per model: the fixed ones in [`FIXED`] order, then the blend, then
    /// the blend with length.
    pub(crate) scores: Vec<Scores>,
    /// Predicting the training folds' mean.
    pub(crate) baseline: Scores,
    /// Per repeat, per fold, the blend's predictor (for the outcome's
    /// out-of-sample memory).
    pub(crate) blends: Vec<Vec<Predictor>>,
    /// How often each penalty was chosen inside the folds.
    pub(crate) lambdas: [u32; LAMBDAS.len()],
}

/// Each group's fold, per repeat: the groups shuffled (seeded) and dealt
/// round — those marked `first` (the groups with an overall rating) before
/// the others, so that every fold holds some of them whenever they are at
/// least `k`.
pub(crate) fn assign_folds(first: &[bool], k: usize, repeats: usize, seed: u64) -> Vec<Vec<u8>> {
    let groups = first.len();
    let mut rng = Rng::new(seed);
    (0..repeats)
        .map(|_| {
            let mut order: Vec<u32> = (0..groups as u32).collect();
            for i in (1..groups).rev() {
                order.swap(i, rng.below(i + 1));
            }
            // A stable partition keeps each class in its shuffled order.
            order.sort_by_key(|&g| !first[g as usize]);
            let mut fold = vec![0u8; groups];
            for (i, g) in order.iter().enumerate() {
                fold[*g as usize] = (i % k) as u8;
            }
            fold
        })
        .collect()
}

/// Cross-validate every model over the cases with an overall rating
/// (`rows`), their dense groups' folds per repeat.
pub(crate) fn cross_validate(
    cases: &Cases,
    rows: &[usize],
    group: &[u32],
    group_folds: &[Vec<u8>],
    k: usize,
) -> Cv {
    let models = FIXED.len() + 2;
    let mut cv = Cv {
        scores: vec![Scores::default(); models],
        baseline: Scores::default(),
        blends: Vec::new(),
        lambdas: [0; LAMBDAS.len()],
    };
    let fixed: Vec<[f64; COLUMNS]> = FIXED.iter().map(|(_, t)| blend(t)).collect();
    for gf in group_folds {
        let fold_of: Vec<u8> = rows.iter().map(|&i| gf[group[i] as usize]).collect();
        let mut grams = vec![Gram::default(); k];
        for (r, &i) in rows.iter().enumerate() {
            grams[fold_of[r] as usize].add_case(&cases.x[i], cases.y[i]);
        }
        let total = grams.iter().fold(Gram::default(), |t, g| t.plus(g, 1.0));
        // Per fold: every model's predictor, trained on the other folds.
        let mut predictors: Vec<Vec<Predictor>> = Vec::with_capacity(k);
        let mut means = Vec::with_capacity(k);
        for f in 0..k {
            let train = total.plus(&grams[f], -1.0);
            means.push(train.at(0, Y) / train.n());
            let mut ps: Vec<Predictor> = fixed.iter().map(|c| fit_fixed(&train, c)).collect();
            let inner: Vec<&Gram> = (0..k).filter(|&j| j != f).map(|j| &grams[j]).collect();
            for columns in [&BLEND[..], &WITH_LENGTH[..]] {
                let l = choose_lambda(&train, &inner, columns);
                if columns.len() == BLEND.len() {
                    cv.lambdas[l] += 1;
                }
                ps.push(fit_ridge(&train, columns, LAMBDAS[l]).unwrap_or_default());
            }
            predictors.push(ps);
        }
        cv.blends
            .push(predictors.iter().map(|ps| ps[FIXED.len()]).collect());
        // One pass: each case predicted by its fold's predictors.
        let mut sse = vec![vec![0.0; models + 1]; k];
        let mut sae = vec![vec![0.0; models + 1]; k];
        let mut sst = vec![0.0; k];
        let mut count = vec![0usize; k];
        for (r, &i) in rows.iter().enumerate() {
            let f = fold_of[r] as usize;
            let (x, y) = (&cases.x[i], cases.y[i]);
            for (m, p) in predictors[f].iter().enumerate() {
                let e = y - p.predict(x);
                sse[f][m] += e * e;
                sae[f][m] += e.abs();
            }
            let e = y - means[f];
            sse[f][models] += e * e;
            sae[f][models] += e.abs();
            sst[f] += e * e;
            count[f] += 1;
        }
        for f in 0..k {
            if count[f] == 0 {
                continue;
            }
            let n = count[f] as f64;
            for m in 0..=models {
                let s = if m == models {
                    &mut cv.baseline
                } else {
                    &mut cv.scores[m]
                };
                s.rmse.push((sse[f][m] / n).sqrt());
                s.mae.push(sae[f][m] / n);
                s.r2.push(if sst[f] > 0.0 {
                    1.0 - sse[f][m] / sst[f]
                } else {
                    f64::NAN
                });
            }
        }
    }
    cv
}

/// Each fold's Gram over `rows` (folds by group, `group_fold`).
pub(crate) fn fold_grams(
    cases: &Cases,
    rows: &[usize],
    group: &[u32],
    group_fold: &[u8],
    k: usize,
) -> Vec<Gram> {
    let mut grams = vec![Gram::default(); k];
    for &i in rows {
        grams[group_fold[group[i] as usize] as usize].add_case(&cases.x[i], cases.y[i]);
    }
    grams
}

/// The whole data's Gram over `rows`.
pub(crate) fn gram(cases: &Cases, rows: &[usize]) -> Gram {
    let mut g = Gram::default();
    for &i in rows {
        g.add_case(&cases.x[i], cases.y[i]);
    }
    g
}

/// Bootstrap resamples of the blend: per resample, the blend's predictor
/// and the blend-with-length's. Resampled by blocks of whole groups (each
/// group its own block up to `max_blocks` groups; past that the groups are
/// dealt into `max_blocks` random blocks, each a random sample of groups).
pub(crate) fn bootstrap(
    cases: &Cases,
    rows: &[usize],
    group: &[u32],
    groups: usize,
    (resamples, max_blocks, seed): (usize, usize, u64),
    lambdas: (f64, f64),
) -> Vec<(Predictor, Predictor)> {
    let mut rng = Rng::new(seed ^ 0xB007_5742_u64);
    let blocks_n = groups.min(max_blocks).max(1);
    let block_of: Vec<u32> = if groups <= max_blocks {
        (0..groups as u32).collect()
    } else {
        (0..groups).map(|_| rng.below(blocks_n) as u32).collect()
    };
    let mut blocks = vec![Gram::default(); blocks_n];
    for &i in rows {
        blocks[block_of[group[i] as usize] as usize].add_case(&cases.x[i], cases.y[i]);
    }
    let mut counts = vec![0u32; blocks_n];
    let mut out = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        counts.fill(0);
        for _ in 0..blocks_n {
            counts[rng.below(blocks_n)] += 1;
        }
        let mut g = Gram::default();
        for (b, &c) in counts.iter().enumerate() {
            if c > 0 {
                g.add_scaled(&blocks[b], f64::from(c));
            }
        }
        if g.n() < 2.0 {
            continue;
        }
        let (Some(a), Some(b)) = (
            fit_ridge(&g, &BLEND, lambdas.0),
            fit_ridge(&g, &WITH_LENGTH, lambdas.1),
        ) else {
            continue;
        };
        out.push((a, b));
    }
    out
}

/// Variance inflation of each blend feature (`None`: not identified — a
/// combination of the others in these data, or without variance), and the
/// correlation of the peak-end score with the mean.
pub(crate) fn collinearity(g: &Gram) -> (Vec<Option<f64>>, Option<f64>) {
    let n = g.n();
    let cov = |i: usize, j: usize| {
        let (mi, mj) = (g.at(0, i + 1) / n, g.at(0, j + 1) / n);
        g.at(i + 1, j + 1) / n - mi * mj
    };
    let p = BLEND.len();
    let sd: Vec<f64> = BLEND.iter().map(|&k| cov(k, k).max(0.0).sqrt()).collect();
    let live: Vec<usize> = (0..p)
        .filter(|&i| sd[i] > 1e-9 * (1.0 + (g.at(0, i + 1) / n).abs()))
        .collect();
    let mut vif = vec![None; p];
    if !live.is_empty() {
        let r = DMatrix::from_fn(live.len(), live.len(), |a, b| {
            let (i, j) = (live[a], live[b]);
            cov(i, j) / (sd[i] * sd[j])
        });
        let eig = SymmetricEigen::new(r);
        for (a, &i) in live.iter().enumerate() {
            let mut v = 0.0;
            let mut singular = false;
            for (l, &ev) in eig.eigenvalues.iter().enumerate() {
                let w = eig.eigenvectors[(a, l)].powi(2);
                if ev < 1e-9 {
                    if w > 1e-9 {
                        singular = true;
                    }
                } else {
                    v += w / ev;
                }
            }
            vif[i] = (!singular).then_some(v.max(1.0));
        }
    }
    let pe = blend(FIXED[1].1);
    let mean = blend(FIXED[0].1);
    let var = |c: &[f64; COLUMNS], d: &[f64; COLUMNS]| {
        let mut s = 0.0;
        for i in 0..COLUMNS {
            for j in 0..COLUMNS {
                s += c[i] * d[j] * cov(i, j);
            }
        }
        s
    };
    let (a, b, ab) = (var(&pe, &pe), var(&mean, &mean), var(&pe, &mean));
    let r = (a > 1e-12 && b > 1e-12).then(|| (ab / (a * b).sqrt()).clamp(-1.0, 1.0));
    (vif, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gram_fit_is_ordinary_least_squares() {
        // y = 1 + 2·peak exactly: the fixed `peak` model finds it.
        let mut cases = Cases::new();
        for (e, y) in [
            (&[4.0, -2.0][..], 9.0),
            (&[-6.0, 1.0][..], -11.0),
            (&[2.0][..], 5.0),
        ] {
            cases.push(e, None, Some(y), None, None);
        }
        let rows: Vec<usize> = (0..3).collect();
        let g = gram(&cases, &rows);
        let p = fit_fixed(&g, &blend(FIXED[4].1));
        assert!((p.intercept - 1.0).abs() < 1e-9 && (p.beta[0] - 2.0).abs() < 1e-9);
        assert!(g.sse(&p) < 1e-9);
        let r = fit_ridge(&g, &[0], 0.0).unwrap();
        assert!((r.beta[0] - 2.0).abs() < 1e-9);
    }

    #[test]
    fn folds_keep_groups_together_and_are_balanced() {
        let f = assign_folds(&[true; 10], 5, 2, 7);
        assert_eq!(f.len(), 2);
        for r in &f {
            for k in 0..5u8 {
                assert_eq!(r.iter().filter(|&&x| x == k).count(), 2);
            }
        }
        assert_ne!(f[0], f[1]);
        // The marked groups spread over every fold first.
        let mut first = [false; 12];
        first[3] = true;
        first[7] = true;
        first[11] = true;
        for r in assign_folds(&first, 3, 4, 1) {
            let mut folds: Vec<u8> = [3, 7, 11].iter().map(|&g| r[g]).collect();
            folds.sort_unstable();
            assert_eq!(folds, [0, 1, 2]);
        }
    }
}
