//! Dominator tree and retained sizes, as DevTools computes them:
//! Lengauer–Tarjan over "essential" edges, DFS in file edge order from the
//! root, then nodes held only by non-essential edges, then whatever is left
//! (cycles retained by nothing) hung under the root.

use super::fasthash::FastMap;
use super::retainers::BitSet;
use super::weakmap::EphemeronNames;
use crate::snapshot::{Graph, NodeIndex};
use std::cell::OnceCell;

/// Marks the last predecessor of each node's group (DFS numbers < 2^31).
const GROUP_END: u32 = 1 << 31;

/// The dominator tree with retained sizes and children lists.
#[derive(Debug, Default)]
pub struct Dominators {
    /// Immediate dominator (node ordinal) per node; the root is its own.
    pub idom: Vec<NodeIndex>,
    /// Retained size per node.
    pub retained: RetainedSizes,
    /// Children lists, built the first time a view or report asks (8 bytes
    /// per node that the analysis itself never needs).
    children: OnceCell<DominatorTree>,
}

/// DevTools' `computeIsEssentialEdge` for every edge, as one bit per edge.
pub fn essential_edges(g: &Graph, page: &BitSet, ephemerons: &EphemeronNames) -> BitSet {
    let ek = g.meta.edge_kinds;
    let root = g.root().index();
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
                if t == ek.shortcut || (page.get(to) && !page.get(s)) {
                    continue;
                }
            }
            bits.set(e);
        }
    }
    bits
}

/// Predecessor entries released at a time while the main loop consumes
/// them from the end (1 MB).
const RELEASE_STEP: usize = 1 << 18;

/// The dominator tree before retained sizes: what [`immediate_dominators`]
/// computes from the graph's edges alone, so that shallow sizes can be
/// reassigned meanwhile.
pub struct ImmediateDominators {
    idom: Vec<NodeIndex>,
    /// Nodes by DFS number, from 1 (each one's dominator comes before it).
    order: Vec<u32>,
}

