//! The 3-snapshot leak report: objects allocated between snapshots 1 and 2
//! (DevTools' id range `(maxJsId(S1), maxJsId(S2)]`) that are still alive in
//! the last snapshot, whatever reaches them, grouped by class and by the path
//! that retains them, and ranked by cause: what kept growing first, the
//! program's own classes before the runtime objects that leak with them (those
//! holders are folded into the group they hold), chains as one group.

mod paths;
mod series;

use super::allocations::{AllocationSite, Allocations};
use super::fasthash::{FastMap, FastSet};
use super::paths::Parents;
use super::scripts::{Scripts, SourceLocation};
use super::HeapSnapshot;
use crate::snapshot::NodeIndex;
pub(crate) use paths::steps as path_steps;
use paths::ShapeKey;
use serde::Serialize;
pub use series::{order_series, SnapshotFacts};

/// Allocation stacks listed per group, when the snapshot has them.
const SITES_PER_GROUP: usize = 3;
/// Members listed per group (the count covers all of them).
const MAX_MEMBERS: usize = 1000;
/// Ancestors walked from a member when looking for the holders that leak with it.
const MAX_HOLDER_WALK: usize = 10_000;

/// One step of a retaining path, from the GC-root side to the object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PathStep {
    /// The node's class, or its name for functions and roots.
    pub node: String,
    /// Name of the edge by which the previous step holds this node
    /// (empty for the first step).
    pub edge: String,
    /// Edge type (`property`, `element`, `context`, `internal`, ...).
    pub edge_type: String,
    /// Object id of the node.
    pub id: u32,
    /// How many times this hop repeats in a row (a linked list), if more
    /// than once; with `repeat_span`, the run of that many steps from this
    /// one repeats (a chain of closures and contexts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
    /// Steps in the repeated run, when more than one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_span: Option<u32>,
}

/// Runtime objects that leak one-for-one (or one-for-many) with a group of
/// the program's own class, above it on its path, folded into that group.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// Class name (`Function`, `Timeout`, `IntersectionObserver`, …).
    pub name: String,
    /// One of them as a path shows it (`onTick()` for a closure).
    pub node: String,
    /// How many.
    pub count: u64,
}

/// A group of leaked objects: one class, one retaining path shape.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakGroup {
    /// Class name.
    pub name: String,
    /// Members in the group.
    pub count: u64,
    /// Sum of their shallow sizes.
    pub self_size: u64,
    /// Memory freed if they all went: retained sizes of members not
    /// dominated by another leaked object, summed.
    pub retained_size: u64,
    /// `Some(true)` when the class grew in every interval (4+ snapshots).
    pub grows_every_interval: Option<bool>,
    /// Class count in each snapshot of the series.
    pub counts: Vec<u64>,
    /// Representative path from a GC root to a member.
    pub path: Vec<PathStep>,
    /// Object ids of the members (the first 1000).
    pub members: Vec<u32>,
    /// Every member is held by objects of other groups, whose retained
    /// size already counts it (e.g. the strings of leaked objects).
    pub held_by_other_groups: bool,
    /// The class is the program's own: its constructor's script is neither
    /// the runtime's (`node:`, built-ins, extensions) nor unknown.
    pub program_class: bool,
    /// Where the class's constructor was defined, when V8 recorded it.
    pub location: Option<SourceLocation>,
    /// Runtime objects leaking with the members and holding them, folded
    /// into this group (their sizes count in `retained_size`).
    pub holders: Vec<Holder>,
    /// Where the members were allocated, the commonest stacks first, when
    /// the last snapshot has allocation traces (empty otherwise).
    pub allocated_at: Vec<AllocationSite>,
    /// Why the group ranks where it does, in words.
    pub why: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeakReport {
    /// Groups, most suspicious first.
    pub groups: Vec<LeakGroup>,
    /// Problems with the series of snapshots.
    pub warnings: Vec<String>,
    /// The id range used: `(maxJsId(S1), maxJsId(S2)]`.
    pub id_range: (u32, u32),
    /// Total size of each snapshot.
    pub totals: Vec<u64>,
    /// The snapshots' names, in capture order (as `totals` and each group's
    /// `counts`).
    pub snapshots: Vec<String>,
}

/// A group while it is being built.
struct Draft {
    key: u32,
    count: u64,
    self_size: u64,
    retained_size: u64,
    /// Retained sizes summed without deduplication: only to break ties.
    overlapping: u64,
    members: Vec<u32>,
    held_by_other_groups: bool,
    program_class: bool,
    /// The member with the longest path (a chain's far end).
    representative: (usize, u32),
    /// Members held through another member of the group.
    chained: u64,
    holders: Vec<Holder>,
    folded: bool,
}

