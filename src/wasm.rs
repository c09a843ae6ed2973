//! The wasm binding: the only module that knows about wasm-bindgen and
//! `JsValue`. The page's worker streams a file into a [`SnapshotLoader`],
//! then asks the resulting [`WasmSnapshot`] for pages of rows with plain
//! request objects (see [`crate::query::Request`]). A sampling heap profile
//! goes into a [`ProfileLoader`] instead, and its [`WasmProfile`] answers
//! [`ProfileRequest`]s.

use crate::analysis::HeapSnapshot;
use crate::profile::{HeapProfile, ProfileRequest};
use crate::query::{Request, Session};
use crate::snapshot::{EdgeColumns, EdgesHalf, Parser};
use serde::Serialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use wasm_bindgen::prelude::*;

/// The module's allocator: the standard one, except that it refuses to
/// grow the memory past the ceiling the page sets ([`set_memory_limit`])
/// and remembers the first allocation it could not make. Rust then aborts
/// (a bare `unreachable` trap), and the worker can say why, and end itself
/// so the tab and the other snapshots keep their memory.
struct Ceiling;

#[global_allocator]
static ALLOCATOR: Ceiling = Ceiling;

/// Most bytes the memory may grow to.
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Size of the first allocation that failed (0: none).
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// Bytes of linear memory now.
fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    use core::arch::wasm32::memory_size;
    #[cfg(target_arch = "wasm64")]
    use core::arch::wasm64::memory_size;
    memory_size::<0>() * 65536
}

impl Ceiling {
    fn checked(&self, ptr: *mut u8, layout: Layout) -> *mut u8 {
        if !ptr.is_null() && memory_bytes() <= LIMIT.load(Relaxed) {
            return ptr;
        }
        if !ptr.is_null() {
            // SAFETY: `ptr` was just allocated by `System` with `layout`.
            unsafe { System.dealloc(ptr, layout) };
        }
        let _ = REFUSED.compare_exchange(0, layout.size().max(1), Relaxed, Relaxed);
        std::ptr::null_mut()
    }
}

// SAFETY: every block comes from `System` and goes back to it unchanged.
unsafe impl GlobalAlloc for Ceiling {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.checked(System.alloc(layout), layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.checked(System.alloc_zeroed(layout), layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A block that grew in place past the ceiling cannot be given back:
        // it is kept, and the next allocation is refused.
        let grown = System.realloc(ptr, layout, new_size);
        if grown.is_null() {
            let _ = REFUSED.compare_exchange(0, new_size.max(1), Relaxed, Relaxed);
        }
        grown
    }
}

/// Caps this module's memory at `bytes` (rounded down to whole 64 KiB
/// pages); past it, allocations fail and [`refused_allocation`] says so.
#[wasm_bindgen(js_name = setMemoryLimit)]
pub fn set_memory_limit(bytes: f64) {
    let bytes = if bytes.is_finite() && bytes > 0.0 {
        bytes.min(usize::MAX as f64) as usize
    } else {
        usize::MAX
    };
    LIMIT.store(bytes, Relaxed);
}

/// Bytes of the first allocation that failed for lack of memory (the
/// ceiling, or a browser that would not grow the memory); 0 when none did.
#[wasm_bindgen(js_name = refusedAllocation)]
pub fn refused_allocation() -> f64 {
    REFUSED.load(Relaxed) as f64
}

/// Incremental loader: `push` chunks, then `finish`.
#[wasm_bindgen]
pub struct SnapshotLoader {
    parser: Option<Parser>,
    failed: Option<String>,
    bytes: f64,
    /// For a loader that passes over `edges`: what its twin read.
    edges: Option<EdgesHalf>,
}

impl Default for SnapshotLoader {
    fn default() -> Self {
        Self::new()
    }
}

impl SnapshotLoader {
    fn of(parser: Parser) -> SnapshotLoader {
        console_error_panic_hook::set_once();
        SnapshotLoader {
            parser: Some(parser),
            failed: None,
            bytes: 0.0,
            edges: None,
        }
    }
}

#[wasm_bindgen]
impl SnapshotLoader {
    /// A loader waiting for the first chunk.
    #[wasm_bindgen(constructor)]
    pub fn new() -> SnapshotLoader {
        SnapshotLoader::of(Parser::new())
    }

    /// A loader that passes over `edges` (to their `]`): a second worker
    /// reads them with an [`EdgesLoader`], and this one adopts them as they
    /// come ([`SnapshotLoader::append_edges`]), then hears how that reader
    /// ended ([`SnapshotLoader::edges_read`] or
    /// [`SnapshotLoader::edges_missing`]) before `finish`.
    #[wasm_bindgen(js_name = withoutEdges)]
    pub fn without_edges() -> SnapshotLoader {
        SnapshotLoader::of(Parser::without_edges())
    }

