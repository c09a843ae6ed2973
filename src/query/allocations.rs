//! The Allocation perspective's requests: what
//! [`analysis::allocations`](crate::analysis::allocations) computes, for a
//! snapshot with or without allocation stacks. The profile's scan of every
//! node is done once per session.

use super::protocol::{AllocationPage, Stack};
use super::Session;
use crate::analysis::allocations::{timeline, AllocatedBy, Allocations, CallerTree, LiveTotals};
use crate::analysis::retainers::BitSet;

impl Session {
    /// The allocation profile, `None` without allocation stacks.
    pub(super) fn profile(&self) -> Option<Allocations<'_>> {
        let live = self.live.get_or_init(|| LiveTotals::of(&self.snapshot));
        Some(Allocations::kept(&self.snapshot, live.as_ref()?))
    }

    /// Functions by what they allocated, and the timeline.
    pub(super) fn allocations(&self) -> AllocationPage {
        let profile = self.profile();
        AllocationPage {
            has_stacks: profile.is_some(),
            functions: profile.map_or_else(Vec::new, |p| p.functions()),
            timeline: timeline(&self.snapshot),
        }
    }

    /// `function`'s bottom-up tree.
    pub(super) fn allocation_callers(&self, function: u32) -> Option<CallerTree> {
        self.profile()?.callers(function)
    }

    /// Node `n`'s allocation stack.
    pub(super) fn allocation_stack(&self, n: usize) -> Stack {
        Stack {
            frames: self.profile().and_then(|p| p.stack(n)),
        }
    }

    /// The nodes allocated on the stacks bottom-up node `by` stands for:
    /// those whose trace node id is one of theirs, as DevTools' allocation
    /// filter matches (none without allocation stacks).
    pub(super) fn allocated_nodes(&self, by: &AllocatedBy) -> BitSet {
        let g = &self.snapshot.graph;
        let mut nodes = BitSet::new(g.node_count());
        let Some(profile) = self.profile() else {
            return nodes;
        };
        let tree = &g.traces.tree;
        let mut ids: Vec<u32> = (profile.records_of(by).into_iter().enumerate())
            .filter_map(|(r, top)| top.then_some(tree.id[r]))
            .collect();
        ids.sort_unstable();
        for (n, id) in g.traces.object_trace.iter().enumerate() {
            if *id != 0 && ids.binary_search(id).is_ok() {
                nodes.set(n);
            }
        }
        nodes
    }
}
