//! The `snapshot` header: counts, and the layouts of nodes, edges and
//! locations resolved **by field name** (V8 has shipped 6- and 7-field node
//! layouts, and newer V8 drops `trace_node_id` and adds fields).

use super::scopes::ScopeLayout;
use super::trace::{SampleLayout, TraceLayout};
use crate::bail;
use crate::error::{Error, Result};
use serde::Deserialize;

/// JavaScript's largest exact integer, as a double.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Value used for a node or edge type that this snapshot's meta does not list.
pub const ABSENT: u8 = u8::MAX;

/// What one field of a node row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeField {
    /// `type`: index into `node_types`.
    Type,
    /// `name`: string index.
    Name,
    /// `id`: the object id.
    Id,
    /// `self_size`: shallow size in bytes.
    SelfSize,
    /// `edge_count`: how many edges follow for this node.
    EdgeCount,
    /// `detachedness`: DOM state, 0 unknown, 1 attached, 2 detached.
    Detachedness,
    /// `trace_node_id`: the allocation stack that made the object (0 when
    /// none; only meaningful when the allocation tracker ran).
    TraceNodeId,
    /// Any field heaplens does not use (future fields).
    Other,
}

impl NodeField {
    /// The field's name in `meta.node_fields`.
    pub fn name(self) -> &'static str {
        match self {
            NodeField::Type => "type",
            NodeField::Name => "name",
            NodeField::Id => "id",
            NodeField::SelfSize => "self_size",
            NodeField::EdgeCount => "edge_count",
            NodeField::Detachedness => "detachedness",
            NodeField::TraceNodeId => "trace_node_id",
            NodeField::Other => "an unused field",
        }
    }
}

/// What one field of an edge row holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeField {
    /// `type`: index into `edge_types`.
    Type,
    /// `name_or_index`: string index, or element index for element/hidden edges.
    NameOrIndex,
    /// `to_node`: node index (ordinal × node field count).
    ToNode,
    /// A field heaplens does not use.
    Other,
}

/// Node type codes of the types the analyses care about ([`ABSENT`] when the
/// snapshot's meta does not list that type).
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct NodeKinds {
    pub hidden: u8,
    pub array: u8,
    pub string: u8,
    pub object: u8,
    pub code: u8,
    pub closure: u8,
    pub regexp: u8,
    pub native: u8,
    pub synthetic: u8,
    pub cons_string: u8,
    pub sliced_string: u8,
}

/// Edge type codes ([`ABSENT`] when not listed).
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)]
pub struct EdgeKinds {
    pub context: u8,
    pub element: u8,
    pub property: u8,
    pub internal: u8,
    pub hidden: u8,
    pub shortcut: u8,
    pub weak: u8,
}

/// Positions of the location fields in a `locations` row.
#[derive(Debug, Clone, Copy)]
pub struct LocationLayout {
    /// Values per row.
    pub fields: usize,
    /// Offset of `object_index`.
    pub object_index: usize,
    /// Offset of `script_id`.
    pub script_id: usize,
    /// Offset of `line`.
    pub line: usize,
    /// Offset of `column`.
    pub column: usize,
}

/// The parsed header of a snapshot.
#[derive(Debug, Clone)]
pub struct Meta {
    /// `node_count`.
    pub node_count: u32,
    /// `edge_count`.
    pub edge_count: u32,
    /// Names of node types, by code.
    pub node_types: Vec<String>,
    /// Names of edge types, by code.
    pub edge_types: Vec<String>,
    /// What each node field holds, in file order.
    pub node_fields: Vec<NodeField>,
    /// What each edge field holds, in file order.
    pub edge_fields: Vec<EdgeField>,
    /// Layout of `locations` rows, if the meta describes them.
    pub locations: Option<LocationLayout>,
    /// Layout of the scope tables, if the meta describes them.
    pub scopes: Option<ScopeLayout>,
    /// Layout of the allocation traces, when the allocation tracker ran
    /// (`trace_function_count` above 0 and both field lists present).
    pub trace: Option<TraceLayout>,
    /// Layout of `samples`, if the meta describes it.
    pub samples: Option<SampleLayout>,
    /// Node type codes.
    pub node_kinds: NodeKinds,
    /// Edge type codes.
    pub edge_kinds: EdgeKinds,
    /// Native bytes not attributed to any node (newer V8; 0 when absent).
    pub extra_native_bytes: u64,
    /// Free-text title, if any.
    pub title: Option<String>,
}

