// Accessibility: axe-core finds nothing on any view of the page, in either theme, with
// the demo loaded and with Chromium snapshots loaded (and with the Retainers pane, a
// row's menu and the "?" overlay open);
// the tree tables are WAI-ARIA treegrids driven by the keyboard; a leak hunt goes from
// the demo to the leaked object's retainers with the keyboard only; charts have their
// values in a table and lighter series colours in dark mode.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setUpBrowserSuite, repo, cliJson, loadFiles, chromiumSnapshots } from './helpers.mjs';

const T = { timeout: 300000 };
// The audits run axe-core on 18 views twice, the second time for colours only.
const AUDIT = { timeout: 900000 };
const require = createRequire(join(repo, 'tests', 'package.json'));
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const demo = (n) => join(repo, 'www', 'demo', `${n}.heapsnapshot`);
let suite;

before(async () => { suite = await setUpBrowserSuite(); }, T);
after(() => suite?.teardown());

/** Waits until all three demo snapshots are ready. */
async function demoReady(page) {
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === 3 && items.every((i) => i.dataset.status === 'ready');
  }, null, { timeout: 120000 });
}

/** A new page with the demo loaded, showing snapshot `name` if given. */
async function openDemo(name = null) {
  const session = await suite.openPage();
  await session.page.click('[data-testid="demo-button"]');
  await demoReady(session.page);
  if (name) await session.page.click(`[data-testid="snapshot-item"][data-name="${name}"]`);
  return session;
}

