// Bad input and hostile content: a broken file fails alone, markup in the heap stays
// text, gzip and the demo load through the same streaming path.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo, setUpBrowserSuite, loadFiles, item, screenshot, rendererPeak } from './helpers.mjs';

const T = { timeout: 180000 };
const XSS = '<img src=x onerror=alert(1)>';
let suite; let mixed; let other; let truncated; let garbage; let gz;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { mixed: ['mixed-heap.cjs', 1], other: ['classic-leak.cjs', 1] } });
  [mixed] = suite.snapshots.mixed;
  [other] = suite.snapshots.other;
  const bytes = readFileSync(mixed);
  truncated = join(suite.dir, 'truncated.heapsnapshot');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  garbage = join(suite.dir, 'garbage.heapsnapshot');
  writeFileSync(garbage, '<html>this is not a heap snapshot</html>\n'.repeat(1000));
  gz = join(suite.dir, 'mixed-copy.heapsnapshot.gz');
  writeFileSync(gz, gzipSync(bytes));
}, T);

after(() => suite?.teardown());

/** Bytes in the class name of the huge-name snapshot: 100 MiB of "A". */
const HUGE_NAME = 100 * 2 ** 20;

/**
 * Writes a valid snapshot whose root holds `count` objects (ids 3, 5, 7…, 16 bytes each),
 * object i of the class named by `writeName(i, write)`, which writes the JSON string body
 * in pieces, so a huge name is never held whole (tests/hostile/mod.rs writes the same
 * files for the CLI).
 */
function writeClassesSnapshot(path, count, writeName) {
  const fd = openSync(path, 'w');
  const write = (text) => writeSync(fd, text);
  write('{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],'
    + '"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],'
    + '"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],'
    + `"location_fields":["object_index","script_id","line","column"]},"node_count":${count + 1},"edge_count":${count},"extra_native_bytes":0},\n`);
  const objects = Array.from({ length: count }, (_, i) => `\n,3,${i + 1},${2 * i + 3},16,0,0,0`);
  const edges = Array.from({ length: count }, (_, i) => `1,${i},${7 * (i + 1)}`);
  write(`"nodes":[9,0,1,0,${count},0,0${objects.join('')}],\n"edges":[${edges.join('\n,')}],\n"locations":[],\n"strings":[""`);
  for (let i = 0; i < count; i++) {
    write(',\n"');
    writeName(i, write);
    write('"');
  }
  write(']}\n');
  closeSync(fd);
}

/** A `Small` object and one whose class name is HUGE_NAME bytes of "A". */
function writeHugeNameSnapshot(path) {
  const block = Buffer.alloc(1 << 20, 'A');
  writeClassesSnapshot(path, 2, (i, write) => {
    if (i === 0) return write('Small');
    for (let n = 0; n < HUGE_NAME / block.length; n++) write(block);
  });
}

test('a 100 MiB class name loads beside a normal snapshot: cut in the Summary with its length, the other stays usable', T, async () => {
  const huge = join(suite.dir, 'huge-name.heapsnapshot');
  writeHugeNameSnapshot(huge);
  const { page, context, errors } = await suite.openPage();
  await loadFiles(page, [huge, mixed]);
  assert.equal(await item(page, 'huge-name.heapsnapshot').getAttribute('data-status'), 'ready');
  await item(page, 'huge-name.heapsnapshot').click();
  const names = page.locator('[data-testid="summary-table"] [data-testid="class-name"]');
  await names.first().waitFor();
  const shown = await names.allTextContents();
  const cut = shown.find((t) => t.startsWith('AAAA'));
  assert.ok(cut, `the huge class is listed: ${JSON.stringify(shown.map((t) => t.slice(0, 20)))}`);
  assert.ok(cut.length <= 1001 && cut.endsWith('\u2026'), `the name is cut: ${cut.length} characters`);
  const length = await page.locator('[data-testid="summary-table"] [data-testid="name-length"]').first().textContent();
  assert.match(length, /104,857,600 characters/);
  // Before the whole name is read back: that copy is the user's own request.
  const peak = rendererPeak();
  console.log(`renderer peak with the ${HUGE_NAME} B name file (${statSync(huge).size} B) and ${statSync(mixed).size} B beside it: ${(peak / 1e6).toFixed(0)} MB`);
  // Its object's marker saves the whole name, read from the worker in windows.
  const classRow = page.locator('[data-testid="summary-table"] [data-testid="row"]', { hasText: 'AAAA' }).first();
  await classRow.locator('[data-testid="expander"]').click();
  const marker = page.locator('[data-testid="summary-table"] [data-testid="name-length"][data-id="5"]');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), marker.click()]);
  const saved = join(suite.dir, 'whole-name.txt');
  await download.saveAs(saved);
  assert.equal(statSync(saved).size, HUGE_NAME);
  await item(page, 'mixed.heapsnapshot').click();
  await page.fill('[data-testid="search-input"]', 'Point');
  await page.press('[data-testid="search-input"]', 'Enter');
  await page.locator('[data-testid="search-result"]').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * Asserts `name` failed for want of memory under a worker ceiling of `gib` GiB (as the
 * message prints it), while mixed.heapsnapshot beside it stays usable: its Summary
 * lists classes, a class opens onto its objects, and Statistics draws its chart.
 */
