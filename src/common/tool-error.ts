/**
 * An error whose message is written for the model: what went wrong and what to do next.
 * Thrown from services; the tool layer turns it into an `isError` result with `message` as text.
 */
export type ToolErrorKind =
  | 'sign_in_required'
  | 'sign_in_failed'
  | 'configuration'
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'throttled'
  | 'unavailable'
  | 'conflict'
  | 'internal';

export class ToolError extends Error {
  constructor(
    readonly kind: ToolErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}
