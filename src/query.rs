//! Paged, sorted, filtered rows over an analysed snapshot: the one API the
//! CLI and the page's worker both use. Requests and responses are serde
//! types (camelCase in JSON), so the wasm binding only converts them.

use crate::analysis::classes::{js_cmp, InterfaceDefinition};
use crate::analysis::closures::{closures, held_only_by, variables, Closures};
use crate::analysis::contexts::{analyze_contexts, ContextAnalysis};
use crate::analysis::distances::{self, shown, BASE_UNREACHABLE_DISTANCE, NO_DISTANCE};
use crate::analysis::duplicates::{
    costs, duplicate_strings, holders, DuplicateCost, DuplicateStrings,
};
use crate::analysis::fasthash::FastMap;
use crate::analysis::filters::{passing, NamedFilter};
use crate::analysis::leaks::{leak_report, order_series, LeakReport, SnapshotFacts};
use crate::analysis::names::display_name;
use crate::analysis::process::shared_ids;
use crate::analysis::retainers::BitSet;
use crate::analysis::stats::{statistics, Statistics};
use crate::analysis::summary::{aggregate, ClassAggregate};
use crate::analysis::HeapSnapshot;
use crate::error::{Error, Result};
use crate::snapshot::{bounded, NodeId};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// Columns rows can be sorted by.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum SortBy {
    Name,
    Count,
    Distance,
    SelfSize,
    #[default]
    RetainedSize,
    NewCount,
    DeletedCount,
    DeltaCount,
    AddedSize,
    FreedSize,
    SizeDelta,
}

/// Object ids in `(min, max]`: DevTools' "allocated between snapshots" filter.
pub type IdRange = (u32, u32);

fn default_limit() -> usize {
    100
}

fn default_string_limit() -> usize {
    STRING_PAGE_LIMIT
}

/// Most characters a `string` request answers with at once: each window
/// is found by a scan from the start, so a 100 MiB name takes ~100 windows.
pub const STRING_PAGE_LIMIT: usize = 1 << 20;

/// A request to a [`Session`]; `op` selects the variant.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[allow(missing_docs)]
pub enum Request {
    Info,
    Summary {
        #[serde(default)]
        sort_by: SortBy,
        #[serde(default)]
        ascending: bool,
        #[serde(default)]
        class_filter: String,
        #[serde(default)]
        id_range: Option<IdRange>,
        /// One of DevTools' named filters (`"duplicatedStrings"`, …), ANDed
        /// with `id_range`.
        #[serde(default)]
        filter: Option<NamedFilter>,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    Instances {
        class_key: String,
        #[serde(default)]
        id_range: Option<IdRange>,
        #[serde(default)]
        filter: Option<NamedFilter>,
        #[serde(default)]
        sort_by: SortBy,
        #[serde(default)]
        ascending: bool,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    /// Each string value held more than once, most wasted bytes first.
    DuplicateStrings {
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    /// Closure contexts, most bytes held only through their own variables
    /// (less what contexts inside them hold) first.
    Closures {
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    Node {
        id: u32,
    },
    Edges {
        id: u32,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    Retainers {
        id: u32,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    RetainingPath {
        id: u32,
    },
    IgnoreRetainer {
        id: u32,
    },
    UnignoreRetainer {
        id: u32,
    },
    ClearIgnored,
    Dominated {
        id: u32,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    DominatorChain {
        id: u32,
    },
    /// A window of object `id`'s whole name, `offset` and `limit` in
    /// characters: names in rows are cut at
    /// [`NAME_LIMIT`](crate::snapshot::NAME_LIMIT) characters.
    String {
        id: u32,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_string_limit")]
        limit: usize,
    },
    Stats,
    Search {
        text: String,
        #[serde(default)]
        match_case: bool,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    InterfaceDefinitions,
    Facts {
        #[serde(default)]
        name: String,
    },
    Leaks {
        facts: Vec<SnapshotFacts>,
    },
    DiffBase {
        #[serde(default)]
        interfaces: Vec<InterfaceDefinition>,
    },
    Compare {
        base: DiffBase,
        #[serde(default)]
        sort_by: SortBy,
        #[serde(default)]
        ascending: bool,
        #[serde(default)]
        class_filter: String,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    CompareInstances {
        base: DiffBase,
        class_key: String,
        #[serde(default)]
        offset: usize,
        #[serde(default = "default_limit")]
        limit: usize,
    },
}

/// Snapshot-wide facts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Info {
    pub nodes: usize,
    pub edges: usize,
    pub total_size: u64,
    pub root_id: u32,
    pub max_js_id: u32,
    pub extra_native_bytes: u64,
    pub title: Option<String>,
}

/// One Summary row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct ClassRow {
    pub key: String,
    pub name: String,
    /// The name's full length in characters when `name` is cut (it then
    /// ends in `…`); absent otherwise. The same holds for every
    /// `…Length` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    pub count: u32,
    pub distance: Option<u32>,
    pub self_size: u64,
    pub retained_size: u64,
}

/// One object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct NodeRow {
    pub id: u32,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    pub class_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_name_length: Option<usize>,
    #[serde(rename = "type")]
    pub node_type: String,
    pub distance: Option<u32>,
    pub self_size: u64,
    pub retained_size: u64,
    pub edge_count: usize,
    pub detached: bool,
}

/// One string value held more than once (see [`DuplicateCost`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct StringRow {
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_length: Option<usize>,
    pub copies: u32,
    pub bytes_per_copy: u64,
    pub wasted_bytes: u64,
    pub total_size: u64,
    pub retained_size: u64,
    /// Ids of the first [`COPY_IDS`] copies, in node order.
    pub copy_ids: Vec<u32>,
    /// What holds the copies, most copies first (at most [`HOLDERS`]).
    pub holders: Vec<HolderRow>,
}

/// A way copies of a string are held: by objects of `className`, through
/// references named `edgeName` (`[]`: any index).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct HolderRow {
    pub class_name: String,
    pub edge_name: String,
    pub copies: u32,
}

/// Most holders a [`StringRow`] lists.
pub const HOLDERS: usize = 5;

/// One closure context (see [`crate::analysis::closures`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct ContextRow {
    pub context: NodeRow,
    /// Bytes held only through the context's variables.
    pub held_size: u64,
    /// `heldSize` less what the contexts inside it hold.
    pub own_size: u64,
    /// Retained size of its variables no live closure can read (DevTools'
    /// number); absent when the snapshot has no scope tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_size: Option<u64>,
    /// The part of `deadSize` only this context holds (the first ranking
    /// key); absent when the snapshot has no scope tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_held_size: Option<u64>,
    /// The first [`CONTEXT_ITEMS`] functions whose context this is.
    pub functions: Vec<NodeRow>,
    pub function_count: usize,
    /// The first [`CONTEXT_ITEMS`] captured variables, largest retained first.
    pub variables: Vec<VariableRow>,
    pub variable_count: usize,
}

/// A captured variable and its value.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct VariableRow {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    pub value: NodeRow,
    /// The context is the value's immediate dominator.
    pub held_only_here: bool,
    /// No live closure can read it; absent when the snapshot has no scope
    /// tables to tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead: Option<bool>,
}

/// Most functions and variables a [`ContextRow`] lists.
pub const CONTEXT_ITEMS: usize = 50;

/// Most copy ids a [`StringRow`] lists.
pub const COPY_IDS: usize = 20;

/// One reference, with the node at its other end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct EdgeRow {
    pub edge_type: String,
    pub edge_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_name_length: Option<usize>,
    pub node: NodeRow,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
}

/// A page of rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// Rows before paging.
    pub total: usize,
    /// The requested window.
    pub rows: Vec<T>,
    /// Total size, for percentages (Summary only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_size: Option<u64>,
}

