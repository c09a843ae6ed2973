//! Duplicated strings (DevTools' `createDuplicatedStringsFilter` and
//! `getDuplicateStrings`): string and cons-string nodes grouped by the text
//! DevTools names them with. Texts are hashed piece by piece where they lie
//! in the string table, never copied: one string can be hundreds of megabytes.

use super::HeapSnapshot;
use crate::snapshot::{Graph, NodeIndex};
use std::hash::Hasher;

use super::fasthash::FxHasher;
use super::names::CONS_STRING_MAX_PARTS;

/// DevTools stops rebuilding a cons string once its text reaches this many
/// UTF-16 units (the part that crosses the limit is kept whole).
const CONS_STRING_LIMIT: usize = 1024;

/// Groups of string nodes with the same text, each of two members or more.
#[derive(Debug, Default)]
pub struct DuplicateStrings {
    /// Member node ordinals, group after group, each group in node order.
    pub members: Vec<u32>,
    /// Start of each group in `members`, plus `members.len()` at the end.
    pub starts: Vec<u32>,
}

impl DuplicateStrings {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// True when no string is held twice.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Member node ordinals of group `i`.
    pub fn group(&self, i: usize) -> &[u32] {
        &self.members[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// The text of node `n` as DevTools' `node.name()` gives it, in pieces:
/// a string's whole name, or a cons string's leaves in order until the text
/// reaches [`CONS_STRING_LIMIT`] UTF-16 units.
fn for_each_piece<'g>(g: &'g Graph, n: usize, mut piece: impl FnMut(&'g str)) {
    let cons = g.meta.node_kinds.cons_string;
    if g.node_type[n] != cons {
        piece(g.name(n));
        return;
    }
    let internal = g.meta.edge_kinds.internal;
    let mut stack = vec![n];
    let (mut units, mut parts) = (0, 0);
    while units < CONS_STRING_LIMIT && parts < CONS_STRING_MAX_PARTS {
        let Some(node) = stack.pop() else { break };
        parts += 1;
        if g.node_type[node] != cons {
            let text = g.name(node);
            units += text.encode_utf16().take(CONS_STRING_LIMIT).count();
            piece(text);
            continue;
        }
        // DevTools takes the first `first` and `second` internal edges; node 0
        // (the root, named "") stands in for a missing one.
        let (mut first, mut second) = (0, 0);
        for e in g.edges(node) {
            if first != 0 && second != 0 {
                break;
            }
            if g.edge_type[e] == internal {
                match g.strings.get(g.edge_name[e]) {
                    "first" => first = g.edge_to[e] as usize,
                    "second" => second = g.edge_to[e] as usize,
                    _ => {}
                }
            }
        }
        stack.push(second);
        stack.push(first);
    }
}

/// A cons string one of whose parts is empty: V8 has already flattened it,
/// and DevTools does not report it as a copy of its own content.
fn is_flat_cons_string(g: &Graph, n: usize) -> bool {
    g.node_type[n] == g.meta.node_kinds.cons_string
        && g.edges(n).any(|e| {
            g.edge_type[e] == g.meta.edge_kinds.internal
                && matches!(g.strings.get(g.edge_name[e]), "first" | "second")
                && display_is_empty(g, g.edge_to[e] as usize)
        })
}

fn display_is_empty(g: &Graph, n: usize) -> bool {
    let mut empty = true;
    for_each_piece(g, n, |p| empty &= p.is_empty());
    empty
}

/// Target of the first internal edge of `n` named `name`.
fn internal_edge_target(g: &Graph, n: usize, name: &str) -> Option<usize> {
    g.edges(n)
        .find(|&e| {
            g.edge_type[e] == g.meta.edge_kinds.internal && g.strings.get(g.edge_name[e]) == name
        })
        .map(|e| g.edge_to[e] as usize)
}

/// The raw name of the `value` of a V8 `number` node named `kind`
/// (`bool`, `int`): how V8 writes the fields of a truncated string.
fn number_value(g: &Graph, n: usize, kind: &str) -> Option<usize> {
    (g.type_name(n) == "number" && g.name(n) == kind)
        .then(|| internal_edge_target(g, n, "value"))
        .flatten()
}

/// A string V8 cut when writing the snapshot: its full length and hash (as
/// DevTools reads them: `parseInt`, `None` when absent), which join the text
/// in the group key. `None` for a whole string.
fn truncation(g: &Graph, n: usize) -> Option<(Option<i64>, Option<i64>)> {
    let flag = internal_edge_target(g, n, "truncated")?;
    if number_value(g, flag, "bool").map(|v| g.name(v)) != Some("true") {
        return None;
    }
    let int = |field| {
        let v = number_value(g, internal_edge_target(g, n, field)?, "int")?;
        let t = g.name(v);
        let digits = t.trim_start_matches('-');
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        let value: i64 = digits[..end].parse().ok()?;
        Some(if t.starts_with('-') { -value } else { value })
    };
    Some((int("length"), int("hash")))
}

/// Hashes bytes as one stream, whatever the pieces they arrive in.
#[derive(Default)]
struct StreamHash {
    hasher: FxHasher,
    word: [u8; 8],
    filled: usize,
    len: u64,
}

impl StreamHash {
    fn write(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while !bytes.is_empty() {
            if self.filled == 0 && bytes.len() >= 8 {
                let whole = bytes.len() / 8 * 8;
                self.hasher.write(&bytes[..whole]);
                bytes = &bytes[whole..];
                continue;
            }
            let take = (8 - self.filled).min(bytes.len());
            self.word[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled == 8 {
                self.hasher.write(&self.word);
                self.filled = 0;
            }
        }
    }

    fn finish(mut self) -> (u64, u64) {
        self.hasher.write(&self.word[..self.filled]);
        self.hasher.write_u64(self.len);
        (self.hasher.finish(), self.len)
    }
}

/// True when nodes `a` and `b` have the same DevTools text (and truncation).
fn same_text(g: &Graph, a: usize, b: usize) -> bool {
    let plain = |n: usize| g.node_type[n] != g.meta.node_kinds.cons_string;
    if plain(a) && plain(b) && g.node_name[a] == g.node_name[b] {
        return true;
    }
    if truncation(g, a) != truncation(g, b) {
        return false;
    }
    let pieces = |n| {
        let mut v: Vec<&str> = Vec::new();
        for_each_piece(g, n, |p| v.push(p));
        v
    };
    let (pa, pb) = (pieces(a), pieces(b));
    pa.iter()
        .flat_map(|p| p.bytes())
        .eq(pb.iter().flat_map(|p| p.bytes()))
}

/// Finds every group of strings DevTools' "Duplicated strings" filter shows:
/// `string` and `concatenated string` nodes with a non-zero size, flattened
/// cons strings left out, grouped by their text (a truncated string also by
/// its full length and hash).
pub fn duplicate_strings(s: &HeapSnapshot) -> DuplicateStrings {
    let g = &s.graph;
    let k = g.meta.node_kinds;
    // (text hash, text length in bytes, node): 16 bytes per string node.
    let mut keyed: Vec<(u64, u64, u32)> = Vec::new();
    for n in 0..g.node_count() {
        let t = g.node_type[n];
        if (t != k.string && t != k.cons_string) || g.self_size[n] == 0 {
            continue;
        }
        if is_flat_cons_string(g, n) {
            continue;
        }
        let mut h = StreamHash::default();
        for_each_piece(g, n, |p| h.write(p.as_bytes()));
        let (mut hash, len) = h.finish();
        if let Some((length, code)) = truncation(g, n) {
            let mut t = FxHasher::default();
            t.write_u64(hash);
            t.write_u64(length.map_or(u64::MAX, |v| v as u64));
            t.write_u64(code.map_or(u64::MAX, |v| v as u64));
            hash = t.finish() ^ 1;
        }
        keyed.push((hash, len, n as u32));
    }
    keyed.sort_unstable();
    let mut out = DuplicateStrings {
        members: Vec::new(),
        starts: vec![0],
    };
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for run in keyed.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if run.len() < 2 {
            continue;
        }
        // Equal hashes almost always mean equal texts; the texts are still
        // compared, so a collision (or a crafted file) cannot merge two values.
        let mut rest: Vec<u32> = run.iter().map(|r| r.2).collect();
        while rest.len() >= 2 {
            let first = rest[0] as usize;
            let (same, other): (Vec<u32>, Vec<u32>) = rest
                .iter()
                .partition(|&&m| m as usize == first || same_text(g, first, m as usize));
            if same.len() >= 2 {
                groups.push(same);
            }
            rest = other;
        }
    }
    groups.sort_unstable_by_key(|members| members[0]);
    for members in groups {
        out.members.extend_from_slice(&members);
        out.starts.push(out.members.len() as u32);
    }
    out
}

/// What one group of equal strings costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCost {
    /// Group index in [`DuplicateStrings`].
    pub group: u32,
    /// Number of copies.
    pub copies: u32,
    /// Shallow size of the smallest copy: what one copy would cost.
    pub bytes_per_copy: u64,
    /// Shallow size of all copies.
    pub total_size: u64,
    /// Bytes that keeping only the smallest copy would save
    /// (`(copies − 1) × size` when the copies are the same size).
    pub wasted: u64,
    /// Sum of the copies' retained sizes.
    pub retained_size: u64,
}

/// The cost of every group, most wasted bytes first (ties: first group first).
pub fn costs(s: &HeapSnapshot, groups: &DuplicateStrings) -> Vec<DuplicateCost> {
    let g = &s.graph;
    let mut out: Vec<DuplicateCost> = (0..groups.len())
        .map(|i| {
            let members = groups.group(i);
            let size = |&n: &u32| g.self_size[n as usize] as u64;
            let total_size: u64 = members.iter().map(size).sum();
            let smallest = members.iter().map(size).min().unwrap_or(0);
            DuplicateCost {
                group: i as u32,
                copies: members.len() as u32,
                bytes_per_copy: smallest,
                total_size,
                wasted: total_size - smallest,
                retained_size: members
                    .iter()
                    .map(|&n| s.dominators.retained.get(n as usize))
                    .sum(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.wasted.cmp(&a.wasted).then(a.group.cmp(&b.group)));
    out
}

/// What holds copies of a string: the holder's class and the reference's
/// name (element and hidden indexes folded into `[]`), with how many copies
/// it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Class key of the holding object.
    pub class_key: u32,
    /// The reference's name, `[]` for an element or hidden index.
    pub edge_name: String,
    /// Copies held this way.
    pub copies: u32,
}

/// The ways `members` (copies of one string) are held, most copies first,
/// at most `limit` of them; weak references do not hold.
pub fn holders(s: &HeapSnapshot, members: &[u32], limit: usize) -> Vec<Holder> {
    let g = &s.graph;
    let retainers = s.retainers();
    let mut counts: super::fasthash::FastMap<(u32, String), u32> = Default::default();
    for &m in members {
        for e in retainers.edges_into(g, NodeIndex(m)) {
            if g.edge_type[e.index()] == g.meta.edge_kinds.weak {
                continue;
            }
            let name = match g.edge_name_str(e) {
                Some(name) => crate::snapshot::bounded(name).0.into_owned(),
                None => "[]".to_owned(),
            };
            let class = s.classes.key_of[g.edge_source(e).index()];
            *counts.entry((class, name)).or_default() += 1;
        }
    }
    let mut out: Vec<Holder> = counts
        .into_iter()
        .map(|((class_key, edge_name), copies)| Holder {
            class_key,
            edge_name,
            copies,
        })
        .collect();
    out.sort_by(|a, b| {
        b.copies
            .cmp(&a.copies)
            .then(a.class_key.cmp(&b.class_key))
            .then(a.edge_name.cmp(&b.edge_name))
    });
    out.truncate(limit);
    out
}
