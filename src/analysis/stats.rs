//! Statistics (DevTools' pie chart): where the bytes are, by category.

use super::fasthash::FastMap;
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
    let (mut native, mut typed, mut code, mut strings, mut system) =
        (extra, 0u64, 0u64, 0u64, 0u64);
    let mut arrays: Vec<usize> = Vec::new();
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
            arrays.push(n);
        }
    }
    let js_arrays = js_arrays_size(s, &arrays);
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
            js_arrays,
            strings,
            system,
        },
        extra_native_bytes: extra,
    }
}

/// Arrays named `Array` plus their `elements` store when the array is its
/// only holder (DevTools counts all retainers, weak ones included).
fn js_arrays_size(s: &HeapSnapshot, arrays: &[usize]) -> u64 {
    let g = &s.graph;
    let internal = g.meta.edge_kinds.internal;
    let elements_of = |n: usize| {
        g.edges(n)
            .find(|&e| g.edge_type[e] == internal && g.strings.get(g.edge_name[e]) == "elements")
            .map(|e| g.edge_to[e])
    };
    let mut holders: FastMap<u32, u32> = arrays
        .iter()
        .filter_map(|&n| elements_of(n))
        .map(|t| (t, 0))
        .collect();
    if !holders.is_empty() {
        for &to in &g.edge_to {
            if let Some(c) = holders.get_mut(&to) {
                *c += 1;
            }
        }
    }
    arrays
        .iter()
        .map(|&n| {
            let own = g.self_size[n] as u64;
            match elements_of(n) {
                Some(t) if holders.get(&t) == Some(&1) => own + g.self_size[t as usize] as u64,
                _ => own,
            }
        })
        .sum()
}
