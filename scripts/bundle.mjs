// Build step after `nest build`: bundles the server into dist/main.bundle.js and warms V8's code cache
// (dist/main.bundle.cache) with one real start-up in stdio mode. dist/main.js prefers the bundle when present.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'main.bundle.js');
rmSync(outfile.replace(/\.js$/, '.cache'), { force: true });

await build({
  entryPoints: [join(root, 'dist', 'launcher', 'bundle-entry.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  // Nest uses class names as injection tokens and log contexts.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Left out, loaded from node_modules when needed: pino starts its pretty-printing transport from files on disk;
  // MSAL, node-redis, iconv-lite (HTTP bodies), the full class-validator (Nest's unused ValidationPipe) and the
  // sandbox run only in some modes, so stdio start-up does not read them; the rest are optional packages never installed.
  external: [
    'pino',
    'pino-pretty',
    '@azure/msal-node',
    'redis',
    '@redis/*',
    'iconv-lite',
    'class-validator',
    './sandbox',
    '@nestjs/microservices',
    '@nestjs/websockets',
    '@nestjs/platform-fastify',
    '@nestjs/typeorm',
    'typeorm',
    'class-transformer/storage',
    '@fastify/*',
  ],
});

const init = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'build', version: '1' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
]
  .map((m) => JSON.stringify(m))
  .join('\n');
const warm = spawnSync(process.execPath, [join(root, 'dist', 'main.js')], {
  input: init + '\n',
  env: { PATH: process.env.PATH, DATAVERSE_URL: 'https://build.crm.dynamics.com', LOG_LEVEL: 'silent' },
  timeout: 60000,
  encoding: 'utf8',
});
if (!warm.stdout.includes('"id":2')) {
  console.error(`bundle: the warm-up start did not answer tools/list\n${warm.stderr}`);
  process.exit(1);
}
console.error('bundle: dist/main.bundle.js and its code cache are ready');
