// Benchmark of the page itself: opens one snapshot in headless Chromium through the
// real file input (served from www/ by python's http.server on a free 127.0.0.1
// port; server and browser start as in the browser tests, tests/e2e/helpers.mjs) and
// prints wall time, MB/s and the tab's peak memory in the same shape as `heaplens bench`.
//
//   node scripts/bench-browser.mjs [FILE] [--runs N] [--workers 1|2] [--wasm 32|64]
//
// FILE defaults to /tmp/heaplens-bench/big250.heapsnapshot (generated with
// scripts/make-big-snapshot.cjs when missing). Each run uses a fresh browser so the
// renderer's high-water mark belongs to that run only.
//
// Time: from setInputFiles() to the snapshot's list item getting data-status="ready"
// (the worker's wasm start-up and warm-up for files > 20 MB included); stage times come
// from the worker's 'stage' messages, seen by a listener added to each Worker (as the
// worker names them: its warm-up may overlap the reading); "all bytes read" is its
// last progress message. "summary shown" is when the Summary table's first
// row is on screen.
// Memory: every 50 ms, /proc/<pid>/status (VmHWM, VmRSS) of every descendant of this
// process (Chromium's browser, zygotes, renderers, utilities). The page and its
// dedicated workers (so the wasm memory) live in the renderer process (command line
// has --type=renderer): "peak memory" is the largest renderer VmHWM. "all processes"
// is the largest sampled sum of VmRSS over all Chromium processes.
// Readers: on four cores or more the worker reads a plain file of 32 MB or more with a second worker
// (www/edges-worker.js, the `edges` section); "workers used" is what it chose.
// --workers 1 or 2 forces one or the other (the page's Worker is given
// ?two-workers-above=… on its URL), to compare both on one file in one sitting.
// --wasm 32 or 64 forces the core's build (the page's ?wasm=; by default the
// worker picks wasm64 for files over ~2.5 GB).
// Needs tests/node_modules (playwright-core) and a built page (scripts/build.sh).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { repo, chromium, startServer, launchBrowser } from '../tests/e2e/helpers.mjs';

const TIMEOUT_MS = 60 * 60 * 1000;
const SAMPLE_MS = 50;
const now = () => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------ arguments

function usage(message) {
  if (message) process.stderr.write(`bench-browser: ${message}\n`);
  process.stderr.write('usage: node scripts/bench-browser.mjs [FILE] [--runs N] [--workers 1|2] [--wasm 32|64]\n');
  process.exit(2);
}

let file = null;
let runs = 1;
let workers = null;
let wasm = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--runs') {
    runs = Number(argv[++i]);
    if (!Number.isInteger(runs) || runs < 1) usage('--runs needs a positive integer');
  } else if (arg.startsWith('--runs=')) {
    runs = Number(arg.slice(7));
    if (!Number.isInteger(runs) || runs < 1) usage('--runs needs a positive integer');
  } else if (arg === '--workers' || arg.startsWith('--workers=')) {
    workers = Number(arg === '--workers' ? argv[++i] : arg.slice(10));
    if (workers !== 1 && workers !== 2) usage('--workers needs 1 or 2');
  } else if (arg === '--wasm' || arg.startsWith('--wasm=')) {
    wasm = arg === '--wasm' ? argv[++i] : arg.slice(7);
    if (wasm !== '32' && wasm !== '64') usage('--wasm needs 32 or 64');
  } else if (arg === '-h' || arg === '--help') usage();
  else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
  else if (file === null) file = arg;
  else usage('only one FILE');
}
if (file === null) {
  file = join(tmpdir(), 'heaplens-bench', 'big250.heapsnapshot');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    process.stderr.write(`[bench-browser] generating ${file} with node (about 20 s)\n`);
    execFileSync(process.execPath, [join(repo, 'scripts', 'make-big-snapshot.cjs'), '250', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}
file = resolve(file);
if (!existsSync(file)) usage(`${file}: no such file`);
const bytes = statSync(file).size;

if (!existsSync(join(repo, 'www', 'pkg', 'heaplens_bg.wasm'))) {
  process.stderr.write('bench-browser: www/pkg is missing: run scripts/build.sh first\n');
  process.exit(1);
}
try {
  chromium();
} catch (error) {
  process.stderr.write(`bench-browser: ${error.message}\n`);
  process.exit(1);
}

// ------------------------------------------------------------------ /proc sampling

function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** pid → ppid for every process we can see. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces and parentheses: the fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), Number(rest[1]));
    } catch { /* exited meanwhile */ }
  }
  return table;
}

