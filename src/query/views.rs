//! The query layer's answers to the realms, growing collections and
//! retainer graph requests, from the analyses in `src/analysis/`
//! (`realms.rs`, `collections.rs`, `retainer_graph.rs`), paged and shaped
//! for the wire.

use super::protocol::{Order, Page, Window};
use super::rows::ClassRow;
use super::Session;
use crate::analysis::collections::{growing_collections, Census, GrowingCollection};
use crate::analysis::realms::{attribute, passing, realms, RealmFilter, Realms};
use crate::analysis::retainer_graph::{retainer_graph, to_svg, Limits, RetainerGraph};
use crate::analysis::summary::aggregate;
use crate::error::{Error, Result};
use serde::Serialize;

/// The answer to `retainerGraph`.
#[derive(Debug, Clone, Serialize)]
pub struct GraphAnswer {
    /// The laid-out graph.
    pub graph: RetainerGraph,
    /// The graph drawn, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

impl Session {
    /// Every native context and the bytes attributed to it.
    pub fn realms(&self) -> Realms {
        realms(&self.snapshot, &attribute(&self.snapshot.graph))
    }

    /// Summary rows of the objects realm filter `filter` (DevTools'
    /// `filterName`) keeps whose class name contains `class_filter`, sorted.
    pub fn realm_summary(
        &self,
        filter: &str,
        class_filter: &str,
        order: Order,
        window: Window,
    ) -> Result<Page<ClassRow>> {
        let s = &self.snapshot;
        let a = attribute(&s.graph);
        let Some(realm) = RealmFilter::from_devtools_name(&s.graph, &a, filter) else {
            return Err(Error::new(format!(
                "no realm filter {filter:?} in this snapshot: give a realm's filterName \
                 (nativeContext_<node index>), sharedNativeContext or noNativeContext"
            )));
        };
        let pass = passing(&a, realm);
        let rows = self.class_rows(aggregate(s, &|n| pass.get(n)), class_filter, order);
        let mut page = Page::of(rows.len(), window, |i| rows[i].clone());
        page.total_size = Some(s.total_size());
        Ok(page)
    }

    /// The collections of this snapshot that grew in every interval of the
    /// series whose censuses are `censuses` (this snapshot's last).
    pub fn growing_collections(&self, censuses: &[Census]) -> Vec<GrowingCollection> {
        growing_collections(censuses, &self.snapshot)
    }

    /// The answer to `retainerGraph`: the graph of object `id` within
    /// `(max_depth, max_nodes, max_siblings)` (defaults where `None`), the
    /// retainers of the objects `expanded` all followed, and its SVG if `svg`.
    pub fn retainer_graph_answer(
        &self,
        id: u32,
        (max_depth, max_nodes, max_siblings): (Option<usize>, Option<usize>, Option<usize>),
        expanded: &[u32],
        svg: bool,
    ) -> Result<GraphAnswer> {
        let defaults = Limits::default();
        let limits = Limits {
            max_depth: max_depth.unwrap_or(defaults.max_depth),
            max_nodes: max_nodes.unwrap_or(defaults.max_nodes),
            max_siblings: max_siblings.unwrap_or(defaults.max_siblings),
            expanded: expanded
                .iter()
                .map(|&id| self.node(id))
                .collect::<Result<_>>()?,
        };
        let s = &self.snapshot;
        // The Retainers pane's distances: ignored retainers cut off what
        // only they reach (those sort past BASE_UNREACHABLE_DISTANCE, which
        // the graph treats as unreached).
        let distances = self.ignored.distances.as_deref().unwrap_or(&s.distances);
        let graph = retainer_graph(s, self.node(id)?, distances, &limits);
        let svg = svg.then(|| to_svg(&graph));
        Ok(GraphAnswer { graph, svg })
    }
}