#[derive(Deserialize)]
struct RawHeader {
    meta: RawMeta,
    node_count: u64,
    edge_count: u64,
    #[serde(default)]
    root_index: Option<u64>,
    #[serde(default)]
    extra_native_bytes: Option<f64>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    trace_function_count: u64,
}

#[derive(Deserialize)]
struct RawMeta {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    location_fields: Option<Vec<String>>,
    #[serde(default)]
    scope_fields: Vec<String>,
    #[serde(default)]
    scope_context_var_fields: Vec<String>,
    #[serde(default)]
    scope_use_fields: Vec<String>,
    #[serde(default)]
    trace_function_info_fields: Vec<String>,
    #[serde(default)]
    trace_node_fields: Vec<String>,
    #[serde(default)]
    sample_fields: Vec<String>,
}

impl RawHeader {
    /// Refuses counts heaplens cannot index, and a root that is not the
    /// first node.
    fn check_counts(&self) -> Result<()> {
        if self.root_index.unwrap_or(0) != 0 {
            bail!(
                "snapshot.root_index is {}: heaplens expects the root to be the first node, as V8 writes it",
                self.root_index.unwrap_or(0)
            );
        }
        if self.node_count == 0 {
            bail!("snapshot.node_count is 0: a heap snapshot has at least its root node");
        }
        if self.node_count > u32::MAX as u64 / 16 {
            bail!(
                "snapshot.node_count is {}: more nodes than heaplens can index (at most {})",
                self.node_count,
                u32::MAX / 16
            );
        }
        if self.edge_count > u32::MAX as u64 - 1 {
            bail!(
                "snapshot.edge_count is {}: more edges than heaplens can index (at most {})",
                self.edge_count,
                u32::MAX - 1
            );
        }
        Ok(())
    }
}

/// What each of `meta.node_fields` holds; the five fields every row needs
/// must be there.
fn node_fields(names: &[String]) -> Result<Vec<NodeField>> {
    let needed = ["type", "name", "id", "self_size", "edge_count"];
    resolve_fields(
        names,
        "node_fields",
        (&needed, "nodes"),
        |name| match name {
            "type" => NodeField::Type,
            "name" => NodeField::Name,
            "id" => NodeField::Id,
            "self_size" => NodeField::SelfSize,
            "edge_count" => NodeField::EdgeCount,
            "detachedness" => NodeField::Detachedness,
            "trace_node_id" => NodeField::TraceNodeId,
            _ => NodeField::Other,
        },
    )
}

/// What each of `meta.edge_fields` holds; all three V8 writes must be there.
fn edge_fields(names: &[String]) -> Result<Vec<EdgeField>> {
    let needed = ["type", "name_or_index", "to_node"];
    resolve_fields(
        names,
        "edge_fields",
        (&needed, "edges"),
        |name| match name {
            "type" => EdgeField::Type,
            "name_or_index" => EdgeField::NameOrIndex,
            "to_node" => EdgeField::ToNode,
            _ => EdgeField::Other,
        },
    )
}

/// The code of type `name` in a type list, [`ABSENT`] when not listed.
fn type_code(types: &[String], name: &str) -> u8 {
    types
        .iter()
        .position(|t| t == name)
        .map_or(ABSENT, |p| p as u8)
}

impl NodeKinds {
    /// The codes of the node types the analyses care about in `node_types`.
    fn from_types(node_types: &[String]) -> NodeKinds {
        let code = |name| type_code(node_types, name);
        NodeKinds {
            hidden: code("hidden"),
            array: code("array"),
            string: code("string"),
            object: code("object"),
            code: code("code"),
            closure: code("closure"),
            regexp: code("regexp"),
            native: code("native"),
            synthetic: code("synthetic"),
            cons_string: code("concatenated string"),
            sliced_string: code("sliced string"),
        }
    }
}

impl EdgeKinds {
    /// The codes of the edge types the analyses care about in `edge_types`.
    fn from_types(edge_types: &[String]) -> EdgeKinds {
        let code = |name| type_code(edge_types, name);
        EdgeKinds {
            context: code("context"),
            element: code("element"),
            property: code("property"),
            internal: code("internal"),
            hidden: code("hidden"),
            shortcut: code("shortcut"),
            weak: code("weak"),
        }
    }
}

