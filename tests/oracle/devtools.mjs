// Numbers oracle: runs Chrome DevTools' own heap snapshot worker code (via the
// heap-snapshot-toolkit package) on .heapsnapshot files and prints JSON to stdout,
// so heaplens' Summary / Statistics / Comparison / "allocated between" numbers
// can be checked against what the DevTools Memory panel would show.
//
//   node tests/oracle/devtools.mjs summary FILE
//   node tests/oracle/devtools.mjs stats FILE
//   node tests/oracle/devtools.mjs diff BASE FILE
//   node tests/oracle/devtools.mjs between S1 S2 FILE   (S1 may be "-" = "allocated before S2")
//
// Snapshots are streamed (createReadStream) and at most two are held at once.
// Big files: run with e.g. `node --max-old-space-size=16000 tests/oracle/devtools.mjs …`.

import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse, DevToolsAPI } from 'heap-snapshot-toolkit';

const NO_DISTANCE_LIMIT = 100000000; // DevTools' baseSystemDistance: d >= this shows "−"

function usage() {
  process.stderr.write(
    'usage:\n' +
    '  node tests/oracle/devtools.mjs summary FILE\n' +
    '  node tests/oracle/devtools.mjs stats FILE\n' +
    '  node tests/oracle/devtools.mjs diff BASE FILE\n' +
    '  node tests/oracle/devtools.mjs between S1 S2 FILE\n');
  process.exit(2);
}

/** Parse + fully process one snapshot with DevTools' JSHeapSnapshot. */
export async function load(file) {
  return parse(createReadStream(file, { encoding: 'utf-8', highWaterMark: 1 << 20 }));
}

function byRetainedThenName(a, b) {
  return (b.retained_size - a.retained_size) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.count - b.count) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Summary rows exactly as DevTools' constructors grid gets them:
 * snapshot.aggregatesWithFilter(nodeFilter), keyed by DevTools' public class key
 * (",Name" or "scriptId,line,col,Name" for objects with a location).
 */
export function summaryOf(snapshot, nodeFilter = new DevToolsAPI.HeapSnapshotModel.NodeFilter()) {
  const aggregates = snapshot.aggregatesWithFilter(nodeFilter);
  const classes = [];
  for (const key of Object.keys(aggregates)) {
    const a = aggregates[key];
    classes.push({
      name: a.name,
      count: a.count,
      distance: a.distance >= 0 && a.distance < NO_DISTANCE_LIMIT ? a.distance : null,
      self_size: a.self,
      retained_size: a.maxRet,
      key,
    });
  }
  classes.sort(byRetainedThenName);
  return {
    nodes: snapshot.nodeCount,
    edges: snapshot.containmentEdges.length / snapshot.edgeFieldsCount,
    total_size: snapshot.totalSize,
    classes,
  };
}

/**
 * Comparison rows as DevTools' HeapSnapshotDiffDataGrid computes them: the
 * CURRENT snapshot's interface definitions are applied to the base
 * (baseSnapshot.aggregatesForDiff(current.interfaceDefinitions())), then
 * current.calculateSnapshotDiff(base.uid, thoseAggregates).
 * (The toolkit's own diff() passes the base's definitions instead.)
 */
export async function diffFiles(baseFile, file) {
  const current = await load(file);
  const defs = current.interfaceDefinitions();
  let base = await load(baseFile);
  const baseUid = base.uid ?? 'base';
  const baseAggregates = base.aggregatesForDiff(defs);
  base = null; // let it be collected; the aggregates are plain arrays
  const diff = current.calculateSnapshotDiff(baseUid, baseAggregates);
  const classes = [];
  for (const key of Object.keys(diff)) {
    const d = diff[key];
    classes.push({
      name: d.name,
      new_count: d.addedCount,
      deleted_count: d.removedCount,
      delta_count: d.countDelta,
      added_size: d.addedSize,
      freed_size: d.removedSize,
      size_delta: d.sizeDelta,
      key,
    });
  }
  classes.sort((a, b) => (b.added_size - a.added_size) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { classes };
}

/** DevTools' "max JS object id" of a snapshot (largest odd node id). */
async function maxJsNodeIdOf(file) {
  const s = await load(file);
  return s.maxJsNodeId();
}

/**
 * "Objects allocated between S1 and S2" applied to FILE, the same NodeFilter the
 * Summary's filter drop-down builds: new NodeFilter(minNodeId, maxNodeId) with
 * min = maxJSObjectId(S1) (0 for "before S2") and max = maxJSObjectId(S2);
 * the worker keeps nodes with min < id <= max.
 */
export async function betweenFiles(s1, s2, file) {
  const minNodeId = s1 === '-' ? 0 : await maxJsNodeIdOf(s1);
  const maxNodeId = resolve(s2) === resolve(file) ? null : await maxJsNodeIdOf(s2);
  const snapshot = await load(file);
  const max = maxNodeId ?? snapshot.maxJsNodeId();
  const filter = new DevToolsAPI.HeapSnapshotModel.NodeFilter(minNodeId, max);
  return { min_node_id: minNodeId, max_node_id: max, ...summaryOf(snapshot, filter) };
}

async function main(argv) {
  const [cmd, ...args] = argv;
  let out;
  switch (cmd) {
    case 'summary':
      if (args.length !== 1) usage();
      out = summaryOf(await load(args[0]));
      break;
    case 'stats':
      if (args.length !== 1) usage();
      out = (await load(args[0])).getStatistics();
      break;
    case 'diff':
      if (args.length !== 2) usage();
      out = await diffFiles(args[0], args[1]);
      break;
    case 'between':
      if (args.length !== 3) usage();
      out = await betweenFiles(args[0], args[1], args[2]);
      break;
    default:
      usage();
  }
  const text = JSON.stringify(out, null, 1) + '\n';
  await new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write((e && e.stack) || String(e));
    process.stderr.write('\n');
    process.exit(1);
  });
}
