//! An outcome (renewed / churned) against the remembered experience:
//! logistic regression by Newton's method (each step's 2 × 2 system solved
//! by `nalgebra`), out-of-sample AUC and log-loss, and cluster-robust
//! intervals.

use nalgebra::{Matrix2, Vector2};
use statrs::distribution::{ContinuousCDF, Normal};

/// A fitted logistic link: `P = σ(c0 + c1 × memory)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Logit {
    pub(crate) c0: f64,
    pub(crate) c1: f64,
}

pub(crate) fn sigma(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The quantile of the standard normal for a two-sided 95 % interval.
pub(crate) fn z95() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

/// Fit over the cases `rows` (memory `m`, outcome `y` 0/1), from `start`
/// when given (a nearby fit: fewer steps). A tiny ridge on the slope
/// (10⁻⁶ × n × the memory's variance) keeps perfectly separated data
/// finite. `None` when the rows hold one class only.
///
/// Each Newton step is one pass over the rows (likelihood, gradient and
/// Hessian together); a step that lowers the likelihood is halved.
pub(crate) fn fit(m: &[f64], y: &[u8], rows: &[usize], start: Option<Logit>) -> Option<Logit> {
    let n = rows.len() as f64;
    let pos = rows.iter().filter(|&&i| y[i] == 1).count() as f64;
    if pos == 0.0 || pos == n {
        return None;
    }
    let mean = rows.iter().map(|&i| m[i]).sum::<f64>() / n;
    let var = rows.iter().map(|&i| (m[i] - mean).powi(2)).sum::<f64>() / n;
    let eps = 1e-6 * n * var.max(1e-12);
    // The penalised log-likelihood, its gradient and its negative Hessian
    // at `c`, in one pass.
    let pass = |c: Logit| -> (f64, Vector2<f64>, Matrix2<f64>) {
        let mut l = -0.5 * eps * c.c1 * c.c1;
        let mut g = Vector2::new(0.0, -eps * c.c1);
        let (mut h00, mut h01, mut h11) = (0.0, 0.0, eps);
        for &i in rows {
            let x = m[i];
            let z = c.c0 + c.c1 * x;
            let e = (-z.abs()).exp();
            // softplus(z) = log(1 + e^z), stable; σ(z) from the same e.
            let soft = z.max(0.0) + e.ln_1p();
            let p = if z >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let yi = f64::from(y[i]);
            l += yi * z - soft;
            let r = yi - p;
            g[0] += r;
            g[1] += r * x;
            let w = p * (1.0 - p);
            h00 += w;
            h01 += w * x;
            h11 += w * x * x;
        }
        (l, g, Matrix2::new(h00, h01, h01, h11))
    };
    let rate = pos / n;
    let mut c = start.unwrap_or(Logit {
        c0: (rate / (1.0 - rate)).ln(),
        c1: 0.0,
    });
    let (mut l, mut g, mut h) = pass(c);
    for _ in 0..100 {
        let Some(step) = h.cholesky().map(|ch| ch.solve(&g)) else {
            break;
        };
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..30 {
            let next = Logit {
                c0: c.c0 + t * step[0],
                c1: c.c1 + t * step[1],
            };
            let (ln, gn, hn) = pass(next);
            if ln >= l - 1e-12 * l.abs() {
                let moved = (next.c0 - c.c0).abs() + (next.c1 - c.c1).abs();
                (c, l, g, h) = (next, ln, gn, hn);
                accepted = moved >= 1e-10 * (1.0 + c.c0.abs() + c.c1.abs());
                break;
            }
            t /= 2.0;
        }
        if !accepted {
            break;
        }
    }
    (c.c0.is_finite() && c.c1.is_finite()).then_some(c)
}

/// Area under the ROC curve of scores against outcomes (ties count half);
/// `None` with one class only.
pub(crate) fn auc(scored: &mut [(f64, u8)]) -> Option<f64> {
    let pos = scored.iter().filter(|s| s.1 == 1).count() as f64;
    let neg = scored.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < scored.len() {
        let mut j = i;
        while j + 1 < scored.len() && scored[j + 1].0 == scored[i].0 {
            j += 1;
        }
        // Mid-rank (1-based) of the tied run i..=j.
        let mid = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += mid * scored[i..=j].iter().filter(|s| s.1 == 1).count() as f64;
        i = j + 1;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Mean log-loss of probabilities (kept within 10⁻¹⁵ of 0 and 1).
pub(crate) fn log_loss(p: f64, y: u8) -> f64 {
    let p = p.clamp(1e-15, 1.0 - 1e-15);
    if y == 1 { -p.ln() } else { -(1.0 - p).ln() }
}

/// The cluster-robust (by group) covariance of the coefficients:
/// `H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ × G / (G − 1)`.
pub(crate) fn robust_covariance(
    c: Logit,
    (m, y): (&[f64], &[u8]),
    rows: &[usize],
    group: &[u32],
    groups: usize,
) -> Option<Matrix2<f64>> {
    let mut h = Matrix2::<f64>::zeros();
    let mut s = vec![Vector2::<f64>::zeros(); groups];
    let mut used = vec![false; groups];
    for &i in rows {
        let p = sigma(c.c0 + c.c1 * m[i]);
        let w = p * (1.0 - p);
        h[(0, 0)] += w;
        h[(0, 1)] += w * m[i];
        h[(1, 1)] += w * m[i] * m[i];
        let r = f64::from(y[i]) - p;
        let g = group[i] as usize;
        s[g] += Vector2::new(r, r * m[i]);
        used[g] = true;
    }
    h[(1, 0)] = h[(0, 1)];
    let hi = h.try_inverse()?;
    let mut meat = Matrix2::<f64>::zeros();
    for v in &s {
        meat += v * v.transpose();
    }
    let g = used.iter().filter(|u| **u).count() as f64;
    if g < 2.0 {
        return None;
    }
    Some(hi * meat * hi * (g / (g - 1.0)))
}

/// The average change of the probability when every case's memory rises
/// by one point, and its delta-method standard error.
pub(crate) fn per_point(c: Logit, m: &[f64], rows: &[usize], cov: &Matrix2<f64>) -> (f64, f64) {
    let n = rows.len() as f64;
    let mut effect = 0.0;
    let mut grad = Vector2::<f64>::zeros();
    for &i in rows {
        let a = c.c0 + c.c1 * m[i];
        let (p0, p1) = (sigma(a), sigma(a + c.c1));
        effect += p1 - p0;
        let (d0, d1) = (p0 * (1.0 - p0), p1 * (1.0 - p1));
        grad += Vector2::new(d1 - d0, d1 * (m[i] + 1.0) - d0 * m[i]);
    }
    effect /= n;
    grad /= n;
    let var = (grad.transpose() * cov * grad)[(0, 0)];
    (effect, var.max(0.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        let mut s = [(1.0, 0), (2.0, 1), (2.0, 0), (3.0, 1)];
        assert_eq!(auc(&mut s), Some(0.875));
        assert_eq!(auc(&mut [(1.0, 1), (2.0, 1)]), None);
    }

    #[test]
    fn newton_finds_the_maximum_likelihood() {
        // Outcomes rise with memory: the slope is positive, and the fit's
        // score equations hold (Σ (y − p) = 0, Σ (y − p) m ≈ 0).
        let m: Vec<f64> = (0..40).map(|i| f64::from(i) / 4.0 - 5.0).collect();
        let y: Vec<u8> = (0..40)
            .map(|i| u8::from(i % 3 != 0 && i > 8 || i == 5))
            .collect();
        let rows: Vec<usize> = (0..40).collect();
        let c = fit(&m, &y, &rows, None).unwrap();
        assert!(c.c1 > 0.0);
        let r: f64 = rows
            .iter()
            .map(|&i| f64::from(y[i]) - sigma(c.c0 + c.c1 * m[i]))
            .sum();
        assert!(r.abs() < 1e-6, "{r}");
        // From a nearby start: the same fit.
        let d = fit(
            &m,
            &y,
            &rows,
            Some(Logit {
                c0: c.c0 + 0.5,
                c1: c.c1 * 0.9,
            }),
        )
        .unwrap();
        assert!((d.c1 - c.c1).abs() < 1e-6 * c.c1.abs().max(1.0));
        // Separated data stay finite.
        let y: Vec<u8> = (0..40).map(|i| u8::from(i >= 20)).collect();
        let c = fit(&m, &y, &rows, None).unwrap();
        assert!(c.c1.is_finite() && c.c1 > 1.0);
        assert!(fit(&m, &[1; 40], &rows, None).is_none());
    }
}
