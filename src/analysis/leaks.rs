//! The 3-snapshot leak report: objects allocated between snapshots 1 and 2
//! (DevTools' id range `(maxJsId(S1), maxJsId(S2)]`) that are still alive in
//! the last snapshot, grouped by class and by the path that retains them,
//! ranked so that classes growing in every interval come first.

use super::distances::{BASE_SYSTEM_DISTANCE, NO_DISTANCE};
use super::fasthash::FastMap;
use super::HeapSnapshot;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Members listed per group (the count covers all of them).
const MAX_MEMBERS: usize = 1000;
/// Hops walked from a member towards the root before giving up.
const MAX_PATH: usize = 100_000;
/// A node with more outgoing edges than this is a collection: the names of
/// its edges are data (Map keys, registry ids), not structure.
const COLLECTION_EDGES: usize = 64;

/// What the report needs from every snapshot of the series, in capture order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotFacts {
    /// A name for messages (file name).
    pub name: String,
    /// Largest odd object id.
    pub max_js_id: u32,
    /// Object count per class name (Summary, all objects).
    pub class_counts: HashMap<String, u64>,
    /// Total size.
    pub total_size: u64,
    /// Recent objects: `(id, type, name)` of up to 256 objects with the
    /// newest ids, to tell whether a later snapshot is of the same process.
    #[serde(default)]
    pub recent: Vec<(u32, String, String)>,
}

/// Objects sampled per snapshot for the same-process check.
const SAMPLE: usize = 256;

impl SnapshotFacts {
    /// Collects the facts of one snapshot.
    pub fn of(name: &str, s: &HeapSnapshot, rows: &[(String, u64)]) -> SnapshotFacts {
        let mut class_counts = HashMap::new();
        for (class, count) in rows {
            *class_counts.entry(class.clone()).or_insert(0) += count;
        }
        SnapshotFacts {
            name: name.to_owned(),
            max_js_id: s.max_js_id(),
            class_counts,
            total_size: s.total_size(),
            recent: recent_objects(s),
        }
    }
}

/// One step of a retaining path, from the GC-root side to the object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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
    /// How many times this hop repeats in a row (a linked list), if more than once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
}

/// A group of leaked objects: one class, one retaining path shape.
#[derive(Debug, Clone, Serialize)]
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
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct LeakReport {
    /// Groups, most suspicious first.
    pub groups: Vec<LeakGroup>,
    /// Problems with the series of snapshots.
    pub warnings: Vec<String>,
    /// The id range used: `(maxJsId(S1), maxJsId(S2)]`.
    pub id_range: (u32, u32),
    /// Total size of each snapshot.
    pub totals: Vec<u64>,
}

/// `(id, type, name)` of the objects with the newest odd ids (program objects,
/// not the deterministic start-up heap): the same id in a later snapshot of
/// the same process is the same object, so it has the same type and name.
fn recent_objects(s: &HeapSnapshot) -> Vec<(u32, String, String)> {
    let g = &s.graph;
    let mut newest: Vec<usize> = (0..g.node_count())
        .filter(|&n| g.node_id[n] % 2 == 1)
        .collect();
    let keep = newest.len().saturating_sub(SAMPLE);
    if keep > 0 {
        newest.select_nth_unstable_by_key(keep, |&n| g.node_id[n]);
    }
    newest[keep..]
        .iter()
        .map(|&n| {
            (
                g.node_id[n],
                g.type_name(n).to_owned(),
                g.name(n).to_owned(),
            )
        })
        .collect()
}

