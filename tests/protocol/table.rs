//! ARCHITECTURE.md's protocol table, request by request: each request as
//! written there reads as a [`Request`] and keeps every field it names, and
//! its answer has the keys the table documents, camelCase only, with `null`
//! for a distance DevTools shows as "−". The requests run in the table's
//! order on one session each (the base's answers feed the newest snapshot's
//! requests), so the test is one function.

use super::{ask, ask_error, classic, rows, simple_class_key};
use crate::common::open;
use heaplens::query::{Request, Session};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Every [`Request`] variant by its `op`: a variant added to the protocol
/// does not compile here until it has a name, and fails
/// [`every_request_of_the_table_round_trips`] until it has an example.
fn op_of(r: &Request) -> &'static str {
    match r {
        Request::Info => "info",
        Request::Summary { .. } => "summary",
        Request::Instances { .. } => "instances",
        Request::DuplicateStrings { .. } => "duplicateStrings",
        Request::Closures { .. } => "closures",
        Request::Node { .. } => "node",
        Request::Nodes { .. } => "nodes",
        Request::Edges { .. } => "edges",
        Request::Retainers { .. } => "retainers",
        Request::RetainingPath { .. } => "retainingPath",
        Request::IgnoreRetainer { .. } => "ignoreRetainer",
        Request::UnignoreRetainer { .. } => "unignoreRetainer",
        Request::ClearIgnored => "clearIgnored",
        Request::Dominated { .. } => "dominated",
        Request::DominatorChain { .. } => "dominatorChain",
        Request::String { .. } => "string",
        Request::Stats => "stats",
        Request::Search { .. } => "search",
        Request::InterfaceDefinitions => "interfaceDefinitions",
        Request::Allocations => "allocations",
        Request::AllocationCallers { .. } => "allocationCallers",
        Request::AllocationStack { .. } => "allocationStack",
        Request::Facts { .. } => "facts",
        Request::Leaks { .. } => "leaks",
        Request::LeakDocument { .. } => "leakDocument",
        Request::DiffBase { .. } => "diffBase",
        Request::UseDiffBase { .. } => "useDiffBase",
        Request::Compare { .. } => "compare",
        Request::CompareInstances { .. } => "compareInstances",
        Request::Realms => "realms",
        Request::RealmSummary { .. } => "realmSummary",
        Request::Census => "census",
        Request::GrowingCollections { .. } => "growingCollections",
        Request::RetainerGraph { .. } => "retainerGraph",
    }
}

/// The arms of [`op_of`].
const VARIANTS: usize = 34;

/// Answers whose keys are data (class keys and names), not field names.
const DATA_MAPS: [&str; 2] = ["classes", "classCounts"];

/// Asserts every key of `v`, at any depth, is camelCase, and every
/// distance is a number below DevTools' 100,000,000 or `null`.
fn assert_wire_names(v: &Value, at: &str) {
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                let camel = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && key.chars().all(|c| c.is_ascii_alphanumeric());
                assert!(camel, "{at}: key {key:?} is not camelCase");
                if key.to_ascii_lowercase().ends_with("distance") {
                    assert!(
                        value.is_null() || value.as_u64().is_some_and(|d| d < 100_000_000),
                        "{at}: {key} = {value}: \"−\" is null, never a sentinel"
                    );
                }
                if DATA_MAPS.contains(&key.as_str()) {
                    for inner in value.as_object().expect("a map").values() {
                        assert_wire_names(inner, &format!("{at}.{key}[…]"));
                    }
                } else {
                    assert_wire_names(value, &format!("{at}.{key}"));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                assert_wire_names(item, &format!("{at}[]"));
            }
        }
        _ => {}
    }
}

/// Asserts object `v` has each of `keys` (space-separated).
fn assert_keys(v: &Value, keys: &str, what: &str) {
    let map = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is no object: {v}"));
    for key in keys.split_whitespace() {
        assert!(map.contains_key(key), "{what} has no {key:?}: {v}");
    }
}

/// The keys the table documents for the rows that recur in it.
const NODE_ROW: &str = "id name className type distance selfSize retainedSize edgeCount detached";
const EDGE_ROW: &str = "edgeType edgeName node";
const PAGE: &str = "total rows";

/// The requests of the table sent so far, by `op`.
#[derive(Default)]
struct Table {
    ops: BTreeSet<&'static str>,
}

