//! The analyses, one module each, and [`HeapSnapshot`]: a parsed graph plus
//! everything DevTools derives from it, computed once in DevTools' order.

pub mod allocations;
pub mod classes;
pub mod closures;
pub mod collections;
pub mod contexts;
pub mod detached;
pub mod diff;
pub mod distances;
pub mod dominators;
pub mod duplicates;
pub mod fasthash;
pub mod filters;
pub mod flags;
pub mod leaks;
pub mod names;
pub mod paths;
pub mod process;
pub mod realms;
pub mod retainer_graph;
pub mod retainers;
pub mod scripts;
pub mod search;
pub mod sizes;
pub mod stats;
pub mod summary;
pub mod weakmap;

use crate::snapshot::{Graph, NodeId};
use classes::Classes;
use dominators::Dominators;
use retainers::Retainers;
use std::cell::OnceCell;
use weakmap::EphemeronNames;

/// A fully analysed snapshot.
pub struct HeapSnapshot {
    /// The graph (names of detached DOM nodes and shallow sizes already
    /// adjusted as DevTools does).
    pub graph: Graph,
    /// Distance per node ([`distances::NO_DISTANCE`] when unreachable).
    pub distances: Vec<i32>,
    /// Incoming references, built on first use (views only need them, and
    /// not building them during analysis keeps the peak memory down).
    retainers: OnceCell<Retainers>,
    /// Node ordinals sorted by object id, built on first lookup by id.
    by_id: OnceCell<Vec<u32>>,
    /// Dominator tree and retained sizes.
    pub dominators: Dominators,
    /// Class names and keys.
    pub classes: Classes,
    /// WeakMap ephemeron edge names.
    pub ephemerons: EphemeronNames,
}

