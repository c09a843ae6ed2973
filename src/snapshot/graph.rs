//! The heap graph in columns: one flat array per node field and per edge
//! field, edges grouped by source node (CSR via `first_edge`).
//!
//! Invariants (checked by the parser): `edge_to` values are node ordinals
//! below `node_count`; `first_edge` has `node_count + 1` entries ending at
//! `edge_count`; every string index is inside the string table.

use super::meta::Meta;
use super::scopes::ScopeTables;
use super::strings::{bounded, StringIndex, Strings};
use super::trace::Traces;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;

/// V8's object id: stable for one object across snapshots of one process.
/// On the wire it is the number itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

/// A node's ordinal: its row in the node columns (not its [`NodeId`]).
/// `repr(transparent)`: a `Vec<NodeIndex>` is laid out as a `Vec<u32>`.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeIndex(pub u32);

/// An edge's position in the edge columns (not an offset into the file's
/// `edges` array).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EdgeIndex(pub u32);

macro_rules! index_type {
    ($t:ident) => {
        impl $t {
            /// The index of position `i` (below 2^32: the parser refuses
            /// larger counts).
            #[inline]
            pub fn new(i: usize) -> $t {
                $t(i as u32)
            }

            /// The position, to index a column with.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<$t> for usize {
            #[inline]
            fn from(i: $t) -> usize {
                i.index()
            }
        }

        // Untyped call sites (the query layer, the parser, allocations.rs)
        // still pass positions as `usize`; typed ones cannot pass an edge
        // for a node or an id for an ordinal.
        impl From<usize> for $t {
            #[inline]
            fn from(i: usize) -> $t {
                $t::new(i)
            }
        }
    };
}
index_type!(NodeIndex);
index_type!(EdgeIndex);

/// Where a constructor was defined (from the `locations` section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Node ordinal the location belongs to.
    pub node: u32,
    /// V8 script id.
    pub script_id: u32,
    /// 0-based line.
    pub line: u32,
    /// 0-based column.
    pub column: u32,
}

/// A parsed heap snapshot, before analysis.
#[derive(Debug)]
pub struct Graph {
    /// The header.
    pub meta: Meta,
    /// Node type code per node.
    pub node_type: Vec<u8>,
    /// Name string index per node.
    pub node_name: Vec<StringIndex>,
    /// Object id per node.
    pub node_id: Vec<u32>,
    /// Shallow size per node (DevTools' reassigned size after analysis).
    pub self_size: Vec<u32>,
    /// DOM state per node (0 unknown, 1 attached, 2 detached); empty when the
    /// file has no `detachedness` field or every node's is 0 (then
    /// `meta.has_detachedness()` tells which).
    pub detachedness: Vec<u8>,
    /// First edge of each node; `node_count + 1` entries.
    pub first_edge: Vec<u32>,
    /// Edge type code per edge.
    pub edge_type: Vec<u8>,
    /// String index (or element index) per edge.
    pub edge_name: Vec<u32>,
    /// Target node ordinal per edge.
    pub edge_to: Vec<u32>,
    /// The string table.
    pub strings: Strings,
    /// Constructor locations, sorted by node.
    pub locations: Vec<Location>,
    /// V8's scope tables (empty when the file has none; layout in `meta.scopes`).
    pub scopes: ScopeTables,
    /// The allocation tracker's functions, stacks and samples (empty when
    /// it did not run).
    pub traces: Traces,
}

impl Graph {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edge_to.len()
    }

    /// The root node (V8 always writes it first).
    pub fn root(&self) -> NodeIndex {
        NodeIndex(0)
    }

    /// Edge positions of node `n`.
    #[inline]
    pub fn edges(&self, n: impl Into<NodeIndex>) -> Range<usize> {
        let n = n.into().index();
        self.first_edge[n] as usize..self.first_edge[n + 1] as usize
    }

    /// The node's raw name.
    pub fn name(&self, n: impl Into<NodeIndex>) -> &str {
        self.strings.get(self.node_name[n.into().index()])
    }

    /// The node's type name (`object`, `string`, ...).
    pub fn type_name(&self, n: impl Into<NodeIndex>) -> &str {
        self.meta
            .node_types
            .get(self.node_type[n.into().index()] as usize)
            .map_or("", String::as_str)
    }

    /// The edge's type name (`property`, `element`, ...).
    pub fn edge_type_name(&self, e: impl Into<EdgeIndex>) -> &str {
        self.meta
            .edge_types
            .get(self.edge_type[e.into().index()] as usize)
            .map_or("", String::as_str)
    }

    /// True when the edge's `name_or_index` is a number, not a string index.
    #[inline]
    pub fn edge_has_index(&self, e: impl Into<EdgeIndex>) -> bool {
        let t = self.edge_type[e.into().index()];
        t == self.meta.edge_kinds.element || t == self.meta.edge_kinds.hidden
    }

    /// The edge's name as DevTools shows it (element indexes as decimal),
    /// [`bounded`]: cut after [`NAME_LIMIT`](super::strings::NAME_LIMIT)
    /// characters.
    pub fn edge_name(&self, e: impl Into<EdgeIndex>) -> String {
        bounded(&self.edge_label(e)).0.into_owned()
    }

    /// The edge's whole name, borrowed from the string table when it is one.
    pub fn edge_label(&self, e: impl Into<EdgeIndex>) -> Cow<'_, str> {
        let e = e.into();
        let name = self.edge_name[e.index()];
        if self.edge_has_index(e) {
            name.to_string().into()
        } else {
            self.strings.get(name).into()
        }
    }

    /// The edge's name when it is a string, else `None`.
    #[inline]
    pub fn edge_name_str(&self, e: impl Into<EdgeIndex>) -> Option<&str> {
        let e = e.into();
        (!self.edge_has_index(e)).then(|| self.strings.get(self.edge_name[e.index()]))
    }

    /// The edge's source node, found by binary search.
    pub fn edge_source(&self, e: impl Into<EdgeIndex>) -> NodeIndex {
        let e = e.into().0;
        NodeIndex::new(self.first_edge.partition_point(|&f| f <= e) - 1)
    }

    /// The node the edge points to.
    #[inline]
    pub fn edge_target(&self, e: EdgeIndex) -> NodeIndex {
        NodeIndex(self.edge_to[e.index()])
    }

    /// The node's object id.
    #[inline]
    pub fn id(&self, n: NodeIndex) -> NodeId {
        NodeId(self.node_id[n.index()])
    }

    /// The constructor location of a node, if the file has one.
    pub fn location(&self, n: impl Into<NodeIndex>) -> Option<&Location> {
        // The last of a node's locations, as DevTools' map keeps it.
        let n = n.into().0;
        let after = self.locations.partition_point(|l| l.node <= n);
        after
            .checked_sub(1)
            .map(|i| &self.locations[i])
            .filter(|l| l.node == n)
    }

    /// Bytes held by the graph's arrays.
    pub fn heap_bytes(&self) -> usize {
        self.node_type.capacity()
            + self.node_name.capacity() * 4
            + self.node_id.capacity() * 4
            + self.self_size.capacity() * 4
            + self.detachedness.capacity()
            + self.first_edge.capacity() * 4
            + self.edge_type.capacity()
            + self.edge_name.capacity() * 4
            + self.edge_to.capacity() * 4
            + self.strings.heap_bytes()
            + self.locations.capacity() * std::mem::size_of::<Location>()
            + self.scopes.heap_bytes()
            + self.traces.heap_bytes()
    }
}
