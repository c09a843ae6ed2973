//! The Allocation view's scopes and what the session keeps: Summary scoped
//! to a bottom-up tree node (`allocatedBy`) or to a timeline range
//! (`idRange`), checked against DevTools' `NodeFilter` on the same files
//! (`tests/oracle/devtools-today.mjs summary --allocated-by/--id-range`);
//! the leak report kept per series; leak documents naming where each group
//! was allocated.

use super::{line_of, loadable_by_devtools, order_book, orders, ORDERS_PER_ROUND};
use crate::common::{self, arg, cli, oracle_today, with_session};
use heaplens::analysis::allocations::{timeline, Allocations};
use serde_json::{json, Value};
use std::path::Path;

/// A Summary row: name, count, distance, shallow size, retained size,
/// class key.
type Row = (String, u64, Option<u64>, u64, u64, String);

/// The Summary rows of JSON `rows`, sorted; `sizes` names their shallow
/// and retained size keys (heaplens' camelCase, the oracle's snake_case).
fn rows_of(rows: &Value, sizes: [&str; 2]) -> Vec<Row> {
    let mut rows: Vec<Row> = (rows.as_array().unwrap().iter())
        .map(|r| {
            let u = |k: &str| r[k].as_u64().unwrap();
            let name = r["name"].as_str().unwrap().to_owned();
            let key = r["key"].as_str().unwrap().to_owned();
            let distance = r["distance"].as_u64();
            (name, u("count"), distance, u(sizes[0]), u(sizes[1]), key)
        })
        .collect();
    rows.sort();
    rows
}

/// heaplens' Summary of the objects in `scope` (the request's scope
/// fields), every row.
fn scoped_rows(file: &Path, scope: Value) -> Vec<Row> {
    let mut request = json!({"op": "summary", "limit": usize::MAX});
    let fields = scope.as_object().unwrap().clone();
    request.as_object_mut().unwrap().extend(fields);
    let page = with_session(file, |s| {
        serde_json::to_value(s.query(serde_json::from_value(request).unwrap()).unwrap()).unwrap()
    });
    rows_of(&page["rows"], ["selfSize", "retainedSize"])
}

/// DevTools' Summary with `args` (`--id-range`, `--allocated-by`), every row.
fn devtools_rows(file: &Path, args: &[&str]) -> Vec<Row> {
    let mut all = vec!["summary", arg(file)];
    all.extend(args);
    rows_of(
        &oracle_today(&all)["classes"],
        ["self_size", "retained_size"],
    )
}

/// The count of class `name` in `rows` (0 when absent).
fn count_of(rows: &[Row], name: &str) -> u64 {
    rows.iter().filter(|r| r.0 == name).map(|r| r.1).sum()
}

#[test]
fn a_function_or_caller_filter_gives_devtools_summary_of_what_it_allocated() {
    for file in loadable_by_devtools() {
        let (place, quotes, runs, alive) = with_session(&file, |s| {
            let profile = Allocations::new(&s.snapshot).unwrap();
            let functions = profile.functions();
            let id = |name: &str| functions.iter().find(|f| f.name == name).unwrap().function;
            let runs = profile.callers(id("placeOrders")).unwrap().callers[0]
                .row
                .function;
            let place = functions.iter().find(|f| f.name == "placeOrders").cloned();
            (
                place.unwrap(),
                id("priceQuotes"),
                runs,
                orders(&s.snapshot).len(),
            )
        });
        let by_function = scoped_rows(&file, json!({"allocatedBy": {"function": place.function}}));
        // Exactly the orders it booked, all alive, and its other live objects.
        assert_eq!(count_of(&by_function, "Order"), alive as u64);
        let total: u64 = by_function.iter().map(|r| r.1).sum();
        assert_eq!(total, place.live_count);
        assert_eq!(
            by_function,
            devtools_rows(&file, &["--allocated-by", "placeOrders"])
        );
        // Its one caller stands for the same stacks; a deeper node too.
        let path = json!({"allocatedBy": {"function": place.function, "callers": [runs]}});
        assert_eq!(scoped_rows(&file, path), by_function);
        let deeper = "placeOrders<runRound<trackedRounds";
        assert_eq!(
            devtools_rows(&file, &["--allocated-by", deeper]),
            by_function
        );
        // A caller it never had: nothing; priceQuotes' objects: no Order.
        let never = json!({"allocatedBy": {"function": place.function, "callers": [quotes]}});
        assert_eq!(scoped_rows(&file, never), []);
        let by_quotes = scoped_rows(&file, json!({"allocatedBy": {"function": quotes}}));
        assert_eq!(
            count_of(&by_quotes, "Order") + count_of(&by_quotes, "Quote"),
            0
        );
        assert_eq!(
            by_quotes,
            devtools_rows(&file, &["--allocated-by", "priceQuotes"])
        );
        // With the named filter and the id range it narrows further.
        let both = json!({"allocatedBy": {"function": place.function}, "idRange": [0, 1]});
        assert_eq!(scoped_rows(&file, both), []);
    }
}

