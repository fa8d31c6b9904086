import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as v8 from 'node:v8';
import { ModuleKind, transpileModule } from 'typescript';
import { HTTP_HEAP_GROWING_PERCENT, tuneHeapForService } from './heap-tuning';

jest.mock('node:v8', () => ({ ...jest.requireActual('node:v8'), setFlagsFromString: jest.fn() }));

describe('tuneHeapForService', () => {
  beforeEach(() => jest.mocked(v8.setFlagsFromString).mockClear());

  it('should bound the heap growth of an HTTP service', () => {
    // An operator's own semi-space size: only the old generation is tuned (no observer is left behind here).
    expect(tuneHeapForService(['sse', 'http'], ['--max-semi-space-size=4'])).toBe(true);
    expect(v8.setFlagsFromString).toHaveBeenCalledWith(`--heap-growing-percent=${HTTP_HEAP_GROWING_PERCENT}`);
  });

  it('should leave a stdio-only process (one conversation) to V8', () => {
    expect(tuneHeapForService(['stdio'])).toBe(false);
    expect(v8.setFlagsFromString).not.toHaveBeenCalled();
  });
});

describe('capYoungGeneration', () => {
  // The module as plain JavaScript: a child process that compiled TypeScript first would have grown its young
  // generation before the cap is set.
  const dir = mkdtempSync(join(tmpdir(), 'heap-tuning-'));
  const compiled = join(dir, 'heap-tuning.js');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    compiled,
    transpileModule(readFileSync(join(__dirname, 'heap-tuning.ts'), 'utf8'), { compilerOptions: { module: ModuleKind.CommonJS } })
      .outputText,
  );
  // Allocates short-lived objects for a while, letting the event loop turn (as a server does), and prints the
  // young generation's size in MB: with the cap, and without it (V8's own growth) for comparison.
  const script = (cap: boolean) => `
    const v8 = require('node:v8');
    ${cap ? `require(${JSON.stringify(compiled)}).capYoungGeneration(4);` : ''}
    const keep = [];
    const end = Date.now() + 1500;
    (function step() {
      for (let i = 0; i < 2000; i++) { const o = { a: i, b: 'x' + i, c: [i] }; if (i % 400 === 0) keep.push(o); }
      if (keep.length > 20000) keep.length = 0;
      if (Date.now() < end) return setImmediate(step);
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      console.log(young.space_size / 1024 / 1024);
    })();`;
  const youngMb = async (cap: boolean) => Number((await promisify(execFile)(process.execPath, ['-e', script(cap)])).stdout.trim());

  it('should hold the young generation at the cap under a high allocation rate', async () => {
    const [capped, free] = await Promise.all([youngMb(true), youngMb(false)]);
    expect(capped).toBeLessThanOrEqual(2 * 4 + 1);
    expect(free).toBeGreaterThan(2 * 4 + 1);
  });
});
