import { createIssuerKeyResolver } from '../../src/keys/create-issuer-key-resolver.js';
import { discoveryUrl } from '../../src/keys/discovery.js';
import type { IssuerKeyResolver } from '../../src/keys/key-resolver.js';
import { caught, ecKeyPair, type JwksServer, publicJwk, startJwksServer } from './jwks-server.js';

const signing = ecKeyPair();
let server: JwksServer;
let clock = 1_700_000_000_000;
const opened: IssuerKeyResolver[] = [];

beforeEach(async () => {
  server = await startJwksServer();
  server.keys = [publicJwk(signing.publicKey, { kid: 'k1' })];
});
afterEach(async () => {
  for (const resolver of opened.splice(0)) resolver.close();
  await server.close();
});

function discover(issuer: string, extra: Record<string, unknown> = { allowInsecureHttp: true }) {
  const resolver = createIssuerKeyResolver(
    issuer,
    { discovery: true, ...extra },
    { algorithms: ['ES256'], optionPath: `issuers["${issuer}"]`, now: () => clock },
  );
  opened.push(resolver);
  return resolver;
}

describe('OIDC discovery', () => {
  it('builds the configuration URL without a terminating slash of the issuer', () => {
    expect(discoveryUrl('https://a/realm/')).toBe(
      'https://a/realm/.well-known/openid-configuration',
    );
    expect(discoveryUrl('https://a')).toBe('https://a/.well-known/openid-configuration');
  });

  it('finds the key set through jwks_uri when the document names the issuer exactly', async () => {
    server.discovery = { issuer: server.origin, jwks_uri: server.jwksUrl };
    const resolver = discover(server.origin);
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
    expect(resolver.resolve({ alg: 'ES256', kid: 'k1' })).not.toBeInstanceOf(Promise);
    expect(server.discoveryRequests).toBe(1);
    expect(server.jwksRequests).toBe(1);
  });

  it('refuses a document naming another issuer (trailing slash included), with a 503', async () => {
    for (const advertised of [`${server.origin}/`, 'https://evil.example']) {
      server.discovery = { issuer: advertised, jwks_uri: server.jwksUrl };
      const err = await caught(() => discover(server.origin).resolve({ alg: 'ES256', kid: 'k1' }));
      expect(err.code).toBe('keys_unavailable');
      expect(err.status).toBe(503);
    }
    expect(server.jwksRequests).toBe(0);
  });

  it('refuses a jwks_uri that breaks the scheme rule', async () => {
    server.discovery = { issuer: server.origin, jwks_uri: 'ftp://127.0.0.1/jwks.json' };
    const err = await caught(() => discover(server.origin).resolve({ alg: 'ES256', kid: 'k1' }));
    expect(err.code).toBe('keys_unavailable');
  });

  it('refuses an http issuer for discovery unless allowInsecureHttp', async () => {
    const err = await caught(() => discover(server.origin, {}));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`issuers["${server.origin}"]`);
  });

  it('discovers again after the key set fetch fails', async () => {
    server.discovery = { issuer: server.origin, jwks_uri: `${server.origin}/moved.json` };
    const resolver = discover(server.origin);
    expect((await caught(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }))).code).toBe(
      'keys_unavailable',
    );
    server.discovery = { issuer: server.origin, jwks_uri: server.jwksUrl };
    clock += 1_000;
    expect((await resolver.resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
    expect(server.discoveryRequests).toBe(2);
  });
});
