//! Node flags DevTools derives before dominators: detached DOM tree nodes
//! and "page objects" (reachable from the page's globals and DOM trees).

use crate::snapshot::Graph;

/// Native node whose name starts with `Detached `.
pub const DETACHED_DOM: u8 = 2;
/// Reachable from a user global or `(Document DOM trees)` over non-weak edges.
pub const PAGE_OBJECT: u8 = 4;

/// True for root children DevTools counts as user roots: non-synthetic
/// nodes and the synthetic `(Document DOM trees)`.
pub fn is_user_root(g: &Graph, n: usize) -> bool {
    g.node_type[n] != g.meta.node_kinds.synthetic || is_document_dom_trees(g, n)
}

fn is_document_dom_trees(g: &Graph, n: usize) -> bool {
    g.node_type[n] == g.meta.node_kinds.synthetic && g.name(n) == "(Document DOM trees)"
}

/// Computes the flag byte of every node.
pub fn node_flags(g: &Graph) -> Vec<u8> {
    let n = g.node_count();
    let mut flags = vec![0u8; n];
    let native = g.meta.node_kinds.native;
    for (node, flag) in flags.iter_mut().enumerate() {
        if g.node_type[node] == native && g.name(node).starts_with("Detached ") {
            *flag |= DETACHED_DOM;
        }
    }
    let kinds = g.meta.edge_kinds;
    let mut stack = Vec::new();
    for e in g.edges(g.root()) {
        let to = g.edge_to[e] as usize;
        let t = g.edge_type[e];
        if (t == kinds.element && is_document_dom_trees(g, to)) || t == kinds.shortcut {
            stack.push(to);
            flags[to] |= PAGE_OBJECT;
        }
    }
    while let Some(node) = stack.pop() {
        for e in g.edges(node) {
            let to = g.edge_to[e] as usize;
            if flags[to] & PAGE_OBJECT != 0 || g.edge_type[e] == kinds.weak {
                continue;
            }
            flags[to] |= PAGE_OBJECT;
            stack.push(to);
        }
    }
    flags
}
