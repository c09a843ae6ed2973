//! Recognises V8's WeakMap ephemeron edge names, which DevTools treats
//! specially in distances and dominators:
//! `<n> / part of key (<…> @<id>) -> value (<…> @<id>) pair in WeakMap (table @<id>)`.

use super::fasthash::FastMap;
use crate::snapshot::Strings;

/// The parts of an ephemeron edge name DevTools uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ephemeron {
    /// Id of the WeakMap's table (the edge from the table is not essential).
    pub table_id: u64,
    /// Byte offset where the text shared by the pair of edges starts.
    pub shared_from: usize,
}

/// Ephemeron names of one snapshot, found once by string index.
#[derive(Debug, Default)]
pub struct EphemeronNames {
    by_string: FastMap<u32, Ephemeron>,
}

impl EphemeronNames {
    /// Scans the string table.
    pub fn find(strings: &Strings) -> EphemeronNames {
        let mut by_string = FastMap::default();
        for i in 0..strings.len() as u32 {
            if let Some(e) = parse(strings.get(i)) {
                by_string.insert(i, e);
            }
        }
        EphemeronNames { by_string }
    }

    /// The parsed name, when string `index` is an ephemeron edge name.
    #[inline]
    pub fn get(&self, index: u32) -> Option<Ephemeron> {
        if self.by_string.is_empty() {
            return None;
        }
        self.by_string.get(&index).copied()
    }
}

const KEY: &str = " / part of key (";
const VALUE: &str = ") -> value (";
const TABLE: &str = " pair in WeakMap (table @";

fn digits_len(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Matches DevTools' regular expression
/// `^\d+( \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$`.
pub fn parse(name: &str) -> Option<Ephemeron> {
    let b = name.as_bytes();
    let lead = digits_len(b);
    if lead == 0 || !name[lead..].starts_with(KEY) {
        return None;
    }
    // JavaScript's `.` does not match line terminators.
    if name.contains(['\n', '\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    // Tail: " pair in WeakMap (table @<digits>)" at the very end.
    let body = name.strip_suffix(')')?;
    let table_digits = digits_len(&body.as_bytes()[body.rfind('@')? + 1..]);
    let at = body.rfind('@')?;
    if table_digits == 0 || at + 1 + table_digits != body.len() {
        return None;
    }
    let table_id: u64 = body[at + 1..].parse().ok()?;
    let middle_end = body.len() - table_digits - TABLE.len();
    if !body[..body.len() - table_digits].ends_with(TABLE) {
        return None;
    }
    let middle = &name[lead + KEY.len()..middle_end];
    // middle = X " @" D ") -> value (" Y " @" D ")"
    let mb = middle.as_bytes();
    let inner = middle.strip_suffix(')')?;
    let last_at = inner.rfind(" @")?;
    let d = &inner.as_bytes()[last_at + 2..];
    if d.is_empty() || digits_len(d) != d.len() {
        return None;
    }
    // Some " @<digits>) -> value (" must end at or before `last_at`.
    let mut from = 0;
    let mut found = false;
    while let Some(p) = middle[from..].find(" @") {
        let start = from + p + 2;
        let n = digits_len(&mb[start..]);
        if n > 0 && middle[start + n..].starts_with(VALUE) && start + n + VALUE.len() <= last_at {
            found = true;
            break;
        }
        from = start;
    }
    found.then_some(Ephemeron {
        table_id,
        shared_from: lead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_v8_ephemeron_edge_name() {
        let e = parse("2 / part of key (Object @5) -> value (Foo @7) pair in WeakMap (table @99)")
            .unwrap();
        assert_eq!(e.table_id, 99);
        assert_eq!(e.shared_from, 1);
    }

    #[test]
    fn rejects_other_names() {
        assert_eq!(parse("elements"), None);
        assert_eq!(
            parse("2 / part of key (Object @5) pair in WeakMap (table @99)"),
            None
        );
        assert_eq!(
            parse("x / part of key (Object @5) -> value (Foo @7) pair in WeakMap (table @99)"),
            None
        );
    }
}
