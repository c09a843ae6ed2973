//! The page's entry point: heaplens in this document, its state kept in the URL fragment.

import { createApp } from './app.js';

createApp(document, { deepLinks: true });
