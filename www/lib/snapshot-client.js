//! The one client of a snapshot's worker: a method per request of the core's protocol
//! (src/query/protocol.rs's Request; what the views, app.js and heaplens-api.js send), the caches
//! built on those requests (facts, diff bases, leak reports), and the leak report read
//! with one spelling of its keys. lib/worker-client.js stays the transport underneath.
//! A client belongs to one snapshot of one app (or one API handle): nothing here is
//! shared between two <heap-lens> elements.

/**
 * @typedef {{ offset?: number, limit?: number }} Page  rows `offset`…`offset + limit` (limit 100 unless said)
 * @typedef {{ total: number, rows: any[] }} Rows  one page of rows and how many there are in all
 * @typedef {{ id: number, name: string, type: string, className?: string, distance: number|null,
 *             selfSize: number, retainedSize: number, edgeCount: number, nameLength?: number,
 *             detached?: boolean }} NodeRow  one object
 * @typedef {{ edgeName: string, edgeType: string, node: NodeRow, ignored?: boolean }} EdgeRow  an edge and the object at its other end
 * @typedef {{ key: string, name: string, count: number, distance: number|null, selfSize: number,
 *             retainedSize: number, nameLength?: number }} ClassRow  one Summary row
 * @typedef {'retainedSize'|'selfSize'|'distance'|'count'|'name'} SortKey  Summary and instance sorts
 * @typedef {'duplicatedStrings'|'objectsRetainedByDetachedDomNodes'|'objectsRetainedByContexts'
 *           |'objectsRetainedByConsole'|'objectsRetainedByEventHandlers'} NamedFilter  DevTools' named filters
 * @typedef {string} RealmFilter  DevTools' realm filterName: a realm's `filterName` from realms()
 *   (nativeContext_<node index>), 'sharedNativeContext' or 'noNativeContext'
 * @typedef {[number, number]} IdRange  object ids in (low, high]
 * @typedef {{ function: number, callers?: number[] }} AllocatedBy  a node of the Allocation view's
 *   bottom-up tree: the allocating function, then its caller at each level below it
 * @typedef {{ ignored: number[] }} IgnoredRetainers  the ids ignored after the change
 * @typedef {{ name: string, maxJsId: number, classCounts: Object<string, number>, totalSize: number }} Facts
 */

/** How many results a page asks for when the caller does not say. */
const PAGE = 100;

/**
 * The request fields of the allocation and realm scopes: only those set, so requests
 * without them keep their shape.
 */
const scopesSet = (scopes) => Object.fromEntries(Object.entries(scopes).filter(([, value]) => value));

export class SnapshotClient {
  #worker;
  #facts = null;
  /** Leak reports built on this snapshot (the newest of their series): [{ series, report }]. */
  #reports = [];
  #census = null;

  /**
   * @param {import('./worker-client.js').SnapshotWorker} worker  a loaded snapshot's worker
   * @param {string} name  the snapshot's name (facts and leak reports name it)
   * @param {{ maxJsId: number, rootId: number, totalSize: number }} info  the worker's `ready` info
   */
  constructor(worker, name, info) {
    this.#worker = worker;
    this.name = name;
    this.info = info;
  }

  /** Any request (`{ op, …fields }`), answered as a plain object: the API's escape hatch. */
  query(request) {
    return this.#worker.query(request);
  }