/** Waits until view `key` has drawn what it asked the workers for (in the shadow root of `lens`, if named). */
async function viewSettled(page, key, lens = null) {
  await page.waitForFunction(([key, lens]) => {
    const root = lens ? document.querySelector(lens).shadowRoot : document;
    const view = root.querySelector(`[data-testid="view-${key}"]`);
    if (!view || view.querySelector('[data-busy], [data-testid="leaks-status"], [data-testid="growth-loading"]')) return false;
    if ([...view.querySelectorAll('.placeholder')].some((p) => p.textContent.startsWith('Loading'))) return false;
    const grid = view.querySelector('[role="treegrid"]');
    return !grid || !!grid.querySelector('[data-testid="row"]') || !!view.querySelector('[data-testid="table-status"]').textContent;
  }, [key, lens], { timeout: 120000 });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/**
 * The axe-core rules a colour scheme can change: the dark theme only swaps colours
 * (style.css's custom properties), so the DOM, roles and names its audit would check
 * again are the light audit's; running these alone halves the audits' time.
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * axe-core's violations on the page (or in the element `within`), as "rule (impact): target…"
 * lines: every rule, or only `rules`. Only violations are gathered (axe's `resultTypes`), which
 * spares it collecting every passing node.
 */
async function violations(page, within = null, rules = null) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async ([within, rules]) => {
    const options = { resultTypes: ['violations'], ...(rules ? { runOnly: { type: 'rule', values: rules } } : {}) };
    return (await window.axe.run(within ? { include: [[within]] } : document, options)).violations;
  }, [within, rules]);
  return found.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} ${n.failureSummary.split('\n')[1] ?? ''}`));
}

/** The tab bar's views, in order. */
function tabKeys(page) {
  return page.locator('[role="tab"]').evaluateAll((tabs) => tabs.map((t) => t.dataset.testid.replace(/^tab-/, '')));
}

/**
 * axe-core's violations on every view of the page in both themes, as "theme view: …"
 * lines, with the parts a view opens on request shown too: a Leaks group, a chart's and
 * the Retainer Graph's tables, a realm's classes; then a row's menu and the "?" overlay.
 * The selected snapshot has an object in the Retainers pane (the graph draws it).
 */
async function auditEveryView(page) {
  const keys = await tabKeys(page);
  assert.ok(keys.length >= 13, `the tab bar lists the views: ${keys}`);
  const found = [];
  const open = async (selector) => { if (await page.locator(selector).count()) await page.locator(selector).first().click(); };
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const rules = scheme === 'dark' ? COLOUR_RULES : null;
    for (const key of keys) {
      await page.click(`[data-testid="tab-${key}"]`);
      await viewSettled(page, key);
      if (key === 'leaks') await open('[data-testid="leak-toggle"]'); // a group's path and members
      if (key === 'growth') await open('[data-testid="chart-data"] summary'); // a chart's table
      if (key === 'realms') {
        await open('[data-testid="realm-row"]');
        await page.locator('[data-testid="realm-class-table"]').waitFor();
      }
      if (key === 'graph') {
        await page.locator('[data-testid="graph-objects"] summary').waitFor();
        await open('[data-testid="graph-objects"] summary'); // the objects as a table
      }
      found.push(...(await violations(page, null, rules)).map((v) => `${scheme} ${key}: ${v}`));
    }
    // A row's menu and the shortcuts overlay.
    await page.click('[data-testid="tab-summary"]');
    await viewSettled(page, 'summary');
    await page.locator('[data-testid="retainers-table"] [data-testid="row"]').first().click({ button: 'right' });
    await page.waitForSelector('[data-testid="context-menu"]');
    found.push(...(await violations(page, null, rules)).map((v) => `${scheme} menu: ${v}`));
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="summary-table"] [role="treegrid"]').focus();
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="shortcuts"]');
    found.push(...(await violations(page, null, rules)).map((v) => `${scheme} shortcuts: ${v}`));
    await page.keyboard.press('Escape');
  }
  return found;
}

/** Puts the first instance of the Summary's first class in the Retainers pane. */
async function selectFirstInstance(page) {
  await viewSettled(page, 'summary');
  // The grid has the focus before the click: focusing it repaints its rows (the active
  // row), and a repaint between mousedown and mouseup would lose the click.
  await page.locator('[data-testid="summary-table"] [role="treegrid"]').focus();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.locator('[data-testid="summary-table"] [data-testid="expander"]').first().click();
  await page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first().click();
  await page.waitForSelector('[data-testid="retainers-table"] [data-testid="row"]');
}

test('axe-core finds no violation on any view, in the light and the dark theme', AUDIT, async () => {
  const { page, context } = await openDemo('3.heapsnapshot');
  await selectFirstInstance(page);
  assert.deepEqual(await auditEveryView(page), []);
  await context.close();
});

test('axe-core finds no violation on any view with Chromium snapshots loaded (a page and its iframe), light and dark', AUDIT, async () => {
  // Three snapshots of tests/fixtures/browser/realms.html in headless Chromium: two
  // realms, objects they share, a list that grows every round.
  const files = chromiumSnapshots(suite.dir, 'realms.html', [1, 2, 3].map((n) => `chromium-${n}.heapsnapshot`));
  const { page, context } = await suite.openPage();
  await loadFiles(page, files);
  await page.click('[data-testid="snapshot-item"][data-name="chromium-3.heapsnapshot"]');
  assert.ok(cliJson('realms', files[2]).realms.length >= 2, 'the page and its iframe (and Chromium\u2019s own contexts)');
  await selectFirstInstance(page);
  assert.deepEqual(await auditEveryView(page), []);
  await context.close();
});

test('axe-core finds no violation inside <heap-lens>, light and dark, on every view', T, async () => {
  const { page, context } = await suite.openPage();
  await page.goto(`${suite.origin}/examples/portal.html`);
  const found = [];
  for (const [lens, rules] of [['#before', null], ['#after', COLOUR_RULES]]) { // theme="light", theme="dark"
    await page.locator(`${lens} [data-testid="snapshot-item"][data-status="ready"]`).waitFor({ timeout: 120000 });
    const keys = await page.locator(`${lens} [role="tab"]`).evaluateAll((tabs) => tabs.map((t) => t.dataset.testid.replace(/^tab-/, '')));
    for (const key of keys) {
      await page.evaluate(([lens, key]) => document.querySelector(lens).setAttribute('view', key), [lens, key]);
      await viewSettled(page, key, lens);
      found.push(...(await violations(page, lens, rules)).map((v) => `${lens} ${key}: ${v}`));
    }
  }
  assert.deepEqual(found, []);
  await context.close();
});

test('tree tables are treegrids: roles, levels, row indexes, and the keyboard moves, expands, enters and selects', T, async () => {
  const { page, context } = await openDemo('1.heapsnapshot');
  await viewSettled(page, 'summary');
  const cli = cliJson('summary', demo(1)).rows;
  const grid = page.locator('[data-testid="summary-table"] [role="treegrid"]');
  // Read after the next frame: the table paints (and points at the active row) in one.
  const state = () => grid.evaluate(async (g) => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const active = g.getAttribute('aria-activedescendant');
    const row = active && g.querySelector(`#${active}`);
    return {
      rowcount: Number(g.getAttribute('aria-rowcount')),
      name: row?.querySelector('.tt-content').textContent,
      level: row && Number(row.getAttribute('aria-level')),
      index: row && Number(row.getAttribute('aria-rowindex')),
      expanded: row?.getAttribute('aria-expanded'),
      selected: row?.getAttribute('aria-selected'),
    };
  });
  assert.deepEqual(await grid.evaluate((g) => [...g.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent.replace(/\s*[▲▼]$/, ''))),
    ['Constructor', 'Distance', 'Shallow Size', 'Retained Size']);
  assert.equal(await grid.locator('[role="columnheader"][aria-sort="descending"]').textContent(), 'Retained Size \u25bc');

  await page.keyboard.press('t'); // focus the view's table: the first row is active
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'treegrid');
  let s = await state();
  // The top level is paged (100 rows, then "Show more"): one header row, the classes shown, their "more" row.
  assert.equal(s.rowcount, 1 + Math.min(cli.length, 100) + (cli.length > 100 ? 1 : 0));
  assert.deepEqual([s.name, s.level, s.index, s.expanded], [`${cli[0].name} \u00d7${cli[0].count.toLocaleString('en-US')}`, 1, 2, 'false']);
  await page.keyboard.press('ArrowDown');
  s = await state();
  assert.deepEqual([s.name, s.index], [`${cli[1].name} \u00d7${cli[1].count.toLocaleString('en-US')}`, 3]);
  await page.keyboard.press('ArrowRight'); // expands
  await page.waitForFunction(() => !document.querySelector('[data-testid="summary-table"]').dataset.busy);
  s = await state();
  assert.equal(s.expanded, 'true');
  await page.keyboard.press('ArrowRight'); // enters: the first instance
  s = await state();
  assert.equal(s.level, 2);
  assert.equal(s.index, 4);
  await page.keyboard.press('Enter'); // selects: the Retainers pane shows it
  const id = await grid.evaluate((g) => g.querySelector(`#${g.getAttribute('aria-activedescendant')}`).dataset.id);
  await page.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, id);
  assert.equal((await state()).selected, 'true');
  await page.keyboard.press('ArrowLeft'); // to the parent
  s = await state();
  assert.deepEqual([s.level, s.index, s.expanded], [1, 3, 'true']);
  await page.keyboard.press('ArrowLeft'); // collapses
  assert.equal((await state()).expanded, 'false');
  // End lands on "Show more", which loads the next page; the key then stays on the row in its
  // place, the first one loaded (not on the next page's "Show more"). Each End pages once more.
  for (let shown = 100; shown < cli.length; shown += 100) {
    await page.keyboard.press('End');
    const loaded = Math.min(cli.length, shown + 100);
    await page.waitForFunction((n) => document.querySelector('[data-testid="summary-table"] [role="treegrid"]').getAttribute('aria-rowcount') === String(n),
      1 + loaded + (loaded < cli.length ? 1 : 0));
    assert.equal((await state()).index, 2 + shown);
  }
  await page.keyboard.press('End');
  assert.equal((await state()).index, 1 + cli.length);
  await page.keyboard.press('Home');
  assert.equal((await state()).index, 2);
  await page.keyboard.press('PageDown');
  const paged = (await state()).index;
  assert.ok(paged > 3, `PageDown moves a screen down (to row ${paged})`);
  await page.keyboard.press('PageUp');
  assert.equal((await state()).index, 2);
  await context.close();
});

