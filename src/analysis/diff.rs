//! The Comparison view's diff (DevTools' `calculateSnapshotDiff`): each
//! snapshot groups its objects by exported class key with ids ascending;
//! the base sends its groups once, and the newer snapshot merge-walks both
//! id lists per class to count new and deleted objects.

use super::classes::{class_name_of_key, InterfaceDefinition};
use super::process::shared_ids;
use super::HeapSnapshot;
use crate::snapshot::NodeId;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What a base snapshot sends for a Comparison: per exported class key,
/// its objects' ids (ascending) and shallow sizes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DiffBase {
    /// Class key → objects.
    pub classes: HashMap<String, DiffClass>,
}

/// The objects of one class in one snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffClass {
    /// Class name.
    pub name: String,
    /// The class name's full length when `name` is cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Object ids, ascending.
    pub ids: Vec<NodeId>,
    /// Shallow sizes, matching `ids`.
    pub sizes: Vec<u32>,
}

/// One Comparison row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DiffRow {
    /// Exported class key (what `compareInstances` takes).
    pub key: String,
    /// Class name.
    pub name: String,
    /// The name's full length when `name` is cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_length: Option<usize>,
    /// Objects only in the newer snapshot.
    pub new_count: u64,
    /// Objects only in the base.
    pub deleted_count: u64,
    /// `newCount - deletedCount`.
    pub delta_count: i64,
    /// Bytes of the new objects.
    pub added_size: u64,
    /// Bytes of the deleted objects.
    pub freed_size: u64,
    /// `addedSize - freedSize`.
    pub size_delta: i64,
}

/// One new or deleted object of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Only in the newer snapshot (else only in the base).
    pub new: bool,
    /// Object id.
    pub id: NodeId,
    /// Shallow size.
    pub size: u32,
}

/// The base side of a Comparison of `s`' objects, plain objects named by
/// the other snapshot's `interfaces`.
pub fn diff_base(s: &HeapSnapshot, interfaces: &[InterfaceDefinition]) -> DiffBase {
    let (key_of, table) = s.classes.keys_with(&s.graph, interfaces);
    DiffBase {
        classes: group_by_key(s, &key_of, &table),
    }
}

/// The newer side of a Comparison: `s`' objects by its own class keys.
pub fn own_classes(s: &HeapSnapshot) -> HashMap<String, DiffClass> {
    group_by_key(s, &s.classes.key_of, &s.classes.exported_keys())
}

/// Objects with a shallow size, by exported class key, ids ascending
/// (DevTools' `aggregatesForDiff`); `key_of` indexes `table`.
fn group_by_key(s: &HeapSnapshot, key_of: &[u32], table: &[String]) -> HashMap<String, DiffClass> {
    let g = &s.graph;
    let mut order: Vec<usize> = (0..g.node_count())
        .filter(|&n| g.self_size[n] > 0)
        .collect();
    order.sort_by_key(|&n| g.node_id[n]);
    let classes = &s.classes;
    let mut groups = vec![DiffClass::default(); table.len()];
    for n in order {
        let class = &mut groups[key_of[n] as usize];
        class.ids.push(NodeId(g.node_id[n]));
        class.sizes.push(g.self_size[n]);
    }
    // The table starts with this snapshot's own keys, by key id.
    let name_length = |k: usize| match k < classes.keys.len() {
        true => classes.name_length_of_key(k as u32),
        false => None,
    };
    table
        .iter()
        .zip(groups)
        .enumerate()
        .filter(|(_, (_, class))| !class.ids.is_empty())
        .map(|(k, (key, mut class))| {
            class.name = class_name_of_key(key).to_owned();
            class.name_length = name_length(k);
            (key.clone(), class)
        })
        .collect()
}

