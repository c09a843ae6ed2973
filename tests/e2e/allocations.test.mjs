// The Allocation view, in the page: a snapshot the order book took of itself with
// allocation tracking (tests/fixtures/programs/order-book.cjs) lists placeOrders with the
// live count and count the CLI prints (tests/allocations.rs checks those against today's
// DevTools), and placeOrders expands into the caller the program has, runRound; a snapshot
// without stacks says how to record one; the Retainers pane names where a selected object
// was allocated. The timeline draws the CLI's bars; a range dragged over them or chosen with
// the keyboard, and a selected function or caller row, scope the Summary under the view to
// the objects allocated there (numbers checked against the CLI; tests/allocations.rs checks
// the same scopes against DevTools' NodeFilter). Saves screenshots in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot, item, repo } from './helpers.mjs';

const T = { timeout: 180000 };
let suite; let session;

before(async () => {
  suite = await setUpBrowserSuite({
    programs: { orders: ['order-book.cjs', 1], plain: ['classic-leak.cjs', 1] },
  });
  session = await suite.openPage();
  await loadFiles(session.page, [suite.snapshots.orders[0], suite.snapshots.plain[0]]);
}, T);

after(() => suite?.teardown());

/** The Summary's row of class `name` once the class filter shows only classes like it. */
async function classRow(p, name) {
  await p.click('[data-testid="tab-summary"]');
  await p.fill('[data-testid="view-summary"] [data-testid="class-filter"]', name);
  await p.waitForFunction((text) => {
    const table = document.querySelector('[data-testid="summary-table"]');
    const names = [...(table?.querySelectorAll('[data-testid="class-name"]') ?? [])].map((n) => n.textContent.toLowerCase());
    return table && !table.dataset.busy && names.length > 0 && names.every((n) => n.includes(text));
  }, name.toLowerCase());
  const row = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]')
    .filter({ has: p.locator('[data-testid="class-name"]', { hasText: new RegExp(`^${name}$`) }) }).first();
  await row.waitFor();
  return row;
}

/** Expands `row` and selects its first instance. */
async function selectFirstInstance(p, row) {
  // A click whose row is redrawn between press and release (the table re-renders its rows when
  // its size changes) reaches no row: click again until the row says it is expanded.
  for (let i = 0; i < 5 && (await row.getAttribute('aria-expanded')) !== 'true'; i++) {
    await row.locator('[data-testid="expander"]').click();
    await row.and(p.locator('[aria-expanded="true"]')).waitFor({ timeout: 3000 }).catch(() => {});
  }
  const instance = p.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="1"]').first();
  await instance.waitFor();
  await instance.click();
}

/** The text of `testid` in the first row at `depth` whose function is `name`. */
function rowOf(p, name, depth) {
  return p.locator(`[data-testid="allocations-table"] [data-testid="row"][data-depth="${depth}"]`)
    .filter({ has: p.locator('[data-testid="allocation-function"]', { hasText: new RegExp(`^${name}$`) }) })
    .first();
}

/** The orders snapshot's Allocation view, scrolled until placeOrders' row is drawn (rows are virtual). */
async function placeOrdersRow(p) {
  await item(p, 'orders.heapsnapshot').click();
  await p.click('[data-testid="tab-allocations"]');
  await settled(p, 'allocations-table');
  const row = rowOf(p, 'placeOrders', 0);
  for (let i = 0; i < 100 && !(await row.count()); i++) {
    await p.locator('[data-testid="allocations-table"] > *').first().evaluate((s) => { s.scrollTop += 300; });
    await settled(p, 'allocations-table');
  }
  return row;
}

test('the Allocation view lists what placeOrders allocated and who called it', T, async () => {
  const p = session.page;
  const row = await placeOrdersRow(p);
  const cli = cliJson('allocations', suite.snapshots.orders[0]).functions.find((f) => f.name === 'placeOrders');
  await row.scrollIntoViewIfNeeded();
  const number = async (testid) => Number((await row.locator(`[data-testid="${testid}"]`).textContent()).replace(/[^0-9]/g, ''));
  assert.equal(await number('live-count'), cli.liveCount);
  assert.equal(await number('count'), cli.count);
  assert.match(await row.locator('[data-testid="allocation-location"]').textContent(), /order-book\.cjs:\d+:\d+$/);
  await row.locator('[data-testid="expander"]').click();
  await rowOf(p, 'runRound', 1).waitFor();
  await screenshot(p, 'allocations-view');
});

test('a snapshot without allocation stacks says how to record one', T, async () => {
  const p = session.page;
  await item(p, 'plain.heapsnapshot').click();
  await p.click('[data-testid="tab-allocations"]');
  const note = p.locator('[data-testid="allocations-note"]', { hasText: 'no allocation stacks' });
  await note.waitFor();
  assert.match(await note.textContent(), /trackAllocations: true/);
  assert.equal(await p.locator('[data-testid="allocations-table"] [data-testid="row"]').count(), 0);
});

