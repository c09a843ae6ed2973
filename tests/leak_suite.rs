//! The leak suite: realistic leaks and look-alikes that are not leaks, each
//! snapshotted 4 times by `tests/fixtures/leaks/drive.mjs`, and what a user
//! wants from `heaplens leaks S1 S2 S3 S4 --json` on them.
//!
//! Node programs (snapshots written by the program itself, taken with
//! `--heapsnapshot-signal`, or taken over the inspector protocol) and pages in
//! headless Chromium (rounds are button clicks). No program hangs its state on
//! a global: it lives in module scope, closures, class statics, timers,
//! listeners, observers and pending async work, as in real applications.
//!
//! For a leak, the first group must be the leaking class, its retaining path
//! must pass through the variable or property a user would look for, its count
//! must be DevTools' "allocated between snapshots 1 and 2" count of the class
//! in the last snapshot, and it must grow in every interval. For a control,
//! nothing may be flagged as growing, and what legitimately survives (an LRU's
//! entries, a lazily built singleton) must still be shown.
//!
//! `suite_scores_beat_the_baseline` scores heaplens against the plain answer
//! "the class with the largest retained size among the new objects".

mod common;

use common::{arg, cli, oracle, repo, require_chromium, write_snapshots_with};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

const SNAPSHOTS: usize = 4;

/// How a case's snapshots are taken (see `drive.mjs`).
#[derive(Clone, Copy, Debug)]
enum Capture {
    /// The node program calls `v8.writeHeapSnapshot()` itself.
    Own,
    /// `node --heapsnapshot-signal=SIGUSR2`; the driver sends the signal.
    Signal,
    /// `node --inspect`; the driver sends `HeapProfiler.takeHeapSnapshot`.
    Inspector,
    /// Headless Chromium over CDP (playwright-core).
    Browser,
}

impl Capture {
    fn method(self) -> &'static str {
        match self {
            Capture::Own => "self",
            Capture::Signal => "signal",
            Capture::Inspector => "inspector",
            Capture::Browser => "browser",
        }
    }
}

/// What the report must say about a case.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// A leak of `per_round` objects of `class` per round, held through the
    /// edges named `edges` (in that order on the path).
    Leak {
        class: &'static str,
        per_round: u64,
        edges: &'static [&'static str],
    },
    /// Not a leak. `survivors`: a class of which exactly that many objects of
    /// round 2 are legitimately alive at the end and must be reported, not
    /// growing. `absent`: classes that must not be reported at all.
    Control {
        survivors: Option<(&'static str, u64)>,
        absent: &'static [&'static str],
    },
}

struct Case {
    name: &'static str,
    /// The program or page, relative to `tests/fixtures/leaks/`.
    target: &'static str,
    capture: Capture,
    /// More driver arguments: `--fetch N` for the server, `--click LABEL`
    /// and `--times N` for pages.
    args: &'static [&'static str],
    expect: Expect,
}

const fn leak(
    name: &'static str,
    target: &'static str,
    capture: Capture,
    args: &'static [&'static str],
    class: &'static str,
    per_round: u64,
    edges: &'static [&'static str],
) -> Case {
    Case {
        name,
        target,
        capture,
        args,
        expect: Expect::Leak {
            class,
            per_round,
            edges,
        },
    }
}

const fn control(
    name: &'static str,
    target: &'static str,
    capture: Capture,
    args: &'static [&'static str],
    survivors: Option<(&'static str, u64)>,
    absent: &'static [&'static str],
) -> Case {
    Case {
        name,
        target,
        capture,
        args,
        expect: Expect::Control { survivors, absent },
    }
}

use Capture::{Browser, Inspector, Own, Signal};