impl LocationLayout {
    /// The layout `meta.location_fields` describes (`None` when it lists
    /// nothing).
    fn from_fields(fields: &[String]) -> Result<Option<LocationLayout>> {
        if fields.is_empty() {
            return Ok(None);
        }
        let at = |name: &str| fields.iter().position(|f| f == name);
        match (
            at("object_index"),
            at("script_id"),
            at("line"),
            at("column"),
        ) {
            (Some(object_index), Some(script_id), Some(line), Some(column)) => {
                Ok(Some(LocationLayout {
                    fields: fields.len(),
                    object_index,
                    script_id,
                    line,
                    column,
                }))
            }
            _ => bail!(
                "snapshot.meta.location_fields lacks one of object_index, script_id, line, column"
            ),
        }
    }
}

impl Meta {
    /// Parses and checks the JSON text of the `snapshot` header.
    pub fn from_json(text: &[u8]) -> Result<Meta> {
        let raw: RawHeader = serde_json::from_slice(text).map_err(|e| {
            Error::new(format!(
                "the \"snapshot\" header is not what V8 writes: {e}; is this a .heapsnapshot file?"
            ))
        })?;
        raw.check_counts()?;
        let m = raw.meta;
        let node_fields = node_fields(&m.node_fields)?;
        let edge_fields = edge_fields(&m.edge_fields)?;
        let type_pos = m.node_fields.iter().position(|f| f == "type").unwrap_or(0);
        let node_types = type_list(m.node_types.get(type_pos), "node_types")?;
        let edge_type_pos = m.edge_fields.iter().position(|f| f == "type").unwrap_or(0);
        let edge_types = type_list(m.edge_types.get(edge_type_pos), "edge_types")?;
        let locations = LocationLayout::from_fields(m.location_fields.as_deref().unwrap_or(&[]))?;
        let scopes = ScopeLayout::from_fields(
            &m.scope_fields,
            &m.scope_context_var_fields,
            &m.scope_use_fields,
        );
        // DevTools reads the traces only when trace_function_count says the
        // tracker ran.
        let trace = (raw.trace_function_count > 0)
            .then(|| TraceLayout::from_fields(&m.trace_function_info_fields, &m.trace_node_fields))
            .flatten();
        let samples = SampleLayout::from_fields(&m.sample_fields);
        Ok(Meta {
            node_count: raw.node_count as u32,
            edge_count: raw.edge_count as u32,
            node_kinds: NodeKinds::from_types(&node_types),
            edge_kinds: EdgeKinds::from_types(&edge_types),
            node_types,
            edge_types,
            node_fields,
            edge_fields,
            locations,
            scopes,
            trace,
            samples,
            // At most 2^53 - 1 (JavaScript's exact integers): found by
            // fuzzing, `1e309` read as u64::MAX overflowed every total it
            // is added to.
            extra_native_bytes: raw
                .extra_native_bytes
                .unwrap_or(0.0)
                .clamp(0.0, MAX_SAFE_INTEGER) as u64,
            title: raw.title,
        })
    }

    /// Values per node row.
    pub fn node_field_count(&self) -> usize {
        self.node_fields.len()
    }

    /// Values per edge row.
    pub fn edge_field_count(&self) -> usize {
        self.edge_fields.len()
    }

    /// True when nodes carry V8's `detachedness` field.
    pub fn has_detachedness(&self) -> bool {
        self.node_fields.contains(&NodeField::Detachedness)
    }
}

/// The `role` of each field `names` lists (the field list `what`), each
/// listed once; `needed` names the fields without which no `rows` can be read.
fn resolve_fields<T>(
    names: &[String],
    what: &str,
    (needed, rows): (&[&str], &str),
    role: impl Fn(&str) -> T,
) -> Result<Vec<T>> {
    if names.is_empty() {
        bail!("snapshot.meta.{what} is empty");
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            bail!("snapshot.meta.{what} lists \"{name}\" twice");
        }
    }
    if let Some(name) = needed.iter().find(|&&n| !names.iter().any(|f| f == n)) {
        bail!("snapshot.meta.{what} has no \"{name}\" field: cannot read {rows}");
    }
    Ok(names.iter().map(|n| role(n)).collect())
}

fn type_list(value: Option<&serde_json::Value>, what: &str) -> Result<Vec<String>> {
    let list = value.and_then(|v| v.as_array()).ok_or_else(|| {
        Error::new(format!(
            "snapshot.meta.{what} does not start with the list of type names"
        ))
    })?;
    if list.is_empty() || list.len() >= ABSENT as usize {
        bail!(
            "snapshot.meta.{what} has {} type names; expected 1 to 254",
            list.len()
        );
    }
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                Error::new(format!(
                    "snapshot.meta.{what} has a type name that is not a string: {v}"
                ))
            })
        })
        .collect()
}
