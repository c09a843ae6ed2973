//! Dominator trees and retained sizes on small hand-made graphs whose
//! answers are known: textbook figures (a diamond, Lengauer and Tarjan's
//! example, Cooper, Harvey and Kennedy's irreducible graphs, a loop) and
//! the rules by which DevTools departs from the textbook (weak, shortcut and
//! WeakMap-table edges are not "essential"; the synthetic root holds every
//! node that no essential edge reaches).
//!
//! Each graph is written as a `.heapsnapshot` in V8's layout by [`Heap`],
//! read by the streaming parser and analysed as any file is. Here the graphs
//! are the specification, so hand-made JSON stands in for V8's output. Every
//! node but the root has a distinct power-of-two self size, so a retained
//! size names exactly the set of nodes it sums. The expected trees below
//! are what DevTools' own worker (heap-snapshot-toolkit's `dominatorsTree`
//! and `retainedSizes`) gives on the same files.

use heaplens::analysis::HeapSnapshot;
use heaplens::snapshot::Parser;
use std::collections::HashMap;

/// The synthetic root's name in these graphs (V8 leaves it empty; a name
/// keeps the trees below readable).
const ROOT: &str = "R";

/// A graph under construction: nodes by name in order of first mention (the
/// root first), each node's edges in file order.
struct Heap {
    names: Vec<&'static str>,
    edges: Vec<Vec<Edge>>,
}

/// One edge: V8's edge type, its name (a string, or an index for `element`
/// edges) and its target.
struct Edge {
    kind: &'static str,
    name: String,
    to: usize,
}

impl Heap {
    /// A graph whose edges are `holds`: `(source, "target target …")`, each
    /// target a property of the same name, or `kind:target` for another
    /// edge type (`weak:B`, `shortcut:B`, `element:B`).
    fn new(holds: &[(&'static str, &'static str)]) -> Heap {
        let mut heap = Heap {
            names: vec![ROOT],
            edges: vec![Vec::new()],
        };
        for &(from, targets) in holds {
            for target in targets.split_whitespace() {
                let (kind, to) = target.split_once(':').unwrap_or(("property", target));
                let name = if kind == "element" {
                    let from = heap.node(from);
                    heap.edges[from].len().to_string()
                } else {
                    to.to_owned()
                };
                heap.edge(from, kind, name, to);
            }
        }
        heap
    }

    /// The node named `name`, added if new.
    fn node(&mut self, name: &'static str) -> usize {
        if let Some(n) = self.names.iter().position(|&x| x == name) {
            return n;
        }
        self.names.push(name);
        self.edges.push(Vec::new());
        self.names.len() - 1
    }

    fn edge(&mut self, from: &'static str, kind: &'static str, name: String, to: &'static str) {
        let from = self.node(from);
        let to = self.node(to);
        self.edges[from].push(Edge { kind, name, to });
    }

    /// V8's object id of node `n`: 1 for the root, then odd ids as V8 gives
    /// JavaScript objects.
    fn id(n: usize) -> usize {
        2 * n + 1
    }

    /// Node `n`'s self size: 0 for the root, else `2^(n-1)`.
    fn self_size(n: usize) -> u64 {
        if n == 0 {
            0
        } else {
            1 << (n - 1)
        }
    }

    /// Adds the pair of WeakMap edges V8 writes for one entry: from the
    /// table and from the key, both `internal`, both to the value, named
    /// `<n> / part of key (… @key) -> value (… @value) pair in WeakMap (table @table)`.
    fn ephemeron(&mut self, table: &'static str, key: &'static str, value: &'static str) {
        let ids = [table, key, value].map(|n| Heap::id(self.node(n)));
        let pair = format!(
            "part of key (Object @{}) -> value (Object @{}) pair in WeakMap (table @{})",
            ids[1], ids[2], ids[0]
        );
        self.edge(table, "internal", format!("1 / {pair}"), value);
        self.edge(key, "internal", format!("2 / {pair}"), value);
    }

