// The Allocation view, in the page: a snapshot the order book took of itself with
// allocation tracking (tests/fixtures/programs/order-book.cjs) lists placeOrders with the
// live count and count the CLI prints (tests/allocations.rs checks those against today's
// DevTools), and placeOrders expands into the caller the program has, runRound; a snapshot
// without stacks says how to record one; the Retainers pane names where a selected object
// was allocated. Saves a screenshot in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot, item } from './helpers.mjs';

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
  await row.locator('[data-testid="expander"]').click();
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

test('the Allocation view lists what placeOrders allocated and who called it', T, async () => {
  const p = session.page;
  await item(p, 'orders.heapsnapshot').click();
  await p.click('[data-testid="tab-allocations"]');
  await settled(p, 'allocations-table');
  const cli = cliJson('allocations', suite.snapshots.orders[0]).functions.find((f) => f.name === 'placeOrders');
  // Rows are virtual: scroll down until placeOrders' row is drawn.
  const row = rowOf(p, 'placeOrders', 0);
  for (let i = 0; i < 100 && !(await row.count()); i++) {
    await p.locator('[data-testid="allocations-table"] > *').first().evaluate((s) => { s.scrollTop += 300; });
    await settled(p, 'allocations-table');
  }
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
