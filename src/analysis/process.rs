//! Whether two snapshots come from one process. V8 gives an object the same
//! id in every snapshot of its process, and ids start over in a new one: when
//! most objects another snapshot lists under ids this one also has are of
//! other classes or sizes here, the two are of different processes, and
//! comparing them (new, deleted, allocated between) means nothing.

use super::fasthash::FastMap;
use super::HeapSnapshot;

/// Most objects of the other snapshot looked up (its most recent ones: the
/// start-up heap gets the same ids in every run of a program).
const SAMPLE: usize = 256;
/// Fewest objects of another class before two snapshots are called
/// different processes.
const MIN_DIFFERENT: usize = 16;

/// Of the other snapshot's sampled objects whose ids `current` also has:
/// how many are of the same class here, and how many of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SharedIds {
    /// Same id, same class, same shallow size.
    pub same: usize,
    /// Same id, another class or size: another object.
    pub different: usize,
}

impl SharedIds {
    /// True when the snapshots look like two processes.
    pub fn different_processes(&self) -> bool {
        self.different >= MIN_DIFFERENT && self.different > self.same
    }

    /// What to tell a user comparing snapshot `other` with `current`, when
    /// they look like two processes; `lost` says what the comparison loses
    /// ("objects new or deleted between them mean nothing").
    pub fn warning(&self, other: &str, current: &str, lost: &str) -> Option<String> {
        self.different_processes().then(|| {
            format!(
                "{other} and {current} look like snapshots of different processes: {} of the {} \
                 objects they share ids with are different objects, so {lost}",
                self.different,
                self.same + self.different
            )
        })
    }
}

/// `(id, class name, shallow size)` of the [`SAMPLE`] objects of `s` with the
/// highest JavaScript ids (odd): what a later snapshot checks with
/// [`shared_ids`] when `s` itself is no longer at hand (a leak report's
/// earlier snapshots, held by other workers in the page).
pub fn newest_objects(s: &HeapSnapshot) -> Vec<(u32, String, u32)> {
    let g = &s.graph;
    let mut newest: Vec<usize> = (0..g.node_count())
        .filter(|&n| g.node_id[n] % 2 == 1)
        .collect();
    let older = newest.len().saturating_sub(SAMPLE);
    if older > 0 {
        newest.select_nth_unstable_by_key(older, |&n| g.node_id[n]);
    }
    newest[older..]
        .iter()
        .map(|&n| {
            (
                g.node_id[n],
                s.classes.class_name(n).to_owned(),
                g.self_size[n],
            )
        })
        .collect()
}

/// Compares the other snapshot's objects, given as `(id, class name, shallow
/// size)`, with `current`'s objects of the same ids. The size matters: two
/// programs both end with strings and arrays near the same ids, where the
/// class alone often agrees (an object keeps its shallow size; a string is
/// immutable, an array's elements live in a store of their own). Only the
/// [`SAMPLE`] highest JavaScript ids (odd) that `current` could hold are
/// looked up, in one pass over its ids.
pub fn shared_ids<'a>(
    other: impl Iterator<Item = (u32, &'a str, u32)>,
    current: &HeapSnapshot,
) -> SharedIds {
    let newest = current.max_js_id();
    let mut sample: Vec<(u32, &str, u32)> = other
        .filter(|&(id, _, _)| id % 2 == 1 && id <= newest)
        .collect();
    if sample.len() > SAMPLE {
        let older = sample.len() - SAMPLE;
        sample.select_nth_unstable_by_key(older, |&(id, _, _)| id);
        sample.drain(..older);
    }
    let wanted: FastMap<u32, (&str, u32)> = sample
        .into_iter()
        .map(|(id, name, size)| (id, (name, size)))
        .collect();
    let mut shared = SharedIds::default();
    if wanted.is_empty() {
        return shared;
    }
    for (n, id) in current.graph.node_id.iter().enumerate() {
        if let Some(&(name, size)) = wanted.get(id) {
            if current.classes.class_name(n) == name && current.graph.self_size[n] == size {
                shared.same += 1;
            } else {
                shared.different += 1;
            }
        }
    }
    shared
}
