// The Profile view, in the page: a sampling heap profile node writes for
// tests/fixtures/programs/report-cache.cjs under --heap-prof opens from the file picker
// (once as .heapprofile, once under a .json name: told by its content), and shows the
// bottom-up and top-down trees `heaplens profile --json` prints, a flame chart with the
// frames of the functions that allocated what the cache keeps, and a range selector over
// the samples' ordinals whose selection gives the trees today's DevTools gives for the
// same ordinals (tests/oracle/devtools-heapprofile.mjs). A profile loaded beside a heap
// snapshot stays out of the views that need snapshots. Names from the file are text, a
// folder with a profile opens it, and axe-core finds nothing on the view in either theme.
// Saves screenshots (light and dark) in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot, item, repo } from './helpers.mjs';

const T = { timeout: 240000 };
let suite; let session; let profileFile; let cli;

/**
 * Writes the fixture's .heapprofile into `dir` with node --heap-prof, sampling every 32 KiB
 * (the default, 512 KiB, leaves a function out of some runs: sampling is random).
 */
function recordProfile(dir) {
  execFileSync(process.execPath, ['--heap-prof', '--heap-prof-interval=32768', `--heap-prof-dir=${dir}`, '--heap-prof-name=report.heapprofile',
    join(repo, 'tests', 'fixtures', 'programs', 'report-cache.cjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return join(dir, 'report.heapprofile');
}

before(async () => {
  suite = await setUpBrowserSuite({ programs: { leak: ['classic-leak.cjs', 2] } });
  profileFile = recordProfile(suite.dir);
  copyFileSync(profileFile, join(suite.dir, 'report-profile.json'));
  cli = cliJson('profile', profileFile);
  session = await suite.openPage();
  await loadFiles(session.page, [profileFile, join(suite.dir, 'report-profile.json'), ...suite.snapshots.leak]);
}, T);

after(() => suite?.teardown());

/** Siblings in the view's order: bottom-up by self size, top-down by total, then by name and place. */
function ordered(rows, bySelf) {
  const [key, other] = bySelf ? ['selfSize', 'totalSize'] : ['totalSize', 'selfSize'];
  return [...rows].sort((a, b) => b[key] - a[key] || b[other] - a[other]
    || a.functionName.localeCompare(b.functionName) || a.url.localeCompare(b.url) || a.line - b.line || a.column - b.column);
}

/** The top-level rows the Profile table shows: [name, self, total]. */
async function shownRows(p) {
  await settled(p, 'profile-table');
  return p.$$eval('[data-testid="profile-table"] [data-testid="row"][data-depth="0"]', (rows) => rows.map((r) => [
    r.querySelector('[data-testid="profile-function"]').textContent,
    Number(r.querySelector('[data-testid="cell-selfSize"]').dataset.bytes),
    Number(r.querySelector('[data-testid="cell-totalSize"]').dataset.bytes),
  ]));
}

const expected = (rows, bySelf, n) => ordered(rows, bySelf).slice(0, n).map((r) => [r.functionName, r.selfSize, r.totalSize]);

async function openProfile(p, name) {
  await item(p, name).click();
  await p.locator('[data-testid="view-profile"]:not([data-busy])').waitFor();
}

test('a .heapprofile shows the trees heaplens profile --json prints', T, async () => {
  const p = session.page;
  await openProfile(p, 'report.heapprofile');
  assert.equal(await p.locator('[data-testid="profile-total"]').getAttribute('data-total'), String(cli.total));
  assert.match(await item(p, 'report.heapprofile').textContent(), /profile, [\d,]+ samples/);
  const bottomUp = await shownRows(p);
  assert.ok(bottomUp.length >= 5, `${bottomUp.length} rows`);
  assert.deepEqual(bottomUp, expected(cli.bottomUp, true, bottomUp.length));
  assert.ok(bottomUp.some(([name]) => name === 'renderRow'));
  // renderRow's callers: renderReport only, as the CLI has it.
  const row = p.locator('[data-testid="profile-table"] [data-testid="row"][data-depth="0"]')
    .filter({ has: p.locator('[data-testid="profile-function"]', { hasText: /^renderRow$/ }) });
  await row.locator('[data-testid="expander"]').click();
  const callers = p.locator('[data-testid="profile-table"] [data-testid="row"][data-depth="1"] [data-testid="profile-function"]');
  await callers.first().waitFor();
  assert.deepEqual(await callers.allTextContents(), cli.bottomUp.find((r) => r.functionName === 'renderRow').children.map((c) => c.functionName));

  await p.selectOption('[data-testid="profile-mode"]', 'topDown');
  const topDown = await shownRows(p);
  assert.deepEqual(topDown, expected(cli.topDown, false, topDown.length));
});

test('the flame chart has the frames of what the cache keeps, and a click selects one as text', T, async () => {
  const p = session.page;
  await openProfile(p, 'report.heapprofile');
  const frame = p.locator('[data-testid="flame-frame"][data-function="renderRow"]').first();
  await frame.waitFor();
  const inCli = (rows) => rows.flatMap((r) => [r, ...inCli(r.children)]);
  const renderRow = inCli(cli.topDown).filter((r) => r.functionName === 'renderRow');
  assert.ok(renderRow.length > 0, 'the CLI has renderRow in its top-down tree');
  assert.equal(Number(await frame.getAttribute('data-total')), renderRow[0].totalSize);
  await frame.click();
  const selected = await p.locator('[data-testid="flame-selected"]').textContent();
  assert.match(selected, /^renderRow .*report-cache\.cjs:16:\d+$/);
  assert.equal(await p.locator('[data-testid="flame-reset"]').isDisabled(), false);
  // The table alternative lists the frames drawn, renderRow among them.
  assert.ok((await p.locator('[data-testid="flame-row"]').allTextContents()).some((t) => t.startsWith('renderRow')));
  await screenshot(p, 'profile-view');
  await p.emulateMedia({ colorScheme: 'dark' });
  await screenshot(p, 'profile-view-dark');
  await p.emulateMedia({ colorScheme: 'light' });
  await p.click('[data-testid="flame-reset"]');
  assert.equal(await p.locator('[data-testid="flame-selected"]').textContent(), '');
});

test('a range of ordinals recomputes the trees as DevTools does on the same ordinals', T, async () => {
  const p = session.page;
  await openProfile(p, 'report.heapprofile');
  const bars = p.locator('[data-testid="range-bars"]');
  await bars.waitFor();
  // Drag from the bar a third of the way along to the one two thirds along.
  const drawn = bars.locator('[data-testid="range-bar"]');
  const n = await drawn.count();
  assert.ok(n >= 3, `${n} bars`);
  const [from, to] = [await drawn.nth(Math.floor(n / 3)).boundingBox(), await drawn.nth(Math.floor((2 * n) / 3)).boundingBox()];
  const y = (await bars.boundingBox()).y + 30;
  await p.mouse.move(from.x + from.width / 2, y);
  await p.mouse.down();
  await p.mouse.move(to.x + to.width / 2, y, { steps: 5 });
  await p.mouse.up();
  const view = p.locator('[data-testid="view-profile"]:not([data-busy])');
  await p.waitForFunction(() => document.querySelector('[data-testid="view-profile"]')?.dataset.rangeMin);
  await view.waitFor();
  const [min, max] = [await view.getAttribute('data-range-min'), await view.getAttribute('data-range-max')];
  const oracle = JSON.parse(execFileSync(process.execPath, [join(repo, 'tests', 'oracle', 'devtools-heapprofile.mjs'), profileFile, min, max], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] }));
  const total = Number(await p.locator('[data-testid="profile-total"]').getAttribute('data-total'));
  assert.equal(total, oracle.total);
  assert.ok(total > 0 && total < cli.total, `${total} of ${cli.total}`);
  // The samples in the range: the total is theirs (the root samples nothing itself).
  const samples = JSON.parse(readFileSync(profileFile, 'utf8')).samples
    .filter((s) => s.ordinal >= Number(min) && s.ordinal <= Number(max));
  assert.equal(total, samples.reduce((sum, s) => sum + s.size, 0));
  await p.selectOption('[data-testid="profile-mode"]', 'bottomUp');
  const bottomUp = await shownRows(p);
  assert.deepEqual(bottomUp, expected(oracle.bottomUp, true, bottomUp.length));
  await p.click('[data-testid="range-clear"]');
  await p.waitForFunction((t) => document.querySelector('[data-testid="profile-total"]')?.dataset.total === String(t), cli.total);
  // The same range typed into the ordinal fields (the keyboard's way) gives the same total.
  await p.fill('[data-testid="range-first"]', min);
  await p.fill('[data-testid="range-last"]', max);
  await p.locator('[data-testid="range-last"]').press('Tab');
  await p.keyboard.press('Enter');
  await p.waitForFunction((t) => document.querySelector('[data-testid="profile-total"]')?.dataset.total === String(t), total);
});

test('a profile named .json is told by its content, and views over snapshots leave profiles out', T, async () => {
  const p = session.page;
  await openProfile(p, 'report-profile.json');
  assert.equal(await p.locator('[data-testid="profile-total"]').getAttribute('data-total'), String(cli.total));
  assert.equal(await p.locator('[role="tab"]').count(), 1);
  await item(p, 'leak-2.heapsnapshot').click();
  await p.click('[data-testid="tab-comparison"]');
  const bases = await p.locator('[data-testid="base-select"] option').allTextContents();
  assert.deepEqual(bases, ['leak-1.heapsnapshot']);
  assert.deepEqual(session.errors, []);
});

test('names from the profile are text, never markup', T, async () => {
  const hostile = '<img src=x onerror="window.pwned=1">';
  // Hand-written: no program writes such a name; the shape is V8's.
  const frame = (functionName, id, selfSize, children = []) => ({
    callFrame: { functionName, scriptId: '1', url: 'javascript:alert(1)', lineNumber: 2, columnNumber: 4 }, selfSize, id, children,
  });
  const file = join(suite.dir, 'hostile.heapprofile');
  writeFileSync(file, JSON.stringify({
    head: frame('(root)', 1, 0, [frame(hostile, 2, 4096, [frame(`${hostile}\u202e`, 3, 1024)])]),
    samples: [{ size: 4096, nodeId: 2, ordinal: 1 }, { size: 1024, nodeId: 3, ordinal: 2 }],
  }));
  const p = session.page;
  await loadFiles(p, [file]);
  await openProfile(p, 'hostile.heapprofile');
  await settled(p, 'profile-table');
  const names = await p.locator('[data-testid="profile-table"] [data-testid="profile-function"]').allTextContents();
  assert.ok(names.includes(hostile), names.join(' | '));
  const frames = p.locator(`[data-testid="flame-frame"][data-function='${hostile}']`);
  await frames.first().click();
  assert.equal(await p.locator('[data-testid="flame-selected"]').textContent(), `${hostile} javascript:alert(1):3:5`);
  assert.equal(await p.locator('#view-panel img').count(), 0);
  assert.equal(await p.evaluate(() => window.pwned), undefined);
  assert.equal(await p.locator('[data-testid="profile-total"]').getAttribute('data-total'), '5120');
});

test('a folder holding a profile opens it as one', T, async () => {
  const folder = join(suite.dir, 'recorded');
  mkdirSync(folder, { recursive: true });
  copyFileSync(profileFile, join(folder, 'page.heapprofile'));
  copyFileSync(suite.snapshots.leak[0], join(folder, '1.heapsnapshot'));
  const fresh = await suite.openPage();
  await fresh.page.locator('[data-testid="folder-input"]').setInputFiles(folder);
  await fresh.page.waitForFunction(() => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === 2 && items.every((i) => i.dataset.status === 'ready');
  }, null, { timeout: 120000 });
  await openProfile(fresh.page, 'page.heapprofile');
  assert.equal(await fresh.page.locator('[data-testid="profile-total"]').getAttribute('data-total'), String(cli.total));
  await fresh.context.close();
});

test('axe-core finds no violation on the Profile view, light and dark', T, async () => {
  const axe = readFileSync(createRequire(join(repo, 'tests', 'package.json')).resolve('axe-core/axe.min.js'), 'utf8');
  const p = session.page;
  await openProfile(p, 'report.heapprofile');
  await settled(p, 'profile-table');
  await p.locator('[data-testid="flame-table"] summary').click();
  await p.locator('[data-testid="flame-frame"][data-function="renderRow"]').first().click();
  await p.evaluate(axe);
  const found = [];
  for (const scheme of ['light', 'dark']) {
    await p.emulateMedia({ colorScheme: scheme });
    const violations = await p.evaluate(async () => (await window.axe.run(document)).violations);
    found.push(...violations.flatMap((v) => v.nodes.map((n) => `${scheme} ${v.id} (${v.impact}): ${n.target.join(' ')}`)));
  }
  await p.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(found, []);
});
