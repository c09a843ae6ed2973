//! Class names and class keys (DevTools' Summary "Constructor" column):
//! per-type names, `<div>` shortening, plain-object interface inference
//! (`{a, b, c}`), and location-based keys that split same-named classes.

use super::fasthash::FastMap;
use crate::snapshot::{bounded, Graph, NAME_LIMIT};
use serde::{Deserialize, Serialize};

/// Interface names stop growing past this many UTF-16 units.
const MAX_INTERFACE_NAME_LENGTH: usize = 120;
/// An interface must match at least this many objects...
const MIN_OBJECT_COUNT_PER_INTERFACE: f64 = 2.0;
/// ...and at least one in this many plain objects.
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;

/// A plain-object shape DevTools names `{a, b, c}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InterfaceDefinition {
    /// The class name, e.g. `{id, name}`.
    pub name: String,
    /// Property names, in the order they were first seen.
    pub properties: Vec<String>,
    /// How many objects had exactly this name when it was inferred.
    pub count: u32,
}

/// What groups Summary rows: a class name, plus a constructor location for
/// `object` nodes that have one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClassKey {
    /// Index into [`Classes::names`].
    pub name: u32,
    /// `(script_id, line, column)` when the object has a location.
    pub location: Option<(u32, u32, u32)>,
}

/// Class names and keys of every node.
#[derive(Debug, Default)]
pub struct Classes {
    /// Distinct class names, each [`bounded`]: a name cut at
    /// [`NAME_LIMIT`] characters is never merged with another.
    pub names: Vec<String>,
    /// Full length in characters of each cut name, by name index.
    name_lengths: FastMap<u32, usize>,
    /// Distinct keys.
    pub keys: Vec<ClassKey>,
    /// Key of each node.
    pub key_of: Vec<u32>,
    /// The interfaces inferred from this snapshot.
    pub interfaces: Vec<InterfaceDefinition>,
    name_ids: FastMap<String, u32>,
    key_ids: FastMap<ClassKey, u32>,
}

impl Classes {
    /// Computes every node's class as DevTools does.
    pub fn compute(g: &Graph) -> Classes {
        let mut c = Classes::default();
        let base = c.base_names(g);
        let interfaces = infer_interfaces(g);
        let matched = match_interfaces(g, &interfaces);
        let interface_names: Vec<u32> = interfaces.iter().map(|d| c.name_id(&d.name)).collect();
        let mut key_of = base;
        for &(n, d) in &matched {
            key_of[n as usize] = interface_names[d as usize];
        }
        // Most nodes have no location: their key depends on the name alone.
        let object = g.meta.node_kinds.object;
        let mut unlocated = vec![u32::MAX; c.names.len()];
        // Locations are sorted by node: read alongside, not searched.
        let mut locations = g.locations.iter().peekable();
        for (n, key) in key_of.iter_mut().enumerate() {
            let name = *key;
            let mut here = None;
            while let Some(l) = locations.next_if(|l| l.node as usize <= n) {
                here = Some(l).filter(|l| l.node as usize == n);
            }
            let location = here
                .filter(|_| g.node_type[n] == object)
                .map(|l| (l.script_id, l.line, l.column));
            if location.is_none() && unlocated[name as usize] != u32::MAX {
                *key = unlocated[name as usize];
                continue;
            }
            *key = c.key_id(name, location);
            if location.is_none() {
                unlocated[name as usize] = *key;
            }
        }
        c.key_of = key_of;
        c.interfaces = interfaces;
        c
    }

    /// Every key in its exported form, by key id.
    pub fn exported_keys(&self) -> Vec<String> {
        (0..self.keys.len() as u32)
            .map(|k| self.exported_key(k))
            .collect()
    }

    /// Keys of every node when plain objects are named by `definitions`
    /// (another snapshot's interfaces, as DevTools does for Comparison): a
    /// key id per node, into the returned table of exported keys.
    pub fn keys_with(
        &self,
        g: &Graph,
        definitions: &[InterfaceDefinition],
    ) -> (Vec<u32>, Vec<String>) {
        let mut table = self.exported_keys();
        // Every exported key once, so each table entry is a distinct key.
        let mut ids: FastMap<String, u32> = table
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        let mut key_of = self.key_of.clone();
        let object = g.meta.node_kinds.object;
        for (n, d) in match_interfaces(g, definitions) {
            let name = &definitions[d as usize].name;
            let key = match location_of(g, n as usize, object) {
                Some((s, l, col)) => format!("{s},{l},{col},{name}"),
                None => format!(",{name}"),
            };
            key_of[n as usize] = *ids.entry(key).or_insert_with_key(|key| {
                table.push(key.clone());
                table.len() as u32 - 1
            });
        }
        (key_of, table)
    }

