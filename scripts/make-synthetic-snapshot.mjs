#!/usr/bin/env node
// Synthetic-input generator: writes a valid .heapsnapshot shaped like one node 20
// writes (its `snapshot.meta`, root → (GC roots) → subroots, a global object) of
// about SIZE bytes, for sizes V8 itself cannot write on a normal machine (it needs
// several times the file in RAM; scripts/make-big-snapshot.cjs runs out above ~2 GB).
//
// Usage: node scripts/make-synthetic-snapshot.mjs SIZE OUT      (SIZE: 50M, 1G, 4.6G, 123456)
//
// The heap is a deterministic function of a seed, built in "units" (a class instance
// with its fields, an array of small objects, a Map, cons strings, a closure and its
// context, a random object graph, a typed array and its backing store, a weak ref);
// runs of units form long linked lists (distances in the thousands), and units point
// at recent units' heads so dominators differ from parents. Every unit is rebuilt from
// its own seed, so the file is streamed in three passes over the same sequence (plan:
// counts and sizes; nodes; edges) and the strings table is regenerated at the end:
// memory stays flat (~100 MB) whatever SIZE is.

import { openSync, writeSync, closeSync } from 'node:fs';

/** `snapshot.meta` exactly as node 20 (V8 11.3) writes it. */
const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic',
    'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'],
  'string', 'number', 'number', 'number', 'number', 'number'],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
  trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
  trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
  sample_fields: ['timestamp_us', 'last_assigned_id'],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};
const NODE_FIELDS = META.node_fields.length;
const T = Object.fromEntries(META.node_types[0].map((name, i) => [name, i]));
const E = Object.fromEntries(META.edge_types[0].map((name, i) => [name, i]));
/** Edge types whose name_or_index is an index rather than a string. */
const INDEXED = new Set([E.element, E.hidden]);

const SEED = 0x5eed2024;
/** Units per holder array (one holder per group, hung off the registries). */
const GROUP = 1024;
/** Chain runs are decided per block of this many units (a power of two dividing GROUP). */
const BLOCK = 256;
/** Recent held unit heads a unit may point at (the sharing that makes dominators interesting). */
const RING = 64;
const REGISTRIES = 16;

// ------------------------------------------------------------------ randomness

/** A 32-bit integer hash (lowbias32): seeds units, blocks and strings independently. */
function hash32(x) {
  x = (x ^ SEED) >>> 0;
  x ^= x >>> 16; x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15; x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** mulberry32: small, fast, and good enough for shapes. */
class Rng {
  constructor(seed) { this.state = seed >>> 0; }
  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  below(n) { return this.next() % n; }
  /** An integer in [lo, hi]. */
  between(lo, hi) { return lo + this.below(hi - lo + 1); }
  /** Heavy-tailed in [1, max]: mostly small, sometimes large (like real array lengths). */
  skewed(max) { return Math.max(1, Math.floor(max ** ((this.next() / 2 ** 32) ** 2))); }
  /** Index into `weights` chosen in proportion to them. */
  weighted(weights) {
    let r = this.below(weights.total ??= weights.reduce((a, b) => a + b, 0));
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  }
}

// ------------------------------------------------------------------ strings

/**
 * The strings table: a fixed pool (names of classes, properties, roots) interned
 * while the prelude is laid out, then `generated` unique values (string nodes'
 * contents), each a function of its number so it is never held.
 */
class Strings {
  constructor() {
    this.pool = [];
    this.index = new Map();
    this.generated = 0;
    this.generatedBytes = 0;
  }
  intern(text) {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.pool.length;
      this.pool.push(text);
      this.index.set(text, i);
    }
    return i;
  }
  /** A new unique value: its table index and its length. */
  fresh() {
    const j = this.generated++;
    const length = generatedLength(j);
    this.generatedBytes += length + 4; // quotes, comma, newline
    return { name: this.pool.length + j, length };
  }
  poolBytes() {
    return this.pool.reduce((n, s) => n + Buffer.byteLength(JSON.stringify(s)) + 2, 0);
  }
}

/** Length of generated string j: mostly short words, 2% a few hundred to two thousand characters. */
function generatedLength(j) {
  const h = hash32(j * 2 + 1);
  return h % 100 < 2 ? 200 + (h >>> 8) % 1800 : 6 + (h >>> 8) % 34;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'so', 'ti', 'va', 'ze', 'po', 'qu', 'xi', 'da', 'fe', 'gu', 'ho'];