/// What a base snapshot sends for a Comparison: per exported class key,
/// its objects' ids (ascending) and shallow sizes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DiffBase {
    /// Class key → objects.
    pub classes: HashMap<String, DiffClass>,
}

/// The objects of one class in the base snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DiffClass {
    /// Class name.
    pub name: String,
    /// The class name's full length when `name` is cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Object ids, ascending.
    pub ids: Vec<u32>,
    /// Shallow sizes, matching `ids`.
    pub sizes: Vec<u32>,
}

/// One Comparison row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct DiffRow {
    pub key: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    pub new_count: u64,
    pub deleted_count: u64,
    pub delta_count: i64,
    pub added_size: u64,
    pub freed_size: u64,
    pub size_delta: i64,
}

/// A page of Comparison rows, with what makes the comparison doubtful.
#[derive(Debug, Clone, Serialize)]
pub struct ComparePage {
    /// The rows.
    #[serde(flatten)]
    pub page: Page<DiffRow>,
    /// E.g. that the two snapshots look like two processes; empty when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One object of a Comparison class.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct DiffInstance {
    pub status: &'static str,
    pub id: u32,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    pub self_size: u64,
}

/// What identifies a filtered Summary: named filter, id range.
type NamedKey = (NamedFilter, Option<IdRange>);

/// What identifies an instance list: class key, id range, named filter,
/// sort, direction.
type InstancesKey = (String, Option<IdRange>, Option<NamedFilter>, SortBy, bool);

/// An analysed snapshot plus the state of an interactive session
/// (cached aggregates, ignored retainers).
pub struct Session {
    /// The snapshot.
    pub snapshot: HeapSnapshot,
    all_objects: Option<Vec<ClassAggregate>>,
    ranged: Option<(IdRange, Vec<ClassAggregate>)>,
    named: Option<(NamedKey, Vec<ClassAggregate>)>,
    duplicates: std::cell::OnceCell<(DuplicateStrings, Vec<DuplicateCost>)>,
    closures: std::cell::OnceCell<(ContextAnalysis, Closures)>,
    /// The nodes passing each named filter, computed when first asked for.
    passing: [std::cell::OnceCell<BitSet>; NamedFilter::ALL.len()],
    ignored: Vec<bool>,
    ignored_ids: Vec<u32>,
    retainer_distances: Option<Vec<i32>>,
    current_by_key: std::cell::OnceCell<HashMap<String, DiffClass>>,
    /// The last instance list asked for.
    instances_cache: Option<(InstancesKey, Vec<usize>)>,
}

