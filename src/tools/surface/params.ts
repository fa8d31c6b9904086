import { z } from 'zod';

/**
 * Parameters many tools share, described once and briefly: their text is paid for in every conversation.
 * Bounds stay here (zod checks them); the meaning of each is taught by the server instructions.
 */
export const tableParam = z.string().min(1).max(128).describe('Table logical or entity set name');
export const idParam = z.string().max(40).describe('Record id (GUID)');
export const selectParam = z
  .union([z.array(z.string().max(130)).max(200), z.string().max(4000)])
  .optional()
  .describe('Fields, array or comma list; "*" all; default: the default view\'s');
export const dataParam = z.record(z.string(), z.unknown()).describe('Field values by logical name');

/** Output pieces: shape only (no prose), shared so each is written once. */
export const row = z.record(z.string(), z.unknown());
/** A record of list_records/get_record: its fields, and `url`, the record in the app. */
export const recordRow = z.object({ url: z.string().optional() }).catchall(z.unknown());
export const ref = z.object({ id: z.string(), name: z.string().optional() });
