//! The page's entry point: heaplens in this document, its state kept in the URL fragment.

import { createApp } from './app.js';

// `?memory-limit=MiB` caps each snapshot's memory, e.g. on a shared machine.
const memoryLimit = Number(new URLSearchParams(location.search).get('memory-limit')) * 2 ** 20;

createApp(document, { deepLinks: true, memoryLimit });
