import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs a CommonJS bundle through `vm.Script` with V8's code cache kept beside it (`<bundle>.cache`),
 * which skips parsing and compiling at start-up. The cache is made by the build after a warm-up run;
 * when it is missing or V8 rejects it (another Node version), the bundle compiles normally and a new
 * cache is written at exit where the folder is writable. Returns false when there is no bundle.
 */
export function runBundle(file: string): boolean {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const cacheFile = file.replace(/\.js$/, '.cache');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source.replace(/^#!.*/, '')), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => writeCache(cacheFile, script));
  }
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const bundleModule = new Module(file, module);
  bundleModule.filename = file;
  run.call(bundleModule.exports, bundleModule.exports, createRequire(file), bundleModule, file, dirname(file));
  return true;
}

function writeCache(cacheFile: string, script: Script): void {
  try {
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
  } catch {
    // A read-only install: start-up stays correct, just without the cache.
  }
}
