//! Retainer graph view: an object's retaining paths from the roots, merged where they
//! share nodes, as the core lays them out and draws them (src/analysis/retainer_graph.rs
//! writes the SVG, names XML-escaped; it is parsed here as XML, never as HTML). Click a
//! node to select it; then ignore it as a retainer (the graph and distances recompute,
//! as in the Retainers pane), show its hidden retainers, or draw the graph of it. The
//! same objects are listed in a table (for screen readers and the keyboard; it exports
//! them), whose rows, like the drawing's boxes, offer a link to their object.

import { el } from '../lib/dom.js';
import { formatBytes, formatCount, formatDistance } from '../lib/format.js';
import { fillSize } from '../lib/cells.js';
import { saveBlob } from '../lib/chart.js';
import { exportBar, listRows, column, exportName } from '../lib/export.js';
import { rowKeys } from '../lib/keyboard.js';
import { attachMenu } from '../lib/menu.js';

/** The references into node `index`, as text: "leakyData of system / Context @6165; …". */
function retainedBy(graph, index) {
  return graph.edges.filter((e) => e.to === index).map((e) => {
    const from = graph.nodes[e.from];
    return `${e.edgeType === 'element' || e.edgeType === 'hidden' ? `[${e.name}]` : e.name} of ${from.name} @${from.id}`;
  }).join('; ');
}

/** The export columns of the objects: `heaplens graph --json`'s node fields, and the references into each. */
function objectColumns(graph) {
  return [
    ...['id', 'name', 'className', 'nodeType', 'distance', 'selfSize', 'retainedSize', 'root', 'hiddenRetainers'].map((key) => column(key, (n) => n[key] ?? null)),
    column('retainedBy', (n) => retainedBy(graph, graph.nodes.indexOf(n))),
  ];
}

