//! The API example: open a picked snapshot with heaplens-api.js, print its top 10
//! classes and its statistics, then close it.

import { open } from '../heaplens-api.js';

const input = document.getElementById('file');
const status = document.getElementById('status');
const classes = document.getElementById('classes');
const stats = document.getElementById('stats');

function row(...cells) {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
  }
  return tr;
}

input.addEventListener('change', async () => {
  const file = input.files[0];
  if (!file) return;
  classes.replaceChildren();
  stats.textContent = '';
  let snapshot;
  try {
    snapshot = await open(file, {
      onProgress: (bytes, total) => { status.textContent = `Reading ${file.name}: ${Math.round((100 * bytes) / (total || 1))} %`; },
      onStage: (stage) => { status.textContent = `${file.name}: ${stage}`; },
    });
    const top = await snapshot.summary({ sortBy: 'retainedSize', limit: 10 });
    for (const c of top.rows) classes.appendChild(row(c.name, String(c.count), `${c.selfSize} B`, `${c.retainedSize} B`));
    stats.textContent = JSON.stringify(await snapshot.stats(), null, 2);
    status.textContent = `${file.name}: ${snapshot.info.nodes} nodes, ${top.total} classes, heap ${snapshot.info.totalSize} bytes`;
    status.dataset.done = 'true';
  } catch (error) {
    status.textContent = `Error: ${error.message}`;
    status.dataset.done = 'error';
  } finally {
    snapshot?.close();
  }
});
