import { ServiceJwtError } from '@service-jwt/core';
import type { ServiceJwtErrorResult } from '../src/index.js';

/** Asserts a wrapped handler's failure result: status, `code` and the challenge. */
export function expectError(
  result: unknown,
  status: number,
  code: string,
  challenge?: 'bare' | 'invalid_token' | 'insufficient_scope' | 'invalid_request' | null,
): void {
  const response = result as ServiceJwtErrorResult;
  expect(response.statusCode).toBe(status);
  expect(response.isBase64Encoded).toBe(false);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['cache-control']).toBe('no-store');
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(body.code).toBe(code);
  expect(typeof body.error).toBe('string');
  const header = response.headers['www-authenticate'];
  if (challenge === 'bare') expect(header).toMatch(/^Bearer realm="[^"]*"$/);
  else if (challenge === null) expect(header).toBeUndefined();
  else if (challenge !== undefined) expect(header).toContain(`error="${challenge}"`);
}

/** The 200 result the test handlers build from `event.serviceJwt`. */
export function okResult(serviceJwt: { issuer: string; subject: string | undefined }) {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ issuer: serviceJwt.issuer, subject: serviceJwt.subject ?? null }),
  };
}

/** Expects `promise` to reject with a `configuration_error`. */
export function expectConfigurationError(build: () => unknown, option: string): void {
  let caught: unknown;
  try {
    build();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ServiceJwtError);
  expect((caught as ServiceJwtError).code).toBe('configuration_error');
  // The option name is part of the contract ("a message that names the option").
  expect((caught as ServiceJwtError).message).toContain(option);
}
