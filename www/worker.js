//! The analysis worker: one per snapshot, so a corrupt or oversized file can only take
//! down its own worker. It streams the file into the wasm SnapshotLoader chunk by chunk
//! (never one string or one ArrayBuffer), then answers the requests of
//! src/query/protocol.rs, sent by lib/snapshot-client.js. A sampling heap profile
//! (.heapprofile, told by its first key) goes into a ProfileLoader instead, and answers
//! src/profile/request.rs's requests.

let snapshot = null;
let crashed = null;
let wasmMemory = null;
let analyzer = null;
let memoryCeiling = 0;

const post = (message) => self.postMessage(message);
/** Files larger than this (bytes) are worth warming the compiler up for. */
const WARM_UP_ABOVE = 20e6;

self.onmessage = ({ data: message }) => {
  if (message.type === 'load') load(message);
  else if (message.type === 'query') answer(message);
};

async function load({ source, gzip, total, memoryLimit, wasm: build }) {
  let loader = null;
  let twin = null;
  try {
    post({ type: 'stage', stage: 'Starting the analyzer' });
    let wasm;
    try {
      ({ wasm, memory: wasmMemory } = await startAnalyzer(gzip ? total * GZIP_RATIO : total, build));
    } catch (error) {
      throw new Error(`Could not start the analyzer (www/${space.pkg}/heaplens.js): ${error.message ?? error}. Run scripts/build.sh first.`);
    }
    analyzer = wasm;
    if (memoryLimit > 0) {
      memoryCeiling = memoryLimit;
      wasm.setMemoryLimit(memoryLimit);
    }
    let read = 0;
    let lastPost = 0;
    post({ type: 'stage', stage: 'Reading' });
    const chunks = chunksOf(source, gzip, (n) => { read += n; });
    const first = await chunks.next();
    const profile = isProfile(first.done ? new Uint8Array(0) : first.value, source.file?.name ?? '');
    const plainFile = !profile && source.kind === 'file' && !gzip && !(await isGzip(source.file));
    // The second reader runs the build this one runs (the browser compiles it once).
    twin = plainFile && source.file.size >= TWO_WORKERS_ABOVE ? startEdgesReader(source.file, memoryLimit, space.pkg) : null;
    if (twin && !(await twin.started)) twin = null;
    if (profile) loader = new wasm.ProfileLoader();
    else loader = twin ? wasm.SnapshotLoader.withoutEdges() : new wasm.SnapshotLoader();
    post({ type: 'readers', count: twin ? 2 : 1 });
    if (plainFile) loader.setFileSize(source.file.size);
    // A profile is small: no warm-up (it runs the snapshot analyses).
    let warmedUp = profile;
    // As early as possible (the optimizing compiler then has the whole read to
    // finish) when the size is known, else once the file proves big.
    const warmUpAt = total > WARM_UP_ABOVE ? 0 : WARM_UP_ABOVE;
    for (let next = first; !next.done; next = await chunks.next()) {
      const chunk = next.value;
      loader.push(chunk);
      twin?.failedBefore(read);
      twin?.adopt(loader);
      // V8 optimizes a wasm function only for its next call, and each analysis
      // runs once: on a big file, run them all on a small synthetic snapshot
      // (a few hundred ms) so they are optimized, in the background, while the
      // rest of the file is read.
      if (!warmedUp && read > warmUpAt) {
        warmedUp = true;
        post({ type: 'stage', stage: 'Preparing the analyzer' });
        wasm.warmUp();
        post({ type: 'stage', stage: 'Reading' });
      }
      const now = performance.now();
      if (now - lastPost > 80) {
        lastPost = now;
        post({ type: 'progress', bytes: read, total });
      }
    }
    post({ type: 'progress', bytes: read, total });
    if (twin) await adoptEdges(loader, twin);
    post({ type: 'stage', stage: 'Analysing' });
    snapshot = profile ? loader.finish() : loader.finish((stage) => post({ type: 'stage', stage: String(stage) }));
    const info = plain(snapshot.query({ op: 'info' }));
    post({ type: 'ready', info });
  } catch (error) {
    post({ type: 'error', ...describe(error) });
  } finally {
    twin?.stop();
    twin = null;
    // finish() may consume the loader on the Rust side; freeing twice would throw.
    try { loader?.free(); } catch { /* already consumed */ }
  }
}

/**
 * Plain files of at least this many bytes are read by two workers (this one and
 * edges-worker.js); below 32 MB the second one's start-up costs more than it saves.
 * On two cores the second reader competes with this one and the page: measured in
 * headless Chromium on a 2-core machine, a 502 MB file opened in 9.5–9.9 s with two
 * workers and 6.6–8.3 s with one (tab peak 1.31–1.36× against 1.24× the file), so
 * two workers are used only where there are at least four cores.
 * `?two-workers-above=BYTES` on this worker's URL sets it (tests, benchmarks).
 */