async function assertOutOfMemoryAlone(page, name, gib) {
  const bad = item(page, name);
  assert.equal(await bad.getAttribute('data-status'), 'error');
  const message = await bad.locator('[data-testid="snapshot-error"]').textContent();
  const expected = `This snapshot needs more memory than the ${gib} GiB this page gives one snapshot (it asked for `;
  assert.ok(message.includes(expected), message);
  assert.match(message, /\(it asked for [\d.]+ MiB more; it held [\d.]+ GiB\)\. The other snapshots are not affected/);
  assert.equal(await item(page, 'mixed.heapsnapshot').getAttribute('data-status'), 'ready');
  await item(page, 'mixed.heapsnapshot').click();
  const rows = page.locator('[data-testid="summary-table"] [data-testid="row"]');
  await rows.first().waitFor();
  assert.ok(await rows.count() > 10, 'the Summary lists classes');
  await rows.first().locator('[data-testid="expander"]').click();
  await page.locator('[data-testid="summary-table"] [data-testid="object-name"]').first().waitFor();
  await page.click('[data-testid="tab-statistics"]');
  await page.locator('[data-testid="stats-chart"]').waitFor();
}

test('a snapshot past the memory a worker may use fails alone, with a message, and the other stays usable', T, async () => {
  const huge = join(suite.dir, 'huge-name.heapsnapshot');
  if (!existsSync(huge)) writeHugeNameSnapshot(huge);
  const { page, context, errors } = await suite.openPage();
  // The same page with each snapshot's worker capped at 64 MiB: the 100 MiB name cannot fit.
  await page.goto(`${suite.origin}/index.html?memory-limit=64`);
  await loadFiles(page, [huge, mixed]);
  await assertOutOfMemoryAlone(page, 'huge-name.heapsnapshot', '0.06');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a snapshot whose graph needs more memory than a worker may use fails alone, and the other stays usable', { timeout: 300000 }, async () => {
  // A real snapshot of a big heap, written by node: 40 MB whose graph needs ~50 MB to
  // analyse natively (the 4.5 MB mixed one: ~8 MB). Issue 10's case is a graph of
  // ~3.8 GB beside a normal snapshot under the browser's own limit; the same path is
  // taken here with each worker capped at 32 MiB, where only the big graph cannot fit.
  const big = join(suite.dir, 'big-graph.heapsnapshot');
  if (!existsSync(big)) {
    const made = spawnSync(process.execPath, [join(repo, 'scripts', 'make-big-snapshot.cjs'), '40', big], { stdio: 'ignore' });
    assert.equal(made.status, 0, 'scripts/make-big-snapshot.cjs wrote the big snapshot');
  }
  const { page, context, errors } = await suite.openPage();
  await page.goto(`${suite.origin}/index.html?memory-limit=32`);
  await loadFiles(page, [big, mixed]);
  await assertOutOfMemoryAlone(page, 'big-graph.heapsnapshot', '0.03');
  await page.click('[data-testid="tab-containment"]');
  await page.locator('[data-testid="view-containment"] [data-testid="row"]').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a truncated or foreign file shows an error while the other snapshot stays usable', T, async () => {
  const { page, context, errors } = await suite.openPage();
  await loadFiles(page, [truncated, garbage, mixed]);
  const expected = {
    'truncated.heapsnapshot': /the file ends early \(byte \d+, inside "(nodes|edges|strings)".*\): it is truncated/,
    'garbage.heapsnapshot': /byte 0: expected '\{' but found '<': this is not JSON, or not a heap snapshot/,
  };
  for (const [name, pattern] of Object.entries(expected)) {
    const bad = item(page, name);
    assert.equal(await bad.getAttribute('data-status'), 'error');
    const message = await bad.locator('[data-testid="snapshot-error"]').textContent();
    assert.match(message, pattern);
  }
  assert.equal(await item(page, 'mixed.heapsnapshot').getAttribute('data-status'), 'ready');
  await item(page, 'mixed.heapsnapshot').click();
  await page.locator('[data-testid="summary-table"] [data-testid="row"]').first().waitFor();
  await page.fill('[data-testid="search-input"]', 'Point');
  await page.press('[data-testid="search-input"]', 'Enter');
  await page.locator('[data-testid="search-result"]').first().waitFor();
  await screenshot(page, 'error');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a snapshot too big for a tab is refused right after its header, with a clear message', T, async () => {
  const { page, context, errors } = await suite.openPage();
  // A real header claiming 80 million nodes and 300 million edges: analysing
  // that needs more than wasm32's 4 GiB, so the worker says so at once.
  const header = readFileSync(mixed, 'latin1').slice(0, 2000);
  const huge = header.replace(/"node_count":\d+/, '"node_count":80000000').replace(/"edge_count":\d+/, '"edge_count":300000000');
  const tooBig = join(suite.dir, 'too-big.heapsnapshot');
  writeFileSync(tooBig, huge, 'latin1');
  await loadFiles(page, [tooBig, mixed]);
  const bad = item(page, 'too-big.heapsnapshot');
  assert.equal(await bad.getAttribute('data-status'), 'error');
  const message = await bad.locator('[data-testid="snapshot-error"]').textContent();
  assert.match(message, /80000000 nodes and 300000000 edges: analysing it needs about 7\.56 GB, more than the 3\.76 GB heaplens can use of the 4 GiB a browser tab gives WebAssembly/);
  assert.equal(await item(page, 'mixed.heapsnapshot').getAttribute('data-status'), 'ready');
  assert.deepEqual(errors, []);
  await context.close();
});

