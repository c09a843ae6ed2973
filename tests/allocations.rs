//! Allocation traces: snapshots a Node program takes of itself through the
//! inspector protocol with allocation tracking on
//! (`tests/fixtures/programs/order-book.cjs`), read by the streaming parser
//! and checked against today's DevTools (`AllocationProfile.ts`, through
//! `tests/oracle/devtools-today.mjs allocations`) and against what the
//! program is known to have done.

mod common;
#[path = "allocations/scopes.rs"]
mod scopes;

use common::{arg, cli, oracle_today, parse_chunked, repo, with_session, write_snapshots};
use heaplens::analysis::allocations::{timeline, Allocations};
use heaplens::analysis::HeapSnapshot;
use serde_json::{json, Value};
use std::path::PathBuf;

/// `Order`s the program books per round; they all stay alive.
const ORDERS_PER_ROUND: usize = 300;
/// `Quote`s it makes per round; none outlives its round.
const QUOTES_PER_ROUND: u64 = 1000;

/// Three snapshots of the order book, after rounds 1, 2 and 3.
///
/// V8's tracker (Node 20) forgets the stack of an object a scavenge moves
/// (round 1's orders then show trace node 0), so the program runs with a
/// young generation big enough that no scavenge happens: every order keeps
/// its stack and the live counts are the program's own numbers.
fn order_book() -> Vec<PathBuf> {
    let script = repo().join("tests/fixtures/programs/order-book.cjs");
    write_snapshots(&script, &["--min-semi-space-size=64"], "order-book", 3)
}

/// The 1-based line of the first source line of order-book.cjs that
/// starts with `text`.
fn line_of(text: &str) -> u32 {
    let source = std::fs::read_to_string(repo().join("tests/fixtures/programs/order-book.cjs"))
        .expect("the fixture is readable");
    let at = source.lines().position(|l| l.starts_with(text));
    at.expect("the fixture has the line") as u32 + 1
}

/// The `Order` objects of a snapshot.
fn orders(snapshot: &HeapSnapshot) -> Vec<usize> {
    (0..snapshot.graph.node_count())
        .filter(|&n| snapshot.classes.class_name(n) == "Order")
        .collect()
}

/// Our functions with their caller trees as the oracle writes them (no
/// function index, which is heaplens' request key).
fn functions_json(profile: &Allocations) -> Vec<Value> {
    fn strip(mut v: Value) -> Value {
        let map = v.as_object_mut().expect("a caller tree is an object");
        map.remove("function");
        let callers = map.remove("callers").unwrap_or(json!([]));
        let callers: Vec<Value> = callers
            .as_array()
            .into_iter()
            .flatten()
            .cloned()
            .map(strip)
            .collect();
        map.insert("callers".into(), callers.into());
        v
    }
    profile
        .functions()
        .iter()
        .map(|f| {
            profile
                .callers(f.function)
                .expect("a listed function has a tree")
        })
        .map(|tree| strip(serde_json::to_value(tree).expect("trees serialize")))
        .collect()
}

#[test]
fn parser_reads_every_trace_section_as_the_header_declares() {
    for file in order_book() {
        let bytes = std::fs::read(&file).expect("snapshot is readable");
        let raw: Value = serde_json::from_slice(&bytes).expect("V8 writes JSON");
        let whole = parse_chunked(&bytes, bytes.len()).expect("heaplens reads it");
        let t = &whole.traces;
        let declared = raw["snapshot"]["trace_function_count"].as_u64().unwrap();
        assert!(declared > 0, "the tracker ran");
        // Every row, also the ones V8 added after writing the count.
        let rows = raw["trace_function_infos"].as_array().unwrap().len() / 6;
        assert_eq!(t.functions.len(), rows);
        assert_eq!(
            t.samples.time_us.len(),
            raw["samples"].as_array().unwrap().len() / 2
        );
        assert_eq!(t.object_trace.len(), whole.node_count());
        // The tree's records, depth first, as a recursive walk reads them.
        let mut expected = Vec::new();
        let mut stack = vec![(raw["trace_tree"].clone(), u32::MAX)];
        while let Some((record, parent)) = stack.pop() {
            let r = record.as_array().unwrap();
            let at = expected.len() as u32;
            expected.push((
                r[0].as_u64().unwrap() as u32,
                parent,
                r[3].as_u64().unwrap(),
            ));
            let children = r[4].as_array().unwrap();
            for child in children.chunks(5).rev() {
                stack.push((Value::from(child.to_vec()), at));
            }
        }
        let got: Vec<_> = (0..t.tree.len())
            .map(|r| (t.tree.id[r], t.tree.parent[r], t.tree.size[r]))
            .collect();
        assert_eq!(got, expected, "{}", file.display());
        // Chunk borders anywhere in the nested tree change nothing.
        for chunk in [1 << 12, 7919, 65_537] {
            let split = parse_chunked(&bytes, chunk).expect("heaplens reads it in pieces");
            assert_eq!(split.traces.tree.id, t.tree.id);
            assert_eq!(split.traces.tree.parent, t.tree.parent);
            assert_eq!(split.traces.tree.function, t.tree.function);
            assert_eq!(split.traces.object_trace, t.object_trace);
        }
    }
}

