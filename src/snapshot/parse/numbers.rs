//! Number arrays (`nodes`, `edges`, `locations`, the scope tables): parsed
//! straight into the columns, with no intermediate text. Plain values are
//! read eight digits at a time ([`super::digits`]), `nodes` and `edges` a
//! whole row at a time; a byte loop reads the rest (values cut by a chunk
//! end, `]`, signs, the nested `trace_tree`) and words every error.

use super::columns::{Columns, MAX_FIELDS};
use super::digits;
use super::skip::Skipper;
use super::{second_section, show, Parser, State};
use crate::bail;
use crate::error::{Error, Result};

/// Which number array is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Section {
    Nodes,
    Edges,
    Locations,
    Scopes,
    ScopeContextVars,
    ScopeUses,
    TraceFunctionInfos,
    /// The one nested array: records whose last field is an array of more.
    TraceTree,
    Samples,
}

impl Section {
    /// The number array a top-level key names, if any.
    pub(super) fn from_key(key: &[u8]) -> Option<Section> {
        match key {
            b"nodes" => Some(Section::Nodes),
            b"edges" => Some(Section::Edges),
            b"locations" => Some(Section::Locations),
            b"scopes" => Some(Section::Scopes),
            b"scope_context_vars" => Some(Section::ScopeContextVars),
            b"scope_uses" => Some(Section::ScopeUses),
            b"trace_function_infos" => Some(Section::TraceFunctionInfos),
            b"trace_tree" => Some(Section::TraceTree),
            b"samples" => Some(Section::Samples),
            _ => None,
        }
    }

    pub(super) fn key(self) -> &'static str {
        match self {
            Section::Nodes => "nodes",
            Section::Edges => "edges",
            Section::Locations => "locations",
            Section::Scopes => "scopes",
            Section::ScopeContextVars => "scope_context_vars",
            Section::ScopeUses => "scope_uses",
            Section::TraceFunctionInfos => "trace_function_infos",
            Section::TraceTree => "trace_tree",
            Section::Samples => "samples",
        }
    }

    /// The scope tables hold scope ids, which V8 writes negative for some scopes.
    pub(super) fn signed(self) -> bool {
        matches!(
            self,
            Section::Scopes | Section::ScopeContextVars | Section::ScopeUses
        )
    }
}

/// State of a number-array reader.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct NumberState {
    acc: u64,
    /// A `-` opened the number (scope tables only).
    negative: bool,
    digits: u32,
    need_comma: bool,
    /// `values` when the last nested `[` (`trace_tree` only) opened, so a
    /// `]` may follow it at once; `u64::MAX` once that array closed. (Kept
    /// off the per-value path: a comma never touches it.)
    opened_at: u64,
    pub(super) values: u64,
}

impl NumberState {
    /// Stores the number just read (a ',', a space or the closing ']'
    /// ended it) in its column and starts the next one.
    #[inline(always)]
    fn flush(&mut self, columns: &mut Columns, section: Section) -> Result<()> {
        columns.value(section, self.acc, self.negative, self.values)?;
        self.values += 1;
        self.acc = 0;
        self.negative = false;
        self.digits = 0;
        Ok(())
    }
}

