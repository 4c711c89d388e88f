import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import {
  createServiceFetch,
  createSigner,
  createVerifier,
  exportPem,
  exportPublicJwk,
  jwksResponse,
  type KeyPairAlgorithm,
  type ServiceJwtSigner,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import { decodeProtectedHeader } from 'jose';
import { type Loopback, startProtectedService } from './http-fixtures.js';
import { type SigningService, startSigningService } from './signing-service.js';

// Remote keys against a real signing service in a child process (signing-service.mjs): the
// private keys never enter the test process's signer. It answers like AWS KMS: the message is
// hashed by the service, ECDSA signatures come back DER-encoded unless asked for r‖s.

const ISS = 'https://orders.test/';
const AUD = 'https://billing.test/';
const T0 = 1_700_000_000_000;

const KEYS = {
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
  p521: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  ed: generateKeyPairSync('ed25519').privateKey,
} satisfies Record<string, KeyObject>;

let service: SigningService;
beforeAll(async () => {
  service = await startSigningService(KEYS);
});
afterAll(async () => {
  await service.stop();
});

async function accepted(signer: ServiceJwtSigner, token: string): Promise<unknown> {
  const verifier = createVerifier({ issuers: { [ISS]: { keys: signer.jwks() } }, audience: AUD });
  try {
    return await verifier.verifyToken(token);
  } finally {
    await verifier.close();
  }
}

/** The DER ECDSA-Sig-Value of an r‖s signature (RFC 3279 §2.2.3), minimal integers. */
function derOf(raw: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let value = bytes;
    while (value.length > 1 && value[0] === 0 && !((value[1] as number) & 0x80))
      value = value.subarray(1);
    if ((value[0] as number) & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
    return Buffer.concat([Buffer.from([0x02, value.length]), value]);
  };
  const half = raw.length / 2;
  const body = Buffer.concat([integer(raw.subarray(0, half)), integer(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function refusal(build: () => unknown): { code?: string; message: string } {
  try {
    build();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('a remote signing key', () => {
  it.each([
    ['p256', 'ES256', 'der'],
    ['p256', 'ES256', 'raw'],
    ['p384', 'ES384', 'der'],
    ['p521', 'ES512', 'der'],
    ['rsa', 'RS256', 'der'],
    ['rsa', 'PS256', 'der'],
    ['ed', 'EdDSA', 'der'],
  ] as const)(
    '%s signs %s (%s signatures) tokens the verifier accepts',
    async (name, alg, format) => {
      const signer = createSigner({
        issuer: ISS,
        keys: await service.remoteKey(name, alg as KeyPairAlgorithm, { format }),
      });
      expect(signer.algorithm).toBe(alg);
      const token = await signer.tokenFor(AUD, { subject: 'u-1' });
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: signer.kid, typ: 'JWT' });
      await expect(accepted(signer, token)).resolves.toMatchObject({ issuer: ISS, subject: 'u-1' });
    },
  );

  it('is given the exact JWS signing input, and its DER answer becomes the r‖s the token carries', async () => {
    const inputs: Uint8Array[] = [];
    const signatures: Buffer[] = [];
    // A signature whose r starts with a zero byte is DER-encoded shorter: found in a bounded
    // number of tries (each has a 1/256 chance; 4096 tries fail with odds below 1e-7).
    const signer = createSigner({
      issuer: ISS,
      keys: {
        algorithm: 'ES256',
        publicKey: exportPublicJwk(KEYS.p256),
        sign: async (signingInput) => {
          inputs.push(signingInput);
          for (let i = 0; i < 4096; i++) {
            const raw = sign('sha256', signingInput, { key: KEYS.p256, dsaEncoding: 'ieee-p1363' });
            if (raw[0] !== 0 && i < 4095) continue;
            signatures.push(raw);
            return derOf(raw);
          }
          throw new Error('unreachable');
        },
      },
    });
    const token = await signer.sign({ n: 1 }, { audience: AUD });
    const [header, payload, signature] = token.split('.');
    expect(Buffer.from(inputs[0] as Uint8Array).toString('latin1')).toBe(`${header}.${payload}`);
    expect(signatures[0]?.[0]).toBe(0);
    expect(signature).toBe(signatures[0]?.toString('base64url'));
    await expect(accepted(signer, token)).resolves.toMatchObject({ issuer: ISS, claims: { n: 1 } });
  });

  it('publishes exactly the public JWK of the service key, thumbprint kid, no private member', async () => {
    const signer = createSigner({ issuer: ISS, keys: await service.remoteKey('p256', 'ES256') });
    const expected = exportPublicJwk(KEYS.p256);
    expect(signer.jwks()).toEqual({ keys: [expected] });
    expect(JSON.parse(jwksResponse(signer).body)).toEqual({ keys: [expected] });
    expect(signer.kid).toBe(expected.kid);
  });

  it('takes the public key as a JWK, PEM or KeyObject too, and honours a given kid', async () => {
    const publicKey = (await service.remoteKey('ed', 'EdDSA')).publicKey as Uint8Array;
    const jwk = { ...exportPublicJwk(KEYS.ed), kid: 'kms-ed' };
    const pem = exportPem(KEYS.ed).publicKey;
    // The AWS recipe's chain: GetPublicKey's DER SPKI → KeyObject → JWK.
    const fromDer = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    const forms = [jwk, JSON.stringify(jwk), pem, fromDer, fromDer.export({ format: 'jwk' })];
    for (const form of [...forms, publicKey]) {
      const remote = await service.remoteKey('ed', 'EdDSA', { publicKey: form });
      const signer = createSigner({ issuer: ISS, keys: remote });
      await expect(
        accepted(signer, await signer.sign({}, { audience: AUD })),
      ).resolves.toMatchObject({ issuer: ISS });
    }
    const named = createSigner({
      issuer: ISS,
      keys: { ...(await service.remoteKey('ed', 'EdDSA')), kid: 'kms-ed-2' },
    });
    expect(named.kid).toBe('kms-ed-2');
  });

  it('signs request-bound tokens and authenticates a service fetch, bound and static', async () => {
    const signer = createSigner({ issuer: ISS, keys: await service.remoteKey('p256', 'ES256') });
    // A present bdy, htm and htu are always checked: the bound call proves its binding.
    const verifier = createVerifier({ issuers: { [ISS]: { keys: signer.jwks() } }, audience: AUD });
    const protectedService: Loopback = await startProtectedService(verifier);
    try {
      for (const bind of [true, false]) {
        const call = createServiceFetch({ signer, audience: AUD, bind, subject: 'u-7' });
        const res = await call(`${protectedService.url}/orders?id=1`, {
          method: 'POST',
          body: bind ? '{"order":1}' : '',
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ subject: 'u-7' });
      }
    } finally {
      await protectedService.close();
      await verifier.close();
    }
  });

  it('makes one remote call for concurrent requests of the same cached token', async () => {
    const signer = createSigner({ issuer: ISS, keys: await service.remoteKey('p256', 'ES256') });
    const before = await service.signatures();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => signer.tokenFor(AUD)));
    expect(new Set(tokens).size).toBe(1);
    expect((await service.signatures()) - before).toBe(1);
    await signer.tokenFor(AUD);
    expect((await service.signatures()) - before).toBe(1);
  });
});

describe('rotation with a remote key in the ring', () => {
  it('publishes the remote next key first, switches to it, and retires the local key', async () => {
    let t = T0;
    const now = () => t;
    const local = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const signer = createSigner({ issuer: ISS, keys: local, lifetime: 3600, now });
    const jwks = await serveJwks(() => JSON.parse(jwksResponse(signer).body));
    const verifier: ServiceJwtVerifier = createVerifier({
      issuers: {
        [ISS]: { jwksUri: jwks.url, allowInsecureHttp: true, cacheMaxAge: 60, cooldown: 0 },
      },
      audience: AUD,
      now,
    });
    try {
      const before = await signer.tokenFor(AUD);
      await expect(verifier.verifyToken(before)).resolves.toMatchObject({ issuer: ISS });
      const oldKid = signer.kid;
      const plan = signer.rotate(await service.remoteKey('p384', 'ES384'), { activateAfter: 600 });
      expect(signer.jwks().keys.map((k) => k.kid)).toEqual([oldKid, plan.kid]);
      t += 600_000;
      const after = await signer.tokenFor(AUD);
      expect(decodeProtectedHeader(after)).toMatchObject({ alg: 'ES384', kid: plan.kid });
      await expect(verifier.verifyToken(after)).resolves.toMatchObject({
        issuer: ISS,
        header: { alg: 'ES384', kid: plan.kid },
      });
      expect(signer.jwks().keys.map((k) => k.kid)).toEqual([plan.kid, oldKid]);
      await expect(verifier.verifyToken(before)).resolves.toMatchObject({
        issuer: ISS,
        header: { kid: oldKid },
      });
      // The local key's last token expires at T0 + 3600 s: the key is gone 60 s later.
      t = T0 + 3_661_000;
      expect(signer.jwks().keys.map((k) => k.kid)).toEqual([plan.kid]);
      expect(before).not.toBe(after);
    } finally {
      await verifier.close();
      await jwks.close();
    }
  });

  it('rotates from a remote key to a local one, and starts with a remote key beside a local one', async () => {
    const remote = await service.remoteKey('ed', 'EdDSA');
    const local = generateKeyPairSync('ed25519').privateKey;
    const signer = createSigner({ issuer: ISS, keys: [remote, local] });
    expect(signer.jwks().keys).toHaveLength(2);
    await expect(accepted(signer, await signer.sign({}, { audience: AUD }))).resolves.toMatchObject(
      { issuer: ISS },
    );
    const both = createSigner({ issuer: ISS, keys: remote });
    const plan = both.rotate(local, { activateAfter: 0 });
    const token = await both.sign({}, { audience: AUD });
    expect(decodeProtectedHeader(token).kid).toBe(plan.kid);
    await expect(accepted(both, token)).resolves.toMatchObject({
      issuer: ISS,
      header: { kid: plan.kid },
    });
  });
});

describe('when the remote side fails', () => {
  it('a call past the deadline is signer_unavailable (503), its signal aborted, nothing cached', async () => {
    const signals: AbortSignal[] = [];
    const remote = await service.remoteKey('p256', 'ES256', {
      path: '/hang',
      timeout: 200,
      onSignal: (signal) => signals.push(signal),
    });
    const signer = createSigner({ issuer: ISS, keys: remote });
    const [a, b] = await Promise.allSettled([signer.tokenFor(AUD), signer.tokenFor(AUD)]);
    expect(a).toMatchObject({
      status: 'rejected',
      reason: { code: 'signer_unavailable', status: 503 },
    });
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'signer_unavailable' } });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    await expect(signer.sign({}, { audience: AUD })).rejects.toMatchObject({
      code: 'signer_unavailable',
    });
    expect(signals).toHaveLength(2);
  });

  it('a service that is down is signer_unavailable with the network failure as cause', async () => {
    const doomed = await startSigningService({ p256: KEYS.p256 });
    const signer = createSigner({ issuer: ISS, keys: await doomed.remoteKey('p256', 'ES256') });
    await expect(accepted(signer, await signer.tokenFor(AUD))).resolves.toMatchObject({
      issuer: ISS,
    });
    await doomed.stop();
    const err = await signer.sign({}, { audience: AUD }).then(
      () => undefined,
      (e: unknown) => e as { code: string; status: number; cause: unknown },
    );
    expect(err).toMatchObject({ code: 'signer_unavailable', status: 503 });
    expect(err?.cause).toEqual(expect.objectContaining({ message: expect.any(String) }));
  });

  it('a KMS key that does not match its public key fails with configuration_error, no token', async () => {
    const otherPublic = exportPublicJwk(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    );
    const remote = await service.remoteKey('p256', 'ES256', { publicKey: otherPublic });
    const signer = createSigner({ issuer: ISS, keys: remote });
    const err = await signer.tokenFor(AUD).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('configuration_error');
    expect(err?.message).toMatch(
      /^keys \(remote key "[^"]+"\): .*does not verify with its publicKey/,
    );
  });

  it('a KMS key of another algorithm than declared fails the same way', async () => {
    // The service signs RS256 while the key says PS256: same key, another padding.
    const remote = await service.remoteKey('rsa', 'PS256', { path: '/sign/rsa?alg=RS256' });
    const signer = createSigner({ issuer: ISS, keys: remote });
    await expect(signer.sign({}, { audience: AUD })).rejects.toMatchObject({
      code: 'configuration_error',
    });
  });

  it('refuses a sign that resolves to something else than bytes', async () => {
    const signer = createSigner({
      issuer: ISS,
      keys: {
        algorithm: 'ES256',
        publicKey: exportPublicJwk(KEYS.p256),
        sign: async () => 'c2lnbmF0dXJl' as never,
      },
    });
    await expect(signer.sign({}, { audience: AUD })).rejects.toMatchObject({
      code: 'configuration_error',
    });
  });
});