export function graphView(ctx) {
  const { client, name } = ctx.snapshot;
  const input = el('input', { type: 'text', testid: 'graph-object', placeholder: '@12345', size: 12, value: ctx.object ? `@${ctx.object}` : '' });
  const status = el('span', { className: 'muted', testid: 'graph-status' });
  const actions = el('div', { className: 'graph-actions', testid: 'graph-actions' });
  // Focusable: the keyboard scrolls a drawing larger than the view.
  const canvas = el('div', { className: 'graph-canvas', testid: 'graph-canvas', tabIndex: 0, role: 'region', 'aria-label': 'Retainer graph drawing', style: { overflow: 'auto', flex: '1', minHeight: '0', borderTop: '1px solid var(--border)' } });
  const objects = el('details', { className: 'graph-objects', testid: 'graph-objects', hidden: true });
  const exportButton = el('button', { type: 'button', className: 'button small', testid: 'graph-export', disabled: true }, 'Export SVG');
  const element = el('section', { className: 'view', testid: 'view-graph' },
    el('p', { className: 'hint' }, 'The retaining paths of one object from the roots (left) to it (right), merged where they share objects; at most 50 steps, 5,000 objects and 25 retainers per object, nearest to the roots first.'),
    el('form', { className: 'graph-form', onsubmit: (event) => { event.preventDefault(); draw(); } },
      'Object ', input, ' ', el('button', { type: 'submit', className: 'button small', testid: 'graph-draw' }, 'Draw'), ' ',
      exportButton, ' ', el('button', { type: 'button', className: 'button small', testid: 'graph-clear-ignored', onclick: clearIgnored }, 'Stop ignoring'), ' ', status),
    actions, canvas, objects);
  let expanded = [];
  let current = null;

  async function draw() {
    const id = Number(input.value.trim().replace(/^@/, ''));
    if (!Number.isInteger(id) || id < 0) {
      status.textContent = 'Give an object id like @12345 (select one in another view).';
      return;
    }
    if (current?.id !== id) expanded = [];
    status.textContent = 'Drawing\u2026';
    try {
      const answer = await client.retainerGraph(id, { expanded, svg: true });
      current = { id, ...answer };
      show();
    } catch (error) {
      status.textContent = error.message;
    }
  }

  function show() {
    const { graph, svg } = current;
    const reached = Object.entries(graph.limitsReached).filter(([, hit]) => hit).map(([limit]) => limit);
    status.textContent = `${formatCount(graph.nodes.length)} objects, ${formatCount(graph.edges.length)} references${reached.length ? ` (cut by the ${reached.join(', ')} limit)` : ''}`;
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const drawing = document.importNode(doc.documentElement, true);
    drawing.dataset.testid = 'graph-svg';
    drawing.setAttribute('role', 'img');
    drawing.setAttribute('aria-label', `Retaining paths of @${current.id}: ${graph.nodes.length} objects, ${graph.edges.length} references, listed in the objects table below`);
    for (const node of drawing.querySelectorAll('g.node')) {
      node.style.cursor = 'pointer';
      node.addEventListener('click', () => pick(Number(node.dataset.index)));
      attachMenu(node, () => element, () => ctx.objectMenu(graph.nodes[Number(node.dataset.index)].id), () => pick(Number(node.dataset.index)));
    }
    canvas.replaceChildren(drawing);
    showObjects(graph);
    actions.replaceChildren();
    exportButton.disabled = false;
  }

  /** The table alternative of the drawing: one row per object, the references into it. */
  function showObjects(graph) {
    const rows = graph.nodes.map((n, i) => {
      const self = el('td', { className: 'right' });
      fillSize(self, n.selfSize);
      const retained = el('td', { className: 'right' });
      fillSize(retained, n.retainedSize);
      const row = el('tr', { className: 'leak-row', testid: 'graph-row', dataset: { id: String(n.id), index: String(i) } },
        el('td', {}, el('span', { className: 'class-name' }, n.name), el('span', { className: 'obj-id' }, ` @${n.id}`),
          i === 0 ? ' (this object)' : n.root ? ' (root)' : ''),
        el('td', {}, n.nodeType),
        el('td', { className: 'right num' }, formatDistance(n.distance)), self, retained,
        el('td', { className: 'leak-held', testid: 'graph-retained-by', title: retainedBy(graph, i) }, retainedBy(graph, i) || '\u2014'),
        el('td', { className: 'right num' }, n.hiddenRetainers ? formatCount(n.hiddenRetainers) : ''));
      row.addEventListener('click', () => pick(i));
      attachMenu(row, () => element, () => ctx.objectMenu(n.id), () => pick(i));
      return row;
    });
    const body = el('tbody', {}, rows);
    rowKeys(body);
    const exports = exportBar({ name: () => exportName(name, `graph-${current.id}`), columns: objectColumns(graph), rows: () => listRows(graph.nodes) });
    objects.replaceChildren(el('summary', {}, `Objects in the graph (${formatCount(graph.nodes.length)}), as a table`), exports.element,
      el('table', { className: 'leak-table', testid: 'graph-table' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Object'), el('th', {}, 'Type'), el('th', { className: 'right' }, 'Distance'),
          el('th', { className: 'right' }, 'Shallow Size'), el('th', { className: 'right' }, 'Retained Size'), el('th', {}, 'Retained by'),
          el('th', { className: 'right' }, 'Hidden retainers'))),
        body));
    objects.hidden = false;
  }

  /** Selects object `index` of the graph: its box and row are marked, its actions shown. */
  function pick(index) {
    const node = current.graph.nodes[index];
    for (const other of element.querySelectorAll('g.node.picked, [data-testid="graph-row"].picked')) other.classList.remove('picked');
    canvas.querySelector(`g.node[data-index="${index}"]`)?.classList.add('picked');
    objects.querySelector(`[data-testid="graph-row"][data-index="${index}"]`)?.classList.add('picked');
    ctx.selectObject(node.id);
    const button = (label, testid, onclick) => el('button', { type: 'button', className: 'button small', testid, onclick }, label);
    // Without the actions that do not apply: replaceChildren() would write a null as "null".
    actions.replaceChildren(...[
      el('span', { testid: 'graph-picked' }, `${node.name} @${node.id}, retained ${formatBytes(node.retainedSize)} `),
      node.root || node === current.graph.nodes[0] ? null : button('Ignore as retainer', 'graph-ignore', async () => {
        await client.ignoreRetainer(node.id);
        await draw();
      }),
      node.hiddenRetainers ? button(`Show ${formatCount(node.hiddenRetainers)} more retainers`, 'graph-expand', async () => {
        expanded = [...expanded, node.id];
        await draw();
      }) : null,
      button('Draw its graph', 'graph-retarget', async () => {
        input.value = `@${node.id}`;
        await draw();
      })].filter(Boolean));
  }

  async function clearIgnored() {
    await client.clearIgnored();
    if (current) await draw();
  }

  exportButton.addEventListener('click', () => {
    if (!current) return;
    saveBlob(new Blob([current.svg], { type: 'image/svg+xml' }), `${name}-@${current.id}-retainers.svg`);
  });

  if (ctx.object) draw();
  return { element };
}
