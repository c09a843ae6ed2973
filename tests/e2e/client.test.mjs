// The page as a client of its workers. Without a browser: lib/snapshot-client.js sends
// each request in the core's shape, asks facts once, builds a leak report once on the
// newest snapshot and reads it in camelCase; one formatter shows absent distances. In
// Chromium: views switched many times leave no listener or size observer behind (each
// view's dispose()), and every user action that fails shows why in the view instead of
// an unhandled rejection. Failures are injected by rewriting one kind of request on its
// way to the worker into a request the core refuses.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repo, setUpBrowserSuite, loadFiles, settled } from './helpers.mjs';
import { SnapshotClient } from '../../www/lib/snapshot-client.js';
import { formatDistance, knownDistance } from '../../www/lib/format.js';

const T = { timeout: 180000 };
const demo = [1, 2, 3].map((n) => join(repo, 'www', 'demo', `${n}.heapsnapshot`));
const built = demo.every((file) => existsSync(file)) && existsSync(join(repo, 'www', 'pkg', 'heaplens_bg.wasm'));
const needsBuild = { ...T, skip: !built && 'run scripts/build.sh first (www/pkg and www/demo)' };
let suite;

before(async () => {
  if (built) suite = await setUpBrowserSuite();
}, T);

after(() => suite?.teardown());

/** A stand-in for lib/worker-client.js's SnapshotWorker: records requests, answers with `answer(request)`. */
function fakeWorker(answer) {
  const sent = [];
  return {
    sent,
    query: async (request) => { sent.push(request); return answer(request); },
    diffBase: async (base) => `base of ${base.label}`,
  };
}

test('the client sends one request per call, in the core\u2019s shape', async () => {
  const worker = fakeWorker(() => ({ total: 0, rows: [] }));
  const base = fakeWorker(() => null);
  base.label = 'b';
  const client = new SnapshotClient(worker, 'a.heapsnapshot', { maxJsId: 10 });
  await client.instances('Foo|1', { idRange: [2, 9], limit: 5 });
  await client.edges(7);
  await client.search('leak', { matchCase: true, limit: 50 });
  await client.compare(new SnapshotClient(base, 'b', { maxJsId: 5 }), { classFilter: 'Foo' });
  await client.ignoreRetainer(3);
  assert.deepEqual(worker.sent, [
    { op: 'instances', classKey: 'Foo|1', idRange: [2, 9], filter: null, sortBy: 'retainedSize', ascending: false, offset: 0, limit: 5 },
    { op: 'edges', id: 7, offset: 0, limit: 100 },
    { op: 'search', text: 'leak', matchCase: true, offset: 0, limit: 50 },
    { op: 'compare', base: 'base of b', sortBy: 'addedSize', ascending: false, classFilter: 'Foo', offset: 0, limit: 100 },
    { op: 'ignoreRetainer', id: 3 },
  ]);
  await assert.rejects(client.compare({}), /base must be another snapshot/);
});

test('leak reports: facts asked once per snapshot, the report built once by the newest', async () => {
  const written = {
    groups: [{ name: 'Leak', selfSize: 32, retainedSize: 64, growsEveryInterval: null, counts: [0, 2, 2],
      path: [{ node: 'global', edge: '', edgeType: 'internal', id: 1 }, { node: 'Leak', edge: 'items', edgeType: 'property', id: 9, repeat: 3, repeatSpan: 2 }],
      location: { scriptId: 4, script: 'app.js', line: 1, column: 2 }, holders: [], members: [9] }],
    warnings: [], idRange: [5, 9], totals: [10, 20, 30],
  };
  {
    const series = [1, 3, 2].map((maxJsId) => {
      const worker = fakeWorker((request) => (request.op === 'facts' ? { name: request.name, maxJsId } : written));
      return { worker, client: new SnapshotClient(worker, `${maxJsId}.heapsnapshot`, { maxJsId }) };
    });
    const clients = series.map((s) => s.client);
    const report = await SnapshotClient.leakReport(clients);
    assert.deepEqual(report, written);
    assert.equal(await SnapshotClient.leakReport([...clients].reverse()), report, 'the same series, in any order, is one report');
    await SnapshotClient.leakReport([clients[0], clients[2]]);
    const ops = series.map((s) => s.worker.sent.map((r) => r.op));
    assert.deepEqual(ops, [['facts'], ['facts', 'leaks'], ['facts', 'leaks']], 'each facts once; each report by its newest');
    assert.deepEqual(series[1].worker.sent[1].facts.map((f) => f.maxJsId), [1, 3, 2]);
  }
});