/// The snapshots DevTools can load: V8 writes `trace_function_count`
/// before the functions, and when more functions are added meanwhile
/// DevTools reads only the counted rows and fails on a trace node naming
/// one of the others ("reading 'addTraceTopNode'"); heaplens reads them all.
fn loadable_by_devtools() -> Vec<PathBuf> {
    let files: Vec<PathBuf> = order_book()
        .into_iter()
        .filter(|file| {
            let raw: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            let declared = raw["snapshot"]["trace_function_count"].as_u64().unwrap();
            raw["trace_function_infos"].as_array().unwrap().len() as u64 == declared * 6
        })
        .collect();
    assert!(
        !files.is_empty(),
        "V8 counted its functions right at least once"
    );
    files
}

/// Timeline bars as numbers (DevTools writes 0 where serde writes 0.0).
fn bars(v: &Value) -> Vec<(f64, u64, u64)> {
    let n = |b: &Value, k: &str| b[k].as_f64().unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let id = n(b, "lastAssignedId") as u64;
            (n(b, "timeMs"), id, n(b, "liveSize") as u64)
        })
        .collect()
}

#[test]
fn functions_and_caller_trees_equal_devtools() {
    for file in loadable_by_devtools() {
        let expected = oracle_today(&["allocations", arg(&file)]);
        with_session(&file, |s| {
            let profile = Allocations::new(&s.snapshot).expect("the snapshot has stacks");
            let ours = functions_json(&profile);
            let theirs = expected["functions"].as_array().unwrap();
            assert!(ours.len() > 20, "{} functions", ours.len());
            assert_eq!(&ours, theirs, "{}", file.display());
            let ours = bars(&serde_json::to_value(timeline(&s.snapshot)).unwrap());
            assert!(!ours.is_empty(), "the recording has samples");
            assert_eq!(ours, bars(&expected["timeline"]));
        });
    }
}

#[test]
fn the_order_function_holds_every_order_and_quotes_die() {
    for (round, file) in order_book().iter().enumerate() {
        with_session(file, |s| {
            let snapshot: &HeapSnapshot = &s.snapshot;
            let profile = Allocations::new(snapshot).expect("the snapshot has stacks");
            let functions = profile.functions();
            let row = |name: &str| functions.iter().find(|f| f.name == name).cloned();
            let place = row("placeOrders").expect("placeOrders allocated");
            let orders = orders(snapshot);
            let alive = ORDERS_PER_ROUND * (round + 1);
            assert_eq!(orders.len(), alive);
            // Every order was made by placeOrders and nothing else it made
            // survived but the book's backing store.
            assert!(orders.iter().all(|&n| profile
                .stack(n)
                .is_some_and(|frames| frames[0].function_name == "placeOrders")));
            let order_bytes: u64 = orders
                .iter()
                .map(|&n| snapshot.graph.self_size[n] as u64)
                .sum();
            assert!(place.live_count >= alive as u64 && place.live_count <= alive as u64 + 10);
            assert!(place.live_size >= order_bytes);
            assert_eq!(place.line, line_of("function placeOrders"));
            assert!(place.script_name.ends_with("order-book.cjs"));
            let quotes = row("priceQuotes").expect("priceQuotes allocated");
            // Round 1's quotes at least, and a few runtime objects a round
            // (its code's feedback): once optimized, escape analysis may
            // drop a later round's allocations altogether.
            let made = QUOTES_PER_ROUND * (round as u64 + 1);
            let slack = 10 * (round as u64 + 1);
            assert!(
                quotes.count >= QUOTES_PER_ROUND && quotes.count <= made + slack,
                "{quotes:?}"
            );
            // None of the quotes is alive: what priceQuotes made that is
            // (its code's feedback and the like) is no Quote.
            let kept: Vec<usize> = (0..snapshot.graph.node_count())
                .filter(|&n| profile.allocated_by(n, quotes.function))
                .collect();
            assert_eq!(kept.len() as u64, quotes.live_count);
            assert!(quotes.live_count <= slack, "{quotes:?}");
            assert!(kept
                .iter()
                .all(|&n| snapshot.classes.class_name(n) != "Quote"));
            // placeOrders is called by the round, called by the driver.
            let tree = profile.callers(place.function).unwrap();
            let callers: Vec<&str> = tree.callers.iter().map(|c| c.row.name.as_str()).collect();
            assert_eq!(callers, ["runRound"]);
            assert_eq!(tree.callers[0].callers[0].row.name, "trackedRounds");
        });
    }
}

