//! Streaming parser: feed the file as byte chunks of any size, split
//! anywhere, and get a columnar [`Graph`].
//!
//! The file is never held as one text. The `snapshot` header is collected
//! and handed to `serde_json`; `nodes`, `edges`, `locations` and the scope
//! tables are parsed digit by digit straight into flat arrays sized from the
//! header; `strings` are unescaped into one byte arena; every other section
//! is skipped.

use super::graph::{Graph, Location};
use super::meta::{EdgeField, Meta, NodeField};
use super::scopes::ScopeTables;
use super::strings::Strings;
use crate::bail;
use crate::error::{Error, Result};

/// Largest `snapshot` header accepted (V8 writes about 1 kB).
const MAX_HEADER_BYTES: usize = 16 << 20;
/// Most fields a node or edge row may have.
const MAX_FIELDS: usize = 16;

/// Which number array is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Nodes,
    Edges,
    Locations,
    Scopes,
    ScopeContextVars,
    ScopeUses,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Section::Nodes => "nodes",
            Section::Edges => "edges",
            Section::Locations => "locations",
            Section::Scopes => "scopes",
            Section::ScopeContextVars => "scope_context_vars",
            Section::ScopeUses => "scope_uses",
        }
    }

    /// The scope tables hold scope ids, which V8 writes negative for some scopes.
    fn signed(self) -> bool {
        matches!(
            self,
            Section::Scopes | Section::ScopeContextVars | Section::ScopeUses
        )
    }
}

/// Where the parser stands in the top-level object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// The file does not start like JSON: its first bytes (in `key`) are
    /// read to name what it is.
    Foreign,
    ExpectKey,
    Key,
    ExpectColon,
    ExpectValue,
    RecordHeader,
    SkipValue,
    ArrayOpen(Section),
    Numbers(Section),
    StringsOpen,
    Strings,
    AfterValue,
    Done,
}

/// Tracks nesting while passing over (or recording) a JSON value.
#[derive(Debug, Default, Clone)]
struct Skipper {
    /// The open brackets, innermost last (`true` for `{`).
    open: Vec<bool>,
    in_string: bool,
    escape: bool,
    scalar: bool,
}

enum Skip {
    More,
    /// The value ended; `true` when the current byte belongs to it.
    Done(bool),
    /// A closing bracket that does not match the open one.
    Mismatch,
}

impl Skipper {
    #[inline]
    fn feed(&mut self, b: u8) -> Skip {
        if self.in_string {
            if self.escape {
                self.escape = false;
            } else if b == b'\\' {
                self.escape = true;
            } else if b == b'"' {
                self.in_string = false;
                if self.open.is_empty() {
                    return Skip::Done(true);
                }
            }
            return Skip::More;
        }
        if self.scalar {
            return match b {
                b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' => Skip::Done(false),
                _ => Skip::More,
            };
        }
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.open.push(b == b'{'),
            b'}' | b']' => {
                if self.open.pop() != Some(b == b'}') {
                    return Skip::Mismatch;
                }
                if self.open.is_empty() {
                    return Skip::Done(true);
                }
            }
            b' ' | b'\n' | b'\r' | b'\t' | b',' | b':' => {}
            _ if self.open.is_empty() => self.scalar = true,
            _ => {}
        }
        Skip::More
    }
}

/// State of the `strings` array reader.
#[derive(Debug, Default, Clone, Copy)]
struct StringState {
    in_string: bool,
    /// A separator is needed before the next string.
    need_comma: bool,
    escape: bool,
    /// Hex digits still expected after `\u` (0 when not in one).
    hex_left: u8,
    hex_value: u32,
    /// A high surrogate waiting for its low half.
    high_surrogate: u32,
}

/// State of a number-array reader.
#[derive(Debug, Default, Clone, Copy)]
struct NumberState {
    acc: u64,
    /// A `-` opened the number (scope tables only).
    negative: bool,
    digits: u32,
    need_comma: bool,
    values: u64,
}

/// Rows being filled while the file streams in.
struct Columns {
    meta: Meta,
    node_row: Vec<NodeField>,
    edge_row: Vec<EdgeField>,
    /// Field position inside the current row.
    row_len: usize,
    /// Node rows started.
    rows: usize,
    /// Edge rows started.
    edge_rows: usize,
    /// Node field count (`to_node` is ordinal × this).
    node_fields: u64,
    nodes_done: bool,
    edges_done: bool,
    node_type: Vec<u8>,
    node_name: Vec<u32>,
    node_id: Vec<u32>,
    self_size: Vec<u32>,
    detachedness: Vec<u8>,
    first_edge: Vec<u32>,
    edge_type: Vec<u8>,
    edge_name: Vec<u32>,
    edge_to: Vec<u32>,
    locations: Vec<u32>,
    scopes: ScopeTables,
}

