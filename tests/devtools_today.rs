//! heaplens equals today's DevTools (chrome-devtools-frontend's heap snapshot
//! worker, bundled by tests/oracle/devtools-today.mjs) on what only today's
//! worker has: the Summary's named filters, row for row, on snapshots node
//! writes during the test.

mod common;

use common::{arg, generate, oracle_today, repo, with_session, write_snapshots_with};
use heaplens::analysis::filters::NamedFilter;
use heaplens::query::Window;
use serde_json::Value;
use std::path::PathBuf;

/// One snapshot of duplicated strings and closures holding big values.
fn strings_and_closures() -> PathBuf {
    generate("strings-and-closures", 1).remove(0)
}

/// One snapshot of the mixed heap (Maps, closures, cons strings, Node's
/// detached `BindingData`…).
fn mixed_heap() -> PathBuf {
    generate("mixed-heap", 1).remove(0)
}

/// One snapshot of `named-filters.html` in headless Chromium: detached DOM
/// held by JS, event listeners on window and a button, an object logged to
/// the console with the protocol's Runtime domain on.
fn chromium_page() -> PathBuf {
    let script = repo().join("tests/fixtures/browser/take-snapshots.mjs");
    write_snapshots_with(&script, &[], &["named-filters.html"], "named-filters", 1).remove(0)
}

/// One snapshot of `closures.html` in headless Chromium, whose snapshots
/// carry V8's scope tables.
fn chromium_closures() -> PathBuf {
    let script = repo().join("tests/fixtures/browser/take-snapshots.mjs");
    write_snapshots_with(&script, &[], &["closures.html"], "closures", 1).remove(0)
}

/// A Summary row: name, count, distance, shallow size, retained size, class key.
type Row = (String, u64, Option<u64>, u64, u64, String);

fn devtools_rows(file: &str, filter: NamedFilter) -> Vec<Row> {
    let name = serde_json::to_value(filter).unwrap();
    let out = oracle_today(&["summary", file, "--filter", name.as_str().unwrap()]);
    let u = |r: &Value, k: &str| r[k].as_u64().unwrap();
    let mut rows: Vec<Row> = out["classes"]
        .as_array()
        .expect("the oracle lists classes")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            let d = r["distance"].as_u64();
            (
                s("name"),
                u(r, "count"),
                d,
                u(r, "self_size"),
                u(r, "retained_size"),
                s("key"),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn heaplens_rows(file: &str, filter: NamedFilter) -> Vec<Row> {
    let request = serde_json::json!({"op": "summary", "filter": filter, "limit": usize::MAX});
    let page = with_session(file.as_ref(), |s| {
        serde_json::to_value(s.query(serde_json::from_value(request).unwrap()).unwrap()).unwrap()
    });
    let mut rows: Vec<Row> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            let u = |k: &str| r[k].as_u64().unwrap();
            let d = r["distance"].as_u64();
            (
                s("name"),
                u("count"),
                d,
                u("selfSize"),
                u("retainedSize"),
                s("key"),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn assert_filters_equal_devtools(file: &str, expect_rows: &[NamedFilter]) {
    for filter in NamedFilter::ALL {
        let (ours, theirs) = (heaplens_rows(file, filter), devtools_rows(file, filter));
        assert_eq!(ours, theirs, "{} on {file}", filter.title());
        if expect_rows.contains(&filter) {
            assert!(
                !theirs.is_empty(),
                "{} shows nothing on {file}",
                filter.title()
            );
        }
    }
}

#[test]
fn every_named_filter_equals_devtools_on_strings_and_closures() {
    let file = strings_and_closures();
    assert_filters_equal_devtools(
        arg(&file),
        &[NamedFilter::DuplicatedStrings, NamedFilter::Contexts],
    );
}

#[test]
fn every_named_filter_equals_devtools_on_the_mixed_heap() {
    let file = mixed_heap();
    assert_filters_equal_devtools(
        arg(&file),
        &[
            NamedFilter::DuplicatedStrings,
            NamedFilter::Contexts,
            NamedFilter::DetachedDom,
        ],
    );
}

#[test]
fn cli_summary_filter_prints_devtools_rows() {
    let file = strings_and_closures();
    let (status, stdout, stderr) = common::cli(&[
        "summary",
        arg(&file),
        "--filter",
        "duplicated-strings",
        "--json",
    ]);
    assert!(status.success(), "{stderr}");
    let out: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["filter"], "duplicatedStrings");
    let mut rows: Vec<(String, u64, u64, u64)> = out["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let u = |k: &str| r[k].as_u64().unwrap();
            (
                r["name"].as_str().unwrap().to_owned(),
                u("count"),
                u("selfSize"),
                u("retainedSize"),
            )
        })
        .collect();
    rows.sort();
    let devtools: Vec<_> = devtools_rows(arg(&file), NamedFilter::DuplicatedStrings)
        .into_iter()
        .map(|(name, count, _, shallow, retained, _)| (name, count, shallow, retained))
        .collect();
    assert_eq!(rows, devtools);
    let (status, _, stderr) = common::cli(&["summary", arg(&file), "--filter", "strings"]);
    assert!(!status.success());
    assert!(
        stderr.contains("duplicated-strings, detached-dom"),
        "{stderr}"
    );
}

/// A duplicated string group: copies, shallow size of all copies, their
/// retained sizes, the first 100 characters of the value.
type StringGroup = (u64, u64, u64, String);

fn prefix(value: &str) -> String {
    value.chars().take(100).collect()
}

#[test]
fn duplicated_strings_equal_devtools_groups_and_rank_by_wasted_bytes() {
    let file = strings_and_closures();
    let page = with_session(&file, |s| s.duplicate_strings(Window::first(usize::MAX)));
    let mut ours: Vec<StringGroup> = page
        .rows
        .iter()
        .map(|r| {
            (
                r.copies as u64,
                r.total_size,
                r.retained_size,
                prefix(&r.value),
            )
        })
        .collect();
    let devtools = oracle_today(&["strings", arg(&file)]);
    let mut theirs: Vec<StringGroup> = devtools
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let u = |k: &str| g[k].as_u64().unwrap();
            let value = prefix(g["value"].as_str().unwrap());
            (
                u("count"),
                u("totalSelfSize"),
                u("totalRetainedSize"),
                value,
            )
        })
        .collect();
    // The program's 4 KiB string, held 300 times, wastes the most.
    let top = &page.rows[0];
    assert_eq!(top.copies, 300);
    assert!(top.value.starts_with("duplicated-line:"), "{}", top.value);
    assert_eq!(top.wasted_bytes, 299 * top.bytes_per_copy);
    // All held by the program's `strings` array, through its indexes.
    let holder = &top.holders[0];
    assert_eq!(
        (
            holder.class_name.as_str(),
            holder.edge_name.as_str(),
            holder.copies
        ),
        ("Array", "[]", 300)
    );
    assert!(page
        .rows
        .windows(2)
        .all(|w| w[0].wasted_bytes >= w[1].wasted_bytes));
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
}

