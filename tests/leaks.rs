//! The 3-snapshot leak report (`heaplens leaks S1 S2 S3 [S4 ...] --json`) on
//! real leaks: node programs that each leak one kind of object, a fixed number
//! per round with a snapshot after every round, two programs that do not leak,
//! and a page in headless Chromium that leaks detached DOM.
//!
//! For every leak the report must name the leaking class near the top, count
//! exactly one round of it ("allocated between snapshots 1 and 2, alive in the
//! last"), flag it as growing in every interval once there are 4 snapshots,
//! and show the retaining path through the names a user would look for.

mod common;

use common::{arg, cli, generate, oracle, repo, require_chromium, snake, write_snapshots};
use heaplens::snapshot::bounded;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `SimpleClass` instances leaked per round by `classic-leak.cjs`.
const CLASSIC_PER_ROUND: u64 = 1000;
/// Objects leaked per round by each of the other leak programs.
const PER_ROUND: u64 = 200;
/// `<div>` trees leaked per round by `detached-dom.html`.
const DIVS_PER_ROUND: u64 = 50;
/// Entries an LRU of `bounded-cache.cjs` holds (full before snapshot 1).
const CACHE_CAPACITY: u64 = 500;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    groups: Vec<Group>,
    warnings: Vec<String>,
    id_range: (u64, u64),
    totals: Vec<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    name: String,
    count: u64,
    retained_size: u64,
    grows_every_interval: Option<bool>,
    counts: Vec<u64>,
    path: Vec<Step>,
    members: Vec<u64>,
    program_class: bool,
    location: Option<Location>,
    holders: Vec<Holder>,
    why: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    script: String,
    line: u64,
    column: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Holder {
    name: String,
    node: String,
    count: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Step {
    node: String,
    edge: String,
}

/// Runs `heaplens leaks FILES… --json`.
fn leaks(files: &[&Path]) -> Report {
    let mut args = vec!["leaks"];
    args.extend(files.iter().map(|f| arg(f)));
    args.push("--json");
    let (status, stdout, stderr) = cli(&args);
    assert!(status.success(), "heaplens {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not a leak report ({e}):\n{stdout}"))
}

/// The report on all `count` snapshots of a fixture program, in capture order.
fn report_of(program: &str, count: usize) -> Report {
    let files = generate(program, count);
    leaks(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>())
}

/// The most suspicious group of `class` and its rank (0 = first).
fn group<'r>(report: &'r Report, class: &str) -> (usize, &'r Group) {
    report
        .groups
        .iter()
        .enumerate()
        .find(|(_, g)| g.name == class)
        .unwrap_or_else(|| panic!("no group named {class:?} in {}", names(report)))
}

/// The first 12 groups, for failure messages.
fn names(report: &Report) -> String {
    let top: Vec<String> = report
        .groups
        .iter()
        .take(12)
        .map(|g| {
            format!(
                "{} ×{} (grows {:?})",
                g.name, g.count, g.grows_every_interval
            )
        })
        .collect();
    format!(
        "{} groups, first: [{}]",
        report.groups.len(),
        top.join(", ")
    )
}