/// Builds the report on the last snapshot of the series.
pub fn leak_report(
    last: &HeapSnapshot,
    facts: &[SnapshotFacts],
    mut warnings: Vec<String>,
) -> LeakReport {
    warnings.extend(series::same_process_warnings(last, facts));
    let id_range = match facts {
        [a, b, ..] => (a.max_js_id, b.max_js_id),
        _ => (0, 0),
    };
    let (candidate, any) = candidates(last, id_range);
    if !any && facts.len() >= 2 {
        warnings.push(format!(
            "no object of {} was allocated between {} and {}",
            facts.last().map_or("", |f| f.name.as_str()),
            facts[0].name,
            facts[1].name
        ));
    }
    let parents = Parents::new(last, &last.distances, None);
    let scripts = Scripts::find(&last.graph);
    let (mut drafts, group_of) = group_members(last, &candidate, &parents, &scripts);
    fold_holders(last, &candidate, &parents, &mut drafts, &group_of);
    let mut sites = Allocations::new(last).map_or_else(Vec::new, |profile| {
        let members = group_of.iter().map(|(&m, &g)| (m as usize, g as usize));
        profile.sites_by_group(members, drafts.len(), SITES_PER_GROUP)
    });
    let mut groups: Vec<(LeakGroup, u64)> = drafts
        .into_iter()
        .enumerate()
        .filter(|(_, d)| !d.folded)
        .map(|(i, d)| {
            let mut group = finish(last, &parents, &scripts, facts, d);
            if let Some(at) = sites.get_mut(i) {
                group.0.allocated_at = std::mem::take(at);
            }
            group
        })
        .collect();
    groups.sort_by(|(x, ox), (y, oy)| {
        let grows = |g: &LeakGroup| g.grows_every_interval == Some(true);
        grows(y)
            .cmp(&grows(x))
            .then(still_growing(y).cmp(&still_growing(x)))
            .then(y.program_class.cmp(&x.program_class))
            .then(x.held_by_other_groups.cmp(&y.held_by_other_groups))
            .then(y.retained_size.cmp(&x.retained_size))
            .then(oy.cmp(ox))
            .then(y.count.cmp(&x.count))
            .then_with(|| x.name.cmp(&y.name))
    });
    LeakReport {
        groups: groups.into_iter().map(|(g, _)| g).collect(),
        warnings,
        id_range,
        totals: facts.iter().map(|f| f.total_size).collect(),
        snapshots: facts.iter().map(|f| f.name.clone()).collect(),
    }
}

/// The class grew in the last interval (a lazily made singleton stops).
fn still_growing(g: &LeakGroup) -> bool {
    let c = &g.counts;
    c.len() >= 2 && c[c.len() - 1] > c[c.len() - 2]
}

/// Members: objects allocated in the id range, alive, with a size, and not
/// V8 bookkeeping (internal types, `system / …` objects, heap numbers,
/// shapes), whose bytes still count in the retained size of what holds them.
/// Also tells whether anything at all was allocated in the range.
fn candidates(s: &HeapSnapshot, (low, high): (u32, u32)) -> (Vec<bool>, bool) {
    let g = &s.graph;
    let k = g.meta.node_kinds;
    let bookkeeping = |node: usize| {
        let t = g.node_type[node];
        t == k.hidden
            || t == k.code
            || t == k.synthetic
            || t == k.array
            || matches!(g.type_name(node), "object shape" | "number")
            || g.name(node).starts_with("system / ")
    };
    let mut any = false;
    let candidate = (0..g.node_count())
        .map(|node| {
            let id = g.node_id[node];
            let allocated = id > low && id <= high && g.self_size[node] > 0;
            any |= allocated;
            allocated && !bookkeeping(node)
        })
        .collect();
    (candidate, any)
}

