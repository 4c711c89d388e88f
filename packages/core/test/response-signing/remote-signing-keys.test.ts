import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { caughtBy } from '@service-jwt/conformance';
import { createResponseSigner, type ResponseSignerOptions } from '@service-jwt/core';
import { createTestCertificate } from '@service-jwt/testing';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { compactVerify } from 'jose';
import { type ConnectProxy, startConnectProxy } from '../keys/connect-proxy.js';
import { type JwksServer, startJwksServer } from '../keys/jwks-server.js';

// One self-signed certificate for 127.0.0.1 and one other, for the "wrong CA" case.
const tls = createTestCertificate();
const otherCa = createTestCertificate();
const wrongFingerprint = Buffer.from(randomBytes(32)).toString('base64');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaJwk = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'gw1', alg: 'RS256' };
const secret = randomBytes(32);
const octJwk = { kty: 'oct', kid: 'sim2', k: secret.toString('base64url') };
const body = { access_token: { sub: 'u1', exp: 1_900_000_000 }, refresh_token: { sub: 'u1' } };

let https: JwksServer;
let http: JwksServer;
let proxy: ConnectProxy;

beforeAll(async () => {
  https = await startJwksServer({ key: tls.key, cert: tls.cert });
  http = await startJwksServer();
  proxy = await startConnectProxy();
});
beforeEach(() => {
  for (const server of [https, http]) {
    server.mode = 'ok';
    server.keys = [rsaJwk, octJwk];
  }
});
afterAll(async () => {
  await Promise.all([https.close(), http.close(), proxy.close()]);
});

