#!/usr/bin/env node
// Benchmark-input generator: builds a realistic, deterministic mixed heap (class
// instances with back-references, plain objects of a few shapes, arrays, Maps,
// Sets, closures, cons / long strings, typed arrays) sized so that the written
// .heapsnapshot is about TARGET_MB megabytes (±15%, aims for ±5%), then writes it
// with v8.writeHeapSnapshot and prints the final size.
//
// Usage: node scripts/make-big-snapshot.cjs TARGET_MB OUTFILE
//   e.g. node scripts/make-big-snapshot.cjs 250 /tmp/heaplens-bench/big250.heapsnapshot
// It re-spawns itself with --expose-gc and a big enough --max-old-space-size.
// How: snapshot at 0 units and at a calibration size, extrapolate bytes/unit,
// build to the target, write, and correct (grow or trim, rewrite) if off by >5%.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const { spawnSync } = require('node:child_process');

const MB = 1000 * 1000; // "megabytes" = 10^6 bytes (what `ls -l --si` shows)

function usage() {
  console.error('usage: node scripts/make-big-snapshot.cjs TARGET_MB OUTFILE');
  process.exit(2);
}

const targetMb = Number(process.argv[2]);
const outFile = process.argv[3];
if (!(targetMb > 0) || !outFile) usage();

// ---------------------------------------------------------------- re-spawn
if (process.env.HEAPLENS_BIG_SNAPSHOT_CHILD !== '1') {
  // JS heap needed is roughly 1.5x the snapshot size at most; leave headroom.
  const heapMb = Math.max(4096, Math.ceil(targetMb * 4 + 2048));
  const r = spawnSync(process.execPath,
    ['--expose-gc', `--max-old-space-size=${heapMb}`, __filename, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, HEAPLENS_BIG_SNAPSHOT_CHILD: '1' } });
  if (r.error) throw r.error;
  process.exit(r.status === null ? 1 : r.status);
}

// ---------------------------------------------------------------- heap builder
const gc = typeof global.gc === 'function' ? global.gc : require('node:vm').runInNewContext('gc');

let seed = 0x9e3779b9;
function rnd() {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
}
function word(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(97 + Math.floor(rnd() * 26));
  return s.split('').join(''); // flat sequential string
}

const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned', 'cancelled'];
const THEMES = ['dark', 'light', 'solarized', 'contrast'];
const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'ja-JP', 'pt-BR', 'Ünïcødé'];
const CATEGORIES = [];
for (let i = 0; i < 40; i++) CATEGORIES.push('category-' + word(6));
// Shared catalogue: product descriptors referenced from many line items.
const CATALOGUE = [];
for (let i = 0; i < 2000; i++) {
  CATALOGUE.push({ sku: 'SKU-' + i, title: word(12), category: CATEGORIES[i % CATEGORIES.length] });
}

class Account {
  constructor(id, name, email) {
    this.id = id;
    this.name = name;
    this.email = email;
    this.orders = [];
    this.settings = { theme: THEMES[0], locale: LOCALES[0] };
    this.tags = new Set();
    this.onChange = null;
  }
}
class Order {
  constructor(id, account) {
    this.id = id;
    this.account = account; // back-reference: cycle Account <-> Order
    this.status = STATUSES[0];
    this.lines = [];
    this.note = null;
  }
}
class LineItem {
  constructor(product, qty, price) {
    this.product = product;
    this.qty = qty;
    this.price = price;
    this.label = null;
  }
}
class AuditEvent {
  constructor(kind, payload) {
    this.kind = kind;
    this.payload = payload;
  }
}

const app = {
  units: [], // one bundle per unit; trimming = truncating this array + index
  byId: new Map(),
  events: [],
};
global.heaplensBigApp = app;

