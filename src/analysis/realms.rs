//! Realms: the native context (page, iframe, extension, Node `vm` context)
//! each object belongs to, as today's DevTools attributes it
//! (`calculateNativeContextAttribution` in `HeapSnapshot.ts`), and the
//! bytes of each realm, of the objects several realms share and of those no
//! realm reaches.
//!
//! An object is fixed to a realm when it is that `system / NativeContext`, or
//! when its map's map (V8's meta map, one per native context) has an internal
//! `native_context` edge to one. Fixed owners then spread breadth-first along
//! every edge but `shortcut` and `weak` ones to the objects not fixed: a
//! first owner sticks, a second different one makes the object shared, and
//! shared spreads on as shared.

use super::retainers::BitSet;
use super::HeapSnapshot;
use crate::snapshot::strings::bounded;
use crate::snapshot::Graph;
use serde::Serialize;

/// Owner of an object no native context reaches (DevTools' `NO_NATIVE_CONTEXT`).
pub const NO_REALM: i32 = -1;
/// Owner of an object two or more native contexts reach (`SHARED_NATIVE_CONTEXT`).
pub const SHARED: i32 = -2;

/// The owner of every node: a native context's node ordinal, [`NO_REALM`]
/// or [`SHARED`].
#[derive(Debug, Clone)]
pub struct Attribution {
    /// Owner per node ordinal.
    pub owner: Vec<i32>,
    /// The native contexts, in node order.
    pub contexts: Vec<u32>,
}

/// DevTools' test for a native context, on the name after detached DOM
/// nodes were renamed.
pub fn is_native_context(g: &Graph, n: usize) -> bool {
    let name = g.name(n);
    let name = name.strip_prefix("Detached ").unwrap_or(name);
    name == "system / NativeContext" || name.starts_with("system / NativeContext / ")
}

/// The first index of `text` in the string table: DevTools compares edge
/// names with `strings.indexOf(text)`, so a later copy of the same text
/// does not count.
fn first_string_index(g: &Graph, text: &str) -> Option<u32> {
    (0..g.strings.len() as u32).find(|&i| g.strings.get(i) == text)
}

/// Attributes every node to its native context.
pub fn attribute(g: &Graph) -> Attribution {
    let count = g.node_count();
    let internal = g.meta.edge_kinds.internal;
    let native_context_name = first_string_index(g, "native_context");
    let map_name = first_string_index(g, "map");
    // The first internal `map` edge of each node, and the first internal
    // `native_context` edge that ends at a native context.
    let mut map = vec![u32::MAX; count];
    let mut context_of = vec![u32::MAX; count];
    for n in 0..count {
        for e in g.edges(n) {
            if g.edge_type[e] != internal {
                continue;
            }
            let (name, to) = (Some(g.edge_name[e]), g.edge_to[e]);
            if name == native_context_name
                && context_of[n] == u32::MAX
                && is_native_context(g, to as usize)
            {
                context_of[n] = to;
            } else if name == map_name && map[n] == u32::MAX {
                map[n] = to;
            }
        }
    }
    let mut owner = vec![NO_REALM; count];
    let mut fixed = BitSet::new(count);
    let mut contexts = Vec::new();
    for n in 0..count {
        if is_native_context(g, n) {
            contexts.push(n as u32);
            owner[n] = n as i32;
        } else {
            let meta_map = map.get(map[n] as usize).copied().unwrap_or(u32::MAX);
            match context_of.get(meta_map as usize) {
                Some(&c) if c != u32::MAX => owner[n] = c as i32,
                _ => continue,
            }
        }
        fixed.set(n);
    }
    drop((map, context_of));
    spread(g, &mut owner, &fixed);
    Attribution { owner, contexts }
}

/// DevTools' `propagateNativeContextAttribution`: a queue seeded with the
/// fixed nodes in node order; a node whose owner changes is queued again.
fn spread(g: &Graph, owner: &mut [i32], fixed: &BitSet) {
    let (shortcut, weak) = (g.meta.edge_kinds.shortcut, g.meta.edge_kinds.weak);
    let mut queue: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&n| fixed.get(n as usize))
        .collect();
    let mut i = 0;
    while i < queue.len() {
        let n = queue[i] as usize;
        i += 1;
        let current = owner[n];
        for e in g.edges(n) {
            let t = g.edge_type[e];
            let to = g.edge_to[e] as usize;
            if t == shortcut || t == weak || to == n || fixed.get(to) {
                continue;
            }
            let merged = match (owner[to], current) {
                (SHARED, _) | (_, SHARED) => SHARED,
                (NO_REALM, incoming) => incoming,
                (was, incoming) if was == incoming => was,
                _ => SHARED,
            };
            if merged != owner[to] {
                owner[to] = merged;
                queue.push(to as u32);
            }
        }
    }
}

/// Which objects a realm filter of the Summary keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealmFilter {
    /// "Native context <url>@<id>": objects attributed to the native
    /// context at this node ordinal.
    Context(u32),
    /// "Objects shared between native contexts".
    Shared,
    /// "Objects not attributed to a native context".
    Unattributed,
}

impl RealmFilter {
    /// The owner value ([`Attribution::owner`]) this filter keeps.
    pub fn owner(self) -> i32 {
        match self {
            RealmFilter::Context(n) => n as i32,
            RealmFilter::Shared => SHARED,
            RealmFilter::Unattributed => NO_REALM,
        }
    }

    /// DevTools' `filterName`: `nativeContext_<node index>` (the node's
    /// offset in the file's `nodes` array), `sharedNativeContext`,
    /// `noNativeContext`.
    pub fn devtools_name(self, g: &Graph) -> String {
        match self {
            RealmFilter::Context(n) => {
                format!("nativeContext_{}", n as usize * g.meta.node_fields.len())
            }
            RealmFilter::Shared => "sharedNativeContext".to_owned(),
            RealmFilter::Unattributed => "noNativeContext".to_owned(),
        }
    }