    /// The graph as a `.heapsnapshot`: the root `synthetic`, every other
    /// node an `object` (so no shallow size moves to an owner).
    fn to_json(&self) -> String {
        let mut strings: Vec<String> = Vec::new();
        let mut string = |s: &str| match strings.iter().position(|x| x == s) {
            Some(i) => i,
            None => {
                strings.push(s.to_owned());
                strings.len() - 1
            }
        };
        let (synthetic, object) = (9, 3);
        let mut nodes = Vec::new();
        for (n, name) in self.names.iter().enumerate() {
            let kind = if n == 0 { synthetic } else { object };
            let (id, size, count) = (Heap::id(n), Heap::self_size(n), self.edges[n].len());
            nodes.push(format!("{kind},{},{id},{size},{count},0,0", string(name)));
        }
        let kinds = [
            "context", "element", "property", "internal", "hidden", "shortcut", "weak",
        ];
        let mut edges = Vec::new();
        for e in self.edges.iter().flatten() {
            let kind = kinds
                .iter()
                .position(|&k| k == e.kind)
                .expect("an edge type");
            let name = match e.kind {
                "element" => e.name.parse().expect("an index"),
                _ => string(&e.name),
            };
            // `to_node` is the target's first field: ordinal × 7 fields.
            edges.push(format!("{kind},{name},{}", e.to * 7));
        }
        let strings: Vec<String> = strings
            .iter()
            .map(|s| serde_json::to_string(s).expect("a string"))
            .collect();
        format!(
            r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{},"edge_count":{},"trace_function_count":0}},
"nodes":[{}],
"edges":[{}],
"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],
"strings":[{}]}}"#,
            self.names.len(),
            edges.len(),
            nodes.join(",\n"),
            edges.join(",\n"),
            strings.join(",\n")
        )
    }

    /// Parses and analyses the graph as a file is.
    fn analyze(&self) -> HeapSnapshot {
        let mut parser = Parser::new();
        parser
            .push(self.to_json().as_bytes())
            .expect("a valid snapshot");
        let graph = parser.finish().expect("a valid snapshot");
        HeapSnapshot::analyze(graph, &mut |_| {})
    }

    /// Asserts every node's immediate dominator and retained size against
    /// `tree`: `(node, "children…")` for each node with children in the
    /// expected dominator tree. Every node must appear in it once.
    fn assert_tree(&self, tree: &[(&str, &str)]) {
        let mut idom: HashMap<&str, &str> = HashMap::from([(ROOT, ROOT)]);
        for &(parent, children) in tree {
            for child in children.split_whitespace() {
                let before = idom.insert(child, parent);
                assert_eq!(before, None, "{child} is twice in the expected tree");
            }
        }
        let mut expected_names: Vec<&str> = idom.keys().copied().collect();
        let mut names = self.names.clone();
        expected_names.sort_unstable();
        names.sort_unstable();
        assert_eq!(expected_names, names, "the expected tree names every node");

        let snapshot = self.analyze();
        let g = &snapshot.graph;
        let ordinal: HashMap<&str, usize> = (0..g.node_count()).map(|n| (g.name(n), n)).collect();
        let dom = &snapshot.dominators;
        let got: Vec<(&str, &str)> = (0..g.node_count())
            .map(|n| (g.name(n), g.name(dom.idom[n])))
            .collect();
        let want: Vec<(&str, &str)> = (0..g.node_count())
            .map(|n| (g.name(n), idom[g.name(n)]))
            .collect();
        assert_eq!(got, want, "immediate dominators (node, idom)");

        // Retained size: the self sizes of the node and all it dominates.
        let retained = |node: &str| -> u64 {
            let mut sum = 0;
            for &n in idom.keys() {
                let mut at = n;
                loop {
                    if at == node {
                        sum += Heap::self_size(ordinal[n]);
                        break;
                    }
                    if at == ROOT {
                        break;
                    }
                    at = idom[at];
                }
            }
            sum
        };
        let got: Vec<(&str, u64)> = (0..g.node_count())
            .map(|n| (g.name(n), dom.retained.get(n)))
            .collect();
        let want: Vec<(&str, u64)> = (0..g.node_count())
            .map(|n| (g.name(n), retained(g.name(n))))
            .collect();
        assert_eq!(got, want, "retained sizes (node, bytes)");
        let total: u64 = (0..g.node_count()).map(Heap::self_size).sum();
        assert_eq!(snapshot.total_size(), total, "the root retains every node");
    }
}