const CASES: &[Case] = &[
    // Node leaks.
    leak(
        "http-response-cache",
        "node/http-response-cache.cjs",
        Signal,
        &["--fetch", "40"],
        "CachedResponse",
        40,
        &["responseCache"],
    ),
    leak(
        "async-upload-loop",
        "node/async-upload-loop.mjs",
        Own,
        &[],
        "UploadTask",
        60,
        &["retryQueue"],
    ),
    leak(
        "poll-jobs",
        "node/poll-jobs.cjs",
        Inspector,
        &[],
        "PollJob",
        50,
        &["pollJob"],
    ),
    leak(
        "order-listeners",
        "node/order-listeners.cjs",
        Signal,
        &[],
        "OrderTracker",
        50,
        &["orderEvents", "tracker"],
    ),
    leak(
        "shared-closure-chain",
        "node/shared-closure-chain.cjs",
        Own,
        &[],
        "RenderState",
        30,
        &["currentState", "originalState"],
    ),
    leak(
        "pending-replies",
        "node/pending-replies.mjs",
        Inspector,
        &[],
        "RequestContext",
        40,
        &["replyWaiters"],
    ),
    leak(
        "price-feed-listeners",
        "node/price-feed-listeners.cjs",
        Signal,
        &[],
        "ThroughputMeter",
        50,
        &["priceFeed", "meter"],
    ),
    leak(
        "plugin-registry",
        "node/plugin-registry.mjs",
        Own,
        &[],
        "PluginHandle",
        40,
        &["#plugins"],
    ),
    leak(
        "audit-log-strings",
        "node/audit-log-strings.cjs",
        Inspector,
        &[],
        "(string)",
        80,
        &["auditLog"],
    ),
    leak(
        "map-not-weakmap",
        "node/map-not-weakmap.mjs",
        Signal,
        &[],
        "TooltipView",
        50,
        &["renderCountByView"],
    ),
    leak(
        "history-list",
        "node/history-list.cjs",
        Own,
        &[],
        "HistoryEntry",
        40,
        &["latestEntry", "previous"],
    ),
    leak(
        "buggy-lru",
        "node/buggy-lru.mjs",
        Signal,
        &[],
        "ThumbnailEntry",
        60,
        &["thumbnailCache", "entries"],
    ),
    // Chromium leaks.
    leak(
        "inbox-detached-cards",
        "browser/inbox-detached-cards.html",
        Browser,
        &["--click", "Open inbox", "--click", "Close inbox"],
        "Detached <article>",
        25,
        &["closedCards"],
    ),
    leak(
        "dashboard-window-listeners",
        "browser/dashboard-window-listeners.html",
        Browser,
        &["--click", "Open dashboard", "--click", "Close dashboard"],
        "ChartModel",
        20,
        &["chartModel"],
    ),
    leak(
        "poll-widgets",
        "browser/poll-widgets.html",
        Browser,
        &["--click", "Add widgets", "--click", "Remove widgets"],
        "PollJob",
        20,
        &["pollJob"],
    ),
    leak(
        "feed-visibility-trackers",
        "browser/feed-visibility-trackers.html",
        Browser,
        &["--click", "Open feed", "--click", "Close feed"],
        "VisibilityTracker",
        20,
        &["tracker"],
    ),
    leak(
        "product-response-cache",
        "browser/product-response-cache.html",
        Browser,
        &["--click", "Next page"],
        "ProductResponse",
        25,
        &["responseCache"],
    ),
    leak(
        "editor-undo-stack",
        "browser/editor-undo-stack.html",
        Browser,
        &["--click", "Draw shapes"],
        "EditCommand",
        30,
        &["undoStack"],
    ),
    leak(
        "closure-chain-refresh",
        "browser/closure-chain-refresh.html",
        Browser,
        &["--click", "Refresh", "--times", "20"],
        "ViewState",
        20,
        &["currentView", "previousView"],
    ),
    leak(
        "cart-store-subscribers",
        "browser/cart-store-subscribers.html",
        Browser,
        &["--click", "Open cart", "--click", "Close cart"],
        "CartBadge",
        20,
        &["cartStore", "listeners", "badge"],
    ),
    // Controls.
    control(
        "bounded-lru",
        "node/bounded-lru.cjs",
        Own,
        &[],
        Some(("PreviewEntry", 20)),
        &[],
    ),
    control(
        "steady-churn",
        "node/steady-churn.cjs",
        Inspector,
        &[],
        None,
        &["ParsedRequest"],
    ),
    control(
        "weakmap-cache",
        "node/weakmap-cache.mjs",
        Signal,
        &[],
        None,
        &["ViewNode", "LayoutMetrics"],
    ),
    control(
        "lazy-formatters",
        "node/lazy-formatters.cjs",
        Inspector,
        &[],
        Some(("LocaleFormatter", 40)),
        &[],
    ),
    control(
        "clean-unmount",
        "browser/clean-unmount.html",
        Browser,
        &["--click", "Open dashboard", "--click", "Close dashboard"],
        None,
        &["StatusWidget", "Detached <div>"],
    ),
    control(
        "bounded-undo",
        "browser/bounded-undo.html",
        Browser,
        &["--click", "Draw shapes"],
        Some(("StrokeCommand", 10)),
        &[],
    ),
];

