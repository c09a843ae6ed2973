//! heaplens shows the numbers Chrome DevTools shows: every Summary row,
//! the Statistics buckets, every Comparison row and the "objects allocated
//! between snapshots" filter, checked against DevTools' own heap snapshot
//! worker (tests/oracle/devtools.mjs) on real snapshots written by node, and
//! on a synthetic one (scripts/make-synthetic-snapshot.mjs) with deep chains.

mod common;

use common::{
    arg, cli, generate, oracle, snake, synthetic_snapshot, with_session, STATISTICS_BUCKETS,
};
use heaplens::query::{ClassRow, Order, Scope, SortBy};
use serde_json::Value;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

/// Three snapshots of a program leaking 1,000 `SimpleClass` per round.
fn classic_leak() -> Vec<PathBuf> {
    generate("classic-leak", 3)
}

/// One snapshot of the mixed heap (Maps, WeakMaps, closures, typed arrays,
/// cons and sliced strings, plain-object interfaces, non-ASCII names).
fn mixed_heap_single() -> Vec<PathBuf> {
    generate("mixed-heap", 1)
}

/// Three snapshots of the mixed heap, each adding a small batch of objects.
fn mixed_heap_series() -> Vec<PathBuf> {
    generate("mixed-heap", 3)
}

/// A Summary row as both sides show it: name, count, distance, shallow size,
/// retained size, and DevTools' class key (`,Name`, or
/// `scriptId,line,column,Name` for classes defined in a script).
type SummaryRow = (String, u64, Option<u64>, u64, u64, String);

/// A Comparison row: name, # new, # deleted, alloc. size, freed size.
type DiffRow = (String, u64, u64, u64, u64);

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not an unsigned number in {v}"))
}

fn summary_rows_of_oracle(summary: &Value) -> Vec<SummaryRow> {
    summary["classes"]
        .as_array()
        .expect("the oracle lists classes")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                u(r, "count"),
                r["distance"].as_u64(),
                u(r, "self_size"),
                u(r, "retained_size"),
                r["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn summary_rows_of_heaplens(rows: &[ClassRow]) -> Vec<SummaryRow> {
    rows.iter()
        .map(|r| {
            (
                r.name.clone(),
                r.count as u64,
                r.distance.map(u64::from),
                r.self_size,
                r.retained_size,
                r.key.clone(),
            )
        })
        .collect()
}

/// Comparison rows: heaplens' `rows` (camelCase) or the oracle's `classes`
/// (snake_case).
fn diff_rows(diff: &Value) -> Vec<DiffRow> {
    let field = |r: &Value, key: &str| match r.get(key) {
        Some(_) => u(r, key),
        None => u(r, &snake(key)),
    };
    diff.get("rows")
        .unwrap_or(&diff["classes"])
        .as_array()
        .expect("a diff lists classes")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                field(r, "newCount"),
                field(r, "deletedCount"),
                field(r, "addedSize"),
                field(r, "freedSize"),
            )
        })
        .collect()
}

/// Asserts two row lists are equal as multisets; on mismatch the message
/// lists exactly the rows only one side has.
fn assert_same_rows<T: Ord + Clone + Debug>(what: &str, heaplens: &[T], devtools: &[T]) {
    let (mut ours, mut theirs) = (heaplens.to_vec(), devtools.to_vec());
    ours.sort();
    theirs.sort();
    let (mut only_ours, mut only_theirs) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < ours.len() || j < theirs.len() {
        if j == theirs.len() || (i < ours.len() && ours[i] < theirs[j]) {
            only_ours.push(&ours[i]);
            i += 1;
        } else if i == ours.len() || theirs[j] < ours[i] {
            only_theirs.push(&theirs[j]);
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }
    let list = |rows: &[&T]| {
        rows.iter()
            .map(|r| format!("\n    {r:?}"))
            .collect::<String>()
    };
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "{what}: {} of {} heaplens rows and {} of {} DevTools rows differ\n  \
         only in heaplens:{}\n  only in DevTools:{}",
        only_ours.len(),
        ours.len(),
        only_theirs.len(),
        theirs.len(),
        list(&only_ours),
        list(&only_theirs),
    );
}

/// `DIR/N.heapsnapshot`: the temp dir's name ends with the program's.
fn label(file: &Path) -> String {
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    format!("{}/{}", name(file.parent().unwrap()), name(file))
}

