//! Shortest retaining paths, one way for every view: one parent edge per
//! node along DevTools' distances (from the user's roots where one exists,
//! else from V8's own: `(Global handles)`, `(Stack roots)`, …), never over
//! weak edges, preferring program edges over V8's internal ones. The leak
//! report, the Retainers pane and the command line all walk these parents.

use super::distances::NO_DISTANCE;
use super::HeapSnapshot;
use crate::snapshot::{EdgeIndex, NodeIndex};

/// Hops walked from a node towards the root before giving up.
const MAX_PATH: usize = 100_000;
/// No parent.
const NONE: u32 = u32::MAX;

/// The parent edge (and its source) of every node on a shortest retaining path.
pub struct Parents {
    edge: Vec<u32>,
    source: Vec<u32>,
}

/// A hop: a node and the edge by which its parent holds it (none on a
/// path's first hop).
pub type Hop = (NodeIndex, Option<EdgeIndex>);

impl Parents {
    /// Picks, for every reached node, the least noisy edge from a node one
    /// step closer to the roots by `d` (the snapshot's distances, or those
    /// with retainers ignored, in which case `ignored` marks them and they
    /// are nobody's parent). DevTools' distances run from the user roots
    /// first and then from the root for the rest, so both kinds of path exist.
    pub fn new(s: &HeapSnapshot, d: &[i32], ignored: Option<&[bool]>) -> Parents {
        let g = &s.graph;
        let weak = g.meta.edge_kinds.weak;
        let root = g.root().index();
        let mut edge = vec![NONE; g.node_count()];
        let mut source = vec![NONE; g.node_count()];
        let mut score = vec![u8::MAX; g.node_count()];
        for src in 0..g.node_count() {
            if d[src] == NO_DISTANCE || ignored.is_some_and(|i| i[src]) {
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

    /// The edge by which `node`'s parent holds it.
    pub fn edge(&self, node: impl Into<NodeIndex>) -> Option<EdgeIndex> {
        let e = self.edge[node.into().index()];
        (e != NONE).then_some(EdgeIndex(e))
    }

    /// The node one step closer to the roots.
    pub fn parent(&self, node: impl Into<NodeIndex>) -> Option<NodeIndex> {
        let p = self.source[node.into().index()];
        (p != NONE).then_some(NodeIndex(p))
    }

    /// The hops from the roots to `node`: the synthetic root and `(GC roots)`
    /// are left out, so a path starts at `global`, `Window` or one of V8's
    /// root categories such as `(Global handles)`.
    pub fn hops(&self, s: &HeapSnapshot, node: impl Into<NodeIndex>) -> Vec<Hop> {
        let g = &s.graph;
        let mut hops: Vec<Hop> = Vec::new();
        let mut cur = node.into();
        while let Some(p) = self.parent(cur) {
            if hops.len() >= MAX_PATH {
                break;
            }
            hops.push((cur, self.edge(cur)));
            cur = p;
        }
        hops.push((cur, None));
        hops.reverse();
        let synthetic = g.meta.node_kinds.synthetic;
        let skipped = |n: NodeIndex| {
            n == g.root() || (g.node_type[n.index()] == synthetic && g.name(n) == "(GC roots)")
        };
        let lead = hops
            .iter()
            .take(hops.len() - 1)
            .take_while(|&&(n, _)| skipped(n))
            .count();
        hops.drain(..lead);
        hops[0].1 = None;
        hops
    }
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
