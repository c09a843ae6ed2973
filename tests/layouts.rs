//! Layout variants V8 has shipped or may ship: fields are found by name, so
//! dropping `detachedness` or `trace_node_id`, reordering node fields, adding
//! `script_object_index` to locations, `extra_native_bytes`, or the newest
//! scope sections changes nothing but what those fields mean.

mod common;

use common::{generate, parse_chunked, ODD_CHUNK};
use heaplens::analysis::HeapSnapshot;
use heaplens::query::{ClassRow, Order, Scope, Session, SortBy};
use serde_json::{json, Value};

/// A real snapshot as JSON, parsed once.
fn real() -> Value {
    let files = generate("classic-leak", 1);
    serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap()
}

/// The snapshot as text with its sections in V8's order (the parser, like
/// DevTools, needs the header first; serde_json's maps sort their keys).
fn v8_text(v: &Value) -> String {
    let order = [
        "snapshot",
        "nodes",
        "edges",
        "trace_function_infos",
        "trace_tree",
        "samples",
        "locations",
    ];
    let mut parts: Vec<String> = order
        .iter()
        .filter(|k| v.get(**k).is_some())
        .map(|k| format!("{:?}:{}", k, v[*k]))
        .collect();
    parts.push(format!("\"strings\":{}", v["strings"]));
    format!("{{{}}}", parts.join(",\n"))
}

fn analyse(snapshot: &Value) -> Session {
    let bytes = v8_text(snapshot).into_bytes();
    let graph = parse_chunked(&bytes, ODD_CHUNK).expect("the variant parses");
    Session::new(HeapSnapshot::analyze(graph, &mut |_| {}))
}

fn summary(s: &mut Session) -> Vec<ClassRow> {
    s.classes(Scope::default(), "", Order::largest(SortBy::RetainedSize))
}

/// Rewrites every row of `section` (rows of `width` values) with `f`.
fn rewrite_rows(v: &mut Value, section: &str, width: usize, f: impl Fn(&[Value]) -> Vec<Value>) {
    let values = v[section].as_array().unwrap().clone();
    v[section] = Value::Array(values.chunks(width).flat_map(f).collect());
}

fn node_fields(v: &Value) -> Vec<String> {
    serde_json::from_value(v["snapshot"]["meta"]["node_fields"].clone()).unwrap()
}

/// Drops node field `name` from the meta and from every row.
fn without_node_field(mut v: Value, name: &str) -> Value {
    let fields = node_fields(&v);
    let at = fields.iter().position(|f| f == name).unwrap();
    let width = fields.len();
    let meta = &mut v["snapshot"]["meta"];
    meta["node_fields"].as_array_mut().unwrap().remove(at);
    meta["node_types"].as_array_mut().unwrap().remove(at);
    rewrite_rows(&mut v, "nodes", width, |row| {
        let mut row = row.to_vec();
        row.remove(at);
        row
    });
    // Edges point at node index = ordinal × field count: rescale them.
    let to = 2;
    rewrite_rows(&mut v, "edges", 3, |row| {
        let mut row = row.to_vec();
        let ordinal = row[to].as_u64().unwrap() / width as u64;
        row[to] = json!(ordinal * (width as u64 - 1));
        row
    });
    let loc_width = v["snapshot"]["meta"]["location_fields"]
        .as_array()
        .unwrap()
        .len();
    rewrite_rows(&mut v, "locations", loc_width, |row| {
        let mut row = row.to_vec();
        row[0] = json!(row[0].as_u64().unwrap() / width as u64 * (width as u64 - 1));
        row
    });
    v
}

#[test]
fn snapshots_without_trace_node_id_give_the_same_summary() {
    let original = real();
    let expected = summary(&mut analyse(&original));
    assert!(expected
        .iter()
        .any(|r| r.name == "SimpleClass" && r.count == 1000));
    let variant = without_node_field(original, "trace_node_id");
    assert_eq!(node_fields(&variant).len(), 6);
    assert_eq!(summary(&mut analyse(&variant)), expected);
}

