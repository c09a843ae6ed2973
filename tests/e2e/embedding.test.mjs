// The three ways to use heaplens besides www/ itself, built by scripts/dist.sh into a
// private temp dir: the hosted site under a sub-path, the single file from file://, the
// ES-module API and the <heap-lens> element; plus deep links. In every mode the page may
// load nothing from another origin and the CSP must not have to refuse anything.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo, setUpBrowserSuite, settled, screenshot, cliJson } from './helpers.mjs';

const T = { timeout: 240000 };
const hasDemo = existsSync(join(repo, 'www', 'demo', 'index.json')) && existsSync(join(repo, 'www', 'pkg', 'heaplens_bg.wasm'));
const needsBuild = { ...T, skip: !hasDemo && 'run scripts/build.sh first (www/pkg and www/demo)' };
const BASE = '/tools/heaplens/';
let suite; let dist;

before(async () => {
  if (!hasDemo) return;
  suite = await setUpBrowserSuite({
    // The site is copied one level deeper than the server's root: it must work under any sub-path.
    site(dir) {
      dist = join(dir, 'site', 'tools', 'heaplens');
      execFileSync('bash', [join(repo, 'scripts', 'dist.sh'), '--skip-build', '--out', dist], { stdio: ['ignore', 'ignore', 'inherit'] });
      return join(dir, 'site');
    },
  });
}, T);

after(() => suite?.teardown());

/**
 * A fresh browser context that records every request (pages and workers), refuses any
 * request that is not to `allowed` (a URL prefix), and collects page errors and CSP reports.
 */
async function session(allowed) {
  const context = await suite.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const requests = [];
  const errors = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(allowed)) route.continue();
    else { requests.push(url); route.abort(); }
  });
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text()); });
  return { context, page, requests, errors };
}

function assertOnlyFrom(requests, allowed) {
  assert.ok(requests.length > 0, 'requests were recorded');
  const foreign = requests.filter((u) => !u.startsWith(allowed) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], 'no request to another origin');
}

async function loadDemo(page, count = 3) {
  await page.click('[data-testid="demo-button"]');
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === n && items.every((i) => i.dataset.status === 'ready');
  }, count, { timeout: 120000 });
}

/** The Summary's top-level row for a class, once the (debounced) filter by its name has applied. */
async function classRow(page, name) {
  await page.fill('[data-testid="view-summary"] [data-testid="class-filter"]', name);
  await page.waitForFunction((text) => {
    const table = document.querySelector('[data-testid="summary-table"]');
    const names = [...table.querySelectorAll('[data-testid="row"][data-depth="0"] [data-testid="class-name"]')].map((e) => e.textContent);
    return !table.dataset.busy && names.length > 0 && names.every((n) => n.includes(text));
  }, name);
  const row = page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]')
    .filter({ has: page.locator('[data-testid="class-name"]', { hasText: new RegExp(`^${name}$`) }) }).first();
  await row.waitFor();
  return row;
}

const fragment = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.hash.slice(1))));

// ---------------------------------------------------------------- hosted