const PREFIXES = ['user:', 'order/', 'GET /api/', 'sess-', 'https://example.com/', 'key_', 'msg ', '{id:'];

/** Writes generated string j (JSON-safe ASCII, no escapes needed). */
function writeGenerated(sink, j) {
  const length = generatedLength(j);
  let text = PREFIXES[j % PREFIXES.length] + j.toString(36) + '-';
  let h = hash32(j * 2 + 2);
  while (text.length < length) {
    text += SYLLABLES[h & 15];
    h = (h >>> 4) || hash32(h + text.length);
  }
  sink.ascii(text.slice(0, length));
}

// ------------------------------------------------------------------ output

/** Buffered writer of ASCII and decimal integers (no string per number). */
class Sink {
  constructor(fd) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(8 << 20);
    this.pos = 0;
    this.written = 0;
  }
  room(n) { if (this.pos + n > this.buf.length) this.flush(); }
  flush() {
    for (let off = 0; off < this.pos;) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.written += this.pos;
    this.pos = 0;
  }
  ascii(text) {
    if (text.length > this.buf.length / 4) {
      this.flush();
      this.written += writeSync(this.fd, text);
      return;
    }
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos);
  }
  byte(c) { this.room(1); this.buf[this.pos++] = c; }
  uint(n) {
    this.room(20);
    const end = this.pos + digits(n);
    for (let p = end - 1; p >= this.pos; p--) {
      this.buf[p] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.pos = end;
  }
}

function digits(n) {
  let d = 1;
  while (n >= 10) { n = Math.floor(n / 10); d++; }
  return d;
}

// ------------------------------------------------------------------ graph pieces

/**
 * Nodes and edges of one unit (or of the prelude / a holder) before they are
 * written: nodes get absolute indices from `base`; edges are collected in any
 * order with their source and put in node order by finish().
 */
class Piece {
  constructor() {
    this.nodeCap = 1 << 12;
    this.edgeCap = 1 << 14;
    this.type = new Uint8Array(this.nodeCap);
    this.name = new Uint32Array(this.nodeCap);
    this.size = new Float64Array(this.nodeCap);
    this.edgeCount = new Uint32Array(this.nodeCap);
    this.from = new Uint32Array(this.edgeCap);
    this.etype = new Uint8Array(this.edgeCap);
    this.ename = new Uint32Array(this.edgeCap);
    this.to = new Float64Array(this.edgeCap);
    this.order = new Uint32Array(this.edgeCap);
  }
  reset(base) { this.base = base; this.nodes = 0; this.edges = 0; }
  node(type, name, size) {
    if (this.nodes === this.nodeCap) this.grow('node');
    const i = this.nodes++;
    this.type[i] = type; this.name[i] = name; this.size[i] = size; this.edgeCount[i] = 0;
    return this.base + i;
  }
  edge(from, type, name, to) {
    if (this.edges === this.edgeCap) this.grow('edge');
    const e = this.edges++;
    const local = from - this.base;
    this.from[e] = local; this.etype[e] = type; this.ename[e] = name; this.to[e] = to;
    this.edgeCount[local]++;
  }
  grow(kind) {
    const copy = (a, n) => { const b = new a.constructor(n); b.set(a); return b; };
    if (kind === 'node') {
      this.nodeCap *= 2;
      for (const k of ['type', 'name', 'size', 'edgeCount']) this[k] = copy(this[k], this.nodeCap);
    } else {
      this.edgeCap *= 2;
      for (const k of ['from', 'etype', 'ename', 'to', 'order']) this[k] = copy(this[k], this.edgeCap);
    }
  }
  /** Puts the edges in node order (stable: each node keeps its edges' order). */
  finish() {
    const start = new Uint32Array(this.nodes + 1);
    for (let i = 0; i < this.nodes; i++) start[i + 1] = start[i] + this.edgeCount[i];
    for (let e = 0; e < this.edges; e++) this.order[start[this.from[e]]++] = e;
    return this;
  }
  /** Bytes this piece adds to the nodes section, given its first row's prefix. */
  nodeBytes() {
    let n = 0;
    for (let i = 0; i < this.nodes; i++) {
      n += 2 + digits(this.type[i]) + 1 + digits(this.name[i]) + 1 + digits(2 * (this.base + i) + 1) + 1
        + digits(this.size[i]) + 1 + digits(this.edgeCount[i]) + 4;
    }
    return n;
  }
  edgeBytes() {
    let n = 0;
    for (let e = 0; e < this.edges; e++) {
      n += 2 + digits(this.etype[e]) + 1 + digits(this.ename[e]) + 1 + digits(this.to[e] * NODE_FIELDS);
    }
    return n;
  }
  writeNodes(sink, first) {
    for (let i = 0; i < this.nodes; i++) {
      if (first && i === 0) sink.byte(0x5b); else { sink.byte(10); sink.byte(0x2c); }
      sink.uint(this.type[i]); sink.byte(0x2c);
      sink.uint(this.name[i]); sink.byte(0x2c);
      sink.uint(2 * (this.base + i) + 1); sink.byte(0x2c);
      sink.uint(this.size[i]); sink.byte(0x2c);
      sink.uint(this.edgeCount[i]); sink.ascii(',0,0');
    }
  }
  writeEdges(sink, first) {
    for (let k = 0; k < this.edges; k++) {
      const e = this.order[k];
      if (first && k === 0) sink.byte(0x5b); else { sink.byte(10); sink.byte(0x2c); }
      sink.uint(this.etype[e]); sink.byte(0x2c);
      sink.uint(this.ename[e]); sink.byte(0x2c);
      sink.uint(this.to[e] * NODE_FIELDS);
    }
  }
}

