import { generateKeyPairSync } from 'node:crypto';
import {
  createMemoryReplayStore,
  type HttpRequestToSign,
  type RequestLike,
  type SignHttpRequestOptions,
  signHttpRequest,
} from '@service-jwt/core';
import fc from 'fast-check';
import {
  AUDIENCE,
  claimsAt,
  expectCode,
  makeKey,
  mint,
  NOW,
  NOW_MS,
  verifierFor,
} from '../fixtures.js';

// The httpSignature binding through the public API: a verifier route in the mode, requests
// signed with signHttpRequest (or edited afterwards), and the codes every refusal carries.

const issuerKey = makeKey('ES256');
const proof = generateKeyPairSync('ed25519');
const proofJwk = proof.publicKey.export({ format: 'jwk' });
const BODY = '{"name":"Ada","city":"Zürich"}';

const store = createMemoryReplayStore({ now: () => NOW_MS });
const base = verifierFor(issuerKey, { replay: { store, required: false } });
const byIssuer = base.forRoute({ httpSignature: { key: 'issuer' } });
const byProof = base.forRoute({ httpSignature: true });

const staticToken = mint(issuerKey, claimsAt());
const cnfToken = mint(issuerKey, claimsAt({ cnf: { jwk: proofJwk } }));

function signed(
  token: string,
  options: Partial<SignHttpRequestOptions> = {},
  request: Partial<HttpRequestToSign> = {},
): RequestLike & { headers: Record<string, string> } {
  const message: HttpRequestToSign = {
    method: 'POST',
    url: '/orders?id=7',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: BODY,
    ...request,
  };
  const added = signHttpRequest(message, {
    key: token === cnfToken ? proof.privateKey : issuerKey.privateKey,
    now: () => NOW_MS,
    ...options,
  });
  const headers: Record<string, string> = { ...message.headers, ...added };
  if (message.body !== undefined)
    headers['content-length'] = String(Buffer.byteLength(message.body));
  return { method: message.method, url: message.url, headers, body: message.body };
}

describe('httpSignature binding: accepted', () => {
  it("verifies a request signed with the issuer's key, then refuses its replay", async () => {
    const request = signed(staticToken);
    await expect(byIssuer.verify(request)).resolves.toMatchObject({ subject: 'orders' });
    await expectCode(byIssuer.verify(request), 'http_signature_replayed');
  });

  it('lets one static token carry many signed requests (the nonce is one-time, not the token)', async () => {
    await expect(byIssuer.verify(signed(staticToken))).resolves.toMatchObject({
      issuer: 'https://issuer.test',
      subject: 'orders',
    });
    await expect(byIssuer.verify(signed(staticToken))).resolves.toMatchObject({
      issuer: 'https://issuer.test',
      subject: 'orders',
    });
  });

  it("verifies a request signed with the token's cnf.jwk proof key", async () => {
    await expect(byProof.verify(signed(cnfToken))).resolves.toMatchObject({
      issuer: 'https://issuer.test',
    });
  });

  it('verifies a GET without body or Content-Digest', async () => {
    const request = signed(staticToken, {}, { method: 'GET', body: undefined });
    expect(request.headers['content-digest']).toBeUndefined();
    await expect(byIssuer.verify(request)).resolves.toMatchObject({
      issuer: 'https://issuer.test',
      subject: 'orders',
    });
  });

  it('verifies @target-uri rebuilt from the scheme option and the Host header', async () => {
    const route = base.forRoute({ httpSignature: { key: 'issuer', scheme: 'http' } });
    const request = signed(
      staticToken,
      { components: ['@method', '@target-uri', 'authorization', 'content-digest'] },
      { url: 'http://orders.internal:8080/orders?id=7' },
    );
    // Host as fetch sends it for that URL.
    const received = { ...request, headers: { ...request.headers, host: 'orders.internal:8080' } };
    await expect(route.verify({ ...received, url: '/orders?id=7' })).resolves.toMatchObject({
      issuer: 'https://issuer.test',
      subject: 'orders',
    });
    const moved = { ...received, headers: { ...received.headers, host: 'other.internal' } };
    await expectCode(route.verify({ ...moved, url: '/orders?id=7' }), 'http_signature_invalid');
  });

  it('keeps a nonce apart from a jti of the same value', async () => {
    const once = mint(issuerKey, claimsAt({ jti: 'shared-value' }));
    await expect(base.verifyToken(once)).resolves.toMatchObject({
      claims: { jti: 'shared-value' },
    });
    await expect(
      byIssuer.verify(signed(staticToken, { nonce: 'shared-value' })),
    ).resolves.toMatchObject({ issuer: 'https://issuer.test', subject: 'orders' });
  });
});

