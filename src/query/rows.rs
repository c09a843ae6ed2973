//! The rows of the protocol (one struct per kind of row, camelCase on the
//! wire) and how a [`Session`] makes each from the analysed snapshot. Every
//! name in a row is cut at [`NAME_LIMIT`](crate::snapshot::NAME_LIMIT)
//! characters; its `…Length` field then gives the whole length.

use super::protocol::{Page, Window, STRING_PAGE_LIMIT};
use super::Session;
use crate::analysis::distances::shown;
use crate::analysis::names::display_name;
use crate::snapshot::bounded;
use serde::Serialize;

/// Snapshot-wide facts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    /// Objects.
    pub nodes: usize,
    /// References.
    pub edges: usize,
    /// Bytes of every object reachable from the roots.
    pub total_size: u64,
    /// Id of the synthetic root.
    pub root_id: u32,
    /// Largest id of a JavaScript object (the next snapshot's objects are
    /// above it).
    pub max_js_id: u32,
    /// Bytes V8 reports outside the heap (array buffers and the like).
    pub extra_native_bytes: u64,
    /// The snapshot's title, when it has one.
    pub title: Option<String>,
}

/// One Summary row: the objects of one class.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ClassRow {
    /// What [`Request::Instances`](super::Request::Instances) takes.
    pub key: String,
    /// Class name.
    pub name: String,
    /// The name's full length in characters when `name` is cut (it then
    /// ends in `…`); absent otherwise. The same holds for every
    /// `…Length` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Objects.
    pub count: u32,
    /// The smallest distance of its objects; `null` where DevTools shows "−".
    pub distance: Option<u32>,
    /// Shallow bytes.
    pub self_size: u64,
    /// Bytes its objects retain together.
    pub retained_size: u64,
}

/// One object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeRow {
    /// Object id (`@id`).
    pub id: u32,
    /// Display name (as DevTools shows it).
    pub name: String,
    /// See [`ClassRow::name_length`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Its Summary class.
    pub class_name: String,
    /// See [`ClassRow::name_length`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_name_length: Option<usize>,
    /// V8's node type (`object`, `closure`, …).
    #[serde(rename = "type")]
    pub node_type: String,
    /// Distance from the roots; `null` for "−". In Retainers-pane and path
    /// rows it is the distance with ignored retainers left out.
    pub distance: Option<u32>,
    /// Shallow bytes.
    pub self_size: u64,
    /// Retained bytes.
    pub retained_size: u64,
    /// References it holds.
    pub edge_count: usize,
    /// A DOM node no longer in a document.
    pub detached: bool,
}

/// A short list of objects.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectList {
    /// The objects.
    pub rows: Vec<NodeRow>,
}

/// One string value held more than once (see
/// [`DuplicateCost`](crate::analysis::duplicates::DuplicateCost)).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StringRow {
    /// The value.
    pub value: String,
    /// See [`ClassRow::name_length`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_length: Option<usize>,
    /// Objects holding it.
    pub copies: u32,
    /// Shallow bytes of one copy.
    pub bytes_per_copy: u64,
    /// Bytes of every copy but one.
    pub wasted_bytes: u64,
    /// Bytes of every copy.
    pub total_size: u64,
    /// What the copies retain together.
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
pub struct HolderRow {
    /// The holders' class.
    pub class_name: String,
    /// The reference's name.
    pub edge_name: String,
    /// Copies held that way.
    pub copies: u32,
}

/// Most holders a [`StringRow`] lists.
pub const HOLDERS: usize = 5;

/// Most copy ids a [`StringRow`] lists.
pub const COPY_IDS: usize = 20;

/// One closure context (see [`crate::analysis::closures`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextRow {
    /// The `system / Context` object.
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
    /// All of them.
    pub function_count: usize,
    /// The first [`CONTEXT_ITEMS`] captured variables, largest retained first.
    pub variables: Vec<VariableRow>,
    /// All of them.
    pub variable_count: usize,
}

/// A captured variable and its value.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariableRow {
    /// The variable's name.
    pub name: String,
    /// See [`ClassRow::name_length`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Its value.
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

/// One reference, with the node at its other end.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EdgeRow {
    /// V8's edge type (`property`, `element`, `context`, …); empty on a
    /// path's first step.
    pub edge_type: String,
    /// Property name or index.
    pub edge_name: String,
    /// See [`ClassRow::name_length`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_name_length: Option<usize>,
    /// The object at the other end.
    pub node: NodeRow,
    /// That object is an ignored retainer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
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

impl Session {
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
            distance: shown(s.distances[n]),
            self_size: g.self_size[n] as u64,
            retained_size: s.dominators.retained.get(n),
            edge_count: g.edges(n).len(),
            detached: crate::analysis::flags::is_detached_dom(g, n),
        }
    }

    /// A page of node rows: only the window's nodes are named.
    pub(super) fn node_page(&self, nodes: &[usize], window: Window) -> Page<NodeRow> {
        Page::of(nodes.len(), window, |i| self.node_row(nodes[i]))
    }

    /// Edge `e` as a row showing `other`, one of its two ends.
    pub(super) fn edge_row(&self, e: usize, other: usize) -> EdgeRow {
        let g = &self.snapshot.graph;
        let label = g.edge_label(e);
        let (edge_name, edge_name_length) = bounded(&label);
        EdgeRow {
            edge_type: g.edge_type_name(e).to_owned(),
            edge_name: edge_name.into_owned(),
            edge_name_length,
            node: self.node_row(other),
            ignored: self.is_ignored(other),
        }
    }

    /// A path's first step: a node without the edge into it.
    pub(super) fn start_row(&self, n: usize) -> EdgeRow {
        EdgeRow {
            edge_type: String::new(),
            edge_name: String::new(),
            edge_name_length: None,
            node: self.node_row(n),
            ignored: false,
        }
    }
}

/// Characters `offset..offset + limit` of `name` (limit capped at
/// [`STRING_PAGE_LIMIT`]): only the window is copied.
pub(super) fn name_window(name: &str, id: u32, offset: usize, limit: usize) -> NameWindow {
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