test('the Retainers pane says where the selected object was allocated, as the CLI does', T, async () => {
  const p = session.page;
  await item(p, 'orders.heapsnapshot').click();
  await selectFirstInstance(p, await classRow(p, 'Order'));
  const top = p.locator('[data-testid="allocation-stack-top"]');
  await top.waitFor();
  const id = await p.locator('[data-testid="retainers-title"]').getAttribute('data-id');
  const cli = cliJson('allocations', suite.snapshots.orders[0], `@${id}`).stack;
  assert.ok(cli?.length, `the CLI has a stack for @${id}`);
  assert.equal(cli[0].functionName, 'placeOrders');
  assert.match(await top.textContent(), new RegExp(`^Allocated at placeOrders \\(.*order-book\\.cjs:${cli[0].line}:${cli[0].column}\\)$`));
  const frames = await p.locator('[data-testid="allocation-frame"]').allTextContents();
  assert.deepEqual(frames.map((f) => f.split(' (')[0]), cli.map((f) => f.functionName || '(anonymous)'));

  await item(p, 'plain.heapsnapshot').click();
  await selectFirstInstance(p, await classRow(p, 'SimpleClass'));
  await p.locator('[data-testid="selected-object"]').waitFor();
  assert.equal(await p.locator('[data-testid="allocation-stack"]').isHidden(), true, 'no stack without traces');
});

/** The embedded Summary's rows once it has settled: name → count. */
async function scopedCounts(p) {
  await p.waitForFunction(() => {
    const table = document.querySelector('[data-testid="view-allocations"] [data-testid="summary-table"]');
    return table && !table.dataset.busy;
  });
  return p.evaluate(() => {
    const out = {};
    const rows = document.querySelectorAll('[data-testid="view-allocations"] [data-testid="summary-table"] [data-testid="row"][data-depth="0"]');
    for (const row of rows) {
      const name = row.querySelector('[data-testid="class-name"]').textContent;
      const count = row.querySelector('[data-testid="class-count"]')?.textContent.replace(/[^0-9]/g, '') ?? '1';
      out[name] = (out[name] ?? 0) + Number(count);
    }
    return out;
  });
}

/** Waits until the scope `kind` reads `text` (null: no such scope) and the Summary reloaded. */
async function scoped(p, kind, text) {
  const scope = p.locator(`[data-testid="summary-scope-${kind}"]`);
  if (text === null) await scope.waitFor({ state: 'detached' });
  else await p.locator(`[data-testid="summary-scope-${kind}"]`, { hasText: new RegExp(`^${text} Clear$`) }).waitFor();
  return scopedCounts(p);
}

const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The page's name for bars `from`..`to` of `bars` (www/lib/timeline.js words it so). */
function rangeLabel(bars, from, to) {
  const t = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
  return from === 0 ? `Objects allocated up to ${t(bars[to].timeMs)}`
    : `Objects allocated between ${t(bars[from - 1].timeMs)} and ${t(bars[to].timeMs)}`;
}