/// Immediate dominators, then (see [`ImmediateDominators::with_sizes`])
/// retained sizes.
///
/// DevTools runs Lengauer–Tarjan from the root over essential edges, then
/// DFS-es from nodes that have no essential retainer (as if the root held
/// them), then hangs every node still unvisited directly under the root.
/// The result is the dominator tree of that augmented graph, which is unique,
/// so this computes it with the leaner Semi-NCA variant in DFS-number space:
/// at most 5 words per node, against DevTools' 8 words per node plus 2 per
/// edge.
pub fn immediate_dominators(
    g: &Graph,
    essential: &BitSet,
    past_peak: &mut dyn FnMut(),
) -> ImmediateDominators {
    // One long function on purpose: its phases hand arrays to each other
    // (`ancestor` becomes `idom`) and drop each one the moment the next
    // phase stops needing it, which is what keeps the peak at 5 words per
    // node; the hot loops read locals, not fields.
    let n = g.node_count();
    let root = g.root().index();
    // DFS numbering, 1-based (0 = unvisited); `parent` is in DFS numbers.
    // The node of each DFS number is only needed at the end, and made
    // from `dfnum` then.
    let mut dfnum = vec![0u32; n];
    let mut parent = vec![0u32; n + 1];
    // Predecessors in DFS numbers, as CSR: first_pred[w]..first_pred[w + 1].
    // A vertex's DFS parent is left out (the main loop starts from it), which
    // drops one entry per node. Counted per group (by the DFS itself, which
    // meets every other edge with its target numbered already), summed
    // into group ends, then filled backwards so each end becomes its
    // group's start.
    let mut first_pred = vec![0u32; n + 2];
    let mut count = 0u32;
    let mut stack: Vec<(u32, u32)> = Vec::new();
    let mut dfs = |start: usize,
                   parent_num: u32,
                   dfnum: &mut [u32],
                   parent: &mut [u32],
                   first_pred: &mut [u32],
                   count: &mut u32| {
        *count += 1;
        dfnum[start] = *count;
        parent[*count as usize] = parent_num;
        stack.push((start as u32, g.first_edge[start]));
        while let Some(top) = stack.last_mut() {
            let v = top.0 as usize;
            let end = g.first_edge[v + 1];
            let mut next = None;
            while top.1 < end {
                let e = top.1 as usize;
                top.1 += 1;
                if essential.get(e) {
                    let w = g.edge_to[e] as usize;
                    let t = dfnum[w] as usize;
                    if t == 0 {
                        next = Some(w);
                        break;
                    }
                    if parent[t] != dfnum[v] {
                        first_pred[t] += 1;
                    }
                }
            }
            match next {
                Some(w) => {
                    *count += 1;
                    dfnum[w] = *count;
                    parent[*count as usize] = dfnum[v];
                    stack.push((w as u32, g.first_edge[w]));
                }
                None => {
                    stack.pop();
                }
            }
        }
    };
    let (d, p, f) = (&mut dfnum, &mut parent, &mut first_pred);
    dfs(root, 0, d, p, f, &mut count);
    // Nodes the root does not reach start DFS trees of their own, unless
    // an essential edge holds them: one from another such node, since the
    // DFS has followed every edge out of the nodes it reached.
    let mut held = BitSet::new(if count as usize == n { 0 } else { n });
    for v in (0..n).filter(|&v| d[v] == 0) {
        for e in g.edges(v).filter(|&e| essential.get(e)) {
            held.set(g.edge_to[e] as usize);
        }
    }
    for v in 0..n {
        if d[v] == 0 && !held.get(v) {
            dfs(v, 1, d, p, f, &mut count);
        }
    }
    drop(held);
    drop(stack);
    // Nodes still unvisited (cycles held by nothing) hang under the root;
    // their edges, which no DFS followed, are counted here.
    let linked = count;
    for v in 0..n {
        if dfnum[v] == 0 {
            count += 1;
            dfnum[v] = count;
            parent[count as usize] = 1;
        }
    }
    if linked < count {
        let unlinked = |sn: u32| sn > linked;
        each_non_tree_edge(g, essential, &dfnum, &parent, unlinked, |_, t| {
            first_pred[t] += 1;
        });
    }
    for i in 1..=n + 1 {
        first_pred[i] += first_pred[i - 1];
    }
    let mut pred = vec![0u32; first_pred[n + 1] as usize];
    each_non_tree_edge(
        g,
        essential,
        &dfnum,
        &parent,
        |_| true,
        |sn, t| {
            first_pred[t] -= 1;
            pred[first_pred[t] as usize] = sn;
        },
    );
    // Keep only a group-end mark per node instead of the offsets: the main
    // loop walks the groups backwards, so 4 bytes per node are freed here.
    let mut has_preds = BitSet::new(n + 2);
    for w in 1..=n {
        let (a, b) = (first_pred[w], first_pred[w + 1]);
        if b > a {
            has_preds.set(w);
            pred[b as usize - 1] |= GROUP_END;
        }
    }
    drop(first_pred);

    // Each vertex's entries are written when the loop (from the last DFS
    // number down) reaches it, and read only after: until then they are
    // zero pages that take no memory, while `pred` is released as the loop
    // consumes it, so the two never add up.
    let len = n + 1;
    let mut semi = vec![0u32; len];
    let mut label = vec![0u32; len];
    let mut ancestor = vec![0u32; len];
    let mut path: Vec<u32> = Vec::new();
    let mut p = pred.len();
    for w in (2..=count as usize).rev() {
        let mut group = p..p;
        if has_preds.get(w) {
            p -= 1;
            while p > 0 && pred[p - 1] & GROUP_END == 0 {
                p -= 1;
            }
            group = p..group.end;
        }
        semi[w] = if w as u32 <= linked {
            // The DFS parent is a predecessor, or stands for the root at
            // the top of a DFS tree of its own.
            let mut s = parent[w];
            for &v in &pred[group] {
                let v = v & !GROUP_END;
                // A vertex not processed yet (a smaller number) is its own
                // candidate.
                let candidate = match v as usize > w {
                    true => semi[eval(v, &mut ancestor, &mut label, &semi, &mut path) as usize],
                    false => v,
                };
                s = s.min(candidate);
            }
            s
        } else {
            w as u32
        };
        label[w] = w as u32;
        ancestor[w] = parent[w];
        if pred.capacity() - p >= RELEASE_STEP {
            pred.truncate(p);
            pred.shrink_to_fit();
        }
    }
    drop((pred, label));
    // Semi-NCA: the immediate dominator is the nearest ancestor at or above
    // the semi-dominator. Reuses `ancestor` for the result.
    let mut idom = ancestor;
    idom[1] = 1;
    for w in 2..=count as usize {
        if w as u32 > linked {
            idom[w] = 1;
            continue;
        }
        let mut d = parent[w];
        while d > semi[w] {
            d = idom[d as usize];
        }
        idom[w] = d;
    }
    drop((semi, parent));
    // From here on this pass holds at most 3 words per node.
    past_peak();

    let mut vertex = vec![0u32; n + 1];
    for (v, &w) in dfnum.iter().enumerate() {
        vertex[w as usize] = v as u32;
    }
    drop(dfnum);
    let mut idom_node = vec![NodeIndex(0); n];
    for w in 1..=count as usize {
        idom_node[vertex[w] as usize] = NodeIndex(vertex[idom[w] as usize]);
    }
    drop(idom);
    ImmediateDominators {
        idom: idom_node,
        order: vertex,
    }
}