describe('httpSignature binding: refused', () => {
  it('no signature → http_signature_missing; a bare token has none either', async () => {
    await expectCode(
      byIssuer.verify({
        method: 'GET',
        url: '/',
        headers: { authorization: `Bearer ${staticToken}` },
      }),
      'http_signature_missing',
    );
    await expectCode(byIssuer.verifyToken(staticToken), 'http_signature_missing');
  });

  it('no signature with the profile tag → http_signature_missing', async () => {
    await expectCode(
      byIssuer.verify(signed(staticToken, { tag: 'other' })),
      'http_signature_missing',
    );
  });

  it('a body changed by one byte → content_digest_mismatch', async () => {
    const request = signed(staticToken);
    await expectCode(
      byIssuer.verify({ ...request, body: BODY.replace('Ada', 'Adb') }),
      'content_digest_mismatch',
    );
  });

  it('a body whose Content-Digest is not covered → content_digest_missing', async () => {
    const request = signed(staticToken, {
      components: ['@method', '@path', '@query', 'authorization'],
    });
    await expectCode(byIssuer.verify(request), 'content_digest_missing');
  });

  it('a Content-Digest replaced after signing → http_signature_invalid', async () => {
    const request = signed(staticToken);
    request.headers['content-digest'] = `sha-256=:${Buffer.alloc(32).toString('base64')}:`;
    await expectCode(byIssuer.verify(request), 'http_signature_invalid');
  });

  it.each([
    ['@method', ['@path', '@query', 'authorization', 'content-digest']],
    ['the target', ['@method', '@path', 'authorization', 'content-digest']],
    ['authorization', ['@method', '@path', '@query', 'content-digest']],
  ])('a signature that does not cover %s → http_signature_insufficient', async (_, components) => {
    await expectCode(
      byIssuer.verify(signed(staticToken, { components })),
      'http_signature_insufficient',
    );
  });

  it('a component listed twice → http_signature_malformed', async () => {
    const components = ['@method', '@path', '@query', 'authorization', 'content-digest', '@path'];
    await expectCode(
      byIssuer.verify(signed(staticToken, { components })),
      'http_signature_malformed',
    );
  });

  it('two signatures with the profile tag → http_signature_malformed', async () => {
    const one = signed(staticToken);
    const two = signed(staticToken, { label: 'sig2' });
    const request = {
      ...one,
      headers: {
        ...one.headers,
        'signature-input': `${one.headers['signature-input']}, ${two.headers['signature-input']}`,
        signature: `${one.headers.signature}, ${two.headers.signature}`,
      },
    };
    await expectCode(byIssuer.verify(request), 'http_signature_malformed');
  });

  it('an unknown alg parameter or another algorithm than the key → algorithm_not_allowed', async () => {
    const request = signed(staticToken, { includeAlg: true });
    const renamed = (alg: string) => ({
      ...request,
      headers: {
        ...request.headers,
        'signature-input': request.headers['signature-input']!.replace(
          'alg="ecdsa-p256-sha256"',
          `alg="${alg}"`,
        ),
      },
    });
    await expectCode(byIssuer.verify(renamed('rsa-sha1')), 'algorithm_not_allowed');
    await expectCode(byIssuer.verify(renamed('ed25519')), 'algorithm_not_allowed');
  });

  it('a signature by another key → http_signature_invalid', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    await expectCode(byProof.verify(signed(cnfToken, { key: other })), 'http_signature_invalid');
    await expectCode(
      byIssuer.verify(signed(staticToken, { key: makeKey('ES256').privateKey })),
      'http_signature_invalid',
    );
  });

  it('cnf mode with a token that confirms no key → claim_missing', async () => {
    await expectCode(byProof.verify(signed(staticToken)), 'claim_missing');
  });

  it('expired, not yet valid, or too long-lived → http_signature_expired', async () => {
    const at = (seconds: number) => () => (NOW + seconds) * 1000;
    await expectCode(
      byIssuer.verify(signed(staticToken, { now: at(-120) })),
      'http_signature_expired',
    );
    await expectCode(
      byIssuer.verify(signed(staticToken, { now: at(60) })),
      'http_signature_expired',
    );
    await expectCode(
      byIssuer.verify(signed(staticToken, { lifetime: 3600 })),
      'http_signature_expired',
    );
  });

  it('messages never quote the signature or the token', async () => {
    const request = signed(staticToken);
    request.headers['content-digest'] = `sha-256=:${Buffer.alloc(32).toString('base64')}:`;
    const err = await expectCode(byIssuer.verify(request), 'http_signature_invalid');
    const signature = request.headers.signature!.split(':')[1]!;
    expect(err.message).not.toContain(signature.slice(0, 20));
    expect(err.message).not.toContain(staticToken.slice(0, 20));
  });

  it('arbitrary Signature-Input and Signature values end in a refusal code, never a crash', async () => {
    const request = signed(staticToken);
    const refusals = new Set([
      'http_signature_malformed',
      'http_signature_missing',
      'http_signature_insufficient',
      'http_signature_expired',
      'http_signature_invalid',
      'algorithm_not_allowed',
      'content_digest_missing',
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 200 }),
        async (input, value) => {
          const mutated = {
            ...request,
            headers: { ...request.headers, 'signature-input': input, signature: value },
          };
          const outcome = await byIssuer.verify(mutated).then(
            () => 'accepted',
            (err: { code?: string }) => err.code,
          );
          expect(refusals.has(outcome as string)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an oversized field → http_signature_malformed before parsing', async () => {
    const request = signed(staticToken);
    request.headers['signature-input'] = `sig1=("${'a'.repeat(9000)}");tag="service-jwt"`;
    await expectCode(byIssuer.verify(request), 'http_signature_malformed');
  });
});

describe('httpSignature option', () => {
  it('needs a replay store, and names the option', () => {
    expect(() => verifierFor(issuerKey, { httpSignature: true })).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringContaining('httpSignature needs a replay store'),
      }),
    );
    expect(() => base.forRoute({ httpSignature: { key: 'jwk' as never } })).toThrow(
      expect.objectContaining({
        message: expect.stringContaining("httpSignature.key must be 'cnf' or 'issuer'"),
      }),
    );
  });

  it.each([
    [{}, 'httpSignature.signResponse.key is required'],
    [{ key: proof.privateKey, lifetime: 0 }, 'httpSignature.signResponse.lifetime'],
    [{ key: proof.privateKey, keyid: 'k1' }, 'keyid'],
    [{ key: proof.publicKey }, 'httpSignature key must be a private key'],
    ['yes', 'httpSignature.signResponse must be'],
  ])('refuses signResponse %p at construction, naming the option', (signResponse, message) => {
    expect(() => base.forRoute({ httpSignature: { signResponse: signResponse as never } })).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringContaining(message),
      }),
    );
  });

  it('a route override `httpSignature: true` keeps the settings made on the verifier', async () => {
    const tagged = verifierFor(issuerKey, {
      replay: { store, required: false },
      httpSignature: { key: 'issuer', tag: 'wimse-workload-to-workload' },
    });
    const route = tagged.forRoute({ httpSignature: true });
    const request = signed(staticToken, { tag: 'wimse-workload-to-workload' });
    await expect(route.verify(request)).resolves.toMatchObject({ subject: 'orders' });
    // Had `true` reset the settings, the route would look for the default tag and key.
    await expectCode(route.verify(signed(staticToken)), 'http_signature_missing');
    const narrowed = tagged.forRoute({ httpSignature: { maxAge: 30 } });
    await expect(
      narrowed.verify(signed(staticToken, { tag: 'wimse-workload-to-workload', lifetime: 30 })),
    ).resolves.toMatchObject({ issuer: 'https://issuer.test', subject: 'orders' });
    await expectCode(
      narrowed.verify(signed(staticToken, { tag: 'wimse-workload-to-workload', lifetime: 31 })),
      'http_signature_expired',
    );
  });

  it('leaves routes without it as they were: signature fields are ignored', async () => {
    const request = signed(staticToken);
    await expect(base.verify({ ...request, body: 'anything' })).resolves.toMatchObject({
      issuer: 'https://issuer.test',
      subject: 'orders',
    });
  });

  it('audience is still checked in the mode', async () => {
    const request = signed(mint(issuerKey, claimsAt({ aud: 'https://else.test' })));
    await expectCode(byIssuer.verify(request), 'audience_mismatch');
    expect(AUDIENCE).toBe('https://audience.test');
  });
});