#[test]
fn closures_rank_first_the_context_an_unused_closure_keeps_a_big_value_alive_in() {
    let file = strings_and_closures();
    let page = with_session(&file, |s| s.closures(Window::first(3)));
    // The program leaves three such contexts, each the only holder of a
    // 4 MiB `Hoard` that only a sibling closure, long gone, ever read.
    for row in &page.rows {
        let names: Vec<&str> = row.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["handler"], "{row:?}");
        let hoard = &row.variables[0];
        assert_eq!(
            (hoard.name.as_str(), hoard.value.class_name.as_str()),
            ("hoard", "Hoard")
        );
        assert!(hoard.held_only_here);
        assert!(row.own_size >= 4 << 20, "{row:?}");
        assert_eq!(row.own_size, row.held_size);
    }
    assert_eq!(page.rows.len(), 3);
}

#[test]
fn every_named_filter_equals_devtools_on_a_chromium_page() {
    let file = chromium_page();
    assert_filters_equal_devtools(arg(&file), &NamedFilter::ALL);
    // Each holder keeps the program's own class, and only it.
    let classes = |filter| -> Vec<String> {
        heaplens_rows(arg(&file), filter)
            .into_iter()
            .map(|r| r.0)
            .collect()
    };
    assert!(classes(NamedFilter::DetachedDom).contains(&"CardPayload".to_owned()));
    assert!(classes(NamedFilter::Console).contains(&"LoggedRecord".to_owned()));
    let handlers = classes(NamedFilter::EventHandlers);
    assert!(handlers.contains(&"ResizeTable".to_owned()), "{handlers:?}");
    assert!(handlers.contains(&"ClickState".to_owned()), "{handlers:?}");
}

