//! The protocol between the core and its front ends (`src/query/protocol.rs`,
//! ARCHITECTURE.md's "The protocol"), on real snapshots of
//! `classic-leak.cjs` (1,000 `SimpleClass` leaked per round by a small HTTP
//! service, held by the module-level `leakyData` in the context of the
//! server's request handler `handleRequest`):
//!
//! - every request of ARCHITECTURE.md's table, as written there, reads as a
//!   [`Request`] and keeps every field it names, and its answer has the keys
//!   the table documents, camelCase only, with `null` for a distance DevTools
//!   shows as "−";
//! - "Ignore this retainer" changes the Retainers pane's distances and the
//!   retaining path, and nothing the Summary shows, whose instance lists stay
//!   sorted by the distances their rows show.

mod common;
#[path = "protocol/table.rs"]
mod table;

use common::{generate, open};
use heaplens::query::{Request, Session};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Sends `request` (JSON, as a front end would) and returns the answer as
/// JSON, failing the test on an error.
fn ask(s: &mut Session, request: Value) -> Value {
    let text = request.to_string();
    let request: Request =
        serde_json::from_value(request).unwrap_or_else(|e| panic!("{text} is no request: {e}"));
    let answer = s
        .query(request)
        .unwrap_or_else(|e| panic!("{text} failed: {e}"));
    serde_json::to_value(answer).expect("answers serialize")
}

/// The error `request` gets.
fn ask_error(s: &mut Session, request: Value) -> String {
    let request: Request = serde_json::from_value(request).expect("a request");
    match s.query(request) {
        Ok(answer) => panic!("expected an error, got {}", json!(answer)),
        Err(e) => e.to_string(),
    }
}

/// The three snapshots of `classic-leak.cjs` (3,000 `SimpleClass` in the last).
fn classic() -> &'static [std::path::PathBuf] {
    static FILES: OnceLock<Vec<std::path::PathBuf>> = OnceLock::new();
    FILES.get_or_init(|| generate("classic-leak", 3))
}

/// How far the nearest `SimpleClass` is from `global`: global → setTimeout
/// → its context → timerListMap → the 30 s list → the server's
/// connection-checking Timeout → its bound callback → the Server → _events →
/// handleRequest → its context → leakyData → the object.
const LEAK_DISTANCE: u64 = 13;

/// The Summary key of `SimpleClass` (its name after the script location V8
/// recorded for its constructor, so not the `,SimpleClass` of a class
/// without one).
fn simple_class_key(s: &mut Session) -> String {
    let summary = ask(s, json!({"op": "summary", "classFilter": "SimpleClass"}));
    let row = &summary["rows"][0];
    assert_eq!(
        (&row["name"], &row["count"], &row["distance"]),
        (&json!("SimpleClass"), &json!(3000), &json!(LEAK_DISTANCE)),
        "{summary}"
    );
    row["key"].as_str().expect("a key").to_owned()
}

/// A distance as the rows show it: a number, or `None` for `null` ("−").
fn shown(row: &Value) -> Option<u64> {
    match &row["distance"] {
        Value::Null => None,
        d => Some(
            d.as_u64()
                .unwrap_or_else(|| panic!("distance {d} in {row}")),
        ),
    }
}

/// Asserts rows (node rows, or edge rows whose `node` is one) come out in
/// non-decreasing shown distance, rows without one last.
fn assert_sorted_by_distance(rows: &[Value], what: &str) {
    let node = |r: &Value| {
        if r["node"].is_object() {
            r["node"].clone()
        } else {
            r.clone()
        }
    };
    let shown: Vec<Option<u64>> = rows.iter().map(|r| shown(&node(r))).collect();
    let out_of_order = shown.windows(2).position(|w| match (w[0], w[1]) {
        (Some(a), Some(b)) => a > b,
        (None, Some(_)) => true,
        (_, None) => false,
    });
    if let Some(i) = out_of_order {
        panic!(
            "{what}: row {i} shows distance {:?}, row {} shows {:?} ({} rows)",
            shown[i],
            i + 1,
            shown[i + 1],
            rows.len()
        );
    }
}

/// A Retainers-pane row or path step: the edge's type and name
/// (`context:leakyData`, empty on a path's first step), then the node's id,
/// name and shown distance.
type Hop = (String, u64, String, Option<u64>);

fn hop(edge: &str, id: u64, name: &str, distance: Option<u64>) -> Hop {
    (edge.to_owned(), id, name.to_owned(), distance)
}

fn hop_of(row: &Value) -> Hop {
    let node = &row["node"];
    let edge = match row["edgeType"].as_str() {
        Some("") | None => String::new(),
        Some(t) => format!("{t}:{}", row["edgeName"].as_str().unwrap_or_default()),
    };
    let id = node["id"].as_u64().expect("an id");
    hop(
        &edge,
        id,
        node["name"].as_str().expect("a name"),
        shown(node),
    )
}

