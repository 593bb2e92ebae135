//! The delivery gap: the supplier's journey (what the supplier believes
//! customers go through and feel) against the customers' (measured,
//! surveyed or discovered from their data) — per touchpoint, in what each
//! view says customers remember, in how many customers' memory changes
//! sign, and in which advice holds in one view but not the other.
//!
//! **Matching.** Touchpoints are paired by an explicit mapping first, then
//! by id, then by name (ignoring case, spaces and punctuation). The
//! others are listed as seen by one side only. When the scales differ,
//! the customers' emotions are put on the supplier's scale linearly
//! (minimum to minimum, maximum to maximum).
//!
//! **Memory that changes sign** is counted over the customers' paths (the
//! customer journey's routes): each path is scored with the customers'
//! emotions and with the supplier's (for the touchpoints the supplier has
//! no view of, the customers' own), each against its own scale's neutral;
//! exactly by enumeration while the paths are few, else by seeded
//! sampling (an estimate, with its standard error).
//!
//! **Advice.** The first recommendations of each view are simulated in the
//! other (touchpoints translated by the matching; a change of emotion as
//! the same change from where the other view has it — the same effort
//! where customers really are):
//! an action *holds* when it lifts the other view by at least half as
//! much, is *weaker* when it lifts it less, *wrong* when it does not lift
//! it at all, and *does not apply* when the other view lacks its
//! touchpoint or route.

use crate::analysis::{Analysis, Analyzer};
use crate::evidence::Basis;
use crate::journey::{Journey, Scale};
use crate::recommend::Action;
use crate::simulate::Operation;
use crate::spec::EvidenceKind;

/// How to compare the two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GapOptions {
    /// Sampled paths when there are too many to enumerate (default
    /// 20,000).
    pub samples: usize,
    /// The sampling seed.
    pub seed: u64,
    /// How many of each view's first recommendations are checked in the
    /// other (default 5).
    pub advice: usize,
}

impl Default for GapOptions {
    fn default() -> Self {
        GapOptions {
            samples: 20_000,
            seed: crate::DEFAULT_SEED,
            advice: 5,
        }
    }
}

impl GapOptions {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        GapOptions::default()
    }
    /// The sampling seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sampled paths when there are too many to enumerate.
    #[must_use]
    pub fn samples(mut self, samples: usize) -> Self {
        self.samples = samples.max(1);
        self
    }
}

/// Path visits (summed over paths) up to which sign changes are counted
/// exactly by enumeration.
const ENUMERATION_LIMIT: f64 = 2e6;

/// Which view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The supplier's journey.
    Supplier,
    /// The customers' journey.
    Customer,
}

/// A touchpoint and the share of customers it is something for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Anchor {
    /// Id in its view.
    pub id: String,
    /// Name in its view.
    pub name: String,
    /// Share of customers.
    pub share: f64,
}

/// One view's headline figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct View {
    /// The journey's name.
    pub name: String,
    /// Expected remembered experience (on the supplier's scale).
    pub remembered: f64,
    /// Whether it is exact.
    pub exact: bool,
    /// Duration-weighted average (on the supplier's scale).
    pub mean: f64,
    /// Share of customers who remember the journey as negative.
    pub negative_share: f64,
    /// The touchpoint most customers remember as the peak.
    pub peak: Option<Anchor>,
    /// The touchpoint most customers' journeys end on.
    pub end: Option<Anchor>,
    /// What its remembered experience rests on.
    pub basis: Basis,
}

/// A touchpoint both views have.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Paired {
    /// Id in the supplier's journey.
    pub supplier_id: String,
    /// Id in the customers' journey.
    pub customer_id: String,
    /// Name (the customers' journey's).
    pub name: String,
    /// The supplier's emotion.
    pub supplier_emotion: f64,
    /// The customers' emotion, on the supplier's scale.
    pub customer_emotion: f64,
    /// Customers minus supplier.
    pub difference: f64,
    /// Share of customers it is the remembered peak for, in each view.
    pub supplier_peak_share: f64,
    /// See `supplier_peak_share`.
    pub customer_peak_share: f64,
    /// Share of customers who pass it, in each view.
    pub supplier_visit: f64,
    /// See `supplier_visit`.
    pub customer_visit: f64,
    /// How the customers' emotion is known.
    pub customer_evidence: EvidenceKind,
    /// Customers' ratings behind it (0 when assumed).
    pub customer_n: u64,
}

