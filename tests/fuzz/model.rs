//! A heap snapshot as the structure-aware target sees it: the header as
//! JSON, then each section as a list of tokens (number texts, escaped
//! string bodies, or raw JSON), so mutations can change one number, one
//! string or one whole section and still write out V8's layout.

use serde_json::Value;

/// One top-level section after the header.
#[derive(Clone)]
pub enum Body {
    /// A flat array of numbers, each kept as its text (so it can become
    /// `1e309`, `-0` or `NaN`).
    Numbers(Vec<Vec<u8>>),
    /// An array of strings, each kept as its escaped body without quotes
    /// (so it can hold a lone surrogate escape or raw bytes).
    Strings(Vec<Vec<u8>>),
    /// Anything else (`trace_tree`'s nesting), written as is.
    Raw(Vec<u8>),
}

/// A snapshot: header, then sections in file order.
#[derive(Clone)]
pub struct Model {
    /// The `"snapshot"` object.
    pub header: Value,
    /// `(key, body)` in the order they are written.
    pub sections: Vec<(String, Body)>,
}

/// V8's order of sections.
const ORDER: [&str; 7] = [
    "nodes",
    "edges",
    "trace_function_infos",
    "trace_tree",
    "samples",
    "locations",
    "strings",
];

impl Model {
    /// Reads a snapshot that is valid JSON of V8's shape; `None` otherwise
    /// (malformed corpus files are replayed, not mutated this way).
    pub fn read(bytes: &[u8]) -> Option<Model> {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        let header = v.get("snapshot").filter(|h| h.is_object())?.clone();
        let mut sections = Vec::new();
        for key in ORDER {
            let Some(section) = v.get(key) else { continue };
            let body = match section.as_array() {
                Some(a) if a.iter().all(Value::is_u64) => {
                    Body::Numbers(a.iter().map(|x| x.to_string().into_bytes()).collect())
                }
                Some(a) if key == "strings" && a.iter().all(Value::is_string) => Body::Strings(
                    a.iter()
                        .map(|s| {
                            let quoted = s.to_string().into_bytes();
                            quoted[1..quoted.len() - 1].to_vec()
                        })
                        .collect(),
                ),
                _ => Body::Raw(section.to_string().into_bytes()),
            };
            sections.push((key.to_owned(), body));
        }
        Some(Model { header, sections })
    }

    /// The section `key`'s body, if present.
    pub fn body_mut(&mut self, key: &str) -> Option<&mut Body> {
        self.sections
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, b)| b)
    }

    /// Writes the snapshot in V8's layout; `header_text` replaces the
    /// serialised header when a mutation edited it as text.
    pub fn write(&self, header_text: Option<&[u8]>) -> Vec<u8> {
        let mut out = Vec::with_capacity(4096);
        out.extend_from_slice(b"{\"snapshot\":");
        match header_text {
            Some(text) => out.extend_from_slice(text),
            None => out.extend_from_slice(self.header.to_string().as_bytes()),
        }
        for (key, body) in &self.sections {
            out.extend_from_slice(b",\n\"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":");
            match body {
                Body::Numbers(items) => write_list(&mut out, items, b"", b"\n,"),
                Body::Strings(items) => write_list(&mut out, items, b"\"", b",\n"),
                Body::Raw(raw) => out.extend_from_slice(raw),
            }
        }
        out.extend_from_slice(b"}\n");
        out
    }
}

fn write_list(out: &mut Vec<u8>, items: &[Vec<u8>], quote: &[u8], sep: &[u8]) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(quote);
        out.extend_from_slice(item);
        out.extend_from_slice(quote);
    }
    out.push(b']');
}
