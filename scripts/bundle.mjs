// Build step after `nest build`: bundles the server into dist/main.bundle.js and warms V8's code cache
// (dist/main.bundle.cache) with one real start-up in stdio mode. dist/main.js prefers the bundle when present.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The SDK's Streamable HTTP server transport, which this server does not use (its /mcp endpoint is its own),
// requires @hono/node-server as it loads, and that loads Node's fetch implementation (undici): some 20 ms of every
// start-up. The bundle hands the SDK a stand-in that loads the real module on first use. (Express and Nest's Express
// adapter are required where the HTTP transports start, src/server.ts.)
const lazyHonoServer = {
  name: 'lazy-hono-node-server',
  setup(b) {
    b.onResolve({ filter: /^@hono\/node-server$/ }, (args) =>
      args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: [
        'let real;',
        "const load = () => (real ??= require('@hono/node-server'));",
        'module.exports = new Proxy({}, {',
        '  get: (_, key) => load()[key],',
        '  has: (_, key) => key in load(),',
        '  ownKeys: () => Reflect.ownKeys(load()),',
        '  getOwnPropertyDescriptor: (_, key) => {',
        '    const d = Object.getOwnPropertyDescriptor(load(), key);',
        '    return d && { ...d, configurable: true };',
        '  },',
        '});',
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

// class-validator's index loads every decorator it has (see src/config/class-validator-lite.ts): it stays outside
// the bundle, while the few files the configuration requires by path are bundled.
const classValidatorIndex = {
  name: 'class-validator-index',
  setup(b) {
    b.onResolve({ filter: /^class-validator$/ }, (args) => ({ path: args.path, external: true }));
  },
};

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
  plugins: [lazyHonoServer, classValidatorIndex],
  // Nest uses class names as injection tokens and log contexts.
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  // Left out, loaded from node_modules when needed: pino-pretty (development only); MSAL, node-redis, iconv-lite
  // (HTTP bodies), the full class-validator (Nest's unused ValidationPipe; the few files the configuration uses are
  // bundled, see the plugin) and the sandbox run only in some modes, so stdio start-up does not read them; the rest
  // are optional packages never installed.
  external: [
    'pino-pretty',
    '@azure/msal-node',
    'redis',
    '@redis/*',
    'iconv-lite',
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
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'build', version: '1' } },
  },
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
