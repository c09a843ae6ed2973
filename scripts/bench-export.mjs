// Benchmark of the table exports (www/lib/export.js): loads the demo in headless
// Chromium (as the browser tests do, tests/e2e/helpers.mjs), expands the Summary's eight
// largest classes (every instance then belongs to the export) and times Download JSON
// and Download CSV from the click to the finished download, printing the file's size and
// the rows it holds.
//
//   node scripts/bench-export.mjs
//
// The export reads the worker 1,000 rows at a time and makes each page one part of the
// Blob, so the time is mostly the worker's pages and the browser's download.

import { statSync } from 'node:fs';
import { setUpBrowserSuite } from '../tests/e2e/helpers.mjs';
const suite = await setUpBrowserSuite();
const { page } = await suite.openPage();
await page.click('[data-testid="demo-button"]');
await page.waitForFunction(() => { const i = [...document.querySelectorAll('[data-testid="snapshot-item"]')]; return i.length === 3 && i.every((x) => x.dataset.status === 'ready'); }, null, { timeout: 120000 });
await page.click('[data-testid="snapshot-item"][data-name="3.heapsnapshot"]');
await page.waitForSelector('[data-testid="summary-table"] [data-testid="row"]');
// Expand every class of the first page: the export then holds every instance of 100 classes.
const ids = await page.locator('[data-testid="summary-table"] [data-testid="row"][data-depth="0"]').evaluateAll((rows) => rows.slice(0, 8).map((r) => r.id));
for (const id of ids.reverse()) { // bottom up: an expanded class pushes only the rows below it
  await page.locator(`#${id} [data-testid="expander"]`).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid="summary-table"]').dataset.busy);
}
for (const format of ['json', 'csv']) {
  const t0 = Date.now();
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="view-summary"] [data-testid="export-${format}"]`)]);
  const path = await d.path();
  const ms = Date.now() - t0;
  console.log(format, statSync(path).size, 'bytes', ms, 'ms', await page.locator('[data-testid="view-summary"] [data-testid="export-status"]').textContent());
}
await suite.teardown();