test('the timeline draws the CLI\'s bars; a dragged or keyed range scopes the Summary', T, async () => {
  const p = session.page;
  await item(p, 'orders.heapsnapshot').click();
  await p.click('[data-testid="tab-allocations"]');
  const cli = cliJson('allocations', suite.snapshots.orders[0]).timeline;
  const cliOrders = cliJson('summary', suite.snapshots.orders[0]).rows.find((r) => r.name === 'Order').count;
  await p.locator('[data-testid="timeline-bar"]').first().waitFor();
  assert.equal(await p.locator('[data-testid="timeline-bar"]').count(), cli.length);
  assert.ok(cli.length >= 3, `${cli.length} bars`);
  const cells = await p.locator('[data-testid="timeline-table"] tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(cells, cli.map((b) => `@${b.lastAssignedId}`));

  // The Summary's rows are virtual: only Order's is counted here, so the filter keeps it drawn.
  await p.fill('[data-testid="view-allocations"] [data-testid="class-filter"]', 'Order');
  await p.waitForFunction(() => {
    const table = document.querySelector('[data-testid="view-allocations"] [data-testid="summary-table"]');
    const names = [...(table?.querySelectorAll('[data-testid="class-name"]') ?? [])].map((n) => n.textContent.toLowerCase());
    return table && !table.dataset.busy && names.length > 0 && names.every((n) => n.includes('order'));
  });

  // Dragging from bar a to bar b selects a..b; each bar alone, then all of them.
  const box = await p.locator('[data-testid="timeline-chart"]').boundingBox();
  const x = (i) => box.x + ((i + 0.5) / cli.length) * box.width;
  const drag = async (a, b) => {
    await p.mouse.move(x(a), box.y + box.height / 2);
    await p.mouse.down();
    await p.mouse.move(x(b), box.y + box.height / 2, { steps: 4 });
    await p.mouse.up();
  };
  let perBar = 0; let without = 0;
  for (let i = 0; i < cli.length; i++) {
    await drag(i, i);
    const counts = await scoped(p, 'idRange', rangeLabel(cli, i, i));
    const status = await p.locator('[data-testid="timeline-selection"]').textContent();
    if (cli[i].liveSize < 1000) assert.equal(status, `${rangeLabel(cli, i, i)}: ${cli[i].liveSize}\u00a0B live`);
    perBar += counts.Order ?? 0;
    if (!counts.Order) without++;
  }
  await drag(cli.length - 1, 0);
  const all = await scoped(p, 'idRange', rangeLabel(cli, 0, cli.length - 1));
  assert.equal(all.Order, perBar, 'the intervals split the orders between them');
  assert.ok(all.Order <= cliOrders && all.Order >= cliOrders - 300, `${all.Order} of ${cliOrders}`);
  assert.ok(without > 0, 'some interval booked no order');
  // The bytes the selection names are the CLI's bars' (as formatBytes writes them).
  const bytes = cli.reduce((s, b) => s + b.liveSize, 0);
  const written = await p.evaluate(async (n) => (await import('/lib/format.js')).formatBytes(n), bytes);
  assert.equal(await p.locator('[data-testid="timeline-selection"]').textContent(), `${rangeLabel(cli, 0, cli.length - 1)}: ${written} live`);
  await screenshot(p, 'allocations-timeline');

  // The keyboard: Home selects the first bar, Shift+Right extends to the last, Escape clears.
  await p.locator('[data-testid="timeline"]').focus();
  await p.keyboard.press('Home');
  await scoped(p, 'idRange', rangeLabel(cli, 0, 0));
  for (let i = 1; i < cli.length; i++) await p.keyboard.press('Shift+ArrowRight');
  const keyed = await scoped(p, 'idRange', rangeLabel(cli, 0, cli.length - 1));
  assert.equal(await p.locator('[data-testid="timeline-bar"][style*="accent)"]').count(), cli.length);
  assert.deepEqual(keyed, all);
  await p.keyboard.press('ArrowRight'); // a run as long as all of them cannot move
  await p.keyboard.press('Escape');
  const cleared = await scoped(p, 'idRange', null);
  assert.equal(cleared.Order, cliOrders, 'cleared: every object again');
});

test('selecting a function or a caller scopes the Summary to what it allocated', T, async () => {
  const p = session.page;
  const row = await placeOrdersRow(p);
  const cli = cliJson('allocations', suite.snapshots.orders[0]).functions.find((f) => f.name === 'placeOrders');
  await row.locator('[data-testid="allocation-function"]').click();
  const byFunction = await scoped(p, 'allocatedBy', 'Objects allocated by placeOrders');
  assert.equal(sum(byFunction), cli.liveCount, 'every live object placeOrders made, and only those');
  assert.ok(byFunction.Order > 0 && !byFunction.Quote);
  await row.locator('[data-testid="expander"]').click();
  await rowOf(p, 'runRound', 1).locator('[data-testid="allocation-function"]').click();
  const byCaller = await scoped(p, 'allocatedBy', 'Objects allocated by placeOrders \u2190 runRound');
  assert.deepEqual(byCaller, byFunction, 'runRound is its only caller');
  await screenshot(p, 'allocations-function-filter');
  await p.click('[data-testid="clear-allocatedBy"]');
  const cleared = await scoped(p, 'allocatedBy', null);
  assert.ok(sum(cleared) > sum(byFunction));
});

test('axe-core finds no violation in the Allocation view with its timeline, light and dark', T, async () => {
  const p = session.page;
  const axe = readFileSync(createRequire(join(repo, 'tests', 'package.json')).resolve('axe-core/axe.min.js'), 'utf8');
  await placeOrdersRow(p);
  await p.locator('[data-testid="timeline"]').focus();
  await p.keyboard.press('End');
  await p.locator('[data-testid="timeline-details"] summary').click();
  await p.locator('[data-testid="summary-scope-idRange"]').waitFor();
  for (const colorScheme of ['light', 'dark']) {
    await p.emulateMedia({ colorScheme });
    await p.evaluate(axe);
    const found = await p.evaluate(async () => (await window.axe.run({ include: [['[data-testid="view-allocations"]']] })).violations);
    assert.deepEqual(found.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)), [], colorScheme);
  }
  await screenshot(p, 'allocations-timeline-dark');
  await p.emulateMedia({ colorScheme: 'light' });
});