describe('remote key options, validated at construction', () => {
  const publicKey = exportPublicJwk(KEYS.p256);
  const sign = async () => new Uint8Array(64);
  it.each([
    ['no publicKey', { algorithm: 'ES256', sign }, /^keys\.publicKey is required/],
    ['no algorithm', { publicKey, sign }, /^keys\.algorithm is required/],
    ['an HMAC algorithm', { publicKey, sign, algorithm: 'HS256' }, /^keys\.algorithm is required/],
    [
      'an algorithm the public key cannot verify',
      { publicKey, sign, algorithm: 'EdDSA' },
      /^keys\.algorithm EdDSA does not fit keys\.publicKey \(key type EC P-256/,
    ],
    [
      'a private key as publicKey',
      { publicKey: KEYS.p256, sign, algorithm: 'ES256' },
      /^keys\.publicKey must be the public key/,
    ],
    [
      'a private JWK as publicKey',
      { publicKey: { ...exportPublicJwk(KEYS.p256), d: 'AA' }, sign, algorithm: 'ES256' },
      /^keys\.publicKey holds private key material/,
    ],
    ['a zero timeout', { publicKey, sign, algorithm: 'ES256', timeout: 0 }, /^keys\.timeout/],
    [
      'a timeout past 2^31 ms',
      { publicKey, sign, algorithm: 'ES256', timeout: 2 ** 31 },
      /^keys\.timeout/,
    ],
    ['an empty kid', { publicKey, sign, algorithm: 'ES256', kid: '' }, /^keys\.kid/],
  ])('refuses %s, naming the member', (_label, keys, message) => {
    const err = refusal(() => createSigner({ issuer: ISS, keys: keys as never }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(message);
  });

  it('refuses a signer algorithm that disagrees with the remote key, naming algorithm', () => {
    const err = refusal(() =>
      createSigner({
        issuer: ISS,
        algorithm: 'ES384',
        keys: { publicKey, sign, algorithm: 'ES256' },
      }),
    );
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(/^algorithm ES384\b.*EC P-256/);
  });
});