#[test]
fn a_named_filter_combines_with_the_class_filter_the_id_range_and_instances() {
    let file = chromium_page();
    let ask = |request: Value| {
        with_session(&file, |s| {
            serde_json::to_value(s.query(serde_json::from_value(request).unwrap()).unwrap())
                .unwrap()
        })
    };
    let rows = ask(serde_json::json!({
        "op": "summary", "filter": "objectsRetainedByConsole", "classFilter": "loggedrec"
    }));
    assert_eq!(rows["total"], 1, "{rows}");
    let row = &rows["rows"][0];
    assert_eq!(row["name"], "LoggedRecord");
    let key = row["key"].clone();
    let members = |filter: Value| {
        ask(serde_json::json!({"op": "instances", "classKey": key, "filter": filter}))["total"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(members("objectsRetainedByConsole".into()), 1);
    // Nothing but the console holds it.
    assert_eq!(members("objectsRetainedByEventHandlers".into()), 0);
    // An id range that holds every object leaves the filter's rows as they are;
    // one that holds none leaves no row.
    let ranged = |range: Value| {
        ask(serde_json::json!({
            "op": "summary", "filter": "objectsRetainedByConsole", "idRange": range, "limit": 1000
        }))["rows"]
            .clone()
    };
    let all = ask(
        serde_json::json!({"op": "summary", "filter": "objectsRetainedByConsole", "limit": 1000}),
    );
    assert_eq!(ranged(serde_json::json!([0, u32::MAX])), all["rows"]);
    assert_eq!(ranged(serde_json::json!([0, 0])), serde_json::json!([]));
}

/// A dead context field: context id, variable name, value id, value's retained size.
type DeadRow = (u64, String, u64, u64);

#[test]
fn dead_context_fields_equal_devtools_context_analyzer_and_rank_first() {
    let file = chromium_closures();
    let devtools = oracle_today(&["contexts", arg(&file)]);
    let mut theirs: Vec<DeadRow> = Vec::new();
    for scope in devtools["scopes"].as_array().unwrap() {
        for context in scope["contexts"].as_array().unwrap() {
            for field in context["deadFields"].as_array().unwrap() {
                theirs.push((
                    context["contextNodeId"].as_u64().unwrap(),
                    field["name"].as_str().unwrap().to_owned(),
                    field["valueNodeId"].as_u64().unwrap(),
                    field["retainedSize"].as_u64().unwrap(),
                ));
            }
        }
    }
    theirs.sort();
    let (ours, page) = with_session(&file, |s| {
        let snapshot = &s.snapshot;
        let g = &snapshot.graph;
        let analysis = heaplens::analysis::contexts::analyze_contexts(snapshot);
        assert!(analysis.has_scope_tables);
        let mut ours: Vec<DeadRow> = analysis
            .dead
            .iter()
            .map(|f| {
                let value = g.edge_to[f.edge.index()] as usize;
                (
                    g.node_id[f.context.index()] as u64,
                    g.edge_label(f.edge.index()).into_owned(),
                    g.node_id[value] as u64,
                    snapshot.dominators.retained.get(value),
                )
            })
            .collect();
        ours.sort();
        (ours, s.closures(Window::first(4)))
    });
    assert_eq!(ours, theirs);
    // The three contexts whose `hoard` nobody can read come first; the
    // context whose `table` a not-yet-created inner function reads is not dead.
    assert_eq!(theirs.len(), 3, "{theirs:?}");
    for row in &page.rows[..3] {
        let hoard = &row.variables[0];
        assert_eq!((hoard.name.as_str(), hoard.dead), ("hoard", Some(true)));
        assert_eq!(row.dead_size, Some(hoard.value.retained_size));
        assert_eq!(row.dead_held_size, row.dead_size);
    }
    let table = &page.rows[3].variables[0];
    assert_eq!((table.name.as_str(), table.dead), ("table", Some(false)));
}

#[test]
fn without_scope_tables_closures_say_nothing_is_known_dead() {
    let file = strings_and_closures();
    let page = with_session(&file, |s| s.closures(Window::first(1)));
    assert_eq!(page.rows[0].dead_size, None);
    assert!(page.rows[0].variables.iter().all(|v| v.dead.is_none()));
}

/// A one-node snapshot with the scope tables V8 writes (scope ids can be
/// negative), and `nodes` given as `NODES`.
fn tiny_snapshot_with_scopes(nodes: &str) -> String {
    with_scope_rows(nodes, "0,-2,0,1,0,0,216,1,0,1")
}

/// The same with the given `scopes` rows.
fn with_scope_rows(nodes: &str, scopes: &str) -> String {
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],
        "node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],
        "edge_types":[["element"]],
        "scope_fields":["script_node_index","scope_id","depth","scope_context_vars_count","scope_uses_count"],
        "scope_context_var_fields":["name"],"scope_use_fields":["declaring_scope_id","slot_index"]}},
        "node_count":1,"edge_count":0}},"nodes":[{nodes}],"edges":[],
        "scopes":[{scopes}],"scope_context_vars":[1],"scope_uses":[-2,0],
        "strings":["","hoard"]}}"#
    )
}

#[test]
fn scope_tables_are_read_with_their_negative_scope_ids_and_only_there() {
    let graph = common::parse_chunked(tiny_snapshot_with_scopes("0,0,1,0,0").as_bytes(), 7)
        .expect("a snapshot with scope tables parses");
    assert_eq!(graph.scopes.scopes, [0, -2, 0, 1, 0, 0, 216, 1, 0, 1]);
    assert_eq!(graph.scopes.vars, [1]);
    assert_eq!(graph.scopes.uses, [-2, 0]);
    let e = common::parse_chunked(tiny_snapshot_with_scopes("0,0,-1,0,0").as_bytes(), 7)
        .expect_err("nodes are unsigned");
    assert!(e.message().contains("negative"), "{}", e.message());
}

#[test]
fn scope_rows_that_count_past_their_tables_are_cut_to_what_is_there() {
    let text = with_scope_rows(
        "0,0,1,0,0",
        "0,-2,9,999999999999,999999999999,0,5,1,999999999999,3",
    );
    let graph = common::parse_chunked(text.as_bytes(), 11).expect("the tables parse");
    let snapshot = heaplens::analysis::HeapSnapshot::analyze(graph, &mut |_| {});
    let analysis = heaplens::analysis::contexts::analyze_contexts(&snapshot);
    assert!(analysis.has_scope_tables);
    assert!(analysis.dead.is_empty());
}
