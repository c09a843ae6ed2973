//! V8's allocation traces, in snapshots taken while the allocation tracker
//! runs (DevTools' "Allocations on timeline", Node's inspector protocol
//! with `trackAllocations`): the functions that allocated
//! (`trace_function_infos`), the tree of allocation stacks (`trace_tree`),
//! which stack made each object (the node field `trace_node_id`) and the
//! heap-stats samples (`samples`). Kept as columns, one entry per function,
//! trace node or sample; nothing is allocated per row.

use super::strings::StringIndex;

/// `TraceTree::parent` of a root record.
pub const NO_PARENT: u32 = u32::MAX;

/// Where the fields of `trace_function_infos` and `trace_tree` records
/// are, resolved by name from `trace_function_info_fields` and
/// `trace_node_fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceLayout {
    /// Values per function record.
    pub function_stride: usize,
    /// Offset of `name` (a string index).
    pub name: usize,
    /// Offset of `script_name` (a string index).
    pub script_name: usize,
    /// Offset of `script_id`.
    pub script_id: usize,
    /// Offset of `line` (1-based, 0 when unknown).
    pub line: usize,
    /// Offset of `column` (1-based, 0 when unknown).
    pub column: usize,
    /// Values per trace-tree record, the children array included.
    pub node_stride: usize,
    /// Offset of `id`.
    pub id: usize,
    /// Offset of `function_info_index`.
    pub function_info_index: usize,
    /// Offset of `count` (objects allocated at this stack).
    pub count: usize,
    /// Offset of `size` (bytes allocated at this stack).
    pub size: usize,
    /// Offset of `children` (an array of more records).
    pub children: usize,
}

impl TraceLayout {
    /// The layout the two field lists describe, or `None` when one lacks a
    /// field DevTools reads.
    pub fn from_fields(functions: &[String], nodes: &[String]) -> Option<TraceLayout> {
        let at = |list: &[String], name: &str| list.iter().position(|f| f == name);
        Some(TraceLayout {
            function_stride: functions.len(),
            name: at(functions, "name")?,
            script_name: at(functions, "script_name")?,
            script_id: at(functions, "script_id")?,
            line: at(functions, "line")?,
            column: at(functions, "column")?,
            node_stride: nodes.len(),
            id: at(nodes, "id")?,
            function_info_index: at(nodes, "function_info_index")?,
            count: at(nodes, "count")?,
            size: at(nodes, "size")?,
            children: at(nodes, "children")?,
        })
    }
}

/// Where the fields of a `samples` record are (`sample_fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleLayout {
    /// Values per sample.
    pub stride: usize,
    /// Offset of `timestamp_us`.
    pub timestamp_us: usize,
    /// Offset of `last_assigned_id`.
    pub last_assigned_id: usize,
}

impl SampleLayout {
    /// The layout `sample_fields` describes, or `None` without both fields.
    pub fn from_fields(fields: &[String]) -> Option<SampleLayout> {
        let at = |name: &str| fields.iter().position(|f| f == name);
        Some(SampleLayout {
            stride: fields.len(),
            timestamp_us: at("timestamp_us")?,
            last_assigned_id: at("last_assigned_id")?,
        })
    }
}

/// One function that allocated (a `trace_function_infos` record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceFunction {
    /// Function name.
    pub name: StringIndex,
    /// Script URL or file name.
    pub script_name: StringIndex,
    /// V8 script id.
    pub script_id: u32,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
}

/// The allocation-stack tree in columns, records in file (depth-first)
/// order; a record's parent is the record whose `children` held it.
#[derive(Debug, Default)]
pub struct TraceTree {
    /// Trace node id (what objects' `trace_node_id` names).
    pub id: Vec<u32>,
    /// Index into [`Traces::functions`].
    pub function: Vec<u32>,
    /// Objects allocated with exactly this stack.
    pub count: Vec<u32>,
    /// Bytes allocated with exactly this stack.
    pub size: Vec<u64>,
    /// The caller's record, [`NO_PARENT`] for a root.
    pub parent: Vec<u32>,
    /// Records sorted by id, for [`TraceTree::by_id`].
    pub order: Vec<u32>,
}

impl TraceTree {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// True when the snapshot has no allocation stacks.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// The record with trace node id `id` (the first in file order when V8
    /// wrote an id twice).
    pub fn by_id(&self, id: u32) -> Option<usize> {
        let at = self.order.partition_point(|&r| self.id[r as usize] < id);
        self.order
            .get(at)
            .map(|&r| r as usize)
            .filter(|&r| self.id[r] == id)
    }

    /// Fills [`TraceTree::order`] once every record is read.
    pub(crate) fn index(&mut self) {
        let ids = &self.id;
        let mut order: Vec<u32> = (0..ids.len() as u32).collect();
        order.sort_by_key(|&r| ids[r as usize]);
        self.order = order;
    }
}

/// Heap-stats samples: at `time_us[i]` microseconds, the last object id
/// V8 had handed out was `last_id[i]`.
#[derive(Debug, Default)]
pub struct Samples {
    /// Microseconds since recording started.
    pub time_us: Vec<u64>,
    /// The last object id assigned by then.
    pub last_id: Vec<u32>,
}

/// Everything the allocation tracker left in a snapshot (all empty when
/// it did not run).
#[derive(Debug, Default)]
pub struct Traces {
    /// Functions, indexed by `TraceTree::function`.
    pub functions: Vec<TraceFunction>,
    /// The allocation stacks.
    pub tree: TraceTree,
    /// `trace_node_id` per graph node (empty without traces).
    pub object_trace: Vec<u32>,
    /// Heap-stats samples (a timeline may have them without stacks).
    pub samples: Samples,
}

impl Traces {
    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        let t = &self.tree;
        self.functions.capacity() * std::mem::size_of::<TraceFunction>()
            + (t.id.capacity()
                + t.function.capacity()
                + t.count.capacity()
                + t.parent.capacity()
                + t.order.capacity())
                * 4
            + t.size.capacity() * 8
            + self.object_trace.capacity() * 4
            + self.samples.time_us.capacity() * 8
            + self.samples.last_id.capacity() * 4
    }
}
