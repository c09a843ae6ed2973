//! The analyses give the same answers on one thread (wasm, `bench --threads
//! 1`) as on two (the native default, where shallow sizes, distances and
//! class names run beside the dominator tree): every parity test runs the
//! threaded path, and this pins the single-threaded one to it on real
//! snapshots.

mod common;

use common::{generate, parse_chunked};
use heaplens::analysis::HeapSnapshot;
use heaplens::query::{Order, Scope, Session, SortBy};

fn analyzed(path: &std::path::Path, threads: usize) -> Session {
    let bytes = std::fs::read(path).unwrap();
    let graph = parse_chunked(&bytes, 1 << 16).unwrap();
    Session::new(HeapSnapshot::analyze_with(graph, threads, &mut |_| {}))
}

#[test]
fn one_thread_and_two_give_the_same_distances_dominators_classes_and_summary() {
    for (program, count) in [("mixed-heap", 1), ("classic-leak", 3)] {
        let file = &generate(program, count)[count - 1];
        let (mut one, mut two) = (analyzed(file, 1), analyzed(file, 2));
        let (a, b) = (&one.snapshot, &two.snapshot);
        assert!(a.graph.node_count() > 10_000, "{program}: a real heap");
        assert_eq!(a.distances, b.distances, "{program}: distances");
        assert_eq!(
            a.dominators.idom, b.dominators.idom,
            "{program}: dominators"
        );
        assert_eq!(a.dominators.retained, b.dominators.retained, "{program}");
        assert_eq!(a.classes.key_of, b.classes.key_of, "{program}: classes");
        let order = Order::largest(SortBy::RetainedSize);
        let rows = one.classes(Scope::default(), "", order);
        assert!(rows.len() > 100, "{program}: {} classes", rows.len());
        assert_eq!(rows, two.classes(Scope::default(), "", order), "{program}");
    }
}

/// The graph of `bytes` read twice at once by two parsers.
fn parse_in_two(bytes: &[u8]) -> heaplens::Result<heaplens::snapshot::Graph> {
    heaplens::snapshot::parse_twice(&|| Ok(bytes), bytes.len() as u64)
}

#[test]
fn two_parsers_at_once_build_the_graph_one_parser_builds() {
    for (program, count) in [("mixed-heap", 1), ("classic-leak", 3)] {
        let bytes = std::fs::read(&generate(program, count)[count - 1]).unwrap();
        let (one, two) = (
            parse_chunked(&bytes, 1 << 20).unwrap(),
            parse_in_two(&bytes).unwrap(),
        );
        assert!(
            one.edge_count() > 50_000,
            "{program}: {} edges",
            one.edge_count()
        );
        assert_eq!(one.node_count(), two.node_count(), "{program}");
        assert_eq!(one.first_edge, two.first_edge, "{program}");
        assert_eq!(one.edge_type, two.edge_type, "{program}");
        assert_eq!(one.edge_name, two.edge_name, "{program}");
        assert_eq!(one.edge_to, two.edge_to, "{program}");
        assert_eq!(one.node_id, two.node_id, "{program}");
        assert_eq!(one.self_size, two.self_size, "{program}");
        assert_eq!(one.strings.len(), two.strings.len(), "{program}");
    }
}

#[test]
fn two_parsers_at_once_name_bad_input_as_one_parser_does() {
    let bytes = std::fs::read(&generate("mixed-heap", 1)[0]).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let at = |key: &str| text.find(key).unwrap();
    let (nodes, edges, strings) = (at("\"nodes\""), at("\"edges\""), at("\"strings\""));
    let mut bad_edge = bytes.clone();
    // The first edge's type: far outside edge_types.
    let first = edges + "\"edges\":[".len();
    bad_edge.splice(first..first + 1, *b"99");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut inside nodes", bytes[..nodes + 1000].to_vec()),
        ("cut inside edges", bytes[..edges + 5000].to_vec()),
        ("cut inside strings", bytes[..strings + 5000].to_vec()),
        ("an edge type out of range", bad_edge),
        (
            "no edges section",
            text.replacen("\"edges\"", "\"edgez\"", 1).into_bytes(),
        ),
    ];
    for (what, input) in cases {
        let one = parse_chunked(&input, 1 << 20).map(|g| g.node_count());
        let two = parse_in_two(&input).map(|g| g.node_count());
        match (one, two) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}"),
            (Err(a), Err(b)) => assert_eq!(a.message(), b.message(), "{what}"),
            (a, b) => panic!("{what}: one parser {a:?}, two {b:?}"),
        }
    }
}