test('a leak hunt with the keyboard only: demo, Leaks, first group, its path, the leaked object\u2019s retainers', T, async () => {
  const { page, context } = await suite.openPage();
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return { testid: e?.dataset.testid ?? null, role: e?.getAttribute('role'), target: e?.classList.contains('target') ?? false, id: e?.dataset.id ?? null };
  });
  /** Presses Tab until the focus is on what `wanted` accepts (at most `limit` times). */
  const tabTo = async (wanted, limit = 60) => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (wanted(f)) return f;
    }
    throw new Error(`Tab never reached it (focus on ${JSON.stringify(await focused())})`);
  };
  await tabTo((f) => f.testid === 'demo-button');
  await page.keyboard.press('Enter');
  await demoReady(page);
  // The Leaks view: its place in the tab bar if among the first nine, else ] from the ninth.
  const at = (await tabKeys(page)).indexOf('leaks');
  await page.keyboard.press(String(Math.min(at, 8) + 1));
  for (let i = 8; i < at; i++) await page.keyboard.press(']');
  await viewSettled(page, 'leaks');
  assert.equal((await focused()).testid, 'tab-leaks');
  const report = cliJson('leaks', demo(1), demo(2), demo(3));
  await tabTo((f) => f.testid === 'leak-toggle');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('[data-testid="leak-toggle"]').first().getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('[data-testid="leak-name"]').first().textContent(), report.groups[0].name);
  // The path's last step is the leaked object.
  const step = await tabTo((f) => f.testid === 'leak-step' && f.target);
  assert.equal(Number(step.id), report.groups[0].path.at(-1).id);
  await page.keyboard.press('Enter');
  await page.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, step.id);
  await page.keyboard.press('r'); // the Retainers pane's table
  await page.waitForSelector('[data-testid="retainers-table"] [data-testid="row"]');
  assert.equal((await focused()).testid, 'treegrid');
  await page.keyboard.press('ArrowDown');
  const pane = await page.evaluate(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))); // the table's paint
    const grid = document.activeElement;
    const active = grid.querySelector(`#${grid.getAttribute('aria-activedescendant')}`);
    return {
      inPane: !!grid.closest('[data-testid="retainers-table"]'),
      index: active && Number(active.getAttribute('aria-rowindex')),
      edges: [...grid.querySelectorAll('[data-testid="row"][data-depth="0"] > [data-testid="cell-name"] [data-testid="edge-name"]')].map((e) => e.textContent),
    };
  });
  assert.ok(pane.inPane);
  assert.equal(pane.index, 3);
  // The edge by which the path holds the leaked object is one of its retainers.
  const last = report.groups[0].path.at(-1);
  assert.ok(pane.edges.includes(last.edgeType === 'element' ? `[${last.edge}]` : last.edge), `${last.edge} in ${pane.edges}`);
  await context.close();
});