fn page<T>(rows: Vec<T>, offset: usize, limit: usize) -> Page<T> {
    let total = rows.len();
    let rows = rows.into_iter().skip(offset).take(limit).collect();
    Page {
        total,
        rows,
        total_size: None,
    }
}

fn to_value<T: Serialize>(v: T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::new(format!("internal: {e}")))
}

impl Session {
    /// Wraps an analysed snapshot.
    pub fn new(snapshot: HeapSnapshot) -> Session {
        Session {
            snapshot,
            all_objects: None,
            ranged: None,
            named: None,
            passing: Default::default(),
            duplicates: Default::default(),
            closures: Default::default(),
            ignored: Vec::new(),
            ignored_ids: Vec::new(),
            retainer_distances: None,
            current_by_key: std::cell::OnceCell::new(),
            instances_cache: None,
        }
    }

    /// Answers one request.
    pub fn query(&mut self, request: Request) -> Result<serde_json::Value> {
        match request {
            Request::Info => to_value(self.info()),
            Request::Summary {
                sort_by,
                ascending,
                class_filter,
                id_range,
                filter,
                offset,
                limit,
            } => {
                let rows =
                    self.filtered_summary(filter, id_range, &class_filter, sort_by, ascending);
                let mut p = page(rows, offset, limit);
                p.total_size = Some(self.snapshot.total_size());
                to_value(p)
            }
            Request::Instances {
                class_key,
                id_range,
                filter,
                sort_by,
                ascending,
                offset,
                limit,
            } => {
                // Scrolling asks for page after page of the same list: it is
                // found and sorted once (a scan of every node), then kept.
                let key = (class_key, id_range, filter, sort_by, ascending);
                if self.instances_cache.as_ref().is_none_or(|(k, _)| *k != key) {
                    let passing = filter.map(|f| self.passing(f));
                    let nodes =
                        self.filtered_instances(&key.0, passing, id_range, sort_by, ascending)?;
                    self.instances_cache = Some((key, nodes));
                }
                let nodes = self.instances_cache.as_ref().map_or(&[][..], |(_, n)| n);
                to_value(self.node_page(nodes, offset, limit))
            }
            Request::DuplicateStrings { offset, limit } => {
                to_value(self.duplicate_strings(offset, limit))
            }
            Request::Closures { offset, limit } => to_value(self.closures(offset, limit)),
            Request::Node { id } => {
                let n = self.node(id)?;
                to_value(self.node_row(n))
            }
            Request::Edges { id, offset, limit } => to_value(self.edges(id, offset, limit)?),
            Request::Retainers { id, offset, limit } => {
                to_value(self.retainers(id, offset, limit)?)
            }
            Request::RetainingPath { id } => {
                let steps = self.retaining_path(self.node(id)?);
                to_value(serde_json::json!({ "steps": steps }))
            }
            Request::IgnoreRetainer { id } => {
                let n = self.node(id)?;
                self.set_ignored(n, true);
                to_value(serde_json::json!({ "ignored": self.ignored_ids }))
            }
            Request::UnignoreRetainer { id } => {
                let n = self.node(id)?;
                self.set_ignored(n, false);
                to_value(serde_json::json!({ "ignored": self.ignored_ids }))
            }
            Request::ClearIgnored => {
                self.ignored.clear();
                self.ignored_ids.clear();
                self.retainer_distances = None;
                to_value(serde_json::json!({ "ignored": self.ignored_ids }))
            }
            Request::Dominated { id, offset, limit } => {
                let n = self.node(id)?;
                let dom = &self.snapshot.dominators;
                let mut children: Vec<u32> = dom.children_of(n);
                children.sort_by(|&a, &b| {
                    dom.retained[b as usize]
                        .cmp(&dom.retained[a as usize])
                        .then(a.cmp(&b))
                });
                let children: Vec<usize> = children.into_iter().map(|c| c as usize).collect();
                to_value(self.node_page(&children, offset, limit))
            }
            Request::DominatorChain { id } => {
                let mut n = self.node(id)?;
                let mut rows = vec![self.node_row(n)];
                let root = self.snapshot.graph.root();
                while n != root && rows.len() <= self.snapshot.graph.node_count() {
                    n = self.snapshot.dominators.idom[n] as usize;
                    rows.push(self.node_row(n));
                }
                to_value(serde_json::json!({ "rows": rows }))
            }
            Request::String { id, offset, limit } => {
                let n = self.node(id)?;
                to_value(name_window(self.snapshot.graph.name(n), id, offset, limit))
            }
            Request::Stats => to_value(self.stats()),
            Request::Search {
                text,
                match_case,
                offset,
                limit,
            } => {
                let found = self.search(&text, match_case);
                to_value(self.node_page(&found, offset, limit))
            }
            Request::InterfaceDefinitions => to_value(&self.snapshot.classes.interfaces),
            Request::Facts { name } => to_value(self.facts(&name)),
            Request::Leaks { facts } => to_value(self.leaks(facts)),
            Request::DiffBase { interfaces } => to_value(self.diff_base(&interfaces)),
            Request::Compare {
                base,
                sort_by,
                ascending,
                class_filter,
                offset,
                limit,
            } => {
                let rows = self.compare(&base, &class_filter, sort_by, ascending);
                to_value(ComparePage {
                    page: page(rows, offset, limit),
                    warnings: self.compare_warnings(&base),
                })
            }
            Request::CompareInstances {
                base,
                class_key,
                offset,
                limit,
            } => to_value(page(
                self.compare_instances(&base, &class_key),
                offset,
                limit,
            )),
        }
    }