    /// The filter DevTools names `name` ([`RealmFilter::devtools_name`]).
    pub fn from_devtools_name(g: &Graph, a: &Attribution, name: &str) -> Option<RealmFilter> {
        match name {
            "sharedNativeContext" => Some(RealmFilter::Shared),
            "noNativeContext" => Some(RealmFilter::Unattributed),
            _ => {
                let index: usize = name.strip_prefix("nativeContext_")?.parse().ok()?;
                let fields = g.meta.node_fields.len();
                let n = index.is_multiple_of(fields).then_some(index / fields)? as u32;
                a.contexts.contains(&n).then_some(RealmFilter::Context(n))
            }
        }
    }

    /// The filter a user names: `@<id>` of a native context, `shared` or `none`.
    pub fn parse(s: &HeapSnapshot, a: &Attribution, text: &str) -> Option<RealmFilter> {
        match text {
            "shared" => Some(RealmFilter::Shared),
            "none" => Some(RealmFilter::Unattributed),
            _ => {
                let id = text.strip_prefix('@').unwrap_or(text).parse().ok()?;
                let n = s.node_by_id(crate::snapshot::NodeId(id))? as u32;
                a.contexts.contains(&n).then_some(RealmFilter::Context(n))
            }
        }
    }
}

/// Objects and their bytes, by kind: the Statistics view's buckets for the
/// objects of one realm (or of the shared or unattributed part).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RealmStats {
    /// Objects with a non-zero shallow size.
    pub count: u64,
    /// Their shallow sizes (DevTools' `attributedSize` for a realm).
    pub size: u64,
    /// `code` nodes.
    pub code: u64,
    /// All string kinds.
    pub strings: u64,
    /// Nodes named `Array`.
    pub js_arrays: u64,
    /// `hidden` nodes.
    pub system: u64,
    /// `native` nodes (DOM, typed array stores).
    pub native: u64,
    /// Everything else: the other JavaScript objects.
    pub other: u64,
}

impl RealmStats {
    fn add(&mut self, g: &Graph, n: usize) {
        let size = g.self_size[n] as u64;
        if size == 0 {
            return;
        }
        let k = g.meta.node_kinds;
        let t = g.node_type[n];
        self.count += 1;
        self.size += size;
        *if t == k.code {
            &mut self.code
        } else if t == k.string || t == k.cons_string || t == k.sliced_string {
            &mut self.strings
        } else if t == k.hidden {
            &mut self.system
        } else if t == k.native {
            &mut self.native
        } else if g.name(n) == "Array" {
            &mut self.js_arrays
        } else {
            &mut self.other
        } += size;
    }
}

/// One native context and what is attributed to it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Realm {
    /// Object id of the `system / NativeContext` node.
    pub id: u32,
    /// Its node name, bounded.
    pub node_name: String,
    /// What tells it apart, as DevTools' filter list shows it: the name
    /// without `system / NativeContext / ` (usually the URL); may be empty.
    pub name: String,
    /// DevTools' `filterName` for its Summary filter.
    pub filter_name: String,
    /// Shallow size of the native context itself.
    pub self_size: u64,
    /// Retained size of the native context itself.
    pub retained_size: u64,
    /// The objects attributed to it.
    pub attributed: RealmStats,
}

/// Every realm of a snapshot, largest first, and the rest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Realms {
    /// Native contexts by attributed size, largest first (DevTools' order;
    /// ties in node order).
    pub realms: Vec<Realm>,
    /// Objects two or more realms reach.
    pub shared: RealmStats,
    /// Objects no realm reaches.
    pub unattributed: RealmStats,
    /// The total size, for percentages.
    pub total_size: u64,
}

/// Sizes per realm (DevTools' `calculateNativeContextSizes`, with counts
/// and the Statistics buckets besides).
pub fn realms(s: &HeapSnapshot, a: &Attribution) -> Realms {
    let g = &s.graph;
    let mut per_context = vec![RealmStats::default(); a.contexts.len()];
    let mut shared = RealmStats::default();
    let mut unattributed = RealmStats::default();
    for (n, &owner) in a.owner.iter().enumerate() {
        let stats = match owner {
            SHARED => &mut shared,
            NO_REALM => &mut unattributed,
            // Contexts are in node order.
            o => match a.contexts.binary_search(&(o as u32)) {
                Ok(i) => &mut per_context[i],
                Err(_) => continue,
            },
        };
        stats.add(g, n);
    }
    let mut realms: Vec<Realm> = a
        .contexts
        .iter()
        .zip(per_context)
        .map(|(&n, attributed)| {
            let n = n as usize;
            let node_name = bounded(g.name(n)).0.into_owned();
            Realm {
                id: g.node_id[n],
                name: realm_label(&node_name).to_owned(),
                node_name,
                filter_name: RealmFilter::Context(n as u32).devtools_name(g),
                self_size: g.self_size[n] as u64,
                retained_size: s.dominators.retained.get(n),
                attributed,
            }
        })
        .collect();
    realms.sort_by_key(|r| std::cmp::Reverse(r.attributed.size));
    Realms {
        realms,
        shared,
        unattributed,
        total_size: s.total_size(),
    }
}

/// The part of a native context's name DevTools' filter list shows.
pub fn realm_label(node_name: &str) -> &str {
    let name = node_name.strip_prefix("Detached ").unwrap_or(node_name);
    name.strip_prefix("system / NativeContext / ")
        .or_else(|| name.strip_prefix("system / NativeContext"))
        .unwrap_or(name)
}