    /// Adds the next rows of `edges` an [`EdgesLoader`] read from the same
    /// file (its `takeTypes`, `takeNames`, `takeTargets`), copied into this
    /// module's memory.
    #[wasm_bindgen(js_name = appendEdges)]
    pub fn append_edges(
        &mut self,
        types: Vec<u8>,
        names: Vec<u32>,
        targets: Vec<u32>,
    ) -> Result<(), JsError> {
        let piece = EdgeColumns {
            types,
            names,
            targets,
        };
        let parser = self.parser()?;
        if let Err(e) = parser.append_edges(piece) {
            self.failed = Some(e.message().to_owned());
            self.parser = None;
            return Err(JsError::new(e.message()));
        }
        Ok(())
    }

    /// Tells this loader that its twin read `edges` to the end (all of
    /// them given to [`SnapshotLoader::append_edges`]).
    #[wasm_bindgen(js_name = edgesRead)]
    pub fn edges_read(&mut self) {
        self.edges = Some(EdgesHalf::Read(EdgeColumns::default()));
    }

    /// Tells this loader that its twin reached the end of the file without
    /// reading `edges` to the end, and what it said then.
    #[wasm_bindgen(js_name = edgesMissing)]
    pub fn edges_missing(&mut self, message: &str) {
        self.edges = Some(EdgesHalf::Missing(crate::error::Error::new(message)));
    }

    /// Feeds the next bytes of the file. Throws an `Error` whose message says
    /// what is wrong with the input and where.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        let parser = self.parser()?;
        if let Err(e) = parser.push(chunk) {
            self.failed = Some(e.message().to_owned());
            self.parser = None;
            return Err(JsError::new(e.message()));
        }
        self.bytes = parser.bytes_read() as f64;
        Ok(())
    }

    /// The file's size, for a plain (not compressed) file: see
    /// [`Parser::set_file_size`].
    #[wasm_bindgen(js_name = setFileSize)]
    pub fn set_file_size(&mut self, bytes: f64) {
        if let (Some(parser), true) = (self.parser.as_mut(), bytes >= 0.0) {
            parser.set_file_size(bytes as u64);
        }
    }

    /// Bytes consumed so far.
    #[wasm_bindgen(js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        self.bytes
    }

    /// Ends the input and runs every analysis; `on_progress(stage)` is called
    /// as each stage starts.
    pub fn finish(
        &mut self,
        on_progress: Option<js_sys::Function>,
    ) -> Result<WasmSnapshot, JsError> {
        let parser = self.parser()?;
        let parser = std::mem::take(parser);
        self.parser = None;
        let graph = match self.edges.take() {
            Some(edges) => parser.finish_with(edges),
            None => parser.finish(),
        };
        let graph = graph.map_err(|e| JsError::new(e.message()))?;
        let snapshot = HeapSnapshot::analyze(graph, &mut |stage| {
            if let Some(f) = &on_progress {
                let _ = f.call1(&JsValue::NULL, &JsValue::from_str(stage));
            }
        });
        Ok(WasmSnapshot {
            session: Session::new(snapshot),
        })
    }

    fn parser(&mut self) -> Result<&mut Parser, JsError> {
        if let Some(message) = &self.failed {
            return Err(JsError::new(&format!(
                "loading stopped after an earlier error: {message}"
            )));
        }
        self.parser
            .as_mut()
            .ok_or_else(|| JsError::new("this loader has already finished"))
    }
}

/// The second reader of a file: its header and `edges` only (see
/// [`SnapshotLoader::without_edges`]). `push` chunks until it says the
/// edges are read (or the file ends), then `end`. After each `push` and
/// after `end`, `takePiece` then `takeTypes`, `takeNames`, `takeTargets`
/// move the rows read since out of this module's memory.
#[wasm_bindgen]
pub struct EdgesLoader {
    parser: Option<Parser>,
    columns: EdgeColumns,
}

impl Default for EdgesLoader {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl EdgesLoader {
    /// A loader waiting for the first chunk of the file.
    #[wasm_bindgen(constructor)]
    pub fn new() -> EdgesLoader {
        console_error_panic_hook::set_once();
        EdgesLoader {
            parser: Some(Parser::edges_only()),
            columns: EdgeColumns::default(),
        }
    }

    /// The file's size: see [`Parser::set_file_size`].
    #[wasm_bindgen(js_name = setFileSize)]
    pub fn set_file_size(&mut self, bytes: f64) {
        if let (Some(parser), true) = (self.parser.as_mut(), bytes >= 0.0) {
            parser.set_file_size(bytes as u64);
        }
    }

    /// Feeds the next bytes; true once `edges` has been read to its end
    /// (the rest of the file is not needed). Throws what is wrong with the
    /// input, as [`SnapshotLoader::push`] does.
    pub fn push(&mut self, chunk: &[u8]) -> Result<bool, JsError> {
        let parser = self
            .parser
            .as_mut()
            .ok_or_else(|| JsError::new("this loader has already ended"))?;
        if let Err(e) = parser.push(chunk) {
            self.parser = None;
            return Err(JsError::new(e.message()));
        }
        Ok(parser.edges_read())
    }

