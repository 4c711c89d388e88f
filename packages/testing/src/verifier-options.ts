import type { VerifierOptions } from '@service-jwt/core';
import type { JwksServer } from './jwks-server.js';
import type { TestIssuer } from './test-issuer.js';

/**
 * Verifier options that trust `issuer`: through its loopback JWKS server when `jwks` is given
 * (with `allowInsecureHttp: true`), else through its local key set (or secret for HS256).
 * `overrides` are spread last and must name the `audience`.
 */
export function createTestVerifierOptions(
  issuer: TestIssuer,
  jwks: JwksServer | undefined,
  overrides: Partial<VerifierOptions> & Pick<VerifierOptions, 'audience'>,
): VerifierOptions {
  const algorithms = [issuer.algorithm];
  const keys = jwks
    ? { jwksUri: jwks.url, allowInsecureHttp: true, algorithms }
    : { ...issuer.keys, algorithms };
  return {
    ...overrides,
    issuers: { [issuer.issuer]: keys, ...overrides.issuers },
    ...(issuer.algorithm === 'HS256' ? { algorithms } : {}),
  } as VerifierOptions;
}
