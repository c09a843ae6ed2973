//! DOM detachedness propagation (DevTools' `propagateDOMState`): V8 marks
//! embedder entry points attached or detached; the state spreads to native
//! children only, and detached natives are renamed `Detached <name>`.

use crate::snapshot::Graph;
use std::collections::HashMap;

/// DOM state values of the `detachedness` field.
pub const ATTACHED: u8 = 1;
/// Detached: reachable only from detached DOM.
pub const DETACHED: u8 = 2;

/// The work lists and renames of one propagation.
struct Propagation {
    visited: Vec<bool>,
    attached: Vec<usize>,
    detached: Vec<usize>,
    /// Old name string → its `Detached ` name.
    renamed: HashMap<u32, u32>,
}

impl Propagation {
    /// Gives `node` its state (once); only native nodes take part.
    fn process(&mut self, g: &mut Graph, node: usize, state: u8) {
        if std::mem::replace(&mut self.visited[node], true) {
            return;
        }
        if g.node_type[node] != g.meta.node_kinds.native {
            return;
        }
        g.detachedness[node] = state;
        if state == ATTACHED {
            self.attached.push(node);
        } else if state == DETACHED {
            let old = g.node_name[node];
            let new = *self.renamed.entry(old).or_insert_with(|| {
                let name = format!("Detached {}", g.strings.get(old));
                g.strings.push(&name)
            });
            g.node_name[node] = new;
            self.detached.push(node);
        }
    }

    /// Passes `state` to the children of `node` over non-hidden, non-weak edges.
    fn spread(&mut self, g: &mut Graph, node: usize, state: u8) {
        let kinds = g.meta.edge_kinds;
        for e in g.edges(node) {
            let t = g.edge_type[e];
            if t != kinds.hidden && t != kinds.weak {
                self.process(g, g.edge_to[e] as usize, state);
            }
        }
    }
}

/// Propagates attached/detached state and renames detached native nodes.
pub fn propagate_dom_state(g: &mut Graph) {
    if g.detachedness.is_empty() {
        return;
    }
    let mut p = Propagation {
        visited: vec![false; g.node_count()],
        attached: Vec::new(),
        detached: Vec::new(),
        renamed: HashMap::new(),
    };
    for node in 0..g.node_count() {
        let state = g.detachedness[node];
        if state != 0 {
            p.process(g, node, state);
        }
    }
    // Attached wins: everything reachable from an attached node is attached.
    while let Some(node) = p.attached.pop() {
        p.spread(g, node, ATTACHED);
    }
    while let Some(node) = p.detached.pop() {
        if g.detachedness[node] != ATTACHED {
            p.spread(g, node, DETACHED);
        }
    }
}
