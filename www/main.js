//! The page's entry point: heaplens in this document, its state kept in the URL fragment.

import { createApp } from './app.js';

const params = new URLSearchParams(location.search);
// `?memory-limit=MiB` caps each snapshot's memory, e.g. on a shared machine.
const memoryLimit = Number(params.get('memory-limit')) * 2 ** 20;
// `?wasm=64` (or 32) picks the core's build for every file instead of by size.
const wasm = params.get('wasm') ?? 'auto';

createApp(document, { deepLinks: true, memoryLimit, wasm });
