//! Statistics (DevTools' pie chart): where the bytes are, by category.

use super::HeapSnapshot;
use serde::Serialize;

/// Native (embedder) memory.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NativeStats {
    /// `extra_native_bytes` plus all `native` nodes.
    pub total: u64,
    /// `system / JSArrayBufferData` nodes.
    pub typed_arrays: u64,
}

/// V8 heap memory.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct V8HeapStats {
    /// Total minus native.
    pub total: u64,
    /// `code` nodes.
    pub code: u64,
    /// Arrays named `Array` plus their singly-held `elements` store.
    pub js_arrays: u64,
    /// All string kinds.
    pub strings: u64,
    /// `hidden` nodes.
    pub system: u64,
}

/// The Statistics view's numbers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Statistics {
    /// Total size (root retained size + extra native bytes).
    pub total: u64,
    /// Native part.
    pub native: NativeStats,
    /// V8 heap part.
    pub v8heap: V8HeapStats,
    /// Native bytes not attributed to any node.
    pub extra_native_bytes: u64,
}

/// Computes DevTools' statistics buckets (newest code).
pub fn statistics(s: &HeapSnapshot) -> Statistics {
    let g = &s.graph;
    let k = g.meta.node_kinds;
    let extra = g.meta.extra_native_bytes;
    let (mut native, mut typed, mut code, mut strings, mut arrays, mut system) =
        (extra, 0u64, 0u64, 0u64, 0u64, 0u64);
    for n in 0..g.node_count() {
        let size = g.self_size[n] as u64;
        let t = g.node_type[n];
        if t == k.hidden {
            system += size;
        } else if t == k.native {
            native += size;
            if g.name(n) == "system / JSArrayBufferData" {
                typed += size;
            }
        } else if t == k.code {
            code += size;
        } else if t == k.cons_string || t == k.sliced_string || t == k.string {
            strings += size;
        } else if g.name(n) == "Array" {
            arrays += size + elements_size(s, n);
        }
    }
    let total = s.total_size();
    Statistics {
        total,
        native: NativeStats {
            total: native,
            typed_arrays: typed,
        },
        v8heap: V8HeapStats {
            total: total.saturating_sub(native),
            code,
            js_arrays: arrays,
            strings,
            system,
        },
        extra_native_bytes: extra,
    }
}

/// Size of an array's `elements` store when the array is its only holder.
fn elements_size(s: &HeapSnapshot, n: usize) -> u64 {
    let g = &s.graph;
    let internal = g.meta.edge_kinds.internal;
    for e in g.edges(n) {
        if g.edge_type[e] == internal && g.strings.get(g.edge_name[e]) == "elements" {
            let to = g.edge_to[e] as usize;
            return if s.retainers.count(to) == 1 {
                g.self_size[to] as u64
            } else {
                0
            };
        }
    }
    0
}
