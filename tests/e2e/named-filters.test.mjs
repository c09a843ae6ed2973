// What today's DevTools adds, in the page: the Summary's filter drop-down offers the
// named filters below the "allocated between" ranges, and picking one shows the CLI's
// rows for it (which tests/devtools_today.rs checks against today's DevTools); the
// Strings view lists duplicated values; the Closures view finds the context an unused
// closure keeps a big value alive in, and in a Chromium snapshot (which has V8's scope
// tables) marks that value dead. Saves screenshots in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot, item, chromiumSnapshots } from './helpers.mjs';

const T = { timeout: 180000 };
let suite; let session; let file; let chromiumFile;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { strings: ['strings-and-closures.cjs', 1] } });
  [file] = suite.snapshots.strings;
  // A snapshot of closures.html in headless Chromium, with V8's scope tables.
  [chromiumFile] = chromiumSnapshots(suite.dir, 'closures.html', ['closures-page.heapsnapshot']);
  session = await suite.openPage();
  await loadFiles(session.page, [file, chromiumFile]);
}, T);

after(() => suite?.teardown());

/** [name, count] of the Summary's class rows, once the table has settled. */
async function classRows(p) {
  await settled(p, 'summary-table');
  return p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]').evaluateAll((rows) => rows.map((r) => [
    r.querySelector('[data-testid="class-name"]').textContent,
    Number((r.querySelector('[data-testid="class-count"]')?.textContent ?? '×1').replace(/[^0-9]/g, '')),
  ]));
}

test('the Summary filter list offers the named filters and "Duplicated strings" shows their rows', T, async () => {
  const p = session.page;
  await item(p, 'strings.heapsnapshot').click();
  await p.click('[data-testid="tab-summary"]');
  const select = p.locator('[data-testid="view-summary"] [data-testid="range-filter"]');
  const labels = await select.locator('option').allTextContents();
  for (const title of ['Duplicated strings', 'Objects retained by detached DOM nodes', 'Objects retained by contexts',
    'Objects retained by DevTools Console', 'Objects retained by event handlers']) {
    assert.ok(labels.includes(title), `${title} in ${labels}`);
  }
  await select.selectOption('filter:duplicatedStrings');
  await p.waitForFunction(() => {
    const names = [...document.querySelectorAll('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="class-name"]')];
    return names.length > 0 && names.every((n) => /string\)$/.test(n.textContent));
  });
  const cli = cliJson('summary', file, '--filter', 'duplicated-strings').rows.map((c) => [c.name, c.count]);
  assert.deepEqual((await classRows(p)).sort(), cli.sort());
  await screenshot(p, 'summary-duplicated-strings');
  await select.selectOption('');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]').length > 2);
});

/** The top-level rows' first cells of a table, once it has settled. */
async function topRows(p, testid) {
  await settled(p, testid);
  return p.locator(`[data-testid="${testid}"] [data-testid="row"][data-depth="0"]`).evaluateAll((rows) => rows.map((r) => r.textContent));
}

test('the Strings view lists the value held most often first, with its copies', T, async () => {
  const p = session.page;
  await item(p, 'strings.heapsnapshot').click();
  await p.click('[data-testid="tab-strings"]');
  await settled(p, 'strings-table');
  const first = p.locator('[data-testid="strings-table"] [data-testid="row"][data-depth="0"]').first();
  assert.match(await first.locator('[data-testid="string-value"]').textContent(), /^duplicated-line:/);
  assert.equal(await first.locator('[data-testid="string-copies"]').textContent(), ' \u00d7300');
  await first.locator('[data-testid="expander"]').click();
  // Its first 20 copies, each a (string) object.
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="strings-table"] [data-testid="row"][data-depth="1"]').length === 20);
  await screenshot(p, 'strings');
});

test('the Closures view ranks first the contexts an unused closure keeps a Hoard alive in', T, async () => {
  const p = session.page;
  await item(p, 'strings.heapsnapshot').click();
  await p.click('[data-testid="tab-closures"]');
  const rows = await topRows(p, 'closures-table');
  for (const row of rows.slice(0, 3)) assert.match(row, /of handler/);
  assert.match(await p.locator('[data-testid="closures-note"]').textContent(), /no scope tables/);
  await screenshot(p, 'closures-node');
  await item(p, 'closures-page.heapsnapshot').click();
  await p.click('[data-testid="tab-closures"]');
  await p.waitForFunction(() => /can read/.test(document.querySelector('[data-testid="closures-note"]')?.textContent ?? ''));
  const chromiumRows = await topRows(p, 'closures-table');
  for (const row of chromiumRows.slice(0, 3)) assert.match(row, /of handler/);
  await screenshot(p, 'closures-chromium');
});
