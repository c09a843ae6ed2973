//! The retainer graph of one object: its retaining paths from the roots,
//! merged where they share nodes, bounded (depth, nodes, retainers per
//! node), laid out left to right (the roots in the first column, the object
//! in the last), and written as SVG.
//!
//! The walk is DevTools' `getRetainingPaths` (the MCP server's retaining
//! paths): depth first from the object up its retainers, nearest to the
//! roots first, never over weak edges or from nodes the distances do not
//! reach (so ignoring a retainer, which recomputes the distances, takes it
//! out), pruning retainers too far from the roots for the depth left. Two
//! differences: a path ends at a child of the snapshot's root (a user root
//! such as `global` or `Window`, or `(GC roots)`), not at distance 2, so
//! objects only the system roots hold have paths too; and a node met again
//! joins the paths already found through it instead of being dropped, which
//! is what merges them.

use super::distances::{shown, BASE_SYSTEM_DISTANCE, BASE_UNREACHABLE_DISTANCE};
use super::fasthash::{FastMap, FastSet};
use super::names::display_name;
use super::HeapSnapshot;
use serde::Serialize;

/// How far the walk goes.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest path, in edges.
    pub max_depth: usize,
    /// Nodes visited (DevTools' `maxNodes`).
    pub max_nodes: usize,
    /// Retainers followed per node, nearest to the roots first.
    pub max_siblings: usize,
    /// Nodes whose retainers are all followed (their hidden siblings expanded).
    pub expanded: Vec<usize>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 50,
            max_nodes: 5000,
            max_siblings: 25,
            expanded: Vec::new(),
        }
    }
}

/// Which limits cut the graph short.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LimitsReached {
    /// A path would have been longer than `max_depth`.
    pub depth: bool,
    /// More than `max_nodes` nodes were visited.
    pub nodes: bool,
    /// A node had more retainers than `max_siblings`.
    pub siblings: bool,
}

/// A node of the graph.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GraphNode {
    /// Object id.
    pub id: u32,
    /// Display name, bounded.
    pub name: String,
    /// Class (Summary row).
    pub class_name: String,
    /// Node type (`object`, `closure`, `synthetic`, …).
    pub node_type: String,
    /// Distance from the roots, as shown (`None` for "−").
    pub distance: Option<u32>,
    /// Shallow size.
    pub self_size: u64,
    /// Retained size.
    pub retained_size: u64,
    /// Column: 0 holds the roots, the last one the object.
    pub x: u32,
    /// Row within the column, from the top.
    pub y: u32,
    /// A path starts here (a child of the snapshot's root).
    pub root: bool,
    /// Retainers left out by the sibling limit.
    pub hidden_retainers: u32,
}

/// An edge of the graph: `from` holds `to`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GraphEdge {
    /// Index of the retainer in `nodes`.
    pub from: u32,
    /// Index of the retained node in `nodes`.
    pub to: u32,
    /// Edge name (a property, an index, a variable), bounded.
    pub name: String,
    /// Edge type (`property`, `element`, `context`, `internal`, …).
    pub edge_type: String,
}

/// The retaining paths of one object, merged and laid out.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RetainerGraph {
    /// Nodes; the object is the first.
    pub nodes: Vec<GraphNode>,
    /// Edges, each once.
    pub edges: Vec<GraphEdge>,
    /// Columns of the layout.
    pub columns: u32,
    /// Most nodes in one column.
    pub rows: u32,
    /// Which limits cut it short.
    pub limits_reached: LimitsReached,
}

/// The walk's state.
struct Walk<'a> {
    s: &'a HeapSnapshot,
    distances: &'a [i32],
    limits: &'a Limits,
    visited: usize,
    visiting: FastSet<usize>,
    /// Depth a node was last walked at, and whether it reached a root.
    done: FastMap<usize, (usize, bool)>,
    index_of: FastMap<usize, u32>,
    order: Vec<usize>,
    hidden: Vec<u32>,
    edges: Vec<(usize, usize, usize)>,
    edge_seen: FastSet<usize>,
    reached: LimitsReached,
}

