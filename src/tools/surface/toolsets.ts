import type { AppConfig, ToolsetName } from '../../config/app-config';

/** Toolsets that change data: none of them is listed when DATAVERSE_READ_ONLY is true. */
const WRITING: ReadonlySet<ToolsetName> = new Set(['write', 'delete']);

/**
 * The toolsets a configuration lists: those DATAVERSE_TOOLSETS names, less every writing set when read-only
 * (read-only wins) and less delete when DATAVERSE_ALLOW_DELETE is false.
 */
export function enabledToolsets(config: Pick<AppConfig, 'toolsets' | 'readOnly' | 'allowDelete'>): ToolsetName[] {
  return config.toolsets.filter((set) => !(config.readOnly && WRITING.has(set)) && !(set === 'delete' && !config.allowDelete));
}