function makeUnit(i) {
  const name = word(8);
  const acct = new Account('acct-' + i, name, name + '.' + i + '@example.com'); // email is a cons string
  acct.settings = { theme: THEMES[i % THEMES.length], locale: LOCALES[i % LOCALES.length] };
  acct.tags.add(CATEGORIES[i % CATEGORIES.length]);
  acct.tags.add('tier-' + (i % 5));
  acct.onChange = function onChange(ev) { // closure capturing the account
    return acct.name + ':' + ev;
  };
  const nOrders = 1 + (i % 3);
  for (let o = 0; o < nOrders; o++) {
    const order = new Order('ord-' + i + '-' + o, acct);
    order.status = STATUSES[(i + o) % STATUSES.length];
    const nLines = 1 + ((i * 7 + o) % 4);
    for (let l = 0; l < nLines; l++) {
      const item = new LineItem(CATALOGUE[(i * 13 + l * 31) % CATALOGUE.length], l + 1, 9.99 + l);
      item.label = { text: word(6), lang: LOCALES[l % LOCALES.length] };
      order.lines.push(item);
    }
    if (o === 0) order.note = 'order note ' + word(20);
    acct.orders.push(order);
  }
  const unit = { account: acct, meta: null, blob: null, samples: null, history: [] };
  if (i % 4 === 0) {
    unit.meta = new Map([['created', 'ts-' + i], ['source', word(5)], ['ref', acct.orders[0]]]);
  }
  if (i % 20 === 0) unit.samples = new Float64Array(64).fill(i);
  if (i % 50 === 0) unit.blob = word(1500); // long string (> 1024 chars)
  for (let h = 0; h < 3; h++) unit.history.push([h, 'h' + (i % 100), acct.orders[0].id]);
  if (i % 10 === 0) app.events.push(new AuditEvent('signup', { account: acct, at: 'ts-' + i }));
  return unit;
}

let built = 0;
function growTo(n) {
  while (built < n) {
    const unit = makeUnit(built++);
    app.units.push(unit);
    app.byId.set(unit.account.id, unit);
  }
}
function trimTo(n) {
  while (built > n) {
    const unit = app.units.pop();
    app.byId.delete(unit.account.id);
    built--;
  }
  const keepEvents = Math.ceil(n / 10);
  if (app.events.length > keepEvents) app.events.length = keepEvents;
}

function writeSnapshot(file) {
  gc();
  const t = Date.now();
  v8.writeHeapSnapshot(file);
  fs.chmodSync(file, 0o644); // V8 creates it 0600
  const size = fs.statSync(file).size;
  return { size, ms: Date.now() - t };
}

// ---------------------------------------------------------------- main
function main() {
  const t0 = Date.now();
  const target = targetMb * MB;
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = outFile + '.calibration.tmp';
  const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

  // Calibrate: baseline (0 units) and ~8% of the target (capped at 80 MB).
  const base = writeSnapshot(tmp).size;
  let perUnit = 3000; // first guess, bytes of snapshot per unit
  const calibBytes = Math.min(80 * MB, Math.max(4 * MB, (target - base) * 0.08));
  const calibUnits = Math.max(1000, Math.round(calibBytes / perUnit));
  growTo(calibUnits);
  const calib = writeSnapshot(tmp).size;
  perUnit = (calib - base) / calibUnits;
  log(`calibration: base ${(base / MB).toFixed(1)} MB, ${calibUnits} units -> ${(calib / MB).toFixed(1)} MB (${perUnit.toFixed(0)} B/unit)`);
  fs.rmSync(tmp, { force: true });

  // Bytes per unit grow slightly with scale (more digits in ids / indexes): +3%.
  let units = Math.max(1, Math.round((target - base) / (perUnit * 1.03)));
  let size = 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (units > built) growTo(units); else trimTo(units);
    log(`building ${units} units, writing snapshot…`);
    const r = writeSnapshot(outFile);
    size = r.size;
    log(`wrote ${(size / MB).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s (${units} units)`);
    if (Math.abs(size - target) <= target * 0.05) break;
    perUnit = (size - base) / units;
    units = Math.max(1, Math.round((target - base) / perUnit));
  }
  const ok = Math.abs(size - target) <= target * 0.15;
  console.log(`${outFile}: ${size} bytes (${(size / MB).toFixed(1)} MB, target ${targetMb} MB, ` +
    `${((size / target - 1) * 100).toFixed(1)}%), total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!ok) {
    console.error('size is outside ±15% of the target');
    process.exit(1);
  }
}

main();
