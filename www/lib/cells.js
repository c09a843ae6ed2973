//! Cell renderers shared by the grids: object labels ("name @id"), edge labels
//! ("name :: Object @id"), sizes with percent and exact-byte tooltips, distances.

import { el } from './dom.js';
import { visible } from './visible.js';
import { objectLabel, edgeLabel, isQuietEdge, formatKb, formatPercent, exactBytes, formatDistance, knownDistance, formatCount } from './format.js';

/**
 * Appends " (123,456 characters)" when the core cut a name (`length` is then its full
 * length): names leave the core cut after 1,000 characters. With the object's `id`,
 * a click saves the whole name (app.js).
 */
export function appendNameLength(parent, length, id) {
  if (!length) return;
  const title = id === undefined ? 'The name is longer than shown' : 'The name is longer than shown: click to save it whole';
  parent.appendChild(el('span', { className: 'name-length', testid: 'name-length', title, dataset: id === undefined ? undefined : { id: String(id) } }, ` (${formatCount(length)} characters)`));
}

/** Appends `label @id` for a NodeRow. */
export function appendObject(parent, node) {
  const { text, style } = objectLabel(node);
  parent.appendChild(el('span', { className: style, testid: 'object-name' }, text));
  appendNameLength(parent, node.nameLength, node.id);
  parent.appendChild(el('span', { className: 'obj-id' }, ` @${node.id}`));
  if (node.detached) parent.appendChild(el('span', { className: 'badge detached', title: 'Detached from the DOM tree' }, 'detached'));
  parent.title = visible(`${text} @${node.id}`);
}

/** Appends `edgeName :: label @id` for an EdgeRow (Containment, instance children). */
export function appendEdge(parent, edge) {
  parent.appendChild(el('span', { className: `edge-name${isQuietEdge(edge.edgeType) ? ' quiet' : ''}`, testid: 'edge-name', title: edge.edgeType }, edgeLabel(edge)));
  parent.appendChild(el('span', { className: 'edge-sep' }, ' :: '));
  appendObject(parent, edge.node);
  parent.title = `${visible(edgeLabel(edge))} :: ${parent.title}`;
}

/** Appends `edgeName in Retainer @id` (Retainers pane wording). */
export function appendRetainer(parent, edge) {
  parent.appendChild(el('span', { className: `edge-name${isQuietEdge(edge.edgeType) ? ' quiet' : ''}`, testid: 'edge-name', title: edge.edgeType }, edgeLabel(edge)));
  parent.appendChild(el('span', { className: 'edge-sep' }, ' in '));
  appendObject(parent, edge.node);
  parent.title = `${visible(edgeLabel(edge))} in ${parent.title}`;
}

/** A size cell: "12.3 kB" plus the integer percent of `total`; exact bytes on hover. */
export function fillSize(cell, bytes, total) {
  cell.title = exactBytes(bytes);
  cell.appendChild(el('span', { className: 'num' }, formatKb(bytes)));
  if (total) cell.appendChild(el('span', { className: 'pct' }, formatPercent(bytes, total)));
}

/** A distance cell: the number (also its tooltip), or "−" for an unreachable object. */
export function fillDistance(cell, distance) {
  cell.textContent = formatDistance(distance);
  if (knownDistance(distance) !== null) cell.title = String(distance);
}

/** Columns used by every grid whose rows are objects (Containment, Dominators, Retainers). */
export function objectColumns(getNode, totalSize, firstTitle = 'Object', renderFirst) {
  return [
    { key: 'name', title: firstTitle, width: 'minmax(260px, 1fr)', render: renderFirst },
    { key: 'distance', title: 'Distance', width: '80px', align: 'right', render: (cell, d) => fillDistance(cell, getNode(d).distance) },
    { key: 'selfSize', title: 'Shallow Size', width: '150px', align: 'right', render: (cell, d) => fillSize(cell, getNode(d).selfSize, totalSize()) },
    { key: 'retainedSize', title: 'Retained Size', width: '150px', align: 'right', render: (cell, d) => fillSize(cell, getNode(d).retainedSize, totalSize()) },
  ];
}
