//! What holds an object and what it holds: references (Containment),
//! retainers and the retaining path (with retainers the viewer chose to
//! ignore, as DevTools' "Ignore this retainer"), and the dominator tree.

use super::protocol::{Page, Window};
use super::rows::{EdgeRow, NodeRow};
use super::Session;
use crate::analysis::classes::js_cmp;
use crate::analysis::distances::{self, shown, BASE_UNREACHABLE_DISTANCE, NO_DISTANCE};
use crate::analysis::paths::Parents;

impl Session {
    /// Distance in the Retainers pane: with ignored retainers left out
    /// (DevTools keeps the Summary's distances as they were).
    fn retainer_distance(&self, n: usize) -> i32 {
        match &self.ignored.distances {
            Some(d) => d[n],
            None => self.snapshot.distances[n],
        }
    }

    /// Whether node `n` is an ignored retainer.
    pub(super) fn is_ignored(&self, n: usize) -> bool {
        self.ignored.mask.get(n).copied().unwrap_or(false)
    }

    /// Edge `e` as a Retainers-pane row showing `other`.
    fn retainer_row(&self, e: usize, other: usize) -> EdgeRow {
        let mut row = self.edge_row(e, other);
        row.node.distance = shown(self.retainer_distance(other));
        row
    }

    /// Node `n` as the Retainers pane shows it.
    fn retainer_node_row(&self, n: usize) -> NodeRow {
        let mut row = self.node_row(n);
        row.distance = shown(self.retainer_distance(n));
        row
    }

    /// References held by node `n` (Containment).
    pub(super) fn edges(&self, n: usize, window: Window) -> Page<EdgeRow> {
        let g = &self.snapshot.graph;
        let first = g.edges(n).start;
        Page::of(g.edges(n).len(), window, |i| {
            let e = first + i;
            self.edge_row(e, g.edge_to[e] as usize)
        })
    }

    /// Incoming edges DevTools lists in the Retainers pane, sorted by the
    /// retainer's distance (none last), then edge name.
    pub fn retainer_edges(&self, n: usize) -> Vec<usize> {
        let g = &self.snapshot.graph;
        let weak = g.meta.edge_kinds.weak;
        let mut edges: Vec<usize> = self
            .snapshot
            .retainers()
            .edges_into(g, n)
            .into_iter()
            .map(|e| e.index())
            .filter(|&e| g.edge_type[e] != weak && g.edge_source(e) != g.root())
            .collect();
        let key = |e: usize| match self.retainer_distance(g.edge_source(e).index()) {
            d if d < 0 => i64::MAX,
            d => i64::from(d),
        };
        edges.sort_by(|&a, &b| {
            key(a)
                .cmp(&key(b))
                .then_with(|| js_cmp(&g.edge_label(a), &g.edge_label(b)))
        });
        edges
    }

    /// A page of node `n`'s retainers.
    pub(super) fn retainers(&self, n: usize, window: Window) -> Page<EdgeRow> {
        let g = &self.snapshot.graph;
        let edges = self.retainer_edges(n);
        Page::of(edges.len(), window, |i| {
            self.retainer_row(edges[i], g.edge_source(edges[i]).index())
        })
    }

    /// The shortest retaining path of `n`, from the root side down to `n`
    /// (see [`crate::analysis::paths`]): each step is the edge into a node
    /// and that node. Empty when nothing reaches `n` any more.
    pub fn retaining_path(&self, n: usize) -> Vec<EdgeRow> {
        let parents = self.parents.get_or_init(|| {
            let s = &self.snapshot;
            let d = self.ignored.distances.as_deref().unwrap_or(&s.distances);
            let mask = (!self.ignored.mask.is_empty()).then_some(&self.ignored.mask[..]);
            Parents::new(s, d, mask)
        });
        if parents.parent(n).is_none() {
            return Vec::new();
        }
        parents
            .hops(&self.snapshot, n)
            .into_iter()
            .map(|(n, e)| (n.index(), e.map(|e| e.index())))
            .map(|(node, edge)| match edge {
                Some(e) => self.retainer_row(e, node),
                None => EdgeRow {
                    node: self.retainer_node_row(node),
                    ..self.start_row(node)
                },
            })
            .collect()
    }

    /// Leaves node `n` out of (or back in) retaining paths and distances.
    pub(super) fn set_ignored(&mut self, n: usize, on: bool) {
        let count = self.snapshot.graph.node_count();
        let ignored = &mut self.ignored;
        if ignored.mask.len() != count {
            ignored.mask = vec![false; count];
        }
        ignored.mask[n] = on;
        let id = self.snapshot.graph.node_id[n];
        ignored.ids.retain(|&x| x != id);
        if on {
            ignored.ids.push(id);
        }
        self.parents = Default::default();
        if ignored.ids.is_empty() {
            ignored.distances = None;
            return;
        }
        let s = &self.snapshot;
        let mut d = distances::distances(&s.graph, &s.ephemerons, Some(&ignored.mask));
        // Retainers cut off by an ignored node sort last, as in DevTools.
        for (i, v) in d.iter_mut().enumerate() {
            if *v == NO_DISTANCE && s.distances[i] != NO_DISTANCE {
                *v = BASE_UNREACHABLE_DISTANCE + s.distances[i];
            }
        }
        ignored.distances = Some(d);
    }

    /// Brings every ignored retainer back.
    pub(super) fn clear_ignored(&mut self) {
        self.ignored = Default::default();
        self.parents = Default::default();
    }

    /// A page of the nodes `n` immediately dominates, largest retained first.
    pub(super) fn dominated(&self, n: usize, window: Window) -> Page<NodeRow> {
        let dom = &self.snapshot.dominators;
        let mut children: Vec<usize> = dom.tree().children(n).iter().map(|&c| c.index()).collect();
        children.sort_by(|&a, &b| {
            dom.retained
                .get(b)
                .cmp(&dom.retained.get(a))
                .then(a.cmp(&b))
        });
        self.node_page(&children, window)
    }

    /// Node `n` and its dominators up to the root.
    pub(super) fn dominator_chain(&self, mut n: usize) -> Vec<NodeRow> {
        let mut rows = vec![self.node_row(n)];
        let root = self.snapshot.graph.root().index();
        while n != root && rows.len() <= self.snapshot.graph.node_count() {
            n = self.snapshot.dominators.idom[n].index();
            rows.push(self.node_row(n));
        }
        rows
    }
}
