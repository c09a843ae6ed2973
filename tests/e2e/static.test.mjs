// Checks on the page's source that need no browser: display formats, and the rules
// that keep snapshot text inert and the page on its own origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repo } from './helpers.mjs';
import { formatKb, formatBytes, formatPercent, objectLabel, edgeLabel, formatDistance } from '../../www/lib/format.js';

const NBSP = '\u00a0';

function pageSources(dir = join(repo, 'www')) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'pkg' || name === 'pkg64' || name === 'demo') continue;
    if (statSync(path).isDirectory()) out.push(...pageSources(path));
    else if (/\.(js|html|css)$/.test(name)) out.push(path);
  }
  return out;
}

test('sizes are decimal kB with one decimal below 100 kB, as in DevTools', () => {
  assert.equal(formatKb(0), `0.0${NBSP}kB`);
  assert.equal(formatKb(12345), `12.3${NBSP}kB`);
  assert.equal(formatKb(123456), `123${NBSP}kB`);
  assert.equal(formatKb(12345678), `12,346${NBSP}kB`);
  assert.equal(formatBytes(999), `999${NBSP}B`);
  assert.equal(formatBytes(1500), `1.5${NBSP}kB`);
  assert.equal(formatBytes(2500000), `2.5${NBSP}MB`);
  assert.equal(formatPercent(1, 3), `33${NBSP}%`);
});

test('object labels quote strings, add () to functions and [] to arrays', () => {
  assert.equal(objectLabel({ type: 'string', name: 'hi' }).text, '"hi"');
  assert.equal(objectLabel({ type: 'closure', name: 'run' }).text, 'run()');
  assert.equal(objectLabel({ type: 'array', name: '' }).text, '(internal array)[]');
  assert.equal(objectLabel({ type: 'regexp', name: 'a+' }).text, '/a+/');
  assert.equal(edgeLabel({ edgeType: 'element', edgeName: '3' }), '[3]');
  assert.equal(edgeLabel({ edgeType: 'property', edgeName: 'leakyData' }), 'leakyData');
  assert.equal(formatDistance(null), '\u2212');
});

test('the page never parses strings as HTML', () => {
  for (const file of pageSources()) {
    const text = readFileSync(file, 'utf8');
    for (const banned of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) {
      assert.ok(!text.includes(banned), `${relative(repo, file)} uses ${banned}`);
    }
  }
});

test('the page refers to no other origin', () => {
  for (const file of pageSources()) {
    const text = readFileSync(file, 'utf8').replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '');
    assert.ok(!/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i.test(text), `${relative(repo, file)} names another origin`);
  }
});
