// Smoke test for the DevTools numbers oracle (tests/oracle/devtools.mjs):
// generates classic-leak snapshots in a temp dir, runs the oracle CLI on them and
// checks the SimpleClass numbers the leak program guarantees.
// Run: node --test tests/oracle/devtools.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ORACLE = join(here, 'devtools.mjs');
const PROGRAM = join(here, '..', 'fixtures', 'programs', 'classic-leak.cjs');

// Must match PER_ROUND in classic-leak.cjs: round k adds exactly this many
// SimpleClass instances that stay alive, and snapshot k is taken after round k.
const PER_ROUND = Number(/const PER_ROUND = (\d+);/.exec(readFileSync(PROGRAM, 'utf8'))[1]);

function oracle(...args) {
  const out = execFileSync(process.execPath, [ORACLE, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out);
}

function simpleClassRows(result) {
  return result.classes.filter((c) => c.name === 'SimpleClass');
}

test('classic leak: summary and "between 1 and 2" count SimpleClass exactly', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'heaplens-oracle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  execFileSync(process.execPath, ['--expose-gc', PROGRAM, dir, '3'], { stdio: 'ignore' });
  const [s1, s2, s3] = [1, 2, 3].map((k) => join(dir, `${k}.heapsnapshot`));
  const head = readFileSync(s3, 'utf8').slice(0, 4096);
  const header = {
    node_count: Number(/"node_count":(\d+)/.exec(head)[1]),
    edge_count: Number(/"edge_count":(\d+)/.exec(head)[1]),
  };

  const summary = oracle('summary', s3);
  assert.equal(summary.nodes, header.node_count);
  assert.equal(summary.edges, header.edge_count);
  assert.ok(summary.total_size > 0);
  const rows = simpleClassRows(summary);
  assert.equal(rows.length, 1, 'one SimpleClass row');
  assert.ok(rows[0].count >= 2000);
  assert.equal(rows[0].count, 3 * PER_ROUND);
  assert.equal(rows[0].self_size % rows[0].count, 0, 'all instances have the same self size');
  assert.ok(rows[0].distance !== null && rows[0].distance > 0, 'reachable from a user root');
  assert.ok(rows[0].retained_size > rows[0].self_size, 'instances retain their text');
  // Sorted by retained size, descending.
  for (let i = 1; i < summary.classes.length; i++) {
    assert.ok(summary.classes[i - 1].retained_size >= summary.classes[i].retained_size);
  }

  const between = oracle('between', s1, s2, s3);
  const brows = simpleClassRows(between);
  assert.equal(brows.length, 1);
  assert.equal(brows[0].count, PER_ROUND, 'exactly the instances leaked in round 2');
  assert.ok(between.min_node_id < between.max_node_id);

  const diff = oracle('diff', s2, s3);
  const drows = diff.classes.filter((c) => c.name === 'SimpleClass');
  assert.equal(drows.length, 1);
  assert.equal(drows[0].new_count, PER_ROUND);
  assert.equal(drows[0].deleted_count, 0);
  assert.equal(drows[0].delta_count, PER_ROUND);

  const stats = oracle('stats', s3);
  assert.equal(stats.total, summary.total_size);
  assert.equal(stats.v8heap.total + stats.native.total, stats.total);
});
