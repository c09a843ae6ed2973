//! Realms equal today's DevTools (chrome-devtools-frontend's worker, bundled
//! by tests/oracle/devtools-today.mjs): the owner of every node, the sizes
//! of every native context, of the shared and the unattributed objects, and
//! the Summary under each realm filter, row for row (the `summary` request
//! scoped to a realm, as the Summary's drop-down asks, and a class's
//! instances under it); on a Node program with `vm.createContext` sandboxes
//! and on a Chromium page with a same-origin iframe.

mod common;

use common::{arg, generate, oracle_today, repo, with_session, write_snapshots_with};
use heaplens::analysis::distances::shown;
use heaplens::analysis::realms::{attribute, realms, Attribution, RealmFilter, Realms};
use heaplens::analysis::summary::aggregate;
use heaplens::analysis::HeapSnapshot;
use heaplens::snapshot::bounded;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One snapshot of a plugin host running two plugins in `vm` sandboxes.
fn vm_program() -> PathBuf {
    generate("vm-realms", 1).remove(0)
}

/// One snapshot of `realms.html` (a page and its srcdoc widget iframe).
fn chromium_page() -> PathBuf {
    let script = repo().join("tests/fixtures/browser/take-snapshots.mjs");
    write_snapshots_with(&script, &[], &["realms.html"], "realms", 1).remove(0)
}

/// The attribution and the realm table of a file.
fn ours(file: &Path) -> (Attribution, Realms) {
    with_session(file, |s| {
        let a = attribute(&s.snapshot.graph);
        let r = realms(&s.snapshot, &a);
        (a, r)
    })
}

/// A Summary row: name, count, distance, shallow size, retained size, class key.
type Row = (String, u64, Option<u64>, u64, u64, String);

fn devtools_rows(file: &str, filter_name: &str) -> Vec<Row> {
    let out = oracle_today(&["summary", file, "--filter", filter_name]);
    let mut rows: Vec<Row> = out["classes"]
        .as_array()
        .expect("the oracle lists classes")
        .iter()
        .map(|r| {
            // heaplens bounds names (Blink's template class names pass 1,000 characters).
            let s = |k: &str| bounded(r[k].as_str().unwrap()).0.into_owned();
            let u = |k: &str| r[k].as_u64().unwrap();
            let d = r["distance"].as_u64();
            let sizes = (u("self_size"), u("retained_size"));
            let key = r["key"].as_str().unwrap();
            let key = match key.strip_prefix(',') {
                Some(name) => format!(",{}", bounded(name).0),
                None => key.to_owned(),
            };
            (s("name"), u("count"), d, sizes.0, sizes.1, key)
        })
        .collect();
    rows.sort();
    rows
}

