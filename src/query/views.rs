//! The query layer's answers to the realms, growing collections and
//! retainer graph requests, from the analyses in `src/analysis/`
//! (`realms.rs`, `collections.rs`, `retainer_graph.rs`), paged and shaped
//! for the wire; a realm's Summary is the Summary scoped to it.

use super::protocol::{Order, Page, Scope, Window};
use super::rows::ClassRow;
use super::Session;
use crate::analysis::collections::{growing_collections, Census, GrowingCollection};
use crate::analysis::realms::{attribute, realms, Attribution, RealmFilter, Realms};
use crate::analysis::retainer_graph::{retainer_graph, to_svg, Limits, RetainerGraph};
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
    /// The native context of every node: computed on the first call (a
    /// pass over the edges, 4 bytes per node kept), then kept.
    pub fn attribution(&self) -> &Attribution {
        self.attribution
            .get_or_init(|| attribute(&self.snapshot.graph))
    }

    /// Every native context and the bytes attributed to it.
    pub fn realms(&self) -> Realms {
        realms(&self.snapshot, self.attribution())
    }

    /// The realm filter DevTools names `name` (a realm's `filterName`,
    /// `sharedNativeContext` or `noNativeContext`).
    pub fn realm_filter(&self, name: &str) -> Result<RealmFilter> {
        RealmFilter::from_devtools_name(&self.snapshot.graph, self.attribution(), name).ok_or_else(
            || {
                Error::new(format!(
                    "no realm filter {name:?} in this snapshot: give a realm's filterName \
                     (nativeContext_<node index>), sharedNativeContext or noNativeContext"
                ))
            },
        )
    }

    /// Summary rows of the objects realm filter `filter` (DevTools'
    /// `filterName`) keeps whose class name contains `class_filter`,
    /// sorted: the Summary with [`Scope::realm`] set.
    pub fn realm_summary(
        &mut self,
        filter: &str,
        class_filter: &str,
        order: Order,
        window: Window,
    ) -> Result<Page<ClassRow>> {
        let scope = Scope {
            realm: Some(filter.to_owned()),
            ..Scope::default()
        };
        self.summary_page(scope, class_filter, order, window)
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