function clock() {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

function remote(extra: Partial<ResponseSignerOptions> = {}) {
  return createResponseSigner({
    keysToSign: ['access_token', 'refresh_token'],
    alg: 'RS256',
    kid: 'gw1',
    jwkSetUrl: https.jwksUrl,
    ...extra,
  } as ResponseSignerOptions);
}

// The code of the innermost cause: tells a TLS refusal from, say, a refused connection.
function rootCode(err: unknown): unknown {
  let current = err as { cause?: unknown; code?: unknown };
  while (current.cause !== undefined) current = current.cause as typeof current;
  return current.code;
}

async function expectRefused(signer: ReturnType<typeof remote>, reason?: string) {
  const err = await caughtBy(() => signer.signBody(body));
  expect(err.code).toBe('keys_unavailable');
  expect(err.status).toBe(503);
  expect(err.retryAfter).toBe(5);
  if (reason !== undefined) expect(rootCode(err)).toBe(reason);
  return err;
}

async function expectSigned(signer: ReturnType<typeof remote>) {
  const out = (await signer.signBody(body)) as Record<string, string>;
  await compactVerify(out.access_token as string, rsa.publicKey);
  await compactVerify(out.refresh_token as string, rsa.publicKey);
}

describe('signing keys from a JWK set URL over TLS', () => {
  it('works with the right CA', async () => {
    await expectSigned(remote({ ca: tls.cert }));
  });

  it('fetches through a proxy agent, with CA and pin still checked end to end', async () => {
    const agent = new HttpsProxyAgent(proxy.url);
    const before = proxy.connects.length;
    await expectSigned(remote({ ca: tls.cert, fingerprints: [tls.fingerprint], agent }));
    expect(proxy.connects.slice(before)).toEqual([new URL(https.jwksUrl).host]);
    await expectRefused(
      remote({ ca: tls.cert, fingerprints: [wrongFingerprint], agent }),
      'ERR_CERT_FINGERPRINT_MISMATCH',
    );
    await expectRefused(remote({ ca: otherCa.cert, agent }));
  });

  it('works with the right fingerprint (base64 or hex) next to the CA', async () => {
    for (const fingerprint of [tls.fingerprint, tls.fingerprintHex]) {
      await expectSigned(remote({ ca: tls.cert, fingerprints: [wrongFingerprint, fingerprint] }));
    }
  });

  it('refuses a certificate matching no pinned fingerprint, before any request', async () => {
    const before = https.jwksRequests;
    await expectRefused(
      remote({ ca: tls.cert, fingerprints: [wrongFingerprint] }),
      'ERR_CERT_FINGERPRINT_MISMATCH',
    );
    expect(https.jwksRequests).toBe(before);
  });

  it('refuses the certificate under a wrong CA or the default roots', async () => {
    await expectRefused(remote({ ca: otherCa.cert }), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    await expectRefused(remote(), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    await expectRefused(remote({ fingerprints: [tls.fingerprint] }), 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('passes the cipher list to TLS', async () => {
    await expectRefused(
      remote({ ca: tls.cert, ciphers: 'NO-SUCH-CIPHER' }),
      'ERR_SSL_NO_CIPHER_MATCH',
    );
    await expectSigned(remote({ ca: tls.cert, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }));
  });

  it('refuses plain http: without allowInsecureHttp at construction, and allows it with the flag', async () => {
    const err = await caughtBy(() => remote({ jwkSetUrl: http.jwksUrl }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain('allowInsecureHttp');
    await expectSigned(remote({ jwkSetUrl: http.jwksUrl, allowInsecureHttp: true }));
  });

  it('signs with an oct key from the set (HS256)', async () => {
    const signer = remote({ alg: 'HS256', kid: 'sim2', ca: tls.cert });
    const out = (await signer.signBody(body)) as Record<string, string>;
    await compactVerify(out.access_token as string, secret);
  });

  it.each([
    ['the kid is absent', { kid: 'gone' }],
    ['the JWK is public only', { kid: 'pub' }],
    ['the JWK alg differs', { alg: 'PS256' }],
  ] as const)('answers keys_unavailable when %s', async (_label, extra) => {
    https.keys = [rsaJwk, { kty: 'RSA', kid: 'pub', n: rsaJwk.n, e: rsaJwk.e }];
    await expectRefused(remote({ ca: tls.cert, ...extra }));
  });

  it.each([
    ['a 500', 'error'],
    ['a redirect', 'redirect'],
    ['junk', 'junk'],
    ['a document that is not a set', 'not-a-set'],
  ] as const)('answers keys_unavailable on %s', async (_label, mode) => {
    https.mode = mode;
    await expectRefused(remote({ ca: tls.cert }));
  });

  it('times out', async () => {
    https.mode = 'hang';
    await expectRefused(remote({ ca: tls.cert, timeout: 200 }));
  });

  it('refuses an oversized set', async () => {
    https.mode = 'oversize';
    await expectRefused(remote({ ca: tls.cert, maxResponseBytes: 4096 }));
  });

  it('fetches once, refetches after refreshInterval, and stops signing when the key is withdrawn', async () => {
    const time = clock();
    const signer = remote({ ca: tls.cert, refreshInterval: 60, now: time.now });
    const before = https.jwksRequests;
    await Promise.all([signer.ready(), expectSigned(signer), expectSigned(signer)]);
    expect(https.jwksRequests).toBe(before + 1);
    time.advance(59);
    await expectSigned(signer);
    expect(https.jwksRequests).toBe(before + 1);
    https.keys = [octJwk];
    time.advance(1);
    await expectRefused(signer);
    expect(https.jwksRequests).toBe(before + 2);
  });

  it('drops the key when a due refresh fails, retries after Retry-After, then signs again', async () => {
    const time = clock();
    const signer = remote({ ca: tls.cert, refreshInterval: 60, now: time.now });
    await expectSigned(signer);
    const before = https.jwksRequests;
    https.mode = 'error';
    time.advance(60);
    await expectRefused(signer);
    await expectRefused(signer);
    expect(https.jwksRequests).toBe(before + 1);
    https.mode = 'ok';
    time.advance(4);
    await expectRefused(signer);
    time.advance(1);
    await expectSigned(signer);
    expect(https.jwksRequests).toBe(before + 2);
  });
});