    /// The class name of key `key`.
    pub fn name_of_key(&self, key: u32) -> &str {
        &self.names[self.keys[key as usize].name as usize]
    }

    /// The full length in characters of key `key`'s class name when
    /// [`name_of_key`](Self::name_of_key) is cut.
    pub fn name_length_of_key(&self, key: u32) -> Option<usize> {
        let name = self.keys[key as usize].name;
        self.name_lengths.get(&name).copied()
    }

    /// The class name of node `n`.
    pub fn class_name(&self, n: usize) -> &str {
        self.name_of_key(self.key_of[n])
    }

    /// DevTools' exported key: `,Name` or `script,line,column,Name`.
    pub fn exported_key(&self, key: u32) -> String {
        let k = &self.keys[key as usize];
        let name = &self.names[k.name as usize];
        match k.location {
            Some((s, l, c)) => format!("{s},{l},{c},{name}"),
            None => format!(",{name}"),
        }
    }

    /// Finds a key by its exported form.
    pub fn key_from_exported(&self, exported: &str) -> Option<u32> {
        (0..self.keys.len() as u32).find(|&k| self.exported_key(k) == exported)
    }

    fn name_id(&mut self, name: &str) -> u32 {
        let (shown, full_length) = bounded(name);
        if full_length.is_none() {
            if let Some(&id) = self.name_ids.get(name) {
                return id;
            }
        }
        let id = self.names.len() as u32;
        match full_length {
            Some(length) => {
                self.name_lengths.insert(id, length);
            }
            None => {
                self.name_ids.insert(name.to_owned(), id);
            }
        }
        self.names.push(shown.into_owned());
        id
    }

    fn key_id(&mut self, name: u32, location: Option<(u32, u32, u32)>) -> u32 {
        let key = ClassKey { name, location };
        if let Some(&id) = self.key_ids.get(&key) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.key_ids.insert(key, id);
        id
    }

    /// DevTools' `calculateObjectNames`: name id per node, before interfaces.
    fn base_names(&mut self, g: &Graph) -> Vec<u32> {
        let k = g.meta.node_kinds;
        let mut by_string = vec![u32::MAX; g.strings.len()];
        let mut by_type = vec![u32::MAX; g.meta.node_types.len()];
        let mut out = vec![0u32; g.node_count()];
        for (n, slot) in out.iter_mut().enumerate() {
            let t = g.node_type[n];
            *slot = if t == k.object || t == k.native {
                let s = g.node_name[n] as usize;
                if by_string[s] == u32::MAX {
                    by_string[s] = self.name_id(&shorten_tag(g.name(n)));
                }
                by_string[s]
            } else {
                if by_type[t as usize] == u32::MAX {
                    let name = match t {
                        _ if t == k.hidden => "(system)".to_owned(),
                        _ if t == k.code => "(compiled code)".to_owned(),
                        _ if t == k.closure => "Function".to_owned(),
                        _ if t == k.regexp => "RegExp".to_owned(),
                        _ => format!("({})", g.type_name(n)),
                    };
                    by_type[t as usize] = self.name_id(&name);
                }
                by_type[t as usize]
            };
        }
        out
    }
}

/// The class name inside an exported key (see [`Classes::exported_key`]).
pub fn class_name_of_key(key: &str) -> &str {
    match key.strip_prefix(',') {
        Some(name) => name,
        None => key.splitn(4, ',').nth(3).unwrap_or(key),
    }
}

fn location_of(g: &Graph, n: usize, object: u8) -> Option<(u32, u32, u32)> {
    if g.node_type[n] != object {
        return None;
    }
    g.location(n).map(|l| (l.script_id, l.line, l.column))
}

