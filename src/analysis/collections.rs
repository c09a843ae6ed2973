//! Growing collections across a series of snapshots (memlab's
//! `unbound-collection` idea on heaplens' own matching by object id): the
//! `Map`s, `Set`s, `WeakMap`s, `WeakSet`s, arrays and plain objects used as
//! dictionaries whose entry count grew in every interval, most growth first,
//! with the path that keeps each alive.
//!
//! How entries are counted, from what V8 writes (values that are small
//! integers, and an array's unboxed doubles, are no heap objects and have
//! no edge, so they do not count):
//! - `Map`: its `table` (an `OrderedHashMap`) holds key, value and chain in
//!   three slots per entry; its numbered internal edges are the keys and
//!   values present, paired by slot (a key's value is the next slot).
//! - `Set`: key and chain per entry: one numbered internal edge per key.
//! - `WeakMap`, `WeakSet`: an `EphemeronHashTable` after a 3-slot prefix,
//!   key and value per entry: numbered weak edges paired by `(slot - 3) / 2`.
//! - arrays (`Array` objects): their `element` edges.
//! - dictionaries (objects named `Object`): their `property` edges but
//!   `__proto__`.

use super::flags::is_detached_dom;
use super::leaks::{path_steps, PathStep};
use super::paths::Parents;
use super::HeapSnapshot;
use crate::snapshot::Graph;
use serde::{Deserialize, Serialize};

/// A kind of collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// `Map`.
    Map,
    /// `Set`.
    Set,
    /// `WeakMap`.
    WeakMap,
    /// `WeakSet`.
    WeakSet,
    /// `Array`.
    Array,
    /// A plain object (`Object`) by its properties.
    Object,
}

/// The kind of collection node `n` is, if any.
fn kind_of(g: &Graph, n: usize) -> Option<Kind> {
    if g.node_type[n] != g.meta.node_kinds.object {
        return None;
    }
    let kind = match g.name(n) {
        "Map" => Kind::Map,
        "Set" => Kind::Set,
        "WeakMap" => Kind::WeakMap,
        "WeakSet" => Kind::WeakSet,
        "Array" => return Some(Kind::Array),
        "Object" => return Some(Kind::Object),
        _ => return None,
    };
    // The prototypes (`Map.prototype`, …) share the name but have no table.
    table(g, n).map(|_| kind)
}

/// The hash table of a keyed collection.
fn table(g: &Graph, n: usize) -> Option<usize> {
    g.edges(n)
        .find(|&e| {
            g.edge_type[e] == g.meta.edge_kinds.internal && g.edge_name_str(e) == Some("table")
        })
        .map(|e| g.edge_to[e] as usize)
}

/// The slot number a table's edge names (`"67"`), if it names one.
fn slot(g: &Graph, e: usize) -> Option<u32> {
    if g.edge_has_index(e) {
        return Some(g.edge_name[e]);
    }
    g.edge_name_str(e)?.parse().ok()
}

/// The entry edges of collection `n` of `kind`: (edge, entry number).
fn entry_edges(g: &Graph, n: usize, kind: Kind) -> Vec<(usize, u32)> {
    let ek = g.meta.edge_kinds;
    match kind {
        Kind::Array => g
            .edges(n)
            .filter(|&e| g.edge_type[e] == ek.element)
            .map(|e| (e, g.edge_name[e]))
            .collect(),
        Kind::Object => g
            .edges(n)
            .filter(|&e| g.edge_type[e] == ek.property && g.edge_name_str(e) != Some("__proto__"))
            .enumerate()
            .map(|(i, e)| (e, i as u32))
            .collect(),
        Kind::Map | Kind::Set | Kind::WeakMap | Kind::WeakSet => {
            let Some(t) = table(g, n) else {
                return Vec::new();
            };
            let wanted = match kind {
                Kind::WeakMap | Kind::WeakSet => ek.weak,
                _ => ek.internal,
            };
            let slots: Vec<(usize, u32)> = g
                .edges(t)
                .filter(|&e| g.edge_type[e] == wanted)
                .filter_map(|e| slot(g, e).map(|s| (e, s)))
                .collect();
            let entry = entry_numbering(kind, &slots);
            slots.into_iter().map(|(e, s)| (e, entry(s))).collect()
        }
    }
}

/// How a keyed collection's table slots map to entries.
fn entry_numbering(kind: Kind, slots: &[(usize, u32)]) -> Box<dyn Fn(u32) -> u32> {
    match kind {
        Kind::Set => Box::new(|s| s),
        Kind::WeakMap | Kind::WeakSet => Box::new(|s| s.saturating_sub(3) / 2),
        // Entries start after the bucket heads, whose number is not in the
        // snapshot: a key slot is where a run of two slots in a row starts
        // (the chain slot, a small integer, never has an edge), or any slot
        // when no entry has both key and value as heap objects.
        _ => {
            let mut sorted: Vec<u32> = slots.iter().map(|&(_, s)| s).collect();
            sorted.sort_unstable();
            let key_residue = sorted
                .iter()
                .find(|&&s| sorted.binary_search(&(s + 1)).is_ok())
                .map(|&s| s % 3);
            Box::new(move |s| match key_residue {
                Some(r) => (s + 3 - r) / 3,
                None => s,
            })
        }
    }
}

