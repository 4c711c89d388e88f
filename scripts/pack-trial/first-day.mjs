// Run by scripts/pack-trial.mjs inside a fresh ESM app that installed the packed tarballs.
// It follows the READMEs' first examples as a new user would and prints what that user sees at
// each place issue 17 found a stumble. Exits non-zero when a step that should work does not.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The binary npm linked, run as a shell would (its shebang and mode are part of the package).
const cli = new URL('../node_modules/.bin/service-jwt', import.meta.url).pathname;
const ISSUER = 'https://m1.internal';
const AUDIENCE = 'https://orders.internal';
let broken = 0;

function see(label, text) {
  console.log(`- ${label}: ${text}`);
}
function expectWorks(label, ok, text) {
  if (!ok) broken += 1;
  see(`${ok ? 'ok' : 'BROKEN'} ${label}`, text);
}
function refusal(fn) {
  try {
    const result = fn();
    return result instanceof Promise
      ? result.then(
          () => 'accepted (no error)',
          (err) => `${err.code ?? err.name}: ${err.message}`,
        )
      : 'accepted (no error)';
  } catch (err) {
    return `${err.code ?? err.name}: ${err.message}`;
  }
}
function serviceJwt(...args) {
  return execFileSync(cli, args, { encoding: 'utf8' }).trim();
}

// CLI README, quick start steps 1-3.
see(
  'service-jwt keygen --alg EdDSA --out m1-key.json',
  serviceJwt('keygen', '--alg', 'EdDSA', '--out', 'm1-key.json').replace(/\s+/g, ' '),
);
const jwks = serviceJwt('jwks', '--key', 'm1-key.json');
const cliToken = serviceJwt('sign', '--key', 'm1-key.json', '--iss', ISSUER, '--aud', AUDIENCE);

const core = await import('@service-jwt/core');

// Core README, "minting tokens": the keygen output read as it is.
const keyText = readFileSync('m1-key.json', 'utf8');
let signerToken;
try {
  const signer = core.createSigner({ issuer: ISSUER, keys: keyText });
  signerToken = await signer.tokenFor(AUDIENCE);
  expectWorks('createSigner({ keys: <keygen output> })', true, 'signs; tokenFor() returns a token');
} catch (err) {
  expectWorks('createSigner({ keys: <keygen output> })', false, `${err.code}: ${err.message}`);
}
see(
  'explicit algorithm that disagrees with the key (EdDSA key, ES256)',
  refusal(() => core.createSigner({ issuer: ISSUER, keys: keyText, algorithm: 'ES256' })),
);

// Run with --enable-source-maps: a stack through the installed core names its shipped sources.
try {
  core.createSigner({ issuer: ISSUER, keys: keyText, algorithm: 'ES256' });
} catch (err) {
  const frame = /\((\/[^():]+\/node_modules\/@service-jwt\/core\/[^():]+):\d+:\d+\)/.exec(
    err.stack,
  );
  expectWorks(
    'source maps',
    Boolean(frame?.[1].endsWith('.ts')) && existsSync(frame?.[1] ?? ''),
    `the first core frame is ${frame?.[1].replace(/^.*node_modules\//, '')}`,
  );
}

// Messages that should name the fix.
const issuerWith = (entry) => () =>
  core.createVerifier({ issuers: { [ISSUER]: entry }, audience: AUDIENCE });
see('a JWK set passed as publicKey', refusal(issuerWith({ publicKey: jwks })));
see('{ jwksUrl } (a near-miss option name)', refusal(issuerWith({ jwksUrl: `${ISSUER}/jwks` })));
see(
  'jwksUri together with publicKey',
  refusal(issuerWith({ jwksUri: `${ISSUER}/jwks`, publicKey: JSON.parse(jwks).keys[0] })),
);
const publicJwk = JSON.parse(jwks).keys[0];
see(
  'publicKey whose alg does not match the key type',
  refusal(issuerWith({ publicKey: { ...publicJwk, alg: 'ES256' } })),
);

// The adapters' quick starts, with the key set from `service-jwt jwks` instead of a jwksUri.
const issuers = { [ISSUER]: { keys: JSON.parse(jwks) } };
const express = (await import('express')).default;
const { requireServiceJwt, serviceJwt: expressAuth } = await import('@service-jwt/express');
const expressApp = express();
expressApp.use(requireServiceJwt({ issuers, audience: AUDIENCE }));
expressApp.get('/orders', (req, res) => res.json({ caller: req.serviceJwt?.issuer }));
const Koa = (await import('koa')).default;
const koaAdapter = await import('@service-jwt/koa');
const koaApp = new Koa();
koaApp.use(koaAdapter.requireServiceJwt({ issuers, audience: AUDIENCE }));
koaApp.use((ctx) => {
  ctx.body = { caller: ctx.state.serviceJwt?.issuer };
});
const Fastify = (await import('fastify')).default;
const fastifyPlugin = (await import('@service-jwt/fastify')).default;
const fastifyApp = Fastify();
await fastifyApp.register(fastifyPlugin, { issuers, audience: AUDIENCE });
fastifyApp.get('/orders', { preHandler: fastifyApp.requireServiceJwt() }, async (request) => ({
  caller: request.serviceJwt?.issuer,
}));

