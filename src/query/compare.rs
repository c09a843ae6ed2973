//! The Comparison view's rows: [`crate::analysis::diff`]'s classes
//! filtered by name and sorted, and one class's new and deleted objects,
//! paged before they are named.

use super::classes::directed;
use super::protocol::{Order, Page, SortBy, Window};
use super::Session;
use crate::analysis::classes::js_cmp;
use crate::analysis::diff::{self, DiffBase, DiffRow};
use crate::analysis::names::display_name;
use serde::Serialize;

/// One object of a Comparison class.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffInstance {
    /// `new` or `deleted`.
    pub status: &'static str,
    /// Object id.
    pub id: u32,
    /// Display name (a deleted object's is its class name: it is not in
    /// this snapshot).
    pub name: String,
    /// The name's full length when `name` is cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Shallow size.
    pub self_size: u64,
}

impl Session {
    /// Comparison rows against `base` whose class name contains
    /// `class_filter` (any case), sorted (DevTools' `calculateSnapshotDiff`).
    pub(super) fn compare(
        &self,
        base: &DiffBase,
        class_filter: &str,
        order: Order,
    ) -> Vec<DiffRow> {
        let needle = class_filter.to_lowercase();
        let mut rows: Vec<DiffRow> = diff::compare(base, self.current_by_key())
            .into_iter()
            .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle))
            .collect();
        rows.sort_by(|a, b| {
            let o = match order.sort_by {
                SortBy::Name => js_cmp(&a.name, &b.name),
                SortBy::NewCount | SortBy::Count => a.new_count.cmp(&b.new_count),
                SortBy::DeletedCount => a.deleted_count.cmp(&b.deleted_count),
                SortBy::DeltaCount => a.delta_count.cmp(&b.delta_count),
                SortBy::FreedSize => a.freed_size.cmp(&b.freed_size),
                SortBy::SizeDelta => a.size_delta.cmp(&b.size_delta),
                _ => a.added_size.cmp(&b.added_size),
            };
            directed(o, order.ascending, (&a.name, &a.key), (&b.name, &b.key))
        });
        rows
    }

    /// A page of class `class_key`'s new objects, then its deleted ones.
    pub(super) fn compare_instances(
        &self,
        base: &DiffBase,
        class_key: &str,
        window: Window,
    ) -> Page<DiffInstance> {
        let changes = diff::changes(base, self.current_by_key(), class_key);
        let class = base.classes.get(class_key);
        Page::of(changes.len(), window, |i| {
            let c = changes[i];
            let (name, name_length) = match c.new {
                true => self
                    .snapshot
                    .node_by_id(c.id)
                    .map(|n| display_name(&self.snapshot.graph, n))
                    .unwrap_or_default(),
                false => class.map_or_else(Default::default, |b| (b.name.clone(), b.name_length)),
            };
            DiffInstance {
                status: if c.new { "new" } else { "deleted" },
                id: c.id.0,
                name,
                name_length,
                self_size: u64::from(c.size),
            }
        })
    }
}
