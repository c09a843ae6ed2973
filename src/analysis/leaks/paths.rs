//! Retaining paths of the leak report: one parent edge per node along a
//! shortest path from the roots (from the user's roots where one exists, else
//! from V8's own: `(Global handles)`, `(Stack roots)`, …), never over weak
//! edges and preferring program edges over V8's internal ones; the shape of a
//! path, for grouping; and runs of repeated hops (linked lists, closure
//! chains) collapsed into one block with a count.

use super::super::distances::NO_DISTANCE;
use super::super::HeapSnapshot;
use super::PathStep;

/// Hops walked from a member towards the root before giving up.
const MAX_PATH: usize = 100_000;
/// A node with more outgoing edges than this is a collection: the names of
/// its edges are data (Map keys, registry ids), not structure.
const COLLECTION_EDGES: usize = 64;
/// The longest cycle of hops that collapses into one repeated block.
const MAX_CYCLE: usize = 4;
/// An edge name folded away in a path's shape (an index, a key).
const DATA: u32 = u32::MAX;
/// No parent.
const NONE: u32 = u32::MAX;

/// One hop of a path's shape: the folded edge name and the node's class key.
pub(super) type ShapeKey = (u32, u32);

/// The parent edge (and its source) of every node on a shortest retaining path.
pub(super) struct Parents {
    edge: Vec<u32>,
    source: Vec<u32>,
}

/// A hop: a node and the edge by which its parent holds it.
type Hop = (usize, Option<usize>);

impl Parents {
    /// Picks, for every reached node, the least noisy edge from a node one
    /// step closer to the roots. DevTools' distances run from the user roots
    /// first and then from the root for the rest, so both kinds of path exist.
    pub(super) fn new(s: &HeapSnapshot) -> Parents {
        let g = &s.graph;
        let weak = g.meta.edge_kinds.weak;
        let d = &s.distances;
        let root = g.root();
        let mut edge = vec![NONE; g.node_count()];
        let mut source = vec![NONE; g.node_count()];
        let mut score = vec![u8::MAX; g.node_count()];
        for src in 0..g.node_count() {
            if d[src] == NO_DISTANCE {
                continue;
            }
            for e in g.edges(src) {
                let to = g.edge_to[e] as usize;
                let next = d[to] == d[src] + 1 || (src == root && d[to] == 1);
                if g.edge_type[e] == weak || !next || to == root {
                    continue;
                }
                let sc = noise(s, e, src);
                if sc < score[to] {
                    score[to] = sc;
                    edge[to] = e as u32;
                    source[to] = src as u32;
                }
            }
        }
        Parents { edge, source }
    }

    /// The node one step closer to the roots.
    pub(super) fn parent(&self, node: usize) -> Option<usize> {
        (self.source[node] != NONE).then_some(self.source[node] as usize)
    }

    /// The hops from the roots to `node`: the synthetic root and `(GC roots)`
    /// are left out, so a path starts at `global`, `Window` or one of V8's
    /// root categories such as `(Global handles)`.
    fn hops(&self, s: &HeapSnapshot, node: usize) -> Vec<Hop> {
        let g = &s.graph;
        let mut hops: Vec<Hop> = Vec::new();
        let mut cur = node;
        while let Some(p) = self.parent(cur) {
            if hops.len() >= MAX_PATH {
                break;
            }
            hops.push((cur, Some(self.edge[cur] as usize)));
            cur = p;
        }
        hops.push((cur, None));
        hops.reverse();
        let synthetic = g.meta.node_kinds.synthetic;
        let skipped =
            |n: usize| n == g.root() || (g.node_type[n] == synthetic && g.name(n) == "(GC roots)");
        let lead = hops
            .iter()
            .take(hops.len() - 1)
            .take_while(|&&(n, _)| skipped(n))
            .count();
        hops.drain(..lead);
        hops[0].1 = None;
        hops
    }

    /// The shape of the path to `node`, which groups members: data is folded
    /// away (indexes, numbered slots, collection keys, and the name by which
    /// the member itself is held) and repeated runs of hops count once.
    pub(super) fn shape(&self, s: &HeapSnapshot, node: usize) -> Vec<ShapeKey> {
        let g = &s.graph;
        let hops = self.hops(s, node);
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
                            g.edge_name[e]
                        }
                    }
                };
                (name, s.classes.key_of[n])
            })
            .collect();
        runs(&keys)
            .into_iter()
            .flat_map(|r| keys[r.start..r.start + r.span].iter().copied())
            .collect()
    }

    /// The path to `node` as steps, each repeated run of hops shown once with
    /// its count on the run's first step.
    pub(super) fn steps(&self, s: &HeapSnapshot, node: usize) -> Vec<PathStep> {
        let g = &s.graph;
        let hops = self.hops(s, node);
        let keys: Vec<(u32, u8, u32)> = hops
            .iter()
            .map(|&(n, e)| {
                let edge = e.map_or((DATA, 0), |e| (g.edge_name[e], g.edge_type[e]));
                (edge.0, edge.1, s.classes.key_of[n])
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

/// How much a retaining edge looks like V8 bookkeeping rather than program
/// structure (lower is better): memlab's preferences, simplified.
fn noise(s: &HeapSnapshot, e: usize, source: usize) -> u8 {
    let g = &s.graph;
    let k = g.meta.node_kinds;
    let ek = g.meta.edge_kinds;
    let t = g.edge_type[e];
    let st = g.node_type[source];
    if let Some(name) = g.edge_name_str(e) {
        if name == "feedback_cell" || name.contains("part of key") || name == "code" {
            return 3;
        }
    }
    if st == k.hidden || st == k.code || g.type_name(source) == "object shape" {
        return 2;
    }
    if t == ek.internal || t == ek.hidden {
        return 1;
    }
    0
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

fn step(s: &HeapSnapshot, node: usize, edge: Option<usize>) -> PathStep {
    let g = &s.graph;
    PathStep {
        node: label(s, node),
        edge: edge.map(|e| g.edge_name(e)).unwrap_or_default(),
        edge_type: edge
            .map(|e| g.edge_type_name(e).to_owned())
            .unwrap_or_default(),
        id: g.node_id[node],
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
