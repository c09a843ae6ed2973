//! The Summary's rows: classes of the objects in a scope (all, a named
//! filter, an id range, what an allocation stack made, a realm), filtered
//! by name and sorted, and the members of one class, sorted and paged
//! (only the page is named).

use super::protocol::{Order, Page, Scope, SortBy, Window};
use super::rows::{ClassRow, Info};
use super::Session;
use crate::analysis::classes::js_cmp;
use crate::analysis::distances::shown;
use crate::analysis::summary::{aggregate, ClassAggregate};
use crate::error::{Error, Result};
use crate::snapshot::bounded;
use std::cmp::Ordering;

impl Session {
    /// Snapshot-wide facts.
    pub fn info(&self) -> Info {
        let s = &self.snapshot;
        Info {
            nodes: s.graph.node_count(),
            edges: s.graph.edge_count(),
            total_size: s.total_size(),
            root_id: s.graph.node_id[s.graph.root().index()],
            max_js_id: s.max_js_id(),
            extra_native_bytes: s.graph.meta.extra_native_bytes,
            title: s
                .graph
                .meta
                .title
                .as_deref()
                .map(|t| bounded(t).0.into_owned()),
        }
    }

    /// An error when `scope` names a realm filter this snapshot lacks.
    fn check_scope(&self, scope: &Scope) -> Result<()> {
        match &scope.realm {
            Some(name) => self.realm_filter(name).map(drop),
            None => Ok(()),
        }
    }