/// `<div id="a">` → `<div>`; `Detached <div id="a">` → `Detached <div>`.
/// A tag too long to be shown whole is not copied: it is cut anyway.
fn shorten_tag(name: &str) -> std::borrow::Cow<'_, str> {
    let tag_end = if name.starts_with('<') {
        name.find(' ')
    } else if let Some(rest) = name.strip_prefix("Detached <") {
        rest.find(' ').map(|sp| name.len() - rest.len() + sp)
    } else {
        None
    };
    match tag_end {
        Some(end) if end <= NAME_LIMIT => format!("{}>", &name[..end]).into(),
        Some(end) => name[..end].into(),
        None => name.into(),
    }
}

/// UTF-16 length, which is what DevTools' length limits count.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// JavaScript's default string order (UTF-16 code units).
pub fn js_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    // UTF-8 byte order equals UTF-16 order unless a character outside the
    // BMP (4-byte UTF-8, lead byte >= 0xF0) is involved.
    let astral = |s: &str| s.bytes().any(|b| b >= 0xF0);
    if astral(a) || astral(b) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.cmp(b)
    }
}

/// DevTools' `formatPropertyName`: names with `,'"{}` are JSON-quoted.
pub fn format_property_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains([',', '\'', '"', '{', '}']) {
        serde_json::to_string(name).unwrap_or_default().into()
    } else {
        name.into()
    }
}

/// True for nodes of type `object` named `Object`.
pub fn is_plain_object(g: &Graph, n: usize) -> bool {
    g.node_type[n] == g.meta.node_kinds.object && g.name(n) == "Object"
}

/// The shape of node `n` as far as interfaces go: the name strings of its
/// property edges, in edge order (written into `shape`). Objects of one
/// shape get one interface name and one match.
fn shape_of(g: &Graph, n: usize, shape: &mut Vec<u32>) {
    let property = g.meta.edge_kinds.property;
    shape.clear();
    shape.extend(
        g.edges(n)
            .filter(|&e| g.edge_type[e] == property)
            .map(|e| g.edge_name[e]),
    );
}

/// DevTools' `inferInterfaceDefinitions`.
pub fn infer_interfaces(g: &Graph) -> Vec<InterfaceDefinition> {
    let mut index: FastMap<String, usize> = FastMap::default();
    let mut candidates: Vec<InterfaceDefinition> = Vec::new();
    let mut total = 0u64;
    let mut name = String::new();
    let mut properties: Vec<&str> = Vec::new();
    // Objects of one shape have the same property name strings: each
    // shape's candidate (None: no properties) is worked out once.
    let mut by_shape: FastMap<Box<[u32]>, Option<usize>> = FastMap::default();
    let mut shape: Vec<u32> = Vec::new();
    for n in 0..g.node_count() {
        if !is_plain_object(g, n) {
            continue;
        }
        total += 1;
        shape_of(g, n, &mut shape);
        if let Some(&known) = by_shape.get(shape.as_slice()) {
            if let Some(i) = known {
                candidates[i].count += 1;
            }
            continue;
        }
        name.clear();
        name.push('{');
        let mut name_len = 1;
        properties.clear();
        for &name_index in &shape {
            let edge_name = g.strings.get(name_index);
            if edge_name == "__proto__" {
                continue;
            }
            let shown = bounded(edge_name).0;
            let formatted = format_property_name(&shown);
            let flen = utf16_len(&formatted);
            if name_len > 1 && name_len + flen > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if name_len != 1 {
                name.push_str(", ");
                name_len += 2;
            }
            name.push_str(&formatted);
            name_len += flen;
            properties.push(edge_name);
        }
        if properties.is_empty() {
            by_shape.insert(shape.as_slice().into(), None);
            continue;
        }
        name.push('}');
        let i = match index.get(name.as_str()) {
            Some(&i) => {
                candidates[i].count += 1;
                i
            }
            None => {
                index.insert(name.clone(), candidates.len());
                candidates.push(InterfaceDefinition {
                    name: name.clone(),
                    properties: properties.iter().map(|p| p.to_string()).collect(),
                    count: 1,
                });
                candidates.len() - 1
            }
        };
        by_shape.insert(shape.as_slice().into(), Some(i));
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.count));
    let min =
        MIN_OBJECT_COUNT_PER_INTERFACE.max(total as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    candidates.retain(|c| c.count as f64 >= min);
    candidates
}

