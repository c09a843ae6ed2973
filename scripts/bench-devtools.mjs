// Benchmark of Chrome DevTools' own heap snapshot worker code (npm
// heap-snapshot-toolkit) opening one file: seconds, MB/s and peak memory,
// printed in the same shape as `heaplens bench` for a side-by-side reading.
//
//   node --max-old-space-size=16000 scripts/bench-devtools.mjs FILE
import { statSync } from 'node:fs';
import { load, summaryOf } from '../tests/oracle/devtools.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node scripts/bench-devtools.mjs FILE\n');
  process.exit(2);
}
const bytes = statSync(file).size;
const start = performance.now();
const snapshot = await load(file);
const loaded = performance.now();
const rows = summaryOf(snapshot).classes.length;
const end = performance.now();
const peak = process.resourceUsage().maxRSS * 1024;
const secs = (end - start) / 1000;
console.log(`file           ${file}`);
console.log(`size           ${(bytes / 1e6).toFixed(1)} MB`);
console.log(`graph          ${snapshot.nodeCount} nodes, ${rows} classes`);
console.log(`  load+process ${((loaded - start) / 1000).toFixed(3)} s`);
console.log(`  summary      ${((end - loaded) / 1000).toFixed(3)} s`);
console.log(`open total     ${secs.toFixed(3)} s`);
console.log(`throughput     ${(bytes / 1e6 / secs).toFixed(1)} MB/s`);
console.log(`peak memory    ${(peak / 1e6).toFixed(1)} MB (${(peak / bytes).toFixed(2)} x file)`);