    /// Bytes consumed so far.
    #[wasm_bindgen(js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        self.parser.as_ref().map_or(0.0, |p| p.bytes_read() as f64)
    }

    /// Ends the input: `undefined` when the edges were read (take the last
    /// of them with `takePiece`), else what the parser says of the file
    /// (for [`SnapshotLoader::edges_missing`]).
    pub fn end(&mut self) -> Option<String> {
        let parser = self.parser.take()?;
        match parser.into_edges() {
            EdgesHalf::Read(columns) => {
                self.columns = columns;
                None
            }
            EdgesHalf::Missing(e) => Some(e.message().to_owned()),
        }
    }

    /// Sets aside the rows read since the last piece, for the three takes;
    /// returns how many there are.
    #[wasm_bindgen(js_name = takePiece)]
    pub fn take_piece(&mut self) -> usize {
        if let Some(parser) = self.parser.as_mut() {
            self.columns = parser.take_edges();
        }
        self.columns.types.len()
    }

    /// The edge types, moved out of this module's memory.
    #[wasm_bindgen(js_name = takeTypes)]
    pub fn take_types(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.columns.types)
    }

    /// The edges' `name_or_index`, moved out of this module's memory.
    #[wasm_bindgen(js_name = takeNames)]
    pub fn take_names(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.columns.names)
    }

    /// The edges' target node ordinals, moved out of this module's memory.
    #[wasm_bindgen(js_name = takeTargets)]
    pub fn take_targets(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.columns.targets)
    }
}

/// Analyses a synthetic snapshot twice, so the browser has optimized the
/// hot loops before the user's file arrives (V8 optimizes a wasm function
/// only for its next call). Takes a fraction of a second.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() {
    let text = crate::snapshot::synthetic::synthetic_snapshot(40_000);
    for _ in 0..2 {
        let mut parser = Parser::new();
        for chunk in text.chunks(64 << 10) {
            if parser.push(chunk).is_err() {
                return;
            }
        }
        if let Ok(graph) = parser.finish() {
            let mut session = Session::new(HeapSnapshot::analyze(graph, &mut |_| {}));
            let _ = session.leaks(Vec::new());
            let _ = session.query(Request::Summary {
                scope: Default::default(),
                order: Default::default(),
                class_filter: String::new(),
                window: Default::default(),
            });
        }
    }
}

/// An analysed snapshot answering queries.
#[wasm_bindgen(js_name = HeapSnapshot)]
pub struct WasmSnapshot {
    session: Session,
}

#[wasm_bindgen(js_class = HeapSnapshot)]
impl WasmSnapshot {
    /// Answers one request object (`{op: 'summary', ...}`) with a plain object.
    pub fn query(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let request: Request = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("bad request: {e}")))?;
        let value = self
            .session
            .query(request)
            .map_err(|e| JsError::new(e.message()))?;
        plain(&value)
    }
}

/// An answer as a plain JavaScript object (no Maps, no BigInts).
fn plain(value: &impl Serialize) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("internal: {e}")))
}

/// Loader of a sampling heap profile (`.heapprofile`): `push` chunks, then
/// `finish`. The call tree is parsed whole at the end (profiles are small
/// next to snapshots: one node per sampled stack).
#[wasm_bindgen]
#[derive(Default)]
pub struct ProfileLoader {
    text: Vec<u8>,
}

#[wasm_bindgen]
impl ProfileLoader {
    /// A loader waiting for the first chunk.
    #[wasm_bindgen(constructor)]
    pub fn new() -> ProfileLoader {
        console_error_panic_hook::set_once();
        ProfileLoader::default()
    }

    /// Keeps the next bytes of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        self.text.extend_from_slice(chunk);
    }

    /// Parses the profile; throws an `Error` saying what is wrong with it.
    pub fn finish(&mut self) -> Result<WasmProfile, JsError> {
        let text = std::mem::take(&mut self.text);
        let profile = HeapProfile::parse(&text).map_err(|e| JsError::new(e.message()))?;
        Ok(WasmProfile { profile })
    }
}

/// A loaded sampling heap profile answering [`ProfileRequest`]s.
#[wasm_bindgen(js_name = HeapProfile)]
pub struct WasmProfile {
    profile: HeapProfile,
}

#[wasm_bindgen(js_class = HeapProfile)]
impl WasmProfile {
    /// Answers one request object (`{op: 'profile', range}`) with a plain object.
    pub fn query(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let request: ProfileRequest = serde_wasm_bindgen::from_value(request)
            .map_err(|e| JsError::new(&format!("bad request for a heap profile: {e}")))?;
        plain(&self.profile.answer(request))
    }
}
