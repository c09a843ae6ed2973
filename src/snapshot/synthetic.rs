//! A synthetic heap snapshot, as `.heapsnapshot` text, with every node and
//! edge type V8 writes. The page's worker analyses one before the user's
//! file so the browser's optimizing wasm compiler has seen every hot loop:
//! V8 cannot optimize a function while it runs, and each analysis runs once.

use std::fmt::Write;

const NODE_TYPES: [&str; 14] = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "object shape",
];
const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];
const NAMES: [&str; 16] = [
    "",
    "(GC roots)",
    "Object",
    "Array",
    "system / Context",
    "(map descriptors)",
    "elements",
    "first",
    "second",
    "x",
    "y",
    "Foo",
    "<div id=\"a\">",
    "system / NativeContext",
    "1 / part of key (Foo @9) -> value (Object @11) pair in WeakMap (table @13)",
    "2 / part of key (Foo @9) -> value (Object @11) pair in WeakMap (table @13)",
];

/// Writes a snapshot of `nodes` nodes (at least 3) with about 4 edges each.
pub fn synthetic_snapshot(nodes: usize) -> Vec<u8> {
    let nodes = nodes.max(3);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % m
    };
    let mut node_rows = String::new();
    let mut edge_rows = String::new();
    let mut edge_count = 0;
    for i in 0..nodes {
        let (ty, name, edges) = match i {
            0 => (9, 0, 2),
            1 => (9, 1, 1),
            _ => (next(NODE_TYPES.len()), next(NAMES.len()), 1 + next(7)),
        };
        let edges = if i + 1 == nodes { 0 } else { edges };
        let detached = if ty == 8 { next(3) } else { 0 };
        let _ = write!(
            node_rows,
            "{}{ty},{name},{},{},{edges},0,{detached}",
            if i == 0 { "" } else { ",\n" },
            2 * i + 1,
            16 + 8 * next(20)
        );
        for k in 0..edges {
            let et = match (i, k) {
                (0, 0) => 1,
                (0, _) => 5,
                _ => next(EDGE_TYPES.len()),
            };
            let to = if i == 0 {
                k + 1
            } else if next(3) == 0 {
                next(nodes)
            } else {
                (i + 1 + next(64)).min(nodes - 1)
            };
            let name = if et == 1 || et == 4 {
                next(1000)
            } else {
                next(NAMES.len())
            };
            let _ = write!(
                edge_rows,
                "{}{et},{name},{}",
                if edge_count == 0 { "" } else { ",\n" },
                to * 7
            );
            edge_count += 1;
        }
    }
    let quote = |list: &[&str]| {
        list.iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "{{\"snapshot\":{{\"meta\":{{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],\
\"node_types\":[[{}],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],\
\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[[{}],\"string_or_number\",\"node\"],\
\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}},\"node_count\":{nodes},\"edge_count\":{edge_count},\"trace_function_count\":0}},\n\
\"nodes\":[{node_rows}],\n\"edges\":[{edge_rows}],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\
\"locations\":[21,1,2,3],\n\"strings\":[{}]}}",
        quote(&NODE_TYPES),
        quote(&EDGE_TYPES),
        quote(&NAMES)
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::synthetic_snapshot;
    use crate::analysis::HeapSnapshot;
    use crate::snapshot::Parser;

    #[test]
    fn synthetic_snapshot_parses_and_analyses() {
        let text = synthetic_snapshot(500);
        let mut p = Parser::new();
        for chunk in text.chunks(333) {
            p.push(chunk).unwrap();
        }
        let g = p.finish().unwrap();
        assert_eq!(g.node_count(), 500);
        let s = HeapSnapshot::analyze(g, &mut |_| {});
        assert!(s.total_size() > 500 * 16);
    }
}
