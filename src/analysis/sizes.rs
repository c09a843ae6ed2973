//! Shallow-size reassignment (DevTools' `calculateShallowSizes`): internal
//! `hidden`/`array` nodes (and `system / ExternalStringData`) owned by exactly
//! one JS object give their size to that owner, so the Summary shows bytes
//! where a developer can act on them.

use super::flags::is_user_root;
use crate::snapshot::Graph;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE: u32 = u32::MAX - 1;

/// Moves the self size of singly-owned internal nodes to their owner, in
/// `self_size` (the graph's column, taken out of `g` so that the dominator
/// tree can be computed from `g` meanwhile).
pub fn reassign_shallow_sizes(g: &Graph, self_size: &mut [u32]) {
    // No user roots means an "expose internals" capture: sizes stay raw.
    let root = g.root().index();
    if !g
        .edges(root)
        .any(|e| is_user_root(g, g.edge_to[e] as usize))
    {
        return;
    }
    let k = g.meta.node_kinds;
    let weak = g.meta.edge_kinds.weak;
    let n = g.node_count();
    let mut owners = vec![0u32; n];
    let mut work = Vec::new();
    for (i, owner) in owners.iter_mut().enumerate() {
        let t = g.node_type[i];
        let ownable = t == k.hidden
            || t == k.array
            || (t == k.native && g.name(i) == "system / ExternalStringData");
        if ownable {
            *owner = UNVISITED;
        } else {
            *owner = i as u32;
            work.push(i as u32);
        }
    }
    while let Some(id) = work.pop() {
        let owner = owners[id as usize];
        for e in g.edges(id as usize) {
            if g.edge_type[e] == weak {
                continue;
            }
            let target = g.edge_to[e];
            let current = owners[target as usize];
            if current == UNVISITED {
                owners[target as usize] = owner;
                work.push(target);
            } else if current != target && current != owner && current != MULTIPLE {
                owners[target as usize] = MULTIPLE;
                work.push(target);
            }
        }
    }
    for i in 0..n {
        let owner = owners[i];
        if owner == UNVISITED || owner == MULTIPLE || owner == i as u32 {
            continue;
        }
        let o = owner as usize;
        if g.node_type[o] == k.synthetic || o == root {
            continue;
        }
        let moved = std::mem::take(&mut self_size[i]);
        self_size[o] = self_size[o].saturating_add(moved);
    }
}
