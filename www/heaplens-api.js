//! heaplens as an ES module for other pages and tools: open a snapshot (File, Blob,
//! stream, Response or bytes) and ask for the same numbers the page shows. Each opened
//! snapshot gets its own worker (www/worker.js through lib/worker-client.js, exactly as
//! the page does) and asks it through lib/snapshot-client.js, the client the page's views
//! use: every method sends one request of src/query/protocol.rs's Request enum.
//!
//!   import { open } from './heaplens-api.js';
//!   const snapshot = await open(file, { onProgress: (bytes, total) => … });
//!   const { rows } = await snapshot.summary({ limit: 10 });
//!   snapshot.close();

import { SnapshotWorker } from './lib/worker-client.js';
import { SnapshotClient } from './lib/snapshot-client.js';

/** The client of a Snapshot (for leaks()); set once, by the class below. */
let clientOf;

/** A snapshot being analysed in its own worker. Get one from open(). */
export class Snapshot {
  #worker;
  #client;

  static {
    clientOf = (snapshot) => snapshot.#client;
  }

  constructor(worker, name, info) {
    this.#worker = worker;
    this.#client = new SnapshotClient(worker, name, info);
    /** The file name (or the `name` option). */
    this.name = name;
    /** { nodes, edges, totalSize, rootId, maxJsId, extraNativeBytes, title } */
    this.info = info;
  }

  /** Any request of src/query/protocol.rs (`{ op: 'instances', classKey, … }`), answered as a plain object. */
  query(request) {
    return this.#client.query(request);
  }

  /**
   * Classes by retained size: { total, rows: [{ key, name, count, distance, selfSize, retainedSize }] }.
   * `filter` is one of DevTools' named filters: 'duplicatedStrings', 'objectsRetainedByDetachedDomNodes',
   * 'objectsRetainedByContexts', 'objectsRetainedByConsole', 'objectsRetainedByEventHandlers'.
   * `realm` keeps the objects of one realm: a realm's filterName (from realms()),
   * 'sharedNativeContext' or 'noNativeContext' (e.g. `summary({ realm: 'sharedNativeContext' })`).
   */
  summary(options) {
    return this.#client.summary(options);
  }

  /** String values held more than once, most wasted bytes first: { total, rows: [{ value, copies, bytesPerCopy, wastedBytes, holders, … }] }. */
  duplicateStrings(page) {
    return this.#client.duplicateStrings(page);
  }

  /** Closure contexts, dead variables first: { total, rows: [{ context, functions, variables, deadSize, ownSize, … }] }. */
  closures(page) {
    return this.#client.closures(page);
  }

  /**
   * Native contexts (page, iframes, vm contexts) and the bytes attributed to each, shared and
   * not attributed: { realms: [{ id, name, nodeName, filterName, attributed: { count, size, … } }],
   * shared, unattributed, totalSize }.
   */
  realms() {
    return this.#client.realms();
  }

  /** The Summary rows of one realm, as summary({ realm: filter }): a realm's filterName, 'sharedNativeContext' or 'noNativeContext'. */
  realmSummary(filter, options) {
    return this.#client.realmSummary(filter, options);
  }

  /**
   * Object `id`'s retaining paths merged into one graph: { graph: { nodes: [{ id, name, x, y, root,
   * hiddenRetainers, … }], edges: [{ from, to, name, edgeType }], limitsReached }, svg? }
   * (`{ svg: true }` draws it; `expanded: [ids]` follows all their retainers).
   */
  retainerGraph(id, options) {
    return this.#client.retainerGraph(id, options);
  }

  /** Heap composition, the Statistics view's numbers. */
  stats() {
    return this.#client.stats();
  }

  /** What keeps object `id` alive: { total, rows: [edge rows, each with its retaining node] }. */
  retainers(id, page) {
    return this.#client.retainers(id, page);
  }

