//! Row assembly: each number of `nodes`, `edges`, `locations` and the
//! scope tables checked against the header and stored in its column, then
//! the whole checked once more (counts, string indexes, locations) when the
//! file ends.

use super::halves::EdgeColumns;
use super::numbers::Section;
use super::trace::TraceColumns;
use super::Split;
use crate::bail;
use crate::error::{Error, Result};
use crate::snapshot::graph::{Graph, Location};
use crate::snapshot::meta::{EdgeField, Meta, NodeField};
use crate::snapshot::scopes::ScopeTables;
use crate::snapshot::strings::Strings;

/// Most fields a node or edge row may have.
pub(super) const MAX_FIELDS: usize = 16;

/// Rows being filled while the file streams in.
pub(super) struct Columns {
    pub(super) meta: Meta,
    node_row: Vec<NodeField>,
    edge_row: Vec<EdgeField>,
    /// `edge_row` is V8's: type, name_or_index, to_node.
    v8_edge_row: bool,
    /// Field position inside the current row.
    pub(super) row_len: usize,
    /// Node rows started.
    rows: usize,
    /// Edge rows started.
    edge_rows: usize,
    /// Edge rows the columns are sized for (the header's count, at most
    /// what the file can hold).
    edge_reserve: usize,
    /// Node field count (`to_node` is ordinal × this).
    node_fields: u64,
    pub(super) nodes_done: bool,
    pub(super) edges_done: bool,
    node_type: Vec<u8>,
    node_name: Vec<u32>,
    node_id: Vec<u32>,
    self_size: Vec<u32>,
    detachedness: Vec<u8>,
    first_edge: Vec<u32>,
    edge_type: Vec<u8>,
    edge_name: Vec<u32>,
    edge_to: Vec<u32>,
    locations: Vec<u32>,
    /// The `locations` rows already checked and sorted (see
    /// [`Columns::prepare_locations`]), or why they are not valid.
    sorted_locations: Option<Result<Vec<Location>>>,
    scopes: ScopeTables,
    /// The allocation tracker's sections.
    pub(super) traces: TraceColumns,
}

/// The largest value of a column (0 when empty), folded over fixed pieces
/// without a branch so that the compiler makes it SIMD.
fn column_max<T: Copy + Ord + Default>(column: &[T]) -> T {
    column
        .chunks(4096)
        .map(|piece| piece.iter().fold(T::default(), |max, &v| max.max(v)))
        .max()
        .unwrap_or_default()
}

fn reserve<T>(v: &mut Vec<T>, n: usize, what: &str) -> Result<()> {
    v.try_reserve_exact(n).map_err(|_| {
        Error::new(format!(
            "not enough memory for {n} {what}: the snapshot is too big for this process"
        ))
    })
}