/// Warns when the objects sampled from an earlier snapshot mostly turn up
/// in `last` as different objects under the same ids: ids restart in every
/// process, so such snapshots cannot be compared by id.
fn same_process_warnings(last: &HeapSnapshot, facts: &[SnapshotFacts]) -> Vec<String> {
    let g = &last.graph;
    let mut wanted: FastMap<u32, Vec<(usize, &str, &str)>> = FastMap::default();
    for (i, f) in facts.iter().enumerate() {
        for (id, t, name) in &f.recent {
            wanted.entry(*id).or_default().push((i, t, name));
        }
    }
    let mut same = vec![0usize; facts.len()];
    let mut different = vec![0usize; facts.len()];
    for n in 0..g.node_count() {
        if let Some(samples) = wanted.get(&g.node_id[n]) {
            for &(i, t, name) in samples {
                if t == g.type_name(n) && name == g.name(n) {
                    same[i] += 1;
                } else {
                    different[i] += 1;
                }
            }
        }
    }
    let last_name = facts
        .last()
        .map_or("the last snapshot", |f| f.name.as_str());
    facts
        .iter()
        .enumerate()
        .filter(|&(i, _)| different[i] >= 16 && different[i] > same[i])
        .map(|(i, f)| {
            format!(
                "{} and {last_name} look like snapshots of different processes: {} of the {} objects \
                 they share ids with are different objects, so 'allocated between' means nothing across them",
                f.name,
                different[i],
                same[i] + different[i]
            )
        })
        .collect()
}

/// Checks the series and puts it in capture order; returns warnings.
pub fn order_series(facts: &mut [SnapshotFacts]) -> Vec<String> {
    let mut warnings = Vec::new();
    if facts.len() < 3 {
        warnings.push(format!(
            "only {} snapshot(s): the 3-snapshot technique needs 3 or more of one process \
             (take one, repeat the action, take another, repeat, take a third)",
            facts.len()
        ));
    }
    let ordered = facts.windows(2).all(|w| w[0].max_js_id <= w[1].max_js_id);
    if !ordered {
        let before: Vec<String> = facts.iter().map(|f| f.name.clone()).collect();
        facts.sort_by_key(|f| f.max_js_id);
        let after: Vec<String> = facts.iter().map(|f| f.name.clone()).collect();
        warnings.push(format!(
            "the snapshots were not in capture order ({}); reordered by their newest object id: {}",
            before.join(", "),
            after.join(", ")
        ));
    }
    for w in facts.windows(2) {
        if w[0].max_js_id == w[1].max_js_id {
            warnings.push(format!(
                "{} and {} have the same newest object id: the same snapshot twice, or snapshots of different processes",
                w[0].name, w[1].name
            ));
        }
    }
    if let (Some(first), Some(last)) = (facts.first(), facts.last()) {
        // Object ids restart in a new process: a later snapshot whose newest
        // id is far below the number of objects it holds came from elsewhere.
        if facts.len() >= 2 && last.max_js_id < first.max_js_id {
            warnings.push(
                "object ids go backwards: these snapshots come from different processes, so \
                 'allocated between' means nothing across them"
                    .to_owned(),
            );
        }
    }
    warnings
}

