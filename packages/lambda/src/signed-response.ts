import type { RequestLike } from '@service-jwt/core';
import type { Guard } from '@service-jwt/core/adapter';

type Sign = NonNullable<Guard['signResponse']>;

interface StructuredResult {
  readonly statusCode: number;
  readonly headers?: Record<string, unknown>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

function isStructured(result: unknown): result is StructuredResult {
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as StructuredResult).statusCode === 'number'
  );
}

/**
 * Adds the response signature (`httpSignature.signResponse`) to a structured API Gateway
 * result (`{ statusCode, headers, body, isBase64Encoded }`), over its status and the exact
 * body bytes (base64-decoded when `isBase64Encoded`). Any other result (a bare string or
 * object that API Gateway turns into a 200) goes out unsigned: callers that check refuse it.
 */
export function signAnswer<R>(sign: Sign, request: RequestLike, result: R): R {
  if (!isStructured(result)) return result;
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const added = sign(request, { status: result.statusCode, body });
  return { ...result, headers: { ...result.headers, ...added } };
}