test('markup inside the heap renders as inert text', T, async () => {
  const { page, context, dialogs, errors } = await suite.openPage();
  await page.evaluate(() => {
    window.__imgs = 0;
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        if (n.nodeType === 1 && (n.tagName === 'IMG' || n.querySelector?.('img'))) window.__imgs++;
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await loadFiles(page, [mixed]);
  await page.fill('[data-testid="search-input"]', 'onerror');
  await page.press('[data-testid="search-input"]', 'Enter');
  await page.locator('[data-testid="search-result"]').first().waitFor();
  const texts = await page.locator('[data-testid="search-result"]').allTextContents();
  assert.ok(texts.some((t) => t.includes(XSS)), `the payload is shown as text: ${JSON.stringify(texts)}`);
  const result = page.locator('[data-testid="search-result"]', { hasText: XSS }).first();
  await result.click();
  await page.locator('[data-testid="retainers-pane"] [data-testid="row"]').first().waitFor();
  // The Containment and Summary views also show strings and class names.
  await page.click('[data-testid="tab-summary"]');
  await page.fill('[data-testid="view-summary"] [data-testid="class-filter"]', 'string');
  await page.locator('[data-testid="summary-table"] [data-testid="row"]').first().waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__imgs), 0);
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await screenshot(page, 'xss-search');
  await context.close();
});

test('a .heapsnapshot.gz file loads like the plain file', T, async () => {
  const { page, context } = await suite.openPage();
  await loadFiles(page, [mixed, gz]);
  const nodes = async (name) => item(page, name).locator('[data-testid="snapshot-nodes"]').getAttribute('data-nodes');
  assert.equal(await item(page, 'mixed-copy.heapsnapshot.gz').getAttribute('data-status'), 'ready');
  assert.equal(await nodes('mixed-copy.heapsnapshot.gz'), await nodes('mixed.heapsnapshot'));
  await context.close();
});

test('a snapshot can be removed and the others keep working', T, async () => {
  const { page, context } = await suite.openPage();
  await loadFiles(page, [mixed, gz]);
  await item(page, 'mixed.heapsnapshot').locator('[data-testid="remove-snapshot"]').click();
  assert.equal(await page.locator('[data-testid="snapshot-item"]').count(), 1);
  await item(page, 'mixed-copy.heapsnapshot.gz').click();
  await page.click('[data-testid="tab-statistics"]');
  await page.locator('[data-testid="stats-chart"]').waitFor();
  await context.close();
});