// ------------------------------------------------------------------ the prelude

const SUBROOTS = ['(Internalized strings)', '(External strings)', '(Read-only roots)', '(Strong roots)', '(Smi roots)',
  '(Bootstrapper)', '(Stack roots)', '(Relocatable)', '(Debugger)', '(Compilation cache)', '(Handle scope)', '(Builtins)',
  '(Global handles)', '(Traced handles)', '(Eternal handles)', '(Thread manager)', '(Extensions)', '(Code flusher)',
  '(Startup object cache)', '(Read-only object cache)', '(Shareable object cache)', '(Weak collections)',
  '(Wrapper tracing)', '(Write barrier)', '(Retain maps)', '(Client heap)', '(Unknown)'];
const CLASS_STEMS = ['Order', 'Customer', 'Session', 'Invoice', 'Product', 'Cart', 'Account', 'Event', 'Message',
  'Request', 'Response', 'Token', 'Widget', 'Layout', 'Route', 'Cache', 'Entry', 'Record', 'Job', 'Task',
  'Stream', 'Socket', 'Timer', 'Node', 'Edge', 'Vertex', 'Matrix', 'Vector', 'Span', 'Metric'];
const CLASSES = 240;
const FIELD_NAMES = ['id', 'name', 'status', 'items', 'parent', 'children', 'value', 'next', 'prev', 'data', 'meta',
  'owner', 'created', 'updated', 'tags', 'options', 'handler', 'callback', 'cache', 'buffer', 'key', 'count',
  'total', 'price', 'label', 'title', 'url', 'path', 'headers', 'body', 'state', 'config', 'listeners', 'queue'];
const FUNCTIONS = ['handleRequest', 'onData', 'render', 'update', 'dispatch', 'resolve', 'reject', 'next',
  'listener', 'compute', 'format', 'parse', 'validate', 'serialize', 'onTimeout', 'retry', '', 'bound onClose'];
const POOLED = ['new', 'paid', 'shipped', 'delivered', 'cancelled', 'dark', 'light', 'en-US', 'de-DE', 'Ünïcødé ✓',
  'tab\tand "quotes"\n', 'GET', 'POST', 'application/json', 'utf-8', 'true', 'false', '', 'undefined', 'null'];
/** Field kinds of a class, by weight: how instances' fields are filled. */
const FIELD_KINDS = ['num', 'str', 'pooled', 'obj', 'arr', 'fn', 'ref', 'child'];
const FIELD_WEIGHTS = [14, 14, 12, 12, 8, 8, 6, 4];

