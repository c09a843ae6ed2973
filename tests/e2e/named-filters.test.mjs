// The Summary's filter drop-down offers DevTools' named filters below the
// "allocated between" ranges; picking one shows the CLI's rows for it
// (which tests/devtools_today.rs checks against today's DevTools).
// Saves a screenshot in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot } from './helpers.mjs';

const T = { timeout: 180000 };
let suite; let session; let file;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { strings: ['strings-and-closures.cjs', 1] } });
  [file] = suite.snapshots.strings;
  session = await suite.openPage();
  await loadFiles(session.page, [file]);
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
  const cli = cliJson('summary', file, '--filter', 'duplicated-strings').classes.map((c) => [c.name, c.count]);
  assert.deepEqual((await classRows(p)).sort(), cli.sort());
  await screenshot(p, 'summary-duplicated-strings');
  await select.selectOption('');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]').length > 2);
});
