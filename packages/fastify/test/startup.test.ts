import { describeKeysDownAtStartup } from '@service-jwt/conformance';
import { serviceJwt } from '../src/index.js';
import { listen, MAJORS } from './apps.js';

for (const [major, create] of MAJORS) {
  describeKeysDownAtStartup(major, async ({ options, path }) => {
    const app = create();
    await app.register(serviceJwt, options);
    app.get(path, { preHandler: app.requireServiceJwt() }, async (request) => ({
      issuer: request.serviceJwt?.issuer,
    }));
    const url = await listen(app);
    return { url, verifier: app.serviceJwtVerifier, close: () => app.close() };
  });
}

describe('waitForKeys', () => {
  it.each(MAJORS)(
    "makes %s's ready() fail while the issuer's keys cannot be had",
    async (_, create) => {
      const app = create();
      await app.register(serviceJwt, {
        issuers: {
          'https://down.service/': {
            jwksUri: 'http://127.0.0.1:1/jwks.json',
            allowInsecureHttp: true,
          },
        },
        audience: 'https://census.service/',
        waitForKeys: { timeout: 2000 },
      });
      const err = await app.ready().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(err).toMatchObject({ code: 'keys_unavailable', status: 503 });
      expect((err as Error).message).toContain('"https://down.service/"');
      await app.close();
    },
  );

  it.each(MAJORS)("lets %s's ready() pass with local keys", async (_, create) => {
    const app = create();
    await app.register(serviceJwt, {
      issuers: { 'https://local.service/': { secret: 'a'.repeat(32) } },
      audience: 'https://census.service/',
      waitForKeys: true,
    });
    await expect(app.ready()).resolves.toBe(app);
    expect(app.serviceJwtVerifier.health().status).toBe('ok');
    await app.close();
  });

  it.each(MAJORS)(
    'refuses %s a waitForKeys that is not a boolean or { timeout }',
    async (_, create) => {
      const app = create();
      const err = await app
        .register(serviceJwt, {
          issuers: { 'https://local.service/': { secret: 'a'.repeat(32) } },
          audience: 'https://census.service/',
          waitForKeys: 'yes' as never,
        })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(err).toMatchObject({ code: 'configuration_error' });
      expect((err as Error).message).toContain('options.waitForKeys');
      await app.close();
    },
  );
});
