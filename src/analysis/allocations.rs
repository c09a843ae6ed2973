//! DevTools' Allocation perspective (`AllocationProfile.ts`) for snapshots
//! that carry allocation traces: the functions that allocated, with how
//! many of their objects (and bytes) are still alive; each function's
//! callers as a bottom-up tree; the allocation stack of one object; and the
//! timeline of live bytes per sample interval (`buildSamples`).
//!
//! "Live" follows DevTools: every node of the snapshot counts, under the
//! trace node its `trace_node_id` names, with its (reassigned) self size.

use super::HeapSnapshot;
use crate::snapshot::strings::bounded;
use crate::snapshot::trace::{TraceFunction, Traces, NO_PARENT};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What one function (or one caller in a bottom-up tree) allocated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionRow {
    /// Index into the snapshot's trace functions (the request key).
    pub function: u32,
    /// Function name (cut after [`NAME_LIMIT`](crate::snapshot::NAME_LIMIT)).
    pub name: String,
    /// Script name or URL.
    pub script_name: String,
    /// V8 script id.
    pub script_id: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    /// Objects allocated (alive or not).
    pub count: u64,
    /// Bytes allocated.
    pub size: u64,
    /// Of those, objects still in the snapshot.
    pub live_count: u64,
    /// Their self sizes.
    pub live_size: u64,
}

/// A node of a function's bottom-up tree: who called it, recursively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallerTree {
    /// The function and what was allocated through it on these stacks.
    #[serde(flatten)]
    pub row: FunctionRow,
    /// Its callers, in DevTools' order (first seen first).
    pub callers: Vec<CallerTree>,
}

/// One frame of an allocation stack, innermost first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    /// Function name.
    pub function_name: String,
    /// Script name or URL.
    pub script_name: String,
    /// V8 script id.
    pub script_id: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
}

/// `script:line:column` (1-based) as a user can copy it; the script alone
/// when the line is unknown, nothing without a script.
pub fn source_location(script: &str, line: u32, column: u32) -> String {
    match (script, line) {
        ("", _) => String::new(),
        (_, 0) => script.to_owned(),
        _ => format!("{script}:{line}:{column}"),
    }
}

impl std::fmt::Display for Frame {
    /// `name (script:line:column)`, `(anonymous)` for a function without a
    /// name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.function_name.as_str() {
            "" => "(anonymous)",
            name => name,
        };
        match source_location(&self.script_name, self.line, self.column).as_str() {
            "" => write!(f, "{name}"),
            at => write!(f, "{name} ({at})"),
        }
    }
}

/// One stack that allocated members of a leak group, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationSite {
    /// Members allocated with exactly this stack.
    pub count: u64,
    /// The stack, innermost first, at most [`SITE_FRAMES`] frames (the
    /// tree's root frame left out).
    pub frames: Vec<Frame>,
}

/// Frames kept per [`AllocationSite`].
pub const SITE_FRAMES: usize = 8;

/// Live bytes of the objects allocated in one sample interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineBar {
    /// End of the interval, milliseconds since recording started.
    pub time_ms: f64,
    /// The last object id V8 had handed out by then.
    pub last_assigned_id: u32,
    /// Self sizes of the JavaScript objects (odd ids) allocated up to that
    /// id since the previous sample and still alive.
    pub live_size: u64,
}

/// A node of a function's bottom-up tree, by its path: the function, then
/// the caller at each level below it (empty: the function itself).
/// DevTools filters Summary to the objects allocated on the stacks such a
/// node stands for (`allocationNodeId`, its `traceTopIds`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub struct AllocatedBy {
    /// The allocating function (a [`FunctionRow::function`]).
    pub function: u32,
    /// Its caller, that one's caller, and so on.
    #[serde(default)]
    pub callers: Vec<u32>,
}

/// What every trace record allocated that is still alive: the one scan of
/// every node a profile needs, kept by a session.
#[derive(Debug, Clone)]
pub struct LiveTotals {
    /// Live objects per trace record.
    count: Vec<u64>,
    /// Their self sizes per trace record.
    size: Vec<u64>,
}

impl LiveTotals {
    /// The totals, or `None` when the snapshot has no allocation stacks.
    pub fn of(snapshot: &HeapSnapshot) -> Option<LiveTotals> {
        let traces = &snapshot.graph.traces;
        if traces.tree.is_empty() {
            return None;
        }
        let records = traces.tree.len();
        let (mut count, mut size) = (vec![0; records], vec![0; records]);
        for (n, &id) in traces.object_trace.iter().enumerate() {
            if let Some(r) = traces.tree.by_id(id) {
                count[r] += 1;
                size[r] += snapshot.graph.self_size[n] as u64;
            }
        }
        Some(LiveTotals { count, size })
    }
}

