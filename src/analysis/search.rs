//! The search box's index: object names as string tables (the snapshot's
//! own, a lower-cased copy, and the computed names of cons strings and
//! plain objects) plus, per string, the objects named by it. A search is
//! one scan of each table, not one string comparison per object.

use super::classes::is_plain_object;
use super::names::display_name;
use crate::snapshot::{Graph, Strings};

/// Objects (with a self size) by what their displayed name is made of.
pub struct SearchIndex {
    /// Per string of the snapshot's table: its objects, `by_name[first[s]..first[s + 1]]`.
    first: Vec<u32>,
    by_name: Vec<u32>,
    /// The snapshot's strings that name objects, lower-cased, and the
    /// index of each in the snapshot's table.
    lower: Strings,
    lower_of: Vec<u32>,
    /// Objects whose displayed name is computed (cons strings, plain
    /// objects), their names, and those lower-cased.
    computed: Vec<u32>,
    computed_names: Strings,
    computed_lower: Strings,
}

impl SearchIndex {
    /// Indexes every object with a self size.
    pub fn new(g: &Graph) -> SearchIndex {
        let strings = g.strings.len();
        let cons = g.meta.node_kinds.cons_string;
        let mut computed = Vec::new();
        let mut computed_names = Strings::default();
        let mut computed_lower = Strings::default();
        let mut first = vec![0u32; strings + 1];
        let named_by_string =
            |n: usize| g.self_size[n] > 0 && g.node_type[n] != cons && !is_plain_object(g, n);
        for n in 0..g.node_count() {
            if g.self_size[n] == 0 {
                continue;
            }
            if named_by_string(n) {
                first[g.node_name[n] as usize + 1] += 1;
            } else {
                let name = display_name(g, n).0;
                computed_lower.push(&name.to_lowercase());
                computed_names.push(&name);
                computed.push(n as u32);
            }
        }
        for s in 0..strings {
            first[s + 1] += first[s];
        }
        let mut next = first.clone();
        let mut by_name = vec![0u32; first[strings] as usize];
        for n in (0..g.node_count()).filter(|&n| named_by_string(n)) {
            let slot = &mut next[g.node_name[n] as usize];
            by_name[*slot as usize] = n as u32;
            *slot += 1;
        }
        let mut lower = Strings::default();
        let mut lower_of = Vec::new();
        for s in (0..strings).filter(|&s| first[s + 1] > first[s]) {
            lower.push(&g.strings.get(s as u32).to_lowercase());
            lower_of.push(s as u32);
        }
        SearchIndex {
            first,
            by_name,
            lower,
            lower_of,
            computed,
            computed_names,
            computed_lower,
        }
    }

    /// Objects whose displayed name contains `text` (any case unless
    /// `match_case`), in node order.
    pub fn find(&self, g: &Graph, text: &str, match_case: bool) -> Vec<usize> {
        let needle = match match_case {
            true => text.to_owned(),
            false => text.to_lowercase(),
        };
        let (matched, computed) = match match_case {
            true => (g.strings.containing(&needle), &self.computed_names),
            false => {
                let lower = self.lower.containing(&needle);
                let original = lower.into_iter().map(|i| self.lower_of[i as usize]);
                (original.collect(), &self.computed_lower)
            }
        };
        let mut found: Vec<usize> = Vec::new();
        for s in matched {
            let s = s as usize;
            let objects = &self.by_name[self.first[s] as usize..self.first[s + 1] as usize];
            found.extend(objects.iter().map(|&n| n as usize));
        }
        found.extend(
            computed
                .containing(&needle)
                .into_iter()
                .map(|i| self.computed[i as usize] as usize),
        );
        found.sort_unstable();
        found
    }
}