/// Customers whose remembered experience changes sign between the views.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct SignChange {
    /// Share of customers whose memory is positive in one view and
    /// negative in the other.
    pub share: f64,
    /// Of them: positive in the supplier's view, negative in the
    /// customers' (the supplier's picture is rosier).
    pub rosier: f64,
    /// Of them: negative in the supplier's view, positive in the customers'.
    pub darker: f64,
    /// Exact (every path) or sampled.
    pub exact: bool,
    /// Standard error of `share` when sampled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_error: Option<f64>,
    /// Paths sampled, when sampled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// The seed, when sampled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// Whether one view's advice holds in the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// It lifts the other view by at least half as much.
    Holds,
    /// It lifts the other view, by less than half as much.
    Weaker,
    /// It does not lift the other view (or lowers it).
    Wrong,
    /// The other view lacks its touchpoint or route.
    DoesNotApply,
}

/// One view's recommendation, checked in the other.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct AdviceCheck {
    /// The view that recommends it.
    pub from: Side,
    /// Its rank there (1 = first).
    pub rank: usize,
    /// The action.
    pub action: Action,
    /// The touchpoint's name, in the recommending view.
    pub touchpoint: Option<String>,
    /// Its lift in the recommending view.
    pub lift: f64,
    /// Its lift in the other view (`None`: does not apply there).
    pub other_lift: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// The operation in the recommending view.
    #[serde(skip)]
    pub operation: Operation,
    /// The same operation in the other view.
    #[serde(skip)]
    pub other_operation: Option<Operation>,
}

/// The delivery gap between a supplier's journey and the customers'.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Gap {
    /// The scale everything is reported on (the supplier's).
    pub scale: Scale,
    /// Whether the customers' emotions were rescaled onto it.
    pub rescaled: bool,
    /// The memory model.
    pub model: String,
    /// The supplier's view.
    pub supplier: View,
    /// The customers' view.
    pub customer: View,
    /// Customers minus supplier, remembered experience.
    pub difference: f64,
    /// The touchpoints both have, the largest difference first.
    pub touchpoints: Vec<Paired>,
    /// Names of touchpoints only the supplier's journey has.
    pub only_supplier: Vec<String>,
    /// Names of touchpoints only the customers' journey has.
    pub only_customer: Vec<String>,
    /// Customers whose memory changes sign.
    pub sign: SignChange,
    /// Each view's first recommendations, checked in the other.
    pub advice: Vec<AdviceCheck>,
}

/// Why two journeys cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GapError {
    /// A mapping names a touchpoint a journey does not have.
    #[error("the {side} journey has no touchpoint \"{name}\"{suggestion}")]
    UnknownTouchpoint {
        /// `supplier` or `customer`.
        side: &'static str,
        /// The name or id given.
        name: String,
        /// " (did you mean …?)" or empty.
        suggestion: String,
    },
    /// A touchpoint is mapped twice.
    #[error("the {side} touchpoint \"{name}\" is mapped twice")]
    MappedTwice {
        /// `supplier` or `customer`.
        side: &'static str,
        /// Its id.
        name: String,
    },
    /// Nothing pairs.
    #[error(
        "the journeys have no touchpoint in common (by id or name): give a mapping of supplier to customer touchpoints"
    )]
    NothingInCommon,
}

/// Letters and digits, lowercase.
fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A touchpoint by id, else by name.
fn find(j: &Journey, side: &'static str, name: &str) -> Result<usize, GapError> {
    let name = name.trim();
    j.index_of(name)
        .or_else(|| (0..j.len()).find(|&i| j.touchpoint(i).name == name))
        .ok_or_else(|| GapError::UnknownTouchpoint {
            side,
            name: name.to_string(),
            suggestion: crate::error::did_you_mean(
                name,
                (0..j.len()).map(|i| j.touchpoint(i).id.as_str()),
            )
            .map_or(String::new(), |m| format!(" (did you mean \"{m}\"?)")),
        })
}