/// Every class with a new or deleted object, unsorted.
pub fn compare(base: &DiffBase, current: &HashMap<String, DiffClass>) -> Vec<DiffRow> {
    let empty = DiffClass::default();
    let mut keys: Vec<&String> = base.classes.keys().collect();
    keys.extend(current.keys().filter(|k| !base.classes.contains_key(*k)));
    keys.into_iter()
        .filter_map(|key| {
            let b = base.classes.get(key).unwrap_or(&empty);
            let c = current.get(key).unwrap_or(&empty);
            let (added, deleted) = merge_ids(b, c);
            if added.is_empty() && deleted.is_empty() {
                return None;
            }
            let added_size: u64 = added.iter().map(|&i| c.sizes[i] as u64).sum();
            let freed_size: u64 = deleted.iter().map(|&i| b.sizes[i] as u64).sum();
            let named = if c.name.is_empty() { b } else { c };
            Some(DiffRow {
                key: key.clone(),
                name: named.name.clone(),
                name_length: named.name_length,
                new_count: added.len() as u64,
                deleted_count: deleted.len() as u64,
                delta_count: added.len() as i64 - deleted.len() as i64,
                added_size,
                freed_size,
                size_delta: added_size as i64 - freed_size as i64,
            })
        })
        .collect()
}

/// The new objects of class `key`, then the deleted ones, each by id.
pub fn changes(base: &DiffBase, current: &HashMap<String, DiffClass>, key: &str) -> Vec<Change> {
    let empty = DiffClass::default();
    let b = base.classes.get(key).unwrap_or(&empty);
    let c = current.get(key).unwrap_or(&empty);
    let (added, deleted) = merge_ids(b, c);
    let change = |class: &DiffClass, new: bool, i: usize| Change {
        new,
        id: class.ids[i],
        size: class.sizes[i],
    };
    let added = added.into_iter().map(|i| change(c, true, i));
    added
        .chain(deleted.into_iter().map(|i| change(b, false, i)))
        .collect()
}

/// What makes a Comparison of `s` against `base` doubtful: snapshots of two
/// processes, told by the objects both list under the same ids.
pub fn warnings(base: &DiffBase, s: &HeapSnapshot) -> Vec<String> {
    let objects = base.classes.values().flat_map(|class| {
        let name = class.name.as_str();
        let sizes = class.ids.iter().zip(&class.sizes);
        sizes.map(move |(&id, &size)| (id.0, name, size))
    });
    shared_ids(objects, s)
        .warning(
            "The base",
            "this snapshot",
            "objects new or deleted between them mean nothing",
        )
        .into_iter()
        .collect()
}

/// Merge-walks two id-sorted lists: positions only in `current` (new) and
/// only in `base` (deleted).
fn merge_ids(base: &DiffClass, current: &DiffClass) -> (Vec<usize>, Vec<usize>) {
    let (mut i, mut j) = (0, 0);
    let (mut added, mut deleted) = (Vec::new(), Vec::new());
    while i < base.ids.len() && j < current.ids.len() {
        match base.ids[i].cmp(&current.ids[j]) {
            Ordering::Less => {
                deleted.push(i);
                i += 1;
            }
            Ordering::Greater => {
                added.push(j);
                j += 1;
            }
            Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    deleted.extend(i..base.ids.len());
    added.extend(j..current.ids.len());
    (added, deleted)
}

#[cfg(test)]
mod tests {
    use super::{merge_ids, DiffClass, NodeId};

    fn class(ids: &[u32]) -> DiffClass {
        DiffClass {
            ids: ids.iter().copied().map(NodeId).collect(),
            sizes: vec![8; ids.len()],
            ..DiffClass::default()
        }
    }

    #[test]
    fn merge_finds_objects_only_on_one_side() {
        let (added, deleted) = merge_ids(&class(&[1, 3, 5, 7]), &class(&[3, 4, 7, 9, 11]));
        assert_eq!(added, [1, 3, 4], "ids 4, 9 and 11 are new");
        assert_eq!(deleted, [0, 2], "ids 1 and 5 are gone");
    }
}