fn path_text(g: &Group) -> String {
    g.path
        .iter()
        .map(|s| format!("--{}--> {}", s.edge, s.node))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that the step of `g`'s path held as `edge` is the object `node`
/// (a closure shows its own name, as `handleRequest()`).
fn assert_step(g: &Group, edge: &str, node: &str) {
    assert!(
        g.path.iter().any(|s| s.edge == edge && s.node == node),
        "the path of {} should hold {node} as {edge:?}: {}",
        g.name,
        path_text(g)
    );
}

/// Asserts that the group's path passes through `edges`, in that order (other
/// steps may come between), and ends at an object of the group's class
/// (closures, class `Function`, are shown by their own name, as `onTick()`).
fn assert_path_passes_through(g: &Group, edges: &[&str]) {
    let mut rest = g.path.iter().map(|s| s.edge.as_str());
    for want in edges {
        assert!(
            rest.any(|edge| edge == *want),
            "the path of {} should pass through {edges:?} in order; {want:?} is missing: {}",
            g.name,
            path_text(g)
        );
    }
    let last = g.path.last().expect("a path");
    assert!(
        last.node == g.name || g.name == "Function",
        "the path of {} ends at {:?}",
        g.name,
        last.node
    );
}

/// One leak program with 4 snapshots: what it leaks and what leaks with it.
struct Leak {
    program: &'static str,
    class: &'static str,
    /// Runtime objects of the same rounds that hold the class's objects,
    /// folded into its group: (class, as the path shows one).
    holders: &'static [(&'static str, &'static str)],
}

/// Asserts the class's group comes first, counts exactly one round, grows in
/// every interval, is the program's own class defined in the program, and
/// has exactly `holders` folded into it.
fn assert_leak_reported(leak: &Leak) -> Report {
    let report = report_of(leak.program, 4);
    assert_eq!(report.warnings, Vec::<String>::new(), "{}", leak.program);
    let (rank, g) = group(&report, leak.class);
    assert_eq!(g.count, PER_ROUND, "{} count", leak.class);
    assert_eq!(g.members.len() as u64, PER_ROUND, "{} members", leak.class);
    assert_eq!(
        g.counts,
        [PER_ROUND, 2 * PER_ROUND, 3 * PER_ROUND, 4 * PER_ROUND],
        "{} per snapshot",
        leak.class
    );
    assert_eq!(g.grows_every_interval, Some(true), "{}", leak.class);
    assert_eq!(
        rank,
        0,
        "{} should rank first: {}",
        leak.class,
        names(&report)
    );
    assert!(g.program_class, "{} is the program's class", leak.class);
    let at = g
        .location
        .as_ref()
        .expect("V8 records the constructor's location");
    assert!(
        at.script.ends_with(&format!("{}.cjs", leak.program)) && at.line > 0 && at.column > 0,
        "{at:?}"
    );
    let holders: Vec<Holder> = leak
        .holders
        .iter()
        .map(|&(name, node)| Holder {
            name: name.to_owned(),
            node: node.to_owned(),
            count: PER_ROUND,
        })
        .collect();
    assert_eq!(g.holders, holders, "{}", g.why);
    assert!(
        g.why
            .starts_with("grew in every interval; the program's own class"),
        "{}",
        g.why
    );
    report
}

#[test]
fn classic_leak_reports_one_rounds_simple_class_first_held_by_leaky_data() {
    let report = report_of("classic-leak", 3);
    assert_eq!(report.warnings, Vec::<String>::new());
    let first = &report.groups[0];
    assert_eq!(first.name, "SimpleClass", "{}", names(&report));
    assert_eq!(first.count, CLASSIC_PER_ROUND);
    assert_eq!(first.counts, [1000, 2000, 3000]);
    // Three snapshots give two intervals: too few to call a trend.
    assert_eq!(first.grows_every_interval, None);
    assert!(
        first
            .members
            .iter()
            .all(|&id| id > report.id_range.0 && id <= report.id_range.1),
        "members outside the id range {:?}",
        report.id_range
    );
    // Nothing of the program is on `global`: the listening server holds its
    // request handler, whose closure context is the module's scope.
    assert_path_passes_through(first, &["_events", "request", "context", "leakyData"]);
    assert_step(first, "request", "handleRequest()");
}

/// The ids of objects snapshot 2 saw first: above snapshot 1's largest
/// JavaScript id, up to snapshot 2's.
fn first_seen_in_snapshot_2(files: &[PathBuf]) -> (u64, u64) {
    let max_js_id = |k: usize| u64::from(common::open(&files[k]).snapshot.max_js_id());
    (max_js_id(0), max_js_id(1))
}

#[test]
fn classic_fixed_reports_no_simple_class() {
    let files = generate("classic-fixed", 3);
    let report = report_of("classic-fixed", 3);
    assert_eq!(report.warnings, Vec::<String>::new());
    // The fixed program empties both arrays before each snapshot, so no
    // SimpleClass is in any snapshot and none got an id: "allocated between
    // snapshots 1 and 2" is whatever snapshot 2 saw first, ids above
    // snapshot 1's largest JavaScript id up to snapshot 2's.
    assert_eq!(report.id_range, first_seen_in_snapshot_2(&files));
    assert!(
        report.groups.iter().all(|g| g.name != "SimpleClass"),
        "{}",
        names(&report)
    );
    // Not quite empty: round 2 runs code that round 1 did not (the /flush
    // branch grows hot, V8 compiles more), and a few of the constants of
    // that code live on. None is the program's own, and none is a round's
    // worth of anything.
    assert!(
        report
            .groups
            .iter()
            .all(|g| !g.program_class && g.grows_every_interval.is_none()),
        "three snapshots call no trend, and no class of the program survives: {}",
        names(&report)
    );
    let survivors: u64 = report.groups.iter().map(|g| g.count).sum();
    assert!(survivors < 10, "{}", names(&report));
}

#[test]
fn map_cache_leak_reports_200_cached_responses_first() {
    let report = assert_leak_reported(&Leak {
        program: "map-cache-leak",
        class: "CachedResponse",
        holders: &[],
    });
    // The keys ('req-N', one per entry) are one group too, not 200; the
    // other strings are a few constants of code V8 compiled in round 2.
    let strings: Vec<&Group> = report
        .groups
        .iter()
        .filter(|g| g.name == "(string)")
        .collect();
    let keys = strings.iter().filter(|g| g.count == PER_ROUND).count();
    assert_eq!(keys, 1, "{}", names(&report));
    assert!(
        strings.iter().all(|g| g.count == PER_ROUND || g.count < 10),
        "{}",
        names(&report)
    );
}

#[test]
fn map_cache_leak_path_goes_from_the_request_handler_through_request_cache_and_its_table() {
    let report = report_of("map-cache-leak", 4);
    let (_, g) = group(&report, "CachedResponse");
    // The server holds its request handler, whose context (the module's
    // scope) holds the cache. V8 holds Map entries in the Map's backing
    // store, reached by the internal edge `table`.
    assert_path_passes_through(g, &["request", "context", "requestCache", "table"]);
    assert_step(g, "request", "handleRequest()");
}

#[test]
fn listener_leak_reports_200_subscriptions_first_with_their_listeners_folded_in() {
    // Each listener closure is allocated with its Subscription and is its only
    // holder (closure → context → subscription): the closures are not a rival
    // group but the Subscriptions' holders, and their bytes count in its
    // retained size.
    let report = assert_leak_reported(&Leak {
        program: "listener-leak",
        class: "Subscription",
        holders: &[("Function", "onTick()")],
    });
    let (_, g) = group(&report, "Subscription");
    assert_eq!(g.path[g.path.len() - 3].node, "onTick()");
    assert!(
        report.groups.iter().all(|g| g.name != "Function"),
        "{}",
        names(&report)
    );
}

#[test]
fn listener_leak_path_goes_from_the_clock_through_the_bus_listener_array_and_closure_context() {
    let report = report_of("listener-leak", 4);
    let (_, g) = group(&report, "Subscription");
    // Node's timer list holds the clock, whose closure holds the bus.
    assert_path_passes_through(
        g,
        &[
            "_onTimeout",
            "context",
            "bus",
            "_events",
            "tick",
            "context",
            "subscription",
        ],
    );
    assert_step(g, "_onTimeout", "tick()");
}

#[test]
fn closure_leak_reports_200_big_payloads_first_with_the_capturing_handlers_folded_in() {
    // The handler closure holds the context that holds the payload: folded
    // into BigPayload's group, whose retained size now covers the handlers,
    // the payloads and their `data` arrays (which rank after it).
    let report = assert_leak_reported(&Leak {
        program: "closure-leak",
        class: "BigPayload",
        holders: &[("Function", "handler()")],
    });
    let payloads = &report.groups[0];
    // 200 payloads of 2,048 numbers are more than 200 × 16 KiB.
    assert!(
        payloads.retained_size > PER_ROUND * 2048 * 8,
        "{}",
        payloads.retained_size
    );
    let (rank, arrays) = group(&report, "Array");
    assert!(rank > 0 && arrays.retained_size == 0, "{}", names(&report));
}

#[test]
fn closure_leak_path_goes_through_handlers_and_the_shared_context() {
    let report = report_of("closure-leak", 4);
    let (_, g) = group(&report, "BigPayload");
    // process holds its 'exit' listener, whose context (the module's scope)
    // holds `handlers`.
    assert_path_passes_through(g, &["exit", "context", "handlers", "context", "payload"]);
    assert_step(g, "exit", "runExitHandlers()");
}

#[test]
fn timer_leak_reports_200_poll_states_first_with_their_timeouts_and_callbacks_folded_in() {
    // Node's Timeout holds the callback, whose context holds the PollState:
    // both leak one-for-one with it and are folded into its group.
    let report = assert_leak_reported(&Leak {
        program: "timer-leak",
        class: "PollState",
        holders: &[("Timeout", "Timeout"), ("Function", "poll()")],
    });
    assert!(
        report.groups.iter().all(|g| g.name != "Timeout"),
        "{}",
        names(&report)
    );
}

#[test]
fn timer_leak_path_goes_from_nodes_timer_list_to_the_callback_state() {
    let report = report_of("timer-leak", 4);
    let (_, g) = group(&report, "PollState");
    assert_path_passes_through(g, &["timerListMap", "_onTimeout", "context", "state"]);
    assert!(
        g.path.len() <= 16,
        "a path a user can read: {} steps",
        g.path.len()
    );
}

#[test]
fn registry_leak_reports_200_sessions_first() {
    assert_leak_reported(&Leak {
        program: "registry-leak",
        class: "Session",
        holders: &[],
    });
}

#[test]
fn registry_leak_path_goes_from_the_sweeper_through_sessions() {
    let report = report_of("registry-leak", 4);
    let (_, g) = group(&report, "Session");
    // Node's timer list holds the sweeper, whose context holds `sessions`.
    assert_path_passes_through(g, &["_onTimeout", "context", "sessions"]);
    assert_step(g, "_onTimeout", "sweepSessions()");
    assert!(
        g.path.last().unwrap().edge.starts_with("sess-"),
        "{}",
        path_text(g)
    );
}

#[test]
fn bounded_cache_survivors_are_counted_but_not_flagged_as_growing() {
    let report = report_of("bounded-cache", 4);
    let cached: Vec<&Group> = report
        .groups
        .iter()
        .filter(|g| g.name == "CacheEntry")
        .collect();
    // Round 2's entries still cached at snapshot 4: the last 100 of them
    // (500 kept = rounds 4 and 3, then 100 of round 2).
    let survivors: u64 = cached.iter().map(|g| g.count).sum();
    assert_eq!(survivors, CACHE_CAPACITY - 2 * PER_ROUND);
    for g in &cached {
        assert_eq!(g.counts, [CACHE_CAPACITY; 4]);
        assert_eq!(g.grows_every_interval, Some(false), "{}", path_text(g));
    }
    assert!(
        report
            .groups
            .iter()
            .all(|g| g.grows_every_interval != Some(true)),
        "nothing grows in a bounded cache: {}",
        names(&report)
    );
}

#[test]
fn steady_allocation_reports_no_temp_and_nothing_growing() {
    let files = generate("steady-allocation", 4);
    let report = report_of("steady-allocation", 4);
    assert_eq!(report.warnings, Vec::<String>::new());
    assert!(
        report.groups.iter().all(|g| g.name != "Temp"),
        "{}",
        names(&report)
    );
    assert!(
        report
            .groups
            .iter()
            .all(|g| g.grows_every_interval != Some(true)),
        "{}",
        names(&report)
    );
    // Round 2's 10,000 Temp died before snapshot 2 saw them, so V8 gave them
    // no ids: the window holds the few objects snapshot 2 saw first.
    assert_eq!(report.id_range, first_seen_in_snapshot_2(&files));
    assert!(
        report.id_range.1 - report.id_range.0 < 2 * 10_000,
        "{:?}",
        report.id_range
    );
    // Not empty: of those, one object lives on. describe() first runs after
    // snapshot 1, and compiling it interns its string literal, which the
    // string table keeps.
    let [group] = &report.groups[..] else {
        panic!("one group: {}", names(&report))
    };
    assert_eq!(
        (&group.name[..], group.count, group.grows_every_interval),
        ("(string)", 1, Some(false))
    );
    assert_eq!(group.path[0].node, "(Internalized strings)");
    let last = common::open(&files[3]);
    let member = last.node(group.members[0] as u32).expect("a member");
    assert_eq!(last.snapshot.graph.name(member), "Temp alive=0 checksum=");
    // 10,000 Temp per round come and go: the heap stays within 32 KiB of
    // snapshot 2 (V8's own compiled code and feedback wander by a few KiB;
    // a Temp with its 3-number array is over 100 bytes, so one round kept
    // would add over 1 MB).
    assert_eq!(report.totals.len(), 4);
    assert!(report.totals[0] > 1 << 20, "{:?}", report.totals);
    let base = report.totals[1] as i64;
    for (k, &total) in report.totals.iter().enumerate().skip(2) {
        assert!(
            (total as i64 - base).abs() < 32 * 1024,
            "snapshot {} total {total} vs snapshot 2 {base}",
            k + 1
        );
    }
}

#[test]
fn snapshots_out_of_capture_order_are_reordered_with_a_warning() {
    let files = generate("classic-leak", 3);
    let (s1, s2, s3) = (&files[0], &files[1], &files[2]);
    let shuffled = leaks(&[s3, s1, s2]);
    let ordered = leaks(&[s1, s2, s3]);
    // The report names files as the page does: by file name.
    assert_eq!(
        shuffled.warnings,
        [
            "the snapshots were not in capture order (3.heapsnapshot, 1.heapsnapshot, \
          2.heapsnapshot); reordered by their newest object id: 1.heapsnapshot, \
          2.heapsnapshot, 3.heapsnapshot"
        ]
    );
    assert_eq!(shuffled.id_range, ordered.id_range);
    assert_eq!(shuffled.totals, ordered.totals);
    let first = &shuffled.groups[0];
    assert_eq!(first.name, "SimpleClass");
    assert_eq!(first.count, CLASSIC_PER_ROUND);
    assert_eq!(first.counts, [1000, 2000, 3000]);
}

#[test]
fn two_snapshots_warn_that_the_technique_needs_three() {
    let files = generate("classic-leak", 3);
    let report = leaks(&[&files[0], &files[1]]);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].starts_with("only 2 snapshot(s)")
            && report.warnings[0].contains("needs 3 or more"),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_snapshot_of_another_program_is_flagged_as_another_process() {
    // Ids restart in every process: a snapshot of another process has objects
    // under ids that, in the first process, belonged to other objects.
    let run = generate("classic-leak", 3);
    let other = generate("mixed-heap", 1);
    let report = leaks(&[&run[0], &run[1], &other[0]]);
    let flagged: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.contains("look like snapshots of different processes"))
        .collect();
    assert!(!flagged.is_empty(), "{:?}", report.warnings);
    // Both programs wrote a 1.heapsnapshot: the second is "1.heapsnapshot (2)",
    // as the page lists a second file of the same name.
    assert!(
        flagged
            .iter()
            .all(|w| w.starts_with("1.heapsnapshot (2) and ")),
        "{flagged:?}"
    );
    // The same run, in order, raises nothing.
    assert_eq!(
        leaks(&[&run[0], &run[1], &run[2]]).warnings,
        Vec::<String>::new()
    );
}

