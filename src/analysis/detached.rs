//! DOM detachedness propagation (DevTools' `propagateDOMState`): V8 marks
//! embedder entry points attached or detached; the state spreads to native
//! children only, and detached natives are renamed `Detached <name>`.

use crate::snapshot::Graph;
use std::collections::HashMap;

/// DOM state values of the `detachedness` field.
pub const ATTACHED: u8 = 1;
/// Detached: reachable only from detached DOM.
pub const DETACHED: u8 = 2;

/// Propagates attached/detached state and renames detached native nodes.
pub fn propagate_dom_state(g: &mut Graph) {
    if g.detachedness.is_empty() {
        return;
    }
    let native = g.meta.node_kinds.native;
    let kinds = g.meta.edge_kinds;
    let n = g.node_count();
    let mut visited = vec![false; n];
    let mut attached = Vec::new();
    let mut detached = Vec::new();
    let mut renamed: HashMap<u32, u32> = HashMap::new();

    let mut process = |g: &mut Graph,
                       node: usize,
                       state: u8,
                       attached: &mut Vec<usize>,
                       detached: &mut Vec<usize>| {
        if visited[node] {
            return;
        }
        visited[node] = true;
        if g.node_type[node] != native {
            return;
        }
        g.detachedness[node] = state;
        if state == ATTACHED {
            attached.push(node);
        } else if state == DETACHED {
            let old = g.node_name[node];
            let new = *renamed.entry(old).or_insert_with(|| {
                let name = format!("Detached {}", g.strings.get(old));
                g.strings.push(&name)
            });
            g.node_name[node] = new;
            detached.push(node);
        }
    };
    for node in 0..n {
        let state = g.detachedness[node];
        if state != 0 {
            process(g, node, state, &mut attached, &mut detached);
        }
    }
    let followed = |g: &Graph, e: usize| {
        let t = g.edge_type[e];
        t != kinds.hidden && t != kinds.weak
    };
    while let Some(node) = attached.pop() {
        for e in g.edges(node) {
            if followed(g, e) {
                process(
                    g,
                    g.edge_to[e] as usize,
                    ATTACHED,
                    &mut attached,
                    &mut detached,
                );
            }
        }
    }
    while let Some(node) = detached.pop() {
        if g.detachedness[node] == ATTACHED {
            continue;
        }
        for e in g.edges(node) {
            if followed(g, e) {
                process(
                    g,
                    g.edge_to[e] as usize,
                    DETACHED,
                    &mut attached,
                    &mut detached,
                );
            }
        }
    }
}
