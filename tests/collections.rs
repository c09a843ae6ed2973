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

#[test]
fn the_cli_lists_the_same_collections_from_a_folder_as_json() {
    let files = generate("growing-collections", 4);
    let folder = files[0].parent().unwrap().to_str().unwrap();
    let (status, out, err) = common::cli(&["collections", folder, "--json"]);
    assert!(status.success(), "{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["schema"], 2);
    assert_eq!(answer["files"].as_array().unwrap().len(), 4);
    let rows = answer["collections"].as_array().unwrap();
    assert_eq!(rows.len(), report().len());
    let first = &rows[0];
    assert_eq!(first["heldAs"], "responseCache");
    assert_eq!(first["counts"], serde_json::json!([50, 100, 150, 200]));
    assert_eq!(first["perInterval"], serde_json::json!([50, 50, 50]));
    assert_eq!(first["retainedSize"], report()[0].retained_size);
    // Fewer than three snapshots, or out of capture order, are refused.
    let two: Vec<&str> = files[..2].iter().map(|f| f.to_str().unwrap()).collect();
    let (status, _, err) = common::cli(&["collections", two[0], two[1]]);
    assert!(
        !status.success() && err.contains("3 or more snapshots"),
        "{err}"
    );
    let f = |i: usize| files[i].to_str().unwrap();
    let (status, _, err) = common::cli(&["collections", f(2), f(1), f(3)]);
    assert!(!status.success() && err.contains("capture order"), "{err}");
}

#[test]
fn the_cli_draws_the_retainer_graph_of_a_collection_as_svg() {
    let files = generate("growing-collections", 4);
    let cache = held_as("responseCache");
    let dir = common::TempDir::new("graph-svg");
    let svg = dir.path().join("cache.svg");
    let id = format!("@{}", cache.id);
    let (status, out, err) = common::cli(&[
        "graph",
        files[3].to_str().unwrap(),
        &id,
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    assert!(out.contains("--responseCache (context)-->"), "{out}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains(&format!("data-id=\"{}\"", cache.id)));
    let (status, out, _) = common::cli(&["graph", files[3].to_str().unwrap(), &id, "--json"]);
    assert!(status.success());
    let graph: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (graph["schema"].as_u64(), graph["id"].as_u64()),
        (Some(2), Some(cache.id as u64))
    );
    assert_eq!(graph["nodes"][0]["id"], cache.id);
    assert!(graph["limitsReached"].is_object());
}

#[test]
fn a_census_passed_as_json_between_workers_gives_the_same_report() {
    let files = generate("growing-collections", 4);
    let through_json = |census: Census| -> Census {
        serde_json::from_value(serde_json::to_value(&census).unwrap()).unwrap()
    };
    let series: Vec<Census> = files[..3]
        .iter()
        .map(|f| through_json(Census::of(&open(f).snapshot)))
        .collect();
    let last = open(&files[3]).snapshot;
    let mut series = series;
    series.push(Census::of(&last));
    let again = growing_collections(&series, &last);
    let ids = |r: &[GrowingCollection]| r.iter().map(|c| (c.id, c.growth)).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(report()));
}

#[test]
fn a_page_array_of_removed_cards_grows_and_holds_detached_dom_nodes() {
    common::require_chromium();
    // detached-dom.html keeps 50 removed cards per round in `removedCards`,
    // the undo history its list's click listener closes over.
    let script = common::repo().join("tests/fixtures/browser/take-snapshots.mjs");
    let files = common::write_snapshots(&script, &[], "detached-dom", 3);
    let mut series = Vec::new();
    for f in &files[..2] {
        series.push(Census::of(&open(f).snapshot));
    }
    let last = open(&files[2]).snapshot;
    series.push(Census::of(&last));
    let found = growing_collections(&series, &last);
    let cards = found
        .iter()
        .find(|c| c.held_as == "removedCards")
        .expect("the array of removed cards grows");
    assert_eq!(
        (cards.kind, cards.counts.as_slice()),
        (Kind::Array, &[50, 100, 150][..])
    );
    assert_eq!(cards.detached_dom, 150);
    assert_eq!(
        found[0].id, cards.id,
        "the fastest-growing collection is the leak"
    );
}
