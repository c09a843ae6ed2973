// The page's main views against three snapshots of the classic leak, checked against
// the CLI's numbers. Saves a screenshot of each view in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUpBrowserSuite, cliJson, loadFiles, settled, item, screenshot, bytesOf } from './helpers.mjs';

const T = { timeout: 180000 };
let suite; let session; let files;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { leak: ['classic-leak.cjs', 3] } });
  files = suite.snapshots.leak;
  session = await suite.openPage();
  // Distinct names, given out of capture order: the list must sort them by capture.
  await loadFiles(session.page, [files[2], files[0], files[1]]);
}, T);

after(() => suite?.teardown());

const page = () => session.page;

/** Fills a view's class filter and waits for the filtered rows (the old ones may still show). */
async function filterClasses(view, table, text) {
  const p = page();
  await p.fill(`[data-testid="${view}"] [data-testid="class-filter"]`, text);
  await p.waitForFunction(({ table, text }) => {
    const t = document.querySelector(`[data-testid="${table}"]`);
    const names = [...t.querySelectorAll('[data-testid="row"][data-depth="0"] [data-testid="class-name"]')].map((e) => e.textContent.toLowerCase());
    return !t.dataset.busy && names.length > 0 && names.every((n) => n.includes(text.toLowerCase()));
  }, { table, text });
}

async function summaryRow(className) {
  const p = page();
  await p.click('[data-testid="tab-summary"]');
  await filterClasses('view-summary', 'summary-table', className);
  const row = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]')
    .filter({ has: p.locator('[data-testid="class-name"]', { hasText: new RegExp(`^${className}$`) }) });
  await row.first().waitFor();
  return row.first();
}

test('every snapshot loads and the list is in capture order', T, async () => {
  const p = page();
  const names = await p.locator('[data-testid="snapshot-item"] [data-testid="snapshot-name"]').allTextContents();
  assert.deepEqual(names, ['leak-1.heapsnapshot', 'leak-2.heapsnapshot', 'leak-3.heapsnapshot']);
  const statuses = await p.locator('[data-testid="snapshot-item"]').evaluateAll((els) => els.map((e) => e.dataset.status));
  assert.deepEqual(statuses, ['ready', 'ready', 'ready']);
  const cli = cliJson('summary', files[0]);
  const nodes = await item(p, 'leak-1.heapsnapshot').locator('[data-testid="snapshot-nodes"]').getAttribute('data-nodes');
  assert.equal(Number(nodes), cli.info.nodes);
});

test('Summary shows the same SimpleClass count, shallow and retained size as the CLI', T, async () => {
  const p = page();
  await item(p, 'leak-2.heapsnapshot').click();
  const cli = cliJson('summary', files[1]).rows.find((c) => c.name === 'SimpleClass');
  assert.ok(cli, 'the CLI lists SimpleClass');
  const row = await summaryRow('SimpleClass');
  assert.equal(await row.locator('[data-testid="class-count"]').textContent(), ` \u00d7${cli.count.toLocaleString('en-US')}`);
  assert.equal(bytesOf(await row.locator('[data-testid="cell-selfSize"]').getAttribute('title')), cli.selfSize);
  assert.equal(bytesOf(await row.locator('[data-testid="cell-retainedSize"]').getAttribute('title')), cli.retainedSize);
  assert.equal(await row.locator('[data-testid="cell-distance"]').textContent(), cli.distance === null ? '\u2212' : String(cli.distance));
  await p.fill('[data-testid="view-summary"] [data-testid="class-filter"]', '');
  await p.waitForTimeout(600);
  await screenshot(p, 'summary');
});

