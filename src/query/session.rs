//! [`Session`]: an analysed snapshot plus what one viewer of it has asked
//! for (cached aggregates and lists, ignored retainers, kept diff bases),
//! and the dispatch of each [`Request`] to the code that answers it.

use super::protocol::{
    ComparePage, Document, Ignored, Order, Page, Path, Request, Response, Scope,
};
use super::rows::{name_window, ObjectList};
use crate::analysis::allocations::LiveTotals;
use crate::analysis::closures::Closures;
use crate::analysis::collections::Census;
use crate::analysis::contexts::ContextAnalysis;
use crate::analysis::diff::{self, DiffBase, DiffClass};
use crate::analysis::duplicates::{DuplicateCost, DuplicateStrings};
use crate::analysis::filters::{passing, NamedFilter};
use crate::analysis::leaks::{leak_report, order_series, LeakReport, SnapshotFacts};
use crate::analysis::paths::Parents;
use crate::analysis::realms::Attribution;
use crate::analysis::retainers::BitSet;
use crate::analysis::search::SearchIndex;
use crate::analysis::stats::{statistics, Statistics};
use crate::analysis::summary::ClassAggregate;
use crate::analysis::HeapSnapshot;
use crate::error::{Error, Result};
use crate::report::{self, Format};
use crate::snapshot::NodeId;
use std::cell::OnceCell;
use std::collections::HashMap;

/// Most diff bases a session keeps (one per other loaded snapshot).
const DIFF_BASES: usize = 8;

/// What identifies a filtered Summary.
pub(super) type AggregateKey = Scope;

/// What identifies an instance list: class key, scope, order.
pub(super) type InstancesKey = (String, Scope, Order);

/// What identifies a leak report: each snapshot's name, largest object id
/// and total size, in the order the viewer sent them.
type LeakKey = Vec<(String, u32, u64)>;

/// Retainers a viewer chose to leave out, and what they change.
#[derive(Default)]
pub(super) struct IgnoredRetainers {
    /// Per node, once anything was ignored.
    pub(super) mask: Vec<bool>,
    /// Their ids, in the order they were ignored.
    pub(super) ids: Vec<u32>,
    /// Distances with them left out (`None`: nothing ignored).
    pub(super) distances: Option<Vec<i32>>,
}

/// An analysed snapshot plus the state of an interactive session
/// (cached aggregates, ignored retainers, kept diff bases).
pub struct Session {
    /// The snapshot.
    pub snapshot: HeapSnapshot,
    /// Summary aggregates of every object, then of the last scope asked for.
    pub(super) all_objects: OnceCell<Vec<ClassAggregate>>,
    pub(super) scoped: Option<(AggregateKey, Vec<ClassAggregate>)>,
    pub(super) duplicates: OnceCell<(DuplicateStrings, Vec<DuplicateCost>)>,
    pub(super) closures: OnceCell<(ContextAnalysis, Closures)>,
    /// The nodes passing each named filter, computed when first asked for.
    passing: [OnceCell<BitSet>; NamedFilter::ALL.len()],
    /// The native context of every node, computed when a realm is first
    /// asked for (opening a snapshot does not pay for it).
    pub(super) attribution: OnceCell<Attribution>,
    pub(super) ignored: IgnoredRetainers,
    /// Retaining-path parents along the distances shown now.
    pub(super) parents: OnceCell<Parents>,
    pub(super) search: OnceCell<SearchIndex>,
    /// This snapshot's side of a Comparison.
    current_by_key: OnceCell<HashMap<String, DiffClass>>,
    /// Other snapshots' diff bases by name, oldest first, each with what
    /// makes comparing against it doubtful (found once, when it is kept).
    diff_bases: Vec<(String, DiffBase, Vec<String>)>,
    /// The last instance list asked for.
    pub(super) instances_cache: Option<(InstancesKey, Vec<usize>)>,
    /// The allocation profile's live totals, once asked for (`None`: the
    /// snapshot has no allocation stacks).
    pub(super) live: OnceCell<Option<LiveTotals>>,
    /// The last leak report: the Leaks view asks for it, then its
    /// download for the same report as a document.
    last_leaks: Option<(LeakKey, LeakReport)>,
}