const TWO_WORKERS_ABOVE = Number(new URL(self.location.href).searchParams.get('two-workers-above')
  ?? ((self.navigator?.hardwareConcurrency ?? 1) >= 4 ? 32 * 2 ** 20 : Infinity));

/**
 * Starts edges-worker.js on `file`: `started` resolves to false when it cannot run
 * (then this worker reads alone). Its pieces of `edges` wait in `pieces` until
 * `adopt` gives them to the loader (between chunks, never inside a push); `ended` is
 * its last message. The single-file build has no edges-worker.js next to it, and
 * reads alone.
 */
function startEdgesReader(file, memoryLimit, pkg) {
  if (typeof self.heaplensInlineAnalyzer === 'function') return null;
  let worker;
  try {
    worker = new Worker(new URL('./edges-worker.js', self.location.href), { type: 'module' });
  } catch {
    return null;
  }
  let started;
  const twin = {
    started: new Promise((resolve) => { started = resolve; }),
    pieces: [],
    ended: null,
    /** Called when a message arrives (adoptEdges waits on it). */
    wake: null,
    /** Throws the second reader's message once this worker has read past its error. */
    failedBefore(read) {
      if (twin.ended?.type === 'failed' && read >= twin.ended.at) throw new Error(twin.ended.message);
    },
    adopt(loader) {
      for (const { types, names, targets } of twin.pieces.splice(0)) loader.appendEdges(types, names, targets);
    },
    stop() { worker.terminate(); },
  };
  const end = (message) => {
    worker.terminate();
    started(false);
    twin.ended = message;
  };
  worker.onmessage = ({ data }) => {
    if (data.type === 'started') started(true);
    else if (data.type === 'piece') twin.pieces.push(data);
    else end(data);
    twin.wake?.();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    end({ type: 'failed', message: `the second reader of the file failed (${event.message || 'it did not start'})`, at: 0 });
    twin.wake?.();
  };
  worker.postMessage({ file, memoryLimit, pkg });
  return twin;
}

/** Takes the rest of what the second reader read (or said) into `loader`. */
async function adoptEdges(loader, twin) {
  post({ type: 'stage', stage: 'Reading the edges' });
  for (;;) {
    twin.adopt(loader);
    if (twin.ended) break;
    await new Promise((resolve) => { twin.wake = resolve; });
  }
  const { ended } = twin;
  if (ended.type === 'failed') throw new Error(ended.message);
  if (ended.type === 'missing') return loader.edgesMissing(ended.message);
  post({ type: 'readers', count: 2, edgesSecs: ended.secs });
  loader.edgesRead();
}

/**
 * The wasm-bindgen module and its memory. Normally ./pkg next to this file; the
 * single-file build (scripts/build-single-file.mjs) runs this worker from a Blob URL,
 * where nothing is "next to" it, and defines self.heaplensInlineAnalyzer ahead of this
 * code: the same module with the wasm bytes inlined.
 */
async function startAnalyzer(bytes, build = 'auto') {
  if (typeof self.heaplensInlineAnalyzer === 'function') return self.heaplensInlineAnalyzer();
  const want64 = build === '64' || (build !== '32' && bytes > WASM64_ABOVE);
  space = want64 && memory64() ? WASM64 : WASM32;
  try {
    return await instantiate(space);
  } catch (error) {
    // No wasm64 build (no nightly toolchain): wasm32 may still hold the file.
    if (space === WASM32 || build === '64') throw error;
    space = WASM32;
    return instantiate(space);
  }
}

/** Loads one build of the core (./pkg or ./pkg64) and its memory. */
async function instantiate({ pkg }) {
  const wasm = await import(`./${pkg}/heaplens.js`);
  return { wasm, memory: (await wasm.default())?.memory ?? null };
}

/**
 * The two builds of the core: wasm32 holds a snapshot up to ~2.5 GB (the
 * peak is ~1.3× the file, and wasm32 has 4 GiB); wasm64 (memory64, 16 GiB
 * in Chromium) those beyond, a little slower (its bounds checks are explicit).
 */
const WASM32 = { pkg: 'pkg', limit: 'wasm32 has 4 GiB', bytes: 2 ** 32 };
const WASM64 = { pkg: 'pkg64', limit: 'wasm64 has 16 GiB in Chromium', bytes: 2 ** 34 };
let space = WASM32;
/** Files above this many bytes load into the wasm64 build when the browser has memory64. */
const WASM64_ABOVE = 2.5e9;
/** Heap snapshots gzip about 4–5 to 1: a gzipped file's size times this is its guess. */
const GZIP_RATIO = 5;

/** Whether this browser compiles a module with a 64-bit memory. */
function memory64() {
  // A module holding one memory section: one memory, flags 0x04 (64-bit), minimum 0.
  return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 4, 0]));
}

/**
 * True when the file is a sampling heap profile: its first key is "head" or "samples"
 * (a heap snapshot's is "snapshot"); the .heapprofile extension decides only when the
 * first bytes name neither.
 */