async function listen(app, kind) {
  if (kind === 'fastify') {
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
  }
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
for (const [kind, app] of [
  ['express', expressApp],
  ['koa', koaApp],
  ['fastify', fastifyApp],
]) {
  const server = await listen(app, kind);
  try {
    const call = (token) =>
      fetch(`${server.url}/orders`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(5_000),
      });
    const withCli = await call(cliToken);
    const withSigner = signerToken ? await call(signerToken) : { status: 'no token' };
    const without = await call(undefined);
    const body = await without.json();
    expectWorks(
      `${kind} quick start`,
      withCli.status === 200 && withSigner.status === 200 && without.status === 401,
      `CLI token ${withCli.status}, createSigner token ${withSigner.status}, no token ${without.status} ${body.code} (WWW-Authenticate: ${without.headers.get('www-authenticate')})`,
    );
  } finally {
    await server.close();
  }
}

// A route override that is wrong, made through the adapter's own API.
const auth = expressAuth({ issuers, audience: AUDIENCE });
see(
  'express auth({ audience: 42 })',
  refusal(() => auth({ audience: 42 })),
);

// Lambda quick start, invoked as API Gateway would (HTTP API payload v2).
const { withServiceJwt } = await import('@service-jwt/lambda');
const handler = withServiceJwt({ issuers, audience: AUDIENCE }, async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ caller: event.serviceJwt.issuer }),
}));
const lambdaEvent = (token) => ({
  version: '2.0',
  routeKey: 'GET /orders',
  rawPath: '/orders',
  rawQueryString: '',
  headers: { host: 'orders.internal', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  requestContext: { http: { method: 'GET', path: '/orders' }, domainName: 'orders.internal' },
  isBase64Encoded: false,
});
const lambdaOk = await handler(lambdaEvent(cliToken), {});
const lambdaRefused = await handler(lambdaEvent(undefined), {});
expectWorks(
  'lambda quick start',
  lambdaOk.statusCode === 200 && lambdaRefused.statusCode === 401,
  `CLI token ${lambdaOk.statusCode}, no token ${lambdaRefused.statusCode} ${JSON.parse(lambdaRefused.body).code}`,
);

// Error helpers where the adapters' onError examples import them from.
for (const name of ['express', 'koa', 'fastify', 'lambda']) {
  const adapter = await import(`@service-jwt/${name}`);
  const err = new core.ServiceJwtError('token_missing', 'no token');
  expectWorks(
    `@service-jwt/${name} re-exports the error helpers`,
    adapter.ServiceJwtError === core.ServiceJwtError && adapter.isServiceJwtError(err) === true,
    'ServiceJwtError and isServiceJwtError are core’s own',
  );
}

// The test kit's quick start.
const testing = await import('@service-jwt/testing');
const issuer = await testing.createTestIssuer();
const served = await testing.serveJwks(issuer);
try {
  const verifier = core.createVerifier(
    testing.createTestVerifierOptions(issuer, served, { audience: AUDIENCE }),
  );
  const token = await issuer.sign({}, { audience: AUDIENCE, subject: 'user-1' });
  const result = await verifier.verify({
    method: 'GET',
    url: '/',
    headers: { authorization: `Bearer ${token}` },
  });
  expectWorks(
    'testing quick start',
    result.subject === 'user-1',
    `verified subject ${result.subject}`,
  );
} finally {
  await served.close();
}

// Packaging: what the installed packages look like from here.
const ours = Object.keys(require('../package.json').dependencies).filter((name) =>
  name.startsWith('@service-jwt/'),
);
for (const name of ours) {
  const manifest = require(`${name}/package.json`);
  const conditions = Object.values(manifest.exports ?? {}).flatMap((entry) =>
    typeof entry === 'string' ? [] : Object.keys(entry),
  );
  expectWorks(
    `${name} manifest`,
    Boolean(manifest.repository?.url && manifest.homepage && manifest.bugs?.url) &&
      !conditions.includes('source'),
    `license ${manifest.license}, repository ${manifest.repository?.url} (${manifest.repository?.directory}), exports conditions ${[...new Set(conditions)].join('/')}`,
  );
}

console.log(broken === 0 ? 'first day: every step worked' : `first day: ${broken} step(s) broken`);
process.exit(broken === 0 ? 0 : 1);
