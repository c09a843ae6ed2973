//! Sampling heap profiles (`.heapprofile`: `node --heap-prof`, Chrome's
//! "Allocation sampling", `HeapProfiler.stopSampling`): a call tree whose
//! nodes carry the bytes sampled at that stack, and the samples.
//!
//! The trees are DevTools' `HeapProfileView`: `SamplingHeapProfileModel`
//! (self sizes, or the samples of an ordinal range; empty branches pruned;
//! totals), the top-down tree, and the bottom-up ("heavy") tree of
//! `BottomUpProfileDataGrid`, where a function's row adds up every node of
//! that function (recursion counted at every level, as DevTools does) and
//! its callers are the stacks above those nodes.

mod parse;
mod request;

pub use request::{OrdinalBucket, ProfileInfo, ProfileRequest, ProfileResponse, ProfileTrees};

use serde::Serialize;

/// Parent of the call tree's root.
pub const NO_PARENT: u32 = u32::MAX;

/// Deepest call-tree level turned into rows: V8 samples at most 128
/// frames; a hostile file gets its deeper levels cut instead of a stack
/// overflow.
const MAX_DEPTH: usize = 512;

/// One frame as the profile writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CallFrame {
    /// Function name (empty for anonymous functions).
    pub function_name: String,
    /// V8 script id.
    pub script_id: String,
    /// Script URL.
    pub url: String,
    /// 0-based line (-1 when unknown).
    pub line_number: i64,
    /// 0-based column (-1 when unknown).
    pub column_number: i64,
}

/// The call tree in columns, nodes in file (depth-first) order.
#[derive(Debug, Default)]
pub struct ProfileNodes {
    /// Node id (what samples name).
    pub id: Vec<u64>,
    /// The node's frame.
    pub frame: Vec<CallFrame>,
    /// Bytes sampled with exactly this stack.
    pub self_size: Vec<u64>,
    /// Parent node, [`NO_PARENT`] for the root.
    pub parent: Vec<u32>,
}

/// One sampled allocation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sample {
    /// Bytes it stands for.
    pub size: u64,
    /// The call-tree node that allocated it.
    pub node_id: u64,
    /// Its place in allocation order.
    pub ordinal: f64,
}

/// A parsed sampling heap profile.
#[derive(Debug, Default)]
pub struct HeapProfile {
    /// The call tree.
    pub nodes: ProfileNodes,
    /// The samples (a profile may have none).
    pub samples: Vec<Sample>,
}

/// A row of the top-down or bottom-up tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRow {
    /// Function name, `(anonymous)` when it has none (as DevTools shows it).
    pub function_name: String,
    /// Script URL.
    pub url: String,
    /// V8 script id.
    pub script_id: String,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// Bytes sampled in this function itself.
    pub self_size: u64,
    /// With what it called (top-down) or on these stacks (bottom-up).
    pub total_size: u64,
    /// Callees (top-down) or callers (bottom-up).
    pub children: Vec<ProfileRow>,
}

/// An ordinal range of samples, both ends included (DevTools' timeline
/// selection).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrdinalRange {
    /// First ordinal kept.
    pub min: f64,
    /// Last ordinal kept.
    pub max: f64,
}

/// Self and total sizes per node, for one selection of samples.
struct Sizes {
    own: Vec<u64>,
    total: Vec<u64>,
}

impl HeapProfile {
    /// Self and total sizes: the file's self sizes, or the samples in
    /// `range`; a node's total is its self size plus its children's.
    fn sizes(&self, range: Option<OrdinalRange>) -> Sizes {
        let n = &self.nodes;
        let mut own = match range {
            None => n.self_size.clone(),
            Some(range) => {
                let mut by_id: Vec<(u64, u64)> = Vec::new();
                for s in &self.samples {
                    if s.ordinal >= range.min && s.ordinal <= range.max {
                        by_id.push((s.node_id, s.size));
                    }
                }
                by_id.sort_unstable();
                let sampled = |id: u64| {
                    let at = by_id.partition_point(|&(i, _)| i < id);
                    by_id[at..]
                        .iter()
                        .take_while(|&&(i, _)| i == id)
                        .map(|&(_, size)| size)
                        .sum()
                };
                n.id.iter().map(|&id| sampled(id)).collect()
            }
        };
        // DevTools' model keeps the root's own size from the file.
        if let (Some(root), Some(&size)) = (own.first_mut(), n.self_size.first()) {
            *root = size;
        }
        // Depth-first order puts every child after its parent.
        let mut total = own.clone();
        for c in (1..total.len()).rev() {
            let p = n.parent[c] as usize;
            total[p] += total[c];
        }
        own.shrink_to_fit();
        Sizes { own, total }
    }

    /// Children of each node in file order (pruned: nodes whose total is 0
    /// are left out, as DevTools' `pruneEmptyBranches` does).
    fn children(&self, sizes: &Sizes) -> Vec<Vec<u32>> {
        let mut children = vec![Vec::new(); self.nodes.id.len()];
        for (c, &p) in self.nodes.parent.iter().enumerate() {
            if p != NO_PARENT && sizes.total[c] > 0 {
                children[p as usize].push(c as u32);
            }
        }
        children
    }