fn case(name: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name:?} in CASES"))
}

/// The case's 4 snapshots, generated once per test binary.
fn snapshots(case: &Case) -> Vec<PathBuf> {
    if matches!(case.capture, Browser) {
        require_chromium();
    }
    // The inspector client uses node 20's WebSocket, behind a flag there.
    let node_args: &[&str] = match case.capture {
        Inspector => &["--experimental-websocket", "--no-warnings"],
        _ => &[],
    };
    let mut args = vec![case.capture.method(), case.target];
    args.extend_from_slice(case.args);
    write_snapshots_with(
        &repo().join("tests/fixtures/leaks/drive.mjs"),
        node_args,
        &args,
        case.name,
        SNAPSHOTS,
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    groups: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Group {
    name: String,
    count: u64,
    grows_every_interval: Option<bool>,
    path: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Step {
    node: String,
    edge: String,
}

/// `heaplens leaks S1 S2 S3 S4 --json` on the case's snapshots, run once per
/// case: its own test and the scoring test read the same report.
fn report(case: &Case, files: &[PathBuf]) -> Report {
    static OUTPUTS: OnceLock<Vec<OnceLock<String>>> = OnceLock::new();
    let index = CASES
        .iter()
        .position(|c| c.name == case.name)
        .expect("a case of CASES");
    let outputs = OUTPUTS.get_or_init(|| CASES.iter().map(|_| OnceLock::new()).collect());
    let stdout = outputs[index].get_or_init(|| {
        let mut args = vec!["leaks"];
        args.extend(files.iter().map(|f| arg(f)));
        args.push("--json");
        let (status, stdout, stderr) = cli(&args);
        assert!(status.success(), "heaplens {args:?} failed: {stderr}");
        stdout
    });
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not a leak report ({e}):\n{stdout}"))
}

/// DevTools' "objects allocated between snapshots 1 and 2" in the last
/// snapshot: (class name, count, retained size) rows, one per class key.
fn allocated_between(files: &[PathBuf]) -> Vec<(String, u64, u64)> {
    let last = &files[files.len() - 1];
    let rows = oracle(&["between", arg(&files[0]), arg(&files[1]), arg(last)]);
    rows["classes"]
        .as_array()
        .expect("a classes array")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("a class name").to_owned(),
                c["count"].as_u64().expect("a count"),
                c["retained_size"].as_u64().expect("a retained size"),
            )
        })
        .collect()
}

fn between_count(rows: &[(String, u64, u64)], class: &str) -> u64 {
    rows.iter().filter(|r| r.0 == class).map(|r| r.1).sum()
}