impl Walk<'_> {
    /// Edges from `n` to the nearest roots, or `None` when the distances do
    /// not reach it (unreachable, or cut off by an ignored retainer).
    fn hops_to_root(&self, n: usize) -> Option<usize> {
        let d = self.distances[n];
        if !(0..BASE_UNREACHABLE_DISTANCE).contains(&d) {
            None
        } else if d >= BASE_SYSTEM_DISTANCE {
            Some((d - BASE_SYSTEM_DISTANCE).saturating_sub(1) as usize)
        } else {
            Some((d as usize).saturating_sub(1))
        }
    }

    fn is_root_level(&self, n: usize) -> bool {
        let g = &self.s.graph;
        n != g.root().index()
            && self.s.retainers().source[self.s.retainers().slots(n)]
                .iter()
                .any(|&src| src == g.root())
    }

    fn add_node(&mut self, n: usize) -> u32 {
        if let Some(&i) = self.index_of.get(&n) {
            return i;
        }
        let i = self.order.len() as u32;
        self.index_of.insert(n, i);
        self.order.push(n);
        self.hidden.push(0);
        i
    }

    /// Walks up from `n`, `depth` edges from the object; true when `n` is
    /// on a path from a root within the limits (it is then in the graph).
    fn visit(&mut self, n: usize, depth: usize) -> bool {
        self.visited += 1;
        if self.visited > self.limits.max_nodes {
            self.reached.nodes = true;
            return false;
        }
        if self.is_root_level(n) {
            self.add_node(n);
            return true;
        }
        if depth >= self.limits.max_depth {
            self.reached.depth = true;
            return false;
        }
        if self.visiting.contains(&n) {
            return false;
        }
        if let Some(&(at, reached_root)) = self.done.get(&n) {
            if depth >= at {
                return reached_root;
            }
        }
        self.visiting.insert(n);
        let (retainers, hidden) = self.retainers(n, depth);
        let mut reached_root = false;
        for (e, src) in retainers {
            if self.visit(src, depth + 1) {
                self.add_node(n);
                if self.edge_seen.insert(e) {
                    self.edges.push((src, n, e));
                }
                reached_root = true;
            }
        }
        if reached_root {
            let i = self.index_of[&n] as usize;
            self.hidden[i] = hidden;
        }
        self.visiting.remove(&n);
        self.done.insert(n, (depth, reached_root));
        reached_root
    }

    /// The retainers of `n` to follow, nearest to the roots first, and how
    /// many the sibling limit left out.
    fn retainers(&mut self, n: usize, depth: usize) -> (Vec<(usize, usize)>, u32) {
        let g = &self.s.graph;
        let weak = g.meta.edge_kinds.weak;
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for e in self.s.retainers().edges_into(g, n) {
            let e = e.index();
            let src = g.edge_source(e);
            if g.edge_type[e] == weak || src == g.root() {
                continue;
            }
            let src = src.index();
            let Some(hops) = self.hops_to_root(src) else {
                continue;
            };
            if hops < self.limits.max_depth - depth {
                found.push((hops, e, src));
            } else {
                self.reached.depth = true;
            }
        }
        found.sort_by_key(|&(hops, e, _)| (hops, e));
        let keep = if self.limits.expanded.contains(&n) {
            found.len()
        } else {
            found.len().min(self.limits.max_siblings)
        };
        let hidden = (found.len() - keep) as u32;
        if hidden > 0 {
            self.reached.siblings = true;
        }
        found.truncate(keep);
        (
            found.into_iter().map(|(_, e, src)| (e, src)).collect(),
            hidden,
        )
    }
}

/// The retainer graph of `target`; `distances` are the ones the retainers
/// view uses (recomputed when retainers are ignored).
pub fn retainer_graph(
    s: &HeapSnapshot,
    target: usize,
    distances: &[i32],
    limits: &Limits,
) -> RetainerGraph {
    let mut walk = Walk {
        s,
        distances,
        limits,
        visited: 0,
        visiting: FastSet::default(),
        done: FastMap::default(),
        index_of: FastMap::default(),
        order: Vec::new(),
        hidden: Vec::new(),
        edges: Vec::new(),
        edge_seen: FastSet::default(),
        reached: LimitsReached::default(),
    };
    walk.add_node(target);
    walk.visit(target, 0);
    let g = &s.graph;
    let edges: Vec<GraphEdge> = walk
        .edges
        .iter()
        .map(|&(from, to, e)| GraphEdge {
            from: walk.index_of[&from],
            to: walk.index_of[&to],
            name: g.edge_name(e),
            edge_type: g.edge_type_name(e).to_owned(),
        })
        .collect();
    let (x, y) = layout(walk.order.len(), &edges);
    let nodes: Vec<GraphNode> = walk
        .order
        .iter()
        .enumerate()
        .map(|(i, &n)| GraphNode {
            id: g.node_id[n],
            name: display_name(g, n).0,
            class_name: s.classes.class_name(n).to_owned(),
            node_type: g.type_name(n).to_owned(),
            distance: shown(s.distances[n]),
            self_size: g.self_size[n] as u64,
            retained_size: s.dominators.retained.get(n),
            x: x[i],
            y: y[i],
            root: n != target && walk.is_root_level(n),
            hidden_retainers: walk.hidden[i],
        })
        .collect();
    let columns = x.iter().max().map_or(0, |&m| m + 1);
    let rows = y.iter().max().map_or(0, |&m| m + 1);
    RetainerGraph {
        nodes,
        edges,
        columns,
        rows,
        limits_reached: walk.reached,
    }
}