/** Where everything fixed lives (node indices) and the class definitions. */
function layoutPrelude(strings, piece) {
  piece.reset(0);
  const s = (text) => strings.intern(text);
  const P = { root: piece.node(T.synthetic, s(''), 0), gcRoots: piece.node(T.synthetic, s('(GC roots)'), 0) };
  P.subroots = SUBROOTS.map((name) => piece.node(T.synthetic, s(name), 0));
  P.names = {
    map: s('map'), proto: s('__proto__'), prototype: s('prototype'), constructor: s('constructor'),
    elements: s('elements'), table: s('table'), shared: s('shared'), context: s('context'), previous: s('previous'),
    feedback: s('feedback_cell'), first: s('first'), second: s('second'), parent: s('parent'), next: s('next'),
    value: s('value'), target: s('target'), buffer: s('buffer'), backing: s('backing_store'), this: s('this'),
    child: s('child'), peer: s('peer'), global: s('global'), one: s('1'), ctorOrBack: s('constructor_or_back_pointer'),
    fields: FIELD_NAMES.map(s),
    stores: Array.from({ length: 64 }, (_, i) => s(`store${i}`)),
    registries: Array.from({ length: REGISTRIES }, (_, i) => s(`registry${i}`)),
  };
  const shape = (name) => piece.node(T['object shape'], s(name), 80);
  P.objectMap = shape('system / Map');
  P.arrayMap = shape('system / Map');
  P.closureMap = shape('system / Map');
  P.contextMap = shape('system / Map');
  P.numberMap = shape('system / Map');
  P.objectProto = piece.node(T.object, s('Object'), 24);
  P.arrayProto = piece.node(T.object, s('Array'), 32);
  P.scriptContext = piece.node(T.object, s('system / Context'), 16 + 8 * CLASSES);
  P.functionSfis = FUNCTIONS.map(() => piece.node(T.code, s('(shared function info)'), 56));
  P.functionNames = FUNCTIONS.map(s);
  P.pooled = POOLED.map((text) => piece.node(T.string, s(text), 16 + 8 * Math.ceil(Buffer.byteLength(text) / 8)));
  // Classes: name, instance size, fields; each with a map, a prototype, a constructor and its code.
  const rng = new Rng(hash32(0xc1a55e5));
  P.classes = [];
  for (let c = 0; c < CLASSES; c++) {
    const stem = CLASS_STEMS[c % CLASS_STEMS.length];
    const name = c < CLASS_STEMS.length ? stem : `${stem}${['Store', 'View', 'Item', 'Handler', 'State', 'Model', 'Ref'][c % 7]}${c}`;
    const fieldCount = c % 17 === 0 ? rng.between(12, 24) : rng.between(1, 8);
    const fields = Array.from({ length: fieldCount }, () => rng.weighted(FIELD_WEIGHTS));
    const cls = { name: s(name), fields, size: 24 + 8 * fieldCount, fieldNames: fields.map(() => rng.below(FIELD_NAMES.length)) };
    cls.map = shape('system / Map');
    cls.proto = piece.node(T.object, s('Object'), 24);
    cls.ctor = piece.node(T.closure, cls.name, 56);
    cls.sfi = piece.node(T.code, s('(shared function info)'), 56);
    P.classes.push(cls);
  }
  // Zipf-like weights: a few classes dominate, like a real heap.
  P.classWeights = P.classes.map((_, c) => Math.max(1, Math.floor(1000 / (c + 1))));
  P.listMap = shape('system / Map');
  P.listNodeName = s('ListNode');
  P.graphNodeName = s('GraphNode');
  P.names.classNames = {
    map: s('Map'), object: s('Object'), array: s('Array'), weakRef: s('WeakRef'), u8: s('Uint8Array'),
    arrayBuffer: s('ArrayBuffer'), elements: s('(object elements)'), table: s('system / OrderedHashMap'),
    context: s('system / Context'), feedback: s('system / FeedbackCell'), heapNumber: s('heap number'),
    backing: s('system / JSArrayBufferData'), native: s('Node / TCPWrap'), registry: s('Registry'),
  };
  return P;
}