    /// Whether a node is in `scope`: the named filter's and the allocation
    /// filter's nodes are found before the test is made. A realm filter
    /// this snapshot lacks keeps nothing ([`Session::check_scope`] tells).
    fn scope_test<'s>(&'s self, scope: &Scope) -> impl Fn(usize) -> bool + 's {
        let g = &self.snapshot.graph;
        let range = scope.id_range;
        let passing = scope.filter.map(|f| self.passing(f));
        let allocated = scope
            .allocated_by
            .as_ref()
            .map(|by| self.allocated_nodes(by));
        let realm = scope.realm.as_deref().map(|name| {
            let owner = self.realm_filter(name).ok().map(|f| f.owner());
            (&self.attribution().owner, owner)
        });
        move |n| {
            let id = g.node_id[n];
            range.is_none_or(|(lo, hi)| id > lo && id <= hi)
                && passing.is_none_or(|p| p.get(n))
                && allocated.as_ref().is_none_or(|a| a.get(n))
                && realm.is_none_or(|(owners, want)| Some(owners[n]) == want)
        }
    }

    /// The aggregates of `scope`: every object's kept for the session, the
    /// last other scope's until another is asked for.
    fn aggregates(&mut self, scope: Scope) -> &[ClassAggregate] {
        if scope == Scope::default() {
            let s = &self.snapshot;
            return self.all_objects.get_or_init(|| aggregate(s, |_| true));
        }
        if self.scoped.as_ref().is_none_or(|(k, _)| *k != scope) {
            let rows = aggregate(&self.snapshot, self.scope_test(&scope));
            self.scoped = Some((scope, rows));
        }
        self.scoped.as_ref().map_or(&[], |(_, r)| r)
    }

    /// The `window` of the Summary rows of `scope` (see [`Session::classes`]),
    /// with the total size for percentages; an error for a realm filter
    /// this snapshot lacks.
    pub fn summary_page(
        &mut self,
        scope: Scope,
        class_filter: &str,
        order: Order,
        window: Window,
    ) -> Result<Page<ClassRow>> {
        self.check_scope(&scope)?;
        let rows = self.classes(scope, class_filter, order);
        let mut page = Page::of(rows.len(), window, |i| rows[i].clone());
        page.total_size = Some(self.snapshot.total_size());
        Ok(page)
    }

    /// Summary rows of the objects in `scope` whose class name contains
    /// `class_filter` (any case), sorted.
    pub fn classes(&mut self, scope: Scope, class_filter: &str, order: Order) -> Vec<ClassRow> {
        let rows: Vec<ClassAggregate> = self.aggregates(scope).to_vec();
        self.class_rows(rows, class_filter, order)
    }

    /// Summary rows of aggregates `rows` whose class name contains
    /// `class_filter` (any case), sorted.
    pub(super) fn class_rows(
        &self,
        rows: Vec<ClassAggregate>,
        class_filter: &str,
        order: Order,
    ) -> Vec<ClassRow> {
        let needle = class_filter.to_lowercase();
        let classes = &self.snapshot.classes;
        let mut rows: Vec<ClassRow> = rows
            .into_iter()
            .filter(|r| {
                needle.is_empty() || classes.name_of_key(r.key).to_lowercase().contains(&needle)
            })
            .map(|r| ClassRow {
                key: classes.exported_key(r.key),
                name: classes.name_of_key(r.key).to_owned(),
                name_length: classes.name_length_of_key(r.key),
                count: r.count,
                distance: shown(r.distance),
                self_size: r.self_size,
                retained_size: r.retained_size,
            })
            .collect();
        rows.sort_by(|a, b| {
            let o = match order.sort_by {
                SortBy::Name => js_cmp(&a.name, &b.name),
                SortBy::Count => a.count.cmp(&b.count),
                SortBy::Distance => distance_key(a.distance).cmp(&distance_key(b.distance)),
                SortBy::SelfSize => a.self_size.cmp(&b.self_size),
                _ => a.retained_size.cmp(&b.retained_size),
            };
            directed(o, order.ascending, (&a.name, &a.key), (&b.name, &b.key))
        });
        rows
    }

    /// A page of the members of class `class_key` in `scope`. Scrolling asks
    /// for page after page of one list: it is found and sorted once (a scan
    /// of every node), then kept.
    pub(super) fn instances_page(
        &mut self,
        class_key: String,
        scope: Scope,
        order: Order,
        window: Window,
    ) -> Result<Page<super::rows::NodeRow>> {
        self.check_scope(&scope)?;
        let key = (class_key, scope, order);
        if self.instances_cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let nodes = self.instances(&key.0, key.1.clone(), order)?;
            self.instances_cache = Some((key, nodes));
        }
        let nodes = self.instances_cache.as_ref().map_or(&[][..], |(_, n)| n);
        Ok(self.node_page(nodes, window))
    }

    /// Members of a class in `scope` with a self size, sorted as the rows
    /// show them.
    pub fn instances(&self, class_key: &str, scope: Scope, order: Order) -> Result<Vec<usize>> {
        let s = &self.snapshot;
        let g = &s.graph;
        let key = s
            .classes
            .key_from_exported(class_key)
            .ok_or_else(|| Error::new(format!("no class {class_key:?} in this snapshot")))?;
        let in_scope = self.scope_test(&scope);
        let mut nodes: Vec<usize> = (0..g.node_count())
            .filter(|&n| s.classes.key_of[n] == key && g.self_size[n] > 0 && in_scope(n))
            .collect();
        let value = |n: usize| -> u64 {
            match order.sort_by {
                SortBy::Distance => distance_key(shown(s.distances[n])),
                SortBy::SelfSize => g.self_size[n] as u64,
                SortBy::Name | SortBy::Count => g.node_id[n] as u64,
                _ => s.dominators.retained.get(n),
            }
        };
        nodes.sort_by(|&a, &b| {
            let o = value(a).cmp(&value(b));
            let o = if order.ascending { o } else { o.reverse() };
            o.then(g.node_id[a].cmp(&g.node_id[b]))
        });
        Ok(nodes)
    }
}

/// A distance as a sort key: rows without one ("−") after every distance.
fn distance_key(d: Option<u32>) -> u64 {
    d.map_or(u64::MAX, u64::from)
}

/// Applies the sort direction, then breaks ties by name and key, so pages
/// of equal rows come out in a stable order.
pub(super) fn directed(o: Ordering, ascending: bool, a: (&str, &str), b: (&str, &str)) -> Ordering {
    let o = if ascending { o } else { o.reverse() };
    o.then_with(|| js_cmp(a.0, b.0)).then_with(|| a.1.cmp(b.1))
}
