// The Summary's "Objects to include" menu lists today's DevTools' realm filters, titled as
// HeapSnapshotView's updateNativeContextFilters titles them: one "Native context <name>
// @<id> (<size>)" per native context, largest first, then the objects shared between
// contexts and those no context reaches. They are asked for when the menu is first used.
// Picking one shows the CLI's `summary --realm` rows (which tests/devtools_realms.rs checks
// against DevTools), and a class expands into that realm's instances only. On a Node
// program with two `vm` sandboxes and on a Chromium page with a same-origin iframe.
// Saves screenshots in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot, item, bytesOf, chromiumSnapshots } from './helpers.mjs';

const T = { timeout: 180000 };
let suite; let session; let vm; let chromiumFile;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { realms: ['vm-realms.cjs', 1] } });
  [vm] = suite.snapshots.realms;
  // realms.html in headless Chromium: the page and its srcdoc widget iframe.
  [chromiumFile] = chromiumSnapshots(suite.dir, 'realms.html', ['realms-page.heapsnapshot']);
  session = await suite.openPage();
  await loadFiles(session.page, [vm, chromiumFile]);
}, T);

after(() => suite?.teardown());

/** DevTools' i18n.ByteUtilities.bytesToString in en-US (narrow units, a no-break space before the unit). */
function devtoolsBytes(bytes) {
  const fmt = (value, digits, unit) =>
    `${new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)}\u00a0${unit}`;
  if (bytes < 1000) return fmt(bytes, 0, 'B');
  const kb = bytes / 1000;
  if (kb < 100) return fmt(kb, 1, 'kB');
  if (kb < 1000) return fmt(kb, 0, 'kB');
  const mb = kb / 1000;
  return mb < 100 ? fmt(mb, 1, 'MB') : fmt(mb, 0, 'MB');
}

/** The realm entries DevTools lists for `heaplens realms FILE --json`: [value, title]. */
function wantedFilters(cli) {
  return [
    ...cli.realms.map((r) => [`realm:${r.filterName}`, `Native context ${r.name ? `${r.name} ` : ''}@${r.id} (${devtoolsBytes(r.attributed.size)})`]),
    ['realm:sharedNativeContext', `Objects shared between native contexts (${devtoolsBytes(cli.shared.size)})`],
    ['realm:noNativeContext', `Objects not attributed to a native context (${devtoolsBytes(cli.unattributed.size)})`],
  ];
}

/** Opens a snapshot's Summary; resolves to its "Objects to include" select. */
async function openSummary(p, name) {
  await item(p, name).click();
  await p.click('[data-testid="tab-summary"]');
  await settled(p, 'summary-table');
  return p.locator('[data-testid="view-summary"] [data-testid="range-filter"]');
}

/** Focuses the menu (which asks for the realms) and resolves to its realm entries once listed: [value, title]. */
async function realmEntries(p, select, count) {
  await select.focus();
  await p.waitForFunction((n) => document.querySelectorAll('[data-testid="view-summary"] [data-testid="range-filter"] option[value^="realm:"]').length === n, count);
  return select.locator('option[value^="realm:"]').evaluateAll((all) => all.map((o) => [o.value, o.textContent]));
}

/** Picks a realm and waits until the first class row is `first` (the CLI's first row). */
async function pickRealm(p, select, filterName, first) {
  await select.selectOption(`realm:${filterName}`);
  await firstRowIs(p, first);
}

/** Waits until the Summary has settled with `first` (a CLI row) as its first class row. */
async function firstRowIs(p, first) {
  await p.waitForFunction(([name, count]) => {
    const table = document.querySelector('[data-testid="summary-table"]');
    const row = table?.querySelector('[data-testid="row"][data-depth="0"]');
    const shown = Number((row?.querySelector('[data-testid="class-count"]')?.textContent ?? '×1').replace(/[^0-9]/g, ''));
    return !table.dataset.busy && row?.querySelector('[data-testid="class-name"]')?.textContent === name && shown === count;
  }, [first.name, first.count]);
}

/** The class rows on screen: [name, count, selfSize, retainedSize] (sizes from the cells' exact tooltips). */
async function classRows(p) {
  await settled(p, 'summary-table');
  const rows = await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]').evaluateAll((all) => all.map((r) => [
    r.querySelector('[data-testid="class-name"]').textContent,
    Number((r.querySelector('[data-testid="class-count"]')?.textContent ?? '×1').replace(/[^0-9]/g, '')),
    r.querySelector('[data-testid="cell-selfSize"]').title,
    r.querySelector('[data-testid="cell-retainedSize"]').title,
  ]));
  return rows.map(([name, count, self, retained]) => [name, count, bytesOf(self), bytesOf(retained)]);
}

/** Expands class `name` and resolves to { total, ids } of its instance rows on screen; collapses it again. */
async function instancesOf(p, name) {
  const row = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]', { has: p.locator(`[data-testid="class-name"]:text-is("${name}")`) });
  await row.locator('[data-testid="expander"]').click();
  await p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first().waitFor();
  await settled(p, 'summary-table');
  const instances = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]');
  const total = Number(await instances.first().getAttribute('aria-setsize'));
  const ids = await instances.evaluateAll((all) => all.map((r) => Number(r.dataset.id)));
  await row.locator('[data-testid="expander"]').click();
  await p.waitForFunction(() => !document.querySelector('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]'));
  return { total, ids };
}

