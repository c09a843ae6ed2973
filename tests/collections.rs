//! Growing collections across a series of snapshots: a server whose
//! module-scope cache, client set, WeakMap, listener list and session
//! dictionary gain a fixed number of entries per round, and an LRU map that
//! stays at its cap.

mod common;

use common::{generate, open};
use heaplens::analysis::collections::{growing_collections, Census, GrowingCollection, Kind};
use std::sync::OnceLock;

/// The report on four snapshots of `growing-collections.cjs`.
fn report() -> &'static [GrowingCollection] {
    static REPORT: OnceLock<Vec<GrowingCollection>> = OnceLock::new();
    REPORT.get_or_init(|| {
        let files = generate("growing-collections", 4);
        let mut series = Vec::new();
        for file in &files[..3] {
            series.push(Census::of(&open(file).snapshot));
        }
        let last = open(&files[3]).snapshot;
        series.push(Census::of(&last));
        growing_collections(&series, &last)
    })
}

fn held_as(name: &str) -> &'static GrowingCollection {
    report()
        .iter()
        .find(|c| c.held_as == name)
        .unwrap_or_else(|| panic!("no growing collection held as {name}: {:#?}", summary()))
}

fn summary() -> Vec<(String, Kind, Vec<u32>)> {
    report()
        .iter()
        .map(|c| (c.held_as.clone(), c.kind, c.counts.clone()))
        .collect()
}

#[test]
fn each_growing_collection_counts_the_entries_the_program_added_per_round() {
    let expect: [(&str, Kind, [u32; 4]); 6] = [
        ("responseCache", Kind::Map, [50, 100, 150, 200]),
        ("hitCounts", Kind::Map, [50, 100, 150, 200]),
        ("requestMeta", Kind::WeakMap, [50, 100, 150, 200]),
        ("sessions", Kind::Object, [20, 40, 60, 80]),
        ("seenClients", Kind::Set, [10, 20, 30, 40]),
        ("listeners", Kind::Array, [3, 6, 9, 12]),
    ];
    for (name, kind, counts) in expect {
        let c = held_as(name);
        assert_eq!((c.kind, c.counts.as_slice()), (kind, &counts[..]), "{name}");
        assert_eq!(c.growth, counts[3] - counts[0], "{name}");
        let step = counts[1] - counts[0];
        assert_eq!(c.per_interval, [step; 3], "{name}");
        assert_eq!(c.detached_dom, 0);
    }
    // Nothing else in the program grows, and the capped LRU map does not.
    assert_eq!(report().len(), 6, "{:#?}", summary());
    assert!(report().iter().all(|c| c.held_as != "recent"));
}

#[test]
fn most_growth_ranks_first_then_the_larger_retained_size() {
    let order: Vec<&str> = report().iter().map(|c| c.held_as.as_str()).collect();
    // Three Maps gained 150 entries; the cache retains its responses.
    assert_eq!(order[0], "responseCache", "{order:?}");
    assert_eq!(order[3..], ["sessions", "seenClients", "listeners"]);
    for pair in report().windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.growth > b.growth || (a.growth == b.growth && a.retained_size >= b.retained_size)
        );
    }
    let cache = held_as("responseCache");
    // 200 CachedResponse objects and their URL and body strings, at least.
    assert!(
        cache.retained_size > 200 * 3 * 16,
        "{}",
        cache.retained_size
    );
}

#[test]
fn a_collection_comes_with_the_path_that_keeps_it() {
    let cache = held_as("responseCache");
    let last = cache.path.last().expect("a path");
    assert_eq!(
        (last.edge.as_str(), last.edge_type.as_str()),
        ("responseCache", "context")
    );
    assert_eq!((last.node.as_str(), last.id), ("Map", cache.id));
    // Held by the module function's context, reached from a GC root.
    assert!(cache.path.len() >= 3, "{:?}", cache.path);
    assert_eq!(cache.path[cache.path.len() - 2].node, "system / Context");
}
