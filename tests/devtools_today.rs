//! heaplens equals today's DevTools (chrome-devtools-frontend's heap snapshot
//! worker, bundled by tests/oracle/devtools-today.mjs) on what only today's
//! worker has: the Summary's named filters, row for row, on snapshots node
//! writes during the test.

mod common;

use common::{arg, generate, oracle_today, with_session};
use heaplens::analysis::filters::NamedFilter;
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
        s.query(serde_json::from_value(request).unwrap()).unwrap()
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
    let mut rows: Vec<(String, u64, u64, u64)> = out["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let u = |k: &str| r[k].as_u64().unwrap();
            (
                r["name"].as_str().unwrap().to_owned(),
                u("count"),
                u("self_size"),
                u("retained_size"),
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