test('Summary sorts by a column when its header is clicked', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-summary"]');
  await settled(page(), 'summary-table');
  await p.click('[data-testid="summary-table"] [data-testid="header-name"]');
  await p.waitForFunction(() => document.querySelector('[data-testid="header-name"]').classList.contains('active'));
  await settled(page(), 'summary-table');
  const names = await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="class-name"]').allTextContents();
  assert.ok(names.length > 3);
  const byCodeUnit = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byLocale = [...names].sort((a, b) => a.localeCompare(b));
  assert.ok(JSON.stringify(names) === JSON.stringify(byCodeUnit) || JSON.stringify(names) === JSON.stringify(byLocale), `ascending by name: ${names.slice(0, 8)}`);
  await p.click('[data-testid="summary-table"] [data-testid="header-name"]');
  await settled(page(), 'summary-table');
  const descending = await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="class-name"]').allTextContents();
  assert.notEqual(descending[0], names[0], 'a second click reverses the order');
  await p.click('[data-testid="summary-table"] [data-testid="header-retainedSize"]');
});

test('Retainers of a SimpleClass instance lead through leakyData', T, async () => {
  const p = page();
  await item(p, 'leak-2.heapsnapshot').click();
  const row = await summaryRow('SimpleClass');
  await row.locator('[data-testid="expander"]').click();
  const instance = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first();
  await instance.waitFor();
  const id = await instance.getAttribute('data-id');
  await instance.click();
  const pane = p.locator('[data-testid="retainers-pane"]');
  await p.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, id);
  await pane.locator('[data-testid="edge-name"]', { hasText: /^leakyData$/ }).first().waitFor({ timeout: 30000 });
  const depths = await pane.locator('[data-testid="row"]').evaluateAll((els) => els.map((e) => Number(e.dataset.depth)));
  assert.ok(Math.max(...depths) >= 1, 'the first retainer was expanded automatically');
  await screenshot(p, 'retainers');
});

test('a class expands 100 instances at a time and the DOM keeps only the visible rows', T, async () => {
  const p = page();
  await item(p, 'leak-3.heapsnapshot').click();
  const row = await summaryRow('SimpleClass');
  await row.locator('[data-testid="expander"]').click();
  const table = p.locator('[data-testid="summary-table"]');
  await table.locator('[data-testid="row"][data-depth="1"]').first().waitFor();
  const canvasHeight = () => table.locator('.tt-canvas').evaluate((e) => e.getBoundingClientRect().height);
  const rowHeight = await table.locator('[data-testid="row"]').first().evaluate((e) => e.getBoundingClientRect().height);
  assert.equal(Math.round(await canvasHeight() / rowHeight), 1 + 100 + 1, 'class row, 100 instances, "Show more"');
  await table.locator('.tt-scroller').evaluate((e) => { e.scrollTop = e.scrollHeight; });
  await table.locator('[data-testid="show-more"]').click();
  await p.waitForFunction(() => {
    const c = document.querySelector('[data-testid="summary-table"] .tt-canvas');
    return c.getBoundingClientRect().height > 150 * 22;
  });
  assert.equal(Math.round(await canvasHeight() / rowHeight), 1 + 200 + 1);
  const inDom = await table.locator('[data-testid="row"]').count();
  assert.ok(inDom < 120, `${inDom} rows in the DOM`);
});

test('Ignoring a retainer marks it ignored, and it can be restored', T, async () => {
  const p = page();
  const row = await summaryRow('SimpleClass');
  await row.locator('[data-testid="expander"]').click();
  await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first().click();
  const pane = p.locator('[data-testid="retainers-pane"]');
  const first = pane.locator('[data-testid="row"][data-depth="0"]').first();
  await first.waitFor();
  await first.click({ button: 'right' });
  await p.click('[data-testid="menu-ignore"]');
  await pane.locator('[data-testid="row"][data-ignored="true"]').first().waitFor();
  const again = pane.locator('[data-testid="row"][data-ignored="true"]').first();
  await again.click({ button: 'right' });
  await p.click('[data-testid="menu-unignore"]');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="retainers-pane"] [data-testid="row"][data-ignored="true"]').length === 0);
});