test('the menu lists one entry per vm context, the shared and the unattributed objects, titled as DevTools titles them', T, async () => {
  const p = session.page;
  const select = await openSummary(p, 'realms.heapsnapshot');
  // Not asked for before the menu is used: opening the Summary attributes nothing.
  assert.equal(await select.locator('option[value^="realm:"]').count(), 0);
  const cli = cliJson('realms', vm);
  assert.equal(cli.realms.length, 3);
  const entries = await realmEntries(p, select, cli.realms.length + 2);
  assert.deepEqual(entries, wantedFilters(cli));
  // Node's contexts have no URL: "Native context @<id> (<size>)".
  assert.match(entries[0][1], /^Native context @\d+ \(\d+(\.\d)?\u00a0kB\)$/);
  // Below the named filters, as in DevTools.
  const values = await select.locator('option').evaluateAll((all) => all.map((o) => o.value));
  assert.ok(values.indexOf('filter:objectsRetainedByEventHandlers') < values.indexOf(entries[0][0]), values.join(' '));
});

test('a vm context\u2019s entry shows the CLI\u2019s rows for it, and a class expands into that context\u2019s instances only', T, async () => {
  const p = session.page;
  const select = await openSummary(p, 'realms.heapsnapshot');
  const cli = cliJson('realms', vm);
  await realmEntries(p, select, cli.realms.length + 2);
  const all = cliJson('summary', vm).rows;
  const [one, two] = cli.realms;
  const want = cliJson('summary', vm, '--realm', one.filterName).rows;
  // Every object of the realm is in one of its rows.
  assert.equal(want.reduce((sum, r) => sum + r.count, 0), one.attributed.count);
  assert.equal(want.reduce((sum, r) => sum + r.selfSize, 0), one.attributed.size);
  await pickRealm(p, select, one.filterName, want[0]);
  const shown = await classRows(p);
  assert.ok(shown.length >= 5, `${shown.length} rows on screen`);
  assert.deepEqual(shown, want.slice(0, shown.length).map((r) => [r.name, r.count, r.selfSize, r.retainedSize]));
  await screenshot(p, 'summary-realm-filter');
  // Functions: each sandbox has its own; the whole snapshot has many more.
  const functions = want.find((r) => r.name === 'Function');
  assert.ok(functions.count < all.find((r) => r.name === 'Function').count);
  const mine = await instancesOf(p, 'Function');
  assert.equal(mine.total, functions.count);
  assert.ok(mine.ids.length > 5);
  // The other sandbox runs the same code: as many functions, none of them the same objects.
  const theirs = cliJson('summary', vm, '--realm', two.filterName).rows;
  await pickRealm(p, select, two.filterName, theirs[0]);
  const other = await instancesOf(p, 'Function');
  assert.equal(other.total, theirs.find((r) => r.name === 'Function').count);
  assert.equal(other.total, mine.total);
  assert.deepEqual(mine.ids.filter((id) => other.ids.includes(id)), []);
  // Back to all objects.
  await select.selectOption('');
  await firstRowIs(p, all[0]);
});

test('on a Chromium page the page and its iframe are two entries, each showing only its own classes', T, async () => {
  const p = session.page;
  const select = await openSummary(p, 'realms-page.heapsnapshot');
  const cli = cliJson('realms', chromiumFile);
  const entries = await realmEntries(p, select, cli.realms.length + 2);
  assert.deepEqual(entries, wantedFilters(cli));
  // Which realm holds which class, by the CLI.
  const holding = (name) => cli.realms.find((r) => cliJson('summary', chromiumFile, '--realm', r.filterName).rows.some((c) => c.name === name));
  const page = holding('DashboardModel');
  const frame = holding('WidgetCache');
  assert.ok(page && frame && page.filterName !== frame.filterName);
  assert.ok(entries.some(([value, title]) => value === `realm:${page.filterName}` && title.startsWith('Native context file:// @')), entries.join(' | '));
  for (const [realm, own, foreign] of [[page, 'DashboardModel', 'WidgetCache'], [frame, 'WidgetCache', 'DashboardModel']]) {
    const want = cliJson('summary', chromiumFile, '--realm', realm.filterName).rows;
    await pickRealm(p, select, realm.filterName, want[0]);
    const shown = await classRows(p);
    assert.deepEqual(shown, want.slice(0, shown.length).map((r) => [r.name, r.count, r.selfSize, r.retainedSize]));
    await p.fill('[data-testid="view-summary"] [data-testid="class-filter"]', own);
    await p.waitForFunction((name) => {
      const names = [...document.querySelectorAll('[data-testid="summary-table"] [data-testid="row"][data-depth="0"] [data-testid="class-name"]')];
      return names.length === 1 && names[0].textContent === name;
    }, own);
    const { total } = await instancesOf(p, own);
    assert.equal(total, 1);
    await p.fill('[data-testid="view-summary"] [data-testid="class-filter"]', foreign);
    await p.locator('[data-testid="summary-table"]', { hasText: 'No objects match' }).waitFor();
    await p.fill('[data-testid="view-summary"] [data-testid="class-filter"]', '');
    await firstRowIs(p, want[0]);
  }
  await screenshot(p, 'summary-realm-filter-chromium');
});
