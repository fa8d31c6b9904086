/**
 * Limits of the HTTP edge: what one request or one client can ask of the server before any MCP code runs.
 * The README's Security notes list them; change both together.
 */

/** Largest JSON request body (after any Content-Encoding is undone). Dataverse text fields hold up to ~1 MB. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/**
 * Deepest nesting of arrays and objects in a request body. A JSON-RPC call needs about six levels; deeper
 * arguments up to this get a tool error from the argument checks, past it the body is refused here, well
 * before recursive code in the MCP library (JSON.stringify overflows the stack at a few thousand levels).
 */
export const MAX_JSON_DEPTH = 1000;
/** Most arrays, objects and list elements in a request body: bounds what parsing one body builds. */
export const MAX_JSON_ITEMS = 100_000;
/** Most messages in one JSON-RPC batch (a JSON array body). */
export const MAX_BATCH_MESSAGES = 32;
/** Most SSE sessions open at once on one server process. */
export const MAX_SSE_SESSIONS = 256;
/** Most SSE sessions one user may hold open at once (multi-user mode). */
export const MAX_SSE_SESSIONS_PER_USER = 8;
