import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundle } from './code-cache';

/** The bundle runs in Node's main context (not Jest's), so it reports through a file. */
const BUNDLE =
  "#!/usr/bin/env node\nrequire('node:fs').writeFileSync(require('node:path').join(__dirname, 'ran-' + module.id.length + '.json'), JSON.stringify({ dirname: __dirname, file: __filename }));\n";

describe('runBundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'code-cache-'));

  it('should return false when the build made no bundle', () => {
    expect(runBundle(join(dir, 'missing.bundle.js'))).toBe(false);
  });

  it('should run the bundle as a CommonJS module with its own require and __dirname when it exists', () => {
    const file = join(dir, 'a.bundle.js');
    writeFileSync(file, BUNDLE);
    expect(runBundle(file)).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, `ran-${file.length}.json`), 'utf8'));
    expect(report).toEqual({ dirname: dir, file });
  });

  it('should still run when the code cache beside it is corrupt', () => {
    const file = join(dir, 'bb.bundle.js');
    writeFileSync(file, BUNDLE);
    writeFileSync(join(dir, 'bb.bundle.cache'), Buffer.from('not a V8 code cache'));
    expect(runBundle(file)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, `ran-${file.length}.json`), 'utf8'))).toEqual({ dirname: dir, file });
  });
});
