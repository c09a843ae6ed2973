//! Retaining paths of the leak report: one parent edge per node along a
//! shortest path from the roots (from the user's roots where one exists, else
//! from V8's own: `(Global handles)`, `(Stack roots)`, …), never over weak
//! edges and preferring program edges over V8's internal ones; the shape of a
//! path, for grouping; and runs of repeated hops (linked lists, closure
//! chains) collapsed into one block with a count.

use super::super::paths::{Hop, Parents};
use super::super::HeapSnapshot;
use super::PathStep;
use crate::snapshot::{EdgeIndex, NodeIndex};

/// A node with more outgoing edges than this is a collection: the names of
/// its edges are data (Map keys, registry ids), not structure.
const COLLECTION_EDGES: usize = 64;
/// The longest cycle of hops that collapses into one repeated block.
const MAX_CYCLE: usize = 4;
/// An edge name folded away in a path's shape (an index, a key).
const DATA: u32 = u32::MAX;

/// One hop of a path's shape: the folded edge name and the node's class key.
pub(super) type ShapeKey = (u32, u32);

/// The shape of the path to `node`, which groups members: data is folded
/// away (indexes, numbered slots, collection keys, and the name by which
/// the member itself is held) and repeated runs of hops count once.
pub(super) fn shape(parents: &Parents, s: &HeapSnapshot, node: usize) -> Vec<ShapeKey> {
    let g = &s.graph;
    let hops: Vec<Hop> = parents.hops(s, node);
    let last = hops.len() - 1;
    let keys: Vec<ShapeKey> = hops
        .iter()
        .enumerate()
        .map(|(i, &(n, e))| {
            let name = match e {
                None => DATA,
                Some(e) => {
                    let data = g.edge_has_index(e)
                        || i == last
                        || g.edge_name_str(e)
                            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                        || g.edges(hops[i - 1].0).len() > COLLECTION_EDGES;
                    if data {
                        DATA
                    } else {
                        g.edge_name[e.index()]
                    }
                }
            };
            (name, s.classes.key_of[n.index()])
        })
        .collect();
    runs(&keys)
        .into_iter()
        .flat_map(|r| keys[r.start..r.start + r.span].iter().copied())
        .collect()
}

/// The path to `node` as steps, each repeated run of hops shown once with
/// its count on the run's first step.
pub(crate) fn steps(parents: &Parents, s: &HeapSnapshot, node: usize) -> Vec<PathStep> {
    let g = &s.graph;
    let hops: Vec<Hop> = parents.hops(s, node);
    let keys: Vec<(u32, u8, u32)> = hops
        .iter()
        .map(|&(n, e)| {
            let edge = e.map_or((DATA, 0), |e| {
                (g.edge_name[e.index()], g.edge_type[e.index()])
            });
            (edge.0, edge.1, s.classes.key_of[n.index()])
        })
        .collect();
    let mut steps = Vec::new();
    for run in runs(&keys) {
        for (k, &(n, e)) in hops[run.start..run.start + run.span].iter().enumerate() {
            let mut step = step(s, n, e);
            if k == 0 && run.count > 1 {
                step.repeat = Some(run.count as u32);
                step.repeat_span = (run.span > 1).then_some(run.span as u32);
            }
            steps.push(step);
        }
    }
    steps
}

/// A run of hops: `span` hops from `start`, repeated `count` times in a row.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    start: usize,
    span: usize,
    count: usize,
}

/// Splits `keys` into runs, greedily from the root side: at each position
/// the cycle of 1 to [`MAX_CYCLE`] hops that repeats over the most hops
/// (the shortest on a tie), or a single hop.
fn runs<K: Eq>(keys: &[K]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let mut best = Run {
            start: i,
            span: 1,
            count: 1,
        };
        for span in 1..=MAX_CYCLE {
            let block = match keys.get(i..i + span) {
                Some(b) => b,
                None => break,
            };
            let mut count = 1;
            while keys.get(i + count * span..i + (count + 1) * span) == Some(block) {
                count += 1;
            }
            if count > 1 && count * span > best.count * best.span {
                best = Run {
                    start: i,
                    span,
                    count,
                };
            }
        }
        i += best.span * best.count;
        out.push(best);
    }
    out
}

/// A node as a path shows it: functions by their own name (`onTick()`, or
/// `(anonymous function)`),
/// synthetic roots by theirs, everything else by its class.
pub(super) fn label(s: &HeapSnapshot, node: usize) -> String {
    let g = &s.graph;
    let t = g.node_type[node];
    let k = g.meta.node_kinds;
    if t == k.closure {
        match g.name(node) {
            "" => "(anonymous function)".to_owned(),
            name => format!("{name}()"),
        }
    } else if t == k.synthetic {
        g.name(node).to_owned()
    } else {
        s.classes.class_name(node).to_owned()
    }
}

fn step(s: &HeapSnapshot, node: NodeIndex, edge: Option<EdgeIndex>) -> PathStep {
    let g = &s.graph;
    PathStep {
        node: label(s, node.index()),
        edge: edge.map(|e| g.edge_name(e)).unwrap_or_default(),
        edge_type: edge
            .map(|e| g.edge_type_name(e).to_owned())
            .unwrap_or_default(),
        id: g.id(node).0,
        repeat: None,
        repeat_span: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{runs, Run};

    fn shape(keys: &str) -> Vec<(usize, usize, usize)> {
        let keys: Vec<char> = keys.chars().collect();
        runs(&keys)
            .into_iter()
            .map(|Run { start, span, count }| (start, span, count))
            .collect()
    }

    #[test]
    fn a_hop_repeated_in_a_row_is_one_run() {
        assert_eq!(shape("abbbc"), [(0, 1, 1), (1, 1, 3), (4, 1, 1)]);
    }

    #[test]
    fn a_cycle_of_three_hops_repeated_is_one_run() {
        // global › theThing › (someMethod › context › originalThing) × 3 › member
        assert_eq!(shape("gtscoscosco"), [(0, 1, 1), (1, 1, 1), (2, 3, 3)]);
    }

    #[test]
    fn the_run_covering_more_hops_wins_and_ties_go_to_the_shorter_cycle() {
        assert_eq!(shape("aaaa"), [(0, 1, 4)]);
        assert_eq!(shape("ababab"), [(0, 2, 3)]);
        assert_eq!(shape("abcdabcdx"), [(0, 4, 2), (8, 1, 1)]);
        assert_eq!(
            shape("abcdeabcde"),
            (0..10).map(|i| (i, 1, 1)).collect::<Vec<_>>()
        );
    }
}
