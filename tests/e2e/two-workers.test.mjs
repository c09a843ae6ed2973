// Two readers of one file: worker.js reads a big plain file with a second worker
// (edges-worker.js parses `edges` and hands the rows over). The threshold is lowered
// with `?two-workers-above=` on the worker's URL (set here by wrapping the page's
// Worker, as scripts/bench-browser.mjs does), so a real V8 snapshot of a few MB takes
// the two-worker path: the graph, the Summary and the messages for bad input are the
// ones one worker gives.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setUpBrowserSuite, openPage, loadFiles, item } from './helpers.mjs';

const T = { timeout: 240000 };
let suite; let mixed; let badEdge; let cutInEdges; let badNode;

before(async () => {
  suite = await setUpBrowserSuite({ programs: { mixed: ['mixed-heap.cjs', 1] } });
  [mixed] = suite.snapshots.mixed;
  const text = readFileSync(mixed, 'latin1');
  const edges = text.indexOf('"edges":[') + '"edges":['.length;
  const edgesEnd = text.indexOf(']', edges);
  // The 1000th edge's to_node (a multiple of the node field count) plus one.
  const values = text.slice(edges, edgesEnd).split(',');
  const at = 3 * 1000 + 2;
  const offset = edges + values.slice(0, at).join(',').length + 1;
  const target = values[at].trim();
  badEdge = join(suite.dir, 'bad-edge.heapsnapshot');
  writeFileSync(badEdge, text.slice(0, offset) + String(Number(target) + 1) + text.slice(offset + target.length), 'latin1');
  cutInEdges = join(suite.dir, 'cut-in-edges.heapsnapshot');
  writeFileSync(cutInEdges, text.slice(0, Math.floor((edges + edgesEnd) / 2)), 'latin1');
  // An error outside `edges` (the worker that passes over them finds it): a node type
  // past node_types, in the 10th node.
  const nodes = text.indexOf('"nodes":[') + '"nodes":['.length;
  badNode = join(suite.dir, 'bad-node.heapsnapshot');
  const nodeValues = text.slice(nodes, text.indexOf(']', nodes)).split(',');
  const nodeOffset = nodes + nodeValues.slice(0, 7 * 9).join(',').length + 1;
  const type = nodeValues[7 * 9].trim();
  writeFileSync(badNode, text.slice(0, nodeOffset) + '99' + text.slice(nodeOffset + type.length), 'latin1');
}, T);

after(() => suite?.teardown());

/**
 * Opens the page with every Worker it starts given `?two-workers-above=BYTES`; each
 * worker's 'readers' messages are kept, and `ask(i, request)` queries the i-th worker
 * (by the protocol, with ids the page's own client never uses).
 */
async function pageWithReadersAbove(bytes) {
  const opened = await openPage(suite.browser, suite.origin);
  await opened.page.evaluate((above) => {
    const Base = window.Worker;
    window.__workers = [];
    window.Worker = class extends Base {
      constructor(url, options) {
        const forced = new URL(url, location.href);
        forced.searchParams.set('two-workers-above', String(above));
        super(forced, options);
        const entry = { worker: this, readers: [], waiting: new Map() };
        window.__workers.push(entry);
        this.addEventListener('message', ({ data }) => {
          if (data?.type === 'readers') entry.readers.push(data.count);
          if (data?.type === 'result' && entry.waiting.has(data.id)) entry.waiting.get(data.id)(data);
        });
      }
    };
    let next = 1e9;
    window.__ask = (i, request) => new Promise((resolve) => {
      const entry = window.__workers[i];
      const id = next++;
      entry.waiting.set(id, resolve);
      entry.worker.postMessage({ type: 'query', id, request });
    });
  }, bytes);
  return opened;
}

/** What a worker says of its snapshot: readers used, info, the Summary's first rows. */
async function answers(page, i) {
  return page.evaluate(async (n) => {
    const info = await window.__ask(n, { op: 'info' });
    const summary = await window.__ask(n, { op: 'summary', sortBy: 'retainedSize', offset: 0, limit: 40 });
    const distances = await window.__ask(n, { op: 'summary', sortBy: 'distance', offset: 0, limit: 40 });
    return { readers: window.__workers[n].readers, info, summary, distances };
  }, i);
}

async function errorOf(page, name) {
  return item(page, name).locator('[data-testid="snapshot-error"]').textContent();
}

test('two workers build the graph one worker builds: same info, Summary rows and distances', T, async () => {
  const two = await pageWithReadersAbove(0);
  const one = await pageWithReadersAbove(2 ** 53);
  try {
    for (const { page } of [two, one]) await loadFiles(page, [mixed]);
    const [a, b] = [await answers(two.page, 0), await answers(one.page, 0)];
    assert.deepEqual(a.readers, [2, 2], 'the two-worker path was taken (and the edges came back)');
    assert.deepEqual(b.readers, [1], 'one worker below the threshold');
    assert.ok(a.info.result.edges > 50000, `a real heap: ${a.info.result.edges} edges`);
    assert.ok(a.summary.result.rows.length === 40, 'a full page of classes');
    assert.deepEqual(a.info, b.info);
    assert.deepEqual(a.summary, b.summary);
    assert.deepEqual(a.distances, b.distances);
    assert.deepEqual(two.errors, []);
  } finally {
    await two.context.close();
    await one.context.close();
  }
});

test('bad input in either half gives the message one worker gives, and the other snapshot stays usable', T, async () => {
  const two = await pageWithReadersAbove(0);
  const one = await pageWithReadersAbove(2 ** 53);
  try {
    const files = [badEdge, cutInEdges, badNode, mixed];
    for (const { page } of [two, one]) await loadFiles(page, files);
    const expected = {
      'bad-edge.heapsnapshot': /^edge 1000 points to node index \d+, not a multiple of the \d node fields: the file is truncated or corrupt$/,
      'cut-in-edges.heapsnapshot': /^the file ends early \(byte \d+, inside "edges" after \d+ of \d+ values\): it is truncated$/,
      'bad-node.heapsnapshot': /^node 9 \(nodes\[63\]\) has type = 99: a type index outside node_types/,
    };
    for (const [name, pattern] of Object.entries(expected)) {
      const [mine, theirs] = [await errorOf(two.page, name), await errorOf(one.page, name)];
      assert.match(mine, pattern, name);
      assert.equal(mine, theirs, `${name}: the same message on both paths`);
    }
    assert.equal(await item(two.page, 'mixed.heapsnapshot').getAttribute('data-status'), 'ready');
    const readers = await two.page.evaluate(() => window.__workers.map((w) => w.readers[0]));
    assert.deepEqual(readers, [2, 2, 2, 2], 'each file was read by two workers');
  } finally {
    await two.context.close();
    await one.context.close();
  }
});