impl Columns {
    /// Columns for what `split` reads, sized from the header. A header may
    /// claim far more rows than its file holds (found by fuzzing: a 1 KB
    /// file claiming 4,294,967,294 edges reserved 38 GB): when the file's
    /// size is known, no more rows are reserved than it can hold, each
    /// value taking at least two bytes (`0,`).
    pub(super) fn new(meta: Meta, split: Split, file_size: Option<u64>) -> Result<Columns> {
        if meta.node_field_count() > MAX_FIELDS || meta.edge_field_count() > MAX_FIELDS {
            bail!("snapshot.meta has more than {MAX_FIELDS} node or edge fields");
        }
        let fit = |rows: u64, fields: usize| {
            let held = file_size.map_or(u64::MAX, |b| b / (2 * fields.max(1) as u64));
            rows.min(held) as usize
        };
        let n = fit(meta.node_count as u64, meta.node_field_count());
        let e = fit(meta.edge_count as u64, meta.edge_field_count());
        let mut c = Columns {
            node_row: meta.node_fields.clone(),
            edge_row: meta.edge_fields.clone(),
            v8_edge_row: meta.edge_fields
                == [EdgeField::Type, EdgeField::NameOrIndex, EdgeField::ToNode],
            row_len: 0,
            rows: 0,
            edge_rows: 0,
            edge_reserve: e,
            node_fields: meta.node_field_count() as u64,
            nodes_done: false,
            edges_done: false,
            node_type: Vec::new(),
            node_name: Vec::new(),
            node_id: Vec::new(),
            self_size: Vec::new(),
            detachedness: Vec::new(),
            first_edge: Vec::new(),
            edge_type: Vec::new(),
            edge_name: Vec::new(),
            edge_to: Vec::new(),
            locations: Vec::new(),
            sorted_locations: None,
            scopes: ScopeTables::default(),
            traces: TraceColumns::default(),
            meta,
        };
        // trace_node_id is only kept when the traces it points into are read.
        if c.meta.trace.is_none() {
            for field in &mut c.node_row {
                if *field == NodeField::TraceNodeId {
                    *field = NodeField::Other;
                }
            }
        }
        if !split.skips(Section::Nodes) {
            reserve(&mut c.node_type, n, "nodes")?;
            reserve(&mut c.node_name, n, "nodes")?;
            reserve(&mut c.node_id, n, "nodes")?;
            reserve(&mut c.self_size, n, "nodes")?;
            reserve(&mut c.first_edge, n + 1, "nodes")?;
            if c.meta.has_detachedness() {
                reserve(&mut c.detachedness, n, "nodes")?;
            }
            if c.node_row.contains(&NodeField::TraceNodeId) {
                reserve(&mut c.traces.object_trace, n, "nodes")?;
            }
        }
        if !split.skips(Section::Edges) {
            reserve(&mut c.edge_type, e, "edges")?;
            reserve(&mut c.edge_name, e, "edges")?;
            reserve(&mut c.edge_to, e, "edges")?;
        }
        c.first_edge.push(0);
        Ok(c)
    }

    /// Adds `edges` rows another reader of the same file filled
    /// ([`Split::EdgesOnly`]): all at once (natively), or piece by piece
    /// as they are read (the page's second worker streams them).
    pub(super) fn append_edges(&mut self, from: EdgeColumns) -> Result<()> {
        let n = from.types.len();
        if from.names.len() != n || from.targets.len() != n {
            bail!("internal: a piece of the edges has columns of different lengths");
        }
        if self.edge_type.is_empty() && self.edge_type.capacity() < n {
            self.edge_type = from.types;
            self.edge_name = from.names;
            self.edge_to = from.targets;
        } else {
            let room = self.edge_reserve.max(self.edge_type.len() + n) - self.edge_type.len();
            reserve(&mut self.edge_type, room, "edges")?;
            reserve(&mut self.edge_name, room, "edges")?;
            reserve(&mut self.edge_to, room, "edges")?;
            self.edge_type.extend_from_slice(&from.types);
            self.edge_name.extend_from_slice(&from.names);
            self.edge_to.extend_from_slice(&from.targets);
        }
        self.edge_rows = self.edge_type.len();
        Ok(())
    }

    /// Moves out the whole `edges` rows read so far (by a
    /// [`Split::EdgesOnly`] reader, for the reader of the rest of the
    /// file); the fields of a row cut by the end of a chunk stay.
    pub(super) fn drain_edges(&mut self) -> EdgeColumns {
        fn whole<T>(column: &mut Vec<T>, rows: usize) -> Vec<T> {
            let cut = column.split_off(rows);
            std::mem::replace(column, cut)
        }
        let rows = self
            .edge_type
            .len()
            .min(self.edge_name.len())
            .min(self.edge_to.len());
        EdgeColumns {
            types: whole(&mut self.edge_type, rows),
            names: whole(&mut self.edge_name, rows),
            targets: whole(&mut self.edge_to, rows),
        }
    }

