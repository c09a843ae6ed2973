// Allocation tracking of a real page: headless Chromium runs the status-widgets page of
// the leak suite (tests/fixtures/leaks/browser/poll-widgets.html: every mounted widget's
// PollJob stays alive in a setInterval callback that is never cleared) while the DevTools
// protocol records, in one session, allocation stacks
// (HeapProfiler.startTrackingHeapObjects {trackAllocations: true}) and a sampling heap
// profile (HeapProfiler.startSampling / stopSampling, written as a .heapprofile). After
// each of three rounds (mount 20 widgets, unmount them) it writes a heap snapshot.
// `heaplens allocations` must name mountWidget, the page function that allocates the
// PollJobs, with the live counts today's DevTools computes on the same file
// (tests/oracle/devtools-today.mjs allocations); the leak report's PollJob group (CLI and Leaks view) says it
// was allocated there; the page's Allocation view shows the same row, and its Profile
// view draws mountWidget in the flame chart of the recorded profile. Saves screenshots
// in tests/e2e/artifacts/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setUpBrowserSuite, cliJson, loadFiles, settled, screenshot, item, repo } from './helpers.mjs';

const T = { timeout: 300000 };
const ROUNDS = 3;
const WIDGETS = 20;
let suite; let session; let snapshots; let profileFile;

