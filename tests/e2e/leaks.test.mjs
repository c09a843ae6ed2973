// Leak hunting end to end: the Leaks view's report on three snapshots of the classic
// leak (checked against the CLI's `leaks --json`), its paths and members, and the Growth
// view's charts (snapshots and imported heap-usage logs, downloads). Saves
// tests/e2e/artifacts/leaks.png and growth.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { setUpBrowserSuite, cliJson, loadFiles, item, screenshot, bytesOf } from './helpers.mjs';

const T = { timeout: 180000 };
const SIZE_LABEL = /^(0|−?[\d,]+(\.\d+)?\u00a0(B|kB|MB|GB))$/;
let suite; let session; let files; let cli;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { leak: ['classic-leak.cjs', 3] } });
  files = suite.snapshots.leak;
  cli = cliJson('leaks', ...files); // the reference report
  session = await suite.openPage();
  await loadFiles(session.page, [files[0]]);
}, T);

after(() => suite?.teardown());

const page = () => session.page;
/** The CLI's text output for `args` (the debug build the suite uses). */
const cliText = (...args) => execFileSync(join(import.meta.dirname, '..', '..', 'target', 'debug', 'heaplens'), args, { maxBuffer: 1 << 26 }).toString();
const firstRow = () => page().locator('[data-testid="leak-row"]').first();
const selectedName = () => page().locator('[data-testid="snapshot-item"][aria-current="true"]').getAttribute('data-name');

test('with one snapshot, Leaks explains the 3-snapshot technique and Growth says what to load', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-leaks"]');
  const intro = p.locator('[data-testid="leaks-empty"]');
  await intro.waitFor();
  assert.match(await intro.textContent(), /Take a heap snapshot\..*Repeat the action.*take a third/s);
  await p.click('[data-testid="tab-growth"]');
  assert.match(await p.locator('[data-testid="growth-empty"]').textContent(), /Load at least one more heap snapshot/);
});

test('the leak report appears by itself once more snapshots are ready', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-leaks"]');
  await loadFiles(p, [files[2], files[1]]);
  await firstRow().waitFor({ timeout: 60000 });
  assert.equal(await selectedName(), 'leak-1.heapsnapshot', 'the selection did not move');
  const range = p.locator('[data-testid="leak-id-range"]');
  assert.deepEqual([Number(await range.getAttribute('data-min')), Number(await range.getAttribute('data-max'))], cli.idRange);
});

test('the first leak group is SimpleClass ×1000 with the CLI\u2019s numbers', T, async () => {
  const row = firstRow();
  const want = cli.groups[0];
  assert.equal(want.name, 'SimpleClass');
  assert.equal(want.count, 1000);
  assert.equal(await row.getAttribute('data-name'), want.name);
  assert.equal(Number(await row.getAttribute('data-count')), want.count);
  assert.equal(await row.locator('[data-testid="leak-count"]').textContent(), '1,000');
  assert.equal(bytesOf(await row.locator('[data-testid="leak-self-size"]').getAttribute('title')), want.selfSize);
  assert.equal(bytesOf(await row.locator('[data-testid="leak-retained-size"]').getAttribute('title')), want.retainedSize);
  assert.equal(Number(await row.getAttribute('data-retained-size')), want.retainedSize);
  assert.equal(await page().locator('[data-testid="leak-row"]').count(), Math.min(200, cli.groups.length));
  assert.equal(await page().locator('[data-testid="leak-warning"]').count(), cli.warnings.length);
  assert.equal(await row.locator('[data-testid="leak-grows"]').textContent(), '\u2013', 'three snapshots cannot tell growth in every interval');
  assert.match(await row.locator('[data-testid="leak-held"]').textContent(), /leakyData/);
});