/// Builds the report on the last snapshot of the series.
pub fn leak_report(
    last: &HeapSnapshot,
    facts: &[SnapshotFacts],
    mut warnings: Vec<String>,
) -> LeakReport {
    warnings.extend(same_process_warnings(last, facts));
    let g = &last.graph;
    let n = g.node_count();
    let id_range = match facts {
        [a, b, ..] => (a.max_js_id, b.max_js_id),
        _ => (0, 0),
    };
    let k = g.meta.node_kinds;
    // V8 bookkeeping (internal types, `system / Context` and other `system /`
    // objects, heap numbers) is never what a developer leaked: its bytes still
    // count in the retained size of whatever holds it. Nor is what only V8's
    // own roots reach (distance "−").
    let not_reported = |node: usize| {
        let t = g.node_type[node];
        let d = last.distances[node];
        t == k.hidden
            || t == k.code
            || t == k.synthetic
            || t == k.array
            || matches!(g.type_name(node), "object shape" | "number")
            || g.name(node).starts_with("system / ")
            || !(0..BASE_SYSTEM_DISTANCE).contains(&d)
    };
    // Reported members: allocated in the range, alive, and not bookkeeping.
    let mut candidate = vec![false; n];
    let mut any = false;
    for (node, c) in candidate.iter_mut().enumerate() {
        let id = g.node_id[node];
        if id > id_range.0 && id <= id_range.1 && g.self_size[node] > 0 {
            any = true;
            *c = !not_reported(node);
        }
    }
    if !any && facts.len() >= 2 {
        warnings.push(format!(
            "no object of {} was allocated between {} and {}",
            facts.last().map_or("", |f| f.name.as_str()),
            facts[0].name,
            facts[1].name
        ));
    }
    let counted = topmost_candidates(last, &candidate);
    let parent = best_parent_edges(last);

    // Group by (class key, path shape).
    let mut groups: Vec<LeakGroup> = Vec::new();
    // Retained sizes summed without deduplication: only to break ties.
    let mut overlapping: Vec<u64> = Vec::new();
    let mut index: FastMap<(u32, Vec<(String, u32)>), usize> = FastMap::default();
    for node in 0..n {
        if !candidate[node] {
            continue;
        }
        let (signature, path) = path_of(last, &parent, node);
        let key = (last.classes.key_of[node], signature);
        let gi = *index.entry(key).or_insert_with(|| {
            groups.push(LeakGroup {
                name: last.classes.class_name(node).to_owned(),
                count: 0,
                self_size: 0,
                retained_size: 0,
                grows_every_interval: None,
                counts: Vec::new(),
                path,
                members: Vec::new(),
                held_by_other_groups: true,
            });
            overlapping.push(0);
            groups.len() - 1
        });
        overlapping[gi] += last.dominators.retained[node];
        let grp = &mut groups[gi];
        grp.count += 1;
        grp.self_size += g.self_size[node] as u64;
        if counted[node] {
            grp.retained_size += last.dominators.retained[node];
            grp.held_by_other_groups = false;
        }
        if grp.members.len() < MAX_MEMBERS {
            grp.members.push(g.node_id[node]);
        }
    }
    for grp in &mut groups {
        grp.counts = facts
            .iter()
            .map(|f| f.class_counts.get(&grp.name).copied().unwrap_or(0))
            .collect();
        if facts.len() >= 4 {
            // The class grew in every interval, and this group is a real part
            // of that growth (not one stray object of a busy class).
            let smallest = grp
                .counts
                .windows(2)
                .map(|w| w[1] as i64 - w[0] as i64)
                .min();
            grp.grows_every_interval =
                Some(smallest.is_some_and(|d| d > 0 && grp.count as i64 * 2 >= d));
        }
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    // Most suspicious first: classes that grew in every interval (4+
    // snapshots), then classes still growing in the last interval (a lazily
    // created singleton stops), then groups that own their memory.
    order.sort_by(|&a, &b| {
        let (x, y) = (&groups[a], &groups[b]);
        let grows = |g: &LeakGroup| g.grows_every_interval == Some(true);
        let still = |g: &LeakGroup| {
            let c = &g.counts;
            c.len() >= 2 && c[c.len() - 1] > c[c.len() - 2]
        };
        grows(y)
            .cmp(&grows(x))
            .then(still(y).cmp(&still(x)))
            .then(x.held_by_other_groups.cmp(&y.held_by_other_groups))
            .then(y.retained_size.cmp(&x.retained_size))
            .then(overlapping[b].cmp(&overlapping[a]))
            .then(y.count.cmp(&x.count))
            .then_with(|| x.name.cmp(&y.name))
    });
    let mut slots: Vec<Option<LeakGroup>> = groups.into_iter().map(Some).collect();
    let groups: Vec<LeakGroup> = order.into_iter().filter_map(|i| slots[i].take()).collect();
    LeakReport {
        groups,
        warnings,
        id_range,
        totals: facts.iter().map(|f| f.total_size).collect(),
    }
}

/// Candidates not dominated by another candidate (so no retained byte is
/// counted twice, within or across groups).
fn topmost_candidates(s: &HeapSnapshot, candidate: &[bool]) -> Vec<bool> {
    let g = &s.graph;
    let tree = s.dominators.tree(g.root());
    let mut counted = vec![false; g.node_count()];
    // Depth-first with a count of candidates on the path above.
    let mut stack: Vec<(u32, u32)> = vec![(g.root() as u32, 0)];
    while let Some((node, above)) = stack.pop() {
        let node = node as usize;
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

/// How much a retaining edge looks like V8 bookkeeping rather than program
/// structure (lower is better): memlab's preferences, simplified.
fn noise(s: &HeapSnapshot, e: usize, source: usize) -> u8 {
    let g = &s.graph;
    let k = g.meta.node_kinds;
    let ek = g.meta.edge_kinds;
    let t = g.edge_type[e];
    let st = g.node_type[source];
    if let Some(name) = g.edge_name_str(e) {
        if name == "feedback_cell" || name.contains("part of key") || name == "code" {
            return 3;
        }
    }
    if st == k.hidden || st == k.code || g.type_name(source) == "object shape" {
        return 2;
    }
    if t == ek.internal || t == ek.hidden {
        return 1;
    }
    0
}

/// For every node, the edge of a shortest retaining path that enters it,
/// preferring program edges over V8-internal ones (u32::MAX when none).
fn best_parent_edges(s: &HeapSnapshot) -> Vec<u32> {
    let g = &s.graph;
    let weak = g.meta.edge_kinds.weak;
    let d = &s.distances;
    let mut parent = vec![u32::MAX; g.node_count()];
    let mut score = vec![u8::MAX; g.node_count()];
    for src in 0..g.node_count() {
        if d[src] == NO_DISTANCE {
            continue;
        }
        for e in g.edges(src) {
            let to = g.edge_to[e] as usize;
            if g.edge_type[e] == weak || d[to] != d[src] + 1 {
                continue;
            }
            let sc = noise(s, e, src);
            if sc < score[to] {
                score[to] = sc;
                parent[to] = e as u32;
            }
        }
    }
    parent
}

/// The path to `node` and its shape, from the root side. In the shape, data
/// is folded away (indexes, numbered slots, collection keys, and the name by
/// which the member itself is held), and a hop repeated in a row (a linked
/// list) counts once.
fn path_of(s: &HeapSnapshot, parent: &[u32], node: usize) -> (Vec<(String, u32)>, Vec<PathStep>) {
    let g = &s.graph;
    let mut hops: Vec<(usize, Option<usize>)> = Vec::new();
    let mut cur = node;
    // Parent edges lower the distance by one, so the walk ends at a root.
    while parent[cur] != u32::MAX && hops.len() < MAX_PATH && cur != g.root() {
        let e = parent[cur] as usize;
        hops.push((cur, Some(e)));
        cur = g.edge_source(e);
    }
    if cur != g.root() {
        hops.push((cur, None));
    }
    hops.reverse();
    let last = hops.len() - 1;
    let folded = |i: usize, e: Option<usize>| match e {
        None => String::new(),
        Some(e) => {
            let name = g.edge_name(e);
            let data = g.edge_has_index(e)
                || i == last
                || name.bytes().all(|b| b.is_ascii_digit())
                || g.edges(g.edge_source(e)).len() > COLLECTION_EDGES;
            if data {
                "[]".to_owned()
            } else {
                name
            }
        }
    };
    let mut signature: Vec<(String, u32)> = Vec::new();
    let mut steps: Vec<PathStep> = Vec::new();
    for (i, &(n, e)) in hops.iter().enumerate() {
        let key = (folded(i, e), s.classes.key_of[n]);
        if i != last && signature.last() == Some(&key) {
            if let Some(step) = steps.last_mut() {
                step.repeat = Some(step.repeat.unwrap_or(1) + 1);
            }
            continue;
        }
        signature.push(key);
        steps.push(step(s, n, e));
    }
    (signature, steps)
}

fn step(s: &HeapSnapshot, node: usize, edge: Option<usize>) -> PathStep {
    let g = &s.graph;
    let t = g.node_type[node];
    let k = g.meta.node_kinds;
    let name = if t == k.closure {
        format!("{}()", g.name(node))
    } else if t == k.synthetic {
        g.name(node).to_owned()
    } else {
        s.classes.class_name(node).to_owned()
    };
    PathStep {
        node: name,
        edge: edge.map(|e| g.edge_name(e)).unwrap_or_default(),
        edge_type: edge
            .map(|e| g.edge_type_name(e).to_owned())
            .unwrap_or_default(),
        id: g.node_id[node],
        repeat: None,
    }
}
