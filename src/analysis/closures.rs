//! Closures: every V8 closure context (`system / Context`), the functions
//! whose `context` is it, its captured variables (its `context` edges), and
//! the bytes held only through those variables: what the context alone keeps
//! alive. Contexts rank by those bytes less what the contexts inside them
//! hold, so the context that holds a big value itself comes before the
//! module scope that holds the closure that holds it: the shared-closure-
//! context leak (a closure that never reads a big value keeps it alive
//! because a sibling closure once did) ranks first.
//!
//! Where the snapshot has V8's scope tables (newest V8), the captured
//! variables no live closure can read are known ([`super::contexts`]), and
//! contexts rank first by the bytes only those dead variables hold, then by
//! the retained size of all their dead variables (DevTools' order); without
//! the tables (Node 20) only by what they hold.

use super::contexts::ContextAnalysis;
use super::filters::is_context;
use super::HeapSnapshot;
use crate::snapshot::{EdgeIndex, NodeIndex};

/// Contexts ranked by the bytes held only through their variables, with the
/// functions of each as CSR.
#[derive(Debug, Default)]
pub struct Closures {
    /// Context node ordinals, most `dead_held` bytes first (then most
    /// `dead`, `own`, `held` bytes, largest retained size, node order).
    pub contexts: Vec<NodeIndex>,
    /// Per ranked context: bytes held only through its variables (the
    /// retained sizes of the values it immediately dominates).
    pub held: Vec<u64>,
    /// Per ranked context: `held` less the `held` of the contexts it
    /// dominates with no other context in between.
    pub own: Vec<u64>,
    /// Per ranked context: the retained sizes of its dead variables (0
    /// without scope tables), DevTools' `deadFieldsRetainedSizeSum`.
    pub dead: Vec<u64>,
    /// Per ranked context: the part of `dead` held only through this
    /// context (values it immediately dominates), the first ranking key.
    pub dead_held: Vec<u64>,
    /// Per ranked context, the start of its functions in `functions`; one
    /// more entry at the end.
    pub first_function: Vec<u32>,
    /// Closure node ordinals whose `context` edge points to the context.
    pub functions: Vec<NodeIndex>,
}

impl Closures {
    /// Functions of the context ranked `i`.
    pub fn functions_of(&self, i: usize) -> &[NodeIndex] {
        &self.functions[self.first_function[i] as usize..self.first_function[i + 1] as usize]
    }
}

/// True when the value a variable edge `e` of context `c` points to is held
/// only through `c` (`c` is its immediate dominator).
pub fn held_only_by(s: &HeapSnapshot, c: impl Into<NodeIndex>, e: impl Into<EdgeIndex>) -> bool {
    let c = c.into();
    let value = s.graph.edge_target(e.into());
    value != c && s.dominators.idom[value.index()] == c
}

/// The captured variables of context `c`: its `context` edges.
pub fn variables(s: &HeapSnapshot, c: usize) -> impl Iterator<Item = usize> + '_ {
    let g = &s.graph;
    g.edges(c)
        .filter(move |&e| g.edge_type[e] == g.meta.edge_kinds.context)
}

/// Builds the report; `analysis` tells the dead variables.
pub fn closures(s: &HeapSnapshot, analysis: &ContextAnalysis) -> Closures {
    let held_of = held_per_context(s);
    let own = own_held(s, &held_of);
    let ranked = rank(s, analysis, &held_of, &own);
    drop(held_of);
    let (first_function, functions) = functions_by_rank(s, &ranked);
    Closures {
        dead_held: ranked.iter().map(|r| r.0[0]).collect(),
        dead: ranked.iter().map(|r| r.0[1]).collect(),
        own: ranked.iter().map(|r| r.0[2]).collect(),
        held: ranked.iter().map(|r| r.0[3]).collect(),
        contexts: ranked.iter().map(|r| NodeIndex(r.1)).collect(),
        first_function,
        functions,
    }
}