#[test]
fn diamond_the_join_is_dominated_by_the_fork() {
    Heap::new(&[("R", "A"), ("A", "B C"), ("B", "D"), ("C", "D")])
        .assert_tree(&[("R", "A"), ("A", "B C D")]);
}

#[test]
fn lengauer_tarjan_figure_1() {
    // "A Fast Algorithm for Finding Dominators in a Flowgraph" (1979), Fig. 1:
    // the flowgraph and its dominator tree. K's edge back to R becomes an
    // edge into the snapshot's root, which dominates itself all the same.
    Heap::new(&[
        ("R", "A B C"),
        ("A", "D"),
        ("B", "A D E"),
        ("C", "F G"),
        ("D", "L"),
        ("E", "H"),
        ("F", "I"),
        ("G", "I J"),
        ("H", "E K"),
        ("I", "K"),
        ("J", "I"),
        ("K", "I R"),
        ("L", "H"),
    ])
    .assert_tree(&[
        ("R", "A B C D E H I K"),
        ("C", "F G"),
        ("G", "J"),
        ("D", "L"),
    ]);
}

#[test]
fn cooper_harvey_kennedy_figure_2_irreducible_loop() {
    // "A Simple, Fast Dominance Algorithm" (2001), Fig. 2: the loop 1 ⇄ 2
    // has two entries (from 4 and from 3), so the entry node (5, here R)
    // immediately dominates everything.
    Heap::new(&[
        ("R", "n4 n3"),
        ("n4", "n1"),
        ("n3", "n2"),
        ("n1", "n2"),
        ("n2", "n1"),
    ])
    .assert_tree(&[("R", "n1 n2 n3 n4")]);
}

#[test]
fn cooper_harvey_kennedy_figure_4_irreducible_loops() {
    // The same paper, Fig. 4 (the example that needs a second iteration):
    // loops 1 ⇄ 2 and 2 ⇄ 3, entered from 5 and from 4.
    Heap::new(&[
        ("R", "n5 n4"),
        ("n5", "n1"),
        ("n4", "n2 n3"),
        ("n1", "n2"),
        ("n2", "n1 n3"),
        ("n3", "n2"),
    ])
    .assert_tree(&[("R", "n1 n2 n3 n4 n5")]);
}

#[test]
fn natural_loop_with_a_self_loop_and_an_exit() {
    // A reducible loop B → C → B entered at B only; D's self-reference is
    // no essential edge and changes nothing.
    Heap::new(&[
        ("R", "A"),
        ("A", "B"),
        ("B", "C"),
        ("C", "B D"),
        ("D", "D E"),
    ])
    .assert_tree(&[("R", "A"), ("A", "B"), ("B", "C"), ("C", "D"), ("D", "E")]);
}

#[test]
fn element_edges_count_like_properties() {
    // The root's element edges (as to `(GC roots)`) and an array's elements
    // are ordinary essential edges: A's two slots both lead to C through B.
    Heap::new(&[
        ("R", "element:A"),
        ("A", "element:B element:X"),
        ("B", "C"),
        ("X", "C"),
    ])
    .assert_tree(&[("R", "A"), ("A", "B X C")]);
}

#[test]
fn a_node_held_only_through_a_weak_edge_hangs_under_the_root() {
    // Textbook (all edges alike): A dominates W and V. DevTools: a weak edge
    // is not essential, so W has no essential retainer; it is DFS-ed as if
    // the root held it, and the root is its immediate dominator. W still
    // dominates V, and A retains only itself.
    Heap::new(&[("R", "A"), ("A", "weak:W"), ("W", "V")]).assert_tree(&[("R", "A W"), ("W", "V")]);
}