/// The allocation profile of one analysed snapshot.
pub struct Allocations<'a> {
    snapshot: &'a HeapSnapshot,
    live: Cow<'a, LiveTotals>,
}

impl<'a> Allocations<'a> {
    /// The profile, or `None` when the snapshot has no allocation stacks.
    pub fn new(snapshot: &'a HeapSnapshot) -> Option<Allocations<'a>> {
        Some(Allocations {
            snapshot,
            live: Cow::Owned(LiveTotals::of(snapshot)?),
        })
    }

    /// The profile over totals kept from [`LiveTotals::of`] on `snapshot`.
    pub fn kept(snapshot: &'a HeapSnapshot, live: &'a LiveTotals) -> Allocations<'a> {
        Allocations {
            snapshot,
            live: Cow::Borrowed(live),
        }
    }

    fn traces(&self) -> &'a Traces {
        &self.snapshot.graph.traces
    }

    fn row(&self, function: u32, totals: [u64; 4]) -> FunctionRow {
        let f: &TraceFunction = &self.traces().functions[function as usize];
        let strings = &self.snapshot.graph.strings;
        let text = |s| bounded(strings.get(s)).0.into_owned();
        FunctionRow {
            function,
            name: text(f.name),
            script_name: text(f.script_name),
            script_id: f.script_id,
            line: f.line,
            column: f.column,
            count: totals[0],
            size: totals[1],
            live_count: totals[2],
            live_size: totals[3],
        }
    }

    /// Count, size, live count and live size of one trace record.
    fn totals(&self, r: usize) -> [u64; 4] {
        let t = &self.traces().tree;
        [
            t.count[r] as u64,
            t.size[r],
            self.live.count[r],
            self.live.size[r],
        ]
    }

    /// The records where `function` allocated itself (DevTools' "trace
    /// tops": the record's own count is not 0).
    fn tops(&self, function: u32) -> impl Iterator<Item = usize> + '_ {
        let t = &self.traces().tree;
        (0..t.len()).filter(move |&r| t.function[r] == function && t.count[r] != 0)
    }

    /// Every function that allocated, largest allocated size first (ties in
    /// function order), as DevTools' `serializeTraceTops`.
    pub fn functions(&self) -> Vec<FunctionRow> {
        let t = &self.traces().tree;
        let mut totals = vec![[0u64; 4]; self.traces().functions.len()];
        for r in (0..t.len()).filter(|&r| t.count[r] != 0) {
            let sum = &mut totals[t.function[r] as usize];
            for (s, v) in sum.iter_mut().zip(self.totals(r)) {
                *s += v;
            }
        }
        let mut rows: Vec<FunctionRow> = (0..totals.len())
            .filter(|&f| totals[f][0] != 0)
            .map(|f| self.row(f as u32, totals[f]))
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.size));
        rows
    }

    /// `function`'s bottom-up tree: itself with its totals, then who called
    /// it on the stacks where it allocated, recursively (DevTools'
    /// `FunctionAllocationInfo.bottomUpRoot`). `None` when it allocated
    /// nothing.
    pub fn callers(&self, function: u32) -> Option<CallerTree> {
        if function as usize >= self.traces().functions.len() {
            return None;
        }
        let t = &self.traces().tree;
        let mut root = CallerTree {
            row: self.row(function, [0; 4]),
            callers: Vec::new(),
        };
        let mut any = false;
        for top in self.tops(function) {
            any = true;
            let totals = self.totals(top);
            let mut node = &mut root;
            let mut r = top;
            loop {
                node.row.count += totals[0];
                node.row.size += totals[1];
                node.row.live_count += totals[2];
                node.row.live_size += totals[3];
                r = match t.parent[r] {
                    NO_PARENT => break,
                    p => p as usize,
                };
                let caller = t.function[r];
                let at = match node.callers.iter().position(|c| c.row.function == caller) {
                    Some(at) => at,
                    None => {
                        node.callers.push(CallerTree {
                            row: self.row(caller, [0; 4]),
                            callers: Vec::new(),
                        });
                        node.callers.len() - 1
                    }
                };
                node = &mut node.callers[at];
            }
        }
        any.then_some(root)
    }

    /// The allocation stack of node `n`, innermost frame first, down to
    /// the tree's root; `None` when the node has no trace node (DevTools'
    /// `allocationStack`). A trace node id not in the tree gives no frames.
    pub fn stack(&self, n: usize) -> Option<Vec<Frame>> {
        let traces = self.traces();
        let id = *traces.object_trace.get(n)?;
        if id == 0 {
            return None;
        }
        Some(self.frames(traces.tree.by_id(id)))
    }

    /// The frames from record `r` up to its root.
    pub fn frames(&self, mut r: Option<usize>) -> Vec<Frame> {
        let t = &self.traces().tree;
        let mut frames = Vec::new();
        while let Some(at) = r {
            let row = self.row(t.function[at], [0; 4]);
            frames.push(Frame {
                function_name: row.name,
                script_name: row.script_name,
                script_id: row.script_id,
                line: row.line,
                column: row.column,
            });
            r = (t.parent[at] != NO_PARENT).then_some(t.parent[at] as usize);
        }
        frames
    }

    /// The trace record that allocated node `n`, if any.
    pub fn record_of(&self, n: usize) -> Option<usize> {
        let traces = self.traces();
        traces.tree.by_id(*traces.object_trace.get(n)?)
    }

    /// The commonest allocation stacks of each group, most members first
    /// (at most `limit` per group): `members` gives (node, group) pairs,
    /// groups numbered below `groups`.
    pub fn sites_by_group(
        &self,
        members: impl Iterator<Item = (usize, usize)>,
        groups: usize,
        limit: usize,
    ) -> Vec<Vec<AllocationSite>> {
        let mut pairs: Vec<(usize, usize)> = members
            .filter_map(|(n, g)| Some((g, self.record_of(n)?)))
            .collect();
        pairs.sort_unstable();
        let mut sites = vec![Vec::new(); groups];
        for run in pairs.chunk_by(|a, b| a == b) {
            let (g, record) = run[0];
            sites[g].push((run.len() as u64, record));
        }
        sites
            .into_iter()
            .map(|mut counts| {
                counts.sort_by_key(|&(count, record)| (std::cmp::Reverse(count), record));
                counts
                    .into_iter()
                    .take(limit)
                    .map(|(count, record)| {
                        let mut frames = self.frames(Some(record));
                        // The last frame is the tree's "(root)".
                        if frames.len() > 1 {
                            frames.pop();
                        }
                        frames.truncate(SITE_FRAMES);
                        AllocationSite { count, frames }
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether node `n` was allocated on one of the stacks where `function`
    /// allocated itself (DevTools' Summary filter for a selected function).
    pub fn allocated_by(&self, n: usize, function: u32) -> bool {
        let t = &self.traces().tree;
        self.record_of(n)
            .is_some_and(|r| t.function[r] == function && t.count[r] != 0)
    }

    /// Per trace record, whether it is one of the stacks bottom-up node
    /// `by` stands for: a record where the function allocated itself whose
    /// callers, innermost first, begin with `by.callers` (DevTools'
    /// `traceTopIds`).
    pub fn records_of(&self, by: &AllocatedBy) -> Vec<bool> {
        let t = &self.traces().tree;
        let mut mask = vec![false; t.len()];
        for top in self.tops(by.function) {
            let mut r = top;
            let matches = by.callers.iter().all(|&caller| match t.parent[r] {
                NO_PARENT => false,
                p => {
                    r = p as usize;
                    t.function[r] == caller
                }
            });
            mask[top] = matches;
        }
        mask
    }
}

/// Live bytes per sample interval (DevTools' `buildSamples`): each odd-id
/// node's self size goes to the first sample whose last assigned id is at
/// least its id; nodes newer than the last sample are left out. Empty
/// without samples.
pub fn timeline(snapshot: &HeapSnapshot) -> Vec<TimelineBar> {
    let g = &snapshot.graph;
    let samples = &g.traces.samples;
    let mut bars: Vec<TimelineBar> = samples
        .time_us
        .iter()
        .zip(&samples.last_id)
        .map(|(&t, &last)| TimelineBar {
            time_ms: t as f64 / 1000.0,
            last_assigned_id: last,
            live_size: 0,
        })
        .collect();
    if bars.is_empty() {
        return bars;
    }
    for (n, &id) in g.node_id.iter().enumerate() {
        if id % 2 == 0 {
            continue;
        }
        let at = samples.last_id.partition_point(|&last| last < id);
        if let Some(bar) = bars.get_mut(at) {
            bar.live_size += g.self_size[n] as u64;
        }
    }
    bars
}