/// Columns and rows of `count` nodes (node 0 the object): a node's column
/// counts back from the object's by its longest chain of held nodes, so
/// every edge points right (where merging made a cycle, the node with the
/// lowest index breaks it); within a column nodes sit in the order of the
/// rows of what they hold (one barycenter pass from the object outwards),
/// which keeps most edges from crossing.
fn layout(count: usize, edges: &[GraphEdge]) -> (Vec<u32>, Vec<u32>) {
    let mut holds: Vec<Vec<u32>> = vec![Vec::new(); count];
    let mut held_by: Vec<Vec<u32>> = vec![Vec::new(); count];
    for e in edges {
        holds[e.from as usize].push(e.to);
        held_by[e.to as usize].push(e.from);
    }
    // Kahn's order over "holds": a node is placed once all it holds are.
    let mut waiting: Vec<usize> = holds.iter().map(Vec::len).collect();
    let mut level = vec![0u32; count];
    let mut placed = vec![false; count];
    let mut ready: Vec<usize> = (0..count).filter(|&n| waiting[n] == 0).collect();
    let mut order = Vec::with_capacity(count);
    while order.len() < count {
        let n = match ready.pop() {
            Some(n) => n,
            None => match (0..count).find(|&n| !placed[n]) {
                Some(n) => n,
                None => break,
            },
        };
        if placed[n] {
            continue;
        }
        placed[n] = true;
        order.push(n);
        level[n] = holds[n]
            .iter()
            .filter(|&&t| placed[t as usize])
            .map(|&t| level[t as usize] + 1)
            .max()
            .unwrap_or(0);
        for &r in &held_by[n] {
            let r = r as usize;
            waiting[r] = waiting[r].saturating_sub(1);
            if waiting[r] == 0 && !placed[r] {
                ready.push(r);
            }
        }
    }
    let deepest = level.iter().copied().max().unwrap_or(0);
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); deepest as usize + 1];
    for &n in &order {
        by_level[level[n] as usize].push(n);
    }
    let mut y = vec![0u32; count];
    for column in &by_level {
        let mean = |n: usize| -> f64 {
            let held = &holds[n];
            if held.is_empty() {
                return 0.0;
            }
            held.iter().map(|&t| y[t as usize] as f64).sum::<f64>() / held.len() as f64
        };
        let mut keyed: Vec<(f64, usize)> = column.iter().map(|&n| (mean(n), n)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (row, &(_, n)) in keyed.iter().enumerate() {
            y[n] = row as u32;
        }
    }
    let x = level.iter().map(|&l| deepest - l).collect();
    (x, y)
}

/// Layout of the SVG, in pixels.
const COLUMN_WIDTH: u32 = 330;
const ROW_HEIGHT: u32 = 64;
const NODE_WIDTH: u32 = 190;
const NODE_HEIGHT: u32 = 40;
const MARGIN: u32 = 24;
/// Characters of a name or edge name drawn (the whole one is in the tooltip).
const LABEL_CHARS: usize = 24;