test('a load can be cancelled without touching the other snapshots', { ...T, skip: !existsSync(join(repo, 'www', 'demo', 'index.json')) && 'run scripts/build.sh to generate www/demo' }, async () => {
  const { page, context } = await suite.openPage();
  // Hold the second demo file back so it is still loading when Cancel is clicked.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/demo/2.heapsnapshot', async (route) => { await held; await route.continue().catch(() => {}); });
  await page.click('[data-testid="demo-button"]');
  const second = item(page, '2.heapsnapshot');
  await second.locator('[data-testid="cancel-load"]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="snapshot-item"][data-status="ready"]').length >= 1, null, { timeout: 60000 });
  await screenshot(page, 'loading');
  await second.locator('[data-testid="cancel-load"]').click();
  release();
  assert.equal(await second.getAttribute('data-status'), 'error');
  assert.equal((await second.locator('[data-testid="snapshot-error"]').textContent()).trim(), 'Cancelled');
  await page.waitForFunction(() => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.filter((i) => i.dataset.status === 'ready').length === 2;
  }, null, { timeout: 120000 });
  await context.close();
});

test('"Try the demo" streams the demo snapshots from the same origin', { ...T, skip: !existsSync(join(repo, 'www', 'demo', 'index.json')) && 'run scripts/build.sh to generate www/demo' }, async () => {
  const { page, context, requests } = await suite.openPage();
  const index = JSON.parse(readFileSync(join(repo, 'www', 'demo', 'index.json'), 'utf8'));
  await page.click('[data-testid="demo-button"]');
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('[data-testid="snapshot-item"]')];
    return items.length === n && items.every((i) => i.dataset.status === 'ready');
  }, index.snapshots.length, { timeout: 120000 });
  await page.locator('[data-testid="summary-table"] [data-testid="row"]').first().waitFor();
  assert.ok(requests.some((u) => u.endsWith('/demo/index.json')));
  assert.ok(requests.every((u) => u.startsWith(`${suite.origin}/`) || u.startsWith('blob:') || u.startsWith('data:')));
  await screenshot(page, 'demo');
  await context.close();
});

test('the same file loaded three times gets three distinguishable names', T, async () => {
  const { page, context } = await suite.openPage();
  await loadFiles(page, [mixed]);
  await loadFiles(page, [mixed]);
  await loadFiles(page, [mixed]);
  const names = await page.locator('[data-testid="snapshot-name"]').allTextContents();
  assert.deepEqual(names.sort(), ['mixed.heapsnapshot', 'mixed.heapsnapshot (2)', 'mixed.heapsnapshot (3)']);
  await context.close();
});

test('Comparison warns when the base comes from another process', T, async () => {
  const { page, context, errors } = await suite.openPage();
  await loadFiles(page, [other, mixed]);
  await item(page, 'mixed.heapsnapshot').click();
  await page.click('[data-testid="tab-comparison"]');
  const warnings = page.locator('[data-testid="comparison-warnings"]');
  await warnings.waitFor();
  assert.match(await warnings.textContent(), /The base and this snapshot look like snapshots of different processes: \d+ of the \d+ objects they share ids with are different objects/);
  await screenshot(page, 'comparison-processes');
  assert.deepEqual(errors, []);
  await context.close();
});

/** Class names that reorder or hide text, and how the page must show each. */
const BIDI_NAMES = {
  '\u202emoc.elgoog//:sptth': '\\u202emoc.elgoog//:sptth',
  'a\u202ab\u202bc\u202cd\u202de': 'a\\u202ab\\u202bc\\u202cd\\u202de',
  'f\u2066g\u2067h\u2068i\u2069j': 'f\\u2066g\\u2067h\\u2068i\\u2069j',
  'k\u200el\u200fm\u061cn': 'k\\u200el\\u200fm\\u061cn',
  '\u001b[31mRed\u001b]0;title\u0007': '\\x1b[31mRed\\x1b]0;title\\x07',
};

/** Bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;

test('names with bidi controls show them escaped and isolated in every view, beside a usable snapshot', T, async () => {
  const names = Object.keys(BIDI_NAMES);
  const bidi = join(suite.dir, 'bidi.heapsnapshot');
  writeClassesSnapshot(bidi, names.length, (i, write) => write(JSON.stringify(names[i]).slice(1, -1)));
  const { page, context, errors } = await suite.openPage();
  await loadFiles(page, [bidi, mixed]);
  await item(page, 'bidi.heapsnapshot').click();
  const summary = page.locator('[data-testid="summary-table"]');
  const classNames = summary.locator('[data-testid="class-name"]');
  await classNames.first().waitFor();
  assert.deepEqual((await classNames.allTextContents()).sort(), Object.values(BIDI_NAMES).sort());
  const isolated = await page.evaluate(() => ['class-name', 'snapshot-name'].map((id) => getComputedStyle(document.querySelector(`[data-testid="${id}"]`)).unicodeBidi));
  assert.deepEqual(isolated, ['isolate', 'isolate']);
  // The object row under the class, and its tooltip.
  const row = summary.locator('[data-testid="row"]', { hasText: 'moc.elgoog' }).first();
  await row.locator('[data-testid="expander"]').click();
  const object = summary.locator('[data-testid="object-name"]', { hasText: 'moc.elgoog' }).first();
  await object.waitFor();
  assert.equal(await object.textContent(), '\\u202emoc.elgoog//:sptth');
  // Search shows the same names.
  await page.fill('[data-testid="search-input"]', 'elgoog');
  await page.press('[data-testid="search-input"]', 'Enter');
  const result = page.locator('[data-testid="search-result"]').first();
  await result.waitFor();
  assert.match(await result.textContent(), /\\u202emoc\.elgoog\/\/:sptth/);
  const raw = await page.evaluate((source) => {
    const bidiChars = new RegExp(source);
    const texts = [document.body.innerText, ...[...document.querySelectorAll('[title]')].map((e) => e.title)];
    return texts.filter((t) => bidiChars.test(t)).map((t) => t.slice(0, 80));
  }, BIDI.source);
  assert.deepEqual(raw, [], 'no bidi control reaches the page unescaped');
  await screenshot(page, 'bidi-names');
  await item(page, 'mixed.heapsnapshot').click();
  await summary.locator('[data-testid="row"]').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

/** A file of the fuzz corpus. */
const corpus = (name) => readFileSync(join(repo, 'tests', 'fuzz', 'corpus', name));

test('an image, a CPU profile, a 1-byte file, 1e309, NaN, deep nesting and huge counts each fail naming what they are, a timeline loads, beside a usable snapshot', T, async () => {
  const write = (name, bytes) => { const path = join(suite.dir, name); writeFileSync(path, bytes); return path; };
  const cases = {
    'image.heapsnapshot': [Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /this is a PNG image, not a V8 heap snapshot/],
    'x.cpuprofile': ['{"nodes":[{"id":1}],"startTime":0}', /\(a CPU profile, \.cpuprofile, starts this way\)/],
    'one-byte.heapsnapshot': ['x', /byte 0: expected '\{' but found 'x'/],
    'image.heapsnapshot.gz': [gzipSync(Buffer.from('89504e470d0a1a0a', 'hex')), /this is a PNG image/],
    // The hostile cases of the fuzz corpus (tests/fuzz/corpus).
    'number-1e309.heapsnapshot': [corpus('number-1e309.heapsnapshot'), /in "nodes": value 17 \(1e…\) is not an integer/],
    'number-nan.heapsnapshot': [corpus('number-nan.heapsnapshot'), /in "nodes": unexpected 'N' in a number array/],
    'deep-nesting-unclosed.heapsnapshot': [corpus('deep-nesting-unclosed.heapsnapshot'), /the file ends early/],
    'huge-node-count.heapsnapshot': [corpus('huge-node-count.heapsnapshot'), /268435455 nodes and 5 edges: analysing it needs about [\d.]+ GB, more than the 3\.76 GB heaplens can use of the 4 GiB a browser tab gives WebAssembly/],
  };
  const { page, context, errors } = await suite.openPage();
  const valid = ['timeline.heaptimeline', 'deep-nesting.heapsnapshot'].map((name) => write(name, corpus(name)));
  // A sampling heap profile, even an empty one, opens in the Profile view.
  const profile = write('x.heapprofile', '{"head":{"callFrame":{}},"samples":[]}');
  await loadFiles(page, [...Object.entries(cases).map(([name, [bytes]]) => write(name, bytes)), ...valid, profile, mixed]);
  assert.equal(await item(page, 'x.heapprofile').getAttribute('data-status'), 'ready');
  for (const [name, [, pattern]] of Object.entries(cases)) {
    const bad = item(page, name);
    assert.equal(await bad.getAttribute('data-status'), 'error', name);
    assert.match(await bad.locator('[data-testid="snapshot-error"]').textContent(), pattern);
  }
  // A .heaptimeline is a snapshot with allocation traces: it loads.
  for (const name of ['timeline.heaptimeline', 'deep-nesting.heapsnapshot']) {
    assert.equal(await item(page, name).getAttribute('data-status'), 'ready', name);
    assert.equal(await item(page, name).locator('[data-testid="snapshot-nodes"]').getAttribute('data-nodes'), '4');
  }
  await item(page, 'mixed.heapsnapshot').click();
  await page.locator('[data-testid="summary-table"] [data-testid="row"]').first().waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
