import { formatSurface, measureSurface, SURFACE_BUDGET } from '../support/tool-surface';

/**
 * Every conversation pays for the tool surface. With every toolset on, the model-visible part (initialize instructions
 * + each tool's name, description and JSON input schema) and the whole tools/list answer stay within their budgets.
 * The per-tool breakdown is printed, so a failure shows where the characters went.
 */
describe('tool surface budget', () => {
  it('should keep the model-visible text and tools/list within budget with every toolset on', async () => {
    const surface = await measureSurface({ DATAVERSE_TOOLSETS: 'all' });
    console.log(formatSurface(surface));

    expect(surface.tools.length).toBeGreaterThanOrEqual(19);
    expect(surface.modelVisible).toBeLessThanOrEqual(SURFACE_BUDGET.modelVisible);
    expect(surface.toolsList).toBeLessThanOrEqual(SURFACE_BUDGET.toolsList);
  });
});
