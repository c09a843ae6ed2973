// Exports from the tables (lib/export.js) against the CLI's --json rows, value for value:
// the Summary as JSON and CSV (every class, also those not loaded yet), an expanded class
// with its filter, Copy as TSV on the clipboard, the Retainers pane and the Leaks groups;
// and "Copy link to object" from a row's menu, by mouse and by keyboard, opening the
// same object.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setUpBrowserSuite, repo, cliJson, settled } from './helpers.mjs';

const T = { timeout: 300000 };
const demo = (n) => join(repo, 'www', 'demo', `${n}.heapsnapshot`);
const CLASS_FIELDS = ['name', 'count', 'distance', 'selfSize', 'retainedSize'];
let suite; let session;

before(async () => {
  suite = await setUpBrowserSuite();
  session = await suite.openPage();
  await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.origin });
  await session.page.click('[data-testid="demo-button"]');
  await session.page.waitForFunction(() => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === 3 && items.every((i) => i.dataset.status === 'ready');
  }, null, { timeout: 120000 });
  await session.page.click('[data-testid="snapshot-item"][data-name="1.heapsnapshot"]');
}, T);
after(() => suite?.teardown());

const page = () => session.page;
const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k] ?? null]));

/** Clicks an export button inside `scope` and resolves to the downloaded file's name and text. */
async function download(scope, testid) {
  const [file] = await Promise.all([page().waitForEvent('download'), page().click(`${scope} [data-testid="${testid}"]`)]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** RFC 4180 CSV into rows of strings. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += c;
  }
  return rows;
}

async function summaryFilter(text) {
  await page().fill('[data-testid="view-summary"] [data-testid="class-filter"]', text);
  await page().waitForFunction((text) => {
    const t = document.querySelector('[data-testid="summary-table"]');
    const names = [...t.querySelectorAll('[data-testid="row"][data-depth="0"] [data-testid="class-name"]')].map((e) => e.textContent.toLowerCase());
    return !t.dataset.busy && names.length > 0 && names.every((n) => n.includes(text.toLowerCase()));
  }, text);
}

test('Summary as JSON: every class (also the ones not loaded yet), value for value the CLI\u2019s summary --json rows', T, async () => {
  await settled(page(), 'summary-table');
  const cli = cliJson('summary', demo(1)).rows;
  assert.ok(cli.length > 100, 'more classes than the first page');
  const { name, text } = await download('[data-testid="view-summary"]', 'export-json');
  assert.equal(name, 'heaplens-summary-1.json');
  const json = JSON.parse(text);
  assert.deepEqual(json.columns, ['depth', 'name', 'edge', 'id', 'count', 'distance', 'selfSize', 'retainedSize']);
  assert.ok(json.rows.every((r) => r.depth === 0));
  assert.deepEqual(json.rows.map((r) => pick(r, CLASS_FIELDS)), cli.map((r) => pick(r, CLASS_FIELDS)));
});

test('Summary as CSV: the same rows, names with commas quoted, exact bytes', T, async () => {
  const cli = cliJson('summary', demo(1)).rows;
  const { name, text } = await download('[data-testid="view-summary"]', 'export-csv');
  assert.equal(name, 'heaplens-summary-1.csv');
  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header, ['depth', 'name', 'edge', 'id', 'count', 'distance', 'selfSize', 'retainedSize']);
  const number = (cell) => (cell === '' ? null : Number(cell));
  const read = rows.map((r) => ({ name: r[1], count: number(r[4]), distance: number(r[5]), selfSize: number(r[6]), retainedSize: number(r[7]) }));
  assert.deepEqual(read, cli.map((r) => pick(r, CLASS_FIELDS)));
  assert.ok(read.some((r) => r.name.includes(',')), 'a class name with a comma made the round trip');
});

