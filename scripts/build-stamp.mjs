// Whether dist/ was built from the sources as they are now, so `npm run sandbox` can skip a 15-second build.
//   node scripts/build-stamp.mjs write    after a build: records a fingerprint of every build input in dist/.build-stamp
//   node scripts/build-stamp.mjs check    exit 0 when dist/ is current, 1 when it must be rebuilt
//   node scripts/build-stamp.mjs ensure   builds (npm run build) only when dist/ is not current
// The fingerprint is a SHA-256 over the inputs' paths and contents (not mtimes: a checkout or a copy changes those).
// --root DIR works on another tree (the tests use it).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = rootAt >= 0 ? args[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = args.filter((_, i) => rootAt < 0 || (i !== rootAt && i !== rootAt + 1))[0] ?? 'check';

const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'scripts/bundle.mjs'];
const OUTPUTS = ['dist/main.js', 'dist/cli.js'];
const stampFile = join(root, 'dist', '.build-stamp');

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    // Specs are not built, so editing one needs no rebuild.
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

function fingerprint() {
  const hash = createHash('sha256');
  const files = [...sourceFiles(join(root, 'src')), ...INPUT_FILES.map((f) => join(root, f)).filter((f) => existsSync(f))];
  for (const file of files.map((f) => relative(root, f).split('\\').join('/')).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function isCurrent() {
  if (!existsSync(stampFile) || OUTPUTS.some((f) => !existsSync(join(root, f)))) return false;
  return readFileSync(stampFile, 'utf8').trim() === fingerprint();
}

if (mode === 'write') {
  writeFileSync(stampFile, `${fingerprint()}\n`);
} else if (mode === 'check') {
  process.exit(isCurrent() ? 0 : 1);
} else if (mode === 'ensure') {
  if (!isCurrent()) {
    console.error('dist/ is out of date: building (about 15 s; the next start skips this)');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const build = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    process.exit(build.status ?? 1);
  }
} else {
  console.error(`build-stamp: unknown mode "${mode}" (write, check or ensure)`);
  process.exit(2);
}