impl Table {
    /// Sends a request of the table, as written there after `fill` replaced
    /// its placeholders, to `s`: it must read as the variant its `op` names,
    /// keep every field it gives, and be answered with camelCase keys only.
    fn send(&mut self, s: &mut Session, example: &str, fill: &[(&str, &Value)]) -> Value {
        let mut text = example.to_owned();
        for (placeholder, value) in fill {
            assert!(text.contains(placeholder), "{example} has no {placeholder}");
            text = text.replace(placeholder, &value.to_string());
        }
        let sent: Value = serde_json::from_str(&text).expect("the example is JSON");
        let request: Request =
            serde_json::from_value(sent.clone()).unwrap_or_else(|e| panic!("{example}: {e}"));
        let op = op_of(&request);
        assert_eq!(json!(op), sent["op"], "{example}");
        self.ops.insert(op);
        // Serde drops a field it does not know without a word: every field
        // the example gives must come back from the typed request.
        let back = serde_json::to_value(&request).expect("requests serialize");
        for (key, value) in sent.as_object().expect("an object") {
            assert_eq!(back.get(key), Some(value), "{example}: {key} was lost");
        }
        let again: Request = serde_json::from_value(back.clone()).expect("reads back");
        assert_eq!(serde_json::to_value(&again).expect("serializes"), back);
        let answer = s
            .query(request)
            .unwrap_or_else(|e| panic!("{example}: {e}"));
        let answer = serde_json::to_value(answer).expect("answers serialize");
        assert_wire_names(&answer, op);
        answer
    }
}

