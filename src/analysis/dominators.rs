//! Dominator tree and retained sizes, as DevTools computes them:
//! Lengauer–Tarjan over "essential" edges, DFS in file edge order from the
//! root, then nodes held only by non-essential edges, then whatever is left
//! (cycles retained by nothing) hung under the root.

use super::flags::PAGE_OBJECT;
use super::retainers::{BitSet, Retainers};
use super::weakmap::EphemeronNames;
use crate::snapshot::Graph;

/// The dominator tree with retained sizes and children lists.
#[derive(Debug, Default)]
pub struct Dominators {
    /// Immediate dominator (node ordinal) per node; the root is its own.
    pub idom: Vec<u32>,
    /// Retained size per node.
    pub retained: Vec<u64>,
    /// First child slot per node in `dominated`; `node_count + 1` entries.
    pub first_dominated: Vec<u32>,
    /// Children of each node in the dominator tree, as CSR.
    pub dominated: Vec<u32>,
}

/// DevTools' `computeIsEssentialEdge` for every edge, as one bit per edge.
pub fn essential_edges(g: &Graph, flags: &[u8], ephemerons: &EphemeronNames) -> BitSet {
    let ek = g.meta.edge_kinds;
    let root = g.root();
    let mut bits = BitSet::new(g.edge_count());
    for s in 0..g.node_count() {
        for e in g.edges(s) {
            let t = g.edge_type[e];
            let to = g.edge_to[e] as usize;
            // WeakMap values are held by key and table together; DevTools keeps
            // only the key's edge for dominators.
            if t == ek.internal {
                if let Some(eph) = ephemerons.get(g.edge_name[e]) {
                    if g.node_id[s] as u64 == eph.table_id {
                        continue;
                    }
                }
            }
            if t == ek.weak || s == to {
                continue;
            }
            if s != root {
                // Shortcuts mark user globals only at the root; edges from
                // debugger/system objects into page objects are ignored.
                if t == ek.shortcut || (flags[to] & PAGE_OBJECT != 0 && flags[s] & PAGE_OBJECT == 0)
                {
                    continue;
                }
            }
            bits.set(e);
        }
    }
    bits
}

