//! The protocol between the core and every front end: one [`Request`] in,
//! one [`Response`] out, both serde types with camelCase keys. The page's
//! worker, the `<heap-lens>` element, the ES-module API, the CLI's `--json`
//! and the MCP server all speak it; ARCHITECTURE.md has a JSON example of
//! each request.

use super::compare::DiffInstance;
use super::rows::{
    ClassRow, ContextRow, EdgeRow, Info, NameWindow, NodeRow, ObjectList, StringRow,
};
use super::views::GraphAnswer;
use crate::analysis::allocations::{AllocatedBy, CallerTree, Frame, FunctionRow, TimelineBar};
use crate::analysis::classes::InterfaceDefinition;
use crate::analysis::collections::{Census, GrowingCollection};
use crate::analysis::diff::{DiffBase, DiffRow};
use crate::analysis::filters::NamedFilter;
use crate::analysis::leaks::{LeakReport, SnapshotFacts};
use crate::analysis::realms::Realms;
use crate::analysis::stats::Statistics;
use crate::report::{Format, SnapshotFile};
use serde::{Deserialize, Serialize};

/// The version of the JSON shapes below, printed as `"schema"` by the CLI's
/// `--json`: raised when a field is renamed or removed.
pub const SCHEMA: u32 = 2;

/// Columns rows can be sorted by.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum SortBy {
    /// Class or object name (DevTools' collation).
    Name,
    /// Objects in the row.
    Count,
    /// Distance from the GC roots (rows without one count as the largest,
    /// as DevTools' "−": last going up, first going down).
    Distance,
    /// Shallow size.
    SelfSize,
    /// Retained size.
    #[default]
    RetainedSize,
    /// Comparison: objects new since the base.
    NewCount,
    /// Comparison: objects gone since the base.
    DeletedCount,
    /// Comparison: new less deleted.
    DeltaCount,
    /// Comparison: bytes of the new objects.
    AddedSize,
    /// Comparison: bytes of the deleted objects.
    FreedSize,
    /// Comparison: added less freed bytes.
    SizeDelta,
}

/// Object ids in `(min, max]`: DevTools' "allocated between snapshots" filter.
pub type IdRange = (u32, u32);

/// Which rows of a list: `offset` and at most `limit` rows from it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// First row.
    #[serde(default)]
    pub offset: usize,
    /// Most rows.
    #[serde(default = "default_limit")]
    pub limit: usize,
}

impl Window {
    /// The first `limit` rows.
    pub fn first(limit: usize) -> Window {
        Window { offset: 0, limit }
    }
}

impl Default for Window {
    fn default() -> Window {
        Window {
            offset: 0,
            limit: default_limit(),
        }
    }
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The column.
    #[serde(default)]
    pub sort_by: SortBy,
    /// Smallest first (default: largest first).
    #[serde(default)]
    pub ascending: bool,
}

/// Which objects a Summary covers: all, or those passing a named filter,
/// allocated in an id range, allocated by a node of the Allocation view's
/// bottom-up tree and/or attributed to one realm (each given must hold).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Only objects with ids in this range.
    #[serde(default)]
    pub id_range: Option<IdRange>,
    /// Only objects passing one of DevTools' named filters.
    #[serde(default)]
    pub filter: Option<NamedFilter>,
    /// Only objects allocated on the stacks of this bottom-up tree node.
    #[serde(default)]
    pub allocated_by: Option<AllocatedBy>,
    /// Only objects attributed to one realm, named by DevTools' realm
    /// filter: a realm's `filterName` (`nativeContext_<node index>`, see
    /// [`Request::Realms`]), `sharedNativeContext` or `noNativeContext`.
    /// Attribution is computed on the first request that names a realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
}

fn default_limit() -> usize {
    100
}

fn default_document_groups() -> usize {
    DOCUMENT_GROUPS
}

/// Groups a leak document lists unless asked otherwise.
pub const DOCUMENT_GROUPS: usize = 20;