    /// Everything sampled (in `range`, if given).
    pub fn total(&self, range: Option<OrdinalRange>) -> u64 {
        self.sizes(range).total.first().copied().unwrap_or(0)
    }

    fn row(&self, n: usize, own: u64, total: u64) -> ProfileRow {
        let f = &self.nodes.frame[n];
        let one_based = |v: i64| if v < 0 { 0 } else { v as u64 + 1 };
        ProfileRow {
            function_name: if f.function_name.is_empty() {
                "(anonymous)".to_owned()
            } else {
                f.function_name.clone()
            },
            url: f.url.clone(),
            script_id: f.script_id.clone(),
            line: one_based(f.line_number),
            column: one_based(f.column_number),
            self_size: own,
            total_size: total,
            children: Vec::new(),
        }
    }

    /// The top-down tree: the root's callees, each with theirs.
    pub fn top_down(&self, range: Option<OrdinalRange>) -> Vec<ProfileRow> {
        let sizes = self.sizes(range);
        let children = self.children(&sizes);
        let build = |n: usize| self.row(n, sizes.own[n], sizes.total[n]);
        let Some(root) = children.first() else {
            return Vec::new();
        };
        // Rows go into an arena (children after their parents) and are
        // nested at the end: no recursion on untrusted depth.
        let mut arena: Vec<(ProfileRow, Vec<usize>)> = Vec::new();
        let mut todo: Vec<(usize, usize, usize)> = Vec::new();
        let mut tops = Vec::new();
        for &c in root {
            arena.push((build(c as usize), Vec::new()));
            tops.push(arena.len() - 1);
            todo.push((c as usize, arena.len() - 1, 1));
        }
        while let Some((n, at, depth)) = todo.pop() {
            if depth >= MAX_DEPTH {
                continue;
            }
            for &c in &children[n] {
                arena.push((build(c as usize), Vec::new()));
                let child = arena.len() - 1;
                arena[at].1.push(child);
                todo.push((c as usize, child, depth + 1));
            }
        }
        fold(arena, &tops)
    }

    /// The bottom-up tree: one row per function (DevTools' call UID: name,
    /// script, line, column) with every node of it added up, its children
    /// the callers on those stacks, recursively.
    pub fn bottom_up(&self, range: Option<OrdinalRange>) -> Vec<ProfileRow> {
        let sizes = self.sizes(range);
        let children = self.children(&sizes);
        let mut arena: Vec<(ProfileRow, Vec<usize>)> = Vec::new();
        let mut tops: Vec<usize> = Vec::new();
        let key = |n: usize| {
            let f = &self.nodes.frame[n];
            (
                &f.function_name,
                &f.script_id,
                f.line_number,
                f.column_number,
            )
        };
        let parent = |n: usize| self.nodes.parent[n] as usize;
        // Kept nodes in depth-first order, the root's subtree only.
        let mut order = Vec::new();
        let mut todo: Vec<usize> = children.first().map_or(Vec::new(), |r| {
            r.iter().rev().map(|&c| c as usize).collect()
        });
        while let Some(n) = todo.pop() {
            order.push(n);
            todo.extend(children[n].iter().rev().map(|&c| c as usize));
        }
        // The arena row of each frame stands for, by one of its nodes.
        let mut reps: Vec<usize> = Vec::new();
        for n in order {
            let (own, total) = (sizes.own[n], sizes.total[n]);
            let mut level: Option<usize> = None;
            let mut a = n;
            for _ in 0..MAX_DEPTH {
                let siblings = match level {
                    None => &tops,
                    Some(at) => &arena[at].1,
                };
                let found = siblings.iter().copied().find(|&s| key(reps[s]) == key(a));
                let at = match found {
                    Some(at) => at,
                    None => {
                        arena.push((self.row(a, 0, 0), Vec::new()));
                        reps.push(a);
                        let at = arena.len() - 1;
                        match level {
                            None => tops.push(at),
                            Some(l) => arena[l].1.push(at),
                        }
                        at
                    }
                };
                arena[at].0.self_size += own;
                arena[at].0.total_size += total;
                level = Some(at);
                a = parent(a);
                // DevTools shows no "(root)" caller.
                if self.nodes.parent[a] == NO_PARENT {
                    break;
                }
            }
        }
        fold(arena, &tops)
    }
}

/// Turns an arena of rows and child indexes into nested rows, children
/// before parents (each child index is larger than its parent's).
fn fold(arena: Vec<(ProfileRow, Vec<usize>)>, tops: &[usize]) -> Vec<ProfileRow> {
    let mut rows: Vec<Option<ProfileRow>> = Vec::with_capacity(arena.len());
    let mut links = Vec::with_capacity(arena.len());
    for (row, children) in arena {
        rows.push(Some(row));
        links.push(children);
    }
    for at in (0..rows.len()).rev() {
        let children: Vec<ProfileRow> = links[at].iter().filter_map(|&c| rows[c].take()).collect();
        if let Some(row) = rows[at].as_mut() {
            row.children = children;
        }
    }
    tops.iter().filter_map(|&t| rows[t].take()).collect()
}