function descendantsOf(root, skip) {
  const table = processTable();
  const children = new Map();
  for (const [pid, ppid] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift();
    if (skip.has(pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function statusKb(text, key) {
  const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples every Chromium process under this one; keeps per-process peaks. */
class MemorySampler {
  constructor(skip) {
    this.skip = skip;
    this.procs = new Map(); // pid → { type, hwm, rss }
    this.peakTotalRss = 0;
    this.timer = null;
  }

  sample() {
    let total = 0;
    for (const pid of descendantsOf(process.pid, this.skip)) {
      let status;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch { continue; }
      let proc = this.procs.get(pid);
      if (!proc) {
        proc = { type: 'other', hwm: 0, rss: 0 };
        this.procs.set(pid, proc);
      }
      // A zygote's fork shows the zygote's command line until it renames itself
      // (--type=renderer), so look again until it says renderer.
      if (proc.type !== 'renderer') {
        let cmdline = '';
        try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { /* gone */ }
        proc.type = cmdline.match(/--type=([\w-]+)/)?.[1] ?? (/chrom/i.test(cmdline) ? 'browser' : 'other');
      }
      const hwm = statusKb(status, 'VmHWM');
      const rss = statusKb(status, 'VmRSS');
      proc.hwm = Math.max(proc.hwm, hwm);
      if (rss > proc.rss) { proc.rss = rss; proc.rssAt = now(); }
      proc.last = rss;
      if (proc.type !== 'other') total += rss;
    }
    this.peakTotalRss = Math.max(this.peakTotalRss, total);
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
  }

  renderers() {
    return [...this.procs.values()].filter((p) => p.type === 'renderer');
  }
}

// ------------------------------------------------------------------ one run

async function runOnce(server, tmp) {
  const loadBefore = loadAverage();
  const sampler = new MemorySampler(new Set([server.pid]));
  sampler.start();
  const browser = await launchBrowser({ env: { ...process.env, TMPDIR: tmp } });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const events = [];
    let settle;
    const settled = new Promise((ok) => { settle = ok; });
    // Events carry the page's own epoch-ms timestamp (node's clock is the same one).
    await page.exposeFunction('__benchEvent', (kind, text, at) => {
      events.push({ kind, text, t: at ?? now() });
      if (kind === 'summary' || kind === 'error') settle();
    });
    // Stage times straight from the worker's messages (the list item's label shows byte
    // counts until reading is done): observe them without changing the page.
    await page.addInitScript((twoWorkersAbove) => {
      const Base = window.Worker;
      window.Worker = class extends Base {
        constructor(url, ...rest) {
          const forced = new URL(url, location.href);
          if (twoWorkersAbove !== null) forced.searchParams.set('two-workers-above', twoWorkersAbove);
          super(forced, ...rest);
          this.addEventListener('message', ({ data }) => {
            const at = performance.timeOrigin + performance.now();
            if (data?.type === 'stage') window.__benchEvent('stage', String(data.stage), at);
            else if (data?.type === 'readers') window.__benchEvent('readers', JSON.stringify(data), at);
            else if (data?.type === 'progress' && data.total && data.bytes >= data.total && !this.benchRead) {
              this.benchRead = true;
              window.__benchEvent('read', '', at);
            }
          });
        }
      };
    }, workers === null ? null : workers === 1 ? String(2 ** 53) : '0');
    await page.goto(`${server.origin}/index.html${wasm ? `?wasm=${wasm}` : ''}`);
    await page.locator('[data-testid="file-input"]').waitFor({ state: 'attached' });
    // Report the item's final status and the first Summary row.
    await page.evaluate(() => {
      let status = '';
      let summary = false;
      const observer = new MutationObserver(() => {
        const at = performance.timeOrigin + performance.now();
        const item = document.querySelector('[data-testid="snapshot-item"]');
        if (!item) return;
        const s = item.dataset.status;
        if (s !== status) {
          status = s;
          if (s === 'ready') {
            const nodes = item.querySelector('[data-testid="snapshot-nodes"]')?.dataset.nodes ?? '';
            window.__benchEvent('ready', nodes, at);
          } else if (s === 'error') {
            window.__benchEvent('error', item.querySelector('[data-testid="snapshot-error"]')?.textContent ?? '(no message)', at);
          }
        }
        if (!summary && status === 'ready' && document.querySelector('[data-testid="class-name"]')) {
          summary = true;
          window.__benchEvent('summary', String(document.querySelectorAll('[data-testid="class-name"]').length), at);
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-status'] });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    sampler.sample();
    const baseline = new Map([...sampler.procs].map(([pid, p]) => [pid, p.rss]));
    const start = now();
    await page.locator('[data-testid="file-input"]').setInputFiles(file);
    let timedOut = false;
    await Promise.race([
      settled,
      new Promise((ok) => setTimeout(() => { timedOut = true; ok(); }, TIMEOUT_MS)),
      new Promise((ok) => page.once('crash', () => { events.push({ kind: 'error', text: 'the renderer crashed (page "crash" event)', t: now() }); ok(); })),
    ]);
    sampler.sample();
    const atEnd = new Map([...sampler.procs].map(([pid, p]) => [pid, p.last]));
    // The high-water mark of the load itself (the searches below may raise it).
    const hwmAtEnd = new Map([...sampler.procs].map(([pid, p]) => [pid, p.hwm]));
    let jsHeap = null;
    try {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
      jsHeap = { used: m.JSHeapUsedSize, total: m.JSHeapTotalSize };
    } catch { /* crashed */ }
    const search = events.some((e) => e.kind === 'ready') ? await timeSearches(page) : [];
    sampler.stop();
    const loadAfter = loadAverage();

    const ready = events.find((e) => e.kind === 'ready');
    const error = events.find((e) => e.kind === 'error');
    const summary = events.find((e) => e.kind === 'summary');
    const read = events.find((e) => e.kind === 'read');
    const readers = events.filter((e) => e.kind === 'readers').map((e) => ({ ...JSON.parse(e.text), t: e.t }));
    const stages = [];
    const stageEvents = events.filter((e) => e.kind === 'stage');
    const end = ready ?? error;
    for (let i = 0; i < stageEvents.length; i++) {
      const next = stageEvents[i + 1]?.t ?? end?.t ?? now();
      stages.push({ name: stageEvents[i].text, secs: (next - stageEvents[i].t) / 1000 });
    }
    const renderers = sampler.renderers();
    const page_ = renderers.reduce((a, b) => (b.hwm > (a?.hwm ?? -1) ? b : a), null);
    const pagePid = [...sampler.procs].find(([, p]) => p === page_)?.[0];
    const types = {};
    for (const p of sampler.procs.values()) types[p.type] = (types[p.type] ?? 0) + 1;
    const procs = [...sampler.procs.values()].filter((p) => p.type !== 'other');
    return {
      ok: Boolean(ready),
      error: error?.text ?? (timedOut ? `timed out after ${TIMEOUT_MS / 1000} s` : ready ? null : 'no result'),
      pageErrors,
      nodes: ready?.text ? Number(ready.text) : null,
      firstStage: stageEvents[0] ? (stageEvents[0].t - start) / 1000 : null,
      stages,
      total: end ? (end.t - start) / 1000 : null,
      summary: summary ? (summary.t - start) / 1000 : null,
      read: read ? (read.t - start) / 1000 : null,
      workers: readers[0]?.count ?? null,
      edgesSecs: readers.find((r) => r.edgesSecs !== undefined)?.edgesSecs ?? null,
      edgesAt: readers.find((r) => r.edgesSecs !== undefined) ? (readers.find((r) => r.edgesSecs !== undefined).t - start) / 1000 : null,
      rendererHwm: page_?.hwm ?? 0,
      rendererBaseline: baseline.get(pagePid) ?? 0,
      rendererHwmAtReady: hwmAtEnd.get(pagePid) ?? 0,
      rendererAtEnd: atEnd.get(pagePid) ?? 0,
      rendererPeakStage: stageAt(stageEvents, page_?.rssAt, end?.t),
      types,
      rendererRss: Math.max(0, ...renderers.map((p) => p.rss)),
      rendererCount: renderers.length,
      rendererHwms: renderers.map((p) => p.hwm).sort((a, b) => b - a),
      processCount: procs.length,
      totalRss: sampler.peakTotalRss,
      jsHeap,
      search,
      loadBefore,
      loadAfter,
    };
  } finally {
    sampler.stop();
    await browser.close().catch(() => {});
    // Let the last run's processes exit so they are not sampled with the next run's.
    for (let i = 0; i < 100 && descendantsOf(process.pid, new Set([server.pid])).length; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Words searched for once the file is open: a common one and a rare one. */
const SEARCHES = ['Obj', 'zzqx'];

/**
 * Seconds from Enter in the search box to its results (or "no match") on screen, for
 * each of SEARCHES twice: the first search builds the index.
 */
async function timeSearches(page) {
  const input = page.locator('[data-testid="search-input"]');
  const out = [];
  for (const round of ['first', 'again']) {
    for (const text of SEARCHES) {
      await input.fill(text);
      const start = now();
      await input.press('Enter');
      await page.locator('[data-testid="search-result"], [data-testid="search-empty"]').first().waitFor({ timeout: 600000 });
      out.push({ text, round, secs: (now() - start) / 1000 });
      await input.fill('');
      await page.keyboard.press('Escape');
    }
  }
  return out;
}

/** The stage running at time t (epoch ms). */
function stageAt(stageEvents, t, endT) {
  if (t === undefined) return '?';
  if (endT !== undefined && t >= endT) return 'after load';
  let name = 'before the worker started';
  for (const e of stageEvents) if (e.t <= t) name = e.text;
  return name;
}

// ------------------------------------------------------------------ output

const mb = (n) => (n / 1e6).toFixed(1);

function report(r, label) {
  console.log(`file           ${file}${label ? `  (${label})` : ''}`);
  console.log(`size           ${mb(bytes)} MB`);
  if (r.nodes !== null) console.log(`graph          ${r.nodes} nodes`);
  if (r.firstStage !== null) console.log(`  ${'(input → worker message)'.padEnd(28)} ${r.firstStage.toFixed(3).padStart(7)} s`);
  for (const s of r.stages) console.log(`  ${s.name.padEnd(28)} ${s.secs.toFixed(3).padStart(7)} s`);
  if (wasm) console.log(`core build     wasm${wasm} (forced with ?wasm=${wasm})`);
  if (r.workers !== null) console.log(`workers used   ${r.workers}${r.edgesSecs !== null ? `  (edges-worker.js: edges parsed in ${r.edgesSecs.toFixed(3)} s, handed over at ${r.edgesAt.toFixed(3)} s)` : ''}`);
  if (r.read !== null) console.log(`all bytes read ${r.read.toFixed(3)} s  (${(bytes / 1e6 / r.read).toFixed(1)} MB/s; stages overlap it)`);
  if (!r.ok) console.log(`FAILED         ${r.error}`);
  for (const e of r.pageErrors) console.log(`page error     ${e}`);
  if (r.total !== null) console.log(`${r.ok ? 'open total    ' : 'failed after  '} ${r.total.toFixed(3)} s`);
  if (r.ok) console.log(`throughput     ${(bytes / 1e6 / r.total).toFixed(1)} MB/s`);
  if (r.summary !== null) console.log(`summary shown  ${r.summary.toFixed(3)} s`);
  for (const q of r.search ?? []) console.log(`search ${JSON.stringify(q.text).padEnd(7)} ${q.round.padEnd(6)} ${(q.secs * 1000).toFixed(0)} ms`);
  console.log(`peak memory    ${mb(r.rendererHwm)} MB (${(r.rendererHwm / bytes).toFixed(2)} x file)  renderer VmHWM (renderers: ${r.rendererHwms.map(mb).join(', ')} MB)`);
  const above = r.rendererHwmAtReady - r.rendererBaseline;
  console.log(`tab peak       ${mb(above)} MB above the empty tab (${(above / bytes).toFixed(2)} x file): renderer VmHWM when ${r.ok ? 'ready' : 'failed'} (before the searches) − its VmRSS before setInputFiles`);
  console.log(`renderer RSS   ${mb(r.rendererRss)} MB  largest sampled VmRSS; ${mb(r.rendererBaseline)} MB before setInputFiles, ${mb(r.rendererAtEnd)} MB when ${r.ok ? 'ready' : 'failed'}; peak sampled during "${r.rendererPeakStage}"`);
  console.log(`all processes  ${mb(r.totalRss)} MB  largest sampled sum of VmRSS over ${r.processCount} Chromium processes (${Object.entries(r.types).map(([k, v]) => `${v} ${k}`).join(', ')}; shared pages counted twice)`);
  if (r.jsHeap) console.log(`page JS heap   ${mb(r.jsHeap.used)} MB used of ${mb(r.jsHeap.total)} MB  (main thread, after load)`);
  console.log(`load average   ${r.loadBefore} before, ${r.loadAfter} after`);
}

function median(values) {
  const v = values.filter((x) => x !== null).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

const server = await startServer();
const tmp = mkdtempSync(join(tmpdir(), 'heaplens-bench-browser-'));
const results = [];
let exitCode = 0;
try {
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(server, tmp);
    results.push(r);
    if (i > 0) console.log('');
    report(r, runs > 1 ? `run ${i + 1} of ${runs}` : '');
    if (!r.ok) exitCode = 1;
  }
  if (runs > 1) {
    const good = results.filter((r) => r.ok);
    console.log('');
    console.log(`median of ${good.length} successful run${good.length === 1 ? '' : 's'} (of ${runs}) — ${basename(file)}`);
    if (good.length) {
      const total = median(good.map((r) => r.total));
      const hwm = median(good.map((r) => r.rendererHwm));
      const above = median(good.map((r) => r.rendererHwmAtReady - r.rendererBaseline));
      console.log(`open total     ${total.toFixed(3)} s   (runs: ${good.map((r) => r.total.toFixed(2)).join(', ')})`);
      console.log(`throughput     ${(bytes / 1e6 / total).toFixed(1)} MB/s`);
      console.log(`peak memory    ${mb(hwm)} MB (${(hwm / bytes).toFixed(2)} x file)   (runs: ${good.map((r) => mb(r.rendererHwm)).join(', ')})`);
      console.log(`tab peak       ${mb(above)} MB above the empty tab (${(above / bytes).toFixed(2)} x file)`);
      console.log(`workers used   ${good.map((r) => r.workers ?? '?').join(', ')}`);
    }
  }
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
