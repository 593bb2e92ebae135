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
use crate::journey::{Journey, Scale, name_key};
use crate::recommend::Action;
use crate::simulate::Operation;
use crate::spec::EvidenceKind;

/// How to compare the two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GapOptions {
    /// Sampled paths when there are too many to enumerate (default: as the
    /// analysis, 20,000, or fewer for very long paths so that sampling
    /// visits about 500,000 touchpoints, never fewer than 500).
    pub samples: Option<usize>,
    /// The sampling seed.
    pub seed: u64,
    /// How many of each view's first recommendations are checked in the
    /// other (default 5).
    pub advice: usize,
}

impl Default for GapOptions {
    fn default() -> Self {
        GapOptions {
            samples: None,
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
        self.samples = Some(samples.clamp(1, crate::MAX_SAMPLES));
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
    /// The touchpoint most customers remember as the peak (with its
    /// discovered copies).
    pub peak: Option<Anchor>,
    /// The touchpoint most customers' journeys end on (with its
    /// discovered copies).
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
    /// Id in the customers' journey (with the supplier's id where one
    /// has it).
    pub customer_id: String,
    /// Its copies in the customers' journey (later rounds and ending
    /// copies of a discovered journey): the figures below add them up.
    pub copies: usize,
    /// Name (the supplier's journey's).
    pub name: String,
    /// The supplier's emotion.
    pub supplier_emotion: f64,
    /// The customers' emotion, on the supplier's scale (over copies,
    /// weighted by their visits).
    pub customer_emotion: f64,
    /// Customers minus supplier.
    pub difference: f64,
    /// Share of customers it is the remembered peak for, in each view.
    pub supplier_peak_share: f64,
    /// See `supplier_peak_share`.
    pub customer_peak_share: f64,
    /// Share of customers who pass it, in each view (for the customers,
    /// visits per customer over its copies).
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
    /// The other view's journey refuses the change (see `refused`).
    Refused,
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
    /// Its lift in the other view (`None`: does not apply there, or
    /// refused).
    pub other_lift: Option<f64>,
    /// Why the other view's journey refuses the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The operation in the recommending view.
    #[serde(skip)]
    pub operation: Operation,
    /// The same change in the other view (on every copy of the
    /// touchpoint there).
    #[serde(skip)]
    pub other_operations: Vec<Operation>,
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

impl GapError {
    /// The pair of the mapping the problem is in (0-based), to name its
    /// line.
    #[must_use]
    pub fn pair(&self) -> Option<usize> {
        match self {
            GapError::UnknownTouchpoint { pair, .. } | GapError::MappedTwice { pair, .. } => {
                Some(*pair)
            }
            GapError::NothingInCommon => None,
        }
    }
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
        /// Which pair of the mapping (0-based).
        pair: usize,
    },
    /// A touchpoint is mapped twice.
    #[error("the {side} touchpoint \"{name}\" is mapped twice")]
    MappedTwice {
        /// `supplier` or `customer`.
        side: &'static str,
        /// Its id.
        name: String,
        /// Which pair of the mapping (0-based).
        pair: usize,
    },
    /// Nothing pairs.
    #[error(
        "the journeys have no touchpoint in common (by id or name): give a mapping of supplier to customer touchpoints"
    )]
    NothingInCommon,
}

/// A touchpoint by id, else by name.
fn find(j: &Journey, side: &'static str, name: &str, pair: usize) -> Result<usize, GapError> {
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
            pair,
        })
}