/// Groups members by class and path shape. A member held through another
/// member of its class (a linked list, a chain of closures) joins the group
/// of the first one on its path, so a chain is one group. Returns the groups
/// and each member's group.
fn group_members(
    s: &HeapSnapshot,
    candidate: &[bool],
    parents: &Parents,
    scripts: &Scripts,
) -> (Vec<Draft>, FastMap<u32, u32>) {
    let g = &s.graph;
    let key_of = &s.classes.key_of;
    let mut members: Vec<usize> = (0..g.node_count()).filter(|&n| candidate[n]).collect();
    // Closer to the roots first, so a chain's earlier members are placed first.
    members.sort_by_key(|&n| s.distances[n]);
    let counted = topmost_candidates(s, candidate);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut index: FastMap<(u32, Vec<ShapeKey>), u32> = FastMap::default();
    let mut group_of: FastMap<u32, u32> = FastMap::default();
    let mut depth_of: FastMap<u32, u32> = FastMap::default();
    for &m in &members {
        let key = key_of[m];
        let mut cur = NodeIndex::new(m);
        let mut depth = 0u32;
        let mut earlier = None;
        while let Some(p) = parents.parent(cur) {
            depth += 1;
            // Only a member already placed (nearer the roots; on a hostile
            // graph a parent need not be) can take this one into its group.
            if candidate[p.index()] && key_of[p.index()] == key && group_of.contains_key(&p.0) {
                earlier = Some(p.0);
                break;
            }
            cur = p;
        }
        let gi = match earlier {
            Some(p) => {
                depth += depth_of[&p];
                group_of[&p]
            }
            None => *index
                .entry((key, paths::shape(parents, s, m)))
                .or_insert_with(|| {
                    drafts.push(Draft {
                        key,
                        count: 0,
                        self_size: 0,
                        retained_size: 0,
                        overlapping: 0,
                        members: Vec::new(),
                        held_by_other_groups: true,
                        program_class: is_program_class(s, key, scripts),
                        representative: (m, 0),
                        chained: 0,
                        holders: Vec::new(),
                        folded: false,
                    });
                    drafts.len() as u32 - 1
                }),
        };
        depth_of.insert(m as u32, depth);
        group_of.insert(m as u32, gi);
        let d = &mut drafts[gi as usize];
        d.count += 1;
        d.self_size += g.self_size[m] as u64;
        d.overlapping += s.dominators.retained.get(m);
        if counted[m] {
            d.retained_size += s.dominators.retained.get(m);
            d.held_by_other_groups = false;
        }
        if d.members.len() < MAX_MEMBERS {
            d.members.push(g.node_id[m]);
        }
        d.chained += earlier.is_some() as u64;
        if depth > d.representative.1 {
            d.representative = (m, depth);
        }
    }
    (drafts, group_of)
}

/// Objects V8 places at a program function's location that are still the
/// runtime's: the state of a suspended async function or generator.
const RUNTIME_CLASSES_AT_PROGRAM_LOCATIONS: [&str; 2] = ["Generator", "AsyncGenerator"];

/// True when the class is the program's own: its constructor's script is the
/// program's, and it is not a runtime object V8 locates at a program function.
fn is_program_class(s: &HeapSnapshot, key: u32, scripts: &Scripts) -> bool {
    let located = s.classes.keys[key as usize].location;
    located.is_some_and(|(id, _, _)| scripts.is_program(&s.graph, id))
        && !RUNTIME_CLASSES_AT_PROGRAM_LOCATIONS.contains(&s.classes.name_of_key(key))
}

/// Folds runtime objects that leak with a group of the program's own class
/// into it: a group of another class whose members sit above members of that
/// group on their paths (the listener closure, the `Timeout`, the observer,
/// the pending promise that holds each leaked object) — at least one per
/// member, and most of the other group — joins the group it holds the most
/// of, as one of its holders.
fn fold_holders(
    s: &HeapSnapshot,
    candidate: &[bool],
    parents: &Parents,
    drafts: &mut [Draft],
    group_of: &FastMap<u32, u32>,
) {
    // For each other group, which of its members hold members of which program group.
    let mut held: FastMap<u32, FastMap<u32, FastSet<u32>>> = FastMap::default();
    for (&m, &gi) in group_of {
        if !drafts[gi as usize].program_class {
            continue;
        }
        let mut cur = NodeIndex(m);
        for _ in 0..MAX_HOLDER_WALK {
            let Some(p) = parents.parent(cur) else { break };
            cur = p;
            if !candidate[p.index()] {
                continue;
            }
            let hi = group_of[&p.0];
            if drafts[hi as usize].program_class {
                break;
            }
            held.entry(hi)
                .or_default()
                .entry(gi)
                .or_default()
                .insert(p.0);
        }
    }
    let mut folds: Vec<(u32, u32)> = held
        .into_iter()
        .filter_map(|(hi, by_group)| {
            let (gi, members) = by_group
                .into_iter()
                .max_by_key(|(gi, members)| (members.len(), std::cmp::Reverse(*gi)))?;
            // One holder per member at least, and most of the other group
            // holds: siblings of the holders (a promise's reject function
            // next to the resolve function on the path) come along.
            let (holding, count) = (members.len() as u64, drafts[hi as usize].count);
            let p_count = drafts[gi as usize].count;
            (holding >= p_count.min(count) && 2 * holding >= count).then_some((hi, gi))
        })
        .collect();
    // Largest holders first in each group's list.
    folds.sort_by_key(|&(hi, gi)| (gi, std::cmp::Reverse(drafts[hi as usize].count), hi));
    for (hi, gi) in folds {
        let h = &mut drafts[hi as usize];
        h.folded = true;
        let holder = Holder {
            name: s.classes.name_of_key(h.key).to_owned(),
            node: paths::label(s, h.representative.0),
            count: h.count,
        };
        let (retained, overlapping, held_by_others) =
            (h.retained_size, h.overlapping, h.held_by_other_groups);
        let p = &mut drafts[gi as usize];
        p.retained_size += retained;
        p.overlapping += overlapping;
        p.held_by_other_groups &= held_by_others;
        p.holders.push(holder);
    }
}

