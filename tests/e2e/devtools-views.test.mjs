// Today's DevTools' realms, growing collections and a retainer graph, in the page: the
// Realms view lists the native contexts of a Node program with two vm sandboxes and the
// bytes attributed to each (the CLI's `realms --json`, which tests/devtools_realms.rs
// checks against today's DevTools) and lists a part's classes; the Collections view
// finds the server's growing Map, WeakMap, dictionary, Set and listener array across
// four snapshots (the CLI's `collections --json`); the Retainer Graph view draws the
// cache's retaining paths, selects a node on click, recomputes when one is ignored and
// exports the SVG. Saves screenshots in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setUpBrowserSuite, cliJson, loadFiles, item, screenshot, bytesOf } from './helpers.mjs';

const T = { timeout: 180000 };
// Two pages: the vm program's snapshot, and the server's series (one process).
let suite; let session; let serverSession; let vm; let server;

before(async () => {
  suite = await setUpBrowserSuite({
    programs: { realms: ['vm-realms.cjs', 1], server: ['growing-collections.cjs', 4] },
  });
  [vm] = suite.snapshots.realms;
  server = suite.snapshots.server;
  session = await suite.openPage();
  await loadFiles(session.page, [vm]);
  serverSession = await suite.openPage();
  await loadFiles(serverSession.page, server);
}, T);

after(() => suite?.teardown());


test('the Realms view lists every native context with the CLI\u2019s bytes, and a part\u2019s classes', T, async () => {
  const p = session.page;
  await item(p, 'realms.heapsnapshot').click();
  await p.click('[data-testid="tab-realms"]');
  await p.locator('[data-testid="realms-table"]').waitFor();
  const cli = cliJson('realms', vm);
  const rows = p.locator('[data-testid="realm-row"]');
  assert.equal(await rows.count(), cli.realms.length + 2);
  const shown = await rows.evaluateAll((all) => all.map((r) => [r.dataset.filter, Number(r.dataset.count), Number(r.dataset.size)]));
  const want = [
    ...cli.realms.map((r) => [r.filterName, r.attributed.count, r.attributed.size]),
    ['sharedNativeContext', cli.shared.count, cli.shared.size],
    ['noNativeContext', cli.unattributed.count, cli.unattributed.size],
  ];
  assert.deepEqual(shown, want);
  assert.equal(bytesOf(await rows.nth(0).locator('[data-testid="realm-size"]').getAttribute('title')), cli.realms[0].attributed.size);
  // The shared part's classes: the CLI's Summary of the same realm filter.
  await p.locator('[data-testid="realm-row"][data-filter="sharedNativeContext"]').click();
  await p.locator('[data-testid="realm-class-table"]').waitFor();
  const classes = await p.locator('[data-testid="realm-class"] [data-testid="class-name"]').allTextContents();
  const summary = cliJson('realms', vm, '--realm', 'shared');
  assert.deepEqual(classes.slice(0, 10), summary.rows.slice(0, 10).map((r) => r.name));
  assert.ok(classes.includes('PluginState'), classes.join(', '));
  await screenshot(p, 'realms');
});

test('the Collections view ranks the server\u2019s growing collections as the CLI does', T, async () => {
  const p = serverSession.page;
  await item(p, 'server-4.heapsnapshot').click();
  await p.click('[data-testid="tab-collections"]');
  await p.locator('[data-testid="collections-table"]').waitFor({ timeout: 60000 });
  const cli = cliJson('collections', ...server).collections;
  const rows = await p.locator('[data-testid="collection-row"]').evaluateAll((all) => all.map((r) => [r.dataset.heldAs, r.dataset.counts]));
  assert.deepEqual(rows, cli.map((c) => [c.heldAs, c.counts.join(',')]));
  assert.deepEqual(rows[0], ['responseCache', '50,100,150,200']);
  assert.equal(await p.locator('[data-testid="collection-growth"]').first().textContent(), '+150');
  // Selecting one shows its retainers.
  await p.locator('[data-testid="collection-row"]').first().click();
  await p.waitForFunction((id) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === String(id), cli[0].id);
  await screenshot(p, 'collections');
});

