import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_VARIABLES } from './environment';

const ROOT = join(__dirname, '..', '..');

/** Every variable src/config reads is documented in .env.example and the README table, and nothing else is. */
describe('configuration documentation', () => {
  const read = new Set<string>(ENV_VARIABLES);

  it('should list exactly the variables src/config reads when .env.example is compared', () => {
    const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...read].sort());
  });

  it('should give every variable of .env.example a comment line above it', () => {
    const lines = readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z][A-Z0-9_]+=/.test(line)) expect({ line, comment: lines[i - 1]?.startsWith('#') }).toEqual({ line, comment: true });
    });
  });

  it('should list exactly the variables src/config reads when the README configuration table is compared', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const listed = new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...read].sort());
  });

  it('should read process.env only in src/config when the sources are scanned', () => {
    const { execFileSync } = jest.requireActual<typeof import('node:child_process')>('node:child_process');
    const hits = execFileSync('grep', ['-rln', 'process\\.env', join(ROOT, 'src'), '--include=*.ts'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.slice(ROOT.length + 1))
      .filter((f) => !f.startsWith('src/config/') && !f.endsWith('.spec.ts') && !f.includes('/testing/'));
    expect(hits).toEqual([]);
  });
});
