//! The Summary's named filters, as today's DevTools worker computes them
//! (`createNamedFilter` in `HeapSnapshot.ts`): each gives the set of nodes
//! that pass. Most are "only reachable through X": a breadth-first walk from
//! the root over non-weak edges that refuses to enter X; what it misses,
//! and the ordinary distances reach, passes.

use super::distances::NO_DISTANCE;
use super::duplicates::duplicate_strings;
use super::retainers::BitSet;
use super::HeapSnapshot;
use crate::snapshot::Graph;
use serde::{Deserialize, Serialize};

/// A named filter of the Summary's filter list; serialized with DevTools'
/// own `filterName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NamedFilter {
    /// Strings whose text another string node also holds.
    #[serde(rename = "duplicatedStrings")]
    DuplicatedStrings,
    /// Objects only reachable through detached DOM nodes.
    #[serde(rename = "objectsRetainedByDetachedDomNodes")]
    DetachedDom,
    /// Objects only reachable through closure contexts.
    #[serde(rename = "objectsRetainedByContexts")]
    Contexts,
    /// Objects only reachable through the DevTools console's globals.
    #[serde(rename = "objectsRetainedByConsole")]
    Console,
    /// Objects only reachable through event handler functions.
    #[serde(rename = "objectsRetainedByEventHandlers")]
    EventHandlers,
}

impl NamedFilter {
    /// Every named filter, in the order of DevTools' drop-down.
    pub const ALL: [NamedFilter; 5] = [
        NamedFilter::DuplicatedStrings,
        NamedFilter::DetachedDom,
        NamedFilter::Contexts,
        NamedFilter::Console,
        NamedFilter::EventHandlers,
    ];

    /// The name on the command line (`--filter detached-dom`).
    pub fn cli_name(self) -> &'static str {
        match self {
            NamedFilter::DuplicatedStrings => "duplicated-strings",
            NamedFilter::DetachedDom => "detached-dom",
            NamedFilter::Contexts => "contexts",
            NamedFilter::Console => "console",
            NamedFilter::EventHandlers => "event-handlers",
        }
    }

    /// The filter named `name` on the command line.
    pub fn from_cli_name(name: &str) -> Option<NamedFilter> {
        NamedFilter::ALL.into_iter().find(|f| f.cli_name() == name)
    }

    /// DevTools' title for it in the filter list.
    pub fn title(self) -> &'static str {
        match self {
            NamedFilter::DuplicatedStrings => "Duplicated strings",
            NamedFilter::DetachedDom => "Objects retained by detached DOM nodes",
            NamedFilter::Contexts => "Objects retained by contexts",
            NamedFilter::Console => "Objects retained by DevTools Console",
            NamedFilter::EventHandlers => "Objects retained by event handlers",
        }
    }
}

/// The nodes passing `filter`.
pub fn passing(s: &HeapSnapshot, filter: NamedFilter) -> BitSet {
    match filter {
        NamedFilter::DuplicatedStrings => duplicated_strings(s),
        NamedFilter::DetachedDom => retained_by_detached_dom(s),
        NamedFilter::Contexts => retained_by_contexts(s),
        NamedFilter::Console => retained_by_console(s),
        NamedFilter::EventHandlers => retained_by_event_handlers(s),
    }
}

/// "Duplicated strings": every member of a group of equal strings.
pub fn duplicated_strings(s: &HeapSnapshot) -> BitSet {
    let mut pass = BitSet::new(s.graph.node_count());
    for &n in &duplicate_strings(s).members {
        pass.set(n as usize);
    }
    pass
}

/// "Objects retained by detached DOM nodes": never enters a detached node.
pub fn retained_by_detached_dom(s: &HeapSnapshot) -> BitSet {
    let g = &s.graph;
    // Without the `detachedness` field DevTools takes a `Detached ` name as the mark.
    let detached = |n: usize| match g.meta.has_detachedness() {
        true => g.detachedness.get(n) == Some(&super::detached::DETACHED),
        false => super::flags::is_detached_dom(g, n),
    };
    only_reachable_through(s, |_, e| !detached(g.edge_to[e] as usize))
}

/// "Objects retained by contexts": never enters a `system / Context`.
pub fn retained_by_contexts(s: &HeapSnapshot) -> BitSet {
    let g = &s.graph;
    only_reachable_through(s, |_, e| !is_context(g, g.edge_to[e] as usize))
}

/// V8's closure contexts (`system / Context`, `system / Context / <name>`).
pub fn is_context(g: &Graph, n: usize) -> bool {
    let name = g.name(n);
    name == "system / Context" || name.starts_with("system / Context / ")
}

/// "Objects retained by DevTools Console": never follows the edges a
/// synthetic node names `… / DevTools console` (the console's globals:
/// `$0`, `$_`, logged objects while the Runtime domain is on).
pub fn retained_by_console(s: &HeapSnapshot) -> BitSet {
    let g = &s.graph;
    let synthetic = g.meta.node_kinds.synthetic;
    only_reachable_through(s, |from, e| {
        !(g.node_type[from] == synthetic
            && g.edge_name_str(e)
                .is_some_and(|name| name.ends_with(" / DevTools console")))
    })
}

/// "Objects retained by event handlers": never enters a handler function.
/// The handler of a `V8EventListener` is the target of its edge `1`
/// (`callback_object_`) when that has a `code` edge, else the first child
/// of it that has one (a framework's wrapper), else the target itself.
pub fn retained_by_event_handlers(s: &HeapSnapshot) -> BitSet {
    let g = &s.graph;
    // DevTools compares `edge.name()`, where element and hidden edges give their index.
    let target_named = |n: usize, name: &str| {
        g.edges(n)
            .find(|&e| match g.edge_name_str(e) {
                Some(text) => text == name,
                None => name.parse() == Ok(g.edge_name[e]),
            })
            .map(|e| g.edge_to[e] as usize)
    };
    let mut handler = BitSet::new(g.node_count());
    for n in 0..g.node_count() {
        if g.name(n) != "V8EventListener" {
            continue;
        }
        let Some(callback) = target_named(n, "1") else {
            continue;
        };
        let function = if target_named(callback, "code").is_some() {
            callback
        } else {
            g.edges(callback)
                .map(|e| g.edge_to[e] as usize)
                .find(|&child| target_named(child, "code").is_some())
                .unwrap_or(callback)
        };
        handler.set(function);
    }
    only_reachable_through(s, |_, e| !handler.get(g.edge_to[e] as usize))
}

/// Nodes the ordinary distances reach but a walk from the root over
/// non-weak edges that `follow(from, edge)` allows does not.
fn only_reachable_through(
    s: &HeapSnapshot,
    mut follow: impl FnMut(usize, usize) -> bool,
) -> BitSet {
    let g = &s.graph;
    let count = g.node_count();
    let weak = g.meta.edge_kinds.weak;
    let mut reached = BitSet::new(count);
    let mut queue: Vec<u32> = Vec::with_capacity(count);
    reached.set(g.root().index());
    queue.push(g.root().0);
    let mut i = 0;
    while i < queue.len() {
        let from = queue[i] as usize;
        i += 1;
        for e in g.edges(from) {
            let to = g.edge_to[e] as usize;
            if g.edge_type[e] == weak || reached.get(to) || !follow(from, e) {
                continue;
            }
            reached.set(to);
            queue.push(to as u32);
        }
    }
    drop(queue);
    let mut pass = BitSet::new(count);
    for n in 0..count {
        if !reached.get(n) && s.distances[n] != NO_DISTANCE {
            pass.set(n);
        }
    }
    pass
}