/// Customer index → supplier index: the mapping, then ids, then the
/// ids discovery's copies share (`observed.base`: every round and ending
/// copy of a touchpoint pairs with it), then names. One to one except for
/// copies.
fn pair(
    s: &Journey,
    c: &Journey,
    mapping: &[(String, String)],
) -> Result<Vec<Option<usize>>, GapError> {
    let mut of = vec![None; c.len()];
    let mut used = vec![false; s.len()];
    for (pair, (a, b)) in mapping.iter().enumerate() {
        let (i, k) = (find(s, "supplier", a, pair)?, find(c, "customer", b, pair)?);
        if used[i] {
            return Err(GapError::MappedTwice {
                side: "supplier",
                name: s.touchpoint(i).id.clone(),
                pair,
            });
        }
        if of[k].is_some() {
            return Err(GapError::MappedTwice {
                side: "customer",
                name: c.touchpoint(k).id.clone(),
                pair,
            });
        }
        of[k] = Some(i);
        used[i] = true;
    }
    for (k, slot) in of.iter_mut().enumerate() {
        if slot.is_none()
            && let Some(i) = s.index_of(&c.touchpoint(k).id).filter(|&i| !used[i])
        {
            *slot = Some(i);
            used[i] = true;
        }
    }
    // Copies follow their base: to the supplier touchpoint the base is
    // paired with, or whose id it is.
    let paired: std::collections::HashMap<&str, usize> = of
        .iter()
        .enumerate()
        .filter_map(|(k, i)| i.map(|i| (c.touchpoint(k).id.as_str(), i)))
        .collect();
    let copies: Vec<(usize, usize)> = (0..c.len())
        .filter(|&k| of[k].is_none())
        .filter_map(|k| {
            let base = c.touchpoint(k).observed.as_ref()?.base.as_deref()?;
            let i = paired.get(base).copied().or_else(|| s.index_of(base))?;
            Some((k, i))
        })
        .collect();
    for (k, i) in copies {
        of[k] = Some(i);
        used[i] = true;
    }
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in (0..s.len()).rev().filter(|&i| !used[i]) {
        by_name.insert(name_key(&s.touchpoint(i).name), i);
    }
    for (k, slot) in of.iter_mut().enumerate() {
        if slot.is_none()
            && let Some(&i) = by_name.get(&name_key(&c.touchpoint(k).name))
            && !used[i]
        {
            *slot = Some(i);
            used[i] = true;
        }
    }
    if of.iter().all(Option::is_none) {
        return Err(GapError::NothingInCommon);
    }
    Ok(of)
}

/// Linear map of emotions from one scale onto another (exact where the
/// scales are the same).
#[derive(Clone, Copy)]
pub(crate) struct Rescale {
    from: Scale,
    to: Scale,
}