test('Comparison of snapshot 2 against snapshot 1 lists new SimpleClass objects', T, async () => {
  const p = page();
  await item(p, 'leak-2.heapsnapshot').click();
  await p.click('[data-testid="tab-comparison"]');
  const base = p.locator('[data-testid="base-select"]');
  assert.equal(await base.locator('option:checked').textContent(), 'leak-1.heapsnapshot');
  await filterClasses('view-comparison', 'comparison-table', 'SimpleClass');
  const row = p.locator('[data-testid="comparison-table"] [data-testid="row"][data-depth="0"]')
    .filter({ has: p.locator('[data-testid="class-name"]', { hasText: /^SimpleClass$/ }) }).first();
  await row.waitFor();
  const added = Number((await row.locator('[data-testid="cell-newCount"]').textContent()).replace(/,/g, ''));
  const deleted = Number((await row.locator('[data-testid="cell-deletedCount"]').textContent()).replace(/,/g, ''));
  assert.ok(added > 0, `# New is ${added}`);
  await row.locator('[data-testid="expander"]').click();
  await p.locator('[data-testid="comparison-table"] [data-testid="row"][data-depth="1"]').first().waitFor();
  await screenshot(p, 'comparison');
  await p.fill('[data-testid="view-comparison"] [data-testid="class-filter"]', '');
  const c1 = cliJson('summary', files[0]).rows.find((c) => c.name === 'SimpleClass').count;
  const c2 = cliJson('summary', files[1]).rows.find((c) => c.name === 'SimpleClass').count;
  assert.equal(added - deleted, c2 - c1);
});

test('Searching @id selects that object and shows its retainers', T, async () => {
  const p = page();
  await item(p, 'leak-3.heapsnapshot').click();
  const row = await summaryRow('SimpleClass');
  await row.locator('[data-testid="expander"]').click();
  const instance = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').nth(5);
  await instance.waitFor();
  const id = await instance.getAttribute('data-id');
  await p.click('[data-testid="tab-containment"]'); // the selection must come from the search alone
  await p.fill('[data-testid="search-input"]', `@${id}`);
  await p.press('[data-testid="search-input"]', 'Enter');
  await p.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, id);
  const label = await p.locator('[data-testid="selected-object"]').textContent();
  assert.match(label, new RegExp(`@${id}$`));
  await p.locator('[data-testid="retainers-pane"] [data-testid="row"]').first().waitFor();
});

test('Containment starts at the root and expands into edges', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-containment"]');
  const first = p.locator('[data-testid="containment-table"] [data-testid="row"][data-depth="0"]').first();
  await first.waitFor();
  assert.match(await first.locator('[data-testid="cell-name"]').textContent(), / :: .* @\d+/);
  await first.locator('[data-testid="expander"]').click();
  await p.locator('[data-testid="containment-table"] [data-testid="row"][data-depth="1"]').first().waitFor();
  await screenshot(p, 'containment');
});

test('Dominators starts at the root children, largest first', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-dominators"]');
  const rows = p.locator('[data-testid="dominators-table"] [data-testid="row"][data-depth="0"]');
  await rows.first().waitFor();
  const sizes = await rows.locator('[data-testid="cell-retainedSize"]').evaluateAll((els) => els.map((e) => Number(e.title.replace(/[^0-9]/g, ''))));
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  await screenshot(p, 'dominators');
});

test('Statistics draws the seven DevTools slices', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-statistics"]');
  await p.locator('[data-testid="stats-chart"]').waitFor();
  const names = await p.locator('[data-testid="stats-name"]').allTextContents();
  assert.deepEqual(names, ['Code', 'Strings', 'JS arrays', 'Typed arrays', 'System objects', 'Other JS objects', 'Other non-JS objects (such as HTML and CSS)']);
  const slices = await p.locator('[data-testid="stats-chart"] path, [data-testid="stats-chart"] circle').count();
  assert.ok(slices >= 3, `${slices} slices drawn`);
  await screenshot(p, 'statistics');
});

test('no request leaves the page origin', T, async () => {
  assert.ok(session.requests.length > 0);
  const foreign = session.requests.filter((u) => !u.startsWith(`${suite.origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(session.errors, []);
});
