/**
 * The tool surface's size against its budget: the model-visible text (initialize instructions + every tool's name,
 * description and JSON input schema) and the whole tools/list answer, every toolset on.
 * Alone: npx ts-node --transpile-only bench/lib/surface.ts   (needs a fresh `npm run build`)
 */
import { formatSurface, measureSurface, SURFACE_BUDGET, SurfaceSize } from '../../test/support/tool-surface';

export { measureSurface };

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Bench table rows (area, measure, result, goal). */
export function surfaceRows(s: SurfaceSize): string[][] {
  const outputs = s.tools.reduce((sum, t) => sum + t.outputSchema, 0);
  return [
    [
      'tool surface',
      `model-visible: instructions + ${s.tools.length} tools' name, description, input schema`,
      `${int(s.modelVisible)} chars ≈ ${int(s.modelVisible / 4)} tokens (instructions ${int(s.instructions)})`,
      `≤ ${int(SURFACE_BUDGET.modelVisible)} chars`,
    ],
    [
      'tool surface',
      'tools/list JSON, every toolset on',
      `${int(s.toolsList)} chars ≈ ${int(s.toolsList / 4)} tokens (output schemas ${int(outputs)})`,
      `≤ ${int(SURFACE_BUDGET.toolsList)} chars`,
    ],
  ];
}

if (require.main === module) {
  measureSurface()
    .then((s) => {
      console.log(formatSurface(s));
      for (const r of surfaceRows(s)) console.log(`| ${r.join(' | ')} |`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
