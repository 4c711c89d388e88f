import { refuse } from './token-endpoint-response.js';

/** Bounds on a `request_context` / `request_details` JSON object. */
export interface ContextLimits {
  /** Longest accepted JSON text, in bytes. */
  readonly maxBytes: number;
  /** Deepest accepted nesting; the object itself is depth 1. */
  readonly maxDepth: number;
}

type JsonObject = Record<string, unknown>;

function depthOf(value: unknown, limit: number, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth > limit) return false;
  const members = Array.isArray(value) ? value : Object.values(value);
  return members.every((member) => depthOf(member, limit, depth + 1));
}

/**
 * Parses one of the draft's JSON-object parameters (`request_context`, `request_details`,
 * draft-ietf-oauth-transaction-tokens-10 §"Txn-Token Request"). Absent gives `undefined`;
 * anything but a JSON object within the limits is `invalid_request`. The result has no
 * prototype, so a `__proto__` member is data, not a prototype change.
 */
export function readContextParameter(
  name: string,
  text: string | undefined,
  limits: ContextLimits,
): JsonObject | undefined {
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text) > limits.maxBytes) {
    refuse('invalid_request', `${name} exceeds ${limits.maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text, (_key, member: unknown) =>
      typeof member === 'object' && member !== null && !Array.isArray(member)
        ? Object.assign(Object.create(null) as JsonObject, member)
        : member,
    );
  } catch {
    refuse('invalid_request', `${name} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse('invalid_request', `${name} must be a JSON object`);
  }
  if (!depthOf(value, limits.maxDepth, 1)) {
    refuse('invalid_request', `${name} is nested deeper than ${limits.maxDepth} levels`);
  }
  return value as JsonObject;
}
