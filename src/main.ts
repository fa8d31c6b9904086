#!/usr/bin/env node
/**
 * Entry point for every transport (`node dist/main.js`, the `dataverse-mcp` bin).
 * Claude Desktop starts a process per conversation, so start-up time matters: when the build made
 * `main.bundle.js` (the server and its dependencies in one file), it runs from V8's code cache;
 * otherwise (a plain `tsc` build) the modules load one by one.
 */
import { join } from 'node:path';
import { runBundle } from './launcher/code-cache';

if (!runBundle(join(__dirname, 'main.bundle.js'))) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./cli') as typeof import('./cli')).run();
}
