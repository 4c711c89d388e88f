import { ServiceJwtError, type VerifierOptions } from '@service-jwt/core';
import {
  createTestIssuer,
  createTestVerifierOptions,
  type JwksServer,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ServiceJwtErrorResult, ServiceJwtEvent } from '../src/index.js';

export const AUDIENCE = 'https://census.service/';
export const NOW = Date.UTC(2026, 0, 1);
export const now = () => NOW;

/** Verify mode's fixture: an issuer, its loopback JWKS server and verifier options for both. */
export interface VerifyModeFixture {
  readonly issuer: TestIssuer;
  readonly jwks: JwksServer;
  readonly options: VerifierOptions;
}

/** Starts the verify-mode fixture (once per file, in `beforeAll`); close `jwks` after. */
export async function startVerifyMode(): Promise<VerifyModeFixture> {
  const issuer = await createTestIssuer({ issuer: 'https://herald.service/', now });
  const jwks = await serveJwks(issuer);
  return {
    issuer,
    jwks,
    options: createTestVerifierOptions(issuer, jwks, { audience: AUDIENCE, now }),
  };
}

/** A handler that answers 200 with the verified issuer and subject. */
export const echo = async (event: ServiceJwtEvent<APIGatewayProxyEvent | APIGatewayProxyEventV2>) =>
  okResult(event.serviceJwt);

/** The `Authorization` header of a Bearer token. */
export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

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
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
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
