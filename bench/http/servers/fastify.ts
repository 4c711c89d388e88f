// Fastify servers: bare, ours and @fastify/jwt (PEM, and JWKS through jwks-rsa in its `secret`
// callback). Each builder returns a started instance's request handler.
import fastifyJwt from '@fastify/jwt';
import serviceJwt from '@service-jwt/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import jwksRsa from 'jwks-rsa';
import { loadBaseline } from '../baseline.js';
import { type BenchContext, STATIC_PATH } from '../context.js';

type Builder = (context: BenchContext) => Promise<FastifyInstance>;

async function withPeer(
  register: (app: FastifyInstance) => Promise<void>,
): Promise<FastifyInstance> {
  const app = Fastify();
  await register(app);
  app.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
  app.get(STATIC_PATH, async () => ({ ok: true }));
  return app;
}

export const fastifyServers: Record<string, Builder> = {
  'fastify-bare': async () => {
    const app = Fastify();
    app.get(STATIC_PATH, async () => ({ ok: true }));
    return app;
  },
  // The reference: what any route hook costs (a `preHandler` that only calls `done()`).
  'fastify-noop': async () => {
    const app = Fastify();
    app.get(STATIC_PATH, { preHandler: (_request, _reply, done) => done() }, async () => ({
      ok: true,
    }));
    return app;
  },
  'fastify-ours': async (c) => {
    const app = Fastify();
    await app.register(serviceJwt, {
      issuers: { [c.issuer]: { publicKey: c.publicPem } },
      audience: c.audience,
    });
    app.get(STATIC_PATH, { preHandler: app.requireServiceJwt() }, async () => ({ ok: true }));
    return app;
  },
  'fastify-ours-baseline': async (c) => {
    const baseline = await loadBaseline<{ serviceJwt: typeof serviceJwt }>('fastify');
    const app = Fastify();
    await app.register(baseline.serviceJwt, {
      issuers: { [c.issuer]: { publicKey: c.publicPem } },
      audience: c.audience,
    });
    app.get(STATIC_PATH, { preHandler: app.requireServiceJwt() }, async () => ({ ok: true }));
    return app;
  },
  'fastify-jwt-pem': async (c) =>
    withPeer(async (app) => {
      await app.register(fastifyJwt, {
        secret: { public: c.publicPem, private: 'unused' },
        verify: { allowedIss: c.issuer, allowedAud: c.audience, algorithms: ['RS256'] },
      });
    }),
  'fastify-jwt-jwks': async (c) => {
    const client = jwksRsa({ jwksUri: c.jwksUrl, cache: true, rateLimit: true });
    return withPeer(async (app) => {
      await app.register(fastifyJwt, {
        decode: { complete: true },
        secret: async (_request: unknown, token: unknown) => {
          const { header } = token as { header: { kid?: string } };
          return (await client.getSigningKey(header.kid)).getPublicKey();
        },
        verify: { allowedIss: c.issuer, allowedAud: c.audience, algorithms: ['RS256'] },
      });
    });
  },
};