fn assert_totals_equal_devtools(files: &[PathBuf]) {
    for file in files {
        let devtools = oracle(&["summary", arg(file)]);
        let info = with_session(file, |s| s.info());
        assert_eq!(
            (info.nodes as u64, info.edges as u64, info.total_size),
            (
                u(&devtools, "nodes"),
                u(&devtools, "edges"),
                u(&devtools, "total_size")
            ),
            "(nodes, edges, total size) of {}",
            label(file)
        );
    }
}

fn assert_summary_equals_devtools(files: &[PathBuf]) {
    for file in files {
        let devtools = summary_rows_of_oracle(&oracle(&["summary", arg(file)]));
        let ours = with_session(file, |s| {
            s.classes(Scope::default(), "", Order::largest(SortBy::RetainedSize))
        });
        assert!(
            ours.len() > 100,
            "{} has only {} classes",
            label(file),
            ours.len()
        );
        assert_same_rows(
            &format!("Summary of {}", label(file)),
            &summary_rows_of_heaplens(&ours),
            &devtools,
        );
    }
}

/// `heaplens diff BASE FILE --json` against DevTools' Comparison view.
fn assert_comparison_equals_devtools(base: &Path, file: &Path) -> Vec<DiffRow> {
    let (status, stdout, stderr) = cli(&["diff", arg(base), arg(file), "--json"]);
    assert!(status.success(), "heaplens diff failed: {stderr}");
    let ours = diff_rows(&serde_json::from_str(&stdout).expect("diff --json prints JSON"));
    let devtools = diff_rows(&oracle(&["diff", arg(base), arg(file)]));
    assert_same_rows(
        &format!("Comparison of {} against {}", label(file), label(base)),
        &ours,
        &devtools,
    );
    ours
}

/// Summary of `file` filtered to objects allocated between `s1` and `s2`:
/// ids in (max JS id of s1, max JS id of s2].
fn assert_between_equals_devtools(s1: &Path, s2: &Path, file: &Path) -> Vec<SummaryRow> {
    let range = (
        with_session(s1, |s| s.info().max_js_id),
        with_session(s2, |s| s.info().max_js_id),
    );
    assert!(range.0 < range.1, "max JS ids grow: {range:?}");
    let ours = summary_rows_of_heaplens(&with_session(file, |s| {
        s.classes(
            Scope {
                id_range: Some(range),
                ..Scope::default()
            },
            "",
            Order::largest(SortBy::RetainedSize),
        )
    }));
    let devtools = oracle(&["between", arg(s1), arg(s2), arg(file)]);
    assert_eq!(
        (u(&devtools, "min_node_id"), u(&devtools, "max_node_id")),
        (range.0 as u64, range.1 as u64),
        "the id range DevTools filters by"
    );
    assert_same_rows(
        &format!(
            "Summary of {} allocated between {} and {}",
            label(file),
            label(s1),
            label(s2)
        ),
        &ours,
        &summary_rows_of_oracle(&devtools),
    );
    ours
}

/// Rows that carry a class name first.
trait Named {
    fn name(&self) -> &str;
}

impl Named for SummaryRow {
    fn name(&self) -> &str {
        &self.0
    }
}

impl Named for DiffRow {
    fn name(&self) -> &str {
        &self.0
    }
}

/// The one row of class `name`.
fn row<'a, T: Named>(rows: &'a [T], name: &str) -> &'a T {
    let mut found = rows.iter().filter(|r| r.name() == name);
    let first = found.next().unwrap_or_else(|| panic!("no {name} row"));
    assert!(found.next().is_none(), "more than one {name} row");
    first
}

#[test]
fn nodes_edges_and_total_size_equal_devtools_on_classic_leak() {
    assert_totals_equal_devtools(&classic_leak());
}

#[test]
fn nodes_edges_and_total_size_equal_devtools_on_mixed_heap() {
    assert_totals_equal_devtools(&mixed_heap_single());
    assert_totals_equal_devtools(&mixed_heap_series());
}

#[test]
fn every_summary_row_equals_devtools_on_classic_leak() {
    assert_summary_equals_devtools(&classic_leak());
}

#[test]
fn every_summary_row_equals_devtools_on_single_mixed_heap_snapshot() {
    assert_summary_equals_devtools(&mixed_heap_single());
}

#[test]
fn every_summary_row_equals_devtools_on_mixed_heap_series() {
    assert_summary_equals_devtools(&mixed_heap_series());
}

#[test]
fn every_summary_row_equals_devtools_on_a_synthetic_snapshot() {
    let file = [synthetic_snapshot("8M")];
    assert_totals_equal_devtools(&file);
    assert_summary_equals_devtools(&file);
}