  /**
   * Classes (Summary rows) of the objects every scope given keeps: an id range, a named
   * filter, a bottom-up allocation node, a realm (attributed on the first request naming one).
   * @param {{ sortBy?: SortKey, ascending?: boolean, classFilter?: string, idRange?: IdRange|null,
   *           filter?: NamedFilter|null, allocatedBy?: AllocatedBy|null, realm?: RealmFilter|null } & Page} [options]
   * @returns {Promise<Rows>} rows: ClassRow
   */
  summary({ sortBy = 'retainedSize', ascending = false, classFilter = '', idRange = null, filter = null, allocatedBy = null, realm = null, offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'summary', sortBy, ascending, classFilter, idRange, filter, ...scopesSet({ allocatedBy, realm }), offset, limit });
  }

  /**
   * The objects of one class (a Summary row's `key`).
   * @param {string} classKey
   * @param {{ sortBy?: SortKey, ascending?: boolean, idRange?: IdRange|null, filter?: NamedFilter|null,
   *           allocatedBy?: AllocatedBy|null, realm?: RealmFilter|null } & Page} [options]  the Summary's scopes
   * @returns {Promise<Rows>} rows: NodeRow
   */
  instances(classKey, { sortBy = 'retainedSize', ascending = false, idRange = null, filter = null, allocatedBy = null, realm = null, offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'instances', classKey, idRange, filter, ...scopesSet({ allocatedBy, realm }), sortBy, ascending, offset, limit });
  }

  /**
   * Object `id`'s outgoing edges (Containment, an expanded instance).
   * @param {number} id
   * @param {Page} [page]
   * @returns {Promise<Rows>} rows: EdgeRow
   */
  edges(id, { offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'edges', id, offset, limit });
  }

  /**
   * What keeps object `id` alive: its incoming edges, ignored retainers marked.
   * @param {number} id
   * @param {Page} [page]
   * @returns {Promise<Rows>} rows: EdgeRow
   */
  retainers(id, { offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'retainers', id, offset, limit });
  }

  /**
   * The objects object `id` immediately dominates, by retained size.
   * @param {number} id
   * @param {Page} [page]
   * @returns {Promise<Rows>} rows: NodeRow
   */
  dominated(id, { offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'dominated', id, offset, limit });
  }

  /**
   * One object.
   * @param {number} id
   * @returns {Promise<NodeRow>}
   */
  node(id) {
    return this.query({ op: 'node', id });
  }

  /**
   * Objects by id, in one request (ids not in this snapshot are left out).
   * @param {number[]} ids
   * @returns {Promise<{ rows: NodeRow[] }>}
   */
  nodes(ids) {
    return this.query({ op: 'nodes', ids });
  }

  /**
   * Leaves object `id` out of retaining paths (and distances) until unignored.
   * @param {number} id
   * @returns {Promise<IgnoredRetainers>}
   */
  ignoreRetainer(id) {
    return this.query({ op: 'ignoreRetainer', id });
  }

  /**
   * Takes object `id` back into retaining paths.
   * @param {number} id
   * @returns {Promise<IgnoredRetainers>}
   */
  unignoreRetainer(id) {
    return this.query({ op: 'unignoreRetainer', id });
  }

  /**
   * Takes every ignored retainer back.
   * @returns {Promise<IgnoredRetainers>}
   */
  clearIgnored() {
    return this.query({ op: 'clearIgnored' });
  }

  /**
   * A window of object `id`'s whole name, from character `offset` (names in rows are cut).
   * @param {number} id
   * @param {number} offset  in characters, not UTF-16 units
   * @returns {Promise<{ text: string, offset: number, length: number }>} length: the whole name's
   */
  string(id, offset) {
    return this.query({ op: 'string', id, offset });
  }

  /**
   * Heap composition (the Statistics view's numbers).
   * @returns {Promise<{ total: number, v8heap: object, native: object, extraNativeBytes: number }>}
   */
  stats() {
    return this.query({ op: 'stats' });
  }

  /**
   * Objects whose name holds `text`, or the object `@id`.
   * @param {string} text
   * @param {{ matchCase?: boolean } & Page} [options]
   * @returns {Promise<Rows>} rows: NodeRow with className
   */
  search(text, { matchCase = false, offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'search', text, matchCase, offset, limit });
  }

  /**
   * String values held more than once, most wasted bytes first.
   * @param {Page} [page]
   * @returns {Promise<Rows>} rows: { value, copies, bytesPerCopy, wastedBytes, holders, copyIds, retainedSize, … }
   */
  duplicateStrings({ offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'duplicateStrings', offset, limit });
  }

  /**
   * Closure contexts, dead variables first.
   * @param {Page} [page]
   * @returns {Promise<Rows>} rows: { context, functions, functionCount, variables, deadSize?, deadHeldSize?, ownSize }
   */
  closures({ offset = 0, limit = PAGE } = {}) {
    return this.query({ op: 'closures', offset, limit });
  }

  /**
   * DevTools' Allocation perspective: functions by allocated size, and live bytes per
   * sample interval (snapshots recorded with allocation stacks; else hasStacks is false).
   * @returns {Promise<{ hasStacks: boolean, functions: object[], timeline: object[] }>}
   */
  allocations() {
    return this.query({ op: 'allocations' });
  }

  /**
   * A function's bottom-up tree: its row with `callers`, recursively; null when it
   * allocated nothing.
   * @param {number} fn a row's `function`
   */
  allocationCallers(fn) {
    return this.query({ op: 'allocationCallers', function: fn });
  }

  /**
   * An object's allocation stack, innermost first: { frames } (null without one).
   * @param {number} id
   */
  allocationStack(id) {
    return this.query({ op: 'allocationStack', id });
  }

  /**
   * A sampling heap profile's trees (its worker holds a .heapprofile, info.kind 'profile'):
   * DevTools' HeapProfileView numbers, of the samples whose ordinal is in `range` if given.
   * @param {{ range?: [number, number]|null }} [options]  first and last ordinal, both kept
   * @returns {Promise<{ total: number, range: [number, number]|null, bottomUp: object[], topDown: object[] }>}
   *   rows: { functionName, url, scriptId, line, column, selfSize, totalSize, children }
   */
  profile({ range = null } = {}) {
    return this.query({ op: 'profile', range });
  }

  /**
   * A sampling heap profile's samples in at most `buckets` bars of allocation order; a
   * bar's first..last ordinals select exactly its samples.
   * @param {number} buckets
   * @returns {Promise<{ first: number, last: number, size: number, samples: number }[]>}
   */
  profileTimeline(buckets) {
    return this.query({ op: 'profileTimeline', buckets });
  }

  /**
   * This snapshot's facts for a leak report (class counts, newest id, total size), asked for once.
   * @returns {Promise<Facts>}
   */
  facts() {
    if (!this.#facts) {
      this.#facts = this.query({ op: 'facts', name: this.name });
      this.#facts.catch(() => { this.#facts = null; });
    }
    return this.#facts;
  }

  /**
   * Objects new and deleted since `base` (another snapshot's client), by class.
   * @param {SnapshotClient} base
   * @param {{ sortBy?: string, ascending?: boolean, classFilter?: string } & Page} [options]
   * @returns {Promise<Rows & { warnings?: string[] }>} rows: { key, name, newCount, deletedCount, deltaCount, addedSize, freedSize, sizeDelta }
   */
  async compare(base, { sortBy = 'addedSize', ascending = false, classFilter = '', offset = 0, limit = PAGE } = {}) {
    const token = await this.#diffBase(base);
    return this.query({ op: 'compare', base: token, sortBy, ascending, classFilter, offset, limit });
  }

  /**
   * The new and deleted objects of one class of a comparison with `base`.
   * @param {SnapshotClient} base
   * @param {string} classKey  a compare row's `key`
   * @param {Page} [page]
   * @returns {Promise<Rows>} rows: { id, name, type, status: 'new'|'deleted', selfSize, … }
   */
  async compareInstances(base, classKey, { offset = 0, limit = PAGE } = {}) {
    const token = await this.#diffBase(base);
    return this.query({ op: 'compareInstances', base: token, classKey, offset, limit });
  }

  /** The diff base for comparing with `base`: the transport computes and keeps it once per pair. */
  #diffBase(base) {
    if (!(base instanceof SnapshotClient)) throw new TypeError('compare(base): base must be another snapshot');
    return this.#worker.diffBase(base.#worker);
  }

  /**
   * The leak report of `series` (this snapshot among them, the newest), built once per series.
   * @param {SnapshotClient[]} series
   */
  #leaks(series) {
    const same = (a) => a.length === series.length && series.every((s) => a.includes(s));
    let cached = this.#reports.find((r) => same(r.series));
    if (!cached) {
      const report = Promise.all(series.map((s) => s.facts()))
        .then((facts) => this.query({ op: 'leaks', facts }));
      cached = { series, report };
      this.#reports.push(cached);
      report.catch(() => { this.#reports = this.#reports.filter((r) => r !== cached); });
    }
    return cached.report;
  }

  /**
   * The 3-snapshot leak report over `series` (snapshots of one process, any order), built by
   * the newest one (largest maxJsId) from every snapshot's facts. Keys are camelCase
   * (edgeType, repeatSpan, idRange, retainedSize, scriptId, growsEveryInterval, …).
   * @param {SnapshotClient[]} series
   * @returns {Promise<{ groups: object[], warnings: string[], idRange: IdRange, totals: number[] }>}
   */
  static leakReport(series) {
    const unique = SnapshotClient.#series(series);
    return SnapshotClient.#newest(unique).#leaks(unique);
  }

  /**
   * The leak report over `series` as a document to share, rendered by the core exactly as
   * `heaplens leaks … --format markdown|html` renders it.
   * @param {SnapshotClient[]} series
   * @param {'markdown'|'html'} format
   * @param {{ name: string, bytes: number }[]} files  the snapshots' file sizes, by name
   * @returns {Promise<{ mediaType: string, text: string }>}
   */
  static async leakDocument(series, format, files = []) {
    const unique = SnapshotClient.#series(series);
    const facts = await Promise.all(unique.map((s) => s.facts()));
    return SnapshotClient.#newest(unique).query({ op: 'leakDocument', facts, format, files });
  }

  static #series(series) {
    const unique = [...new Set(series)];
    if (unique.length === 0) throw new TypeError('leaks(snapshots): give at least one snapshot');
    return unique;
  }

  /** The snapshot taken last: the one with the largest object id. */
  static #newest(series) {
    return series.reduce((a, b) => (b.info.maxJsId > a.info.maxJsId ? b : a));
  }

  /**
   * Every native context (page, iframe, vm context) and the objects attributed to it, shared
   * between realms, or to none, as today's DevTools attributes them.
   * @returns {Promise<{ realms: { id, nodeName, name, filterName, selfSize, retainedSize, attributed }[],
   *                    shared: object, unattributed: object, totalSize: number }>}
   *   attributed, shared, unattributed: { count, size, code, strings, jsArrays, system, native, other }
   */
  realms() {
    return this.query({ op: 'realms' });
  }

  /**
   * Summary rows of the objects one realm filter keeps: summary({ realm: filter, … }).
   * @param {RealmFilter} filter
   * @param {{ sortBy?: SortKey, ascending?: boolean, classFilter?: string } & Page} [options]
   * @returns {Promise<Rows>} rows: ClassRow
   */
  realmSummary(filter, options = {}) {
    return this.summary({ ...options, realm: filter });
  }

  /** This snapshot's collection entry counts, asked for once. */
  #collectionCensus() {
    if (!this.#census) {
      this.#census = this.query({ op: 'census' });
      this.#census.catch(() => { this.#census = null; });
    }
    return this.#census;
  }

  /**
   * The collections (Map, Set, WeakMap, WeakSet, arrays, dictionaries) of the newest of
   * `series` (snapshots of one process) whose entry count grew in every interval, most
   * entries gained first; built by the newest from every snapshot's census.
   * @param {SnapshotClient[]} series
   * @returns {Promise<{ id, kind, className, heldAs, counts: number[], growth, perInterval: number[],
   *                     detachedDom, selfSize, retainedSize, path: object[] }[]>}
   */
  static async growingCollections(series) {
    const ordered = [...new Set(series)].sort((a, b) => a.info.maxJsId - b.info.maxJsId);
    if (ordered.length === 0) throw new TypeError('growingCollections(snapshots): give at least one snapshot');
    const censuses = await Promise.all(ordered.map((s) => s.#collectionCensus()));
    return ordered[ordered.length - 1].query({ op: 'growingCollections', censuses });
  }

  /**
   * Object `id`'s retaining paths from the roots merged into one graph, laid out left to
   * right (limits 50 steps, 5,000 objects, 25 retainers per object); with `svg`, drawn too.
   * @param {number} id
   * @param {{ expanded?: number[], svg?: boolean, maxDepth?: number, maxNodes?: number, maxSiblings?: number }} [options]
   *   expanded: objects whose retainers are all followed
   * @returns {Promise<{ graph: { nodes: object[], edges: object[], columns, rows, limitsReached }, svg?: string }>}
   */
  retainerGraph(id, { expanded = [], svg = false, maxDepth, maxNodes, maxSiblings } = {}) {
    return this.query({ op: 'retainerGraph', id, expanded, svg, maxDepth, maxNodes, maxSiblings });
  }
}