impl Parser {
    /// Starts reading a number array at its first byte `b`, or skips it
    /// when the header declares no such table or it was already read.
    pub(super) fn begin_numbers(&mut self, section: Section, b: u8, i: usize) -> Result<()> {
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
            // Read only when the header describes them, and then refused
            // when repeated, as the sections of SECTIONS always are.
            Section::TraceFunctionInfos | Section::TraceTree | Section::Samples => {
                let declared = match section {
                    Section::Samples => columns.meta.samples.is_some(),
                    _ => columns.meta.trace.is_some(),
                };
                if declared && !columns.traces.first_read(section as u8) {
                    return Err(self.err_at(i, second_section(section.key().as_bytes())));
                }
                !declared
            }
            Section::Nodes => std::mem::replace(&mut columns.nodes_done, true),
            Section::Edges => std::mem::replace(&mut columns.edges_done, true),
        };
        // The fast skip stops at the first ']': not for the nested trace_tree.
        if self.split.skips(section) && !skip && section != Section::TraceTree {
            self.state = State::SkipNumbers;
            return Ok(());
        }
        let skip = skip || self.split.skips(section);
        if skip {
            self.skipper = Skipper::default();
            self.state = State::SkipValue;
            return self.skip_first(b);
        }
        self.state = State::ArrayOpen(section);
        self.step(b, i)
    }

    /// Reads number-array bytes from `chunk[i..]` until the array closes
    /// or the chunk ends; returns where it stopped. One long function on
    /// purpose: it is the per-byte loop over most of the file, and keeps
    /// the reader's state in a local copy until it returns.
    pub(super) fn numbers(
        &mut self,
        section: Section,
        chunk: &[u8],
        mut i: usize,
    ) -> Result<usize> {
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
            if n.digits == 0 && !n.need_comma && !n.negative {
                i = plain_values(columns, section, chunk, i, &mut n.values)?;
                if i == chunk.len() {
                    break;
                }
            }
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
                        n.flush(columns, section)?;
                    } else if n.need_comma {
                        n.need_comma = false;
                    } else {
                        return Err(fail(i, "a ',' with no number before it".to_owned()));
                    }
                }
                b' ' | b'\n' | b'\r' | b'\t' => {
                    if n.digits > 0 {
                        n.flush(columns, section)?;
                        n.need_comma = true;
                    }
                }
                b'[' if section == Section::TraceTree && n.digits == 0 && !n.need_comma => {
                    let meta = &columns.meta;
                    columns
                        .traces
                        .open_children(meta)
                        .map_err(|e| fail(i, e.message().to_owned()))?;
                    n.opened_at = n.values;
                }
                b']' => {
                    if n.digits > 0 {
                        n.flush(columns, section)?;
                    } else if !n.need_comma && n.values > 0 && n.values != n.opened_at {
                        return Err(fail(i, "a ',' right before ']'".to_owned()));
                    }
                    let nested = section == Section::TraceTree
                        && columns
                            .traces
                            .close_array()
                            .map_err(|e| fail(i, e.message().to_owned()))?;
                    if nested {
                        n.need_comma = true;
                        n.opened_at = u64::MAX;
                        i += 1;
                        continue;
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
                    self.edges_read |= section == Section::Edges;
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
}

/// Reads the plain values at the start of a value, `chunk[i..]` (see
/// [`digits::read`]), into `columns`, a whole row at a time where a row of
/// `nodes` or `edges` starts; stops before the first value that is not
/// plain or too near the chunk's end, and returns where. `values` counts
/// the values read, as the byte loop counts them.
#[inline(always)]
fn plain_values(
    columns: &mut Columns,
    section: Section,
    chunk: &[u8],
    mut i: usize,
    values: &mut u64,
) -> Result<usize> {
    let fields = columns.row_fields(section);
    let mut row = [0u64; MAX_FIELDS];
    loop {
        if fields > 0 && columns.row_len == 0 {
            if let Some(used) = read_row(&chunk[i..], &mut row[..fields]) {
                columns.row(section, &row[..fields], *values)?;
                *values += fields as u64;
                i += used;
                continue;
            }
        }
        let Some((v, used)) = digits::read(&chunk[i..]) else {
            return Ok(i);
        };
        columns.value(section, v, false, *values)?;
        *values += 1;
        i += used;
    }
}

/// Reads `row.len()` plain values from `bytes`: the bytes they took, or
/// `None` if one is not plain (or too near the end).
#[inline(always)]
fn read_row(bytes: &[u8], row: &mut [u64]) -> Option<usize> {
    let mut at = 0;
    for value in row {
        let (v, used) = digits::read(&bytes[at..])?;
        *value = v;
        at += used;
    }
    Some(at)
}