fn reserve<T>(v: &mut Vec<T>, n: usize, what: &str) -> Result<()> {
    v.try_reserve_exact(n).map_err(|_| {
        Error::new(format!(
            "not enough memory for {n} {what}: the snapshot is too big for this process"
        ))
    })
}

impl Columns {
    fn new(meta: Meta) -> Result<Columns> {
        if meta.node_field_count() > MAX_FIELDS || meta.edge_field_count() > MAX_FIELDS {
            bail!("snapshot.meta has more than {MAX_FIELDS} node or edge fields");
        }
        let n = meta.node_count as usize;
        let e = meta.edge_count as usize;
        let mut c = Columns {
            node_row: meta.node_fields.clone(),
            edge_row: meta.edge_fields.clone(),
            row_len: 0,
            rows: 0,
            edge_rows: 0,
            node_fields: meta.node_field_count() as u64,
            nodes_done: false,
            edges_done: false,
            node_type: Vec::new(),
            node_name: Vec::new(),
            node_id: Vec::new(),
            self_size: Vec::new(),
            detachedness: Vec::new(),
            first_edge: Vec::new(),
            edge_type: Vec::new(),
            edge_name: Vec::new(),
            edge_to: Vec::new(),
            locations: Vec::new(),
            scopes: ScopeTables::default(),
            meta,
        };
        reserve(&mut c.node_type, n, "nodes")?;
        reserve(&mut c.node_name, n, "nodes")?;
        reserve(&mut c.node_id, n, "nodes")?;
        reserve(&mut c.self_size, n, "nodes")?;
        reserve(&mut c.first_edge, n + 1, "nodes")?;
        if c.meta.has_detachedness() {
            reserve(&mut c.detachedness, n, "nodes")?;
        }
        reserve(&mut c.edge_type, e, "edges")?;
        reserve(&mut c.edge_name, e, "edges")?;
        reserve(&mut c.edge_to, e, "edges")?;
        c.first_edge.push(0);
        Ok(c)
    }

    #[inline(always)]
    fn value(&mut self, section: Section, v: u64, negative: bool, at: u64) -> Result<()> {
        let signed = || match i64::try_from(v) {
            Ok(v) if negative => Ok(-v),
            Ok(v) => Ok(v),
            Err(_) => Err(Error::new(format!(
                "{}[{at}] is {v}: too large for a scope field",
                section.key()
            ))),
        };
        match section {
            Section::Nodes => self.node_value(v, at),
            Section::Edges => self.edge_value(v),
            Section::Locations => {
                if v > u32::MAX as u64 {
                    bail!("locations[{at}] is {v}: too large for a location field");
                }
                self.locations.push(v as u32);
                Ok(())
            }
            Section::Scopes | Section::ScopeContextVars | Section::ScopeUses => {
                let v = signed()?;
                match section {
                    Section::Scopes => self.scopes.scopes.push(v),
                    Section::ScopeContextVars => self.scopes.vars.push(v),
                    _ => self.scopes.uses.push(v),
                }
                Ok(())
            }
        }
    }

    /// Stores one value of the `nodes` array in its column.
    #[inline(always)]
    fn node_value(&mut self, v: u64, at: u64) -> Result<()> {
        let k = self.row_len;
        if k == 0 {
            if self.rows == self.meta.node_count as usize {
                bail!(
                    "nodes has more values than node_count ({}) × {} fields: the header and the data disagree",
                    self.meta.node_count,
                    self.node_row.len()
                );
            }
            self.rows += 1;
        }
        let role = self.node_row[k];
        let limit = match role {
            NodeField::Type => self.meta.node_types.len() as u64 - 1,
            NodeField::Detachedness => 2,
            NodeField::EdgeCount => {
                self.meta.edge_count as u64 - *self.first_edge.last().unwrap_or(&0) as u64
            }
            NodeField::Other => u64::MAX,
            _ => u32::MAX as u64,
        };
        if v > limit {
            return Err(self.node_error(role, v, at));
        }
        match role {
            NodeField::Type => self.node_type.push(v as u8),
            NodeField::Name => self.node_name.push(v as u32),
            NodeField::Id => self.node_id.push(v as u32),
            NodeField::SelfSize => self.self_size.push(v as u32),
            NodeField::EdgeCount => {
                let end = *self.first_edge.last().unwrap_or(&0) + v as u32;
                self.first_edge.push(end);
            }
            NodeField::Detachedness => self.detachedness.push(v as u8),
            NodeField::Other => {}
        }
        self.row_len = if k + 1 == self.node_row.len() {
            0
        } else {
            k + 1
        };
        Ok(())
    }

