// npm run pack:mcpb: the Claude Desktop extension, dataverse-mcp-<version>.mcpb (an MCP Bundle).
// Stages a temporary folder with manifest.json, icon.png, a trimmed package.json, dist/ and the production node_modules
// (without type declarations, source maps, TypeScript sources and Markdown), validates the manifest and packs it
// with the mcpb CLI. Beside the bundle, <bundle>.stamp names the build it holds; build/mcpb-manifest/ keeps the
// manifest and its icon for `mcpb validate` in CI.   node scripts/mcpb/pack.mjs [--out DIR]   (default: the repository root)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iconPng } from './icon.mjs';
import { builtTools, manifest } from './manifest.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : root;
const stage = mkdtempSync(join(tmpdir(), 'dataverse-mcp-mcpb-'));
const kept = join(root, 'build', 'mcpb-manifest');
process.on('exit', () => rmSync(stage, { recursive: true, force: true }));
const started = Date.now();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const mcpb = join(root, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');

function run(command, argv, what) {
  const res = spawnSync(command, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (res.status !== 0) {
    process.stderr.write(`${res.stdout}${res.stderr}`);
    throw new Error(`${what} failed (exit ${res.status})`);
  }
  return res.stdout;
}

/** Files a running server never reads. */
const SKIP = /(\.map|\.d\.[cm]?ts|(?<!\.d)\.ts|\.tsbuildinfo|\.md|\.markdown)$/i;
const keep = (src) => !SKIP.test(src) && !src.endsWith(`${sep}.build-stamp`) && !src.includes(`${sep}.bin`);

/** Top-level folders of the production dependency tree (`npm ls --omit=dev`), e.g. node_modules/@nestjs/core. */
function productionPackages() {
  const res = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const dirs = new Set();
  for (const line of res.stdout.split('\n')) {
    const parts = relative(root, line.trim()).split(sep);
    if (parts[0] !== 'node_modules' || parts.length < 2) continue;
    dirs.add(parts[1].startsWith('@') ? join(parts[0], parts[1], parts[2]) : join(parts[0], parts[1]));
  }
  if (dirs.size === 0) throw new Error(`npm ls listed no production packages:\n${res.stderr}`);
  return [...dirs].sort();
}

function sizeOf(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

run(process.execPath, [join(root, 'scripts', 'build-stamp.mjs'), 'ensure'], 'the build');

cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true, filter: keep });
const packages = productionPackages();
for (const dir of packages) cpSync(join(root, dir), join(stage, dir), { recursive: true, filter: keep, verbatimSymlinks: true });
writeFileSync(
  join(stage, 'package.json'),
  JSON.stringify(
    {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      private: true,
      main: 'dist/main.js',
      engines: pkg.engines,
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(join(stage, 'icon.png'), iconPng(512));
if (existsSync(join(root, 'README.md'))) cpSync(join(root, 'README.md'), join(stage, 'README.md'));

const tools = builtTools(root);
writeFileSync(
  join(stage, 'manifest.json'),
  JSON.stringify(manifest({ version: pkg.version, description: pkg.description, license: pkg.license, tools }), null, 2) + '\n',
);
run(process.execPath, [mcpb, 'validate', join(stage, 'manifest.json')], 'mcpb validate');

mkdirSync(outDir, { recursive: true });
const out = join(outDir, `${pkg.name}-${pkg.version}.mcpb`);
rmSync(out, { force: true });
run(process.execPath, [mcpb, 'pack', stage, out], 'mcpb pack');
// Which build it holds (the fingerprint of the sources, see build-stamp.mjs): the e2e test reuses a current bundle.
writeFileSync(`${out}.stamp`, readFileSync(join(root, 'dist', '.build-stamp')));
rmSync(kept, { recursive: true, force: true });
mkdirSync(kept, { recursive: true });
for (const f of ['manifest.json', 'icon.png']) cpSync(join(stage, f), join(kept, f));

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
console.error(
  `pack:mcpb: ${relative(process.cwd(), out) || out} — ${mb(sizeOf(out))} packed, ${mb(sizeOf(stage))} unpacked ` +
    `(dist ${mb(sizeOf(join(stage, 'dist')))}, node_modules ${mb(sizeOf(join(stage, 'node_modules')))} in ${packages.length} packages), ` +
    `${tools.length} tools, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