impl Session {
    /// Wraps an analysed snapshot.
    pub fn new(snapshot: HeapSnapshot) -> Session {
        Session {
            snapshot,
            all_objects: OnceCell::new(),
            scoped: None,
            duplicates: OnceCell::new(),
            closures: OnceCell::new(),
            passing: Default::default(),
            attribution: OnceCell::new(),
            ignored: IgnoredRetainers::default(),
            parents: OnceCell::new(),
            search: OnceCell::new(),
            current_by_key: OnceCell::new(),
            diff_bases: Vec::new(),
            instances_cache: None,
            live: OnceCell::new(),
            last_leaks: None,
        }
    }

    /// Answers one request. One flat `match` with an arm per [`Request`]
    /// variant, each a call and a wrap into its [`Response`]: long because
    /// the protocol is wide, and kept whole so the dispatch reads in one place.
    pub fn query(&mut self, request: Request) -> Result<Response> {
        Ok(match request {
            Request::Info => Response::Info(self.info()),
            Request::Summary {
                scope,
                order,
                class_filter,
                window,
            } => Response::Classes(self.summary_page(scope, &class_filter, order, window)?),
            Request::Instances {
                class_key,
                scope,
                order,
                window,
            } => Response::Nodes(self.instances_page(class_key, scope, order, window)?),
            Request::DuplicateStrings { window } => {
                Response::Strings(self.duplicate_strings(window))
            }
            Request::Closures { window } => Response::Contexts(self.closures(window)),
            Request::Node { id } => Response::Node(Box::new(self.node_row(self.node(id)?))),
            Request::Nodes { ids } => Response::NodeList(ObjectList {
                rows: ids
                    .into_iter()
                    .filter_map(|id| self.snapshot.node_by_id(NodeId(id)))
                    .map(|n| self.node_row(n))
                    .collect(),
            }),
            Request::Edges { id, window } => Response::Edges(self.edges(self.node(id)?, window)),
            Request::Retainers { id, window } => {
                Response::Edges(self.retainers(self.node(id)?, window))
            }
            Request::RetainingPath { id } => Response::Path(Path {
                steps: self.retaining_path(self.node(id)?),
            }),
            Request::IgnoreRetainer { id } => {
                self.set_ignored(self.node(id)?, true);
                self.ignored_now()
            }
            Request::UnignoreRetainer { id } => {
                self.set_ignored(self.node(id)?, false);
                self.ignored_now()
            }
            Request::ClearIgnored => {
                self.clear_ignored();
                self.ignored_now()
            }
            Request::Dominated { id, window } => {
                Response::Nodes(self.dominated(self.node(id)?, window))
            }
            Request::DominatorChain { id } => Response::NodeList(ObjectList {
                rows: self.dominator_chain(self.node(id)?),
            }),
            Request::String { id, offset, limit } => {
                let n = self.node(id)?;
                Response::String(name_window(self.snapshot.graph.name(n), id, offset, limit))
            }
            Request::Stats => Response::Stats(Box::new(self.stats())),
            Request::Search {
                text,
                match_case,
                window,
            } => {
                let found = self.search(&text, match_case);
                Response::Nodes(self.node_page(&found, window))
            }
            Request::InterfaceDefinitions => {
                Response::Interfaces(self.snapshot.classes.interfaces.clone())
            }
            Request::Allocations => Response::Allocations(self.allocations()),
            Request::AllocationCallers { function } => {
                Response::Callers(self.allocation_callers(function).map(Box::new))
            }
            Request::AllocationStack { id } => {
                Response::Stack(self.allocation_stack(self.node(id)?))
            }
            Request::Facts { name } => Response::Facts(Box::new(self.facts(&name))),
            Request::Leaks { facts } => Response::Leaks(Box::new(self.leaks(facts))),
            Request::LeakDocument {
                facts,
                format,
                files,
                top,
            } => Response::Document(Document {
                media_type: match format {
                    Format::Markdown => "text/markdown",
                    Format::Html => "text/html",
                },
                text: report::render(self.leak_report(facts), &files, format, top),
            }),
            Request::DiffBase { interfaces } => {
                Response::DiffBase(diff::diff_base(&self.snapshot, &interfaces))
            }
            Request::UseDiffBase { name, base } => {
                self.diff_bases.retain(|(n, _, _)| *n != name);
                if self.diff_bases.len() >= DIFF_BASES {
                    self.diff_bases.remove(0);
                }
                let warnings = diff::warnings(&base, &self.snapshot);
                self.diff_bases.push((name, base, warnings));
                Response::Done {}
            }
            Request::Compare {
                base,
                order,
                class_filter,
                window,
            } => {
                let (base, warnings) = self.diff_base(&base)?;
                let rows = self.compare(base, &class_filter, order);
                Response::Comparison(ComparePage {
                    page: Page::of(rows.len(), window, |i| rows[i].clone()),
                    warnings: warnings.clone(),
                })
            }
            Request::CompareInstances {
                base,
                class_key,
                window,
            } => {
                let (base, _) = self.diff_base(&base)?;
                Response::DiffInstances(self.compare_instances(base, &class_key, window))
            }
            Request::Realms => Response::Realms(Box::new(self.realms())),
            Request::RealmSummary {
                filter,
                order,
                class_filter,
                window,
            } => Response::Classes(self.realm_summary(&filter, &class_filter, order, window)?),
            Request::Census => Response::Census(Census::of(&self.snapshot)),
            Request::GrowingCollections { censuses } => {
                Response::Collections(self.growing_collections(&censuses))
            }
            Request::RetainerGraph {
                id,
                max_depth,
                max_nodes,
                max_siblings,
                expanded,
                svg,
            } => {
                let limits = (max_depth, max_nodes, max_siblings);
                let answer = self.retainer_graph_answer(id, limits, &expanded, svg)?;
                Response::RetainerGraph(Box::new(answer))
            }
        })
    }