function isProfile(bytes, name) {
  const text = new TextDecoder().decode(bytes.subarray(0, 256));
  const key = /^\s*\{\s*"([^"]*)"/.exec(text)?.[1];
  if (key === 'head' || key === 'samples') return true;
  if (key === 'snapshot') return false;
  return /\.heapprofile(\.gz)?$/i.test(name);
}

/** Bytes per read of a plain file: one buffer, reused for the whole file. */
const READ_CHUNK = 4 << 20;

/**
 * The bytes of a file or stream, chunk by chunk; `counted(n)` hears of every
 * n bytes read from the source. A plain file is read into one reused buffer
 * (a BYOB reader), so reading a 1 GB file leaves no garbage behind for the
 * collector; gzip and fetched streams go through the stream's own chunks.
 * Each chunk is only valid until the next one is asked for.
 */
async function* chunksOf(source, gzip, counted) {
  if (source.kind === 'file' && !gzip && !(await isGzip(source.file))) {
    let reader = null;
    try {
      reader = source.file.stream().getReader({ mode: 'byob' });
    } catch {
      reader = null; // a browser without byte streams for files
    }
    if (reader) {
      let buffer = new ArrayBuffer(READ_CHUNK);
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done) return;
        counted(value.byteLength);
        yield value;
        buffer = value.buffer;
      }
    }
  }
  const stream = (source.kind === 'file' ? source.file.stream() : source.stream).pipeThrough(new TransformStream({
    transform(chunk, controller) {
      counted(chunk.byteLength);
      controller.enqueue(chunk);
    },
  }));
  const reader = (await maybeGunzip(stream, gzip)).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value instanceof Uint8Array ? value : new Uint8Array(value);
  }
}

/** True when a file starts with the gzip magic number. */
async function isGzip(file) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Decompresses when asked to, or when the first bytes are the gzip magic number. */
async function maybeGunzip(stream, gzip) {
  const reader = stream.getReader();
  const first = await reader.read();
  const rest = new ReadableStream({
    start(controller) {
      if (!first.done) controller.enqueue(first.value);
      else controller.close();
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const magic = !first.done && first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
  return gzip || magic ? rest.pipeThrough(new DecompressionStream('gzip')) : rest;
}

function answer({ id, request }) {
  try {
    if (crashed) throw new Error(crashed);
    if (!snapshot) throw new Error('The snapshot is not loaded yet');
    const result = plain(snapshot.query(request));
    post({ type: 'result', id, result });
  } catch (error) {
    const described = describe(error);
    if (error instanceof WebAssembly.RuntimeError || described.tooBig) crashed = described.message;
    post({ type: 'result', id, error: described.message, tooBig: described.tooBig });
  }
}

const tooBig = () => `This snapshot is too big for this browser tab\u2019s memory (${space.limit}).`;

/** Turns whatever was thrown into a message a user can act on. */
function describe(error) {
  const message = error?.message ?? String(error);
  const memory = error instanceof RangeError
    || /out of memory|memory allocation|allocation failed|could not allocate|Memory\.grow|Array buffer allocation|WebAssembly\.Memory/i.test(message);
  if (memory) return { message: `${tooBig()} (${message})`, tooBig: true };
  // The module's allocator tells when it could not get memory: past the
  // page's ceiling for one snapshot, or the browser would not grow it.
  const refused = error instanceof WebAssembly.RuntimeError ? analyzer?.refusedAllocation() ?? 0 : 0;
  if (refused > 0) {
    const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
    const limit = memoryCeiling > 0 ? `the ${gib(memoryCeiling)} this page gives one snapshot` : 'what this browser tab could give it';
    const held = wasmMemory ? `; it held ${gib(wasmMemory.buffer.byteLength)}` : '';
    return {
      message: `This snapshot needs more memory than ${limit} (it asked for ${(refused / 2 ** 20).toFixed(1)} MiB more${held}). The other snapshots are not affected. Open it with the heaplens command line (heaplens summary FILE), which has no such limit.`,
      tooBig: true,
    };
  }
  // A Rust allocation failure aborts with a bare trap; a memory near the limit says why.
  const used = wasmMemory?.buffer.byteLength ?? 0;
  if (error instanceof WebAssembly.RuntimeError && used >= space.bytes / 2) {
    return { message: `${tooBig()} (${message} with ${(used / 2 ** 30).toFixed(1)} GiB in use)`, tooBig: true };
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return {
      message: `The analyzer crashed (${message}). If the file is very large it may have run out of memory (${space.limit}); otherwise this is a heaplens bug.`,
      tooBig: false,
    };
  }
  return { message, tooBig: false };
}

/** Query results may contain Maps (serde-wasm-bindgen's default) or BigInts: make them plain. */
function plain(value) {
  if (value instanceof Map) {
    const out = {};
    for (const [k, v] of value) out[k] = plain(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}