    #[cold]
    fn node_error(&self, role: NodeField, v: u64, at: u64) -> Error {
        let n = self.rows - 1;
        let field = role.name();
        let what = match role {
            NodeField::Type => format!(
                "a type index outside node_types (which has {} types)",
                self.meta.node_types.len()
            ),
            NodeField::EdgeCount => format!(
                "more edges than edge_count ({}) allows: the header and the data disagree",
                self.meta.edge_count
            ),
            _ => "too large for its field".to_owned(),
        };
        Error::new(format!("node {n} (nodes[{at}]) has {field} = {v}: {what}"))
    }

    /// Stores one value of the `edges` array in its column.
    #[inline(always)]
    fn edge_value(&mut self, v: u64) -> Result<()> {
        let k = self.row_len;
        if k == 0 {
            if self.edge_rows == self.meta.edge_count as usize {
                bail!(
                    "edges has more values than edge_count ({}) × {} fields: the header and the data disagree",
                    self.meta.edge_count,
                    self.edge_row.len()
                );
            }
            self.edge_rows += 1;
        }
        let e = self.edge_rows - 1;
        match self.edge_row[k] {
            EdgeField::Type => {
                if v >= self.meta.edge_types.len() as u64 {
                    bail!(
                        "edge {e} has type {v}, outside edge_types (which has {} types)",
                        self.meta.edge_types.len()
                    );
                }
                self.edge_type.push(v as u8);
            }
            EdgeField::NameOrIndex => {
                if v > u32::MAX as u64 {
                    bail!("edge {e} has name_or_index {v}: too large for its field");
                }
                self.edge_name.push(v as u32);
            }
            EdgeField::ToNode => {
                // V8 writes 6 or 7 node fields: dividing by a constant compiles
                // to a multiply, which matters once per edge (also in wasm).
                let q = match (u32::try_from(v), self.node_fields) {
                    (Ok(v), 7) => (v / 7) as u64,
                    (Ok(v), 6) => (v / 6) as u64,
                    (Ok(v), f) => (v / f as u32) as u64,
                    (Err(_), _) => u64::MAX,
                };
                if q >= self.meta.node_count as u64 || q * self.node_fields != v {
                    return Err(self.edge_target_error(v));
                }
                self.edge_to.push(q as u32);
            }
            EdgeField::Other => {}
        }
        self.row_len = if k + 1 == self.edge_row.len() {
            0
        } else {
            k + 1
        };
        Ok(())
    }

    #[cold]
    fn edge_target_error(&self, v: u64) -> Error {
        let fields = self.node_fields;
        let why = if !v.is_multiple_of(fields) {
            format!("not a multiple of the {fields} node fields")
        } else {
            format!(
                "past the last node (node_count is {})",
                self.meta.node_count
            )
        };
        Error::new(format!(
            "edge {} points to node index {v}, {why}: the file is truncated or corrupt",
            self.edge_rows - 1
        ))
    }

    /// Checks every string index against the table, naming the first bad one.
    fn check_string_indexes(&self, strings: usize) -> Result<()> {
        if let Some(n) = self.node_name.iter().position(|&s| s as usize >= strings) {
            bail!(
                "node {n} names string {}, but there are only {strings} strings: the file is corrupt",
                self.node_name[n]
            );
        }
        let kinds = self.meta.edge_kinds;
        let bad = (0..self.edge_name.len()).find(|&e| {
            let t = self.edge_type[e];
            t != kinds.element && t != kinds.hidden && self.edge_name[e] as usize >= strings
        });
        if let Some(e) = bad {
            bail!(
                "edge {e} names string {}, but there are only {strings} strings: the file is corrupt",
                self.edge_name[e]
            );
        }
        Ok(())
    }