impl ImmediateDominators {
    /// Adds retained sizes from the (reassigned) shallow sizes.
    pub fn with_sizes(self, self_size: &[u32]) -> Dominators {
        let ImmediateDominators { idom, order } = self;
        let mut retained = RetainedSizes {
            small: self_size.to_vec(),
            large: FastMap::default(),
        };
        // A shallow size of exactly the mark is kept aside too.
        for (n, &size) in self_size.iter().enumerate() {
            if size == RetainedSizes::LARGE {
                retained.large.insert(n as u32, size as u64);
            }
        }
        for &o in order[2..].iter().rev() {
            let o = o as usize;
            let d = idom[o].index();
            retained.set(d, retained.get(d) + retained.get(o));
        }
        Dominators {
            idom,
            retained,
            children: OnceCell::new(),
        }
    }
}

/// Retained sizes in 4 bytes per node: the few of 4 GiB or more (the
/// root's, and its chain's on a big heap) are kept aside.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RetainedSizes {
    /// The size, or [`RetainedSizes::LARGE`] when it is in `large`.
    small: Vec<u32>,
    large: FastMap<u32, u64>,
}

impl RetainedSizes {
    const LARGE: u32 = u32::MAX;

    /// The retained size of node `n`.
    #[inline]
    pub fn get(&self, n: usize) -> u64 {
        match self.small[n] {
            Self::LARGE => self.large.get(&(n as u32)).copied().unwrap_or_default(),
            size => size as u64,
        }
    }

