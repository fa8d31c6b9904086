/** A timestamp as Dataverse writes it: ISO 8601 in UTC, to the second. */
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
