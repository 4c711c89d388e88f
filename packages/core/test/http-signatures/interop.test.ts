import { createServer } from 'node:http';
import {
  computeContentDigest,
  createMemoryReplayStore,
  createServiceFetch,
  createSigner,
  createVerifier,
  generateKeyPair,
  type KeyPairAlgorithm,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import {
  httpbis,
  createSigner as theirSigner,
  createVerifier as theirVerifier,
} from 'http-message-signatures';
import { type Loopback, listen, readRaw, startProtectedService } from '../signer/http-fixtures.js';

// Interop with the `http-message-signatures` npm package over loopback HTTP, both ways: its
// signatures verify with our verifier, ours verify with its verifier. It computes no
// Content-Digest of its own, so its caller adds the header and covers it.
const M1 = 'https://m1.test/';
const M2 = 'https://m2.test/';
const BODY = '{"order":7,"note":"Zürich"}';

const CASES: ReadonlyArray<[KeyPairAlgorithm, string]> = [
  ['ES256', 'ecdsa-p256-sha256'],
  ['EdDSA', 'ed25519'],
  ['PS512', 'rsa-pss-sha512'],
  ['RS256', 'rsa-v1_5-sha256'],
];

describe.each(CASES)('interop with http-message-signatures: %s issuer key (%s)', (jwsAlg, alg) => {
  let jwks: JwksServer;
  let verifier: ServiceJwtVerifier;
  let service: Loopback;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let signer: ReturnType<typeof createSigner>;

  beforeAll(async () => {
    keys = await generateKeyPair(jwsAlg);
    signer = createSigner({ issuer: M1, keys: keys.privateKey, algorithm: jwsAlg });
    jwks = await serveJwks(() => signer.jwks());
    verifier = createVerifier({
      issuers: { [M1]: { jwksUri: jwks.url, allowInsecureHttp: true } },
      audience: M2,
      replay: { store: createMemoryReplayStore(), required: false },
      httpSignature: { key: 'issuer', scheme: 'http' },
    });
    service = await startProtectedService(verifier);
  });
  afterAll(async () => {
    await service.close();
    await verifier.close();
    await jwks.close();
  });

  async function theirsSigned(body: string) {
    const url = `${service.url}/orders?id=7`;
    const headers = {
      authorization: `Bearer ${await signer.tokenFor(M2)}`,
      'content-type': 'application/json',
      'content-digest': computeContentDigest(body),
    };
    const created = new Date();
    return httpbis.signMessage(
      {
        key: theirSigner(keys.privateKey, alg),
        fields: ['@method', '@path', '@query', 'authorization', 'content-digest'],
        params: ['created', 'expires', 'nonce', 'tag', 'alg'],
        paramValues: {
          created,
          expires: new Date(created.getTime() + 60_000),
          nonce: crypto.randomUUID(),
          tag: 'service-jwt',
        },
      },
      { method: 'POST', url, headers },
    );
  }

  it('its signed request verifies with us; a changed body does not', async () => {
    const signed = await theirsSigned(BODY);
    const send = (body: string) =>
      fetch(signed.url, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body,
      });
    const accepted = await send(BODY);
    expect(accepted.status).toBe(200);
    const changed = await (await theirsSigned(BODY)).headers;
    const refused = await fetch(signed.url, {
      method: 'POST',
      headers: changed as Record<string, string>,
      body: BODY.replace('7', '8'),
    });
    expect(((await refused.json()) as { code: string }).code).toBe('content_digest_mismatch');
  });

  it('our signed request verifies with it', async () => {
    const seen: Array<boolean | null> = [];
    const theirs = await listen(
      createServer(async (req, res) => {
        await readRaw(req);
        const request = {
          method: req.method ?? '',
          url: `http://${req.headers.host}${req.url}`,
          headers: req.headers as Record<string, string>,
        };
        const valid = await httpbis
          .verifyMessage(
            {
              keyLookup: async () => ({ algs: [alg], verify: theirVerifier(keys.publicKey, alg) }),
              requiredFields: ['@method', '@path', '@query', 'authorization', 'content-digest'],
              requiredParams: ['created', 'expires', 'nonce', 'tag'],
            },
            request,
          )
          .catch(() => false);
        seen.push(valid);
        res.writeHead(valid ? 200 : 401).end();
      }),
    );
    try {
      const call = createServiceFetch({
        signer,
        audience: M2,
        httpSignature: {
          key: keys.privateKey,
          ...(alg.startsWith('rsa-') ? { algorithm: alg as never } : {}),
        },
      });
      const response = await call(`${theirs.url}/orders?id=7`, { method: 'POST', body: BODY });
      expect(seen).toEqual([true]);
      expect(response.status).toBe(200);
    } finally {
      await theirs.close();
    }
  });
});