test('the Retainer Graph draws the cache\u2019s paths, selects on click, recomputes when a node is ignored, exports SVG', T, async () => {
  const p = serverSession.page;
  const cache = cliJson('collections', ...server).collections[0];
  const newest = server[3];
  // The object selected in the Collections view is where the graph starts.
  await p.click('[data-testid="tab-graph"]');
  assert.equal(await p.locator('[data-testid="graph-object"]').inputValue(), `@${cache.id}`);
  const svg = p.locator('[data-testid="graph-canvas"] svg');
  await svg.waitFor();
  const cli = cliJson('graph', newest, `@${cache.id}`);
  assert.equal(await svg.locator('g.node').count(), cli.nodes.length);
  assert.equal(await svg.locator('g.edge').count(), cli.edges.length);
  assert.ok((await svg.textContent()).includes('responseCache'));
  await screenshot(p, 'retainer-graph');
  // Click the module scope's context: it is selected (the Retainers pane follows).
  const contextIndex = cli.nodes.findIndex((n) => n.name === 'system / Context');
  const context = cli.nodes[contextIndex];
  await svg.locator(`g.node[data-index="${contextIndex}"]`).click();
  assert.match(await p.locator('[data-testid="graph-picked"]').textContent(), new RegExp(`@${context.id}`));
  await p.waitForFunction((id) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === String(id), context.id);
  // Export: the SVG the core wrote.
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid="graph-export"]')]);
  const exported = readFileSync(await download.path(), 'utf8');
  assert.ok(exported.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal((exported.match(/<g class="node"/g) ?? []).length, cli.nodes.length);
  // Ignoring the context as a retainer: nothing else holds the cache, so no path is left.
  await p.click('[data-testid="graph-ignore"]');
  await p.waitForFunction((n) => document.querySelectorAll('[data-testid="graph-canvas"] svg g.node').length < n, cli.nodes.length);
  assert.equal(await svg.locator('g.node').count(), 1);
  await screenshot(p, 'retainer-graph-ignored');
  await p.click('[data-testid="graph-clear-ignored"]');
  await p.waitForFunction((n) => document.querySelectorAll('[data-testid="graph-canvas"] svg g.node').length === n, cli.nodes.length);
});

test('the ES-module API gives realms, growing collections and a retainer graph', T, async () => {
  const p = session.page;
  const answer = await p.evaluate(async () => {
    const api = await import('./heaplens-api.js');
    const files = await Promise.all([1, 2, 3].map((k) => fetch(`demo/${k}.heapsnapshot`)));
    const snapshots = await Promise.all(files.map((f, k) => api.open(f, { name: `demo-${k + 1}` })));
    try {
      const realms = await snapshots[2].realms();
      const own = await snapshots[2].realmSummary(realms.realms[0].filterName, { limit: 5 });
      const grown = await api.growingCollections(snapshots);
      const graph = await snapshots[2].retainerGraph(grown[0].id, { svg: true });
      return {
        realms: realms.realms.length,
        ownRows: own.rows.length,
        top: [grown[0].heldAs, grown[0].counts],
        nodes: graph.graph.nodes.length,
        first: graph.graph.nodes[0].id === grown[0].id,
        svg: graph.svg.startsWith('<svg'),
      };
    } finally {
      for (const s of snapshots) s.close();
    }
  });
  // The demo is classic-leak.cjs: `leakyData` gains 1,000 SimpleClass objects per round.
  assert.ok(answer.realms >= 1);
  assert.equal(answer.ownRows, 5);
  assert.deepEqual(answer.top, ['leakyData', [1000, 2000, 3000]]);
  assert.ok(answer.nodes > 1 && answer.first && answer.svg, JSON.stringify(answer));
});