#[test]
fn statistics_buckets_equal_devtools_on_every_snapshot() {
    let files = [classic_leak(), mixed_heap_single(), mixed_heap_series()].concat();
    for file in &files {
        let devtools = oracle(&["stats", arg(file)]);
        let ours = serde_json::to_value(with_session(file, |s| s.stats())).unwrap();
        for bucket in STATISTICS_BUCKETS {
            let theirs = devtools.pointer(bucket).and_then(Value::as_u64);
            assert!(theirs.is_some(), "the oracle has no {bucket}: {devtools}");
            assert_eq!(
                ours.pointer(bucket).and_then(Value::as_u64),
                theirs,
                "statistics bucket {bucket} of {}",
                label(file)
            );
        }
    }
}

#[test]
fn comparison_rows_equal_devtools_on_classic_leak() {
    let s = classic_leak();
    let first_to_third = assert_comparison_equals_devtools(&s[0], &s[2]);
    let second_to_third = assert_comparison_equals_devtools(&s[1], &s[2]);
    // Two rounds of leaked instances, none freed; then one round.
    assert_eq!(
        row(&first_to_third, "SimpleClass"),
        &("SimpleClass".to_owned(), 2000, 0, 64000, 0)
    );
    assert_eq!(
        row(&second_to_third, "SimpleClass"),
        &("SimpleClass".to_owned(), 1000, 0, 32000, 0)
    );
}

#[test]
fn comparison_rows_equal_devtools_on_mixed_heap_series() {
    let s = mixed_heap_series();
    let first_to_third = assert_comparison_equals_devtools(&s[0], &s[2]);
    assert_comparison_equals_devtools(&s[1], &s[2]);
    // Each later snapshot adds 50 Point and 10 Ünïcødé instances.
    assert_eq!(row(&first_to_third, "Point").1, 100);
    assert_eq!(row(&first_to_third, "Ünïcødé").1, 20);
}

#[test]
fn allocated_between_summary_equals_devtools_on_classic_leak() {
    let s = classic_leak();
    let between = assert_between_equals_devtools(&s[0], &s[1], &s[2]);
    // Exactly the second round's instances, all still alive in snapshot 3.
    let simple = row(&between, "SimpleClass");
    assert_eq!((simple.1, simple.3), (1000, 32000));
    assert_between_equals_devtools(&s[1], &s[2], &s[2]);
}

#[test]
fn allocated_between_summary_equals_devtools_on_mixed_heap_series() {
    let s = mixed_heap_series();
    let between = assert_between_equals_devtools(&s[0], &s[1], &s[2]);
    assert_eq!(row(&between, "Point").1, 50);
    assert_between_equals_devtools(&s[1], &s[2], &s[2]);
}

#[test]
fn simple_class_in_third_classic_leak_snapshot_has_devtools_numbers() {
    let third = &classic_leak()[2];
    // What the DevTools Memory panel showed for this program on this machine's
    // node: (name, count, distance, shallow size, retained size).
    let expected = ("SimpleClass".to_owned(), 3000, Some(13), 96000, 239200);
    let numbers = |r: &SummaryRow| (r.0.clone(), r.1, r.2, r.3, r.4);
    let devtools = summary_rows_of_oracle(&oracle(&["summary", arg(third)]));
    let theirs = row(&devtools, "SimpleClass");
    assert_eq!(numbers(theirs), expected);
    let ours = summary_rows_of_heaplens(&with_session(third, |s| {
        s.classes(Scope::default(), "", Order::largest(SortBy::RetainedSize))
    }));
    let ours = row(&ours, "SimpleClass");
    assert_eq!(numbers(ours), expected);
    // Keyed by where it is defined: script id, then the 0-based line and
    // column of its constructor's parameter list in the fixture program.
    assert_eq!(ours.5, theirs.5);
    let source =
        std::fs::read_to_string(common::repo().join("tests/fixtures/programs/classic-leak.cjs"))
            .unwrap();
    let (line, text) = source
        .lines()
        .enumerate()
        .skip_while(|(_, l)| !l.starts_with("class SimpleClass "))
        .find(|(_, l)| l.trim_start().starts_with("constructor("))
        .expect("SimpleClass has a constructor");
    let column = text.find('(').unwrap();
    let position = format!(",{line},{column},SimpleClass");
    assert!(ours.5.ends_with(&position), "key {} ≠ …{position}", ours.5);
}