    /// What a leak report needs from this snapshot when it is not the last.
    pub fn facts(&mut self, name: &str) -> SnapshotFacts {
        let rows: Vec<(String, u64)> = self
            .classes(Scope::default(), "", Order::by_name())
            .into_iter()
            .map(|r| (r.name, r.count as u64))
            .collect();
        SnapshotFacts::of(name, &self.snapshot, &rows)
    }

    /// The leak report with this snapshot last in the series; `facts` holds
    /// every snapshot's facts, this one's included. The last report is
    /// kept: asked again for the same series, it is not recomputed.
    pub fn leaks(&mut self, facts: Vec<SnapshotFacts>) -> LeakReport {
        self.leak_report(facts).clone()
    }

    /// The (kept) leak report of `facts`.
    fn leak_report(&mut self, mut facts: Vec<SnapshotFacts>) -> &LeakReport {
        let key: LeakKey = (facts.iter())
            .map(|f| (f.name.clone(), f.max_js_id, f.total_size))
            .collect();
        let kept = self.last_leaks.take().filter(|(k, _)| *k == key);
        let entry = kept.unwrap_or_else(|| {
            let warnings = order_series(&mut facts);
            (key, leak_report(&self.snapshot, &facts, warnings))
        });
        &self.last_leaks.insert(entry).1
    }

    /// Statistics.
    pub fn stats(&self) -> Statistics {
        statistics(&self.snapshot)
    }

    /// The node of object `@id`.
    pub fn node(&self, id: u32) -> Result<usize> {
        self.snapshot
            .node_by_id(NodeId(id))
            .ok_or_else(|| Error::new(format!("there is no object @{id} in this snapshot")))
    }

    /// The nodes passing a named filter.
    pub(super) fn passing(&self, filter: NamedFilter) -> &BitSet {
        self.passing[filter as usize].get_or_init(|| passing(&self.snapshot, filter))
    }

    fn ignored_now(&self) -> Response {
        Response::Ignored(Ignored {
            ignored: self.ignored.ids.clone(),
        })
    }

    /// A kept diff base and its warnings.
    fn diff_base(&self, name: &str) -> Result<(&DiffBase, &Vec<String>)> {
        self.diff_bases
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, b, w)| (b, w))
            .ok_or_else(|| {
                Error::new(format!(
                    "no diff base {name:?}: send it first with {{op: \"useDiffBase\"}}"
                ))
            })
    }

    /// This snapshot's side of a Comparison, computed once (it sorts every
    /// object by id) and kept while the session lives.
    pub(super) fn current_by_key(&self) -> &HashMap<String, DiffClass> {
        self.current_by_key
            .get_or_init(|| diff::own_classes(&self.snapshot))
    }
}

impl Order {
    /// By name, A first.
    pub fn by_name() -> Order {
        Order {
            sort_by: super::SortBy::Name,
            ascending: true,
        }
    }

    /// Largest first by `sort_by`.
    pub fn largest(sort_by: super::SortBy) -> Order {
        Order {
            sort_by,
            ascending: false,
        }
    }
}