struct TrieNode<'a> {
    next: FastMap<&'a str, usize>,
    /// (property count, definition index) of a definition ending here.
    found: Option<(usize, usize)>,
    greatest_next: Option<&'a str>,
}

/// The definitions' sorted property lists as a trie.
struct Trie<'a>(Vec<TrieNode<'a>>);

impl<'a> Trie<'a> {
    fn new(definitions: &'a [InterfaceDefinition]) -> Trie<'a> {
        let empty = || TrieNode {
            next: FastMap::default(),
            found: None,
            greatest_next: None,
        };
        let mut trie = vec![empty()];
        for (d, def) in definitions.iter().enumerate() {
            let mut props: Vec<&str> = def.properties.iter().map(String::as_str).collect();
            props.sort_by(|a, b| js_cmp(a, b));
            let mut cur = 0;
            for p in &props {
                cur = match trie[cur].next.get(p) {
                    Some(&nx) => nx,
                    None => {
                        let nx = trie.len();
                        trie.push(empty());
                        trie[cur].next.insert(p, nx);
                        if trie[cur]
                            .greatest_next
                            .is_none_or(|gn| js_cmp(gn, p).is_lt())
                        {
                            trie[cur].greatest_next = Some(p);
                        }
                        nx
                    }
                };
            }
            if trie[cur].found.is_none() {
                trie[cur].found = Some((props.len(), d));
            }
        }
        Trie(trie)
    }

    /// The best definition (property count, index) whose properties are
    /// all among `props` (sorted); `states` is scratch space.
    fn best_match(&self, props: &[&str], states: &mut Vec<usize>) -> Option<(usize, usize)> {
        let trie = &self.0;
        states.clear();
        states.push(0);
        let mut best = better(None, trie[0].found);
        for p in props {
            let before = states.len();
            let mut i = 0;
            let mut kept = 0;
            // Visit only the states that existed before this property.
            while i < before {
                let s = states[i];
                let stays = trie[s]
                    .greatest_next
                    .is_some_and(|gn| js_cmp(p, gn).is_lt());
                if let Some(&nx) = trie[s].next.get(p) {
                    if !states.contains(&nx) {
                        states.push(nx);
                    }
                    best = better(best, trie[nx].found);
                }
                if stays {
                    states[kept] = s;
                    kept += 1;
                }
                i += 1;
            }
            states.drain(kept..before);
        }
        best
    }
}

/// Of two matches (property count, definition index), the one with more
/// properties, then the earlier definition.
fn better(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> Option<(usize, usize)> {
    match (a, b) {
        (a, None) => a,
        (None, b) => b,
        (Some(x), Some(y)) => {
            if x.0 > y.0 {
                Some(x)
            } else if y.0 > x.0 || y.1 < x.1 {
                Some(y)
            } else {
                Some(x)
            }
        }
    }
}

/// DevTools' `applyInterfaceDefinitions`: for each plain object, the best
/// definition whose properties it all has (most properties, then earliest),
/// as `(node, definition)` pairs in node order.
pub fn match_interfaces(g: &Graph, definitions: &[InterfaceDefinition]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    if definitions.is_empty() {
        return out;
    }
    let trie = Trie::new(definitions);
    let mut props: Vec<&str> = Vec::new();
    let mut states: Vec<usize> = Vec::new();
    // Objects of one shape (the same property name strings) match alike.
    let mut by_shape: FastMap<Box<[u32]>, Option<u32>> = FastMap::default();
    let mut shape: Vec<u32> = Vec::new();
    for n in 0..g.node_count() {
        if !is_plain_object(g, n) {
            continue;
        }
        shape_of(g, n, &mut shape);
        if let Some(&known) = by_shape.get(shape.as_slice()) {
            out.extend(known.map(|d| (n as u32, d)));
            continue;
        }
        props.clear();
        props.extend(shape.iter().map(|&name_index| g.strings.get(name_index)));
        props.sort_by(|a, b| js_cmp(a, b));
        let best = trie.best_match(&props, &mut states).map(|(_, d)| d as u32);
        by_shape.insert(shape.as_slice().into(), best);
        out.extend(best.map(|d| (n as u32, d)));
    }
    out
}