fn heaplens_rows(s: &HeapSnapshot, a: &Attribution, filter: RealmFilter) -> Vec<Row> {
    let want = filter.owner();
    let mut rows: Vec<Row> = aggregate(s, |n| a.owner[n] == want)
        .into_iter()
        .map(|r| {
            (
                s.classes.name_of_key(r.key).to_owned(),
                r.count as u64,
                shown(r.distance).map(u64::from),
                r.self_size,
                r.retained_size,
                s.classes.exported_key(r.key),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// Compares everything DevTools computes about realms on `file`.
fn assert_realms_equal_devtools(file: &Path) {
    let theirs = oracle_today(&["realms", arg(file)]);
    let (a, ours) = ours(file);
    let fields = with_session(file, |s| s.snapshot.graph.meta.node_fields.len());
    // Node by node: DevTools gives a context as its ordinal, as heaplens does.
    let owner: Vec<i64> = theirs["owner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let mine: Vec<i64> = a.owner.iter().map(|&o| o as i64).collect();
    assert_eq!(mine.len(), owner.len());
    let differ = mine.iter().zip(&owner).filter(|(x, y)| x != y).count();
    assert_eq!(differ, 0, "{differ} nodes attributed differently");
    assert_eq!(ours.shared.size, theirs["sharedSize"].as_u64().unwrap());
    assert_eq!(
        ours.unattributed.size,
        theirs["noAttributionSize"].as_u64().unwrap()
    );
    // The panel lists realms by attributed size, largest first (a stable sort).
    let mut listed: Vec<&Value> = theirs["nativeContexts"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    listed.sort_by_key(|c| std::cmp::Reverse(c["attributedSize"].as_u64().unwrap()));
    let theirs_rows: Vec<(u64, String, u64, u64, u64, String)> = listed
        .iter()
        .map(|c| {
            let u = |k: &str| c[k].as_u64().unwrap();
            let index = u("nodeIndex");
            (
                u("nodeId"),
                c["nodeName"].as_str().unwrap().to_owned(),
                u("attributedSize"),
                u("selfSize"),
                u("retainedSize"),
                format!("nativeContext_{index}"),
            )
        })
        .collect();
    let ours_rows: Vec<_> = ours
        .realms
        .iter()
        .map(|r| {
            let (id, name) = (r.id as u64, r.node_name.clone());
            let sizes = (r.attributed.size, r.self_size, r.retained_size);
            (id, name, sizes.0, sizes.1, sizes.2, r.filter_name.clone())
        })
        .collect();
    assert_eq!(ours_rows, theirs_rows);
    assert!(fields > 0);
    // The Summary under each realm filter, row for row, as the `summary`
    // request scoped to the realm answers it.
    let mut filters: Vec<RealmFilter> = a
        .contexts
        .iter()
        .map(|&n| RealmFilter::Context(n))
        .collect();
    filters.extend([RealmFilter::Shared, RealmFilter::Unattributed]);
    for filter in filters {
        let name = with_session(file, |s| filter.devtools_name(&s.snapshot.graph));
        let rows = scoped_summary_rows(file, &name);
        assert_eq!(
            rows,
            with_session(file, |s| heaplens_rows(&s.snapshot, &a, filter)),
            "{name}"
        );
        let devtools = devtools_rows(arg(file), &name);
        let only = |x: &[Row], y: &[Row]| -> Vec<Row> {
            x.iter().filter(|r| !y.contains(r)).cloned().collect()
        };
        assert_eq!(
            (only(&rows, &devtools), only(&devtools, &rows)),
            (vec![], vec![]),
            "Summary under {name}: rows only heaplens has, rows only DevTools has"
        );
        assert_instances_stay_in_realm(file, &a, filter, &name, &rows);
    }
}

/// Sends `request` to the file's session; the answer as JSON.
fn ask(file: &Path, request: Value) -> heaplens::error::Result<Value> {
    with_session(file, |s| {
        let request = serde_json::from_value(request).expect("a request");
        s.query(request).map(|r| serde_json::to_value(r).unwrap())
    })
}

/// The rows of `{"op": "summary", "realm": name}`, every one, sorted as
/// [`devtools_rows`] sorts.
fn scoped_summary_rows(file: &Path, name: &str) -> Vec<Row> {
    let page = ask(
        file,
        serde_json::json!({"op": "summary", "realm": name, "limit": 1_000_000}),
    )
    .unwrap();
    let listed = page["rows"].as_array().unwrap();
    assert_eq!(page["total"], listed.len(), "{name}: one page holds all");
    let mut rows: Vec<Row> = listed
        .iter()
        .map(|r| {
            let u = |k: &str| r[k].as_u64().unwrap();
            let name = r["name"].as_str().unwrap().to_owned();
            let key = r["key"].as_str().unwrap().to_owned();
            let d = r["distance"].as_u64();
            (name, u("count"), d, u("selfSize"), u("retainedSize"), key)
        })
        .collect();
    rows.sort();
    rows
}

/// The largest classes of a realm's Summary expand into as many instances
/// as the row counts, each attributed to that realm (a class spread over
/// realms lists only this one's part).
fn assert_instances_stay_in_realm(
    file: &Path,
    a: &Attribution,
    filter: RealmFilter,
    name: &str,
    rows: &[Row],
) {
    let mut largest: Vec<&Row> = rows.iter().collect();
    largest.sort_by_key(|r| std::cmp::Reverse(r.4));
    for row in largest.into_iter().take(5) {
        let request = serde_json::json!({
            "op": "instances", "classKey": row.5, "realm": name, "limit": 1_000_000,
        });
        let page = ask(file, request).unwrap();
        assert_eq!(page["total"], row.1, "{name}: instances of {}", row.0);
        let ids: Vec<u32> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_u64().unwrap() as u32)
            .collect();
        assert_eq!(ids.len() as u64, row.1);
        with_session(file, |s| {
            for id in ids {
                let n = s
                    .snapshot
                    .node_by_id(heaplens::snapshot::NodeId(id))
                    .unwrap();
                assert_eq!(a.owner[n], filter.owner(), "{name}: @{id} of {}", row.0);
            }
        });
    }
}

/// The realm each instance of `class` is attributed to (object ids of the
/// native contexts; "shared" or "none" otherwise), one entry per instance.
fn realms_of(file: &Path, class: &str) -> Vec<String> {
    let (a, _) = ours(file);
    with_session(file, |s| {
        let g = &s.snapshot.graph;
        (0..g.node_count())
            .filter(|&n| s.snapshot.classes.class_name(n) == class)
            .map(|n| match a.owner[n] {
                -2 => "shared".to_owned(),
                -1 => "none".to_owned(),
                o => format!("@{}", g.node_id[o as usize]),
            })
            .collect()
    })
}

#[test]
fn realms_equal_devtools_on_a_program_with_vm_sandboxes() {
    assert_realms_equal_devtools(&vm_program());
}

#[test]
fn realms_equal_devtools_on_a_page_with_a_same_origin_iframe() {
    common::require_chromium();
    assert_realms_equal_devtools(&chromium_page());
}

#[test]
fn a_page_and_its_iframe_are_two_realms_each_holding_its_own_objects() {
    common::require_chromium();
    let file = chromium_page();
    let widget = realms_of(&file, "WidgetCache");
    let dashboard = realms_of(&file, "DashboardModel");
    assert_eq!((widget.len(), dashboard.len()), (1, 1));
    assert!(widget[0].starts_with('@') && dashboard[0].starts_with('@'));
    assert_ne!(widget, dashboard);
    let (_, r) = ours(&file);
    // The page, its iframe, and the worlds Chromium adds for the protocol.
    let page = r
        .realms
        .iter()
        .find(|x| format!("@{}", x.id) == dashboard[0])
        .unwrap();
    assert_eq!(page.name, "file://");
    assert_eq!(
        page.filter_name,
        format!("nativeContext_{}", page_index(&file, page.id))
    );
    // Every node is in exactly one of the parts.
    let nodes: u64 = r.realms.iter().map(|x| x.attributed.size).sum::<u64>()
        + r.shared.size
        + r.unattributed.size;
    let all: u64 = with_session(&file, |s| {
        s.snapshot.graph.self_size.iter().map(|&x| x as u64).sum()
    });
    assert_eq!(nodes, all);
}

/// DevTools' node index (offset in the file's `nodes` array) of object `id`.
fn page_index(file: &Path, id: u32) -> usize {
    with_session(file, |s| {
        let n = s
            .snapshot
            .node_by_id(heaplens::snapshot::NodeId(id))
            .unwrap();
        n * s.snapshot.graph.meta.node_fields.len()
    })
}

#[test]
fn vm_sandboxes_are_realms_and_what_the_host_shares_with_them_is_shared() {
    let file = vm_program();
    let (_, r) = ours(&file);
    // Node's main context and the two sandboxes (Node writes no URL).
    assert_eq!(r.realms.len(), 3, "{:?}", r.realms);
    assert!(r.realms.iter().all(|x| x.name.is_empty()));
    // The two sandboxes run the same code: equal parts, the largest two.
    assert_eq!(r.realms[0].attributed, r.realms[1].attributed);
    assert!(r.realms[0].attributed.count > r.realms[2].attributed.count);
    // Each plugin's state is reached from its sandbox and from the host's
    // registry, and (as DevTools has it on this snapshot) not fixed to the
    // sandbox by its map: shared.
    assert_eq!(realms_of(&file, "PluginState"), ["shared", "shared"]);
}

#[test]
fn the_cli_lists_realms_and_the_summary_of_one_as_json() {
    let file = vm_program();
    let (status, out, err) = common::cli(&["realms", arg(&file), "--json"]);
    assert!(status.success(), "{err}");
    let mut listed: Value = serde_json::from_str(&out).unwrap();
    let (_, r) = ours(&file);
    let envelope = listed.as_object_mut().unwrap();
    assert_eq!(envelope.remove("schema"), Some(2.into()));
    assert_eq!(envelope.remove("file"), Some(arg(&file).into()));
    assert_eq!(listed, serde_json::to_value(&r).unwrap());
    assert_eq!(listed["shared"]["size"], r.shared.size);
    let (status, out, err) = common::cli(&["realms", arg(&file), "--realm", "shared", "--json"]);
    assert!(status.success(), "{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["filter"], "sharedNativeContext");
    let rows = summary["rows"].as_array().unwrap();
    let count: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(count, r.shared.count);
    let id = format!("@{}", r.realms[0].id);
    let (status, out, _) = common::cli(&["realms", arg(&file), "--realm", &id, "--json"]);
    assert!(status.success());
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["filter"], r.realms[0].filter_name);
    let (status, _, err) = common::cli(&["realms", arg(&file), "--realm", "@1"]);
    assert!(!status.success() && err.contains("native context"), "{err}");
}

#[test]
fn the_query_layer_answers_realms_and_a_realm_summary_equal_to_devtools() {
    let file = vm_program();
    let ask = |request: Value| ask(&file, request);
    let (a, r) = ours(&file);
    let listed = ask(serde_json::json!({"op": "realms"})).unwrap();
    assert_eq!(listed, serde_json::to_value(&r).unwrap());
    for filter in [RealmFilter::Context(a.contexts[0]), RealmFilter::Shared] {
        let name = with_session(&file, |s| filter.devtools_name(&s.snapshot.graph));
        let page = ask(serde_json::json!({"op": "realmSummary", "filter": name, "limit": 100000}))
            .unwrap();
        // The rows heaplens_rows makes (equal to DevTools' above), by retained size.
        let want = with_session(&file, |s| heaplens_rows(&s.snapshot, &a, filter));
        let keys: Vec<&str> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["key"].as_str().unwrap())
            .collect();
        let mut by_retained = want.clone();
        by_retained.sort_by(|x, y| y.4.cmp(&x.4).then_with(|| x.0.cmp(&y.0)));
        assert_eq!(page["total"], want.len(), "{name}");
        assert_eq!(keys.len(), want.len());
        let mut sorted_keys = keys.clone();
        sorted_keys.sort();
        let mut want_keys: Vec<&str> = want.iter().map(|r| r.5.as_str()).collect();
        want_keys.sort();
        assert_eq!(sorted_keys, want_keys, "{name}");
        assert_eq!(
            page["rows"][0]["retainedSize"], by_retained[0].4,
            "{name}: largest first"
        );
    }
    let wrong = ask(serde_json::json!({"op": "realmSummary", "filter": "nativeContext_1"}));
    assert!(wrong.unwrap_err().message().contains("no realm filter"));
    let wrong = ask(serde_json::json!({"op": "summary", "realm": "nativeContext_1"}));
    assert!(wrong.unwrap_err().message().contains("no realm filter"));
    let request = serde_json::json!({"op": "instances", "classKey": ",Object", "realm": "x"});
    assert!(ask(request)
        .unwrap_err()
        .message()
        .contains("no realm filter"));
}

#[test]
fn the_cli_summary_takes_a_realm_by_id_or_filter_name() {
    let file = vm_program();
    let (_, r) = ours(&file);
    let realm = &r.realms[0];
    let json = |args: &[&str]| -> Value {
        let (status, out, err) = common::cli(args);
        assert!(status.success(), "{args:?}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    let id = format!("@{}", realm.id);
    let by_id = json(&["summary", arg(&file), "--realm", &id, "--json"]);
    let by_name = json(&[
        "summary",
        arg(&file),
        "--realm",
        &realm.filter_name,
        "--json",
    ]);
    let listed = json(&["realms", arg(&file), "--realm", &id, "--json"]);
    assert_eq!(by_id["realm"], realm.filter_name.as_str());
    assert_eq!(by_id["rows"], by_name["rows"]);
    assert_eq!(by_id["rows"], listed["rows"]);
    let rows = by_id["rows"].as_array().unwrap();
    let count: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    let size: u64 = rows.iter().map(|r| r["selfSize"].as_u64().unwrap()).sum();
    assert_eq!(
        (count, size),
        (realm.attributed.count, realm.attributed.size)
    );
    let none = json(&["summary", arg(&file), "--realm", "none", "--json"]);
    assert_eq!(none["realm"], "noNativeContext");
    let (status, _, err) = common::cli(&["summary", arg(&file), "--realm", "@1"]);
    assert!(!status.success() && err.contains("native context"), "{err}");
    let (status, _, err) = common::cli(&["stats", arg(&file), "--realm", "none"]);
    assert!(
        !status.success() && err.contains("--realm is an option of summary"),
        "{err}"
    );
}
