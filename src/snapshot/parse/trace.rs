//! The allocation tracker's sections as they stream in:
//! `trace_function_infos` and `samples` (flat number arrays) and
//! `trace_tree`, the one nested array of the format, whose records are read
//! into [`TraceTree`] columns with a stack of open levels (one entry per
//! depth, none per record).

use crate::bail;
use crate::error::Result;
use crate::snapshot::meta::Meta;
use crate::snapshot::trace::{Samples, TraceFunction, TraceTree, Traces, NO_PARENT};

/// One enclosing level of `trace_tree` while a children array is read.
#[derive(Debug, Clone, Copy)]
struct Level {
    /// The record whose children are being read.
    record: u32,
    /// That record's field position after its children array.
    next_field: usize,
}

/// The trace sections being filled.
#[derive(Debug, Default)]
pub(super) struct TraceColumns {
    functions: Vec<u32>,
    samples: Vec<u64>,
    tree: TraceTree,
    /// Field position in the current record of the innermost level.
    field: usize,
    /// The record being read at the innermost level ([`NO_PARENT`] before
    /// its first).
    current: u32,
    /// The levels around the innermost one, outermost first.
    levels: Vec<Level>,
    /// `trace_node_id` per node.
    pub(super) object_trace: Vec<u32>,
    /// Bit per section (by `Section` code) already read.
    read: u16,
}

impl TraceColumns {
    /// Marks the section with code `bit` read; `false` when it already was.
    pub(super) fn first_read(&mut self, bit: u8) -> bool {
        let mask = 1u16 << bit;
        let first = self.read & mask == 0;
        self.read |= mask;
        first
    }

    /// Stores one value of `trace_function_infos`.
    pub(super) fn function_value(&mut self, v: u64, at: u64) -> Result<()> {
        if v > u32::MAX as u64 {
            bail!("trace_function_infos[{at}] is {v}: too large for its field");
        }
        self.functions.push(v as u32);
        Ok(())
    }

    /// Stores one value of `samples`.
    pub(super) fn sample_value(&mut self, v: u64) {
        self.samples.push(v);
    }

    /// Stores one number of a `trace_tree` record.
    pub(super) fn tree_value(&mut self, meta: &Meta, v: u64) -> Result<()> {
        let Some(layout) = meta.trace else {
            bail!("internal: trace_tree read without a layout");
        };
        let k = self.field;
        if k == layout.children {
            bail!(
                "trace_tree record {} has a number where its children array belongs",
                self.tree.len().saturating_sub(1)
            );
        }
        if k == 0 {
            self.start_record();
        }
        let r = self.current as usize;
        let t = &mut self.tree;
        let small = || {
            u32::try_from(v).map_err(|_| {
                crate::error::Error::new(format!(
                    "trace_tree record {r} has {v}: too large for its field"
                ))
            })
        };
        match k {
            _ if k == layout.id => t.id[r] = small()?,
            _ if k == layout.function_info_index => t.function[r] = small()?,
            _ if k == layout.count => t.count[r] = small()?,
            _ if k == layout.size => t.size[r] = v,
            _ => {}
        }
        self.field = (k + 1) % layout.node_stride;
        Ok(())
    }

    /// Appends a record under the enclosing level's record.
    fn start_record(&mut self) {
        let parent = self.levels.last().map_or(NO_PARENT, |l| l.record);
        let t = &mut self.tree;
        t.id.push(0);
        t.function.push(0);
        t.count.push(0);
        t.size.push(0);
        t.parent.push(parent);
        self.current = (t.id.len() - 1) as u32;
    }

    /// A `[` inside `trace_tree`: the current record's children begin.
    pub(super) fn open_children(&mut self, meta: &Meta) -> Result<()> {
        let Some(layout) = meta.trace else {
            bail!("internal: trace_tree read without a layout");
        };
        if self.field != layout.children {
            bail!(
                "trace_tree has an array at field {} of a record, where a number belongs",
                self.field
            );
        }
        if self.field == 0 {
            self.start_record();
        }
        self.levels.push(Level {
            record: self.current,
            next_field: (self.field + 1) % layout.node_stride,
        });
        self.field = 0;
        Ok(())
    }

    /// A `]` inside `trace_tree`: `true` when it closed a children array,
    /// `false` when it closed the tree itself.
    pub(super) fn close_array(&mut self) -> Result<bool> {
        if self.field != 0 {
            bail!(
                "trace_tree record {} ends after {} of its fields",
                self.current,
                self.field
            );
        }
        match self.levels.pop() {
            Some(level) => {
                self.current = level.record;
                self.field = level.next_field;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Checks the sections against the header and the string table.
    pub(super) fn finish(self, meta: &Meta, strings: usize) -> Result<Traces> {
        let mut traces = Traces {
            object_trace: self.object_trace,
            samples: samples(meta, &self.samples)?,
            ..Traces::default()
        };
        let Some(layout) = meta.trace else {
            return Ok(traces);
        };
        let stride = layout.function_stride;
        if !self.functions.len().is_multiple_of(stride) {
            bail!(
                "trace_function_infos has {} values, not a multiple of its {stride} fields",
                self.functions.len()
            );
        }
        for (f, row) in self.functions.chunks_exact(stride).enumerate() {
            let (name, script_name) = (row[layout.name], row[layout.script_name]);
            if name as usize >= strings || script_name as usize >= strings {
                bail!(
                    "trace function {f} names string {}, but there are only {strings} strings: the file is corrupt",
                    name.max(script_name)
                );
            }
            traces.functions.push(TraceFunction {
                name,
                script_name,
                script_id: row[layout.script_id],
                line: row[layout.line],
                column: row[layout.column],
            });
        }
        let functions = traces.functions.len();
        if let Some(r) = self
            .tree
            .function
            .iter()
            .position(|&f| f as usize >= functions)
        {
            bail!(
                "trace_tree record {r} names function {}, but there are only {functions}: the file is corrupt",
                self.tree.function[r]
            );
        }
        traces.tree = self.tree;
        traces.tree.index();
        Ok(traces)
    }
}

/// The `samples` pairs as columns.
fn samples(meta: &Meta, values: &[u64]) -> Result<Samples> {
    let mut samples = Samples::default();
    let Some(layout) = meta.samples else {
        return Ok(samples);
    };
    if !values.len().is_multiple_of(layout.stride) {
        bail!(
            "samples has {} values, not a multiple of its {} fields",
            values.len(),
            layout.stride
        );
    }
    for (s, row) in values.chunks_exact(layout.stride).enumerate() {
        let last = row[layout.last_assigned_id];
        let Ok(last) = u32::try_from(last) else {
            bail!("sample {s} has last_assigned_id {last}: too large for an object id");
        };
        samples.time_us.push(row[layout.timestamp_us]);
        samples.last_id.push(last);
    }
    Ok(samples)
}