test('one distance formatter: null shows \u2212', () => {
  assert.equal(formatDistance(null), '\u2212');
  assert.equal(formatDistance(0), '0');
  assert.equal(formatDistance(7), '7');
  assert.equal(knownDistance(undefined), null);
  assert.equal(knownDistance(3), 3);
});

/**
 * Runs before the page's own scripts: counts the listeners registered on document and
 * window and the ResizeObservers still observing (window.liveListeners(),
 * window.liveObservers()), records unhandled rejections, and rewrites queries whose op is
 * in window.failing into an op the core does not know.
 */
function instrument() {
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  window.unhandled = [];
  add.call(window, 'unhandledrejection', (e) => window.unhandled.push(String(e.reason?.message ?? e.reason)));
  const ids = new WeakMap();
  let nextId = 1;
  const live = new Set();
  const keyOf = (target, type, listener, options) => {
    if (!ids.has(listener)) ids.set(listener, nextId++);
    const capture = typeof options === 'boolean' ? options : !!options?.capture;
    return `${target === window ? 'window' : 'document'} ${type} ${ids.get(listener)} ${capture}`;
  };
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if ((this === window || this === document) && listener) {
      const key = keyOf(this, type, listener, options);
      live.add(key);
      options?.signal?.addEventListener('abort', () => live.delete(key));
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    if ((this === window || this === document) && listener) live.delete(keyOf(this, type, listener, options));
    return remove.call(this, type, listener, options);
  };
  window.liveListeners = () => [...live].sort();

  const observing = new Set();
  const Observer = window.ResizeObserver;
  window.ResizeObserver = class extends Observer {
    observe(target, options) { observing.add(this); return super.observe(target, options); }
    disconnect() { observing.delete(this); return super.disconnect(); }
  };
  window.liveObservers = () => observing.size;

  window.failing = new Set();
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    const failed = message?.type === 'query' && window.failing.has(message.request?.op);
    return post.call(this, failed ? { ...message, request: { op: 'injectedFailure' } } : message, ...rest);
  };
}

