// Copied by scripts/pack-trial.mjs into fresh TypeScript apps (ESM and CommonJS, each
// moduleResolution) as index.ts: it must type-check against the packed packages everywhere.
import {
  createSigner,
  createVerifier,
  isServiceJwtError,
  type ServiceJwtErrorCode,
} from '@service-jwt/core';
import { createGuard } from '@service-jwt/core/adapter';
import { requireServiceJwt } from '@service-jwt/express';
import serviceJwtPlugin from '@service-jwt/fastify';
import { requireServiceJwt as koaServiceJwt } from '@service-jwt/koa';
import { type HttpApiEventLike, type ServiceJwtEvent, withServiceJwt } from '@service-jwt/lambda';
import { instrumentServiceJwt } from '@service-jwt/opentelemetry';
import { createRedisReplayStore } from '@service-jwt/redis';
import { createTestIssuer } from '@service-jwt/testing';

const issuers = { 'https://m1.internal': { jwksUri: 'https://m1.internal/jwks.json' } };
const audience = 'https://orders.internal';

export const verifier = createVerifier({ issuers, audience });
export const guard = createGuard({ issuers, audience });
export const expressMiddleware = requireServiceJwt({ issuers, audience });
export const koaMiddleware = koaServiceJwt({ issuers, audience });
export const plugin = serviceJwtPlugin;
export const handler = withServiceJwt(
  { issuers, audience },
  async (event: ServiceJwtEvent<HttpApiEventLike>) => ({
    statusCode: 200,
    body: event.serviceJwt.issuer,
  }),
);
export const instrument = instrumentServiceJwt;
export const replayStore = createRedisReplayStore;
export const testIssuer = createTestIssuer;
export const signerFactory = createSigner;

// The default import is where CommonJS output and ES modules most often disagree at run time.
if (typeof serviceJwtPlugin !== 'function') {
  throw new Error(`the default import of @service-jwt/fastify is a ${typeof serviceJwtPlugin}`);
}

export function codeOf(err: unknown): ServiceJwtErrorCode | undefined {
  return isServiceJwtError(err) ? err.code : undefined;
}