/// Supplier index → customer index: the mapping, then ids, then names.
fn pair(
    s: &Journey,
    c: &Journey,
    mapping: &[(String, String)],
) -> Result<Vec<Option<usize>>, GapError> {
    let mut to = vec![None; s.len()];
    let mut taken = vec![false; c.len()];
    for (a, b) in mapping {
        let (i, k) = (find(s, "supplier", a)?, find(c, "customer", b)?);
        if to[i].is_some() {
            return Err(GapError::MappedTwice {
                side: "supplier",
                name: s.touchpoint(i).id.clone(),
            });
        }
        if taken[k] {
            return Err(GapError::MappedTwice {
                side: "customer",
                name: c.touchpoint(k).id.clone(),
            });
        }
        to[i] = Some(k);
        taken[k] = true;
    }
    for (i, slot) in to.iter_mut().enumerate() {
        if slot.is_none()
            && let Some(k) = c.index_of(&s.touchpoint(i).id).filter(|&k| !taken[k])
        {
            *slot = Some(k);
            taken[k] = true;
        }
    }
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for k in (0..c.len()).rev().filter(|&k| !taken[k]) {
        by_name.insert(key(&c.touchpoint(k).name), k);
    }
    for (i, slot) in to.iter_mut().enumerate() {
        if slot.is_none()
            && let Some(&k) = by_name.get(&key(&s.touchpoint(i).name))
            && !taken[k]
        {
            *slot = Some(k);
            taken[k] = true;
        }
    }
    if to.iter().all(Option::is_none) {
        return Err(GapError::NothingInCommon);
    }
    Ok(to)
}

/// Linear map of emotions from one scale onto another.
#[derive(Clone, Copy)]
struct Rescale {
    from: Scale,
    to: Scale,
}

impl Rescale {
    fn same(&self) -> bool {
        self.from.min == self.to.min && self.from.max == self.to.max
    }
    fn point(&self, x: f64) -> f64 {
        if self.same() {
            return x;
        }
        self.to.min
            + (x - self.from.min) / (self.from.max - self.from.min) * (self.to.max - self.to.min)
    }
    fn step(&self, d: f64) -> f64 {
        if self.same() {
            return d;
        }
        d / (self.from.max - self.from.min) * (self.to.max - self.to.min)
    }
}

fn top(shares: impl Iterator<Item = (usize, f64)>, j: &Journey) -> Option<Anchor> {
    shares
        .filter(|(_, s)| *s > 0.0)
        .fold(None::<(usize, f64)>, |best, (i, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((i, s)),
        })
        .map(|(i, share)| Anchor {
            id: j.touchpoint(i).id.clone(),
            name: j.touchpoint(i).name.clone(),
            share,
        })
}

fn view(j: &Journey, a: &Analysis, r: Rescale) -> View {
    View {
        name: j.spec().name.clone(),
        remembered: r.point(a.remembered.expected),
        exact: a.remembered.exact,
        mean: r.point(a.mean.expected),
        negative_share: a.distribution.negative_share,
        peak: top(a.touchpoints.iter().map(|t| t.peak_share).enumerate(), j),
        end: top(a.touchpoints.iter().map(|t| t.end_share).enumerate(), j),
        basis: crate::evidence::basis(j, a, None),
    }
}