/// Threads [`HeapSnapshot::analyze`] uses: two natively when the machine has
/// two cores (the analyses that can run side by side are two), one in wasm
/// (no threads without SharedArrayBuffer).
pub fn default_threads() -> usize {
    if cfg!(target_family = "wasm") {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
}

/// Names of the analysis stages, in order, as reported to progress callbacks.
pub const STAGES: [&str; 6] = [
    "Propagating DOM state",
    "Calculating shallow sizes",
    "Finding essential edges",
    "Building dominator tree",
    "Calculating distances",
    "Calculating class names",
];

impl HeapSnapshot {
    /// Runs every analysis; `progress` is told each stage as it starts.
    /// Natively the independent ones share the machine's cores (see
    /// [`HeapSnapshot::analyze_with`]); in wasm they run one after another.
    pub fn analyze(graph: Graph, progress: &mut dyn FnMut(&str)) -> HeapSnapshot {
        Self::analyze_with(graph, default_threads(), progress)
    }

    /// Runs every analysis on at most `threads` threads: with two or more,
    /// shallow sizes, class names and distances run beside essential edges
    /// and the dominator tree (none of them needs another's result until
    /// retained sizes, which wait for the shallow sizes). Distances wait
    /// until the dominator pass is past its peak memory, so that their
    /// arrays never add to it. The results are the same whatever `threads`
    /// is.
    pub fn analyze_with(
        mut graph: Graph,
        threads: usize,
        progress: &mut dyn FnMut(&str),
    ) -> HeapSnapshot {
        progress(STAGES[0]);
        detached::propagate_dom_state(&mut graph);
        let ephemerons = EphemeronNames::find(&graph.strings);
        // Shallow sizes are reassigned in their own column, taken out of the
        // graph meanwhile: nothing but retained sizes reads them.
        let mut self_size = std::mem::take(&mut graph.self_size);
        let graph_ref = &graph;
        let immediate_dominators = |progress: &mut dyn FnMut(&str), past_peak: &mut dyn FnMut()| {
            progress(STAGES[2]);
            let essential = {
                let page = flags::page_objects(graph_ref);
                dominators::essential_edges(graph_ref, &page, &ephemerons)
            };
            progress(STAGES[3]);
            dominators::immediate_dominators(graph_ref, &essential, past_peak)
        };
        let (dominators, distances, classes) = if threads >= 2 {
            std::thread::scope(|scope| {
                let (sizes_done, sizes) = std::sync::mpsc::channel();
                let (peak_done, peak) = std::sync::mpsc::channel();
                let mut column = std::mem::take(&mut self_size);
                let ephemerons = &ephemerons;
                let beside = scope.spawn(move || {
                    sizes::reassign_shallow_sizes(graph_ref, &mut column);
                    // Never fails: the receiver outlives this thread.
                    let _ = sizes_done.send(column);
                    let classes = Classes::compute(graph_ref);
                    // An error means the dominator pass ended (or panicked)
                    // without saying so: go on either way.
                    let _ = peak.recv();
                    (distances::distances(graph_ref, ephemerons, None), classes)
                });
                let immediate = immediate_dominators(progress, &mut || {
                    let _ = peak_done.send(());
                });
                let joined = |beside: std::thread::ScopedJoinHandle<'_, _>| {
                    beside
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                };
                // The sender only drops unsent if the thread panicked.
                let Ok(sizes) = sizes.recv() else {
                    joined(beside);
                    unreachable!("the shallow sizes' thread ended without them");
                };
                let dominators = immediate.with_sizes(&sizes);
                self_size = sizes;
                let (distances, classes) = joined(beside);
                (dominators, distances, classes)
            })
        } else {
            progress(STAGES[1]);
            sizes::reassign_shallow_sizes(graph_ref, &mut self_size);
            let immediate = immediate_dominators(progress, &mut || {});
            let dominators = immediate.with_sizes(&self_size);
            progress(STAGES[4]);
            let distances = distances::distances(graph_ref, &ephemerons, None);
            progress(STAGES[5]);
            (dominators, distances, Classes::compute(graph_ref))
        };
        graph.self_size = self_size;
        HeapSnapshot {
            graph,
            distances,
            retainers: OnceCell::new(),
            by_id: OnceCell::new(),
            dominators,
            classes,
            ephemerons,
        }
    }

    /// The retainer index (built the first time it is asked for).
    pub fn retainers(&self) -> &Retainers {
        self.retainers.get_or_init(|| Retainers::build(&self.graph))
    }

    /// Total size: root retained size plus native bytes outside any node.
    pub fn total_size(&self) -> u64 {
        self.dominators.retained.get(self.graph.root().index()) + self.graph.meta.extra_native_bytes
    }

    /// Largest odd (JavaScript) object id: DevTools' "max JS object id".
    pub fn max_js_id(&self) -> u32 {
        self.graph
            .node_id
            .iter()
            .copied()
            .filter(|id| id % 2 == 1)
            .max()
            .unwrap_or(0)
    }

    /// The node with object id `id` (a binary search in an index of 4 bytes
    /// per node, built by the first lookup).
    pub fn node_by_id(&self, id: NodeId) -> Option<usize> {
        let ids = &self.graph.node_id;
        let by_id = self.by_id.get_or_init(|| {
            let mut order: Vec<u32> = (0..ids.len() as u32).collect();
            order.sort_unstable_by_key(|&n| (ids[n as usize], n));
            order
        });
        // The first node with that id, as a scan in file order would find.
        let at = by_id.partition_point(|&n| ids[n as usize] < id.0);
        by_id
            .get(at)
            .map(|&n| n as usize)
            .filter(|&n| ids[n] == id.0)
    }

    /// Bytes held by all arrays of the snapshot.
    pub fn heap_bytes(&self) -> usize {
        self.graph.heap_bytes()
            + self.distances.capacity() * 4
            + self.retainers.get().map_or(0, Retainers::heap_bytes)
            + self.by_id.get().map_or(0, |v| v.capacity() * 4)
            + self.dominators.heap_bytes()
            + self.classes.key_of.capacity() * 4
    }
}
