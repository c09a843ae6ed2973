//! Mutations of a real snapshot, most of them keeping it well-formed so
//! the analyses behind the parser are reached: rewired edges, retyped and
//! renamed nodes, moved edge counts, odd ids and sizes; the rest break it
//! the ways a hostile or damaged file does: counts and indexes past the
//! end, numbers V8 never writes, hostile strings, sections dropped,
//! doubled or swapped, and truncation.

use super::model::{Body, Model};
use super::rng::Rng;
use serde_json::Value;

/// Number texts chosen to sit on every limit the parser and the
/// analyses have (u32, i32, the node index limit 2^28, JSON's edge cases).
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "-0",
    "7",
    "255",
    "256",
    "65535",
    "2147483647",
    "2147483648",
    "268435455",
    "268435456",
    "4294967294",
    "4294967295",
    "4294967296",
    "4294967297",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "1e309",
    "-1e309",
    "1e3",
    "1.5",
    "0.0",
    "01",
    "00",
    "NaN",
    "Infinity",
    "-Infinity",
    "-",
    "",
    "0x10",
    "1e",
    "+1",
    "1_000",
    "null",
    "\"3\"",
];

/// String bodies (already JSON-escaped unless they are raw bytes) that
/// have broken text handling elsewhere: escapes, control characters,
/// bidi overrides, lone and swapped surrogates, bad escapes, bad UTF-8.
const STRINGS: &[&[u8]] = &[
    b"",
    b"\\u001b[31mred\\u001b]0;title\\u0007\\u001b[2K\\r",
    b"\\u202emoc.elgoog//:sptth",
    b"\\u2066a\\u2069\\u200e\\u200f\\u061c\\u202a\\u202b\\u202c\\u202d",
    b"\\ud800",
    b"\\udfff",
    b"\\ud83d\\ud83d",
    b"\\udc00\\ud800",
    b"a\\ud83d",
    b"\\ud83d\\ude00",
    b"\\u0000",
    b"\\\\",
    b"\\",
    b"\\x41",
    b"\\u12G4",
    b"\\u00",
    b"\"",
    b"\n",
    b"\x00\x01\x1f",
    b"\xc3",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"caf\xc3\xa9 \xf0\x9f\x98\x80",
    b"system / Context",
    b"(GC roots)",
    b"Object",
    b"<symbol Symbol.iterator>",
    b"Window / https://example.org",
    b"Detached <div>",
    b"{a, b, c}",
    b"__proto__",
    b"k\\u0000v",
];

/// What a long string is made of: one character, an escape, a two-byte
/// character, a lone surrogate.
const LONG_UNITS: &[&[u8]] = &[b"A", b"\\u202e", b"\xc3\xa9", b"\\ud800"];

/// Most bytes one mutation adds by copying: mutations compound over
/// rounds, and a multi-gigabyte input only measures the machine.
const MAX_GROWTH: usize = 8 << 20;

/// Bodies of sections V8 does not write.
const RAW_SECTIONS: &[&[u8]] = &[b"{}", b"[]", b"null", b"[1,[2,{\"a\":[]}]]", b"\"x\""];

/// Field positions of the seed's layout.
struct Layout {
    node_fields: Vec<String>,
    edge_fields: Vec<String>,
    node_types: usize,
    edge_types: usize,
}

impl Layout {
    fn of(header: &Value) -> Option<Layout> {
        let meta = &header["meta"];
        let list = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        Some(Layout {
            node_fields: list(&meta["node_fields"])?,
            edge_fields: list(&meta["edge_fields"])?,
            node_types: meta["node_types"][0].as_array().map_or(0, Vec::len),
            edge_types: meta["edge_types"][0].as_array().map_or(0, Vec::len),
        })
    }

    fn node_field(&self, name: &str) -> Option<usize> {
        self.node_fields.iter().position(|f| f == name)
    }

    fn edge_field(&self, name: &str) -> Option<usize> {
        self.edge_fields.iter().position(|f| f == name)
    }
}

/// Applies 1 to 4 mutations to `seed` and writes it out.
pub fn mutate(seed: &Model, rng: &mut Rng) -> Vec<u8> {
    let mut m = seed.clone();
    let mut header_text = None;
    let rounds = 1 + rng.size(3);
    for _ in 0..rounds {
        let Some(layout) = Layout::of(&m.header) else {
            break;
        };
        match rng.below(16) {
            0..=4 => well_formed(&mut m, &layout, rng),
            5 | 6 => number(&mut m, &layout, rng),
            7 | 8 => string(&mut m, rng),
            9 => rows(&mut m, &layout, rng),
            10 => header(&mut m, &layout, rng),
            11 => header_text = Some(header_number(&m, rng)),
            _ => sections(&mut m, rng),
        }
    }
    let mut bytes = m.write(header_text.as_deref());
    // Compounded growth (copies of copies) is cut, as a truncated file.
    bytes.truncate(4 * MAX_GROWTH);
    if rng.one_in(12) {
        bytes.truncate(rng.below(bytes.len() + 1));
    }
    if rng.one_in(16) {
        for _ in 0..=rng.size(8) {
            let at = rng.below(bytes.len());
            if let Some(b) = bytes.get_mut(at) {
                *b = rng.next() as u8;
            }
        }
    }
    bytes
}

