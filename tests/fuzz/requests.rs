//! Random requests for the query-layer target, built as JSON the way the
//! page and the CLI send them: every `op`, ids and class keys mostly taken
//! from the loaded snapshot (so they reach real rows) and sometimes not,
//! offsets and limits on every edge (0, past the end, `usize::MAX`).

use super::rng::Rng;
use serde_json::{json, Map, Value};

/// What a request can name in the loaded snapshot.
pub struct Pools {
    /// Object ids of the snapshot's nodes.
    pub ids: Vec<u32>,
    /// Exported class keys (`",Object"`, `"3,10,4,Foo"`).
    pub keys: Vec<String>,
    /// Class names, for filters and searches.
    pub names: Vec<String>,
}

const SORTS: &[&str] = &[
    "name",
    "count",
    "distance",
    "selfSize",
    "retainedSize",
    "newCount",
    "deletedCount",
    "deltaCount",
    "addedSize",
    "freedSize",
    "sizeDelta",
];

const FILTERS: &[&str] = &[
    "duplicatedStrings",
    "objectsRetainedByDetachedDomNodes",
    "objectsRetainedByContexts",
    "objectsRetainedByConsole",
    "objectsRetainedByEventHandlers",
];

/// An `op` and the builder of its other fields.
type Op = (&'static str, fn(&mut Rng, &Pools, &mut Map<String, Value>));

/// Every `op`, each with the builder of its fields.
const OPS: &[Op] = &[
    ("info", |_, _, _| {}),
    ("stats", |_, _, _| {}),
    ("interfaceDefinitions", |_, _, _| {}),
    ("clearIgnored", |_, _, _| {}),
    ("summary", summary),
    ("instances", instances),
    ("duplicateStrings", paged),
    ("closures", paged),
    ("node", with_id),
    ("edges", with_id_paged),
    ("retainers", with_id_paged),
    ("retainingPath", with_id),
    ("ignoreRetainer", with_id),
    ("unignoreRetainer", with_id),
    ("dominated", with_id_paged),
    ("dominatorChain", with_id),
    ("string", with_id_paged),
    ("search", search),
    ("facts", |r, p, f| {
        f.insert("name".into(), text(r, p).into());
    }),
    ("leaks", leaks),
    ("nodes", |r, p, f| {
        let ids: Vec<Value> = (0..r.size(1 << 10)).map(|_| id(r, p)).collect();
        f.insert("ids".into(), ids.into());
    }),
    ("diffBase", diff_base),
    ("useDiffBase", |r, p, f| {
        f.insert("name".into(), base_name(r, p).into());
        f.insert("base".into(), base(r, p));
    }),
    ("compare", compare),
    ("compareInstances", compare_instances),
];

/// A request with a random `op` (now and then one that does not exist or
/// a field of the wrong type, which must be a deserialisation error).
pub fn request(rng: &mut Rng, pools: &Pools) -> Value {
    let mut fields = with_op(rng.pick(OPS), rng, pools);
    if rng.one_in(40) {
        let key = rng
            .pick(&["id", "offset", "limit", "op", "sortBy", "classKey"])
            .to_string();
        let junk = [json!(null), json!(-1), json!("x"), json!(1.5), json!([])];
        fields.insert(key, rng.pick(&junk).clone());
    }
    Value::Object(fields)
}

/// One request of every `op`, in [`OPS`]'s order.
pub fn each_op(rng: &mut Rng, pools: &Pools) -> Vec<Value> {
    OPS.iter()
        .map(|op| Value::Object(with_op(op, rng, pools)))
        .collect()
}

/// The fields of one request of `op`.
fn with_op(op: &Op, rng: &mut Rng, pools: &Pools) -> Map<String, Value> {
    let (name, build) = op;
    let mut fields = Map::new();
    fields.insert("op".into(), (*name).into());
    build(rng, pools, &mut fields);
    fields
}

/// An offset or limit: usually small, sometimes at or past every end.
fn count(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(0),
        1 => json!(usize::MAX),
        2 => json!(u32::MAX),
        3 => json!(rng.next() >> rng.below(64)),
        _ => json!(rng.size(1 << 12)),
    }
}

fn id(rng: &mut Rng, pools: &Pools) -> Value {
    match rng.below(10) {
        0 => json!(rng.next() as u32),
        1 => json!(rng.pick(&[0u32, 1, 2, u32::MAX, u32::MAX - 1])),
        _ if pools.ids.is_empty() => json!(1),
        _ => json!(rng.pick(&pools.ids)),
    }
}

fn key(rng: &mut Rng, pools: &Pools) -> String {
    if pools.keys.is_empty() || rng.one_in(8) {
        return text(rng, pools);
    }
    rng.pick(&pools.keys).clone()
}

