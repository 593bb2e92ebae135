//! Who owns the memory: per owner, per stage and per channel, the share of
//! customers whose remembered peak and whose ending fall there, and how much
//! memory moves with a raise there (the summed memory weight). In B2B the
//! experience is made by teams — sales, delivery, billing, support — and
//! this says which team holds the moments customers remember.

use crate::analysis::{Analysis, Analyzer};
use crate::journey::Journey;
use serde::Serialize;
use std::collections::BTreeMap;

/// One owner, stage or channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Group {
    /// The owner or channel as written, or the stage id; `None` for the
    /// touchpoints that name none (listed only when others do).
    pub name: Option<String>,
    /// Display name (the stage's name; else as `name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its touchpoints' ids, in file order.
    pub touchpoints: Vec<String>,
    /// Share of customers whose remembered peak falls here (the peak-end
    /// rule's peak, whatever the model).
    pub peak_share: f64,
    /// Share of customers whose journey ends here.
    pub end_share: f64,
    /// Sum of its touchpoints' memory weights: how much the expected
    /// remembered experience moves per unit raise of all of them.
    pub memory_weight: f64,
}

/// The memory by owner, by stage and by channel. A list is empty when no
/// touchpoint names one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Ownership {
    /// By `owner` (team), most remembered first.
    pub owners: Vec<Group>,
    /// By stage, in the order of the journey's stages.
    pub stages: Vec<Group>,
    /// By `channel`, most remembered first.
    pub channels: Vec<Group>,
}

impl Analyzer {
    /// Who owns the memory of an analysed journey: see [`Ownership`].
    #[must_use]
    pub fn ownership(&self, journey: &Journey, analysis: &Analysis) -> Ownership {
        Ownership::find(journey, analysis)
    }
}

impl Ownership {
    /// Group an analysed journey's touchpoints by owner, stage and channel.
    ///
    /// Complexity O(V log V).
    ///
    /// ```
    /// use peakend::{analyze, Journey, Model, Options, Ownership};
    /// let j = Journey::from_json_str(r#"{"version":1,"name":"x","touchpoints":[
    ///   {"id":"a","name":"Invoice error","emotion":-8,"owner":"Billing"},
    ///   {"id":"b","name":"Fixed","emotion":2,"owner":"Support"}]}"#).unwrap();
    /// let o = Ownership::find(&j, &analyze(&j, &Model::PeakEnd, &Options::new()));
    /// assert_eq!(o.owners[0].name.as_deref(), Some("Billing"));
    /// assert_eq!(o.owners[0].peak_share, 1.0);
    /// assert_eq!(o.owners[1].end_share, 1.0);
    /// assert!(o.channels.is_empty());
    /// ```
    #[must_use]
    pub fn find(journey: &Journey, analysis: &Analysis) -> Ownership {
        let spec = journey.spec();
        let stage_names: BTreeMap<&str, &str> = spec
            .stages
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str()))
            .collect();
        let mut stages = groups(analysis, |i| spec.touchpoints[i].stage.clone());
        let rank: BTreeMap<&str, usize> = spec
            .stages
            .iter()
            .enumerate()
            .map(|(k, s)| (s.id.as_str(), k))
            .collect();
        stages.sort_by_key(|g| g.name.as_deref().map_or(usize::MAX, |n| rank[n]));
        for g in &mut stages {
            g.label = g
                .name
                .as_deref()
                .and_then(|n| stage_names.get(n))
                .map(|s| (*s).to_string());
        }
        Ownership {
            owners: by_memory(groups(analysis, |i| spec.touchpoints[i].owner.clone())),
            stages,
            channels: by_memory(groups(analysis, |i| spec.touchpoints[i].channel.clone())),
        }
    }
}

/// Group touchpoints by a key; empty when no touchpoint has one.
fn groups(analysis: &Analysis, key: impl Fn(usize) -> Option<String>) -> Vec<Group> {
    let mut by: BTreeMap<Option<String>, Group> = BTreeMap::new();
    for (i, t) in analysis.touchpoints.iter().enumerate() {
        let k = key(i);
        let g = by.entry(k.clone()).or_insert_with(|| Group {
            label: k.clone(),
            name: k,
            touchpoints: Vec::new(),
            peak_share: 0.0,
            end_share: 0.0,
            memory_weight: 0.0,
        });
        g.touchpoints.push(t.id.clone());
        g.peak_share += t.peak_share;
        g.end_share += t.end_share;
        g.memory_weight += t.memory_weight;
    }
    if by.keys().all(Option::is_none) {
        return Vec::new();
    }
    by.into_values().collect()
}

/// Most remembered first (peak plus end share), then by name; the
/// touchpoints that name none last.
fn by_memory(mut v: Vec<Group>) -> Vec<Group> {
    v.sort_by(|a, b| {
        a.name
            .is_none()
            .cmp(&b.name.is_none())
            .then((b.peak_share + b.end_share).total_cmp(&(a.peak_share + a.end_share)))
            .then(a.name.cmp(&b.name))
    });
    v
}
