//! The `.heapsnapshot` format: header, streaming parser, string table and
//! the columnar graph they produce.

pub mod graph;
pub mod meta;
pub mod parse;
pub mod scopes;
pub mod strings;
pub mod synthetic;
pub mod trace;

pub use graph::{EdgeIndex, Graph, Location, NodeId, NodeIndex};
pub use meta::Meta;
pub use parse::{parse_twice, EdgeColumns, EdgesHalf, Parser};
pub use strings::{bounded, visible, Strings, NAME_LIMIT};
pub use trace::Traces;
