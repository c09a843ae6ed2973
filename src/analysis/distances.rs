//! Distances from the GC roots, exactly as DevTools' Summary shows them:
//! BFS from the user roots, then a second BFS from the root for the rest,
//! never over weak edges, with DevTools' three JavaScript edge filters.

use super::fasthash::FastSet;
use super::flags::is_user_root;
use super::weakmap::EphemeronNames;
use crate::snapshot::Graph;

/// Distance of a node not reached through non-weak edges.
pub const NO_DISTANCE: i32 = -5;
/// Distances at or above this are "system" (reached only from the root).
pub const BASE_SYSTEM_DISTANCE: i32 = 100_000_000;
/// Added to a retainer's distance when ignoring retainers made it unreachable.
pub const BASE_UNREACHABLE_DISTANCE: i32 = 200_000_000;

/// The distance DevTools displays, or `None` where it shows "−".
pub fn shown(d: i32) -> Option<u32> {
    (0..BASE_SYSTEM_DISTANCE).contains(&d).then_some(d as u32)
}

/// JavaScript's `parseInt(text, 10)` on an edge name (`None` for NaN).
fn parse_int(text: &str) -> Option<i64> {
    let t = text.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let v: i64 = digits[..n].parse().unwrap_or(i64::MAX);
    Some(if neg { -v } else { v })
}

/// One distance computation: the graph, the edge filters and the WeakMap
/// pairs seen so far (shared by both BFS passes, as in DevTools).
struct Walk<'a> {
    g: &'a Graph,
    ephemerons: &'a EphemeronNames,
    ignored: Option<&'a [bool]>,
    pending: FastSet<&'a str>,
}

impl<'a> Walk<'a> {
    /// DevTools' filter, asked only for non-weak edges to unvisited nodes.
    fn follow(&mut self, node: usize, e: usize) -> bool {
        let g = self.g;
        if self.ignored.is_some_and(|ign| ign[g.edge_to[e] as usize]) {
            return false;
        }
        let k = g.meta.node_kinds;
        let t = g.node_type[node];
        if t == k.hidden
            && g.edge_name_str(e) == Some("sloppy_function_map")
            && g.name(node) == "system / NativeContext"
        {
            return false;
        }
        if t == k.array && g.name(node) == "(map descriptors)" {
            // Descriptor arrays: [0] count, [1] enum cache, then key/type/value
            // triples; DevTools skips the links at k >= 2 with k % 3 == 1.
            let index = if g.edge_has_index(e) {
                Some(g.edge_name[e] as i64)
            } else {
                parse_int(g.strings.get(g.edge_name[e]))
            };
            return index.is_none_or(|i| i < 2 || i % 3 != 1);
        }
        if g.edge_type[e] == g.meta.edge_kinds.internal {
            if let Some(eph) = self.ephemerons.get(g.edge_name[e]) {
                // The first edge of a table/key pair is skipped, the second
                // followed, so the value's distance is the later of the two.
                let shared = &g.strings.get(g.edge_name[e])[eph.shared_from..];
                if !self.pending.remove(shared) {
                    self.pending.insert(shared);
                    return false;
                }
            }
        }
        true
    }

    fn bfs(&mut self, queue: &mut Vec<u32>, dist: &mut [i32]) {
        let g = self.g;
        let weak = g.meta.edge_kinds.weak;
        let mut i = 0;
        while i < queue.len() {
            let node = queue[i] as usize;
            i += 1;
            let d = dist[node] + 1;
            for e in g.edges(node) {
                if g.edge_type[e] == weak {
                    continue;
                }
                let to = g.edge_to[e] as usize;
                if dist[to] != NO_DISTANCE || !self.follow(node, e) {
                    continue;
                }
                dist[to] = d;
                queue.push(to as u32);
            }
        }
    }
}

/// Computes distances. `ignored` (for the Retainers view) marks nodes whose
/// incoming edges are not followed.
pub fn distances(g: &Graph, ephemerons: &EphemeronNames, ignored: Option<&[bool]>) -> Vec<i32> {
    let n = g.node_count();
    let mut dist = vec![NO_DISTANCE; n];
    let mut queue: Vec<u32> = Vec::with_capacity(n);
    let mut walk = Walk {
        g,
        ephemerons,
        ignored,
        pending: FastSet::default(),
    };
    let root = g.root().index();
    for e in g.edges(root) {
        let to = g.edge_to[e] as usize;
        if is_user_root(g, to) {
            dist[to] = 1;
            queue.push(to as u32);
        }
    }
    let user_roots = !queue.is_empty();
    walk.bfs(&mut queue, &mut dist);
    dist[root] = if user_roots { BASE_SYSTEM_DISTANCE } else { 0 };
    queue.clear();
    queue.push(root as u32);
    walk.bfs(&mut queue, &mut dist);
    dist
}

#[cfg(test)]
mod tests {
    use super::parse_int;

    #[test]
    fn parse_int_follows_javascript() {
        assert_eq!(parse_int("12"), Some(12));
        assert_eq!(parse_int("7abc"), Some(7));
        assert_eq!(parse_int(" -3"), Some(-3));
        assert_eq!(parse_int("abc"), None);
    }
}
