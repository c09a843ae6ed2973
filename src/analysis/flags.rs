//! What DevTools marks on nodes before dominators: detached DOM tree nodes
//! and "page objects" (reachable from the page's globals and DOM trees).

use super::retainers::BitSet;
use crate::snapshot::Graph;

/// True for root children DevTools counts as user roots: non-synthetic
/// nodes and the synthetic `(Document DOM trees)`.
pub fn is_user_root(g: &Graph, n: usize) -> bool {
    g.node_type[n] != g.meta.node_kinds.synthetic || is_document_dom_trees(g, n)
}

fn is_document_dom_trees(g: &Graph, n: usize) -> bool {
    g.node_type[n] == g.meta.node_kinds.synthetic && g.name(n) == "(Document DOM trees)"
}

/// True for a detached DOM tree node: a native node whose name (after
/// [`super::detached::propagate_dom_state`]) starts with `Detached `.
pub fn is_detached_dom(g: &Graph, n: usize) -> bool {
    g.node_type[n] == g.meta.node_kinds.native && g.name(n).starts_with("Detached ")
}

/// DevTools' page objects: reachable from a user global or `(Document DOM
/// trees)` over non-weak edges. Only the dominator tree's essential edges
/// read them, so they are a bit per node, dropped after.
pub fn page_objects(g: &Graph) -> BitSet {
    let mut page = BitSet::new(g.node_count());
    let kinds = g.meta.edge_kinds;
    let mut stack = Vec::new();
    for e in g.edges(g.root()) {
        let to = g.edge_to[e] as usize;
        let t = g.edge_type[e];
        if (t == kinds.element && is_document_dom_trees(g, to)) || t == kinds.shortcut {
            stack.push(to);
            page.set(to);
        }
    }
    while let Some(node) = stack.pop() {
        for e in g.edges(node) {
            let to = g.edge_to[e] as usize;
            if page.get(to) || g.edge_type[e] == kinds.weak {
                continue;
            }
            page.set(to);
            stack.push(to);
        }
    }
    page
}
