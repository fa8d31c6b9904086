import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

/**
 * Every hint set explicitly (DESIGN §1): clients treat missing hints as the unsafe defaults.
 * `openWorldHint` is true for everything that talks to Dataverse.
 */
export const READ_ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;
export const AUTH_SIGN_IN_ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
export const AUTH_SIGN_OUT_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
export const CACHE_REFRESH_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
} as const;
export const CREATE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
export const UPDATE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;
export const DELETE_PROPOSE_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
} as const;
export const DELETE_CONFIRM_ANNOTATIONS = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
} as const;

export function annotations(title: string, hints: Omit<ToolAnnotations, 'title'>): ToolAnnotations {
  return { title, ...hints };
}