#[test]
fn object_stacks_equal_devtools() {
    let file = &loadable_by_devtools()[0];
    let (ids, ours) = with_session(file, |s| {
        let snapshot = &s.snapshot;
        let profile = Allocations::new(snapshot).expect("the snapshot has stacks");
        let g = &snapshot.graph;
        // An order, an object made before tracking began and the root.
        let order = orders(snapshot)[0];
        let untracked = (1..g.node_count())
            .find(|&n| g.traces.object_trace[n] == 0 && g.node_id[n] % 2 == 1)
            .unwrap();
        let nodes = [order, untracked, 0];
        let ids: Vec<String> = nodes
            .iter()
            .map(|&n| format!("@{}", g.node_id[n]))
            .collect();
        let stacks: Vec<Value> = nodes
            .iter()
            .map(|&n| serde_json::to_value(profile.stack(n)).unwrap())
            .collect();
        (ids, stacks)
    });
    let mut args = vec!["allocations", arg(file)];
    args.extend(ids.iter().map(String::as_str));
    let expected = oracle_today(&args);
    for (id, stack) in ids.iter().zip(&ours) {
        assert_eq!(stack, &expected["stacks"][id], "{id}");
    }
    let frames = ours[0].as_array().expect("an order has a stack");
    let names: Vec<&str> = frames
        .iter()
        .map(|f| f["functionName"].as_str().unwrap())
        .collect();
    assert_eq!(names[..3], ["placeOrders", "runRound", "trackedRounds"]);
    assert_eq!(names.last(), Some(&"(root)"));
    assert_eq!(ours[1], Value::Null);
}

#[test]
fn cli_prints_functions_stacks_and_json() {
    let file = &loadable_by_devtools()[0];
    let (status, out, err) = cli(&["allocations", arg(file)]);
    assert!(status.success(), "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("placeOrders "))
        .expect("placeOrders has a row");
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells[1], cells[2], "every order placed is alive: {line}");
    assert!(
        line.ends_with(&format!(
            "order-book.cjs:{}:21",
            line_of("function placeOrders")
        )),
        "{line}"
    );
    assert!(
        out.contains("placeOrders <- runRound <- trackedRounds"),
        "{out}"
    );

    let (status, json, err) = cli(&["allocations", arg(file), "--json", "--top", "1000"]);
    assert!(status.success(), "{err}");
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["schema"], heaplens::query::SCHEMA);
    let expected = oracle_today(&["allocations", arg(file)]);
    assert_eq!(bars(&json["timeline"]), bars(&expected["timeline"]));
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    assert_eq!(count(&json["functions"]), count(&expected["functions"]));

    let order = with_session(file, |s| s.snapshot.graph.node_id[orders(&s.snapshot)[0]]);
    let (status, out, err) = cli(&["allocations", arg(file), &format!("@{order}")]);
    assert!(status.success(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("@{order} was allocated at:"));
    assert!(lines[1].trim_start().starts_with("placeOrders ("), "{out}");
}

/// `heaplens leaks FILES… --json`.
fn leaks_json(files: &[PathBuf]) -> Value {
    let args: Vec<&str> = std::iter::once("leaks")
        .chain(files.iter().map(|f| arg(f)))
        .chain(["--json"])
        .collect();
    let (status, out, err) = cli(&args);
    assert!(status.success(), "{err}");
    serde_json::from_str(&out).expect("--json prints JSON")
}

#[test]
fn leak_report_says_where_the_leaked_orders_were_allocated() {
    let report = leaks_json(&order_book());
    let groups = report["groups"].as_array().expect("the report has groups");
    let orders = groups
        .iter()
        .find(|g| g["name"] == "Order")
        .expect("the orders of round 2 leak");
    assert_eq!(orders["count"], ORDERS_PER_ROUND as u64);
    let sites = orders["allocatedAt"].as_array().unwrap();
    assert_eq!(sites.len(), 1, "one stack made them all: {sites:?}");
    assert_eq!(sites[0]["count"], ORDERS_PER_ROUND as u64);
    let frames: Vec<&str> = sites[0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["functionName"].as_str().unwrap())
        .collect();
    assert_eq!(frames[..3], ["placeOrders", "runRound", "trackedRounds"]);
    assert_eq!(
        sites[0]["frames"][0]["line"],
        line_of("function placeOrders")
    );
    // Without traces the field is there and empty.
    let report = leaks_json(&common::generate("classic-leak", 3));
    assert!(report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["allocatedAt"] == json!([])));
}