test('an expanded group shows its path through leakyData; a step selects it in the newest snapshot', T, async () => {
  const p = page();
  await firstRow().click();
  const detail = p.locator('[data-testid="leak-detail"]').first();
  const edges = await detail.locator('[data-testid="leak-edge"]').evaluateAll((els) => els.map((e) => e.dataset.edge));
  assert.ok(edges.includes('leakyData'), `path edges: ${edges}`);
  // Why it ranks where it does, and where SimpleClass was defined: the CLI's words.
  const want = cli.groups[0];
  assert.equal(await detail.locator('[data-testid="leak-why"]').textContent(), `Why here: ${want.why}`);
  assert.match(want.why, /^grew in every interval|^still growing/);
  const at = want.location;
  assert.match(at.script, /classic-leak\.cjs$/);
  assert.equal(await detail.locator('[data-testid="leak-location"]').textContent(), `${at.script}:${at.line}:${at.column}`);
  const steps = detail.locator('[data-testid="leak-step"]');
  assert.equal(await steps.count(), cli.groups[0].path.length);
  assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => Number(e.dataset.id))), cli.groups[0].path.map((s) => s.id));
  // The report is about the newest snapshot: picking a step selects it there.
  const arrayStep = steps.nth((await steps.count()) - 2);
  const id = await arrayStep.getAttribute('data-id');
  await arrayStep.click();
  await p.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, id);
  assert.equal(await selectedName(), 'leak-3.heapsnapshot');
  assert.equal(await p.locator('[data-testid="current-snapshot"]').textContent(), 'leak-3.heapsnapshot');
  await p.locator('[data-testid="retainers-pane"] [data-testid="row"]').first().waitFor();
  // Members: the first 100 with their names and sizes; one click shows its retainers.
  const members = detail.locator('[data-testid="leak-member"]');
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="leak-member"] [data-testid="object-name"]').length === 100);
  assert.equal(await members.count(), 100);
  assert.equal(await members.first().locator('[data-testid="object-name"]').textContent(), 'SimpleClass');
  const member = members.nth(3);
  const memberId = await member.getAttribute('data-id');
  assert.equal(Number(memberId), cli.groups[0].members[3]);
  await member.click();
  await p.waitForFunction((want) => document.querySelector('[data-testid="retainers-title"]')?.dataset.id === want, memberId);
  await p.locator('[data-testid="retainers-pane"] [data-testid="edge-name"]', { hasText: /^leakyData$/ }).first().waitFor({ timeout: 30000 });
  await detail.locator('[data-testid="members-more"]').click();
  await p.waitForFunction(() => document.querySelectorAll('[data-testid="leak-member"]').length === 200);
  await p.locator('[data-testid="leaks-summary"]').scrollIntoViewIfNeeded();
  await screenshot(p, 'leaks');
});

test('the report downloads as the CLI\u2019s HTML file and copies as its Markdown; the file shows its groups with scripts off and loads nothing', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-leaks"]');
  await firstRow().waitFor();
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid="leak-download-html"]')]);
  assert.equal(download.suggestedFilename(), 'heaplens-leaks-leak-3.html');
  const saved = await download.path();
  const html = readFileSync(saved, 'utf8');
  assert.equal(html, cliText('leaks', ...files, '--format', 'html'), 'the page and the CLI write the same file');

  await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.origin });
  await p.click('[data-testid="leak-copy-markdown"]');
  await p.locator('[data-testid="leak-share-status"]', { hasText: 'Copied' }).waitFor();
  const markdown = await p.evaluate(() => navigator.clipboard.readText());
  assert.equal(markdown, cliText('leaks', ...files, '--format', 'markdown'));

  const offline = await suite.browser.newContext({ javaScriptEnabled: false });
  const requests = [];
  offline.on('request', (r) => requests.push(r.url()));
  const viewer = await offline.newPage();
  const file = join(suite.dir, 'report.html'); // file:// goes by the extension
  writeFileSync(file, html);
  await viewer.goto(pathToFileURL(file).href);
  const text = await viewer.locator('body').innerText();
  assert.match(text, /SimpleClass \u00d71000/);
  assert.match(text, /leakyData/);
  assert.match(text, /leak-1\.heapsnapshot/);
  assert.deepEqual(requests, [pathToFileURL(file).href], 'the file loads nothing');
  await offline.close();
});

test('Growth charts one point per snapshot with sizes on the y axis; class lines toggle', T, async () => {
  const p = page();
  await p.click('[data-testid="tab-growth"]');
  const heap = p.locator('[data-testid="growth-heap-chart"]');
  await heap.locator('[data-testid="point"]').first().waitFor();
  assert.equal(await heap.locator('[data-testid="point"]').count(), 3);
  assert.deepEqual(await heap.locator('[data-testid="x-label"]').allTextContents(), ['leak-1', 'leak-2', 'leak-3']);
  assert.deepEqual(await heap.locator('[data-testid="x-label"]').evaluateAll((els) => els.map((e) => e.dataset.label)),
    ['leak-1.heapsnapshot', 'leak-2.heapsnapshot', 'leak-3.heapsnapshot']);
  const yLabels = await heap.locator('[data-testid="y-label"]').allTextContents();
  assert.ok(yLabels.length >= 3, `${yLabels.length} y labels`);
  for (const label of yLabels) assert.match(label, SIZE_LABEL);
  const plotted = await heap.locator('[data-testid="point"]').evaluateAll((els) => els.map((e) => Number(e.dataset.value)));
  const totals = files.map((f) => cliJson('stats', f).total);
  assert.deepEqual(plotted, totals);
  // Hover: the crosshair's tooltip gives the exact size.
  await heap.scrollIntoViewIfNeeded();
  const box = await heap.locator('[data-testid="point"]').nth(1).boundingBox();
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = heap.locator('[data-testid="chart-tip"]');
  await tip.waitFor();
  assert.match(await tip.textContent(), new RegExp(`leak-2\\.heapsnapshot.*${totals[1].toLocaleString('en-US')} bytes`));
  // The classes that grew most: SimpleClass among them, each line toggled by its legend entry.
  const classes = p.locator('[data-testid="growth-class-chart"]');
  const legend = classes.locator('[data-testid="legend-item"]');
  const names = await legend.evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.ok(names.includes('SimpleClass'), `legend: ${names}`);
  assert.ok(names.length <= 8);
  const lines = () => classes.locator('[data-testid="series"]').count();
  assert.equal(await lines(), names.length);
  const entry = legend.filter({ hasText: 'SimpleClass' });
  await entry.click();
  assert.equal(await entry.getAttribute('aria-pressed'), 'false');
  assert.equal(await lines(), names.length - 1);
  await entry.click();
  assert.equal(await lines(), names.length);
  const simple = classes.locator('[data-testid="series"][data-name="SimpleClass"] [data-testid="point"]');
  assert.deepEqual(await simple.evaluateAll((els) => els.map((e) => Number(e.dataset.value))), [0, 1000, 2000]);
});

