//! One file read by two parsers, each reading half of the work: one reads
//! the header and `edges` only ([`Parser::edges_only`]), the other
//! everything else, passing over `edges` ([`Parser::without_edges`]); the
//! second then adopts the first's columns ([`Parser::finish_with`]). The
//! two may run on two threads ([`super::parse_twice`]) or in two Web
//! Workers, each with its own wasm instance, the columns handed over as
//! plain arrays ([`EdgeColumns`]). Same graph, same messages for bad input
//! as one [`Parser`].

use super::columns::Columns;
use super::{Parser, Split, State};
use crate::bail;
use crate::error::{Error, Result};
use crate::snapshot::Graph;

/// The `edges` section as columns, one entry per edge: what an
/// [`Parser::edges_only`] parser read, checked against its header.
#[derive(Debug, Default)]
pub struct EdgeColumns {
    /// Edge types (indexes into `edge_types`).
    pub types: Vec<u8>,
    /// `name_or_index` of each edge.
    pub names: Vec<u32>,
    /// Target node ordinals (`to_node` ÷ the node field count).
    pub targets: Vec<u32>,
}

/// How the `edges` half ended, when its reading did not fail.
#[derive(Debug)]
pub enum EdgesHalf {
    /// `edges` was read to its closing `]`.
    Read(EdgeColumns),
    /// The input ended first (cut short, or no `edges` section): what the
    /// parser said at the end. The other half's message wins unless that
    /// half stopped inside `edges` too.
    Missing(Error),
}

impl Parser {
    /// A parser of the header and `edges` only, for a second reader of the
    /// file; it can stop once [`Parser::edges_read`] says so.
    pub fn edges_only() -> Parser {
        Parser {
            split: Split::EdgesOnly,
            ..Parser::new()
        }
    }

    /// A parser of everything but `edges`, which it passes over (to their
    /// `]`) for an [`Parser::edges_only`] parser of the same file to read.
    pub fn without_edges() -> Parser {
        Parser {
            split: Split::WithoutEdges,
            ..Parser::new()
        }
    }

    /// Whether the `edges` array has been read to its end.
    pub fn edges_read(&self) -> bool {
        self.edges_read
    }

    /// Does what [`Parser::finish_with`] can do before the `edges` arrive
    /// (checking and sorting `locations`), once this parser's input has
    /// ended: the reader of the rest calls it while its twin still reads.
    pub fn prepare(&mut self) {
        if let Some(columns) = &mut self.columns {
            columns.prepare_locations();
        }
    }

    /// Moves out the `edges` rows an [`Parser::edges_only`] parser has
    /// read so far, to hand them over piece by piece (each piece then
    /// leaves this parser's memory).
    pub fn take_edges(&mut self) -> EdgeColumns {
        self.columns
            .as_mut()
            .map(Columns::drain_edges)
            .unwrap_or_default()
    }

    /// Ends an [`Parser::edges_only`] parser: the rest of its columns, or
    /// what it says of the file when `edges` was not read to the end.
    pub fn into_edges(mut self) -> EdgesHalf {
        if !self.edges_read {
            return EdgesHalf::Missing(match self.finish() {
                Err(e) => e,
                Ok(_) => Error::new("internal: the edges were not read"),
            });
        }
        EdgesHalf::Read(self.take_edges())
    }

    /// Adds rows of `edges` that a [`Parser::edges_only`] twin read (and
    /// moved out with [`Parser::take_edges`]) to a
    /// [`Parser::without_edges`] parser, in the order they were read.
    pub fn append_edges(&mut self, piece: EdgeColumns) -> Result<()> {
        match self.columns.as_mut() {
            Some(columns) => columns.append_edges(piece),
            None => bail!("internal: edges before the header"),
        }
    }

    /// Ends the input of a [`Parser::without_edges`] parser and takes the
    /// last of the `edges` its twin read.
    pub fn finish_with(mut self, edges: EdgesHalf) -> Result<Graph> {
        // A file cut short inside `edges` says so as the half reading them
        // does; cut elsewhere, as this half does, and without an `edges`
        // section, it says that.
        if self.state == State::SkipNumbers {
            if let EdgesHalf::Missing(e) = edges {
                return Err(e);
            }
        }
        let (EdgesHalf::Read(last), State::Done) = (edges, self.state) else {
            return self.finish();
        };
        self.append_edges(last)?;
        if let Some(columns) = &self.columns {
            columns.check_adopted_edges()?;
        }
        self.finish()
    }
}