    #[inline]
    fn set(&mut self, n: usize, size: u64) {
        match u32::try_from(size) {
            Ok(size) if size != Self::LARGE => self.small[n] = size,
            _ => {
                self.small[n] = Self::LARGE;
                self.large.insert(n as u32, size);
            }
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.small.capacity() * 4 + self.large.capacity() * 16
    }
}

/// Calls `f(source, target)`, both DFS numbers, for each essential edge
/// that is not its target's DFS-tree edge (from `parent`), in file order,
/// out of the sources whose DFS number `from` keeps.
#[inline(always)]
fn each_non_tree_edge(
    g: &Graph,
    essential: &BitSet,
    dfnum: &[u32],
    parent: &[u32],
    from: impl Fn(u32) -> bool,
    mut f: impl FnMut(u32, usize),
) {
    for (s, &sn) in dfnum.iter().enumerate().filter(|&(_, &sn)| from(sn)) {
        for e in g.edges(s) {
            if essential.get(e) {
                let t = dfnum[g.edge_to[e] as usize] as usize;
                if parent[t] != sn {
                    f(sn, t);
                }
            }
        }
    }
}

/// Link/eval with path compression: the vertex of smallest semi-dominator
/// on the path from `v` up to (not including) the top of its tree.
fn eval(v: u32, ancestor: &mut [u32], label: &mut [u32], semi: &[u32], path: &mut Vec<u32>) -> u32 {
    if ancestor[v as usize] == 0 {
        return v;
    }
    let mut x = v;
    path.clear();
    while ancestor[ancestor[x as usize] as usize] != 0 {
        path.push(x);
        x = ancestor[x as usize];
    }
    while let Some(w) = path.pop() {
        let a = ancestor[w as usize] as usize;
        if semi[label[a] as usize] < semi[label[w as usize] as usize] {
            label[w as usize] = label[a];
        }
        ancestor[w as usize] = ancestor[a];
    }
    label[v as usize]
}

impl Dominators {
    /// Children of every node in the dominator tree, as CSR (built on
    /// first use, then kept).
    pub fn tree(&self) -> &DominatorTree {
        self.children.get_or_init(|| {
            let idom = &self.idom;
            let n = idom.len();
            // The root is the one node that is its own dominator.
            let is_child = |o: usize| idom[o].index() != o;
            // Counted into group ends, then filled backwards (each end
            // becomes its group's start): children stay in node order, and
            // no second array of offsets is needed.
            let mut first = vec![0u32; n + 1];
            for (o, &d) in idom.iter().enumerate() {
                if is_child(o) {
                    first[d.index()] += 1;
                }
            }
            for i in 1..=n {
                first[i] += first[i - 1];
            }
            let mut children = vec![NodeIndex(0); first[n] as usize];
            for (o, &d) in idom.iter().enumerate().rev() {
                if is_child(o) {
                    first[d.index()] -= 1;
                    children[first[d.index()] as usize] = NodeIndex::new(o);
                }
            }
            DominatorTree { first, children }
        })
    }

    /// Children of one node.
    pub fn children_of(&self, n: impl Into<NodeIndex>) -> Vec<NodeIndex> {
        self.tree().children(n).to_vec()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.idom.capacity() * 4
            + self.retained.heap_bytes()
            + self
                .children
                .get()
                .map_or(0, |t| (t.first.capacity() + t.children.capacity()) * 4)
    }
}

/// The dominator tree's children lists.
#[derive(Debug, Default)]
pub struct DominatorTree {
    first: Vec<u32>,
    children: Vec<NodeIndex>,
}

impl DominatorTree {
    /// Children of `n`.
    pub fn children(&self, n: impl Into<NodeIndex>) -> &[NodeIndex] {
        let n = n.into().index();
        &self.children[self.first[n] as usize..self.first[n + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::RetainedSizes;

    #[test]
    fn sizes_past_four_bytes_are_kept_aside_and_read_back() {
        let mut sizes = RetainedSizes {
            small: vec![0; 3],
            ..RetainedSizes::default()
        };
        sizes.set(0, 5_000_000_000);
        sizes.set(1, u32::MAX as u64);
        sizes.set(2, u32::MAX as u64 - 1);
        assert_eq!(
            [sizes.get(0), sizes.get(1), sizes.get(2)],
            [5_000_000_000, u32::MAX as u64, u32::MAX as u64 - 1]
        );
        assert_eq!(sizes.large.len(), 2);
        sizes.set(0, 7);
        assert_eq!(sizes.get(0), 7);
    }
}