/// Entries of collection `n` and how many of them hold a detached DOM node.
fn entries(s: &HeapSnapshot, n: usize, kind: Kind) -> (u32, u32) {
    let g = &s.graph;
    let mut edges = entry_edges(g, n, kind);
    let detached = edges
        .iter()
        .filter(|&&(e, _)| is_detached_dom(g, g.edge_to[e] as usize))
        .count() as u32;
    if matches!(kind, Kind::Map | Kind::WeakMap | Kind::WeakSet) {
        // Key and value of one entry are two edges.
        edges.sort_unstable_by_key(|&(_, entry)| entry);
        edges.dedup_by_key(|&mut (_, entry)| entry);
    }
    (edges.len() as u32, detached)
}

/// The entry count of every collection of one snapshot, by object id: all a
/// series needs to keep of a snapshot but the last (the page's workers pass
/// it to the newest snapshot's worker: `{"entries": [[id, "Map", 50], …]}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Census {
    /// `(object id, kind, entries)`, sorted by id.
    entries: Vec<(u32, Kind, u32)>,
}

impl Census {
    /// Counts the entries of every collection of `s`.
    pub fn of(s: &HeapSnapshot) -> Census {
        let g = &s.graph;
        let mut entries: Vec<(u32, Kind, u32)> = (0..g.node_count())
            .filter_map(|n| {
                let kind = kind_of(g, n)?;
                Some((g.node_id[n], kind, entries(s, n, kind).0))
            })
            .collect();
        entries.sort_unstable_by_key(|&(id, _, _)| id);
        Census { entries }
    }

    /// The kind and entry count of collection `id`.
    fn get(&self, id: u32) -> Option<(Kind, u32)> {
        let at = self
            .entries
            .binary_search_by_key(&id, |&(id, _, _)| id)
            .ok()?;
        let (_, kind, count) = self.entries[at];
        Some((kind, count))
    }
}

/// A collection whose entry count grew in every interval.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrowingCollection {
    /// Object id.
    pub id: u32,
    /// What it is.
    pub kind: Kind,
    /// Its class in the Summary (`Map`, or a dictionary's `{a, b}` interface).
    pub class_name: String,
    /// The name that holds it at the end of its retaining path
    /// (`responseCache`); empty when nothing names it.
    pub held_as: String,
    /// Entry count in each snapshot, in capture order.
    pub counts: Vec<u32>,
    /// Entries gained from the first snapshot to the last.
    pub growth: u32,
    /// Entries gained in each interval.
    pub per_interval: Vec<u32>,
    /// Its entries in the last snapshot that are detached DOM nodes.
    pub detached_dom: u32,
    /// Shallow size in the last snapshot.
    pub self_size: u64,
    /// Retained size in the last snapshot.
    pub retained_size: u64,
    /// How the last snapshot keeps it alive, from a GC root.
    pub path: Vec<PathStep>,
}

/// The collections of `last` (whose census is the last of `series`, in
/// capture order) that are in every snapshot and grew in every interval:
/// most entries gained first, then largest retained size.
pub fn growing_collections(series: &[Census], last: &HeapSnapshot) -> Vec<GrowingCollection> {
    let g = &last.graph;
    let Some(final_census) = series.last() else {
        return Vec::new();
    };
    let mut found: Vec<(usize, Kind, Vec<u32>)> = Vec::new();
    for n in 0..g.node_count() {
        let id = g.node_id[n];
        let Some((kind, _)) = final_census.get(id) else {
            continue;
        };
        let counts: Option<Vec<u32>> = series
            .iter()
            .map(|c| {
                c.get(id)
                    .filter(|&(k, _)| k == kind)
                    .map(|(_, count)| count)
            })
            .collect();
        let Some(counts) = counts else {
            continue;
        };
        if series.len() >= 2 && counts.windows(2).all(|w| w[1] > w[0]) {
            found.push((n, kind, counts));
        }
    }
    if found.is_empty() {
        return Vec::new();
    }
    let parents = Parents::new(last, &last.distances, None);
    let mut out: Vec<GrowingCollection> = found
        .into_iter()
        .map(|(n, kind, counts)| {
            let path = path_steps(&parents, last, n);
            GrowingCollection {
                id: g.node_id[n],
                kind,
                class_name: last.classes.class_name(n).to_owned(),
                held_as: path
                    .last()
                    .map(|step| step.edge.clone())
                    .unwrap_or_default(),
                growth: counts[counts.len() - 1] - counts[0],
                per_interval: counts.windows(2).map(|w| w[1] - w[0]).collect(),
                detached_dom: entries(last, n, kind).1,
                counts,
                self_size: g.self_size[n] as u64,
                retained_size: last.dominators.retained.get(n),
                path,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.growth
            .cmp(&x.growth)
            .then(y.retained_size.cmp(&x.retained_size))
            .then(x.id.cmp(&y.id))
    });
    out
}