fn numbers<'a>(m: &'a mut Model, key: &str) -> Option<&'a mut Vec<Vec<u8>>> {
    match m.body_mut(key)? {
        Body::Numbers(items) => Some(items),
        _ => None,
    }
}

fn set(items: &mut [Vec<u8>], at: usize, value: u64) {
    if let Some(slot) = items.get_mut(at) {
        *slot = value.to_string().into_bytes();
    }
}

fn value(items: &[Vec<u8>], at: usize) -> u64 {
    items
        .get(at)
        .and_then(|t| std::str::from_utf8(t).ok()?.parse().ok())
        .unwrap_or(0)
}

/// Changes that keep the file valid: the graph the analyses see changes
/// shape (cycles, odd types, shared names, duplicate ids), not the parser.
fn well_formed(m: &mut Model, l: &Layout, rng: &mut Rng) {
    let nf = l.node_fields.len().max(1);
    let ef = l.edge_fields.len().max(1);
    let strings = match m.body_mut("strings") {
        Some(Body::Strings(s)) => s.len() as u64,
        _ => 1,
    };
    let node_count = numbers(m, "nodes").map_or(0, |n| n.len() / nf);
    if node_count == 0 {
        return;
    }
    let kind = rng.below(7);
    if kind <= 1 {
        let Some(edges) = numbers(m, "edges") else {
            return;
        };
        let edge = rng.below(edges.len() / ef);
        if kind == 0 {
            if let Some(to) = l.edge_field("to_node") {
                set(edges, edge * ef + to, (rng.below(node_count) * nf) as u64);
            }
        } else if let Some(t) = l.edge_field("type") {
            set(edges, edge * ef + t, rng.below(l.edge_types.max(1)) as u64);
        }
        return;
    }
    let Some(nodes) = numbers(m, "nodes") else {
        return;
    };
    let row = rng.below(node_count) * nf;
    let other = rng.below(node_count) * nf;
    let pick = |name: &str| l.node_field(name);
    match kind {
        2 => {
            if let Some(f) = pick("type") {
                set(nodes, row + f, rng.below(l.node_types.max(1)) as u64);
            }
        }
        3 => {
            if let Some(f) = pick("name") {
                set(nodes, row + f, rng.below(strings as usize) as u64);
            }
        }
        4 => {
            // Moves edges from one node to another: the total stays right.
            if let Some(f) = pick("edge_count") {
                let give = value(nodes, row + f);
                let moved = rng.below((give as usize).saturating_add(1)) as u64;
                set(nodes, row + f, give - moved);
                let take = value(nodes, other + f);
                set(nodes, other + f, take.saturating_add(moved));
            }
        }
        5 => {
            if let Some(f) = pick("id") {
                let id = match rng.below(4) {
                    0 => value(nodes, other + f),
                    1 => rng.below(10) as u64,
                    2 => u32::MAX as u64 - rng.below(3) as u64,
                    _ => rng.next() % (1 << 32),
                };
                set(nodes, row + f, id);
            }
        }
        _ => {
            let field = *rng.pick(&["self_size", "detachedness", "trace_node_id"]);
            if let Some(f) = pick(field) {
                let v = match rng.below(3) {
                    0 => rng.below(4) as u64,
                    1 => u32::MAX as u64,
                    _ => rng.next() % (1 << 31),
                };
                set(nodes, row + f, v);
            }
        }
    }
}

/// Replaces one number of a number section with a limit or a non-number.
fn number(m: &mut Model, l: &Layout, rng: &mut Rng) {
    let mut lists: Vec<&mut Vec<Vec<u8>>> = m
        .sections
        .iter_mut()
        .filter_map(|(_, b)| match b {
            Body::Numbers(v) if !v.is_empty() => Some(v),
            _ => None,
        })
        .collect();
    if lists.is_empty() {
        return;
    }
    let pick = rng.below(lists.len());
    let items = &mut *lists[pick];
    let nf = l.node_fields.len() as u64;
    let node_count = items.len() as u64 / nf.max(1);
    let at = rng.below(items.len());
    items[at] = match rng.below(4) {
        0 => (node_count * nf + rng.below(3) as u64)
            .to_string()
            .into_bytes(),
        1 => (value(items, at) ^ (1 << rng.below(33)))
            .to_string()
            .into_bytes(),
        _ => rng.pick(NUMBERS).as_bytes().to_vec(),
    };
}

/// A hostile string, a long one, or a string table grown or cut.
fn string(m: &mut Model, rng: &mut Rng) {
    let Some(Body::Strings(items)) = m.body_mut("strings") else {
        return;
    };
    if items.is_empty() {
        items.push(Vec::new());
    }
    let at = rng.below(items.len());
    match rng.below(6) {
        0 => {
            // Long: up to 4 MiB of one character or of an escape.
            let unit = *rng.pick(LONG_UNITS);
            let len = rng.size(4 << 20) / unit.len();
            items[at] = unit.repeat(len);
        }
        1 => {
            // Many copies, but never past MAX_GROWTH bytes of them.
            let extra = rng.size(1 << 14).min(MAX_GROWTH / (items[at].len() + 1));
            let copy = items[at].clone();
            items.extend(std::iter::repeat_n(copy, extra));
        }
        2 => items.truncate(rng.below(items.len() + 1)),
        3 => {
            let mut s = items[at].clone();
            let cut = rng.below(s.len() + 1);
            s.splice(cut..cut, rng.pick(STRINGS).iter().copied());
            items[at] = s;
        }
        _ => items[at] = rng.pick(STRINGS).to_vec(),
    }
}

