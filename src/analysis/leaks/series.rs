//! The series of snapshots behind a leak report: what each one contributes
//! (its newest id, class counts, a sample of its newest objects), capture
//! order, and the checks that they come from one process.

use super::super::fasthash::FastMap;
use super::super::process::SharedIds;
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
    /// Recent objects: `(id, type, name)` of up to 256 objects with the
    /// newest ids, to tell whether a later snapshot is of the same process.
    #[serde(default)]
    pub recent: Vec<(u32, String, String)>,
}

/// Objects sampled per snapshot for the same-process check.
const SAMPLE: usize = 256;

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
            recent: recent_objects(s),
        }
    }
}

/// `(id, type, name)` of the objects with the newest odd ids (program objects,
/// not the deterministic start-up heap): the same id in a later snapshot of
/// the same process is the same object, so it has the same type and name.
fn recent_objects(s: &HeapSnapshot) -> Vec<(u32, String, String)> {
    let g = &s.graph;
    let mut newest: Vec<usize> = (0..g.node_count())
        .filter(|&n| g.node_id[n] % 2 == 1)
        .collect();
    let keep = newest.len().saturating_sub(SAMPLE);
    if keep > 0 {
        newest.select_nth_unstable_by_key(keep, |&n| g.node_id[n]);
    }
    newest[keep..]
        .iter()
        .map(|&n| {
            (
                g.node_id[n],
                g.type_name(n).to_owned(),
                g.name(n).to_owned(),
            )
        })
        .collect()
}

/// Warns when the objects sampled from an earlier snapshot mostly turn up
/// in `last` as different objects under the same ids: ids restart in every
/// process, so such snapshots cannot be compared by id.
pub(super) fn same_process_warnings(last: &HeapSnapshot, facts: &[SnapshotFacts]) -> Vec<String> {
    let g = &last.graph;
    let mut wanted: FastMap<u32, Vec<(usize, &str, &str)>> = FastMap::default();
    for (i, f) in facts.iter().enumerate() {
        for (id, t, name) in &f.recent {
            wanted.entry(*id).or_default().push((i, t, name));
        }
    }
    let mut same = vec![0usize; facts.len()];
    let mut different = vec![0usize; facts.len()];
    for n in 0..g.node_count() {
        if let Some(samples) = wanted.get(&g.node_id[n]) {
            for &(i, t, name) in samples {
                if t == g.type_name(n) && name == g.name(n) {
                    same[i] += 1;
                } else {
                    different[i] += 1;
                }
            }
        }
    }
    let last_name = facts
        .last()
        .map_or("the last snapshot", |f| f.name.as_str());
    facts
        .iter()
        .enumerate()
        .filter(|&(i, _)| {
            let shared = SharedIds {
                same: same[i],
                different: different[i],
            };
            shared.different_processes()
        })
        .map(|(i, f)| {
            format!(
                "{} and {last_name} look like snapshots of different processes: {} of the {} objects \
                 they share ids with are different objects, so 'allocated between' means nothing across them",
                f.name,
                different[i],
                same[i] + different[i]
            )
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