test('shortcuts: ? lists them, / focuses the search, n and p switch snapshots, [ and ] views', T, async () => {
  const { page, context } = await openDemo('1.heapsnapshot');
  await page.locator('[data-testid="tab-summary"]').focus();
  await page.keyboard.press('?');
  const listed = await page.locator('[data-testid="shortcuts"] kbd').allTextContents();
  for (const key of ['?', '/', 'p  n', '[  ]', 'r', 'Enter', 'Shift+F10, \u2630 Menu']) assert.ok(listed.includes(key), `${key} is listed in ${listed}`);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'shortcuts-close');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid="shortcuts"]').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'tab-summary');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('[data-testid="current-snapshot"]').textContent === '2.heapsnapshot');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('[data-testid="current-snapshot"]').textContent === '3.heapsnapshot');
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.querySelector('[data-testid="current-snapshot"]').textContent === '2.heapsnapshot');
  await page.keyboard.press(']');
  assert.equal(await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-testid'), 'tab-comparison');
  await page.keyboard.press('ArrowRight'); // the tab bar's own arrows
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'tab-containment');
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  assert.equal(await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-testid'), 'tab-summary');
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'search-input');
  await page.keyboard.type('n?[');  // typed into the search box, not shortcuts
  assert.equal(await page.locator('[data-testid="search-input"]').inputValue(), 'n?[');
  assert.equal(await page.locator('[data-testid="shortcuts"]').count(), 0);
  await context.close();
});

test('charts: a table with every value, and lighter series colours in the dark theme', T, async () => {
  const { page, context } = await openDemo();
  await page.click('[data-testid="tab-growth"]');
  await viewSettled(page, 'growth');
  const chart = page.locator('[data-testid="growth-heap-chart"]');
  const rows = await chart.locator('[data-testid="chart-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  const totals = [1, 2, 3].map((n) => cliJson('summary', demo(n)).info.totalSize);
  assert.deepEqual(rows.map((r) => r[0]), ['1.heapsnapshot', '2.heapsnapshot', '3.heapsnapshot']);
  assert.deepEqual(rows.map((r) => Number(r[1].split(' bytes')[0].replace(/,/g, ''))), totals);
  assert.match(await chart.locator('svg[role="img"]').getAttribute('aria-label'), /data table/);
  const stroke = () => chart.locator('[data-testid="series"] path').evaluate((p) => getComputedStyle(p).stroke);
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await stroke(), 'rgb(26, 115, 232)');
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await stroke(), 'rgb(138, 180, 248)');
  // The downloaded SVG keeps the light colours and carries no page variable.
  const text = await page.evaluate(() => new Promise((resolve) => {
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob) => { blob.text().then(resolve); return original.call(URL, blob); };
    document.querySelector('[data-testid="growth-heap-chart"] [data-testid="download-svg"]').click();
  }));
  assert.match(text, /stroke="#1a73e8"/);
  assert.doesNotMatch(text, /var\(--/);
  await context.close();
});
