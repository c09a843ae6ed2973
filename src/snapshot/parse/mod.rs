//! Streaming parser: feed the file as byte chunks of any size, split
//! anywhere, and get a columnar [`Graph`].
//!
//! The file is never held as one text. The `snapshot` header is collected
//! and handed to `serde_json`; `nodes`, `edges`, `locations` and the scope
//! tables are parsed straight into flat arrays sized from the header (eight
//! digits at a time where they are plain); `strings` are unescaped into one
//! byte arena; every other section is skipped.

//!
//! The parts: this module holds the [`Parser`] and its state machine over
//! the top-level object; [`skip`] passes over values it does not read,
//! [`numbers`] reads number arrays (plain values through [`digits`]),
//! [`strings`] unescapes the string table, and [`columns`] assembles and
//! checks the rows.

mod columns;
mod digits;
mod halves;
mod numbers;
mod skip;
mod strings;
mod trace;
mod twice;

pub use halves::{EdgeColumns, EdgesHalf};
pub use twice::parse_twice;

use self::columns::{check_fits_address_space, Columns};
use self::numbers::{NumberState, Section};
use self::skip::Skipper;
use self::strings::StringState;
use super::graph::Graph;
use super::meta::Meta;
use super::strings::Strings;
use crate::bail;
use crate::error::{Error, Result};

/// Largest `snapshot` header accepted (V8 writes about 1 kB).
const MAX_HEADER_BYTES: usize = 16 << 20;

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
    /// A number array the other half reads (and checks): passed over to
    /// its closing `]`, the one bracket it holds.
    SkipNumbers,
    StringsOpen,
    Strings,
    AfterValue,
    Done,
}

/// What one parser reads of the file: all of it, or one of two halves
/// that two parsers read at once ([`halves`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Whole,
    /// Everything but `edges`, which it skips.
    WithoutEdges,
    /// The header and `edges` only.
    EdgesOnly,
}

impl Split {
    /// Whether this parser leaves `section` to the other one.
    fn skips(self, section: Section) -> bool {
        match self {
            Split::Whole => false,
            Split::WithoutEdges => section == Section::Edges,
            Split::EdgesOnly => section != Section::Edges,
        }
    }
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
    split: Split,
    /// The `edges` array has been read to its end.
    edges_read: bool,
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

/// The message for a section that comes twice.
fn second_section(key: &[u8]) -> String {
    format!(
        "a second \"{}\" section: V8 writes each section once, so the file is corrupt",
        String::from_utf8_lossy(key)
    )
}

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
            split: Split::Whole,
            edges_read: false,
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
                State::SkipNumbers => match skip::find_byte(&chunk[i..], b']') {
                    Some(at) => {
                        self.state = State::AfterValue;
                        i + at + 1
                    }
                    None => chunk.len(),
                },
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

    /// Advances the state machine by one byte outside the bulk sections.
    /// One arm per [`State`], kept in one match so the grammar of the
    /// top-level object reads in one place.
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
            State::Numbers(_)
            | State::SkipNumbers
            | State::Strings
            | State::RecordHeader
            | State::SkipValue => {
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
                return Err(self.err_at(i, second_section(key)));
            }
            self.seen |= 1 << bit;
        }
        if let Some(section) = Section::from_key(key) {
            return self.begin_numbers(section, b, i);
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
            b"strings" if !self.have_strings && self.split != Split::EdgesOnly => {
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

    fn value_done(&mut self) -> Result<()> {
        if self.state == State::RecordHeader {
            let meta = Meta::from_json(&self.header)?;
            check_fits_address_space(&meta)?;
            self.header = Vec::new();
            self.columns = Some(Columns::new(meta, self.split, self.file_size)?);
        }
        self.state = State::AfterValue;
        Ok(())
    }
}
