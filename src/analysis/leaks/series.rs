//! The series of snapshots behind a leak report: what each one contributes
//! (its newest id, class counts, a sample of its newest objects), capture
//! order, and the checks that they come from one process.

use super::super::process::{newest_objects, shared_ids};
use super::super::HeapSnapshot;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the report needs from every snapshot of the series, in capture order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotFacts {
    /// A name for messages (file name).
    pub name: String,
    /// Largest odd object id.
    pub max_js_id: u32,
    /// Object count per class name (Summary, all objects).
    pub class_counts: HashMap<String, u64>,
    /// Total size.
    pub total_size: u64,
    /// Recent objects: `(id, class name, shallow size)` of up to 256
    /// objects with the newest ids, to tell whether a later snapshot is of
    /// the same process (`process::newest_objects`).
    #[serde(default)]
    pub recent: Vec<(u32, String, u32)>,
}

impl SnapshotFacts {
    /// Collects the facts of one snapshot.
    pub fn of(name: &str, s: &HeapSnapshot, rows: &[(String, u64)]) -> SnapshotFacts {
        let mut class_counts = HashMap::new();
        for (class, count) in rows {
            *class_counts.entry(class.clone()).or_insert(0) += count;
        }
        SnapshotFacts {
            name: name.to_owned(),
            max_js_id: s.max_js_id(),
            class_counts,
            total_size: s.total_size(),
            recent: newest_objects(s),
        }
    }
}

/// Warns when the objects sampled from an earlier snapshot mostly turn up
/// in `last` as different objects under the same ids: ids restart in every
/// process, so such snapshots cannot be compared by id.
pub(super) fn same_process_warnings(last: &HeapSnapshot, facts: &[SnapshotFacts]) -> Vec<String> {
    let last_name = facts
        .last()
        .map_or("the last snapshot", |f| f.name.as_str());
    let lost = "'allocated between' means nothing across them";
    facts
        .iter()
        .filter_map(|f| {
            let sample = f
                .recent
                .iter()
                .map(|(id, class, size)| (*id, class.as_str(), *size));
            shared_ids(sample, last).warning(&f.name, last_name, lost)
        })
        .collect()
}

/// Checks the series and puts it in capture order; returns warnings.
pub fn order_series(facts: &mut [SnapshotFacts]) -> Vec<String> {
    let mut warnings = Vec::new();
    if facts.len() < 3 {
        warnings.push(format!(
            "only {} snapshot(s): the 3-snapshot technique needs 3 or more of one process \
             (take one, repeat the action, take another, repeat, take a third)",
            facts.len()
        ));
    }
    let ordered = facts.windows(2).all(|w| w[0].max_js_id <= w[1].max_js_id);
    if !ordered {
        let before: Vec<String> = facts.iter().map(|f| f.name.clone()).collect();
        facts.sort_by_key(|f| f.max_js_id);
        let after: Vec<String> = facts.iter().map(|f| f.name.clone()).collect();
        warnings.push(format!(
            "the snapshots were not in capture order ({}); reordered by their newest object id: {}",
            before.join(", "),
            after.join(", ")
        ));
    }
    for w in facts.windows(2) {
        if w[0].max_js_id == w[1].max_js_id {
            warnings.push(format!(
                "{} and {} have the same newest object id: the same snapshot twice, or snapshots of different processes",
                w[0].name, w[1].name
            ));
        }
    }
    if let (Some(first), Some(last)) = (facts.first(), facts.last()) {
        // Object ids restart in a new process: a later snapshot whose newest
        // id is far below the number of objects it holds came from elsewhere.
        if facts.len() >= 2 && last.max_js_id < first.max_js_id {
            warnings.push(
                "object ids go backwards: these snapshots come from different processes, so \
                 'allocated between' means nothing across them"
                    .to_owned(),
            );
        }
    }
    warnings
}
