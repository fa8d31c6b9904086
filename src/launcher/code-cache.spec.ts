import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundle } from './code-cache';

describe('runBundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  const g = globalThis as { __bundleRan?: { dirname: string; pathSep: string } };

  afterEach(() => {
    delete g.__bundleRan;
  });

  it('should return false when the build made no bundle', () => {
    expect(runBundle(join(dir, 'missing.bundle.js'))).toBe(false);
  });

  it('should run the bundle as a CommonJS module with its own require and __dirname when it exists', () => {
    const file = join(dir, 'a.bundle.js');
    writeFileSync(file, "#!/usr/bin/env node\nglobalThis.__bundleRan = { dirname: __dirname, pathSep: require('node:path').sep };\n");
    expect(runBundle(file)).toBe(true);
    expect(g.__bundleRan).toEqual({ dirname: dir, pathSep: '/' });
  });

  it('should still run when the code cache beside it is corrupt', () => {
    const file = join(dir, 'b.bundle.js');
    writeFileSync(file, 'globalThis.__bundleRan = { dirname: __dirname, pathSep: "x" };\n');
    writeFileSync(join(dir, 'b.bundle.cache'), Buffer.from('not a V8 code cache'));
    expect(runBundle(file)).toBe(true);
    expect(g.__bundleRan?.pathSep).toBe('x');
  });
});
