import { createTestCertificate } from '@service-jwt/testing';
import { createIssuerKeyResolver } from '../../src/keys/create-issuer-key-resolver.js';
import { fetchJson } from '../../src/keys/fetch-key-set.js';
import type { IssuerKeyResolver } from '../../src/keys/key-resolver.js';
import type { JwksUriIssuer } from '../../src/verify/options.js';
import { caught, ecKeyPair, type JwksServer, publicJwk, startJwksServer } from './jwks-server.js';

// A self-signed certificate for 127.0.0.1, made once for this file.
const tls = createTestCertificate();
const hexFingerprint = tls.fingerprintHex; // AA:BB:… form
const base64Fingerprint = tls.fingerprint;
const wrongFingerprint = `${hexFingerprint.slice(0, -2)}${hexFingerprint.endsWith('00') ? '01' : '00'}`;

const signing = ecKeyPair();
let server: JwksServer;
const opened: IssuerKeyResolver[] = [];

beforeAll(async () => {
  server = await startJwksServer(tls);
  server.keys = [publicJwk(signing.publicKey, { kid: 'k1' })];
});
afterEach(() => {
  for (const resolver of opened.splice(0)) resolver.close();
});
afterAll(async () => {
  await server.close();
});

function remote(extra: Partial<JwksUriIssuer> = {}, url = server.jwksUrl): IssuerKeyResolver {
  const resolver = createIssuerKeyResolver(
    'https://a',
    { jwksUri: url, ...extra },
    { algorithms: ['ES256'], optionPath: 'issuers["https://a"]' },
  );
  opened.push(resolver);
  return resolver;
}

// The code of the innermost cause: tells a TLS refusal from, say, a refused connection.
function rootCode(err: unknown): unknown {
  let current = err as { cause?: unknown; code?: unknown };
  while (current.cause !== undefined) current = current.cause as typeof current;
  return current.code;
}

async function unavailable(resolver: IssuerKeyResolver, reason: string) {
  const err = await caught(() => resolver.resolve({ alg: 'ES256', kid: 'k1' }));
  expect(err.code).toBe('keys_unavailable');
  expect(err.status).toBe(503);
  expect(rootCode(err)).toBe(reason);
}

describe('remote key sets over HTTPS', () => {
  it('works with the right CA', async () => {
    expect((await remote({ ca: tls.cert }).resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
  });

  it('works with the right fingerprint, in hex or base64', async () => {
    for (const fingerprint of [hexFingerprint, hexFingerprint.toLowerCase(), base64Fingerprint]) {
      const resolver = remote({ ca: tls.cert, fingerprints: [wrongFingerprint, fingerprint] });
      expect((await resolver.resolve({ alg: 'ES256', kid: 'k1' })).kid).toBe('k1');
    }
  });

  it('refuses a certificate matching no pinned fingerprint', async () => {
    const before = server.jwksRequests;
    await unavailable(
      remote({ ca: tls.cert, fingerprints: [wrongFingerprint] }),
      'ERR_CERT_FINGERPRINT_MISMATCH',
    );
    expect(server.jwksRequests).toBe(before);
  });

  it('refuses an untrusted certificate when no CA is configured', async () => {
    await unavailable(remote(), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    await unavailable(remote({ fingerprints: [hexFingerprint] }), 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('refuses a host name the certificate does not cover', async () => {
    const byName = server.jwksUrl.replace('127.0.0.1', 'localhost');
    await unavailable(remote({ ca: tls.cert }, byName), 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('passes the cipher list to TLS', async () => {
    await unavailable(
      remote({ ca: tls.cert, ciphers: 'NO-SUCH-CIPHER' }),
      'ERR_SSL_NO_CIPHER_MATCH',
    );
  });

  it('refuses plain http unless allowInsecureHttp', async () => {
    const err = await caught(() => remote({}, 'http://127.0.0.1:9/jwks.json'));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain('issuers["https://a"].jwksUri');
    const refused = await caught(() => fetchJson('http://127.0.0.1:9/jwks.json'));
    expect(refused.code).toBe('configuration_error');
  });

  it('fetchJson returns the parsed document', async () => {
    const document = (await fetchJson(server.jwksUrl, {
      ca: tls.cert,
      fingerprints: [base64Fingerprint],
    })) as {
      keys: unknown[];
    };
    expect(document.keys).toHaveLength(1);
  });
});
