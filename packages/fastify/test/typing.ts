// Type test: compiled by `pnpm typecheck`, never run. Each `@ts-expect-error` must stay an error.
import type { VerifiedServiceJwt } from '@service-jwt/core';
import Fastify from 'fastify';
import serviceJwt, { type ServiceJwtHook, serviceJwtJwks } from '../src/index.js';

export async function typedApp(): Promise<void> {
  const app = Fastify();
  await app.register(serviceJwt, {
    issuers: { 'https://herald.test/': { jwksUri: 'https://herald.test/jwks.json' } },
    audience: 'https://census.test/',
    global: false,
    onError: 'respond',
    realm: 'census',
  });

  const hook: ServiceJwtHook = app.requireServiceJwt({ audience: 'https://orders.test/' });
  app.get('/orders', { preHandler: hook }, async (request) => {
    const verified: VerifiedServiceJwt | null = request.serviceJwt;
    const subject: string | undefined = request.serviceJwt?.subject;
    const issuer: string | undefined = request.serviceJwt?.claims.iss;
    // @ts-expect-error the result is null on routes the plugin does not protect
    const unchecked: string = request.serviceJwt.issuer;
    // @ts-expect-error claims are read-only
    if (verified) verified.claims.iss = 'https://forged.test/';
    return { subject, issuer, unchecked };
  });

  app.get(
    '/config',
    { config: { serviceJwt: { callers: { issuers: ['https://herald.test/'] } } } },
    async () => 'ok',
  );
  app.get('/open', { config: { serviceJwt: false } }, async () => 'ok');
  // @ts-expect-error config.serviceJwt takes core route options
  app.get('/bad', { config: { serviceJwt: { audience: 42 } } }, async () => 'ok');
  // @ts-expect-error an audience is a string, a list of strings or null
  app.requireServiceJwt({ audience: 42 });
  // @ts-expect-error the plugin needs trusted issuers (or a verifier)
  await app.register(serviceJwt, { audience: 'https://census.test/' });
  // @ts-expect-error onError is 'respond' or 'throw'
  await app.register(serviceJwt, { verifier: app.serviceJwtVerifier, onError: 'ignore' });
  // @ts-expect-error the JWKS plugin needs a signer
  await app.register(serviceJwtJwks, { maxAge: 60 });
}
