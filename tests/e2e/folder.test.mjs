// A folder `heaplens record` wrote opens in one drop or one pick: its snapshots listed
// in capture order (10 after 9, unlike a name sort), its heap-usage log charted in the
// Growth view, record.json and subfolders left out, and the Leaks view reporting on the
// snapshots.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setUpBrowserSuite } from './helpers.mjs';

const T = { timeout: 180000 };
const FOLDER = 'heaplens-record-20260101-120000';
let suite; let session; let folder;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { leak: ['classic-leak.cjs', 3] } });
  folder = join(suite.dir, FOLDER);
  mkdirSync(folder);
  suite.snapshots.leak.forEach((file, i) => copyFileSync(file, join(folder, `${9 + i}.heapsnapshot`)));
  writeFileSync(join(folder, 'heap-usage.json'), '[3600000, 3700000, 3800000]\n');
  writeFileSync(join(folder, 'record.json'), '{"target": {"command": ["node", "app.js"]}}\n');
  mkdirSync(join(folder, 'older'));
  copyFileSync(suite.snapshots.leak[0], join(folder, 'older', '1.heapsnapshot'));
  session = await suite.openPage();
}, T);

after(() => suite?.teardown());

/**
 * Drops `names` from the folder on the page as Chromium hands over a dropped folder: one
 * directory entry. A test cannot drag a folder, so the entry is built around files the
 * page got through a file input of its own.
 */
async function dropFolder(page, names) {
  await page.evaluate(() => {
    const input = document.createElement('input');
    Object.assign(input, { type: 'file', multiple: true, id: 'folder-files' });
    document.body.append(input);
  });
  await page.locator('#folder-files').setInputFiles(names.map((name) => join(folder, name)));
  await page.evaluate((folderName) => {
    const input = document.getElementById('folder-files');
    const files = [...input.files];
    input.remove();
    const fileEntry = (file) => ({ isFile: true, isDirectory: false, name: file.name, file: (resolve) => resolve(file) });
    let read = false;
    const reader = { readEntries: (resolve) => { resolve(read ? [] : files.map(fileEntry)); read = true; } };
    const entry = { isFile: false, isDirectory: true, name: folderName, createReader: () => reader };
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    const data = { types: ['Files'], items: [{ kind: 'file', webkitGetAsEntry: () => entry }], files: [] };
    Object.defineProperty(drop, 'dataTransfer', { value: data });
    document.body.dispatchEvent(drop);
  }, FOLDER);
}

/** Waits for `count` snapshots to finish loading; returns their names and statuses. */
async function listed(page, count) {
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === n && items.every((i) => i.dataset.status !== 'loading');
  }, count, { timeout: 120000 });
  return page.locator('[data-testid="snapshot-item"]')
    .evaluateAll((all) => all.map((i) => `${i.dataset.name} ${i.dataset.status}`));
}

/** The Growth view charts the folder's 3 heap-usage samples, the Leaks view its leak. */
async function assertGrowthAndLeaks(page) {
  await page.click('[data-testid="tab-growth"]');
  const chart = page.locator('[data-testid="growth-log-chart"]');
  await chart.locator('[data-testid="point"]').first().waitFor();
  assert.equal(await chart.locator('[data-testid="point"]').count(), 3);
  assert.equal(await page.locator('[data-testid="heap-log-error"]').count(), 0, 'record.json is not read as a log');
  await page.click('[data-testid="tab-leaks"]');
  const first = page.locator('[data-testid="leak-row"]').first();
  await first.waitFor({ timeout: 60000 });
  assert.equal(await first.getAttribute('data-name'), 'SimpleClass');
}

const IN_ORDER = ['9.heapsnapshot ready', '10.heapsnapshot ready', '11.heapsnapshot ready'];

test('a dropped record folder lists its snapshots in capture order and charts its heap usage', T, async () => {
  const p = session.page;
  await p.locator('[data-testid="welcome"]').waitFor();
  await dropFolder(p, ['record.json', '11.heapsnapshot', 'heap-usage.json', '9.heapsnapshot', '10.heapsnapshot']);
  assert.deepEqual(await listed(p, 3), IN_ORDER);
  await assertGrowthAndLeaks(p);
  assert.deepEqual(session.errors, []);
});

test('a folder picked with "Open a folder" opens the same way, its subfolders left out', T, async () => {
  const { page: fresh, context, errors } = await suite.openPage();
  await fresh.locator('[data-testid="welcome"]').waitFor();
  await fresh.locator('[data-testid="folder-input"]').setInputFiles(folder);
  assert.deepEqual(await listed(fresh, 3), IN_ORDER);
  await assertGrowthAndLeaks(fresh);
  assert.deepEqual(errors, []);
  await context.close();
});