/// Three snapshots of `detached-dom.html` in headless Chromium, taken once per
/// test binary by `tests/fixtures/browser/take-snapshots.mjs`.
fn browser_snapshots() -> &'static [PathBuf] {
    static FILES: OnceLock<Vec<PathBuf>> = OnceLock::new();
    FILES.get_or_init(|| {
        require_chromium();
        let script = repo().join("tests/fixtures/browser/take-snapshots.mjs");
        write_snapshots(&script, &[], "detached-dom", 3)
    })
}

#[test]
fn detached_divs_of_a_page_are_reported_first_with_one_rounds_count() {
    let files = browser_snapshots();
    let report = leaks(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert_eq!(report.warnings, Vec::<String>::new());
    // Chromium names the element `<div class="card">`; DevTools' rule
    // renames detached DOM to `Detached <div>`.
    let divs = &report.groups[0];
    assert_eq!(divs.name, "Detached <div>", "{}", names(&report));
    assert_eq!(divs.count, DIVS_PER_ROUND);
    assert_eq!(
        divs.counts,
        [DIVS_PER_ROUND, 2 * DIVS_PER_ROUND, 3 * DIVS_PER_ROUND]
    );
    assert_path_passes_through(divs, &["removedCards"]);
    // Each div's <span> child is detached with it, held through the div.
    let (_, spans) = group(&report, "Detached <span>");
    assert_eq!(spans.count, DIVS_PER_ROUND);
    assert_path_passes_through(spans, &["removedCards"]);
}

/// A summary row compared field by field with DevTools'.
type Row = (String, u64, u64, u64, Option<u64>);

fn rows(summary: &serde_json::Value) -> Vec<Row> {
    // heaplens answers `rows` in camelCase, the oracle `classes` in snake_case.
    let list = summary.get("rows").or_else(|| summary.get("classes"));
    let size = |c: &serde_json::Value, key: &str| {
        c.get(key)
            .or_else(|| c.get(snake(key).as_str()))
            .and_then(serde_json::Value::as_u64)
            .unwrap()
    };
    let mut rows: Vec<Row> = list
        .and_then(serde_json::Value::as_array)
        .expect("a rows array")
        .iter()
        .map(|c| {
            (
                // heaplens cuts names after NAME_LIMIT characters (some of
                // Blink's class names are longer); DevTools' are cut alike.
                bounded(c["name"].as_str().unwrap()).0.into_owned(),
                c["count"].as_u64().unwrap(),
                size(c, "selfSize"),
                size(c, "retainedSize"),
                c["distance"].as_u64(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn browser_snapshot_summary_equals_devtools_row_for_row() {
    // Page snapshots carry what node's lack: detached DOM (renamed
    // `Detached <div>`), Blink's native objects and page-owned flags.
    let file = &browser_snapshots()[2];
    let (status, stdout, stderr) = cli(&["summary", arg(file), "--json"]);
    assert!(status.success(), "{stderr}");
    let heaplens: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let devtools = oracle(&["summary", arg(file)]);
    for total in ["nodes", "edges", "totalSize"] {
        assert_eq!(heaplens["info"][total], devtools[snake(total)], "{total}");
    }
    let (ours, theirs) = (rows(&heaplens), rows(&devtools));
    let differing: Vec<(Option<&Row>, Option<&Row>)> = (0..ours.len().max(theirs.len()))
        .map(|i| (ours.get(i), theirs.get(i)))
        .filter(|(a, b)| a != b)
        .take(10)
        .collect();
    assert!(
        differing.is_empty(),
        "rows differ (heaplens, devtools): {differing:#?}"
    );
    let detached = ours
        .iter()
        .find(|r| r.0 == "Detached <div>")
        .expect("a Detached <div> row");
    assert_eq!(detached.1, 3 * DIVS_PER_ROUND);
}