test('an imported heap-usage log with 5 lines plots 5 points; a file without numbers is explained', T, async () => {
  const p = page();
  const empty = join(suite.dir, 'notes.txt');
  writeFileSync(empty, 'starting the server\nlistening on port eight thousand\n');
  await p.locator('[data-testid="heap-log-input"]').setInputFiles(empty);
  const error = p.locator('[data-testid="heap-log-error"]');
  await error.waitFor();
  assert.match(await error.textContent(), /notes\.txt holds no heap sizes\. Expected a JSON array .* or text with a number followed by “bytes”/);
  const log = join(suite.dir, 'heap-usage.log');
  const sizes = [3783656, 3911208, 4120504, 4398112, 4672840];
  writeFileSync(log, ['# forced GC after each request', ...sizes.map((b, i) => `[${i}] Program is using ${b} bytes of Heap.`), 'done'].join('\n'));
  await p.locator('[data-testid="heap-log-input"]').setInputFiles(log);
  const chart = p.locator('[data-testid="growth-log-chart"]');
  await chart.locator('[data-testid="point"]').first().waitFor();
  assert.equal(await chart.locator('[data-testid="point"]').count(), 5);
  assert.deepEqual(await chart.locator('[data-testid="point"]').evaluateAll((els) => els.map((e) => Number(e.dataset.value))), sizes);
  await p.click('[data-testid="heap-log-dismiss"]');
  assert.equal(await error.count(), 0, 'the message is dismissed');
  for (const label of await chart.locator('[data-testid="y-label"]').allTextContents()) assert.match(label, SIZE_LABEL);
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.locator('[data-testid="point"]').nth(3).boundingBox();
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await chart.locator('[data-testid="chart-tip"]').waitFor();
  assert.match(await chart.locator('[data-testid="chart-tip"]').textContent(), /4,398,112 bytes/);
  // The screenshot shows the whole view (the Retainers pane takes the bottom of a 900 px one).
  await p.setViewportSize({ width: 1400, height: 1400 });
  await p.locator('[data-testid="view-growth"] .growth-body').evaluate((e) => { e.scrollTop = 0; });
  const point = await chart.locator('[data-testid="point"]').nth(3).boundingBox();
  await p.mouse.move(point.x + point.width / 2, point.y + point.height / 2);
  await chart.locator('[data-testid="chart-tip"]').waitFor();
  await screenshot(p, 'growth');
  await p.setViewportSize({ width: 1400, height: 900 });
});

test('Download SVG and Download PNG save the chart as files', T, async () => {
  const p = page();
  const heap = p.locator('[data-testid="growth-heap-chart"]');
  const [svgDownload] = await Promise.all([p.waitForEvent('download'), heap.locator('[data-testid="download-svg"]').click()]);
  assert.equal(svgDownload.suggestedFilename(), 'heaplens-heap-size.svg');
  const text = readFileSync(await svgDownload.path(), 'utf8');
  assert.match(text, /^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((text.match(/<circle /g) ?? []).length, 3, 'one marker per snapshot, no hover layer');
  assert.match(text, /Total heap size per snapshot/);
  assert.ok(!text.includes('data-testid'), 'no page attributes in the file');
  const [pngDownload] = await Promise.all([p.waitForEvent('download'), heap.locator('[data-testid="download-png"]').click()]);
  assert.equal(pngDownload.suggestedFilename(), 'heaplens-heap-size.png');
  const png = readFileSync(await pngDownload.path());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 5000, `${png.length} bytes of PNG`);
});

test('a dropped heap-usage log opens the Growth view even with no snapshot loaded', T, async () => {
  const { page: fresh, context, errors } = await suite.openPage();
  await fresh.locator('[data-testid="welcome"]').waitFor();
  await fresh.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['[1000000, 1250000, 1600000, 2100000]'], 'usage.json', { type: 'application/json' }));
    document.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  const chart = fresh.locator('[data-testid="growth-log-chart"]');
  await chart.locator('[data-testid="point"]').first().waitFor();
  assert.equal(await chart.locator('[data-testid="point"]').count(), 4);
  assert.equal(await fresh.locator('[data-testid="snapshot-item"]').count(), 0, 'the log did not go to the snapshot loader');
  assert.match(await fresh.locator('[data-testid="growth-empty"]').textContent(), /Load two or more heap snapshots/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('no request leaves the page origin and the page logs no error', T, async () => {
  assert.ok(item(page(), 'leak-3.heapsnapshot'));
  const foreign = session.requests.filter((u) => !u.startsWith(`${suite.origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(session.errors, []);
});