    fn finish(self, mut strings: Strings, have_strings: bool) -> Result<Graph> {
        let m = &self.meta;
        if !self.nodes_done {
            bail!("the snapshot has no \"nodes\" section");
        }
        if !self.edges_done {
            bail!("the snapshot has no \"edges\" section");
        }
        if !have_strings {
            bail!("the snapshot has no \"strings\" section");
        }
        if self.node_type.len() != m.node_count as usize {
            bail!(
                "nodes holds {} nodes but node_count says {}: the header and the data disagree",
                self.node_type.len(),
                m.node_count
            );
        }
        if self.edge_type.len() != m.edge_count as usize {
            bail!(
                "edges holds {} edges but edge_count says {}: the header and the data disagree",
                self.edge_type.len(),
                m.edge_count
            );
        }
        let sum = *self.first_edge.last().unwrap_or(&0);
        if sum != m.edge_count {
            bail!(
                "the nodes' edge counts add up to {sum}, but edge_count is {}: the header and the data disagree",
                m.edge_count
            );
        }
        self.check_string_indexes(strings.len())?;
        let mut locations = Vec::new();
        if let Some(layout) = m.locations {
            if !self.locations.len().is_multiple_of(layout.fields) {
                bail!(
                    "locations has {} values, not a multiple of its {} fields",
                    self.locations.len(),
                    layout.fields
                );
            }
            let fields = m.node_field_count() as u32;
            for (r, row) in self.locations.chunks_exact(layout.fields).enumerate() {
                let index = row[layout.object_index];
                if index % fields != 0 || index / fields >= m.node_count {
                    bail!("location {r} points to node index {index}, which is not a node");
                }
                locations.push(Location {
                    node: index / fields,
                    script_id: row[layout.script_id],
                    line: row[layout.line],
                    column: row[layout.column],
                });
            }
            locations.sort_by_key(|l| l.node);
        }
        if let Some(layout) = m.scopes {
            let t = &self.scopes;
            for (name, values, stride) in [
                ("scopes", &t.scopes, layout.scope_stride),
                ("scope_context_vars", &t.vars, layout.var_stride),
                ("scope_uses", &t.uses, layout.use_stride),
            ] {
                if !values.len().is_multiple_of(stride) {
                    bail!(
                        "{name} has {} values, not a multiple of its {stride} fields",
                        values.len()
                    );
                }
            }
            let names = t
                .vars
                .iter()
                .skip(layout.var_name)
                .step_by(layout.var_stride);
            if let Some(bad) = names
                .into_iter()
                .find(|&&s| s < 0 || s as usize >= strings.len())
            {
                bail!(
                    "a scope variable names string {bad}, but there are only {} strings: the file is corrupt",
                    strings.len()
                );
            }
        }
        strings.shrink();
        Ok(Graph {
            meta: self.meta,
            node_type: self.node_type,
            node_name: self.node_name,
            node_id: self.node_id,
            self_size: self.self_size,
            detachedness: self.detachedness,
            first_edge: self.first_edge,
            edge_type: self.edge_type,
            edge_name: self.edge_name,
            edge_to: self.edge_to,
            strings,
            locations,
            scopes: self.scopes,
        })
    }
}

/// Bytes per node and per edge at the analysis' peak (graph columns plus
/// the dominator pass), measured on real snapshots; strings come on top.
const PEAK_BYTES_PER_NODE: u64 = 42;
const PEAK_BYTES_PER_EDGE: u64 = 14;

/// On a 32-bit target (wasm32: 4 GiB at most), refuses a snapshot whose
/// analysis cannot fit, right after the header instead of failing halfway.
fn check_fits_address_space(meta: &Meta) -> Result<()> {
    let need =
        meta.node_count as u64 * PEAK_BYTES_PER_NODE + meta.edge_count as u64 * PEAK_BYTES_PER_EDGE;
    let space = usize::MAX as u64;
    if need > space - space / 8 {
        bail!(
            "this snapshot has {} nodes and {} edges: analysing it needs about {:.1} GB, more \
             than the 4 GiB a browser tab gives WebAssembly; open it with the heaplens command line instead",
            meta.node_count,
            meta.edge_count,
            need as f64 / 1e9
        );
    }
    Ok(())
}

/// Incremental `.heapsnapshot` reader.
///
/// ```
/// let mut p = heaplens::snapshot::Parser::new();
/// p.push(br#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"#).unwrap();
/// p.push(br#""node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"#).unwrap();
/// p.push(br#""edge_types":[["element"]]},"node_count":1,"edge_count":0},"nodes":[0,0,1,0,0],"#).unwrap();
/// p.push(br#""edges":[],"strings":[""]}"#).unwrap();
/// assert_eq!(p.finish().unwrap().node_count(), 1);
/// ```
pub struct Parser {
    state: State,
    /// Bytes consumed before the current chunk.
    offset: u64,
    key: Vec<u8>,
    /// Key of the value being read (for messages).
    section_key: Vec<u8>,
    header: Vec<u8>,
    skipper: Skipper,
    numbers: NumberState,
    string: StringState,
    strings: Strings,
    have_strings: bool,
    /// Bit per [`SECTIONS`] entry already read.
    seen: u8,
    /// The file's size, when known ([`Parser::set_file_size`]).
    file_size: Option<u64>,
    columns: Option<Columns>,
}

/// Top-level keys V8 writes once each; a second one is refused rather than
/// silently skipped or merged.
const SECTIONS: [&[u8]; 8] = [
    b"snapshot",
    b"nodes",
    b"edges",
    b"locations",
    b"strings",
    b"scopes",
    b"scope_context_vars",
    b"scope_uses",
];

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

/// How many first bytes [`file_format`] looks at.
const MAGIC_BYTES: usize = 8;

/// What a file is, from its first bytes, when it is something people drop
/// on heaplens by mistake.
fn file_format(head: &[u8]) -> Option<&'static str> {
    const FORMATS: [(&[u8], &str); 11] = [
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (
            b"\x1f\x8b",
            "gzip-compressed data (compressed twice?): gunzip it first",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            "zstd-compressed data: decompress it first (unzstd)",
        ),
        (
            b"BZh",
            "bzip2-compressed data: decompress it first (bunzip2)",
        ),
        (
            b"\xfd7zXZ\x00",
            "xz-compressed data: decompress it first (unxz)",
        ),
        (
            b"PK\x03\x04",
            "a zip archive: extract the .heapsnapshot from it first",
        ),
        (b"\x7fELF", "an executable (ELF)"),
        (b"[", "a JSON array (a performance trace?)"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, format)| *format)
}

