//! heaplens: a V8 heap snapshot analyzer.
//!
//! Module map:
//! - [`snapshot`]: the file format; a streaming parser into a columnar graph.
//! - [`analysis`]: one module per analysis, each matching Chrome DevTools.
//! - [`query`]: paged, sorted, filtered rows — the one API both front ends use.
//! - `wasm` (wasm32 only): the binding the page's worker loads.
#![deny(missing_docs)]
// Columnar code walks several parallel arrays by node or edge index.
#![allow(clippy::needless_range_loop)]

pub mod analysis;
pub mod error;
pub mod query;
pub mod snapshot;

pub use error::{Error, Result};

#[cfg(target_arch = "wasm32")]
pub mod wasm;
