//! The analyses give the same answers on one thread (wasm, `bench --threads
//! 1`) as on two (the native default, where distances and class names run
//! beside the dominator tree): every parity test runs the threaded path, and
//! this pins the single-threaded one to it on real snapshots.

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