impl Rescale {
    #[cfg_attr(not(feature = "render"), allow(dead_code))]
    pub(crate) fn new(from: Scale, to: Scale) -> Rescale {
        Rescale { from, to }
    }
    fn same(&self) -> bool {
        self.from.min == self.to.min && self.from.max == self.to.max
    }
    pub(crate) fn point(&self, x: f64) -> f64 {
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

/// The touchpoint with the largest share, a touchpoint's discovered
/// copies (`observed.base`) counting with it (under its name where the
/// journey has it, else the first copy's); ties to the earlier in the file.
fn top(shares: impl Iterator<Item = (usize, f64)>, j: &Journey) -> Option<Anchor> {
    let mut groups: Vec<(String, String, f64)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, share) in shares {
        let t = j.touchpoint(i);
        let key = t
            .observed
            .as_ref()
            .and_then(|o| o.base.clone())
            .unwrap_or_else(|| t.id.clone());
        let g = *at.entry(key.clone()).or_insert_with(|| {
            let named = j.touchpoint_by_id(&key).unwrap_or(t);
            groups.push((named.id.clone(), named.name.clone(), 0.0));
            groups.len() - 1
        });
        groups[g].2 += share;
    }
    groups
        .into_iter()
        .filter(|g| g.2 > 0.0)
        .fold(None::<(String, String, f64)>, |best, g| match best {
            Some(b) if b.2 >= g.2 => Some(b),
            _ => Some(g),
        })
        .map(|(id, name, share)| Anchor { id, name, share })
}

/// A supplier touchpoint against its partners in the customers' journey
/// (itself and its discovered copies: later rounds, ending copies).
fn paired(
    s: &Journey,
    c: &Journey,
    (sa, ca): (&Analysis, &Analysis),
    (i, ks): (usize, &[usize]),
    onto_s: Rescale,
) -> Paired {
    let st = s.touchpoint(i);
    // The partner with the supplier's id, else the first.
    let first = ks
        .iter()
        .copied()
        .find(|&k| c.touchpoint(k).id == st.id)
        .unwrap_or(ks[0]);
    let visit: f64 = ks.iter().map(|&k| ca.touchpoints[k].visit).sum();
    let same = ks
        .iter()
        .all(|&k| c.touchpoint(k).emotion == c.touchpoint(first).emotion);
    let emotion = if !same && visit > 0.0 {
        ks.iter()
            .map(|&k| ca.touchpoints[k].visit * c.touchpoint(k).emotion)
            .sum::<f64>()
            / visit
    } else {
        c.touchpoint(first).emotion
    };
    let ce = onto_s.point(emotion);
    let measured = |k: usize| {
        c.touchpoint(k)
            .evidence
            .as_ref()
            .filter(|e| e.kind != EvidenceKind::Assumed && e.n != Some(0))
            .map(|e| (e.kind, e.n.unwrap_or(1)))
    };
    Paired {
        supplier_id: st.id.clone(),
        customer_id: c.touchpoint(first).id.clone(),
        copies: ks.len() - 1,
        name: st.name.clone(),
        supplier_emotion: st.emotion,
        customer_emotion: ce,
        difference: ce - st.emotion,
        supplier_peak_share: sa.touchpoints[i].peak_share,
        customer_peak_share: ks.iter().map(|&k| ca.touchpoints[k].peak_share).sum(),
        supplier_visit: sa.touchpoints[i].visit,
        customer_visit: visit,
        customer_evidence: measured(first).map_or(EvidenceKind::Assumed, |m| m.0),
        customer_n: ks.iter().filter_map(|&k| measured(k)).map(|m| m.1).sum(),
    }
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
        let of = pair(supplier, customer, mapping)?;
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
        let mut partners: Vec<Vec<usize>> = vec![Vec::new(); supplier.len()];
        for (k, i) in of.iter().enumerate() {
            if let Some(i) = i {
                partners[*i].push(k);
            }
        }
        let mut touchpoints: Vec<Paired> = partners
            .iter()
            .enumerate()
            .filter(|(_, ks)| !ks.is_empty())
            .map(|(i, ks)| paired(supplier, customer, (&sa, &ca), (i, ks), onto_s))
            .collect();
        touchpoints.sort_by(|a, b| {
            b.difference
                .abs()
                .total_cmp(&a.difference.abs())
                .then_with(|| a.customer_id.cmp(&b.customer_id))
        });
        let supplier_view = view(supplier, &sa, same);
        let customer_view = view(customer, &ca, onto_s);
        let length: f64 = ca.touchpoints.iter().map(|t| t.visit).sum();
        let samples = options.samples.unwrap_or_else(|| {
            crate::Options::new()
                .seed(options.seed)
                .sample_count(length)
        });
        let sign = sign_change(self, supplier, customer, &of, (samples, options.seed));
        let advice = advice(self, (supplier, &sa), (customer, &ca), &of, options.advice);
        Ok(Gap {
            scale: s_scale,
            rescaled: !onto_s.same(),
            model: self.model().name(),
            difference: customer_view.remembered - supplier_view.remembered,
            supplier: supplier_view,
            customer: customer_view,
            touchpoints,
            only_supplier: (0..supplier.len())
                .filter(|&i| partners[i].is_empty())
                .map(|i| supplier.touchpoint(i).name.clone())
                .collect(),
            only_customer: (0..customer.len())
                .filter(|&k| of[k].is_none())
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
    of: &[Option<usize>],
    (samples, seed): (usize, u64),
) -> SignChange {
    let onto_c = Rescale {
        from: s.scale(),
        to: c.scale(),
    };
    let mut believed: Vec<f64> = (0..c.len()).map(|k| c.touchpoint(k).emotion).collect();
    for (k, i) in of.iter().enumerate() {
        if let Some(i) = i {
            believed[k] = onto_c
                .point(s.touchpoint(*i).emotion)
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
    let mut rng = crate::engine::Rng::new(seed);
    let mut path = Vec::new();
    let w = 1.0 / samples as f64;
    for _ in 0..samples {
        sampler.draw(&mut rng, &mut path);
        tally(&path, w, &mut acc);
    }
    let share = acc.0 + acc.1;
    SignChange {
        share,
        rosier: acc.0,
        darker: acc.1,
        exact: false,
        standard_error: Some((share * (1.0 - share) / samples as f64).sqrt()),
        samples: Some(samples),
        seed: Some(seed),
    }
}

/// An operation of one view in the other: ids through the pairing; a
/// change of emotion as the same change (rescaled) from the other view's
/// emotion, kept on its scale — the same effort where the customers
/// really are; a new touchpoint's emotion rescaled; `None` when a
/// touchpoint has no partner.
fn translate(
    op: &Operation,
    ids: &dyn Fn(&str) -> Vec<String>,
    (j, other): (&Journey, &Journey),
) -> Option<Vec<Operation>> {
    let r = Rescale {
        from: j.scale(),
        to: other.scale(),
    };
    let sc = other.scale();
    // Every partner (a touchpoint and its copies) moves by the same step.
    let moved = |id: &str, delta: f64| -> Option<Vec<Operation>> {
        let ops: Vec<Operation> = ids(id)
            .into_iter()
            .filter_map(|theirs| {
                let now = other.touchpoint_by_id(&theirs)?.emotion;
                Some(Operation::Set {
                    id: theirs,
                    emotion: (now + r.step(delta)).clamp(sc.min, sc.max),
                })
            })
            .collect();
        (!ops.is_empty()).then_some(ops)
    };
    let first = |id: &str| ids(id).into_iter().next();
    match op {
        Operation::Set { id, emotion } => moved(id, emotion - j.touchpoint_by_id(id)?.emotion),
        Operation::Shift { id, delta } => moved(id, *delta),
        Operation::Remove { id } => {
            let all = ids(id);
            (!all.is_empty()).then(|| all.into_iter().map(|id| Operation::Remove { id }).collect())
        }
        Operation::Append { name, emotion } => Some(vec![Operation::Append {
            name: name.clone(),
            emotion: r.point(*emotion),
        }]),
        Operation::Probability {
            from,
            to,
            probability,
        } => Some(vec![Operation::Probability {
            from: first(from)?,
            to: first(to)?,
            probability: *probability,
        }]),
    }
}

/// One direction of the advice check: the recommending view, the other,
/// and how ids translate from the first to the second.
type Direction<'a> = (
    Side,
    (&'a Journey, &'a Analysis),
    (&'a Journey, &'a Analysis),
    &'a dyn Fn(&str) -> Vec<String>,
);

/// Each view's first `k` recommendations, simulated in the other.
fn advice(
    analyzer: &Analyzer,
    (s, sa): (&Journey, &Analysis),
    (c, ca): (&Journey, &Analysis),
    of: &[Option<usize>],
    k: usize,
) -> Vec<AdviceCheck> {
    // A supplier touchpoint's partners: the one with its id first, then
    // the others (copies) in file order.
    let s_to_c = |id: &str| -> Vec<String> {
        let Some(i) = s.index_of(id) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = (0..c.len())
            .filter(|&k| of[k] == Some(i))
            .map(|k| c.touchpoint(k).id.clone())
            .collect();
        ids.sort_by_key(|x| x != id);
        ids
    };
    let c_to_s = |id: &str| -> Vec<String> {
        c.index_of(id)
            .and_then(|k| of[k])
            .map(|i| s.touchpoint(i).id.clone())
            .into_iter()
            .collect()
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
            let simulated = other_op.as_ref().map(|ops| {
                analyzer
                    .simulate(other, oa, ops)
                    .map(|sim| back.step(sim.delta))
            });
            let (other_lift, refused) = match simulated {
                Some(Ok(l)) => (Some(l), None),
                Some(Err(e)) => (None, Some(e.to_string())),
                None => (None, None),
            };
            let lift = mine.step(x.lift);
            let verdict = match (other_lift, &refused) {
                (None, Some(_)) => Verdict::Refused,
                (None, None) => Verdict::DoesNotApply,
                (Some(l), _) if l <= 1e-9 => Verdict::Wrong,
                (Some(l), _) if l < lift / 2.0 => Verdict::Weaker,
                (Some(_), _) => Verdict::Holds,
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
                refused,
                verdict,
                operation: x.operation.clone(),
                other_operations: other_op
                    .filter(|_| other_lift.is_some())
                    .unwrap_or_default(),
            });
        }
    }
    out
}
