//! The Allocation perspective's requests: what
//! [`analysis::allocations`](crate::analysis::allocations) computes, for a
//! snapshot with or without allocation stacks.

use super::protocol::{AllocationPage, Stack};
use super::Session;
use crate::analysis::allocations::{timeline, Allocations, CallerTree};

impl Session {
    /// Functions by what they allocated, and the timeline.
    pub(super) fn allocations(&self) -> AllocationPage {
        let profile = Allocations::new(&self.snapshot);
        AllocationPage {
            has_stacks: profile.is_some(),
            functions: profile.map_or_else(Vec::new, |p| p.functions()),
            timeline: timeline(&self.snapshot),
        }
    }

    /// `function`'s bottom-up tree.
    pub(super) fn allocation_callers(&self, function: u32) -> Option<CallerTree> {
        Allocations::new(&self.snapshot)?.callers(function)
    }

    /// Node `n`'s allocation stack.
    pub(super) fn allocation_stack(&self, n: usize) -> Stack {
        Stack {
            frames: Allocations::new(&self.snapshot).and_then(|p| p.stack(n)),
        }
    }
}