fn not_json(b: u8) -> String {
    format!(
        "expected '{{' but found {}: this is not JSON, or not a heap snapshot",
        show(b)
    )
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

fn show(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

impl Parser {
    /// Tells the parser the size of the file it reads (not for compressed
    /// input): the string table is then sized once, from what is left of
    /// the file where it starts, instead of doubling as it fills. Each
    /// doubling copies it, and in wasm the memory of the old copy stays.
    pub fn set_file_size(&mut self, bytes: u64) {
        self.file_size = Some(bytes);
    }

    /// A parser waiting for the first byte.
    pub fn new() -> Parser {
        Parser {
            state: State::Start,
            offset: 0,
            key: Vec::new(),
            section_key: Vec::new(),
            header: Vec::new(),
            skipper: Skipper::default(),
            numbers: NumberState::default(),
            string: StringState::default(),
            strings: Strings::default(),
            have_strings: false,
            seen: 0,
            file_size: None,
            columns: None,
        }
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.offset
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        let mut i = 0;
        while i < chunk.len() {
            i = match self.state {
                State::Numbers(section) => self.numbers(section, chunk, i)?,
                State::Strings => self.strings_body(chunk, i)?,
                State::RecordHeader | State::SkipValue => self.skip_value(chunk, i)?,
                _ => {
                    self.step(chunk[i], i)?;
                    i + 1
                }
            };
        }
        self.offset += chunk.len() as u64;
        Ok(())
    }

    /// Ends the input and returns the graph.
    pub fn finish(self) -> Result<Graph> {
        if self.state == State::Foreign {
            return Err(self.foreign());
        }
        if self.state != State::Done {
            bail!("{}", self.truncation_message());
        }
        match self.columns {
            Some(c) => c.finish(self.strings, self.have_strings),
            None => bail!("the file has no \"snapshot\" header: it is not a V8 heap snapshot"),
        }
    }

    fn truncation_message(&self) -> String {
        let at = self.offset;
        let what = match self.state {
            State::Start => return "the file is empty (or only white space)".to_owned(),
            State::Numbers(s) | State::ArrayOpen(s) => {
                let expected = self.columns.as_ref().map_or(0, |c| match s {
                    Section::Nodes => c.meta.node_count as u64 * c.meta.node_field_count() as u64,
                    Section::Edges => c.meta.edge_count as u64 * c.meta.edge_field_count() as u64,
                    _ => 0,
                });
                if expected > 0 {
                    format!(
                        "inside \"{}\" after {} of {expected} values",
                        s.key(),
                        self.numbers.values
                    )
                } else {
                    format!("inside \"{}\"", s.key())
                }
            }
            State::Strings | State::StringsOpen => {
                format!("inside \"strings\" after {} strings", self.strings.len())
            }
            State::RecordHeader => "inside the \"snapshot\" header".to_owned(),
            _ => "before the closing '}'".to_owned(),
        };
        format!("the file ends early (byte {at}, {what}): it is truncated")
    }

    /// The error for a file that starts with neither `{` nor white space:
    /// what the file is when its first bytes say so.
    fn foreign(&self) -> Error {
        match file_format(&self.key) {
            Some(format) => Error::new(format!("this is {format}, not a V8 heap snapshot")),
            None => Error::new(format!("byte 0: {}", not_json(self.key[0]))),
        }
    }

    fn err_at(&self, i: usize, what: String) -> Error {
        Error::new(format!("byte {}: {what}", self.offset + i as u64))
    }

    fn step(&mut self, b: u8, i: usize) -> Result<()> {
        match self.state {
            State::Start => {
                if b == b'{' {
                    self.state = State::ExpectKey;
                } else if is_space(b) || matches!(b, 0xEF | 0xBB | 0xBF) {
                } else if self.offset + i as u64 == 0 {
                    self.key = vec![b];
                    self.state = State::Foreign;
                } else {
                    return Err(self.err_at(i, not_json(b)));
                }
            }
            State::Foreign => {
                self.key.push(b);
                if self.key.len() == MAGIC_BYTES {
                    return Err(self.foreign());
                }
            }
            State::ExpectKey => match b {
                b'"' => {
                    self.key.clear();
                    self.state = State::Key;
                }
                b'}' if self.key.is_empty() => self.state = State::Done,
                _ if is_space(b) => {}
                _ => return Err(self.err_at(i, format!("expected a key but found {}", show(b)))),
            },
            State::Key => {
                // Keys are compared raw; an escaped character only needs to
                // not end the key.
                let escaped = self.key.last() == Some(&b'\\')
                    && self.key.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1;
                if b == b'"' && !escaped {
                    self.state = State::ExpectColon;
                } else if self.key.len() < 256 {
                    self.key.push(b);
                }
            }
            State::ExpectColon => match b {
                b':' => self.state = State::ExpectValue,
                _ if is_space(b) => {}
                _ => return Err(self.err_at(i, format!("expected ':' but found {}", show(b)))),
            },
            State::ExpectValue => {
                if is_space(b) {
                    return Ok(());
                }
                self.begin_value(b, i)?;
            }
            State::ArrayOpen(section) => match b {
                b'[' => {
                    self.numbers = NumberState::default();
                    self.state = State::Numbers(section);
                }
                _ if is_space(b) => {}
                _ => {
                    return Err(self.err_at(
                        i,
                        format!("\"{}\" must be an array, found {}", section.key(), show(b)),
                    ))
                }
            },
            State::StringsOpen => match b {
                b'[' => {
                    self.string = StringState::default();
                    self.state = State::Strings;
                }
                _ if is_space(b) => {}
                _ => {
                    return Err(self.err_at(
                        i,
                        format!("\"strings\" must be an array, found {}", show(b)),
                    ))
                }
            },
            State::AfterValue => match b {
                b',' => {
                    self.key.clear();
                    self.state = State::ExpectKey;
                    // A lone ',' followed by '}' is invalid; ExpectKey only
                    // accepts '}' right after '{', tracked by an empty key.
                    self.key.push(b',');
                }
                b'}' => self.state = State::Done,
                _ if is_space(b) => {}
                _ => {
                    return Err(self.err_at(
                        i,
                        format!("expected ',' or '}}' after a section but found {}", show(b)),
                    ))
                }
            },
            State::Done => {
                if !is_space(b) {
                    return Err(self.err_at(
                        i,
                        format!("unexpected {} after the end of the snapshot", show(b)),
                    ));
                }
            }
            State::Numbers(_) | State::Strings | State::RecordHeader | State::SkipValue => {
                unreachable!("handled by the chunk loops")
            }
        }
        Ok(())
    }

    fn begin_value(&mut self, b: u8, i: usize) -> Result<()> {
        self.section_key = std::mem::take(&mut self.key);
        let key = self.section_key.clone();
        let key = key.as_slice();
        if let Some(bit) = SECTIONS.iter().position(|s| *s == key) {
            if self.seen & (1 << bit) != 0 {
                return Err(self.err_at(
                    i,
                    format!(
                        "a second \"{}\" section: V8 writes each section once, so the file is corrupt",
                        String::from_utf8_lossy(key)
                    ),
                ));
            }
            self.seen |= 1 << bit;
        }
        let section = match key {
            b"nodes" => Some(Section::Nodes),
            b"edges" => Some(Section::Edges),
            b"locations" => Some(Section::Locations),
            b"scopes" => Some(Section::Scopes),
            b"scope_context_vars" => Some(Section::ScopeContextVars),
            b"scope_uses" => Some(Section::ScopeUses),
            _ => None,
        };
        if let Some(section) = section {
            let columns = match self.columns.as_mut() {
                Some(c) => c,
                None => {
                    // A .cpuprofile opens with its "nodes".
                    let profile = match section {
                        Section::Nodes => " (a CPU profile, .cpuprofile, starts this way)",
                        _ => "",
                    };
                    return Err(self.err_at(
                        i,
                        format!(
                            "\"{}\" comes before the \"snapshot\" header: this is not a V8 heap snapshot{profile}",
                            section.key()
                        ),
                    ));
                }
            };
            let skip = match section {
                Section::Locations => columns.meta.locations.is_none(),
                Section::Scopes | Section::ScopeContextVars | Section::ScopeUses => {
                    columns.meta.scopes.is_none()
                }
                Section::Nodes => std::mem::replace(&mut columns.nodes_done, true),
                Section::Edges => std::mem::replace(&mut columns.edges_done, true),
            };
            if skip {
                self.skipper = Skipper::default();
                self.state = State::SkipValue;
                return self.skip_first(b);
            }
            self.state = State::ArrayOpen(section);
            return self.step(b, i);
        }
        match key {
            b"snapshot" if self.columns.is_none() => {
                self.header.clear();
                self.skipper = Skipper::default();
                self.state = State::RecordHeader;
                self.skip_first(b)
            }
            b"head" if self.columns.is_none() => Err(self.err_at(
                i,
                "this is a sampling heap profile (.heapprofile), not a heap snapshot: \
                 take a heap snapshot to see what holds memory"
                    .to_owned(),
            )),
            b"traceEvents" if self.columns.is_none() => Err(self.err_at(
                i,
                "this is a performance trace, not a heap snapshot".to_owned(),
            )),
            b"strings" if !self.have_strings => {
                self.have_strings = true;
                if let Some(size) = self.file_size {
                    let left = size.saturating_sub(self.offset + i as u64);
                    self.strings
                        .reserve(usize::try_from(left).unwrap_or(usize::MAX));
                }
                self.state = State::StringsOpen;
                self.step(b, i)
            }
            _ => {
                self.skipper = Skipper::default();
                self.state = State::SkipValue;
                self.skip_first(b)
            }
        }
    }

    /// Feeds the first byte of a skipped or recorded value.
    fn skip_first(&mut self, b: u8) -> Result<()> {
        if self.state == State::RecordHeader {
            self.header.push(b);
        }
        match self.skipper.feed(b) {
            Skip::More => Ok(()),
            Skip::Done(_) => self.value_done(),
            Skip::Mismatch => bail!("{}", self.mismatch()),
        }
    }

    fn skip_value(&mut self, chunk: &[u8], mut i: usize) -> Result<usize> {
        let start = i;
        let recording = self.state == State::RecordHeader;
        while i < chunk.len() {
            match self.skipper.feed(chunk[i]) {
                Skip::More => i += 1,
                Skip::Mismatch => {
                    return Err(self.err_at(i, self.mismatch()));
                }
                Skip::Done(consumed) => {
                    if consumed {
                        i += 1;
                    }
                    if recording {
                        self.header.extend_from_slice(&chunk[start..i]);
                    }
                    self.value_done()?;
                    return Ok(i);
                }
            }
        }
        if recording {
            self.header.extend_from_slice(&chunk[start..i]);
            if self.header.len() > MAX_HEADER_BYTES {
                bail!(
                    "the \"snapshot\" header is larger than 16 MB: this is not a V8 heap snapshot"
                );
            }
        }
        Ok(i)
    }

    fn mismatch(&self) -> String {
        let section = String::from_utf8_lossy(&self.section_key).into_owned();
        format!("in \"{section}\": a closing bracket does not match its opening one: this is not valid JSON")
    }

    fn value_done(&mut self) -> Result<()> {
        if self.state == State::RecordHeader {
            let meta = Meta::from_json(&self.header)?;
            check_fits_address_space(&meta)?;
            self.header = Vec::new();
            self.columns = Some(Columns::new(meta)?);
        }
        self.state = State::AfterValue;
        Ok(())
    }

    fn numbers(&mut self, section: Section, chunk: &[u8], mut i: usize) -> Result<usize> {
        let mut n = self.numbers;
        let columns = match self.columns.as_mut() {
            Some(c) => c,
            None => bail!("internal: numbers without a header"),
        };
        let base = self.offset;
        let fail = |i: usize, what: String| -> Error {
            Error::new(format!(
                "byte {}: in \"{}\": {what}",
                base + i as u64,
                section.key()
            ))
        };
        while i < chunk.len() {
            let b = chunk[i];
            let d = b.wrapping_sub(b'0');
            if d < 10 {
                if n.need_comma {
                    return Err(fail(i, "expected ',' between numbers".to_owned()));
                }
                if n.digits == 1 && n.acc == 0 {
                    return Err(fail(
                        i,
                        format!(
                            "value {} has a leading zero (0{}…): not valid JSON, and V8 never writes one",
                            n.values, d
                        ),
                    ));
                }
                // 19 digits always fit in u64; a 20th is too many for any field.
                if n.digits == 19 {
                    return Err(fail(
                        i,
                        format!("value {} is a number too large for any field", n.values),
                    ));
                }
                n.acc = n.acc * 10 + d as u64;
                n.digits += 1;
                i += 1;
                continue;
            }
            match b {
                b',' => {
                    if n.digits > 0 {
                        columns.value(section, n.acc, n.negative, n.values)?;
                        n.values += 1;
                        n.acc = 0;
                        n.negative = false;
                        n.digits = 0;
                    } else if n.need_comma {
                        n.need_comma = false;
                    } else {
                        return Err(fail(i, "a ',' with no number before it".to_owned()));
                    }
                }
                b' ' | b'\n' | b'\r' | b'\t' => {
                    if n.digits > 0 {
                        columns.value(section, n.acc, n.negative, n.values)?;
                        n.values += 1;
                        n.acc = 0;
                        n.negative = false;
                        n.digits = 0;
                        n.need_comma = true;
                    }
                }
                b']' => {
                    if n.digits > 0 {
                        columns.value(section, n.acc, n.negative, n.values)?;
                        n.values += 1;
                    } else if !n.need_comma && n.values > 0 {
                        return Err(fail(i, "a ',' right before ']'".to_owned()));
                    }
                    if columns.row_len != 0 {
                        return Err(fail(
                            i,
                            format!("{} values do not make whole rows", n.values),
                        ));
                    }
                    self.numbers = NumberState::default();
                    self.numbers.values = n.values;
                    self.state = State::AfterValue;
                    return Ok(i + 1);
                }
                b'-' if section.signed() && n.digits == 0 && !n.need_comma && !n.negative => {
                    n.negative = true;
                }
                b'-' => {
                    return Err(fail(
                        i,
                        format!("value {} is negative; fields are unsigned", n.values),
                    ))
                }
                b'.' | b'e' | b'E' => {
                    let digits = if n.digits > 0 {
                        n.acc.to_string()
                    } else {
                        String::new()
                    };
                    return Err(fail(
                        i,
                        format!(
                            "value {} ({digits}{}…) is not an integer: every field is a whole number",
                            n.values, b as char
                        ),
                    ));
                }
                _ => return Err(fail(i, format!("unexpected {} in a number array", show(b)))),
            }
            i += 1;
        }
        self.numbers = n;
        Ok(i)
    }

    fn strings_body(&mut self, chunk: &[u8], mut i: usize) -> Result<usize> {
        let base = self.offset;
        let fail = |i: usize, what: &str| -> Error {
            Error::new(format!("byte {}: in \"strings\": {what}", base + i as u64))
        };
        while i < chunk.len() {
            let s = &mut self.string;
            if !s.in_string {
                let b = chunk[i];
                match b {
                    b'"' if !s.need_comma => {
                        s.in_string = true;
                        s.need_comma = true;
                    }
                    b',' if s.need_comma => s.need_comma = false,
                    b']' if s.need_comma || self.strings.is_empty() => {
                        self.state = State::AfterValue;
                        return Ok(i + 1);
                    }
                    _ if is_space(b) => {}
                    _ => {
                        return Err(fail(
                            i,
                            &format!(
                                "expected a string, ',' or ']' after string {} but found {}",
                                self.strings.len(),
                                show(b)
                            ),
                        ))
                    }
                }
                i += 1;
                continue;
            }
            if s.hex_left > 0 || s.escape {
                let b = chunk[i];
                i += 1;
                let index = self.strings.len();
                self.escape_byte(b).map_err(|what| {
                    fail(
                        i - 1,
                        &format!("string {index} has an invalid escape: {what}"),
                    )
                })?;
                continue;
            }
            // Fast path: copy plain bytes up to the next quote, backslash or
            // control character.
            let rest = &chunk[i..];
            let stop = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            if self.string.high_surrogate != 0 && stop > 0 {
                self.flush_lone_surrogate();
            }
            self.strings.open_bytes().extend_from_slice(&rest[..stop]);
            i += stop;
            if i == chunk.len() {
                break;
            }
            match chunk[i] {
                b'"' => {
                    if self.string.high_surrogate != 0 {
                        self.flush_lone_surrogate();
                    }
                    let index = self.strings.len();
                    if self.strings.close_checked().is_none() {
                        return Err(fail(i, &format!("string {index} is not valid UTF-8")));
                    }
                    self.string.in_string = false;
                }
                b'\\' => self.string.escape = true,
                _ => {
                    let index = self.strings.len();
                    return Err(fail(
                        i,
                        &format!("string {index} has a raw control character (must be escaped)"),
                    ));
                }
            }
            i += 1;
        }
        Ok(i)
    }

    /// Handles one byte after a backslash or inside `\uXXXX`.
    fn escape_byte(&mut self, b: u8) -> std::result::Result<(), String> {
        if self.string.escape {
            self.string.escape = false;
            let out = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'u' => {
                    self.string.hex_left = 4;
                    self.string.hex_value = 0;
                    return Ok(());
                }
                _ => return Err(format!("\\{}", b as char)),
            };
            if self.string.high_surrogate != 0 {
                self.flush_lone_surrogate();
            }
            self.strings.open_bytes().push(out);
            return Ok(());
        }
        let digit = (b as char)
            .to_digit(16)
            .ok_or_else(|| format!("\\u with non-hex digit {}", show(b)))?;
        self.string.hex_value = self.string.hex_value * 16 + digit;
        self.string.hex_left -= 1;
        if self.string.hex_left == 0 {
            let unit = self.string.hex_value;
            let high = std::mem::take(&mut self.string.high_surrogate);
            let code = if (0xDC00..0xE000).contains(&unit) && high != 0 {
                0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
            } else {
                if high != 0 {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                if (0xD800..0xDC00).contains(&unit) {
                    self.string.high_surrogate = unit;
                    return Ok(());
                }
                unit
            };
            // Lone low surrogates become U+FFFD, as they cannot be UTF-8.
            self.push_char(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        Ok(())
    }

    fn flush_lone_surrogate(&mut self) {
        self.string.high_surrogate = 0;
        self.push_char(char::REPLACEMENT_CHARACTER);
    }

    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.strings
            .open_bytes()
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}