test('an expanded, filtered class exports its class row and every instance, in the table\u2019s order', T, async () => {
  const cli = cliJson('summary', demo(1)).rows.filter((r) => r.name.toLowerCase().includes('simpleclass'));
  await summaryFilter('SimpleClass');
  await page().locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="expander"]').first().click();
  await settled(page(), 'summary-table');
  const { text } = await download('[data-testid="view-summary"]', 'export-json');
  const rows = JSON.parse(text).rows;
  const classes = rows.filter((r) => r.depth === 0);
  assert.deepEqual(classes.map((r) => pick(r, CLASS_FIELDS)), cli.map((r) => pick(r, CLASS_FIELDS)));
  // The first class is expanded: all its instances follow it (more than a page of them), the rest do not.
  const instances = rows.slice(1, 1 + cli[0].count);
  assert.equal(rows.length, cli.length + cli[0].count);
  assert.ok(cli[0].count > 100, `${cli[0].count} instances: more than one page`);
  assert.ok(instances.every((r) => r.depth === 1 && Number.isInteger(r.id) && r.count === null));
  assert.equal(instances.reduce((sum, r) => sum + r.selfSize, 0), cli[0].selfSize);
  assert.equal(new Set(instances.map((r) => r.id)).size, cli[0].count);
  // The table's own first instance is the export's.
  const shown = await page().locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first().getAttribute('data-id');
  assert.equal(instances[0].id, Number(shown));
});

test('Copy as TSV puts the rows shown on the clipboard', T, async () => {
  const cli = cliJson('summary', demo(1)).rows.filter((r) => r.name.toLowerCase().includes('error'));
  await summaryFilter('Error');
  await page().click('[data-testid="view-summary"] [data-testid="export-tsv"]');
  await page().waitForFunction(() => /^Copied/.test(document.querySelector('[data-testid="view-summary"] [data-testid="export-status"]').textContent));
  const expected = ['depth\tname\tedge\tid\tcount\tdistance\tselfSize\tretainedSize',
    ...cli.map((r) => `0\t${r.name}\t\t\t${r.count}\t${r.distance ?? ''}\t${r.selfSize}\t${r.retainedSize}`)].join('\n') + '\n';
  assert.equal(await page().evaluate(() => navigator.clipboard.readText()), expected);
  assert.equal(await page().locator('[data-testid="view-summary"] [data-testid="export-status"]').textContent(), `Copied ${cli.length} rows as TSV`);
});

test('Comparison, Statistics, Containment and Dominators export the CLI\u2019s numbers and the rows their tables hold', T, async () => {
  const p = page();
  await p.click('[data-testid="snapshot-item"][data-name="3.heapsnapshot"]');
  await p.click('[data-testid="tab-comparison"]');
  await settled(p, 'comparison-table');
  const diff = cliJson('diff', demo(2), demo(3)).rows;
  const { name, text } = await download('[data-testid="view-comparison"]', 'export-json');
  assert.equal(name, 'heaplens-comparison-2-3.json');
  const FIELDS = ['name', 'newCount', 'deletedCount', 'deltaCount', 'addedSize', 'freedSize', 'sizeDelta'];
  assert.deepEqual(JSON.parse(text).rows.map((r) => pick(r, FIELDS)), diff.map((r) => pick(r, FIELDS)));

  await p.click('[data-testid="tab-statistics"]');
  await p.waitForSelector('[data-testid="stats-table"]');
  const stats = cliJson('stats', demo(3));
  const slices = Object.fromEntries(JSON.parse((await download('[data-testid="view-statistics"]', 'export-json')).text).rows.map((r) => [r.category, r.bytes]));
  assert.deepEqual([slices.Code, slices.Strings, slices['JS arrays'], slices['Typed arrays'], slices['System objects'], slices.Total],
    [stats.v8heap.code, stats.v8heap.strings, stats.v8heap.jsArrays, stats.native.typedArrays, stats.v8heap.system, stats.total]);

  for (const view of ['containment', 'dominators']) {
    await p.click(`[data-testid="tab-${view}"]`);
    await settled(p, `${view}-table`);
    const shown = await p.locator(`[data-testid="${view}-table"] [data-testid="row"][data-depth="0"]`).evaluateAll((rows) => ({
      ids: rows.map((r) => Number(r.dataset.id)),
      total: Number(rows[0].getAttribute('aria-setsize')),
    }));
    const rows = JSON.parse((await download(`[data-testid="view-${view}"]`, 'export-json')).text).rows;
    assert.equal(rows.length, shown.total, `${view}: every top-level row`);
    assert.deepEqual(rows.slice(0, shown.ids.length).map((r) => r.id), shown.ids);
    assert.ok(rows.every((r) => Number.isInteger(r.selfSize) && Number.isInteger(r.retainedSize)));
  }
});

