//! Paged, sorted, filtered rows over an analysed snapshot: the one API every
//! front end uses (the page's worker through `src/wasm.rs`, the CLI, the MCP
//! server). [`protocol`] defines the requests and responses; a [`Session`]
//! answers them from what the analyses computed, and only pages, sorts and
//! filters: no analysis lives here.

mod allocations;
mod classes;
mod compare;
mod lists;
pub mod protocol;
mod retainers;
pub mod rows;
mod session;
mod views;

pub use compare::DiffInstance;
pub use protocol::{
    AllocationPage, ComparePage, IdRange, Order, Page, Request, Response, Scope, SortBy, Stack,
    Window, SCHEMA, STRING_PAGE_LIMIT,
};
pub use rows::{
    ClassRow, ContextRow, EdgeRow, HolderRow, Info, NameWindow, NodeRow, StringRow, VariableRow,
};
pub use session::Session;
pub use views::GraphAnswer;

use crate::analysis::search::SearchIndex;
use crate::snapshot::NodeId;

impl Session {
    /// Objects (self size > 0) whose displayed name contains `text`, in node
    /// order, or the object `@id`. The index is built on the first search.
    pub fn search(&self, text: &str, match_case: bool) -> Vec<usize> {
        if let Some(id) = text
            .trim()
            .strip_prefix('@')
            .and_then(|t| t.parse::<u32>().ok())
        {
            return self.snapshot.node_by_id(NodeId(id)).into_iter().collect();
        }
        if text.is_empty() {
            return Vec::new();
        }
        let g = &self.snapshot.graph;
        self.search
            .get_or_init(|| SearchIndex::new(g))
            .find(g, text, match_case)
    }
}