/// Lengauer–Tarjan (simple link/eval) as in DevTools, 1-based vertices.
pub fn dominators(
    g: &Graph,
    essential: &BitSet,
    retainers: &Retainers,
    essential_slots: &BitSet,
) -> Dominators {
    let n = g.node_count();
    let len = n + 1;
    let mut parent = vec![0u32; len];
    let mut semi = vec![0u32; len];
    let mut vertex = vec![0u32; len];
    let mut label = vec![0u32; len];
    let mut next_edge = vec![0u32; len];
    let mut count = 0u32;

    let mut dfs = |start: u32,
                   parent: &mut [u32],
                   semi: &mut [u32],
                   vertex: &mut [u32],
                   label: &mut [u32],
                   count: &mut u32| {
        next_edge[start as usize - 1] = g.first_edge[start as usize - 1];
        let mut v = start;
        while v != 0 {
            if semi[v as usize] == 0 {
                *count += 1;
                semi[v as usize] = *count;
                vertex[*count as usize] = v;
                label[v as usize] = v;
            }
            let mut v_next = parent[v as usize];
            let vo = v as usize - 1;
            let end = g.first_edge[vo + 1];
            while next_edge[vo] < end {
                let e = next_edge[vo] as usize;
                if essential.get(e) {
                    let w = g.edge_to[e] + 1;
                    if semi[w as usize] == 0 {
                        parent[w as usize] = v;
                        next_edge[w as usize - 1] = g.first_edge[w as usize - 1];
                        v_next = w;
                        break;
                    }
                }
                next_edge[vo] += 1;
            }
            v = v_next;
        }
    };

    let r = g.root() as u32 + 1;
    dfs(
        r,
        &mut parent,
        &mut semi,
        &mut vertex,
        &mut label,
        &mut count,
    );
    let has_essential_retainer =
        |w: usize| retainers.slots(w).any(|slot| essential_slots.get(slot));
    if (count as usize) < n {
        for v in 1..=n as u32 {
            if semi[v as usize] == 0 && !has_essential_retainer(v as usize - 1) {
                parent[v as usize] = r;
                dfs(
                    v,
                    &mut parent,
                    &mut semi,
                    &mut vertex,
                    &mut label,
                    &mut count,
                );
            }
        }
    }
    if (count as usize) < n {
        for v in 1..=n as u32 {
            if semi[v as usize] == 0 {
                parent[v as usize] = r;
                count += 1;
                semi[v as usize] = count;
                vertex[count as usize] = v;
                label[v as usize] = v;
            }
        }
    }
    drop(next_edge);

    let mut ancestor = vec![0u32; len];
    let mut dom = vec![0u32; len];
    let mut bucket_head = vec![0u32; len];
    let mut bucket_next = vec![0u32; len];
    let mut stack: Vec<u32> = Vec::new();

    let mut evaluate = |v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32]| -> u32 {
        if ancestor[v as usize] == 0 {
            return v;
        }
        // compress(v), iteratively.
        let mut x = v;
        stack.clear();
        while ancestor[ancestor[x as usize] as usize] != 0 {
            stack.push(x);
            x = ancestor[x as usize];
        }
        while let Some(w) = stack.pop() {
            let a = ancestor[w as usize] as usize;
            if semi[label[a] as usize] < semi[label[w as usize] as usize] {
                label[w as usize] = label[a];
            }
            ancestor[w as usize] = ancestor[a];
        }
        label[v as usize]
    };

    for i in (2..=count).rev() {
        let w = vertex[i as usize];
        let wo = w as usize - 1;
        let mut orphan = true;
        for slot in retainers.slots(wo) {
            if !essential_slots.get(slot) {
                continue;
            }
            orphan = false;
            let v = retainers.source[slot] + 1;
            let u = evaluate(v, &mut ancestor, &mut label, &semi);
            if semi[u as usize] < semi[w as usize] {
                semi[w as usize] = semi[u as usize];
            }
        }
        if orphan {
            // Treated as if the root were its only predecessor.
            semi[w as usize] = semi[r as usize];
        }
        let b = vertex[semi[w as usize] as usize] as usize;
        bucket_next[w as usize] = bucket_head[b];
        bucket_head[b] = w;
        let p = parent[w as usize];
        ancestor[w as usize] = p;
        let mut v = std::mem::take(&mut bucket_head[p as usize]);
        while v != 0 {
            let u = evaluate(v, &mut ancestor, &mut label, &semi);
            dom[v as usize] = if semi[u as usize] < semi[v as usize] {
                u
            } else {
                p
            };
            v = bucket_next[v as usize];
        }
    }
    drop((ancestor, bucket_head, bucket_next, label, parent));
    dom[0] = r;
    dom[r as usize] = r;
    for i in 2..=count {
        let w = vertex[i as usize] as usize;
        if dom[w] != vertex[semi[w] as usize] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    drop(semi);

    let idom: Vec<u32> = (0..n).map(|o| dom[o + 1] - 1).collect();
    drop(dom);
    let mut retained: Vec<u64> = g.self_size.iter().map(|&s| s as u64).collect();
    for i in (2..=count).rev() {
        let o = vertex[i as usize] as usize - 1;
        retained[idom[o] as usize] += retained[o];
    }
    drop(vertex);

    let root = g.root();
    let mut first_dominated = vec![0u32; n + 1];
    for (o, &d) in idom.iter().enumerate() {
        if o != root {
            first_dominated[d as usize + 1] += 1;
        }
    }
    for i in 0..n {
        first_dominated[i + 1] += first_dominated[i];
    }
    let mut fill: Vec<u32> = first_dominated[..n].to_vec();
    let mut dominated = vec![0u32; n.saturating_sub(1)];
    for (o, &d) in idom.iter().enumerate() {
        if o != root {
            dominated[fill[d as usize] as usize] = o as u32;
            fill[d as usize] += 1;
        }
    }
    Dominators {
        idom,
        retained,
        first_dominated,
        dominated,
    }
}

impl Dominators {
    /// Children of `n` in the dominator tree.
    pub fn children(&self, n: usize) -> &[u32] {
        &self.dominated[self.first_dominated[n] as usize..self.first_dominated[n + 1] as usize]
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.idom.capacity() * 4
            + self.retained.capacity() * 8
            + (self.first_dominated.capacity() + self.dominated.capacity()) * 4
    }
}