/** Streams one heap snapshot of the session's page into `file`. */
async function takeSnapshot(cdp, file) {
  const out = createWriteStream(file);
  const onChunk = ({ chunk }) => out.write(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  await new Promise((done, fail) => out.end((e) => (e ? fail(e) : done())));
}

/** Records the page: ROUNDS snapshots with allocation stacks, and the sampling profile. */
async function record(dir) {
  const page = await suite.browser.newPage();
  try {
    await page.goto(pathToFileURL(join(repo, 'tests', 'fixtures', 'leaks', 'browser', 'poll-widgets.html')).href);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.startSampling', { samplingInterval: 64 });
    await cdp.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
    const files = [];
    for (let k = 1; k <= ROUNDS; k++) {
      await page.click('#add');
      await page.click('#remove');
      await cdp.send('HeapProfiler.collectGarbage');
      const file = join(dir, `widgets-${k}.heapsnapshot`);
      await takeSnapshot(cdp, file);
      files.push(file);
    }
    const { profile } = await cdp.send('HeapProfiler.stopSampling');
    const profilePath = join(dir, 'widgets.heapprofile');
    writeFileSync(profilePath, JSON.stringify(profile));
    await cdp.detach();
    return { files, profilePath };
  } finally {
    await page.close();
  }
}

before(async () => {
  suite = await setUpBrowserSuite();
  ({ files: snapshots, profilePath: profileFile } = await record(suite.dir));
  session = await suite.openPage();
  await loadFiles(session.page, [snapshots[ROUNDS - 1], profileFile]);
}, T);

after(() => suite?.teardown());

/** `name`'s top-level row of an allocations answer (the CLI's or the oracle's). */
const fn = (functions, name) => functions.find((f) => f.name === name);

test('heaplens allocations names mountWidget with the live counts DevTools computes', T, () => {
  const last = snapshots[ROUNDS - 1];
  const cli = cliJson('allocations', last, '--top', '1000000').functions;
  const oracle = JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=4000', join(repo, 'tests', 'oracle', 'devtools-today.mjs'), 'allocations', last], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] })).functions;
  const ours = fn(cli, 'mountWidget');
  const theirs = fn(oracle, 'mountWidget');
  assert.ok(ours && theirs, 'both name mountWidget');
  assert.match(ours.scriptName, /poll-widgets\.html$/);
  for (const key of ['liveCount', 'count', 'liveSize', 'size', 'line', 'column']) assert.equal(ours[key], theirs[key], key);
  // Every round's PollJobs stay alive, and each mount allocates more than its job.
  assert.ok(ours.liveCount >= ROUNDS * WIDGETS, `${ours.liveCount} live`);
  // The whole list agrees, function by function (builtins share names and places: the
  // rows are compared as a multiset).
  const counts = (rows) => rows.map((f) => JSON.stringify([f.name, f.scriptName, f.scriptId, f.line, f.column, f.liveCount, f.count, f.liveSize, f.size])).sort();
  assert.deepEqual(counts(cli), counts(oracle));
});

test('the leak report says the PollJobs were allocated in mountWidget', T, () => {
  const report = cliJson('leaks', ...snapshots);
  const group = report.groups.find((g) => g.name === 'PollJob');
  assert.ok(group, `groups: ${report.groups.map((g) => g.name).join(', ')}`);
  assert.equal(group.count, WIDGETS);
  const site = group.allocatedAt[0];
  assert.ok(site, 'the group has an allocation site');
  assert.equal(site.frames[0].functionName, 'mountWidget');
  assert.equal(site.count, WIDGETS, 'the PollJobs of the second round');
});

test('the page shows mountWidget in the Allocation view and in the profile\u2019s flame chart', T, async () => {
  const p = session.page;
  const cli = fn(cliJson('allocations', snapshots[ROUNDS - 1]).functions, 'mountWidget');
  await item(p, `widgets-${ROUNDS}.heapsnapshot`).click();
  await p.click('[data-testid="tab-allocations"]');
  await settled(p, 'allocations-table');
  const row = p.locator('[data-testid="allocations-table"] [data-testid="row"][data-depth="0"]')
    .filter({ has: p.locator('[data-testid="allocation-function"]', { hasText: /^mountWidget$/ }) }).first();
  for (let i = 0; i < 100 && !(await row.count()); i++) {
    await p.locator('[data-testid="allocations-table"] > *').first().evaluate((s) => { s.scrollTop += 300; });
    await settled(p, 'allocations-table');
  }
  await row.scrollIntoViewIfNeeded();
  assert.equal(Number((await row.locator('[data-testid="live-count"]').textContent()).replace(/[^0-9]/g, '')), cli.liveCount);
  await screenshot(p, 'chromium-allocations');

  await item(p, 'widgets.heapprofile').click();
  const frame = p.locator('[data-testid="flame-frame"][data-function="mountWidget"]').first();
  await frame.waitFor();
  await frame.click();
  assert.match(await p.locator('[data-testid="flame-selected"]').textContent(), /^mountWidget .*poll-widgets\.html:\d+:\d+$/);
  const profile = cliJson('profile', profileFile);
  const inTree = (rows) => rows.flatMap((r) => [r, ...inTree(r.children)]);
  const totals = inTree(profile.topDown).filter((r) => r.functionName === 'mountWidget').map((r) => r.totalSize);
  assert.ok(totals.includes(Number(await frame.getAttribute('data-total'))), `the frame is one of the CLI's mountWidget nodes (${totals})`);
  await screenshot(p, 'chromium-profile');
});

test('the Leaks view says where the PollJobs were allocated, as the CLI does', T, async () => {
  const p = session.page;
  await loadFiles(p, snapshots.slice(0, ROUNDS - 1));
  const site = cliJson('leaks', ...snapshots).groups.find((g) => g.name === 'PollJob').allocatedAt[0];
  // The previous test left the profile selected, which shows only the Profile tab.
  await item(p, `widgets-${ROUNDS}.heapsnapshot`).click();
  await p.click('[data-testid="tab-leaks"]');
  const row = p.locator('[data-testid="leak-row"][data-name="PollJob"]');
  await row.locator('[data-testid="leak-toggle"]').click();
  const shown = p.locator('[data-testid="leak-detail"]:visible [data-testid="leak-site"]').first();
  await shown.waitFor();
  const text = (await shown.textContent()).replace(/\s+/g, ' ').trim();
  assert.match(text, new RegExp(`^\u00d7${site.count} mountWidget \\(.*poll-widgets\\.html:${site.frames[0].line}:${site.frames[0].column}\\)`));
  await screenshot(p, 'chromium-leak-allocated-at');
});