test('every URL the page uses is relative, so it works under any sub-path', () => {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'pkg' || name === 'demo') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|html|css)$/.test(name)) files.push(path);
    }
  };
  walk(join(repo, 'www'));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const where = relative(repo, file);
    assert.ok(!/\b(?:src|href|action)\s*=\s*["']?\//i.test(text), `${where}: an absolute src/href`);
    assert.ok(!/\b(?:fetch|import|new URL|new Worker)\s*\(\s*['"`]\//.test(text), `${where}: an absolute URL in code`);
    assert.ok(!/url\(\s*['"]?\//i.test(text), `${where}: an absolute url() in CSS`);
  }
});

test('dist/ served under a sub-path loads the demo and shows the Summary', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.goto(allowed);
  await loadDemo(page);
  await settled(page, 'summary-table');
  assert.ok(requests.some((u) => u === `${allowed}demo/index.json`), 'the demo index came from the sub-path');
  assert.ok(requests.some((u) => u === `${allowed}pkg/heaplens_bg.wasm`), 'the wasm came from the sub-path');
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------- deep links

test('reloading restores the view, snapshot, class and object from the URL fragment', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.goto(`${allowed}index.html`);
  await loadDemo(page);
  await page.locator('[data-testid="snapshot-item"][data-name="3.heapsnapshot"]').click();
  await page.click('[data-testid="tab-summary"]');
  const row = await classRow(page, 'SimpleClass');
  await row.locator('[data-testid="expander"]').click();
  const instance = page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').nth(2);
  await instance.waitFor();
  const id = await instance.getAttribute('data-id');
  await instance.click();
  await page.waitForFunction((want) => location.hash.includes(`object=${want}`), id);
  assert.deepEqual(await fragment(page), { view: 'summary', snapshot: '3.heapsnapshot', class: 'SimpleClass', object: id });

  await page.reload();
  assert.equal(await page.locator('[data-testid="snapshot-item"]').count(), 0, 'no snapshot survives a reload');
  await loadDemo(page);
  await page.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, id, { timeout: 60000 });
  assert.equal(await page.locator('[data-testid="current-snapshot"]').textContent(), '3.heapsnapshot');
  assert.equal(await page.locator('[data-testid="tab-summary"]').getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('[data-testid="view-summary"] [data-testid="class-filter"]').inputValue(), 'SimpleClass');
  // The class opens and the object's row is highlighted.
  await page.locator(`[data-testid="summary-table"] [data-testid="row"].selected[data-id="${id}"]`).waitFor();
  assert.deepEqual(await fragment(page), { view: 'summary', snapshot: '3.heapsnapshot', class: 'SimpleClass', object: id });
  await screenshot(page, 'deep-link');
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link to a comparison restores its base snapshot and class filter', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  // DevTools' default base for 3 would be 2: the link must win.
  await page.goto(`${allowed}index.html#view=comparison&snapshot=3.heapsnapshot&base=1.heapsnapshot&class=SimpleClass`);
  await loadDemo(page);
  await page.locator('[data-testid="view-comparison"]').waitFor();
  assert.equal(await page.locator('[data-testid="current-snapshot"]').textContent(), '3.heapsnapshot');
  assert.equal(await page.locator('[data-testid="base-select"] option:checked').textContent(), '1.heapsnapshot');
  assert.equal(await page.locator('[data-testid="view-comparison"] [data-testid="class-filter"]').inputValue(), 'SimpleClass');
  await settled(page, 'comparison-table');
  // Changing the base rewrites the fragment.
  await page.selectOption('[data-testid="base-select"]', { label: '2.heapsnapshot' });
  await page.waitForFunction(() => location.hash.includes('base=2.heapsnapshot'));
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------- single file

test('the single file works from file:// with every view and contacts nothing', needsBuild, async () => {
  const file = join(dist, 'heaplens.html');
  const html = readFileSync(file, 'utf8');
  assert.match(html, /connect-src 'none'/);
  assert.ok(!/<script[^>]*\bsrc=/i.test(html) && !/<link[^>]*stylesheet/i.test(html), 'nothing is loaded from beside the file');
  const { context, page, requests, errors } = await session('file://');
  await page.goto(pathToFileURL(file).href);
  assert.equal(await page.locator('[data-testid="demo-button"]').count(), 0);
  await page.locator('[data-testid="file-input"]').setInputFiles([join(dist, 'demo', '1.heapsnapshot'), join(dist, 'demo', '3.heapsnapshot')]);
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === 2 && items.every((i) => i.dataset.status !== 'loading');
  }, null, { timeout: 120000 });
  assert.deepEqual(await page.locator('[data-testid="snapshot-item"]').evaluateAll((els) => els.map((e) => e.dataset.status)), ['ready', 'ready']);
  await page.locator('[data-testid="snapshot-item"][data-name="3.heapsnapshot"]').click();
  const row = await classRow(page, 'SimpleClass');
  await row.locator('[data-testid="expander"]').click();
  await page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first().click();
  await page.locator('[data-testid="retainers-pane"] [data-testid="row"]').first().waitFor();
  await screenshot(page, 'single-file');

  const tabs = await page.locator('[role="tab"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
  for (const key of ['summary', 'comparison', 'containment', 'statistics', 'dominators']) assert.ok(tabs.includes(`tab-${key}`), `tab ${key}`);
  for (const tab of tabs) {
    await page.click(`[data-testid="${tab}"]`);
    const view = tab.replace(/^tab-/, 'view-');
    await page.locator(`[data-testid="${view}"]`).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.locator('[data-testid="view-error"], [data-testid="row-error"]').count(), 0, `${view} shows no error`);
  }
  await page.click('[data-testid="tab-comparison"]');
  await settled(page, 'comparison-table');
  await page.click('[data-testid="tab-statistics"]');
  await page.locator('[data-testid="stats-chart"]').waitFor();
  assert.ok(requests.length > 0);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('blob:') && !u.startsWith('data:')), []);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------- ES-module API

test('the ES-module API example prints the top 10 classes and the statistics', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.goto(`${allowed}examples/api.html`);
  await page.locator('[data-testid="api-file"]').setInputFiles(join(dist, 'demo', '3.heapsnapshot'));
  await page.waitForFunction(() => document.querySelector('[data-testid="api-status"]').dataset.done, null, { timeout: 120000 });
  assert.equal(await page.locator('[data-testid="api-status"]').getAttribute('data-done'), 'true', await page.locator('[data-testid="api-status"]').textContent());
  const rows = await page.locator('[data-testid="api-classes"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 10);
  const retained = rows.map((r) => Number(r[3].replace(/\D/g, '')));
  assert.deepEqual(retained, [...retained].sort((a, b) => b - a), 'by retained size');
  const stats = JSON.parse(await page.locator('[data-testid="api-stats"]').textContent());
  assert.ok(stats.total > 0 && stats.v8heap.total > 0);
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the API compares snapshots, reports leaks and follows retainers, one worker each', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.goto(`${allowed}examples/api.html`);
  const result = await page.evaluate(async () => {
    const api = await import('../heaplens-api.js');
    const snapshots = await Promise.all(['1', '2', '3'].map(async (n) => api.open(await fetch(`../demo/${n}.heapsnapshot`))));
    const [first, , last] = snapshots;
    const diff = await last.diff(first, { classFilter: 'SimpleClass' });
    const report = await last.leaks(snapshots.slice(0, 2));
    const simple = (await last.summary({ classFilter: 'SimpleClass' })).rows.find((r) => r.name === 'SimpleClass');
    const instance = (await last.query({ op: 'instances', classKey: simple.key, limit: 1 })).rows[0];
    const retainers = await last.retainers(instance.id);
    const names = snapshots.map((s) => s.name);
    for (const s of snapshots) s.close();
    let closed = '';
    try { await last.stats(); } catch (error) { closed = error.message; }
    return { names, diff: diff.rows.find((r) => r.name === 'SimpleClass'), groups: report.groups.map((g) => g.name), retainers: retainers.total, closed };
  });
  assert.deepEqual(result.names, ['1.heapsnapshot', '2.heapsnapshot', '3.heapsnapshot']);
  assert.ok(result.diff && result.diff.newCount > 0, `SimpleClass objects are new since 1: ${JSON.stringify(result.diff)}`);
  assert.ok(result.groups.includes('SimpleClass'), `the leak report names SimpleClass: ${result.groups.slice(0, 5)}`);
  assert.ok(result.retainers > 0);
  assert.match(result.closed, /closed/);
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------- <heap-lens>

test('two <heap-lens> elements load, keep their styles apart from the page, and report load and select', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.addInitScript(() => {
    window.lensEvents = [];
    for (const type of ['load', 'error', 'select']) {
      document.addEventListener(type, (e) => {
        if (e.target?.localName === 'heap-lens') window.lensEvents.push({ type, id: e.target.id, detail: e.detail });
      }, true);
    }
  });
  await page.goto(`${allowed}examples/portal.html`);
  await page.waitForFunction(() => window.lensEvents.filter((e) => e.type === 'load').length === 2, null, { timeout: 120000 });
  const loads = await page.evaluate(() => window.lensEvents.filter((e) => e.type === 'load').map((e) => [e.id, e.detail.name, e.detail.nodes > 0]).sort());
  assert.deepEqual(loads, [['after', '3.heapsnapshot', true], ['before', '1.heapsnapshot', true]]);
  assert.equal(await page.locator('heap-lens').count(), 2);

  const before = page.locator('#before');
  const after = page.locator('#after');
  await before.locator('[data-testid="summary-table"] [data-testid="row"]').first().waitFor();
  await after.locator('[data-testid="stats-chart"]').waitFor();
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-testid="summary-table"], .tt-row, .stats-table').length), 0,
    'the elements\u2019 contents are in their shadow roots');

  const style = (locator, ...props) => locator.evaluate((e, names) => Object.fromEntries(names.map((n) => [n, getComputedStyle(e)[n]])), props);
  // The host page says table { color: red }, td { background: yellow }, * { font-family: Georgia },
  // .tt-row { background: red !important } and --bg: hotpink: none of it may reach inside.
  const cell = await style(after.locator('.stats-table td[data-testid="stats-name"]').first(), 'color', 'backgroundColor', 'fontFamily');
  assert.notEqual(cell.color, 'rgb(255, 0, 0)');
  assert.notEqual(cell.backgroundColor, 'rgb(255, 255, 0)');
  assert.doesNotMatch(cell.fontFamily, /Georgia/);
  const row = await style(before.locator('.tt-row').first(), 'backgroundColor', 'color');
  assert.notEqual(row.backgroundColor, 'rgb(255, 0, 0)');
  assert.notEqual(row.color, 'rgb(255, 255, 255)');
  // theme="light" and theme="dark", whatever the host's --bg says.
  assert.equal((await style(before.locator('.embedded'), 'backgroundColor')).backgroundColor, 'rgb(255, 255, 255)');
  assert.equal((await style(after.locator('.embedded'), 'backgroundColor')).backgroundColor, 'rgb(30, 31, 34)');
  // And heaplens' styles do not reach out: the host's .button and .tt-cell keep the host's look.
  const hostButton = await style(page.locator('[data-testid="host-button"]'), 'borderTopLeftRadius', 'paddingLeft');
  assert.notEqual(hostButton.borderTopLeftRadius, '6px');
  assert.notEqual(hostButton.paddingLeft, '12px');
  assert.match((await style(page.locator('.host-table .tt-cell'), 'fontFamily')).fontFamily, /Georgia/);
  await screenshot(page, 'portal');

  // Clicking an object fires select with its id.
  await before.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="expander"]').first().click();
  const instance = before.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first();
  await instance.waitFor();
  const id = Number(await instance.getAttribute('data-id'));
  await instance.click();
  await page.waitForFunction(() => window.lensEvents.some((e) => e.type === 'select'));
  assert.deepEqual(await page.evaluate(() => window.lensEvents.filter((e) => e.type === 'select').map((e) => [e.id, e.detail])), [['before', id]]);
  await before.locator('[data-testid="retainers-pane"] [data-testid="row"]').first().waitFor();

  // The view attribute switches tabs.
  await page.evaluate(() => document.getElementById('after').setAttribute('view', 'dominators'));
  await after.locator('[data-testid="dominators-table"] [data-testid="row"]').first().waitFor();

  assert.deepEqual(await page.evaluate(() => window.lensEvents.filter((e) => e.type === 'error')), []);
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('two <heap-lens> on one page share nothing: each shows its own rows, leak report and heap-usage logs', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.goto(`${allowed}examples/api.html`);
  // a: demo snapshots 1, 2, 3; b: 2 and 3. Both start on the Leaks view.
  await page.evaluate(async () => {
    await import('../heap-lens.js');
    for (const [id, names] of [['a', [1, 2, 3]], ['b', [2, 3]]]) {
      const lens = document.createElement('heap-lens');
      lens.id = id;
      lens.setAttribute('view', 'leaks');
      lens.setAttribute('src', names.map((n) => `../demo/${n}.heapsnapshot`).join(' '));
      document.body.appendChild(lens);
    }
  });
  const a = page.locator('#a');
  const b = page.locator('#b');
  const demo = (n) => join(dist, 'demo', `${n}.heapsnapshot`);
  // The CLI's leak reports are the reference (its JSON keys turn camelCase with issue 9).
  const idRange = (report) => report.idRange;
  const want = { a: cliJson('leaks', demo(1), demo(2), demo(3)), b: cliJson('leaks', demo(2), demo(3)) };
  assert.notDeepEqual(idRange(want.a), idRange(want.b), 'the two series have different leak reports');
  for (const [lens, report] of [[a, want.a], [b, want.b]]) {
    const range = lens.locator('[data-testid="leak-id-range"]');
    await range.waitFor({ timeout: 120000 });
    assert.deepEqual([Number(await range.getAttribute('data-min')), Number(await range.getAttribute('data-max'))], idRange(report));
    const first = lens.locator('[data-testid="leak-row"]').first();
    assert.equal(await first.getAttribute('data-name'), report.groups[0].name);
    assert.equal(Number(await first.getAttribute('data-count')), report.groups[0].count);
  }

  // Summary rows: a shows snapshot 1, b snapshot 3, each with the CLI's SimpleClass count.
  const counts = {};
  for (const [lens, n] of [[a, 1], [b, 3]]) {
    await lens.locator(`[data-testid="snapshot-item"][data-name="${n}.heapsnapshot"]`).click();
    await lens.locator('[data-testid="tab-summary"]').click();
    await lens.locator('[data-testid="class-filter"]').fill('SimpleClass');
    const row = lens.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]')
      .filter({ has: page.locator('[data-testid="class-name"]', { hasText: /^SimpleClass$/ }) }).first();
    await row.waitFor();
    counts[n] = cliJson('summary', demo(n)).rows.find((c) => c.name === 'SimpleClass').count;
    assert.equal(await row.locator('[data-testid="class-count"]').textContent(), ` \u00d7${counts[n].toLocaleString('en-US')}`);
  }
  assert.notEqual(counts[1], counts[3], 'the two elements show different numbers');

  // A heap-usage log imported into a is a's alone; b's Growth view shows none.
  await a.locator('[data-testid="tab-growth"]').click();
  await a.locator('[data-testid="heap-log-input"]').setInputFiles({ name: 'heap-usage.json', mimeType: 'application/json', buffer: Buffer.from('[1000000, 2000000, 3000000]') });
  await a.locator('[data-testid="growth-log-chart"]').waitFor();
  await b.locator('[data-testid="tab-growth"]').click();
  await b.locator('[data-testid="growth-heap-chart"]').waitFor();
  assert.equal(await b.locator('[data-testid="growth-log-chart"], [data-testid="heap-log-error"]').count(), 0, 'b shows no log');
  // a's view and selection stay where they were while b changes.
  assert.equal(await a.locator('[data-testid="tab-growth"]').getAttribute('aria-selected'), 'true');
  assert.equal(await a.locator('[data-testid="current-snapshot"]').textContent(), '1.heapsnapshot');
  assert.equal(await b.locator('[data-testid="current-snapshot"]').textContent(), '3.heapsnapshot');
  await a.locator('[data-testid="heap-log-clear"]').click();
  await a.locator('[data-testid="growth-log-chart"]').waitFor({ state: 'detached' });

  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('<heap-lens> refuses a src on another origin with an error event and no request', needsBuild, async () => {
  const allowed = `${suite.origin}${BASE}`;
  const { context, page, requests, errors } = await session(allowed);
  await page.goto(`${allowed}examples/api.html`);
  const message = await page.evaluate(async () => {
    await import('../heap-lens.js');
    const lens = document.createElement('heap-lens');
    const failed = new Promise((resolve) => lens.addEventListener('error', (e) => resolve(e.detail)));
    lens.setAttribute('src', 'https://heaplens-test.invalid/secret.heapsnapshot');
    document.body.appendChild(lens);
    return failed;
  });
  assert.match(message, /refused .*heaplens-test\.invalid.*origin/);
  await page.locator('heap-lens [data-testid="notice"]').waitFor();
  assert.ok(!requests.some((u) => u.includes('heaplens-test.invalid')), 'nothing was requested from the other origin');
  assertOnlyFrom(requests, allowed);
  assert.deepEqual(errors, []);
  await context.close();
});