/// The group as reported: counts per snapshot, growth, path and reasons.
fn finish(
    s: &HeapSnapshot,
    parents: &Parents,
    scripts: &Scripts,
    facts: &[SnapshotFacts],
    d: Draft,
) -> (LeakGroup, u64) {
    let name = s.classes.name_of_key(d.key).to_owned();
    let counts: Vec<u64> = facts
        .iter()
        .map(|f| f.class_counts.get(&name).copied().unwrap_or(0))
        .collect();
    // With 4+ snapshots: the class grew in every interval, and this group is
    // a real part of that growth (not one stray object of a busy class).
    let grows_every_interval = (facts.len() >= 4).then(|| {
        // i128: the counts come from other workers' facts, any u64.
        let smallest = counts.windows(2).map(|w| w[1] as i128 - w[0] as i128).min();
        smallest.is_some_and(|delta| delta > 0 && d.count as i128 * 2 >= delta)
    });
    let location = s.classes.keys[d.key as usize]
        .location
        .map(|l| scripts.location(&s.graph, l));
    let mut group = LeakGroup {
        name,
        count: d.count,
        self_size: d.self_size,
        retained_size: d.retained_size,
        grows_every_interval,
        counts,
        path: paths::steps(parents, s, d.representative.0),
        members: d.members,
        held_by_other_groups: d.held_by_other_groups,
        program_class: d.program_class,
        location,
        holders: d.holders,
        allocated_at: Vec::new(),
        why: String::new(),
    };
    group.why = why(&group, d.chained);
    (group, d.overlapping)
}

/// The reasons for a group's rank, in the order the ranking weighs them.
fn why(g: &LeakGroup, chained: u64) -> String {
    let mut reasons = vec![match (g.grows_every_interval, still_growing(g)) {
        (Some(true), _) => "grew in every interval".to_owned(),
        (_, true) => "still growing in the last interval".to_owned(),
        (_, false) => "not growing in the last interval".to_owned(),
    }];
    reasons.push(match (&g.location, g.program_class) {
        (Some(at), true) => format!("the program's own class (defined at {at})"),
        (Some(at), false) => format!("a runtime class (defined at {at})"),
        (None, _) => "a built-in or runtime class".to_owned(),
    });
    if !g.holders.is_empty() {
        let holders: Vec<String> = g
            .holders
            .iter()
            .map(|h| format!("{} \u{d7}{} ({})", h.name, h.count, h.node))
            .collect();
        reasons.push(format!(
            "holders leaking with it folded in: {}",
            holders.join(", ")
        ));
    }
    if chained > 0 {
        reasons.push(format!(
            "a chain: {chained} of the {} are held through another one",
            g.count
        ));
    }
    if g.held_by_other_groups {
        reasons.push("held by other groups, whose retained size counts it".to_owned());
    }
    reasons.join("; ")
}

/// Candidates not dominated by another candidate (so no retained byte is
/// counted twice, within or across groups).
fn topmost_candidates(s: &HeapSnapshot, candidate: &[bool]) -> Vec<bool> {
    let g = &s.graph;
    let tree = s.dominators.tree();
    let mut counted = vec![false; g.node_count()];
    // Depth-first with a count of candidates on the path above.
    let mut stack: Vec<(NodeIndex, u32)> = vec![(g.root(), 0)];
    while let Some((node, above)) = stack.pop() {
        let node = node.index();
        let is = candidate[node];
        if is && above == 0 {
            counted[node] = true;
        }
        let below = above + is as u32;
        for &c in tree.children(node) {
            stack.push((c, below));
        }
    }
    counted
}