fn text(rng: &mut Rng, pools: &Pools) -> String {
    match rng.below(6) {
        0 => String::new(),
        1 => "\u{202e}\u{1b}[2K\u{0}".into(),
        2 => "a".repeat(rng.size(1 << 16)),
        _ if pools.names.is_empty() => "Object".into(),
        _ => {
            let name = rng.pick(&pools.names);
            let end = name
                .char_indices()
                .map(|(i, _)| i)
                .nth(rng.size(8))
                .unwrap_or(name.len());
            name[..end].to_owned()
        }
    }
}

fn paged(rng: &mut Rng, _: &Pools, f: &mut Map<String, Value>) {
    if !rng.one_in(4) {
        f.insert("offset".into(), count(rng));
    }
    if !rng.one_in(4) {
        f.insert("limit".into(), count(rng));
    }
}

fn with_id(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    f.insert("id".into(), id(rng, pools));
}

fn with_id_paged(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    with_id(rng, pools, f);
    paged(rng, pools, f);
}

fn sorted(rng: &mut Rng, f: &mut Map<String, Value>) {
    f.insert("sortBy".into(), (*rng.pick(SORTS)).into());
    f.insert("ascending".into(), (rng.next() & 1 == 1).into());
}

fn ranged(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    if rng.one_in(3) {
        let (a, b) = (id(rng, pools), id(rng, pools));
        f.insert("idRange".into(), json!([a, b]));
    }
    if rng.one_in(3) {
        f.insert("filter".into(), (*rng.pick(FILTERS)).into());
    }
}

fn summary(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    sorted(rng, f);
    ranged(rng, pools, f);
    if rng.one_in(2) {
        f.insert("classFilter".into(), text(rng, pools).into());
    }
    paged(rng, pools, f);
}

fn instances(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    f.insert("classKey".into(), key(rng, pools).into());
    summary(rng, pools, f);
    f.remove("classFilter");
}

fn search(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    f.insert("text".into(), text(rng, pools).into());
    f.insert("matchCase".into(), (rng.next() & 1 == 1).into());
    paged(rng, pools, f);
}

fn facts(rng: &mut Rng, pools: &Pools) -> Value {
    let classes: Map<String, Value> = (0..rng.size(16))
        .map(|_| (text(rng, pools), json!(rng.next() >> rng.below(64))))
        .collect();
    let recent: Vec<Value> = (0..rng.size(300))
        .map(|_| json!([id(rng, pools), text(rng, pools), rng.below(1 << 16)]))
        .collect();
    json!({
        "name": text(rng, pools),
        "maxJsId": id(rng, pools),
        "classCounts": classes,
        "totalSize": rng.next() >> rng.below(64),
        "recent": recent,
    })
}

fn leaks(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    let series: Vec<Value> = (0..rng.size(6)).map(|_| facts(rng, pools)).collect();
    f.insert("facts".into(), series.into());
}

fn base(rng: &mut Rng, pools: &Pools) -> Value {
    let classes: Map<String, Value> = (0..rng.size(12))
        .map(|_| {
            let n = rng.size(64);
            let mut ids: Vec<Value> = (0..n).map(|_| id(rng, pools)).collect();
            if rng.one_in(2) {
                ids.sort_by_key(|v| v.as_u64());
            }
            // Sizes usually match ids one to one, sometimes not.
            let sizes: Vec<u32> = (0..n + rng.below(2))
                .map(|_| rng.next() as u32 >> rng.below(32))
                .collect();
            let name = text(rng, pools);
            (
                key(rng, pools),
                json!({ "name": name, "ids": ids, "sizes": sizes }),
            )
        })
        .collect();
    json!({ "classes": classes })
}

fn diff_base(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    let interfaces: Vec<Value> = (0..rng.size(8))
        .map(|_| {
            let props: Vec<String> = (0..rng.size(6)).map(|_| text(rng, pools)).collect();
            json!({ "name": text(rng, pools), "properties": props, "count": rng.size(100) })
        })
        .collect();
    f.insert("interfaces".into(), interfaces.into());
}

/// The name a diff base is kept under: mostly one of two, so a `compare`
/// often names a base a `useDiffBase` before it stored.
fn base_name(rng: &mut Rng, pools: &Pools) -> String {
    match rng.below(8) {
        0 => text(rng, pools),
        n => ["a", "b"][n % 2].to_owned(),
    }
}

fn compare(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    f.insert("base".into(), base_name(rng, pools).into());
    sorted(rng, f);
    f.insert("classFilter".into(), text(rng, pools).into());
    paged(rng, pools, f);
}

fn compare_instances(rng: &mut Rng, pools: &Pools, f: &mut Map<String, Value>) {
    f.insert("base".into(), base_name(rng, pools).into());
    f.insert("classKey".into(), key(rng, pools).into());
    paged(rng, pools, f);
}
