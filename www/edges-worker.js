//! The second reader of a big file, started by worker.js: in its own wasm instance it
//! reads the same File (File.slice chunks, the next one fetched while this one is
//! parsed), passes over `nodes` to their `]`, parses `edges` into columns and stops
//! there. The rows go back to worker.js as they are read, a piece per chunk, in
//! transferable buffers (no copy), so the `edges` section (about half of a snapshot) is
//! parsed while worker.js parses the rest, and neither worker holds the section twice.
//!
//! In:  {file: File, memoryLimit: number, pkg: 'pkg' | 'pkg64'} (the build worker.js runs)
//! Out: {type: 'started'} once the analyzer runs, then pieces
//!      {type: 'piece', types: Uint8Array, names: Uint32Array, targets: Uint32Array}
//!      and one of
//!      {type: 'edges', secs}        all of `edges` was sent
//!      {type: 'missing', message}   the file ended before `edges` did (worker.js decides
//!                                   which half's message the user sees)
//!      {type: 'failed', message, at} bad input: `at` = bytes read through the chunk that
//!                                   failed (0 when this worker itself failed)

/** Bytes per File.slice. */
const CHUNK = 4 << 20;

self.onmessage = async ({ data: { file, memoryLimit, pkg } }) => {
  let wasm;
  try {
    wasm = await import(pkg === 'pkg64' ? './pkg64/heaplens.js' : './pkg/heaplens.js');
    await wasm.default();
    if (memoryLimit > 0) wasm.setMemoryLimit(memoryLimit);
  } catch (error) {
    self.postMessage({ type: 'failed', message: `the second reader could not start: ${error?.message ?? error}`, at: 0 });
    return;
  }
  self.postMessage({ type: 'started' });
  const start = performance.now();
  const loader = new wasm.EdgesLoader();
  loader.setFileSize(file.size);
  let at = 0;
  try {
    let next = file.slice(0, CHUNK).arrayBuffer();
    while (at < file.size) {
      const chunk = new Uint8Array(await next);
      at += chunk.byteLength;
      if (at < file.size) next = file.slice(at, at + CHUNK).arrayBuffer();
      let done;
      try {
        done = loader.push(chunk);
      } catch (error) {
        // A trap (out of memory) is this worker failing, not the file.
        if (error instanceof WebAssembly.RuntimeError) throw error;
        self.postMessage({ type: 'failed', message: error?.message ?? String(error), at });
        return;
      }
      sendPiece(loader);
      if (done) break;
    }
    const missing = loader.end();
    if (missing !== undefined) {
      self.postMessage({ type: 'missing', message: missing });
      return;
    }
    sendPiece(loader);
    self.postMessage({ type: 'edges', secs: (performance.now() - start) / 1000 });
  } catch (error) {
    const refused = wasm.refusedAllocation?.() ?? 0;
    const why = refused > 0 ? `out of memory: it asked for ${(refused / 2 ** 20).toFixed(1)} MiB more` : error?.message ?? String(error);
    self.postMessage({ type: 'failed', message: `the second reader of the file failed (${why})`, at: 0 });
  }
};

/** Sends the rows read since the last piece, if any, moving them out of wasm memory. */
function sendPiece(loader) {
  if (loader.takePiece() === 0) return;
  const types = loader.takeTypes();
  const names = loader.takeNames();
  const targets = loader.takeTargets();
  self.postMessage({ type: 'piece', types, names, targets }, [types.buffer, names.buffer, targets.buffer]);
}
