import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Algorithm } from '../../src/jws/algorithms.js';
import { verifySignature } from '../../src/jws/signature.js';

// Wycheproof primitive vectors through the verifier's signature check (signature.ts), the
// exact code the pipeline runs. `acceptable` allows either verdict.
const VECTORS = join(__dirname, '../../../../../shared/vectors/wycheproof/testvectors_v1');

interface Test {
  readonly tcId: number;
  readonly msg: string;
  readonly sig?: string;
  readonly tag?: string;
  readonly key?: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  readonly publicKeyPem?: string;
  readonly publicKeyJwk?: object;
  readonly tagSize?: number | string;
  readonly tests: readonly Test[];
}

function groups(file: string): Group[] {
  return JSON.parse(readFileSync(join(VECTORS, file), 'utf8')).testGroups;
}

function run(
  alg: Algorithm,
  file: string,
  keyOf: (group: Group, test: Test) => KeyObject,
  keep = (_: Group) => true,
) {
  const all = groups(file)
    .filter(keep)
    .flatMap((group) => group.tests.map((test) => ({ group, test })));
  let checked = 0;
  for (const { group, test } of all) {
    const got = verifySignature(
      alg,
      keyOf(group, test),
      Buffer.from(test.msg, 'hex'),
      Buffer.from(test.sig ?? test.tag ?? '', 'hex'),
    );
    if (test.result !== 'acceptable') {
      expect({ tcId: test.tcId, valid: got }).toEqual({
        tcId: test.tcId,
        valid: test.result === 'valid',
      });
    }
    checked++;
  }
  return checked;
}

const pem = (group: Group) => createPublicKey(group.publicKeyPem as string);

describe('Wycheproof primitives through signature.ts', () => {
  it('ES256 (ECDSA P-256, IEEE P1363 signatures): every verdict agrees', () => {
    expect(run('ES256', 'ecdsa_secp256r1_sha256_p1363_test.json', pem)).toBe(262);
  });

  it('ES256 refuses every ASN.1 DER signature, valid or not', () => {
    const all = groups('ecdsa_secp256r1_sha256_test.json').flatMap((group) =>
      group.tests.map((test) => ({ group, test })),
    );
    const accepted = all.filter(({ group, test }) =>
      verifySignature(
        'ES256',
        pem(group),
        Buffer.from(test.msg, 'hex'),
        Buffer.from(test.sig as string, 'hex'),
      ),
    );
    expect(all.length).toBe(484);
    expect(accepted).toEqual([]);
  });

  it('RS256 (RSASSA-PKCS1-v1_5 2048, SHA-256): every verdict agrees', () => {
    expect(run('RS256', 'rsa_signature_2048_sha256_test.json', pem)).toBe(259);
  });

  it('PS256 (RSASSA-PSS 2048, SHA-256, MGF1-SHA-256, salt 32): every verdict agrees', () => {
    const jwk = (group: Group) =>
      createPublicKey({ key: group.publicKeyJwk as never, format: 'jwk' });
    expect(run('PS256', 'rsa_pss_2048_sha256_mgf1_32_test.json', jwk)).toBe(108);
  });

  it('EdDSA (Ed25519): every verdict agrees', () => {
    const jwk = (group: Group) =>
      createPublicKey({ key: group.publicKeyJwk as never, format: 'jwk' });
    expect(run('EdDSA', 'ed25519_test.json', jwk)).toBe(151);
  });

  it('HS256 (HMAC-SHA-256, full-length tags as JWS uses): every verdict agrees', () => {
    const secret = (_: Group, test: Test) =>
      createSecretKey(Buffer.from(test.key as string, 'hex'));
    const full = (group: Group) => Number(group.tagSize) === 256;
    const checked = run('HS256', 'hmac_sha256_test.json', secret, full);
    expect(checked).toBeGreaterThan(0);
  });

  it('HS256 refuses every truncated tag', () => {
    const truncated = groups('hmac_sha256_test.json').filter(
      (group) => Number(group.tagSize) < 256,
    );
    const tests = truncated.flatMap((group) => group.tests);
    expect(tests.length).toBeGreaterThan(0);
    for (const test of tests) {
      const key = createSecretKey(Buffer.from(test.key as string, 'hex'));
      expect(
        verifySignature(
          'HS256',
          key,
          Buffer.from(test.msg, 'hex'),
          Buffer.from(test.tag as string, 'hex'),
        ),
      ).toBe(false);
    }
  });
});
