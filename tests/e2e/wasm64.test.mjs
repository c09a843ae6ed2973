// The wasm64 build of the core (www/pkg64, memory64), which the worker picks for
// snapshots too big for wasm32's 4 GiB: forced with `?wasm=64` (the page) or
// `{ wasm: '64' }` (the ES-module API) on the demo, it must give the numbers the
// CLI gives: every Summary row, and the leak report's groups. Skipped when
// scripts/build.sh made no wasm64 build (no nightly toolchain).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repo, startServer, launchBrowser, cliJson, loadFiles } from './helpers.mjs';

const T = { timeout: 180000 };
const demo = [1, 2, 3].map((n) => join(repo, 'www', 'demo', `${n}.heapsnapshot`));
const built = existsSync(join(repo, 'www', 'pkg64', 'heaplens_bg.wasm')) && demo.every((f) => existsSync(f));
const needsBuild = { ...T, skip: !built && 'no www/pkg64 (scripts/build.sh builds it with the nightly scripts/setup.sh installs)' };

let server; let browser;

before(async () => {
  if (!built) return;
  server = await startServer();
  browser = await launchBrowser();
}, T);

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page at `query` that records which wasm modules it fetched. */
async function pageAt(query) {
  const context = await browser.newContext();
  const wasm = [];
  context.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  const page = await context.newPage();
  await page.goto(`${server.origin}/index.html${query}`);
  return { page, wasm };
}

test('the ES-module API on wasm64 gives the CLI\u2019s Summary rows and leak groups', needsBuild, async () => {
  const { page, wasm } = await pageAt('');
  const answer = await page.evaluate(async () => {
    const api = await import('./heaplens-api.js');
    const files = await Promise.all([1, 2, 3].map((k) => fetch(`demo/${k}.heapsnapshot`).then((r) => r.blob())));
    const snapshots = await Promise.all(files.map((f, k) => api.open(f, { name: `demo-${k + 1}`, wasm: '64' })));
    try {
      const summary = await snapshots[2].summary({ limit: 100000 });
      const report = await api.leaks(snapshots);
      return { summary, groups: report.groups.map((g) => [g.name, g.count, g.selfSize, g.retainedSize]) };
    } finally {
      for (const s of snapshots) s.close();
    }
  });
  assert.deepEqual([...new Set(wasm)], ['/pkg64/heaplens_bg.wasm']);
  const cli = cliJson('summary', demo[2]);
  assert.equal(answer.summary.total, cli.total);
  assert.deepEqual(answer.summary.rows, cli.rows.slice(0, answer.summary.rows.length));
  assert.equal(answer.summary.rows.length, cli.total);
  const leaks = cliJson('leaks', ...demo);
  assert.deepEqual(answer.groups, leaks.groups.map((g) => [g.name, g.count, g.selfSize, g.retainedSize]));
  // The demo leaks 1,000 SimpleClass objects per round.
  assert.equal(answer.groups[0][0], 'SimpleClass');
  assert.equal(answer.groups[0][1], 1000);
});

test('the page loads with ?wasm=64 through wasm64, and by size through wasm32', needsBuild, async () => {
  const forced = await pageAt('?wasm=64');
  await loadFiles(forced.page, [demo[0]]);
  assert.equal(await forced.page.locator('[data-testid="snapshot-item"]').getAttribute('data-status'), 'ready');
  assert.deepEqual(forced.wasm, ['/pkg64/heaplens_bg.wasm']);
  const auto = await pageAt('');
  await loadFiles(auto.page, [demo[0]]);
  assert.deepEqual(auto.wasm, ['/pkg/heaplens_bg.wasm']);
});