/** The prelude's edges; `tail` knows the holders and the global object (laid out last). */
function preludeEdges(P, piece, tail) {
  const N = P.names;
  piece.edge(P.root, E.element, 1, P.gcRoots);
  piece.edge(P.root, E.shortcut, N.one, tail.global);
  P.subroots.forEach((sub, i) => piece.edge(P.gcRoots, E.element, i + 1, sub));
  const [internalized, , , strong] = P.subroots;
  P.pooled.forEach((str, i) => piece.edge(internalized, E.element, i, str));
  const handles = P.subroots[SUBROOTS.indexOf('(Global handles)')];
  for (let i = 0; i < 8; i++) piece.edge(handles, E.element, i, tail.holders[(i * 7919) % tail.holders.length]);
  piece.edge(P.subroots[SUBROOTS.indexOf('(Handle scope)')], E.element, 0, P.scriptContext);
  let k = 0;
  for (const m of [P.objectMap, P.arrayMap, P.closureMap, P.contextMap, P.numberMap]) piece.edge(strong, E.element, k++, m);
  for (const m of [P.objectMap, P.arrayMap, P.closureMap, P.contextMap, P.numberMap]) piece.edge(m, E.internal, N.proto, P.objectProto);
  piece.edge(P.objectProto, E.internal, N.map, P.objectMap);
  piece.edge(P.arrayProto, E.property, N.proto, P.objectProto);
  piece.edge(P.arrayProto, E.internal, N.map, P.arrayMap);
  P.classes.forEach((cls, c) => {
    piece.edge(P.scriptContext, E.context, cls.name, cls.ctor);
    piece.edge(cls.map, E.internal, N.prototype, cls.proto);
    piece.edge(cls.map, E.internal, N.ctorOrBack, cls.ctor);
    piece.edge(cls.proto, E.property, N.constructor, cls.ctor);
    piece.edge(cls.proto, E.property, N.proto, P.objectProto);
    piece.edge(cls.proto, E.internal, N.map, P.objectMap);
    piece.edge(cls.ctor, E.property, N.prototype, cls.proto);
    piece.edge(cls.ctor, E.internal, N.shared, cls.sfi);
    piece.edge(cls.ctor, E.internal, N.context, P.scriptContext);
    piece.edge(cls.ctor, E.internal, N.map, P.closureMap);
    piece.edge(strong, E.element, k++, cls.map);
    if (c % 50 === 49) piece.edge(cls.ctor, E.weak, N.next, P.classes[c - 1].ctor);
  });
  piece.edge(P.scriptContext, E.internal, N.map, P.contextMap);
  P.functionSfis.forEach((sfi, i) => piece.edge(P.subroots[SUBROOTS.indexOf('(Builtins)')], E.element, i, sfi));
}

// ------------------------------------------------------------------ units

const KINDS = ['instance', 'list', 'graph', 'map', 'strings', 'closure', 'typed', 'weak'];
const KIND_WEIGHTS = [40, 14, 8, 8, 10, 10, 3, 2];

/** Length of the chain run that starts block b (0: no chain in that block). */
function chainRun(b) {
  if (b === 0) return 32; // so that even a small file has one
  const h = hash32(0xb10c0000 + b);
  return h % 12 === 5 ? 16 + (h >>> 8) % (BLOCK - 16) : 0;
}

/** Whether unit k is a chain segment other than its run's first: such units are reached only through the chain. */
function isChainTail(k) {
  const pos = k % BLOCK;
  return pos > 0 && pos < chainRun(Math.floor(k / BLOCK));
}

/**
 * Builds unit k into `piece` at `base`. `recent` holds recent held heads (for
 * sharing); `strings` hands out unique values. The unit's first node is its head:
 * every other node of the unit is reachable from it.
 */
