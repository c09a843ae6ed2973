//! heaplens: a V8 heap snapshot analyzer.
//!
//! Module map:
//! - [`snapshot`]: the file format; a streaming parser into a columnar graph.
//! - [`analysis`]: one module per analysis, each matching Chrome DevTools.
//! - [`profile`]: sampling heap profiles (`.heapprofile`) and their trees.
//! - [`query`]: the protocol (typed requests and responses) and the session
//!   answering it: the one API every front end uses.
//! - [`report`]: the leak report as a Markdown or self-contained HTML document.
//! - `wasm` (wasm32 only): the binding the page's worker loads.
#![deny(missing_docs)]
// wasm64 (memory64, for snapshots over 4 GiB) needs nightly and its memory_size.
#![cfg_attr(target_arch = "wasm64", feature(simd_wasm64))]
// Columnar code walks several parallel arrays by node or edge index.
#![allow(clippy::needless_range_loop)]

pub mod analysis;
pub mod error;
pub mod profile;
pub mod query;
pub mod report;
pub mod snapshot;

pub use error::{Error, Result};

#[cfg(target_family = "wasm")]
pub mod wasm;