fn default_string_limit() -> usize {
    STRING_PAGE_LIMIT
}

/// Most characters a `string` request answers with at once: each window
/// is found by a scan from the start, so a 100 MiB name takes ~100 windows.
pub const STRING_PAGE_LIMIT: usize = 1 << 20;

/// A request to a [`Session`](super::Session); `op` selects the variant and
/// the other fields sit beside it (`{"op": "summary", "limit": 20}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Request {
    /// Snapshot-wide facts: [`Response::Info`].
    Info,
    /// Classes (DevTools' Summary): [`Response::Classes`].
    Summary {
        /// Objects covered.
        #[serde(flatten)]
        scope: Scope,
        /// Row order.
        #[serde(flatten)]
        order: Order,
        /// Only classes whose name contains this (any case).
        #[serde(default)]
        class_filter: String,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// Members of a class (self size > 0): [`Response::Nodes`].
    Instances {
        /// The row's `key`.
        class_key: String,
        /// Objects covered.
        #[serde(flatten)]
        scope: Scope,
        /// Row order (by id for `name` and `count`).
        #[serde(flatten)]
        order: Order,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// Each string value held more than once, most wasted bytes first:
    /// [`Response::Strings`].
    DuplicateStrings {
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// Closure contexts, most bytes held only through their own variables
    /// first: [`Response::Contexts`].
    Closures {
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// One object: [`Response::Node`].
    Node {
        /// Object id.
        id: u32,
    },
    /// Objects by id, unknown ids left out: [`Response::NodeList`].
    Nodes {
        /// Object ids.
        ids: Vec<u32>,
    },
    /// An object's references (Containment): [`Response::Edges`].
    Edges {
        /// Object id.
        id: u32,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// What references an object, nearest the roots first (weak edges and
    /// the synthetic root left out): [`Response::Edges`].
    Retainers {
        /// Object id.
        id: u32,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// The shortest retaining path, roots first: [`Response::Path`].
    RetainingPath {
        /// Object id.
        id: u32,
    },
    /// Leave an object out of retaining paths and distances:
    /// [`Response::Ignored`].
    IgnoreRetainer {
        /// Object id.
        id: u32,
    },
    /// Undo [`Request::IgnoreRetainer`]: [`Response::Ignored`].
    UnignoreRetainer {
        /// Object id.
        id: u32,
    },
    /// Undo every [`Request::IgnoreRetainer`]: [`Response::Ignored`].
    ClearIgnored,
    /// Objects an object dominates, largest retained first:
    /// [`Response::Nodes`].
    Dominated {
        /// Object id.
        id: u32,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// An object and its dominators up to the root: [`Response::NodeList`].
    DominatorChain {
        /// Object id.
        id: u32,
    },
    /// A window of object `id`'s whole name, `offset` and `limit` in
    /// characters (names in rows are cut at
    /// [`NAME_LIMIT`](crate::snapshot::NAME_LIMIT) characters):
    /// [`Response::String`].
    String {
        /// Object id.
        id: u32,
        /// First character.
        #[serde(default)]
        offset: usize,
        /// Most characters (at most [`STRING_PAGE_LIMIT`]).
        #[serde(default = "default_string_limit")]
        limit: usize,
    },
    /// Memory by category: [`Response::Stats`].
    Stats,
    /// Objects whose name contains `text`, or the object `@id`:
    /// [`Response::Nodes`].
    Search {
        /// What to look for.
        text: String,
        /// Case matters.
        #[serde(default)]
        match_case: bool,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// The property sets that name plain objects (`{a, b}`), for another
    /// snapshot's [`Request::DiffBase`]: [`Response::Interfaces`].
    InterfaceDefinitions,
    /// DevTools' Allocation perspective: functions by what they allocated
    /// and the live bytes per sample interval: [`Response::Allocations`].
    Allocations,
    /// A function's bottom-up tree (who called it where it allocated):
    /// [`Response::Callers`].
    AllocationCallers {
        /// The function (a row's `function` from [`Request::Allocations`]).
        function: u32,
    },
    /// The allocation stack of an object: [`Response::Stack`].
    AllocationStack {
        /// Object id.
        id: u32,
    },
    /// What a leak report needs from this snapshot when it is not the last:
    /// [`Response::Facts`].
    Facts {
        /// The file's name, as the report shows it.
        #[serde(default)]
        name: String,
    },
    /// The leak report with this snapshot last; `facts` has every
    /// snapshot's, this one's included: [`Response::Leaks`].
    Leaks {
        /// Each snapshot's [`Request::Facts`] answer.
        facts: Vec<SnapshotFacts>,
    },
    /// The leak report as a document to share (Markdown, or one HTML file):
    /// [`Response::Document`].
    LeakDocument {
        /// As for [`Request::Leaks`].
        facts: Vec<SnapshotFacts>,
        /// `markdown` or `html`.
        format: Format,
        /// The snapshots' sizes by name (for the HTML's file list).
        #[serde(default)]
        files: Vec<SnapshotFile>,
        /// Most groups listed.
        #[serde(default = "default_document_groups")]
        top: usize,
    },
    /// This snapshot's side of a Comparison, its plain objects named by the
    /// other snapshot's `interfaces`: [`Response::DiffBase`].
    DiffBase {
        /// The other snapshot's [`Request::InterfaceDefinitions`] answer.
        #[serde(default)]
        interfaces: Vec<InterfaceDefinition>,
    },
    /// Keep a [`Request::DiffBase`] answer of another snapshot under `name`
    /// for the Comparison requests (sent once, not with every page):
    /// [`Response::Done`].
    UseDiffBase {
        /// What later requests call it.
        name: String,
        /// The other snapshot's diff base.
        base: DiffBase,
    },
    /// Comparison rows against the kept base `base`:
    /// [`Response::Comparison`].
    Compare {
        /// The name given in [`Request::UseDiffBase`].
        base: String,
        /// Row order.
        #[serde(flatten)]
        order: Order,
        /// Only classes whose name contains this (any case).
        #[serde(default)]
        class_filter: String,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// The new and deleted objects of one Comparison class:
    /// [`Response::DiffInstances`].
    CompareInstances {
        /// The name given in [`Request::UseDiffBase`].
        base: String,
        /// The row's `key`.
        class_key: String,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// Every native context (page, iframe, `vm` context) and the objects
    /// attributed to it, shared, or to none, as today's DevTools attributes
    /// them: [`Response::Realms`].
    Realms,
    /// Summary rows of the objects one realm filter keeps, DevTools'
    /// `nativeContext_<node index>` (a realm's `filterName`),
    /// `sharedNativeContext` or `noNativeContext`: [`Response::Classes`].
    /// The same as [`Request::Summary`] with `realm` set to `filter`, kept
    /// for clients written before [`Scope::realm`].
    RealmSummary {
        /// The realm filter's name.
        filter: String,
        /// Row order.
        #[serde(flatten)]
        order: Order,
        /// Only classes whose name contains this (any case).
        #[serde(default)]
        class_filter: String,
        /// Rows.
        #[serde(flatten)]
        window: Window,
    },
    /// The entry count of every collection of this snapshot, for
    /// [`Request::GrowingCollections`] on the newest snapshot of a series:
    /// [`Response::Census`].
    Census,
    /// This snapshot's collections whose entry count grew in every interval
    /// of a series, most entries gained first: [`Response::Collections`].
    GrowingCollections {
        /// Each snapshot's [`Request::Census`] answer in capture order,
        /// this one's last.
        censuses: Vec<Census>,
    },
    /// An object's retaining paths from the roots merged into one graph,
    /// laid out left to right: [`Response::RetainerGraph`].
    RetainerGraph {
        /// Object id.
        id: u32,
        /// Longest path in edges (default 50).
        #[serde(default)]
        max_depth: Option<usize>,
        /// Most nodes visited (default 5,000).
        #[serde(default)]
        max_nodes: Option<usize>,
        /// Most retainers followed per node, nearest the roots first (default 25).
        #[serde(default)]
        max_siblings: Option<usize>,
        /// Objects whose retainers are all followed.
        #[serde(default)]
        expanded: Vec<u32>,
        /// Also draw it as SVG.
        #[serde(default)]
        svg: bool,
    },
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

impl<T> Page<T> {
    /// The `window` of `total` rows, each made by `row` from its position.
    pub fn of(total: usize, window: Window, row: impl FnMut(usize) -> T) -> Page<T> {
        let start = window.offset.min(total);
        let end = start.saturating_add(window.limit).min(total);
        Page {
            total,
            rows: (start..end).map(row).collect(),
            total_size: None,
        }
    }
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

/// The objects left out of retaining paths and distances.
#[derive(Debug, Clone, Serialize)]
pub struct Ignored {
    /// Their ids, in the order they were ignored.
    pub ignored: Vec<u32>,
}

/// A retaining path.
#[derive(Debug, Clone, Serialize)]
pub struct Path {
    /// From the GC-root side down to the object: each step is the edge
    /// into a node and that node (the first step has no edge).
    pub steps: Vec<EdgeRow>,
}

/// A rendered document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// `text/markdown` or `text/html`.
    pub media_type: &'static str,
    /// The document.
    pub text: String,
}

/// [`Request::Allocations`]' answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationPage {
    /// Whether the snapshot has allocation stacks (recorded with
    /// `trackAllocations`); `functions` is empty without.
    pub has_stacks: bool,
    /// Functions that allocated, largest allocated size first.
    pub functions: Vec<FunctionRow>,
    /// Live bytes per sample interval (empty without samples).
    pub timeline: Vec<TimelineBar>,
}

/// [`Request::AllocationStack`]'s answer.
#[derive(Debug, Clone, Serialize)]
pub struct Stack {
    /// Innermost first; `null` when the object has no allocation stack.
    pub frames: Option<Vec<Frame>>,
}

/// The answer to a [`Request`]: serialized as the inner value alone, so
/// each request has one JSON shape (documented on the request).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Response {
    /// Snapshot-wide facts.
    Info(Info),
    /// Summary rows.
    Classes(Page<ClassRow>),
    /// Object rows.
    Nodes(Page<NodeRow>),
    /// Objects, unpaged (a short list).
    NodeList(ObjectList),
    /// One object.
    Node(Box<NodeRow>),
    /// Reference rows.
    Edges(Page<EdgeRow>),
    /// A retaining path.
    Path(Path),
    /// The ignored retainers.
    Ignored(Ignored),
    /// Duplicated strings.
    Strings(Page<StringRow>),
    /// Closure contexts.
    Contexts(Page<ContextRow>),
    /// A window of a name.
    String(NameWindow),
    /// Memory by category.
    Stats(Box<Statistics>),
    /// Interface definitions.
    Interfaces(Vec<InterfaceDefinition>),
    /// Leak-report facts of one snapshot.
    Facts(Box<SnapshotFacts>),
    /// The leak report.
    Leaks(Box<LeakReport>),
    /// A diff base.
    DiffBase(DiffBase),
    /// Comparison rows.
    Comparison(ComparePage),
    /// A Comparison class's objects.
    DiffInstances(Page<DiffInstance>),
    /// A document.
    Document(Document),
    /// Native contexts and what is attributed to them.
    Realms(Box<Realms>),
    /// Entry counts of the collections.
    Census(Census),
    /// Collections that grew in every interval.
    Collections(Vec<GrowingCollection>),
    /// A retainer graph.
    RetainerGraph(Box<GraphAnswer>),
    /// The Allocation perspective.
    Allocations(AllocationPage),
    /// A function's bottom-up tree (`null` when it allocated nothing).
    Callers(Option<Box<CallerTree>>),
    /// An object's allocation stack.
    Stack(Stack),
    /// Done, nothing to say.
    Done {},
}