function buildUnit(k, base, piece, P, strings, recent) {
  const rng = new Rng(hash32(k));
  const N = P.names; const C = N.classNames;
  piece.reset(base);
  const pos = k % BLOCK;
  const run = chainRun(Math.floor(k / BLOCK));

  const freshString = () => {
    const { name, length } = strings.fresh();
    return piece.node(T.string, name, 16 + 8 * Math.ceil(length / 8));
  };
  const heapNumber = () => piece.node(T.number, C.heapNumber, 16);
  const recentHead = () => recent.length ? recent[rng.below(recent.length)] : P.pooled[0];
  const plainObject = () => {
    const o = piece.node(T.object, C.object, 24 + 8 * rng.between(1, 4));
    const props = rng.between(1, 3);
    for (let i = 0; i < props; i++) {
      const v = rng.below(3) === 0 ? freshString() : rng.below(2) ? heapNumber() : P.pooled[rng.below(P.pooled.length)];
      piece.edge(o, E.property, N.fields[rng.below(N.fields.length)], v);
    }
    piece.edge(o, E.property, N.proto, P.objectProto);
    piece.edge(o, E.internal, N.map, P.objectMap);
    return o;
  };
  const jsArray = (length, item) => {
    const a = piece.node(T.object, C.array, 32);
    const elements = piece.node(T.array, C.elements, 16 + 8 * length);
    piece.edge(a, E.internal, N.elements, elements);
    piece.edge(a, E.property, N.proto, P.arrayProto);
    piece.edge(a, E.internal, N.map, P.arrayMap);
    for (let i = 0; i < length; i++) piece.edge(elements, E.element, i, item(i));
    return a;
  };
  const closure = (vars, self) => {
    const f = rng.below(FUNCTIONS.length);
    const fn = piece.node(T.closure, P.functionNames[f], 32 + 24 * rng.below(2));
    const ctx = piece.node(T.object, C.context, 16 + 8 * vars);
    const cell = piece.node(T.code, C.feedback, 24);
    piece.edge(fn, E.internal, N.feedback, cell);
    piece.edge(fn, E.internal, N.shared, P.functionSfis[f]);
    piece.edge(fn, E.internal, N.context, ctx);
    piece.edge(fn, E.internal, N.map, P.closureMap);
    if (self !== undefined) piece.edge(ctx, E.context, N.this, self);
    for (let i = 0; i < vars; i++) {
      const v = rng.below(4) === 0 ? recentHead() : rng.below(2) ? plainObject() : freshString();
      piece.edge(ctx, E.context, N.fields[rng.below(N.fields.length)], v);
    }
    piece.edge(ctx, E.internal, N.previous, P.scriptContext);
    piece.edge(ctx, E.internal, N.map, P.contextMap);
    return fn;
  };
  const instance = (c, depth) => {
    const cls = P.classes[c];
    const o = piece.node(T.object, cls.name, cls.size);
    cls.fields.forEach((kind, i) => {
      const name = N.fields[cls.fieldNames[i]];
      let v;
      switch (FIELD_KINDS[kind]) {
        case 'num': v = heapNumber(); break;
        case 'str': v = freshString(); break;
        case 'pooled': v = P.pooled[rng.below(P.pooled.length)]; break;
        case 'obj': v = plainObject(); break;
        case 'arr': v = jsArray(rng.skewed(64), () => (rng.below(2) ? heapNumber() : freshString())); break;
        case 'fn': v = closure(rng.between(0, 3), o); break;
        case 'ref': v = recentHead(); break;
        default: v = depth < 2 ? instance(pickClass(rng, P), depth + 1) : heapNumber();
      }
      piece.edge(o, E.property, name, v);
    });
    piece.edge(o, E.property, N.proto, cls.proto);
    piece.edge(o, E.internal, N.map, cls.map);
    return o;
  };

  if (pos < run) {
    // A segment of a long linked list; its last node links to the next unit's head.
    const length = rng.between(50, 250);
    let prev = -1;
    for (let i = 0; i < length; i++) {
      const n = piece.node(T.object, P.listNodeName, 32);
      if (prev >= 0) piece.edge(prev, E.property, N.next, n);
      piece.edge(n, E.internal, N.map, P.listMap);
      if (i % 8 === 0) piece.edge(n, E.property, N.value, rng.below(2) ? heapNumber() : freshString());
      prev = n;
    }
    if (pos + 1 < run) {
      const end = piece.base + piece.nodes;
      piece.edge(prev, E.property, N.next, end); // the next unit's head: laid out right after this unit
    }
    return piece.finish();
  }
  switch (KINDS[rng.weighted(KIND_WEIGHTS)]) {
    case 'instance': instance(pickClass(rng, P), 0); break;
    case 'list': {
      const c = pickClass(rng, P);
      jsArray(rng.skewed(2000), () => (rng.below(4) ? instance(c, 2) : plainObject()));
      break;
    }
    case 'graph': {
      // A random object graph: a spanning tree plus cross links, so dominators
      // inside it differ from the tree's parents.
      const n = rng.between(8, 200);
      const first = piece.node(T.object, P.graphNodeName, 40);
      for (let i = 1; i < n; i++) {
        const node = piece.node(T.object, P.graphNodeName, 40);
        piece.edge(first + rng.below(i), E.property, N.child, node);
      }
      for (let i = 0; i < n; i++) {
        if (rng.below(3) === 0) piece.edge(first + i, E.property, N.peer, first + rng.below(n));
        piece.edge(first + i, E.internal, N.map, P.objectMap);
      }
      break;
    }
    case 'map': {
      const m = piece.node(T.object, C.map, 32);
      const entries = rng.skewed(500);
      const table = piece.node(T.array, C.table, 16 + 24 * entries);
      piece.edge(m, E.internal, N.table, table);
      piece.edge(m, E.internal, N.map, P.objectMap);
      for (let i = 0; i < entries; i++) {
        piece.edge(table, E.internal, N.fields[i % N.fields.length], freshString());
        piece.edge(table, E.internal, N.value, rng.below(3) ? plainObject() : recentHead());
      }
      break;
    }
    case 'strings': {
      const cons = (depth) => {
        if (depth === 0 || rng.below(3) === 0) return freshString();
        const s = piece.node(T['concatenated string'], strings.fresh().name, 32);
        piece.edge(s, E.internal, N.first, cons(depth - 1));
        piece.edge(s, E.internal, N.second, cons(depth - 1));
        return s;
      };
      const top = cons(4);
      if (rng.below(2)) {
        const sliced = piece.node(T['sliced string'], strings.fresh().name, 32);
        piece.edge(top, E.internal, N.child, sliced);
        piece.edge(sliced, E.internal, N.parent, top);
      }
      break;
    }
    case 'closure': closure(rng.between(1, 6)); break;
    case 'typed': {
      const view = piece.node(T.object, C.u8, 64);
      const buffer = piece.node(T.object, C.arrayBuffer, 80);
      const store = piece.node(T.native, C.backing, 1024 * rng.skewed(1024));
      piece.edge(view, E.internal, N.buffer, buffer);
      piece.edge(view, E.internal, N.map, P.objectMap);
      piece.edge(buffer, E.internal, N.backing, store);
      break;
    }
    default: {
      const ref = piece.node(T.object, C.weakRef, 24);
      const wrap = piece.node(T.native, C.native, 16 * rng.skewed(4096));
      piece.edge(ref, E.weak, N.target, recentHead());
      piece.edge(ref, E.property, N.value, wrap);
      piece.edge(ref, E.internal, N.map, P.objectMap);
    }
  }
  return piece.finish();
}