/// `text` for XML character data and attribute values: the leak report's
/// HTML escape (markup characters as entities, controls and bidi overrides
/// as visible escapes), and the two noncharacters XML 1.0 cannot hold
/// replaced, so that the page's XML parser never rejects a drawing.
pub fn xml_escape(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| match c {
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect();
    crate::report::html_escape(&text)
}

/// `text` cut to [`LABEL_CHARS`] characters, with `…` when cut.
fn label(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(LABEL_CHARS - 1).collect();
    cut.push('\u{2026}');
    cut
}

/// Where an edge's name goes: on its curve (from `from` to `to`, control
/// points `bend` to the right of `from` and left of `to`) in the middle of
/// the gap before the box it points at, where no box is.
fn edge_label_at(from: (u32, u32), to: (u32, u32), bend: i64) -> (i64, i64) {
    let (x1, y1, x2, y2) = (from.0 as f64, from.1 as f64, to.0 as f64, to.1 as f64);
    let b = bend as f64;
    let point = |t: f64| {
        let u = 1.0 - t;
        let x = u * u * u * x1
            + 3.0 * u * u * t * (x1 + b)
            + 3.0 * u * t * t * (x2 - b)
            + t * t * t * x2;
        let y = u * u * u * y1 + 3.0 * u * u * t * y1 + 3.0 * u * t * t * y2 + t * t * t * y2;
        (x, y)
    };
    let want = x2 - f64::from(COLUMN_WIDTH - NODE_WIDTH) / 2.0;
    // x grows along a rightward edge: bisect for the point at `want`.
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        if point(mid).0 < want {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (x, y) = point(if x2 > x1 { lo } else { 0.5 });
    (x.round() as i64, y.round() as i64)
}

/// The graph as a standalone SVG document: boxes for nodes (each a `<g>`
/// with `data-id` and `data-index`, the object outlined, path starts
/// shaded), arrows from retainer to retained with the edge name on them.
pub fn to_svg(graph: &RetainerGraph) -> String {
    let width = graph.columns.max(1) * COLUMN_WIDTH + 2 * MARGIN;
    let height = graph.rows.max(1) * ROW_HEIGHT + 2 * MARGIN;
    let left = |n: &GraphNode| MARGIN + n.x * COLUMN_WIDTH;
    let top = |n: &GraphNode| MARGIN + n.y * ROW_HEIGHT;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" \
         markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#777\"/></marker></defs>\n"
    );
    // Labels already placed: a label moves down until it overlaps none
    // (parallel edges, long edges ending beside short ones).
    let mut placed: Vec<(i64, i64)> = Vec::new();
    for e in &graph.edges {
        let (from, to) = (&graph.nodes[e.from as usize], &graph.nodes[e.to as usize]);
        let (x1, y1) = (left(from) + NODE_WIDTH, top(from) + NODE_HEIGHT / 2);
        let (x2, y2) = (left(to), top(to) + NODE_HEIGHT / 2);
        let bend = (x2 as i64 - x1 as i64).abs().max(40) / 2;
        let (mx, mut my) = edge_label_at((x1, y1), (x2, y2), bend);
        while placed
            .iter()
            .any(|&(px, py)| (px - mx).abs() < 100 && (py - my).abs() < 12)
        {
            my += 12;
        }
        placed.push((mx, my));
        svg.push_str(&format!(
            "<g class=\"edge\" data-from=\"{}\" data-to=\"{}\"><path d=\"M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}\" \
             fill=\"none\" stroke=\"#777\" marker-end=\"url(#arrow)\"/>\
             <text x=\"{mx}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\"><title>{} ({})</title>{}</text></g>\n",
            e.from,
            e.to,
            x1 as i64 + bend,
            x2 as i64 - bend,
            my - 4,
            xml_escape(&e.name),
            xml_escape(&e.edge_type),
            xml_escape(&label(&e.name)),
        ));
    }
    for (i, n) in graph.nodes.iter().enumerate() {
        let (x, y) = (left(n), top(n));
        let (fill, stroke) = match (i, n.root) {
            (0, _) => ("#fff4d6", "#c77c00"),
            (_, true) => ("#e8eef8", "#4a6fa5"),
            _ => ("#ffffff", "#888888"),
        };
        let hidden = match n.hidden_retainers {
            0 => String::new(),
            h => format!(" +{h} more"),
        };
        svg.push_str(&format!(
            "<g class=\"node\" data-index=\"{i}\" data-id=\"{}\">\
             <title>{} @{} ({}), shallow {} B, retained {} B</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{NODE_WIDTH}\" height=\"{NODE_HEIGHT}\" rx=\"4\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" fill=\"#666\">@{}{}</text></g>\n",
            n.id,
            xml_escape(&n.name),
            n.id,
            xml_escape(&n.class_name),
            n.self_size,
            n.retained_size,
            x + 6,
            y + 16,
            xml_escape(&label(&n.name)),
            x + 6,
            y + 32,
            n.id,
            hidden,
        ));
    }
    svg.push_str("</svg>\n");
    svg
}