fn path_edges(g: &Group) -> String {
    g.path
        .iter()
        .map(|s| format!("--{}--> {}", s.edge, s.node))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first groups of a report, for failure messages.
fn top(report: &Report) -> String {
    let lines: Vec<String> = report
        .groups
        .iter()
        .take(5)
        .map(|g| {
            format!(
                "  {} ×{} grows {:?}: {}",
                g.name,
                g.count,
                g.grows_every_interval,
                path_edges(g)
            )
        })
        .collect();
    format!(
        "{} groups; first:\n{}",
        report.groups.len(),
        lines.join("\n")
    )
}

/// Whether the path passes through `edges` in that order (other steps may
/// come between).
fn passes_through(g: &Group, edges: &[&str]) -> bool {
    let mut rest = g.path.iter().map(|s| s.edge.as_str());
    edges.iter().all(|want| rest.any(|edge| edge == *want))
}

fn assert_leak_found(name: &str) {
    let case = case(name);
    let Expect::Leak {
        class,
        per_round,
        edges,
    } = case.expect
    else {
        panic!("{name} is a control");
    };
    let files = snapshots(case);
    let devtools = between_count(&allocated_between(&files), class);
    // The fixture itself: one round of the class is new and still alive.
    assert_eq!(
        devtools, per_round,
        "{name}: DevTools counts {devtools} {class} allocated between snapshots 1 and 2 \
         (the program should leak {per_round} per round)"
    );
    let report = report(case, &files);
    let first = report
        .groups
        .first()
        .unwrap_or_else(|| panic!("{name}: an empty report; the leak is {class}"));
    assert_eq!(first.name, class, "{name}: {}", top(&report));
    assert!(
        passes_through(first, edges),
        "{name}: the path of {class} should pass through {edges:?}: {}",
        path_edges(first)
    );
    assert_eq!(
        first.count,
        devtools,
        "{name}: {class} allocated between snapshots 1 and 2: {}",
        top(&report)
    );
    assert_eq!(
        first.grows_every_interval,
        Some(true),
        "{name}: {}",
        top(&report)
    );
}

fn assert_no_false_alarm(name: &str) {
    let case = case(name);
    let Expect::Control { survivors, absent } = case.expect else {
        panic!("{name} is a leak");
    };
    let files = snapshots(case);
    let between = allocated_between(&files);
    let report = report(case, &files);
    let growing: Vec<&str> = report
        .groups
        .iter()
        .filter(|g| g.grows_every_interval == Some(true))
        .map(|g| g.name.as_str())
        .collect();
    assert!(
        growing.is_empty(),
        "{name}: nothing grows, yet {growing:?} are flagged: {}",
        top(&report)
    );
    for class in absent {
        assert_eq!(
            between_count(&between, class),
            0,
            "{name}: fixture keeps {class}"
        );
        assert!(
            report.groups.iter().all(|g| g.name != *class),
            "{name}: {class} is not kept, yet reported: {}",
            top(&report)
        );
    }
    if let Some((class, count)) = survivors {
        assert_eq!(
            between_count(&between, class),
            count,
            "{name}: DevTools' count of round 2's surviving {class}"
        );
        let groups: Vec<&Group> = report.groups.iter().filter(|g| g.name == class).collect();
        let reported: u64 = groups.iter().map(|g| g.count).sum();
        assert_eq!(
            reported,
            count,
            "{name}: round 2's {count} {class} still alive must be shown: {}",
            top(&report)
        );
        for g in groups {
            assert_eq!(
                g.grows_every_interval,
                Some(false),
                "{name}: {class} does not grow: {}",
                path_edges(g)
            );
        }
    }
}

// Node leaks.

#[test]
fn http_server_response_cache_leak_names_cached_response_first() {
    assert_leak_found("http-response-cache");
}

#[test]
fn async_main_loop_retry_queue_leak_names_upload_task_first() {
    assert_leak_found("async-upload-loop");
}

#[test]
fn uncleared_intervals_leak_names_poll_job_first() {
    assert_leak_found("poll-jobs");
}

#[test]
fn emitter_listeners_never_removed_leak_names_order_tracker_first() {
    assert_leak_found("order-listeners");
}

#[test]
fn shared_closure_context_chain_names_render_state_first() {
    assert_leak_found("shared-closure-chain");
}

#[test]
fn never_settled_promises_leak_names_request_context_first() {
    assert_leak_found("pending-replies");
}

#[test]
fn stream_data_listeners_leak_names_throughput_meter_first() {
    assert_leak_found("price-feed-listeners");
}

#[test]
fn class_static_registry_leak_names_plugin_handle_first() {
    assert_leak_found("plugin-registry");
}

#[test]
fn growing_string_log_names_strings_held_by_audit_log_first() {
    assert_leak_found("audit-log-strings");
}

#[test]
fn map_instead_of_weak_map_leak_names_tooltip_view_first() {
    assert_leak_found("map-not-weakmap");
}

#[test]
fn linked_list_leak_names_history_entry_first() {
    assert_leak_found("history-list");
}

#[test]
fn lru_that_never_evicts_names_thumbnail_entry_first() {
    assert_leak_found("buggy-lru");
}

// Chromium leaks.

#[test]
fn detached_cards_kept_in_an_array_name_detached_article_first() {
    assert_leak_found("inbox-detached-cards");
}

#[test]
fn window_resize_listeners_leak_names_chart_model_first() {
    assert_leak_found("dashboard-window-listeners");
}

#[test]
fn widget_intervals_leak_names_poll_job_first() {
    assert_leak_found("poll-widgets");
}

#[test]
fn undisconnected_observers_leak_names_visibility_tracker_first() {
    assert_leak_found("feed-visibility-trackers");
}

#[test]
fn url_keyed_response_cache_leak_names_product_response_first() {
    assert_leak_found("product-response-cache");
}

#[test]
fn unbounded_undo_stack_leak_names_edit_command_first() {
    assert_leak_found("editor-undo-stack");
}

#[test]
fn page_closure_chain_names_view_state_first() {
    assert_leak_found("closure-chain-refresh");
}

#[test]
fn store_subscriptions_never_undone_leak_names_cart_badge_first() {
    assert_leak_found("cart-store-subscribers");
}

// Controls.

#[test]
fn bounded_lru_shows_its_survivors_without_flagging_growth() {
    assert_no_false_alarm("bounded-lru");
}

#[test]
fn steady_allocate_and_release_reports_nothing_growing() {
    assert_no_false_alarm("steady-churn");
}

#[test]
fn weak_map_cache_reports_nothing_growing() {
    assert_no_false_alarm("weakmap-cache");
}

#[test]
fn lazily_built_singleton_is_shown_but_not_flagged_as_growing() {
    assert_no_false_alarm("lazy-formatters");
}

#[test]
fn properly_unmounted_components_report_nothing_growing() {
    assert_no_false_alarm("clean-unmount");
}

#[test]
fn bounded_undo_history_shows_its_survivors_without_flagging_growth() {
    assert_no_false_alarm("bounded-undo");
}

/// How heaplens and the baseline did on one case.
struct Verdict {
    heaplens: bool,
    baseline: bool,
    /// heaplens' first group (for a control: the first group flagged growing).
    heaplens_pick: String,
    baseline_pick: String,
}

fn score(case: &Case) -> Verdict {
    let files = snapshots(case);
    let between = allocated_between(&files);
    let report = report(case, &files);
    // The baseline: the class with the largest summed retained size among the
    // objects allocated between snapshots 1 and 2 that are still alive.
    let mut by_class: Vec<(&str, u64)> = Vec::new();
    for (name, _, retained) in &between {
        match by_class.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 += retained,
            None => by_class.push((name, *retained)),
        }
    }
    by_class.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let baseline_pick = by_class.first().map(|c| c.0);
    let first = report.groups.first();
    let ours = first.map_or("(nothing)".to_owned(), |g| {
        format!("{} ×{} grows {:?}", g.name, g.count, g.grows_every_interval)
    });
    let baseline = baseline_pick.unwrap_or("(nothing)").to_owned();
    match case.expect {
        Expect::Leak { class, edges, .. } => Verdict {
            heaplens: first.is_some_and(|g| g.name == class && passes_through(g, edges)),
            baseline: baseline_pick == Some(class),
            heaplens_pick: ours,
            baseline_pick: baseline,
        },
        Expect::Control { .. } => {
            let growing = report
                .groups
                .iter()
                .find(|g| g.grows_every_interval == Some(true));
            Verdict {
                heaplens: growing.is_none(),
                baseline: between.is_empty(),
                heaplens_pick: growing.map_or("nothing growing".to_owned(), |g| {
                    format!("{} ×{} flagged growing", g.name, g.count)
                }),
                baseline_pick: baseline,
            }
        }
    }
}