function pickClass(rng, P) {
  return rng.weighted(P.classWeights);
}

/** The holder of a group: a JS array whose elements are the group's held heads. */
function buildHolder(base, heads, piece, P) {
  const C = P.names.classNames; const N = P.names;
  piece.reset(base);
  const elements = piece.node(T.array, C.elements, 16 + 8 * heads.length);
  const array = piece.node(T.object, C.array, 32);
  heads.forEach((head, i) => piece.edge(elements, E.element, i, head));
  piece.edge(array, E.internal, N.elements, elements);
  piece.edge(array, E.property, N.proto, P.arrayProto);
  piece.edge(array, E.internal, N.map, P.arrayMap);
  return piece.finish();
}

/** After the last group: the registries (each holds every REGISTRIES-th holder) and the global object. */
function buildTail(base, holders, piece, P) {
  const C = P.names.classNames; const N = P.names;
  piece.reset(base);
  const registries = Array.from({ length: REGISTRIES }, () => piece.node(T.object, C.registry, 24 + 8 * Math.ceil(holders.length / REGISTRIES)));
  const global = piece.node(T.object, N.global, 40);
  holders.forEach((h, i) => piece.edge(registries[i % REGISTRIES], E.property, N.stores[(i / REGISTRIES | 0) % 64], h));
  registries.forEach((r, i) => piece.edge(global, E.property, N.registries[i], r));
  P.classes.forEach((cls) => piece.edge(global, E.property, cls.name, cls.ctor));
  piece.edge(global, E.property, N.proto, P.objectProto);
  piece.edge(global, E.internal, N.map, P.objectMap);
  return { piece: piece.finish(), global };
}

// ------------------------------------------------------------------ passes

/**
 * Walks the whole heap in file order, calling visit(piece) for the prelude, every
 * unit, every holder and the tail. With `units` unknown (the plan pass) it stops
 * adding units once `enough(bytesSoFar)` says so. Returns what later passes need.
 */