#[test]
fn snapshots_without_stacks_are_refused_with_how_to_record_them() {
    let file = &common::generate("classic-leak", 3)[0];
    let (status, _, err) = cli(&["allocations", arg(file)]);
    assert!(!status.success());
    assert!(err.contains("has no allocation stacks"), "{err}");
}

/// A tiny snapshot with the trace sections spelled out, for malformed input.
fn traced(tree: &str, functions: &str) -> String {
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id"],
"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]],
"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],
"trace_node_fields":["id","function_info_index","count","size","children"]}},
"node_count":1,"edge_count":0,"trace_function_count":1}},
"nodes":[0,0,1,0,0,1],"edges":[],"trace_function_infos":{functions},"trace_tree":{tree},"strings":["(root)"]}}"#
    )
}

#[test]
fn malformed_trace_sections_are_refused_with_where() {
    let ok = traced("[1,0,1,8,[2,0,0,0,[]]]", "[0,0,0,0,0,0]");
    let g = parse_chunked(ok.as_bytes(), 3).expect("a well-formed tree");
    assert_eq!(g.traces.tree.parent, [u32::MAX, 0]);
    for (tree, functions, message) in [
        (
            "[1,0,1,8,5]",
            "[0,0,0,0,0,0]",
            "a number where its children array belongs",
        ),
        ("[1,0,1,[]]", "[0,0,0,0,0,0]", "an array at field 3"),
        (
            "[1,0,1,8,[2,0]]",
            "[0,0,0,0,0,0]",
            "ends after 2 of its fields",
        ),
        ("[1,0,1,8,[],]", "[0,0,0,0,0,0]", "a ',' right before ']'"),
        (
            "[1,3,1,8,[]]",
            "[0,0,0,0,0,0]",
            "names function 3, but there are only 1",
        ),
        ("[1,0,1,8,[]]", "[0,5,0,0,0,0]", "names string 5"),
        (
            "[1,0,1,8,[]]",
            "[0,0,0,0,0]",
            "not a multiple of its 6 fields",
        ),
    ] {
        let err = parse_chunked(traced(tree, functions).as_bytes(), 5)
            .expect_err(tree)
            .to_string();
        assert!(err.contains(message), "{tree} {functions}: {err}");
    }
    let twice = ok.replace(r#""strings""#, r#""trace_tree":[],"strings""#);
    let err = parse_chunked(twice.as_bytes(), 5).expect_err("two trees");
    assert!(
        err.to_string().contains("a second \"trace_tree\" section"),
        "{err}"
    );
}

#[test]
fn the_session_answers_the_allocation_requests() {
    let file = &loadable_by_devtools()[0];
    with_session(file, |s| {
        let order = s.snapshot.graph.node_id[orders(&s.snapshot)[0]];
        let mut ask = |request: Value| {
            let request = serde_json::from_value(request).expect("a request");
            serde_json::to_value(s.query(request).expect("an answer")).unwrap()
        };
        let page = ask(json!({"op": "allocations"}));
        assert_eq!(page["hasStacks"], json!(true));
        let functions = page["functions"].as_array().unwrap();
        let place = functions
            .iter()
            .find(|f| f["name"] == "placeOrders")
            .expect("placeOrders is listed");
        assert_eq!(place["line"], line_of("function placeOrders"));
        let callers = ask(json!({"op": "allocationCallers", "function": place["function"]}));
        assert_eq!(callers["liveCount"], place["liveCount"]);
        assert_eq!(callers["callers"][0]["name"], "runRound");
        assert_eq!(
            ask(json!({"op": "allocationCallers", "function": 1_000_000})),
            Value::Null
        );
        let expected = oracle_today(&["allocations", arg(file)]);
        assert_eq!(bars(&page["timeline"]), bars(&expected["timeline"]));
        let stack = ask(json!({"op": "allocationStack", "id": order}));
        assert_eq!(stack["frames"][0]["functionName"], "placeOrders");
        assert_eq!(
            ask(json!({"op": "allocationStack", "id": 1})),
            json!({"frames": null})
        );
    });
}
