import { readFileSync } from 'node:fs';
import { EXIT } from '@service-jwt/cli';
import { createSigner, createVerifier, type IssuerKeys } from '@service-jwt/core';
import { AUD, headerOf, ISS } from './support/fixtures.js';
import { realCli, tempDir } from './support/real-cli.js';

// A user's first day: `service-jwt keygen --out key.json`, then
// `createSigner({ keys: readFileSync('key.json', 'utf8') })` in the service, and the tokens
// pass the verifier configured with what keygen printed (or, for a secret, with its bytes).

const dir = tempDir();
afterAll(() => dir.remove());

const KEY_PAIRS = ['EdDSA', 'ES256', 'ES384', 'ES512', 'RS256', 'PS256'] as const;
const SECRETS = ['HS256', 'HS384', 'HS512'] as const;

async function keygen(args: readonly string[]): Promise<{ file: string; printed: string }> {
  const file = dir.path(`${args.join('-')}.key`);
  const r = await realCli(['keygen', ...args, '--out', file]);
  expect(r.code).toBe(EXIT.ok);
  return { file, printed: r.stdout };
}

async function accepted(token: string, issuer: IssuerKeys): Promise<unknown> {
  const verifier = createVerifier({ issuers: { [ISS]: issuer }, audience: AUD });
  try {
    return await verifier.verifyToken(token);
  } finally {
    await verifier.close();
  }
}

describe("createSigner reads keygen's output file as it is", () => {
  it.each(KEY_PAIRS)(
    '%s: the private JWK file signs, the printed public JWK verifies',
    async (alg) => {
      const { file, printed } = await keygen(['--alg', alg, '--kid', `m1-${alg}`]);
      const signer = createSigner({ issuer: ISS, keys: readFileSync(file, 'utf8') });
      expect([signer.algorithm, signer.kid]).toEqual([alg, `m1-${alg}`]);
      const token = await signer.tokenFor(AUD);
      expect(headerOf(token)).toEqual({ alg, kid: `m1-${alg}`, typ: 'JWT' });
      await expect(accepted(token, { publicKey: printed })).resolves.toMatchObject({ issuer: ISS });
      // `jwks --key` prints the same set the signer publishes.
      const set = await realCli(['jwks', '--key', file]);
      expect(JSON.parse(set.stdout)).toEqual(signer.jwks());
    },
  );

  it.each(SECRETS)(
    '%s: the oct JWK file signs with the bytes of its base64url "k"',
    async (alg) => {
      const { file } = await keygen(['--alg', alg]);
      const signer = createSigner({ issuer: ISS, keys: readFileSync(file, 'utf8') });
      expect(signer.algorithm).toBe(alg);
      expect(signer.jwks()).toEqual({ keys: [] });
      const token = await signer.tokenFor(AUD);
      const { k } = JSON.parse(readFileSync(file, 'utf8')) as { k: string };
      const secret = Buffer.from(k, 'base64url');
      await expect(accepted(token, { secret, algorithms: [alg] })).resolves.toMatchObject({
        issuer: ISS,
        header: { alg },
      });
      // The trap the docs warn about: the text of "k" is not the secret.
      await expect(accepted(token, { secret: k, algorithms: [alg] })).rejects.toMatchObject({
        code: 'signature_invalid',
      });
    },
  );

  it('reads the file as bytes too (readFileSync without an encoding), never as a secret', async () => {
    const { file, printed } = await keygen(['--alg', 'ES256']);
    const signer = createSigner({ issuer: ISS, keys: readFileSync(file) });
    expect(signer.algorithm).toBe('ES256');
    const token = await signer.sign({}, { audience: AUD });
    await expect(accepted(token, { publicKey: printed })).resolves.toMatchObject({
      issuer: ISS,
      header: { alg: 'ES256' },
    });
  });

  it('reads the default output (the private JWK on standard output)', async () => {
    const r = await realCli(['keygen', '--alg', 'EdDSA']);
    const signer = createSigner({ issuer: ISS, keys: r.stdout });
    const token = await signer.tokenFor(AUD);
    await expect(accepted(token, { keys: signer.jwks() })).resolves.toMatchObject({
      issuer: ISS,
      header: { alg: 'EdDSA' },
    });
  });

  it('reads --format pem, which keeps no alg: PS256 is asked for, ES256 inferred', async () => {
    const rsa = await realCli(['keygen', '--alg', 'PS256', '--format', 'pem']);
    const pss = createSigner({ issuer: ISS, keys: rsa.stdout, algorithm: 'PS256' });
    expect(pss.algorithm).toBe('PS256');
    const ec = await realCli(['keygen', '--alg', 'ES256', '--format', 'pem']);
    expect(createSigner({ issuer: ISS, keys: ec.stdout }).algorithm).toBe('ES256');
    const token = await pss.sign({}, { audience: AUD });
    await expect(accepted(token, { keys: pss.jwks() })).resolves.toMatchObject({
      issuer: ISS,
      header: { alg: 'PS256' },
    });
  });

  it('refuses keygen output whose alg disagrees with the algorithm option, naming both', async () => {
    const { file } = await keygen(['--alg', 'EdDSA']);
    let error: { code?: string; message?: string } | undefined;
    try {
      createSigner({ issuer: ISS, keys: readFileSync(file, 'utf8'), algorithm: 'ES256' });
    } catch (err) {
      error = err as typeof error;
    }
    expect(error?.code).toBe('configuration_error');
    expect(error?.message).toMatch(/^algorithm ES256\b.*OKP Ed25519/);
  });
});