function walk(P, strings, prelude, { units = Infinity, visit, enough = () => false }) {
  const piece = new Piece();
  const holderPiece = new Piece();
  const recent = [];
  const holders = [];
  let heads = [];
  let next = prelude.nodes;
  let k = 0;
  visit(prelude);
  const closeGroup = () => {
    visit(buildHolder(next, heads, holderPiece, P));
    holders.push(next + 1);
    next += holderPiece.nodes;
    heads = [];
  };
  for (; k < units; k++) {
    if (k % GROUP === 0 && k > 0) closeGroup();
    // Never stop inside a chain run: its last segment links to the next unit.
    if (units === Infinity && !isChainTail(k) && enough()) break;
    buildUnit(k, next, piece, P, strings, recent);
    if (!isChainTail(k)) {
      heads.push(next);
      recent.push(next);
      if (recent.length > RING) recent.shift();
    }
    next += piece.nodes;
    visit(piece);
  }
  if (heads.length) closeGroup();
  const built = buildTail(next, holders, holderPiece, P);
  visit(built.piece);
  return { units: k, holders, global: built.global, nodeCount: next + built.piece.nodes };
}

// ------------------------------------------------------------------ main

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)[bB]?$/.exec(text ?? '');
  if (!m) return NaN;
  return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase()]);
}

function main() {
  const size = parseSize(process.argv[2]);
  const out = process.argv[3];
  if (!(size > 0) || !out) {
    console.error('usage: node scripts/make-synthetic-snapshot.mjs SIZE OUT   (SIZE like 50M, 1G, 4.6G or bytes)');
    process.exit(2);
  }
  const started = Date.now();
  const strings = new Strings();
  const prelude = new Piece();
  const P = layoutPrelude(strings, prelude);
  const headerFor = (nodeCount, edgeCount) => `{"snapshot":{"meta":${JSON.stringify(META)},`
    + `"node_count":${nodeCount},"edge_count":${edgeCount},"trace_function_count":0},\n"nodes":`;
  const trailer = '],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],\n"strings":[';

  // Pass 1: lay the heap out, counting nodes, edges and bytes, and decide where to stop.
  let nodeBytes = 0; let edgeBytes = 0; let edgeCount = 0;
  const fixedBytes = headerFor(1e9, 1e10).length + trailer.length + 16 + strings.poolBytes();
  const planned = walk(P, strings, prelude, {
    // The prelude's edges need the tail's indices: they are added after this pass (a few KB).
    visit: (piece) => {
      nodeBytes += piece.nodeBytes();
      edgeBytes += piece.edgeBytes();
      edgeCount += piece.edges;
    },
    enough: () => fixedBytes + nodeBytes + edgeBytes + strings.generatedBytes >= size,
  });
  const tail = { holders: planned.holders, global: planned.global };
  preludeEdges(P, prelude, tail);
  prelude.finish();
  edgeCount += prelude.edges;
  const generated = strings.generated;

  const fd = openSync(out, 'w');
  const sink = new Sink(fd);
  sink.ascii(headerFor(planned.nodeCount, edgeCount));
  // Pass 2: nodes.
  strings.generated = 0;
  let first = true;
  walk(P, strings, prelude, { units: planned.units, visit: (piece) => { piece.writeNodes(sink, first); first = false; } });
  sink.ascii('],\n"edges":');
  // Pass 3: edges (the same units again, rebuilt from their seeds).
  strings.generated = 0;
  first = true;
  let written = 0;
  walk(P, strings, prelude, {
    units: planned.units,
    visit: (piece) => {
      if (!piece.edges) return;
      piece.writeEdges(sink, first); first = false; written += piece.edges;
    },
  });
  if (written !== edgeCount || strings.generated !== generated) {
    throw new Error(`internal: passes disagree (${written} vs ${edgeCount} edges, ${strings.generated} vs ${generated} strings)`);
  }
  // The strings table: the pool, then every generated value.
  sink.ascii(trailer);
  strings.pool.forEach((text, i) => sink.ascii((i ? ',\n' : '') + JSON.stringify(text)));
  for (let j = 0; j < generated; j++) {
    sink.ascii(',\n"');
    writeGenerated(sink, j);
    sink.byte(0x22);
  }
  sink.ascii(']}\n');
  sink.flush();
  closeSync(fd);
  const secs = (Date.now() - started) / 1000;
  console.error(`[synthetic] ${out}: ${sink.written} bytes, ${planned.nodeCount} nodes, ${edgeCount} edges, `
    + `${strings.pool.length + generated} strings, ${planned.units} units, ${secs.toFixed(1)} s`);
}

main();