/// The Retainers pane of `id`, checked to be sorted as it shows.
fn retainers(s: &mut Session, id: u64) -> Vec<Hop> {
    let rows = rows(&ask(s, json!({"op": "retainers", "id": id})));
    assert_sorted_by_distance(&rows, &format!("retainers of @{id}"));
    rows.iter().map(hop_of).collect()
}

/// The retaining path of `id`, roots first.
fn path(s: &mut Session, id: u64) -> Vec<Hop> {
    let answer = ask(s, json!({"op": "retainingPath", "id": id}));
    answer["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(hop_of)
        .collect()
}

fn rows(answer: &Value) -> Vec<Value> {
    answer["rows"].as_array().expect("rows").clone()
}

/// Every class's instances sorted by distance, nearest first: the Summary
/// as a user browses it, class by class.
fn instances_by_distance(s: &mut Session) -> Vec<(Value, Vec<Value>)> {
    let summary = ask(s, json!({"op": "summary", "limit": 100_000}));
    rows(&summary)
        .into_iter()
        .map(|class| {
            let request = json!({"op": "instances", "classKey": class["key"],
                "sortBy": "distance", "ascending": true, "limit": 1_000_000});
            let members = rows(&ask(s, request));
            (class, members)
        })
        .collect()
}

/// What the test ignores, found on the first `SimpleClass`'s path.
struct OnThePath {
    /// The `SimpleClass` object.
    leak: u64,
    /// The server's `_events`, the `handleRequest` closure, its context
    /// (the module's scope), the `leakyData` array.
    events: u64,
    /// `_events`' name: its three listeners, in V8's order of the run.
    events_name: String,
    handler: u64,
    context: u64,
    leaky_data: u64,
}

/// The nearest `SimpleClass` and its path from `global`, through Node's
/// timer list to the server, then its `_events` → handleRequest → its
/// context → leakyData → the object, one step further from the roots each.
fn on_the_path(s: &mut Session) -> (OnThePath, Vec<Hop>) {
    let key = simple_class_key(s);
    let nearest = ask(
        s,
        json!({"op": "instances", "classKey": key, "sortBy": "distance", "ascending": true, "limit": 1}),
    );
    let leak = rows(&nearest)[0]["id"].as_u64().expect("an id");
    let hops = path(s, leak);
    let ids: Vec<u64> = hops.iter().map(|h| h.1).collect();
    let element = hops.last().expect("a path").0.clone();
    assert!(element.starts_with("element:"), "{hops:?}");
    assert_eq!(hops.len() as u64, LEAK_DISTANCE, "{hops:?}");
    assert_eq!(hops[0], hop("", ids[0], "global", Some(1)));
    let d = |k: usize| Some(k as u64 + 1);
    let n = hops.len();
    // `_events` is a plain object named by its properties, in the order V8
    // happened to store them (it differs from run to run).
    let mut events: Vec<&str> = hops[n - 5].2.trim_matches(['{', '}']).split(", ").collect();
    events.sort_unstable();
    assert_eq!(events, ["connection", "listening", "request"], "{hops:?}");
    let events_name = hops[n - 5].2.clone();
    assert_eq!(
        hops[n - 6..],
        [
            hop("internal:bound_this", ids[n - 6], "Server", d(n - 6)),
            hop("property:_events", ids[n - 5], &events_name, d(n - 5)),
            hop("property:request", ids[n - 4], "handleRequest", d(n - 4)),
            hop("internal:context", ids[n - 3], "system / Context", d(n - 3)),
            hop("context:leakyData", ids[n - 2], "Array", d(n - 2)),
            hop(&element, leak, "SimpleClass", d(n - 1)),
        ]
    );
    let at = OnThePath {
        leak,
        events: ids[n - 5],
        events_name,
        handler: ids[n - 4],
        context: ids[n - 3],
        leaky_data: ids[n - 2],
    };
    (at, hops)
}

#[test]
fn ignoring_a_retainer_recomputes_the_retainers_pane_and_path_but_not_the_summary() {
    let mut s = open(&classic()[2]);
    let summary = instances_by_distance(&mut s);
    for (class, members) in &summary {
        assert_sorted_by_distance(members, &format!("instances of {}", class["name"]));
    }
    let (at, path_before) = on_the_path(&mut s);
    let before = [at.leak, at.handler, at.context].map(|id| retainers(&mut s, id));
    let [of_leak, of_handler, of_context] = &before;
    assert_eq!(
        of_leak.iter().map(|r| (&r.2[..], r.3)).collect::<Vec<_>>(),
        [
            ("Array", Some(LEAK_DISTANCE - 1)),
            ("(object elements)", Some(LEAK_DISTANCE))
        ]
    );
    // The server's listeners, the same listeners' property store, and the
    // module's context (the handler is a module-level function).
    assert_eq!(
        of_handler
            .iter()
            .map(|h| (&h.2[..], h.3))
            .collect::<Vec<_>>(),
        [
            (&at.events_name[..], Some(9)),
            ("(object properties)", Some(10)),
            ("system / Context", Some(11)),
        ]
    );
    assert_eq!(
        (of_handler[0].1, &of_handler[2].0[..], of_handler[2].1),
        (at.events, "context:handleRequest", at.context)
    );
    // handleRequest, then SimpleClass (the class) and randomString share the
    // module's context; the context of `main`, whose round closures the
    // snapshot driver holds on the stack, reaches it only from the roots'
    // side ("−").
    let distances = |hops: &[Hop]| hops.iter().map(|h| h.3).collect::<Vec<_>>();
    assert_eq!(distances(of_context), [Some(10), Some(12), Some(12), None]);
    assert_eq!(of_context[0].1, at.handler);

    let ignored = ask(&mut s, json!({"op": "ignoreRetainer", "id": at.handler}));
    assert_eq!(ignored, json!({"ignored": [at.handler]}));
    assert_ignoring_the_handler(&mut s, &at, &before);

    // The Summary keeps DevTools' distances: same rows, same order, and
    // each list sorted by the distances it shows (the leakyData array still
    // shows 5 where the Retainers pane now shows "−").
    let summary_now = instances_by_distance(&mut s);
    assert_eq!(summary_now.len(), summary.len());
    for ((class, members), (class_before, members_before)) in summary_now.iter().zip(&summary) {
        let what = format!("{} with @{} ignored", class["name"], at.handler);
        assert_eq!(class, class_before, "the Summary row of {what}");
        assert_sorted_by_distance(members, &format!("instances of {what}"));
        assert!(members == members_before, "instances of {what} changed");
    }
    let leaky_data = summary_now
        .iter()
        .flat_map(|(_, members)| members)
        .find(|m| m["id"] == json!(at.leaky_data))
        .expect("leakyData is an instance");
    assert_eq!(shown(leaky_data), Some(LEAK_DISTANCE - 1));

    // Back to where it was.
    assert_eq!(
        ask(&mut s, json!({"op": "ignoreRetainer", "id": at.leaky_data})),
        json!({"ignored": [at.handler, at.leaky_data]})
    );
    assert_eq!(
        ask(&mut s, json!({"op": "unignoreRetainer", "id": at.handler})),
        json!({"ignored": [at.leaky_data]})
    );
    assert_eq!(
        ask(&mut s, json!({"op": "clearIgnored"})),
        json!({"ignored": []})
    );
    let after = [at.leak, at.handler, at.context].map(|id| retainers(&mut s, id));
    assert_eq!(after, before);
    assert_eq!(path(&mut s, at.leak), path_before);
}

/// With the `handleRequest` closure ignored, its context is reached from V8's
/// stack roots only: every distance below it is "−" in the Retainers pane,
/// those rows sort after the ones that keep a distance, and the path to the
/// object comes from the stack roots.
fn assert_ignoring_the_handler(s: &mut Session, at: &OnThePath, before: &[Vec<Hop>; 3]) {
    let of_handler = retainers(s, at.handler);
    assert_eq!(
        of_handler.iter().map(|h| (h.1, h.3)).collect::<Vec<_>>(),
        [
            (at.events, Some(9)),
            (before[1][1].1, Some(10)),
            (at.context, None)
        ],
        "the context's distance is recomputed and sorts last"
    );
    let of_context = retainers(s, at.context);
    assert_eq!(
        of_context.iter().map(|h| h.3).collect::<Vec<_>>(),
        [None; 4]
    );
    let marked: Vec<Value> = rows(&ask(s, json!({"op": "retainers", "id": at.context})))
        .into_iter()
        .filter(|r| r["ignored"] == json!(true))
        .map(|r| r["node"]["id"].clone())
        .collect();
    assert_eq!(
        marked,
        [json!(at.handler)],
        "the ignored retainer is marked"
    );
    let of_leak = retainers(s, at.leak);
    assert_eq!(
        of_leak.iter().map(|h| (h.1, h.3)).collect::<Vec<_>>(),
        [(at.leaky_data, None), (before[0][1].1, None)]
    );
    let hops = path(s, at.leak);
    assert!(
        hops.iter().all(|h| h.1 != at.handler),
        "the path avoids the ignored @{}: {hops:?}",
        at.handler
    );
    assert_eq!(
        hops.iter()
            .map(|h| (h.1, &h.2[..], h.3))
            .collect::<Vec<_>>(),
        [
            (hops[0].1, "(Stack roots)", None),
            (hops[1].1, "afterLastSnapshot", None),
            (hops[2].1, "system / Context", None),
            (at.context, "system / Context", None),
            (at.leaky_data, "Array", None),
            (at.leak, "SimpleClass", None),
        ],
        "the next path: from V8's stack roots (the snapshot driver's frame holds the \
         program's hooks) through main's context into the module's"
    );
}

#[test]
fn nodes_leaves_unknown_ids_out() {
    let mut s = open(&classic()[0]);
    let answer = ask(
        &mut s,
        json!({"op": "nodes", "ids": [7, 0, 4_294_967_295_u32, 1, 2]}),
    );
    let ids: Vec<u64> = rows(&answer)
        .iter()
        .map(|r| r["id"].as_u64().expect("an id"))
        .collect();
    // Node writes no native objects, so no even id exists.
    assert_eq!(ids, [7, 1], "in the order asked");
}
