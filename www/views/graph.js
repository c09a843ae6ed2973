//! Retainer graph view: an object's retaining paths from the roots, merged where they
//! share nodes, as the core lays them out and draws them (src/analysis/retainer_graph.rs
//! writes the SVG, names XML-escaped; it is parsed here as XML, never as HTML). Click a
//! node to select it; then ignore it as a retainer (the graph and distances recompute,
//! as in the Retainers pane), show its hidden retainers, or draw the graph of it.

import { el } from '../lib/dom.js';
import { formatBytes, formatCount } from '../lib/format.js';
import { saveBlob } from '../lib/chart.js';

export function graphView(ctx) {
  const { client, name } = ctx.snapshot;
  const input = el('input', { type: 'text', testid: 'graph-object', placeholder: '@12345', size: 12, value: ctx.object ? `@${ctx.object}` : '' });
  const status = el('span', { className: 'muted', testid: 'graph-status' });
  const actions = el('div', { className: 'graph-actions', testid: 'graph-actions' });
  const canvas = el('div', { className: 'graph-canvas', testid: 'graph-canvas', style: { overflow: 'auto', flex: '1', minHeight: '0', borderTop: '1px solid var(--border)' } });
  const exportButton = el('button', { type: 'button', className: 'button small', testid: 'graph-export', disabled: true }, 'Export SVG');
  const element = el('section', { className: 'view', testid: 'view-graph' },
    el('p', { className: 'hint' }, 'The retaining paths of one object from the roots (left) to it (right), merged where they share objects; at most 50 steps, 5,000 objects and 25 retainers per object, nearest to the roots first.'),
    el('form', { className: 'graph-form', onsubmit: (event) => { event.preventDefault(); draw(); } },
      'Object ', input, ' ', el('button', { type: 'submit', className: 'button small', testid: 'graph-draw' }, 'Draw'), ' ',
      exportButton, ' ', el('button', { type: 'button', className: 'button small', testid: 'graph-clear-ignored', onclick: clearIgnored }, 'Stop ignoring'), ' ', status),
    actions, canvas);
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
    for (const node of drawing.querySelectorAll('g.node')) {
      node.style.cursor = 'pointer';
      node.addEventListener('click', () => pick(graph.nodes[Number(node.dataset.index)], node));
    }
    canvas.replaceChildren(drawing);
    actions.replaceChildren();
    exportButton.disabled = false;
  }

  function pick(node, shape) {
    for (const other of canvas.querySelectorAll('g.node.picked')) other.classList.remove('picked');
    shape.classList.add('picked');
    shape.querySelector('rect')?.setAttribute('stroke-width', '3');
    ctx.selectObject(node.id);
    const button = (label, testid, onclick) => el('button', { type: 'button', className: 'button small', testid, onclick }, label);
    actions.replaceChildren(
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
      }));
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
