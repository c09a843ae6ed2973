//! Summary aggregation (DevTools' `buildAggregates` +
//! `calculateClassesRetainedSize`): per class key, count, minimum distance,
//! shallow size and a retained size that never double counts.

use super::HeapSnapshot;
use crate::snapshot::NodeIndex;

/// One Summary row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassAggregate {
    /// Class key id (see [`super::classes::Classes::keys`]).
    pub key: u32,
    /// Members with a non-zero shallow size that pass the filter.
    pub count: u32,
    /// Smallest raw distance among members.
    pub distance: i32,
    /// Sum of shallow sizes.
    pub self_size: u64,
    /// Sum of retained sizes of members not dominated by another member.
    pub retained_size: u64,
}

/// Aggregates nodes passing `filter` by class key, in first-seen order.
pub fn aggregate(s: &HeapSnapshot, filter: impl Fn(usize) -> bool) -> Vec<ClassAggregate> {
    let g = &s.graph;
    let key_of = &s.classes.key_of;
    let nkeys = s.classes.keys.len();
    let mut row_of = vec![u32::MAX; nkeys];
    let mut rows: Vec<ClassAggregate> = Vec::new();
    for n in 0..g.node_count() {
        let size = g.self_size[n];
        if size == 0 || !filter(n) {
            continue;
        }
        let key = key_of[n];
        let d = s.distances[n];
        match row_of[key as usize] {
            u32::MAX => {
                row_of[key as usize] = rows.len() as u32;
                rows.push(ClassAggregate {
                    key,
                    count: 1,
                    distance: d,
                    self_size: size as u64,
                    retained_size: 0,
                });
            }
            r => {
                let row = &mut rows[r as usize];
                row.count += 1;
                row.distance = row.distance.min(d);
                row.self_size += size as u64;
            }
        }
    }
    // Walk the dominator tree keeping the classes "open" on the current path:
    // a member adds its retained size only if no counted ancestor shares its class.
    let dom = &s.dominators;
    let tree = dom.tree();
    let mut open = vec![false; nkeys];
    let mut list: Vec<NodeIndex> = vec![g.root()];
    let mut marks: Vec<(usize, u32)> = Vec::new();
    while let Some(n) = list.pop() {
        let n = n.index();
        let key = key_of[n];
        let children = tree.children(n);
        if !open[key as usize] && g.self_size[n] > 0 && filter(n) {
            let r = row_of[key as usize];
            rows[r as usize].retained_size += dom.retained.get(n);
            if !children.is_empty() {
                open[key as usize] = true;
                marks.push((list.len(), key));
            }
        }
        list.extend_from_slice(children);
        while marks.last().is_some_and(|&(len, _)| len == list.len()) {
            let (_, k) = marks.pop().unwrap_or_default();
            open[k as usize] = false;
        }
    }
    rows
}