impl Analyzer {
    /// The delivery gap between the supplier's journey and the customers'
    /// (see the module docs). `mapping` pairs supplier touchpoints with
    /// customer touchpoints (id or name each) before ids and names do.
    ///
    /// # Errors
    /// [`GapError`]: a mapping naming an unknown touchpoint or one twice;
    /// no touchpoint in common.
    pub fn gap(
        &self,
        supplier: &Journey,
        customer: &Journey,
        mapping: &[(String, String)],
        options: &GapOptions,
    ) -> Result<Gap, GapError> {
        let to = pair(supplier, customer, mapping)?;
        let (s_scale, c_scale) = (supplier.scale(), customer.scale());
        let onto_s = Rescale {
            from: c_scale,
            to: s_scale,
        };
        let same = Rescale {
            from: s_scale,
            to: s_scale,
        };
        let (sa, ca) = (self.analyze(supplier), self.analyze(customer));
        let mut touchpoints: Vec<Paired> = to
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (i, k)))
            .map(|(i, k)| {
                let (st, ct) = (supplier.touchpoint(i), customer.touchpoint(k));
                let ce = onto_s.point(ct.emotion);
                let ev = ct.evidence.as_ref();
                let measured = ev.filter(|e| e.kind != EvidenceKind::Assumed && e.n != Some(0));
                Paired {
                    supplier_id: st.id.clone(),
                    customer_id: ct.id.clone(),
                    name: ct.name.clone(),
                    supplier_emotion: st.emotion,
                    customer_emotion: ce,
                    difference: ce - st.emotion,
                    supplier_peak_share: sa.touchpoints[i].peak_share,
                    customer_peak_share: ca.touchpoints[k].peak_share,
                    supplier_visit: sa.touchpoints[i].visit,
                    customer_visit: ca.touchpoints[k].visit,
                    customer_evidence: measured.map_or(EvidenceKind::Assumed, |e| e.kind),
                    customer_n: measured.map_or(0, |e| e.n.unwrap_or(1)),
                }
            })
            .collect();
        touchpoints.sort_by(|a, b| {
            b.difference
                .abs()
                .total_cmp(&a.difference.abs())
                .then_with(|| a.supplier_id.cmp(&b.supplier_id))
        });
        let mut matched_c = vec![false; customer.len()];
        for k in to.iter().flatten() {
            matched_c[*k] = true;
        }
        let supplier_view = view(supplier, &sa, same);
        let customer_view = view(customer, &ca, onto_s);
        let sign = sign_change(self, supplier, customer, &to, options);
        let advice = advice(self, (supplier, &sa), (customer, &ca), &to, options.advice);
        Ok(Gap {
            scale: s_scale,
            rescaled: !onto_s.same(),
            model: self.model().name(),
            difference: customer_view.remembered - supplier_view.remembered,
            supplier: supplier_view,
            customer: customer_view,
            touchpoints,
            only_supplier: (0..supplier.len())
                .filter(|&i| to[i].is_none())
                .map(|i| supplier.touchpoint(i).name.clone())
                .collect(),
            only_customer: (0..customer.len())
                .filter(|&k| !matched_c[k])
                .map(|k| customer.touchpoint(k).name.clone())
                .collect(),
            sign,
            advice,
        })
    }
}

/// Customers whose memory changes sign: the customers' paths scored with
/// both views' emotions.
fn sign_change(
    analyzer: &Analyzer,
    s: &Journey,
    c: &Journey,
    to: &[Option<usize>],
    options: &GapOptions,
) -> SignChange {
    let onto_c = Rescale {
        from: s.scale(),
        to: c.scale(),
    };
    let mut believed: Vec<f64> = (0..c.len()).map(|k| c.touchpoint(k).emotion).collect();
    for (i, k) in to.iter().enumerate() {
        if let Some(k) = k {
            believed[*k] = onto_c
                .point(s.touchpoint(i).emotion)
                .clamp(c.scale().min, c.scale().max);
        }
    }
    let beliefs = c.clone().with_emotions(&believed);
    let (c_neutral, s_neutral) = (c.scale().neutral, onto_c.point(s.scale().neutral));
    let model = analyzer.model();
    let (mut em, mut du) = (Vec::new(), Vec::new());
    let mut tally = |path: &[usize], p: f64, acc: &mut (f64, f64)| {
        let (theirs, _) = crate::engine::score_path(c, model, path, &mut em, &mut du);
        let (ours, _) = crate::engine::score_path(&beliefs, model, path, &mut em, &mut du);
        if ours > s_neutral && theirs < c_neutral {
            acc.0 += p;
        } else if ours < s_neutral && theirs > c_neutral {
            acc.1 += p;
        }
    };
    let mut acc = (0.0, 0.0);
    if crate::engine::count_paths(c).steps <= ENUMERATION_LIMIT {
        crate::engine::enumerate(c, |path, p| tally(path, p, &mut acc));
        return SignChange {
            share: acc.0 + acc.1,
            rosier: acc.0,
            darker: acc.1,
            exact: true,
            standard_error: None,
            samples: None,
            seed: None,
        };
    }
    let sampler = crate::engine::Sampler::new(c);
    let mut rng = crate::engine::Rng::new(options.seed);
    let mut path = Vec::new();
    let w = 1.0 / options.samples as f64;
    for _ in 0..options.samples {
        sampler.draw(&mut rng, &mut path);
        tally(&path, w, &mut acc);
    }
    let share = acc.0 + acc.1;
    SignChange {
        share,
        rosier: acc.0,
        darker: acc.1,
        exact: false,
        standard_error: Some((share * (1.0 - share) / options.samples as f64).sqrt()),
        samples: Some(options.samples),
        seed: Some(options.seed),
    }
}