#[test]
fn snapshots_without_detachedness_read_as_if_every_state_were_unknown() {
    // Node marks some embedder objects detached, and DevTools renames them
    // `Detached …`; with no detachedness field there is nothing to rename.
    let mut original = real();
    let fields = node_fields(&original);
    let at = fields.iter().position(|f| f == "detachedness").unwrap();
    let with_renames = summary(&mut analyse(&original));
    assert!(with_renames.iter().any(|r| r.name.starts_with("Detached ")));
    rewrite_rows(&mut original, "nodes", fields.len(), |row| {
        let mut row = row.to_vec();
        row[at] = json!(0);
        row
    });
    let expected = summary(&mut analyse(&original));
    assert!(expected.iter().all(|r| !r.name.starts_with("Detached ")));
    let variant = without_node_field(original, "detachedness");
    assert_eq!(summary(&mut analyse(&variant)), expected);
}

#[test]
fn node_fields_in_another_order_give_the_same_summary() {
    let mut v = real();
    let fields = node_fields(&v);
    let width = fields.len();
    // Swap `id` and `self_size` everywhere.
    let (a, b) = (
        fields.iter().position(|f| f == "id").unwrap(),
        fields.iter().position(|f| f == "self_size").unwrap(),
    );
    let expected = summary(&mut analyse(&v));
    let meta = &mut v["snapshot"]["meta"];
    meta["node_fields"].as_array_mut().unwrap().swap(a, b);
    meta["node_types"].as_array_mut().unwrap().swap(a, b);
    rewrite_rows(&mut v, "nodes", width, |row| {
        let mut row = row.to_vec();
        row.swap(a, b);
        row
    });
    assert_eq!(summary(&mut analyse(&v)), expected);
}

#[test]
fn script_object_index_in_locations_keeps_location_class_keys() {
    let mut v = real();
    let expected = summary(&mut analyse(&v));
    let simple = expected.iter().find(|r| r.name == "SimpleClass").unwrap();
    assert!(
        !simple.key.starts_with(','),
        "SimpleClass is keyed by its location: {}",
        simple.key
    );
    let meta = &mut v["snapshot"]["meta"];
    meta["location_fields"] = json!([
        "object_index",
        "script_id",
        "script_object_index",
        "line",
        "column"
    ]);
    rewrite_rows(&mut v, "locations", 4, |row| {
        vec![
            row[0].clone(),
            row[1].clone(),
            json!(0),
            row[2].clone(),
            row[3].clone(),
        ]
    });
    assert_eq!(summary(&mut analyse(&v)), expected);
}

#[test]
fn extra_native_bytes_add_to_the_total_and_to_native_statistics() {
    let mut v = real();
    let before = analyse(&v);
    let (total, native) = (before.info().total_size, before.stats().native.total);
    v["snapshot"]["extra_native_bytes"] = json!(123456);
    let after = analyse(&v);
    assert_eq!(after.info().total_size, total + 123456);
    assert_eq!(after.stats().native.total, native + 123456);
    assert_eq!(after.stats().extra_native_bytes, 123456);
}

#[test]
fn newest_scope_sections_are_skipped() {
    let v = real();
    let expected = summary(&mut analyse(&v));
    // Insert the 2026 scope sections (with their metas) before "strings".
    let mut text = v8_text(&v);
    let at = text.find("\"strings\":").unwrap();
    text.insert_str(
        at,
        "\"scopes\":[1,2,3,4,5],\"scope_context_vars\":[7],\"scope_uses\":[[1],{\"x\":\"]\"}],",
    );
    let graph = parse_chunked(text.as_bytes(), ODD_CHUNK).expect("scope sections are skipped");
    let mut s = Session::new(HeapSnapshot::analyze(graph, &mut |_| {}));
    assert_eq!(summary(&mut s), expected);
}