#[test]
fn a_weak_edge_beside_a_strong_one_does_not_count() {
    // Textbook: X has two retainers, A and B, so R dominates it. DevTools
    // leaves B's weak edge out: A alone holds X and retains it.
    Heap::new(&[("R", "A B"), ("A", "X"), ("B", "weak:X")])
        .assert_tree(&[("R", "A B"), ("A", "X")]);
}

#[test]
fn shortcuts_count_from_the_root_only() {
    // The root's shortcut to a global is essential (G dominates Y through
    // it). B's shortcut to X is not: textbook R dominates X (A and B both
    // reach it), DevTools says A. Shortcuts make G a page object, so nothing
    // else here crosses into page objects.
    Heap::new(&[
        ("R", "shortcut:G A B"),
        ("G", "Y"),
        ("A", "X"),
        ("B", "shortcut:X"),
    ])
    .assert_tree(&[("R", "G A B"), ("G", "Y"), ("A", "X")]);
}

#[test]
fn edges_from_outside_the_page_into_page_objects_do_not_count() {
    // G is a user global (the root's shortcut), so G and P are page
    // objects; S is held by the root but is no page object. Textbook: R
    // dominates P (held by G and by S). DevTools ignores S → P, an edge from
    // a non-page object into a page object, so G dominates P.
    Heap::new(&[("R", "shortcut:G element:S"), ("G", "P"), ("S", "P Q")]).assert_tree(&[
        ("R", "G S"),
        ("G", "P"),
        ("S", "Q"),
    ]);
}

#[test]
fn a_weak_map_value_is_dominated_by_its_key_not_its_table() {
    // V8 writes a WeakMap entry as two internal edges to the value, one from
    // the table, one from the key. Textbook: R dominates V (both T and K
    // reach it). DevTools drops the table's edge: the key dominates V.
    let mut heap = Heap::new(&[("R", "T K")]);
    heap.ephemeron("T", "K", "V");
    heap.assert_tree(&[("R", "T K"), ("K", "V")]);
}

#[test]
fn cycles_held_by_nothing_hang_under_the_root_node_by_node() {
    // P ⇄ Q with Z below Q: no path from the root and no node without a
    // retainer to start from. Textbook: unreachable, no dominators at all.
    // DevTools numbers each such node on its own with the root as parent,
    // so the root is the immediate dominator of all three (Q does not
    // dominate Z) and each retains only itself.
    Heap::new(&[("R", "A"), ("P", "Q"), ("Q", "P Z")]).assert_tree(&[("R", "A P Q Z")]);
}

#[test]
fn a_node_with_no_retainer_starts_its_own_subtree_under_the_root() {
    // O has no retainer at all (an "orphan"): DevTools DFS-es from it with
    // the root as parent, so it dominates what only it reaches (X, Y), even
    // through a cycle; M is held by O and by A, so the root dominates it.
    Heap::new(&[("R", "A"), ("A", "M"), ("O", "X M"), ("X", "Y"), ("Y", "X")]).assert_tree(&[
        ("R", "A O M"),
        ("O", "X"),
        ("X", "Y"),
    ]);
}

#[test]
fn retained_sizes_of_4_gib_and_more_are_exact() {
    // A chain of 32 nodes whose self sizes are 2^0 … 2^31: the first
    // retains 2^32 - 1 bytes (the largest 4-byte value, which the compact
    // column keeps aside), the second 2^32 - 2, and so on down.
    const CHAIN: [&str; 33] = [
        "R", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q",
        "S", "T", "U", "V", "W", "X", "Y", "Z", "a", "b", "c", "d", "e", "f", "g",
    ];
    let holds: Vec<(&str, &str)> = CHAIN.windows(2).map(|w| (w[0], w[1])).collect();
    let heap = Heap::new(&holds);
    heap.assert_tree(&holds);
    let snapshot = heap.analyze();
    let retained = |n: usize| snapshot.dominators.retained.get(n);
    assert_eq!(retained(1), u32::MAX as u64);
    assert_eq!(retained(2), u32::MAX as u64 - 1);
    assert_eq!(retained(32), 1 << 31);
    assert_eq!(snapshot.total_size(), u32::MAX as u64);
}
