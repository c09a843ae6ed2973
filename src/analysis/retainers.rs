//! The reverse (retainer) index: for each node, the nodes holding an edge
//! to it, as CSR. An entry names the source node; the edges themselves are
//! found on demand among that source's edges (saves 4 bytes per edge).

use crate::snapshot::{EdgeIndex, Graph, NodeIndex};

/// Incoming references of every node.
#[derive(Debug, Default)]
pub struct Retainers {
    /// First slot of each node; `node_count + 1` entries.
    pub first: Vec<u32>,
    /// Source node per slot; a source appears once per edge.
    pub source: Vec<NodeIndex>,
}

/// A fixed-size bit set.
#[derive(Debug, Default, Clone)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    /// All clear.
    pub fn new(len: usize) -> BitSet {
        BitSet {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// Sets bit `i`.
    #[inline]
    pub fn set(&mut self, i: usize) {
        self.words[i >> 6] |= 1 << (i & 63);
    }

    /// Reads bit `i`.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i >> 6] & (1 << (i & 63)) != 0
    }
}

impl Retainers {
    /// Builds the index.
    pub fn build(g: &Graph) -> Retainers {
        let n = g.node_count();
        let mut first = vec![0u32; n + 1];
        for &to in &g.edge_to {
            first[to as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut next: Vec<u32> = first[..n].to_vec();
        let mut source = vec![NodeIndex(0); g.edge_count()];
        for s in 0..n {
            for e in g.edges(s) {
                let to = g.edge_to[e] as usize;
                let slot = next[to] as usize;
                next[to] += 1;
                source[slot] = NodeIndex::new(s);
            }
        }
        Retainers { first, source }
    }

    /// Slots of node `n`.
    #[inline]
    pub fn slots(&self, n: impl Into<NodeIndex>) -> std::ops::Range<usize> {
        let n = n.into().index();
        self.first[n] as usize..self.first[n + 1] as usize
    }

    /// The edges pointing at `n`, each once, grouped by source in the order
    /// sources first appear.
    pub fn edges_into(&self, g: &Graph, n: impl Into<NodeIndex>) -> Vec<EdgeIndex> {
        let n = n.into();
        let mut sources: Vec<NodeIndex> = self.source[self.slots(n)].to_vec();
        sources.sort_unstable();
        sources.dedup();
        let mut out = Vec::new();
        for s in sources {
            out.extend(
                g.edges(s)
                    .map(EdgeIndex::new)
                    .filter(|&e| g.edge_target(e) == n),
            );
        }
        out
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        (self.first.capacity() + self.source.capacity()) * 4
    }
}