    /// Snapshot-wide facts.
    pub fn info(&self) -> Info {
        let s = &self.snapshot;
        Info {
            nodes: s.graph.node_count(),
            edges: s.graph.edge_count(),
            total_size: s.total_size(),
            root_id: s.graph.node_id[s.graph.root()],
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

    /// What a leak report needs from this snapshot when it is not the last.
    pub fn facts(&mut self, name: &str) -> SnapshotFacts {
        let rows: Vec<(String, u64)> = self
            .summary(None, "", SortBy::Name, true)
            .into_iter()
            .map(|r| (r.name, r.count as u64))
            .collect();
        SnapshotFacts::of(name, &self.snapshot, &rows)
    }

    /// The leak report with this snapshot last in the series; `facts` holds
    /// every snapshot's facts, this one's included.
    pub fn leaks(&self, mut facts: Vec<SnapshotFacts>) -> LeakReport {
        let warnings = order_series(&mut facts);
        leak_report(&self.snapshot, &facts, warnings)
    }

    /// Statistics.
    pub fn stats(&self) -> Statistics {
        statistics(&self.snapshot)
    }

    fn node(&self, id: u32) -> Result<usize> {
        self.snapshot
            .node_by_id(NodeId(id))
            .ok_or_else(|| Error::new(format!("there is no object @{id} in this snapshot")))
    }

    /// A page of node rows.
    fn node_page(&self, nodes: &[usize], offset: usize, limit: usize) -> Page<NodeRow> {
        Page {
            total: nodes.len(),
            rows: nodes
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&n| self.node_row(n))
                .collect(),
            total_size: None,
        }
    }

    /// The row of node `n`.
    pub fn node_row(&self, n: usize) -> NodeRow {
        let s = &self.snapshot;
        let g = &s.graph;
        let (name, name_length) = display_name(g, n);
        NodeRow {
            id: g.node_id[n],
            name,
            name_length,
            class_name: s.classes.class_name(n).to_owned(),
            class_name_length: s.classes.name_length_of_key(s.classes.key_of[n]),
            node_type: g.type_name(n).to_owned(),
            distance: shown(self.distance(n)),
            self_size: g.self_size[n] as u64,
            retained_size: s.dominators.retained[n],
            edge_count: g.edges(n).len(),
            detached: s.flags[n] & crate::analysis::flags::DETACHED_DOM != 0,
        }
    }

    /// Distance shown in retainer trees (changes when retainers are ignored).
    fn distance(&self, n: usize) -> i32 {
        match &self.retainer_distances {
            Some(d) => d[n],
            None => self.snapshot.distances[n],
        }
    }

    /// Rows `offset..offset + limit` of the string values held more than
    /// once, most wasted bytes first.
    pub fn duplicate_strings(&self, offset: usize, limit: usize) -> Page<StringRow> {
        let s = &self.snapshot;
        let (groups, costs) = self.duplicates.get_or_init(|| {
            let groups = duplicate_strings(s);
            let costs = costs(s, &groups);
            (groups, costs)
        });
        let rows = costs
            .iter()
            .skip(offset)
            .take(limit)
            .map(|c| {
                let members = groups.group(c.group as usize);
                let (value, value_length) = display_name(&s.graph, members[0] as usize);
                StringRow {
                    value,
                    value_length,
                    copies: c.copies,
                    bytes_per_copy: c.bytes_per_copy,
                    wasted_bytes: c.wasted,
                    total_size: c.total_size,
                    retained_size: c.retained_size,
                    copy_ids: members
                        .iter()
                        .take(COPY_IDS)
                        .map(|&n| s.graph.node_id[n as usize])
                        .collect(),
                    holders: holders(s, members, HOLDERS)
                        .into_iter()
                        .map(|h| HolderRow {
                            class_name: s.classes.name_of_key(h.class_key).to_owned(),
                            edge_name: h.edge_name,
                            copies: h.copies,
                        })
                        .collect(),
                }
            })
            .collect();
        Page {
            total: costs.len(),
            rows,
            total_size: None,
        }
    }

    /// Rows `offset..offset + limit` of the closure contexts, most bytes
    /// held only through their own variables first.
    pub fn closures(&self, offset: usize, limit: usize) -> Page<ContextRow> {
        let s = &self.snapshot;
        let g = &s.graph;
        let (analysis, report) = self.closures.get_or_init(|| {
            let analysis = analyze_contexts(s);
            let report = closures(s, &analysis);
            (analysis, report)
        });
        let known = |v| analysis.has_scope_tables.then_some(v);
        let rows = (offset..report.contexts.len().min(offset.saturating_add(limit)))
            .map(|i| {
                let c = report.contexts[i] as usize;
                let functions = report.functions_of(i);
                let mut variables: Vec<usize> = variables(s, c).collect();
                let value = |e: usize| g.edge_to[e] as usize;
                variables.sort_by_key(|&e| std::cmp::Reverse(s.dominators.retained[value(e)]));
                ContextRow {
                    context: self.node_row(c),
                    held_size: report.held[i],
                    own_size: report.own[i],
                    dead_size: known(report.dead[i]),
                    dead_held_size: known(report.dead_held[i]),
                    function_count: functions.len(),
                    functions: functions
                        .iter()
                        .take(CONTEXT_ITEMS)
                        .map(|&f| self.node_row(f as usize))
                        .collect(),
                    variable_count: variables.len(),
                    variables: variables
                        .into_iter()
                        .take(CONTEXT_ITEMS)
                        .map(|e| {
                            let label = g.edge_label(e);
                            let (name, name_length) = bounded(&label);
                            VariableRow {
                                name: name.into_owned(),
                                name_length,
                                value: self.node_row(value(e)),
                                held_only_here: held_only_by(s, c, e),
                                dead: analysis.has_scope_tables.then(|| analysis.is_dead(c, e)),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        Page {
            total: report.contexts.len(),
            rows,
            total_size: None,
        }
    }

    /// The nodes passing a named filter.
    fn passing(&self, filter: NamedFilter) -> &BitSet {
        self.passing[filter as usize].get_or_init(|| passing(&self.snapshot, filter))
    }

    fn aggregates(
        &mut self,
        filter: Option<NamedFilter>,
        id_range: Option<IdRange>,
    ) -> &[ClassAggregate] {
        if let Some(filter) = filter {
            if self
                .named
                .as_ref()
                .is_none_or(|(k, _)| *k != (filter, id_range))
            {
                let (pass, ids) = (self.passing(filter), &self.snapshot.graph.node_id);
                let rows = aggregate(&self.snapshot, &|n| {
                    pass.get(n) && id_range.is_none_or(|(lo, hi)| ids[n] > lo && ids[n] <= hi)
                });
                self.named = Some(((filter, id_range), rows));
            }
            return self
                .named
                .as_ref()
                .map(|(_, r)| r.as_slice())
                .unwrap_or_default();
        }
        match id_range {
            None => {
                if self.all_objects.is_none() {
                    self.all_objects = Some(aggregate(&self.snapshot, &|_| true));
                }
                self.all_objects.as_deref().unwrap_or_default()
            }
            Some(range) => {
                if self.ranged.as_ref().is_none_or(|(r, _)| *r != range) {
                    let ids = &self.snapshot.graph.node_id;
                    let rows =
                        aggregate(&self.snapshot, &|n| ids[n] > range.0 && ids[n] <= range.1);
                    self.ranged = Some((range, rows));
                }
                self.ranged
                    .as_ref()
                    .map(|(_, r)| r.as_slice())
                    .unwrap_or_default()
            }
        }
    }

    /// Summary rows, filtered by class name and sorted.
    pub fn summary(
        &mut self,
        id_range: Option<IdRange>,
        class_filter: &str,
        sort_by: SortBy,
        ascending: bool,
    ) -> Vec<ClassRow> {
        self.filtered_summary(None, id_range, class_filter, sort_by, ascending)
    }

    /// Summary rows of the nodes passing a named filter (and `id_range`),
    /// filtered by class name and sorted.
    pub fn filtered_summary(
        &mut self,
        filter: Option<NamedFilter>,
        id_range: Option<IdRange>,
        class_filter: &str,
        sort_by: SortBy,
        ascending: bool,
    ) -> Vec<ClassRow> {
        let needle = class_filter.to_lowercase();
        let rows: Vec<ClassAggregate> = self.aggregates(filter, id_range).to_vec();
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
            let o = match sort_by {
                SortBy::Name => js_cmp(&a.name, &b.name),
                SortBy::Count => a.count.cmp(&b.count),
                SortBy::Distance => a
                    .distance
                    .unwrap_or(u32::MAX)
                    .cmp(&b.distance.unwrap_or(u32::MAX)),
                SortBy::SelfSize => a.self_size.cmp(&b.self_size),
                _ => a.retained_size.cmp(&b.retained_size),
            };
            directed(o, ascending, (&a.name, &a.key), (&b.name, &b.key))
        });
        rows
    }

    /// Members of a class (self size > 0, inside `id_range`), sorted.
    pub fn instances(
        &self,
        class_key: &str,
        id_range: Option<IdRange>,
        sort_by: SortBy,
        ascending: bool,
    ) -> Result<Vec<usize>> {
        self.filtered_instances(class_key, None, id_range, sort_by, ascending)
    }

    /// Members of a class among the nodes in `passing` (all when `None`)
    /// and `id_range`, self size > 0, sorted.
    fn filtered_instances(
        &self,
        class_key: &str,
        passing: Option<&BitSet>,
        id_range: Option<IdRange>,
        sort_by: SortBy,
        ascending: bool,
    ) -> Result<Vec<usize>> {
        let s = &self.snapshot;
        let g = &s.graph;
        let key = s
            .classes
            .key_from_exported(class_key)
            .ok_or_else(|| Error::new(format!("no class {class_key:?} in this snapshot")))?;
        let mut nodes: Vec<usize> = (0..g.node_count())
            .filter(|&n| {
                s.classes.key_of[n] == key
                    && g.self_size[n] > 0
                    && passing.is_none_or(|p| p.get(n))
                    && id_range.is_none_or(|(lo, hi)| g.node_id[n] > lo && g.node_id[n] <= hi)
            })
            .collect();
        let value = |n: usize| -> u64 {
            match sort_by {
                SortBy::Distance => s.distances[n] as u32 as u64,
                SortBy::SelfSize => g.self_size[n] as u64,
                SortBy::Name | SortBy::Count => g.node_id[n] as u64,
                _ => s.dominators.retained[n],
            }
        };
        nodes.sort_by(|&a, &b| {
            let o = value(a).cmp(&value(b));
            let o = if ascending { o } else { o.reverse() };
            o.then(g.node_id[a].cmp(&g.node_id[b]))
        });
        Ok(nodes)
    }

    fn edge_row(&self, e: usize, other: usize) -> EdgeRow {
        let g = &self.snapshot.graph;
        let label = g.edge_label(e);
        let (edge_name, edge_name_length) = bounded(&label);
        EdgeRow {
            edge_type: g.edge_type_name(e).to_owned(),
            edge_name: edge_name.into_owned(),
            edge_name_length,
            node: self.node_row(other),
            ignored: self.ignored.get(other).copied().unwrap_or(false),
        }
    }

    fn edges(&self, id: u32, offset: usize, limit: usize) -> Result<Page<EdgeRow>> {
        let n = self.node(id)?;
        let g = &self.snapshot.graph;
        let range = g.edges(n);
        let total = range.len();
        let rows = range
            .skip(offset)
            .take(limit)
            .map(|e| self.edge_row(e, g.edge_to[e] as usize))
            .collect();
        Ok(Page {
            total,
            rows,
            total_size: None,
        })
    }

    /// Incoming edges DevTools lists in the Retainers pane, sorted by the
    /// retainer's distance, then edge name.
    pub fn retainer_edges(&self, n: usize) -> Vec<usize> {
        let g = &self.snapshot.graph;
        let weak = g.meta.edge_kinds.weak;
        let mut edges: Vec<usize> = self
            .snapshot
            .retainers()
            .edges_into(g, n)
            .into_iter()
            .filter(|&e| g.edge_type[e] != weak && g.edge_source(e) != g.root())
            .collect();
        let key = |e: usize| {
            let d = self.distance(g.edge_source(e));
            if d < 0 {
                i64::MAX
            } else {
                d as i64
            }
        };
        edges.sort_by(|&a, &b| {
            key(a)
                .cmp(&key(b))
                .then_with(|| js_cmp(&g.edge_label(a), &g.edge_label(b)))
        });
        edges
    }

    fn retainers(&self, id: u32, offset: usize, limit: usize) -> Result<Page<EdgeRow>> {
        let n = self.node(id)?;
        let g = &self.snapshot.graph;
        let edges = self.retainer_edges(n);
        let p = page(edges, offset, limit);
        Ok(Page {
            total: p.total,
            rows: p
                .rows
                .into_iter()
                .map(|e| self.edge_row(e, g.edge_source(e)))
                .collect(),
            total_size: None,
        })
    }

    /// The shortest retaining path of `n`, from the GC-root side down to
    /// `n`: each step is the edge into a node and that node.
    pub fn retaining_path(&self, n: usize) -> Vec<EdgeRow> {
        let g = &self.snapshot.graph;
        let mut steps = Vec::new();
        let mut cur = n;
        let mut seen = std::collections::HashSet::new();
        while seen.insert(cur) {
            let d = self.distance(cur);
            let best = self.retainer_edges(cur).into_iter().find(|&e| {
                let sd = self.distance(g.edge_source(e));
                sd >= 0 && (d < 0 || sd < d)
            });
            let Some(e) = best else { break };
            steps.push(self.edge_row(e, cur));
            cur = g.edge_source(e);
            if self.distance(cur) <= 1 {
                steps.push(EdgeRow {
                    edge_type: String::new(),
                    edge_name: String::new(),
                    edge_name_length: None,
                    node: self.node_row(cur),
                    ignored: false,
                });
                break;
            }
        }
        steps.reverse();
        steps
    }

    fn set_ignored(&mut self, n: usize, on: bool) {
        let count = self.snapshot.graph.node_count();
        if self.ignored.len() != count {
            self.ignored = vec![false; count];
        }
        self.ignored[n] = on;
        let id = self.snapshot.graph.node_id[n];
        self.ignored_ids.retain(|&x| x != id);
        if on {
            self.ignored_ids.push(id);
        }
        if self.ignored_ids.is_empty() {
            self.retainer_distances = None;
            return;
        }
        let s = &self.snapshot;
        let mut d = distances::distances(&s.graph, &s.ephemerons, Some(&self.ignored));
        // Retainers cut off by an ignored node sort last, as in DevTools.
        for (i, v) in d.iter_mut().enumerate() {
            if *v == NO_DISTANCE && s.distances[i] != NO_DISTANCE {
                *v = BASE_UNREACHABLE_DISTANCE + s.distances[i];
            }
        }
        self.retainer_distances = Some(d);
    }

    /// Nodes (self size > 0) whose display name contains `text`, or the
    /// object `@id`.
    pub fn search(&self, text: &str, match_case: bool) -> Vec<usize> {
        let g = &self.snapshot.graph;
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
        let needle = if match_case {
            text.to_owned()
        } else {
            text.to_lowercase()
        };
        let matches = |s: &str| {
            if match_case {
                s.contains(&needle)
            } else {
                s.to_lowercase().contains(&needle)
            }
        };
        let mut by_string: FastMap<u32, bool> = FastMap::default();
        let k = g.meta.node_kinds;
        (0..g.node_count())
            .filter(|&n| {
                if g.self_size[n] == 0 {
                    return false;
                }
                if g.node_type[n] == k.cons_string
                    || crate::analysis::classes::is_plain_object(g, n)
                {
                    return matches(&display_name(g, n).0);
                }
                *by_string
                    .entry(g.node_name[n])
                    .or_insert_with(|| matches(g.name(n)))
            })
            .collect()
    }

    /// What a base snapshot sends for a Comparison, with plain objects named
    /// by the other snapshot's interfaces.
    pub fn diff_base(&self, interfaces: &[InterfaceDefinition]) -> DiffBase {
        let s = &self.snapshot;
        let g = &s.graph;
        let (key_of, table) = s.classes.keys_with(g, interfaces);
        DiffBase {
            classes: self.group_by_key(&key_of, &table),
        }
    }

    /// This snapshot's side of a Comparison, computed once (it sorts every
    /// object by id) and kept while the session lives.
    fn current_by_key(&self) -> &HashMap<String, DiffClass> {
        self.current_by_key.get_or_init(|| {
            let classes = &self.snapshot.classes;
            self.group_by_key(&classes.key_of, &classes.exported_keys())
        })
    }

    /// Objects with a shallow size, by exported class key, ids ascending
    /// (DevTools' `aggregatesForDiff`); `key_of` indexes `table`.
    fn group_by_key(&self, key_of: &[u32], table: &[String]) -> HashMap<String, DiffClass> {
        let g = &self.snapshot.graph;
        let mut order: Vec<usize> = (0..g.node_count())
            .filter(|&n| g.self_size[n] > 0)
            .collect();
        order.sort_by_key(|&n| g.node_id[n]);
        let classes = &self.snapshot.classes;
        let mut groups = vec![DiffClass::default(); table.len()];
        for n in order {
            let class = &mut groups[key_of[n] as usize];
            class.ids.push(g.node_id[n]);
            class.sizes.push(g.self_size[n]);
        }
        // The table starts with this snapshot's own keys, by key id.
        let name_length = |k: usize| match k < classes.keys.len() {
            true => classes.name_length_of_key(k as u32),
            false => None,
        };
        table
            .iter()
            .zip(groups)
            .enumerate()
            .filter(|(_, (_, class))| !class.ids.is_empty())
            .map(|(k, (key, mut class))| {
                class.name = class_name_of_key(key).to_owned();
                class.name_length = name_length(k);
                (key.clone(), class)
            })
            .collect()
    }

    /// What makes a Comparison against `base` doubtful: snapshots of two
    /// processes, told by the objects both list under the same ids.
    pub fn compare_warnings(&self, base: &DiffBase) -> Vec<String> {
        let objects = base.classes.values().flat_map(|class| {
            let name = class.name.as_str();
            class.ids.iter().map(move |&id| (id, name))
        });
        shared_ids(objects, &self.snapshot)
            .warning("The base", "this snapshot")
            .into_iter()
            .collect()
    }

    /// Comparison rows against `base` (DevTools' `calculateSnapshotDiff`).
    pub fn compare(
        &self,
        base: &DiffBase,
        class_filter: &str,
        sort_by: SortBy,
        ascending: bool,
    ) -> Vec<DiffRow> {
        let current = self.current_by_key();
        let empty = DiffClass::default();
        let mut keys: Vec<&String> = base.classes.keys().collect();
        keys.extend(current.keys().filter(|k| !base.classes.contains_key(*k)));
        let needle = class_filter.to_lowercase();
        let mut rows: Vec<DiffRow> = keys
            .into_iter()
            .filter_map(|key| {
                let b = base.classes.get(key).unwrap_or(&empty);
                let c = current.get(key).unwrap_or(&empty);
                let (added, deleted) = merge_ids(b, c);
                if added.is_empty() && deleted.is_empty() {
                    return None;
                }
                let added_size: u64 = added.iter().map(|&i| c.sizes[i] as u64).sum();
                let freed_size: u64 = deleted.iter().map(|&i| b.sizes[i] as u64).sum();
                let named = if c.name.is_empty() { b } else { c };
                Some(DiffRow {
                    key: key.clone(),
                    name: named.name.clone(),
                    name_length: named.name_length,
                    new_count: added.len() as u64,
                    deleted_count: deleted.len() as u64,
                    delta_count: added.len() as i64 - deleted.len() as i64,
                    added_size,
                    freed_size,
                    size_delta: added_size as i64 - freed_size as i64,
                })
            })
            .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle))
            .collect();
        rows.sort_by(|a, b| {
            let o = match sort_by {
                SortBy::Name => js_cmp(&a.name, &b.name),
                SortBy::NewCount | SortBy::Count => a.new_count.cmp(&b.new_count),
                SortBy::DeletedCount => a.deleted_count.cmp(&b.deleted_count),
                SortBy::DeltaCount => a.delta_count.cmp(&b.delta_count),
                SortBy::FreedSize => a.freed_size.cmp(&b.freed_size),
                SortBy::SizeDelta => a.size_delta.cmp(&b.size_delta),
                _ => a.added_size.cmp(&b.added_size),
            };
            directed(o, ascending, (&a.name, &a.key), (&b.name, &b.key))
        });
        rows
    }

    fn compare_instances(&self, base: &DiffBase, class_key: &str) -> Vec<DiffInstance> {
        let current = self.current_by_key();
        let empty = DiffClass::default();
        let b = base.classes.get(class_key).unwrap_or(&empty);
        let c = current.get(class_key).unwrap_or(&empty);
        let (added, deleted) = merge_ids(b, c);
        let mut out = Vec::new();
        for i in added {
            let (name, name_length) = self
                .snapshot
                .node_by_id(NodeId(c.ids[i]))
                .map(|n| display_name(&self.snapshot.graph, n))
                .unwrap_or_default();
            out.push(DiffInstance {
                status: "new",
                id: c.ids[i],
                name,
                name_length,
                self_size: c.sizes[i] as u64,
            });
        }
        for i in deleted {
            out.push(DiffInstance {
                status: "deleted",
                id: b.ids[i],
                name: b.name.clone(),
                name_length: b.name_length,
                self_size: b.sizes[i] as u64,
            });
        }
        out
    }
}

/// Applies the sort direction, then breaks ties by name and key, so pages
/// of equal rows come out in a stable order.
fn directed(o: Ordering, ascending: bool, a: (&str, &str), b: (&str, &str)) -> Ordering {
    let o = if ascending { o } else { o.reverse() };
    o.then_with(|| js_cmp(a.0, b.0)).then_with(|| a.1.cmp(b.1))
}

/// Merge-walks two id-sorted lists: positions only in `current` (new) and
/// only in `base` (deleted).
fn merge_ids(base: &DiffClass, current: &DiffClass) -> (Vec<usize>, Vec<usize>) {
    let (mut i, mut j) = (0, 0);
    let (mut added, mut deleted) = (Vec::new(), Vec::new());
    while i < base.ids.len() && j < current.ids.len() {
        match base.ids[i].cmp(&current.ids[j]) {
            Ordering::Less => {
                deleted.push(i);
                i += 1;
            }
            Ordering::Greater => {
                added.push(j);
                j += 1;
            }
            Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    deleted.extend(i..base.ids.len());
    added.extend(j..current.ids.len());
    (added, deleted)
}

/// The class name inside an exported key (`,Name` or `script,line,column,Name`).
fn class_name_of_key(key: &str) -> &str {
    match key.strip_prefix(',') {
        Some(name) => name,
        None => key.splitn(4, ',').nth(3).unwrap_or(key),
    }
}

/// A window of an object's whole name, for names cut in rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameWindow {
    /// The object.
    pub id: u32,
    /// The whole name's length in characters.
    pub length: usize,
    /// Where `text` starts, in characters.
    pub offset: usize,
    /// At most [`STRING_PAGE_LIMIT`] characters from `offset`.
    pub text: String,
}

/// Characters `offset..offset + limit` of `name` (limit capped at
/// [`STRING_PAGE_LIMIT`]): only the window is copied.
fn name_window(name: &str, id: u32, offset: usize, limit: usize) -> NameWindow {
    // An ASCII name (the common huge one) is indexed by byte; others are
    // walked character by character.
    let ascii = name.is_ascii();
    let length = if ascii {
        name.len()
    } else {
        name.chars().count()
    };
    let offset = offset.min(length);
    let take = limit.min(STRING_PAGE_LIMIT).min(length - offset);
    let (start, end) = if ascii {
        (offset, offset + take)
    } else {
        // Byte position of every character, then of the end.
        let mut at = name
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(name.len()));
        let start = at.nth(offset).unwrap_or(name.len());
        let end = match take {
            0 => start,
            _ => at.nth(take - 1).unwrap_or(name.len()),
        };
        (start, end)
    };
    NameWindow {
        id,
        length,
        offset,
        text: name[start..end].to_owned(),
    }
}