  /** Objects new and deleted since `base` (another Snapshot), by class — the Comparison view's rows. */
  async diff(base, options) {
    if (!(base instanceof Snapshot)) throw new TypeError('diff(base): base must be a snapshot returned by open()');
    return this.#client.compare(base.#client, options);
  }

  /** The leak report over this snapshot and `others` (see leaks()). */
  leaks(others = []) {
    return leaks([this, ...others]);
  }

  /** Stops the worker and frees its memory; later calls reject. */
  close() {
    this.#worker.terminate();
  }
}

/**
 * Opens a heap snapshot: a File or Blob, a ReadableStream of bytes, a fetch Response,
 * or an ArrayBuffer / typed array. Gzipped input is recognised by its first bytes.
 * @param {{ name?: string, gzip?: boolean, size?: number, wasm?: 'auto'|'32'|'64',
 *           onProgress?: (bytesRead: number, total: number) => void,
 *           onStage?: (stage: string) => void }} [options]
 *   wasm: the core's build: by size (auto: wasm64, for files over ~2.5 GB, when the
 *   browser has memory64), or always wasm32 / wasm64.
 * @returns {Promise<Snapshot>} once the snapshot is parsed and analysed; rejects with
 *          the parser's message when the input is not a usable snapshot.
 */
export function open(input, options = {}) {
  const { source, name, size } = toSource(input, options);
  const gzip = options.gzip ?? /\.gz$/i.test(name);
  return new Promise((resolve, reject) => {
    const worker = new SnapshotWorker(source, { gzip, total: size, wasm: options.wasm }, {
      onProgress: (bytes) => options.onProgress?.(bytes, size),
      onStage: (stage) => options.onStage?.(stage),
      onReady: (info) => resolve(new Snapshot(worker, name, info)),
      onError: (message) => {
        worker.terminate();
        reject(new Error(`${name}: ${message}`));
      },
    });
  });
}

/**
 * The 3-snapshot leak report: facts from each snapshot, the report computed on the newest
 * (largest maxJsId). Snapshots of one process, three or more; fewer give a warning. Keys
 * are camelCase: { groups: [{ name, count, selfSize, retainedSize, growsEveryInterval,
 * path: [{ node, edge, edgeType, id, repeat?, repeatSpan? }], location: { scriptId, … }, … }],
 * warnings, idRange, totals }.
 */
export async function leaks(snapshots) {
  return SnapshotClient.leakReport(snapshots.map(clientOf));
}

/**
 * The collections (Map, Set, WeakMap, arrays, dictionaries) of the newest snapshot whose entry
 * count grew in every interval of `snapshots` (three or more of one process), most entries
 * gained first: [{ id, kind, heldAs, counts, growth, perInterval, retainedSize, path, … }].
 */
export async function growingCollections(snapshots) {
  return SnapshotClient.growingCollections(snapshots.map(clientOf));
}

/** The worker's `load` source for whatever was given. */
function toSource(input, options) {
  if (input instanceof Blob) {
    return { source: { kind: 'file', file: input }, name: options.name ?? input.name ?? 'snapshot', size: options.size ?? input.size };
  }
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    const blob = new Blob([input]);
    return { source: { kind: 'file', file: blob }, name: options.name ?? 'snapshot', size: blob.size };
  }
  if (typeof Response === 'function' && input instanceof Response) {
    if (!input.ok || !input.body) throw new Error(`open(response): HTTP ${input.status} ${input.statusText}`);
    const length = Number(input.headers.get('content-length')) || 0;
    const name = options.name ?? (decodeURIComponent(new URL(input.url || 'x:/snapshot').pathname.split('/').pop()) || 'snapshot');
    return { source: { kind: 'stream', stream: input.body }, name, size: options.size ?? length };
  }
  if (input instanceof ReadableStream) {
    return { source: { kind: 'stream', stream: input }, name: options.name ?? 'snapshot', size: options.size ?? 0 };
  }
  throw new TypeError('open(input): give a File, Blob, ReadableStream, Response or ArrayBuffer');
}