#[test]
fn a_timeline_range_gives_devtools_summary_of_the_objects_allocated_in_it() {
    for file in loadable_by_devtools() {
        let (bars, live_js) = with_session(&file, |s| {
            let bars = timeline(&s.snapshot);
            let g = &s.snapshot.graph;
            // Self sizes of the JavaScript objects per bar, counted here.
            let live_js = |lo: u32, hi: u32| -> u64 {
                (0..g.node_count())
                    .filter(|&n| g.node_id[n] % 2 == 1 && g.node_id[n] > lo && g.node_id[n] <= hi)
                    .map(|n| g.self_size[n] as u64)
                    .sum()
            };
            let sums: Vec<u64> = (0..bars.len())
                .map(|i| {
                    let lo = if i == 0 {
                        0
                    } else {
                        bars[i - 1].last_assigned_id
                    };
                    live_js(lo, bars[i].last_assigned_id)
                })
                .collect();
            (bars, sums)
        });
        assert!(bars.len() >= 4, "{} bars", bars.len());
        let ranges: Vec<(u32, u32)> = (0..bars.len())
            .map(|i| {
                let lo = if i == 0 {
                    0
                } else {
                    bars[i - 1].last_assigned_id
                };
                (lo, bars[i].last_assigned_id)
            })
            .collect();
        let mut orders = 0;
        for (i, &(lo, hi)) in ranges.iter().enumerate() {
            // A bar's size is the JavaScript objects of its id range.
            assert_eq!(bars[i].live_size, live_js[i], "bar {i}");
            orders += count_of(&scoped_rows(&file, json!({"idRange": [lo, hi]})), "Order");
        }
        // Every order was booked in one of the intervals.
        assert_eq!(
            orders,
            with_session(&file, |s| self::orders(&s.snapshot).len()) as u64
        );
        // Bars 2..=4 selected: DevTools' NodeFilter over the same ids.
        let (lo, hi) = (ranges[2].0, ranges[4].1);
        let ours = scoped_rows(&file, json!({"idRange": [lo, hi]}));
        assert!(!ours.is_empty());
        assert_eq!(
            ours,
            devtools_rows(&file, &["--id-range", &format!("{lo},{hi}")])
        );
    }
}

#[test]
fn leak_documents_say_where_each_group_was_allocated() {
    let files = order_book();
    let args = |format: &'static str| -> Vec<&str> {
        let mut a = vec!["leaks"];
        a.extend(files.iter().map(|f| arg(f)));
        a.extend(["--format", format]);
        a
    };
    let place = "placeOrders (";
    let line = line_of("function placeOrders");
    let (status, md, err) = cli(&args("markdown"));
    assert!(status.success(), "{err}");
    assert!(md.contains("| Location | Allocated at | Why |"), "{md}");
    let row = md
        .lines()
        .find(|l| l.starts_with("| Order |"))
        .expect("an Order row");
    assert!(
        row.contains(&format!(
            "order-book.cjs:{line}:21) \u{d7}{ORDERS_PER_ROUND} |"
        )),
        "{row}"
    );
    let first = md
        .lines()
        .find(|l| l.starts_with("- \u{d7}"))
        .expect("the first group's sites");
    assert!(
        first.contains(place) && first.contains(" \u{2190} runRound ("),
        "{first}"
    );
    let (status, html, err) = cli(&args("html"));
    assert!(status.success(), "{err}");
    assert!(html.contains("<th>Defined at</th><th>Allocated at</th>"));
    assert!(
        html.contains(&format!("<li>\u{d7}{ORDERS_PER_ROUND} <code><bdi>{place}")),
        "{html}"
    );
    // Without traces the documents keep their columns.
    let plain = common::generate("classic-leak", 3);
    let mut a = vec!["leaks"];
    a.extend(plain.iter().map(|f| arg(f)));
    a.extend(["--format", "markdown"]);
    let (status, md, _) = cli(&a);
    assert!(status.success() && md.contains("| Location | Why |") && !md.contains("Allocated at"));
}

#[test]
fn the_session_keeps_a_leak_report_per_series_and_recomputes_for_another() {
    let files = order_book();
    let facts: Vec<Value> = (files.iter().enumerate())
        .map(|(i, f)| {
            with_session(f, |s| {
                serde_json::to_value(s.facts(&format!("{}", i + 1))).unwrap()
            })
        })
        .collect();
    with_session(&files[2], |s| {
        let mut ask = |facts: &[Value], op: &str| {
            let request = json!({"op": op, "facts": facts, "format": "markdown"});
            serde_json::to_value(s.query(serde_json::from_value(request).unwrap()).unwrap())
                .unwrap()
        };
        let all = ask(&facts, "leaks");
        let document = ask(&facts, "leakDocument");
        let text = document["text"].as_str().unwrap();
        let range = all["idRange"].as_array().unwrap();
        assert!(text.contains(&format!(
            "ids {}..{}",
            range[0].as_u64().unwrap() + 1,
            range[1]
        )));
        // Another series (first and last only): another range, not the kept one.
        let two = ask(&[facts[0].clone(), facts[2].clone()], "leaks");
        assert_ne!(two["idRange"], all["idRange"]);
        assert_eq!(ask(&facts, "leaks"), all);
    });
}