test('the Retainers pane and the Leaks groups export the CLI\u2019s retainers and leak groups', T, async () => {
  const report = cliJson('leaks', demo(1), demo(2), demo(3));
  await page().click('[data-testid="tab-leaks"]');
  await page().waitForSelector('[data-testid="leak-table"]');
  const leaks = JSON.parse((await download('[data-testid="view-leaks"]', 'export-json')).text).rows;
  const GROUP_FIELDS = ['name', 'count', 'selfSize', 'retainedSize', 'growsEveryInterval'];
  assert.deepEqual(leaks.map((r) => pick(r, GROUP_FIELDS)), report.groups.map((g) => pick(g, GROUP_FIELDS)));
  assert.deepEqual(leaks.map((r) => r.countsPerSnapshot), report.groups.map((g) => g.counts.join(' ')));

  // The leaked object of the first group, in the newest snapshot.
  const id = report.groups[0].path.at(-1).id;
  await page().locator('[data-testid="leak-toggle"]').first().click();
  await page().locator(`[data-testid="leak-step"][data-id="${id}"]`).click();
  await settled(page(), 'retainers-table');
  const retainers = cliJson('retainers', demo(3), `@${id}`).retainers.rows;
  const { name, text } = await download('[data-testid="retainers-pane"]', 'export-json');
  assert.equal(name, `heaplens-retainers-3-${id}.json`);
  const top = JSON.parse(text).rows.filter((r) => r.depth === 0);
  const FIELDS = ['id', 'selfSize', 'retainedSize', 'distance'];
  assert.deepEqual(top.map((r) => pick(r, FIELDS)), retainers.map((e) => pick(e.node, FIELDS)));
  assert.deepEqual(top.map((r) => r.edge), retainers.map((e) => (e.edgeType === 'element' || e.edgeType === 'hidden' ? `[${e.edgeName}]` : e.edgeName)));
});

test('"Copy link to object" from a row\u2019s menu, by mouse and by keyboard, opens that object', T, async () => {
  const p = page();
  await p.click('[data-testid="snapshot-item"][data-name="1.heapsnapshot"]');
  await p.click('[data-testid="tab-summary"]');
  await summaryFilter('SimpleClass');
  await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="expander"]').first().click();
  await settled(p, 'summary-table');
  const row = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first();
  const id = await row.getAttribute('data-id');
  await row.click({ button: 'right' });
  await p.click('[data-testid="context-menu"] [data-testid="menu-copy-link"]');
  await p.waitForFunction((id) => document.querySelector('[data-testid="toast"]').textContent === `Copied a link to @${id}`, id);
  const link = await p.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, `${suite.origin}/index.html#view=summary&snapshot=1.heapsnapshot&class=SimpleClass&object=@${id}`);

  // By keyboard: the grid's active row, then Shift+F10 (the menu takes the focus), Enter.
  await p.evaluate(() => navigator.clipboard.writeText(''));
  await p.locator('[data-testid="summary-table"] [role="treegrid"]').focus();
  await p.keyboard.press('Home');
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Shift+F10');
  assert.equal(await p.evaluate(() => document.activeElement.dataset.testid), 'menu-copy-link');
  await p.keyboard.press('Enter');
  await p.waitForFunction(async () => (await navigator.clipboard.readText()) !== '');
  const second = await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').nth(1).getAttribute('data-id');
  assert.equal(await p.evaluate(() => navigator.clipboard.readText()), link.replace(`@${id}`, `@${second}`));

  // The link, opened in a new tab that loads the demo, shows that object's retainers.
  const other = await suite.openPage();
  await other.page.goto(link);
  await other.page.click('[data-testid="demo-button"]');
  await other.page.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, id, { timeout: 120000 });
  assert.equal(await other.page.locator('[data-testid="current-snapshot"]').textContent(), '1.heapsnapshot');
  assert.equal(await other.page.locator('[data-testid="class-filter"]').inputValue(), 'SimpleClass');
  await other.context.close();
});