/// Whole rows removed, doubled or appended, counts left as they were.
fn rows(m: &mut Model, l: &Layout, rng: &mut Rng) {
    let (key, width) = if rng.one_in(2) {
        ("nodes", l.node_fields.len())
    } else {
        ("edges", l.edge_fields.len())
    };
    let Some(items) = numbers(m, key) else { return };
    let width = width.max(1);
    let count = items.len() / width;
    if count == 0 {
        return;
    }
    let at = rng.below(count) * width;
    let row: Vec<Vec<u8>> = items[at..at + width].to_vec();
    match rng.below(3) {
        0 => {
            items.drain(at..at + width);
        }
        1 => {
            for _ in 0..=rng.size(1 << 12) {
                items.splice(at..at, row.iter().cloned());
            }
        }
        _ => items.truncate(at + rng.below(width)),
    }
}

/// The header's counts and field lists changed as JSON.
fn header(m: &mut Model, l: &Layout, rng: &mut Rng) {
    let h = &mut m.header;
    match rng.below(6) {
        0 | 1 => {
            let key = *rng.pick(&["node_count", "edge_count", "trace_function_count"]);
            let old = h[key].as_u64().unwrap_or(0);
            let new = match rng.below(4) {
                0 => old.saturating_add(rng.below(3) as u64).saturating_sub(1),
                1 => 0,
                2 => rng.next() >> rng.below(64),
                _ => (1 << 28) + rng.below(3) as u64 - 1,
            };
            h[key] = new.into();
        }
        2 => {
            let list = *rng.pick(&["node_fields", "edge_fields", "location_fields"]);
            if let Some(fields) = h
                .pointer_mut(&format!("/meta/{list}"))
                .and_then(Value::as_array_mut)
            {
                if !fields.is_empty() {
                    let at = rng.below(fields.len());
                    match rng.below(3) {
                        0 => {
                            fields.remove(at);
                        }
                        1 => fields.push(fields[at].clone()),
                        _ => {
                            let other = rng.below(fields.len());
                            fields.swap(at, other)
                        }
                    }
                }
            }
        }
        3 => {
            let list = *rng.pick(&["node_types", "edge_types"]);
            if let Some(names) = h
                .pointer_mut(&format!("/meta/{list}/0"))
                .and_then(Value::as_array_mut)
            {
                match rng.below(3) {
                    0 => names.truncate(rng.below(names.len() + 1)),
                    1 => names.extend((0..rng.size(300)).map(|i| Value::from(format!("t{i}")))),
                    _ => names.reverse(),
                }
            }
        }
        4 => h["root_index"] = (rng.below(3) * l.node_fields.len()).into(),
        _ => {
            if let Some(meta) = h.get_mut("meta").and_then(Value::as_object_mut) {
                let keys: Vec<String> = meta.keys().cloned().collect();
                if !keys.is_empty() {
                    meta.remove(rng.pick(&keys).as_str());
                }
            }
        }
    }
}

/// The header written as text with one of its numbers replaced.
fn header_number(m: &Model, rng: &mut Rng) -> Vec<u8> {
    let text = m.header.to_string().into_bytes();
    let digits: Vec<usize> = (0..text.len())
        .filter(|&i| text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_digit()))
        .collect();
    if digits.is_empty() {
        return text;
    }
    let start = *rng.pick(&digits);
    let end = start
        + text[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    let mut out = text[..start].to_vec();
    out.extend_from_slice(rng.pick(NUMBERS).as_bytes());
    out.extend_from_slice(&text[end..]);
    out
}

/// Sections dropped, doubled, swapped, or new ones added.
fn sections(m: &mut Model, rng: &mut Rng) {
    let n = m.sections.len();
    if n == 0 {
        return;
    }
    let at = rng.below(n);
    match rng.below(5) {
        0 => {
            m.sections.remove(at);
        }
        1 => {
            let copy = m.sections[at].clone();
            m.sections.insert(rng.below(n + 1), copy);
        }
        2 => m.sections.swap(at, rng.below(n)),
        3 => {
            let depth = rng.size(1 << 17);
            let mut raw = b"[".repeat(depth);
            if rng.one_in(2) {
                raw.extend(b"]".repeat(depth));
            }
            m.sections.insert(at, ("samples".into(), Body::Raw(raw)));
        }
        _ => {
            let key = rng
                .pick(&["extra", "snapshot", "nodes", "strings", ""])
                .to_string();
            let raw = *rng.pick(RAW_SECTIONS);
            m.sections.insert(at, (key, Body::Raw(raw.to_vec())));
        }
    }
}