/// An operation of one view in the other: ids through the pairing; a
/// change of emotion as the same change (rescaled) from the other view's
/// emotion, kept on its scale — the same effort where the customers
/// really are; a new touchpoint's emotion rescaled; `None` when a
/// touchpoint has no partner.
fn translate(
    op: &Operation,
    ids: &dyn Fn(&str) -> Option<String>,
    (j, other): (&Journey, &Journey),
) -> Option<Operation> {
    let r = Rescale {
        from: j.scale(),
        to: other.scale(),
    };
    let moved = |id: &str, delta: f64| -> Option<Operation> {
        let theirs = ids(id)?;
        let now = other.touchpoint_by_id(&theirs)?.emotion;
        let sc = other.scale();
        Some(Operation::Set {
            id: theirs,
            emotion: (now + r.step(delta)).clamp(sc.min, sc.max),
        })
    };
    match op {
        Operation::Set { id, emotion } => moved(id, emotion - j.touchpoint_by_id(id)?.emotion),
        Operation::Shift { id, delta } => moved(id, *delta),
        Operation::Remove { id } => Some(Operation::Remove { id: ids(id)? }),
        Operation::Append { name, emotion } => Some(Operation::Append {
            name: name.clone(),
            emotion: r.point(*emotion),
        }),
        Operation::Probability {
            from,
            to,
            probability,
        } => Some(Operation::Probability {
            from: ids(from)?,
            to: ids(to)?,
            probability: *probability,
        }),
    }
}

/// One direction of the advice check: the recommending view, the other,
/// and how ids translate from the first to the second.
type Direction<'a> = (
    Side,
    (&'a Journey, &'a Analysis),
    (&'a Journey, &'a Analysis),
    &'a dyn Fn(&str) -> Option<String>,
);

/// Each view's first `k` recommendations, simulated in the other.
fn advice(
    analyzer: &Analyzer,
    (s, sa): (&Journey, &Analysis),
    (c, ca): (&Journey, &Analysis),
    to: &[Option<usize>],
    k: usize,
) -> Vec<AdviceCheck> {
    let s_to_c = |id: &str| {
        s.index_of(id)
            .and_then(|i| to[i])
            .map(|k| c.touchpoint(k).id.clone())
    };
    let c_to_s = |id: &str| {
        c.index_of(id).and_then(|k| {
            to.iter()
                .position(|x| *x == Some(k))
                .map(|i| s.touchpoint(i).id.clone())
        })
    };
    let mut out = Vec::new();
    let sides: [Direction<'_>; 2] = [
        (Side::Supplier, (s, sa), (c, ca), &s_to_c),
        (Side::Customer, (c, ca), (s, sa), &c_to_s),
    ];
    for (side, (j, a), (other, oa), ids) in sides {
        let back = Rescale {
            from: other.scale(),
            to: s.scale(),
        };
        let mine = Rescale {
            from: j.scale(),
            to: s.scale(),
        };
        let recs = analyzer.recommend(j, a, None);
        for (rank, x) in recs.recommendations.iter().take(k).enumerate() {
            let other_op = translate(&x.operation, ids, (j, other));
            let other_lift = other_op.as_ref().and_then(|op| {
                analyzer
                    .simulate(other, oa, std::slice::from_ref(op))
                    .ok()
                    .map(|sim| back.step(sim.delta))
            });
            let lift = mine.step(x.lift);
            let verdict = match other_lift {
                None => Verdict::DoesNotApply,
                Some(l) if l <= 1e-9 => Verdict::Wrong,
                Some(l) if l < lift / 2.0 => Verdict::Weaker,
                Some(_) => Verdict::Holds,
            };
            out.push(AdviceCheck {
                from: side,
                rank: rank + 1,
                action: x.action,
                touchpoint: x
                    .touchpoint
                    .as_deref()
                    .and_then(|id| j.touchpoint_by_id(id))
                    .map(|t| t.name.clone()),
                lift,
                other_lift,
                verdict,
                operation: x.operation.clone(),
                other_operation: other_op.filter(|_| other_lift.is_some()),
            });
        }
    }
    out
}