    /// Checks edges another reader read against this reader's header, so
    /// the graph's invariants hold even if that reader saw another file
    /// (one changed on disk in between).
    pub(super) fn check_adopted_edges(&self) -> Result<()> {
        let types = self.meta.edge_types.len();
        let types_ok = self.edge_type.is_empty() || (column_max(&self.edge_type) as usize) < types;
        let count = self.meta.node_count;
        let targets_ok = self.edge_to.is_empty() || column_max(&self.edge_to) < count;
        if !types_ok || !targets_ok {
            bail!("the two readers of the file disagree about its edges: did the file change while it was read?");
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn value(
        &mut self,
        section: Section,
        v: u64,
        negative: bool,
        at: u64,
    ) -> Result<()> {
        let signed = || match i64::try_from(v) {
            Ok(v) if negative => Ok(-v),
            Ok(v) => Ok(v),
            Err(_) => Err(Error::new(format!(
                "{}[{at}] is {v}: too large for a scope field",
                section.key()
            ))),
        };
        match section {
            Section::Nodes => self.node_value(v, at),
            Section::Edges => self.edge_value(v),
            Section::Locations => {
                if v > u32::MAX as u64 {
                    bail!("locations[{at}] is {v}: too large for a location field");
                }
                self.locations.push(v as u32);
                Ok(())
            }
            Section::TraceFunctionInfos => self.traces.function_value(v, at),
            Section::TraceTree => self.traces.tree_value(&self.meta, v),
            Section::Samples => {
                self.traces.sample_value(v);
                Ok(())
            }
            Section::Scopes | Section::ScopeContextVars | Section::ScopeUses => {
                let v = signed()?;
                match section {
                    Section::Scopes => self.scopes.scopes.push(v),
                    Section::ScopeContextVars => self.scopes.vars.push(v),
                    _ => self.scopes.uses.push(v),
                }
                Ok(())
            }
        }
    }

    /// Stores one value of the `nodes` array in its column.
    #[inline(always)]
    fn node_value(&mut self, v: u64, at: u64) -> Result<()> {
        let k = self.row_len;
        if k == 0 {
            self.start_node_row()?;
        }
        self.node_field(self.node_row[k], v, at)?;
        self.row_len = if k + 1 == self.node_row.len() {
            0
        } else {
            k + 1
        };
        Ok(())
    }

    /// Counts a new node row, refusing one more than the header declares.
    #[inline(always)]
    fn start_node_row(&mut self) -> Result<()> {
        if self.rows == self.meta.node_count as usize {
            bail!(
                "nodes has more values than node_count ({}) × {} fields: the header and the data disagree",
                self.meta.node_count,
                self.node_row.len()
            );
        }
        self.rows += 1;
        Ok(())
    }

    /// Checks one field of the current node row (`nodes[at]`) against its
    /// limit and stores it.
    #[inline(always)]
    fn node_field(&mut self, role: NodeField, v: u64, at: u64) -> Result<()> {
        let limit = match role {
            NodeField::Type => self.meta.node_types.len() as u64 - 1,
            NodeField::Detachedness => 2,
            NodeField::EdgeCount => {
                self.meta.edge_count as u64 - *self.first_edge.last().unwrap_or(&0) as u64
            }
            NodeField::Other => u64::MAX,
            _ => u32::MAX as u64,
        };
        if v > limit {
            return Err(self.node_error(role, v, at));
        }
        match role {
            NodeField::Type => self.node_type.push(v as u8),
            NodeField::Name => self.node_name.push(v as u32),
            NodeField::Id => self.node_id.push(v as u32),
            NodeField::SelfSize => self.self_size.push(v as u32),
            NodeField::EdgeCount => {
                let end = *self.first_edge.last().unwrap_or(&0) + v as u32;
                self.first_edge.push(end);
            }
            NodeField::Detachedness => self.detachedness.push(v as u8),
            NodeField::TraceNodeId => self.traces.object_trace.push(v as u32),
            NodeField::Other => {}
        }
        Ok(())
    }

    #[cold]
    fn node_error(&self, role: NodeField, v: u64, at: u64) -> Error {
        let n = self.rows - 1;
        let field = role.name();
        let what = match role {
            NodeField::Type => format!(
                "a type index outside node_types (which has {} types)",
                self.meta.node_types.len()
            ),
            NodeField::EdgeCount => format!(
                "more edges than edge_count ({}) allows: the header and the data disagree",
                self.meta.edge_count
            ),
            _ => "too large for its field".to_owned(),
        };
        Error::new(format!("node {n} (nodes[{at}]) has {field} = {v}: {what}"))
    }

    /// Stores one value of the `edges` array in its column.
    #[inline(always)]
    fn edge_value(&mut self, v: u64) -> Result<()> {
        let k = self.row_len;
        if k == 0 {
            self.start_edge_row()?;
        }
        self.edge_field(self.edge_row[k], v)?;
        self.row_len = if k + 1 == self.edge_row.len() {
            0
        } else {
            k + 1
        };
        Ok(())
    }

    /// Counts a new edge row, refusing one more than the header declares.
    #[inline(always)]
    fn start_edge_row(&mut self) -> Result<()> {
        if self.edge_rows == self.meta.edge_count as usize {
            bail!(
                "edges has more values than edge_count ({}) × {} fields: the header and the data disagree",
                self.meta.edge_count,
                self.edge_row.len()
            );
        }
        self.edge_rows += 1;
        Ok(())
    }

    /// Checks one field of the current edge row and stores it.
    #[inline(always)]
    fn edge_field(&mut self, role: EdgeField, v: u64) -> Result<()> {
        let e = || self.edge_rows - 1;
        match role {
            EdgeField::Type => {
                if v >= self.meta.edge_types.len() as u64 {
                    bail!(
                        "edge {} has type {v}, outside edge_types (which has {} types)",
                        e(),
                        self.meta.edge_types.len()
                    );
                }
                self.edge_type.push(v as u8);
            }
            EdgeField::NameOrIndex => {
                if v > u32::MAX as u64 {
                    bail!(
                        "edge {} has name_or_index {v}: too large for its field",
                        e()
                    );
                }
                self.edge_name.push(v as u32);
            }
            EdgeField::ToNode => {
                // V8 writes 6 or 7 node fields: dividing by a constant compiles
                // to a multiply, which matters once per edge (also in wasm).
                let q = match (u32::try_from(v), self.node_fields) {
                    (Ok(v), 7) => (v / 7) as u64,
                    (Ok(v), 6) => (v / 6) as u64,
                    (Ok(v), f) => (v / f as u32) as u64,
                    (Err(_), _) => u64::MAX,
                };
                if q >= self.meta.node_count as u64 || q * self.node_fields != v {
                    return Err(self.edge_target_error(v));
                }
                self.edge_to.push(q as u32);
            }
            EdgeField::Other => {}
        }
        Ok(())
    }

    /// Fields per row of `section`: `nodes` and `edges` are read a whole
    /// row at a time ([`Columns::row`]), the other arrays value by value (0).
    pub(super) fn row_fields(&self, section: Section) -> usize {
        match section {
            Section::Nodes => self.node_row.len(),
            Section::Edges => self.edge_row.len(),
            _ => 0,
        }
    }

    /// Stores one whole row of `nodes` or `edges` (its first value is
    /// `section[at]`), with the row checks once instead of per value.
    #[inline(always)]
    pub(super) fn row(&mut self, section: Section, row: &[u64], at: u64) -> Result<()> {
        if section == Section::Nodes {
            self.start_node_row()?;
            for (k, &v) in row.iter().enumerate() {
                self.node_field(self.node_row[k], v, at + k as u64)?;
            }
        } else {
            self.start_edge_row()?;
            if let (true, &[kind, name, to]) = (self.v8_edge_row, row) {
                // V8's layout: each field's role is known without a lookup.
                self.edge_field(EdgeField::Type, kind)?;
                self.edge_field(EdgeField::NameOrIndex, name)?;
                self.edge_field(EdgeField::ToNode, to)?;
            } else {
                for (k, &v) in row.iter().enumerate() {
                    self.edge_field(self.edge_row[k], v)?;
                }
            }
        }
        Ok(())
    }

    #[cold]
    fn edge_target_error(&self, v: u64) -> Error {
        let fields = self.node_fields;
        let why = if !v.is_multiple_of(fields) {
            format!("not a multiple of the {fields} node fields")
        } else {
            format!(
                "past the last node (node_count is {})",
                self.meta.node_count
            )
        };
        Error::new(format!(
            "edge {} points to node index {v}, {why}: the file is truncated or corrupt",
            self.edge_rows - 1
        ))
    }

    /// Checks every string index against the table, naming the first bad one.
    fn check_string_indexes(&self, strings: usize) -> Result<()> {
        // Maxima first (branch-free loops the compiler vectorises); the
        // offending row is looked for only when one is out of range.
        let strings_u32 = u32::try_from(strings).unwrap_or(u32::MAX);
        let kinds = self.meta.edge_kinds;
        let named = |t: u8| (t != kinds.element) & (t != kinds.hidden);
        let node_max = column_max(&self.node_name);
        let edge_max = (self.edge_type.chunks(4096).zip(self.edge_name.chunks(4096)))
            .map(|(types, names)| {
                // A mask instead of a branch, over fixed pieces: SIMD.
                let mut max = 0u32;
                for (&t, &name) in types.iter().zip(names) {
                    max = max.max(name & (named(t) as u32).wrapping_neg());
                }
                max
            })
            .max()
            .unwrap_or(0);
        let fits = |max: u32, count: usize| max < strings_u32 || count == 0;
        if fits(node_max, self.node_name.len()) && fits(edge_max, self.edge_name.len()) {
            return Ok(());
        }
        if let Some(n) = self.node_name.iter().position(|&s| s as usize >= strings) {
            bail!(
                "node {n} names string {}, but there are only {strings} strings: the file is corrupt",
                self.node_name[n]
            );
        }
        let bad = (0..self.edge_name.len())
            .find(|&e| named(self.edge_type[e]) && self.edge_name[e] as usize >= strings);
        if let Some(e) = bad {
            bail!(
                "edge {e} names string {}, but there are only {strings} strings: the file is corrupt",
                self.edge_name[e]
            );
        }
        Ok(())
    }

    pub(super) fn finish(mut self, mut strings: Strings, have_strings: bool) -> Result<Graph> {
        let m = &self.meta;
        if !self.nodes_done {
            bail!("the snapshot has no \"nodes\" section");
        }
        if !self.edges_done {
            bail!("the snapshot has no \"edges\" section");
        }
        if !have_strings {
            bail!("the snapshot has no \"strings\" section");
        }
        if self.node_type.len() != m.node_count as usize {
            bail!(
                "nodes holds {} nodes but node_count says {}: the header and the data disagree",
                self.node_type.len(),
                m.node_count
            );
        }
        if self.edge_type.len() != m.edge_count as usize {
            bail!(
                "edges holds {} edges but edge_count says {}: the header and the data disagree",
                self.edge_type.len(),
                m.edge_count
            );
        }
        let sum = *self.first_edge.last().unwrap_or(&0);
        if sum != m.edge_count {
            bail!(
                "the nodes' edge counts add up to {sum}, but edge_count is {}: the header and the data disagree",
                m.edge_count
            );
        }
        self.check_string_indexes(strings.len())?;
        let locations = match self.sorted_locations.take() {
            Some(sorted) => sorted?,
            None => self.locations()?,
        };
        self.check_scopes(strings.len())?;
        let traces = self.traces.finish(&self.meta, strings.len())?;
        strings.shrink();
        Ok(Graph {
            meta: self.meta,
            node_type: self.node_type,
            node_name: self.node_name,
            node_id: self.node_id,
            self_size: self.self_size,
            // All unknown (Node's snapshots): nothing to keep.
            detachedness: match self.detachedness.iter().all(|&state| state == 0) {
                true => Vec::new(),
                false => self.detachedness,
            },
            first_edge: self.first_edge,
            edge_type: self.edge_type,
            edge_name: self.edge_name,
            edge_to: self.edge_to,
            strings,
            locations,
            scopes: self.scopes,
            traces,
        })
    }

    /// Checks and sorts the `locations` rows read so far, for
    /// [`Columns::finish`] to take: called once the input has ended, by a
    /// reader that would otherwise wait for its twin.
    pub(super) fn prepare_locations(&mut self) {
        self.sorted_locations = Some(self.locations());
    }

    /// The `locations` rows as [`Location`]s sorted by node, each checked
    /// to point at a node.
    fn locations(&self) -> Result<Vec<Location>> {
        let m = &self.meta;
        let mut locations = Vec::new();
        if let Some(layout) = m.locations {
            if !self.locations.len().is_multiple_of(layout.fields) {
                bail!(
                    "locations has {} values, not a multiple of its {} fields",
                    self.locations.len(),
                    layout.fields
                );
            }
            let fields = m.node_field_count() as u32;
            for (r, row) in self.locations.chunks_exact(layout.fields).enumerate() {
                let index = row[layout.object_index];
                if index % fields != 0 || index / fields >= m.node_count {
                    bail!("location {r} points to node index {index}, which is not a node");
                }
                locations.push(Location {
                    node: index / fields,
                    script_id: row[layout.script_id],
                    line: row[layout.line],
                    column: row[layout.column],
                });
            }
            locations.sort_by_key(|l| l.node);
        }
        Ok(locations)
    }

    /// Checks the scope tables hold whole rows and name strings that exist.
    fn check_scopes(&self, strings: usize) -> Result<()> {
        let m = &self.meta;
        if let Some(layout) = m.scopes {
            let t = &self.scopes;
            for (name, values, stride) in [
                ("scopes", &t.scopes, layout.scope_stride),
                ("scope_context_vars", &t.vars, layout.var_stride),
                ("scope_uses", &t.uses, layout.use_stride),
            ] {
                if !values.len().is_multiple_of(stride) {
                    bail!(
                        "{name} has {} values, not a multiple of its {stride} fields",
                        values.len()
                    );
                }
            }
            let names = t
                .vars
                .iter()
                .skip(layout.var_name)
                .step_by(layout.var_stride);
            if let Some(bad) = names.into_iter().find(|&&s| s < 0 || s as usize >= strings) {
                bail!(
                    "a scope variable names string {bad}, but there are only {} strings: the file is corrupt",
                    strings
                );
            }
        }
        Ok(())
    }
}

/// Bytes per node and per edge at the analysis' peak (graph columns plus
/// the dominator pass), measured on real snapshots; strings come on top.
const PEAK_BYTES_PER_NODE: u64 = 42;
const PEAK_BYTES_PER_EDGE: u64 = 14;

/// The most memory the analysis can have, and how a user hears of it: the
/// address space on a 32-bit target (wasm32), what V8 gives a wasm64
/// memory, no limit natively.
#[cfg(target_arch = "wasm64")]
const SPACE: (u64, &str) = (
    16 << 30,
    "the 16 GiB a browser tab gives WebAssembly (wasm64)",
);
#[cfg(not(target_arch = "wasm64"))]
const SPACE: (u64, &str) = (
    usize::MAX as u64,
    "the 4 GiB a browser tab gives WebAssembly (wasm32)",
);

/// Refuses a snapshot whose analysis cannot fit (in wasm), right after the
/// header instead of failing halfway.
pub(super) fn check_fits_address_space(meta: &Meta) -> Result<()> {
    let need =
        meta.node_count as u64 * PEAK_BYTES_PER_NODE + meta.edge_count as u64 * PEAK_BYTES_PER_EDGE;
    let (space, which) = SPACE;
    // An eighth is left for the strings, the wasm stack and the allocator.
    let budget = space - space / 8;
    if need > budget {
        bail!(
            "this snapshot has {} nodes and {} edges: analysing it needs about {:.2} GB, more \
             than the {:.2} GB heaplens can use of {which}; open it with the heaplens command \
             line instead",
            meta.node_count,
            meta.edge_count,
            need as f64 / 1e9,
            budget as f64 / 1e9
        );
    }
    Ok(())
}
