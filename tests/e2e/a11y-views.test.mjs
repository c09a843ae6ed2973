// Realms, Collections and the Retainer Graph, accessible and shareable: their exports
// against the CLI's --json (value for value, in the CLI's order), the graph's objects as
// a table (for screen readers and the keyboard) and in the dark theme, object links from
// their rows' menus by keyboard; and the tab bar at 1024 and 1280 px: nothing clipped,
// every view reached by a click, by the tablist's arrow keys and by its `g` shortcut.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setUpBrowserSuite, repo, cliJson, loadFiles } from './helpers.mjs';

const T = { timeout: 300000 };
const demo = (n) => join(repo, 'www', 'demo', `${n}.heapsnapshot`);
let suite; let session;

before(async () => {
  suite = await setUpBrowserSuite();
  session = await suite.openPage();
  await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.origin });
  // The demo's files, picked (their names are the demo's: the CLI reads the same files).
  await loadFiles(session.page, [1, 2, 3].map(demo));
  await session.page.click('[data-testid="snapshot-item"][data-name="3.heapsnapshot"]');
}, T);
after(() => suite?.teardown());

const page = () => session.page;

/** The text of the file an export button inside `scope` saves, and the file's name. */
async function saved(scope, testid) {
  const button = page().locator(`${scope} [data-testid="${testid}"]`);
  const [file] = await Promise.all([page().waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** The JSON export's rows, without the depth column every export has (always 0 here). */
async function exportedRows(scope) {
  const { name, text } = await saved(scope, 'export-json');
  const rows = JSON.parse(text).rows;
  assert.ok(rows.every((r) => r.depth === 0));
  return { name, rows: rows.map(({ depth, ...rest }) => rest) };
}

test('Realms exports its parts and a part\u2019s classes: the CLI\u2019s realms --json, byte for byte', T, async () => {
  await page().click('[data-testid="tab-realms"]');
  await page().locator('[data-testid="realms-table"]').waitFor();
  const cli = cliJson('realms', demo(3));
  const { name, rows } = await exportedRows('[data-testid="view-realms"]');
  assert.equal(name, 'heaplens-realms-3.json');
  const part = (name, id, filterName, nodeName, stats) => ({ name, id, filterName, nodeName, ...stats });
  const want = [
    ...cli.realms.map((r) => part(r.name, r.id, r.filterName, r.nodeName, r.attributed)),
    part('shared', null, 'sharedNativeContext', null, cli.shared),
    part('none', null, 'noNativeContext', null, cli.unattributed),
  ];
  // Same keys in the CLI's order of the stats, same numbers: the same JSON text.
  const order = ['name', 'id', 'filterName', 'nodeName', 'count', 'size', 'code', 'strings', 'jsArrays', 'system', 'native', 'other'];
  const text = (list) => JSON.stringify(list.map((r) => Object.fromEntries(order.map((k) => [k, r[k]]))));
  assert.equal(text(rows), text(want));
  assert.equal(rows.length, cli.realms.length + 2);

  // A part's classes (the 100 that retain most): the CLI's --realm rows.
  await page().locator('[data-testid="realm-row"][data-filter="noNativeContext"]').click();
  await page().locator('[data-testid="realm-class-table"]').waitFor();
  const classes = await exportedRows('[data-testid="realm-classes"]');
  assert.equal(classes.name, 'heaplens-realm-noNativeContext-3.json');
  const FIELDS = ['name', 'count', 'distance', 'selfSize', 'retainedSize'];
  const summary = cliJson('realms', demo(3), '--realm', 'none').rows.slice(0, 100);
  assert.equal(JSON.stringify(classes.rows), JSON.stringify(summary.map((r) => Object.fromEntries(FIELDS.map((k) => [k, r[k] ?? null])))));
});

test('Collections exports the CLI\u2019s collections --json; a row\u2019s menu copies a link to it, by keyboard', T, async () => {
  await page().click('[data-testid="tab-collections"]');
  await page().locator('[data-testid="collections-table"]').waitFor({ timeout: 60000 });
  const cli = cliJson('collections', demo(1), demo(2), demo(3)).collections;
  assert.ok(cli.length > 0);
  const { name, rows } = await exportedRows('[data-testid="view-collections"]');
  assert.equal(name, 'heaplens-collections-3.json');
  const path = (steps) => steps.map((s, i) => (i === 0 ? s.node : s.edge)).join(' \u203a ');
  const want = cli.map((c) => ({
    id: c.id, heldAs: c.heldAs, kind: c.kind, className: c.className, counts: c.counts.join(' '), perInterval: c.perInterval.join(' '),
    growth: c.growth, selfSize: c.selfSize, retainedSize: c.retainedSize, detachedDom: c.detachedDom, path: path(c.path),
  }));
  assert.equal(JSON.stringify(rows), JSON.stringify(want));
  // CSV: the same numbers, exact bytes.
  const csv = (await saved('[data-testid="view-collections"]', 'export-csv')).text.split('\r\n');
  assert.equal(csv[0], 'depth,id,heldAs,kind,className,counts,perInterval,growth,selfSize,retainedSize,detachedDom,path');
  assert.ok(csv[1].startsWith(`0,${cli[0].id},${cli[0].heldAs},${cli[0].kind},${cli[0].className},${cli[0].counts.join(' ')},`));
  assert.ok(csv[1].includes(`,${cli[0].growth},${cli[0].selfSize},${cli[0].retainedSize},${cli[0].detachedDom},`));

  // The keyboard: Tab reaches the first row; Enter selects it; Shift+F10 opens its menu.
  const first = page().locator('[data-testid="collection-row"]').first();
  await first.focus();
  await page().keyboard.press('Enter');
  await page().waitForFunction((id) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === String(id), cli[0].id);
  await first.focus();
  await page().keyboard.press('Shift+F10');
  assert.equal(await page().evaluate(() => document.activeElement.dataset.testid), 'menu-copy-link');
  await page().keyboard.press('Enter');
  await page().waitForFunction((id) => document.querySelector('[data-testid="toast"]').textContent === `Copied a link to @${id}`, cli[0].id);
  assert.equal(await page().evaluate(() => navigator.clipboard.readText()),
    `${suite.origin}/index.html#view=collections&snapshot=3.heapsnapshot&object=@${cli[0].id}`);
});

test('the Retainer Graph lists its objects in a table that exports the CLI\u2019s graph --json nodes, and follows the dark theme', T, async () => {
  const id = cliJson('collections', demo(1), demo(2), demo(3)).collections[0].id;
  // The object selected in the Collections view is where the graph starts.
  await page().click('[data-testid="tab-graph"]');
  await page().locator('[data-testid="graph-canvas"] svg').waitFor();
  const cli = cliJson('graph', demo(3), `@${id}`);
  const svg = page().locator('[data-testid="graph-canvas"] svg');
  assert.equal(await svg.getAttribute('role'), 'img');
  assert.match(await svg.getAttribute('aria-label'), new RegExp(`@${id}: ${cli.nodes.length} objects, ${cli.edges.length} references, listed in the objects table`));
  await page().click('[data-testid="graph-objects"] summary');
  const table = page().locator('[data-testid="graph-table"]');
  assert.deepEqual(await table.locator('[data-testid="graph-row"]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.id))), cli.nodes.map((n) => n.id));
  // Each object's references in, as the CLI's edges say.
  const into = (i) => cli.edges.filter((e) => e.to === i).map((e) => {
    const from = cli.nodes[e.from];
    return `${e.edgeType === 'element' || e.edgeType === 'hidden' ? `[${e.name}]` : e.name} of ${from.name} @${from.id}`;
  }).join('; ');
  assert.equal(await table.locator('[data-testid="graph-retained-by"]').first().textContent(), into(0));
  const { name, rows } = await exportedRows('[data-testid="graph-objects"]');
  assert.equal(name, `heaplens-graph-${id}-3.json`);
  const FIELDS = ['id', 'name', 'className', 'nodeType', 'distance', 'selfSize', 'retainedSize', 'root', 'hiddenRetainers'];
  const want = cli.nodes.map((n, i) => ({ ...Object.fromEntries(FIELDS.map((k) => [k, n[k] ?? null])), retainedBy: into(i) }));
  assert.equal(JSON.stringify(rows), JSON.stringify(want));

  // Rows by keyboard: the arrow keys move, Enter picks the object (box and row marked).
  await table.locator('[data-testid="graph-row"]').first().focus();
  await page().keyboard.press('ArrowDown');
  await page().keyboard.press('Enter');
  assert.equal(await page().evaluate(() => document.activeElement.dataset.index), '1');
  assert.match(await page().locator('[data-testid="graph-picked"]').textContent(), new RegExp(`@${cli.nodes[1].id}`));
  assert.equal(await svg.locator('g.node.picked').getAttribute('data-index'), '1');
  assert.doesNotMatch(await page().locator('[data-testid="graph-actions"]').textContent(), /null/); // no "null" for an action that does not apply

  // Dark theme: the boxes (not the target, not a root), names and arrows take the theme colours (the SVG says light ones).
  const colours = () => svg.evaluate((s) => {
    const box = getComputedStyle(s.querySelector('g.node:not([data-index="0"]) rect:not([stroke="#4a6fa5"])'));
    return { fill: box.fill, text: getComputedStyle(s.querySelector('g.node text')).fill, arrow: getComputedStyle(s.querySelector('g.edge path')).stroke };
  });
  await page().emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await colours(), { fill: 'rgb(30, 31, 34)', text: 'rgb(227, 227, 227)', arrow: 'rgb(164, 170, 176)' });
  await page().emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await colours(), { fill: 'rgb(255, 255, 255)', text: 'rgb(31, 35, 40)', arrow: 'rgb(92, 99, 107)' });
});

for (const width of [1024, 1280]) {
  test(`at ${width}\u00d7800 the tab bar fits, and every view is reached by a click, the arrow keys and its g shortcut`, T, async () => {
    const p = page();
    await p.setViewportSize({ width, height: 800 });
    await p.click('[data-testid="tab-summary"]');
    const tabs = await p.locator('[role="tab"]').evaluateAll((all) => all.map((t) => ({ key: t.dataset.testid.replace(/^tab-/, ''), keys: t.dataset.shortcut })));
    assert.ok(tabs.length >= 13, `${tabs.length} views`);
    // Nothing sticks out: neither the page nor the tab bar scrolls sideways, every tab is inside the window.
    const layout = await p.evaluate(() => ({
      page: document.documentElement.scrollWidth - innerWidth,
      bar: document.querySelector('.tabs').scrollWidth - document.querySelector('.tabs').clientWidth,
      outside: [...document.querySelectorAll('[role="tab"]')].filter((t) => {
        const box = t.getBoundingClientRect();
        return box.width === 0 || box.left < 0 || box.right > innerWidth;
      }).map((t) => t.textContent),
    }));
    assert.deepEqual(layout, { page: 0, bar: 0, outside: [] });
    const selected = () => p.locator('[role="tab"][aria-selected="true"]').getAttribute('data-testid');
    for (const { key } of tabs) {
      await p.click(`[data-testid="tab-${key}"]`);
      assert.equal(await selected(), `tab-${key}`);
      assert.equal(await p.locator(`#view-panel [data-testid="view-${key}"]`).count(), 1, key);
    }
    // The tablist's keys: Home, then ArrowRight through every view, End.
    await p.locator('[role="tab"][aria-selected="true"]').focus();
    await p.keyboard.press('Home');
    for (const [i, { key }] of tabs.entries()) {
      if (i > 0) await p.keyboard.press('ArrowRight');
      assert.equal(await p.evaluate(() => document.activeElement.dataset.testid), `tab-${key}`);
      assert.equal(await selected(), `tab-${key}`);
    }
    await p.keyboard.press('Home');
    await p.keyboard.press('End');
    assert.equal(await selected(), `tab-${tabs.at(-1).key}`);
    // g and a letter: every view has one, all different, listed in the ? overlay.
    const letters = tabs.map((t) => t.keys);
    assert.ok(letters.every((k) => /^g [a-z]$/.test(k)), letters.join());
    assert.equal(new Set(letters).size, tabs.length);
    for (const { key, keys } of [...tabs].reverse()) {
      await p.keyboard.press('g');
      await p.keyboard.press(keys.at(-1));
      assert.equal(await selected(), `tab-${key}`);
    }
    await p.keyboard.press('?');
    const listed = await p.locator('[data-testid="shortcuts"] kbd').allTextContents();
    for (const { keys } of tabs) assert.ok(listed.includes(keys), `${keys} listed`);
    assert.ok(listed.includes('1 \u2026 9'), 'the digits still listed');
    await p.keyboard.press('Escape');
    await p.keyboard.press('2'); // the digits still work
    assert.equal(await selected(), `tab-${tabs[1].key}`);
  });
}