/// (context, bytes held only through its variables) of every context, in
/// node order.
fn held_per_context(s: &HeapSnapshot) -> Vec<(u32, u64)> {
    let g = &s.graph;
    let mut held_of: Vec<(u32, u64)> = Vec::new();
    for c in 0..g.node_count() {
        if !is_context(g, c) {
            continue;
        }
        let mut held = 0;
        let mut last = u32::MAX;
        for e in variables(s, c) {
            // A value in two slots of one context counts once (slots of a
            // context are written in order, so repeats are usually adjacent).
            if held_only_by(s, c, e) && g.edge_to[e] != last {
                held += s.dominators.retained.get(g.edge_to[e] as usize);
                last = g.edge_to[e];
            }
        }
        held_of.push((c as u32, held));
    }
    held_of
}

/// Per context of `held_of`: its held bytes less those of the contexts
/// whose nearest context above them in the dominator tree it is (a walk of
/// the whole tree, one stack entry per pending node).
fn own_held(s: &HeapSnapshot, held_of: &[(u32, u64)]) -> Vec<u64> {
    let index_of = |c: usize| held_of.binary_search_by_key(&(c as u32), |h| h.0).ok();
    let mut own: Vec<u64> = held_of.iter().map(|h| h.1).collect();
    let tree = s.dominators.tree();
    let mut stack: Vec<(NodeIndex, u32)> = vec![(s.graph.root(), u32::MAX)];
    while let Some((n, above)) = stack.pop() {
        let mut inner = above;
        if let Some(i) = index_of(n.index()) {
            if above != u32::MAX {
                own[above as usize] = own[above as usize].saturating_sub(held_of[i].1);
            }
            inner = i as u32;
        }
        stack.extend(tree.children(n).iter().map(|&child| (child, inner)));
    }
    own
}

/// The contexts with their ranking keys [dead held here, dead, own, held],
/// ranked.
fn rank(
    s: &HeapSnapshot,
    analysis: &ContextAnalysis,
    held_of: &[(u32, u64)],
    own: &[u64],
) -> Vec<([u64; 4], u32)> {
    let g = &s.graph;
    let index_of = |c: usize| held_of.binary_search_by_key(&(c as u32), |h| h.0).ok();
    let mut keys: Vec<[u64; 4]> = held_of
        .iter()
        .zip(own)
        .map(|(&(_, held), &own)| [0, 0, own, held])
        .collect();
    for f in &analysis.dead {
        let (c, e) = (f.context, f.edge);
        if let Some(i) = index_of(c.index()) {
            let bytes = s.dominators.retained.get(g.edge_target(e).index());
            keys[i][1] += bytes;
            if held_only_by(s, c, e) {
                keys[i][0] += bytes;
            }
        }
    }
    let mut ranked: Vec<([u64; 4], u32)> =
        keys.into_iter().zip(held_of.iter().map(|h| h.0)).collect();
    ranked.sort_unstable_by(|a, b| {
        let retained = |c: u32| s.dominators.retained.get(c as usize);
        b.0.cmp(&a.0)
            .then(retained(b.1).cmp(&retained(a.1)))
            .then(a.1.cmp(&b.1))
    });
    ranked
}

/// The functions of each ranked context as CSR: (first function per rank
/// and one more, closure ordinals).
fn functions_by_rank(s: &HeapSnapshot, ranked: &[([u64; 4], u32)]) -> (Vec<u32>, Vec<NodeIndex>) {
    let g = &s.graph;
    let internal = g.meta.edge_kinds.internal;
    // Rank of each context, to file the functions under it.
    let mut rank = vec![u32::MAX; g.node_count()];
    for (i, &(_, c)) in ranked.iter().enumerate() {
        rank[c as usize] = i as u32;
    }
    let mut pairs: Vec<(u32, NodeIndex)> = Vec::new();
    for f in 0..g.node_count() {
        if g.node_type[f] != g.meta.node_kinds.closure {
            continue;
        }
        let context = g
            .edges(f)
            .find(|&e| g.edge_type[e] == internal && g.edge_name_str(e) == Some("context"));
        if let Some(r) = context.map(|e| rank[g.edge_to[e] as usize]) {
            if r != u32::MAX {
                pairs.push((r, NodeIndex::new(f)));
            }
        }
    }
    drop(rank);
    pairs.sort_unstable();
    let mut first_function = vec![0u32; ranked.len() + 1];
    for &(r, _) in &pairs {
        first_function[r as usize + 1] += 1;
    }
    for i in 0..ranked.len() {
        first_function[i + 1] += first_function[i];
    }
    (first_function, pairs.into_iter().map(|p| p.1).collect())
}