#[test]
fn every_request_of_the_table_round_trips() {
    let files = classic();
    let mut base = open(&files[0]);
    let mut middle = open(&files[1]);
    let mut last = open(&files[2]);
    let key = json!(simple_class_key(&mut last));
    let mut t = Table::default();
    let s = &mut last;

    let info = t.send(s, r#"{"op":"info"}"#, &[]);
    assert_keys(
        &info,
        "nodes edges totalSize rootId maxJsId extraNativeBytes title",
        "info",
    );
    assert_eq!((&info["rootId"], &info["title"]), (&json!(1), &Value::Null));

    let summary = t.send(
        s,
        r#"{"op":"summary","sortBy":"retainedSize","classFilter":"Simple","idRange":[1000,2000],"filter":"duplicatedStrings","offset":0,"limit":20}"#,
        &[],
    );
    assert_keys(&summary, "total rows totalSize", "summary");
    // SimpleClass ids are all above 2000, and none is a string.
    assert_eq!(summary["total"], json!(0));
    let summary = t.send(s, r#"{"op":"summary","classFilter":"Simple"}"#, &[]);
    assert_keys(
        &summary["rows"][0],
        "key name count distance selfSize retainedSize",
        "a Summary row",
    );

    let instances = t.send(
        s,
        r#"{"op":"instances","classKey":",SimpleClass","sortBy":"distance","ascending":true,"limit":50}"#,
        &[(r#"",SimpleClass""#, &key)],
    );
    assert_keys(&instances, PAGE, "instances");
    assert_eq!(instances["total"], json!(3000));
    assert_eq!(rows(&instances).len(), 50);
    assert_keys(&instances["rows"][0], NODE_ROW, "a NodeRow");

    // Ids 1, 3, 5, 7 and 9 are V8's root, (GC roots) and its first
    // sub-roots: DevTools shows "−" for the distance of each.
    let node = t.send(s, r#"{"op":"node","id":5}"#, &[]);
    assert_keys(&node, NODE_ROW, "node");
    assert_eq!(
        (&node["name"], &node["distance"]),
        (&json!("(Internalized strings)"), &Value::Null)
    );
    let nodes = t.send(s, r#"{"op":"nodes","ids":[5,7]}"#, &[]);
    let ids: Vec<Value> = rows(&nodes).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, [json!(5), json!(7)]);
    for id in [1, 3, 5, 7, 9] {
        let row = ask(s, json!({"op": "node", "id": id}));
        assert_eq!(row["distance"], Value::Null, "@{id}: {row}");
    }

    let edges = t.send(s, r#"{"op":"edges","id":5}"#, &[]);
    assert_keys(&edges, PAGE, "edges");
    assert_keys(&edges["rows"][0], EDGE_ROW, "an EdgeRow");
    let retainers = t.send(s, r#"{"op":"retainers","id":5}"#, &[]);
    assert_keys(&retainers, PAGE, "retainers");
    let path = t.send(s, r#"{"op":"retainingPath","id":5}"#, &[]);
    assert_keys(&path, "steps", "retainingPath");

    assert_eq!(
        t.send(s, r#"{"op":"ignoreRetainer","id":9}"#, &[]),
        json!({"ignored": [9]})
    );
    assert_eq!(
        t.send(s, r#"{"op":"unignoreRetainer","id":9}"#, &[]),
        json!({"ignored": []})
    );
    assert_eq!(
        t.send(s, r#"{"op":"clearIgnored"}"#, &[]),
        json!({"ignored": []})
    );

    let dominated = t.send(s, r#"{"op":"dominated","id":1}"#, &[]);
    assert_keys(&dominated, PAGE, "dominated");
    assert_keys(&dominated["rows"][0], NODE_ROW, "a dominated NodeRow");
    let chain = t.send(s, r#"{"op":"dominatorChain","id":5}"#, &[]);
    let chain = rows(&chain);
    assert_eq!(
        (&chain[0]["id"], &chain[chain.len() - 1]["id"]),
        (&json!(5), &json!(1)),
        "from the object up to the root"
    );

    let string = t.send(s, r#"{"op":"string","id":5,"offset":0,"limit":4096}"#, &[]);
    assert_eq!(
        string,
        json!({"id": 5, "length": 22, "offset": 0, "text": "(Internalized strings)"})
    );
    let stats = t.send(s, r#"{"op":"stats"}"#, &[]);
    assert_keys(&stats, "total v8heap native", "stats");
    assert_keys(
        &stats["v8heap"],
        "total code strings jsArrays system",
        "stats.v8heap",
    );
    assert_keys(&stats["native"], "total typedArrays", "stats.native");

    // The classic program was not recorded with allocation stacks
    // (tests/allocations.rs has snapshots that were).
    let allocations = t.send(s, r#"{"op":"allocations"}"#, &[]);
    assert_eq!(
        allocations,
        json!({"hasStacks": false, "functions": [], "timeline": []})
    );
    let callers = t.send(s, r#"{"op":"allocationCallers","function":3}"#, &[]);
    assert_eq!(callers, Value::Null);
    let stack = t.send(s, r#"{"op":"allocationStack","id":5}"#, &[]);
    assert_eq!(stack, json!({"frames": null}));

    let search = t.send(
        s,
        r#"{"op":"search","text":"leaky","matchCase":false}"#,
        &[],
    );
    assert_keys(&search, PAGE, "search");
    assert_keys(&search["rows"][0], NODE_ROW, "a found NodeRow");

    let strings = t.send(s, r#"{"op":"duplicateStrings"}"#, &[]);
    assert_keys(&strings, PAGE, "duplicateStrings");
    assert_keys(
        &strings["rows"][0],
        "value copies bytesPerCopy wastedBytes totalSize retainedSize copyIds holders",
        "a duplicated string",
    );
    assert_keys(
        &strings["rows"][0]["holders"][0],
        "className edgeName copies",
        "a holder",
    );
    let closures = t.send(s, r#"{"op":"closures"}"#, &[]);
    assert_keys(&closures, PAGE, "closures");
    // `deadSize`, `deadHeldSize` and a variable's `dead` come from V8's scope
    // tables, which this node does not write: the table's example has them,
    // these rows leave them out.
    assert_keys(
        &closures["rows"][0],
        "context heldSize ownSize functions functionCount variables variableCount",
        "a context",
    );
    assert_keys(
        &closures["rows"][0]["variables"][0],
        "name value heldOnlyHere",
        "a captured variable",
    );

    // A Comparison asked before its base was sent names what to send.
    let error = ask_error(s, json!({"op": "compare", "base": "base1"}));
    assert!(error.contains("useDiffBase"), "{error}");
    let interfaces = t.send(s, r#"{"op":"interfaceDefinitions"}"#, &[]);
    assert_keys(&interfaces[0], "name properties count", "an interface");
    let diff_base = t.send(
        &mut base,
        r#"{"op":"diffBase","interfaces":[…]}"#,
        &[("[…]", &interfaces)],
    );
    let classes = diff_base["classes"].as_object().expect("classes");
    assert_keys(
        &classes[key.as_str().expect("a key")],
        "name ids sizes",
        "a base class",
    );
    assert_eq!(
        t.send(
            s,
            r#"{"op":"useDiffBase","name":"base1","base":{…}}"#,
            &[("{…}", &diff_base)]
        ),
        json!({})
    );
    let compare = t.send(
        s,
        r#"{"op":"compare","base":"base1","sortBy":"addedSize"}"#,
        &[],
    );
    assert_keys(&compare, PAGE, "compare");
    assert_keys(
        &compare["rows"][0],
        "key name newCount deletedCount deltaCount addedSize freedSize sizeDelta",
        "a Comparison row",
    );
    let changes = t.send(
        s,
        r#"{"op":"compareInstances","base":"base1","classKey":",SimpleClass"}"#,
        &[(r#"",SimpleClass""#, &key)],
    );
    assert_eq!(changes["total"], json!(2000), "rounds 2 and 3 are new");
    assert_keys(
        &changes["rows"][0],
        "status id name selfSize",
        "a changed object",
    );

    let facts = json!([
        t.send(&mut base, r#"{"op":"facts","name":"1.heapsnapshot"}"#, &[]),
        ask(
            &mut middle,
            json!({"op": "facts", "name": "2.heapsnapshot"})
        ),
        ask(s, json!({"op": "facts", "name": "3.heapsnapshot"})),
    ]);
    let report = t.send(s, r#"{"op":"leaks","facts":[…]}"#, &[("[…]", &facts)]);
    assert_keys(
        &report,
        "groups warnings idRange totals snapshots",
        "the leak report",
    );
    let document = t.send(
        s,
        r#"{"op":"leakDocument","facts":[…],"format":"html","files":[{"name":"3.heapsnapshot","bytes":1234}]}"#,
        &[("[…]", &facts)],
    );
    assert_keys(&document, "mediaType text", "a leak document");
    let html = document["text"].as_str().unwrap();
    assert!(html.contains("<bdi>SimpleClass</bdi> \u{d7}1000"), "{html}");
    assert!(
        html.contains("<td><bdi>3.heapsnapshot</bdi></td><td class=\"n\">1.2 kB</td>"),
        "{html}"
    );
    let group = &report["groups"][0];
    assert_keys(
        group,
        "name count selfSize retainedSize growsEveryInterval counts path members programClass location holders why",
        "a leak group",
    );
    assert_eq!(
        (&group["name"], &group["count"]),
        (&json!("SimpleClass"), &json!(1000))
    );
    assert_keys(&group["path"][1], "node edge edgeType id", "a path step");
    assert_keys(
        &group["location"],
        "scriptId script line column",
        "a location",
    );

    let realms = t.send(s, r#"{"op":"realms"}"#, &[]);
    assert_keys(&realms, "realms shared unattributed totalSize", "realms");
    let realm = &realms["realms"][0];
    assert_keys(
        realm,
        "id nodeName name filterName selfSize retainedSize attributed",
        "a realm",
    );
    assert_keys(
        &realm["attributed"],
        "count size code strings jsArrays system native other",
        "a realm's objects",
    );
    let realm_rows = t.send(
        s,
        r#"{"op":"realmSummary","filter":"nativeContext_21168"}"#,
        &[(r#""nativeContext_21168""#, &realm["filterName"])],
    );
    assert_keys(&realm_rows, PAGE, "realmSummary");
    let censuses = json!([
        t.send(&mut base, r#"{"op":"census"}"#, &[]),
        ask(&mut middle, json!({"op": "census"})),
        ask(s, json!({"op": "census"})),
    ]);
    assert_keys(&censuses[0], "entries", "a census");
    let grown = t.send(
        s,
        r#"{"op":"growingCollections","censuses":[…]}"#,
        &[("[…]", &censuses)],
    );
    let leaky = &grown[0];
    assert_keys(
        leaky,
        "id kind className heldAs counts growth perInterval detachedDom selfSize retainedSize path",
        "a growing collection",
    );
    // classic-leak.cjs pushes 1,000 SimpleClass objects a round into `leakyData`.
    assert_eq!(
        (&leaky["heldAs"], &leaky["counts"]),
        (&json!("leakyData"), &json!([1000, 2000, 3000]))
    );
    let graph = t.send(
        s,
        r#"{"op":"retainerGraph","id":5,"maxDepth":50,"maxNodes":5000,"maxSiblings":25,"expanded":[9],"svg":true}"#,
        &[],
    );
    assert_keys(&graph, "graph svg", "retainerGraph");
    assert_keys(
        &graph["graph"],
        "nodes edges columns rows limitsReached",
        "a retainer graph",
    );
    assert_keys(
        &graph["graph"]["nodes"][0],
        "id name className nodeType distance selfSize retainedSize x y root hiddenRetainers",
        "a graph node",
    );
    assert_keys(
        &graph["graph"]["edges"][0],
        "from to name edgeType",
        "a graph edge",
    );

    assert_eq!(
        t.ops.len(),
        VARIANTS,
        "only these have an example: {:?}",
        t.ops
    );
}
