//! Display names of nodes as DevTools shows them in instance rows and
//! search: cons strings rebuilt from their parts, plain objects as `{a, …, z}`,
//! each part and name [`bounded`].

use super::classes::{format_property_name, is_plain_object, utf16_len};
use crate::snapshot::{bounded, Graph};

/// Cons-string text is rebuilt up to this many characters.
const CONS_STRING_LIMIT: usize = 1024;
/// Most parts visited while rebuilding one cons string (a corrupt file can
/// make a cons string contain itself).
pub(super) const CONS_STRING_MAX_PARTS: usize = 4096;
/// Plain-object display names stop near this many UTF-16 units.
const PLAIN_OBJECT_NAME_LIMIT: usize = 100;

/// The name DevTools displays for node `n`, [`bounded`]: with its full
/// length in characters when it was cut (a cons string's full length is
/// not known: it is never rebuilt whole).
pub fn display_name(g: &Graph, n: usize) -> (String, Option<usize>) {
    let k = g.meta.node_kinds;
    if g.node_type[n] == k.cons_string {
        return (bounded(&cons_string_name(g, n)).0.into_owned(), None);
    }
    if is_plain_object(g, n) {
        return (plain_object_name(g, n), None);
    }
    let (name, full_length) = bounded(g.name(n));
    (name.into_owned(), full_length)
}

fn cons_string_name(g: &Graph, n: usize) -> String {
    let cons = g.meta.node_kinds.cons_string;
    let internal = g.meta.edge_kinds.internal;
    let mut stack = vec![n];
    let mut name = String::new();
    // A corrupt file can make a cons string contain itself; DevTools would
    // loop forever, heaplens stops after a bounded number of parts.
    let (mut parts, mut len) = (0, 0);
    while let Some(node) = stack.pop() {
        parts += 1;
        if len >= CONS_STRING_LIMIT || parts > CONS_STRING_MAX_PARTS {
            break;
        }
        if g.node_type[node] != cons {
            let (part, cut) = bounded(g.name(node));
            name.push_str(&part);
            len += utf16_len(&part);
            if cut.is_some() {
                break;
            }
            continue;
        }
        let (mut first, mut second) = (0, 0);
        for e in g.edges(node) {
            if g.edge_type[e] == internal {
                match g.strings.get(g.edge_name[e]) {
                    "first" => first = g.edge_to[e] as usize,
                    "second" => second = g.edge_to[e] as usize,
                    _ => {}
                }
            }
            if first != 0 && second != 0 {
                break;
            }
        }
        stack.push(second);
        stack.push(first);
    }
    name
}

fn plain_object_name(g: &Graph, n: usize) -> String {
    let property = g.meta.edge_kinds.property;
    let edges = g.edges(n);
    let (mut from, mut to) = (edges.start as isize, edges.end as isize - 1);
    let mut start = String::from("{");
    let mut end = String::from("}");
    let mut from_end = false;
    while from <= to {
        let e = if from_end { to } else { from } as usize;
        let name = g.strings.get(g.edge_name[e]);
        if g.edge_type[e] != property || name == "__proto__" {
            if from_end {
                to -= 1;
            } else {
                from += 1;
            }
            continue;
        }
        let shown = bounded(name).0;
        let formatted = format_property_name(&shown);
        if utf16_len(&start) > 1
            && utf16_len(&start) + utf16_len(&end) + utf16_len(&formatted) > PLAIN_OBJECT_NAME_LIMIT
        {
            break;
        }
        if from_end {
            to -= 1;
            if utf16_len(&end) > 1 {
                end.insert_str(0, ", ");
            }
            end.insert_str(0, &formatted);
        } else {
            from += 1;
            if utf16_len(&start) > 1 {
                start.push_str(", ");
            }
            start.push_str(&formatted);
        }
        from_end = !from_end;
    }
    if from <= to {
        start.push_str(", …");
    }
    if utf16_len(&end) > 1 {
        start.push_str(", ");
    }
    start + &end
}