#[test]
fn suite_scores_beat_the_baseline() {
    // Three workers: each case mostly waits on node or Chromium, then runs the
    // oracle and the CLI.
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<Verdict>>> = Mutex::new((0..CASES.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| loop {
                let i = {
                    let mut next = next.lock().unwrap();
                    *next += 1;
                    *next - 1
                };
                let Some(case) = CASES.get(i) else { break };
                let verdict = score(case);
                results.lock().unwrap()[i] = Some(verdict);
            });
        }
    });
    let results: Vec<Verdict> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every case scored"))
        .collect();

    let mark = |pass: bool| if pass { "pass" } else { "FAIL" };
    let mut table = format!(
        "{:<28} {:<9} {:<26} {:<8} {:<8}  heaplens first group | baseline pick\n",
        "case", "capture", "expected", "heaplens", "baseline"
    );
    for (case, v) in CASES.iter().zip(&results) {
        let expected = match case.expect {
            Expect::Leak { class, .. } => class.to_owned(),
            Expect::Control { .. } => "(control)".to_owned(),
        };
        table += &format!(
            "{:<28} {:<9} {:<26} {:<8} {:<8}  {} | {}\n",
            case.name,
            case.capture.method(),
            expected,
            mark(v.heaplens),
            mark(v.baseline),
            v.heaplens_pick,
            v.baseline_pick
        );
    }
    let ours = results.iter().filter(|v| v.heaplens).count();
    let theirs = results.iter().filter(|v| v.baseline).count();
    table += &format!(
        "score: heaplens {ours}/{n}, baseline {theirs}/{n}\n",
        n = CASES.len()
    );
    eprint!("{table}");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    let _ = std::fs::create_dir_all(&target);
    let file = target.join("leak-suite-score.txt");
    std::fs::write(&file, &table)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    assert!(
        ours > theirs,
        "heaplens scores {ours}, the baseline {theirs}:\n{table}"
    );
}
