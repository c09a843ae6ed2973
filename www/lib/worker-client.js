//! The page's handle on one snapshot's worker: starts the load, reports progress, and
//! turns query messages into promises.

let baseCounter = 0;

/** The worker next to this module (www/worker.js, a module worker). */
const defaultWorker = () => new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });

export class SnapshotWorker {
  /**
   * @param {{kind:'file', file: File} | {kind:'stream', stream: ReadableStream}} source
   * @param {{gzip: boolean, total: number, memoryLimit?: number, wasm?: string, createWorker?: () => Worker}} options
   *        total = bytes expected (for progress); memoryLimit = most bytes the worker's
   *        wasm memory may grow to (default: what the browser gives); wasm = the core's
   *        build ('auto' by size, '32' or '64'); createWorker starts
   *        the worker (the single-file build passes one that uses a Blob URL)
   * @param {{onProgress, onStage, onReady, onError}} handlers
   */
  constructor(source, { gzip, total, memoryLimit = 0, wasm = 'auto', createWorker = defaultWorker }, handlers) {
    this.handlers = handlers;
    this.pending = new Map();
    this.nextId = 1;
    this.dead = null;
    this.diffBases = new Map();
    this.worker = createWorker();
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(event.message || 'The analysis worker failed to start');
    };
    const transfer = source.kind === 'stream' ? [source.stream] : [];
    this.worker.postMessage({ type: 'load', source, gzip, total, memoryLimit, wasm }, transfer);
  }

  receive(message) {
    switch (message.type) {
      case 'progress': this.handlers.onProgress?.(message.bytes, message.total); break;
      case 'stage': this.handlers.onStage?.(message.stage); break;
      case 'ready': this.handlers.onReady?.(message.info); break;
      case 'error': this.fail(message.message, message.tooBig); break;
      case 'result': {
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        this.pending.delete(message.id);
        if ('error' in message) waiter.reject(new Error(message.error));
        else waiter.resolve(message.result);
        // Out of memory after loading: the worker is of no more use; ending it frees its memory.
        if (message.tooBig) this.fail(message.error, true);
        break;
      }
      default: break;
    }
  }

  fail(text, tooBig = false) {
    if (this.dead) return;
    this.dead = text;
    for (const waiter of this.pending.values()) waiter.reject(new Error(text));
    this.pending.clear();
    this.handlers.onError?.(text, tooBig);
  }

  /** Sends one contract request; resolves with the response object. */
  query(request) {
    if (this.dead) return Promise.reject(new Error(this.dead));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'query', id, request });
    });
  }

  /**
   * The diff base of `base` (another SnapshotWorker) for comparing this snapshot with it:
   * this snapshot's interface definitions go to the base, the base's id lists come back
   * and stay in this worker's session (`useDiffBase`), sent once per pair; resolves to the
   * name the `compare` and `compareInstances` requests give as `base`.
   */
  diffBase(base) {
    if (!this.diffBases.has(base)) {
      const token = (async () => {
        const interfaces = await this.query({ op: 'interfaceDefinitions' });
        const value = await base.query({ op: 'diffBase', interfaces });
        const name = `base${++baseCounter}`;
        await this.query({ op: 'useDiffBase', name, base: value });
        return name;
      })();
      this.diffBases.set(base, token);
      token.catch(() => this.diffBases.delete(base));
    }
    return this.diffBases.get(base);
  }

  terminate() {
    this.worker.terminate();
    for (const waiter of this.pending.values()) waiter.reject(new Error('The snapshot was closed'));
    this.pending.clear();
    this.dead = this.dead ?? 'The snapshot was closed';
  }
}