/** A page with instrument() in place and the three demo snapshots loaded. */
async function openInstrumented() {
  const context = await suite.browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${suite.origin}/index.html`);
  await loadFiles(page, demo);
  await page.locator('[data-testid="snapshot-item"][data-name="3.heapsnapshot"]').click();
  return { context, page, errors };
}

/** Opens Summary's SimpleClass and selects its first instance; resolves once its retainers show. */
async function selectInstance(page) {
  await page.click('[data-testid="tab-summary"]');
  await page.fill('[data-testid="view-summary"] [data-testid="class-filter"]', 'SimpleClass');
  await page.waitForFunction(() => {
    const names = [...document.querySelectorAll('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="class-name"]')];
    return names.length > 0 && names.every((n) => n.textContent.includes('SimpleClass'));
  });
  await page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="expander"]').first().click();
  await page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first().click();
  await settled(page, 'retainers-table');
}

/** Right-clicks the first retainer and picks the menu's item `testid`. */
async function retainerMenu(page, testid) {
  await page.locator('[data-testid="retainers-table"] [data-testid="row"]').first().click({ button: 'right' });
  await page.click(`[data-testid="context-menu"] [data-testid="${testid}"]`);
}

test('switching views many times leaves no listener and no size observer behind', needsBuild, async () => {
  const { context, page, errors } = await openInstrumented();
  await selectInstance(page);
  const tabs = await page.locator('[role="tab"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
  assert.ok(tabs.length >= 9, `every view has a tab: ${tabs}`);
  const round = async () => {
    for (const tab of tabs) {
      await page.click(`[data-testid="${tab}"]`);
      await page.locator(`[data-testid="${tab.replace(/^tab-/, 'view-')}"]`).waitFor();
      await page.waitForFunction(() => !document.querySelector('[data-busy]'));
    }
    // The document hears of clicks and keys while a menu or the search results are open.
    await page.locator('[data-testid="retainers-table"] [data-testid="row"]').first().click({ button: 'right' });
    await page.locator('[data-testid="context-menu"]').waitFor();
    assert.ok((await page.evaluate(() => window.liveListeners())).length > 0);
    await page.keyboard.press('Escape');
    await page.fill('[data-testid="search-input"]', 'SimpleClass');
    await page.press('[data-testid="search-input"]', 'Enter');
    await page.locator('[data-testid="search-result"]').first().waitFor();
    await page.click('.sidebar h2');
    await page.locator('[data-testid="search-results"]').waitFor({ state: 'hidden' });
  };
  await round();
  const listeners = await page.evaluate(() => window.liveListeners());
  const observers = await page.evaluate(() => window.liveObservers());
  for (let i = 0; i < 4; i++) await round();
  assert.deepEqual(await page.evaluate(() => window.liveListeners()), listeners, 'document and window listeners after 1 and 5 rounds');
  assert.equal(await page.evaluate(() => window.liveObservers()), observers, 'size observers after 1 and 5 rounds');
  // With the menu and the search results closed, the document hears of no click or key
  // (what is left is the page's drop zone, its hashchange, and Playwright's own).
  assert.deepEqual(listeners.filter((key) => /^document (click|keydown) /.test(key)), []);
  assert.deepEqual(await page.evaluate(() => window.unhandled), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('ignore, restore, search, compare, expand and export show their failures in the view', needsBuild, async () => {
  const { context, page, errors } = await openInstrumented();
  const failing = (...ops) => page.evaluate((list) => { window.failing = new Set(list); }, ops);
  await selectInstance(page);

  await failing('ignoreRetainer');
  await retainerMenu(page, 'menu-ignore');
  const paneError = page.locator('[data-testid="retainers-error"]');
  await paneError.waitFor();
  assert.match(await paneError.textContent(), /^Could not ignore @\d+: .*injectedFailure/);
  assert.equal(await page.locator('[data-testid="restore-ignored"]').isHidden(), true, 'nothing was ignored');

  await failing();
  await retainerMenu(page, 'menu-ignore');
  await page.locator('[data-testid="restore-ignored"]').waitFor();
  assert.equal(await paneError.isHidden(), true, 'a change that worked clears the message');
  await failing('clearIgnored');
  await page.click('[data-testid="restore-ignored"]');
  await paneError.waitFor();
  assert.match(await paneError.textContent(), /^Could not restore the ignored retainers: .*injectedFailure/);
  await failing();
  await page.click('[data-testid="restore-ignored"]');
  await page.locator('[data-testid="restore-ignored"]').waitFor({ state: 'hidden' });

  await failing('search');
  await page.fill('[data-testid="search-input"]', 'SimpleClass');
  await page.press('[data-testid="search-input"]', 'Enter');
  assert.match(await page.locator('[data-testid="search-error"]').textContent(), /injectedFailure/);
  await page.click('.sidebar h2');

  await failing('compare');
  await page.click('[data-testid="tab-comparison"]');
  assert.match(await page.locator('[data-testid="comparison-table"] [data-testid="row-error"]').textContent(), /injectedFailure/);

  await failing();
  await page.click('[data-testid="tab-containment"]');
  await settled(page, 'containment-table');
  await failing('edges');
  await page.locator('[data-testid="containment-table"] [data-testid="row"] [data-testid="expander"]').first().click();
  assert.match(await page.locator('[data-testid="containment-table"] [data-testid="row-error"]').textContent(), /injectedFailure/);

  // Export: the browser refuses to encode the PNG.
  await failing();
  await page.evaluate(() => { HTMLCanvasElement.prototype.toBlob = function (callback) { callback(null); }; });
  await page.click('[data-testid="tab-growth"]');
  await page.click('[data-testid="growth-heap-chart"] [data-testid="download-png"]');
  assert.match(await page.locator('[data-testid="growth-heap-chart"] [data-testid="download-error"]').textContent(), /^Could not download the chart: PNG encoding failed/);

  assert.deepEqual(await page.evaluate(() => window.unhandled), []);
  assert.deepEqual(errors, []);
  await context.close();
});
